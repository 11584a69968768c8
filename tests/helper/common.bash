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
mkdir -p "$QMB_PROJECT_DIR"

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

# The shell completions: one script a shell (completions/qmb.bash, _qmb,
# qmb.fish) that asks the program itself (PROG --complete SHELL -- WORD...).

# complete_bash WORD...: what the bash completion offers for the command
# line WORD... (the last word is the one being completed), one a line.
complete_bash() {
	bash --norc --noprofile -c '
		. "$1" || exit 1
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_qmb || exit 1
		[ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}"
	' complete_bash "$TOP/completions/qmb.bash" "$@"
}

# complete_zsh WORD...: what the zsh completion hands to _describe
# ("word:description"), _files or _directories for the command line
# WORD..., with those compsys functions stubbed.
complete_zsh() {
	zsh -f -c '
		_describe() { print -rl -- "${(@P)${@[-1]}}"; }
		_files() { print -r -- "files $PREFIX"; }
		_directories() { print -r -- "dirs $PREFIX"; }
		compset() { PREFIX=${PREFIX#*=}; }
		source <(sed "\$d" "$1") || exit 1
		shift
		words=("$@")
		CURRENT=$#words
		PREFIX=$words[-1]
		_qmb
		return 0
	' complete_zsh "$TOP/completions/_qmb" "$@"
}

# complete_fish LINE...: fish's candidates ("word<TAB>description") for
# each command line LINE in turn.
complete_fish() {
	fish --no-config -c '
		source $argv[1]
		for l in $argv[2..-1]
			complete -C "$l"
		end' "$TOP/completions/qmb.fish" "$@"
}
