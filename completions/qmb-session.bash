# SPDX-License-Identifier: MIT
# bash completion for qmb-session.  Uses no bash-completion helpers, so a
# plain bash can source it:  . completions/qmb-session.bash

# Word lists, one word a line.
_qmb_session_cmds='new
start
list
show
resume
approve
revert
set-model
tables
script
export
import
complete
archive'
_qmb_session_opts='-C
--directory
--json
-q
--quiet
-v
--verbose
--user
--wait
--model-type
--resume
--new
--all
--project
--stage
--force
--min-score
-h
--help
-V
--version'
_qmb_session_types='star_schema
snowflake
link_table
concatenated'
_qmb_session_stages='A
B
C
D
E
F'
_qmb_session_tableops='add
remove
set'

# The project folder: -C or --directory on the line, else
# $QMB_PROJECT_DIR, else the nearest folder upward holding .qmb/, else ".".
_qmb_session_dir() {
	local i w d=''
	for ((i = 1; i < ${#COMP_WORDS[@]}; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		-C|--directory)
			d=${COMP_WORDS[i + 1]}
			[ "$d" = "=" ] && d=${COMP_WORDS[i + 2]}
			;;
		--directory=*) d=${w#--directory=} ;;
		-C?*) d=${w#-C} ;;
		esac
	done
	d=${d/#\~/$HOME}
	if [ -z "$d" ]; then
		d=${QMB_PROJECT_DIR:-}
	fi
	if [ -z "$d" ]; then
		d=$PWD
		while [ -n "$d" ] && [ ! -d "$d/.qmb" ]; do
			d=${d%/*}
		done
		[ -d "$d/.qmb" ] || d=.
	fi
	printf '%s\n' "$d"
}

# Session ids: the names of .qmb/sessions/*.json.
_qmb_session_ids() {
	local d f
	d=$(_qmb_session_dir)
	for f in "$d"/.qmb/sessions/*.json; do
		[ -f "$f" ] || continue
		f=${f##*/}
		printf '%s\n' "${f%.json}"
	done
}

# Project names of the saved sessions (the files are written indented).
_qmb_session_projects() {
	local d
	d=$(_qmb_session_dir)
	sed -n 's/^  "project_name": "\(.*\)",$/\1/p' "$d"/.qmb/sessions/*.json \
	    2>/dev/null | sort -u
}

# Set COMPREPLY to the words of $1 (one a line) that start with $2.
_qmb_session_reply() {
	local IFS=$'\n'
	mapfile -t COMPREPLY < <(compgen -W "$1" -- "$2")
}

_qmb_session_files() {
	compopt -o filenames 2>/dev/null
	mapfile -t COMPREPLY < <(compgen -f -- "$1")
}

# The argument of an option that takes one.
_qmb_session_optarg() {
	local cur=$2
	case $1 in
	-C|--directory)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		;;
	--model-type) _qmb_session_reply "$_qmb_session_types" "$cur" ;;
	--stage) _qmb_session_reply "$_qmb_session_stages" "$cur" ;;
	--project) _qmb_session_reply "$(_qmb_session_projects)" "$cur" ;;
	*) COMPREPLY=() ;;
	esac
}

_qmb_session() {
	local cur prev i w verb='' skip=0
	local -a args=()

	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}

	# "--stage=B" arrives as "--stage" "=" "B" when '=' breaks words.
	if [ "$cur" = "=" ]; then
		_qmb_session_optarg "$prev" ""
		return 0
	fi
	if [ "$prev" = "=" ] && [ "$COMP_CWORD" -gt 1 ]; then
		_qmb_session_optarg "${COMP_WORDS[COMP_CWORD - 2]}" "$cur"
		return 0
	fi
	case $prev in
	-C|--directory|--user|--wait|--model-type|--project|--stage|--min-score)
		_qmb_session_optarg "$prev" "$cur"
		return 0
		;;
	esac
	case $cur in
	--directory=*|--model-type=*|--stage=*|--project=*)
		_qmb_session_optarg "${cur%%=*}" "${cur#*=}"
		local k
		for k in "${!COMPREPLY[@]}"; do
			COMPREPLY[k]=${cur%%=*}=${COMPREPLY[k]}
		done
		return 0
		;;
	-?*)
		_qmb_session_reply "$_qmb_session_opts" "$cur"
		return 0
		;;
	esac

	# The command and its operands before the word being completed.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [ "$skip" -gt 0 ]; then
			skip=$((skip - 1))
			[ "$w" = "=" ] && skip=1
			continue
		fi
		case $w in
		-C|--directory|--user|--wait|--model-type|--project|--stage|--min-score)
			skip=1
			continue
			;;
		-?*) continue ;;
		esac
		if [ -z "$verb" ]; then
			verb=$w
		else
			args+=("$w")
		fi
	done
	if [ -z "$verb" ]; then
		_qmb_session_reply "$_qmb_session_cmds" "$cur"
		return 0
	fi

	case $verb:${#args[@]} in
	show:0|resume:0|export:0|archive:0|complete:0|script:0|approve:0|\
	revert:0|set-model:0|tables:0)
		_qmb_session_reply "$(_qmb_session_ids)" "$cur"
		;;
	approve:1|revert:1)
		_qmb_session_reply "$_qmb_session_stages" "$cur"
		;;
	approve:2|import:0)
		_qmb_session_files "$cur"
		;;
	set-model:1)
		_qmb_session_reply "$_qmb_session_types" "$cur"
		;;
	tables:1)
		_qmb_session_reply "$_qmb_session_tableops" "$cur"
		;;
	start:0)
		_qmb_session_reply "$(_qmb_session_projects)" "$cur"
		;;
	esac
	return 0
}

complete -F _qmb_session qmb-session
