#!/usr/bin/env bats
# Durability of sessions: random kills, concurrent writers, a full disk,
# a failure at every counted I/O operation, planted links, dead lock
# holders, readers during saves.  See DESIGN 2.1 and 2.3.

load helper/common
load helper/durability

teardown() {
	release_lock
	if mountpoint -q "$BATS_TEST_TMPDIR/mnt" 2>/dev/null; then
		umount "$BATS_TEST_TMPDIR/mnt" || umount -l "$BATS_TEST_TMPDIR/mnt"
	fi
}

STAGES=ABCDEF

# report_helper: after `run` of a checking helper: it passed and was quiet
report_helper() {
	if [ "$status" -ne 0 ] || [ -n "$stderr" ]; then
		printf '%s\n' "exit $status" "$stderr" >&2
		return 1
	fi
}

# part FILE TEXT: write a script part
part() {
	printf '%s_Table:\nLOAD * FROM [lib://data/%s.qvd] (qvd);\n' "$2" "$2" >"$1"
}

# ---- 1. crash loop ----------------------------------------------------

@test "crash loop: SIGKILL at random moments loses no acknowledged change" {
	local kills=200 sf af kv
	local -A r=()
	is_asan && kills=40
	new_session
	sf=$(sess_file "$id")
	af=$(audit_file "$id")
	# the checks after each kill are in the helper (see its header)
	# at most 60 s on a loaded machine
	run --separate-stderr crashloop.sh "$id" "$kills" "$BATS_TEST_TMPDIR/crash" 60
	report_helper
	for kv in $output; do r[${kv%%=*}]=${kv#*=}; done
	echo "# crash loop: ${r[kills]} kills (after 1..${r[window]} ms) in ${r[ms]} ms: ${r[acked]} acknowledged commands, ${r[inflight]} in flight (${r[applied]} took effect, ${r[rolled]} of them rolled forward from the audit), ${r[torn]} torn audit tails, ${r[stale]} stale .tmp files" >&3
	kills=${r[kills]}
	[ "$kills" -ge 40 ]
	# every fragment cut off the trail was kept, the whole trail verifies
	[ "$(find "$QMB_PROJECT_DIR/.qmb" -name '*.torn-*' | wc -l)" -eq "${r[torn]}" ]
	[ "$(audit_verify "$af")" = "$(jq -r .audit_hash "$sf")" ]
	# enough happened for the kills to mean something
	[ "${r[acked]}" -ge $((kills / 2)) ]
	[ "${r[inflight]}" -ge $((kills / 4)) ]
	[ "${r[applied]}" -ge 1 ]
}

# ---- 2. concurrent writers ----------------------------------------------

@test "race: 8 processes x 25 table adds at once lose no update" {
	local p i sf af lf n
	new_session
	sf=$(sess_file "$id")
	af=$(audit_file "$id")
	lf=$(log_file "$id")
	for p in 1 2 3 4 5 6 7 8; do
		(
			for i in $(seq 25); do
				qmb-session --wait 30 tables "$id" add "P${p}_T$i" \
				    >/dev/null 2>>"$BATS_TEST_TMPDIR/err.$p" ||
				    echo "P${p}_T$i exited $?" >>"$BATS_TEST_TMPDIR/failed"
			done
		) 3>&- &
	done
	wait
	[ ! -e "$BATS_TEST_TMPDIR/failed" ]
	cat "$BATS_TEST_TMPDIR"/err.* >"$BATS_TEST_TMPDIR/err"
	[ ! -s "$BATS_TEST_TMPDIR/err" ]
	# all 200 are pending, each once; one save and one entry per command
	for p in 1 2 3 4 5 6 7 8; do
		for i in $(seq 25); do echo "P${p}_T$i"; done
	done | LC_ALL=C sort >"$BATS_TEST_TMPDIR/want"
	jq -r '.pending_tables[]' "$sf" | LC_ALL=C sort >"$BATS_TEST_TMPDIR/got"
	cmp "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	[ "$(jq .revision "$sf")" -eq 201 ]
	[ "$(jq -c 'select(.type == "tables_changed")' "$af" | wc -l)" -eq 200 ]
	n=$(audit_lines "$af")
	[ "$n" -eq 201 ]
	[ "$(jq .audit_seq "$sf")" -eq "$n" ]
	[ "$(audit_verify "$af")" = "$(jq -r .audit_hash "$sf")" ]
	# every log line is one whole JSON object: 1 creation + 200 changes
	[ "$(wc -l <"$lf")" -eq 201 ]
	[ "$(jq -c . "$lf" | wc -l)" -eq 201 ]
	[ "$(jq -r 'select(.action == "tables_changed") | .details.tables[0]' "$lf" |
	    LC_ALL=C sort | cmp - "$BATS_TEST_TMPDIR/want" && echo same)" = same ]
	echo "# race: 8 x 25 concurrent table adds: 200 pending, revision 201, 200 audit entries, 201 log lines" >&3
}

@test "race: two approves of the same stage: one approves, the other re-approves" {
	local rounds=5 r st lk p1 p2 rc1 rc2 winner loser sf af
	new_session
	approve_upto "$id" A
	sf=$(sess_file "$id")
	af=$(audit_file "$id")
	lk="$QMB_PROJECT_DIR/.qmb/sessions/$id.lock"
	for ((r = 1; r <= rounds; r++)); do
		st=$(printf '%s' BCDEF | cut -c "$r")
		part "$BATS_TEST_TMPDIR/p1" "${st}_one"
		part "$BATS_TEST_TMPDIR/p2" "${st}_two"
		# both wait on the lock, then run one after the other
		hold_lock "$lk"
		qmb-session --wait 10 approve "$id" "$st" "$BATS_TEST_TMPDIR/p1" \
		    >"$BATS_TEST_TMPDIR/o1" 2>"$BATS_TEST_TMPDIR/e1" 3>&- &
		p1=$!
		qmb-session --wait 10 approve "$id" "$st" "$BATS_TEST_TMPDIR/p2" \
		    >"$BATS_TEST_TMPDIR/o2" 2>"$BATS_TEST_TMPDIR/e2" 3>&- &
		p2=$!
		sleep 0.3
		release_lock
		rc1=0 rc2=0
		wait "$p1" || rc1=$?
		wait "$p2" || rc2=$?
		# exactly one approves; the other finds the stage approved and,
		# as it is the latest, re-approves it (exit 0, not 4)
		[ "$rc1" -eq 0 ]
		[ "$rc2" -eq 0 ]
		[ ! -s "$BATS_TEST_TMPDIR/e1" ]
		[ ! -s "$BATS_TEST_TMPDIR/e2" ]
		if grep -q ' re-approved\.' "$BATS_TEST_TMPDIR/o1"; then
			winner=2 loser=1
		else
			winner=1 loser=2
		fi
		grep -q "^Stage $st: .* approved\. " "$BATS_TEST_TMPDIR/o$winner"
		! grep -q 're-approved' "$BATS_TEST_TMPDIR/o$winner" || false
		grep -q "^Stage $st: .* re-approved\. " "$BATS_TEST_TMPDIR/o$loser"
		# the part in force is the re-approver's; both are in the audit
		[ "$(jq -r ".approved_script_parts.$st" "$sf")" = \
		    "$(cat "$BATS_TEST_TMPDIR/p$loser")" ]
		[ "$(jq -c .completed_stages "$sf")" = \
		    "$(printf 'ABCDEF' | cut -c 1-$((r + 1)) | jq -Rc 'split("")')" ]
		[ "$(jq -c "select(.type == \"stage_approved\" and .details.stage == \"$st\")" "$af" |
		    wc -l)" -eq 2 ]
	done
	[ "$(jq .audit_seq "$sf")" -eq "$(audit_lines "$af")" ]
	[ "$(audit_verify "$af")" = "$(jq -r .audit_hash "$sf")" ]
	echo "# race: $rounds rounds of two concurrent approves of one stage: each time one approved, the other re-approved" >&3
}

# ---- 3. disk full ---------------------------------------------------------

# mount_small: a 256 KiB tmpfs at $mnt holding the project
mount_small() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount a tmpfs"
	mnt="$BATS_TEST_TMPDIR/mnt"
	mkdir -p "$mnt"
	mount -t tmpfs -o size=256k,mode=0700 tmpfs "$mnt" ||
	    skip "cannot mount a tmpfs here"
	export QMB_PROJECT_DIR="$mnt/project"
	mkdir "$QMB_PROJECT_DIR"
}

# big_part FILE BYTES TAG: a script part of about BYTES bytes
big_part() {
	{
		printf '%s:\n' "$3"
		yes "LOAD field_$3 FROM [lib://data/$3.qvd] (qvd);" | head -c "$2"
		echo
	} >"$1"
}

# free_bytes: what the tmpfs has left
free_bytes() {
	df --output=avail -B1 "$mnt" | tail -n 1 | tr -d ' '
}

# check_failed: the command failed as a full disk should make it
check_failed() {
	if [ "$status" -ne 6 ]; then
		echo "exit $status, expected 6: $stderr" >&2
		return 1
	fi
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "qmb-session: "* ]]
	cmp "$sf" "$BATS_TEST_TMPDIR/good.json"
}

