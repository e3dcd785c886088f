#!/usr/bin/env bats
# install.sh beside hook managers: husky and lefthook (the real npm
# packages) and a team hooks folder tracked in git. sghook goes into the
# manager's own files, as a line that runs sghook from PATH, and stays there
# when the manager rewrites its hooks.

bats_require_minimum_version 1.5.0

load 'helpers/server'
load 'helpers/npm'

setup_file() {
	npm_setup_file
}

setup() {
	setup_git_env
	R="$BATS_TEST_TMPDIR/repo"
	git init -q "$R"
	commit_file "$R" README.md "hello"
	TOKEN=$(new_token)
	LOG="$BATS_TEST_TMPDIR/manager.log"
	# The shared line runs sghook from PATH, as a teammate's machine would.
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	ln -s "$SGHOOK" "$BATS_TEST_TMPDIR/bin/sghook"
	export PATH="$BATS_TEST_TMPDIR/bin:$(path_without_sghook)"
}

stage_leak() {
	printf 'SEGMENT_API_TOKEN=%s\n' "$TOKEN" >"$R/segment.env"
	git -C "$R" add segment.env
}
stage_clean() {
	echo "clean $1" >"$R/clean-$1.txt"
	git -C "$R" add "clean-$1.txt"
}
# Nothing under .git holds a path of this machine's sghook.
assert_no_machine_path() {
	! grep -rqF -- "$SGHOOK_SRC" "$R/.git/hooks" "$R/.husky" "$R/.githooks" "$R"/lefthook.yml 2>/dev/null ||
		fail_with "a hook holds this machine's path $SGHOOK_SRC"
}

# ------------------------------------------------------------ husky

@test "husky v9: install.sh adds sghook to .husky/pre-commit, and it still runs after npm install rewrites .husky/_" {
	need_npm
	cd "$R"
	npm_project "$R"
	run npx --no-install husky init
	assert_status 0
	assert_equal "$(git config core.hooksPath)" ".husky/_"
	printf 'echo husky-pre-commit >>"%s"\n' "$LOG" >.husky/pre-commit
	run "$INSTALL_SH" "$R"
	assert_status 0
	assert_output_contains "added a line that runs sghook to $R/.husky/pre-commit"
	[ ! -e .husky/_/pre-commit.sghook-chained ] || fail_with "install.sh wrote into .husky/_"
	grep -qxF 'sghook --pre-commit || exit $?  # sghook-managed-line' .husky/pre-commit
	assert_no_machine_path
	git add .husky package.json .gitignore
	git commit -q -m "husky with sghook"
	# what wiped sghook's hook before: every npm install runs husky again
	rm -rf .husky/_
	run npm install --prefer-offline --no-audit --no-fund
	assert_status 0
	[ -f .husky/_/pre-commit ] || fail_with "npm install did not run husky"

	stage_leak
	local before ran
	before=$(head_of "$R")
	ran=$(grep -c husky-pre-commit "$LOG")
	run git commit -m leak
	assert_status 1
	assert_output_contains "segment.env:1"
	assert_equal "$(head_of "$R")" "$before"
	# the team's own husky line ran as well, once
	assert_equal "$(grep -c husky-pre-commit "$LOG")" "$((ran + 1))"
	git rm -q --cached segment.env
	stage_clean a
	run git commit -m clean
	assert_status 0
	# twice changes nothing; --uninstall takes the line out again
	run "$INSTALL_SH" "$R"
	assert_output_contains "already runs sghook"
	assert_equal "$(grep -c sghook-managed-line .husky/pre-commit)" 1
	run "$INSTALL_SH" --uninstall "$R"
	assert_status 0
	assert_equal "$(cat .husky/pre-commit)" "echo husky-pre-commit >>\"$LOG\""
}

