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
 *  1. Read every blob the range adds, each once, on every core, testing
 *     it for the rules' keywords before any regular expression (blobs.c).
 *  2. Only when some blob holds a blocking match: for each commit whose tree
 *     holds such a blob, compare it with its parents, descending only into
 *     subtrees that hold one, and judge those files; runs of commits in
 *     worker processes too.
 *
 * A range that adds no secret, the common case, costs one pass over its
 * trees and blobs, and no diff at all.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "procs.h"
#include "scan_internal.h"

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
		if (!objs[j] && sghook_worker_read(&objs[j], w, &olds[j]) < 0)
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
	if ((error = sghook_worker_read(&obj, w, id)) < 0 ||
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
			dirty = sghook_blobs_result(d->blobs, git_tree_entry_id(e)) != NULL;
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
			if (sghook_blobs_result(d->blobs, git_tree_entry_id(e)))
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
			sghook_blobs_result(d->blobs, &files.ids[i]), id);
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
	    (error = sghook_worker_open(&w, job->opts, job->repo)) == 0)
		for (; k < end && error == 0; k++)
			error = judge_commit(out, &w, &d, &job->ids->ids[k]);
	sghook_worker_close(&w);
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
		if ((error = sghook_procs_put(out, f, sizeof(*f))) == 0 &&
		    (error = sghook_procs_put(out, len, sizeof(len))) == 0 &&
		    (error = sghook_procs_put(out, f->path, len[0])) == 0)
			error = sghook_procs_put(out, f->secret, len[1]);
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
	sghook_procs_reader r = { o->data, o->data + o->len };
	sghook_finding f;
	uint64_t len[2] = {0, 0};
	int error = 0;

	while (r.p < r.end && error == 0) {
		if ((error = sghook_procs_take(&r, &f, sizeof(f))) < 0 ||
		    (error = sghook_procs_take(&r, len, sizeof(len))) < 0)
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
	size_t n = sghook_scan_jobs(opts), i;
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

	if ((error = sghook_blobs_init(&blobs)) < 0 ||
	    (error = sghook_blobs_read_all(&blobs, repo, ids, opts)) < 0)
		goto done;
	for (i = 0; i < blobs.count; i++)
		blocking += sghook_blobs_at(&blobs, i)->res != NULL;
	if (blocking)
		error = judge_all(out, repo, &blobs, ids, opts);
done:
	sghook_blobs_free(&blobs);
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

	if ((error = sghook_worker_open(&w, opts, repo)) < 0)
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
		    sghook_blob_skipped(&d->new_file.id))
			continue;
		if ((error = sghook_worker_scan_blob(&res, &w, &d->new_file.id)) < 0 || !res)
			continue;
		error = judge_file(&found, &w, mp.ps, mp.n, &ns,
			d->new_file.path, &d->new_file.id, res, NULL);
		sghook_blob_result_free(res);
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
	sghook_worker_close(&w);
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
	    sghook_blob_skipped(git_tree_entry_id(e)))
		return 0;
	if ((ts->error = sghook_worker_scan_blob(&res, ts->w, git_tree_entry_id(e))) < 0)
		return -1;
	if (res && asprintf(&path, "%s%s", root, git_tree_entry_name(e)) < 0) {
		path = NULL;
		ts->error = sghook_error_set("out of memory");
	}
	for (i = 0; res && path && i < res->n && ts->error == 0; i++)
		ts->error = report_hit(ts->out, &res->hits[i], path, NULL);
	free(path);
	sghook_blob_result_free(res);
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
	if ((error = sghook_worker_open(&w, opts, repo)) < 0)
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
		if ((error = sghook_worker_scan_blob(&res, &w, git_object_id(obj))) < 0)
			break;
		for (i = 0; res && i < res->n && error == 0; i++)
			error = report_hit(out, &res->hits[i], name, NULL);
		break;
	default:
		break;  /* a commit goes through sghook_scan_commits() */
	}
done:
	sghook_blob_result_free(res);
	git_object_free(peeled);
	git_object_free(obj);
	sghook_worker_close(&w);
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
	if ((error = sghook_worker_scan(&res, &w, buf, len)) < 0)
		goto done;
	for (i = 0; res && i < res->n && error == 0; i++)
		error = report_hit(out, &res->hits[i], path, NULL);
done:
	sghook_blob_result_free(res);
	sghook_worker_close(&w);
	return error;
}
