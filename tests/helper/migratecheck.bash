# Checks of a migration of the TypeScript tool's sessions, shared by
# tests/migrate.bats and tests/helper/migratesweep.sh.  TPL is the project
# before the migration, WORK the project after (both folders holding .qmb).

# legacy_ids TPL: the ids of the legacy states (live and archived)
legacy_ids() {
	local f n
	for f in "$1"/.qmb/sessions/*.json "$1"/.qmb/archive/*.json; do
		[ -f "$f" ] || continue
		[ "$(jq 'has("version")' "$f")" = false ] || continue
		n=${f##*/}
		echo "${n%.json}"
	done | sort -u
}

# tpl_files TPL ID: the template's files of ID, relative to .qmb/
tpl_files() {
	(cd "$1/.qmb" && find . -maxdepth 2 -type f -name "$2*" | sed 's|^\./||' |
	    sort)
}

# state_of WORK ID: the session's state file
state_of() {
	if [ -f "$1/.qmb/sessions/$2.json" ]; then
		echo "$1/.qmb/sessions/$2.json"
	elif [ -f "$1/.qmb/archive/sessions/$2.json" ]; then
		echo "$1/.qmb/archive/sessions/$2.json"
	else
		echo "$1/.qmb/archive/$2.json"
	fi
}

# is_intact TPL WORK ID: the legacy state file is as the template had it,
# and each other file of ID is too, or is kept byte for byte in
# .qmb/migrated/ID/ (a save that failed at its last step has already
# linked the state over the .bak)
is_intact() {
	local rel
	cmp -s "$(state_of "$1" "$3")" "$(state_of "$2" "$3")" || return 1
	for rel in $(tpl_files "$1" "$3"); do
		cmp -s "$1/.qmb/$rel" "$2/.qmb/$rel" ||
		    cmp -s "$1/.qmb/$rel" "$2/.qmb/migrated/$3/$rel" || return 1
	done
}

# is_migrated TPL WORK ID [NOVERIFY]: the state is format 1 with the
# template's data and names the head of its trail, which verifies; each
# original that moved or changed is kept byte for byte in
# .qmb/migrated/ID/
is_migrated() {
	local tpl=$1 work=$2 id=$3 st ts rel n
	st=$(state_of "$work" "$id")
	ts=$(state_of "$tpl" "$id")
	n=$(wc -l <"$work/.qmb/audit/$id.audit.json" 2>/dev/null)
	jq -e --slurpfile o "$ts" --argjson n "${n:-0}" '.version == 1 and
	    .approved_script_parts == $o[0].approved_script_parts and
	    .completed_stages == $o[0].completed_stages and
	    .pending_tables == $o[0].pending_tables and
	    .gemini_reviews == $o[0].gemini_reviews and .audit_seq == $n' \
	    "$st" >/dev/null 2>&1 ||
	    { echo "$id: not format 1 with the legacy data at its trail's head" >&2; return 1; }
	if [ -z "$4" ]; then
		QMB_PROJECT_DIR=$work qmb-audit -q verify "$id" >/dev/null 2>&1 ||
		    { echo "$id: trail does not verify" >&2; return 1; }
	fi
	for rel in $(tpl_files "$tpl" "$id"); do
		cmp -s "$tpl/.qmb/$rel" "$work/.qmb/$rel" && continue
		cmp -s "$tpl/.qmb/$rel" "$work/.qmb/migrated/$id/$rel" ||
		    { echo "$id: $rel neither in place nor kept" >&2; return 1; }
	done
}

# check_sessions TPL WORK IDS: each is legacy-intact or migrated; counts
# go to $intact and $migrated
check_sessions() {
	local id
	intact=0 migrated=0
	for id in $3; do
		if [ "$(jq 'has("version")' "$(state_of "$2" "$id")" 2>/dev/null)" = false ]; then
			is_intact "$1" "$2" "$id" ||
			    { echo "$id: legacy state but files changed" >&2; return 1; }
			intact=$((intact + 1))
		else
			is_migrated "$1" "$2" "$id" noverify || return 1
			migrated=$((migrated + 1))
		fi
	done
	# every trail verifies, also one a migration left before its save
	QMB_PROJECT_DIR=$2 qmb-audit -q verify --all >/dev/null 2>&1 ||
	    { echo "a trail does not verify" >&2; return 1; }
}

# check_done TPL WORK IDS: all migrated, nothing of the old layout left,
# every original kept, trails and sessions clean
check_done() {
	local tpl=$1 work=$2 id rel
	for id in $3; do
		is_migrated "$tpl" "$work" "$id" noverify || return 1
		for rel in $(tpl_files "$tpl" "$id"); do
			cmp -s "$tpl/.qmb/$rel" "$work/.qmb/migrated/$id/$rel" ||
			    { echo "$id: $rel not kept" >&2; return 1; }
			case $rel in
			logs/*.log*|sessions/*) ;;
			*) [ ! -e "$work/.qmb/$rel" ] ||
				{ echo "$id: $rel left in place" >&2; return 1; } ;;
			esac
		done
	done
	if [ -f "$tpl/.qmb/init.log" ]; then
		if ! cmp -s "$tpl/.qmb/init.log" "$work/.qmb/migrated/_project/init.log" ||
		    [ -e "$work/.qmb/init.log" ]; then
			echo "init.log not moved" >&2
			return 1
		fi
	fi
	[ -z "$(find "$work" -name '*.tmp')" ] ||
	    { echo "left: $(find "$work" -name '*.tmp')" >&2; return 1; }
	QMB_PROJECT_DIR=$work qmb-audit -q verify --all >/dev/null 2>&1 ||
	    { echo "qmb-audit verify --all fails" >&2; return 1; }
	QMB_PROJECT_DIR=$work qmb-recover -q check >/dev/null 2>&1 ||
	    { echo "qmb-recover check finds problems" >&2; return 1; }
}

# make_many FIXTURE DIR N: a project in DIR with N copies of the fixture's
# session S1 under new ids: every third in the logger's layout (.qmb/logs/),
# every fifth archived
make_many() {
	local fix=$1 dir=$2 n=$3 i id f q
	local s1=qmb-1737453600000-1a2b3c4d
	q="$dir/.qmb"
	mkdir -p "$q/sessions" "$q/logs" "$q/archive" || return 1
	for ((i = 1; i <= n; i++)); do
		id=$(printf 'qmb-17374536%05d-1a2b%04x' "$i" "$i")
		for f in sessions/$s1.json sessions/$s1.json.bak $s1.audit.json \
		    $s1.log $s1.log.1; do
			sed "s/$s1/$id/g" "$fix/.qmb/$f" >"$q/${f//$s1/$id}" || return 1
		done
		if ((i % 3 == 0)); then
			mv "$q/$id.audit.json" "$q/$id.log" "$q/$id.log.1" "$q/logs/"
		fi
		if ((i % 5 == 0)); then
			mv "$q/sessions/$id.json" "$q/archive/$id.json"
			rm "$q/sessions/$id.json.bak"
		fi
	done
	cp "$fix/.qmb/init.log" "$q/init.log"
}
