#!/bin/sh
# The log reader and the audit appender against their references:
#  1. qmb-log show -l ERROR and -S C on a generated log (100 MB by
#     default) against jq -c 'select(...)' on the same file; the selected
#     lines must be byte-identical;
#  2. durable audit appends (qmb_audit_append, bench_audit.c), audit
#     mirror on, against a bare write + fdatasync of the same bytes to
#     both copies;
#  3. what a trail's length costs (bench_trail.c): append and verify of
#     trails of 10, 1,000 and 100,000 entries.
# Run from the top of the tree after make: sh tests/bench/logaudit.sh
#
# Knobs (environment): QMB_BENCH_TMP (scratch folder's parent, default
# $TMPDIR or /tmp), QMB_BENCH_LOG_MB (100), QMB_BENCH_RUNS (best of, 5),
# QMB_BENCH_JQ_RUNS (best of, 1), QMB_BENCH_APPENDS (500),
# QMB_BENCH_TRAIL_MAX (100000), QMB_BENCH_TRAIL_APPENDS (100).
set -u
cd "$(dirname "$0")/../.." || exit 2
mb=${QMB_BENCH_LOG_MB:-100}
runs=${QMB_BENCH_RUNS:-5}
jqruns=${QMB_BENCH_JQ_RUNS:-1}
appends=${QMB_BENCH_APPENDS:-500}
tmax=${QMB_BENCH_TRAIL_MAX:-100000}
tappends=${QMB_BENCH_TRAIL_APPENDS:-100}

die() {
	printf 'logaudit: %s\n' "$*" >&2
	exit 1
}

if [ ! -x ./qmb-log ] || [ ! -x ./qmb-audit ] || [ ! -f libqmb.a ]; then
	die "run 'make' first"
fi
command -v jq >/dev/null || die "jq is not installed"
tmp=$(mktemp -d "${QMB_BENCH_TMP:-${TMPDIR:-/tmp}}/qmb-logaudit.XXXXXX") ||
	die "cannot make a scratch folder"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
bin=$tmp/bin
mkdir "$bin" || exit 1

# The flags the Makefile uses (config.mk, SANITIZE included).
# shellcheck disable=SC2016 # make expands them, not the shell
flags=$(printf '%s\n' 'bench-flags:' \
    '	@printf "%s\n" "$(CPPFLAGS)" "$(CFLAGS)" "$(LDFLAGS)" "$(MBEDTLS_LIBS) $(Z_LIBS)"' |
    make -s --no-print-directory -f config.mk -f - bench-flags) ||
	die "cannot read the flags of config.mk"
cppflags=$(printf '%s\n' "$flags" | sed -n 1p)
cflags=$(printf '%s\n' "$flags" | sed -n 2p)
ldflags=$(printf '%s\n' "$flags" | sed -n 3p)
libs=$(printf '%s\n' "$flags" | sed -n 4p)
case $cflags in
*-fsanitize*) echo "logaudit: warning: built with SANITIZE=1, figures are not representative" ;;
esac
for d in audit exec trail; do
	# shellcheck disable=SC2086 # the flags are lists of words
	${CC:-cc} $cppflags $cflags $ldflags -o "$bin/bench_$d" \
	    "tests/bench/bench_$d.c" libqmb.a $libs || die "cannot build bench_$d"
done
# copies, so that a rebuild during the run cannot change what is timed
cp ./qmb-log "$bin/qmb-log" || exit 1
jqbin=$(command -v jq)

export QMB_USER=bench@example.com NO_COLOR=1
unset QMB_PROJECT_DIR QMB_FAULT QMB_FAULT_OPS QMB_FAULT_TRACE QMB_NOW \
    QMB_MAX_FILE QMB_LOG_LEVEL QMB_SHARED QMB_AUDIT_MIRROR
# the audit mirror is on by default: its copies go to the scratch folder
export XDG_STATE_HOME="$tmp/state"

# field KEY FILE [NAME]: VALUE of KEY=VALUE on the line starting with NAME
field() {
	awk -v n="${3:-}" -v k="$1" '$1 == n || n == "" {
		for (i = 1; i <= NF; i++)
			if (index($i, k "=") == 1) { print substr($i, length(k) + 2); exit }
	}' "$2"
}

