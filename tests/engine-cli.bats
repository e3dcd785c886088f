#!/usr/bin/env bats
# The command line: modes, options, exit status and error lines.
# Exit: 0 nothing blocking, 1 a blocking finding, 2 a usage error or
# anything that stopped the scan (never 0 after an error), with one line
# "sghook: ..." on stderr.

load helpers/engine

setup() {
	engine_setup
	plant_base
}

# A rule file of our own: ACME keys, acme_ and 32 hex digits.
write_acme_rules() {
	cat >"$BATS_TEST_TMPDIR/acme.rules" <<'EOF'
[rule "acme-api-key"]
	description = ACME API key
	confidence = high
	keyword = acme_
	regex = (?<![A-Za-z0-9_])acme_([a-f0-9]{32})(?![A-Za-z0-9_])
	entropy = 3.0
EOF
}
ACME_KEY=acme_9f86d081884c7d659a2feaa0c55ad015

# ------------------------------------------------------------ help, version

@test "--help prints the usage on stdout and exits 0" {
	run_sghook --help
	assert_status 0
	assert_output_contains "usage: sghook --pre-commit"
	assert_output_contains "--check-range REV..."
	assert_stderr_empty
}

@test "-h is --help" {
	run_sghook -h
	assert_status 0
	assert_output_contains "usage: sghook"
}

@test "--version prints the version and exits 0" {
	run_sghook --version
	assert_status 0
	assert_output_matches '^sghook [0-9]+\.[0-9]+\.[0-9]+'
	assert_stderr_empty
}

@test "--help and --version work outside a repository" {
	mkdir "$BATS_TEST_TMPDIR/nowhere"
	cd "$BATS_TEST_TMPDIR/nowhere"
	run_sghook --help
	assert_status 0
	run_sghook --version
	assert_status 0
}

# ------------------------------------------------------------ usage errors

@test "no mode prints the usage on stderr and exits 2" {
	run_sghook
	assert_status 2
	assert_output_empty
	assert_stderr_contains "usage: sghook"
}

@test "options without a mode exit 2" {
	run_sghook --format json
	assert_status 2
	assert_stderr_contains "usage: sghook"
}

@test "an unknown option prints its name and the usage, and exits 2" {
	run_sghook --pre-commit --frobnicate
	assert_status 2
	assert_output_empty
	assert_stderr_contains "sghook: unknown or incomplete option '--frobnicate'"
	assert_stderr_contains "usage: sghook"
}

@test "an unknown short option exits 2" {
	run_sghook --pre-commit -z
	assert_status 2
	assert_stderr_contains "-z"
	assert_stderr_contains "usage: sghook"
}

@test "two modes at once exit 2" {
	run_sghook --pre-commit --check-range HEAD
	assert_status 2
	assert_output_empty
	assert_stderr_contains "sghook: choose one of"
}

@test "an unknown --format exits 2 with one line" {
	run_sghook --check-range HEAD --format xml
	assert_status 2
	assert_one_error_line
	assert_stderr_contains "xml"
}

@test "an unknown --color exits 2 with one line" {
	run_sghook --check-range HEAD --color sometimes
	assert_status 2
	assert_one_error_line
}

@test "--jobs must be a number from 1 to 256" {
	local bad
	for bad in 0 -1 abc 257 4x; do
		run_sghook --check-range HEAD --jobs "$bad"
		assert_status 2
		assert_one_error_line
	done
	run_sghook --check-range HEAD --jobs 2
	assert_status 0
}

@test "git config sghook.jobs must be a number from 1 to 256, and --jobs overrides it" {
	local bad
	for bad in 0 257 many; do
		git config sghook.jobs "$bad"
		run_sghook --check-range HEAD
		assert_status 2
		assert_one_error_line
		assert_stderr_contains "sghook.jobs"
		run_sghook --check-range HEAD --jobs 1
		assert_status 0
	done
	git config sghook.jobs 3
	run_sghook --check-range HEAD
	assert_status 0
}

@test "a missing option argument exits 2" {
	run_sghook --check-range HEAD --format
	assert_status 2
	assert_stderr_contains "usage: sghook"
}

# ------------------------------------------------------------ repositories

@test "--pre-commit outside a repository exits 2 with one line" {
	mkdir "$BATS_TEST_TMPDIR/nowhere"
	cd "$BATS_TEST_TMPDIR/nowhere"
	run_sghook --pre-commit
	assert_status 2
	assert_output_empty
	assert_one_error_line
	assert_stderr_contains "not in a git repository"
}

