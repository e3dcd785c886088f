/*
 * Commit and tag messages: pushed with the commit, in history for good,
 * and no file of any tree. They are judged apart from the commit scan,
 * by a pass of their own over the same commit ids.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "sghook.h"

/* git's cut line (wt_status_add_cut_line), after the comment string. */
#define CUT_LINE "------------------------ >8 ------------------------"

int sghook_message_strip(char **out, size_t *outlen, int *cut,
	const char *buf, size_t len, const char *comment)
{
	const char *p = buf, *end = buf + len, *eol;
	size_t clen, n = 0;
	char *copy;

	if (!comment || !*comment)
		comment = "#";
	clen = strlen(comment);
	if (cut)
		*cut = 0;
	if (!(copy = malloc(len + 1)))
		return sghook_error_set("out of memory");
	for (; p < end; p = eol) {
		size_t llen;

		eol = memchr(p, '\n', (size_t)(end - p));
		eol = eol ? eol + 1 : end;
		llen = (size_t)(eol - p);
		if (llen >= clen && !memcmp(p, comment, clen)) {
			const char *rest = p + clen;
			size_t rlen = llen - clen;

			/*
			 * Everything from the cut line on is the diff of -v,
			 * which git drops (the line as wt_status_locate_end()
			 * looks for it).
			 */
			if (rlen >= sizeof(CUT_LINE) && rest[0] == ' ' &&
			    !memcmp(rest + 1, CUT_LINE, sizeof(CUT_LINE) - 1) &&
			    (rlen == sizeof(CUT_LINE) ||
			    (rlen == sizeof(CUT_LINE) + 1 &&
			    rest[sizeof(CUT_LINE)] == '\n'))) {
				if (cut)
					*cut = 1;
				break;
			}
			if (eol[-1] == '\n')
				copy[n++] = '\n';
			continue;
		}
		memcpy(copy + n, p, llen);
		n += llen;
	}
	copy[n] = '\0';
	*out = copy;
	*outlen = n;
	return 0;
}

typedef struct {
	sghook_findings *out;
	sghook_source source;
	const git_oid *id;
} hit_ctx;

static int add_hit(const sghook_match *m, void *payload)
{
	hit_ctx *c = payload;
	sghook_finding f;
	char *secret;
	int error;

	if (!(secret = strndup(m->secret, m->secret_len)))
		return sghook_error_set("out of memory");
	memset(&f, 0, sizeof(f));
	f.rule = m->rule;
	f.source = c->source;
	f.line = m->line;
	f.column = m->column;
	f.secret = secret;
	f.tier = m->tier;
	if (c->id) {
		git_oid_cpy(&f.commit, c->id);
		f.has_commit = 1;
	}
	sghook_finding_fingerprint(&f);
	error = sghook_findings_add(c->out, &f);
	free(secret);
	return error;
}

static int scan_with(sghook_findings *out, sghook_matcher *m,
	const sghook_rules *rules, const char *buf, size_t len,
	sghook_source source, const git_oid *id)
{
	hit_ctx c = { out, source, id };

	if (!sghook_rules_prefilter(rules, buf, len))
		return 0;
	return sghook_matcher_scan(m, buf, len, add_hit, &c);
}

int sghook_message_scan(sghook_findings *out, const char *buf, size_t len,
	sghook_source source, const git_oid *id, const sghook_scan_opts *opts)
{
	sghook_matcher *m = NULL;
	int error;

	if (!sghook_rules_prefilter(opts->rules, buf, len))
		return 0;
	if ((error = sghook_matcher_new(&m, opts->rules)) < 0)
		return error;
	sghook_matcher_use_jit(m, !opts->no_jit);
	error = scan_with(out, m, opts->rules, buf, len, source, id);
	sghook_matcher_free(m);
	return error;
}

static int oids_has(const git_oid *ids, size_t n, const git_oid *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (git_oid_equal(&ids[i], id))
			return 1;
	return 0;
}

int sghook_message_tags(sghook_oids *out, git_repository *repo,
	const git_oid *tips, size_t ntips, const git_oid *skip, size_t nskip)
{
	git_odb *odb = NULL;
	git_tag *tag = NULL;
	git_object_t type;
	git_oid id;
	size_t i, size, depth;
	int error = 0;

	if (git_repository_odb(&odb, repo) < 0)
		return sghook_error_from_git("cannot open the object database");
	for (i = 0; i < ntips && error == 0; i++) {
		git_oid_cpy(&id, &tips[i]);
		/*
		 * A tag names its target by hash, so a chain cannot loop;
		 * the bound is against a crafted chain that never ends.
		 */
		for (depth = 0; depth < 1000; depth++) {
			if (oids_has(skip, nskip, &id) ||
			    git_odb_read_header(&size, &type, odb, &id) < 0 ||
			    type != GIT_OBJECT_TAG)
				break;
			if (!oids_has(out->ids, out->count, &id) &&
			    (error = sghook_oids_push(out, &id)) < 0)
				break;
			if (git_tag_lookup(&tag, repo, &id) < 0) {
				error = sghook_error_from_git("cannot read a tag");
				break;
			}
			git_oid_cpy(&id, git_tag_target_id(tag));
			git_tag_free(tag);
			tag = NULL;
		}
	}
	git_odb_free(odb);
	return error;
}

