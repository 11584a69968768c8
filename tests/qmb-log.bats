#!/usr/bin/env bats
# qmb-log through the real binary: write (options, -d typing, --details,
# --stdin), redaction, the level threshold, the copy of WARN/ERROR to the
# global log, every filter of show, --pretty, bad lines, hostile ids and
# links, huge lines, and the seed's jq recipes next to their qmb-log
# equivalents.  Rotation under load and show -f: log-rotation.bats.
load helper/common

ID=s1
T0=2026-01-21T10:00:00.000Z

# ---- helpers -------------------------------------------------------------

logf() { printf '%s/.qmb/logs/%s' "$QMB_PROJECT_DIR" "$1"; }

# w ARGS...: qmb-log write -s $ID ARGS, must succeed quietly
w() {
	run -0 --separate-stderr qmb-log write -s "$ID" "$@"
	[ -z "$output" ] && [ -z "$stderr" ]
}

# at TIME ARGS...: write with the clock at TIME
at() {
	local t=$1
	shift
	QMB_NOW=$t qmb-log write -s "$ID" "$@"
}

# actions: the action of each line of standard input, space separated
actions() { jq -r .action | tr '\n' ' ' | sed 's/ $//'; }

# mixed_log: a log of the six stages and four levels, with escapes
mixed_log() {
	local i s l
	i=0
	for s in A B C D E F; do
		for l in DEBUG INFO WARN ERROR; do
			i=$((i + 1))
			QMB_NOW=2026-01-21T10:$(printf %02d $i):00.000Z \
			    qmb-log write -s "$ID" -l "$l" -c "comp$((i % 3))" \
			    -a "act$i" -S "$s" -d n=$i \
			    -d "text=line $i: \"quoted\" \\ tab	é \\u0041" || return 1
		done
	done
}

# ---- write: one entry ----------------------------------------------------

@test "write: one entry has exactly the keys of DESIGN 2.2, in order" {
	QMB_NOW=2026-01-21T14:30:00.123Z run -0 --separate-stderr qmb-log write \
	    -s abc-123-xyz -l INFO -c script_builder -a table_generated -S B \
	    -d table=DIM_Customers -d fields=5 -d rows_estimated=5000
	assert_output ''
	[ -z "$stderr" ]
	run -0 cat "$(logf abc-123-xyz.log)"
	assert_output '{"timestamp":"2026-01-21T14:30:00.123Z","level":"INFO","session_id":"abc-123-xyz","stage":"B","component":"script_builder","action":"table_generated","details":{"table":"DIM_Customers","fields":5,"rows_estimated":5000},"user_id":"tester@example.com"}'
}

@test "write: without -S there is no stage; --user names the user" {
	w -l DEBUG -c c -a a --user other@example.com
	run -0 jq -c '[keys_unsorted, .user_id, .details]' "$(logf $ID.log)"
	assert_output '[["timestamp","level","session_id","component","action","details","user_id"],"other@example.com",{}]'
}

@test "write: levels and stages in any case are written canonically" {
	w -l warning -c c -a a -S c
	w -l error -c c -a b -S f
	run -0 jq -r '"\(.level) \(.stage)"' "$(logf $ID.log)"
	assert_output 'WARN C
ERROR F'
}

@test "write: without -s the entry is a system event of the global log" {
	run -0 --separate-stderr qmb-log write -l INFO -c system -a started
	[ -z "$stderr" ]
	run -0 jq -r '"\(.session_id) \(.action)"' "$(logf qmb.log)"
	assert_output 'system started'
	[ ! -e "$(logf $ID.log)" ]
}

@test "write -d: numbers, true, false and null are typed, the rest are strings" {
	w -l INFO -c c -a a -d int=42 -d neg=-7 -d float=1.5 -d exp=1e3 \
	    -d t=true -d f=false -d nul=null -d zero=007 -d space=' 5' \
	    -d empty= -d word=hello -d eq=a=b -d quoted='"x"' -d arr='[1]'
	# numbers as jq prints them (1e3 as 1000), so jq -c keeps the line
	run -0 grep -c -F '"details":{"int":42,"neg":-7,"float":1.5,"exp":1000,"t":true,"f":false,"nul":null,"zero":"007","space":" 5","empty":"","word":"hello","eq":"a=b","quoted":"\"x\"","arr":"[1]"},' "$(logf $ID.log)"
	assert_output 1
	run -0 jq -r '.details | [.int, .exp, .quoted] | map(type) | join(" ")' \
	    "$(logf $ID.log)"
	assert_output 'number number string'
	run -0 sh -c 'tail -1 "$1" | jq -c . | cmp - "$2"' sh "$(logf $ID.log)" \
	    <(tail -1 "$(logf $ID.log)")
}

