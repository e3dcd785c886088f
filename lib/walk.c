/* Which commits to judge: a rev-list style range, or what a push brings. */
#include <stdlib.h>
#include <string.h>

#include "sghook.h"

void sghook_oids_free(sghook_oids *ids)
{
	free(ids->ids);
	memset(ids, 0, sizeof(*ids));
}

int sghook_oids_push(sghook_oids *ids, const git_oid *id)
{
	git_oid *grown;

	if (ids->count == ids->alloc) {
		ids->alloc = ids->alloc ? ids->alloc * 2 : 256;
		if (!(grown = realloc(ids->ids, ids->alloc * sizeof(*grown))))
			return sghook_error_set("out of memory");
		ids->ids = grown;
	}
	git_oid_cpy(&ids->ids[ids->count++], id);
	return 0;
}

/* Oldest first, so that a report reads in the order history was made. */
static int walk_collect(sghook_oids *out, git_revwalk *walk)
{
	git_oid id;
	int error;

	while ((error = git_revwalk_next(&id, walk)) == 0)
		if ((error = sghook_oids_push(out, &id)) < 0)
			return error;
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
		error = sghook_error_set("'%s': %s names commit %s, which is not "
			"in the repository", rev, git_reference_name(ref), hex);
	}
	git_odb_free(odb);
	git_reference_free(ref);
	return error < 0 ? SGHOOK_EINVALID : 0;
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
		sghook_error_set("unknown revision '%s'", rev);
		return SGHOOK_EINVALID;
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
	git_repository *repo;
	int failed;          /* hide_ref() set the error */
} hide_ctx;

/*
 * libgit2 says "corrupted packed references file" and not which one, and
 * its -1 is our SGHOOK_ERROR: the message is made here, naming the file.
 */
static int refs_error(git_repository *repo)
{
	const git_error *e = git_error_last();
	const char *msg = e && e->message ? e->message : "cannot list them";

	if (strstr(msg, "packed"))
		return sghook_error_set("%spacked-refs: %s",
			git_repository_commondir(repo), msg);
	return sghook_error_set("cannot read the refs of %s: %s",
		git_repository_commondir(repo), msg);
}

static int hide_ref(const char *name, void *payload)
{
	hide_ctx *h = payload;
	git_reference *ref = NULL;
	git_object *obj = NULL;
	int error = 0;

	/* A ref that does not lead to a commit hides nothing. */
	if (git_reference_lookup(&ref, h->repo, name) == 0 &&
	    git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT) == 0 &&
	    git_revwalk_hide(h->walk, git_object_id(obj)) < 0) {
		error = sghook_error_from_git(name);
		h->failed = 1;
	}
	git_object_free(obj);
	git_reference_free(ref);
	return error;
}

int sghook_walk_new(sghook_oids *out, sghook_oids *others,
	git_repository *repo, const git_oid *tips, size_t ntips,
	const git_oid *hide, size_t nhide, const char *hide_refs_glob)
{
	git_revwalk *walk = NULL;
	git_object *obj = NULL;
	hide_ctx h;
	git_oid id;
	char hex[GIT_OID_HEXSZ + 1];
	size_t i, pushed = 0;
	int error;

	if ((error = walk_new(&walk, repo)) < 0)
		return error;
	for (i = 0; i < ntips; i++) {
		git_oid_tostr(hex, sizeof(hex), &tips[i]);
		if (git_object_lookup(&obj, repo, &tips[i], GIT_OBJECT_ANY) < 0) {
			error = sghook_error_set("object %s is missing: %s",
				hex, git_error_last() ?
				git_error_last()->message : "not found");
			goto done;
		}
		error = peel_commit(&id, obj);
		git_object_free(obj);
		obj = NULL;
		if (error < 0) {
			/* A tag of a tree or blob: no history, only content. */
			error = others ? sghook_oids_push(others, &tips[i]) : 0;
			if (error < 0)
				goto done;
			continue;
		}
		if (git_revwalk_push(walk, &id) < 0) {
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
	if (hide_refs_glob) {
		h.walk = walk;
		h.repo = repo;
		h.failed = 0;
		error = git_reference_foreach_glob(repo, hide_refs_glob,
			hide_ref, &h);
		if (error < 0) {
			if (!h.failed)
				refs_error(repo);
			goto done;
		}
	}
	error = pushed ? walk_collect(out, walk) : 0;
done:
	git_revwalk_free(walk);
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
	git_oid *cuts = NULL, id;
	char *file = NULL;
	size_t ncuts = 0, alloc = 0, i, j;
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
		if (ncuts == alloc) {
			size_t n = alloc ? alloc * 2 : 16;
			git_oid *grown = realloc(cuts, n * sizeof(*grown));

			if (!grown) {
				error = sghook_error_set("out of memory");
				goto done;
			}
			cuts = grown;
			alloc = n;
		}
		git_oid_cpy(&cuts[ncuts++], &id);
	}
	/* A clone holds few cuts (one per fetched tip), so a scan suffices. */
	for (i = 0; i < ids->count && !error; i++)
		for (j = 0; j < ncuts; j++)
			if (git_oid_equal(&ids->ids[i], &cuts[j])) {
				error = sghook_oids_push(out, &ids->ids[i]);
				break;
			}
done:
	if (fp)
		fclose(fp);
	free(cuts);
	free(file);
	git_buf_dispose(&path);
	return error;
}
