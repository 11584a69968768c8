#!/usr/bin/env bats
# qmb-review against the fake Gemini server (tests/fake_gemini.py): one
# test per server mode (attempts from the server's log, exit code, message,
# what was or was not recorded), then the queue, retry, bypass, cache, show,
# ping, the key's sources, a run killed mid-answer, and a whole session.
# Every test uses its own key and checks that it is nowhere to be found.
load helper/common

FAKE="$TOP/tests/fake_gemini.py"

# The interpreter itself, found once: a version manager's python3 shim
# costs a quarter of a second a start.
setup_file() {
	PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || PY=
	export PY
}

setup() {
	[ -n "$PY" ] ||
	    fail "python3 is needed for the fake Gemini server (make deps)"
	unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy \
	    no_proxy NO_PROXY GOOGLE_API_KEY GOOGLE_GEMINI_BASE_URL \
	    QMB_GEMINI_URL QMB_GEMINI_MODEL QMB_REVIEW_ATTEMPTS QMB_TIMEOUT_MS \
	    QMB_GEMINI_TEMPERATURE QMB_REVIEW_PROMPT
	KEY="AQ.qmb-test-key-DO-NOT-LOG-$BATS_TEST_NUMBER-$RANDOM$RANDOM"
	export GEMINI_API_KEY=$KEY
	export QMB_RETRY_BASE_MS=10 QMB_RETRY_MAX_MS=5000
	FAKE_LOG=$BATS_TEST_TMPDIR/fake.jsonl
	FAKE_PID=
	: >"$FAKE_LOG"
}

teardown() {
	stop_fake
}

# ---- helpers -------------------------------------------------------------

# start_fake MODE [ARGS...]: a fake server expecting $KEY, with an empty
# request log; sets QMB_GEMINI_URL.
start_fake() {
	local mode=$1 pf=$BATS_TEST_TMPDIR/port i
	shift
	rm -f "$pf"
	: >"$FAKE_LOG"
	"$PY" "$FAKE" --port 0 --port-file "$pf" --log "$FAKE_LOG" \
	    --mode "$mode" --expect-key "$KEY" "$@" 3>&- &
	FAKE_PID=$!
	for ((i = 0; i < 100; i++)); do
		[ -s "$pf" ] && break
		sleep 0.05
	done
	[ -s "$pf" ] || fail "the fake server did not start"
	export QMB_GEMINI_URL="http://127.0.0.1:$(cat "$pf")"
}

stop_fake() {
	if [ -n "$FAKE_PID" ]; then
		kill "$FAKE_PID" 2>/dev/null || true
		wait "$FAKE_PID" 2>/dev/null || true
		FAKE_PID=
	fi
}

# A port nothing listens on.
dead_url() {
	export QMB_GEMINI_URL="http://127.0.0.1:$("$PY" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
}

attempts() { grep -c . "$FAKE_LOG" || true; }

# ready_session: a session with all six stages approved, id in $id.
ready_session() {
	new_session SalesModel && approve_upto "$id" F
}

reviews() { jq '.gemini_reviews | length' "$(sess_file "$1")"; }
audit_count() { jq -r .type "$(audit_file "$1")" | grep -c "^$2\$" || true; }
script_sha() { qmb-session script "$1" | sha256sum | cut -c1-64; }
queue_file() { printf '%s/.qmb/queue/review/%s.json' "$QMB_PROJECT_DIR" "$1"; }
cache_file() { printf '%s/.qmb/cache/review/%s.json' "$QMB_PROJECT_DIR" "$1"; }
out_review() { printf '%s/stage2_output/gemini_review.json' "$QMB_PROJECT_DIR"; }

