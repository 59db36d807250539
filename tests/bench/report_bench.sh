#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The monthly report benchmark of issue 6 item 3: GET /api/v1/reports/monthly?scope=all
# over a month of 1,000,000 applications must answer within 2 seconds.
#
# It builds the release binaries (copied to $VAR/bin so a rebuild in the tree cannot
# change what is measured), brings up a stack of its own with them (the worker's monthly
# run and aggregate refresh off, so nothing else works during the measurements), loads
# BIMER_REPORT_BENCH_COUNT applications received in one month with bimer-demodata
# (realistic: types, channels, provinces, answers, events, appeals), then times with curl,
# as the centre's operator, GET ...?month=MONTH&scope=all:
#
#   on demand   no aggregate, not stored: the month's parts built from the record for the
#               request (one streamed pass per section), cold and warm
#   aggregate   `bimer-worker --report-aggregate MONTH` stores the month's parts, as the
#               worker does for the current month every BIMER_REPORT_REFRESH_S; then the
#               report summed from them, cold (MariaDB and routing restarted: InnoDB reads
#               with O_DIRECT, so its buffer pool starts empty) and warm, in JSON, CSV and
#               HTML, and two other scopes — the target is measured here
#   next        the month after (its comparison reads MONTH's aggregate)
#   run         `bimer-worker --monthly-reports MONTH`: every report of the month stored
#               (all, 81 provinces, every ministry); then the stored month, and the next one
#               comparing with it
#
# Every answer must be 200 and the report's applications.total must equal the number of
# applications the database holds for the month; a run that breaks either is refused.
# A valid run exits 0 whether or not the target is met and prints the verdict. The stack
# is stopped at the end (unless BIMER_REPORT_BENCH_KEEP=1).
#
# Settings (environment, defaults in brackets):
#   BIMER_REPORT_BENCH_VAR_DIR [var/report-bench]  wiped and recreated unless REUSE=1
#                                 (only if empty or made by this script)
#   BIMER_REPORT_BENCH_HTTP_PORT [39080] _METRICS_PORT [39081] _DB_PORT [39306]
#   BIMER_REPORT_BENCH_REDIS_PORT [39379] _SMTP_PORT [39525]
#   BIMER_REPORT_BENCH_COUNT [1000000]  applications loaded into the month
#   BIMER_REPORT_BENCH_MONTH [the previous month]  YYYY-MM, before the current month
#   BIMER_REPORT_BENCH_SEED [1]   the generator's seed
#   BIMER_REPORT_BENCH_RUNS [5]   warm repetitions
#   BIMER_REPORT_BENCH_REUSE [0]  1: keep the data of an earlier run (made with KEEP=1):
#                                 new binaries and migrations, no wipe, no load
#   BIMER_REPORT_BENCH_KEEP [0]   1: leave the stack running at the end
# Results: stdout, and $VAR/results.md (a section for tests/bench/RESULTS.md).
set -euo pipefail
umask 027

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"

