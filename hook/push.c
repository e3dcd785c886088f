/*
 * The push hooks: what a push brings (git's input, the quarantine of a
 * pre-receive hook), its verdict, the bypass a server may allow and its
 * audit log, and the time limit of sghook.timeout.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <git2/sys/commit_graph.h>

#include "sghook.h"
/* libgit2 1.8 moved git_error_clear() to the headers for extensions. */
#if LIBGIT2_VER_MAJOR > 1 || LIBGIT2_VER_MINOR >= 8
#include <git2/sys/errors.h>
#endif
#include "array.h"
#include "push.h"


/*
 * In a pre-receive hook, git (2.13 and later) keeps the pushed objects in
 * a quarantine directory of their own, names it in GIT_QUARANTINE_PATH
 * (and GIT_OBJECT_DIRECTORY) and lists the repository's own object
 * directories in GIT_ALTERNATE_OBJECT_DIRECTORIES. *before is those
 * directories alone, the objects the repository had before the push;
 * NULL when there is no quarantine, or when the variables say something
 * else than git says (the walk then reads every ref, as before).
 *
 * libgit2 looks for a commit-graph file only in the quarantine, which has
 * none: the repository's own is handed to it, so that walking old
 * history reads no commit objects.
 */
static int open_before(git_odb **before, git_repository *repo)
{
	const char *q = getenv("GIT_QUARANTINE_PATH");
	const char *objdir = getenv("GIT_OBJECT_DIRECTORY");
	const char *alts = getenv("GIT_ALTERNATE_OBJECT_DIRECTORIES");
	git_commit_graph *graph = NULL;
	git_odb *odb = NULL, *repo_odb = NULL;
	char *list = NULL, *dir, *save = NULL;
	size_t n = 0;
	int error = 0;

	*before = NULL;
	if (!q || !*q || !objdir || strcmp(q, objdir) || !alts || !*alts ||
	    strchr(alts, '"'))
		return 0;
	if (!(list = strdup(alts)))
		return sghook_error_set("out of memory");
	if (git_odb_new(&odb) < 0 || git_repository_odb(&repo_odb, repo) < 0) {
		error = sghook_error_from_git("cannot open the object database");
		goto done;
	}
	for (dir = strtok_r(list, ":", &save); dir;
	    dir = strtok_r(NULL, ":", &save)) {
		if (!*dir || !strcmp(dir, q))
			continue;
		if (git_odb_add_disk_alternate(odb, dir) < 0) {
			error = sghook_error_from_git(dir);
			goto done;
		}
		n++;
		if (!graph && git_commit_graph_open(&graph, dir) == 0 &&
		    git_odb_set_commit_graph(repo_odb, graph) < 0) {
			git_commit_graph_free(graph);
			graph = NULL;
		}
		git_error_clear();
	}
	if (n) {
		*before = odb;
		odb = NULL;
	}
done:
	git_odb_free(odb);
	git_odb_free(repo_odb);
	free(list);
	return error;
}

/* The size of what the quarantine holds, for a message; 0 when unknown. */
static unsigned long long quarantine_bytes(void)
{
	const char *q = getenv("GIT_QUARANTINE_PATH");
	char path[PATH_MAX];
	unsigned long long sum = 0;
	struct dirent *e, *f;
	struct stat st;
	DIR *d, *sub;

	if (!q || !(d = opendir(q)))
		return 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", q, e->d_name);
		if (!(sub = opendir(path)))
			continue;
		while ((f = readdir(sub))) {
			snprintf(path, sizeof(path), "%s/%s/%s", q, e->d_name,
				f->d_name);
			if (f->d_name[0] != '.' && stat(path, &st) == 0 &&
			    S_ISREG(st.st_mode))
				sum += (unsigned long long)st.st_size;
		}
		closedir(sub);
	}
	closedir(d);
	return sum;
}
static const char *bypass_reason(void)
{
	const char *count = getenv("GIT_PUSH_OPTION_COUNT");
	static char name[64];
	const char *v;
	long i, n = count ? strtol(count, NULL, 10) : 0;

	for (i = 0; i < n && i < 1000; i++) {
		snprintf(name, sizeof(name), "GIT_PUSH_OPTION_%ld", i);
		if ((v = getenv(name)) && !strncmp(v, "sghook.bypass=", 14))
			return v + 14;
		if (v && !strcmp(v, "sghook.bypass"))
			return "";
	}
	return NULL;
}

static const char *pusher(void)
{
	static const char *vars[] = {
		"GL_USERNAME", "GITHUB_USER_LOGIN", "REMOTE_USER", "USER",
		"LOGNAME"
	};
	struct passwd *pw;
	size_t i;
	const char *v;

	for (i = 0; i < sizeof(vars) / sizeof(*vars); i++)
		if ((v = getenv(vars[i])) && *v)
			return v;
	pw = getpwuid(getuid());
	return pw ? pw->pw_name : "unknown";
}

