/*
 * What a change adds.
 *
 * A secret in a commit is new when no parent's version of its file (found
 * through rename and copy detection) already holds it. So a deleted line,
 * a kept line, a moved or re-indented line and a renamed or copied file add
 * nothing, and a merge adds only what none of its parents had.
 *
 * Commits are judged in two passes, because leaks are rare and reading the
 * new blobs is the cost that cannot be avoided:
 *
 *  1. Walk the trees of every commit, each tree once, and list every blob
 *     once, less those that the range's parents outside it hold; then
 *     read each blob once, a file's versions together, test it for the
 *     rules' keywords with memmem and only then run the regular
 *     expressions. Both halves run in worker processes, one per core.
 *  2. Only when some blob holds a blocking match: for each commit whose tree
 *     holds such a blob, compare it with its parents, descending only into
 *     subtrees that hold one, and judge those files; runs of commits in
 *     worker processes too.
 *
 * A range that adds no secret, the common case, costs one pass over its
 * trees and blobs, and no diff at all.
 */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oidmap.h"
#include "procs.h"
#include "sghook.h"

typedef struct {
	const sghook_rule *rule;
	size_t line, column;
	char *secret;
	size_t secret_len;
	const char *tier;
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
} worker;

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
	blob_result *res;       /* NULL: nothing blocking */
} blob_entry;

typedef struct {
	sghook_oidmap index;    /* blob id -> position */
	blob_entry **blocks;
	size_t count;
	uint32_t *order;        /* positions in reading order */
	size_t nread;           /* entries of `order`: the blobs not known */
} blob_set;

static const git_oid empty_blob = {{
	0xe6, 0x9d, 0xe2, 0x9b, 0xb2, 0xd1, 0xd6, 0x43, 0x4b, 0x8b,
	0x29, 0xae, 0x77, 0x5a, 0xd8, 0xc2, 0xe4, 0x8c, 0x53, 0x91 }};

static void result_free(blob_result *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++)
		free(r->hits[i].secret);
	free(r);
}

static blob_entry *blobs_at(const blob_set *b, size_t i)
{
	return &b->blocks[i / BLOCK][i % BLOCK];
}

static int blobs_init(blob_set *b)
{
	memset(b, 0, sizeof(*b));
	if (!(b->blocks = calloc(MAX_BLOCKS, sizeof(*b->blocks))))
		return sghook_error_set("out of memory");
	return sghook_oidmap_init(&b->index);
}

static void blobs_free(blob_set *b)
{
	size_t i;

	for (i = 0; i < b->count; i++)
		result_free(blobs_at(b, i)->res);
	for (i = 0; b->blocks && i < MAX_BLOCKS && b->blocks[i]; i++)
		free(b->blocks[i]);
	free(b->blocks);
	free(b->order);
	sghook_oidmap_free(&b->index);
}

static int blobs_add(blob_set *b, const git_oid *id, uint32_t path)
{
	int error = sghook_oidmap_put(&b->index, id, (uint32_t)b->count);

	if (error != 0)
		return error < 0 ? error : 0;  /* 1: listed already */
	if (b->count / BLOCK >= MAX_BLOCKS || b->count >= UINT32_MAX - 1)
		return sghook_error_set("more blobs than sghook can hold");
	if (!b->blocks[b->count / BLOCK] &&
	    !(b->blocks[b->count / BLOCK] = malloc(BLOCK * sizeof(blob_entry))))
		return sghook_error_set("out of memory");
	git_oid_cpy(&blobs_at(b, b->count)->id, id);
	blobs_at(b, b->count)->path = path;
	blobs_at(b, b->count)->known = 0;
	blobs_at(b, b->count)->res = NULL;
	b->count++;
	return 0;
}

/* The result of a blob listed in pass 1, or NULL. */
static blob_result *blobs_result(const blob_set *b, const git_oid *id)
{
	uint32_t i;

	return sghook_oidmap_get(&b->index, id, &i) && i < b->count ?
		blobs_at(b, i)->res : NULL;
}

static int blob_skipped(const git_oid *id)
{
	return git_oid_is_zero(id) || git_oid_equal(id, &empty_blob);
}

/* ---- one blob --------------------------------------------------------- */

static int collect_hit(const sghook_match *m, void *payload)
{
	worker *w = payload;
	blob_hit *grown, *h;

	if (w->ntmp == w->alloc) {
		w->alloc = w->alloc ? w->alloc * 2 : 8;
		if (!(grown = realloc(w->tmp, w->alloc * sizeof(*grown))))
			return sghook_error_set("out of memory");
		w->tmp = grown;
	}
	h = &w->tmp[w->ntmp];
	if (!(h->secret = strndup(m->secret, m->secret_len)))
		return sghook_error_set("out of memory");
	h->rule = m->rule;
	h->line = m->line;
	h->column = m->column;
	h->secret_len = m->secret_len;
	h->tier = m->tier;
	w->ntmp++;
	return 0;
}

/* Blocking matches in a buffer, or NULL when there are none. */
static int scan_content(blob_result **out, worker *w, const char *buf,
	size_t len)
{
	blob_result *r;
	size_t i;
	int error;

	*out = NULL;
	if (!sghook_rules_prefilter(w->opts->rules, buf, len))
		return 0;
	w->ntmp = 0;
	if ((error = sghook_matcher_scan(w->matcher, buf, len, collect_hit,
	    w)) < 0)
		goto fail;
	if (w->ntmp == 0)
		return 0;
	if (!(r = malloc(sizeof(*r) + w->ntmp * sizeof(blob_hit)))) {
		error = sghook_error_set("out of memory");
		goto fail;
	}
	r->n = w->ntmp;
	memcpy(r->hits, w->tmp, w->ntmp * sizeof(blob_hit));
	w->ntmp = 0;
	*out = r;
	return 0;
fail:
	for (i = 0; i < w->ntmp; i++)
		free(w->tmp[i].secret);
	w->ntmp = 0;
	return error;
}

static int read_blob(git_odb_object **out, worker *w, const git_oid *id)
{
	char hex[GIT_OID_HEXSZ + 1];

	if (git_odb_read(out, w->odb, id) < 0) {
		git_oid_tostr(hex, sizeof(hex), id);
		return sghook_error_from_git(hex);
	}
	return 0;
}

static int blob_scan(blob_result **out, worker *w, const git_oid *id)
{
	git_odb_object *obj = NULL;
	int error;

	if ((error = read_blob(&obj, w, id)) < 0)
		return error;
	error = scan_content(out, w, git_odb_object_data(obj),
		git_odb_object_size(obj));
	git_odb_object_free(obj);
	return error;
}

/* ---- workers ---------------------------------------------------------- */

