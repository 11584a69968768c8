# Helpers for tests/durability.bats and tests/helper/crashloop.sh: audit
# chain checks with jq and sha256sum, process and lock handling.

AUDIT_ZERO=0000000000000000000000000000000000000000000000000000000000000000

# is_asan: the binary under test was built with AddressSanitizer
is_asan() {
	nm "$TOP/qmb-session" 2>/dev/null | grep -q __asan_init
}

# audit_lines FILE: number of complete lines (each ends in a newline)
audit_lines() {
	if [ -e "$1" ]; then
		wc -l <"$1" | tr -d ' '
	else
		echo 0
	fi
}

# audit_torn FILE: the file ends in a fragment without a newline
audit_torn() {
	[ -s "$1" ] && [ "$(tail -c 1 "$1" | od -An -tx1 | tr -d ' \n')" != 0a ]
}

# audit_verify FILE [FROM [PREV]]: check the complete lines FROM.. (1-based)
# of an audit trail: consecutive seq, prev is the hash of the line before
# (PREV for line FROM), hash is sha256 of the line without its hash member
# as `jq -c 'del(.hash)'` prints it.  Prints the hash of the last line.
# A fixed number of processes, however many lines.
audit_verify() {
	local f=$1 from=${2:-1} prev=${3:-$AUDIT_ZERO} n i seq lp h sum d
	n=$(audit_lines "$f")
	i=$from
	if [ "$from" -le "$n" ]; then
		d=$(mktemp -d "${VERIFY_TMP:-${BATS_TEST_TMPDIR:-/tmp}}/verify.XXXXXX")
		head -n "$n" "$f" | tail -n +"$from" |
		    jq -r '"\(.seq) \(.prev) \(.hash) " + (del(.hash) | tojson)' \
		    >"$d/meta"
		cut -d' ' -f4- "$d/meta" | split -l 1 -a 7 - "$d/l."
		truncate -s -1 "$d"/l.*
		sha256sum "$d"/l.* >"$d/sums"
		while read -r seq lp h _ && read -r sum _ <&4; do
			if [ "$seq" != "$i" ]; then
				echo "audit line $i: seq is '$seq'" >&2
				return 1
			fi
			if [ "$lp" != "$prev" ]; then
				echo "audit line $i: prev does not link to line $((i - 1))" >&2
				return 1
			fi
			if [ "$sum" != "$h" ]; then
				echo "audit line $i: hash mismatch" >&2
				return 1
			fi
			prev=$h
			i=$((i + 1))
		done <"$d/meta" 4<"$d/sums"
		rm -rf "$d"
	fi
	if [ "$i" -ne $((n + 1)) ]; then
		echo "audit line $i of $n does not parse" >&2
		return 1
	fi
	printf '%s\n' "$prev"
}

# dir_entries DIR: the names in DIR, dot files too, sorted, on one line
dir_entries() {
	(shopt -s nullglob dotglob && cd "$1" && echo *)
}

# kill_group PID: SIGKILL the process group PID leads (setsid), then reap
kill_group() {
	kill -9 -- "-$1" 2>/dev/null || kill -9 "$1" 2>/dev/null || true
	{ wait "$1"; } 2>/dev/null || true
	kill -9 -- "-$1" 2>/dev/null || true
}

# hold_lock FILE: a background process takes FILE's flock; sets $holder
hold_lock() {
	local _
	(exec 9<>"$1" && flock -x 9 && exec sleep 60) </dev/null >/dev/null 2>&1 3>&- &
	holder=$!
	for _ in $(seq 500); do
		flock -n "$1" true || return 0
		sleep 0.01
	done
	echo "could not take the lock $1" >&2
	return 1
}

# release_lock: end the process hold_lock started
release_lock() {
	[ -n "${holder:-}" ] || return 0
	kill -9 "$holder" 2>/dev/null || true
	{ wait "$holder"; } 2>/dev/null || true
	holder=
	return 0
}

# now_ms: monotonic enough wall clock in milliseconds
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}