/*
 * The commits that hold findings, each once, in the order found, as the
 * comma-separated list the audit line gives; NULL when there is none.
 */
static int audit_commits(char **out, const sghook_findings *found)
{
	sghook_oids seen = {0};
	char hex[GIT_OID_HEXSZ + 1], *list = NULL;
	size_t i, j, len = 0;
	FILE *fp = NULL;
	int error = 0;

	*out = NULL;
	for (i = 0; i < found->count && error == 0; i++) {
		for (j = 0; j < seen.count && !git_oid_equal(&seen.ids[j],
		    &found->items[i].commit); j++)
			;
		if (j == seen.count)
			error = sghook_oids_push(&seen, &found->items[i].commit);
	}
	if (error < 0 || seen.count == 0)
		goto done;
	if (!(fp = open_memstream(&list, &len))) {
		error = sghook_error_set("out of memory");
		goto done;
	}
	for (i = 0; i < seen.count; i++) {
		git_oid_tostr(hex, sizeof(hex), &seen.ids[i]);
		fprintf(fp, "%s%s", i ? "," : "", hex);
	}
	if (fclose(fp) != 0 || !list) {
		free(list);
		error = sghook_error_set("out of memory");
		goto done;
	}
	*out = list;
done:
	sghook_oids_free(&seen);
	return error;
}

/*
 * Records an accepted bypass: in the log for the administrator, then on
 * stderr for the pusher. Failing to log refuses the bypass.
 */
static int audit_bypass(git_config *cfg, const sghook_hookinput *in,
	const sghook_findings *found, const char *reason)
{
	git_buf log = GIT_BUF_INIT;
	char *commits = NULL, stamp[32];
	FILE *fp;
	time_t now = time(NULL);
	int error = 0;

	if ((error = audit_commits(&commits, found)) < 0)
		return error;
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	if (git_config_get_path(&log, cfg, "sghook.auditLog") == 0) {
		if (!(fp = fopen(log.ptr, "a"))) {
			error = sghook_error_set("cannot write audit log %s: %s",
				log.ptr, strerror(errno));
		} else {
			fprintf(fp, "%s bypass by %s on %s (%s): %s\n", stamp,
				pusher(), in->refs ? in->refs : "-",
				commits ? commits : "-", reason);
			if (fclose(fp) != 0)
				error = sghook_error_set("cannot write audit "
					"log %s", log.ptr);
		}
	}
	if (error == 0)
		fprintf(stderr, "sghook: bypass by %s on %s (%s): %s\n",
			pusher(), in->refs ? in->refs : "-",
			commits ? commits : "-", reason);
	git_buf_dispose(&log);
	free(commits);
	return error;
}

/* ---- the time limit of a push ----------------------------------------- */

/*
 * A host stops a hook that runs too long (GitHub Enterprise Server after
 * 5 s) and the pusher learns nothing. With sghook.timeout set, sghook
 * stops first and says why. The engine checks the deadline as it works;
 * should one long step of libgit2 keep it past the deadline, an alarm half
 * a second later writes the same line and ends the process (the workers
 * die with it: see procs.c).
 */
static double timeout_secs;
static char timeout_line[640];
static volatile sig_atomic_t timeout_len;

static void on_alarm(int sig)
{
	(void)sig;
	if (timeout_len)
		(void)!write(STDERR_FILENO, timeout_line, (size_t)timeout_len);
	_exit(EXIT_ERROR);
}

