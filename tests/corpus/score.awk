# Scores sghook's JSON findings against gen.sh's expected.tsv.
#
#   awk -f score.awk expected.tsv findings.json
#
# findings.json is `sghook --scan ... --format json --no-redact` output: one
# finding per line. A sample counts as found when its file has a finding of
# the expected rule whose secret is the expected token. Any other finding
# (in a negative file, of another rule, or of another string) is a false
# positive. Prints one line per category (recall and precision for the
# groups of tokens, the share of files with a finding for the negatives),
# the older summary lines, the failing samples (at most 20 per kind and group), then
# two verdict lines:
#   RESULT pass|fail     100% recall on 64-char, context, escaped, deep,
#                        deephex, encoded and Sourcegraph tokens, Sourcegraph never Segment, at
#                        least 80% on norandom, no false finding in a file
#                        of tokens nor in "negative" or "encnegative", at most 1% of the
#                        files of each other negative group (gap apart)
#   GAP pass|fail        0 findings on the "gap" group (known gaps)
function field(s, name,   re) {
	re = "\"" name "\": \"[^\"]*\""
	if (!match(s, re)) return ""
	return substr(s, RSTART + length(name) + 5, RLENGTH - length(name) - 6)
}
function pct(a, b) { return b ? sprintf("%.1f%%", 100 * a / b) : "n/a" }
# At most 20 lines of each kind for each group.
function show(kind, g, msg) {
	if (++shown[kind, g] <= 20) print "  " kind ": " msg
}
# encoded/enc-<form>-a<alignment>-<i>.txt: the form and alignment.
function encform(p,   s) {
	s = p; sub(/.*\/enc-/, "", s); sub(/-[0-9]+\.txt$/, "", s)
	return s
}
function band(n) { return n < 24 ? "16-23" : n < 32 ? "24-31" : n < 48 ? "32-47" : "48-63" }
# norandom-<alphabet>-<context>-<len>.txt: the alphabet.
function alphabet(p,   s) {
	s = p; sub(/.*\/norandom-/, "", s)
	return s ~ /^lower-digits/ ? "lower-digits" : s ~ /^upper-digits/ ? "upper-digits" : substr(s, 1, index(s, "-") - 1)
}
BEGIN {
	FS = "\t"
	POS = "full64 context nocontext escaped deep deephex norandom sourcegraph encoded"
	NEG = "negative hash filler market redacted deepnegative encnegative gap"
}
FNR == NR {
	group[$1] = $2; rule[$1] = $3; tok[$1] = $4
	total[$2]++
	if ($2 == "nocontext") btotal[band(length($4) - 4)]++
	if ($2 == "norandom") atotal[alphabet($1)]++
	if ($2 == "encoded") etotal[encform($1)]++
	next
}
/"rule": / {
	p = field($0, "path"); r = field($0, "rule"); s = field($0, "secret")
	if (!(p in group)) { fp_other++; show("unexpected file", "", p); next }
	if (r == rule[p] && s == tok[p] && !(p in hit)) {
		hit[p] = 1
		found[group[p]]++
		if (group[p] == "nocontext") bfound[band(length(s) - 4)]++
		if (group[p] == "norandom") afound[alphabet(p)]++
		if (group[p] == "encoded") efound[encform(p)]++
		next
	}
	fp[group[p]]++
	if (!(p in flagged)) { flagged[p] = 1; fpfiles[group[p]]++ }
	if (group[p] == "sourcegraph" && r == "segment-public-api-token")
		collide++
	show("false positive", group[p], group[p] " " p ": " r " " s)
}
END {
	for (p in group)
		if (rule[p] != "-" && !(p in hit))
			show("missed " group[p], "", p " " tok[p])
	printf "%-13s %6s %6s %6s %7s %6s %s\n", "category", "files", "tokens", "found", "recall", "false", "precision"
	n = split(POS, G, " ")
	for (i = 1; i <= n; i++) {
		g = G[i]
		printf "%-13s %6d %6d %6d %7s %6d %s\n", g, total[g], total[g], found[g], pct(found[g], total[g]), fp[g], pct(found[g], found[g] + fp[g])
	}
	printf "%-13s %6s %6s %6s %7s %6s %s\n", "", "", "", "", "", "false", "files with a finding"
	n = split(NEG, G, " ")
	for (i = 1; i <= n; i++) {
		g = G[i]
		printf "%-13s %6d %6s %6s %7s %6d %s\n", g, total[g], "-", "-", "-", fp[g], pct(fpfiles[g], total[g])
	}
	for (g in total) { alltok += g in found ? found[g] : 0; allfp += fp[g] }
	allfp += fp_other
	printf "all findings: %d tokens found, %d false; precision %s\n", alltok, allfp, pct(alltok, alltok + allfp)
	printf "norandom by alphabet:"
	split("lower upper letters lower-digits upper-digits", A, " ")
	for (i = 1; i <= 5; i++) printf " %s %d/%d", A[i], afound[A[i]], atotal[A[i]]
	printf "\n"
	printf "encoded by form and alignment:"
	for (k in etotal) printf " %s %d/%d", k, efound[k], etotal[k]
	printf "\n"
	n64 = total["full64"]; nctx = total["context"]; nno = total["nocontext"]
	nsrc = total["sourcegraph"]; nneg = total["negative"]; nfill = total["gap"]
	fps = fp["full64"] + fp["context"] + fp["nocontext"] + fp["negative"] + \
	    fp["sourcegraph"] + fp["escaped"] + fp["deep"] + fp["deephex"] + \
	    fp["norandom"] + fp_other
	printf "recall 64-char:                 %d/%d %s (required 100%%)\n", found["full64"], n64, pct(found["full64"], n64)
	printf "recall context 16-63:           %d/%d %s (required 100%%)\n", found["context"], nctx, pct(found["context"], nctx)
	printf "recall no-context random 16-63: %d/%d %s (measured:", found["nocontext"], nno, pct(found["nocontext"], nno)
	split("16-23 24-31 32-47 48-63", B, " ")
	for (i = 1; i <= 4; i++) printf " %s %s", B[i], pct(bfound[B[i]], btotal[B[i]])
	printf ")\n"
	printf "sourcegraph as sourcegraph:     %d/%d %s, as segment: %d (required 100%%, 0)\n", found["sourcegraph"], nsrc, pct(found["sourcegraph"], nsrc), collide + 0
	printf "false positives:                %d (in %d negative samples; required 0)\n", fps, nneg
	printf "known gaps (lib/match.c):       %d findings in %d samples (required 0)\n", fp["gap"] + 0, nfill
	ok = found["full64"] == n64 && found["context"] == nctx && \
	    found["sourcegraph"] == nsrc && fps == 0 && n64 && nctx && nneg && nsrc
	n = split("escaped deep deephex encoded", G, " ")
	for (i = 1; i <= n; i++)
		if (!total[G[i]] || found[G[i]] < total[G[i]]) ok = 0
	if (!total["norandom"] || found["norandom"] * 10 < total["norandom"] * 8) ok = 0
	n = split("hash filler market redacted deepnegative", G, " ")
	for (i = 1; i <= n; i++)
		if (!total[G[i]] || fpfiles[G[i]] * 100 > total[G[i]]) ok = 0
	if (!total["encnegative"] || fp["encnegative"]) ok = 0
	print "RESULT " (ok ? "pass" : "fail")
	print "GAP " (fp["gap"] == 0 && nfill ? "pass" : "fail")
}
