/*
 * Object ids for unit tests that need many distinct ones: id n, its bytes
 * spread as a real hash's are (so that a map's buckets fill as they do in
 * use), and n itself in the last four bytes (so that two never collide).
 * Include after <string.h> and <git2.h> (or a header that includes it).
 */
#ifndef SGHOOK_TEST_TESTID_H
#define SGHOOK_TEST_TESTID_H

#include <stdint.h>

static void testid_make(git_oid *id, uint32_t n)
{
	uint32_t x = n * 2654435761u + 1;
	size_t i;

	for (i = 0; i < GIT_OID_RAWSZ; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		id->id[i] = (unsigned char)(x >> 24);
	}
	memcpy(id->id + GIT_OID_RAWSZ - 4, &n, 4);
}

#endif
