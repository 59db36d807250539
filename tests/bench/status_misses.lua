-- SPDX-License-Identifier: MIT
--
-- wrk scenario "status misses" (tests/bench/run.sh): POST /api/v1/status with
-- random valid pairs that match nothing: half carry an application number
-- that exists (from the pairs file given as the first script argument) with
-- another ID number, half a number that was never issued. Both must answer
-- the same 404 (design.md); each miss is also counted by the rate limiter in
-- Redis (run.sh raises the limits so that they never trip).
-- Expected answer: 404.
dofile(os.getenv("BIMER_BENCH_DIR") .. "/common.lua")

local known, year

function bench.init(args)
	known = bench.read_pairs(args[1])
	year = tonumber(os.date("%Y"))
end

function bench.build(i)
	local no
	if i % 2 == 0 then
		no = known[math.random(#known)][2]
	else
		no = bench.appno(year, math.random(5000000, 9999999))
	end
	return wrk.format("POST", "/api/v1/status", bench.json_headers, bench.status_body(bench.tckn(), no))
end
