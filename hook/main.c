/*
 * sghook: keep Segment Public API tokens out of git history.
 *
 * This file is the command line and the policy of the commit modes: which
 * mode, what blocks, where messages go, failing closed. The push hooks are
 * push.c; what the two share is cli.h. The engine is lib/ (lib/sghook.h).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fts.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "sghook.h"
#include "array.h"
#include "cli.h"
#include "doctor.h"
#include "push.h"
/* libgit2 1.8 moved git_error_clear() to the headers for extensions. */
#if LIBGIT2_VER_MAJOR > 1 || LIBGIT2_VER_MINOR >= 8
#include <git2/sys/errors.h>
#endif

#ifndef SGHOOK_WINDOW
#define SGHOOK_WINDOW 16    /* MiB: one mapped window of a pack */
#endif
#ifndef SGHOOK_WINDOWS
#define SGHOOK_WINDOWS 48   /* MiB: all mapped windows */
#endif
#ifndef SGHOOK_LIBGIT2_SOURCE
#define SGHOOK_LIBGIT2_SOURCE "system"
#endif
#ifndef SGHOOK_RULESDIR
#define SGHOOK_RULESDIR "/usr/local/share/sghook/rules"
#endif


static void usage(FILE *fp)
{
	fputs(
"usage: sghook --pre-commit [options]\n"
"       sghook --commit-msg FILE [options]      the message file git passes\n"
"       sghook --check-range REV... [options]\n"
"       sghook --pre-receive [options]          < old new ref lines\n"
"       sghook --pre-push REMOTE URL [options]  < local-ref local-id remote-ref remote-id lines\n"
"       sghook --scan FILE|DIR... [options]     (- reads standard input)\n"
"       sghook --doctor [--rules PATH]          what is installed and in effect here\n"
"\n"
"Finds Segment Public API tokens (and other sgp_ secrets) in what a change\n"
"adds, and refuses the change.\n"
"\n"
"options:\n"
"  --format text|json|sarif  how findings are written (default text)\n"
"  --rules PATH              more rules: a *.rules file or a directory\n"
"  --no-redact               show whole secrets (local use only)\n"
"  --color auto|always|never colour text findings (default auto)\n"
"  --jobs N                  worker processes (default: one per core, up to 8)\n"
"  --quiet                   no summary line after a clean --check-range\n"
"  --baseline FILE           accept the findings of an earlier --format json\n"
"                            report (--check-range, --scan)\n"
"  --help, --version\n"
"\n"
"exit status: 0 nothing found, 1 a secret found, 2 error (the change is refused)\n",
		fp);
}

/*
 * What the binary carries, for bug reports and for an administrator who
 * must know whether shallow clones can be judged.
 */
void cli_version(void)
{
	int major, minor, rev, features;
	uint32_t jit = 0;

	git_libgit2_version(&major, &minor, &rev);
	features = git_libgit2_features();
	(void)pcre2_config(PCRE2_CONFIG_JIT, &jit);
	printf("sghook %s\n", SGHOOK_VERSION);
	printf("libgit2 %d.%d.%d (%s%s; threads %s, https %s, ssh %s)\n",
		major, minor, rev,
		strcmp(SGHOOK_LIBGIT2_SOURCE, "system") ?
			"built from Debian source " : "",
		strcmp(SGHOOK_LIBGIT2_SOURCE, "system") ?
			SGHOOK_LIBGIT2_SOURCE : "the system's",
		(features & GIT_FEATURE_THREADS) ? "on" : "off",
		(features & GIT_FEATURE_HTTPS) ? "on" : "off",
		(features & GIT_FEATURE_SSH) ? "on" : "off");
	printf("PCRE2 %d.%d (JIT %s)\n", PCRE2_MAJOR, PCRE2_MINOR,
		jit ? "on" : "off");
	printf("shallow clones %s\n", sghook_walk_shallow_supported() ?
		"supported" : "not supported (libgit2 before 1.7)");
}

