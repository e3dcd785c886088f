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

static const git_oid empty_blob = {{
	0xe6, 0x9d, 0xe2, 0x9b, 0xb2, 0xd1, 0xd6, 0x43, 0x4b, 0x8b,
	0x29, 0xae, 0x77, 0x5a, 0xd8, 0xc2, 0xe4, 0x8c, 0x53, 0x91 }};

void sghook_blob_result_free(blob_result *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++)
		free(r->hits[i].secret);
	free(r);
}

blob_entry *sghook_blobs_at(const blob_set *b, size_t i)
{
	return &b->blocks[i / BLOCK][i % BLOCK];
}

int sghook_blobs_init(blob_set *b)
{
	memset(b, 0, sizeof(*b));
	if (!(b->blocks = calloc(MAX_BLOCKS, sizeof(*b->blocks))))
		return sghook_error_set("out of memory");
	return sghook_oidmap_init(&b->index);
}

void sghook_blobs_free(blob_set *b)
{
	size_t i;

	for (i = 0; i < b->count; i++)
		sghook_blob_result_free(sghook_blobs_at(b, i)->res);
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
	git_oid_cpy(&sghook_blobs_at(b, b->count)->id, id);
	sghook_blobs_at(b, b->count)->path = path;
	sghook_blobs_at(b, b->count)->known = 0;
	sghook_blobs_at(b, b->count)->res = NULL;
	b->count++;
	return 0;
}

/* The result of a blob listed in pass 1, or NULL. */
blob_result *sghook_blobs_result(const blob_set *b, const git_oid *id)
{
	uint32_t i;

	return sghook_oidmap_get(&b->index, id, &i) && i < b->count ?
		sghook_blobs_at(b, i)->res : NULL;
}

int sghook_blob_skipped(const git_oid *id)
{
	return git_oid_is_zero(id) || git_oid_equal(id, &empty_blob);
}

/* ---- one blob --------------------------------------------------------- */

static int collect_hit(const sghook_match *m, void *payload)
{
	worker *w = payload;
	blob_hit *h;

	if (SGHOOK_ARRAY_GROW(w->tmp, w->alloc, w->ntmp + 1) < 0)
		return SGHOOK_ERROR;
	h = &w->tmp[w->ntmp];
	if (!(h->secret = strndup(m->secret, m->secret_len)))
		return sghook_error_set("out of memory");
	h->rule = m->rule;
	h->line = m->line;
	h->column = m->column;
	h->secret_len = m->secret_len;
	h->tier = m->tier;
	h->encoding = m->encoding;
	w->ntmp++;
	return 0;
}

