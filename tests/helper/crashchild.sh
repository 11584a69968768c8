#!/bin/bash
# crashchild.sh ID SIDEFILE GEN NC [TABLE...]: change session ID in an
# endless loop, to be killed with SIGKILL at a random moment
# (tests/helper/crashloop.sh).  NC and TABLE... are the session's number of
# completed stages and its pending tables, oldest first.
#
# It alternates a table change (add "T<GEN>_<N>", or remove the oldest
# table once 16 are pending) with a stage change (approve the current
# stage, or revert A once all six are done).  Around every command it
# appends to SIDEFILE, each line one write:
#   B N KIND ARG      before the command starts (KIND: add remove approve revert)
#   A N RC            after it exited with status RC
# A command with a B line and no A line was in flight when the kill came:
# it may or may not have taken effect.  One with "A N 0" was acknowledged.
id=$1 side=$2 gen=$3 nc=$4
shift 4
tabs=("$@")
stages=(A B C D E F)

run() {
	local n=$1 kind=$2 arg=$3 rc

	printf 'B %d %s %s\n' "$n" "$kind" "$arg" >>"$side"
	case $kind in
	add|remove)
		qmb-session -q tables "$id" "$kind" "$arg" >/dev/null ;;
	approve)
		printf '%s_Table_%s_%s:\nLOAD * FROM [lib://data/%s.qvd] (qvd);\n' \
		    "$arg" "$gen" "$n" "$arg" |
		    qmb-session -q approve "$id" "$arg" - >/dev/null ;;
	revert)
		qmb-session -q revert "$id" "$arg" >/dev/null ;;
	esac
	rc=$?
	printf 'A %d %d\n' "$n" "$rc" >>"$side"
	[ "$rc" -eq 0 ] || exit 1
}

n=0
while :; do
	n=$((n + 1))
	if [ "${#tabs[@]}" -ge 16 ]; then
		run "$n" remove "${tabs[0]}"
		tabs=("${tabs[@]:1}")
	else
		run "$n" add "T${gen}_$n"
		tabs+=("T${gen}_$n")
	fi
	n=$((n + 1))
	if [ "$nc" -lt 6 ]; then
		run "$n" approve "${stages[$nc]}"
		nc=$((nc + 1))
	else
		run "$n" revert A
		nc=0
	fi
done
