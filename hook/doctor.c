/*
 * sghook --doctor: what a hook here would use (the binary, the rules, the
 * hooks git runs, the sghook.* settings), each problem said on a line.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "cli.h"
#include "doctor.h"
#include "push.h"

/*
 * --doctor says what a hook here would use: the binary, the rules, the
 * hooks git runs and the sghook.* settings. It reads and never writes.
 * Every "problem:" line is something that makes sghook refuse every
 * change or quietly not run; any of them makes the exit status 1.
 */
typedef struct {
	int problems;
} doctor;

static void doctor_problem(doctor *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void doctor_problem(doctor *d, const char *fmt, ...)
{
	va_list ap;

	fputs("problem: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	d->problems++;
}

static const struct {
	const char *key;
	char type;           /* b bool, i jobs, p path, s string, t timeout */
	const char *dflt;
} doctor_keys[] = {
	{ "sghook.rules", 'p', "the built-in rules only" },
	{ "sghook.jobs", 'i', "one worker per core, up to 8" },
	{ "sghook.failOpen", 'b', "false" },
	{ "sghook.allowBypass", 'b', "false" },
	{ "sghook.auditLog", 'p', "bypasses are not logged" },
	{ "sghook.timeout", 't', "no time limit" },
	/* install.sh --global: the hooks directory it set. */
	{ "sghook.installedHooksPath", 's', "install.sh set no global hooks directory" },
};

/* libgit2's directory names end in a slash; printed, they do not. */
static int unslashed(const char *dir)
{
	size_t n = strlen(dir);

	return (int)(n > 1 && dir[n - 1] == '/' ? n - 1 : n);
}

static const char *config_level_name(git_config_level_t level)
{
	switch (level) {
	case GIT_CONFIG_LEVEL_PROGRAMDATA: return "programdata";
	case GIT_CONFIG_LEVEL_SYSTEM: return "system";
	case GIT_CONFIG_LEVEL_XDG: return "xdg";
	case GIT_CONFIG_LEVEL_GLOBAL: return "global";
	case GIT_CONFIG_LEVEL_LOCAL: return "local";
	case GIT_CONFIG_LEVEL_APP: return "app";
	default: return "worktree";
	}
}

static void doctor_rules_one(doctor *d, const char *path, const char *how)
{
	sghook_rules *rules = NULL;
	size_t i, n;

	if (sghook_rules_load(&rules, path) < 0) {
		doctor_problem(d, "rules %s (%s): %s; every scan stops with "
			"an error", path, how, sghook_error_last());
		return;
	}
	n = sghook_rules_count(rules);
	printf("rules: %s (%s): %zu %s:", path, how, n,
		cli_plural(n, "rule", "rules"));
	for (i = 0; i < n; i++)
		printf("%s %s", i ? "," : "",
			sghook_rule_id(sghook_rules_get(rules, i)));
	putchar('\n');
	sghook_rules_free(rules);
}

static void doctor_rules(doctor *d, const options *o, git_config *cfg)
{
	char dir[PATH_MAX];
	const char *how;
	git_buf extra = GIT_BUF_INIT;
	size_t i;

	if (cli_default_rules_dir(dir, sizeof(dir), &how) == 0) {
		char real[PATH_MAX];

		doctor_rules_one(d, realpath(dir, real) ? real : dir, how);
	}
	else
		doctor_problem(d, "no built-in rules: none beside the binary, "
			"in its ../share/sghook/rules, or in %s; reinstall "
			"sghook", dir);
	for (i = 0; i < o->nrules; i++)
		doctor_rules_one(d, o->rules[i], "--rules");
	if (cfg && git_config_get_path(&extra, cfg, "sghook.rules") == 0)
		doctor_rules_one(d, extra.ptr, "git config sghook.rules");
	git_buf_dispose(&extra);
}

/* The first executable `name` in PATH, as the hook scripts look it up. */
static int find_in_path(char *out, size_t n, const char *name)
{
	const char *path = getenv("PATH"), *p, *end;
	struct stat st;

	for (p = path; p && *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, ':');
		snprintf(out, n, "%.*s/%s", (int)(end - p),
			end == p ? "." : p, name);
		if (end == p)
			snprintf(out, n, "./%s", name);
		if (stat(out, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(out, X_OK) == 0)
			return 0;
	}
	return -1;
}

/* Reads at most 1 MiB of a file into a string; NULL when unreadable. */
static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t len;

	if (!fp)
		return NULL;
	if (!(buf = malloc((1 << 20) + 1))) {
		fclose(fp);
		return NULL;
	}
	len = fread(buf, 1, 1 << 20, fp);
	buf[len] = '\0';
	fclose(fp);
	return buf;
}

/* The path install.sh baked into one of its hooks (SGHOOK='...'). */
static void baked_path(char *out, size_t n, const char *hook)
{
	const char *p = strstr(hook, "\nSGHOOK='"), *end;

	out[0] = '\0';
	if (p && (end = strchr(p + 9, '\'')))
		snprintf(out, n, "%.*s", (int)(end - p - 9), p + 9);
}

/* True when a line of a YAML file is `id: ID` (a list item or not). */
static int yaml_has_id(const char *text, const char *id)
{
	const char *p = text, *end;
	size_t n = strlen(id);

	for (; p && *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, '\n');
		while (*p == ' ' || *p == '\t' || *p == '-')
			p++;
		if (strncmp(p, "id:", 3))
			continue;
		for (p += 3; *p == ' ' || *p == '\t'; p++)
			;
		if (*p == '"' || *p == '\'')
			p++;
		if (!strncmp(p, id, n) && strchr("\"' \t\r\n#", p[n]))
			return 1;
	}
	return 0;
}

