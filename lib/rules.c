/*
 * Rule sets. Rules are data: each lives in a git-config style file under
 * rules/, read with libgit2's own config parser so that the syntax, quoting
 * and escapes are git's and nothing here parses text by hand.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "array.h"
#include "rules_internal.h"

static void strings_free(sghook_strings *list)
{
	size_t i;

	for (i = 0; i < list->count; i++)
		free(list->items[i]);
	free(list->items);
	memset(list, 0, sizeof(*list));
}

/* Appends a copy of `str`. */
static int strings_push(sghook_strings *list, const char *str)
{
	char *copy;

	if (SGHOOK_ARRAY_GROW(list->items, list->alloc, list->count + 1) < 0)
		return SGHOOK_ERROR;
	if (!(copy = strdup(str)))
		return sghook_error_set("out of memory");
	list->items[list->count++] = copy;
	return 0;
}

/* Appends a copy of `str`, unless the list holds it already. */
static int strings_add(sghook_strings *list, const char *str)
{
	size_t i;

	for (i = 0; i < list->count; i++)
		if (!strcmp(list->items[i], str))
			return 0;
	return strings_push(list, str);
}

static void rule_free(sghook_rule *r)
{
	if (!r)
		return;
	free(r->id);
	free(r->description);
	free(r->confidence);
	free(r->remediation);
	free(r->source);
	free(r->word_pairs);
	pcre2_code_free(r->re);
	pcre2_code_free(r->context);
	pcre2_code_free(r->placeholder);
	strings_free(&r->keywords);
	strings_free(&r->allow_markers);
	free(r);
}

void sghook_rules_free(sghook_rules *rules)
{
	size_t i;

	if (!rules)
		return;
	for (i = 0; i < rules->count; i++)
		rule_free(rules->items[i]);
	strings_free(&rules->keywords);
	sghook_decode_forms_free(&rules->forms);
	free(rules->items);
	pthread_mutex_destroy(&rules->jit_lock);
	free(rules);
}

void sghook_rules_jit(const sghook_rules *crules)
{
	sghook_rules *rules = (sghook_rules *)crules;
	size_t i;

	pthread_mutex_lock(&rules->jit_lock);
	/* JIT is an optimisation: without it PCRE2 still matches. */
	for (i = 0; i < rules->count && !rules->jitted; i++) {
		pcre2_jit_compile(rules->items[i]->re, PCRE2_JIT_COMPLETE);
		if (rules->items[i]->context)
			pcre2_jit_compile(rules->items[i]->context,
				PCRE2_JIT_COMPLETE);
		if (rules->items[i]->placeholder)
			pcre2_jit_compile(rules->items[i]->placeholder,
				PCRE2_JIT_COMPLETE);
	}
	rules->jitted = 1;
	pthread_mutex_unlock(&rules->jit_lock);
}

static int read_file(char **out, const char *path)
{
	FILE *fp = fopen(path, "rb");
	struct stat st;
	char *buf = NULL;
	long len;
	int error = SGHOOK_ERROR;

	if (!fp)
		return sghook_error_set("cannot read %s: %s", path,
			strerror(errno));
	if (fstat(fileno(fp), &st) < 0) {
		sghook_error_set("cannot read %s: %s", path, strerror(errno));
		goto done;
	}
	/*
	 * A directory opens too, and seeks to an end of 2^63 - 1. errno says
	 * why, for the caller's message too.
	 */
	if (!S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		sghook_error_set("cannot read %s: %s", path, strerror(errno));
		goto done;
	}
	if (fseek(fp, 0, SEEK_END) < 0 || (len = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) < 0) {
		sghook_error_set("cannot read %s: %s", path, strerror(errno));
		goto done;
	}
	if (!(buf = malloc((size_t)len + 1))) {
		sghook_error_set("%s: out of memory", path);
		goto done;
	}
	if (fread(buf, 1, (size_t)len, fp) != (size_t)len) {
		sghook_error_set("cannot read %s", path);
		goto done;
	}
	buf[len] = '\0';
	*out = buf;
	buf = NULL;
	error = 0;
done:
	free(buf);
	fclose(fp);
	return error;
}

