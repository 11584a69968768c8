#!/usr/bin/env bats
# qmb-session through the real binary: every subcommand, the common
# options, the invariants of the session files, crash roll-forward and the
# log lines.  Bad input and hostile ids are in qmb-session-input.bats.
load helper/common

T0=2026-01-21T10:00:00.000Z
ZERO=0000000000000000000000000000000000000000000000000000000000000000

# ---- helpers -------------------------------------------------------------

# part STAGE [N]: a script part for STAGE labelling N tables (default 1).
part() {
	local i
	for ((i = 1; i <= ${2:-1}; i++)); do
		printf '%s_T%d:\nLOAD * FROM [lib://data/%s%d.qvd] (qvd);\n' \
		    "$1" "$i" "$1" "$i"
	done
}

# sj ID FILTER: jq -r FILTER over the session file of ID.
sj() { jq -r "$2" "$(sess_file "$1")"; }

# audit_types ID: the audit entry types of ID, space separated.
audit_types() { jq -r .type "$(audit_file "$1")" | tr '\n' ' '; }

# script_sha ID: sha256 of the assembled script of ID.
script_sha() { qmb-session script "$1" | sha256sum | cut -c1-64; }

# add_review ID [SCORE] [SHA]: record a review (of the current script by
# default) by exporting the session, adding it, and importing with --force.
add_review() {
	local sha=${3:-$(script_sha "$1")} f="$BATS_TEST_TMPDIR/review.json"
	qmb-session export "$1" | jq --arg sha "$sha" --argjson score "${2:-95}" \
	    '.gemini_reviews += [{review_status: "approved", score: $score,
	    issues: [], summary: "ok", model: "fake",
	    reviewed_at: "2026-01-01T00:00:00.000Z", script_sha256: $sha,
	    source: "gemini"}]' >"$f" &&
	    qmb-session import --force "$f" >/dev/null
}

# verify_audit ID: every line's hash is the sha256 of the line without its
# hash (as jq -cj writes it), prev links to the previous hash, seq counts.
verify_audit() {
	local line prev=$ZERO n=0 h
	while IFS= read -r line; do
		n=$((n + 1))
		h=$(printf '%s' "$line" | jq -cj 'del(.hash)' | sha256sum | cut -c1-64)
		[ "$h" = "$(jq -r .hash <<<"$line")" ] ||
		    { echo "audit entry $n: hash mismatch"; return 1; }
		[ "$(jq -r .prev <<<"$line")" = "$prev" ] ||
		    { echo "audit entry $n: prev does not link"; return 1; }
		[ "$(jq -r .seq <<<"$line")" = "$n" ] ||
		    { echo "audit entry $n: wrong seq"; return 1; }
		prev=$h
	done <"$(audit_file "$1")"
	[ "$n" -gt 0 ] || { echo "empty audit trail"; return 1; }
}

# check_invariants ID: DESIGN 2.1 on the files of session ID.
check_invariants() {
	local f a n bad
	f=$(sess_file "$1") a=$(audit_file "$1")
	jq -e '["A","B","C","D","E","F"] as $all
	    | (.completed_stages | length) as $n
	    | .version == 1
	    and .completed_stages == $all[0:$n]
	    and (.approved_script_parts | keys) == .completed_stages
	    and .current_stage == (if $n == 6 then "F" else $all[$n] end)
	    and (.status == "active" or (.status == "complete"
	        and (.completed_at | type) == "string"))' "$f" >/dev/null ||
	    { echo "state invariant broken: $(cat "$f")"; return 1; }
	n=$(wc -l <"$a")
	[ "$(jq .audit_seq "$f")" -eq "$n" ] ||
	    { echo "audit_seq $(jq .audit_seq "$f") but $n audit lines"; return 1; }
	[ "$(jq -r .audit_hash "$f")" = "$(tail -n 1 "$a" | jq -r .hash)" ] ||
	    { echo "audit_hash is not the last entry's hash"; return 1; }
	if [ -e "$f.bak" ]; then
		[ "$(jq .revision "$f.bak")" -eq $(($(jq .revision "$f") - 1)) ] ||
		    { echo ".bak is not the previous revision"; return 1; }
	fi
	verify_audit "$1" || return 1
	bad=$(find "$QMB_PROJECT_DIR/.qmb" -name '*.tmp*')
	[ -z "$bad" ] || { echo "left over: $bad"; return 1; }
	bad=$(find "$QMB_PROJECT_DIR/.qmb" \( -type f ! -perm 600 \) -o \
	    \( -type d ! -perm 700 \))
	[ -z "$bad" ] || { echo "wrong modes: $bad"; return 1; }
}

# on_tty CMD...: run CMD on a pseudo-terminal (stdin is fed to it).
on_tty() {
	local rc
	SHELL=/bin/sh script -qec "$(printf '%q ' "$@")" /dev/null \
	    >"$BATS_TEST_TMPDIR/tty.out"
	rc=$?
	tr -d '\r' <"$BATS_TEST_TMPDIR/tty.out"
	return $rc
}

# at TIME CMD...: run CMD with the clock at TIME.
at() { QMB_NOW=$1 "${@:2}"; }

# ---- new -----------------------------------------------------------------

@test "new: prints only the id when stdout is not a terminal" {
	run -0 --separate-stderr qmb-session new SalesModel
	[[ "$output" =~ ^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]]
	[ -z "$stderr" ]
	[ "$(sj "$output" .project_name)" = SalesModel ]
	[ "$(sj "$output" .current_stage)" = A ]
	[ "$(audit_types "$output")" = "session_created " ]
}

@test "new: ids are time-ordered" {
	local a b
	a=$(at 2026-01-21T10:00:00.000Z qmb-session new P)
	b=$(at 2026-01-21T10:00:00.001Z qmb-session new P)
	[[ "$a" < "$b" ]]
}

@test "new: on a terminal says what was created" {
	run -0 on_tty qmb-session new SalesModel </dev/null
	assert_line "Session created: SalesModel"
	refute_line --partial "Project:"
	assert_line --regexp '^  ID: [0-9a-f-]{36}$'
	assert_line "Stage A: Configuration - ready to build"
}

@test "new --json: one summary object" {
	run -0 --separate-stderr qmb-session --json new SalesModel --model-type snowflake
	[ "${#lines[@]}" -eq 1 ]
	jq -e '.project_name == "SalesModel" and .model_type == "snowflake"
	    and .status == "active" and .current_stage == "A"
	    and .completed_stages == [] and .progress == 0 and .revision == 1
	    and .user_id == "tester@example.com"' <<<"$output"
	[ -e "$(sess_file "$(jq -r .session_id <<<"$output")")" ]
}

@test "new --model-type: a bad type is a usage error and creates nothing" {
	run -2 --separate-stderr qmb-session new SalesModel --model-type galaxy
	[ -z "$output" ]
	[[ "$stderr" == *"unknown model type 'galaxy'"* ]]
	[ ! -e "$QMB_PROJECT_DIR/.qmb/sessions" ] ||
	    [ -z "$(ls "$QMB_PROJECT_DIR/.qmb/sessions")" ]
}

