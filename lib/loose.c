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

/* One read and inflate: 1 at the stream's end, 0 for more, <0 on error. */
static int step(z_stream *zs, int fd, unsigned char *in, const char *path)
{
	ssize_t n;
	int zrc;

	if (zs->avail_in == 0) {
		if ((n = read(fd, in, READ_SIZE)) < 0)
			return sghook_error_set("cannot read %s: %s", path,
				strerror(errno));
		zs->next_in = in;
		zs->avail_in = (uInt)n;
	}
	if ((zrc = inflate(zs, Z_NO_FLUSH)) == Z_STREAM_END)
		return 1;
	if (zrc == Z_OK)
		return 0;
	/* Also Z_BUF_ERROR: the file ended before the stream. */
	return sghook_error_set("%s: corrupt loose object", path);
}

int sghook_loose_read(char **out, size_t *outlen, const char *objects_dir,
	const git_oid *id)
{
	unsigned char in[READ_SIZE], head[HEADER_MAX];
	char hex[GIT_OID_HEXSZ + 1], *path = NULL, *body = NULL;
	size_t size = 0, hlen = 0, have, left, got;
	uInt before;
	z_stream zs;
	int fd = -1, zok = 0, end = 0, error;

	memset(&zs, 0, sizeof(zs));
	git_oid_tostr(hex, sizeof(hex), id);
	if (asprintf(&path, "%s/%.2s/%s", objects_dir, hex, hex + 2) < 0) {
		path = NULL;
		error = sghook_error_set("out of memory");
		goto done;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		error = errno == ENOENT ? SGHOOK_ENOTFOUND :
			sghook_error_set("cannot read %s: %s", path,
			strerror(errno));
		goto done;
	}
	if (inflateInit(&zs) != Z_OK) {
		error = sghook_error_set("out of memory");
		goto done;
	}
	zok = 1;
	zs.next_out = head;
	zs.avail_out = sizeof(head);
	while (!end && zs.avail_out > 0 &&
	    !memchr(head, '\0', sizeof(head) - zs.avail_out))
		if ((end = step(&zs, fd, in, path)) < 0) {
			error = end;
			goto done;
		}
	have = sizeof(head) - zs.avail_out;
	if (parse_header(&size, head, have, &hlen) < 0 ||
	    (left = have - hlen) > size) {
		error = sghook_error_set("%s: not a loose blob", path);
		goto done;
	}
	if (!(body = malloc(size + 1))) {
		error = sghook_error_set("out of memory");
		goto done;
	}
	memcpy(body, head + hlen, left);
	/* Room for one byte more than the header says, to catch a liar. */
	for (got = left; !end && got <= size; got += before - zs.avail_out) {
		zs.next_out = (unsigned char *)body + got;
		zs.avail_out = size + 1 - got > UINT_MAX ? UINT_MAX :
			(uInt)(size + 1 - got);
		before = zs.avail_out;
		if ((end = step(&zs, fd, in, path)) < 0) {
			error = end;
			goto done;
		}
	}
	if (!end || got != size) {
		error = sghook_error_set("%s: corrupt loose object", path);
		goto done;
	}
	body[size] = '\0';
	*out = body;
	*outlen = size;
	body = NULL;
	error = 0;
done:
	if (zok)
		inflateEnd(&zs);
	if (fd >= 0)
		close(fd);
	free(body);
	free(path);
	return error;
}
