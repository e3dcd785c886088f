#!/usr/bin/env bats
# Tokens stored encoded (issue 11, decoders): base64 (a Kubernetes Secret, a
# .dockerconfigjson, Helm values, CI variables) and UTF-16 text (PowerShell,
# .reg), blocked in every mode through real git: pre-commit, --check-range,
# pre-receive and pre-push. The forms: tests/helpers/encoded.bash.

load 'helpers/server'
load 'helpers/encoded'

setup() {
	setup_git_env
	TOKEN=$(new_token)
	W="$BATS_TEST_TMPDIR/work"
	git init -q "$W"
	commit_file "$W" README.md "hello"
	BASE=$(head_of "$W")
}

teardown() {
	stop_daemon
}

# commit_form REPO FORM: the form, committed without any hook.
commit_form() {
	write_form "$2" "$1" "$TOKEN"
	git -C "$1" add -- "$(form_path "$2")"
	git -C "$1" commit -q --no-verify -m "add $2"
}

# The output names the form's file and line, with its encoding, never the
# token or its base64 whole.
assert_form_reported() {
	local form=$1 enc
	case $form in *utf16le*) enc=utf-16le ;; *utf16be*) enc=utf-16be ;; *) enc=base64 ;; esac
	assert_output_contains "$(form_path "$form"):$(form_line "$form")"
	assert_output_contains "($enc)"
	assert_output_not_contains "$TOKEN"
	assert_output_not_contains "$(printf %s "$TOKEN" | base64 -w0 | cut -c1-24)"
}

@test "pre-commit refuses each encoded form of a token" {
	printf '#!/bin/sh\nexec "%s" --pre-commit\n' "$SGHOOK" >"$W/.git/hooks/pre-commit"
	chmod +x "$W/.git/hooks/pre-commit"
	local form
	for form in $ENCODED_FORMS; do
		write_form "$form" "$W" "$TOKEN"
		git -C "$W" add -- "$(form_path "$form")"
		run git -C "$W" commit -m "add $form"
		[ "$status" -eq 1 ] || fail_with "$form: commit not refused (status $status): $output"
		assert_form_reported "$form"
		assert_equal "$(head_of "$W")" "$BASE" "$form: HEAD must not move"
		git -C "$W" rm -q --cached -- "$(form_path "$form")"
	done
}

@test "--check-range finds each encoded form in the commit that adds it" {
	local form id
	cd "$W"
	for form in $ENCODED_FORMS; do
		commit_form "$W" "$form"
		id=$(head_of "$W")
		run "$SGHOOK" --check-range "$id~1..$id"
		[ "$status" -eq 1 ] || fail_with "$form: not found (status $status): $output"
		assert_form_reported "$form"
	done
	# each once over the whole history: a later commit that keeps the file
	# adds nothing
	run "$SGHOOK" --check-range HEAD --format json
	assert_status 1
	assert_equal "$(grep -c '"rule"' <<<"$output")" "$(wc -w <<<"$ENCODED_FORMS")"
}

@test "pre-receive refuses a push of each encoded form" {
	new_server app
	install_server_hook app
	start_daemon
	new_client c app
	local C="$BATS_TEST_TMPDIR/c" form base
	commit_file "$C" README.md "hello"
	git -C "$C" push -q origin main 2>/dev/null
	base=$(head_of "$C")
	for form in $ENCODED_FORMS; do
		commit_form "$C" "$form"
		run git -C "$C" push origin main
		[ "$status" -eq 1 ] || fail_with "$form: push accepted: $output"
		assert_output_contains "pre-receive hook declined"
		assert_form_reported "$form"
		assert_equal "$(server_ref app refs/heads/main)" "$base" "$form"
		git -C "$C" reset -q --hard "$base"
	done
}

