/* gen-repo.c - emit a deterministic `git fast-import` stream describing a
 * synthetic repository shaped roughly like git's own history: thousands of
 * text files in nested directories, tens of thousands of commits that mostly
 * make small edits to 1-3 files, short topic branches merged with --no-ff
 * style merge commits, and a few large, rarely but heavily edited files.
 *
 * The output never contains "sgp_" (no Segment or Sourcegraph tokens).
 *
 * Built and driven by bench/gen-repo; not part of sghook itself.
 *
 *   gen-repo-bin [-n COMMITS] [-s SEED] [-f INITIAL_FILES] | git fast-import
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---------- deterministic PRNG (splitmix64) ---------- */
static uint64_t rng_state;
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}
static uint32_t rndn(uint32_t n) { return n ? (uint32_t)(rnd() % n) : 0; }
static double rndf(void) { return (double)(rnd() >> 11) / 9007199254740992.0; }
static int chance(double p) { return rndf() < p; }
static double rnd_normal(void)
{
	double u1 = rndf(), u2 = rndf();
	if (u1 < 1e-12)
		u1 = 1e-12;
	return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}
/* geometric-ish small count >= lo with mean roughly lo + m */
static int rnd_geom(int lo, double m, int hi)
{
	int k = lo;
	double p = m / (1.0 + m);
	while (k < hi && chance(p))
		k++;
	return k;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fprintf(stderr, "gen-repo: out of memory\n");
		exit(2);
	}
	return p;
}
static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fprintf(stderr, "gen-repo: out of memory\n");
		exit(2);
	}
	return p;
}

/* ---------- vocabulary (none of these contain "sgp") ---------- */
static const char *words[] = {
	"object", "commit", "tree", "blob", "index", "cache", "entry", "path", "name", "list",
	"buffer", "string", "array", "option", "config", "value", "refs", "head", "branch", "remote",
	"merge", "diff", "patch", "hunk", "line", "file", "dir", "mode", "flags", "state",
	"revision", "walk", "pack", "delta", "base", "offset", "size", "count", "hash", "oid",
	"parse", "read", "write", "update", "lookup", "insert", "remove", "free", "alloc", "init",
	"strbuf", "argv", "repo", "worktree", "submodule", "attr", "ignore", "pathspec", "tag", "note",
	"log", "show", "status", "fetch", "push", "clone", "rebase", "reset", "stash", "grep",
	"test", "expect", "actual", "setup", "cleanup", "result", "error", "warning", "die", "usage",
	"the", "a", "to", "of", "and", "in", "is", "that", "it", "for",
	"when", "with", "this", "be", "not", "are", "we", "can", "if", "should",
	"user", "command", "default", "output", "input", "message", "author", "date", "time", "format",
	"which", "would", "from", "into", "only", "also", "after", "before", "there", "other",
	"fix", "add", "teach", "allow", "avoid", "use", "make", "drop", "rename", "move",
	"upstream", "local", "tracking", "server", "client", "protocol", "transport", "bundle", "graph", "bitmap",
	"sparse", "partial", "filter", "promisor", "midx", "chunk", "trailer", "signature", "gpg", "ssh",
	"encoding", "locale", "utf8", "quote", "escape", "wildcard", "match", "pattern", "regex", "engine",
	"thread", "lock", "mutex", "signal", "process", "child", "pipe", "socket", "daemon", "hook",
	"tempfile", "lockfile", "chdir", "getenv", "setenv", "strcmp", "memcpy", "xstrdup", "xmalloc", "close",
};
#define NWORDS (sizeof(words) / sizeof(words[0]))
static const char *dirnames[] = {
	"Documentation", "t", "builtin", "contrib", "compat", "xdiff", "refs", "reftable", "po", "perl",
	"templates", "gitweb", "block-sha1", "ewah", "negotiate", "trace2", "oss-fuzz", "sha256", "mergetools",
	"git-gui", "gitk", "scripts", "lib", "helper", "completion", "howto", "technical", "RelNotes",
	"config", "fsmonitor", "win32", "nedmalloc", "regex", "poll", "linux", "osx", "vcs-svn", "subtree",
	"examples", "diff-highlight", "credential", "hooks", "emacs", "thirdparty", "static", "data", "unit",
};
#define NDIRNAMES (sizeof(dirnames) / sizeof(dirnames[0]))
static const char *people[] = {
	"Junio C Hamano", "Jeff King", "Johannes Schindelin", "Nguyen Thai Ngoc Duy", "Shawn O. Pearce",
	"Linus Torvalds", "Rene Scharfe", "Jonathan Nieder", "Elijah Newren", "Taylor Blau",
	"Patrick Steinhardt", "Derrick Stolee", "Michael Haggerty", "Eric Sunshine", "Jiang Xin",
	"Brandon Williams", "Stefan Beller", "Thomas Rast", "Matthieu Moy", "Ramsay Jones",
	"Alex Henrie", "Phillip Wood", "Christian Couder", "Felipe Contreras", "Jeff Hostetler",
	"Torsten Boegershausen", "Nicolas Pitre", "Paul Mackerras", "Jakub Narebski", "Martin von Zweigbergk",
};
#define NPEOPLE (sizeof(people) / sizeof(people[0]))