@test "husky v9: a pre-push line gets git's arguments and stdin" {
	need_npm
	cd "$R"
	npm_project "$R"
	npx --no-install husky init >/dev/null
	rm .husky/pre-commit
	new_server app
	git remote add origin "$SRV/app.git"
	git push -q origin main 2>/dev/null
	run "$INSTALL_SH" --pre-push "$R"
	assert_status 0
	assert_output_contains "created $R/.husky/pre-push"
	printf 'SEGMENT_API_TOKEN=%s\n' "$TOKEN" >segment.env
	git add segment.env
	git commit -q --no-verify -m leak
	run git push origin main
	assert_status 1
	assert_output_contains "segment.env:1"
	assert_output_contains "push refused"
}

# ------------------------------------------------------------ lefthook

@test "lefthook: install.sh adds sghook to lefthook.yml's pre-commit commands, and lefthook install keeps it" {
	need_npm
	cd "$R"
	npm_project "$R"
	cat >lefthook.yml <<YML
# the team's hooks
pre-commit:
  parallel: true
  commands:
    log:
      run: echo lefthook-pre-commit >>"$LOG"
YML
	run node_modules/.bin/lefthook install
	assert_status 0
	run "$INSTALL_SH" "$R"
	assert_status 0
	assert_output_contains "added sghook to $R/lefthook.yml"
	assert_output_contains "ran lefthook install"
	assert_no_machine_path
	run node_modules/.bin/lefthook dump
	assert_output_contains "run: sghook --pre-commit"
	assert_output_contains "run: echo lefthook-pre-commit"
	git add lefthook.yml package.json package-lock.json .gitignore
	git commit -q -m "lefthook with sghook"
	# what moved sghook's hook aside before
	run node_modules/.bin/lefthook install
	assert_status 0

	stage_leak
	local before
	before=$(head_of "$R")
	run git commit -m leak
	assert_status 1
	assert_output_contains "segment.env:1"
	assert_equal "$(head_of "$R")" "$before"
	grep -q lefthook-pre-commit "$LOG"
	git rm -q --cached segment.env
	stage_clean a
	run git commit -m clean
	assert_status 0
	run "$INSTALL_SH" --uninstall "$R"
	assert_status 0
	run node_modules/.bin/lefthook dump
	assert_output_not_contains "sghook"
	assert_output_contains "run: echo lefthook-pre-commit"
}

@test "lefthook: a lefthook.yml without pre-commit gets one, and sghook runs" {
	need_npm
	cd "$R"
	npm_project "$R"
	printf 'pre-push:\n  commands:\n    test:\n      run: "true"\n' >lefthook.yml
	run "$INSTALL_SH" "$R"
	assert_status 0
	grep -q "^pre-commit:  # sghook-managed-line$" lefthook.yml
	run node_modules/.bin/lefthook install
	assert_status 0
	stage_leak
	run git commit -m leak
	assert_status 1
	assert_output_contains "segment.env:1"
}

@test "lefthook: a config install.sh cannot edit is refused with the recipe, and left as it was" {
	cd "$R"
	printf 'pre-commit:\n  jobs:\n    - run: "true"\n' >lefthook.yml
	local before
	before=$(cat lefthook.yml)
	run --separate-stderr "$INSTALL_SH" "$R"
	assert_status 1
	assert_stderr_contains "has no commands: list"
	assert_stderr_contains "run: sghook --pre-commit"
	assert_stderr_contains "lefthook install"
	assert_equal "$(cat lefthook.yml)" "$before"
	[ ! -e .git/hooks/pre-commit ]
}

@test "the README's lefthook recipe, as written, refuses a commit and a push that add a token" {
	need_npm
	cd "$R"
	npm_project "$R"
	# the YAML block of README.md's lefthook recipe
	sed -n '/^  ```yaml$/,/^  ```$/p' "$SGHOOK_SRC/README.md" | sed '1d;$d' | sed 's/^  //' >lefthook.yml
	grep -q "run: sghook --pre-push" lefthook.yml
	run node_modules/.bin/lefthook install
	assert_status 0
	new_server app
	git remote add origin "$SRV/app.git"
	git push -q origin main 2>/dev/null
	stage_leak
	run git commit -m leak
	assert_status 1
	assert_output_contains "segment.env:1"
	git commit -q --no-verify -m leak
	run git push origin main
	assert_status 1
	assert_output_contains "push refused"
	assert_equal "$(server_ref app refs/heads/main)" "$(git rev-parse HEAD~1)"
}