void cli_warnx(const char *fmt, ...)
{
	va_list ap;

	fputs("sghook: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- rules ------------------------------------------------------------ */

static int exe_dir(char *out, size_t n)
{
	ssize_t len = readlink("/proc/self/exe", out, n - 1);
	char *slash;

	if (len <= 0)
		return -1;
	out[len] = '\0';
	if (!(slash = strrchr(out, '/')))
		return -1;
	*slash = '\0';
	return 0;
}

int cli_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * Our own rules: beside the binary in a build tree, under ../share of a
 * relocated install, or where `make install` put them.
 */
int cli_default_rules_dir(char *out, size_t n, const char **how)
{
	char dir[PATH_MAX - 32];

	if (exe_dir(dir, sizeof(dir)) == 0) {
		*how = "beside the binary";
		snprintf(out, n, "%s/rules", dir);
		if (cli_is_dir(out))
			return 0;
		*how = "in the binary's ../share/sghook";
		snprintf(out, n, "%s/../share/sghook/rules", dir);
		if (cli_is_dir(out))
			return 0;
	}
	*how = "where make install put them";
	snprintf(out, n, "%s", SGHOOK_RULESDIR);
	return cli_is_dir(out) ? 0 : -1;
}

static int load_rules(sghook_rules **out, const options *o, git_config *cfg)
{
	char dir[PATH_MAX];
	const char *how;
	git_buf extra = GIT_BUF_INIT;
	sghook_rules *rules = NULL;
	size_t i;
	int error = 0, have_default = cli_default_rules_dir(dir, sizeof(dir),
		&how) == 0;

	if (!have_default && o->nrules == 0)
		return sghook_error_set("no rules found (looked beside the "
			"binary and in %s); reinstall sghook or pass --rules "
			"PATH", SGHOOK_RULESDIR);
	if (have_default)
		error = sghook_rules_load(&rules, dir);
	for (i = 0; i < o->nrules && error == 0; i++)
		error = rules ? sghook_rules_add(rules, o->rules[i]) :
			sghook_rules_load(&rules, o->rules[i]);
	if (error == 0 && cfg &&
	    git_config_get_path(&extra, cfg, "sghook.rules") == 0)
		error = rules ? sghook_rules_add(rules, extra.ptr) :
			sghook_rules_load(&rules, extra.ptr);
	git_buf_dispose(&extra);
	if (error < 0) {
		sghook_rules_free(rules);
		return error;
	}
	*out = rules;
	return 0;
}

/* ---- reporting -------------------------------------------------------- */

static int want_color(const options *o, FILE *fp)
{
	const char *term = getenv("TERM");

	if (o->color >= 0)
		return o->color;
	return isatty(fileno(fp)) && !getenv("NO_COLOR") &&
		!(term && !strcmp(term, "dumb"));
}

size_t cli_distinct_commits(const sghook_findings *l)
{
	size_t i, j, n = 0;

	for (i = 0; i < l->count; i++) {
		for (j = 0; j < i; j++)
			if (git_oid_equal(&l->items[j].commit,
			    &l->items[i].commit))
				break;
		/* A tag message's id is the tag's, not a commit's. */
		n += j == i && l->items[i].has_commit &&
			l->items[i].source != SGHOOK_SOURCE_TAG_MESSAGE;
	}
	return n;
}

/*
 * Hook modes write to stderr (git shows it; on a server it becomes the
 * pusher's `remote:` lines); reports asked for by hand go to stdout.
 */
int cli_report(const options *o, const sghook_findings *l, FILE *fp,
	const char *headline, const char *advice)
{
	sghook_report_opts ro = { o->format, o->redact, 0, 0 };

	if (o->format != SGHOOK_FORMAT_TEXT)
		return sghook_report_write(stdout, l, &ro);
	if (l->count == 0)
		return 0;
	ro.color = want_color(o, fp);
	fprintf(fp, "%s%s%s\n\n", ro.color ? "\033[1;31m" : "", headline,
		ro.color ? "\033[0m" : "");
	if (sghook_report_write(fp, l, &ro) < 0)
		return SGHOOK_ERROR;
	/* What to do now comes before what to do about the token itself. */
	if (advice)
		fprintf(fp, "\n%s", advice);
	fputs(advice ? "" : "\n", fp);
	fputs("A false positive? Add its fingerprint to .sghookignore, or end "
	      "the line with a\ncomment holding sghook:allow.\n", fp);
	if (sghook_report_remediation(fp, l) < 0)
		return SGHOOK_ERROR;
	return fflush(fp) || ferror(fp) ?
		sghook_error_set("cannot write the report") : 0;
}

/* Whether a finding is in a commit or tag message. */
int cli_has_message(const sghook_findings *l)
{
	size_t i;

	for (i = 0; i < l->count; i++)
		if (l->items[i].source != SGHOOK_SOURCE_FILE)
			return 1;
	return 0;
}

const char *cli_plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* ---- repository ------------------------------------------------------- */

/*
 * Git's own environment decides which repository, index and object
 * directories: GIT_DIR and GIT_INDEX_FILE in hooks, and in pre-receive
 * the quarantine of objects not yet accepted (GIT_OBJECT_DIRECTORY,
 * GIT_ALTERNATE_OBJECT_DIRECTORIES).
 */
/*
 * A repository another user owns: say what git says, and its fix (libgit2
 * 1.5 reports only the safe.directory lookup that failed).
 */
static int owner_error(void)
{
	git_buf found = GIT_BUF_INIT;
	const char *env = getenv("GIT_DIR");
	char *dir = NULL;
	size_t n;
	int error;

	if (env && *env)
		dir = realpath(env, NULL);
	else if (git_repository_discover(&found, ".", 0, NULL) == 0)
		dir = strdup(found.ptr);
	if (dir) {
		n = strlen(dir);
		if (n > 1 && dir[n - 1] == '/')
			dir[--n] = '\0';
		/* A work tree's .git: git names the work tree. */
		if (n > 5 && !strcmp(dir + n - 5, "/.git"))
			dir[n - 5] = '\0';
	}
	error = sghook_error_set("detected dubious ownership in repository "
		"at '%s': it belongs to another user. If you trust it: git "
		"config --global --add safe.directory %s",
		dir ? dir : ".", dir ? dir : "DIR");
	free(dir);
	git_buf_dispose(&found);
	return error;
}

/*
 * libgit2 1.5 refuses a repository of another user with no class
 * of its own: the lookup of safe.directory that found nothing leaks out
 * as a config error, GIT_ENOTFOUND, and only its text names the key.
 */
static int owner_lookup_failed(int error, const git_error *e)
{
	return error == GIT_ENOTFOUND && e && e->klass == GIT_ERROR_CONFIG &&
		e->message && strstr(e->message, "'safe.directory'");
}

int cli_open_repo(git_repository **out)
{
	char *worktree = getenv("GIT_WORK_TREE");
	int error = 0;

	/*
	 * libgit2 1.5 refuses GIT_WORK_TREE in this mode; sghook reads only
	 * the index and objects, so it sets the work tree itself. The
	 * variable goes for this process alone, which starts no other.
	 */
	if (worktree && !(worktree = strdup(worktree)))
		return sghook_error_set("out of memory");
	if (worktree)
		unsetenv("GIT_WORK_TREE");
	if ((error = git_repository_open_ext(out, NULL,
	    GIT_REPOSITORY_OPEN_FROM_ENV, NULL)) < 0) {
		const git_error *e = git_error_last();

		if (error == GIT_EOWNER || owner_lookup_failed(error, e))
			error = owner_error();
		/* The index is read on opening when GIT_INDEX_FILE is set. */
		else if (e && e->klass == GIT_ERROR_INDEX)
			error = sghook_error_from_git("cannot read the index");
		else
			error = sghook_error_from_git("not in a git repository");
	}
	else if (worktree && git_repository_set_workdir(*out, worktree, 0) < 0)
		error = sghook_error_from_git(worktree);
	free(worktree);
	return error;
}
/* What to do when libgit2 cannot read an index git wrote. */
static const char *index_advice(void)
{
	return sghook_error_code() == SGHOOK_EUNSUPPORTED ?
		"; sghook cannot read split or sparse indexes: turn them off "
		"with 'git config core.splitIndex false && git update-index "
		"--no-split-index' or 'git sparse-checkout init "
		"--no-sparse-index'" : "";
}

int cli_config_bool(git_config *cfg, const char *key, int dflt)
{
	int v;

	return cfg && git_config_get_bool(&v, cfg, key) == 0 ? v : dflt;
}

/*
 * Workers when neither --jobs nor sghook.jobs says: one per core, at most
 * eight. Each holds caches of its own (about 20 MiB on a large push), and
 * a server runs many hooks at once.
 */
#define DEFAULT_JOBS_CAP 8

static int resolve_jobs(options *o, git_config *cfg)
{
	int32_t n;
	long cores;
	int error;

	if (o->jobs)
		return 0;
	error = cfg ? git_config_get_int32(&n, cfg, "sghook.jobs") :
		GIT_ENOTFOUND;
	if (error == 0 && (n < 1 || n > CLI_MAX_JOBS))
		return sghook_error_set("sghook.jobs must be a number from 1 "
			"to %d, not %d", CLI_MAX_JOBS, (int)n);
	if (error == 0) {
		o->jobs = (int)n;
		return 0;
	}
	if (error != GIT_ENOTFOUND)
		return sghook_error_from_git("sghook.jobs");
	cores = sysconf(_SC_NPROCESSORS_ONLN);
	o->jobs = cores < 1 ? 1 : cores > DEFAULT_JOBS_CAP ?
		DEFAULT_JOBS_CAP : (int)cores;
	return 0;
}

static void progress(const char *what, size_t done, size_t total,
	void *payload)
{
	int *last = payload;
	int pct = (int)(done * 100 / (total ? total : 1));

	if (pct == *last && done != total)
		return;
	*last = done == total ? -1 : pct;
	fprintf(stderr, "\r%s: %d%% (%zu/%zu)%s", what, pct, done, total,
		done == total ? ", done.\n" : "");
}

void cli_scan_opts_init(sghook_scan_opts *so, const options *o,
	const sghook_rules *rules)
{
	const char *jit = getenv("SGHOOK_JIT");
	const char *strategy = getenv("SGHOOK_STRATEGY");

	memset(so, 0, sizeof(*so));
	so->rules = rules;
	so->jobs = o->jobs;
	so->use_ignore_file = 1;
	/* SGHOOK_JIT=0, for memory checkers: see sghook_matcher_use_jit(). */
	so->no_jit = jit && !strcmp(jit, "0");
	/*
	 * SGHOOK_STRATEGY=list|diff, for the tests that check that both ways
	 * of judging commits find the same, and for measuring them.
	 */
	if (strategy && !strcmp(strategy, "list"))
		so->strategy = SGHOOK_SCAN_LIST;
	else if (strategy && !strcmp(strategy, "diff"))
		so->strategy = SGHOOK_SCAN_DIFF;
}

/* ---- .sghookignore ----------------------------------------------------- */

/* Lines of one .sghookignore blob that sghook cannot use, on stderr. */
static void warn_ignore_blob(git_repository *repo, const git_oid *id,
	const char *where)
{
	git_blob *blob = NULL;
	sghook_ignore *ig = NULL;
	const char *why;
	size_t i, line;

	if (git_blob_lookup(&blob, repo, id) < 0 ||
	    sghook_ignore_parse(&ig, git_blob_rawcontent(blob),
	    (size_t)git_blob_rawsize(blob)) < 0)
		goto done;
	for (i = 0; (why = sghook_ignore_problem(ig, i, &line)); i++)
		cli_warnx("%s:%zu: %s; the line allows nothing", where, line, why);
done:
	sghook_ignore_free(ig);
	git_blob_free(blob);
}

/*
 * When a commit is refused, what may explain a false positive that was
 * meant to be allowed: unusable lines of the staged .sghookignore, and a
 * version of it in the work tree that is not staged.
 */
static void warn_ignore_index(git_repository *repo)
{
	git_index *index = NULL;
	const git_index_entry *e;
	unsigned int st = 0;

	if (git_repository_index(&index, repo) < 0)
		return;
	if ((e = git_index_get_bypath(index, ".sghookignore", 0)))
		warn_ignore_blob(repo, &e->id, ".sghookignore");
	if (git_status_file(&st, repo, ".sghookignore") == 0) {
		if (st & GIT_STATUS_WT_NEW)
			cli_warnx(".sghookignore is not staged, and sghook reads "
				"the staged version: git add .sghookignore");
		else if (st & GIT_STATUS_WT_MODIFIED)
			cli_warnx(".sghookignore has changes that are not staged, "
				"and sghook reads the staged version: git add "
				".sghookignore");
	}
	git_index_free(index);
}

/* The same for the .sghookignore of each commit that holds findings. */
void cli_warn_ignore_commits(git_repository *repo,
	const sghook_findings *l)
{
	git_oid seen[16];
	size_t nseen = 0, i, j;
	git_commit *c;
	git_tree *tree;
	git_tree_entry *te;
	char where[64], hex[GIT_OID_HEXSZ + 1];

	for (i = 0; i < l->count && nseen < 16; i++) {
		if (!l->items[i].has_commit)
			continue;
		c = NULL;
		tree = NULL;
		te = NULL;
		if (git_commit_lookup(&c, repo, &l->items[i].commit) == 0 &&
		    git_commit_tree(&tree, c) == 0 &&
		    git_tree_entry_bypath(&te, tree, ".sghookignore") == 0) {
			for (j = 0; j < nseen && !git_oid_equal(&seen[j],
			    git_tree_entry_id(te)); j++)
				;
			if (j == nseen) {
				git_oid_cpy(&seen[nseen++], git_tree_entry_id(te));
				git_oid_tostr(hex, 8, &l->items[i].commit);
				snprintf(where, sizeof(where),
					"%s:.sghookignore", hex);
				warn_ignore_blob(repo, git_tree_entry_id(te),
					where);
			}
		}
		git_tree_entry_free(te);
		git_tree_free(tree);
		git_commit_free(c);
	}
}

/*
 * SGHOOK_TRACE=1 (stderr) or SGHOOK_TRACE=/absolute/file: one line for
 * each choice the engine makes, as GIT_TRACE does for git.
 */
static struct timespec trace_t0;

static void trace_line(const char *msg, void *payload)
{
	FILE *fp = payload;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	fprintf(fp, "sghook trace: %s (at %.3f s)\n", msg,
		(double)(now.tv_sec - trace_t0.tv_sec) +
		(double)(now.tv_nsec - trace_t0.tv_nsec) / 1e9);
	fflush(fp);
}

static void trace_start(void)
{
	const char *t = getenv("SGHOOK_TRACE");
	FILE *fp = NULL;

	if (!t || !*t || !strcmp(t, "0"))
		return;
	if (t[0] == '/')
		fp = fopen(t, "a");
	else if (!strcmp(t, "1"))
		fp = stderr;
	clock_gettime(CLOCK_MONOTONIC, &trace_t0);
	if (fp)
		sghook_trace_set(trace_line, fp);
}

/* ---- modes ------------------------------------------------------------ */

/* A path as the shell reads it: quoted when it holds anything unusual. */
static void shell_word(FILE *fp, const char *s)
{
	const unsigned char *p;

	if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_-./+,@%:=") == strlen(s) && *s != '-') {
		fputs(s, fp);
		return;
	}
	/*
	 * A control byte must not reach the terminal raw (an escape sequence
	 * could rewrite the screen): such a path is spelt in bash's $'...',
	 * every byte outside printable ASCII in octal.
	 */
	for (p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p >= 0x7f)
			break;
	if (*p) {
		fputs("$'", fp);
		for (p = (const unsigned char *)s; *p; p++) {
			if (*p == '\'' || *p == '\\')
				fprintf(fp, "\\%c", *p);
			else if (*p < 0x20 || *p >= 0x7f)
				fprintf(fp, "\\%03o", *p);
			else
				fputc(*p, fp);
		}
		fputc('\'', fp);
		return;
	}
	fputc('\'', fp);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", fp);
		else
			fputc(*s, fp);
	}
	fputc('\'', fp);
}

