#!/usr/bin/env bats
# qmb-rotate: rotation under the writers' lock protocol, low disk, one
# run at a time, silence, and the retention rules with ages taken from
# the data (QMB_NOW moves the clock, edited timestamps move the data).
load helper/common
load helper/durability

teardown() {
	release_lock
}

LOGS() { printf '%s/.qmb/logs' "$QMB_PROJECT_DIR"; }

# listing: the files under .qmb with sizes, for "nothing changed"
listing() {
	(cd "$QMB_PROJECT_DIR" && find .qmb -type f ! -name '*.lock' -printf '%p %s\n' | sort)
}

# complete_session NAME: a session approved to F, bypassed, completed
complete_session() {
	new_session "$1"
	approve_upto "$id" F
	qmb-review bypass "$id" --reason "offline test" >/dev/null
	qmb-session complete "$id" >/dev/null
}

@test "qmb-rotate: usage errors exit 2" {
	run -2 --separate-stderr qmb-rotate now
	[ "${stderr_lines[0]}" = "qmb-rotate: unexpected operand 'now'" ]
	run -2 --separate-stderr qmb-rotate --keep 0
	[ "$stderr" = "qmb-rotate: --keep: bad value '0' for log_keep (a count, 1-99)" ]
	run -2 --separate-stderr qmb-rotate --keep 100
	[ "$stderr" = "qmb-rotate: --keep: bad value '100' for log_keep (a count, 1-99)" ]
	run -2 --separate-stderr qmb-rotate --max-size lots
	[[ $stderr == "qmb-rotate: --max-size: bad size 'lots'"* ]]
	run -2 --separate-stderr qmb-rotate --bogus
	[[ $stderr == *"usage: qmb-rotate"* ]]
	[ "$output" = "" ]
	run -0 --separate-stderr qmb-rotate --help
	[[ $output == *"--retention"* ]]
}

@test "qmb-rotate: silent when there is nothing to do; -v says so" {
	run -0 --separate-stderr qmb-rotate
	[ "$output" = "" ]
	[ -z "$stderr" ]
	[ ! -e "$QMB_PROJECT_DIR/.qmb" ]
	new_session SalesModel
	before=$(listing)
	run -0 --separate-stderr qmb-rotate --retention
	[ "$output" = "" ]
	[ -z "$stderr" ]
	[ "$(listing)" = "$before" ]
	run -0 --separate-stderr qmb-rotate -v
	[ "$output" = "" ]
	[ "$stderr" = "qmb-rotate: nothing to do" ]
}

@test "qmb-rotate: a log over --max-size is rotated and no line is lost" {
	new_session SalesModel
	approve_upto "$id" C
	lines_before=$(wc -l <"$(LOGS)/$id.log")
	size=$(stat -c %s "$(LOGS)/$id.log")
	run -0 --separate-stderr qmb-rotate --max-size 1K
	[[ $output == "rotated .qmb/logs/$id.log ("*" KB, limit 1 KB), keeping 5" ]]
	[ -z "$stderr" ]
	[ ! -s "$(LOGS)/$id.log" ]
	[ "$(wc -l <"$(LOGS)/$id.log.1")" -eq "$lines_before" ]
	[ "$(jq -r 'select(.action == "log_rotated") | "\(.component) \(.details.file) \(.details.size)"' "$(LOGS)/qmb.log")" = "retention .qmb/logs/$id.log $size" ]
	# the writers carry on in the new file
	approve_upto "$id" A >/dev/null || true
	qmb-session resume "$id" >/dev/null
	[ "$(jq -r .action "$(LOGS)/$id.log")" = session_resumed ]
	run -0 --separate-stderr qmb-rotate --max-size 1K
	[ "$output" = "" ]
}

@test "qmb-rotate: --keep removes rotated files beyond it, under the log lock" {
	new_session SalesModel
	for k in 1 2 3 4 5; do echo "{\"old\":$k}" >"$(LOGS)/$id.log.$k"; done
	run -0 --separate-stderr qmb-rotate --keep 2
	[ "$output" = "removed 3 rotated files of .qmb/logs/$id.log beyond 2" ]
	[ "$(cat "$(LOGS)/$id.log.2")" = '{"old":2}' ]
	[ ! -e "$(LOGS)/$id.log.3" ]
	# with the log's lock held, the prune waits, then fails busy (exit 4)
	for k in 3 4; do echo "{\"old\":$k}" >"$(LOGS)/$id.log.$k"; done
	hold_lock "$(LOGS)/$id.log.lock"
	run -4 --separate-stderr qmb-rotate --keep 2 --wait 0.2
	[[ $stderr == "qmb-rotate: remove rotated files of .qmb/logs/$id.log beyond 2: log '$id.log' is busy"* ]]
	[ -e "$(LOGS)/$id.log.4" ]
}