@test "the README's husky line, as written, refuses a commit" {
	need_npm
	cd "$R"
	npm_project "$R"
	npx --no-install husky init >/dev/null
	grep -o '`sghook --pre-commit || exit $?`' "$SGHOOK_SRC/README.md" | head -n 1 | tr -d '`' >.husky/pre-commit
	[ "$(cat .husky/pre-commit)" = 'sghook --pre-commit || exit $?' ]
	stage_leak
	run git commit -m leak
	assert_status 1
	assert_output_contains "segment.env:1"
}

@test "install.sh --pre-push with lefthook passes git's refs on to sghook (use_stdin)" {
	need_npm
	cd "$R"
	npm_project "$R"
	printf 'pre-push:\n  commands:\n    test:\n      run: "true"\n' >lefthook.yml
	run "$INSTALL_SH" --pre-push "$R"
	assert_status 0
	grep -q "use_stdin: true" lefthook.yml
	new_server app
	git remote add origin "$SRV/app.git"
	git push -q origin main 2>/dev/null
	stage_leak
	git commit -q --no-verify -m leak
	run git push origin main
	assert_status 1
	assert_output_contains "segment.env:1"
}

# ------------------------------------------------------------ a tracked hooks folder

@test "a team hooks folder tracked in git gets a line in its hook: no untracked file, no machine path" {
	cd "$R"
	mkdir .githooks
	printf '#!/bin/sh\necho team-pre-commit >>"%s"\n' "$LOG" >.githooks/pre-commit
	chmod +x .githooks/pre-commit
	git add .githooks
	git commit -q -m "team hooks"
	git config core.hooksPath .githooks
	run "$INSTALL_SH" "$R"
	assert_status 0
	assert_output_contains "added a line that runs sghook to $R/.githooks/pre-commit"
	assert_output_contains "is tracked in git"
	# the tracked file changed; nothing untracked appeared
	assert_equal "$(git status --porcelain)" " M .githooks/pre-commit"
	assert_no_machine_path
	stage_leak
	local before
	before=$(head_of "$R")
	run git commit -m leak
	assert_status 1
	assert_output_contains "segment.env:1"
	assert_equal "$(head_of "$R")" "$before"
	grep -q team-pre-commit "$LOG"
	# a teammate without sghook is refused too, not let through
	git rm -q --cached segment.env
	stage_clean a
	PATH=$(path_without_sghook) run git commit -m clean
	assert_status 1
	assert_output_contains "sghook: not found"
	assert_equal "$(head_of "$R")" "$before"
	run git commit -m clean
	assert_status 0
	run "$INSTALL_SH" --uninstall "$R"
	assert_status 0
	rm segment.env
	assert_equal "$(git status --porcelain)" ""
}

@test "a tracked hook install.sh cannot extend (not sh, or ending in exit) is refused with the recipe" {
	cd "$R"
	mkdir .githooks
	printf '#!/usr/bin/env python3\nprint("hi")\n' >.githooks/pre-commit
	printf '#!/bin/sh\nnpm test\nexit 0\n' >.githooks/pre-push
	chmod +x .githooks/*
	git add .githooks
	git commit -q -m "team hooks"
	git config core.hooksPath .githooks
	run --separate-stderr "$INSTALL_SH" "$R"
	assert_status 1
	assert_stderr_contains "is not a shell script"
	assert_stderr_contains "sghook --pre-commit || exit \$?"
	run --separate-stderr "$INSTALL_SH" --pre-push "$R"
	assert_status 1
	assert_stderr_contains "ends with exit or exec"
	assert_stderr_contains 'sghook --pre-push "$@" || exit $?'
	assert_equal "$(git status --porcelain)" ""
}