# no_leak: the key is in no output, project file or server log line.
no_leak() {
	if grep -rlF -- "$KEY" "$QMB_PROJECT_DIR" "$FAKE_LOG"; then
		echo "the API key leaked into the files above"
		return 1
	fi
	[[ $output != *"$KEY"* ]] || { echo "key in stdout"; return 1; }
	[[ $stderr != *"$KEY"* ]] || { echo "key in stderr"; return 1; }
	# the server saw the right key, in the header, never in the URL
	if [ -s "$FAKE_LOG" ]; then
		[ "$(jq -s 'map(select(.key_ok != true or .query_keys != [])) |
		    length' "$FAKE_LOG")" = 0 ] || { echo "key not sent right"; return 1; }
	fi
}

# recorded ID SOURCE: the review is in the session, audit, output, cache.
recorded() {
	local sha
	sha=$(script_sha "$1")
	[ "$(reviews "$1")" = 1 ]
	[ "$(jq -r '.gemini_reviews[-1].source' "$(sess_file "$1")")" = "$2" ]
	[ "$(jq -r '.gemini_reviews[-1].script_sha256' "$(sess_file "$1")")" = "$sha" ]
	[ "$(audit_count "$1" review_recorded)" = 1 ]
	[ "$(jq -r .script_sha256 "$(out_review)")" = "$sha" ]
	[ -f "$(cache_file "$sha")" ]
	[ ! -e "$(queue_file "$1")" ]
	qmb-audit verify "$1" >/dev/null
}

# nothing_recorded ID BEFORE QUEUED: the session file is as it was, no
# output or cache; a queue entry exactly when QUEUED is "queued".
nothing_recorded() {
	[ "$(sha256sum <"$(sess_file "$1")")" = "$2" ]
	[ "$(audit_count "$1" review_recorded)" = 0 ]
	[ ! -e "$(out_review)" ]
	[ -z "$(ls -A "$QMB_PROJECT_DIR/.qmb/cache/review" 2>/dev/null)" ]
	if [ "$3" = queued ]; then
		[ "$(jq -r .session_id "$(queue_file "$1")")" = "$1" ]
		[ "$(jq -r .script "$(queue_file "$1")")" = null ]
	else
		[ ! -e "$(queue_file "$1")" ]
	fi
}

# mode_ok MODE ATTEMPTS: the run succeeds after ATTEMPTS requests.
mode_ok() {
	ready_session
	start_fake "$1"
	run -0 --separate-stderr qmb-review run "$id"
	[ "$(attempts)" = "$2" ]
	[[ $output == *"Review of session $id: score 72/100, issues found"* ]]
	[[ $output == *"Next: qmb-session complete $id"* ]]
	[ "$stderr" = "" ]
	recorded "$id" gemini
	[ "$(jq -r '.gemini_reviews[0].issues | length' "$(sess_file "$id")")" = 2 ]
	[ "$(logged_attempts "$id")" = "$2" ]
	jq -s -e 'map(select(.type == "review_recorded"))[0].details |
	    .score == 72 and .review_status == "issues_found" and
	    .review.score == 72 and .script_sha256 == .review.script_sha256' \
	    "$(audit_file "$id")"
	no_leak
}

# mode_fails MODE STATUS ATTEMPTS MESSAGE queued|not: the run fails.
mode_fails() {
	local before
	ready_session
	before=$(sha256sum <"$(sess_file "$id")")
	start_fake "$1"
	run "-$2" --separate-stderr qmb-review run "$id"
	[ "$(attempts)" = "$3" ]
	[ "$output" = "" ]
	[[ $stderr == "qmb-review: "*"$4"* ]] || { echo "stderr: $stderr"; return 1; }
	[ "$(grep -c . <<<"$stderr")" = 1 ]
	nothing_recorded "$id" "$before" "$5"
	if [ "$5" = queued ]; then
		[[ $stderr == *"qmb-review retry $id"* ]]
		[[ $stderr == *"qmb-review bypass $id --reason TEXT"* ]]
	fi
	[ "$(jq -s 'map(select(.action == "review_failed")) | length' \
	    "$(log_file "$id")")" = 1 ]
	[ "$(logged_attempts "$id")" = "$3" ]
	no_leak
}

# logged_attempts ID: the attempt entries of the session log (each with
# its HTTP status and duration).
logged_attempts() {
	jq -s '[.[] | select(.component == "gemini" and .action == "attempt" and
	    (.details | has("http_status") and has("duration_ms")))] | length' \
	    "$(log_file "$1")"
}

# gap N: milliseconds between request N and N+1 at the server.
gap() { jq -s ".[$1].ts_ms - .[$(($1 - 1))].ts_ms" "$FAKE_LOG"; }

# ---- one test per mode of the fake server ----------------------------------

@test "mode ok: one request, review recorded everywhere" {
	mode_ok ok 1
	# the request was sane: JSON asked for, with the schema and the prompt
	[ "$(jq -r .valid_body "$FAKE_LOG")" = true ]
	[ "$(jq -r .header_names "$FAKE_LOG" | grep -c x-goog-api-key)" = 1 ]
}

@test "mode ok_approved: approved with score 100" {
	ready_session
	start_fake ok_approved
	run -0 --separate-stderr qmb-review run "$id"
	[ "$(attempts)" = 1 ]
	[[ $output == *"score 100/100, approved"* ]]
	[[ $output == *"No issues."* ]]
	recorded "$id" gemini
	no_leak
}

@test "mode fenced: one fence stripped" {
	mode_ok fenced 1
}

