/*
 * git's index file (Documentation/gitformat-index.txt), versions 2 to 4,
 * read into a table of entries and the cache-tree. See index.h for why
 * sghook reads it itself.
 *
 * The trailing checksum is not verified: git wrote the file a moment ago
 * (the pre-commit hook runs on the index git is about to commit), git's
 * own index.skipHash leaves it out too, and hashing is most of the cost
 * of reading a large index. Every length is checked against the file, so
 * a damaged index is an error, never a read past the map.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array.h"
#include "index.h"
#include "sghook.h"

#define HASH_LEN 20
#define ENTRY_FIXED (40 + HASH_LEN + 2)  /* stat data, id, flags */
#define FLAG_EXTENDED 0x4000
#define FLAG_STAGE 0x3000
#define FLAG_NAMEMASK 0x0fff
#define XFLAG_INTENT_TO_ADD 0x2000
#define MAX_TREE_DEPTH 4096

typedef struct {
	const unsigned char *p, *end;
} cursor;

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		(uint32_t)p[2] << 8 | p[3];
}

static int corrupt(const char *path, const char *what)
{
	return sghook_error_set_code(SGHOOK_EINVALID,
		"cannot read the index %s: %s", path, what);
}

/* git's offset varint: 7 bits a byte, each continuation adds one. */
static int varint(size_t *out, cursor *c)
{
	size_t v;
	unsigned char b;

	if (c->p >= c->end)
		return -1;
	b = *c->p++;
	v = b & 0x7f;
	while (b & 0x80) {
		if (c->p >= c->end || v > (SIZE_MAX >> 8))
			return -1;
		b = *c->p++;
		v = ((v + 1) << 7) | (b & 0x7f);
	}
	*out = v;
	return 0;
}

static int truncated(const char *path)
{
	return corrupt(path, "an entry runs past the end of the file");
}

/*
 * An entry's fixed part and extended flags: `e` points at it, and the
 * cursor at its path. Returns its flags, or -1 when it does not fit.
 */
static int read_entry_head(sghook_index_entry *e, cursor *c, unsigned version)
{
	uint16_t flags;

	if ((size_t)(c->end - c->p) < ENTRY_FIXED)
		return -1;
	e->raw = c->p;
	flags = (uint16_t)(c->p[60] << 8 | c->p[61]);
	c->p += ENTRY_FIXED;
	if (flags & FLAG_EXTENDED) {
		if (version < 3 || c->end - c->p < 2)
			return -1;
		c->p += 2;
	}
	return flags;
}

/* Versions 2 and 3: the path in the file, padded to eight bytes. */
static int read_path(sghook_index_entry *e, cursor *c, uint16_t flags,
	const char *path)
{
	const char *name = (const char *)c->p, *nul;
	/* The flags hold the length when it is under 0xfff. */
	size_t plen = flags & FLAG_NAMEMASK;

	if (plen == FLAG_NAMEMASK) {
		if (!(nul = memchr(name, '\0', (size_t)(c->end - c->p))))
			return truncated(path);
		plen = (size_t)(nul - name);
	} else if ((size_t)(c->end - c->p) <= plen || name[plen] != '\0') {
		return truncated(path);
	} else if (memchr(name, '\0', plen)) {
		/* Read as C strings later: the path would change. */
		return corrupt(path, "a path holds a NUL byte");
	}
	/* Padded with NULs to a multiple of eight bytes. */
	c->p = e->raw + ((size_t)(c->p - e->raw) + plen + 8) / 8 * 8;
	if (c->p > c->end)
		return truncated(path);
	e->path = name;
	e->path_len = plen;
	return 0;
}

/*
 * Version 4 spells each path as the previous one less some bytes, then a
 * suffix. The paths are spelt out into ix->paths, entry i's from offs[i]
 * on: offsets, as the buffer moves while it grows.
 */
typedef struct {
	size_t *offs;
	size_t used, cap;
	size_t prev_len;
} v4_paths;

static int read_path_v4(sghook_index *ix, v4_paths *v, size_t i, cursor *c,
	const char *path)
{
	size_t strip, plen;
	const char *name, *nul;
	int error;

	if (varint(&strip, c) < 0 || strip > v->prev_len)
		return truncated(path);
	name = (const char *)c->p;
	if (!(nul = memchr(name, '\0', (size_t)(c->end - c->p))))
		return truncated(path);
	plen = v->prev_len - strip + (size_t)(nul - name);
	if ((error = SGHOOK_ARRAY_GROW(ix->paths, v->cap,
	    v->used + plen + 1)) < 0)
		return error;
	if (!v->offs && !(v->offs = calloc(ix->count, sizeof(*v->offs))))
		return sghook_error_set("out of memory");
	if (i > 0)
		memmove(ix->paths + v->used, ix->paths + v->offs[i - 1],
			v->prev_len - strip);
	memcpy(ix->paths + v->used + v->prev_len - strip, name,
		(size_t)(nul - name) + 1);
	v->offs[i] = v->used;
	ix->entries[i].path_len = plen;
	v->used += plen + 1;
	v->prev_len = plen;
	c->p = (const unsigned char *)nul + 1;
	return 0;
}

