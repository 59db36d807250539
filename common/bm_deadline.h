// SPDX-License-Identifier: MIT
/*
 * bm_deadline: legal deadlines (rules.md D1, D2, D4, D6) from the holiday
 * calendar kept in MariaDB. Periods come from the configuration, never from
 * constants; a deadline ends at the end of its last day in Istanbul.
 */
#ifndef BM_DEADLINE_H
#define BM_DEADLINE_H

#include <stdbool.h>
#include <time.h>

#include "bm_cal.h"
#include "bm_req.h"

/* The calendar of ctx, loaded from `holidays` when missing or older than five minutes. */
enum bm_err bm_deadline_calendar(struct bm_ctx *ctx, const struct bm_cal **out);

/* The Istanbul date of a moment, and the last second (UTC epoch) of an Istanbul date. */
bm_day bm_deadline_day_of(time_t t);
time_t bm_deadline_end_of_day(bm_day d);

/*
 * The due moment of an application received at `received`: petitions D1
 * (calendar days, moved to the next business day), information requests D2
 * (business days; the extended period when extended is true).
 */
enum bm_err bm_deadline_due(struct bm_ctx *ctx, bool information_request, bool extended,
                            time_t received, time_t *due);

#endif
