#!/usr/bin/env bats
# The pre-commit hook: `git commit` judges what the index adds against HEAD.
# Each case commits through the real git binary, with sghook installed as
# .git/hooks/pre-commit, and asserts git's exit status and sghook's stderr.

load helpers/engine

setup() {
	engine_setup
	# A first commit, so that most cases judge a change against HEAD.
	plant_base
}

# ------------------------------------------------------------ the seed forms

@test "export SEGMENT_API_TOKEN=\"sgp_...\" in a shell file is refused" {
	printf 'export SEGMENT_API_TOKEN="%s"\n' "$SEED_TOKEN" >env.sh
	git add env.sh
	try_commit "add env"
	assert_commit_refused env.sh:1
	assert_stderr_contains segment-public-api-token
}

@test "a token under \"segment\": { \"apiToken\" } in multi-line JSON is refused at its line" {
	cat >settings.json <<EOF
{
  "segment": {
    "apiToken": "$SEED_TOKEN"
  }
}
EOF
	git add settings.json
	try_commit "add settings"
	assert_commit_refused settings.json:3
}

@test "const segmentApiToken = \"sgp_...\"; in code is refused" {
	printf '// analytics\nconst segmentApiToken = "%s";\n' "$SEED_TOKEN" >client.js
	git add client.js
	try_commit "add client"
	assert_commit_refused client.js:2
}

@test "a segment://sgp_...@api.segment.io URL is refused" {
	printf 'url: segment://%s@api.segment.io\n' "$SEED_TOKEN" >dsn.yml
	git add dsn.yml
	try_commit "add dsn"
	assert_commit_refused dsn.yml:1
}

# ------------------------------------------------- random 64-character tokens

@test "a random 64-character token in JSON is refused" {
	local t; t=$(new_token)
	printf '{\n  "name": "app",\n  "token": "%s"\n}\n' "$t" >app.json
	git add app.json
	try_commit "add json"
	assert_commit_refused app.json:3
}

@test "a random 64-character token in YAML is refused" {
	local t; t=$(new_token)
	printf 'service:\n  name: app\n  credentials:\n    key: %s\n' "$t" >app.yaml
	git add app.yaml
	try_commit "add yaml"
	assert_commit_refused app.yaml:4
}

@test "a random 64-character token in a .env file is refused" {
	local t; t=$(new_token)
	printf 'PORT=8080\nAPI_KEY=%s\n' "$t" >.env
	git add .env
	try_commit "add env"
	assert_commit_refused .env:2
}

@test "a random 64-character token in code is refused" {
	local t; t=$(new_token)
	printf 'import os\n\n\nclient = Client(key="%s")\n' "$t" >main.py
	git add main.py
	try_commit "add code"
	assert_commit_refused main.py:4
}

@test "a token in a file in a subdirectory is reported by its path from the top" {
	local t; t=$(new_token)
	mkdir -p config/dev
	printf 'x: 1\nkey: %s\n' "$t" >config/dev/settings.yml
	git add config/dev/settings.yml
	try_commit "add settings"
	assert_commit_refused config/dev/settings.yml:2
}

@test "a short random-looking token is refused without any Segment context" {
	printf 'key = "sgp_Ab3dE5fG7hJ9kL2m"\n' >k.py
	git add k.py
	try_commit "add key"
	assert_commit_refused k.py:1
}

@test "a Segment word three lines above a short token gives it context" {
	printf '# segment\na = 1\nb = 2\nkey = "%s"\n' "$SEED_TOKEN" >ctx.py
	git add ctx.py
	try_commit "add ctx"
	assert_commit_refused ctx.py:4
}

@test "a short non-random token with no Segment word within three lines is not refused" {
	printf '# segment\na = 1\nb = 2\nc = 3\nkey = "%s"\n' "$SEED_TOKEN" >far.py
	git add far.py
	try_commit "add far"
	assert_commit_accepted
}

# ---------------------------------------------------------------- file shapes

@test "a token on a last line without a trailing newline is refused" {
	printf 'A=1\nB=2\nSEGMENT_API_TOKEN=%s' "$SEED_TOKEN" >nonl.env
	git add nonl.env
	try_commit "add nonl"
	assert_commit_refused nonl.env:3
}

@test "a token in a file with CRLF line endings is refused at its line, without the CR" {
	need_jq
	printf 'A=1\r\nB=2\r\nSEGMENT_API_TOKEN=%s\r\nC=3\r\n' "$SEED_TOKEN" >crlf.env
	git add crlf.env
	try_commit "add crlf"
	assert_commit_refused crlf.env:3
	run --separate-stderr "$SGHOOK" --pre-commit --format json --no-redact
	assert_status 1
	assert_json ".[0].line == 3 and .[0].secret == \"$SEED_TOKEN\""
}

@test "a token inside a binary blob with NUL bytes is refused" {
	local t; t=$(new_token)
	printf '\000\001\002\377BIN\000\000%s\000\377\376' "$t" >blob.bin
	git add blob.bin
	# git itself sees a binary file.
	run git diff --cached --numstat -- blob.bin
	assert_output_matches '^-	-	blob.bin$'
	try_commit "add blob"
	assert_commit_refused blob.bin:1
}

@test "a token at the end of a megabyte-long single line (minified JS) is found on line 1" {
	need_jq
	local t; t=$(new_token)
	{
		yes 'var a=1;' | tr -d '\n' | head -c 1048576
		printf 'var k="%s";' "$t"
	} >app.min.js
	[ "$(wc -l <app.min.js)" -eq 0 ]
	[ "$(wc -c <app.min.js)" -gt 1000000 ]
	git add app.min.js
	try_commit "add minified"
	assert_commit_refused app.min.js:1
	run --separate-stderr "$SGHOOK" --pre-commit --format json --no-redact
	assert_status 1
	assert_json "length == 1 and .[0].line == 1 and .[0].secret == \"$t\""
}

@test "a file that is nothing but a token, without a newline, is refused" {
	printf '%s' "$(new_token)" >token.txt
	git add token.txt
	try_commit "bare token"
	assert_commit_refused token.txt:1
}

