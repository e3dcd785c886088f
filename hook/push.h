/*
 * The push hooks (push.c): pre-receive and pre-push, the bypass a server
 * may allow and its audit, and sghook.timeout.
 */
#ifndef SGHOOK_PUSH_H
#define SGHOOK_PUSH_H

#include "cli.h"

#define PUSH_MAX_TIMEOUT 86400

/* --pre-receive (pre_push 0) or --pre-push; returns the exit status. */
int push_run(const options *o, git_repository *repo,
	const sghook_rules *rules, git_config *cfg, int pre_push);
/* Arms sghook.timeout, when set, before the rules are loaded. */
int push_timeout_start(git_config *cfg, int pre_push);
/* A value of sghook.timeout: seconds, above 0, up to PUSH_MAX_TIMEOUT. */
int push_timeout_parse(double *secs, const char *v);

#endif