static int worker_open(worker *w, const sghook_scan_opts *opts,
	git_repository *repo)
{
	int error;

	memset(w, 0, sizeof(*w));
	w->opts = opts;
	w->repo = repo;
	if (git_repository_odb(&w->odb, w->repo) < 0)
		return sghook_error_from_git("cannot open object database");
	if ((error = sghook_matcher_new(&w->matcher, opts->rules)) < 0)
		return error;
	sghook_matcher_use_jit(w->matcher, !opts->no_jit);
	return 0;
}

static void worker_close(worker *w)
{
	size_t i;

	for (i = 0; i < w->ntmp; i++)
		free(w->tmp[i].secret);
	free(w->tmp);
	sghook_matcher_free(w->matcher);
	git_odb_free(w->odb);
}

/*
 * Pass 1 runs in worker processes, not threads: libgit2 serialises pack
 * reads behind process-wide locks, so on the bench repository two threads
 * walked the trees in 1.84 s where one took 2.30 s, and two processes
 * took 1.05 s each. A worker inherits the repository handle and the work
 * lists by fork() and sends back what it found; the calling process takes
 * a share too, rather than wait idle beside them.
 */
typedef struct {
	atomic_size_t next;     /* blobs handed out */
	atomic_size_t done;     /* commits walked, then blobs read */
	atomic_int failed;
} counters;

static int online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)n : 1;
}

/* Bounded reads of a worker's output. */
typedef struct {
	const char *p, *end;
} reader;

static int take(reader *r, void *dst, size_t len)
{
	if ((size_t)(r->end - r->p) < len)
		return sghook_error_set("a worker process sent a truncated result");
	memcpy(dst, r->p, len);
	r->p += len;
	return 0;
}

static int put(FILE *out, const void *src, size_t len)
{
	if (len && fwrite(src, 1, len, out) != len)
		return sghook_error_set("cannot send results to the parent "
			"process");
	return 0;
}

/* ---- pass 1: every blob once, on every core --------------------------- */

#define TREE_MARK 0

/* FNV-1a, continued from `h`: paths hash as their directories do. */
static uint32_t hash_more(uint32_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return (h ^ '/') * 16777619u;
}

/* Marks a listed blob as known before the range: it is not read. */
static void blobs_know(blob_set *b, const git_oid *id)
{
	uint32_t i;

	if (sghook_oidmap_get(&b->index, id, &i) && i < b->count)
		blobs_at(b, i)->known = 1;
}

/*
 * Lists the blobs of a tree of the range, or, when `known`, marks those of
 * a tree outside it (a parent of the range's oldest commits) as known.
 */
static int list_tree(blob_set *b, sghook_oidmap *trees, git_repository *repo,
	const git_oid *id, uint32_t dir, int known)
{
	git_tree *tree = NULL;
	const git_tree_entry *e;
	size_t i, n;
	int error = 0;

	if ((error = sghook_oidmap_put(trees, id, TREE_MARK)) != 0)
		return error < 0 ? error : 0;  /* 1: seen already */
	if (git_tree_lookup(&tree, repo, id) < 0) {
		char hex[GIT_OID_HEXSZ + 1];

		git_oid_tostr(hex, sizeof(hex), id);
		return sghook_error_from_git(hex);
	}
	n = git_tree_entrycount(tree);
	for (i = 0; i < n && error == 0; i++) {
		e = git_tree_entry_byindex(tree, i);
		switch (git_tree_entry_type(e)) {
		case GIT_OBJECT_TREE:
			error = list_tree(b, trees, repo, git_tree_entry_id(e),
				hash_more(dir, git_tree_entry_name(e)), known);
			break;
		case GIT_OBJECT_BLOB:
			if (known)
				blobs_know(b, git_tree_entry_id(e));
			else if (!blob_skipped(git_tree_entry_id(e)))
				error = blobs_add(b, git_tree_entry_id(e),
					hash_more(dir, git_tree_entry_name(e)));
			break;
		default:
			break;  /* a submodule's commit is another repository */
		}
	}
	git_tree_free(tree);
	return error;
}

/* A worker's share of the walk: a run of commits, and what it lists. */
typedef struct {
	git_repository *repo;
	const git_oid *ids;      /* newest first */
	size_t count;
	const sghook_oidmap *range;  /* every commit of all shares */
	counters *c;
	blob_set blobs;
	sghook_oids edge;        /* parents outside the range */
} walk_share;

typedef struct {
	const sghook_scan_opts *opts;
	walk_share *ws;
	counters *c;
	size_t total;
} walk_job;

static int walk_share_run(walk_share *ws, const sghook_scan_opts *opts,
	size_t total, int reports)
{
	sghook_oidmap trees = {0};
	git_commit *c = NULL;
	size_t i, j, done;
	uint32_t v;
	int error;

	if ((error = sghook_oidmap_init(&trees)) < 0)
		goto done;
	for (i = 0; i < ws->count && error == 0; i++) {
		if (git_commit_lookup(&c, ws->repo, &ws->ids[i]) < 0) {
			char hex[GIT_OID_HEXSZ + 1];

			git_oid_tostr(hex, sizeof(hex), &ws->ids[i]);
			error = sghook_error_from_git(hex);
			break;
		}
		error = list_tree(&ws->blobs, &trees, ws->repo,
			git_commit_tree_id(c), 2166136261u, 0);
		for (j = 0; j < git_commit_parentcount(c) && error == 0; j++)
			if (!sghook_oidmap_get(ws->range,
			    git_commit_parent_id(c, (unsigned)j), &v))
				error = sghook_oids_push(&ws->edge,
					git_commit_parent_id(c, (unsigned)j));
		git_commit_free(c);
		done = atomic_fetch_add(&ws->c->done, 1) + 1;
		if (reports && opts->progress && done % 64 == 0)
			opts->progress("Scanning commits", done, total,
				opts->progress_payload);
	}
done:
	sghook_oidmap_free(&trees);
	return error;
}

/* In a worker: walks share i and sends its blobs, then its edge. */
static int walk_child(void *ctx, size_t i, FILE *out)
{
	walk_job *job = ctx;
	walk_share *ws = &job->ws[i];
	uint64_t n;
	size_t k;
	int error;

	if ((error = blobs_init(&ws->blobs)) < 0 ||
	    (error = walk_share_run(ws, job->opts, job->total, 0)) < 0)
		return error;
	n = ws->blobs.count;
	error = put(out, &n, sizeof(n));
	for (k = 0; k < ws->blobs.count && error == 0; k++)
		if ((error = put(out, blobs_at(&ws->blobs, k)->id.id,
		    GIT_OID_RAWSZ)) == 0)
			error = put(out, &blobs_at(&ws->blobs, k)->path,
				sizeof(uint32_t));
	n = ws->edge.count;
	if (error == 0)
		error = put(out, &n, sizeof(n));
	for (k = 0; k < ws->edge.count && error == 0; k++)
		error = put(out, ws->edge.ids[k].id, GIT_OID_RAWSZ);
	return error;
}