@test "two tokens on one line are both reported" {
	need_jq
	local a b
	a=$(new_token) b=$(new_token)
	printf 'keys: ["%s", "%s"]\n' "$a" "$b" >keys.yml
	git add keys.yml
	run --separate-stderr "$SGHOOK" --pre-commit --format json --no-redact
	assert_status 1
	assert_json "[.[].secret] == [\"$a\", \"$b\"] and all(.[]; .line == 1)"
	try_commit "two on a line"
	assert_commit_refused keys.yml:1
	assert_stderr_contains "it would add 2 secrets"
}

@test "two files with tokens are both reported" {
	printf 'SEGMENT_API_TOKEN=%s\n' "$(new_token)" >one.env
	printf 'x\ny\nSEGMENT_API_TOKEN=%s\n' "$(new_token)" >two.env
	git add one.env two.env
	try_commit "add two"
	assert_commit_refused one.env:1 two.env:3
	assert_stderr_contains "it would add 2 secrets"
}

# ------------------------------------------------- what is not a new leak

@test "a token kept while other lines of its file are edited is not a new leak" {
	plant config.sh "A=1
export SEGMENT_API_TOKEN=\"$SEED_TOKEN\"
B=2
" "config with a token"
	printf '# settings\nA=42\nexport SEGMENT_API_TOKEN="%s"\nB=3\nC=4\n' \
		"$SEED_TOKEN" >config.sh
	git add config.sh
	try_commit "edit around the token"
	assert_commit_accepted
}

@test "a token on a renamed line is not a new leak" {
	plant app.env "SEGMENT_TOKEN=$SEED_TOKEN
PORT=1
" "app env"
	printf 'SEGMENT_API_TOKEN=%s\nPORT=1\n' "$SEED_TOKEN" >app.env
	git add app.env
	try_commit "rename the variable"
	assert_commit_accepted
}

@test "a token on a moved and re-indented line is not a new leak" {
	local t; t=$(new_token)
	plant conf.yml "a: 1
key: $t
b: 2
" "conf"
	printf 'b: 2\nnested:\n    key: %s\na: 1\n' "$t" >conf.yml
	git add conf.yml
	try_commit "reshape conf"
	assert_commit_accepted
}

@test "a renamed file holding an old token is not a new leak" {
	local t; t=$(new_token)
	plant old.env "PORT=1
API_KEY=$t
" "old env"
	git mv old.env new.env
	try_commit "rename"
	assert_commit_accepted
}

@test "a renamed and edited file holding an old token is not a new leak" {
	local t; t=$(new_token)
	plant src/settings.py "import os

DEBUG = False
NAME = 'app'
KEY = '$t'
PORT = 8000
HOST = 'localhost'
" "settings"
	mkdir -p conf
	git mv src/settings.py conf/settings.py
	printf 'TIMEOUT = 30\n' >>conf/settings.py
	git add conf/settings.py
	try_commit "move settings"
	assert_commit_accepted
}

@test "a copied file holding an old token is not a new leak" {
	local t; t=$(new_token)
	plant prod.env "PORT=1
HOST=prod
API_KEY=$t
" "prod env"
	cp prod.env staging.env
	git add staging.env
	try_commit "copy env"
	assert_commit_accepted
}

@test "a deleted line holding a token is not a leak" {
	plant creds.sh "A=1
export SEGMENT_API_TOKEN=\"$SEED_TOKEN\"
B=2
" "creds"
	printf 'A=1\nB=2\n' >creds.sh
	git add creds.sh
	try_commit "remove the token"
	assert_commit_accepted
}

@test "a deleted file holding a token is not a leak" {
	plant creds.env "SEGMENT_API_TOKEN=$SEED_TOKEN
" "creds"
	git rm -q creds.env
	try_commit "remove creds"
	assert_commit_accepted
}

@test "a new token beside an old one is reported alone" {
	need_jq
	local old new
	old=$(new_token) new=$(new_token)
	plant keys.env "OLD=$old
" "old key"
	printf 'OLD=%s\nNEW=%s\n' "$old" "$new" >keys.env
	git add keys.env
	try_commit "add new key"
	assert_commit_refused keys.env:2
	run --separate-stderr "$SGHOOK" --pre-commit --format json --no-redact
	assert_status 1
	assert_json "length == 1 and .[0].secret == \"$new\" and .[0].line == 2"
}

@test "a token replaced by another token is a new leak" {
	local old new
	old=$(new_token) new=$(new_token)
	plant key.env "KEY=$old
" "key"
	printf 'KEY=%s\n' "$new" >key.env
	git add key.env
	try_commit "rotate in the repo"
	assert_commit_refused key.env:1
}

# ------------------------------------------------- which change is judged

@test "the first commit (unborn HEAD) with a token is refused" {
	local fresh="$BATS_TEST_TMPDIR/fresh"
	git init -q "$fresh"
	install_pre_commit_hook "$fresh"
	cd "$fresh"
	printf 'export SEGMENT_API_TOKEN="%s"\n' "$SEED_TOKEN" >env.sh
	git add env.sh
	try_commit "first"
	assert_commit_refused env.sh:1
	run git rev-parse -q --verify HEAD
	assert_status 1
}

@test "the first commit (unborn HEAD) without a token is accepted" {
	local fresh="$BATS_TEST_TMPDIR/fresh"
	git init -q "$fresh"
	install_pre_commit_hook "$fresh"
	cd "$fresh"
	echo hello >hello.txt
	git add hello.txt
	try_commit "first"
	assert_commit_accepted
}

@test "a clean commit is accepted and sghook prints nothing" {
	echo 'print("hello")' >hello.py
	git add hello.py
	try_commit "clean"
	assert_commit_accepted
	assert_stderr_empty
}

@test "git commit -a (a temporary index through GIT_INDEX_FILE) is refused" {
	plant app.js 'const a = 1;
' "app"
	printf 'const segmentApiToken = "%s";\n' "$SEED_TOKEN" >>app.js
	try_commit "all" -a
	assert_commit_refused app.js:2
}

@test "git commit PATH (a partial commit through a temporary index) is refused" {
	plant app.js 'const a = 1;
' "app"
	printf 'const segmentApiToken = "%s";\n' "$SEED_TOKEN" >>app.js
	echo other >other.txt
	git add other.txt
	try_commit "only app" -- app.js
	assert_commit_refused app.js:2
}

