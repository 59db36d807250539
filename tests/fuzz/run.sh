#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make fuzz`: run each libFuzzer harness for a while and fail on anything it finds.
#
#   tests/fuzz/run.sh BUILD_DIR SECONDS JOBS NAME...
#
# Each harness BUILD_DIR/fuzz_NAME runs SECONDS seconds (-max_total_time), JOBS of them
# at a time, on BUILD_DIR/corpus/NAME: a writable copy of tests/fuzz/corpus/NAME (the
# seeds, never written to) that keeps what earlier runs found. Its output goes to
# BUILD_DIR/logs/NAME.log and crash, leak or timeout inputs to BUILD_DIR/artifacts/.
# One summary line per harness (runs, exec/s, coverage); on a failure, the end of its
# log and the input to reproduce it with. Exits non-zero when any harness failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
build=$1 seconds=$2 jobs=$3
shift 3

# Longest input per harness: just past each parser's own cap where there is one.
max_len() {
	case $1 in
	request) echo 4200 ;;     # BM_QUERY_MAX 4096; CONTENT_LENGTH is short anyway
	json) echo 24576 ;;       # past the body field's 20000 characters
	attachments) echo 4096 ;; # sniffing reads 8 bytes
	token) echo 4200 ;;       # BM_JWT_MAX_LEN 4096
	mime) echo 8192 ;;        # long enough for many 76-character lines
	fields) echo 8192 ;;      # every table; the bodies' own caps are tested by json
	route) echo 1024 ;;       # method and path; a parameter is at most 128 bytes
	*) echo 4096 ;;
	esac
}

# Sanitizer reports into the harness's log whatever the caller set (make test sends
# the stack's to files under var/test).
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:symbolize=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

mkdir -p "$build/logs" "$build/artifacts"
run_one() {
	local name=$1 bin=$build/fuzz_$1 dict=tests/fuzz/$1.dict
	local corpus=$build/corpus/$name
	local args=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10
		-max_len="$(max_len "$name")" -print_final_stats=1
		-artifact_prefix="$build/artifacts/$name-")
	[ -f "$dict" ] && args+=(-dict="$dict")
	mkdir -p "$corpus"
	cp -p tests/fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null || true
	"$bin" "${args[@]}" "$corpus" >"$build/logs/$name.log" 2>&1
	echo $? >"$build/logs/$name.rc"
}

pending=("$@")
while [ ${#pending[@]} -gt 0 ]; do
	for name in "${pending[@]:0:$jobs}"; do
		run_one "$name" &
	done
	wait
	pending=("${pending[@]:$jobs}")
done

failed=0
for name in "$@"; do
	log=$build/logs/$name.log
	rc=$(cat "$build/logs/$name.rc" 2>/dev/null || echo 1)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -1)
	if [ "$rc" = 0 ]; then
		printf '  fuzz_%-12s ok: %s runs, %s exec/s, %s\n' "$name" "${runs:-?}" "${speed:-?}" "${cov:-?}"
	else
		failed=$((failed + 1))
		printf '  fuzz_%-12s FAILED (exit %s), log %s\n' "$name" "$rc" "$log"
		grep -E 'ERROR|invariant broken|runtime error|SUMMARY|Test unit written' "$log" | head -20
		tail -n 40 "$log" | sed 's/^/    /'
	fi
done
[ "$failed" -eq 0 ]