@test "new: a project name with a control character is refused" {
	run -2 --separate-stderr qmb-session new $'Sales\tModel'
	[ -z "$output" ]
	[[ "$stderr" == *"control character"* ]]
}

# ---- start ---------------------------------------------------------------

@test "start: without a saved session creates one" {
	run -0 --separate-stderr qmb-session start SalesModel
	[ "$(sj "$output" .project_name)" = SalesModel ]
	[ "$(audit_types "$output")" = "session_created " ]
}

@test "start: a saved session and no decision off a terminal exits 10" {
	at $T0 new_session SalesModel
	at $T0 approve_upto "$id" B
	run -10 --separate-stderr at 2026-01-21T10:10:00.000Z \
	    qmb-session start SalesModel </dev/null
	assert_line "Found saved session:"
	assert_line "  Project: SalesModel"
	assert_line "  ID: $id"
	assert_line "  Progress: Stage C (2/6 done)"
	assert_line "  Last saved: 10 minutes ago"
	[ "$(ls "$QMB_PROJECT_DIR/.qmb/sessions" | grep -c '\.json$')" -eq 1 ]
	[ "$(audit_types "$id")" = "session_created stage_approved stage_approved " ]
}

@test "start --json: undecided prints the session and exits 10" {
	new_session SalesModel
	run -10 --separate-stderr qmb-session --json start SalesModel
	jq -e --arg id "$id" '.session_id == $id and .decision == "needed"' <<<"$output"
}

@test "start --resume: resumes the saved session" {
	new_session SalesModel
	approve_upto "$id" B
	run -0 --separate-stderr qmb-session start SalesModel --resume
	assert_line "✓ Session restored: SalesModel"
	assert_line "Continuing from Stage C..."
	[ "$(jq -r .type "$(audit_file "$id")" | tail -n 1)" = session_resumed ]
}

@test "start --new: archives the old session and creates a new one" {
	local newid
	new_session SalesModel
	approve_upto "$id" B
	run -0 --separate-stderr qmb-session start --new SalesModel
	newid=$output
	[ "$newid" != "$id" ]
	[[ "$stderr" == *"Archived session $id"* ]]
	[ -f "$QMB_PROJECT_DIR/.qmb/archive/sessions/$id.json" ]
	[ ! -e "$(sess_file "$id")" ]
	[ "$(sj "$newid" .current_stage)" = A ]
	[ "$(jq -r .type "$(audit_file "$id")" | tail -n 1)" = session_archived ]
}

@test "start: --resume with --new is a usage error" {
	new_session SalesModel
	run -2 --separate-stderr qmb-session start SalesModel --resume --new
	[ -z "$output" ]
	[[ "$stderr" == *"exclude each other"* ]]
	[ "$(audit_types "$id")" = "session_created " ]
}

@test "start: another project's session is not offered" {
	new_session Inventory
	run -0 --separate-stderr qmb-session start SalesModel
	[ "$output" != "$id" ]
	[ "$(sj "$output" .project_name)" = SalesModel ]
}

@test "start on a terminal: 'c' continues" {
	new_session SalesModel
	approve_upto "$id" B
	run -0 on_tty qmb-session start SalesModel <<<c
	assert_line "Found saved session:"
	assert_line "  Progress: Stage C (2/6 done)"
	assert_output --partial "[c]ontinue  [s]tart over  [v]iew saved?"
	assert_line --partial "✓ Session restored: SalesModel"
	assert_line "Continuing from Stage C..."
	[ "$(jq -r .type "$(audit_file "$id")" | tail -n 1)" = session_resumed ]
}

@test "start on a terminal: 'v' shows the stages, then 'c' continues" {
	new_session SalesModel
	approve_upto "$id" B
	run -0 on_tty qmb-session start SalesModel < <(printf 'v\nc\n')
	assert_line "○ Stage D: Link Tables - pending"
	assert_line --partial "✓ Session restored: SalesModel"
	[ "$(grep -cF '[v]iew saved?' <<<"$output")" -eq 2 ]
	[ "$(jq -r .type "$(audit_file "$id")" | tail -n 1)" = session_resumed ]
}

@test "start on a terminal: 's' starts over and keeps the old session" {
	new_session SalesModel
	approve_upto "$id" B
	run -0 on_tty qmb-session start SalesModel <<<s
	assert_line "Session created: SalesModel"
	[ -f "$QMB_PROJECT_DIR/.qmb/archive/sessions/$id.json" ]
	[ ! -e "$(sess_file "$id")" ]
	run -0 --separate-stderr qmb-session list --json
	[ "${#lines[@]}" -eq 1 ]
	jq -e --arg id "$id" '.session_id != $id and .current_stage == "A"' <<<"$output"
}

# ---- list ----------------------------------------------------------------

@test "list: human format, newest first, relative times" {
	local a b
	a=$(at 2026-01-19T10:00:00.000Z qmb-session new InventoryModel)
	b=$(at $T0 qmb-session new SalesModel)
	at $T0 approve_upto "$b" B
	run -0 --separate-stderr at 2026-01-21T10:10:00.000Z qmb-session list
	[ "${lines[0]}" = "Found 2 saved sessions:" ]
	[ "${lines[1]}" = "1. SalesModel" ]
	[ "${lines[2]}" = "   ID: $b" ]
	[ "${lines[3]}" = "   Progress: Stage C (2/6 done) - 33%" ]
	[ "${lines[4]}" = "   Last saved: 10 minutes ago" ]
	[ "${lines[5]}" = "2. InventoryModel" ]
	[ "${lines[6]}" = "   ID: $a" ]
	[ "${lines[8]}" = "   Last saved: 2 days ago" ]
	[ -z "$stderr" ]
}

@test "list: one session says 'session', not 'sessions'" {
	new_session SalesModel
	run -0 --separate-stderr qmb-session list
	[ "${lines[0]}" = "Found 1 saved session:" ]
}

@test "list: an empty project says so" {
	run -0 --separate-stderr qmb-session list
	[ "$output" = "No saved sessions." ]
	[ ! -e "$QMB_PROJECT_DIR/.qmb" ]
}

@test "list --json: JSON Lines, one object per session" {
	local a b
	a=$(qmb-session new SalesModel)
	b=$(qmb-session new Inventory)
	approve_upto "$a" B
	run -0 --separate-stderr qmb-session list --json
	[ "${#lines[@]}" -eq 2 ]
	for l in "${lines[@]}"; do jq -e 'type == "object"' <<<"$l"; done
	jq -se --arg a "$a" --arg b "$b" 'map(.session_id) | sort == ([$a, $b] | sort)' <<<"$output"
	jq -se --arg a "$a" '.[] | select(.session_id == $a)
	    | .progress == 33 and .current_stage == "C"
	    and .completed_stages == ["A","B"]
	    and (.updated_at | test("^[0-9-]{10}T[0-9:.]{12}Z$"))' <<<"$output"
}

@test "list: complete sessions only with --all" {
	new_session Done
	approve_upto "$id" F
	add_review "$id"
	qmb-session complete "$id" >/dev/null
	run -0 --separate-stderr qmb-session list
	[ "$output" = "No saved sessions." ]
	run -0 --separate-stderr qmb-session list --all
	assert_line "   Progress: Complete (6/6 done) - 100%"
	run -0 --separate-stderr qmb-session list --all --json
	jq -e '.status == "complete" and .progress == 100' <<<"$output"
}