@test "write --details: nested objects; a -d of the same key wins" {
	w -l INFO -c c -a a --details '{"table":{"name":"T","fields":[1,2]},"n":1,"k":"old"}' \
	    -d k=new -d k=newer
	run -0 jq -c .details "$(logf $ID.log)"
	assert_output '{"table":{"name":"T","fields":[1,2]},"n":1,"k":"newer"}'
}

@test "write: every missing or bad field is a usage error that writes nothing" {
	local - bad
	set -f
	while read -r bad; do
		# shellcheck disable=SC2086 # a list of words
		run -2 --separate-stderr qmb-log write $bad
		assert_output ''
		[[ $stderr == qmb-log:* ]] || fail "no message for: $bad"
	done <<-'EOF'
	-s s1 -c c -a a
	-s s1 -l INFO -a a
	-s s1 -l INFO -c c
	-s s1 -l LOUD -c c -a a
	-s s1 -l INFO -c c -a a -S G
	-s s1 -l INFO -c c -a a -S AB
	-s s1 -l INFO -c c -a a -d novalue
	-s s1 -l INFO -c c -a a -d =v
	-s s1 -l INFO -c c -a a --details [1]
	-s s1 -l INFO -c c -a a --details {bad
	-s s1 -l INFO -c c -a a --details {"a":1,"a":2}
	-s ../s1 -l INFO -c c -a a
	-s s1 -l INFO -c c -a a extra
	-s s1 -l INFO -c c -a a --global
	-s s1 -l INFO -c c -a a -n 3
	-s s1 -l INFO -c c -a a --since 1h
	-s s1 -l INFO -c c -a a -f
	--stdin -l INFO
	--stdin -d k=v
	EOF
	[ ! -e "$QMB_PROJECT_DIR/.qmb/logs" ] ||
		[ -z "$(find "$QMB_PROJECT_DIR/.qmb/logs" -name '*.log' -size +0)" ]
}

@test "write: a component or action with a control character is refused" {
	run -2 --separate-stderr qmb-log write -s "$ID" -l INFO -c $'a\tb' -a a
	assert_output ''
	[[ $stderr == *component* ]]
	run -2 --separate-stderr qmb-log write -s "$ID" -l INFO -c c -a $'x\ny'
	[[ $stderr == *action* ]]
	run -2 --separate-stderr qmb-log write -s "$ID" -l INFO -c c -a ''
	[[ $stderr == *action* ]]
	[ ! -e "$(logf $ID.log)" ]
	# spaces and quotes are fine: JSON escapes them
	w -l INFO -c 'script builder' -a 'said "hi"'
	run -0 jq -r '"\(.component)|\(.action)"' "$(logf $ID.log)"
	assert_output 'script builder|said "hi"'
}

@test "write: a too large entry is refused whole (exit 2)" {
	local big
	big=$(head -c 70000 /dev/zero | tr '\0' x)
	run -2 --separate-stderr qmb-log write -s "$ID" -l INFO -c c -a a -d "big=$big"
	assert_output ''
	[[ $stderr == *"too large"* ]]
	[ ! -s "$(logf $ID.log)" ]
}

# ---- redaction, threshold, global log -----------------------------------

@test "redaction: secret-named keys at any depth, any case, - or _" {
	w -l INFO -c c -a r1 --details '{"api_key":"k1","API-KEY":"k2","apiKey":"k3",
	    "Password":"p","db":{"conn":{"secret":"s","user":"u",
	    "list":[{"token":"t","x":1},[{"Bearer":"b"}]]}},
	    "client_credential":"c","Authorization":"a","keep":"visible",
	    "tokens_used":5}'
	run -0 jq -c .details "$(logf $ID.log)"
	assert_output '{"api_key":"[REDACTED]","API-KEY":"[REDACTED]","apiKey":"[REDACTED]","Password":"[REDACTED]","db":{"conn":{"secret":"[REDACTED]","user":"u","list":[{"token":"[REDACTED]","x":1},[{"Bearer":"[REDACTED]"}]]}},"client_credential":"[REDACTED]","Authorization":"[REDACTED]","keep":"visible","tokens_used":"[REDACTED]"}'
	# a redacted object or array is replaced whole
	w -l INFO -c c -a r2 --details '{"auth":{"user":"u","pw":"x"},"secrets":[1,2]}'
	run -0 bash -c "tail -n 1 '$(logf $ID.log)' | jq -c .details"
	assert_output '{"auth":"[REDACTED]","secrets":"[REDACTED]"}'
	# -d pairs and --stdin are redacted too
	w -l INFO -c c -a r3 -d password=hunter2
	printf '%s\n' '{"level":"INFO","component":"c","action":"r4","details":{"x":{"token":"t"}}}' |
	    qmb-log write --stdin -s "$ID"
	run -0 bash -c "tail -n 2 '$(logf $ID.log)' | jq -c .details"
	assert_output '{"password":"[REDACTED]"}
{"x":{"token":"[REDACTED]"}}'
	run -1 grep -E 'k1|k2|k3|hunter2|"s"|"t"|"b"' "$(logf $ID.log)"
}

