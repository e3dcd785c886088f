/*
 * Unit tests of lib/match.c: entropy, and which sgp_ strings in a buffer
 * block, under which rule, at which line and column. Rules come from the
 * real rules/ directory (tests run from the repository root).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "sghook.h"

#ifndef RULES_DIR
#define RULES_DIR "rules"
#endif

#define SEGMENT "segment-public-api-token"
#define SOURCEGRAPH "sourcegraph-access-token"

static sghook_rules *rules;
static sghook_matcher *matcher;

/* ---- fixed-seed tokens ------------------------------------------------ */

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64*: deterministic, so every run judges the same tokens. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static const char ALNUM[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

static void random_from(char *out, size_t n, const char *alphabet)
{
	size_t k = strlen(alphabet), i;

	for (i = 0; i < n; i++)
		out[i] = alphabet[rng() % k];
	out[n] = '\0';
}

static int has_classes(const char *s)
{
	int up = 0, low = 0, dig = 0;

	for (; *s; s++) {
		up |= *s >= 'A' && *s <= 'Z';
		low |= *s >= 'a' && *s <= 'z';
		dig |= *s >= '0' && *s <= '9';
	}
	return up && low && dig;
}

/* "sgp_" and a random alphanumeric body of n characters. */
static char *token(size_t n)
{
	char *t = malloc(n + 5);

	assert_non_null(t);
	memcpy(t, "sgp_", 4);
	random_from(t + 4, n, ALNUM);
	return t;
}

/* A random body that mixes upper case, lower case and digits. */
static char *mixed_token(size_t n)
{
	char *t;

	for (;;) {
		t = token(n);
		if (has_classes(t + 4))
			return t;
		free(t);
	}
}

static char *hex(size_t n)
{
	char *t = malloc(n + 1);

	assert_non_null(t);
	random_from(t, n, "0123456789abcdef");
	return t;
}

static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s;
	int rc;

	va_start(ap, f);
	rc = vasprintf(&s, f, ap);
	va_end(ap);
	assert_true(rc >= 0);
	return s;
}

/* ---- scanning --------------------------------------------------------- */

#define MAXHITS 512

typedef struct {
	char rule[64];
	char secret[128];
	size_t line, column, offset;
	char tier[32];
} hit;

typedef struct {
	hit h[MAXHITS];
	size_t n;
	int stop_after;  /* > 0: return 42 after that many calls */
} hits;

static int collect(const sghook_match *m, void *payload)
{
	hits *hs = payload;
	hit *h;

	assert_true(hs->n < MAXHITS);
	h = &hs->h[hs->n++];
	snprintf(h->rule, sizeof(h->rule), "%s", sghook_rule_id(m->rule));
	assert_true(m->secret_len < sizeof(h->secret));
	memcpy(h->secret, m->secret, m->secret_len);
	h->secret[m->secret_len] = '\0';
	h->line = m->line;
	h->column = m->column;
	h->offset = m->offset;
	snprintf(h->tier, sizeof(h->tier), "%s", m->tier ? sghook_tier_name(m->tier) : "");
	if (hs->stop_after && (int)hs->n >= hs->stop_after)
		return 42;
	return 0;
}

static hits *scan_len(const char *buf, size_t len)
{
	static hits hs;
	int rc;

	memset(&hs, 0, sizeof(hs));
	rc = sghook_matcher_scan(matcher, buf, len, collect, &hs);
	if (rc != 0)
		fail_msg("scan failed: %d %s", rc, sghook_error_last());
	return &hs;
}

static hits *scan(const char *buf)
{
	return scan_len(buf, strlen(buf));
}

static void assert_one_hit(const hits *hs, const char *rule,
	const char *secret)
{
	if (hs->n != 1)
		fail_msg("expected 1 finding of %s, got %zu", secret, hs->n);
	assert_string_equal(hs->h[0].rule, rule);
	assert_string_equal(hs->h[0].secret, secret);
}

static void assert_no_hit(const hits *hs, const char *what)
{
	if (hs->n != 0)
		fail_msg("expected nothing for %s, got %s (%s, tier %s)", what,
			hs->h[0].secret, hs->h[0].rule, hs->h[0].tier);
}

/* Scans each string of a list in a line format; fails naming every one that blocks. */
static void assert_none_block(const char *const *list, size_t n,
	const char *format)
{
	char failed[2048] = "";
	size_t i, bad = 0;

	for (i = 0; i < n; i++) {
		char *buf = fmt(format, list[i]);
		hits *hs = scan(buf);

		if (hs->n) {
			bad++;
			snprintf(failed + strlen(failed),
				sizeof(failed) - strlen(failed), " %s (%s)",
				list[i], hs->h[0].tier);
		}
		free(buf);
	}
	if (bad)
		fail_msg("%zu of %zu blocked:%s", bad, n, failed);
}

static int setup(void **state)
{
	(void)state;
	git_libgit2_init();
	if (sghook_rules_load(&rules, RULES_DIR) < 0) {
		fprintf(stderr, "cannot load %s: %s\n", RULES_DIR,
			sghook_error_last());
		return -1;
	}
	if (sghook_matcher_new(&matcher, rules) < 0)
		return -1;
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

static int reseed(void **state)
{
	(void)state;
	rng_state = 0x5e6e17a9c0ffee11ULL;
	return 0;
}

/* ---- entropy ---------------------------------------------------------- */

static void test_entropy_of_one_repeated_byte_is_zero(void **state)
{
	(void)state;
	assert_true(fabs(sghook_entropy("aaaaaaaa", 8)) < 1e-9);
}

static void test_entropy_of_two_equally_frequent_bytes_is_one_bit(void **state)
{
	(void)state;
	assert_true(fabs(sghook_entropy("abababab", 8) - 1.0) < 1e-9);
}

static void test_entropy_of_64_distinct_bytes_is_six_bits(void **state)
{
	(void)state;
	assert_true(fabs(sghook_entropy(
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
		64) - 6.0) < 1e-9);
}

static void test_entropy_counts_only_len_bytes_and_nul_bytes(void **state)
{
	(void)state;
	/* "ab\0\0": a, b and NUL twice = 1.5 bits; the tail is not read. */
	assert_true(fabs(sghook_entropy("ab\0\0zzzz", 4) - 1.5) < 1e-9);
}

static void test_entropy_of_a_random_64_char_body_is_above_5_bits(void **state)
{
	char *t = token(64);

	(void)state;
	assert_true(sghook_entropy(t + 4, 64) > 5.0);
	free(t);
}

/* ---- full length ------------------------------------------------------ */

static void test_a_64_char_random_token_blocks_without_context(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < 50; i++) {
		char *t = token(64), *buf = fmt("x = \"%s\"\n", t);
		hits *hs = scan(buf);

		assert_one_hit(hs, SEGMENT, t);
		assert_string_equal(hs->h[0].tier, "full-length");
		free(buf);
		free(t);
	}
}

