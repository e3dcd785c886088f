/*
 * Finding rule matches in a buffer. The buffer is matched whole, as raw
 * bytes, so that binary blobs and megabyte-long lines cost one pass; line
 * numbers are counted only for the rare match.
 *
 * Whether a match blocks is decided from the rule's data (see
 * rules/README.md): a body of the rule's full length needs only entropy;
 * a shorter one needs context words nearby, or to look random.
 *
 * Around an encoded form of a keyword (decode.c), the decoded bytes are a
 * segment of their own, matched by the same rules; their context is
 * theirs and that of the lines that hold them, up to the buffer.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "rules_internal.h"

/* How far a context word may sit from the secret on its own line. */
#define CONTEXT_SAME_LINE 256
/* How far back the lines above are read, so minified files stay cheap. */
#define CONTEXT_ABOVE 2048

/* On its own line, how far the object that holds the secret is read. */
#define CONTEXT_OBJECT 4096

/*
 * Where a forward walk of a buffer stands (enclosing_context()): the keys
 * that enclose each match are found in one pass over the buffer, however
 * many matches it holds, since matches come in the order of their offsets.
 */
typedef struct {
	const char *buf;         /* the buffer walked; NULL: none yet */
	size_t len, pos;         /* the bytes before pos are walked */
	const sghook_rule *rule;
	size_t hit, hit_end;     /* next context word at or after pos; len: none */
	/* Brackets: { and [ of JSON, JavaScript, HCL, notebook cells. */
	size_t depth;            /* open brackets */
	size_t ctx_depth;        /* outermost open one that names the context; 0: none */
	int member_hit;          /* the member read since the last , ; or bracket names it */
	/* Indentation: YAML, Python, XML, a notebook cell's lines. */
	size_t line_start, indent;
	int line_skip;           /* the line is blank or a comment */
	int line_hit;            /* the line names the context */
	long ctx_indent;         /* outermost open line that names it; -1: none */
	int ctx_children;        /* it opens a block: it closes at its own indentation */
} walk;

/* Bytes matched: the buffer, or what decodes from a part of another. */
typedef struct segment {
	const struct segment *parent;  /* NULL: the buffer scanned */
	const char *buf;
	size_t len;
	sghook_decoded dec;            /* how buf came from parent->buf */
	int depth;                     /* encodings from the buffer */
} segment;

struct sghook_matcher {
	const sghook_rules *rules;
	pcre2_match_data **md;   /* one per rule */
	pcre2_match_data *aux;   /* for context and placeholder patterns */
	pcre2_match_context *mctx;
	pcre2_jit_stack *stack;
	uint32_t options;        /* of every pcre2_match(): PCRE2_NO_JIT or 0 */
	walk walk;
	walk outer[SGHOOK_DECODE_DEPTH]; /* the walks of a segment's parents */
	sghook_match *found;     /* blocking matches */
	size_t nfound, alloc;
	/* Bytes that rules before the last have matched, blocking or not. */
	struct claim { size_t off, end; } *claims;
	size_t nclaims, claims_alloc;
	/* The line of the last match: [line, line_end), line_end at its '\n'. */
	const char *line, *line_end;
	/* A match that ends before it is allowed (allow_limit()); or NULL. */
	const char *allow_at;
	/* Decoded bytes that found matches point into, until the next scan. */
	char **kept;
	size_t nkept, kept_alloc;
};

static void kept_clear(sghook_matcher *m)
{
	size_t i;

	for (i = 0; i < m->nkept; i++)
		free(m->kept[i]);
	m->nkept = 0;
}

void sghook_matcher_free(sghook_matcher *m)
{
	size_t i;

	if (!m)
		return;
	if (m->md)
		for (i = 0; i < m->rules->count; i++)
			pcre2_match_data_free(m->md[i]);
	free(m->md);
	pcre2_match_data_free(m->aux);
	pcre2_match_context_free(m->mctx);
	pcre2_jit_stack_free(m->stack);
	free(m->found);
	free(m->claims);
	kept_clear(m);
	free(m->kept);
	free(m);
}

void sghook_matcher_use_jit(sghook_matcher *m, int on)
{
	m->options = on ? 0 : PCRE2_NO_JIT;
}

int sghook_matcher_new(sghook_matcher **out, const sghook_rules *rules)
{
	sghook_matcher *m = calloc(1, sizeof(*m));
	size_t i;

	if (!m)
		return sghook_error_set("out of memory");
	m->rules = rules;
	if (!(m->md = calloc(rules->count ? rules->count : 1, sizeof(*m->md))))
		goto oom;
	for (i = 0; i < rules->count; i++)
		if (!(m->md[i] = pcre2_match_data_create_from_pattern(
		    rules->items[i]->re, NULL)))
			goto oom;
	if (!(m->aux = pcre2_match_data_create(4, NULL)) ||
	    !(m->mctx = pcre2_match_context_create(NULL)) ||
	    !(m->stack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL)))
		goto oom;
	pcre2_jit_stack_assign(m->mctx, NULL, m->stack);
	*out = m;
	return 0;
oom:
	sghook_matcher_free(m);
	return sghook_error_set("out of memory");
}

