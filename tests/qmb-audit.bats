#!/usr/bin/env bats
# qmb-audit through the real binary: append, show, hash, export (and its
# re-verification with jq and sha256sum), verify of every kind of damage,
# a tamper loop, the audit mirror and .gz archives.
load helper/common

ZERO=0000000000000000000000000000000000000000000000000000000000000000

# ---- helpers -------------------------------------------------------------

# rechain FILE: recompute every prev and hash of FILE, the way qmb does,
# so that only the damage a test makes on purpose is left
rechain() {
	local f=$1 prev=$ZERO line h out=$BATS_TEST_TMPDIR/rechain.tmp
	: >"$out"
	while IFS= read -r line; do
		line=$(jq -c --arg p "$prev" 'del(.hash) | .prev = $p' <<<"$line")
		h=$(printf '%s' "$line" | sha256sum | cut -c1-64)
		printf '%s\n' "${line%\}},\"hash\":\"$h\"}" >>"$out"
		prev=$h
	done <"$f"
	cat "$out" >"$f"
}

# trail ID: a session with three stages, tables, a note with escapes
trail() {
	new_session SalesModel || return 1
	approve_upto "$id" C || return 1
	qmb-session tables "$id" add 'FACT_Ümlaut' 'FACT "Q"' >/dev/null || return 1
	qmb-audit append "$id" -t note -d 'msg=tab	quote " slash \ é' \
	    -d n=-3 -d ok=true >/dev/null
}

types() { jq -r .type "$(audit_file "$1")" | tr '\n' ' ' | sed 's/ $//'; }

# byte FILE POS: the decimal value of the byte at POS (0-based)
byte() { od -An -tu1 -j "$2" -N 1 "$1" | tr -d ' '; }

# put FILE POS VALUE [delete|insert|replace]: write a changed copy to
# $BATS_TEST_TMPDIR/changed
put() {
	local f=$1 p=$2 v=$3 how=$4 out=$BATS_TEST_TMPDIR/changed
	{
		head -c "$p" "$f"
		[ "$how" = delete ] || printf "\\$(printf %03o "$v")"
		if [ "$how" = insert ]; then
			tail -c +$((p + 1)) "$f"
		else
			tail -c +$((p + 2)) "$f"
		fi
	} >"$out"
}

# ---- append --------------------------------------------------------------

@test "append: an entry of any type, typed details, chained to the last" {
	trail
	run -0 --separate-stderr qmb-audit append "$id" -t data_checked \
	    -d rows=5000 -d ok=false -d who=null -d table=FACT_Orders \
	    --details '{"checks":{"nulls":0,"keys":["OrderID"]}}'
	assert_output "Appended entry 7 (data_checked) to the audit trail of $id."
	[ -z "$stderr" ]
	run -0 bash -c "tail -n 1 '$(audit_file "$id")' | jq -c '[.seq, .type, .user_id, .details]'"
	assert_output '[7,"data_checked","tester@example.com",{"checks":{"nulls":0,"keys":["OrderID"]},"rows":5000,"ok":false,"who":null,"table":"FACT_Orders"}]'
	run -0 bash -c "sed -n 6p '$(audit_file "$id")' | jq -r .hash"
	[ "$output" = "$(tail -n 1 "$(audit_file "$id")" | jq -r .prev)" ]
	# the state follows its trail
	[ "$(jq .audit_seq "$(sess_file "$id")")" -eq 7 ]
	run -0 --separate-stderr qmb-audit verify "$id"
}

@test "append --json and --user; -q prints nothing" {
	trail
	run -0 --separate-stderr qmb-audit append "$id" -t note --json --user auditor@example.com
	run -0 jq -r '"\(.session_id == "'"$id"'") \(.seq) \(.type) \(.hash | length)"' <<<"$output"
	assert_output 'true 7 note 64'
	[ "$(tail -n 1 "$(audit_file "$id")" | jq -r .user_id)" = auditor@example.com ]
	run -0 --separate-stderr qmb-audit -q append "$id" -t note
	assert_output ''
	[ -z "$stderr" ]
}

