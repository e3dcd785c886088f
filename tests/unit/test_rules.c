/*
 * Unit tests of lib/rules.c: loading the shipped rules/ directory, the
 * errors a broken rule file gives, a user's file refining a rule, and the
 * keyword prefilter. Tests run from the repository root, so "rules" is
 * the shipped directory.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "sghook.h"

#ifndef RULES_DIR
#define RULES_DIR "rules"
#endif

#define SEGMENT "segment-public-api-token"
#define SOURCEGRAPH "sourcegraph-access-token"

static char tmpdir[] = "/tmp/sghook-test-rules-XXXXXX";

static char *path_in(const char *name)
{
	char *p;

	assert_true(asprintf(&p, "%s/%s", tmpdir, name) >= 0);
	return p;
}

/* Writes `text` to a file of the temp dir; returns its path. */
static char *write_file(const char *name, const char *text)
{
	char *p = path_in(name);
	FILE *fp = fopen(p, "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
	return p;
}

static char *subdir(const char *name)
{
	char *p = path_in(name);

	assert_int_equal(mkdir(p, 0700), 0);
	return p;
}

static const sghook_rule *find_rule(const sghook_rules *r, const char *id)
{
	size_t i;

	for (i = 0; i < sghook_rules_count(r); i++)
		if (!strcmp(sghook_rule_id(sghook_rules_get(r, i)), id))
			return sghook_rules_get(r, i);
	return NULL;
}

static int count_matches(const sghook_match *m, void *payload)
{
	(void)m;
	(*(int *)payload)++;
	return 0;
}

static int scan_count(const sghook_rules *rules, const char *buf)
{
	sghook_matcher *m;
	int n = 0;

	assert_int_equal(sghook_matcher_new(&m, rules), 0);
	assert_int_equal(sghook_matcher_scan(m, buf, strlen(buf),
		count_matches, &n), 0);
	sghook_matcher_free(m);
	return n;
}

/* Loading `path` must fail with SGHOOK_EINVALID or another negative code
 * and a message holding every one of the NULL-terminated words. */
static void assert_load_fails(const char *path, int want_code, ...)
{
	sghook_rules *r = NULL;
	const char *word, *msg;
	va_list ap;
	int rc = sghook_rules_load(&r, path);

	if (rc >= 0) {
		sghook_rules_free(r);
		fail_msg("loading %s succeeded", path);
	}
	if (want_code)
		assert_int_equal(rc, want_code);
	msg = sghook_error_last();
	va_start(ap, want_code);
	while ((word = va_arg(ap, const char *)))
		if (!strstr(msg, word))
			fail_msg("error message '%s' lacks '%s'", msg, word);
	va_end(ap);
}

static int setup(void **state)
{
	(void)state;
	git_libgit2_init();
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char *cmd;

	(void)state;
	if (asprintf(&cmd, "rm -rf '%s'", tmpdir) >= 0) {
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", tmpdir);
		free(cmd);
	}
	git_libgit2_shutdown();
	return 0;
}

#define GOOD_RULE(id, kw) \
	"[rule \"" id "\"]\n" \
	"\tdescription = Test rule " id "\n" \
	"\tkeyword = " kw "\n" \
	"\tregex = " kw "[0-9]{8}\n"

/* ---- the shipped rules ----------------------------------------------- */

static void test_the_rules_dir_loads_segment_and_sourcegraph(void **state)
{
	sghook_rules *r;

	(void)state;
	if (sghook_rules_load(&r, RULES_DIR) < 0)
		fail_msg("%s", sghook_error_last());
	assert_int_equal(sghook_rules_count(r), 2);
	assert_non_null(find_rule(r, SEGMENT));
	assert_non_null(find_rule(r, SOURCEGRAPH));
	assert_null(sghook_rules_get(r, 2));
	sghook_rules_free(r);
}

static void test_rules_come_ordered_by_priority_sourcegraph_first(void **state)
{
	sghook_rules *r;

	(void)state;
	assert_int_equal(sghook_rules_load(&r, RULES_DIR), 0);
	assert_string_equal(sghook_rule_id(sghook_rules_get(r, 0)), SOURCEGRAPH);
	assert_string_equal(sghook_rule_id(sghook_rules_get(r, 1)), SEGMENT);
	sghook_rules_free(r);
}

static void test_a_rule_has_description_confidence_and_remediation_text(void **state)
{
	sghook_rules *r;
	const sghook_rule *seg;

	(void)state;
	assert_int_equal(sghook_rules_load(&r, RULES_DIR), 0);
	seg = find_rule(r, SEGMENT);
	assert_string_equal(sghook_rule_description(seg),
		"Segment Public API token");
	assert_string_equal(sghook_rule_confidence(seg), "high");
	/* remediation = names a sibling file: its text, not its name */
	assert_non_null(sghook_rule_remediation(seg));
	assert_non_null(strstr(sghook_rule_remediation(seg),
		"app.segment.com"));
	assert_non_null(strstr(sghook_rule_remediation(
		find_rule(r, SOURCEGRAPH)), "Access tokens"));
	sghook_rules_free(r);
}

static void test_one_rule_file_loads_only_its_rules(void **state)
{
	sghook_rules *r;

	(void)state;
	assert_int_equal(sghook_rules_load(&r, RULES_DIR "/segment.rules"), 0);
	assert_int_equal(sghook_rules_count(r), 1);
	assert_string_equal(sghook_rule_id(sghook_rules_get(r, 0)), SEGMENT);
	sghook_rules_free(r);
}

static void test_a_rule_without_description_or_remediation_has_defaults(void **state)
{
	char *p = write_file("bare.rules",
		"[rule \"bare\"]\n\tkeyword = bare_\n\tregex = bare_[a-z]+\n");
	sghook_rules *r;

	(void)state;
	assert_int_equal(sghook_rules_load(&r, p), 0);
	assert_string_equal(sghook_rule_description(sghook_rules_get(r, 0)),
		"bare");
	assert_null(sghook_rule_remediation(sghook_rules_get(r, 0)));
	assert_string_equal(sghook_rule_confidence(sghook_rules_get(r, 0)),
		"high");
	sghook_rules_free(r);
	free(p);
}

/* ---- broken rule files ------------------------------------------------ */

static void test_a_bad_regex_fails_with_einvalid_naming_file_and_rule(void **state)
{
	char *p = write_file("badre.rules",
		"[rule \"broken-re\"]\n\tkeyword = abc\n\tregex = abc([0-9]+\n");

	(void)state;
	assert_load_fails(p, SGHOOK_EINVALID, p, "broken-re", "regex", NULL);
	free(p);
}

static void test_a_bad_context_pattern_fails_naming_file_rule_and_key(void **state)
{
	char *p = write_file("badctx.rules",
		"[rule \"broken-ctx\"]\n\tkeyword = abc\n\tregex = abc[0-9]+\n"
		"\tcontext = (?<bad\n");

	(void)state;
	assert_load_fails(p, SGHOOK_EINVALID, p, "broken-ctx", "context", NULL);
	free(p);
}

static void test_a_bad_regex_in_a_dir_fails_the_whole_load_naming_the_file(void **state)
{
	char *d = subdir("withbad"), *p, *q;

	(void)state;
	assert_true(asprintf(&p, "%s/a.rules", d) >= 0);
	assert_true(asprintf(&q, "%s/b.rules", d) >= 0);
	free(write_file("withbad/a.rules", GOOD_RULE("fine", "fine_")));
	free(write_file("withbad/b.rules",
		"[rule \"bad-one\"]\n\tkeyword = x\n\tregex = [unclosed\n"));
	assert_load_fails(d, SGHOOK_EINVALID, q, "bad-one", NULL);
	free(q);
	free(p);
	free(d);
}

static void test_a_rule_without_keyword_is_rejected_naming_file_and_rule(void **state)
{
	char *p = write_file("nokw.rules",
		"[rule \"no-keyword\"]\n\tregex = abc[0-9]+\n");

	(void)state;
	assert_load_fails(p, SGHOOK_EINVALID, p, "no-keyword", "keyword", NULL);
	free(p);
}

static void test_an_empty_keyword_is_rejected(void **state)
{
	char *p = write_file("emptykw.rules",
		"[rule \"empty-keyword\"]\n\tkeyword =\n\tregex = abc[0-9]+\n");

	(void)state;
	assert_load_fails(p, 0, p, "empty-keyword", "keyword", NULL);
	free(p);
}

static void test_a_rule_without_regex_is_rejected_naming_file_and_rule(void **state)
{
	char *p = write_file("nore.rules",
		"[rule \"no-regex\"]\n\tkeyword = abc\n\tdescription = x\n");

	(void)state;
	assert_load_fails(p, SGHOOK_EINVALID, p, "no-regex", "regex", NULL);
	free(p);
}

static void test_an_entropy_that_is_not_bits_per_byte_is_rejected(void **state)
{
	char *p = write_file("badent.rules",
		"[rule \"bad-entropy\"]\n\tkeyword = abc\n\tregex = abc\n"
		"\tentropy = 9.5\n"), *q;

	(void)state;
	assert_load_fails(p, SGHOOK_EINVALID, p, "bad-entropy", "9.5", NULL);
	q = write_file("badent2.rules",
		"[rule \"bad-entropy2\"]\n\tkeyword = abc\n\tregex = abc\n"
		"\tentropy = high\n");
	assert_load_fails(q, SGHOOK_EINVALID, q, "bad-entropy2", NULL);
	free(q);
	free(p);
}

/*
 * A value a rule cannot use is never read as the default (that would
 * weaken detection without a word): loading stops, naming the file, the
 * line and the key. The bad key is on line 6, after a good regex and
 * keyword, so a repeated key is reported where git reads it (the last).
 */
static void test_a_value_a_rule_cannot_use_is_an_error_naming_file_line_and_key(void **state)
{
	static const char *const bad[][2] = {
		{ "randomTier", "maybe" }, { "randomTier", "yes please" },
		{ "minLength", "sixteen" }, { "minLength", "-1" },
		{ "fullLength", "64.5" }, { "fullLength", "-64" },
		{ "contextLines", "three" }, { "contextLines", "-1" },
		{ "priority", "high" }, { "priority", "99999999999" },
		{ "entropy", "nan" }, { "entropy", "inf" }, { "entropy", "" },
		{ "entropy", "3.3 bits" }, { "entropy", "-0.5" },
		{ "regex", "(" }, { "regex", "" },
		{ "context", "[" }, { "context", "" },
		{ "placeholder", "(?<" }, { "placeholder", "" },
		{ "description", "" }, { "confidence", "" },
		{ "remediation", "" }, { "remediation", "missing.txt" },
		{ "keyword", "" },
		{ "wordPairs", "th he ing" }, { "wordPairs", "t1" },
		{ "wordPairs", "" }, { "wordShare", "1.5" },
		{ "identifierShare", "-0.1" }, { "randomEntropy", "most" },
		{ "fillerRun", "-1" }, { "fillerRun", "ten" },
		{ "enclosingContext", "deep" },
		/* A misspelt key is a default too. */
		{ "randomTeir", "true" }, { "minLenght", "16" },
	};
	char *p, *text, *where;
	sghook_rules *r = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		assert_true(asprintf(&text, "# line 1\n[rule \"r\"]\n"
			"\tkeyword = r_\n\tregex = r_[0-9]+\n\n\t%s = %s\n",
			bad[i][0], bad[i][1]) >= 0);
		p = write_file("badvalue.rules", text);
		assert_true(asprintf(&where, "%s:6:", p) >= 0);
		if (sghook_rules_load(&r, p) >= 0) {
			sghook_rules_free(r);
			fail_msg("%s = '%s' loaded", bad[i][0], bad[i][1]);
		}
		if (!strstr(sghook_error_last(), where) ||
		    !strcasestr(sghook_error_last(), bad[i][0]) ||
		    !strstr(sghook_error_last(), "rule r"))
			fail_msg("%s = '%s': message '%s' lacks %s, the key or "
				"the rule", bad[i][0], bad[i][1],
				sghook_error_last(), where);
		free(where);
		free(p);
		free(text);
	}
}

