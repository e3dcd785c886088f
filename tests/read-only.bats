#!/usr/bin/env bats
# sghook never writes to the repository it judges, in any mode: every file
# and directory of .git (index, HEAD, refs, packed-refs, objects, config,
# hooks, logs) and of a bare server repository is the same, content, mode
# and modification time, before and after it runs, and so is the work
# tree. Each mode is run where it finds a secret, with what it does then
# (rename detection, a second pass over commits, worker processes).

load helpers/engine

setup() {
	engine_setup
	plant_base
	make_kept_token_history 150
	git pack-refs --all
	git tag -a -m "a tag" v1 "$BASE"
	printf 'keep me\n' >old.txt
	git add old.txt
	commit_unchecked "old"
}

# Runs sghook with ARGS and compares the state of DIR before and after.
assert_writes_nothing() {
	local dir=$1 before after
	shift
	before=$(repo_state "$dir")
	run --separate-stderr "$@"
	after=$(repo_state "$dir")
	assert_state_unchanged "$before" "$after" "sghook ${*:2:2}"
}

@test "--pre-commit writes nothing to the repository, nor to the work tree" {
	git mv old.txt moved.txt
	printf 'SEGMENT_API_TOKEN=%s\n' "$(new_token)" >cfg.env
	git add cfg.env
	assert_writes_nothing "$REPO" "$SGHOOK" --pre-commit
	assert_status 1
	assert_stderr_contains "cfg.env:1"
	# and with a clean change
	git rm -q --cached cfg.env
	assert_writes_nothing "$REPO/.git" "$SGHOOK" --pre-commit
	assert_status 0
}

@test "--check-range writes nothing to the repository, on one process or several" {
	local jobs
	for jobs in 1 2; do
		assert_writes_nothing "$REPO" "$SGHOOK" --check-range "$BASE..HEAD" \
			--jobs "$jobs" --format json
		assert_status 1
		assert_json 'length == 1'
	done
	assert_writes_nothing "$REPO" "$SGHOOK" --check-range HEAD --format sarif
	assert_status 1
}

@test "--pre-push writes nothing to the repository" {
	git update-ref refs/remotes/origin/main "$BASE"
	assert_writes_nothing "$REPO" "$SGHOOK" --pre-push origin "$BATS_TEST_TMPDIR/nowhere.git" \
		<<<"refs/heads/main $(git rev-parse HEAD) refs/heads/main $BASE"
	assert_status 1
	assert_stderr_contains "d3/f.txt"
}

@test "--pre-receive writes nothing to the server repository, a bypass included" {
	local bare="$BATS_TEST_TMPDIR/server.git" tip
	tip=$(git rev-parse HEAD)
	git clone -q --bare "$REPO" "$bare"
	git -C "$bare" update-ref refs/heads/main "$BASE"
	cd "$bare"
	GIT_DIR=. assert_writes_nothing "$bare" "$SGHOOK" --pre-receive \
		<<<"$BASE $tip refs/heads/main"
	assert_status 1
	assert_stderr_contains "d3/f.txt"
	# An accepted bypass writes its audit line outside the repository.
	git config sghook.allowBypass true
	git config sghook.auditLog "$BATS_TEST_TMPDIR/audit.log"
	GIT_DIR=. GIT_PUSH_OPTION_COUNT=1 GIT_PUSH_OPTION_0="sghook.bypass=a test" \
		assert_writes_nothing "$bare" "$SGHOOK" --pre-receive \
		<<<"$BASE $tip refs/heads/main"
	assert_status 0
	[ -s "$BATS_TEST_TMPDIR/audit.log" ]
}

@test "--scan writes nothing to the repository it runs in" {
	printf 'SEGMENT_API_TOKEN=%s\n' "$(new_token)" >loose.env
	assert_writes_nothing "$REPO" "$SGHOOK" --scan loose.env README
	assert_status 1
}
