#!/bin/sh
# A whole QlikModelBuilder session in a scratch project: create, approve
# stages A..F, change tables, "crash" and come back, look at the files,
# have the script reviewed and complete the session.  Without
# GEMINI_API_KEY or GOOGLE_API_KEY the review goes to the project's fake
# Gemini server (fake_gemini.py, next to this script when installed) on
# 127.0.0.1.  Run from the source tree by `make demo`, or installed as
# $PREFIX/share/qmb/demo.sh with the programs on PATH.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$top/qmb-session" ] && PATH="$top:$PATH"
proj=$(mktemp -d "${TMPDIR:-/tmp}/qmb-demo.XXXXXX")
export QMB_PROJECT_DIR="$proj" QMB_USER="${QMB_USER:-demo@example.com}"

run() {
	printf '\n$ %s\n' "$*"
	"$@"
}
part() {
	printf '\n$ qmb-session approve %s %s <<EOF ... EOF\n' "$1" "$2"
	qmb-session approve "$1" "$2" -
}

printf 'Scratch project: %s\n' "$proj"
# shellcheck disable=SC2016 # the command is shown, not run
printf '\n$ id=$(qmb-session new SalesModel --model-type star_schema)\n'
id=$(qmb-session new SalesModel --model-type star_schema)
printf '%s\n' "$id"

part "$id" A <<'QVS'
QUALIFY *;
SET vDataPath = 'lib://SalesData/';
SET DateFormat = 'YYYY-MM-DD';
QVS
part "$id" B <<'QVS'
DIM_Customers:
LOAD CustomerID, CustomerName, Region FROM [$(vDataPath)customers.qvd] (qvd);
DIM_Products:
LOAD ProductID, ProductName, Category FROM [$(vDataPath)products.qvd] (qvd);
DIM_Stores:
LOAD StoreID, StoreName, City FROM [$(vDataPath)stores.qvd] (qvd);
QVS
run qmb-session tables "$id" add FACT_Orders FACT_Returns
run qmb-session list

printf '\n# The process dies here (a crash, a closed terminal). The user comes back:\n'
printf '\n$ qmb-session start SalesModel\n'
qmb-session start SalesModel || printf '(exit %d: a saved session was found and nobody decided)\n' $?
run qmb-session start SalesModel --resume

part "$id" C <<'QVS'
FACT_Orders:
LOAD OrderID, CustomerID, ProductID, StoreID, OrderDate, Amount
FROM [$(vDataPath)orders.qvd] (qvd);
FACT_Returns:
LOAD ReturnID, OrderID, ReturnDate, Amount as ReturnAmount
FROM [$(vDataPath)returns.qvd] (qvd);
QVS
run qmb-session tables "$id" remove FACT_Orders FACT_Returns
part "$id" D <<'QVS'
// star schema: no link table needed
QVS
part "$id" E <<'QVS'
MasterCalendar:
LOAD Date(MinDate + IterNo() - 1) as OrderDate
AUTOGENERATE 1 WHILE MinDate + IterNo() - 1 <= MaxDate;
QVS
part "$id" F <<'QVS'
STORE FACT_Orders INTO [$(vDataPath)out/FACT_Orders.qvd] (qvd);
DROP TABLES FACT_Orders, FACT_Returns;
QVS
run qmb-session show "$id"
printf '\n$ qmb-session complete %s\n' "$id"
qmb-session complete "$id" ||
	printf '(exit %d: completion waits for the Gemini review of the script)\n' $?

printf '\n$ find .qmb -type f | sort\n'
(cd "$proj" && find .qmb -type f | sort)
printf '\n$ tail -3 .qmb/logs/%s.log | jq -c "{level, action, stage}"\n' "$id"
if command -v jq >/dev/null 2>&1; then
	tail -3 "$proj/.qmb/logs/$id.log" | jq -c '{level, action, stage}'
	printf '\n$ jq -c "{seq, type, stage: .details.stage}" .qmb/audit/%s.audit.json\n' "$id"
	jq -c '{seq, type, stage: .details.stage}' "$proj/.qmb/audit/$id.audit.json"
fi
printf '\nThe project is kept in %s; remove it with rm -r.\n' "$proj"

# The review: Gemini itself when a key is set, else the fake server.
here=$(cd "$(dirname "$0")" && pwd)
fake=
fakepid=
for f in "$here/fake_gemini.py" "$top/tests/fake_gemini.py"; do
	if [ -f "$f" ]; then
		fake=$f
		break
	fi
done
if [ -z "${GEMINI_API_KEY:-}${GOOGLE_API_KEY:-}" ]; then
	if [ -z "$fake" ] || ! command -v python3 >/dev/null 2>&1; then
		printf '\nNo GEMINI_API_KEY, and no python3 or fake_gemini.py for the fake server: no review.\n'
		exit 0
	fi
	portdir=$(mktemp -d "${TMPDIR:-/tmp}/qmb-demo-fake.XXXXXX")
	python3 "$fake" --port 0 --port-file "$portdir/port" --mode ok \
	    >/dev/null 2>&1 &
	fakepid=$!
	trap 'kill "$fakepid" 2>/dev/null; rm -rf "$portdir"' EXIT
	i=0
	while [ ! -s "$portdir/port" ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	[ -s "$portdir/port" ] || { echo "demo: the fake Gemini server did not start" >&2; exit 1; }
	QMB_GEMINI_URL="http://127.0.0.1:$(cat "$portdir/port")"
	GEMINI_API_KEY=demo-key-for-the-fake-server
	export QMB_GEMINI_URL GEMINI_API_KEY
	printf '\n# No GEMINI_API_KEY is set: the review goes to the fake Gemini server\n'
	printf '# of the project (%s, mode ok) at %s.\n' "$fake" "$QMB_GEMINI_URL"
fi
run qmb-review run "$id" ||
	printf '(exit %d: no review; see qmb-review(1))\n' $?
run qmb-session complete "$id"
