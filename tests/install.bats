#!/usr/bin/env bats
# install.sh and the hook scripts: installing, chaining, idempotence, uninstall,
# layouts (core.hooksPath, --server, --gitlab, --global), failing closed.

bats_require_minimum_version 1.5.0

load 'helpers/server'

setup() {
	setup_git_env
	R="$BATS_TEST_TMPDIR/repo"
	git init -q "$R"
	commit_file "$R" README.md "hello"
	BASE=$(head_of "$R")
	TOKEN=$(new_token)
	LOG="$BATS_TEST_TMPDIR/chained.log"
}

# stage a leak in work tree $1 (not committed)
stage_leak() {
	mkdir -p "$1/config"
	printf '# analytics settings\nSEGMENT_API_TOKEN=%s\n' "$TOKEN" >"$1/config/segment.env"
	git -C "$1" add config/segment.env
}
stage_clean() {
	printf 'clean %s\n' "${2:-x}" >"$1/clean-${2:-x}.txt"
	git -C "$1" add "clean-${2:-x}.txt"
}

# a previous hook that logs its name, arguments and stdin, and exits $PREV_EXIT (default 0)
write_prev_hook() {
	local path=$1 name=$2
	mkdir -p "$(dirname "$path")"
	cat >"$path" <<EOF
#!/bin/sh
echo "$name ran args=[\$*]" >>"$LOG"
if [ "$name" = pre-push ] || [ "$name" = pre-receive ]; then cat >>"$LOG"; fi
exit \${PREV_EXIT:-0}
EOF
	chmod 0755 "$path"
}

@test "install.sh installs a pre-commit hook that blocks a leaked token and lets clean work through" {
	cd "$R"
	run "$INSTALL_SH"
	assert_status 0
	assert_output_contains "installed $R/.git/hooks/pre-commit"
	[ -x "$R/.git/hooks/pre-commit" ]
	grep -qxF "SGHOOK='$SGHOOK'" "$R/.git/hooks/pre-commit"

	stage_leak "$R"
	run git commit -m "leak"
	assert_status 1
	assert_output_contains "config/segment.env:2"
	assert_output_contains "segment-public-api-token"
	assert_output_not_contains "$TOKEN"
	assert_equal "$(head_of "$R")" "$BASE"

	git rm -q --cached config/segment.env
	stage_clean "$R" a
	run git commit -m "clean"
	assert_status 0
	[ "$(head_of "$R")" != "$BASE" ]
}

@test "the installed pre-commit hook judges what git commit -a and git commit FILE would commit" {
	"$INSTALL_SH" "$R" >/dev/null
	printf 'SEGMENT_API_TOKEN=%s\n' "$TOKEN" >>"$R/README.md"
	# nothing staged: the leak is only in the temporary index of commit -a
	run git -C "$R" commit -a -m "leak via -a"
	assert_status 1
	assert_output_contains "README.md:2"
	run git -C "$R" commit -m "leak via pathspec" README.md
	assert_status 1
	assert_output_contains "README.md:2"
	assert_equal "$(head_of "$R")" "$BASE"
}

@test "install.sh keeps an existing pre-commit hook, runs it first, and it can still fail the commit" {
	write_prev_hook "$R/.git/hooks/pre-commit" pre-commit
	local orig
	orig=$(sha256sum <"$R/.git/hooks/pre-commit")
	run "$INSTALL_SH" "$R"
	assert_status 0
	assert_output_contains "kept the existing hook as $R/.git/hooks/pre-commit.sghook-chained"
	assert_equal "$(sha256sum <"$R/.git/hooks/pre-commit.sghook-chained")" "$orig"

	# clean commit: the old hook runs, the commit is made
	stage_clean "$R" a
	run git -C "$R" commit -m "clean"
	assert_status 0
	assert_equal "$(cat "$LOG")" "pre-commit ran args=[]"

	# the old hook still vetoes
	stage_clean "$R" b
	local before
	before=$(head_of "$R")
	PREV_EXIT=3 run git -C "$R" commit -m "vetoed"
	assert_status 1
	assert_output_matches "^sghook: pre-commit hook: chained hook .*hooks/pre-commit\.sghook-chained failed \(exit 3\)$"
	assert_equal "$(head_of "$R")" "$before"

	# and sghook still blocks a leak after the old hook passed
	stage_leak "$R"
	run git -C "$R" commit -m "leak"
	assert_status 1
	assert_output_contains "segment-public-api-token"
	assert_equal "$(head_of "$R")" "$before"
}

