/*
 * The matcher over arbitrary bytes, with the shipped rules. Each input is
 * matched twice, with PCRE2's JIT and without it: both must find the same
 * secrets, at offsets, lines and columns that agree with the buffer.
 */
#define _GNU_SOURCE
#include "fuzz.h"

#define MAX_FOUND 4096

typedef struct {
	const char *buf;
	size_t len;
	sghook_match found[MAX_FOUND];
	size_t n;
	size_t pos, line, ls;   /* counted up to pos: its line and line start */
} seen;

static sghook_rules *rules;
static sghook_matcher *jit, *interp;
static seen a, b;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	git_libgit2_init();
	rules = fuzz_shipped_rules();
	if (sghook_matcher_new(&jit, rules) < 0 ||
	    sghook_matcher_new(&interp, rules) < 0) {
		fprintf(stderr, "fuzz: %s\n", sghook_error_last());
		exit(2);
	}
	sghook_matcher_use_jit(interp, 0);
	return 0;
}

static int known_rule(const sghook_rule *r)
{
	size_t i;

	for (i = 0; i < sghook_rules_count(rules); i++)
		if (sghook_rules_get(rules, i) == r)
			return 1;
	return 0;
}

static int collect(const sghook_match *m, void *payload)
{
	seen *s = payload;

	FUZZ_CHECK(s->n < MAX_FOUND, "more matches than bytes");
	FUZZ_CHECK(known_rule(m->rule), "match of no rule");
	FUZZ_CHECK(m->secret_len >= 4 && !memcmp(m->secret, "sgp_", 4),
		"a shipped rule matched without its prefix");
	FUZZ_CHECK(sghook_tier_name(m->tier) != NULL, "tier %d",
		(int)m->tier);
	/* Decoded (fuzz_decode checks those): only its place in the buffer. */
	if (m->encoding != SGHOOK_ENCODING_NONE) {
		FUZZ_CHECK(sghook_encoding_name(m->encoding) && m->offset < s->len &&
			m->line > 0 && m->column > 0, "a decoded match at %zu",
			m->offset);
		return 0;
	}
	FUZZ_CHECK(m->secret_len > 0 && m->offset + m->secret_len <= s->len,
		"secret [%zu, +%zu) outside a buffer of %zu", m->offset,
		m->secret_len, s->len);
	FUZZ_CHECK(m->secret == s->buf + m->offset, "secret not at offset");
	if (s->n) {
		const sghook_match *p = &s->found[s->n - 1];

		FUZZ_CHECK(p->offset + p->secret_len <= m->offset,
			"matches overlap or come out of order");
	}
	/* In order, so the lines are counted once over the buffer. */
	for (; s->pos < m->offset; s->pos++)
		if (s->buf[s->pos] == '\n') {
			s->line++;
			s->ls = s->pos + 1;
		}
	FUZZ_CHECK(m->line == s->line && m->column == m->offset - s->ls + 1,
		"at %zu:%zu, the buffer says %zu:%zu", m->line, m->column,
		s->line, m->offset - s->ls + 1);
	s->found[s->n++] = *m;
	return 0;
}

static void scan(seen *s, sghook_matcher *m, const char *buf, size_t len)
{
	s->buf = buf;
	s->len = len;
	s->n = 0;
	s->pos = s->ls = 0;
	s->line = 1;
	FUZZ_CHECK(sghook_matcher_scan(m, buf, len, collect, s) == 0,
		"scan failed: %s", sghook_error_last());
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	size_t i;

	scan(&a, jit, buf, size);
	scan(&b, interp, buf, size);
	FUZZ_CHECK(a.n == b.n, "JIT found %zu, the interpreter %zu", a.n, b.n);
	for (i = 0; i < a.n; i++)
		FUZZ_CHECK(a.found[i].offset == b.found[i].offset &&
			a.found[i].secret_len == b.found[i].secret_len &&
			a.found[i].rule == b.found[i].rule &&
			a.found[i].tier == b.found[i].tier,
			"match %zu differs between JIT and interpreter", i);
	if (!sghook_rules_prefilter(rules, buf, size))
		FUZZ_CHECK(a.n == 0, "a match in a buffer the prefilter passed over");
	return 0;
}
