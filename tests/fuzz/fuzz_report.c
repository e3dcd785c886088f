/*
 * Report writing: findings built from the input (rules with any names,
 * paths and secrets of any bytes) are written as JSON and SARIF, which
 * must parse (jansson, strict RFC 8259 with UTF-8) and say what the
 * findings say, and as text, which must hold one line a finding and no
 * control character or invalid UTF-8 that a terminal would act on.
 */
#define _GNU_SOURCE
#include <jansson.h>

#include "fuzz.h"
#include "rules_internal.h"

#define MAX_RULES 100
#define MAX_FINDINGS 256

typedef struct {
	const uint8_t *p, *end;
} reader;

static unsigned u8(reader *r)
{
	return r->p < r->end ? *r->p++ : 0;
}

static uint32_t u32(reader *r)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < 4; i++)
		v = v << 8 | u8(r);
	return v;
}

/* A string of up to 255 bytes; a NUL byte ends it early, as in C. */
static char *str(reader *r)
{
	size_t n = u8(r), left = (size_t)(r->end - r->p);
	char *s;

	if (n > left)
		n = left;
	s = strndup((const char *)r->p, n);
	FUZZ_CHECK(s, "out of memory");
	r->p += n;
	return s;
}

/* Valid UTF-8 without C0 or C1 controls other than '\n' (and ESC when allowed). */
static int clean_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0, k, len;
	uint32_t c;

	while (i < n) {
		c = s[i];
		if (c < 0x80) {
			if ((c < 0x20 && c != '\n') || c == 0x7f)
				return 0;
			i++;
			continue;
		}
		len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
		if (!len || len > n - i || c > 0xf4)
			return 0;
		c &= 0x3f >> (len - 1);
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			c = c << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) ||
		    (len == 4 && c < 0x10000) || c > 0x10ffff ||
		    (c >= 0xd800 && c <= 0xdfff) || (c >= 0x80 && c <= 0x9f))
			return 0;
		i += len;
	}
	return 1;
}

static int is_utf8(const char *s)
{
	size_t i, n = strlen(s);
	char *copy;
	int ok;

	/* Control characters are fine in JSON (escaped); only UTF-8 matters. */
	FUZZ_CHECK((copy = strdup(s)), "out of memory");
	for (i = 0; i < n; i++)
		if ((unsigned char)copy[i] < 0x20 || copy[i] == 0x7f)
			copy[i] = ' ';
	ok = clean_utf8((unsigned char *)copy, n);
	free(copy);
	return ok;
}

static char *render(const sghook_findings *l, const sghook_report_opts *o,
	size_t *len)
{
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);

	FUZZ_CHECK(fp, "open_memstream");
	FUZZ_CHECK(sghook_report_write(fp, l, o) == 0, "write: %s",
		sghook_error_last());
	fclose(fp);
	return buf;
}

static json_t *parse(const char *buf, size_t len, const char *what)
{
	json_error_t err;
	json_t *v = json_loadb(buf, len, 0, &err);

	FUZZ_CHECK(v, "%s is not JSON: line %d column %d: %s\n%.*s", what,
		err.line, err.column, err.text, (int)len, buf);
	return v;
}

static void expect_string(json_t *v, const char *want, const char *what)
{
	FUZZ_CHECK(json_is_string(v), "%s is not a string", what);
	if (is_utf8(want))
		FUZZ_CHECK(!strcmp(json_string_value(v), want),
			"%s: '%s', not '%s'", what, json_string_value(v), want);
}

static void check_json(const sghook_findings *l, const sghook_report_opts *o)
{
	size_t len, i;
	char *buf = render(l, o, &len), hex[GIT_OID_HEXSZ + 1];
	json_t *root = parse(buf, len, "JSON"), *e;

	FUZZ_CHECK(json_is_array(root) && json_array_size(root) == l->count,
		"not an array of %zu findings", l->count);
	for (i = 0; i < l->count; i++) {
		const sghook_finding *f = &l->items[i];

		e = json_array_get(root, i);
		FUZZ_CHECK(json_is_object(e), "finding %zu is not an object", i);
		expect_string(json_object_get(e, "rule"),
			sghook_rule_id(f->rule), "rule");
		expect_string(json_object_get(e, "source"),
			sghook_source_name(f->source), "source");
		if (f->path)
			expect_string(json_object_get(e, "path"), f->path,
				"path");
		else
			FUZZ_CHECK(json_is_null(json_object_get(e, "path")),
				"a message's path is not null");
		if (!o->redact)
			expect_string(json_object_get(e, "secret"), f->secret,
				"secret");
		expect_string(json_object_get(e, "fingerprint"),
			f->fingerprint, "fingerprint");
		FUZZ_CHECK(json_integer_value(json_object_get(e, "line")) ==
			(json_int_t)f->line, "line");
		FUZZ_CHECK(json_integer_value(json_object_get(e, "column")) ==
			(json_int_t)f->column, "column");
		if (f->has_commit) {
			git_oid_tostr(hex, sizeof(hex), &f->commit);
			expect_string(json_object_get(e, "commit"), hex,
				"commit");
		} else {
			FUZZ_CHECK(json_is_null(json_object_get(e, "commit")),
				"commit is not null");
		}
	}
	json_decref(root);
	free(buf);
}