@test "install.sh installs a commit-msg hook beside pre-commit, which refuses a token in the commit message" {
	run "$INSTALL_SH" "$R"
	assert_status 0
	assert_output_contains "installed $R/.git/hooks/commit-msg"
	[ -x "$R/.git/hooks/commit-msg" ]
	grep -qxF "SGHOOK='$SGHOOK'" "$R/.git/hooks/commit-msg"
	stage_clean "$R" a
	run git -C "$R" commit -m "deploy staging with $TOKEN"
	assert_status 1
	assert_output_contains "(commit message):1"
	assert_output_not_contains "$TOKEN"
	assert_equal "$(head_of "$R")" "$BASE"
	run git -C "$R" commit -m "deploy staging"
	assert_status 0
	[ "$(head_of "$R")" != "$BASE" ]
}

@test "install.sh keeps an existing commit-msg hook, runs it first with the message file, and --uninstall restores it" {
	write_prev_hook "$R/.git/hooks/commit-msg" commit-msg
	local before
	before=$(snapshot "$R/.git/hooks")
	run "$INSTALL_SH" "$R"
	assert_status 0
	assert_output_contains "kept the existing hook as $R/.git/hooks/commit-msg.sghook-chained"
	stage_clean "$R" a
	run git -C "$R" commit -m "clean message"
	assert_status 0
	assert_equal "$(cat "$LOG")" "commit-msg ran args=[.git/COMMIT_EDITMSG]"
	# the old hook still vetoes, and sghook refuses what it lets through
	stage_clean "$R" b
	local head
	head=$(head_of "$R")
	PREV_EXIT=3 run git -C "$R" commit -m "vetoed"
	assert_status 1
	assert_output_contains "sghook: commit-msg hook: chained hook .git/hooks/commit-msg.sghook-chained failed (exit 3)"
	run git -C "$R" commit -m "leak $TOKEN"
	assert_status 1
	assert_output_contains "(commit message):1"
	assert_equal "$(head_of "$R")" "$head"
	run "$INSTALL_SH" --uninstall "$R"
	assert_status 0
	assert_output_contains "restored the previous hook at $R/.git/hooks/commit-msg"
	assert_equal "$(snapshot "$R/.git/hooks")" "$before"
	run git -C "$R" commit -m "leak $TOKEN"
	assert_status 0
}

@test "install.sh --global installs commit-msg: a token in a message is refused, and the repository's own commit-msg still runs" {
	write_logging_hook "$R" commit-msg
	run "$INSTALL_SH" --global
	assert_status 0
	local G="$HOME/.config/sghook/hooks"
	grep -q "^# sghook-managed-hook: pre-commit" "$G/commit-msg" ||
		fail_with "$G/commit-msg is not sghook's hook"
	stage_clean "$R" a
	run git -C "$R" commit -m "leak $TOKEN"
	assert_status 1
	assert_output_contains "(commit message):1"
	assert_equal "$(cat "$LOG")" "commit-msg ran args=[.git/COMMIT_EDITMSG]"
	assert_equal "$(head_of "$R")" "$BASE"
	run git -C "$R" commit -m "clean"
	assert_status 0
	run "$INSTALL_SH" --global --uninstall
	assert_status 0
	[ ! -e "$HOME/.config/sghook" ]
}

@test "running install.sh twice gives the same result and chains the old hook only once" {
	write_prev_hook "$R/.git/hooks/pre-commit" pre-commit
	"$INSTALL_SH" "$R" >/dev/null
	local first
	first=$(snapshot "$R/.git/hooks")
	run "$INSTALL_SH" "$R"
	assert_status 0
	assert_output_contains "already installed"
	assert_equal "$(snapshot "$R/.git/hooks")" "$first"
	[ ! -e "$R/.git/hooks/pre-commit.sghook-chained.sghook-chained" ]
	stage_clean "$R" a
	git -C "$R" commit -q -m "clean"
	# the old hook ran exactly once
	assert_equal "$(cat "$LOG")" "pre-commit ran args=[]"
}

@test "install.sh --uninstall restores the original hook exactly (content and mode)" {
	write_prev_hook "$R/.git/hooks/pre-commit" pre-commit
	chmod 0750 "$R/.git/hooks/pre-commit"
	local before
	before=$(snapshot "$R/.git/hooks")
	"$INSTALL_SH" "$R" >/dev/null
	"$INSTALL_SH" "$R" >/dev/null
	run "$INSTALL_SH" --uninstall "$R"
	assert_status 0
	assert_output_contains "restored the previous hook at $R/.git/hooks/pre-commit"
	assert_equal "$(snapshot "$R/.git/hooks")" "$before"
	# a second uninstall changes nothing and leaves the restored hook alone
	run "$INSTALL_SH" --uninstall "$R"
	assert_status 0
	assert_output_contains "not an sghook hook; left untouched"
	assert_equal "$(snapshot "$R/.git/hooks")" "$before"
	# the leak is no longer blocked: the hook really is gone
	stage_leak "$R"
	run git -C "$R" commit -m "leak"
	assert_status 0
}

