/*
 * Unit tests of lib/ignore.c: .sghookignore entries (fingerprints, path
 * globs with and without a slash, dir/), comments, blank lines, CRLF.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sghook.h"

#define FP  "0123456789abcdef"
#define FP2 "fedcba9876543210"

static sghook_ignore *parse(const char *text)
{
	sghook_ignore *ig = NULL;

	if (sghook_ignore_parse(&ig, text, strlen(text)) < 0)
		fail_msg("parse failed: %s", sghook_error_last());
	assert_non_null(ig);
	return ig;
}

static int allows(const char *text, const char *path, const char *fp)
{
	sghook_ignore *ig = parse(text);
	int r = sghook_ignore_allows(ig, path, fp);

	sghook_ignore_free(ig);
	return r;
}

#define ALLOWS(text, path)     assert_true(allows(text, path, FP2))
#define NOT_ALLOWS(text, path) assert_false(allows(text, path, FP2))

/* ---- fingerprints ----------------------------------------------------- */

static void test_a_listed_fingerprint_is_allowed_in_any_path(void **state)
{
	(void)state;
	assert_true(allows(FP "\n", "a.txt", FP));
	assert_true(allows(FP "\n", "deep/dir/b.env", FP));
}

static void test_an_unlisted_fingerprint_is_not_allowed(void **state)
{
	(void)state;
	assert_false(allows(FP "\n", "a.txt", FP2));
	assert_false(allows(FP "\n", "a.txt", "0123456789abcdee"));
}

static void test_fingerprints_compare_without_case(void **state)
{
	(void)state;
	assert_true(allows("0123456789ABCDEF\n", "a", FP));
	assert_true(allows(FP "\n", "a", "0123456789ABCDEF"));
}

static void test_several_fingerprints_are_each_allowed(void **state)
{
	sghook_ignore *ig = parse(FP "\n" FP2 "\n");

	(void)state;
	assert_true(sghook_ignore_allows(ig, "x", FP));
	assert_true(sghook_ignore_allows(ig, "x", FP2));
	assert_false(sghook_ignore_allows(ig, "x", "1111111111111111"));
	sghook_ignore_free(ig);
}

static void test_a_line_of_15_or_17_hex_digits_is_not_a_fingerprint(void **state)
{
	(void)state;
	assert_false(allows("0123456789abcde\n", "a", "0123456789abcde0"));
	assert_false(allows("0123456789abcdef0\n", "a", FP));
}

static void test_a_fingerprint_with_surrounding_spaces_is_still_one(void **state)
{
	(void)state;
	assert_true(allows("   " FP " \t\n", "a", FP));
}

static void test_a_comment_after_a_fingerprint_leaves_the_fingerprint(void **state)
{
	sghook_ignore *ig = parse(FP "  # the fixture in tests/\n");

	(void)state;
	assert_true(sghook_ignore_allows(ig, "a", FP));
	assert_int_equal(sghook_ignore_problem_count(ig), 0);
	sghook_ignore_free(ig);
	/* a '#' inside a glob, with no blank before it, is the glob's */
	assert_true(allows("a#b\n", "a#b", FP2));
}

static void test_lines_that_cannot_be_used_are_problems_with_their_line(void **state)
{
	sghook_ignore *ig = parse("# header\n"
		FP " the fixture\n"              /* 2: words after it */
		"0123456789abcde\n"              /* 3: 15 hex digits */
		"docs/\n"
		"!docs/keep.env\n");             /* 5: negation */
	size_t line = 0;

	(void)state;
	assert_int_equal(sghook_ignore_problem_count(ig), 3);
	assert_non_null(strstr(sghook_ignore_problem(ig, 0, &line), "after"));
	assert_int_equal(line, 2);
	assert_non_null(strstr(sghook_ignore_problem(ig, 1, &line), "16 hex"));
	assert_int_equal(line, 3);
	assert_non_null(sghook_ignore_problem(ig, 2, &line));
	assert_int_equal(line, 5);
	assert_null(sghook_ignore_problem(ig, 3, &line));
	/* a problem line allows nothing, the others still count */
	assert_false(sghook_ignore_allows(ig, "x", FP));
	assert_true(sghook_ignore_allows(ig, "docs/a.env", FP2));
	sghook_ignore_free(ig);
}

/* ---- globs without a slash -------------------------------------------- */

static void test_a_glob_without_slash_matches_a_file_name_at_any_depth(void **state)
{
	(void)state;
	ALLOWS("*.md\n", "README.md");
	ALLOWS("*.md\n", "docs/guide/setup.md");
	NOT_ALLOWS("*.md\n", "README.mdx");
	NOT_ALLOWS("*.md\n", "md/notes.txt");
}

