/*
 * Unit tests of lib/report.c and lib/findings.c: redaction, fingerprints,
 * the findings list, and the text, JSON and SARIF reports, written to a
 * tmpfile() and read back. JSON output is checked with a small strict
 * parser (RFC 8259, UTF-8 strings), so that escaping is judged by what a
 * consumer decodes, not by string search.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "sghook.h"

#ifndef RULES_DIR
#define RULES_DIR "rules"
#endif

#define ELLIPSIS "\xe2\x80\xa6"
#define TOKEN64 "sgp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKlMnOpQrStUvWxYz01"
/* git hash-object of "<rule>\n<path>\n<secret>", first 16 digits */
#define FP_SEG_CONFIG "37e420aaea5d112d"
#define FP_SG_CONFIG  "5377c8d204d5e506"

static sghook_rules *rules;
static const sghook_rule *seg, *sg;

/* ---- a small strict JSON parser --------------------------------------- */

enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

typedef struct jv {
	int type;
	double num;
	char *str;            /* J_STR: decoded, NUL-terminated */
	size_t n;             /* J_ARR, J_OBJ */
	char **keys;          /* J_OBJ */
	struct jv **items;
} jv;

typedef struct {
	const char *p, *end;
	char err[160];
} jparser;

static jv *jparse_value(jparser *ps);

static void jfree(jv *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->n; i++) {
		if (v->keys)
			free(v->keys[i]);
		jfree(v->items[i]);
	}
	free(v->keys);
	free(v->items);
	free(v->str);
	free(v);
}

static int jerr(jparser *ps, const char *what)
{
	if (!ps->err[0])
		snprintf(ps->err, sizeof(ps->err), "%s at byte '%.10s'", what,
			ps->p < ps->end ? ps->p : "<end>");
	return -1;
}

static void jws(jparser *ps)
{
	while (ps->p < ps->end && strchr(" \t\r\n", *ps->p))
		ps->p++;
}

static void put_utf8(char **o, uint32_t c)
{
	if (c < 0x80) {
		*(*o)++ = (char)c;
	} else if (c < 0x800) {
		*(*o)++ = (char)(0xc0 | c >> 6);
		*(*o)++ = (char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		*(*o)++ = (char)(0xe0 | c >> 12);
		*(*o)++ = (char)(0x80 | (c >> 6 & 0x3f));
		*(*o)++ = (char)(0x80 | (c & 0x3f));
	} else {
		*(*o)++ = (char)(0xf0 | c >> 18);
		*(*o)++ = (char)(0x80 | (c >> 12 & 0x3f));
		*(*o)++ = (char)(0x80 | (c >> 6 & 0x3f));
		*(*o)++ = (char)(0x80 | (c & 0x3f));
	}
}

static int hex4(jparser *ps, uint32_t *out)
{
	int i;

	*out = 0;
	for (i = 0; i < 4; i++, ps->p++) {
		char c = ps->p < ps->end ? *ps->p : 0;

		*out <<= 4;
		if (c >= '0' && c <= '9') *out |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f') *out |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F') *out |= (uint32_t)(c - 'A' + 10);
		else return jerr(ps, "bad \\u escape");
	}
	return 0;
}

/* Length of a valid UTF-8 sequence at p, or 0. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	size_t n, i;
	uint32_t c;

	if (p[0] < 0x80) return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) { n = 2; c = p[0] & 0x1f; }
	else if (p[0] >= 0xe0 && p[0] <= 0xef) { n = 3; c = p[0] & 0x0f; }
	else if (p[0] >= 0xf0 && p[0] <= 0xf4) { n = 4; c = p[0] & 0x07; }
	else return 0;
	if ((size_t)(end - p) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
	    (n == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	return n;
}

static char *jparse_string(jparser *ps)
{
	char *out = malloc((size_t)(ps->end - ps->p) * 2 + 1), *o = out;
	uint32_t c, lo;
	size_t n;

	ps->p++;   /* opening quote */
	while (ps->p < ps->end && *ps->p != '"') {
		unsigned char ch = (unsigned char)*ps->p;

		if (ch < 0x20) {
			jerr(ps, "raw control character in string");
			goto bad;
		}
		if (ch != '\\') {
			if (!(n = utf8_len((const unsigned char *)ps->p,
			    (const unsigned char *)ps->end))) {
				jerr(ps, "invalid UTF-8 in string");
				goto bad;
			}
			memcpy(o, ps->p, n);
			o += n;
			ps->p += n;
			continue;
		}
		ps->p++;
		switch (ps->p < ps->end ? *ps->p++ : 0) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			if (hex4(ps, &c) < 0)
				goto bad;
			if (c >= 0xd800 && c <= 0xdbff) {
				if (ps->end - ps->p < 6 || ps->p[0] != '\\' ||
				    ps->p[1] != 'u') {
					jerr(ps, "lone surrogate");
					goto bad;
				}
				ps->p += 2;
				if (hex4(ps, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff) {
					jerr(ps, "bad surrogate pair");
					goto bad;
				}
				c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
			} else if (c >= 0xdc00 && c <= 0xdfff) {
				jerr(ps, "lone surrogate");
				goto bad;
			}
			put_utf8(&o, c);
			break;
		default:
			jerr(ps, "bad escape");
			goto bad;
		}
	}
	if (ps->p >= ps->end) {
		jerr(ps, "unterminated string");
		goto bad;
	}
	ps->p++;
	*o = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

