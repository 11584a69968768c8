# SPDX-License-Identifier: MIT
# bash completion for qmb-recover.  Uses no bash-completion helpers, so a
# plain bash can source it:  . completions/qmb-recover.bash

_qmb_recover_cmds='check
repair
migrate
health
report'
_qmb_recover_opts='-C
--directory
--json
-q
--quiet
-v
--verbose
--user
--wait
--all
--dry-run
--from
--since
-h
--help
-V
--version'

# The project folder: -C or --directory on the line, else
# $QMB_PROJECT_DIR, else the nearest folder upward holding .qmb/, else ".".
_qmb_recover_dir() {
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

# Session ids: state files and audit trails, each once.
_qmb_recover_ids() {
	local d f
	d=$(_qmb_recover_dir)
	for f in "$d"/.qmb/sessions/*.json "$d"/.qmb/sessions/*.json.bak \
	    "$d"/.qmb/audit/*.audit.json "$d"/.qmb/archive/*.json; do
		[ -f "$f" ] || continue
		f=${f##*/}
		f=${f%.bak}
		f=${f%.json}
		printf '%s\n' "${f%.audit}"
	done | sort -u
}

_qmb_recover_reply() {
	local IFS=$'\n'
	mapfile -t COMPREPLY < <(compgen -W "$1" -- "$2")
}

_qmb_recover_optarg() {
	case $1 in
	-C|--directory)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$2")
		;;
	--from) _qmb_recover_reply "bak
audit" "$2" ;;
	--since) _qmb_recover_reply "24h
7d
30d" "$2" ;;
	*) COMPREPLY=() ;;
	esac
}

_qmb_recover() {
	local cur prev i w verb='' skip=0 nargs=0

	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
	if [ "$cur" = "=" ]; then
		_qmb_recover_optarg "$prev" ""
		return 0
	fi
	if [ "$prev" = "=" ] && [ "$COMP_CWORD" -gt 1 ]; then
		_qmb_recover_optarg "${COMP_WORDS[COMP_CWORD - 2]}" "$cur"
		return 0
	fi
	case $prev in
	-C|--directory|--user|--wait|--from|--since)
		_qmb_recover_optarg "$prev" "$cur"
		return 0
		;;
	esac
	case $cur in
	--directory=*|--from=*|--since=*)
		_qmb_recover_optarg "${cur%%=*}" "${cur#*=}"
		local k
		for k in "${!COMPREPLY[@]}"; do
			COMPREPLY[k]=${cur%%=*}=${COMPREPLY[k]}
		done
		return 0
		;;
	-?*)
		_qmb_recover_reply "$_qmb_recover_opts" "$cur"
		return 0
		;;
	esac
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [ "$skip" -gt 0 ]; then
			skip=$((skip - 1))
			[ "$w" = "=" ] && skip=1
			continue
		fi
		case $w in
		-C|--directory|--user|--wait|--from|--since)
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
		_qmb_recover_reply "$_qmb_recover_cmds" "$cur"
		return 0
	fi
	case $verb:$nargs in
	check:0|repair:0|migrate:*)
		_qmb_recover_reply "$(_qmb_recover_ids)" "$cur" ;;
	*) COMPREPLY=() ;;
	esac
	return 0
}

complete -F _qmb_recover qmb-recover
