# SPDX-License-Identifier: MIT
# bash completion for qmb-mcp.  Uses no bash-completion helpers, so a
# plain bash can source it:  . completions/qmb-mcp.bash

_qmb_mcp_opts='-C
--directory
-v
--verbose
-h
--help
-V
--version'

_qmb_mcp() {
	local cur prev

	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
	# "--directory=DIR" arrives as "--directory" "=" "DIR" when '=' breaks words
	if [ "$prev" = "=" ] && [ "$COMP_CWORD" -gt 1 ]; then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	elif [ "$cur" = "=" ]; then
		cur=
	fi
	case $prev in
	-C|--directory)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return 0
		;;
	esac
	case $cur in
	--directory=*)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -P --directory= -- "${cur#*=}")
		;;
	*)
		local IFS=$'\n'
		mapfile -t COMPREPLY < <(compgen -W "$_qmb_mcp_opts" -- "$cur")
		;;
	esac
	return 0
}

complete -F _qmb_mcp qmb-mcp
