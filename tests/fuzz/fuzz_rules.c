/*
 * Rule file parsing. The input, split at its first NUL byte, is two rule
 * files of one directory (a.rules, then b.rules, whose rules refine a's),
 * loaded as sghook loads a rules directory; a remediation file beside them
 * can be named. Rules that load are compiled into a matcher and run over
 * a text holding tokens and context, so that odd values reach match.c.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/stat.h>

#include "fuzz.h"

static char dir[64], a_path[96], b_path[96];

static const char sample[] =
	"SEGMENT_API_TOKEN=sgp_Xq7rT2mK9vLp4WzB8nC3\n"
	"token: sgp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKlMnOpQrStUvWxYz01\n"
	"sourcegraph = sgp_0a1b2c3d4e5f60718293a4b5c6d7e8f901a2b3c4 # sghook:allow\n"
	"sgp_local_0a1b2c3d4e5f60718293a4b5c6d7e8f901a2b3c4 sgp_xxxxxxxxxxxxxxxx\n";

static void write_file(const char *path, const uint8_t *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	FUZZ_CHECK(fd >= 0, "cannot write %s", path);
	FUZZ_CHECK(write(fd, data, size) == (ssize_t)size, "short write");
	close(fd);
}

static char remedy_path[96];

static void cleanup(void)
{
	unlink(a_path);
	unlink(b_path);
	unlink(remedy_path);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char remedy[] = "Revoke the token.\n";
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

	(void)argc;
	(void)argv;
	git_libgit2_init();
	snprintf(dir, sizeof(dir), "%s/sghook-fuzz-rules-XXXXXX", base);
	if (!mkdtemp(dir)) {
		perror("fuzz: mkdtemp");
		exit(2);
	}
	snprintf(a_path, sizeof(a_path), "%s/a.rules", dir);
	snprintf(b_path, sizeof(b_path), "%s/b.rules", dir);
	snprintf(remedy_path, sizeof(remedy_path), "%s/remedy.txt", dir);
	write_file(remedy_path, (const uint8_t *)remedy, sizeof(remedy) - 1);
	atexit(cleanup);
	return 0;
}

static int count(const sghook_match *m, void *payload)
{
	size_t *n = payload;

	FUZZ_CHECK(m->offset + m->secret_len <= sizeof(sample) - 1,
		"match outside the sample");
	(*n)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	sghook_rules *rules = NULL;
	sghook_matcher *m = NULL;
	size_t i, n = 0;

	if (nul) {
		write_file(a_path, data, (size_t)(nul - data));
		write_file(b_path, nul + 1, size - (size_t)(nul - data) - 1);
	} else {
		write_file(a_path, data, size);
		unlink(b_path);
	}
	if (sghook_rules_load(&rules, dir) < 0) {
		FUZZ_CHECK(*sghook_error_last(), "an error without a message");
		return 0;
	}
	FUZZ_CHECK(sghook_rules_count(rules) > 0, "a rule set without rules");
	for (i = 0; i < sghook_rules_count(rules); i++) {
		const sghook_rule *r = sghook_rules_get(rules, i);

		FUZZ_CHECK(sghook_rule_id(r) && sghook_rule_description(r) &&
			sghook_rule_confidence(r), "rule %zu lacks a name", i);
	}
	if (sghook_matcher_new(&m, rules) == 0) {
		/* A pattern may fail to match (a limit): not a crash. */
		sghook_matcher_scan(m, sample, sizeof(sample) - 1, count, &n);
		sghook_matcher_free(m);
	}
	sghook_rules_free(rules);
	return 0;
}
