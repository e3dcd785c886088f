#!/usr/bin/env bats
# Which commits a push brings, found from git's quarantine (the pushed
# objects, kept apart while pre-receive runs), and the time limit of a
# push (sghook.timeout). Real pushes over git daemon on 127.0.0.1; the
# hook's trace (SGHOOK_TRACE) says which walk ran.

load 'helpers/server'

bats_require_minimum_version 1.5.0

setup() {
	setup_git_env
	# the daemon's environment is the hook's
	export SGHOOK_TRACE="$BATS_TEST_TMPDIR/trace"
	new_server app
	install_server_hook app
	start_daemon
	TOKEN=$(new_token)
	new_client client app
	C="$BATS_TEST_TMPDIR/client"
	commit_file "$C" README.md "hello"
	commit_file "$C" a.txt "a"
	commit_file "$C" b.txt "b"
	git -C "$C" push -q origin main 2>/dev/null
	BASE=$(head_of "$C")
	: >"$SGHOOK_TRACE"
}

teardown() {
	stop_daemon
}

rejected() { assert_output_matches "! \[remote rejected\] +$1 -> $1 \(pre-receive hook declined\)"; }

# The trace of the last push holds a line matching the regex.
assert_trace() {
	grep -Eq "$1" "$SGHOOK_TRACE" ||
		fail_with "no trace line matches '$1'; trace: $(cat "$SGHOOK_TRACE")"
}

# Pushes REF of the client while the server has no hook: history from
# before sghook was installed.
push_unchecked() {
	mv "$SRV/app.git/hooks/pre-receive" "$SRV/app.git/hooks/off"
	git -C "$C" push -q origin "$@" 2>/dev/null
	mv "$SRV/app.git/hooks/off" "$SRV/app.git/hooks/pre-receive"
	: >"$SGHOOK_TRACE"
}

# ------------------------------------------------------------ what is new

@test "a push on a branch is walked from the quarantine down to the branch's old value" {
	commit_file "$C" c.txt "c"
	commit_leak "$C" d.env "$TOKEN"
	run git -C "$C" push origin main
	assert_status 1
	rejected main
	assert_output_matches "^remote: .*d\.env:2"
	assert_trace "walk: quarantine: 2 new commits, 1 boundary commits reached from the pushed refs' old values and HEAD"
}

@test "a new branch cut from an older commit of main is walked from the quarantine" {
	git -C "$C" checkout -q -b topic HEAD~2
	commit_file "$C" t1.txt "t1"
	commit_leak "$C" t2.env "$TOKEN"
	run git -C "$C" push origin topic
	assert_status 1
	rejected topic
	assert_output_matches "^remote: .*t2\.env:2"
	assert_trace "walk: quarantine: 2 new commits, 1 boundary commits reached from the pushed refs' old values and HEAD"
	git -C "$C" reset -q --hard HEAD~1
	run git -C "$C" push origin topic
	assert_status 0
	assert_equal "$(server_ref app refs/heads/topic)" "$(head_of "$C")"
}

@test "a ref moved to a commit the server has brings nothing, even a commit that once added a token" {
	commit_leak "$C" old.env "$TOKEN"
	commit_file "$C" later.txt "later"
	push_unchecked main
	local leak
	leak=$(head_of "$C" HEAD~1)
	run git -C "$C" push origin "$leak:refs/heads/old-leak"
	assert_status 0
	assert_equal "$(server_ref app refs/heads/old-leak)" "$leak"
	assert_trace "walk: quarantine: 0 new commits, 1 boundary commits reached from the pushed refs' old values and HEAD"
	# main moved back to it, then forward again
	run git -C "$C" push --force origin "$leak:main"
	assert_status 0
	run git -C "$C" push origin main
	assert_status 0
}