/*
 * The line is git's: a line that continues a value is not a key, nor is a
 * key of another section, and a key may follow its section header.
 */
static void test_the_line_of_a_bad_value_is_where_git_reads_the_key(void **state)
{
	char *p = write_file("line.rules",
		"[rule \"r\"]\n"
		"\tkeyword = r_\n"
		"\tregex = \"r_[0-9]+\" \\\n"
		"randomTier = maybe-not-a-key\n"
		"[other]\n"
		"\trandomTier = true\n"
		"[rule \"r\"] randomTier = maybe\n"), *where;

	(void)state;
	assert_true(asprintf(&where, "%s:7:", p) >= 0);
	assert_load_fails(p, SGHOOK_EINVALID, where, "randomTier", "'maybe'",
		NULL);
	free(where);
	free(p);
}

/*
 * After a value continued onto a line holding only a comment, git reads
 * the next line as a key and libgit2 as more of the value: there the
 * regex would silently hold 'randomTier = true' and never match. sghook
 * refuses the file, at that line.
 */
static void test_a_key_libgit2_reads_as_part_of_a_value_is_an_error(void **state)
{
	char *p = write_file("split.rules",
		"[rule \"r\"]\n"
		"\tkeyword = r_\n"
		"\tregex = \"r_[0-9]+\" \\\n"
		"\t; a comment\n"
		"\trandomTier = true\n"), *where;

	(void)state;
	assert_true(asprintf(&where, "%s:5:", p) >= 0);
	assert_load_fails(p, SGHOOK_EINVALID, where, "randomTier", NULL);
	free(where);
	free(p);
}

