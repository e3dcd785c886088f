/*
 * What git writes on the standard input of a push hook: one update a
 * line, fields separated by single spaces. Anything else is refused
 * whole, since a hook that skipped a line it could not read would let
 * that update through unjudged.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sghook.h"
#include "array.h"

void sghook_hookinput_free(sghook_hookinput *in)
{
	if (!in)
		return;
	sghook_oids_free(&in->tips);
	sghook_oids_free(&in->hide);
	sghook_oids_free(&in->olds);
	free(in->refs);
	memset(in, 0, sizeof(*in));
}

/* Exactly 40 hex digits: git_oid_fromstrn() alone takes a prefix. */
static int parse_oid(git_oid *out, const char *s)
{
	size_t n = strlen(s), i;

	if (n != GIT_OID_HEXSZ)
		return -1;
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return -1;
	return git_oid_fromstrn(out, s, n);
}

/* `refs_alloc` is the capacity of in->refs, kept by the reader. */
static int append_ref(sghook_hookinput *in, size_t *refs_alloc,
	const char *name)
{
	size_t n = strlen(name);

	/* A space before the name, and the NUL after it. */
	if (n > SIZE_MAX - in->refs_len - 2)
		return sghook_error_set("out of memory");
	if (SGHOOK_ARRAY_GROW(in->refs, *refs_alloc, in->refs_len + n + 2) < 0)
		return SGHOOK_ERROR;
	if (in->refs_len)
		in->refs[in->refs_len++] = ' ';
	memcpy(in->refs + in->refs_len, name, n);
	in->refs_len += n;
	in->refs[in->refs_len] = '\0';
	return 0;
}

/* Splits `line` in place at single spaces; returns the count, 5 for "more". */
static size_t split_fields(char *f[4], char *line)
{
	size_t nf = 0, i;

	f[nf++] = line;
	for (i = 0; line[i]; i++) {
		if (line[i] != ' ')
			continue;
		line[i] = '\0';
		if (nf == 4)
			return 5;
		f[nf++] = line + i + 1;
	}
	return nf;
}

static int parse_line(sghook_hookinput *in, size_t *refs_alloc, char *line,
	size_t lineno, sghook_hookinput_kind kind)
{
	int pre_push = kind == SGHOOK_HOOKINPUT_PRE_PUSH;
	char *f[4];
	git_oid a, b;
	int error;

	if (split_fields(f, line) != (pre_push ? 4u : 3u)) {
		return sghook_error_set_code(SGHOOK_EINVALID,
			"input line %zu is not '%s'", lineno, pre_push ?
			"<local-ref> <local-id> <remote-ref> <remote-id>" :
			"<old-id> <new-id> <ref-name>");
	}
	if (parse_oid(&a, f[pre_push ? 1 : 0]) < 0 ||
	    parse_oid(&b, f[pre_push ? 3 : 1]) < 0 ||
	    !*f[2] || (pre_push && !*f[0])) {
		return sghook_error_set_code(SGHOOK_EINVALID,
			"input line %zu: bad object id or ref name", lineno);
	}
	if (pre_push) {
		/* a is ours, b the remote's; a zero a deletes. */
		if (!git_oid_is_zero(&a) &&
		    (error = sghook_oids_push(&in->tips, &a)) < 0)
			return error;
		if (!git_oid_is_zero(&b) &&
		    (error = sghook_oids_push(&in->hide, &b)) < 0)
			return error;
	} else {
		/* a is the old value, b the new; a zero b deletes. */
		if (!git_oid_is_zero(&b) &&
		    (error = sghook_oids_push(&in->tips, &b)) < 0)
			return error;
		if (!git_oid_is_zero(&a) &&
		    (error = sghook_oids_push(&in->olds, &a)) < 0)
			return error;
	}
	return append_ref(in, refs_alloc, f[2]);
}

int sghook_hookinput_read(sghook_hookinput *out, FILE *fp,
	sghook_hookinput_kind kind)
{
	sghook_hookinput in = SGHOOK_HOOKINPUT_INIT;
	char *line = NULL, *nl;
	size_t cap = 0, lineno = 0, refs_alloc = 0;
	ssize_t len;
	int error = 0;

	while (error == 0 && (len = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		if ((size_t)len != strlen(line)) {
			error = sghook_error_set_code(SGHOOK_EINVALID,
				"input line %zu holds a NUL byte", lineno);
			break;
		}
		if ((nl = strchr(line, '\n')))
			*nl = '\0';
		if (line[0])
			error = parse_line(&in, &refs_alloc, line, lineno,
				kind);
	}
	if (!error && ferror(fp))
		error = sghook_error_set("cannot read hook input: %s",
			strerror(errno));
	free(line);
	if (error < 0) {
		sghook_hookinput_free(&in);
		return error;
	}
	*out = in;
	return 0;
}