/* In the parent: share i's blobs and edge, from its worker's output. */
static int walk_merge(blob_set *b, walk_share *ws, const sghook_proc_output *o)
{
	reader r = { o->data, o->data + o->len };
	uint64_t n = 0, k;
	git_oid id;
	uint32_t path = 0;
	int error;

	if ((error = take(&r, &n, sizeof(n))) < 0)
		return error;
	for (k = 0; k < n && error == 0; k++)
		if ((error = take(&r, id.id, GIT_OID_RAWSZ)) == 0 &&
		    (error = take(&r, &path, sizeof(path))) == 0)
			error = blobs_add(b, &id, path);
	if (error == 0)
		error = take(&r, &n, sizeof(n));
	for (k = 0; k < n && error == 0; k++)
		if ((error = take(&r, id.id, GIT_OID_RAWSZ)) == 0)
			error = sghook_oids_push(&ws->edge, &id);
	return error;
}

/* In the parent, beside the workers: share 0. */
static int walk_local(void *ctx)
{
	walk_job *job = ctx;
	int error;

	if ((error = blobs_init(&job->ws[0].blobs)) < 0)
		return error;
	return walk_share_run(&job->ws[0], job->opts, job->total, 1);
}

/*
 * As `git rev-list --objects A..B` does, the blobs the parents outside
 * the range had are known, not new: they are not read, so that a range
 * costs what it adds rather than all of its first commit's tree. A parent
 * that cannot be read hides nothing, so more is read, never less.
 */