@test "list --project: only that project" {
	local a
	a=$(qmb-session new SalesModel)
	qmb-session new Inventory >/dev/null
	run -0 --separate-stderr qmb-session list --project SalesModel --json
	[ "${#lines[@]}" -eq 1 ]
	[ "$(jq -r .session_id <<<"$output")" = "$a" ]
	run -0 --separate-stderr qmb-session list --project Nothing
	[ "$output" = "No saved sessions." ]
}

@test "list: a damaged session is listed as damaged with a warning" {
	local bad
	new_session Good
	bad=$(qmb-session new Broken)
	printf '{"version":1,' >"$(sess_file "$bad")"
	run -0 --separate-stderr qmb-session list
	assert_line "Found 1 saved session:"
	assert_line "   ID: $id"
	assert_line "Damaged: $bad"
	[[ "$stderr" == *"warning: 1 damaged session"*"qmb-recover"* ]]
	run -0 --separate-stderr qmb-session list --json
	[ "${#lines[@]}" -eq 2 ]
	jq -se --arg b "$bad" --arg g "$id" '
	    (map(select(.session_id == $b))[0].status == "damaged") and
	    (map(select(.session_id == $g))[0].status == "active")' <<<"$output"
}

# ---- show ----------------------------------------------------------------

@test "show: stages, table counts, pending tables, where to continue" {
	new_session SalesModel
	part A | qmb-session approve "$id" A - >/dev/null
	part B 2 | qmb-session approve "$id" B - >/dev/null
	qmb-session tables "$id" add FACT_Orders FACT_Returns >/dev/null
	run -0 --separate-stderr qmb-session show "$id"
	assert_line "Session: SalesModel"
	assert_line "ID: $id"
	assert_line "Status: active"
	assert_line "Model type: (not chosen)"
	assert_line "Progress: Stage C (2/6 done)"
	assert_line --regexp '^Last saved: just now \([0-9-]{10}T[0-9:.]{12}Z\)$'
	assert_line "✅ Stage A: Configuration (approved)"
	assert_line "✅ Stage B: Dimensions - 2 tables (approved)"
	assert_line "○ Stage C: Facts - ready to build"
	assert_line "○ Stage D: Link Tables - pending"
	assert_line "○ Stage F: STORE & Cleanup - pending"
	assert_line "Pending tables: FACT_Orders, FACT_Returns"
	assert_line "Continuing from Stage C..."
	[ -z "$stderr" ]
}

@test "show --json: the full state" {
	new_session SalesModel
	approve_upto "$id" C
	qmb-session set-model "$id" star_schema >/dev/null
	run -0 --separate-stderr qmb-session show --json "$id"
	[ "${#lines[@]}" -eq 1 ]
	[ "$(jq -S . <<<"$output")" = "$(jq -S . "$(sess_file "$id")")" ]
}

@test "show: a damaged session file with a good .bak shows the backup" {
	new_session SalesModel
	approve_upto "$id" B
	printf 'garbage' >"$(sess_file "$id")"
	run -0 --separate-stderr qmb-session show "$id"
	assert_line "Progress: Stage B (1/6 done)"
	[[ "$stderr" == *"warning: session '$id' is damaged; showing its backup"* ]]
	[ "$(cat "$(sess_file "$id")")" = garbage ]
}

@test "show: an unknown session is not found" {
	run -3 --separate-stderr qmb-session show 0123abc
	[ -z "$output" ]
	[[ "$stderr" == "qmb-session: "*"0123abc"* ]]
}

# ---- resume --------------------------------------------------------------

@test "resume: the restore view, and session_resumed in the audit" {
	new_session SalesModel
	part A | qmb-session approve "$id" A - >/dev/null
	part B 3 | qmb-session approve "$id" B - >/dev/null
	run -0 --separate-stderr qmb-session resume "$id"
	[ "${lines[0]}" = "✓ Session restored: SalesModel" ]
	assert_line "Progress recovered:"
	assert_line "✅ Stage A: Configuration (approved)"
	assert_line "✅ Stage B: Dimensions - 3 tables (approved)"
	assert_line "○ Stage C: Facts - ready to build"
	assert_line "○ Stage D-F: Pending"
	assert_line "Continuing from Stage C..."
	[ "$(jq -r .type "$(audit_file "$id")" | tail -n 1)" = session_resumed ]
	check_invariants "$id"
}

@test "resume: a session idle for more than 7 days is warned about" {
	at $T0 new_session SalesModel
	run -0 --separate-stderr at 2026-01-30T10:00:00.000Z qmb-session resume "$id"
	[[ "$stderr" == *"warning: session '$id' has been idle for 9 days"* ]]
	run -0 --separate-stderr at 2026-01-31T10:00:00.000Z qmb-session resume "$id"
	[ -z "$stderr" ]
}

@test "resume --json: a summary with a message" {
	new_session SalesModel
	run -0 --separate-stderr qmb-session resume "$id" --json
	jq -e --arg id "$id" '.session_id == $id and .message == "Session restored"' <<<"$output"
}

# ---- approve -------------------------------------------------------------

@test "approve: from a FILE" {
	new_session
	part A >"$BATS_TEST_TMPDIR/a.qvs"
	run -0 --separate-stderr qmb-session approve "$id" A "$BATS_TEST_TMPDIR/a.qvs"
	[ "$output" = "Stage A: Configuration approved. Next: Stage B: Dimensions." ]
	[ "$(sj "$id" .approved_script_parts.A)" = "$(cat "$BATS_TEST_TMPDIR/a.qvs")" ]
	[ "$(sj "$id" .current_stage)" = B ]
	check_invariants "$id"
}

@test "approve: from '-' (standard input)" {
	new_session
	run -0 --separate-stderr qmb-session approve "$id" A - < <(part A)
	[ "$(sj "$id" .approved_script_parts.A)" = "$(part A)" ]
}

@test "approve: from standard input without an operand" {
	new_session
	run -0 --separate-stderr qmb-session approve "$id" A < <(part A)
	[ "$(sj "$id" '.completed_stages | join("")')" = A ]
	[ "$(sj "$id" .approved_script_parts.A)" = "$(part A)" ]
}

@test "approve: the audit keeps the part's content and hash" {
	new_session
	part A >"$BATS_TEST_TMPDIR/a.qvs"
	qmb-session approve "$id" A "$BATS_TEST_TMPDIR/a.qvs" >/dev/null
	tail -n 1 "$(audit_file "$id")" | jq -e --arg c "$(part A)" \
	    --arg h "$(sha256sum <"$BATS_TEST_TMPDIR/a.qvs" | cut -c1-64)" '
	    .type == "stage_approved" and .details.stage == "A"
	    and .details.content == ($c + "\n") and .details.script_sha256 == $h'
}

@test "approve: re-approving the latest stage replaces its part" {
	new_session
	approve_upto "$id" B
	run -0 --separate-stderr qmb-session approve "$id" B < <(part B 4)
	[[ "$output" == "Stage B: Dimensions re-approved. Next: Stage C: Facts." ]]
	[ "$(sj "$id" .approved_script_parts.B)" = "$(part B 4)" ]
	[ "$(sj "$id" '.completed_stages | length')" -eq 2 ]
	check_invariants "$id"
}

