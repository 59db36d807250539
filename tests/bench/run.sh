#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The benchmark of issue 3: wrk against a running BİMER stack (not a timed test).
#
# It builds the release binaries and the floor responder (floor.c), brings up a
# stack of its own (var/bench, its own ports) with the release build, the floor
# behind the same nginx at /bench/floor and the rate limits raised so that they never
# trip (their Redis round trips still happen), creates BIMER_BENCH_APPS applications
# through the API and marks them verified with one SQL batch, then measures with wrk,
# one scenario after the other, each after a short warm-up:
#
#   floor          POST /bench/floor            the minimal FastCGI responder    200
#   status_hits    POST /api/v1/status          known ID + application numbers   200
#   status_misses  POST /api/v1/status          random valid pairs               404
#   submissions    POST /api/v1/applications    a distinct valid body each       202
#   floor_keepalive  the floor again, with nginx keeping upstream connections
#                  (BIMER_BENCH_FLOOR_KEEPALIVE) and enough floor threads for them
#
# nginx keeps connections to the services (BIMER_NGINX_UPSTREAM_KEEPALIVE, the product
# default; common/bm_conn.h). The floor is a plain libfcgi responder, a thread per
# connection: it is measured both without kept connections and with them (and enough
# threads), and the targets are checked against the faster of the two.
#
# For each it records requests/s, latency p50/p90/p99/max, the answers by status and
# the CPU each process used, and compares the figures with the issue's targets
# (status >= 25% of the floor's throughput with p99 <= 15 ms; submissions >= 3,000/s,
# durable). It REFUSES to report (exit 1) a run in which any answer has another status
# than expected, wrk saw a socket error or timeout, MariaDB is not durable
# (innodb_flush_log_at_trx_commit=1, sync_binlog=1), or fewer applications were
# committed than wrk counted 202 answers (or more than that plus the requests wrk left in
# flight). A valid run exits 0 whether or not the targets are met; the verdicts are
# printed. The stack is always stopped at the end. The other processes of this shared
# machine are measured too: a scenario during which they used much CPU is flagged.
#
# Settings (environment, defaults in brackets):
#   BIMER_BENCH_VAR_DIR [var/bench]  wiped and recreated at every run (only if it is
#                                 empty or was made by this script)
#   BIMER_BENCH_HTTP_PORT [38080] _METRICS_PORT [38081] _DB_PORT [33306]
#   BIMER_BENCH_REDIS_PORT [36379] _SMTP_PORT [32525]
#   BIMER_BENCH_THREADS [12]      BIMER_THREADS of every service and of the floor
#   BIMER_BENCH_SUBMISSION_THREADS [64] BIMER_SUBMISSION_THREADS: the submission service's
#                                 own (its threads mostly wait for their intake batch:
#                                 more of them, bigger batches)
#   BIMER_BENCH_INTAKE_WRITERS [2] / BIMER_BENCH_INTAKE_BATCH [32]  BIMER_INTAKE_WRITERS and
#                                 BIMER_INTAKE_BATCH (services/submission/batch.h)
#   BIMER_BENCH_STATUS_THREADS [6] BIMER_STATUS_THREADS: the status service's own (its
#                                 hits are served from Redis: fewer threads, shorter tail)
#   BIMER_BENCH_KEEPALIVE [32]    BIMER_NGINX_UPSTREAM_KEEPALIVE: idle connections each
#                                 nginx worker keeps per service; 0 none (RESULTS.md)
#   BIMER_BENCH_FLOOR_KEEPALIVE [32] / BIMER_BENCH_FLOOR_THREADS [72]
#                                 the same two for the floor_keepalive scenario
#   BIMER_BENCH_CONNECTIONS [64]  BIMER_BENCH_WRK_THREADS [2]
#   BIMER_BENCH_DURATION [20]     seconds measured per scenario
#   BIMER_BENCH_WARMUP [3]        seconds of warm-up before each
#   BIMER_BENCH_APPS [3000]       applications created for the hits
#   BIMER_BENCH_PREP_CONNECTIONS [16]  concurrent connections creating them
#   BIMER_BENCH_SUBMIT_POOL [40000] submission requests each wrk thread builds before it
#                                 starts (each body distinct: the run's bodies repeat only
#                                 past 2 x this many requests); 0 builds each on the fly
#   BIMER_BENCH_SCENARIOS [floor status_hits status_misses submissions floor_keepalive]
#   BIMER_BENCH_WORKER [0]        1: keep the worker running (it then delivers every
#                                 verification mail to the local sink during the runs)
#   BIMER_BENCH_KEEP [0]          1: leave the stack and the floor running (profiling);
#                                 stop with BIMER_VAR_DIR=var/bench deploy/local/stack.sh
#                                 down and kill the pid in var/bench/run/bench-floor.pid
#   BIMER_BENCH_FORCE [0]         1: run even while `make test` (tests/run.sh) runs
# Results: stdout, and $BIMER_BENCH_VAR_DIR/results.md (paste into RESULTS.md).
set -euo pipefail
umask 027

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"

