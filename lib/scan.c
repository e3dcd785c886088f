/*
 * What a change adds.
 *
 * Every new blob is read once per run and tested for the rules' keywords
 * (memmem) before any regular expression runs; only a blob holding a
 * blocking match is looked at further. Such a match is new when no
 * parent's version of the file (found through rename and copy detection)
 * already holds the same secret: a deleted line, a kept line, a moved or
 * re-indented line and a renamed or copied file add no secret, and a merge
 * adds only what none of its parents had.
 *
 * Commits are spread over worker threads, each with its own repository
 * handle (libgit2 objects are not shared between threads); the blob cache
 * is shared under a lock.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

typedef struct {
	git_oid id;
	blob_result *res;  /* NULL: nothing blocking in this blob */
	int used;
} cache_slot;

typedef struct {
	cache_slot *slots;
	size_t cap, count;
	pthread_mutex_t lock;
} blob_cache;

typedef struct {
	const sghook_scan_opts *opts;
	blob_cache *cache;
	git_repository *repo;
	git_odb *odb;
	sghook_matcher *matcher;
	blob_hit *tmp;          /* hits of the blob being scanned */
	size_t ntmp, alloc;
} worker;

static const git_oid empty_blob = {{
	0xe6, 0x9d, 0xe2, 0x9b, 0xb2, 0xd1, 0xd6, 0x43, 0x4b, 0x8b,
	0x29, 0xae, 0x77, 0x5a, 0xd8, 0xc2, 0xe4, 0x8c, 0x53, 0x91 }};

/* ---- blob cache ------------------------------------------------------- */

static size_t slot_of(const blob_cache *c, const git_oid *id)
{
	size_t h;

	memcpy(&h, id->id, sizeof(h));
	return h & (c->cap - 1);
}

static void result_free(blob_result *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++)
		free(r->hits[i].secret);
	free(r);
}

static int cache_init(blob_cache *c)
{
	c->cap = 4096;
	c->count = 0;
	if (!(c->slots = calloc(c->cap, sizeof(*c->slots))))
		return sghook_error_set("out of memory");
	pthread_mutex_init(&c->lock, NULL);
	return 0;
}

static void cache_free(blob_cache *c)
{
	size_t i;

	for (i = 0; i < c->cap; i++)
		result_free(c->slots[i].res);
	free(c->slots);
	pthread_mutex_destroy(&c->lock);
}

/* Caller holds the lock. */
static cache_slot *cache_find(blob_cache *c, const git_oid *id)
{
	size_t i = slot_of(c, id);

	while (c->slots[i].used) {
		if (git_oid_equal(&c->slots[i].id, id))
			return &c->slots[i];
		i = (i + 1) & (c->cap - 1);
	}
	return &c->slots[i];
}

static int cache_grow(blob_cache *c)
{
	cache_slot *old = c->slots;
	size_t oldcap = c->cap, i;

	if (!(c->slots = calloc(oldcap * 2, sizeof(*c->slots)))) {
		c->slots = old;
		return sghook_error_set("out of memory");
	}
	c->cap = oldcap * 2;
	for (i = 0; i < oldcap; i++)
		if (old[i].used)
			*cache_find(c, &old[i].id) = old[i];
	free(old);
	return 0;
}

/*
 * Looks a blob up; returns 1 and its result when known. Two threads may
 * scan the same blob at once: the first to store wins, which is harmless.
 */
static int cache_get(blob_cache *c, const git_oid *id, blob_result **out)
{
	cache_slot *s;
	int found;

	pthread_mutex_lock(&c->lock);
	s = cache_find(c, id);
	found = s->used;
	if (found)
		*out = s->res;
	pthread_mutex_unlock(&c->lock);
	return found;
}

