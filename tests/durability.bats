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

# part FILE TEXT: write a script part
part() {
	printf '%s_Table:\nLOAD * FROM [lib://data/%s.qvd] (qvd);\n' "$2" "$2" >"$1"
}

# ---- 1. crash loop ----------------------------------------------------

# The model of the session: completed stage count $nc and the set T of
# pending tables, after every acknowledged command.
model_apply() {
	case $1 in
	add) T[$2]=1 ;;
	remove) unset "T[$2]" ;;
	approve) nc=$(($(printf '%d' "'$2") - 64)) ;;
	revert) nc=0 ;;
	esac
}

# model_sig [KIND ARG]: the model's state_sig, with KIND ARG applied
model_sig() {
	local -A U=()
	local t n=$nc

	for t in "${!T[@]}"; do U[$t]=1; done
	case ${1:-} in
	add) U[$2]=1 ;;
	remove) unset "U[$2]" ;;
	approve) n=$(($(printf '%d' "'$2") - 64)) ;;
	revert) n=0 ;;
	esac
	printf '%s|' "$n"
	if [ ${#U[@]} -gt 0 ]; then
		printf '%s\n' "${!U[@]}" | LC_ALL=C sort | paste -sd, -
	else
		echo
	fi
}

@test "crash loop: SIGKILL at random moments loses no acknowledged change" {
	local kills=300 gen side pid lk sf af n tag num x y pend_n pend_k pend_a
	local msig mpsig rsig ssig rrev rseq srev sseq prev_rev vlines vhash
	local acked=0 inflight=0 applied=0 rolled=0 torn=0 stale=0 t0
	local -A T=()
	is_asan && kills=60
	nc=0
	new_session
	sf=$(sess_file "$id")
	af=$(audit_file "$id")
	lk="$QMB_PROJECT_DIR/.qmb/sessions/$id.lock"
	prev_rev=$(jq .revision "$sf")
	vlines=$(audit_lines "$af")
	vhash=$(audit_verify "$af")
	t0=$(now_ms)
	for ((gen = 1; gen <= kills; gen++)); do
		side="$BATS_TEST_TMPDIR/side.$gen"
		: >"$side"
		setsid bash "$TOP/tests/helper/crashloop.sh" "$id" "$side" "$gen" \
		    </dev/null >/dev/null 2>>"$BATS_TEST_TMPDIR/child.err" 3>&- &
		pid=$!
		sleep "$(printf '0.%03d' $((RANDOM % 30 + 2)))"
		kill_group "$pid"
		# a dying writer still holds the session lock: wait for it
		flock -w 5 "$lk" true

		# what the child saw: acknowledged commands and the one in flight
		pend_n=
		while read -r tag num x y; do
			if [ "$tag" = B ]; then
				pend_n=$num pend_k=$x pend_a=$y
				continue
			fi
			[ "$num" = "$pend_n" ]
			if [ "$x" != 0 ]; then
				echo "kill $gen: '$pend_k $pend_a' exited $x:" >&2
				cat "$BATS_TEST_TMPDIR/child.err" >&2
				return 1
			fi
			model_apply "$pend_k" "$pend_a"
			acked=$((acked + 1))
			pend_n=
		done < <(head -n "$(wc -l <"$side")" "$side")
		msig=$(model_sig)
		mpsig=$msig
		if [ -n "$pend_n" ]; then
			inflight=$((inflight + 1))
			mpsig=$(model_sig "$pend_k" "$pend_a")
		fi

		# the file as the kill left it
		[ -e "$sf.tmp" ] && stale=$((stale + 1))
		{ read -r rrev; read -r rseq; } < <(jq -r '.revision, .audit_seq' "$sf")
		rsig=$(state_sig "$sf")
		[ ! -e "$sf.bak" ] || jq -e . "$sf.bak" >/dev/null
		if [ "$rsig" != "$msig" ] && [ "$rsig" != "$mpsig" ]; then
			echo "kill $gen: state '$rsig', acknowledged '$msig'${pend_n:+, in flight '$pend_k $pend_a' -> '$mpsig'}" >&2
			return 1
		fi
		if [ "$rrev" -lt "$prev_rev" ]; then
			echo "kill $gen: revision went back from $prev_rev to $rrev" >&2
			return 1
		fi
		n=$(audit_lines "$af")
		[ "$rseq" -le "$n" ]
		audit_torn "$af" && torn=$((torn + 1))
		[ "$n" -ge "$vlines" ]
		[ "$(sed -n "${vlines}p" "$af" | jq -r .hash)" = "$vhash" ]
		vhash=$(audit_verify "$af" $((vlines + 1)) "$vhash")
		vlines=$n
		run -0 --separate-stderr qmb-session --json show "$id"
		[ -z "$stderr" ]
		[ "$(jq -r .revision <<<"$output")" = "$rrev" ]

		# the next command rolls forward and repairs what the kill left
		run -0 --separate-stderr qmb-session --json resume "$id"
		{ read -r srev; read -r sseq; } < <(jq -r '.revision, .audit_seq' "$sf")
		ssig=$(state_sig "$sf")
		if [ "$ssig" != "$msig" ] && [ "$ssig" != "$mpsig" ]; then
			echo "kill $gen: after resume '$ssig', acknowledged '$msig'" >&2
			return 1
		fi
		if [ "$rsig" = "$mpsig" ] && [ "$ssig" != "$mpsig" ]; then
			echo "kill $gen: resume lost '$pend_k $pend_a'" >&2
			return 1
		fi
		[ "$srev" -gt "$rrev" ]
		if audit_torn "$af"; then
			echo "kill $gen: torn audit tail left after resume" >&2
			return 1
		fi
		n=$(audit_lines "$af")
		[ "$sseq" -eq "$n" ]
		vhash=$(audit_verify "$af" $((vlines + 1)) "$vhash")
		vlines=$n
		[ "$(jq -r .audit_hash "$sf")" = "$vhash" ]
		[ "$(ls -A "$QMB_PROJECT_DIR/.qmb/sessions" | LC_ALL=C sort | paste -sd' ' -)" = \
		    "$id.json $id.json.bak $id.lock" ]
		if [ "$ssig" != "$msig" ]; then
			applied=$((applied + 1))
			[ "$rsig" = "$msig" ] && rolled=$((rolled + 1))
			model_apply "$pend_k" "$pend_a"
		fi
		prev_rev=$srev
	done
	# every fragment cut off the trail was kept
	[ "$(ls "$QMB_PROJECT_DIR/.qmb/corrupt" 2>/dev/null | grep -c '\.torn-')" -eq "$torn" ]
	[ "$(audit_verify "$af")" = "$(jq -r .audit_hash "$sf")" ]
	# enough happened for the kills to mean something
	[ "$acked" -ge "$kills" ]
	[ "$inflight" -ge $((kills / 4)) ]
	echo "# crash loop: $kills kills in $(($(now_ms) - t0)) ms, $acked acknowledged commands, $inflight in flight ($applied took effect, $rolled of them rolled forward from the audit), $torn torn audit tails, $stale stale .tmp files" >&3
}
