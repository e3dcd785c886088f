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

#include <git2.h>
#include <git2/sys/hashsig.h>
/* libgit2 1.8 moved git_error_clear() to the headers for extensions. */
#if LIBGIT2_VER_MAJOR > 1 || LIBGIT2_VER_MINOR >= 8
#include <git2/sys/errors.h>
#endif

#include "array.h"
#include "index.h"
#include "procs.h"
#include "scan_internal.h"

/* ---- judging one file of a change ------------------------------------- */

typedef struct {
	char **paths;
	git_oid *ids;
	size_t count, apaths, aids;
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
	if (SGHOOK_ARRAY_GROW(f->paths, f->apaths, f->count + 1) < 0 ||
	    SGHOOK_ARRAY_GROW(f->ids, f->aids, f->count + 1) < 0)
		return SGHOOK_ERROR;
	if (!(f->paths[f->count] = strdup(path)))
		return sghook_error_set("out of memory");
	git_oid_cpy(&f->ids[f->count++], id);
	return 0;
}

/* One parent of a change: its tree (NULL: the empty tree). */
typedef struct {
	git_tree *tree;
	file_list files;     /* every file of the tree, listed when needed */
	int listed;
} parent_side;

static int list_file(const char *root, const git_tree_entry *e, void *payload)
{
	file_list *f = payload;
	char *path;
	int error;

	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB)
		return 0;
	if (asprintf(&path, "%s%s", root, git_tree_entry_name(e)) < 0)
		return sghook_error_set("out of memory");
	error = files_push(f, path, git_tree_entry_id(e));
	free(path);
	return error;
}