@test "install.sh --uninstall without a previous hook leaves the hooks directory as it was" {
	local before
	before=$(snapshot "$R/.git")
	"$INSTALL_SH" "$R" >/dev/null
	"$INSTALL_SH" --pre-push "$R" >/dev/null
	[ -x "$R/.git/hooks/pre-push" ]
	"$INSTALL_SH" --uninstall --pre-commit --pre-push "$R" >/dev/null
	assert_equal "$(snapshot "$R/.git")" "$before"
}

@test "install.sh honours a relative core.hooksPath and uninstall removes the directory it created" {
	git -C "$R" config core.hooksPath .githooks
	mkdir -p "$R/sub"
	cd "$R/sub"
	run "$INSTALL_SH"
	assert_status 0
	[ -x "$R/.githooks/pre-commit" ]
	[ ! -e "$R/.git/hooks/pre-commit" ]
	cd "$R"
	stage_leak "$R"
	run git commit -m "leak"
	assert_status 1
	assert_output_contains "segment-public-api-token"
	assert_equal "$(head_of "$R")" "$BASE"
	run "$INSTALL_SH" --uninstall "$R"
	assert_status 0
	[ ! -e "$R/.githooks" ]
}

@test "install.sh honours an absolute core.hooksPath that already holds a hook, and chains it" {
	local H="$BATS_TEST_TMPDIR/shared-hooks"
	write_prev_hook "$H/pre-commit" pre-commit
	git -C "$R" config core.hooksPath "$H"
	local before
	before=$(snapshot "$H")
	run "$INSTALL_SH" "$R"
	assert_status 0
	[ -f "$H/pre-commit.sghook-chained" ]
	stage_leak "$R"
	run git -C "$R" commit -m "leak"
	assert_status 1
	assert_equal "$(cat "$LOG")" "pre-commit ran args=[]"
	"$INSTALL_SH" --uninstall "$R" >/dev/null
	assert_equal "$(snapshot "$H")" "$before"
}

@test "install.sh --server chains an existing pre-receive hook, which gets the same stdin as sghook" {
	new_server app
	write_prev_hook "$SRV/app.git/hooks/pre-receive" pre-receive
	run "$INSTALL_SH" --server "$SRV/app.git"
	assert_status 0
	[ -x "$SRV/app.git/hooks/pre-receive" ]
	[ -f "$SRV/app.git/hooks/pre-receive.sghook-chained" ]

	run git -C "$R" push "$SRV/app.git" main
	assert_status 0
	assert_equal "$(cat "$LOG")" "pre-receive ran args=[]
0000000000000000000000000000000000000000 $BASE refs/heads/main"

	: >"$LOG"
	stage_leak "$R"
	git -C "$R" commit -q -m leak
	run git -C "$R" push "$SRV/app.git" main
	assert_status 1
	assert_output_contains "pre-receive hook declined"
	assert_output_contains "config/segment.env:2"
	assert_equal "$(cat "$LOG")" "pre-receive ran args=[]
$BASE $(head_of "$R") refs/heads/main"
	assert_equal "$(server_ref app refs/heads/main)" "$BASE"
}

@test "install.sh --pre-push chains an existing pre-push hook with the same arguments and stdin" {
	new_server app
	git -C "$R" remote add origin "$SRV/app.git"
	git -C "$R" push -q origin main 2>/dev/null
	write_prev_hook "$R/.git/hooks/pre-push" pre-push
	run "$INSTALL_SH" --pre-push "$R"
	assert_status 0
	stage_leak "$R"
	git -C "$R" commit -q -m leak
	local bad
	bad=$(head_of "$R")
	run git -C "$R" push origin main
	assert_status 1
	assert_output_contains "config/segment.env:2"
	assert_equal "$(cat "$LOG")" "pre-push ran args=[origin $SRV/app.git]
refs/heads/main $bad refs/heads/main $BASE"
	assert_equal "$(server_ref app refs/heads/main)" "$BASE"
}

