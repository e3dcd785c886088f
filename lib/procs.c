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
#include <stdatomic.h>
#include <signal.h>
#include <stddef.h>
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


static void *shared_new(size_t size);
static void shared_free(void *p, size_t size);

/* What a child sent, or what the calling process's own share put by. */
typedef struct {
	char *data;
	size_t len, alloc;
} output;

/* The calling process's bookkeeping of its children 1 to n - 1. */
typedef struct {
	pid_t *pids;
	struct pollfd *fds;     /* poll()'s array: one pipe per child */
	output *outs;
	size_t n;
} workers;

/* In memory that the children share with the calling process. */
typedef struct {
	atomic_size_t next;     /* chunks: items handed out */
	atomic_size_t done;     /* items completed */
	atomic_int failed;      /* a share failed: the others stop early */
} counters;

struct sghook_procs_share {
	const sghook_procs_map_opts *o;
	counters *c;
	size_t at, end;         /* the run being taken */
	size_t pending;         /* items taken and not counted as done */
	int local;              /* the calling process: it reports progress */
	FILE *fp;               /* a child: the pipe; else `buf` */
	output buf;
};

int sghook_procs_bad_result(void)
{
	return sghook_error_set("a worker process sent a bad result");
}

int sghook_procs_next(sghook_procs_share *sh, size_t *i)
{
	const sghook_procs_map_opts *o = sh->o;
	size_t start, done;

	if (sh->pending && (!o->chunk || sh->at == sh->end)) {
		done = atomic_fetch_add(&sh->c->done, sh->pending) + sh->pending;
		sh->pending = 0;
		if (sh->local && o->progress)
			o->progress(o->ctx, done, o->nitems);
	}
	if (atomic_load(&sh->c->failed))
		return 0;
	if (sh->at >= sh->end) {
		if (!o->chunk ||
		    (start = atomic_fetch_add(&sh->c->next, o->chunk)) >=
		    o->nitems)
			return 0;
		sh->at = start;
		sh->end = o->nitems - start < o->chunk ? o->nitems :
			start + o->chunk;
	}
	*i = sh->at++;
	sh->pending++;
	return 1;
}

static int put(sghook_procs_share *sh, const void *src, size_t len)
{
	if (!len)
		return 0;
	if (sh->fp)
		return fwrite(src, 1, len, sh->fp) == len ? 0 :
			sghook_error_set("cannot send results to the parent "
			"process");
	if (SGHOOK_ARRAY_GROW(sh->buf.data, sh->buf.alloc, sh->buf.len + len) < 0)
		return SGHOOK_ERROR;
	memcpy(sh->buf.data + sh->buf.len, src, len);
	sh->buf.len += len;
	return 0;
}

/* On the wire: the bytes' length, the record, the bytes. */
int sghook_procs_send(sghook_procs_share *sh, const void *record,
	const void *bytes, size_t nbytes)
{
	uint32_t len = (uint32_t)nbytes;
	int error;

	if (nbytes > UINT32_MAX - SGHOOK_PROCS_RECORD_MAX)
		return sghook_error_set("a result too large to send");
	if ((error = put(sh, &len, sizeof(len))) == 0 &&
	    (error = put(sh, record, sh->o->record_size)) == 0)
		error = put(sh, bytes, nbytes);
	return error;
}

static int share_run(sghook_procs_share *sh)
{
	int error = sh->o->share(sh->o->ctx, sh);

	if (error < 0)
		atomic_store(&sh->c->failed, 1);
	return error;
}

/* Share i of n: the i-th run of items, or chunks as they come. */
static void share_init(sghook_procs_share *sh, const sghook_procs_map_opts *o,
	counters *c, size_t i, size_t n)
{
	size_t per = (o->nitems + n - 1) / n;

	memset(sh, 0, sizeof(*sh));
	sh->o = o;
	sh->c = c;
	sh->local = i == 0;
	if (!o->chunk) {
		sh->at = i * per < o->nitems ? i * per : o->nitems;
		sh->end = o->nitems - sh->at < per ? o->nitems : sh->at + per;
	}
}

static void child_run(int fd, pid_t parent, sghook_procs_share *sh)
{
	FILE *out;
	const char *msg = "";
	uint32_t len;
	int error;

	/* A hook that its git host kills must not leave workers behind. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent || !(out = fdopen(fd, "w")))
		_exit(1);
	sh->fp = out;
	if ((error = share_run(sh)) < 0)
		msg = sghook_error_last();
	len = (uint32_t)strlen(msg);
	fwrite(msg, 1, len, out);
	fwrite(&len, sizeof(len), 1, out);
	fwrite(error < 0 ? mark_err : mark_ok, 1, MARK_LEN, out);
	/* _exit: the parent's stdio buffers and atexit handlers are not ours. */
	_exit(fclose(out) == 0 && error >= 0 ? 0 : 1);
}

static int read_some(output *o, int fd)
{
	ssize_t got;

	if (SGHOOK_ARRAY_GROW(o->data, o->alloc, o->len + 65536) < 0)
		return SGHOOK_ERROR;
	do
		got = read(fd, o->data + o->len, o->alloc - o->len);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return sghook_error_set("cannot read from a worker process: %s",
			strerror(errno));
	o->len += (size_t)got;
	return got > 0;
}

/* Checks child i's trailer and exit status, and strips the trailer. */
static int child_status(output *o, pid_t pid, size_t i)
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


static void workers_free(workers *w)
{
	size_t i;

	for (i = 0; w->outs && i < w->n; i++)
		free(w->outs[i].data);
	free(w->outs);
	free(w->pids);
	free(w->fds);
	memset(w, 0, sizeof(*w));
}

