#!/bin/sh
# Run every test of the project: the library's C unit tests, then the
# BATS files, and end with one line "N passed, M failed[, K skipped]".
# BATS files run $QMB_TEST_JOBS at a time (default: the number of
# processors, at most 4), the largest first; each file's result line is
# printed as soon as it ends, with a count of the files done.  An
# interrupt (Ctrl-C) or TERM stops every test and prints no summary.
# Usage: tests/run.sh [BATS-FILE...]
cd "$(dirname "$0")/.." || exit 2
dir=$(mktemp -d "${TMPDIR:-/tmp}/qmb-check.XXXXXX") || exit 2
pg=

# stop SIGNAL-STATUS: end every test still running, remove the reports
stop() {
	trap '' INT TERM
	if [ -n "$pg" ]; then
		kill -TERM "-$pg" 2>/dev/null
		i=0
		while kill -0 "-$pg" 2>/dev/null && [ $i -lt 20 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -KILL "-$pg" 2>/dev/null
	fi
	rm -rf "$dir"
	printf '\ninterrupted: no summary\n' >&2
	exit "$1"
}
trap 'stop 130' INT
trap 'stop 143' TERM
trap 'rm -rf "$dir"' EXIT
pass=0 fail=0 skip=0

# count FILE RC NAME: add one report's counts to the totals, set p f s
count() {
	p=$(grep -c '^ok ' "$1" | tr -d ' ')
	s=$(grep -c '^ok .* # skip' "$1" | tr -d ' ')
	f=$(grep -c '^not ok ' "$1" | tr -d ' ')
	p=$((p - s))
	if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	pass=$((pass + p)) skip=$((skip + s)) fail=$((fail + f))
}

# details FILE RC NAME [notes]: each failure with the lines under it,
# and with "notes" the report's other "# " lines
details() {
	awk -v notes="${4:-}" '
		/^not ok / { fail = 1; shown = 0; print "    " $0; next }
		/^ok / { fail = 0; next }
		/^#/ && fail { if (++shown <= 40) print "    " $0; next }
		/^# / && notes != "" { print "    " $0 }' "$1"
	if [ "$2" -ne 0 ] && ! grep -q '^not ok ' "$1"; then
		printf '    %s exited %d without reporting a failure\n' "$3" "$2"
		tail -5 "$1" | sed 's/^/    /'
	fi
}

# result PREFIX [SUFFIX]: the counts of the last count call, as one line
result() {
	line="$1: $p passed, $f failed"
	[ "$s" -gt 0 ] && line="$line, $s skipped"
	printf '%s%s\n' "$line" "${2:-}"
}

if [ $# -eq 0 ]; then
	for t in tests/unit/test_*; do
		case $t in *.c|*.o) continue ;; esac
		[ -x "$t" ] || continue
		"$t" >"$dir/unit" 2>&1
		rc=$?
		count "$dir/unit" $rc "$t"
		result "unit ${t##*/}"
		details "$dir/unit" $rc "$t"
	done
	# the largest files first: the slowest do not start last
	# shellcheck disable=SC2046 # test file names have no spaces
	set -- $(ls -S tests/*.bats)
fi

jobs=${QMB_TEST_JOBS:-$(nproc 2>/dev/null || echo 2)}
[ "$jobs" -gt 4 ] && jobs=4
[ "$jobs" -lt 1 ] && jobs=1
n=0
for b in "$@"; do
	n=$((n + 1))
	printf '%s\n' "$b" >"$dir/file.$n"
done
if [ "$n" -eq 0 ]; then
	echo "$pass passed, $fail failed"
	[ $fail -eq 0 ]
	exit
fi
[ "$jobs" -gt "$n" ] && jobs=$n
if [ "$n" -eq 1 ]; then
	echo "bats: 1 file"
else
	printf "bats: %d files, %d at a time\n" "$n" "$jobs"
fi

# Each file's TAP report and exit status go to $dir/out.N and $dir/rc.N;
# its number goes down the FIFO when it ends, "end" when all have.  The
# runners are a session of their own: stop() ends them as one group.
mkfifo "$dir/done" || exit 2
exec 3<>"$dir/done"
cat >"$dir/worker" <<'EOF'
# worker DIR N: run BATS file N, say its number when it ends
b=$(cat "$1/file.$2")
start=$(date +%s)
bats --tap "$b" >"$1/out.$2" 2>&1 </dev/null
echo $? >"$1/rc.$2"
echo $(($(date +%s) - start)) >"$1/time.$2"
echo "$2" >"$1/done"
EOF
# shellcheck disable=SC2016 # expanded by the inner shell
setsid -w sh -c '
	echo $$ >"$1/pgid"
	seq 1 "$2" | xargs -P "$3" -I{} sh "$1/worker" "$1" {}
	echo end >"$1/done"' sh "$dir" "$n" "$jobs" &
runner=$!
i=0
while [ ! -s "$dir/pgid" ] && [ $i -lt 100 ] && kill -0 "$runner" 2>/dev/null; do
	sleep 0.05
	i=$((i + 1))
done
pg=$(cat "$dir/pgid" 2>/dev/null)

k=0
while [ $k -lt "$n" ] && read -r d <&3; do
	if [ "$d" = end ]; then
		break
	fi
	k=$((k + 1))
	b=$(cat "$dir/file.$d")
	rc=$(cat "$dir/rc.$d" 2>/dev/null || echo 1)
	count "$dir/out.$d" "$rc" "$b"
	result "[$k/$n] ${b##*/}" " ($(cat "$dir/time.$d" 2>/dev/null || echo '?') s)"
	details "$dir/out.$d" "$rc" "$b" notes
done
wait "$runner"
if [ $k -lt "$n" ]; then
	printf '%d BATS files gave no report\n' $((n - k))
	fail=$((fail + n - k))
fi
pg=
if [ $skip -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ $fail -eq 0 ]
