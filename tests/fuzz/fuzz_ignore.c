/*
 * .sghookignore parsing and matching. The input, split at its first NUL
 * byte, is the file and then the paths to ask about, one a line. Every
 * fingerprint the file lists must be allowed, in any case and any path.
 */
#define _GNU_SOURCE
#include <ctype.h>

#include "fuzz.h"

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

/* The fingerprints of the file, as its lines read with spaces trimmed. */
static void check_fingerprints(const sghook_ignore *ig, const char *buf,
	size_t len)
{
	const char *p = buf, *end = buf + len, *eol, *s, *e;
	char fp[17];
	size_t i;

	while (p < end) {
		if (!(eol = memchr(p, '\n', (size_t)(end - p))))
			eol = end;
		for (s = p, e = eol; s < e && isspace((unsigned char)*s); s++)
			;
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		p = eol + 1;
		if (!is_fingerprint(s, (size_t)(e - s)))
			continue;
		for (i = 0; i < 16; i++)
			fp[i] = (char)toupper((unsigned char)s[i]);
		fp[16] = '\0';
		FUZZ_CHECK(sghook_ignore_allows(ig, "any/path", fp),
			"listed fingerprint %s not allowed", fp);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	const char *nul = memchr(buf, '\0', size), *p, *end = buf + size, *eol;
	sghook_ignore *ig = NULL;
	size_t flen = nul ? (size_t)(nul - buf) : size;
	char *path;

	if (sghook_ignore_parse(&ig, buf, flen) < 0)
		return 0;
	/* A byte order mark only at the very start, and it is not an entry. */
	if (flen >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		check_fingerprints(ig, buf + 3, flen - 3);
	else
		check_fingerprints(ig, buf, flen);
	for (p = nul ? nul + 1 : end; p < end; p = eol + 1) {
		if (!(eol = memchr(p, '\n', (size_t)(end - p))))
			eol = end;
		if (!(path = strndup(p, (size_t)(eol - p))))
			break;
		sghook_ignore_allows(ig, path, "0123456789abcdef");
		free(path);
	}
	sghook_ignore_free(ig);
	return 0;
}