/* Each wordPairs line is a value of its own, reported at its line. */
static void test_a_bad_word_pairs_line_is_named_by_its_line(void **state)
{
	char *p = write_file("pairs.rules",
		"[rule \"r\"]\n\tkeyword = r_\n\tregex = r_[0-9]+\n"
		"\twordPairs = th he\n\twordPairs = in er 9x\n"), *where;

	(void)state;
	assert_true(asprintf(&where, "%s:5:", p) >= 0);
	assert_load_fails(p, SGHOOK_EINVALID, where, "wordPairs", "9x", NULL);
	free(where);
	free(p);
}

static void test_a_missing_remediation_file_is_an_error(void **state)
{
	char *p = write_file("norem.rules",
		"[rule \"no-rem\"]\n\tkeyword = abc\n\tregex = abc\n"
		"\tremediation = does-not-exist.txt\n");

	(void)state;
	assert_load_fails(p, 0, "does-not-exist.txt", NULL);
	free(p);
}

static void test_a_remediation_that_names_a_directory_is_an_error(void **state)
{
	char *p = write_file("dirrem.rules",
		"[rule \"dir-rem\"]\n\tkeyword = abc\n\tregex = abc\n"
		"\tremediation = /\n");

	(void)state;
	assert_load_fails(p, SGHOOK_EINVALID, p, "dir-rem",
		"cannot read /: Is a directory", NULL);
	free(p);
}

