#!/usr/bin/env bats
# Commit and tag messages: pushed with the commit and in history for good.
# --check-range judges the message of every commit it judges and of the
# annotated tags its revisions name; git's commit-msg hook runs
# sghook --commit-msg on the message file of a real `git commit`.

load helpers/engine

setup() {
	engine_setup
	need_jq
	plant_base
	TOKEN=$(new_token)
}

# The fingerprint the issue defines for a message: rule, source, secret.
message_fingerprint() {
	printf 'segment-public-api-token\n%s\n%s' "$1" "$2" |
		git hash-object --stdin | cut -c1-16
}

# ------------------------------------------------------------ --check-range

@test "--check-range reports a token in a commit message: source commit-message, path null, the commit and the line within the message" {
	plant notes.txt 'clean
' "deploy staging

the token is $TOKEN for now"
	local leak
	leak=$(rev)
	run_sghook --check-range "$BASE..HEAD" --format json
	assert_status 1
	assert_json 'length == 1'
	assert_json ".[0].source == \"commit-message\" and .[0].path == null"
	assert_json ".[0].commit == \"$leak\" and .[0].line == 3 and .[0].column == 14"
	assert_not_leaked "$TOKEN"
}

@test "a file finding has source file, and a message finding reads COMMIT (commit message):LINE in text" {
	plant cfg.env "SEGMENT_API_TOKEN=$TOKEN
" "add cfg with $TOKEN"
	local leak
	leak=$(rev)
	run_sghook --check-range "$BASE..HEAD" --format json
	assert_json '[.[].source] == ["file", "commit-message"]'
	assert_json '.[0].path == "cfg.env"'
	run_sghook --check-range "$BASE..HEAD"
	assert_status 1
	assert_output_contains "  ${leak:0:7} cfg.env:1  "
	assert_output_contains "  ${leak:0:7} (commit message):1  segment-public-api-token"
	assert_output_contains "git rebase -i"
	assert_output_contains "revoke the token"
	assert_not_leaked "$TOKEN"
}

@test "--check-range judges an annotated tag named among the revisions, and each level of a tag of a tag" {
	git tag -a v1 -m "release
token $TOKEN" "$BASE"
	git tag -a v1-again -m "wrapper of $TOKEN" v1
	local inner outer
	inner=$(git rev-parse v1)
	outer=$(git rev-parse v1-again)
	# The commit itself is clean: only the tags speak.
	run_sghook --check-range v1-again --format json
	assert_status 1
	assert_json 'length == 2 and all(.[]; .source == "tag-message" and .path == null)'
	assert_json "[.[].commit] == [\"$outer\", \"$inner\"]"
	assert_json '[.[].line] == [1, 2]'
	run_sghook --check-range v1-again
	assert_output_contains "  ${inner:0:7} (tag message):2  "
	# A clean annotated tag passes, as does the range that excludes one.
	git tag -a v2 -m "clean release" "$BASE"
	run_sghook --check-range v2
	assert_status 0
	run_sghook --check-range v1..HEAD
	assert_status 0
}

@test "a message line that ends with sghook:allow passes --check-range" {
	plant notes.txt 'clean
' "docs: the token shape is $TOKEN  # sghook:allow"
	run_sghook --check-range "$BASE..HEAD"
	assert_status 0
	# The marker allows its own line only.
	plant more.txt 'clean
' "docs: the token shape is $TOKEN"
	run_sghook --check-range "$BASE..HEAD" --format json
	assert_status 1
	assert_json "length == 1 and .[0].commit == \"$(rev)\""
}

@test "a message finding's fingerprint is that of (rule, commit-message, secret), and --baseline accepts it" {
	plant notes.txt 'clean
' "leak $TOKEN"
	run_sghook --check-range "$BASE..HEAD" --format json
	assert_status 1
	assert_json ".[0].fingerprint == \"$(message_fingerprint commit-message "$TOKEN")\""
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/baseline.json"
	# The same message amended into another commit keeps its fingerprint.
	printf 'more\n' >more.txt
	git add more.txt
	git commit -q --amend --no-verify -m "leak $TOKEN"
	run_sghook --check-range "$BASE..HEAD" --baseline "$BATS_TEST_TMPDIR/baseline.json"
	assert_status 0
}

@test "the .sghookignore of a commit's tree allows its message finding by fingerprint" {
	plant notes.txt 'clean
' "a false positive: $TOKEN"
	run_sghook --check-range "$BASE..HEAD"
	assert_status 1
	git rm -q notes.txt
	plant .sghookignore "$(message_fingerprint commit-message "$TOKEN")
" "a false positive: $TOKEN"
	run_sghook --check-range HEAD~1..HEAD
	assert_status 0
}