@test "mode prose: invalid output, not retried, raw text kept in the log" {
	mode_fails prose 1 1 "holds no JSON review" not
	jq -s -e 'map(select(.action == "review_failed"))[0].details |
	    (.result == "invalid_output") and
	    (.raw | startswith("The script looks mostly fine"))' "$(log_file "$id")"
}

@test "mode multipart: thought part skipped, the rest joined" {
	mode_ok multipart 1
	! grep -q "think about the joins" "$(sess_file "$id")"
}

@test "mode max_tokens: truncated-output error, not retried" {
	mode_fails max_tokens 1 1 "cut short (finishReason MAX_TOKENS" not
}

@test "mode safety: blocked answer, not retried" {
	mode_fails safety 1 1 "Gemini blocked its answer (finishReason SAFETY)" not
}

@test "mode prompt_blocked: blocked prompt, not retried" {
	mode_fails prompt_blocked 1 1 "Gemini blocked the prompt (blockReason SAFETY)" not
}

@test "mode rate_limit_then_ok: RetryInfo 1s honoured, then success" {
	mode_ok rate_limit_then_ok 2
	[ "$(gap 1)" -ge 1000 ]
}

@test "mode retry_after_then_ok: Retry-After 1 honoured, then success" {
	mode_ok retry_after_then_ok 2
	[ "$(gap 1)" -ge 1000 ]
}

@test "mode quota_daily: stops at once, rate limit quoting the delay, queued" {
	mode_fails quota_daily 7 1 "daily quota GenerateRequestsPerDayPerProjectPerModel-FreeTier exhausted: retry after 3600s" queued
	[ "$(jq -r .error_class "$(queue_file "$id")")" = rate_limited ]
}

@test "mode unavailable_x2_then_ok: two 503s, success on the third" {
	mode_ok unavailable_x2_then_ok 3
}

@test "mode internal_always: three attempts, server error, queued, exit 7" {
	mode_fails internal_always 7 3 "Gemini unavailable after 3 attempts (HTTP 500 INTERNAL" queued
	[ "$(jq -r .tries "$(queue_file "$id")")" = 1 ]
}

@test "mode bad_gateway_html: three attempts, clean message for a non-JSON body" {
	mode_fails bad_gateway_html 7 3 "Gemini unavailable after 3 attempts (HTTP 502 with a non-JSON body)" queued
}

@test "mode auth_400: one request, auth error, exit 2, not queued" {
	mode_fails auth_400 2 1 "Gemini refused the API key (HTTP 400 INVALID_ARGUMENT: API key not valid" not
}

@test "mode auth_401: one request, auth error" {
	mode_fails auth_401 2 1 "Gemini refused the API key (HTTP 401 UNAUTHENTICATED" not
}

@test "mode auth_403: one request, auth error" {
	mode_fails auth_403 2 1 "Gemini refused the API key (HTTP 403 PERMISSION_DENIED: Your API key was reported as leaked" not
}

@test "mode not_found: one request, error naming the model" {
	mode_fails not_found 2 1 "Gemini has no model 'gemini-3.5-flash' (HTTP 404 NOT_FOUND" not
}

@test "mode invalid_argument: one request, request error" {
	mode_fails invalid_argument 2 1 "Gemini refused the request (HTTP 400 INVALID_ARGUMENT: Invalid JSON payload received. [field contents[0].parts[0].text])" not
}

@test "mode slow: three timeouts (curl 28), queued" {
	export QMB_TIMEOUT_MS=400
	ready_session
	before=$(sha256sum <"$(sess_file "$id")")
	start_fake slow --delay-ms 3000
	run -7 --separate-stderr qmb-review run "$id"
	[ "$(attempts)" = 3 ]
	[[ $stderr == *"Gemini unreachable after 3 attempts (no answer within 400 ms (curl 28))"* ]]
	nothing_recorded "$id" "$before" queued
	[ "$(jq -r .error_class "$(queue_file "$id")")" = unreachable ]
	no_leak
}

@test "mode slow_then_ok: a timeout, then success" {
	export QMB_TIMEOUT_MS=400
	ready_session
	start_fake slow_then_ok --delay-ms 3000
	run -0 --separate-stderr qmb-review run "$id"
	[ "$(attempts)" = 2 ]
	recorded "$id" gemini
	no_leak
}

@test "mode truncate: body cut short (curl 18) three times, queued" {
	mode_fails truncate 7 3 "(curl 18)" queued
}

@test "mode reset: connection reset (curl 56) three times, queued" {
	mode_fails reset 7 3 "(curl 56)" queued
}

