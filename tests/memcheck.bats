#!/usr/bin/env bats
# sghook under valgrind's memcheck: no invalid read or write, no use of
# uninitialised memory and no definite leak, in every mode, worker
# processes included (valgrind follows a fork; a worker with errors exits
# 99, which its parent turns into exit 2). PCRE2's JIT is off (SGHOOK_JIT=0):
# its code loads whole 16-byte words that may pass the end of a buffer,
# which memcheck reports; engine-check-range.bats shows the interpreter
# finds the same.

load helpers/engine

setup() {
	command -v valgrind >/dev/null || skip "valgrind is not installed"
	engine_setup
	export SGHOOK_JIT=0
	plant README 'sghook test repository
' "initial commit"
	BASE=$(git rev-parse HEAD)
}

# Runs sghook under memcheck; exit 99 means memcheck found errors.
run_memcheck() {
	run --separate-stderr valgrind -q --error-exitcode=99 \
		--leak-check=full --errors-for-leak-kinds=definite \
		"$SGHOOK" "$@"
}

# A history of $1 commits, each adding a file; commit 3 adds a token that
# every later commit keeps, so each must be compared with its parent.
make_kept_token_history() {
	TOKEN=$(new_token)
	awk -v n="$1" -v from="$BASE" -v tok="$TOKEN" 'BEGIN {
		for (c = 1; c <= n; c++) {
			msg = "commit " c "\n"
			printf "commit refs/heads/main\n"
			printf "committer T <t@example.invalid> %d +0000\n", 1700000000 + c
			printf "data %d\n%s", length(msg), msg
			if (c == 1) printf "from %s\n", from
			data = (c == 3) ? "key: " tok "\n" : "file " c "\n"
			printf "M 100644 inline d%d/f.txt\ndata %d\n%s\n", c, length(data), data
		}
	}' | git fast-import --quiet
	git reset -q --hard main
}

@test "memcheck: --check-range with a token kept in 300 commits, on two workers, is clean" {
	make_kept_token_history 300
	run_memcheck --check-range "$BASE..HEAD" --jobs 2 --format json
	assert_status 1
	assert_json "length == 1 and .[0].path == \"d3/f.txt\""
}

@test "memcheck: --check-range on one process is clean" {
	make_kept_token_history 40
	run_memcheck --check-range "$BASE..HEAD" --jobs 1 --format json
	assert_status 1
	assert_json 'length == 1'
}

@test "memcheck: --pre-commit of a staged token, renamed files and a deletion is clean" {
	printf 'keep me\n' >old.txt
	git add old.txt
	commit_unchecked "old"
	git mv old.txt moved.txt
	printf 'API_KEY=%s\n' "$(new_token)" >cfg.env
	git add cfg.env
	git rm -q README
	run_memcheck --pre-commit
	assert_status 1
	assert_stderr_contains "cfg.env:1"
}

@test "memcheck: --pre-receive of a push is clean" {
	make_kept_token_history 150
	local bare="$BATS_TEST_TMPDIR/server.git"
	git clone -q --bare "$REPO" "$bare"
	git -C "$bare" update-ref refs/heads/main "$BASE"
	cd "$bare"
	run --separate-stderr env GIT_DIR=. valgrind -q --error-exitcode=99 \
		--leak-check=full --errors-for-leak-kinds=definite \
		"$SGHOOK" --pre-receive <<<"$BASE $(git -C "$REPO" rev-parse HEAD) refs/heads/main"
	assert_status 1
	assert_stderr_contains "d3/f.txt"
}

@test "memcheck: --scan of a buffer is clean" {
	run_memcheck --scan - <<<"SEGMENT_API_TOKEN=$(new_token)"
	assert_status 1
}