@test "install.sh --gitlab installs custom_hooks/pre-receive.d/sghook, which refuses a leak" {
	new_server gl
	local before
	before=$(snapshot "$SRV/gl.git")
	run "$INSTALL_SH" --gitlab "$SRV/gl.git"
	assert_status 0
	[ -x "$SRV/gl.git/custom_hooks/pre-receive.d/sghook" ]
	[ ! -e "$SRV/gl.git/hooks/pre-receive" ]
	# pre-receive.d holds our hook only (GitLab runs every file in it)
	assert_equal "$(ls -A "$SRV/gl.git/custom_hooks/pre-receive.d")" sghook

	# put objects in the repository without a ref, then feed the hook as GitLab would
	stage_leak "$R"
	git -C "$R" commit -q -m leak
	local bad
	bad=$(head_of "$R")
	git -C "$R" push -q "$SRV/gl.git" "main:refs/tmp/x" 2>/dev/null
	git --git-dir="$SRV/gl.git" update-ref -d refs/tmp/x
	cd "$SRV/gl.git"
	run custom_hooks/pre-receive.d/sghook <<<"0000000000000000000000000000000000000000 $bad refs/heads/main"
	assert_status 1
	assert_output_contains "config/segment.env:2"
	run custom_hooks/pre-receive.d/sghook <<<"0000000000000000000000000000000000000000 $BASE refs/heads/main"
	assert_status 0

	run "$INSTALL_SH" --gitlab --uninstall "$SRV/gl.git"
	assert_status 0
	[ ! -e "$SRV/gl.git/custom_hooks" ]
	git --git-dir="$SRV/gl.git" prune
	assert_equal "$(snapshot "$SRV/gl.git" | grep -v -e ' ./objects' -e ' ./refs/tmp')" \
		"$(grep -v -e ' ./objects' -e ' ./refs/tmp' <<<"$before")"
}

@test "install.sh --gitlab never overwrites a foreign pre-receive.d/sghook" {
	new_server gl
	mkdir -p "$SRV/gl.git/custom_hooks/pre-receive.d"
	printf '#!/bin/sh\nexit 0\n' >"$SRV/gl.git/custom_hooks/pre-receive.d/sghook"
	local before
	before=$(snapshot "$SRV/gl.git/custom_hooks")
	run "$INSTALL_SH" --gitlab "$SRV/gl.git"
	assert_status 1
	assert_output_contains "refusing to overwrite"
	assert_equal "$(snapshot "$SRV/gl.git/custom_hooks")" "$before"
}

@test "install.sh --global scans every repository and each repository's own hook still runs" {
	run "$INSTALL_SH" --global
	assert_status 0
	local G="$HOME/.config/sghook/hooks"
	assert_equal "$(git config --global core.hooksPath)" "$G"
	[ -x "$G/pre-commit" ]

	write_prev_hook "$R/.git/hooks/pre-commit" pre-commit
	stage_clean "$R" a
	run git -C "$R" commit -m clean
	assert_status 0
	assert_equal "$(cat "$LOG")" "pre-commit ran args=[]"
	local after_clean
	after_clean=$(head_of "$R")

	stage_clean "$R" b
	PREV_EXIT=4 run git -C "$R" commit -m vetoed
	assert_status 1
	assert_equal "$(head_of "$R")" "$after_clean"

	stage_leak "$R"
	run git -C "$R" commit -m leak
	assert_status 1
	assert_output_contains "segment-public-api-token"
	assert_equal "$(head_of "$R")" "$after_clean"

	# a repository without hooks of its own is covered too
	git init -q "$BATS_TEST_TMPDIR/other"
	stage_leak "$BATS_TEST_TMPDIR/other"
	run git -C "$BATS_TEST_TMPDIR/other" commit -m leak
	assert_status 1
	assert_output_contains "segment-public-api-token"
}

@test "install.sh --global twice, then --global --uninstall, leaves no trace" {
	"$INSTALL_SH" --global >/dev/null
	local first
	first=$(snapshot "$HOME")
	run "$INSTALL_SH" --global
	assert_status 0
	assert_equal "$(snapshot "$HOME")" "$first"
	run "$INSTALL_SH" --global --uninstall
	assert_status 0
	run git config --global core.hooksPath
	assert_status 1
	run git config --global sghook.installedHooksPath
	assert_status 1
	[ ! -e "$HOME/.config/sghook" ]
	stage_leak "$R"
	run git -C "$R" commit -m leak
	assert_status 0
}

