#!/usr/bin/env bats
# qmb-mcp at the protocol level: lines in, lines out.  Every reply is
# checked as text (ids echoed byte for byte) and with jq; after each broken
# input the server must answer the next message and exit 0 at EOF.

load helper/common

PING='{"jsonrpc":"2.0","id":99,"method":"ping"}'
PONG='{"jsonrpc":"2.0","id":99,"result":{}}'
INIT='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bats","version":"1"}}}'

# feed LINE...: run qmb-mcp with the lines (each ended by a newline)
feed() {
	printf '%s\n' "$@" >"$BATS_TEST_TMPDIR/in"
	run --separate-stderr qmb-mcp <"$BATS_TEST_TMPDIR/in"
}

# feed_raw FORMAT: run qmb-mcp with printf FORMAT's bytes as input
feed_raw() {
	# shellcheck disable=SC2059 # the format is the input, on purpose
	printf "$1" >"$BATS_TEST_TMPDIR/in"
	run --separate-stderr qmb-mcp <"$BATS_TEST_TMPDIR/in"
}

# protocol_only: every stdout line is one JSON-RPC 2.0 response
protocol_only() {
	local n ok
	n=$(printf '%s\n' "$output" | grep -c '')
	ok=$(printf '%s\n' "$output" | jq -c 'select(.jsonrpc == "2.0" and
	    has("id") and ((.result != null) != (.error != null)))' | grep -c '')
	[ "$n" -eq "$ok" ] || {
		echo "non-protocol output: $output" >&2
		return 1
	}
}

# line N: the Nth reply line
line() { printf '%s\n' "$output" | sed -n "${1}p"; }

# error_of N CODE: reply N is an error with CODE and id null
null_error() {
	[ "$(line "$1" | jq -c '[.id, .error.code]')" = "[null,$2]" ]
}

@test "qmb-mcp: malformed JSON is -32700 with id null, then it serves on" {
	feed '{"jsonrpc":"2.0","id":1,"method":"ping"' '{"jsonrpc":' 'nope' \
		'{"a":1,}' '"unterminated' "$PING"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 6 ]
	for i in 1 2 3 4 5; do null_error "$i" -32700; done
	line 1 | jq -e '.error.message | startswith("Parse error")'
	[ "$(line 6)" = "$PONG" ]
	protocol_only
	[ "$stderr" = "" ]
}

@test "qmb-mcp: ids of the wrong type are -32600 with id null" {
	feed '{"jsonrpc":"2.0","id":{},"method":"ping"}' \
		'{"jsonrpc":"2.0","id":1.5,"method":"ping"}' \
		'{"jsonrpc":"2.0","id":null,"method":"ping"}' \
		'{"jsonrpc":"2.0","id":[1],"method":"ping"}' \
		'{"jsonrpc":"2.0","id":true,"method":"ping"}' \
		'{"jsonrpc":"2.0","id":1e3,"method":"ping"}' "$PING"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 7 ]
	for i in 1 2 3 4 5 6; do null_error "$i" -32600; done
	[ "$(line 6 | jq -r .error.message)" = \
		"Invalid Request: id must be a string or an integer" ]
	[ "$(line 7)" = "$PONG" ]
	protocol_only
}

@test "qmb-mcp: notifications are never answered" {
	feed '{"jsonrpc":"2.0","method":"notifications/initialized"}' \
		'{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":3}}' \
		'{"jsonrpc":"2.0","method":"ping"}' \
		'{"jsonrpc":"2.0","method":"no/such/method"}' \
		'{"jsonrpc":"2.0","method":"tools/call","params":{"name":"qmb_health"}}' \
		'{"jsonrpc":"2.0","method":"tools/list","params":{"cursor":"bad"}}' \
		"$PING"
	[ "$status" -eq 0 ]
	[ "$output" = "$PONG" ]
}