/* ---------- growable output buffer ---------- */
typedef struct {
	char *p;
	size_t len, cap;
} Buf;
static void buf_grow(Buf *b, size_t add)
{
	if (b->len + add + 1 > b->cap) {
		b->cap = (b->len + add + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
}
static void buf_put(Buf *b, const char *s, size_t n)
{
	buf_grow(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}
static void buf_puts(Buf *b, const char *s) { buf_put(b, s, strlen(s)); }
static void buf_putc(Buf *b, char c) { buf_put(b, &c, 1); }

/* ---------- lines and files ---------- */
typedef struct {
	char *s;
	uint32_t len;
} Line;

enum { K_C, K_H, K_SH, K_DOC, K_PERL, K_PO, K_MAKE };

typedef struct {
	char *path;
	int kind;
	Line *lines;
	int n, cap;
	long mark;      /* blob mark of current content (0 = none yet) */
	int alive;
	int owner;      /* -1 = free, else topic slot */
	long main_mod;  /* sequence number of last change made on main */
	double hot;     /* relative edit frequency */
} File;

static File *files;
static int nfiles, capfiles;

/* path uniqueness: open addressing on a string hash */
static char **pathset;
static size_t pathset_cap;
static uint64_t strhash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}
static int path_add(const char *p) /* 1 if added, 0 if present */
{
	size_t i = strhash(p) & (pathset_cap - 1);
	while (pathset[i]) {
		if (!strcmp(pathset[i], p))
			return 0;
		i = (i + 1) & (pathset_cap - 1);
	}
	pathset[i] = strdup(p);
	return 1;
}

static const char *W(void) { return words[rndn(NWORDS)]; }

static void gen_ident(Buf *b)
{
	int k = 1 + rndn(3);
	for (int i = 0; i < k; i++) {
		if (i)
			buf_putc(b, '_');
		buf_puts(b, W());
	}
}

static void gen_prose(Buf *b, int minw, int maxw)
{
	int k = minw + rndn(maxw - minw + 1);
	for (int i = 0; i < k; i++) {
		if (i)
			buf_putc(b, ' ');
		buf_puts(b, W());
	}
}

static void gen_hex(Buf *b, int n)
{
	static const char hx[] = "0123456789abcdef";
	for (int i = 0; i < n; i++)
		buf_putc(b, hx[rndn(16)]);
}

static Line make_line(int kind)
{
	Buf b = {0};
	buf_grow(&b, 96);
	int r = rndn(100);
	switch (kind) {
	case K_C:
	case K_H: {
		if (r < 12)
			break; /* blank */
		int ind = rndn(4);
		for (int i = 0; i < ind; i++)
			buf_putc(&b, '\t');
		if (r < 20) {
			buf_puts(&b, "/* ");
			gen_prose(&b, 4, 10);
			buf_puts(&b, " */");
		} else if (r < 30) {
			buf_puts(&b, "if (");
			gen_ident(&b);
			buf_puts(&b, "(");
			gen_ident(&b);
			buf_puts(&b, ", &");
			gen_ident(&b);
			buf_puts(&b, ") < 0)");
		} else if (r < 38) {
			buf_puts(&b, "return ");
			gen_ident(&b);
			buf_puts(&b, ";");
		} else if (r < 48) {
			buf_puts(&b, "struct ");
			buf_puts(&b, W());
			buf_puts(&b, " *");
			gen_ident(&b);
			buf_puts(&b, " = ");
			gen_ident(&b);
			buf_puts(&b, "(");
			gen_ident(&b);
			buf_puts(&b, ");");
		} else if (r < 56) {
			buf_puts(&b, "}");
		} else if (r < 62) {
			buf_puts(&b, "error(_(\"");
			gen_prose(&b, 3, 8);
			buf_puts(&b, " '%s'\"), ");
			gen_ident(&b);
			buf_puts(&b, ");");
		} else if (r < 66) {
			buf_puts(&b, "#define ");
			buf_puts(&b, W());
			buf_puts(&b, "_MAX ");
			char num[16];
			snprintf(num, sizeof num, "%u", 1u << rndn(16));
			buf_puts(&b, num);
		} else {
			gen_ident(&b);
			buf_puts(&b, "(");
			gen_ident(&b);
			buf_puts(&b, ", ");
			gen_ident(&b);
			buf_puts(&b, ");");
		}
		break;
	}
	case K_SH:
		if (r < 8)
			break;
		if (r < 20) {
			buf_puts(&b, "test_expect_success '");
			gen_prose(&b, 2, 6);
			buf_puts(&b, "' '");
		} else if (r < 26) {
			buf_puts(&b, "'");
		} else if (r < 40) {
			buf_puts(&b, "\tgit ");
			buf_puts(&b, W());
			buf_puts(&b, " --");
			buf_puts(&b, W());
			buf_puts(&b, " ");
			buf_puts(&b, W());
			buf_puts(&b, " >actual &&");
		} else if (r < 50) {
			buf_puts(&b, "\ttest_cmp expect actual &&");
		} else if (r < 60) {
			buf_puts(&b, "\techo ");
			gen_hex(&b, 40);
			buf_puts(&b, " >expect &&");
		} else if (r < 66) {
			buf_puts(&b, "# ");
			gen_prose(&b, 4, 12);
		} else {
			buf_puts(&b, "\t");
			buf_puts(&b, W());
			buf_puts(&b, "=$(git rev-parse ");
			buf_puts(&b, W());
			buf_puts(&b, ") &&");
		}
		break;
	case K_PO:
		if (r < 15)
			break;
		if (r < 35) {
			buf_puts(&b, "#: ");
			buf_puts(&b, W());
			buf_puts(&b, ".c:");
			char num[16];
			snprintf(num, sizeof num, "%u", 1 + rndn(3000));
			buf_puts(&b, num);
		} else if (r < 65) {
			buf_puts(&b, "msgid \"");
			gen_prose(&b, 3, 10);
			buf_puts(&b, "\"");
		} else {
			buf_puts(&b, "msgstr \"");
			gen_prose(&b, 3, 11);
			buf_puts(&b, "\"");
		}
		break;
	case K_PERL:
		if (r < 10)
			break;
		buf_puts(&b, rndn(2) ? "\tmy $" : "\t$");
		gen_ident(&b);
		buf_puts(&b, " = ");
		gen_ident(&b);
		buf_puts(&b, "($");
		buf_puts(&b, W());
		buf_puts(&b, ");");
		break;
	case K_MAKE:
		if (r < 10)
			break;
		if (r < 50) {
			buf_puts(&b, W());
			buf_puts(&b, "_OBJS += ");
			buf_puts(&b, W());
			buf_puts(&b, "/");
			gen_ident(&b);
			buf_puts(&b, ".o");
		} else {
			buf_puts(&b, "\t$(QUIET_CC)$(CC) -o $*.o -c $(");
			buf_puts(&b, W());
			buf_puts(&b, "_CFLAGS) $<");
		}
		break;
	default: /* K_DOC */
		if (r < 15)
			break;
		if (r < 20) {
			buf_puts(&b, "--");
			gen_ident(&b);
			buf_puts(&b, "::");
		} else {
			gen_prose(&b, 6, 13);
			if (rndn(3) == 0)
				buf_putc(&b, '.');
		}
		break;
	}
	Line l = {b.p, (uint32_t)b.len};
	return l;
}

static void file_insert(File *f, int at, Line l)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 16;
		f->lines = xrealloc(f->lines, f->cap * sizeof(Line));
	}
	memmove(f->lines + at + 1, f->lines + at, (f->n - at) * sizeof(Line));
	f->lines[at] = l;
	f->n++;
}
static void file_delete(File *f, int at)
{
	free(f->lines[at].s);
	memmove(f->lines + at, f->lines + at + 1, (f->n - at - 1) * sizeof(Line));
	f->n--;
}
static size_t file_bytes(const File *f)
{
	size_t t = 0;
	for (int i = 0; i < f->n; i++)
		t += f->lines[i].len + 1;
	return t;
}