static int cache_put(blob_cache *c, const git_oid *id, blob_result **res)
{
	cache_slot *s;
	int error = 0;

	pthread_mutex_lock(&c->lock);
	if (c->count * 2 >= c->cap && (error = cache_grow(c)) < 0)
		goto done;
	s = cache_find(c, id);
	if (s->used) {
		result_free(*res);
		*res = s->res;
		goto done;
	}
	git_oid_cpy(&s->id, id);
	s->res = *res;
	s->used = 1;
	c->count++;
done:
	pthread_mutex_unlock(&c->lock);
	return error;
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

/* Matches in a buffer, as a result the cache can own. */
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
	blob_result *res = NULL;
	int error;

	if (cache_get(w->cache, id, out))
		return 0;
	if ((error = read_blob(&obj, w, id)) < 0)
		return error;
	error = scan_content(&res, w, git_odb_object_data(obj),
		git_odb_object_size(obj));
	git_odb_object_free(obj);
	if (error < 0)
		return error;
	if ((error = cache_put(w->cache, id, &res)) < 0) {
		result_free(res);
		return error;
	}
	*out = res;
	return 0;
}

/* ---- one change ------------------------------------------------------- */

/*
 * One side of a change against one parent: the parent's tree (NULL for
 * the empty tree) and the new tree or index.
 */
typedef struct {
	git_tree *old;
	git_diff *diff;       /* without unmodified files: cheap */
	git_diff *similar;    /* with renames and copies, made when needed */
} parent_side;

typedef struct {
	git_tree *tree;       /* new side: a tree ... */
	git_index *index;     /* ... or the index */
} new_side;

static int make_diff(git_diff **out, worker *w, git_tree *old,
	const new_side *ns, int similar)
{
	git_diff_options o;
	git_diff_find_options fo;
	int error;

	git_diff_options_init(&o, GIT_DIFF_OPTIONS_VERSION);
	git_diff_find_options_init(&fo, GIT_DIFF_FIND_OPTIONS_VERSION);
	o.flags = GIT_DIFF_SKIP_BINARY_CHECK | GIT_DIFF_IGNORE_SUBMODULES;
	if (similar)
		o.flags |= GIT_DIFF_INCLUDE_UNMODIFIED;
	error = ns->index ?
		git_diff_tree_to_index(out, w->repo, old, ns->index, &o) :
		git_diff_tree_to_tree(out, w->repo, old, ns->tree, &o);
	if (error < 0)
		return sghook_error_from_git("cannot diff");
	if (!similar)
		return 0;
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

static const git_diff_delta *delta_for(git_diff *diff, const char *path)
{
	size_t i, n = git_diff_num_deltas(diff);
	const git_diff_delta *d;

	for (i = 0; i < n; i++) {
		d = git_diff_get_delta(diff, i);
		if (d->status != GIT_DELTA_DELETED &&
		    !strcmp(d->new_file.path, path))
			return d;
	}
	return NULL;
}

/*
 * Which version of `path` the parent had: sets *old to its blob id, or to
 * NULL when the parent had nothing the file came from. Returns 1 when the
 * file is unchanged against this parent (it adds nothing).
 */
static int parent_version(const git_oid **old, worker *w, parent_side *p,
	const new_side *ns, const char *path)
{
	const git_diff_delta *d = delta_for(p->diff, path);
	int error;

	*old = NULL;
	if (!d)
		return 1;
	if (d->status != GIT_DELTA_ADDED) {
		*old = &d->old_file.id;
		return 0;
	}
	/* A new path: maybe a file moved or copied from elsewhere. */
	if (!p->similar &&
	    (error = make_diff(&p->similar, w, p->old, ns, 1)) < 0)
		return error;
	d = delta_for(p->similar, path);
	if (d && (d->status == GIT_DELTA_RENAMED ||
	    d->status == GIT_DELTA_COPIED))
		*old = &d->old_file.id;
	return 0;
}

static int load_ignore(sghook_ignore **out, worker *w, const new_side *ns)
{
	git_odb_object *obj = NULL;
	const git_index_entry *ie;
	git_tree_entry *te = NULL;
	const git_oid *id = NULL;
	int error;

	*out = NULL;
	if (ns->index) {
		if ((ie = git_index_get_bypath(ns->index, ".sghookignore", 0)))
			id = &ie->id;
	} else if (git_tree_entry_bypath(&te, ns->tree, ".sghookignore") == 0) {
		if (git_tree_entry_type(te) == GIT_OBJECT_BLOB)
			id = git_tree_entry_id(te);
	}
	if (!id) {
		git_tree_entry_free(te);
		return 0;
	}
	if ((error = read_blob(&obj, w, id)) == 0)
		error = sghook_ignore_parse(out, git_odb_object_data(obj),
			git_odb_object_size(obj));
	git_odb_object_free(obj);
	git_tree_entry_free(te);
	return error;
}

static int report_hit(sghook_findings *out, const blob_hit *h,
	const char *path, const git_oid *commit, const sghook_ignore *ig)
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
	if (ig && sghook_ignore_allows(ig, path, f.fingerprint))
		return 0;
	return sghook_findings_add(out, &f);
}