/* Names a file relative to the directory of the rule file. */
static char *sibling(const char *rulefile, const char *name)
{
	const char *slash = strrchr(rulefile, '/');
	char *out;
	size_t dirlen;

	if (name[0] == '/' || !slash)
		return strdup(name);
	dirlen = (size_t)(slash - rulefile) + 1;
	if (!(out = malloc(dirlen + strlen(name) + 1)))
		return NULL;
	memcpy(out, rulefile, dirlen);
	strcpy(out + dirlen, name);
	return out;
}

/* ---- where a key is ---------------------------------------------------- */

/*
 * libgit2 parses the values, but its entries carry no line numbers (1.5
 * to 1.9), and a message about a bad value must say where it is. So the
 * file is read again here, only to find keys: section headers and the
 * names that start lines, as git-config(1) writes them. A value that a
 * trailing backslash continues hides its next line.
 */

/* Whether the value from p to eol goes on to the next line. */
static int value_continues(const char *p, const char *eol, int *quoted)
{
	for (; p < eol; p++) {
		if (*p == '\\') {
			if (p + 1 == eol || (p + 2 == eol && p[1] == '\r'))
				return 1;
			p++;
		} else if (*p == '"') {
			*quoted = !*quoted;
		} else if ((*p == '#' || *p == ';') && !*quoted) {
			return 0;
		}
	}
	return 0;
}

/*
 * Reads the section header at p ('['): whether it is a rule's, whose id
 * goes to `sub` ([rule "ID"], or the old [rule.id], which git lowercases).
 * Returns what follows the ']', where a key may start.
 */
static const char *section_header(const char *p, const char *eol,
	char *sub, size_t subsize, int *in_rule)
{
	size_t n = 0;
	const char *name = ++p;
	int quoted = 0;

	*in_rule = 0;
	while (p < eol && *p != ']' && *p != ' ' && *p != '\t' && *p != '.')
		p++;
	if (p - name != 4 || strncasecmp(name, "rule", 4))
		goto skip;
	if (p < eol && *p == '.') {
		for (p++; p < eol && *p != ']' && n < subsize - 1; p++)
			sub[n++] = (char)tolower((unsigned char)*p);
	} else {
		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		if (p == eol || *p++ != '"')
			goto skip;
		quoted = 1;
		while (p < eol && *p != '"' && n < subsize - 1) {
			if (*p == '\\' && p + 1 < eol)
				p++;
			sub[n++] = *p++;
		}
	}
	sub[n] = '\0';
	*in_rule = p < eol && (quoted ? *p == '"' : *p == ']');
skip:
	while (p < eol && *p != ']')
		p++;
	return p < eol ? p + 1 : eol;
}

/* A key of a [rule "ID"] section, where the file has it. */
typedef struct {
	const char *id;
	const char *name;     /* not NUL-terminated: `len` bytes */
	size_t len;
	size_t line;          /* 1-based */
} file_key;

typedef int (*file_key_fn)(const file_key *k, void *payload);

/* Calls `fn` on every key of a rule section, in the file's order. */
static int file_keys(const char *text, file_key_fn fn, void *payload)
{
	const char *p = text, *eol;
	char sub[256] = "";
	file_key k;
	int in_rule = 0, cont = 0, quoted = 0, error;

	k.id = sub;
	k.line = 0;
	for (; *p; p = *eol ? eol + 1 : eol) {
		k.line++;
		if (!(eol = strchr(p, '\n')))
			eol = p + strlen(p);
		if (cont) {
			cont = value_continues(p, eol, &quoted);
			continue;
		}
		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		if (p < eol && *p == '[') {
			p = section_header(p, eol, sub, sizeof(sub), &in_rule);
			while (p < eol && (*p == ' ' || *p == '\t'))
				p++;
		}
		k.name = p;
		while (p < eol && (isalnum((unsigned char)*p) || *p == '-'))
			p++;
		if (p == k.name)
			continue;  /* a comment or a blank line */
		k.len = (size_t)(p - k.name);
		if (in_rule && (error = fn(&k, payload)) != 0)
			return error;
		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		quoted = 0;
		if (p < eol && *p == '=')
			cont = value_continues(p + 1, eol, &quoted);
	}
	return 0;
}

