# Shared setup for the BATS files: the binaries under test come first in
# PATH, every test works in its own project folder.
bats_require_minimum_version 1.5.0
for lib in bats-support bats-assert bats-file; do
	if [ -d "/usr/lib/bats/$lib" ]; then
		load "/usr/lib/bats/$lib/load"
	else
		bats_load_library "$lib"
	fi
done
TOP="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
PATH="$TOP:$TOP/tests/helper:$PATH"
export QMB_PROJECT_DIR="$BATS_TEST_TMPDIR/project"
export QMB_USER="tester@example.com"
export NO_COLOR=1
unset QMB_LOG_LEVEL QMB_FAULT QMB_FAULT_OPS QMB_FAULT_TRACE QMB_NOW QMB_MAX_FILE
# Nothing is written outside the test's folder: the audit mirror's default
# place, ${XDG_STATE_HOME:-~/.local/state}/qmb/mirror/, is in it.
export HOME="$BATS_TEST_TMPDIR/home" XDG_STATE_HOME="$BATS_TEST_TMPDIR/state"
unset QMB_AUDIT_MIRROR
mkdir -p "$QMB_PROJECT_DIR" "$HOME"

# new_session NAME: create a session, set $id
new_session() {
	id=$(qmb-session new "${1:-SalesModel}") || return 1
	[ -n "$id" ]
}

# approve_upto ID LETTER: approve stages A..LETTER with small parts
approve_upto() {
	local s
	for s in A B C D E F; do
		printf '%s_Table:\nLOAD * FROM [lib://data/%s.qvd] (qvd);\n' "$s" "$s" |
			qmb-session approve "$1" "$s" - >/dev/null || return 1
		[ "$s" = "$2" ] && break
	done
	return 0
}

sess_file() { printf '%s/.qmb/sessions/%s.json' "$QMB_PROJECT_DIR" "$1"; }
audit_file() { printf '%s/.qmb/audit/%s.audit.json' "$QMB_PROJECT_DIR" "$1"; }
log_file() { printf '%s/.qmb/logs/%s.log' "$QMB_PROJECT_DIR" "$1"; }

# mirror_file ID: the audit mirror's copy of ID's trail (default place)
mirror_file() {
	local d
	for d in "$XDG_STATE_HOME"/qmb/mirror/project-*; do
		printf '%s/%s.audit.json' "$d" "$1"
		return 0
	done
	return 1
}
