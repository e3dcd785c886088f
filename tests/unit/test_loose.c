/*
 * Unit tests of lib/loose.c: loose blobs written by the real git binary
 * (any compression, up to sizes that take many reads) come back byte for
 * byte; files that are absent, truncated, of another type or whose header
 * lies about the size are refused.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "scan_internal.h"

static char tmpdir[] = "/tmp/sghook-test-loose-XXXXXX";
static char objects[300];

/* `git hash-object -w` of a file, with a loose compression level. */
static void write_blob(git_oid *id, const char *file, int level)
{
	char *cmd, hex[GIT_OID_HEXSZ + 2];
	FILE *p;

	assert_true(asprintf(&cmd, "git -C '%s' -c core.looseCompression=%d "
		"hash-object -w '%s'", tmpdir, level, file) > 0);
	assert_non_null(p = popen(cmd, "r"));
	free(cmd);
	assert_non_null(fgets(hex, sizeof(hex), p));
	assert_int_equal(pclose(p), 0);
	hex[GIT_OID_HEXSZ] = '\0';
	assert_int_equal(git_oid_fromstr(id, hex), 0);
}

/* A file of `n` bytes of a repeating, not too compressible pattern. */
static char *make_file(const char *name, size_t n, char **content)
{
	char *path, *buf = malloc(n + 1);
	FILE *fp;
	size_t i;
	unsigned x = 12345;

	assert_non_null(buf);
	for (i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (char)(' ' + (x >> 16) % 95);
	}
	assert_true(asprintf(&path, "%s/%s", tmpdir, name) > 0);
	assert_non_null(fp = fopen(path, "wb"));
	assert_int_equal(fwrite(buf, 1, n, fp), n);
	fclose(fp);
	*content = buf;
	return path;
}

/* The loose file of `id`, for tests that spoil it. */
static char *object_path(const git_oid *id)
{
	char hex[GIT_OID_HEXSZ + 1], *path;

	git_oid_tostr(hex, sizeof(hex), id);
	assert_true(asprintf(&path, "%s/%.2s/%s", objects, hex, hex + 2) > 0);
	return path;
}

/* Writes a loose object file for `id` holding `raw` deflated. */
static void write_raw(const git_oid *id, const char *raw, size_t n)
{
	uLongf zlen = compressBound(n);
	unsigned char *z = malloc(zlen);
	char *path = object_path(id), *slash;
	FILE *fp;

	assert_non_null(z);
	assert_int_equal(compress(z, &zlen, (const Bytef *)raw, n), Z_OK);
	slash = strrchr(path, '/');
	*slash = '\0';
	mkdir(path, 0755);
	*slash = '/';
	chmod(path, 0644);
	assert_non_null(fp = fopen(path, "wb"));
	assert_int_equal(fwrite(z, 1, zlen, fp), zlen);
	fclose(fp);
	free(z);
	free(path);
}

static int setup(void **state)
{
	char *cmd;
	int rc;

	(void)state;
	git_libgit2_init();
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(objects, sizeof(objects), "%s/.git/objects", tmpdir);
	if (asprintf(&cmd, "git init -q '%s'", tmpdir) < 0)
		return -1;
	rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	char *cmd;

	(void)state;
	if (asprintf(&cmd, "rm -rf '%s'", tmpdir) > 0) {
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", tmpdir);
		free(cmd);
	}
	git_libgit2_shutdown();
	return 0;
}

static void check_roundtrip(const char *name, size_t n, int level)
{
	char *content, *file = make_file(name, n, &content), *got = NULL;
	size_t len = 0;
	git_oid id;

	write_blob(&id, file, level);
	assert_int_equal(sghook_loose_read(&got, &len, objects, &id), 0);
	assert_int_equal(len, n);
	assert_memory_equal(got, content, n);
	assert_int_equal(got[n], '\0');
	free(got);
	free(content);
	free(file);
}

static void test_a_small_blob_comes_back_as_git_wrote_it(void **state)
{
	(void)state;
	check_roundtrip("small", 100, -1);
}

static void test_an_empty_blob_comes_back_empty(void **state)
{
	(void)state;
	check_roundtrip("empty", 0, -1);
}

static void test_a_blob_of_many_reads_comes_back_at_any_compression(void **state)
{
	(void)state;
	check_roundtrip("stored", 3 << 20, 0);
	check_roundtrip("fast", 3 << 20, 1);
	check_roundtrip("best", 3 << 20, 9);
}

static void test_an_absent_object_is_not_found(void **state)
{
	git_oid id;
	char *got = NULL;
	size_t len;

	(void)state;
	assert_int_equal(git_oid_fromstr(&id,
		"0123456789abcdef0123456789abcdef01234567"), 0);
	assert_int_equal(sghook_loose_read(&got, &len, objects, &id),
		SGHOOK_ENOTFOUND);
	assert_null(got);
}

static void test_a_truncated_object_is_corrupt(void **state)
{
	char *content, *file = make_file("trunc", 200000, &content), *path;
	char *got = NULL;
	size_t len;
	struct stat st;
	git_oid id;

	(void)state;
	write_blob(&id, file, 1);
	path = object_path(&id);
	assert_int_equal(stat(path, &st), 0);
	chmod(path, 0644);
	assert_int_equal(truncate(path, st.st_size / 2), 0);
	assert_int_equal(sghook_loose_read(&got, &len, objects, &id),
		SGHOOK_ERROR);
	assert_non_null(strstr(sghook_error_last(), "corrupt loose object"));
	assert_null(got);
	free(path);
	free(content);
	free(file);
}

/* A made-up id whose file holds `raw`, deflated. */
static int read_raw(const char *raw, size_t n, char **got)
{
	static int k;
	char hex[GIT_OID_HEXSZ + 1];
	size_t len;
	git_oid id;

	snprintf(hex, sizeof(hex), "%040x", ++k);
	assert_int_equal(git_oid_fromstr(&id, hex), 0);
	write_raw(&id, raw, n);
	*got = NULL;
	return sghook_loose_read(got, &len, objects, &id);
}

static void test_a_header_that_lies_about_the_size_is_corrupt(void **state)
{
	char *got;

	(void)state;
	assert_int_equal(read_raw("blob 10\0abc", 11, &got), SGHOOK_ERROR);
	assert_non_null(strstr(sghook_error_last(), "corrupt loose object"));
	assert_int_equal(read_raw("blob 2\0abc", 10, &got), SGHOOK_ERROR);
	assert_null(got);
	assert_int_equal(read_raw("blob 3\0abc", 10, &got), 0);
	assert_string_equal(got, "abc");
	free(got);
}

static void test_an_object_that_is_not_a_blob_is_refused(void **state)
{
	char *got;

	(void)state;
	assert_int_equal(read_raw("tree 0\0", 7, &got), SGHOOK_ERROR);
	assert_non_null(strstr(sghook_error_last(), "not a loose blob"));
	assert_int_equal(read_raw("blob x\0", 7, &got), SGHOOK_ERROR);
	assert_int_equal(read_raw("blob 99999999999999999999999\0", 29, &got),
		SGHOOK_ERROR);
	assert_null(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_small_blob_comes_back_as_git_wrote_it),
		cmocka_unit_test(test_an_empty_blob_comes_back_empty),
		cmocka_unit_test(test_a_blob_of_many_reads_comes_back_at_any_compression),
		cmocka_unit_test(test_an_absent_object_is_not_found),
		cmocka_unit_test(test_a_truncated_object_is_corrupt),
		cmocka_unit_test(test_a_header_that_lies_about_the_size_is_corrupt),
		cmocka_unit_test(test_an_object_that_is_not_a_blob_is_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
