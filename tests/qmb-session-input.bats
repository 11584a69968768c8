#!/usr/bin/env bats
# qmb-session against bad input: hostile ids, symbolic links, FIFOs,
# damaged and oversized files.  Whatever comes in, the tool fails with the
# right exit code, touches nothing outside .qmb/ and keeps the last good
# state.
load helper/common

# ---- helpers -------------------------------------------------------------

# part STAGE: a small script part.
part() { printf '%s_T:\nLOAD * FROM [lib://data/%s.qvd] (qvd);\n' "$1" "$1"; }

sj() { jq -r "$2" "$(sess_file "$1")"; }

# snapshot: every path under the test's folder with its size, mode and
# checksum (bats' own stderr files left out).
snapshot() {
	find "$BATS_TEST_TMPDIR" ! -name 'separate-stderr-*' -printf '%p %y %m %s\n' |
	    sort
	find "$BATS_TEST_TMPDIR" -type f ! -name 'separate-stderr-*' \
	    -exec sha256sum {} + | sort
}

# outside_qmb: every path under the test's folder but outside .qmb/.
outside_qmb() {
	find "$BATS_TEST_TMPDIR" -path "$QMB_PROJECT_DIR/.qmb" -prune -o \
	    ! -name 'separate-stderr-*' -print | sort
}

# id_cmds ID: every way to name a session on the command line, one per
# line, as "subcommand args" (ID stands for the id).
id_cmds() {
	cat <<-'EOF'
	show -- ID
	resume -- ID
	approve -- ID A -
	revert -- ID A
	set-model -- ID snowflake
	tables -- ID
	tables -- ID add X
	script -- ID
	export -- ID
	complete -- ID
	archive -- ID
	EOF
}

# refuse_id ID: every subcommand taking an id refuses ID with a usage
# error, prints nothing on stdout and changes nothing anywhere.
refuse_id() {
	local bad=$1 line w args before after
	before=$(snapshot)
	while IFS= read -r line; do
		args=()
		for w in $line; do
			[ "$w" = ID ] && args+=("$bad") || args+=("$w")
		done
		run --separate-stderr qmb-session "${args[@]}" < <(part A)
		[ "$status" -eq 2 ] ||
		    { echo "$line: exit $status: $stderr"; return 1; }
		[ -z "$output" ] || { echo "$line: printed '$output'"; return 1; }
		[[ "$stderr" == "qmb-session: invalid session id"* ]] ||
		    { echo "$line: $stderr"; return 1; }
	done < <(id_cmds)
	after=$(snapshot)
	[ "$before" = "$after" ] ||
	    { diff <(echo "$before") <(echo "$after"); return 1; }
}

setup() {
	new_session SalesModel
	approve_upto "$id" A
}

# ---- hostile ids ---------------------------------------------------------

@test "id: ../../etc/passwd" { refuse_id ../../etc/passwd; }
@test "id: .." { refuse_id ..; }
@test "id: ." { refuse_id .; }
@test "id: empty" { refuse_id ''; }
@test "id: a/b" { refuse_id a/b; }
@test "id: leading '-'" { refuse_id -rf; }
@test "id: leading '_'" { refuse_id _abc; }
@test "id: 65 characters" {
	refuse_id "$(printf '%065d' 1)"
}
@test "id: a newline inside" { refuse_id $'abc\ndef'; }
@test "id: %2e%2e" { refuse_id %2e%2e; }
@test "id: a unicode look-alike" { refuse_id 'аbc'; }	# Cyrillic а
@test "id: a space" { refuse_id 'a b'; }
@test "id: a .json suffix" { refuse_id "$id.json"; }
@test "id: an absolute path" { refuse_id /etc/passwd; }

@test "id: 64 characters is fine (not found, not a usage error)" {
	run -3 --separate-stderr qmb-session show "$(printf '%064d' 1)"
	[ -z "$output" ]
}

@test "id: the error for an id with a newline is one line" {
	run -2 --separate-stderr qmb-session show $'abc\ndef'
	[ "${#stderr_lines[@]}" -eq 1 ]
}

@test "a hostile project name is only a name" {
	local before
	before=$(outside_qmb)
	run -0 --separate-stderr qmb-session new ../../etc/passwd
	[ "$(sj "$output" .project_name)" = ../../etc/passwd ]
	run -0 --separate-stderr qmb-session start ../x --new
	[ "$before" = "$(outside_qmb)" ]
}

@test "--user with a control character is refused" {
	run -2 --separate-stderr qmb-session --user $'eve\n' tables "$id" add X
	[[ "$stderr" == *"--user"* ]]
	[ "$(sj "$id" '.pending_tables | length')" -eq 0 ]
}

