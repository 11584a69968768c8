#!/bin/sh
# make bench: time qmb-session on this machine against the floors of the
# same work done with bare system calls, and print a table of ratios.
# tests/bench/README.md says what each figure means.
#
# Knobs (environment): QMB_BENCH_TMP (where the scratch folder goes,
# default $TMPDIR or /tmp: put it on the file system you care about),
# QMB_BENCH_SAVES (500), QMB_BENCH_APPROVES (200), QMB_BENCH_SESSIONS
# (10000), QMB_BENCH_RUNS (best of, 5).
set -u
cd "$(dirname "$0")/../.." || exit 2
saves=${QMB_BENCH_SAVES:-500}
approves=${QMB_BENCH_APPROVES:-200}
nsess=${QMB_BENCH_SESSIONS:-10000}
runs=${QMB_BENCH_RUNS:-5}

die() {
	printf 'bench: %s\n' "$*" >&2
	exit 1
}

if [ ! -x ./qmb-session ] || [ ! -f libqmb.a ]; then
	die "run 'make' first"
fi
tmp=$(mktemp -d "${QMB_BENCH_TMP:-${TMPDIR:-/tmp}}/qmb-bench.XXXXXX") ||
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
*-fsanitize*) echo "bench: warning: built with SANITIZE=1, figures are not representative" ;;
esac
for d in save exec read; do
	# shellcheck disable=SC2086 # the flags are lists of words
	${CC:-cc} $cppflags $cflags $ldflags -o "$bin/bench_$d" \
	    "tests/bench/bench_$d.c" libqmb.a $libs || die "cannot build bench_$d"
done

export QMB_USER=bench@example.com NO_COLOR=1
unset QMB_PROJECT_DIR QMB_FAULT QMB_FAULT_OPS QMB_FAULT_TRACE QMB_NOW \
    QMB_MAX_FILE QMB_LOG_LEVEL QMB_SHARED QMB_WAIT
# the audit mirror is on by default: its copies go to the scratch folder
export XDG_STATE_HOME="$tmp/state"
unset QMB_AUDIT_MIRROR
# A copy, so that a rebuild during the run cannot change what is timed.
if ! cp ./qmb-session "$bin/qmb-session" ||
    ! "$bin/qmb-session" --version >/dev/null; then
	die "cannot copy qmb-session"
fi
qs=$bin/qmb-session

# part STAGE TABLES: a script part that looks like a real one
part() {
	awk -v s="$1" -v n="$2" 'BEGIN {
		if (s == "A") {
			print "SET ThousandSep=\x27,\x27;"
			print "SET DecimalSep=\x27.\x27;"
			print "SET DateFormat=\x27YYYY-MM-DD\x27;"
			print "LET vDataPath = \x27lib://data/\x27;"
		}
		for (i = 1; i <= n; i++) {
			printf "%s_Table%02d:\nLOAD\n    Key%d AS %%Key%s%d,\n", s, i, i, s, i
			printf "    Name%d,\n    Amount%d\nFROM [lib://data/%s%02d.qvd] (qvd);\n\n", i, i, s, i
		}
	}'
}

# path_of PROG: the file PROG runs from PATH (not a shell builtin)
path_of() {
	(
		IFS=:
		for d in $PATH; do
			[ -f "$d/$1" ] && [ -x "$d/$1" ] && { echo "$d/$1"; exit 0; }
		done
		exit 1
	) || die "no '$1' in PATH"
}

# field NAME KEY FILE: KEY=VALUE from the line of FILE starting with NAME
field() {
	awk -v n="$1" -v k="$2" '$1 == n || n == "" {
		for (i = 1; i <= NF; i++)
			if (index($i, k "=") == 1) { print substr($i, length(k) + 2); exit }
	}' "$3"
}

# make_session DIR: a project with one session approved up to C; sets $id
make_session() {
	mkdir -p "$1" || exit 1
	id=$("$qs" -C "$1" -q new SalesModel) || die "qmb-session new failed"
	for s in A B C; do
		"$qs" -C "$1" approve "$id" "$s" "$tmp/part$s" >/dev/null ||
			die "qmb-session approve $s failed"
	done
}

part A 22 >"$tmp/partA"
part B 24 >"$tmp/partB"
part C 24 >"$tmp/partC"

echo "qmb bench: $(uname -sr), $(nproc) CPUs, scratch on $(stat -f -c %T "$tmp")" \
    "($(df -P "$tmp" | awk 'NR == 2 { print $1 }'))"

load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo 0)
if awk -v l="$load" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
	echo "bench: warning: machine busy (load $load): fsync times are noisy," \
	    "compare the min rows"
fi

# 1. A save against the floor of its system calls.
make_session "$tmp/save"
sid=$id
"$bin/bench_save" "$tmp/save" "$sid" "$saves" >"$tmp/save.out" ||
	die "bench_save failed"
echo "1. save of one session file ($(field '' bytes "$tmp/save.out") bytes), ms per save:"
sed 's/^/   /' "$tmp/save.out" | grep -v bytes=