double sghook_entropy(const char *s, size_t len)
{
	size_t counts[256] = {0}, i;
	double h = 0, p;

	for (i = 0; i < len; i++)
		counts[(unsigned char)s[i]]++;
	for (i = 0; i < 256; i++) {
		if (!counts[i])
			continue;
		p = (double)counts[i] / (double)len;
		h -= p * log2(p);
	}
	return h;
}

static int is_upper(int c) { return c >= 'A' && c <= 'Z'; }
static int is_lower(int c) { return c >= 'a' && c <= 'z'; }
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_alnum(int c) { return is_upper(c) || is_lower(c) || is_digit(c); }

static int char_class(int c)
{
	return is_upper(c) ? 0 : is_lower(c) ? 1 : is_digit(c) ? 2 : 3;
}

static int is_vowel(int c)
{
	return c && strchr("aeiouyAEIOUY", c) != NULL;
}

/*
 * Share of `s` in runs shaped like words: an optional capital, then two or
 * more lower-case letters, with a vowel (the pieces of CamelCase
 * identifiers; random runs like "Hth" or "Lfd" mostly lack one).
 */
static size_t wordlike(const char *s, size_t n)
{
	size_t i = 0, j, k, v, covered = 0;

	while (i < n) {
		j = i + (is_upper(s[i]) ? 1 : 0);
		for (k = j, v = is_vowel(s[i]); k < n && is_lower(s[k]); k++)
			v |= is_vowel(s[k]);
		if (k - j >= 2) {
			covered += v ? k - i : 0;
			i = k;
		} else {
			i++;
		}
	}
	return covered;
}

/* Whether the character classes repeat with a period of `from` to 4. */
static int periodic(const char *s, size_t n, size_t from)
{
	size_t p, i, same;

	for (p = from; p <= 4 && p < n; p++) {
		for (i = p, same = 0; i < n; i++)
			same += char_class(s[i]) == char_class(s[i - p]);
		if (same * 10 >= (n - p) * 9)
			return 1;
	}
	return 0;
}

/*
 * 1 when b follows a: the next digit or letter, or 9 to 0, a or A, z to
 * a or 0, Z to A or 0 (the alphabet going round, or on to the next
 * class: 0123456789abcdef); -1 when a follows b.
 */
static int step(int a, int b)
{
	static const char *const next[] = {
		"0123456789a", "9A", "90", "abcdefghijklmnopqrstuvwxyza", "z0",
		"ABCDEFGHIJKLMNOPQRSTUVWXYZA", "Z0",
	};
	const char *p;
	size_t i;

	if (!is_alnum(a) || !is_alnum(b))
		return 0;
	for (i = 0; i < sizeof(next) / sizeof(*next); i++) {
		if ((p = strchr(next[i], a)) && p[1] == b)
			return 1;
		if ((p = strchr(next[i], b)) && p[1] == a)
			return -1;
	}
	return 0;
}

/*
 * Filler: a run of more than `fillerRun` characters each one on from the
 * one before in the same direction (abcdefghijk, ABC...XYZ012345, and the
 * cycle on: uvwxyzabcdefghij), or classes that change at every other
 * position and repeat with a period of 2 to 4 (aA1bB2cC3, AbC1AbC1).
 * Random bodies almost never hold either, and the seed documents'
 * sgp_1234567890abcdef, with shorter runs, is not filler.
 */
static int filler(const sghook_rule *r, const char *s, size_t n)
{
	size_t i, run = 1, longest = 1, changes = 0;
	int dir = 0, d;

	if (!r->filler_run || n < 2)
		return 0;
	for (i = 1; i < n; i++) {
		d = step((unsigned char)s[i - 1], (unsigned char)s[i]);
		run = !d ? 1 : d == dir ? run + 1 : 2;
		dir = d;
		if (run > longest)
			longest = run;
		changes += char_class(s[i]) != char_class(s[i - 1]);
	}
	return longest > (size_t)r->filler_run ||
		(changes * 2 >= n - 1 && periodic(s, n, 2));
}

/*
 * Share of the neighbouring pairs of `s` that are common letter pairs of
 * English words (the rule's wordPairs, any case), a lower-case letter
 * before a capital being where a CamelCase word ends, not a pair. Words
 * and the identifiers glued from them are mostly such pairs; random
 * strings hold few.
 */
static double word_share(const sghook_rule *r, const char *s, size_t n)
{
	size_t i, common = 0;
	int a, b;

	for (i = 1; i < n; i++) {
		if (is_lower(s[i - 1]) && is_upper(s[i]))
			continue;
		a = (unsigned char)s[i - 1] | 0x20;
		b = (unsigned char)s[i] | 0x20;
		if (a >= 'a' && a <= 'z' && b >= 'a' && b <= 'z')
			common += r->word_pairs[(a - 'a') * 26 + (b - 'a')];
	}
	return n > 1 ? (double)common / (double)(n - 1) : 0;
}

/*
 * An identifier or a phrase glued from words (HouseholdIncomeByArea2021,
 * ChangeMeBeforeDeploying, populationestimates): never a token, even next
 * to the word segment. Mostly common letter pairs and, in mixed case,
 * mostly word-shaped runs; or a very high share of common pairs.
 */
