/*
 * Reading a loose object in its own size of memory. libgit2 reads a loose
 * object's whole compressed file before it inflates it, so a large blob
 * that compresses badly (a new 200 MiB file, staged or pushed) took twice
 * its size; here the file is inflated in small reads, straight into a
 * buffer of the object's size.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "scan_internal.h"

#define READ_SIZE 65536
/* "blob " and up to 20 digits and a NUL: a longer header is not git's. */
#define HEADER_MAX 32

/* The size of a "blob <size>\0" header, or -1 when it is not one. */
static int parse_header(size_t *size, const unsigned char *h, size_t n,
	size_t *hlen)
{
	size_t i, v = 0;

	if (n < 7 || memcmp(h, "blob ", 5))
		return -1;
	for (i = 5; i < n && h[i] >= '0' && h[i] <= '9'; i++) {
		if (v > (SIZE_MAX - 10) / 10)
			return -1;
		v = v * 10 + (size_t)(h[i] - '0');
	}
	if (i == 5 || i >= n || h[i] != '\0')
		return -1;
	*size = v;
	*hlen = i + 1;
	return 0;
}

/* A loose object's file, inflated as it is read. */
typedef struct {
	z_stream zs;
	int zok;                     /* zs is initialised */
	int fd;
	int end;                     /* the stream has ended */
	char *path;
	unsigned char *in;           /* READ_SIZE bytes */
} reader;

/* One read and inflate: 1 at the stream's end, 0 for more, <0 on error. */
static int step(reader *r)
{
	ssize_t n;
	int zrc;

	if (r->zs.avail_in == 0) {
		if ((n = read(r->fd, r->in, READ_SIZE)) < 0)
			return sghook_error_set("cannot read %s: %s", r->path,
				strerror(errno));
		r->zs.next_in = r->in;
		r->zs.avail_in = (uInt)n;
	}
	if ((zrc = inflate(&r->zs, Z_NO_FLUSH)) == Z_STREAM_END)
		return r->end = 1;
	if (zrc == Z_OK)
		return 0;
	/* Also Z_BUF_ERROR: the file ended before the stream. */
	return sghook_error_set("%s: corrupt loose object", r->path);
}

/* The file of `id` under `objects_dir`, opened for inflating. */
static int reader_open(reader *r, const char *objects_dir, const git_oid *id)
{
	char hex[GIT_OID_HEXSZ + 1];

	git_oid_tostr(hex, sizeof(hex), id);
	if (asprintf(&r->path, "%s/%.2s/%s", objects_dir, hex, hex + 2) < 0) {
		r->path = NULL;
		return sghook_error_set("out of memory");
	}
	if ((r->fd = open(r->path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? SGHOOK_ENOTFOUND :
			sghook_error_set("cannot read %s: %s", r->path,
			strerror(errno));
	if (inflateInit(&r->zs) != Z_OK)
		return sghook_error_set("out of memory");
	r->zok = 1;
	return 0;
}

static void reader_close(reader *r)
{
	if (r->zok)
		inflateEnd(&r->zs);
	if (r->fd >= 0)
		close(r->fd);
	free(r->path);
}

/*
 * Inflates up to the header's NUL into `head`: the object's size, and in
 * head[hlen, *have) the first bytes of its body.
 */
static int read_header(reader *r, unsigned char *head, size_t *size,
	size_t *hlen, size_t *have)
{
	int error;

	r->zs.next_out = head;
	r->zs.avail_out = HEADER_MAX;
	while (!r->end && r->zs.avail_out > 0 &&
	    !memchr(head, '\0', HEADER_MAX - r->zs.avail_out))
		if ((error = step(r)) < 0)
			return error;
	*have = HEADER_MAX - r->zs.avail_out;
	if (parse_header(size, head, *have, hlen) < 0 || *have - *hlen > *size)
		return sghook_error_set("%s: not a loose blob", r->path);
	return 0;
}

/* The rest of the body after the `got` bytes of it in body[]. */
static int read_body(reader *r, char *body, size_t size, size_t got)
{
	uInt before;
	int error;

	/* Room for one byte more than the header says, to catch a liar. */
	for (; !r->end && got <= size; got += before - r->zs.avail_out) {
		r->zs.next_out = (unsigned char *)body + got;
		r->zs.avail_out = size + 1 - got > UINT_MAX ? UINT_MAX :
			(uInt)(size + 1 - got);
		before = r->zs.avail_out;
		if ((error = step(r)) < 0)
			return error;
	}
	if (!r->end || got != size)
		return sghook_error_set("%s: corrupt loose object", r->path);
	return 0;
}

int sghook_loose_read(char **out, size_t *outlen, const char *objects_dir,
	const git_oid *id)
{
	unsigned char in[READ_SIZE], head[HEADER_MAX];
	char *body = NULL;
	size_t size = 0, hlen = 0, have = 0;
	reader r;
	int error;

	memset(&r, 0, sizeof(r));
	r.fd = -1;
	r.in = in;
	if ((error = reader_open(&r, objects_dir, id)) < 0 ||
	    (error = read_header(&r, head, &size, &hlen, &have)) < 0)
		goto done;
	if (!(body = malloc(size + 1))) {
		error = sghook_error_set("out of memory");
		goto done;
	}
	memcpy(body, head + hlen, have - hlen);
	if ((error = read_body(&r, body, size, have - hlen)) < 0)
		goto done;
	body[size] = '\0';
	*out = body;
	*outlen = size;
	body = NULL;
done:
	reader_close(&r);
	free(body);
	return error;
}