@test "bad stage letters are usage errors" {
	cp "$(sess_file "$id")" "$BATS_TEST_TMPDIR/before"
	for st in '' AB 1 'b ' Ä '-'; do
		run -2 --separate-stderr qmb-session approve "$id" "$st" "$BATS_TEST_TMPDIR/before"
		[[ "$stderr" == *"invalid stage"* ]]
		run -2 --separate-stderr qmb-session revert "$id" "$st"
		run -2 --separate-stderr qmb-session script "$id" --stage "$st"
	done
	cmp "$(sess_file "$id")" "$BATS_TEST_TMPDIR/before"
}

@test "bad table names are usage errors" {
	run -2 --separate-stderr qmb-session tables "$id" add "$(printf 'x%.0s' {1..300})"
	run -2 --separate-stderr qmb-session tables "$id" add $'a\tb'
	run -2 --separate-stderr qmb-session tables "$id" add $'\xff'
	run -2 --separate-stderr qmb-session tables "$id" set ok ''
	[ "$(sj "$id" '.pending_tables | length')" -eq 0 ]
	run -0 --separate-stderr qmb-session tables "$id" add -- -dash
	[ "$(sj "$id" '.pending_tables[0]')" = -dash ]
}

# ---- symbolic links ------------------------------------------------------

@test "symlink: .qmb/sessions pointing elsewhere is refused" {
	local other="$BATS_TEST_TMPDIR/other"
	rm -rf "$QMB_PROJECT_DIR/.qmb"
	mkdir -m 700 "$QMB_PROJECT_DIR/.qmb" "$other"
	ln -s "$other" "$QMB_PROJECT_DIR/.qmb/sessions"
	run -6 --separate-stderr qmb-session new SalesModel
	[ -z "$output" ]
	[[ "$stderr" == *"'.qmb/sessions'"*"refusing"* ]]
	run -6 --separate-stderr qmb-session list
	run -6 --separate-stderr qmb-session show "$id"
	[ -z "$(ls -A "$other")" ]
}

@test "symlink: .qmb itself pointing elsewhere is refused" {
	local other="$BATS_TEST_TMPDIR/other"
	mv "$QMB_PROJECT_DIR/.qmb" "$other"
	ln -s "$other" "$QMB_PROJECT_DIR/.qmb"
	local before; before=$(snapshot)
	run -6 --separate-stderr qmb-session tables "$id" add X
	[ "$before" = "$(snapshot)" ]
}

@test "symlink: a session file replaced by a link to a victim" {
	local victim="$BATS_TEST_TMPDIR/victim" before line
	printf 'precious\n' >"$victim"
	ln -sf "$victim" "$(sess_file "$id")"
	before=$(snapshot)
	while IFS= read -r line; do
		run --separate-stderr qmb-session ${line//ID/$id} < <(part B)
		[ "$status" -ne 0 ] && [ "$status" -lt 9 ] ||
		    { echo "$line: exit $status"; false; }
		[[ "$stderr" == qmb-session:* ]]
	done < <(id_cmds | sed 's/ -- / /; s/ A -$/ B -/')
	[ "$(cat "$victim")" = precious ]
	[ -L "$(sess_file "$id")" ]
	[ "$before" = "$(snapshot)" ]
}

@test "symlink: a .bak link is replaced, never written through" {
	local victim="$BATS_TEST_TMPDIR/victim"
	printf 'precious\n' >"$victim"
	ln -sf "$victim" "$(sess_file "$id").bak"
	run -0 --separate-stderr qmb-session approve "$id" B < <(part B)
	[ "$(cat "$victim")" = precious ]
	[ ! -L "$(sess_file "$id").bak" ]
	[ "$(jq -r .current_stage "$(sess_file "$id").bak")" = B ]
}

@test "symlink: a planted .tmp link is removed, never written through" {
	local victim="$BATS_TEST_TMPDIR/victim"
	printf 'precious\n' >"$victim"
	ln -s "$victim" "$(sess_file "$id").tmp"
	run -0 --separate-stderr qmb-session approve "$id" B < <(part B)
	[ "$(cat "$victim")" = precious ]
	[ ! -e "$(sess_file "$id").tmp" ]
	[ "$(sj "$id" .current_stage)" = C ]
}

@test "symlink: an audit trail replaced by a link is refused" {
	local victim="$BATS_TEST_TMPDIR/victim"
	cp "$(audit_file "$id")" "$victim"
	cp "$victim" "$BATS_TEST_TMPDIR/victim.orig"
	ln -sf "$victim" "$(audit_file "$id")"
	cp "$(sess_file "$id")" "$BATS_TEST_TMPDIR/before"
	run --separate-stderr qmb-session approve "$id" B < <(part B)
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"symbolic link"* ]]
	cmp "$victim" "$BATS_TEST_TMPDIR/victim.orig"
	cmp "$(sess_file "$id")" "$BATS_TEST_TMPDIR/before"
}