VAR=${BIMER_BENCH_VAR_DIR:-$root/var/bench}
[[ $VAR == /* ]] || VAR=$root/$VAR
HTTP_PORT=${BIMER_BENCH_HTTP_PORT:-38080}
METRICS_PORT=${BIMER_BENCH_METRICS_PORT:-38081}
DB_PORT=${BIMER_BENCH_DB_PORT:-33306}
REDIS_PORT=${BIMER_BENCH_REDIS_PORT:-36379}
SMTP_PORT=${BIMER_BENCH_SMTP_PORT:-32525}
THREADS=${BIMER_BENCH_THREADS:-12}
STATUS_THREADS=${BIMER_BENCH_STATUS_THREADS:-6}
SUBMISSION_THREADS=${BIMER_BENCH_SUBMISSION_THREADS:-64}
INTAKE_WRITERS=${BIMER_BENCH_INTAKE_WRITERS:-2}
INTAKE_BATCH=${BIMER_BENCH_INTAKE_BATCH:-32}
KEEPALIVE=${BIMER_BENCH_KEEPALIVE:-32}
FLOOR_KEEPALIVE=${BIMER_BENCH_FLOOR_KEEPALIVE:-32}
FLOOR_THREADS=${BIMER_BENCH_FLOOR_THREADS:-72}
CONNS=${BIMER_BENCH_CONNECTIONS:-64}
WRK_THREADS=${BIMER_BENCH_WRK_THREADS:-2}
DURATION=${BIMER_BENCH_DURATION:-20}
WARMUP=${BIMER_BENCH_WARMUP:-3}
APPS=${BIMER_BENCH_APPS:-3000}
PREP_CONNS=${BIMER_BENCH_PREP_CONNECTIONS:-16}
SUBMIT_POOL=${BIMER_BENCH_SUBMIT_POOL:-40000}
SCENARIOS=${BIMER_BENCH_SCENARIOS:-floor status_hits status_misses submissions floor_keepalive}
WORKER=${BIMER_BENCH_WORKER:-0}
KEEP=${BIMER_BENCH_KEEP:-0}
FORCE=${BIMER_BENCH_FORCE:-0}

# The release binaries are copied here after the build, so that a rebuild in the tree
# during the run (other work goes on) can neither change nor delete what is measured.
BIN=$VAR/bin
FLOOR_BIN=$VAR/bin/bimer-bench-floor
FLOOR_SOCK=$VAR/run/bench-floor.sock
FLOOR_PID=$VAR/run/bench-floor.pid
PAIRS=$VAR/pairs.txt
RESULTS=$VAR/results.md
DB_SOCK=$VAR/run/mariadb.sock
SYS_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# The command as run, with the settings the caller gave, for the report.
COMMAND=$(
	{ compgen -e | grep '^BIMER_BENCH_' || true; } | sort | while read -r v; do printf '%s=%q ' "$v" "${!v}"; done
	printf 'tests/bench/run.sh'
)
MARK=.bimer-bench

say() { printf '%s\n' "$*"; }
die() {
	printf 'bench: %s\n' "$*" >&2
	exit 1
}
refuse() {
	printf '\nbench: REFUSED — %s\nbench: no figures are reported for this run.\n' "$*" >&2
	exit 1
}

for v in HTTP_PORT METRICS_PORT DB_PORT REDIS_PORT SMTP_PORT THREADS FLOOR_KEEPALIVE \
	FLOOR_THREADS CONNS WRK_THREADS DURATION WARMUP APPS PREP_CONNS; do
	[[ ${!v} =~ ^[0-9]+$ && ${!v} -gt 0 ]] || die "BIMER_BENCH_$v must be a positive number"
done
[[ $KEEPALIVE =~ ^[0-9]+$ ]] || die "BIMER_BENCH_KEEPALIVE must be a number"
[[ $SUBMIT_POOL =~ ^[0-9]+$ ]] || die "BIMER_BENCH_SUBMIT_POOL must be a number"
for s in $SCENARIOS; do
	case $s in floor | status_hits | status_misses | submissions | floor_keepalive) ;;
	*) die "unknown scenario '$s'" ;;
	esac
done
command -v wrk >/dev/null || die "wrk is missing (Debian package wrk)"

# ------------------------------------------------------------------ the stack

# stack.sh runs with a clean environment: only what this benchmark sets, so a caller's
# own BIMER_* (another stack's run dir, ports, limits) can never leak into it.
STACK_ENV=(
	PATH="$SYS_PATH" HOME="${HOME:-/root}" LANG=C.UTF-8
	BIMER_VAR_DIR="$VAR" BIMER_BIN_DIR="$BIN"
	BIMER_HTTP_PORT="$HTTP_PORT" BIMER_METRICS_PORT="$METRICS_PORT"
	BIMER_DB_PORT="$DB_PORT" BIMER_REDIS_PORT="$REDIS_PORT" BIMER_SMTP_PORT="$SMTP_PORT"
	BIMER_THREADS="$THREADS" BIMER_STATUS_THREADS="$STATUS_THREADS" BIMER_SUBMISSION_THREADS="$SUBMISSION_THREADS" BIMER_INTAKE_WRITERS="$INTAKE_WRITERS" BIMER_INTAKE_BATCH="$INTAKE_BATCH" BIMER_NGINX_UPSTREAM_KEEPALIVE="$KEEPALIVE" BIMER_STACK_TIMEOUT=120
	# Limits high enough never to trip: the numbers measure the work, not the limiter.
	BIMER_NGINX_API_RATE=1000000r/s BIMER_NGINX_API_BURST=100000
	BIMER_RL_STATUS_IP=1000000/1 BIMER_RL_STATUS_ID=1000000/1
	BIMER_RL_SUBMIT_IP=1000000/1 BIMER_RL_SUBMIT_ID=1000000/1
	BIMER_NGINX_BENCH_FLOOR="$FLOOR_SOCK"
)

stack() { env -i "${STACK_ENV[@]}" "$root/deploy/local/stack.sh" "$@"; }

db() { mariadb --no-defaults --socket="$DB_SOCK" -u "$(id -un)" --batch -N bimer; }

floor_running() {
	local pid
	[[ -r $FLOOR_PID ]] && read -r pid <"$FLOOR_PID" && [[ $pid =~ ^[0-9]+$ ]] &&
		{ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -qF "bimer-bench-floor $FLOOR_SOCK" &&
		printf '%s' "$pid"
}

stop_floor() {
	local pid i
	pid=$(floor_running) || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		[[ -d /proc/$pid ]] || break
		sleep 0.1
	done
	[[ -d /proc/$pid ]] && kill -KILL "$pid" 2>/dev/null
	rm -f "$FLOOR_PID"
}

cleanup() {
	local rc=$?
	if [[ $KEEP == 1 ]]; then
		say "bench: BIMER_BENCH_KEEP=1: the stack and the floor keep running (see the header)"
	else
		stop_floor
		if [[ -d $VAR ]]; then stack down >/dev/null 2>&1 || true; fi
	fi
	exit "$rc"
}

start_floor() { # [THREADS]
	mkdir -p "$VAR/run" "$VAR/log"
	(
		cd /
		exec setsid env -i PATH="$SYS_PATH" BIMER_THREADS="${1:-$THREADS}" BIMER_VAR_DIR="$VAR" \
			"$FLOOR_BIN" "$FLOOR_SOCK" </dev/null >>"$VAR/log/bench-floor.log" 2>&1
	) &
	printf '%s\n' "$!" >"$FLOOR_PID"
	local i
	for ((i = 0; i < 50; i++)); do
		[[ -S $FLOOR_SOCK ]] && return 0
		sleep 0.1
	done
	cat "$VAR/log/bench-floor.log" >&2 || true
	die "the floor responder did not open $FLOOR_SOCK"
}

build() {
	say "== build (release) and the floor responder"
	make --no-print-directory -j2 build MODE=release >/dev/null || die "the release build failed"
	mkdir -p "$VAR/bin"
	cp -p "$root"/build/release/bin/bimer-* "$VAR/bin/"
	local fcgi_cflags fcgi_libs
	read -r -a fcgi_cflags <<<"$(pkg-config --cflags fcgi)"
	read -r -a fcgi_libs <<<"$(pkg-config --libs fcgi)"
	# The flags of the Makefile's release mode (warnings are errors).
	cc -std=c11 -D_GNU_SOURCE -pthread -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wvla \
		-Wno-missing-field-initializers -g -O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong \
		"${fcgi_cflags[@]}" "$here/floor.c" -o "$FLOOR_BIN" "${fcgi_libs[@]}" -lpthread || die "floor.c did not build"
}

# ------------------------------------------------------------------ measuring

# CPU ticks (user+system, all threads) of one pid, or 0 when it is gone.
ticks_of() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || {
		echo 0
		return
	}
	s=${s##*) }
	local -a fs
	read -r -a fs <<<"$s"
	echo $((fs[11] + fs[12]))
}

# "name pid pid ..." lines of the processes whose CPU use is reported.
components() {
	local c pid master
	for c in status submission mariadb redis worker mailsink; do
		pid=$(cat "$VAR/run/$c.pid" 2>/dev/null) && [[ -d /proc/$pid ]] && echo "$c $pid"
	done
	pid=$(floor_running) && echo "floor $pid"
	master=$(cat "$VAR/nginx/nginx.pid" 2>/dev/null) &&
		echo "nginx $master $(pgrep -P "$master" | tr '\n' ' ')"
}

# /proc/stat "cpu" line: user nice system idle iowait irq softirq steal.
total_ticks() { awk '/^cpu /{print $2+$3+$4+$5+$6+$7+$8+$9; exit}' /proc/stat; }
busy_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9; exit}' /proc/stat; }

# snapshot NAME: remember every component's ticks and the machine's.
declare -A SNAP
snapshot() {
	local name pids p t
	while read -r name pids; do
		t=0
		for p in $pids; do t=$((t + $(ticks_of "$p"))); done
		SNAP[$1.$name]=$t
	done < <(components)
	SNAP[$1._total]=$(total_ticks)
	SNAP[$1._busy]=$(busy_ticks)
}

# "nginx 41% status 70% ... wrk 30% | machine ..." between two snapshots (100% = one
# core); WRK_CPU is wrk's share. The rest is other processes on this shared machine
# and interrupt time not charged to a process; FOREIGN_CPU keeps it for a warning.
cpu_report() {
	local a=$1 b=$2 name total out="" sum=0 pct
	total=$((${SNAP[$b._total]} - ${SNAP[$a._total]}))
	((total > 0)) || return 0
	local ncpu
	ncpu=$(nproc)
	for name in nginx floor status submission mariadb redis worker mailsink; do
		[[ -n ${SNAP[$a.$name]:-} && -n ${SNAP[$b.$name]:-} ]] || continue
		pct=$(((${SNAP[$b.$name]} - ${SNAP[$a.$name]}) * 100 * ncpu / total))
		sum=$((sum + pct))
		out+="$name ${pct}% "
	done
	pct=$(((${SNAP[$b._busy]} - ${SNAP[$a._busy]}) * 100 * ncpu / total))
	FOREIGN_CPU=$((pct - sum - WRK_CPU))
	((FOREIGN_CPU >= 0)) || FOREIGN_CPU=0
	out+="wrk ${WRK_CPU}% | machine busy ${pct}% of $((ncpu * 100))%, of which the rest (other processes, interrupts) ${FOREIGN_CPU}%"
	echo "$out"
}

# Questions, Com_commit and Innodb_log_writes (redo log writes: with group commit one
# write, and its flush, covers several commits).
db_status() {
	db <<<"SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions', 'Com_commit', 'Innodb_log_writes')" |
		awk '{v[$1]=$2} END {print v["Questions"]+0, v["Com_commit"]+0, v["Innodb_log_writes"]+0}'
}

declare -A R # R[scenario.key] = value from the BENCH line

# run_wrk SCENARIO SECONDS: one wrk run; fills R[scenario.*] and refuses bad runs.
run_wrk() {
	local sc=$1 secs=$2 script expect pool args=() out line kv
	case $sc in
	floor | floor_keepalive) script=floor.lua expect=200 pool=10000 ;;
	status_hits) script=status_hits.lua expect=200 pool=$APPS args=("$PAIRS") ;;
	status_misses) script=status_misses.lua expect=404 pool=20000 args=("$PAIRS") ;;
	submissions) script=submit.lua expect=202 pool=$SUBMIT_POOL ;;
	esac
	# wrk's own CPU (user and system seconds) from bash's time keyword.
	local TIMEFORMAT='%R %U %S' real usr sys
	out=$({ time BIMER_BENCH_DIR="$here" BIMER_BENCH_EXPECT=$expect BIMER_BENCH_POOL=$pool \
		wrk -t"$WRK_THREADS" -c"$CONNS" -d"${secs}s" --timeout 5s -s "$here/$script" \
		"http://127.0.0.1:$HTTP_PORT/" -- "${args[@]}" 2>&1; } 2>"$VAR/wrk.time") || {
		printf '%s\n' "$out" >&2
		refuse "wrk failed in $sc"
	}
	read -r real usr sys <"$VAR/wrk.time"
	R[$sc.wrk_cpu]=$(awk -v u="$usr" -v s="$sys" -v d="$real" 'BEGIN {printf "%d", 100 * (u + s) / d}')
	line=$(grep '^BENCH ' <<<"$out") || {
		printf '%s\n' "$out" >&2
		refuse "wrk printed no result line in $sc"
	}
	for kv in ${line#BENCH }; do R[$sc.${kv%%=*}]=${kv#*=}; done
	if ((R[$sc.unexpected] > 0 || R[$sc.errors] > 0 || R[$sc.requests] == 0)); then
		printf '%s\n' "$out" >&2
		refuse "$sc: expected only $expect, got statuses ${R[$sc.statuses]}, socket errors ${R[$sc.errors]}"
	fi
	R[$sc.expect]=$expect
}

count_applications() { db <<<"SELECT COUNT(*) FROM applications"; }

# floor_keepalive N FLOOR_THREADS: nginx re-rendered with that keepalive for the floor's
# upstream, the floor restarted with that many threads (more than nginx can keep idle).
floor_keepalive() {
	env -i "${STACK_ENV[@]}" BIMER_NGINX_BENCH_FLOOR_KEEPALIVE="$1" \
		"$root/deploy/local/stack.sh" restart nginx >/dev/null || die "nginx did not restart"
	stop_floor
	start_floor "$2"
}

# ------------------------------------------------------------------ steps

machine() {
	local model cores mem
	model=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
	cores=$(nproc)
	mem=$(awk '/^MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo)
	printf '%s, %s cores (%s), %s RAM, kernel %s' "$model" "$cores" \
		"$(lscpu | sed -n 's/^Hypervisor vendor:[[:space:]]*/VM: /p' | head -1)" "$mem" "$(uname -r)"
}

check_quiet() {
	local f cmd
	for f in /proc/[0-9]*/cmdline; do
		cmd=$({ tr '\0' ' ' <"$f"; } 2>/dev/null) || continue
		if [[ $cmd == *tests/run.sh* && $FORCE != 1 ]]; then
			die "tests/run.sh (make test) is running (${f%/cmdline}): on this machine both would be distorted; wait, or BIMER_BENCH_FORCE=1"
		fi
	done
	local t0 b0 t1 b1
	t0=$(total_ticks) b0=$(busy_ticks)
	sleep 2
	t1=$(total_ticks) b1=$(busy_ticks)
	IDLE_BUSY=$(((b1 - b0) * 100 / (t1 - t0 + 1)))
	say "machine load before the run: ${IDLE_BUSY}% busy"
	((IDLE_BUSY < 20)) || say "bench: WARNING: the machine is already ${IDLE_BUSY}% busy; the figures will be low"
}

bring_up() {
	say "== stack (release build) under $VAR, HTTP $HTTP_PORT, BIMER_THREADS=$THREADS, upstream keepalive $KEEPALIVE"
	if [[ -d $VAR ]]; then stack down >/dev/null 2>&1 || true; fi
	if [[ -r $FLOOR_PID ]]; then stop_floor; fi
	# Never wipe a directory this script did not make.
	if [[ -d $VAR && ! -e $VAR/$MARK && -n $(ls -A "$VAR") ]]; then
		die "$VAR exists and was not made by tests/bench/run.sh: choose another BIMER_BENCH_VAR_DIR"
	fi
	rm -rf "$VAR"
	mkdir -p "$VAR"
	: >"$VAR/$MARK"
	build
	start_floor
	stack up >"$VAR/stack-up.log" 2>&1 || {
		tail -n 40 "$VAR/stack-up.log" >&2
		die "the bench stack did not come up"
	}
}

check_durable() {
	local v
	v=$(db <<<"SELECT @@innodb_flush_log_at_trx_commit, @@sync_binlog, @@log_bin, @@innodb_flush_method, @@innodb_doublewrite")
	read -r FLUSH SYNC_BINLOG LOG_BIN FLUSH_METHOD DOUBLEWRITE <<<"$v"
	DURABLE="innodb_flush_log_at_trx_commit=$FLUSH, sync_binlog=$SYNC_BINLOG, log_bin=$LOG_BIN, innodb_flush_method=$FLUSH_METHOD, innodb_doublewrite=$DOUBLEWRITE"
	say "MariaDB: $DURABLE"
	[[ $FLUSH == 1 && $SYNC_BINLOG == 1 ]] || refuse "MariaDB is not durable ($DURABLE)"
}

prepare() {
	say "== data: $APPS applications through the API, then verified in one SQL batch"
	/usr/bin/python3 "$here/prepare.py" "$HTTP_PORT" "$APPS" "$PAIRS" "$PREP_CONNS" || die "preparing the data failed"
	local n
	n=$(db <<'EOF'
START TRANSACTION;
UPDATE applications
   SET status = 'received', received_at = UTC_TIMESTAMP(3),
       due_at = UTC_TIMESTAMP(3) + INTERVAL 30 DAY
 WHERE status = 'awaiting_verification';
INSERT INTO application_events (application_id, at, kind)
SELECT id, received_at, 'received' FROM applications WHERE status = 'received';
UPDATE verification_tokens SET used_at = UTC_TIMESTAMP(3) WHERE used_at IS NULL;
COMMIT;
SELECT COUNT(*) FROM applications WHERE status = 'received';
EOF
	)
	[[ $n == "$APPS" ]] || die "expected $APPS verified applications, found $n"
	say "verified: $n applications (pairs in $PAIRS)"
	if [[ $WORKER != 1 ]]; then
		# Its mail to the Python sink is not on any request's path; see RESULTS.md.
		stack stop worker >/dev/null
		say "worker: stopped for the measurements (BIMER_BENCH_WORKER=1 keeps it)"
	fi
	local code
	code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
		-d '{}' "http://127.0.0.1:$HTTP_PORT/bench/floor")
	[[ $code == 200 ]] || die "POST /bench/floor answered $code, not 200"
}