@test "global log: WARN and ERROR are copied to qmb.log, INFO and DEBUG not" {
	w -l DEBUG -c c -a d1
	w -l INFO -c c -a i1
	w -l WARN -c c -a w1
	w -l ERROR -c c -a e1
	run -0 actions <"$(logf qmb.log)"
	assert_output 'w1 e1'
	run -0 actions <"$(logf $ID.log)"
	assert_output 'd1 i1 w1 e1'
	# the copy is the same line
	run -0 diff <(grep '"WARN\|"ERROR' "$(logf $ID.log)") "$(logf qmb.log)"
}

@test "threshold: QMB_LOG_LEVEL drops the entries below it, silently; a bad one is refused" {
	local l
	for l in DEBUG INFO WARN ERROR; do
		QMB_LOG_LEVEL=WARN w -l $l -c c -a "$l"
	done
	run -0 actions <"$(logf $ID.log)"
	assert_output 'WARN ERROR'
	QMB_LOG_LEVEL=error w -l WARN -c c -a late
	printf '%s\n' '{"level":"INFO","component":"c","action":"x"}' \
	    '{"level":"ERROR","component":"c","action":"y"}' |
	    QMB_LOG_LEVEL=ERROR qmb-log write --stdin -s "$ID"
	run -0 actions <"$(logf $ID.log)"
	assert_output 'WARN ERROR y'
	# an unknown threshold is a usage error that names it (issue 12)
	run -2 --separate-stderr env QMB_LOG_LEVEL=loud qmb-log write -s "$ID" -l DEBUG -c c -a dbg
	[[ $stderr == *"QMB_LOG_LEVEL: bad level 'loud'"* ]]
	run -0 actions <"$(logf $ID.log)"
	assert_output 'WARN ERROR y'
}

# ---- write --stdin -------------------------------------------------------

@test "--stdin: good lines are written, bad ones reported by line number (exit 2)" {
	run -2 --separate-stderr qmb-log write --stdin -s "$ID" <<-'EOF'
	{"level":"INFO","component":"c","action":"one"}
	not json
	{"level":"LOUD","component":"c","action":"bad_level"}

	{"level":"WARN","component":"c","action":"two","stage":"B","timestamp":"2026-01-02T03:04:05Z","details":{"k":[1,{"a":null}]}}
	{"level":"INFO","component":"c","action":"extra","colour":"red"}
	{"level":"INFO","component":"c"}
	["level","INFO"]
	{"level":"INFO","component":"c","action":"badstage","stage":"Q"}
	{"level":"INFO","component":"c","action":"numstage","stage":3}
	{"level":"INFO","component":"c","action":"badtime","timestamp":"yesterday"}
	{"level":"DEBUG","component":"c","action":"three","session_id":"other","user_id":"u@x"}
	EOF
	assert_output ''
	[ "${#stderr_lines[@]}" -eq 9 ]
	local n
	for n in 2 3 6 7 8 9 10 11; do
		[[ $stderr == *"qmb-log: line $n: "* ]] || fail "line $n not reported: $stderr"
	done
	[[ ${stderr_lines[8]} == *"8 of 11 entries refused"* ]]
	run -0 jq -r '"\(.action) \(.timestamp) \(.user_id) \(.stage) \(.details | tojson)"' "$(logf $ID.log)"
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[0]} == "one "*" tester@example.com null {}" ]]
	assert_line -n 1 'two 2026-01-02T03:04:05.000Z tester@example.com B {"k":[1,{"a":null}]}'
	run -0 jq -r '"\(.action) \(.user_id)"' "$(logf other.log)"
	assert_output 'three u@x'
}

@test "--stdin: nothing but good lines is exit 0; -v counts" {
	run -0 --separate-stderr qmb-log -v write --stdin -s "$ID" <<-'EOF'
	{"level":"INFO","component":"c","action":"a"}
	{"level":"INFO","component":"c","action":"b"}
	EOF
	assert_output ''
	[[ $stderr == *"2 entries written, 0 refused"* ]]
	run -0 wc -l <"$(logf $ID.log)"
	assert_output 2
}

@test "--stdin: a bad session id on the command line is a usage error" {
	run -2 --separate-stderr qmb-log write --stdin -s '../x' </dev/null
	assert_output ''
	[[ $stderr == *"invalid session id"* ]]
}

# ---- show: filters -------------------------------------------------------

@test "show: prints the raw lines, unchanged, when stdout is not a terminal" {
	mixed_log
	run -0 --separate-stderr qmb-log show "$ID"
	[ -z "$stderr" ]
	[ "$output" = "$(cat "$(logf $ID.log)")" ]
	run -0 --separate-stderr qmb-log show -s "$ID" --json
	[ "$output" = "$(cat "$(logf $ID.log)")" ]
}