@test "--check-range outside a repository exits 2 with one line" {
	mkdir "$BATS_TEST_TMPDIR/nowhere"
	cd "$BATS_TEST_TMPDIR/nowhere"
	run_sghook --check-range HEAD
	assert_status 2
	assert_output_empty
	assert_one_error_line
}

@test "--pre-commit in a bare repository exits 2 with one line" {
	git clone -q --bare "$REPO" "$BATS_TEST_TMPDIR/bare.git"
	cd "$BATS_TEST_TMPDIR/bare.git"
	run_sghook --pre-commit
	assert_status 2
	assert_one_error_line
	assert_stderr_contains "bare"
}

@test "--check-range works in a bare repository" {
	printf 'KEY=%s\n' "$(new_token)" >k.env
	git add k.env
	commit_unchecked "leak"
	git clone -q --bare "$REPO" "$BATS_TEST_TMPDIR/bare.git"
	cd "$BATS_TEST_TMPDIR/bare.git"
	run_sghook --check-range HEAD
	assert_status 1
	assert_output_contains "k.env:1"
}

@test "the repository comes from GIT_DIR when it is set" {
	printf 'KEY=%s\n' "$(new_token)" >k.env
	git add k.env
	commit_unchecked "leak"
	mkdir "$BATS_TEST_TMPDIR/nowhere"
	cd "$BATS_TEST_TMPDIR/nowhere"
	GIT_DIR="$REPO/.git" run_sghook --check-range HEAD
	assert_status 1
	assert_output_contains "k.env:1"
}

@test "a HEAD naming a missing commit refuses the commit (exit 2)" {
	echo x >x.txt
	git add x.txt
	git update-ref refs/heads/main 0123456789012345678901234567890123456789 2>/dev/null ||
		echo 0123456789012345678901234567890123456789 >.git/refs/heads/main
	run_sghook --pre-commit
	assert_status 2
	assert_one_error_line
}

# ------------------------------------------------------------ rules

@test "a --rules path that does not exist exits 2 with one line" {
	run_sghook --pre-commit --rules "$BATS_TEST_TMPDIR/no-such.rules"
	assert_status 2
	assert_output_empty
	assert_one_error_line
	assert_stderr_contains "no-such.rules"
	run_sghook --check-range HEAD --rules "$BATS_TEST_TMPDIR/no-such.rules"
	assert_status 2
	assert_one_error_line
}

@test "a --rules directory without rule files exits 2" {
	mkdir "$BATS_TEST_TMPDIR/empty-rules"
	run_sghook --check-range HEAD --rules "$BATS_TEST_TMPDIR/empty-rules"
	assert_status 2
	assert_one_error_line
}

