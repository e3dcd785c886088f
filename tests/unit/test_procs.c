/*
 * Unit tests of lib/procs.c: one parallel map over real child processes
 * (fork), its records merged in share order, the calling process's own
 * share, and every way a child can fail turned into an error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <cmocka.h>

#include "procs.h"
#include "sghook.h"

typedef struct {
	uint32_t item;
	uint32_t pid;
} rec;

/* What the test asks of the shares, and what the merge saw. */
typedef struct {
	size_t nitems;
	int fail_item;          /* -1: none */
	int kill_item;          /* -1: none */
	int bad_pid;            /* send a record the merge rejects */
	size_t bytes;           /* bytes after each record */
	size_t merged, progress;
	uint32_t items[4096], pids[4096];
	int order_ok;
} job;

static int share(void *ctx, sghook_procs_share *sh)
{
	job *j = ctx;
	char bytes[70000];
	rec r;
	size_t i;
	int error = 0;

	while (error == 0 && sghook_procs_next(sh, &i)) {
		if ((int)i == j->fail_item)
			return sghook_error_set("blob %zu is missing", i);
		if ((int)i == j->kill_item)
			raise(SIGKILL);
		r.item = (uint32_t)i;
		r.pid = j->bad_pid ? 0 : (uint32_t)getpid();
		memset(bytes, 'a' + (int)(i % 26), j->bytes);
		error = sghook_procs_send(sh, &r, bytes, j->bytes);
	}
	return error;
}

static int merge(void *ctx, const void *record, const char *bytes,
	size_t nbytes)
{
	job *j = ctx;
	const rec *r = record;
	size_t k;

	if (r->pid == 0 || r->item >= j->nitems || nbytes != j->bytes)
		return sghook_procs_bad_result();
	for (k = 0; k < nbytes; k++)
		if (bytes[k] != 'a' + (int)(r->item % 26))
			return sghook_procs_bad_result();
	j->items[j->merged] = r->item;
	j->pids[j->merged++] = r->pid;
	return 0;
}

static void progress(void *ctx, size_t done, size_t total)
{
	job *j = ctx;

	assert_true(done <= total);
	j->progress = done;
}

static int run(job *j, size_t nitems, size_t jobs, size_t chunk)
{
	sghook_procs_map_opts o = SGHOOK_PROCS_MAP_OPTS_INIT;

	j->nitems = nitems;
	o.nitems = nitems;
	o.jobs = jobs;
	o.chunk = chunk;
	o.record_size = sizeof(rec);
	o.share = share;
	o.merge = merge;
	o.progress = progress;
	o.ctx = j;
	return sghook_procs_map(&o);
}

static void job_init(job *j)
{
	memset(j, 0, sizeof(*j));
	j->fail_item = j->kill_item = -1;
}

static size_t distinct_pids(const job *j)
{
	size_t k, m, n = 0;

	for (k = 0; k < j->merged; k++) {
		for (m = 0; m < k && j->pids[m] != j->pids[k]; m++)
			;
		n += m == k;
	}
	return n;
}

static void test_runs_merge_in_item_order_across_processes(void **state)
{
	job j;
	size_t k;

	(void)state;
	job_init(&j);
	assert_int_equal(run(&j, 10, 3, 0), 0);
	assert_int_equal(j.merged, 10);
	for (k = 0; k < 10; k++)
		assert_int_equal(j.items[k], k);
	/* Share 0 is the caller's; the other two ran in children. */
	assert_int_equal(j.pids[0], (uint32_t)getpid());
	assert_int_not_equal(j.pids[9], (uint32_t)getpid());
	assert_int_equal(distinct_pids(&j), 3);
}

/* Under UBSan, a share that sent nothing must not be read at all. */
static void test_shares_that_send_nothing_merge_nothing(void **state)
{
	job j;

	(void)state;
	job_init(&j);
	assert_int_equal(run(&j, 0, 3, 0), 0);
	assert_int_equal(j.merged, 0);
	job_init(&j);
	assert_int_equal(run(&j, 1, 3, 0), 0);
	assert_int_equal(j.merged, 1);
	assert_int_equal(j.items[0], 0);
}

static void test_fewer_items_than_jobs_times_min_share_fork_nothing(void **state)
{
	sghook_procs_map_opts o = SGHOOK_PROCS_MAP_OPTS_INIT;
	job j;
	size_t k;

	(void)state;
	job_init(&j);
	j.nitems = o.nitems = 11;
	o.jobs = 2;
	o.min_share = 6;
	o.record_size = sizeof(rec);
	o.share = share;
	o.merge = merge;
	o.ctx = &j;
	assert_int_equal(sghook_procs_map(&o), 0);
	assert_int_equal(j.merged, 11);
	for (k = 0; k < 11; k++)
		assert_int_equal(j.pids[k], (uint32_t)getpid());
	job_init(&j);
	j.nitems = o.nitems = 12;
	assert_int_equal(sghook_procs_map(&o), 0);
	assert_int_equal(j.merged, 12);
	assert_int_equal(distinct_pids(&j), 2);
}