static int key_is(const file_key *k, const char *id, const char *var)
{
	return !strcmp(k->id, id) && k->len == strlen(var) &&
		!strncasecmp(k->name, var, k->len);
}

#define KEY_LAST ((size_t)-1)

typedef struct {
	const char *id, *var;
	size_t nth, seen, line;
} key_search;

static int key_found(const file_key *k, void *payload)
{
	key_search *ks = payload;

	if (!key_is(k, ks->id, ks->var))
		return 0;
	ks->line = k->line;
	return ks->seen++ == ks->nth;  /* 1 stops the walk */
}

/*
 * The line of the nth `var` (0-based, or KEY_LAST) of rule `id` in a rule
 * file's text, or 0 when the file does not hold it (an included file
 * may).
 */
static size_t key_line(const char *text, const char *id, const char *var,
	size_t nth)
{
	key_search ks = { id, var, nth, 0, 0 };

	if (file_keys(text, key_found, &ks) == 1 || nth == KEY_LAST)
		return ks.line;
	return 0;
}

/* ---- reading one rule -------------------------------------------------- */

/* The rule being read: its file, and that file's text for key_line(). */
typedef struct {
	const char *path;
	const char *text;
	git_config *cfg;
	const char *id;
} rule_src;

/* "FILE:LINE" of a key of the rule, for messages. */
static const char *where(char *out, size_t n, const rule_src *s,
	const char *var, size_t nth)
{
	size_t line = key_line(s->text, s->id, var, nth);

	if (line)
		snprintf(out, n, "%s:%zu", s->path, line);
	else
		snprintf(out, n, "%s (or a file it includes)", s->path);
	return out;
}

/* A value the rule cannot use: file, line, rule, key, value and why. */
static int bad_value(const rule_src *s, const char *var, size_t nth,
	const char *value, const char *why)
{
	char loc[PATH_MAX + 32];

	return sghook_error_set_code(SGHOOK_EINVALID, "%s: rule %s: %s = "
		"'%s': %s", where(loc, sizeof(loc), s, var, nth), s->id, var,
		value ? value : "", why);
}

/*
 * The value of a single-valued key (the last one, as git reads it); NULL
 * when the rule does not set it. A key without a value is not one.
 */
static int get_value(char **out, const rule_src *s, const char *var)
{
	git_config_entry *e = NULL;
	char key[512];
	int error;

	*out = NULL;
	snprintf(key, sizeof(key), "rule.%s.%s", s->id, var);
	if ((error = git_config_get_entry(&e, s->cfg, key)) == GIT_ENOTFOUND)
		return 0;
	if (error < 0)
		return sghook_error_from_git(key);
	if (!e->value || !e->value[0])
		error = bad_value(s, var, KEY_LAST, "", "the key needs a value");
	else if (!(*out = strdup(e->value)))
		error = sghook_error_set("out of memory");
	git_config_entry_free(e);
	return error;
}

/* A whole number of at least `min`; `dflt` when the rule does not say. */
static int get_int(int *out, const rule_src *s, const char *var, int min,
	int dflt)
{
	char *v = NULL;
	int32_t n;
	int error;

	*out = dflt;
	if ((error = get_value(&v, s, var)) < 0 || !v)
		return error;
	if (git_config_parse_int32(&n, v) < 0)
		error = bad_value(s, var, KEY_LAST, v, "not a whole number");
	else if (n < min)
		error = bad_value(s, var, KEY_LAST, v, min == 0 ?
			"must not be negative" : "too small");
	else
		*out = (int)n;
	free(v);
	return error;
}

static int get_bool(int *out, const rule_src *s, const char *var, int dflt)
{
	git_config_entry *e = NULL;
	char key[512];
	int error, v;

	*out = dflt;
	snprintf(key, sizeof(key), "rule.%s.%s", s->id, var);
	if ((error = git_config_get_entry(&e, s->cfg, key)) == GIT_ENOTFOUND)
		return 0;
	if (error < 0)
		return sghook_error_from_git(key);
	/* As git reads it: a key without a value is true. */
	if (!e->value)
		*out = 1;
	else if (git_config_parse_bool(&v, e->value) < 0)
		error = bad_value(s, var, KEY_LAST, e->value,
			"not a boolean (true or false)");
	else
		*out = v;
	git_config_entry_free(e);
	return error;
}

