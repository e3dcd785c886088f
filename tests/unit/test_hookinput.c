/*
 * Unit tests of lib/hookinput.c: the lines git writes to pre-receive and
 * pre-push hooks, read from a memory stream; what a push brings, what it
 * deletes, and the inputs that are refused whole.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>

#include "sghook.h"

#define A  "1111111111111111111111111111111111111111"
#define B  "2222222222222222222222222222222222222222"
#define C  "abcdefABCDEF0123456789abcdefABCDEF012345"
#define Z  "0000000000000000000000000000000000000000"

/* Reads `len` bytes of `text` as hook input; returns what the parser did. */
static int read_n(sghook_hookinput *in, const char *text, size_t len,
	sghook_hookinput_kind kind)
{
	/* fmemopen() of zero bytes is not portable: one byte, never read. */
	FILE *fp = fmemopen((void *)(len ? text : "\n"), len ? len : 1, "r");
	int error;

	assert_non_null(fp);
	if (!len)
		fgetc(fp);
	error = sghook_hookinput_read(in, fp, kind);
	fclose(fp);
	return error;
}

static int receive(sghook_hookinput *in, const char *text)
{
	return read_n(in, text, strlen(text), SGHOOK_HOOKINPUT_PRE_RECEIVE);
}

static int push(sghook_hookinput *in, const char *text)
{
	return read_n(in, text, strlen(text), SGHOOK_HOOKINPUT_PRE_PUSH);
}

/* Hex digits of either case name the same id. */
static void assert_oid(const git_oid *id, const char *hex)
{
	char got[GIT_OID_HEXSZ + 1];

	git_oid_tostr(got, sizeof(got), id);
	if (strcasecmp(got, hex))
		fail_msg("expected id %s, got %s", hex, got);
}

/* Refused, with a message that holds `what`. */
static void assert_refused(int error, const char *what)
{
	assert_int_equal(error, SGHOOK_EINVALID);
	if (!strstr(sghook_error_last(), what))
		fail_msg("expected the error to say '%s', got '%s'", what,
			sghook_error_last());
}

/* ---- pre-receive ------------------------------------------------------ */

static void test_pre_receive_the_new_id_of_each_line_is_a_tip(void **state)
{
	sghook_hookinput in = SGHOOK_HOOKINPUT_INIT;

	(void)state;
	assert_int_equal(receive(&in, A " " B " refs/heads/main\n"
		Z " " C " refs/heads/topic\n"), 0);
	assert_int_equal(in.tips.count, 2);
	assert_oid(&in.tips.ids[0], B);
	assert_oid(&in.tips.ids[1], C);
	assert_int_equal(in.hide.count, 0);
	/* the old values that are not zero: refs the server has */
	assert_int_equal(in.olds.count, 1);
	assert_oid(&in.olds.ids[0], A);
	assert_string_equal(in.refs, "refs/heads/main refs/heads/topic");
	assert_int_equal(in.refs_len, strlen(in.refs));
	sghook_hookinput_free(&in);
}

static void test_pre_receive_a_deletion_brings_no_tip_but_names_its_ref(void **state)
{
	sghook_hookinput in = SGHOOK_HOOKINPUT_INIT;

	(void)state;
	assert_int_equal(receive(&in, A " " Z " refs/heads/gone\n"), 0);
	assert_int_equal(in.tips.count, 0);
	assert_string_equal(in.refs, "refs/heads/gone");
	sghook_hookinput_free(&in);
}

static void test_pre_receive_empty_input_is_an_empty_push(void **state)
{
	sghook_hookinput in = SGHOOK_HOOKINPUT_INIT;

	(void)state;
	assert_int_equal(read_n(&in, "", 0, SGHOOK_HOOKINPUT_PRE_RECEIVE), 0);
	assert_int_equal(in.tips.count, 0);
	assert_null(in.refs);
	sghook_hookinput_free(&in);
}

static void test_empty_lines_are_skipped_and_the_last_newline_is_optional(void **state)
{
	sghook_hookinput in = SGHOOK_HOOKINPUT_INIT;

	(void)state;
	assert_int_equal(receive(&in, "\n\n" A " " B " refs/heads/a\n\n"
		A " " C " refs/heads/b"), 0);
	assert_int_equal(in.tips.count, 2);
	assert_oid(&in.tips.ids[1], C);
	assert_string_equal(in.refs, "refs/heads/a refs/heads/b");
	sghook_hookinput_free(&in);
}