/* ---------- directories ---------- */
typedef struct {
	char *path;
	double weight;
} Dir;
static Dir *dirs;
static int ndirs;

static void add_dir(const char *path, double weight, int depth)
{
	dirs = xrealloc(dirs, (ndirs + 1) * sizeof(Dir));
	dirs[ndirs].path = strdup(path);
	dirs[ndirs].weight = weight;
	ndirs++;
	if (depth >= 4)
		return;
	int kids = depth == 0 ? 18 : (int)rndn(depth == 1 ? 6 : 3);
	for (int i = 0; i < kids; i++) {
		char p[512];
		const char *nm = depth == 0 ? dirnames[i % NDIRNAMES] : (rndn(2) ? dirnames[rndn(NDIRNAMES)] : W());
		snprintf(p, sizeof p, "%s%s%s", path, *path ? "/" : "", nm);
		/* the test directory gets a big share of files, like git's t/ */
		double w = depth == 0 && !strcmp(nm, "t") ? 12.0 : exp(rnd_normal());
		if (path_add(p))
			add_dir(p, w, depth + 1);
	}
}

static int pick_dir(void)
{
	static double total = -1;
	if (total < 0) {
		total = 0;
		for (int i = 0; i < ndirs; i++)
			total += dirs[i].weight;
	}
	double x = rndf() * total;
	for (int i = 0; i < ndirs; i++) {
		x -= dirs[i].weight;
		if (x <= 0)
			return i;
	}
	return ndirs - 1;
}

