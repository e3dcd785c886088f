#!/usr/bin/env bats
# Server-side (pre-receive) and client pre-push behaviour, driven by real git
# pushes over git daemon on 127.0.0.1.

load 'helpers/server'

setup() {
	setup_git_env
	new_server app
	install_server_hook app
	start_daemon
	URL="$URL_BASE/app.git"
	TOKEN=$(new_token)
	# seed: one clean commit on main, pushed before each test's own push
	new_client client app
	C="$BATS_TEST_TMPDIR/client"
	commit_file "$C" README.md "hello"
	git -C "$C" push -q origin main 2>/dev/null
	BASE=$(head_of "$C")
}

teardown() {
	stop_daemon
}

# the rejected-by-hook line git prints for REF
rejected() { assert_output_matches "! \[remote rejected\] +$1 -> $1 \(pre-receive hook declined\)"; }

@test "a clean push is accepted and the server ref moves to the pushed commit" {
	commit_file "$C" src/app.js "console.log('hi')"
	run git -C "$C" push origin main
	assert_status 0
	assert_equal "$(server_ref app refs/heads/main)" "$(head_of "$C")"
}

@test "a push that leaks a token is refused and the server ref does not move" {
	commit_leak "$C" config/segment.env "$TOKEN"
	local bad
	bad=$(head_of "$C")
	run git -C "$C" push origin main
	assert_status 1
	rejected main
	# remote: lines name the commit (short id first), the file and line, and the rule
	assert_output_matches "^remote: .*$(short7 "$bad")[0-9a-f]*[^0-9a-f].*config/segment\.env:2"
	assert_output_matches "^remote: .*segment-public-api-token"
	# the token is redacted, never echoed back in full
	assert_output_not_contains "$TOKEN"
	assert_equal "$(server_ref app refs/heads/main)" "$BASE"
}

@test "a leak that exists only in the pushed objects (quarantine) is found, and is not kept by the server" {
	commit_leak "$C" deploy/.env "$TOKEN"
	local blob
	blob=$(git -C "$C" rev-parse HEAD:deploy/.env)
	# the server has never seen this blob: it can only be read from the quarantine
	run server_git app cat-file -e "$blob"
	assert_status 1
	run git -C "$C" push origin main
	assert_status 1
	rejected main
	assert_output_matches "^remote: .*deploy/\.env:2"
	# refused objects are dropped with the quarantine
	run server_git app cat-file -e "$blob"
	assert_status 1
	assert_equal "$(server_ref app refs/heads/main)" "$BASE"
}

@test "a new branch from known history that already holds an old token is accepted" {
	# an old leak reached the server before the hook existed
	rm "$SRV/app.git/hooks/pre-receive"
	commit_leak "$C" legacy/settings.env "$TOKEN"
	git -C "$C" push -q origin main 2>/dev/null
	local old
	old=$(head_of "$C")
	install_server_hook app
	# a branch at exactly the old commit, and one with clean work on top of it
	run git -C "$C" push origin main:refs/heads/copy-of-main
	assert_status 0
	assert_equal "$(server_ref app refs/heads/copy-of-main)" "$old"
	git -C "$C" checkout -q -b feature
	commit_file "$C" feature.txt "new work"
	run git -C "$C" push origin feature
	assert_status 0
	assert_output_not_contains "segment-public-api-token"
	assert_equal "$(server_ref app refs/heads/feature)" "$(head_of "$C")"
}

@test "a new branch bringing a leak is refused and the branch is not created" {
	git -C "$C" checkout -q -b feature
	commit_file "$C" feature.txt "clean first"
	commit_leak "$C" feature/.env "$TOKEN"
	commit_file "$C" feature2.txt "clean after"
	run git -C "$C" push origin feature
	assert_status 1
	rejected feature
	assert_output_matches "^remote: .*feature/\.env:2"
	assert_equal "$(server_ref app refs/heads/feature)" missing
	run git ls-remote "$URL" refs/heads/feature
	assert_status 0
	assert_equal "$output" ""
}

