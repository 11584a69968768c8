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

# ---- the cases of issue 12, point 1 ------------------------------------

# types ID: the audit entry types of session ID, comma-separated
types() { jq -j '.type + ","' "$(audit_file "$1")"; }

teardown() {
	local m=$QMB_PROJECT_DIR/.qmb/sessions
	if [ -n "$id" ] && mountpoint -q "$m/$id.lock" 2>/dev/null; then
		umount "$m/$id.lock" || umount -l "$m/$id.lock"
	fi
	if mountpoint -q "$m" 2>/dev/null; then
		umount "$m" || umount -l "$m"
	fi
}

@test "failed save (QMB_FAULT=9:ENOSPC): the approval is taken back, the next change does not apply it" {
	local sf af before
	new_session
	sf=$(sess_file "$id")
	af=$(audit_file "$id")
	part "$BATS_TEST_TMPDIR/partA" CONFIG
	cp "$af" "$BATS_TEST_TMPDIR/trail.before"
	# operation 9 is the save's first write, after the audit append
	run --separate-stderr env QMB_FAULT=9:ENOSPC QMB_FAULT_TRACE="$BATS_TEST_TMPDIR/tr" \
	    qmb-session approve "$id" A "$BATS_TEST_TMPDIR/partA"
	[ "$status" -eq 6 ]
	[[ $stderr == *"No space left on device; nothing was changed" ]]
	grep -q '^9 write ENOSPC$' "$BATS_TEST_TMPDIR/tr"
	# the entry is gone from the trail, which verifies
	cmp "$af" "$BATS_TEST_TMPDIR/trail.before"
	run -0 qmb-audit verify "$id"
	# an unrelated change does not bring the approval back
	run -0 --separate-stderr qmb-session set-model "$id" star_schema
	[ -z "$stderr" ]
	[ "$(jq -c .completed_stages "$sf")" = '[]' ]
	[ "$(types "$id")" = session_created,model_type_selected, ]
	[ "$(jq -r .model_type "$sf")" = star_schema ]
}

@test "read-only sessions/: approve exits 6, the trail is as before, tables add does not roll the approval forward" {
	local m sf af
	[ "$(id -u)" -eq 0 ] || skip "needs root for a read-only bind mount"
	new_session
	sf=$(sess_file "$id")
	af=$(audit_file "$id")
	m=$QMB_PROJECT_DIR/.qmb/sessions
	# sessions/ read-only but its lock file writable, as a folder made
	# read-only under a running session leaves it: the append succeeds,
	# the save cannot
	mount --bind "$m" "$m" && mount -o remount,ro,bind "$m" &&
	    mount --bind "$m/$id.lock" "$m/$id.lock" &&
	    mount -o remount,rw,bind "$m/$id.lock" || skip "cannot bind-mount here"
	cp "$af" "$BATS_TEST_TMPDIR/trail.before"
	part "$BATS_TEST_TMPDIR/partA" CONFIG
	run --separate-stderr qmb-session approve "$id" A "$BATS_TEST_TMPDIR/partA"
	umount "$m/$id.lock"
	[ "$status" -eq 6 ]
	[[ $stderr == *"Read-only file system; nothing was changed" ]]
	cmp "$af" "$BATS_TEST_TMPDIR/trail.before"
	umount "$m"
	run -0 qmb-session -q tables "$id" add FACT_Orders
	[ "$(jq -c .completed_stages "$sf")" = '[]' ]
	[ "$(types "$id")" = session_created,tables_changed, ]
}

@test "a state over QMB_MAX_FILE is refused before the append; the session stays writable" {
	local sf af big=$BATS_TEST_TMPDIR/big
	new_session
	sf=$(sess_file "$id")
	af=$(audit_file "$id")
	# three 6 MB parts: the third state would pass the 16 MiB limit
	for s in A B C; do
		{ printf '%s_Table:\n' "$s"; head -c 6000000 /dev/zero | tr '\0' x
		  printf '\n'; } >"$big.$s"
	done
	qmb-session -q approve "$id" A "$big.A" >/dev/null
	qmb-session -q approve "$id" B "$big.B" >/dev/null
	cp "$af" "$BATS_TEST_TMPDIR/trail.before"
	cp "$sf" "$BATS_TEST_TMPDIR/state.before"
	run --separate-stderr qmb-session approve "$id" C "$big.C"
	[ "$status" -eq 6 ]
	[[ $stderr == *"over QMB_MAX_FILE"*"nothing was changed"* ]]
	[[ $stderr != *damaged* ]]
	cmp "$af" "$BATS_TEST_TMPDIR/trail.before"
	cmp "$sf" "$BATS_TEST_TMPDIR/state.before"
	# later, smaller changes go through (not exit 5)
	run -0 qmb-session -q set-model "$id" snowflake
	part "$BATS_TEST_TMPDIR/partC" FACT_Orders
	run -0 qmb-session -q approve "$id" C "$BATS_TEST_TMPDIR/partC"
	[ "$(jq -c .completed_stages "$sf")" = '["A","B","C"]' ]
}

@test "a trail over QMB_MAX_FILE is refused before the append" {
	local af size
	new_session
	af=$(audit_file "$id")
	# a trail larger than the state, then a limit between the two
	for i in 1 2 3; do
		qmb-audit -q append "$id" -t note -d text="$(head -c 300 /dev/zero | tr '\0' z)"
	done
	size=$(stat -c %s "$af")
	cp "$af" "$BATS_TEST_TMPDIR/trail.before"
	run --separate-stderr env QMB_MAX_FILE=$((size + 100)) \
	    qmb-audit append "$id" -t note -d text="$(head -c 200 /dev/zero | tr '\0' y)"
	[ "$status" -eq 6 ]
	[[ $stderr == *"audit trail of session '$id' would be"*"over QMB_MAX_FILE ($((size + 100)) bytes)"* ]]
	cmp "$af" "$BATS_TEST_TMPDIR/trail.before"
}

@test "the audit mirror gives the withdrawn entry back too" {
	local af
	export QMB_AUDIT_MIRROR=$BATS_TEST_TMPDIR/mirror
	new_session
	af=$(audit_file "$id")
	cmp "$af" "$QMB_AUDIT_MIRROR/$id.audit.json"
	part "$BATS_TEST_TMPDIR/partA" CONFIG
	# the save's first write fails after trail and mirror have the entry
	# (writes: the trail's line, the mirror's line and newline, the state)
	run -6 env QMB_FAULT_OPS=write QMB_FAULT=4:ENOSPC \
	    qmb-session approve "$id" A "$BATS_TEST_TMPDIR/partA"
	[ "$(audit_lines "$af")" -eq 1 ]
	cmp "$af" "$QMB_AUDIT_MIRROR/$id.audit.json"
	run -0 qmb-audit verify "$id"
}

@test "a take-back that fails too: exit 8, the change is recorded and takes effect" {
	local sf
	new_session
	sf=$(sess_file "$id")
	part "$BATS_TEST_TMPDIR/partA" CONFIG
	# from the save's first write on, everything fails
	run --separate-stderr env QMB_FAULT=9:EIO:persist \
	    qmb-session approve "$id" A "$BATS_TEST_TMPDIR/partA"
	[ "$status" -eq 8 ]
	[[ $stderr == *"could not be withdrawn"*"takes effect the next time the session is used; do not repeat it" ]]
	run -0 qmb-session -q show "$id"
	run -0 qmb-session -q resume "$id"
	[ "$(jq -c .completed_stages "$sf")" = '["A"]' ]
}
