/*
 * .sghookignore: one entry a line, a finding's fingerprint (16 hex digits)
 * or a path glob as git's pathspecs read them; '#' starts a comment.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "sghook.h"

struct sghook_ignore {
	char **fingerprints;
	size_t nfp;
	char **globs;
	size_t nglobs;
};

void sghook_ignore_free(sghook_ignore *ig)
{
	size_t i;

	if (!ig)
		return;
	for (i = 0; i < ig->nfp; i++)
		free(ig->fingerprints[i]);
	for (i = 0; i < ig->nglobs; i++)
		free(ig->globs[i]);
	free(ig->fingerprints);
	free(ig->globs);
	free(ig);
}

static int is_fingerprint(const char *s, size_t n)
{
	size_t i;

	if (n != 16)
		return 0;
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int push(char ***list, size_t *n, const char *s, size_t len)
{
	char **grown = realloc(*list, (*n + 1) * sizeof(*grown));

	if (!grown)
		return sghook_error_set("out of memory");
	*list = grown;
	if (!(grown[*n] = strndup(s, len)))
		return sghook_error_set("out of memory");
	(*n)++;
	return 0;
}

int sghook_ignore_parse(sghook_ignore **out, const char *buf, size_t len)
{
	sghook_ignore *ig = calloc(1, sizeof(*ig));
	const char *p = buf, *end = buf + len, *eol, *s, *e;
	int error = 0;

	if (!ig)
		return sghook_error_set("out of memory");
	while (p < end && error == 0) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		s = p;
		e = eol;
		p = eol + 1;
		while (s < e && isspace((unsigned char)*s))
			s++;
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		if (s == e || *s == '#')
			continue;
		if (is_fingerprint(s, (size_t)(e - s)))
			error = push(&ig->fingerprints, &ig->nfp, s,
				(size_t)(e - s));
		else
			error = push(&ig->globs, &ig->nglobs, s,
				(size_t)(e - s));
	}
	if (error < 0) {
		sghook_ignore_free(ig);
		return error;
	}
	*out = ig;
	return 0;
}

/* Whether `glob` matches `path` or one of the directories above it. */
static int match_prefixes(const char *glob, const char *path, int flags)
{
	char *copy = strdup(path), *slash;
	int hit = 0;

	if (!copy)
		return 0;
	for (slash = copy + strlen(copy); !hit && slash; ) {
		*slash = '\0';
		hit = fnmatch(glob, copy, flags) == 0;
		slash = strrchr(copy, '/');
	}
	free(copy);
	return hit;
}

/* Whether a component of `path` (a directory or the file) matches. */
static int match_component(const char *glob, const char *path)
{
	char *copy = strdup(path), *part, *save = NULL;
	int hit = 0;

	if (!copy)
		return 0;
	for (part = strtok_r(copy, "/", &save); part && !hit;
	     part = strtok_r(NULL, "/", &save))
		hit = fnmatch(glob, part, 0) == 0;
	free(copy);
	return hit;
}

/*
 * As in .gitignore: a glob without a slash matches a file or directory
 * name at any depth; one with a slash (a leading one included) matches
 * from the top; a directory matched holds everything under it; "**"
 * crosses directories.
 */
static int glob_matches(const char *glob, const char *path)
{
	int anchored = glob[0] == '/', hit;
	char *g;
	size_t n;

	glob += anchored;
	if (!(n = strlen(glob)) || !(g = strndup(glob, n)))
		return 0;
	if (g[n - 1] == '/')
		g[--n] = '\0';
	if (!anchored && !strchr(g, '/'))
		hit = match_component(g, path);
	else
		hit = match_prefixes(g, path, FNM_PATHNAME) ||
			(strstr(g, "**") && fnmatch(g, path, 0) == 0);
	free(g);
	return hit;
}

int sghook_ignore_allows(const sghook_ignore *ig, const char *path,
	const char *fingerprint)
{
	size_t i;

	for (i = 0; i < ig->nfp; i++)
		if (!strcasecmp(ig->fingerprints[i], fingerprint))
			return 1;
	for (i = 0; i < ig->nglobs; i++)
		if (glob_matches(ig->globs[i], path))
			return 1;
	return 0;
}