/* The line a timeout prints; `commits` is 0 before the walk has counted. */
static void timeout_prepare(int pre_push, size_t commits)
{
	unsigned long long bytes = pre_push ? 0 : quarantine_bytes();
	char size[128] = "", what[160];
	sigset_t block, old;
	int n;

	if (!timeout_secs)
		return;
	if (commits)
		snprintf(size, sizeof(size), "%zu %s", commits,
			cli_plural(commits, "commit", "commits"));
	else
		snprintf(size, sizeof(size), "history not walked in time");
	if (bytes)
		snprintf(size + strlen(size), sizeof(size) - strlen(size),
			", %.1f MiB received", (double)bytes / 1048576.0);
	snprintf(what, sizeof(what), pre_push ?
		"or raise sghook.timeout (git config sghook.timeout SECONDS)" :
		"or ask the server's administrator to raise sghook.timeout");
	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	sigprocmask(SIG_BLOCK, &block, &old);
	n = snprintf(timeout_line, sizeof(timeout_line), "sghook: push "
		"refused: not judged within sghook.timeout (%g s): %s; push "
		"it in parts, oldest commits first (git push REMOTE "
		"COMMIT:BRANCH), %s\n", timeout_secs, size, what);
	timeout_len = n < 0 ? 0 : n >= (int)sizeof(timeout_line) ?
		(int)sizeof(timeout_line) - 1 : n;
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* The alarm `secs` from now; 0 cancels it. */
static void timeout_alarm(double secs)
{
	struct itimerval t;

	memset(&t, 0, sizeof(t));
	t.it_value.tv_sec = (time_t)secs;
	t.it_value.tv_usec = (suseconds_t)((secs - (double)(time_t)secs) * 1e6);
	setitimer(ITIMER_REAL, &t, NULL);
}

/* A value of sghook.timeout: seconds, a decimal number. */
int push_timeout_parse(double *secs, const char *v)
{
	char *end;

	errno = 0;
	*secs = strtod(v, &end);
	if (errno || end == v || *end || !(*secs > 0) || *secs > PUSH_MAX_TIMEOUT)
		return sghook_error_set("sghook.timeout must be a number of "
			"seconds above 0 and up to %d, not '%s'", PUSH_MAX_TIMEOUT, v);
	return 0;
}

/* sghook.timeout, or unset: no limit. */
int push_timeout_start(git_config *cfg, int pre_push)
{
	struct sigaction sa;
	const char *v = NULL;
	double secs;
	int error = cfg ? git_config_get_string(&v, cfg, "sghook.timeout") :
		GIT_ENOTFOUND;

	if (error == GIT_ENOTFOUND)
		return 0;
	if (error < 0)
		return sghook_error_from_git("sghook.timeout");
	if ((error = push_timeout_parse(&secs, v)) < 0)
		return error;
	timeout_secs = secs;
	sghook_deadline_set(secs);
	timeout_prepare(pre_push, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) == 0)
		timeout_alarm(secs + 0.5);
	return 0;
}

static int timed_out(int error)
{
	return timeout_secs && (error == SGHOOK_ETIMEOUT ||
		sghook_deadline_check() < 0);
}

#define PUSH_ADVICE \
	"Next: take the token out of the commits, not just out of the files:\n" \
	"rewrite the commits that add it (git commit --amend for the last one,\n" \
	"git rebase -i for older ones), then push again.\n"
#define MESSAGE_ADVICE \
	"A message is part of its commit or tag: only rewriting it takes the token\n" \
	"out (git commit --amend for the last commit, git rebase -i with reword for\n" \
	"older ones; a tag: git tag -f -a NAME COMMIT with a new message).\n"
#define MESSAGE_PRE_PUSH \
	"Nothing was pushed; once a message is pushed, rewriting is not enough:\n" \
	"the token must be revoked.\n"
#define MESSAGE_PRE_RECEIVE \
	"The server kept nothing of this push; a message that was pushed elsewhere\n" \
	"stays in every clone: revoke the token.\n"

/* What a push brings, and what sghook found in it. */
typedef struct {
	sghook_hookinput in;
	git_odb *before;       /* pre-receive: the objects before the push */
	sghook_oids ids;       /* the commits it brings */
	sghook_oids others;    /* trees and blobs that tags bring */
	sghook_oids tags;      /* annotated tags */
	sghook_findings found;
} push;

static void push_free(push *p)
{
	sghook_hookinput_free(&p->in);
	git_odb_free(p->before);
	sghook_oids_free(&p->ids);
	sghook_oids_free(&p->others);
	sghook_oids_free(&p->tags);
	sghook_findings_clear(&p->found);
}

static int push_check_args(const options *o, int pre_push)
{
	if (pre_push && o->nargs != 2) {
		cli_warnx("--pre-push takes the remote's name and URL, as "
			"git passes them to the pre-push hook");
		return -1;
	}
	if (!pre_push && o->nargs) {
		cli_warnx("--pre-receive takes no arguments; it reads git's input");
		return -1;
	}
	return 0;
}

/*
 * git's input and the commits it brings: past what the repository had
 * before (pre-receive) or what the refs of `remote` hold (pre-push).
 */
static int push_walk(push *p, git_repository *repo, const char *remote)
{
	char glob[512];
	int error;

	if (remote)
		snprintf(glob, sizeof(glob), "refs/remotes/%s/*", remote);
	if ((error = sghook_hookinput_read(&p->in, stdin, remote ?
	    SGHOOK_HOOKINPUT_PRE_PUSH : SGHOOK_HOOKINPUT_PRE_RECEIVE)) < 0 ||
	    (error = cli_shallow_check(repo)) < 0 ||
	    (!remote && (error = open_before(&p->before, repo)) < 0))
		return error;
	if (p->before)
		return sghook_walk_pushed(&p->ids, &p->others, repo, p->before,
			p->in.tips.ids, p->in.tips.count, p->in.olds.ids,
			p->in.olds.count);
	return sghook_walk_new(&p->ids, &p->others, repo, p->in.tips.ids,
		p->in.tips.count, p->in.hide.ids, p->in.hide.count,
		remote ? glob : "refs/*");
}

