#!/bin/sh
# Detection corpus generator: writes one small file per sample under OUTDIR
# and OUTDIR/expected.tsv, one line per file:
#
#   path <TAB> group <TAB> expected rule ("-" = nothing) <TAB> token
#
# Groups:
#   full64     64-character random bodies, with and without Segment words
#   context    16..63-character random bodies next to a Segment word
#   nocontext  16..63-character random bodies with no Segment word in reach
#   negative   placeholders, filler, identifiers, glued prefixes (never block)
#   sourcegraph  the three Sourcegraph forms (sourcegraph-access-token only)
#   gap        negatives the decision logic still reports: 64-character
#              placeholders (EXAMPLE + random) and identifiers that name
#              Segment in their own body; scored apart (tests/corpus.bats)
#
# Deterministic: tokens come from a Park-Miller generator written in awk
# (x = 16807 x mod 2^31-1, exact in awk's doubles, same result in mawk,
# gawk and busybox awk), seeded by SEED. No Python, no /dev/urandom.
#
# usage: gen.sh OUTDIR [SEED]
set -eu

out=${1:?usage: gen.sh OUTDIR [SEED]}
seed=${2:-20261123}
here=$(cd "$(dirname "$0")" && pwd)

mkdir -p "$out"
awk -v out="$out" -v seed="$seed" -v negfile="$here/negatives.txt" '
function rnd(n) {            # uniform integer in [0, n)
	state = (16807 * state) % 2147483647
	return int(state / 2147483647 * n)
}
function rand_alnum(n,   s, i) {
	s = ""
	for (i = 0; i < n; i++) s = s substr(ALNUM, rnd(62) + 1, 1)
	return s
}
function rand_hex(n,   s, i) {
	s = ""
	for (i = 0; i < n; i++) s = s substr(HEX, rnd(16) + 1, 1)
	return s
}
function rep(c, n,   s) { s = ""; while (length(s) < n) s = s c; return substr(s, 1, n) }
# Minified JavaScript filler of at least n bytes, one line, no "sgp_" and no
# "segment" in it.
function filler(n,   s, i) {
	s = ""
	i = 0
	while (length(s) < n) {
		i++
		s = s "function f" i "(a,b){return a*" (i % 97) "+b.length||null}var v" i \
		    "=[" i "," (i * 7 % 1000) ",\"k" (i % 13) "\"];if(v" i ".length>2){o.q" \
		    (i % 31) "=f" i "(v" i "[0],\"x\")}"
	}
	return s
}
# Writes TEXT to out/DIR/NAME and records the expectation.
function emit(dir, name, text, group, rule, tok,   path) {
	path = out "/" dir "/" name
	if (!(dir in made)) { system("mkdir -p \"" out "/" dir "\""); made[dir] = 1 }
	printf "%s", text > path
	close(path)
	printf "%s\t%s\t%s\t%s\n", path, group, rule, tok > manifest
}
# Segment words on the line or up to three lines above.
function ctx_text(c, t) {
	if (c == "json-segment")   return "{\n  \"segment\": {\n    \"workspace\": \"acme\",\n    \"apiToken\": \"" t "\"\n  }\n}\n"
	if (c == "yaml-segment")   return "analytics:\n  segment:\n    workspace: acme\n    apiToken: " t "\n"
	if (c == "env")            return "NODE_ENV=production\nSEGMENT_API_TOKEN=" t "\n"
	if (c == "shell-export")   return "#!/bin/sh\nexport SEGMENT_TOKEN=\"" t "\"\nexec node server.js\n"
	if (c == "js")             return "import { Analytics } from \"./client\";\nconst segmentApiToken = \"" t "\";\nexport default new Analytics(segmentApiToken);\n"
	if (c == "python")         return "import os\n\nSEGMENT_SECRET = \"" t "\"\nclient = Client(SEGMENT_SECRET)\n"
	if (c == "go")             return "package main\n\nimport \"os\"\n\nfunc init() {\n\tos.Setenv(\"SEGMENT_KEY\", \"" t "\")\n}\n"
	if (c == "curl-bearer")    return "curl -X GET \"https://api.segment.io/v1/sources\" \\\n  -H \"Authorization: Bearer " t "\"\n"
	if (c == "url-scheme")     return "connection: segment://" t "@api.segment.io\n"
	if (c == "url-query")      return "GET https://api.segment.io/v1/sources?token=" t "&limit=10\n"
	if (c == "markdown")       return "## Setup\n\nSet `SEGMENT_ACCESS_TOKEN` to **" t "** in your shell.\n"
	if (c == "xml")            return "<?xml version=\"1.0\"?>\n<config>\n  <segment>\n    <apiToken>" t "</apiToken>\n  </segment>\n</config>\n"
	if (c == "terraform")      return "provider \"segment\" {\n  workspace = \"acme\"\n  token     = \"" t "\"\n}\n"
	if (c == "dockerfile")     return "FROM node:20-alpine\nWORKDIR /app\nENV SEGMENT_ACCESS_TOKEN=" t "\nCMD [\"node\", \"index.js\"]\n"
	if (c == "minified-js")    return FILL "var cfg={segmentApiToken:\"" t "\",flush:20};" FILL2 "\n"
	if (c == "utf8")           return "# Clé d’API Segment — ne pas partager ✓\nトークン：" t "。次の行へ\n"
	if (c == "tabs")           return "service\tsegment\nname\tkey\tvalue\nprod\tapi_token\t" t "\n"
	if (c == "api-token-near") return "# Segment workspace acme\n\nAPI_TOKEN=" t "\n"
	if (c == "three-above")    return "# segment\n#\n#\nTOKEN=" t "\n"
	return ""
}
# No Segment word anywhere within reach of the token.
function noctx_text(c, t) {
	if (c == "json")           return "{\n  \"apiToken\": \"" t "\",\n  \"retries\": 3\n}\n"
	if (c == "yaml")           return "credentials:\n  token: " t "\n"
	if (c == "env")            return "NODE_ENV=production\nAPI_TOKEN=" t "\n"
	if (c == "js")             return "const token = \"" t "\";\nfetch(url, { headers: { token } });\n"
	if (c == "python")         return "client = Client(token=\"" t "\")\n"
	if (c == "go")             return "package main\n\nconst tok = \"" t "\"\n"
	if (c == "curl-bearer")    return "curl -H \"Authorization: Bearer " t "\" https://api.example.com/v1/items\n"
	if (c == "url-query")      return "https://api.example.com/v1/items?access_token=" t "&page=2\n"
	if (c == "markdown")       return "Example:\n\n```\nTOKEN=" t "\n```\n"
	if (c == "xml")            return "<settings><token>" t "</token></settings>\n"
	if (c == "terraform")      return "variable \"token\" {\n  default = \"" t "\"\n}\n"
	if (c == "dockerfile")     return "FROM alpine:3.20\nENV API_TOKEN=" t "\n"
	if (c == "minified-js")    return FILL "var cfg={apiToken:\"" t "\",flush:20};" FILL2 "\n"
	if (c == "utf8")           return "Jeton d’accès — ne pas partager ✓\nトークン：" t "。\n"
	if (c == "tabs")           return "name\tvalue\tstate\nprod\t" t "\tactive\n"
	# The word is four lines above: out of the three-line window.
	if (c == "far-above")      return "# segment\n#\n#\n#\nTOKEN=" t "\n"
	return ""
}
BEGIN {
	ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	HEX = "0123456789abcdef"
	state = seed % 2147483646 + 1
	manifest = out "/expected.tsv"
	printf "" > manifest
	SEG = "segment-public-api-token"
	SRC = "sourcegraph-access-token"
	# The token sits more than 100 KB into one line.
	FILL = filler(102400)
	FILL2 = filler(4096)

	nc = split("json-segment yaml-segment env shell-export js python go curl-bearer url-scheme url-query markdown xml terraform dockerfile minified-js utf8 tabs api-token-near three-above", C, " ")
	nn = split("json yaml env js python go curl-bearer url-query markdown xml terraform dockerfile minified-js utf8 tabs far-above", N, " ")

	for (len = 16; len <= 64; len++) {
		for (i = 1; i <= nc; i++) {
			t = "sgp_" rand_alnum(len)
			g = len == 64 ? "full64" : "context"
			emit(g, "ctx-" C[i] "-" len ".txt", ctx_text(C[i], t), g, SEG, t)
		}
		for (i = 1; i <= nn; i++) {
			t = "sgp_" rand_alnum(len)
			g = len == 64 ? "full64" : "nocontext"
			emit(g, "noctx-" N[i] "-" len ".txt", noctx_text(N[i], t), g, SEG, t)
		}
	}

	# Placeholders of every length below 64, with Segment words next to them:
	# the hardest place for a placeholder to be told apart.
	for (len = 16; len < 64; len++) {
		emit("negative", "x-" len ".env", "SEGMENT_API_TOKEN=sgp_" rep("x", len) "\n", "negative", "-", "")
		emit("negative", "X-" len ".env", "SEGMENT_API_TOKEN=sgp_" rep("X", len) "\n", "negative", "-", "")
		emit("negative", "0-" len ".env", "SEGMENT_API_TOKEN=sgp_" rep("0", len) "\n", "negative", "-", "")
		# Sequential filler blocks next to Segment words (it may be a real
		# token there, like sgp_1234567890abcdef in the seed documents), but
		# not alone.
		emit("negative", "seq-" len ".txt", "fixture: sgp_" rep("abcdefghijklmnopqrstuvwxyz", len) "\n", "negative", "-", "")
		emit("negative", "digits-" len ".txt", "fixture: sgp_" rep("1234567890", len) "\n", "negative", "-", "")
		emit("negative", "a-then-b-" len ".env", "SEGMENT_API_TOKEN=sgp_" rep("a", len - 1) "b\n", "negative", "-", "")
		if (len >= 23 && len < 64)
			emit("negative", "example-" len ".env", "SEGMENT_API_TOKEN=sgp_EXAMPLE" rand_alnum(len - 7) "\n", "negative", "-", "")
		# The prefix inside a longer word, with a random body.
		emit("negative", "glued-my-" len ".env", "SEGMENT_API_TOKEN=mysgp_" rand_alnum(len) "\n", "negative", "-", "")
		emit("negative", "glued-x-" len ".txt", "segment: xsgp_" rand_alnum(len) "\n", "negative", "-", "")
		emit("negative", "glued-tail-" len ".txt", "segment: sgp_" rand_alnum(len) "_v2\n", "negative", "-", "")
	}
	# Known gaps, their own group: placeholder words around random characters
	# have the entropy of a token, and the full-length tier does not consult
	# the placeholder pattern; an identifier holding "Segment" is its own
	# context, since the context search includes the match itself.
	f = "SEGMENT_API_TOKEN=sgp_"
	emit("gap", "example-64.env", f "EXAMPLE" rand_alnum(57) "\n", "gap", "-", "")
	emit("gap", "your-token-64.env", f "YourSegmentApiTokenGoesHere" rand_alnum(37) "\n", "gap", "-", "")
	emit("gap", "sample-token-64.env", f "SampleToken" rand_alnum(53) "\n", "gap", "-", "")
	emit("gap", "redacted-64.env", f "REDACTED" rand_alnum(56) "\n", "gap", "-", "")
	emit("gap", "self-context-1.py", "df = load(\"sgp_MarketSegmentSizes2021\")\n", "gap", "-", "")
	emit("gap", "self-context-2.py", "rows = sgp_CustomerSegments.query(q)\n", "gap", "-", "")
	emit("gap", "self-context-3.sql", "CREATE VIEW sgp_SegmentRevenueByRegion AS SELECT 1;\n", "gap", "-", "")
	# Other full-length negatives: low entropy, glued.
	emit("negative", "x-64.env", f rep("x", 64) "\n", "negative", "-", "")
	emit("negative", "X-64.env", f rep("X", 64) "\n", "negative", "-", "")
	emit("negative", "0-64.env", f rep("0", 64) "\n", "negative", "-", "")
	emit("negative", "a-then-b-64.env", f rep("a", 63) "b\n", "negative", "-", "")
	emit("negative", "glued-my-64.env", "SEGMENT_API_TOKEN=mysgp_" rand_alnum(64) "\n", "negative", "-", "")
	emit("negative", "glued-x-64.txt", "segment: xsgp_" rand_alnum(64) "\n", "negative", "-", "")
	emit("negative", "glued-tail-64.txt", "segment: sgp_" rand_alnum(64) "_v2\n", "negative", "-", "")
	emit("negative", "too-long-65.env", f rand_alnum(65) "\n", "negative", "-", "")
	emit("negative", "glued-my-64-nl.txt", "mysgp_" rand_alnum(64) "\n", "negative", "-", "")

	# Fixed samples, one per line: NAME <TAB> TEXT (\n and \t escapes).
	while ((getline line < negfile) > 0) {
		if (line ~ /^#/ || line !~ /\t/) continue
		name = substr(line, 1, index(line, "\t") - 1)
		text = substr(line, index(line, "\t") + 1)
		gsub(/\\n/, "\n", text)
		gsub(/\\t/, "\t", text)
		emit("negative", "fixed-" name ".txt", text "\n", "negative", "-", "")
	}
	close(negfile)

	# Sourcegraph: sgp_<40 hex>, sgp_<16 hex>_<40 hex>, sgp_local_<40 hex>,
	# also where Segment words are near, which must not pull them over.
	for (i = 1; i <= 20; i++) {
		t = "sgp_" rand_hex(40)
		emit("sourcegraph", "plain-" i ".env", "SRC_ACCESS_TOKEN=" t "\n", "sourcegraph", SRC, t)
		t = "sgp_" rand_hex(16) "_" rand_hex(40)
		emit("sourcegraph", "instance-" i ".env", "SRC_ACCESS_TOKEN=" t "\n", "sourcegraph", SRC, t)
		t = "sgp_local_" rand_hex(40)
		emit("sourcegraph", "local-" i ".env", "SRC_ACCESS_TOKEN=" t "\n", "sourcegraph", SRC, t)
		t = "sgp_" rand_hex(40)
		emit("sourcegraph", "plain-segment-" i ".env", "SEGMENT_API_TOKEN=" t "\n", "sourcegraph", SRC, t)
		t = "sgp_" rand_hex(16) "_" rand_hex(40)
		emit("sourcegraph", "instance-segment-" i ".json", "{\"segment\": {\"token\": \"" t "\"}}\n", "sourcegraph", SRC, t)
		t = "sgp_local_" rand_hex(40)
		emit("sourcegraph", "local-segment-" i ".yaml", "segment:\n  token: " t "\n", "sourcegraph", SRC, t)
	}
}'