static void test_pre_receive_two_fields_are_refused_naming_the_line(void **state)
{
	sghook_hookinput in = SGHOOK_HOOKINPUT_INIT;

	(void)state;
	assert_refused(receive(&in, A " " B " refs/heads/a\n" A " " B "\n"),
		"input line 2 is not '<old-id> <new-id> <ref-name>'");
	assert_int_equal(in.tips.count, 0);
	assert_null(in.refs);
}

static void test_pre_receive_a_fourth_field_is_refused(void **state)
{
	sghook_hookinput in = SGHOOK_HOOKINPUT_INIT;

	(void)state;
	assert_refused(receive(&in, A " " B " refs/heads/a extra\n"),
		"input line 1 is not");
	assert_refused(receive(&in, A " " B " refs/heads/a \n"),
		"input line 1 is not");
}

static void test_fields_are_separated_by_single_spaces_only(void **state)
{
	sghook_hookinput in = SGHOOK_HOOKINPUT_INIT;

	(void)state;
	assert_refused(receive(&in, A "  " B " refs/heads/a\n"),
		"input line 1 is not");
	assert_refused(receive(&in, A "\t" B " refs/heads/a\n"),
		"input line 1 is not");
}

static void test_an_id_that_is_not_40_hex_digits_is_refused(void **state)
{
	sghook_hookinput in = SGHOOK_HOOKINPUT_INIT;

	(void)state;
	assert_refused(receive(&in, "111 " B " refs/heads/a\n"),
		"input line 1: bad object id or ref name");
	assert_refused(receive(&in, A "1 " B " refs/heads/a\n"),
		"bad object id");
	assert_refused(receive(&in, A " " "222222222222222222222222222222222222222g"
		" refs/heads/a\n"), "bad object id");
	/* git writes LF; a CR left on a field is not part of an id. */
	assert_refused(receive(&in, A " " B "\r refs/heads/a\n"),
		"bad object id");
}

static void test_an_empty_ref_name_is_refused(void **state)
{
	sghook_hookinput in = SGHOOK_HOOKINPUT_INIT;

	(void)state;
	assert_refused(receive(&in, A " " B " \n"),
		"input line 1: bad object id or ref name");
}

static void test_a_nul_byte_refuses_the_input(void **state)
{
	static const char text[] = A " " B " refs/heads/a\n" A " " B " ref\0s\n";
	sghook_hookinput in = SGHOOK_HOOKINPUT_INIT;

	(void)state;
	assert_refused(read_n(&in, text, sizeof(text) - 1,
		SGHOOK_HOOKINPUT_PRE_RECEIVE), "input line 2 holds a NUL byte");
	assert_null(in.tips.ids);
}

static void test_a_stream_that_cannot_be_read_is_an_error(void **state)
{
	sghook_hookinput in = SGHOOK_HOOKINPUT_INIT;
	FILE *fp = fopen("/dev/null", "w");
	int error;

	(void)state;
	assert_non_null(fp);
	error = sghook_hookinput_read(&in, fp, SGHOOK_HOOKINPUT_PRE_RECEIVE);
	fclose(fp);
	assert_int_equal(error, SGHOOK_ERROR);
	assert_non_null(strstr(sghook_error_last(), "cannot read hook input"));
}

/* ---- pre-push --------------------------------------------------------- */

static void test_pre_push_the_local_id_is_a_tip_and_the_remote_id_hidden(void **state)
{
	sghook_hookinput in = SGHOOK_HOOKINPUT_INIT;

	(void)state;
	assert_int_equal(push(&in, "refs/heads/main " B " refs/heads/main " A
		"\n"), 0);
	assert_int_equal(in.tips.count, 1);
	assert_oid(&in.tips.ids[0], B);
	assert_int_equal(in.hide.count, 1);
	assert_oid(&in.hide.ids[0], A);
	/* The remote's name of the ref, as the audit records it. */
	assert_string_equal(in.refs, "refs/heads/main");
	sghook_hookinput_free(&in);
}

static void test_pre_push_a_new_branch_hides_nothing(void **state)
{
	sghook_hookinput in = SGHOOK_HOOKINPUT_INIT;

	(void)state;
	assert_int_equal(push(&in, "refs/heads/t " C " refs/heads/topic " Z
		"\n"), 0);
	assert_int_equal(in.tips.count, 1);
	assert_int_equal(in.hide.count, 0);
	assert_string_equal(in.refs, "refs/heads/topic");
	sghook_hookinput_free(&in);
}

