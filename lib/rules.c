/*
 * Rule sets. Rules are data: each lives in a git-config style file under
 * rules/, read with libgit2's own config parser so that the syntax, quoting
 * and escapes are git's and nothing here parses text by hand.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rules_internal.h"

static void rule_free(sghook_rule *r)
{
	size_t i;

	if (!r)
		return;
	free(r->id);
	free(r->description);
	free(r->confidence);
	free(r->remediation);
	free(r->source);
	pcre2_code_free(r->re);
	pcre2_code_free(r->context);
	pcre2_code_free(r->placeholder);
	for (i = 0; i < r->nkeywords; i++)
		free(r->keywords[i]);
	free(r->keywords);
	free(r);
}

void sghook_rules_free(sghook_rules *rules)
{
	size_t i;

	if (!rules)
		return;
	for (i = 0; i < rules->count; i++)
		rule_free(rules->items[i]);
	for (i = 0; i < rules->nkeywords; i++)
		free(rules->keywords[i]);
	free(rules->keywords);
	free(rules->items);
	pthread_mutex_destroy(&rules->jit_lock);
	free(rules);
}

static int compile(pcre2_code **out, const char *src, const sghook_rule *r,
	const char *key)
{
	int errcode;
	PCRE2_SIZE erroff;
	PCRE2_UCHAR msg[256];

	*out = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED, 0,
		&errcode, &erroff, NULL);
	if (!*out) {
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		return sghook_error_set("%s: rule %s: bad %s at offset %zu: %s",
			r->source, r->id, key, (size_t)erroff, (char *)msg);
	}
	return 0;
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
	char *buf = NULL;
	long len;
	int error = SGHOOK_ERROR;

	if (!fp)
		return sghook_error_set("cannot read %s: %s", path,
			strerror(errno));
	if (fseek(fp, 0, SEEK_END) < 0 || (len = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) < 0) {
		sghook_error_set("cannot read %s: %s", path, strerror(errno));
		goto done;
	}
	if (!(buf = malloc((size_t)len + 1)))
		goto done;
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

static int get_string(char **out, git_config *cfg, const char *id,
	const char *var)
{
	git_buf buf = GIT_BUF_INIT;
	char key[512];
	int error;

	snprintf(key, sizeof(key), "rule.%s.%s", id, var);
	error = git_config_get_string_buf(&buf, cfg, key);
	if (error == GIT_ENOTFOUND) {
		*out = NULL;
		return 0;
	}
	if (error < 0)
		return sghook_error_from_git(key);
	*out = strdup(buf.ptr);
	git_buf_dispose(&buf);
	return *out ? 0 : sghook_error_set("out of memory");
}

static int get_int(int *out, git_config *cfg, const char *id,
	const char *var, int dflt)
{
	char key[512];
	int32_t v;
	int error;

	snprintf(key, sizeof(key), "rule.%s.%s", id, var);
	error = git_config_get_int32(&v, cfg, key);
	if (error == GIT_ENOTFOUND) {
		*out = dflt;
		return 0;
	}
	if (error < 0)
		return sghook_error_from_git(key);
	*out = v;
	return 0;
}

static int add_keyword(char ***list, size_t *n, const char *kw)
{
	char **grown;
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp((*list)[i], kw))
			return 0;
	if (!(grown = realloc(*list, (*n + 1) * sizeof(*grown))))
		return sghook_error_set("out of memory");
	*list = grown;
	if (!(grown[*n] = strdup(kw)))
		return sghook_error_set("out of memory");
	(*n)++;
	return 0;
}

static int keyword_cb(const git_config_entry *e, void *payload)
{
	sghook_rule *r = payload;

	if (!e->value || !e->value[0])
		return sghook_error_set("%s: rule %s: empty keyword",
			r->source, r->id);
	return add_keyword(&r->keywords, &r->nkeywords, e->value);
}

static int rule_load(sghook_rule **out, git_config *cfg, const char *id,
	const char *source)
{
	sghook_rule *r = calloc(1, sizeof(*r));
	char *regex = NULL, *context = NULL, *placeholder = NULL;
	char *entropy = NULL, *remediation = NULL, *path = NULL, *end;
	char key[512];
	int error = SGHOOK_ERROR;

	if (!r)
		return sghook_error_set("out of memory");
	if (!(r->id = strdup(id)) || !(r->source = strdup(source)))
		goto done;
	if ((error = get_string(&r->description, cfg, id, "description")) < 0 ||
	    (error = get_string(&r->confidence, cfg, id, "confidence")) < 0 ||
	    (error = get_string(&regex, cfg, id, "regex")) < 0 ||
	    (error = get_string(&context, cfg, id, "context")) < 0 ||
	    (error = get_string(&placeholder, cfg, id, "placeholder")) < 0 ||
	    (error = get_string(&entropy, cfg, id, "entropy")) < 0 ||
	    (error = get_string(&remediation, cfg, id, "remediation")) < 0 ||
	    (error = get_int(&r->priority, cfg, id, "priority", 0)) < 0 ||
	    (error = get_int(&r->min_length, cfg, id, "minLength", 0)) < 0 ||
	    (error = get_int(&r->full_length, cfg, id, "fullLength", 0)) < 0 ||
	    (error = get_int(&r->context_lines, cfg, id, "contextLines", 3)) < 0)
		goto done;
	error = SGHOOK_EINVALID;
	if (!regex) {
		sghook_error_set("%s: rule %s has no regex", source, id);
		goto done;
	}
	snprintf(key, sizeof(key), "rule.%s.keyword", id);
	if (git_config_get_multivar_foreach(cfg, key, NULL, keyword_cb, r) < 0 ||
	    r->nkeywords == 0) {
		if (r->nkeywords == 0)
			sghook_error_set("%s: rule %s has no keyword: every "
				"rule needs a literal for the prefilter",
				source, id);
		goto done;
	}
	if (compile(&r->re, regex, r, "regex") < 0 ||
	    (context && compile(&r->context, context, r, "context") < 0) ||
	    (placeholder &&
	     compile(&r->placeholder, placeholder, r, "placeholder") < 0))
		goto done;
	if (entropy) {
		r->entropy = strtod(entropy, &end);
		if (*end || r->entropy < 0 || r->entropy > 8) {
			sghook_error_set("%s: rule %s: entropy must be a "
				"number of bits per byte (0 to 8), not '%s'",
				source, id, entropy);
			goto done;
		}
	}
	if (r->full_length < 0 || r->min_length < 0) {
		sghook_error_set("%s: rule %s: lengths must not be negative",
			source, id);
		goto done;
	}
	snprintf(key, sizeof(key), "rule.%s.randomTier", id);
	if (git_config_get_bool(&r->random_tier, cfg, key) == GIT_ENOTFOUND)
		r->random_tier = 0;
	if (remediation) {
		if (!(path = sibling(source, remediation)) ||
		    read_file(&r->remediation, path) < 0)
			goto done;
	}
	*out = r;
	r = NULL;
	error = 0;
done:
	if (error < 0 && r && !strstr(sghook_error_last(), source)) {
		char msg[400];

		snprintf(msg, sizeof(msg), "%s", sghook_error_last());
		sghook_error_set("%s: rule %s: %s", source, id, msg);
	}
	if (error < 0)
		error = SGHOOK_EINVALID;
	rule_free(r);
	free(regex);
	free(context);
	free(placeholder);
	free(entropy);
	free(remediation);
	free(path);
	return error;
}

/* Replaces a rule of the same id, so that a user's file can refine ours. */
static int rules_put(sghook_rules *rules, sghook_rule *r)
{
	sghook_rule **grown;
	size_t i;

	for (i = 0; i < rules->count; i++) {
		if (!strcmp(rules->items[i]->id, r->id)) {
			rule_free(rules->items[i]);
			rules->items[i] = r;
			return 0;
		}
	}
	if (!(grown = realloc(rules->items, (rules->count + 1) * sizeof(*grown))))
		return sghook_error_set("out of memory");
	rules->items = grown;
	rules->items[rules->count++] = r;
	return 0;
}

