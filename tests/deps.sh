#!/bin/sh
# Installs what building and testing sghook need, from Debian's packages,
# when any of it is missing. Run as root (or through sudo).
#
# cmake, dpkg-dev and the static archives of http-parser, PCRE2, zlib and
# libdeflate build the bundled libgit2 (mk/libgit2.sh) and sghook with it
# (lib/inflate.c); libgit2-dev is the system build
# that `make check-system` tests. mandoc, man-db and groff-base check and
# show sghook(1); pre-commit runs .pre-commit-hooks.yaml, and python3-yaml
# reads the CI recipes of examples/. clang and libclang-rt-dev (the
# sanitizer runtimes and libFuzzer) build what `make test-sanitize` and
# `make fuzz` run; fuzz_report checks its JSON with jansson.
set -eu
pkgs="gcc libc6-dev make pkg-config git git-lfs cmake dpkg-dev debian-archive-keyring
	libhttp-parser-dev libpcre2-dev zlib1g-dev libdeflate-dev libgit2-dev libjansson-dev
	libcmocka-dev bats jq valgrind
	mandoc man-db groff-base pre-commit python3-yaml
	clang libclang-rt-dev"
# husky and lefthook (tests/managers.bats) come from npm: any Node.js will do.
command -v npm >/dev/null 2>&1 || pkgs="$pkgs nodejs npm"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "tests/deps.sh: missing Debian packages:$missing; run as root (or: sudo tests/deps.sh)" >&2
	exit 2
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