VAR=${BIMER_REPORT_BENCH_VAR_DIR:-$root/var/report-bench}
[[ $VAR == /* ]] || VAR=$root/$VAR
HTTP_PORT=${BIMER_REPORT_BENCH_HTTP_PORT:-39080}
METRICS_PORT=${BIMER_REPORT_BENCH_METRICS_PORT:-39081}
DB_PORT=${BIMER_REPORT_BENCH_DB_PORT:-39306}
REDIS_PORT=${BIMER_REPORT_BENCH_REDIS_PORT:-39379}
SMTP_PORT=${BIMER_REPORT_BENCH_SMTP_PORT:-39525}
COUNT=${BIMER_REPORT_BENCH_COUNT:-1000000}
SEED=${BIMER_REPORT_BENCH_SEED:-1}
RUNS=${BIMER_REPORT_BENCH_RUNS:-5}
REUSE=${BIMER_REPORT_BENCH_REUSE:-0}
KEEP=${BIMER_REPORT_BENCH_KEEP:-0}
prev_month() { date -u -d "$(date -u -d '+3 hours' +%Y-%m-01) -1 month" +%Y-%m; }
MONTH=${BIMER_REPORT_BENCH_MONTH:-$(prev_month)}
TARGET_S=2
BIN=$VAR/bin
DB_SOCK=$VAR/run/mariadb.sock
RESULTS=$VAR/results.md
MARK=.bimer-report-bench
SYS_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
COMMAND=$(
	{ compgen -e | grep '^BIMER_REPORT_BENCH_' || true; } | sort | while read -r v; do printf '%s=%q ' "$v" "${!v}"; done
	printf 'tests/bench/report_bench.sh'
)

say() { printf '%s\n' "$*"; }
die() {
	printf 'report-bench: %s\n' "$*" >&2
	exit 1
}
refuse() {
	printf '\nreport-bench: REFUSED — %s\nreport-bench: no figures are reported.\n' "$*" >&2
	exit 1
}

for v in HTTP_PORT METRICS_PORT DB_PORT REDIS_PORT SMTP_PORT COUNT SEED RUNS; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "BIMER_REPORT_BENCH_$v must be a number"
done
[[ $MONTH =~ ^[0-9]{4}-(0[1-9]|1[0-2])$ ]] || die "BIMER_REPORT_BENCH_MONTH must be YYYY-MM"
[[ $MONTH < $(date -u -d '+3 hours' +%Y-%m) ]] || die "BIMER_REPORT_BENCH_MONTH must be a finished month"
NEXT=$(date -u -d "$MONTH-01 +1 month" +%Y-%m)

STACK_ENV=(
	PATH="$SYS_PATH" HOME="${HOME:-/root}" LANG=C.UTF-8
	BIMER_VAR_DIR="$VAR" BIMER_BIN_DIR="$BIN"
	BIMER_HTTP_PORT="$HTTP_PORT" BIMER_METRICS_PORT="$METRICS_PORT"
	BIMER_DB_PORT="$DB_PORT" BIMER_REDIS_PORT="$REDIS_PORT" BIMER_SMTP_PORT="$SMTP_PORT"
	BIMER_STACK_TIMEOUT=120 BIMER_MONTHLY_REPORTS=0 BIMER_REPORT_REFRESH_S=0
	BIMER_DEADLINE_SWEEP_MS=0
	BIMER_NGINX_API_RATE=1000r/s BIMER_NGINX_API_BURST=1000
)
stack() { env -i "${STACK_ENV[@]}" "$root/deploy/local/stack.sh" "$@"; }
db() { mariadb --no-defaults --socket="$DB_SOCK" -u "$(id -un)" --batch -N bimer; }
# A program with the stack's environment (its env file holds the database and the keys).
# shellcheck disable=SC2016 # expanded by the inner bash
with_env() { env -i PATH="$SYS_PATH" HOME="${HOME:-/root}" bash -c 'set -a; . "$0/env"; set +a; exec "$@"' "$VAR" "$@"; }

cleanup() {
	local rc=$?
	if [[ $KEEP == 1 ]]; then
		say "report-bench: BIMER_REPORT_BENCH_KEEP=1: the stack keeps running ($VAR)"
	elif [[ -f $VAR/env ]]; then
		stack down >/dev/null 2>&1 || true
	fi
	exit "$rc"
}

binaries() {
	say "== build (release)"
	make --no-print-directory -j2 build MODE=release >/dev/null || die "the release build failed"
	mkdir -p "$BIN"
	cp -p "$root"/build/release/bin/bimer-* "$BIN/"
}

prepare() {
	if [[ -d $VAR && -n $(ls -A "$VAR") && ! -f $VAR/$MARK ]]; then
		die "$VAR exists and was not made by this script: refusing to wipe it"
	fi
	[[ -f $VAR/env ]] && { stack down >/dev/null 2>&1 || true; }
	rm -rf "$VAR"
	mkdir -p "$VAR"
	touch "$VAR/$MARK"
	binaries
	say "== stack up (release, $VAR)"
	stack up >"$VAR/up.log" 2>&1 || { tail -30 "$VAR/up.log"; die "the stack did not come up"; }
	say "== load $COUNT applications into $MONTH (bimer-demodata --seed $SEED)"
	local t0 t1
	t0=$(date +%s.%N)
	with_env "$BIN/bimer-demodata" --count "$COUNT" --seed "$SEED" --from "$MONTH" --months 1 \
		>"$VAR/load.log" 2>&1 || { tail -20 "$VAR/load.log"; die "bimer-demodata failed"; }
	t1=$(date +%s.%N)
	LOAD_S=$(echo "$t1 - $t0" | bc)
	tail -1 "$VAR/load.log"
}

reuse() {
	[[ -f $VAR/$MARK && -f $VAR/env ]] || die "nothing to reuse in $VAR"
	stack down >/dev/null 2>&1 || true
	binaries
	say "== stack up again with the loaded data ($VAR)"
	stack up >"$VAR/up.log" 2>&1 || { tail -30 "$VAR/up.log"; die "the stack did not come up"; }
	db <<<"DELETE FROM monthly_reports; DELETE FROM monthly_report_runs; DELETE FROM report_aggregates"
}

token() {
	curl -s -X POST "http://127.0.0.1:$HTTP_PORT/api/v1/auth/login" \
		-H 'Content-Type: application/json' \
		-d "{\"username\":\"merkez.operator\",\"password\":\"${BIMER_DEMO_PASSWORD:-Demo.Parola.2026}\"}" |
		sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}

# time_report MONTH FORMAT [SCOPE]: the seconds in $SECS (refuses a non-200 answer); the
# body in $VAR/last. Not in a subshell, so that a refusal ends the run.
time_report() {
	local out code
	out=$(curl -s -o "$VAR/last" -w '%{http_code} %{time_total}' \
		-H "Authorization: Bearer $TOKEN" \
		"http://127.0.0.1:$HTTP_PORT/api/v1/reports/monthly?month=$1&scope=${3:-all}&format=$2")
	read -r code SECS <<<"$out"
	[[ $code == 200 ]] || refuse "GET $1 $2 ${3:-all} answered $code: $(head -c 300 "$VAR/last")"
}

# The report's applications.total must be what the database holds for the month.
check_total() { # MONTH
	local want got
	want=$(db <<<"SELECT COUNT(*) FROM applications WHERE received_at >= '$1-01' - INTERVAL 3 HOUR AND received_at < '$1-01' + INTERVAL 1 MONTH - INTERVAL 3 HOUR")
	got=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["figures"]["applications"]["total"])' "$VAR/last")
	[[ $want == "$got" ]] || refuse "the report of $1 counts $got applications, the database $want"
	TOTAL=$got
}

cold() { # restart MariaDB (empty buffer pool) and routing (new connections and statements)
	sync
	stack restart mariadb >/dev/null 2>&1 || die "MariaDB did not restart"
	stack restart routing >/dev/null 2>&1 || die "routing did not restart"
}

warm_series() { # MONTH [FORMAT] → $SERIES "t1 t2 …"
	local i
	SERIES=""
	for ((i = 0; i < RUNS; i++)); do
		time_report "$1" "${2:-json}"
		SERIES+="${SERIES:+ }$SECS"
	done
}

stats() { # "t1 t2 …" → "min median max"
	tr ' ' '\n' <<<"$1" | sort -n | awk '{v[NR]=$1} END {printf "%.3f %.3f %.3f", v[1], v[int((NR+1)/2)], v[NR]}'
}

trap cleanup EXIT
if [[ $REUSE == 1 ]]; then
	reuse
	LOAD_S=$(sed -n 's/^load_seconds=//p' "$VAR/$MARK" 2>/dev/null || true)
else
	prepare
	printf 'load_seconds=%s\n' "$LOAD_S" >"$VAR/$MARK"
fi
TOKEN=$(token)
[[ -n $TOKEN ]] || die "no token for merkez.operator"

say "== $MONTH on demand (no aggregate, not stored): cold, then $RUNS warm"
cold
TOKEN=$(token)
time_report "$MONTH" json
DEMAND_COLD=$SECS
check_total "$MONTH"
warm_series "$MONTH"
DEMAND_WARM=$SERIES

say "== the aggregate of $MONTH (bimer-worker --report-aggregate $MONTH)"
t0=$(date +%s.%N)
with_env "$BIN/bimer-worker" --report-aggregate "$MONTH" >"$VAR/aggregate.log" 2>&1 ||
	{ tail -20 "$VAR/aggregate.log"; die "the aggregate failed"; }
t1=$(date +%s.%N)
AGG_S=$(echo "$t1 - $t0" | bc)
AGG_KB=$(db <<<"SELECT LENGTH(parts) DIV 1024 FROM report_aggregates WHERE month = '$MONTH'")
say "== $MONTH from the aggregate: cold, then $RUNS warm; CSV, HTML, other scopes"
cold
TOKEN=$(token)
time_report "$MONTH" json
COLD=$SECS
check_total "$MONTH"
warm_series "$MONTH"
WARM=$SERIES
time_report "$MONTH" csv
CSV=$SECS
time_report "$MONTH" html
HTML=$SECS
time_report "$MONTH" json province:34
PROV=$SECS
time_report "$MONTH" json institution:MEB
INST=$SECS
say "== $NEXT (compares with $MONTH's aggregate)"
time_report "$NEXT" json
NEXT_AGG=$SECS

say "== the monthly run of $MONTH (bimer-worker --monthly-reports $MONTH)"
t0=$(date +%s.%N)
with_env "$BIN/bimer-worker" --monthly-reports "$MONTH" >"$VAR/run.log" 2>&1 ||
	{ tail -20 "$VAR/run.log"; die "the monthly run failed"; }
t1=$(date +%s.%N)
RUN_S=$(echo "$t1 - $t0" | bc)
NREPORTS=$(db <<<"SELECT COUNT(*) FROM monthly_reports WHERE month = '$MONTH'")
warm_series "$MONTH"
STORED=$SERIES
grep -q '"stored":true' "$VAR/last" || refuse "the report of $MONTH is not the stored one"
check_total "$MONTH"
warm_series "$NEXT"
NEXT_STORED=$SERIES

CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
read -r dmin dmed dmax <<<"$(stats "$DEMAND_WARM")"
read -r wmin wmed wmax <<<"$(stats "$WARM")"
read -r smin smed smax <<<"$(stats "$STORED")"
read -r tmin tmed tmax <<<"$(stats "$NEXT_STORED")"
worst=$(printf '%s\n' "$COLD" "$wmax" | sort -n | tail -1)
verdict=$(awk -v w="$worst" -v t="$TARGET_S" 'BEGIN {print (w <= t) ? "met" : "MISSED"}')
demand_worst=$(printf '%s\n' "$DEMAND_COLD" "$dmax" | sort -n | tail -1)

{
	printf '## %s — monthly report, scope=all, %s applications in one month (target: %s)\n\n' \
		"$(date -u '+%Y-%m-%d %H:%M UTC')" "$(printf "%'d" "$TOTAL")" "$verdict"
	printf -- '- machine: %s, %s vCPUs, %s RAM, load average %s at the end; MariaDB %s (innodb_buffer_pool_size %s)\n' \
		"$CPU" "$(nproc)" "$(free -h | awk '/^Mem:/ {print $2}')" "$(cut -d' ' -f1-3 /proc/loadavg)" \
		"$(db <<<'SELECT VERSION()')" "$(db <<<'SELECT @@innodb_buffer_pool_size DIV 1048576')M"
	# shellcheck disable=SC2016 # Markdown back quotes
	printf -- '- command: `%s` (commit %s; the report engine uncommitted at the time if the tree was dirty)\n' \
		"$COMMAND" "$(git rev-parse --short HEAD 2>/dev/null || echo '?')"
	# shellcheck disable=SC2016
	printf -- '- data: `bimer-demodata --count %s --seed %s --from %s --months 1` (%s received in %s), loaded in %s s\n\n' \
		"$COUNT" "$SEED" "$MONTH" "$TOTAL" "$MONTH" "${LOAD_S:-?}"
	printf '| request | seconds |\n| --- | ---: |\n'
	printf '| %s JSON on demand (no aggregate), cold | %.3f |\n' "$MONTH" "$DEMAND_COLD"
	printf '| %s JSON on demand, warm ×%s (min / median / max) | %s / %s / %s |\n' "$MONTH" "$RUNS" "$dmin" "$dmed" "$dmax"
	# shellcheck disable=SC2016
	printf '| `bimer-worker --report-aggregate %s` (%s KiB of parts) | %.1f |\n' "$MONTH" "$AGG_KB" "$AGG_S"
	printf '| **%s JSON from the aggregate, cold** (MariaDB and routing restarted) | **%.3f** |\n' "$MONTH" "$COLD"
	printf '| **%s JSON from the aggregate, warm ×%s** | **%s / %s / %s** |\n' "$MONTH" "$RUNS" "$wmin" "$wmed" "$wmax"
	printf '| %s CSV / HTML from the aggregate | %.3f / %.3f |\n' "$MONTH" "$CSV" "$HTML"
	printf '| %s province:34 / institution:MEB from the aggregate | %.3f / %.3f |\n' "$MONTH" "$PROV" "$INST"
	printf '| %s JSON (on demand; compares with the aggregate of %s) | %.3f |\n' "$NEXT" "$MONTH" "$NEXT_AGG"
	printf '| monthly run of %s: %s reports stored | %.1f |\n' "$MONTH" "$NREPORTS" "$RUN_S"
	printf '| %s JSON, stored, ×%s | %s / %s / %s |\n' "$MONTH" "$RUNS" "$smin" "$smed" "$smax"
	printf '| %s JSON (compares with the stored %s), ×%s | %s / %s / %s |\n\n' "$NEXT" "$MONTH" "$RUNS" "$tmin" "$tmed" "$tmax"
	printf 'Target: the report of a month of 1,000,000 applications, scope=all, within %s s: **%s** from the\n' "$TARGET_S" "$verdict"
	printf 'aggregate (worst %s s); on demand, without one, the worst was %s s.\n' "$worst" "$demand_worst"
} >"$RESULTS"
say
cat "$RESULTS"
