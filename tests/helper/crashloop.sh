#!/bin/bash
# crashloop.sh ID KILLS SCRATCH [SECONDS]: start crashchild.sh on session
# ID, kill it and its commands with SIGKILL after a random 1..MS ms, KILLS
# times or until SECONDS have passed, and check after every kill:
#  - the session file (and .bak) parse with jq, `qmb-session show`
#    accepts the file itself (no fallback to .bak);
#  - it holds every acknowledged change (a command whose exit 0 the child
#    recorded) and at most the one command in flight besides;
#  - its revision never goes backwards; its audit_seq is never ahead of
#    the complete lines of the audit trail (a torn last line may exist);
#  - `qmb-session resume` succeeds, loses nothing the file had, cuts a torn
#    tail, leaves no temporary file, and afterwards audit_seq/audit_hash
#    name the head of the trail, whose new lines link to the lines seen
#    before and verify with jq and sha256sum.
# MS is 6 times what one command takes here (measured first), so that on
# a slow or loaded machine the kills still land inside commands.
# Prints one summary line; on a failure prints what broke and exits 1.
# Needs QMB_PROJECT_DIR and qmb-session on PATH (tests/helper/common.bash).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/helper/durability.bash
. "$here/durability.bash"

id=$1 kills=$2 scratch=$3 budget=${4:-0}
VERIFY_TMP=$scratch
mkdir -p "$scratch" || exit 2
sf="$QMB_PROJECT_DIR/.qmb/sessions/$id.json"
af="$QMB_PROJECT_DIR/.qmb/audit/$id.audit.json"
lk="$QMB_PROJECT_DIR/.qmb/sessions/$id.lock"
STATE='.revision, .audit_seq, .audit_hash, (.completed_stages | length),
    (.pending_tables | join(" "))'
STAGES=ABCDEF

fail() {
	echo "crashloop: kill $gen: $*" >&2
	exit 1
}

# The model of the session after every acknowledged command: the number
# of completed stages $nc and the set T of pending tables.
declare -A T=()
nc=0

# stage_count STAGE: completed stages after approving STAGE, in $sc
stage_count() {
	local before=${STAGES%%"$1"*}
	sc=$((${#before} + 1))
}

model_apply() {
	case $1 in
	add) T[$2]=1 ;;
	remove) unset "T[$2]" ;;
	approve) stage_count "$2"; nc=$sc ;;
	revert) nc=0 ;;
	esac
}

# model_is NC "TABLE..." [KIND ARG]: a state with NC completed stages and
# these pending tables is the model's, with KIND ARG applied if given
model_is() {
	local n=$nc want=${#T[@]} k=${3:-} a=${4:-} t cnt=0
	local -A seen=()

	case $k in
	add) [ -n "${T[$a]+x}" ] || want=$((want + 1)) ;;
	remove) [ -z "${T[$a]+x}" ] || want=$((want - 1)) ;;
	approve) stage_count "$a"; n=$sc ;;
	revert) n=0 ;;
	esac
	[ "$1" = "$n" ] || return 1
	for t in $2; do
		[ -z "${seen[$t]+x}" ] || return 1
		seen[$t]=1
		cnt=$((cnt + 1))
		if [ -n "$k" ] && [ "$t" = "$a" ]; then
			[ "$k" != remove ] || return 1
			continue
		fi
		[ -n "${T[$t]+x}" ] || return 1
	done
	[ "$cnt" -eq "$want" ]
}

describe() {
	echo "$1 stages, tables '$2'; acknowledged: $nc stages, tables '${!T[*]}'${pend_n:+; in flight: $pend_k $pend_a}"
}

acked=0 inflight=0 applied=0 rolled=0 torn=0 stale=0 gen=0
{ read -r prev_rev; read -r _; read -r _; read -r nc; read -r stabs; } \
    < <(jq -r "$STATE" "$sf")
[ -n "$stabs" ] && for t in $stabs; do T[$t]=1; done
vlines=$(audit_lines "$af")
vhash=$(audit_verify "$af") || fail "audit trail does not verify at the start"
# how long a command takes here
t0=$(now_ms)
for gen in 1 2 3 4 5; do
	qmb-session -q resume "$id" >/dev/null 2>"$scratch/err" ||
	    fail "resume: $(cat "$scratch/err")"
done
maxms=$((($(now_ms) - t0) * 6 / 5))
[ "$maxms" -ge 15 ] || maxms=15
[ "$maxms" -le 500 ] || maxms=500
{ read -r prev_rev; read -r _; read -r _; read -r _; read -r _; } \
    < <(jq -r "$STATE" "$sf")
vhash=$(audit_verify "$af" $((vlines + 1)) "$vhash") ||
    fail "audit trail does not verify at the start"
