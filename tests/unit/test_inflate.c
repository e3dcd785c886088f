/*
 * Unit tests of lib/inflate.c, through zlib's own inflate() as libgit2
 * calls it: the static build wraps it (-Wl,--wrap=inflate), and whichever
 * of libdeflate and zlib does the work, a stream inflates to the same
 * bytes, with the same counts, and a bad one is an error.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <cmocka.h>

#define LEN 100000

static unsigned char plain[LEN];
static unsigned char packed[LEN + 1024];
static uLong packed_len;

static int setup(void **state)
{
	unsigned long x = 12345;
	size_t i;

	(void)state;
	/* Text-like and compressible, but not trivially. */
	for (i = 0; i < LEN; i++) {
		x = x * 1103515245 + 12345;
		plain[i] = (unsigned char)("abcdefgh \n"[(x >> 16) % 10]);
	}
	packed_len = sizeof(packed);
	return compress2(packed, &packed_len, plain, LEN, 6) == Z_OK ? 0 : -1;
}

static void start(z_stream *z)
{
	memset(z, 0, sizeof(*z));
	assert_int_equal(inflateInit(z), Z_OK);
}

static void test_a_whole_stream_inflates_in_one_call(void **state)
{
	unsigned char out[LEN + 1], in[LEN + 1024];
	z_stream z;

	(void)state;
	/* trailing bytes after the stream, as in a pack */
	memcpy(in, packed, packed_len);
	memset(in + packed_len, 0x5a, 7);
	start(&z);
	z.next_in = in;
	z.avail_in = (uInt)packed_len + 7;
	z.next_out = out;
	z.avail_out = sizeof(out);
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	assert_int_equal(z.total_out, LEN);
	assert_int_equal(z.total_in, packed_len);
	assert_int_equal(z.avail_in, 7);
	assert_int_equal(z.avail_out, 1);
	assert_ptr_equal(z.next_in, in + packed_len);
	assert_memory_equal(out, plain, LEN);
	inflateEnd(&z);
}

static void test_a_stream_split_across_calls_inflates_the_same(void **state)
{
	unsigned char out[LEN + 1];
	z_stream z;
	int rc;

	(void)state;
	/* the first part only, as when an object runs past a pack window */
	start(&z);
	z.next_in = packed;
	z.avail_in = (uInt)(packed_len / 2);
	z.next_out = out;
	z.avail_out = sizeof(out);
	rc = inflate(&z, Z_FINISH);
	assert_true(rc == Z_BUF_ERROR || rc == Z_OK);
	assert_int_equal(z.avail_in, 0);
	z.avail_in = (uInt)(packed_len - packed_len / 2);
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	assert_int_equal(z.total_out, LEN);
	assert_memory_equal(out, plain, LEN);
	inflateEnd(&z);
}

static void test_a_small_output_buffer_gets_the_stream_in_parts(void **state)
{
	unsigned char out[LEN + 1];
	z_stream z;

	(void)state;
	/* the first bytes only, as libgit2 reads a loose object's header */
	start(&z);
	z.next_in = packed;
	z.avail_in = (uInt)packed_len;
	z.next_out = out;
	z.avail_out = 32;
	assert_int_equal(inflate(&z, Z_FINISH), Z_BUF_ERROR);
	assert_int_equal(z.total_out, 32);
	z.avail_out = sizeof(out) - 32;
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	assert_int_equal(z.total_out, LEN);
	assert_memory_equal(out, plain, LEN);
	inflateEnd(&z);
}

static void test_a_stream_inflates_again_after_a_reset(void **state)
{
	unsigned char out[LEN + 1];
	z_stream z;
	int round;

	(void)state;
	start(&z);
	for (round = 0; round < 2; round++) {
		z.next_in = packed;
		z.avail_in = (uInt)packed_len;
		z.next_out = out;
		z.avail_out = sizeof(out);
		assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
		assert_int_equal(z.total_out, LEN);
		assert_memory_equal(out, plain, LEN);
		assert_int_equal(inflateReset(&z), Z_OK);
	}
	inflateEnd(&z);
}

static void inflate_broken(size_t at)
{
	unsigned char out[LEN + 1], in[LEN + 1024];
	z_stream z;

	memcpy(in, packed, packed_len);
	in[at] ^= 0x55;
	start(&z);
	z.next_in = in;
	z.avail_in = (uInt)packed_len;
	z.next_out = out;
	z.avail_out = sizeof(out);
	assert_int_equal(inflate(&z, Z_FINISH), Z_DATA_ERROR);
	inflateEnd(&z);
}

static void test_a_corrupt_stream_is_an_error(void **state)
{
	(void)state;
	inflate_broken(packed_len / 3);
}

static void test_a_stream_whose_checksum_is_wrong_is_an_error(void **state)
{
	(void)state;
	inflate_broken(packed_len - 1);  /* the last byte of the Adler-32 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_whole_stream_inflates_in_one_call),
		cmocka_unit_test(test_a_stream_split_across_calls_inflates_the_same),
		cmocka_unit_test(test_a_small_output_buffer_gets_the_stream_in_parts),
		cmocka_unit_test(test_a_stream_inflates_again_after_a_reset),
		cmocka_unit_test(test_a_corrupt_stream_is_an_error),
		cmocka_unit_test(test_a_stream_whose_checksum_is_wrong_is_an_error),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
