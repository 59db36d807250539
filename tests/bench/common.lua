-- SPDX-License-Identifier: MIT
--
-- Shared by the benchmark's wrk scripts (tests/bench/run.sh). Each scenario
-- script sets `bench.build(n)` (a function that returns the n-th request of
-- this wrk thread as wrk.format would) and dofile()s this file; wrk then
-- cycles through BIMER_BENCH_POOL prebuilt requests per thread (0: build every
-- request afresh), so the client spends its time on the network, not in Lua.
--
-- It counts the answers by HTTP status in every wrk thread, and when wrk is
-- done prints one machine-readable line that run.sh parses:
--   BENCH requests=.. rps=.. p50_ms=.. p90_ms=.. p99_ms=.. max_ms=..
--         statuses=200:N,404:M unexpected=K errors=E
-- `unexpected` counts every answer whose status is not BIMER_BENCH_EXPECT;
-- `errors` are wrk's socket errors (connect, read, write, timeout).

bench = {}
local threads = {}

-- Main state: number the threads so each can seed and offset itself.
function setup(thread)
	threads[#threads + 1] = thread
	thread:set("thread_no", #threads)
end

-- Thread states from here on.
counts = {}
local pool, next_i = {}, 0
local pool_size = tonumber(os.getenv("BIMER_BENCH_POOL") or "0")

function init(args)
	math.randomseed(os.time() * 1000 + (thread_no or 0) * 7919)
	if bench.init then
		bench.init(args)
	end
	for i = 1, pool_size do
		pool[i] = bench.build(i)
	end
end

function request()
	next_i = next_i + 1
	if pool_size == 0 then
		return bench.build(next_i)
	end
	return pool[(next_i - 1) % pool_size + 1]
end

function response(status, headers, body)
	counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
	local total, parts, n, unexpected = {}, {}, 0, 0
	local expect = tonumber(os.getenv("BIMER_BENCH_EXPECT") or "")
	for _, t in ipairs(threads) do
		for status, c in pairs(t:get("counts") or {}) do
			total[status] = (total[status] or 0) + c
		end
	end
	local keys = {}
	for status in pairs(total) do
		keys[#keys + 1] = status
	end
	table.sort(keys)
	for _, status in ipairs(keys) do
		parts[#parts + 1] = status .. ":" .. total[status]
		n = n + total[status]
		if status ~= expect then
			unexpected = unexpected + total[status]
		end
	end
	local e = summary.errors
	local secs = summary.duration / 1e6
	io.write(string.format(
		"BENCH requests=%d rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f " ..
		"statuses=%s unexpected=%d errors=%d\n",
		n, n / secs, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
		latency:percentile(99) / 1000, latency.max / 1000,
		#parts > 0 and table.concat(parts, ",") or "none", unexpected,
		e.connect + e.read + e.write + e.timeout))
end

-- Valid identifiers (rules.md W3; common/bm_appno.c).

-- A random valid T.C. kimlik no: 11 digits, first not 0, both check digits right.
function bench.tckn()
	local d = { math.random(1, 9) }
	for i = 2, 9 do
		d[i] = math.random(0, 9)
	end
	d[10] = ((d[1] + d[3] + d[5] + d[7] + d[9]) * 7 - (d[2] + d[4] + d[6] + d[8])) % 10
	local s = 0
	for i = 1, 10 do
		s = s + d[i]
	end
	d[11] = s % 10
	return table.concat(d)
end

-- "YYYY-NNNNNNN-L" with the Luhn check digit over YYYY..N, as bm_appno_format.
function bench.appno(year, seq)
	local digits = string.format("%04d%07d", year, seq)
	local sum, dbl = 0, true
	for i = #digits, 1, -1 do
		local d = digits:byte(i) - 48
		if dbl then
			d = d * 2
			if d > 9 then
				d = d - 9
			end
		end
		sum = sum + d
		dbl = not dbl
	end
	return string.format("%04d-%07d-%d", year, seq, (10 - sum % 10) % 10)
end

-- Lines "tckn application_no" of the prepared applications (run.sh writes them).
function bench.read_pairs(path)
	local pairs_, f = {}, assert(io.open(path, "r"))
	for line in f:lines() do
		local id, no = line:match("^(%d+) ([%d-]+)$")
		if id then
			pairs_[#pairs_ + 1] = { id, no }
		end
	end
	f:close()
	assert(#pairs_ > 0, "no pairs in " .. path)
	return pairs_
end

function bench.status_body(id, no)
	return string.format('{"tc_kimlik_no":"%s","application_no":"%s"}', id, no)
end

bench.json_headers = { ["Content-Type"] = "application/json" }
