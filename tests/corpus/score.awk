# Scores sghook's JSON findings against gen.sh's expected.tsv.
#
#   awk -f score.awk expected.tsv findings.json
#
# findings.json is `sghook --scan ... --format json --no-redact` output: one
# finding per line. A sample counts as found when its file has a finding of
# the expected rule whose secret is the expected token. Any other finding
# (in a negative file, of another rule, or of another string) is a false
# positive. Prints the figures, the failing samples (at most 20 per kind),
# then two verdict lines:
#   RESULT pass|fail     64-char and context recall 100%, Sourcegraph 100%
#                        and never Segment, 0 false positives (gap apart)
#   GAP pass|fail        0 findings on the "gap" group (known gaps)
function field(s, name,   re) {
	re = "\"" name "\": \"[^\"]*\""
	if (!match(s, re)) return ""
	return substr(s, RSTART + length(name) + 5, RLENGTH - length(name) - 6)
}
function pct(a, b) { return b ? sprintf("%.1f%%", 100 * a / b) : "n/a" }
function show(kind, msg) {
	if (++shown[kind] <= 20) print "  " kind ": " msg
}
function band(n) { return n < 24 ? "16-23" : n < 32 ? "24-31" : n < 48 ? "32-47" : "48-63" }
BEGIN { FS = "\t" }
FNR == NR {
	group[$1] = $2; rule[$1] = $3; tok[$1] = $4
	total[$2]++
	if ($2 == "nocontext") btotal[band(length($4) - 4)]++
	next
}
/"rule": / {
	p = field($0, "path"); r = field($0, "rule"); s = field($0, "secret")
	if (!(p in group)) { fp_other++; show("unexpected file", p); next }
	if (r == rule[p] && s == tok[p] && !(p in hit)) {
		hit[p] = 1
		found[group[p]]++
		if (group[p] == "nocontext") bfound[band(length(s) - 4)]++
		next
	}
	fp[group[p]]++
	if (group[p] == "sourcegraph" && r == "segment-public-api-token")
		collide++
	show("false positive", group[p] " " p ": " r " " s)
}
END {
	for (p in group)
		if (rule[p] != "-" && !(p in hit))
			show("missed " group[p], p " " tok[p])
	n64 = total["full64"]; nctx = total["context"]; nno = total["nocontext"]
	nsrc = total["sourcegraph"]; nneg = total["negative"]; nfill = total["gap"]
	fps = fp["full64"] + fp["context"] + fp["nocontext"] + fp["negative"] + \
	    fp["sourcegraph"] + fp_other
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
	print "RESULT " (ok ? "pass" : "fail")
	print "GAP " (fp["gap"] == 0 && nfill ? "pass" : "fail")
}
