/*
 * Unit tests of lib/walk.c: which commits a range names (as git rev-list
 * reads it) and which commits a push brings (sghook_walk_new). The
 * repository is built by the real git binary in a temp directory:
 *
 *   c1 - c2 - c3              main
 *          \
 *           f1 - f2           feature
 *   c3 - n1 - n2              no ref (like objects in a push quarantine)
 *   v1: annotated tag of c2; t-tree: annotated tag of c1's tree
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "sghook.h"
#include "gitrepo.h"

static git_repository *repo;

enum { C1, C2, C3, F1, F2, N1, N2, NCOMMITS };
static const char *names[NCOMMITS] = { "c1", "c2", "c3", "f1", "f2", "n1", "n2" };
static git_oid ids[NCOMMITS];
static char hexes[NCOMMITS][GIT_OID_HEXSZ + 1];

/* Commit i adds the file names[i].txt. */
static int commit(int i)
{
	if (gitrepo_sh("echo %s > %s.txt && git add %s.txt", names[i],
	    names[i], names[i]) != 0 ||
	    gitrepo_commit(&ids[i], i, names[i]) < 0)
		return -1;
	git_oid_tostr(hexes[i], sizeof(hexes[i]), &ids[i]);
	return 0;
}

static int build_repo(void)
{
	return gitrepo_sh("git init -q -b main .") ||
	    commit(C1) || commit(C2) || commit(C3) ||
	    gitrepo_sh("git checkout -q -b feature %s", hexes[C2]) ||
	    commit(F1) || commit(F2) ||
	    gitrepo_sh("git checkout -q -b tmp main") ||
	    commit(N1) || commit(N2) ||
	    gitrepo_sh("git checkout -q main && git branch -D tmp") ||
	    gitrepo_sh("git tag -a -m v1 v1 %s", hexes[C2]) ||
	    gitrepo_sh("git tag -a -m tree t-tree %s^{tree}", hexes[C1]);
}

static int setup(void **state)
{
	(void)state;
	return gitrepo_open(&repo, "walk", build_repo);
}

static int teardown(void **state)
{
	(void)state;
	gitrepo_close(repo);
	return 0;
}

/* ---- helpers ---------------------------------------------------------- */

static const char *name_of(const git_oid *id)
{
	static char hex[GIT_OID_HEXSZ + 1];
	int i;

	for (i = 0; i < NCOMMITS; i++)
		if (git_oid_equal(id, &ids[i]))
			return names[i];
	return git_oid_tostr(hex, sizeof(hex), id);
}

static char *describe(const sghook_oids *got)
{
	static char buf[512];
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < got->count; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), " %s",
			name_of(&got->ids[i]));
	return buf;
}

/* The walk must give exactly these commits, in this order (-1 ends). */
static void assert_commits(const sghook_oids *got, ...)
{
	char want[512] = "";
	va_list ap;
	size_t n = 0;
	int i, ok = 1;

	va_start(ap, got);
	while ((i = va_arg(ap, int)) >= 0) {
		snprintf(want + strlen(want), sizeof(want) - strlen(want),
			" %s", names[i]);
		if (n >= got->count || !git_oid_equal(&got->ids[n], &ids[i]))
			ok = 0;
		n++;
	}
	va_end(ap);
	if (!ok || n != got->count)
		fail_msg("walk gave [%s ], want [%s ]", describe(got), want);
}

/* The same commits, in any order (-1 ends). */
static void assert_commit_set(const sghook_oids *got, ...)
{
	char want[512] = "";
	va_list ap;
	size_t n = 0, k;
	int i, ok = 1, found;

	va_start(ap, got);
	while ((i = va_arg(ap, int)) >= 0) {
		snprintf(want + strlen(want), sizeof(want) - strlen(want),
			" %s", names[i]);
		for (k = 0, found = 0; k < got->count; k++)
			found |= git_oid_equal(&got->ids[k], &ids[i]);
		ok &= found;
		n++;
	}
	va_end(ap);
	if (!ok || n != got->count)
		fail_msg("walk gave [%s ], want {%s }", describe(got), want);
}

static int range(sghook_oids *out, int n, ...)
{
	const char *revs[8];
	va_list ap;
	int i;

	assert_true(n <= 8);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		revs[i] = va_arg(ap, const char *);
	va_end(ap);
	memset(out, 0, sizeof(*out));
	return sghook_walk_range(out, repo, revs, (size_t)n);
}

static void range_ok(sghook_oids *out, int n, ...)
{
	const char *revs[8];
	va_list ap;
	int i;

	assert_true(n <= 8);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		revs[i] = va_arg(ap, const char *);
	va_end(ap);
	memset(out, 0, sizeof(*out));
	if (sghook_walk_range(out, repo, revs, (size_t)n) < 0)
		fail_msg("walk of %s failed: %s", revs[0], sghook_error_last());
}

