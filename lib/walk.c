/* Which commits to judge: a rev-list style range, or what a push brings. */
#include <stdlib.h>
#include <string.h>

#include <git2.h>
/* libgit2 1.8 moved git_error_clear() to the headers for extensions. */
#if LIBGIT2_VER_MAJOR > 1 || LIBGIT2_VER_MINOR >= 8
#include <git2/sys/errors.h>
#endif
#include "array.h"
#include "oidmap.h"
#include "sghook.h"

void sghook_oids_free(sghook_oids *ids)
{
	free(ids->ids);
	memset(ids, 0, sizeof(*ids));
}

int sghook_oids_push(sghook_oids *ids, const git_oid *id)
{
	int error;

	if ((error = SGHOOK_ARRAY_GROW(ids->ids, ids->alloc,
	    ids->count + 1)) < 0)
		return error;
	git_oid_cpy(&ids->ids[ids->count++], id);
	return 0;
}

/*
 * A commit the walk needs is not in the repository (a parent past a
 * shallow cut that this libgit2 cannot read, a damaged repository):
 * SGHOOK_ENOTFOUND, so that a caller can tell it from other failures.
 */
static int missing_error(const char *what)
{
	const git_error *e = git_error_last();

	return sghook_error_set_code(SGHOOK_ENOTFOUND, "%s: %s", what,
		e && e->message ? e->message : "object not found");
}

/* Oldest first, so that a report reads in the order history was made. */
static int walk_collect(sghook_oids *out, git_revwalk *walk)
{
	git_oid id;
	int error;

	while ((error = git_revwalk_next(&id, walk)) == 0)
		if ((error = sghook_oids_push(out, &id)) < 0)
			return error;
	if (error == GIT_ENOTFOUND)
		return missing_error("cannot walk history");
	if (error != GIT_ITEROVER)
		return sghook_error_from_git("cannot walk history");
	return 0;
}

static int peel_commit(git_oid *out, git_object *obj)
{
	git_object *c = NULL;

	if (git_object_peel(&c, obj, GIT_OBJECT_COMMIT) < 0)
		return GIT_ENOTFOUND;
	git_oid_cpy(out, git_object_id(c));
	git_object_free(c);
	return 0;
}

static int mark(git_revwalk *walk, git_repository *repo, git_object *obj,
	int hide, const char *rev)
{
	git_oid id;

	if (peel_commit(&id, obj) < 0)
		return sghook_error_set("'%s' does not name a commit", rev);
	if ((hide ? git_revwalk_hide(walk, &id) : git_revwalk_push(walk, &id)) < 0)
		return sghook_error_from_git(rev);
	(void)repo;
	return 0;
}

/*
 * Whether a name of `rev` (one side of a range) leads to an object the
 * repository lacks, as a HEAD or branch whose commit is gone does. Asked
 * before git_revparse(), which leaks the reference it resolved in that
 * case (libgit2 1.5 to 1.9) and says only "object not found". The name
 * is what revparse looks up first: the text before any ^, ~, : or @{.
 */
static int check_target(git_repository *repo, const char *rev,
	const char *side, size_t len)
{
	git_reference *ref = NULL;
	git_odb *odb = NULL;
	const git_oid *id;
	char name[256], hex[GIT_OID_HEXSZ + 1];
	size_t n;
	int error = 0;

	for (n = 0; n < len; n++)
		if (side[n] == '^' || side[n] == '~' || side[n] == ':' ||
		    (side[n] == '@' && n + 1 < len && side[n + 1] == '{'))
			break;
	if (n < len && side[n] == '@')
		return 0;  /* a reflog entry, not the name's target */
	if (n == 0 && len == 0)
		side = "HEAD", n = 4;  /* A.. and ..B */
	if (n == 1 && side[0] == '@')
		side = "HEAD", n = 4;
	if (n == 0 || n >= sizeof(name) || n == GIT_OID_HEXSZ)
		return 0;  /* an id is looked up as one, without a reference */
	memcpy(name, side, n);
	name[n] = '\0';
	if (git_reference_dwim(&ref, repo, name) < 0)
		return 0;  /* not a reference: revparse says what it is */
	if ((id = git_reference_target(ref)) &&
	    git_repository_odb(&odb, repo) == 0 && !git_odb_exists(odb, id)) {
		git_oid_tostr(hex, sizeof(hex), id);
		error = sghook_error_set_code(SGHOOK_EINVALID, "'%s': %s names "
			"commit %s, which is not in the repository", rev,
			git_reference_name(ref), hex);
	}
	git_odb_free(odb);
	git_reference_free(ref);
	return error;
}

