#!/bin/bash
# commitsweep.sh TEMPLATE SCRATCH COMMAND...: "exit 6 means not committed"
# for one changing command, at every counted I/O operation.
#
# TEMPLATE is a project folder.  A clean run of COMMAND (run inside a copy
# of it, as the project) counts its N counted operations.  Then for each
# errno in $SWEEP_ERRNOS (default "ENOSPC EIO:persist EROFS") and each k in
# 1..N (every $SWEEP_STRIDE-th, starting at a different k for each errno,
# so that a stride of 3 still covers every operation once), COMMAND runs
# on a fresh copy with QMB_FAULT=k:ERRNO and:
#  - the fault hit operation k (the trace says so);
#  - it exits 0 (the failed operation was not needed: a log line), 6
#    (not committed) or 8 (committed, could not be withdrawn), with one
#    line "PROG: ..." on stderr for 6 and 8 and at most warnings for 0;
#  - the next commands see the old state after exit 6 and the new state
#    after exit 0 or 8 ("the state" is what $SWEEP_PROBE prints).
# $SWEEP_PROBE is shell code run in the project folder with $id set; the
# default resumes session $id (a plain next command: it rolls forward what
# is pending) and prints its state, where it lives, the types of its audit
# entries (session_resumed left out) and how many log lines say
# "sweep_probe".
# $SWEEP_EXIT8_STATE, when set, is a pattern for what an exit 8 may leave
# instead of the new state: a change recorded in the trail that the
# command could neither finish nor withdraw (counted as "pending").
# Prints one line "ops=N cases=C exit0=A exit6=B exit8=C old=D new=E
# pending=F";
# on a failure prints what broke and exits 1.
unset QMB_FAULT QMB_FAULT_OPS QMB_FAULT_TRACE

tpl=$1 scratch=$2
shift 2
prog=${1##*/}
mkdir -p "$scratch" || exit 2
errnos=${SWEEP_ERRNOS:-ENOSPC EIO:persist EROFS}
stride=${SWEEP_STRIDE:-1}
case=

fail() {
	echo "commitsweep: $prog${case:+: $case}: $*" >&2
	exit 1
}

default_probe() {
	local r sig=none
	qmb-session -q resume "$id" >/dev/null 2>&1
	r=$?
	[ "$r" -ne 0 ] || sig=$(jq -c '[.completed_stages,
	    .approved_script_parts, .pending_tables, .model_type, .status,
	    (.gemini_reviews | length)]' ".qmb/sessions/$id.json") || sig=bad
	printf '%s|%s|' "$r:$sig" "$(ls .qmb/sessions .qmb/archive/sessions \
	    2>/dev/null | grep -c "^$id\.json$")"
	printf '%s|' "$(ls .qmb/archive/sessions 2>/dev/null | grep -c "^$id\.json$")"
	jq -j 'select(.type != "session_resumed") | .type + ","' \
	    ".qmb/audit/$id.audit.json" 2>/dev/null
	printf '|%s\n' "$(cat .qmb/logs/"$id".log* 2>/dev/null |
	    grep -c '"action":"sweep_probe"')"
}

# probe DIR: the state as the next command sees it
probe() {
	(cd "$1" && export QMB_PROJECT_DIR="$1" && if [ -n "$SWEEP_PROBE" ]; then eval "$SWEEP_PROBE"; else
	    default_probe; fi)
}

# clean runs: the old state, the new state and the operation count
base="$scratch/base"
rm -rf "$base" && cp -a "$tpl" "$base" || fail "cannot copy the template"
old=$(probe "$base")
rm -rf "$base" "$scratch/trace" && cp -a "$tpl" "$base"
(cd "$base" && QMB_PROJECT_DIR="$base" QMB_FAULT_TRACE="$scratch/trace" \
    "$@" >/dev/null 2>"$scratch/err") || fail "clean run: $(cat "$scratch/err")"
