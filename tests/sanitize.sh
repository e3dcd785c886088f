#!/bin/sh
# `make test-sanitize`: the whole of `make test` again, on a copy of the
# tree built with clang's AddressSanitizer, UndefinedBehaviorSanitizer and
# LeakSanitizer (-fno-sanitize-recover), so that the normal build is left
# as it is. A sanitizer report in any process, a worker or a hook that git
# ran included, fails the run, whatever the tests made of its exit status.
#
#   tests/sanitize.sh [DIR]     DIR: where the copy is built (default
#                               build/sanitize; kept, so a second run only
#                               rebuilds what changed)
set -eu
cd "$(dirname "$0")/.."
src=$(pwd -P)
dir=${1:-build/sanitize}
cc=${SAN_CC:-clang}
flags=${SAN_CFLAGS:--O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all}

command -v "$cc" >/dev/null 2>&1 || {
	echo "tests/sanitize.sh: $cc is not installed (Debian: apt-get install clang)" >&2
	exit 2
}

# The files git knows (tracked, and new ones not ignored), so that no
# object or binary of the normal build comes along.
mkdir -p "$dir"
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git -C "$src" ls-files -z --cached --others --exclude-standard |
		(cd "$src" && xargs -0 tar -cf - --no-recursion --ignore-failed-read --) |
		tar -C "$dir" -xf -
else
	tar -C "$src" --exclude=./build --exclude=.git -cf - . | tar -C "$dir" -xf -
	make -C "$dir" clean >/dev/null
fi

# A checkout of its own, holding what was copied, as the tree is one
# (make dist archives HEAD; tests look for the checkout's files).
[ -d "$dir/.git" ] || git -C "$dir" init -q
git -C "$dir" add -A
git -C "$dir" -c user.name=sghook -c user.email=sghook@localhost \
	commit -q --allow-empty --no-verify -m "tests/sanitize.sh: the tree as copied"

# libgit2 is not instrumented: the copy uses the tree's own libgit2 build
# (made there first when it is missing) rather than building another.
mkdir -p build "$dir/build"
[ -e "$dir/build/libgit2" ] || [ -L "$dir/build/libgit2" ] ||
	ln -s "$src/build/libgit2" "$dir/build/libgit2"

# Reports go to files, one per process: a hook's stderr may be swallowed
# by git or by a test, a file is not. Every user can write the directory
# and read the suppressions, for the tests that run sghook as another user.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sghook-sanitize.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
logs=$tmp/reports
mkdir "$logs"
chmod 1777 "$logs"
cp tests/lsan.supp "$tmp/lsan.supp"
chmod 644 "$tmp/lsan.supp"
# exitcode 86: not one of sghook's own (0, 1, 2), so that a test that
# expects a verdict fails at the report too.
export ASAN_OPTIONS="log_path=$logs/asan:log_exe_name=1:exitcode=86:detect_leaks=1:fast_unwind_on_malloc=0:abort_on_error=0:halt_on_error=1"
export UBSAN_OPTIONS="log_path=$logs/ubsan:log_exe_name=1:exitcode=86:print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="exitcode=86:suppressions=$tmp/lsan.supp:print_suppressions=0"

start=$(date +%s)
rc=0
env CC="$cc" CFLAGS="$flags" LDFLAGS="$flags" make -C "$dir" test || rc=$?
end=$(date +%s)

n=$(find "$logs" -type f | wc -l)
if [ "$n" -gt 0 ]; then
	echo "# sanitizers: $n report(s)" >&2
	for f in "$logs"/*; do
		echo "## $f" >&2
		cat "$f" >&2
	done
	rc=1
fi
echo "# sanitizers: $n report(s); suite exit status $rc; $((end - start)) s" >&2
exit "$rc"