@test "approve: a stage out of order is a conflict (4)" {
	new_session
	approve_upto "$id" A
	run -4 --separate-stderr qmb-session approve "$id" C < <(part C)
	[ -z "$output" ]
	[[ "$stderr" == *"stage order violated"*"approve stage B"* ]]
	[ "$(sj "$id" .current_stage)" = B ]
	[ "$(wc -l <"$(audit_file "$id")")" -eq 2 ]
}

@test "approve: an approved stage that is not the latest is a conflict (4)" {
	new_session
	approve_upto "$id" C
	cp "$(sess_file "$id")" "$BATS_TEST_TMPDIR/before"
	run -4 --separate-stderr qmb-session approve "$id" A < <(part A 2)
	[[ "$stderr" == *"revert to A first"* ]]
	cmp "$(sess_file "$id")" "$BATS_TEST_TMPDIR/before"
}

@test "approve: an empty part is a usage error" {
	new_session
	run -2 --separate-stderr qmb-session approve "$id" A < <(printf ' \n\t\r\n')
	[[ "$stderr" == *"the script part is empty"* ]]
	[ "$(sj "$id" '.completed_stages | length')" -eq 0 ]
}

@test "approve: invalid UTF-8 is a usage error" {
	new_session
	run -2 --separate-stderr qmb-session approve "$id" A < <(printf 'T:\nLOAD \xff\xfe;\n')
	[[ "$stderr" == *"not valid UTF-8"* ]]
	[ "$(wc -l <"$(audit_file "$id")")" -eq 1 ]
}

@test "approve: a NUL byte is a usage error" {
	new_session
	run -2 --separate-stderr qmb-session approve "$id" A < <(printf 'T:\nLOAD\0 1;\n')
	[[ "$stderr" == *"NUL byte"* ]]
	[ "$(wc -l <"$(audit_file "$id")")" -eq 1 ]
}

@test "approve: a missing FILE is not found (3)" {
	new_session
	run -3 --separate-stderr qmb-session approve "$id" A "$BATS_TEST_TMPDIR/nope.qvs"
	[[ "$stderr" == *"nope.qvs"* ]]
	[ "$(sj "$id" .current_stage)" = A ]
}

@test "approve: a lowercase stage letter is accepted" {
	new_session
	approve_upto "$id" A
	run -0 --separate-stderr qmb-session approve "$id" b < <(part B)
	[ "$(sj "$id" '.completed_stages | join("")')" = AB ]
}

@test "approve: stage G is a usage error" {
	new_session
	run -2 --separate-stderr qmb-session approve "$id" G < <(part G)
	[[ "$stderr" == *"invalid stage 'G'"* ]]
	[ -z "$output" ]
}

@test "approve: after F, all six stages are done" {
	new_session
	approve_upto "$id" E
	run -0 --separate-stderr qmb-session approve "$id" F < <(part F)
	[[ "$output" == *"All six stages done"* ]]
	[ "$(sj "$id" .current_stage)" = F ]
	[ "$(sj "$id" '.completed_stages | join("")')" = ABCDEF ]
	run -0 --separate-stderr qmb-session show "$id"
	assert_line "Progress: Stage F (6/6 done, pending review)"
	check_invariants "$id"
}

@test "approve: stdin on a terminal is refused" {
	new_session
	run -2 on_tty qmb-session approve "$id" A </dev/null
	assert_output --partial "not a terminal"
	[ "$(sj "$id" .current_stage)" = A ]
}

@test "approve --json and -q" {
	new_session
	run -0 --separate-stderr qmb-session --json approve "$id" A < <(part A)
	jq -e '.current_stage == "B" and .completed_stages == ["A"]
	    and (.message | startswith("Stage A"))' <<<"$output"
	run -0 --separate-stderr qmb-session -q approve "$id" B < <(part B)
	[ -z "$output" ]
	[ "$(sj "$id" .current_stage)" = C ]
}

# ---- revert --------------------------------------------------------------

@test "revert: withdraws the stage and every later one" {
	new_session
	approve_upto "$id" D
	run -0 --separate-stderr qmb-session revert "$id" B
	[[ "$output" == *"Reverted to Stage B"*"3 stages withdrawn"* ]]
	[ "$(sj "$id" '.completed_stages | join("")')" = A ]
	[ "$(sj "$id" '.approved_script_parts | keys | join("")')" = A ]
	[ "$(sj "$id" .current_stage)" = B ]
	# the withdrawn parts stay in the audit trail
	[ "$(jq -r 'select(.type == "stage_approved") | .details.stage' \
	    "$(audit_file "$id")" | tr -d '\n')" = ABCD ]
	grep -q 'D_Table:' "$(audit_file "$id")"
	tail -n 1 "$(audit_file "$id")" | jq -e '.type == "stage_reverted"
	    and .details.stage == "B" and .details.stages_withdrawn == 3'
	check_invariants "$id"
}

@test "revert: then the stage can be approved again" {
	new_session
	approve_upto "$id" C
	qmb-session revert "$id" c >/dev/null
	run -0 --separate-stderr qmb-session approve "$id" C < <(part C 2)
	[ "$(sj "$id" .approved_script_parts.C)" = "$(part C 2)" ]
	check_invariants "$id"
}

@test "revert: a stage that is not approved is a conflict (4)" {
	new_session
	approve_upto "$id" A
	run -4 --separate-stderr qmb-session revert "$id" B
	[[ "$stderr" == *"not approved"* ]]
	[ "$(wc -l <"$(audit_file "$id")")" -eq 2 ]
}

# ---- set-model -----------------------------------------------------------

@test "set-model: every valid type" {
	new_session
	for t in star_schema snowflake link_table concatenated; do
		run -0 --separate-stderr qmb-session set-model "$id" "$t"
		[ "$output" = "Model type set to $t." ]
		[ "$(sj "$id" .model_type)" = "$t" ]
	done
	tail -n 1 "$(audit_file "$id")" | jq -e '.type == "model_type_selected"
	    and .details.model_type == "concatenated"
	    and .details.previous == "link_table"'
	check_invariants "$id"
}

@test "set-model: a bad type is a usage error" {
	new_session
	run -2 --separate-stderr qmb-session set-model "$id" Star_Schema
	[[ "$stderr" == *"unknown model type"* ]]
	[ "$(sj "$id" .model_type)" = null ]
}

@test "set-model: the same type again writes no audit entry" {
	new_session
	qmb-session set-model "$id" snowflake >/dev/null
	cp "$(audit_file "$id")" "$BATS_TEST_TMPDIR/audit"
	run -0 --separate-stderr qmb-session set-model "$id" snowflake
	[ "$output" = "Model type is already snowflake." ]
	cmp "$(audit_file "$id")" "$BATS_TEST_TMPDIR/audit"
}

# ---- tables --------------------------------------------------------------

@test "tables: without an operation lists the pending tables" {
	new_session
	run -0 --separate-stderr qmb-session tables "$id"
	[ -z "$output" ]
	[ "$stderr" = "No pending tables." ]
	qmb-session tables "$id" add FACT_Orders DIM_Customers >/dev/null
	run -0 --separate-stderr qmb-session tables "$id"
	[ "$output" = $'FACT_Orders\nDIM_Customers' ]
}

