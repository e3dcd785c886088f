#!/usr/bin/env bats
# Detection quality over a generated corpus (tests/corpus/gen.sh): random
# tokens of every body length 16..64 in many file formats, with and without
# Segment words near them, placeholders, filler, identifiers, glued prefixes
# and Sourcegraph tokens, and tokens stored in base64 or UTF-16. sghook --scan judges the whole corpus in one run;
# tests/corpus/score.awk compares its JSON with the expected labels.
#
# Required: 100% recall on 64-character bodies and on bodies with Segment
# context, every Sourcegraph token as sourcegraph-access-token and never as
# Segment, no false positive. Recall on short random bodies without context
# is printed, not required. The figures show on the terminal (fd 3).

ROOT="$(cd "$BATS_TEST_DIRNAME/.." && pwd -P)"
GEN="$ROOT/tests/corpus/gen.sh"
SCORE="$ROOT/tests/corpus/score.awk"
SEED=20261123

setup_file() {
	[ -x "$ROOT/sghook" ] || { echo "sghook is not built (run make)" >&2; return 1; }
	export CORPUS="$BATS_FILE_TMPDIR/corpus"
	"$GEN" "$CORPUS" "$SEED" >/dev/null
	scan_and_score "$CORPUS" > "$BATS_FILE_TMPDIR/score.txt"
}

# scan_and_score DIR [sghook options...]: prints score.awk's report.
scan_and_score() {
	local dir=$1 rc=0
	shift
	local -a files
	mapfile -t files < <(cut -f1 "$dir/expected.tsv")
	"$ROOT/sghook" --scan "${files[@]}" --format json --no-redact "$@" \
		> "$dir/found.json" || rc=$?
	# 1 = findings; anything else stopped the scan.
	if [ "$rc" -ne 1 ]; then
		echo "sghook --scan exited $rc" >&2
		return 1
	fi
	awk -f "$SCORE" "$dir/expected.tsv" "$dir/found.json"
}

# A copy of our rules with values of the Segment rule changed: KEY VALUE...
mutated_rules() {
	local dir="$BATS_TEST_TMPDIR/rules"
	mkdir -p "$dir"
	cp "$ROOT"/rules/*.rules "$ROOT"/rules/*.txt "$dir/"
	while [ $# -ge 2 ]; do
		git config -f "$dir/segment.rules" "rule.segment-public-api-token.$1" "$2"
		shift 2
	done
	echo "$dir"
}

@test "corpus: generator is deterministic and covers every length and context" {
	"$GEN" "$BATS_TEST_TMPDIR/again" "$SEED" >/dev/null
	cmp <(sed "s|^$CORPUS/||" "$CORPUS/expected.tsv") \
	    <(sed "s|^$BATS_TEST_TMPDIR/again/||" "$BATS_TEST_TMPDIR/again/expected.tsv")
	# every body length 16..64 is present with and without context
	for n in $(seq 16 64); do
		grep -q -- "-ctx-[a-z0-9-]*-$n\.txt	" <(sed 's|.*/|-|' "$CORPUS/expected.tsv")
		grep -q -- "-noctx-[a-z0-9-]*-$n\.txt	" <(sed 's|.*/|-|' "$CORPUS/expected.tsv")
	done
	# at least 15 contexts each way
	[ "$(ls "$CORPUS/context" | sed 's/-[0-9]*\.txt$//' | sort -u | wc -l)" -ge 15 ]
	[ "$(ls "$CORPUS/nocontext" | sed 's/-[0-9]*\.txt$//' | sort -u | wc -l)" -ge 15 ]
	# the minified line holds its token more than 100 KB in
	[ "$(grep -bo 'sgp_' "$CORPUS/context/ctx-minified-js-16.txt" | cut -d: -f1)" -gt 102400 ]
}

@test "corpus: 100% recall on 64-char and context tokens, Sourcegraph apart, 0 false positives" {
	{
		echo "# corpus (seed $SEED): sghook --scan <$(wc -l < "$CORPUS/expected.tsv") files> --format json"
		grep -v "^  " "$BATS_FILE_TMPDIR/score.txt" | sed "s/^/# /"
	} >&3
	cat "$BATS_FILE_TMPDIR/score.txt"
	grep -qx "RESULT pass" "$BATS_FILE_TMPDIR/score.txt"
}

