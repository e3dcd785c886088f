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
	/* Editors on Windows may start the file with a byte order mark. */
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		p += 3;
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

/* Splits a copy of `s` at '/' into `parts`; returns the count, -1 on error. */
static int split(char ***parts, char **copy, const char *s)
{
	char *p, *save = NULL, **grown;
	int n = 0;

	*parts = NULL;
	if (!(*copy = strdup(s)))
		return -1;
	for (p = strtok_r(*copy, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
		if (!(grown = realloc(*parts, (size_t)(n + 1) * sizeof(*grown))))
			return -1;
		*parts = grown;
		grown[n++] = p;
	}
	return n;
}

/*
 * Component by component, as .gitignore matches: "**" stands for any
 * number of directories, none included; a glob that runs out before the
 * path has matched a directory, which holds the rest (for "dir/" it must
 * be a directory).
 *
 * The file comes with the change it judges, so a pusher writes it: tried
 * by recursion, a glob of many "**" against a deep path took exponential
 * time. Instead, row i says for each j whether g[i...] matches p[j...];
 * it needs only row i + 1, so rows are filled from the last glob part up,
 * with at most ng * np fnmatch() calls. Row 0 is left in `from` (np + 1
 * entries); -1 when out of memory.
 */
static int match_parts(char *from, char **g, int ng, char **p, int np,
	int dir_only)
{
	size_t w = (size_t)np + 1;
	char *m = malloc(2 * w), *row, *next;
	int i, j;

	if (!m)
		return -1;
	/* Row i lives at m + (i % 2) * w. */
	for (j = 0; j <= np; j++)
		m[(size_t)(ng % 2) * w + (size_t)j] = j < np || !dir_only;
	for (i = ng - 1; i >= 0; i--) {
		row = m + (size_t)(i % 2) * w;
		next = m + (size_t)((i + 1) % 2) * w;
		for (j = np; j >= 0; j--) {
			if (!strcmp(g[i], "**"))
				row[j] = next[j] || (j < np && row[j + 1]);
			else
				row[j] = j < np && next[j + 1] &&
					fnmatch(g[i], p[j], 0) == 0;
		}
	}
	memcpy(from, m, w);
	free(m);
	return 0;
}

/*
 * As in .gitignore: a glob without a slash matches a file or directory
 * name at any depth; one with a slash (a leading one included) matches
 * from the top.
 */
static int glob_matches(const char *glob, const char *path)
{
	size_t n = strlen(glob);
	int anchored = glob[0] == '/' || memchr(glob, '/', n ? n - 1 : 0);
	int dir_only = n && glob[n - 1] == '/', ng, np, k, hit = 0;
	char **g = NULL, **p = NULL, *gc = NULL, *pc = NULL, *from = NULL;

	if ((ng = split(&g, &gc, glob)) < 0 || (np = split(&p, &pc, path)) < 0)
		goto done;
	if (ng == 0 || !(from = malloc((size_t)np + 1)) ||
	    match_parts(from, g, ng, p, np, dir_only) < 0)
		goto done;
	if (anchored)
		hit = from[0];
	else
		for (k = 0; k < np && !hit; k++)
			hit = from[k];
done:
	free(from);
	free(g);
	free(p);
	free(gc);
	free(pc);
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