static int new_file(int force_po)
{
	static const struct {
		const char *ext;
		int kind;
		int pct;
	} kinds[] = {
		{".c", K_C, 30}, {".h", K_H, 12}, {".sh", K_SH, 28}, {".txt", K_DOC, 16},
		{".md", K_DOC, 4}, {".perl", K_PERL, 5}, {".mak", K_MAKE, 5},
	};
	char path[1024];
	int kind;
	for (;;) {
		int d = pick_dir();
		const char *ext;
		if (force_po) {
			ext = ".po";
			kind = K_PO;
		} else {
			int r = rndn(100), k = 0;
			while (r >= kinds[k].pct) {
				r -= kinds[k].pct;
				k++;
			}
			ext = kinds[k].ext;
			kind = kinds[k].kind;
		}
		const char *dp = force_po ? "po" : dirs[d].path;
		if (kind == K_SH && !force_po)
			snprintf(path, sizeof path, "%s%st%04u-%s-%s%s", dp, *dp ? "/" : "", rndn(10000), W(), W(), ext);
		else
			snprintf(path, sizeof path, "%s%s%s-%s%s", dp, *dp ? "/" : "", W(), W(), ext);
		if (path_add(path))
			break;
	}
	if (nfiles == capfiles) {
		capfiles = capfiles ? capfiles * 2 : 1024;
		files = xrealloc(files, capfiles * sizeof(File));
	}
	File *f = &files[nfiles];
	memset(f, 0, sizeof *f);
	f->path = strdup(path);
	f->kind = kind;
	f->alive = 1;
	f->owner = -1;
	f->hot = exp(1.3 * rnd_normal());
	/* sizes: lognormal, median ~3.5 KB; translations are large */
	double bytes = force_po ? 300000.0 + rndn(600000) : 3500.0 * exp(1.1 * rnd_normal());
	if (!force_po && bytes > 180000)
		bytes = 180000;
	int nl = (int)(bytes / 36) + 1;
	for (int i = 0; i < nl; i++)
		file_insert(f, f->n, make_line(kind));
	return nfiles++;
}

