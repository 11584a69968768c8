#!/usr/bin/env bats
# qmb-mcp under the real Claude Code, when it is installed (skipped
# otherwise): `claude mcp add` and `claude mcp list`, then `claude -p`
# against a scripted fake of the Messages API on 127.0.0.1
# (tests/fake_anthropic.py) whose answers call qmb's tools; what Claude
# Code sends back in the next request is what its model would read.

load helper/common

setup() {
	command -v claude >/dev/null || skip "Claude Code (claude) is not installed"
	PY=$(python3 -c 'import sys; print(sys.executable)') ||
		fail "python3 is needed for the fake Messages API"
	unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
	# Claude Code's own files go to a home of this test only
	export HOME="$BATS_TEST_TMPDIR/home"
	mkdir -p "$HOME"
	FAKE_PID=
}

teardown() {
	if [ -n "$FAKE_PID" ]; then
		kill "$FAKE_PID" 2>/dev/null || true
		wait "$FAKE_PID" 2>/dev/null || true
	fi
}

# ask SCRIPT PROMPT: run claude -p in the project against a fake that
# plays SCRIPT (JSON); the requests it got are in $BATS_TEST_TMPDIR/req.jsonl
ask() {
	local pf=$BATS_TEST_TMPDIR/port i
	printf '%s\n' "$1" >"$BATS_TEST_TMPDIR/script.json"
	rm -f "$pf" "$BATS_TEST_TMPDIR/req.jsonl"
	"$PY" "$TOP/tests/fake_anthropic.py" --port-file "$pf" \
		--log "$BATS_TEST_TMPDIR/req.jsonl" --script "$BATS_TEST_TMPDIR/script.json" 3>&- &
	FAKE_PID=$!
	for ((i = 0; i < 100; i++)); do
		[ -s "$pf" ] && break
		sleep 0.05
	done
	[ -s "$pf" ] || fail "the fake Messages API did not start"
	cd "$QMB_PROJECT_DIR" || return 1
	run env ANTHROPIC_BASE_URL="http://127.0.0.1:$(cat "$pf")" ANTHROPIC_API_KEY=dummy \
		CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 timeout 90 \
		claude -p "$2" --allowedTools mcp__qmb --output-format json </dev/null
}

# results: the tool results of the last request, one JSON line each
results() {
	tail -n 1 "$BATS_TEST_TMPDIR/req.jsonl" |
		jq -c '.body.messages[] | select(.role == "user") | .content |
		    arrays | .[] | select(.type == "tool_result")'
}

@test "claude: mcp add, mcp list shows qmb connected" {
	cd "$QMB_PROJECT_DIR"
	run -0 timeout 60 claude mcp add qmb -- "$TOP/qmb-mcp" -C "$QMB_PROJECT_DIR" </dev/null
	run -0 timeout 60 claude mcp list </dev/null
	[[ $output == *"qmb: $TOP/qmb-mcp -C $QMB_PROJECT_DIR - "*"Connected"* ]]
}

@test "claude: tool results reach the model as structuredContent with message; errors with the exit code" {
	new_session SalesModel
	cd "$QMB_PROJECT_DIR"
	timeout 60 claude mcp add qmb -- "$TOP/qmb-mcp" -C "$QMB_PROJECT_DIR" </dev/null >/dev/null
	ask "[{\"tool\":\"mcp__qmb__qmb_approve_stage\",\"input\":{\"session_id\":\"$id\",\"stage\":\"C\",\"script\":\"// C\\n\"}},
	      {\"tool\":\"mcp__qmb__qmb_resume_session\",\"input\":{\"session_id\":\"$id\"}},
	      {\"text\":\"Done.\"}]" "continue my model"
	[ "$status" -eq 0 ]
	[ "$(jq -r .result <<<"$output")" = Done. ]
	# every qmb tool was offered, with its description
	tail -n 1 "$BATS_TEST_TMPDIR/req.jsonl" | jq -e '[.body.tools[].name |
	    select(startswith("mcp__qmb__"))] | length == 23'
	results >"$BATS_TEST_TMPDIR/results"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/results")" -eq 2 ]
	# the failure: text only, ending with the exit code and its meaning
	sed -n 1p "$BATS_TEST_TMPDIR/results" | jq -e '.is_error == true and
	    (.content | test("^qmb-session: .*\nexit 4: busy or out of order$"))'
	# the success: structuredContent, whose message is the resume view
	content=$(sed -n 2p "$BATS_TEST_TMPDIR/results" | jq -r .content)
	[ "$(jq -r .session.session_id <<<"$content")" = "$id" ]
	[ "$(jq -r .message <<<"$content")" = "$(qmb-session resume "$id")" ]
}

@test "claude: the resume prompt is a slash command with the saved state" {
	new_session SalesModel
	approve_upto "$id" B
	cd "$QMB_PROJECT_DIR"
	timeout 60 claude mcp add qmb -- "$TOP/qmb-mcp" -C "$QMB_PROJECT_DIR" </dev/null >/dev/null
	ask '[{"text":"Welcome back."}]' "/mcp__qmb__resume SalesModel"
	[ "$status" -eq 0 ]
	text=$(jq -r '.body.messages[0].content | arrays | map(.text // "") | join("")' \
		"$BATS_TEST_TMPDIR/req.jsonl" | head -c 100000)
	[[ $text == *"[Continue] [Start over] [View saved]"* ]]
	[[ $text == *"Progress: Stage C (2/6 done)"* ]]
}
