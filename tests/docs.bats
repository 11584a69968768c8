#!/usr/bin/env bats
# The documentation and the shell completions against the program: man
# pages lint clean and name every option, subcommand, exit code and
# environment variable; the completions offer them; the README's recipes
# run as written.
load helper/common

# The long options and the subcommands that `qmb-session --help` lists.
help_longopts() {
	qmb-session --help | grep -oE -- '--[a-z][a-z-]*' | sort -u
}
help_commands() {
	qmb-session --help |
		awk '/^commands:/ { f = 1; next } /^options:/ { f = 0 }
		    f && /^  [a-z]/ { print $1 }'
}

# readme_line PREFIX: the one line of README.md that starts with PREFIX.
readme_line() {
	local l
	l=$(grep -F -- "$1" "$TOP/README.md" | grep -vF '`') || return 1
	[ "$(printf '%s\n' "$l" | wc -l)" -eq 1 ] || return 1
	printf '%s\n' "$l"
}

# ---- man pages -----------------------------------------------------------

@test "docs: mandoc -Tlint -W style on all man pages together prints nothing" {
	command -v mandoc >/dev/null || skip "mandoc is not installed"
	cd "$TOP"
	cd "$TOP/man"
	run -0 --separate-stderr mandoc -Tlint -W style *.1 *.7
	assert_output ''
	[ -z "$stderr" ]
}

@test "docs: qmb-session.1 has the sections in order" {
	run -0 --separate-stderr sed -n 's/^\.Sh //p' "$TOP/man/qmb-session.1"
	assert_output "NAME
SYNOPSIS
DESCRIPTION
ENVIRONMENT
FILES
EXIT STATUS
EXAMPLES
SEE ALSO"
	[ -z "$stderr" ]
}

@test "docs: every long option of --help is in qmb-session.1" {
	local o missing=
	run -0 --separate-stderr help_longopts
	[ "${#lines[@]}" -ge 16 ]
	for o in "${lines[@]}"; do
		grep -qE -- "Fl -${o#--}([^a-z-]|\$)" "$TOP/man/qmb-session.1" ||
			missing="$missing $o"
	done
	[ -z "$missing" ] || fail "not in man/qmb-session.1:$missing"
}

@test "docs: every subcommand of --help is an item of qmb-session.1" {
	local c missing=
	run -0 --separate-stderr help_commands
	[ "${#lines[@]}" -eq 14 ]
	for c in "${lines[@]}"; do
		grep -qE -- "^\.It Cm $c( |\$)" "$TOP/man/qmb-session.1" ||
			missing="$missing $c"
	done
	[ -z "$missing" ] || fail "no .It Cm item in man/qmb-session.1:$missing"
}

@test "docs: every exit code of lib/qmb_exit.h is in qmb.7" {
	local codes c missing=
	codes=$(sed -n 's/^[[:space:]]*QMB_EXIT_[A-Z]*[[:space:]]*=[[:space:]]*\([0-9]*\).*/\1/p' \
	    "$TOP/lib/qmb_exit.h")
	[ "$(printf '%s\n' "$codes" | wc -l)" -ge 10 ]
	for c in $codes; do
		grep -qx "\.It $c" "$TOP/man/qmb.7" || missing="$missing $c"
	done
	[ -z "$missing" ] || fail "exit codes not in man/qmb.7:$missing"
}

