/*
 * Unit tests of lib/decode.c: the literals a keyword becomes once or twice
 * encoded, decoding around them, the one-pass search; and, through the
 * matcher with the real rules/, what a decoded token is reported as.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sghook.h"

#ifndef RULES_DIR
#define RULES_DIR "rules"
#endif

static sghook_rules *rules;
static sghook_matcher *matcher;
static uint64_t rng_state = 88172645463325252ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static void random_from(char *out, size_t n, const char *alphabet)
{
	size_t k = strlen(alphabet), i;

	for (i = 0; i < n; i++)
		out[i] = alphabet[rng() % k];
}

static const char ALNUM[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/* A 64-character token: blocks on entropy alone. */
static void token(char out[69])
{
	memcpy(out, "sgp_", 4);
	random_from(out + 4, 64, ALNUM);
	out[68] = '\0';
}

static char *b64(const char *in, size_t n, int url, int pad)
{
	static const char std[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	static const char safe[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const char *a = url ? safe : std;
	char *out = malloc(n / 3 * 4 + 5), *o = out;
	size_t i;
	unsigned v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 |
			(unsigned char)in[i + 2];
		*o++ = a[v >> 18];
		*o++ = a[v >> 12 & 63];
		*o++ = a[v >> 6 & 63];
		*o++ = a[v & 63];
	}
	if (n - i == 1) {
		v = (unsigned char)in[i] << 16;
		*o++ = a[v >> 18];
		*o++ = a[v >> 12 & 63];
		if (pad) {
			*o++ = '=';
			*o++ = '=';
		}
	} else if (n - i == 2) {
		v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8;
		*o++ = a[v >> 18];
		*o++ = a[v >> 12 & 63];
		*o++ = a[v >> 6 & 63];
		if (pad)
			*o++ = '=';
	}
	*o = '\0';
	return out;
}

/* ---- matches ------------------------------------------------------------ */

#define MAXHITS 8

typedef struct {
	size_t n;
	struct {
		char secret[128];
		size_t line, column, offset;
		sghook_encoding encoding;
		char tier[16];
	} h[MAXHITS];
} hits;

static int collect(const sghook_match *m, void *payload)
{
	hits *hs = payload;

	assert_true(hs->n < MAXHITS);
	assert_true(m->secret_len < sizeof(hs->h[0].secret));
	memcpy(hs->h[hs->n].secret, m->secret, m->secret_len);
	hs->h[hs->n].secret[m->secret_len] = '\0';
	hs->h[hs->n].line = m->line;
	hs->h[hs->n].column = m->column;
	hs->h[hs->n].offset = m->offset;
	hs->h[hs->n].encoding = m->encoding;
	snprintf(hs->h[hs->n].tier, sizeof(hs->h[0].tier), "%s", sghook_tier_name(m->tier));
	hs->n++;
	return 0;
}

static hits *scan_len(const char *buf, size_t len)
{
	static hits hs;

	memset(&hs, 0, sizeof(hs));
	assert_int_equal(sghook_matcher_scan(matcher, buf, len, collect, &hs), 0);
	return &hs;
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s;

	va_start(ap, f);
	assert_true(vasprintf(&s, f, ap) >= 0);
	va_end(ap);
	return s;
}

static int setup(void **state)
{
	(void)state;
	git_libgit2_init();
	if (sghook_rules_load(&rules, RULES_DIR) < 0 ||
	    sghook_matcher_new(&matcher, rules) < 0) {
		fprintf(stderr, "cannot load %s: %s\n", RULES_DIR,
			sghook_error_last());
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sghook_matcher_free(matcher);
	sghook_rules_free(rules);
	git_libgit2_shutdown();
	return 0;
}

/* ---- forms ------------------------------------------------------------- */

static void test_encoding_names(void **state)
{
	(void)state;
	assert_null(sghook_encoding_name(SGHOOK_ENCODING_NONE));
	assert_string_equal(sghook_encoding_name(SGHOOK_ENCODING_BASE64), "base64");
	assert_string_equal(sghook_encoding_name(SGHOOK_ENCODING_UTF16LE), "utf-16le");
	assert_string_equal(sghook_encoding_name(SGHOOK_ENCODING_UTF16BE), "utf-16be");
}

static int has_form(const sghook_decode_forms *f, const char *lit,
	size_t len, int depth)
{
	size_t i;

	for (i = 0; i < f->count; i++)
		if (f->items[i].len == len && f->items[i].depth == depth &&
		    !memcmp(f->items[i].lit, lit, len))
			return 1;
	return 0;
}

static void test_sgp_has_three_base64_forms_one_per_alignment_and_one_utf16(void **state)
{
	sghook_decode_forms f;
	size_t i, n1 = 0;

	(void)state;
	memset(&f, 0, sizeof(f));
	assert_int_equal(sghook_decode_forms_add(&f, "sgp_", 4), 0);
	/* base64 of "sgp_", "xsgp_", "xxsgp_": c2dwXw==, eHNncF8=, eHhzZ3Bf */
	assert_true(has_form(&f, "c2dwX", 5, 1));
	assert_true(has_form(&f, "NncF", 4, 1));
	assert_true(has_form(&f, "zZ3Bf", 5, 1));
	assert_true(has_form(&f, "s\0g\0p\0_", 7, 1));
	assert_true(has_form(&f, "sgp_", 4, 0));
	for (i = 0; i < f.count; i++)
		n1 += f.items[i].depth == 1;
	assert_int_equal(n1, 4);
	/* depth 2: base64 of base64 ("c2dwX" -> YzJkd1...), of UTF-16 */
	assert_true(has_form(&f, "YzJkd1", 6, 2));
	assert_true(has_form(&f, "cwBnAHAAX", 9, 2));
	sghook_decode_forms_free(&f);
}

static void test_a_keyword_whose_base64_holds_plus_or_slash_gets_url_safe_forms(void **state)
{
	sghook_decode_forms f;
	size_t i;
	int plus = 0, dash = 0;

	(void)state;
	memset(&f, 0, sizeof(f));
	/* "\xfb\xff" encodes to "+/8" */
	assert_int_equal(sghook_decode_forms_add(&f, "k\xfb\xffk", 4), 0);
	for (i = 0; i < f.count; i++) {
		if (f.items[i].depth != 1)
			continue;
		plus |= memchr(f.items[i].lit, '+', f.items[i].len) != NULL;
		dash |= memchr(f.items[i].lit, '-', f.items[i].len) != NULL;
	}
	assert_true(plus);
	assert_true(dash);
	sghook_decode_forms_free(&f);
}

/* The one-pass search agrees with a memmem of every form. */
static void test_forms_find_agrees_with_memmem_at_every_offset(void **state)
{
	sghook_decode_forms forms;
	char buf[64];
	size_t i, k, at, naive;

	(void)state;
	memset(&forms, 0, sizeof(forms));
	assert_int_equal(sghook_decode_forms_add(&forms, "sgp_", 4), 0);
	for (k = 0; k < forms.count; k++) {
		for (at = 0; at + forms.items[k].len <= sizeof(buf); at++) {
			random_from(buf, sizeof(buf), "!#%&()*,.:;<>?@[]^{|}~");
			memcpy(buf + at, forms.items[k].lit, forms.items[k].len);
			assert_true(sghook_decode_forms_find(&forms, buf,
				sizeof(buf), SGHOOK_DECODE_DEPTH));
			/* and the form alone, as the whole buffer */
			assert_true(sghook_decode_forms_find(&forms,
				forms.items[k].lit, forms.items[k].len,
				SGHOOK_DECODE_DEPTH));
		}
	}
	for (i = 0; i < 20000; i++) {
		random_from(buf, sizeof(buf), "sgp_c2dwXNncFzZ3Bf\1");
		for (k = 0, naive = 0; k < forms.count; k++)
			naive |= memmem(buf, sizeof(buf), forms.items[k].lit,
				forms.items[k].len) != NULL;
		assert_int_equal(sghook_decode_forms_find(&forms, buf,
			sizeof(buf), SGHOOK_DECODE_DEPTH), (int)naive);
	}
	sghook_decode_forms_free(&forms);
}

/* ---- decoding ----------------------------------------------------------- */

static void test_base64_decodes_at_each_alignment_padded_or_not_either_alphabet(void **state)
{
	char tok[69], in[80], *enc;
	hits *hs;
	size_t a;
	int url, pad;

	(void)state;
	for (a = 0; a < 3; a++)
		for (url = 0; url < 2; url++)
			for (pad = 0; pad < 2; pad++) {
				token(tok);
				memcpy(in, ":=\n", 3);
				memcpy(in + a, tok, 69);
				enc = b64(in, a + 68, url, pad);
				hs = scan_len(enc, strlen(enc));
				if (hs->n != 1)
					fail_msg("alignment %zu url %d pad %d: %zu hits",
						a, url, pad, hs->n);
				assert_string_equal(hs->h[0].secret, tok);
				assert_int_equal(hs->h[0].encoding,
					SGHOOK_ENCODING_BASE64);
				free(enc);
			}
}

static void test_base64_reports_the_line_and_column_of_the_encoded_form(void **state)
{
	char tok[69], *enc, *buf;
	hits *hs;

	(void)state;
	token(tok);
	enc = b64(tok, 68, 0, 1);
	buf = fmt("apiVersion: v1\nkind: Secret\ndata:\n  token: %s\n", enc);
	hs = scan_len(buf, strlen(buf));
	assert_int_equal(hs->n, 1);
	assert_int_equal(hs->h[0].line, 4);
	assert_int_equal(hs->h[0].column, 10);
	assert_int_equal(hs->h[0].offset, strstr(buf, enc) - buf);
	free(buf);
	free(enc);
}

static void test_a_short_token_blocks_with_context_inside_the_decoded_text(void **state)
{
	char tok[21] = "sgp_", *env, *enc;
	hits *hs;

	(void)state;
	random_from(tok + 4, 16, "0123456789abcdef");
	env = fmt("# analytics\nSEGMENT_API_TOKEN=%s\n", tok);
	enc = b64(env, strlen(env), 0, 1);
	hs = scan_len(enc, strlen(enc));
	assert_int_equal(hs->n, 1);
	assert_string_equal(hs->h[0].tier, "context");
	free(enc);
	free(env);
}

static void test_a_short_token_blocks_with_context_on_the_line_of_the_run(void **state)
{
	char tok[21] = "sgp_", *enc, *with, *without;

	(void)state;
	random_from(tok + 4, 16, "0123456789abcdef");
	enc = b64(tok, 20, 0, 0);
	with = fmt("SEGMENT_TOKEN: %s\n", enc);
	without = fmt("api_key: %s\n", enc);
	assert_int_equal(scan_len(without, strlen(without))->n, 0);
	assert_int_equal(scan_len(with, strlen(with))->n, 1);
	assert_string_equal(scan_len(with, strlen(with))->h[0].tier, "context");
	free(with);
	free(without);
	free(enc);
}

static void test_base64_of_base64_is_decoded_but_not_three_times(void **state)
{
	char tok[69], *one, *inner, *two, *three;

	(void)state;
	token(tok);
	one = b64(tok, 68, 0, 1);
	inner = fmt("token: %s\n", one);
	two = b64(inner, strlen(inner), 0, 1);
	three = b64(two, strlen(two), 0, 1);
	assert_int_equal(scan_len(two, strlen(two))->n, 1);
	assert_string_equal(scan_len(two, strlen(two))->h[0].secret, tok);
	assert_int_equal(scan_len(three, strlen(three))->n, 0);
	free(three);
	free(two);
	free(inner);
	free(one);
}

/* Text as UTF-16: with a byte order mark or not, little or big endian. */
static size_t utf16(char *out, const char *text, int be, int bom)
{
	size_t n = 0, i;

	if (bom) {
		out[n++] = be ? '\xfe' : '\xff';
		out[n++] = be ? '\xff' : '\xfe';
	}
	for (i = 0; text[i]; i++) {
		out[n++] = be ? 0 : text[i];
		out[n++] = be ? text[i] : 0;
	}
	return n;
}

static void test_utf16_in_both_byte_orders_with_or_without_bom_gives_lines_of_the_text(void **state)
{
	char tok[69], *text, out[512];
	size_t n;
	hits *hs;
	int be, bom;

	(void)state;
	for (be = 0; be < 2; be++)
		for (bom = 0; bom < 2; bom++) {
			token(tok);
			text = fmt("# deploy\r\n\r\n$env:T = \"%s\"\r\n", tok);
			n = utf16(out, text, be, bom);
			hs = scan_len(out, n);
			if (hs->n != 1)
				fail_msg("be %d bom %d: %zu hits", be, bom, hs->n);
			assert_string_equal(hs->h[0].secret, tok);
			assert_int_equal(hs->h[0].line, 3);
			assert_int_equal(hs->h[0].column, 11);
			assert_int_equal(hs->h[0].encoding, be ?
				SGHOOK_ENCODING_UTF16BE : SGHOOK_ENCODING_UTF16LE);
			free(text);
		}
}

/* base64(1) wraps at 76 columns; YAML block scalars indent. */
static void test_base64_wrapped_over_lines_is_one_run(void **state)
{
	char tok[69], *env, *enc, *wrapped, *p, *o;
	size_t col, k;
	hits *hs;

	(void)state;
	for (k = 0; k < 2; k++) {
		token(tok);
		env = fmt("# settings of the analytics sink, written by hand\n"
			"SEGMENT_API_TOKEN=%s\n", tok);
		enc = b64(env, strlen(env), 0, 1);
		wrapped = malloc(strlen(enc) * 2 + 16);
		o = wrapped + sprintf(wrapped, k ? "data: |\n    " : "");
		for (p = enc, col = 0; *p; p++) {
			*o++ = *p;
			if (++col == 76 && p[1]) {
				o += sprintf(o, k ? "\n    " : "\n");
				col = 0;
			}
		}
		strcpy(o, "\n");
		hs = scan_len(wrapped, strlen(wrapped));
		assert_int_equal(hs->n, 1);
		assert_string_equal(hs->h[0].secret, tok);
		free(wrapped);
		free(enc);
		free(env);
	}
}

/* The key on the next line is not more of the value. */
static void test_a_run_does_not_go_on_to_the_next_yaml_key(void **state)
{
	char tok[69], *enc, *buf;
	hits *hs;

	(void)state;
	token(tok);
	enc = b64(tok, 68, 0, 0);
	buf = fmt("data:\n  token: %s\n  other: dmFsdWU\n", enc);
	hs = scan_len(buf, strlen(buf));
	assert_int_equal(hs->n, 1);
	assert_string_equal(hs->h[0].secret, tok);
	free(buf);
	free(enc);
}

static void test_decode_base64_of_a_run_too_short_or_misplaced_is_nothing(void **state)
{
	sghook_decoded d;

	(void)state;
	/* sgp_ + 16 characters need 27 of base64 */
	assert_int_equal(sghook_decode_base64(&d, "c2dwX0FCQ0RFRkdISUpLTE1OT1A=",
		28, 0, 0), 1);
	assert_int_equal(d.len, 20);
	assert_memory_equal(d.data, "sgp_ABCDEFGHIJKLMNOP", 20);
	assert_int_equal(sghook_decoded_source(&d, 4), 5);
	sghook_decoded_free(&d);
	assert_int_equal(sghook_decode_base64(&d, "c2dwX0FCQ0RFRkdISUpLTE1O a",
		26, 0, 0), 0);
	/* the hit's alignment needs characters before it that are not there */
	assert_int_equal(sghook_decode_base64(&d, "NncFX0FCQ0RFRkdISUpLTE1OT1A=",
		28, 0, 2), 0);
	assert_int_equal(sghook_decode_base64(&d, "x", 1, 0, 0), 0);
}

static void test_decode_holds_finds_a_secret_in_any_of_its_forms(void **state)
{
	char tok[69], *enc, *twice, out[300];
	size_t n;

	(void)state;
	token(tok);
	enc = b64(tok, 68, 1, 0);
	twice = b64(enc, strlen(enc), 0, 1);
	n = utf16(out, tok, 0, 1);
	assert_true(sghook_decode_holds(enc, strlen(enc), tok, 68));
	assert_true(sghook_decode_holds(twice, strlen(twice), tok, 68));
	assert_true(sghook_decode_holds(out, n, tok, 68));
	assert_false(sghook_decode_holds("nothing", 7, tok, 68));
	free(twice);
	free(enc);
}

static void test_random_base64_and_random_bytes_give_nothing(void **state)
{
	static char raw[1 << 16];
	char *enc;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(raw); i++)
		raw[i] = (char)rng();
	assert_int_equal(scan_len(raw, sizeof(raw))->n, 0);
	enc = b64(raw, sizeof(raw), 0, 1);
	assert_int_equal(scan_len(enc, strlen(enc))->n, 0);
	free(enc);
	enc = b64(raw, sizeof(raw), 1, 0);
	assert_int_equal(scan_len(enc, strlen(enc))->n, 0);
	free(enc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encoding_names),
		cmocka_unit_test(test_sgp_has_three_base64_forms_one_per_alignment_and_one_utf16),
		cmocka_unit_test(test_a_keyword_whose_base64_holds_plus_or_slash_gets_url_safe_forms),
		cmocka_unit_test(test_forms_find_agrees_with_memmem_at_every_offset),
		cmocka_unit_test(test_base64_decodes_at_each_alignment_padded_or_not_either_alphabet),
		cmocka_unit_test(test_base64_reports_the_line_and_column_of_the_encoded_form),
		cmocka_unit_test(test_a_short_token_blocks_with_context_inside_the_decoded_text),
		cmocka_unit_test(test_a_short_token_blocks_with_context_on_the_line_of_the_run),
		cmocka_unit_test(test_base64_of_base64_is_decoded_but_not_three_times),
		cmocka_unit_test(test_utf16_in_both_byte_orders_with_or_without_bom_gives_lines_of_the_text),
		cmocka_unit_test(test_base64_wrapped_over_lines_is_one_run),
		cmocka_unit_test(test_a_run_does_not_go_on_to_the_next_yaml_key),
		cmocka_unit_test(test_decode_base64_of_a_run_too_short_or_misplaced_is_nothing),
		cmocka_unit_test(test_decode_holds_finds_a_secret_in_any_of_its_forms),
		cmocka_unit_test(test_random_base64_and_random_bytes_give_nothing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
