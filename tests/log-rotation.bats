#!/usr/bin/env bats
# Rotation on write under load: several writers append to one log while it
# rotates again and again; afterwards every line is found exactly once
# across the rotated files, none torn, never more than the files kept.
# Also retention, the low-disk rule, and show -f across rotations.
load helper/common

ID=conc
follower=

teardown() {
	if [ -n "$follower" ]; then
		kill "$follower" 2>/dev/null || true
		wait "$follower" 2>/dev/null || true
	fi
}

logd() { printf '%s/.qmb/logs' "$QMB_PROJECT_DIR"; }

# lines WRITER N PAD: N JSON Lines entries for --stdin, numbered 1..N
lines() {
	awk -v w="$1" -v n="$2" -v pad="$3" 'BEGIN {
		p = sprintf("%*s", pad, ""); gsub(/ /, "x", p)
		for (i = 1; i <= n; i++)
			printf "{\"level\":\"INFO\",\"component\":\"writer\",\"action\":\"%s\",\"details\":{\"n\":%d,\"pad\":\"%s\"}}\n", w, i, p
	}'
}

# wait_for FILE TEXT [SECONDS]: until FILE holds TEXT (default 15 s)
wait_for() {
	local t=0 limit=$((${3:-15} * 10))
	until grep -qF -- "$2" "$1" 2>/dev/null; do
		t=$((t + 1))
		[ "$t" -lt "$limit" ] || return 1
		sleep 0.1
	done
}

# rotated: the number of NAME.log.K files
rotated() { find "$(logd)" -name "$ID.log.[0-9]*" | wc -l; }

@test "rotation under load: every line once, none torn, at most 5 files kept" {
	export QMB_LOG_MAX_SIZE=64K QMB_LOG_KEEP=5
	local w pids=() n=170 pad=300 procs=40 k total f one
	# four writers through --stdin (a lock and a write per line) and one
	# writing a line per process, all at once
	for w in w1 w2 w3 w4; do
		lines "$w" $n $pad >"$BATS_TEST_TMPDIR/$w.in"
	done
	for w in w1 w2 w3 w4; do
		qmb-log write --stdin -s "$ID" <"$BATS_TEST_TMPDIR/$w.in" 3>&- &
		pids+=($!)
	done
	(
		for ((k = 1; k <= procs; k++)); do
			qmb-log write -s "$ID" -l INFO -c writer -a w5 \
			    --details "{\"n\":$k,\"pad\":\"$(printf '%*s' $pad '' | tr ' ' y)\"}" ||
				exit 1
		done
	) 3>&- &
	pids+=($!)
	for k in "${pids[@]}"; do
		wait "$k" || fail "a writer failed"
	done
	total=$((4 * n + procs))
	# sized so that retention drops nothing: a sixth rotation would need
	# 6 x 64K, and what was written (as long as a pilot line each) is less
	lines w1 999 $pad | tail -n 1 | qmb-log write --stdin -s pilot
	one=$(stat -c %s "$(logd)/pilot.log")
	[ $((total * one)) -lt $((6 * 65536 - 4096)) ] ||
		fail "the test writes $((total * one)) bytes: too many for keep 5"
	# it rotated again and again, and kept at most 5
	k=$(rotated)
	[ "$k" -ge 3 ] && [ "$k" -le 5 ] || fail "$k rotated files"
	for f in "$(logd)/$ID".log.[0-9]*; do
		# a file is rotated once it reaches the limit, not before
		[ "$(stat -c %s "$f")" -ge 65536 ] || fail "$f rotated early"
	done
	# no torn or interleaved line: each is one whole entry
	run -0 --separate-stderr qmb-log show "$ID" --rotated
	[ -z "$stderr" ] || fail "bad lines: $stderr"
	[ "${#lines[@]}" -eq "$total" ]
	run -0 bash -c "cat '$(logd)/$ID'.log.[0-9]* '$(logd)/$ID.log' | jq -c . | wc -l"
	assert_output "$total"
	# every (writer, n) exactly once
	run -0 bash -c "qmb-log show '$ID' --rotated | jq -r '\"\\(.action) \\(.details.n)\"' | sort | uniq -d"
	assert_output ''
	run -0 bash -c "qmb-log show '$ID' --rotated | jq -r '\"\\(.action) \\(.details.n)\"' | sort -u | wc -l"
	assert_output "$total"
	# and, read .log.5 ... .log.1 then .log, each writer's lines in order
	run -0 bash -c "qmb-log show '$ID' --rotated | jq -r '\"\\(.action) \\(.details.n)\"' |
	    awk '\$2 != last[\$1] + 1 { print \"out of order: \" \$0 } { last[\$1] = \$2 }'"
	assert_output ''
}

