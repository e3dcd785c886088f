#!/usr/bin/env bash
# install.sh - install (or uninstall) the sghook git hooks.
#
#   ./install.sh [--pre-commit] [--pre-push] [REPO]   client hooks (default: pre-commit and
#                                                     commit-msg, REPO=.)
#   ./install.sh --server BARE.git                    hooks/pre-receive
#   ./install.sh --gitlab BARE.git                    custom_hooks/pre-receive.d/sghook
#   ./install.sh --gitlab-tar FILE                    a tar for `gitaly hooks set`
#   ./install.sh --gitlab-global DIR                  DIR/pre-receive.d/sghook (Gitaly's custom_hooks_dir)
#   ./install.sh --global [--pre-commit] [--pre-push] global core.hooksPath
#   ./install.sh --uninstall ...                      undo any of the above
#
# Existing hooks are never overwritten: they are kept as <hook>.sghook-chained
# and run first by the sghook hook. Hook managers (husky, lefthook, a team
# hooks folder tracked in git) get a line in their own files instead.
# Running install.sh twice changes nothing.
set -euo pipefail

PROG=install.sh
SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
MARKER='# sghook-managed-hook'
CHAIN_SUFFIX='.sghook-chained'
CREATED_MARK='.sghook-created-dir'
LINE_MARK='# sghook-managed-line'
# What `make` needs from Debian to build sghook with its own static libgit2
# (libc6-dev: gcc only recommends it).
BUILD_PKGS='gcc libc6-dev make pkg-config cmake dpkg-dev debian-archive-keyring libhttp-parser-dev libpcre2-dev zlib1g-dev libdeflate-dev libjansson-dev'
# Every hook git runs from core.hooksPath, as githooks(5) lists them, but
# push-to-checkout (its mere presence changes what a push to a checked-out
# branch does) and fsmonitor-watchman (named by core.fsmonitor, not looked up).
GIT_HOOKS='applypatch-msg pre-applypatch post-applypatch pre-commit pre-merge-commit
prepare-commit-msg commit-msg post-commit pre-rebase post-checkout post-merge pre-push
pre-receive update proc-receive post-receive post-update reference-transaction
pre-auto-gc post-rewrite sendemail-validate post-index-change p4-changelist
p4-prepare-changelist p4-post-changelist p4-pre-submit'

usage() {
	cat <<EOF
Usage: $PROG [--pre-commit] [--pre-push] [REPO]
       $PROG --server BARE.git
       $PROG --gitlab BARE.git
       $PROG --gitlab-tar FILE
       $PROG --gitlab-global DIR
       $PROG --global [--pre-commit] [--pre-push]
       $PROG --uninstall [any of the forms above]

Installs sghook git hooks that block Segment Public API tokens (sgp_...).

  REPO                 a work tree (default: the repository you stand in); the hook
                       goes where git looks for hooks (core.hooksPath is honoured);
                       with husky, lefthook or a hooks folder tracked in git, a line
                       goes into their own file (.husky/pre-commit, lefthook.yml, ...)
  --pre-commit         install the pre-commit hook, and the commit-msg hook that judges
                       the commit's message (the default for REPO and --global)
  --pre-push           install the pre-push hook (give both options for both hooks)
  --server BARE.git    install hooks/pre-receive into a bare server repository
  --gitlab BARE.git    install custom_hooks/pre-receive.d/sghook (GitLab server hooks,
                       in the repository's directory: GitLab before 15.11)
  --gitlab-tar FILE    write a tar of custom_hooks/pre-receive.d/sghook for
                       'gitaly hooks set' (GitLab 15.11 and later)
  --gitlab-global DIR  install DIR/pre-receive.d/sghook, for every repository of a
                       Gitaly server (DIR is Gitaly's custom_hooks_dir)
  --global             install into a global hooks directory (global core.hooksPath;
                       default ~/.config/sghook/hooks); every hook there runs the
                       repository's own .git/hooks/<hook> (git-lfs's included)
  --uninstall          remove what the same command installed; restore chained hooks
  --sghook PATH        the sghook binary to use (also: environment variable SGHOOK)
  --prefix DIR         where to 'make install' sghook from this build tree (default
                       /usr/local as root, else ~/.local; also: SGHOOK_PREFIX)
  -h, --help           show this help

sghook is looked up in PATH and PREFIX/bin. Otherwise it is built from this tree
and installed under PREFIX with 'make install' (as root, git and the build
dependencies are installed with apt-get first), so that the hooks do not depend
on this tree: it may move or go.
Exit status: 0 success, 1 failure, 2 bad usage.
EOF
}

usage_error() { echo "$PROG: $* (see $PROG --help)" >&2; exit 2; }
fail() { echo "$PROG: error: $*" >&2; exit 1; }
info() { echo "$PROG: $*"; }

# ---------------------------------------------------------------- arguments
mode=''        # repo | server | gitlab | gitlab-tar | gitlab-global | global
uninstall=0
hooks=()
target=''
have_target=0
opt_sghook=${SGHOOK:-}
if [ "$(id -u)" -eq 0 ]; then prefix=${SGHOOK_PREFIX:-/usr/local}; else prefix=${SGHOOK_PREFIX:-$HOME/.local}; fi

set_mode() {
	if [ -n "$mode" ] && [ "$mode" != "$1" ]; then
		usage_error "--$mode and --$1 cannot be combined"
	fi
	mode=$1
}
add_hook() {
	local h
	for h in "${hooks[@]+"${hooks[@]}"}"; do [ "$h" = "$1" ] && return 0; done
	hooks+=("$1")
}

while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--pre-commit) add_hook pre-commit ;;
	--pre-push) add_hook pre-push ;;
	--server) set_mode server ;;
	--gitlab) set_mode gitlab ;;
	--gitlab-tar) set_mode gitlab-tar ;;
	--gitlab-global) set_mode gitlab-global ;;
	--global) set_mode global ;;
	--uninstall) uninstall=1 ;;
	--sghook)
		if [ $# -lt 2 ] || [ -z "$2" ]; then usage_error "--sghook needs a path"; fi
		opt_sghook=$2; shift ;;
	--sghook=*) opt_sghook=${1#--sghook=}; [ -n "$opt_sghook" ] || usage_error "--sghook needs a path" ;;
	--prefix)
		if [ $# -lt 2 ] || [ -z "$2" ]; then usage_error "--prefix needs a directory"; fi
		prefix=$2; shift ;;
	--prefix=*) prefix=${1#--prefix=}; [ -n "$prefix" ] || usage_error "--prefix needs a directory" ;;
	--) shift; break ;;
	-*) usage_error "unknown option '$1'" ;;
	*)
		[ "$have_target" = 0 ] || usage_error "only one repository may be given ('$target' and '$1')"
		target=$1; have_target=1 ;;
	esac
	shift
