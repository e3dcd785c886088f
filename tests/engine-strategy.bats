#!/usr/bin/env bats
# Two ways of judging commits (lib/scan.c): LIST reads every blob a range
# adds and compares commits only where a blob holds a secret; DIFF
# compares each commit's tree with its parents'. They must find the same
# on every range. SGHOOK_STRATEGY forces one, SGHOOK_TRACE says which ran.

load helpers/engine

setup() {
	engine_setup
	need_jq
	plant_base
}

# A history that holds every shape of change the two ways treat apart:
# renames and copies, a token kept, removed and restored, a file copied
# over another from the base, merges (clean, evil, a conflict resolved
# with a token, an octopus), unrelated roots, a file that becomes a
# directory and back, a submodule, an empty file, a binary file, the same
# directory twice, new nested directories, .sghookignore by fingerprint
# and by path.
make_rich_history() {
	local t1 t2 t3 t4 t5 other sub
	t1=$(new_token) t2=$(new_token) t3=$(new_token) t4=$(new_token)
	t5=$(new_token)
	plant base/kept.env "KEY=$t1
" "base holds a token"
	plant base/other.txt 'other
' "base other"
	git tag base-tip
	plant app/config.env "PORT=1
TOKEN=$t2
" "add config with a token"
	plant app/config.env "PORT=2
TOKEN=$t2
" "edit another line"
	git mv app/config.env app/settings.env
	commit_unchecked "rename the config"
	cp app/settings.env app/copy.env
	git add app/copy.env
	commit_unchecked "copy the config"
	cp base/kept.env base/other.txt
	git add base/other.txt
	commit_unchecked "a base file copied over another"
	plant app/settings.env 'PORT=2
' "remove the token"
	plant app/settings.env "PORT=2
TOKEN=$t2
" "restore the token"
	mkdir -p dup/a dup/b
	printf 'same\n' >dup/a/x.txt
	printf 'same\n' >dup/b/x.txt
	: >empty.txt
	printf 'bin\000ary %s\000\n' "$t3" >blob.bin
	git add dup empty.txt blob.bin
	commit_unchecked "two equal directories, an empty file, a binary token"
	git rm -q empty.txt
	mkdir empty.txt
	printf 'KEY=%s\n' "$t4" >empty.txt/now-a-dir.env
	git add empty.txt
	commit_unchecked "a file becomes a directory"
	git rm -q -r empty.txt
	printf 'back to a file\n' >empty.txt
	git add empty.txt
	commit_unchecked "and a file again"
	sub=$(rev)
	git update-index --add --cacheinfo "160000,$sub,vendor/sub"
	commit_unchecked "a submodule"
	git checkout -q -b topic
	plant topic/leak.env "KEY=$t5
" "topic leaks"
	plant topic/clean.txt 'clean
' "topic clean"
	git checkout -q main
	plant main.txt 'main
' "main moves"
	git merge -q --no-ff --no-edit --no-verify topic
	git checkout -q -b side2
	plant side2.txt 'side two
' "side two"
	git checkout -q main
	plant main2.txt 'main two
' "main moves again"
	git merge -q --no-ff --no-commit side2
	printf 'KEY=%s\n' "$(new_token)" >merge-evil.env
	git add merge-evil.env
	commit_unchecked "an evil merge"
	plant conflict.cfg 'v = 0
' "base cfg"
	git checkout -q -b side
	plant conflict.cfg 'v = 1
' "side cfg"
	git checkout -q main
	plant conflict.cfg 'v = 2
' "main cfg"
	git merge side >/dev/null 2>&1 && fail_with "the merge should conflict"
	printf 'v = 3\nsegment_api_token = "%s"\n' "$SEED_TOKEN" >conflict.cfg
	git add conflict.cfg
	commit_unchecked "a conflict resolved with a token"
	git checkout -q -b one main~3
	plant one.txt 'one
' "one"
	git checkout -q -b two main~3
	plant two.env "KEY=$(new_token)
" "two leaks"
	git checkout -q main
	git merge -q --no-edit --no-verify one two
	printf 'KEY=%s\n' "$(new_token)" >allowed.env
	printf '%s\ntopic/*\n' "$("$SGHOOK" --scan allowed.env --format json |
		jq -r '.[0].fingerprint')" >.sghookignore
	git add allowed.env .sghookignore
	commit_unchecked "a token allowed by its fingerprint"
	plant topic/leak.env "KEY=$(new_token)