@test "symlink: a session log replaced by a link is not written through" {
	local victim="$BATS_TEST_TMPDIR/victim"
	printf 'precious\n' >"$victim"
	ln -sf "$victim" "$(log_file "$id")"
	run -0 --separate-stderr qmb-session -v approve "$id" B < <(part B)
	[[ "$stderr" == *"log not written"* ]]
	[ "$(cat "$victim")" = precious ]
	[ "$(sj "$id" .current_stage)" = C ]
}

@test "symlink: a lock file replaced by a link is refused" {
	local victim="$BATS_TEST_TMPDIR/victim"
	printf 'precious\n' >"$victim"
	ln -sf "$victim" "$QMB_PROJECT_DIR/.qmb/sessions/$id.lock"
	run -6 --separate-stderr qmb-session approve "$id" B < <(part B)
	[ "$(cat "$victim")" = precious ]
	[ "$(sj "$id" .current_stage)" = B ]
}

@test "symlink: an archive folder pointing elsewhere is refused" {
	local other="$BATS_TEST_TMPDIR/other"
	mkdir -p "$other" "$QMB_PROJECT_DIR/.qmb/archive"
	chmod 700 "$QMB_PROJECT_DIR/.qmb/archive"
	ln -s "$other" "$QMB_PROJECT_DIR/.qmb/archive/sessions"
	run -6 --separate-stderr qmb-session archive "$id"
	[ -z "$(ls -A "$other")" ]
	[ -f "$(sess_file "$id")" ]
}

@test "symlink: stage2_output pointing elsewhere is refused" {
	local other="$BATS_TEST_TMPDIR/other" sha
	mkdir "$other"
	approve_upto "$id" F
	sha=$(qmb-session script "$id" | sha256sum | cut -c1-64)
	qmb-session export "$id" | jq --arg sha "$sha" '.gemini_reviews = [{
	    review_status: "approved", score: 90, issues: [], summary: "ok",
	    model: "fake", reviewed_at: "2026-01-01T00:00:00.000Z",
	    script_sha256: $sha, source: "gemini"}]' >"$BATS_TEST_TMPDIR/r.json"
	qmb-session import --force "$BATS_TEST_TMPDIR/r.json" >/dev/null
	ln -s "$other" "$QMB_PROJECT_DIR/stage2_output"
	run -6 --separate-stderr qmb-session complete "$id"
	[ -z "$(ls -A "$other")" ]
	[ "$(sj "$id" .status)" = active ]
	# a link inside stage2_output is replaced, not followed
	rm "$QMB_PROJECT_DIR/stage2_output"
	mkdir -m 700 "$QMB_PROJECT_DIR/stage2_output"
	printf 'precious\n' >"$other/victim"
	ln -s "$other/victim" "$QMB_PROJECT_DIR/stage2_output/script.qvs"
	run -0 --separate-stderr qmb-session complete "$id"
	[ "$(cat "$other/victim")" = precious ]
	[ ! -L "$QMB_PROJECT_DIR/stage2_output/script.qvs" ]
}

# ---- FIFOs and special files ---------------------------------------------

@test "FIFO: at the session path nothing hangs" {
	rm "$(sess_file "$id")"
	mkfifo "$(sess_file "$id")"
	run -6 --separate-stderr timeout 5 qmb-session show "$id"
	[[ "$stderr" == *"not a regular file"* ]]
	run -6 --separate-stderr timeout 5 qmb-session approve "$id" B < <(part B)
	run --separate-stderr timeout 5 qmb-session list
	[ "$status" -ne 124 ]
	[ -p "$(sess_file "$id")" ]
}

@test "FIFO: as the part FILE or the import FILE nothing hangs" {
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	run -2 --separate-stderr timeout 5 qmb-session approve "$id" B "$BATS_TEST_TMPDIR/fifo"
	run -2 --separate-stderr timeout 5 qmb-session import "$BATS_TEST_TMPDIR/fifo"
	[ "$(sj "$id" .current_stage)" = B ]
}

@test "a directory as the part FILE is a usage error" {
	run -2 --separate-stderr qmb-session approve "$id" B "$BATS_TEST_TMPDIR"
	[[ "$stderr" == *"is a directory"* ]]
	run -2 --separate-stderr qmb-session import "$BATS_TEST_TMPDIR"
	[[ "$stderr" == *"is a directory"* ]]
}

