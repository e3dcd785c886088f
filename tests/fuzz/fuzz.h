/*
 * What the fuzz targets share: libgit2 started once, and the shipped
 * rules, found from the target's own path (tests/fuzz/NAME) so that a
 * target runs from any directory.
 */
#ifndef SGHOOK_FUZZ_H
#define SGHOOK_FUZZ_H

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sghook.h"

/* A broken invariant: say which, then abort so that libFuzzer keeps the input. */
#define FUZZ_CHECK(cond, ...) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz check failed: %s: ", #cond); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
		abort(); \
	} \
} while (0)

static inline void fuzz_rules_dir(char *out, size_t n)
{
	char exe[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	exe[len > 0 ? len : 0] = '\0';
	if ((slash = strrchr(exe, '/')))
		*slash = '\0';
	snprintf(out, n, "%s/../../rules", exe);
}

static inline sghook_rules *fuzz_shipped_rules(void)
{
	char dir[PATH_MAX];
	sghook_rules *rules = NULL;

	fuzz_rules_dir(dir, sizeof(dir));
	if (sghook_rules_load(&rules, dir) < 0) {
		fprintf(stderr, "fuzz: cannot load the shipped rules: %s\n",
			sghook_error_last());
		exit(2);
	}
	return rules;
}

#endif
