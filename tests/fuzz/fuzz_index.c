/*
 * git's index file, as lib/index.c reads it for the pre-commit hook: any
 * bytes either fail to open with a message or give entries and a
 * cache-tree that stay inside the file and agree with each other.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/mman.h>

#include "fuzz.h"
#include "index.h"

static int fd = -1;
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* The reader maps a file: give it one that lives in memory. */
	if ((fd = memfd_create("fuzz-index", MFD_CLOEXEC)) < 0) {
		perror("fuzz: memfd_create");
		exit(2);
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return 0;
}

static void check_entries(const sghook_index *ix)
{
	size_t i, lo, hi;
	git_oid id;

	for (i = 0; i < ix->count; i++) {
		const sghook_index_entry *e = &ix->entries[i];

		FUZZ_CHECK(e->path && strlen(e->path) == e->path_len,
			"entry %zu: path length %zu", i, e->path_len);
		FUZZ_CHECK((const char *)e->raw >= (const char *)ix->map &&
			(const char *)e->raw < (const char *)ix->map + ix->map_len,
			"entry %zu lies outside the file", i);
		sghook_index_entry_id(&id, e);
		(void)sghook_index_entry_mode(e);
		FUZZ_CHECK(sghook_index_entry_stage(e) <= 3, "stage > 3");
		(void)sghook_index_entry_intent_to_add(e);
		/* Lookups on an index whose order is broken may miss, never stray. */
		lo = 0;
		hi = ix->count;
		sghook_index_range(ix, e->path, e->path_len, &lo, &hi);
		FUZZ_CHECK(lo <= hi && hi <= ix->count, "range [%zu, %zu) of %zu",
			lo, hi, ix->count);
		(void)sghook_index_find(ix, e->path);
	}
}

static void check_tree(const sghook_index *ix)
{
	size_t i;

	for (i = 0; i < ix->ntree; i++) {
		const sghook_index_tree *t = &ix->tree[i];

		FUZZ_CHECK(t->end > i && t->end <= ix->ntree,
			"tree node %zu ends at %zu of %zu", i, t->end, ix->ntree);
		FUZZ_CHECK(t->name >= (const char *)ix->map &&
			t->name + t->name_len <= (const char *)ix->map + ix->map_len,
			"tree node %zu: name outside the file", i);
		FUZZ_CHECK(t->entries >= -1, "tree node %zu: %ld entries", i,
			t->entries);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sghook_index ix;
	int error;

	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		FUZZ_CHECK(0, "cannot write the input: %s", strerror(errno));
	error = sghook_index_open(&ix, path);
	if (error < 0) {
		FUZZ_CHECK(*sghook_error_last(), "a failure without a message");
		return 0;
	}
	if (size)
		FUZZ_CHECK(ix.map, "an index opened without its file");
	check_entries(&ix);
	check_tree(&ix);
	sghook_index_close(&ix);
	return 0;
}