@test "a push of two refs where one leaks is refused as a whole" {
	commit_file "$C" clean.txt "clean"
	local good=$(head_of "$C")
	git -C "$C" checkout -q -b feature
	commit_leak "$C" secrets.env "$TOKEN"
	run git -C "$C" push origin main feature
	assert_status 1
	rejected main
	rejected feature
	assert_output_matches "^remote: .*secrets\.env:2"
	assert_equal "$(server_ref app refs/heads/main)" "$BASE"
	assert_equal "$(server_ref app refs/heads/feature)" missing
	[ "$good" != "$BASE" ]
}

@test "a merge of clean work is accepted" {
	git -C "$C" checkout -q -b topic
	commit_file "$C" topic.txt "topic work"
	git -C "$C" checkout -q main
	commit_file "$C" main.txt "main work"
	git -C "$C" merge -q --no-ff -m "merge topic" topic
	run git -C "$C" push origin main
	assert_status 0
	assert_equal "$(server_ref app refs/heads/main)" "$(head_of "$C")"
	assert_equal "$(server_git app rev-list --parents -n 1 refs/heads/main | wc -w)" 3
}

@test "a merge that brings a leak from a side branch is refused" {
	git -C "$C" checkout -q -b topic
	commit_leak "$C" topic/.env "$TOKEN"
	git -C "$C" checkout -q main
	commit_file "$C" main.txt "main work"
	git -C "$C" merge -q --no-ff -m "merge topic" topic
	run git -C "$C" push origin main
	assert_status 1
	rejected main
	assert_output_matches "^remote: .*topic/\.env:2"
	assert_equal "$(server_ref app refs/heads/main)" "$BASE"
}

@test "deleting a branch is accepted" {
	git -C "$C" push -q origin main:refs/heads/old-branch 2>/dev/null
	assert_equal "$(server_ref app refs/heads/old-branch)" "$BASE"
	run git -C "$C" push origin --delete old-branch
	assert_status 0
	assert_output_contains "[deleted]"
	assert_equal "$(server_ref app refs/heads/old-branch)" missing
}

@test "an annotated tag on clean history is accepted" {
	commit_file "$C" release.txt "v1"
	git -C "$C" tag -a v1.0 -m "release 1.0"
	run git -C "$C" push origin main v1.0
	assert_status 0
	assert_equal "$(server_git app cat-file -t refs/tags/v1.0)" tag
	assert_equal "$(server_ref app refs/tags/v1.0)" "$(head_of "$C")"
}

@test "an annotated tag whose commit leaks a token is refused" {
	git -C "$C" checkout -q --detach
	commit_leak "$C" tagged.env "$TOKEN"
	git -C "$C" tag -a v2.0 -m "release 2.0"
	run git -C "$C" push origin v2.0
	assert_status 1
	rejected v2.0
	assert_output_matches "^remote: .*tagged\.env:2"
	assert_equal "$(server_ref app refs/tags/v2.0)" missing
}

@test "pre-receive refuses a push whose commit message holds a token, and says to rewrite the commit and revoke the token" {
	commit_file "$C" src/app.js "console.log('hi')" "deploy staging with $TOKEN"
	local bad
	bad=$(head_of "$C")
	run git -C "$C" push origin main
	assert_status 1
	rejected main
	assert_output_matches "^remote: +$(short7 "$bad") \(commit message\):1  segment-public-api-token"
	assert_output_contains "git commit --amend"
	assert_output_contains "revoke the token"
	assert_output_not_contains "$TOKEN"
	assert_equal "$(server_ref app refs/heads/main)" "$BASE"
}