static void test_a_64_char_body_of_one_repeated_char_does_not_block(void **state)
{
	char buf[128];

	(void)state;
	snprintf(buf, sizeof(buf), "sgp_%064d\n", 0);
	assert_no_hit(scan(buf), buf);
	memset(buf, 'x', sizeof(buf));
	memcpy(buf, "segment: sgp_", 13);
	buf[13 + 64] = '\0';
	assert_no_hit(scan(buf), buf);
}

/* ---- context ---------------------------------------------------------- */

/* "sgp_" and n random lower-case letters. */
static char *lower_token(size_t n)
{
	char *t = malloc(n + 5);

	memcpy(t, "sgp_", 4);
	random_from(t + 4, n, "abcdefghijklmnopqrstuvwxyz");
	return t;
}

/*
 * "sgp_" and n random lower-case hex digits: a hash without context, so
 * only Segment context makes it block.
 */
static char *hex_token(size_t n)
{
	char *t = malloc(n + 5);

	memcpy(t, "sgp_", 4);
	random_from(t + 4, n, "0123456789abcdef");
	return t;
}

static void test_a_16_hex_digit_body_without_context_does_not_block(void **state)
{
	char *t = hex_token(16), *buf = fmt("api_key = \"%s\"\n", t);

	(void)state;
	assert_no_hit(scan(buf), t);
	free(buf);
	free(t);
}

static void test_a_16_char_token_with_segment_on_its_line_blocks(void **state)
{
	char *t = lower_token(16), *buf = fmt("segment_key = \"%s\"\n", t);
	hits *hs = scan(buf);

	(void)state;
	assert_one_hit(hs, SEGMENT, t);
	assert_string_equal(hs->h[0].tier, "context");
	free(buf);
	free(t);
}

static void test_segment_after_the_token_on_its_line_is_context(void **state)
{
	char *t = lower_token(20), *buf = fmt("key: %s  # our Segment key\n", t);

	(void)state;
	assert_one_hit(scan(buf), SEGMENT, t);
	free(buf);
	free(t);
}

static void test_segment_context_is_any_case_and_any_spelling(void **state)
{
	static const char *forms[] = {
		"SEGMENT_API_TOKEN=%s\n",
		"{\n  \"segment\": {\n    \"token\": \"%s\"\n  }\n}\n",
		"const segmentApiToken = '%s';\n",
		"url = segment://%s@api\n",
		"SeGmEnT %s\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(forms) / sizeof(*forms); i++) {
		char *t = lower_token(24), *buf = fmt(forms[i], t);
		hits *hs = scan(buf);

		if (hs->n != 1)
			fail_msg("no finding in: %s", buf);
		assert_string_equal(hs->h[0].secret, t);
		assert_string_equal(hs->h[0].tier, "context");
		free(buf);
		free(t);
	}
}

static void test_segment_three_lines_above_gives_context(void **state)
{
	char *t = lower_token(16);
	char *buf = fmt("# segment\nline2\nline3\nkey = %s\n", t);
	hits *hs = scan(buf);

	(void)state;
	assert_one_hit(hs, SEGMENT, t);
	assert_int_equal(hs->h[0].line, 4);
	free(buf);
	free(t);
}

static void test_segment_four_lines_above_gives_no_context(void **state)
{
	char *t = hex_token(16);
	char *buf = fmt("# segment\nline2\nline3\nline4\nkey = %s\n", t);

	(void)state;
	assert_no_hit(scan(buf), buf);
	free(buf);
	free(t);
}

static void test_segment_on_the_line_below_gives_no_context(void **state)
{
	char *t = hex_token(16);
	char *buf = fmt("key = %s\n# segment\n", t);

	(void)state;
	assert_no_hit(scan(buf), buf);
	free(buf);
	free(t);
}

static void test_a_short_low_entropy_body_does_not_block_even_with_context(void **state)
{
	(void)state;
	/* Two letters alternating: 1 bit per byte, below the scaled floor. */
	assert_no_hit(scan("segment = sgp_abababababababab\n"), "abab");
}

static void test_a_body_shorter_than_16_never_blocks(void **state)
{
	char *t = mixed_token(15), *buf = fmt("segment = %s\n", t);

	(void)state;
	assert_no_hit(scan(buf), t);
	free(buf);
	free(t);
}

/* ---- random tier ------------------------------------------------------ */

/*
 * Without context only bodies that look generated block, and the tests
 * that keep identifiers out also turn away some random bodies: measured,
 * most must still block (rules/README.md gives the figures).
 */