static int workers_init(workers *w, size_t n)
{
	size_t i;

	memset(w, 0, sizeof(*w));
	w->n = n;
	if (!(w->pids = calloc(n, sizeof(*w->pids))) ||
	    !(w->fds = calloc(n, sizeof(*w->fds))) ||
	    !(w->outs = calloc(n, sizeof(*w->outs)))) {
		workers_free(w);
		return -1;
	}
	for (i = 0; i < n; i++)
		w->fds[i].fd = -1;
	return 0;
}

/* Starts children 1 to n - 1: how many could be started. */
static size_t children_start(workers *w, const sghook_procs_map_opts *o,
	counters *c)
{
	sghook_procs_share sh;
	pid_t self = getpid(), pid;
	size_t i;
	int p[2];

	for (i = 1; i < w->n; i++) {
		if (pipe2(p, O_CLOEXEC) < 0)
			break;
		if ((pid = fork()) < 0) {
			close(p[0]);
			close(p[1]);
			break;
		}
		if (pid == 0) {
			close(p[0]);
			share_init(&sh, o, c, i, w->n);
			/*
			 * The parent's bookkeeping is not the child's: freed,
			 * a leak check of the child has nothing to report.
			 */
			workers_free(w);
			child_run(p[1], self, &sh);
		}
		close(p[1]);
		w->pids[i] = pid;
		w->fds[i].fd = p[0];
		w->fds[i].events = POLLIN;
	}
	return i - 1;
}

/* Reads the children's outputs until every one has finished. */
static int children_wait(workers *w, size_t running)
{
	size_t i;
	int error = 0, r;

	/*
	 * The children write their results when they are done, so a full
	 * pipe only holds up a child that has finished its work.
	 */
	while (running > 0 && error == 0) {
		if (poll(w->fds, w->n, -1) < 0) {
			if (errno == EINTR)
				continue;
			return sghook_error_set("cannot wait for the worker "
				"processes: %s", strerror(errno));
		}
		for (i = 1; i < w->n && error == 0; i++) {
			if (w->fds[i].fd < 0 || !w->fds[i].revents)
				continue;
			if ((r = read_some(&w->outs[i], w->fds[i].fd)) < 0) {
				error = r;
			} else if (r == 0) {
				close(w->fds[i].fd);
				w->fds[i].fd = -1;
				running--;
				error = child_status(&w->outs[i], w->pids[i], i);
				w->pids[i] = 0;
			}
		}
	}
	return error;
}

/* On failure the others' work is moot: stop them now. */
static void children_stop(workers *w)
{
	size_t i;

	for (i = 1; i < w->n; i++) {
		if (w->fds[i].fd >= 0)
			close(w->fds[i].fd);
		w->fds[i].fd = -1;
		if (w->pids[i] > 0) {
			kill(w->pids[i], SIGKILL);
			while (waitpid(w->pids[i], NULL, 0) < 0 && errno == EINTR)
				;
		}
		w->pids[i] = 0;
	}
}

/*
 * Shares 1 to n - 1 in children, share 0 here meanwhile (into sh0), their
 * outputs into w->outs[1..]. Returns 1 when the children could not be
 * started: nothing ran.
 */
static int run_shared(workers *w, sghook_procs_share *sh0,
	const sghook_procs_map_opts *o, counters *c)
{
	size_t running;
	int error = 1;

	if ((running = children_start(w, o, c)) + 1 == w->n) {
		share_init(sh0, o, c, 0, w->n);
		if ((error = share_run(sh0)) == 0)
			error = children_wait(w, running);
	}
	children_stop(w);
	return error;
}

/* One output's records, each checked against the output's end. */
static int merge_output(const sghook_procs_map_opts *o, const output *out)
{
	union {
		max_align_t align;
		char bytes[SGHOOK_PROCS_RECORD_MAX];
	} rec;
	const char *p, *end;
	uint32_t len;
	int error = 0;

	if (out->len == 0)
		return 0;  /* a share that sent nothing may have no buffer */
	p = out->data;
	end = p + out->len;
	while (p < end && error == 0) {
		if ((size_t)(end - p) < sizeof(len) + o->record_size)
			return sghook_procs_bad_result();
		memcpy(&len, p, sizeof(len));
		memcpy(rec.bytes, p + sizeof(len), o->record_size);
		p += sizeof(len) + o->record_size;
		if (len > (size_t)(end - p))
			return sghook_procs_bad_result();
		error = o->merge(o->ctx, rec.bytes, p, len);
		p += len;
	}
	return error;
}

int sghook_procs_map(const sghook_procs_map_opts *o)
{
	counters here, *c = NULL;
	sghook_procs_share sh0;
	workers w;
	size_t i;
	int error = 1;

	memset(&sh0, 0, sizeof(sh0));
	memset(&w, 0, sizeof(w));
	if (o->record_size > SGHOOK_PROCS_RECORD_MAX)
		return sghook_error_set("a record too large to send");
	if (o->jobs > 1 && o->nitems >= o->jobs * o->min_share &&
	    workers_init(&w, o->jobs) == 0 &&
	    (c = shared_new(sizeof(*c))))
		error = run_shared(&w, &sh0, o, c);
	if (error == 1) {
		/* One process, or no child could be started: all of it here. */
		free(sh0.buf.data);
		workers_free(&w);
		memset(&here, 0, sizeof(here));
		share_init(&sh0, o, &here, 0, 1);
		error = share_run(&sh0);
	}
	if (error == 0)
		error = merge_output(o, &sh0.buf);
	for (i = 1; i < w.n && error == 0; i++)
		error = merge_output(o, &w.outs[i]);
	workers_free(&w);
	free(sh0.buf.data);
	shared_free(c, sizeof(*c));
	return error;
}

static void *shared_new(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void shared_free(void *p, size_t size)
{
	if (p)
		munmap(p, size);
}
