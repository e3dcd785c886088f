/*
 * Unit tests of lib/message.c's sghook_message_strip(): the message git
 * records out of the file its commit-msg hook gets.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sghook.h"

#define CUT "# ------------------------ >8 ------------------------\n"

static char *strip(const char *in, const char *comment, int *cut)
{
	char *out = NULL;
	size_t len = 0;

	assert_int_equal(sghook_message_strip(&out, &len, cut, in, strlen(in),
		comment), 0);
	assert_int_equal(strlen(out), len);
	return out;
}

static void test_comment_lines_become_empty_and_keep_line_numbers(void **state)
{
	int cut = -1;
	char *out = strip("subject\n# a comment\n\nbody\n#\n", NULL, &cut);

	(void)state;
	assert_string_equal(out, "subject\n\n\nbody\n\n");
	assert_int_equal(cut, 0);
	free(out);
}

static void test_the_scissors_line_ends_the_message(void **state)
{
	int cut = 0;
	char *out = strip("subject\n" CUT "diff --git a/x b/x\n+sgp_x\n", NULL,
		&cut);

	(void)state;
	assert_string_equal(out, "subject\n");
	assert_int_equal(cut, 1);
	free(out);
}

static void test_a_scissors_line_with_more_on_it_is_only_a_comment(void **state)
{
	int cut = 1;
	char *out = strip("a\n# ------------------------ >8 ------------------------ x\nb\n",
		NULL, &cut);

	(void)state;
	assert_string_equal(out, "a\n\nb\n");
	assert_int_equal(cut, 0);
	free(out);
}

static void test_another_comment_string_leaves_hash_lines_in(void **state)
{
	char *out = strip("#1 subject\n; comment\n;; also\n", ";", NULL);

	(void)state;
	assert_string_equal(out, "#1 subject\n\n\n");
	free(out);
	out = strip("// c\n/ kept\n", "//", NULL);
	assert_string_equal(out, "\n/ kept\n");
	free(out);
}

static void test_a_last_line_without_newline_is_kept_as_it_is(void **state)
{
	char *out = strip("subject\n# comment", NULL, NULL);

	(void)state;
	assert_string_equal(out, "subject\n");
	free(out);
	out = strip("subject", NULL, NULL);
	assert_string_equal(out, "subject");
	free(out);
	out = strip("", NULL, NULL);
	assert_string_equal(out, "");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_comment_lines_become_empty_and_keep_line_numbers),
		cmocka_unit_test(test_the_scissors_line_ends_the_message),
		cmocka_unit_test(test_a_scissors_line_with_more_on_it_is_only_a_comment),
		cmocka_unit_test(test_another_comment_string_leaves_hash_lines_in),
		cmocka_unit_test(test_a_last_line_without_newline_is_kept_as_it_is),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