@test "qmb-mcp: id 0, negative, large and string ids are echoed exactly" {
	feed '{"jsonrpc":"2.0","id":0,"method":"ping"}' \
		'{"jsonrpc":"2.0","id":-7,"method":"ping"}' \
		'{"jsonrpc":"2.0","id":12345678901234567890,"method":"ping"}' \
		'{"jsonrpc":"2.0","id":"","method":"ping"}' \
		'{"jsonrpc":"2.0","id":"a\"b\\c","method":"ping"}' \
		'{"jsonrpc":"2.0","id":"0","method":"ping"}' \
		'{"method":"ping","id":"Ω-1","jsonrpc":"2.0"}' \
		'{"jsonrpc":"2.0","id":5,"method":"nope"}'
	[ "$status" -eq 0 ]
	[ "$(line 1)" = '{"jsonrpc":"2.0","id":0,"result":{}}' ]
	[ "$(line 2)" = '{"jsonrpc":"2.0","id":-7,"result":{}}' ]
	[ "$(line 3)" = '{"jsonrpc":"2.0","id":12345678901234567890,"result":{}}' ]
	[ "$(line 4)" = '{"jsonrpc":"2.0","id":"","result":{}}' ]
	[ "$(line 5)" = '{"jsonrpc":"2.0","id":"a\"b\\c","result":{}}' ]
	[ "$(line 6)" = '{"jsonrpc":"2.0","id":"0","result":{}}' ]
	[ "$(line 7)" = '{"jsonrpc":"2.0","id":"Ω-1","result":{}}' ]
	[ "$(line 8 | jq -c '[.id, .error.code]')" = '[5,-32601]' ]
}

@test "qmb-mcp: a wrong jsonrpc version, no method or bad params is -32600" {
	feed '{"jsonrpc":"1.0"}' '{"jsonrpc":"1.0","id":4,"method":"ping"}' \
		'{"id":5,"method":"ping"}' '{"jsonrpc":"2.0","id":6}' \
		'{"jsonrpc":"2.0","id":7,"method":7}' \
		'{"jsonrpc":"2.0","id":8,"method":"ping","params":3}' '42' '"x"' \
		'null' "$PING"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 10 ]
	null_error 1 -32600
	[ "$(line 1 | jq -r .error.message)" = \
		'Invalid Request: jsonrpc must be "2.0"' ]
	# the id is kept when it is a valid one
	for i in 2 3 4 5 6; do
		[ "$(line "$i" | jq -c '[.id, .error.code]')" = "[$((i + 2)),-32600]" ]
	done
	for i in 7 8 9; do null_error "$i" -32600; done
	[ "$(line 10)" = "$PONG" ]
	protocol_only
}

@test "qmb-mcp: batches are -32600 and none of their members runs" {
	feed '[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":2,"method":"ping"}]' \
		'[]' '[{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"qmb_start_session","arguments":{"project_name":"Batch"}}}]' \
		"$PING"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	for i in 1 2 3; do null_error "$i" -32600; done
	[ "$(line 1 | jq -r .error.message)" = \
		"Invalid Request: batches are not supported" ]
	[ "$(line 4)" = "$PONG" ]
	[ ! -d "$QMB_PROJECT_DIR/.qmb/sessions" ]
}

@test "qmb-mcp: unknown methods and server/discover are -32601, then initialize works" {
	feed '{"jsonrpc":"2.0","id":1,"method":"server/discover"}' \
		'{"jsonrpc":"2.0","id":2,"method":"resources/subscribe"}' \
		'{"jsonrpc":"2.0","id":3,"method":"logging/setLevel","params":{}}' \
		'{"jsonrpc":"2.0","id":4,"method":""}' \
		"$INIT" '{"jsonrpc":"2.0","method":"notifications/initialized"}' \
		'{"jsonrpc":"2.0","id":5,"method":"tools/list"}'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 6 ]
	for i in 1 2 3 4; do
		[ "$(line "$i" | jq -c '[.id, .error.code]')" = "[$i,-32601]" ]
	done
	[ "$(line 1 | jq -r .error.message)" = "Method not found: server/discover" ]
	[ "$(line 5 | jq -r .result.protocolVersion)" = "2025-11-25" ]
	[ "$(line 5 | jq -r .result.serverInfo.name)" = "qmb" ]
	line 5 | jq -e '.result.capabilities.tools | type == "object"'
	[ "$(line 6 | jq '.result.tools | length')" -eq 23 ]
}

