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
