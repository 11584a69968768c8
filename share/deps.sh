#!/bin/sh
# Bring what qmb needs on a Debian machine: the Debian packages, and the
# official MCP client of the tests as tests/mcp/package-lock.json pins it.
# Usage: share/deps.sh [demo | check | all]
#   demo   what `make demo` needs: the build, python3 and jq
#   check  what `make check` needs: the build and every test
#   all    (`make deps`, the default) both, and clang and shellcheck for
#          `make CC=clang`, `make fuzz` and `make lint`
# Nothing missing: silent, exit 0.  Packages missing: as root they are
# installed; otherwise one line says the command to run as root, exit 2.
# The test client (npm ci) needs no root: it goes to tests/mcp/node_modules.
cd "$(dirname "$0")/.." || exit 2
what=${1:-all}
build="make gcc libc6-dev libjsmn-dev libcurl4-openssl-dev libmbedtls-dev
zlib1g-dev ca-certificates"
tests="bats bats-assert bats-support bats-file jq mandoc util-linux procps
bsdutils zsh fish python3 faketime"
case $what in
demo) pkgs="$build python3 jq" ;;
check) pkgs="$build $tests" ;;
all) pkgs="$build $tests clang shellcheck" ;;
*)
	echo "usage: share/deps.sh [demo | check | all]" >&2
	exit 2
	;;
esac

# missing PACKAGE...: those of the Debian packages not installed
missing() {
	dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "$@" 2>/dev/null |
		awk -v want="$*" '$2 == "ii" { ok[$1] = 1 }
		    END { n = split(want, w, " ")
			for (i = 1; i <= n; i++) if (!(w[i] in ok)) printf " %s", w[i] }'
}

# client_ok: every package of the lockfile installed at its version
client_ok() {
	node -e '
const fs = require("fs"), path = require("path");
const dir = process.argv[1];
const lock = JSON.parse(fs.readFileSync(path.join(dir, "package-lock.json"), "utf8"));
for (const [name, want] of Object.entries(lock.packages || {})) {
	if (name === "" || want.link) continue;
	let got;
	try {
		got = JSON.parse(fs.readFileSync(path.join(dir, name, "package.json"), "utf8"));
	} catch (e) {
		if (want.optional) continue;
		process.exit(1);
	}
	if (got.version !== want.version) process.exit(1);
}' tests/mcp 2>/dev/null
}

if ! command -v dpkg-query >/dev/null 2>&1; then
	# not Debian: the packages are the user's business, named in README
	lack=
else
	# shellcheck disable=SC2086 # lists of package names, split on purpose
	lack=$(missing $pkgs)
	if [ "$what" != demo ]; then
		# by command: a Node.js from elsewhere (with its own npm) will do;
		# systemd-analyze checks the systemd units
		command -v node >/dev/null 2>&1 || lack="$lack nodejs"
		command -v npm >/dev/null 2>&1 || lack="$lack npm"
		command -v systemd-analyze >/dev/null 2>&1 || lack="$lack systemd"
	fi
fi
if [ -n "$lack" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		sudo=
		command -v sudo >/dev/null 2>&1 && sudo="sudo "
		printf 'qmb: missing Debian packages:%s; run as root: %sapt-get install --no-install-recommends%s\n' \
		    "$lack" "$sudo" "$lack" >&2
		exit 2
	fi
	echo "installing:$lack"
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086 # a list of package names, split on purpose
	apt-get update -q && apt-get install -y -q --no-install-recommends \
	    $lack || exit 1
fi
[ "$what" = demo ] && exit 0
if ! client_ok; then
	echo "installing: the MCP client of the tests (npm ci --prefix tests/mcp)"
	npm ci --prefix tests/mcp --no-audit --no-fund --prefer-offline || exit 1
	client_ok || { echo "qmb: npm ci left tests/mcp/node_modules incomplete" >&2; exit 1; }
fi
exit 0
