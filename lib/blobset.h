/*
 * The set of blobs a range adds (pass 1 of scan.c): each blob once, by id,
 * the hash of the path it was first seen at, and what it holds.
 */
#ifndef SGHOOK_BLOBSET_H
#define SGHOOK_BLOBSET_H

#include <stdint.h>
#include "oidmap.h"

/* What scanning a blob found: scan_internal.h. */
typedef struct sghook_blob_result sghook_blob_result;

/* Entries live in blocks that never move: a set of millions grows cheaply. */
#define SGHOOK_BLOBSET_BLOCK 4096
#define SGHOOK_BLOBSET_MAX_BLOCKS 65536

typedef struct {
	git_oid id;
	uint32_t path;          /* hash of the path it was first seen at */
	int known;              /* in a tree outside the range: not read */
	uint32_t alloc;         /* hits `res` has room for, while merged */
	sghook_blob_result *res;        /* NULL: nothing blocking; owned */
} sghook_blobset_entry;

typedef struct {
	sghook_oidmap index;    /* blob id -> position */
	sghook_blobset_entry **blocks;
	size_t count;
	uint32_t *order;        /* positions in reading order */
	size_t nread;           /* entries of `order`: the blobs not known */
} sghook_blobset;

int sghook_blobset_init(sghook_blobset *b);
/* Frees the entries' results too. */
void sghook_blobset_free(sghook_blobset *b);
/*
 * Adds blob `id`, first seen at a path of hash `path`: 0, also when it
 * is in the set already (the first path stays).
 */
int sghook_blobset_add(sghook_blobset *b, const git_oid *id, uint32_t path);
/* Entry i, 0 <= i < count, in the order the blobs were added. */
sghook_blobset_entry *sghook_blobset_at(const sghook_blobset *b, size_t i);
/* The result of a listed blob: NULL when it holds nothing blocking. */
sghook_blob_result *sghook_blobset_result(const sghook_blobset *b,
	const git_oid *id);
/* Marks a listed blob as one a tree outside the range holds: not read. */
void sghook_blobset_know(sghook_blobset *b, const git_oid *id);
/* Fills `order` with the blobs not known, in the order to read them. */
int sghook_blobset_sort(sghook_blobset *b);

#endif