static int jpush(jv *v, char *key, jv *item)
{
	v->items = realloc(v->items, (v->n + 1) * sizeof(*v->items));
	if (v->type == J_OBJ)
		v->keys = realloc(v->keys, (v->n + 1) * sizeof(*v->keys));
	v->items[v->n] = item;
	if (v->type == J_OBJ)
		v->keys[v->n] = key;
	v->n++;
	return 0;
}

static jv *jparse_container(jparser *ps, int type, char close)
{
	jv *v = calloc(1, sizeof(*v)), *item;
	char *key = NULL;

	v->type = type;
	ps->p++;
	jws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return v;
	}
	for (;;) {
		jws(ps);
		if (type == J_OBJ) {
			if (ps->p >= ps->end || *ps->p != '"' ||
			    !(key = jparse_string(ps))) {
				jerr(ps, "expected a key");
				break;
			}
			jws(ps);
			if (ps->p >= ps->end || *ps->p++ != ':') {
				jerr(ps, "expected ':'");
				free(key);
				break;
			}
		}
		if (!(item = jparse_value(ps))) {
			free(key);
			break;
		}
		jpush(v, key, item);
		key = NULL;
		jws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			return v;
		}
		jerr(ps, "expected ',' or close");
		break;
	}
	jfree(v);
	return NULL;
}

static jv *jparse_value(jparser *ps)
{
	jv *v;
	char *end;

	jws(ps);
	if (ps->p >= ps->end) {
		jerr(ps, "unexpected end");
		return NULL;
	}
	switch (*ps->p) {
	case '[': return jparse_container(ps, J_ARR, ']');
	case '{': return jparse_container(ps, J_OBJ, '}');
	case '"':
		v = calloc(1, sizeof(*v));
		v->type = J_STR;
		if (!(v->str = jparse_string(ps))) {
			free(v);
			return NULL;
		}
		return v;
	}
	v = calloc(1, sizeof(*v));
	if (!strncmp(ps->p, "null", 4)) {
		v->type = J_NULL;
		ps->p += 4;
	} else if (!strncmp(ps->p, "true", 4)) {
		v->type = J_BOOL;
		v->num = 1;
		ps->p += 4;
	} else if (!strncmp(ps->p, "false", 5)) {
		v->type = J_BOOL;
		ps->p += 5;
	} else if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9')) {
		v->type = J_NUM;
		v->num = strtod(ps->p, &end);
		ps->p = end;
	} else {
		free(v);
		jerr(ps, "unexpected character");
		return NULL;
	}
	return v;
}

/* Parses a whole document; fails the test with the parser's reason. */
static jv *jparse(const char *text, size_t len)
{
	jparser ps = { text, text + len, "" };
	jv *v = jparse_value(&ps);

	if (v) {
		jws(&ps);
		if (ps.p != ps.end) {
			jerr(&ps, "trailing content");
			jfree(v);
			v = NULL;
		}
	}
	if (!v)
		fail_msg("invalid JSON: %s\n%s", ps.err, text);
	return v;
}

static jv *jget(const jv *v, const char *key)
{
	size_t i;

	if (!v || v->type != J_OBJ)
		return NULL;
	for (i = 0; i < v->n; i++)
		if (!strcmp(v->keys[i], key))
			return v->items[i];
	return NULL;
}

static const char *jstr(const jv *v, const char *key)
{
	jv *x = jget(v, key);

	if (!x || x->type != J_STR)
		fail_msg("no string \"%s\"", key);
	return x->str;
}

static jv *jat(const jv *v, size_t i)
{
	assert_non_null(v);
	assert_true(v->type == J_ARR);
	assert_true(i < v->n);
	return v->items[i];
}

/* ---- findings and reports --------------------------------------------- */