@test "append --script: its SHA-256 and content go into the details" {
	trail
	printf 'FACT_Orders:\nLOAD * FROM [lib://data/o.qvd] (qvd);\n' >"$BATS_TEST_TMPDIR/p.qvs"
	run -0 --separate-stderr qmb-audit append "$id" -t script_checked --script "$BATS_TEST_TMPDIR/p.qvs" -d by=hand
	run -0 bash -c "tail -n 1 '$(audit_file "$id")' | jq -r '.details | \"\(.by) \(.script_sha256)\", .content'"
	[ "${lines[0]}" = "hand $(sha256sum <"$BATS_TEST_TMPDIR/p.qvs" | cut -c1-64)" ]
	[ "$(printf '%s\n' "${lines[@]:1}")" = "$(cat "$BATS_TEST_TMPDIR/p.qvs")" ]
	# from standard input
	run -0 --separate-stderr bash -c "echo 'X: LOAD 1;' | qmb-audit append '$id' -t script_checked --script -"
	[ "$(tail -n 1 "$(audit_file "$id")" | jq -r .details.content)" = 'X: LOAD 1;' ]
}

@test "append: every bad input is refused and the trail is unchanged" {
	trail
	cp "$(audit_file "$id")" "$BATS_TEST_TMPDIR/before"
	head -c 100 /dev/urandom >"$BATS_TEST_TMPDIR/binary"
	printf '\0\1' >>"$BATS_TEST_TMPDIR/binary"
	local - args code
	set -f
	while read -r code args; do
		# shellcheck disable=SC2086 # a list of words
		run --separate-stderr qmb-audit append $args
		[ "$status" -eq "$code" ] || fail "append $args: exit $status, not $code"
		[[ $stderr == qmb-audit:* ]] || fail "append $args: no message"
		assert_output ''
	done <<-EOF
	2 $id
	2 $id -t Bad
	2 $id -t 1x
	2 $id -t a-b
	2 $id -t note -d f=1.5
	2 $id -t note -d nokey
	2 $id -t note --details [1]
	2 $id -t note --details {"a":1.5}
	2 ../etc -t note
	2 $id -t note --script $BATS_TEST_TMPDIR/binary
	3 $id -t note --script $BATS_TEST_TMPDIR/missing
	2 $id -t stage_approved -d stage=Z
	2 $id -t review_bypassed -d reason=x
	3 nosuch -t note
	2 $id extra -t note
	EOF
	cmp "$(audit_file "$id")" "$BATS_TEST_TMPDIR/before"
}

@test "append: a session without state (archived) still gets entries" {
	trail
	rm "$(sess_file "$id")" "$(sess_file "$id").bak"
	run -0 --separate-stderr qmb-audit append "$id" -t note -d why=kept
	assert_output "Appended entry 7 (note) to the audit trail of $id."
	run -0 --separate-stderr qmb-audit verify "$id"
}

# ---- show and hash -------------------------------------------------------

@test "show: the raw lines, -t filters, a table on a terminal" {
	trail
	run -0 --separate-stderr qmb-audit show "$id"
	[ "$output" = "$(cat "$(audit_file "$id")")" ]
	[ -z "$stderr" ]
	run -0 --separate-stderr qmb-audit show "$id" -t stage_approved
	[ "$(jq -r .details.stage <<<"$output" | tr -d '\n')" = ABC ]
	run -0 --separate-stderr qmb-audit show "$id" -t nosuch
	assert_output ''
	if command -v script >/dev/null; then
		run -0 script -qec "qmb-audit show $id" /dev/null
		[[ ${lines[0]} == *SEQ*TIME*TYPE*USER*DETAILS* ]]
		[[ $output == *"stage_approved"*"stage=B"*"content=("*" bytes)"* ]]
	fi
	run -3 --separate-stderr qmb-audit show nosuch
	[[ $stderr == *"no audit trail"* ]]
}

@test "show: an invalid line is skipped with a warning" {
	trail
	printf 'garbage\n' >>"$(audit_file "$id")"
	run -0 --separate-stderr qmb-audit show "$id"
	[ "${#lines[@]}" -eq 6 ]
	[[ $stderr == *"skipped 1 invalid line"*"qmb-audit verify"* ]]
}