static int read_entries(sghook_index *ix, cursor *c, unsigned version,
	const char *path)
{
	v4_paths v = { NULL, 0, 0, 0 };
	size_t i;
	int flags, error = 0;

	for (i = 0; i < ix->count && error == 0; i++) {
		if ((flags = read_entry_head(&ix->entries[i], c, version)) < 0)
			error = truncated(path);
		else if (version < 4)
			error = read_path(&ix->entries[i], c, (uint16_t)flags,
				path);
		else
			error = read_path_v4(ix, &v, i, c, path);
	}
	if (error == 0 && v.offs)
		for (i = 0; i < ix->count; i++)
			ix->entries[i].path = ix->paths + v.offs[i];
	free(v.offs);
	return error;
}

void sghook_index_entry_id(git_oid *out, const sghook_index_entry *e)
{
	git_oid_fromraw(out, e->raw + 40);
}

uint32_t sghook_index_entry_mode(const sghook_index_entry *e)
{
	return be32(e->raw + 24);
}

static uint16_t entry_flags(const sghook_index_entry *e)
{
	return (uint16_t)(e->raw[60] << 8 | e->raw[61]);
}

unsigned sghook_index_entry_stage(const sghook_index_entry *e)
{
	return (entry_flags(e) & FLAG_STAGE) >> 12;
}

int sghook_index_entry_intent_to_add(const sghook_index_entry *e)
{
	/* The extended flags follow the flags; the reader checked they fit. */
	return (entry_flags(e) & FLAG_EXTENDED) &&
		(e->raw[ENTRY_FIXED] << 8 & XFLAG_INTENT_TO_ADD);
}

static int read_number(long *out, cursor *c, char stop)
{
	long v = 0;
	int neg = 0, digits = 0;

	if (c->p < c->end && *c->p == '-') {
		neg = 1;
		c->p++;
	}
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		if (v > (LONG_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*c->p++ - '0');
		digits++;
	}
	if (!digits || c->p >= c->end || *c->p++ != stop)
		return -1;
	*out = neg ? -v : v;
	return 0;
}

/* One node and, after it, its subtrees: the cache-tree is in pre-order. */
static int read_tree_node(sghook_index *ix, cursor *c, size_t *cap,
	unsigned depth)
{
	sghook_index_tree *t;
	const char *name, *nul;
	long entries, subtrees;
	size_t me, i;

	if (depth > MAX_TREE_DEPTH)
		return -1;
	if (SGHOOK_ARRAY_GROW(ix->tree, *cap, ix->ntree + 1) < 0)
		return -1;
	name = (const char *)c->p;
	if (!(nul = memchr(name, '\0', (size_t)(c->end - c->p))))
		return -1;
	c->p = (const unsigned char *)nul + 1;
	if (read_number(&entries, c, ' ') < 0 ||
	    read_number(&subtrees, c, '\n') < 0 || subtrees < 0 ||
	    entries < -1)
		return -1;
	me = ix->ntree++;
	t = &ix->tree[me];
	t->name = name;
	t->name_len = (size_t)(nul - name);
	t->entries = entries;
	t->subtrees = (size_t)subtrees;
	if (entries >= 0) {
		if (c->end - c->p < HASH_LEN)
			return -1;
		git_oid_fromraw(&t->id, c->p);
		c->p += HASH_LEN;
	}
	for (i = 0; i < (size_t)subtrees; i++)
		if (read_tree_node(ix, c, cap, depth + 1) < 0)
			return -1;
	ix->tree[me].end = ix->ntree;
	return 0;
}

static int read_extensions(sghook_index *ix, cursor *c, const char *path)
{
	const unsigned char *data;
	uint32_t size;
	cursor tc;
	size_t cap;

	while (c->end - c->p > HASH_LEN) {
		if (c->end - c->p < 8 + HASH_LEN)
			return corrupt(path, "an extension runs past the end of the file");
		size = be32(c->p + 4);
		data = c->p + 8;
		if ((size_t)(c->end - data) < (size_t)size + HASH_LEN)
			return corrupt(path, "an extension runs past the end of the file");
		if (!memcmp(c->p, "TREE", 4) && !ix->tree) {
			cap = 0;
			tc.p = data;
			tc.end = data + size;
			if (size && read_tree_node(ix, &tc, &cap, 0) < 0) {
				/* The cache is an aid: without it, read it all. */
				free(ix->tree);
				ix->tree = NULL;
				ix->ntree = 0;
			}
		} else if (c->p[0] < 'A' || c->p[0] > 'Z') {
			/* Lower case: git says a reader must understand it. */
			return sghook_error_set_code(SGHOOK_EUNSUPPORTED,
				"cannot read the index %s: unsupported "
				"mandatory extension '%.4s'", path,
				(const char *)c->p);
		}
		c->p = data + size;
	}
	return 0;
}