/*
 * A hook `pre-commit install` wrote runs the framework's hooks of its own
 * stage: say whether the project's config lists sghook's hook for it
 * (the ids of .pre-commit-hooks.yaml).
 */
static void doctor_framework(const char *name, const char *label,
	const char *path, const char *worktree)
{
	char cfgpath[PATH_MAX], *cfgtext;
	const char *id = !strcmp(name, "pre-push") ? "sghook-pre-push" :
		!strcmp(name, "commit-msg") ? "sghook-commit-msg" : "sghook";

	snprintf(cfgpath, sizeof(cfgpath), "%.*s/.pre-commit-config.yaml",
		worktree ? unslashed(worktree) : 1, worktree ? worktree : ".");
	if (!(cfgtext = slurp(cfgpath)))
		printf("hook %s: the pre-commit framework's, but %s cannot be "
			"read (%s)\n", label, cfgpath, path);
	else if (yaml_has_id(cfgtext, id))
		printf("hook %s: the pre-commit framework's, and %s lists "
			"sghook's hook %s (%s)\n", label, cfgpath, id, path);
	else
		printf("hook %s: the pre-commit framework's; %s does not list "
			"sghook's hook %s (%s)\n", label, cfgpath, id, path);
	free(cfgtext);
}

static void doctor_hook(doctor *d, const char *dir, const char *name,
	const char *label, const char *worktree)
{
	char path[PATH_MAX], bin[PATH_MAX], found[PATH_MAX + 32], *text = NULL;
	struct stat st;
	int executable;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (lstat(path, &st) < 0) {
		printf("hook %s: not installed\n", label);
		return;
	}
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
		printf("hook %s: %s is not a file: git cannot run it\n", label,
			path);
		return;
	}
	executable = access(path, X_OK) == 0;
	if (!(text = slurp(path))) {
		doctor_problem(d, "hook %s: cannot read %s: %s", label, path,
			strerror(errno));
		return;
	}
	if (strstr(text, "# sghook-managed-hook")) {
		baked_path(bin, sizeof(bin), text);
		if (*bin && access(bin, X_OK) == 0)
			printf("hook %s: calls sghook %s (%s, installed by "
				"install.sh)\n", label, bin, path);
		else if (find_in_path(found, sizeof(found), "sghook") == 0)
			printf("hook %s: calls sghook %s, found in PATH%s%s%s "
				"(%s, installed by install.sh)\n", label, found,
				*bin ? "; the one it was installed with, " : "",
				bin, *bin ? ", is gone" : "", path);
		else
			doctor_problem(d, "hook %s: %s calls sghook, which is "
				"%s%s%snot in PATH: git refuses every change; "
				"run install.sh again", label, path,
				*bin ? "not at " : "", bin, *bin ? " and " : "");
		snprintf(found, sizeof(found), "%s.sghook-chained", path);
		if (access(found, F_OK) == 0)
			printf("hook %s: runs %s first\n", label, found);
	} else if (strstr(text, "pre-commit.com")) {
		doctor_framework(name, label, path, worktree);
	} else if (strstr(text, "sghook")) {
		printf("hook %s: a hook of its own that mentions sghook (%s)\n",
			label, path);
	} else {
		printf("hook %s: does not call sghook (%s)\n", label, path);
	}
	if (!executable) {
		if (strstr(text, "sghook"))
			doctor_problem(d, "hook %s: %s is not executable, so "
				"git skips it: chmod +x it", label, path);
		else
			printf("hook %s: not executable, so git skips it\n",
				label);
	}
	free(text);
}