@test "a rule file with a bad regular expression exits 2 with one line" {
	cat >"$BATS_TEST_TMPDIR/bad.rules" <<'EOF'
[rule "broken"]
	description = broken
	keyword = x
	regex = (unclosed[
EOF
	run_sghook --check-range HEAD --rules "$BATS_TEST_TMPDIR/bad.rules"
	assert_status 2
	assert_one_error_line
	assert_stderr_contains "broken"
}

@test "a rule value sghook cannot use (randomTier = maybe) exits 2 naming the file, line and key, never a weaker default" {
	local rules="$BATS_TEST_TMPDIR/weak.rules" line
	# A short random body with no Segment word near it: only the random
	# tier blocks it.
	printf 'id: sgp_k3R9xQ2mW7pL4vN8\n' >short.txt
	run_sghook --scan short.txt --format json
	assert_status 1
	assert_json '.[0].tier == "random"'
	sed 's/^\(\trandomTier = \).*/\1maybe/' "$BATS_TEST_DIRNAME/../rules/segment.rules" >"$rules"
	cp "$BATS_TEST_DIRNAME/../rules/segment-public-api-token.txt" "$BATS_TEST_TMPDIR/"
	line=$(grep -n 'randomTier = maybe' "$rules" | cut -d: -f1)
	[ -n "$line" ]
	run_sghook --scan short.txt --rules "$rules"
	assert_status 2
	assert_output_empty
	assert_one_error_line
	assert_stderr_contains "$rules:$line: rule segment-public-api-token: randomTier = 'maybe'"
}

@test "a rule file that is not git-config syntax exits 2" {
	printf 'this is not a rule file\n' >"$BATS_TEST_TMPDIR/junk.rules"
	run_sghook --pre-commit --rules "$BATS_TEST_TMPDIR/junk.rules"
	assert_status 2
	assert_one_error_line
}

@test "a git config sghook.rules that does not exist exits 2" {
	git config sghook.rules "$BATS_TEST_TMPDIR/nowhere.rules"
	run_sghook --check-range HEAD
	assert_status 2
	assert_one_error_line
}

@test "--rules adds a rule to the built-in ones" {
	write_acme_rules
	printf 'acme = "%s"\nSEGMENT_API_TOKEN=%s\n' "$ACME_KEY" "$SEED_TOKEN" >keys.txt
	git add keys.txt
	run --separate-stderr "$SGHOOK" --pre-commit --format json --rules "$BATS_TEST_TMPDIR/acme.rules"
	assert_status 1
	assert_json '[.[].rule] == ["acme-api-key", "segment-public-api-token"]'
	assert_json '.[0].line == 1 and .[1].line == 2'
}

@test "--rules is repeatable" {
	write_acme_rules
	cat >"$BATS_TEST_TMPDIR/zeta.rules" <<'EOF2'
[rule "zeta-key"]
	description = Zeta key
	keyword = zeta_
	regex = (?<![A-Za-z0-9_])zeta_([A-Za-z0-9]{24})(?![A-Za-z0-9_])
	entropy = 3.0
EOF2
	printf 'a = "%s"\nz = "zeta_Q7w2E9r4T1y6U3i8O5p0A2s7"\n' "$ACME_KEY" >keys.txt
	git add keys.txt
	run --separate-stderr "$SGHOOK" --pre-commit --format json \
		--rules "$BATS_TEST_TMPDIR/acme.rules" --rules "$BATS_TEST_TMPDIR/zeta.rules"
	assert_status 1
	assert_json '[.[].rule] == ["acme-api-key", "zeta-key"]'
}

@test "git config sghook.rules adds a rule through the hook" {
	write_acme_rules
	git config sghook.rules "$BATS_TEST_TMPDIR/acme.rules"
	printf 'acme = "%s"\n' "$ACME_KEY" >acme.txt
	git add acme.txt
	try_commit "acme"
	assert_commit_refused acme.txt:1
	assert_stderr_contains "acme-api-key"
}

# ------------------------------------------------------------ output

@test "--format json with nothing found prints an empty array and exits 0" {
	run_sghook --check-range HEAD --format json --quiet
	assert_status 0
	assert_equal "$output" "[]"
	assert_stderr_empty
	run_sghook --pre-commit --format json
	assert_status 0
	assert_equal "$output" "[]"
}

@test "--pre-commit text goes to stderr, JSON to stdout" {
	printf 'SEGMENT_API_TOKEN=%s\n' "$SEED_TOKEN" >s.env
	git add s.env
	run_sghook --pre-commit
	assert_status 1
	assert_output_empty
	assert_stderr_contains "s.env:1"
	run_sghook --pre-commit --format json
	assert_status 1
	assert_stderr_empty
	assert_output_contains '"path": "s.env"'
}

@test "--color never and --color always decide colour whatever the terminal" {
	printf 'KEY=%s\n' "$(new_token)" >k.env
	git add k.env
	commit_unchecked "leak"
	run_sghook --check-range HEAD --color always
	assert_status 1
	grep -q $'\033\\[' <<<"$output" || fail_with "no ANSI escape with --color always"
	run_sghook --check-range HEAD --color never
	assert_status 1
	! grep -q $'\033' <<<"$output" || fail_with "ANSI escape with --color never"
	run_sghook --check-range HEAD
	assert_status 1
	! grep -q $'\033' <<<"$output" || fail_with "ANSI escape on a pipe with --color auto"
}

@test "--color auto colours on a terminal, and NO_COLOR turns it off" {
	command -v script >/dev/null || skip "script(1) is not installed"
	printf 'KEY=%s\n' "$(new_token)" >k.env
	git add k.env
	commit_unchecked "leak"
	# script(1) gives sghook a pseudo-terminal for stdout and stderr.
	run script -qec "\"$SGHOOK\" --check-range HEAD" /dev/null
	assert_output_contains "k.env:1"
	grep -q $'\033\\[' <<<"$output" || fail_with "no colour on a terminal"
	run env NO_COLOR=1 script -qec "\"$SGHOOK\" --check-range HEAD" /dev/null
	assert_output_contains "k.env:1"
	! grep -q $'\033' <<<"$output" || fail_with "colour despite NO_COLOR"
}

@test "JSON output is never coloured" {
	printf 'KEY=%s\n' "$(new_token)" >k.env
	git add k.env
	run_sghook --pre-commit --format json --color always
	assert_status 1
	! grep -q $'\033' <<<"$output$stderr" || fail_with "ANSI escape in JSON"
	need_jq
	assert_json 'length == 1'
}

@test "a report that cannot be written exits 2, never 0 or 1" {
	printf 'KEY=%s\n' "$(new_token)" >k.env
	git add k.env
	commit_unchecked "leak"
	[ -w /dev/full ] || skip "no /dev/full"
	run --separate-stderr sh -c '"$1" --check-range HEAD --format json >/dev/full' sh "$SGHOOK"
	assert_status 2
	assert_one_error_line
	run --separate-stderr sh -c '"$1" --check-range HEAD~1..HEAD~1 --format json >/dev/full' sh "$SGHOOK"
	assert_status 2
}

@test "JSON escapes quotes, backslashes and spaces in paths, and keeps UTF-8" {
	need_jq
	local path='dir with space/q"uo\te ü.env'
	mkdir -p "dir with space"
	printf 'KEY=%s\n' "$(new_token)" >"$path"
	git add -- "$path"
	run_sghook --pre-commit --format json
	assert_status 1
	assert_json ".[0].path == \"dir with space/q\\\"uo\\\\te ü.env\""
}

@test "a path that is not UTF-8 still gives valid JSON" {
	command -v python3 >/dev/null || skip "python3 is not installed"
	local path
	path=$(printf 'caf\351.env')
	printf 'KEY=%s\n' "$(new_token)" >"$path"
	git add -- "$path"
	run_sghook --pre-commit --format json
	assert_status 1
	# Strict JSON (RFC 8259: UTF-8); jq would silently repair it.
	python3 -c 'import json, sys; json.loads(sys.stdin.buffer.read())' <<<"$output" ||
		fail_with "invalid JSON for a Latin-1 path"
}

# ------------------------------------------------------------ --scan

@test "--scan judges whole files outside any repository" {
	mkdir "$BATS_TEST_TMPDIR/nowhere"
	cd "$BATS_TEST_TMPDIR/nowhere"
	printf 'a\nSEGMENT_API_TOKEN=%s\n' "$SEED_TOKEN" >leak.env
	echo clean >clean.txt
	run_sghook --scan clean.txt leak.env
	assert_status 1
	assert_output_contains "leak.env:2  segment-public-api-token"
	assert_output_not_contains "clean.txt"
	assert_not_leaked "$SEED_TOKEN"
	run_sghook --scan clean.txt
	assert_status 0
	assert_output_empty
}

@test "--scan - reads standard input" {
	run --separate-stderr sh -c 'printf "SEGMENT_API_TOKEN=%s\n" "$2" | "$1" --scan -' sh "$SGHOOK" "$SEED_TOKEN"
	assert_status 1
	assert_output_contains "(stdin):1"
}

@test "--scan of a missing file exits 2 with one line" {
	run_sghook --scan "$BATS_TEST_TMPDIR/no-such-file"
	assert_status 2
	assert_one_error_line
	run_sghook --scan "$BATS_TEST_TMPDIR/no-such-dir/"
	assert_status 2
	assert_one_error_line
}

@test "--scan DIR scans every file under it, in name order, but not .git nor symbolic links" {
	local d="$BATS_TEST_TMPDIR/checkout"
	mkdir -p "$d/src/deep/er" "$d/.git" "$d/sub/.git"
	echo clean >"$d/README"
	printf 'SEGMENT_API_TOKEN=%s\n' "$SEED_TOKEN" >"$d/src/deep/er/b.env"
	printf 'x\nSEGMENT_API_TOKEN=%s\n' "$(new_token)" >"$d/src/a.env"
	printf 'SEGMENT_API_TOKEN=%s\n' "$SEED_TOKEN" >"$d/.git/config"
	printf 'SEGMENT_API_TOKEN=%s\n' "$SEED_TOKEN" >"$d/sub/.git/config"
	ln -s "$d/src/a.env" "$d/link.env"
	run_sghook --scan "$d"
	assert_status 1
	assert_output_contains "sghook: 2 secrets found"
	assert_equal "$(grep -o "$d/[^:]*:[0-9]*" <<<"$output")" "$d/src/a.env:2
$d/src/deep/er/b.env:1"
	run_sghook --scan "$d/README" "$d/src/deep"
	assert_status 1
	assert_output_contains "sghook: 1 secret found"
}

@test "--scan without a file exits 2" {
	run_sghook --scan
	assert_status 2
	assert_one_error_line
}