static sghook_finding finding(const sghook_rule *rule, const char *path,
	const char *secret, size_t line)
{
	sghook_finding f;

	memset(&f, 0, sizeof(f));
	f.rule = rule;
	f.path = (char *)path;
	f.secret = (char *)secret;
	f.line = line;
	f.column = 5;
	f.tier = SGHOOK_TIER_FULL_LENGTH;
	sghook_finding_fingerprint(&f);
	return f;
}

static void add(sghook_findings *l, sghook_finding f)
{
	assert_int_equal(sghook_findings_add(l, &f), 0);
}

/* Writes the report to a tmpfile() and returns what was written. */
static char *report(const sghook_findings *l, sghook_format format,
	int redact, size_t *len)
{
	sghook_report_opts o = { format, redact, 0, 0 };
	FILE *fp = tmpfile();
	char *buf;
	long n;

	assert_non_null(fp);
	assert_int_equal(sghook_report_write(fp, l, &o), 0);
	n = ftell(fp);
	assert_true(n >= 0);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	if (len)
		*len = (size_t)n;
	return buf;
}

static char *report_opts(const sghook_findings *l, sghook_report_opts *o)
{
	FILE *fp = tmpfile();
	char *buf;
	long n;

	assert_int_equal(sghook_report_write(fp, l, o), 0);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static int setup(void **state)
{
	size_t i;

	(void)state;
	git_libgit2_init();
	if (sghook_rules_load(&rules, RULES_DIR) < 0)
		return -1;
	for (i = 0; i < sghook_rules_count(rules); i++) {
		const sghook_rule *r = sghook_rules_get(rules, i);

		if (!strcmp(sghook_rule_id(r), "segment-public-api-token"))
			seg = r;
		if (!strcmp(sghook_rule_id(r), "sourcegraph-access-token"))
			sg = r;
	}
	return seg && sg ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	sghook_rules_free(rules);
	git_libgit2_shutdown();
	return 0;
}

/* ---- redaction -------------------------------------------------------- */

static void test_a_64_char_token_is_redacted_to_sgp_and_four_chars(void **state)
{
	char out[64];

	(void)state;
	sghook_report_redact(out, sizeof(out), TOKEN64);
	assert_string_equal(out, "sgp_AbCd" ELLIPSIS);
}

static void test_a_short_token_is_redacted_the_same_way(void **state)
{
	char out[64];

	(void)state;
	sghook_report_redact(out, sizeof(out), "sgp_Qw3rTy7uIo9pAs2d");
	assert_string_equal(out, "sgp_Qw3r" ELLIPSIS);
}

static void test_redaction_never_shows_half_of_a_secret(void **state)
{
	static const char *secrets[] = {
		"sgp_ab", "sgp_abcdef", "sgp_local_0123456789abcdef0123456789abcdef01234567",
		"ab", "x",
	};
	char out[64];
	size_t i, shown;

	(void)state;
	for (i = 0; i < sizeof(secrets) / sizeof(*secrets); i++) {
		sghook_report_redact(out, sizeof(out), secrets[i]);
		shown = strlen(out) - strlen(ELLIPSIS);
		assert_string_equal(out + shown, ELLIPSIS);
		assert_memory_equal(out, secrets[i], shown);
		if (shown > strlen(secrets[i]) / 2 + 1)
			fail_msg("%s redacted to %s", secrets[i], out);
	}
}

static void test_redaction_respects_a_small_output_buffer(void **state)
{
	char out[8];

	(void)state;
	memset(out, 'Z', sizeof(out));
	sghook_report_redact(out, 6, TOKEN64);
	assert_int_equal(out[5], '\0');
	assert_int_equal(out[6], 'Z');
	assert_memory_equal(out, "sgp_A", 5);
}

/* ---- fingerprints ----------------------------------------------------- */

static void test_a_fingerprint_is_16_lower_case_hex_digits(void **state)
{
	sghook_finding f = finding(seg, "src/config.js", TOKEN64, 3);
	size_t i;

	(void)state;
	assert_int_equal(strlen(f.fingerprint), 16);
	for (i = 0; i < 16; i++)
		assert_non_null(strchr("0123456789abcdef", f.fingerprint[i]));
}

static void test_a_fingerprint_is_stable_across_releases(void **state)
{
	sghook_finding a = finding(seg, "src/config.js", TOKEN64, 3);
	sghook_finding b = finding(sg, "src/config.js", TOKEN64, 3);

	(void)state;
	/* .sghookignore files hold these: they must not change. */
	assert_string_equal(a.fingerprint, FP_SEG_CONFIG);
	assert_string_equal(b.fingerprint, FP_SG_CONFIG);
}

static void test_a_fingerprint_ignores_line_column_commit_and_tier(void **state)
{
	sghook_finding a = finding(seg, "src/config.js", TOKEN64, 3), b = a;

	(void)state;
	b.line = 999;
	b.column = 77;
	b.has_commit = 1;
	memset(&b.commit, 0xab, sizeof(b.commit));
	b.tier = SGHOOK_TIER_CONTEXT;
	memset(b.fingerprint, 0, sizeof(b.fingerprint));
	sghook_finding_fingerprint(&b);
	assert_string_equal(a.fingerprint, b.fingerprint);
}

static void test_a_fingerprint_depends_on_rule_path_and_secret(void **state)
{
	sghook_finding a = finding(seg, "src/config.js", TOKEN64, 3);
	sghook_finding p = finding(seg, "src/config.ts", TOKEN64, 3);
	sghook_finding s = finding(seg, "src/config.js",
		"sgp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKlMnOpQrStUvWxYz02", 3);
	sghook_finding r = finding(sg, "src/config.js", TOKEN64, 3);

	(void)state;
	assert_string_not_equal(a.fingerprint, p.fingerprint);
	assert_string_not_equal(a.fingerprint, s.fingerprint);
	assert_string_not_equal(a.fingerprint, r.fingerprint);
}

/* ---- JSON ------------------------------------------------------------- */

static void test_json_of_no_findings_is_an_empty_array(void **state)
{
	sghook_findings l = { 0 };
	size_t len;
	char *out = report(&l, SGHOOK_FORMAT_JSON, 1, &len);
	jv *v = jparse(out, len);

	(void)state;
	assert_int_equal(v->type, J_ARR);
	assert_int_equal(v->n, 0);
	jfree(v);
	free(out);
}

static void test_json_is_one_array_with_an_object_per_finding(void **state)
{
	sghook_findings l = { 0 };
	sghook_finding f = finding(seg, "src/config.js", TOKEN64, 12);
	size_t len;
	char *out;
	jv *v, *o;

	(void)state;
	add(&l, f);
	f = finding(sg, "b.txt", "sgp_0123456789abcdef0123456789abcdef01234567", 2);
	f.has_commit = 1;
	assert_int_equal(git_oid_fromstr(&f.commit,
		"0123456789abcdef0123456789abcdef01234567"), 0);
	add(&l, f);
	out = report(&l, SGHOOK_FORMAT_JSON, 1, &len);
	v = jparse(out, len);
	assert_int_equal(v->type, J_ARR);
	assert_int_equal(v->n, 2);

	o = jat(v, 0);
	assert_int_equal(o->type, J_OBJ);
	assert_string_equal(jstr(o, "rule"), "segment-public-api-token");
	assert_string_equal(jstr(o, "path"), "src/config.js");
	assert_non_null(jget(o, "line"));
	assert_int_equal(jget(o, "line")->type, J_NUM);
	assert_true(jget(o, "line")->num == 12);
	assert_non_null(jget(o, "commit"));
	assert_int_equal(jget(o, "commit")->type, J_NULL);
	assert_string_equal(jstr(o, "secret"), "sgp_AbCd" ELLIPSIS);
	assert_string_equal(jstr(o, "fingerprint"), FP_SEG_CONFIG);
	assert_string_equal(jstr(o, "description"), "Segment Public API token");

	o = jat(v, 1);
	assert_string_equal(jstr(o, "rule"), "sourcegraph-access-token");
	assert_string_equal(jstr(o, "commit"),
		"0123456789abcdef0123456789abcdef01234567");
	assert_true(jget(o, "line")->num == 2);
	jfree(v);
	free(out);
	sghook_findings_clear(&l);
}

static void test_redacted_json_never_holds_the_whole_secret(void **state)
{
	sghook_findings l = { 0 };
	char *out;

	(void)state;
	add(&l, finding(seg, "a", TOKEN64, 1));
	out = report(&l, SGHOOK_FORMAT_JSON, 1, NULL);
	assert_null(strstr(out, TOKEN64 + 8));
	free(out);
	out = report(&l, SGHOOK_FORMAT_SARIF, 1, NULL);
	assert_null(strstr(out, TOKEN64 + 8));
	free(out);
	out = report(&l, SGHOOK_FORMAT_TEXT, 1, NULL);
	assert_null(strstr(out, TOKEN64 + 8));
	free(out);
	sghook_findings_clear(&l);
}

static void test_json_without_redaction_shows_the_whole_secret(void **state)
{
	sghook_findings l = { 0 };
	size_t len;
	char *out;
	jv *v;

	(void)state;
	add(&l, finding(seg, "a", TOKEN64, 1));
	out = report(&l, SGHOOK_FORMAT_JSON, 0, &len);
	v = jparse(out, len);
	assert_string_equal(jstr(jat(v, 0), "secret"), TOKEN64);
	jfree(v);
	free(out);
	sghook_findings_clear(&l);
}

static void test_json_escapes_quotes_backslashes_newlines_in_paths(void **state)
{
	static const char *paths[] = {
		"dir/with \"quotes\".txt",
		"C:\\windows\\path.ini",
		"multi\nline\r\nname",
		"tab\there",
		"ctl\x01\x1f" "bytes",
		"trailing\\",
		"\"",
		"caf\xc3\xa9/\xe2\x82\xac.txt",
	};
	sghook_findings l = { 0 };
	size_t i, len, n = sizeof(paths) / sizeof(*paths);
	char *out;
	jv *v;

	(void)state;
	for (i = 0; i < n; i++)
		add(&l, finding(seg, paths[i], TOKEN64, i + 1));
	out = report(&l, SGHOOK_FORMAT_JSON, 1, &len);
	v = jparse(out, len);
	assert_int_equal(v->n, n);
	for (i = 0; i < n; i++)
		assert_string_equal(jstr(jat(v, i), "path"), paths[i]);
	jfree(v);
	free(out);
	sghook_findings_clear(&l);
}

/* Git paths are bytes: a Latin-1 name must still give valid (UTF-8) JSON. */
static void test_json_stays_valid_for_a_path_that_is_not_utf8(void **state)
{
	sghook_findings l = { 0 };
	size_t len;
	char *out;
	jv *v;

	(void)state;
	add(&l, finding(seg, "caf\xe9.txt", TOKEN64, 1));
	out = report(&l, SGHOOK_FORMAT_JSON, 1, &len);
	v = jparse(out, len);
	assert_int_equal(v->n, 1);
	jfree(v);
	free(out);
	sghook_findings_clear(&l);
}

/* ---- SARIF ------------------------------------------------------------ */

static void test_sarif_has_version_2_1_0_and_a_result_per_finding(void **state)
{
	sghook_findings l = { 0 };
	sghook_finding f;
	size_t len;
	char *out;
	jv *v, *run, *results, *r0, *loc, *drules;

	(void)state;
	add(&l, finding(seg, "dir/\"q\"\\x\n.env", TOKEN64, 7));
	f = finding(sg, "b.txt", "sgp_0123456789abcdef0123456789abcdef01234567", 9);
	f.has_commit = 1;
	assert_int_equal(git_oid_fromstr(&f.commit,
		"89abcdef0123456789abcdef0123456789abcdef"), 0);
	add(&l, f);
	add(&l, finding(seg, "c.txt", TOKEN64, 1));
	out = report(&l, SGHOOK_FORMAT_SARIF, 1, &len);
	v = jparse(out, len);
	assert_int_equal(v->type, J_OBJ);
	assert_string_equal(jstr(v, "version"), "2.1.0");
	run = jat(jget(v, "runs"), 0);
	assert_string_equal(jstr(jget(jget(run, "tool"), "driver"), "name"),
		"sghook");
	drules = jget(jget(jget(run, "tool"), "driver"), "rules");
	assert_non_null(drules);
	assert_int_equal(drules->n, 2);
	results = jget(run, "results");
	assert_non_null(results);
	assert_int_equal(results->type, J_ARR);
	assert_int_equal(results->n, 3);

	r0 = jat(results, 0);
	assert_string_equal(jstr(r0, "ruleId"), "segment-public-api-token");
	loc = jget(jat(jget(r0, "locations"), 0), "physicalLocation");
	assert_string_equal(jstr(jget(loc, "artifactLocation"), "uri"),
		"dir/\"q\"\\x\n.env");
	assert_true(jget(jget(loc, "region"), "startLine")->num == 7);
	assert_string_equal(jstr(jget(r0, "partialFingerprints"), "sghook/v1"),
		l.items[0].fingerprint);
	/* ruleIndex points at the rule of the result */
	assert_string_equal(jstr(jat(drules,
		(size_t)jget(jat(results, 1), "ruleIndex")->num), "id"),
		"sourcegraph-access-token");
	assert_string_equal(jstr(jat(drules,
		(size_t)jget(jat(results, 2), "ruleIndex")->num), "id"),
		"segment-public-api-token");
	jfree(v);
	free(out);
	sghook_findings_clear(&l);
}

/*
 * No fixed number of rules: with 66 rules matched (past an old cap of 64),
 * every result's ruleIndex names its own rule, and every rule keeps its
 * help text, in SARIF and in the text report's remediation.
 */
static void test_sarif_and_text_carry_every_rule_past_64(void **state)
{
	enum { N = 66 };
	char dir[] = "/tmp/sghook-test-report-XXXXXX", *path, *out, id[16];
	sghook_rules *many = NULL;
	sghook_findings l = { 0 };
	sghook_report_opts o = { SGHOOK_FORMAT_TEXT, 1, 0, 1 };
	const sghook_rule *r;
	FILE *fp;
	size_t len, i, k;
	jv *v, *run, *drules, *results, *res, *rule;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_true(asprintf(&path, "%s/many.rules", dir) >= 0);
	assert_non_null(fp = fopen(path, "w"));
	for (i = 0; i < N; i++) {
		char *txt;
		FILE *t;

		fprintf(fp, "[rule \"r%02zu\"]\n\tkeyword = k%02zu_\n"
			"\tregex = k%02zu_[0-9]+\n\tremediation = r%02zu.txt\n",
			i, i, i, i);
		assert_true(asprintf(&txt, "%s/r%02zu.txt", dir, i) >= 0);
		assert_non_null(t = fopen(txt, "w"));
		fprintf(t, "revoke r%02zu\n", i);
		assert_int_equal(fclose(t), 0);
		free(txt);
	}
	assert_int_equal(fclose(fp), 0);
	if (sghook_rules_load(&many, path) < 0)
		fail_msg("%s", sghook_error_last());
	assert_int_equal(sghook_rules_count(many), N);
	/* Findings in the reverse of load order, two for the last rule. */
	for (i = N; i-- > 0;)
		add(&l, finding(sghook_rules_get(many, i), "f.txt", "k_1", i + 1));
	add(&l, finding(sghook_rules_get(many, 0), "g.txt", "k_2", 1));

	out = report(&l, SGHOOK_FORMAT_SARIF, 1, &len);
	v = jparse(out, len);
	run = jat(jget(v, "runs"), 0);
	drules = jget(jget(jget(run, "tool"), "driver"), "rules");
	results = jget(run, "results");
	assert_int_equal(drules->n, N);
	assert_int_equal(results->n, N + 1);
	for (k = 0; k < results->n; k++) {
		res = jat(results, k);
		i = (size_t)jget(res, "ruleIndex")->num;
		if (i >= drules->n)
			fail_msg("result %zu: ruleIndex %zu of %zu rules", k, i,
				drules->n);
		rule = jat(drules, i);
		assert_string_equal(jstr(rule, "id"), jstr(res, "ruleId"));
		snprintf(id, sizeof(id), "revoke %s\n", jstr(rule, "id"));
		assert_string_equal(jstr(jget(rule, "help"), "text"), id);
	}
	jfree(v);
	free(out);

	out = report_opts(&l, &o);
	for (i = 0; i < N; i++) {
		r = sghook_rules_get(many, i);
		snprintf(id, sizeof(id), "revoke %s\n", sghook_rule_id(r));
		if (!strstr(out, id))
			fail_msg("the text report lacks '%s'", id);
	}
	free(out);
	sghook_findings_clear(&l);
	sghook_rules_free(many);
	for (i = 0; i < N; i++) {
		assert_true(asprintf(&out, "%s/r%02zu.txt", dir, i) >= 0);
		unlink(out);
		free(out);
	}
	unlink(path);
	rmdir(dir);
	free(path);
}

static void test_sarif_of_no_findings_has_empty_results(void **state)
{
	sghook_findings l = { 0 };
	size_t len;
	char *out = report(&l, SGHOOK_FORMAT_SARIF, 1, &len);
	jv *v = jparse(out, len), *results;

	(void)state;
	assert_string_equal(jstr(v, "version"), "2.1.0");
	results = jget(jat(jget(v, "runs"), 0), "results");
	assert_non_null(results);
	assert_int_equal(results->type, J_ARR);
	assert_int_equal(results->n, 0);
	jfree(v);
	free(out);
}

/* ---- text ------------------------------------------------------------- */

static void test_text_shows_path_line_rule_redacted_token_and_fingerprint(void **state)
{
	sghook_findings l = { 0 };
	sghook_finding f = finding(seg, "src/config.js", TOKEN64, 12);
	char *out;

	(void)state;
	f.has_commit = 1;
	assert_int_equal(git_oid_fromstr(&f.commit,
		"0123456789abcdef0123456789abcdef01234567"), 0);
	add(&l, f);
	out = report(&l, SGHOOK_FORMAT_TEXT, 1, NULL);
	assert_non_null(strstr(out, "0123456 src/config.js:12"));
	assert_non_null(strstr(out, "segment-public-api-token"));
	assert_non_null(strstr(out, "sgp_AbCd" ELLIPSIS));
	assert_non_null(strstr(out, FP_SEG_CONFIG));
	assert_null(strchr(out, '\033'));
	free(out);
	sghook_findings_clear(&l);
}

static void test_text_prints_each_rules_remediation_once_when_asked(void **state)
{
	sghook_findings l = { 0 };
	sghook_report_opts o = { SGHOOK_FORMAT_TEXT, 1, 0, 1 };
	const char *rem = sghook_rule_remediation(seg);
	char *out, *first;

	(void)state;
	add(&l, finding(seg, "a", TOKEN64, 1));
	add(&l, finding(seg, "b", TOKEN64, 2));
	out = report_opts(&l, &o);
	assert_non_null(rem);
	first = strstr(out, rem);
	assert_non_null(first);
	assert_null(strstr(first + 1, rem));
	free(out);
	o.remediation = 0;
	out = report_opts(&l, &o);
	assert_null(strstr(out, rem));
	free(out);
	sghook_findings_clear(&l);
}

static void test_text_has_colour_only_when_asked(void **state)
{
	sghook_findings l = { 0 };
	sghook_report_opts o = { SGHOOK_FORMAT_TEXT, 1, 1, 0 };
	char *out;

	(void)state;
	add(&l, finding(seg, "a", TOKEN64, 1));
	out = report_opts(&l, &o);
	assert_non_null(strchr(out, '\033'));
	free(out);
	sghook_findings_clear(&l);
}

static void test_text_quotes_a_path_with_control_characters_as_git_does(void **state)
{
	sghook_findings l = { 0 };
	char *out;

	(void)state;
	add(&l, finding(seg, "a\nb\033[2J\tc", TOKEN64, 1));
	out = report(&l, SGHOOK_FORMAT_TEXT, 1, NULL);
	assert_non_null(strstr(out, "  \"a\\nb\\033[2J\\tc\":1  "));
	assert_null(strchr(out, '\033'));
	assert_int_equal(strchr(out, '\n') - out, strlen(out) - 1);
	free(out);
	sghook_findings_clear(&l);
}

static void test_text_writes_bytes_that_are_not_utf8_in_octal(void **state)
{
	sghook_findings l = { 0 };
	char *out;

	(void)state;
	add(&l, finding(seg, "caf\xe9/\xc2\x9b.txt", TOKEN64, 1));
	add(&l, finding(seg, "q\"uo\\te", TOKEN64, 2));
	add(&l, finding(seg, "d\xc3\xa9j\xc3\xa0/vu.txt", TOKEN64, 3));
	out = report(&l, SGHOOK_FORMAT_TEXT, 1, NULL);
	/* A C1 control (U+009B, a CSI) is escaped like the bytes it is. */
	assert_non_null(strstr(out, "  \"caf\\351/\\302\\233.txt\":1  "));
	assert_non_null(strstr(out, "  \"q\\\"uo\\\\te\":2  "));
	/* Valid UTF-8 is left as it is. */
	assert_non_null(strstr(out, "  d\xc3\xa9j\xc3\xa0/vu.txt:3  "));
	free(out);
	sghook_findings_clear(&l);
}

/* ---- the findings list ------------------------------------------------ */

static void test_findings_add_copies_path_and_secret(void **state)
{
	sghook_findings l = { 0 };
	char path[] = "a.txt", secret[] = TOKEN64;
	sghook_finding f = finding(seg, path, secret, 1);

	(void)state;
	add(&l, f);
	path[0] = 'X';
	secret[0] = 'X';
	assert_string_equal(l.items[0].path, "a.txt");
	assert_string_equal(l.items[0].secret, TOKEN64);
	sghook_findings_clear(&l);
	assert_int_equal(l.count, 0);
	assert_null(l.items);
}

static void test_findings_append_moves_all_in_order(void **state)
{
	sghook_findings a = { 0 }, b = { 0 };
	char name[16];
	size_t i;

	(void)state;
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "a%zu", i);
		add(&a, finding(seg, name, TOKEN64, i));
	}
	for (i = 0; i < 25; i++) {
		snprintf(name, sizeof(name), "b%zu", i);
		add(&b, finding(seg, name, TOKEN64, i));
	}
	assert_int_equal(sghook_findings_append(&a, &b), 0);
	assert_int_equal(a.count, 35);
	assert_int_equal(b.count, 0);
	assert_string_equal(a.items[9].path, "a9");
	assert_string_equal(a.items[10].path, "b0");
	assert_string_equal(a.items[34].path, "b24");
	add(&a, finding(seg, "last", TOKEN64, 1));
	assert_string_equal(a.items[35].path, "last");
	sghook_findings_clear(&a);
	sghook_findings_clear(&b);
}

