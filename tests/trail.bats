#!/usr/bin/env bats
# Audit trails that scale and an anchor outside the project: entries
# record what changed, long trails stay writable, verifiable and
# replayable with bounded memory; the audit mirror catches trails changed
# behind qmb's back.

load helper/common

# ---- trails that scale ---------------------------------------------------

@test "tables_changed records the change, not the whole list" {
	new_session
	local a
	a=$(audit_file "$id")
	# a long list first: later entries must not repeat it
	qmb-session tables "$id" add $(seq -f 'T%g' 1 1000) >/dev/null
	qmb-session tables "$id" add X >/dev/null
	tail -n 1 "$a" | jq -e '.details == {"op":"add","tables":["X"],"added":["X"],"removed":[]}'
	[ "$(tail -n 1 "$a" | wc -c)" -lt 500 ]
	qmb-session tables "$id" add X T5 Y >/dev/null
	tail -n 1 "$a" | jq -e '.details.added == ["Y"] and .details.removed == []'
	qmb-session tables "$id" remove T1 T2 >/dev/null
	tail -n 1 "$a" | jq -e '.details == {"op":"remove","tables":["T1","T2"],"added":[],"removed":["T1","T2"]}'
	[ "$(tail -n 1 "$a" | wc -c)" -lt 500 ]
	qmb-session tables "$id" set X Z >/dev/null
	run -0 jq -c '.details | [.added, (.removed | length)]' <<<"$(tail -n 1 "$a")"
	assert_output '[["Z"],999]'
	[ "$(jq -c .pending_tables "$(sess_file "$id")")" = '["X","Z"]' ]
	# the trail rebuilds the same list
	cp "$(sess_file "$id")" "$BATS_TEST_TMPDIR/before"
	rm "$(sess_file "$id")" "$(sess_file "$id").bak"
	run -0 --separate-stderr qmb-recover repair "$id"
	[ "$(jq -c .pending_tables "$(sess_file "$id")")" = '["X","Z"]' ]
}

@test "trail: a whole-list trail of an earlier release verifies and replays identically" {
	local id=01a241a9-cf50-7f6b-a8f3-686344a31913 d=$TOP/tests/data
	mkdir -p -m 700 "$QMB_PROJECT_DIR/.qmb" "$QMB_PROJECT_DIR/.qmb/audit" \
	    "$QMB_PROJECT_DIR/.qmb/sessions"
	cp "$d/tables-whole-list.audit.json" "$(audit_file "$id")"
	cp "$d/tables-whole-list.json" "$(sess_file "$id")"
	chmod 600 "$(audit_file "$id")" "$(sess_file "$id")"
	run -0 --separate-stderr qmb-audit verify "$id"
	assert_output --partial "$id: ok (7 entries"
	# rebuilt from the trail alone: the same list, model and stage
	rm "$(sess_file "$id")"
	run -0 --separate-stderr qmb-recover repair "$id" --from audit
	local f='{project_name, model_type, current_stage, completed_stages, pending_tables}'
	[ "$(jq -c "$f" "$(sess_file "$id")")" = "$(jq -c "$f" "$d/tables-whole-list.json")" ]
	# and a change today appends a delta after the old entries
	run -0 --separate-stderr qmb-session tables "$id" add DIM_Stores
	[ "$(jq -c .pending_tables "$(sess_file "$id")")" = '["LINK_Sales","DIM_Dates","CAL_Master","DIM_Stores"]' ]
	run -0 --separate-stderr qmb-audit verify "$id"
}

