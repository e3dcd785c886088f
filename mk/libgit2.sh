#!/bin/sh
# mk/libgit2.sh DIR - fetch libgit2's source from Debian's archive and build
# it, static and for the job, into DIR/prefix. LIBGIT2_SUITE (trixie) and
# LIBGIT2_MIRROR (http://deb.debian.org) say where from; LIBGIT2_FETCH_ONLY=1
# stops once the source is unpacked in DIR/src.
#
# Why not Debian 12's libgit2: it cannot walk shallow histories (CI clones),
# it drags in mbedTLS, libssh2 and Kerberos, and it parses the CA bundle at
# start-up, although sghook never opens a connection.
#
# apt runs with a private sources list and state under DIR, so the system's
# apt configuration is never read or changed and no root is needed; apt
# checks the archive's signatures with Debian's keyring as usual.
set -eu

dir=${1:?usage: mk/libgit2.sh DIR}
suite=${LIBGIT2_SUITE:-trixie}
mirror=${LIBGIT2_MIRROR:-http://deb.debian.org}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
jobs=${LIBGIT2_JOBS:-$(nproc 2>/dev/null || echo 2)}

die() {
	echo "mk/libgit2.sh: $*" >&2
	exit 1
}

for tool in apt-get dpkg-source cmake; do
	command -v "$tool" >/dev/null 2>&1 ||
		die "$tool not found: install it (apt-get install apt dpkg-dev cmake), or build with 'make LIBGIT2=system'"
done
[ -r "$keyring" ] ||
	die "$keyring not found: install debian-archive-keyring, or build with 'make LIBGIT2=system'"

mkdir -p "$dir"
dir=$(cd "$dir" && pwd -P)
apt="$dir/apt"
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/src"
cat >"$apt/sources.list" <<SOURCES
deb-src [signed-by=$keyring] $mirror/debian $suite main
deb-src [signed-by=$keyring] $mirror/debian $suite-updates main
deb-src [signed-by=$keyring] $mirror/debian-security $suite-security main
SOURCES
: >"$apt/status"

set -- -q \
	-o Dir::Etc::SourceList="$apt/sources.list" \
	-o Dir::Etc::SourceParts=/dev/null \
	-o Dir::Etc::Parts=/dev/null \
	-o Dir::Etc::Preferences=/dev/null \
	-o Dir::Etc::PreferencesParts=/dev/null \
	-o Dir::State="$apt" \
	-o Dir::State::Lists="$apt/lists" \
	-o Dir::State::status="$apt/status" \
	-o Dir::Cache="$apt/cache" \
	-o Debug::NoLocking=1
# As root apt would drop to _apt, who cannot write a private directory.
[ "$(id -u)" -eq 0 ] && set -- "$@" -o APT::Sandbox::User=root

# apt-get update exits 0 when a list cannot be fetched, and says so.
apt-get "$@" update >"$apt/update.log" 2>&1 &&
	! grep -q '^E:\|Failed to fetch' "$apt/update.log" ||
	die "cannot fetch Debian's package lists for $suite ($(grep -m1 '^E:\|Failed to fetch' "$apt/update.log" | tr -s ' ')); check the network, or build with 'make LIBGIT2=system'"
rm -f "$apt/src"/*
(cd "$apt/src" && apt-get "$@" source --download-only libgit2) >"$apt/source.log" 2>&1 ||
	die "cannot fetch libgit2's source from Debian $suite ($(tail -n 1 "$apt/source.log")); check the network, or build with 'make LIBGIT2=system'"
dsc=$(ls "$apt/src"/libgit2_*.dsc)
version=$(sed -n 's/^Version: //p' "$dsc")

# dpkg-source checks the .dsc's checksums and applies Debian's patches.
rm -rf "$dir/src" "$dir/obj" "$dir/prefix"
dpkg-source --no-check -x "$dsc" "$dir/src" >"$apt/unpack.log" 2>&1 ||
	die "cannot unpack $dsc ($(tail -n 1 "$apt/unpack.log"))"
echo "$version" >"$dir/src/VERSION.debian"
[ "${LIBGIT2_FETCH_ONLY:-}" = 1 ] && exit 0

# Only what reading a repository needs: no network transports' crypto,
# the regex backend sghook already links, SHA-1 with collision detection.
cmake -S "$dir/src" -B "$dir/obj" \
	-DCMAKE_BUILD_TYPE=Release \
	-DCMAKE_INSTALL_PREFIX="$dir/prefix" \
	-DCMAKE_INSTALL_LIBDIR=lib \
	-DBUILD_SHARED_LIBS=OFF \
	-DBUILD_TESTS=OFF \
	-DBUILD_CLI=OFF \
	-DBUILD_EXAMPLES=OFF \
	-DUSE_HTTPS=OFF \
	-DUSE_SSH=OFF \
	-DUSE_GSSAPI=OFF \
	-DUSE_NTLMCLIENT=OFF \
	-DUSE_HTTP_PARSER=http-parser \
	-DREGEX_BACKEND=pcre2 \
	-DUSE_SHA1=CollisionDetection \
	-DUSE_SHA256=Builtin \
	-DUSE_BUNDLED_ZLIB=OFF \
	>"$dir/configure.log" 2>&1 ||
	die "configuring libgit2 failed; see $dir/configure.log"
cmake --build "$dir/obj" -j "$jobs" >"$dir/build.log" 2>&1 ||
	die "building libgit2 failed; see $dir/build.log"
cmake --install "$dir/obj" >>"$dir/build.log" 2>&1 ||
	die "installing libgit2 into $dir/prefix failed; see $dir/build.log"
echo "$version" >"$dir/prefix/VERSION"