static void test_most_random_looking_short_bodies_block_without_context(void **state)
{
	static const size_t lens[] = { 16, 17, 20, 24, 32, 48, 63 };
	size_t i, blocked;
	int k;

	(void)state;
	for (i = 0; i < sizeof(lens) / sizeof(*lens); i++) {
		for (k = 0, blocked = 0; k < 100; k++) {
			char *t = mixed_token(lens[i]), *buf = fmt("key=%s\n", t);
			hits *hs = scan(buf);

			if (hs->n == 1) {
				assert_string_equal(hs->h[0].rule, SEGMENT);
				assert_string_equal(hs->h[0].tier, "random");
				blocked++;
			}
			free(buf);
			free(t);
		}
		if (blocked < (lens[i] < 24 ? 85u : 95u))
			fail_msg("only %zu of 100 random %zu-char bodies blocked",
				blocked, lens[i]);
	}
}

static void test_camelcase_words_do_not_block_without_context(void **state)
{
	static const char *words[] = {
		"sgp_ResidentPopulationBySubzone",
		"sgp_ResidentPopulation2024BySubzone",
		"sgp_MyServiceAccountName1",
		"sgp_UserProfileV2Handler",
		"sgp_HttpRequest404Handler",
		"sgp_MyApiKeyForProd1",
		"sgp_LoadUserDataV2Async",
	};

	(void)state;
	assert_none_block(words, sizeof(words) / sizeof(*words), "call(%s)\n");
}

static void test_sequential_and_repeated_filler_does_not_block_without_context(void **state)
{
	static const char *fillers[] = {
		"sgp_abcdefghijklmnop",
		"sgp_ABCDEFGHabcdefgh12345678",
		"sgp_1234567890123456",
		"sgp_Abc123Def456Ghi789",
		"sgp_AbC1AbC1AbC1AbC1",
		"sgp_Aa1Aa1Aa1Aa1Aa1Aa1",
		"sgp_aaaaBBBB1111cccc",
		"sgp_zyxwvuTSRQPO987654",
		"sgp_aA1bB2cC3dD4eE5fF6",
	};

	(void)state;
	assert_none_block(fillers, sizeof(fillers) / sizeof(*fillers), "key=%s\n");
}

/* ---- placeholders ----------------------------------------------------- */

static void test_placeholders_never_block_even_with_context(void **state)
{
	static const char *ph[] = {
		"sgp_xxxxxxxxxxxxxxxx",
		"sgp_XXXXXXXXXXXXXXXXXXXXXXXX",
		"sgp_0000000000000000",
		"sgp_YOUR_TOKEN_HERE",
		"sgp_YourSegmentToken1234",
		"sgp_Example9Kq2Lm7Zp4Wd",
		"sgp_Rx7Kq2PLACEHOLDER9Zw",
		"sgp_aB3dE5xxxxxQ7rT9uW2",
		"sgp_changeme7Q2wE9rT5y",
		"sgp_REDACTED1a2B3c4D5e",
		"sgp_dummy8Kp3Lq6Wz9Xc",
	};

	(void)state;
	assert_none_block(ph, sizeof(ph) / sizeof(*ph), "SEGMENT_WRITE_KEY=%s\n");
}

/* ---- boundaries ------------------------------------------------------- */

static void test_a_glued_prefix_like_mysgp_does_not_match(void **state)
{
	char *t = token(64), *buf = fmt("my%s\nx_%s\n9%s\n", t, t, t);

	(void)state;
	assert_no_hit(scan(buf), buf);
	free(buf);
	free(t);
}

static void test_a_token_followed_by_underscore_does_not_match(void **state)
{
	char *t = token(64), *buf = fmt("%s_suffix\n", t);

	(void)state;
	assert_no_hit(scan(buf), buf);
	free(buf);
	free(t);
}

static void test_a_body_longer_than_64_alphanumerics_does_not_match(void **state)
{
	char *t = token(65), *buf = fmt("segment %s\n", t);

	(void)state;
	assert_no_hit(scan(buf), buf);
	free(buf);
	free(t);
}

static void test_the_secret_excludes_surrounding_punctuation(void **state)
{
	char *t = token(64);
	char *buf = fmt("\"%s\",'%s';(%s)<%s>$%s.\n", t, t, t, t, t);
	hits *hs = scan(buf);
	size_t i;

	(void)state;
	assert_int_equal(hs->n, 5);
	for (i = 0; i < hs->n; i++) {
		assert_string_equal(hs->h[i].secret, t);
		assert_int_equal(strlen(hs->h[i].secret), 68);
	}
	free(buf);
	free(t);
}

static void test_crlf_line_endings_keep_lines_and_context(void **state)
{
	char *t = lower_token(16), *t64 = token(64);
	char *buf = fmt("a\r\nSegment:\r\n  key: %s\r\n%s\r\n", t, t64);
	hits *hs = scan(buf);

	(void)state;
	assert_int_equal(hs->n, 2);
	assert_string_equal(hs->h[0].secret, t);
	assert_int_equal(hs->h[0].line, 3);
	assert_int_equal(hs->h[0].column, 8);
	assert_string_equal(hs->h[1].secret, t64);
	assert_int_equal(hs->h[1].line, 4);
	assert_int_equal(hs->h[1].column, 1);
	free(buf);
	free(t64);
	free(t);
}

static void test_a_token_at_the_very_end_without_newline_blocks(void **state)
{
	char *t = token(64), *buf = fmt("first\nsecond %s", t);
	hits *hs = scan(buf);

	(void)state;
	assert_one_hit(hs, SEGMENT, t);
	assert_int_equal(hs->h[0].line, 2);
	assert_int_equal(hs->h[0].column, 8);
	free(buf);
	free(t);
}

static void test_a_buffer_that_is_only_a_token_blocks(void **state)
{
	char *t = token(64);
	hits *hs = scan(t);

	(void)state;
	assert_one_hit(hs, SEGMENT, t);
	assert_int_equal(hs->h[0].line, 1);
	assert_int_equal(hs->h[0].column, 1);
	assert_int_equal(hs->h[0].offset, 0);
	free(t);
}