/* ---- sghook_walk_range ------------------------------------------------ */

static void test_a_single_rev_is_all_its_history_oldest_first(void **state)
{
	sghook_oids got;

	(void)state;
	range_ok(&got, 1, "main");
	assert_commits(&got, C1, C2, C3, -1);
	sghook_oids_free(&got);
	range_ok(&got, 1, "feature");
	assert_commits(&got, C1, C2, F1, F2, -1);
	sghook_oids_free(&got);
}

static void test_a_dot_dot_range_is_what_b_has_and_a_lacks(void **state)
{
	sghook_oids got;

	(void)state;
	range_ok(&got, 1, "main..feature");
	assert_commits(&got, F1, F2, -1);
	sghook_oids_free(&got);
	range_ok(&got, 1, "feature..main");
	assert_commits(&got, C3, -1);
	sghook_oids_free(&got);
}

static void test_a_range_of_full_ids_works(void **state)
{
	sghook_oids got;
	char *spec;

	(void)state;
	assert_true(asprintf(&spec, "%s..%s", hexes[C1], hexes[C3]) >= 0);
	range_ok(&got, 1, spec);
	assert_commits(&got, C2, C3, -1);
	sghook_oids_free(&got);
	free(spec);
}

static void test_caret_a_b_is_the_same_as_a_dot_dot_b(void **state)
{
	sghook_oids got;

	(void)state;
	range_ok(&got, 2, "^main", "feature");
	assert_commits(&got, F1, F2, -1);
	sghook_oids_free(&got);
	/* the order of the arguments does not matter */
	range_ok(&got, 2, "feature", "^main");
	assert_commits(&got, F1, F2, -1);
	sghook_oids_free(&got);
}

static void test_relative_and_abbreviated_revs_work(void **state)
{
	sghook_oids got;
	char shortid[8];

	(void)state;
	range_ok(&got, 1, "HEAD~2..HEAD");
	assert_commits(&got, C2, C3, -1);
	sghook_oids_free(&got);
	memcpy(shortid, hexes[F1], 7);
	shortid[7] = '\0';
	range_ok(&got, 1, shortid);
	assert_commits(&got, C1, C2, F1, -1);
	sghook_oids_free(&got);
}

static void test_an_empty_range_gives_no_commits_and_no_error(void **state)
{
	sghook_oids got;

	(void)state;
	assert_int_equal(range(&got, 1, "feature..feature"), 0);
	assert_int_equal(got.count, 0);
	sghook_oids_free(&got);
	/* no revision at all: nothing to walk */
	assert_int_equal(range(&got, 0), 0);
	assert_int_equal(got.count, 0);
	sghook_oids_free(&got);
}

static void test_several_tips_and_exclusions_combine_like_rev_list(void **state)
{
	sghook_oids got;

	(void)state;
	range_ok(&got, 3, "main", "feature", "^v1");
	assert_commit_set(&got, C3, F1, F2, -1);
	sghook_oids_free(&got);
}

static void test_a_symmetric_range_is_both_sides_past_the_merge_base(void **state)
{
	sghook_oids got;

	(void)state;
	range_ok(&got, 1, "main...feature");
	assert_commit_set(&got, C3, F1, F2, -1);
	sghook_oids_free(&got);
}

static void test_an_annotated_tag_is_peeled_to_its_commit(void **state)
{
	sghook_oids got;

	(void)state;
	range_ok(&got, 1, "v1");
	assert_commits(&got, C1, C2, -1);
	sghook_oids_free(&got);
	range_ok(&got, 1, "v1..main");
	assert_commits(&got, C3, -1);
	sghook_oids_free(&got);
}

static void test_an_unknown_rev_is_an_error_naming_it(void **state)
{
	sghook_oids got;

	(void)state;
	assert_true(range(&got, 1, "no-such-branch") < 0);
	assert_non_null(strstr(sghook_error_last(), "no-such-branch"));
	assert_int_equal(got.count, 0);
	sghook_oids_free(&got);
	assert_true(range(&got, 1, "main..no-such-branch") < 0);
	assert_non_null(strstr(sghook_error_last(), "no-such-branch"));
	sghook_oids_free(&got);
	assert_true(range(&got, 2, "main", "^no-such-branch") < 0);
	assert_non_null(strstr(sghook_error_last(), "no-such-branch"));
	sghook_oids_free(&got);
}