@test "mode empty_close: empty reply (curl 52) three times, queued" {
	mode_fails empty_close 7 3 "(curl 52)" queued
}

# ---- the request -----------------------------------------------------------

@test "request: v1beta URL, key only in the header, schema, system prompt, script" {
	ready_session
	mkdir "$BATS_TEST_TMPDIR/dump"
	start_fake ok --dump-dir "$BATS_TEST_TMPDIR/dump"
	# plain http to this machine never goes through a proxy
	export http_proxy=http://127.0.0.1:9
	run -0 --separate-stderr qmb-review run "$id" --model mode-ok -v
	[ "$(jq -r .path "$FAKE_LOG")" = "/v1beta/models/mode-ok:generateContent" ]
	body=$BATS_TEST_TMPDIR/dump/req-1.json
	jq -e '.generationConfig.responseMimeType == "application/json" and
	    .generationConfig.responseJsonSchema.properties.issues.items.properties.severity.enum == ["critical", "warning", "info"] and
	    (.generationConfig.responseJsonSchema.required | index("score")) and
	    (.generationConfig | has("temperature") | not) and
	    (.systemInstruction.parts[0].text | contains("Qlik"))' "$body"
	jq -r '.contents[0].parts[0].text' "$body" >"$BATS_TEST_TMPDIR/sent"
	grep -qF "$(qmb-session script "$id" | head -1)" "$BATS_TEST_TMPDIR/sent"
	! grep -qF -- "$KEY" "$body" || fail "the API key is in the request body"
	# -v shows the attempt, never the key
	[[ $stderr == *"attempt 1 of 3: HTTP 200"* ]]
	[ "$(jq -r '.gemini_reviews[0].model' "$(sess_file "$id")")" = mode-ok ]
	no_leak
}

# (Off a terminal nothing shows: the mode tests above check stderr is empty.)
@test "on a terminal a countdown shows while waiting for the next attempt" {
	ready_session
	start_fake rate_limit_then_ok
	run -0 --separate-stderr script -qec "qmb-review run $id" /dev/null
	[[ $output == *$'\r'"qmb-review: waiting for Gemini: attempt 2 of 3 in 1 s"* ]]
	[[ $output == *"score 72/100"* ]]
	[ "$(attempts)" = 2 ]
	no_leak
}

# ---- a run killed while Gemini thinks --------------------------------------

@test "kill -9 during a slow answer leaves the session unharmed" {
	export QMB_TIMEOUT_MS=20000
	ready_session
	run -0 --separate-stderr qmb-session show --json "$id"
	before=$output
	start_fake slow --delay-ms 8000
	qmb-review run "$id" >/dev/null 2>&1 3>&- &
	pid=$!
	for ((i = 0; i < 100; i++)); do
		[ "$(attempts)" -ge 1 ] && break
		sleep 0.05
	done
	[ "$(attempts)" = 1 ]
	kill -9 "$pid"
	wait "$pid" || true
	run -0 --separate-stderr qmb-session show --json "$id"
	[ "$output" = "$before" ]
	run -0 --separate-stderr qmb-audit verify "$id"
	[ "$(audit_count "$id" review_recorded)" = 0 ]
	[ ! -e "$(queue_file "$id")" ]
	[ ! -e "$(out_review)" ]
	# the session is not locked: a change and a new review go through
	stop_fake
	start_fake ok
	run -0 --separate-stderr qmb-review run "$id"
	recorded "$id" gemini
	no_leak
}

# ---- queue, retry, bypass --------------------------------------------------

@test "queue and retry: a queued request is sent again and recorded" {
	ready_session
	start_fake internal_always
	run -7 --separate-stderr qmb-review run "$id"
	run -0 --separate-stderr qmb-review queue
	[[ $output == "$id  session, queued just now, 1 failed try"* ]]
	[[ $output == *"last error: Gemini unavailable after 3 attempts"* ]]
	run -0 --separate-stderr qmb-review queue --json
	[ "$(jq -r .name <<<"$output")" = "$id" ]
	[ "$(jq -r .tries <<<"$output")" = 1 ]
	# still down: the entry stays, tries grow
	run -7 --separate-stderr qmb-review retry
	[ "$(jq -r .tries "$(queue_file "$id")")" = 2 ]
	stop_fake
	start_fake ok
	run -0 --separate-stderr qmb-review retry
	[[ $output == "Reviewed session $id: score 72/100, issues found (queued "*")." ]]
	[ "$stderr" = "" ]
	[ "$(attempts)" = 1 ]
	recorded "$id" gemini
	# nothing left: silent, no request
	run -0 --separate-stderr qmb-review retry
	[ "$output" = "" ]
	[ "$stderr" = "" ]
	[ "$(attempts)" = 1 ]
	run -0 --separate-stderr qmb-review queue
	[ "$output" = "No review is queued." ]
	no_leak
}