@test "an endless part (/dev/zero) is refused as too large" {
	run -2 --separate-stderr env QMB_MAX_FILE=64K timeout 5 \
	    qmb-session approve "$id" B /dev/zero
	[[ "$stderr" == *"over QMB_MAX_FILE"* ]]
}

# ---- damaged session files -----------------------------------------------

# damage ID KIND: overwrite the session file (truncated, zeros, schema).
damage() {
	local f; f=$(sess_file "$1")
	case $2 in
	truncated) head -c 100 "$f" >"$f.x" ;;
	zeros) head -c 512 /dev/zero >"$f.x" ;;
	schema) printf '{"version":1,"session_id":"%s"}\n' "$1" >"$f.x" ;;
	esac
	mv "$f.x" "$f"
}

# corrupt_case KIND: show falls back to .bak, approve needs qmb-recover,
# neither file changes.
corrupt_case() {
	local f n; f=$(sess_file "$id")
	approve_upto "$id" B
	n=$(wc -l <"$(audit_file "$id")")
	damage "$id" "$1"
	cp "$f" "$BATS_TEST_TMPDIR/damaged"
	cp "$f.bak" "$BATS_TEST_TMPDIR/bak"
	run -0 --separate-stderr qmb-session show "$id"
	assert_line "Progress: Stage B (1/6 done)"
	[[ "$stderr" == *"is damaged; showing its backup"* ]]
	run -0 --separate-stderr qmb-session show --json "$id"
	[ "$(jq -S . <<<"$output")" = "$(jq -S . "$BATS_TEST_TMPDIR/bak")" ]
	run -5 --separate-stderr qmb-session approve "$id" C < <(part C)
	[ -z "$output" ]
	[[ "$stderr" == *"qmb-recover"* ]]
	run -5 --separate-stderr qmb-session tables "$id" add X
	run -5 --separate-stderr qmb-session resume "$id"
	cmp "$f" "$BATS_TEST_TMPDIR/damaged"
	cmp "$f.bak" "$BATS_TEST_TMPDIR/bak"
	[ "$(wc -l <"$(audit_file "$id")")" -eq "$n" ]
}

@test "damaged: a truncated session file" { corrupt_case truncated; }
@test "damaged: a session file of zeros" { corrupt_case zeros; }
@test "damaged: a session file of the wrong schema" { corrupt_case schema; }

@test "damaged: export and script fall back to the .bak too" {
	approve_upto "$id" B
	damage "$id" truncated
	run -0 --separate-stderr qmb-session export "$id"
	[ "$output" = "$(cat "$(sess_file "$id").bak")" ]
	[[ "$stderr" == *"showing its backup"* ]]
	run -0 --separate-stderr qmb-session script "$id"
	[ "$output" = "$(jq -r .approved_script_parts.A "$(sess_file "$id").bak")" ]
}

@test "damaged: with a damaged .bak as well, show is corrupt (5)" {
	approve_upto "$id" B
	damage "$id" zeros
	printf 'nope' >"$(sess_file "$id").bak"
	run -5 --separate-stderr qmb-session show "$id"
	[ -z "$output" ]
	[[ "$stderr" == *"qmb-recover"* ]]
}

@test "damaged: a session behind a shortened audit trail is corrupt (5)" {
	approve_upto "$id" C
	head -n 2 "$(audit_file "$id")" >"$BATS_TEST_TMPDIR/a"
	cat "$BATS_TEST_TMPDIR/a" >"$(audit_file "$id")"
	run -5 --separate-stderr qmb-session approve "$id" D < <(part D)
	[[ "$stderr" == *"qmb-recover"* ]]
	[ "$(sj "$id" .current_stage)" = D ]
}

@test "damaged: a session of a newer version is refused, not rewritten" {
	local f; f=$(sess_file "$id")
	jq '.version = 2' "$f" >"$f.x" && mv "$f.x" "$f"
	cp "$f" "$BATS_TEST_TMPDIR/v2"
	run --separate-stderr qmb-session tables "$id" add X
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"newer"* ]]
	cmp "$f" "$BATS_TEST_TMPDIR/v2"
}

# ---- oversized input -----------------------------------------------------

