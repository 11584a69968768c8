# SPDX-License-Identifier: MIT
# fish completion for qmb-review.

# The project folder: -C/--directory on the line, else $QMB_PROJECT_DIR,
# else the nearest folder upward holding .qmb/, else ".".
function __qmb_review_dir
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

# __qmb_review_names SUBDIR: the names of SUBDIR/*.json under .qmb/.
function __qmb_review_names
    set -l d (__qmb_review_dir)
    for f in $d/.qmb/$argv[1]/*.json
        basename $f .json
    end
end

# The command and its operands typed so far, without the options.
function __qmb_review_words
    set -l skip 0
    for w in (commandline -opc)[2..-1]
        if test $skip = 1
            set skip 0
            continue
        end
        switch $w
            case -C --directory --user --wait --model --attempts --timeout --script --key-file --reason
                set skip 1
            case '-?*'
            case '*'
                echo $w
        end
    end
end

# __qmb_review_at N COMMAND...: true when the command is one of COMMAND
# and N operands follow it.
function __qmb_review_at
    set -l n $argv[1]
    set -l words (__qmb_review_words)
    test (count $words) -eq (math $n + 1); or return 1
    contains -- $words[1] $argv[2..-1]
end

function __qmb_review_no_command
    test (count (__qmb_review_words)) -eq 0
end

complete -c qmb-review -f

# Options
complete -c qmb-review -s C -l directory -x -a '(__fish_complete_directories)' -d 'project folder'
complete -c qmb-review -l json -d 'print JSON (JSON Lines for lists)'
complete -c qmb-review -s q -l quiet -d 'print only results'
complete -c qmb-review -s v -l verbose -d 'say more: each attempt, waits, log failures'
complete -c qmb-review -l user -x -d 'who acts'
complete -c qmb-review -l wait -x -d 'seconds to wait for a busy session'
complete -c qmb-review -l model -x -a 'gemini-3.8-flash gemini-3.7-flash gemini-3.6-flash gemini-3.5-flash gemini-3.5-flash-lite gemini-3.1-flash-lite gemini-3.1-pro-preview' -d 'Gemini model'
complete -c qmb-review -l attempts -x -d 'attempts before giving up (1-99)'
complete -c qmb-review -l timeout -x -d 'seconds one attempt may take'
complete -c qmb-review -l no-cache -d 'ask Gemini even when the script was reviewed'
complete -c qmb-review -l script -r -F -d 'review this file instead'
complete -c qmb-review -l key-file -r -F -d 'read the API key from this file'
complete -c qmb-review -l reason -x -d 'why the review is bypassed'
complete -c qmb-review -l all -d 'retry every queued request'
complete -c qmb-review -s h -l help -d 'show the help'
complete -c qmb-review -s V -l version -d 'show the version'

# Commands
complete -c qmb-review -n __qmb_review_no_command -a run -d 'review the script and record the answer'
complete -c qmb-review -n __qmb_review_no_command -a show -d 'the last review of a session'
complete -c qmb-review -n __qmb_review_no_command -a queue -d 'review requests waiting for Gemini'
complete -c qmb-review -n __qmb_review_no_command -a retry -d 'send queued requests again'
complete -c qmb-review -n __qmb_review_no_command -a bypass -d 'approve the script without a review'
complete -c qmb-review -n __qmb_review_no_command -a ping -d 'check that the key and the endpoint work'

# Operands
complete -c qmb-review -n '__qmb_review_at 0 run show bypass' -a '(__qmb_review_names sessions)' -d 'session id'
complete -c qmb-review -n '__qmb_review_at 0 retry' -a '(__qmb_review_names queue/review)' -d 'queued review'
