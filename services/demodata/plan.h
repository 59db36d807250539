// SPDX-License-Identifier: MIT
/*
 * Planning one application: from (seed, index) to a struct dd_app with its
 * content, its applicant and its events up to "now" (see demo.h). The world
 * is what every plan reads: the configuration (periods of rules.md D1, D2,
 * D4, D7, A2, A4), the calendar behind them (through bm_deadline, as the
 * services compute them), the institution tree and the arrival rhythm.
 */
#ifndef DEMODATA_PLAN_H
#define DEMODATA_PLAN_H

#include <stdint.h>

#include "bm_req.h"
#include "catalog.h"
#include "clock.h"
#include "demo.h"
#include "tree.h"

struct dd_world {
	struct bm_ctx *ctx; /* cfg and db: bm_deadline's calendar */
	const struct dd_tree *tree;
	struct dd_clock clock;
	uint64_t seed;
	long long count;
	int64_t now;
	uint64_t people; /* size of the applicant pool */
	int window_days,
	    decision_days; /* BIMER_APPEAL_WINDOW_DAYS, BIMER_BEDK_DECISION_BUSINESS_DAYS */
	int unit[32];      /* per topic: its unit's index in the tree, -1 if none */
	struct dd_list central[32]; /* per topic: who answers it centrally */
};

/* The world for count applications arriving in [start, end) (ms), "now" being now. */
enum bm_err dd_world_init(struct dd_world *w, struct bm_ctx *ctx, const struct dd_tree *tree,
                          uint64_t seed, long long count, int64_t start, int64_t end, int64_t now);
void dd_world_free(struct dd_world *w);

/* Plan application i (0 ≤ i < count) into a, which must not move afterwards (events point into
 * it). BM_E_INTERNAL when the calendar cannot count a period. */
enum bm_err dd_plan(const struct dd_world *w, long long i, struct dd_app *a);

#endif