measure() {
	local sc before after d0 d1 q c f n_apps n202
	for sc in $SCENARIOS; do
		if [[ $sc == floor_keepalive ]]; then
			floor_keepalive "$FLOOR_KEEPALIVE" "$FLOOR_THREADS"
			say "== nginx upstream keepalive $FLOOR_KEEPALIVE, floor threads $FLOOR_THREADS"
		fi
		say "== $sc: warm-up ${WARMUP}s, then ${DURATION}s at $CONNS connections, $WRK_THREADS wrk threads"
		[[ $sc == submissions ]] && before=$(count_applications)
		run_wrk "$sc" "$WARMUP"
		local warm=${R[$sc.requests]}
		d0=$(db_status)
		snapshot "$sc.0"
		run_wrk "$sc" "$DURATION"
		snapshot "$sc.1"
		d1=$(db_status)
		read -r q c f < <(awk -v a="$d0" -v b="$d1" \
			'BEGIN {split(a, x, " "); split(b, y, " "); print y[1] - x[1], y[2] - x[2], y[3] - x[3]}')
		R[$sc.db]=$(awk -v q="$q" -v c="$c" -v f="$f" -v n="${R[$sc.requests]}" -v s="$DURATION" \
			'BEGIN {printf "%.1f statements/request, %.0f commits/s, %.0f redo log writes/s", q/n, c/s, f/s}')
		WRK_CPU=${R[$sc.wrk_cpu]}
		cpu_report "$sc.0" "$sc.1" >"$VAR/cpu.txt"
		R[$sc.cpu]=$(<"$VAR/cpu.txt")
		FOREIGN_CPU=$(awk '{print $NF + 0}' "$VAR/cpu.txt")
		if ((FOREIGN_CPU > 15)); then
			R[$sc.warn]="other processes used up to ${FOREIGN_CPU}% of a core during this scenario: its figures are low"
			say "   bench: WARNING: ${R[$sc.warn]}"
		fi
		say "   ${R[$sc.rps]} req/s, p50 ${R[$sc.p50_ms]} ms, p90 ${R[$sc.p90_ms]} ms, p99 ${R[$sc.p99_ms]} ms, max ${R[$sc.max_ms]} ms; ${R[$sc.statuses]}"
		say "   cpu: ${R[$sc.cpu]}"
		say "   db:  ${R[$sc.db]}"
		if [[ $sc == submissions ]]; then
			after=$(count_applications)
			n_apps=$((after - before))
			n202=$((warm + R[$sc.requests]))
			# Every 202 must be a committed application. wrk stops with up to one
			# request per connection in flight in each of its two runs: those are
			# committed but their answers are not counted, hence the margin.
			((n_apps >= n202 && n_apps <= n202 + 2 * CONNS)) ||
				refuse "submissions: $n202 answers 202 but $n_apps new applications (in flight at the end: at most $((2 * CONNS)))"
			R[$sc.committed]=$n_apps
			say "   committed: $n_apps new applications for $n202 answers 202 counted by wrk (warm-up included; $((n_apps - n202)) were in flight when wrk stopped)"
		fi
		if [[ $sc == floor_keepalive ]]; then
			floor_keepalive 0 "$THREADS"
		fi
	done
}

