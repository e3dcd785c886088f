/*
 * What the files of the CLI share: the parsed command line, the exit
 * statuses, and the helpers of main.c that every mode uses to judge and
 * to report. Internal to sghook(1); the engine's map is lib/sghook.h.
 */
#ifndef SGHOOK_CLI_H
#define SGHOOK_CLI_H

#include <stdio.h>

#include "sghook.h"

enum { EXIT_CLEAN = 0, EXIT_FOUND = 1, EXIT_ERROR = 2 };

/* --jobs and sghook.jobs: at most this many processes. */
#define CLI_MAX_JOBS 256

enum mode {
	MODE_NONE, MODE_PRE_COMMIT, MODE_COMMIT_MSG, MODE_CHECK_RANGE,
	MODE_PRE_RECEIVE, MODE_PRE_PUSH, MODE_SCAN, MODE_DOCTOR
};

typedef struct {
	enum mode mode;
	sghook_format format;
	int redact;
	int color;           /* -1 auto */
	int jobs;
	int quiet;           /* no summary line, no progress */
	const char *baseline; /* --baseline: a report of accepted findings */
	const char **rules;  /* --rules, in order */
	size_t nrules;
	char **args;
	int nargs;
	char *index_file;    /* pre-commit, commit-msg: GIT_INDEX_FILE, as git gave it */
} options;

/* "sghook: " and the message, on stderr. */
void cli_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *cli_plural(size_t n, const char *one, const char *many);
int cli_config_bool(git_config *cfg, const char *key, int dflt);
int cli_is_dir(const char *path);
/* --version: sghook's, and the libraries' it was built with. */
void cli_version(void);
/*
 * Our own rules' directory into `out`, and `how` it was found; -1 when
 * there is none (`out` is then the directory make install uses).
 */
int cli_default_rules_dir(char *out, size_t n, const char **how);
/* The repository of the working directory, as git finds it. */
int cli_open_repo(git_repository **out);

/* The scan options of the command line (rules, jobs, environment). */
void cli_scan_opts_init(sghook_scan_opts *so, const options *o,
	const sghook_rules *rules);
/* Refuses a shallow clone that this libgit2 cannot walk. */
int cli_shallow_check(git_repository *repo);
/* The commits of `ids` by what they add, then their and `tags`' messages. */
int cli_judge(const options *o, git_repository *repo,
	const sghook_rules *rules, const sghook_oids *ids,
	const sghook_oids *tags, sghook_findings *found,
	sghook_scan_stats *stats);

/* Findings in --format, with a headline and advice in text. */
int cli_report(const options *o, const sghook_findings *l, FILE *fp,
	const char *headline, const char *advice);
size_t cli_distinct_commits(const sghook_findings *l);
int cli_has_message(const sghook_findings *l);
/* Unusable .sghookignore lines of the commits that hold findings. */
void cli_warn_ignore_commits(git_repository *repo, const sghook_findings *l);

#endif