@test "retention: keep 5 drops the oldest files, the newest lines stay in order" {
	export QMB_LOG_MAX_SIZE=4K QMB_LOG_KEEP=5
	lines w1 300 100 | qmb-log write --stdin -s "$ID"
	[ "$(rotated)" -eq 5 ]
	[ ! -e "$(logd)/$ID.log.6" ]
	# what is left is the newest lines, consecutive, up to the last
	run -0 bash -c "qmb-log show '$ID' --rotated | jq -r .details.n |
	    awk 'NR > 1 && \$1 != prev + 1 { print \"gap at \" \$1 } { prev = \$1 } END { print prev }'"
	assert_output 300
	# a smaller keep later removes the files beyond it
	QMB_LOG_KEEP=2 qmb-log write --stdin -s "$ID" < <(lines w2 40 100)
	[ "$(rotated)" -eq 2 ]
}

@test "low disk: free space under min_free_disk keeps 2 and warns in qmb.log" {
	export QMB_LOG_MAX_SIZE=4K QMB_LOG_KEEP=5 QMB_MIN_FREE_DISK=1000000G
	lines w1 200 100 | qmb-log write --stdin -s "$ID"
	[ "$(rotated)" -eq 2 ]
	run -0 jq -r 'select(.action == "low_disk_space") | "\(.level) \(.details.keep)"' \
	    "$(logd)/qmb.log"
	[ "${#lines[@]}" -ge 3 ]
	assert_line -n 0 'WARN 2'
	# with room to spare, the usual 5
	unset QMB_MIN_FREE_DISK
	lines w2 200 100 | qmb-log write --stdin -s "$ID"
	[ "$(rotated)" -eq 5 ]
}

@test "follow: show -f sees the lines written after a rotation" {
	export QMB_LOG_MAX_SIZE=4K QMB_LOG_KEEP=5
	local out=$BATS_TEST_TMPDIR/follow.out k
	lines before 5 100 | qmb-log write --stdin -s "$ID"
	timeout 60 qmb-log show -f "$ID" >"$out" 2>"$BATS_TEST_TMPDIR/follow.err" 3>&- &
	follower=$!
	wait_for "$out" '"n":5,' || fail "the follower printed: $(cat "$out")"
	lines during 20 300 | qmb-log write --stdin -s "$ID"
	[ "$(rotated)" -ge 1 ]
	wait_for "$out" '"action":"during","details":{"n":20,' ||
		fail "no line after the rotation: $(jq -r .action "$out" | uniq -c)"
	for ((k = 1; k <= 3; k++)); do
		qmb-log write -s "$ID" -l INFO -c writer -a after --details "{\"n\":$k}"
		sleep 0.3
	done
	wait_for "$out" '"action":"after","details":{"n":3}' || fail "no 'after' lines"
	kill "$follower"
	wait "$follower" || true
	follower=
	# each line once, in order
	run -0 jq -r '"\(.action) \(.details.n)"' "$out"
	[ "${#lines[@]}" -eq 28 ]
	[ "$(printf '%s\n' "${lines[@]}" | sort -u | wc -l)" -eq 28 ]
	assert_line -n 0 'before 1'
	assert_line -n 5 'during 1'
	assert_line -n 24 'during 20'
	assert_line -n 27 'after 3'
	[ ! -s "$BATS_TEST_TMPDIR/follow.err" ]
}

@test "follow: many rotations between two looks lose no line; -n starts at the end" {
	export QMB_LOG_MAX_SIZE=2K QMB_LOG_KEEP=5
	local out=$BATS_TEST_TMPDIR/follow.out
	lines old 10 10 | qmb-log write --stdin -s "$ID"
	timeout 60 qmb-log show -f -n 2 "$ID" >"$out" 3>&- &
	follower=$!
	wait_for "$out" '"n":10,' || fail "no tail: $(cat "$out")"
	# about 4 rotations in a burst, faster than the follower looks
	lines burst 30 200 | qmb-log write --stdin -s "$ID"
	[ "$(rotated)" -ge 3 ]
	wait_for "$out" '"action":"burst","details":{"n":30,' ||
		fail "burst not followed: $(jq -r .details.n "$out" | tr '\n' ' ')"
	sleep 0.5
	kill "$follower"
	wait "$follower" || true
	follower=
	run -0 jq -r '"\(.action) \(.details.n)"' "$out"
	assert_line -n 0 'old 9'
	assert_line -n 1 'old 10'
	[ "${#lines[@]}" -eq 32 ]
	run -0 bash -c "jq -r 'select(.action == \"burst\") | .details.n' '$out' | tr '\n' ' '"
	assert_output "$(seq 1 30 | tr '\n' ' ')"
}

@test "follow: waits for a log that does not exist yet" {
	local out=$BATS_TEST_TMPDIR/follow.out
	mkdir -p "$(logd)"
	timeout 60 qmb-log show -f "$ID" >"$out" 3>&- &
	follower=$!
	sleep 0.5
	qmb-log write -s "$ID" -l INFO -c c -a first
	wait_for "$out" '"action":"first"' || fail "nothing followed"
	kill "$follower"
	wait "$follower" || true
	follower=
	run -0 jq -r .action "$out"
	assert_output first
}
