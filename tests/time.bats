#!/usr/bin/env bats
# Time only moves forward in a trail (DESIGN 0): a writer whose clock went
# back stamps its entry with the head's time and logs clock_went_back
# once; a trail written out of order before that is a warning for
# verify, never a break, and nothing is discarded for its timestamp.

load helper/common
load helper/durability

part() {
	printf '%s_Table:\nLOAD * FROM [lib://data/%s.qvd] (qvd);\n' "$2" "$2" >"$1"
}

# times ID: the timestamps of session ID's trail, one a line
times() { jq -r .timestamp "$(audit_file "$1")"; }

# ordered ID: the trail's timestamps never go down
ordered() { times "$1" | sort -c; }

# rechain FILE: recompute prev and hash of every entry after an edit
rechain() {
	local prev=$AUDIT_ZERO line body h
	: >"$1.new"
	while IFS= read -r line; do
		body=$(jq -c --arg p "$prev" 'del(.hash) | .prev = $p' <<<"$line")
		h=$(printf '%s' "$body" | sha256sum | cut -c1-64)
		printf '%s,"hash":"%s"}\n' "${body%\}}" "$h" >>"$1.new"
		prev=$h
	done <"$1"
	mv "$1.new" "$1"
	printf '%s' "$prev"
}

@test "faketime -f -2s: the entry takes the head's time, verify and check say ok, one clock_went_back" {
	command -v faketime >/dev/null || fail "faketime is needed (make deps)"
	local sf af lf
	new_session
	sf=$(sess_file "$id")
	af=$(audit_file "$id")
	lf=$(log_file "$id")
	part "$BATS_TEST_TMPDIR/pA" CONFIG
	part "$BATS_TEST_TMPDIR/pB" DIM_Customers
	qmb-session -q approve "$id" A "$BATS_TEST_TMPDIR/pA" >/dev/null
	# two seconds back, as an NTP step does
	# libfaketime is preloaded: AddressSanitizer (make check SANITIZE=1)
	# must not insist on coming first
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
	    run -0 --separate-stderr faketime -f -2s qmb-session approve "$id" B \
	    "$BATS_TEST_TMPDIR/pB"
	ordered "$id"
	[ "$(times "$id" | tail -n 1)" = "$(times "$id" | sed -n 2p)" ]
	run -0 qmb-audit verify "$id"
	[[ $output != *warning* ]]
	run -0 qmb-recover check "$id"
	run -0 qmb-audit verify --all
	[ "$(grep -c '"action":"clock_went_back"' "$lf")" -eq 1 ]
	grep -q '"action":"clock_went_back"' "$QMB_PROJECT_DIR/.qmb/logs/qmb.log"
	[ "$(jq -c .completed_stages "$sf")" = '["A","B"]' ]
}

@test "QMB_NOW in the past: every entry keeps the head's time, the session stays ok" {
	local sf
	new_session
	sf=$(sess_file "$id")
	part "$BATS_TEST_TMPDIR/pA" CONFIG
	export QMB_NOW=1999-01-01T00:00:00.000Z
	run -0 qmb-session -q approve "$id" A "$BATS_TEST_TMPDIR/pA"
	run -0 qmb-session -q set-model "$id" star_schema
	run -0 qmb-session -q tables "$id" add FACT_Orders
	unset QMB_NOW
	ordered "$id"
	[ "$(times "$id" | sort -u | wc -l)" -eq 1 ]
	run -0 qmb-audit verify "$id"
	run -0 qmb-recover check "$id"
	[[ $output != *broken* ]]
	# one warning a process: three commands, three warnings
	[ "$(grep -c '"action":"clock_went_back"' "$(log_file "$id")")" -eq 3 ]
	[ "$(jq -c '[.completed_stages, .model_type, .pending_tables]' "$sf")" = \
	    '[["A"],"star_schema",["FACT_Orders"]]' ]
}

@test "an existing trail with time going back: a warning, never a break; check and repair keep it" {
	local sf af head before
	# the trail is rewritten by hand below, which the audit mirror would
	# (rightly) report: this test is about time alone
	export QMB_AUDIT_MIRROR=off
	new_session
	approve_upto "$id" C
	sf=$(sess_file "$id")
	af=$(audit_file "$id")
	# entry 3 a minute before entry 2, chain and state made whole again
	jq -c 'if .seq == 3 then .timestamp = "2000-01-01T00:00:00.000Z" else . end' \
	    "$af" >"$af.edit"
	mv "$af.edit" "$af"
	head=$(rechain "$af")
	jq --arg h "$head" '.audit_hash = $h' "$sf" >"$sf.edit"
	mv "$sf.edit" "$sf"
	cp "$af" "$BATS_TEST_TMPDIR/trail.before"
	run -0 qmb-audit verify "$id"
	[[ $output == *"$id: ok (4 entries"* ]]
	[[ $output == *"warning: 1 entry stamped earlier than an entry before (first: entry 3)"* ]]
	run -0 qmb-audit --json verify "$id"
	[ "$(jq -r '.status + " " + (.time_out_of_order | tostring)' <<<"$output")" = "ok 1" ]
	run -0 qmb-recover check "$id"
	run -0 qmb-recover repair "$id"
	cmp "$af" "$BATS_TEST_TMPDIR/trail.before"
	[ -z "$(ls -A "$QMB_PROJECT_DIR/.qmb/corrupt" 2>/dev/null)" ]
	# the next writer stamps its entry no earlier than the latest time
	run -0 qmb-session -q set-model "$id" snowflake
	[ "$(jq -r .timestamp "$af" | tail -n 1)" \> "2000-01-01T00:00:00.000Z" ]
	run -0 qmb-audit verify "$id"
}
