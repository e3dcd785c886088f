/*
 * One process's scanning context: its repository handle, object
 * directories and matcher, and what it reads and scans with them. Each
 * worker process opens its own (a libgit2 handle is not shared across
 * fork), the calling process one more.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include <git2.h>
#include "array.h"
#include "scan_internal.h"

static const git_oid empty_blob = {{
	0xe6, 0x9d, 0xe2, 0x9b, 0xb2, 0xd1, 0xd6, 0x43, 0x4b, 0x8b,
	0x29, 0xae, 0x77, 0x5a, 0xd8, 0xc2, 0xe4, 0x8c, 0x53, 0x91 }};

void sghook_blob_result_free(sghook_blob_result *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++)
		free(r->hits[i].secret);
	free(r);
}

int sghook_blob_skipped(const git_oid *id)
{
	return git_oid_is_zero(id) || git_oid_equal(id, &empty_blob);
}

static int collect_hit(const sghook_match *m, void *payload)
{
	sghook_scan_ctx *sc = payload;
	sghook_blob_hit *h;

	if (SGHOOK_ARRAY_GROW(sc->tmp, sc->alloc, sc->ntmp + 1) < 0)
		return SGHOOK_ERROR;
	h = &sc->tmp[sc->ntmp];
	if (!(h->secret = strndup(m->secret, m->secret_len)))
		return sghook_error_set("out of memory");
	h->rule = m->rule;
	h->line = m->line;
	h->column = m->column;
	h->secret_len = m->secret_len;
	h->tier = m->tier;
	h->encoding = m->encoding;
	sc->ntmp++;
	return 0;
}

/* Blocking matches in a buffer, or NULL when there are none. */
int sghook_scan_ctx_scan(sghook_blob_result **out, sghook_scan_ctx *sc,
	const char *buf, size_t len)
{
	sghook_blob_result *r;
	size_t i;
	int error;

	*out = NULL;
	if (!sghook_rules_prefilter(sc->opts->rules, buf, len))
		return 0;
	sc->ntmp = 0;
	if ((error = sghook_matcher_scan(sc->matcher, buf, len, collect_hit,
	    sc)) < 0)
		goto fail;
	if (sc->ntmp == 0)
		return 0;
	if (!(r = malloc(sizeof(*r) + sc->ntmp * sizeof(sghook_blob_hit)))) {
		error = sghook_error_set("out of memory");
		goto fail;
	}
	r->n = sc->ntmp;
	memcpy(r->hits, sc->tmp, sc->ntmp * sizeof(sghook_blob_hit));
	sc->ntmp = 0;
	*out = r;
	return 0;
fail:
	for (i = 0; i < sc->ntmp; i++)
		free(sc->tmp[i].secret);
	sc->ntmp = 0;
	return error;
}

void sghook_blob_data_free(sghook_blob_data *d)
{
	git_odb_object_free(d->obj);
	free(d->own);
	memset(d, 0, sizeof(*d));
}

static int add_dir(sghook_scan_ctx *sc, const char *dir, size_t len)
{
	if (!len)
		return 0;
	if (SGHOOK_ARRAY_GROW(sc->dirs, sc->adirs, sc->ndirs + 1) < 0)
		return SGHOOK_ERROR;
	if (!(sc->dirs[sc->ndirs] = strndup(dir, len)))
		return sghook_error_set("out of memory");
	sc->ndirs++;
	return 0;
}

/*
 * Where loose objects may be: as git's environment names them to hooks
 * (a push's quarantine, and the repository beside it as an alternate),
 * then the repository's own directory. An object is its id's content
 * wherever it is found.
 */
