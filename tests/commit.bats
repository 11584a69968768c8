#!/usr/bin/env bats
# "Exit 6 means not committed" (DESIGN 0): every changing command, with
# ENOSPC, EIO (from then on) or EROFS at each of its counted I/O
# operations in turn (tests/helper/commitsweep.sh), exits 0, 6 or 8, and
# after exit 6 the next command sees the old state, after 0 or 8 the new.
# Then the cases that led there: a failed save after the audit append, a
# state or trail over QMB_MAX_FILE.

load helper/common
load helper/durability

# make check samples (each operation with one of the three errnos);
# make sweep runs all three at every operation
export SWEEP_STRIDE=${QMB_SWEEP_STRIDE:-3}

# csweep COMMAND...: sweep COMMAND over a copy of $QMB_PROJECT_DIR
csweep() {
	local kv w label tpl="$BATS_TEST_TMPDIR/template"
	local -A r=()
	for w in "$@"; do
		case $w in -*) ;; *) label="${label:+$label }$w" ;; esac
		[ "$w" = "$2" ] || [ "${label#* }" = "$label" ] || break
	done
	rm -rf "$tpl"
	cp -a "$QMB_PROJECT_DIR" "$tpl"
	run --separate-stderr commitsweep.sh "$tpl" "$BATS_TEST_TMPDIR/sweep" "$@"
	if [ "$status" -ne 0 ] || [ -n "$stderr" ]; then
		printf '%s\n' "exit $status" "$stderr" >&2
		return 1
	fi
	for kv in $output; do r[${kv%%=*}]=${kv#*=}; done
	echo "# ${label%% "$id"*}: ${r[ops]} operations x 3 errnos: ${r[cases]} cases: exit 0: ${r[exit0]}, exit 6: ${r[exit6]}, exit 8: ${r[exit8]}; next command saw old: ${r[old]}, new: ${r[new]}${r[pending]:+, pending: ${r[pending]}}" >&3
	# every operation once (stride 3, a different errno for each), or
	# every operation with every errno (make sweep)
	[ "${r[cases]}" -ge "${r[ops]}" ]
	[ "$SWEEP_STRIDE" -ne 1 ] || [ "${r[cases]}" -eq $((3 * r[ops])) ]
	[ "${r[ops]}" -ge 3 ]
	# something failed and was withdrawn, something failed and stood
	[ "${r[exit6]}" -ge 1 ]
	[ "${r[old]}" -eq "${r[exit6]}" ]
}

part() {
	printf '%s_Table:\nLOAD * FROM [lib://data/%s.qvd] (qvd);\n' "$2" "$2" >"$1"
}

@test "sweep: new" {
	# recorded but not saved and not withdrawn: only the trail has it
	# (a trail left empty by a failed first write holds nothing)
	SWEEP_EXIT8_STATE='0|1' SWEEP_PROBE='printf "%s|%s\n" "$(ls .qmb/sessions 2>/dev/null |
	    grep -c "\.json$")" "$(find .qmb/audit -type f -size +0 2>/dev/null |
	    grep -c .)"' csweep qmb-session -q new SalesModel
}

@test "sweep: approve" {
	new_session
	approve_upto "$id" B
	part "$BATS_TEST_TMPDIR/partC" FACT_Orders
	export id
	csweep qmb-session -q approve "$id" C "$BATS_TEST_TMPDIR/partC"
}

@test "sweep: revert" {
	new_session
	approve_upto "$id" C
	export id
	csweep qmb-session -q revert "$id" B
}

@test "sweep: set-model" {
	new_session
	export id
	csweep qmb-session -q set-model "$id" snowflake
}

@test "sweep: tables add and remove" {
	new_session
	qmb-session -q tables "$id" add FACT_Orders >/dev/null
	export id
	csweep qmb-session -q tables "$id" add FACT_Returns DIM_Dates
	csweep qmb-session -q tables "$id" remove FACT_Orders
}

@test "sweep: complete" {
	new_session
	approve_upto "$id" F
	qmb-review -q bypass "$id" --reason "sweep" >/dev/null
	export id
	csweep qmb-session -q complete "$id"
}

@test "sweep: archive" {
	new_session
	approve_upto "$id" A
	export id
	# an archive that cannot move the files nor withdraw its entry leaves
	# the session in place with session_archived last in its trail
	SWEEP_EXIT8_STATE='0:*|1|0|session_created,stage_approved,session_archived,|0' \
	    csweep qmb-session -q archive "$id"
}

@test "sweep: import" {
	new_session
	approve_upto "$id" B
	qmb-session export "$id" >"$BATS_TEST_TMPDIR/export.json"
	rm -rf "$QMB_PROJECT_DIR/.qmb"
	export id
	SWEEP_EXIT8_STATE='3:none|0|0|session_imported,|0' csweep qmb-session -q import "$BATS_TEST_TMPDIR/export.json"
}

@test "sweep: audit append" {
	new_session
	export id
	csweep qmb-audit -q append "$id" -t sweep_entry -d note=x
}

@test "sweep: review bypass (review recorded)" {
	new_session
	approve_upto "$id" F
	export id
	csweep qmb-review -q bypass "$id" --reason "sweep"
}

@test "sweep: log write" {
	new_session
	export id
	csweep qmb-log write -s "$id" -l INFO -c sweep -a sweep_probe
}
