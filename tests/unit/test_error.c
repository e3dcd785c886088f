/*
 * Unit tests of lib/error.c: the last error of a thread, its class and
 * its message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "sghook.h"

static void a_message_is_of_the_generic_class(void **state)
{
	(void)state;
	assert_int_equal(sghook_error_set("bad %s", "thing"), SGHOOK_ERROR);
	assert_int_equal(sghook_error_code(), SGHOOK_ERROR);
	assert_string_equal(sghook_error_last(), "bad thing");
}

static void a_class_is_kept_with_its_message(void **state)
{
	(void)state;
	assert_int_equal(sghook_error_set_code(SGHOOK_EUNSUPPORTED,
		"index %d", 4), SGHOOK_EUNSUPPORTED);
	assert_int_equal(sghook_error_code(), SGHOOK_EUNSUPPORTED);
	assert_string_equal(sghook_error_last(), "index 4");
	sghook_error_set("later");
	assert_int_equal(sghook_error_code(), SGHOOK_ERROR);
}

static void a_prefix_keeps_the_class(void **state)
{
	(void)state;
	sghook_error_set_code(SGHOOK_EINVALID, "line 3: no value");
	assert_int_equal(sghook_error_prefix("rules/%s", "a.rules"),
		SGHOOK_EINVALID);
	assert_string_equal(sghook_error_last(), "rules/a.rules: line 3: no value");
	assert_int_equal(sghook_error_code(), SGHOOK_EINVALID);
}

static void a_long_message_is_cut_not_overrun(void **state)
{
	char big[2000];

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	sghook_error_set("%s", big);
	sghook_error_prefix("commit %s", "abc");
	assert_true(strlen(sghook_error_last()) < sizeof(big));
	assert_memory_equal(sghook_error_last(), "commit abc: aaa", 15);
	sghook_error_prefix("%s", big);
	assert_true(strlen(sghook_error_last()) < sizeof(big));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_message_is_of_the_generic_class),
		cmocka_unit_test(a_class_is_kept_with_its_message),
		cmocka_unit_test(a_prefix_keeps_the_class),
		cmocka_unit_test(a_long_message_is_cut_not_overrun),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