static int check_targets(git_repository *repo, const char *rev,
	const char *spec)
{
	const char *dots = strstr(spec, "..");
	int error;

	if (!dots)
		return check_target(repo, rev, spec, strlen(spec));
	if ((error = check_target(repo, rev, spec, (size_t)(dots - spec))) < 0)
		return error;
	dots += dots[2] == '.' ? 3 : 2;
	return check_target(repo, rev, dots, strlen(dots));
}

static int mark_rev(git_revwalk *walk, git_repository *repo, const char *rev)
{
	git_revspec spec;
	git_oid base;
	int hide = rev[0] == '^', error;

	if (!rev[hide])
		return sghook_error_set("empty revision");
	if ((error = check_targets(repo, rev, rev + hide)) < 0)
		return error;
	memset(&spec, 0, sizeof(spec));
	if (git_revparse(&spec, repo, rev + hide) < 0) {
		/* A range whose right side failed keeps its left side. */
		git_object_free(spec.from);
		git_object_free(spec.to);
		return sghook_error_set_code(SGHOOK_EINVALID,
			"unknown revision '%s'", rev);
	}
	if (spec.flags & GIT_REVSPEC_SINGLE) {
		error = mark(walk, repo, spec.from, hide, rev);
	} else if (hide) {
		error = sghook_error_set("'%s': a range cannot be negated", rev);
	} else if (spec.flags & GIT_REVSPEC_MERGE_BASE) {
		/* A...B: what either side has that their merge base lacks. */
		git_oid a, b;

		error = peel_commit(&a, spec.from) < 0 ||
			peel_commit(&b, spec.to) < 0 ?
			sghook_error_set("'%s' does not name commits", rev) : 0;
		if (!error && git_merge_base(&base, repo, &a, &b) == 0)
			error = git_revwalk_hide(walk, &base);
		if (!error)
			error = git_revwalk_push(walk, &a) < 0 ||
				git_revwalk_push(walk, &b) < 0 ?
				sghook_error_from_git(rev) : 0;
	} else {
		error = mark(walk, repo, spec.from, 1, rev);
		if (!error)
			error = mark(walk, repo, spec.to, 0, rev);
	}
	git_object_free(spec.from);
	git_object_free(spec.to);
	return error;
}

