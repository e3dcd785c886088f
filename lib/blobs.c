/*
 * Every blob a range adds, each read once (pass 1 of scan.c).
 *
 * Walk the trees of every commit, each tree once, and list every blob
 * once, less those that the range's parents outside it hold; then read
 * each blob once, a file's versions together, test it for the rules'
 * keywords with memmem and only then run the regular expressions. Both
 * halves run in worker processes, one per core.
 */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>
/* libgit2 1.8 moved git_error_clear() to the headers for extensions. */
#if LIBGIT2_VER_MAJOR > 1 || LIBGIT2_VER_MINOR >= 8
#include <git2/sys/errors.h>
#endif
#include "array.h"
#include "procs.h"
#include "scan_internal.h"

/* ---- pass 1: every blob once, on every core --------------------------- */

#define TREE_MARK 0

/* FNV-1a, continued from `h`: paths hash as their directories do. */
static uint32_t hash_more(uint32_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return (h ^ '/') * 16777619u;
}

/*
 * The tree last listed at each directory, by path hash: an entry that the
 * newer version of the directory holds too was handled then, so it costs
 * a comparison of neighbours rather than a lookup in a set of millions
 * (lookups were a third of a walk). Two directories that share a slot
 * only make it miss more: any tree that was listed whole will do.
 */
#define RECENT 1024

/*
 * Whether `prev` holds `e`'s object at `e`'s place, from position *j on
 * (both are sorted). The name hardly matters: an id that was listed once
 * was handled, wherever it was.
 */
static int entry_listed(const git_tree *prev, size_t *j,
	const git_tree_entry *e)
{
	size_t n = prev ? git_tree_entrycount(prev) : 0;
	const git_tree_entry *pe;
	int cmp;

	for (; *j < n; (*j)++) {
		pe = git_tree_entry_byindex(prev, *j);
		if (git_oid_equal(git_tree_entry_id(pe),
		    git_tree_entry_id(e))) {
			(*j)++;
			return 1;
		}
		if ((cmp = git_tree_entry_cmp(pe, e)) >= 0) {
			*j += cmp == 0;  /* the same name, changed */
			return 0;
		}
	}
	return 0;
}

/*
 * What a share of the walk sends: the blobs it lists, in the order it
 * lists them (a blob listed twice is kept once, at its first place and
 * path, when merged), and the parents outside the range.
 */
enum { WALK_BLOB, WALK_EDGE };

typedef struct {
	git_oid id;
	uint32_t path;
	uint32_t kind;
} walk_record;

static int send_blob(sghook_procs_share *sh, const git_oid *id, uint32_t path)
{
	walk_record r;

	memset(&r, 0, sizeof(r));
	git_oid_cpy(&r.id, id);
	r.path = path;
	r.kind = WALK_BLOB;
	return sghook_procs_send(sh, &r, NULL, 0);
}

/*
 * Sends the blobs of a tree of the range, or, when `known`, marks those of
 * a tree outside it (a parent of the range's oldest commits) as known.
 * `recent` (NULL when `known`) holds the trees listed last.
 */
static int list_tree(sghook_blobset *b, sghook_procs_share *sh,
	sghook_oidmap *trees, git_tree **recent, git_repository *repo,
	const git_oid *id, uint32_t dir, int known)
{
	git_tree *tree = NULL, *prev = NULL;
	const git_tree_entry *e;
	size_t i, j = 0, n;
	int error = 0;

	if ((error = sghook_oidmap_put(trees, id, TREE_MARK)) != 0)
		return error < 0 ? error : 0;  /* 1: seen already */
	if ((error = sghook_deadline_check()) < 0)
		return error;
	if (git_tree_lookup(&tree, repo, id) < 0) {
		char hex[GIT_OID_HEXSZ + 1];

		git_oid_tostr(hex, sizeof(hex), id);
		return sghook_error_from_git(hex);
	}
	if (recent) {
		prev = recent[dir % RECENT];
		recent[dir % RECENT] = NULL;
	}
	n = git_tree_entrycount(tree);
	for (i = 0; i < n && error == 0; i++) {
		e = git_tree_entry_byindex(tree, i);
		if (entry_listed(prev, &j, e))
			continue;
		switch (git_tree_entry_type(e)) {
		case GIT_OBJECT_TREE:
			error = list_tree(b, sh, trees, recent, repo,
				git_tree_entry_id(e),
				hash_more(dir, git_tree_entry_name(e)), known);
			break;
		case GIT_OBJECT_BLOB:
			if (known)
				sghook_blobset_know(b, git_tree_entry_id(e));
			else if (!sghook_blob_skipped(git_tree_entry_id(e)))
				error = send_blob(sh, git_tree_entry_id(e),
					hash_more(dir, git_tree_entry_name(e)));
			break;
		default:
			break;  /* a submodule's commit is another repository */
		}
	}
	git_tree_free(prev);
	if (recent && error == 0) {
		/* listed whole: it may stand for its path from now on */
		git_tree_free(recent[dir % RECENT]);
		recent[dir % RECENT] = tree;
		tree = NULL;
	}
	git_tree_free(tree);
	return error;
}