/* Bits per byte: a number from 0 to 8. */
static int get_entropy(double *out, const rule_src *s)
{
	char *v = NULL, *end;
	int error;

	*out = 0;
	if ((error = get_value(&v, s, "entropy")) < 0 || !v)
		return error;
	*out = strtod(v, &end);
	if (*end || !isfinite(*out) || *out < 0 || *out > 8)
		error = bad_value(s, "entropy", KEY_LAST, v, "not a number of "
			"bits per byte (0 to 8)");
	free(v);
	return error;
}

/* A share from 0 to 1; `dflt` when the rule does not say. */
static int get_share(double *out, const rule_src *s, const char *var,
	double dflt)
{
	char *v = NULL, *end;
	int error;

	*out = dflt;
	if ((error = get_value(&v, s, var)) < 0 || !v)
		return error;
	*out = strtod(v, &end);
	if (*end || !isfinite(*out) || *out < 0 || *out > 1)
		error = bad_value(s, var, KEY_LAST, v, "not a share (a number "
			"from 0 to 1)");
	free(v);
	return error;
}

static int compile(pcre2_code **out, const rule_src *s, const char *var,
	const char *src)
{
	int errcode;
	PCRE2_SIZE erroff;
	PCRE2_UCHAR msg[256];
	char why[320];

	*out = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED, 0,
		&errcode, &erroff, NULL);
	if (!*out) {
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		snprintf(why, sizeof(why), "bad pattern at offset %zu: %s",
			(size_t)erroff, (char *)msg);
		return bad_value(s, var, KEY_LAST, src, why);
	}
	return 0;
}

/* Why a value of a repeated key cannot be used, or NULL when it can. */
typedef const char *(*value_check)(const char *value);

typedef struct {
	sghook_strings *list;
	const rule_src *s;
	const char *var;
	value_check check;
	size_t nth;
} strings_ctx;

/* A copy of `v` with its line breaks written as \n and \r, to show it. */
static char *one_line(const char *v)
{
	char *out = malloc(strlen(v) * 2 + 1), *o = out;

	if (!out)
		return NULL;
	for (; *v; v++) {
		if (*v == '\n' || *v == '\r') {
			*o++ = '\\';
			*o++ = *v == '\n' ? 'n' : 'r';
		} else {
			*o++ = *v;
		}
	}
	*o = '\0';
	return out;
}

static int strings_cb(const git_config_entry *e, void *payload)
{
	strings_ctx *k = payload;
	const char *v = e->value ? e->value : "", *why = k->check(v);
	size_t nth = k->nth++;
	char *shown;
	int error;

	if (!why)
		return strings_add(k->list, v);
	/* The message stays one line. */
	if (!(shown = one_line(v)))
		return sghook_error_set("out of memory");
	error = bad_value(k->s, k->var, nth, shown, why);
	free(shown);
	return error;
}

/* Every value of a key the rule may repeat, in order, each once. */
static int get_strings(sghook_strings *out, const rule_src *s,
	const char *var, value_check check)
{
	strings_ctx k = { out, s, var, check, 0 };
	char key[512];
	int error;

	snprintf(key, sizeof(key), "rule.%s.%s", s->id, var);
	error = git_config_get_multivar_foreach(s->cfg, key, NULL, strings_cb,
		&k);
	return error == GIT_ENOTFOUND ? 0 : error;
}

static const char *keyword_check(const char *v)
{
	return v[0] ? NULL : "a keyword must not be empty";
}

/* A marker is looked for within a line, so a line break never matches. */
static const char *marker_check(const char *v)
{
	if (!v[0])
		return "an allow marker must not be empty";
	return strpbrk(v, "\r\n") ? "an allow marker must not hold a line "
		"break: it is looked for within one line" : NULL;
}

typedef struct {
	sghook_rule *r;
	const rule_src *s;
	size_t nth;
} pairs_ctx;