static void test_nul_bytes_in_the_buffer_do_not_hide_tokens(void **state)
{
	char *t = token(64), *t2 = token(64), buf[512];
	size_t n = 0;
	hits *hs;

	(void)state;
	memcpy(buf + n, "\x7f" "ELF\0\0\0\x01\n\0\0", 11);
	n += 11;
	memcpy(buf + n, t, 68);      /* right after NUL bytes, line 2 */
	n += 68;
	memcpy(buf + n, "\0\0\n\0x\0", 6);
	n += 6;
	memcpy(buf + n, t2, 68);     /* line 3, after "\0x\0" */
	n += 68;
	buf[n++] = '\0';
	hs = scan_len(buf, n);
	assert_int_equal(hs->n, 2);
	assert_string_equal(hs->h[0].secret, t);
	assert_int_equal(hs->h[0].line, 2);
	assert_int_equal(hs->h[0].column, 3);
	assert_int_equal(hs->h[0].offset, 11);
	assert_string_equal(hs->h[1].secret, t2);
	assert_int_equal(hs->h[1].line, 3);
	assert_int_equal(hs->h[1].column, 4);
	free(t2);
	free(t);
}

static void test_a_buffer_without_the_keyword_finds_nothing(void **state)
{
	char *t = token(64);

	(void)state;
	t[0] = 'S';   /* "Sgp_": the keyword is case-sensitive */
	assert_no_hit(scan(t), t);
	assert_no_hit(scan_len("", 0), "empty buffer");
	free(t);
}

/* ---- lines and columns ------------------------------------------------ */

static void test_line_and_column_are_one_based_byte_positions(void **state)
{
	char *t = token(64), *buf = fmt("\n\n\tk\xc3\xa9y = %s\n", t);
	hits *hs = scan(buf);

	(void)state;
	assert_one_hit(hs, SEGMENT, t);
	assert_int_equal(hs->h[0].line, 3);
	/* tab, k, two bytes of e-acute, y, space, =, space: column 9 */
	assert_int_equal(hs->h[0].column, 9);
	assert_int_equal(hs->h[0].offset, 10);
	free(buf);
	free(t);
}

static void test_many_matches_in_one_buffer_each_get_their_line_and_column(void **state)
{
	enum { LINES = 300 };
	char *buf = NULL, *toks[LINES] = { 0 };
	size_t len = 0, want_line[MAXHITS], want_col[MAXHITS], nwant = 0, i;
	FILE *fp = open_memstream(&buf, &len);
	hits *hs;
	int l;

	(void)state;
	assert_non_null(fp);
	for (l = 1; l <= LINES; l++) {
		if (l % 3 == 0) {
			int pad = l % 17;

			toks[l - 1] = token(64);
			fprintf(fp, "%*s%s", pad, "", toks[l - 1]);
			want_line[nwant] = (size_t)l;
			want_col[nwant++] = (size_t)pad + 1;
			if (l % 2 == 0) {   /* a second token on the same line */
				fprintf(fp, " , %s", toks[l - 1]);
				want_line[nwant] = (size_t)l;
				want_col[nwant++] = (size_t)pad + 1 + 68 + 3;
			}
		} else {
			fprintf(fp, "filler line %d sgp_ but nothing", l);
		}
		fputc('\n', fp);
	}
	fclose(fp);
	hs = scan_len(buf, len);
	assert_int_equal(hs->n, nwant);
	for (i = 0; i < nwant; i++) {
		if (hs->h[i].line != want_line[i] || hs->h[i].column != want_col[i])
			fail_msg("finding %zu at %zu:%zu, want %zu:%zu", i,
				hs->h[i].line, hs->h[i].column, want_line[i],
				want_col[i]);
		assert_string_equal(hs->h[i].secret, toks[want_line[i] - 1]);
		assert_memory_equal(buf + hs->h[i].offset, hs->h[i].secret, 68);
	}
	for (l = 0; l < LINES; l++)
		free(toks[l]);
	free(buf);
}

static void test_a_nonzero_callback_return_stops_the_scan_and_is_returned(void **state)
{
	char *t = token(64), *buf = fmt("%s\n%s\n%s\n", t, t, t);
	hits hs;

	(void)state;
	memset(&hs, 0, sizeof(hs));
	hs.stop_after = 2;
	assert_int_equal(sghook_matcher_scan(matcher, buf, strlen(buf),
		collect, &hs), 42);
	assert_int_equal(hs.n, 2);
	free(buf);
	free(t);
}

static void test_a_matcher_is_reusable_across_buffers(void **state)
{
	char *t = token(64), *buf = fmt("a\nb\n%s\n", t);

	(void)state;
	assert_int_equal(scan(buf)->h[0].line, 3);
	assert_no_hit(scan("nothing here\n"), "second buffer");
	assert_int_equal(scan(t)->h[0].line, 1);
	free(buf);
	free(t);
}

/* ---- inline allow ----------------------------------------------------- */

static void test_inline_sghook_allow_on_the_line_allows_it(void **state)
{
	char *t = token(64), *buf = fmt("key = %s  # sghook:allow\n", t);

	(void)state;
	assert_no_hit(scan(buf), buf);
	free(buf);
	buf = fmt("key: %s /* test fixture, sghook:allow */ \n", t);
	assert_no_hit(scan(buf), buf);
	free(buf);
	buf = fmt("<key>%s</key> <!-- sghook:allow -->\n", t);
	assert_no_hit(scan(buf), buf);
	free(buf);
	buf = fmt("x = \"%s\";-- sghook:allow\n", t);
	assert_no_hit(scan(buf), buf);
	free(buf);
	free(t);
}

/* The marker counts only in a comment that ends the line, after the token. */
static void test_a_marker_outside_a_comment_at_the_lines_end_does_not_allow(void **state)
{
	static const char *forms[] = {
		"/* sghook:allow */ key = %s\n",        /* before the token */
		"key = %s sghook:allow\n",              /* not in a comment */
		"url = \"https://%s/sghook:allow\"\n", /* in a value */
		"key = %s /* sghook:allow */ more = 1\n", /* code after it */
		"key = %s#sghook:allow\n",              /* '#' glued to it */
	};
	char *t = token(64), *buf;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(forms) / sizeof(*forms); i++) {
		buf = fmt(forms[i], t);
		assert_one_hit(scan(buf), SEGMENT, t);
		free(buf);
	}
	free(t);
}

