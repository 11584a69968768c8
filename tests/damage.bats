#!/usr/bin/env bats
# The damage matrix: for each way a session can be broken, the verdict
# 'qmb-recover check' gives and the state 'qmb-recover repair' leaves,
# compared with what was approved before the damage.  Nothing that was
# acknowledged may be lost where the audit trail can restore it, and the
# trail verifies after every repair.
load helper/common

# sig FILE: what the user approved: stages, parts, tables, model, status
sig() {
	jq -c '{stages: .completed_stages, parts: .approved_script_parts,
	    tables: .pending_tables, model: .model_type, status: .status,
	    project: .project_name}' "$1"
}

# A session with stages A..C approved, a model type and pending tables,
# and one more approval so that .bak is the state before it.  Sets id,
# S (state), B (.bak), A (trail), before (its signature).
setup() {
	new_session SalesModel
	qmb-session set-model "$id" star_schema >/dev/null
	qmb-session tables "$id" add FACT_Orders FACT_Returns >/dev/null
	approve_upto "$id" C
	S=$(sess_file "$id")
	B="$S.bak"
	A=$(audit_file "$id")
	before=$(sig "$S")
	[ -s "$B" ]
}

# verdict: the verdict of check --json (exit 1: something was found)
verdict() {
	run -1 --separate-stderr qmb-recover check "$id" --json
	[ -z "$stderr" ]
	jq -r .verdict <<<"$output"
}

kinds() {
	qmb-recover check "$id" --json | jq -r '[.findings[].kind] | join(",")'
}

# repaired: repair exits 0, the trail verifies, check is clean
repaired() {
	run -0 --separate-stderr qmb-recover repair "$id"
	[ -z "$stderr" ]
	repair_out=$output
	run -0 --separate-stderr qmb-audit verify "$id"
	run -0 --separate-stderr qmb-recover check "$id"
	[[ $output == *" ok"* ]]
	[ -z "$stderr" ]
	jq -e 'select(.type == "session_recovered")' "$A" >/dev/null
}

@test "damage: truncated session file -> restore-from-bak, nothing lost" {
	truncate -s 100 "$S"
	[ "$(verdict)" = restore-from-bak ]
	repaired
	[[ $repair_out == *"Restored from backup and rolled it forward 1 audit entry: nothing that was approved is lost."* ]]
	[ "$(sig "$S")" = "$before" ]
	[ "$(ls "$QMB_PROJECT_DIR/.qmb/corrupt/" | grep -c "^$id.json.corrupt-")" -eq 1 ]
}

@test "damage: zero-byte session file -> restore-from-bak, nothing lost" {
	: >"$S"
	[ "$(verdict)" = restore-from-bak ]
	[ "$(kinds)" = session-damaged ]
	repaired
	[ "$(sig "$S")" = "$before" ]
}

@test "damage: invalid JSON -> restore-from-bak, nothing lost" {
	printf '{"version": 1, "session_id": ' >"$S"
	[ "$(verdict)" = restore-from-bak ]
	repaired
	[ "$(sig "$S")" = "$before" ]
}

@test "damage: valid JSON missing fields -> restore-from-bak, nothing lost" {
	jq 'del(.approved_script_parts, .audit_seq)' "$S" >"$BATS_TEST_TMPDIR/s"
	cp "$BATS_TEST_TMPDIR/s" "$S"
	run -1 --separate-stderr qmb-recover check "$id"
	[[ $output == *"missing field"* ]]
	[ "$(verdict)" = restore-from-bak ]
	repaired
	[ "$(sig "$S")" = "$before" ]
}

@test "damage: wrong version 0 -> restore-from-bak, nothing lost" {
	jq '.version = 0' "$S" >"$BATS_TEST_TMPDIR/s"
	cp "$BATS_TEST_TMPDIR/s" "$S"
	[ "$(verdict)" = restore-from-bak ]
	repaired
	[ "$(sig "$S")" = "$before" ]
}

@test "damage: a newer version is left alone unless --from says otherwise" {
	jq '.version = 2' "$S" >"$BATS_TEST_TMPDIR/s"
	cp "$BATS_TEST_TMPDIR/s" "$S"
	[ "$(verdict)" = newer-version ]
	run -5 --separate-stderr qmb-recover repair "$id"
	[[ $stderr == *"written by a newer qmb (format 2); this one reads up to 1"* ]]
	cmp "$S" "$BATS_TEST_TMPDIR/s"
	run -0 --separate-stderr qmb-recover repair "$id" --from audit
	[[ $output == *"Can restore up to Stage C: all 6 audit entries verify"* ]]
	[ "$(sig "$S")" = "$before" ]
	cmp "$BATS_TEST_TMPDIR/s" "$QMB_PROJECT_DIR"/.qmb/corrupt/"$id".json.corrupt-*
	run -0 --separate-stderr qmb-audit verify "$id"
}

