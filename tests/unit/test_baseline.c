/*
 * Unit tests of lib/baseline.c: a JSON report of accepted findings, read
 * from a file; findings are dropped by fingerprint.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "sghook.h"

static char path[] = "/tmp/sghook-baseline-XXXXXX";

static sghook_baseline *load(const char *json, int *error)
{
	sghook_baseline *b = NULL;
	int fd = mkstemp(path);
	FILE *fp;

	assert_true(fd >= 0);
	assert_non_null(fp = fdopen(fd, "w"));
	fputs(json, fp);
	fclose(fp);
	*error = sghook_baseline_load(&b, path);
	unlink(path);
	strcpy(path + strlen(path) - 6, "XXXXXX");
	return b;
}

static void test_fingerprints_of_a_report_are_accepted_in_any_case(void **state)
{
	int error;
	sghook_baseline *b = load("[\n  {\"rule\": \"r\", \"fingerprint\": "
		"\"0123456789ABCDEF\"},\n  {\"fingerprint\": \"fedcba9876543210\""
		", \"path\": \"x\"}\n]\n", &error);

	(void)state;
	assert_int_equal(error, 0);
	assert_true(sghook_baseline_has(b, "0123456789abcdef"));
	assert_true(sghook_baseline_has(b, "FEDCBA9876543210"));
	assert_false(sghook_baseline_has(b, "0000000000000000"));
	assert_false(sghook_baseline_has(b, "0123456789abcde"));
	sghook_baseline_free(b);
}

static void test_filter_drops_only_accepted_findings_and_counts_them(void **state)
{
	sghook_findings l = { 0 };
	sghook_finding f;
	int error;
	sghook_baseline *b = load("[{\"fingerprint\": \"1111111111111111\"}]",
		&error);

	(void)state;
	assert_int_equal(error, 0);
	memset(&f, 0, sizeof(f));
	f.path = "a";
	f.secret = "s";
	strcpy(f.fingerprint, "1111111111111111");
	assert_int_equal(sghook_findings_add(&l, &f), 0);
	strcpy(f.fingerprint, "2222222222222222");
	f.path = "b";
	assert_int_equal(sghook_findings_add(&l, &f), 0);
	assert_int_equal(sghook_baseline_filter(b, &l), 1);
	assert_int_equal(l.count, 1);
	assert_string_equal(l.items[0].path, "b");
	sghook_findings_clear(&l);
	sghook_baseline_free(b);
}

static void test_an_empty_report_accepts_nothing(void **state)
{
	int error;
	sghook_baseline *b = load("[]", &error);

	(void)state;
	assert_int_equal(error, 0);
	assert_false(sghook_baseline_has(b, "0123456789abcdef"));
	sghook_baseline_free(b);
}

static void test_what_is_not_a_report_is_an_error_with_the_file_name(void **state)
{
	static const char *bad[] = {
		"", "[", "{}", "[1]", "[{}]", "[{\"fingerprint\": 7}]",
		"[{\"fingerprint\": \"0123456789abcdeg\"}]",
		"[{\"fingerprint\": \"a\", \"fingerprint\": \"b\"}]",
	};
	size_t i;
	int error;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		assert_null(load(bad[i], &error));
		assert_true(error < 0);
		assert_non_null(strstr(sghook_error_last(), "baseline /tmp/"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fingerprints_of_a_report_are_accepted_in_any_case),
		cmocka_unit_test(test_filter_drops_only_accepted_findings_and_counts_them),
		cmocka_unit_test(test_an_empty_report_accepts_nothing),
		cmocka_unit_test(test_what_is_not_a_report_is_an_error_with_the_file_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