@test "show -l: the minimum level" {
	mixed_log
	run -0 --separate-stderr qmb-log show "$ID" -l WARN
	[ "${#lines[@]}" -eq 12 ]
	run -0 bash -c "printf '%s\n' \"\$1\" | jq -r .level | sort -u | tr '\n' ' '" _ "$output"
	assert_output 'ERROR WARN '
	run -0 --separate-stderr qmb-log show "$ID" -l error
	[ "${#lines[@]}" -eq 6 ]
	run -0 --separate-stderr qmb-log show "$ID" -l DEBUG
	[ "${#lines[@]}" -eq 24 ]
	run -2 --separate-stderr qmb-log show "$ID" -l LOUD
	assert_output ''
	[[ $stderr == *"invalid level 'LOUD'"* ]]
}

@test "show -S, -c, -a: equal to the value, and together" {
	mixed_log
	run -0 --separate-stderr qmb-log show "$ID" -S c
	[ "$(printf '%s\n' "$output" | actions)" = 'act9 act10 act11 act12' ]
	run -0 --separate-stderr qmb-log show "$ID" -c comp1
	[ "${#lines[@]}" -eq 8 ]
	run -0 --separate-stderr qmb-log show "$ID" -a act7
	[ "$(printf '%s\n' "$output" | jq -r .stage)" = B ]
	run -0 --separate-stderr qmb-log show "$ID" -S D -c comp0 -l WARN
	[ "$(printf '%s\n' "$output" | actions)" = 'act15' ]
	run -0 --separate-stderr qmb-log show "$ID" -a nosuch
	assert_output ''
	[ -z "$stderr" ]
	run -2 --separate-stderr qmb-log show "$ID" -S X
	[[ $stderr == *"invalid stage"* ]]
}

@test "show --since/--until: ISO times and ages (10m, 2h, 7d)" {
	at 2026-01-10T10:00:00.000Z -l INFO -c c -a d10
	at 2026-01-20T09:00:00.000Z -l INFO -c c -a h25
	at 2026-01-21T08:30:00.000Z -l INFO -c c -a h1_30
	at 2026-01-21T09:55:00.000Z -l INFO -c c -a m5
	export QMB_NOW=$T0
	run -0 qmb-log show "$ID" --since 10m
	[ "$(actions <<<"$output")" = m5 ]
	run -0 qmb-log show "$ID" --since 2h
	[ "$(actions <<<"$output")" = 'h1_30 m5' ]
	run -0 qmb-log show "$ID" --since 7d --until 1h
	[ "$(actions <<<"$output")" = 'h25 h1_30' ]
	run -0 qmb-log show "$ID" --since 2026-01-20 --until 2026-01-21T08:30:00Z
	[ "$(actions <<<"$output")" = 'h25 h1_30' ]
	run -0 qmb-log show "$ID" --until 2026-01-20T10:00:00+01:00
	[ "$(actions <<<"$output")" = 'd10 h25' ]
	run -0 --separate-stderr qmb-log show "$ID" --since 2027-01-01
	assert_output ''
	run -2 --separate-stderr qmb-log show "$ID" --since yesterday
	assert_output ''
	[[ $stderr == *"invalid --since 'yesterday'"* ]]
	run -2 --separate-stderr qmb-log show "$ID" --until 5x
	[[ $stderr == *"invalid --until"* ]]
}

@test "show -n: the last N matching entries, in order" {
	mixed_log
	run -0 --separate-stderr qmb-log show "$ID" -n 3
	[ "$(actions <<<"$output")" = 'act22 act23 act24' ]
	run -0 --separate-stderr qmb-log show "$ID" -n 2 -l ERROR
	[ "$(actions <<<"$output")" = 'act20 act24' ]
	run -0 --separate-stderr qmb-log show "$ID" -n 100 -S A
	[ "$(actions <<<"$output")" = 'act1 act2 act3 act4' ]
	run -0 --separate-stderr qmb-log show "$ID" -n 0
	assert_output ''
	[ -z "$stderr" ]
	run -2 --separate-stderr qmb-log show "$ID" -n -1
	[[ $stderr == *"invalid -n"* ]]
	run -2 --separate-stderr qmb-log show "$ID" -n x
	[[ $stderr == *"invalid -n"* ]]
}

