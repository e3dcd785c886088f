#!/usr/bin/env bats
# Repositories an attacker or an unlucky administrator can make: huge blobs
# and lines, wide and deep trees, octopus merges, gitlinks and symlinks,
# paths no terminal should see raw, long leaky histories. Each is written
# at test time (git fast-import) and judged in every mode where it can
# occur, with sghook held to an address space of 64 MiB more than the
# repository's largest blob (prlimit --as, worker processes included); each
# must give the right verdict, so that an exit 0 cannot pass unjudged.

load helpers/engine
load helpers/server
load helpers/adversarial

setup() {
	engine_setup
	need_jq
	command -v prlimit >/dev/null || skip "needs prlimit (util-linux)"
	# AddressSanitizer reserves terabytes of address space for its shadow
	# memory: no --as limit can hold it. make test runs this suite.
	! sghook_is_sanitized ||
		skip "an address-space limit cannot hold AddressSanitizer's shadow memory"
	plant README 'adversarial repository
' "initial commit"
	BASE=$(git rev-parse HEAD)
	SRV="$BATS_TEST_TMPDIR/srv"
	mkdir -p "$SRV"
	TOKEN=$(tokens 1)
}

teardown() {
	stop_daemon
}

# --pre-commit on what `git read-tree REV` stages over HEAD = BASE.
stage_tree() {
	git read-tree "$1"
}

# ------------------------------------------------------------ large content

@test "a 200 MiB blob with a token on its last line is found in a range, before a commit and in a push" {
	local big="$BATS_TEST_TMPDIR/big.txt" as
	big_text "$big" 200 "SEGMENT_API_TOKEN=$TOKEN"
	as=$(as_limit "$(stat -c %s "$big")")
	commit_file_fast refs/heads/big big.txt "$big"

	run_limited "$as" --check-range "$BASE..big" --format json
	assert_status 1
	assert_json "length == 1 and .[0].path == \"big.txt\" and .[0].line == $BIG_LINES"

	# git add writes a loose object (here uncompressed: the most to read).
	cp "$big" big.txt
	git -c core.looseCompression=0 add big.txt
	run_limited "$as" --pre-commit
	assert_status 1
	assert_stderr_contains "  big.txt:$BIG_LINES  segment-public-api-token"

	# Three objects: receive-pack unpacks them as loose objects.
	start_daemon
	limited_server big "$as"
	git --git-dir="$SRV/big.git" config core.looseCompression 0
	push_to big
	assert_push_refused_for_secrets big big
	assert_output_contains "remote:   "
	assert_output_contains " big.txt:$BIG_LINES  "
}

@test "a token at the end of one 50 MiB line is found, with its line and column" {
	local line="$BATS_TEST_TMPDIR/line.js" n=$((50 << 20)) as
	{
		head -c "$n" /dev/zero | tr '\0' 'q'
		printf ';segment_write_key="sgp_Xq7rT2mK9vLp4WzB8nC3"\n'
	} >"$line"
	as=$(as_limit "$(stat -c %s "$line")")
	commit_file_fast refs/heads/line min.js "$line"

	run_limited "$as" --check-range "$BASE..line" --format json --no-redact
	assert_status 1
	assert_json "length == 1 and .[0].line == 1 and .[0].column == $((n + 21))"
	assert_json '.[0].secret == "sgp_Xq7rT2mK9vLp4WzB8nC3" and .[0].tier == "context"'

	stage_tree line
	run_limited "$as" --pre-commit
	assert_status 1
	assert_stderr_contains "  min.js:1  segment-public-api-token"
}