@test "pre-receive refuses an annotated tag of an old commit whose message holds a token, and each level of a tag of a tag" {
	git -C "$C" tag -a v0.9 -m "release notes
token: $TOKEN" "$BASE"
	local tag
	tag=$(git -C "$C" rev-parse v0.9)
	run git -C "$C" push origin v0.9
	assert_status 1
	rejected v0.9
	assert_output_matches "^remote: +$(short7 "$tag") \(tag message\):2"
	assert_equal "$(server_ref app refs/tags/v0.9)" missing
	# The leaky tag under a clean tag of it.
	git -C "$C" tag -a v0.9-final -m "final" v0.9
	run git -C "$C" push origin v0.9-final
	assert_status 1
	rejected v0.9-final
	assert_output_matches "^remote: +$(short7 "$tag") \(tag message\):2"
	assert_equal "$(server_ref app refs/tags/v0.9-final)" missing
}

@test "pre-receive accepts a clean commit and tag message, and a message line that ends with sghook:allow" {
	commit_file "$C" a.txt "a" "the token shape is $TOKEN"
	run git -C "$C" push origin main
	assert_status 1
	git -C "$C" commit -q --amend --no-verify -m "the token shape is $TOKEN  # sghook:allow"
	git -C "$C" tag -a v1.1 -m "clean release" "$BASE"
	run git -C "$C" push origin main v1.1
	assert_status 0
	assert_equal "$(server_ref app refs/heads/main)" "$(head_of "$C")"
	assert_equal "$(server_git app cat-file -t refs/tags/v1.1)" tag
}

@test "a tag that points straight at a blob or a tree holding a token is refused" {
	local blob tree
	blob=$(printf '# analytics settings\nSEGMENT_API_TOKEN=%s\n' "$TOKEN" | git -C "$C" hash-object -w --stdin)
	git -C "$C" tag -a -m "a blob" blobtag "$blob"
	run git -C "$C" push origin blobtag
	assert_status 1
	rejected blobtag
	assert_equal "$(server_ref app refs/tags/blobtag)" missing
	tree=$(printf '100644 blob %s\tsegment.env\n' "$blob" | git -C "$C" mktree)
	run git -C "$C" push origin "$tree:refs/tags/treetag"
	assert_status 1
	assert_output_contains "(pre-receive hook declined)"
	assert_equal "$(server_ref app refs/tags/treetag)" missing
	run server_git app cat-file -e "$blob"
	assert_status 1
}

@test "a force push that adds a leak is refused and the server ref does not move" {
	commit_file "$C" a.txt "a"
	git -C "$C" push -q origin main 2>/dev/null
	local pushed
	pushed=$(head_of "$C")
	# rewrite the last commit so that it now carries a token
	printf '# analytics settings\nSEGMENT_API_TOKEN=%s\n' "$TOKEN" >"$C/a.txt"
	git -C "$C" commit -q --amend -a -m "a (amended)"
	run git -C "$C" push --force origin main
	assert_status 1
	rejected main
	assert_output_matches "^remote: .*a\.txt:2"
	assert_equal "$(server_ref app refs/heads/main)" "$pushed"
}

@test "a force push that rewrites to clean history is accepted" {
	commit_file "$C" a.txt "a"
	git -C "$C" push -q origin main 2>/dev/null
	git -C "$C" reset -q --hard "$BASE"
	commit_file "$C" b.txt "b"
	run git -C "$C" push --force origin main
	assert_status 0
	assert_equal "$(server_ref app refs/heads/main)" "$(head_of "$C")"
}

@test "garbage on the stdin of sghook --pre-receive fails closed with exit 2 and one sghook: line" {
	cd "$SRV/app.git"
	run "$SGHOOK" --pre-receive <<<"this is not a ref update"
	assert_status 2
	assert_output_matches "^sghook: "
	# an update line naming an object the repository does not have
	run "$SGHOOK" --pre-receive <<<"0000000000000000000000000000000000000000 $(printf 'b%.0s' $(seq 40)) refs/heads/x"
	assert_status 2
	assert_output_matches "^sghook: "
}