@test "retry: one run at a time; a second exits 0, saying so only with -v" {
	ready_session
	start_fake internal_always
	run -7 --separate-stderr qmb-review run "$id" --attempts 1
	exec 9>"$QMB_PROJECT_DIR/.qmb/queue/review/retry.lock"
	flock -n 9
	run -0 --separate-stderr qmb-review retry
	[ "$output" = "" ]
	[ "$stderr" = "" ]
	run -0 --separate-stderr qmb-review retry -v
	[[ $stderr == *"another 'qmb-review retry' is working the queue"* ]]
	exec 9>&-
	[ "$(attempts)" = 1 ]
	[ "$(jq -r .tries "$(queue_file "$id")")" = 1 ]
	no_leak
}

@test "retry ID: drops a request whose session has a review already" {
	ready_session
	start_fake internal_always
	run -7 --separate-stderr qmb-review run "$id" --attempts 1
	run -0 --separate-stderr qmb-review bypass "$id" --reason "Gemini down for the release"
	# bypass resolved the queue entry
	[ ! -e "$(queue_file "$id")" ]
	run -3 --separate-stderr qmb-review retry "$id"
	[[ $stderr == *"no queued review '$id'"* ]]
	run -2 --separate-stderr qmb-review retry "$id" --all
	no_leak
}

@test "bypass: records a manual approval that complete accepts" {
	ready_session
	run -2 --separate-stderr qmb-review bypass "$id"
	[[ $stderr == *"'bypass' needs --reason TEXT"* ]]
	run -2 --separate-stderr qmb-review bypass "$id" --reason "   "
	[[ $stderr == *"bypass needs a reason"* ]]
	run -0 --separate-stderr qmb-review bypass "$id" --reason "Gemini down for the release"
	[[ $output == *"bypassed by tester@example.com: Gemini down for the release"* ]]
	jq -e '.gemini_reviews[-1] | .source == "bypass" and
	    .review_status == "approved" and (has("score") | not) and
	    .user_id == "tester@example.com" and
	    .reason == "Gemini down for the release"' "$(sess_file "$id")"
	jq -s -e 'map(select(.type == "review_bypassed"))[0].details |
	    .reason == "Gemini down for the release" and
	    .script_sha256 == .review.script_sha256' "$(audit_file "$id")"
	run -0 --separate-stderr qmb-review show "$id"
	[[ $output == *"Bypassed by tester@example.com"* ]]
	run -0 --separate-stderr qmb-session complete "$id" --min-score 90
	[[ $output == *"Complete! (review bypassed)"* ]]
	run -0 --separate-stderr qmb-audit verify "$id"
	no_leak
}

@test "bypass and run need all six stages (exit 4)" {
	new_session SalesModel
	approve_upto "$id" C
	run -4 --separate-stderr qmb-review bypass "$id" --reason x
	[[ $stderr == *"has 3 of 6 stages approved: approve stage D first"* ]]
	start_fake ok
	run -4 --separate-stderr qmb-review run "$id"
	[[ $stderr == *"approve stage D first (or review a file with --script)"* ]]
	[ "$(attempts)" = 0 ]
	run -3 --separate-stderr qmb-review run nosuch
	no_leak
}

# ---- cache -----------------------------------------------------------------

@test "cache: a reviewed script is answered from the cache, even without key or server" {
	ready_session
	start_fake ok
	run -0 --separate-stderr qmb-review run "$id"
	stop_fake
	dead_url
	unset GEMINI_API_KEY
	run -0 --separate-stderr qmb-review run "$id"
	[[ $output == *"From the cache"* ]]
	[ "$(reviews "$id")" = 2 ]
	[ "$(jq -r '.gemini_reviews[1].source' "$(sess_file "$id")")" = cache ]
	[ "$(jq -r .source "$(out_review)")" = cache ]
	run -0 --separate-stderr qmb-review run "$id" --json
	[ "$(jq -r .source <<<"$output")" = cache ]
	# --no-cache asks again (here: no key, so it cannot)
	run -2 --separate-stderr qmb-review run "$id" --no-cache
	[[ $stderr == *"no Gemini API key: set GEMINI_API_KEY"* ]]
	export GEMINI_API_KEY=$KEY
	start_fake ok_approved
	run -0 --separate-stderr qmb-review run "$id" --no-cache
	[ "$(attempts)" = 1 ]
	[ "$(jq -r '.gemini_reviews[-1] | .source, .score' "$(sess_file "$id")" | tr '\n' ' ')" = "gemini 100 " ]
	no_leak
}

