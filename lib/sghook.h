/*
 * sghook: find secrets that a git change adds.
 *
 * This header is the map of the library. Each section is one module,
 * one source file in lib/:
 *
 *   error.c   the last error of the calling thread
 *   deadline.c the run's deadline (a host's time limit for a hook)
 *   trace.c   what the engine chose, for tests and tuning
 *   rules.c   rule sets, loaded from git-config style files in rules/
 *   decode.c  secrets stored encoded: base64, UTF-16 text
 *   match.c   finding rule matches in a buffer (PCRE2, JIT)
 *   ignore.c  .sghookignore: allowed fingerprints and path globs
 *   baseline.c  findings accepted by an earlier JSON report (--baseline)
 *   walk.c    which commits to judge: ranges, pushes
 *   hookinput.c  what git tells a pre-receive or pre-push hook on stdin
 *   scan.c    what a change adds: index, commits (on every core), plain files
 *   message.c what commit and tag messages say
 *   findings.c  the findings a scan returns: the list, fingerprints
 *   report.c  findings as text, JSON and SARIF; redaction
 *
 * Behind scan.c, with headers of their own: blobs.c reads every blob a
 * range adds, once, and loose.c a large loose one in its own size of
 * memory (scan_internal.h); index.c reads git's index file and its
 * cache-tree for the staged change (index.h); procs.c runs worker
 * processes (procs.h); oidmap.c holds sets of object ids (oidmap.h).
 * inflate.c is not part of the library: the static build links it into
 * the binary, under libgit2, to inflate objects with libdeflate and to
 * fail a truncated stream that libgit2 1.9 would retry forever.
 *
 * Conventions, after libgit2: functions return 0 on success and a negative
 * SGHOOK_E* code on failure, with a message in sghook_error_last(); an
 * object returned through an `out` pointer belongs to the caller, who frees
 * it with the matching _free(). The library never exits and never decides
 * policy (what blocks, fail open or closed): that is the caller's.
 */
#ifndef SGHOOK_H
#define SGHOOK_H

#include <stddef.h>
#include <stdio.h>
#include <git2.h>

#define SGHOOK_VERSION "0.1.0"

enum {
	SGHOOK_OK = 0,
	SGHOOK_ERROR = -1,   /* generic failure; see sghook_error_last() */
	/* an object or file that is not there: a missing commit or tip */
	SGHOOK_ENOTFOUND = -3,
	SGHOOK_EINVALID = -4, /* bad input: rule file, revision, hook input */
	SGHOOK_ETIMEOUT = -5, /* past the deadline (sghook_deadline_set) */
	/* a repository sghook cannot read: a split or sparse index */
	SGHOOK_EUNSUPPORTED = -6
};

/* ---- error.c ---------------------------------------------------------- */

/*
 * The last error of the calling thread: its message, and its class (one
 * of the codes above), set where it arose, so that a caller decides by
 * class, never by the words of the message.
 */
