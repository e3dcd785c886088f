# shellcheck shell=bash
# Assertions shared by every suite. $output, $stderr and $status are what
# bats' `run` left; on failure the message comes first, then all three.

fail_with() {
	printf '%s\n' "$@" >&2
	printf -- '--- status: %s\n--- output:\n%s\n--- stderr:\n%s\n---\n' \
		"${status:-?}" "${output:-}" "${stderr:-}" >&2
	return 1
}
# Whether the binary under test carries AddressSanitizer (make test-sanitize).
sghook_is_sanitized() {
	grep -qaF __asan_init "${SGHOOK:-$BATS_TEST_DIRNAME/../sghook}"
}
assert_status() {
	[ "$status" -eq "$1" ] || fail_with "expected exit status $1, got $status"
}
assert_equal() {
	[ "$1" = "$2" ] || fail_with "expected '$2', got '$1'${3:+ ($3)}"
}
assert_output_contains() {
	grep -qF -- "$1" <<<"$output" || fail_with "expected output to contain: $1"
}
assert_output_not_contains() {
	! grep -qF -- "$1" <<<"$output" || fail_with "expected output NOT to contain: $1"
}
assert_output_matches() {
	grep -qE -- "$1" <<<"$output" || fail_with "expected an output line matching: $1"
}
assert_output_not_matches() {
	! grep -qE -- "$1" <<<"$output" || fail_with "expected no output line matching: $1"
}
assert_output_empty() {
	[ -z "$output" ] || fail_with "expected an empty output"
}
assert_stderr_contains() {
	grep -qF -- "$1" <<<"$stderr" || fail_with "expected stderr to contain: $1"
}
assert_stderr_not_contains() {
	! grep -qF -- "$1" <<<"$stderr" || fail_with "expected stderr NOT to contain: $1"
}
assert_stderr_matches() {
	grep -qE -- "$1" <<<"$stderr" || fail_with "expected a stderr line matching: $1"
}
assert_stderr_empty() {
	[ -z "$stderr" ] || fail_with "expected an empty stderr"
}

# repo_state DIR: one line per entry under DIR (and DIR itself): type,
# mode, size, modification time to the nanosecond, and a checksum of each
# file's content, sorted. Equal states: nothing was written, created,
# removed or rewritten there, not even a lock file that came and went (a
# directory's time would move).
repo_state() {
	(
		cd "$1" || exit 1
		find . -printf '%y %m %s %T@ %p\n' | LC_ALL=C sort -k5
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
	)
}
# assert_state_unchanged BEFORE AFTER WHAT: the two repo_state listings match.
assert_state_unchanged() {
	[ "$1" = "$2" ] && return 0
	fail_with "$3 changed the repository:" \
		"$(diff <(printf '%s\n' "$1") <(printf '%s\n' "$2") | head -20)"
}