static int same_dir(const char *a, const char *b)
{
	const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');
	size_t la = sa ? (size_t)(sa - a) : 0, lb = sb ? (size_t)(sb - b) : 0;

	return la == lb && !memcmp(a, b, la);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Does `buf` hold the secret of any of the hits? */
static int holds_a_secret(const char *buf, size_t len,
	const sghook_blob_result *res)
{
	size_t k;

	for (k = 0; k < res->n; k++)
		if (memmem(buf, len, res->hits[k].secret,
		    res->hits[k].secret_len) ||
		    (res->hits[k].encoding && sghook_decode_holds(buf, len,
		    res->hits[k].secret, res->hits[k].secret_len)))
			return 1;
	return 0;
}

/*
 * Where a file new to the parent came from, as git's copy detection
 * would say, but looking only where the secret can be: the parent's files
 * that hold one of its secrets, in the same directory or under the same
 * name elsewhere (a rename, a copy next door, a move), and at least half
 * similar (libgit2's similarity signature, git's default threshold). An
 * identical blob anywhere is a copy. Reading every file of the parent, as
 * git's --find-copies-harder does, would make a staged token cost as much
 * as the whole tree.
 */
static int copy_source(git_oid *old, sghook_scan_ctx *sc, parent_side *p,
	const char *path, const git_oid *id, const sghook_blob_result *res)
{
	sghook_blob_data mine = { NULL, NULL, NULL, 0 }, theirs = mine;
	git_hashsig *sig = NULL, *other = NULL;
	const git_hashsig_option_t how = GIT_HASHSIG_NORMAL |
		GIT_HASHSIG_ALLOW_SMALL_FILES;
	int best = -1, score, error = 0;
	size_t i;

	if (!p->listed) {
		if (git_tree_walk(p->tree, GIT_TREEWALK_PRE, list_file,
		    &p->files) < 0)
			return git_error_last() ? sghook_error_from_git(
				"cannot list the parent's files") : SGHOOK_ERROR;
		p->listed = 1;
	}
	for (i = 0; i < p->files.count; i++)
		if (git_oid_equal(&p->files.ids[i], id)) {
			git_oid_cpy(old, id);
			return 0;
		}
	for (i = 0; i < p->files.count && error == 0; i++) {
		const char *cand = p->files.paths[i];

		if (!same_dir(cand, path) &&
		    strcmp(base_name(cand), base_name(path)))
			continue;
		if ((error = sghook_scan_ctx_read(&theirs, sc,
		    &p->files.ids[i])) < 0)
			break;
		if (holds_a_secret(theirs.data, theirs.len, res)) {
			if (!sig && ((error = sghook_scan_ctx_read(&mine, sc,
			    id)) < 0 || git_hashsig_create(&sig, mine.data,
			    mine.len, how) < 0)) {
				error = error < 0 ? error :
					sghook_error_from_git(path);
				break;
			}
			if (git_hashsig_create(&other, theirs.data, theirs.len,
			    how) < 0) {
				error = sghook_error_from_git(cand);
				break;
			}
			score = git_hashsig_compare(sig, other);
			if (score >= 50 && score > best) {
				best = score;
				git_oid_cpy(old, &p->files.ids[i]);
			}
			git_hashsig_free(other);
			other = NULL;
		}
		sghook_blob_data_free(&theirs);
	}
	git_hashsig_free(other);
	git_hashsig_free(sig);
	sghook_blob_data_free(&theirs);
	sghook_blob_data_free(&mine);
	return error;
}

/*
 * The parent's version of `path`: *old is its blob, or zero when the
 * parent had nothing the file came from. Returns 1 when the parent has
 * the very same content (the change adds nothing against it).
 */
static int parent_version(git_oid *old, sghook_scan_ctx *sc, parent_side *p,
	const char *path, const git_oid *id, const sghook_blob_result *res)
{
	git_tree_entry *te = NULL;

	memset(old, 0, sizeof(*old));
	if (!p->tree)
		return 0;  /* a root commit: everything is new */
	if (git_tree_entry_bypath(&te, p->tree, path) == 0 &&
	    git_tree_entry_type(te) == GIT_OBJECT_BLOB) {
		git_oid_cpy(old, git_tree_entry_id(te));
		git_tree_entry_free(te);
		return git_oid_equal(old, id);
	}
	git_tree_entry_free(te);
	/* A new path: maybe a file moved or copied from elsewhere. */
	return copy_source(old, sc, p, path, id, res);
}

static int report_hit(sghook_findings *out, const sghook_blob_hit *h,
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
	f.encoding = h->encoding;
	if (commit) {
		git_oid_cpy(&f.commit, commit);
		f.has_commit = 1;
	}
	sghook_finding_fingerprint(&f);
	return sghook_findings_add(out, &f);
}

/*
 * Whether `data` holds the secret where it was not allowed inline: a
 * token allowed by a marker that comes to a new home without it (a copy,
 * a rename, the marker deleted) is new there.
 */
static int held_in(const char *data, size_t size, const sghook_blob_hit *h)
{
	const char *p = data, *hit, *eol = NULL, *limit = NULL;

	if (h->encoding && sghook_decode_holds(data, size, h->secret,
	    h->secret_len))
		return 1;
	while ((hit = memmem(p, size - (size_t)(p - data), h->secret,
	    h->secret_len))) {
		/* One look at each line, however many copies it holds. */
		if (!eol || hit >= eol)
			limit = sghook_match_rule_allow_limit(h->rule, data, size,
				(size_t)(hit - data), &eol);
		if (!limit || hit + h->secret_len > limit)
			return 1;
		p = hit + 1;
	}
	return 0;
}

/* Does some parent's version of the file hold the secret already? */
static int held_before(sghook_scan_ctx *sc, const git_oid *olds,
	sghook_blob_data *objs, size_t nparents, const sghook_blob_hit *h)
{
	size_t j;

	for (j = 0; j < nparents; j++) {
		if (git_oid_is_zero(&olds[j]))
			continue;
		if (!objs[j].data && sghook_scan_ctx_read(&objs[j], sc,
		    &olds[j]) < 0)
			return -1;
		if (held_in(objs[j].data, objs[j].len, h))
			return 1;
	}
	return 0;
}

static int judge_file(sghook_findings *out, sghook_scan_ctx *sc,
	parent_side *ps, size_t nparents, const char *path, const git_oid *id,
	const sghook_blob_result *res, const git_oid *commit)
{
	git_oid *olds = calloc(nparents, sizeof(*olds));
	sghook_blob_data *objs = calloc(nparents, sizeof(*objs));
	size_t j, k;
	int error = 0, held;

	if (!olds || !objs) {
		error = sghook_error_set("out of memory");
		goto done;
	}
	for (j = 0; j < nparents; j++) {
		error = parent_version(&olds[j], sc, &ps[j], path, id, res);
		if (error != 0) {
			error = error < 0 ? error : 0;  /* 1: adds nothing */
			goto done;
		}
	}
	for (k = 0; k < res->n; k++) {
		if ((held = held_before(sc, olds, objs, nparents,
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
			sghook_blob_data_free(&objs[j]);
	free(objs);
	free(olds);
	return error;
}

/*
 * Drops the findings that .sghookignore of the new version (blob `id`,
 * NULL when it has none) allows.
 */
static int apply_ignore(sghook_findings *found, sghook_scan_ctx *sc,
	const git_oid *id)
{
	sghook_blob_data obj = { NULL, NULL, NULL, 0 };
	sghook_ignore *ig = NULL;
	size_t i, kept = 0;
	int error = 0;

	if (!sc->opts->use_ignore_file || found->count == 0 || !id)
		return 0;
	if ((error = sghook_scan_ctx_read(&obj, sc, id)) < 0 ||
	    (error = sghook_ignore_parse(&ig, obj.data, obj.len)) < 0)
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
	sghook_blob_data_free(&obj);
	return error;
}

/* The apply_ignore() of a change whose new side is a tree. */
static int apply_tree_ignore(sghook_findings *found, sghook_scan_ctx *sc,
	git_tree *tree)
{
	git_tree_entry *te = NULL;
	int error;

	if (git_tree_entry_bypath(&te, tree, ".sghookignore") == 0 &&
	    git_tree_entry_type(te) == GIT_OBJECT_BLOB)
		error = apply_ignore(found, sc, git_tree_entry_id(te));
	else
		error = apply_ignore(found, sc, NULL);
	git_tree_entry_free(te);
	return error;
}

static void sides_free(parent_side *ps, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		git_tree_free(ps[i].tree);
		files_free(&ps[i].files);
	}
	free(ps);
}

/* ---- pass 2: commits whose trees hold a blocking blob ------------------ */

typedef struct {
	const sghook_blobset *blobs;  /* LIST: what pass 1 read; NULL in DIFF */
	sghook_oidmap dirty;  /* tree id -> 1 holds a blocking blob, 0 not */
	/* The commit judged last and its tree: often the next one's parent. */
	git_oid last;
	git_tree *last_tree;
	/*
	 * DIFF: the blobs read so far (id -> position in `res`, whose entry
	 * is NULL when the blob holds nothing blocking), and, listed when a
	 * blob first holds a secret, those the range's base has.
	 */
	sghook_oidmap read;
	sghook_blob_result **res;
	size_t nres, ares;
	const sghook_oids *range;
	sghook_oidmap base;
	int base_listed;
	int sample;             /* only count the cost: read no blob */
	size_t cost;            /* tree entries compared */
} dirt;

static void dirt_free(dirt *d)
{
	size_t i;

	for (i = 0; i < d->nres; i++)
		sghook_blob_result_free(d->res[i]);
	free(d->res);
	sghook_oidmap_free(&d->read);
	sghook_oidmap_free(&d->base);
	sghook_oidmap_free(&d->dirty);
	git_tree_free(d->last_tree);
	memset(d, 0, sizeof(*d));
}

static int dirt_init(dirt *d, const sghook_blobset *blobs,
	const sghook_oids *range)
{
	int error;

	memset(d, 0, sizeof(*d));
	d->blobs = blobs;
	d->range = range;
	if ((error = sghook_oidmap_init(&d->dirty)) < 0 ||
	    (!blobs && ((error = sghook_oidmap_init(&d->read)) < 0 ||
	    (error = sghook_oidmap_init(&d->base)) < 0)))
		dirt_free(d);
	return error;
}

/* What a blob that pass 1 listed, or that DIFF read, holds. */
static const sghook_blob_result *dirt_result(const dirt *d, const git_oid *id)
{
	uint32_t i;

	if (d->blobs)
		return sghook_blobset_result(d->blobs, id);
	return sghook_oidmap_get(&d->read, id, &i) ? d->res[i] : NULL;
}

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
			dirty = sghook_blobset_result(d->blobs,
			    git_tree_entry_id(e)) != NULL;
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

/*
 * Files of `tree` whose blob blocks and differs from `old` (NULL: the
 * empty tree), descending only into subtrees that hold such a blob.
 */
static int changed_files(file_list *out, dirt *d, git_repository *repo,
	git_tree *tree, git_tree *old, const char *prefix);

/*
 * Subtree `e` at `path`, when it holds a blocking blob, against `oe`,
 * the parent's entry of its name (NULL: none).
 */
static int changed_subtree(file_list *out, dirt *d, git_repository *repo,
	const git_tree_entry *e, const git_tree_entry *oe, const char *path)
{
	git_tree *sub = NULL, *oldsub = NULL;
	char *dir = NULL;
	uint32_t dirty;
	int error;

	if (sghook_oidmap_get(&d->dirty, git_tree_entry_id(e), &dirty) &&
	    !dirty)
		return 0;
	if (git_tree_lookup(&sub, repo, git_tree_entry_id(e)) < 0)
		return sghook_error_from_git(path);
	if ((error = tree_dirty_of(d, repo, sub)) <= 0)
		goto done;
	if (oe && git_tree_entry_type(oe) == GIT_OBJECT_TREE &&
	    git_tree_lookup(&oldsub, repo, git_tree_entry_id(oe)) < 0) {
		error = sghook_error_from_git(path);
	} else if (asprintf(&dir, "%s/", path) < 0) {
		dir = NULL;
		error = sghook_error_set("out of memory");
	} else {
		error = changed_files(out, d, repo, sub, oldsub, dir);
	}
done:
	free(dir);
	git_tree_free(oldsub);
	git_tree_free(sub);
	return error < 0 ? error : 0;
}

static int changed_files(file_list *out, dirt *d, git_repository *repo,
	git_tree *tree, git_tree *old, const char *prefix)
{
	const git_tree_entry *e, *oe;
	char *path = NULL;
	size_t i, n = git_tree_entrycount(tree);
	int error = 0;

	for (i = 0; i < n && error >= 0; i++) {
		e = git_tree_entry_byindex(tree, i);
		oe = old ? git_tree_entry_byname(old, git_tree_entry_name(e)) :
			NULL;
		if (oe && git_oid_equal(git_tree_entry_id(oe),
		    git_tree_entry_id(e)))
			continue;
		free(path);
		if (asprintf(&path, "%s%s", prefix,
		    git_tree_entry_name(e)) < 0) {
			path = NULL;
			error = sghook_error_set("out of memory");
		} else if (git_tree_entry_type(e) == GIT_OBJECT_BLOB) {
			if (sghook_blobset_result(d->blobs,
			    git_tree_entry_id(e)))
				error = files_push(out, path,
					git_tree_entry_id(e));
		} else if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
			error = changed_subtree(out, d, repo, e, oe, path);
		}
	}
	free(path);
	return error < 0 ? error : 0;
}

/* ---- DIFF: each commit against its parents ---------------------------- */

/*
 * The blobs the range's base holds (the trees of the parents outside the
 * range), as pass 1 knows them: a blob there is not new to the range.
 * Listed whole, but only once some blob the range changes holds a
 * secret, which is rare.
 */
static int base_list_tree(sghook_oidmap *base, sghook_oidmap *trees,
	git_repository *repo, const git_oid *id)
{
	git_tree *tree = NULL;
	const git_tree_entry *e;
	size_t i, n;
	int error;

	if ((error = sghook_oidmap_put(trees, id, 0)) != 0)
		return error < 0 ? error : 0;
	if (git_tree_lookup(&tree, repo, id) < 0) {
		char hex[GIT_OID_HEXSZ + 1];

		git_oid_tostr(hex, sizeof(hex), id);
		return sghook_error_from_git(hex);
	}
	n = git_tree_entrycount(tree);
	for (i = 0; i < n && error >= 0; i++) {
		e = git_tree_entry_byindex(tree, i);
		if (git_tree_entry_type(e) == GIT_OBJECT_TREE)
			error = base_list_tree(base, trees, repo,
				git_tree_entry_id(e));
		else if (git_tree_entry_type(e) == GIT_OBJECT_BLOB)
			error = sghook_oidmap_put(base, git_tree_entry_id(e),
			    0);
	}
	git_tree_free(tree);
	return error < 0 ? error : 0;
}

static int base_list(dirt *d, git_repository *repo)
{
	sghook_oidmap range = {0}, seen = {0}, trees = {0};
	git_commit *c = NULL, *p = NULL;
	const git_oid *pid;
	size_t i, j;
	uint32_t v;
	int error;

	d->base_listed = 1;
	if ((error = sghook_oidmap_init(&range)) < 0 ||
	    (error = sghook_oidmap_init(&seen)) < 0 ||
	    (error = sghook_oidmap_init(&trees)) < 0)
		goto done;
	for (i = 0; i < d->range->count && error >= 0; i++)
		error = sghook_oidmap_put(&range, &d->range->ids[i], 0);
	for (i = 0; i < d->range->count && error >= 0; i++) {
		if (git_commit_lookup(&c, repo, &d->range->ids[i]) < 0) {
			char hex[GIT_OID_HEXSZ + 1];

			git_oid_tostr(hex, sizeof(hex), &d->range->ids[i]);
			error = sghook_error_from_git(hex);
			break;
		}
		for (j = 0; j < git_commit_parentcount(c) && error >= 0; j++) {
			pid = git_commit_parent_id(c, (unsigned int)j);
			if (sghook_oidmap_get(&range, pid, &v) ||
			    sghook_oidmap_put(&seen, pid, 0) != 0)
				continue;
			/* A parent that cannot be read hides nothing. */
			if (git_commit_lookup(&p, repo, pid) < 0)
				continue;
			error = base_list_tree(&d->base, &trees, repo,
				git_commit_tree_id(p));
			git_commit_free(p);
		}
		git_commit_free(c);
	}
done:
	git_error_clear();
	sghook_oidmap_free(&range);
	sghook_oidmap_free(&seen);
	sghook_oidmap_free(&trees);
	return error < 0 ? error : 0;
}

/* A blob a commit changes, read once, then judged if it holds a secret. */
static int diff_blob(file_list *out, dirt *d, sghook_scan_ctx *sc,
	const char *path, const git_oid *id)
{
	sghook_blob_result *res = NULL;
	uint32_t i;
	int error;

	if (d->sample || sghook_blob_skipped(id))
		return 0;
	if (sghook_oidmap_get(&d->read, id, &i)) {
		res = d->res[i];
	} else {
		if (SGHOOK_ARRAY_GROW(d->res, d->ares, d->nres + 1) < 0)
			return SGHOOK_ERROR;
		if ((error = sghook_scan_ctx_scan_blob(&res, sc, id)) < 0)
			return error;
		d->res[d->nres] = res;
		if ((error = sghook_oidmap_put(&d->read, id,
		    (uint32_t)d->nres++)) < 0)
			return error;
		if (res && !d->base_listed &&
		    (error = base_list(d, sc->repo)) < 0)
			return error;
		if (res && sghook_oidmap_get(&d->base, id, &i)) {
			/* The base has it: not new, as in pass 1. */
			sghook_blob_result_free(res);
			d->res[d->nres - 1] = res = NULL;
		}
	}
	return res ? files_push(out, path, id) : 0;
}

/*
 * The files of `tree` that differ from parent 0's (at `olds[0]`, NULL
 * when it has none there) and from every other parent's, descending only
 * into subtrees that differ from all of theirs: what changed_files()
 * would give, without pass 1. In the order of changed_files(), so that
 * the findings come in the same order.
 */
static int diff_tree(file_list *out, dirt *d, sghook_scan_ctx *sc,
	git_tree *tree, git_tree **olds, size_t np, const char *prefix);

/* Subtree `e` at `path` against the parents' trees of its name. */
static int diff_subtree(file_list *out, dirt *d, sghook_scan_ctx *sc,
	const git_tree_entry *e, git_tree **olds, size_t np, const char *path)
{
	const git_tree_entry *oe;
	git_tree *sub = NULL, **subs;
	char *dir = NULL;
	size_t j;
	int error = 0;

	if (!(subs = calloc(np, sizeof(*subs))))
		return sghook_error_set("out of memory");
	if (git_tree_lookup(&sub, sc->repo, git_tree_entry_id(e)) < 0)
		error = sghook_error_from_git(path);
	for (j = 0; j < np && error >= 0; j++) {
		oe = olds[j] ? git_tree_entry_byname(olds[j],
			git_tree_entry_name(e)) : NULL;
		if (oe && git_tree_entry_type(oe) == GIT_OBJECT_TREE &&
		    git_tree_lookup(&subs[j], sc->repo,
		    git_tree_entry_id(oe)) < 0)
			error = sghook_error_from_git(path);
	}
	if (error >= 0 && asprintf(&dir, "%s/", path) < 0) {
		dir = NULL;
		error = sghook_error_set("out of memory");
	}
	if (error >= 0)
		error = diff_tree(out, d, sc, sub, subs, np, dir);
	free(dir);
	git_tree_free(sub);
	for (j = 0; j < np; j++)
		git_tree_free(subs[j]);
	free(subs);
	return error;
}

/* Whether some parent has `e` as it is: then `e` adds nothing. */
static int same_in_a_parent(const git_tree_entry *e, git_tree **olds,
	size_t np)
{
	const git_tree_entry *oe;
	size_t j;

	for (j = 0; j < np; j++) {
		oe = olds[j] ? git_tree_entry_byname(olds[j],
			git_tree_entry_name(e)) : NULL;
		if (oe && git_oid_equal(git_tree_entry_id(oe),
		    git_tree_entry_id(e)))
			return 1;
	}
	return 0;
}

static int diff_tree(file_list *out, dirt *d, sghook_scan_ctx *sc,
	git_tree *tree, git_tree **olds, size_t np, const char *prefix)
{
	const git_tree_entry *e;
	char *path = NULL;
	size_t i, j, n = git_tree_entrycount(tree);
	git_object_t type;
	int error;

	if ((error = sghook_deadline_check()) < 0)
		return error;
	d->cost += n;
	for (j = 0; j < np; j++)
		d->cost += olds[j] ? git_tree_entrycount(olds[j]) : 0;
	for (i = 0; i < n && error >= 0; i++) {
		e = git_tree_entry_byindex(tree, i);
		type = git_tree_entry_type(e);
		/* A submodule's commit is another repository's. */
		if ((type != GIT_OBJECT_BLOB && type != GIT_OBJECT_TREE) ||
		    same_in_a_parent(e, olds, np))
			continue;
		free(path);
		if (asprintf(&path, "%s%s", prefix,
		    git_tree_entry_name(e)) < 0) {
			path = NULL;
			error = sghook_error_set("out of memory");
		} else if (type == GIT_OBJECT_BLOB) {
			error = diff_blob(out, d, sc, path,
				git_tree_entry_id(e));
		} else {
			error = diff_subtree(out, d, sc, e, olds, np, path);
		}
	}
	free(path);
	return error < 0 ? error : 0;
}

static int diff_commit(file_list *out, dirt *d, sghook_scan_ctx *sc,
	git_tree *tree, const parent_side *ps, size_t np)
{
	git_tree **olds = calloc(np, sizeof(*olds));
	size_t j;
	int error;

	if (!olds)
		return sghook_error_set("out of memory");
	for (j = 0; j < np; j++)
		olds[j] = ps[j].tree;
	error = diff_tree(out, d, sc, tree, olds, np, "");
	free(olds);
	return error;
}

/* A commit, its tree and its parents' (a root commit: one empty side). */
typedef struct {
	git_commit *commit;
	git_tree *tree;
	parent_side *ps;
	size_t np;
	char hex[GIT_OID_HEXSZ + 1];
} commit_sides;

/* The commit and its tree; a message that names the commit. */
static int commit_open(commit_sides *cs, git_repository *repo,
	const git_oid *id)
{
	memset(cs, 0, sizeof(*cs));
	git_oid_tostr(cs->hex, sizeof(cs->hex), id);
	if (git_commit_lookup(&cs->commit, repo, id) < 0 ||
	    git_commit_tree(&cs->tree, cs->commit) < 0)
		return sghook_error_from_git(cs->hex);
	return 0;
}

/* The parents' trees; the one judged last is at hand already. */
static int commit_parents(commit_sides *cs, const dirt *d)
{
	size_t n = git_commit_parentcount(cs->commit), i;
	const git_oid *pid;
	git_commit *parent = NULL;
	int error = 0;

	if (!(cs->ps = calloc(n ? n : 1, sizeof(*cs->ps))))
		return sghook_error_set("out of memory");
	cs->np = n ? n : 1;
	for (i = 0; i < n && error == 0; i++) {
		pid = git_commit_parent_id(cs->commit, (unsigned int)i);
		if (d->last_tree && git_oid_equal(&d->last, pid))
			error = git_tree_dup(&cs->ps[i].tree, d->last_tree);
		else if ((error = git_commit_parent(&parent, cs->commit,
		    (unsigned int)i)) == 0)
			error = git_commit_tree(&cs->ps[i].tree, parent);
		git_commit_free(parent);
		parent = NULL;
	}
	return error < 0 ? sghook_error_from_git(cs->hex) : 0;
}

/* Keeps the commit's tree: often the next commit's parent's. */
static void commit_close(commit_sides *cs, dirt *d, const git_oid *id)
{
	sides_free(cs->ps, cs->np);
	git_tree_free(d->last_tree);
	d->last_tree = cs->tree;
	git_oid_cpy(&d->last, id);
	git_commit_free(cs->commit);
	memset(cs, 0, sizeof(*cs));
}

/*
 * The files the commit changes that hold a blocking blob. A file a merge
 * adds differs from every parent: parent 0 finds it.
 */
static int commit_files(file_list *out, dirt *d, sghook_scan_ctx *sc,
	const commit_sides *cs)
{
	return d->blobs ?
		changed_files(out, d, sc->repo, cs->tree, cs->ps[0].tree, "") :
		diff_commit(out, d, sc, cs->tree, cs->ps, cs->np);
}

static int judge_commit(sghook_findings *out, sghook_scan_ctx *sc, dirt *d,
	const git_oid *id)
{
	commit_sides cs;
	file_list files = {0};
	sghook_findings found = {0};
	size_t i;
	int error, named = 0;  /* the message names the commit */

	if ((error = commit_open(&cs, sc->repo, id)) < 0) {
		named = 1;
		goto done;
	}
	if (d->blobs && (error = tree_dirty_of(d, sc->repo, cs.tree)) <= 0)
		goto done;  /* 0: the tree holds no blocking blob */
	if ((error = commit_parents(&cs, d)) < 0) {
		named = 1;
		goto done;
	}
	if ((error = commit_files(&files, d, sc, &cs)) < 0)
		goto done;
	for (i = 0; i < files.count && error == 0; i++)
		error = judge_file(&found, sc, cs.ps, cs.np, files.paths[i],
			&files.ids[i], dirt_result(d, &files.ids[i]), id);
	if (error == 0)
		error = apply_tree_ignore(&found, sc, cs.tree);
	if (error == 0)
		error = sghook_findings_append(out, &found);
done:
	if (error < 0 && !named)
		sghook_error_prefix("commit %s", cs.hex);
	sghook_findings_clear(&found);
	files_free(&files);
	commit_close(&cs, d, id);
	return error < 0 ? error : 0;
}

/* DIFF's comparisons of a commit, counted in d->cost; nothing is read. */
static int measure_commit(dirt *d, sghook_scan_ctx *sc, const git_oid *id)
{
	commit_sides cs;
	file_list files = {0};
	int error;

	if ((error = commit_open(&cs, sc->repo, id)) == 0 &&
	    (error = commit_parents(&cs, d)) == 0)
		error = diff_commit(&files, d, sc, cs.tree, cs.ps, cs.np);
	files_free(&files);
	commit_close(&cs, d, id);
	return error;
}

/*
 * Pass 2 on every core too: a token that stays in a file for thousands of
 * commits makes every one of them a commit to compare. Shares are runs of
 * commits, so that the trees each process learns about are its
 * neighbours'; findings come back in commit order, each as a record
 * (its rule by position in the rule set) with its path and secret as the
 * bytes after it, then each share's count of blobs read.
 */
enum { FOUND_FINDING, FOUND_READ };

typedef struct {
	uint32_t kind;
	uint32_t rule;
	uint64_t line, column;
	uint64_t path_len;      /* the bytes: path, then secret */
	uint64_t read;          /* FOUND_READ: blobs DIFF read */
	git_oid commit;
	uint32_t tier, encoding;
} found_record;

typedef struct {
	const sghook_scan_opts *opts;
	git_repository *repo;
	const sghook_blobset *blobs;
	const sghook_oids *ids;
	sghook_findings found;      /* the merge's */
	size_t read;                /* DIFF: blobs read, every share's */
} commits_job;

static int send_findings(sghook_procs_share *sh, const commits_job *job,
	const sghook_findings *found)
{
	found_record r;
	char *bytes;
	size_t k, plen, slen;
	int error = 0;

	memset(&r, 0, sizeof(r));
	r.kind = FOUND_FINDING;
	for (k = 0; k < found->count && error == 0; k++) {
		const sghook_finding *f = &found->items[k];

		plen = strlen(f->path);
		slen = strlen(f->secret);
		if ((error = sghook_scan_rule_index(&r.rule, job->opts->rules,
		    f->rule)) < 0)
			break;
		r.line = f->line;
		r.column = f->column;
		r.path_len = plen;
		git_oid_cpy(&r.commit, &f->commit);
		r.tier = f->tier;
		r.encoding = f->encoding;
		if (!(bytes = malloc(plen + slen + 1)))
			return sghook_error_set("out of memory");
		memcpy(bytes, f->path, plen);
		memcpy(bytes + plen, f->secret, slen);
		error = sghook_procs_send(sh, &r, bytes, plen + slen);
		free(bytes);
	}
	return error;
}

/* A share of pass 2: a run of commits, each judged. */
static int commits_share(void *ctx, sghook_procs_share *sh)
{
	commits_job *job = ctx;
	sghook_findings found = {0};
	found_record r;
	dirt d;
	sghook_scan_ctx sc = {0};
	size_t k;
	int error;

	if ((error = dirt_init(&d, job->blobs, job->ids)) < 0)
		return error;
	if ((error = sghook_scan_ctx_open(&sc, job->opts, job->repo)) == 0)
		while (error == 0 && sghook_procs_next(sh, &k)) {
			if ((error = sghook_deadline_check()) == 0 &&
			    (error = judge_commit(&found, &sc, &d,
			    &job->ids->ids[k])) == 0)
				error = send_findings(sh, job, &found);
			sghook_findings_clear(&found);
		}
	memset(&r, 0, sizeof(r));
	r.kind = FOUND_READ;
	r.read = d.nres;
	if (error == 0)
		error = sghook_procs_send(sh, &r, NULL, 0);
	sghook_scan_ctx_close(&sc);
	dirt_free(&d);
	return error;
}

static int commits_merge(void *ctx, const void *record, const char *bytes,
	size_t nbytes)
{
	commits_job *job = ctx;
	const found_record *r = record;
	sghook_finding f;
	int error;

	if (r->kind == FOUND_READ && !nbytes) {
		job->read += (size_t)r->read;
		return 0;
	}
	if (r->kind != FOUND_FINDING || r->path_len > nbytes ||
	    r->rule >= sghook_rules_count(job->opts->rules) ||
	    r->tier <= SGHOOK_TIER_NONE || r->tier > SGHOOK_TIER_RANDOM ||
	    r->encoding > SGHOOK_ENCODING_UTF16BE)
		return sghook_procs_bad_result();
	memset(&f, 0, sizeof(f));
	f.rule = sghook_rules_get(job->opts->rules, r->rule);
	f.source = SGHOOK_SOURCE_FILE;
	f.line = (size_t)r->line;
	f.column = (size_t)r->column;
	git_oid_cpy(&f.commit, &r->commit);
	f.has_commit = 1;
	f.tier = (sghook_tier)r->tier;
	f.encoding = (sghook_encoding)r->encoding;
	f.path = strndup(bytes, (size_t)r->path_len);
	f.secret = strndup(bytes + r->path_len, nbytes - (size_t)r->path_len);
	if (f.path && f.secret) {
		sghook_finding_fingerprint(&f);
		error = sghook_findings_add(&job->found, &f);
	} else {
		error = sghook_error_set("out of memory");
	}
	free(f.path);
	free(f.secret);
	return error;
}

/* Pass 2: every commit judged, on every core when there are enough. */
static int scan_each_commit(sghook_findings *out, size_t *read,
	git_repository *repo, const sghook_blobset *blobs,
	const sghook_oids *ids, const sghook_scan_opts *opts)
{
	sghook_procs_map_opts map = SGHOOK_PROCS_MAP_OPTS_INIT;
	commits_job job;
	int error;

	memset(&job, 0, sizeof(job));
	job.opts = opts;
	job.repo = repo;
	job.blobs = blobs;
	job.ids = ids;
	map.nitems = ids->count;
	map.jobs = sghook_scan_jobs(opts);
	map.min_share = SGHOOK_SCAN_MIN_SHARE;
	map.record_size = sizeof(found_record);
	map.share = commits_share;
	map.merge = commits_merge;
	map.ctx = &job;
	if ((error = sghook_procs_map(&map)) == 0)
		error = sghook_findings_append(out, &job.found);
	if (read)
		*read = job.read;
	sghook_findings_clear(&job.found);
	return error;
}

/* ---- choosing LIST or DIFF --------------------------------------------- */

/* Commits whose comparisons DIFF's cost is measured on. */
#define SAMPLE 8

/*
 * The entries of the trees of `id`, each tree once, counted until there
 * are more than `cap`.
 */
static int count_entries(size_t *count, sghook_oidmap *trees,
	git_repository *repo, const git_oid *id, size_t cap)
{
	git_tree *tree = NULL;
	const git_tree_entry *e;
	size_t i, n;
	int error;

	if ((error = sghook_oidmap_put(trees, id, 0)) != 0)
		return error < 0 ? error : 0;
	if (git_tree_lookup(&tree, repo, id) < 0)
		return sghook_error_from_git("cannot read a tree");
	n = git_tree_entrycount(tree);
	*count += n;
	for (i = 0; i < n && *count <= cap && error >= 0; i++) {
		e = git_tree_entry_byindex(tree, i);
		if (git_tree_entry_type(e) == GIT_OBJECT_TREE)
			error = count_entries(count, trees, repo,
				git_tree_entry_id(e), cap);
	}
	git_tree_free(tree);
	return error < 0 ? error : 0;
}

/*
 * DIFF reads, for each commit, the trees along its changed paths on both
 * sides; LIST reads each tree of the range once, but that includes all of
 * the trees of the range's newest commit and of its base: about twice the
 * entries of one whole tree, plus half of what DIFF compares. DIFF's
 * cost is measured on a sample of the commits (their comparisons, no
 * blob read), the size of a whole tree by counting the newest commit's
 * entries, up to the point where it would not matter. A range of a few
 * commits is not worth the measuring: DIFF.
 */
/* DIFF's comparisons for the whole range, estimated from a sample. */
static int sample_cost(size_t *cost, git_repository *repo,
	const sghook_oids *ids, const sghook_scan_opts *opts)
{
	sghook_scan_ctx sc;
	dirt d;
	size_t k;
	int error;

	if ((error = dirt_init(&d, NULL, ids)) < 0)
		return error;
	d.sample = 1;
	if ((error = sghook_scan_ctx_open(&sc, opts, repo)) == 0)
		for (k = 0; k < SAMPLE && error == 0; k++)
			error = measure_commit(&d, &sc,
				&ids->ids[k * ids->count / SAMPLE]);
	sghook_scan_ctx_close(&sc);
	*cost = d.cost / SAMPLE * ids->count;
	dirt_free(&d);
	return error;
}

/* The entries of the newest commit's trees, counted up to past `cap`. */
static int newest_entries(size_t *entries, git_repository *repo,
	const sghook_oids *ids, size_t cap)
{
	sghook_oidmap trees = {0};
	git_commit *c = NULL;
	int error;

	*entries = 0;
	if ((error = sghook_oidmap_init(&trees)) < 0)
		return error;
	if (git_commit_lookup(&c, repo, &ids->ids[ids->count - 1]) < 0)
		error = sghook_error_from_git("cannot read a commit");
	else
		error = count_entries(entries, &trees, repo,
			git_commit_tree_id(c), cap);
	git_commit_free(c);
	sghook_oidmap_free(&trees);
	return error;
}

static int choose(sghook_scan_strategy *out, git_repository *repo,
	const sghook_oids *ids, const sghook_scan_opts *opts)
{
	size_t diff, entries, cap;
	int error;

	if ((*out = opts->strategy) != SGHOOK_SCAN_AUTO) {
		sghook_trace("scan: %s: %zu commits, as asked",
			*out == SGHOOK_SCAN_DIFF ? "diff" : "list", ids->count);
		return 0;
	}
	if (ids->count <= SAMPLE) {
		*out = SGHOOK_SCAN_DIFF;
		sghook_trace("scan: diff: %zu commits", ids->count);
		return 0;
	}
	if ((error = sample_cost(&diff, repo, ids, opts)) < 0 ||
	    (error = newest_entries(&entries, repo, ids, cap = diff / 4)) < 0)
		return error;
	*out = entries > cap ? SGHOOK_SCAN_DIFF : SGHOOK_SCAN_LIST;
	sghook_trace("scan: %s: %zu commits, about %zu entries to compare, "
		"%s%zu entries in a tree", *out == SGHOOK_SCAN_DIFF ? "diff" :
		"list", ids->count, diff, entries > cap ? "more than " : "",
		entries > cap ? cap : entries);
	return 0;
}

int sghook_scan_commits(sghook_findings *out, git_repository *repo,
	const sghook_oids *ids, const sghook_scan_opts *opts)
{
	sghook_scan_strategy how;
	sghook_blobset blobs;
	size_t i, blocking = 0;
	int error;

	if (ids->count == 0)
		return 0;
	if ((error = choose(&how, repo, ids, opts)) < 0)
		return error;
	if (how == SGHOOK_SCAN_DIFF)
		return scan_each_commit(out, opts->stats ?
			&opts->stats->blobs_read : NULL, repo, NULL, ids, opts);
	if ((error = sghook_blobset_init(&blobs)) < 0 ||
	    (error = sghook_blobs_read_all(&blobs, repo, ids, opts)) < 0)
		goto done;
	if (opts->stats)
		opts->stats->blobs_read = blobs.nread;
	for (i = 0; i < blobs.count; i++)
		blocking += sghook_blobset_at(&blobs, i)->res != NULL;
	if (blocking)
		error = scan_each_commit(out, NULL, repo, &blobs, ids, opts);
done:
	sghook_blobset_free(&blobs);
	return error;
}

/* ---- the index, and plain buffers ------------------------------------- */

typedef struct {
	git_repository *repo;
	parent_side *ps;
	size_t n, alloc;
	int error;              /* the callback's: its message is set */
} merge_parents;

static int add_merge_head(const git_oid *id, void *payload)
{
	merge_parents *m = payload;
	git_commit *c = NULL;
	int error = 0;

	if (SGHOOK_ARRAY_GROW(m->ps, m->alloc, m->n + 1) < 0)
		return m->error = SGHOOK_ERROR;
	memset(&m->ps[m->n], 0, sizeof(*m->ps));
	if (git_commit_lookup(&c, m->repo, id) < 0 ||
	    git_commit_tree(&m->ps[m->n].tree, c) < 0)
		error = m->error = sghook_error_from_git("cannot read MERGE_HEAD");
	else
		m->n++;
	git_commit_free(c);
	return error;
}

/* What judging the staged change needs at every step. */
typedef struct {
	sghook_findings *out;
	sghook_scan_ctx *sc;
	merge_parents *mp;
	const sghook_index *ix;
} staged;

static int judge_staged_blob(staged *st, const char *path, const git_oid *id)
{
	sghook_blob_result *res = NULL;
	int error;

	if (sghook_blob_skipped(id))
		return 0;
	if ((error = sghook_scan_ctx_scan_blob(&res, st->sc, id)) < 0 || !res)
		return error;
	error = judge_file(st->out, st->sc, st->mp->ps, st->mp->n, path, id,
		res, NULL);
	sghook_blob_result_free(res);
	return error;
}

/*
 * A directory the cache-tree knows, whose tree differs from HEAD's: the
 * pruned tree compare of DIFF, with no base to subtract (an index has
 * none), then each file that holds a secret judged against every parent.
 */
static int judge_staged_trees(staged *st, git_tree *tree, git_tree *old,
	const char *prefix)
{
	file_list files = {0};
	dirt d;
	size_t i;
	int error;

	if ((error = dirt_init(&d, NULL, NULL)) < 0)
		return error;
	d.base_listed = 1;
	error = diff_tree(&files, &d, st->sc, tree, &old, 1, prefix);
	for (i = 0; i < files.count && error == 0; i++)
		error = judge_file(st->out, st->sc, st->mp->ps, st->mp->n,
			files.paths[i], &files.ids[i],
			dirt_result(&d, &files.ids[i]), NULL);
	files_free(&files);
	dirt_free(&d);
	return error;
}

/* The subtrees of a cache-tree node, sorted by name for a search. */
typedef struct {
	const sghook_index *ix;
	size_t *at;
	size_t n;
} cache_kids;

static int name_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int cmp = memcmp(a, b, alen < blen ? alen : blen);

	return cmp ? cmp : (alen > blen) - (alen < blen);
}

static int kid_cmp(const void *a, const void *b, void *payload)
{
	const sghook_index *ix = payload;
	const sghook_index_tree *x = &ix->tree[*(const size_t *)a];
	const sghook_index_tree *y = &ix->tree[*(const size_t *)b];

	return name_cmp(x->name, x->name_len, y->name, y->name_len);
}

static int kids_list(cache_kids *k, const sghook_index *ix, long node)
{
	size_t c, n = 0;

	memset(k, 0, sizeof(*k));
	k->ix = ix;
	if (node < 0 || !ix->tree[node].subtrees)
		return 0;
	if (!(k->at = calloc(ix->tree[node].subtrees, sizeof(*k->at))))
		return sghook_error_set("out of memory");
	for (c = (size_t)node + 1; c < ix->tree[node].end &&
	    n < ix->tree[node].subtrees; c = ix->tree[c].end)
		k->at[n++] = c;
	k->n = n;
	qsort_r(k->at, n, sizeof(*k->at), kid_cmp, (void *)ix);
	return 0;
}

/* The subtree named `name`, or -1. */
static long kids_find(const cache_kids *k, const char *name, size_t len)
{
	size_t a = 0, b = k->n, m;
	const sghook_index_tree *t;
	int cmp;

	while (a < b) {
		m = a + (b - a) / 2;
		t = &k->ix->tree[k->at[m]];
		if ((cmp = name_cmp(t->name, t->name_len, name, len)) == 0)
			return (long)k->at[m];
		if (cmp < 0)
			a = m + 1;
		else
			b = m;
	}
	return -1;
}

/*
 * A file's entry of the index, `rest` its name in its directory, `head`
 * HEAD's tree of that directory (NULL: none): judged unless it is what
 * HEAD has, or stages nothing.
 */
static int judge_staged_entry(staged *st, const sghook_index_entry *e,
	const char *rest, git_tree *head)
{
	const git_tree_entry *he;
	uint32_t mode = sghook_index_entry_mode(e);
	git_oid id;

	if (sghook_index_entry_stage(e)) {
		sghook_error_set("the index has unmerged paths (%s): resolve "
			"the conflicts and git add them first", e->path);
		return SGHOOK_EINVALID;
	}
	if (sghook_index_entry_intent_to_add(e) || (mode & 0170000) == 0160000)
		return 0;  /* nothing staged; a submodule */
	sghook_index_entry_id(&id, e);
	if (head && (he = git_tree_entry_byname(head, rest)) &&
	    git_oid_equal(git_tree_entry_id(he), &id) &&
	    (uint32_t)git_tree_entry_filemode(he) == mode)
		return 0;
	return judge_staged_blob(st, e->path, &id);
}

static int judge_staged_dir(staged *st, size_t plen, size_t lo, size_t hi,
	long node, const git_oid *head_id);

/*
 * The subdirectory of the index entries from `lo` on (`slash` ends its
 * name in e->path), up to hi: *next is where the entries after it start.
 */
static int judge_staged_subdir(staged *st, const cache_kids *kids,
	git_tree *head, size_t plen, size_t lo, size_t hi, size_t *next)
{
	const sghook_index_entry *e = &st->ix->entries[lo];
	const char *rest = e->path + plen, *slash = strchr(rest, '/');
	const git_tree_entry *he;
	size_t slo = lo, shi = hi, len = (size_t)(slash - rest);
	char name[4096];
	int error;

	sghook_index_range(st->ix, e->path, (size_t)(slash - e->path) + 1,
		&slo, &shi);
	if (len >= sizeof(name))
		return sghook_error_set("path too long: %s", e->path);
	memcpy(name, rest, len);
	name[len] = '\0';
	he = head ? git_tree_entry_byname(head, name) : NULL;
	error = judge_staged_dir(st, (size_t)(slash - e->path) + 1, slo, shi,
		kids_find(kids, name, len),
		he && git_tree_entry_type(he) == GIT_OBJECT_TREE ?
		git_tree_entry_id(he) : NULL);
	*next = shi > lo ? shi : lo + 1;
	return error;
}

/*
 * The index entries [lo, hi), all under the directory whose path (with a
 * slash, or "" at the top) is the first `plen` bytes of each; `node` is
 * its cache-tree entry (-1: none) and `head_id` the id of HEAD's tree of
 * it (NULL: none). A directory whose cached tree is HEAD's is skipped
 * without reading either; one whose cached tree git wrote is compared
 * as trees.
 */
static int judge_staged_dir(staged *st, size_t plen, size_t lo, size_t hi,
	long node, const git_oid *head_id)
{
	const sghook_index *ix = st->ix;
	const sghook_index_tree *cached = node >= 0 &&
		ix->tree[node].entries >= 0 ? &ix->tree[node] : NULL;
	git_tree *t = NULL, *head = NULL;
	const char *rest;
	char *prefix = NULL;
	cache_kids kids;
	size_t i = lo;
	int error = 0;

	memset(&kids, 0, sizeof(kids));
	if (cached && head_id && git_oid_equal(&cached->id, head_id))
		return 0;
	if (head_id && git_tree_lookup(&head, st->sc->repo, head_id) < 0)
		return sghook_error_from_git("cannot read HEAD's tree");
	if (cached && git_tree_lookup(&t, st->sc->repo, &cached->id) == 0) {
		if (!(prefix = strndup(lo < hi ? ix->entries[lo].path : "",
		    plen)))
			error = sghook_error_set("out of memory");
		else
			error = judge_staged_trees(st, t, head, prefix);
		goto done;
	}
	if ((error = kids_list(&kids, ix, node)) < 0)
		goto done;
	while (i < hi && error == 0) {
		rest = ix->entries[i].path + plen;
		if (strchr(rest, '/'))
			error = judge_staged_subdir(st, &kids, head, plen, i, hi,
				&i);
		else
			error = judge_staged_entry(st, &ix->entries[i++], rest,
				head);
	}
done:
	free(prefix);
	free(kids.at);
	git_tree_free(t);
	git_tree_free(head);
	return error;
}

/* HEAD's tree (none when HEAD is unborn), then each MERGE_HEAD's. */
static int index_parents(merge_parents *mp, git_repository *repo)
{
	git_reference *ref = NULL;
	git_object *head = NULL;
	int unborn, error = 0;

	if (!(mp->ps = calloc(mp->alloc, sizeof(*mp->ps))))
		return sghook_error_set("out of memory");
	if ((unborn = git_repository_head_unborn(repo)) < 0)
		return sghook_error_from_git("cannot read HEAD");
	/*
	 * Not git_revparse_single("HEAD^{tree}"): it leaks the reference
	 * when HEAD names a commit that is missing.
	 */
	if (!unborn && (git_repository_head(&ref, repo) < 0 ||
	    git_reference_peel(&head, ref, GIT_OBJECT_TREE) < 0))
		error = sghook_error_from_git("cannot read HEAD");
	else
		mp->ps[0].tree = (git_tree *)head;
	git_reference_free(ref);
	if (error < 0)
		return error;
	error = git_repository_mergehead_foreach(repo, add_merge_head, mp);
	if (error < 0 && error != GIT_ENOTFOUND)
		return mp->error ? mp->error :
			sghook_error_from_git("cannot read MERGE_HEAD");
	return 0;
}

/* The index at opts->index_path, or the repository's. */
static int index_open(sghook_index *ix, git_repository *repo,
	const sghook_scan_opts *opts)
{
	char *path = NULL;
	int error;

	if (opts->index_path)
		return sghook_index_open(ix, opts->index_path);
	if (asprintf(&path, "%sindex", git_repository_path(repo)) < 0)
		return sghook_error_set("out of memory");
	error = sghook_index_open(ix, path);
	free(path);
	return error;
}

/*
 * The staged change against HEAD and, while a merge is being concluded,
 * against each MERGE_HEAD too: what the other branch brought is not new.
 */
int sghook_scan_index(sghook_findings *out, git_repository *repo,
	const sghook_scan_opts *opts)
{
	sghook_scan_ctx sc;
	merge_parents mp = { repo, NULL, 1, 2, 0 };
	sghook_index ix;
	const sghook_index_entry *ig;
	git_oid ig_id;
	sghook_findings found = {0};
	staged st;
	int error;

	memset(&ix, 0, sizeof(ix));
	if ((error = sghook_scan_ctx_open(&sc, opts, repo)) < 0 ||
	    (error = index_open(&ix, repo, opts)) < 0 ||
	    (error = index_parents(&mp, repo)) < 0)
		goto done;
	st.out = &found;
	st.sc = &sc;
	st.mp = &mp;
	st.ix = &ix;
	error = judge_staged_dir(&st, 0, 0, ix.count, ix.tree ? 0 : -1,
		mp.ps[0].tree ? git_tree_id(mp.ps[0].tree) : NULL);
	if (error == 0) {
		if ((ig = sghook_index_find(&ix, ".sghookignore")))
			sghook_index_entry_id(&ig_id, ig);
		error = apply_ignore(&found, &sc, ig ? &ig_id : NULL);
	}
	if (error == 0)
		error = sghook_findings_append(out, &found);
done:
	sghook_findings_clear(&found);
	if (mp.ps)
		sides_free(mp.ps, mp.n);
	sghook_index_close(&ix);
	sghook_scan_ctx_close(&sc);
	return error;
}

typedef struct {
	sghook_findings *out;
	sghook_scan_ctx *sc;
	int error;
} tree_scan;

static int scan_tree_entry(const char *root, const git_tree_entry *e,
	void *payload)
{
	tree_scan *ts = payload;
	sghook_blob_result *res = NULL;
	char *path = NULL;
	size_t i;

	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB ||
	    sghook_blob_skipped(git_tree_entry_id(e)))
		return 0;
	if ((ts->error = sghook_scan_ctx_scan_blob(&res, ts->sc,
	    git_tree_entry_id(e))) < 0)
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
	sghook_blob_result *res = NULL;
	tree_scan ts = { out, NULL, 0 };
	sghook_scan_ctx sc;
	char hex[GIT_OID_HEXSZ + 1], name[GIT_OID_HEXSZ + 8];
	size_t i;
	int error;

	git_oid_tostr(hex, sizeof(hex), id);
	if ((error = sghook_scan_ctx_open(&sc, opts, repo)) < 0)
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
	ts.sc = &sc;
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
		if ((error = sghook_scan_ctx_scan_blob(&res, &sc,
		    git_object_id(obj))) < 0)
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
	sghook_scan_ctx_close(&sc);
	return error;
}

int sghook_scan_buffer(sghook_findings *out, const char *buf, size_t len,
	const char *path, const sghook_scan_opts *opts)
{
	sghook_scan_ctx sc;
	sghook_blob_result *res = NULL;
	size_t i;
	int error;

	memset(&sc, 0, sizeof(sc));
	sc.opts = opts;
	if ((error = sghook_matcher_new(&sc.matcher, opts->rules)) < 0)
		goto done;
	sghook_matcher_use_jit(sc.matcher, !opts->no_jit);
	if ((error = sghook_scan_ctx_scan(&res, &sc, buf, len)) < 0)
		goto done;
	for (i = 0; res && i < res->n && error == 0; i++)
		error = report_hit(out, &res->hits[i], path, NULL);
done:
	sghook_blob_result_free(res);
	sghook_scan_ctx_close(&sc);
	return error;
}
