# shellcheck shell=bash
# Shared helpers for tests/engine-*.bats: the engine, the pre-commit hook
# and --check-range, driven through the real git binary.
#
# Every test gets its own repository under $BATS_TEST_TMPDIR, a global git
# config of its own (the machine's config is never read) and a pre-commit
# hook that calls the build-tree binary. Load with:  load helpers/engine

# `run --separate-stderr` needs bats 1.5.
bats_require_minimum_version 1.5.0

# The binary of the build tree these helpers belong to.
SGHOOK="${BASH_SOURCE[0]%/*}/../../sghook"

# The tokens of the issue. Each is spelt out once here so that a test can
# assert that it never appears whole in a report.
# shellcheck disable=SC2034  # used by the .bats files
SEED_TOKEN=sgp_1234567890abcdef
# A Sourcegraph access token: sgp_ and 40 hex digits.
# shellcheck disable=SC2034  # used by the .bats files
SOURCEGRAPH_TOKEN=sgp_0a1b2c3d4e5f60718293a4b5c6d7e8f901a2b3c4

# Isolated git, a fresh repository as the working directory, the hook.
engine_setup() {
	if [ ! -x "$SGHOOK" ]; then
		echo "sghook is not built at $SGHOOK (run make)" >&2
		return 1
	fi
	SGHOOK="$(cd "${SGHOOK%/*}" && pwd -P)/sghook"
	export HOME="$BATS_TEST_TMPDIR/home"
	mkdir -p "$HOME"
	export GIT_CONFIG_GLOBAL="$BATS_TEST_TMPDIR/gitconfig"
	: >"$GIT_CONFIG_GLOBAL"
	export GIT_CONFIG_NOSYSTEM=1
	export GIT_TERMINAL_PROMPT=0
	# Nothing above the test's directory is a repository, whatever the
	# machine has around $BATS_TEST_TMPDIR.
	export GIT_CEILING_DIRECTORIES="$BATS_TEST_TMPDIR"
	export LC_ALL=C
	unset XDG_CONFIG_HOME GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE \
		GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES \
		GIT_QUARANTINE_PATH GIT_PUSH_OPTION_COUNT GIT_NAMESPACE \
		GIT_EDITOR NO_COLOR
	git config --global user.name "Sghook Test"
	git config --global user.email "sghook-test@example.invalid"
	git config --global init.defaultBranch main
	git config --global advice.detachedHead false
	# No background gc: tests delete loose objects on purpose.
	git config --global gc.auto 0
	git config --global core.autocrlf false
	REPO="$BATS_TEST_TMPDIR/repo"
	git init -q "$REPO"
	install_pre_commit_hook "$REPO"
	cd "$REPO" || return 1
}

# Writes the pre-commit hook directly (not through install.sh).
install_pre_commit_hook() {
	local hook="$1/.git/hooks/pre-commit"

	mkdir -p "${hook%/*}"
	printf '#!/bin/sh\nexec "%s" --pre-commit\n' "$SGHOOK" >"$hook"
	chmod +x "$hook"
}

# The commit-msg hook, written directly as well.
install_commit_msg_hook() {
	local hook="$1/.git/hooks/commit-msg"

	mkdir -p "${hook%/*}"
	printf '#!/bin/sh\nexec "%s" --commit-msg "$1"\n' "$SGHOOK" >"$hook"
	chmod +x "$hook"
}

# An editor for git commit that puts LINES (printf %b) before what git
# wrote: GIT_EDITOR=$(message_editor 'subject\n').
message_editor() {
	local ed="$BATS_TEST_TMPDIR/editor.$RANDOM"

	printf '#!/bin/sh\n{ printf %%b %q; cat "$1"; } >"$1.new" && mv "$1.new" "$1"\n' \
		"$1" >"$ed"
	chmod +x "$ed"
	printf '%s\n' "$ed"
}

# new_token: tests/helpers/token.bash
# shellcheck source=tests/helpers/token.bash
source "${BASH_SOURCE[0]%/*}/token.bash"

# ------------------------------------------------------------------ git

# Commits whatever is staged without the hook: history that already holds
# a token, as a repository has before sghook is installed.
commit_unchecked() {
	git commit -q --no-verify -m "$1" "${@:2}"
}

# Stages a file with the given content (printf %s: no newline added) and
# commits it without the hook.
plant() {
	local path="$1" content="$2" msg="${3:-add $1}"

	mkdir -p "$(dirname "$path")"
	printf '%s' "$content" >"$path"
	git add -- "$path"
	commit_unchecked "$msg"
}

# make_kept_token_history N: N commits on main after $BASE, each adding a
# file; commit 3 adds $TOKEN (set here), which every later commit keeps, so
# each must be compared with its parent.
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

head_id() { git rev-parse -q --verify HEAD || echo unborn; }

# Runs `git commit -m MSG ARGS...` with the hook; $status, $output (stdout)
# and $stderr as bats leaves them. Records HEAD before, for the asserts.
try_commit() {
	HEAD_BEFORE=$(head_id)
	run --separate-stderr git commit -m "$@"
}

# The commit was refused by sghook for a finding at each PATH:LINE given.
assert_commit_refused() {
	local where
	assert_status 1
	assert_stderr_contains "sghook: commit refused: it would add"
	for where in "$@"; do
		assert_stderr_contains "  $where  "
	done
	assert_equal "$(head_id)" "$HEAD_BEFORE" "HEAD must not move"
}

# The commit went through and made a commit.
assert_commit_accepted() {
	assert_status 0
	assert_stderr_not_contains "sghook"
	[ "$(head_id)" != "$HEAD_BEFORE" ] || fail_with "HEAD did not move"
}

# Runs the binary itself, stdout and stderr apart.
run_sghook() {
	run --separate-stderr "$SGHOOK" "$@"
}

# JSON of the staged change, as the pre-commit hook would judge it.
staged_json() {
	"$SGHOOK" --pre-commit --format json
}

need_jq() {
	command -v jq >/dev/null || skip "jq is not installed"
}

# The path of the loose object file of an object id.
loose_object_path() {
	printf '%s/objects/%s/%s\n' "$(git rev-parse --git-dir)" \
		"${1:0:2}" "${1:2}"
}

# ------------------------------------------------------------------ asserts
# shellcheck source=tests/helpers/assert.bash
source "${BASH_SOURCE[0]%/*}/assert.bash"

# An error as the contract has it: exactly one line, "sghook: ...".
assert_one_error_line() {
	local n
	n=$(printf '%s\n' "$stderr" | grep -c '')
	if [ -z "$stderr" ] || [ "$n" -ne 1 ]; then
		fail_with "expected exactly one line on stderr, got $n"
	fi
	[[ $stderr == "sghook: "* ]] ||
		fail_with "expected the error line to start with 'sghook: '"
}
# The whole token appears nowhere in what the run printed.
assert_not_leaked() {
	local t
	for t in "$@"; do
		! grep -qF -- "$t" <<<"$output$stderr" ||
			fail_with "the whole secret $t was printed"
	done
}
# jq expression true on $output.
assert_json() {
	need_jq
	jq -e "$1" >/dev/null <<<"$output" ||
		fail_with "expected JSON to satisfy: $1"
}

# The first commit that most cases start from (a README); its id in $BASE.
plant_base() {
	plant README 'sghook test repository
' "initial commit"
	BASE=$(git rev-parse HEAD)
}

# The full id of a revision (HEAD by default).
rev() { git rev-parse "${1:-HEAD}"; }
