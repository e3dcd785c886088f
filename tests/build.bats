#!/usr/bin/env bats
# The build: a libgit2 of its own, built once from Debian's source package,
# and one binary that needs nothing but libc.

load helpers/engine

ROOT="$BATS_TEST_DIRNAME/.."

setup() {
	"$ROOT/sghook" --version | grep -q "built from Debian source" ||
		skip "not the default build (LIBGIT2=bundled)"
}

teardown() {
	[ -z "${FETCH_DIR:-}" ] || rm -rf "$FETCH_DIR"
}

# copy_tree DIR: the sources, and libgit2 as make left it unless --bare.
copy_tree() {
	mkdir -p "$1"
	tar -C "$ROOT" --exclude=./.git --exclude=./build --exclude=./sghook \
		--exclude='*.o' --exclude='*.a' --exclude='*.d' -cf - . | tar -C "$1" -xf -
	if [ "${2:-}" != --bare ]; then
		mkdir -p "$1/build/libgit2"
		cp -a "$ROOT/build/libgit2/prefix" "$1/build/libgit2/"
	fi
}

@test "sghook needs no shared library but libc's" {
	! sghook_is_sanitized ||
		skip "built with AddressSanitizer, whose runtime needs libgcc_s"
	run ldd "$ROOT/sghook"
	assert_status 0
	local extra
	extra=$(grep -Ev 'linux-vdso\.so|libc\.so|libm\.so|ld-linux' <<<"$output" || true)
	[ -z "$extra" ] || fail_with "unexpected shared libraries: $extra"
}

@test "--version names the Debian source version of its libgit2, and its PCRE2 and JIT" {
	run "$ROOT/sghook" --version
	assert_status 0
	assert_output_contains "built from Debian source $(cat "$ROOT/build/libgit2/prefix/VERSION")"
	assert_output_matches "PCRE2 [0-9]+\.[0-9]+ \(JIT (on|off)\)"
	assert_output_contains "https off, ssh off"
	assert_output_contains "shallow clones supported"
}

@test "a second make rebuilds nothing, libgit2 least of all" {
	run make -C "$ROOT" -q sghook
	assert_status 0
}

@test "make clean keeps the libgit2 build, make distclean removes it" {
	local t="$BATS_TEST_TMPDIR/tree"
	copy_tree "$t"
	run make -C "$t" -n sghook
	assert_status 0
	assert_output_not_contains "mk/libgit2.sh"
	make -C "$t" clean >/dev/null
	[ -f "$t/build/libgit2/prefix/lib/libgit2.a" ] || fail_with "make clean removed libgit2"
	make -C "$t" distclean >/dev/null
	[ ! -e "$t/build" ] || fail_with "make distclean left build/"
}

@test "make fails with one clear line when libgit2's source cannot be fetched" {
	local t="$BATS_TEST_TMPDIR/tree"
	copy_tree "$t" --bare
	run --separate-stderr env LIBGIT2_MIRROR=http://127.0.0.1:9 make -C "$t" -s sghook
	[ "$status" -ne 0 ] || fail_with "make succeeded without libgit2's source"
	local lines
	lines=$(grep -c '^mk/libgit2.sh: ' <<<"$stderr")
	[ "$lines" -eq 1 ] || fail_with "expected one line from mk/libgit2.sh, got $lines"
	assert_stderr_contains "cannot fetch"
	assert_stderr_contains "make LIBGIT2=system"
	[ ! -e "$t/sghook" ] || fail_with "a binary was made"
}

@test "fetching libgit2's source needs no root and leaves the system's apt state alone" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to run the fetch as another user"
	command -v runuser >/dev/null || skip "runuser is not installed"
	local d before after
	# Out of $BATS_TEST_TMPDIR, whose parents nobody may not enter.
	d=$(mktemp -d /tmp/sghook-fetch.XXXXXX)
	FETCH_DIR=$d
	cp "$ROOT/mk/libgit2.sh" "$d/"
	chmod 755 "$d"
	chown nobody "$d"
	before=$(find /etc/apt /var/lib/apt/lists -type f -exec md5sum {} + 2>/dev/null | sort)
	run runuser -u nobody -- env LIBGIT2_FETCH_ONLY=1 "$d/libgit2.sh" "$d/out"
	assert_status 0
	after=$(find /etc/apt /var/lib/apt/lists -type f -exec md5sum {} + 2>/dev/null | sort)
	[ "$before" = "$after" ] || fail_with "the system's apt files changed"
	[ -f "$d/out/src/CMakeLists.txt" ] || fail_with "no unpacked source"
	grep -q '^1\.9\.' "$d/out/src/VERSION.debian" || fail_with "unexpected version $(cat "$d/out/src/VERSION.debian")"
	# Debian's patches are applied, as dpkg-source does.
	[ -d "$d/out/src/.pc" ] || [ -d "$d/out/src/debian/patches" ] || fail_with "no Debian patches"
}