@test "a pre-commit hook whose sghook binary is gone fails closed with a clear message" {
	mkdir -p "$BATS_TEST_TMPDIR/gone"
	cp "$SGHOOK" "$BATS_TEST_TMPDIR/gone/sghook"
	SGHOOK="$BATS_TEST_TMPDIR/gone/sghook" "$INSTALL_SH" "$R" >/dev/null
	rm "$BATS_TEST_TMPDIR/gone/sghook"
	stage_clean "$R" a
	PATH=$(path_without_sghook) run git -C "$R" commit -m "clean but unscanned"
	assert_status 1
	assert_output_contains "sghook: pre-commit hook: sghook binary not found (not at $BATS_TEST_TMPDIR/gone/sghook and not in PATH); refusing the commit"
	assert_equal "$(head_of "$R")" "$BASE"
}

@test "the hook falls back to sghook in PATH when the baked-in path is gone" {
	mkdir -p "$BATS_TEST_TMPDIR/gone" "$BATS_TEST_TMPDIR/bin"
	cp "$SGHOOK" "$BATS_TEST_TMPDIR/gone/sghook"
	SGHOOK="$BATS_TEST_TMPDIR/gone/sghook" "$INSTALL_SH" "$R" >/dev/null
	rm "$BATS_TEST_TMPDIR/gone/sghook"
	ln -s "$SGHOOK" "$BATS_TEST_TMPDIR/bin/sghook"
	stage_leak "$R"
	PATH="$BATS_TEST_TMPDIR/bin:$(path_without_sghook)" run git -C "$R" commit -m leak
	assert_status 1
	assert_output_contains "segment-public-api-token"
	assert_equal "$(head_of "$R")" "$BASE"
}

@test "install.sh refuses to clobber a foreign hook when <hook>.sghook-chained is already taken" {
	write_prev_hook "$R/.git/hooks/pre-commit" pre-commit
	printf '#!/bin/sh\nexit 0\n' >"$R/.git/hooks/pre-commit.sghook-chained"
	local before
	before=$(snapshot "$R/.git/hooks")
	run "$INSTALL_SH" "$R"
	assert_status 1
	assert_output_contains "refusing to overwrite"
	assert_equal "$(snapshot "$R/.git/hooks")" "$before"
}

@test "install.sh rejects bad usage with one line on stderr and exit 2" {
	local bare="$SRV/b.git"
	git init -q --bare "$bare"
	local args
	for args in "--bogus" "$R $BATS_TEST_TMPDIR" "--server" "--server $R" "$bare" \
		"--gitlab $R" "--global $R" "--server --gitlab $bare" "--server --pre-push $bare" \
		"$BATS_TEST_TMPDIR/does-not-exist" "$BATS_TEST_TMPDIR" "--sghook"; do
		# shellcheck disable=SC2086
		run --separate-stderr "$INSTALL_SH" $args
		[ "$status" -eq 2 ] || fail_with "install.sh $args: expected exit 2, got $status ($stderr)"
		[ "${#stderr_lines[@]}" -eq 1 ] || fail_with "install.sh $args: expected one line on stderr, got: $stderr"
		[[ ${stderr_lines[0]} == "install.sh: "* ]] || fail_with "install.sh $args: bad message: $stderr"
	done
	# nothing was installed anywhere
	[ ! -e "$R/.git/hooks/pre-commit" ]
	[ ! -e "$bare/hooks/pre-receive" ]
}

@test "install.sh --help prints usage and exits 0" {
	run "$INSTALL_SH" --help
	assert_status 0
	assert_output_contains "Usage: install.sh"
	assert_output_contains "--server BARE.git"
	assert_output_contains "--gitlab BARE.git"
	assert_output_contains "--global"
	assert_output_contains "--uninstall"
}

@test "install.sh builds and installs sghook from the source tree when none is found" {
	[ -f "$SGHOOK_SRC/Makefile" ] || skip "no Makefile in the build tree"
	local src="$BATS_TEST_TMPDIR/src" prefix="$BATS_TEST_TMPDIR/prefix"
	mkdir -p "$src"
	tar -C "$SGHOOK_SRC" --exclude=.git --exclude=./sghook --exclude='*.o' --exclude='*.a' \
		--exclude=./tests --exclude=./build -cf - . | tar -C "$src" -xf -
	# libgit2 as `make` left it: building it again is `make`'s own test.
	if [ -d "$SGHOOK_SRC/build/libgit2/prefix" ]; then
		mkdir -p "$src/build/libgit2"
		cp -a "$SGHOOK_SRC/build/libgit2/prefix" "$src/build/libgit2/"
	fi
	[ ! -e "$src/sghook" ]
	SGHOOK='' PATH=$(path_without_sghook) run "$src/install.sh" --prefix "$prefix" "$R"
	assert_status 0
	local expect
	if [ "$(id -u)" -eq 0 ]; then expect="$prefix/bin/sghook"; else expect="$src/sghook"; fi
	[ -x "$expect" ]
	grep -qxF "SGHOOK='$expect'" "$R/.git/hooks/pre-commit"
	stage_leak "$R"
	PATH=$(path_without_sghook) run git -C "$R" commit -m leak
	assert_status 1
	assert_output_contains "segment-public-api-token"
}

