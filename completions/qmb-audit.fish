# SPDX-License-Identifier: MIT
# fish completion for qmb-audit.

# The project folder: -C/--directory on the line, else $QMB_PROJECT_DIR,
# else the nearest folder upward holding .qmb/, else ".".
function __qmb_audit_dir
    set -l tokens (commandline -opc)
    set -l d
    set -l next 0
    for w in $tokens[2..-1]
        if test $next = 1
            set d $w
            set next 0
            continue
        end
        switch $w
            case -C --directory
                set next 1
            case '--directory=*'
                set d (string replace -- '--directory=' '' $w)
            case '-C?*'
                set d (string sub -s 3 -- $w)
        end
    end
    if test -z "$d"; and set -q QMB_PROJECT_DIR
        set d $QMB_PROJECT_DIR
    end
    if test -z "$d"
        set d $PWD
        while test -n "$d"; and not test -d "$d/.qmb"
            set d (string replace -r '/[^/]*$' '' -- $d)
        end
        test -d "$d/.qmb"; or set d .
    end
    echo $d
end

# Session ids: live and archived trails, each once.
function __qmb_audit_ids
    set -l d (__qmb_audit_dir)
    begin
        for f in $d/.qmb/audit/*.audit.json
            basename $f .audit.json
        end
        for f in $d/.qmb/archive/audit/*.audit.json.gz
            basename $f .audit.json.gz
        end
    end | sort -u
end

# The command and its operands typed so far, without the options.
function __qmb_audit_words
    set -l skip 0
    for w in (commandline -opc)[2..-1]
        if test $skip = 1
            set skip 0
            continue
        end
        switch $w
            case -C --directory --user --wait -t --type -d --data --details --script
                set skip 1
            case '-?*'
            case '*'
                echo $w
        end
    end
end

function __qmb_audit_no_command
    test (count (__qmb_audit_words)) -eq 0
end

# __qmb_audit_at N COMMAND...: true when the command is one of COMMAND
# and N operands follow it.
function __qmb_audit_at
    set -l n $argv[1]
    set -l words (__qmb_audit_words)
    test (count $words) -eq (math $n + 1); or return 1
    contains -- $words[1] $argv[2..-1]
end

complete -c qmb-audit -f

# Options
complete -c qmb-audit -s C -l directory -x -a '(__fish_complete_directories)' -d 'project folder'
complete -c qmb-audit -l json -d 'print JSON (JSON Lines for lists)'
complete -c qmb-audit -s q -l quiet -d 'print only results'
complete -c qmb-audit -s v -l verbose -d 'say more'
complete -c qmb-audit -l user -x -d 'who appends'
complete -c qmb-audit -l wait -x -d 'seconds to wait for a busy session'
complete -c qmb-audit -s t -l type -x -a 'session_created session_resumed model_type_selected tables_changed stage_approved stage_reverted review_recorded review_bypassed script_approved session_recovered session_archived' -d 'entry type'
complete -c qmb-audit -s d -l data -x -d 'a details member KEY=VALUE'
complete -c qmb-audit -l details -x -d 'details as a JSON object'
complete -c qmb-audit -l script -r -F -d 'add a file and its SHA-256'
complete -c qmb-audit -l all -d 'verify every trail'
complete -c qmb-audit -s h -l help -d 'show the help'
complete -c qmb-audit -s V -l version -d 'show the version'

# Commands
complete -c qmb-audit -n __qmb_audit_no_command -a append -d 'add an entry to a trail'
complete -c qmb-audit -n __qmb_audit_no_command -a show -d 'list the entries of a trail'
complete -c qmb-audit -n __qmb_audit_no_command -a verify -d 'check hashes, links, seq and times'
complete -c qmb-audit -n __qmb_audit_no_command -a export -d 'the trail and a summary anyone can re-verify'
complete -c qmb-audit -n __qmb_audit_no_command -a hash -d 'the SHA-256 of a file or stdin'

# Operands
complete -c qmb-audit -n '__qmb_audit_at 0 append show verify export' -a '(__qmb_audit_ids)' -d 'session id'
complete -c qmb-audit -n '__qmb_audit_at 0 hash' -F