# ---- show --------------------------------------------------------------------

@test "show: exit 3 before a review; then score, status and issues by severity" {
	ready_session
	run -3 --separate-stderr qmb-review show "$id"
	[[ $stderr == *"has no review yet: run 'qmb-review run $id'"* ]]
	start_fake ok
	run -0 --separate-stderr qmb-review run "$id" -q
	[ "$output" = "" ]
	run -0 --separate-stderr qmb-review show "$id"
	[[ ${lines[0]} == "Review of session $id: score 72/100, issues found" ]]
	[[ $output == *"(the current script)"* ]]
	# critical before warning
	crit=$(grep -n '^Critical (1)$' <<<"$output" | cut -d: -f1)
	warn=$(grep -n '^Warning (1)$' <<<"$output" | cut -d: -f1)
	[ -n "$crit" ]
	[ -n "$warn" ]
	[ "$crit" -lt "$warn" ]
	run -0 --separate-stderr qmb-review show "$id" --json
	[ "$(jq -cS . <<<"$output")" = "$(jq -cS '.gemini_reviews[-1]' "$(sess_file "$id")")" ]
	jq -e '(.score | type) == "number" and .score == 72 and
	    .issues[0].location.line == 12' <<<"$output"
	# a change to the script makes the review stale
	printf 'STORE X INTO [x.qvd] (qvd);\n' | qmb-session approve "$id" F - >/dev/null
	run -0 --separate-stderr qmb-review show "$id"
	[[ $output == *"(not the current script)"* ]]
	run -3 --separate-stderr qmb-review show nosuch
	no_leak
}

# ---- ping --------------------------------------------------------------------

@test "ping: works, auth problem (exit 2), unknown model (exit 2), unreachable (exit 7)" {
	start_fake ok
	run -0 --separate-stderr qmb-review ping
	[[ $output == "Gemini answers: model gemini-3.5-flash at http://127.0.0.1:"*"the key from GEMINI_API_KEY works)." ]]
	[ "$(attempts)" = 1 ]
	run -0 --separate-stderr qmb-review ping --json
	jq -e '.ok == true and .http_status == 200' <<<"$output"
	run -2 --separate-stderr qmb-review ping --model mode-auth_400
	[[ $stderr == *"Gemini refused the API key"* ]]
	run -2 --separate-stderr qmb-review ping --model mode-not_found
	[[ $stderr == *"Gemini has no model 'mode-not_found'"* ]]
	[ "$(attempts)" = 4 ]
	stop_fake
	dead_url
	run -7 --separate-stderr qmb-review ping
	[[ $stderr == *"Gemini unreachable after 1 attempt ("*"(curl 7))"* ]]
	[ ! -e "$QMB_PROJECT_DIR/.qmb/queue/review" ]
	no_leak
}

# ---- the key -----------------------------------------------------------------

@test "key: none is exit 2 and sends nothing; GOOGLE_API_KEY wins over GEMINI_API_KEY" {
	ready_session
	start_fake ok
	unset GEMINI_API_KEY
	run -2 --separate-stderr qmb-review run "$id"
	[[ $stderr == *"no Gemini API key"* ]]
	[ "$(attempts)" = 0 ]
	export GEMINI_API_KEY="AQ.wrong-key" GOOGLE_API_KEY=" $KEY "
	run -0 --separate-stderr qmb-review run "$id"
	[ "$(attempts)" = 1 ]
	no_leak
}

@test "key: --key-file must be 0600; its key is used, whitespace stripped" {
	ready_session
	start_fake ok
	unset GEMINI_API_KEY
	kf=$BATS_TEST_TMPDIR/gemini.key
	printf '  %s\n\n' "$KEY" >"$kf"
	chmod 644 "$kf"
	run -2 --separate-stderr qmb-review run "$id" --key-file "$kf"
	[[ $stderr == *"key file '$kf' is open to group or others (mode 0644): run 'chmod 600 $kf'"* ]]
	chmod 640 "$kf"
	run -2 --separate-stderr qmb-review ping --key-file "$kf"
	[ "$(attempts)" = 0 ]
	chmod 600 "$kf"
	run -0 --separate-stderr qmb-review run "$id" --key-file "$kf" -v
	[ "$(attempts)" = 1 ]
	recorded "$id" gemini
	run -2 --separate-stderr qmb-review ping --key-file "$BATS_TEST_TMPDIR/nosuch"
	no_leak
}

