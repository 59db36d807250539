-- SPDX-License-Identifier: MIT
--
-- wrk scenario "status hits" (tests/bench/run.sh): POST /api/v1/status with
-- the ID number and application number of applications that exist and are
-- verified (run.sh creates them and writes the pairs file given as the first
-- script argument). Each wrk thread walks all pairs from its own offset.
-- Expected answer: 200 with the status and the event timeline.
dofile(os.getenv("BIMER_BENCH_DIR") .. "/common.lua")

local known

function bench.init(args)
	known = bench.read_pairs(args[1])
end

function bench.build(i)
	local p = known[(i + (thread_no or 0) * 7919) % #known + 1]
	return wrk.format("POST", "/api/v1/status", bench.json_headers, bench.status_body(p[1], p[2]))
end