@test "20 MiB of repeated sgp_ before one token gives that token alone" {
	local rep="$BATS_TEST_TMPDIR/rep.txt" as
	{
		head -c $((5 << 20)) /dev/zero | sed 's/\x0/sgp_/g'
		printf '\nSEGMENT_API_TOKEN=%s\n' "$TOKEN"
	} >"$rep"
	[ "$(stat -c %s "$rep")" -gt $((20 << 20)) ]
	as=$(as_limit "$(stat -c %s "$rep")")
	commit_file_fast refs/heads/rep rep.txt "$rep"

	run_limited "$as" --check-range "$BASE..rep" --format json --no-redact
	assert_status 1
	assert_json "length == 1 and .[0].line == 2 and .[0].secret == \"$TOKEN\""

	stage_tree rep
	run_limited "$as" --pre-commit
	assert_status 1
	assert_stderr_contains "  rep.txt:2  segment-public-api-token"
}

@test "20 MiB of the encoded forms of sgp_ on one line before one base64 token gives that token alone" {
	local rep="$BATS_TEST_TMPDIR/enc.txt" as
	{
		# every base64 and UTF-16 literal sgp_ has, a million times over
		head -c $((1 << 20)) /dev/zero |
			sed 's/\x0/c2dwX NncF zZ3Bf s\x0g\x0p\x0_ /g' | head -c $((20 << 20))
		printf '\ndata:\n  token: %s\n' "$(printf %s "$TOKEN" | base64 -w0)"
	} >"$rep"
	[ "$(stat -c %s "$rep")" -gt $((20 << 20)) ]
	as=$(as_limit "$(stat -c %s "$rep")")
	commit_file_fast refs/heads/enc enc.txt "$rep"

	run_limited "$as" --check-range "$BASE..enc" --format json --no-redact
	assert_status 1
	assert_json "length == 1 and .[0].line == 3 and .[0].column == 10 and .[0].secret == \"$TOKEN\" and .[0].encoding == \"base64\""
}

@test "20 MiB of placeholder tokens on one line before one token gives that token alone" {
	local rep="$BATS_TEST_TMPDIR/ph.txt" as
	{
		yes 'sgp_xxxxxxxxxxxxxxxxxxxxxxxx' | head -c $((20 << 20)) | tr '\n' ' '
		printf '\nSEGMENT_API_TOKEN=%s\n' "$TOKEN"
	} >"$rep"
	as=$(as_limit "$(stat -c %s "$rep")")
	commit_file_fast refs/heads/ph ph.txt "$rep"

	run_limited "$as" --check-range "$BASE..ph" --format json --no-redact
	assert_status 1
	assert_json "length == 1 and .[0].line == 2 and .[0].secret == \"$TOKEN\""
}

# ------------------------------------------------------------ wide and deep

# Two commits on `wide`: one adding 100,000 files (1,000 directories of
# 100), T1 in d0001/f001.txt; one changing every one of them, which keeps
# T1 and adds T2 to d0500/f050.txt.
wide_stream() {
	awk -v t1="$1" -v t2="$2" -v base="$BASE" 'BEGIN {
		for (c = 1; c <= 2; c++) {
			msg = c == 1 ? "add 100000 files" : "change 100000 files"
			printf "commit refs/heads/wide\ncommitter Adv <adv@example.invalid> 1700000000 +0000\n"
			printf "data %d\n%s\n", length(msg), msg
			if (c == 1) printf "from %s\n", base
			for (d = 0; d < 1000; d++)
				for (f = 0; f < 100; f++) {
					data = sprintf("version %d of file %d/%d\n", c, d, f)
					if (d == 1 && f == 1)
						data = data "SEGMENT_API_TOKEN=" t1 "\n"
					if (c == 2 && d == 500 && f == 50)
						data = data "SEGMENT_API_TOKEN=" t2 "\n"
					printf "M 100644 inline d%04d/f%03d.txt\ndata %d\n%s\n", d, f, length(data), data
				}
		}
	}'
}