done
if [ $# -gt 0 ]; then
	if [ $# -ne 1 ] || [ "$have_target" = 1 ]; then usage_error "only one repository may be given"; fi
	target=$1; have_target=1
fi
[ -n "$mode" ] || mode=repo

case $mode in
gitlab-tar | gitlab-global)
	[ "${#hooks[@]}" -eq 0 ] || usage_error "--$mode installs pre-receive; --pre-commit/--pre-push do not apply"
	[ "$have_target" = 1 ] || usage_error "--$mode needs a $([ "$mode" = gitlab-tar ] && echo file name || echo directory)"
	;;
server | gitlab)
	[ "${#hooks[@]}" -eq 0 ] || usage_error "--$mode installs pre-receive; --pre-commit/--pre-push do not apply"
	[ "$have_target" = 1 ] || usage_error "--$mode needs a bare repository (e.g. --$mode /srv/git/project.git)"
	;;
global)
	[ "$have_target" = 0 ] || usage_error "--global takes no repository ('$target')"
	;;
repo)
	[ "$have_target" = 1 ] || target=.
	;;
esac
[ "${#hooks[@]}" -gt 0 ] || hooks=(pre-commit)
[ "$have_target" = 0 ] || [ -n "$target" ] || usage_error "empty repository path"

# ---------------------------------------------------------------- helpers
abspath_dir() { (cd "$1" && pwd -P); }

shquote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

is_ours() { [ -f "$1" ] && grep -q "^$MARKER" "$1" 2>/dev/null; }

exists() { [ -e "$1" ] || [ -L "$1" ]; }