@test "qmb-rotate: --dry-run lists and changes nothing; --json prints lines" {
	new_session SalesModel
	approve_upto "$id" B
	before=$(listing)
	run -0 --separate-stderr qmb-rotate --max-size 300 --dry-run
	[[ $output == "would rotate .qmb/logs/$id.log ("*" bytes, limit 300 bytes), keeping 5" ]]
	[ "$(listing)" = "$before" ]
	run -0 --separate-stderr qmb-rotate --max-size 300 --json
	[ "$(jq -r '[.action, .subject, .dry_run, .ok] | join(" ")' <<<"$output")" = "rotate .qmb/logs/$id.log false true" ]
}

@test "qmb-rotate: one run at a time; the second exits 0 at once" {
	new_session SalesModel
	approve_upto "$id" B
	hold_lock "$QMB_PROJECT_DIR/.qmb/rotate.lock"
	SECONDS=0
	run -0 --separate-stderr qmb-rotate --max-size 300 --wait 5
	[ "$output" = "" ]
	[ -z "$stderr" ]
	run -0 --separate-stderr qmb-rotate --max-size 300 -v
	[ "$stderr" = "qmb-rotate: another qmb-rotate is running in '$QMB_PROJECT_DIR'; nothing done" ]
	[ "$SECONDS" -lt 3 ]
	[ ! -e "$(LOGS)/$id.log.1" ]
	release_lock
	run -0 --separate-stderr qmb-rotate --max-size 300
	[ -e "$(LOGS)/$id.log.1" ]
}

@test "qmb-rotate: low disk keeps 2 rotated files and warns in the global log" {
	new_session SalesModel
	for k in 1 2 3 4 5; do echo "{\"old\":$k}" >"$(LOGS)/qmb.log.$k"; done
	export QMB_MIN_FREE_DISK=99999G
	run -0 --separate-stderr qmb-rotate
	[[ ${lines[0]} == "low disk: "*" free, under "*"; keeping only 2 rotated files per log" ]]
	[ "${lines[1]}" = "removed 3 rotated files of .qmb/logs/qmb.log beyond 2" ]
	[ ! -e "$(LOGS)/qmb.log.3" ]
	[ "$(jq -r 'select(.action == "low_disk_space") | "\(.level) \(.component) \(.details.keep)"' "$(LOGS)/qmb.log")" = "WARN retention 2" ]
	QMB_LOW_DISK_KEEP=1 run -0 --separate-stderr qmb-rotate --json
	[ "$(jq -r .action <<<"$output" | paste -sd,)" = low_disk,prune ]
}

@test "retention: sessions inactive 30 days are archived, ages from the data" {
	QMB_NOW=2026-01-01T10:00:00.000Z new_session Old
	old=$id
	QMB_NOW=2026-01-20T10:00:00.000Z new_session Newer
	# file times do not count: an old mtime on a fresh session
	touch -d 2025-01-01 "$(sess_file "$id")" "$(sess_file "$id").bak" 2>/dev/null || touch -d 2025-01-01 "$(sess_file "$id")"
	export QMB_NOW=2026-01-30T10:00:00.000Z
	run -0 --separate-stderr qmb-rotate --retention
	[ "$output" = "" ]
	export QMB_NOW=2026-01-31T10:00:00.000Z
	run -0 --separate-stderr qmb-rotate --retention --dry-run
	[ "$output" = "would archive session $old (inactive 30 days) to .qmb/archive/sessions/" ]
	run -0 --separate-stderr qmb-rotate --retention
	[ "$output" = "archived session $old (inactive 30 days) to .qmb/archive/sessions/" ]
	[ -e "$QMB_PROJECT_DIR/.qmb/archive/sessions/$old.json" ]
	[ ! -e "$(sess_file "$old")" ]
	[ -e "$(sess_file "$id")" ]
	[ "$(jq -r 'select(.type == "session_archived") | "\(.details.reason) \(.details.inactive_days)"' "$(audit_file "$old")")" = "retention 30" ]
	[ "$(jq -r 'select(.action == "session_archived") | .details.session' "$(LOGS)/qmb.log")" = "$old" ]
	# an edited updated_at makes the other one old as well
	jq '.updated_at = "2025-12-01T00:00:00.000Z"' "$(sess_file "$id")" >"$BATS_TEST_TMPDIR/s"
	cp "$BATS_TEST_TMPDIR/s" "$(sess_file "$id")"
	run -0 --separate-stderr qmb-rotate --retention
	[ "$output" = "archived session $id (inactive 61 days) to .qmb/archive/sessions/" ]
	run -0 --separate-stderr qmb-recover check
	[ "$output" = "No sessions to check." ]
}