/* ---------- fast-import emission ---------- */
static FILE *out;
static long next_mark = 1;
static long when = 1112911993; /* 2005-04-07 */
static Buf scratch;

static void emit_data(const char *p, size_t n)
{
	fprintf(out, "data %zu\n", n);
	fwrite(p, 1, n, out);
	fputc('\n', out);
}

static void emit_blob(File *f)
{
	scratch.len = 0;
	for (int i = 0; i < f->n; i++) {
		buf_put(&scratch, f->lines[i].s, f->lines[i].len);
		buf_putc(&scratch, '\n');
	}
	f->mark = next_mark++;
	fprintf(out, "blob\nmark :%ld\n", f->mark);
	emit_data(scratch.p, scratch.len);
}

/* Apply a small random edit; returns nothing, file content changes. */
static void modify_file(File *f)
{
	int hunks = f->kind == K_PO ? 5 + (int)rndn(60) : rnd_geom(1, 0.6, 8);
	int big = file_bytes(f) > (f->kind == K_PO ? 1000000u : 150000u);
	for (int h = 0; h < hunks; h++) {
		int del = rnd_geom(0, big ? 3.0 : 1.2, 40);
		int ins = rnd_geom(0, big ? 1.0 : 2.0, 40);
		if (!del && !ins)
			ins = 1;
		int at = f->n ? rndn(f->n + 1) : 0;
		for (int i = 0; i < del && at < f->n && f->n > 3; i++)
			file_delete(f, at);
		for (int i = 0; i < ins; i++)
			file_insert(f, at + i, make_line(f->kind));
	}
}

static void emit_header(const char *ref, long mark, int who, const char *subject, int body)
{
	when += 60 + rndn(2 * 3600);
	const char *p = people[who];
	char email[128];
	int j = 0;
	for (const char *s = p; *s && j < 60; s++)
		if (*s != ' ' && *s != '.')
			email[j++] = (*s >= 'A' && *s <= 'Z') ? *s + 32 : *s;
	email[j] = 0;
	fprintf(out, "commit %s\nmark :%ld\n", ref, mark);
	fprintf(out, "author %s <%s@example.org> %ld +0000\n", p, email, when - rndn(86400));
	fprintf(out, "committer %s <%s@example.org> %ld +0000\n", people[0], "gitster", when);
	scratch.len = 0;
	buf_puts(&scratch, subject);
	buf_puts(&scratch, "\n");
	if (body) {
		buf_puts(&scratch, "\n");
		int nl = 2 + rndn(9);
		for (int i = 0; i < nl; i++) {
			gen_prose(&scratch, 6, 12);
			buf_putc(&scratch, '\n');
		}
		buf_puts(&scratch, "\nSigned-off-by: ");
		buf_puts(&scratch, p);
		buf_puts(&scratch, " <");
		buf_puts(&scratch, email);
		buf_puts(&scratch, "@example.org>\n");
	}
	emit_data(scratch.p, scratch.len);
}

/* ---------- topics ---------- */
#define NSLOTS 4
typedef struct {
	int active;
	int remaining;
	long fork_seq;
	long tip;   /* mark of last commit on the topic */
	int first;  /* next commit needs "from" */
	long fork_mark;
	int *touched;
	int ntouched, captouched;
	char name[64];
} Topic;
static Topic topics[NSLOTS];

static int eligible(int fi, int slot)
{
	File *f = &files[fi];
	if (!f->alive)
		return 0;
	if (slot < 0)
		return f->owner < 0;
	if (f->owner >= 0 && f->owner != slot)
		return 0;
	return f->owner == slot || f->main_mod <= topics[slot].fork_seq;
}

static int pick_file(int slot, int near)
{
	for (int tries = 0; tries < 64; tries++) {
		int fi;
		if (near >= 0 && chance(0.6)) {
			fi = near - 20 + (int)rndn(41);
			if (fi < 0 || fi >= nfiles)
				continue;
		} else {
			fi = rndn(nfiles);
			/* rejection sampling by hotness */
			if (rndf() * 8.0 > files[fi].hot)
				continue;
		}
		if (files[fi].kind == K_PO && !chance(0.02))
			continue;
		if (eligible(fi, slot))
			return fi;
	}
	return -1;
}

