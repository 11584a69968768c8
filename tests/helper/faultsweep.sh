#!/bin/bash
# faultsweep.sh TEMPLATE ID SCRATCH COMMAND...: the SQLite I/O-error loop
# for one command that changes session ID.  TEMPLATE is a project folder.
#
# A clean run of COMMAND on a copy of TEMPLATE with $QMB_FAULT_TRACE
# counts its N counted operations and gives the new state.  Then for every
# k in 1..N and every mode (ENOSPC once, EIO from k on, SIGKILL at k),
# COMMAND runs on a fresh copy with QMB_FAULT=k:MODE, and:
#  - the fault was injected at operation k (the trace says so);
#  - it exits 0 (the failed operation was not needed, e.g. the log), 6
#    (not committed) or 8 (committed, could not be withdrawn) with one
#    line "qmb-session: ..." on stderr, or dies of the SIGKILL;
#  - the session file exists and parses (so does .bak), its state is the
#    old one or the new one (the new one when it exited 0), and its
#    audit_seq is not ahead of the trail;
#  - the trace shows no rename after a failed fsync;
#  - a plain `qmb-session resume` then succeeds with the old or the new
#    state (the new one if the file already had it or it exited 0 or 8,
#    the old one if it exited 6), leaves no temporary
#    file and no torn tail, and its audit_seq/audit_hash name the head of
#    a trail that verifies with jq and sha256sum.
# "Old" is TEMPLATE's state once rolled forward, so TEMPLATE may be behind
# its audit trail.  Prints one summary line; on a failure prints what
# broke and exits 1.  Run COMMAND with -q: stderr must be empty on exit 0.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/helper/durability.bash
. "$here/durability.bash"

tpl=$1 id=$2 scratch=$3
shift 3
mkdir -p "$scratch" || exit 2
unset QMB_FAULT QMB_FAULT_OPS QMB_FAULT_TRACE
SIG='[.completed_stages, .approved_script_parts, .pending_tables,
    .model_type, .status] | tojson'
case=

fail() {
	echo "faultsweep: ${case:+$case: }$*" >&2
	exit 1
}

# use DIR: work in DIR/project
use() {
	dir=$1
	work="$dir/project"
	export QMB_PROJECT_DIR="$work"
	sf="$work/.qmb/sessions/$id.json"
	af="$work/.qmb/audit/$id.audit.json"
	VERIFY_TMP=$dir
	mkdir -p "$dir" || fail "cannot create $dir"
}

fresh() {
	rm -rf "$work" || fail "cannot remove $work"
	cp -a "$tpl" "$work" || fail "cannot copy the template"
}

# the old state: the template's file, and the same once rolled forward
use "$scratch/clean"
fresh
raw_old=$(jq -r "$SIG" "$sf") || fail "template session does not parse"
qmb-session -q resume "$id" >/dev/null 2>"$dir/err" ||
    fail "resume of the template: $(cat "$dir/err")"
old=$(jq -r "$SIG" "$sf")
# the new state and the number of counted operations
fresh
QMB_FAULT_TRACE="$dir/trace" "$@" >/dev/null 2>"$dir/err" ||
    fail "clean run: $(cat "$dir/err")"
new=$(jq -r "$SIG" "$sf")
[ "$new" != "$old" ] || fail "the command changes nothing"
ops=$(wc -l <"$dir/trace")
[ "$ops" -ge 1 ] || fail "no counted operations traced"