@test "a commit touching 100,000 files is judged in a range, before a commit and in a push" {
	local t as
	mapfile -t t < <(tokens 2)
	wide_stream "${t[0]}" "${t[1]}" | git fast-import --quiet
	[ "$(git ls-tree -r wide | wc -l)" -eq 100001 ]
	[ "$(git diff --name-only wide~1 wide | wc -l)" -eq 100000 ]
	as=$(as_limit 100)

	run_limited "$as" --check-range "$BASE..wide~1" --format json
	assert_status 1
	assert_json 'length == 1 and .[0].path == "d0001/f001.txt"'
	run_limited "$as" --check-range "wide~1..wide" --format json
	assert_status 1
	assert_json 'length == 1 and .[0].path == "d0500/f050.txt" and .[0].line == 2'
	assert_json ".[0].commit == \"$(git rev-parse wide)\""

	git update-ref HEAD wide~1
	git read-tree wide
	run_limited "$as" --pre-commit
	assert_status 1
	assert_stderr_contains "  d0500/f050.txt:2  segment-public-api-token"
	assert_stderr_not_contains "d0001/f001.txt"

	# The server has the first commit from before sghook was installed.
	start_daemon
	limited_server wide "$as"
	git branch wide-base wide~1
	git --git-dir="$SRV/wide.git" fetch -q "$REPO" refs/heads/wide-base:refs/heads/wide
	push_to wide
	assert_push_refused_for_secrets wide wide "$(git rev-parse wide~1)"
	assert_output_contains "d0500/f050.txt:2"
	assert_output_not_contains "d0001/f001.txt"
}

@test "in a commit adding 1,001 files, a moved and edited file and an exact copy keep their tokens old" {
	local t as f
	mapfile -t t < <(tokens 3)
	printf 'SEGMENT_API_TOKEN=%s\n' "${t[0]}" >"$BATS_TEST_TMPDIR/keep.env"
	printf 'SEGMENT_API_TOKEN=%s\nPORT=1\n' "${t[1]}" >"$BATS_TEST_TMPDIR/edit.env"
	printf 'SEGMENT_API_TOKEN=%s\nPORT=2\n' "${t[1]}" >"$BATS_TEST_TMPDIR/moved.env"
	printf 'SEGMENT_API_TOKEN=%s\n' "${t[2]}" >"$BATS_TEST_TMPDIR/new.env"
	{
		fi_header refs/heads/old "tokens from before sghook" "$BASE"
		fi_file 100644 conf/keep.env "$BATS_TEST_TMPDIR/keep.env"
		fi_file 100644 conf/edit.env "$BATS_TEST_TMPDIR/edit.env"
		fi_header refs/heads/large "move, edit, copy, add a token and 1,001 files" refs/heads/old
		printf 'D conf/edit.env\n'
		fi_file 100644 conf/moved.env "$BATS_TEST_TMPDIR/moved.env"
		fi_file 100644 conf/copy.env "$BATS_TEST_TMPDIR/keep.env"
		fi_file 100644 conf/new.env "$BATS_TEST_TMPDIR/new.env"
		for ((f = 0; f < 1001; f++)); do
			printf 'M 100644 inline gen/%04d.txt\ndata 9\nfile %04d\n' "$f" "$f"
		done
	} | git fast-import --quiet
	as=$(as_limit 100)

	run_limited "$as" --check-range old..large --format json
	assert_status 1
	assert_json '[.[].path] == ["conf/new.env"]'
}

@test "a token 500 directories deep is found with its whole path" {
	local path="" i as
	for ((i = 1; i <= 500; i++)); do
		path+="d$i/"
	done
	path+="deep.env"
	printf 'SEGMENT_API_TOKEN=%s\n' "$TOKEN" >"$BATS_TEST_TMPDIR/deep.env"
	commit_file_fast refs/heads/deep "$path" "$BATS_TEST_TMPDIR/deep.env"
	as=$(as_limit 100)

	run_limited "$as" --check-range "$BASE..deep" --format json
	assert_status 1
	assert_json "length == 1 and .[0].path == \"$path\""

	stage_tree deep
	run_limited "$as" --pre-commit --format json
	assert_status 1
	assert_json "length == 1 and .[0].path == \"$path\""
}