# The commit measured, and whether the working tree differed from it (read-only).
tree_state() {
	local head dirty
	head=$(git -C "$root" rev-parse --short HEAD 2>/dev/null) || {
		echo "not a git checkout"
		return
	}
	dirty=$(git -C "$root" --no-optional-locks status --porcelain --untracked-files=no 2>/dev/null | wc -l)
	if ((dirty > 0)); then
		echo "commit $head plus uncommitted changes in $dirty files"
	else
		echo "commit $head"
	fi
}

verdict() { # NAME OK(1/0) TEXT
	if [[ $2 == 1 ]]; then printf '| %s | met | %s |\n' "$1" "$3"; else printf '| %s | **MISSED** | %s |\n' "$1" "$3"; fi
}

report() {
	local sc label f="" fname="" pct ok
	# The faster of the two floors is the reference.
	for sc in floor floor_keepalive; do
		[[ -n ${R[$sc.rps]:-} ]] || continue
		if [[ -z $f ]] || awk -v a="${R[$sc.rps]}" -v b="$f" 'BEGIN {exit !(a > b)}'; then
			f=${R[$sc.rps]} fname=$sc
		fi
	done
	{
		say "## Run of $(date -u '+%Y-%m-%d %H:%M UTC')"
		say ""
		say "- machine: $(machine)"
		say "- tree: $(tree_state)"
		say "- command: \`$COMMAND\`"
		say "- settings: services and floor with BIMER_THREADS=$THREADS (status: $STATUS_THREADS, submission: $SUBMISSION_THREADS with $INTAKE_WRITERS intake writers of up to $INTAKE_BATCH applications) and nginx upstream keepalive $KEEPALIVE; floor_keepalive with keepalive $FLOOR_KEEPALIVE and $FLOOR_THREADS threads; $CONNS connections, $WRK_THREADS wrk threads, ${WARMUP} s warm-up + ${DURATION} s per scenario; worker $([[ $WORKER == 1 ]] && echo running || echo stopped)"
		say "- MariaDB: $DURABLE"
		say "- machine load before the run: ${IDLE_BUSY}% busy"
		say ""
		say "| scenario | expected | requests/s | p50 ms | p90 ms | p99 ms | max ms | answers |"
		say "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |"
		for sc in $SCENARIOS; do
			printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$sc" "${R[$sc.expect]}" \
				"${R[$sc.rps]}" "${R[$sc.p50_ms]}" "${R[$sc.p90_ms]}" "${R[$sc.p99_ms]}" \
				"${R[$sc.max_ms]}" "${R[$sc.statuses]}"
		done
		say ""
		say "CPU during each measured run (100% = one core) and MariaDB counters:"
		say ""
		for sc in $SCENARIOS; do
			say "- $sc: ${R[$sc.cpu]}; ${R[$sc.db]}"
			[[ -z ${R[$sc.warn]:-} ]] || say "  - **warning**: ${R[$sc.warn]}"
		done
		say ""
		say "| target | verdict | measured |"
		say "| --- | --- | --- |"
		for sc in status_hits status_misses; do
			[[ -n ${R[$sc.rps]:-} ]] || continue
			label=${sc/_/ }
			if [[ -n $f ]]; then
				pct=$(awk -v a="${R[$sc.rps]}" -v b="$f" 'BEGIN {printf "%.1f", 100*a/b}')
				ok=$(awk -v p="$pct" 'BEGIN {print (p >= 25) ? 1 : 0}')
				verdict "$label >= 25% of the floor" "$ok" "$pct% (${R[$sc.rps]} of $f req/s, $fname)"
			fi
			ok=$(awk -v p="${R[$sc.p99_ms]}" 'BEGIN {print (p <= 15) ? 1 : 0}')
			verdict "$label p99 <= 15 ms" "$ok" "${R[$sc.p99_ms]} ms"
		done
		if [[ -n ${R[submissions.rps]:-} ]]; then
			ok=$(awk -v r="${R[submissions.rps]}" 'BEGIN {print (r >= 3000) ? 1 : 0}')
			verdict "submissions >= 3,000/s, durable" "$ok" "${R[submissions.rps]} req/s, every 202 committed, innodb_flush_log_at_trx_commit=$FLUSH"
		fi
	} >"$RESULTS"
	say ""
	cat "$RESULTS"
}

main() {
	say "== BİMER benchmark ($(date -u '+%Y-%m-%dT%H:%M:%SZ'))"
	check_quiet
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	bring_up
	check_durable
	prepare
	measure
	report
}

main "$@"