typedef struct {
	const sghook_scan_opts *opts;
	git_repository *repo;
	const git_oid *ids;          /* newest first */
	const sghook_oidmap *range;  /* every commit of all shares */
	sghook_blobset *blobs;             /* the merge's */
	sghook_oids edge;            /* the merge's: parents outside the range */
} walk_job;

/* Sends the parents of commit `c` that are outside the range. */
static int send_edges(sghook_procs_share *sh, const walk_job *job,
	const git_commit *c)
{
	walk_record r;
	size_t j;
	uint32_t v;
	int error = 0;

	memset(&r, 0, sizeof(r));
	r.kind = WALK_EDGE;
	for (j = 0; j < git_commit_parentcount(c) && error == 0; j++) {
		if (sghook_oidmap_get(job->range,
		    git_commit_parent_id(c, (unsigned)j), &v))
			continue;
		git_oid_cpy(&r.id, git_commit_parent_id(c, (unsigned)j));
		error = sghook_procs_send(sh, &r, NULL, 0);
	}
	return error;
}

/* A share of the walk: a run of commits, newest first. */
static int walk_share(void *ctx, sghook_procs_share *sh)
{
	walk_job *job = ctx;
	sghook_oidmap trees = {0};
	git_tree **recent = NULL;
	git_commit *c = NULL;
	size_t i;
	int error;

	if ((error = sghook_oidmap_init(&trees)) < 0)
		goto done;
	if (!(recent = calloc(RECENT, sizeof(*recent)))) {
		error = sghook_error_set("out of memory");
		goto done;
	}
	while (error == 0 && sghook_procs_next(sh, &i)) {
		if ((error = sghook_deadline_check()) < 0)
			break;
		if (git_commit_lookup(&c, job->repo, &job->ids[i]) < 0) {
			char hex[GIT_OID_HEXSZ + 1];

			git_oid_tostr(hex, sizeof(hex), &job->ids[i]);
			error = sghook_error_from_git(hex);
			break;
		}
		error = list_tree(NULL, sh, &trees, recent, job->repo,
			git_commit_tree_id(c), 2166136261u, 0);
		if (error == 0)
			error = send_edges(sh, job, c);
		git_commit_free(c);
	}
done:
	for (i = 0; recent && i < RECENT; i++)
		git_tree_free(recent[i]);
	free(recent);
	sghook_oidmap_free(&trees);
	return error;
}

static int walk_merge(void *ctx, const void *record, const char *bytes,
	size_t nbytes)
{
	walk_job *job = ctx;
	const walk_record *r = record;

	(void)bytes;
	if (nbytes)
		return sghook_procs_bad_result();
	switch (r->kind) {
	case WALK_BLOB:
		return sghook_blobset_add(job->blobs, &r->id, r->path);
	case WALK_EDGE:
		return sghook_oids_push(&job->edge, &r->id);
	default:
		return sghook_procs_bad_result();
	}
}

static void walk_progress(void *ctx, size_t done, size_t total)
{
	const walk_job *job = ctx;

	if (job->opts->progress && done % 64 == 0)
		job->opts->progress("Scanning commits", done, total,
			job->opts->progress_payload);
}

/*
 * As `git rev-list --objects A..B` does, the blobs the parents outside
 * the range had are known, not new: they are not read, so that a range
 * costs what it adds rather than all of its first commit's tree. A parent
 * that cannot be read hides nothing, so more is read, never less.
 */