@test "a corrupt packed-refs refuses the push with exit 2, naming the file" {
	# A commit the server has (on another branch), to be pushed to main.
	commit_file "$C" notes.txt "clean"
	local new
	new=$(head_of "$C")
	git -C "$C" push -q origin "main:refs/heads/side" 2>/dev/null
	server_git app pack-refs --all
	printf 'not a ref line\n' >>"$SRV/app.git/packed-refs"
	cd "$SRV/app.git"
	run --separate-stderr "$SGHOOK" --pre-receive <<<"$BASE $new refs/heads/main"
	assert_status 2
	assert_stderr_contains "$SRV/app.git/packed-refs: corrupted packed references file"
	assert_stderr_not_contains "unknown error"
	# pre-push hides the remote's tracking refs: the client's file
	git -C "$C" pack-refs --all
	printf 'not a ref line\n' >>"$C/.git/packed-refs"
	cd "$C"
	run --separate-stderr "$SGHOOK" --pre-push origin "$URL" \
		<<<"refs/heads/main $new refs/heads/main $BASE"
	assert_status 2
	assert_stderr_contains "$C/.git/packed-refs: corrupted packed references file"
}

@test "sghook.failOpen=true turns an internal error into a warning (exit 0)" {
	server_git app config sghook.failOpen true
	cd "$SRV/app.git"
	run "$SGHOOK" --pre-receive <<<"0000000000000000000000000000000000000000 $(printf 'b%.0s' $(seq 40)) refs/heads/x"
	assert_status 0
	assert_output_matches "^sghook: "
}

@test "sghook.failOpen=true still refuses a push that leaks a token" {
	server_git app config sghook.failOpen true
	commit_leak "$C" config/segment.env "$TOKEN"
	run git -C "$C" push origin main
	assert_status 1
	rejected main
	assert_equal "$(server_ref app refs/heads/main)" "$BASE"
}

# A pre-receive hook of our own that runs sghook with stderr redirected as
# given: 2>/dev/full (a full disk) or 2>&- (closed).
hook_with_stderr() {
	printf '#!/bin/sh\nexec "%s" --pre-receive %s\n' "$SGHOOK" "$1" >"$SRV/app.git/hooks/pre-receive"
	chmod +x "$SRV/app.git/hooks/pre-receive"
}

@test "sghook.failOpen=true refuses a push that leaks a token when stderr is a full disk" {
	[ -w /dev/full ] || skip "no /dev/full"
	server_git app config sghook.failOpen true
	hook_with_stderr '2>/dev/full'
	commit_leak "$C" config/segment.env "$TOKEN"
	run git -C "$C" push origin main
	assert_status 1
	rejected main
	assert_equal "$(server_ref app refs/heads/main)" "$BASE"
}

@test "sghook.failOpen=true refuses a push that leaks a token when stderr is closed" {
	server_git app config sghook.failOpen true
	hook_with_stderr '2>&-'
	commit_leak "$C" config/segment.env "$TOKEN"
	run git -C "$C" push origin main
	assert_status 1
	rejected main
	assert_equal "$(server_ref app refs/heads/main)" "$BASE"
}

@test "a bypass without a reason is refused, with sghook.failOpen=true too" {
	server_git app config receive.advertisePushOptions true
	server_git app config sghook.allowBypass true
	server_git app config sghook.failOpen true
	server_git app config sghook.auditLog "$BATS_TEST_TMPDIR/audit.log"
	commit_leak "$C" config/segment.env "$TOKEN"
	local opt
	for opt in sghook.bypass sghook.bypass=; do
		run git -C "$C" push -o "$opt" origin main
		assert_status 1
		rejected main
		assert_output_contains "a bypass needs a reason"
		assert_equal "$(server_ref app refs/heads/main)" "$BASE" "-o $opt"
	done
	[ ! -e "$BATS_TEST_TMPDIR/audit.log" ]
}