static void test_a_missing_path_is_an_error_naming_it(void **state)
{
	(void)state;
	assert_load_fails("/nonexistent/sghook-rules", 0,
		"/nonexistent/sghook-rules", NULL);
}

static void test_a_dir_without_rules_files_is_an_error(void **state)
{
	char *d = subdir("empty");

	(void)state;
	free(write_file("empty/README.txt", "not rules\n"));
	assert_load_fails(d, 0, d, NULL);
	free(d);
}

static void test_a_file_without_a_rule_section_is_an_error(void **state)
{
	char *p = write_file("nosection.rules", "[core]\n\tbare = true\n");

	(void)state;
	assert_load_fails(p, 0, p, NULL);
	free(p);
}

static void test_a_file_that_is_not_git_config_syntax_is_an_error(void **state)
{
	char *p = write_file("garbage.rules", "this is [not\" config\n");

	(void)state;
	assert_load_fails(p, 0, p, NULL);
	free(p);
}

static void test_files_without_the_rules_suffix_in_a_dir_are_ignored(void **state)
{
	char *d = subdir("mixed");
	sghook_rules *r;

	(void)state;
	free(write_file("mixed/one.rules", GOOD_RULE("one", "one_")));
	free(write_file("mixed/two.rules.bak", "garbage [[[\n"));
	free(write_file("mixed/notes.txt", "garbage [[[\n"));
	free(write_file("mixed/.rules", "garbage [[[\n"));
	if (sghook_rules_load(&r, d) < 0)
		fail_msg("%s", sghook_error_last());
	assert_int_equal(sghook_rules_count(r), 1);
	assert_string_equal(sghook_rule_id(sghook_rules_get(r, 0)), "one");
	sghook_rules_free(r);
	free(d);
}