@test "corpus: Sourcegraph forms are sourcegraph-access-token and never segment-public-api-token" {
	grep -q "as segment: 0 " "$BATS_FILE_TMPDIR/score.txt"
	! grep -q '"path": "[^"]*/sourcegraph/[^"]*", [^}]*"rule": "segment' "$CORPUS/found.json"
	! grep -q '"rule": "segment-public-api-token", [^}]*"path": "[^"]*/sourcegraph/' "$CORPUS/found.json"
	[ "$(grep -c '"rule": "sourcegraph-access-token"' "$CORPUS/found.json")" -eq \
	  "$(grep -c '	sourcegraph	' "$CORPUS/expected.tsv")" ]
}

# Two negatives that once blocked (lib/match.c): sgp_EXAMPLE<57 random>, a
# 64-character placeholder, and sgp_MarketSegmentSizes2021, an identifier
# holding the word segment in its own body.
@test "corpus: 64-character placeholders and identifiers naming Segment do not block" {
	grep "known gaps" "$BATS_FILE_TMPDIR/score.txt" | sed "s/^/# /" >&3
	grep " gap " "$BATS_FILE_TMPDIR/score.txt" || true
	grep -qx "GAP pass" "$BATS_FILE_TMPDIR/score.txt"
}

# The measure must be able to fail: weakened rules must be caught.
@test "corpus: the score fails when context is not recognised" {
	run scan_and_score "$CORPUS" --rules "$(mutated_rules context 'no-such-word-anywhere')"
	[ "$status" -eq 0 ]
	[[ "$output" == *"RESULT fail"* ]]
	[[ "$output" == *"missed context"* ]]
}

@test "corpus: the score fails when placeholders are not recognised" {
	run scan_and_score "$CORPUS" --rules "$(mutated_rules placeholder 'no-such-placeholder')"
	[ "$status" -eq 0 ]
	[[ "$output" == *"RESULT fail"* ]]
	[[ "$output" == *"false positive: negative"* ]]
}

@test "corpus: the score fails when a Sourcegraph token falls to the Segment rule" {
	run scan_and_score "$CORPUS" --rules "$(mutated_rules priority 99 placeholder 'no-such-placeholder')"
	[ "$status" -eq 0 ]
	[[ "$output" == *"RESULT fail"* ]]
	[[ "$output" != *"as segment: 0 "* ]]
}

# ---- second round: escapes, enclosing keys, class mixes, new negatives ----

# category NAME: the score line of a category: NAME files tokens found
# recall false precision, or for negatives NAME files - - - false share.
category() {
	awk -v g="$1" '$1 == g && $2 ~ /^[0-9]+$/' "$BATS_FILE_TMPDIR/score.txt"
}

@test "corpus: generator writes every category of the second round" {
	for g in escaped deep deephex norandom hash filler market redacted deepnegative; do
		[ "$(awk -F'\t' -v g="$g" '$2 == g' "$CORPUS/expected.tsv" | wc -l)" -ge 100 ]
	done
	# the four Sourcegraph forms
	grep -q '	sourcegraph	[^	]*	sgp_[0-9a-f]\{16\}_local_[0-9a-f]\{40\}$' "$CORPUS/expected.tsv"
	# the far word of a minified line is more than 256 bytes from the token
	f="$CORPUS/deep/deep-minified-far-16.txt"
	[ $(( $(grep -bo 'sgp_' "$f" | cut -d: -f1) - $(grep -bo 'segment' "$f" | cut -d: -f1) )) -gt 256 ]
}

@test "corpus: tokens just after an escape or a %XX are found (100%)" {
	category escaped
	[ "$(category escaped | awk '{ print ($3 == $4 && $6 == 0) }')" = 1 ]
}

@test "corpus: tokens under a Segment key at any depth are found (100%)" {
	category deep
	category deephex
	[ "$(category deep | awk '{ print ($3 == $4 && $6 == 0) }')" = 1 ]
	[ "$(category deephex | awk '{ print ($3 == $4 && $6 == 0) }')" = 1 ]
}

@test "corpus: a closed Segment block is no context for the blocks after it" {
	category deepnegative
	[ "$(category deepnegative | awk '{ print $6 }')" = 0 ]
}

@test "corpus: random bodies of one or two classes without context: at least 80% found" {
	grep "^norandom" "$BATS_FILE_TMPDIR/score.txt"
	[ "$(category norandom | awk '{ print ($4 * 10 >= $3 * 8) }')" = 1 ]
}

