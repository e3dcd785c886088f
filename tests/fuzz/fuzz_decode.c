/*
 * decode.c over arbitrary bytes. The first byte picks a keyword length:
 * the forms of that keyword, cut from the input, are found by the one-pass
 * search exactly where a memmem of each finds one; decoding around every
 * hit stays inside the buffer and maps back into it. The matcher with the
 * shipped rules then reports decoded secrets whose offsets, lines and
 * columns lie in the buffer, whose encoding has a name, and which the
 * prefilter let through.
 */
#define _GNU_SOURCE
#include "fuzz.h"

static sghook_rules *rules;
static sghook_matcher *matcher;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	git_libgit2_init();
	rules = fuzz_shipped_rules();
	if (sghook_matcher_new(&matcher, rules) < 0) {
		fprintf(stderr, "fuzz: %s\n", sghook_error_last());
		exit(2);
	}
	return 0;
}

typedef struct {
	const char *buf;
	size_t len, n;
} seen;

static int collect(const sghook_match *m, void *payload)
{
	seen *s = payload;

	FUZZ_CHECK(m->secret_len >= 4 && !memcmp(m->secret, "sgp_", 4),
		"a shipped rule matched without its prefix");
	FUZZ_CHECK(m->offset < s->len, "offset %zu in %zu bytes", m->offset,
		s->len);
	FUZZ_CHECK(m->line > 0 && m->column > 0, "line %zu column %zu",
		m->line, m->column);
	FUZZ_CHECK(m->encoding == SGHOOK_ENCODING_NONE ||
		sghook_encoding_name(m->encoding), "encoding %d", m->encoding);
	s->n++;
	return 0;
}

static void check_decoded(const sghook_decoded *d, size_t len)
{
	size_t i;

	FUZZ_CHECK(d->src_start <= d->src_end && d->src_end <= len,
		"decoded [%zu, %zu) of %zu bytes", d->src_start, d->src_end, len);
	for (i = 0; i < d->len; i++)
		FUZZ_CHECK(sghook_decoded_source(d, i) < d->src_end,
			"byte %zu maps to %zu, past %zu", i,
			sghook_decoded_source(d, i), d->src_end);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	sghook_decode_forms f;
	sghook_decoded d;
	size_t kl, i, naive = 0;
	const char *hit;
	seen s = { buf, size, 0 };
	int rc;

	if (size < 1)
		return 0;
	kl = 2 + data[0] % 7;
	memset(&f, 0, sizeof(f));
	if (size > kl) {
		FUZZ_CHECK(sghook_decode_forms_add(&f, buf + 1, kl) == 0,
			"forms: %s", sghook_error_last());
		buf += 1 + kl;
		size -= 1 + kl;
		for (i = 0; i < f.count; i++) {
			const sghook_decode_form *x = &f.items[i];

			FUZZ_CHECK(x->len >= 2 && x->depth <= SGHOOK_DECODE_DEPTH &&
				(x->outer != SGHOOK_ENCODING_BASE64 || x->phase < 4),
				"form %zu", i);
			for (hit = buf; (hit = memmem(hit, size - (size_t)(hit - buf),
			    x->lit, x->len)); hit++) {
				naive = 1;
				if (x->outer == SGHOOK_ENCODING_BASE64)
					rc = sghook_decode_base64(&d, buf, size,
						(size_t)(hit - buf), x->phase);
				else if (x->outer == SGHOOK_ENCODING_NONE)
					continue;
				else
					rc = sghook_decode_utf16(&d, buf, size,
						(size_t)(hit - buf));
				FUZZ_CHECK(rc >= 0, "decode: %s", sghook_error_last());
				if (rc > 0)
					check_decoded(&d, size);
				sghook_decoded_free(&d);
			}
		}
		FUZZ_CHECK(sghook_decode_forms_find(&f, buf, size,
			SGHOOK_DECODE_DEPTH) == (int)naive,
			"one pass says %d, memmem %zu",
			sghook_decode_forms_find(&f, buf, size, SGHOOK_DECODE_DEPTH),
			naive);
		sghook_decode_forms_free(&f);
	}
	FUZZ_CHECK(sghook_matcher_scan(matcher, buf, size, collect, &s) == 0,
		"scan failed: %s", sghook_error_last());
	if (!sghook_rules_prefilter(rules, buf, size))
		FUZZ_CHECK(s.n == 0, "a match in a buffer the prefilter passed over");
	return 0;
}