static void test_pre_push_a_deletion_brings_no_tip(void **state)
{
	sghook_hookinput in = SGHOOK_HOOKINPUT_INIT;

	(void)state;
	assert_int_equal(push(&in, "(delete) " Z " refs/heads/old " A "\n"), 0);
	assert_int_equal(in.tips.count, 0);
	assert_int_equal(in.hide.count, 1);
	sghook_hookinput_free(&in);
}

static void test_pre_push_three_fields_are_refused(void **state)
{
	sghook_hookinput in = SGHOOK_HOOKINPUT_INIT;

	(void)state;
	assert_refused(push(&in, A " " B " refs/heads/a\n"), "input line 1 is "
		"not '<local-ref> <local-id> <remote-ref> <remote-id>'");
	assert_refused(push(&in, "r " A " r " B " more\n"), "is not");
}

static void test_pre_push_an_empty_local_ref_is_refused(void **state)
{
	sghook_hookinput in = SGHOOK_HOOKINPUT_INIT;

	(void)state;
	assert_refused(push(&in, " " A " refs/heads/a " B "\n"),
		"bad object id or ref name");
}

static void test_many_lines_are_all_read(void **state)
{
	sghook_hookinput in = SGHOOK_HOOKINPUT_INIT;
	char *text = NULL;
	size_t len = 0, i;
	FILE *fp = open_memstream(&text, &len);

	(void)state;
	assert_non_null(fp);
	for (i = 0; i < 1000; i++)
		fprintf(fp, "%040zx %040zx refs/heads/b%zu\n", i, i + 1, i);
	fclose(fp);
	assert_int_equal(receive(&in, text), 0);
	assert_int_equal(in.tips.count, 1000);
	assert_oid(&in.tips.ids[999],
		"00000000000000000000000000000000000003e8");
	assert_int_equal(strlen(in.refs), in.refs_len);
	assert_non_null(strstr(in.refs, "refs/heads/b0 refs/heads/b1 "));
	sghook_hookinput_free(&in);
	free(text);
}

static void test_long_ref_names_are_kept_whole(void **state)
{
	sghook_hookinput in = SGHOOK_HOOKINPUT_INIT;
	char *text = NULL, name[5001];
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	(void)state;
	assert_non_null(fp);
	memset(name, 'r', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	fprintf(fp, A " " B " refs/heads/%s\n" A " " C " x\n", name);
	fclose(fp);
	assert_int_equal(receive(&in, text), 0);
	assert_int_equal(in.refs_len, strlen("refs/heads/") + 5000 + 2);
	assert_int_equal(strlen(in.refs), in.refs_len);
	assert_int_equal(strncmp(in.refs, "refs/heads/rrr", 14), 0);
	assert_string_equal(in.refs + in.refs_len - 3, "r x");
	sghook_hookinput_free(&in);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pre_receive_the_new_id_of_each_line_is_a_tip),
		cmocka_unit_test(test_pre_receive_a_deletion_brings_no_tip_but_names_its_ref),
		cmocka_unit_test(test_pre_receive_empty_input_is_an_empty_push),
		cmocka_unit_test(test_empty_lines_are_skipped_and_the_last_newline_is_optional),
		cmocka_unit_test(test_pre_receive_two_fields_are_refused_naming_the_line),
		cmocka_unit_test(test_pre_receive_a_fourth_field_is_refused),
		cmocka_unit_test(test_fields_are_separated_by_single_spaces_only),
		cmocka_unit_test(test_an_id_that_is_not_40_hex_digits_is_refused),
		cmocka_unit_test(test_an_empty_ref_name_is_refused),
		cmocka_unit_test(test_a_nul_byte_refuses_the_input),
		cmocka_unit_test(test_a_stream_that_cannot_be_read_is_an_error),
		cmocka_unit_test(test_pre_push_the_local_id_is_a_tip_and_the_remote_id_hidden),
		cmocka_unit_test(test_pre_push_a_new_branch_hides_nothing),
		cmocka_unit_test(test_pre_push_a_deletion_brings_no_tip),
		cmocka_unit_test(test_pre_push_three_fields_are_refused),
		cmocka_unit_test(test_pre_push_an_empty_local_ref_is_refused),
		cmocka_unit_test(test_many_lines_are_all_read),
		cmocka_unit_test(test_long_ref_names_are_kept_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
