/*
 * Unit tests of lib/procs.c: real child processes (fork), their outputs
 * in order, and every way a child can fail turned into an error.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "procs.h"
#include "sghook.h"

static int write_index(void *ctx, size_t i, FILE *out)
{
	(void)ctx;
	fprintf(out, "child %zu of pid %ld", i, (long)getpid());
	return 0;
}

static int write_a_lot(void *ctx, size_t i, FILE *out)
{
	size_t k;

	(void)ctx;
	/* Far more than a pipe holds, so the parent must read as it goes. */
	for (k = 0; k < 300000; k++)
		fputc('a' + (int)((i + k) % 26), out);
	return 0;
}

static int fail_second(void *ctx, size_t i, FILE *out)
{
	(void)ctx;
	fputs("partial", out);
	if (i == 1)
		return sghook_error_set("blob %s is missing", "abc123");
	return 0;
}

static int die_by_signal(void *ctx, size_t i, FILE *out)
{
	(void)ctx;
	(void)out;
	if (i == 1)
		raise(SIGKILL);
	return 0;
}

static int exit_early(void *ctx, size_t i, FILE *out)
{
	(void)ctx;
	fputs("half of it", out);
	fflush(out);
	if (i == 1)
		_exit(0);  /* status 0, but it never finished */
	return 0;
}

static int count_in_shared(void *ctx, size_t i, FILE *out)
{
	atomic_int *shared = ctx;

	(void)i;
	(void)out;
	atomic_fetch_add(shared, 1);
	return 0;
}

/* Shared between the test and the children it starts. */
typedef struct {
	atomic_int started, finished;
	atomic_long local_pid;
} rendezvous;

static int wait_for_local(void *ctx, size_t i, FILE *out)
{
	rendezvous *r = ctx;

	(void)i;
	(void)out;
	atomic_fetch_add(&r->started, 1);
	/* Local must run while the children do, not after them. */
	while (!atomic_load(&r->local_pid))
		usleep(1000);
	atomic_fetch_add(&r->finished, 1);
	return 0;
}

static int local_work(void *ctx)
{
	rendezvous *r = ctx;

	atomic_store(&r->local_pid, (long)getpid());
	return 0;
}

static int sleep_long(void *ctx, size_t i, FILE *out)
{
	rendezvous *r = ctx;

	(void)i;
	(void)out;
	atomic_fetch_add(&r->started, 1);
	sleep(20);
	atomic_fetch_add(&r->finished, 1);
	return 0;
}

static int local_fails(void *ctx)
{
	rendezvous *r = ctx;

	while (atomic_load(&r->started) < 2)
		usleep(1000);
	return sghook_error_set("local share failed");
}

static void test_each_child_output_comes_back_in_its_own_slot(void **state)
{
	sghook_proc_output out[3];
	char want[64];
	size_t i;

	(void)state;
	assert_int_equal(sghook_procs_run(out, 3, write_index, NULL, NULL), 0);
	assert_null(out[0].data);  /* slot 0 is the caller's own share */
	for (i = 1; i < 3; i++) {
		snprintf(want, sizeof(want), "child %zu of pid ", i);
		assert_true(out[i].len > strlen(want));
		assert_memory_equal(out[i].data, want, strlen(want));
		/* Each ran in a process of its own, not in the test's. */
		assert_int_not_equal(atol(out[i].data + strlen(want)),
			(long)getpid());
	}
	sghook_procs_outputs_free(out, 3);
}

static void test_outputs_larger_than_a_pipe_arrive_whole(void **state)
{
	sghook_proc_output out[3];
	size_t i, k;

	(void)state;
	assert_int_equal(sghook_procs_run(out, 3, write_a_lot, NULL, NULL), 0);
	for (i = 1; i < 3; i++) {
		assert_int_equal(out[i].len, 300000);
		for (k = 0; k < 300000; k += 9973)
			assert_int_equal(out[i].data[k], 'a' + (int)((i + k) % 26));
	}
	sghook_procs_outputs_free(out, 3);
}

static void test_a_child_error_comes_back_as_its_message(void **state)
{
	sghook_proc_output out[3];

	(void)state;
	assert_true(sghook_procs_run(out, 3, fail_second, NULL, NULL) < 0);
	assert_string_equal(sghook_error_last(), "blob abc123 is missing");
	assert_null(out[0].data);
	assert_null(out[1].data);
}

