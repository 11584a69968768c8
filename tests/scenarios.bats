#!/usr/bin/env bats
# The recovery plan's "What happens when..." (seed section 10), each
# through the real programs: a crash mid-stage, a corrupted session file,
# both files corrupted, a full disk, a user who simply comes back.
load helper/common
load helper/durability

teardown() {
	if mountpoint -q "$BATS_TEST_TMPDIR/mnt" 2>/dev/null; then
		umount "$BATS_TEST_TMPDIR/mnt" || umount -l "$BATS_TEST_TMPDIR/mnt"
	fi
}

part() {
	printf '%s_Table:\nLOAD * FROM [lib://data/%s.qvd] (qvd);\n' "$1" "$1"
}

stages() {
	jq -r '.completed_stages | join("")' "$(sess_file "$id")"
}

@test "crash mid-stage, before the audit entry: resume picks up after the last approved stage" {
	new_session SalesModel
	approve_upto "$id" B
	# killed at the first write of approve C: the audit entry
	run -137 --separate-stderr env QMB_FAULT_OPS=write QMB_FAULT=1:kill \
	    qmb-session approve "$id" C - < <(part C)
	[ "$output" = "" ]
	run -0 --separate-stderr qmb-recover check "$id"
	[[ $output == *"$id  SalesModel        C      ok"* ]]
	run -0 --separate-stderr qmb-session resume "$id"
	[[ $output == *"Continuing from Stage C..."* ]]
	[ -z "$stderr" ]
	[ "$(stages)" = AB ]
	# the work in progress is redone
	run -0 --separate-stderr qmb-session approve "$id" C - < <(part C)
	[ "$(stages)" = ABC ]
}

@test "crash mid-stage, after the audit entry: the approval is rolled forward" {
	new_session SalesModel
	approve_upto "$id" B
	# killed at the first rename of the save: audited, not saved
	run -137 --separate-stderr env QMB_FAULT_OPS=rename QMB_FAULT=1:kill \
	    qmb-session approve "$id" C - < <(part C)
	[ "$(stages)" = AB ]
	run -1 --separate-stderr qmb-recover check "$id" --json
	[ "$(jq -r .verdict <<<"$output")" = behind-audit ]
	# the save's temporary file and its .bak link were left behind
	[ "$(jq -r '[.findings[].kind] | join(",")' <<<"$output")" = behind-audit,stale-tmp,stale-tmp ]
	run -0 --separate-stderr qmb-recover repair "$id"
	[[ $output == *"Rolled the session forward 1 audit entry: nothing that was approved is lost."* ]]
	[[ $output == *"Progress: Stage D (3/6 done)."* ]]
	[ "$(stages)" = ABC ]
	run -0 --separate-stderr qmb-session resume "$id"
	[[ $output == *"Continuing from Stage D..."* ]]
	run -0 --separate-stderr qmb-audit verify "$id"
}

@test "crash mid-stage, then just carry on: the next command rolls forward" {
	new_session SalesModel
	approve_upto "$id" A
	run -137 --separate-stderr env QMB_FAULT_OPS=rename QMB_FAULT=1:kill \
	    qmb-session approve "$id" B - < <(part B)
	run -0 --separate-stderr qmb-session resume "$id"
	[[ $stderr == *"rolled forward 1 entry"* ]]
	[[ $output == *"Continuing from Stage C..."* ]]
	# the save removed the stale temporary files under the lock
	run -0 --separate-stderr qmb-recover check "$id" --json
	[ "$(jq -r '.verdict + ":" + ([.findings[].kind] | join(","))' <<<"$output")" = ok: ]
	[ "$(stages)" = AB ]
}

@test "corrupted session file: the .bak comes back, rolled forward" {
	new_session SalesModel
	approve_upto "$id" C
	before=$(jq -c '[.completed_stages, .approved_script_parts]' "$(sess_file "$id")")
	printf '{"version":1,"sess' >"$(sess_file "$id")"
	run -5 --separate-stderr qmb-session resume "$id"
	[ "$output" = "" ]
	[[ $stderr == *"is damaged (run 'qmb-recover repair $id')"* ]]
	run -0 --separate-stderr qmb-recover repair "$id"
	[[ ${lines[1]} == "  Restored from backup and rolled it forward 1 audit entry: nothing that was approved is lost." ]]
	[ -z "$stderr" ]
	run -0 --separate-stderr qmb-session start SalesModel --resume
	[[ $output == *"Continuing from Stage D..."* ]]
	[ "$(jq -c '[.completed_stages, .approved_script_parts]' "$(sess_file "$id")")" = "$before" ]
}

@test "corrupted session file: list shows it damaged until it is repaired" {
	new_session SalesModel
	approve_upto "$id" B
	echo broken >"$(sess_file "$id")"
	run -0 --separate-stderr qmb-session list
	[[ $output == *"Damaged: $id"* ]]
	[[ $stderr == *"run 'qmb-recover check'"* ]]
	run -0 --separate-stderr qmb-recover repair "$id"
	run -0 --separate-stderr qmb-session list
	[[ $output == *"Progress: Stage C (2/6 done)"* ]]
	[ -z "$stderr" ]
}

@test "corrupted session file whose trail is gone: 'last change may be lost'" {
	new_session SalesModel
	approve_upto "$id" C
	echo broken >"$(sess_file "$id")"
	rm "$(audit_file "$id")"
	run -0 --separate-stderr qmb-recover repair "$id"
	[[ $output == *"Restored from backup, last change may be lost."* ]]
	[ "$(stages)" = AB ]
	run -0 --separate-stderr qmb-audit verify "$id"
}