@test "corpus: hashes, filler, market-segment identifiers, shortened tokens: at most 1% flagged" {
	for g in hash filler market redacted; do
		category "$g"
		[ "$(category "$g" | awk '{ sub(/%/, "", $7); print ($7 + 0 <= 1) }')" = 1 ]
	done
}

@test "corpus: the score fails when enclosing keys are not followed" {
	run scan_and_score "$CORPUS" --rules "$(mutated_rules enclosingContext false)"
	[ "$status" -eq 0 ]
	[[ "$output" == *"RESULT fail"* ]]
	[[ "$output" == *"missed deephex"* ]]
}

@test "corpus: the score fails when filler is not recognised" {
	run scan_and_score "$CORPUS" --rules "$(mutated_rules fillerRun 0)"
	[ "$status" -eq 0 ]
	[[ "$output" == *"RESULT fail"* ]]
	[[ "$output" == *"false positive: filler"* ]]
}

@test "corpus: the score fails when words are not recognised" {
	run scan_and_score "$CORPUS" --rules "$(mutated_rules wordShare 1 identifierShare 1)"
	[ "$status" -eq 0 ]
	[[ "$output" == *"RESULT fail"* ]]
	[[ "$output" == *"false positive: market"* ]]
}

@test "corpus: the score fails when escapes glue the prefix" {
	run scan_and_score "$CORPUS" --rules "$(mutated_rules regex \
		'(?<![A-Za-z0-9_])sgp_([A-Za-z0-9]{16,64})(?![A-Za-z0-9_])')"
	[ "$status" -eq 0 ]
	[[ "$output" == *"RESULT fail"* ]]
	[[ "$output" == *"missed escaped"* ]]
}

# ---- encoded forms (issue 11): base64 and UTF-16 ---------------------------

@test "corpus: generator writes every encoded form at each alignment, and the encoded negatives" {
	local form a
	for form in b64 b64nopad b64url env64 depth2 k8s k8s-ctx helm docker ci \
	    utf16le utf16le-bom utf16be utf16be-bom; do
		for a in 0 1 2; do
			grep -q "/enc-$form-a$a-[0-9]*\.txt	encoded	" "$CORPUS/expected.tsv" ||
				{ echo "no $form at alignment $a"; return 1; }
		done
	done
	for form in random-b64 random-b64url random-bytes png gzip neg-b64 \
	    neg-b64url neg-utf16le-bom neg-utf16be; do
		grep -q "/encnegative/$form-[0-9]*\.[a-z]*	encnegative	" "$CORPUS/expected.tsv"
	done
	# padded and unpadded runs, both alphabets, a byte order mark or none
	grep -l '=' "$CORPUS"/encoded/enc-b64-a*.txt >/dev/null
	! grep -l '=' "$CORPUS"/encoded/enc-b64nopad-a*.txt
	grep -l '[-_]' "$CORPUS"/encoded/enc-b64url-a*.txt >/dev/null
	[ "$(head -c 2 "$CORPUS/encoded/$(ls "$CORPUS/encoded" | grep -m1 utf16le-bom)" | od -An -tx1 | tr -d ' ')" = fffe ]
	[ "$(head -c 2 "$CORPUS/encoded/$(ls "$CORPUS/encoded" | grep -m1 'utf16be-a')" | od -An -tx1 | tr -d ' ')" != feff ]
	# wrapped base64 (base64(1) at 76 columns) over several lines
	[ "$(cat "$CORPUS"/encoded/enc-env64-a*.txt | wc -l)" -gt "$(ls "$CORPUS"/encoded/enc-env64-a*.txt | wc -l)" ]
}

@test "corpus: every encoded form is found (100%), random base64 and binary data stay quiet" {
	grep "^encoded" "$BATS_FILE_TMPDIR/score.txt"
	grep "^encnegative" "$BATS_FILE_TMPDIR/score.txt"
	category encoded >&3
	[ "$(category encoded | awk '{ print ($3 == $4 && $6 == 0) }')" = 1 ]
	[ "$(category encnegative | awk '{ print $6 }')" = 0 ]
	# reported as decoded, never as plain
	! grep '"path": "[^"]*/encoded/[^"]*",[^}]*"encoding": null' "$CORPUS/found.json"
}