@test "damage: session file missing -> restore-from-bak, nothing lost" {
	rm "$S"
	[ "$(verdict)" = restore-from-bak ]
	[ "$(kinds)" = session-missing ]
	repaired
	[ "$(sig "$S")" = "$before" ]
}

@test "damage: session file damaged and .bak missing -> restore-from-audit, nothing lost" {
	echo garbage >"$S"
	rm "$B"
	[ "$(verdict)" = restore-from-audit ]
	repaired
	[[ $repair_out == *"Can restore up to Stage C: all 6 audit entries verify, so nothing that was approved is lost."* ]]
	[ "$(sig "$S")" = "$before" ]
}

@test "damage: session file and .bak damaged -> restore-from-audit, nothing lost" {
	echo garbage >"$S"
	head -c 20 "$B" >"$BATS_TEST_TMPDIR/b" && cp "$BATS_TEST_TMPDIR/b" "$B"
	[ "$(verdict)" = restore-from-audit ]
	[ "$(kinds)" = session-damaged,bak-damaged ]
	repaired
	[ "$(sig "$S")" = "$before" ]
	ls "$QMB_PROJECT_DIR"/.qmb/corrupt/"$id".json.bak.corrupt-*
}

@test "damage: .bak damaged alone -> ok, the backup is set aside and renewed" {
	echo garbage >"$B"
	[ "$(verdict)" = ok ]
	[ "$(kinds)" = bak-damaged ]
	repaired
	[[ $repair_out == *"Moved the damaged backup to .qmb/corrupt/."* ]]
	[ "$(sig "$S")" = "$before" ]
	[ "$(sig "$B")" = "$before" ]
}

@test "damage: torn last line of the trail -> ok, the line is cut into corrupt/" {
	printf '{"seq":9,"timestamp":"2026-' >>"$A"
	[ "$(verdict)" = ok ]
	[ "$(kinds)" = audit-torn ]
	repaired
	[[ $repair_out == *"Cut the torn last line off the audit trail (it was never acknowledged)."* ]]
	[ "$(sig "$S")" = "$before" ]
	[ "$(cat "$QMB_PROJECT_DIR"/.qmb/corrupt/"$id".audit.json.torn-*)" = '{"seq":9,"timestamp":"2026-' ]
}

@test "damage: tampered middle entry -> ok, broken trail kept, state recorded again" {
	# entry 4 approves stage A: change its content
	[ "$(sed -n 4p "$A" | jq -r .details.stage)" = A ]
	sed -i '4s/A_Table/X_Table/' "$A"
	run -1 --separate-stderr qmb-audit verify "$id"
	[ "$(verdict)" = ok ]
	[ "$(kinds)" = ahead-of-audit,audit-broken ]
	repaired
	[[ $repair_out == *"cut the live trail to its 3 verified entries"* ]]
	[ "$(sig "$S")" = "$before" ]
	# the live trail: 3 verified entries, the state, the repair
	[ "$(jq -r .type "$A" | paste -sd,)" = session_created,model_type_selected,tables_changed,session_imported,session_recovered ]
	cmp <(head -3 "$A") <(head -3 "$QMB_PROJECT_DIR"/.qmb/corrupt/"$id".audit.json.corrupt-*)
	# the session works on
	run -0 --separate-stderr qmb-session approve "$id" D - <<<"D_Table: LOAD 1 AS d AUTOGENERATE 1;"
}

@test "damage: tampered entry and both files damaged -> partial restore up to Stage A" {
	# entry 5 approves stage B: change its content
	[ "$(sed -n 5p "$A" | jq -r .details.stage)" = B ]
	sed -i '5s/B_Table/Y_Table/' "$A"
	echo x >"$S"
	echo y >"$B"
	[ "$(verdict)" = restore-from-audit ]
	repaired
	[[ $repair_out == *"Can restore up to Stage A: the audit trail is damaged at entry 5, so changes after entry 4 may be lost."* ]]
	[ "$(jq -c .completed_stages "$S")" = '["A"]' ]
	[ "$(jq -c .pending_tables "$S")" = '["FACT_Orders","FACT_Returns"]' ]
	[ "$(jq -r .model_type "$S")" = star_schema ]
}