# check_saved PARTFILE: the part is in force, nothing temporary is left,
# the trail verifies and the session names its head
check_saved() {
	[ "$(jq -r .approved_script_parts.A "$sf")" = "$(cat "$1")" ]
	[ -z "$(find "$QMB_PROJECT_DIR/.qmb" -name '*.tmp' -o -name '.*.*')" ]
	[ "$(jq .audit_seq "$sf")" -eq "$(audit_lines "$af")" ]
	[ "$(audit_verify "$af")" = "$(jq -r .audit_hash "$sf")" ]
}

@test "disk full: larger and larger parts until a write fails, then free space" {
	local step fails=0 oks=0 psize stale=0
	mount_small
	new_session
	approve_upto "$id" A
	sf=$(sess_file "$id")
	af=$(audit_file "$id")
	fallocate -l 96K "$mnt/filler"
	cp "$sf" "$BATS_TEST_TMPDIR/good.json"
	for ((step = 1; step <= 40; step++)); do
		psize=$((step * 4096))
		big_part "$BATS_TEST_TMPDIR/part" "$psize" "P$step"
		run --separate-stderr qmb-session approve "$id" A "$BATS_TEST_TMPDIR/part"
		if [ "$status" -eq 0 ]; then
			oks=$((oks + 1))
			check_saved "$BATS_TEST_TMPDIR/part"
			cp "$sf" "$BATS_TEST_TMPDIR/good.json"
			continue
		fi
		check_failed
		fails=$((fails + 1))
		break
	done
	[ "$fails" -eq 1 ]
	[ "$oks" -ge 2 ]
	[ -e "$sf.tmp" ] && stale=1
	# free space: the same command now succeeds and cleans up
	rm "$mnt/filler"
	run -0 --separate-stderr qmb-session approve "$id" A "$BATS_TEST_TMPDIR/part"
	check_saved "$BATS_TEST_TMPDIR/part"
	echo "# disk full: parts of 4 KiB, 8 KiB, ... on a 256 KiB tmpfs: $oks saved, the ${psize}-byte part failed with exit 6 and left the session byte-identical ($stale stale .tmp), saved after freeing space" >&3
}