static void touch(int fi, int slot, long seq)
{
	File *f = &files[fi];
	if (slot < 0) {
		f->main_mod = seq;
		return;
	}
	if (f->owner != slot) {
		f->owner = slot;
		Topic *t = &topics[slot];
		if (t->ntouched == t->captouched) {
			t->captouched = t->captouched ? t->captouched * 2 : 16;
			t->touched = xrealloc(t->touched, t->captouched * sizeof(int));
		}
		t->touched[t->ntouched++] = fi;
	}
}

static long main_tip;

static void subject_line(Buf *b)
{
	b->len = 0;
	buf_puts(b, W());
	buf_puts(b, ": ");
	buf_puts(b, words[120 + rndn(10)]);
	buf_putc(b, ' ');
	gen_prose(b, 3, 8);
}

static void do_commit(int slot, long seq)
{
	int nmod;
	int r = rndn(100);
	if (r < 52)
		nmod = 1;
	else if (r < 74)
		nmod = 2;
	else if (r < 86)
		nmod = 3;
	else if (r < 96)
		nmod = 4 + rndn(5);
	else
		nmod = 9 + rndn(22);
	int adds = chance(0.06) ? 1 + (chance(0.2) ? rndn(4) : 0) : 0;
	int dels = chance(0.01);

	int *mods = xmalloc((nmod + adds + 1) * sizeof(int));
	int nm = 0, near = -1;
	for (int i = 0; i < nmod; i++) {
		int fi = pick_file(slot, near);
		if (fi < 0)
			continue;
		int dup = 0;
		for (int j = 0; j < nm; j++)
			dup |= mods[j] == fi;
		if (dup)
			continue;
		mods[nm++] = fi;
		if (near < 0)
			near = fi;
	}
	int delf = -1;
	if (dels) {
		delf = pick_file(slot, -1);
		for (int j = 0; j < nm; j++)
			if (mods[j] == delf)
				delf = -1;
		if (delf >= 0 && files[delf].kind == K_PO)
			delf = -1;
	}
	for (int i = 0; i < adds; i++)
		mods[nm++] = new_file(0);
	if (!nm && delf < 0)
		mods[nm++] = new_file(0);

	for (int i = 0; i < nm; i++) {
		File *f = &files[mods[i]];
		if (f->mark) /* existing file: edit it; new files keep their fresh content */
			modify_file(f);
		emit_blob(f);
		touch(mods[i], slot, seq);
	}
	if (delf >= 0)
		touch(delf, slot, seq);

	Buf subj = {0};
	subject_line(&subj);
	long mark = next_mark++;
	char ref[80];
	if (slot < 0)
		snprintf(ref, sizeof ref, "refs/heads/main");
	else
		snprintf(ref, sizeof ref, "refs/heads/topic/%d", slot);
	emit_header(ref, mark, rndn(NPEOPLE), subj.p, 1);
	if (slot >= 0 && topics[slot].first) {
		fprintf(out, "from :%ld\n", topics[slot].fork_mark);
		topics[slot].first = 0;
	}
	for (int i = 0; i < nm; i++)
		fprintf(out, "M 100644 :%ld %s\n", files[mods[i]].mark, files[mods[i]].path);
	if (delf >= 0) {
		fprintf(out, "D %s\n", files[delf].path);
		files[delf].alive = 0;
	}
	fputc('\n', out);
	if (slot < 0)
		main_tip = mark;
	else
		topics[slot].tip = mark;
	free(subj.p);
	free(mods);
}

static void do_merge(int slot)
{
	Topic *t = &topics[slot];
	char subj[160];
	snprintf(subj, sizeof subj, "Merge branch '%s'", t->name);
	long mark = next_mark++;
	emit_header("refs/heads/main", mark, 0, subj, 0);
	fprintf(out, "merge :%ld\n", t->tip);
	for (int i = 0; i < t->ntouched; i++) {
		File *f = &files[t->touched[i]];
		if (f->alive)
			fprintf(out, "M 100644 :%ld %s\n", f->mark, f->path);
		else
			fprintf(out, "D %s\n", f->path);
		f->owner = -1;
	}
	fputc('\n', out);
	main_tip = mark;
	t->active = 0;
	t->ntouched = 0;
}

