/*
 * git's index file, read for the staged change: its entries and its
 * cache-tree, mapped and never written.
 *
 * Why not libgit2's reader: it hashes the whole file and builds a map of
 * every path on opening, and its write_tree reads every tree back to
 * rebuild the cache, so a one-file change to a large tree costs as much
 * as the tree. The cache-tree already says which directories are
 * unchanged: with it, the cost follows the change.
 */
#ifndef SGHOOK_INDEX_H
#define SGHOOK_INDEX_H

#include <stdint.h>
#include <git2.h>

/*
 * An entry: its path, and where the rest lies in the file, read by the
 * functions below only for the entries a change touches.
 */
typedef struct {
	const char *path;          /* NUL-terminated */
	size_t path_len;
	const unsigned char *raw;  /* the entry in the mapped file */
} sghook_index_entry;

void sghook_index_entry_id(git_oid *out, const sghook_index_entry *e);
uint32_t sghook_index_entry_mode(const sghook_index_entry *e);
/* 0, or 1-3 for an unmerged path. */
unsigned sghook_index_entry_stage(const sghook_index_entry *e);
/* git add -N: the path is known but nothing is staged yet. */
int sghook_index_entry_intent_to_add(const sghook_index_entry *e);

/* One directory of the cache-tree, in the file's order (pre-order). */
typedef struct {
	const char *name;     /* not NUL-terminated; "" for the root */
	size_t name_len;
	long entries;         /* index entries below; -1: invalid */
	size_t subtrees;
	size_t end;           /* the node after its last descendant */
	git_oid id;           /* when entries >= 0 */
} sghook_index_tree;

typedef struct {
	void *map;
	size_t map_len;
	sghook_index_entry *entries;
	size_t count;
	char *paths;          /* index v4: the paths, spelt out */
	sghook_index_tree *tree;  /* NULL: no cache-tree */
	size_t ntree;
} sghook_index;

/*
 * Reads the index file at `path`. An index that sghook cannot read (split,
 * sparse, a version it does not know, a truncated file) is an error that
 * says so.
 */
int sghook_index_open(sghook_index *ix, const char *path);
void sghook_index_close(sghook_index *ix);

/* The entries in [lo, hi) whose path starts with `prefix` (sorted). */
void sghook_index_range(const sghook_index *ix, const char *prefix,
	size_t prefix_len, size_t *lo, size_t *hi);

/* The stage-0 entry of `path`, or NULL. */
const sghook_index_entry *sghook_index_find(const sghook_index *ix,
	const char *path);

#endif