@test "a bypass whose audit line cannot be written is refused, with sghook.failOpen=true too" {
	server_git app config receive.advertisePushOptions true
	server_git app config sghook.allowBypass true
	server_git app config sghook.failOpen true
	server_git app config sghook.auditLog "$BATS_TEST_TMPDIR/no-such-dir/audit.log"
	commit_leak "$C" config/segment.env "$TOKEN"
	run git -C "$C" push -o "sghook.bypass=rotating the key now" origin main
	assert_status 1
	rejected main
	assert_output_contains "cannot write audit log $BATS_TEST_TMPDIR/no-such-dir/audit.log"
	assert_output_not_contains "letting the push through"
	assert_equal "$(server_ref app refs/heads/main)" "$BASE"
	if [ -w /dev/full ]; then
		server_git app config sghook.auditLog /dev/full
		run git -C "$C" push -o "sghook.bypass=rotating the key now" origin main
		assert_status 1
		rejected main
		assert_output_contains "cannot write audit log /dev/full"
		assert_equal "$(server_ref app refs/heads/main)" "$BASE"
	fi
}

@test "the push headline counts the commits and the secrets: 1 commit adds 2 secrets" {
	commit_file "$C" two.env "SEGMENT_API_TOKEN=$TOKEN
SEGMENT_WRITE_TOKEN=$(new_token)"
	run git -C "$C" push origin main
	assert_status 1
	rejected main
	assert_output_contains "remote: sghook: push refused: 1 commit adds 2 secrets"
	assert_output_contains "remote: Next: take the token out of the commits"
}

@test "a bypass push option is refused when the server does not set sghook.allowBypass" {
	server_git app config receive.advertisePushOptions true
	commit_leak "$C" config/segment.env "$TOKEN"
	run git -C "$C" push -o "sghook.bypass=rotating the key now" origin main
	assert_status 1
	rejected main
	assert_output_matches "^remote: .*config/segment\.env:2"
	assert_equal "$(server_ref app refs/heads/main)" "$BASE"
	[ ! -e "$BATS_TEST_TMPDIR/audit.log" ]
}

@test "a bypass push option is accepted with an audit line when sghook.allowBypass=true" {
	server_git app config receive.advertisePushOptions true
	server_git app config sghook.allowBypass true
	server_git app config sghook.auditLog "$BATS_TEST_TMPDIR/audit.log"
	commit_leak "$C" config/segment.env "$TOKEN"
	run git -C "$C" push -o "sghook.bypass=rotating the key now" origin main
	assert_status 0
	local bad
	bad=$(head_of "$C")
	assert_output_matches "^remote: sghook: bypass by .+ on refs/heads/main \(.*$(short7 "$bad").*\): rotating the key now"
	assert_output_contains "remote: sghook: push allowed by bypass: 1 commit adds 1 secret"
	assert_equal "$(server_ref app refs/heads/main)" "$bad"
	[ -f "$BATS_TEST_TMPDIR/audit.log" ]
	run cat "$BATS_TEST_TMPDIR/audit.log"
	# one audit line (the log may prefix it with a timestamp)
	assert_equal "${#lines[@]}" 1
	assert_output_matches "bypass by .+ on refs/heads/main \(.*$(short7 "$bad").*\): rotating the key now$"
	assert_output_not_contains "$TOKEN"
}

@test "a bypass push option does nothing for a clean push without allowBypass (still accepted)" {
	server_git app config receive.advertisePushOptions true
	commit_file "$C" clean.txt "clean"
	run git -C "$C" push -o "sghook.bypass=just because" origin main
	assert_status 0
	assert_equal "$(server_ref app refs/heads/main)" "$(head_of "$C")"
}

