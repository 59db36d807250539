-- SPDX-License-Identifier: MIT
--
-- wrk scenario "floor" (tests/bench/run.sh): POST /bench/floor, the minimal
-- FastCGI responder (floor.c) behind the same nginx. It sends the same kind of
-- body as a status look-up, so nginx reads, forwards and answers the same
-- amount as for the real service: the difference is the service's own work.
-- Expected answer: 200.
dofile(os.getenv("BIMER_BENCH_DIR") .. "/common.lua")

function bench.build(i)
	return wrk.format("POST", "/bench/floor", bench.json_headers,
		bench.status_body(bench.tckn(), bench.appno(tonumber(os.date("%Y")), i % 9999999 + 1)))
end
