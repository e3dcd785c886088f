/*
 * Unit tests of lib/oidmap.c: a map from object id to a 32-bit value
 * that grows past its first size and keeps the first value put.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "oidmap.h"
#include "sghook.h"
#include "testid.h"

static void test_an_empty_map_holds_nothing(void **state)
{
	sghook_oidmap map;
	git_oid id;
	uint32_t v = 7;

	(void)state;
	assert_int_equal(sghook_oidmap_init(&map), 0);
	testid_make(&id, 1);
	assert_int_equal(sghook_oidmap_get(&map, &id, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(map.count, 0);
	sghook_oidmap_free(&map);
}

static void test_a_put_id_is_found_with_its_value(void **state)
{
	sghook_oidmap map;
	git_oid a, b;
	uint32_t v;

	(void)state;
	assert_int_equal(sghook_oidmap_init(&map), 0);
	testid_make(&a, 1);
	testid_make(&b, 2);
	assert_int_equal(sghook_oidmap_put(&map, &a, 0), 0);
	assert_int_equal(sghook_oidmap_put(&map, &b, 42), 0);
	assert_int_equal(sghook_oidmap_get(&map, &a, &v), 1);
	assert_int_equal(v, 0);
	assert_int_equal(sghook_oidmap_get(&map, &b, &v), 1);
	assert_int_equal(v, 42);
	assert_int_equal(map.count, 2);
	sghook_oidmap_free(&map);
}

static void test_a_duplicate_put_returns_1_and_keeps_the_first_value(void **state)
{
	sghook_oidmap map;
	git_oid a;
	uint32_t v;

	(void)state;
	assert_int_equal(sghook_oidmap_init(&map), 0);
	testid_make(&a, 5);
	assert_int_equal(sghook_oidmap_put(&map, &a, 10), 0);
	assert_int_equal(sghook_oidmap_put(&map, &a, 20), 1);
	assert_int_equal(sghook_oidmap_get(&map, &a, &v), 1);
	assert_int_equal(v, 10);
	assert_int_equal(map.count, 1);
	sghook_oidmap_free(&map);
}

/* Far past the first capacity: every id keeps its value, none appears. */
static void test_it_grows_past_its_first_size_and_loses_nothing(void **state)
{
	enum { N = 100000 };
	sghook_oidmap map;
	size_t first;
	git_oid id;
	uint32_t i, v;

	(void)state;
	assert_int_equal(sghook_oidmap_init(&map), 0);
	first = map.cap;
	for (i = 0; i < N; i++) {
		testid_make(&id, i);
		assert_int_equal(sghook_oidmap_put(&map, &id, i * 3), 0);
	}
	assert_true(map.cap > first);
	assert_int_equal(map.count, N);
	for (i = 0; i < N; i++) {
		testid_make(&id, i);
		assert_int_equal(sghook_oidmap_get(&map, &id, &v), 1);
		assert_int_equal(v, i * 3);
		assert_int_equal(sghook_oidmap_put(&map, &id, 1), 1);
	}
	for (i = N; i < N + 1000; i++) {
		testid_make(&id, i);
		assert_int_equal(sghook_oidmap_get(&map, &id, &v), 0);
	}
	sghook_oidmap_free(&map);
}

/* Ids that agree in the bytes the slot is taken from still differ. */
static void test_ids_that_share_their_first_bytes_are_told_apart(void **state)
{
	sghook_oidmap map;
	git_oid id;
	uint32_t i, v;

	(void)state;
	assert_int_equal(sghook_oidmap_init(&map), 0);
	for (i = 0; i < 2000; i++) {
		memset(&id, 0xab, sizeof(id));
		memcpy(id.id + GIT_OID_RAWSZ - 4, &i, 4);
		assert_int_equal(sghook_oidmap_put(&map, &id, i), 0);
	}
	for (i = 0; i < 2000; i++) {
		memset(&id, 0xab, sizeof(id));
		memcpy(id.id + GIT_OID_RAWSZ - 4, &i, 4);
		assert_int_equal(sghook_oidmap_get(&map, &id, &v), 1);
		assert_int_equal(v, i);
	}
	sghook_oidmap_free(&map);
}

static void test_the_largest_value_is_refused_and_stores_nothing(void **state)
{
	sghook_oidmap map;
	git_oid id;
	uint32_t v;

	(void)state;
	assert_int_equal(sghook_oidmap_init(&map), 0);
	testid_make(&id, 9);
	assert_int_equal(sghook_oidmap_put(&map, &id, UINT32_MAX - 1), 0);
	assert_int_equal(sghook_oidmap_get(&map, &id, &v), 1);
	assert_int_equal(v, UINT32_MAX - 1);
	testid_make(&id, 10);
	assert_int_equal(sghook_oidmap_put(&map, &id, UINT32_MAX),
		SGHOOK_EINVALID);
	assert_int_equal(sghook_oidmap_get(&map, &id, &v), 0);
	assert_int_equal(map.count, 1);
	sghook_oidmap_free(&map);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_an_empty_map_holds_nothing),
		cmocka_unit_test(test_a_put_id_is_found_with_its_value),
		cmocka_unit_test(test_a_duplicate_put_returns_1_and_keeps_the_first_value),
		cmocka_unit_test(test_it_grows_past_its_first_size_and_loses_nothing),
		cmocka_unit_test(test_ids_that_share_their_first_bytes_are_told_apart),
		cmocka_unit_test(test_the_largest_value_is_refused_and_stores_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
