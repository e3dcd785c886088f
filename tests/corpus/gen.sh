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
#   escaped    tokens just after a backslash escape or a %XX (JSON logs,
#              access logs, form bodies): 64-character ones alone, shorter
#              ones with Segment named on the line
#   deep       16..63-character random bodies whose Segment key is several
#              levels and many lines up (Helm values, appsettings.json,
#              Terraform state, notebook cells, XML), or more than 256
#              bytes away in the same object of a minified line
#   deephex    the same with hex bodies, which only context makes block
#   norandom   16..63-character random bodies without context drawn from
#              one or two classes only (lower, upper, letters, lower and
#              digits, upper and digits); the token is in the file name
#   hash       negatives: sha256 in hex, md5, base64 sha256 and sha512
#              glued to sgp_, some with Segment named beside them
#   filler     negatives next to the word segment: runs of the alphabet,
#              classes in a cycle (aA1bB2...), phrases (ChangeMe...)
#   market     negatives: CamelCase identifiers near "segment" in the
#              market-segment sense
#   redacted   negatives: a shortened token and an ellipsis in a log line
#   deepnegative  negatives: hex bodies in a block beside a closed Segment
#              block (the enclosing key must not leak to siblings)
#   encoded    tokens stored encoded (issue 11): whole files in base64
#              (padded, unpadded, URL-safe; the token at each of the three
#              alignments), a Kubernetes Secret, a .dockerconfigjson,
#              Helm values, CI variables, base64 of base64, UTF-16LE and
#              BE with and without a byte order mark; 64-character bodies
#              and shorter ones with Segment named in the decoded text or
#              on the line of the encoded run. enc-FORM-aA-I.EXT
#   encnegative  negatives: random base64 (both alphabets, wrapped or
#              not), random bytes, a PNG, gzip output, placeholders and
#              hashes in base64 and UTF-16
#
# The awk part writes the plain text of each encoded sample to
# OUTDIR/.plain/; the shell part after it encodes them with base64(1),
# iconv(1) and gzip(1), deterministically, and removes .plain/.
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
function rand_from(a, n,   s, i, k) {
	s = ""
	k = length(a)
	for (i = 0; i < n; i++) s = s substr(a, rnd(k) + 1, 1)
	return s
}
# Base64 of n random bytes, padded.
function b64_random(n,   s, i, b0, b1, b2, left) {
	s = ""
	for (i = 0; i < n; i += 3) {
		left = n - i
		b0 = rnd(256); b1 = left > 1 ? rnd(256) : 0; b2 = left > 2 ? rnd(256) : 0
		s = s substr(B64, int(b0 / 4) + 1, 1) substr(B64, (b0 % 4) * 16 + int(b1 / 16) + 1, 1)
		s = s (left > 1 ? substr(B64, (b1 % 16) * 4 + int(b2 / 64) + 1, 1) : "=")
		s = s (left > 2 ? substr(B64, b2 % 64 + 1, 1) : "=")
	}
	return s
}
# n characters of a cyclic alphabet from a random place: abcdef..., ZYX...
function seq_body(n,   a, k, i, s) {
	a = SEQ[rnd(NSEQ) + 1]
	k = rnd(length(a))
	s = ""
	for (i = 0; i < n; i++) s = s substr(a, (k + i) % length(a) + 1, 1)
	return s
}
# Classes in a cycle with letters in order: aA1bB2..., aAbB..., Aa1Bb2...
function cycle_body(n,   k, d, f, s, i) {
	k = rnd(26); d = rnd(10); f = rnd(3)
	s = ""
	for (i = 0; length(s) < n; i++) {
		if (f == 0) s = s substr(LOWER, (k + i) % 26 + 1, 1) substr(UPPER, (k + i) % 26 + 1, 1) substr(DIGITS, (d + i) % 10 + 1, 1)
		else if (f == 1) s = s substr(LOWER, (k + i) % 26 + 1, 1) substr(UPPER, (k + i) % 26 + 1, 1)
		else s = s substr(UPPER, (k + i) % 26 + 1, 1) substr(LOWER, (k + i) % 26 + 1, 1) substr(DIGITS, (d + i) % 10 + 1, 1)
	}
	return substr(s, 1, n)
}
# CamelCase words drawn from list L of n words: from..to of them.
function camel(L, n, from, to,   k, i, s) {
	k = from + rnd(to - from + 1)
	s = ""
	for (i = 0; i < k; i++) s = s L[rnd(n) + 1]
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
# The token t after an escape or a %XX; Segment named on the line for
# bodies shorter than 64 (c = 1).
function esc_text(f, t, c) {
	if (f == 1) return "{\"level\":\"info\"," (c ? "\"service\":\"segment\"," : "") "\"msg\":\"key\\n" t "\\nnext\"}\n"
	if (f == 2) return "{\"level\":\"warn\"," (c ? "\"sink\":\"segment\"," : "") "\"msg\":\"token:\\t" t "\\t(ok)\"}\n"
	if (f == 3) return "{\"html\":\"\\u003cb\\u003e" t "\\u003c/b\\u003e\"" (c ? ",\"via\":\"segment\"" : "") "}\n"
	if (f == 4) return "{\"log\":\"set key=\\u0022" t "\\u0022\"" (c ? ",\"app\":\"segment-sync\"" : "") "}\n"
	if (f == 5) return "{\"cmd\":\"export K=\\\"" t "\\\"\"" (c ? ",\"for\":\"segment\"" : "") "}\n"
	if (f == 6) return "10.0.0.7 - - [03/Dec/2025:10:00:00 +0000] \"GET /" (c ? "segment/" : "") "hook?cfg=token%3D" t "%26limit%3D10 HTTP/1.1\" 200 512\n"
	if (f == 7) return "10.0.0.7 - - [03/Dec/2025:10:00:01 +0000] \"GET /" (c ? "segment/" : "") "hook?cfg=token%3d" t "%26x HTTP/1.1\" 204 0\n"
	if (f == 8) return "POST /api body=payload%3D%7B%22token%22%3A%22" t "%22%7D" (c ? "&integration=segment" : "") "\n"
	if (f == 9) return "payload=%7B%22key%22%3A%22" t "%22%2C%22n%22%3A1%7D" (c ? "&dest=segment" : "") "\n"
	if (f == 10) return "GET /r?next=%2Fcb%3Ftoken%253D" t "%2526a%253D1" (c ? "%26src%3Dsegment" : "") " HTTP/1.1\n"
	if (f == 11) return "printf(\"key\\x3d" t "\\r\\n\");" (c ? " // segment" : "") "\n"
	if (f == 12) return "{\"line\":\"\\r\\n" t "\\r\\n\"" (c ? ",\"segment\":true" : "") "}\n"
	return ""
}
# Lines of filler YAML at indentation ind, none naming Segment.
function yaml_fill(ind, k,   s, i) {
	s = ""
	for (i = 0; i < k; i++) s = s sprintf("%*s", ind, "") "opt" i ": " (i * 37 % 101) "\n"
	return s
}
# Members of filler JSON at indentation ind, each with a trailing comma.
function json_fill(ind, k,   s, i) {
	s = ""
	for (i = 0; i < k; i++) s = s sprintf("%*s", ind, "") "\"opt" i "\": " (i * 37 % 101) ",\n"
	return s
}
# Segment named several levels and many lines above the token, or far
# from it in the same object of a minified line.
function deep_text(c, t,   s, i, f) {
	f = 8 + rnd(20)
	if (c == "helm")
		return "replicaCount: 2\nintegrations:\n  segment:\n    enabled: true\n" yaml_fill(4, f) "    auth:\n" yaml_fill(6, f) "      credentials:\n        primary:\n" yaml_fill(10, 3) "          writeKey: " t "\n" yaml_fill(8, 2) "image:\n  tag: 1.2.3\n"
	if (c == "helm-list")
		return "destinations:\n  - name: segment\n    settings:\n" yaml_fill(6, f) "      secrets:\n        - id: main\n" yaml_fill(10, 4) "          value: " t "\n  - name: other\n    settings: {}\n"
	if (c == "appsettings")
		return "{\n  \"Logging\": {\n    \"LogLevel\": { \"Default\": \"Information\" }\n  },\n  \"Analytics\": {\n    \"Segment\": {\n" json_fill(6, f) "      \"Options\": {\n" json_fill(8, f) "        \"Credentials\": {\n" json_fill(10, 3) "          \"ApiToken\": \"" t "\"\n        }\n      }\n    }\n  },\n  \"AllowedHosts\": \"*\"\n}\n"
	if (c == "tfstate")
		return "{\n  \"version\": 4,\n  \"resources\": [\n    {\n      \"mode\": \"managed\",\n      \"type\": \"segment_destination\",\n      \"name\": \"warehouse\",\n      \"instances\": [\n        {\n          \"schema_version\": 0,\n          \"attributes\": {\n" json_fill(12, f) "            \"settings\": {\n" json_fill(14, 4) "              \"api_token\": \"" t "\"\n            }\n          }\n        }\n      ]\n    }\n  ]\n}\n"
	if (c == "notebook-dict") {
		s = "{\n \"cells\": [\n  {\n   \"cell_type\": \"code\",\n   \"metadata\": {},\n   \"source\": [\n    \"config = {\\n\",\n    \"    \\\"segment\\\": {\\n\",\n"
		for (i = 0; i < f; i++) s = s "    \"        \\\"opt" i "\\\": " i ",\\n\",\n"
		return s "    \"        \\\"auth\\\": {\\\"token\\\": \\\"" t "\\\"}\\n\",\n    \"    }\\n\",\n    \"}\\n\"\n   ]\n  }\n ],\n \"nbformat\": 4\n}\n"
	}
	if (c == "notebook-yaml") {
		s = "{\n \"cells\": [\n  {\n   \"cell_type\": \"code\",\n   \"source\": [\n    \"%%writefile values.yaml\\n\",\n    \"segment:\\n\",\n"
		for (i = 0; i < f; i++) s = s "    \"  opt" i ": " i "\\n\",\n"
		return s "    \"  auth:\\n\",\n    \"    key: " t "\\n\"\n   ]\n  }\n ]\n}\n"
	}
	if (c == "minified-far")
		return FILL "var cfg={\"provider\":\"segment\"," filler(300 + rnd(2000)) "apiToken:\"" t "\",n:1};" FILL2 "\n"
	if (c == "minified-key")
		return FILL "window.cfg={segment:{w:\"acme\",o:{" filler(2500 + rnd(1500)) ",auth:{k:\"" t "\"}}}};" FILL2 "\n"
	if (c == "xml")
		return "<?xml version=\"1.0\"?>\n<configuration>\n  <integrations>\n    <segment>\n" yaml_fill(6, f) "      <auth>\n" yaml_fill(8, 4) "        <credential>\n          <value>" t "</value>\n        </credential>\n      </auth>\n    </segment>\n  </integrations>\n</configuration>\n"
	return ""
}
# Negatives: a closed Segment block, then the body in a sibling block.
function deepneg_text(c, t) {
	if (c == "yaml")
		return "segment:\n  enabled: true\n  workspace: acme\nstorage:\n  cache:\n" yaml_fill(4, 6) "    key: " t "\n"
	if (c == "json")
		return "{\n  \"segment\": {\n    \"enabled\": true\n  },\n  \"storage\": {\n" json_fill(4, 6) "    \"cache\": {\n      \"key\": \"" t "\"\n    }\n  }\n}\n"
	if (c == "list")
		return "sinks:\n  - name: segment\n    enabled: true\n  - name: cache\n" yaml_fill(4, 6) "    key: " t "\n"
	if (c == "python")
		return "class SegmentSink:\n    enabled = True\n\n\nclass Cache:\n" yaml_fill(4, 5) "    key = \"" t "\"\n"
	return ""
}
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

	# ---- second round: escapes, structure, class mixes, new negatives ----
	LOWER = "abcdefghijklmnopqrstuvwxyz"; UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"; DIGITS = "0123456789"
	B64 = UPPER LOWER DIGITS "+/"
	for (f = 1; f <= 12; f++) {
		for (i = 1; i <= 2; i++) {
			t = "sgp_" rand_alnum(64)
			emit("escaped", "esc" f "-64-" i ".log", esc_text(f, t, 0), "escaped", SEG, t)
		}
		split("16 20 24 32 40 48 56 63", EL, " ")
		for (i = 1; i <= 8; i++) {
			t = "sgp_" rand_alnum(EL[i])
			emit("escaped", "esc" f "-ctx-" EL[i] ".log", esc_text(f, t, 1), "escaped", SEG, t)
		}
	}
	nd = split("helm helm-list appsettings tfstate notebook-dict notebook-yaml minified-far minified-key xml", D, " ")
	FILL = filler(20480)
	for (len = 16; len <= 63; len++)
		for (i = 1; i <= nd; i++) {
			t = "sgp_" rand_alnum(len)
			emit("deep", "deep-" D[i] "-" len ".txt", deep_text(D[i], t), "deep", SEG, t)
			# Hex bodies block only with context: they test the walk
			# alone (40 hex digits are the shape of Sourcegraph tokens).
			if (len == 40) continue
			t = "sgp_" rand_hex(len)
			emit("deephex", "deephex-" D[i] "-" len ".txt", deep_text(D[i], t), "deephex", SEG, t)
		}
	na = split("lower upper letters lower-digits upper-digits", A, " ")
	AL["lower"] = LOWER; AL["upper"] = UPPER; AL["letters"] = UPPER LOWER
	AL["lower-digits"] = LOWER DIGITS; AL["upper-digits"] = UPPER DIGITS
	for (len = 16; len <= 63; len++)
		for (i = 1; i <= na; i++) {
			do t = "sgp_" rand_from(AL[A[i]], len); while (A[i] ~ /-/ && t !~ /[0-9].*[A-Za-z]|[A-Za-z].*[0-9]/)
			c = N[(len + i) % (nn - 1) + 1]
			emit("norandom", "norandom-" A[i] "-" c "-" len ".txt", noctx_text(c, t), "norandom", SEG, t)
		}

	for (i = 1; i <= 40; i++) {
		emit("hash", "sha256-" i ".txt", "segment_cache: sgp_" rand_hex(64) "\n", "hash", "-", "")
		h = rand_hex(64); gsub(/a/, "A", h); gsub(/b/, "B", h); gsub(/c/, "C", h); gsub(/d/, "D", h); gsub(/e/, "E", h); gsub(/f/, "F", h)
		if (i <= 20) emit("hash", "sha256-upper-" i ".txt", "SEGMENT_ASSET=sgp_" h "\n", "hash", "-", "")
		emit("hash", "md5-" i ".txt", "cache/sgp_" rand_hex(32) ".json\n", "hash", "-", "")
		emit("hash", "b64-sha256-" i ".json", "{\"segment\": {\"integrity\": \"sgp_" b64_random(32) "\"}}\n", "hash", "-", "")
		emit("hash", "b64-sha512-" i ".txt", "segment bundle sgp_" b64_random(64) "\n", "hash", "-", "")
	}
	NSEQ = split(LOWER " " UPPER " " LOWER DIGITS " " UPPER DIGITS " zyxwvutsrqponmlkjihgfedcba", SEQ, " ")
	np = split("Change Me Before Deploying Put Your Real Key Here Set This In Production Goes Replace With Own Value Not Secret Later Fill Paste Api Write Do Commit Local Dev Default Sample Demo Update Before Release Use Env Var Instead", P, " ")
	for (len = 16; len <= 63; len++) {
		emit("filler", "seq-" len ".env", "SEGMENT_API_TOKEN=sgp_" seq_body(len) "\n", "filler", "-", "")
		emit("filler", "cycle-" len ".env", "segment:\n  apiToken: sgp_" cycle_body(len) "\n", "filler", "-", "")
	}
	emit("filler", "alphabet.env", "SEGMENT_API_TOKEN=sgp_abcdefghijklmnopqrstuvwxyz\n", "filler", "-", "")
	emit("filler", "alphabet-upper.env", "SEGMENT_API_TOKEN=sgp_ABCDEFGHIJKLMNOPQRSTUVWXYZ012345\n", "filler", "-", "")
	emit("filler", "cycle.env", "SEGMENT_API_TOKEN=sgp_aA1bB2cC3dD4eE5fF6gG7hH8\n", "filler", "-", "")
	emit("filler", "changeme.env", "SEGMENT_API_TOKEN=sgp_ChangeMeBeforeDeploying\n", "filler", "-", "")
	for (i = 1; i <= 100; i++) {
		do b = camel(P, np, 3, 6); while (length(b) < 16 || length(b) > 64)
		emit("filler", "phrase-" i ".env", (i % 2 ? "SEGMENT_WRITE_KEY=sgp_" : "const segmentKey = \"sgp_") b (i % 2 ? "" : "\";") "\n", "filler", "-", "")
	}
	nm = split("Household Income Customer Segment Segments Revenue Region Market Share Population Resident Planning Area Subzone Age Group Gender Ethnic Daily Monthly Annual Total Retail Sales Growth Rate Median Spend Category Tier Cohort Loyalty Premium Urban Rural By And Of Per Year Size Sizes Value Youth Senior Family Affluent Budget Mid", M, " ")
	for (i = 1; i <= 400; i++) {
		do b = camel(M, nm, 2, 5) (rnd(2) ? 2015 + rnd(10) : ""); while (length(b) < 16 || length(b) > 64)
		f = i % 4
		if (f == 0) x = "-- customer segment sizes\nSELECT * FROM sgp_" b " WHERE tier > 1;\n"
		else if (f == 1) x = "segments = load_table(\"sgp_" b "\")  # market segment model\n"
		else if (f == 2) x = "segments:\n  - name: affluent\n    source: sgp_" b "\n"
		else x = "{\"marketSegments\": [{\"table\": \"sgp_" b "\", \"rows\": 12}]}\n"
		emit("market", "market-" i ".txt", x, "market", "-", "")
	}
	for (i = 1; i <= 100; i++) {
		x = "sgp_" rand_alnum(16 + rnd(9)) (i % 2 ? "\342\200\246" : "...")
		emit("redacted", "redacted-" i ".log", "2025-12-03T10:00:0" (i % 10) "Z segment sync: using token " x " (workspace acme)\n", "redacted", "-", "")
	}
	split("yaml json list python", DN, " ")
	for (i = 1; i <= 100; i++)
		emit("deepnegative", "deepneg-" DN[i % 4 + 1] "-" i ".txt", deepneg_text(DN[i % 4 + 1], "sgp_" rand_hex(16 + rnd(24))), "deepnegative", "-", "")

	for (i = 1; i <= 20; i++) {
		t = "sgp_" rand_hex(16) "_local_" rand_hex(40)
		emit("sourcegraph", "instance-local-" i ".env", (i % 2 ? "SRC_ACCESS_TOKEN=" : "segment: ") t "\n", "sourcegraph", SRC, t)
		t = "sgp_" rand_hex(40)
		emit("sourcegraph", "escaped-" i ".log", (i % 2 ? "{\"msg\":\"token\\n" t "\"}" : "GET /?k=%22" t "%22") "\n", "sourcegraph", SRC, t)
	}

	# ---- encoded: plain texts for the shell part (form, plain, expectation)
	system("mkdir -p \"" out "/.plain\" \"" out "/encoded\" \"" out "/encnegative\"")
	spec = out "/.plain/spec.tsv"
	nf = split("b64 b64nopad b64url env64 depth2 k8s k8s-ctx helm docker ci utf16le utf16le-bom utf16be utf16be-bom", EF, " ")
	split("SEGMENT_API_TOKEN=|SEGMENT_API_TOKEN=\"|SEGMENT_API_TOKEN = ", PF, "|")
	split("|\n|\n# end\n", SF, "|")
	for (i = 1; i <= 28 * nf; i++) {
		f = EF[(i - 1) % nf + 1]
		a = int((i - 1) / nf) % 3
		t = "sgp_" rand_alnum(i % 2 ? 64 : 16 + rnd(48))
		if (f ~ /^(b64|env64|depth2)/)
			x = PF[a + 1] t (a == 1 ? "\"" : "") SF[rnd(3) + 1]
		else if (f ~ /^utf16/)
			x = "# settings\r\n" rep(" ", a) "$env:SEGMENT_TOKEN = \"" t "\"\r\n"
		else
			x = t
		plain = out "/.plain/" i
		printf "%s", x > plain
		close(plain)
		printf "%s\t%s\t%s\t%s\n", out "/encoded/enc-" f "-a" a "-" i ".txt", f, plain, t > spec
	}
	# negatives: random base64 and bytes, placeholders and hashes encoded
	for (i = 1; i <= 40; i++) {
		plain = out "/.plain/n" i
		printf "%s", b64_random(600 + rnd(3000)) > plain
		close(plain)
		f = i % 4 == 0 ? "random-b64" : i % 4 == 1 ? "random-b64url" : i % 4 == 2 ? "random-bytes" : "png"
		printf "%s\t%s\t%s\t-\n", out "/encnegative/" f "-" i ".bin", f, plain > spec
	}
	for (i = 1; i <= 20; i++) {
		plain = out "/.plain/g" i
		printf "%s", filler(2000 + rnd(4000)) > plain
		close(plain)
		printf "%s\t%s\t%s\t-\n", out "/encnegative/gzip-" i ".gz", "gzip", plain > spec
	}
	for (i = 1; i <= 40; i++) {
		f = i % 4 == 0 ? "neg-b64" : i % 4 == 1 ? "neg-b64url" : i % 4 == 2 ? "neg-utf16le-bom" : "neg-utf16be"
		k = i % 5
		x = k == 0 ? "sgp_" rep("x", 24) : k == 1 ? "sgp_YOUR_SEGMENT_TOKEN_HERE" : k == 2 ? "sgp_" rand_hex(64) : k == 3 ? "sgp_" seq_body(20 + rnd(20)) : "sgp_ChangeMeBeforeDeploying"
		plain = out "/.plain/p" i
		printf "SEGMENT_API_TOKEN=%s\n", x > plain
		close(plain)
		printf "%s\t%s\t%s\t-\n", out "/encnegative/" f "-" i ".txt", f, plain > spec
	}
}'