static int identifier(const sghook_rule *r, const char *s, size_t n)
{
	double w;
	size_t i;
	int up = 0, low = 0;

	if (!r->word_pairs)
		return 0;
	/* A year or version at the end is no part of the words. */
	for (i = n; i > 0 && is_digit(s[i - 1]); i--)
		;
	if (i >= 8)
		n = i;
	w = word_share(r, s, n);
	if (w >= r->identifier_share)
		return 1;
	for (i = 0; i < n; i++) {
		up |= is_upper(s[i]);
		low |= is_lower(s[i]);
	}
	return up && low && w >= r->word_share && wordlike(s, n) * 10 >= n * 6;
}

/*
 * The entropy a string of n characters drawn at random from an alphabet of
 * `a` characters has on average: short strings stay well below log2(a).
 */
static double expected_entropy(size_t n, int a)
{
	double p = 1.0 / a, q = 1 - p, t = pow(q, (double)n), h = 0;
	size_t k;

	for (k = 1; k <= n; k++) {
		t *= (double)(n - k + 1) / (double)k * p / q;
		h -= t * ((double)k / (double)n) * log2((double)k / (double)n);
	}
	return a * h;
}

/*
 * Whether a body without context looks machine-generated. With the rule's
 * word pairs, any mix of classes may be random: its entropy is measured
 * against that of random strings of its length over the alphabet it uses
 * (lower case and digits: 36), its class changes against theirs, and it
 * must not be made of common letter pairs. Without them, only a body that
 * mixes upper case, lower case and digits can be told from words.
 * rules/README.md gives the figures.
 */
static int looks_random(const sghook_rule *r, const char *s, size_t n,
	double h)
{
	size_t i, changes = 0, steps = 0, hex = 0, HEX = 0;
	int up = 0, low = 0, dig = 0, a;
	double same;

	if (n < 2)
		return 0;
	for (i = 0; i < n; i++) {
		up |= is_upper(s[i]);
		low |= is_lower(s[i]);
		dig |= is_digit(s[i]);
		hex += is_digit(s[i]) || (s[i] >= 'a' && s[i] <= 'f');
		HEX += is_digit(s[i]) || (s[i] >= 'A' && s[i] <= 'F');
		if (i == 0)
			continue;
		changes += char_class(s[i]) != char_class(s[i - 1]);
		steps += s[i] == s[i - 1] || s[i] == s[i - 1] + 1 ||
			s[i] == s[i - 1] - 1;
	}
	if (!r->word_pairs)
		return up && low && dig && changes * 10 >= (n - 1) * 3 &&
			steps * 4 <= n - 1 && wordlike(s, n) * 10 < n * 6 &&
			!periodic(s, n, 1);
	/* Digits alone are a number; hex digits alone, a hash. */
	if ((!up && !low) || hex == n || HEX == n)
		return 0;
	a = 26 * up + 26 * low + 10 * dig;
	if (h < r->random_entropy * expected_entropy(n, a))
		return 0;
	/* A random string changes class at 1 - sum(p_class^2) of its pairs. */
	same = (double)(26 * 26 * (up + low) + 100 * dig) / (double)(a * a);
	if (up + low + dig > 1 && (double)changes < 0.5 * (1 - same) * (n - 1))
		return 0;
	/* In mixed case, CamelCase words as well (glWindowPos3fvARB). */
	if (up && low && wordlike(s, n) * 10 >= n * 6)
		return 0;
	return steps * 4 <= n - 1 && word_share(r, s, n) < r->word_share;
}

static int pattern_in(sghook_matcher *m, pcre2_code *re, const char *s,
	size_t len)
{
	return pcre2_match(re, (PCRE2_SPTR)s, len, 0, m->options, m->aux,
		m->mctx) >= 0;
}

static const char *line_start(const char *buf, const char *p)
{
	const char *nl = p > buf ? memrchr(buf, '\n', (size_t)(p - buf)) : NULL;

	return nl ? nl + 1 : buf;
}

/* The last of `markers` in [ls, le), or NULL; *mlen is its length. */
static const char *last_marker(const sghook_strings *markers,
	const char *ls, const char *le, size_t *mlen)
{
	const char *last = NULL, *p, *hit, *name;
	size_t k, n;

	for (k = 0; k < markers->count; k++) {
		name = markers->items[k];
		n = strlen(name);
		for (p = ls; (hit = memmem(p, (size_t)(le - p), name, n));
		    p = hit + n)
			if (!last || hit > last) {
				last = hit;
				*mlen = n;
			}
	}
	return last;
}

/*
 * A comment may start at the line's start, after a blank, or right after
 * what ends a value (a quote, a comma, a semicolon, a bracket). No secret
 * holds these characters, so none starts inside one.
 */
static int opener_at(const char *ls, const char *p, const char *le,
	const char **close)
{
	static const struct { const char *open, *close; } kinds[] = {
		{ "<!--", "-->" }, { "/*", "*/" }, { "//", NULL },
		{ "#", NULL }, { "--", NULL }, { ";", NULL }
	};
	size_t k, n;

	if (p > ls && !strchr(" \t\"'`,;)]}", p[-1]))
		return 0;
	for (k = 0; k < sizeof(kinds) / sizeof(*kinds); k++) {
		n = strlen(kinds[k].open);
		if ((size_t)(le - p) >= n && !memcmp(p, kinds[k].open, n)) {
			*close = kinds[k].close;
			return 1;
		}
	}
	return 0;
}

