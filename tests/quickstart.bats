#!/usr/bin/env bats
# Getting started: README's quick start, the dependency step that make demo
# and make check run first (share/deps.sh), and README's recipes for the
# completions, the fake Gemini server and cron.

load helper/common

# readme_block HEADING: the first indented block under "## HEADING"
readme_block() {
	awk -v h="## $1" '$0 == h { on = 1; next } on && /^## / { exit }
	    on && /^    / { print; got = 1; next } on && got { exit }' "$TOP/README.md"
}

# readme_line TEXT: the one README line holding TEXT, outside `code`
readme_line() {
	local l
	l=$(grep -F -- "$1" "$TOP/README.md" | grep -vF '`') || return 1
	[ "$(printf '%s\n' "$l" | wc -l)" -eq 1 ] || return 1
	printf '%s\n' "$l"
}

# ---- the quick start ------------------------------------------------------

@test "README: the quick start is two commands, make demo and make check" {
	run -0 readme_block "Quick start"
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[0]} =~ ^\ {4}make\ demo\ +# ]]
	[[ ${lines[1]} =~ ^\ {4}make\ check\ +# ]]
}

@test "Makefile: make demo and make check run the dependency step first" {
	local t
	for t in demo check; do
		run -0 awk -v t="$t:" '$1 == t { on = 1; next } on && /^\t/ { print; exit }' "$TOP/Makefile"
		[ "$output" = "	@sh share/deps.sh $t" ] || fail "make $t starts with: $output"
	done
}

# ---- share/deps.sh, with stand-ins for id, dpkg-query and apt-get ----------

# fake_system UID MISSING...: a user and a Debian where MISSING are not
# installed; apt-get records its arguments in $BATS_TEST_TMPDIR/apt
fake_system() {
	local bin=$BATS_TEST_TMPDIR/bin uid=$1
	shift
	mkdir -p "$bin"
	printf '#!/bin/sh\n[ "$1" = -u ] && { echo %s; exit 0; }\nexec /usr/bin/id "$@"\n' \
	    "$uid" >"$bin/id"
	# every package asked for is installed, except MISSING
	printf '#!/bin/sh\nshift 2\nfor p; do case " %s " in *" $p "*) ;; *) echo "$p ii ";; esac; done\n' \
	    "$*" >"$bin/dpkg-query"
	printf '#!/bin/sh\necho "$*" >>"%s/apt"\n' "$BATS_TEST_TMPDIR" >"$bin/apt-get"
	chmod +x "$bin"/*
	FAKE_PATH="$bin:$PATH"
}

@test "deps: nothing missing: silent, exit 0, no apt-get" {
	fake_system 1000
	run --separate-stderr env PATH="$FAKE_PATH" sh "$TOP/share/deps.sh" demo
	[ "$status" -eq 0 ]
	[ -z "$output$stderr" ]
	[ ! -e "$BATS_TEST_TMPDIR/apt" ]
}

@test "deps: missing, not root: one line with the command to run as root, exit 2" {
	local sudo=
	command -v sudo >/dev/null && sudo="sudo "
	fake_system 1000 libjsmn-dev jq
	run --separate-stderr env PATH="$FAKE_PATH" sh "$TOP/share/deps.sh" demo
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ "$stderr" = "qmb: missing Debian packages: libjsmn-dev jq; run as root: ${sudo}apt-get install --no-install-recommends libjsmn-dev jq" ]
	[ ! -e "$BATS_TEST_TMPDIR/apt" ]
}

@test "deps: missing, as root: apt-get installs exactly those" {
	fake_system 0 libjsmn-dev python3
	run --separate-stderr env PATH="$FAKE_PATH" sh "$TOP/share/deps.sh" demo
	[ "$status" -eq 0 ]
	[ "$output" = "installing: libjsmn-dev python3" ]
	run -0 cat "$BATS_TEST_TMPDIR/apt"
	[ "${lines[0]}" = "update -q" ]
	[ "${lines[1]}" = "install -y -q --no-install-recommends libjsmn-dev python3" ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "deps: make check needs the test packages too; a bad argument exits 2" {
	fake_system 1000 bats-assert
	run --separate-stderr env PATH="$FAKE_PATH" sh "$TOP/share/deps.sh" demo
	[ "$status" -eq 0 ]
	run --separate-stderr env PATH="$FAKE_PATH" sh "$TOP/share/deps.sh" check
	[ "$status" -eq 2 ]
	[[ $stderr == "qmb: missing Debian packages: bats-assert; run as root: "* ]]
	run --separate-stderr sh "$TOP/share/deps.sh" everything
	[ "$status" -eq 2 ]
	[ "$stderr" = "usage: share/deps.sh [demo | check | all]" ]
}

# ---- README recipes --------------------------------------------------------

@test "README: its completion line loads the bash completions of all seven programs" {
	local loop p
	loop=$(readme_line '. completions/')
	cd "$TOP"
	run -0 --separate-stderr bash --norc --noprofile -c "$loop"' && complete -p' 
	[ -z "$stderr" ]
	for p in qmb-session qmb-log qmb-audit qmb-review qmb-recover qmb-rotate qmb-mcp; do
		grep -qE " $p\$" <<<"$output" || fail "no completion for $p"
	done
}

@test "README: the fake Gemini recipe answers and leaves nothing in the source tree" {
	local recipe
	recipe=$(sed -n '/^\$ scratch=\$(mktemp -d)$/,/GEMINI_API_KEY=fake-key$/s/^\$ //p' "$TOP/README.md")
	[ "$(wc -l <<<"$recipe")" -eq 4 ] || fail "recipe: $recipe"
	[[ $recipe == *"&"* ]]
	cd "$TOP"
	run --separate-stderr timeout 30 bash -c "$recipe"'
		qmb-review ping --attempts 1 >/dev/null || exit 1
		kill %1
		wait
		[ -s "$scratch/port" ] && [ -s "$scratch/requests.jsonl" ] || exit 2
		rm -r "$scratch"'
	[ "$status" -eq 0 ] || fail "exit $status: $output $stderr"
	[ ! -e "$TOP/port" ] && [ ! -e "$TOP/requests.jsonl" ] || fail "files left in the source tree"
}

@test "README: the cron line for every folder rotates each project" {
	local line cmd home=$BATS_TEST_TMPDIR/home p
	line=$(readme_line 'for d in "$HOME"/qlik/*/; do qmb-rotate')
	cmd=$(awk '{ for (i = 6; i <= NF; i++) printf "%s%s", $i, (i < NF ? " " : "") }' <<<"$line")
	[[ $cmd != *%* ]] || fail "cron turns % into a new line"
	mkdir -p "$home/qlik/Plain"
	for p in SalesModel Finance; do
		mkdir -p "$home/qlik/$p"
		QMB_PROJECT_DIR=$home/qlik/$p new_session "$p"
		QMB_PROJECT_DIR=$home/qlik/$p qmb-log write -s "$id" -l INFO -c test -a filler >/dev/null
	done
	run --separate-stderr env -i HOME="$home" PATH="$TOP:/usr/bin:/bin" QMB_LOG_MAX_SIZE=1 sh -c "$cmd"
	[ "$status" -eq 0 ]
	[ -z "$output$stderr" ] || fail "not silent: $output$stderr"
	for p in SalesModel Finance; do
		compgen -G "$home/qlik/$p/.qmb/logs/*.log.1" >/dev/null || fail "$p was not rotated"
	done
	[ ! -e "$home/qlik/Plain/.qmb" ]
}

@test "check-fresh: not root: one line saying how, exit 2, nothing made" {
	fake_system 1000
	run --separate-stderr env PATH="$FAKE_PATH" TMPDIR="$BATS_TEST_TMPDIR" sh "$TOP/tests/fresh.sh"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ "$stderr" = "check-fresh: needs root (debootstrap, chroot): run 'sudo make check-fresh'" ]
	[ -z "$(find "$BATS_TEST_TMPDIR" -name 'qmb-fresh.*')" ]
}
