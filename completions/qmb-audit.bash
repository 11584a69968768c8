# SPDX-License-Identifier: MIT
# bash completion for qmb-audit.  Uses no bash-completion helpers, so a
# plain bash can source it:  . completions/qmb-audit.bash

_qmb_audit_cmds='append
show
verify
export
hash'
_qmb_audit_opts='-C
--directory
--json
-q
--quiet
-v
--verbose
--user
--wait
-t
--type
-d
--data
--details
--script
--all
-h
--help
-V
--version'
_qmb_audit_types='session_created
session_resumed
model_type_selected
tables_changed
stage_approved
stage_reverted
review_recorded
review_bypassed
script_approved
session_recovered
session_archived'

# The project folder: -C or --directory on the line, else
# $QMB_PROJECT_DIR, else the nearest folder upward holding .qmb/, else ".".
_qmb_audit_dir() {
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
	[ -z "$d" ] && d=${QMB_PROJECT_DIR:-}
	if [ -z "$d" ]; then
		d=$PWD
		while [ -n "$d" ] && [ ! -d "$d/.qmb" ]; do
			d=${d%/*}
		done
		[ -d "$d/.qmb" ] || d=.
	fi
	printf '%s\n' "$d"
}

# Session ids: live and archived trails, each once.
_qmb_audit_ids() {
	local d f
	d=$(_qmb_audit_dir)
	for f in "$d"/.qmb/audit/*.audit.json \
	    "$d"/.qmb/archive/audit/*.audit.json.gz; do
		[ -f "$f" ] || continue
		f=${f##*/}
		printf '%s\n' "${f%.audit.json*}"
	done | sort -u
}

_qmb_audit_reply() {
	local IFS=$'\n'
	mapfile -t COMPREPLY < <(compgen -W "$1" -- "$2")
}

_qmb_audit_files() {
	compopt -o filenames 2>/dev/null
	mapfile -t COMPREPLY < <(compgen -f -- "$1")
}

# The argument of an option that takes one.
_qmb_audit_optarg() {
	case $1 in
	-C|--directory)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$2")
		;;
	-t|--type) _qmb_audit_reply "$_qmb_audit_types" "$2" ;;
	--script) _qmb_audit_files "$2" ;;
	*) COMPREPLY=() ;;
	esac
}

_qmb_audit() {
	local cur prev i w verb='' skip=0 nargs=0

	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}

	# "--type=note" arrives as "--type" "=" "note" when '=' breaks words.
	if [ "$cur" = "=" ]; then
		_qmb_audit_optarg "$prev" ""
		return 0
	fi
	if [ "$prev" = "=" ] && [ "$COMP_CWORD" -gt 1 ]; then
		_qmb_audit_optarg "${COMP_WORDS[COMP_CWORD - 2]}" "$cur"
		return 0
	fi
	case $prev in
	-C|--directory|--user|--wait|-t|--type|-d|--data|--details|--script)
		_qmb_audit_optarg "$prev" "$cur"
		return 0
		;;
	esac
	case $cur in
	--directory=*|--type=*|--script=*)
		_qmb_audit_optarg "${cur%%=*}" "${cur#*=}"
		local k
		for k in "${!COMPREPLY[@]}"; do
			COMPREPLY[k]=${cur%%=*}=${COMPREPLY[k]}
		done
		return 0
		;;
	-?*)
		_qmb_audit_reply "$_qmb_audit_opts" "$cur"
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
		-C|--directory|--user|--wait|-t|--type|-d|--data|--details|--script)
			skip=1
			continue
			;;
		-?*) continue ;;
		esac
		if [ -z "$verb" ]; then
			verb=$w
		else
			nargs=$((nargs + 1))
		fi
	done
	if [ -z "$verb" ]; then
		_qmb_audit_reply "$_qmb_audit_cmds" "$cur"
		return 0
	fi
	case $verb:$nargs in
	append:0|show:0|verify:0|export:0)
		_qmb_audit_reply "$(_qmb_audit_ids)" "$cur"
		;;
	hash:0) _qmb_audit_files "$cur" ;;
	*) COMPREPLY=() ;;
	esac
	return 0
}

complete -F _qmb_audit qmb-audit