@test "hash: a file, standard input, --json; a missing file is exit 3" {
	printf 'abc' >"$BATS_TEST_TMPDIR/f"
	local want=ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
	run -0 --separate-stderr qmb-audit hash "$BATS_TEST_TMPDIR/f"
	assert_output "$want  $BATS_TEST_TMPDIR/f"
	run -0 --separate-stderr bash -c "printf abc | qmb-audit hash"
	assert_output "$want  -"
	run -0 --separate-stderr bash -c "printf abc | qmb-audit hash -"
	assert_output "$want  -"
	run -0 --separate-stderr qmb-audit --json hash "$BATS_TEST_TMPDIR/f"
	assert_output "{\"sha256\":\"$want\",\"file\":\"$BATS_TEST_TMPDIR/f\",\"bytes\":3}"
	run -3 --separate-stderr qmb-audit hash "$BATS_TEST_TMPDIR/missing"
	assert_output ''
	run -2 --separate-stderr qmb-audit hash a b
	# agrees with sha256sum on a large file
	head -c 3000000 /dev/urandom >"$BATS_TEST_TMPDIR/big"
	run -0 qmb-audit hash "$BATS_TEST_TMPDIR/big"
	[ "${output%% *}" = "$(sha256sum <"$BATS_TEST_TMPDIR/big" | cut -c1-64)" ]
}

# ---- export --------------------------------------------------------------

