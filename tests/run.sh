#!/bin/sh
# Run every test of the project: the library's C unit tests, then the
# BATS files, and end with one line "N passed, M failed[, K skipped]".
# Usage: tests/run.sh [BATS-FILE...]
cd "$(dirname "$0")/.." || exit 2
out=$(mktemp) || exit 2
trap 'rm -f "$out"' EXIT INT TERM
pass=0 fail=0 skip=0

count() {
	p=$(grep -c '^ok ' "$out" | tr -d ' ')
	s=$(grep -c '^ok .* # skip' "$out" | tr -d ' ')
	f=$(grep -c '^not ok ' "$out" | tr -d ' ')
	pass=$((pass + p - s)) skip=$((skip + s)) fail=$((fail + f))
	grep -A8 '^not ok ' "$out" | sed 's/^/    /'
}

if [ $# -eq 0 ]; then
	for t in tests/unit/test_*; do
		case $t in *.c|*.o) continue ;; esac
		[ -x "$t" ] || continue
		printf '%s\n' "unit: ${t##*/}"
		"$t" >"$out" 2>&1
		rc=$?
		count
		if [ $rc -ne 0 ] && ! grep -q '^not ok ' "$out"; then
			printf '    %s exited %d without reporting a failed check\n' "$t" $rc
			tail -5 "$out" | sed 's/^/    /'
			fail=$((fail + 1))
		fi
	done
	set -- tests/*.bats
fi
for b in "$@"; do
	printf '%s\n' "bats: ${b##*/}"
	bats --tap "$b" >"$out" 2>&1
	rc=$?
	grep '^# ' "$out" | sed 's/^/    /'
	count
	if [ $rc -ne 0 ] && ! grep -q '^not ok ' "$out"; then
		printf '    %s exited %d without reporting a failed test\n' "$b" $rc
		tail -5 "$out" | sed 's/^/    /'
		fail=$((fail + 1))
	fi
done
if [ $skip -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ $fail -eq 0 ]
