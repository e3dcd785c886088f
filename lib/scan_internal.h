/*
 * What scan.c (judging changes) and blobs.c (reading every blob a range
 * adds, once) share; not part of the public map.
 */
#ifndef SGHOOK_SCAN_INTERNAL_H
#define SGHOOK_SCAN_INTERNAL_H

#include "oidmap.h"
#include "sghook.h"

typedef struct {
	const sghook_rule *rule;
	size_t line, column;
	char *secret;
	size_t secret_len;
	sghook_tier tier;
	sghook_encoding encoding;
} blob_hit;

typedef struct {
	size_t n;
	blob_hit hits[];
} blob_result;

/* Per worker: a repository handle and matching state. */
typedef struct {
	const sghook_scan_opts *opts;
	git_repository *repo;
	git_odb *odb;
	sghook_matcher *matcher;
	blob_hit *tmp;          /* hits of the blob being scanned */
	size_t ntmp, alloc;
	char **dirs;            /* object directories, for loose.c; listed */
	size_t ndirs, adirs;    /* when first needed */
} worker;

/* A blob's bytes: libgit2's object, or a buffer loose.c read. */
typedef struct {
	git_odb_object *obj;
	char *own;
	const char *data;       /* NULL: not read */
	size_t len;
} blob_data;

/*
 * Every blob of a run, each once, and what it holds. Entries live in
 * blocks that never move, so that a set of millions grows cheaply.
 */
#define BLOCK 4096
#define MAX_BLOCKS 65536

typedef struct {
	git_oid id;
	uint32_t path;          /* hash of the path it was first seen at */
	int known;              /* in a tree outside the range: not read */
	uint32_t alloc;         /* hits `res` has room for, while merged */
	blob_result *res;       /* NULL: nothing blocking */
} blob_entry;

typedef struct {
	sghook_oidmap index;    /* blob id -> position */
	blob_entry **blocks;
	size_t count;
	uint32_t *order;        /* positions in reading order */
	size_t nread;           /* entries of `order`: the blobs not known */
} blob_set;

/* ---- blobs.c ---------------------------------------------------------- */

void sghook_blob_result_free(blob_result *r);
/* The empty blob and a submodule's zero id are never read. */
int sghook_blob_skipped(const git_oid *id);

int sghook_blobs_init(blob_set *b);
void sghook_blobs_free(blob_set *b);
blob_entry *sghook_blobs_at(const blob_set *b, size_t i);
/* The result of a listed blob: NULL when it holds nothing blocking. */
blob_result *sghook_blobs_result(const blob_set *b, const git_oid *id);

/*
 * Pass 1: lists every blob the commits' trees hold that their parents
 * outside `ids` lack, each once, and reads each, on every core.
 */
int sghook_blobs_read_all(blob_set *b, git_repository *repo,
	const sghook_oids *ids, const sghook_scan_opts *opts);

int sghook_worker_open(worker *w, const sghook_scan_opts *opts,
	git_repository *repo);
void sghook_worker_close(worker *w);
int sghook_worker_read(blob_data *out, worker *w, const git_oid *id);
void sghook_blob_data_free(blob_data *d);
/* The blocking matches of a buffer, or of a blob; *out NULL: none. */
int sghook_worker_scan(blob_result **out, worker *w, const char *buf,
	size_t len);
int sghook_worker_scan_blob(blob_result **out, worker *w, const git_oid *id);

/* Where `rule` is in `rules`: what a worker process sends for it. */
int sghook_scan_rule_index(uint32_t *out, const sghook_rules *rules,
	const sghook_rule *rule);

/* Processes for a scan, the calling one included: opts->jobs, or 1. */
size_t sghook_scan_jobs(const sghook_scan_opts *opts);

/* ---- loose.c ---------------------------------------------------------- */

/*
 * Reads blob `id` from its loose file under `objects_dir`, in memory of
 * its own size; SGHOOK_ENOTFOUND when it is not there.
 */
int sghook_loose_read(char **out, size_t *len, const char *objects_dir,
	const git_oid *id);

#endif
