# SPDX-License-Identifier: MIT
# fish completion for qmb-log.

# The project folder: -C/--directory on the line, else $QMB_PROJECT_DIR,
# else the nearest folder upward holding .qmb/, else ".".
function __qmb_log_dir
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

# Session ids: the session logs and the session states, each once.
function __qmb_log_ids
    set -l d (__qmb_log_dir)
    begin
        for f in $d/.qmb/logs/*.log
            basename $f .log
        end
        for f in $d/.qmb/sessions/*.json
            basename $f .json
        end
    end | string match -v qmb | sort -u
end

# The command and its operands typed so far, without the options.
function __qmb_log_words
    set -l skip 0
    for w in (commandline -opc)[2..-1]
        if test $skip = 1
            set skip 0
            continue
        end
        switch $w
            case -C --directory --user --wait -s --session -l --level -c --component -a --action -S --stage -d --data --details -n --lines --since --until
                set skip 1
            case '-?*'
            case '*'
                echo $w
        end
    end
end

function __qmb_log_no_command
    test (count (__qmb_log_words)) -eq 0
end

function __qmb_log_wants_id
    set -l words (__qmb_log_words)
    test (count $words) -eq 1; and test $words[1] = show
end

complete -c qmb-log -f

# Options
complete -c qmb-log -s C -l directory -x -a '(__fish_complete_directories)' -d 'project folder'
complete -c qmb-log -l json -d 'print raw JSON Lines even on a terminal'
complete -c qmb-log -s q -l quiet -d 'no warnings about skipped lines'
complete -c qmb-log -s v -l verbose -d 'say more'
complete -c qmb-log -l user -x -d 'who writes'
complete -c qmb-log -l wait -x -d 'seconds to wait for a busy log'
complete -c qmb-log -s s -l session -x -a '(__qmb_log_ids)' -d 'the session'
complete -c qmb-log -s l -l level -x -a 'DEBUG INFO WARN ERROR' -d 'level (show: the minimum)'
complete -c qmb-log -s c -l component -x -d 'component'
complete -c qmb-log -s a -l action -x -d 'action'
complete -c qmb-log -s S -l stage -x -a 'A B C D E F' -d 'stage'
complete -c qmb-log -s d -l data -x -d 'a details member KEY=VALUE'
complete -c qmb-log -l details -x -d 'details as a JSON object'
complete -c qmb-log -l stdin -d 'read entries as JSON Lines'
complete -c qmb-log -l global -d 'the global log'
complete -c qmb-log -s f -l follow -d 'keep printing new lines'
complete -c qmb-log -s n -l lines -x -d 'only the last N entries'
complete -c qmb-log -l since -x -a '10m 1h 2h 24h 7d' -d 'entries at or after a time or age'
complete -c qmb-log -l until -x -a '10m 1h 2h 24h 7d' -d 'entries at or before a time or age'
complete -c qmb-log -l rotated -d 'include the rotated files, oldest first'
complete -c qmb-log -l pretty -d 'one aligned line per entry'
complete -c qmb-log -s h -l help -d 'show the help'
complete -c qmb-log -s V -l version -d 'show the version'

# Commands
complete -c qmb-log -n __qmb_log_no_command -a write -d 'append an entry (or JSON Lines from stdin)'
complete -c qmb-log -n __qmb_log_no_command -a show -d 'print a log'

# Operands
complete -c qmb-log -n __qmb_log_wants_id -a '(__qmb_log_ids)' -d 'session id'