static int walk_new(git_revwalk **out, git_repository *repo)
{
	if (git_revwalk_new(out, repo) < 0)
		return sghook_error_from_git("cannot walk history");
	git_revwalk_sorting(*out, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
	return 0;
}

int sghook_walk_range(sghook_oids *out, git_repository *repo,
	const char *const *revs, size_t nrevs)
{
	git_revwalk *walk = NULL;
	size_t i;
	int error;

	if ((error = walk_new(&walk, repo)) < 0)
		return error;
	for (i = 0; i < nrevs; i++)
		if ((error = mark_rev(walk, repo, revs[i])) < 0)
			goto done;
	error = walk_collect(out, walk);
done:
	git_revwalk_free(walk);
	return error;
}

typedef struct {
	git_revwalk *walk;
	git_odb *odb;
	sghook_oidmap hidden;   /* ids already hidden */
	size_t refs;
} hide_ctx;

/*
 * libgit2 says "corrupted packed references file" and not which one, and
 * its -1 is our SGHOOK_ERROR: the message is made here, naming the file.
 * Its class (GIT_ERROR_REFERENCE) is also that of a corrupt loose ref,
 * whose message names its file already, so only the words tell the
 * packed-refs file apart: they are read here and nowhere else.
 */
static int packed_refs_corrupt(const git_error *e)
{
	return e && e->klass == GIT_ERROR_REFERENCE && e->message &&
		strstr(e->message, "packed");
}

static int refs_error(git_repository *repo)
{
	const git_error *e = git_error_last();
	const char *msg = e && e->message ? e->message : "cannot list them";

	if (packed_refs_corrupt(e))
		return sghook_error_set("%spacked-refs: %s",
			git_repository_commondir(repo), msg);
	return sghook_error_set("cannot read the refs of %s: %s",
		git_repository_commondir(repo), msg);
}

/*
 * A ref's commit, hidden with its history. Many refs name the same commit
 * (a repository's merge-request and pipeline refs), and each object is
 * read only once: packed-refs gives an annotated tag's commit, and the
 * object's header tells a commit from a tag. A ref that does not lead to
 * a commit hides nothing.
 */
static int hide_ref(hide_ctx *h, git_reference *ref)
{
	git_reference *resolved = NULL;
	git_object *peeled = NULL;
	const git_oid *id;
	git_object_t type;
	size_t len;
	int error = 0, put;

	if (git_reference_type(ref) == GIT_REFERENCE_SYMBOLIC) {
		if (git_reference_resolve(&resolved, ref) < 0)
			goto done;
		ref = resolved;
	}
	if (!(id = git_reference_target_peel(ref)))
		id = git_reference_target(ref);
	if (!id || (put = sghook_oidmap_put(&h->hidden, id, 0)) == 1)
		goto done;
	if (put < 0) {
		error = put;
		goto done;
	}
	if (git_odb_read_header(&len, &type, h->odb, id) < 0)
		goto done;
	if (type == GIT_OBJECT_TAG) {
		if (git_reference_peel(&peeled, ref, GIT_OBJECT_COMMIT) < 0)
			goto done;
		id = git_object_id(peeled);
		if ((put = sghook_oidmap_put(&h->hidden, id, 0)) != 0) {
			error = put < 0 ? put : 0;
			goto done;
		}
		type = GIT_OBJECT_COMMIT;
	}
	if (type == GIT_OBJECT_COMMIT && git_revwalk_hide(h->walk, id) < 0)
		error = sghook_error_from_git(git_reference_name(ref));
done:
	git_object_free(peeled);
	git_reference_free(resolved);
	return error;
}

static int hide_refs(git_revwalk *walk, git_repository *repo,
	const char *glob, size_t *count)
{
	git_reference_iterator *it = NULL;
	git_reference *ref = NULL;
	hide_ctx h = {0};
	int error;

	h.walk = walk;
	if ((error = sghook_oidmap_init(&h.hidden)) < 0)
		return error;
	if (git_repository_odb(&h.odb, repo) < 0) {
		error = sghook_error_from_git("cannot open the object database");
		goto done;
	}
	if (git_reference_iterator_glob_new(&it, repo, glob) < 0) {
		error = refs_error(repo);
		goto done;
	}
	while ((error = git_reference_next(&ref, it)) == 0) {
		error = hide_ref(&h, ref);
		git_reference_free(ref);
		if (error == 0 && ++h.refs % 256 == 0)
			error = sghook_deadline_check();
		if (error < 0)
			goto done;
	}
	if (error != GIT_ITEROVER) {
		error = refs_error(repo);
		goto done;
	}
	error = 0;
	*count = h.refs;
done:
	git_reference_iterator_free(it);
	git_odb_free(h.odb);
	sghook_oidmap_free(&h.hidden);
	return error;
}

/*
 * The commit a pushed tip leads to, tags peeled: 0 and the commit in *out;
 * 1 when it leads to a tree or a blob instead (no history, only content),
 * which then goes to `others` when it is not NULL.
 */
static int tip_commit(git_oid *out, git_repository *repo, const git_oid *tip,
	sghook_oids *others)
{
	git_object *obj = NULL;
	char hex[GIT_OID_HEXSZ + 1];
	int error;

	if (git_object_lookup(&obj, repo, tip, GIT_OBJECT_ANY) < 0) {
		git_oid_tostr(hex, sizeof(hex), tip);
		return sghook_error_set_code(SGHOOK_ENOTFOUND,
			"object %s is missing: %s", hex,
			git_error_last() ? git_error_last()->message :
			"not found");
	}
	error = peel_commit(out, obj);
	git_object_free(obj);
	if (error == 0)
		return 0;
	if (others && (error = sghook_oids_push(others, tip)) < 0)
		return error;
	return 1;
}

/*
 * libgit2 walks the whole history in its first git_revwalk_next(); the
 * hide callback, which it calls for every commit it meets, is where the
 * deadline can stop it (by hiding the rest).
 */
static int past_deadline(const git_oid *id, void *payload)
{
	int *late = payload;

	(void)id;
	if (!*late && sghook_deadline_check() < 0)
		*late = 1;
	return *late;
}

int sghook_walk_new(sghook_oids *out, sghook_oids *others,
	git_repository *repo, const git_oid *tips, size_t ntips,
	const git_oid *hide, size_t nhide, const char *hide_refs_glob)
{
	git_revwalk *walk = NULL;
	git_object *obj = NULL;
	git_oid id;
	char hex[GIT_OID_HEXSZ + 1];
	size_t i, pushed = 0, refs = 0;
	int error, late = 0;

	if ((error = walk_new(&walk, repo)) < 0)
		return error;
	for (i = 0; i < ntips; i++) {
		if ((error = tip_commit(&id, repo, &tips[i], others)) < 0)
			goto done;
		if (error > 0)
			continue;
		if (git_revwalk_push(walk, &id) < 0) {
			git_oid_tostr(hex, sizeof(hex), &tips[i]);
			error = sghook_error_from_git(hex);
			goto done;
		}
		pushed++;
	}
	for (i = 0; i < nhide; i++) {
		/* The other side's tip may be unknown here: nothing to hide. */
		if (git_object_lookup(&obj, repo, &hide[i], GIT_OBJECT_ANY) < 0)
			continue;
		error = peel_commit(&id, obj);
		git_object_free(obj);
		obj = NULL;
		if (error == 0 && git_revwalk_hide(walk, &id) < 0) {
			git_oid_tostr(hex, sizeof(hex), &hide[i]);
			error = sghook_error_from_git(hex);
			goto done;
		}
		error = 0;
	}
	if (hide_refs_glob &&
	    (error = hide_refs(walk, repo, hide_refs_glob, &refs)) < 0)
		goto done;
	git_revwalk_add_hide_cb(walk, past_deadline, &late);
	error = pushed ? walk_collect(out, walk) : 0;
	if (error == 0 && late)
		error = sghook_deadline_check();
	if (error == 0)
		sghook_trace("walk: every ref: %zu new commits, %zu refs hidden",
			out->count, refs);
done:
	git_revwalk_free(walk);
	return error;
}

/* ---- what a quarantined push brings ----------------------------------- */

/*
 * git keeps the objects of a push in a quarantine directory until the
 * pre-receive hook accepts them, so the objects the repository had before
 * the push can be told from the pushed ones. The commits a push brings
 * are those reachable from its tips and from no ref. Walk from the tips
 * and stop at every commit the repository had (the boundary): each commit
 * walked is new, since no ref can reach a commit the repository did not
 * have. And when each boundary commit is reachable from some ref, nothing
 * below it is new, so the walk found them all, without reading every ref.
 * A boundary commit that no ref is shown to reach (a branch deleted and
 * pushed again, a commit only an alternate's refs reach) sends the walk
 * back to every ref.
 */
typedef struct {
	git_odb *before;
	sghook_oidmap seen;
	sghook_oids boundary;
	int error;
	int late;
} pushed_walk;

static int stop_at_known(const git_oid *id, void *payload)
{
	pushed_walk *p = payload;
	int put;

	if (p->error || p->late)
		return 1;
	if (!git_odb_exists_ext(p->before, id, GIT_ODB_LOOKUP_NO_REFRESH))
		return 0;
	if ((put = sghook_oidmap_put(&p->seen, id, 0)) == 0)
		put = sghook_oids_push(&p->boundary, id);
	if (put < 0)
		p->error = put;
	else if (p->boundary.count % 256 == 0 && sghook_deadline_check() < 0)
		p->late = 1;
	return 1;
}

/* Seconds of clock skew allowed between a commit and its ancestors. */
#define SKEW (7 * 24 * 3600)

/*
 * Counts into *found the commits of `want` that a walk from `from` meets,
 * newest first (`met` holds those met so far). The walk gives up once it
 * is a week older than the oldest commit of `want`: a commit that old is
 * not an ancestor of one of them, unless its dates are badly skewed, and
 * then the caller only walks every ref for nothing.
 */
static int meet(size_t *found, sghook_oidmap *met, git_repository *repo,
	const sghook_oidmap *want, size_t nwant, git_time_t oldest,
	const git_oid *from, size_t nfrom)
{
	git_revwalk *walk = NULL;
	git_commit *c = NULL;
	git_oid id;
	uint32_t v;
	size_t i, walked = 0;
	int error = 0, put;

	if (*found == nwant)
		return 0;
	if (git_revwalk_new(&walk, repo) < 0)
		return sghook_error_from_git("cannot walk history");
	for (i = 0; i < nfrom; i++)
		if (git_revwalk_push(walk, &from[i]) < 0)
			git_error_clear();  /* not a commit: reaches nothing */
	while (*found < nwant && (error = git_revwalk_next(&id, walk)) == 0) {
		if (sghook_oidmap_get(want, &id, &v)) {
			if ((put = sghook_oidmap_put(met, &id, 0)) < 0) {
				error = put;
				break;
			}
			*found += put == 0;
		}
		if (++walked % 256)
			continue;
		if ((error = sghook_deadline_check()) < 0)
			break;
		if (git_commit_lookup(&c, repo, &id) < 0) {
			error = sghook_error_from_git("cannot walk history");
			break;
		}
		v = git_commit_time(c) < oldest - SKEW;
		git_commit_free(c);
		if (v)
			break;
	}
	git_revwalk_free(walk);
	if (error == GIT_ITEROVER) {
		git_error_clear();
		return 0;
	}
	if (error < 0 && error != SGHOOK_ETIMEOUT && error != SGHOOK_ERROR)
		error = sghook_error_from_git("cannot walk history");
	return error;
}

/* The commit a ref leads to, into `ids`; anything else is skipped. */
static int push_ref_commit(sghook_oids *ids, git_reference *ref)
{
	git_object *obj = NULL;
	const git_oid *id;
	git_object_t type = GIT_OBJECT_INVALID;
	int error = 0;

	if (git_reference_type(ref) == GIT_REFERENCE_DIRECT &&
	    (id = git_reference_target_peel(ref)))
		return sghook_oids_push(ids, id);
	if (git_reference_type(ref) == GIT_REFERENCE_DIRECT) {
		git_odb *odb = NULL;
		size_t len;

		if (git_repository_odb(&odb, git_reference_owner(ref)) == 0 &&
		    git_odb_read_header(&len, &type, odb,
		    git_reference_target(ref)) == 0 &&
		    type == GIT_OBJECT_COMMIT)
			error = sghook_oids_push(ids, git_reference_target(ref));
		git_odb_free(odb);
		if (type == GIT_OBJECT_COMMIT || error < 0)
			return error;
	}
	if (git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT) == 0)
		error = sghook_oids_push(ids, git_object_id(obj));
	git_object_free(obj);
	git_error_clear();
	return error;
}