ops=$(wc -l <"$scratch/trace")
new=$(probe "$base")
[ "$new" != "$old" ] || fail "the command changes nothing ($old)"
[ "$ops" -ge 1 ] || fail "no counted operations traced"

# sweep_errno INDEX ERRNO: every stride-th k; prints its counts
sweep_errno() {
	local i=$1 e=$2 k rc last st w="$scratch/${2%%:*}"
	local c0=0 c6=0 c8=0 nold=0 nnew=0 n=0 n8=0
	shift 2
	for ((k = 1 + i % stride; k <= ops; k += stride)); do
		case="QMB_FAULT=$k:$e"
		rm -rf "$w" && cp -a "$tpl" "$w" || fail "cannot copy"
		rm -f "$w.trace"
		rc=0
		(cd "$w" && QMB_PROJECT_DIR="$w" QMB_FAULT="$k:$e" \
		    QMB_FAULT_TRACE="$w.trace" "$@" >"$w.out" 2>"$w.err") || rc=$?
		last=$(sed -n "${k}p" "$w.trace")
		[ -n "$last" ] || fail "only $(wc -l <"$w.trace") operations ran"
		[ "${last##* }" != ok ] || fail "trace line $k: '$last'"
		case $rc in
		0) ! grep -qv "^$prog: warning: " "$w.err" ||
			fail "exit 0 with: $(cat "$w.err")" ;;
		6|8)
			if [ "$(wc -l <"$w.err")" -ne 1 ] ||
			    ! grep -q "^$prog: " "$w.err"; then
				fail "exit $rc with: $(cat "$w.err")"
			fi ;;
		*) fail "exit $rc ($(cat "$w.err")) at '$last'" ;;
		esac
		st=$(probe "$w")
		if [ "$st" = "$old" ]; then
			nold=$((nold + 1))
		elif [ "$st" = "$new" ]; then
			nnew=$((nnew + 1))
		elif [ "$rc" -eq 8 ] && [ -n "$SWEEP_EXIT8_STATE" ]; then
			nold=$((nold + 1))
		else
			fail "exit $rc, then neither old nor new: $st (old $old, new $new)"
		fi
		if [ "$rc" -eq 6 ] && [ "$st" != "$old" ]; then
			fail "exit 6 ($(cat "$w.err")) but the change took effect"
		fi
		if [ "$rc" -eq 8 ] && [ -n "$SWEEP_EXIT8_STATE" ] &&
		    [ "$st" != "$new" ]; then
			# a change recorded but not finished: it is in the trail
			case $st in
			$SWEEP_EXIT8_STATE) nold=$((nold - 1)) n8=$((n8 + 1)) ;;
			*) fail "exit 8 left: $st" ;;
			esac
		elif [ "$rc" -ne 6 ] && [ "$st" != "$new" ]; then
			fail "exit $rc but the change is not there: $st"
		fi
		case $rc in 0) c0=$((c0 + 1)) ;; 6) c6=$((c6 + 1)) ;;
		8) c8=$((c8 + 1)) ;; esac
		n=$((n + 1))
	done
	echo "$n $c0 $c6 $c8 $nold $nnew $n8"
}

pids=() i=0
for e in $errnos; do
	sweep_errno "$i" "$e" "$@" >"$scratch/res.$i" &
	pids+=($!)
	i=$((i + 1))
done
ok=1
for p in "${pids[@]}"; do
	wait "$p" || ok=0
done
[ "$ok" = 1 ] || exit 1
cases=0 rc0=0 rc6=0 rc8=0 nold=0 nnew=0 other=0
for ((j = 0; j < i; j++)); do
	read -r a b c d f g h <"$scratch/res.$j" || fail "no result"
	cases=$((cases + a)) rc0=$((rc0 + b)) rc6=$((rc6 + c)) rc8=$((rc8 + d))
	nold=$((nold + f)) nnew=$((nnew + g)) other=$((other + h))
done
echo "ops=$ops cases=$cases exit0=$rc0 exit6=$rc6 exit8=$rc8 old=$nold new=$nnew pending=$other"