static void test_inline_gitleaks_allow_on_the_line_allows_it(void **state)
{
	char *t = token(64), *buf = fmt("key = %s // gitleaks:allow\r\n", t);

	(void)state;
	assert_no_hit(scan(buf), buf);
	free(buf);
	free(t);
}

static void test_an_allow_comment_on_another_line_does_not_allow(void **state)
{
	char *t = token(64);
	char *buf = fmt("# sghook:allow\nkey = %s\nx # gitleaks:allow\n", t);
	hits *hs = scan(buf);

	(void)state;
	assert_one_hit(hs, SEGMENT, t);
	assert_int_equal(hs->h[0].line, 2);
	free(buf);
	free(t);
}

static void test_an_allowed_line_does_not_hide_the_next_token(void **state)
{
	char *a = token(64), *b = token(64);
	char *buf = fmt("%s # sghook:allow\n%s\n", a, b);
	hits *hs = scan(buf);

	(void)state;
	assert_one_hit(hs, SEGMENT, b);
	assert_int_equal(hs->h[0].line, 2);
	free(buf);
	free(b);
	free(a);
}

/* ---- Sourcegraph ------------------------------------------------------ */

static void test_sourcegraph_40_hex_form_is_claimed_by_sourcegraph(void **state)
{
	char *h = hex(40), *t = fmt("sgp_%s", h), *buf = fmt("tok %s\n", t);

	(void)state;
	assert_one_hit(scan(buf), SOURCEGRAPH, t);
	free(buf);
	free(t);
	free(h);
}

static void test_sourcegraph_forms_are_never_segment_even_with_segment_context(void **state)
{
	char *h16 = hex(16), *h40 = hex(40);
	char *forms[4];
	int i;

	(void)state;
	forms[0] = fmt("sgp_%s", h40);
	forms[1] = fmt("sgp_%s_%s", h16, h40);
	forms[2] = fmt("sgp_local_%s", h40);
	forms[3] = fmt("sgp_%s_local_%s", h16, h40);
	for (i = 0; i < 4; i++) {
		char *buf = fmt("SEGMENT_TOKEN=%s\n", forms[i]);
		hits *hs = scan(buf);

		if (hs->n != 1)
			fail_msg("%zu findings for %s", hs->n, buf);
		assert_string_equal(hs->h[0].rule, SOURCEGRAPH);
		assert_string_equal(hs->h[0].secret, forms[i]);
		free(buf);
		free(forms[i]);
	}
	free(h40);
	free(h16);
}

static void test_upper_case_hex_sourcegraph_token_is_sourcegraph(void **state)
{
	char *h = hex(40), *t, *buf;
	size_t i;

	(void)state;
	for (i = 0; i < 40; i++)
		if (h[i] >= 'a' && i % 2)
			h[i] -= 32;
	t = fmt("sgp_%s", h);
	buf = fmt("%s\n", t);
	assert_one_hit(scan(buf), SOURCEGRAPH, t);
	free(buf);
	free(t);
	free(h);
}

/*
 * A body of 40 hex digits is Sourcegraph's shape: when Sourcegraph's rule
 * lets it pass (its entropy is low), Segment's rule must not claim it.
 * This one has 8 distinct digits, unevenly: about 2.99 bits per byte,
 * under Sourcegraph's 3.0 but over Segment's scaled floor for 40 chars.
 */
static void test_a_low_entropy_40_hex_body_is_not_reported_as_segment(void **state)
{
	const char *t = "sgp_379f9acfaae3c9ef0cc0f7a0e93379ce0a7330af";
	char *buf = fmt("segment_token = %s\n", t);
	hits *hs = scan(buf);

	(void)state;
	assert_int_equal(strlen(t), 44);
	if (hs->n)
		assert_string_not_equal(hs->h[0].rule, SEGMENT);
	free(buf);
}

/*
 * 64 hex digits in one case are a sha256 glued to the prefix, not a
 * token (Segment bodies mix cases), and not Sourcegraph's either.
 */
static void test_a_64_hex_digit_body_a_sha256_is_no_token(void **state)
{
	char *h = hex(64), *t = fmt("segment: sgp_%s\n", h);
	size_t i;

	(void)state;
	assert_no_hit(scan(t), t);
	for (i = 0; i < 64; i++)
		h[i] = (char)(h[i] >= 'a' ? h[i] - 32 : h[i]);
	free(t);
	t = fmt("segment: sgp_%s\n", h);
	assert_no_hit(scan(t), t);
	free(t);
	free(h);
}

/* ---- edges: escapes, percent-encoding, base64, ellipsis ---------------- */

/* A 64-character token right after an escape or a %XX, and before one. */
static void test_a_token_after_an_escape_or_a_percent_sequence_is_found(void **state)
{
	static const char *const forms[] = {
		"{\"msg\":\"key\\n%s\\nnext\"}\n",
		"{\"msg\":\"token:\\t%s\\t\"}\n",
		"{\"html\":\"\\u003cb\\u003e%s\\u003c/b\\u003e\"}\n",
		"{\"cmd\":\"K=\\\"%s\\\"\"}\n",
		"GET /hook?cfg=token%%3D%s%%26limit%%3D10 HTTP/1.1\n",
		"GET /hook?cfg=token%%3d%s%%26x HTTP/1.1\n",
		"payload=%%7B%%22token%%22%%3A%%22%s%%22%%7D\n",
		"GET /r?next=%%2Fcb%%3Ftoken%%253D%s%%2526a HTTP/1.1\n",
		"printf(\"key\\x3d%s\\r\\n\");\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(forms) / sizeof(*forms); i++) {
		char *t = token(64), *buf = fmt(forms[i], t);
		hits *hs = scan(buf);

		if (hs->n != 1)
			fail_msg("%zu findings in: %s", hs->n, buf);
		assert_string_equal(hs->h[0].secret, t);
		free(buf);
		free(t);
	}
}