static int know_edges(sghook_blobset *b, git_repository *repo,
	const sghook_oids *edge)
{
	sghook_oidmap seen = {0}, trees = {0};
	git_commit *c = NULL;
	size_t j;
	int error, put;

	if ((error = sghook_oidmap_init(&seen)) < 0 ||
	    (error = sghook_oidmap_init(&trees)) < 0)
		goto done;
	for (j = 0; j < edge->count && error == 0; j++) {
		if ((put = sghook_oidmap_put(&seen, &edge->ids[j], 0)) != 0) {
			error = put < 0 ? put : 0;
			continue;
		}
		if ((error = sghook_deadline_check()) < 0)
			break;
		if (git_commit_lookup(&c, repo, &edge->ids[j]) < 0)
			continue;
		error = list_tree(b, NULL, &trees, NULL, repo,
			git_commit_tree_id(c), 0, 1);
		git_commit_free(c);
	}
done:
	git_error_clear();
	sghook_oidmap_free(&seen);
	sghook_oidmap_free(&trees);
	return error;
}

/*
 * Lists the blobs of every commit's tree, each once. The commits are cut
 * into runs, newest first (so that a file's newest version is listed
 * first), walked side by side (each share sees a tree its neighbour saw
 * too at most once), then the lists are merged in order.
 */
static int list_blobs(sghook_blobset *b, git_repository *repo,
	const sghook_oids *ids, const sghook_scan_opts *opts, size_t jobs)
{
	sghook_procs_map_opts map = SGHOOK_PROCS_MAP_OPTS_INIT;
	sghook_oidmap range = {0};
	git_oid *newest = NULL;
	walk_job job;
	size_t i;
	int error = 0;

	memset(&job, 0, sizeof(job));
	if (ids->count == 0)
		return 0;  /* an empty range: nothing to list (and no array) */
	if (!(newest = malloc(ids->count * sizeof(*newest))))
		return sghook_error_set("out of memory");
	if ((error = sghook_oidmap_init(&range)) < 0)
		goto done;
	for (i = 0; i < ids->count && error >= 0; i++) {
		git_oid_cpy(&newest[i], &ids->ids[ids->count - 1 - i]);
		error = sghook_oidmap_put(&range, &newest[i], 0);
	}
	if (error < 0)
		goto done;
	job.opts = opts;
	job.repo = repo;
	job.ids = newest;
	job.range = &range;
	job.blobs = b;
	map.nitems = ids->count;
	map.jobs = jobs;
	map.min_share = SGHOOK_SCAN_MIN_SHARE;
	map.record_size = sizeof(walk_record);
	map.share = walk_share;
	map.merge = walk_merge;
	map.progress = walk_progress;
	map.ctx = &job;
	if ((error = sghook_procs_map(&map)) == 0)
		error = know_edges(b, repo, &job.edge);
	if (error == 0 && opts->progress)
		opts->progress("Scanning commits", ids->count, ids->count,
			opts->progress_payload);
done:
	sghook_oids_free(&job.edge);
	sghook_oidmap_free(&range);
	free(newest);
	return error;
}

/*
 * What a share of the reading sends: each hit of each blob that holds
 * something blocking, its rule by position in the rule set, its secret
 * as the bytes after the record.
 */
typedef struct {
	uint32_t pos;           /* of the blob in the set */
	uint32_t hit, nhits;    /* this hit of the blob's nhits */
	uint32_t rule;
	uint64_t line, column;
	uint32_t tier, encoding;
} hit_record;

typedef struct {
	const sghook_scan_opts *opts;
	git_repository *repo;
	sghook_blobset *blobs;
} read_job;

/* Blobs a process takes at a time: neighbours in reading order. */
#define CHUNK 64

static int send_hits(sghook_procs_share *sh, const read_job *job, uint32_t pos,
	const sghook_blob_result *res)
{
	hit_record r;
	size_t k;
	int error = 0;

	memset(&r, 0, sizeof(r));
	r.pos = pos;
	r.nhits = (uint32_t)res->n;
	for (k = 0; k < res->n && error == 0; k++) {
		r.hit = (uint32_t)k;
		r.line = res->hits[k].line;
		r.column = res->hits[k].column;
		r.tier = res->hits[k].tier;
		r.encoding = res->hits[k].encoding;
		if ((error = sghook_scan_rule_index(&r.rule, job->opts->rules,
		    res->hits[k].rule)) == 0)
			error = sghook_procs_send(sh, &r, res->hits[k].secret,
				res->hits[k].secret_len);
	}
	return error;
}

