#!/bin/sh
# Install the Debian packages qmb needs to build and test, if missing.
pkgs="make gcc clang libjsmn-dev libcurl4-openssl-dev libmbedtls-dev zlib1g-dev
bats bats-assert bats-support bats-file jq mandoc util-linux procps zsh fish python3
faketime"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
# Node.js and npm for the MCP SDK tests: by command, since a Node.js
# from elsewhere (with its own npm) may be installed already
command -v node >/dev/null || missing="$missing nodejs"
command -v npm >/dev/null || missing="$missing npm"
if [ -n "$missing" ]; then
	echo "installing:$missing"
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: run as root (or install:$missing)" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086 # a list of package names, split on purpose
	apt-get update -q && apt-get install -y -q --no-install-recommends \
	    $missing || exit 1
fi
# The official MCP client for tests/qmb-mcp-sdk.bats, as the lockfile pins it
cd "$(dirname "$0")/.." || exit 1
lock=tests/mcp/package-lock.json
mods=tests/mcp/node_modules
if [ ! -d "$mods" ] || [ "$lock" -nt "$mods" ]; then
	echo "installing: tests/mcp (npm ci)"
	npm ci --prefix tests/mcp --no-audit --no-fund || exit 1
	touch "$mods"
fi
exit 0
