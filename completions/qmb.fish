# SPDX-License-Identifier: MIT
# fish completion for the qmb programs.  Each program completes its own
# command line from the description its options and --help come from:
# PROG --complete fish -- WORD... prints what to offer, with descriptions
# (session ids with their project and stage).  Installed as PROG.fish it
# serves PROG; sourced as qmb.fish it serves them all.

function __qmb_complete
    set -l cur (commandline -ct)
    set -l words (commandline -opc) $cur
    set -l out (command $words[1] --complete fish -- $words 2>/dev/null)
    or return
    set -l head (string split -m 1 \t -- $out[1])
    set -l pre $head[2]
    set -e out[1]
    switch $head[1]
        case files
            __fish_complete_path (string replace -- "$pre" '' $cur) |
                string replace -r -- '^' "$pre"
        case dirs
            __fish_complete_directories (string replace -- "$pre" '' $cur) |
                string replace -r -- '^' "$pre"
        case words
            printf '%s\n' $out
    end
end

set -l __qmb_name (basename (status filename) .fish)
if string match -q -- 'qmb-*' $__qmb_name
    complete -c $__qmb_name -f -a '(__qmb_complete)'
else
    for c in qmb-session qmb-log qmb-audit qmb-review qmb-recover qmb-rotate qmb-mcp
        complete -c $c -f -a '(__qmb_complete)'
    end
end
