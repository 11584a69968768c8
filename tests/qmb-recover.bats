#!/usr/bin/env bats
# qmb-recover: the command line, check and repair output, health and the
# recovery report.  The damage matrix is tests/damage.bats, the seed's
# scenarios tests/scenarios.bats.
load helper/common
load helper/durability

teardown() {
	release_lock
}

# tree: a listing of every file under .qmb with its checksum
tree() {
	(cd "$QMB_PROJECT_DIR" && find .qmb -type f ! -name '*.lock' | sort |
	    xargs -r sha256sum)
}

@test "qmb-recover: usage errors exit 2 with the usage on stderr" {
	run -2 --separate-stderr qmb-recover
	[ "$output" = "" ]
	[[ $stderr == "usage: qmb-recover"* ]]
	run -2 --separate-stderr qmb-recover fix
	[[ ${stderr_lines[0]} == "qmb-recover: unknown command 'fix'" ]]
	run -2 --separate-stderr qmb-recover repair
	[[ ${stderr_lines[0]} == "qmb-recover: give a session id or --all to 'repair'" ]]
	run -2 --separate-stderr qmb-recover check --dry-run
	[[ ${stderr_lines[0]} == *"--dry-run only applies to 'repair' and 'migrate'"* ]]
	run -2 --separate-stderr qmb-recover repair X --from tape
	[ "${stderr_lines[0]}" = "qmb-recover: invalid --from 'tape': use 'bak' or 'audit'" ]
	run -2 --separate-stderr qmb-recover check a b
	run -2 --separate-stderr qmb-recover repair X --all
	run -2 --separate-stderr qmb-recover health --all
	run -2 --separate-stderr qmb-recover check --since 7d
	run -2 --separate-stderr qmb-recover check ../etc
	[[ $stderr == "qmb-recover: invalid session id '../etc'"* ]]
	run -2 --separate-stderr qmb-recover report --since yesterday
	[[ $stderr == "qmb-recover: invalid --since 'yesterday'"* ]]
	[ "$output" = "" ]
}

@test "qmb-recover: --help and --version go to stdout" {
	run -0 --separate-stderr qmb-recover --help
	[[ $output == *"check [ID]"* && $output == *"--from=SOURCE"* ]]
	[ -z "$stderr" ]
	run -0 --separate-stderr qmb-recover -V
	[ "$output" = "qmb-recover 0.1.0" ]
}

@test "qmb-recover: check in an empty project finds nothing" {
	run -0 --separate-stderr qmb-recover check
	[ "$output" = "No sessions to check." ]
	[ -z "$stderr" ]
	run -0 --separate-stderr qmb-recover check --json
	[ "$output" = "" ]
}

@test "qmb-recover: check of a healthy session: a table row, exit 0" {
	new_session SalesModel
	approve_upto "$id" B
	run -0 --separate-stderr qmb-recover check "$id"
	[ "${lines[0]}" = "SESSION                               PROJECT           STAGE  VERDICT" ]
	[ "${lines[1]}" = "$id  SalesModel        C      ok" ]
	[ "${#lines[@]}" -eq 2 ]
	[ -z "$stderr" ]
	run -0 --separate-stderr qmb-recover check "$id" --json
	[ "$(jq -c '[.session_id, .verdict, .stage, .completed, .restore_up_to, .needs_repair, .findings]' <<<"$output")" = "[\"$id\",\"ok\",\"C\",2,\"B\",false,[]]" ]
	run -0 --separate-stderr qmb-recover -q check
	[ "$output" = "" ]
}

@test "qmb-recover: check of an unknown session exits 3" {
	run -3 --separate-stderr qmb-recover check 01nope
	[ "$output" = "" ]
	[ "$stderr" = "qmb-recover: no session '01nope' (no state, backup or audit trail)" ]
}

@test "qmb-recover: check changes nothing and exits 1 on findings" {
	new_session SalesModel
	approve_upto "$id" C
	echo garbage >"$(sess_file "$id")"
	printf '{"seq":' >>"$(audit_file "$id")"
	before=$(tree)
	run -1 --separate-stderr qmb-recover check
	[ "${lines[1]}" = "$id  SalesModel        D      restore-from-bak" ]
	[ "${lines[2]}" = "    session file damaged: invalid JSON at byte 0: unexpected character 'g'" ]
	[ "${lines[3]}" = "    torn last line in the audit trail (a write cut short, never acknowledged)" ]
	[ "${lines[4]}" = "1 session checked: 0 ok, 1 with findings (see 'qmb-recover repair --all --dry-run')." ]
	[ -z "$stderr" ]
	run -1 --separate-stderr qmb-recover check --json
	[ "$(jq -r '.findings | map(.kind + " " + .path) | join(";")' <<<"$output")" = "session-damaged .qmb/sessions/$id.json;audit-torn .qmb/audit/$id.audit.json" ]
	[ "$(tree)" = "$before" ]
}

