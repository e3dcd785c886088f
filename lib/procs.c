/*
 * Child processes that share out work and send results back by pipe.
 *
 * A child's output ends with a trailer: its error message (empty when it
 * succeeded), the message's length and a four-byte mark. An output
 * without a trailer is a child that died before it finished, which is an
 * error whatever its exit status says.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "array.h"
#include "procs.h"
#include "sghook.h"

#define MARK_LEN 4
static const char mark_ok[MARK_LEN] = { 'S', 'G', 'O', 'K' };
static const char mark_err[MARK_LEN] = { 'S', 'G', 'E', 'R' };

static void child_run(int fd, pid_t parent, size_t i, sghook_proc_fn fn,
	void *ctx)
{
	FILE *out;
	const char *msg = "";
	uint32_t len;
	int error;

	/* A hook that its git host kills must not leave workers behind. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent || !(out = fdopen(fd, "w")))
		_exit(1);
	if ((error = fn(ctx, i, out)) < 0)
		msg = sghook_error_last();
	len = (uint32_t)strlen(msg);
	fwrite(msg, 1, len, out);
	fwrite(&len, sizeof(len), 1, out);
	fwrite(error < 0 ? mark_err : mark_ok, 1, MARK_LEN, out);
	/* _exit: the parent's stdio buffers and atexit handlers are not ours. */
	_exit(fclose(out) == 0 && error >= 0 ? 0 : 1);
}

static int read_some(sghook_proc_output *o, size_t *alloc, int fd)
{
	ssize_t got;

	if (SGHOOK_ARRAY_GROW(o->data, *alloc, o->len + 65536) < 0)
		return SGHOOK_ERROR;
	do
		got = read(fd, o->data + o->len, *alloc - o->len);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return sghook_error_set("cannot read from a worker process: %s",
			strerror(errno));
	o->len += (size_t)got;
	return got > 0;
}

/* Checks child i's trailer and exit status, and strips the trailer. */
static int judge_child(sghook_proc_output *o, pid_t pid, size_t i)
{
	uint32_t len = 0;
	int status = 0, reaped = 1;
	const char *end;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno == ECHILD) {
			/*
			 * SIGCHLD ignored by whoever started us (the setting
			 * survives exec): children are reaped unseen, and only
			 * the trailer tells that one finished.
			 */
			reaped = 0;
			break;
		}
		if (errno != EINTR)
			return sghook_error_set("cannot wait for worker process %zu: %s",
				i, strerror(errno));
	}
	if (o->len >= sizeof(len) + MARK_LEN) {
		end = o->data + o->len - MARK_LEN;
		memcpy(&len, end - sizeof(len), sizeof(len));
		if (len > o->len - sizeof(len) - MARK_LEN)
			len = 0, end = NULL;
	} else {
		end = NULL;
	}
	if (end && !memcmp(end, mark_err, MARK_LEN))
		return sghook_error_set("%.*s", (int)len,
			end - sizeof(len) - len);
	if (end && !memcmp(end, mark_ok, MARK_LEN) && len == 0 &&
	    (!reaped || (WIFEXITED(status) && WEXITSTATUS(status) == 0))) {
		o->len -= sizeof(len) + MARK_LEN;
		return 0;
	}
	if (!reaped)
		return sghook_error_set("worker process %zu stopped before it "
			"finished", i);
	if (WIFSIGNALED(status))
		return sghook_error_set("worker process %zu was killed by signal %d",
			i, WTERMSIG(status));
	return sghook_error_set("worker process %zu stopped before it finished "
		"(exit status %d)", i, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

int sghook_procs_run(sghook_proc_output *outputs, size_t n,
	sghook_proc_fn fn, sghook_proc_local local, void *ctx)
{
	pid_t *pids = calloc(n, sizeof(*pids)), self = getpid();
	struct pollfd *fds = calloc(n, sizeof(*fds));
	size_t *alloc = calloc(n, sizeof(*alloc));
	size_t i, running = 0;
	int error = 0, p[2], r;

	memset(outputs, 0, n * sizeof(*outputs));
	if (!pids || !fds || !alloc) {
		error = 1;
		goto done;
	}
	for (i = 0; i < n; i++)
		fds[i].fd = -1;
	for (i = 1; i < n; i++, running++) {
		if (pipe2(p, O_CLOEXEC) < 0)
			break;
		if ((pids[i] = fork()) < 0) {
			pids[i] = 0;
			close(p[0]);
			close(p[1]);
			break;
		}
		if (pids[i] == 0) {
			close(p[0]);
			child_run(p[1], self, i, fn, ctx);
		}
		close(p[1]);
		fds[i].fd = p[0];
		fds[i].events = POLLIN;
	}
	if (running + 1 < n) {
		error = 1;
		goto stop;
	}
	/*
	 * The children write their results when they are done, so a full
	 * pipe only holds up a child that has finished its work.
	 */
	if (local && (error = local(ctx)) < 0)
		goto stop;
	while (running > 0 && error == 0) {
		if (poll(fds, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			error = sghook_error_set("cannot wait for the worker "
				"processes: %s", strerror(errno));
			break;
		}
		for (i = 1; i < n && error == 0; i++) {
			if (fds[i].fd < 0 || !fds[i].revents)
				continue;
			if ((r = read_some(&outputs[i], &alloc[i], fds[i].fd)) < 0) {
				error = r;
			} else if (r == 0) {
				close(fds[i].fd);
				fds[i].fd = -1;
				running--;
				error = judge_child(&outputs[i], pids[i], i);
				pids[i] = 0;
			}
		}
	}
stop:
	/* On failure the others' work is moot: stop them now. */
	for (i = 1; i < n; i++) {
		if (fds[i].fd >= 0)
			close(fds[i].fd);
		if (pids[i] > 0) {
			kill(pids[i], SIGKILL);
			while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
				;
		}
	}
done:
	if (error != 0)
		sghook_procs_outputs_free(outputs, n);
	free(pids);
	free(fds);
	free(alloc);
	return error;
}

void sghook_procs_outputs_free(sghook_proc_output *outputs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(outputs[i].data);
		outputs[i].data = NULL;
		outputs[i].len = 0;
	}
}

int sghook_procs_put(FILE *out, const void *src, size_t len)
{
	if (len && fwrite(src, 1, len, out) != len)
		return sghook_error_set("cannot send results to the parent "
			"process");
	return 0;
}

int sghook_procs_take(sghook_procs_reader *r, void *dst, size_t len)
{
	if ((size_t)(r->end - r->p) < len)
		return sghook_error_set("a worker process sent a truncated result");
	memcpy(dst, r->p, len);
	r->p += len;
	return 0;
}

void *sghook_procs_shared_new(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void sghook_procs_shared_free(void *p, size_t size)
{
	if (p)
		munmap(p, size);
}
