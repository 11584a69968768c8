#!/usr/bin/env bats
# Limits and settings (issue 12, point 3): a file over a configured limit
# is an error that names the setting, never damage; repair touches only
# what is proven damaged; every setting and numeric option is checked,
# with an error that names it (exit 2).

load helper/common

# snapshot: the session's files as they are now
snapshot() {
	(cd "$QMB_PROJECT_DIR/.qmb" && find sessions audit -type f ! -name '*.lock' \
	    -exec sha256sum {} + | sort)
}

@test "QMB_MAX_FILE below a session's size: show names the setting, never 'damaged'" {
	new_session
	approve_upto "$id" B
	run --separate-stderr env QMB_MAX_FILE=10 qmb-session show "$id"
	[ "$status" -eq 6 ]
	[[ $stderr == *"bytes, over QMB_MAX_FILE (10 bytes)"* ]]
	[[ $stderr != *damaged* ]]
	[[ $stderr != *repair* ]]
	run --separate-stderr env QMB_MAX_FILE=10 qmb-session set-model "$id" snowflake
	[ "$status" -eq 6 ]
	[[ $stderr == *"over QMB_MAX_FILE"* ]]
	run -0 qmb-session -q show "$id"
}

@test "QMB_MAX_FILE below a session's size: repair and check leave a healthy session alone" {
	local before
	new_session
	approve_upto "$id" C
	before=$(snapshot)
	run --separate-stderr env QMB_MAX_FILE=10 qmb-recover repair "$id"
	[ "$status" -ne 0 ]
	[[ $output$stderr == *"QMB_MAX_FILE"* ]]
	[[ $output$stderr != *lost* ]]
	[ "$(snapshot)" = "$before" ]
	[ -z "$(ls -A "$QMB_PROJECT_DIR/.qmb/corrupt" 2>/dev/null)" ]
	run --separate-stderr env QMB_MAX_FILE=10 qmb-recover check "$id"
	[[ $output$stderr != *damaged* ]]
	[[ $output$stderr != *lost* ]]
	run --separate-stderr env QMB_MAX_FILE=10 qmb-recover repair --all
	[ "$(snapshot)" = "$before" ]
	# with the limit back, all is well
	run -0 qmb-recover check "$id"
	run -0 qmb-audit verify "$id"
}

@test "bad QMB_MAX_FILE values are usage errors naming the setting" {
	local v
	for v in 0 -1 abc 1.5M 10X 100G; do
		run --separate-stderr env QMB_MAX_FILE="$v" qmb-session list
		[ "$status" -eq 2 ] || fail "QMB_MAX_FILE=$v: exit $status"
		[[ $stderr == "qmb-session: QMB_MAX_FILE: bad size '$v'"* ]] ||
		    fail "QMB_MAX_FILE=$v: $stderr"
	done
	run --separate-stderr env QMB_MAX_FILE=abc qmb-audit verify --all
	[ "$status" -eq 2 ]
	[[ $stderr == *QMB_MAX_FILE* ]]
	# the documented syntax
	for v in 1 4096 512K 10M 1G 64G 16MB; do
		run -0 env QMB_MAX_FILE="$v" qmb-session list
	done
}

@test "bad QMB_LOG_LEVEL, QMB_NOW, QMB_SHARED are usage errors naming them" {
	run --separate-stderr env QMB_LOG_LEVEL=bogus qmb-log write -s x1 -l INFO -c c -a a
	[ "$status" -eq 2 ]
	[[ $stderr == *"QMB_LOG_LEVEL: bad level 'bogus'"* ]]
	run -0 env QMB_LOG_LEVEL=warn qmb-session list
	run --separate-stderr env QMB_NOW=yesterday qmb-session new P
	[ "$status" -eq 2 ]
	[[ $stderr == *"QMB_NOW: bad time 'yesterday'"* ]]
	run --separate-stderr env QMB_SHARED=yes qmb-session list
	[ "$status" -eq 2 ]
	[[ $stderr == *"QMB_SHARED"* ]]
	[ ! -d "$QMB_PROJECT_DIR/.qmb/sessions" ]
}

@test "settings in config.json are checked and named" {
	mkdir -p "$QMB_PROJECT_DIR/.qmb"
	printf '{"log_max_size":"1.5M"}\n' >"$QMB_PROJECT_DIR/.qmb/config.json"
	run --separate-stderr qmb-session list
	[ "$status" -eq 2 ]
	[[ $stderr == *"log_max_size"* ]]
	printf '{"log_keep":0}\n' >"$QMB_PROJECT_DIR/.qmb/config.json"
	run -2 qmb-rotate --dry-run
	printf '{"log_keep":"abc"}\n' >"$QMB_PROJECT_DIR/.qmb/config.json"
	run -2 qmb-session list
}

@test "--wait takes decimal seconds only; --user may not be empty" {
	local v
	for v in nan inf 0x10 1e3 -1 '' ' 5' 5s .5 86401; do
		run --separate-stderr qmb-session --wait "$v" list
		[ "$status" -eq 2 ] || fail "--wait '$v': exit $status"
		[[ $stderr == "qmb-session: invalid --wait '$v'"* ]]
	done
	for v in 0 10 0.5 2.25 86400; do
		run -0 qmb-session --wait "$v" list
	done
	run --separate-stderr qmb-session --user '' new P
	[ "$status" -eq 2 ]
	[[ $stderr == *"invalid --user ''"* ]]
	run --separate-stderr qmb-audit --user '' verify --all
	[ "$status" -eq 2 ]
	[ ! -d "$QMB_PROJECT_DIR/.qmb/sessions" ]
}