@test "16 concurrent pushes to one repository (8 leaking, 8 clean) are each judged right" {
	local i
	for i in $(seq 0 15); do
		git -C "$C" checkout -q -b "b$i" "$BASE"
		if [ $((i % 2)) -eq 0 ]; then
			commit_leak "$C" "leak-$i.env" "$(new_token)"
		else
			commit_file "$C" "clean-$i.txt" "clean $i"
		fi
	done
	local pids=()
	for i in $(seq 0 15); do
		git -C "$C" push "$URL" "b$i:refs/heads/b$i" >"$BATS_TEST_TMPDIR/push-$i.log" 2>&1 &
		pids[i]=$!
	done
	local rc
	for i in $(seq 0 15); do
		rc=0
		wait "${pids[i]}" || rc=$?
		status=$rc
		output=$(cat "$BATS_TEST_TMPDIR/push-$i.log")
		if [ $((i % 2)) -eq 0 ]; then
			assert_status 1
			rejected "b$i"
			assert_output_matches "^remote: .*leak-$i\.env:2"
			# judged on its own objects only
			[ "$(grep -oE 'leak-[0-9]+\.env' <<<"$output" | sort -u)" = "leak-$i.env" ] ||
				fail_with "push b$i names other pushes' files"
			assert_equal "$(server_ref app "refs/heads/b$i")" missing "b$i"
		else
			assert_status 0
			assert_equal "$(server_ref app "refs/heads/b$i")" "$(head_of "$C" "b$i")" "b$i"
		fi
	done
}

@test "pre-push (install.sh --pre-push) blocks a leak and lets clean work through" {
	# the server has no hook: only the client's pre-push protects it
	new_server plain
	new_client pp plain
	local P="$BATS_TEST_TMPDIR/pp"
	commit_file "$P" README.md "hello"
	git -C "$P" push -q origin main 2>/dev/null
	local base
	base=$(head_of "$P")
	run "$INSTALL_SH" --pre-push "$P"
	assert_status 0
	[ -x "$P/.git/hooks/pre-push" ]
	[ ! -e "$P/.git/hooks/pre-commit" ]

	commit_leak "$P" config/segment.env "$TOKEN"
	local bad
	bad=$(head_of "$P")
	run git -C "$P" push origin main
	assert_status 1
	assert_output_contains "error: failed to push some refs"
	assert_output_matches "$(short7 "$bad")[0-9a-f]*[^0-9a-f].*config/segment\.env:2"
	assert_output_contains "segment-public-api-token"
	assert_output_not_contains "$TOKEN"
	assert_equal "$(server_ref plain refs/heads/main)" "$base"

	git -C "$P" reset -q --hard "$base"
	commit_file "$P" src/ok.txt "fine"
	run git -C "$P" push origin main
	assert_status 0
	assert_equal "$(server_ref plain refs/heads/main)" "$(head_of "$P")"
}

@test "pre-push does not re-judge an old token the remote already has" {
	new_server plain2
	new_client pp2 plain2
	local P="$BATS_TEST_TMPDIR/pp2"
	commit_leak "$P" legacy.env "$TOKEN"
	git -C "$P" push -q origin main 2>/dev/null
	"$INSTALL_SH" --pre-push "$P" >/dev/null
	commit_file "$P" new.txt "new clean work"
	run git -C "$P" push origin main
	assert_status 0
	assert_equal "$(server_ref plain2 refs/heads/main)" "$(head_of "$P")"
}

@test "pre-push refuses a commit message that holds a token and a new annotated tag of an old commit with one; clean messages pass" {
	new_server plain3
	new_client pp3 plain3
	local P="$BATS_TEST_TMPDIR/pp3" base bad tag
	commit_file "$P" README.md "hello"
	git -C "$P" push -q origin main 2>/dev/null
	base=$(head_of "$P")
	"$INSTALL_SH" --pre-push "$P" >/dev/null
	commit_file "$P" a.txt "a" "use $TOKEN"
	bad=$(head_of "$P")
	run git -C "$P" push origin main
	assert_status 1
	assert_output_contains "  $(short7 "$bad") (commit message):1  segment-public-api-token"
	assert_output_contains "Nothing was pushed"
	assert_output_not_contains "$TOKEN"
	assert_equal "$(server_ref plain3 refs/heads/main)" "$base"
	git -C "$P" tag -a v1 -m "tagged with $TOKEN" "$base"
	tag=$(git -C "$P" rev-parse v1)
	run git -C "$P" push origin v1
	assert_status 1
	assert_output_contains "  $(short7 "$tag") (tag message):1  "
	assert_equal "$(server_ref plain3 refs/tags/v1)" missing
	git -C "$P" commit -q --amend --no-verify -m "use the token from the environment"
	git -C "$P" tag -a v2 -m "clean" "$base"
	run git -C "$P" push origin main v2
	assert_status 0
	assert_equal "$(server_ref plain3 refs/heads/main)" "$(head_of "$P")"
}