/* Where git runs hooks from: core.hooksPath or the common dir's hooks/. */
static void doctor_hooks(doctor *d, git_repository *repo, git_config *cfg)
{
	static const char *client[] = { "pre-commit", "commit-msg", "pre-push" };
	char dir[PATH_MAX], sub[PATH_MAX];
	const char *worktree = git_repository_workdir(repo);
	const char *common = git_repository_commondir(repo);
	git_buf hp = GIT_BUF_INIT;
	size_t i;

	if (git_config_get_path(&hp, cfg, "core.hooksPath") == 0 && *hp.ptr) {
		/* A relative one is relative to where hooks run (githooks(5)). */
		if (hp.ptr[0] == '/')
			snprintf(dir, sizeof(dir), "%s", hp.ptr);
		else
			snprintf(dir, sizeof(dir), "%s%s", worktree ? worktree :
				git_repository_path(repo), hp.ptr);
		printf("hooks: %s (core.hooksPath)\n", dir);
	} else {
		snprintf(dir, sizeof(dir), "%shooks", common);
		printf("hooks: %s\n", dir);
	}
	git_buf_dispose(&hp);
	if (!cli_is_dir(dir))
		printf("hooks: %s does not exist\n", dir);
	if (!git_repository_is_bare(repo)) {
		for (i = 0; i < sizeof(client) / sizeof(*client); i++)
			doctor_hook(d, dir, client[i], client[i], worktree);
		return;
	}
	doctor_hook(d, dir, "pre-receive", "pre-receive", NULL);
	/* GitLab runs custom_hooks/pre-receive and each file of pre-receive.d. */
	snprintf(sub, sizeof(sub), "%scustom_hooks", common);
	if (cli_is_dir(sub)) {
		DIR *dp;
		struct dirent *de;

		doctor_hook(d, sub, "pre-receive", "custom_hooks/pre-receive",
			NULL);
		snprintf(sub, sizeof(sub), "%scustom_hooks/pre-receive.d",
			common);
		if ((dp = opendir(sub))) {
			while ((de = readdir(dp))) {
				char label[300];

				if (de->d_name[0] == '.')
					continue;
				snprintf(label, sizeof(label),
					"custom_hooks/pre-receive.d/%s",
					de->d_name);
				doctor_hook(d, sub, de->d_name, label, NULL);
			}
			closedir(dp);
		}
	}
}

static int doctor_known_key(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(doctor_keys) / sizeof(*doctor_keys); i++)
		if (!strcasecmp(name, doctor_keys[i].key))
			return 1;
	return 0;
}