@test "show --rotated: .log.5 ... .log.1 then the live file, in order" {
	local k
	for k in 5 4 3 2 1; do
		at 2026-01-0${k}T00:00:00.000Z -l INFO -c c -a "r$k"
		mv "$(logf $ID.log)" "$(logf $ID.log).$((6 - k))"
	done
	w -l INFO -c c -a live
	run -0 qmb-log show "$ID"
	[ "$(actions <<<"$output")" = live ]
	run -0 qmb-log show "$ID" --rotated
	[ "$(actions <<<"$output")" = 'r1 r2 r3 r4 r5 live' ]
	run -0 qmb-log show "$ID" --rotated -n 3
	[ "$(actions <<<"$output")" = 'r4 r5 live' ]
	run -0 qmb-log show "$ID" --rotated --until 2026-01-03
	[ "$(actions <<<"$output")" = 'r1 r2 r3' ]
	# only rotated files, no live one
	rm "$(logf $ID.log)"
	run -0 qmb-log show "$ID" --rotated -n 1
	[ "$(actions <<<"$output")" = r5 ]
}

@test "show --global: the global log; a bare show is the global log" {
	w -l WARN -c c -a warned
	run -0 qmb-log write -l INFO -c system -a sys
	run -0 --separate-stderr qmb-log show --global
	[ "$(actions <<<"$output")" = 'warned sys' ]
	run -0 --separate-stderr qmb-log show
	[ "$(actions <<<"$output")" = 'warned sys' ]
	run -2 --separate-stderr qmb-log show "$ID" --global
	[[ $stderr == *"one session id, or --global"* ]]
}

@test "show --pretty: one aligned line per entry, details as key=value" {
	QMB_NOW=2026-01-21T14:30:00.123Z w -l WARN -c script_builder \
	    -a table_generated -S B -d table=DIM_Customers -d fields=5 -d 'note=two words'
	w -l INFO -c c -a a
	run -0 --separate-stderr qmb-log show "$ID" --pretty
	[ -z "$stderr" ]
	assert_line -n 0 '2026-01-21T14:30:00.123Z WARN  B script_builder   table_generated      table=DIM_Customers fields=5 note="two words"'
	[[ ${lines[1]} =~ ^20[0-9-]{8}T[0-9:.]{12}Z\ INFO\ \ -\ c\ +a$ ]]
	# no colour without a terminal or with NO_COLOR
	run -1 grep -q $'\033' <<<"$output"
}

@test "show: on a terminal the output is pretty, --json keeps it raw" {
	command -v script >/dev/null || skip "script(1) is not installed"
	w -l ERROR -c c -a boom
	run -0 script -qec "qmb-log show $ID" /dev/null
	[[ $output == *"ERROR - c "*boom* ]]
	[[ $output != *'{"timestamp"'* ]]
	run -0 script -qec "qmb-log show $ID --json" /dev/null
	[[ $output == *'{"timestamp"'* ]]
	# colour on a terminal unless NO_COLOR
	run -0 env -u NO_COLOR script -qec "qmb-log show $ID" /dev/null
	[[ $output == *$'\033[31m'* ]]
}

# ---- show: bad lines, missing logs, hostile ids, links, huge lines --------

@test "show: torn and invalid lines are skipped with a warning and counted" {
	w -l INFO -c c -a first
	printf 'not json\n{"level":"INFO"\n[1,2]\n\n   \n' >>"$(logf $ID.log)"
	w -l INFO -c c -a second
	printf '{"timestamp":"2026-01-21T10:00:00Z","lev' >>"$(logf $ID.log)"
	run -0 --separate-stderr qmb-log show "$ID"
	[ "$(actions <<<"$output")" = 'first second' ]
	[[ $stderr == *"skipped invalid line 2 of '$ID.log'"* ]]
	[[ $stderr == *"skipped invalid line 3 of '$ID.log'"* ]]
	[[ $stderr == *"skipped invalid line 4 of '$ID.log': not a JSON object"* ]]
	[[ $stderr == *"skipped invalid line 8 of '$ID.log'"* ]]
	[[ ${stderr_lines[-1]} == "qmb-log: warning: skipped 4 invalid lines" ]]
	# a filter only looks at the lines that could match
	run -0 --separate-stderr qmb-log show "$ID" -a second
	[ "$(actions <<<"$output")" = second ]
	# -q: no warnings
	run -0 --separate-stderr qmb-log -q show "$ID"
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 2 ]
	# -n reads backwards and skips them too
	run -0 --separate-stderr qmb-log show "$ID" -n 5
	[ "$(actions <<<"$output")" = 'first second' ]
	[[ ${stderr_lines[-1]} == "qmb-log: warning: skipped 4 invalid lines" ]]
}

@test "show: a line with invalid UTF-8 or a duplicate key is skipped" {
	w -l INFO -c c -a good
	printf '{"level":"INFO","action":"bad\xff"}\n' >>"$(logf $ID.log)"
	printf '{"level":"INFO","action":"dup","action":"dup2"}\n' >>"$(logf $ID.log)"
	run -0 --separate-stderr qmb-log show "$ID"
	[ "$(actions <<<"$output")" = good ]
	[[ ${stderr_lines[-1]} == *"skipped 2 invalid lines" ]]
}