static void test_a_failed_add_reports_an_error_and_keeps_the_set_usable(void **state)
{
	sghook_rules *r;
	char *p = write_file("addbad.rules",
		"[rule \"add-bad\"]\n\tkeyword = q\n\tregex = (\n");

	(void)state;
	assert_int_equal(sghook_rules_load(&r, RULES_DIR), 0);
	assert_true(sghook_rules_add(r, p) < 0);
	assert_non_null(strstr(sghook_error_last(), "add-bad"));
	assert_non_null(find_rule(r, SEGMENT));
	assert_int_equal(scan_count(r, "sgp_"
		"myuKuO98ZbCLOaa3MY7DBcdjc1nkaEG9"
		"4DhSUgpJ1vlKrxpsGvkxMnLBXMnTfbdR\n"), 1);
	sghook_rules_free(r);
	free(p);
}

/* ---- refining and adding ---------------------------------------------- */

static void test_a_user_file_refines_a_rule_of_the_same_id(void **state)
{
	sghook_rules *r;
	const sghook_rule *seg;
	/* The user's Segment rule: only 20-digit bodies, another wording. */
	char *p = write_file("user.rules",
		"[rule \"" SEGMENT "\"]\n"
		"\tdescription = Our Segment token\n"
		"\tconfidence = medium\n"
		"\tpriority = 10\n"
		"\tkeyword = sgp_\n"
		"\tregex = (?<![A-Za-z0-9_])sgp_([0-9]{20})(?![A-Za-z0-9_])\n");
	const char *token64 = "sgp_myuKuO98ZbCLOaa3MY7DBcdjc1nkaEG94DhSUgpJ1vlK"
		"rxpsGvkxMnLBXMnTfbdR\n";

	(void)state;
	assert_int_equal(sghook_rules_load(&r, RULES_DIR), 0);
	assert_int_equal(scan_count(r, token64), 1);
	if (sghook_rules_add(r, p) < 0)
		fail_msg("%s", sghook_error_last());
	assert_int_equal(sghook_rules_count(r), 2);
	seg = find_rule(r, SEGMENT);
	assert_string_equal(sghook_rule_description(seg), "Our Segment token");
	assert_string_equal(sghook_rule_confidence(seg), "medium");
	/* The user's rule replaced ours: the old pattern no longer blocks. */
	assert_int_equal(scan_count(r, token64), 0);
	assert_int_equal(scan_count(r, "x sgp_83920174659203847561\n"), 1);
	/* Sourcegraph's rule is untouched. */
	assert_non_null(find_rule(r, SOURCEGRAPH));
	assert_string_equal(sghook_rule_id(sghook_rules_get(r, 0)), SOURCEGRAPH);
	sghook_rules_free(r);
	free(p);
}