@test "disk full: every amount of free space from 0 to 44 KiB" {
	local r fails=0 oks=0 skipped=0 avail stale=0 nlines
	mount_small
	new_session
	approve_upto "$id" A
	sf=$(sess_file "$id")
	af=$(audit_file "$id")
	for ((r = 0; r <= 45056; r += 4096)); do
		avail=$(free_bytes)
		if [ "$avail" -lt "$r" ]; then
			skipped=$((skipped + 1))
			continue
		fi
		[ "$avail" -eq "$r" ] || fallocate -l $((avail - r)) "$mnt/filler"
		[ "$(free_bytes)" -eq "$r" ]
		big_part "$BATS_TEST_TMPDIR/part" 8000 "R$r"
		cp "$sf" "$BATS_TEST_TMPDIR/good.json"
		cp "$sf.bak" "$BATS_TEST_TMPDIR/good.bak" 2>/dev/null || :
		nlines=$(audit_lines "$af")
		run --separate-stderr qmb-session approve "$id" A "$BATS_TEST_TMPDIR/part"
		if [ "$status" -eq 0 ]; then
			oks=$((oks + 1))
		else
			check_failed
			fails=$((fails + 1))
			# .bak is the old one, or the current file
			if [ -e "$BATS_TEST_TMPDIR/good.bak" ]; then
				cmp "$sf.bak" "$BATS_TEST_TMPDIR/good.bak" ||
				    cmp "$sf.bak" "$sf"
			fi
			# a failed append leaves the trail as it was
			[ "$(audit_lines "$af")" -ge "$nlines" ]
			! audit_torn "$af" || false
			[ -e "$sf.tmp" ] && stale=$((stale + 1))
		fi
		rm -f "$mnt/filler"
		if [ "$status" -ne 0 ]; then
			run -0 --separate-stderr qmb-session approve "$id" A \
			    "$BATS_TEST_TMPDIR/part"
		fi
		check_saved "$BATS_TEST_TMPDIR/part"
	done
	[ "$fails" -ge 2 ]
	[ "$oks" -ge 1 ]
	echo "# disk full: 8000-byte approve with 0..44 KiB free in 4 KiB steps: $fails failed with exit 6 (session byte-identical, $stale stale .tmp), $oks succeeded, $skipped steps not reachable; every retry after freeing space succeeded" >&3
}