@test "show: an escaped value matches like jq sees it" {
	printf '%s\n' '{"level":"\u0045RROR","stage":"\u0043","component":"x\/y","action":"a1"}' \
	    '{"level":"ERROR","stage":"C","component":"x/y","action":"a2"}' \
	    '{"level":"INFO","stage":"C","details":{"level":"ERROR"},"action":"a3"}' \
	    >"$BATS_TEST_TMPDIR/in"
	mkdir -p "$QMB_PROJECT_DIR/.qmb/logs"
	chmod 700 "$QMB_PROJECT_DIR/.qmb" "$QMB_PROJECT_DIR/.qmb/logs"
	cp "$BATS_TEST_TMPDIR/in" "$(logf $ID.log)"
	run -0 qmb-log show "$ID" -l ERROR
	[ "$output" = "$(grep -E 'a1|a2' "$BATS_TEST_TMPDIR/in")" ]
	run -0 jq -r 'select(.level == "ERROR") | .action' "$BATS_TEST_TMPDIR/in"
	assert_output 'a1
a2'
	run -0 qmb-log show "$ID" -S C
	[ "$(actions <<<"$output")" = 'a1 a2 a3' ]
	run -0 qmb-log show "$ID" -c x/y
	[ "$(actions <<<"$output")" = 'a1 a2' ]
}

@test "show: a missing log is exit 3, an empty one prints nothing" {
	run -3 --separate-stderr qmb-log show "$ID"
	assert_output ''
	[[ $stderr == *"no log"* ]]
	run -3 --separate-stderr qmb-log show --global
	mkdir -p "$QMB_PROJECT_DIR/.qmb/logs"
	chmod 700 "$QMB_PROJECT_DIR/.qmb" "$QMB_PROJECT_DIR/.qmb/logs"
	: >"$(logf $ID.log)"
	chmod 600 "$(logf $ID.log)"
	run -0 --separate-stderr qmb-log show "$ID"
	assert_output ''
	[ -z "$stderr" ]
}

@test "hostile ids are usage errors, never paths" {
	local bad
	mkdir -p "$QMB_PROJECT_DIR/.qmb"
	for bad in '../etc/passwd' 'a/b' '.hidden' '-x' '' 'a b' 'é' \
	    "$(printf '%065d' 1)" 'a;rm' '..' 'x.log'; do
		run -2 --separate-stderr qmb-log show -- "$bad"
		assert_output ''
		[[ $stderr == *"invalid session id"* ]] || fail "show accepted '$bad': $stderr"
		run -2 --separate-stderr qmb-log write -s "$bad" -l INFO -c c -a a
		[[ $stderr == *"invalid session id"* ]] || fail "write accepted '$bad': $stderr"
	done
	run -0 find "$BATS_TEST_TMPDIR" -name '*.log'
	assert_output ''
	# the longest valid id works
	ID=$(printf 'a%063d' 1)
	w -l INFO -c c -a a
	run -0 qmb-log show "$ID"
	[ "${#lines[@]}" -eq 1 ]
}

@test "symlinks: a log replaced by a link is refused, read or written" {
	local victim=$BATS_TEST_TMPDIR/victim
	echo precious >"$victim"
	w -l INFO -c c -a a
	ln -sf "$victim" "$(logf $ID.log)"
	run -6 --separate-stderr qmb-log write -s "$ID" -l INFO -c c -a b
	assert_output ''
	[[ -n $stderr ]]
	run -6 --separate-stderr qmb-log show "$ID"
	assert_output ''
	[ "$(cat "$victim")" = precious ]
	# a rotated file that is a link stops --rotated too
	rm "$(logf $ID.log)"
	w -l INFO -c c -a c
	ln -s "$victim" "$(logf $ID.log).1"
	run -6 --separate-stderr qmb-log show "$ID" --rotated
	[[ $stderr == *"$ID.log.1"* ]]
	# .qmb/logs itself a link
	rm -rf "$QMB_PROJECT_DIR/.qmb/logs"
	mkdir "$BATS_TEST_TMPDIR/elsewhere"
	ln -s "$BATS_TEST_TMPDIR/elsewhere" "$QMB_PROJECT_DIR/.qmb/logs"
	run -6 --separate-stderr qmb-log write -s "$ID" -l INFO -c c -a d
	run -0 --separate-stderr ls -A "$BATS_TEST_TMPDIR/elsewhere"
	assert_output ''
}