@test "an annotated tag of an old commit brings nothing but the tag" {
	commit_leak "$C" old.env "$TOKEN"
	push_unchecked main
	git -C "$C" tag -a v1 -m "release" HEAD
	run git -C "$C" push origin v1
	assert_status 0
	assert_equal "$(server_git app cat-file -t refs/tags/v1)" tag
	assert_trace "walk: quarantine: 0 new commits, 1 boundary commits reached from the pushed refs' old values and HEAD"
}

@test "a new branch at the tip of another branch is reached from the branches" {
	git -C "$C" checkout -q -b feature
	commit_leak "$C" f.env "$TOKEN"
	push_unchecked feature
	git -C "$C" checkout -q main
	run git -C "$C" push origin "feature:refs/heads/feature-copy"
	assert_status 0
	assert_trace "walk: quarantine: 0 new commits, 1 boundary commits reached from branches and tags"
}

@test "a branch deleted and pushed again is judged again: no ref reaches its commits" {
	git -C "$C" checkout -q -b feature
	commit_leak "$C" f.env "$TOKEN"
	push_unchecked feature
	run git -C "$C" push origin --delete feature
	assert_status 0
	: >"$SGHOOK_TRACE"
	run git -C "$C" push --progress origin feature
	assert_status 1
	rejected feature
	# sent again: the quarantine holds objects the server had
	assert_output_matches "Total [1-9]"
	assert_output_matches "^remote: .*f\.env:2"
	# the server had the commit, but no ref reaches it: every ref is read
	assert_trace "walk: quarantine: 1 boundary commits, not all reached from branches and tags"
	assert_trace "walk: every ref: 1 new commits"
}

@test "a branch deleted after it was merged and pushed again brings nothing" {
	git -C "$C" checkout -q -b feature
	commit_leak "$C" f.env "$TOKEN"
	git -C "$C" checkout -q main
	git -C "$C" merge -q --no-ff --no-edit feature
	push_unchecked main feature
	git -C "$C" push -q origin --delete feature 2>/dev/null
	: >"$SGHOOK_TRACE"
	run git -C "$C" push --progress origin feature
	assert_status 0
	assert_trace "walk: quarantine: 0 new commits, 1 boundary commits reached from the pushed refs' old values and HEAD"
}

@test "a commit that only a hidden ref reaches, sent again, is not new" {
	git -C "$C" checkout -q -b hidden
	commit_leak "$C" h.env "$TOKEN"
	push_unchecked hidden
	local h
	h=$(head_of "$C")
	server_git app update-ref refs/hidden/keep "$h"
	server_git app update-ref -d refs/heads/hidden
	server_git app config receive.hideRefs refs/hidden
	# the client does not see refs/hidden: it sends the commit again
	run git -C "$C" push origin hidden:refs/heads/again
	assert_status 0
	assert_equal "$(server_ref app refs/heads/again)" "$h"
	assert_trace "walk: every ref: 0 new commits"
}

@test "a commit the server has but no ref reaches, not sent (push.negotiate), is still judged" {
	git -C "$C" checkout -q -b feature
	commit_leak "$C" f.env "$TOKEN"
	push_unchecked feature
	git -C "$C" push -q origin --delete feature 2>/dev/null
	: >"$SGHOOK_TRACE"
	git -C "$C" config push.negotiate true
	git -C "$C" config protocol.version 2
	run git -C "$C" push --progress origin feature:refs/heads/feature2
	assert_status 1
	assert_output_contains "feature -> feature2 (pre-receive hook declined)"
	# the quarantine holds nothing: the server said it has the commit
	assert_output_matches "Total 0 "
	assert_output_matches "^remote: .*f\.env:2"
	assert_trace "walk: every ref: 1 new commits"
}