@test "tables add: appends and removes duplicates" {
	new_session
	qmb-session tables "$id" add X Y >/dev/null
	run -0 --separate-stderr qmb-session tables "$id" add Y Z Z
	[ "$output" = $'X\nY\nZ' ]
	[ "$(sj "$id" '.pending_tables | join(",")')" = X,Y,Z ]
	check_invariants "$id"
}

@test "tables remove: removes; a missing name is not found (3)" {
	new_session
	qmb-session tables "$id" add X Y Z >/dev/null
	run -0 --separate-stderr qmb-session tables "$id" remove Y
	[ "$(sj "$id" '.pending_tables | join(",")')" = X,Z ]
	run -3 --separate-stderr qmb-session tables "$id" remove Q
	[[ "$stderr" == *"table 'Q' is not pending"* ]]
	[ "$(sj "$id" '.pending_tables | join(",")')" = X,Z ]
}

@test "tables set: replaces the list; with no names clears it" {
	new_session
	qmb-session tables "$id" add X Y >/dev/null
	run -0 --separate-stderr qmb-session tables "$id" set B A
	[ "$(sj "$id" '.pending_tables | join(",")')" = B,A ]
	run -0 --separate-stderr qmb-session tables "$id" set
	[ "$(sj "$id" '.pending_tables | length')" -eq 0 ]
	tail -n 1 "$(audit_file "$id")" | jq -e '.type == "tables_changed"
	    and .details.op == "set" and .details.pending_tables == []'
}

@test "tables add without names is a usage error" {
	new_session
	run -2 --separate-stderr qmb-session tables "$id" add
	[[ "$stderr" == *"needs table names"* ]]
	[ "$(wc -l <"$(audit_file "$id")")" -eq 1 ]
}

@test "tables: an unknown operation is a usage error" {
	new_session
	run -2 --separate-stderr qmb-session tables "$id" drop X
	[[ "$stderr" == *"unknown tables operation 'drop'"* ]]
}

@test "tables --json: the summary with the pending tables" {
	new_session
	run -0 --separate-stderr qmb-session --json tables "$id" add X
	jq -e '.pending_tables == ["X"]' <<<"$output"
}

# ---- script --------------------------------------------------------------

@test "script: parts A..F in order, each ending with a newline" {
	new_session
	for s in A B C D E F; do
		printf '%s_T:\nLOAD %s;' "$s" "$s" | qmb-session approve "$id" "$s" - >/dev/null
	done
	run -0 --separate-stderr qmb-session script "$id"
	[ "$output" = "$(for s in A B C D E F; do printf '%s_T:\nLOAD %s;\n' "$s" "$s"; done)" ]
	[ "$(qmb-session script "$id" | tail -c 1 | od -An -c | tr -d ' ')" = '\n' ]
}

@test "script: only the approved stages so far" {
	new_session
	approve_upto "$id" B
	run -0 --separate-stderr qmb-session script "$id"
	[ "$output" = "$(sj "$id" '.approved_script_parts | .A + .B')" ]
	assert_line A_Table:
	assert_line B_Table:
	refute_line C_Table:
}

@test "script --stage: one part; an unapproved stage is not found (3)" {
	new_session
	part A >"$BATS_TEST_TMPDIR/a"
	part B 2 >"$BATS_TEST_TMPDIR/b"
	qmb-session approve "$id" A "$BATS_TEST_TMPDIR/a" >/dev/null
	qmb-session approve "$id" B "$BATS_TEST_TMPDIR/b" >/dev/null
	run -0 --separate-stderr qmb-session script "$id" --stage B
	[ "$output" = "$(cat "$BATS_TEST_TMPDIR/b")" ]
	run -3 --separate-stderr qmb-session script "$id" --stage C
	[[ "$stderr" == *"stage C"*"not approved"* ]]
	run -2 --separate-stderr qmb-session script "$id" --stage Z
	[[ "$stderr" == *"invalid stage"* ]]
}

@test "script --json: script_sha256 is the sha256 of the plain output" {
	new_session
	approve_upto "$id" D
	run -0 --separate-stderr qmb-session script "$id" --json
	[ "${#lines[@]}" -eq 1 ]
	[ "$(jq -r .script_sha256 <<<"$output")" = "$(script_sha "$id")" ]
	[ "$(jq -j .script <<<"$output")" = "$(qmb-session script "$id")" ]
	jq -e --arg id "$id" '.session_id == $id' <<<"$output"
}

# ---- export, import ------------------------------------------------------

@test "export: the session file's content, valid JSON" {
	new_session
	approve_upto "$id" C
	qmb-session export "$id" >"$BATS_TEST_TMPDIR/e.json"
	cmp "$BATS_TEST_TMPDIR/e.json" "$(sess_file "$id")"
	jq -e .version "$BATS_TEST_TMPDIR/e.json"
}

@test "export --json: compact, one line" {
	new_session
	approve_upto "$id" B
	run -0 --separate-stderr qmb-session export --json "$id"
	[ "${#lines[@]}" -eq 1 ]
	[ "$output" = "$(jq -c . "$(sess_file "$id")")" ]
}

@test "import: round trip into a fresh project" {
	local other="$BATS_TEST_TMPDIR/other"
	new_session SalesModel
	approve_upto "$id" C
	qmb-session tables "$id" add FACT_Orders >/dev/null
	qmb-session set-model "$id" snowflake >/dev/null
	qmb-session export "$id" >"$BATS_TEST_TMPDIR/e.json"
	mkdir "$other"
	run -0 --separate-stderr qmb-session -C "$other" import "$BATS_TEST_TMPDIR/e.json"
	[ "$output" = "Imported session $id (SalesModel)." ]
	# the same state; only the bookkeeping of the new project's trail differs
	local drop='del(.audit_seq, .audit_hash, .revision, .updated_at)'
	[ "$(qmb-session show --json "$id" | jq -S "$drop")" = \
	    "$(qmb-session -C "$other" show --json "$id" | jq -S "$drop")" ]
	[ "$(qmb-session -C "$other" script "$id")" = "$(qmb-session script "$id")" ]
	QMB_PROJECT_DIR=$other check_invariants "$id"
	[ "$(jq -r .type "$other/.qmb/audit/$id.audit.json")" = session_imported ]
}

@test "import: over an existing session needs --force" {
	new_session
	approve_upto "$id" B
	qmb-session export "$id" >"$BATS_TEST_TMPDIR/e.json"
	qmb-session revert "$id" B >/dev/null
	run -4 --separate-stderr qmb-session import "$BATS_TEST_TMPDIR/e.json"
	[[ "$stderr" == *"exists"*"--force"* ]]
	[ "$(sj "$id" '.completed_stages | join("")')" = A ]
	run -0 --separate-stderr qmb-session import --force "$BATS_TEST_TMPDIR/e.json"
	[ "$(sj "$id" '.completed_stages | join("")')" = AB ]
	verify_audit "$id"
	[ "$(tail -n 1 "$(audit_file "$id")" | jq -r .type)" = session_imported ]
}