@test "trail: a session with 5,000 tables changed one by one stays writable" {
	export QMB_AUDIT_MIRROR=off
	new_session
	local a
	a=$(audit_file "$id")
	# 4,990 entries written as the command writes them, the state left
	# behind them (as after a crash): the next command rolls them forward
	trailgen.py "$a" 1 4990
	export QMB_MAX_FILE=1000000
	[ "$(wc -c <"$a")" -gt "$QMB_MAX_FILE" ]
	local i
	for i in $(seq 4991 5000); do
		qmb-session -q tables "$id" add "T$i" >/dev/null ||
			fail "tables add T$i failed"
	done
	[ "$(jq '.pending_tables | length' "$(sess_file "$id")")" -eq 5000 ]
	[ "$(jq -r '.pending_tables[-1]' "$(sess_file "$id")")" = T5000 ]
	[ "$(jq .audit_seq "$(sess_file "$id")")" -eq 5001 ]
	run -0 jq -r 'select(.action == "rolled_forward") | .details.entries' "$(log_file "$id")"
	assert_output 4990
	# every entry stays small; the trail verifies past the file limit
	[ "$(tail -n 1 "$a" | wc -c)" -lt 500 ]
	run -0 --separate-stderr qmb-audit verify "$id"
	assert_output --partial "$id: ok (5001 entries"
	run -0 --separate-stderr qmb-session tables "$id" remove T1
	[ "$(jq '.pending_tables | length' "$(sess_file "$id")")" -eq 4999 ]
	# recovery reads it too: healthy, not "too large"
	run -0 --separate-stderr qmb-recover check "$id"
	run -0 --separate-stderr qmb-recover report --json
	[ "$(jq -r .unreadable_lines <<<"$output")" -eq 0 ]
}

# ---- the audit mirror: an anchor outside the project ---------------------

# forge_approval ID: append a stage_approved entry with a recomputed hash,
# as someone who can write the project folder (but not the mirror) can
forge_approval() {
	local a c
	a=$(audit_file "$1")
	c='DROP EVERYTHING;'
	tail -n 1 "$a" | jq -c --arg c "$c" --arg h "$(printf %s "$c" | sha256sum | cut -c1-64)" \
	    '.type = "stage_approved" | .details = {stage: "A", script_sha256: $h, content: $c}' >>"$a"
	rechain.py "$a"
}

@test "mirror: on by default under XDG_STATE_HOME, else ~/.local/state; off turns it off" {
	new_session
	local m
	m=$(mirror_file "$id") || fail "no mirror folder"
	cmp "$(audit_file "$id")" "$m"
	# the folder is named after the project and the hash of its real path
	local key
	key=$(printf %s "$(cd "$QMB_PROJECT_DIR" && pwd -P)" | sha256sum | cut -c1-16)
	[ "$m" = "$XDG_STATE_HOME/qmb/mirror/project-$key/$id.audit.json" ]
	[ "$(stat -c %a "$(dirname "$m")")" = 700 ]
	run -0 --separate-stderr qmb-audit --json verify "$id"
	[ "$(jq -r .mirror <<<"$output")" = same ]
	# without XDG_STATE_HOME: ~/.local/state
	unset XDG_STATE_HOME
	run -0 --separate-stderr qmb-session new Other
	local id2=$output
	cmp "$(audit_file "$id2")" "$HOME/.local/state/qmb/mirror/project-$key/$id2.audit.json"
	# off: no copy, and verify says the mirror is off
	export QMB_AUDIT_MIRROR=off
	run -0 --separate-stderr qmb-session tables "$id2" add X
	[ "$(wc -l <"$HOME/.local/state/qmb/mirror/project-$key/$id2.audit.json")" -eq 1 ]
	run -0 --separate-stderr qmb-audit --json verify "$id"
	[ "$(jq -r .mirror <<<"$output")" = none ]
	# a trail the default mirror never saw is reported, not broken
	unset QMB_AUDIT_MIRROR
	export XDG_STATE_HOME=$BATS_TEST_TMPDIR/state2
	run -0 --separate-stderr qmb-audit verify "$id"
	assert_output --partial 'mirror: no copy of this trail'
	run -0 --separate-stderr qmb-audit --json verify "$id"
	[ "$(jq -r .mirror <<<"$output")" = absent ]
}

