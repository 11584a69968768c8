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

# jq filter: revision, audit_seq, audit_hash, state_sig, tables in order
STATE='.revision, .audit_seq, .audit_hash,
    "\(.completed_stages | length)|\(.pending_tables | sort | join(","))",
    (.pending_tables | join(" "))'

@test "crash loop: SIGKILL at random moments loses no acknowledged change" {
	local kills=300 gen side pid lk sf af n tag num x y pend_n pend_k pend_a
	local msig mpsig rsig ssig rrev rseq srev sseq shash stabs brev
	local prev_rev vlines vhash line acked=0 inflight=0 applied=0 rolled=0
	local torn=0 stale=0 t0
	local -A T=()
	is_asan && kills=60
	nc=0
	new_session
	sf=$(sess_file "$id")
	af=$(audit_file "$id")
	lk="$QMB_PROJECT_DIR/.qmb/sessions/$id.lock"
	{ read -r prev_rev; read -r _; read -r _; read -r _; read -r stabs; } \
	    < <(jq -r "$STATE" "$sf")
	vlines=$(audit_lines "$af")
	vhash=$(audit_verify "$af")
	t0=$(now_ms)
	for ((gen = 1; gen <= kills; gen++)); do
		side="$BATS_TEST_TMPDIR/side.$gen"
		: >"$side"
		# shellcheck disable=SC2086
		setsid bash "$TOP/tests/helper/crashloop.sh" "$id" "$side" "$gen" \
		    "$nc" $stabs </dev/null >/dev/null \
		    2>>"$BATS_TEST_TMPDIR/child.err" 3>&- &
		pid=$!
		sleep "$(printf '0.%03d' $((RANDOM % 25 + 1)))"
		{ kill_group "$pid"; } 2>/dev/null
		# a dying writer may still hold the session lock: wait for it
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

		# the files as the kill left them: json (and .bak) parse
		[ -e "$sf.tmp" ] && stale=$((stale + 1))
		brev=-1
		if [ -e "$sf.bak" ]; then
			{ read -r rrev; read -r rseq; read -r _; read -r rsig
			  read -r _; read -r brev; } \
			    < <(jq -rs "(.[0] | $STATE), .[1].revision" "$sf" "$sf.bak")
		else
			{ read -r rrev; read -r rseq; read -r _; read -r rsig; } \
			    < <(jq -r "$STATE" "$sf")
		fi
		[ -n "$rsig" ]
		[ "$brev" -le "$rrev" ]
		if [ "$rsig" != "$msig" ] && [ "$rsig" != "$mpsig" ]; then
			echo "kill $gen: state '$rsig', acknowledged '$msig'${pend_n:+, in flight '$pend_k $pend_a' -> '$mpsig'}" >&2
			return 1
		fi
		if [ "$rrev" -lt "$prev_rev" ]; then
			echo "kill $gen: revision went back from $prev_rev to $rrev" >&2
			return 1
		fi
		# the audit is never behind the session; a torn tail is possible
		n=$(audit_lines "$af")
		[ "$rseq" -le "$n" ]
		[ "$n" -ge "$vlines" ]
		audit_torn "$af" && torn=$((torn + 1))
		# show validates the file (a damaged one would fall back to .bak
		# with a warning)
		run -0 --separate-stderr qmb-session --json show "$id"
		[ -z "$stderr" ]
		[[ $output == *"\"revision\":$rrev,"* ]]

		# the next command rolls forward and repairs what the kill left
		run -0 --separate-stderr qmb-session --json resume "$id"
		{ read -r srev; read -r sseq; read -r shash; read -r ssig
		  read -r stabs; } < <(jq -r "$STATE" "$sf")
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
		# the complete lines seen before are unchanged, the rest verifies,
		# and the session names the head of the trail
		line=$(sed -n "${vlines}p" "$af")
		[ "${line: -66:64}" = "$vhash" ]
		vhash=$(audit_verify "$af" $((vlines + 1)) "$vhash")
		vlines=$(audit_lines "$af")
		[ "$sseq" -eq "$vlines" ]
		[ "$shash" = "$vhash" ]
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
	[ "$(find "$QMB_PROJECT_DIR/.qmb" -name '*.torn-*' | wc -l)" -eq "$torn" ]
	[ "$(audit_verify "$af")" = "$(jq -r .audit_hash "$sf")" ]
	# enough happened for the kills to mean something
	[ "$acked" -ge "$kills" ]
	[ "$inflight" -ge $((kills / 4)) ]
	echo "# crash loop: $kills kills in $(($(now_ms) - t0)) ms, $acked acknowledged commands, $inflight in flight ($applied took effect, $rolled of them rolled forward from the audit), $torn torn audit tails, $stale stale .tmp files" >&3
}