/* sghook.h: SGHOOK_EINVALID is for bad input, a revision among them. */
static void test_an_unknown_rev_returns_a_bad_input_code(void **state)
{
	sghook_oids got;
	int rc;

	(void)state;
	rc = range(&got, 1, "no-such-branch");
	if (rc != SGHOOK_EINVALID && rc != SGHOOK_ENOTFOUND)
		fail_msg("unknown revision returned %d, want SGHOOK_EINVALID "
			"(%d) or SGHOOK_ENOTFOUND (%d)", rc, SGHOOK_EINVALID,
			SGHOOK_ENOTFOUND);
	sghook_oids_free(&got);
}

static void test_a_rev_that_is_not_a_commit_is_an_error(void **state)
{
	sghook_oids got;

	(void)state;
	assert_true(range(&got, 1, "main^{tree}") < 0);
	assert_non_null(strstr(sghook_error_last(), "main^{tree}"));
	sghook_oids_free(&got);
	assert_true(range(&got, 1, "t-tree") < 0);
	sghook_oids_free(&got);
}

static void test_an_empty_or_negated_range_rev_is_an_error(void **state)
{
	sghook_oids got;

	(void)state;
	assert_true(range(&got, 1, "^") < 0);
	sghook_oids_free(&got);
	assert_true(range(&got, 1, "^main..feature") < 0);
	sghook_oids_free(&got);
}

/* ---- sghook_walk_new -------------------------------------------------- */

static void test_a_pushed_tip_brings_every_commit_no_ref_reaches(void **state)
{
	sghook_oids got = { 0 };

	(void)state;
	assert_int_equal(sghook_walk_new(&got, NULL, repo, &ids[N2], 1, NULL, 0,
		"refs/*"), 0);
	assert_commits(&got, N1, N2, -1);
	sghook_oids_free(&got);
}

static void test_without_hiding_a_tip_brings_its_whole_history(void **state)
{
	sghook_oids got = { 0 };

	(void)state;
	assert_int_equal(sghook_walk_new(&got, NULL, repo, &ids[N2], 1, NULL, 0,
		NULL), 0);
	assert_commits(&got, C1, C2, C3, N1, N2, -1);
	sghook_oids_free(&got);
}

static void test_refs_matching_the_glob_hide_their_commits_and_others_do_not(void **state)
{
	sghook_oids got = { 0 };

	(void)state;
	/* Only the feature branch hidden: main's c3 is new to it. */
	assert_int_equal(sghook_walk_new(&got, NULL, repo, &ids[N2], 1, NULL, 0,
		"refs/heads/feature"), 0);
	assert_commits(&got, C3, N1, N2, -1);
	sghook_oids_free(&got);
}

static void test_remote_tracking_refs_hide_what_the_remote_has(void **state)
{
	sghook_oids got = { 0 };

	(void)state;
	assert_int_equal(gitrepo_sh("git update-ref refs/remotes/origin/main %s",
		hexes[N1]), 0);
	assert_int_equal(sghook_walk_new(&got, NULL, repo, &ids[N2], 1, NULL, 0,
		"refs/remotes/origin/*"), 0);
	assert_commits(&got, N2, -1);
	sghook_oids_free(&got);
	/* Another remote's refs do not count. */
	assert_int_equal(sghook_walk_new(&got, NULL, repo, &ids[N2], 1, NULL, 0,
		"refs/remotes/upstream/*"), 0);
	assert_commits(&got, C1, C2, C3, N1, N2, -1);
	sghook_oids_free(&got);
	assert_int_equal(gitrepo_sh("git update-ref -d "
		"refs/remotes/origin/main"), 0);
}

static void test_hidden_ids_hide_their_history(void **state)
{
	sghook_oids got = { 0 };
	git_oid hide[2];

	(void)state;
	git_oid_cpy(&hide[0], &ids[C3]);
	git_oid_cpy(&hide[1], &ids[F1]);
	assert_int_equal(sghook_walk_new(&got, NULL, repo, &ids[N2], 1, hide, 2,
		NULL), 0);
	assert_commits(&got, N1, N2, -1);
	sghook_oids_free(&got);
}

static void test_an_unknown_hidden_id_hides_nothing_and_is_no_error(void **state)
{
	sghook_oids got = { 0 };
	git_oid unknown;

	(void)state;
	assert_int_equal(git_oid_fromstr(&unknown,
		"1111111111111111111111111111111111111111"), 0);
	assert_int_equal(sghook_walk_new(&got, NULL, repo, &ids[N2], 1, &unknown, 1,
		"refs/heads/main"), 0);
	assert_commits(&got, N1, N2, -1);
	sghook_oids_free(&got);
}

