#!/bin/sh
# Installs what building and testing sghook need, from Debian's packages,
# when any of it is missing. Run as root (or through sudo).
set -eu
pkgs="gcc make pkg-config git libgit2-dev libpcre2-dev libcmocka-dev bats jq valgrind"
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