# one_case K MODE COMMAND...: run and check one case; counts in $rc, $res
one_case() {
	local k=$1 mode=$2 last raw seq hash ents
	shift 2
	fresh
	rm -f "$dir/trace"
	rc=0
	{ QMB_FAULT="$k:$mode" QMB_FAULT_TRACE="$dir/trace" "$@" \
	    >"$dir/out" 2>"$dir/err"; } 2>/dev/null || rc=$?
	# the fault hit operation k
	last=$(sed -n "${k}p" "$dir/trace")
	[ -n "$last" ] || fail "only $(wc -l <"$dir/trace") operations ran"
	if [ "$mode" = kill ]; then
		[ "$rc" -eq 137 ] || fail "exit $rc, expected death by SIGKILL"
		[ "$(wc -l <"$dir/trace")" -eq "$k" ] ||
		    fail "operations ran after the kill"
	else
		[ "${last##* }" != ok ] || fail "trace line $k: '$last'"
		case $rc in
		0)
			[ ! -s "$dir/err" ] || fail "exit 0 with: $(cat "$dir/err")" ;;
		6|8)
			if [ "$(wc -l <"$dir/err")" -ne 1 ] ||
			    ! grep -q '^qmb-session: ' "$dir/err"; then
				fail "exit 6 with: $(cat "$dir/err")"
			fi ;;
		*)
			fail "exit $rc ($(cat "$dir/err")) at '$last'" ;;
		esac
	fi
	# no rename after a failed fsync
	awk '$2 == "fsync" && $3 != "ok" { bad = $0 }
	    bad != "" && $2 == "rename" { print bad " then " $0; exit 1 }' \
	    "$dir/trace" >"$dir/bad" ||
	    fail "rename after a failed fsync: $(cat "$dir/bad")"

	# the files as the failure left them
	[ -e "$sf" ] || fail "the session file is missing"
	[ -e "$sf.bak" ] || fail "the .bak is missing"
	{ read -r raw; read -r seq; } < <(jq -rs \
	    "(.[0] | ($SIG), .audit_seq), (.[1] | type)" "$sf" "$sf.bak")
	[ -n "$seq" ] || fail "the session file or its .bak does not parse"
	[ "$raw" = "$raw_old" ] || [ "$raw" = "$old" ] ||
	    [ "$raw" = "$new" ] || fail "state is neither old nor new: $raw"
	[ "$rc" -ne 0 ] || [ "$raw" = "$new" ] ||
	    fail "exit 0 but the state is not the new one"
	[ "$seq" -le "$(audit_lines "$af")" ] ||
	    fail "audit_seq $seq is ahead of the trail"

	# the next plain command repairs what is left
	qmb-session -q resume "$id" >/dev/null 2>"$dir/err" ||
	    fail "resume after the fault: $(cat "$dir/err")"
	res='' seq='' hash=''
	{ read -r res; read -r seq; read -r hash; } < <(jq -r \
	    "($SIG), .audit_seq, .audit_hash" "$sf")
	if [ "$res" = "$new" ]; then
		res=new
		[ "$raw" = "$new" ] || res=rolled
	elif [ "$res" = "$old" ]; then
		res=old
		[ "$raw" != "$new" ] || fail "resume lost the new state"
	else
		fail "after resume neither old nor new: $res"
	fi
	[ "$rc" -ne 6 ] || [ "$res" = old ] ||
	    fail "exit 6 ($(cat "$dir/err")), but the change took effect"
	[ "$rc" -ne 8 ] || [ "$res" != old ] ||
	    fail "exit 8 ($(cat "$dir/err")), but the change is not there"
	! audit_torn "$af" || fail "torn audit tail after resume"
	[ "$seq" -eq "$(audit_lines "$af")" ] ||
	    fail "audit_seq is not the trail's head after resume"
	[ "$hash" = "$(audit_verify "$af")" ] ||
	    fail "the trail does not verify up to audit_hash"
	ents=$(dir_entries "$work/.qmb/sessions")
	[ "$ents" = "$id.json $id.json.bak $id.lock" ] ||
	    fail "left in sessions/: $ents"
	[ -z "$(find "$work/.qmb" -name '*.tmp')" ] ||
	    fail "left: $(find "$work/.qmb" -name '*.tmp')"
	# a killed qmb_atomic_write leaves its hidden temporary name
	hidden=$((hidden + $(find "$work/.qmb" -name '.*.*' | wc -l)))
}

# sweep MODE COMMAND...: every k for one mode; prints its counts
sweep() {
	local mode=$1 k c0=0 c6=0 c8=0 ckill=0 nold=0 nnew=0 nrolled=0
	shift
	hidden=0
	use "$scratch/${mode%%:*}"
	for ((k = 1; k <= ops; k++)); do
		case="QMB_FAULT=$k:$mode"
		one_case "$k" "$mode" "$@"
		case $rc in
		0) c0=$((c0 + 1)) ;;
		6) c6=$((c6 + 1)) ;;
		8) c8=$((c8 + 1)) ;;
		137) ckill=$((ckill + 1)) ;;
		esac
		case $res in
		old) nold=$((nold + 1)) ;;
		new) nnew=$((nnew + 1)) ;;
		rolled) nnew=$((nnew + 1)) nrolled=$((nrolled + 1)) ;;
		esac
	done
	echo "$c0 $c6 $ckill $nold $nnew $nrolled $hidden $c8"
}

# the three modes side by side, each in its own folder
pids=()
for mode in ENOSPC EIO:persist kill; do
	sweep "$mode" "$@" >"$scratch/res.${mode%%:*}" &
	pids+=($!)
done
ok=1
for p in "${pids[@]}"; do
	wait "$p" || ok=0
done
[ "$ok" = 1 ] || exit 1
cases=0 rc0=0 rc6=0 rc8=0 killed=0 nold=0 nnew=0 rolled=0 left=0
for mode in ENOSPC EIO kill; do
	read -r a b c d e f g h <"$scratch/res.$mode" || fail "no result for $mode"
	cases=$((cases + ops)) rc0=$((rc0 + a)) rc6=$((rc6 + b)) rc8=$((rc8 + h))
	killed=$((killed + c)) nold=$((nold + d)) nnew=$((nnew + e))
	rolled=$((rolled + f)) left=$((left + g))
done
echo "ops=$ops cases=$cases exit0=$rc0 exit6=$rc6 exit8=$rc8 killed=$killed old=$nold new=$nnew rolled=$rolled hidden=$left"
