# shellcheck shell=bash
# Files that hold a token encoded, as tools and editors write them: for
# tests/engine-encoded.bats and the corpus. Needs base64 and iconv.

# Every form, as write_form names them.
# shellcheck disable=SC2034  # used by the .bats files
ENCODED_FORMS="k8s-secret dockerconfigjson helm-values env-base64 env-base64-url ci-variables ps1-utf16le reg-utf16le utf16be-nobom"

b64() { base64 -w0; }
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }

# form_path FORM: the path write_form writes FORM to.
form_path() {
	case $1 in
	k8s-secret) echo k8s/segment-secret.yaml ;;
	dockerconfigjson) echo k8s/regcred.yaml ;;
	helm-values) echo charts/app/values.yaml ;;
	env-base64) echo deploy/env.b64 ;;
	env-base64-url) echo deploy/env.b64url ;;
	ci-variables) echo ci/variables.json ;;
	ps1-utf16le) echo scripts/deploy.ps1 ;;
	reg-utf16le) echo windows/segment.reg ;;
	utf16be-nobom) echo notes/utf16be.txt ;;
	*) echo "unknown form $1" >&2; return 1 ;;
	esac
}

# form_line FORM: the line of the text that holds the token.
form_line() {
	case $1 in
	k8s-secret) echo 7 ;;
	dockerconfigjson) echo 7 ;;
	helm-values) echo 3 ;;
	env-base64 | env-base64-url | ci-variables) echo 1 ;;
	ps1-utf16le) echo 2 ;;
	reg-utf16le) echo 4 ;;
	utf16be-nobom) echo 3 ;;
	esac
}

# write_form FORM DIR TOKEN: writes DIR/$(form_path FORM) holding TOKEN.
write_form() {
	local form=$1 dir=$2 tok=$3 path
	path="$dir/$(form_path "$form")" || return 1
	mkdir -p "${path%/*}"
	case $form in
	k8s-secret)
		# as `kubectl create secret generic ... -o yaml` writes it
		printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: analytics\ntype: Opaque\ndata:\n  token: %s\n' \
			"$(printf %s "$tok" | b64)" >"$path" ;;
	dockerconfigjson)
		printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: regcred\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: %s\n' \
			"$(printf '{"auths":{"registry.example.com":{"auth":"%s"}}}' \
			"$(printf 'deploy:%s' "$tok" | b64)" | b64)" >"$path" ;;
	helm-values)
		printf 'analytics:\n  enabled: true\n  writeKey: %s\n' \
			"$(printf %s "$tok" | b64url)" >"$path" ;;
	env-base64)
		printf '# analytics\nSEGMENT_API_TOKEN=%s\n' "$tok" | b64 >"$path" ;;
	env-base64-url)
		printf 'NODE_ENV=production\nSEGMENT_API_TOKEN=%s\n' "$tok" | b64url >"$path" ;;
	ci-variables)
		printf '[{"key":"SEGMENT_TOKEN","value":"%s","masked":true}]\n' \
			"$(printf %s "$tok" | b64)" >"$path" ;;
	ps1-utf16le)
		printf '# deploy\r\n$env:SEGMENT_TOKEN = "%s"\r\n' "$tok" |
			iconv -f UTF-8 -t UTF-16 >"$path" ;;
	reg-utf16le)
		printf 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\Segment]\r\n"Token"="%s"\r\n' "$tok" |
			{ printf '\377\376'; iconv -f UTF-8 -t UTF-16LE; } >"$path" ;;
	utf16be-nobom)
		printf 'first line\nsecond line\ntoken %s\n' "$tok" |
			iconv -f UTF-8 -t UTF-16BE >"$path" ;;
	esac
}