@test "git commit -a from a subdirectory is refused" {
	mkdir -p src/lib
	plant src/lib/conf.js 'const a = 1;
' "conf"
	printf 'const segmentApiToken = "%s";\n' "$SEED_TOKEN" >>src/lib/conf.js
	cd src/lib
	try_commit "from a subdirectory" -a
	assert_commit_refused src/lib/conf.js:2
}

@test "git -C DIR commit PATH is refused" {
	mkdir -p src
	plant src/conf.js 'const a = 1;
' "conf"
	printf 'const segmentApiToken = "%s";\n' "$SEED_TOKEN" >>src/conf.js
	HEAD_BEFORE=$(git -C "$REPO" rev-parse HEAD)
	run --separate-stderr git -C "$REPO/src" commit -m "with -C" -- conf.js
	assert_status 1
	assert_stderr_contains "  src/conf.js:2  "
	assert_equal "$(git -C "$REPO" rev-parse HEAD)" "$HEAD_BEFORE"
}

# A repository whose work tree is elsewhere, as dotfiles are kept:
# git --git-dir=D --work-tree=W, which hooks see as GIT_DIR and GIT_WORK_TREE.
make_separate_work_tree() {
	git init -q --bare "$BATS_TEST_TMPDIR/dotfiles.git"
	mkdir -p "$BATS_TEST_TMPDIR/dotfiles.git/hooks"
	cp "$REPO/.git/hooks/pre-commit" "$BATS_TEST_TMPDIR/dotfiles.git/hooks/pre-commit"
	mkdir -p "$BATS_TEST_TMPDIR/home"
	cd "$BATS_TEST_TMPDIR/home"
	dot() { git --git-dir="$BATS_TEST_TMPDIR/dotfiles.git" --work-tree=. "$@"; }
	echo 'alias ll="ls -l"' >.bashrc
	dot add .bashrc
	dot commit -q --no-verify -m "bashrc"
}

@test "a clean commit with --git-dir and --work-tree (GIT_WORK_TREE) is accepted" {
	make_separate_work_tree
	echo 'set -o vi' >>.bashrc
	dot add .bashrc
	HEAD_BEFORE=$(dot rev-parse HEAD)
	run --separate-stderr dot commit -m "vi mode"
	assert_status 0
	assert_stderr_not_contains "sghook"
	[ "$(dot rev-parse HEAD)" != "$HEAD_BEFORE" ] || fail_with "HEAD did not move"
}

@test "a token committed with --git-dir and --work-tree (GIT_WORK_TREE) is refused as a finding" {
	make_separate_work_tree
	printf 'export SEGMENT_API_TOKEN="%s"\n' "$SEED_TOKEN" >>.bashrc
	dot add .bashrc
	HEAD_BEFORE=$(dot rev-parse HEAD)
	run --separate-stderr dot commit -m "token"
	assert_status 1
	assert_stderr_contains "sghook: commit refused: it would add 1 secret"
	assert_stderr_contains "  .bashrc:2  "
	assert_equal "$(dot rev-parse HEAD)" "$HEAD_BEFORE"
}

@test "a token only in the work tree does not block a commit of the staged version" {
	echo 'A=1' >app.env
	git add app.env
	printf 'SEGMENT_API_TOKEN=%s\n' "$SEED_TOKEN" >>app.env
	try_commit "staged version"
	assert_commit_accepted
}

@test "a staged token later removed from the work tree is still refused" {
	printf 'SEGMENT_API_TOKEN=%s\n' "$SEED_TOKEN" >app.env
	git add app.env
	echo 'A=1' >app.env
	try_commit "staged token"
	assert_commit_refused app.env:1
}

@test "a conflict resolution that adds a token is refused" {
	plant app.cfg 'value = 0
' "base"
	git checkout -q -b topic
	echo 'value = 1' >app.cfg
	git commit -q -a -m topic
	git checkout -q main
	echo 'value = 2' >app.cfg
	git commit -q -a -m main
	run git merge topic
	assert_status 1
	printf 'value = 3\nsegment_token = "%s"\n' "$SEED_TOKEN" >app.cfg
	git add app.cfg
	try_commit "merge topic"
	assert_commit_refused app.cfg:2
}

# topic commits app.cfg with a token (before sghook, --no-verify); main
# changes the same line, so that merging topic stops on a conflict.
make_conflicting_topic_with_token() {
	plant app.cfg 'value = 0
' "base cfg"
	git checkout -q -b topic
	printf 'value = 1\nsegment_token = "%s"\n' "$SEED_TOKEN" >app.cfg
	git add app.cfg
	commit_unchecked "topic: token"
	git checkout -q main
	echo 'value = 2' >app.cfg
	git add app.cfg
	commit_unchecked "main: value"
}

@test "concluding a conflicted merge does not re-report a token the merged branch already has" {
	make_conflicting_topic_with_token
	run git merge topic
	assert_status 1
	printf 'value = 2\nsegment_token = "%s"\n' "$SEED_TOKEN" >app.cfg
	git add app.cfg
	try_commit "merge topic"
	assert_commit_accepted
	# --check-range agrees about the merge commit it made.
	run_sghook --check-range topic..main
	assert_status 0
}

@test "concluding a merge --no-commit does not re-report a token the merged branch already has" {
	git checkout -q -b topic
	plant creds.env "SEGMENT_API_TOKEN=$SEED_TOKEN
" "topic: token"
	git checkout -q main
	plant other.txt 'other
' "main work"
	git merge -q --no-ff --no-commit topic
	try_commit "merge topic"
	assert_commit_accepted
}

@test "concluding a merge still refuses a token that neither side had" {
	make_conflicting_topic_with_token
	run git merge topic
	assert_status 1
	printf 'value = 2\nsegment_token = "%s"\nkey = "%s"\n' "$SEED_TOKEN" "$(new_token)" >app.cfg
	git add app.cfg
	try_commit "merge topic"
	assert_commit_refused app.cfg:3
	assert_stderr_not_contains "app.cfg:2"
}

@test "concluding a cherry-pick refuses a token the picked commit brings (the new commit has one parent)" {
	make_conflicting_topic_with_token
	run git cherry-pick topic
	assert_status 1
	[ -f .git/CHERRY_PICK_HEAD ]
	printf 'value = 2\nsegment_token = "%s"\n' "$SEED_TOKEN" >app.cfg
	git add app.cfg
	try_commit "picked"
	assert_commit_refused app.cfg:2
}