@test "qmb-recover: repair --dry-run says what it would do and changes nothing" {
	new_session SalesModel
	approve_upto "$id" C
	echo garbage >"$(sess_file "$id")"
	before=$(tree)
	run -0 --separate-stderr qmb-recover repair "$id" --dry-run
	[ "${lines[0]}" = "Session $id (SalesModel): restore-from-bak" ]
	[ "${lines[1]}" = "  Would restore from backup and roll it forward 1 audit entry: nothing that was approved is lost." ]
	[ "${lines[3]}" = "  Would keep the damaged session file in .qmb/corrupt/." ]
	[ -z "$stderr" ]
	[ "$(tree)" = "$before" ]
	run -0 --separate-stderr qmb-recover repair --all --dry-run --json
	[ "$(jq -r '[.dry_run, .verdict, .repaired] | join(" ")' <<<"$output")" = "true restore-from-bak " ]
	[ "$(tree)" = "$before" ]
}

@test "qmb-recover: repair is audited, logged and kept in corrupt/" {
	new_session SalesModel
	approve_upto "$id" C
	echo garbage >"$(sess_file "$id")"
	run -0 --separate-stderr qmb-recover --user ops@example.com repair "$id" --json
	[ -z "$stderr" ]
	[ "$(jq -r '[.verdict, .source, .repaired, .audit_seq, (.kept | length)] | join(" ")' <<<"$output")" = "restore-from-bak bak true 5 1" ]
	[[ $(jq -r .message <<<"$output") == "Restored from backup and rolled it forward 1 audit entry: nothing that was approved is lost. Progress: Stage D (3/6 done)."* ]]
	[ "$(cat "$QMB_PROJECT_DIR/$(jq -r '.kept[0]' <<<"$output")")" = garbage ]
	run -0 jq -c 'select(.type == "session_recovered") | [.user_id, .details.source, .details.verdict, .details.rolled, .details.completed]' "$(audit_file "$id")"
	[ "$output" = '["ops@example.com","bak","restore-from-bak",1,3]' ]
	run -0 jq -r 'select(.component == "recover") | .level + " " + .action + " " + .details.source' "$QMB_PROJECT_DIR/.qmb/logs/qmb.log"
	[ "$output" = "WARN session_recovered bak" ]
	run -0 --separate-stderr qmb-audit verify "$id"
}