# ---- 4. a failure at every counted operation ----------------------------

# sweep TEMPLATE COMMAND...: run faultsweep.sh, print and check its counts
sweep() {
	local kv
	local -A r=()
	run --separate-stderr faultsweep.sh "$1" "$id" "$BATS_TEST_TMPDIR/sweep" \
	    "${@:2}"
	report_helper
	for kv in $output; do r[${kv%%=*}]=${kv#*=}; done
	echo "#   ${r[ops]} operations x 3 modes = ${r[cases]} cases: exit 0: ${r[exit0]}, exit 6: ${r[exit6]}, exit 8: ${r[exit8]}, killed: ${r[killed]}; after resume old state: ${r[old]}, new: ${r[new]} (${r[rolled]} rolled forward); hidden temporary files left: ${r[hidden]}" >&3
	[ "${r[cases]}" -eq $((3 * r[ops])) ]
	[ "${r[ops]}" -ge 12 ]
	[ "${r[killed]}" -eq "${r[ops]}" ]
	# log failures never fail a command: a sweep through log rotation
	# sets min6 lower
	[ "$((r[exit6] + r[exit8]))" -ge "${min6:-${r[ops]}}" ]
	[ "${r[old]}" -ge 1 ]
	[ "${r[new]}" -ge 1 ]
}

@test "fault sweep: approve with ENOSPC, EIO or SIGKILL at each operation" {
	local tpl="$BATS_TEST_TMPDIR/template"
	new_session
	approve_upto "$id" B
	qmb-session -q tables "$id" add FACT_Orders FACT_Returns >/dev/null
	part "$BATS_TEST_TMPDIR/partC" FACT_Orders
	cp -a "$QMB_PROJECT_DIR" "$tpl"
	echo "# fault sweep: approve C" >&3
	sweep "$tpl" qmb-session -q approve "$id" C "$BATS_TEST_TMPDIR/partC"
}

@test "fault sweep: approve on a session behind its audit with a torn tail" {
	local tpl="$BATS_TEST_TMPDIR/template" sf af
	new_session
	approve_upto "$id" B
	sf=$(sess_file "$id")
	af=$(audit_file "$id")
	# C reached the trail but not the file; a later append was torn
	cp "$sf" "$BATS_TEST_TMPDIR/at-B.json"
	part "$BATS_TEST_TMPDIR/partC" FACT_Orders
	qmb-session -q approve "$id" C "$BATS_TEST_TMPDIR/partC"
	[ "$(jq -c .completed_stages "$sf")" = '["A","B","C"]' ]
	cp "$BATS_TEST_TMPDIR/at-B.json" "$sf"
	printf '{"seq":%d,"timestamp":"2026-01-21T10:00' \
	    $(($(audit_lines "$af") + 1)) >>"$af"
	part "$BATS_TEST_TMPDIR/partD" LINK_Table
	cp -a "$QMB_PROJECT_DIR" "$tpl"
	echo "# fault sweep: approve D, rolling forward C and cutting a torn line first" >&3
	sweep "$tpl" qmb-session -q approve "$id" D "$BATS_TEST_TMPDIR/partD"
}

@test "fault sweep: approve that rotates the log" {
	local tpl="$BATS_TEST_TMPDIR/template"
	new_session
	approve_upto "$id" A
	part "$BATS_TEST_TMPDIR/partB" DIM_Customers
	cp -a "$QMB_PROJECT_DIR" "$tpl"
	echo "# fault sweep: approve B, rotating the session log (QMB_LOG_MAX_SIZE=1)" >&3
	min6=10 QMB_LOG_MAX_SIZE=1 sweep "$tpl" qmb-session -q approve "$id" B \
	    "$BATS_TEST_TMPDIR/partB"
}

# ---- planted links, dead lock holders, readers, stale files -------------

@test "hard link at the audit trail: refused with exit 6, the victim unchanged" {
	local sf af victim="$BATS_TEST_TMPDIR/victim"
	new_session
	approve_upto "$id" A
	sf=$(sess_file "$id")
	af=$(audit_file "$id")
	ln "$af" "$victim"
	cp "$victim" "$BATS_TEST_TMPDIR/victim.before"
	cp "$sf" "$BATS_TEST_TMPDIR/session.before"
	part "$BATS_TEST_TMPDIR/partB" DIM_Customers
	run -6 --separate-stderr qmb-session approve "$id" B "$BATS_TEST_TMPDIR/partB"
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "qmb-session: "*"not a plain file of ours"* ]]
	cmp "$victim" "$BATS_TEST_TMPDIR/victim.before"
	cmp "$sf" "$BATS_TEST_TMPDIR/session.before"
	# without the link the same command goes through
	rm "$victim"
	run -0 --separate-stderr qmb-session approve "$id" B "$BATS_TEST_TMPDIR/partB"
	[ "$(jq -c .completed_stages "$sf")" = '["A","B"]' ]
}

