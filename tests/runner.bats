#!/usr/bin/env bats
# tests/run.sh, the runner of make check: a result line per BATS file as
# it ends, with a count; the summary last; an interrupt stops everything.

load helper/common

# runner ARG...: tests/run.sh in a clean environment (a bats inside
# bats must not see the outer one's variables, nor its libexec folder
# first in PATH), two files at a time
PLAIN_PATH=$(tr ':' '\n' <<<"$PATH" | grep -v '/bats-core' | paste -sd: -)
runner() {
	env -i PATH="$PLAIN_PATH" HOME="$HOME" TMPDIR="$BATS_TEST_TMPDIR" \
	    QMB_TEST_JOBS=2 SLEEP_PID="$d/sleep.pid" sh "$TOP/tests/run.sh" "$@"
}

setup() {
	d=$BATS_TEST_TMPDIR
	printf '%s\n' '@test "one" { true; }' '@test "two" { false; }' \
	    '@test "three" { skip "not here"; }' >"$d/mixed.bats"
	printf '%s\n' '@test "a" { true; }' '@test "b" { true; }' >"$d/good.bats"
	# the sleep's pid goes to $SLEEP_PID, so the test sees it end
	printf '%s\n' '@test "slow" {' '	sleep 60 &' \
	    '	echo $! >"$SLEEP_PID"' '	wait' '}' >"$d/slow.bats"
}

@test "run.sh: a result line per file with a count, the summary last" {
	run --separate-stderr runner "$d/mixed.bats" "$d/good.bats"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "bats: 2 files, 2 at a time" ]
	grep -qE '^\[[12]/2\] mixed\.bats: 1 passed, 1 failed, 1 skipped \([0-9]+ s\)$' <<<"$output" ||
		fail "no result line for mixed.bats"
	grep -qE '^\[[12]/2\] good\.bats: 2 passed, 0 failed \([0-9]+ s\)$' <<<"$output" ||
		fail "no result line for good.bats"
	[ "$(grep -c '^\[1/2\] ' <<<"$output")" -eq 1 ]
	[ "$(grep -c '^\[2/2\] ' <<<"$output")" -eq 1 ]
	grep -qx '    not ok 2 two' <<<"$output" || fail "the failure is not shown"
	[ "${lines[-1]}" = "3 passed, 1 failed, 1 skipped" ]
	[ -z "$stderr" ]
	run --separate-stderr runner "$d/good.bats"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "bats: 1 file" ]
	[ "${lines[-1]}" = "2 passed, 0 failed" ]
}

@test "run.sh: a file that does not load counts as a failure" {
	printf '%s\n' '@test "cut" {' '	true' >"$d/broken.bats"
	run --separate-stderr runner "$d/broken.bats" "$d/good.bats"
	[ "$status" -eq 1 ]
	[ "${lines[-1]}" = "2 passed, 1 failed" ]
}

# interrupt SIGNAL STATUS: stop run.sh while slow.bats sleeps
interrupt() {
	local SLEEP_PID="$d/sleep.pid"
	# a background job of a shell without job control starts with SIGINT
	# ignored, and sh cannot trap it then: give it back its default
	python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])' env -i PATH="$PLAIN_PATH" HOME="$HOME" TMPDIR="$BATS_TEST_TMPDIR" \
	    SLEEP_PID="$SLEEP_PID" sh "$TOP/tests/run.sh" "$d/good.bats" "$d/slow.bats" \
	    >"$d/out" 2>"$d/err" &
	local pid=$! i=0 rc=0 sleeper
	while [ ! -s "$SLEEP_PID" ] && [ $i -lt 1200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	[ -s "$SLEEP_PID" ] || fail "slow.bats did not start"
	sleeper=$(cat "$SLEEP_PID")
	kill -0 "$sleeper" || fail "the sleep is not running"
	kill "-$1" "$pid"
	wait "$pid" || rc=$?
	[ "$rc" -eq "$2" ] || fail "run.sh exited $rc, not $2"
	i=0
	while kill -0 "$sleeper" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$sleeper" 2>/dev/null; then
		kill "$sleeper"
		fail "the test's sleep still runs"
	fi
	! grep -qE '^[0-9]+ passed, [0-9]+ failed' "$d/out" || fail "a summary was printed"
	grep -qx 'interrupted: no summary' "$d/err" || fail "no note on standard error"
}

@test "run.sh: Ctrl-C (INT) ends every test, prints no summary, exits 130" {
	interrupt INT 130
}

@test "run.sh: TERM ends every test, prints no summary, exits 143" {
	interrupt TERM 143
}