/* The commits of HEAD and of every branch and tag. */
static int branch_and_tag_commits(sghook_oids *out, git_repository *repo)
{
	static const char *globs[] = { "refs/heads/*", "refs/tags/*" };
	git_reference_iterator *it = NULL;
	git_reference *ref = NULL;
	size_t i;
	int error = 0;

	for (i = 0; i < 2 && error == 0; i++) {
		if (git_reference_iterator_glob_new(&it, repo, globs[i]) < 0)
			return refs_error(repo);
		while (error == 0 && (error = git_reference_next(&ref, it)) == 0) {
			error = push_ref_commit(out, ref);
			git_reference_free(ref);
		}
		git_reference_iterator_free(it);
		if (error == GIT_ITEROVER)
			error = 0;
		else if (error < 0 && error != SGHOOK_ERROR)
			error = refs_error(repo);
	}
	return error;
}

/*
 * Whether every boundary commit is reachable from a ref: first from the
 * pushed refs' old values and HEAD, where a push usually starts; then from
 * every branch and tag.
 */
static int boundary_known(int *known, const char **how,
	git_repository *repo, const sghook_oids *boundary,
	const git_oid *olds, size_t nolds)
{
	sghook_oidmap want = {0}, met = {0};
	sghook_oids from = {0};
	git_reference *head = NULL;
	git_commit *c = NULL;
	git_time_t oldest = 0;
	size_t i, found = 0;
	int error;

	*known = boundary->count == 0;
	*how = "nowhere: there are none";
	if (*known)
		return 0;
	if ((error = sghook_oidmap_init(&want)) < 0 ||
	    (error = sghook_oidmap_init(&met)) < 0)
		goto done;
	for (i = 0; i < boundary->count && error == 0; i++) {
		if (git_commit_lookup(&c, repo, &boundary->ids[i]) < 0) {
			error = sghook_error_from_git("cannot read a commit");
			break;
		}
		if (i == 0 || git_commit_time(c) < oldest)
			oldest = git_commit_time(c);
		git_commit_free(c);
		if ((error = sghook_oidmap_put(&want, &boundary->ids[i], 0)) > 0)
			error = 0;
	}
	for (i = 0; i < nolds && error == 0; i++)
		if (!git_oid_is_zero(&olds[i]))
			error = sghook_oids_push(&from, &olds[i]);
	if (error == 0 && git_repository_head(&head, repo) == 0)
		error = push_ref_commit(&from, head);
	git_error_clear();
	if (error == 0)
		error = meet(&found, &met, repo, &want, boundary->count,
			oldest, from.ids, from.count);
	*how = "the pushed refs' old values and HEAD";
	if (error == 0 && found < boundary->count) {
		from.count = 0;
		error = branch_and_tag_commits(&from, repo);
		if (error == 0)
			error = meet(&found, &met, repo, &want,
				boundary->count, oldest, from.ids, from.count);
		*how = "branches and tags";
	}
	*known = error == 0 && found == boundary->count;
done:
	git_reference_free(head);
	sghook_oids_free(&from);
	sghook_oidmap_free(&want);
	sghook_oidmap_free(&met);
	return error;
}

