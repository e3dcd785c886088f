#!/bin/sh
# The README's two commands on a fresh minimal Debian (debootstrap
# --variant=minbase), in a chroot: ./install.sh REPO, the commands it prints
# to try the hook, then tests/deps.sh && make check. Needs root, debootstrap
# and Debian's archive; it downloads about 300 MB and takes minutes, so it is
# a check run by hand before a release, not part of make test.
#
#   tests/fresh-debian.sh [DIR]    DIR: where the chroot goes (default: a new
#                                  directory under /var/tmp, removed after)
set -eu
src=$(cd "$(dirname "$0")/.." && pwd -P)
suite=${SGHOOK_DEBIAN_SUITE:-bookworm}
mirror=${SGHOOK_DEBIAN_MIRROR:-http://deb.debian.org/debian}
[ "$(id -u)" -eq 0 ] || { echo "fresh-debian.sh: run as root (chroot, mount)" >&2; exit 2; }
command -v debootstrap >/dev/null || { echo "fresh-debian.sh: apt-get install --no-install-recommends debootstrap" >&2; exit 2; }
keep=1
if [ $# -gt 0 ]; then root=$1; else root=$(mktemp -d /var/tmp/sghook-debian.XXXXXX); keep=0; fi

cleanup() {
	umount "$root/proc" 2>/dev/null || true
	umount -R "$root/dev" 2>/dev/null || true
	[ "$keep" = 1 ] || rm -rf "$root"
}
trap cleanup EXIT
step() { printf '\n### %s\n' "$*"; }
# A machine behind a proxy of its own hands npm the proxy's certificate.
ca=''
in_root() {
	chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		LANG=C.UTF-8 ${ca:+NODE_EXTRA_CA_CERTS=$ca} /bin/bash -c "$1"
}

if [ ! -x "$root/bin/bash" ]; then
	step "debootstrap --variant=minbase $suite"
	debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$root.debootstrap.log" 2>&1 ||
		{ tail -n 20 "$root.debootstrap.log" >&2; exit 1; }
fi
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
cp /etc/resolv.conf "$root/etc/resolv.conf"
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -r "$NODE_EXTRA_CA_CERTS" ]; then
	cp "$NODE_EXTRA_CA_CERTS" "$root/etc/extra-ca.pem"
	ca=/etc/extra-ca.pem
fi

step "no git, no compiler"
in_root 'command -v git gcc make || true'

step "a clone of the sources, and a repository to protect (made outside: the chroot has no git yet)"
rm -rf "$root/opt/sghook" "$root/srv/app"
mkdir -p "$root/opt/sghook" "$root/srv"
# A clone, as CI has it (make dist archives HEAD): what is committed only.
rmdir "$root/opt/sghook"
git clone -q --no-hardlinks "$src" "$root/opt/sghook"
git init -q "$root/srv/app"
git -C "$root/srv/app" -c user.name=x -c user.email=x@example.invalid commit -q --allow-empty -m first
du0=$(in_root 'du -sxm / | cut -f1')

step "./install.sh /srv/app"
in_root 'cd /opt/sghook && ./install.sh /srv/app' >"$root/install.out" 2>&1 || { cat "$root/install.out"; exit 1; }
cat "$root/install.out"
echo "(install.sh printed $(wc -l <"$root/install.out") lines; the system grew by $(( $(in_root 'du -sxm / | cut -f1') - du0 )) MB)"

step "the commands install.sh gave to try the hook"
cmds=$(sed -n '/To see the hook refuse/,$p' "$root/install.out" | tail -n +2)
try=$(printf '%s\n' "$cmds" | sed -n 1,3p | sed 's/ *# refused.*//')
undo=$(printf '%s\n' "$cmds" | sed -n '1p;4p')
in_root "git config --global user.name x; git config --global user.email x@example.invalid; $try" && { echo "the commit was not refused" >&2; exit 1; }
in_root "$undo"
[ -z "$(in_root 'git -C /srv/app status --porcelain')" ] || { echo "the try left files behind" >&2; exit 1; }
echo "refused, and nothing left behind"

step "tests/deps.sh && make check"
in_root 'cd /opt/sghook && tests/deps.sh && make check' >"$root/test.out" 2>&1 || { tail -n 60 "$root/test.out"; exit 1; }
tail -n 5 "$root/test.out"
grep -c '^ok ' "$root/test.out" | sed 's/^/bats cases ok: /'
grep -E '^not ok ' "$root/test.out" || echo "no bats case failed"