# ---- encoded: the shell part
b64() { base64 -w0; }
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
png_header() { printf '\211PNG\r\n\032\n\000\000\000\rIHDR\000\000\001\000\000\000\001\000\010\006\000\000\000'; }
while IFS='	' read -r path form plain tok; do
	case $form in
	b64) b64 <"$plain" ;;
	b64nopad) b64 <"$plain" | tr -d '=' ;;
	# "~~~" encodes to fn5+: the URL-safe alphabet shows (fn5-)
	b64url) { printf '~~~'; cat "$plain"; } | b64url ;;
	env64) base64 <"$plain" ;;
	depth2) printf 'config: %s\n' "$(b64 <"$plain")" | b64 ;;
	k8s) printf 'apiVersion: v1\nkind: Secret\ntype: Opaque\ndata:\n  token: %s\n' "$(b64 <"$plain")" ;;
	k8s-ctx) printf 'apiVersion: v1\nkind: Secret\ndata:\n  SEGMENT_WRITE_TOKEN: %s\n' "$(b64 <"$plain")" ;;
	helm) printf 'segment:\n  enabled: true\n  token: %s\n' "$(b64url <"$plain")" ;;
	docker) printf 'apiVersion: v1\nkind: Secret\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: %s\n' \
		"$(printf '{"auths":{"segment.registry.example.com":{"auth":"%s"}}}' \
		"$({ printf 'deploy:'; cat "$plain"; } | b64)" | b64)" ;;
	ci) printf '[{"key":"SEGMENT_WRITE_KEY","value":"%s","masked":true}]\n' "$(b64 <"$plain")" ;;
	utf16le) iconv -f UTF-8 -t UTF-16LE <"$plain" ;;
	utf16le-bom) printf '\377\376'; iconv -f UTF-8 -t UTF-16LE <"$plain" ;;
	utf16be) iconv -f UTF-8 -t UTF-16BE <"$plain" ;;
	utf16be-bom) printf '\376\377'; iconv -f UTF-8 -t UTF-16BE <"$plain" ;;
	random-b64) fold -w 76 <"$plain"; echo ;;
	random-b64url) tr '+/' '-_' <"$plain" ;;
	random-bytes) base64 -d <"$plain" ;;
	png) png_header; base64 -d <"$plain" ;;
	gzip) gzip -n -c <"$plain" ;;
	neg-b64) b64 <"$plain" ;;
	neg-b64url) b64url <"$plain" ;;
	neg-utf16le-bom) printf '\377\376'; iconv -f UTF-8 -t UTF-16LE <"$plain" ;;
	neg-utf16be) iconv -f UTF-8 -t UTF-16BE <"$plain" ;;
	esac >"$path"
	if [ "$tok" = - ]; then
		printf '%s\tencnegative\t-\t\n' "$path"
	else
		printf '%s\tencoded\tsegment-public-api-token\t%s\n' "$path" "$tok"
	fi >>"$out/expected.tsv"
done <"$out/.plain/spec.tsv"
rm -rf "$out/.plain"