@test "pre-push refuses a push of each encoded form" {
	new_server plain
	start_daemon
	new_client p plain
	local P="$BATS_TEST_TMPDIR/p" form base
	commit_file "$P" README.md "hello"
	git -C "$P" push -q origin main 2>/dev/null
	base=$(head_of "$P")
	"$INSTALL_SH" --pre-push "$P" >/dev/null
	for form in $ENCODED_FORMS; do
		commit_form "$P" "$form"
		run git -C "$P" push origin main
		[ "$status" -eq 1 ] || fail_with "$form: push accepted: $output"
		assert_output_contains "error: failed to push some refs"
		assert_form_reported "$form"
		assert_equal "$(server_ref plain refs/heads/main)" "$base" "$form"
		git -C "$P" reset -q --hard "$base"
	done
}

@test "a finding from a decoder says so in JSON and SARIF, at the encoded form's line and column" {
	commit_form "$W" k8s-secret
	commit_form "$W" ps1-utf16le
	cd "$W"
	run "$SGHOOK" --check-range HEAD --format json
	assert_status 1
	assert_output_matches '"path": "k8s/segment-secret.yaml", "line": 7, "column": 10,.*"encoding": "base64"'
	assert_output_matches '"path": "scripts/deploy.ps1", "line": 2, "column": 23,.*"encoding": "utf-16le"'
	run "$SGHOOK" --check-range HEAD --format sarif
	assert_status 1
	assert_output_contains '"encoding": "base64"'
	assert_output_contains '"encoding": "utf-16le"'
	# a plain finding: null
	commit_leak "$W" config/segment.env "$(new_token)"
	run "$SGHOOK" --check-range HEAD~1..HEAD --format json
	assert_output_contains '"encoding": null'
}

@test "the fingerprint of an encoded token is that of the token: an allow of the plain one covers it" {
	printf '#!/bin/sh\nexec "%s" --pre-commit\n' "$SGHOOK" >"$W/.git/hooks/pre-commit"
	chmod +x "$W/.git/hooks/pre-commit"
	cd "$W"
	# the fingerprint of the plain token at the same path
	mkdir -p k8s
	printf 'token: %s\n' "$TOKEN" >k8s/segment-secret.yaml
	run "$SGHOOK" --scan k8s/segment-secret.yaml --format json
	local fp
	fp=$(grep -o '"fingerprint": "[0-9a-f]*"' <<<"$output" | cut -d'"' -f4)
	[ -n "$fp" ] || fail_with "no fingerprint: $output"
	write_form k8s-secret "$W" "$TOKEN"
	run "$SGHOOK" --scan k8s/segment-secret.yaml --format json
	assert_output_contains "\"fingerprint\": \"$fp\""
	printf '%s\n' "$fp" >.sghookignore
	git add .sghookignore k8s/segment-secret.yaml
	run git commit -m "allowed by fingerprint"
	assert_status 0
}

@test "an allow marker on the line of the encoded run allows it" {
	printf 'data:\n  token: %s # sghook:allow\n' "$(printf %s "$TOKEN" | base64 -w0)" >"$W/k.yaml"
	git -C "$W" add k.yaml
	git -C "$W" commit -q --no-verify -m allowed
	cd "$W"
	run "$SGHOOK" --check-range HEAD
	assert_status 0
}

@test "random base64, random bytes, a PNG and gzip output stay quiet" {
	head -c 65536 /dev/urandom | base64 >"$W/random.b64"
	head -c 65536 /dev/urandom | base64 -w0 | tr '+/' '-_' >"$W/random.b64url"
	head -c 65536 /dev/urandom >"$W/random.bin"
	printf '\211PNG\r\n\032\n' >"$W/image.png"
	head -c 65536 /dev/urandom >>"$W/image.png"
	seq 1 20000 | gzip -c >"$W/numbers.gz"
	head -c 65536 /dev/urandom | gzip -c >"$W/random.gz"
	git -C "$W" add .
	git -C "$W" commit -q --no-verify -m binaries
	cd "$W"
	run "$SGHOOK" --check-range HEAD
	assert_status 0
}