/* Holds the secret already? Reads the old blob at most once per file. */
static int old_holds(worker *w, const git_oid *old, git_odb_object **cache,
	const blob_hit *h)
{
	if (!old)
		return 0;
	if (!*cache && read_blob(cache, w, old) < 0)
		return -1;
	return memmem(git_odb_object_data(*cache), git_odb_object_size(*cache),
		h->secret, h->secret_len) != NULL;
}

static int judge_change(sghook_findings *out, worker *w, parent_side *ps,
	size_t nparents, const new_side *ns, const git_oid *commit)
{
	sghook_findings found = {0};
	sghook_ignore *ig = NULL;
	git_odb_object **olds = NULL;
	const git_oid **oldid = NULL;
	const git_diff_delta *d;
	blob_result *res;
	size_t i, j, k, n = git_diff_num_deltas(ps[0].diff);
	int error = 0, unchanged, held;

	if (!(olds = calloc(nparents, sizeof(*olds))) ||
	    !(oldid = calloc(nparents, sizeof(*oldid)))) {
		error = sghook_error_set("out of memory");
		goto done;
	}
	for (i = 0; i < n; i++) {
		d = git_diff_get_delta(ps[0].diff, i);
		if (d->status == GIT_DELTA_DELETED ||
		    d->new_file.mode == GIT_FILEMODE_COMMIT ||
		    git_oid_is_zero(&d->new_file.id) ||
		    git_oid_equal(&d->new_file.id, &empty_blob))
			continue;
		if ((error = blob_scan(&res, w, &d->new_file.id)) < 0)
			goto done;
		if (!res)
			continue;
		unchanged = 0;
		for (j = 0; j < nparents && !unchanged; j++) {
			error = parent_version(&oldid[j], w, &ps[j], ns,
				d->new_file.path);
			if (error < 0)
				goto done;
			unchanged = error == 1;
		}
		error = 0;
		for (k = 0; k < res->n && !unchanged; k++) {
			for (j = 0, held = 0; j < nparents && !held; j++) {
				held = old_holds(w, oldid[j], &olds[j],
					&res->hits[k]);
				if (held < 0) {
					error = SGHOOK_ERROR;
					goto done;
				}
			}
			if (!held && (error = report_hit(&found, &res->hits[k],
			    d->new_file.path, commit, NULL)) < 0)
				goto done;
		}
		for (j = 0; j < nparents; j++) {
			git_odb_object_free(olds[j]);
			olds[j] = NULL;
		}
	}
	if (found.count == 0)
		goto done;
	if (w->opts->use_ignore_file && (error = load_ignore(&ig, w, ns)) < 0)
		goto done;
	for (i = 0; i < found.count; i++) {
		sghook_finding *f = &found.items[i];

		if (ig && sghook_ignore_allows(ig, f->path, f->fingerprint))
			continue;
		if ((error = sghook_findings_add(out, f)) < 0)
			goto done;
	}
done:
	if (olds)
		for (j = 0; j < nparents; j++)
			git_odb_object_free(olds[j]);
	free(olds);
	free(oldid);
	sghook_ignore_free(ig);
	sghook_findings_clear(&found);
	return error;
}

static void sides_free(parent_side *ps, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		git_tree_free(ps[i].old);
		git_diff_free(ps[i].diff);
		git_diff_free(ps[i].similar);
	}
	free(ps);
}