static void check_sarif(const sghook_findings *l, const sghook_report_opts *o)
{
	size_t len, i, nrules, idx;
	char *buf = render(l, o, &len);
	json_t *root = parse(buf, len, "SARIF"), *run, *rules, *results;
	json_t *res, *rule, *loc;

	FUZZ_CHECK(json_is_array(json_object_get(root, "runs")) &&
		json_array_size(json_object_get(root, "runs")) == 1, "runs");
	run = json_array_get(json_object_get(root, "runs"), 0);
	rules = json_object_get(json_object_get(json_object_get(run, "tool"),
		"driver"), "rules");
	results = json_object_get(run, "results");
	FUZZ_CHECK(json_is_array(rules) && json_is_array(results) &&
		json_array_size(results) == l->count, "%zu results",
		l->count);
	nrules = json_array_size(rules);
	for (i = 0; i < l->count; i++) {
		const sghook_finding *f = &l->items[i];

		res = json_array_get(results, i);
		FUZZ_CHECK(json_is_integer(json_object_get(res, "ruleIndex")),
			"ruleIndex");
		idx = (size_t)json_integer_value(json_object_get(res,
			"ruleIndex"));
		FUZZ_CHECK(idx < nrules, "ruleIndex %zu of %zu rules", idx,
			nrules);
		rule = json_array_get(rules, idx);
		FUZZ_CHECK(json_equal(json_object_get(rule, "id"),
			json_object_get(res, "ruleId")), "ruleIndex %zu names "
			"another rule", idx);
		expect_string(json_object_get(res, "ruleId"),
			sghook_rule_id(f->rule), "ruleId");
		if (sghook_rule_remediation(f->rule))
			expect_string(json_object_get(json_object_get(rule,
				"help"), "text"), sghook_rule_remediation(f->rule),
				"help");
		loc = json_array_get(json_object_get(res, "locations"), 0);
		if (!f->path) {
			/* A message: a logical location, its line a property. */
			FUZZ_CHECK(!json_object_get(loc, "physicalLocation") &&
				json_is_array(json_object_get(loc,
				"logicalLocations")), "a message's location");
			FUZZ_CHECK(json_integer_value(json_object_get(
				json_object_get(res, "properties"), "line")) ==
				(json_int_t)f->line, "a message's line");
			continue;
		}
		loc = json_object_get(loc, "physicalLocation");
		expect_string(json_object_get(json_object_get(loc,
			"artifactLocation"), "uri"), f->path, "uri");
		FUZZ_CHECK(json_integer_value(json_object_get(json_object_get(
			loc, "region"), "startLine")) == (json_int_t)f->line,
			"startLine");
	}
	json_decref(root);
	free(buf);
}

static void check_text(const sghook_findings *l, const sghook_report_opts *o)
{
	size_t len, i, lines = 0;
	char *buf = render(l, o, &len);

	for (i = 0; i < len; i++)
		lines += buf[i] == '\n';
	FUZZ_CHECK(lines == l->count, "%zu findings on %zu lines", l->count,
		lines);
	FUZZ_CHECK(clean_utf8((unsigned char *)buf, len),
		"a control character or invalid UTF-8 in text:\n%.*s",
		(int)len, buf);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	reader r = { data, data + size };
	struct sghook_rule rules[MAX_RULES];
	sghook_findings list = {0};
	sghook_report_opts o;
	size_t nrules, i;
	unsigned flags;

	memset(rules, 0, sizeof(rules));
	flags = u8(&r);
	nrules = 1 + u8(&r) % MAX_RULES;
	for (i = 0; i < nrules; i++) {
		unsigned has = u8(&r);

		rules[i].id = str(&r);
		rules[i].description = has & 1 ? str(&r) : NULL;
		rules[i].confidence = has & 2 ? str(&r) : NULL;
		rules[i].remediation = has & 4 ? str(&r) : NULL;
	}
	while (r.p < r.end && list.count < MAX_FINDINGS) {
		sghook_finding f;
		unsigned char raw[GIT_OID_RAWSZ];
		size_t k;
		unsigned where;

		memset(&f, 0, sizeof(f));
		f.rule = &rules[u8(&r) % nrules];
		f.path = str(&r);
		f.secret = str(&r);
		f.line = 1 + u32(&r) % 0x7fffffff;
		f.column = 1 + u32(&r) % 0x7fffffff;
		/* Bit 0: a commit; the others: file, commit or tag message. */
		where = u8(&r);
		f.source = (sghook_source)((where >> 1) % 3);
		if (f.source != SGHOOK_SOURCE_FILE) {
			free(f.path);
			f.path = NULL;
		}
		if ((f.has_commit = (int)(where & 1))) {
			for (k = 0; k < sizeof(raw); k++)
				raw[k] = (unsigned char)u8(&r);
			git_oid_fromraw(&f.commit, raw);
		}
		f.tier = (sghook_tier)(SGHOOK_TIER_FULL_LENGTH + u8(&r) % 3);
		sghook_finding_fingerprint(&f);
		FUZZ_CHECK(sghook_findings_add(&list, &f) == 0, "add");
		free(f.path);
		free(f.secret);
	}
	o.redact = flags & 1;
	o.color = 0;
	o.remediation = 0;
	o.format = SGHOOK_FORMAT_JSON;
	check_json(&list, &o);
	o.format = SGHOOK_FORMAT_SARIF;
	check_sarif(&list, &o);
	o.format = SGHOOK_FORMAT_TEXT;
	check_text(&list, &o);
	/* Colour and remediation texts are ours: written, not judged. */
	o.color = !!(flags & 2);
	o.remediation = 1;
	free(render(&list, &o, &i));
	sghook_findings_clear(&list);
	for (i = 0; i < nrules; i++) {
		free(rules[i].id);
		free(rules[i].description);
		free(rules[i].confidence);
		free(rules[i].remediation);
	}
	return 0;
}
