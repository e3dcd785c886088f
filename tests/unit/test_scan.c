/*
 * Unit tests of scanning (lib/scan.c, lib/blobs.c) through the public API
 * of sghook.h alone, so that they hold whatever the internals become.
 * The repository is built by the real git binary in a temp directory:
 *
 *   base - c1 - c2 - c3 - c4 - m     main (m merges feature)
 *                       \         /
 *                        f1 ------       feature
 *
 *   base  old.env holds T_OLD (before the range)
 *   c1    adds add.env, T_A on line 2
 *   c2    renames old.env to moved.env; adds tmp.env, T_B on line 1
 *   c3    removes tmp.env again
 *   f1    adds feat.env, T_C on line 3
 *   c4    a clean change, so that m is a real merge
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

#define RULES_DIR "rules"
#define RULE_ID "segment-public-api-token"

/* Random bodies, fixed so that every run judges the same history. */
#define T_OLD "sgp_nxZJqUF4LhpubF4c5TVRN0v8Lhvj0IPuTcbeCTI4ATVnPCHpqqqyyN1JWtewG4h6"
#define T_A "sgp_63zOl0PSUTYNqBjIKK0cnhSCLDrWfOxBsXq8EE0h5VN9lCSaj1hDU3Qy5ll45ZSX"
#define T_B "sgp_I9FN4lSqoT1XQ7IzrAnFE8JF6aWH6NRNLiAqOg7nkDNKTewugHRbBcjAY04Oz8AB"
#define T_C "sgp_Vq3LtM8wRz2KdY7pXn4HsB6jFc9GhQ1eUa5ZoT0iWkNy3DmPbE8rSx2vJl7Cg4Ft"

static git_repository *repo;
static sghook_rules *rules;

enum { BASE, C1, C2, C3, F1, C4, M, NCOMMITS };
static git_oid ids[NCOMMITS];

/* Commits what is staged at a fixed date, its id into ids[i]. */
static int commit(int i, const char *msg)
{
	return gitrepo_commit(&ids[i], i, msg);
}

static int build_repo(void)
{
	return gitrepo_sh("git init -q -b main . && echo hello > README && "
		"printf 'SEGMENT_API_TOKEN=%%s\\n' %s > old.env && "
		"git add README old.env", T_OLD) || commit(BASE, "base") ||
	    gitrepo_sh("printf '# settings\\nSEGMENT_WRITE=%%s\\n' %s > "
		"add.env && git add add.env", T_A) || commit(C1, "c1") ||
	    gitrepo_sh("git mv old.env moved.env && printf 'key: %%s\\n' %s "
		"> tmp.env && git add tmp.env", T_B) || commit(C2, "c2") ||
	    gitrepo_sh("git rm -q tmp.env") || commit(C3, "c3") ||
	    gitrepo_sh("git checkout -q -b feature && "
		"printf 'a\\nb\\nT=%%s\\n' %s > feat.env && git add feat.env",
		T_C) || commit(F1, "f1") ||
	    gitrepo_sh("git checkout -q main && echo more >> README && "
		"git add README") || commit(C4, "c4") ||
	    gitrepo_sh("GIT_AUTHOR_DATE='2024-01-01T00:10:00Z' "
		"GIT_COMMITTER_DATE='2024-01-01T00:10:00Z' "
		"git merge -q --no-ff --no-verify -m m feature") ||
	    gitrepo_rev(&ids[M], "HEAD");
}