int sghook_walk_pushed(sghook_oids *out, sghook_oids *others,
	git_repository *repo, git_odb *before, const git_oid *tips,
	size_t ntips, const git_oid *olds, size_t nolds)
{
	git_revwalk *walk = NULL;
	pushed_walk p = {0};
	const char *how = "";
	git_oid id;
	char hex[GIT_OID_HEXSZ + 1];
	size_t i, pushed = 0, nothers = others ? others->count : 0;
	int error, known = 0;

	p.before = before;
	if ((error = sghook_oidmap_init(&p.seen)) < 0 ||
	    (error = walk_new(&walk, repo)) < 0)
		goto done;
	for (i = 0; i < ntips; i++) {
		if ((error = tip_commit(&id, repo, &tips[i], others)) < 0)
			goto done;
		if (error > 0)
			continue;
		if (stop_at_known(&id, &p))
			continue;  /* the repository had it: a boundary */
		if (git_revwalk_push(walk, &id) < 0) {
			git_oid_tostr(hex, sizeof(hex), &tips[i]);
			error = sghook_error_from_git(hex);
			goto done;
		}
		pushed++;
	}
	git_revwalk_add_hide_cb(walk, stop_at_known, &p);
	if (pushed && (error = walk_collect(out, walk)) < 0)
		goto done;
	if ((error = p.error) < 0 ||
	    (p.late && (error = sghook_deadline_check()) < 0) ||
	    (error = boundary_known(&known, &how, repo, &p.boundary, olds,
	    nolds)) < 0)
		goto done;
	if (known) {
		sghook_trace("walk: quarantine: %zu new commits, %zu boundary "
			"commits reached from %s", out->count,
			p.boundary.count, how);
		goto done;
	}
	sghook_trace("walk: quarantine: %zu boundary commits, not all "
		"reached from branches and tags", p.boundary.count);
	out->count = 0;
	if (others)
		others->count = nothers;
	error = sghook_walk_new(out, others, repo, tips, ntips, NULL, 0,
		"refs/*");
done:
	git_revwalk_free(walk);
	sghook_oids_free(&p.boundary);
	sghook_oidmap_free(&p.seen);
	return error;
}

