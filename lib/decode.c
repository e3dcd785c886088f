/*
 * Secrets stored encoded: base64 (a Kubernetes Secret, a Docker config,
 * CI variables) and UTF-16 text (what Windows editors save).
 *
 * The cost of looking must stay that of a literal test, so nothing is
 * decoded blindly. A keyword encoded has bytes that do not depend on what
 * surrounds it: in base64, the characters wholly made of its bits, at each
 * of the three alignments a byte string can have; in UTF-16, its
 * characters interleaved with NULs (the same bytes in either byte order,
 * one byte apart). Those literals are derived from the rules' keywords,
 * searched for like the keywords themselves, and only the text around a
 * hit is decoded, with the alignment the hit gives.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sghook.h"

/* How far from a hit a base64 run is decoded, each way, in characters. */
#define WINDOW 16384

const char *sghook_encoding_name(sghook_encoding e)
{
	switch (e) {
	case SGHOOK_ENCODING_BASE64: return "base64";
	case SGHOOK_ENCODING_UTF16LE: return "utf-16le";
	case SGHOOK_ENCODING_UTF16BE: return "utf-16be";
	default: return NULL;
	}
}

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The value of a base64 character of either alphabet, or -1. */
static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* ---- the literals a keyword becomes ----------------------------------- */

/* A pair of bytes at `off` in form `form`, for the index. */
struct sghook_decode_gram {
	uint16_t gram;
	uint16_t off;
	uint32_t form;
};

static unsigned gram_at(const char *p)
{
	return (unsigned char)p[0] | (unsigned)(unsigned char)p[1] << 8;
}

static int by_gram(const void *a, const void *b)
{
	const struct sghook_decode_gram *x = a, *y = b;

	return (x->gram > y->gram) - (x->gram < y->gram);
}

static int forms_index(sghook_decode_forms *f)
{
	struct sghook_decode_gram *g;
	size_t i, off, n = 0, stride = SIZE_MAX;

	free(f->gram_bits);
	free(f->grams);
	f->gram_bits = NULL;
	f->grams = NULL;
	f->ngrams = 0;
	for (i = 0; i < f->count; i++)
		if (f->items[i].len - 1 < stride)
			stride = f->items[i].len - 1;
	if (!f->count)
		return 0;
	if (!(f->gram_bits = calloc(65536 / 8, 1)) ||
	    !(g = calloc(f->count * stride, sizeof(*g))))
		return sghook_error_set("out of memory");
	f->grams = g;
	for (i = 0; i < f->count; i++)
		for (off = 0; off < stride; off++) {
			unsigned v = gram_at(f->items[i].lit + off);

			f->gram_bits[v >> 3] |= (unsigned char)(1u << (v & 7));
			g[n].gram = (uint16_t)v;
			g[n].off = (uint16_t)off;
			g[n++].form = (uint32_t)i;
		}
	qsort(g, n, sizeof(*g), by_gram);
	f->ngrams = n;
	f->stride = stride;
	return 0;
}

static int form_add(sghook_decode_forms *f, const char *lit, size_t len,
	sghook_encoding outer, unsigned phase, int depth)
{
	sghook_decode_form *grown, *x;
	size_t i, cap;

	for (i = 0; i < f->count; i++)
		if (f->items[i].len == len && f->items[i].outer == outer &&
		    f->items[i].phase == phase && !memcmp(f->items[i].lit, lit, len))
			return 0;
	if (f->count == f->alloc) {
		cap = f->alloc ? f->alloc * 2 : 16;
		if (cap < f->alloc ||
		    !(grown = realloc(f->items, cap * sizeof(*grown))))
			return sghook_error_set("out of memory");
		f->items = grown;
		f->alloc = cap;
	}
	x = &f->items[f->count];
	if (!(x->lit = malloc(len)))
		return sghook_error_set("out of memory");
	memcpy(x->lit, lit, len);
	x->len = len;
	x->outer = outer;
	x->phase = phase;
	x->depth = depth;
	f->count++;
	return 0;
}

/*
 * The forms of `s` under one more encoding: base64 at each alignment
 * (a = the bytes before it in its group of three), in the URL-safe
 * alphabet too when that differs, and UTF-16 unless `s` is UTF-16
 * already.
 */
