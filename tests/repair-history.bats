#!/usr/bin/env bats
# A broken audit chain has its own verdict, and its repair keeps the
# history: the live trail never gets shorter, what the repair cannot
# vouch for stays on record, and report counts all of it.

load helper/common

# a session of 14 entries: created, A, B, C approved, 10 resumes
setup() {
	new_session SalesModel
	approve_upto "$id" C
	local i
	for i in $(seq 10); do
		qmb-session resume "$id" >/dev/null 2>&1 || return 1
	done
	A=$(audit_file "$id")
	S=$(sess_file "$id")
	[ "$(wc -l <"$A")" -eq 14 ]
	cp "$A" "$BATS_TEST_TMPDIR/orig"
}

@test "check: one character changed in entry 3 is tampered, never ok" {
	sed -i '3s/B_Table/b_Table/' "$A"
	run -1 --separate-stderr qmb-recover check "$id"
	assert_line -n 1 --regexp "^$id +SalesModel +D +tampered\$"
	assert_output --partial 'audit chain broken at entry 3 (tampered): hash mismatch'
	run -1 --separate-stderr qmb-recover check "$id" --json
	[ "$(jq -r '"\(.verdict) \(.state_verdict) \(.broken_at) \(.unvouched) \(.trail_dropped)"' <<<"$output")" = "tampered ok 3 12 0" ]
	run -1 --separate-stderr qmb-recover check --all
	assert_output --partial tampered
}

@test "check: an entry taken out of the middle is broken-chain" {
	sed -i '5d' "$A"
	run -1 --separate-stderr qmb-recover check "$id" --json
	[ "$(jq -r '"\(.verdict) \(.broken_at)"' <<<"$output")" = "broken-chain 5" ]
	run -1 --separate-stderr qmb-recover check "$id"
	assert_line -n 1 --regexp 'broken-chain$'
}

@test "repair: the live trail keeps the verified entries and every entry after the break" {
	sed -i '3s/B_Table/b_Table/' "$A"
	cp "$S" "$BATS_TEST_TMPDIR/st0"
	run -0 --separate-stderr qmb-recover repair "$id"
	assert_output --partial "the live trail keeps its 2 verified entries, then a trail_repaired entry and the 12 entries after the break"
	# never shorter: 2 verified, trail_repaired, 12 kept, import, repair
	[ "$(wc -l <"$A")" -eq 17 ]
	cmp <(head -2 "$A") <(head -2 "$BATS_TEST_TMPDIR/orig")
	run -0 jq -r .type "$A"
	[ "${lines[2]}" = trail_repaired ]
	# the repair names the copy it kept, with its hash
	local kept
	kept=$QMB_PROJECT_DIR/$(sed -n 3p "$A" | jq -r .details.kept)
	[ -f "$kept" ]
	[ "$(sed -n 3p "$A" | jq -r .details.kept_sha256)" = "$(sha256sum <"$kept" | cut -c1-64)" ]
	[ "$(sed -n 3p "$A" | jq -c '.details | [.verdict, .broken_at, .verified, .unvouched, .dropped]')" = '["tampered",3,2,12,0]' ]
	# each entry after the break, as found, on record but not applied
	cmp <(jq -c 'select(.type == "unvouched_entry") | .details.entry' "$A") \
	    <(tail -n +3 "$kept" | jq -c .)
	[ "$(jq -r 'select(.type == "unvouched_entry") | .details.original_seq' "$A" | paste -sd,)" = "$(seq -s, 3 14)" ]
	# the state as it was; the trail verifies and check is clean
	diff <(jq -c "{completed_stages, approved_script_parts}" "$S") \
	    <(jq -c "{completed_stages, approved_script_parts}" "$BATS_TEST_TMPDIR/st0")
	run -0 --separate-stderr qmb-audit verify "$id"
	run -0 --separate-stderr qmb-recover check "$id"
	assert_line -n 1 --regexp ' ok$'
	# replaying the repaired trail rebuilds the same state
	rm "$S" "$S.bak"
	run -0 --separate-stderr qmb-recover repair "$id" --from audit
	[ "$(jq -r '.completed_stages | join("")' "$S")" = ABC ]
	run -0 --separate-stderr qmb-session resume "$id"
}

@test "repair: dropping a line that is no entry needs --force" {
	sed -i '6s/.*/not an entry {{{/' "$A"
	cp "$A" "$BATS_TEST_TMPDIR/damaged"
	run -0 --separate-stderr qmb-recover repair "$id" --dry-run
	assert_output --partial '1 line after the break is no entry and would be dropped from the live trail (the copy keeps it): the repair needs --force.'
	run -1 --separate-stderr qmb-recover repair "$id"
	[[ $stderr == *"would drop 1 line of its audit trail"*"--force"* ]]
	cmp "$A" "$BATS_TEST_TMPDIR/damaged"
	[ ! -e "$QMB_PROJECT_DIR/.qmb/corrupt" ] ||
		[ -z "$(ls -A "$QMB_PROJECT_DIR/.qmb/corrupt")" ]
	run -0 --separate-stderr qmb-recover repair "$id" --force
	assert_output --partial '1 line after the break is no entry and was dropped'
	run -0 --separate-stderr qmb-audit verify "$id"
	# the dropped line is in the kept copy; the 8 entries after it are kept
	grep -qx 'not an entry {{{' "$QMB_PROJECT_DIR"/.qmb/corrupt/"$id".audit.json.corrupt-*
	[ "$(jq -r 'select(.type == "unvouched_entry") | .details.original_seq' "$A" | paste -sd,)" = "$(seq -s, 7 14)" ]
	run -2 --separate-stderr qmb-recover check "$id" --force
}

@test "report: counts the whole history, the entries kept by a repair too" {
	run -0 --separate-stderr qmb-recover report --json
	[ "$(jq -r .sessions_resumed <<<"$output")" -eq 10 ]
	sed -i '3s/B_Table/b_Table/' "$A"
	run -0 --separate-stderr qmb-recover repair "$id"
	run -0 --separate-stderr qmb-recover report --json
	[ "$(jq -r '"\(.sessions_resumed) \(.sessions_created) \(.other_repairs)"' <<<"$output")" = "10 1 1" ]
	# and a second break, in the repaired trail, keeps them all still
	sed -i '8s/"seq":8/"seq":80/' "$A"
	run -0 --separate-stderr qmb-recover repair "$id"
	run -0 --separate-stderr qmb-recover report --json
	[ "$(jq -r '"\(.sessions_resumed) \(.other_repairs)"' <<<"$output")" = "10 2" ]
	run -0 --separate-stderr qmb-audit verify "$id"
}
