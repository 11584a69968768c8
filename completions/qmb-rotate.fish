# SPDX-License-Identifier: MIT
# fish completion for qmb-rotate.

complete -c qmb-rotate -f
complete -c qmb-rotate -s C -l directory -x -a '(__fish_complete_directories)' -d 'project folder'
complete -c qmb-rotate -l json -d 'print each action as a JSON line'
complete -c qmb-rotate -s q -l quiet -d 'print only failures'
complete -c qmb-rotate -s v -l verbose -d 'also say what was left alone'
complete -c qmb-rotate -l user -x -d 'who the audit entries name'
complete -c qmb-rotate -l wait -x -d 'seconds to wait for a busy log or session'
complete -c qmb-rotate -l max-size -x -a '1M 10M 100M' -d 'rotate logs at this size'
complete -c qmb-rotate -l keep -x -a '1 2 5 10' -d 'rotated files kept per log'
complete -c qmb-rotate -l retention -d 'also apply the retention rules'
complete -c qmb-rotate -l dry-run -d 'list what would be done, change nothing'
complete -c qmb-rotate -s h -l help -d 'show the help'
complete -c qmb-rotate -s V -l version -d 'show the version'