/*
 * The next step, with the very command that unstages the files found
 * (a few of them: a long list helps nobody).
 */
static char *commit_advice(const sghook_findings *l, int unborn)
{
	char *out = NULL;
	size_t len = 0, i, j, shown = 0;
	FILE *fp = open_memstream(&out, &len);

	if (!fp)
		return NULL;
	/* Before the first commit there is no HEAD to restore from. */
	fprintf(fp, "Next: take the token out of the file (read it from the "
	      "environment, e.g.\nSEGMENT_API_TOKEN) and stage the file again, "
	      "or unstage it:\n  %s", unborn ? "git rm --cached" :
	      "git restore --staged");
	for (i = 0; i < l->count; i++) {
		for (j = 0; j < i && strcmp(l->items[j].path,
		    l->items[i].path); j++)
			;
		if (j < i)
			continue;
		if (++shown > 4) {
			fputs(" ...", fp);
			break;
		}
		fputc(' ', fp);
		if (l->items[i].path[0] == '-')
			fputs("-- ", fp);
		shell_word(fp, l->items[i].path);
	}
	fputc('\n', fp);
	if (fclose(fp) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

static int run_pre_commit(const options *o, git_repository *repo,
	const sghook_rules *rules)
{
	sghook_scan_opts so;
	sghook_findings found = {0};
	char head[128], *advice = NULL;
	int rc = EXIT_ERROR;

	if (git_repository_is_bare(repo)) {
		cli_warnx("--pre-commit needs a work tree; this repository is bare");
		return EXIT_ERROR;
	}
	cli_scan_opts_init(&so, o, rules);
	so.index_path = o->index_file;
	if (sghook_scan_index(&found, repo, &so) < 0)
		goto done;
	snprintf(head, sizeof(head), "sghook: commit refused: it would add "
		"%zu %s", found.count, cli_plural(found.count, "secret", "secrets"));
	if (found.count && !(advice = commit_advice(&found,
	    git_repository_head_unborn(repo) == 1))) {
		sghook_error_set("out of memory");
		goto done;
	}
	if (cli_report(o, &found, stderr, head, advice) < 0)
		goto done;
	if (found.count)
		warn_ignore_index(repo);
	rc = found.count ? EXIT_FOUND : EXIT_CLEAN;
done:
	if (rc == EXIT_ERROR)
		cli_warnx("%s%s; commit refused", sghook_error_last(),
			index_advice());
	free(advice);
	sghook_findings_clear(&found);
	return rc;
}

static int read_all(char **out, size_t *outlen, FILE *fp);

/*
 * git's comment string, as the commit-msg hook sees the message:
 * core.commentString (git 2.45 and later), else core.commentChar; NULL
 * for "#". With "auto" git picks a character the message does not start
 * a line with, which the hook cannot know: "#", git's first choice.
 */
static char *comment_string(git_config *cfg)
{
	static const char *keys[] = { "core.commentString", "core.commentChar" };
	git_buf v = GIT_BUF_INIT;
	char *out = NULL;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(*keys) && !out; i++) {
		if (cfg && git_config_get_string_buf(&v, cfg, keys[i]) == 0 &&
		    *v.ptr && strcmp(v.ptr, "auto"))
			out = strdup(v.ptr);
		git_buf_dispose(&v);
	}
	git_error_clear();
	return out;
}

/*
 * The staged .sghookignore allows message findings by fingerprint, as it
 * allows those of the files. When it cannot be read, nothing is allowed.
 */
static void commit_msg_ignore(git_repository *repo, const char *index_path,
	sghook_findings *l)
{
	git_index *index = NULL;
	git_blob *blob = NULL;
	sghook_ignore *ig = NULL;
	const git_index_entry *e;
	size_t i, kept = 0;

	if (l->count == 0 || (index_path ?
	    git_index_open(&index, index_path) < 0 :
	    git_repository_index(&index, repo) < 0) ||
	    !(e = git_index_get_bypath(index, ".sghookignore", 0)) ||
	    git_blob_lookup(&blob, repo, &e->id) < 0 ||
	    sghook_ignore_parse(&ig, git_blob_rawcontent(blob),
	    (size_t)git_blob_rawsize(blob)) < 0)
		goto done;
	for (i = 0; i < l->count; i++) {
		if (sghook_ignore_allows(ig, NULL, l->items[i].fingerprint)) {
			free(l->items[i].path);
			free(l->items[i].secret);
		} else {
			l->items[kept++] = l->items[i];
		}
	}
	l->count = kept;
done:
	git_error_clear();
	sghook_ignore_free(ig);
	git_blob_free(blob);
	git_index_free(index);
}

/* The whole of the message file at `path`. */
static int read_message(char **buf, size_t *len, const char *path)
{
	FILE *fp;
	int error;

	if (!(fp = fopen(path, "rb")))
		return sghook_error_set("cannot read %s: %s", path,
			strerror(errno));
	error = read_all(buf, len, fp);
	fclose(fp);
	return error;
}

/*
 * A refused commit is not made, and git keeps the message file: the
 * advice gives the command that takes it up again in the editor (with
 * -v when the file holds a diff below the scissors line, so that git
 * drops it again).
 */
static char *commit_msg_advice(const char *path, int cut)
{
	char *advice = NULL;
	size_t len = 0;
	FILE *fp;

	if (!(fp = open_memstream(&advice, &len)))
		return NULL;
	fputs("Next: the commit was not made, and what was staged is "
	      "still staged. git kept\nthe message in ", fp);
	shell_word(fp, path);
	fputs(": commit again and take the token out of the\nmessage "
	      "in the editor that opens:\n  git commit ", fp);
	fputs(cut ? "-v -e -F " : "-e -F ", fp);
	if (path[0] == '-')
		fputs("./", fp);
	shell_word(fp, path);
	fputc('\n', fp);
	if (fclose(fp) != 0) {
		free(advice);
		return NULL;
	}
	return advice;
}

/*
 * The findings of the message as git will record it: stripped of its
 * comments (and of what lies below a scissors line: *cut), less what the
 * staged .sghookignore allows.
 */
static int scan_message(sghook_findings *found, int *cut, const options *o,
	git_repository *repo, const sghook_rules *rules, git_config *cfg)
{
	sghook_scan_opts so;
	char *buf = NULL, *msg = NULL, *comment = NULL;
	size_t len = 0, mlen = 0;
	int error;

	if ((error = read_message(&buf, &len, o->args[0])) < 0)
		goto done;
	comment = comment_string(cfg);
	if ((error = sghook_message_strip(&msg, &mlen, cut, buf, len,
	    comment)) < 0)
		goto done;
	cli_scan_opts_init(&so, o, rules);
	if ((error = sghook_message_scan(found, msg, mlen,
	    SGHOOK_SOURCE_COMMIT_MESSAGE, NULL, &so)) < 0)
		goto done;
	commit_msg_ignore(repo, o->index_file, found);
done:
	free(comment);
	free(msg);
	free(buf);
	return error;
}

/* git's commit-msg hook: the message file it passes. */
static int run_commit_msg(const options *o, git_repository *repo,
	const sghook_rules *rules, git_config *cfg)
{
	sghook_findings found = {0};
	char head[128], *advice = NULL;
	int rc = EXIT_ERROR, cut = 0;

	if (o->nargs != 1) {
		cli_warnx("--commit-msg takes the message file, as git passes it "
			"to the commit-msg hook");
		return EXIT_ERROR;
	}
	if (scan_message(&found, &cut, o, repo, rules, cfg) < 0)
		goto done;
	snprintf(head, sizeof(head), "sghook: commit refused: its message "
		"holds %zu %s", found.count, cli_plural(found.count, "secret",
		"secrets"));
	if (found.count && !(advice = commit_msg_advice(o->args[0], cut))) {
		sghook_error_set("out of memory");
		goto done;
	}
	if (cli_report(o, &found, stderr, head, advice) < 0)
		goto done;
	rc = found.count ? EXIT_FOUND : EXIT_CLEAN;
done:
	if (rc == EXIT_ERROR)
		cli_warnx("%s; commit refused", sghook_error_last());
	free(advice);
	sghook_findings_clear(&found);
	return rc;
}

/*
 * A libgit2 before 1.7 stops at a shallow clone's cut with "object not
 * found": say so before the walk, with what to do.
 */
int cli_shallow_check(git_repository *repo)
{
	if (git_repository_is_shallow(repo) == 1 &&
	    !sghook_walk_shallow_supported())
		return sghook_error_set("this clone is shallow and the libgit2 "
			"sghook was built with (%s) cannot walk it; fetch the "
			"history (git fetch --unshallow) or build sghook with "
			"its own libgit2 (make LIBGIT2=bundled)", LIBGIT2_VERSION);
	return 0;
}

/*
 * A commit at the cut is judged as a first commit, so an old token in its
 * tree is reported: conservative, but the user must know why.
 */
static int shallow_note(git_repository *repo, const sghook_oids *ids)
{
	sghook_oids cuts = {0};
	char hex[GIT_OID_HEXSZ + 1];

	if (sghook_walk_shallow_cuts(&cuts, repo, ids) < 0)
		return -1;
	if (cuts.count) {
		git_oid_tostr(hex, 8, &cuts.ids[0]);
		cli_warnx("history is cut at commit %s%s (a shallow clone): "
			"everything in %s tree counts as added; for an exact "
			"verdict deepen the clone (git fetch --deepen=N) or "
			"fetch all of it (git fetch --unshallow)", hex,
			cuts.count > 1 ? " and others" : "",
			cuts.count > 1 ? "their" : "its");
	}
	sghook_oids_free(&cuts);
	return 0;
}

/*
 * The commits of `ids` by what they add, then the messages of the
 * commits and of `tags`.
 */
int cli_judge(const options *o, git_repository *repo,
	const sghook_rules *rules, const sghook_oids *ids,
	const sghook_oids *tags, sghook_findings *found,
	sghook_scan_stats *stats)
{
	sghook_scan_opts so;
	int last = -1, error;

	if (shallow_note(repo, ids) < 0)
		return -1;
	cli_scan_opts_init(&so, o, rules);
	so.stats = stats;
	if (ids->count > 200 && !o->quiet && isatty(STDERR_FILENO)) {
		so.progress = progress;
		so.progress_payload = &last;
	}
	error = sghook_scan_commits(found, repo, ids, &so);
	/* The workers' last blobs may come after the last report. */
	if (last >= 0)
		fputs(", done.\n", stderr);
	if (error == 0)
		error = sghook_scan_messages(found, repo, ids, tags, &so);
	return error;
}

/* Drops the findings that --baseline's report accepted. */
static int apply_baseline(const options *o, sghook_findings *found,
	size_t *accepted)
{
	sghook_baseline *b = NULL;
	size_t n;

	if (!o->baseline)
		return 0;
	if (sghook_baseline_load(&b, o->baseline) < 0)
		return SGHOOK_ERROR;
	n = sghook_baseline_filter(b, found);
	if (accepted)
		*accepted = n;
	sghook_baseline_free(b);
	return 0;
}

static int run_check_range(const options *o, git_repository *repo,
	const sghook_rules *rules)
{
	sghook_oids ids = {0}, tags = {0};
	sghook_findings found = {0};
	sghook_scan_stats stats = {0};
	struct timespec t0, t1;
	char head[160], base[80] = "";
	size_t accepted = 0;
	int rc = EXIT_ERROR;

	if (o->nargs == 0) {
		cli_warnx("--check-range needs at least one revision, e.g. "
			"origin/main..HEAD");
		return EXIT_ERROR;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (cli_shallow_check(repo) < 0 ||
	    sghook_walk_range(&ids, repo, (const char *const *)o->args,
	    (size_t)o->nargs) < 0 ||
	    sghook_message_tags_of_revs(&tags, repo,
	    (const char *const *)o->args, (size_t)o->nargs) < 0 ||
	    cli_judge(o, repo, rules, &ids, &tags, &found, &stats) < 0 ||
	    apply_baseline(o, &found, &accepted) < 0)
		goto done;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	snprintf(head, sizeof(head), "sghook: %zu %s in %zu of %zu %s",
		found.count, cli_plural(found.count, "secret", "secrets"),
		cli_distinct_commits(&found), ids.count,
		cli_plural(ids.count, "commit", "commits"));
	if (cli_report(o, &found, stdout, head, cli_has_message(&found) ?
	    "A message is part of its commit or tag: it goes only by rewriting "
	    "it (git rebase -i,\nreword; a tag: git tag -f -a NAME COMMIT). "
	    "A commit that is already pushed\nstays in every clone: revoke "
	    "the token first.\n" : NULL) < 0)
		goto done;
	cli_warn_ignore_commits(repo, &found);
	/* A CI log shows that the step ran, and on what. */
	if (accepted)
		snprintf(base, sizeof(base), "; %zu %s accepted by the baseline",
			accepted, cli_plural(accepted, "finding", "findings"));
	if (!found.count && !o->quiet)
		fprintf(stderr, "sghook: no secrets in %zu %s (%zu %s read%s) "
			"in %.2f s\n", ids.count, cli_plural(ids.count, "commit",
			"commits"), stats.blobs_read, cli_plural(stats.blobs_read,
			"blob", "blobs"), base, (double)(t1.tv_sec - t0.tv_sec) +
			(double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	rc = found.count ? EXIT_FOUND : EXIT_CLEAN;
done:
	if (rc == EXIT_ERROR)
		cli_warnx("%s", sghook_error_last());
	sghook_oids_free(&ids);
	sghook_oids_free(&tags);
	sghook_findings_clear(&found);
	return rc;
}

static int read_all(char **out, size_t *outlen, FILE *fp)
{
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	for (;;) {
		/* Reads of 64 KiB at least; the buffer doubles as it fills. */
		if (cap - len < 65536 &&
		    SGHOOK_ARRAY_GROW(buf, cap, len + 65536) < 0) {
			free(buf);
			return SGHOOK_ERROR;
		}
		n = fread(buf + len, 1, cap - len, fp);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(fp)) {
		free(buf);
		return sghook_error_set("%s", strerror(errno));
	}
	*out = buf;
	*outlen = len;
	return 0;
}

/* One file (or standard input, "-") as added content. */
static int scan_file(sghook_findings *found, const char *path,
	const sghook_scan_opts *so)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;
	int error;

	if (!strcmp(path, "-"))
		fp = stdin;
	else if (!(fp = fopen(path, "rb")))
		return sghook_error_set("cannot read %s: %s", path,
			strerror(errno));
	error = read_all(&buf, &len, fp);
	if (fp != stdin)
		fclose(fp);
	if (error < 0)
		return sghook_error_set("cannot read %s: %s", path,
			sghook_error_last());
	error = sghook_scan_buffer(found, buf, len,
		strcmp(path, "-") ? path : "(stdin)", so);
	free(buf);
	return error;
}

static int by_name(const FTSENT **a, const FTSENT **b)
{
	return strcmp((*a)->fts_name, (*b)->fts_name);
}

/*
 * Every regular file under a directory, in name order. Symbolic links
 * are not followed, and .git directories are git's business (their
 * objects are compressed: --check-range reads them).
 */
static int scan_dir(sghook_findings *found, const char *dir,
	const sghook_scan_opts *so)
{
	char *paths[] = { (char *)dir, NULL };
	FTS *fts = fts_open(paths, FTS_PHYSICAL | FTS_NOCHDIR, by_name);
	FTSENT *e;
	int error = 0;

	if (!fts)
		return sghook_error_set("cannot read %s: %s", dir,
			strerror(errno));
	while (error == 0 && (e = fts_read(fts))) {
		switch (e->fts_info) {
		case FTS_D:
			if (e->fts_level > 0 && !strcmp(e->fts_name, ".git"))
				fts_set(fts, e, FTS_SKIP);
			break;
		case FTS_F:
			error = scan_file(found, e->fts_path, so);
			break;
		case FTS_DNR:
		case FTS_ERR:
		case FTS_NS:
			error = sghook_error_set("cannot read %s: %s",
				e->fts_path, strerror(e->fts_errno));
			break;
		default:
			break;  /* links, devices, sockets: not files */
		}
	}
	fts_close(fts);
	return error;
}

static int run_scan(const options *o, const sghook_rules *rules)
{
	sghook_scan_opts so;
	sghook_findings found = {0};
	char head[128];
	size_t i;
	int rc = EXIT_ERROR, error = 0;

	if (o->nargs == 0) {
		cli_warnx("--scan needs a file or a directory (or - for standard "
			"input)");
		return EXIT_ERROR;
	}
	cli_scan_opts_init(&so, o, rules);
	for (i = 0; i < (size_t)o->nargs && error == 0; i++)
		error = strcmp(o->args[i], "-") && cli_is_dir(o->args[i]) ?
			scan_dir(&found, o->args[i], &so) :
			scan_file(&found, o->args[i], &so);
	if (error < 0 || apply_baseline(o, &found, NULL) < 0)
		goto done;
	snprintf(head, sizeof(head), "sghook: %zu %s found", found.count,
		cli_plural(found.count, "secret", "secrets"));
	if (cli_report(o, &found, stdout, head, NULL) < 0)
		goto done;
	rc = found.count ? EXIT_FOUND : EXIT_CLEAN;
done:
	if (rc == EXIT_ERROR)
		cli_warnx("%s", sghook_error_last());
	sghook_findings_clear(&found);
	return rc;
}

/* ---- command line ----------------------------------------------------- */

static int set_mode(options *o, enum mode m)
{
	if (o->mode != MODE_NONE && o->mode != m) {
		cli_warnx("choose one of --pre-commit, --commit-msg, --check-range, "
			"--pre-receive, --pre-push, --scan, --doctor");
		return -1;
	}
	o->mode = m;
	return 0;
}

/* The long options; a mode's value is what option_mode() maps. */
enum { O_PC = 256, O_CR, O_PR, O_PP, O_SCAN, O_FMT, O_RULES,
	O_NORED, O_COLOR, O_JOBS, O_QUIET, O_BASELINE, O_HELP,
	O_VERSION, O_DOCTOR, O_CM };

static const struct option longopts[] = {
	{ "pre-commit", no_argument, NULL, O_PC },
	{ "commit-msg", no_argument, NULL, O_CM },
	{ "check-range", no_argument, NULL, O_CR },
	{ "pre-receive", no_argument, NULL, O_PR },
	{ "pre-push", no_argument, NULL, O_PP },
	{ "scan", no_argument, NULL, O_SCAN },
	{ "format", required_argument, NULL, O_FMT },
	{ "rules", required_argument, NULL, O_RULES },
	{ "no-redact", no_argument, NULL, O_NORED },
	{ "color", required_argument, NULL, O_COLOR },
	{ "colour", required_argument, NULL, O_COLOR },
	{ "jobs", required_argument, NULL, O_JOBS },
	{ "quiet", no_argument, NULL, O_QUIET },
	{ "baseline", required_argument, NULL, O_BASELINE },
	{ "help", no_argument, NULL, O_HELP },
	{ "version", no_argument, NULL, O_VERSION },
	{ "doctor", no_argument, NULL, O_DOCTOR },
	{ NULL, 0, NULL, 0 }
};

/* The mode an option chooses, or MODE_NONE for the other options. */
static enum mode option_mode(int c)
{
	switch (c) {
	case O_PC: return MODE_PRE_COMMIT;
	case O_CM: return MODE_COMMIT_MSG;
	case O_CR: return MODE_CHECK_RANGE;
	case O_PR: return MODE_PRE_RECEIVE;
	case O_PP: return MODE_PRE_PUSH;
	case O_SCAN: return MODE_SCAN;
	case O_DOCTOR: return MODE_DOCTOR;
	default: return MODE_NONE;
	}
}

static int parse_format(options *o, const char *arg)
{
	if (!strcmp(arg, "text"))
		o->format = SGHOOK_FORMAT_TEXT;
	else if (!strcmp(arg, "json"))
		o->format = SGHOOK_FORMAT_JSON;
	else if (!strcmp(arg, "sarif"))
		o->format = SGHOOK_FORMAT_SARIF;
	else {
		cli_warnx("unknown format '%s': use text, json or sarif", arg);
		return -1;
	}
	return 0;
}

static int parse_color(options *o, const char *arg)
{
	if (!strcmp(arg, "auto"))
		o->color = -1;
	else if (!strcmp(arg, "always"))
		o->color = 1;
	else if (!strcmp(arg, "never"))
		o->color = 0;
	else {
		cli_warnx("unknown --color '%s': use auto, always or never",
			arg);
		return -1;
	}
	return 0;
}

static int parse_jobs(options *o, const char *arg)
{
	char *end;
	long n = strtol(arg, &end, 10);

	if (*end || n < 1 || n > CLI_MAX_JOBS) {
		cli_warnx("--jobs needs a number from 1 to %d", CLI_MAX_JOBS);
		return -1;
	}
	o->jobs = (int)n;
	return 0;
}

/* An option getopt_long() did not know, or one without its argument. */
static int bad_option(char **argv)
{
	if (optopt >= O_PC || !optopt)
		cli_warnx("unknown or incomplete option '%s'", argv[optind - 1]);
	else
		cli_warnx("unknown option '-%c'", optopt);
	usage(stderr);
	return -1;
}

/* One option `c` of getopt_long() and its optarg. */
static int parse_option(options *o, int c, char **argv)
{
	enum mode m = option_mode(c);

	if (m != MODE_NONE)
		return set_mode(o, m);
	switch (c) {
	case O_FMT:
		return parse_format(o, optarg);
	case O_RULES:
		o->rules[o->nrules++] = optarg;
		return 0;
	case O_NORED:
		o->redact = 0;
		return 0;
	case O_COLOR:
		return parse_color(o, optarg);
	case 'j':
	case O_JOBS:
		return parse_jobs(o, optarg);
	case 'q':
	case O_QUIET:
		o->quiet = 1;
		return 0;
	case O_BASELINE:
		o->baseline = optarg;
		return 0;
	case 'h':
	case O_HELP:
		usage(stdout);
		exit(EXIT_CLEAN);
	case O_VERSION:
		cli_version();
		exit(EXIT_CLEAN);
	default:
		return bad_option(argv);
	}
}

/* What the options mean together, once all are read. */
static int check_options(const options *o)
{
	if (o->mode == MODE_NONE) {
		usage(stderr);
		return -1;
	}
	/* A hook judges one change: what to accept belongs in .sghookignore. */
	if (o->baseline && o->mode != MODE_CHECK_RANGE && o->mode != MODE_SCAN) {
		cli_warnx("--baseline works with --check-range and --scan; a hook "
			"reads .sghookignore");
		return -1;
	}
	return 0;
}

static int parse_args(options *o, int argc, char **argv)
{
	int c;

	o->redact = 1;
	o->color = -1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "hj:q", longopts, NULL)) != -1)
		if (parse_option(o, c, argv) < 0)
			return -1;
	if (check_options(o) < 0)
		return -1;
	o->args = argv + optind;
	o->nargs = argc - optind;
	return 0;
}