# ------------------------------------------------------------ merges and odd entries

@test "a 20-parent merge is blamed only for the token it adds itself" {
	local t as b want
	mapfile -t t < <(tokens 21)
	for ((b = 1; b <= 20; b++)); do
		printf 'SEGMENT_API_TOKEN=%s\n' "${t[b]}" >"$BATS_TEST_TMPDIR/b$b.env"
	done
	printf 'SEGMENT_API_TOKEN=%s\n' "${t[0]}" >"$BATS_TEST_TMPDIR/m.env"
	{
		for ((b = 1; b <= 20; b++)); do
			fi_header "refs/heads/b$b" "branch $b" "$BASE"
			fi_file 100644 "b$b.env" "$BATS_TEST_TMPDIR/b$b.env"
		done
		# The merge keeps every parent's file and adds one of its own.
		fi_header refs/heads/octopus "merge 20 branches" refs/heads/b1
		for ((b = 2; b <= 20; b++)); do
			printf 'merge refs/heads/b%d\n' "$b"
		done
		for ((b = 2; b <= 20; b++)); do
			fi_file 100644 "b$b.env" "$BATS_TEST_TMPDIR/b$b.env"
		done
		fi_file 100644 merge.env "$BATS_TEST_TMPDIR/m.env"
	} | git fast-import --quiet
	[ "$(git rev-list --parents -1 octopus | wc -w)" -eq 21 ]
	[ "$(git ls-tree octopus | wc -l)" -eq 22 ]
	as=$(as_limit 100)

	run_limited "$as" --check-range "$BASE..octopus" --format json --no-redact
	assert_status 1
	assert_json 'length == 21'
	assert_json "[.[] | select(.commit == \"$(git rev-parse octopus)\") | .path] == [\"merge.env\"]"
	assert_json "[.[] | select(.path == \"merge.env\") | .secret] == [\"${t[0]}\"]"
	for ((b = 1; b <= 20; b++)); do
		want=$(git rev-parse "b$b")
		assert_json "[.[] | select(.path == \"b$b.env\") | .commit] == [\"$want\"]"
	done

	start_daemon
	limited_server octo "$as"
	push_to octopus
	assert_push_refused_for_secrets octopus octo
	assert_output_contains "21 commits add"
}

@test "gitlinks are skipped, and a symlink whose target is a token is found" {
	local as gitlink=1234567890123456789012345678901234567890
	printf 'SEGMENT_API_TOKEN=%s\n' "$TOKEN" >"$BATS_TEST_TMPDIR/plain.env"
	{
		fi_header refs/heads/odd "gitlinks and symlinks" "$BASE"
		printf 'M 160000 %s vendor/lib\n' "$gitlink"
		printf 'M 160000 %s vendor/other\n' "$(git rev-parse HEAD)"
		printf 'M 120000 inline link-to-token\ndata %d\n%s\n' "${#TOKEN}" "$TOKEN"
		printf 'M 120000 inline link-to-file\ndata 9\nplain.env\n'
		fi_file 100644 plain.env "$BATS_TEST_TMPDIR/plain.env"
	} | git fast-import --quiet
	[ "$(git ls-tree odd vendor/lib | cut -c1-6)" = 160000 ]
	as=$(as_limit 100)

	run_limited "$as" --check-range "$BASE..odd" --format json --no-redact
	assert_status 1
	assert_json '[.[].path] == ["link-to-token", "plain.env"]'
	assert_json "[.[].secret] == [\"$TOKEN\", \"$TOKEN\"]"

	stage_tree odd
	run_limited "$as" --pre-commit --format json
	assert_status 1
	assert_json '[.[].path] == ["link-to-token", "plain.env"]'
}

# ------------------------------------------------------------ paths no terminal should see raw