static int setup(void **state)
{
	(void)state;
	if (gitrepo_open(&repo, "scan", build_repo) < 0)
		return -1;
	if (sghook_rules_load(&rules, RULES_DIR) < 0) {
		fprintf(stderr, "cannot load %s: %s\n", RULES_DIR,
			sghook_error_last());
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sghook_rules_free(rules);
	gitrepo_close(repo);
	return 0;
}

/* ---- helpers ---------------------------------------------------------- */

static void opts_init(sghook_scan_opts *o, int jobs,
	sghook_scan_strategy strategy)
{
	memset(o, 0, sizeof(*o));
	o->rules = rules;
	o->jobs = jobs;
	o->strategy = strategy;
}

/* The commits of base..main, as --check-range reads them. */
static void range_ids(sghook_oids *out)
{
	const char *revs[1];
	char spec[2 * GIT_OID_HEXSZ + 8];
	char hex[GIT_OID_HEXSZ + 1];

	git_oid_tostr(hex, sizeof(hex), &ids[BASE]);
	snprintf(spec, sizeof(spec), "%s..main", hex);
	revs[0] = spec;
	memset(out, 0, sizeof(*out));
	assert_int_equal(sghook_walk_range(out, repo, revs, 1), 0);
	assert_int_equal(out->count, 6);
}

static void scan_range(sghook_findings *out, int jobs,
	sghook_scan_strategy strategy)
{
	sghook_scan_opts o;
	sghook_oids range;

	opts_init(&o, jobs, strategy);
	range_ids(&range);
	memset(out, 0, sizeof(*out));
	if (sghook_scan_commits(out, repo, &range, &o) < 0)
		fail_msg("scan: %s", sghook_error_last());
	sghook_oids_free(&range);
}

static const sghook_finding *find_path(const sghook_findings *list,
	const char *path)
{
	size_t i;

	for (i = 0; i < list->count; i++)
		if (list->items[i].path && !strcmp(list->items[i].path, path))
			return &list->items[i];
	return NULL;
}

static void assert_finding(const sghook_findings *list, const char *path,
	size_t line, size_t column, const git_oid *commit, const char *secret)
{
	const sghook_finding *f = find_path(list, path);

	if (!f)
		fail_msg("no finding in %s", path);
	assert_int_equal(f->source, SGHOOK_SOURCE_FILE);
	assert_int_equal(f->line, line);
	assert_int_equal(f->column, column);
	assert_string_equal(f->secret, secret);
	assert_string_equal(sghook_rule_id(f->rule), RULE_ID);
	if (commit) {
		assert_true(f->has_commit);
		assert_true(git_oid_equal(&f->commit, commit));
	} else {
		assert_false(f->has_commit);
	}
}

static void assert_same_findings(const sghook_findings *a,
	const sghook_findings *b)
{
	size_t i;

	assert_int_equal(a->count, b->count);
	for (i = 0; i < a->count; i++) {
		const sghook_finding *x = &a->items[i], *y = &b->items[i];

		assert_string_equal(x->path, y->path);
		assert_int_equal(x->line, y->line);
		assert_int_equal(x->column, y->column);
		assert_true(git_oid_equal(&x->commit, &y->commit));
		assert_string_equal(x->fingerprint, y->fingerprint);
		assert_string_equal(x->secret, y->secret);
		assert_ptr_equal(x->rule, y->rule);
	}
}

/* ---- commits ---------------------------------------------------------- */

static void test_a_range_reports_what_its_commits_add(void **state)
{
	sghook_findings got;

	(void)state;
	scan_range(&got, 1, SGHOOK_SCAN_AUTO);
	assert_int_equal(got.count, 3);
	assert_finding(&got, "add.env", 2, 15, &ids[C1], T_A);
	assert_finding(&got, "feat.env", 3, 3, &ids[F1], T_C);
	sghook_findings_clear(&got);
}

static void test_a_token_added_then_removed_is_reported_where_it_was_added(void **state)
{
	sghook_findings got;

	(void)state;
	scan_range(&got, 1, SGHOOK_SCAN_AUTO);
	assert_finding(&got, "tmp.env", 1, 6, &ids[C2], T_B);
	sghook_findings_clear(&got);
}

/* T_OLD is in the base: neither its rename nor the merge adds it. */
static void test_a_token_before_the_range_and_its_rename_add_nothing(void **state)
{
	sghook_findings got;
	size_t i;

	(void)state;
	scan_range(&got, 1, SGHOOK_SCAN_AUTO);
	assert_null(find_path(&got, "old.env"));
	assert_null(find_path(&got, "moved.env"));
	for (i = 0; i < got.count; i++)
		assert_string_not_equal(got.items[i].secret, T_OLD);
	sghook_findings_clear(&got);
}

static void test_a_merge_does_not_report_its_branch_again(void **state)
{
	sghook_findings got;
	size_t i;

	(void)state;
	scan_range(&got, 1, SGHOOK_SCAN_AUTO);
	for (i = 0; i < got.count; i++)
		assert_false(git_oid_equal(&got.items[i].commit, &ids[M]));
	sghook_findings_clear(&got);
}

/* sghook.h: findings come back in the order of `ids`. */
static void test_findings_come_in_the_order_of_the_commits(void **state)
{
	sghook_findings got;
	sghook_oids range;
	size_t i, j, last = 0;

	(void)state;
	range_ids(&range);
	scan_range(&got, 1, SGHOOK_SCAN_AUTO);
	for (i = 0; i < got.count; i++) {
		for (j = 0; j < range.count; j++)
			if (git_oid_equal(&range.ids[j], &got.items[i].commit))
				break;
		assert_true(j < range.count);
		assert_true(j >= last);
		last = j;
	}
	sghook_oids_free(&range);
	sghook_findings_clear(&got);
}

/* Only the range's own commits: c3..main leaves c1 and c2 out. */
static void test_a_shorter_range_reports_only_its_own_commits(void **state)
{
	sghook_scan_opts o;
	sghook_findings got = { 0 };
	sghook_oids range = { 0 };
	char spec[GIT_OID_HEXSZ + 8], hex[GIT_OID_HEXSZ + 1];
	const char *revs[1] = { spec };

	(void)state;
	git_oid_tostr(hex, sizeof(hex), &ids[C3]);
	snprintf(spec, sizeof(spec), "%s..main", hex);
	assert_int_equal(sghook_walk_range(&range, repo, revs, 1), 0);
	opts_init(&o, 1, SGHOOK_SCAN_AUTO);
	assert_int_equal(sghook_scan_commits(&got, repo, &range, &o), 0);
	assert_int_equal(got.count, 1);
	assert_finding(&got, "feat.env", 3, 3, &ids[F1], T_C);
	sghook_oids_free(&range);
	sghook_findings_clear(&got);
}

static void test_one_and_two_jobs_and_both_strategies_find_the_same(void **state)
{
	static const sghook_scan_strategy strategies[] = {
		SGHOOK_SCAN_AUTO, SGHOOK_SCAN_LIST, SGHOOK_SCAN_DIFF
	};
	sghook_findings one, other;
	size_t s;

	(void)state;
	scan_range(&one, 1, SGHOOK_SCAN_AUTO);
	assert_int_equal(one.count, 3);
	for (s = 0; s < 3; s++) {
		scan_range(&other, 2, strategies[s]);
		assert_same_findings(&one, &other);
		sghook_findings_clear(&other);
		scan_range(&other, 1, strategies[s]);
		assert_same_findings(&one, &other);
		sghook_findings_clear(&other);
	}
	sghook_findings_clear(&one);
}

static void test_the_stats_count_each_blob_read_once(void **state)
{
	sghook_scan_opts o;
	sghook_scan_stats stats = { 0 };
	sghook_findings got = { 0 };
	sghook_oids range;

	(void)state;
	range_ids(&range);
	opts_init(&o, 1, SGHOOK_SCAN_LIST);
	o.stats = &stats;
	assert_int_equal(sghook_scan_commits(&got, repo, &range, &o), 0);
	/* add.env, tmp.env, feat.env and the two READMEs' second version. */
	assert_true(stats.blobs_read >= 3);
	assert_true(stats.blobs_read <= 5);
	sghook_oids_free(&range);
	sghook_findings_clear(&got);
}

/* ---- objects, buffers, the index -------------------------------------- */

/* A tree without history: everything in it counts as added. */
static void test_an_object_scan_counts_every_blob_as_added(void **state)
{
	sghook_scan_opts o;
	sghook_findings got = { 0 };
	git_commit *c = NULL;

	(void)state;
	assert_int_equal(git_commit_lookup(&c, repo, &ids[C1]), 0);
	opts_init(&o, 1, SGHOOK_SCAN_AUTO);
	assert_int_equal(sghook_scan_object(&got, repo,
		git_commit_tree_id(c), &o), 0);
	assert_int_equal(got.count, 2);
	assert_finding(&got, "add.env", 2, 15, NULL, T_A);
	assert_finding(&got, "old.env", 1, 19, NULL, T_OLD);
	git_commit_free(c);
	sghook_findings_clear(&got);
}

static void test_a_buffer_scan_reports_under_the_path_given(void **state)
{
	static const char buf[] = "one\ntwo\n  token = \"" T_A "\"\n";
	sghook_scan_opts o;
	sghook_findings got = { 0 };

	(void)state;
	opts_init(&o, 1, SGHOOK_SCAN_AUTO);
	assert_int_equal(sghook_scan_buffer(&got, buf, sizeof(buf) - 1,
		"conf/app.yml", &o), 0);
	assert_int_equal(got.count, 1);
	assert_finding(&got, "conf/app.yml", 3, 12, NULL, T_A);
	sghook_findings_clear(&got);
	assert_int_equal(sghook_scan_buffer(&got, "no secret here\n", 15,
		"clean.txt", &o), 0);
	assert_int_equal(got.count, 0);
}

/* The staged change only: what HEAD already holds is not added. */
static void test_an_index_scan_reports_only_what_is_staged(void **state)
{
	sghook_scan_opts o;
	sghook_findings got = { 0 };

	(void)state;
	assert_int_equal(gitrepo_sh("printf 'x\\ny = %%s\\n' %s > staged.env && "
		"echo changed >> add.env && git add staged.env add.env", T_B), 0);
	opts_init(&o, 1, SGHOOK_SCAN_AUTO);
	assert_int_equal(sghook_scan_index(&got, repo, &o), 0);
	assert_int_equal(got.count, 1);
	assert_finding(&got, "staged.env", 2, 5, NULL, T_B);
	sghook_findings_clear(&got);
	assert_int_equal(gitrepo_sh("git reset -q --hard"), 0);
	assert_int_equal(sghook_scan_index(&got, repo, &o), 0);
	assert_int_equal(got.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_range_reports_what_its_commits_add),
		cmocka_unit_test(test_a_token_added_then_removed_is_reported_where_it_was_added),
		cmocka_unit_test(test_a_token_before_the_range_and_its_rename_add_nothing),
		cmocka_unit_test(test_a_merge_does_not_report_its_branch_again),
		cmocka_unit_test(test_findings_come_in_the_order_of_the_commits),
		cmocka_unit_test(test_a_shorter_range_reports_only_its_own_commits),
		cmocka_unit_test(test_one_and_two_jobs_and_both_strategies_find_the_same),
		cmocka_unit_test(test_the_stats_count_each_blob_read_once),
		cmocka_unit_test(test_an_object_scan_counts_every_blob_as_added),
		cmocka_unit_test(test_a_buffer_scan_reports_under_the_path_given),
		cmocka_unit_test(test_an_index_scan_reports_only_what_is_staged),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