@test "qmb-recover: a healthy session needs no repair and is not touched" {
	new_session SalesModel
	approve_upto "$id" A
	before=$(tree)
	run -0 --separate-stderr qmb-recover repair "$id"
	[ "$output" = "Session $id (SalesModel): ok
  Session $id is healthy: nothing to repair.
  Progress: Stage B (1/6 done)." ]
	[ "$(tree)" = "$before" ]
}

@test "qmb-recover: repair --all repairs the damaged and counts the rest" {
	new_session Good
	good=$id
	new_session Bad
	approve_upto "$id" B
	echo x >"$(sess_file "$id")"
	keep=$(sha256sum "$(sess_file "$good")")
	run -0 --separate-stderr qmb-recover repair --all
	[ "${lines[0]}" = "Session $id (Bad): restore-from-bak" ]
	[ "${lines[-1]}" = "2 sessions checked, 1 repaired." ]
	[[ $output != *"$good"* ]]
	[ "$(sha256sum "$(sess_file "$good")")" = "$keep" ]
	run -0 --separate-stderr qmb-recover -v repair --all
	[[ $output == *"Session $good is healthy: nothing to repair."* ]]
}

@test "qmb-recover: --from bak and --from audit choose the source" {
	new_session SalesModel
	approve_upto "$id" B
	rm "$(sess_file "$id").bak"
	run -5 --separate-stderr qmb-recover repair "$id" --from bak
	[ "$stderr" = "qmb-recover: session '$id': the backup cannot be used: there is none" ]
	run -0 --separate-stderr qmb-recover repair "$id" --from audit
	[ "${lines[0]}" = "Session $id (SalesModel): restore-from-audit" ]
	[ "$(jq -r '.completed_stages | join("")' "$(sess_file "$id")")" = AB ]
	# the good file taken over became the backup
	[ "$(jq -r '.completed_stages | join("")' "$(sess_file "$id").bak")" = AB ]
	run -0 --separate-stderr qmb-recover repair "$id" --from bak
	[[ ${lines[1]} == "  Restored from backup and rolled it forward 1 audit entry"* ]]
	run -0 --separate-stderr qmb-audit verify "$id"
}

@test "qmb-recover: a locked session is busy (exit 4) after --wait" {
	new_session SalesModel
	hold_lock "$QMB_PROJECT_DIR/.qmb/sessions/$id.lock"
	run -4 --separate-stderr qmb-recover --wait 0.2 check "$id"
	[[ $stderr == "qmb-recover: session '$id' is busy"* ]]
	run -4 --separate-stderr qmb-recover --wait 0.2 repair "$id"
	run -4 --separate-stderr qmb-recover --wait 0.2 check
	[[ $stderr == *"is busy"* ]]
}

@test "qmb-recover: an idle session is a finding, not a repair" {
	QMB_NOW=2026-01-01T09:00:00.000Z new_session SalesModel
	export QMB_NOW=2026-01-09T10:00:00.000Z
	run -1 --separate-stderr qmb-recover check
	[ "${lines[2]}" = "    idle for 8 days (last saved 2026-01-01T09:00:00.000Z)" ]
	run -1 --separate-stderr qmb-recover check --json
	[ "$(jq -r '.findings[0].kind + " " + (.needs_repair | tostring)' <<<"$output")" = "idle false" ]
	run -0 --separate-stderr qmb-recover repair "$id"
	[[ ${lines[1]} == "  Session $id is healthy: nothing to repair." ]]
	QMB_IDLE_WARN_DAYS=9 run -0 --separate-stderr qmb-recover check
}

@test "qmb-recover: a torn line in the global log is a project-wide finding" {
	new_session SalesModel
	printf '{"timestamp":"2026-01-0' >>"$QMB_PROJECT_DIR/.qmb/logs/qmb.log"
	run -1 --separate-stderr qmb-recover check
	[[ $output == *"system  "*"ok"* ]]
	[[ $output == *"    torn last line in .qmb/logs/qmb.log"* ]]
	run -0 --separate-stderr qmb-recover repair --all
	[[ $output == *"Project logs:"* ]]
	[ "$(cat "$QMB_PROJECT_DIR"/.qmb/corrupt/qmb.log.torn-*)" = '{"timestamp":"2026-01-0' ]
	run -0 --separate-stderr qmb-recover check
}

@test "qmb-recover: health passes in a quiet project" {
	new_session SalesModel
	run -0 --separate-stderr qmb-recover health
	[ "${lines[0]}" = "CHECK             STATUS  DETAIL" ]
	[[ ${lines[1]} == "disk space        ok      "*" free (alert under 500 MB)" ]]
	[[ ${lines[2]} == "log size          ok      largest .qmb/logs/$id.log ("*", limit 10 MB)" ]]
	[ "${lines[3]}" = "session age       ok      no active session idle for 7 days or more" ]
	[ "${lines[4]}" = "gemini failures   ok      0 consecutive failures (alert over 3)" ]
	[ "${lines[5]}" = "All checks passed." ]
	[ -z "$stderr" ]
	run -0 --separate-stderr qmb-recover health --json
	[ "$(jq -r '.status + " " + ([.checks[].check] | join(","))' <<<"$output")" = "ok disk_space,log_size,session_age,gemini_failures" ]
}

@test "qmb-recover: each health check trips and exits 1" {
	export QMB_NOW=2026-01-01T09:00:00.000Z
	new_session SalesModel
	QMB_MIN_FREE_DISK=99999G run -1 --separate-stderr qmb-recover health
	[[ ${lines[1]} == "disk space        ALERT   "* ]]
	[ "${lines[5]}" = "1 check tripped." ]
	QMB_LOG_MAX_SIZE=100 run -1 --separate-stderr qmb-recover -q health
	[[ $output == "log size          ALERT   1 log over the limit; largest .qmb/logs/$id.log"*"run qmb-rotate" ]]
	QMB_NOW=2026-01-09T10:00:00.000Z run -1 --separate-stderr qmb-recover health --json
	[ "$(jq -r '.checks[] | select(.status == "alert") | "\(.check) \(.value) \(.detail)"' <<<"$output")" = "session_age 1 1 session idle for 7 days or more (oldest: $id, 8 days)" ]
	# qmb-review's count of consecutive failures
	echo '{"consecutive":3}' >"$QMB_PROJECT_DIR/.qmb/gemini_failures.json"
	run -0 --separate-stderr qmb-recover health
	echo '{"consecutive":4,"last_error":"HTTP 503"}' >"$QMB_PROJECT_DIR/.qmb/gemini_failures.json"
	run -1 --separate-stderr qmb-recover health --json
	[ "$(jq -r '.checks[3] | "\(.status) \(.value) \(.source)"' <<<"$output")" = "alert 4 .qmb/gemini_failures.json" ]
}

@test "qmb-recover: without the failure file, health reads the global log" {
	new_session SalesModel
	g=$QMB_PROJECT_DIR/.qmb/logs/qmb.log
	printf '%s\n' '{"timestamp":"2026-01-01T00:00:00.000Z","level":"WARN","session_id":"system","component":"gemini","action":"consecutive_failures","details":{"consecutive":5,"error":"timeout"}}' >>"$g"
	run -1 --separate-stderr qmb-recover health --json
	[ "$(jq -r '.checks[3] | "\(.status) \(.value) \(.source)"' <<<"$output")" = "alert 5 .qmb/logs/qmb.log" ]
	printf '%s\n' '{"timestamp":"2026-01-01T00:01:00.000Z","level":"ERROR","session_id":"x","component":"gemini","action":"review_failed","details":{}}' >>"$g"
	run -1 --separate-stderr qmb-recover health --json
	[ "$(jq -r '.checks[3].value' <<<"$output")" = 5 ]
	echo '{"consecutive":0}' >"$QMB_PROJECT_DIR/.qmb/gemini_failures.json"
	run -0 --separate-stderr qmb-recover health
}

@test "qmb-recover: report counts what happened in the period" {
	export QMB_NOW=2026-01-10T10:00:00.000Z
	new_session One
	one=$id
	approve_upto "$one" B
	qmb-session resume "$one" >/dev/null
	new_session Two
	approve_upto "$id" A
	echo x >"$(sess_file "$id")"
	qmb-recover repair "$id" >/dev/null
	echo x >"$(sess_file "$one")"
	echo y >"$(sess_file "$one").bak"
	printf '{"seq":' >>"$(audit_file "$one")"
	qmb-recover repair "$one" >/dev/null
	new_session Three
	echo x >"$(sess_file "$id")"
	rm "$(sess_file "$id").bak" "$(audit_file "$id")" 2>/dev/null || true
	qmb-recover repair "$id" >/dev/null
	printf '%s\n' '{"timestamp":"2026-01-10T10:00:00.000Z","level":"ERROR","session_id":"x","component":"gemini","action":"review_failed","details":{}}' >>"$QMB_PROJECT_DIR/.qmb/logs/qmb.log"
	run -0 --separate-stderr qmb-recover report --json
	[ -z "$stderr" ]
	[ "$(jq -c '[.sessions_created, .sessions_resumed, .bak_fallbacks, .audit_restores, .fresh_starts, .torn_lines_cut, .gemini_failures, .review_bypasses]' <<<"$output")" = "[2,1,1,1,1,1,1,0]" ]
	run -0 --separate-stderr qmb-recover report
	[ "${lines[0]}" = "Recovery report, 2026-01-03T10:00:00.000Z to 2026-01-10T10:00:00.000Z" ]
	[[ $output == *"  fresh starts (data loss)        1"* ]]
	# a week later, none of it counts; --since reaches back
	QMB_NOW=2026-01-18T10:00:00.000Z run -0 --separate-stderr qmb-recover report --json
	[ "$(jq -c '[.sessions_created, .fresh_starts, .torn_lines_cut]' <<<"$output")" = "[0,0,0]" ]
	QMB_NOW=2026-01-18T10:00:00.000Z run -0 --separate-stderr qmb-recover report --json --since 2026-01-01
	[ "$(jq -c '[.sessions_created, .fresh_starts, .torn_lines_cut]' <<<"$output")" = "[2,1,1]" ]
}

# ---- documentation and completions ----------------------------------------

@test "qmb-recover: every option and command of --help is in the man page and completions" {
	local o c missing=
	for o in $(qmb-recover --help | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
		grep -qE -- "Fl -${o#--}([^a-z-]|\$)" "$TOP/man/qmb-recover.1" || missing="$missing man:$o"
		complete_bash qmb-recover -- | grep -qx -- "$o" || missing="$missing bash:$o"
		complete_zsh qmb-recover -- | grep -q -- "^$o:" || missing="$missing zsh:$o"
	done
	for c in check repair migrate health report; do
		grep -qE "^\.Cm $c\$|^\.It Cm $c( |\$)" "$TOP/man/qmb-recover.1" || missing="$missing man:$c"
		complete_zsh qmb-recover '' | grep -q "^$c:" || missing="$missing zsh:$c"
	done
	[ -z "$missing" ] || fail "missing:$missing"
	run -0 --separate-stderr complete_bash qmb-recover ''
	[ "$(printf '%s\n' "${lines[@]}" | sort | paste -sd' ')" = "check health migrate repair report" ]
	run -0 --separate-stderr complete_bash qmb-recover repair X --from ''
	[ "$output" = "$(printf 'bak\naudit')" ]
	new_session SalesModel
	run -0 --separate-stderr complete_bash qmb-recover repair ''
	[ "$output" = "$id" ]
	# a session with only its .bak left is still offered, once
	mv "$(sess_file "$id")" "$(sess_file "$id").bak"
	run -0 --separate-stderr complete_bash qmb-recover check ''
	[ "$output" = "$id" ]
	[ -z "$stderr" ]
}