@test "retention: the logs of a session completed 7 days ago are deleted" {
	export QMB_NOW=2026-01-01T10:00:00.000Z
	complete_session Done
	done_id=$id
	new_session Open
	echo '{"old":1}' >"$(LOGS)/$done_id.log.1"
	QMB_NOW=2026-01-07T10:00:00.000Z run -0 --separate-stderr qmb-rotate --retention
	[ "$output" = "" ]
	export QMB_NOW=2026-01-08T10:00:00.000Z
	run -0 --separate-stderr qmb-rotate --retention
	[ "$output" = "deleted 2 log files of session $done_id (completed 7 days ago)" ]
	[ ! -e "$(LOGS)/$done_id.log" ]
	[ ! -e "$(LOGS)/$done_id.log.1" ]
	[ -e "$(LOGS)/$id.log" ]
	[ "$(jq -r 'select(.type == "session_logs_deleted") | .details.files' "$(audit_file "$done_id")")" = 2 ]
	[ "$(jq -r 'select(.action == "session_logs_deleted") | "\(.level) \(.details.session)"' "$(LOGS)/qmb.log")" = "INFO $done_id" ]
	run -0 --separate-stderr qmb-audit verify "$done_id"
	run -0 --separate-stderr qmb-rotate --retention
	[ "$output" = "" ]
}

@test "retention: audit trails of archived sessions are compressed after 90 days" {
	export QMB_NOW=2026-01-01T10:00:00.000Z QMB_ARCHIVE_AFTER_DAYS=1000
	new_session Old
	approve_upto "$id" B
	qmb-session archive "$id" >/dev/null
	cp "$(audit_file "$id")" "$BATS_TEST_TMPDIR/trail"
	new_session Live
	live=$id
	id=$(jq -r .session_id "$QMB_PROJECT_DIR"/.qmb/archive/sessions/*.json | grep -v "$live")
	QMB_NOW=2026-03-31T10:00:00.000Z run -0 --separate-stderr qmb-rotate --retention
	[ "$output" = "" ]
	export QMB_NOW=2026-04-01T10:00:00.000Z
	run -0 --separate-stderr qmb-rotate --retention
	[ "$output" = "compressed the audit trail of $id (last entry 90 days ago) to .qmb/archive/audit/$id.audit.json.gz" ]
	[ ! -e "$(audit_file "$id")" ]
	gz=$QMB_PROJECT_DIR/.qmb/archive/audit/$id.audit.json.gz
	# the archive is the trail and its audit_archived entry
	cmp <(zcat "$gz" | head -n -1) "$BATS_TEST_TMPDIR/trail"
	[ "$(zcat "$gz" | tail -1 | jq -r .type)" = audit_archived ]
	run -0 --separate-stderr qmb-audit verify "$id"
	[[ $output == *"ok ("*".qmb/archive/audit/$id.audit.json.gz)"* ]]
	# a live session's trail is never compressed, however old
	[ -e "$(audit_file "$live")" ]
	[ "$(jq -r 'select(.action == "audit_archived") | .details.session' "$(LOGS)/qmb.log")" = "$id" ]
}

@test "retention: a broken trail is left for qmb-recover" {
	export QMB_NOW=2026-01-01T10:00:00.000Z
	new_session Old
	approve_upto "$id" A
	qmb-session archive "$id" >/dev/null
	sed -i '2s/A_Table/B_Table/' "$(audit_file "$id")"
	cp "$(audit_file "$id")" "$BATS_TEST_TMPDIR/trail"
	export QMB_NOW=2026-06-01T10:00:00.000Z
	run -0 --separate-stderr qmb-rotate --retention
	[ "$output" = "" ]
	run -0 --separate-stderr qmb-rotate --retention -v
	[ "$output" = "skipped the audit trail of $id: broken at entry 2 (run 'qmb-recover check $id')" ]
	cmp "$(audit_file "$id")" "$BATS_TEST_TMPDIR/trail"
}

@test "qmb-rotate: every option of --help is in the man page and completions" {
	local o missing=
	for o in $(qmb-rotate --help | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
		grep -qE -- "Fl -${o#--}([^a-z-]|\$)" "$TOP/man/qmb-rotate.1" || missing="$missing man:$o"
		complete_bash qmb-rotate -- | grep -qx -- "$o" || missing="$missing bash:$o"
		complete_zsh qmb-rotate -- | grep -q -- "^$o:" || missing="$missing zsh:$o"
	done
	[ -z "$missing" ] || fail "missing:$missing"
	run -0 --separate-stderr complete_bash qmb-rotate --ret
	[ "$output" = "--retention" ]
	run -0 --separate-stderr complete_bash qmb-rotate --keep ''
	[ "$output" = "$(printf '1\n2\n5\n10')" ]
}
