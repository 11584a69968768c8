# SPDX-License-Identifier: MIT
# bash completion for qmb-review.  Uses no bash-completion helpers, so a
# plain bash can source it:  . completions/qmb-review.bash

# Word lists, one word a line.
_qmb_review_cmds='run
show
queue
retry
bypass
ping'
_qmb_review_opts='-C
--directory
--json
-q
--quiet
-v
--verbose
--user
--wait
--model
--attempts
--timeout
--no-cache
--script
--key-file
--reason
--all
-h
--help
-V
--version'
_qmb_review_models='gemini-3.8-flash
gemini-3.7-flash
gemini-3.6-flash
gemini-3.5-flash
gemini-3.5-flash-lite
gemini-3.1-flash-lite
gemini-3.1-pro-preview'

# The project folder: -C or --directory on the line, else
# $QMB_PROJECT_DIR, else the nearest folder upward holding .qmb/, else ".".
_qmb_review_dir() {
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

# _qmb_review_names SUBDIR: the names of SUBDIR/*.json under .qmb/.
_qmb_review_names() {
	local d f
	d=$(_qmb_review_dir)
	for f in "$d"/.qmb/"$1"/*.json; do
		[ -f "$f" ] || continue
		f=${f##*/}
		printf '%s\n' "${f%.json}"
	done
}

# Set COMPREPLY to the words of $1 (one a line) that start with $2.
_qmb_review_reply() {
	local IFS=$'\n'
	mapfile -t COMPREPLY < <(compgen -W "$1" -- "$2")
}

# The argument of an option that takes one.
_qmb_review_optarg() {
	local cur=$2
	case $1 in
	-C|--directory)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		;;
	--script|--key-file)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		;;
	--model) _qmb_review_reply "$_qmb_review_models" "$cur" ;;
	*) COMPREPLY=() ;;
	esac
}

_qmb_review() {
	local cur prev i w verb='' skip=0 n=0
	local withargs='-C|--directory|--user|--wait|--model|--attempts|--timeout|--script|--key-file|--reason'

	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}

	# "--model=x" arrives as "--model" "=" "x" when '=' breaks words.
	if [ "$cur" = "=" ]; then
		_qmb_review_optarg "$prev" ""
		return 0
	fi
	if [ "$prev" = "=" ] && [ "$COMP_CWORD" -gt 1 ]; then
		_qmb_review_optarg "${COMP_WORDS[COMP_CWORD - 2]}" "$cur"
		return 0
	fi
	if [[ $prev == @($withargs) ]]; then
		_qmb_review_optarg "$prev" "$cur"
		return 0
	fi
	case $cur in
	--directory=*|--model=*|--script=*|--key-file=*)
		_qmb_review_optarg "${cur%%=*}" "${cur#*=}"
		local k
		for k in "${!COMPREPLY[@]}"; do
			COMPREPLY[k]=${cur%%=*}=${COMPREPLY[k]}
		done
		return 0
		;;
	-?*)
		_qmb_review_reply "$_qmb_review_opts" "$cur"
		return 0
		;;
	esac

	# The command and the number of its operands before the current word.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [ "$skip" -gt 0 ]; then
			skip=$((skip - 1))
			[ "$w" = "=" ] && skip=1
			continue
		fi
		if [[ $w == @($withargs) ]]; then
			skip=1
			continue
		fi
		case $w in
		-?*) continue ;;
		esac
		if [ -z "$verb" ]; then
			verb=$w
		else
			n=$((n + 1))
		fi
	done
	if [ -z "$verb" ]; then
		_qmb_review_reply "$_qmb_review_cmds" "$cur"
		return 0
	fi
	case $verb:$n in
	run:0|show:0|bypass:0)
		_qmb_review_reply "$(_qmb_review_names sessions)" "$cur"
		;;
	retry:0)
		_qmb_review_reply "$(_qmb_review_names queue/review)" "$cur"
		;;
	esac
	return 0
}

complete -F _qmb_review qmb-review