@test "export: re-verifiable with jq and sha256sum alone" {
	trail
	qmb-audit export "$id" >"$BATS_TEST_TMPDIR/export.json"
	run -0 wc -l <"$BATS_TEST_TMPDIR/export.json"
	assert_output 1
	run -0 jq -r '"\(.session_id) \(.entries) \(.trail | length) \(.head == .trail[-1].hash)"' \
	    "$BATS_TEST_TMPDIR/export.json"
	assert_output "$id 6 6 true"
	# the trail array printed with jq -c is the trail, byte for byte
	run -0 bash -c "jq -c '.trail[]' '$BATS_TEST_TMPDIR/export.json' | cmp - '$(audit_file "$id")'"
	# and its sha256sum is trail_sha256
	run -0 bash -c "jq -c '.trail[]' '$BATS_TEST_TMPDIR/export.json' | sha256sum | cut -c1-64"
	[ "$output" = "$(jq -r .trail_sha256 "$BATS_TEST_TMPDIR/export.json")" ]
	# each entry's hash is sha256 of jq -cj 'del(.hash)', and prev links
	run -0 bash -c "
		prev=$ZERO
		jq -c '.trail[]' '$BATS_TEST_TMPDIR/export.json' | while IFS= read -r l; do
			h=\$(printf '%s\n' \"\$l\" | jq -cj 'del(.hash)' | sha256sum | cut -c1-64)
			[ \"\$h\" = \"\$(jq -r .hash <<<\"\$l\")\" ] || echo bad hash
			[ \"\$prev\" = \"\$(jq -r .prev <<<\"\$l\")\" ] || echo bad prev
			prev=\$h
		done"
	assert_output ''
	# the times of the first and last entries
	[ "$(jq -r .first_timestamp "$BATS_TEST_TMPDIR/export.json")" = "$(head -n 1 "$(audit_file "$id")" | jq -r .timestamp)" ]
	[ "$(jq -r .last_timestamp "$BATS_TEST_TMPDIR/export.json")" = "$(tail -n 1 "$(audit_file "$id")" | jq -r .timestamp)" ]
}

@test "export: a broken trail is not exported (exit 5); a missing one is 3" {
	trail
	sed -i '2s/A_Table/a_Table/' "$(audit_file "$id")"
	run -5 --separate-stderr qmb-audit export "$id"
	assert_output ''
	[[ $stderr == *"broken at entry 2"* ]]
	run -3 --separate-stderr qmb-audit export nosuch
	run -2 --separate-stderr qmb-audit export '../x'
}

# ---- verify --------------------------------------------------------------

@test "verify: an intact trail, human and --json, one and --all" {
	trail
	local first=$id
	trail
	run -0 --separate-stderr qmb-audit verify "$id"
	assert_output "$id: ok (6 entries, head $(tail -n 1 "$(audit_file "$id")" | jq -r .hash | cut -c1-12), .qmb/audit/$id.audit.json)"
	[ -z "$stderr" ]
	run -0 --separate-stderr qmb-audit verify --json "$id"
	run -0 jq -r '"\(.status) \(.entries) \(.bad_seq) \(.problem) \(.mirror)"' <<<"$output"
	assert_output 'ok 6 0  none'
	run -0 --separate-stderr qmb-audit verify --all
	[ "${#lines[@]}" -eq 3 ]
	assert_line -n 2 '2 trails checked, 0 broken'
	run -0 --separate-stderr qmb-audit verify
	assert_line -n 2 '2 trails checked, 0 broken'
	run -0 --separate-stderr qmb-audit -q verify --all
	assert_output ''
	run -0 --separate-stderr qmb-audit verify --all --json
	[ "${#lines[@]}" -eq 2 ]
	[ "$(jq -r .session_id <<<"$output" | sort | tr '\n' ' ')" = "$(printf '%s\n' "$first" "$id" | sort | tr '\n' ' ')" ]
}

@test "verify: each kind of damage is named with its entry (exit 1)" {
	trail
	local f orig
	f=$(audit_file "$id")
	orig=$BATS_TEST_TMPDIR/orig
	cp "$f" "$orig"
	check() {	# check SEQ TEXT: verify names entry SEQ and TEXT
		run -1 --separate-stderr qmb-audit verify "$id"
		[ -z "$stderr" ] || return 1
		[[ ${lines[0]} == "$id: BROKEN at entry $1: "*"$2"* ]] ||
			fail "expected entry $1 '$2', got: $output"
		cp "$orig" "$f"
	}
	sed -i '3s/B_Table/b_Table/' "$f"
	check 3 'hash mismatch'
	sed -i '4s/"seq":4/"seq":5/' "$f"
	check 4 'seq is 5, expected 4'
	sed -i 4d "$f"
	check 4 'seq is 5, expected 4'
	sed -i '5{h;d};6G' "$f"		# swap entries 5 and 6
	check 5 'seq is 6'
	sed -i '2{p}' "$f"			# entry 2 twice
	check 3 'seq is 2, expected 3'
	sed -i "3s/\"prev\":\"[0-9a-f]*\"/\"prev\":\"${ZERO//0/f}\"/" "$f"
	check 3 'prev does not match'
	sed -i '2s/{"seq":2,/{"seq":2, /' "$f"
	check 2 'spacing or escapes changed'
	sed -i '2s/"session_id"/"session_id" /' "$f"
	check 2 'spacing or escapes changed'
	# an escape spelled another way: same value, other bytes
	sed -i '2s/\\n/\\u000a/' "$f"
	check 2 'spacing or escapes changed'
	# members reordered (hashes recomputed, so only the order is wrong)
	jq -c '{timestamp, seq, session_id, user_id, type, details, prev, hash}' "$orig" >"$f"
	rechain "$f"
	check 1 'not in the order'
	sed -i '1s/^.*$/{"seq":1}/' "$f"
	check 1 'lacks'
	# damage the chain cannot see: recompute it after the change
	sed -i '3s/B_Table/b_Table/' "$f"; rechain "$f"
	check 3 'stage_approved content does not match its script_sha256'
	# time going back is a warning, never a break (issue 12)
	sed -i "5s/\"timestamp\":\"[^\"]*\"/\"timestamp\":\"2001-01-01T00:00:00.000Z\"/" "$f"; rechain "$f"
	run --separate-stderr qmb-audit verify "$id"
	[[ $output == *"warning: 1 entry stamped earlier than an entry before (first: entry 5)"* ]]
	[[ $output != *"BROKEN at entry"* ]]
	cp "$orig" "$f"
	sed -i "6s/\"session_id\":\"[^\"]*\"/\"session_id\":\"other\"/" "$f"; rechain "$f"
	check 6 'another session'
	sed -i '6s/"details":{[^}]*}/"details":[]/' "$f"; rechain "$f"
	check 6 'details is not an object'
	sed -i '6s/"type":"[a-z_]*"/"type":"note","extra":1/' "$f"; rechain "$f"
	check 6 'exactly the members'
}

@test "verify: a torn last line is reported as torn, not repaired" {
	trail
	local f
	f=$(audit_file "$id")
	truncate -s -20 "$f"
	cp "$f" "$BATS_TEST_TMPDIR/torn"
	run -1 --separate-stderr qmb-audit verify "$id"
	assert_line -n 0 "$id: BROKEN at entry 6: the last line is torn (cut short by a crash)"
	run -1 --separate-stderr qmb-audit verify --json "$id"
	[ "$(jq -r .status <<<"$output")" = torn ]
	cmp "$f" "$BATS_TEST_TMPDIR/torn"
}

@test "verify: a trail cut short is seen through the session state" {
	trail
	sed -i '$d' "$(audit_file "$id")"
	run -1 --separate-stderr qmb-audit verify "$id"
	assert_output --partial 'trail cut short: the session includes 6 entries, the trail has 5'
	# a state behind its trail is fine (rolled forward on next use)
	trail
	jq --arg h "${ZERO//0/f}" '.audit_seq = 5 | .audit_hash = $h' \
	    "$(sess_file "$id")" >"$BATS_TEST_TMPDIR/s"
	cat "$BATS_TEST_TMPDIR/s" >"$(sess_file "$id")"
	run -1 --separate-stderr qmb-audit verify "$id"
	assert_output --partial 'entry 5 differs from the one the session includes'
}

@test "verify: a trail that is gone while its session has entries is broken" {
	trail
	rm "$(audit_file "$id")"
	run -1 --separate-stderr qmb-audit verify "$id"
	assert_line -n 0 "$id: BROKEN: the audit trail is missing"
	run -1 --separate-stderr qmb-audit verify --all
	assert_output --partial '1 trail checked, 1 broken'
	run -3 --separate-stderr qmb-audit verify nosuch
	assert_output ''
	[[ $stderr == *"no audit trail for session 'nosuch'"* ]]
}

@test "verify: hostile ids, bad options" {
	local bad
	for bad in '../x' 'a/b' '' '-' "$(printf '%065d' 1)" '.'; do
		run -2 --separate-stderr qmb-audit verify -- "$bad"
		assert_output ''
		run -2 --separate-stderr qmb-audit show -- "$bad"
	done
	run -2 --separate-stderr qmb-audit verify -t note x
	run -2 --separate-stderr qmb-audit verify --all x
	run -2 --separate-stderr qmb-audit verify a b
	run -2 --separate-stderr qmb-audit show x -d k=v
	run -2 --separate-stderr qmb-audit frobnicate
	[[ $stderr == *"unknown command"* ]]
	run -2 --separate-stderr qmb-audit
	run -0 --separate-stderr qmb-audit --help
	[[ $output == *"verify [ID]"* ]]
	run -0 --separate-stderr qmb-audit --version
	[[ $output =~ ^qmb-audit\ [0-9] ]]
}

@test "verify: a trail replaced by a symbolic link is refused" {
	trail
	cp "$(audit_file "$id")" "$BATS_TEST_TMPDIR/copy"
	ln -sf "$BATS_TEST_TMPDIR/copy" "$(audit_file "$id")"
	run -6 --separate-stderr qmb-audit verify "$id"
	assert_output ''
	run -6 --separate-stderr qmb-audit append "$id" -t note
	[ "$(wc -l <"$BATS_TEST_TMPDIR/copy")" -eq 6 ]
}

# ---- the tamper loop -----------------------------------------------------

@test "tamper: 300 random changes of a byte or an entry, verify catches each" {
	trail
	# not i: bats' run clobbers it
	local f orig size n round kind p v k a b tried=0 caught=0 how
	f=$(audit_file "$id")
	orig=$BATS_TEST_TMPDIR/orig
	cp "$f" "$orig"
	size=$(stat -c %s "$orig")
	n=$(wc -l <"$orig")
	RANDOM=2026
	for ((round = 0; round < 300; round++)); do
		kind=$((round % 7))
		p=$(((RANDOM * 32768 + RANDOM) % size))
		k=$((RANDOM % n + 1))
		case $kind in
		0)	# change a byte to any other value
			v=$((($(byte "$orig" $p) + 1 + RANDOM % 255) % 256))
			put "$orig" $p $v replace; how="byte $p := $v" ;;
		1)	# flip one bit
			v=$(($(byte "$orig" $p) ^ (1 << (RANDOM % 8))))
			put "$orig" $p $v replace; how="bit of byte $p := $v" ;;
		2)	# delete a byte
			put "$orig" $p 0 delete; how="delete byte $p" ;;
		3)	# insert a byte: mostly blanks, quotes, backslashes, newlines
			v=$(printf '32 10 9 13 34 92 48 %d' $((RANDOM % 256)) |
			    tr ' ' '\n' | sed -n "$((RANDOM % 8 + 1))p")
			put "$orig" $((RANDOM % (size + 1))) $v insert; how="insert $v" ;;
		4)	# delete an entry
			sed "${k}d" "$orig" >"$BATS_TEST_TMPDIR/changed"; how="delete entry $k" ;;
		5)	# swap two entries
			a=$k b=$((k % n + 1))
			awk -v a=$a -v b=$b '{ l[NR] = $0 } END { t = l[a]; l[a] = l[b];
			    l[b] = t; for (i = 1; i <= NR; i++) print l[i] }' "$orig" \
			    >"$BATS_TEST_TMPDIR/changed"; how="swap $a $b" ;;
		6)	# insert a copy of an entry somewhere
			a=$((RANDOM % (n + 1)))
			awk -v a=$a -v k=$k '{ l[NR] = $0 } END { if (a == 0) print l[k];
			    for (i = 1; i <= NR; i++) { print l[i]; if (i == a) print l[k] } }' \
			    "$orig" >"$BATS_TEST_TMPDIR/changed"; how="copy $k after $a" ;;
		esac
		cmp -s "$BATS_TEST_TMPDIR/changed" "$orig" && continue
		cat "$BATS_TEST_TMPDIR/changed" >"$f"
		tried=$((tried + 1))
		run --separate-stderr qmb-audit -q verify "$id"
		[ "$status" -eq 1 ] ||
			fail "not caught (exit $status): $how: $output $stderr"
		caught=$((caught + 1))
	done
	cp "$orig" "$f"
	run -0 qmb-audit verify "$id"
	echo "# tamper: $caught of $tried changed trails caught by qmb-audit verify" >&3
	[ "$tried" -ge 290 ]
}