static void test_a_later_file_in_a_dir_refines_an_earlier_one(void **state)
{
	char *d = subdir("order");
	sghook_rules *r;

	(void)state;
	free(write_file("order/10-base.rules",
		"[rule \"same\"]\n\tdescription = base\n\tkeyword = s_\n"
		"\tregex = s_[0-9]+\n"));
	free(write_file("order/20-local.rules",
		"[rule \"same\"]\n\tdescription = local\n\tkeyword = s_\n"
		"\tregex = s_[a-z]+\n"));
	assert_int_equal(sghook_rules_load(&r, d), 0);
	assert_int_equal(sghook_rules_count(r), 1);
	assert_string_equal(sghook_rule_description(sghook_rules_get(r, 0)),
		"local");
	sghook_rules_free(r);
	free(d);
}

static void test_a_user_file_with_a_new_id_adds_a_rule(void **state)
{
	sghook_rules *r;
	char *p = write_file("extra.rules", GOOD_RULE("acme-key", "acme_"));

	(void)state;
	assert_int_equal(sghook_rules_load(&r, RULES_DIR), 0);
	assert_int_equal(sghook_rules_add(r, p), 0);
	assert_int_equal(sghook_rules_count(r), 3);
	assert_non_null(find_rule(r, "acme-key"));
	assert_int_equal(scan_count(r, "k = acme_12345678\n"), 1);
	sghook_rules_free(r);
	free(p);
}

static void test_a_rule_id_keeps_its_case(void **state)
{
	sghook_rules *r;
	char *p = write_file("case.rules", GOOD_RULE("Mixed-Case.Id", "mc_"));

	(void)state;
	assert_int_equal(sghook_rules_load(&r, p), 0);
	assert_string_equal(sghook_rule_id(sghook_rules_get(r, 0)),
		"Mixed-Case.Id");
	sghook_rules_free(r);
	free(p);
}

/* ---- prefilter -------------------------------------------------------- */

static void test_the_prefilter_passes_a_buffer_holding_a_keyword(void **state)
{
	sghook_rules *r;
	const char bin[] = "\0\0\x01\x02 binary \0 sgp_\0";

	(void)state;
	assert_int_equal(sghook_rules_load(&r, RULES_DIR), 0);
	assert_true(sghook_rules_prefilter(r, "x = sgp_", 8));
	assert_true(sghook_rules_prefilter(r, bin, sizeof(bin) - 1));
	sghook_rules_free(r);
}

static void test_the_prefilter_rejects_a_buffer_without_any_keyword(void **state)
{
	sghook_rules *r;

	(void)state;
	assert_int_equal(sghook_rules_load(&r, RULES_DIR), 0);
	assert_false(sghook_rules_prefilter(r, "SGP_ Sgp_ sgp- sg p_", 20));
	assert_false(sghook_rules_prefilter(r, "", 0));
	/* Only `len` bytes count: the keyword past the end is not seen. */
	assert_false(sghook_rules_prefilter(r, "abc sgp_", 6));
	sghook_rules_free(r);
}

static void test_the_prefilter_knows_every_keyword_of_every_rule(void **state)
{
	sghook_rules *r;
	char *p = write_file("multi.rules",
		"[rule \"multi\"]\n\tkeyword = AKIA\n\tkeyword = ASIA\n"
		"\tregex = (AKIA|ASIA)[A-Z0-9]{16}\n");

	(void)state;
	assert_int_equal(sghook_rules_load(&r, RULES_DIR), 0);
	assert_false(sghook_rules_prefilter(r, "key ASIA", 8));
	assert_int_equal(sghook_rules_add(r, p), 0);
	assert_true(sghook_rules_prefilter(r, "key AKIA", 8));
	assert_true(sghook_rules_prefilter(r, "key ASIA", 8));
	assert_true(sghook_rules_prefilter(r, "key sgp_", 8));
	sghook_rules_free(r);
	free(p);
}