/* wordPairs: letter pairs, two letters each, split by blanks. */
static int pairs_cb(const git_config_entry *e, void *payload)
{
	pairs_ctx *k = payload;
	const char *p = e->value ? e->value : "";
	size_t nth = k->nth++;
	int a, b;

	if (!p[strspn(p, " \t")])
		return bad_value(k->s, "wordPairs", nth, "", "the key needs "
			"a value");
	for (;;) {
		p += strspn(p, " \t");
		if (!*p)
			return 0;
		a = (unsigned char)p[0] | 0x20;
		b = (unsigned char)p[1] | 0x20;
		if (a < 'a' || a > 'z' || b < 'a' || b > 'z' ||
		    (p[2] && p[2] != ' ' && p[2] != '\t'))
			return bad_value(k->s, "wordPairs", nth, e->value,
				"each pair is two letters, pairs split by blanks");
		k->r->word_pairs[(a - 'a') * 26 + (b - 'a')] = 1;
		p += 2;
	}
}

/* The keys that tell bodies from words and filler (rules/README.md). */
static int rule_load_shape(sghook_rule *r, const rule_src *s)
{
	pairs_ctx pc;
	char key[512];
	int error;

	if ((error = get_bool(&r->enclosing_context, s, "enclosingContext",
	    0)) < 0 ||
	    (error = get_int(&r->filler_run, s, "fillerRun", 0, 0)) < 0 ||
	    (error = get_share(&r->word_share, s, "wordShare", 1)) < 0 ||
	    (error = get_share(&r->identifier_share, s, "identifierShare",
	    1)) < 0 ||
	    (error = get_share(&r->random_entropy, s, "randomEntropy", 0)) < 0)
		return error;
	if (!(r->word_pairs = calloc(26 * 26, 1)))
		return sghook_error_set("out of memory");
	pc.r = r;
	pc.s = s;
	pc.nth = 0;
	snprintf(key, sizeof(key), "rule.%s.wordPairs", s->id);
	error = git_config_get_multivar_foreach(s->cfg, key, NULL, pairs_cb,
		&pc);
	if (error == GIT_ENOTFOUND) {
		free(r->word_pairs);
		r->word_pairs = NULL;
		return 0;
	}
	return error;
}

/* The keys a rule may have; any other is a mistake, not a default. */
static const char *const rule_keys[] = {
	"description", "confidence", "priority", "keyword", "regex",
	"minLength", "fullLength", "entropy", "context", "contextLines",
	"randomTier", "placeholder", "remediation", "randomEntropy",
	"fillerRun", "wordPairs", "wordShare", "identifierShare",
	"enclosingContext", "allowMarker"
};

static const char *rule_key(const char *var)
{
	size_t i;

	for (i = 0; i < sizeof(rule_keys) / sizeof(*rule_keys); i++)
		if (!strcasecmp(var, rule_keys[i]))
			return rule_keys[i];
	return NULL;
}

/* The values of a rule that are read before they are used. */
typedef struct {
	char *regex, *context, *placeholder, *remediation;
} rule_text;

/* Every key of a rule, checked; the patterns are compiled after. */
static int rule_load_values(sghook_rule *r, rule_text *t, const rule_src *s)
{
	int error;

	if ((error = get_value(&r->description, s, "description")) < 0 ||
	    (error = get_value(&r->confidence, s, "confidence")) < 0 ||
	    (error = get_value(&t->regex, s, "regex")) < 0 ||
	    (error = get_value(&t->context, s, "context")) < 0 ||
	    (error = get_value(&t->placeholder, s, "placeholder")) < 0 ||
	    (error = get_value(&t->remediation, s, "remediation")) < 0 ||
	    (error = get_int(&r->priority, s, "priority", INT32_MIN, 0)) < 0 ||
	    (error = get_int(&r->min_length, s, "minLength", 0, 0)) < 0 ||
	    (error = get_int(&r->full_length, s, "fullLength", 0, 0)) < 0 ||
	    (error = get_int(&r->context_lines, s, "contextLines", 0, 3)) < 0 ||
	    (error = get_entropy(&r->entropy, s)) < 0 ||
	    (error = get_bool(&r->random_tier, s, "randomTier", 0)) < 0 ||
	    (error = rule_load_shape(r, s)) < 0)
		return error;
	if (!t->regex)
		return sghook_error_set_code(SGHOOK_EINVALID, "%s: rule %s has "
			"no regex", s->path, s->id);
	if ((error = get_strings(&r->keywords, s, "keyword",
	    keyword_check)) < 0)
		return error;
	if (r->keywords.count == 0)
		return sghook_error_set_code(SGHOOK_EINVALID, "%s: rule %s has "
			"no keyword: every rule needs a literal for the "
			"prefilter", s->path, s->id);
	return get_strings(&r->allow_markers, s, "allowMarker", marker_check);
}

