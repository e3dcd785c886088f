#!/usr/bin/env bash
# install.sh - install (or uninstall) the sghook git hooks.
#
#   ./install.sh [--pre-commit] [--pre-push] [REPO]   client hooks (default: pre-commit, REPO=.)
#   ./install.sh --server BARE.git                    hooks/pre-receive
#   ./install.sh --gitlab BARE.git                    custom_hooks/pre-receive.d/sghook
#   ./install.sh --global [--pre-commit] [--pre-push] global core.hooksPath
#   ./install.sh --uninstall ...                      undo any of the above
#
# Existing hooks are never overwritten: they are kept as <hook>.sghook-chained
# and run first by the sghook hook. Running install.sh twice changes nothing.
set -euo pipefail

PROG=install.sh
SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
MARKER='# sghook-managed-hook'
CHAIN_SUFFIX='.sghook-chained'
CREATED_MARK='.sghook-created-dir'

usage() {
	cat <<EOF
Usage: $PROG [--pre-commit] [--pre-push] [REPO]
       $PROG --server BARE.git
       $PROG --gitlab BARE.git
       $PROG --global [--pre-commit] [--pre-push]
       $PROG --uninstall [any of the forms above]

Installs sghook git hooks that block Segment Public API tokens (sgp_...).

  REPO                 a work tree (default: the repository you stand in); the hook
                       goes where git looks for hooks (core.hooksPath is honoured)
  --pre-commit         install the pre-commit hook (the default for REPO and --global)
  --pre-push           install the pre-push hook (give both options for both hooks)
  --server BARE.git    install hooks/pre-receive into a bare server repository
  --gitlab BARE.git    install custom_hooks/pre-receive.d/sghook (GitLab server hooks)
  --global             install into a global hooks directory (global core.hooksPath;
                       default ~/.config/sghook/hooks); each repository's own
                       .git/hooks/<hook> still runs first
  --uninstall          remove what the same command installed; restore chained hooks
  --sghook PATH        the sghook binary to use (also: environment variable SGHOOK)
  --prefix DIR         where to 'make install' sghook when it must be built
                       (default /usr/local; also: environment variable SGHOOK_PREFIX)
  -h, --help           show this help

sghook is looked up in PATH, PREFIX/bin (/usr/local/bin) and this build tree ($SELF_DIR/sghook).
If it is missing it is built from this tree (as root: build dependencies are
installed with apt-get and sghook with 'make install').
Exit status: 0 success, 1 failure, 2 bad usage.
EOF
}

usage_error() { echo "$PROG: $* (see $PROG --help)" >&2; exit 2; }
fail() { echo "$PROG: error: $*" >&2; exit 1; }
info() { echo "$PROG: $*"; }

# ---------------------------------------------------------------- arguments
mode=''        # repo | server | gitlab | global
uninstall=0
hooks=()
target=''
have_target=0
opt_sghook=${SGHOOK:-}
prefix=${SGHOOK_PREFIX:-/usr/local}

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

# What `make` needs to build sghook with its own static libgit2.
BUILD_PKGS="gcc make cmake dpkg-dev debian-archive-keyring libhttp-parser-dev libpcre2-dev zlib1g-dev"

missing_build_deps() {
	local p
	for p in $BUILD_PKGS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			printf '%s\n' "$p"
	done
}

