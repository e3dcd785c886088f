/*
 * Unit tests of lib/array.c: an array grows in doubling steps, and a
 * growth that cannot happen leaves it as it was.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>

#include "array.h"
#include "sghook.h"

static void an_empty_array_grows_to_eight(void **state)
{
	int *items = NULL;
	size_t alloc = 0;

	(void)state;
	assert_int_equal(SGHOOK_ARRAY_GROW(items, alloc, 1), 0);
	assert_non_null(items);
	assert_int_equal(alloc, 8);
	free(items);
}

static void the_capacity_doubles_until_it_holds_the_need(void **state)
{
	int *items = NULL;
	size_t alloc = 0, i;

	(void)state;
	assert_int_equal(SGHOOK_ARRAY_GROW(items, alloc, 9), 0);
	assert_int_equal(alloc, 16);
	for (i = 0; i < 16; i++)
		items[i] = (int)i;
	assert_int_equal(SGHOOK_ARRAY_GROW(items, alloc, 100), 0);
	assert_int_equal(alloc, 128);
	for (i = 0; i < 16; i++)
		assert_int_equal(items[i], (int)i);
	free(items);
}

static void a_need_within_the_capacity_changes_nothing(void **state)
{
	int *items = NULL, *was;
	size_t alloc = 0;

	(void)state;
	assert_int_equal(SGHOOK_ARRAY_GROW(items, alloc, 5), 0);
	was = items;
	assert_int_equal(SGHOOK_ARRAY_GROW(items, alloc, 8), 0);
	assert_ptr_equal(items, was);
	assert_int_equal(alloc, 8);
	free(items);
}

static void an_overflowing_size_fails_and_leaves_the_array(void **state)
{
	int *items = NULL, *was;
	size_t alloc = 0;

	(void)state;
	assert_int_equal(SGHOOK_ARRAY_GROW(items, alloc, 3), 0);
	items[2] = 42;
	was = items;
	assert_int_equal(SGHOOK_ARRAY_GROW(items, alloc, SIZE_MAX / 2),
		SGHOOK_ERROR);
	assert_ptr_equal(items, was);
	assert_int_equal(alloc, 8);
	assert_int_equal(items[2], 42);
	assert_int_equal(SGHOOK_ARRAY_GROW(items, alloc, SIZE_MAX), SGHOOK_ERROR);
	assert_int_equal(alloc, 8);
	free(items);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(an_empty_array_grows_to_eight),
		cmocka_unit_test(the_capacity_doubles_until_it_holds_the_need),
		cmocka_unit_test(a_need_within_the_capacity_changes_nothing),
		cmocka_unit_test(an_overflowing_size_fails_and_leaves_the_array),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
