/*
 * Pre-receive and pre-push input parsing. The first byte picks the hook
 * (its low bit), the rest is its standard input. When the input is
 * accepted, each non-empty line named one ref and brought at most one tip.
 */
#define _GNU_SOURCE
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	git_libgit2_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sghook_hookinput in = SGHOOK_HOOKINPUT_INIT;
	sghook_hookinput_kind kind;
	const char *buf = (const char *)data + 1, *p, *end, *eol;
	size_t len, lines = 0, names = 0, i;
	FILE *fp;
	int error;

	if (size < 2)
		return 0;
	kind = data[0] & 1 ? SGHOOK_HOOKINPUT_PRE_PUSH :
		SGHOOK_HOOKINPUT_PRE_RECEIVE;
	len = size - 1;
	end = buf + len;
	FUZZ_CHECK((fp = fmemopen((void *)buf, len, "r")), "fmemopen");
	error = sghook_hookinput_read(&in, fp, kind);
	fclose(fp);
	if (error < 0) {
		FUZZ_CHECK(error == SGHOOK_EINVALID && !strchr(sghook_error_last(),
			'\n'), "error %d: %s", error, sghook_error_last());
		return 0;
	}
	for (p = buf; p < end; p = eol + 1) {
		if (!(eol = memchr(p, '\n', (size_t)(end - p))))
			eol = end;
		lines += eol > p;
	}
	for (i = 0; i < in.refs_len; i++)
		names += i == 0 || in.refs[i - 1] == ' ';
	FUZZ_CHECK(names == lines && in.tips.count <= lines &&
		in.hide.count <= lines, "%zu lines, %zu ref names, %zu tips",
		lines, names, in.tips.count);
	FUZZ_CHECK(!in.refs || strlen(in.refs) == in.refs_len, "refs_len");
	FUZZ_CHECK(kind == SGHOOK_HOOKINPUT_PRE_PUSH || in.hide.count == 0,
		"pre-receive hides nothing");
	sghook_hookinput_free(&in);
	return 0;
}