# ---- mirror --------------------------------------------------------------

@test "mirror: every entry is appended there too, byte for byte" {
	export QMB_AUDIT_MIRROR=$BATS_TEST_TMPDIR/mirror
	trail
	cmp "$(audit_file "$id")" "$QMB_AUDIT_MIRROR/$id.audit.json"
	run -0 --separate-stderr qmb-audit -v verify "$id"
	assert_line -n 1 '  mirror: identical'
	run -0 qmb-audit verify --json "$id"
	[ "$(jq -r .mirror <<<"$output")" = same ]
	# relative to the project, set in config.json
	unset QMB_AUDIT_MIRROR
	printf '{"audit_mirror": "../mirror2"}\n' >"$QMB_PROJECT_DIR/.qmb/config.json"
	qmb-audit append "$id" -t note >/dev/null
	[ "$(cat "$BATS_TEST_TMPDIR/mirror2/$id.audit.json")" = "$(tail -n 1 "$(audit_file "$id")")" ]
	# a mirror that starts later is fine
	run -0 --separate-stderr qmb-audit verify "$id"
}

@test "mirror: a deleted .qmb/audit trail survives there; verify says so" {
	export QMB_AUDIT_MIRROR=$BATS_TEST_TMPDIR/mirror
	trail
	cp "$(audit_file "$id")" "$BATS_TEST_TMPDIR/orig"
	rm -rf "$QMB_PROJECT_DIR/.qmb/audit"
	cmp "$QMB_AUDIT_MIRROR/$id.audit.json" "$BATS_TEST_TMPDIR/orig"
	run -1 --separate-stderr qmb-audit verify "$id"
	assert_line -n 0 "$id: BROKEN: the audit trail is missing (the audit mirror still holds a copy)"
	assert_output --partial 'mirror: the trail is missing; the mirror holds 6 entries'
	# even with the session gone too
	rm -rf "$QMB_PROJECT_DIR/.qmb/sessions"
	run -1 --separate-stderr qmb-audit verify "$id"
	# copied back, it verifies
	mkdir -m 700 "$QMB_PROJECT_DIR/.qmb/audit"
	cp "$QMB_AUDIT_MIRROR/$id.audit.json" "$(audit_file "$id")"
	run -0 --separate-stderr qmb-audit verify "$id"
}