# ------------------------------------------------------------ --global and a repository's other hooks

# a hook of kind $2 in repository $1 that logs its name and arguments
write_logging_hook() {
	write_prev_hook "$1/.git/hooks/$2" "$2"
}

@test "install.sh --global keeps running each repository's own commit-msg, prepare-commit-msg, post-commit and post-checkout hooks" {
	local h
	for h in commit-msg prepare-commit-msg post-commit post-checkout post-merge; do
		write_logging_hook "$R" "$h"
	done
	run "$INSTALL_SH" --global
	assert_status 0
	assert_output_contains "run each repository's own .git/hooks/<hook>"
	stage_clean "$R" a
	run git -C "$R" commit -m clean
	assert_status 0
	grep -q "^prepare-commit-msg ran args=\[.git/COMMIT_EDITMSG message\]$" "$LOG" ||
		fail_with "prepare-commit-msg did not run: $(cat "$LOG")"
	grep -q "^commit-msg ran args=\[.git/COMMIT_EDITMSG\]$" "$LOG" || fail_with "commit-msg did not run"
	grep -q "^post-commit ran args=\[\]$" "$LOG" || fail_with "post-commit did not run"
	git -C "$R" checkout -q -b topic
	grep -q "^post-checkout ran args=\[.* .* 1\]$" "$LOG" || fail_with "post-checkout did not run"
	# the repository's commit-msg can still refuse a commit
	: >"$LOG"
	stage_clean "$R" b
	local before
	before=$(head_of "$R")
	PREV_EXIT=5 run git -C "$R" commit -m vetoed
	assert_status 1
	assert_equal "$(head_of "$R")" "$before"
	# and the pre-commit hook, sghook's, still refuses a leak
	stage_leak "$R"
	run git -C "$R" commit -m leak
	assert_status 1
	assert_output_contains "segment-public-api-token"
	# --uninstall takes every hook install.sh wrote
	run "$INSTALL_SH" --global --uninstall
	assert_status 0
	[ ! -e "$HOME/.config/sghook" ]
}

# lfs_commit REPO NAME: a new LFS object in a commit; prints its oid
lfs_commit() {
	head -c 4096 /dev/urandom >"$1/$2.bin"
	git -C "$1" add "$2.bin"
	git -C "$1" commit -q --no-verify -m "LFS object $2"
	git -C "$1" lfs ls-files -l | grep " $2.bin$" | cut -d' ' -f1
}
assert_lfs_on_server() {
	[ -n "$2" ] && [ -f "$SRV/$1.git/lfs/objects/${2:0:2}/${2:2:2}/$2" ] ||
		fail_with "LFS object '$2' did not reach the server"
}

@test "install.sh --global keeps git-lfs's hooks of a repository: a push still uploads its LFS objects" {
	command -v git-lfs >/dev/null || skip "git-lfs is not installed (tests/deps.sh installs it)"
	new_server lfs
	git -C "$R" remote add origin "$SRV/lfs.git"
	# a repository set up for LFS before sghook
	git -C "$R" lfs install --local >/dev/null
	grep -q "git lfs pre-push" "$R/.git/hooks/pre-push"
	git -C "$R" lfs track '*.bin' >/dev/null
	git -C "$R" add .gitattributes
	local oid
	oid=$(lfs_commit "$R" one)
	run "$INSTALL_SH" --global
	assert_status 0
	run git -C "$R" push origin main
	assert_status 0
	assert_lfs_on_server lfs "$oid"

	# with sghook's own pre-push too: git-lfs's runs first, and a leak is refused
	run "$INSTALL_SH" --global --pre-push
	assert_status 0
	oid=$(lfs_commit "$R" two)
	run git -C "$R" push origin main
	assert_status 0
	assert_lfs_on_server lfs "$oid"
	stage_leak "$R"
	git -C "$R" commit -q --no-verify -m leak
	run git -C "$R" push origin main
	assert_status 1
	assert_output_contains "config/segment.env:2"
}

