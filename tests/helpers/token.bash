# shellcheck shell=bash
# Shared by the Bats helpers.

# A random 64-character Segment token with upper case, lower case and digits:
# it blocks whatever its context.
new_token() {
	local body
	while :; do
		body=$(head -c 600 /dev/urandom | LC_ALL=C tr -dc 'A-Za-z0-9' | head -c 64)
		[ "${#body}" -eq 64 ] || continue
		case $body in *[A-Z]*) ;; *) continue ;; esac
		case $body in *[a-z]*) ;; *) continue ;; esac
		case $body in *[0-9]*) ;; *) continue ;; esac
		# The placeholder shapes of rules/segment.rules: a token, but no leak.
		printf '%s' "$body" | grep -qiE '(.)\1{4}|example|sample|placeholder|dummy|redacted|changeme|replace|insert|token|(your|my|fake|test)(segment|api|key|secret|value)' &&
			continue
		printf 'sgp_%s\n' "$body"
		return 0
	done
}
