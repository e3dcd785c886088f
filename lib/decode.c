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

#include "array.h"
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
	sghook_decode_form *x;
	size_t i;
	int error;

	for (i = 0; i < f->count; i++)
		if (f->items[i].len == len && f->items[i].outer == outer &&
		    f->items[i].phase == phase && !memcmp(f->items[i].lit, lit, len))
			return 0;
	if ((error = SGHOOK_ARRAY_GROW(f->items, f->alloc, f->count + 1)) < 0)
		return error;
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
	size_t j;

	if (d->encoding == SGHOOK_ENCODING_BASE64) {
		j = i / 3 * 4 + i % 3;
		return j < d->nchars ? d->chars[j] : d->src_end;
	}
	return d->src_start + 2 * i;
}

void sghook_decoded_free(sghook_decoded *d)
{
	free(d->data);
	free(d->chars);
	memset(d, 0, sizeof(*d));
}

/* A base64 line: from p, after its indentation, only base64 to its end. */
static int b64_line(const char *buf, size_t len, size_t p, size_t *first,
	size_t *end)
{
	size_t n = 0;

	while (p < len && (buf[p] == ' ' || buf[p] == '\t'))
		p++;
	*first = p;
	for (; p < len && b64_value((unsigned char)buf[p]) >= 0; p++)
		n++;
	*end = p;
	while (p < len && buf[p] == '=')
		p++;
	if (p < len && buf[p] == '\r')
		p++;
	return n > 0 && (p == len || buf[p] == '\n');
}

/* Whether only indentation stands between the line's start and buf[p]. */
static int line_starts_at(const char *buf, size_t p)
{
	while (p > 0 && (buf[p - 1] == ' ' || buf[p - 1] == '\t'))
		p--;
	return p == 0 || buf[p - 1] == '\n';
}

/*
 * Base64 wrapped over lines (base64(1) writes 76 columns, PEM 64, YAML
 * block scalars indent): a run goes on over a line break when the line it
 * leaves and the one it enters hold nothing but base64 (and their
 * indentation), the one left at least MIN_WRAPPED characters.
 */
#define MIN_WRAPPED 16

/* The fewest characters that can hold a keyword and a body: sgp_ + 16. */
#define MIN_RUN 27

typedef struct {
	size_t *pos;
	size_t n, alloc;
} positions;

static int pos_push(positions *x, size_t p)
{
	int error;

	if ((error = SGHOOK_ARRAY_GROW(x->pos, x->alloc, x->n + 1)) < 0)
		return error;
	x->pos[x->n++] = p;
	return 0;
}

/*
 * The base64 characters from `at` on, over wrapped lines, into `x`.
 * `first`: where the run starts on the line of `at`, and `whole` whether
 * that is the line's start.
 */
static int run_forward(positions *x, const char *buf, size_t len, size_t at,
	size_t first, int whole)
{
	size_t p = at, end;

	for (;;) {
		for (; p < len && b64_value((unsigned char)buf[p]) >= 0 &&
		    x->n < WINDOW; p++)
			if (pos_push(x, p) < 0)
				return SGHOOK_ERROR;
		if (x->n >= WINDOW || !whole || p - first < MIN_WRAPPED)
			return 0;
		if (p < len && buf[p] == '\r')
			p++;
		if (p >= len || buf[p] != '\n' ||
		    !b64_line(buf, len, p + 1, &first, &end))
			return 0;
		p = first;
	}
}

/*
 * The base64 characters before `at`, over wrapped lines, nearest first.
 * *first is where the run starts on the line of `at`, *whole whether that
 * is the line's start.
 */
static int run_backward(positions *x, const char *buf, size_t len, size_t at,
	size_t *first, int *whole)
{
	size_t p = at, f, end, ls, line = 0;

	*first = at;
	*whole = 0;
	for (;; line++) {
		for (; p > 0 && b64_value((unsigned char)buf[p - 1]) >= 0 &&
		    x->n < WINDOW; p--)
			if (pos_push(x, p - 1) < 0)
				return SGHOOK_ERROR;
		if (line == 0) {
			*first = p;
			*whole = line_starts_at(buf, p);
		}
		if (x->n >= WINDOW || !line_starts_at(buf, p))
			return 0;
		/* At a line's first character: the line above, whole. */
		for (ls = p; ls > 0 && buf[ls - 1] != '\n'; ls--)
			;
		if (ls == 0 || !b64_line(buf, len, p, &f, &end) ||
		    end - f < MIN_WRAPPED)
			return 0;
		ls--;
		/* Its start: only as far back as base64 and indentation go. */
		for (p = ls; p > 0 && p > ls - WINDOW && buf[p - 1] != '\n' &&
		    (b64_value((unsigned char)buf[p - 1]) >= 0 ||
		    strchr(" \t\r=", buf[p - 1])); p--)
			;
		if ((p > 0 && buf[p - 1] != '\n') ||
		    !b64_line(buf, len, p, &f, &end) || end - f < MIN_WRAPPED ||
		    (end < ls && buf[end] != '\r'))
			return 0;
		p = end;
	}
}