/* After a rule is replaced, the keyword only the old version had is gone. */
static void test_the_prefilter_forgets_keywords_of_a_replaced_rule(void **state)
{
	sghook_rules *r;
	char *a = write_file("kw-old.rules", GOOD_RULE("kw", "oldkw_"));
	char *b = write_file("kw-new.rules", GOOD_RULE("kw", "newkw_"));

	(void)state;
	assert_int_equal(sghook_rules_load(&r, a), 0);
	assert_true(sghook_rules_prefilter(r, "oldkw_", 6));
	assert_int_equal(sghook_rules_add(r, b), 0);
	assert_int_equal(sghook_rules_count(r), 1);
	assert_true(sghook_rules_prefilter(r, "newkw_", 6));
	assert_false(sghook_rules_prefilter(r, "oldkw_", 6));
	sghook_rules_free(r);
	free(b);
	free(a);
}

/* ---- allow markers ------------------------------------------------------ */

/*
 * A rule's allowMarker values are the only markers that allow its matches
 * inline: its own word does, another rule's does not, and a rule that
 * declares none is allowed by none.
 */
static void test_the_allow_markers_are_those_the_rule_declares(void **state)
{
	sghook_rules *r;
	char *p = write_file("markers.rules",
		GOOD_RULE("marked", "mk_")
		"\tallowMarker = ours:ok\n"
		"\tallowMarker = also:ok\n"
		GOOD_RULE("bare", "br_"));

	(void)state;
	assert_int_equal(sghook_rules_load(&r, p), 0);
	assert_int_equal(scan_count(r, "x = mk_12345678\n"), 1);
	assert_int_equal(scan_count(r, "x = mk_12345678 # ours:ok\n"), 0);
	assert_int_equal(scan_count(r, "x = mk_12345678 // also:ok\n"), 0);
	assert_int_equal(scan_count(r, "x = mk_12345678 # sghook:allow\n"), 1);
	/* As before: the marker must be in a comment that ends the line. */
	assert_int_equal(scan_count(r, "x = mk_12345678 ours:ok\n"), 1);
	assert_int_equal(scan_count(r, "x = br_12345678 # ours:ok\n"), 1);
	assert_int_equal(scan_count(r, "x = br_12345678 # sghook:allow\n"), 1);
	/* One line, two rules: the marker allows only its rule's match. */
	assert_int_equal(scan_count(r, "mk_12345678 br_12345678 # ours:ok\n"), 1);
	sghook_rules_free(r);
	free(p);
}

/* The shipped rules declare sghook:allow and gitleaks:allow, each. */
static void test_the_shipped_rules_are_allowed_by_both_markers(void **state)
{
	sghook_rules *r;
	const char *sg = "x = sgp_0a1b2c3d4e5f60718293a4b5c6d7e8f901a2b3c4";
	const char *seg = "SEGMENT_API_TOKEN=sgp_myuKuO98ZbCLOaa3MY7DBcdjc1nkaE"
		"G94DhSUgpJ1vlKrxpsGvkxMnLBXMnTfbdR";
	char *buf;

	(void)state;
	assert_int_equal(sghook_rules_load(&r, RULES_DIR), 0);
	assert_true(asprintf(&buf, "%s\n%s\n", sg, seg) >= 0);
	assert_int_equal(scan_count(r, buf), 2);
	free(buf);
	assert_true(asprintf(&buf, "%s # sghook:allow\n%s # gitleaks:allow\n"
		"%s // gitleaks:allow\n%s /* sghook:allow */\n", sg, seg, sg,
		seg) >= 0);
	assert_int_equal(scan_count(r, buf), 0);
	free(buf);
	sghook_rules_free(r);
}

/*
 * An allow marker that could never be found (empty, or holding a line
 * break) is an error naming the file, the line of that very value and
 * the key, as every other bad value, in a message of one line.
 */
