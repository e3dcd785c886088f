/*
 * What scan.c (judging changes), scanctx.c (one process's reading and
 * matching), blobset.c and blobs.c (pass 1: every blob a range adds,
 * read once) share; not part of the public map.
 */
#ifndef SGHOOK_SCAN_INTERNAL_H
#define SGHOOK_SCAN_INTERNAL_H

#include "blobset.h"
#include "oidmap.h"
#include "sghook.h"

typedef struct {
	const sghook_rule *rule;
	size_t line, column;
	char *secret;
	size_t secret_len;
	sghook_tier tier;
	sghook_encoding encoding;
} sghook_blob_hit;

struct sghook_blob_result {
	size_t n;
	sghook_blob_hit hits[];
};

/*
 * One process's scanning context: a repository handle and matching state.
 */
typedef struct sghook_scan_ctx {
	const sghook_scan_opts *opts;
	git_repository *repo;
	git_odb *odb;
	sghook_matcher *matcher;
	sghook_blob_hit *tmp;   /* hits of the blob being scanned */
	size_t ntmp, alloc;
	char **dirs;            /* object directories, for loose.c; listed */
	size_t ndirs, adirs;    /* when first needed */
} sghook_scan_ctx;

/* A blob's bytes: libgit2's object, or a buffer loose.c read. */
typedef struct {
	git_odb_object *obj;
	char *own;
	const char *data;       /* NULL: not read */
	size_t len;
} sghook_blob_data;

/* ---- scanctx.c -------------------------------------------------------- */

int sghook_scan_ctx_open(sghook_scan_ctx *sc, const sghook_scan_opts *opts,
	git_repository *repo);
void sghook_scan_ctx_close(sghook_scan_ctx *sc);
/* Blob `id`'s bytes: loose files read directly, the rest by libgit2. */
int sghook_scan_ctx_read(sghook_blob_data *out, sghook_scan_ctx *sc,
	const git_oid *id);
void sghook_blob_data_free(sghook_blob_data *d);
/* The blocking matches of a buffer, or of a blob; *out NULL: none. */
int sghook_scan_ctx_scan(sghook_blob_result **out, sghook_scan_ctx *sc,
	const char *buf, size_t len);
int sghook_scan_ctx_scan_blob(sghook_blob_result **out, sghook_scan_ctx *sc,
	const git_oid *id);
void sghook_blob_result_free(sghook_blob_result *r);
/* The empty blob and a submodule's zero id are never read. */
int sghook_blob_skipped(const git_oid *id);

/* Where `rule` is in `rules`: what a worker process sends for it. */
int sghook_scan_rule_index(uint32_t *out, const sghook_rules *rules,
	const sghook_rule *rule);

/* Processes for a scan, the calling one included: opts->jobs, or 1. */
size_t sghook_scan_jobs(const sghook_scan_opts *opts);
/* Commits a process must have to be worth its fork, in either pass. */
#define SGHOOK_SCAN_MIN_SHARE 64

/* ---- blobs.c ---------------------------------------------------------- */

/*
 * Pass 1: lists every blob the commits' trees hold that their parents
 * outside `ids` lack, each once, and reads each, on every core.
 */
int sghook_blobs_read_all(sghook_blobset *b, git_repository *repo,
	const sghook_oids *ids, const sghook_scan_opts *opts);

/* ---- loose.c ---------------------------------------------------------- */

/*
 * Reads blob `id` from its loose file under `objects_dir`, in memory of
 * its own size; SGHOOK_ENOTFOUND when it is not there.
 */
int sghook_loose_read(char **out, size_t *len, const char *objects_dir,
	const git_oid *id);

#endif