# gen BYTES ID: a session log as qmb writes it (jq -c form): levels
# about 1% ERROR, 4% WARN, 30% DEBUG; stages A-F; 4% of the lines with
# escapes (\" \\ \n \t, and \u00xx for control characters)
gen() {
	awk -v bytes="$1" -v id="$2" 'BEGIN {
		srand(42)
		split("A B C D E F", st, " ")
		split("script_builder session review validator loader store", comp, " ")
		split("table_generated stage_approved field_mapped script_checked qvd_read link_built", act, " ")
		split("DIM_Customers DIM_Products FACT_Orders FACT_Returns LINK_Sales CAL_Master", tbl, " ")
		t = 0
		while (total < bytes) {
			t += int(rand() * 900) + 1
			r = rand()
			lv = r < 0.01 ? "ERROR" : r < 0.05 ? "WARN" : r < 0.35 ? "DEBUG" : "INFO"
			tb = tbl[int(rand() * 6) + 1]
			sec = int(t / 1000)
			ts = sprintf("2026-01-%02dT%02d:%02d:%02d.%03dZ", 21 + int(sec / 86400),
			    int(sec / 3600) % 24, int(sec / 60) % 60, sec % 60, t % 1000)
			e = rand()
			if (e < 0.03)
				det = sprintf("{\"table\":\"%s\",\"note\":\"said \\\"hi\\\"\\n\\tC:\\\\data\\\\%s.qvd\",\"fields\":%d}",
				    tb, tb, int(rand() * 40))
			else if (e < 0.04)
				det = sprintf("{\"table\":\"%s\",\"raw\":\"esc \\u001b[0m bell \\u0007 \303\251 \303\274\",\"rows\":%d}",
				    tb, int(rand() * 100000))
			else
				det = sprintf("{\"table\":\"%s\",\"fields\":%d,\"rows_estimated\":%d,\"ok\":%s}",
				    tb, int(rand() * 40), int(rand() * 100000), rand() < 0.5 ? "true" : "false")
			line = sprintf("{\"timestamp\":\"%s\",\"level\":\"%s\",\"session_id\":\"%s\",\"stage\":\"%s\",\"component\":\"%s\",\"action\":\"%s\",\"details\":%s,\"user_id\":\"analyst@example.com\"}",
			    ts, lv, id, st[int(rand() * 6) + 1], comp[int(rand() * 6) + 1],
			    act[int(rand() * 6) + 1], det)
			print line
			total += length(line) + 1
		}
	}'
}

echo "qmb logaudit bench: $(uname -sr), $(nproc) CPUs, scratch on $(stat -f -c %T "$tmp")"

# 1. The filter against jq.
id=01a21541-5731-77ff-9d92-6a20f0345ce7
proj=$tmp/proj
mkdir -p "$proj/.qmb/logs" && chmod 700 "$proj/.qmb" "$proj/.qmb/logs" || exit 1
log=$proj/.qmb/logs/$id.log
gen $((mb * 1048576)) "$id" >"$log" || die "cannot generate the log"
# the generator writes what qmb writes: jq -c must give the same bytes
"$jqbin" -c . "$log" | cmp -s - "$log" ||
	die "the generated log is not in jq -c form"
lines=$(wc -l <"$log")
echo "1. $(wc -c <"$log") bytes, $lines lines:" \
    "$(grep -c '"level":"ERROR"' "$log") ERROR," \
    "$(grep -c '"stage":"C"' "$log") stage C," \
    "$(grep -c '[\]' "$log") with escapes"

# pair NAME QMBARGS JQFILTER: time both, check they select the same lines
pair() {
	# shellcheck disable=SC2086 # QMBARGS is a list of words
	"$bin/bench_exec" -n "$runs" -o "$tmp/$1.qmb" -- "$bin/qmb-log" -C "$proj" \
	    show "$id" $2 >"$tmp/$1.qt" || die "qmb-log show $2 failed"
	"$bin/bench_exec" -n "$jqruns" -o "$tmp/$1.jq" -- "$jqbin" -c "$3" "$log" \
	    >"$tmp/$1.jt" || die "jq failed"
	cmp -s "$tmp/$1.qmb" "$tmp/$1.jq" ||
		die "$1: qmb-log and jq select different lines (see $tmp)"
	printf '   %-28s %6s lines, qmb-log %s ms, jq %s ms (best of %s/%s)\n' \
	    "$1" "$(wc -l <"$tmp/$1.qmb")" "$(field min "$tmp/$1.qt")" \
	    "$(field min "$tmp/$1.jt")" "$runs" "$jqruns"
}
pair level "-l ERROR" 'select(.level == "ERROR")'
pair stage "-S C" 'select(.stage == "C")'
rm -f "$log"