@test "hard link at the session log: the log is not written, the victim unchanged" {
	local sf lf victim="$BATS_TEST_TMPDIR/victim"
	new_session
	approve_upto "$id" A
	sf=$(sess_file "$id")
	lf=$(log_file "$id")
	ln "$lf" "$victim"
	cp "$victim" "$BATS_TEST_TMPDIR/victim.before"
	part "$BATS_TEST_TMPDIR/partB" DIM_Customers
	# logging is best effort: the change is made and audited, the log
	# refused (said with -v)
	run -0 --separate-stderr qmb-session -v approve "$id" B "$BATS_TEST_TMPDIR/partB"
	[[ $stderr == *"log not written"*"not a plain file of ours"* ]]
	cmp "$victim" "$BATS_TEST_TMPDIR/victim.before"
	[ "$(jq -c .completed_stages "$sf")" = '["A","B"]' ]
	rm "$victim"
	run -0 --separate-stderr qmb-session approve "$id" C "$BATS_TEST_TMPDIR/partB"
	[ "$(tail -n 1 "$lf" | jq -r '.action + " " + .stage')" = "stage_approved C" ]
}

@test "lock holder killed with kill -9: the next command gets the lock within 1 s" {
	local sf lk loglk victim t0 ms
	new_session
	approve_upto "$id" A
	sf=$(sess_file "$id")
	lk="$QMB_PROJECT_DIR/.qmb/sessions/$id.lock"
	loglk="$(log_file "$id").lock"
	part "$BATS_TEST_TMPDIR/partB" DIM_Customers
	part "$BATS_TEST_TMPDIR/partC" FACT_Orders
	# a real qmb-session holds the session lock: its change is saved and
	# it waits for the log's lock, which we hold
	hold_lock "$loglk"
	qmb-session --wait 30 approve "$id" B "$BATS_TEST_TMPDIR/partB" \
	    >/dev/null 2>&1 3>&- &
	victim=$!
	for t0 in $(seq 500); do
		[ "$(jq -c .completed_stages "$sf")" = '["A","B"]' ] && break
		sleep 0.01
	done
	[ "$(jq -c .completed_stages "$sf")" = '["A","B"]' ]
	run -1 flock -n "$lk" true
	kill -9 "$victim"
	wait "$victim" || [ $? -eq 137 ]
	release_lock
	t0=$(now_ms)
	run -0 --separate-stderr qmb-session --wait 5 approve "$id" C "$BATS_TEST_TMPDIR/partC"
	ms=$(($(now_ms) - t0))
	[ "$ms" -lt 1000 ]
	[ "$(jq -c .completed_stages "$sf")" = '["A","B","C"]' ]
	echo "# lock holder killed: the next approve took $ms ms" >&3
}