const char *sghook_error_last(void);
int sghook_error_code(void);
/* Sets a message of class SGHOOK_ERROR, and returns it. */
int sghook_error_set(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
int sghook_error_set_code(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Puts "<prefix>: " before the last message; returns its class. */
int sghook_error_prefix(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* Copies libgit2's last error into ours, prefixed by `what`. */
int sghook_error_from_git(const char *what);

/* ---- deadline.c ------------------------------------------------------- */

/*
 * A deadline `seconds` from now for the whole run, worker processes
 * included; <= 0: none. Past it, walks and scans stop and return
 * SGHOOK_ETIMEOUT.
 */
void sghook_deadline_set(double seconds);
/* 0 before the deadline; SGHOOK_ETIMEOUT, with a message, after it. */
int sghook_deadline_check(void);

/* ---- trace.c ---------------------------------------------------------- */

typedef void (*sghook_trace_cb)(const char *msg, void *payload);

/* Where trace lines go (NULL: nowhere, the default); one process-wide. */
void sghook_trace_set(sghook_trace_cb cb, void *payload);
void sghook_trace(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* ---- rules.c ---------------------------------------------------------- */

typedef struct sghook_rule sghook_rule;
typedef struct sghook_rules sghook_rules;

/* Loads every `*.rules` file of a directory, or one file. */
int sghook_rules_load(sghook_rules **out, const char *path);
/* Adds the rules of another file or directory to a set. */
int sghook_rules_add(sghook_rules *rules, const char *path);
void sghook_rules_free(sghook_rules *rules);

size_t sghook_rules_count(const sghook_rules *rules);
const sghook_rule *sghook_rules_get(const sghook_rules *rules, size_t i);

const char *sghook_rule_id(const sghook_rule *rule);
const char *sghook_rule_description(const sghook_rule *rule);
/* Remediation text, or NULL when the rule has none. */
const char *sghook_rule_remediation(const sghook_rule *rule);
const char *sghook_rule_confidence(const sghook_rule *rule);

/*
 * True when `buf` holds a keyword of any rule, plain or in one of its
 * encoded forms (decode.c): the cheap test every blob passes before any
 * regular expression runs on it.
 */
int sghook_rules_prefilter(const sghook_rules *rules, const char *buf,
	size_t len);

/* ---- decode.c: secrets stored encoded ------------------------------- */

/*
 * How the bytes that hold a secret are stored: as they are, in base64
 * (either alphabet, padded or not), or as UTF-16 text.
 */
typedef enum {
	SGHOOK_ENCODING_NONE = 0,
	SGHOOK_ENCODING_BASE64,
	SGHOOK_ENCODING_UTF16LE,
	SGHOOK_ENCODING_UTF16BE
} sghook_encoding;

/* "base64", "utf-16le", "utf-16be"; NULL for SGHOOK_ENCODING_NONE. */
const char *sghook_encoding_name(sghook_encoding e);

/* Encodings nest this deep at most: base64 of text that holds base64. */
#define SGHOOK_DECODE_DEPTH 2

/*
 * A literal that a keyword becomes once encoded (`depth` 1) or twice (2),
 * whatever surrounds it (depth 0: the keyword itself, `outer` NONE): in base64, the characters made of the keyword's
 * bits alone, one literal per alignment (and per alphabet when the
 * URL-safe one differs); in UTF-16, the keyword's characters interleaved
 * with NULs, the same bytes in both byte orders. `outer` is the encoding
 * applied last, the one a hit is decoded with first (UTF16LE stands for
 * both byte orders); `phase` is where a base64 literal starts in its
 * group of four characters.
 */
typedef struct {
	char *lit;
	size_t len;
	sghook_encoding outer;
	unsigned phase;
	int depth;
} sghook_decode_form;

typedef struct {
	sghook_decode_form *items;
	size_t count, alloc;
	/* The index of sghook_decode_forms_find(), rebuilt by _add(). */
	unsigned char *gram_bits;       /* 2^16 bits: pairs of bytes */
	struct sghook_decode_gram *grams;
	size_t ngrams, stride;
} sghook_decode_forms;

/* Adds the forms of keyword `kw`, to SGHOOK_DECODE_DEPTH, each once. */
int sghook_decode_forms_add(sghook_decode_forms *f, const char *kw,
	size_t len);
void sghook_decode_forms_free(sghook_decode_forms *f);
/*
 * True when `buf` holds a form of at most `max_depth` encodings. One pass
 * for all forms: the pair of bytes at every stride-th offset, where
 * stride is one less than the shortest form, must be one that starts a
 * form's first stride pairs (a bit of gram_bits) before any form is
 * compared.
 */
int sghook_decode_forms_find(const sghook_decode_forms *f, const char *buf,
	size_t len, int max_depth);

/* Bytes decoded from [src_start, src_end) of a buffer. */
typedef struct {
	sghook_encoding encoding;
	char *data;
	size_t len;
	size_t src_start, src_end;
	size_t *chars;        /* base64: where each character of the run is */
	size_t nchars;
} sghook_decoded;

/*
 * The base64 run around buf[at], where a form of `phase` starts: decoded
 * in the alignment the form gives, up to a bounded distance from the hit
 * each way, over line breaks when the lines hold nothing but base64
 * (wrapped output: base64(1), PEM, YAML block scalars). Returns 1 with `out` filled, 0 when there is nothing to
 * decode, or an error.
 */
int sghook_decode_base64(sghook_decoded *out, const char *buf, size_t len,
	size_t at, unsigned phase);
/*
 * The UTF-16 text that holds the interleaved form at buf[at]: the whole
 * buffer after its byte order mark, or, without one that agrees with the
 * hit, the byte order the hit's offset gives (a text that starts at an
 * even offset). Characters beyond ASCII become one byte 0x80 each, so
 * that offsets and columns are those of the text. Returns as above.
 */
int sghook_decode_utf16(sghook_decoded *out, const char *buf, size_t len,
	size_t at);
/* Where in the source decoded byte `i` starts. */
size_t sghook_decoded_source(const sghook_decoded *d, size_t i);
void sghook_decoded_free(sghook_decoded *d);

/*
 * True when `buf` holds `secret` encoded (the forms of the whole secret):
 * an encoded secret that a parent's version already held is not new.
 * False when out of memory, so that the secret counts as new.
 */
int sghook_decode_holds(const char *buf, size_t len, const char *secret,
	size_t n);

/* ---- match.c ---------------------------------------------------------- */

/*
 * Why a match blocks: it is as long as a real token, or shorter but named
 * by its context (a Segment key or URL near it), or shorter and random
 * enough on its own. SGHOOK_TIER_NONE: it does not block.
 */
typedef enum {
	SGHOOK_TIER_NONE = 0,
	SGHOOK_TIER_FULL_LENGTH,
	SGHOOK_TIER_CONTEXT,
	SGHOOK_TIER_RANDOM
} sghook_tier;

/* "full-length", "context", "random": the names JSON uses; NULL for NONE. */
const char *sghook_tier_name(sghook_tier tier);

typedef struct {
	const sghook_rule *rule;
	size_t line;          /* 1-based */
	size_t column;        /* 1-based byte column of the secret */
	size_t offset;        /* byte offset of the secret in the buffer */
	const char *secret;   /* points into the scanned buffer */
	size_t secret_len;
	sghook_tier tier;     /* why it blocks */
	/*
	 * The decoder whose output holds the secret (the innermost). The
	 * secret is then the decoded one; offset is that of its encoded form
	 * in the buffer, and line and column those of the encoded form in the
	 * text: for UTF-16, lines and characters of the text.
	 */
	sghook_encoding encoding;
} sghook_match;

/* Per-thread matching state (PCRE2 match data and JIT stack). */
typedef struct sghook_matcher sghook_matcher;

int sghook_matcher_new(sghook_matcher **out, const sghook_rules *rules);
void sghook_matcher_free(sghook_matcher *m);
/*
 * PCRE2's JIT is used when it could compile (the default). Without it the
 * interpreter finds the same matches, slower. Memory checkers want it off:
 * JIT code loads whole 16-byte words that may run past the end of the
 * subject (never across a page), which valgrind reports as errors.
 */
void sghook_matcher_use_jit(sghook_matcher *m, int on);

typedef int (*sghook_match_cb)(const sghook_match *match, void *payload);

/*
 * Calls `cb` for every blocking match in `buf` (raw bytes: binary content
 * is scanned too), and in what decodes from it around an encoded form of a
 * keyword, judged by the same rules: context counts inside the decoded
 * text and on the line that holds the encoded run, and so does an allow
 * marker there. A non-zero return from `cb` stops the scan and is
 * returned.
 */
int sghook_matcher_scan(sghook_matcher *m, const char *buf, size_t len,
	sghook_match_cb cb, void *payload);

/*
 * Where an allow marker of `rule` (its allowMarker values: sghook:allow
 * and gitleaks:allow in the shipped rules) stands on the line of
 * buf[off], when the line ends with a comment that holds it: a match of
 * the rule on that line that ends before the marker is allowed. NULL when
 * the line allows nothing, or the rule has no marker. *eol is set to the
 * line's end.
 */
const char *sghook_match_rule_allow_limit(const sghook_rule *rule,
	const char *buf, size_t len, size_t off, const char **eol);

/* Shannon entropy of a string, in bits per byte. */
double sghook_entropy(const char *s, size_t len);

/* ---- ignore.c --------------------------------------------------------- */

typedef struct sghook_ignore sghook_ignore;

/*
 * Parses .sghookignore content: fingerprints, path globs, # comments. A
 * line that is neither (a fingerprint followed by words, one of the wrong
 * length) allows nothing and is listed as a problem, with its line number.
 */
int sghook_ignore_parse(sghook_ignore **out, const char *buf, size_t len);
void sghook_ignore_free(sghook_ignore *ig);
size_t sghook_ignore_problem_count(const sghook_ignore *ig);
/* Why line *line cannot be used; NULL past the last problem. */
const char *sghook_ignore_problem(const sghook_ignore *ig, size_t i,
	size_t *line);
/* `path` NULL (a message): only a fingerprint allows it. */
int sghook_ignore_allows(const sghook_ignore *ig, const char *path,
	const char *fingerprint);

/* ---- findings.c: what a scan returns -------------------------------- */

/* Where a finding is: in a file, or in the message of a commit or a tag. */
typedef enum {
	SGHOOK_SOURCE_FILE = 0,
	SGHOOK_SOURCE_COMMIT_MESSAGE,
	SGHOOK_SOURCE_TAG_MESSAGE
} sghook_source;

/* "file", "commit-message", "tag-message": the names JSON uses. */
const char *sghook_source_name(sghook_source source);

typedef struct {
	const sghook_rule *rule;
	sghook_source source;
	char *path;           /* NULL for a message */
	size_t line;          /* of the file, or within the message */
	size_t column;
	git_oid commit;       /* a tag message: the tag object */
	int has_commit;       /* 0 in pre-commit, commit-msg and --scan */
	char *secret;         /* whole secret; redact when printing */
	/* 16 hex digits: hash of rule, path (a message: its source's name), secret */
	char fingerprint[17];
	sghook_tier tier;
	sghook_encoding encoding; /* how the file stores it (sghook_match) */
} sghook_finding;

/* A list of findings: each one's path and secret belong to the list. */
typedef struct {
	sghook_finding *items;
	size_t count, alloc;
} sghook_findings;

/* Appends a copy of `f` (path, when not NULL, and secret are duplicated). */
int sghook_findings_add(sghook_findings *list, const sghook_finding *f);
/* Moves every finding of `src` to the end of `dst`; `src` is left empty. */
int sghook_findings_append(sghook_findings *dst, sghook_findings *src);
void sghook_findings_clear(sghook_findings *list);

/*
 * Fills f->fingerprint from rule id, path and secret; a message finding
 * has the name of its source instead of a path, so that the fingerprint
 * stays when the commit is amended or the message moves to another commit.
 */
void sghook_finding_fingerprint(sghook_finding *f);

/* ---- report.c: findings as text, JSON and SARIF ---------------------- */

typedef enum {
	SGHOOK_FORMAT_TEXT,
	SGHOOK_FORMAT_JSON,
	SGHOOK_FORMAT_SARIF
} sghook_format;

typedef struct {
	sghook_format format;
	int redact;       /* show only the first characters of a secret */
	int color;        /* ANSI colour in text */
	int remediation;  /* text: print each rule's remediation once */
} sghook_report_opts;

/* Writes a redacted copy of `secret` into `out` (at least 64 bytes). */
void sghook_report_redact(char *out, size_t outlen, const char *secret);
int sghook_report_write(FILE *fp, const sghook_findings *list,
	const sghook_report_opts *opts);
/* Each rule's remediation text, once, in order of first appearance. */
int sghook_report_remediation(FILE *fp, const sghook_findings *list);

/* ---- baseline.c: findings accepted by an earlier report --------------- */

typedef struct sghook_baseline sghook_baseline;

/* Reads a JSON report (an array of findings); keeps their fingerprints. */
int sghook_baseline_load(sghook_baseline **out, const char *path);
void sghook_baseline_free(sghook_baseline *b);
int sghook_baseline_has(const sghook_baseline *b, const char *fingerprint);
/* Drops the findings whose fingerprint the baseline holds; their count. */
size_t sghook_baseline_filter(const sghook_baseline *b,
	sghook_findings *list);

/* ---- walk.c: which commits to judge ----------------------------------- */

typedef struct {
	git_oid *ids;
	size_t count, alloc;
} sghook_oids;

int sghook_oids_push(sghook_oids *ids, const git_oid *id);
void sghook_oids_free(sghook_oids *ids);

/* Commits of `revs`, read as `git rev-list` reads them. */
int sghook_walk_range(sghook_oids *out, git_repository *repo,
	const char *const *revs, size_t nrevs);

/*
 * Commits reachable from `tips` and from none of `hide` nor, when
 * `hide_refs_glob` is set, from any ref matching that glob (all refs
 * the repository has, or a remote's tracking refs). Annotated tags are
 * peeled; a tip that leads to a tree or a blob instead of a commit goes
 * to `others` (when not NULL), to be scanned whole.
 */
int sghook_walk_new(sghook_oids *out, sghook_oids *others,
	git_repository *repo, const git_oid *tips, size_t ntips,
	const git_oid *hide, size_t nhide, const char *hide_refs_glob);

/*
 * What a push brings, for a pre-receive hook whose pushed objects git
 * keeps apart (its quarantine): `before` holds the objects the
 * repository had before the push, and `olds` the old values of the
 * pushed refs. The same commits as sghook_walk_new() with every ref
 * hidden, walked from the tips down to the commits the
 * repository had; the refs are read only when those commits are not all
 * reachable from the old values, HEAD, the branches or the tags.
 */
int sghook_walk_pushed(sghook_oids *out, sghook_oids *others,
	git_repository *repo, git_odb *before, const git_oid *tips,
	size_t ntips, const git_oid *olds, size_t nolds);

/*
 * True when the linked libgit2 reads shallow clones (1.7 and later): a
 * commit at the cut then has no parents, so a judge of it counts its whole
 * tree as added. Older ones fail at the cut with "object not found".
 */
int sghook_walk_shallow_supported(void);

/*
 * The commits of `ids` at which the repository's history is cut (listed
 * in its `shallow` file), into `out`. None when the clone is complete.
 */
int sghook_walk_shallow_cuts(sghook_oids *out, git_repository *repo,
	const sghook_oids *ids);

/* ---- hookinput.c: the standard input of a push hook ------------------ */

typedef enum {
	SGHOOK_HOOKINPUT_PRE_RECEIVE, /* <old-id> <new-id> <ref-name> */
	SGHOOK_HOOKINPUT_PRE_PUSH     /* <local-ref> <local-id> <remote-ref> <remote-id> */
} sghook_hookinput_kind;

typedef struct {
	sghook_oids tips;     /* what the push brings (deletions bring nothing) */
	sghook_oids hide;     /* pre-push: what the remote already has */
	sghook_oids olds;     /* pre-receive: the updated refs' old values */
	char *refs;           /* updated ref names, space-separated; NULL if none */
	size_t refs_len;
} sghook_hookinput;

#define SGHOOK_HOOKINPUT_INIT \
	{ { NULL, 0, 0 }, { NULL, 0, 0 }, { NULL, 0, 0 }, NULL, 0 }

/*
 * Reads `fp` to its end into `out` (which it overwrites). A line that is
 * not an update of `kind` (a field too many or too few, an object id
 * that is not 40 hex digits, an empty ref name, a NUL byte) fails the
 * whole input with SGHOOK_EINVALID, naming the line; empty lines are
 * skipped. On failure `out` is left untouched.
 */
int sghook_hookinput_read(sghook_hookinput *out, FILE *fp,
	sghook_hookinput_kind kind);
void sghook_hookinput_free(sghook_hookinput *in);

/* ---- scan.c: what a change adds --------------------------------------- */

/* What a scan of commits did, for the caller to report. */
typedef struct {
	size_t blobs_read;    /* blobs read and matched, each once */
} sghook_scan_stats;

/*
 * Two ways of judging commits, with the same findings. LIST reads every
 * blob the range's trees hold and the base lacks, each once, and compares
 * commits with their parents only where a blob holds a secret: its cost
 * follows the size of the trees, and it wins on long ranges. DIFF
 * compares each commit's tree with its parents', descending only where
 * they differ: its cost follows the changed paths, and it wins on a few
 * commits of a large tree. AUTO measures both costs before it chooses.
 */
typedef enum {
	SGHOOK_SCAN_AUTO = 0,
	SGHOOK_SCAN_LIST,
	SGHOOK_SCAN_DIFF
} sghook_scan_strategy;

typedef struct {
	const sghook_rules *rules;
	sghook_scan_stats *stats; /* when not NULL, filled by the scan */
	/*
	 * Processes for commits, the calling one included (more than one:
	 * fork(), so call from a single-threaded process); <= 1, the
	 * default: all in the calling process. How many cores to use is the
	 * caller's policy.
	 */
	int jobs;
	int use_ignore_file;      /* honour .sghookignore of the scanned version */
	int no_jit;               /* match without PCRE2's JIT */
	/* The index file of sghook_scan_index(); NULL: the repository's. */
	const char *index_path;
	sghook_scan_strategy strategy;  /* for commits */
	/* Called from the calling thread as work completes, for progress. */
	void (*progress)(const char *what, size_t done, size_t total,
		void *payload);
	void *progress_payload;
} sghook_scan_opts;

#define SGHOOK_SCAN_OPTS_INIT \
	{ NULL, NULL, 1, 0, 0, NULL, SGHOOK_SCAN_AUTO, NULL, NULL }

/* The staged change: the index against HEAD (the empty tree if unborn). */
int sghook_scan_index(sghook_findings *out, git_repository *repo,
	const sghook_scan_opts *opts);

/*
 * Each commit judged by what it adds against its parents: a secret counts
 * only when no parent's version of the file (after rename and copy
 * detection) already holds it. Findings come back in the order of `ids`;
 * each blob is read once however many commits hold it. As with
 * `git rev-list --objects`, a blob that a parent outside `ids` holds is
 * not new to them, and is not read.
 */
int sghook_scan_commits(sghook_findings *out, git_repository *repo,
	const sghook_oids *ids, const sghook_scan_opts *opts);

/*
 * A tree or blob that a push names without a commit (a tag of it):
 * every blob in it counts as added. Tags are peeled.
 */
int sghook_scan_object(sghook_findings *out, git_repository *repo,
	const git_oid *id, const sghook_scan_opts *opts);

/* Whole buffer as added content, reported under `path`. */
int sghook_scan_buffer(sghook_findings *out, const char *buf, size_t len,
	const char *path, const sghook_scan_opts *opts);

/* ---- message.c: what commit and tag messages say ---------------------- */

/*
 * A message file as git's commit-msg hook gets it, with what git will not
 * record taken out: lines that start with `comment` (git's core.commentChar
 * or core.commentString; NULL: "#") become empty, and the scissors line of
 * `git commit -v` ends the message (*cut, when not NULL, says whether it
 * did). Lines keep their numbers. *out is the caller's, to free().
 */
int sghook_message_strip(char **out, size_t *outlen, int *cut,
	const char *buf, size_t len, const char *comment);

/*
 * One message as found content: findings of `source` with path NULL and
 * line numbers within `buf`, under `id` when not NULL (the commit or tag).
 * Inline allow markers work as in files; .sghookignore is the caller's.
 */
int sghook_message_scan(sghook_findings *out, const char *buf, size_t len,
	sghook_source source, const git_oid *id, const sghook_scan_opts *opts);

/*
 * The annotated tags among `tips`, and the tags they tag in turn (a tag
 * of a tag, each level), into `out` once each; none of `skip` (what the
 * other side already has) nor what they tag.
 */
int sghook_message_tags(sghook_oids *out, git_repository *repo,
	const git_oid *tips, size_t ntips, const git_oid *skip, size_t nskip);

/*
 * The annotated tags that `revs` (as sghook_walk_range() reads them) name
 * on an included side, with the tags they tag.
 */
int sghook_message_tags_of_revs(sghook_oids *out, git_repository *repo,
	const char *const *revs, size_t nrevs);

/*
 * The messages of `commits`, then of `tags` (either may be NULL): a cheap
 * pass apart from the commit scan, one object read each and the rules'
 * prefilter before any match. With opts->use_ignore_file, a commit's
 * findings are judged by the .sghookignore of its tree, and a tag's by
 * that of the commit it tags. Stops at the deadline.
 */
int sghook_scan_messages(sghook_findings *out, git_repository *repo,
	const sghook_oids *commits, const sghook_oids *tags,
	const sghook_scan_opts *opts);

#endif