@test "a commit in a linked worktree (git worktree add) is refused" {
	git worktree add -q "$BATS_TEST_TMPDIR/wt" -b wt
	cd "$BATS_TEST_TMPDIR/wt"
	printf 'SEGMENT_API_TOKEN=%s\n' "$SEED_TOKEN" >wt.env
	git add wt.env
	try_commit "in a worktree"
	assert_commit_refused wt.env:1
}

@test "sghook --pre-commit works from a subdirectory of the work tree" {
	mkdir -p sub/dir
	printf 'SEGMENT_API_TOKEN=%s\n' "$SEED_TOKEN" >sub/dir/x.env
	git add sub/dir/x.env
	cd sub/dir
	run_sghook --pre-commit
	assert_status 1
	assert_stderr_contains "  sub/dir/x.env:1  "
}

# ------------------------------------------------------ what is never blocked

@test "the placeholder sgp_xxxxxxxxxxxxxxxx is not refused" {
	printf 'export SEGMENT_API_TOKEN="sgp_xxxxxxxxxxxxxxxx"\n' >example.env
	git add example.env
	try_commit "placeholder"
	assert_commit_accepted
}

@test "the placeholder sgp_0000000000000000 is not refused" {
	printf '{ "segment": { "apiToken": "sgp_0000000000000000" } }\n' >example.json
	git add example.json
	try_commit "placeholder"
	assert_commit_accepted
}

@test "the placeholder sgp_YOUR_TOKEN_HERE is not refused" {
	printf 'const segmentApiToken = "sgp_YOUR_TOKEN_HERE";\n' >example.js
	git add example.js
	try_commit "placeholder"
	assert_commit_accepted
}

@test "mysgp_ followed by 64 characters is not refused" {
	local t; t=$(new_token)
	printf 'const id = "my%s";\n' "$t" >ids.js
	git add ids.js
	try_commit "not a token"
	assert_commit_accepted
}

@test "a token glued to more identifier characters on its right is not refused" {
	local t; t=$(new_token)
	printf 'const id = "%s_v2";\n' "$t" >ids.js
	git add ids.js
	try_commit "not a token"
	assert_commit_accepted
}

# ------------------------------------------------------------- allowing

@test "an inline sghook:allow on the token's line allows it" {
	printf 'SEGMENT_API_TOKEN=%s # sghook:allow test fixture\n' "$SEED_TOKEN" >fixture.sh
	git add fixture.sh
	try_commit "fixture"
	assert_commit_accepted
}

@test "an inline gitleaks:allow on the token's line allows it" {
	printf 'const segmentApiToken = "%s"; // gitleaks:allow\n' "$SEED_TOKEN" >fixture.js
	git add fixture.js
	try_commit "fixture"
	assert_commit_accepted
}

@test "sghook:allow on another line does not allow the token" {
	printf '# sghook:allow\nSEGMENT_API_TOKEN=%s\n' "$SEED_TOKEN" >fixture.sh
	git add fixture.sh
	try_commit "fixture"
	assert_commit_refused fixture.sh:2
}

@test "sghook:allow before the token, or not in a comment, does not allow it" {
	printf '# sghook:allow\nSEGMENT_API_TOKEN=%s\n' "$SEED_TOKEN" >a.sh
	printf 'SEGMENT_API_TOKEN=%s sghook:allow\n' "$SEED_TOKEN" >b.env
	printf 'segment_token: "%s" /* sghook:allow */ other: 1\n' "$SEED_TOKEN" >c.yml
	git add a.sh b.env c.yml
	try_commit "not allowed"
	assert_commit_refused a.sh:2 b.env:1 c.yml:1
}

@test "a token allowed inline in one file is a new finding when copied to a new file without the marker" {
	local i
	{
		for i in 1 2 3 4 5 6; do echo "FIXTURE_SETTING_$i=value $i"; done
		printf 'SEGMENT_API_TOKEN=%s # sghook:allow test fixture\n' "$SEED_TOKEN"
		for i in 7 8 9 10; do echo "FIXTURE_SETTING_$i=value $i"; done
	} >fixture.env
	git add fixture.env
	try_commit "fixture"
	assert_commit_accepted
	# prod.env: most of fixture.env's lines, the token without its marker
	{
		for i in 1 2 3 4 5 6; do echo "FIXTURE_SETTING_$i=value $i"; done
		printf 'SEGMENT_API_TOKEN=%s\n' "$SEED_TOKEN"
		for i in 7 8; do echo "FIXTURE_SETTING_$i=value $i"; done
		for i in 1 2; do echo "PROD_SETTING_$i=prod $i"; done
	} >prod.env
	git add prod.env
	[ "$(git diff --cached -C -C --name-status | cut -c1)" = C ] ||
		fail_with "git does not see prod.env as a copy: the test proves nothing"
	try_commit "prod settings"
	assert_commit_refused prod.env:7
	# with its marker it may move
	sed -i 's/^SEGMENT_API_TOKEN=.*/& # sghook:allow/' prod.env
	git add prod.env
	try_commit "prod settings"
	assert_commit_accepted
}

@test "a staged .sghookignore holding the finding's fingerprint allows it" {
	need_jq
	local fp
	printf 'SEGMENT_API_TOKEN=%s\n' "$SEED_TOKEN" >fixture.env
	git add fixture.env
	fp=$(staged_json | jq -r '.[0].fingerprint')
	[[ $fp =~ ^[0-9a-f]{16}$ ]]
	# The fingerprint is also in the refusal, for the user to copy.
	try_commit "fixture"
	assert_commit_refused fixture.env:1
	assert_stderr_contains "fingerprint $fp"
	printf '# test fixture\n%s\n' "$fp" >.sghookignore
	git add .sghookignore
	try_commit "fixture, allowed"
	assert_commit_accepted
}

@test "a .sghookignore fingerprint allows only that finding" {
	need_jq
	local fp
	printf 'SEGMENT_API_TOKEN=%s\n' "$SEED_TOKEN" >fixture.env
	git add fixture.env
	fp=$(staged_json | jq -r '.[0].fingerprint')
	printf '%s\n' "$fp" >.sghookignore
	printf 'API_KEY=%s\n' "$(new_token)" >real.env
	git add .sghookignore real.env
	try_commit "one allowed, one not"
	assert_commit_refused real.env:1
	assert_stderr_not_contains "fixture.env"
}

