# SPDX-License-Identifier: MIT
# fish completion for qmb-recover.

# The project folder: -C/--directory on the line, else $QMB_PROJECT_DIR,
# else the nearest folder upward holding .qmb/, else ".".
function __qmb_recover_dir
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

function __qmb_recover_ids
    set -l d (__qmb_recover_dir)
    begin
        for f in $d/.qmb/sessions/*.json
            basename $f .json
        end
        for f in $d/.qmb/audit/*.audit.json
            basename $f .audit.json
        end
        for f in $d/.qmb/archive/*.json
            basename $f .json
        end
    end | sort -u
end

# The command and its operands typed so far, without the options.
function __qmb_recover_words
    set -l skip 0
    for w in (commandline -opc)[2..-1]
        if test $skip = 1
            set skip 0
            continue
        end
        switch $w
            case -C --directory --user --wait --from --since
                set skip 1
            case '-?*'
            case '*'
                echo $w
        end
    end
end

function __qmb_recover_no_command
    test (count (__qmb_recover_words)) -eq 0
end

function __qmb_recover_wants_id
    set -l words (__qmb_recover_words)
    test (count $words) -eq 1; and contains -- $words[1] check repair
    or contains -- $words[1] migrate
end

complete -c qmb-recover -f

# Options
complete -c qmb-recover -s C -l directory -x -a '(__fish_complete_directories)' -d 'project folder'
complete -c qmb-recover -l json -d 'print JSON (JSON Lines for lists)'
complete -c qmb-recover -s q -l quiet -d 'print only problems'
complete -c qmb-recover -s v -l verbose -d 'say more'
complete -c qmb-recover -l user -x -d 'who repairs'
complete -c qmb-recover -l wait -x -d 'seconds to wait for a busy session'
complete -c qmb-recover -l all -d 'every session'
complete -c qmb-recover -l dry-run -d 'say what would be done, change nothing'
complete -c qmb-recover -l from -x -a 'bak audit' -d 'where repair takes the state from'
complete -c qmb-recover -l since -x -a '24h 7d 30d' -d 'report from this time'
complete -c qmb-recover -s h -l help -d 'show the help'
complete -c qmb-recover -s V -l version -d 'show the version'

# Commands
complete -c qmb-recover -n __qmb_recover_no_command -a check -d 'classify sessions and list what is wrong'
complete -c qmb-recover -n __qmb_recover_no_command -a repair -d 'repair a session or all of them'
complete -c qmb-recover -n __qmb_recover_no_command -a migrate -d 'convert sessions of the TypeScript tool in place'
complete -c qmb-recover -n __qmb_recover_no_command -a health -d 'disk space, log sizes, idle sessions, Gemini failures'
complete -c qmb-recover -n __qmb_recover_no_command -a report -d 'recovery metrics of the last 7 days'

# Operands
complete -c qmb-recover -n __qmb_recover_wants_id -a '(__qmb_recover_ids)' -d 'session id'