static int rule_load_patterns(sghook_rule *r, const rule_text *t,
	const rule_src *s)
{
	int error = 0;

	if ((error = compile(&r->re, s, "regex", t->regex)) < 0 ||
	    (t->context && (error = compile(&r->context, s, "context",
	    t->context)) < 0) ||
	    (t->placeholder && (error = compile(&r->placeholder, s,
	    "placeholder", t->placeholder)) < 0))
		return error;
	return 0;
}

/* The remediation text, from a file named relative to the rule file. */
static int rule_load_remediation(sghook_rule *r, const char *name,
	const rule_src *s)
{
	char *path, loc[PATH_MAX + 32];
	int error = 0, why;

	if (!name)
		return 0;
	if (!(path = sibling(s->path, name)))
		return sghook_error_set("out of memory");
	if (read_file(&r->remediation, path) < 0) {
		why = errno;
		error = sghook_error_set_code(SGHOOK_EINVALID, "%s: rule %s: "
			"remediation = '%s': cannot read %s: %s", where(loc,
			sizeof(loc), s, "remediation", KEY_LAST), s->id, name,
			path, strerror(why));
	}
	free(path);
	return error;
}

static int rule_load(sghook_rule **out, const rule_src *s)
{
	sghook_rule *r = calloc(1, sizeof(*r));
	rule_text t = { NULL, NULL, NULL, NULL };
	int error = SGHOOK_ERROR;

	if (!r)
		return sghook_error_set("out of memory");
	if (!(r->id = strdup(s->id)) || !(r->source = strdup(s->path))) {
		sghook_error_set("out of memory");
		goto done;
	}
	if ((error = rule_load_values(r, &t, s)) < 0 ||
	    (error = rule_load_patterns(r, &t, s)) < 0 ||
	    (error = rule_load_remediation(r, t.remediation, s)) < 0)
		goto done;
	*out = r;
	r = NULL;
done:
	/* A message that names the file is of class EINVALID already. */
	if (error < 0 && sghook_error_code() != SGHOOK_EINVALID)
		sghook_error_prefix("%s: rule %s", s->path, s->id);
	if (error < 0)
		error = SGHOOK_EINVALID;
	rule_free(r);
	free(t.regex);
	free(t.context);
	free(t.placeholder);
	free(t.remediation);
	return error;
}

/* Replaces a rule of the same id, so that a user's file can refine ours. */
static int rules_put(sghook_rules *rules, sghook_rule *r)
{
	size_t i;

	for (i = 0; i < rules->count; i++) {
		if (!strcmp(rules->items[i]->id, r->id)) {
			rule_free(rules->items[i]);
			rules->items[i] = r;
			return 0;
		}
	}
	if (SGHOOK_ARRAY_GROW(rules->items, rules->alloc, rules->count + 1) < 0)
		return SGHOOK_ERROR;
	rules->items[rules->count++] = r;
	return 0;
}

/*
 * libgit2 and git do not always split a file into the same keys: after a
 * value continued by a backslash onto a line holding only a comment, git
 * reads the next line as a key and libgit2 (1.5 to 1.9) as more of the
 * value, so that `randomTier = maybe` there would silently join the
 * regex. The keys libgit2 read from the file itself, in order, must be
 * those git's syntax gives.
 */
typedef struct {
	char **names;    /* libgit2's rule.<id>.<var>, in the file's order */
	size_t n, next;
	const char *path;
} key_check;

static int key_agrees(const file_key *k, void *payload)
{
	key_check *kc = payload;
	const char *want = kc->next < kc->n ? kc->names[kc->next] : NULL;
	size_t idlen = strlen(k->id);

	if (want && !strncmp(want + 5, k->id, idlen) && want[5 + idlen] == '.' &&
	    strlen(want + 6 + idlen) == k->len &&
	    !strncasecmp(want + 6 + idlen, k->name, k->len)) {
		kc->next++;
		return 0;
	}
	sghook_error_set("%s:%zu: rule %s: key '%.*s' is not read as git reads "
		"it (after a comment line in a value continued with '\\'?): "
		"write that value on one line", kc->path, k->line, k->id,
		(int)k->len, k->name);
	return SGHOOK_EINVALID;
}