@test "a message finding in SARIF is SARIF 2.1.0 with a logical location that names the commit" {
	plant notes.txt 'clean
' "leak $TOKEN"
	run_sghook --check-range "$BASE..HEAD" --format sarif
	assert_status 1
	assert_json '.version == "2.1.0" and (.runs[0].results | length == 1)'
	assert_json ".runs[0].results[0].locations[0].logicalLocations[0].fullyQualifiedName == \"$(rev):commit-message\""
	assert_json '.runs[0].results[0].locations[0] | has("physicalLocation") | not'
	assert_json '.runs[0].results[0].properties.source == "commit-message" and .runs[0].results[0].properties.line == 1'
	assert_not_leaked "$TOKEN"
}

# ------------------------------------------------------------ commit-msg

@test "git commit -m with a token in the message is refused by commit-msg, and the command it gives commits the message once edited" {
	install_commit_msg_hook "$REPO"
	printf 'clean\n' >a.txt
	git add a.txt
	try_commit "deploy staging with $TOKEN"
	assert_status 1
	assert_stderr_contains "sghook: commit refused: its message holds 1 secret"
	assert_stderr_contains "  (commit message):1  segment-public-api-token"
	assert_equal "$(head_id)" "$HEAD_BEFORE" "HEAD must not move"
	assert_stderr_contains "the commit was not made"
	assert_stderr_contains "git kept
the message in .git/COMMIT_EDITMSG"
	assert_stderr_contains "  git commit -e -F .git/COMMIT_EDITMSG"
	assert_not_leaked "$TOKEN"
	grep -qF -- "$TOKEN" .git/COMMIT_EDITMSG
	# The given command, with an editor that takes the token out.
	GIT_EDITOR="sed -i s/$TOKEN/REMOVED/" run git commit -e -F .git/COMMIT_EDITMSG
	assert_status 0
	assert_equal "$(git log -1 --format=%B)" "deploy staging with REMOVED"
	assert_equal "$(git diff --name-only HEAD~1 HEAD)" "a.txt"
}

@test "git's comment lines are not part of the message; with core.commentChar set, a # line is" {
	install_commit_msg_hook "$REPO"
	printf 'clean\n' >a.txt
	git add a.txt
	GIT_EDITOR=$(message_editor "subject\n# an old note: $TOKEN\n") run git commit
	assert_status 0
	assert_equal "$(git log -1 --format=%s)" "subject"
	git config core.commentChar ';'
	printf 'clean\n' >b.txt
	git add b.txt
	HEAD_BEFORE=$(head_id)
	GIT_EDITOR=$(message_editor "subject\n#$TOKEN\n") run --separate-stderr git commit
	assert_status 1
	assert_stderr_contains "  (commit message):2  "
	assert_equal "$(head_id)" "$HEAD_BEFORE"
}

@test "what git commit -v puts below the scissors line is not the message, and the advice keeps -v" {
	install_commit_msg_hook "$REPO"
	# The file's token is allowed for the file by a glob, which no
	# message line matches: only the diff of -v holds it.
	plant .sghookignore 'fixtures/*
'
	mkdir fixtures
	printf 'SEGMENT_API_TOKEN=%s\n' "$TOKEN" >fixtures/sample.env
	git add fixtures/sample.env
	GIT_EDITOR=$(message_editor 'add the fixture\n') run git commit -v
	assert_status 0
	assert_equal "$(git log -1 --format=%B)" "add the fixture"
	printf 'clean\n' >a.txt
	git add a.txt
	HEAD_BEFORE=$(head_id)
	GIT_EDITOR=$(message_editor "use $TOKEN\n") run --separate-stderr git commit -v
	assert_status 1
	assert_stderr_contains "  git commit -v -e -F .git/COMMIT_EDITMSG"
	GIT_EDITOR="sed -i 1s/$TOKEN/REMOVED/" run git commit -v -e -F .git/COMMIT_EDITMSG
	assert_status 0
	assert_equal "$(git log -1 --format=%B)" "use REMOVED"
}

@test "a message line that ends with sghook:allow, or a fingerprint in the staged .sghookignore, lets the commit through" {
	install_commit_msg_hook "$REPO"
	printf 'clean\n' >a.txt
	git add a.txt
	try_commit "the shape is $TOKEN"
	assert_status 1
	try_commit "the shape is $TOKEN  # sghook:allow"
	assert_commit_accepted
	message_fingerprint commit-message "$TOKEN" >.sghookignore
	git add .sghookignore
	try_commit "again $TOKEN"
	assert_commit_accepted
}

@test "--commit-msg without its file, or with one it cannot read, is an error on one line" {
	run_sghook --commit-msg
	assert_status 2
	assert_one_error_line
	run_sghook --commit-msg "$BATS_TEST_TMPDIR/none"
	assert_status 2
	assert_one_error_line
	assert_stderr_contains "cannot read $BATS_TEST_TMPDIR/none"
}
