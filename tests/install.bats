#!/usr/bin/env bats
# make install's crontab and systemd units: the installed paths are in
# them, the cron lines run quietly with the crontab's PATH, and
# systemd-analyze verify accepts the units for a project folder.

load helper/common

setup() {
	prefix="$BATS_TEST_TMPDIR/prefix"
	# everything but the programs (install-data builds nothing); the
	# programs under test stand in for the installed ones
	run --separate-stderr make -s -C "$TOP" install-data PREFIX="$prefix"
	[ "$status" -eq 0 ] || fail "make install-data: $stderr"
	mkdir -p "$prefix/bin"
	local p
	for p in qmb-session qmb-log qmb-audit qmb-review qmb-recover qmb-rotate qmb-mcp; do
		ln -s "$TOP/$p" "$prefix/bin/$p"
	done
	units="$prefix/lib/systemd/user"
	cron="$prefix/share/qmb/qmb.cron"
}

@test "install: the units and the crontab name the installed programs" {
	local f n=0
	[ -f "$cron" ]
	! grep -rn '@[A-Z]*@' "$units" "$cron" || fail "a placeholder is left"
	grep -qx "PATH=$prefix/bin:/usr/bin:/bin" "$cron" || fail "no PATH= line in qmb.cron"
	for f in rotate retention review-retry health; do
		[ -f "$units/qmb-$f@.service" ] || fail "no qmb-$f@.service"
		[ -f "$units/qmb-$f@.timer" ] || fail "no qmb-$f@.timer"
		grep -q "^ExecStart=$prefix/bin/qmb-[a-z]* -C \"%f\"" "$units/qmb-$f@.service" ||
			fail "qmb-$f@.service does not run an installed program on %f"
		n=$((n + 1))
	done
	[ "$n" -eq 4 ]
	run -0 make -s -C "$TOP" uninstall PREFIX="$prefix"
	[ -z "$(find "$units" "$prefix/share/qmb" -type f 2>/dev/null)" ] || fail "uninstall left files"
}

@test "install: each cron line runs quietly with the crontab's PATH, -q" {
	local home=$BATS_TEST_TMPDIR/home line cmd path n=0
	mkdir -p "$home/qlik" "$home/.config/qmb"
	new_session SalesModel
	approve_upto "$id" C
	mv "$QMB_PROJECT_DIR" "$home/qlik/SalesModel"
	path=$(sed -n 's/^PATH=//p' "$cron")
	while read -r line; do
		case $line in ''|'#'*|[A-Za-z_]*=*) continue ;; esac
		n=$((n + 1))
		cmd=$(awk '{ for (i = 6; i <= NF; i++) printf "%s%s", $i, (i < NF ? " " : "") }' <<<"$line")
		[[ $cmd == qmb-*' -q -C "$HOME/qlik/SalesModel"'* ]] || fail "not quiet: $cmd"
		# as cron runs it: sh, HOME and the crontab's PATH
		run --separate-stderr env -i HOME="$home" PATH="$path" sh -c "$cmd"
		[ "$status" -eq 0 ] || fail "exit $status: $cmd: $stderr"
		[ -z "$output$stderr" ] || fail "not silent: $cmd: $output$stderr"
	done <"$cron"
	[ "$n" -eq 4 ]
	# the nightly retention ran: its rotate.lock is there
	[ -f "$home/qlik/SalesModel/.qmb/rotate.lock" ]
}

@test "install: systemd-analyze verify accepts the units of a project folder" {
	command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed"
	local dir="$BATS_TEST_TMPDIR/qlik/Sales Model" inst u list=
	mkdir -p "$dir"
	inst=$(systemd-escape --path "$dir")
	[ "$(systemd-escape --unescape --path "$inst")" = "$dir" ]
	for u in rotate retention review-retry health; do
		list="$list qmb-$u@.service qmb-$u@.timer qmb-$u@$inst.service qmb-$u@$inst.timer"
	done
	cd "$units"
	# shellcheck disable=SC2086 # unit names have no spaces once escaped
	run --separate-stderr timeout 60 systemd-analyze verify --man=no $list
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ -z "$stderr" ] || fail "$stderr"
	# it can fail: an ExecStart that is not installed
	sed -i 's|^ExecStart=[^ ]*/|ExecStart=/nonexistent/|' qmb-health@.service
	run --separate-stderr timeout 60 systemd-analyze verify --man=no qmb-health@.service
	[[ $stderr == *"/nonexistent/qmb-recover"*"not executable"* ]] || fail "$stderr"
}