static int forms_derive(sghook_decode_forms *f, const char *s, size_t len,
	int depth, int utf16)
{
	char *in = NULL, *enc = NULL, *lit;
	size_t a, i, n, first, last;
	unsigned v;
	int error = 0;

	if (len < 2)
		return 0;
	if (!(in = calloc(len + 4, 1)) || !(enc = malloc((len + 4) / 3 * 4 + 4))) {
		error = sghook_error_set("out of memory");
		goto done;
	}
	for (a = 0; a < 3 && error == 0; a++) {
		memset(in, 0, len + 4);
		memcpy(in + a, s, len);
		n = (a + len + 2) / 3 * 3;
		for (i = 0; i < n; i += 3) {
			v = (unsigned char)in[i] << 16 |
				(unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
			enc[i / 3 * 4] = b64[v >> 18];
			enc[i / 3 * 4 + 1] = b64[v >> 12 & 63];
			enc[i / 3 * 4 + 2] = b64[v >> 6 & 63];
			enc[i / 3 * 4 + 3] = b64[v & 63];
		}
		/* The characters made of the keyword's bits alone. */
		first = (8 * a + 5) / 6;
		last = (8 * (a + len)) / 6;
		if (last <= first + 1)
			continue;
		lit = enc + first;
		if ((error = form_add(f, lit, last - first, SGHOOK_ENCODING_BASE64,
		    (unsigned)(first % 4), depth)) < 0)
			break;
		if (!memchr(lit, '+', last - first) && !memchr(lit, '/', last - first))
			continue;
		for (i = first; i < last; i++)
			enc[i] = enc[i] == '+' ? '-' : enc[i] == '/' ? '_' : enc[i];
		error = form_add(f, lit, last - first, SGHOOK_ENCODING_BASE64,
			(unsigned)(first % 4), depth);
	}
	if (error == 0 && !utf16) {
		/* s\0g\0p\0_ : the bytes both byte orders share. */
		free(enc);
		if (!(enc = calloc(2 * len, 1))) {
			error = sghook_error_set("out of memory");
			goto done;
		}
		for (i = 0; i < len; i++)
			enc[2 * i] = s[i];
		error = form_add(f, enc, 2 * len - 1, SGHOOK_ENCODING_UTF16LE, 0,
			depth);
	}
done:
	free(in);
	free(enc);
	return error;
}

int sghook_decode_forms_add(sghook_decode_forms *f, const char *kw,
	size_t len)
{
	size_t from, to, i;
	int error;

	/* The keyword itself, so that one pass looks for every form. */
	if (len >= 2 && (error = form_add(f, kw, len, SGHOOK_ENCODING_NONE, 0,
	    0)) < 0)
		return error;
	from = f->count;
	if ((error = forms_derive(f, kw, len, 1, 0)) < 0)
		return error;
	to = f->count;
	for (i = from; i < to && error == 0; i++) {
		/* The items may move as forms are added: copy the literal. */
		char *lit = malloc(f->items[i].len);
		size_t n = f->items[i].len;
		int utf16 = f->items[i].outer != SGHOOK_ENCODING_BASE64;

		if (!lit)
			return sghook_error_set("out of memory");
		memcpy(lit, f->items[i].lit, n);
		error = forms_derive(f, lit, n, 2, utf16);
		free(lit);
	}
	return error < 0 ? error : forms_index(f);
}

void sghook_decode_forms_free(sghook_decode_forms *f)
{
	size_t i;

	for (i = 0; i < f->count; i++)
		free(f->items[i].lit);
	free(f->items);
	free(f->gram_bits);
	free(f->grams);
	memset(f, 0, sizeof(*f));
}

/* Whether a form that holds pair `v` at p holds buf at p. */
static int forms_at(const sghook_decode_forms *f, const char *buf,
	size_t len, size_t p, unsigned v, int max_depth)
{
	const sghook_decode_form *x;
	size_t lo = 0, hi = f->ngrams, k;

	while (lo < hi) {
		k = lo + (hi - lo) / 2;
		if (f->grams[k].gram < v)
			lo = k + 1;
		else
			hi = k;
	}
	for (k = lo; k < f->ngrams && f->grams[k].gram == v; k++) {
		if (f->grams[k].off > p)
			continue;
		x = &f->items[f->grams[k].form];
		if (x->depth <= max_depth && p - f->grams[k].off + x->len <= len &&
		    !memcmp(buf + p - f->grams[k].off, x->lit, x->len))
			return 1;
	}
	return 0;
}

int sghook_decode_forms_find(const sghook_decode_forms *f, const char *buf,
	size_t len, int max_depth)
{
	const unsigned char *bits = f->gram_bits;
	size_t p, stride = f->stride;
	unsigned v;

	if (!f->count || len < 2)
		return 0;
	/* A form at s holds the pair at the one stride-th offset in its first. */
	for (p = 0; p + 1 < len; p += stride) {
		v = gram_at(buf + p);
		if ((bits[v >> 3] >> (v & 7) & 1) &&
		    forms_at(f, buf, len, p, v, max_depth))
			return 1;
	}
	return 0;
}

/* ---- decoding around a hit -------------------------------------------- */

size_t sghook_decoded_source(const sghook_decoded *d, size_t i)
{
	if (d->encoding == SGHOOK_ENCODING_BASE64)
		return d->src_start + i / 3 * 4 + i % 3;
	return d->src_start + 2 * i;
}

void sghook_decoded_free(sghook_decoded *d)
{
	free(d->data);
	memset(d, 0, sizeof(*d));
}

static int b64_group(const char *p)
{
	return b64_value((unsigned char)p[0]) >= 0 &&
		b64_value((unsigned char)p[1]) >= 0 &&
		b64_value((unsigned char)p[2]) >= 0 &&
		b64_value((unsigned char)p[3]) >= 0;
}

int sghook_decode_base64(sghook_decoded *out, const char *buf, size_t len,
	size_t at, unsigned phase)
{
	size_t g0, s, e, t, i, o;
	unsigned v;
	char *data;

	memset(out, 0, sizeof(*out));
	if (at < phase || at >= len)
		return 0;
	g0 = at - phase;
	for (s = g0; s >= 4 && g0 - s < WINDOW && b64_group(buf + s - 4); s -= 4)
		;
	for (e = g0; e + 4 <= len && e - g0 < WINDOW && b64_group(buf + e); e += 4)
		;
	/* Without padding, a run may end in a group of two or three. */
	for (t = 0; t < 3 && e + t < len &&
	    b64_value((unsigned char)buf[e + t]) >= 0; t++)
		;
	if (t == 1)
		t = 0;
	if (e + t <= s)
		return 0;
	if (!(data = malloc((e - s) / 4 * 3 + 2)))
		return sghook_error_set("out of memory");
	for (i = s, o = 0; i < e; i += 4) {
		v = (unsigned)b64_value((unsigned char)buf[i]) << 18 |
			(unsigned)b64_value((unsigned char)buf[i + 1]) << 12 |
			(unsigned)b64_value((unsigned char)buf[i + 2]) << 6 |
			(unsigned)b64_value((unsigned char)buf[i + 3]);
		data[o++] = (char)(v >> 16);
		data[o++] = (char)(v >> 8);
		data[o++] = (char)v;
	}
	if (t >= 2) {
		v = (unsigned)b64_value((unsigned char)buf[e]) << 18 |
			(unsigned)b64_value((unsigned char)buf[e + 1]) << 12;
		if (t == 3)
			v |= (unsigned)b64_value((unsigned char)buf[e + 2]) << 6;
		data[o++] = (char)(v >> 16);
		if (t == 3)
			data[o++] = (char)(v >> 8);
	}
	out->encoding = SGHOOK_ENCODING_BASE64;
	out->data = data;
	out->len = o;
	out->src_start = s;
	out->src_end = e + t;
	return 1;
}

int sghook_decode_utf16(sghook_decoded *out, const char *buf, size_t len,
	size_t at)
{
	const unsigned char *u = (const unsigned char *)buf;
	size_t base = 0, n, i;
	unsigned unit;
	int be = at % 2;
	char *data;

	memset(out, 0, sizeof(*out));
	/* A byte order mark decides, when the hit agrees with it. */
	if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE && at % 2 == 0) ||
	    (u[0] == 0xFE && u[1] == 0xFF && at % 2 == 1)))
		base = 2;
	if (len < base + 2)
		return 0;
	n = (len - base) / 2;
	if (!(data = malloc(n ? n : 1)))
		return sghook_error_set("out of memory");
	for (i = 0; i < n; i++) {
		unit = be ? (unsigned)u[base + 2 * i] << 8 | u[base + 2 * i + 1] :
			(unsigned)u[base + 2 * i + 1] << 8 | u[base + 2 * i];
		/* Not ASCII: one byte that is neither a word nor a line's end. */
		data[i] = unit < 0x80 ? (char)unit : (char)0x80;
	}
	out->encoding = be ? SGHOOK_ENCODING_UTF16BE : SGHOOK_ENCODING_UTF16LE;
	out->data = data;
	out->len = n;
	out->src_start = base;
	out->src_end = base + 2 * n;
	return 1;
}

int sghook_decode_holds(const char *buf, size_t len, const char *secret,
	size_t n)
{
	sghook_decode_forms f;
	int found;

	memset(&f, 0, sizeof(f));
	/* Out of memory: not held, so that the secret counts as new. */
	if (sghook_decode_forms_add(&f, secret, n) < 0)
		found = 0;
	else
		found = sghook_decode_forms_find(&f, buf, len, SGHOOK_DECODE_DEPTH);
	sghook_decode_forms_free(&f);
	return found;
}
