# SPDX-License-Identifier: MIT
# bash completion for qmb-log.  Uses no bash-completion helpers, so a
# plain bash can source it:  . completions/qmb-log.bash

_qmb_log_cmds='write
show'
_qmb_log_opts='-C
--directory
--json
-q
--quiet
-v
--verbose
--user
--wait
-s
--session
-l
--level
-c
--component
-a
--action
-S
--stage
-d
--data
--details
--stdin
--global
-f
--follow
-n
--lines
--since
--until
--rotated
--pretty
-h
--help
-V
--version'
_qmb_log_levels='DEBUG
INFO
WARN
ERROR'
_qmb_log_stages='A
B
C
D
E
F'
_qmb_log_ages='10m
1h
2h
24h
7d'

# The project folder: -C or --directory on the line, else
# $QMB_PROJECT_DIR, else the nearest folder upward holding .qmb/, else ".".
_qmb_log_dir() {
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

# Session ids: the session logs and the session states, each once.
_qmb_log_ids() {
	local d f
	d=$(_qmb_log_dir)
	for f in "$d"/.qmb/logs/*.log "$d"/.qmb/sessions/*.json; do
		[ -f "$f" ] || continue
		f=${f##*/}
		f=${f%.json}
		f=${f%.log}
		[ "$f" = qmb ] || printf '%s\n' "$f"
	done | sort -u
}

_qmb_log_reply() {
	local IFS=$'\n'
	mapfile -t COMPREPLY < <(compgen -W "$1" -- "$2")
}

# The argument of an option that takes one.
_qmb_log_optarg() {
	case $1 in
	-C|--directory)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$2")
		;;
	-s|--session) _qmb_log_reply "$(_qmb_log_ids)" "$2" ;;
	-l|--level) _qmb_log_reply "$_qmb_log_levels" "$2" ;;
	-S|--stage) _qmb_log_reply "$_qmb_log_stages" "$2" ;;
	--since|--until) _qmb_log_reply "$_qmb_log_ages" "$2" ;;
	*) COMPREPLY=() ;;
	esac
}

_qmb_log() {
	local cur prev i w verb='' skip=0 nargs=0

	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}

	# "--level=WARN" arrives as "--level" "=" "WARN" when '=' breaks words.
	if [ "$cur" = "=" ]; then
		_qmb_log_optarg "$prev" ""
		return 0
	fi
	if [ "$prev" = "=" ] && [ "$COMP_CWORD" -gt 1 ]; then
		_qmb_log_optarg "${COMP_WORDS[COMP_CWORD - 2]}" "$cur"
		return 0
	fi
	case $prev in
	-C|--directory|--user|--wait|-s|--session|-l|--level|-c|--component|\
	-a|--action|-S|--stage|-d|--data|--details|-n|--lines|--since|--until)
		_qmb_log_optarg "$prev" "$cur"
		return 0
		;;
	esac
	case $cur in
	--directory=*|--session=*|--level=*|--stage=*|--since=*|--until=*)
		_qmb_log_optarg "${cur%%=*}" "${cur#*=}"
		local k
		for k in "${!COMPREPLY[@]}"; do
			COMPREPLY[k]=${cur%%=*}=${COMPREPLY[k]}
		done
		return 0
		;;
	-?*)
		_qmb_log_reply "$_qmb_log_opts" "$cur"
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
		-C|--directory|--user|--wait|-s|--session|-l|--level|-c|\
		--component|-a|--action|-S|--stage|-d|--data|--details|-n|\
		--lines|--since|--until)
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
		_qmb_log_reply "$_qmb_log_cmds" "$cur"
		return 0
	fi
	case $verb:$nargs in
	show:0) _qmb_log_reply "$(_qmb_log_ids)" "$cur" ;;
	*) COMPREPLY=() ;;
	esac
	return 0
}

complete -F _qmb_log qmb-log