@test "qmb-mcp: initialize negotiates the protocol version" {
	init() {
		printf '{"jsonrpc":"2.0","id":%s,"method":"initialize","params":{"protocolVersion":%s,"capabilities":{}}}' "$1" "$2"
	}
	feed "$(init 1 '"2025-11-25"')" "$(init 2 '"2025-06-18"')" \
		"$(init 3 '"2025-03-26"')" "$(init 4 '"2024-11-05"')" \
		"$(init 5 '"9999-01-01"')" "$(init 6 '""')" \
		'{"jsonrpc":"2.0","id":7,"method":"initialize","params":{}}' \
		'{"jsonrpc":"2.0","id":8,"method":"initialize"}'
	[ "$status" -eq 0 ]
	[ "$(line 1 | jq -r .result.protocolVersion)" = 2025-11-25 ]
	[ "$(line 2 | jq -r .result.protocolVersion)" = 2025-06-18 ]
	for i in 3 4 5 6; do
		[ "$(line "$i" | jq -r .result.protocolVersion)" = 2025-11-25 ]
	done
	[ "$(line 7 | jq -c '[.id, .error.code]')" = '[7,-32602]' ]
	[ "$(line 8 | jq -c '[.id, .error.code]')" = '[8,-32602]' ]
}

@test "qmb-mcp: ping answers before initialize" {
	feed "$PING" "$INIT" "$PING"
	[ "$status" -eq 0 ]
	[ "$(line 1)" = "$PONG" ]
	[ "$(line 3)" = "$PONG" ]
}

@test "qmb-mcp: tools/list lists every tool; a cursor is -32602" {
	feed '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' \
		'{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"cursor":"abc"}}' \
		'{"jsonrpc":"2.0","id":3,"method":"tools/list","params":{"cursor":""}}' \
		'{"jsonrpc":"2.0","id":4,"method":"tools/list","params":{}}'
	[ "$status" -eq 0 ]
	[ "$(line 1 | jq -r '.result.tools[].name' | sort | tr '\n' ' ')" = \
		"qmb_append_audit qmb_approve_stage qmb_archive_session qmb_bypass_review qmb_check_sessions qmb_complete_session qmb_export_session qmb_get_script qmb_health qmb_import_session qmb_list_sessions qmb_read_log qmb_recover_session qmb_request_review qmb_resume_session qmb_revert_stage qmb_rotate_logs qmb_session_status qmb_set_model_type qmb_start_session qmb_update_tables qmb_verify_audit qmb_write_log " ]
	line 1 | jq -e '.result | has("nextCursor") | not'
	[ "$(line 2 | jq -c '[.id, .error.code]')" = '[2,-32602]' ]
	[ "$(line 3 | jq -c '[.id, .error.code]')" = '[3,-32602]' ]
	[ "$(line 4 | jq '.result.tools | length')" -eq 23 ]
}

@test "qmb-mcp: tools/call of an unknown tool or without a name is -32602" {
	feed '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"qmb_nope","arguments":{}}}' \
		'{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"arguments":{}}}' \
		'{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":7}}' \
		'{"jsonrpc":"2.0","id":4,"method":"tools/call"}' \
		'{"jsonrpc":"2.0","id":5,"method":"tools/call","params":["qmb_health"]}'
	[ "$status" -eq 0 ]
	for i in 1 2 3 4 5; do
		[ "$(line "$i" | jq -c '[.id, .error.code]')" = "[$i,-32602]" ]
	done
	[ "$(line 1 | jq -r .error.message)" = "Invalid params: unknown tool 'qmb_nope'" ]
}

@test "qmb-mcp: bad tool arguments are -32602 and run nothing" {
	call() {
		printf '{"jsonrpc":"2.0","id":%s,"method":"tools/call","params":{"name":"%s","arguments":%s}}' "$1" "$2" "$3"
	}
	feed "$(call 1 qmb_start_session '{"project_name":"P","colour":"red"}')" \
		"$(call 2 qmb_start_session '{}')" \
		"$(call 3 qmb_start_session '{"project_name":7}')" \
		"$(call 4 qmb_start_session '{"project_name":"P","mode":"maybe"}')" \
		"$(call 5 qmb_complete_session '{"session_id":"x","min_score":-1}')" \
		"$(call 6 qmb_complete_session '{"session_id":"x","min_score":1.5}')" \
		"$(call 7 qmb_recover_session '{"session_id":"x","dry_run":"yes"}')" \
		"$(call 8 qmb_update_tables '{"session_id":"x","tables":{"move":["T"]}}')" \
		"$(call 9 qmb_update_tables '{"session_id":"x","tables":{"add":[1]}}')" \
		"$(call 10 qmb_update_tables '{"session_id":"x","tables":{}}')" \
		"$(call 11 qmb_health '[]')" \
		"$(call 12 qmb_health '"x"')" \
		"$(call 13 qmb_revert_stage '{"session_id":"x","stage":"a"}')"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 13 ]
	for i in $(seq 1 13); do
		[ "$(line "$i" | jq -c '[.id, .error.code]')" = "[$i,-32602]" ]
	done
	[ "$(line 1 | jq -r .error.message)" = \
		"Invalid params: qmb_start_session takes no argument 'colour'" ]
	[ "$(line 2 | jq -r .error.message)" = \
		"Invalid params: qmb_start_session needs 'project_name'" ]
	[ "$(line 3 | jq -r .error.message)" = \
		"Invalid params: 'project_name' of qmb_start_session must be a string" ]
	[ "$(line 4 | jq -r .error.message)" = \
		"Invalid params: 'mode' of qmb_start_session must be one of ask, resume, new" ]
	[ "$(line 13 | jq -r .error.message)" = \
		"Invalid params: 'stage' of qmb_revert_stage must be one of A, B, C, D, E, F" ]
	[ ! -d "$QMB_PROJECT_DIR/.qmb/sessions" ]
}

