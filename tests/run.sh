#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make test`: every test, against a private stack of its own.
#
#  1. builds the release and the ASan+UBSan builds (warnings are errors);
#  2. starts a fresh private stack under var/test on non-default ports with
#     the sanitizer build of every service (stopped again whatever happens);
#  3. runs the C unit tests of both builds (the rate limiter ones talk to
#     the stack's Redis), a short run of the fuzz harnesses (tests/fuzz),
#     the OpenAPI checker tests, the spec lint and the integration tests
#     (pytest, Debian's python3) through nginx;
#  4. stops the stack and fails if a sanitizer reported anything.
# Exits non-zero on any failure and ends with a "N passed, N failed" line.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
PY=/usr/bin/python3
# Turkish text everywhere: Python's I/O in UTF-8 whatever the machine's locale (CI sets none).
export PYTHONUTF8=1

export BIMER_VAR_DIR="$root/var/test"
export BIMER_BIN_DIR="$root/build/asan/bin"
export BIMER_HTTP_PORT=${BIMER_TEST_HTTP_PORT:-18080}
export BIMER_METRICS_PORT=${BIMER_TEST_METRICS_PORT:-18081}
export BIMER_DB_PORT=${BIMER_TEST_DB_PORT:-23306}
export BIMER_REDIS_PORT=${BIMER_TEST_REDIS_PORT:-26379}
export BIMER_SMTP_PORT=${BIMER_TEST_SMTP_PORT:-22525}
export BIMER_THREADS=16
export BIMER_RL_STATUS_IP=60/600 BIMER_RL_STATUS_ID=5/600
export BIMER_RL_SUBMIT_IP=40/3600 BIMER_RL_SUBMIT_ID=5/3600 BIMER_RL_RESEND=3/3600
# The tests act as many clients through X-Forwarded-For; only loopback may say so.
export BIMER_NGINX_TRUSTED_PROXIES=127.0.0.1
# Deadline tests move the services' clock with X-Test-Now (never on a real stack).
export BIMER_TEST_CLOCK=1
# The worker polls and retries fast so mail and crash tests finish in seconds.
export BIMER_WORKER_TICK_MS=100 BIMER_MAIL_RETRY_BASE_MS=500 BIMER_MAIL_RETRY_MAX_S=10
export BIMER_MAIL_LOCK_S=8 BIMER_SMTP_TIMEOUT_S=5
# The stack's worker leaves deadlines alone: suites key in past-dated applications with the
# test clock and act on them later; test_sweeps.py runs a sweeping worker of its own.
export BIMER_DEADLINE_SWEEP_MS=0
# Retention (3650 days by default) looks often: test_retention.py ages applications by years.
# Expired unverified applications go after 3000 days here, not 30: bimer-demodata's 2022
# rows (test_demodata.py) must stay whole while test_retention.py ages one past it.
export BIMER_RETENTION_SWEEP_MS=300 BIMER_RETENTION_EXPIRED_DAYS=3000
unset BIMER_SMTP_URL # the test stack always runs its own mail sink
export ASAN_OPTIONS="log_path=$BIMER_VAR_DIR/log/asan:detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:log_path=$BIMER_VAR_DIR/log/ubsan"

passed=0
failed=0
failures=()
step() { # step NAME COMMAND...: run one suite, count it
	local name=$1
	shift
	echo "== $name"
	if "$@"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		failures+=("$name")
	fi
}

echo "== build (release, asan)"
make --no-print-directory -j2 build MODE=release >/dev/null || { echo "release build failed"; exit 1; }
make --no-print-directory -j2 build MODE=asan >/dev/null || { echo "asan build failed"; exit 1; }

stop_stack() { deploy/local/stack.sh down || true; }
trap stop_stack EXIT
stop_stack >/dev/null 2>&1
rm -rf "$BIMER_VAR_DIR"
echo "== stack up (private, under var/test)"
if ! deploy/local/stack.sh up; then
	echo "the test stack did not come up"
	exit 1
fi
# shellcheck disable=SC1091
set -a
. "$BIMER_VAR_DIR/env"
set +a

for mode in release asan; do
	for t in build/$mode/tests/test_*; do
		step "unit $mode $(basename "$t")" "$t"
	done
done
step "clang-format" make --no-print-directory format-check
# libFuzzer harnesses (tests/fuzz), 15 s each; longer by hand: make fuzz FUZZ_SECONDS=600
step "fuzz (short run)" make --no-print-directory fuzz FUZZ_SECONDS=15
step "openapi checker" $PY -m pytest -q -p no:cacheprovider tests/spec
step "openapi lint" tests/spec/lint.sh
step "integration" $PY -m pytest -q -p no:cacheprovider tests/integration
# The web pages in Debian's headless Chromium (playwright-core, axe-core); screenshots in
# $BIMER_VAR_DIR/browser/.
step "browser" tests/browser/run.sh

echo "== stack down"
trap - EXIT
down_log=$(deploy/local/stack.sh down 2>&1)
echo "$down_log"
# Every process must have stopped on SIGTERM by itself, and none may be left.
if grep -q SIGKILL <<<"$down_log"; then
	failed=$((failed + 1))
	failures+=("clean shutdown (something needed SIGKILL)")
else
	passed=$((passed + 1))
fi
left=""
for f in /proc/[0-9]*/cmdline; do
	cmd=$(tr '\0' ' ' 2>/dev/null <"$f") || continue
	envs=$(tr '\0' '\n' 2>/dev/null <"${f%/cmdline}/environ") || envs=""
	# ours: named by the var dir, or started with it in the environment
	if [[ $cmd == *"$BIMER_VAR_DIR/"* ]] || grep -qxF "BIMER_VAR_DIR=$BIMER_VAR_DIR" <<<"$envs"; then
		left+="${f%/cmdline}: $cmd; "
	fi
done
if [ -n "$left" ]; then
	echo "processes left running: $left"
	failed=$((failed + 1))
	failures+=("make stop leaves nothing running")
else
	passed=$((passed + 1))
fi
# Once more with every process gone: nginx's buffered access log is flushed now, and
# the browser tests' requests are in the logs too.
step "logs after stop" $PY -m pytest -q -p no:cacheprovider tests/integration/test_zz_logs.py
reports=$(ls "$BIMER_VAR_DIR"/log/asan* "$BIMER_VAR_DIR"/log/ubsan* 2>/dev/null || true)
if [ -n "$reports" ]; then
	echo "sanitizer reports:"
	for f in $reports; do echo "--- $f"; head -40 "$f"; done
	failed=$((failed + 1))
	failures+=("sanitizers")
else
	passed=$((passed + 1))
fi

echo
for f in "${failures[@]}"; do echo "FAILED: $f"; done
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