static void test_jobs_1_runs_every_item_here_without_fork(void **state)
{
	job j;
	size_t k;

	(void)state;
	job_init(&j);
	assert_int_equal(run(&j, 100, 1, 0), 0);
	assert_int_equal(j.merged, 100);
	for (k = 0; k < 100; k++) {
		assert_int_equal(j.items[k], k);
		assert_int_equal(j.pids[k], (uint32_t)getpid());
	}
	assert_int_equal(j.progress, 100);
}

static void test_chunks_cover_every_item_once(void **state)
{
	job j;
	unsigned char seen[1000] = {0};
	size_t k;

	(void)state;
	job_init(&j);
	assert_int_equal(run(&j, 1000, 4, 7), 0);
	assert_int_equal(j.merged, 1000);
	for (k = 0; k < 1000; k++) {
		assert_false(seen[j.items[k]]);
		seen[j.items[k]] = 1;
	}
}

static void test_outputs_larger_than_a_pipe_arrive_whole(void **state)
{
	job j;

	(void)state;
	job_init(&j);
	j.bytes = 65000;
	assert_int_equal(run(&j, 12, 3, 0), 0);
	assert_int_equal(j.merged, 12);
}

static void test_a_child_error_comes_back_as_its_message(void **state)
{
	job j;

	(void)state;
	job_init(&j);
	j.fail_item = 8;
	assert_true(run(&j, 10, 3, 0) < 0);
	assert_string_equal(sghook_error_last(), "blob 8 is missing");
	assert_int_equal(j.merged, 0);
}

static void test_a_child_killed_by_a_signal_is_an_error(void **state)
{
	job j;

	(void)state;
	job_init(&j);
	j.kill_item = 9;
	assert_true(run(&j, 10, 2, 0) < 0);
	assert_non_null(strstr(sghook_error_last(), "killed by signal 9"));
	assert_int_equal(j.merged, 0);
}

static void test_a_bad_record_is_rejected(void **state)
{
	job j;

	(void)state;
	job_init(&j);
	j.bad_pid = 1;
	assert_true(run(&j, 10, 2, 0) < 0);
	assert_string_equal(sghook_error_last(),
		"a worker process sent a bad result");
	job_init(&j);
	j.bad_pid = 1;
	assert_true(run(&j, 10, 1, 0) < 0);
	assert_string_equal(sghook_error_last(),
		"a worker process sent a bad result");
}

static void test_without_children_the_caller_does_it_all(void **state)
{
	struct rlimit old, low;
	job j;
	size_t k;
	int fd;

	(void)state;
	job_init(&j);
	/* No descriptor left for a pipe: no child can be started. */
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	assert_true((fd = dup(0)) >= 0);
	close(fd);
	low = old;
	low.rlim_cur = (rlim_t)fd;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	assert_int_equal(run(&j, 50, 4, 0), 0);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_int_equal(j.merged, 50);
	for (k = 0; k < 50; k++) {
		assert_int_equal(j.items[k], k);
		assert_int_equal(j.pids[k], (uint32_t)getpid());
	}
}

static void test_with_sigchld_ignored_the_outputs_still_decide(void **state)
{
	job j;

	(void)state;
	/* Inherited through exec from a parent that ignores SIGCHLD. */
	signal(SIGCHLD, SIG_IGN);
	job_init(&j);
	assert_int_equal(run(&j, 10, 3, 0), 0);
	assert_int_equal(j.merged, 10);
	job_init(&j);
	j.fail_item = 9;
	assert_true(run(&j, 10, 3, 0) < 0);
	assert_string_equal(sghook_error_last(), "blob 9 is missing");
	job_init(&j);
	j.kill_item = 9;
	assert_true(run(&j, 10, 2, 0) < 0);
	assert_non_null(strstr(sghook_error_last(), "stopped before it finished"));
	signal(SIGCHLD, SIG_DFL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runs_merge_in_item_order_across_processes),
		cmocka_unit_test(test_shares_that_send_nothing_merge_nothing),
		cmocka_unit_test(test_fewer_items_than_jobs_times_min_share_fork_nothing),
		cmocka_unit_test(test_jobs_1_runs_every_item_here_without_fork),
		cmocka_unit_test(test_chunks_cover_every_item_once),
		cmocka_unit_test(test_outputs_larger_than_a_pipe_arrive_whole),
		cmocka_unit_test(test_a_child_error_comes_back_as_its_message),
		cmocka_unit_test(test_a_child_killed_by_a_signal_is_an_error),
		cmocka_unit_test(test_a_bad_record_is_rejected),
		cmocka_unit_test(test_without_children_the_caller_does_it_all),
		cmocka_unit_test(test_with_sigchld_ignored_the_outputs_still_decide),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
