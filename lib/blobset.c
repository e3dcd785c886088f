/*
 * The set of blobs a range adds: each blob once, where it was first seen,
 * and what it holds. Entries live in blocks that never move, so that a
 * set of millions grows without copying.
 */
#include <stdlib.h>
#include <string.h>

#include "blobset.h"
#include "scan_internal.h"

sghook_blobset_entry *sghook_blobset_at(const sghook_blobset *b, size_t i)
{
	return &b->blocks[i / SGHOOK_BLOBSET_BLOCK][i % SGHOOK_BLOBSET_BLOCK];
}

int sghook_blobset_init(sghook_blobset *b)
{
	memset(b, 0, sizeof(*b));
	if (!(b->blocks = calloc(SGHOOK_BLOBSET_MAX_BLOCKS,
	    sizeof(*b->blocks))))
		return sghook_error_set("out of memory");
	return sghook_oidmap_init(&b->index);
}

void sghook_blobset_free(sghook_blobset *b)
{
	size_t i;

	for (i = 0; i < b->count; i++)
		sghook_blob_result_free(sghook_blobset_at(b, i)->res);
	for (i = 0; b->blocks && i < SGHOOK_BLOBSET_MAX_BLOCKS; i++)
		free(b->blocks[i]);
	free(b->blocks);
	free(b->order);
	sghook_oidmap_free(&b->index);
	memset(b, 0, sizeof(*b));
}

int sghook_blobset_add(sghook_blobset *b, const git_oid *id, uint32_t path)
{
	sghook_blobset_entry **block;
	sghook_blobset_entry *e;
	int error;

	if (b->count / SGHOOK_BLOBSET_BLOCK >= SGHOOK_BLOBSET_MAX_BLOCKS ||
	    b->count >= UINT32_MAX - 1)
		return sghook_error_set("more blobs than sghook can hold");
	block = &b->blocks[b->count / SGHOOK_BLOBSET_BLOCK];
	if (!*block &&
	    !(*block = malloc(SGHOOK_BLOBSET_BLOCK * sizeof(**block))))
		return sghook_error_set("out of memory");
	if ((error = sghook_oidmap_put(&b->index, id, (uint32_t)b->count)) != 0)
		return error < 0 ? error : 0;  /* 1: listed already */
	e = sghook_blobset_at(b, b->count++);
	memset(e, 0, sizeof(*e));
	git_oid_cpy(&e->id, id);
	e->path = path;
	return 0;
}

sghook_blob_result *sghook_blobset_result(const sghook_blobset *b,
	const git_oid *id)
{
	uint32_t i;

	return sghook_oidmap_get(&b->index, id, &i) && i < b->count ?
		sghook_blobset_at(b, i)->res : NULL;
}

void sghook_blobset_know(sghook_blobset *b, const git_oid *id)
{
	uint32_t i;

	if (sghook_oidmap_get(&b->index, id, &i) && i < b->count)
		sghook_blobset_at(b, i)->known = 1;
}

static int by_key(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, c = *(const uint64_t *)y;

	return (a > c) - (a < c);
}

/*
 * Reading order: the versions of one file together, newest first. Packs
 * store a file's versions as deltas against each other, newest whole,
 * and libgit2's delta base cache is small (16 MiB): read in the order
 * the trees list them, the bases are evicted before they are used again,
 * and reading took twice as long. The sort keys are the path hash above
 * the listing position, so the sort needs no state beside them.
 */
int sghook_blobset_sort(sghook_blobset *b)
{
	uint64_t *keys = NULL;
	size_t i, n = 0;

	b->nread = 0;
	if (b->count == 0)
		return 0;
	if (!(b->order = malloc(b->count * sizeof(*b->order))) ||
	    !(keys = malloc(b->count * sizeof(*keys))))
		return sghook_error_set("out of memory");
	for (i = 0; i < b->count; i++)
		if (!sghook_blobset_at(b, i)->known)
			keys[n++] = (uint64_t)sghook_blobset_at(b,
			    i)->path << 32 | i;
	qsort(keys, n, sizeof(*keys), by_key);
	for (i = 0; i < n; i++)
		b->order[i] = (uint32_t)keys[i];
	b->nread = n;
	free(keys);
	return 0;
}