/*
 * An allow marker counts in a comment that ends the line: the line's
 * first comment opener comes before its last marker, and a block comment
 * closes with nothing but blanks after. Returns that marker (a secret must
 * end before it), or NULL. One pass over the line, for all its matches.
 */
static const char *allow_limit(const sghook_strings *markers,
	const char *ls, const char *le)
{
	const char *marker, *p, *close = NULL, *after;
	size_t mlen = 0;

	if (!(marker = last_marker(markers, ls, le, &mlen)))
		return NULL;
	for (p = ls; p < marker && !opener_at(ls, p, le, &close); p++)
		;
	if (p >= marker)
		return NULL;
	if (!close)
		return marker;  /* a line comment runs to the line's end */
	after = memmem(marker + mlen, (size_t)(le - marker - mlen), close,
		strlen(close));
	if (!after)
		return NULL;
	for (after += strlen(close); after < le; after++)
		if (!strchr(" \t\r", *after))
			return NULL;
	return marker;
}

static const char *line_allow_limit(const sghook_strings *markers,
	const char *buf, size_t len, size_t off, const char **eol)
{
	const char *ls = line_start(buf, buf + off);

	if (!(*eol = memchr(buf + off, '\n', len - off)))
		*eol = buf + len;
	return allow_limit(markers, ls, *eol);
}

const char *sghook_match_rule_allow_limit(const sghook_rule *rule,
	const char *buf, size_t len, size_t off, const char **eol)
{
	return line_allow_limit(&rule->allow_markers, buf, len, off, eol);
}

/*
 * Finds the line of buf[off] and whether it holds an allow marker. Matches
 * come in order and one line may hold a million of them (a minified file,
 * or one made to stall a server hook): searching the line whole for each
 * was quadratic. A match on the line of the last one reuses it; one on a
 * later line searches back only to the end of that one.
 */
static void find_line(sghook_matcher *m, const sghook_rule *r,
	const char *buf, size_t len, size_t off)
{
	const char *p = buf + off, *nl;

	if (m->line && p >= m->line && p < m->line_end)
		return;
	if (m->line && p > m->line_end) {
		nl = memrchr(m->line_end, '\n', (size_t)(p - m->line_end));
		m->line = nl ? nl + 1 : m->line_end + 1;
	} else {
		m->line = line_start(buf, p);
	}
	if (!(m->line_end = memchr(p, '\n', len - off)))
		m->line_end = buf + len;
	m->allow_at = allow_limit(&r->allow_markers, m->line, m->line_end);
}

/*
 * On its own line, the object that holds the secret is its surroundings
 * too, however long the line: back to its unmatched opening bracket and on
 * to its closing one, each at most CONTEXT_OBJECT bytes away. So a word in
 * the same object of a minified file counts, not one anywhere on its line.
 * The line is the match's, found by find_line().
 */
static int object_context(sghook_matcher *m, const sghook_rule *r,
	const char *buf, size_t off, size_t end)
{
	const char *p, *stop;
	long depth = 0;

	stop = buf + off - m->line > CONTEXT_OBJECT ?
		buf + off - CONTEXT_OBJECT : m->line;
	for (p = buf + off; p > stop; p--) {
		if (p[-1] == '}' || p[-1] == ']')
			depth++;
		else if ((p[-1] == '{' || p[-1] == '[') && --depth < 0)
			break;
	}
	if (depth >= 0)
		return 0;
	if (pattern_in(m, r->context, p, (size_t)(buf + off - p)))
		return 1;
	stop = m->line_end - (buf + end) > CONTEXT_OBJECT ?
		buf + end + CONTEXT_OBJECT : m->line_end;
	for (p = buf + end, depth = 0; p < stop; p++) {
		if (*p == '{' || *p == '[')
			depth++;
		else if ((*p == '}' || *p == ']') && --depth < 0)
			break;
	}
	return p < stop &&
		pattern_in(m, r->context, buf + end, (size_t)(p - (buf + end)));
}

/* On the match's line, found by find_line(). */
static int has_context(sghook_matcher *m, const sghook_rule *r,
	const char *buf, size_t off, size_t end)
{
	const char *start = m->line, *stop, *above = start, *lo;
	int i;

	/* Lines above count only as far as CONTEXT_ABOVE bytes back. */
	lo = start - buf > CONTEXT_ABOVE ? start - CONTEXT_ABOVE : buf;
	for (i = 0; i < r->context_lines && above > lo; i++) {
		const char *nl = above - 1 > lo ?
			memrchr(lo, '\n', (size_t)(above - 1 - lo)) : NULL;

		above = nl ? nl + 1 : lo;
	}
	/* On the secret's own line, only nearby words count. */
	if (buf + off - start > CONTEXT_SAME_LINE) {
		if (above < start &&
		    pattern_in(m, r->context, above, (size_t)(start - above)))
			return 1;
		above = buf + off - CONTEXT_SAME_LINE;
	}
	stop = m->line_end;
	if (stop - (buf + end) > CONTEXT_SAME_LINE)
		stop = buf + end + CONTEXT_SAME_LINE;
	/* The match itself is not context: sgp_CustomerSegments names no key. */
	return pattern_in(m, r->context, above, (size_t)(buf + off - above)) ||
		pattern_in(m, r->context, buf + end, (size_t)(stop - (buf + end))) ||
		object_context(m, r, buf, off, end);
}