@test "qmb-mcp: a line above QMB_MCP_MAX_LINE is refused, the next one served" {
	local big
	export QMB_MCP_MAX_LINE=4096
	big=$(printf '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"%s"}}' \
		"$(head -c 5000 /dev/zero | tr '\0' x)")
	fits=$(printf '{"jsonrpc":"2.0","id":2,"method":"ping","params":{"pad":"%s"}}' \
		"$(head -c 3000 /dev/zero | tr '\0' x)")
	huge=$(head -c 300000 /dev/zero | tr '\0' '[')
	feed "$big" "$PING" "$fits" "$huge" "$big" "$PING"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 6 ]
	null_error 1 -32600
	[ "$(line 1 | jq -r .error.message)" = \
		"Invalid Request: message longer than 4096 bytes (QMB_MCP_MAX_LINE)" ]
	[ "$(line 2)" = "$PONG" ]
	[ "$(line 3)" = '{"jsonrpc":"2.0","id":2,"result":{}}' ]
	null_error 4 -32600
	null_error 5 -32600
	[ "$(line 6)" = "$PONG" ]
}

@test "qmb-mcp: a line at EOF without a newline is answered, then it exits 0" {
	feed_raw '{"jsonrpc":"2.0","id":1,"method":"ping"}\n{"jsonrpc":"2.0","id":2,"method":"ping"}'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' '{"jsonrpc":"2.0","id":1,"result":{}}' '{"jsonrpc":"2.0","id":2,"result":{}}')" ]
	feed_raw '{"jsonrpc":"2.0","id":1,"method":"ping"}\n{"jsonrpc":"2.0","id":2,"meth'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	null_error 2 -32700
	feed_raw ''
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$stderr" = "" ]
}

@test "qmb-mcp: garbage bytes, invalid UTF-8 and NUL bytes are -32700" {
	feed_raw '\377\376\375\n\200abc\n{"jsonrpc":"2.0","id":"\300\257","method":"ping"}\n{"jsonrpc":"2.0","id":1,\000"method":"ping"}\n\000\n\033[2J\n{"jsonrpc":"2.0","id":99,"method":"ping"}\n'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 7 ]
	for i in 1 2 3 4 5 6; do null_error "$i" -32700; done
	[ "$(line 7)" = "$PONG" ]
	protocol_only
}

@test "qmb-mcp: blank lines and CRLF line ends are fine" {
	feed_raw '\n   \n\t\r\n{"jsonrpc":"2.0","id":1,"method":"ping"}\r\n  {"jsonrpc":"2.0","id":2,"method":"ping"}  \n'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' '{"jsonrpc":"2.0","id":1,"result":{}}' '{"jsonrpc":"2.0","id":2,"result":{}}')" ]
}

@test "qmb-mcp: stdout holds only protocol lines, also when tools fail" {
	call() {
		printf '{"jsonrpc":"2.0","id":%s,"method":"tools/call","params":{"name":"%s","arguments":%s}}' "$1" "$2" "$3"
	}
	feed "$INIT" "$(call 2 qmb_start_session '{"project_name":"Sales"}')" \
		"$(call 3 qmb_session_status '{"session_id":"nope"}')" \
		"$(call 4 qmb_session_status '{"session_id":"../etc"}')" \
		"$(call 5 qmb_list_sessions '{}')" \
		"$(call 6 qmb_read_log '{"session_id":"nope"}')" 'garbage' "$PING"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 8 ]
	protocol_only
	[ "$(line 2 | jq -r .result.isError)" = false ]
	[ "$(line 3 | jq -c '.result | [.isError, .structuredContent.exit_code]')" = '[true,3]' ]
	[ "$(line 4 | jq -c '.result | [.isError, .structuredContent.exit_code]')" = '[true,2]' ]
	[ "$(line 5 | jq -r .result.structuredContent.count)" = 1 ]
	[ "$stderr" = "" ]
}