static void test_several_tips_bring_the_union(void **state)
{
	sghook_oids got = { 0 };
	git_oid tips[2];

	(void)state;
	git_oid_cpy(&tips[0], &ids[N2]);
	git_oid_cpy(&tips[1], &ids[F2]);
	assert_int_equal(sghook_walk_new(&got, NULL, repo, tips, 2, &ids[C2], 1,
		NULL), 0);
	assert_commit_set(&got, C3, N1, N2, F1, F2, -1);
	sghook_oids_free(&got);
}

static void test_an_annotated_tag_tip_is_peeled(void **state)
{
	sghook_oids got = { 0 };
	git_oid tag_id;

	(void)state;
	assert_int_equal(gitrepo_rev(&tag_id, "v1"), 0);
	assert_false(git_oid_equal(&tag_id, &ids[C2]));
	assert_int_equal(sghook_walk_new(&got, NULL, repo, &tag_id, 1, &ids[C1], 1,
		NULL), 0);
	assert_commits(&got, C2, -1);
	sghook_oids_free(&got);
}

static void test_a_tip_that_is_no_commit_brings_nothing(void **state)
{
	sghook_oids got = { 0 };
	git_oid tips[2];

	(void)state;
	assert_int_equal(gitrepo_rev(&tips[0], "t-tree"), 0);
	assert_int_equal(gitrepo_rev(&tips[1], "main^{tree}"), 0);
	assert_int_equal(sghook_walk_new(&got, NULL, repo, tips, 2, NULL, 0, NULL), 0);
	assert_int_equal(got.count, 0);
	sghook_oids_free(&got);
}

static void test_a_missing_tip_is_an_error_naming_it(void **state)
{
	sghook_oids got = { 0 };
	git_oid missing;

	(void)state;
	assert_int_equal(git_oid_fromstr(&missing,
		"2222222222222222222222222222222222222222"), 0);
	assert_true(sghook_walk_new(&got, NULL, repo, &missing, 1, NULL, 0, NULL) < 0);
	assert_non_null(strstr(sghook_error_last(),
		"2222222222222222222222222222222222222222"));
	sghook_oids_free(&got);
}

/* A caller tells a missing object by its class, not by the message. */
static void test_a_missing_tip_is_of_class_enotfound(void **state)
{
	sghook_oids got = { 0 };
	git_oid missing;

	(void)state;
	assert_int_equal(git_oid_fromstr(&missing,
		"2222222222222222222222222222222222222222"), 0);
	assert_int_equal(sghook_walk_new(&got, NULL, repo, &missing, 1, NULL,
		0, NULL), SGHOOK_ENOTFOUND);
	assert_int_equal(sghook_error_code(), SGHOOK_ENOTFOUND);
	sghook_oids_free(&got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_single_rev_is_all_its_history_oldest_first),
		cmocka_unit_test(test_a_dot_dot_range_is_what_b_has_and_a_lacks),
		cmocka_unit_test(test_a_range_of_full_ids_works),
		cmocka_unit_test(test_caret_a_b_is_the_same_as_a_dot_dot_b),
		cmocka_unit_test(test_relative_and_abbreviated_revs_work),
		cmocka_unit_test(test_an_empty_range_gives_no_commits_and_no_error),
		cmocka_unit_test(test_several_tips_and_exclusions_combine_like_rev_list),
		cmocka_unit_test(test_a_symmetric_range_is_both_sides_past_the_merge_base),
		cmocka_unit_test(test_an_annotated_tag_is_peeled_to_its_commit),
		cmocka_unit_test(test_an_unknown_rev_is_an_error_naming_it),
		cmocka_unit_test(test_an_unknown_rev_returns_a_bad_input_code),
		cmocka_unit_test(test_a_rev_that_is_not_a_commit_is_an_error),
		cmocka_unit_test(test_an_empty_or_negated_range_rev_is_an_error),
		cmocka_unit_test(test_a_pushed_tip_brings_every_commit_no_ref_reaches),
		cmocka_unit_test(test_without_hiding_a_tip_brings_its_whole_history),
		cmocka_unit_test(test_refs_matching_the_glob_hide_their_commits_and_others_do_not),
		cmocka_unit_test(test_remote_tracking_refs_hide_what_the_remote_has),
		cmocka_unit_test(test_hidden_ids_hide_their_history),
		cmocka_unit_test(test_an_unknown_hidden_id_hides_nothing_and_is_no_error),
		cmocka_unit_test(test_several_tips_bring_the_union),
		cmocka_unit_test(test_an_annotated_tag_tip_is_peeled),
		cmocka_unit_test(test_a_tip_that_is_no_commit_brings_nothing),
		cmocka_unit_test(test_a_missing_tip_is_an_error_naming_it),
		cmocka_unit_test(test_a_missing_tip_is_of_class_enotfound),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
