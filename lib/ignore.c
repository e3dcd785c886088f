/*
 * .sghookignore: one entry a line, a finding's fingerprint (16 hex digits)
 * or a path glob as git's pathspecs read them; '#' at the start of a line,
 * or after a blank, starts a comment. A line that cannot be either is kept
 * as a problem for the caller to report, and allows nothing.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "sghook.h"

typedef struct {
	char **items;
	size_t count, alloc;
} strings;

/* A line that cannot be used, and why. */
typedef struct {
	char *why;
	size_t line;
} ignore_problem;

struct sghook_ignore {
	strings fingerprints;
	strings globs;
	ignore_problem *problems;
	size_t nproblems, problems_alloc;
};

static void strings_free(strings *s)
{
	size_t i;

	for (i = 0; i < s->count; i++)
		free(s->items[i]);
	free(s->items);
}

void sghook_ignore_free(sghook_ignore *ig)
{
	size_t i;

	if (!ig)
		return;
	strings_free(&ig->fingerprints);
	strings_free(&ig->globs);
	for (i = 0; i < ig->nproblems; i++)
		free(ig->problems[i].why);
	free(ig->problems);
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

static int push(strings *list, const char *s, size_t len)
{
	int error;

	if ((error = SGHOOK_ARRAY_GROW(list->items, list->alloc,
	    list->count + 1)) < 0)
		return error;
	if (!(list->items[list->count] = strndup(s, len)))
		return sghook_error_set("out of memory");
	list->count++;
	return 0;
}

static int all_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return n > 0;
}

static int problem(sghook_ignore *ig, size_t line, const char *why)
{
	ignore_problem *p;
	int error;

	if ((error = SGHOOK_ARRAY_GROW(ig->problems, ig->problems_alloc,
	    ig->nproblems + 1)) < 0)
		return error;
	p = &ig->problems[ig->nproblems];
	if (!(p->why = strdup(why)))
		return sghook_error_set("out of memory");
	p->line = line;
	ig->nproblems++;
	return 0;
}

/*
 * What a line that cannot be used looks like: a fingerprint with words
 * after it, a fingerprint of the wrong length, a negation.
 */
static const char *unusable(const char *s, size_t n)
{
	size_t w = 0;

	while (w < n && !isspace((unsigned char)s[w]))
		w++;
	if (w < n && is_fingerprint(s, w))
		return "text after the fingerprint (a comment starts with ' #')";
	if (w == n && all_hex(s, n) && n >= 8 && n <= 64 && n != 16)
		return "not a fingerprint: a fingerprint has 16 hex digits";
	if (s[0] == '!')
		return "'!' (negation) is not supported";
	return NULL;
}

int sghook_ignore_parse(sghook_ignore **out, const char *buf, size_t len)
{
	sghook_ignore *ig = calloc(1, sizeof(*ig));
	const char *p = buf, *end = buf + len, *eol, *s, *e, *c, *why;
	size_t line = 0;
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
		line++;
		while (s < e && isspace((unsigned char)*s))
			s++;
		if (s < e && *s == '#')
			continue;
		/* "fp  # why": a '#' after a blank ends the entry. */
		for (c = s + 1; c < e; c++)
			if (*c == '#' && isspace((unsigned char)c[-1])) {
				e = c;
				break;
			}
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		if (s == e)
			continue;
		if ((why = unusable(s, (size_t)(e - s))))
			error = problem(ig, line, why);
		else if (is_fingerprint(s, (size_t)(e - s)))
			error = push(&ig->fingerprints, s, (size_t)(e - s));
		else
			error = push(&ig->globs, s, (size_t)(e - s));
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
	char *p, *save = NULL;
	size_t n = 0, alloc = 0;

	*parts = NULL;
	if (!(*copy = strdup(s)))
		return -1;
	for (p = strtok_r(*copy, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
		if (n >= INT_MAX || SGHOOK_ARRAY_GROW(*parts, alloc, n + 1) < 0)
			return -1;
		(*parts)[n++] = p;
	}
	return (int)n;
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

size_t sghook_ignore_problem_count(const sghook_ignore *ig)
{
	return ig->nproblems;
}

const char *sghook_ignore_problem(const sghook_ignore *ig, size_t i,
	size_t *line)
{
	if (i >= ig->nproblems)
		return NULL;
	*line = ig->problems[i].line;
	return ig->problems[i].why;
}

int sghook_ignore_allows(const sghook_ignore *ig, const char *path,
	const char *fingerprint)
{
	size_t i;

	for (i = 0; i < ig->fingerprints.count; i++)
		if (!strcasecmp(ig->fingerprints.items[i], fingerprint))
			return 1;
	/* A message has no path for a glob to match. */
	for (i = 0; path && i < ig->globs.count; i++)
		if (glob_matches(ig->globs.items[i], path))
			return 1;
	return 0;
}