vlines=$(audit_lines "$af")
gen=0
t0=$(now_ms)
for ((gen = 1; gen <= kills; gen++)); do
	if [ "$budget" -gt 0 ] && [ $(($(now_ms) - t0)) -ge $((budget * 1000)) ]; then
		break
	fi
	side="$scratch/side.$gen"
	: >"$side"
	# shellcheck disable=SC2086
	setsid bash "$here/crashchild.sh" "$id" "$side" "$gen" "$nc" $stabs \
	    </dev/null >/dev/null 2>>"$scratch/child.err" &
	pid=$!
	ms=$((RANDOM % maxms + 1))
	sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
	{ kill_group "$pid"; } 2>/dev/null
	# a dying writer may still hold the session lock: wait for it
	flock -w 5 "$lk" true || fail "session lock still held 5 s after the kill"

	# what the child saw: acknowledged commands and the one in flight
	# (read skips a last line torn by the kill)
	pend_n=''
	while read -r tag num x y; do
		if [ "$tag" = B ]; then
			pend_n=$num pend_k=$x pend_a=$y
			continue
		fi
		[ "$num" = "$pend_n" ] || fail "side file out of order at $num"
		[ "$x" = 0 ] || fail "'$pend_k $pend_a' exited $x: $(cat "$scratch/child.err")"
		model_apply "$pend_k" "$pend_a"
		acked=$((acked + 1))
		pend_n=''
	done <"$side"
	[ -z "$pend_n" ] || inflight=$((inflight + 1))

	# the files as the kill left them: json (and .bak) parse with jq
	[ -e "$sf.tmp" ] && stale=$((stale + 1))
	brev=-1 rnc=''
	if [ -e "$sf.bak" ]; then
		{ read -r rrev; read -r rseq; read -r _; read -r rnc
		  read -r rtabs; read -r brev; } \
		    < <(jq -rs "(.[0] | $STATE), .[1].revision" "$sf" "$sf.bak")
	else
		{ read -r rrev; read -r rseq; read -r _; read -r rnc
		  read -r rtabs; } < <(jq -r "$STATE" "$sf")
	fi
	[ -n "$rnc" ] || fail "session file or its .bak does not parse"
	[ "$brev" -le "$rrev" ] || fail ".bak (revision $brev) is newer than the session ($rrev)"
	# every acknowledged change is there, and the one in flight at most
	rnew=0
	if ! model_is "$rnc" "$rtabs"; then
		rnew=1
		if [ -z "$pend_n" ] ||
		    ! model_is "$rnc" "$rtabs" "$pend_k" "$pend_a"; then
			fail "session at $(describe "$rnc" "$rtabs")"
		fi
	fi
	[ "$rrev" -ge "$prev_rev" ] ||
	    fail "revision went back from $prev_rev to $rrev"
	# the audit is never behind the session; only its tail may be torn
	n=$(audit_lines "$af")
	[ "$rseq" -le "$n" ] || fail "audit_seq $rseq but the trail has $n entries"
	[ "$n" -ge "$vlines" ] || fail "the trail shrank from $vlines to $n entries"
	audit_torn "$af" && torn=$((torn + 1))
	# show validates the file itself (a damaged one would fall back to
	# .bak with a warning on stderr)
	out=$(qmb-session --json show "$id" 2>"$scratch/err") ||
	    fail "show: $(cat "$scratch/err")"
	[ ! -s "$scratch/err" ] || fail "show warned: $(cat "$scratch/err")"
	[[ $out == *"\"revision\":$rrev,"* ]] || fail "show did not show the file"

	# the next command rolls forward and repairs what the kill left
	qmb-session -q resume "$id" >/dev/null 2>"$scratch/err" ||
	    fail "resume: $(cat "$scratch/err")"
	snc=''
	{ read -r srev; read -r sseq; read -r shash; read -r snc
	  read -r stabs; } < <(jq -r "$STATE" "$sf")
	[ -n "$snc" ] || fail "session file does not parse after resume"
	snew=0
	if ! model_is "$snc" "$stabs"; then
		snew=1
		if [ -z "$pend_n" ] ||
		    ! model_is "$snc" "$stabs" "$pend_k" "$pend_a"; then
			fail "after resume: $(describe "$snc" "$stabs")"
		fi
	fi
	[ "$rnew" -le "$snew" ] || fail "resume lost '$pend_k $pend_a'"
	[ "$srev" -gt "$rrev" ] || fail "resume did not advance the revision"
	! audit_torn "$af" || fail "torn audit tail left after resume"
	# the new lines link to the ones seen before and verify, and the
	# session names the head of the trail
	vhash=$(audit_verify "$af" $((vlines + 1)) "$vhash") ||
	    fail "audit trail does not verify"
	vlines=$(audit_lines "$af")
	[ "$sseq" -eq "$vlines" ] || fail "audit_seq $sseq, trail at $vlines"
	[ "$shash" = "$vhash" ] || fail "audit_hash is not the trail's head"
	# no temporary file is left
	ents=$(dir_entries "$QMB_PROJECT_DIR/.qmb/sessions")
	[ "$ents" = "$id.json $id.json.bak $id.lock" ] ||
	    fail "left in sessions/: $ents"
	if [ "$snew" = 1 ]; then
		applied=$((applied + 1))
		[ "$rnew" = 0 ] && rolled=$((rolled + 1))
		model_apply "$pend_k" "$pend_a"
	fi
	prev_rev=$srev
done
echo "kills=$((gen - 1)) ms=$(($(now_ms) - t0)) window=$maxms acked=$acked inflight=$inflight applied=$applied rolled=$rolled torn=$torn stale=$stale"
