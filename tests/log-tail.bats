#!/usr/bin/env bats
# A log that does not end in a newline (a torn last line, a fragment
# appended by hand, a huge line without its end): the next writer starts
# its line with a newline, so its entry stands on its own, and the
# fragment stays a fragment that readers skip with a warning.

load helper/common

@test "session log ending in a fragment: the next entry is a line of its own" {
	local lf
	new_session
	lf=$(log_file "$id")
	printf '{"timestamp":"2026-12' >>"$lf"
	run -0 qmb-log write -s "$id" -l INFO -c test -a after_fragment
	# the fragment is a line by itself, the new entry the last line
	[ "$(tail -n 2 "$lf" | head -n 1)" = '{"timestamp":"2026-12' ]
	[ "$(tail -n 1 "$lf" | jq -r .action)" = after_fragment ]
	[ "$(tail -c 1 "$lf" | od -An -tx1 | tr -d ' \n')" = 0a ]
	# readers skip the fragment and say so
	run -0 --separate-stderr qmb-log show "$id" --json
	[[ ${lines[-1]} == *after_fragment* ]]
	[[ $stderr == *"skipped"*"invalid line"* ]]
	# a change's log line goes after it too
	run -0 qmb-session -q set-model "$id" star_schema
	[ "$(tail -n 1 "$lf" | jq -r .action)" = model_type_selected ]
}

@test "global log ending in a fragment: a WARN lands on a line of its own" {
	local gl
	new_session
	gl=$QMB_PROJECT_DIR/.qmb/logs/qmb.log
	qmb-log write -s "$id" -l WARN -c test -a first_warning
	printf '{"timestamp":"2026-12-04T1' >>"$gl"
	run -0 qmb-log write -s "$id" -l WARN -c test -a second_warning
	[ "$(tail -n 1 "$gl" | jq -r .action)" = second_warning ]
	[ "$(tail -n 2 "$gl" | head -n 1)" = '{"timestamp":"2026-12-04T1' ]
	run -0 --separate-stderr qmb-log show --global -a second_warning
	[[ $output == *second_warning* ]]
}

@test "a 1 GB line without its newline does not swallow the next entry" {
	local lf
	new_session
	lf=$(log_file "$id")
	# sparse: a gigabyte of NUL bytes that takes no room
	truncate -s 1G "$lf"
	QMB_LOG_MAX_SIZE=2G run -0 qmb-log write -s "$id" -l INFO -c test -a after_huge
	[ "$(tail -c 4096 "$lf" | tail -n 1 | jq -r .action)" = after_huge ]
	[ "$(stat -c %s "$lf")" -gt $((1 << 30)) ]
}