static void test_a_plain_name_matches_that_file_name_anywhere_and_only_it(void **state)
{
	(void)state;
	ALLOWS("secrets.env\n", "secrets.env");
	ALLOWS("secrets.env\n", "config/prod/secrets.env");
	NOT_ALLOWS("secrets.env\n", "config/secrets.env.bak");
	NOT_ALLOWS("secrets.env\n", "config/my-secrets.env");
}

static void test_glob_wildcards_question_mark_and_brackets_work(void **state)
{
	(void)state;
	ALLOWS("test_?.py\n", "t/test_a.py");
	NOT_ALLOWS("test_?.py\n", "t/test_ab.py");
	ALLOWS("fixture[0-9].json\n", "fixture7.json");
	NOT_ALLOWS("fixture[0-9].json\n", "fixturex.json");
}

/* ---- globs with a slash ----------------------------------------------- */

static void test_a_glob_with_a_slash_matches_from_the_top(void **state)
{
	(void)state;
	ALLOWS("docs/*.md\n", "docs/a.md");
	NOT_ALLOWS("docs/*.md\n", "src/docs/a.md");
	NOT_ALLOWS("docs/*.md\n", "docs/a.txt");
	ALLOWS("config/prod.env\n", "config/prod.env");
	NOT_ALLOWS("config/prod.env\n", "x/config/prod.env");
}

static void test_a_leading_slash_anchors_a_name_to_the_top(void **state)
{
	(void)state;
	ALLOWS("/config.yml\n", "config.yml");
	NOT_ALLOWS("/config.yml\n", "sub/config.yml");
}

static void test_a_leading_slash_with_a_dir_matches_from_the_top(void **state)
{
	(void)state;
	ALLOWS("/docs/*.md\n", "docs/a.md");
	NOT_ALLOWS("/docs/*.md\n", "x/docs/a.md");
}

/* ---- dir/ ------------------------------------------------------------- */

static void test_a_dir_with_trailing_slash_allows_everything_under_it(void **state)
{
	(void)state;
	ALLOWS("fixtures/\n", "fixtures/a.txt");
	ALLOWS("fixtures/\n", "fixtures/deep/er/b.json");
	NOT_ALLOWS("fixtures/\n", "fixtures-old/a.txt");
	NOT_ALLOWS("fixtures/\n", "fixturesa.txt");
	NOT_ALLOWS("fixtures/\n", "src/main.c");
}

static void test_a_nested_dir_with_trailing_slash_allows_under_it(void **state)
{
	(void)state;
	ALLOWS("tests/data/\n", "tests/data/tokens.txt");
	NOT_ALLOWS("tests/data/\n", "tests/unit/test_x.c");
}

/* ---- comments, blank lines, CRLF -------------------------------------- */

static void test_comment_lines_allow_nothing(void **state)
{
	(void)state;
	assert_false(allows("# " FP "\n", "a", FP));
	assert_false(allows("#" FP "\n", "a", FP));
	NOT_ALLOWS("#*.md\n", "README.md");
	NOT_ALLOWS("  # *.md\n", "README.md");
	NOT_ALLOWS("# comment\n", "# comment");
}

static void test_blank_and_whitespace_lines_allow_nothing(void **state)
{
	(void)state;
	NOT_ALLOWS("\n\n   \n\t\n", "a.txt");
	NOT_ALLOWS("\n\n   \n\t\n", "");
	NOT_ALLOWS("", "a.txt");
}

static void test_entries_between_comments_and_blank_lines_still_count(void **state)
{
	const char *file = "# allowed test data\n\n" FP "\n\n"
		"# docs\n  *.md  \n\n\nfixtures/\n# end\n";
	sghook_ignore *ig = parse(file);

	(void)state;
	assert_true(sghook_ignore_allows(ig, "src/a.c", FP));
	assert_true(sghook_ignore_allows(ig, "a/b/README.md", FP2));
	assert_true(sghook_ignore_allows(ig, "fixtures/t.json", FP2));
	assert_false(sghook_ignore_allows(ig, "src/a.c", FP2));
	sghook_ignore_free(ig);
}