/* ---- enclosing keys ------------------------------------------------------ */

/*
 * The next context word at or after `from`. A word inside what follows a
 * keyword (sgp_CustomerSegments) names nothing, as on the match's own line.
 */
static void walk_next_hit(sghook_matcher *m, walk *w, size_t from)
{
	const sghook_rule *r = w->rule;
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->aux);
	size_t run, k, kl;

	for (;;) {
		if (from > w->len || pcre2_match(r->context, (PCRE2_SPTR)w->buf,
		    w->len, from, m->options, m->aux, m->mctx) < 0) {
			w->hit = w->hit_end = w->len;
			return;
		}
		w->hit = ov[0];
		w->hit_end = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
		for (run = w->hit; run > 0 && is_alnum(w->buf[run - 1]); run--)
			;
		for (k = 0; k < r->keywords.count; k++) {
			kl = strlen(r->keywords.items[k]);
			if (run >= kl && !memcmp(w->buf + run - kl,
			    r->keywords.items[k], kl))
				break;
		}
		if (k == r->keywords.count)
			return;
		from = w->hit_end;
	}
}

/* A line that opens a block: "key:", "- item", "{", "<tag>". */
static int line_opens(const char *s, const char *e)
{
	while (e > s && strchr(" \t\r,\"", e[-1]))
		e--;
	/* A notebook cell's line ends in the escape \n. */
	if (e - s >= 2 && e[-2] == '\\' && e[-1] == 'n') {
		e -= 2;
		while (e > s && strchr(" \t\r", e[-1]))
			e--;
	}
	if (e == s)
		return 0;
	if (e[-1] == ':' || e[-1] == '{' || e[-1] == '[' ||
	    (s[0] == '-' && e - s > 1 && s[1] == ' '))
		return 1;
	return s[0] == '<' && e - s > 2 && (is_upper(s[1]) || is_lower(s[1])) &&
		e[-1] == '>' && e[-2] != '/' && !memmem(s, (size_t)(e - s), "</", 2);
}

static void walk_line_start(walk *w, size_t p)
{
	const char *s = w->buf + p, *e = w->buf + w->len;
	size_t i = 0;

	while (s + i < e && (s[i] == ' ' || s[i] == '\t'))
		i++;
	/* A line of a JSON string array (a notebook cell) is indented inside. */
	if (s + i < e && s[i] == '"')
		for (i++; s + i < e && s[i] == ' '; i++)
			;
	w->line_start = p;
	w->indent = i;
	w->line_hit = 0;
	w->line_skip = s + i == e || s[i] == '\n' || s[i] == '\r' ||
		s[i] == '#' || (s[i] == '/' && s + i + 1 < e &&
		(s[i + 1] == '/' || s[i + 1] == '*'));
	if (w->line_skip || w->ctx_indent < 0)
		return;
	/* A line as shallow as the one that named Segment closes its block. */
	if ((long)i < w->ctx_indent ||
	    ((long)i == w->ctx_indent && w->ctx_children))
		w->ctx_indent = -1;
}

static void walk_line_end(walk *w, size_t p)
{
	const char *s = w->buf + w->line_start + w->indent;

	if (w->line_skip || !w->line_hit || w->ctx_indent >= 0)
		return;
	if (line_opens(s, w->buf + p)) {
		w->ctx_indent = (long)w->indent;
		w->ctx_children = 1;
	} else if (w->indent > 0 && w->depth == 0) {
		/*
		 * A member of an indented block: the rest of that block. Inside
		 * brackets, the brackets tell members apart (walk_member_end()).
		 */
		w->ctx_indent = (long)w->indent;
		w->ctx_children = 0;
	}
}

static void walk_reset(sghook_matcher *m, walk *w, const sghook_rule *r,
	const char *buf, size_t len)
{
	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->len = len;
	w->rule = r;
	w->ctx_indent = -1;
	walk_line_start(w, 0);
	walk_next_hit(m, w, 0);
}

/* Members of the outermost object or block name the whole file: not counted. */
static void walk_member_end(walk *w)
{
	if (w->member_hit && w->depth >= 2 &&
	    (!w->ctx_depth || w->ctx_depth > w->depth))
		w->ctx_depth = w->depth;
	w->member_hit = 0;
}

static void walk_to(sghook_matcher *m, walk *w, size_t to)
{
	size_t p;

	for (p = w->pos; p < to; p++) {
		if (p == w->hit) {
			w->member_hit = 1;
			w->line_hit |= !w->line_skip;
			walk_next_hit(m, w, w->hit_end);
		}
		switch (w->buf[p]) {
		case '{':
		case '[':
			/* A key that names Segment: the object it opens. */
			w->depth++;
			if (w->member_hit && !w->ctx_depth)
				w->ctx_depth = w->depth;
			w->member_hit = 0;
			break;
		case '}':
		case ']':
			if (w->depth) {
				if (w->ctx_depth == w->depth)
					w->ctx_depth = 0;
				w->depth--;
			}
			w->member_hit = 0;
			break;
		case ',':
		case ';':
			walk_member_end(w);
			break;
		case '\n':
			/* A key reaches the bracket on its line or the next. */
			if (!w->line_hit && !w->line_skip)
				w->member_hit = 0;
			walk_line_end(w, p);
			walk_line_start(w, p + 1);
			break;
		}
	}
	w->pos = to;
}