static int keys_agree(char **names, size_t n, const char *path,
	const char *text)
{
	key_check kc = { names, n, 0, path };
	int error;

	if ((error = file_keys(text, key_agrees, &kc)) != 0)
		return error;
	if (kc.next < n)
		return sghook_error_set("%s: '%s' is not read as git reads it: "
			"write its value on one line", path, names[kc.next]);
	return 0;
}

/*
 * The id of the rule that key rule.<id>.<variable> sets, into `id` (the
 * id keeps its case); the variable must be one a rule has.
 */
static int entry_rule_id(char *id, size_t idsize, const git_config_entry *e,
	git_config *cfg, const char *path, const char *text)
{
	const char *first = strchr(e->name, '.'), *last = strrchr(e->name, '.');
	char loc[PATH_MAX + 32];
	rule_src s;

	if (first == last || (size_t)(last - first) > idsize)
		return sghook_error_set("%s: '%s' is not in a [rule \"ID\"] "
			"section", path, e->name);
	memcpy(id, first + 1, (size_t)(last - first - 1));
	id[last - first - 1] = '\0';
	if (rule_key(last + 1))
		return 0;
	s.path = path;
	s.text = text;
	s.cfg = cfg;
	s.id = id;
	sghook_error_set("%s: rule %s: unknown key '%s' (rules/README.md lists "
		"the keys)", where(loc, sizeof(loc), &s, last + 1, 0), id,
		last + 1);
	return SGHOOK_EINVALID;
}

/*
 * The ids of a file's rules, in order, each once; every key must be one a
 * rule has. Keys are rule.<id>.<variable>.
 */
static int rule_ids(sghook_strings *ids, git_config *cfg, const char *path,
	const char *text)
{
	git_config_iterator *it = NULL;
	git_config_entry *e;
	sghook_strings names = { NULL, 0, 0 };  /* this file's keys */
	char id[256];
	int error;

	/*
	 * Every entry, filtered here: the glob iterator of libgit2 1.5 leaks
	 * PCRE2 match data for each name its pattern does not match.
	 */
	if (git_config_iterator_new(&it, cfg) < 0)
		return sghook_error_from_git(path);
	for (;;) {
		if ((error = git_config_next(&e, it)) < 0) {
			error = error == GIT_ITEROVER ? 0 :
				sghook_error_from_git(path);
			break;
		}
		if (strncmp(e->name, "rule.", 5))
			continue;  /* not ours: other sections are ignored */
		if ((error = entry_rule_id(id, sizeof(id), e, cfg, path,
		    text)) < 0 || (error = strings_add(ids, id)) < 0)
			break;
		/* A key of an included file is not in this file's text. */
		if (!e->include_depth &&
		    (error = strings_push(&names, e->name)) < 0)
			break;
	}
	if (error == 0)
		error = keys_agree(names.items, names.count, path, text);
	strings_free(&names);
	git_config_iterator_free(it);
	return error;
}