@test "qmb-mcp: a broken stdout ends it quietly, a closed one is an error" {
	local n=0
	while [ $n -lt 3000 ]; do
		printf '%s\n' "$PING"
		n=$((n + 1))
	done >"$BATS_TEST_TMPDIR/pings"
	run bash -c 'qmb-mcp <"$1" | head -c 10 >/dev/null; echo "${PIPESTATUS[0]}"' _ \
		"$BATS_TEST_TMPDIR/pings"
	[ "$status" -eq 0 ]
	[ "$output" = 0 ]
	# with nowhere to answer from the start it says so (issue 12)
	run -6 --separate-stderr bash -c 'qmb-mcp <"$1" >&-' _ "$BATS_TEST_TMPDIR/pings"
	[[ $stderr == "qmb-mcp: standard output is closed"* ]]
}

@test "qmb-mcp: -v names each method on stderr; options and usage" {
	feed "$PING" 'x'
	[ "$stderr" = "" ]
	printf '%s\n' "$PING" 'x' >"$BATS_TEST_TMPDIR/in"
	run -0 --separate-stderr qmb-mcp -v <"$BATS_TEST_TMPDIR/in"
	[ "$output" = "$(printf '%s\n' "$PONG" | head -1)
$(sed -n 2p <<<"$output")" ]
	[ "$stderr" = "$(printf 'qmb-mcp: ping\nqmb-mcp: (not a valid message)')" ]
	run -0 --separate-stderr qmb-mcp --version
	[[ "$output" == *qmb-mcp* ]]
	run -0 --separate-stderr qmb-mcp --help
	[[ "$output" == *"claude mcp add qmb -- qmb-mcp -C"* ]]
	run -2 --separate-stderr qmb-mcp --bogus
	[ "$output" = "" ]
	[[ "$stderr" == *"usage: qmb-mcp"* ]]
	run -2 --separate-stderr qmb-mcp extra
	[[ "$stderr" == *"usage: qmb-mcp"* ]]
}

@test "qmb-mcp: -C names the project for every tool" {
	local other="$BATS_TEST_TMPDIR/other"
	mkdir "$other"
	printf '%s\n' "$INIT" '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"qmb_start_session","arguments":{"project_name":"Elsewhere"}}}' \
		>"$BATS_TEST_TMPDIR/in"
	run -0 --separate-stderr qmb-mcp -C "$other" <"$BATS_TEST_TMPDIR/in"
	[ "$(sed -n 2p <<<"$output" | jq -r .result.isError)" = false ]
	[ "$(find "$other/.qmb/sessions" -name '*.json' | wc -l)" -eq 1 ]
	[ ! -d "$QMB_PROJECT_DIR/.qmb/sessions" ]
}

@test "qmb-mcp: arguments that look like options stay operands" {
	call() {
		printf '{"jsonrpc":"2.0","id":%s,"method":"tools/call","params":{"name":"%s","arguments":%s}}' "$1" "$2" "$3"
	}
	local other="$BATS_TEST_TMPDIR/other"
	mkdir "$other"
	feed "$INIT" "$(call 1 qmb_start_session "{\"project_name\":\"-C$other\"}")" \
		"$(call 2 qmb_session_status "{\"session_id\":\"--directory=$other\"}")" \
		"$(call 3 qmb_verify_audit '{"session_id":"--all"}')"
	[ "$status" -eq 0 ]
	[ "$(line 2 | jq -r .result.structuredContent.session.project_name)" = "-C$other" ]
	[ "$(line 3 | jq -c '.result | [.isError, .structuredContent.exit_code]')" = '[true,2]' ]
	[[ "$(line 3 | jq -r '.result.content[0].text')" == "qmb-session: invalid session id"* ]]
	[ "$(line 4 | jq -c '.result | [.isError, .structuredContent.exit_code]')" = '[true,2]' ]
	[ ! -e "$other/.qmb" ]
}

@test "qmb-mcp -C with a missing folder: exit 3 at start, nothing on stdout" {
	run -3 --separate-stderr qmb-mcp -C "$BATS_TEST_TMPDIR/nowhere" </dev/null
	assert_output ''
	[[ $stderr == "qmb-mcp: project folder '$BATS_TEST_TMPDIR/nowhere': No such file or directory" ]]
}

@test "qmb-mcp: capabilities per protocol version; 2025-11-25 adds a description and icons" {
	init() {
		printf '{"jsonrpc":"2.0","id":%s,"method":"initialize","params":{"protocolVersion":"%s","capabilities":{}}}' "$1" "$2"
	}
	feed "$(init 1 2025-11-25)" "$(init 2 2025-06-18)" "$(init 3 2024-11-05)"
	[ "$status" -eq 0 ]
	for i in 1 2 3; do
		[ "$(line "$i" | jq -c '.result.capabilities')" = \
			'{"tools":{"listChanged":false},"prompts":{"listChanged":false},"resources":{"subscribe":false,"listChanged":false},"completions":{}}' ]
	done
	line 1 | jq -e '.result.serverInfo | (.description | length > 20) and (.icons[0].mimeType == "image/svg+xml")'
	line 2 | jq -e '.result.serverInfo | has("description") or has("icons") | not'
	line 2 | jq -e '.result.serverInfo.title | length > 0'
	line 3 | jq -e '.result.protocolVersion == "2025-11-25" and (.result.serverInfo | has("icons"))'
}

# call ID TOOL ARGS [TOKEN]: a tools/call line, with a progress token if given
call() {
	if [ -n "${4:-}" ]; then
		printf '{"jsonrpc":"2.0","id":%s,"method":"tools/call","params":{"name":"%s","arguments":%s,"_meta":{"progressToken":%s}}}' "$1" "$2" "$3" "$4"
	else
		printf '{"jsonrpc":"2.0","id":%s,"method":"tools/call","params":{"name":"%s","arguments":%s}}' "$1" "$2" "$3"
	fi
}

@test "qmb-mcp: repair --all reports a session at a time to a call with a progressToken" {
	new_session A && new_session B && new_session C
	feed "$INIT" "$(call 2 qmb_recover_session '{"all":true,"dry_run":true}' '"p-1"')" \
		"$(call 3 qmb_recover_session '{"all":true,"dry_run":true}')" \
		"$(call 4 qmb_recover_session '{"all":true}' 7)"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | jq -c 'select(.method == "notifications/progress") | .params' >"$BATS_TEST_TMPDIR/p"
	# the first run's three (the second, for the words, repeats them: not sent again)
	[ "$(jq -c 'select(.progressToken == "p-1") | [.progress, .total]' "$BATS_TEST_TMPDIR/p" | tr '\n' ' ')" = \
		'[1,3] [2,3] [3,3] ' ]
	[ "$(jq -r 'select(.progressToken == "p-1") | .message' "$BATS_TEST_TMPDIR/p" |
		grep -cE '^session [1-3] of 3: [0-9a-f-]{36}$')" -eq 3 ]
	# an integer token is echoed as an integer; no token, no notification
	[ "$(jq -c 'select(.progressToken == 7) | .progress' "$BATS_TEST_TMPDIR/p" | tr '\n' ' ')" = '1 2 3 ' ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/p")" -eq 6 ]
	# the notifications of a call come before its answer
	[ "$(printf '%s\n' "$output" | jq -r 'if .method then "n" else (.id | tostring) end' | tr -d '\n')" = 1nnn23nnn4 ]
}

@test "qmb-mcp: rotate --retention reports each action as progress" {
	new_session Small
	log=$(log_file "$id")
	for i in 1 2 3 4 5 6; do cat "$log" "$log" >"$log.x" && mv "$log.x" "$log"; done
	QMB_LOG_MAX_SIZE=1K feed "$INIT" "$(call 2 qmb_rotate_logs '{"retention":true}' '"r"')"
	[ "$status" -eq 0 ]
	line 2 | jq -e '.method == "notifications/progress" and .params.progress == 1 and (.params.message | test("rotated .*\\.qmb/logs/"))'
	line 3 | jq -e '.id == 2 and .result.structuredContent.acted == true'
}

@test "qmb-mcp: a request cancelled before its turn is never run nor answered" {
	new_session S
	feed "$INIT" \
		"$(call 2 qmb_write_log "{\"session_id\":\"$id\",\"level\":\"INFO\",\"component\":\"t\",\"action\":\"never\"}")" \
		'{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":2,"reason":"no"}}' \
		'{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"not-sent"}}' \
		"$(call 3 qmb_write_log "{\"session_id\":\"$id\",\"level\":\"INFO\",\"component\":\"t\",\"action\":\"ran\"}")"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "$(line 2 | jq .id)" = 3 ]
	run -0 qmb-log show "$id" --json -c t
	[ "$(jq -r .action <<<"$output")" = ran ]
}