static void test_a_short_token_after_an_escape_blocks_with_context(void **state)
{
	char *t = hex_token(20);
	char *buf = fmt("{\"service\":\"segment\",\"msg\":\"key\\n%s\\n\"}\n", t);

	(void)state;
	assert_one_hit(scan(buf), SEGMENT, t);
	free(buf);
	free(t);
}

/* Letters before sgp_ that are not the end of an escape still glue. */
static void test_a_letter_before_the_prefix_still_glues_without_an_escape(void **state)
{
	char *t = token(64), *buf = fmt("n%s\n/n%s\nu003e%s\n%%3%s\n", t, t, t, t);

	(void)state;
	assert_no_hit(scan(buf), buf);
	free(buf);
	free(t);
}

static char *base64(size_t bytes)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = (bytes + 2) / 3 * 4, i;
	char *s = malloc(n + 1);

	assert_non_null(s);
	for (i = 0; i < n; i++)
		s[i] = b64[rng() % 64];
	if (bytes % 3)
		memset(s + n - (3 - bytes % 3), '=', 3 - bytes % 3);
	s[n] = '\0';
	return s;
}

/* sgp_ glued to a base64 sha256 or sha512: the run goes on to its '='. */
static void test_a_base64_hash_glued_to_the_prefix_does_not_block(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < 200; i++) {
		char *h = base64(i % 2 ? 32 : 64);
		char *buf = fmt("{\"segment\": {\"integrity\": \"sgp_%s\"}}\n", h);

		assert_no_hit(scan(buf), buf);
		free(buf);
		free(h);
	}
}

/* In a form body a plus is a space: it ends the token. */
static void test_a_plus_after_a_token_without_padding_is_an_edge(void **state)
{
	char *t = token(64), *buf = fmt("msg=key+is+%s+ok&n=1\n", t);

	(void)state;
	assert_one_hit(scan(buf), SEGMENT, t);
	free(buf);
	free(t);
}

/* A shortened token in a log line is not one; a whole token still is. */
static void test_a_short_body_before_an_ellipsis_does_not_block(void **state)
{
	char *t = mixed_token(16), *t64 = token(64);
	char *a = fmt("segment sync: token %s\xe2\x80\xa6 (acme)\n", t);
	char *b = fmt("segment sync: token %s... (acme)\n", t);
	char *c = fmt("segment sync: token %s\xe2\x80\xa6\n", t64);

	(void)state;
	assert_no_hit(scan(a), a);
	assert_no_hit(scan(b), b);
	assert_one_hit(scan(c), SEGMENT, t64);
	free(c);
	free(b);
	free(a);
	free(t64);
	free(t);
}

/* ---- filler and words ------------------------------------------------- */

static void test_filler_does_not_block_even_next_to_segment(void **state)
{
	static const char *const fillers[] = {
		"sgp_abcdefghijklmnopqrstuvwxyz",
		"sgp_ABCDEFGHIJKLMNOPQRSTUVWXYZ012345",
		"sgp_uvwxyzabcdefghijklm",
		"sgp_zyxwvutsrqponmlkjihg",
		"sgp_0123456789abcdefghij",
		"sgp_aA1bB2cC3dD4eE5fF6gG7",
		"sgp_aAbBcCdDeEfFgGhH",
		"sgp_AbC1AbC1AbC1AbC1",
		"sgp_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789AB",
	};

	(void)state;
	assert_none_block(fillers, sizeof(fillers) / sizeof(*fillers),
		"SEGMENT_API_TOKEN=%s\n");
}

/* The seed's example token is sequential but not filler. */
static void test_the_seed_token_blocks_next_to_segment(void **state)
{
	(void)state;
	assert_one_hit(scan("export SEGMENT_API_TOKEN=\"sgp_1234567890abcdef\"\n"),
		SEGMENT, "sgp_1234567890abcdef");
}

static void test_identifiers_and_phrases_do_not_block_even_next_to_segment(void **state)
{
	static const char *const words[] = {
		"sgp_ChangeMeBeforeDeploying",
		"sgp_PutYourRealKeyHere",
		"sgp_HouseholdIncomeByArea",
		"sgp_CustomerSegmentRevenue2021",
		"sgp_MarketShareByRegionAndTier",
		"sgp_populationestimates",
		"sgp_residentpopulationbysubzone",
		"sgp_12837916709551257390",
		"sgp_1099511627689ull",
	};

	(void)state;
	assert_none_block(words, sizeof(words) / sizeof(*words),
		"-- customer segment sizes\nSELECT * FROM %s;\n");
}

/* ---- random tier: any mix of classes ---------------------------------- */

/*
 * Random bodies of one or two classes block without context most of the
 * time (rules/README.md: about 88% at 16 to 23 characters, 99% at 48 and
 * more); hex digits alone are hashes and never do.
 */
static void test_random_bodies_of_one_or_two_classes_mostly_block_alone(void **state)
{
	static const char *const alphabets[] = {
		"abcdefghijklmnopqrstuvwxyz",
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ",
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
		"abcdefghijklmnopqrstuvwxyz0123456789",
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
	};
	size_t i, k, blocked;
	char t[64 + 5];

	(void)state;
	memcpy(t, "sgp_", 4);
	for (i = 0; i < sizeof(alphabets) / sizeof(*alphabets); i++) {
		for (k = 0, blocked = 0; k < 200; k++) {
			char *buf;
			hits *hs;

			random_from(t + 4, 16 + k % 48, alphabets[i]);
			buf = fmt("key=%s\n", t);
			hs = scan(buf);
			if (hs->n == 1) {
				assert_string_equal(hs->h[0].tier, "random");
				blocked++;
			}
			free(buf);
		}
		if (blocked < 170)
			fail_msg("only %zu of 200 random bodies over %s blocked",
				blocked, alphabets[i]);
	}
}