static int list_dirs(sghook_scan_ctx *sc)
{
	const char *env = getenv("GIT_OBJECT_DIRECTORY"), *p, *colon;
	git_buf own = GIT_BUF_INIT;
	int error = 0;

	if (env)
		error = add_dir(sc, env, strlen(env));
	env = getenv("GIT_ALTERNATE_OBJECT_DIRECTORIES");
	for (p = env; error == 0 && p && *p; p = colon ? colon + 1 : "") {
		colon = strchr(p, ':');
		error = add_dir(sc, p, colon ? (size_t)(colon - p) : strlen(p));
	}
	if (error == 0 && git_repository_item_path(&own, sc->repo,
	    GIT_REPOSITORY_ITEM_OBJECTS) == 0)
		error = add_dir(sc, own.ptr, own.size);
	git_buf_dispose(&own);
	return error;
}

/*
 * libgit2 reads a loose object whole before inflating it: a large blob
 * that compresses badly takes twice its size. When that is more memory
 * than there is, the blob is read again from its file by loose.c, in its
 * own size.
 */
static int read_lean(sghook_blob_data *out, sghook_scan_ctx *sc,
	const git_oid *id)
{
	size_t i;
	int error = SGHOOK_ENOTFOUND;

	if (!sc->dirs && (error = list_dirs(sc)) < 0)
		return error;
	for (i = 0; i < sc->ndirs; i++) {
		error = sghook_loose_read(&out->own, &out->len, sc->dirs[i],
		    id);
		if (error != SGHOOK_ENOTFOUND)
			break;
	}
	if (error == 0)
		out->data = out->own;
	return error;
}

int sghook_scan_ctx_read(sghook_blob_data *out, sghook_scan_ctx *sc,
	const git_oid *id)
{
	char hex[GIT_OID_HEXSZ + 1];
	const git_error *e;
	int error, oom, lean;

	memset(out, 0, sizeof(*out));
	if (git_odb_read(&out->obj, sc->odb, id) == 0) {
		out->data = git_odb_object_data(out->obj);
		out->len = git_odb_object_size(out->obj);
		return 0;
	}
	oom = (e = git_error_last()) && e->klass == GIT_ERROR_NOMEMORY;
	git_oid_tostr(hex, sizeof(hex), id);
	error = sghook_error_from_git(hex);
	if (!oom || (lean = read_lean(out, sc, id)) == SGHOOK_ENOTFOUND)
		return error;
	return lean;
}

int sghook_scan_ctx_scan_blob(sghook_blob_result **out, sghook_scan_ctx *sc,
	const git_oid *id)
{
	sghook_blob_data d;
	int error;

	if ((error = sghook_scan_ctx_read(&d, sc, id)) < 0)
		return error;
	error = sghook_scan_ctx_scan(out, sc, d.data, d.len);
	sghook_blob_data_free(&d);
	return error;
}

int sghook_scan_ctx_open(sghook_scan_ctx *sc, const sghook_scan_opts *opts,
	git_repository *repo)
{
	int error;

	memset(sc, 0, sizeof(*sc));
	sc->opts = opts;
	sc->repo = repo;
	if (git_repository_odb(&sc->odb, sc->repo) < 0)
		return sghook_error_from_git("cannot open object database");
	if ((error = sghook_matcher_new(&sc->matcher, opts->rules)) < 0)
		return error;
	sghook_matcher_use_jit(sc->matcher, !opts->no_jit);
	return 0;
}

void sghook_scan_ctx_close(sghook_scan_ctx *sc)
{
	size_t i;

	for (i = 0; i < sc->ntmp; i++)
		free(sc->tmp[i].secret);
	free(sc->tmp);
	for (i = 0; i < sc->ndirs; i++)
		free(sc->dirs[i]);
	free(sc->dirs);
	sghook_matcher_free(sc->matcher);
	git_odb_free(sc->odb);
}

size_t sghook_scan_jobs(const sghook_scan_opts *opts)
{
	return opts->jobs > 1 ? (size_t)opts->jobs : 1;
}

int sghook_scan_rule_index(uint32_t *out, const sghook_rules *rules,
	const sghook_rule *rule)
{
	size_t i, n = sghook_rules_count(rules);

	for (i = 0; i < n; i++)
		if (sghook_rules_get(rules, i) == rule) {
			*out = (uint32_t)i;
			return 0;
		}
	return sghook_error_set("a match of a rule that is not in the set");
}