static void doctor_config(doctor *d, git_config *cfg)
{
	git_config_iterator *it = NULL;
	git_config_entry *e;
	size_t i;
	int32_t n;
	double secs;
	int b;

	for (i = 0; i < sizeof(doctor_keys) / sizeof(*doctor_keys); i++) {
		const char *key = doctor_keys[i].key;
		git_config_entry *entry = NULL;

		if (git_config_get_entry(&entry, cfg, key) < 0) {
			printf("config %s: not set: %s\n", key,
				doctor_keys[i].dflt);
			continue;
		}
		printf("config %s: %s (%s config)\n", key, entry->value,
			config_level_name(entry->level));
		if (doctor_keys[i].type == 'b' &&
		    git_config_parse_bool(&b, entry->value) < 0)
			doctor_problem(d, "config %s: '%s' is not a boolean, "
				"so sghook takes %s; use true or false", key,
				entry->value, doctor_keys[i].dflt);
		if (doctor_keys[i].type == 'i' &&
		    (git_config_parse_int32(&n, entry->value) < 0 || n < 1 ||
		    n > CLI_MAX_JOBS))
			doctor_problem(d, "config %s: '%s' is not a number "
				"from 1 to %d; every scan stops with an error",
				key, entry->value, CLI_MAX_JOBS);
		if (doctor_keys[i].type == 't' &&
		    push_timeout_parse(&secs, entry->value) < 0)
			doctor_problem(d, "config %s: %s; every push stops "
				"with an error", key, sghook_error_last());
		git_config_entry_free(entry);
	}
	/*
	 * Every entry, filtered here: libgit2 1.5's glob iterator leaks a
	 * PCRE2 match block for each entry its pattern does not match.
	 */
	if (git_config_iterator_new(&it, cfg) < 0)
		return;
	while (git_config_next(&e, it) == 0)
		if (!strncasecmp(e->name, "sghook.", 7) &&
		    !doctor_known_key(e->name))
			doctor_problem(d, "config %s (%s config): sghook has "
				"no such setting; see sghook(1)", e->name,
				config_level_name(e->level));
	git_config_iterator_free(it);
}

int doctor_run(const options *o)
{
	doctor d = { 0 };
	git_repository *repo = NULL;
	git_config *cfg = NULL, *all = NULL;
	char exe[PATH_MAX];
	ssize_t len;

	if (o->nargs) {
		cli_warnx("--doctor takes no arguments; run it in the repository "
			"to look at");
		return EXIT_ERROR;
	}
	cli_version();
	if ((len = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0) {
		exe[len] = '\0';
		printf("binary: %s\n", exe);
	}
	if (cli_open_repo(&repo) < 0) {
		printf("repository: none (%s)\n", sghook_error_last());
		/* The user's and the system's settings still apply. */
		if (git_config_open_default(&all) == 0)
			git_config_snapshot(&cfg, all);
	} else {
		if (git_repository_config_snapshot(&cfg, repo) < 0)
			doctor_problem(&d, "cannot read git config: %s",
				git_error_last() ? git_error_last()->message :
				"unknown error");
		if (git_repository_is_bare(repo))
			printf("repository: %.*s (bare)\n",
				unslashed(git_repository_path(repo)),
				git_repository_path(repo));
		else
			printf("repository: %.*s (work tree %.*s)\n",
				unslashed(git_repository_path(repo)),
				git_repository_path(repo),
				unslashed(git_repository_workdir(repo)),
				git_repository_workdir(repo));
	}
	doctor_rules(&d, o, cfg);
	if (repo && cfg)
		doctor_hooks(&d, repo, cfg);
	if (cfg)
		doctor_config(&d, cfg);
	if (d.problems)
		printf("%d %s\n", d.problems, cli_plural((size_t)d.problems,
			"problem", "problems"));
	else
		printf("no problems\n");
	git_config_free(cfg);
	git_config_free(all);
	git_repository_free(repo);
	return d.problems ? EXIT_FOUND : EXIT_CLEAN;
}