/*
 * Whether the run around `at` may hold a keyword and a body: MIN_RUN
 * characters on its line, or a line end it may be wrapped at.
 */
static int run_long_enough(const char *buf, size_t len, size_t at)
{
	size_t b = 0, f = 0;

	while (b < MIN_RUN && b < at &&
	    b64_value((unsigned char)buf[at - b - 1]) >= 0)
		b++;
	while (b + f < MIN_RUN && at + f < len &&
	    b64_value((unsigned char)buf[at + f]) >= 0)
		f++;
	return b + f >= MIN_RUN || (at + f < len &&
		(buf[at + f] == '\n' || buf[at + f] == '\r'));
}

/*
 * Where the characters of the run around `at` lie, in order, from the
 * first whole group before the hit's own (the one aligned with `phase`):
 * *out, *n of them, or none.
 */
static int run_positions(size_t **out, size_t *n, const char *buf,
	size_t len, size_t at, unsigned phase)
{
	positions before = { NULL, 0, 0 }, after = { NULL, 0, 0 };
	size_t *pos, nb, i, first;
	int error, whole;

	*out = NULL;
	*n = 0;
	if ((error = run_backward(&before, buf, len, at, &first, &whole)) < 0 ||
	    (error = run_forward(&after, buf, len, at, first, whole)) < 0 ||
	    before.n < phase)
		goto done;
	nb = (before.n - phase) / 4 * 4 + phase;
	if (!(pos = malloc((nb + after.n + 1) * sizeof(*pos)))) {
		error = sghook_error_set("out of memory");
		goto done;
	}
	for (i = 0; i < nb; i++)
		pos[i] = before.pos[nb - 1 - i];
	memcpy(pos + nb, after.pos, after.n * sizeof(*pos));
	*out = pos;
	*n = nb + after.n;
done:
	free(before.pos);
	free(after.pos);
	return error;
}

/* The bytes of the `n` base64 characters at buf[pos[0]], buf[pos[1]]... */
static int b64_decode(char **out, size_t *outlen, const char *buf,
	const size_t *pos, size_t n)
{
	char *data;
	size_t i, k, o = 0;
	unsigned v, c[4];

	if (!(data = malloc(n / 4 * 3 + 2)))
		return sghook_error_set("out of memory");
	for (i = 0; i < n; i += 4) {
		for (k = 0; k < 4; k++)
			c[k] = i + k < n ?
				(unsigned)b64_value((unsigned char)buf[pos[i + k]]) : 0;
		v = c[0] << 18 | c[1] << 12 | c[2] << 6 | c[3];
		data[o++] = (char)(v >> 16);
		if (i + 2 < n)
			data[o++] = (char)(v >> 8);
		if (i + 3 < n)
			data[o++] = (char)v;
	}
	*out = data;
	*outlen = o;
	return 0;
}

int sghook_decode_base64(sghook_decoded *out, const char *buf, size_t len,
	size_t at, unsigned phase)
{
	size_t *pos = NULL, n, dlen = 0;
	char *data = NULL;
	int error;

	memset(out, 0, sizeof(*out));
	if (at >= len || !run_long_enough(buf, len, at))
		return 0;
	if ((error = run_positions(&pos, &n, buf, len, at, phase)) < 0)
		return error;
	/* Whole groups, and a last one of two or three characters. */
	if (n % 4 == 1)
		n--;
	if (n == 0) {
		free(pos);
		return 0;
	}
	if ((error = b64_decode(&data, &dlen, buf, pos, n)) < 0) {
		free(pos);
		return error;
	}
	/* Character j of the run is at pos[j]. */
	out->encoding = SGHOOK_ENCODING_BASE64;
	out->data = data;
	out->len = dlen;
	out->chars = pos;
	out->nchars = n;
	out->src_start = pos[0];
	out->src_end = pos[n - 1] + 1;
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