static void test_a_message_finding_has_its_source_and_no_path_in_each_format(void **state)
{
	sghook_findings l = { 0 };
	sghook_finding f = finding(seg, "x", TOKEN64, 3);
	char *out;

	(void)state;
	f.path = NULL;
	f.source = SGHOOK_SOURCE_COMMIT_MESSAGE;
	f.has_commit = 1;
	assert_int_equal(git_oid_fromstr(&f.commit,
		"0123456789abcdef0123456789abcdef01234567"), 0);
	sghook_finding_fingerprint(&f);
	add(&l, f);
	add(&l, finding(seg, "src/config.js", TOKEN64, 12));
	out = report(&l, SGHOOK_FORMAT_JSON, 1, NULL);
	assert_non_null(strstr(out, "\"source\": \"commit-message\", \"path\": null"));
	assert_non_null(strstr(out, "\"source\": \"file\", \"path\": \"src/config.js\""));
	free(out);
	out = report(&l, SGHOOK_FORMAT_TEXT, 1, NULL);
	assert_non_null(strstr(out, "  0123456 (commit message):3  segment-public-api-token"));
	free(out);
	out = report(&l, SGHOOK_FORMAT_SARIF, 1, NULL);
	assert_non_null(strstr(out, "\"logicalLocations\": [{\"name\": \"commit-message\", "
		"\"fullyQualifiedName\": \"0123456789abcdef0123456789abcdef01234567:commit-message\""));
	/* The message's result comes first: the only physical location is the file's. */
	assert_true(strstr(out, "logicalLocations") < strstr(out, "physicalLocation"));
	free(out);
	sghook_findings_clear(&l);
}

