# shellcheck shell=bash
# Shared helpers for tests/server.bats and tests/install.bats.
# Everything lives under $BATS_TEST_TMPDIR; git never reads the machine's config.

# `run --separate-stderr` needs bats 1.5.
bats_require_minimum_version 1.5.0

SGHOOK_SRC="$(cd "$BATS_TEST_DIRNAME/.." && pwd -P)"
INSTALL_SH="$SGHOOK_SRC/install.sh"

# Isolated git environment + the build-tree sghook binary.
setup_git_env() {
	export HOME="$BATS_TEST_TMPDIR/home"
	mkdir -p "$HOME"
	export GIT_CONFIG_GLOBAL="$BATS_TEST_TMPDIR/gitconfig"
	: >"$GIT_CONFIG_GLOBAL"
	export GIT_CONFIG_NOSYSTEM=1
	export GIT_TERMINAL_PROMPT=0
	export LC_ALL=C
	unset XDG_CONFIG_HOME GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY \
		GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_QUARANTINE_PATH GIT_PUSH_OPTION_COUNT \
		GIT_CEILING_DIRECTORIES GIT_NAMESPACE
	git config --global user.name "Sghook Test"
	git config --global user.email "sghook-test@example.invalid"
	git config --global init.defaultBranch main
	git config --global advice.detachedHead false
	git config --global protocol.file.allow always
	# install.sh bakes this binary into the hooks it writes.
	export SGHOOK="$SGHOOK_SRC/sghook"
	if [ ! -x "$SGHOOK" ]; then
		echo "sghook is not built at $SGHOOK (run make)" >&2
		return 1
	fi
	SRV="$BATS_TEST_TMPDIR/srv"
	mkdir -p "$SRV"
}

# new_token: tests/helpers/token.bash
# shellcheck source=tests/helpers/token.bash
source "${BASH_SOURCE[0]%/*}/token.bash"

# shellcheck source=tests/helpers/assert.bash
source "${BASH_SOURCE[0]%/*}/assert.bash"

# ------------------------------------------------------------------ git daemon
port_in_use() { (exec 9<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Start git daemon serving $SRV on a free 127.0.0.1 port; sets PORT, DAEMON_PID, URL_BASE.
# Retries on another port when binding fails; ready = a real ls-remote succeeds.
start_daemon() {
	local attempt i daemon
	daemon="$(git --exec-path)/git-daemon"
	[ -d "$SRV/probe.git" ] || git init -q --bare "$SRV/probe.git"
	for attempt in $(seq 1 20); do
		PORT=$((20000 + (RANDOM * 2 + RANDOM % 2) % 40000))
		port_in_use "$PORT" && continue
		"$daemon" --reuseaddr --enable=receive-pack --export-all --informative-errors \
			--base-path="$SRV" --listen=127.0.0.1 --port="$PORT" \
			>"$BATS_TEST_TMPDIR/daemon.$attempt.log" 2>&1 </dev/null 3>&- &
		DAEMON_PID=$!
		for i in $(seq 1 200); do
			if ! kill -0 "$DAEMON_PID" 2>/dev/null; then
				wait "$DAEMON_PID" 2>/dev/null || true
				DAEMON_PID=''
				break
			fi
			if timeout 10 git ls-remote "git://127.0.0.1:$PORT/probe.git" >/dev/null 2>&1; then
				URL_BASE="git://127.0.0.1:$PORT"
				export PORT DAEMON_PID URL_BASE
				return 0
			fi
			sleep 0.05
		done
		if [ -n "${DAEMON_PID:-}" ]; then
			kill "$DAEMON_PID" 2>/dev/null || true
			wait "$DAEMON_PID" 2>/dev/null || true
			DAEMON_PID=''
		fi
	done
	echo "could not start git daemon; last log:" >&2
	cat "$BATS_TEST_TMPDIR"/daemon.*.log >&2 || true
	return 1
}

stop_daemon() {
	if [ -n "${DAEMON_PID:-}" ]; then
		kill "$DAEMON_PID" 2>/dev/null || true
		wait "$DAEMON_PID" 2>/dev/null || true
		DAEMON_PID=''
	fi
}

# ------------------------------------------------------------------ repositories
# new_server NAME: bare repository $SRV/NAME.git (no hook yet).
new_server() {
	git init -q --bare "$SRV/$1.git"
}
server_git() { local name=$1; shift; git --git-dir="$SRV/$name.git" "$@"; }
# server_ref NAME REF: the id the server has for REF, or "missing".
server_ref() { server_git "$1" rev-parse -q --verify "$2^{}" 2>/dev/null || echo missing; }

install_server_hook() { "$INSTALL_SH" --server "$SRV/$1.git" >/dev/null; }

# new_client DIR NAME: clone of the server NAME over git:// into $BATS_TEST_TMPDIR/DIR.
new_client() {
	git clone -q "$URL_BASE/$2.git" "$BATS_TEST_TMPDIR/$1" 2>/dev/null
}

# commit_file REPO PATH CONTENT [MESSAGE]: write, add and commit (no client hooks).
commit_file() {
	local repo=$1 path=$2 content=$3 msg=${4:-"add $2"}
	mkdir -p "$(dirname "$repo/$path")"
	printf '%s\n' "$content" >"$repo/$path"
	git -C "$repo" add -- "$path"
	git -C "$repo" commit -q --no-verify -m "$msg"
}

# commit_leak REPO PATH TOKEN: a Segment env file with the token on line 2.
commit_leak() {
	commit_file "$1" "$2" "# analytics settings
SEGMENT_API_TOKEN=$3" "${4:-add $2}"
}

head_of() { git -C "$1" rev-parse "${2:-HEAD}"; }
short7() { printf '%s\n' "${1:0:7}"; }

# Print a PATH without any directory that holds an sghook binary, so tests never
# depend on whether sghook is installed on this machine.
path_without_sghook() {
	local out='' d IFS=:
	for d in $PATH; do
		[ -n "$d" ] || continue
		[ -e "$d/sghook" ] && continue
		out="${out:+$out:}$d"
	done
	printf '%s\n' "$out"
}

# snapshot DIR: one line per entry (type, mode, content hash or link target), sorted;
# two equal snapshots mean the directory is exactly as it was.
snapshot() {
	(
		cd "$1" || exit 1
		find . -mindepth 1 | LC_ALL=C sort | while IFS= read -r f; do
			if [ -L "$f" ]; then
				printf 'link %s -> %s\n' "$f" "$(readlink "$f")"
			elif [ -f "$f" ]; then
				printf 'file %s %s %s\n' "$(stat -c %a "$f")" "$(sha256sum <"$f" | cut -c1-16)" "$f"
			else
				printf '%s %s %s\n' "$(stat -c %F "$f")" "$(stat -c %a "$f")" "$f"
			fi
		done
	)
}