@test "qmb-mcp: prompts/list and prompts/get (resume, review, recover); errors" {
	new_session SalesModel
	approve_upto "$id" B
	get() { printf '{"jsonrpc":"2.0","id":%s,"method":"prompts/get","params":{"name":"%s","arguments":%s}}' "$1" "$2" "$3"; }
	feed '{"jsonrpc":"2.0","id":1,"method":"prompts/list"}' \
		"$(get 2 resume '{"project":"SalesModel"}')" "$(get 3 resume '{}')" \
		"$(get 4 resume '{"project":"Nothing"}')" "$(get 5 review "{\"session\":\"$id\"}")" \
		"$(get 6 recover "{\"session\":\"$id\"}")" "$(get 7 review '{}')" \
		"$(get 8 nope '{}')" "$(get 9 review '{"session":"nope"}')" \
		"$(get 10 review "{\"session\":\"$id\",\"x\":\"1\"}")"
	[ "$status" -eq 0 ]
	[ "$(line 1 | jq -c '[.result.prompts[] | [.name, .arguments[0].name, .arguments[0].required]]')" = \
		'[["resume","project",false],["review","session",true],["recover","session",true]]' ]
	line 2 | jq -e '.result.messages[0] | .role == "user" and .content.type == "text"'
	text=$(line 2 | jq -r '.result.messages[0].content.text')
	[[ $text == *"[Continue] [Start over] [View saved]"* ]]
	[[ $text == *"Progress: Stage C (2/6 done)"* ]]
	[[ $text == *'project_name "SalesModel" and mode "resume"'* ]]
	# one unfinished session: the same conversation without a project
	[ "$(line 3 | jq -r '.result.messages[0].content.text')" = "$text" ]
	[[ $(line 4 | jq -r '.result.messages[0].content.text') == *"nothing unfinished is saved"* ]]
	text=$(line 5 | jq -r '.result.messages[0].content.text')
	[[ $text == *"qmb_request_review with session_id \"$id\""* ]]
	[[ $text == *"critical first"* ]]
	text=$(line 6 | jq -r '.result.messages[0].content.text')
	[[ $text == *"is healthy: nothing to repair"* ]]
	[[ $text == *"ask the user before repairing"* ]]
	[ "$(line 7 | jq -c '[.id, .error.code]')" = '[7,-32602]' ]
	[ "$(line 8 | jq -c '[.id, .error.code]')" = '[8,-32602]' ]
	[ "$(line 9 | jq -c '[.id, .error.code]')" = '[9,-32602]' ]
	[[ $(line 9 | jq -r .error.message) == "qmb-session: "*"(exit 3: not found)" ]]
	[ "$(line 10 | jq -c '[.id, .error.code]')" = '[10,-32602]' ]
	# two unfinished sessions: the list, and a question which one
	new_session Other
	feed "$(get 1 resume '{}')"
	[[ $(line 1 | jq -r '.result.messages[0].content.text') == *"Found 2 saved sessions"*"which one to continue"* ]]
}