@test "mirror: a differing mirror makes verify exit 1" {
	export QMB_AUDIT_MIRROR=$BATS_TEST_TMPDIR/mirror
	trail
	local m=$QMB_AUDIT_MIRROR/$id.audit.json
	cp "$m" "$BATS_TEST_TMPDIR/m"
	sed -i '3s/B_Table/b_Table/' "$m"
	run -1 --separate-stderr qmb-audit verify "$id"
	assert_line -n 0 --partial "$id: BROKEN ("
	assert_line -n 1 '  mirror: the mirror differs from the trail at seq 3'
	cp "$BATS_TEST_TMPDIR/m" "$m"
	sed -i '$d' "$m"
	run -1 --separate-stderr qmb-audit verify "$id"
	assert_line -n 1 '  mirror: the mirror lacks entries from seq 6'
	cp "$BATS_TEST_TMPDIR/m" "$m"
	echo '{"seq":7}' >>"$m"
	run -1 --separate-stderr qmb-audit verify "$id"
	assert_output --partial 'the mirror holds entries the trail lacks, from seq 7'
	rm "$m"
	run -1 --separate-stderr qmb-audit verify "$id"
	assert_output --partial 'the mirror has no copy of this trail'
	rm -r "$QMB_AUDIT_MIRROR"
	run -1 --separate-stderr qmb-audit verify "$id"
	assert_output --partial 'the audit mirror folder is missing'
}