@test "import --force: the revision still grows by one" {
	new_session
	approve_upto "$id" B
	qmb-session export "$id" >"$BATS_TEST_TMPDIR/e.json"
	qmb-session revert "$id" B >/dev/null
	run -0 --separate-stderr qmb-session import --force "$BATS_TEST_TMPDIR/e.json"
	[ "$(sj "$id" .revision)" -eq 5 ]
	check_invariants "$id"
}

@test "import: from standard input" {
	local other="$BATS_TEST_TMPDIR/other"
	new_session
	mkdir "$other"
	run -0 --separate-stderr qmb-session -C "$other" import - < <(qmb-session export "$id")
	[ -f "$other/.qmb/sessions/$id.json" ]
}

@test "import: corrupt JSON is a usage error with a message" {
	printf '{"version":1,' >"$BATS_TEST_TMPDIR/c.json"
	run -2 --separate-stderr qmb-session import "$BATS_TEST_TMPDIR/c.json"
	[ -z "$output" ]
	[[ "$stderr" == "qmb-session: import '"*"c.json': invalid JSON"* ]]
	[ -z "$(ls "$QMB_PROJECT_DIR/.qmb/sessions" 2>/dev/null | grep json)" ]
}

@test "import: missing fields are a usage error" {
	new_session
	qmb-session export "$id" | jq 'del(.audit_hash)' >"$BATS_TEST_TMPDIR/m.json"
	run -2 --separate-stderr qmb-session import --force "$BATS_TEST_TMPDIR/m.json"
	[[ "$stderr" == *"missing field 'audit_hash'"* ]]
}

@test "import: a newer version is refused" {
	new_session
	qmb-session export "$id" | jq '.version = 2' >"$BATS_TEST_TMPDIR/v.json"
	cp "$(sess_file "$id")" "$BATS_TEST_TMPDIR/before"
	run -2 --separate-stderr qmb-session import --force "$BATS_TEST_TMPDIR/v.json"
	[[ "$stderr" == *"newer"* ]]
	cmp "$(sess_file "$id")" "$BATS_TEST_TMPDIR/before"
}

@test "import: an unknown field is a usage error" {
	new_session
	qmb-session export "$id" | jq '.colour = "blue"' >"$BATS_TEST_TMPDIR/u.json"
	run -2 --separate-stderr qmb-session import --force "$BATS_TEST_TMPDIR/u.json"
	[[ "$stderr" == *"unknown field 'colour'"* ]]
}

@test "import: a missing file is not found (3)" {
	run -3 --separate-stderr qmb-session import "$BATS_TEST_TMPDIR/nope.json"
	[[ "$stderr" == *"nope.json"* ]]
}

# ---- complete ------------------------------------------------------------

@test "complete: before all six stages is a conflict (4)" {
	new_session
	approve_upto "$id" E
	run -4 --separate-stderr qmb-session complete "$id"
	[[ "$stderr" == *"5 of 6 stages"*"approve stage F"* ]]
	[ ! -e "$QMB_PROJECT_DIR/stage2_output" ]
}

@test "complete: without a review is not found (3) and names qmb-review" {
	new_session
	approve_upto "$id" F
	run -3 --separate-stderr qmb-session complete "$id"
	[[ "$stderr" == *"no review"*"qmb-review run $id"* ]]
	[ "$(sj "$id" .status)" = active ]
	[ ! -e "$QMB_PROJECT_DIR/stage2_output" ]
}

@test "complete: with a review of the current script" {
	local out="$QMB_PROJECT_DIR/stage2_output"
	new_session SalesModel
	approve_upto "$id" F
	add_review "$id" 95
	run -0 --separate-stderr qmb-session complete "$id"
	[ "$output" = "✅ Complete! Score: 95/100" ]
	[ "$(sj "$id" .status)" = complete ]
	cmp "$out/script.qvs" <(qmb-session script "$id")
	jq -e --arg id "$id" --arg sha "$(script_sha "$id")" '
	    .session_id == $id and .project_name == "SalesModel"
	    and (.stages | length) == 6 and .script_sha256 == $sha
	    and .review.score == 95' "$out/model.json"
	jq -e '.score == 95 and .source == "gemini" and .review_status == "approved"' \
	    "$out/gemini_review.json"
	[ "$(jq -r .type "$(audit_file "$id")" | tail -n 1)" = script_approved ]
	[ "$(stat -c %a "$out")" = 700 ]
	[ "$(stat -c %a "$out/model.json")" = 600 ]
	check_invariants "$id"
}

@test "complete: a review of another script does not count" {
	new_session
	approve_upto "$id" F
	add_review "$id" 99 "$(printf 'other' | sha256sum | cut -c1-64)"
	run -3 --separate-stderr qmb-session complete "$id"
	[[ "$stderr" == *"no review of the current script"* ]]
}

@test "complete: a re-approval after the review makes it stale" {
	new_session
	approve_upto "$id" F
	add_review "$id" 95
	qmb-session approve "$id" F < <(part F 2) >/dev/null
	run -3 --separate-stderr qmb-session complete "$id"
	[[ "$stderr" == *"no review"* ]]
}

@test "complete --min-score: a lower score fails (1)" {
	new_session
	approve_upto "$id" F
	add_review "$id" 80
	run -1 --separate-stderr qmb-session complete "$id" --min-score 81
	[[ "$stderr" == *"score 80 is below --min-score 81"* ]]
	[ "$(sj "$id" .status)" = active ]
	run -0 --separate-stderr qmb-session complete "$id" --min-score 80
	[ "$(sj "$id" .status)" = complete ]
}

@test "complete --min-score: out of range is a usage error" {
	run -2 --separate-stderr qmb-session complete someid --min-score 101
	[[ "$stderr" == *"--min-score"* ]]
}

@test "complete: again is fine and says so" {
	new_session
	approve_upto "$id" F
	add_review "$id"
	qmb-session complete "$id" >/dev/null
	cp "$(audit_file "$id")" "$BATS_TEST_TMPDIR/audit"
	run -0 --separate-stderr qmb-session complete "$id"
	[[ "$output" == *"already complete"* ]]
	cmp "$(audit_file "$id")" "$BATS_TEST_TMPDIR/audit"
}

@test "complete: a complete session refuses every change (4)" {
	new_session
	approve_upto "$id" F
	add_review "$id"
	qmb-session complete "$id" >/dev/null
	cp "$(sess_file "$id")" "$BATS_TEST_TMPDIR/before"
	run -4 --separate-stderr qmb-session approve "$id" F < <(part F)
	[[ "$stderr" == *"is complete"* ]]
	run -4 --separate-stderr qmb-session revert "$id" F
	run -4 --separate-stderr qmb-session tables "$id" add X
	run -4 --separate-stderr qmb-session set-model "$id" snowflake
	cmp "$(sess_file "$id")" "$BATS_TEST_TMPDIR/before"
	run -0 --separate-stderr qmb-session tables "$id"
}

# ---- archive -------------------------------------------------------------