@test "a .sghookignore written on Windows (CRLF line endings) allows its fingerprint" {
	need_jq
	local fp
	printf 'SEGMENT_API_TOKEN=%s\n' "$SEED_TOKEN" >fixture.env
	git add fixture.env
	fp=$(staged_json | jq -r '.[0].fingerprint')
	printf '# fixtures\r\n%s\r\n' "$fp" >.sghookignore
	git add .sghookignore
	try_commit "fixture, allowed"
	assert_commit_accepted
}

@test "a .sghookignore that starts with a UTF-8 byte order mark allows its first fingerprint" {
	need_jq
	local fp
	printf 'SEGMENT_API_TOKEN=%s\n' "$SEED_TOKEN" >fixture.env
	git add fixture.env
	fp=$(staged_json | jq -r '.[0].fingerprint')
	printf '\357\273\277%s\n' "$fp" >.sghookignore
	git add .sghookignore
	try_commit "fixture, allowed"
	assert_commit_accepted
}

@test "a .sghookignore only in the work tree does not allow (it is read from the index)" {
	need_jq
	local fp
	printf 'SEGMENT_API_TOKEN=%s\n' "$SEED_TOKEN" >fixture.env
	git add fixture.env
	fp=$(staged_json | jq -r '.[0].fingerprint')
	printf '%s\n' "$fp" >.sghookignore
	try_commit "fixture"
	assert_commit_refused fixture.env:1
}

@test "a .sghookignore line 'FINGERPRINT  # comment' allows that fingerprint" {
	need_jq
	local fp
	printf 'SEGMENT_API_TOKEN=%s\n' "$SEED_TOKEN" >fixture.env
	git add fixture.env
	fp=$(staged_json | jq -r '.[0].fingerprint')
	printf '%s  # the fixture of the login test\n' "$fp" >.sghookignore
	git add .sghookignore
	try_commit "fixture, allowed"
	assert_commit_accepted
}

@test "a .sghookignore line sghook cannot use is reported with file and line when the commit is refused" {
	need_jq
	local fp
	printf 'SEGMENT_API_TOKEN=%s\n' "$SEED_TOKEN" >fixture.env
	git add fixture.env
	fp=$(staged_json | jq -r '.[0].fingerprint')
	printf '# fixtures\n%s the login fixture\n%s\n' "$fp" "${fp:0:15}" >.sghookignore
	git add .sghookignore
	try_commit "fixture"
	assert_commit_refused fixture.env:1
	assert_stderr_matches "^sghook: \.sghookignore:2: text after the fingerprint .*; the line allows nothing$"
	assert_stderr_matches "^sghook: \.sghookignore:3: not a fingerprint: a fingerprint has 16 hex digits; the line allows nothing$"
	assert_stderr_not_contains "not staged"
}

@test "a refused commit says when .sghookignore has changes that are not staged" {
	need_jq
	local fp
	printf 'SEGMENT_API_TOKEN=%s\n' "$SEED_TOKEN" >fixture.env
	git add fixture.env
	fp=$(staged_json | jq -r '.[0].fingerprint')
	printf '%s\n' "$fp" >.sghookignore
	try_commit "fixture"
	assert_commit_refused fixture.env:1
	assert_stderr_contains "sghook: .sghookignore is not staged, and sghook reads the staged version: git add .sghookignore"
	printf '# fixtures\n' >.sghookignore
	git add .sghookignore
	printf '%s\n' "$fp" >>.sghookignore
	try_commit "fixture"
	assert_commit_refused fixture.env:1
	assert_stderr_contains "sghook: .sghookignore has changes that are not staged"
	git add .sghookignore
	try_commit "fixture"
	assert_commit_accepted
}

@test "a staged .sghookignore path glob allows tokens under that directory" {
	mkdir -p fixtures
	printf 'SEGMENT_API_TOKEN=%s\n' "$(new_token)" >fixtures/sample.env
	printf 'fixtures/\n' >.sghookignore
	git add .sghookignore fixtures/sample.env
	try_commit "fixtures"
	assert_commit_accepted
}

@test "a .sghookignore directory name without a slash allows the files under it, as in .gitignore" {
	mkdir -p fixtures
	printf 'SEGMENT_API_TOKEN=%s\n' "$(new_token)" >fixtures/sample.env
	printf 'fixtures\n' >.sghookignore
	git add .sghookignore fixtures/sample.env
	try_commit "fixtures"
	assert_commit_accepted
}

@test "a .sghookignore /dir/sub directory path allows the files under it, as in .gitignore" {
	mkdir -p test/fixtures
	printf 'SEGMENT_API_TOKEN=%s\n' "$(new_token)" >test/fixtures/sample.env
	printf '/test/fixtures\n' >.sghookignore
	git add .sghookignore test/fixtures/sample.env
	try_commit "fixtures"
	assert_commit_accepted
}

# Stages a token in each of FILES and .sghookignore holding GLOB; prints the
# paths still refused, sorted, one a line.
refused_with_ignore() {
	local glob="$1" f
	shift
	for f in "$@"; do
		mkdir -p "$(dirname "$f")"
		printf 'SEGMENT_API_TOKEN=%s\n' "$(new_token)" >"$f"
	done
	printf '%s\n' "$glob" >.sghookignore
	git add .sghookignore "$@"
	"$SGHOOK" --pre-commit --format json | jq -r '.[].path' | sort
}

@test "a .sghookignore name allows only that name, not names that merely start or end with it" {
	need_jq
	run refused_with_ignore fixtures fixtures/a.env sub/fixtures/b.env \
		fixturesX/c.env myfixtures/d.env fixtures.env
	assert_equal "$output" "$(printf '%s\n' fixtures.env fixturesX/c.env myfixtures/d.env)"
}

@test "a .sghookignore /name is anchored at the top of the repository" {
	need_jq
	run refused_with_ignore /fixtures fixtures/a.env sub/fixtures/b.env
	assert_equal "$output" "sub/fixtures/b.env"
}

