#!/bin/bash
# migratesweep.sh TEMPLATE SCRATCH [MODES]: the I/O-error loop over
# `qmb-recover migrate --all`.  TEMPLATE is a project folder holding
# sessions of the TypeScript tool.
#
# A clean run counts the N counted operations.  Then for every k in 1..N
# and every mode (ENOSPC once, EIO from k on, SIGKILL at k; MODES narrows
# them), migrate runs on a fresh copy with QMB_FAULT=k:MODE, and:
#  - it exits 0 or 6 (every line on stderr "qmb-recover: ..."), or dies of
#    the SIGKILL exactly at k;
#  - every session is either legacy-intact or migrated (check_sessions);
#  - a second migrate without a fault exits 0 and leaves every session
#    migrated, every original kept byte for byte in .qmb/migrated/, the
#    trails verifying and `qmb-recover check` clean.
# Prints one summary line; on a failure prints what broke and exits 1.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/helper/migratecheck.bash
. "$here/migratecheck.bash"

tpl=$1 scratch=$2 modes=${3:-"ENOSPC EIO:persist kill"}
mkdir -p "$scratch" || exit 2
unset QMB_FAULT QMB_FAULT_OPS QMB_FAULT_TRACE
export QMB_IDLE_WARN_DAYS=36500
case=

fail() {
	echo "migratesweep: ${case:+$case: }$*" >&2
	exit 1
}

use() {
	dir=$1
	work="$dir/project"
	export QMB_PROJECT_DIR="$work"
	mkdir -p "$dir" || fail "cannot create $dir"
}

# The audit mirror is off here: a fault or kill between the trail's write
# and the mirror's leaves the mirror behind, which verify rightly reports;
# this sweep is about the migration's own writes.
fresh() {
	rm -rf "$work" || fail "cannot remove $work"
	cp -a "$tpl" "$work" || fail "cannot copy the template"
	printf '{"audit_mirror": "off"}\n' >"$work/.qmb/config.json" ||
	    fail "cannot write the configuration"
}

use "$scratch/clean"
fresh
rm -f "$dir/trace"
QMB_FAULT_TRACE="$dir/trace" qmb-recover -q migrate --all >/dev/null \
    2>"$dir/err" || fail "clean run: $(cat "$dir/err")"
ops=$(wc -l <"$dir/trace")
[ "$ops" -ge 1 ] || fail "no counted operations traced"
ids=$(legacy_ids "$tpl")

# one_case K MODE: run and check one case; counts in rc, nint, nmig
one_case() {
	local k=$1 mode=$2 last
	fresh
	rm -f "$dir/trace"
	rc=0
	{ QMB_FAULT="$k:$mode" QMB_FAULT_TRACE="$dir/trace" \
	    qmb-recover -q migrate --all >"$dir/out" 2>"$dir/err"; } \
	    2>/dev/null || rc=$?
	last=$(sed -n "${k}p" "$dir/trace")
	[ -n "$last" ] || fail "only $(wc -l <"$dir/trace") operations ran"
	if [ "$mode" = kill ]; then
		[ "$rc" -eq 137 ] || fail "exit $rc, expected death by SIGKILL"
		[ "$(wc -l <"$dir/trace")" -eq "$k" ] ||
		    fail "operations ran after the kill"
	else
		case $rc in
		0) [ ! -s "$dir/err" ] || fail "exit 0 with: $(cat "$dir/err")" ;;
		6) ! grep -qv '^qmb-recover: ' "$dir/err" ||
			fail "exit 6 with: $(cat "$dir/err")" ;;
		*) fail "exit $rc ($(cat "$dir/err")) at '$last'" ;;
		esac
	fi
	check_sessions "$tpl" "$work" "$ids" || fail "after the fault"
	nint=$((nint + intact)) nmig=$((nmig + migrated))
	qmb-recover -q migrate --all >/dev/null 2>"$dir/err" ||
	    fail "migrate after the fault: $(cat "$dir/err")"
	check_done "$tpl" "$work" "$ids" || fail "after the second migrate"
}

sweep() {
	local mode=$1 k c0=0 c6=0 ck=0
	nint=0 nmig=0
	use "$scratch/${mode%%:*}"
	for ((k = 1; k <= ops; k++)); do
		case="QMB_FAULT=$k:$mode"
		one_case "$k" "$mode"
		case $rc in
		0) c0=$((c0 + 1)) ;;
		6) c6=$((c6 + 1)) ;;
		137) ck=$((ck + 1)) ;;
		esac
	done
	echo "$c0 $c6 $ck $nint $nmig"
}

pids=()
for mode in $modes; do
	sweep "$mode" >"$scratch/res.${mode%%:*}" &
	pids+=($!)
done
ok=1
for p in "${pids[@]}"; do
	wait "$p" || ok=0
done
[ "$ok" = 1 ] || exit 1
cases=0 rc0=0 rc6=0 killed=0 nint=0 nmig=0
for mode in $modes; do
	read -r a b c d e <"$scratch/res.${mode%%:*}" || fail "no result for $mode"
	cases=$((cases + ops)) rc0=$((rc0 + a)) rc6=$((rc6 + b))
	killed=$((killed + c)) nint=$((nint + d)) nmig=$((nmig + e))
done
echo "ops=$ops cases=$cases exit0=$rc0 exit6=$rc6 killed=$killed intact=$nint migrated=$nmig"
