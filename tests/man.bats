#!/usr/bin/env bats
# sghook(1), hook/sghook.1: it renders without a warning, and it keeps up
# with the code: every option of --help, every sghook.* setting the code
# reads and every environment variable it reads has its entry.

bats_require_minimum_version 1.5.0

load 'helpers/server'

setup() {
	setup_git_env
	PAGE="$SGHOOK_SRC/hook/sghook.1"
}

@test "mandoc's lint finds nothing to say about sghook(1)" {
	command -v mandoc >/dev/null || skip "mandoc is not installed (tests/deps.sh)"
	# Lines about the machine's mandoc.db are not about the page.
	run --separate-stderr mandoc -T lint -W style "$PAGE"
	output=$(printf '%s\n%s\n' "$output" "$stderr" | grep -v 'mandoc\.db' | grep -v '^$' || true)
	assert_output_empty
}

@test "groff renders sghook(1) without a warning" {
	run --separate-stderr groff -mandoc -ww -z -Tutf8 "$PAGE"
	assert_status 0
	assert_stderr_empty
}

@test "man -l shows sghook(1) with each of its sections" {
	local s
	run --separate-stderr env MANWIDTH=80 man -l "$PAGE"
	assert_status 0
	for s in NAME SYNOPSIS DESCRIPTION CONFIGURATION ENVIRONMENT FILES \
		"EXIT STATUS" EXAMPLES "SEE ALSO"; do
		assert_output_matches "^$s\$"
	done
	assert_output_contains "keep Segment Public API tokens out of git history"
}

@test "every option that --help lists has an entry of its own in sghook(1)" {
	local opts opt
	run --separate-stderr "$SGHOOK" --help
	assert_status 0
	opts=$(grep -oE -- '--[a-z][a-z-]*' <<<"$output" | sort -u)
	[ "$(wc -l <<<"$opts")" -ge 10 ] || fail_with "too few options parsed from --help: $opts"
	for opt in $opts; do
		grep -qE "^\.It (.* )?Fl \\\\${opt#-}( |$)" "$PAGE" ||
			fail_with "sghook(1) has no '.It Fl \\$opt' entry for $opt, which --help lists"
	done
}

@test "every option sghook(1) describes is one that --help lists" {
	local opts opt help
	help=$("$SGHOOK" --help)
	opts=$(grep -E '^\.It .*Fl \\-' "$PAGE" | grep -oE 'Fl \\-[a-z][a-z-]*' | grep -oE -- '-[a-z][a-z-]*$' | sort -u)
	[ -n "$opts" ]
	for opt in $opts; do
		grep -qE -- "-${opt}([ ,|]|$)" <<<"$help" ||
			fail_with "sghook(1) describes -$opt, which --help does not list"
	done
}

@test "every sghook.* setting that sghook and install.sh read is described in sghook(1)" {
	local keys key
	keys=$( { grep -oE 'cfg, "sghook\.[A-Za-z]+"' "$SGHOOK_SRC"/hook/*.c |
		grep -oE 'sghook\.[A-Za-z]+'
		grep -oE 'git config [^;|]*sghook\.[A-Za-z]+' "$SGHOOK_SRC/install.sh" |
		grep -oE 'sghook\.[A-Za-z]+'; } | sort -u)
	[ "$(wc -l <<<"$keys")" -ge 5 ] || fail_with "too few keys found in the code: $keys"
	for key in $keys; do
		grep -qxF ".It Va $key" "$PAGE" ||
			fail_with "sghook(1) has no '.It Va $key' entry"
	done
}

@test "every environment variable the code reads by name is in sghook(1)" {
	local vars var
	vars=$(grep -ohE 'getenv\("[A-Z_]+"\)' "$SGHOOK_SRC"/hook/*.c "$SGHOOK_SRC"/lib/*.c |
		grep -oE '[A-Z_]{2,}' | sort -u)
	[ -n "$vars" ]
	for var in $vars; do
		grep -qE "^\.It Ev (.* )?$var( |$)" "$PAGE" ||
			fail_with "sghook(1) has no ENVIRONMENT entry for $var"
	done
}

@test "every mode of the usage is in the SYNOPSIS of sghook(1)" {
	local modes mode
	modes=$("$SGHOOK" --help | grep -oE '^ *(usage: )?sghook --[a-z-]+' | grep -oE -- '--[a-z-]+$')
	[ -n "$modes" ]
	for mode in $modes; do
		sed -n '/^\.Sh SYNOPSIS/,/^\.Sh DESCRIPTION/p' "$PAGE" |
			grep -qxE "\.Fl \\\\${mode#-}( .*)?" ||
			fail_with "the SYNOPSIS of sghook(1) lacks $mode"
	done
}