/* libgit2 for a process that reads each object of a change once. */
static void tune_libgit2(void)
{
	/*
	 * Every tree and blob of a range is read once, so libgit2's object
	 * cache would only hold memory.
	 */
	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
	/*
	 * git does not re-hash what it reads either: objects were checked
	 * when they came in (index-pack verifies a push before the hook
	 * runs), and re-hashing is much of the time of a scan.
	 */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	/*
	 * Pack windows: every page of a window read once stays resident, so
	 * the mapped total bounds the resident set. These sizes lower the
	 * peak of a whole-history audit at no cost in time; smaller windows
	 * lower it further but cost time in remapping, and time wins.
	 */
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, (size_t)SGHOOK_WINDOW << 20);
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT,
		(size_t)SGHOOK_WINDOWS << 20);
}

/*
 * git names the index it is about to commit in GIT_INDEX_FILE, and
 * libgit2 would read all of it on opening the repository: sghook reads
 * it itself, as far as the change needs (lib/index.c).
 */
static int take_index_file(options *o)
{
	const char *v = getenv("GIT_INDEX_FILE");

	if ((o->mode != MODE_PRE_COMMIT && o->mode != MODE_COMMIT_MSG) || !v)
		return 0;
	if (!(o->index_file = strdup(v))) {
		cli_warnx("out of memory");
		return -1;
	}
	unsetenv("GIT_INDEX_FILE");
	return 0;
}

