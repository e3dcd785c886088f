/*
 * A git repository for a unit test: built by the real git binary in a
 * temp directory, away from the user's configuration, then opened with
 * libgit2. Each file of tests/unit is a test program of its own, so the
 * functions are static and the repository is the including test's only one.
 *
 * Include after <stdarg.h>, <stdio.h>, <stdlib.h> and "sghook.h";
 * _GNU_SOURCE for asprintf().
 */
#ifndef SGHOOK_TEST_GITREPO_H
#define SGHOOK_TEST_GITREPO_H

#include <sys/stat.h>

static char gitrepo_tmpdir[128];
static char gitrepo_path[sizeof(gitrepo_tmpdir) + 8];

/* A shell command in the repository, its output dropped; system()'s status. */
static int gitrepo_sh(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static int gitrepo_sh(const char *fmt, ...)
{
	va_list ap;
	char *cmd, *full;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&cmd, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -1;
	rc = asprintf(&full, "cd '%s' && { %s ; } >/dev/null 2>&1",
		gitrepo_path, cmd);
	free(cmd);
	if (rc < 0)
		return -1;
	rc = system(full);
	free(full);
	return rc;
}

/* `git rev-parse` of a name, by the real git. */
static int gitrepo_rev(git_oid *out, const char *rev)
{
	char hex[GIT_OID_HEXSZ + 1], *cmd;
	FILE *p;
	int ok;

	if (asprintf(&cmd, "git -C '%s' rev-parse --verify -q '%s'",
	    gitrepo_path, rev) < 0)
		return -1;
	p = popen(cmd, "r");
	free(cmd);
	if (!p)
		return -1;
	ok = fgets(hex, sizeof(hex), p) != NULL;
	ok = pclose(p) == 0 && ok && strlen(hex) == GIT_OID_HEXSZ;
	return ok ? git_oid_fromstr(out, hex) : -1;
}

/*
 * Commits what is staged at a fixed date, `minute` past midnight, so that
 * every run builds the same history; its id into *out.
 */
static int gitrepo_commit(git_oid *out, int minute, const char *msg)
{
	if (gitrepo_sh("GIT_AUTHOR_DATE='2024-01-01T00:%02d:00Z' "
	    "GIT_COMMITTER_DATE='2024-01-01T00:%02d:00Z' "
	    "git commit -q --no-verify -m '%s'", minute, minute, msg) != 0)
		return -1;
	return gitrepo_rev(out, "HEAD");
}

/*
 * A temp directory /tmp/sghook-test-NAME-XXXXXX as HOME, a repository in
 * it made by `build` (run in the empty directory, with git's system and
 * global configuration left out), opened into *out.
 */
static int gitrepo_open(git_repository **out, const char *name,
	int (*build)(void))
{
	snprintf(gitrepo_tmpdir, sizeof(gitrepo_tmpdir),
		"/tmp/sghook-test-%s-XXXXXX", name);
	if (!mkdtemp(gitrepo_tmpdir))
		return -1;
	snprintf(gitrepo_path, sizeof(gitrepo_path), "%s/repo", gitrepo_tmpdir);
	setenv("HOME", gitrepo_tmpdir, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
	setenv("GIT_AUTHOR_NAME", "Test", 1);
	setenv("GIT_AUTHOR_EMAIL", "test@example.com", 1);
	setenv("GIT_COMMITTER_NAME", "Test", 1);
	setenv("GIT_COMMITTER_EMAIL", "test@example.com", 1);
	if (mkdir(gitrepo_path, 0700) < 0 || build() != 0) {
		fprintf(stderr, "cannot build the test repository in %s\n",
			gitrepo_path);
		return -1;
	}
	git_libgit2_init();
	return git_repository_open(out, gitrepo_path) < 0 ? -1 : 0;
}

/* Frees the repository and removes the temp directory. */
static void gitrepo_close(git_repository *repo)
{
	char *cmd;

	git_repository_free(repo);
	git_libgit2_shutdown();
	if (asprintf(&cmd, "rm -rf '%s'", gitrepo_tmpdir) >= 0) {
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", gitrepo_tmpdir);
		free(cmd);
	}
}

#endif