# Directory where git looks for hooks in repository $1 (honours core.hooksPath).
hooks_dir_of() {
	local repo=$1 p base
	base=$(abspath_dir "$repo") || return 1
	p=$(cd "$base" && git rev-parse --git-path hooks) || return 1
	case $p in /*) ;; *) p="$base/$p" ;; esac
	printf '%s\n' "$p"
}

# mkdir -p that leaves a marker in the directory it creates, so that
# --uninstall removes only directories install.sh created.
make_dir() {
	local d=$1
	exists "$d" && { [ -d "$d" ] || fail "$d exists and is not a directory"; return 0; }
	mkdir -p "$d" || fail "cannot create $d"
	: >"$d/$CREATED_MARK"
	info "created $d"
}
remove_dir_if_ours() {
	local d=$1 left
	[ -f "$d/$CREATED_MARK" ] || return 0
	left=$(find "$d" -mindepth 1 -maxdepth 1 ! -name "$CREATED_MARK" | head -n 1 || true)
	[ -z "$left" ] || return 0
	rm -f "$d/$CREATED_MARK"
	rmdir "$d" 2>/dev/null && info "removed $d (created by $PROG)"
	return 0
}

sghook_works() { [ -f "$1" ] && [ -x "$1" ] && "$1" --version >/dev/null 2>&1; }

# Long outputs (apt, make) go to a log that is shown only when a step fails.
LOG=''
logged() {
	local what=$1
	shift
	[ -n "$LOG" ] || LOG=$(mktemp "${TMPDIR:-/tmp}/sghook-install.XXXXXX") || fail "cannot create a log file"
	if ! "$@" >>"$LOG" 2>&1; then
		tail -n 25 "$LOG" >&2
		keep_log=1
		fail "$what failed (the whole output is in $LOG)"
	fi
}
keep_log=0
cleanup_log() { [ -z "$LOG" ] || [ "$keep_log" = 1 ] || rm -f "$LOG"; }
trap cleanup_log EXIT

apt_updated=0
apt_install() {
	command -v apt-get >/dev/null 2>&1 || return 1
	if [ "$apt_updated" = 0 ]; then
		logged "apt-get update" env DEBIAN_FRONTEND=noninteractive apt-get update -q
		apt_updated=1
	fi
	logged "apt-get install $*" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends "$@"
}

# git itself: a bare machine (a CI image, a minimal Debian) may lack it.
ensure_git() {
	command -v git >/dev/null 2>&1 && return 0
	if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
		fail "git is not installed; install it first (as root on Debian: apt-get install --no-install-recommends git)"
	fi
	info "git is not installed; installing it with apt-get"
	apt_install git ca-certificates || fail "cannot install git"
	command -v git >/dev/null 2>&1 || fail "git was installed but is not in PATH"
}

missing_build_deps() {
	local m=() p
	if command -v dpkg-query >/dev/null 2>&1; then
		for p in $BUILD_PKGS; do
			dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || m+=("$p")
		done
	else
		m+=($BUILD_PKGS)
	fi
	printf '%s\n' "${m[@]+"${m[@]}"}"
}

# Is $1 inside this build tree? A hook must not depend on a clone.
in_build_tree() {
	case $1 in "$SELF_DIR"/*) return 0 ;; esac
	return 1
}

build_sghook() {
	local missing
	[ -f "$SELF_DIR/Makefile" ] || fail "sghook not found (PATH, $prefix/bin) and no source tree at $SELF_DIR to build it from"
	if [ ! -x "$SELF_DIR/sghook" ] || ! sghook_works "$SELF_DIR/sghook"; then
		missing=$(missing_build_deps | tr '\n' ' ')
		missing=${missing% }
		if [ -n "$missing" ]; then
			if [ "$(id -u)" -ne 0 ]; then
				fail "sghook is not built and build dependencies are missing ($missing); as root run: apt-get install --no-install-recommends $BUILD_PKGS"
			fi
			command -v apt-get >/dev/null 2>&1 || fail "build dependencies missing ($missing) and apt-get is not available; install them, or a built sghook (--sghook PATH)"
			info "installing build dependencies: $missing"
			# shellcheck disable=SC2086
			apt_install $missing || fail "cannot install the build dependencies"
		fi
		info "building sghook in $SELF_DIR"
		logged "building sghook (make -C $SELF_DIR)" make -C "$SELF_DIR" PREFIX="$prefix"
	fi
	info "installing sghook under $prefix (make install)"
	logged "make install PREFIX=$prefix" make -C "$SELF_DIR" install PREFIX="$prefix"
	sghook_works "$prefix/bin/sghook" || fail "sghook was installed but $prefix/bin/sghook does not run"
	sghook_bin="$prefix/bin/sghook"
}

find_sghook() {
	local c d
	if [ -n "$opt_sghook" ]; then
		c=$opt_sghook
		case $c in */*) ;; *) c=$(command -v "$c" 2>/dev/null) || fail "sghook binary '$opt_sghook' not found in PATH" ;; esac
		d=$(abspath_dir "$(dirname -- "$c")" 2>/dev/null) || fail "sghook binary '$opt_sghook' not found"
		c="$d/$(basename -- "$c")"
		sghook_works "$c" || fail "'$c' is not a working sghook binary ('$c --version' failed)"
		sghook_bin=$c
		if in_build_tree "$c"; then
			info "note: the hooks run $c, in this build tree; if the tree moves they fall back to sghook in PATH, and refuse every commit when there is none (without --sghook, install.sh installs sghook under $prefix)"
		fi
		return 0
	fi
	for c in "$(command -v sghook 2>/dev/null || true)" "$prefix/bin/sghook"; do
		[ -n "$c" ] || continue
		case $c in /*) ;; *) c="$(abspath_dir "$(dirname -- "$c")")/$(basename -- "$c")" ;; esac
		# A build tree on PATH is still a build tree: install from it.
		in_build_tree "$c" && continue
		if sghook_works "$c"; then
			sghook_bin=$c
			return 0
		fi
	done
	build_sghook
}

# Write the hook template $1 to $2 with the sghook path, the global flag and
# the hook's name (the template's: hook/pre-push is pre-push) baked in.
write_hook() {
	local src=$1 dst=$2 global=$3 tmp line
	[ -f "$src" ] || fail "hook template $src is missing"
	tmp=$(mktemp "$(dirname -- "$dst")/.sghook-tmp.XXXXXX") || fail "cannot write in $(dirname -- "$dst")"
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in
		"SGHOOK=''") printf 'SGHOOK=%s\n' "$(shquote "$sghook_bin")" ;;
		"SGHOOK_GLOBAL=''") printf 'SGHOOK_GLOBAL=%s\n' "$(shquote "$global")" ;;
		# One script serves every hook: the template's name says which.
		"SGHOOK_HOOK=''") printf 'SGHOOK_HOOK=%s\n' "$(shquote "$(basename -- "$src")")" ;;
		*) printf '%s\n' "$line" ;;
		esac
	done <"$src" >"$tmp" || { rm -f "$tmp"; fail "cannot write $dst"; }
	chmod 0755 "$tmp"
	mv -f "$tmp" "$dst" || { rm -f "$tmp"; fail "cannot write $dst"; }
}

# install_hook DIR FILE TEMPLATE GLOBAL CHAIN(yes|no)
install_hook() {
	local dir=$1 file=$2 src=$3 global=$4 chain_ok=$5
	local dst="$dir/$file" chain="$dir/$file$CHAIN_SUFFIX"
	make_dir "$dir"
	if is_ours "$dst"; then
		# keep the global flag of a hook that lives in the global hooks dir
		grep -q "^SGHOOK_GLOBAL='1'" "$dst" && global=1
		write_hook "$src" "$dst" "$global"
		info "sghook hook already installed at $dst (refreshed; sghook: $sghook_bin)"
		return 0
	fi
	if exists "$dst"; then
		[ "$chain_ok" = yes ] || fail "$dst already exists and is not an sghook hook; refusing to overwrite it"
		exists "$chain" && fail "$dst is not an sghook hook and $chain already exists; refusing to overwrite either"
		mv "$dst" "$chain" || fail "cannot rename $dst to $chain"
		info "kept the existing hook as $chain (it runs first)"
	fi
	write_hook "$src" "$dst" "$global"
	info "installed $dst (sghook: $sghook_bin)"
}

# uninstall_hook DIR FILE
uninstall_hook() {
	local dir=$1 file=$2
	local dst="$dir/$file" chain="$dir/$file$CHAIN_SUFFIX"
	if is_ours "$dst"; then
		rm -f "$dst" || fail "cannot remove $dst"
		if exists "$chain"; then
			mv "$chain" "$dst" || fail "cannot restore $chain to $dst"
			info "removed the sghook hook and restored the previous hook at $dst"
		else
			info "removed $dst"
		fi
	elif exists "$dst"; then
		info "$dst is not an sghook hook; left untouched"
	else
		info "no sghook hook at $dst; nothing to do"
	fi
	if [ -d "$dir" ]; then remove_dir_if_ours "$dir"; fi
	return 0
}

# ---------------------------------------------------------------- modes
repo_hooks_dir() {
	local bare
	exists "$target" || usage_error "no such repository: $target"
	[ -d "$target" ] || usage_error "not a directory: $target"
	bare=$(cd "$target" && git rev-parse --is-bare-repository 2>/dev/null) || usage_error "not a git repository: $target"
	case $mode in
	repo) [ "$bare" = false ] || usage_error "$target is a bare repository; use --server (or --gitlab)" ;;
	server | gitlab) [ "$bare" = true ] || usage_error "$target is not a bare repository (--$mode expects the server's bare repository)" ;;
	esac
	hooks_dir_of "$target" || fail "cannot find the hooks directory of $target"
}

global_default_dir() { printf '%s/sghook/hooks\n' "${XDG_CONFIG_HOME:-$HOME/.config}"; }

expand_tilde() {
	# shellcheck disable=SC2088
	case $1 in
	"~") printf '%s\n' "$HOME" ;;
	"~/"*) printf '%s/%s\n' "$HOME" "${1#\~/}" ;;
	*) printf '%s\n' "$1" ;;
	esac
}

is_dispatch() { [ -f "$1" ] && grep -q "^$MARKER: dispatch" "$1" 2>/dev/null; }
selected() {
	local h
	for h in "${hooks[@]}"; do [ "$h" = "$1" ] && return 0; done
	return 1
}

# The commit message is part of the commit: where pre-commit goes, so does
# commit-msg (the same script, hook/commit-msg).
with_commit_msg() {
	if selected pre-commit; then add_hook commit-msg; fi
}

# Every other hook name gets a dispatcher that runs the repository's own
# hook: a global core.hooksPath would silence them otherwise.
install_dispatchers() {
	local dir=$1 h n=0 kept=''
	for h in $GIT_HOOKS; do
		selected "$h" && continue
		if is_ours "$dir/$h"; then
			is_dispatch "$dir/$h" || continue
		elif exists "$dir/$h"; then
			kept="$kept $h"
			continue
		fi
		write_hook "$SELF_DIR/hook/dispatch" "$dir/$h" 1
		n=$((n + 1))
	done
	info "the other $n hooks in $dir run each repository's own .git/hooks/<hook> (git-lfs's pre-push, a commit-msg check, ...)"
	info "git-lfs: in a repository that holds LFS objects they run git-lfs's hooks too; 'git lfs install' there reports that its hooks exist: 'git lfs install --skip-repo' is enough"
	[ -z "$kept" ] || info "kept your own global hooks, which run instead of the repository's:$kept"
}

# Dispatchers go when no sghook hook is left in the directory.
remove_dispatchers() {
	local dir=$1 h f left=0
	for f in "$dir"/*; do
		is_ours "$f" && ! is_dispatch "$f" && left=1
	done
	for h in $GIT_HOOKS; do
		if [ "$left" = 1 ]; then
			# an sghook hook removed from a name: the repository's runs again
			selected "$h" && ! exists "$dir/$h" && write_hook "$SELF_DIR/hook/dispatch" "$dir/$h" 1
		elif is_dispatch "$dir/$h"; then
			rm -f "$dir/$h"
		fi
	done
	return 0
}

do_global() {
	local cur dir h recorded
	with_commit_msg
	cur=$(git config --global --get core.hooksPath 2>/dev/null || true)
	recorded=$(git config --global --get sghook.installedHooksPath 2>/dev/null || true)
	if [ "$uninstall" = 1 ]; then
		[ -n "$cur" ] || { info "no global core.hooksPath; nothing to do"; return 0; }
		dir=$(expand_tilde "$cur")
		for h in "${hooks[@]}"; do uninstall_hook "$dir" "$h"; done
		[ -d "$dir" ] && remove_dispatchers "$dir"
		if [ -n "$recorded" ] && [ "$recorded" = "$cur" ]; then
			local left
			left=$(find "$dir" -mindepth 1 -maxdepth 1 ! -name "$CREATED_MARK" 2>/dev/null | head -n 1 || true)
			if [ -z "$left" ]; then
				git config --global --unset core.hooksPath
				git config --global --unset sghook.installedHooksPath
				info "unset global core.hooksPath (was $cur)"
				remove_dir_if_ours "$dir"
				remove_dir_if_ours "$(dirname -- "$dir")"
			fi
		fi
		return 0
	fi
	find_sghook
	if [ -n "$cur" ]; then
		dir=$(expand_tilde "$cur")
		case $dir in /*) ;; *) fail "global core.hooksPath '$cur' is relative; set it to an absolute directory first" ;; esac
		[ "$cur" = "$recorded" ] || info "using the existing global core.hooksPath $dir"
	else
		dir=$(global_default_dir)
		make_dir "$(dirname -- "$dir")"
		make_dir "$dir"
		git config --global core.hooksPath "$dir"
		git config --global sghook.installedHooksPath "$dir"
		info "set global core.hooksPath to $dir"
	fi
	for h in "${hooks[@]}"; do install_hook "$dir" "$h" "$SELF_DIR/hook/$h" 1 yes; done
	install_dispatchers "$dir"
	info "a repository that sets core.hooksPath itself (husky does) uses its own hooks, not these: run install.sh in it"
}

# ---------------------------------------------------------------- hook managers
# A hook manager owns the hooks directory: husky rewrites .husky/_ on every
# npm install, lefthook install moves other hooks aside, and a team hooks
# folder is tracked in git. sghook then goes into the manager's own files,
# as a line that runs sghook from PATH (those files are shared: no machine's
# path goes into them), or install.sh refuses and prints the recipe.

manager_line() {
	case $1 in
	pre-commit) printf 'sghook --pre-commit || exit $?  %s\n' "$LINE_MARK" ;;
	pre-push) printf 'sghook --pre-push "$@" || exit $?  %s\n' "$LINE_MARK" ;;
	esac
}

# detect_manager TOP HOOKS_DIR: prints husky, lefthook, tracked or nothing.
lefthook_config() {
	local f
	for f in lefthook.yml .lefthook.yml lefthook.yaml .lefthook.yaml .config/lefthook.yml \
		.config/lefthook.yaml lefthook.toml .lefthook.toml lefthook.json .lefthook.json; do
		[ -f "$1/$f" ] && { printf '%s\n' "$1/$f"; return 0; }
	done
	return 1
}
detect_manager() {
	local top=$1 hd=$2 rel
	if [ -d "$top/.husky" ]; then echo husky; return 0; fi
	if lefthook_config "$top" >/dev/null; then echo lefthook; return 0; fi
	case $hd in
	"$top"/*)
		rel=${hd#"$top"/}
		case $rel in .git | .git/*) return 0 ;; esac
		if [ -n "$(git -C "$top" ls-files -- "$rel" 2>/dev/null | head -n 1)" ]; then echo tracked; fi
		;;
	esac
	return 0
}

refuse_with_recipe() {
	local why=$1 file=$2 h
	{
		echo "$PROG: error: $why"
		echo "$PROG: add this line to $file yourself, where it runs on every commit (before any exit):"
		for h in "${hooks[@]}"; do echo "  $(manager_line "$h" | sed "s/  $LINE_MARK\$//")    # in $(dirname -- "$file")/$h"; done
	} >&2
	exit 1
}

warn_not_in_path() {
	local p
	p=$(command -v sghook 2>/dev/null || true)
	if [ -z "$p" ] || in_build_tree "$(abspath_dir "$(dirname -- "$p")")/sghook"; then
		info "warning: the line runs sghook from PATH, and sghook is not in PATH (it is $sghook_bin): add $(dirname -- "$sghook_bin") to PATH, or every commit is refused"
	fi
}

# add_line FILE HOOK SHEBANG: the line in a shell hook, created when absent.
add_line() {
	local file=$1 h=$2 shebang=$3 first
	if [ -f "$file" ] && grep -qF -- "$LINE_MARK" "$file"; then
		info "$file already runs sghook"
		return 0
	fi
	if [ -f "$file" ]; then
		first=$(head -n 1 "$file")
		case $first in
		'#!'*sh | '#!'*sh' '* | '#!'*'env '*sh | '#!'*'env '*sh' '*) ;;
		'#!'*) refuse_with_recipe "$file is not a shell script ($first)" "$file" ;;
		esac
		# An exit at the top level would end the hook before a line added at the end.
		if grep -qE '^(exit|exec)([[:space:]]|$)' "$file"; then
			refuse_with_recipe "$file ends with exit or exec, before any line added after it" "$file"
		fi
		[ -z "$(tail -c 1 "$file")" ] || echo >>"$file"
		manager_line "$h" >>"$file" || fail "cannot write $file"
		info "added a line that runs sghook to $file"
	else
		{ [ -z "$shebang" ] || echo "$shebang"; manager_line "$h"; } >"$file" || fail "cannot write $file"
		chmod 0755 "$file"
		info "created $file, which runs sghook"
	fi
}

# remove_lines FILE: our lines go; a file left with nothing else goes too.
remove_lines() {
	local file=$1 tmp
	[ -f "$file" ] && grep -qF -- "$LINE_MARK" "$file" || { info "no sghook line in $file; nothing to do"; return 0; }
	tmp=$(mktemp "$(dirname -- "$file")/.sghook-tmp.XXXXXX") || fail "cannot write in $(dirname -- "$file")"
	grep -vF -- "$LINE_MARK" "$file" >"$tmp" || true
	if ! grep -qvE '^(#!.*|[[:space:]]*)$' "$tmp"; then
		rm -f "$tmp" "$file"
		info "removed $file (it held only the sghook line)"
	else
		chmod --reference="$file" "$tmp" && mv -f "$tmp" "$file" || { rm -f "$tmp"; fail "cannot write $file"; }
		info "removed the sghook line from $file"
	fi
}

install_husky() {
	local top=$1 h
	for h in "${hooks[@]}"; do
		if [ "$uninstall" = 1 ]; then remove_lines "$top/.husky/$h"; continue; fi
		add_line "$top/.husky/$h" "$h" ''
	done
	[ "$uninstall" = 1 ] && return 0
	info "husky: its hooks in .husky/_ are rewritten by every npm install, so sghook is a line in .husky/<hook>, which husky runs (commit it: it is your team's)"
	warn_not_in_path
}

install_tracked() {
	local top=$1 hd=$2 h
	for h in "${hooks[@]}"; do
		if [ "$uninstall" = 1 ]; then remove_lines "$hd/$h"; continue; fi
		add_line "$hd/$h" "$h" '#!/bin/sh'
	done
	[ "$uninstall" = 1 ] && return 0
	info "${hd#"$top"/} is tracked in git (core.hooksPath): sghook is a line in its hooks, with no path of this machine (commit them: they are your team's)"
	warn_not_in_path
}

lefthook_bin() {
	if [ -x "$1/node_modules/.bin/lefthook" ]; then
		printf '%s\n' "$1/node_modules/.bin/lefthook"
	else
		command -v lefthook 2>/dev/null
	fi
}

lefthook_recipe() {
	local cfg=$1 why=$2 h
	{
		echo "$PROG: error: $why"
		echo "$PROG: add sghook to $cfg yourself, under each hook's commands:"
		for h in "${hooks[@]}"; do
			printf '  %s:\n    commands:\n      sghook:\n' "$h"
			if [ "$h" = pre-push ]; then
				printf '        run: sghook --pre-push {1} {2}\n        use_stdin: true\n'
			else
				printf '        run: sghook --%s\n' "$h"
			fi
		done
		echo "$PROG: then run: lefthook install"
	} >&2
	exit 1
}

# Adds sghook to hook $2's commands in lefthook's YAML $1; 1 when it cannot.
lefthook_edit() {
	local cfg=$1 h=$2 run tmp
	run="sghook --$h"
	[ "$h" = pre-push ] && run="$run {1} {2}"
	tmp=$(mktemp "$(dirname -- "$cfg")/.sghook-tmp.XXXXXX") || return 1
	awk -v hook="$h" -v run="$run" -v mark="$LINE_MARK" '
	function indent(s) { match(s, /^ */); return RLENGTH }
	{ lines[NR] = $0 }
	END {
		start = 0
		for (i = 1; i <= NR; i++)
			if (lines[i] ~ ("^" hook ":[ \t]*(#.*)?$")) { start = i; break }
		if (!start) {
			for (i = 1; i <= NR; i++) print lines[i]
			print hook ":  " mark
			print "  commands:  " mark
			print "    sghook:  " mark
			print "      run: " run "  " mark
			if (hook == "pre-push") print "      use_stdin: true  " mark
			exit 0
		}
		end = NR
		for (i = start + 1; i <= NR; i++)
			if (lines[i] ~ /^[^ \t#]/) { end = i - 1; break }
		cmd = 0
		for (i = start + 1; i <= end; i++)
			if (lines[i] ~ /^ +commands:[ \t]*(#.*)?$/) { cmd = i; break }
		if (!cmd) exit 1
		ci = indent(lines[cmd]); child = ci + 2
		for (i = cmd + 1; i <= end; i++)
			if (lines[i] !~ /^[ \t]*(#.*)?$/) { if (indent(lines[i]) > ci) child = indent(lines[i]); break }
		pad = sprintf("%" child "s", ""); step = sprintf("%" (child - ci) "s", "")
		for (i = 1; i <= NR; i++) {
			print lines[i]
			if (i == cmd) {
				print pad "sghook:  " mark
				print pad step "run: " run "  " mark
				# git gives pre-push its refs on stdin; lefthook passes it on only when asked
				if (hook == "pre-push") print pad step "use_stdin: true  " mark
			}
		}
	}' "$cfg" >"$tmp" || { rm -f "$tmp"; return 1; }
	chmod --reference="$cfg" "$tmp" && mv -f "$tmp" "$cfg"
}

install_lefthook() {
	local top=$1 cfg lh h backup
	cfg=$(lefthook_config "$top")
	lh=$(lefthook_bin "$top" || true)
	if [ "$uninstall" = 1 ]; then
		remove_lines_keep "$cfg"
		return 0
	fi
	case $cfg in *.yml | *.yaml) ;; *) lefthook_recipe "$cfg" "lefthook's $(basename -- "$cfg") is not YAML: install.sh edits only lefthook.yml" ;; esac
	if grep -qF -- "$LINE_MARK" "$cfg"; then
		info "$cfg already runs sghook"
	else
		backup=$(cat "$cfg")
		for h in "${hooks[@]}"; do
			lefthook_edit "$cfg" "$h" ||
				lefthook_recipe "$cfg" "the $h: section of $cfg has no commands: list to add sghook to"
		done
		# lefthook itself says whether it reads the file as meant.
		if [ -n "$lh" ]; then
			for h in "${hooks[@]}"; do
				if ! (cd "$top" && "$lh" dump 2>/dev/null) | grep -qF -- "sghook --$h"; then
					printf '%s\n' "$backup" >"$cfg"
					lefthook_recipe "$cfg" "lefthook does not read the edited $cfg as meant (lefthook dump); it is restored"
				fi
			done
		fi
		info "added sghook to $cfg (commit it: it is your team's)"
	fi
	if [ -n "$lh" ]; then
		logged "lefthook install" sh -c 'cd "$1" && "$2" install' sh "$top" "$lh"
		info "ran lefthook install: lefthook's hooks run sghook"
	else
		info "lefthook is not in PATH nor in node_modules: run 'lefthook install' so that its hooks run sghook"
	fi
	warn_not_in_path
}

# YAML keeps its shape: only the lines install.sh added go.
remove_lines_keep() {
	local file=$1 tmp
	[ -f "$file" ] && grep -qF -- "$LINE_MARK" "$file" || { info "no sghook line in $file; nothing to do"; return 0; }
	tmp=$(mktemp "$(dirname -- "$file")/.sghook-tmp.XXXXXX") || fail "cannot write in $(dirname -- "$file")"
	grep -vF -- "$LINE_MARK" "$file" >"$tmp" || true
	chmod --reference="$file" "$tmp" && mv -f "$tmp" "$file" || { rm -f "$tmp"; fail "cannot write $file"; }
	info "removed the sghook lines from $file"
}

# ---------------------------------------------------------------- GitLab
# Gitaly (GitLab 15.11 and later) takes a repository's hooks as a tar of a
# custom_hooks directory on the standard input of 'gitaly hooks set'.
gitlab_tar() {
	local out=$1 tmp
	[ "$uninstall" = 0 ] || usage_error "--gitlab-tar writes a file; to remove the hooks, set an empty tar with gitaly hooks set"
	find_sghook
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/sghook-tar.XXXXXX") || fail "cannot create a temporary directory"
	mkdir -p "$tmp/custom_hooks/pre-receive.d"
	write_hook "$SELF_DIR/hook/pre-receive" "$tmp/custom_hooks/pre-receive.d/sghook" ''
	case $out in /*) ;; *) out="$PWD/$out" ;; esac
	if ! tar -C "$tmp" --owner=0 --group=0 --numeric-owner -cf "$out" custom_hooks; then
		rm -rf "$tmp"
		fail "cannot write $out"
	fi
	rm -rf "$tmp"
	info "wrote $out: custom_hooks/pre-receive.d/sghook, which runs $sghook_bin"
	info "on each Gitaly node, with sghook at that path, run as the git user:"
	echo "  gitaly hooks set --storage STORAGE --repository RELATIVE_PATH --config /var/opt/gitlab/gitaly/config.toml < $out"
}

# GitLab runs every file in pre-receive.d: keep our bookkeeping marker out
# of it (in the custom hooks directory) and never chain there.
install_custom_hooks() {
	local ch=$1
	if [ "$uninstall" = 1 ]; then
		uninstall_hook "$ch/pre-receive.d" sghook
		if [ -f "$ch/.sghook-created-pre-receive.d" ]; then
			if rmdir "$ch/pre-receive.d" 2>/dev/null; then
				info "removed $ch/pre-receive.d (created by $PROG)"
			fi
			exists "$ch/pre-receive.d" || rm -f "$ch/.sghook-created-pre-receive.d"
		fi
		if [ -d "$ch" ]; then remove_dir_if_ours "$ch"; fi
		return 0
	fi
	find_sghook
	make_dir "$ch"
	if ! exists "$ch/pre-receive.d"; then
		mkdir "$ch/pre-receive.d" || fail "cannot create $ch/pre-receive.d"
		: >"$ch/.sghook-created-pre-receive.d"
		info "created $ch/pre-receive.d"
	fi
	install_hook "$ch/pre-receive.d" sghook "$SELF_DIR/hook/pre-receive" '' no
}

# A token that blocks, made here so that no file of sghook holds one.
sample_token() {
	local body
	while :; do
		body=$(head -c 600 /dev/urandom | LC_ALL=C tr -dc 'A-Za-z0-9' | head -c 64)
		[ "${#body}" -eq 64 ] || continue
		case $body in *[A-Z]*) ;; *) continue ;; esac
		case $body in *[a-z]*) ;; *) continue ;; esac
		case $body in *[0-9]*) break ;; esac
	done
	printf 'sgp_%s\n' "$body"
}

# How to see the hook at work, without committing anything.
say_try() {
	local top=$1
	if ! selected pre-commit; then
		info "done: a push that brings a Segment token is now refused"
		return 0
	fi
	info "done. To see the hook refuse a commit (nothing is committed):"
	cat <<EOF
  cd $(shquote "$top")
  echo 'SEGMENT_API_TOKEN=$(sample_token)' >sghook-try.env
  git add sghook-try.env && git commit -m 'try sghook'    # refused: exit 1
  git rm -q --cached sghook-try.env && rm sghook-try.env
EOF
}

main() {
	local dir h top manager
	case $mode in
	gitlab-tar) gitlab_tar "$target"; return 0 ;;
	gitlab-global)
		install_custom_hooks "$target"
		[ "$uninstall" = 1 ] || info "every repository of the Gitaly server runs it when $target is Gitaly's custom_hooks_dir (default /var/opt/gitlab/gitaly/custom_hooks)"
		return 0
		;;
	esac
	ensure_git
	case $mode in
	global) do_global ;;
	repo)
		dir=$(repo_hooks_dir)
		top=$(cd "$target" && git rev-parse --show-toplevel) || fail "cannot find the work tree of $target"
		manager=$(detect_manager "$top" "$dir")
		if [ -n "$manager" ] && [ "$uninstall" = 0 ]; then find_sghook; fi
		case $manager in
		husky) install_husky "$top" ;;
		lefthook) install_lefthook "$top" ;;
		tracked) install_tracked "$top" "$dir" ;;
		*)
			with_commit_msg
			if [ "$uninstall" = 1 ]; then
				for h in "${hooks[@]}"; do uninstall_hook "$dir" "$h"; done
			else
				find_sghook
				for h in "${hooks[@]}"; do install_hook "$dir" "$h" "$SELF_DIR/hook/$h" '' yes; done
			fi
			;;
		esac
		[ "$uninstall" = 1 ] || say_try "$top"
		;;
	server)
		dir=$(repo_hooks_dir)
		hooks=(pre-receive)
		if [ "$uninstall" = 1 ]; then
			uninstall_hook "$dir" pre-receive
		else
			find_sghook
			install_hook "$dir" pre-receive "$SELF_DIR/hook/pre-receive" '' yes
		fi
		;;
	gitlab)
		repo_hooks_dir >/dev/null
		install_custom_hooks "$(abspath_dir "$target")/custom_hooks"
		[ "$uninstall" = 1 ] || info "GitLab 15.11 and later take a repository's hooks through Gitaly: see --gitlab-tar"
		;;
	esac
}

main