static void test_words_and_hex_of_one_class_do_not_block_alone(void **state)
{
	static const char *const words[] = {
		"sgp_populationestimates",
		"sgp_doublelowquotemark",
		"sgp_highlightbackground",
		"sgp_PYTHONLEGACYWINDOWSFSENCODING",
		"sgp_GETDEVICEPARAMETERS",
		"sgp_d41d8cd98f00b204e9800998ecf8427e",
		"sgp_D41D8CD98F00B204E9800998ECF8427E",
		"sgp_2024010112345678",
	};

	(void)state;
	assert_none_block(words, sizeof(words) / sizeof(*words), "key=%s\n");
}

/* ---- enclosing keys ----------------------------------------------------- */

/* Hex bodies: only context makes them block, so these test the walk. */
static void assert_context_hit(const char *format, size_t n)
{
	char *t = hex_token(n), *buf = fmt(format, t);
	hits *hs = scan(buf);

	if (hs->n != 1)
		fail_msg("%zu findings in:\n%s", hs->n, buf);
	assert_string_equal(hs->h[0].secret, t);
	assert_string_equal(hs->h[0].tier, "context");
	free(buf);
	free(t);
}

static void assert_no_context_hit(const char *format, size_t n)
{
	char *t = hex_token(n), *buf = fmt(format, t);

	assert_no_hit(scan(buf), buf);
	free(buf);
	free(t);
}

#define LINES5 "a: 1\nb: 2\nc: 3\nd: 4\ne: 5\n"

static void test_a_yaml_key_that_names_segment_levels_up_is_context(void **state)
{
	(void)state;
	assert_context_hit("integrations:\n  segment:\n    on: true\n"
		"    a: 1\n    b: 2\n    c: 3\n    d: 4\n    auth:\n"
		"      e: 5\n      f: 6\n      g: 7\n      creds:\n"
		"        h: 8\n        i: 9\n        j: 10\n"
		"        key: %s\nimage: x\n", 24);
	assert_context_hit("sinks:\n  - name: segment\n    settings:\n"
		"      a: 1\n      b: 2\n      c: 3\n      d: 4\n"
		"      secret: %s\n", 20);
}

static void test_a_yaml_key_closed_before_the_token_is_not_context(void **state)
{
	(void)state;
	assert_no_context_hit("segment:\n  on: true\n  a: 1\nstorage:\n"
		"  cache:\n    b: 2\n    c: 3\n    d: 4\n    key: %s\n", 24);
	assert_no_context_hit("sinks:\n  - name: segment\n    on: true\n"
		"  - name: cache\n    a: 1\n    b: 2\n    c: 3\n"
		"    key: %s\n", 24);
}

static void test_a_json_key_that_names_segment_levels_up_is_context(void **state)
{
	(void)state;
	assert_context_hit("{\n  \"Analytics\": {\n    \"Segment\": {\n"
		"      \"a\": 1,\n      \"b\": 2,\n      \"c\": 3,\n"
		"      \"Options\": {\n        \"d\": [1, 2, {\"x\": 3}],\n"
		"        \"e\": 5,\n        \"f\": 6,\n"
		"        \"Credentials\": { \"ApiToken\": \"%s\" }\n"
		"      }\n    }\n  }\n}\n", 30);
	/* Terraform state: "type" beside the object that holds it. */
	assert_context_hit("{\"resources\": [\n {\n  \"type\": \"segment_source\",\n"
		"  \"name\": \"web\",\n  \"instances\": [\n   {\n    \"a\": 1,\n"
		"    \"b\": 2,\n    \"c\": 3,\n    \"attributes\": {\n"
		"     \"d\": 4,\n     \"token\": \"%s\"\n    }\n   }\n  ]\n }\n]}\n", 32);
}

static void test_a_json_key_closed_before_the_token_is_not_context(void **state)
{
	(void)state;
	assert_no_context_hit("{\n  \"segment\": {\n    \"on\": true\n  },\n"
		"  \"storage\": {\n    \"a\": 1,\n    \"b\": 2,\n    \"c\": 3,\n"
		"    \"cache\": {\n      \"key\": \"%s\"\n    }\n  }\n}\n", 24);
	/* A member of the outermost object names the whole file: not counted. */
	assert_no_context_hit("{\n  \"provider\": \"segment\",\n  \"a\": 1,\n"
		"  \"b\": 2,\n  \"c\": 3,\n  \"cache\": {\n    \"d\": 4,\n"
		"    \"key\": \"%s\"\n  }\n}\n", 24);
}

static void test_a_notebook_cell_with_a_segment_key_levels_up_is_context(void **state)
{
	(void)state;
	assert_context_hit("{\"cells\": [{\"source\": [\n  \"config = {\\n\",\n"
		"  \"  \\\"segment\\\": {\\n\",\n  \"    \\\"a\\\": 1,\\n\",\n"
		"  \"    \\\"b\\\": 2,\\n\",\n  \"    \\\"c\\\": 3,\\n\",\n"
		"  \"    \\\"auth\\\": {\\\"token\\\": \\\"%s\\\"}\\n\",\n"
		"  \"  }\\n\",\n  \"}\\n\"\n]}]}\n", 28);
	assert_context_hit("{\"cells\": [{\"source\": [\n  \"segment:\\n\",\n"
		"  \"  a: 1\\n\",\n  \"  b: 2\\n\",\n  \"  c: 3\\n\",\n"
		"  \"  auth:\\n\",\n  \"    key: %s\\n\"\n]}]}\n", 28);
}