/* ---- workers ---------------------------------------------------------- */

static int worker_open(worker *w, const sghook_scan_opts *opts,
	blob_cache *cache, git_repository *repo)
{
	int error;

	memset(w, 0, sizeof(*w));
	w->opts = opts;
	w->cache = cache;
	if (repo) {
		w->repo = repo;
	} else if (git_repository_open_ext(&w->repo, opts->repo_path,
	    opts->open_flags, NULL) < 0) {
		return sghook_error_from_git("cannot open repository");
	}
	if (git_repository_odb(&w->odb, w->repo) < 0)
		return sghook_error_from_git("cannot open object database");
	if ((error = sghook_matcher_new(&w->matcher, opts->rules)) < 0)
		return error;
	return 0;
}

static void worker_close(worker *w, int own_repo)
{
	size_t i;

	for (i = 0; i < w->ntmp; i++)
		free(w->tmp[i].secret);
	free(w->tmp);
	sghook_matcher_free(w->matcher);
	git_odb_free(w->odb);
	if (own_repo)
		git_repository_free(w->repo);
}

static int judge_commit(sghook_findings *out, worker *w, const git_oid *id)
{
	git_commit *c = NULL, *parent = NULL;
	parent_side *ps = NULL;
	new_side ns = {0};
	size_t np, i, nsides;
	char hex[GIT_OID_HEXSZ + 1];
	int error = SGHOOK_ERROR;

	git_oid_tostr(hex, sizeof(hex), id);
	if (git_commit_lookup(&c, w->repo, id) < 0 ||
	    git_commit_tree(&ns.tree, c) < 0) {
		sghook_error_from_git(hex);
		goto done;
	}
	np = git_commit_parentcount(c);
	nsides = np ? np : 1;
	if (!(ps = calloc(nsides, sizeof(*ps)))) {
		sghook_error_set("out of memory");
		goto done;
	}
	for (i = 0; i < np; i++) {
		if (git_commit_parent(&parent, c, (unsigned int)i) < 0 ||
		    git_commit_tree(&ps[i].old, parent) < 0) {
			sghook_error_from_git(hex);
			goto done;
		}
		git_commit_free(parent);
		parent = NULL;
	}
	for (i = 0; i < nsides; i++)
		if (make_diff(&ps[i].diff, w, ps[i].old, &ns, 0) < 0)
			goto done;
	error = judge_change(out, w, ps, nsides, &ns, id);
done:
	if (error < 0 && !strstr(sghook_error_last(), hex)) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", sghook_error_last());
		sghook_error_set("commit %s: %s", hex, msg);
	}
	sides_free(ps, ps ? nsides : 0);
	git_commit_free(parent);
	git_tree_free(ns.tree);
	git_commit_free(c);
	return error;
}

typedef struct {
	const sghook_oids *ids;
	sghook_findings *per_commit;
	atomic_size_t next, done;
	atomic_int failed;
	pthread_mutex_t err_lock;
	char err[512];
	const sghook_scan_opts *opts;
	blob_cache cache;
} pool;

static void pool_fail(pool *p)
{
	pthread_mutex_lock(&p->err_lock);
	if (!atomic_load(&p->failed))
		snprintf(p->err, sizeof(p->err), "%s", sghook_error_last());
	atomic_store(&p->failed, 1);
	pthread_mutex_unlock(&p->err_lock);
}

static void pool_work(pool *p, worker *w, int reports)
{
	size_t i, d;

	while (!atomic_load(&p->failed) &&
	    (i = atomic_fetch_add(&p->next, 1)) < p->ids->count) {
		if (judge_commit(&p->per_commit[i], w, &p->ids->ids[i]) < 0) {
			pool_fail(p);
			return;
		}
		d = atomic_fetch_add(&p->done, 1) + 1;
		if (reports && p->opts->progress)
			p->opts->progress(d, p->ids->count,
				p->opts->progress_payload);
	}
}