int sghook_walk_shallow_supported(void)
{
	int major, minor, rev;

	git_libgit2_version(&major, &minor, &rev);
	return major > 1 || (major == 1 && minor >= 7);
}

/*
 * libgit2 reads the shallow file but has no call that lists it, so it is
 * read here: one hex id a line, as git writes it.
 */
int sghook_walk_shallow_cuts(sghook_oids *out, git_repository *repo,
	const sghook_oids *ids)
{
	git_buf path = GIT_BUF_INIT;
	sghook_oids cuts = {0};
	git_oid id;
	char *file = NULL;
	size_t i, j;
	char line[GIT_OID_HEXSZ + 2];
	FILE *fp = NULL;
	int error = 0;

	if (git_repository_is_shallow(repo) != 1)
		return 0;
	if (git_repository_item_path(&path, repo, GIT_REPOSITORY_ITEM_COMMONDIR) < 0)
		return sghook_error_from_git("cannot find the repository's shallow file");
	if (!(file = malloc(strlen(path.ptr) + sizeof("shallow")))) {
		error = sghook_error_set("out of memory");
		goto done;
	}
	strcpy(file, path.ptr);
	strcat(file, "shallow");
	if (!(fp = fopen(file, "r")))
		goto done;
	while (fgets(line, sizeof(line), fp)) {
		if (strlen(line) < GIT_OID_HEXSZ ||
		    git_oid_fromstrn(&id, line, GIT_OID_HEXSZ) < 0)
			continue;
		if ((error = sghook_oids_push(&cuts, &id)) < 0)
			goto done;
	}
	/* A clone holds few cuts (one per fetched tip), so a scan suffices. */
	for (i = 0; i < ids->count && !error; i++)
		for (j = 0; j < cuts.count; j++)
			if (git_oid_equal(&ids->ids[i], &cuts.ids[j])) {
				error = sghook_oids_push(out, &ids->ids[i]);
				break;
			}
done:
	if (fp)
		fclose(fp);
	sghook_oids_free(&cuts);
	free(file);
	git_buf_dispose(&path);
	return error;
}
