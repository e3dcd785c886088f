#!/usr/bin/env bats
# make install / make uninstall into a DESTDIR, and make dist: the release
# tarball is the committed sources alone, and it builds and passes its unit
# tests with nothing else (the Bats suites are run once, from the checkout).

bats_require_minimum_version 1.5.0

load 'helpers/server'

setup() {
	setup_git_env
	D="$BATS_TEST_TMPDIR/stage"
	VERSION=$(sed -n 's/^#define SGHOOK_VERSION "\(.*\)"/\1/p' "$SGHOOK_SRC/lib/sghook.h")
}

sgmake() { make -s -C "$SGHOOK_SRC" "$@"; }

# What make install must put under $D/usr, one path a line, sorted.
expected_files() {
	{
		echo bin/sghook
		echo share/man/man1/sghook.1
		for f in "$SGHOOK_SRC"/rules/*.rules "$SGHOOK_SRC"/rules/*.txt; do
			echo "share/sghook/rules/${f##*/}"
		done
		for f in "$SGHOOK_SRC"/hook/*; do
			grep -qI '^# sghook-managed-hook' "$f" 2>/dev/null &&
				echo "share/sghook/hooks/${f##*/}"
		done
	} | LC_ALL=C sort
}
installed_files() { (cd "$D/usr" && find . -type f | sed 's|^\./||' | LC_ALL=C sort); }

@test "make install DESTDIR PREFIX installs the binary, the rules, sghook(1) and the hook scripts, and nothing else" {
	sgmake install DESTDIR="$D" PREFIX=/usr
	assert_equal "$(installed_files)" "$(expected_files)"
	[ "$(wc -l < <(expected_files))" -ge 8 ]
	assert_equal "$(stat -c %a "$D/usr/bin/sghook")" 755
	assert_equal "$(stat -c %a "$D/usr/share/man/man1/sghook.1")" 644
	assert_equal "$(stat -c %a "$D/usr/share/sghook/rules/segment.rules")" 644
	assert_equal "$(stat -c %a "$D/usr/share/sghook/hooks/pre-commit")" 755
	cmp "$SGHOOK_SRC/hook/sghook.1" "$D/usr/share/man/man1/sghook.1"
}

@test "the installed sghook finds its installed rules and blocks a token" {
	sgmake install DESTDIR="$D" PREFIX=/usr
	printf 'SEGMENT_API_TOKEN=%s\n' "$(new_token)" >"$BATS_TEST_TMPDIR/app.env"
	run --separate-stderr "$D/usr/bin/sghook" --scan "$BATS_TEST_TMPDIR/app.env"
	assert_status 1
	assert_output_contains "segment-public-api-token"
	run --separate-stderr "$D/usr/bin/sghook" --doctor
	assert_output_contains "rules: $D/usr/share/sghook/rules (in the binary's ../share/sghook)"
}

@test "man sghook shows the installed page" {
	sgmake install DESTDIR="$D" PREFIX=/usr
	run env MANPATH="$D/usr/share/man" man -w sghook
	assert_status 0
	assert_equal "$output" "$D/usr/share/man/man1/sghook.1"
	run env MANPATH="$D/usr/share/man" MANWIDTH=80 man sghook
	assert_status 0
	assert_output_contains "keep Segment Public API tokens out of git history"
	assert_output_contains "--check-range"
}

@test "make uninstall removes every file make install put there and the directories that were sghook's alone" {
	sgmake install DESTDIR="$D" PREFIX=/usr
	sgmake uninstall DESTDIR="$D" PREFIX=/usr
	assert_equal "$(installed_files)" ""
	# The shared directories stay, as they would on a real system.
	assert_equal "$(cd "$D/usr" && find . -mindepth 1 | sed 's|^\./||' | LC_ALL=C sort)" \
		"$(printf '%s\n' bin share share/man share/man/man1)"
	# A second run has nothing to do and does not fail.
	sgmake uninstall DESTDIR="$D" PREFIX=/usr
}

@test "make uninstall keeps what it did not install: a rule file of the site's, another program" {
	sgmake install DESTDIR="$D" PREFIX=/usr
	printf '[rule "site"]\n\tkeyword = x\n\tregex = x\n' >"$D/usr/share/sghook/rules/site.rules"
	printf '#!/bin/sh\n' >"$D/usr/bin/other-tool"
	sgmake uninstall DESTDIR="$D" PREFIX=/usr
	assert_equal "$(installed_files)" "$(printf '%s\n' bin/other-tool share/sghook/rules/site.rules)"
	[ ! -e "$D/usr/share/sghook/hooks" ]
}

