#!/usr/bin/env bats
# Shallow clones, as CI systems make them: every commit that is present is
# judged; a commit at the cut counts as a first commit (its whole tree is
# added), and sghook says once that the history is cut and how to deepen it.

load helpers/engine

setup() {
	engine_setup
	need_jq
	UP="$BATS_TEST_TMPDIR/upstream"
	git init -q "$UP"
}

# up_commit PATH CONTENT [MSG]: a commit in the upstream repository.
up_commit() {
	mkdir -p "$(dirname "$UP/$1")"
	printf '%s\n' "$2" >"$UP/$1"
	git -C "$UP" add -- "$1"
	git -C "$UP" commit -q --no-verify -m "${3:-add $1}"
}

# clone_shallow DEPTH [ARGS...]: a shallow clone of upstream into ./ci,
# over file:// so that --depth is honoured, as a CI runner fetches.
clone_shallow() {
	local depth=$1
	shift
	rm -rf "$BATS_TEST_TMPDIR/ci"
	git clone -q --depth "$depth" "$@" "file://$UP" "$BATS_TEST_TMPDIR/ci"
	cd "$BATS_TEST_TMPDIR/ci" || return 1
	[ -s "$(git rev-parse --git-dir)/shallow" ] || fail_with "the clone is not shallow"
}

@test "at depth 2, --check-range HEAD~1..HEAD judges the last commit" {
	local token
	token=$(new_token)
	up_commit README "hello"
	up_commit notes.txt "clean"
	up_commit cfg.env "SEGMENT_WRITE=$token"
	clone_shallow 2
	run_sghook --check-range HEAD~1..HEAD --format json
	assert_status 1
	assert_json 'length == 1 and .[0].path == "cfg.env"'
	assert_json ".[0].commit == \"$(git rev-parse HEAD)\""
	assert_stderr_not_contains "cut"
}

@test "at depth 2, a clean HEAD~1..HEAD exits 0 and prints nothing" {
	up_commit README "hello"
	up_commit notes.txt "clean"
	up_commit more.txt "clean too"
	clone_shallow 2
	run_sghook --check-range HEAD~1..HEAD
	assert_status 0
	assert_output_empty
	# the summary line alone: no note of a cut
	assert_one_error_line
	assert_stderr_matches "^sghook: no secrets in 1 commit "
}

@test "at depth 1, --check-range HEAD judges the cut commit's whole tree as added, and says so once" {
	local old
	old=$(new_token)
	up_commit old.env "SEGMENT_API_TOKEN=$old" "an old leak"
	up_commit README "hello"
	clone_shallow 1
	run_sghook --check-range HEAD --format json
	assert_status 1
	assert_json 'length == 1 and .[0].path == "old.env"'
	assert_stderr_contains "history is cut at commit $(git rev-parse --short=7 HEAD)"
	assert_stderr_contains "git fetch --deepen"
	[ "$(grep -c 'history is cut' <<<"$stderr")" -eq 1 ] ||
		fail_with "the cut must be reported once"
}

@test "at depth 1, a clean --check-range HEAD exits 0 with only the cut note" {
	up_commit README "hello"
	up_commit notes.txt "clean"
	clone_shallow 1
	run_sghook --check-range HEAD --quiet
	assert_status 0
	assert_output_empty
	assert_one_error_line
	assert_stderr_contains "history is cut"
}

@test "a GitLab-style merge request pipeline (depth 20, origin/main..HEAD) judges only the branch's commits" {
	local old new i
	old=$(new_token)
	new=$(new_token)
	up_commit README "hello"
	up_commit old.env "SEGMENT_API_TOKEN=$old" "an old leak on main"
	for i in $(seq 1 30); do up_commit "main/$i.txt" "change $i"; done
	git -C "$UP" checkout -q -b feature
	up_commit feature/a.txt "work"
	up_commit feature/cfg.env "SEGMENT_API_TOKEN=$new" "the merge request's leak"
	up_commit feature/b.txt "more work"
	git -C "$UP" checkout -q main
	clone_shallow 20 --branch feature
	git fetch -q --depth 20 origin main:refs/remotes/origin/main
	run_sghook --check-range origin/main..HEAD --format json
	assert_status 1
	assert_json 'length == 1 and .[0].path == "feature/cfg.env"'
	assert_json ".[0].commit == \"$(git rev-parse HEAD~1)\""
	assert_stderr_not_contains "cut"
	assert_not_leaked "$old" "$new"
}

@test "a clean merge request at depth 20 exits 0, whatever main once held" {
	local old i
	old=$(new_token)
	up_commit old.env "SEGMENT_API_TOKEN=$old" "an old leak on main"
	for i in $(seq 1 25); do up_commit "main/$i.txt" "change $i"; done
	git -C "$UP" checkout -q -b feature
	up_commit feature/a.txt "work"
	git -C "$UP" checkout -q main
	clone_shallow 20 --branch feature
	git fetch -q --depth 20 origin main:refs/remotes/origin/main
	run_sghook --check-range origin/main..HEAD
	assert_status 0
	assert_output_empty
	# the summary line alone: no note of a cut
	assert_one_error_line
	assert_stderr_matches "^sghook: no secrets in 1 commit "
}

@test "a range whose lower end lies beyond the cut judges the present commits and reports the cut" {
	local token i
	token=$(new_token)
	up_commit README "hello"
	for i in 1 2 3 4 5; do up_commit "f$i.txt" "change $i"; done
	up_commit cfg.env "SEGMENT_API_TOKEN=$token"
	clone_shallow 3
	run_sghook --check-range HEAD --format json
	assert_status 1
	assert_json 'length == 1 and .[0].path == "cfg.env"'
	assert_stderr_contains "history is cut"
}