/* A share of the reading: chunks of blobs, until none is left. */
static int read_share(void *ctx, sghook_procs_share *sh)
{
	read_job *job = ctx;
	sghook_blob_result *res = NULL;
	sghook_blobset_entry *e;
	sghook_scan_ctx sc;
	size_t i;
	int error;

	if ((error = sghook_scan_ctx_open(&sc, job->opts, job->repo)) < 0)
		goto done;
	while (error == 0 && sghook_procs_next(sh, &i)) {
		if ((error = sghook_deadline_check()) < 0)
			break;
		e = sghook_blobset_at(job->blobs, job->blobs->order[i]);
		if ((error = sghook_scan_ctx_scan_blob(&res, &sc,
		    &e->id)) == 0 &&
		    res)
			error = send_hits(sh, job, job->blobs->order[i], res);
		sghook_blob_result_free(res);
		res = NULL;
	}
done:
	sghook_scan_ctx_close(&sc);
	return error;
}

/*
 * A blob's hits come one after another: the first makes its result, the
 * others fill it in order.
 */
static int read_merge(void *ctx, const void *record, const char *bytes,
	size_t nbytes)
{
	read_job *job = ctx;
	const hit_record *r = record;
	sghook_blobset_entry *e;
	sghook_blob_hit *h;

	if (r->pos >= job->blobs->count || r->nhits == 0 ||
	    r->nhits > (1u << 20) || r->hit >= r->nhits ||
	    r->rule >= sghook_rules_count(job->opts->rules) ||
	    r->tier <= SGHOOK_TIER_NONE || r->tier > SGHOOK_TIER_RANDOM ||
	    r->encoding > SGHOOK_ENCODING_UTF16BE)
		return sghook_procs_bad_result();
	e = sghook_blobset_at(job->blobs, r->pos);
	if (r->hit == 0) {
		if (e->res)
			return sghook_procs_bad_result();
		if (!(e->res = calloc(1, sizeof(*e->res) +
		    r->nhits * sizeof(sghook_blob_hit))))
			return sghook_error_set("out of memory");
		e->alloc = r->nhits;
	} else if (!e->res || e->alloc != r->nhits || e->res->n != r->hit) {
		return sghook_procs_bad_result();
	}
	h = &e->res->hits[r->hit];
	if (!(h->secret = strndup(bytes, nbytes)))
		return sghook_error_set("out of memory");
	e->res->n++;
	h->rule = sghook_rules_get(job->opts->rules, r->rule);
	h->line = (size_t)r->line;
	h->column = (size_t)r->column;
	h->secret_len = nbytes;
	h->tier = (sghook_tier)r->tier;
	h->encoding = (sghook_encoding)r->encoding;
	return 0;
}

static void read_progress(void *ctx, size_t done, size_t total)
{
	const read_job *job = ctx;

	if (job->opts->progress)
		job->opts->progress("Reading blobs", done, total,
			job->opts->progress_payload);
}

/*
 * Pass 1: list every blob of the commits' trees, then scan them, both on
 * every core when there is enough work.
 */
int sghook_blobs_read_all(sghook_blobset *b, git_repository *repo,
	const sghook_oids *ids, const sghook_scan_opts *opts)
{
	sghook_procs_map_opts map = SGHOOK_PROCS_MAP_OPTS_INIT;
	read_job job = { opts, repo, b };
	size_t jobs = sghook_scan_jobs(opts);
	int error;

	if ((error = list_blobs(b, repo, ids, opts, jobs)) < 0 ||
	    (error = sghook_blobset_sort(b)) < 0)
		return error;
	map.nitems = b->nread;
	/* A process costs a fork: worth it past a few chunks. */
	map.jobs = b->nread > 4 * CHUNK ? jobs : 1;
	map.chunk = CHUNK;
	map.record_size = sizeof(hit_record);
	map.share = read_share;
	map.merge = read_merge;
	map.progress = read_progress;
	map.ctx = &job;
	return sghook_procs_map(&map);
}
