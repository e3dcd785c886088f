/*
 * libgit2 inflates every object with zlib's streaming inflate(), about
 * two fifths of the CPU time of an audit. libdeflate inflates a whole
 * stream about twice as fast, but only a whole one, in one call. So when
 * a stream starts with all of its input at hand and room for all of its
 * output (a packed object within one pack window: nearly every one), it
 * goes to libdeflate; anything else, and anything libdeflate does not
 * finish (a stream that runs past the window, a bad one), goes to zlib
 * from the start, as before. The static build links this with
 * -Wl,--wrap=inflate, so that libgit2 itself is unchanged.
 *
 * The wrap also ends a loop of libgit2 1.9 on a truncated stream (a loose
 * object cut short: libgit2 issue 7342, fixed after 1.9). zlib answers
 * Z_BUF_ERROR when it has used all the input and could make no progress;
 * libgit2 takes that for "call again" and, with no input left to give,
 * calls again forever. A pack reader gives more input after such an
 * answer; only the stuck loop asks twice with nothing new, so a second
 * Z_BUF_ERROR in a row on the same stream, with no input and no progress,
 * is a broken stream.
 */
#include <zlib.h>
#include <libdeflate.h>

int __real_inflate(z_streamp strm, int flush);
int __wrap_inflate(z_streamp strm, int flush);

/* One per thread; they live as long as the thread, and are small. */
static _Thread_local struct libdeflate_decompressor *decompressor;

/* The stream that last got Z_BUF_ERROR with no input left, and where. */
static _Thread_local struct {
	z_streamp strm;
	uLong total_in, total_out;
} stalled;

static int real_inflate(z_streamp strm, int flush)
{
	int error;

	if (stalled.strm == strm && !strm->avail_in &&
	    stalled.total_in == strm->total_in &&
	    stalled.total_out == strm->total_out) {
		stalled.strm = NULL;
		strm->msg = (char *)"truncated compressed data";
		return Z_DATA_ERROR;
	}
	error = __real_inflate(strm, flush);
	if (error == Z_BUF_ERROR && !strm->avail_in) {
		stalled.strm = strm;
		stalled.total_in = strm->total_in;
		stalled.total_out = strm->total_out;
	} else if (stalled.strm == strm) {
		stalled.strm = NULL;
	}
	return error;
}

int __wrap_inflate(z_streamp strm, int flush)
{
	size_t in = 0, out = 0;

	if (flush != Z_FINISH || strm->total_in || strm->total_out ||
	    !strm->avail_in || !strm->avail_out)
		return real_inflate(strm, flush);
	if (!decompressor &&
	    !(decompressor = libdeflate_alloc_decompressor()))
		return real_inflate(strm, flush);
	if (libdeflate_zlib_decompress_ex(decompressor, strm->next_in,
	    strm->avail_in, strm->next_out, strm->avail_out, &in, &out) !=
	    LIBDEFLATE_SUCCESS)
		return real_inflate(strm, flush);
	strm->next_in += in;
	strm->avail_in -= (uInt)in;
	strm->total_in += in;
	strm->next_out += out;
	strm->avail_out -= (uInt)out;
	strm->total_out += out;
	return Z_STREAM_END;
}