/* The repository and a snapshot of its config; --scan needs neither. */
static int open_repo_config(git_repository **repo, git_config **cfg,
	const options *o)
{
	if (o->mode == MODE_SCAN)
		return 0;
	if (cli_open_repo(repo) < 0 ||
	    git_repository_config_snapshot(cfg, *repo) < 0) {
		if (*repo)
			sghook_error_from_git("cannot read git config");
		cli_warnx("%s%s", sghook_error_last(), index_advice());
		return -1;
	}
	return 0;
}

/* What the mode needs before its rules: repository, config, time, jobs. */
static int prepare(options *o, git_repository **repo, git_config **cfg)
{
	if (take_index_file(o) < 0 || open_repo_config(repo, cfg, o) < 0)
		return -1;
	if (((o->mode == MODE_PRE_RECEIVE || o->mode == MODE_PRE_PUSH) &&
	    push_timeout_start(*cfg, o->mode == MODE_PRE_PUSH) < 0) ||
	    resolve_jobs(o, *cfg) < 0) {
		cli_warnx("%s", sghook_error_last());
		return -1;
	}
	return 0;
}

/* Rules that cannot be loaded: refused, or a push let through by failOpen. */
static int rules_failed(const options *o, git_config *cfg)
{
	int fail_open = (o->mode == MODE_PRE_RECEIVE ||
		o->mode == MODE_PRE_PUSH) &&
		cli_config_bool(cfg, "sghook.failOpen", 0);

	cli_warnx("%s%s", sghook_error_last(), fail_open ?
		"; letting the push through (sghook.failOpen)" : "");
	return fail_open ? EXIT_CLEAN : EXIT_ERROR;
}