static int rules_add_file(sghook_rules *rules, const char *path)
{
	git_config *cfg = NULL;
	sghook_strings ids = { NULL, 0, 0 };
	char *text = NULL;
	sghook_rule *r = NULL;
	rule_src s;
	size_t i;
	int error;

	if (git_config_open_ondisk(&cfg, path) < 0) {
		error = sghook_error_from_git(path);
		goto done;
	}
	if ((error = read_file(&text, path)) < 0 ||
	    (error = rule_ids(&ids, cfg, path, text)) < 0)
		goto done;
	if (ids.count == 0) {
		error = sghook_error_set("%s: no [rule \"ID\"] section", path);
		goto done;
	}
	s.path = path;
	s.text = text;
	s.cfg = cfg;
	for (i = 0; i < ids.count; i++) {
		s.id = ids.items[i];
		if ((error = rule_load(&r, &s)) < 0)
			goto done;
		if ((error = rules_put(rules, r)) < 0) {
			rule_free(r);
			goto done;
		}
	}
	error = 0;
done:
	strings_free(&ids);
	free(text);
	git_config_free(cfg);
	return error;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int by_priority(const void *a, const void *b)
{
	const sghook_rule *x = *(sghook_rule *const *)a;
	const sghook_rule *y = *(sghook_rule *const *)b;

	return (y->priority > x->priority) - (y->priority < x->priority);
}

static int rules_add_dir(sghook_rules *rules, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	sghook_strings names = { NULL, 0, 0 };
	char *path = NULL;
	size_t i, len;
	int error = 0;

	if (!d)
		return sghook_error_set("cannot read rules directory %s: %s",
			dir, strerror(errno));
	while ((de = readdir(d))) {
		len = strlen(de->d_name);
		if (len < 7 || strcmp(de->d_name + len - 6, ".rules"))
			continue;
		if ((error = strings_push(&names, de->d_name)) < 0)
			goto done;
	}
	if (names.count == 0) {
		error = sghook_error_set("no *.rules file in %s", dir);
		goto done;
	}
	/* Sorted, so that later files refine earlier ones predictably. */
	qsort(names.items, names.count, sizeof(*names.items), cmp_str);
	for (i = 0; i < names.count && error == 0; i++) {
		if (asprintf(&path, "%s/%s", dir, names.items[i]) < 0) {
			path = NULL;
			error = sghook_error_set("out of memory");
			break;
		}
		error = rules_add_file(rules, path);
		free(path);
		path = NULL;
	}
done:
	strings_free(&names);
	closedir(d);
	return error;
}

int sghook_rules_add(sghook_rules *rules, const char *path)
{
	struct stat st;
	size_t i, j;
	int error;

	if (stat(path, &st) < 0)
		return sghook_error_set("cannot read rules %s: %s", path,
			strerror(errno));
	error = S_ISDIR(st.st_mode) ? rules_add_dir(rules, path) :
		rules_add_file(rules, path);
	if (error < 0)
		return error;
	qsort(rules->items, rules->count, sizeof(*rules->items), by_priority);
	/* Rebuilt, so that a replaced rule's keywords go with it. */
	strings_free(&rules->keywords);
	for (i = 0; i < rules->count; i++)
		for (j = 0; j < rules->items[i]->keywords.count; j++)
			if ((error = strings_add(&rules->keywords,
			    rules->items[i]->keywords.items[j])) < 0)
				return error;
	sghook_decode_forms_free(&rules->forms);
	for (i = 0; i < rules->keywords.count; i++)
		if ((error = sghook_decode_forms_add(&rules->forms,
		    rules->keywords.items[i],
		    strlen(rules->keywords.items[i]))) < 0)
			return error;
	return 0;
}

int sghook_rules_load(sghook_rules **out, const char *path)
{
	sghook_rules *rules = calloc(1, sizeof(*rules));
	int error;

	if (!rules)
		return sghook_error_set("out of memory");
	pthread_mutex_init(&rules->jit_lock, NULL);
	if ((error = sghook_rules_add(rules, path)) < 0) {
		sghook_rules_free(rules);
		return error;
	}
	*out = rules;
	return 0;
}

size_t sghook_rules_count(const sghook_rules *rules)
{
	return rules->count;
}

const sghook_rule *sghook_rules_get(const sghook_rules *rules, size_t i)
{
	return i < rules->count ? rules->items[i] : NULL;
}

const char *sghook_rule_id(const sghook_rule *r) { return r->id; }
const char *sghook_rule_description(const sghook_rule *r)
{
	return r->description ? r->description : r->id;
}
const char *sghook_rule_remediation(const sghook_rule *r)
{
	return r->remediation;
}
const char *sghook_rule_confidence(const sghook_rule *r)
{
	return r->confidence ? r->confidence : "high";
}

int sghook_rules_prefilter(const sghook_rules *rules, const char *buf,
	size_t len)
{
	size_t i;

	/* A keyword of one character is no form (decode.c): memmem. */
	for (i = 0; i < rules->keywords.count; i++)
		if (strlen(rules->keywords.items[i]) < 2 && memchr(buf,
		    rules->keywords.items[i][0], len))
			return 1;
	return sghook_decode_forms_find(&rules->forms, buf, len,
		SGHOOK_DECODE_DEPTH);
}
