#!/bin/sh
# How often the Segment rule blocks random bodies and real identifiers: the
# figures of rules/README.md. Not part of make test (it takes a minute).
#
#   random, no context   for each alphabet and length band, the share of
#                        PER random bodies that block with nothing else on
#                        their line (the random tier)
#   random, context      the share of PER random bodies of each alphabet
#                        and band that do not block after "segment:"
#   random, 64           the share of 4 x PER random 64-character bodies
#                        that do not block (placeholder, filler, words)
#   identifiers of DIR   every run of 16 to 63 letters and digits in the
#                        text files under each DIR (once each), glued to
#                        sgp_, alone and after "segment:": how many block,
#                        and which (to be read: a random-looking string in a
#                        test vector is token-shaped)
#
# Bodies come from gen.sh's Park-Miller generator, seeded by SEED.
#
# usage: rates.sh [-n PER] [-s SEED] [-b SGHOOK] [DIR...]
set -eu

per=2000
seed=20261123
here=$(cd "$(dirname "$0")" && pwd)
bin=$here/../../sghook
while getopts n:s:b: opt; do
	case $opt in
	n) per=$OPTARG ;;
	s) seed=$OPTARG ;;
	b) bin=$OPTARG ;;
	*) echo "usage: rates.sh [-n PER] [-s SEED] [-b SGHOOK] [DIR...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ -x "$bin" ] || { echo "rates.sh: no sghook at $bin (run make, or give -b)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

awk -v out="$tmp" -v seed="$seed" -v per="$per" '
function rnd(n) {
	state = (16807 * state) % 2147483647
	return int(state / 2147483647 * n)
}
function rand_from(a, n,   s, i, k) {
	s = ""; k = length(a)
	for (i = 0; i < n; i++) s = s substr(a, rnd(k) + 1, 1)
	return s
}
BEGIN {
	state = seed % 2147483646 + 1
	L = "abcdefghijklmnopqrstuvwxyz"; U = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"; D = "0123456789"
	na = split("mixed lower upper letters lower-digits upper-digits", A, " ")
	AL["mixed"] = U L D; AL["lower"] = L; AL["upper"] = U; AL["letters"] = U L
	AL["lower-digits"] = L D; AL["upper-digits"] = U D
	nb = split("16 24 32 48", LO, " "); split("23 31 47 63", HI, " ")
	for (a = 1; a <= na; a++)
		for (b = 1; b <= nb; b++) {
			f = out "/noctx." A[a] "." LO[b] "-" HI[b]
			for (i = 0; i < per; i++)
				print "v = sgp_" rand_from(AL[A[a]], LO[b] + rnd(HI[b] - LO[b] + 1)) > f
			close(f)
		}
	for (a = 1; a <= na; a++)
		for (b = 1; b <= nb; b++) {
			f = out "/ctx." A[a] "." LO[b] "-" HI[b]
			for (i = 0; i < per; i++)
				print "segment: sgp_" rand_from(AL[A[a]], LO[b] + rnd(HI[b] - LO[b] + 1)) > f
			close(f)
		}
	f = out "/full.mixed.64"
	for (i = 0; i < 4 * per; i++) print "v = sgp_" rand_from(AL["mixed"], 64) > f
	close(f)
}'

# count FILE: lines of FILE that block.
count() {
	"$bin" --scan "$1" --format json --no-redact >"$tmp/out.json" || [ $? -eq 1 ]
	grep -c '"rule": "segment-public-api-token"' "$tmp/out.json" || true
}

echo "random bodies (seed $seed, $per per cell): share that blocks without context"
printf '%-14s %8s %8s %8s %8s\n' alphabet 16-23 24-31 32-47 48-63
for a in mixed lower upper letters lower-digits upper-digits; do
	printf '%-14s' "$a"
	for b in 16-23 24-31 32-47 48-63; do
		printf ' %7.1f%%' "$(echo "$(count "$tmp/noctx.$a.$b") $per" | awk '{ print 100 * $1 / $2 }')"
	done
	echo
done
echo "share that does not block after \"segment:\""
for a in mixed lower upper letters lower-digits upper-digits; do
	printf '%-14s' "$a"
	for b in 16-23 24-31 32-47 48-63; do
		printf ' %7.2f%%' "$(echo "$(count "$tmp/ctx.$a.$b") $per" | awk '{ print 100 - 100 * $1 / $2 }')"
	done
	echo
done
printf '%-14s %7.3f%% of %d random 64-character bodies do not block\n' "full-length" \
	"$(echo "$(count "$tmp/full.mixed.64") $per" | awk '{ print 100 - 100 * $1 / (4 * $2) }')" $((4 * per))

for dir in "$@"; do
	find "$dir" -type f -size -2M -print0 2>/dev/null |
		xargs -0 grep -IhoE '(^|[^A-Za-z0-9_])[A-Za-z0-9]{16,63}($|[^A-Za-z0-9_])' 2>/dev/null |
		sed -E 's/^[^A-Za-z0-9]//; s/[^A-Za-z0-9]$//' | LC_ALL=C sort -u >"$tmp/ids" || true
	n=$(wc -l <"$tmp/ids")
	# Three lines apart, so that no identifier is context for the next.
	awk '{ print "v = sgp_" $0; print "#"; print "#"; print "#" }' "$tmp/ids" >"$tmp/ids.noctx"
	sed 's/^/segment: sgp_/' "$tmp/ids" >"$tmp/ids.ctx"
	a=$(count "$tmp/ids.noctx")
	sed -n 's/.*"rule": "\([^"]*\)".*"secret": "sgp_\([^"]*\)".*"tier": "\([^"]*\)".*/\1 \3 \2/p' \
		"$tmp/out.json" >"$tmp/hits.noctx"
	c=$(count "$tmp/ids.ctx")
	echo "identifiers of $dir: $n; Segment findings alone: $a, after \"segment:\": $c"
	sed 's/^/  alone: /' "$tmp/hits.noctx"
done