static void *pool_thread(void *arg)
{
	pool *p = arg;
	worker w;

	if (worker_open(&w, p->opts, &p->cache, NULL) < 0)
		pool_fail(p);
	else
		pool_work(p, &w, 0);
	worker_close(&w, 1);
	return NULL;
}

static int online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)n : 1;
}

int sghook_scan_commits(sghook_findings *out, git_repository *repo,
	const sghook_oids *ids, const sghook_scan_opts *opts)
{
	pool p;
	worker w;
	pthread_t *threads = NULL;
	size_t nthreads, started = 0, i;
	int error = 0, jobs = opts->jobs > 0 ? opts->jobs : online_cpus();

	memset(&p, 0, sizeof(p));
	p.ids = ids;
	p.opts = opts;
	pthread_mutex_init(&p.err_lock, NULL);
	if ((error = cache_init(&p.cache)) < 0)
		goto destroy;
	if (ids->count && !(p.per_commit = calloc(ids->count,
	    sizeof(*p.per_commit)))) {
		error = sghook_error_set("out of memory");
		goto done;
	}
	/* Threads pay off only past a handful of commits. */
	nthreads = (size_t)jobs - 1;
	if (ids->count < 16)
		nthreads = 0;
	if (nthreads && !(threads = calloc(nthreads, sizeof(*threads)))) {
		error = sghook_error_set("out of memory");
		goto done;
	}
	for (i = 0; i < nthreads; i++, started++)
		if (pthread_create(&threads[i], NULL, pool_thread, &p))
			break;
	/* The calling thread works too, on the caller's repository. */
	if ((error = worker_open(&w, opts, &p.cache, repo)) < 0)
		pool_fail(&p);
	else
		pool_work(&p, &w, 1);
	worker_close(&w, 0);
	for (i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	if (atomic_load(&p.failed)) {
		error = sghook_error_set("%s", p.err);
		goto done;
	}
	for (i = 0; i < ids->count && error == 0; i++)
		error = sghook_findings_append(out, &p.per_commit[i]);
done:
	if (p.per_commit)
		for (i = 0; i < ids->count; i++)
			sghook_findings_clear(&p.per_commit[i]);
	free(p.per_commit);
	free(threads);
	cache_free(&p.cache);
destroy:
	pthread_mutex_destroy(&p.err_lock);
	return error;
}

int sghook_scan_index(sghook_findings *out, git_repository *repo,
	const sghook_scan_opts *opts)
{
	blob_cache cache;
	worker w;
	parent_side *ps = NULL;
	new_side ns = {0};
	git_object *head = NULL;
	int error, unborn;

	if ((error = cache_init(&cache)) < 0)
		return error;
	if ((error = worker_open(&w, opts, &cache, repo)) < 0)
		goto done;
	error = SGHOOK_ERROR;
	if (!(ps = calloc(1, sizeof(*ps)))) {
		sghook_error_set("out of memory");
		goto done;
	}
	if (git_repository_index(&ns.index, repo) < 0) {
		sghook_error_from_git("cannot read the index");
		goto done;
	}
	unborn = git_repository_head_unborn(repo);
	if (unborn < 0) {
		sghook_error_from_git("cannot read HEAD");
		goto done;
	}
	if (!unborn) {
		if (git_revparse_single(&head, repo, "HEAD^{tree}") < 0) {
			sghook_error_from_git("cannot read HEAD");
			goto done;
		}
		ps[0].old = (git_tree *)head;
		head = NULL;
	}
	if (make_diff(&ps[0].diff, &w, ps[0].old, &ns, 0) < 0)
		goto done;
	error = judge_change(out, &w, ps, 1, &ns, NULL);
done:
	sides_free(ps, ps ? 1 : 0);
	git_object_free(head);
	git_index_free(ns.index);
	worker_close(&w, 0);
	cache_free(&cache);
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
		return error;
	if ((error = scan_content(&res, &w, buf, len)) < 0)
		goto done;
	for (i = 0; res && i < res->n && error == 0; i++)
		error = report_hit(out, &res->hits[i], path, NULL, NULL);
done:
	result_free(res);
	worker_close(&w, 0);
	return error;
}