@test "archive: moves the session and its .bak to .qmb/archive/sessions" {
	local arch="$QMB_PROJECT_DIR/.qmb/archive/sessions"
	new_session
	approve_upto "$id" B
	run -0 --separate-stderr qmb-session archive "$id"
	[[ "$output" == "Archived session $id"* ]]
	[ -f "$arch/$id.json" ]
	[ -f "$arch/$id.json.bak" ]
	[ ! -e "$(sess_file "$id")" ]
	[ ! -e "$(sess_file "$id").bak" ]
	[ "$(stat -c %a "$arch")" = 700 ]
	[ "$(jq -r .type "$(audit_file "$id")" | tail -n 1)" = session_archived ]
	run -0 --separate-stderr qmb-session list
	[ "$output" = "No saved sessions." ]
	# shown and listed as archived, changed by nothing
	run -0 --separate-stderr qmb-session show "$id"
	[[ $output == *"Status: archived"* ]]
	run -0 --separate-stderr qmb-session list --all
	[[ $output == *"Archived:"*"$id"*"(archived)"* ]]
	run -3 --separate-stderr qmb-session archive "$id"
	run -3 --separate-stderr qmb-session tables "$id" add X
}

@test "archive --json: one object" {
	new_session
	run -0 --separate-stderr qmb-session --json archive "$id"
	jq -e --arg id "$id" '.session_id == $id and .status == "archived"' <<<"$output"
}

# ---- common options ------------------------------------------------------

@test "-C DIR chooses the project" {
	local other="$BATS_TEST_TMPDIR/other"
	mkdir "$other"
	run -0 --separate-stderr qmb-session -C "$other" new SalesModel
	[ -f "$other/.qmb/sessions/$output.json" ]
	[ ! -e "$QMB_PROJECT_DIR/.qmb" ]
}

@test "without -C or QMB_PROJECT_DIR the nearest .qmb upward is used" {
	new_session
	mkdir -p "$QMB_PROJECT_DIR/a/b"
	cd "$QMB_PROJECT_DIR/a/b"
	run -0 --separate-stderr env -u QMB_PROJECT_DIR qmb-session list --json
	[ "$(jq -r .session_id <<<"$output")" = "$id" ]
}

@test "options may follow the subcommand and its operands" {
	new_session
	run -0 --separate-stderr qmb-session show "$id" --json -C "$QMB_PROJECT_DIR"
	jq -e --arg id "$id" '.session_id == $id' <<<"$output"
}

@test "--user: recorded in the audit and the log" {
	new_session
	qmb-session --user alice@example.com set-model "$id" snowflake >/dev/null
	[ "$(tail -n 1 "$(audit_file "$id")" | jq -r .user_id)" = alice@example.com ]
	[ "$(tail -n 1 "$(log_file "$id")" | jq -r .user_id)" = alice@example.com ]
	[ "$(head -n 1 "$(audit_file "$id")" | jq -r .user_id)" = tester@example.com ]
}

@test "--wait: a held session lock makes a change fail as busy (4)" {
	new_session
	exec 8>>"$QMB_PROJECT_DIR/.qmb/sessions/$id.lock"
	flock -x 8
	run -4 --separate-stderr qmb-session --wait 0.2 approve "$id" A < <(part A)
	exec 8>&-
	[[ "$stderr" == *"busy"* ]]
	[ "$(sj "$id" .current_stage)" = A ]
	run -0 --separate-stderr qmb-session --wait 0.2 approve "$id" A < <(part A)
}

@test "--wait: a lock released in time is waited for" {
	local lk="$QMB_PROJECT_DIR/.qmb/sessions" i
	new_session
	lk="$lk/$id.lock"
	flock -x "$lk" sleep 0.5 >/dev/null 2>&1 3>&- &
	for i in $(seq 250); do flock -n "$lk" true || break; sleep 0.02; done
	[ "$i" -lt 250 ]
	run -0 --separate-stderr qmb-session --wait 10 approve "$id" A < <(part A)
	wait
	[ "$(sj "$id" .current_stage)" = B ]
}

@test "--wait: a bad value is a usage error" {
	run -2 --separate-stderr qmb-session --wait soon list
	[[ "$stderr" == *"invalid --wait"* ]]
}

@test "concurrent changes lose no update" {
	local i
	new_session
	for i in 1 2 3 4 5 6; do
		qmb-session tables "$id" add "T$i" >/dev/null &
	done
	wait
	[ "$(sj "$id" '.pending_tables | length')" -eq 6 ]
	[ "$(sj "$id" .revision)" -eq 7 ]
	check_invariants "$id"
}

@test "--help: on stdout, exit 0, every subcommand" {
	run -0 --separate-stderr qmb-session --help
	[ -z "$stderr" ]
	for c in new start list show resume approve revert set-model tables \
	    script export import complete archive; do
		assert_line --regexp "^  $c "
	done
	[[ "${lines[0]}" == usage:* ]]
}

@test "--version" {
	run -0 --separate-stderr qmb-session -V
	[[ "$output" =~ ^qmb-session\ [0-9]+\.[0-9]+ ]]
}

@test "an unknown option is a usage error: usage on stderr, nothing on stdout" {
	run -2 --separate-stderr qmb-session --frobnicate list
	[ -z "$output" ]
	[[ "$stderr" == *"usage: qmb-session"* ]]
}

@test "an unknown command is a usage error" {
	run -2 --separate-stderr qmb-session frobnicate
	[ -z "$output" ]
	[[ "$stderr" == *"unknown command 'frobnicate'"* ]]
	run -2 --separate-stderr qmb-session
	[[ "$stderr" == *"usage:"* ]]
}

@test "a wrong number of operands is a usage error" {
	run -2 --separate-stderr qmb-session show
	[[ "$stderr" == *"'show' takes more operands"* ]]
	run -2 --separate-stderr qmb-session show a b
	[[ "$stderr" == *"'show' takes fewer operands"* ]]
	run -2 --separate-stderr qmb-session approve a B c d
	run -2 --separate-stderr qmb-session list x
	run -2 --separate-stderr qmb-session new
	[ -z "$output" ]
}

@test "an option of another subcommand is a usage error" {
	new_session
	run -2 --separate-stderr qmb-session show "$id" --force
	[ -z "$output" ]
	[[ "$stderr" == *"--force does not apply to 'show'"* ]]
	run -2 --separate-stderr qmb-session approve "$id" A --all < <(part A)
	run -2 --separate-stderr qmb-session list --stage A
	[ "$(sj "$id" .current_stage)" = A ]
}

@test "a full standard output is an I/O error (6)" {
	new_session
	run -6 --separate-stderr bash -c 'qmb-session list >/dev/full'
	[[ "$stderr" == *"write to standard output"* ]]
	run -6 --separate-stderr bash -c 'qmb-session show "$1" >/dev/full' _ "$id"
	run -6 --separate-stderr bash -c 'qmb-session --help >/dev/full'
}

# ---- invariants (DESIGN 2.1) ---------------------------------------------