@test "readers during saves: no failed open or parse" {
	local saves=300 sf stop reads bad reads2 bad2 n st done_stages
	is_asan && saves=100
	new_session
	sf=$(sess_file "$id")
	stop="$BATS_TEST_TMPDIR/stop"
	(
		reads=0 bad=0
		while [ ! -e "$stop" ]; do
			if jq -e '.revision > 0' "$sf" >/dev/null 2>>"$BATS_TEST_TMPDIR/rerr"; then
				reads=$((reads + 1))
			else
				bad=$((bad + 1))
			fi
		done
		echo "$reads $bad" >"$BATS_TEST_TMPDIR/counts"
	) 3>&- &
	# and a fast one without forks: the whole file, or a failure
	(
		reads=0 bad=0 c=
		while [ ! -e "$stop" ]; do
			c=
			{ IFS= read -r -d '' c <"$sf"; } 2>/dev/null || :
			if [[ $c == '{'*'"version": 1,'*'"user_id": '*'}'$'\n' ]]; then
				reads=$((reads + 1))
			else
				bad=$((bad + 1))
			fi
		done
		echo "$reads $bad" >"$BATS_TEST_TMPDIR/counts2"
	) 3>&- &
	# approve A..F, re-approving the latest stage in between
	done_stages=0
	for ((n = 0; n < saves; n++)); do
		if [ $((n % 2)) -eq 0 ] && [ "$done_stages" -lt 6 ]; then
			done_stages=$((done_stages + 1))
		fi
		st=${STAGES:done_stages - 1:1}
		part "$BATS_TEST_TMPDIR/part" "S${st}_$n"
		qmb-session -q approve "$id" "$st" "$BATS_TEST_TMPDIR/part" >/dev/null
	done
	touch "$stop"
	wait
	read -r reads bad <"$BATS_TEST_TMPDIR/counts"
	read -r reads2 bad2 <"$BATS_TEST_TMPDIR/counts2"
	echo "# readers during saves: $saves saves; jq: $reads reads, $bad failed; shell read: $reads2 reads, $bad2 missing or partial" >&3
	[ "$bad" -eq 0 ]
	[ ! -s "$BATS_TEST_TMPDIR/rerr" ]
	[ "$reads" -ge 50 ]
	[ "$bad2" -eq 0 ]
	[ "$reads2" -ge 1000 ]
	[ "$(jq .revision "$sf")" -eq $((saves + 1)) ]
	[ "$(jq -c .completed_stages "$sf")" = '["A","B","C","D","E","F"]' ]
}

@test "a stale ID.json.tmp left by a crash is removed by the next save" {
	local sf
	new_session
	approve_upto "$id" A
	sf=$(sess_file "$id")
	printf '{"version":1,"session_id":"half-writ' >"$sf.tmp"
	printf 'junk' >"$sf.bak.tmp"
	run -0 --separate-stderr qmb-session show "$id"
	[ -e "$sf.tmp" ]
	part "$BATS_TEST_TMPDIR/partB" DIM_Customers
	run -0 --separate-stderr qmb-session approve "$id" B "$BATS_TEST_TMPDIR/partB"
	[ ! -e "$sf.tmp" ]
	[ ! -e "$sf.bak.tmp" ]
	[ "$(jq -c .completed_stages "$sf")" = '["A","B"]' ]
	[ "$(jq -c .completed_stages "$sf.bak")" = '["A"]' ]
}

@test "a save killed between its two renames: the next save leaves no .bak.tmp" {
	local sf
	new_session
	approve_upto "$id" A
	sf=$(sess_file "$id")
	# killed after renaming the link over .bak, before the new file came:
	# the file and .bak are one
	ln -f "$sf" "$sf.bak"
	part "$BATS_TEST_TMPDIR/partB" DIM_Customers
	run -0 --separate-stderr qmb-session approve "$id" B "$BATS_TEST_TMPDIR/partB"
	[ "$(dir_entries "$QMB_PROJECT_DIR/.qmb/sessions")" = \
	    "$id.json $id.json.bak $id.lock" ]
	[ "$(jq -c .completed_stages "$sf")" = '["A","B"]' ]
	[ "$(jq -c .completed_stages "$sf.bak")" = '["A"]' ]
}

@test "sessions with different ids do not block each other" {
	local one two t0 ms
	new_session
	one=$id
	new_session
	two=$id
	part "$BATS_TEST_TMPDIR/partA" CONFIG
	hold_lock "$QMB_PROJECT_DIR/.qmb/sessions/$one.lock"
	# the held session is busy ...
	run -4 --separate-stderr qmb-session --wait 0.2 approve "$one" A "$BATS_TEST_TMPDIR/partA"
	[[ $stderr == "qmb-session: "*busy* ]]
	# ... the other is not
	t0=$(now_ms)
	run -0 --separate-stderr qmb-session --wait 0.2 approve "$two" A "$BATS_TEST_TMPDIR/partA"
	ms=$(($(now_ms) - t0))
	release_lock
	[ "$(jq -c .completed_stages "$(sess_file "$two")")" = '["A"]' ]
	[ "$(jq -c .completed_stages "$(sess_file "$one")")" = '[]' ]
	echo "# different ids: approve of one session took $ms ms while the other's lock was held" >&3
}