static int know_edges(blob_set *b, git_repository *repo,
	const walk_share *ws, size_t n)
{
	sghook_oidmap seen = {0}, trees = {0};
	git_commit *c = NULL;
	size_t i, j;
	int error, put;

	if ((error = sghook_oidmap_init(&seen)) < 0 ||
	    (error = sghook_oidmap_init(&trees)) < 0)
		goto done;
	for (i = 0; i < n && error == 0; i++)
		for (j = 0; j < ws[i].edge.count && error == 0; j++) {
			if ((put = sghook_oidmap_put(&seen, &ws[i].edge.ids[j],
			    0)) != 0) {
				error = put < 0 ? put : 0;
				continue;
			}
			if (git_commit_lookup(&c, repo, &ws[i].edge.ids[j]) < 0)
				continue;
			error = list_tree(b, &trees, repo,
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
 * into runs, newest first, walked side by side by the workers (each sees
 * a tree its neighbour saw too at most once), then the lists are merged
 * in order.
 */
static int list_blobs(blob_set *b, git_repository *repo,
	const sghook_oids *ids, const sghook_scan_opts *opts, size_t jobs,
	counters *c)
{
	walk_share *ws;
	walk_job job;
	sghook_proc_output *outs = NULL;
	git_oid *newest = NULL;
	sghook_oidmap range = {0};
	size_t n = jobs, i, per;
	int error = 0;

	if (ids->count < 64 * n)
		n = 1;  /* a short range is not worth the workers */
	if (!(ws = calloc(n, sizeof(*ws))) ||
	    !(outs = calloc(n, sizeof(*outs))) ||
	    (ids->count && !(newest = malloc(ids->count * sizeof(*newest))))) {
		error = sghook_error_set("out of memory");
		goto done;
	}
	if ((error = sghook_oidmap_init(&range)) < 0)
		goto done;
	/* Newest first, so that a file's newest version is listed first. */
	for (i = 0; i < ids->count && error >= 0; i++) {
		git_oid_cpy(&newest[i], &ids->ids[ids->count - 1 - i]);
		error = sghook_oidmap_put(&range, &newest[i], 0);
	}
	if (error < 0)
		goto done;
	per = (ids->count + n - 1) / n;
	for (i = 0; i < n; i++) {
		ws[i].repo = repo;
		ws[i].ids = newest + (i * per < ids->count ? i * per : ids->count);
		ws[i].count = i * per >= ids->count ? 0 :
			(ids->count - i * per < per ? ids->count - i * per : per);
		ws[i].range = &range;
		ws[i].c = c;
	}
	job.opts = opts;
	job.ws = ws;
	job.c = c;
	job.total = ids->count;
	error = n > 1 ? sghook_procs_run(outs, n, walk_child, walk_local, &job) : 1;
	if (error == 1) {
		/* One share, or no worker could be started: walk it all here. */
		atomic_store(&c->done, 0);
		ws[0].ids = newest;
		ws[0].count = ids->count;
		n = 1;
		error = walk_local(&job);
	}
	if (error < 0)
		goto done;
	for (i = 0; i < ws[0].blobs.count && error == 0; i++)
		error = blobs_add(b, &blobs_at(&ws[0].blobs, i)->id,
			blobs_at(&ws[0].blobs, i)->path);
	for (i = 1; i < n && error == 0; i++)
		error = walk_merge(b, &ws[i], &outs[i]);
	if (error == 0)
		error = know_edges(b, repo, ws, n);
	if (error == 0 && opts->progress)
		opts->progress("Scanning commits", ids->count, ids->count,
			opts->progress_payload);
done:
	for (i = 0; ws && i < n; i++) {
		if (ws[i].blobs.blocks)
			blobs_free(&ws[i].blobs);
		sghook_oids_free(&ws[i].edge);
	}
	if (outs)
		sghook_procs_outputs_free(outs, n);
	sghook_oidmap_free(&range);
	free(outs);
	free(ws);
	free(newest);
	return error;
}

typedef struct {
	const sghook_scan_opts *opts;
	git_repository *repo;
	blob_set *blobs;
	counters *c;
} blob_pool;

/* Blobs a worker takes at a time: neighbours in reading order. */
#define CHUNK 64

/* Reads chunks of blobs until none is left; results go into the set. */
static int pool_work(blob_pool *p, int reports)
{
	size_t i, start, end, done, n = p->blobs->nread;
	blob_entry *e;
	worker w;
	int error;

	if ((error = worker_open(&w, p->opts, p->repo)) < 0)
		goto done;
	while (!atomic_load(&p->c->failed) &&
	    (start = atomic_fetch_add(&p->c->next, CHUNK)) < n) {
		end = start + CHUNK < n ? start + CHUNK : n;
		for (i = start; i < end && error == 0; i++) {
			e = blobs_at(p->blobs, p->blobs->order[i]);
			error = blob_scan(&e->res, &w, &e->id);
		}
		if (error < 0)
			break;
		done = atomic_fetch_add(&p->c->done, end - start) + end - start;
		if (reports && p->opts->progress)
			p->opts->progress("Reading blobs", done, n,
				p->opts->progress_payload);
	}
done:
	if (error < 0)
		atomic_store(&p->c->failed, 1);  /* the others stop early */
	worker_close(&w);
	return error;
}

/*
 * In a worker: reads its chunks, then sends each blocking blob's position
 * and hits. A hit's rule and tier point into memory the parent has at the
 * same addresses (fork copied it); its secret is sent as bytes.
 */
static int pool_child(void *ctx, size_t i, FILE *out)
{
	blob_pool *p = ctx;
	const blob_entry *e;
	uint32_t pos, n;
	size_t k, h;
	int error;

	(void)i;
	if ((error = pool_work(p, 0)) < 0)
		return error;
	for (k = 0; k < p->blobs->nread && error == 0; k++) {
		pos = p->blobs->order[k];
		if (!(e = blobs_at(p->blobs, pos))->res)
			continue;
		n = (uint32_t)e->res->n;
		if ((error = put(out, &pos, sizeof(pos))) == 0)
			error = put(out, &n, sizeof(n));
		for (h = 0; h < n && error == 0; h++)
			if ((error = put(out, &e->res->hits[h],
			    sizeof(blob_hit))) == 0)
				error = put(out, e->res->hits[h].secret,
					e->res->hits[h].secret_len);
	}
	return error;
}

/* In the parent: the results a worker sent, into the set. */
static int pool_merge(blob_set *b, const sghook_proc_output *o)
{
	reader r = { o->data, o->data + o->len };
	blob_result *res;
	blob_hit *h;
	uint32_t pos = 0, n = 0, k;
	int error = 0;

	while (r.p < r.end && error == 0) {
		if ((error = take(&r, &pos, sizeof(pos))) < 0 ||
		    (error = take(&r, &n, sizeof(n))) < 0)
			break;
		if (pos >= b->count || n == 0 || n > (1u << 20) ||
		    blobs_at(b, pos)->res)
			return sghook_error_set("a worker process sent a bad "
				"result");
		if (!(res = calloc(1, sizeof(*res) + n * sizeof(blob_hit))))
			return sghook_error_set("out of memory");
		blobs_at(b, pos)->res = res;
		for (k = 0; k < n && error == 0; k++) {
			h = &res->hits[k];
			if ((error = take(&r, h, sizeof(*h))) < 0)
				break;
			h->secret = NULL;
			res->n = k + 1;
			if (h->secret_len > (size_t)(r.end - r.p))
				error = sghook_error_set("a worker process "
					"sent a truncated result");
			else if (!(h->secret = strndup(r.p, h->secret_len)))
				error = sghook_error_set("out of memory");
			else
				r.p += h->secret_len;
		}
	}
	return error;
}

/* In the parent, beside the workers. */
static int pool_local(void *ctx)
{
	return pool_work(ctx, 1);
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
static int sort_by_path(blob_set *b)
{
	uint64_t *keys = NULL;
	size_t i, n = 0;

	if (b->count && (!(b->order = malloc(b->count * sizeof(*b->order))) ||
	    !(keys = malloc(b->count * sizeof(*keys)))))
		return sghook_error_set("out of memory");
	for (i = 0; i < b->count; i++)
		if (!blobs_at(b, i)->known)
			keys[n++] = (uint64_t)blobs_at(b, i)->path << 32 | i;
	qsort(keys, n, sizeof(*keys), by_key);
	for (i = 0; i < n; i++)
		b->order[i] = (uint32_t)keys[i];
	b->nread = n;
	free(keys);
	return 0;
}

/*
 * Pass 1: list every blob of the commits' trees, then scan them, both on
 * every core when there is enough work.
 */
static int list_and_scan(blob_set *b, git_repository *repo,
	const sghook_oids *ids, const sghook_scan_opts *opts)
{
	sghook_proc_output *outs = NULL;
	blob_pool p;
	counters *c;
	size_t jobs = (size_t)(opts->jobs > 0 ? opts->jobs : online_cpus()), i;
	int error;

	if (!(c = sghook_procs_shared_new(sizeof(*c))))
		return sghook_error_set("cannot map memory for the workers");
	if ((error = list_blobs(b, repo, ids, opts, jobs, c)) < 0 ||
	    (error = sort_by_path(b)) < 0)
		goto done;
	atomic_store(&c->done, 0);
	p.opts = opts;
	p.repo = repo;
	p.blobs = b;
	p.c = c;
	/* A worker costs a fork: worth it past a few chunks. */
	if (jobs > 1 && b->nread > 4 * CHUNK) {
		if (!(outs = calloc(jobs, sizeof(*outs)))) {
			error = sghook_error_set("out of memory");
			goto done;
		}
		error = sghook_procs_run(outs, jobs, pool_child, pool_local, &p);
		for (i = 1; i < jobs && error == 0; i++)
			error = pool_merge(b, &outs[i]);
		if (error != 1)
			goto done;
	}
	/* One worker, or none could be started: read them all here. */
	atomic_store(&c->next, 0);
	atomic_store(&c->done, 0);
	error = pool_work(&p, 1);
done:
	if (outs)
		sghook_procs_outputs_free(outs, jobs);
	free(outs);
	sghook_procs_shared_free(c, sizeof(*c));
	return error;
}

/* ---- judging one file of a change ------------------------------------- */

/* One parent of a change: its tree (NULL: the empty tree). */
typedef struct {
	git_tree *tree;
	git_diff *similar;   /* renames and copies, made when first needed */
} parent_side;

/* The new side of a change: a tree or the index. */
typedef struct {
	git_tree *tree;
	git_index *index;
} new_side;

static int similar_diff(git_diff **out, worker *w, git_tree *old,
	const new_side *ns)
{
	git_diff_options o;
	git_diff_find_options fo;
	int error;

	git_diff_options_init(&o, GIT_DIFF_OPTIONS_VERSION);
	git_diff_find_options_init(&fo, GIT_DIFF_FIND_OPTIONS_VERSION);
	o.flags = GIT_DIFF_SKIP_BINARY_CHECK | GIT_DIFF_IGNORE_SUBMODULES |
		GIT_DIFF_INCLUDE_UNMODIFIED;
	error = ns->index ?
		git_diff_tree_to_index(out, w->repo, old, ns->index, &o) :
		git_diff_tree_to_tree(out, w->repo, old, ns->tree, &o);
	if (error < 0)
		return sghook_error_from_git("cannot diff");
	fo.flags = GIT_DIFF_FIND_RENAMES | GIT_DIFF_FIND_COPIES |
		GIT_DIFF_FIND_COPIES_FROM_UNMODIFIED |
		GIT_DIFF_FIND_REMOVE_UNMODIFIED;
	if (git_diff_find_similar(*out, &fo) < 0) {
		git_diff_free(*out);
		*out = NULL;
		return sghook_error_from_git("cannot detect renames");
	}
	return 0;
}

/*
 * The parent's version of `path`: *old is its blob, or zero when the
 * parent had nothing the file came from. Returns 1 when the parent has
 * the very same content (the change adds nothing against it).
 */
static int parent_version(git_oid *old, worker *w, parent_side *p,
	const new_side *ns, const char *path, const git_oid *id)
{
	git_tree_entry *te = NULL;
	const git_diff_delta *d;
	size_t i, n;
	int error = 0;

	memset(old, 0, sizeof(*old));
	if (!p->tree)
		return 0;  /* a root commit: everything is new */
	if ( git_tree_entry_bypath(&te, p->tree, path) == 0 &&
	    git_tree_entry_type(te) == GIT_OBJECT_BLOB) {
		git_oid_cpy(old, git_tree_entry_id(te));
		git_tree_entry_free(te);
		return git_oid_equal(old, id);
	}
	git_tree_entry_free(te);
	/* A new path: maybe a file moved or copied from elsewhere. */
	if (!p->similar &&
	    (error = similar_diff(&p->similar, w, p->tree, ns)) < 0)
		return error;
	n = git_diff_num_deltas(p->similar);
	for (i = 0; i < n; i++) {
		d = git_diff_get_delta(p->similar, i);
		if ((d->status == GIT_DELTA_RENAMED ||
		     d->status == GIT_DELTA_COPIED) &&
		    !strcmp(d->new_file.path, path)) {
			git_oid_cpy(old, &d->old_file.id);
			break;
		}
	}
	return 0;
}

static int report_hit(sghook_findings *out, const blob_hit *h,
	const char *path, const git_oid *commit)
{
	sghook_finding f;

	memset(&f, 0, sizeof(f));
	f.rule = h->rule;
	f.path = (char *)path;
	f.line = h->line;
	f.column = h->column;
	f.secret = h->secret;
	f.tier = h->tier;
	if (commit) {
		git_oid_cpy(&f.commit, commit);
		f.has_commit = 1;
	}
	sghook_finding_fingerprint(&f);
	return sghook_findings_add(out, &f);
}

/* Does some parent's version of the file hold the secret already? */
static int held_before(worker *w, const git_oid *olds, git_odb_object **objs,
	size_t nparents, const blob_hit *h)
{
	size_t j;

	for (j = 0; j < nparents; j++) {
		if (git_oid_is_zero(&olds[j]))
			continue;
		if (!objs[j] && read_blob(&objs[j], w, &olds[j]) < 0)
			return -1;
		if (memmem(git_odb_object_data(objs[j]),
		    git_odb_object_size(objs[j]), h->secret, h->secret_len))
			return 1;
	}
	return 0;
}

static int judge_file(sghook_findings *out, worker *w, parent_side *ps,
	size_t nparents, const new_side *ns, const char *path,
	const git_oid *id, const blob_result *res, const git_oid *commit)
{
	git_oid *olds = calloc(nparents, sizeof(*olds));
	git_odb_object **objs = calloc(nparents, sizeof(*objs));
	size_t j, k;
	int error = 0, held;

	if (!olds || !objs) {
		error = sghook_error_set("out of memory");
		goto done;
	}
	for (j = 0; j < nparents; j++) {
		error = parent_version(&olds[j], w, &ps[j], ns, path, id);
		if (error != 0) {
			error = error < 0 ? error : 0;  /* 1: adds nothing */
			goto done;
		}
	}
	for (k = 0; k < res->n; k++) {
		if ((held = held_before(w, olds, objs, nparents,
		    &res->hits[k])) < 0) {
			error = held;
			goto done;
		}
		if (!held && (error = report_hit(out, &res->hits[k], path,
		    commit)) < 0)
			goto done;
	}
done:
	if (objs)
		for (j = 0; j < nparents; j++)
			git_odb_object_free(objs[j]);
	free(objs);
	free(olds);
	return error;
}

/* Drops the findings that .sghookignore of the new version allows. */
static int apply_ignore(sghook_findings *found, worker *w, const new_side *ns)
{
	git_odb_object *obj = NULL;
	const git_index_entry *ie;
	git_tree_entry *te = NULL;
	sghook_ignore *ig = NULL;
	const git_oid *id = NULL;
	size_t i, kept = 0;
	int error = 0;

	if (!w->opts->use_ignore_file || found->count == 0)
		return 0;
	if (ns->index) {
		if ((ie = git_index_get_bypath(ns->index, ".sghookignore", 0)))
			id = &ie->id;
	} else if (git_tree_entry_bypath(&te, ns->tree, ".sghookignore") == 0 &&
	    git_tree_entry_type(te) == GIT_OBJECT_BLOB) {
		id = git_tree_entry_id(te);
	}
	if (!id)
		goto done;
	if ((error = read_blob(&obj, w, id)) < 0 ||
	    (error = sghook_ignore_parse(&ig, git_odb_object_data(obj),
	    git_odb_object_size(obj))) < 0)
		goto done;
	for (i = 0; i < found->count; i++) {
		sghook_finding *f = &found->items[i];

		if (sghook_ignore_allows(ig, f->path, f->fingerprint)) {
			free(f->path);
			free(f->secret);
		} else {
			found->items[kept++] = *f;
		}
	}
	found->count = kept;
done:
	sghook_ignore_free(ig);
	git_odb_object_free(obj);
	git_tree_entry_free(te);
	return error;
}

static void sides_free(parent_side *ps, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		git_tree_free(ps[i].tree);
		git_diff_free(ps[i].similar);
	}
	free(ps);
}

/* ---- pass 2: commits whose trees hold a blocking blob ------------------ */

typedef struct {
	const blob_set *blobs;
	sghook_oidmap dirty;  /* tree id -> 1 holds a blocking blob, 0 not */
	/* The commit judged last and its tree: often the next one's parent. */
	git_oid last;
	git_tree *last_tree;
} dirt;

static int tree_dirty(dirt *d, git_repository *repo, const git_oid *id);

/* Whether `tree` holds a blocking blob; remembered by tree id. */
static int tree_dirty_of(dirt *d, git_repository *repo, const git_tree *tree)
{
	const git_tree_entry *e;
	uint32_t v;
	size_t i, n;
	int dirty = 0, error;

	if (sghook_oidmap_get(&d->dirty, git_tree_id(tree), &v))
		return (int)v;
	n = git_tree_entrycount(tree);
	for (i = 0; i < n && !dirty; i++) {
		e = git_tree_entry_byindex(tree, i);
		if (git_tree_entry_type(e) == GIT_OBJECT_BLOB)
			dirty = blobs_result(d->blobs, git_tree_entry_id(e)) != NULL;
		else if (git_tree_entry_type(e) == GIT_OBJECT_TREE &&
		    (dirty = tree_dirty(d, repo, git_tree_entry_id(e))) < 0)
			return dirty;
	}
	if ((error = sghook_oidmap_put(&d->dirty, git_tree_id(tree),
	    (uint32_t)dirty)) < 0)
		return error;
	return dirty;
}

static int tree_dirty(dirt *d, git_repository *repo, const git_oid *id)
{
	git_tree *tree = NULL;
	uint32_t v;
	int dirty;

	if (sghook_oidmap_get(&d->dirty, id, &v))
		return (int)v;
	if (git_tree_lookup(&tree, repo, id) < 0)
		return sghook_error_from_git("cannot read tree");
	dirty = tree_dirty_of(d, repo, tree);
	git_tree_free(tree);
	return dirty;
}

typedef struct {
	char **paths;
	git_oid *ids;
	size_t count, alloc;
} file_list;

static void files_free(file_list *f)
{
	size_t i;

	for (i = 0; i < f->count; i++)
		free(f->paths[i]);
	free(f->paths);
	free(f->ids);
	memset(f, 0, sizeof(*f));
}

static int files_push(file_list *f, const char *path, const git_oid *id)
{
	char **p;
	git_oid *o;

	if (f->count == f->alloc) {
		f->alloc = f->alloc ? f->alloc * 2 : 8;
		if (!(p = realloc(f->paths, f->alloc * sizeof(*p))))
			return sghook_error_set("out of memory");
		f->paths = p;
		if (!(o = realloc(f->ids, f->alloc * sizeof(*o))))
			return sghook_error_set("out of memory");
		f->ids = o;
	}
	if (!(f->paths[f->count] = strdup(path)))
		return sghook_error_set("out of memory");
	git_oid_cpy(&f->ids[f->count++], id);
	return 0;
}

/*
 * Files of `tree` whose blob blocks and differs from `old` (NULL: the
 * empty tree), descending only into subtrees that hold such a blob.
 */
static int changed_files(file_list *out, dirt *d, git_repository *repo,
	git_tree *tree, git_tree *old, const char *prefix)
{
	const git_tree_entry *e, *oe;
	git_tree *sub = NULL, *oldsub = NULL;
	char *path = NULL;
	size_t i, n = git_tree_entrycount(tree);
	uint32_t clean;
	int error = 0;

	for (i = 0; i < n && error >= 0; i++) {
		e = git_tree_entry_byindex(tree, i);
		oe = old ? git_tree_entry_byname(old, git_tree_entry_name(e)) :
			NULL;
		if (oe && git_oid_equal(git_tree_entry_id(oe),
		    git_tree_entry_id(e)))
			continue;
		free(path);
		if (asprintf(&path, "%s%s", prefix, git_tree_entry_name(e)) < 0) {
			path = NULL;
			error = sghook_error_set("out of memory");
			break;
		}
		if (git_tree_entry_type(e) == GIT_OBJECT_BLOB) {
			if (blobs_result(d->blobs, git_tree_entry_id(e)))
				error = files_push(out, path,
					git_tree_entry_id(e));
			continue;
		}
		if (git_tree_entry_type(e) != GIT_OBJECT_TREE)
			continue;
		if (sghook_oidmap_get(&d->dirty, git_tree_entry_id(e), &clean) &&
		    !clean)
			continue;
		if (git_tree_lookup(&sub, repo, git_tree_entry_id(e)) < 0) {
			error = sghook_error_from_git(path);
			break;
		}
		if ((error = tree_dirty_of(d, repo, sub)) <= 0) {
			git_tree_free(sub);
			sub = NULL;
			continue;
		}
		if (oe && git_tree_entry_type(oe) == GIT_OBJECT_TREE &&
		    git_tree_lookup(&oldsub, repo, git_tree_entry_id(oe)) < 0) {
			error = sghook_error_from_git(path);
			break;
		}
		{
			char *dir = NULL;

			if (asprintf(&dir, "%s/", path) < 0)
				error = sghook_error_set("out of memory");
			else
				error = changed_files(out, d, repo, sub,
					oldsub, dir);
			free(dir);
		}
		git_tree_free(sub);
		git_tree_free(oldsub);
		sub = oldsub = NULL;
	}
	git_tree_free(sub);
	git_tree_free(oldsub);
	free(path);
	return error < 0 ? error : 0;
}

static int judge_commit(sghook_findings *out, worker *w, dirt *d,
	const git_oid *id)
{
	git_commit *c = NULL, *parent = NULL;
	parent_side *ps = NULL;
	new_side ns = {0};
	file_list files = {0};
	sghook_findings found = {0};
	size_t np = 0, i;
	char hex[GIT_OID_HEXSZ + 1];
	int error = SGHOOK_ERROR;

	git_oid_tostr(hex, sizeof(hex), id);
	if (git_commit_lookup(&c, w->repo, id) < 0 ||
	    git_commit_tree(&ns.tree, c) < 0) {
		sghook_error_from_git(hex);
		goto done;
	}
	if ((error = tree_dirty_of(d, w->repo, ns.tree)) <= 0)
		goto done;
	error = SGHOOK_ERROR;
	np = git_commit_parentcount(c);
	if (!(ps = calloc(np ? np : 1, sizeof(*ps)))) {
		sghook_error_set("out of memory");
		goto done;
	}
	for (i = 0; i < np; i++) {
		if (d->last_tree && git_oid_equal(&d->last,
		    git_commit_parent_id(c, (unsigned int)i))) {
			if (git_tree_dup(&ps[i].tree, d->last_tree) < 0) {
				sghook_error_from_git(hex);
				goto done;
			}
			continue;
		}
		if (git_commit_parent(&parent, c, (unsigned int)i) < 0 ||
		    git_commit_tree(&ps[i].tree, parent) < 0) {
			sghook_error_from_git(hex);
			goto done;
		}
		git_commit_free(parent);
		parent = NULL;
	}
	/* A file a merge adds differs from every parent: parent 0 finds it. */
	if ((error = changed_files(&files, d, w->repo, ns.tree, ps[0].tree,
	    "")) < 0)
		goto done;
	for (i = 0; i < files.count && error == 0; i++)
		error = judge_file(&found, w, ps, np ? np : 1, &ns,
			files.paths[i], &files.ids[i],
			blobs_result(d->blobs, &files.ids[i]), id);
	if (error == 0)
		error = apply_ignore(&found, w, &ns);
	if (error == 0)
		error = sghook_findings_append(out, &found);
done:
	if (error < 0 && !strstr(sghook_error_last(), hex)) {
		char msg[480];

		snprintf(msg, sizeof(msg), "%s", sghook_error_last());
		sghook_error_set("commit %s: %s", hex, msg);
	}
	sghook_findings_clear(&found);
	files_free(&files);
	sides_free(ps, np ? np : (ps ? 1 : 0));
	git_commit_free(parent);
	git_tree_free(d->last_tree);
	d->last_tree = ns.tree;
	git_oid_cpy(&d->last, id);
	git_commit_free(c);
	return error < 0 ? error : 0;
}

/*
 * Pass 2 on every core too: a token that stays in a file for thousands of
 * commits makes every one of them a commit to compare. Shares are runs of
 * commits, so that the trees each worker learns about are its
 * neighbours'; findings come back in commit order.
 */
typedef struct {
	const sghook_scan_opts *opts;
	git_repository *repo;
	const blob_set *blobs;
	const sghook_oids *ids;
	size_t per;                 /* commits of a share */
	sghook_findings first;      /* share 0's, judged by the caller */
} judge_job;

static int judge_share(sghook_findings *out, judge_job *job, size_t i)
{
	dirt d = {0};
	worker w = {0};
	size_t k = i * job->per, end = k + job->per;
	int error;

	if (end > job->ids->count)
		end = job->ids->count;
	d.blobs = job->blobs;
	if ((error = sghook_oidmap_init(&d.dirty)) == 0 &&
	    (error = worker_open(&w, job->opts, job->repo)) == 0)
		for (; k < end && error == 0; k++)
			error = judge_commit(out, &w, &d, &job->ids->ids[k]);
	worker_close(&w);
	git_tree_free(d.last_tree);
	sghook_oidmap_free(&d.dirty);
	return error;
}

/*
 * In a worker: judges share i and sends its findings. As for blob hits,
 * a finding's rule and tier point into memory the parent has at the same
 * addresses; its path and secret are sent as bytes.
 */
static int judge_worker(void *ctx, size_t i, FILE *out)
{
	sghook_findings found = {0};
	const sghook_finding *f;
	uint64_t len[2];
	size_t k;
	int error;

	error = judge_share(&found, ctx, i);
	for (k = 0; k < found.count && error == 0; k++) {
		f = &found.items[k];
		len[0] = strlen(f->path);
		len[1] = strlen(f->secret);
		if ((error = put(out, f, sizeof(*f))) == 0 &&
		    (error = put(out, len, sizeof(len))) == 0 &&
		    (error = put(out, f->path, len[0])) == 0)
			error = put(out, f->secret, len[1]);
	}
	sghook_findings_clear(&found);
	return error;
}

static int judge_local(void *ctx)
{
	judge_job *job = ctx;

	return judge_share(&job->first, job, 0);
}

/* In the parent: the findings a worker sent, appended to `out`. */
static int judge_merge(sghook_findings *out, const sghook_proc_output *o)
{
	reader r = { o->data, o->data + o->len };
	sghook_finding f;
	uint64_t len[2] = {0, 0};
	int error = 0;

	while (r.p < r.end && error == 0) {
		if ((error = take(&r, &f, sizeof(f))) < 0 ||
		    (error = take(&r, len, sizeof(len))) < 0)
			break;
		if (len[0] > (size_t)(r.end - r.p) ||
		    len[1] > (size_t)(r.end - r.p) - len[0])
			return sghook_error_set("a worker process sent a "
				"truncated result");
		f.path = strndup(r.p, len[0]);
		f.secret = strndup(r.p + len[0], len[1]);
		r.p += len[0] + len[1];
		error = f.path && f.secret ? sghook_findings_add(out, &f) :
			sghook_error_set("out of memory");
		free(f.path);
		free(f.secret);
	}
	return error;
}

static int judge_all(sghook_findings *out, git_repository *repo,
	const blob_set *blobs, const sghook_oids *ids,
	const sghook_scan_opts *opts)
{
	sghook_proc_output *outs = NULL;
	sghook_findings found = {0};
	judge_job job;
	size_t n = (size_t)(opts->jobs > 0 ? opts->jobs : online_cpus()), i;
	int error = 1;

	memset(&job, 0, sizeof(job));
	job.opts = opts;
	job.repo = repo;
	job.blobs = blobs;
	job.ids = ids;
	if (ids->count < 64 * n)
		n = 1;
	job.per = (ids->count + n - 1) / n;
	if (n > 1) {
		if (!(outs = calloc(n, sizeof(*outs))))
			return sghook_error_set("out of memory");
		error = sghook_procs_run(outs, n, judge_worker, judge_local,
			&job);
	}
	if (error == 1) {
		/* One share, or no worker could be started: judge all here. */
		sghook_findings_clear(&job.first);
		job.per = ids->count;
		n = 1;
		error = judge_local(&job);
	}
	if (error == 0)
		error = sghook_findings_append(&found, &job.first);
	for (i = 1; i < n && error == 0; i++)
		error = judge_merge(&found, &outs[i]);
	if (error == 0)
		error = sghook_findings_append(out, &found);
	if (outs)
		sghook_procs_outputs_free(outs, n);
	free(outs);
	sghook_findings_clear(&job.first);
	sghook_findings_clear(&found);
	return error;
}

int sghook_scan_commits(sghook_findings *out, git_repository *repo,
	const sghook_oids *ids, const sghook_scan_opts *opts)
{
	blob_set blobs;
	size_t i, blocking = 0;
	int error;

	if ((error = blobs_init(&blobs)) < 0 ||
	    (error = list_and_scan(&blobs, repo, ids, opts)) < 0)
		goto done;
	for (i = 0; i < blobs.count; i++)
		blocking += blobs_at(&blobs, i)->res != NULL;
	if (blocking)
		error = judge_all(out, repo, &blobs, ids, opts);
done:
	blobs_free(&blobs);
	return error;
}

/* ---- the index, and plain buffers ------------------------------------- */

typedef struct {
	git_repository *repo;
	parent_side *ps;
	size_t n, alloc;
} merge_parents;

static int add_merge_head(const git_oid *id, void *payload)
{
	merge_parents *m = payload;
	git_commit *c = NULL;
	parent_side *grown;
	int error = 0;

	if (m->n == m->alloc) {
		m->alloc *= 2;
		if (!(grown = realloc(m->ps, m->alloc * sizeof(*grown))))
			return sghook_error_set("out of memory");
		m->ps = grown;
	}
	memset(&m->ps[m->n], 0, sizeof(*m->ps));
	if (git_commit_lookup(&c, m->repo, id) < 0 ||
	    git_commit_tree(&m->ps[m->n].tree, c) < 0)
		error = sghook_error_from_git("cannot read MERGE_HEAD");
	else
		m->n++;
	git_commit_free(c);
	return error;
}

/*
 * The staged change against HEAD and, while a merge is being concluded,
 * against each MERGE_HEAD too: what the other branch brought is not new.
 */
int sghook_scan_index(sghook_findings *out, git_repository *repo,
	const sghook_scan_opts *opts)
{
	worker w;
	merge_parents mp = { repo, NULL, 1, 2 };
	new_side ns = {0};
	git_object *head = NULL;
	git_diff *diff = NULL;
	git_diff_options o;
	sghook_findings found = {0};
	const git_diff_delta *d;
	blob_result *res;
	size_t i, n;
	int error, unborn;

	if ((error = worker_open(&w, opts, repo)) < 0)
		goto done;
	error = SGHOOK_ERROR;
	if (!(mp.ps = calloc(mp.alloc, sizeof(*mp.ps)))) {
		sghook_error_set("out of memory");
		goto done;
	}
	if (git_repository_index(&ns.index, repo) < 0) {
		sghook_error_from_git("cannot read the index");
		goto done;
	}
	if ((unborn = git_repository_head_unborn(repo)) < 0) {
		sghook_error_from_git("cannot read HEAD");
		goto done;
	}
	if (!unborn) {
		if (git_revparse_single(&head, repo, "HEAD^{tree}") < 0) {
			sghook_error_from_git("cannot read HEAD");
			goto done;
		}
		mp.ps[0].tree = (git_tree *)head;
		head = NULL;
	}
	error = git_repository_mergehead_foreach(repo, add_merge_head, &mp);
	if (error < 0 && error != GIT_ENOTFOUND) {
		if (!strstr(sghook_error_last(), "MERGE_HEAD"))
			sghook_error_from_git("cannot read MERGE_HEAD");
		goto done;
	}
	git_diff_options_init(&o, GIT_DIFF_OPTIONS_VERSION);
	o.flags = GIT_DIFF_SKIP_BINARY_CHECK | GIT_DIFF_IGNORE_SUBMODULES;
	if (git_diff_tree_to_index(&diff, repo, mp.ps[0].tree, ns.index,
	    &o) < 0) {
		error = sghook_error_from_git("cannot diff the index");
		goto done;
	}
	n = git_diff_num_deltas(diff);
	error = 0;
	for (i = 0; i < n && error == 0; i++) {
		d = git_diff_get_delta(diff, i);
		if (d->status == GIT_DELTA_DELETED ||
		    d->new_file.mode == GIT_FILEMODE_COMMIT ||
		    blob_skipped(&d->new_file.id))
			continue;
		if ((error = blob_scan(&res, &w, &d->new_file.id)) < 0 || !res)
			continue;
		error = judge_file(&found, &w, mp.ps, mp.n, &ns,
			d->new_file.path, &d->new_file.id, res, NULL);
		result_free(res);
	}
	if (error == 0)
		error = apply_ignore(&found, &w, &ns);
	if (error == 0)
		error = sghook_findings_append(out, &found);
done:
	sghook_findings_clear(&found);
	git_diff_free(diff);
	if (mp.ps)
		sides_free(mp.ps, mp.n);
	git_object_free(head);
	git_index_free(ns.index);
	worker_close(&w);
	return error;
}

typedef struct {
	sghook_findings *out;
	worker *w;
	int error;
} tree_scan;

static int scan_tree_entry(const char *root, const git_tree_entry *e,
	void *payload)
{
	tree_scan *ts = payload;
	blob_result *res = NULL;
	char *path = NULL;
	size_t i;

	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB ||
	    blob_skipped(git_tree_entry_id(e)))
		return 0;
	if ((ts->error = blob_scan(&res, ts->w, git_tree_entry_id(e))) < 0)
		return -1;
	if (res && asprintf(&path, "%s%s", root, git_tree_entry_name(e)) < 0) {
		path = NULL;
		ts->error = sghook_error_set("out of memory");
	}
	for (i = 0; res && path && i < res->n && ts->error == 0; i++)
		ts->error = report_hit(ts->out, &res->hits[i], path, NULL);
	free(path);
	result_free(res);
	return ts->error < 0 ? -1 : 0;
}

int sghook_scan_object(sghook_findings *out, git_repository *repo,
	const git_oid *id, const sghook_scan_opts *opts)
{
	git_object *obj = NULL, *peeled = NULL;
	blob_result *res = NULL;
	tree_scan ts = { out, NULL, 0 };
	worker w;
	char hex[GIT_OID_HEXSZ + 1], name[GIT_OID_HEXSZ + 8];
	size_t i;
	int error;

	git_oid_tostr(hex, sizeof(hex), id);
	if ((error = worker_open(&w, opts, repo)) < 0)
		goto done;
	if (git_object_lookup(&obj, repo, id, GIT_OBJECT_ANY) < 0) {
		error = sghook_error_from_git(hex);
		goto done;
	}
	while (git_object_type(obj) == GIT_OBJECT_TAG) {
		if (git_tag_target(&peeled, (git_tag *)obj) < 0) {
			error = sghook_error_from_git(hex);
			goto done;
		}
		git_object_free(obj);
		obj = peeled;
		peeled = NULL;
	}
	ts.w = &w;
	switch (git_object_type(obj)) {
	case GIT_OBJECT_TREE:
		if (git_tree_walk((git_tree *)obj, GIT_TREEWALK_PRE,
		    scan_tree_entry, &ts) < 0)
			error = ts.error < 0 ? ts.error :
				sghook_error_from_git(hex);
		break;
	case GIT_OBJECT_BLOB:
		git_oid_tostr(hex, 9, git_object_id(obj));
		snprintf(name, sizeof(name), "(blob %s)", hex);
		if ((error = blob_scan(&res, &w, git_object_id(obj))) < 0)
			break;
		for (i = 0; res && i < res->n && error == 0; i++)
			error = report_hit(out, &res->hits[i], name, NULL);
		break;
	default:
		break;  /* a commit goes through sghook_scan_commits() */
	}
done:
	result_free(res);
	git_object_free(peeled);
	git_object_free(obj);
	worker_close(&w);
	return error;
}

int sghook_scan_buffer(sghook_findings *out, const char *buf, size_t len,
	const char *path, const sghook_scan_opts *opts)
{
	worker w;
	blob_result *res = NULL;
	size_t i;
	int error;

	memset(&w, 0, sizeof(w));
	w.opts = opts;
	if ((error = sghook_matcher_new(&w.matcher, opts->rules)) < 0)
		goto done;
	sghook_matcher_use_jit(w.matcher, !opts->no_jit);
	if ((error = scan_content(&res, &w, buf, len)) < 0)
		goto done;
	for (i = 0; res && i < res->n && error == 0; i++)
		error = report_hit(out, &res->hits[i], path, NULL);
done:
	result_free(res);
	worker_close(&w);
	return error;
}
