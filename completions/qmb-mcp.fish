# SPDX-License-Identifier: MIT
# fish completion for qmb-mcp.

complete -c qmb-mcp -f
complete -c qmb-mcp -s C -l directory -r -a '(__fish_complete_directories)' -d 'Project folder'
complete -c qmb-mcp -s v -l verbose -d 'Name each message on standard error'
complete -c qmb-mcp -s h -l help -d 'Show the help'
complete -c qmb-mcp -s V -l version -d 'Show the version'
