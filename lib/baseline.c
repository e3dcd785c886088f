/*
 * A baseline: the findings a team has accepted, as a JSON report that
 * sghook wrote (--format json). Only their fingerprints count, so that a
 * finding stays accepted when its line moves or its commit is rewritten.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sghook.h"

struct sghook_baseline {
	char (*fps)[17];
	size_t count;
};

static int fp_compare(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int is_fingerprint(const char *s)
{
	size_t i;

	for (i = 0; i < 16; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return s[16] == '\0';
}

int sghook_baseline_load(sghook_baseline **out, const char *path)
{
	sghook_baseline *b = NULL;
	json_error_t jerr;
	json_t *root, *item, *fp;
	size_t i, k;
	int error = 0;

	if (!(root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr)))
		return sghook_error_set("baseline %s:%d: %s", path, jerr.line,
			jerr.text);
	if (!json_is_array(root)) {
		error = sghook_error_set_code(SGHOOK_EINVALID,
			"baseline %s: not a JSON array of "
			"findings (make one with --format json)", path);
		goto done;
	}
	if (!(b = calloc(1, sizeof(*b))) ||
	    !(b->fps = calloc(json_array_size(root) + 1, sizeof(*b->fps)))) {
		error = sghook_error_set("out of memory");
		goto done;
	}
	json_array_foreach(root, i, item) {
		fp = json_object_get(item, "fingerprint");
		if (!json_is_string(fp) || !is_fingerprint(json_string_value(fp))) {
			error = sghook_error_set_code(SGHOOK_EINVALID,
				"baseline %s: finding %zu has "
				"no fingerprint of 16 hex digits", path, i + 1);
			goto done;
		}
		for (k = 0; k < 16; k++)
			b->fps[b->count][k] = (char)tolower(
				(unsigned char)json_string_value(fp)[k]);
		b->count++;
	}
	qsort(b->fps, b->count, sizeof(*b->fps), fp_compare);
done:
	json_decref(root);
	if (error < 0) {
		sghook_baseline_free(b);
		return error;
	}
	*out = b;
	return 0;
}

void sghook_baseline_free(sghook_baseline *b)
{
	if (!b)
		return;
	free(b->fps);
	free(b);
}

int sghook_baseline_has(const sghook_baseline *b, const char *fingerprint)
{
	char key[17];
	size_t k;

	if (!is_fingerprint(fingerprint))
		return 0;
	for (k = 0; k < 17; k++)
		key[k] = (char)tolower((unsigned char)fingerprint[k]);
	return bsearch(key, b->fps, b->count, sizeof(*b->fps),
		fp_compare) != NULL;
}

size_t sghook_baseline_filter(const sghook_baseline *b,
	sghook_findings *list)
{
	size_t i, kept = 0, dropped = 0;

	for (i = 0; i < list->count; i++) {
		sghook_finding *f = &list->items[i];

		if (sghook_baseline_has(b, f->fingerprint)) {
			free(f->path);
			free(f->secret);
			dropped++;
		} else {
			list->items[kept++] = *f;
		}
	}
	list->count = kept;
	return dropped;
}