/* The file into ix->map; 1 when there is none (nothing staged yet). */
static int map_file(sghook_index *ix, const char *path)
{
	struct stat st;
	int fd, error = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return 1;
		return sghook_error_set("cannot read the index %s: %s", path,
			strerror(errno));
	}
	if (fstat(fd, &st) < 0)
		error = sghook_error_set("cannot read the index %s: %s", path,
			strerror(errno));
	else if (st.st_size < 12 + HASH_LEN)
		error = corrupt(path, "too short");
	if (error) {
		close(fd);
		return error;
	}
	ix->map_len = (size_t)st.st_size;
	/* Every page is read: fault them in at once. */
	ix->map = mmap(NULL, ix->map_len, PROT_READ, MAP_PRIVATE | MAP_POPULATE,
		fd, 0);
	close(fd);
	if (ix->map == MAP_FAILED) {
		ix->map = NULL;
		return sghook_error_set("cannot read the index %s: %s", path,
			strerror(errno));
	}
	return 0;
}

/* The header: signature, version and the number of entries. */
static int read_header(sghook_index *ix, cursor *c, unsigned *version,
	const char *path)
{
	*version = be32(c->p + 4);
	if (memcmp(c->p, "DIRC", 4))
		return corrupt(path, "not an index file");
	if (*version < 2 || *version > 4)
		return corrupt(path, "an index version sghook does not know");
	ix->count = be32(c->p + 8);
	c->p += 12;
	if (ix->count > ix->map_len / ENTRY_FIXED + 1)
		return corrupt(path, "more entries than the file can hold");
	if (ix->count &&
	    !(ix->entries = malloc(ix->count * sizeof(*ix->entries))))
		return sghook_error_set("out of memory");
	return 0;
}

int sghook_index_open(sghook_index *ix, const char *path)
{
	cursor c;
	unsigned version;
	int error;

	memset(ix, 0, sizeof(*ix));
	if ((error = map_file(ix, path)) != 0)
		return error < 0 ? error : 0;
	c.p = ix->map;
	c.end = c.p + ix->map_len;
	if ((error = read_header(ix, &c, &version, path)) < 0 ||
	    (error = read_entries(ix, &c, version, path)) < 0 ||
	    (error = read_extensions(ix, &c, path)) < 0) {
		sghook_index_close(ix);
		return error;
	}
	return 0;
}

void sghook_index_close(sghook_index *ix)
{
	if (ix->map)
		munmap(ix->map, ix->map_len);
	free(ix->entries);
	free(ix->paths);
	free(ix->tree);
	memset(ix, 0, sizeof(*ix));
}

/* git sorts entries by path, bytewise, then by stage. */
static int path_cmp(const sghook_index_entry *e, const char *path, size_t len)
{
	size_t n = e->path_len < len ? e->path_len : len;
	int cmp = memcmp(e->path, path, n);

	if (cmp)
		return cmp;
	return e->path_len < len ? -1 : e->path_len > len;
}

void sghook_index_range(const sghook_index *ix, const char *prefix,
	size_t prefix_len, size_t *lo, size_t *hi)
{
	size_t a = *lo, b = *hi, m;

	/* First entry not before the prefix. */
	while (a < b) {
		m = a + (b - a) / 2;
		if (path_cmp(&ix->entries[m], prefix, prefix_len) < 0)
			a = m + 1;
		else
			b = m;
	}
	*lo = a;
	/* First entry after it that does not start with the prefix. */
	b = *hi;
	while (a < b) {
		m = a + (b - a) / 2;
		if (ix->entries[m].path_len >= prefix_len &&
		    !memcmp(ix->entries[m].path, prefix, prefix_len))
			a = m + 1;
		else
			b = m;
	}
	*hi = a;
}

const sghook_index_entry *sghook_index_find(const sghook_index *ix,
	const char *path)
{
	size_t len = strlen(path), a = 0, b = ix->count, m;
	int cmp;

	while (a < b) {
		m = a + (b - a) / 2;
		cmp = path_cmp(&ix->entries[m], path, len);
		if (cmp < 0)
			a = m + 1;
		else if (cmp > 0)
			b = m;
		else
			return sghook_index_entry_stage(&ix->entries[m]) == 0 ?
				&ix->entries[m] : NULL;
	}
	return NULL;
}