build_sghook() {
	local missing
	[ -f "$SELF_DIR/Makefile" ] || fail "sghook not found (PATH, $prefix/bin, $SELF_DIR) and no source tree at $SELF_DIR to build it from"
	missing=$(missing_build_deps | tr '\n' ' ')
	missing=${missing% }
	if [ -n "$missing" ]; then
		if [ "$(id -u)" -ne 0 ]; then
			fail "sghook is not built and build dependencies are missing ($missing); as root run: apt-get install -y --no-install-recommends $missing"
		fi
		command -v apt-get >/dev/null 2>&1 || fail "build dependencies missing ($missing) and apt-get is not available; install them, or a built sghook (--sghook PATH)"
		info "installing build dependencies: $missing"
		apt-get update || fail "apt-get update failed"
		# shellcheck disable=SC2086
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing ||
			fail "apt-get install of the build dependencies failed"
	fi
	info "building sghook in $SELF_DIR"
	if [ "$(id -u)" -eq 0 ]; then
		make -C "$SELF_DIR" PREFIX="$prefix" || fail "building sghook failed (make -C $SELF_DIR)"
	else
		make -C "$SELF_DIR" || fail "building sghook failed (make -C $SELF_DIR)"
	fi
	if [ "$(id -u)" -eq 0 ]; then
		info "installing sghook to $prefix"
		make -C "$SELF_DIR" install PREFIX="$prefix" || fail "make install PREFIX=$prefix failed"
		sghook_works "$prefix/bin/sghook" || fail "sghook was installed but $prefix/bin/sghook does not run"
		sghook_bin="$prefix/bin/sghook"
	else
		sghook_works "$SELF_DIR/sghook" || fail "sghook was built but $SELF_DIR/sghook does not run"
		sghook_bin="$SELF_DIR/sghook"
	fi
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
		return 0
	fi
	for c in "$(command -v sghook 2>/dev/null || true)" "$prefix/bin/sghook" "$SELF_DIR/sghook"; do
		[ -n "$c" ] || continue
		case $c in /*) ;; *) c="$(abspath_dir "$(dirname -- "$c")")/$(basename -- "$c")" ;; esac
		if sghook_works "$c"; then
			sghook_bin=$c
			return 0
		fi
	done
	build_sghook
}

# Write the hook template $1 to $2 with the sghook path (and global flag) baked in.
write_hook() {
	local src=$1 dst=$2 global=$3 tmp line
	[ -f "$src" ] || fail "hook template $src is missing"
	tmp=$(mktemp "$(dirname -- "$dst")/.sghook-tmp.XXXXXX") || fail "cannot write in $(dirname -- "$dst")"
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in
		"SGHOOK=''") printf 'SGHOOK=%s\n' "$(shquote "$sghook_bin")" ;;
		"SGHOOK_GLOBAL=''") printf 'SGHOOK_GLOBAL=%s\n' "$(shquote "$global")" ;;
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

do_global() {
	local cur dir h recorded
	cur=$(git config --global --get core.hooksPath 2>/dev/null || true)
	recorded=$(git config --global --get sghook.installedHooksPath 2>/dev/null || true)
	if [ "$uninstall" = 1 ]; then
		[ -n "$cur" ] || { info "no global core.hooksPath; nothing to do"; return 0; }
		dir=$(expand_tilde "$cur")
		for h in "${hooks[@]}"; do uninstall_hook "$dir" "$h"; done
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
}

main() {
	local dir h
	case $mode in
	global) do_global ;;
	repo | server)
		dir=$(repo_hooks_dir)
		[ "$mode" = server ] && hooks=(pre-receive)
		if [ "$uninstall" = 1 ]; then
			for h in "${hooks[@]}"; do uninstall_hook "$dir" "$h"; done
		else
			find_sghook
			for h in "${hooks[@]}"; do install_hook "$dir" "$h" "$SELF_DIR/hook/$h" '' yes; done
		fi
		;;
	gitlab)
		repo_hooks_dir >/dev/null
		local base ch
		base=$(abspath_dir "$target")
		ch="$base/custom_hooks"
		# GitLab runs every file in pre-receive.d: keep our bookkeeping
		# marker out of it (in custom_hooks/) and never chain there.
		if [ "$uninstall" = 1 ]; then
			uninstall_hook "$ch/pre-receive.d" sghook
			if [ -f "$ch/.sghook-created-pre-receive.d" ]; then
				if rmdir "$ch/pre-receive.d" 2>/dev/null; then
					info "removed $ch/pre-receive.d (created by $PROG)"
				fi
				exists "$ch/pre-receive.d" || rm -f "$ch/.sghook-created-pre-receive.d"
			fi
			if [ -d "$ch" ]; then remove_dir_if_ours "$ch"; fi
		else
			find_sghook
			make_dir "$ch"
			if ! exists "$ch/pre-receive.d"; then
				mkdir "$ch/pre-receive.d" || fail "cannot create $ch/pre-receive.d"
				: >"$ch/.sghook-created-pre-receive.d"
				info "created $ch/pre-receive.d"
			fi
			install_hook "$ch/pre-receive.d" sghook "$SELF_DIR/hook/pre-receive" '' no
		fi
		;;
	esac
}

main