@test "key: never sent over plain http to another host" {
	ready_session
	export QMB_GEMINI_URL=http://example.com
	run -2 --separate-stderr qmb-review run "$id"
	[[ $stderr == *"refusing to send the API key over plain http to 'example.com'"* ]]
	export QMB_GEMINI_URL=http://127.0.0.1@example.com
	run -2 --separate-stderr qmb-review ping
	export QMB_GEMINI_URL=ftp://127.0.0.1/
	run -2 --separate-stderr qmb-review ping
	[[ $stderr == *"only https"* ]]
	[ "$(reviews "$id")" = 0 ]
	no_leak
}

# ---- --script ----------------------------------------------------------------

@test "--script without an ID reviews any text and records no session" {
	ready_session
	before=$(sha256sum <"$(sess_file "$id")")
	start_fake ok
	printf 'Orders:\nLOAD * RESIDENT Raw;\n' >"$BATS_TEST_TMPDIR/x.qvs"
	sha=$(sha256sum <"$BATS_TEST_TMPDIR/x.qvs" | cut -c1-64)
	run -0 --separate-stderr qmb-review run --script "$BATS_TEST_TMPDIR/x.qvs"
	[[ $output == "Review: score 72/100, issues found"* ]]
	[[ $output == *"Script: ${sha:0:12}"* ]]
	[ "$(sha256sum <"$(sess_file "$id")")" = "$before" ]
	[ ! -e "$(out_review)" ]
	[ -f "$(cache_file "$sha")" ]
	jq -s -e 'map(select(.component == "gemini" and .action == "review_received")) | length == 1' \
	    "$QMB_PROJECT_DIR/.qmb/logs/qmb.log"
	# from standard input; a failure is queued under the script's name
	stop_fake
	start_fake internal_always
	run -7 --separate-stderr qmb-review run --script - <<<"Other: LOAD 1 AUTOGENERATE 1;"
	[[ $stderr == *"the request is queued as 'script-"* ]]
	name=$(ls "$QMB_PROJECT_DIR/.qmb/queue/review" | grep '^script-' | sed 's/\.json$//')
	[ "$(jq -r .script "$(queue_file "$name")")" = "Other: LOAD 1 AUTOGENERATE 1;" ]
	[ "$(jq -r .session_id "$(queue_file "$name")")" = null ]
	stop_fake
	start_fake ok
	run -0 --separate-stderr qmb-review retry
	[[ $output == "Reviewed $name: score 72/100"* ]]
	[ ! -e "$(queue_file "$name")" ]
	[ "$(sha256sum <"$(sess_file "$id")")" = "$before" ]
	run -2 --separate-stderr qmb-review run --script /dev/null
	no_leak
}

@test "--script with an ID records the review of that text in the session" {
	ready_session
	start_fake ok
	printf 'Other:\nLOAD 1 AUTOGENERATE 1;\n' >"$BATS_TEST_TMPDIR/x.qvs"
	sha=$(sha256sum <"$BATS_TEST_TMPDIR/x.qvs" | cut -c1-64)
	run -0 --separate-stderr qmb-review run "$id" --script "$BATS_TEST_TMPDIR/x.qvs"
	[ "$(jq -r '.gemini_reviews[0].script_sha256' "$(sess_file "$id")")" = "$sha" ]
	# not the current script: no output file, and complete still waits
	[ ! -e "$(out_review)" ]
	run -3 --separate-stderr qmb-session complete "$id"
	no_leak
}

# ---- consecutive failures ----------------------------------------------------

@test "more than 3 consecutive failures raise a WARN in the global log; success resets" {
	ready_session
	start_fake internal_always
	for i in 1 2 3; do
		run -7 --separate-stderr qmb-review run "$id" --attempts 1
	done
	glog=$QMB_PROJECT_DIR/.qmb/logs/qmb.log
	[ "$(jq -s 'map(select(.action == "consecutive_failures")) | length' "$glog")" = 0 ]
	run -7 --separate-stderr qmb-review run "$id" --attempts 1
	jq -s -e 'map(select(.action == "consecutive_failures"))[0] |
	    .level == "WARN" and .component == "gemini" and
	    .session_id == "system" and .details.consecutive == 4' "$glog"
	[ "$(jq -r .consecutive "$QMB_PROJECT_DIR/.qmb/gemini_failures.json")" = 4 ]
	[ "$(jq -r .tries "$(queue_file "$id")")" = 4 ]
	stop_fake
	start_fake ok
	run -0 --separate-stderr qmb-review retry
	[ "$(jq -r .consecutive "$QMB_PROJECT_DIR/.qmb/gemini_failures.json")" = 0 ]
	no_leak
}