static int rules_add_file(sghook_rules *rules, const char *path)
{
	git_config *cfg = NULL;
	git_config_iterator *it = NULL;
	git_config_entry *e;
	char **ids = NULL;
	size_t nids = 0, i;
	sghook_rule *r = NULL;
	int error;

	if (git_config_open_ondisk(&cfg, path) < 0) {
		error = sghook_error_from_git(path);
		goto done;
	}
	if (git_config_iterator_glob_new(&it, cfg, "^rule\\.") < 0) {
		error = sghook_error_from_git(path);
		goto done;
	}
	/* Keys are rule.<id>.<variable>; the id keeps its case. */
	while ((error = git_config_next(&e, it)) == 0) {
		const char *first = strchr(e->name, '.');
		const char *last = strrchr(e->name, '.');
		char id[256];

		if (!first || first == last || (size_t)(last - first) > sizeof(id)) {
			error = sghook_error_set("%s: '%s' is not in a "
				"[rule \"ID\"] section", path, e->name);
			goto done;
		}
		memcpy(id, first + 1, (size_t)(last - first - 1));
		id[last - first - 1] = '\0';
		if ((error = add_keyword(&ids, &nids, id)) < 0)
			goto done;
	}
	if (error != GIT_ITEROVER) {
		error = sghook_error_from_git(path);
		goto done;
	}
	if (nids == 0) {
		error = sghook_error_set("%s: no [rule \"ID\"] section", path);
		goto done;
	}
	for (i = 0; i < nids; i++) {
		if ((error = rule_load(&r, cfg, ids[i], path)) < 0)
			goto done;
		if ((error = rules_put(rules, r)) < 0) {
			rule_free(r);
			goto done;
		}
	}
	error = 0;
done:
	for (i = 0; i < nids; i++)
		free(ids[i]);
	free(ids);
	git_config_iterator_free(it);
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
	char **names = NULL, **grown, *path = NULL;
	size_t n = 0, i, len;
	int error = 0;

	if (!d)
		return sghook_error_set("cannot read rules directory %s: %s",
			dir, strerror(errno));
	while ((de = readdir(d))) {
		len = strlen(de->d_name);
		if (len < 7 || strcmp(de->d_name + len - 6, ".rules"))
			continue;
		if (!(grown = realloc(names, (n + 1) * sizeof(*grown))) ||
		    !(grown[n] = strdup(de->d_name))) {
			names = grown ? grown : names;
			error = sghook_error_set("out of memory");
			goto done;
		}
		names = grown;
		n++;
	}
	if (n == 0) {
		error = sghook_error_set("no *.rules file in %s", dir);
		goto done;
	}
	/* Sorted, so that later files refine earlier ones predictably. */
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n && error == 0; i++) {
		if (asprintf(&path, "%s/%s", dir, names[i]) < 0) {
			path = NULL;
			error = sghook_error_set("out of memory");
			break;
		}
		error = rules_add_file(rules, path);
		free(path);
		path = NULL;
	}
done:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
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
	for (i = 0; i < rules->nkeywords; i++)
		free(rules->keywords[i]);
	rules->nkeywords = 0;
	for (i = 0; i < rules->count; i++)
		for (j = 0; j < rules->items[i]->nkeywords; j++)
			if ((error = add_keyword(&rules->keywords,
			    &rules->nkeywords, rules->items[i]->keywords[j])) < 0)
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

	for (i = 0; i < rules->nkeywords; i++)
		if (memmem(buf, len, rules->keywords[i],
		    strlen(rules->keywords[i])))
			return 1;
	return 0;
}
