# shellcheck shell=bash
# husky and lefthook, the real npm packages, for tests/managers.bats.
#
# npm_setup_file installs them once per run into $BATS_FILE_TMPDIR; npm's
# cache lives outside the test directories (SGHOOK_NPM_CACHE, default
# ~/.cache/sghook-tests/npm of the user who runs the tests), so that a second
# run downloads nothing. Each test copies node_modules into its project.

HUSKY_VERSION=9.1.7
LEFTHOOK_VERSION=2.2.2

npm_setup_file() {
	command -v npm >/dev/null || return 0
	export npm_config_cache="${SGHOOK_NPM_CACHE:-${HOME:-/root}/.cache/sghook-tests/npm}"
	NPM_PROJECT="$BATS_FILE_TMPDIR/npm-project"
	mkdir -p "$NPM_PROJECT" "$npm_config_cache"
	(
		cd "$NPM_PROJECT" &&
			printf '{ "name": "sghook-npm-fixture", "version": "1.0.0", "private": true }\n' >package.json &&
			npm install --prefer-offline --no-audit --no-fund --ignore-scripts --loglevel=error \
				"husky@$HUSKY_VERSION" "lefthook@$LEFTHOOK_VERSION" >npm.log 2>&1
	) || { cat "$NPM_PROJECT/npm.log" >&2; return 1; }
	export NPM_PROJECT
}

need_npm() {
	command -v npm >/dev/null || skip "npm is not installed (tests/deps.sh installs it)"
	[ -d "${NPM_PROJECT:-}/node_modules/husky" ] || skip "husky and lefthook are not installed"
}

# npm_project DIR: DIR gets package.json, its lock and node_modules, as
# after `npm install` (without the install scripts, which the test runs).
npm_project() {
	cp "$NPM_PROJECT/package.json" "$NPM_PROJECT/package-lock.json" "$1/"
	cp -a "$NPM_PROJECT/node_modules" "$1/"
	printf 'node_modules/\n' >>"$1/.gitignore"
}