/*
 * Whether a key that encloses the match names the context, at any depth:
 * an open bracket whose key does (JSON, JavaScript, HCL, a notebook cell's
 * source), or a line above with less indentation (YAML, Python, XML); or a
 * member of one of those that precedes the match ("type":
 * "segment_source" beside the object that holds it).
 */
static int enclosing_context(sghook_matcher *m, walk *w,
	const sghook_rule *r, const char *buf, size_t len, size_t off)
{
	if (w->buf != buf || w->len != len || w->rule != r || off < w->pos)
		walk_reset(m, w, r, buf, len);
	walk_to(m, w, off);
	return w->ctx_depth != 0 || w->ctx_indent >= 0;
}

/*
 * Context around the encoded form of a decoded match: on the line that
 * holds it in the segment it came from, and in the keys enclosing it
 * there (`SEGMENT_TOKEN: <base64>`), up to the buffer. The state of the
 * match's own line is put back after.
 */
static int outer_context(sghook_matcher *m, const sghook_rule *r,
	const segment *seg, size_t off, size_t end)
{
	const char *line = m->line, *line_end = m->line_end, *at = m->allow_at;
	const segment *p;
	int found = 0;

	for (; seg->parent && !found; seg = p) {
		p = seg->parent;
		end = end > off ? sghook_decoded_source(&seg->dec, end - 1) + 1 :
			sghook_decoded_source(&seg->dec, off);
		off = sghook_decoded_source(&seg->dec, off);
		if (end > seg->dec.src_end)
			end = seg->dec.src_end;
		m->line = m->line_end = NULL;
		find_line(m, r, p->buf, p->len, off);
		found = has_context(m, r, p->buf, off, end) ||
			(r->enclosing_context && enclosing_context(m,
			&m->outer[p->depth], r, p->buf, p->len, off));
	}
	m->line = line;
	m->line_end = line_end;
	m->allow_at = at;
	return found;
}

/* Whether an allow marker on a line that holds the encoded form allows it. */
static int allowed_outside(const sghook_rule *r, const segment *seg,
	size_t off, size_t end)
{
	const char *limit, *eol;

	for (; seg->parent; seg = seg->parent) {
		end = sghook_decoded_source(&seg->dec, end - 1) + 1;
		off = sghook_decoded_source(&seg->dec, off);
		limit = sghook_match_rule_allow_limit(r, seg->parent->buf,
			seg->parent->len, off, &eol);
		if (limit && seg->parent->buf + end <= limit)
			return 1;
	}
	return 0;
}

const char *sghook_tier_name(sghook_tier tier)
{
	switch (tier) {
	case SGHOOK_TIER_FULL_LENGTH: return "full-length";
	case SGHOOK_TIER_CONTEXT: return "context";
	case SGHOOK_TIER_RANDOM: return "random";
	default: return NULL;
	}
}

/* The tier the match blocks in; SGHOOK_TIER_NONE when it does not block. */
static sghook_tier blocking_tier(sghook_matcher *m, const sghook_rule *r,
	const segment *seg, size_t off, size_t end, const char *body,
	size_t n)
{
	const char *buf = seg->buf;
	size_t len = seg->len;
	double h = sghook_entropy(body, n), floor;

	if ((int)n < r->min_length)
		return SGHOOK_TIER_NONE;
	if (r->placeholder && pattern_in(m, r->placeholder, body, n))
		return SGHOOK_TIER_NONE;
	/* Filler and words are no token at any length, wherever they are. */
	if (filler(r, body, n) || identifier(r, body, n))
		return SGHOOK_TIER_NONE;
	if (!r->full_length || (int)n >= r->full_length)
		return h >= r->entropy ? SGHOOK_TIER_FULL_LENGTH :
			SGHOOK_TIER_NONE;
	/* Short strings cannot reach the entropy of long ones: scale. */
	floor = r->entropy * log2((double)n) / log2((double)r->full_length);
	if (h < floor)
		return SGHOOK_TIER_NONE;
	if (r->context && (has_context(m, r, buf, off, end) ||
	    (r->enclosing_context && enclosing_context(m, &m->walk, r, buf,
	    len, off)) || outer_context(m, r, seg, off, end)))
		return SGHOOK_TIER_CONTEXT;
	if (r->random_tier && looks_random(r, body, n, h))
		return SGHOOK_TIER_RANDOM;
	return SGHOOK_TIER_NONE;
}

static int push_match(sghook_matcher *m, const sghook_match *x)
{
	if (SGHOOK_ARRAY_GROW(m->found, m->alloc, m->nfound + 1) < 0)
		return SGHOOK_ERROR;
	m->found[m->nfound++] = *x;
	return 0;
}