@test "with 300 other refs, a push reads none of them" {
	local i
	for i in $(seq 1 300); do
		echo "create refs/merge-requests/$i/head $BASE"
	done | server_git app update-ref --stdin
	server_git app pack-refs --all
	commit_file "$C" c.txt "c"
	run git -C "$C" push origin main
	assert_status 0
	assert_trace "walk: quarantine: 1 new commits, 1 boundary commits reached from the pushed refs' old values and HEAD"
	# without the quarantine (as git before 2.13 ran hooks), every ref
	(
		cd "$SRV/app.git"
		printf '%s %s refs/heads/main\n' "$BASE" "$(head_of "$C")" |
			"$SGHOOK" --pre-receive
	)
	assert_trace "walk: every ref: 0 new commits, 30[0-9] refs hidden"
}

# ------------------------------------------------------------ time limit

@test "a push not judged within sghook.timeout is refused in one line that says how big it is and what to do" {
	server_git app config sghook.timeout 0.000001
	commit_file "$C" c.txt "c"
	run git -C "$C" push origin main
	assert_status 1
	rejected main
	assert_output_matches "^remote: sghook: push refused: not judged within sghook.timeout \(1e-06 s\): 1 commit, [0-9.]+ MiB received; push it in parts, oldest commits first \(git push REMOTE COMMIT:BRANCH\), or ask the server's administrator to raise sghook.timeout"
	[ "$(grep -c '^remote: sghook' <<<"$output")" -eq 1 ] ||
		fail_with "expected one sghook line"
	assert_equal "$(server_ref app refs/heads/main)" "$BASE"
}

@test "sghook.failOpen does not let a push through that was not judged in time" {
	server_git app config sghook.timeout 0.000001
	server_git app config sghook.failOpen true
	commit_file "$C" c.txt "c"
	run git -C "$C" push origin main
	assert_status 1
	rejected main
	assert_output_contains "not judged within sghook.timeout"
	assert_output_not_contains "letting the push through"
	assert_equal "$(server_ref app refs/heads/main)" "$BASE"
}

@test "a push judged within sghook.timeout goes through" {
	server_git app config sghook.timeout 600
	commit_file "$C" c.txt "c"
	run git -C "$C" push origin main
	assert_status 0
	assert_equal "$(server_ref app refs/heads/main)" "$(head_of "$C")"
}

@test "a bad sghook.timeout refuses the push with one line" {
	server_git app config sghook.timeout soon
	commit_file "$C" c.txt "c"
	run git -C "$C" push origin main
	assert_status 1
	assert_output_matches "^remote: sghook: sghook.timeout must be a number of seconds above 0 and up to 86400, not 'soon'"
	assert_equal "$(server_ref app refs/heads/main)" "$BASE"
}

@test "pre-push past sghook.timeout refuses and says to raise it here" {
	git -C "$C" config sghook.timeout 0.000001
	commit_file "$C" c.txt "c"
	local local_id remote_id
	local_id=$(head_of "$C") remote_id=$BASE
	cd "$C"
	run --separate-stderr "$SGHOOK" --pre-push origin "$URL_BASE/app.git" \
		<<<"refs/heads/main $local_id refs/heads/main $remote_id"
	assert_status 2
	assert_stderr_matches "^sghook: push refused: not judged within sghook.timeout \(1e-06 s\): history not walked in time; push it in parts, .* or raise sghook.timeout \(git config sghook.timeout SECONDS\)$"
}

@test "sghook.timeout stops sghook even where it cannot check the time (stdin kept open)" {
	server_git app config sghook.timeout 0.2
	server_git app config sghook.failOpen true
	mkfifo "$BATS_TEST_TMPDIR/in"
	sleep 60 >"$BATS_TEST_TMPDIR/in" &
	local holder=$!
	cd "$SRV/app.git"
	run --separate-stderr "$SGHOOK" --pre-receive <"$BATS_TEST_TMPDIR/in"
	kill "$holder"
	assert_status 2
	assert_equal "$stderr" "sghook: push refused: not judged within sghook.timeout (0.2 s): history not walked in time; push it in parts, oldest commits first (git push REMOTE COMMIT:BRANCH), or ask the server's administrator to raise sghook.timeout"
}
