# SPDX-License-Identifier: MIT
# fish completion for qmb-session.

# The project folder: -C/--directory on the line, else $QMB_PROJECT_DIR,
# else the nearest folder upward holding .qmb/, else ".".
function __qmb_session_dir
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

function __qmb_session_ids
    set -l d (__qmb_session_dir)
    for f in $d/.qmb/sessions/*.json
        basename $f .json
    end
end

function __qmb_session_projects
    set -l d (__qmb_session_dir)
    for f in $d/.qmb/sessions/*.json
        string match -r -g '^  "project_name": "(.*)",$' <$f
    end | sort -u
end

# The command and its operands typed so far, without the options.
function __qmb_session_words
    set -l skip 0
    for w in (commandline -opc)[2..-1]
        if test $skip = 1
            set skip 0
            continue
        end
        switch $w
            case -C --directory --user --wait --model-type --project --stage --min-score
                set skip 1
            case '-?*'
            case '*'
                echo $w
        end
    end
end

# __qmb_session_at N COMMAND...: true when the command is one of COMMAND
# and N operands follow it.
function __qmb_session_at
    set -l n $argv[1]
    set -l words (__qmb_session_words)
    test (count $words) -eq (math $n + 1); or return 1
    contains -- $words[1] $argv[2..-1]
end

function __qmb_session_no_command
    test (count (__qmb_session_words)) -eq 0
end

complete -c qmb-session -f

# Options
complete -c qmb-session -s C -l directory -x -a '(__fish_complete_directories)' -d 'project folder'
complete -c qmb-session -l json -d 'print JSON (JSON Lines for lists)'
complete -c qmb-session -s q -l quiet -d 'print only results'
complete -c qmb-session -s v -l verbose -d 'say more, including log failures'
complete -c qmb-session -l user -x -d 'who acts'
complete -c qmb-session -l wait -x -d 'seconds to wait for a busy session'
complete -c qmb-session -l model-type -x -a 'star_schema snowflake link_table concatenated' -d 'model type'
complete -c qmb-session -l resume -d 'continue the saved session'
complete -c qmb-session -l new -d 'archive the saved session and start over'
complete -c qmb-session -l all -d 'list completed sessions too'
complete -c qmb-session -l project -x -a '(__qmb_session_projects)' -d 'only this project'
complete -c qmb-session -l stage -x -a 'A B C D E F' -d 'only this stage'
complete -c qmb-session -l force -d 'import over an existing session'
complete -c qmb-session -l min-score -x -d 'lowest review score accepted (0-100)'
complete -c qmb-session -s h -l help -d 'show the help'
complete -c qmb-session -s V -l version -d 'show the version'

# Commands
complete -c qmb-session -n __qmb_session_no_command -a new -d 'create a session, print its id'
complete -c qmb-session -n __qmb_session_no_command -a start -d 'continue a saved session or start one'
complete -c qmb-session -n __qmb_session_no_command -a list -d 'saved sessions, newest first'
complete -c qmb-session -n __qmb_session_no_command -a show -d 'stages, tables and reviews of a session'
complete -c qmb-session -n __qmb_session_no_command -a resume -d 'restore a session and say where it stands'
complete -c qmb-session -n __qmb_session_no_command -a approve -d 'approve the script part of a stage'
complete -c qmb-session -n __qmb_session_no_command -a revert -d 'withdraw approval of a stage and later ones'
complete -c qmb-session -n __qmb_session_no_command -a set-model -d 'choose the model type'
complete -c qmb-session -n __qmb_session_no_command -a tables -d 'show or change the pending tables'
complete -c qmb-session -n __qmb_session_no_command -a script -d 'print the approved script'
complete -c qmb-session -n __qmb_session_no_command -a export -d 'print the session as JSON'
complete -c qmb-session -n __qmb_session_no_command -a import -d 'load an exported session'
complete -c qmb-session -n __qmb_session_no_command -a complete -d 'finish: write stage2_output/'
complete -c qmb-session -n __qmb_session_no_command -a archive -d 'move a session to .qmb/archive/'

# Operands
complete -c qmb-session -n '__qmb_session_at 0 show resume export archive complete script approve revert set-model tables' -a '(__qmb_session_ids)' -d 'session id'
complete -c qmb-session -n '__qmb_session_at 1 approve revert' -a 'A B C D E F' -d 'stage'
complete -c qmb-session -n '__qmb_session_at 2 approve' -F
complete -c qmb-session -n '__qmb_session_at 0 import' -F
complete -c qmb-session -n '__qmb_session_at 1 set-model' -a 'star_schema snowflake link_table concatenated' -d 'model type'
complete -c qmb-session -n '__qmb_session_at 1 tables' -a 'add remove set' -d 'operation'
complete -c qmb-session -n '__qmb_session_at 0 start' -a '(__qmb_session_projects)' -d 'project'