@test "a .sghookignore **/name allows that directory at every depth, the top included" {
	need_jq
	run refused_with_ignore '**/fixtures' fixtures/a.env sub/fixtures/b.env \
		sub/deep/fixtures/c.env other/d.env
	assert_equal "$output" "other/d.env"
}

@test "a .sghookignore a/**/b matches zero or more directories between a and b" {
	need_jq
	run refused_with_ignore 'sub/**/fixtures' sub/fixtures/a.env \
		sub/deep/fixtures/b.env sub/very/deep/fixtures/c.env fixtures/d.env
	assert_equal "$output" "fixtures/d.env"
}

@test "a staged .sghookignore file-name glob allows matching files at any depth" {
	mkdir -p a/b
	printf 'SEGMENT_API_TOKEN=%s\n' "$(new_token)" >a/b/prod.env.example
	printf 'SEGMENT_API_TOKEN=%s\n' "$(new_token)" >prod.env
	printf '*.example\n' >.sghookignore
	git add .sghookignore a/b/prod.env.example prod.env
	try_commit "examples"
	assert_commit_refused prod.env:1
	assert_stderr_not_contains "prod.env.example"
}

# ------------------------------------------------ the hook leaves no trace

@test "a refused commit leaves the index file and git status unchanged" {
	echo 'A=1' >tracked.env
	git add tracked.env
	git commit -q --no-verify -m tracked
	printf 'SEGMENT_API_TOKEN=%s\n' "$SEED_TOKEN" >>tracked.env
	printf 'SEGMENT_API_TOKEN=%s\n' "$(new_token)" >new.env
	echo untracked >untracked.txt
	# Old timestamps, a refreshed index and a cache tree (git commit writes
	# one before it runs the hook): git itself has nothing left to write,
	# so any change to the index is the hook's.
	touch -d '2020-01-02 03:04:05' README tracked.env new.env untracked.txt
	git add tracked.env new.env
	git update-index -q --refresh
	git write-tree >/dev/null
	local index_sum status_before
	status_before=$(git status --porcelain)
	index_sum=$(sha1sum <.git/index)
	try_commit "refused"
	assert_commit_refused tracked.env:2 new.env:1
	assert_equal "$(sha1sum <.git/index)" "$index_sum" "index file checksum"
	assert_equal "$(git status --porcelain)" "$status_before" "git status --porcelain"
}

@test "sghook --pre-commit writes no file under .git" {
	printf 'SEGMENT_API_TOKEN=%s\n' "$SEED_TOKEN" >leak.env
	git add leak.env
	local before after
	before=$(find .git -type f -exec sha1sum {} + | sort)
	run_sghook --pre-commit
	assert_status 1
	after=$(find .git -type f -exec sha1sum {} + | sort)
	assert_equal "$after" "$before" "files under .git"
}

# ------------------------------------------------------------ the message

@test "the refusal names path:line, the rule, the redacted token, Segment's removal steps and incident advice" {
	printf 'export SEGMENT_API_TOKEN="%s"\n' "$SEED_TOKEN" >env.sh
	git add env.sh
	try_commit "leak"
	assert_commit_refused env.sh:1
	assert_stderr_matches '^  env\.sh:1  segment-public-api-token  sgp_[A-Za-z0-9]{1,8}…  \(fingerprint [0-9a-f]{16}\)$'
	assert_stderr_contains "Access Management"
	assert_stderr_contains "Remove token"
	assert_stderr_contains "revoke it first"
	assert_stderr_contains "access logs"
	assert_stderr_contains "sghook:allow"
	assert_not_leaked "$SEED_TOKEN"
}

@test "the refusal leads with the findings and the next step (git restore --staged FILE), then the removal steps" {
	printf 'export SEGMENT_API_TOKEN="%s"\n' "$SEED_TOKEN" >env.sh
	mkdir -p "conf d"
	printf 'SEGMENT_API_TOKEN=%s\n' "$(new_token)" >"conf d/it's.env"
	git add env.sh "conf d"
	try_commit "leak"
	assert_commit_refused env.sh:1 "conf d/it's.env:1"
	# the exact command unstages both files, shell-quoted
	assert_stderr_contains "  git restore --staged 'conf d/it'\\''s.env' env.sh"
	local finding next removal
	finding=$(grep -n '  env\.sh:1  ' <<<"$stderr" | cut -d: -f1)
	next=$(grep -n '^Next: ' <<<"$stderr" | cut -d: -f1)
	removal=$(grep -n 'Remove token' <<<"$stderr" | cut -d: -f1)
	[ -n "$finding" ] && [ -n "$next" ] && [ -n "$removal" ] ||
		fail_with "finding, next step or removal steps missing"
	[ "$finding" -lt "$next" ] && [ "$next" -lt "$removal" ] ||
		fail_with "expected findings ($finding) < next step ($next) < removal steps ($removal)"
	# the incident text is a few lines and a link, printed once
	assert_equal "$(grep -c 'Remove token' <<<"$stderr")" 1
	assert_stderr_contains "https://segment.com/docs/api/public-api/"
	[ "$(grep -c '' <<<"$stderr")" -le 20 ] ||
		fail_with "the refusal has $(grep -c '' <<<"$stderr") lines"
	# and the command it gives, run by a shell, really unstages both files
	local cmd
	cmd=$(grep '^  git restore --staged ' <<<"$stderr")
	sh -c "$cmd"
	assert_equal "$(git diff --cached --name-only)" ""
}

@test "before the first commit the next step is git rm --cached FILE" {
	rm -rf .git && git init -q . && install_pre_commit_hook .
	printf 'SEGMENT_API_TOKEN=%s\n' "$SEED_TOKEN" >first.env
	git add first.env
	try_commit "leak"
	assert_commit_refused first.env:1
	assert_stderr_contains "  git rm --cached first.env"
	git rm -q --cached first.env
	assert_equal "$(git diff --cached --name-only)" ""
}

@test "the refusal never prints a whole random 64-character token" {
	local t; t=$(new_token)
	printf 'API_KEY=%s\n' "$t" >k.env
	git add k.env
	try_commit "leak"
	assert_commit_refused k.env:1
	assert_stderr_contains "${t:0:8}…"
	assert_not_leaked "$t" "${t:4}" "${t:0:20}"
}