@test "install.sh --global: a repository that starts using LFS afterwards uploads its LFS objects too" {
	command -v git-lfs >/dev/null || skip "git-lfs is not installed (tests/deps.sh installs it)"
	run "$INSTALL_SH" --global
	assert_status 0
	assert_output_contains "git lfs install --skip-repo"
	new_server lfs
	git -C "$R" remote add origin "$SRV/lfs.git"
	git -C "$R" lfs install --skip-repo >/dev/null
	git -C "$R" lfs track '*.bin' >/dev/null
	git -C "$R" add .gitattributes
	local oid
	oid=$(lfs_commit "$R" one)
	[ ! -e "$R/.git/hooks/pre-push" ]
	run git -C "$R" push origin main
	assert_status 0
	assert_lfs_on_server lfs "$oid"
	# the same with sghook's pre-push in the global directory
	run "$INSTALL_SH" --global --pre-push
	oid=$(lfs_commit "$R" two)
	run git -C "$R" push origin main
	assert_status 0
	assert_lfs_on_server lfs "$oid"
}

# ------------------------------------------------------------ a bare machine, a build tree

@test "install.sh ends by saying how to try the hook, and those commands are refused and leave nothing" {
	run --separate-stderr "$INSTALL_SH" "$R"
	assert_status 0
	assert_output_contains "To see the hook refuse a commit (nothing is committed):"
	local cmds
	cmds=$(sed -n '/To see the hook refuse/,$p' <<<"$output" | tail -n +2)
	[ "$(grep -c '' <<<"$cmds")" -eq 4 ] || fail_with "expected 4 commands, got: $cmds"
	run sh -c "$(sed -n 1,2p <<<"$cmds")
$(sed -n 3p <<<"$cmds" | sed 's/ *#.*//')"
	assert_status 1
	assert_output_contains "sghook-try.env:1  segment-public-api-token"
	assert_equal "$(head_of "$R")" "$BASE"
	sh -c "$(sed -n 1p <<<"$cmds")
$(sed -n 4p <<<"$cmds")"
	assert_equal "$(git -C "$R" status --porcelain)" ""
}

@test "install.sh without git says that git is missing, not that REPO is not a repository" {
	# a PATH with every command of this machine but git and apt-get
	local bin="$BATS_TEST_TMPDIR/nogit" d f
	mkdir -p "$bin"
	for d in /usr/local/bin /usr/bin /bin; do
		for f in "$d"/*; do
			case ${f##*/} in git | git-* | apt-get | sghook) continue ;; esac
			[ -e "$bin/${f##*/}" ] || ln -s "$f" "$bin/${f##*/}"
		done
	done
	PATH="$bin" run --separate-stderr "$INSTALL_SH" "$R"
	assert_status 1
	assert_stderr_contains "install.sh: error: git is not installed; install it first (as root on Debian: apt-get install --no-install-recommends git)"
	assert_stderr_not_contains "not a git repository"
	[ ! -e "$R/.git/hooks/pre-commit" ]
}

@test "install.sh from a build tree installs sghook under PREFIX: after the clone moves, the hook still works" {
	[ -f "$SGHOOK_SRC/Makefile" ] || skip "no Makefile in the build tree"
	local src="$BATS_TEST_TMPDIR/clone" prefix="$BATS_TEST_TMPDIR/prefix"
	mkdir -p "$src"
	tar -C "$SGHOOK_SRC" --exclude=.git --exclude=./tests --exclude=./build -cf - . | tar -C "$src" -xf -
	# libgit2 as `make` left it: building it again is `make`'s own test.
	if [ -d "$SGHOOK_SRC/build/libgit2/prefix" ]; then
		mkdir -p "$src/build/libgit2"
		cp -a "$SGHOOK_SRC/build/libgit2/prefix" "$src/build/libgit2/"
	fi
	[ -x "$src/sghook" ]
	# the clone's own binary is on PATH: a build tree all the same
	SGHOOK='' PATH="$src:$(path_without_sghook)" run "$src/install.sh" --prefix "$prefix" "$R"
	assert_status 0
	assert_output_contains "installing sghook under $prefix"
	grep -qxF "SGHOOK='$prefix/bin/sghook'" "$R/.git/hooks/pre-commit"
	[ -f "$prefix/share/sghook/rules/segment.rules" ]
	mv "$src" "$BATS_TEST_TMPDIR/moved"
	stage_clean "$R" a
	PATH=$(path_without_sghook) run git -C "$R" commit -m clean
	assert_status 0
	stage_leak "$R"
	PATH=$(path_without_sghook) run git -C "$R" commit -m leak
	assert_status 1
	assert_output_contains "segment-public-api-token"
}

