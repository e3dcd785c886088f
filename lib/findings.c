/*
 * Findings: the list a scan fills, where each finding is, and its
 * fingerprint. How a list is shown is report.c's.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "sghook.h"

int sghook_findings_add(sghook_findings *list, const sghook_finding *f)
{
	sghook_finding *copy;

	if (SGHOOK_ARRAY_GROW(list->items, list->alloc, list->count + 1) < 0)
		return SGHOOK_ERROR;
	copy = &list->items[list->count];
	*copy = *f;
	copy->path = f->path ? strdup(f->path) : NULL;
	copy->secret = strdup(f->secret);
	if ((f->path && !copy->path) || !copy->secret) {
		free(copy->path);
		free(copy->secret);
		return sghook_error_set("out of memory");
	}
	list->count++;
	return 0;
}

int sghook_findings_append(sghook_findings *dst, sghook_findings *src)
{
	size_t need = dst->count + src->count;

	if (src->count == 0)
		return 0;
	if (need < dst->count)
		return sghook_error_set("out of memory");
	if (SGHOOK_ARRAY_GROW(dst->items, dst->alloc, need) < 0)
		return SGHOOK_ERROR;
	memcpy(dst->items + dst->count, src->items,
		src->count * sizeof(*src->items));
	dst->count = need;
	free(src->items);
	memset(src, 0, sizeof(*src));
	return 0;
}

void sghook_findings_clear(sghook_findings *list)
{
	size_t i;

	for (i = 0; i < list->count; i++) {
		free(list->items[i].path);
		free(list->items[i].secret);
	}
	free(list->items);
	memset(list, 0, sizeof(*list));
}

const char *sghook_source_name(sghook_source source)
{
	switch (source) {
	case SGHOOK_SOURCE_COMMIT_MESSAGE: return "commit-message";
	case SGHOOK_SOURCE_TAG_MESSAGE: return "tag-message";
	default: return "file";
	}
}

/*
 * Rule, path and secret, not the commit or line: the same finding keeps
 * its fingerprint when the line moves or the commit is amended, so it can
 * be allowed in the very commit that adds it.
 */
void sghook_finding_fingerprint(sghook_finding *f)
{
	const char *id = sghook_rule_id(f->rule);
	const char *where = f->path ? f->path : sghook_source_name(f->source);
	size_t a = strlen(id), b = strlen(where), c = strlen(f->secret);
	char *buf = malloc(a + b + c + 3), hex[GIT_OID_HEXSZ + 1];
	git_oid oid;

	memset(f->fingerprint, '0', 16);
	f->fingerprint[16] = '\0';
	if (!buf)
		return;
	memcpy(buf, id, a);
	buf[a] = '\n';
	memcpy(buf + a + 1, where, b);
	buf[a + 1 + b] = '\n';
	memcpy(buf + a + b + 2, f->secret, c);
	if (git_odb_hash(&oid, buf, a + b + c + 2, GIT_OBJECT_BLOB) == 0) {
		git_oid_tostr(hex, sizeof(hex), &oid);
		memcpy(f->fingerprint, hex, 16);
	}
	free(buf);
}