@test "mirror: a failing mirror warns, the entry stays in the trail" {
	trail
	export QMB_AUDIT_MIRROR=$BATS_TEST_TMPDIR/mirror
	mkdir -p "$QMB_AUDIT_MIRROR"
	mkdir "$QMB_AUDIT_MIRROR/$id.audit.json"	# not a file
	run -0 --separate-stderr qmb-audit append "$id" -t note
	[ "$(tail -n 1 "$(audit_file "$id")" | jq -r .type)" = note ]
	# a WARN in the logs
	run -0 jq -r 'select(.action == "mirror_failed") | .level' \
	    "$QMB_PROJECT_DIR/.qmb/logs/qmb.log"
	assert_output WARN
	# without a session state the warning goes to stderr
	rm "$(sess_file "$id")" "$(sess_file "$id").bak"
	run -0 --separate-stderr qmb-audit append "$id" -t note
	[[ $stderr == "qmb-audit: warning: "*mirror* ]]
	[ "$(tail -n 1 "$(audit_file "$id")" | jq -r .seq)" = 8 ]
}

# ---- archives ------------------------------------------------------------

@test "archive: a gzip'ed trail in .qmb/archive/audit/ still verifies" {
	trail
	local a=$QMB_PROJECT_DIR/.qmb/archive/audit
	mkdir -p -m 700 "$QMB_PROJECT_DIR/.qmb/archive" "$a"
	gzip -c "$(audit_file "$id")" >"$a/$id.audit.json.gz"
	cp "$(audit_file "$id")" "$BATS_TEST_TMPDIR/orig"
	rm "$(audit_file "$id")"
	run -0 --separate-stderr qmb-audit verify "$id"
	assert_output --partial "$id: ok (6 entries, head"
	assert_output --partial ".qmb/archive/audit/$id.audit.json.gz)"
	run -0 --separate-stderr qmb-audit verify --all
	assert_line -n 1 '1 trail checked, 0 broken'
	run -0 --separate-stderr qmb-audit show "$id"
	[ "$output" = "$(cat "$BATS_TEST_TMPDIR/orig")" ]
	run -0 --separate-stderr qmb-audit export "$id"
	[ "$(jq -r .entries <<<"$output")" = 6 ]
	# the archive without the session state
	rm "$(sess_file "$id")" "$(sess_file "$id").bak"
	run -0 --separate-stderr qmb-audit verify "$id"
}

