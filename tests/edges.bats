#!/usr/bin/env bats
# Edge cases of issue 12 point 8: a closed or full standard output after a
# commit, an argument too long for a command line, a FIFO where a session
# file should be, qmb-mcp writing to a full disk, a change before
# initialize, one range for the number of rotated logs.

load helper/common

INIT='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bats","version":"1"}}}'

count_sessions() {
	find "$QMB_PROJECT_DIR/.qmb/sessions" -name '*.json' 2>/dev/null | wc -l
}

@test "stdout closed: new and approve commit, exit 0 and say the output was lost" {
	local sf
	run --separate-stderr sh -c 'qmb-session new SalesModel >&-'
	[ "$status" -eq 0 ]
	[[ $stderr == "qmb-session: warning: the change is saved, but standard output could not be written: Bad file descriptor" ]]
	[ "$(count_sessions)" -eq 1 ]
	id=$(qmb-session list --all --json | jq -r .session_id)
	sf=$(sess_file "$id")
	printf 'A_Table:\nLOAD 1;\n' >"$BATS_TEST_TMPDIR/pA"
	run --separate-stderr sh -c "qmb-session approve $id A $BATS_TEST_TMPDIR/pA >&-"
	[ "$status" -eq 0 ]
	[[ $stderr == *"the change is saved"* ]]
	[ "$(jq -c .completed_stages "$sf")" = '["A"]' ]
	# a full disk behind stdout: the same
	run --separate-stderr sh -c "qmb-session set-model $id star_schema >/dev/full"
	[ "$status" -eq 0 ]
	[[ $stderr == *"the change is saved, but standard output could not be written: No space left on device" ]]
	[ "$(jq -r .model_type "$sf")" = star_schema ]
	# the session file was never standard output
	jq -e . "$sf" >/dev/null
	# a command that only reads still fails: its output was the point
	run --separate-stderr sh -c "qmb-session show $id >&-"
	[ "$status" -eq 6 ]
	[[ $stderr == "qmb-session: write to standard output: Bad file descriptor" ]]
	run --separate-stderr sh -c "qmb-session export $id >/dev/full"
	[ "$status" -eq 6 ]
}

@test "stdout closed: a failed change is still exit 6" {
	new_session
	run --separate-stderr sh -c "QMB_FAULT=9:ENOSPC qmb-session set-model $id snowflake >&-"
	[ "$status" -eq 6 ]
	[[ $stderr == *"nothing was changed"* ]]
	[ "$(jq -r .model_type "$(sess_file "$id")")" = null ]
}

@test "qmb-mcp: a 1 MB project_name is a usage error, not exit 127" {
	local name
	name=$(head -c 1048576 /dev/zero | tr '\0' a)
	printf '%s\n' "$INIT" "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"qmb_start_session\",\"arguments\":{\"project_name\":\"$name\"}}}" \
	    >"$BATS_TEST_TMPDIR/in"
	run -0 --separate-stderr qmb-mcp <"$BATS_TEST_TMPDIR/in"
	local r
	r=$(sed -n 2p <<<"$output")
	[ "$(jq -r .result.isError <<<"$r")" = true ]
	[ "$(jq -r .result.structuredContent.exit_code <<<"$r")" = 2 ]
	[[ $(jq -r '.result.content[0].text' <<<"$r") == *"too long"* ]]
	[[ $(jq -r '.result.content[0].text' <<<"$r") != *"could not be run"* ]]
	[ "$(count_sessions)" -eq 0 ]
}

@test "a FIFO as session file: list and check agree, neither blocks" {
	new_session
	mkfifo "$QMB_PROJECT_DIR/.qmb/sessions/fifo1.json"
	run --separate-stderr timeout 10 qmb-session list --all
	[ "$status" -eq 0 ]
	[[ $output$stderr == *"1 damaged session"* ]]
	run --separate-stderr timeout 10 qmb-recover check --all
	[ "$status" -eq 1 ]
	[[ $output == *"fifo1"*"unreadable"*"not a regular file"* ]]
	[[ $output == *"2 sessions checked: 1 ok, 1 with findings"* ]]
	[ -z "$stderr" ]
	run --separate-stderr timeout 10 qmb-recover check fifo1
	[ "$status" -eq 1 ]
	# repair leaves what it cannot read alone
	run --separate-stderr timeout 10 qmb-recover repair --all
	[ -p "$QMB_PROJECT_DIR/.qmb/sessions/fifo1.json" ]
	[ -z "$(ls -A "$QMB_PROJECT_DIR/.qmb/corrupt" 2>/dev/null)" ]
}

@test "qmb-mcp >/dev/full: exit 6 with a message" {
	printf '%s\n' "$INIT" >"$BATS_TEST_TMPDIR/in"
	run --separate-stderr sh -c "qmb-mcp <'$BATS_TEST_TMPDIR/in' >/dev/full"
	[ "$status" -eq 6 ]
	[[ $stderr == "qmb-mcp: write to standard output: No space left on device" ]]
	run --separate-stderr sh -c "qmb-mcp <'$BATS_TEST_TMPDIR/in' >&-"
	[ "$status" -eq 6 ]
	[[ $stderr == *"standard output"* ]]
}

@test "qmb-mcp: a changing tools/call before initialize is refused" {
	printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"qmb_start_session","arguments":{"project_name":"Early"}}}' \
	    '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"qmb_list_sessions","arguments":{}}}' \
	    "$INIT" \
	    '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"qmb_start_session","arguments":{"project_name":"Later"}}}' \
	    >"$BATS_TEST_TMPDIR/in"
	run -0 --separate-stderr qmb-mcp <"$BATS_TEST_TMPDIR/in"
	[ "$(sed -n 1p <<<"$output" | jq -r .error.code)" = -32002 ]
	# reading is harmless
	[ "$(sed -n 2p <<<"$output" | jq -r .result.isError)" = false ]
	[ "$(sed -n 4p <<<"$output" | jq -r .result.isError)" = false ]
	[ "$(count_sessions)" -eq 1 ]
	[ "$(qmb-session list --all --json | jq -r .project_name)" = Later ]
}

@test "qmb-rotate --keep and log_keep take one range, 1 to 99" {
	new_session
	run -0 qmb-rotate --keep 50 --dry-run
	run -0 qmb-rotate --keep 99 --dry-run
	run -2 --separate-stderr qmb-rotate --keep 100 --dry-run
	[[ $stderr == *"--keep"*"1-99"* ]]
	run -2 --separate-stderr qmb-rotate --keep 0 --dry-run
	QMB_LOG_KEEP=50 run -0 qmb-rotate --dry-run
	QMB_LOG_KEEP=100 run -2 qmb-rotate --dry-run
}
