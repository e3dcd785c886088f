/*
 * One parallel map over child processes.
 *
 * libgit2 serialises pack reads behind process-wide locks, so threads of
 * one process reading the same pack mostly wait on each other; processes
 * do not share those locks. A child inherits everything the parent built
 * before fork() (repository handle, rules, work lists) and sends its
 * results back through a pipe as flat records, never pointers: the
 * parent checks every record it is sent before it trusts it.
 */
#ifndef SGHOOK_PROCS_H
#define SGHOOK_PROCS_H

#include <stddef.h>

/* The largest fixed-size record a map sends. */
#define SGHOOK_PROCS_RECORD_MAX 256

/* One process's share of a map: the items it takes, what it sends. */
typedef struct sghook_procs_share sghook_procs_share;

typedef struct {
	size_t nitems;
	/* Processes, the calling one included; <= 1: none is forked. */
	size_t jobs;
	/*
	 * 0: share i is the i-th run of items, in order (a process's state
	 * serves neighbours); > 0: items are handed out `chunk` at a time
	 * to whichever process is free.
	 */
	size_t chunk;
	/*
	 * The fewest items worth a process of its own: with fewer than
	 * jobs * min_share items, none is forked. 0: always fork.
	 */
	size_t min_share;
	size_t record_size;     /* bytes of every record, at most _MAX */
	/*
	 * A share's work, in a child or in the calling process alike: it
	 * takes items with sghook_procs_next() and sends records with
	 * sghook_procs_send(); < 0 on error.
	 */
	int (*share)(void *ctx, sghook_procs_share *sh);
	/*
	 * In the calling process, once every share is done: the records of
	 * share 0, then of share 1, ..., each in the order it was sent, an
	 * aligned copy with its bytes. A record that makes no sense is
	 * sghook_procs_bad_result().
	 */
	int (*merge)(void *ctx, const void *record, const char *bytes,
		size_t nbytes);
	/* In the calling process, as items complete: done of nitems. */
	void (*progress)(void *ctx, size_t done, size_t total);
	void *ctx;
} sghook_procs_map_opts;

#define SGHOOK_PROCS_MAP_OPTS_INIT { 0, 1, 0, 0, 0, NULL, NULL, NULL, NULL }

/*
 * Runs opts->share once per process, share 0 in the calling process
 * while the children run theirs, then merges. When the children cannot
 * be started, the calling process runs every item itself, as it does
 * with jobs 1. Returns 0, or an error: a share's (a child's message), or
 * how a child died, or the merge's. Children left when the calling
 * process fails are killed. Call it from a single-threaded process
 * only: a child must not inherit locks another thread holds.
 */
int sghook_procs_map(const sghook_procs_map_opts *opts);

/* The next item of the share into *i: 1, or 0 when there is none left. */
int sghook_procs_next(sghook_procs_share *sh, size_t *i);
/* Sends a record of opts->record_size bytes, and `nbytes` after it. */
int sghook_procs_send(sghook_procs_share *sh, const void *record,
	const void *bytes, size_t nbytes);

/* "a worker process sent a bad result": what a merge fails with. */
int sghook_procs_bad_result(void);

#endif