# 2. Durable audit appends.
mkdir -p "$tmp/audit" || exit 1
"$bin/bench_audit" "$tmp/audit" BENCH "$appends" >"$tmp/audit.out" ||
	die "bench_audit failed"
./qmb-audit -C "$tmp/audit" -q verify BENCH >/dev/null ||
	die "the benchmark's trail does not verify"
echo "2. audit appends of $(field bytes "$tmp/audit.out") bytes, mirror on, ms per append:"
sed 's/^/   /' "$tmp/audit.out" | grep -v bytes=
for v in append floor nosync; do
	printf '   %-8s %8.0f per second (median)\n' "$v" \
	    "$(awk -v m="$(field median "$tmp/audit.out" "$v")" 'BEGIN { print (m > 0 ? 1000 / m : 0) }')"
done

# 3. Trail length: append and verify at 10, 1,000 and tmax entries.
mkdir -p "$tmp/trail" || exit 1
echo "3. trails of 10 to $tmax entries: append (ms, $tappends each) and verify (whole trail and mirror):"
for n in 10 1000 "$tmax"; do
	"$bin/bench_trail" "$tmp/trail" "$n" "$tappends" >"$tmp/trail$n.out" ||
		die "bench_trail $n failed"
	./qmb-audit -C "$tmp/trail" -q verify "trail-$n" >/dev/null ||
		die "the benchmark's trail of $n entries does not verify"
	printf '   %7s entries: append median %s min %s, verify %s ms (%s us per entry), peak memory %s KiB\n' \
	    "$n" "$(field append_median "$tmp/trail$n.out")" \
	    "$(field append_min "$tmp/trail$n.out")" \
	    "$(field verify_ms "$tmp/trail$n.out")" \
	    "$(field verify_us "$tmp/trail$n.out")" \
	    "$(field maxrss_kb "$tmp/trail$n.out")"
	rm -f "$tmp/trail/.qmb/audit/trail-$n.audit.json"
done

echo
{
	echo "show -l ERROR|$(field min "$tmp/level.qt")|$(field min "$tmp/level.jt")|faster|20"
	echo "show -S C|$(field min "$tmp/stage.qt")|$(field min "$tmp/stage.jt")|faster|20"
	echo "audit append (median)|$(field median "$tmp/audit.out" append)|$(field median "$tmp/audit.out" floor)|ratio|1.2"
	echo "audit append (min)|$(field min "$tmp/audit.out" append)|$(field min "$tmp/audit.out" floor)|ratio|1.2"
	echo "append at $tmax/10|$(field append_median "$tmp/trail$tmax.out")|$(field append_median "$tmp/trail10.out")|ratio|1.2"
	echo "append (min) $tmax/10|$(field append_min "$tmp/trail$tmax.out")|$(field append_min "$tmp/trail10.out")|ratio|1.2"
	echo "verify/1k at $tmax/1000|$(field verify_us "$tmp/trail$tmax.out")|$(field verify_us "$tmp/trail1000.out")|ratio|1.2"
} | awk -F'|' '
BEGIN {
	printf "%-22s %11s %11s %8s  %-10s %s\n", "name", "measured", "reference",
	    "ratio", "target", "verdict"
}
{
	if ($4 == "faster") {
		r = $2 > 0 ? $3 / $2 : 0
		t = sprintf(">= %dx jq", $5); ok = r >= $5
	} else {
		r = $3 > 0 ? $2 / $3 : 0
		t = sprintf("<= %.1fx", $5); ok = r <= $5
	}
	printf "%-22s %8.3f ms %8.3f ms %7.2fx  %-10s %s\n", $1, $2, $3, r, t,
	    ok ? "ok" : "MISSED"
}'
echo "references: jq -c 'select(...)' on the same file (ratio = jq / qmb-log);"
echo "            write + fdatasync of the same bytes to the trail and the mirror (ratio = append / floor);"
echo "            the same operation on a shorter trail (verify/1k: ms per 1,000 entries)"
