#!/usr/bin/env bats
# Durability of sessions: random kills, concurrent writers, a full disk,
# a failure at every counted I/O operation, planted links, dead lock
# holders, readers during saves.  See DESIGN 2.1 and 2.3.

load helper/common
load helper/durability

teardown() {
	release_lock
	if mountpoint -q "$BATS_TEST_TMPDIR/mnt" 2>/dev/null; then
		umount "$BATS_TEST_TMPDIR/mnt" || umount -l "$BATS_TEST_TMPDIR/mnt"
	fi
}

# part FILE TEXT: write a script part
part() {
	printf '%s_Table:\nLOAD * FROM [lib://data/%s.qvd] (qvd);\n' "$2" "$2" >"$1"
}

# ---- 1. crash loop ----------------------------------------------------

@test "crash loop: SIGKILL at random moments loses no acknowledged change" {
	local kills=200 sf af kv
	local -A r=()
	is_asan && kills=40
	new_session
	sf=$(sess_file "$id")
	af=$(audit_file "$id")
	# the checks after each kill are in the helper (see its header)
	run -0 --separate-stderr crashloop.sh "$id" "$kills" "$BATS_TEST_TMPDIR/crash"
	[ -z "$stderr" ]
	for kv in $output; do r[${kv%%=*}]=${kv#*=}; done
	echo "# crash loop: ${r[kills]} kills in ${r[ms]} ms: ${r[acked]} acknowledged commands, ${r[inflight]} in flight (${r[applied]} took effect, ${r[rolled]} of them rolled forward from the audit), ${r[torn]} torn audit tails, ${r[stale]} stale .tmp files" >&3
	[ "${r[kills]}" -eq "$kills" ]
	# every fragment cut off the trail was kept, the whole trail verifies
	[ "$(find "$QMB_PROJECT_DIR/.qmb" -name '*.torn-*' | wc -l)" -eq "${r[torn]}" ]
	[ "$(audit_verify "$af")" = "$(jq -r .audit_hash "$sf")" ]
	# enough happened for the kills to mean something
	[ "${r[acked]}" -ge "$kills" ]
	[ "${r[inflight]}" -ge $((kills / 4)) ]
	[ "${r[applied]}" -ge 1 ]
}
