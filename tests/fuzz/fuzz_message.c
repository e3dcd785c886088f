/*
 * The commit-msg hook's view of a message file: the first byte picks the
 * comment string ("#", ";", "//"), the rest is the file. What comes out
 * is the file with some lines emptied and maybe a tail cut off: line for
 * line, each kept line as it was, and no line left after a cut. The
 * shipped rules then judge it, as --commit-msg does.
 */
#define _GNU_SOURCE
#include "fuzz.h"

static sghook_rules *rules;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	git_libgit2_init();
	rules = fuzz_shipped_rules();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *comments[] = { NULL, ";", "//" };
	const char *in = (const char *)data + (size ? 1 : 0);
	size_t len = size ? size - 1 : 0, outlen = 0, i = 0, j = 0;
	sghook_scan_opts opts;
	sghook_findings found = {0};
	char *out = NULL;
	int cut = -1;

	FUZZ_CHECK(sghook_message_strip(&out, &outlen, &cut, in, len,
		comments[size ? data[0] % 3 : 0]) == 0, "strip: %s",
		sghook_error_last());
	FUZZ_CHECK(cut == 0 || cut == 1, "cut is %d", cut);
	FUZZ_CHECK(outlen <= len && out[outlen] == '\0', "length");
	/* Walk both line by line: each output line is its input line or empty. */
	while (j < outlen) {
		const char *ie = memchr(in + i, '\n', len - i);
		const char *oe = memchr(out + j, '\n', outlen - j);
		size_t il = ie ? (size_t)(ie - in - i) : len - i;
		size_t ol = oe ? (size_t)(oe - out - j) : outlen - j;

		FUZZ_CHECK(i < len, "more lines out than in");
		FUZZ_CHECK(ol == 0 || (ol == il && !memcmp(in + i, out + j, il)),
			"line at output byte %zu is not its input line", j);
		i += il + (ie ? 1 : 0);
		j += ol + (oe ? 1 : 0);
	}
	FUZZ_CHECK(cut || i == len || (i < len && memchr(in + i, '\n',
		len - i) == NULL), "lines lost without a cut");
	memset(&opts, 0, sizeof(opts));
	opts.rules = rules;
	FUZZ_CHECK(sghook_message_scan(&found, out, outlen,
		SGHOOK_SOURCE_COMMIT_MESSAGE, NULL, &opts) == 0, "scan: %s",
		sghook_error_last());
	for (i = 0; i < found.count; i++)
		FUZZ_CHECK(!found.items[i].path && found.items[i].source ==
			SGHOOK_SOURCE_COMMIT_MESSAGE, "a message finding");
	sghook_findings_clear(&found);
	free(out);
	return 0;
}