int sghook_message_tags_of_revs(sghook_oids *out, git_repository *repo,
	const char *const *revs, size_t nrevs)
{
	git_revspec spec;
	git_oid ids[2];
	size_t i, n;
	int error = 0;

	for (i = 0; i < nrevs && error == 0; i++) {
		/* A negated revision names what is not judged. */
		if (revs[i][0] == '^')
			continue;
		memset(&spec, 0, sizeof(spec));
		if (git_revparse(&spec, repo, revs[i]) < 0) {
			git_object_free(spec.from);
			git_object_free(spec.to);
			return sghook_error_set_code(SGHOOK_EINVALID,
				"unknown revision '%s'", revs[i]);
		}
		n = 0;
		if (spec.flags & GIT_REVSPEC_SINGLE) {
			git_oid_cpy(&ids[n++], git_object_id(spec.from));
		} else {
			/* A..B includes B; A...B both sides. */
			if (spec.flags & GIT_REVSPEC_MERGE_BASE)
				git_oid_cpy(&ids[n++], git_object_id(spec.from));
			git_oid_cpy(&ids[n++], git_object_id(spec.to));
		}
		git_object_free(spec.from);
		git_object_free(spec.to);
		error = sghook_message_tags(out, repo, ids, n, NULL, 0);
	}
	return error;
}

/* The message of a raw commit or tag: what follows its headers. */
static const char *message_of(const char *data, size_t len, size_t *mlen)
{
	const char *p = memmem(data, len, "\n\n", 2);

	if (!p) {
		*mlen = 0;
		return data + len;
	}
	p += 2;
	*mlen = len - (size_t)(p - data);
	return p;
}

/* The tree whose .sghookignore judges a message; NULL when none. */
static int ignore_of(sghook_ignore **out, git_repository *repo,
	const git_oid *id)
{
	git_object *obj = NULL, *commit = NULL;
	git_tree *tree = NULL;
	git_tree_entry *te = NULL;
	git_blob *blob = NULL;
	int error = 0;

	*out = NULL;
	if (git_object_lookup(&obj, repo, id, GIT_OBJECT_ANY) < 0 ||
	    git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) < 0 ||
	    git_commit_tree(&tree, (git_commit *)commit) < 0)
		goto done;  /* a tag of a tree or a blob: no ignore file */
	if (git_tree_entry_bypath(&te, tree, ".sghookignore") < 0 ||
	    git_tree_entry_type(te) != GIT_OBJECT_BLOB)
		goto done;
	if (git_blob_lookup(&blob, repo, git_tree_entry_id(te)) < 0) {
		error = sghook_error_from_git(".sghookignore");
		goto done;
	}
	error = sghook_ignore_parse(out, git_blob_rawcontent(blob),
		(size_t)git_blob_rawsize(blob));
done:
	git_blob_free(blob);
	git_tree_entry_free(te);
	git_tree_free(tree);
	git_object_free(commit);
	git_object_free(obj);
	return error;
}

/* Drops the findings from `from` on that the object's .sghookignore allows. */
static int apply_ignore(sghook_findings *found, size_t from,
	git_repository *repo, const git_oid *id)
{
	sghook_ignore *ig = NULL;
	size_t i, kept = from;
	int error;

	if ((error = ignore_of(&ig, repo, id)) < 0 || !ig)
		return error;
	for (i = from; i < found->count; i++) {
		sghook_finding *f = &found->items[i];

		if (sghook_ignore_allows(ig, NULL, f->fingerprint)) {
			free(f->path);
			free(f->secret);
		} else {
			found->items[kept++] = *f;
		}
	}
	found->count = kept;
	sghook_ignore_free(ig);
	return 0;
}

static int scan_objects(sghook_findings *out, git_repository *repo,
	git_odb *odb, sghook_matcher *m, const sghook_oids *ids,
	sghook_source source, const sghook_scan_opts *opts)
{
	git_odb_object *obj = NULL;
	const char *msg;
	size_t i, mlen, before;
	int error = 0;

	for (i = 0; ids && i < ids->count && error == 0; i++) {
		if ((error = sghook_deadline_check()) < 0)
			break;
		if (git_odb_read(&obj, odb, &ids->ids[i]) < 0) {
			error = sghook_error_from_git("cannot read a message");
			break;
		}
		msg = message_of(git_odb_object_data(obj),
			git_odb_object_size(obj), &mlen);
		before = out->count;
		error = scan_with(out, m, opts->rules, msg, mlen, source,
			&ids->ids[i]);
		git_odb_object_free(obj);
		obj = NULL;
		if (error == 0 && out->count > before && opts->use_ignore_file)
			error = apply_ignore(out, before, repo, &ids->ids[i]);
	}
	return error;
}

int sghook_scan_messages(sghook_findings *out, git_repository *repo,
	const sghook_oids *commits, const sghook_oids *tags,
	const sghook_scan_opts *opts)
{
	sghook_matcher *m = NULL;
	git_odb *odb = NULL;
	int error;

	if ((!commits || !commits->count) && (!tags || !tags->count))
		return 0;
	if (git_repository_odb(&odb, repo) < 0)
		return sghook_error_from_git("cannot open the object database");
	if ((error = sghook_matcher_new(&m, opts->rules)) < 0)
		goto done;
	sghook_matcher_use_jit(m, !opts->no_jit);
	sghook_trace("messages: %zu of commits, %zu of tags",
		commits ? commits->count : 0, tags ? tags->count : 0);
	if ((error = scan_objects(out, repo, odb, m, commits,
	    SGHOOK_SOURCE_COMMIT_MESSAGE, opts)) < 0)
		goto done;
	error = scan_objects(out, repo, odb, m, tags,
		SGHOOK_SOURCE_TAG_MESSAGE, opts);
	if (error == 0)
		sghook_trace("messages: done");
done:
	sghook_matcher_free(m);
	git_odb_free(odb);
	return error;
}