@test "the refusal has no ANSI colour when stderr is not a terminal" {
	printf 'SEGMENT_API_TOKEN=%s\n' "$SEED_TOKEN" >c.env
	git add c.env
	try_commit "leak"
	assert_commit_refused c.env:1
	! grep -q $'\033' <<<"$stderr" || fail_with "ANSI escape in stderr"
	# ... while --color always does colour it: the check above can fail.
	run_sghook --pre-commit --color always
	assert_status 1
	grep -q $'\033\\[' <<<"$stderr" || fail_with "no ANSI escape with --color always"
}

@test "a Sourcegraph token (sgp_<40 hex>) is reported as sourcegraph-access-token without Segment's steps" {
	printf 'SRC_ACCESS_TOKEN=%s\n' "$SOURCEGRAPH_TOKEN" >src.env
	git add src.env
	try_commit "sourcegraph"
	assert_commit_refused src.env:1
	assert_stderr_contains "sourcegraph-access-token"
	assert_stderr_not_contains "segment-public-api-token"
	assert_stderr_not_contains "Access Management"
	assert_stderr_not_contains "app.segment.com"
	assert_stderr_contains "Access tokens"
	assert_not_leaked "$SOURCEGRAPH_TOKEN"
}

@test "a Sourcegraph sgp_local_<40 hex> token is reported as sourcegraph-access-token" {
	printf 'token: sgp_local_%s\n' "${SOURCEGRAPH_TOKEN#sgp_}" >src.yml
	git add src.yml
	try_commit "sourcegraph"
	assert_commit_refused src.yml:1
	assert_stderr_contains "sourcegraph-access-token"
}

@test "a Sourcegraph sgp_<16 hex>_<40 hex> token is reported as sourcegraph-access-token" {
	printf 'token: sgp_0123456789abcdef_%s\n' "${SOURCEGRAPH_TOKEN#sgp_}" >src.yml
	git add src.yml
	try_commit "sourcegraph"
	assert_commit_refused src.yml:1
	assert_stderr_contains "sourcegraph-access-token"
	assert_stderr_not_contains "segment-public-api-token"
}

@test "JSON from --pre-commit has rule, path, line, a null commit, a redacted secret and a fingerprint" {
	need_jq
	printf 'a\nb\nexport SEGMENT_API_TOKEN="%s"\n' "$SEED_TOKEN" >env.sh
	git add env.sh
	run --separate-stderr "$SGHOOK" --pre-commit --format json
	assert_status 1
	assert_stderr_empty
	assert_json 'type == "array" and length == 1'
	assert_json '.[0].rule == "segment-public-api-token"'
	assert_json '.[0].path == "env.sh" and .[0].line == 3'
	assert_json '.[0].commit == null'
	assert_json '.[0].secret | startswith("sgp_") and endswith("…")'
	assert_json '.[0].fingerprint | test("^[0-9a-f]{16}$")'
	assert_json '.[0].description | length > 0'
	assert_not_leaked "$SEED_TOKEN"
}

# ------------------------------------------------------------ failing closed

@test "a staged blob missing from the object store refuses the commit (exit 2)" {
	printf 'hello\n' >gone.txt
	git add gone.txt
	local blob; blob=$(git rev-parse :gone.txt)
	rm -f "$(loose_object_path "$blob")"
	run_sghook --pre-commit
	assert_status 2
	assert_one_error_line
	assert_stderr_contains "$blob"
	try_commit "missing blob"
	assert_status 1
	assert_stderr_contains "sghook: "
	assert_equal "$(head_id)" "$HEAD_BEFORE"
}

@test "a corrupt index refuses the commit (exit 2)" {
	echo data >f.txt
	git add f.txt
	printf 'DIRC garbage, not an index' >.git/index
	run_sghook --pre-commit
	assert_status 2
	assert_one_error_line
}

# ------------------------------------------------------- index formats

@test "a token is refused in a repository whose index is version 4" {
	git update-index --index-version 4
	printf 'SEGMENT_API_TOKEN=%s\n' "$SEED_TOKEN" >v4.env
	git add v4.env
	try_commit "v4"
	assert_commit_refused v4.env:1
}

@test "a token is refused in a split-index repository (never let through)" {
	git config core.splitIndex true
	git update-index --split-index
	printf 'SEGMENT_API_TOKEN=%s\n' "$SEED_TOKEN" >split.env
	git add split.env
	try_commit "split"
	assert_status 1
	assert_stderr_contains "sghook: "
	assert_equal "$(head_id)" "$HEAD_BEFORE"
}

@test "a split index refuses the commit with advice on turning it off, and the advice works" {
	git config core.splitIndex true
	git update-index --split-index
	echo clean >clean.txt
	git add clean.txt
	run_sghook --pre-commit
	assert_status 2
	assert_one_error_line
	try_commit "split index on"
	assert_status 1
	assert_equal "$(head_id)" "$HEAD_BEFORE"
	assert_stderr_contains "git config core.splitIndex false && git update-index --no-split-index"
	# libgit2 cannot read a split index; following the advice lets it.
	git config core.splitIndex false && git update-index --no-split-index
	try_commit "split index off"
	assert_commit_accepted
}

@test "a token is refused in a sparse-index checkout (never let through)" {
	mkdir -p in out
	echo 1 >in/a.txt
	echo 2 >out/b.txt
	git add in out
	commit_unchecked "dirs"
	git sparse-checkout init --cone --sparse-index
	git sparse-checkout set in
	printf 'SEGMENT_API_TOKEN=%s\n' "$SEED_TOKEN" >in/t.env
	git add in/t.env
	try_commit "sparse"
	assert_status 1
	assert_stderr_contains "sghook: "
	assert_equal "$(head_id)" "$HEAD_BEFORE"
}

@test "a sparse index refuses the commit with advice on turning it off, and the advice works" {
	mkdir -p in out
	echo 1 >in/a.txt
	echo 2 >out/b.txt
	git add in out
	commit_unchecked "dirs"
	git sparse-checkout init --cone --sparse-index
	git sparse-checkout set in
	echo clean >in/c.txt
	git add in/c.txt
	run_sghook --pre-commit
	assert_status 2
	assert_one_error_line
	try_commit "sparse index on"
	assert_status 1
	assert_equal "$(head_id)" "$HEAD_BEFORE"
	assert_stderr_contains "git sparse-checkout init --no-sparse-index"
	git sparse-checkout init --no-sparse-index
	try_commit "sparse index off"
	assert_commit_accepted
	git sparse-checkout list | grep -qx in || fail_with "the sparse checkout itself was lost"
}

