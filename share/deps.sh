#!/bin/sh
# Install the Debian packages qmb needs to build and test, if missing.
pkgs="make gcc clang libjsmn-dev libcurl4-openssl-dev libmbedtls-dev zlib1g-dev
bats bats-assert bats-support bats-file jq mandoc util-linux procps zsh fish"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: run as root (or install:$missing)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # a list of package names, split on purpose
apt-get update -q && apt-get install -y -q --no-install-recommends $missing
