# SPDX-License-Identifier: MIT
# bash completion for qmb-rotate.  Uses no bash-completion helpers, so a
# plain bash can source it:  . completions/qmb-rotate.bash

_qmb_rotate_opts='-C
--directory
--json
-q
--quiet
-v
--verbose
--user
--wait
--max-size
--keep
--retention
--dry-run
-h
--help
-V
--version'

_qmb_rotate() {
	local cur prev opt IFS=$'\n'

	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
	opt=$prev
	if [ "$cur" = "=" ]; then
		cur=
	elif [ "$prev" = "=" ] && [ "$COMP_CWORD" -gt 1 ]; then
		opt=${COMP_WORDS[COMP_CWORD - 2]}
	fi
	case $opt in
	-C|--directory)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return 0
		;;
	--max-size)
		mapfile -t COMPREPLY < <(compgen -W "1M
10M
100M" -- "$cur")
		return 0
		;;
	--keep)
		mapfile -t COMPREPLY < <(compgen -W "1
2
5
10" -- "$cur")
		return 0
		;;
	--user|--wait)
		return 0
		;;
	esac
	mapfile -t COMPREPLY < <(compgen -W "$_qmb_rotate_opts" -- "$cur")
	return 0
}

complete -F _qmb_rotate qmb-rotate
