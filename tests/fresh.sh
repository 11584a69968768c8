#!/bin/sh
# make check-fresh: `make demo && make check` on a pristine Debian 12.
# A bookworm folder is made with debootstrap (variant minbase, plus make,
# gcc, git and ca-certificates, nothing else), a clean clone of this
# repository (what is committed at HEAD) is copied into it, and the two
# commands run there under chroot, as root, exactly as README gives them:
# they must bring every other dependency themselves.  The folder is removed
# at the end, even after a failure or an interrupt.
#
# Needs root, debootstrap (installed when missing) and a Debian mirror; the
# chroot gets the caller's resolv.conf, http_proxy, https_proxy, no_proxy
# and NODE_EXTRA_CA_CERTS, for npm.
#   QMB_FRESH_MIRROR   the mirror (default: debootstrap's own)
#   QMB_FRESH_DIR      where the folder is made (default ${TMPDIR:-/var/tmp})
#   QMB_FRESH_KEEP=1   keep the folder, to look around in it
# Exit status: that of make demo && make check; 2 when it could not start.
set -u
cd "$(dirname "$0")/.." || exit 2
top=$(pwd)
if [ "$(id -u)" -ne 0 ]; then
	echo "check-fresh: needs root (debootstrap, chroot): run 'sudo make check-fresh'" >&2
	exit 2
fi
for c in git chroot mount umount; do
	command -v "$c" >/dev/null 2>&1 ||
		{ echo "check-fresh: $c is missing" >&2; exit 2; }
done
if ! command -v debootstrap >/dev/null 2>&1; then
	echo "installing: debootstrap"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	    debootstrap >/dev/null || { echo "check-fresh: cannot install debootstrap" >&2; exit 2; }
fi
mirror=${QMB_FRESH_MIRROR:-}
root=$(mktemp -d "${QMB_FRESH_DIR:-${TMPDIR:-/var/tmp}}/qmb-fresh.XXXXXX") || exit 2
root=$(cd "$root" && pwd -P)
begin=$(date +%s)

# shellcheck disable=SC2317 # mounted and cleanup run from the EXIT trap
# mounted: the file systems mounted at or under the folder, deepest first
mounted() {
	awk -v r="$root" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/mounts | sort -r
}

# shellcheck disable=SC2317
# cleanup: end what still runs inside, unmount, remove the folder
cleanup() {
	trap '' INT TERM
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && kill -KILL "${p#/proc/}" 2>/dev/null
	done
	for m in $(mounted); do
		umount "$m" 2>/dev/null || umount -l "$m"
	done
	if [ -n "$(mounted)" ]; then
		echo "check-fresh: still mounted under $root; not removed" >&2
	elif [ "${QMB_FRESH_KEEP:-}" = 1 ]; then
		echo "check-fresh: kept $root" >&2
	else
		rm -rf --one-file-system "$root"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "check-fresh: debootstrap bookworm (minbase + make gcc git ca-certificates) in $root"
debootstrap --variant=minbase --include=make,gcc,git,ca-certificates \
    bookworm "$root" ${mirror:+"$mirror"} >"$root.log" 2>&1 || {
	tail -20 "$root.log" >&2
	rm -f "$root.log"
	echo "check-fresh: debootstrap failed" >&2
	exit 2
}
rm -f "$root.log"
# the caller's network settings: name resolution, a proxy, and the extra
# certificate authorities it gives Node.js (a network that inspects TLS)
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null
net=
for v in http_proxy https_proxy no_proxy; do
	eval "val=\${$v:-}"
	# shellcheck disable=SC2154 # set by the eval
	[ -n "$val" ] && net="$net $v=$val"
done
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
	cp "$NODE_EXTRA_CA_CERTS" "$root/root/extra-ca.pem"
	net="$net NODE_EXTRA_CA_CERTS=/root/extra-ca.pem"
fi
git clone -q --no-hardlinks "$top" "$root/root/qmb" ||
	{ echo "check-fresh: git clone failed" >&2; exit 2; }
if ! { mount -t proc proc "$root/proc" && mount --rbind /dev "$root/dev" &&
    mount --make-rslave "$root/dev" && mount -t sysfs sysfs "$root/sys"; }; then
	echo "check-fresh: cannot mount proc, dev and sys in $root" >&2
	exit 2
fi
ready=$(date +%s)
echo "check-fresh: ready in $((ready - begin)) s; make demo && make check in a clean clone of $(git rev-parse --short HEAD)"

# shellcheck disable=SC2086 # $net: NAME=VALUE words without spaces
chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb $net \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    sh -c 'cd /root/qmb && make demo && make check'
rc=$?
end=$(date +%s)
echo "check-fresh: exit $rc; $((end - begin)) s in all ($((end - ready)) s for make demo && make check)"
exit $rc