# ------------------------------------------- the index's cache-tree
# sghook reads the index itself and skips every directory whose cached
# tree is HEAD's: a change costs what it touches, not the whole tree.

# wide_tree N: a commit of N directories of two files each, in one
# fast-import pass, checked out so that the index has a cache-tree.
wide_tree() {
	local n=$1 head
	head=$(git rev-parse -q --verify HEAD || true)
	{
		printf 'commit refs/heads/main\ncommitter T <t@example.invalid> 0 +0000\ndata 4\nwide\n'
		[ -z "$head" ] || printf 'from %s\n' "$head"
		for i in $(seq 1 "$n"); do
			printf 'M 100644 inline d%04d/a.txt\ndata 2\na\n' "$i"
			printf 'M 100644 inline d%04d/b.txt\ndata 2\nb\n' "$i"
		done
	} | git fast-import --quiet
	git reset -q --hard main
}

@test "a one-file change reads no tree of the directories it does not touch" {
	wide_tree 50
	# Lose the tree of an untouched directory: only a reader that opens
	# unchanged directories would notice.
	local lost
	lost=$(git rev-parse HEAD:d0007)
	# Every object loose, then drop the one tree.
	git repack -q -a -d
	mkdir -p "$BATS_TEST_TMPDIR/packs"
	mv .git/objects/pack/* "$BATS_TEST_TMPDIR/packs/"
	git unpack-objects -q <"$(ls "$BATS_TEST_TMPDIR"/packs/*.pack)"
	git cat-file -e "$lost"
	rm -f "$(loose_object_path "$lost")"
	! git cat-file -e "$lost" 2>/dev/null
	printf 'SEGMENT_API_TOKEN=%s\n' "$SEED_TOKEN" >d0042/app.env
	git add d0042/app.env
	try_commit "one file"
	assert_commit_refused d0042/app.env:1
	git rm -q --cached d0042/app.env
	printf 'clean\n' >d0042/a.txt
	git add d0042/a.txt
	try_commit "clean"
	assert_commit_accepted
}

@test "a token among 2,000 unchanged directories is refused at its path" {
	wide_tree 2000
	printf 'SEGMENT_API_TOKEN=%s\n' "$SEED_TOKEN" >>d1999/b.txt
	git add d1999/b.txt
	try_commit "deep"
	assert_commit_refused d1999/b.txt:2
}

@test "after git reset --soft, the staged tree (cached, not HEAD's) is judged against HEAD" {
	plant README "base
"
	local base; base=$(git rev-parse HEAD)
	mkdir -p conf
	printf 'SEGMENT_API_TOKEN=%s\n' "$SEED_TOKEN" >conf/app.env
	git add conf/app.env
	commit_unchecked "a leak, to be squashed"
	git reset -q --soft "$base"
	try_commit "squashed"
	assert_commit_refused conf/app.env:1
}

@test "a file staged with git add -N is judged only once its content is staged" {
	plant README "base
"
	printf 'SEGMENT_API_TOKEN=%s\n' "$SEED_TOKEN" >later.env
	git add -N later.env
	run_sghook --pre-commit
	assert_status 0
	git add later.env
	try_commit "now staged"
	assert_commit_refused later.env:1
}

@test "a directory that replaces a file, holding a token, is refused" {
	plant conf "a file
"
	git rm -q conf
	mkdir conf
	printf 'SEGMENT_API_TOKEN=%s\n' "$SEED_TOKEN" >conf/app.env
	git add conf/app.env
	try_commit "file to dir"
	assert_commit_refused conf/app.env:1
}

@test "an index with unmerged paths gives one error line and exit 2" {
	plant f.txt "base
"
	git checkout -q -b other
	printf 'other\n' >f.txt
	commit_unchecked "other" -a
	git checkout -q main
	printf 'main\n' >f.txt
	commit_unchecked "main" -a
	! git merge -q other >/dev/null 2>&1
	run_sghook --pre-commit
	assert_status 2
	assert_one_error_line
	assert_stderr_contains "unmerged paths (f.txt)"
}

@test "a truncated index refuses the commit with one line naming the index (exit 2)" {
	wide_tree 20
	printf 'x\n' >>d0001/a.txt
	git add d0001/a.txt
	head -c 300 .git/index >"$BATS_TEST_TMPDIR/short" && cp "$BATS_TEST_TMPDIR/short" .git/index
	run_sghook --pre-commit
	assert_status 2
	assert_one_error_line
	assert_stderr_contains ".git/index"
}

@test "an index entry whose path holds a NUL byte refuses the commit with one line (exit 2)" {
	wide_tree 20
	printf 'x\n' >d0001/leak.txt
	git add d0001/leak.txt
	python3 - .git/index <<'PY'
import sys
p = sys.argv[1]
b = open(p, 'rb').read()
assert b.count(b'd0001/leak.txt\0') == 1
open(p, 'wb').write(b.replace(b'd0001/leak.txt\0', b'd0001/le\0k.txt\0'))
PY
	run_sghook --pre-commit
	assert_status 2
	assert_one_error_line
	assert_stderr_contains "NUL"
}

@test "a token copied under the same name into another directory is not a new leak" {
	local t; t=$(new_token)
	plant conf/app.env "PORT=1
API_KEY=$t
" "app env"
	mkdir -p deploy
	cp conf/app.env deploy/app.env
	printf 'HOST=deploy\n' >>deploy/app.env
	git add deploy/app.env
	try_commit "copy"
	assert_commit_accepted
}

@test "a token pasted into an unrelated new file elsewhere is a new finding" {
	local t; t=$(new_token)
	plant conf/app.env "PORT=1
API_KEY=$t
" "app env"
	mkdir -p scripts
	printf '#!/bin/sh\ncurl -H "Authorization: Bearer %s" https://api.segmentapis.com/\n' "$t" >scripts/call.sh
	git add scripts/call.sh
	try_commit "paste"
	assert_commit_refused scripts/call.sh:2
}