@test "make dist makes a tarball of the committed sources, named after the version, with nothing built in it" {
	local tarball="$BATS_TEST_TMPDIR/sghook.tar.gz"
	sgmake dist DISTFILE="$tarball"
	[ -s "$tarball" ]
	assert_equal "$(tar -tzf "$tarball" | grep -v '/$' | LC_ALL=C sort)" \
		"$(git -C "$SGHOOK_SRC" ls-tree -r --name-only HEAD | sed "s|^|sghook-$VERSION/|" | LC_ALL=C sort)"
	run tar -tzf "$tarball"
	assert_output_contains "sghook-$VERSION/hook/sghook.1"
	assert_output_contains "sghook-$VERSION/Makefile"
	assert_output_not_matches '(\.o|\.a|/sghook)$'
	assert_output_not_contains "/.git/"
}

@test "make dist outside a git checkout says it needs one" {
	mkdir "$BATS_TEST_TMPDIR/plain"
	cp "$SGHOOK_SRC/Makefile" "$BATS_TEST_TMPDIR/plain/"
	mkdir "$BATS_TEST_TMPDIR/plain/lib"
	cp "$SGHOOK_SRC/lib/sghook.h" "$BATS_TEST_TMPDIR/plain/lib/"
	GIT_CEILING_DIRECTORIES="$BATS_TEST_TMPDIR" run make -s -C "$BATS_TEST_TMPDIR/plain" dist
	assert_status 2
	assert_output_contains "make dist: needs a git checkout with a commit"
}

# The release tarball, unpacked once for the file where no repository is
# around it. Its first build fetches and builds libgit2 (mk/libgit2.sh).
setup_file() {
	local src
	src="$(cd "$BATS_TEST_DIRNAME/.." && pwd -P)"
	VERSION=$(sed -n 's/^#define SGHOOK_VERSION "\(.*\)"/\1/p' "$src/lib/sghook.h")
	make -s -C "$src" dist DISTFILE="$BATS_FILE_TMPDIR/sghook.tar.gz"
	mkdir -p "$BATS_FILE_TMPDIR/rel"
	tar -xzf "$BATS_FILE_TMPDIR/sghook.tar.gz" -C "$BATS_FILE_TMPDIR/rel"
	export REL="$BATS_FILE_TMPDIR/rel/sghook-$VERSION"
}

@test "the release tarball builds alone and its unit tests pass" {
	! sghook_is_sanitized ||
		skip "under make test-sanitize it would build a second libgit2, instrumented; make test builds it"
	export GIT_CEILING_DIRECTORIES="$BATS_FILE_TMPDIR"
	nice make -s -C "$REL"
	run --separate-stderr "$REL/sghook" --version
	assert_status 0
	assert_output_contains "sghook $VERSION"
	run nice make -s -C "$REL" unit
	assert_status 0
	assert_output_not_contains "FAILED"
	printf 'SEGMENT_API_TOKEN=%s\n' "$(new_token)" >"$BATS_TEST_TMPDIR/app.env"
	run --separate-stderr "$REL/sghook" --scan "$BATS_TEST_TMPDIR/app.env"
	assert_status 1
}

@test "./install.sh from the release tarball builds and installs sghook, and man sghook shows its page" {
	! sghook_is_sanitized ||
		skip "under make test-sanitize it would build a second libgit2, instrumented; make test builds it"
	[ "$(id -u)" -eq 0 ] || skip "install.sh runs make install only as root"
	local prefix="$BATS_TEST_TMPDIR/prefix" tree="$BATS_TEST_TMPDIR/release"
	export GIT_CEILING_DIRECTORIES="$BATS_TEST_TMPDIR"
	# A copy without sghook built, so that install.sh builds it; the libgit2
	# an earlier case built (make clean keeps it) is not built again.
	cp -a "$REL" "$tree"
	make -s -C "$tree" clean
	R="$BATS_TEST_TMPDIR/repo"
	git init -q "$R"
	PATH=$(path_without_sghook) SGHOOK='' run "$tree/install.sh" --prefix "$prefix" "$R"
	assert_status 0
	[ -x "$prefix/bin/sghook" ]
	grep -qxF "SGHOOK='$prefix/bin/sghook'" "$R/.git/hooks/pre-commit"
	run env MANPATH="$prefix/share/man" MANWIDTH=80 man sghook
	assert_status 0
	assert_output_contains "keep Segment Public API tokens out of git history"
}