@test "install.sh --sghook PATH inside the build tree says what the hook depends on" {
	run "$INSTALL_SH" --sghook "$SGHOOK" "$R"
	assert_status 0
	assert_output_contains "note: the hooks run $SGHOOK, in this build tree"
}

# ------------------------------------------------------------ GitLab: gitaly hooks set, server-wide hooks

@test "install.sh --gitlab-tar FILE writes custom_hooks/pre-receive.d/sghook for gitaly hooks set, and the hook refuses a leak" {
	local tarball="$BATS_TEST_TMPDIR/hooks.tar"
	run "$INSTALL_SH" --gitlab-tar "$tarball"
	assert_status 0
	assert_output_contains "gitaly hooks set --storage STORAGE --repository RELATIVE_PATH"
	assert_output_contains "< $tarball"
	# the layout Gitaly takes: custom_hooks/ at the root, executable hooks, no backup files
	run tar -tvf "$tarball"
	assert_status 0
	assert_equal "$(tar -tf "$tarball" | sort)" "custom_hooks/
custom_hooks/pre-receive.d/
custom_hooks/pre-receive.d/sghook"
	assert_output_matches "^-rwxr-xr-x 0/0 .* custom_hooks/pre-receive.d/sghook$"
	# unpacked as Gitaly does into a repository, the hook judges a push
	new_server gl
	tar -C "$SRV/gl.git" -xf "$tarball"
	stage_leak "$R"
	git -C "$R" commit -q -m leak
	local bad
	bad=$(head_of "$R")
	git -C "$R" push -q "$SRV/gl.git" "main:refs/tmp/x" 2>/dev/null
	git --git-dir="$SRV/gl.git" update-ref -d refs/tmp/x
	cd "$SRV/gl.git"
	run custom_hooks/pre-receive.d/sghook <<<"0000000000000000000000000000000000000000 $bad refs/heads/main"
	assert_status 1
	assert_output_contains "config/segment.env:2"
	run custom_hooks/pre-receive.d/sghook <<<"0000000000000000000000000000000000000000 $BASE refs/heads/main"
	assert_status 0
}

@test "install.sh --gitlab-global DIR installs DIR/pre-receive.d/sghook for every repository, and --uninstall removes it" {
	local dir="$BATS_TEST_TMPDIR/gitaly/custom_hooks"
	run "$INSTALL_SH" --gitlab-global "$dir"
	assert_status 0
	assert_output_contains "Gitaly's custom_hooks_dir"
	assert_equal "$(ls -A "$dir/pre-receive.d")" sghook
	new_server one
	stage_leak "$R"
	git -C "$R" commit -q -m leak
	git -C "$R" push -q "$SRV/one.git" "main:refs/tmp/x" 2>/dev/null
	git --git-dir="$SRV/one.git" update-ref -d refs/tmp/x
	cd "$SRV/one.git"
	run "$dir/pre-receive.d/sghook" <<<"0000000000000000000000000000000000000000 $(head_of "$R") refs/heads/main"
	assert_status 1
	assert_output_contains "config/segment.env:2"
	run "$INSTALL_SH" --gitlab-global --uninstall "$dir"
	assert_status 0
	[ ! -e "$dir" ]
}

@test "a step install.sh runs quietly shows its output's end when it fails, and keeps the whole log" {
	[ -f "$SGHOOK_SRC/Makefile" ] || skip "no Makefile in the build tree"
	local src="$BATS_TEST_TMPDIR/broken"
	mkdir -p "$src/hook"
	cp "$SGHOOK_SRC/install.sh" "$src/"
	cp "$SGHOOK_SRC"/hook/pre-* "$SGHOOK_SRC/hook/dispatch" "$src/hook/"
	printf 'all:\n\t@echo "compiling..."; echo "lib/x.c:1: error: it broke" >&2; exit 1\n' >"$src/Makefile"
	SGHOOK='' PATH=$(path_without_sghook) run --separate-stderr "$src/install.sh" --prefix "$BATS_TEST_TMPDIR/p" "$R"
	assert_status 1
	assert_stderr_contains "lib/x.c:1: error: it broke"
	local log
	log=$(sed -n 's/.*(the whole output is in \(.*\))$/\1/p' <<<"$stderr")
	[ -n "$log" ] && [ -f "$log" ] || fail_with "the log '$log' is gone"
	grep -q "compiling..." "$log"
	rm -f "$log"
	assert_output_not_contains "compiling..."
}