static int nactive(void)
{
	int n = 0;
	for (int s = 0; s < NSLOTS; s++)
		n += topics[s].active && topics[s].tip;
	return n;
}

static void usage(void)
{
	fprintf(stderr, "usage: gen-repo-bin [-n commits] [-s seed] [-f initial-files] [-l]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	long ncommits = 30000, initial = 2000;
	uint64_t seed = 1;
	int c, leak = 0;
	while ((c = getopt(argc, argv, "n:s:f:l")) != -1) {
		switch (c) {
		case 'n': ncommits = atol(optarg); break;
		case 's': seed = strtoull(optarg, NULL, 10); break;
		case 'f': initial = atol(optarg); break;
		case 'l': leak = 1; break;
		default: usage();
		}
	}
	if (ncommits < 2 || initial < 10)
		usage();
	rng_state = seed * 0x2545F4914F6CDD1DULL + 12345;
	out = stdout;
	static char obuf[1 << 20];
	setvbuf(out, obuf, _IOFBF, sizeof obuf);
	pathset_cap = 1 << 20;
	pathset = calloc(pathset_cap, sizeof(char *));

	add_dir("", 1.0, 0);
	dirs[0].weight = 4.0; /* top level files */

	fprintf(out, "feature done\n");
	/* initial import */
	for (long i = 0; i < initial; i++)
		new_file(0);
	for (int i = 0; i < 12; i++)
		new_file(1);
	for (int i = 0; i < nfiles; i++)
		emit_blob(&files[i]);
	long mark = next_mark++;
	emit_header("refs/heads/main", mark, 5, "Initial revision of \"git\", the information manager from hell", 0);
	for (int i = 0; i < nfiles; i++)
		fprintf(out, "M 100644 :%ld %s\n", files[i].mark, files[i].path);
	if (leak) {
		/*
		 * One Segment token in a file no later commit touches, so that
		 * every commit of the history holds it. Its own generator: the
		 * rest of the history is the same as without -l.
		 */
		static const char alnum[] =
			"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
		uint64_t z = seed ^ 0x5e6e7e8e9eaebecULL;
		char tok[65], text[128];
		for (int i = 0; i < 64; i++) {
			z = z * 6364136223846793005ULL + 1442695040888963407ULL;
			tok[i] = alnum[(z >> 33) % 62];
		}
		tok[64] = 0;
		snprintf(text, sizeof text, "SEGMENT_PUBLIC_API_TOKEN=sgp_%s\n", tok);
		fprintf(out, "M 100644 inline config/analytics.env\ndata %zu\n%s\n",
			strlen(text), text);
	}
	fputc('\n', out);
	main_tip = mark;

	long made = 1, tcount = 0;
	while (made + nactive() < ncommits) {
		/* maybe start a topic */
		for (int s = 0; s < NSLOTS; s++) {
			if (!topics[s].active && chance(0.08)) {
				Topic *t = &topics[s];
				t->active = 1;
				t->remaining = rnd_geom(1, 1.5, 12);
				t->fork_seq = made;
				t->fork_mark = main_tip;
				t->first = 1;
				t->ntouched = 0;
				t->tip = 0;
				const char *nm = people[rndn(NPEOPLE)];
				snprintf(t->name, sizeof t->name, "%c%c/%s-%s-%ld", nm[0] | 32, nm[strlen(nm) - 1] | 32,
					 W(), W(), ++tcount);
				break;
			}
		}
		int act[NSLOTS], na = 0;
		for (int s = 0; s < NSLOTS; s++)
			if (topics[s].active)
				act[na++] = s;
		int slot = -1;
		if (na && chance(0.45))
			slot = act[rndn(na)];
		if (slot >= 0 && topics[slot].remaining == 0) {
			do_merge(slot);
		} else {
			do_commit(slot, made);
			if (slot >= 0)
				topics[slot].remaining--;
		}
		made++;
	}
	for (int s = 0; s < NSLOTS; s++)
		if (topics[s].active && topics[s].tip)
			do_merge(s);
	fprintf(out, "done\n");
	if (fflush(out) != 0) {
		perror("gen-repo: write");
		return 2;
	}
	return 0;
}