# shallow_client DIR: a depth-1 clone of app over git://, as a CI job makes.
shallow_client() {
	git clone -q --depth 1 "$URL" "$BATS_TEST_TMPDIR/$1" 2>/dev/null
	[ -s "$BATS_TEST_TMPDIR/$1/.git/shallow" ] || fail_with "the clone is not shallow"
}

@test "a push from a shallow clone is judged by the server: a leak is refused, clean work accepted" {
	commit_file "$C" a.txt "one"
	commit_file "$C" b.txt "two"
	git -C "$C" push -q origin main 2>/dev/null
	shallow_client sh
	local S="$BATS_TEST_TMPDIR/sh" base
	base=$(head_of "$S")
	commit_leak "$S" config/segment.env "$TOKEN"
	run git -C "$S" push origin main
	assert_status 1
	rejected main
	assert_output_contains "config/segment.env:2"
	assert_equal "$(server_ref app refs/heads/main)" "$base"

	git -C "$S" reset -q --hard "$base"
	commit_file "$S" src/ok.txt "fine"
	run git -C "$S" push origin main
	assert_status 0
	assert_equal "$(server_ref app refs/heads/main)" "$(head_of "$S")"
}

@test "pre-push in a shallow clone judges only the commits the remote lacks" {
	# the server has no hook and already holds an old token
	commit_leak "$C" legacy.env "$TOKEN"
	commit_file "$C" a.txt "one"
	new_server plain3
	git -C "$C" push -q "$URL_BASE/plain3.git" main 2>/dev/null
	git clone -q --depth 1 "$URL_BASE/plain3.git" "$BATS_TEST_TMPDIR/sp" 2>/dev/null
	local P="$BATS_TEST_TMPDIR/sp" base
	"$INSTALL_SH" --pre-push "$P" >/dev/null
	base=$(head_of "$P")
	commit_file "$P" new.txt "new clean work"
	run git -C "$P" push origin main
	assert_status 0
	assert_output_not_contains "sghook"
	assert_equal "$(server_ref plain3 refs/heads/main)" "$(head_of "$P")"

	commit_leak "$P" config/segment.env "$(new_token)"
	run git -C "$P" push origin main
	assert_status 1
	assert_output_contains "config/segment.env:2"
	assert_output_not_contains "legacy.env"
}

@test "the pre-receive hook fails closed when the sghook binary is missing" {
	# install with a copy of sghook, then remove the copy; PATH has no sghook
	mkdir -p "$BATS_TEST_TMPDIR/gone"
	cp "$SGHOOK" "$BATS_TEST_TMPDIR/gone/sghook"
	new_server fc
	SGHOOK="$BATS_TEST_TMPDIR/gone/sghook" "$INSTALL_SH" --server "$SRV/fc.git" >/dev/null
	rm "$BATS_TEST_TMPDIR/gone/sghook"
	stop_daemon
	PATH=$(path_without_sghook) start_daemon
	URL="$URL_BASE/fc.git"
	git -C "$C" remote add fc "$URL"
	run git -C "$C" push fc main
	assert_status 1
	assert_output_matches "^remote: sghook: pre-receive hook: sghook binary not found"
	assert_output_contains "! [remote rejected] main -> main (pre-receive hook declined)"
	assert_equal "$(server_ref fc refs/heads/main)" missing
}