static int push_judge(push *p, const options *o, git_repository *repo,
	const sghook_rules *rules)
{
	sghook_scan_opts so;
	size_t i;
	int error;

	/* Annotated tags the push brings, also of commits already there. */
	if ((error = sghook_message_tags(&p->tags, repo, p->in.tips.ids,
	    p->in.tips.count, p->in.hide.ids, p->in.hide.count)) < 0 ||
	    (error = cli_judge(o, repo, rules, &p->ids, &p->tags, &p->found,
	    NULL)) < 0)
		return error;
	/* A tag of a tree or a blob brings content without a commit. */
	cli_scan_opts_init(&so, o, rules);
	for (i = 0; i < p->others.count; i++)
		if ((error = sghook_scan_object(&p->found, repo,
		    &p->others.ids[i], &so)) < 0)
			return error;
	return 0;
}

/* Whether a server lets the findings through: 1 when a bypass is allowed. */
static int push_bypass(const push *p, git_config *cfg)
{
	const char *reason = bypass_reason();

	if (!reason)
		return 0;
	if (!cli_config_bool(cfg, "sghook.allowBypass", 0))
		cli_warnx("bypass refused: this server does not allow it "
			"(git config sghook.allowBypass)");
	else if (!*reason)
		cli_warnx("bypass refused: a bypass needs a reason: "
			"git push -o sghook.bypass=\"why\"");
	else if (audit_bypass(cfg, &p->in, &p->found, reason) < 0)
		cli_warnx("bypass refused: %s", sghook_error_last());
	else
		return 1;
	return 0;
}

static int push_report(const options *o, const sghook_findings *found,
	int bypass, int pre_push)
{
	const char *advice = PUSH_ADVICE;
	size_t commits = cli_distinct_commits(found);
	char head[200];

	if (bypass)
		advice = NULL;
	else if (cli_has_message(found))
		advice = pre_push ?
			PUSH_ADVICE MESSAGE_ADVICE MESSAGE_PRE_PUSH :
			PUSH_ADVICE MESSAGE_ADVICE MESSAGE_PRE_RECEIVE;
	snprintf(head, sizeof(head), "sghook: push %s: %zu %s %zu %s",
		bypass ? "allowed by bypass" : "refused", commits,
		cli_plural(commits, "commit adds", "commits add"),
		found->count, cli_plural(found->count, "secret", "secrets"));
	return cli_report(o, found, stderr, head, advice);
}

/* The exit status of a push that failed with `error`. */
static int push_failed(const push *p, git_config *cfg, int error)
{
	if (p->found.count == 0 && timed_out(error)) {
		/* Not judged, and never let through by failOpen. */
		timeout_alarm(0);
		if (timeout_len)
			fputs(timeout_line, stderr);
		return EXIT_ERROR;
	}
	/*
	 * failOpen is for a push sghook could not judge. A secret it found
	 * is a verdict, whatever failed after (the report to a full or
	 * closed stderr, say).
	 */
	if (p->found.count == 0 && cli_config_bool(cfg, "sghook.failOpen", 0)) {
		cli_warnx("%s; letting the push through (sghook.failOpen)",
			sghook_error_last());
		return EXIT_CLEAN;
	}
	cli_warnx("%s; push refused", sghook_error_last());
	return EXIT_ERROR;
}

int push_run(const options *o, git_repository *repo,
	const sghook_rules *rules, git_config *cfg, int pre_push)
{
	push p = { SGHOOK_HOOKINPUT_INIT, NULL, {0}, {0}, {0}, {0} };
	int rc = EXIT_ERROR, bypass = 0, error = 0;

	if (push_check_args(o, pre_push) < 0)
		return EXIT_ERROR;
	if ((error = push_walk(&p, repo, pre_push ? o->args[0] : NULL)) < 0)
		goto done;
	timeout_prepare(pre_push, p.ids.count);
	if ((error = push_judge(&p, o, repo, rules)) < 0)
		goto done;
	/* Judged: what is left (report, audit log) is not cut short. */
	timeout_alarm(0);
	if (p.found.count && !pre_push)
		bypass = push_bypass(&p, cfg);
	if (push_report(o, &p.found, bypass, pre_push) < 0)
		goto done;
	cli_warn_ignore_commits(repo, &p.found);
	rc = p.found.count && !bypass ? EXIT_FOUND : EXIT_CLEAN;
done:
	if (rc == EXIT_ERROR)
		rc = push_failed(&p, cfg, error);
	push_free(&p);
	return rc;
}