static void test_a_message_fingerprint_hashes_the_source_name_for_a_path(void **state)
{
	sghook_finding a = finding(seg, "commit-message", TOKEN64, 1);
	sghook_finding b = finding(seg, "x", TOKEN64, 9);
	sghook_finding c;

	(void)state;
	b.path = NULL;
	b.source = SGHOOK_SOURCE_COMMIT_MESSAGE;
	c = b;
	c.source = SGHOOK_SOURCE_TAG_MESSAGE;
	sghook_finding_fingerprint(&a);
	sghook_finding_fingerprint(&b);
	sghook_finding_fingerprint(&c);
	assert_string_equal(a.fingerprint, b.fingerprint);
	assert_string_not_equal(b.fingerprint, c.fingerprint);
	assert_string_equal(sghook_source_name(SGHOOK_SOURCE_FILE), "file");
	assert_string_equal(sghook_source_name(SGHOOK_SOURCE_TAG_MESSAGE), "tag-message");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_64_char_token_is_redacted_to_sgp_and_four_chars),
		cmocka_unit_test(test_a_short_token_is_redacted_the_same_way),
		cmocka_unit_test(test_redaction_never_shows_half_of_a_secret),
		cmocka_unit_test(test_redaction_respects_a_small_output_buffer),
		cmocka_unit_test(test_a_fingerprint_is_16_lower_case_hex_digits),
		cmocka_unit_test(test_a_fingerprint_is_stable_across_releases),
		cmocka_unit_test(test_a_fingerprint_ignores_line_column_commit_and_tier),
		cmocka_unit_test(test_a_fingerprint_depends_on_rule_path_and_secret),
		cmocka_unit_test(test_json_of_no_findings_is_an_empty_array),
		cmocka_unit_test(test_json_is_one_array_with_an_object_per_finding),
		cmocka_unit_test(test_redacted_json_never_holds_the_whole_secret),
		cmocka_unit_test(test_json_without_redaction_shows_the_whole_secret),
		cmocka_unit_test(test_json_escapes_quotes_backslashes_newlines_in_paths),
		cmocka_unit_test(test_json_stays_valid_for_a_path_that_is_not_utf8),
		cmocka_unit_test(test_sarif_has_version_2_1_0_and_a_result_per_finding),
		cmocka_unit_test(test_sarif_of_no_findings_has_empty_results),
		cmocka_unit_test(test_sarif_and_text_carry_every_rule_past_64),
		cmocka_unit_test(test_text_shows_path_line_rule_redacted_token_and_fingerprint),
		cmocka_unit_test(test_text_prints_each_rules_remediation_once_when_asked),
		cmocka_unit_test(test_text_has_colour_only_when_asked),
		cmocka_unit_test(test_text_quotes_a_path_with_control_characters_as_git_does),
		cmocka_unit_test(test_text_writes_bytes_that_are_not_utf8_in_octal),
		cmocka_unit_test(test_findings_add_copies_path_and_secret),
		cmocka_unit_test(test_findings_append_moves_all_in_order),
		cmocka_unit_test(test_a_message_finding_has_its_source_and_no_path_in_each_format),
		cmocka_unit_test(test_a_message_fingerprint_hashes_the_source_name_for_a_path),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
