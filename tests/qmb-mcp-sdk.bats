#!/usr/bin/env bats
# qmb-mcp driven by the official MCP TypeScript SDK client (pinned in
# tests/mcp/package-lock.json, installed by `make check` or `make deps`).  Each scenario is
# one node script under tests/mcp/ printing "ok - step" lines.

load helper/common

MCP="$TOP/tests/mcp"

# The client must be there: a missing one is a failure, never a skip.
need_sdk() {
	if ! command -v node >/dev/null; then
		echo "node is missing: run 'make deps'" >&2
		return 1
	fi
	if [ ! -f "$MCP/node_modules/@modelcontextprotocol/sdk/package.json" ]; then
		echo "tests/mcp/node_modules is missing: run 'make deps' (npm ci --prefix tests/mcp)" >&2
		return 1
	fi
}

# scenario NAME: run tests/mcp/NAME.mjs; every step must pass
scenario() {
	need_sdk
	run --separate-stderr env BATS_TEST_TMPDIR="$BATS_TEST_TMPDIR" \
		node "$MCP/$1.mjs"
	if [ "$status" -ne 0 ] || [ -n "$stderr" ]; then
		printf '%s\n' "$output" "$stderr" >&2
	fi
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	! grep -q '^not ok' <<<"$output" || fail "a step failed"
	[[ "${lines[-1]}" =~ ^[0-9]+\ steps\ passed$ ]]
}

@test "qmb-mcp sdk: the pinned client is installed" {
	need_sdk
	run -0 --separate-stderr jq -r '.packages["node_modules/@modelcontextprotocol/sdk"].version' \
		"$MCP/package-lock.json"
	[ "$output" = "$(jq -r .version "$MCP/node_modules/@modelcontextprotocol/sdk/package.json")" ]
}

@test "qmb-mcp sdk: initialize, tools/list, every tool's success and failure" {
	scenario tools
	[ "$(grep -c '^ok - ' <<<"$output")" -ge 25 ]
}

@test "qmb-mcp sdk: a whole session through MCP only" {
	scenario session
	[ "$(grep -c '^ok - approve stage' <<<"$output")" -eq 6 ]
}

@test "qmb-mcp sdk: CLI and MCP leave identical files" {
	scenario parity
	grep -q '^ok - every other file equal' <<<"$output"
}

@test "qmb-mcp sdk: progress of long calls; cancellation mid-review" {
	scenario progress
	grep -q '^ok - cancel a review waiting on a slow Gemini' <<<"$output"
}

@test "qmb-mcp sdk: prompts, resources, templates, completion" {
	scenario context
	[ "$(grep -c '^ok - ' <<<"$output")" -eq 7 ]
}