@test "qmb-mcp: resources/list pages through the sessions with a cursor" {
	for i in $(seq 1 53); do qmb-session new "P$i" >/dev/null; done
	list() { printf '{"jsonrpc":"2.0","id":%s,"method":"resources/list","params":%s}' "$1" "$2"; }
	feed "$(list 1 '{}')" "$(list 2 '{"cursor":"sessions:50"}')" \
		"$(list 3 '{"cursor":"bogus"}')" "$(list 4 '{"cursor":"sessions:53"}')"
	[ "$status" -eq 0 ]
	[ "$(line 1 | jq '.result.resources | length')" -eq 52 ]
	[ "$(line 1 | jq -r '.result.resources[0:2][] | .uri' | tr '\n' ' ')" = 'qmb://sessions qmb://health ' ]
	[ "$(line 1 | jq -r .result.nextCursor)" = sessions:50 ]
	line 1 | jq -e '[.result.resources[2:][] | .uri | test("^qmb://sessions/[0-9a-f-]{36}$")] | all'
	line 1 | jq -e '.result.resources[2].name | test("^P53 \\(.*, Stage A\\)$")'
	[ "$(line 2 | jq '.result.resources | length')" -eq 3 ]
	line 2 | jq -e '.result | has("nextCursor") | not'
	[ "$(line 3 | jq -c '[.id, .error.code]')" = '[3,-32602]' ]
	[ "$(line 4 | jq -c '[.id, .error.code]')" = '[4,-32602]' ]
}