@test "huge: a part over QMB_MAX_FILE is refused, the session unchanged" {
	local before
	head -c 2097152 /dev/zero | tr '\0' x >"$BATS_TEST_TMPDIR/big"
	before=$(snapshot)
	run -2 --separate-stderr env QMB_MAX_FILE=1M qmb-session approve "$id" B "$BATS_TEST_TMPDIR/big"
	[[ "$stderr" == *"over QMB_MAX_FILE (1048576 bytes)"* ]]
	run -2 --separate-stderr env QMB_MAX_FILE=1M qmb-session approve "$id" B - <"$BATS_TEST_TMPDIR/big"
	[[ "$stderr" == *"standard input"*"over QMB_MAX_FILE"* ]]
	[ "$before" = "$(snapshot)" ]
}

@test "huge: an import over QMB_MAX_FILE is refused" {
	head -c 2097152 /dev/zero | tr '\0' x >"$BATS_TEST_TMPDIR/big"
	qmb-session export "$id" | jq --rawfile x "$BATS_TEST_TMPDIR/big" \
	    '.approved_script_parts.A = $x' >"$BATS_TEST_TMPDIR/big.json"
	cp "$(sess_file "$id")" "$BATS_TEST_TMPDIR/before"
	run -2 --separate-stderr env QMB_MAX_FILE=1M qmb-session import --force "$BATS_TEST_TMPDIR/big.json"
	[[ "$stderr" == *"over QMB_MAX_FILE"* ]]
	cmp "$(sess_file "$id")" "$BATS_TEST_TMPDIR/before"
}

@test "huge: a session file over QMB_MAX_FILE is refused naming the setting, never damaged (6)" {
	local f; f=$(sess_file "$id")
	jq '.pending_tables = [range(150000) | "T\(.)"]' "$f" >"$f.x" && mv "$f.x" "$f"
	cp "$f" "$BATS_TEST_TMPDIR/before"
	run -6 --separate-stderr env QMB_MAX_FILE=1M qmb-session tables "$id" add X
	[[ "$stderr" == *"bytes, over QMB_MAX_FILE (1048576 bytes)"* ]]
	[[ "$stderr" != *damaged* ]]
	run --separate-stderr env QMB_MAX_FILE=1M qmb-session show "$id"
	[[ "$stderr" != *damaged* ]]
	rm "$f.bak"
	run -6 --separate-stderr env QMB_MAX_FILE=1M qmb-session show "$id"
	[[ "$stderr" == *"over QMB_MAX_FILE"* ]]
	cmp "$f" "$BATS_TEST_TMPDIR/before"
	# with room, the same session works
	run -0 qmb-session -q tables "$id" add X
}

# ---- malformed imports ---------------------------------------------------

# bad_import JQ-FILTER MESSAGE: the export changed by the filter is refused
# with a usage error whose message contains MESSAGE.
bad_import() {
	qmb-session export "$id" | jq "$1" >"$BATS_TEST_TMPDIR/in.json"
	cp "$(sess_file "$id")" "$BATS_TEST_TMPDIR/before"
	run -2 --separate-stderr qmb-session import --force "$BATS_TEST_TMPDIR/in.json"
	[ -z "$output" ]
	[[ "$stderr" == *"$2"* ]] || { echo "$stderr"; return 1; }
	cmp "$(sess_file "$id")" "$BATS_TEST_TMPDIR/before"
}

@test "import: a hostile session_id" {
	bad_import '.session_id = "../../x"' "not a valid id"
	[ ! -e "$BATS_TEST_TMPDIR/x.json" ] && [ ! -e "$QMB_PROJECT_DIR/.qmb/x.json" ]
}
@test "import: stages that are not a prefix" {
	bad_import '.completed_stages = ["B"]' "prefix"
}
@test "import: a completed stage without its part" {
	bad_import '.approved_script_parts = {}' "no approved part"
}
@test "import: a wrong current_stage" {
	bad_import '.current_stage = "D"' "current_stage"
}
@test "import: an unknown model type" { bad_import '.model_type = "galaxy"' "model_type"; }
@test "import: a negative revision" { bad_import '.revision = -1' "revision"; }
@test "import: complete without completed_at" {
	bad_import '.status = "complete"' "completed_at"
}
@test "import: not an object" { bad_import '[.]' "not a JSON object"; }
@test "import: a duplicate key" {
	qmb-session export "$id" | sed '0,/"version": 1,/s//"version": 1, "version": 1,/' \
	    >"$BATS_TEST_TMPDIR/in.json"
	run -2 --separate-stderr qmb-session import --force "$BATS_TEST_TMPDIR/in.json"
	[[ "$stderr" == *"duplicate key"* ]]
}
@test "import: data after the object" {
	{ qmb-session export "$id"; echo '{}'; } >"$BATS_TEST_TMPDIR/in.json"
	run -2 --separate-stderr qmb-session import --force "$BATS_TEST_TMPDIR/in.json"
	[[ "$stderr" == *"after"* ]]
}