@test "huge lines: a 2 MB line in a log is skipped, the lines around it shown" {
	w -l INFO -c c -a before
	{ printf '{"level":"INFO","action":"huge","x":"'
	  head -c 2200000 /dev/zero | tr '\0' y
	  printf '"}\n'; } >>"$(logf $ID.log)"
	w -l ERROR -c c -a after
	run -0 --separate-stderr qmb-log show "$ID"
	[ "$(actions <<<"$output")" = 'before after' ]
	[[ $stderr == *"line 2 of '$ID.log': line too long"* ]]
	run -0 --separate-stderr qmb-log show "$ID" -n 1
	[ "$(actions <<<"$output")" = after ]
	run -0 --separate-stderr qmb-log show "$ID" -n 5
	[ "$(actions <<<"$output")" = 'before after' ]
	[[ $stderr == *"line too long"* ]]
	run -0 --separate-stderr qmb-log show "$ID" -l ERROR
	[ "$(actions <<<"$output")" = after ]
}

@test "huge lines: a 100 KB line on --stdin is refused, the rest written" {
	{ echo '{"level":"INFO","component":"c","action":"ok1"}'
	  printf '{"level":"INFO","component":"c","action":"big","details":{"x":"'
	  head -c 100000 /dev/zero | tr '\0' z
	  printf '"}}\n'
	  echo '{"level":"INFO","component":"c","action":"ok2"}'; } >"$BATS_TEST_TMPDIR/in"
	run -2 --separate-stderr qmb-log write --stdin -s "$ID" <"$BATS_TEST_TMPDIR/in"
	[[ $stderr == *"line 2: "* ]]
	run -0 actions <"$(logf $ID.log)"
	assert_output 'ok1 ok2'
}

# ---- the seed's recipes --------------------------------------------------