@test "qmb-mcp: templates, and resources/read of the list, a state, a script, a trail, health" {
	new_session SalesModel
	approve_upto "$id" B
	read_() { printf '{"jsonrpc":"2.0","id":%s,"method":"resources/read","params":{"uri":"%s"}}' "$1" "$2"; }
	feed '{"jsonrpc":"2.0","id":1,"method":"resources/templates/list"}' \
		"$(read_ 2 qmb://sessions)" "$(read_ 3 "qmb://sessions/$id")" \
		"$(read_ 4 "qmb://sessions/$id/script")" "$(read_ 5 "qmb://sessions/$id/audit")" \
		"$(read_ 6 qmb://health)" "$(read_ 7 qmb://sessions/nope)" \
		"$(read_ 8 "qmb://sessions/$id/other")" "$(read_ 9 https://example.org/)" \
		'{"jsonrpc":"2.0","id":10,"method":"resources/read","params":{}}'
	[ "$status" -eq 0 ]
	[ "$(line 1 | jq -c '[.result.resourceTemplates[] | [.uriTemplate, .mimeType]]')" = \
		'[["qmb://sessions/{id}","application/json"],["qmb://sessions/{id}/script","text/x-qlik-script"],["qmb://sessions/{id}/audit","application/jsonl"]]' ]
	[ "$(line 2 | jq -r '.result.contents[0].text')" = "$(qmb-session list --all)" ]
	[ "$(line 3 | jq -r '.result.contents[0] | .uri, .mimeType' | tr '\n' ' ')" = "qmb://sessions/$id application/json " ]
	[ "$(line 3 | jq -r '.result.contents[0].text' | jq -c .)" = "$(qmb-session export "$id" | jq -c .)" ]
	[ "$(line 4 | jq -r '.result.contents[0].text')" = "$(qmb-session script "$id")" ]
	[ "$(line 5 | jq -r '.result.contents[0].text')" = "$(qmb-audit show "$id" --json)" ]
	[[ $(line 6 | jq -r '.result.contents[0].text') == "CHECK "*"disk space"* ]]
	[ "$(line 7 | jq -c '[.id, .error.code]')" = '[7,-32002]' ]
	[[ $(line 7 | jq -r .error.message) == *"(exit 3: not found)" ]]
	[ "$(line 8 | jq -c '[.id, .error.code]')" = '[8,-32002]' ]
	[ "$(line 9 | jq -c '[.id, .error.code]')" = '[9,-32002]' ]
	[ "$(line 10 | jq -c '[.id, .error.code]')" = '[10,-32602]' ]
}

@test "qmb-mcp: completion of {id}, of a prompt's session and project" {
	new_session SalesModel; a=$id
	new_session Other; b=$id
	comp() { printf '{"jsonrpc":"2.0","id":%s,"method":"completion/complete","params":{"ref":%s,"argument":{"name":"%s","value":"%s"}}}' "$1" "$2" "$3" "$4"; }
	feed "$(comp 1 '{"type":"ref/resource","uri":"qmb://sessions/{id}/script"}' id '')" \
		"$(comp 2 '{"type":"ref/resource","uri":"qmb://sessions/{id}"}' id "${b:0:30}")" \
		"$(comp 3 '{"type":"ref/prompt","name":"review"}' session "${a:24}")" \
		"$(comp 4 '{"type":"ref/prompt","name":"resume"}' project Sal)" \
		"$(comp 5 '{"type":"ref/prompt","name":"review"}' other x)" \
		"$(comp 6 '{"type":"ref/other"}' id x)"
	[ "$status" -eq 0 ]
	[ "$(line 1 | jq -c '.result.completion | [.values, .total, .hasMore]')" = "[[\"$b\",\"$a\"],2,false]" ]
	[ "$(line 2 | jq -c '.result.completion.values')" = "[\"$b\"]" ]
	[ "$(line 3 | jq -c '.result.completion.values')" = "[\"$a\"]" ]
	[ "$(line 4 | jq -c '.result.completion.values')" = '["SalesModel"]' ]
	[ "$(line 5 | jq -c '.result.completion.values')" = '[]' ]
	[ "$(line 6 | jq -c '[.id, .error.code]')" = '[6,-32602]' ]
}