/* Blocking matches in a buffer, or NULL when there are none. */
int sghook_worker_scan(blob_result **out, worker *w, const char *buf,
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

void sghook_blob_data_free(blob_data *d)
{
	git_odb_object_free(d->obj);
	free(d->own);
	memset(d, 0, sizeof(*d));
}

static int add_dir(worker *w, const char *dir, size_t len)
{
	if (!len)
		return 0;
	if (SGHOOK_ARRAY_GROW(w->dirs, w->adirs, w->ndirs + 1) < 0)
		return SGHOOK_ERROR;
	if (!(w->dirs[w->ndirs] = strndup(dir, len)))
		return sghook_error_set("out of memory");
	w->ndirs++;
	return 0;
}

/*
 * Where loose objects may be: as git's environment names them to hooks
 * (a push's quarantine, and the repository beside it as an alternate),
 * then the repository's own directory. An object is its id's content
 * wherever it is found.
 */
static int list_dirs(worker *w)
{
	const char *env = getenv("GIT_OBJECT_DIRECTORY"), *p, *colon;
	git_buf own = GIT_BUF_INIT;
	int error = 0;

	if (env)
		error = add_dir(w, env, strlen(env));
	env = getenv("GIT_ALTERNATE_OBJECT_DIRECTORIES");
	for (p = env; error == 0 && p && *p; p = colon ? colon + 1 : "") {
		colon = strchr(p, ':');
		error = add_dir(w, p, colon ? (size_t)(colon - p) : strlen(p));
	}
	if (error == 0 && git_repository_item_path(&own, w->repo,
	    GIT_REPOSITORY_ITEM_OBJECTS) == 0)
		error = add_dir(w, own.ptr, own.size);
	git_buf_dispose(&own);
	return error;
}

/*
 * libgit2 reads a loose object whole before inflating it: a large blob
 * that compresses badly takes twice its size. When that is more memory
 * than there is, the blob is read again from its file by loose.c, in its
 * own size.
 */
static int read_lean(blob_data *out, worker *w, const git_oid *id)
{
	size_t i;
	int error = SGHOOK_ENOTFOUND;

	if (!w->dirs && (error = list_dirs(w)) < 0)
		return error;
	for (i = 0; i < w->ndirs; i++) {
		error = sghook_loose_read(&out->own, &out->len, w->dirs[i], id);
		if (error != SGHOOK_ENOTFOUND)
			break;
	}
	if (error == 0)
		out->data = out->own;
	return error;
}

int sghook_worker_read(blob_data *out, worker *w, const git_oid *id)
{
	char hex[GIT_OID_HEXSZ + 1];
	const git_error *e;
	int error, oom, lean;

	memset(out, 0, sizeof(*out));
	if (git_odb_read(&out->obj, w->odb, id) == 0) {
		out->data = git_odb_object_data(out->obj);
		out->len = git_odb_object_size(out->obj);
		return 0;
	}
	oom = (e = git_error_last()) && e->klass == GIT_ERROR_NOMEMORY;
	git_oid_tostr(hex, sizeof(hex), id);
	error = sghook_error_from_git(hex);
	if (!oom || (lean = read_lean(out, w, id)) == SGHOOK_ENOTFOUND)
		return error;
	return lean;
}

int sghook_worker_scan_blob(blob_result **out, worker *w, const git_oid *id)
{
	blob_data d;
	int error;

	if ((error = sghook_worker_read(&d, w, id)) < 0)
		return error;
	error = sghook_worker_scan(out, w, d.data, d.len);
	sghook_blob_data_free(&d);
	return error;
}

/* ---- workers ---------------------------------------------------------- */

int sghook_worker_open(worker *w, const sghook_scan_opts *opts,
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

void sghook_worker_close(worker *w)
{
	size_t i;

	for (i = 0; i < w->ntmp; i++)
		free(w->tmp[i].secret);
	free(w->tmp);
	for (i = 0; i < w->ndirs; i++)
		free(w->dirs[i]);
	free(w->dirs);
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

size_t sghook_scan_jobs(const sghook_scan_opts *opts)
{
	return opts->jobs > 1 ? (size_t)opts->jobs : 1;
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
		sghook_blobs_at(b, i)->known = 1;
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
		if (git_oid_equal(git_tree_entry_id(pe), git_tree_entry_id(e))) {
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
 * Lists the blobs of a tree of the range, or, when `known`, marks those of
 * a tree outside it (a parent of the range's oldest commits) as known.
 * `recent` (NULL when `known`) holds the trees listed last.
 */
static int list_tree(blob_set *b, sghook_oidmap *trees, git_tree **recent,
	git_repository *repo, const git_oid *id, uint32_t dir, int known)
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
			error = list_tree(b, trees, recent, repo,
				git_tree_entry_id(e),
				hash_more(dir, git_tree_entry_name(e)), known);
			break;
		case GIT_OBJECT_BLOB:
			if (known)
				blobs_know(b, git_tree_entry_id(e));
			else if (!sghook_blob_skipped(git_tree_entry_id(e)))
				error = blobs_add(b, git_tree_entry_id(e),
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
	git_tree **recent = NULL;
	git_commit *c = NULL;
	size_t i, j, done;
	uint32_t v;
	int error;

	if ((error = sghook_oidmap_init(&trees)) < 0)
		goto done;
	if (!(recent = calloc(RECENT, sizeof(*recent)))) {
		error = sghook_error_set("out of memory");
		goto done;
	}
	for (i = 0; i < ws->count && error == 0; i++) {
		if ((error = sghook_deadline_check()) < 0)
			break;
		if (git_commit_lookup(&c, ws->repo, &ws->ids[i]) < 0) {
			char hex[GIT_OID_HEXSZ + 1];

			git_oid_tostr(hex, sizeof(hex), &ws->ids[i]);
			error = sghook_error_from_git(hex);
			break;
		}
		error = list_tree(&ws->blobs, &trees, recent, ws->repo,
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
	for (i = 0; recent && i < RECENT; i++)
		git_tree_free(recent[i]);
	free(recent);
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

	if ((error = sghook_blobs_init(&ws->blobs)) < 0 ||
	    (error = walk_share_run(ws, job->opts, job->total, 0)) < 0)
		return error;
	n = ws->blobs.count;
	error = sghook_procs_put(out, &n, sizeof(n));
	for (k = 0; k < ws->blobs.count && error == 0; k++)
		if ((error = sghook_procs_put(out, sghook_blobs_at(&ws->blobs, k)->id.id,
		    GIT_OID_RAWSZ)) == 0)
			error = sghook_procs_put(out, &sghook_blobs_at(&ws->blobs, k)->path,
				sizeof(uint32_t));
	n = ws->edge.count;
	if (error == 0)
		error = sghook_procs_put(out, &n, sizeof(n));
	for (k = 0; k < ws->edge.count && error == 0; k++)
		error = sghook_procs_put(out, ws->edge.ids[k].id, GIT_OID_RAWSZ);
	return error;
}

/* In the parent: share i's blobs and edge, from its worker's output. */
static int walk_merge(blob_set *b, walk_share *ws, const sghook_proc_output *o)
{
	sghook_procs_reader r = { o->data, o->data + o->len };
	uint64_t n = 0, k;
	git_oid id;
	uint32_t path = 0;
	int error;

	if ((error = sghook_procs_take(&r, &n, sizeof(n))) < 0)
		return error;
	for (k = 0; k < n && error == 0; k++)
		if ((error = sghook_procs_take(&r, id.id, GIT_OID_RAWSZ)) == 0 &&
		    (error = sghook_procs_take(&r, &path, sizeof(path))) == 0)
			error = blobs_add(b, &id, path);
	if (error == 0)
		error = sghook_procs_take(&r, &n, sizeof(n));
	for (k = 0; k < n && error == 0; k++)
		if ((error = sghook_procs_take(&r, id.id, GIT_OID_RAWSZ)) == 0)
			error = sghook_oids_push(&ws->edge, &id);
	return error;
}

/* In the parent, beside the workers: share 0. */
static int walk_local(void *ctx)
{
	walk_job *job = ctx;
	int error;

	if ((error = sghook_blobs_init(&job->ws[0].blobs)) < 0)
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
			if ((error = sghook_deadline_check()) < 0)
				break;
			if (git_commit_lookup(&c, repo, &ws[i].edge.ids[j]) < 0)
				continue;
			error = list_tree(b, &trees, NULL, repo,
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

	if (ids->count == 0)
		return 0;  /* an empty range: nothing to list (and no array) */
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
	if (b->count == 0) {
		/* Share 0's set becomes the run's: a copy would hold two. */
		sghook_blobs_free(b);
		*b = ws[0].blobs;
		memset(&ws[0].blobs, 0, sizeof(ws[0].blobs));
	}
	for (i = 0; i < ws[0].blobs.count && error == 0; i++)
		error = blobs_add(b, &sghook_blobs_at(&ws[0].blobs, i)->id,
			sghook_blobs_at(&ws[0].blobs, i)->path);
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
			sghook_blobs_free(&ws[i].blobs);
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

	if ((error = sghook_worker_open(&w, p->opts, p->repo)) < 0)
		goto done;
	while (!atomic_load(&p->c->failed) &&
	    (start = atomic_fetch_add(&p->c->next, CHUNK)) < n) {
		end = start + CHUNK < n ? start + CHUNK : n;
		if ((error = sghook_deadline_check()) < 0)
			break;
		for (i = start; i < end && error == 0; i++) {
			e = sghook_blobs_at(p->blobs, p->blobs->order[i]);
			error = sghook_worker_scan_blob(&e->res, &w, &e->id);
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
	sghook_worker_close(&w);
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
		if (!(e = sghook_blobs_at(p->blobs, pos))->res)
			continue;
		n = (uint32_t)e->res->n;
		if ((error = sghook_procs_put(out, &pos, sizeof(pos))) == 0)
			error = sghook_procs_put(out, &n, sizeof(n));
		for (h = 0; h < n && error == 0; h++)
			if ((error = sghook_procs_put(out, &e->res->hits[h],
			    sizeof(blob_hit))) == 0)
				error = sghook_procs_put(out, e->res->hits[h].secret,
					e->res->hits[h].secret_len);
	}
	return error;
}

/* In the parent: the results a worker sent, into the set. */
static int pool_merge(blob_set *b, const sghook_proc_output *o)
{
	sghook_procs_reader r = { o->data, o->data + o->len };
	blob_result *res;
	blob_hit *h;
	uint32_t pos = 0, n = 0, k;
	int error = 0;

	while (r.p < r.end && error == 0) {
		if ((error = sghook_procs_take(&r, &pos, sizeof(pos))) < 0 ||
		    (error = sghook_procs_take(&r, &n, sizeof(n))) < 0)
			break;
		if (pos >= b->count || n == 0 || n > (1u << 20) ||
		    sghook_blobs_at(b, pos)->res)
			return sghook_error_set("a worker process sent a bad "
				"result");
		if (!(res = calloc(1, sizeof(*res) + n * sizeof(blob_hit))))
			return sghook_error_set("out of memory");
		sghook_blobs_at(b, pos)->res = res;
		for (k = 0; k < n && error == 0; k++) {
			h = &res->hits[k];
			if ((error = sghook_procs_take(&r, h, sizeof(*h))) < 0)
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

	b->nread = 0;
	if (b->count == 0)
		return 0;
	if (!(b->order = malloc(b->count * sizeof(*b->order))) ||
	    !(keys = malloc(b->count * sizeof(*keys))))
		return sghook_error_set("out of memory");
	for (i = 0; i < b->count; i++)
		if (!sghook_blobs_at(b, i)->known)
			keys[n++] = (uint64_t)sghook_blobs_at(b, i)->path << 32 | i;
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
int sghook_blobs_read_all(blob_set *b, git_repository *repo,
	const sghook_oids *ids, const sghook_scan_opts *opts)
{
	sghook_proc_output *outs = NULL;
	blob_pool p;
	counters *c;
	size_t jobs = sghook_scan_jobs(opts), i;
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