@test "recipes: jq reads every log qmb writes, and qmb-log selects the same lines" {
	local f id
	new_session SalesModel
	approve_upto "$id" C
	ID=$id
	QMB_LOG_MAX_SIZE=2K QMB_LOG_KEEP=2 qmb-log write -s "$ID" -l ERROR -c c \
	    -a rotate_now --details '{"big":"'"$(head -c 2100 /dev/zero | tr '\0' r)"'"}'
	mixed_log
	qmb-log write -l WARN -c system -a disk_low -d 'path=C:\qvd'
	w -l ERROR -c c -a after_rotation -S C
	cd "$QMB_PROJECT_DIR"
	[ -s ".qmb/logs/$ID.log.1" ]
	for f in .qmb/logs/*.log .qmb/logs/*.log.[0-9] .qmb/audit/*.audit.json; do
		# cat FILE | jq .
		run -0 --separate-stderr bash -c "cat '$f' | jq ."
		[ -z "$stderr" ] || fail "jq . on $f: $stderr"
		# jq -c reproduces every line byte for byte
		run -0 bash -c "jq -c . '$f' | cmp - '$f'"
	done
	f=.qmb/logs/$ID.log
	# View all logs for a session
	run -0 bash -c "cat '$f' | jq -c ."
	[ "$output" = "$(qmb-log show "$ID")" ]
	# Filter by level
	run -0 bash -c "cat '$f' | jq -c 'select(.level == \"ERROR\")'"
	[ "${#lines[@]}" -ge 1 ]
	[ "$output" = "$(qmb-log show "$ID" -l ERROR)" ]
	# Filter by stage
	run -0 bash -c "cat '$f' | jq -c 'select(.stage == \"C\")'"
	[ "${#lines[@]}" -eq 5 ]
	[ "$output" = "$(qmb-log show "$ID" -S C)" ]
	# Last 10 entries
	run -0 bash -c "tail -10 '$f' | jq -c ."
	[ "${#lines[@]}" -eq 10 ]
	[ "$output" = "$(qmb-log show "$ID" -n 10)" ]
	# across the rotated files, the same with --rotated
	run -0 bash -c "cat '$f.1' '$f' | jq -c 'select(.stage == \"C\")'"
	[ "$output" = "$(qmb-log show "$ID" --rotated -S C)" ]
	# the global log
	run -0 bash -c "jq -c 'select(.level == \"WARN\" or .level == \"ERROR\")' .qmb/logs/qmb.log"
	[ "$output" = "$(qmb-log show --global -l WARN)" ]
}

# ---- common options ------------------------------------------------------

@test "options: --help, --version, unknown command and option, -C" {
	run -0 --separate-stderr qmb-log --help
	[[ $output == *"usage: qmb-log"* ]]
	[[ $output == *"--rotated"* ]]
	[ -z "$stderr" ]
	run -0 --separate-stderr qmb-log -V
	[[ $output =~ ^qmb-log\ [0-9] ]]
	run -2 --separate-stderr qmb-log frobnicate
	assert_output ''
	[[ $stderr == *"unknown command 'frobnicate'"* ]]
	run -2 --separate-stderr qmb-log show --frobnicate
	assert_output ''
	run -2 --separate-stderr qmb-log
	[[ $stderr == *usage* ]]
	run -2 --separate-stderr qmb-log --wait soon show
	[[ $stderr == *"invalid --wait"* ]]
	run -2 --separate-stderr qmb-log show a b
	[[ $stderr == *"one session id"* ]]
	run -2 --separate-stderr qmb-log show "$ID" -d k=v
	[[ $stderr == *"write options do not apply"* ]]
	# -C names the project; options after the command
	mkdir "$BATS_TEST_TMPDIR/other"
	run -0 qmb-log write -C "$BATS_TEST_TMPDIR/other" -s "$ID" -l INFO -c c -a elsewhere
	run -0 qmb-log show "$ID" -C "$BATS_TEST_TMPDIR/other"
	[ "$(actions <<<"$output")" = elsewhere ]
	[ ! -e "$(logf $ID.log)" ]
}

# ---- man page and completions --------------------------------------------

@test "docs: qmb-log.1 and the completions name every option and command of --help" {
	local o n c missing=
	for o in $(qmb-log --help | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
		n=${o#--}
		grep -qE -- "Fl -$n([^a-z-]|\$)" "$TOP/man/qmb-log.1" || missing="$missing man:$o"
		complete_bash qmb-log -- | grep -qx -- "$o" || missing="$missing bash:$o"
		complete_zsh qmb-log -- | grep -q -- "^$o:" || missing="$missing zsh:$o"
	done
	for c in write show; do
		grep -qE "^\.It Cm $c( |\$)" "$TOP/man/qmb-log.1" || missing="$missing man:$c"
		complete_bash qmb-log '' | grep -qx "$c" || missing="$missing bash:$c"
		complete_zsh qmb-log '' | grep -q "^$c:" || missing="$missing zsh:$c"
	done
	[ -z "$missing" ] || fail "missing:$missing"
	run -0 --separate-stderr sed -n 's/^\.Sh //p' "$TOP/man/qmb-log.1"
	assert_output "NAME
SYNOPSIS
DESCRIPTION
ENVIRONMENT
FILES
EXIT STATUS
EXAMPLES
SEE ALSO"
}

@test "completions: bash completes commands, ids, levels and stages of qmb-log" {
	local f=$TOP/completions/qmb.bash
	run -0 bash -n "$f"
	run -0 --separate-stderr complete_bash qmb-log ''
	assert_output $'write\nshow'
	w -l INFO -c c -a a
	qmb-log write -l INFO -c c -a a
	run -0 --separate-stderr complete_bash qmb-log show ''
	assert_output "$ID"
	run -0 --separate-stderr complete_bash qmb-log --json show -l W
	assert_output WARN
	run -0 --separate-stderr complete_bash qmb-log show --stage = ''
	assert_output $'A\nB\nC\nD\nE\nF'
	run -0 --separate-stderr complete_bash qmb-log show --rot
	assert_output --rotated
	run -0 --separate-stderr complete_bash qmb-log write -s "${ID:0:6}"
	assert_output "$ID"
	run -0 --separate-stderr bash --norc --noprofile -c '. "$1" && complete -p qmb-log' _ "$f"
	assert_output 'complete -F _qmb qmb-log'
}

@test "completions: zsh and fish accept theirs; fish completes qmb-log" {
	if command -v zsh >/dev/null; then
		run -0 --separate-stderr zsh -n "$TOP/completions/_qmb"
		[[ "$(head -1 "$TOP/completions/_qmb")" == '#compdef '*' qmb-log '* ]]
	fi
	command -v fish >/dev/null || skip "fish is not installed"
	w -l INFO -c c -a a
	run -0 --separate-stderr complete_fish "qmb-log sh" "qmb-log show " \
	    "qmb-log show -S "
	[ -z "$stderr" ]
	[ "${lines[0]%%$'\t'*}" = show ]
	[ "${lines[1]%%$'\t'*}" = "$ID" ]
	[ "$(printf '%s\n' "${lines[@]:2}" | cut -f1 | tr '\n' ' ')" = "A B C D E F " ]
}

@test "README: each recipe of the Logs table prints what its qmb-log form prints" {
	local rows recipe mine n=0
	rows=$(sed -n '/^## Logs$/,/^## /p' "$TOP/README.md" |
	    sed -n 's/^| `\(.*\)` | `\(.*\)` |$/\1\t\2/p' | sed 's/\\|/|/g')
	[ "$(printf '%s\n' "$rows" | wc -l)" -eq 4 ]
	new_session SalesModel
	approve_upto "$id" D
	ID=$id
	mixed_log
	cd "$QMB_PROJECT_DIR"
	while IFS=$'\t' read -r recipe mine; do
		n=$((n + 1))
		run -0 --separate-stderr env id="$id" bash -c "$recipe"
		[ -n "$output" ] && [ -z "$stderr" ] || fail "recipe $n: $recipe: $stderr"
		[ "$output" = "$(env id="$id" bash -c "$mine")" ] ||
			fail "recipe $n differs: $recipe / $mine"
	done <<<"$rows"
	[ "$n" -eq 4 ]
}
