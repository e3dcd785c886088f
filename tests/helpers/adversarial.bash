# shellcheck shell=bash
# Helpers for tests/adversarial.bats: repositories too large to commit,
# written at test time by git fast-import in one pass, and sghook run under
# an address-space limit. Load after helpers/engine and helpers/server.

# The limit every case holds sghook to: 64 MiB plus its largest blob.
as_limit() { echo $(((64 << 20) + ${1:-0})); }

# run_limited BYTES ARGS...: sghook under `prlimit --as`, as bats' run leaves it.
run_limited() {
	local as=$1
	shift
	run --separate-stderr prlimit --as="$as" -- "$SGHOOK" "$@"
}

# tokens N [SEED]: N distinct 64-character Segment tokens, one a line, made
# in one awk process. The alphabet has no vowel and no x, so that no token
# can spell a placeholder word or a run of x, and no run of one character
# is kept.
tokens() {
	awk -v n="$1" -v seed="${2:-$RANDOM}" 'BEGIN {
		a = "BCDFGHJKLMNPQRSTVWYZbcdfghjklmnpqrstvwyz0123456789"
		srand(seed)
		while (made < n) {
			t = ""
			for (i = 0; i < 64; i++)
				t = t substr(a, int(rand() * length(a)) + 1, 1)
			if (t !~ /[A-Z]/ || t !~ /[a-z]/ || t !~ /[0-9]/ || (t in seen))
				continue
			# Five of one character in a row is the placeholder shape of the
			# rules (one run in twenty of 5,000 made it): a token, not a leak.
			run = 1
			for (i = 1; i < length(t) && run < 5; i++)
				run = substr(t, i, 1) == substr(t, i + 1, 1) ? run + 1 : 1
			if (run >= 5)
				continue
			seen[t] = 1
			print "sgp_" t
			made++
		}
	}'
}

# fi_header REF MESSAGE [FROM]: the start of a fast-import commit.
fi_header() {
	printf 'commit %s\ncommitter Adv <adv@example.invalid> 1700000000 +0000\n' "$1"
	printf 'data %d\n%s\n' "$((${#2} + 1))" "$2"
	[ -z "${3:-}" ] || printf 'from %s\n' "$3"
}

# fi_file MODE PATH FILE: a fast-import file change holding FILE's bytes.
fi_file() {
	printf 'M %s inline %s\ndata %d\n' "$1" "$2" "$(stat -c %s "$3")"
	cat "$3"
	printf '\n'
}

# commit_file_fast REF PATH FILE: a commit on REF (from BASE) adding FILE as
# PATH, in a pack (fast-import would write so few objects loose) stored
# without compression: fast for large blobs, and their largest packed form.
commit_file_fast() {
	{
		fi_header "$1" "add $2" "$BASE"
		fi_file 100644 "$2" "$3"
	} | git -c core.compression=0 -c fastimport.unpackLimit=0 fast-import --quiet
}

# big_text FILE MIB LAST-LINE: MIB MiB of base64 lines (random, so hardly
# compressible), then LAST-LINE; sets BIG_LINES to the line number of it.
big_text() {
	local raw=$(($2 * 1048576 / 77 * 57))
	{
		head -c "$raw" /dev/urandom | base64 -w 76
		printf '%s\n' "$3"
	} >"$1"
	BIG_LINES=$(($(wc -l <"$1")))
}

# A bare repository $SRV/NAME.git whose pre-receive hook runs sghook under
# `prlimit --as=BYTES`; sets URL to it over git daemon (start_daemon first).
limited_server() {
	local hook="$SRV/$1.git/hooks/pre-receive"
	new_server "$1"
	printf '#!/bin/sh\nexec prlimit --as=%s -- "%s" --pre-receive\n' \
		"$2" "$SGHOOK" >"$hook"
	chmod +x "$hook"
	URL="$URL_BASE/$1.git"
}

# push_to REF: pushes REF to URL as refs/heads/REF; $status, $output as run
# leaves them (git push writes the remote's lines to stderr: merged here).
push_to() {
	run git push "$URL" "$1:refs/heads/$1"
}

# assert_push_refused_for_secrets REF NAME [OLD]: the push was refused by a
# verdict of sghook (not an error), and the server NAME still has REF at
# OLD (or not at all).
assert_push_refused_for_secrets() {
	local now
	[ "$status" -ne 0 ] || fail_with "the push was accepted"
	assert_output_matches '^remote: sghook: push refused: [0-9]+ commits? adds? '
	assert_output_not_contains "; push refused"
	now=$(git --git-dir="$SRV/$2.git" for-each-ref --format='%(objectname)' "refs/heads/$1")
	[ "$now" = "${3:-}" ] || fail_with "the server's refs/heads/$1 moved to $now"
}
