#!/bin/sh
# Run every test of the project: the library's C unit tests, then the
# BATS files, and end with one line "N passed, M failed[, K skipped]".
# BATS files run $QMB_TEST_JOBS at a time (default: the number of
# processors, at most 4); their reports are printed in file order.
# Usage: tests/run.sh [BATS-FILE...]
cd "$(dirname "$0")/.." || exit 2
dir=$(mktemp -d) || exit 2
trap 'rm -rf "$dir"' EXIT INT TERM
pass=0 fail=0 skip=0

# count FILE RC NAME: add one report's counts, show its failures
count() {
	p=$(grep -c '^ok ' "$1" | tr -d ' ')
	s=$(grep -c '^ok .* # skip' "$1" | tr -d ' ')
	f=$(grep -c '^not ok ' "$1" | tr -d ' ')
	pass=$((pass + p - s)) skip=$((skip + s)) fail=$((fail + f))
	grep -A8 '^not ok ' "$1" | sed 's/^/    /'
	if [ "$2" -ne 0 ] && ! grep -q '^not ok ' "$1"; then
		printf '    %s exited %d without reporting a failure\n' "$3" "$2"
		tail -5 "$1" | sed 's/^/    /'
		fail=$((fail + 1))
	fi
}

if [ $# -eq 0 ]; then
	for t in tests/unit/test_*; do
		case $t in *.c|*.o) continue ;; esac
		[ -x "$t" ] || continue
		printf '%s\n' "unit: ${t##*/}"
		"$t" >"$dir/unit" 2>&1
		count "$dir/unit" $? "$t"
	done
	set -- tests/*.bats
fi

jobs=${QMB_TEST_JOBS:-$(nproc 2>/dev/null || echo 2)}
[ "$jobs" -gt 4 ] && jobs=4
[ "$jobs" -lt 1 ] && jobs=1
n=0
for b in "$@"; do
	n=$((n + 1))
	printf '%s\n' "$b" >"$dir/file.$n"
done
# each file's TAP report and exit status go to $dir/out.N and $dir/rc.N
# shellcheck disable=SC2016 # expanded by the inner shell
seq 1 "$n" | xargs -P "$jobs" -I{} sh -c '
	b=$(cat "$1/file.$2")
	bats --tap "$b" >"$1/out.$2" 2>&1
	echo $? >"$1/rc.$2"' sh "$dir" {}
i=0
while [ $i -lt $n ]; do
	i=$((i + 1))
	b=$(cat "$dir/file.$i")
	printf '%s\n' "bats: ${b##*/}"
	grep '^# ' "$dir/out.$i" | sed 's/^/    /'
	count "$dir/out.$i" "$(cat "$dir/rc.$i" 2>/dev/null || echo 1)" "$b"
done
if [ $skip -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ $fail -eq 0 ]