@test "docs: every variable the library reads is in qmb.7" {
	local vars v missing=
	vars=$(grep -ho 'getenv("[A-Z_]*")' "$TOP"/lib/*.c |
	    sed 's/getenv("\(.*\)")/\1/' | sort -u)
	[ -n "$vars" ]
	for v in $vars; do
		grep -qE -- "(Ev|^\.It Ev) $v([^A-Z_]|\$)" "$TOP/man/qmb.7" ||
			missing="$missing $v"
	done
	[ -z "$missing" ] || fail "not in man/qmb.7:$missing"
}

# ---- one description: spec, --help and man page agree ----------------------

PROGS="qmb-session qmb-log qmb-audit qmb-review qmb-recover qmb-rotate qmb-mcp"

# spec_words PROG WORD: the candidates PROG's own description offers for
# a command line ending in WORD ('-': every option; '': every command).
spec_words() {
	"$1" --complete bash -- "$1" "$2" | tail -n +2 | sort -u
}

# The options and commands PROG --help names.
help_opts() { "$1" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u; }
help_shorts() { "$1" --help | sed -n 's/^  \(-[A-Za-z]\), --.*/\1/p' | sort -u; }
help_cmds() {
	"$1" --help | awk '/^commands:/ { f = 1; next } /^options:/ { f = 0 }
	    f && /^  [a-z]/ { print $1 }' | sort -u
}
# help_pair PROG --LONG: the short form --help gives the option, if any.
help_pair() { "$1" --help | sed -n "s/^  \(-[A-Za-z]\), $2[= ].*/\1/p;s/^  \(-[A-Za-z]\), $2\$/\1/p"; }

# The commands (lines that start with .Cm) and the options (-x, --long)
# of man/PROG.1's SYNOPSIS.
synopsis() { sed -n '/^\.Sh SYNOPSIS/,/^\.Sh DESCRIPTION/p' "$TOP/man/$1.1"; }
man_cmds() {
	synopsis "$1" | sed -n 's/^\.Cm //p' | tr '|' ' ' | tr -s ' ' '\n' |
		grep . | sort -u
}
man_opts() {
	synopsis "$1" | awk '{
		sub(/^\./, "", $1)
		for (i = 1; i < NF; i++) {
			if ($i != "Fl" || $(i + 1) ~ /^([A-Z][a-z]|\|)$/)
				continue
			w = $(i + 1)
			if (w ~ /^-/)
				print "-" w
			else
				for (j = 1; j <= length(w); j++)
					print "-" substr(w, j, 1)
		}
	}' | sort -u
}

@test "docs: each program's spec, --help and man SYNOPSIS name the same options and commands" {
	local p o s missing= spec mopts
	for p in $PROGS; do
		spec=$(spec_words "$p" -)
		[ "$(grep -c -- '^--' <<<"$spec")" -ge 4 ] || fail "$p: no options from its spec"
		# --help and the spec: the same long options, short ones, commands
		[ "$(grep -- '^--' <<<"$spec")" = "$(help_opts "$p")" ] ||
			missing="$missing $p:help-longs"
		[ "$(grep -x -- '-[A-Za-z]' <<<"$spec")" = "$(help_shorts "$p")" ] ||
			missing="$missing $p:help-shorts"
		[ "$(spec_words "$p" '')" = "$(help_cmds "$p")" ] ||
			missing="$missing $p:help-commands"
		# the man page's SYNOPSIS: every command and option of the spec ...
		[ "$(spec_words "$p" '')" = "$(man_cmds "$p")" ] ||
			missing="$missing $p:man-commands"
		mopts=$(man_opts "$p")
		for o in $(grep -- '^--' <<<"$spec"); do
			s=$(help_pair "$p" "$o")
			grep -qx -- "$o" <<<"$mopts" ||
				{ [ -n "$s" ] && grep -qx -- "$s" <<<"$mopts"; } ||
				missing="$missing $p:man:$o"
		done
		# ... and nothing else
		for o in $mopts; do
			grep -qx -- "$o" <<<"$spec" || missing="$missing $p:man-extra:$o"
		done
	done
	[ -z "$missing" ] || fail "disagree:$missing"
}

@test "docs: help COMMAND and COMMAND --help print the command's usage and options" {
	local p c
	for p in qmb-session qmb-log qmb-audit qmb-review qmb-recover; do
		for c in $(spec_words "$p" ''); do
			run -0 --separate-stderr "$p" help "$c"
			[[ ${lines[0]} == "usage: $p [options] $c"* ]] ||
				fail "$p help $c: ${lines[0]}"
			assert_line 'options:'
			assert_line --regexp '^  -h, --help '
			[ -z "$stderr" ]
			[ "$("$p" "$c" --help)" = "$output" ] || fail "$p $c --help differs"
		done
	done
	run -0 --separate-stderr qmb-review help bypass
	assert_line --partial -- '--reason TEXT'
	refute_line --partial -- '--no-cache'
	run -2 --separate-stderr qmb-session help lsit
	[ "${stderr_lines[0]}" = "qmb-session: unknown command 'lsit'; did you mean 'list'?" ]
	[ -z "$output" ]
}

@test "usage errors: did you mean, and the missing operand by name" {
	run -2 --separate-stderr qmb-session lsit
	[ "${stderr_lines[0]}" = "qmb-session: unknown command 'lsit'; did you mean 'list'?" ]
	run -2 --separate-stderr qmb-audit verfy x
	[ "${stderr_lines[0]}" = "qmb-audit: unknown command 'verfy'; did you mean 'verify'?" ]
	run -2 --separate-stderr qmb-session frobnicate
	[ "${stderr_lines[0]}" = "qmb-session: unknown command 'frobnicate'" ]
	run -2 --separate-stderr qmb-session approve x
	[ "${stderr_lines[0]}" = "qmb-session: 'approve' takes more operands: STAGE is missing" ]
	[ "${stderr_lines[1]}" = "usage: qmb-session [options] approve ID STAGE [FILE|-]" ]
	run -2 --separate-stderr qmb-session show
	[ "${stderr_lines[0]}" = "qmb-session: 'show' takes more operands: ID is missing" ]
	run -2 --separate-stderr qmb-audit append x
	[ "${stderr_lines[0]}" = "qmb-audit: 'append' needs -t TYPE" ]
	[ -z "$output" ]
}

# ---- completions: the same option and command lists ---------------------

@test "completions: all three offer every long option of --help" {
	local o missing= bash zsh fish=
	run -0 --separate-stderr help_longopts
	[ "${#lines[@]}" -ge 16 ]
	bash=$(complete_bash qmb-session --)
	zsh=$(complete_zsh qmb-session --)
	command -v fish >/dev/null && fish=$(complete_fish 'qmb-session --')
	for o in "${lines[@]}"; do
		grep -qx -- "$o" <<<"$bash" || missing="$missing bash:$o"
		grep -q -- "^$o:" <<<"$zsh" || missing="$missing zsh:$o"
		[ -z "$fish" ] || grep -q -- "^$o"$'\t' <<<"$fish" ||
			missing="$missing fish:$o"
	done
	[ -z "$missing" ] || fail "missing:$missing"
}

@test "completions: all three offer every subcommand of --help" {
	local c missing= bash zsh fish=
	run -0 --separate-stderr help_commands
	[ "${#lines[@]}" -eq 14 ]
	bash=$(complete_bash qmb-session '')
	zsh=$(complete_zsh qmb-session '')
	command -v fish >/dev/null && fish=$(complete_fish 'qmb-session ')
	for c in "${lines[@]}"; do
		grep -qx -- "$c" <<<"$bash" || missing="$missing bash:$c"
		grep -q -- "^$c:" <<<"$zsh" || missing="$missing zsh:$c"
		[ -z "$fish" ] || grep -q -- "^$c"$'\t' <<<"$fish" ||
			missing="$missing fish:$c"
	done
	[ -z "$missing" ] || fail "missing:$missing"
}

@test "completions: an option offers only what its command takes" {
	run -0 --separate-stderr complete_bash qmb-session complete X --
	assert_line -- --min-score
	assert_line -- --json
	refute_line -- --force
	run -0 --separate-stderr complete_bash qmb-session --
	assert_line -- --force
	[ -z "$stderr" ]
}

# ---- bash ------------------------------------------------------------------

@test "completions: bash -n accepts the bash completion" {
	run -0 --separate-stderr bash -n "$TOP/completions/qmb.bash"
	assert_output ''
	[ -z "$stderr" ]
}

@test "completions: a bare bash registers _qmb for every program" {
	local p
	for p in qmb-session qmb-log qmb-audit qmb-review qmb-recover \
	    qmb-rotate qmb-mcp; do
		run -0 --separate-stderr bash --norc --noprofile -c \
		    '. "$1" && complete -p "$2"' _ "$TOP/completions/qmb.bash" "$p"
		assert_output "complete -F _qmb $p"
		[ -z "$stderr" ]
	done
}

@test "completions: bash completes 'ap' to approve" {
	run -0 --separate-stderr complete_bash qmb-session ap
	assert_output 'approve'
	[ -z "$stderr" ]
}

@test "completions: bash offers every subcommand of --help first" {
	local want
	want=$(help_commands | sort)
	run -0 --separate-stderr complete_bash qmb-session ''
	[ "$(printf '%s\n' "${lines[@]}" | sort)" = "$want" ]
	[ -z "$stderr" ]
}

@test "completions: bash offers stage letters after approve ID, revert ID, --stage" {
	run -0 --separate-stderr complete_bash qmb-session approve SOMEID ''
	assert_output "$(printf '%s\n' A B C D E F)"
	run -0 --separate-stderr complete_bash qmb-session revert SOMEID ''
	assert_output "$(printf '%s\n' A B C D E F)"
	run -0 --separate-stderr complete_bash qmb-session script SOMEID --stage ''
	assert_output "$(printf '%s\n' A B C D E F)"
	run -0 --separate-stderr complete_bash qmb-session script SOMEID --stage = ''
	assert_output "$(printf '%s\n' A B C D E F)"
	[ -z "$stderr" ]
}

@test "completions: bash offers model types, table operations, options" {
	run -0 --separate-stderr complete_bash qmb-session set-model SOMEID ''
	assert_output "$(printf '%s\n' star_schema snowflake link_table concatenated)"
	run -0 --separate-stderr complete_bash qmb-session new P --model-type s
	assert_output "$(printf '%s\n' star_schema snowflake)"
	run -0 --separate-stderr complete_bash qmb-session tables SOMEID ''
	assert_output "$(printf '%s\n' add remove set)"
	run -0 --separate-stderr complete_bash qmb-session --min
	assert_output '--min-score'
	[ -z "$stderr" ]
}

@test "completions: bash offers the session ids after show" {
	new_session SalesModel
	run -0 --separate-stderr complete_bash qmb-session show ''
	assert_output "$id"
	[ -z "$stderr" ]
	# options before the command do not count as its operands
	run -0 --separate-stderr complete_bash qmb-session --json --wait 3 show ''
	assert_output "$id"
	# a prefix of the id
	run -0 --separate-stderr complete_bash qmb-session show "${id:0:8}"
	assert_output "$id"
	# none in a project without sessions
	mkdir "$BATS_TEST_TMPDIR/empty"
	run -0 --separate-stderr complete_bash qmb-session -C "$BATS_TEST_TMPDIR/empty" show ''
	assert_output ''
}

@test "completions: bash reads the ids of the project -C names" {
	local mine
	new_session Here
	mine=$id
	mkdir "$BATS_TEST_TMPDIR/other"
	id=$(qmb-session -C "$BATS_TEST_TMPDIR/other" new There)
	run -0 --separate-stderr complete_bash qmb-session -C "$BATS_TEST_TMPDIR/other" show ''
	assert_output "$id"
	run -0 --separate-stderr complete_bash qmb-session --directory "$BATS_TEST_TMPDIR/other" resume ''
	assert_output "$id"
	run -0 --separate-stderr complete_bash qmb-session show ''
	assert_output "$mine"
	# no QMB_PROJECT_DIR: the nearest folder upward holding .qmb/
	mkdir -p "$BATS_TEST_TMPDIR/other/sub/dir"
	cd "$BATS_TEST_TMPDIR/other/sub/dir"
	unset QMB_PROJECT_DIR
	run -0 --separate-stderr complete_bash qmb-session show ''
	assert_output "$id"
}

@test "completions: bash offers files after approve ID STAGE and import" {
	cd "$BATS_TEST_TMPDIR"
	printf 'X:\nLOAD 1 AS x AUTOGENERATE 1;\n' >part-c.qvs
	run -0 --separate-stderr complete_bash qmb-session approve SOMEID C part-
	assert_output 'part-c.qvs'
	run -0 --separate-stderr complete_bash qmb-session import part-
	assert_output 'part-c.qvs'
	[ -z "$stderr" ]
}

# ---- zsh and fish ----------------------------------------------------------

@test "completions: zsh -n accepts the zsh completion" {
	command -v zsh >/dev/null || skip "zsh is not installed"
	run -0 --separate-stderr zsh -n "$TOP/completions/_qmb"
	assert_output ''
	[ -z "$stderr" ]
	run -0 --separate-stderr head -1 "$TOP/completions/_qmb"
	assert_output '#compdef qmb-session qmb-log qmb-audit qmb-review qmb-recover qmb-rotate qmb-mcp'
}

@test "completions: fish -n accepts the fish completion" {
	command -v fish >/dev/null || skip "fish is not installed"
	run -0 --separate-stderr fish --no-config -n "$TOP/completions/qmb.fish"
	assert_output ''
	[ -z "$stderr" ]
}

@test "completions: fish completes commands, stages and session ids" {
	command -v fish >/dev/null || skip "fish is not installed"
	new_session SalesModel
	run -0 --separate-stderr complete_fish "qmb-session ap" \
	    "qmb-session approve X " "qmb-session show "
	[ -z "$stderr" ]
	[ "${lines[0]%%$'\t'*}" = approve ]
	[ "$(printf '%s\n' "${lines[@]:1:6}" | cut -f1 | tr '\n' ' ')" = "A B C D E F " ]
	[ "${lines[7]%%$'\t'*}" = "$id" ]
	[ "${lines[7]#*$'\t'}" = "SalesModel, stage A" ]
	[ "${#lines[@]}" -eq 8 ]
}

@test "completions: fish's script installed as PROG.fish serves PROG alone" {
	command -v fish >/dev/null || skip "fish is not installed"
	cp "$TOP/completions/qmb.fish" "$BATS_TEST_TMPDIR/qmb-log.fish"
	cd "$BATS_TEST_TMPDIR"
	run -0 --separate-stderr fish --no-config -c '
		source $argv[1]
		complete -C "qmb-log sh"
		complete -C "qmb-session ap"' "$BATS_TEST_TMPDIR/qmb-log.fish"
	[ "${lines[0]%%$'\t'*}" = show ]
	# fish may offer file names of its own for qmb-session; never its commands
	if printf '%s\n' "${lines[@]:1}" | grep -q '^approve'; then
		fail "qmb-log.fish served qmb-session: ${lines[*]}"
	fi
	[ -z "$stderr" ]
}

@test "completions: zsh shows each session's project and stage; files and folders" {
	new_session SalesModel
	run -0 --separate-stderr complete_zsh qmb-session show ''
	assert_output "$id:SalesModel, stage A"
	run -0 --separate-stderr complete_zsh qmb-session approve X C ''
	assert_output 'files '
	run -0 --separate-stderr complete_zsh qmb-review run --script=/tm
	assert_output 'files /tm'
	run -0 --separate-stderr complete_zsh qmb-mcp -C ''
	assert_output 'dirs '
	run -0 --separate-stderr complete_zsh qmb-session help app
	assert_output 'approve:approve the script part of a stage'
	[ -z "$stderr" ]
}

# ---- README ----------------------------------------------------------------

@test "README: names make demo, make check, make deps and SANITIZE=1" {
	grep -q 'make demo' "$TOP/README.md"
	grep -q 'make check' "$TOP/README.md"
	grep -q 'make check SANITIZE=1' "$TOP/README.md"
	grep -q 'make deps' "$TOP/README.md"
}

@test "README: the exit code table has every code of lib/qmb_exit.h" {
	local c missing=
	for c in $(sed -n 's/^[[:space:]]*QMB_EXIT_[A-Z]*[[:space:]]*=[[:space:]]*\([0-9]*\).*/\1/p' \
	    "$TOP/lib/qmb_exit.h"); do
		grep -q "^| $c | " "$TOP/README.md" || missing="$missing $c"
	done
	[ -z "$missing" ] || fail "not in README.md:$missing"
}

@test "README: the list --json recipe prints the unfinished sessions" {
	local recipe
	recipe=$(readme_line "qmb-session list --json | jq -r 'select(.progress < 100)")
	new_session Unfinished
	approve_upto "$id" B
	run -0 --separate-stderr bash -c "$recipe"
	assert_output "$id"
	[ -z "$stderr" ]
}

@test "README: the audit checks print nothing for an intact trail" {
	local hashes chain
	hashes=$(readme_line 'while IFS= read -r l; do')
	chain=$(readme_line "jq -r '\"\\(.seq) \\(.prev) \\(.hash)\"'")
	new_session SalesModel
	approve_upto "$id" C
	qmb-session tables "$id" add 'FACT_Ümlaut' >/dev/null
	cd "$QMB_PROJECT_DIR"
	run -0 --separate-stderr env id="$id" bash -c "f=.qmb/audit/\$id.audit.json; $hashes"
	assert_output ''
	[ -z "$stderr" ]
	run -0 --separate-stderr env id="$id" bash -c "f=.qmb/audit/\$id.audit.json; $chain"
	assert_output ''
	[ -z "$stderr" ]
}

@test "README: the audit checks find a changed and a missing entry" {
	local hashes chain f
	hashes=$(readme_line 'while IFS= read -r l; do')
	chain=$(readme_line "jq -r '\"\\(.seq) \\(.prev) \\(.hash)\"'")
	new_session SalesModel
	approve_upto "$id" B
	f=$(audit_file "$id")
	# entry 3 approves stage B; change one character of its part
	sed '3s/B_Table/b_Table/' "$f" >"$BATS_TEST_TMPDIR/changed.json"
	! cmp -s "$f" "$BATS_TEST_TMPDIR/changed.json" || fail "sed changed nothing"
	run -0 --separate-stderr bash -c "f='$BATS_TEST_TMPDIR/changed.json'; $hashes"
	assert_output 'bad hash: entry 3'
	run -0 --separate-stderr bash -c "f='$BATS_TEST_TMPDIR/changed.json'; $chain"
	assert_output ''
	sed 2d "$f" >"$BATS_TEST_TMPDIR/cut.json"
	run -0 --separate-stderr bash -c "f='$BATS_TEST_TMPDIR/cut.json'; $chain"
	assert_output 'broken chain: entry 3'
	[ -z "$stderr" ]
}