static void test_a_child_killed_by_a_signal_is_an_error(void **state)
{
	sghook_proc_output out[2];

	(void)state;
	assert_true(sghook_procs_run(out, 2, die_by_signal, NULL, NULL) < 0);
	assert_non_null(strstr(sghook_error_last(), "killed by signal 9"));
}

static void test_a_child_that_exits_0_before_finishing_is_an_error(void **state)
{
	sghook_proc_output out[2];

	(void)state;
	assert_true(sghook_procs_run(out, 2, exit_early, NULL, NULL) < 0);
	assert_non_null(strstr(sghook_error_last(), "stopped before it finished"));
}

static void test_shared_memory_is_seen_by_every_child(void **state)
{
	sghook_proc_output out[4];
	atomic_int *shared = sghook_procs_shared_new(sizeof(*shared));

	(void)state;
	assert_non_null(shared);
	assert_int_equal(atomic_load(shared), 0);
	assert_int_equal(sghook_procs_run(out, 4, count_in_shared, NULL,
		shared), 0);
	assert_int_equal(atomic_load(shared), 3);
	sghook_procs_outputs_free(out, 4);
	sghook_procs_shared_free(shared, sizeof(*shared));
}

static void test_local_runs_in_the_caller_while_the_children_work(void **state)
{
	sghook_proc_output out[3];
	rendezvous *r = sghook_procs_shared_new(sizeof(*r));

	(void)state;
	assert_non_null(r);
	assert_int_equal(sghook_procs_run(out, 3, wait_for_local, local_work,
		r), 0);
	assert_int_equal(atomic_load(&r->local_pid), (long)getpid());
	assert_int_equal(atomic_load(&r->finished), 2);
	sghook_procs_outputs_free(out, 3);
	sghook_procs_shared_free(r, sizeof(*r));
}

static void test_a_local_failure_kills_the_children_and_is_the_error(void **state)
{
	sghook_proc_output out[3];
	rendezvous *r = sghook_procs_shared_new(sizeof(*r));

	(void)state;
	assert_non_null(r);
	assert_true(sghook_procs_run(out, 3, sleep_long, local_fails, r) < 0);
	assert_string_equal(sghook_error_last(), "local share failed");
	/* Killed, not waited for: neither got past its sleep. */
	assert_int_equal(atomic_load(&r->started), 2);
	assert_int_equal(atomic_load(&r->finished), 0);
	assert_null(out[1].data);
	sghook_procs_shared_free(r, sizeof(*r));
}

static void test_with_sigchld_ignored_the_outputs_still_decide(void **state)
{
	sghook_proc_output out[3];

	(void)state;
	/* Inherited through exec from a parent that ignores SIGCHLD. */
	signal(SIGCHLD, SIG_IGN);
	assert_int_equal(sghook_procs_run(out, 2, write_index, NULL, NULL), 0);
	assert_non_null(out[1].data);
	sghook_procs_outputs_free(out, 2);
	assert_true(sghook_procs_run(out, 2, exit_early, NULL, NULL) < 0);
	assert_non_null(strstr(sghook_error_last(), "stopped before it finished"));
	assert_true(sghook_procs_run(out, 3, fail_second, NULL, NULL) < 0);
	assert_string_equal(sghook_error_last(), "blob abc123 is missing");
	signal(SIGCHLD, SIG_DFL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_child_output_comes_back_in_its_own_slot),
		cmocka_unit_test(test_outputs_larger_than_a_pipe_arrive_whole),
		cmocka_unit_test(test_a_child_error_comes_back_as_its_message),
		cmocka_unit_test(test_a_child_killed_by_a_signal_is_an_error),
		cmocka_unit_test(test_a_child_that_exits_0_before_finishing_is_an_error),
		cmocka_unit_test(test_shared_memory_is_seen_by_every_child),
		cmocka_unit_test(test_local_runs_in_the_caller_while_the_children_work),
		cmocka_unit_test(test_a_local_failure_kills_the_children_and_is_the_error),
		cmocka_unit_test(test_with_sigchld_ignored_the_outputs_still_decide),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