@test "both files corrupted: partial recovery from the audit trail" {
	new_session SalesModel
	approve_upto "$id" D
	echo x >"$(sess_file "$id")"
	echo y >"$(sess_file "$id").bak"
	run -0 --separate-stderr qmb-recover repair "$id" --dry-run
	[[ $output == *"Can restore up to Stage D: all 5 audit entries verify"* ]]
	[[ $output == *"Would rebuild it from the audit trail."* ]]
	[ "$(cat "$(sess_file "$id")")" = x ]
	run -0 --separate-stderr qmb-recover repair "$id"
	[[ $output == *"Rebuilt it from the audit trail."* ]]
	[ "$(stages)" = ABCD ]
	# and with the trail damaged at stage C's entry: up to Stage B
	echo x >"$(sess_file "$id")"
	echo y >"$(sess_file "$id").bak"
	sed -i '4s/C_Table/Z_Table/' "$(audit_file "$id")"
	run -0 --separate-stderr qmb-recover repair "$id"
	[[ $output == *"Can restore up to Stage B: the audit trail is damaged at entry 4, so changes after entry 3 may be lost."* ]]
	[ "$(stages)" = AB ]
	run -0 --separate-stderr qmb-session start SalesModel --resume
	[[ $output == *"Continuing from Stage C..."* ]]
}

@test "both files corrupted and no trail: start fresh, with an apology" {
	new_session SalesModel
	approve_upto "$id" B
	truncate -s 110 "$(sess_file "$id")"
	truncate -s 0 "$(sess_file "$id").bak"
	rm "$(audit_file "$id")"
	run -1 --separate-stderr qmb-recover check
	[[ $output == *"$id  SalesModel        -      lost"* ]]
	run -0 --separate-stderr qmb-recover repair --all
	[[ $output == *"Sorry: nothing of session $id could be recovered, so it was started fresh as a new session of project SalesModel at Stage A."* ]]
	[[ $output == *"1 session checked, 1 repaired."* ]]
	[ "$(ls "$QMB_PROJECT_DIR/.qmb/corrupt" | wc -l)" -eq 2 ]
	run -10 --separate-stderr qmb-session start SalesModel
	[[ $output == *"Progress: Stage A (0/6 done)"* ]]
}

@test "disk full: the save fails cleanly, rotation frees space, the user carries on" {
	local mnt=$BATS_TEST_TMPDIR/mnt sf logs k
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount a small tmpfs"
	mkdir "$mnt"
	mount -t tmpfs -o size=1m tmpfs "$mnt" || skip "cannot mount a tmpfs here"
	export QMB_PROJECT_DIR=$mnt/project
	mkdir "$QMB_PROJECT_DIR"
	new_session SalesModel
	approve_upto "$id" A
	sf=$(sess_file "$id")
	logs=$QMB_PROJECT_DIR/.qmb/logs
	for k in 1 2 3 4 5; do
		yes '{"level":"INFO","action":"old"}' | head -c 90000 >"$logs/$id.log.$k"
	done
	dd if=/dev/zero of="$mnt/filler" bs=4k 2>/dev/null || true
	cp "$sf" "$BATS_TEST_TMPDIR/json"
	cp "$sf.bak" "$BATS_TEST_TMPDIR/bak"
	run -6 --separate-stderr qmb-session approve "$id" B - < <(part B)
	[[ $stderr == *"No space left on device"* ]]
	cmp "$sf" "$BATS_TEST_TMPDIR/json"
	cmp "$sf.bak" "$BATS_TEST_TMPDIR/bak"
	run -1 --separate-stderr qmb-recover health
	[[ $output == *"disk space        ALERT"* ]]
	# the hourly rotation sees the low disk and keeps only 2 old logs
	run -0 --separate-stderr qmb-rotate
	[[ ${lines[0]} == "low disk: "*" free, under 500 MB; keeping only 2 rotated files per log" ]]
	[[ $output == *"removed 3 rotated files of .qmb/logs/$id.log beyond 2"* ]]
	[ -z "$stderr" ]
	[ -e "$logs/$id.log.2" ]
	[ ! -e "$logs/$id.log.3" ]
	[ "$(jq -r 'select(.action == "low_disk_space") | .details.keep' "$logs/qmb.log")" = 2 ]
	run -0 --separate-stderr qmb-session approve "$id" B - < <(part B)
	[ "$(stages)" = AB ]
	run -0 --separate-stderr qmb-audit verify "$id"
}

@test "a user who simply comes back: start finds the session, --resume continues" {
	new_session SalesModel
	approve_upto "$id" B
	qmb-session tables "$id" add FACT_Orders >/dev/null
	run -10 --separate-stderr qmb-session start SalesModel
	[ "${lines[0]}" = "Found saved session:" ]
	[[ $output == *"Progress: Stage C (2/6 done)"* ]]
	[[ $output == *"Run 'qmb-session start --resume SalesModel' to continue"* ]]
	run -10 --separate-stderr qmb-session start SalesModel --json
	[ "$(jq -r '.decision + " " + .session_id' <<<"$output")" = "needed $id" ]
	run -0 --separate-stderr qmb-session start SalesModel --resume
	[[ $output == *"Continuing from Stage C..."* ]]
	[ "$(jq -c .pending_tables "$(sess_file "$id")")" = '["FACT_Orders"]' ]
	run -0 --separate-stderr qmb-recover check
	[[ $output == *"1 session checked: all ok."* ]]
}