@test "invariants hold after every change" {
	local rev=1 r
	new_session
	check_invariants "$id"
	for step in "approve A" "approve B" "tables add X Y" "approve C" \
	    "set-model link_table" "revert B" "approve B" "tables remove X" \
	    "resume" "approve C" "approve D" "approve E" "approve F" \
	    "approve F"; do
		set -- $step
		case $1 in
		approve) qmb-session approve "$id" "$2" < <(part "$2" 2) ;;
		resume) qmb-session resume "$id" ;;
		*) qmb-session "$1" "$id" "${@:2}" ;;
		esac >/dev/null
		r=$(sj "$id" .revision)
		[ "$r" -eq $((rev + 1)) ] || { echo "$step: revision $r after $rev"; false; }
		rev=$r
		check_invariants "$id" || { echo "after $step"; false; }
	done
	add_review "$id"
	qmb-session complete "$id" >/dev/null
	check_invariants "$id"
	[ "$(sj "$id" .status)" = complete ]
}

@test "invariants: 0600 files and 0700 directories even with umask 000" {
	umask 000
	new_session
	approve_upto "$id" F
	add_review "$id"
	qmb-session complete "$id" >/dev/null
	qmb-session archive "$id" >/dev/null
	run -0 --separate-stderr find "$QMB_PROJECT_DIR" -mindepth 1 \( -type f ! -perm 600 \) -o \
	    \( -type d ! -perm 700 \)
	[ -z "$output" ]
	[ -f "$QMB_PROJECT_DIR/.qmb/archive/sessions/$id.json" ]
}

@test "invariants: the .bak is the previous version" {
	new_session
	approve_upto "$id" B
	cp "$(sess_file "$id")" "$BATS_TEST_TMPDIR/prev"
	qmb-session tables "$id" add X >/dev/null
	cmp "$(sess_file "$id").bak" "$BATS_TEST_TMPDIR/prev"
}

@test "invariants: the audit trail verifies with jq and sha256sum, awkward text included" {
	new_session
	printf 'T:\n\tLOAD "a\\b" \x01 \x7f é € 𝄞 \r\n' | qmb-session approve "$id" A - >/dev/null
	qmb-session tables "$id" add 'Ünïcode Table' 'quote"d' >/dev/null
	verify_audit "$id"
	check_invariants "$id"
	[ "$(sj "$id" .approved_script_parts.A)" = "$(printf 'T:\n\tLOAD "a\\b" \x01 \x7f é € 𝄞 \r')" ]
}

# ---- roll forward --------------------------------------------------------

# crash_after_audit ID STAGE KIND: approve STAGE of ID and kill the process
# at the first operation of KIND that follows the audit append ("open": the
# session's .tmp; "rename": the rename over the session file).  The number
# is found by tracing the same approve on a copy of the project.
crash_after_audit() {
	local trial="$BATS_TEST_TMPDIR/trial" tr="$BATS_TEST_TMPDIR/trace" n
	part "$2" >"$BATS_TEST_TMPDIR/part"
	rm -rf "$trial" "$tr"
	cp -a "$QMB_PROJECT_DIR" "$trial"
	QMB_FAULT_TRACE=$tr qmb-session -C "$trial" approve "$1" "$2" \
	    "$BATS_TEST_TMPDIR/part" >/dev/null || return 1
	if [ "$3" = open ]; then
		n=$(awk '$2 == "fsync" && !f { f = 1; next }
		    f && $2 == "open" { print $1; exit }' "$tr")
	else
		n=$(awk '$2 == "rename" { n = $1 } END { print n }' "$tr")
	fi
	[ -n "$n" ] || return 1
	QMB_FAULT=$n:kill qmb-session approve "$1" "$2" "$BATS_TEST_TMPDIR/part"
}

@test "roll forward: killed right after the audit append" {
	new_session
	approve_upto "$id" A
	run -137 crash_after_audit "$id" B open
	[ "$(sj "$id" .current_stage)" = B ]
	[ "$(tail -n 1 "$(audit_file "$id")" | jq -r .details.stage)" = B ]
	run -0 --separate-stderr qmb-session resume "$id"
	[[ "$stderr" == *"rolled forward"* ]]
	[ "$(sj "$id" '.completed_stages | join("")')" = AB ]
	[ "$(sj "$id" .approved_script_parts.B)" = "$(part B)" ]
	check_invariants "$id"
	grep '"action":"rolled_forward"' "$(log_file "$id")" | jq -e '.level == "WARN"'
	grep -q '"rolled_forward"' "$QMB_PROJECT_DIR/.qmb/logs/qmb.log"
}

@test "roll forward: killed just before the session rename" {
	new_session
	approve_upto "$id" B
	run -137 crash_after_audit "$id" C rename
	[ "$(sj "$id" .current_stage)" = C ]
	run -0 --separate-stderr qmb-session approve "$id" D < <(part D)
	[[ "$stderr" == *"rolled forward"* ]]
	[ "$(sj "$id" '.completed_stages | join("")')" = ABCD ]
	qmb-session tables "$id" add X >/dev/null
	check_invariants "$id"
}

@test "roll forward: the read-only tables listing warns too" {
	new_session
	approve_upto "$id" A
	run -137 crash_after_audit "$id" B open
	run -0 --separate-stderr qmb-session tables "$id"
	[[ "$stderr" == *"rolled forward"* ]]
	[ "$(sj "$id" .current_stage)" = C ]
}

@test "roll forward: no temporary file is left behind" {
	new_session
	approve_upto "$id" B
	run -137 crash_after_audit "$id" C rename
	run -0 --separate-stderr qmb-session resume "$id"
	check_invariants "$id"
}

# ---- log lines (DESIGN 2.2) ----------------------------------------------

@test "log: one line per change with exactly the keys of DESIGN 2.2" {
	new_session
	approve_upto "$id" B
	qmb-session tables "$id" add X >/dev/null
	qmb-session resume "$id" >/dev/null
	[ "$(wc -l <"$(log_file "$id")")" -eq 5 ]
	jq -se 'all(.[]; keys_unsorted - ["stage"] ==
	    ["timestamp","level","session_id","component","action","details","user_id"])
	    and all(.[]; (.timestamp | test("^[0-9-]{10}T[0-9:]{8}\\.[0-9]{3}Z$")))
	    and all(.[]; .details | type == "object")' "$(log_file "$id")"
	[ "$(jq -r .action "$(log_file "$id")" | tr '\n' ' ')" = \
	    "session_created stage_approved stage_approved tables_changed session_resumed " ]
	[ "$(jq -c 'select(.level == "INFO")' "$(log_file "$id")" | wc -l)" -eq 5 ]
	[ -z "$(jq -c 'select(.level == "ERROR")' "$(log_file "$id")")" ]
	[ -z "$(jq -c 'select(.level == "WARN")' "$(log_file "$id")")" ]
}

@test "log: the approve line has the script hash and size, not the content" {
	new_session
	part A 3 >"$BATS_TEST_TMPDIR/a"
	qmb-session approve "$id" A "$BATS_TEST_TMPDIR/a" >/dev/null
	tail -n 1 "$(log_file "$id")" | jq -e \
	    --arg h "$(sha256sum <"$BATS_TEST_TMPDIR/a" | cut -c1-64)" \
	    --argjson n "$(wc -c <"$BATS_TEST_TMPDIR/a")" '
	    .action == "stage_approved" and .stage == "A" and .level == "INFO"
	    and .details.script_sha256 == $h and .details.bytes == $n
	    and .details.tables == 3 and (.details | has("content") | not)'
	! grep -q 'A_T1' "$(log_file "$id")"
}