static int run_mode(const options *o, git_repository *repo,
	const sghook_rules *rules, git_config *cfg)
{
	switch (o->mode) {
	case MODE_PRE_COMMIT:
		return run_pre_commit(o, repo, rules);
	case MODE_COMMIT_MSG:
		return run_commit_msg(o, repo, rules, cfg);
	case MODE_CHECK_RANGE:
		return run_check_range(o, repo, rules);
	case MODE_PRE_RECEIVE:
		return push_run(o, repo, rules, cfg, 0);
	case MODE_PRE_PUSH:
		return push_run(o, repo, rules, cfg, 1);
	case MODE_SCAN:
		return run_scan(o, rules);
	default:
		return EXIT_ERROR;
	}
}

int main(int argc, char **argv)
{
	options o;
	git_repository *repo = NULL;
	git_config *cfg = NULL;
	sghook_rules *rules = NULL;
	int rc = EXIT_ERROR;

	memset(&o, 0, sizeof(o));
	if (!(o.rules = calloc((size_t)argc, sizeof(*o.rules)))) {
		cli_warnx("out of memory");
		return EXIT_ERROR;
	}
	if (parse_args(&o, argc, argv) < 0)
		goto done;
	git_libgit2_init();
	trace_start();
	tune_libgit2();
	if (o.mode == MODE_DOCTOR)
		rc = doctor_run(&o);
	else if (prepare(&o, &repo, &cfg) < 0)
		rc = EXIT_ERROR;
	else if (load_rules(&rules, &o, cfg) < 0)
		rc = rules_failed(&o, cfg);
	else
		rc = run_mode(&o, repo, rules, cfg);
done:
	sghook_rules_free(rules);
	git_config_free(cfg);
	git_repository_free(repo);
	free(o.rules);
	free(o.index_file);
	git_libgit2_shutdown();
	return rc;
}
