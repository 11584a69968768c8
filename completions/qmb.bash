# SPDX-License-Identifier: MIT
# bash completion for the qmb programs.  Each program completes its own
# command line from the description its options and --help come from:
# PROG --complete bash -- WORD... prints what to offer.  Uses no
# bash-completion helpers, so a plain bash can source it:
#     . completions/qmb.bash
# make install puts it where bash-completion looks, under each name.

_qmb() {
	local cur=${COMP_WORDS[COMP_CWORD]} out head kind pre flag=-f

	COMPREPLY=()
	out=$("${COMP_WORDS[0]}" --complete bash -- \
	    "${COMP_WORDS[@]:0:COMP_CWORD+1}" 2>/dev/null) || return 0
	head=${out%%$'\n'*}
	kind=${head%%$'\t'*}
	pre=${head#*$'\t'}
	# "--stage=" arrives as "--stage" "=" when '=' breaks words
	[ "$cur" = "=" ] && cur=
	case $kind in
	files|dirs)
		[ "$kind" = dirs ] && flag=-d
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen "$flag" -P "$pre" -- "${cur#"$pre"}")
		;;
	words)
		[ "$out" = "$head" ] && return 0
		mapfile -t COMPREPLY <<<"${out#*$'\n'}"
		;;
	esac
	return 0
}

complete -F _qmb qmb-session qmb-log qmb-audit qmb-review qmb-recover \
    qmb-rotate qmb-mcp
