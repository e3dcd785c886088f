/* What match.c needs to see of a rule; not part of the public map. */
#ifndef SGHOOK_RULES_INTERNAL_H
#define SGHOOK_RULES_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>

#include "sghook.h"

/* A list of strings, each the list's own. */
typedef struct {
	char **items;
	size_t count, alloc;
} sghook_strings;

struct sghook_rule {
	char *id;
	char *description;
	char *confidence;
	char *remediation;
	char *source;            /* file it came from, for messages */
	pcre2_code *re;          /* group 0: the secret; group 1: its body */
	pcre2_code *context;     /* words that make a short body a token */
	pcre2_code *placeholder; /* bodies that are documentation */
	sghook_strings keywords;
	/*
	 * A comment that ends a line and holds one of these allows the
	 * rule's matches before it on that line (match.c); none: no marker
	 * allows them.
	 */
	sghook_strings allow_markers;
	int priority;            /* wins overlapping matches */
	int min_length;
	int full_length;         /* 0: every length is full */
	double entropy;          /* bits per byte at full length */
	int context_lines;
	int random_tier;         /* short bodies without context may block */
	/* How bodies are told from words and filler (rules/README.md). */
	int enclosing_context;   /* context also in enclosing keys, any depth */
	int filler_run;          /* longest run of steps a body may hold; 0 off */
	unsigned char *word_pairs; /* 26 x 26: common letter pairs; NULL off */
	double word_share;       /* this share of common pairs: not random */
	double identifier_share; /* this share: an identifier, never a token */
	double random_entropy;   /* share of a random body's expected entropy */
};

struct sghook_rules {
	sghook_rule **items;
	size_t count, alloc;
	sghook_strings keywords; /* union over the rules, for the prefilter */
	sghook_decode_forms forms; /* the keywords encoded (decode.c) */
	/* The JIT compiles on the first match, not on loading (rules.c). */
	pthread_mutex_t jit_lock;
	int jitted;
};

/*
 * JIT-compiles every pattern, once for the set, whatever the thread.
 * Most runs never need a regular expression (no blob holds a keyword),
 * and compiling them is a quarter of a small pre-commit run.
 */
void sghook_rules_jit(const sghook_rules *rules);

#endif