static void test_a_word_far_away_in_the_same_object_of_a_minified_line_is_context(void **state)
{
	char fill[1500], *fmtstr;
	size_t i;

	(void)state;
	for (i = 0; i + 10 < sizeof(fill); i += 10)
		memcpy(fill + i, "\"k\":[1,2],", 10);
	fill[i] = '\0';
	fmtstr = fmt("var c={\"provider\":\"segment\",%s\"token\":\"%%s\"};\n", fill);
	assert_context_hit(fmtstr, 26);
	free(fmtstr);
	/* In another object of the line, it is not. */
	fmtstr = fmt("var a={\"provider\":\"segment\"},c={%s\"token\":\"%%s\"};\n", fill);
	assert_no_context_hit(fmtstr, 26);
	free(fmtstr);
}

/* One walk serves every match of a buffer: order and restarts. */
static void test_enclosing_keys_are_judged_for_every_match_of_a_buffer(void **state)
{
	char *a = hex_token(20), *b = hex_token(20), *c = hex_token(20);
	char *buf = fmt("other:\n  x: 1\n  y: 2\n  z: 3\n  k: %s\n"
		"segment:\n  x: 1\n  y: 2\n  z: 3\n  k: %s\n"
		"next:\n  x: 1\n  y: 2\n  z: 3\n  k: %s\n", a, b, c);
	hits *hs;

	(void)state;
	hs = scan(buf);
	assert_one_hit(hs, SEGMENT, b);
	hs = scan(buf);
	assert_one_hit(hs, SEGMENT, b);
	free(buf);
	free(c);
	free(b);
	free(a);
}

#define T(f) cmocka_unit_test_setup(f, reseed)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_entropy_of_one_repeated_byte_is_zero),
		T(test_entropy_of_two_equally_frequent_bytes_is_one_bit),
		T(test_entropy_of_64_distinct_bytes_is_six_bits),
		T(test_entropy_counts_only_len_bytes_and_nul_bytes),
		T(test_entropy_of_a_random_64_char_body_is_above_5_bits),
		T(test_a_64_char_random_token_blocks_without_context),
		T(test_a_64_char_body_of_one_repeated_char_does_not_block),
		T(test_a_16_hex_digit_body_without_context_does_not_block),
		T(test_a_16_char_token_with_segment_on_its_line_blocks),
		T(test_segment_after_the_token_on_its_line_is_context),
		T(test_segment_context_is_any_case_and_any_spelling),
		T(test_segment_three_lines_above_gives_context),
		T(test_segment_four_lines_above_gives_no_context),
		T(test_segment_on_the_line_below_gives_no_context),
		T(test_a_short_low_entropy_body_does_not_block_even_with_context),
		T(test_a_body_shorter_than_16_never_blocks),
		T(test_most_random_looking_short_bodies_block_without_context),
		T(test_camelcase_words_do_not_block_without_context),
		T(test_sequential_and_repeated_filler_does_not_block_without_context),
		T(test_placeholders_never_block_even_with_context),
		T(test_a_glued_prefix_like_mysgp_does_not_match),
		T(test_a_token_followed_by_underscore_does_not_match),
		T(test_a_body_longer_than_64_alphanumerics_does_not_match),
		T(test_the_secret_excludes_surrounding_punctuation),
		T(test_crlf_line_endings_keep_lines_and_context),
		T(test_a_token_at_the_very_end_without_newline_blocks),
		T(test_a_buffer_that_is_only_a_token_blocks),
		T(test_nul_bytes_in_the_buffer_do_not_hide_tokens),
		T(test_a_buffer_without_the_keyword_finds_nothing),
		T(test_line_and_column_are_one_based_byte_positions),
		T(test_many_matches_in_one_buffer_each_get_their_line_and_column),
		T(test_a_nonzero_callback_return_stops_the_scan_and_is_returned),
		T(test_a_matcher_is_reusable_across_buffers),
		T(test_inline_sghook_allow_on_the_line_allows_it),
		T(test_inline_gitleaks_allow_on_the_line_allows_it),
		T(test_a_marker_outside_a_comment_at_the_lines_end_does_not_allow),
		T(test_an_allow_comment_on_another_line_does_not_allow),
		T(test_an_allowed_line_does_not_hide_the_next_token),
		T(test_sourcegraph_40_hex_form_is_claimed_by_sourcegraph),
		T(test_sourcegraph_forms_are_never_segment_even_with_segment_context),
		T(test_upper_case_hex_sourcegraph_token_is_sourcegraph),
		T(test_a_low_entropy_40_hex_body_is_not_reported_as_segment),
		T(test_a_64_hex_digit_body_a_sha256_is_no_token),
		T(test_a_token_after_an_escape_or_a_percent_sequence_is_found),
		T(test_a_short_token_after_an_escape_blocks_with_context),
		T(test_a_letter_before_the_prefix_still_glues_without_an_escape),
		T(test_a_base64_hash_glued_to_the_prefix_does_not_block),
		T(test_a_plus_after_a_token_without_padding_is_an_edge),
		T(test_a_short_body_before_an_ellipsis_does_not_block),
		T(test_filler_does_not_block_even_next_to_segment),
		T(test_the_seed_token_blocks_next_to_segment),
		T(test_identifiers_and_phrases_do_not_block_even_next_to_segment),
		T(test_random_bodies_of_one_or_two_classes_mostly_block_alone),
		T(test_words_and_hex_of_one_class_do_not_block_alone),
		T(test_a_yaml_key_that_names_segment_levels_up_is_context),
		T(test_a_yaml_key_closed_before_the_token_is_not_context),
		T(test_a_json_key_that_names_segment_levels_up_is_context),
		T(test_a_json_key_closed_before_the_token_is_not_context),
		T(test_a_notebook_cell_with_a_segment_key_levels_up_is_context),
		T(test_a_word_far_away_in_the_same_object_of_a_minified_line_is_context),
		T(test_enclosing_keys_are_judged_for_every_match_of_a_buffer),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