@test "paths with a newline, ANSI escapes or bytes that are not UTF-8 are escaped in text and valid in JSON and SARIF" {
	local as
	printf 'SEGMENT_API_TOKEN=%s\n' "$TOKEN" >"$BATS_TEST_TMPDIR/t.env"
	{
		fi_header refs/heads/names "odd names" "$BASE"
		fi_file 100644 '"new\nline.env"' "$BATS_TEST_TMPDIR/t.env"
		fi_file 100644 '"\033[2J\033[31mred.env"' "$BATS_TEST_TMPDIR/t.env"
		fi_file 100644 '"caf\351.env"' "$BATS_TEST_TMPDIR/t.env"
	} | git fast-import --quiet
	[ "$(git ls-tree -r -z --name-only names | tr '\0' '\n' | wc -l)" -eq 5 ]
	as=$(as_limit 100)

	run_limited "$as" --check-range "$BASE..names"
	assert_status 1
	[[ $output != *$'\033'* ]] || fail_with "an escape sequence reached the terminal"
	assert_output_contains ' "\033[2J\033[31mred.env":1  '
	assert_output_contains ' "caf\351.env":1  '
	assert_output_contains ' "new\nline.env":1  '
	assert_equal "$(grep -c 'segment-public-api-token' <<<"$output")" 3 "one line a finding"

	run_limited "$as" --check-range "$BASE..names" --format json
	assert_status 1
	assert_json '[.[].path] | sort == ["\u001b[2J\u001b[31mred.env", "caf\ufffd.env", "new\nline.env"]'
	run_limited "$as" --check-range "$BASE..names" --format sarif
	assert_status 1
	assert_json '[.runs[0].results[].locations[0].physicalLocation.artifactLocation.uri] | length == 3'

	stage_tree names
	run_limited "$as" --pre-commit
	assert_status 1
	[[ $stderr != *$'\033'* ]] || fail_with "an escape sequence reached the terminal"
	assert_stderr_contains '  "new\nline.env":1  '

	start_daemon
	limited_server names "$as"
	push_to names
	assert_push_refused_for_secrets names names
	[[ $output != *$'\033['* ]] || fail_with "an escape sequence reached the pusher's terminal"
	assert_output_contains '"caf\351.env":1'
}

# ------------------------------------------------------------ long leaky history

@test "5,000 commits each adding a token are each reported once, in a range and in a push" {
	local as
	tokens 5000 >"$BATS_TEST_TMPDIR/tokens"
	awk -v base="$BASE" '{
		c = NR
		printf "commit refs/heads/many\ncommitter Adv <adv@example.invalid> %d +0000\n", 1700000000 + c
		msg = "leak " c
		printf "data %d\n%s\n", length(msg), msg
		if (c == 1) printf "from %s\n", base
		data = "SEGMENT_API_TOKEN=" $0 "\n"
		printf "M 100644 inline leak/%04d.env\ndata %d\n%s\n", c, length(data), data
	}' "$BATS_TEST_TMPDIR/tokens" | git fast-import --quiet
	[ "$(git rev-list --count "$BASE..many")" -eq 5000 ]
	as=$(as_limit 100)

	run_limited "$as" --check-range "$BASE..many" --format json --no-redact
	assert_status 1
	assert_json 'length == 5000'
	assert_json '[.[].commit] | unique | length == 5000'
	# 5,000 tokens are too long for one jq argument: compared from a file.
	jq -R . "$BATS_TEST_TMPDIR/tokens" | jq -s . >"$BATS_TEST_TMPDIR/want.json"
	jq -e --slurpfile want "$BATS_TEST_TMPDIR/want.json" '[.[].secret] == $want[0]' \
		<<<"$output" >/dev/null || fail_with "the secrets are not the 5,000 tokens, in order"

	start_daemon
	limited_server many "$as"
	push_to many
	assert_push_refused_for_secrets many many
	assert_output_contains "5000 commits add"
}
