/*
 * Unit tests of lib/blobset.c: the blobs a range adds, each once, in the
 * order first seen, with the first path kept, and read in an order that
 * keeps a file's versions together and leaves out the known ones.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "blobset.h"
#include "scan_internal.h"
#include "testid.h"

static void test_blobs_are_kept_once_in_the_order_first_added(void **state)
{
	sghook_blobset b;
	git_oid a, c;

	(void)state;
	assert_int_equal(sghook_blobset_init(&b), 0);
	testid_make(&a, 1);
	testid_make(&c, 2);
	assert_int_equal(sghook_blobset_add(&b, &a, 10), 0);
	assert_int_equal(sghook_blobset_add(&b, &c, 20), 0);
	assert_int_equal(sghook_blobset_add(&b, &a, 30), 0);
	assert_int_equal(b.count, 2);
	assert_true(git_oid_equal(&sghook_blobset_at(&b, 0)->id, &a));
	assert_true(git_oid_equal(&sghook_blobset_at(&b, 1)->id, &c));
	/* The path a blob was first seen at stays. */
	assert_int_equal(sghook_blobset_at(&b, 0)->path, 10);
	assert_int_equal(sghook_blobset_at(&b, 1)->known, 0);
	sghook_blobset_free(&b);
}

static void test_a_set_grows_past_one_block_and_keeps_every_entry(void **state)
{
	const uint32_t n = 3 * SGHOOK_BLOBSET_BLOCK + 17;
	sghook_blobset b;
	git_oid id;
	uint32_t i;

	(void)state;
	assert_int_equal(sghook_blobset_init(&b), 0);
	for (i = 0; i < n; i++) {
		testid_make(&id, i);
		assert_int_equal(sghook_blobset_add(&b, &id, i), 0);
	}
	assert_int_equal(b.count, n);
	for (i = 0; i < n; i += 997) {
		testid_make(&id, i);
		assert_true(git_oid_equal(&sghook_blobset_at(&b, i)->id, &id));
		assert_int_equal(sghook_blobset_at(&b, i)->path, i);
	}
	sghook_blobset_free(&b);
	assert_int_equal(b.count, 0);
}

static void test_a_result_is_found_by_id_and_freed_with_the_set(void **state)
{
	sghook_blobset b;
	sghook_blob_result *r;
	git_oid a, c, other;

	(void)state;
	assert_int_equal(sghook_blobset_init(&b), 0);
	testid_make(&a, 1);
	testid_make(&c, 2);
	testid_make(&other, 3);
	assert_int_equal(sghook_blobset_add(&b, &a, 0), 0);
	assert_int_equal(sghook_blobset_add(&b, &c, 0), 0);
	r = calloc(1, sizeof(*r) + sizeof(r->hits[0]));
	assert_non_null(r);
	r->n = 1;
	r->hits[0].secret = strdup("sgp_x");
	sghook_blobset_at(&b, 1)->res = r;
	assert_ptr_equal(sghook_blobset_result(&b, &c), r);
	assert_null(sghook_blobset_result(&b, &a));
	assert_null(sghook_blobset_result(&b, &other));
	sghook_blobset_free(&b);   /* frees r: LeakSanitizer would say */
}

static void test_known_blobs_are_not_read_and_a_files_versions_come_together(
	void **state)
{
	sghook_blobset b;
	git_oid id;
	/* Paths by hash: blobs 0 and 3 share one, 1 and 4 another. */
	const uint32_t paths[] = { 7, 3, 9, 7, 3, 5 };
	const uint32_t want[] = { 1, 4, 5, 0, 3 };
	uint32_t i;

	(void)state;
	assert_int_equal(sghook_blobset_init(&b), 0);
	for (i = 0; i < 6; i++) {
		testid_make(&id, i);
		assert_int_equal(sghook_blobset_add(&b, &id, paths[i]), 0);
	}
	testid_make(&id, 2);
	sghook_blobset_know(&b, &id);
	testid_make(&id, 99);
	sghook_blobset_know(&b, &id);   /* not in the set: nothing happens */
	assert_int_equal(sghook_blobset_sort(&b), 0);
	assert_int_equal(b.nread, 5);
	for (i = 0; i < 5; i++)
		assert_int_equal(b.order[i], want[i]);
	sghook_blobset_free(&b);
}

static void test_an_empty_set_sorts_to_nothing(void **state)
{
	sghook_blobset b;

	(void)state;
	assert_int_equal(sghook_blobset_init(&b), 0);
	assert_int_equal(sghook_blobset_sort(&b), 0);
	assert_int_equal(b.nread, 0);
	sghook_blobset_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blobs_are_kept_once_in_the_order_first_added),
		cmocka_unit_test(test_a_set_grows_past_one_block_and_keeps_every_entry),
		cmocka_unit_test(test_a_result_is_found_by_id_and_freed_with_the_set),
		cmocka_unit_test(test_known_blobs_are_not_read_and_a_files_versions_come_together),
		cmocka_unit_test(test_an_empty_set_sorts_to_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