/*
 * A match claims its bytes even when it does not block, so that a later
 * rule does not match them again. Claims are kept apart from the matches,
 * in 16 bytes, and not at all for the last rule: 20 MiB of placeholders
 * would otherwise take a match record each.
 */
static int push_claim(sghook_matcher *m, size_t off, size_t end)
{
	if (SGHOOK_ARRAY_GROW(m->claims, m->claims_alloc, m->nclaims + 1) < 0)
		return SGHOOK_ERROR;
	m->claims[m->nclaims].off = off;
	m->claims[m->nclaims++].end = end;
	return 0;
}

static int by_claim(const void *a, const void *b)
{
	const struct claim *x = a, *y = b;

	return (x->off > y->off) - (x->off < y->off);
}

/*
 * Whether [off, end) overlaps one of the first `n` claims, those of the
 * rules scanned before: sorted and apart, so a binary search finds the
 * only one it can overlap, the first that ends after `off`.
 */
static int overlaps(const sghook_matcher *m, size_t n, size_t off,
	size_t end)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (m->claims[mid].end <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && m->claims[lo].off < end;
}

static int by_offset(const void *a, const void *b)
{
	const sghook_match *x = a, *y = b;

	return (x->offset > y->offset) - (x->offset < y->offset);
}

/* A rule none of whose keywords the buffer holds cannot match. */
static int has_keyword(const sghook_rule *r, const char *buf, size_t len)
{
	size_t k;

	for (k = 0; k < r->keywords.count; k++)
		if (memmem(buf, len, r->keywords.items[k],
		    strlen(r->keywords.items[k])))
			return 1;
	return 0;
}

/*
 * A match of `r` at [off, end) of the segment, `body` its measured part.
 * It claims its bytes even when it does not block (a Sourcegraph token of
 * low entropy is still not a Segment one), unless its rule is the last;
 * it is kept when it blocks.
 */
static int take_match(sghook_matcher *m, const sghook_rule *r,
	const segment *seg, size_t off, size_t end, const char *body,
	size_t n, int last)
{
	const char *buf = seg->buf;
	sghook_tier tier;

	find_line(m, r, buf, seg->len, off);
	tier = (m->allow_at && buf + end <= m->allow_at) ||
		allowed_outside(r, seg, off, end) ? SGHOOK_TIER_NONE :
		blocking_tier(m, r, seg, off, end, body, n);
	if (!last && push_claim(m, off, end) < 0)
		return SGHOOK_ERROR;
	if (!tier)
		return 0;
	sghook_match x = { r, 0, 0, off, buf + off, end - off, tier,
		seg->dec.encoding };
	return push_match(m, &x);
}

static int scan_rule(sghook_matcher *m, size_t ri, const segment *seg)
{
	const char *buf = seg->buf;
	size_t len = seg->len;
	const sghook_rule *r = m->rules->items[ri];
	pcre2_match_data *md = m->md[ri];
	PCRE2_SIZE *ov, start = 0;
	size_t off, end, nprev = m->nclaims;
	int last = ri + 1 == m->rules->count, body, rc;

	if (!has_keyword(r, buf, len))
		return 0;
	/* Earlier rules' claims, in order, for overlaps(). */
	if (nprev > 1)
		qsort(m->claims, nprev, sizeof(*m->claims), by_claim);
	m->line = m->line_end = NULL;
	while (start <= len) {
		rc = pcre2_match(r->re, (PCRE2_SPTR)buf, len, start, m->options,
			md, m->mctx);
		if (rc == PCRE2_ERROR_NOMATCH)
			break;
		if (rc < 0) {
			PCRE2_UCHAR msg[128];

			pcre2_get_error_message(rc, msg, sizeof(msg));
			return sghook_error_set("rule %s: matching failed: %s",
				r->id, (char *)msg);
		}
		ov = pcre2_get_ovector_pointer(md);
		off = ov[0];
		end = ov[1];
		start = end > off ? end : end + 1;
		if (overlaps(m, nprev, off, end))
			continue;
		/* Group 1 is the body; without it, the whole match. */
		body = rc > 1 && ov[2] != PCRE2_UNSET;
		if ((rc = take_match(m, r, seg, off, end,
		    buf + (body ? ov[2] : off), body ? ov[3] - ov[2] : end - off,
		    last)) < 0)
			return rc;
	}
	return 0;
}

/* ---- encoded forms ------------------------------------------------------ */

static int scan_segment(sghook_matcher *m, segment *seg);

/*
 * The next hit of form `f` at or after `from`, or the segment's length.
 * A form the segment is too deep for, or the keyword itself, has none.
 */
static size_t next_hit(const segment *seg, const sghook_decode_form *f,
	size_t from)
{
	const char *hit;

	if (!f->depth || f->depth > SGHOOK_DECODE_DEPTH - seg->depth ||
	    from >= seg->len)
		return seg->len;
	hit = memmem(seg->buf + from, seg->len - from, f->lit, f->len);
	return hit ? (size_t)(hit - seg->buf) : seg->len;
}

static int keep(sghook_matcher *m, char *data)
{
	if (SGHOOK_ARRAY_GROW(m->kept, m->kept_alloc, m->nkept + 1) < 0)
		return SGHOOK_ERROR;
	m->kept[m->nkept++] = data;
	return 0;
}