# ---- usage -------------------------------------------------------------------

@test "usage errors exit 2" {
	run -2 --separate-stderr qmb-review
	run -2 --separate-stderr qmb-review run
	[[ $stderr == *"'run' needs a session ID or --script FILE"* ]]
	run -2 --separate-stderr qmb-review run x --attempts 0
	run -2 --separate-stderr qmb-review run x --timeout abc
	run -2 --separate-stderr qmb-review show x --no-cache
	[[ $stderr == *"option --no-cache does not apply to 'show'"* ]]
	run -2 --separate-stderr qmb-review run ../etc
	run -2 --separate-stderr qmb-review frobnicate
	QMB_RETRY_BASE_MS=x run -2 --separate-stderr qmb-review ping
	[[ $stderr == *"QMB_RETRY_BASE_MS: bad value"* ]]
	run -0 --separate-stderr qmb-review --version
	[ "$output" = "qmb-review 0.1.0" ]
	run -0 --separate-stderr qmb-review --help
	[[ $output == *"bypass ID --reason TEXT"* ]]
	no_leak
}

@test "docs: every option and command of --help is in the man page and the completions" {
	local o c missing=
	run -0 --separate-stderr qmb-review --help
	opts=$(grep -oE -- '--[a-z][a-z-]*' <<<"$output" | sort -u)
	cmds=$(awk '/^commands:/ { f = 1; next } /^options:/ { f = 0 }
	    f && /^  [a-z]/ { print $1 }' <<<"$output")
	[ "$(wc -l <<<"$opts")" -ge 15 ]
	[ "$(echo $cmds)" = "run show queue retry bypass ping" ]
	words=$(complete_bash qmb-review --; complete_bash qmb-review '')
	zwords=$(complete_zsh qmb-review --; complete_zsh qmb-review '')
	for o in $opts; do
		grep -qE -- "Fl -${o#--}([^a-z-]|\$)" "$TOP/man/qmb-review.1" ||
		    missing="$missing man:$o"
		grep -qx -- "$o" <<<"$words" || missing="$missing bash:$o"
		grep -q -- "^$o:" <<<"$zwords" || missing="$missing zsh:$o"
	done
	for c in $cmds; do
		grep -qE "^\.It Cm $c( |\$)" "$TOP/man/qmb-review.1" ||
		    missing="$missing man:$c"
		grep -qx "$c" <<<"$words" || missing="$missing bash:$c"
		grep -q -- "^$c:" <<<"$zwords" || missing="$missing zsh:$c"
	done
	[ -z "$missing" ] || fail "missing:$missing"
	bash -n "$TOP/completions/qmb.bash"
	# exit codes and environment variables of the program are documented
	for c in 0 1 2 3 4 5 6 7 9; do
		grep -qx "\.It $c" "$TOP/man/qmb-review.1" || fail "exit $c not in the man page"
	done
	for v in GEMINI_API_KEY GOOGLE_API_KEY QMB_GEMINI_URL QMB_GEMINI_MODEL \
	    QMB_REVIEW_ATTEMPTS QMB_REVIEW_PROMPT QMB_TIMEOUT_MS QMB_RETRY_BASE_MS \
	    QMB_RETRY_MAX_MS QMB_GEMINI_TEMPERATURE; do
		grep -qE "Ev ([A-Z_]+ , )*$v( |\$)" "$TOP/man/qmb-review.1" ||
		    fail "$v not in the man page"
	done
	no_leak
}

# ---- the whole flow ----------------------------------------------------------

@test "end to end: approve A..F, review, complete: stage2_output written" {
	ready_session
	start_fake ok
	run -0 --separate-stderr qmb-review run "$id" --json
	jq -e '.review.score == 72 and .source == "gemini" and
	    .output == "stage2_output/gemini_review.json"' <<<"$output"
	run -0 --separate-stderr qmb-session complete "$id"
	[ "$output" = "✅ Complete! Score: 72/100" ]
	out=$QMB_PROJECT_DIR/stage2_output
	[ -f "$out/model.json" ]
	[ -f "$out/script.qvs" ]
	[ -f "$out/gemini_review.json" ]
	cmp "$out/script.qvs" <(qmb-session script "$id")
	[ "$(jq -r .review.score "$out/model.json")" = 72 ]
	run -0 --separate-stderr qmb-audit verify "$id"
	[ "$(jq -r .type "$(audit_file "$id")" | tail -2 | tr '\n' ' ')" = "review_recorded script_approved " ]
	no_leak
}
