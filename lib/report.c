/* How findings are shown: text for people, JSON and SARIF. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "sghook.h"

/* What a message finding shows where a file finding shows its path. */
static const char *source_label(sghook_source source)
{
	return source == SGHOOK_SOURCE_TAG_MESSAGE ? "(tag message)" :
		"(commit message)";
}

/* Keeps the prefix up to its last '_' and four characters more. */
void sghook_report_redact(char *out, size_t outlen, const char *secret)
{
	size_t len = strlen(secret), keep = 0, i;

	for (i = 0; i < len && i < 16; i++)
		if (secret[i] == '_')
			keep = i + 1;
	keep += 4;
	if (keep > len / 2 + 1)
		keep = len / 2 + 1;
	if (keep > len)
		keep = len;
	snprintf(out, outlen, "%.*s\xe2\x80\xa6", (int)keep, secret);
}

static const char *shown(char *buf, size_t n, const char *secret,
	const sghook_report_opts *o)
{
	if (!o->redact)
		return secret;
	sghook_report_redact(buf, n, secret);
	return buf;
}

/* Length of the valid UTF-8 sequence at p, or 0 when it is not one. */
static size_t utf8_len(const unsigned char *p)
{
	size_t n, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (*p >= 0xc2 && *p <= 0xdf)
		n = 2;
	else if (*p >= 0xe0 && *p <= 0xef)
		n = 3;
	else if (*p >= 0xf0 && *p <= 0xf4)
		n = 4;
	else
		return 0;
	/* No overlong forms, no surrogates, nothing past U+10FFFF. */
	if (*p == 0xe0) lo = 0xa0;
	if (*p == 0xed) hi = 0x9f;
	if (*p == 0xf0) lo = 0x90;
	if (*p == 0xf4) hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

/*
 * JSON must be UTF-8 and a git path need not be: bytes that are not UTF-8
 * become U+FFFD, so that the output stays valid JSON.
 */
static void json_string(FILE *fp, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	fputc('"', fp);
	while (*p) {
		switch (*p) {
		case '"': fputs("\\\"", fp); break;
		case '\\': fputs("\\\\", fp); break;
		case '\n': fputs("\\n", fp); break;
		case '\r': fputs("\\r", fp); break;
		case '\t': fputs("\\t", fp); break;
		default:
			if (*p < 0x20) {
				fprintf(fp, "\\u%04x", *p);
			} else if (*p < 0x80) {
				fputc(*p, fp);
			} else if ((n = utf8_len(p))) {
				fwrite(p, 1, n, fp);
				p += n;
				continue;
			} else {
				fputs("\\ufffd", fp);
			}
		}
		p++;
	}
	fputc('"', fp);
}

/* A C1 control (U+0080 to U+009F): some terminals act on it as on ESC. */
static int is_c1(const unsigned char *p)
{
	return p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f;
}

static size_t text_byte_len(const unsigned char *p)
{
	size_t n;

	if (*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\')
		return 0;
	if (*p < 0x80)
		return 1;
	return (n = utf8_len(p)) && !is_c1(p) ? n : 0;
}

/*
 * Paths and secrets come from the repository, and a terminal must not see
 * them raw: a newline would forge a line of the report, an escape
 * sequence could rewrite the screen. As git quotes such paths, a string
 * holding a control character, a byte that is not UTF-8, '"' or '\\' is
 * written in double quotes with C escapes (octal for the odd bytes).
 */
static void text_string(FILE *fp, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	for (; *p; p += n)
		if (!(n = text_byte_len(p)))
			break;
	if (!*p) {
		fputs(s, fp);
		return;
	}
	fputc('"', fp);
	for (p = (const unsigned char *)s; *p; p += n) {
		if ((n = text_byte_len(p))) {
			fwrite(p, 1, n, fp);
			continue;
		}
		n = 1;
		switch (*p) {
		case '"': fputs("\\\"", fp); break;
		case '\\': fputs("\\\\", fp); break;
		case '\a': fputs("\\a", fp); break;
		case '\b': fputs("\\b", fp); break;
		case '\t': fputs("\\t", fp); break;
		case '\n': fputs("\\n", fp); break;
		case '\v': fputs("\\v", fp); break;
		case '\f': fputs("\\f", fp); break;
		case '\r': fputs("\\r", fp); break;
		default: fprintf(fp, "\\%03o", *p);
		}
	}
	fputc('"', fp);
}

static void write_json(FILE *fp, const sghook_findings *l,
	const sghook_report_opts *o)
{
	char red[128], hex[GIT_OID_HEXSZ + 1];
	size_t i;

	fputs("[", fp);
	for (i = 0; i < l->count; i++) {
		const sghook_finding *f = &l->items[i];

		fputs(i ? ",\n  {" : "\n  {", fp);
		fputs("\"rule\": ", fp);
		json_string(fp, sghook_rule_id(f->rule));
		fputs(", \"description\": ", fp);
		json_string(fp, sghook_rule_description(f->rule));
		fputs(", \"source\": ", fp);
		json_string(fp, sghook_source_name(f->source));
		fputs(", \"path\": ", fp);
		if (f->path)
			json_string(fp, f->path);
		else
			fputs("null", fp);
		fprintf(fp, ", \"line\": %zu, \"column\": %zu, \"commit\": ",
			f->line, f->column);
		if (f->has_commit) {
			git_oid_tostr(hex, sizeof(hex), &f->commit);
			json_string(fp, hex);
		} else {
			fputs("null", fp);
		}
		fputs(", \"secret\": ", fp);
		json_string(fp, shown(red, sizeof(red), f->secret, o));
		fprintf(fp, ", \"fingerprint\": \"%s\", \"confidence\": ",
			f->fingerprint);
		json_string(fp, sghook_rule_confidence(f->rule));
		fputs(", \"tier\": ", fp);
		json_string(fp, sghook_tier_name(f->tier));
		fputs(", \"encoding\": ", fp);
		if (f->encoding)
			json_string(fp, sghook_encoding_name(f->encoding));
		else
			fputs("null", fp);
		fputs("}", fp);
	}
	fputs(l->count ? "\n]\n" : "]\n", fp);
}

/*
 * The distinct rules of the findings, in order of first appearance, in
 * an array the caller frees; *out is NULL when there is none.
 */
static int rules_seen(const sghook_rule ***out, size_t *n,
	const sghook_findings *l)
{
	const sghook_rule **seen = NULL;
	size_t i, j, count = 0, alloc = 0;

	for (i = 0; i < l->count; i++) {
		for (j = 0; j < count && seen[j] != l->items[i].rule; j++)
			;
		if (j < count)
			continue;
		if (SGHOOK_ARRAY_GROW(seen, alloc, count + 1) < 0) {
			free(seen);
			return SGHOOK_ERROR;
		}
		seen[count++] = l->items[i].rule;
	}
	*out = seen;
	*n = count;
	return 0;
}

/* The driver's rules, each with its help text when it has one. */
static void write_sarif_rules(FILE *fp, const sghook_rule **rules, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		fputs(i ? ",\n      {\"id\": " : "\n      {\"id\": ", fp);
		json_string(fp, sghook_rule_id(rules[i]));
		fputs(", \"shortDescription\": {\"text\": ", fp);
		json_string(fp, sghook_rule_description(rules[i]));
		fputs("}", fp);
		if (sghook_rule_remediation(rules[i])) {
			fputs(", \"help\": {\"text\": ", fp);
			json_string(fp, sghook_rule_remediation(rules[i]));
			fputs("}", fp);
		}
		fputs(", \"defaultConfiguration\": {\"level\": \"error\"}}", fp);
	}
}

/* What a file finding's location says: the file, line and column. */
static void write_sarif_file_location(FILE *fp, const sghook_finding *f)
{
	fputs(", \"locations\": [{\"physicalLocation\": "
	      "{\"artifactLocation\": {\"uri\": ", fp);
	json_string(fp, f->path);
	fprintf(fp, "}, \"region\": {\"startLine\": %zu, "
		"\"startColumn\": %zu}}}]", f->line, f->column);
}

/*
 * A message is no file: SARIF names it as a logical location, and its
 * line goes in the properties.
 */
static void write_sarif_message_location(FILE *fp, const sghook_finding *f)
{
	char hex[GIT_OID_HEXSZ + 1];

	git_oid_tostr(hex, sizeof(hex), &f->commit);
	fprintf(fp, ", \"locations\": [{\"logicalLocations\": "
		"[{\"name\": \"%s\", \"fullyQualifiedName\": "
		"\"%s:%s\", \"kind\": \"object\"}]}]",
		sghook_source_name(f->source), f->has_commit ? hex : "staged",
		sghook_source_name(f->source));
}

/* One result: `index` is that of its rule in the driver's rules. */
static void write_sarif_result(FILE *fp, const sghook_finding *f,
	size_t index, const sghook_report_opts *o)
{
	char red[128], hex[GIT_OID_HEXSZ + 1], *msg;
	const char *desc = sghook_rule_description(f->rule);
	const char *secret = shown(red, sizeof(red), f->secret, o);
	int n;

	fputs("\"ruleId\": ", fp);
	json_string(fp, sghook_rule_id(f->rule));
	fprintf(fp, ", \"ruleIndex\": %zu, \"level\": \"error\", "
		"\"message\": {\"text\": ", index);
	n = f->path ? asprintf(&msg, "%s: %s", desc, secret) :
		asprintf(&msg, "%s: %s %s:%zu", desc, secret,
		source_label(f->source), f->line);
	json_string(fp, n >= 0 ? msg : desc);
	if (n >= 0)
		free(msg);
	fputs("}", fp);
	if (f->path)
		write_sarif_file_location(fp, f);
	else
		write_sarif_message_location(fp, f);
	fprintf(fp, ", \"partialFingerprints\": {\"sghook/v1\": "
		"\"%s\"}, \"properties\": {\"source\": \"%s\"",
		f->fingerprint, sghook_source_name(f->source));
	if (!f->path)
		fprintf(fp, ", \"line\": %zu, \"column\": %zu",
			f->line, f->column);
	if (f->has_commit) {
		git_oid_tostr(hex, sizeof(hex), &f->commit);
		fprintf(fp, ", \"commit\": \"%s\"", hex);
	}
	if (f->encoding)
		fprintf(fp, ", \"encoding\": \"%s\"",
			sghook_encoding_name(f->encoding));
	fputs("}}", fp);
}

static int write_sarif(FILE *fp, const sghook_findings *l,
	const sghook_report_opts *o)
{
	const sghook_rule **rules;
	size_t n, i, j;

	if (rules_seen(&rules, &n, l) < 0)
		return SGHOOK_ERROR;
	fputs("{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n"
	      "  \"version\": \"2.1.0\",\n  \"runs\": [{\n"
	      "    \"tool\": {\"driver\": {\"name\": \"sghook\", \"version\": \""
	      SGHOOK_VERSION "\", \"rules\": [", fp);
	write_sarif_rules(fp, rules, n);
	fputs("]}},\n    \"results\": [", fp);
	for (i = 0; i < l->count; i++) {
		for (j = 0; j < n && rules[j] != l->items[i].rule; j++)
			;
		fputs(i ? ",\n      {" : "\n      {", fp);
		write_sarif_result(fp, &l->items[i], j, o);
	}
	fputs(l->count ? "\n    ]\n  }]\n}\n" : "]\n  }]\n}\n", fp);
	free(rules);
	return 0;
}

#define BOLD(o) ((o)->color ? "\033[1m" : "")
#define RED(o) ((o)->color ? "\033[1;31m" : "")
#define DIM(o) ((o)->color ? "\033[2m" : "")
#define OFF(o) ((o)->color ? "\033[0m" : "")

static int write_text(FILE *fp, const sghook_findings *l,
	const sghook_report_opts *o)
{
	char red[128], hex[GIT_OID_HEXSZ + 1];
	size_t i;

	for (i = 0; i < l->count; i++) {
		const sghook_finding *f = &l->items[i];

		fputs("  ", fp);
		if (f->has_commit) {
			git_oid_tostr(hex, 8, &f->commit);
			fprintf(fp, "%s%s%s ", DIM(o), hex, OFF(o));
		}
		fputs(BOLD(o), fp);
		if (f->path)
			text_string(fp, f->path);
		else
			fputs(source_label(f->source), fp);
		fprintf(fp, ":%zu%s  ", f->line, OFF(o));
		text_string(fp, sghook_rule_id(f->rule));
		fprintf(fp, "  %s", RED(o));
		text_string(fp, shown(red, sizeof(red), f->secret, o));
		fputs(OFF(o), fp);
		if (f->encoding)
			fprintf(fp, " (%s)", sghook_encoding_name(f->encoding));
		fprintf(fp, "  (fingerprint %s)\n", f->fingerprint);
	}
	return o->remediation ? sghook_report_remediation(fp, l) : 0;
}

int sghook_report_remediation(FILE *fp, const sghook_findings *l)
{
	const sghook_rule **rules;
	size_t i, n;

	if (rules_seen(&rules, &n, l) < 0)
		return sghook_error_set("out of memory");
	for (i = 0; i < n; i++) {
		if (!sghook_rule_remediation(rules[i]))
			continue;
		fputc('\n', fp);
		fputs(sghook_rule_remediation(rules[i]), fp);
	}
	free(rules);
	return 0;
}

int sghook_report_write(FILE *fp, const sghook_findings *list,
	const sghook_report_opts *opts)
{
	int error = 0;

	switch (opts->format) {
	case SGHOOK_FORMAT_JSON:
		write_json(fp, list, opts);
		break;
	case SGHOOK_FORMAT_SARIF:
		error = write_sarif(fp, list, opts);
		break;
	default:
		error = write_text(fp, list, opts);
	}
	if (error < 0)
		return error;
	if (fflush(fp) != 0 || ferror(fp))
		return sghook_error_set("cannot write the report");
	return 0;
}