/*
 * The hits of the encoded forms in a segment, in the order of their
 * offsets (one cursor per form, however many hits: memory stays that of
 * the forms), each decoded and scanned as a segment of its own: a base64
 * run once however many hits it holds, UTF-16 text once.
 */
static int scan_encoded(sghook_matcher *m, const segment *seg)
{
	const sghook_decode_forms *forms = &m->rules->forms;
	size_t *next, i, k, at, b64_start = 0, b64_end = 0;
	segment child;
	int error = 0, utf16_done = 0, rc;

	if (!(next = calloc(forms->count, sizeof(*next))))
		return sghook_error_set("out of memory");
	for (k = 0; k < forms->count; k++)
		next[k] = next_hit(seg, &forms->items[k], 0);
	while (error == 0) {
		for (k = 0, i = 0; k < forms->count; k++)
			if (next[k] < next[i])
				i = k;
		if ((at = next[i]) >= seg->len)
			break;
		next[i] = next_hit(seg, &forms->items[i], at + 1);
		memset(&child, 0, sizeof(child));
		if (forms->items[i].outer == SGHOOK_ENCODING_BASE64) {
			if (at >= b64_start && at < b64_end)
				continue;
			rc = sghook_decode_base64(&child.dec, seg->buf, seg->len,
				at, forms->items[i].phase);
			if (rc > 0) {
				b64_start = child.dec.src_start;
				b64_end = child.dec.src_end;
			}
		} else {
			if (utf16_done)
				continue;
			rc = sghook_decode_utf16(&child.dec, seg->buf, seg->len, at);
			utf16_done = 1;
		}
		if (rc <= 0) {
			error = rc;
			continue;
		}
		child.parent = seg;
		child.buf = child.dec.data;
		child.len = child.dec.len;
		child.depth = seg->depth + 1;
		error = scan_segment(m, &child);
	}
	free(next);
	return error;
}

/* Line and column of the matches from `first` on, in a segment of text. */
static void text_lines(sghook_matcher *m, size_t first, const char *buf)
{
	const char *p = buf, *nl;
	size_t i, line = 1;

	if (m->nfound - first > 1)
		qsort(m->found + first, m->nfound - first, sizeof(*m->found),
			by_offset);
	for (i = first; i < m->nfound; i++) {
		sghook_match *x = &m->found[i];

		while ((nl = memchr(p, '\n', (size_t)(buf + x->offset - p)))) {
			line++;
			p = nl + 1;
		}
		if (x->line)
			continue;
		x->line = line;
		x->column = (size_t)(buf + x->offset - p) + 1;
	}
}

/*
 * Every rule over a segment, then what decodes from it; the matches it
 * found, its own and its children's, are then given the offsets of the
 * segment it came from. Decoded bytes that no match points into are freed.
 */
static int scan_segment(sghook_matcher *m, segment *seg)
{
	size_t i, first = m->nfound, own;
	int error = 0;

	m->nclaims = 0;
	m->walk.buf = NULL;
	if (seg->depth < SGHOOK_DECODE_DEPTH)
		m->outer[seg->depth].buf = NULL;
	/* Rules come sorted by priority: the first claim on bytes wins. */
	for (i = 0; i < m->rules->count && error == 0; i++)
		error = scan_rule(m, i, seg);
	own = m->nfound;
	if (error == 0 && seg->depth < SGHOOK_DECODE_DEPTH &&
	    m->rules->forms.count)
		error = scan_encoded(m, seg);
	if (!seg->parent)
		return error;
	if (own > first && error == 0) {
		error = keep(m, seg->dec.data);
		seg->dec.data = error == 0 ? NULL : seg->dec.data;
	}
	if (error == 0 && seg->dec.encoding != SGHOOK_ENCODING_BASE64)
		text_lines(m, first, seg->buf);
	for (i = first; i < m->nfound; i++)
		m->found[i].offset = sghook_decoded_source(&seg->dec,
			m->found[i].offset);
	sghook_decoded_free(&seg->dec);
	return error;
}

int sghook_matcher_scan(sghook_matcher *m, const char *buf, size_t len,
	sghook_match_cb cb, void *payload)
{
	const char *p = buf, *nl;
	size_t i, line = 1;
	segment root;
	int error;

	m->nfound = 0;
	kept_clear(m);
	if (!(m->options & PCRE2_NO_JIT))
		sghook_rules_jit(m->rules);
	memset(&root, 0, sizeof(root));
	root.buf = buf;
	root.len = len;
	if ((error = scan_segment(m, &root)) < 0)
		return error;
	if (m->nfound > 1)
		qsort(m->found, m->nfound, sizeof(*m->found), by_offset);
	for (i = 0; i < m->nfound; i++) {
		sghook_match *x = &m->found[i];

		while ((nl = memchr(p, '\n', (size_t)(buf + x->offset - p)))) {
			line++;
			p = nl + 1;
		}
		/* Set already: a line of UTF-16 text. */
		if (!x->line) {
			x->line = line;
			x->column = (size_t)(buf + x->offset - p) + 1;
		}
		if ((error = cb(x, payload)) != 0)
			return error;
	}
	return 0;
}