# 2. Whole processes: re-approve the latest stage, and the start floor.
"$bin/bench_exec" -n "$approves" -i "$tmp/partC" -- \
    "$qs" -C "$tmp/save" approve "$sid" C - >"$tmp/approve.out" ||
	die "approve runs failed"
"$bin/bench_exec" -n "$approves" -- "$qs" --version >"$tmp/version.out" ||
	die "--version runs failed"
"$bin/bench_exec" -n "$approves" -- "$(path_of true)" >"$tmp/true.out" ||
	die "true runs failed"
echo "2. one process each, ms:"
printf '   %-22s %s\n' "approve ID C - (x$approves)" "$(cat "$tmp/approve.out")" \
    "--version" "$(cat "$tmp/version.out")" \
    "true (spawn floor)" "$(cat "$tmp/true.out")"

# 3. list over many sessions against reading the same files.
make_session "$tmp/list"
sdir=$tmp/list/.qmb/sessions
"$bin/bench_read" clone "$sdir" "$id" $((nsess - 1)) || die "clone failed"
got=$("$qs" -C "$tmp/list" --json list | wc -l)
[ "$got" -eq "$nsess" ] ||
	die "list shows $got sessions, not $nsess (clones refused?)"
"$bin/bench_exec" -n "$runs" -- "$qs" -C "$tmp/list" --json list \
    >"$tmp/listj.out" || die "list --json failed"
"$bin/bench_exec" -n "$runs" -- "$qs" -C "$tmp/list" list \
    >"$tmp/listh.out" || die "list failed"
"$bin/bench_exec" -n "$runs" -g "$sdir/*.json" -- "$(path_of cat)" \
    >"$tmp/cat.out" || die "cat failed"
"$bin/bench_read" read "$sdir" "$runs" >"$tmp/read.out" || die "read failed"
"$bin/bench_read" read "$sdir" "$runs" 1024 >"$tmp/head.out" || die "read failed"
"$bin/bench_read" stat "$sdir" "$runs" >"$tmp/stat.out" || die "stat failed"
echo "3. $nsess sessions ($(field '' bytes "$tmp/read.out") bytes), best of $runs, ms:"
printf '   %-30s %s\n' "qmb-session list --json" "$(cat "$tmp/listj.out")" \
    "qmb-session list" "$(cat "$tmp/listh.out")" \
    "cat *.json" "$(cat "$tmp/cat.out")" \
    "C open/read/close" "$(cat "$tmp/read.out")" \
    "C open/read 1 KiB/close" "$(cat "$tmp/head.out")" \
    "C fstatat only" "$(cat "$tmp/stat.out")"

# 4. Programs that do not talk to the network must not link libcurl.
curl=""
for p in qmb-session qmb-log qmb-audit qmb-recover qmb-rotate; do
	[ -x "./$p" ] || continue
	curl="$curl $p=$(ldd "./$p" | grep -c curl)"
done

# The table: name, measured, floor, ratio, target, verdict.
fl=$(field floor median "$tmp/save.out")
echo
{
	echo "save qmb_session_save|$(field session median "$tmp/save.out")|$fl|ratio|1.2"
	echo "save qmb_atomic_save|$(field atomic median "$tmp/save.out")|$fl|ratio|1.2"
	fm=$(field floor min "$tmp/save.out")
	echo "save session (min)|$(field session min "$tmp/save.out")|$fm|ratio|1.2"
	echo "save atomic (min)|$(field atomic min "$tmp/save.out")|$fm|ratio|1.2"
	echo "approve process|$(field '' median "$tmp/approve.out")|$(field '' median "$tmp/version.out")|ms|3"
	echo "list --json ${nsess}|$(field '' min "$tmp/listj.out")|$(field '' min "$tmp/read.out")|ms|50"
	echo "list human ${nsess}|$(field '' min "$tmp/listh.out")|$(field '' min "$tmp/read.out")|ms|50"
	echo "cat *.json ${nsess}|$(field '' min "$tmp/cat.out")|$(field '' min "$tmp/read.out")|-|-"
} | awk -F'|' '
BEGIN {
	printf "%-22s %11s %11s %7s  %-10s %s\n", "name", "measured", "floor",
	    "ratio", "target", "verdict"
}
{
	r = $3 > 0 ? $2 / $3 : 0
	if ($4 == "ratio") {
		t = sprintf("<= %.1fx", $5); ok = r <= $5
	} else if ($4 == "ms") {
		t = sprintf("< %d ms", $5); ok = $2 < $5
	} else {
		t = "(reference)"; ok = -1
	}
	printf "%-22s %8.3f ms %8.3f ms %6.2fx  %-10s %s\n", $1, $2, $3, r, t,
	    ok == -1 ? "" : ok ? "ok" : "MISSED"
}'
printf '%-22s %s (ldd ... | grep -c curl; target 0)\n' "libcurl linked" "${curl# }"
echo "floors: save = bare syscalls (median, and min of $saves), approve = --version (median of $approves),"
echo "        list = C open/read/close (best of $runs)"
echo "Node original: list of 10000 sessions took 256 ms"

# The log reader and the audit appender (tests/bench/logaudit.sh).
[ -f tests/bench/logaudit.sh ] && sh tests/bench/logaudit.sh