@test "mirror: after a failed mirror write the copy stays a prefix, and verify names the entry it lacks" {
	new_session
	approve_upto "$id" A
	local m
	m=$(mirror_file "$id") || fail "no mirror folder"
	# the mirror cannot be written while entry 3 is appended
	mv "$m" "$m.saved" && mkdir "$m"
	run -0 --separate-stderr qmb-session tables "$id" add T1
	assert_equal "$stderr" "qmb-session: warning: audit mirror not written: open audit mirror of '$id': Is a directory"
	rmdir "$m" && mv "$m.saved" "$m"
	# entry 4 is not copied out of order
	run -0 --separate-stderr qmb-session tables "$id" add T2
	assert_equal "$stderr" "qmb-session: warning: audit mirror not written: the audit mirror of '$id' ends at entry 2, so entry 4 is not copied; it stays behind from entry 3 (qmb-audit verify shows it)"
	[ "$(wc -l <"$m")" -eq 2 ]
	cmp "$m" <(head -n 2 "$(audit_file "$id")")
	run -1 --separate-stderr qmb-audit verify "$id"
	assert_output --partial 'mirror: the trail holds entries the mirror lacks, from seq 3'
}

@test "mirror: an entry appended with a recomputed hash is caught" {
	new_session
	approve_upto "$id" A
	forge_approval "$id"
	run -1 --separate-stderr qmb-audit verify "$id"
	assert_output --partial 'mirror: the trail holds entries the mirror lacks, from seq 3'
	run -1 --separate-stderr qmb-audit --json verify "$id"
	[ "$(jq -r '"\(.status) \(.mirror)"' <<<"$output")" = "broken differs" ]
}

@test "mirror: a chain rewritten with the session's audit_hash is caught" {
	new_session
	approve_upto "$id" B
	local a s
	a=$(audit_file "$id")
	s=$(sess_file "$id")
	sed -i '2s/A_Table/X_Table/' "$a"
	# the content's hash too, so that every check but the mirror passes
	python3 - "$a" <<'PY'
import hashlib, json, sys
p = sys.argv[1]
lines = [json.loads(l) for l in open(p)]
d = lines[1]["details"]
d["script_sha256"] = hashlib.sha256(d["content"].encode()).hexdigest()
open(p, "w").write("".join(json.dumps(e, separators=(",", ":"), ensure_ascii=False) + "\n" for e in lines))
PY
	rechain.py "$a" "$s"
	QMB_AUDIT_MIRROR=off run -0 --separate-stderr qmb-audit verify "$id"
	run -1 --separate-stderr qmb-audit verify "$id"
	assert_output --partial 'mirror: the mirror differs from the trail at seq 2'
}

@test "mirror: a trail cut short with the session's audit_seq is caught" {
	new_session
	approve_upto "$id" C
	local a s
	a=$(audit_file "$id")
	s=$(sess_file "$id")
	head -n 2 "$a" >"$BATS_TEST_TMPDIR/cut"
	cat "$BATS_TEST_TMPDIR/cut" >"$a"
	rechain.py "$a" "$s"
	QMB_AUDIT_MIRROR=off run -0 --separate-stderr qmb-audit verify "$id"
	run -1 --separate-stderr qmb-audit verify "$id"
	assert_output --partial 'mirror: the mirror holds entries the trail lacks, from seq 3'
}

@test "mirror: a repair that rewrites the trail keeps the mirror's copy beside the new one" {
	new_session
	approve_upto "$id" C
	local a m
	a=$(audit_file "$id")
	m=$(mirror_file "$id")
	cp "$m" "$BATS_TEST_TMPDIR/orig"
	head -n 2 "$a" >"$BATS_TEST_TMPDIR/cut"
	cat "$BATS_TEST_TMPDIR/cut" >"$a"
	run -1 --separate-stderr qmb-audit verify "$id"
	run -0 --separate-stderr qmb-recover repair "$id"
	# the new trail and the new copy agree; the genuine entries are kept
	run -0 --separate-stderr qmb-audit verify "$id"
	cmp "$a" "$m"
	cmp "$BATS_TEST_TMPDIR/orig" "$m".replaced-*
}