" "a token allowed by a path glob"
	other="$BATS_TEST_TMPDIR/other"
	git init -q "$other"
	(cd "$other" && plant vendor/lib/key.env "SEGMENT_API_TOKEN=$SEED_TOKEN
" "other root")
	git fetch -q "$other" main:other
	git merge -q --no-edit --no-verify --allow-unrelated-histories other
	plant deep/down/there/late.env "KEY=$(new_token)
" "a last leak, deep in a new directory"
}

# Every range of the history that matters to the comparison, one a line
# (revisions apart by commas): each commit against its parents, each
# first-parent suffix, each branch, the whole.
ranges() {
	local c n i p
	git rev-list --all --parents | while read -r c p; do
		printf '%s' "$c"
		for i in $p; do printf ',^%s' "$i"; done
		echo
	done
	n=$(git rev-list --first-parent --count HEAD)
	for i in $(seq 1 $((n - 1))); do
		printf 'HEAD~%d..HEAD\n' "$i"
	done
	printf '%s\n' base-tip..HEAD topic..main one..main HEAD other HEAD~1^2..HEAD
}

# judge STRATEGY RANGE JOBS: the JSON report, and the exit status after it.
judge() {
	local trace="$BATS_TEST_TMPDIR/trace.$1" rc
	: >"$trace"
	rc=0
	# shellcheck disable=SC2086  # the revisions of a range, apart
	SGHOOK_STRATEGY=$1 SGHOOK_TRACE=$trace "$SGHOOK" --check-range ${2//,/ } \
		--format json --jobs "$3" 2>/dev/null || rc=$?
	echo "exit $rc"
	# the forced way ran (every range given has commits)
	if ! grep -q "scan: $1:" "$trace"; then
		echo "sghook did not judge by $1"
	fi
}

@test "LIST and DIFF give the same findings on every range of a varied history" {
	local r list diff found=0 ranges=0 jobs
	make_rich_history
	for r in $(ranges); do
		for jobs in 1 3; do
			list=$(judge list "$r" "$jobs")
			diff=$(judge diff "$r" "$jobs")
			if [ "$list" != "$diff" ]; then
				echo "range $r --jobs $jobs:"
				diff <(echo "$list") <(echo "$diff") || true
				fail_with "LIST and DIFF differ on $r"
			fi
			case $list in *"sghook did not"*) fail_with "$list" ;; esac
		done
		found=$((found + $(jq length <<<"${list%exit*}")))
		ranges=$((ranges + 1))
	done
	# not a comparison of empty reports
	[ "$found" -ge 40 ] || fail_with "only $found findings over $ranges ranges"
}

@test "a token that a file of the base holds, copied over another file, is new to neither way" {
	local t; t=$(new_token)
	plant a.env "KEY=$t
" "base holds a token"
	plant b.txt 'b
' "base b"
	local base; base=$(rev)
	cp a.env b.txt
	git add b.txt
	commit_unchecked "copy a.env over b.txt"
	for s in list diff; do
		SGHOOK_STRATEGY=$s run_sghook --check-range "$base..HEAD" --format json
		assert_status 0
		assert_equal "$output" "[]"
	done
	# inside the range, the copy replaces another file's content: reported
	for s in list diff; do
		SGHOOK_STRATEGY=$s run_sghook --check-range "$BASE..HEAD" --format json
		assert_status 1
		assert_json 'length == 2 and .[0].path == "a.env" and .[1].path == "b.txt"'
	done
}

@test "a few commits are judged by comparing trees, a whole history by listing its blobs" {
	local i
	for i in $(seq 1 40); do
		plant "dir$((i % 5))/f$i.txt" "line $i
" "commit $i"
	done
	SGHOOK_TRACE=1 run_sghook --check-range HEAD~2..HEAD
	assert_status 0
	assert_stderr_contains "sghook trace: scan: diff: 2 commits"
	SGHOOK_TRACE=1 run_sghook --check-range HEAD
	assert_status 0
	assert_stderr_matches "sghook trace: scan: list: 41 commits, about [0-9]+ entries to compare, [0-9]+ entries in a tree"
}
