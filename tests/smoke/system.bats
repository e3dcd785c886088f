#!/usr/bin/env bats
# A smoke test of a build against the distribution's libgit2 (make
# check-system): the binary runs, blocks, passes clean work, and says what
# an old libgit2 cannot do instead of failing obscurely.

load ../helpers/engine

setup() {
	engine_setup
}

@test "the system build says which libgit2 it carries" {
	run_sghook --version
	assert_status 0
	assert_output_contains "libgit2 "
	assert_output_contains "the system's"
}

@test "the system build refuses a commit that stages a token and accepts a clean one" {
	printf 'SEGMENT_API_TOKEN=%s\n' "$(new_token)" >cfg.env
	git add cfg.env
	try_commit "leak"
	assert_commit_refused cfg.env:1
	git rm -q --cached cfg.env
	printf 'hello\n' >README
	git add README
	try_commit "clean"
	assert_commit_accepted
}

@test "the system build judges a range" {
	plant cfg.env "SEGMENT_API_TOKEN=$(new_token)
"
	run_sghook --check-range HEAD
	assert_status 1
	assert_output_contains "cfg.env:1"
}

@test "in a shallow clone, a libgit2 before 1.7 gives one line with advice, else the range is judged" {
	local up="$BATS_TEST_TMPDIR/up" i
	git init -q "$up"
	for i in 1 2 3; do
		printf '%s\n' "$i" >"$up/f$i"
		git -C "$up" add "f$i"
		git -C "$up" commit -q -m "c$i"
	done
	git clone -q --depth 2 "file://$up" "$BATS_TEST_TMPDIR/ci"
	cd "$BATS_TEST_TMPDIR/ci"
	run_sghook --check-range HEAD~1..HEAD
	if "$SGHOOK" --version | grep -q "shallow clones supported"; then
		assert_status 0
	else
		assert_status 2
		assert_one_error_line
		assert_stderr_contains "this clone is shallow"
		assert_stderr_contains "git fetch --unshallow"
	fi
}