static void test_crlf_line_endings_are_read_like_lf(void **state)
{
	const char *file = "# comment\r\n\r\n" FP "\r\n*.md\r\nfixtures/\r\n"
		"docs/*.txt\r\n";
	sghook_ignore *ig = parse(file);

	(void)state;
	assert_true(sghook_ignore_allows(ig, "x", FP));
	assert_true(sghook_ignore_allows(ig, "a/README.md", FP2));
	assert_true(sghook_ignore_allows(ig, "fixtures/t.json", FP2));
	assert_true(sghook_ignore_allows(ig, "docs/a.txt", FP2));
	assert_false(sghook_ignore_allows(ig, "src/a.c", FP2));
	sghook_ignore_free(ig);
}

static void test_the_last_entry_needs_no_trailing_newline(void **state)
{
	(void)state;
	assert_true(allows("*.md\n" FP, "a", FP));
	ALLOWS(FP "\n*.md", "README.md");
}

static void test_parse_reads_only_len_bytes(void **state)
{
	const char text[] = "*.md\n*.txt";
	sghook_ignore *ig = NULL;

	(void)state;
	assert_int_equal(sghook_ignore_parse(&ig, text, 5), 0);
	assert_true(sghook_ignore_allows(ig, "a.md", FP2));
	assert_false(sghook_ignore_allows(ig, "a.txt", FP2));
	sghook_ignore_free(ig);
}

/*
 * .sghookignore comes with the pushed change: a glob of many "**" against
 * a deep path must be judged at once, not by trying every split of the
 * path (by recursion, about 10^17 tries here).
 */
static void test_a_glob_of_many_double_stars_against_a_deep_path_is_judged(void **state)
{
	char glob[200] = "", path[200] = "";
	int i;

	(void)state;
	for (i = 0; i < 30; i++) {
		strcat(glob, "**/");
		strcat(path, "d/");
	}
	strcat(glob, "x");
	strcat(path, "y");
	NOT_ALLOWS(glob, path);
	path[strlen(path) - 1] = 'x';
	ALLOWS(glob, path);
}

static void test_double_stars_between_names_skip_any_directories(void **state)
{
	(void)state;
	ALLOWS("a/**/b/**/c", "a/b/c");
	ALLOWS("a/**/b/**/c", "a/x/y/b/z/c");
	ALLOWS("a/**/b/**/c", "a/b/b/c");
	NOT_ALLOWS("a/**/b/**/c", "a/c");
	NOT_ALLOWS("a/**/b/**/c", "x/a/b/c");
	ALLOWS("**/b", "a/b");
	ALLOWS("**/b", "b");
	ALLOWS("a/**", "a/x");
	NOT_ALLOWS("a/**/", "a");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_listed_fingerprint_is_allowed_in_any_path),
		cmocka_unit_test(test_an_unlisted_fingerprint_is_not_allowed),
		cmocka_unit_test(test_fingerprints_compare_without_case),
		cmocka_unit_test(test_several_fingerprints_are_each_allowed),
		cmocka_unit_test(test_a_line_of_15_or_17_hex_digits_is_not_a_fingerprint),
		cmocka_unit_test(test_a_fingerprint_with_surrounding_spaces_is_still_one),
		cmocka_unit_test(test_a_comment_after_a_fingerprint_leaves_the_fingerprint),
		cmocka_unit_test(test_lines_that_cannot_be_used_are_problems_with_their_line),
		cmocka_unit_test(test_a_glob_without_slash_matches_a_file_name_at_any_depth),
		cmocka_unit_test(test_a_plain_name_matches_that_file_name_anywhere_and_only_it),
		cmocka_unit_test(test_glob_wildcards_question_mark_and_brackets_work),
		cmocka_unit_test(test_a_glob_with_a_slash_matches_from_the_top),
		cmocka_unit_test(test_a_leading_slash_anchors_a_name_to_the_top),
		cmocka_unit_test(test_a_leading_slash_with_a_dir_matches_from_the_top),
		cmocka_unit_test(test_a_dir_with_trailing_slash_allows_everything_under_it),
		cmocka_unit_test(test_a_nested_dir_with_trailing_slash_allows_under_it),
		cmocka_unit_test(test_comment_lines_allow_nothing),
		cmocka_unit_test(test_blank_and_whitespace_lines_allow_nothing),
		cmocka_unit_test(test_entries_between_comments_and_blank_lines_still_count),
		cmocka_unit_test(test_crlf_line_endings_are_read_like_lf),
		cmocka_unit_test(test_the_last_entry_needs_no_trailing_newline),
		cmocka_unit_test(test_parse_reads_only_len_bytes),
		cmocka_unit_test(test_a_glob_of_many_double_stars_against_a_deep_path_is_judged),
		cmocka_unit_test(test_double_stars_between_names_skip_any_directories),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