static void test_a_bad_allow_marker_is_an_error_naming_file_line_and_key(void **state)
{
	static const char *const bad[] = { "", "\"sghook\\nallow\"" };
	char *p, *text, *where;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		assert_true(asprintf(&text, "[rule \"r\"]\n\tkeyword = r_\n"
			"\tregex = r_[0-9]+\n\tallowMarker = ok:here\n"
			"\tallowMarker = %s\n", bad[i]) >= 0);
		p = write_file("badmarker.rules", text);
		assert_true(asprintf(&where, "%s:5:", p) >= 0);
		assert_load_fails(p, SGHOOK_EINVALID, where, "rule r",
			"allowMarker", NULL);
		/* One line, whatever the value holds. */
		assert_null(strchr(sghook_error_last(), '\n'));
		free(where);
		free(p);
		free(text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_rules_dir_loads_segment_and_sourcegraph),
		cmocka_unit_test(test_rules_come_ordered_by_priority_sourcegraph_first),
		cmocka_unit_test(test_a_rule_has_description_confidence_and_remediation_text),
		cmocka_unit_test(test_one_rule_file_loads_only_its_rules),
		cmocka_unit_test(test_a_rule_without_description_or_remediation_has_defaults),
		cmocka_unit_test(test_a_bad_regex_fails_with_einvalid_naming_file_and_rule),
		cmocka_unit_test(test_a_bad_context_pattern_fails_naming_file_rule_and_key),
		cmocka_unit_test(test_a_bad_regex_in_a_dir_fails_the_whole_load_naming_the_file),
		cmocka_unit_test(test_a_rule_without_keyword_is_rejected_naming_file_and_rule),
		cmocka_unit_test(test_an_empty_keyword_is_rejected),
		cmocka_unit_test(test_a_rule_without_regex_is_rejected_naming_file_and_rule),
		cmocka_unit_test(test_an_entropy_that_is_not_bits_per_byte_is_rejected),
		cmocka_unit_test(test_a_value_a_rule_cannot_use_is_an_error_naming_file_line_and_key),
		cmocka_unit_test(test_the_line_of_a_bad_value_is_where_git_reads_the_key),
		cmocka_unit_test(test_a_key_libgit2_reads_as_part_of_a_value_is_an_error),
		cmocka_unit_test(test_a_bad_word_pairs_line_is_named_by_its_line),
		cmocka_unit_test(test_a_missing_remediation_file_is_an_error),
		cmocka_unit_test(test_a_remediation_that_names_a_directory_is_an_error),
		cmocka_unit_test(test_a_missing_path_is_an_error_naming_it),
		cmocka_unit_test(test_a_dir_without_rules_files_is_an_error),
		cmocka_unit_test(test_a_file_without_a_rule_section_is_an_error),
		cmocka_unit_test(test_a_file_that_is_not_git_config_syntax_is_an_error),
		cmocka_unit_test(test_files_without_the_rules_suffix_in_a_dir_are_ignored),
		cmocka_unit_test(test_a_failed_add_reports_an_error_and_keeps_the_set_usable),
		cmocka_unit_test(test_a_user_file_refines_a_rule_of_the_same_id),
		cmocka_unit_test(test_a_later_file_in_a_dir_refines_an_earlier_one),
		cmocka_unit_test(test_a_user_file_with_a_new_id_adds_a_rule),
		cmocka_unit_test(test_a_rule_id_keeps_its_case),
		cmocka_unit_test(test_the_prefilter_passes_a_buffer_holding_a_keyword),
		cmocka_unit_test(test_the_prefilter_rejects_a_buffer_without_any_keyword),
		cmocka_unit_test(test_the_prefilter_knows_every_keyword_of_every_rule),
		cmocka_unit_test(test_the_prefilter_forgets_keywords_of_a_replaced_rule),
		cmocka_unit_test(test_the_allow_markers_are_those_the_rule_declares),
		cmocka_unit_test(test_the_shipped_rules_are_allowed_by_both_markers),
		cmocka_unit_test(test_a_bad_allow_marker_is_an_error_naming_file_line_and_key),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