@test "damage: trail cut short -> ok, the state is recorded again" {
	head -n 5 "$A" >"$BATS_TEST_TMPDIR/a" && cp "$BATS_TEST_TMPDIR/a" "$A"
	run -5 --separate-stderr qmb-session resume "$id"
	[[ $stderr == *"does not match its audit trail"* ]]
	[ "$(verdict)" = ok ]
	[ "$(kinds)" = ahead-of-audit ]
	repaired
	[ "$(sig "$S")" = "$before" ]
	[ "$(jq -s length "$A")" -eq 7 ]
	run -0 --separate-stderr qmb-session resume "$id"
}

@test "damage: trail deleted -> ok, a new trail records the state" {
	rm "$A"
	[ "$(verdict)" = ok ]
	repaired
	[ "$(sig "$S")" = "$before" ]
	[ "$(jq -r .type "$A" | paste -sd,)" = session_imported,session_recovered ]
}

@test "damage: session behind its audit -> behind-audit, rolled forward" {
	cp "$S" "$BATS_TEST_TMPDIR/old"
	qmb-session approve "$id" D - <<<"D_Table: LOAD 1 AS d AUTOGENERATE 1;" >/dev/null
	before=$(sig "$S")
	cp "$BATS_TEST_TMPDIR/old" "$S"
	[ "$(verdict)" = behind-audit ]
	repaired
	[[ $repair_out == *"Rolled the session forward 1 audit entry: nothing that was approved is lost."* ]]
	[ "$(sig "$S")" = "$before" ]
}

@test "damage: state, backup and trail all gone -> lost, started fresh with an apology" {
	truncate -s 120 "$S"
	: >"$B"
	rm "$A"
	[ "$(verdict)" = lost ]
	repaired
	[[ $repair_out == *"Sorry: nothing of session $id could be recovered, so it was started fresh as a new session of project SalesModel at Stage A."* ]]
	[ "$(jq -c '[.project_name, .completed_stages]' "$S")" = '["SalesModel",[]]' ]
	[ "$(ls "$QMB_PROJECT_DIR"/.qmb/corrupt | wc -l)" -eq 2 ]
	[ "$(jq -r .details.source "$A" | tail -1)" = fresh ]
}

@test "damage: a stale .tmp -> ok, moved to corrupt/, the state untouched" {
	echo partial >"$S.tmp"
	[ "$(verdict)" = ok ]
	[ "$(kinds)" = stale-tmp ]
	repaired
	[ ! -e "$S.tmp" ]
	[ "$(cat "$QMB_PROJECT_DIR"/.qmb/corrupt/"$id".json.tmp.corrupt-*)" = partial ]
	[ "$(sig "$S")" = "$before" ]
}

@test "damage: nothing readable, not even the project -> started fresh as 'recovered'" {
	echo x >"$S"
	rm "$B" "$A"
	[ "$(verdict)" = lost ]
	repaired
	[[ $repair_out == *"not even its project name, so it was started fresh at Stage A as project 'recovered'."* ]]
	[ "$(jq -r .project_name "$S")" = recovered ]
	run -0 --separate-stderr qmb-session start recovered --resume
}

@test "damage: an imported session (its trail begins with the import) replays too" {
	qmb-session export "$id" >"$BATS_TEST_TMPDIR/export.json"
	rm -r "$QMB_PROJECT_DIR/.qmb"
	run -0 --separate-stderr qmb-session import "$BATS_TEST_TMPDIR/export.json"
	[ "$(jq -r .type "$A" | paste -sd,)" = session_imported ]
	echo x >"$S"
	[ ! -e "$B" ]
	[ "$(verdict)" = restore-from-audit ]
	repaired
	[[ $repair_out == *"Can restore up to Stage C: its one audit entry verifies, so nothing that was approved is lost."* ]]
	[ "$(sig "$S")" = "$before" ]
}

@test "damage: session behind a trail broken after it -> rolled forward up to the break" {
	cp "$S" "$BATS_TEST_TMPDIR/old"
	qmb-session approve "$id" D - <<<"D_Table: LOAD 1 AS d AUTOGENERATE 1;" >/dev/null
	qmb-session approve "$id" E - <<<"E_Table: LOAD 1 AS e AUTOGENERATE 1;" >/dev/null
	cp "$BATS_TEST_TMPDIR/old" "$S"
	# entry 8 approves E: damaged, so only D can come back
	sed -i '8s/E_Table/Q_Table/' "$A"
	[ "$(verdict)" = behind-audit ]
	repaired
	[[ $repair_out == *"Rolled the session forward 1 audit entry."* ]]
	[[ $repair_out == *"The audit trail is damaged at entry 8: changes recorded from that entry on may be lost."* ]]
	[ "$(jq -r '.completed_stages | join("")' "$S")" = ABCD ]
	run -0 jq -r '.details.partial' <(tail -1 "$A")
	[ "$output" = true ]
}