@test "archive: a damaged .gz is a broken trail, not a crash" {
	trail
	local a=$QMB_PROJECT_DIR/.qmb/archive/audit
	mkdir -p -m 700 "$QMB_PROJECT_DIR/.qmb/archive" "$a"
	sed '3s/B_Table/b_Table/' "$(audit_file "$id")" | gzip -c >"$a/$id.audit.json.gz"
	rm "$(audit_file "$id")"
	run -1 --separate-stderr qmb-audit verify "$id"
	assert_line -n 0 "$id: BROKEN at entry 3: hash mismatch: the entry was changed after it was written"
	# cut short: the gzip stream is incomplete
	head -c 200 "$a/$id.audit.json.gz" >"$BATS_TEST_TMPDIR/cut.gz"
	cp "$BATS_TEST_TMPDIR/cut.gz" "$a/$id.audit.json.gz"
	run -1 --separate-stderr qmb-audit verify "$id"
	assert_line -n 0 --partial "$id: BROKEN: "
	assert_output --partial 'not a valid gzip file'
	run -1 --separate-stderr qmb-audit verify --all
	assert_output --partial '1 trail checked, 1 broken'
}

# ---- man page and completions --------------------------------------------

@test "docs: qmb-audit.1 and the completions name every option and command of --help" {
	local o n c missing=
	for o in $(qmb-audit --help | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
		n=${o#--}
		grep -qE -- "Fl -$n([^a-z-]|\$)" "$TOP/man/qmb-audit.1" || missing="$missing man:$o"
		complete_bash qmb-audit -- | grep -qx -- "$o" || missing="$missing bash:$o"
		complete_zsh qmb-audit -- | grep -q -- "^$o:" || missing="$missing zsh:$o"
	done
	for c in append show verify export hash; do
		grep -qE "^\.It Cm $c( |\$)" "$TOP/man/qmb-audit.1" || missing="$missing man:$c"
		complete_bash qmb-audit '' | grep -qx "$c" || missing="$missing bash:$c"
		complete_zsh qmb-audit '' | grep -q "^$c:" || missing="$missing zsh:$c"
	done
	[ -z "$missing" ] || fail "missing:$missing"
	# the man page tells how to re-verify an export with jq and sha256sum
	grep -qF "jq -c '.trail[]' export.json | sha256sum" "$TOP/man/qmb-audit.1"
	grep -qF "jq -cj 'del(.hash)' | sha256sum" "$TOP/man/qmb-audit.1"
}

@test "completions: bash completes commands, trail ids, types and files of qmb-audit" {
	run -0 bash -n "$TOP/completions/qmb.bash"
	run -0 --separate-stderr complete_bash qmb-audit ''
	assert_output $'append\nshow\nverify\nexport\nhash'
	trail
	run -0 --separate-stderr complete_bash qmb-audit verify ''
	assert_output "$id"
	run -0 --separate-stderr complete_bash qmb-audit append "$id" -t stage_a
	assert_output stage_approved
	run -0 --separate-stderr complete_bash qmb-audit --sc
	assert_output --script
	cd "$BATS_TEST_TMPDIR" && : >part.qvs
	run -0 --separate-stderr complete_bash qmb-audit hash par
	assert_output part.qvs
	# archived trails count too
	run -0 --separate-stderr complete_bash qmb-audit show ''
	assert_output "$id"
}

@test "completions: zsh and fish accept theirs; fish completes qmb-audit" {
	if command -v zsh >/dev/null; then
		run -0 --separate-stderr zsh -n "$TOP/completions/_qmb"
		[[ "$(head -1 "$TOP/completions/_qmb")" == '#compdef '*' qmb-audit '* ]]
	fi
	command -v fish >/dev/null || skip "fish is not installed"
	trail
	run -0 --separate-stderr complete_fish "qmb-audit ver" "qmb-audit export "
	[ -z "$stderr" ]
	[ "${lines[0]%%$'\t'*}" = verify ]
	[ "${lines[1]%%$'\t'*}" = "$id" ]
	[ "${#lines[@]}" -eq 2 ]
}
