/*
 * Work split across child processes.
 *
 * libgit2 serialises pack reads behind process-wide locks, so threads of
 * one process reading the same pack mostly wait on each other; processes
 * do not share those locks. A child inherits everything the parent built
 * before fork() (repository handle, rules, work lists) and sends its
 * results back through a pipe.
 */
#ifndef SGHOOK_PROCS_H
#define SGHOOK_PROCS_H

#include <stddef.h>
#include <stdio.h>

typedef struct {
	char *data;
	size_t len;
} sghook_proc_output;

/* Child i's work: writes its results to `out`; < 0 on error. */
typedef int (*sghook_proc_fn)(void *ctx, size_t i, FILE *out);
/* The calling process's own share: its results stay where it puts them. */
typedef int (*sghook_proc_local)(void *ctx);

/*
 * Runs fn(ctx, i, out) for every i from 1 to n - 1, each in a child
 * process, and local(ctx) in the calling process meanwhile, then waits
 * for all; outputs[i] receives what child i wrote (outputs[0] stays
 * empty). Returns 0; 1 when the children could not be started (nothing
 * ran: the caller does all the work itself); or an error: local's, or
 * the message of the first child that failed, or how it died. Children
 * left when local fails are killed. Call it from a single-threaded
 * process only: a child must not inherit locks another thread holds.
 */
int sghook_procs_run(sghook_proc_output *outputs, size_t n,
	sghook_proc_fn fn, sghook_proc_local local, void *ctx);
void sghook_procs_outputs_free(sghook_proc_output *outputs, size_t n);

/* What a child sends: writes, and bounded reads in the parent. */
int sghook_procs_put(FILE *out, const void *src, size_t len);
typedef struct {
	const char *p, *end;
} sghook_procs_reader;
int sghook_procs_take(sghook_procs_reader *r, void *dst, size_t len);

/* Memory that the parent and its children share (counters), zeroed. */
void *sghook_procs_shared_new(size_t size);
void sghook_procs_shared_free(void *p, size_t size);

#endif
