// SPDX-License-Identifier: MIT
/*
 * When things happen in the demo data. Applications arrive through the
 * range with the rhythm of a real week (internet all day, most by day, fewer
 * at weekends; phone, fax, letter and desk applications only in office hours
 * on business days), and staff act in office hours (08:30-17:30 Istanbul,
 * business days of the holidays calendar). Times are milliseconds since the
 * epoch, UTC; Istanbul is UTC+03:00 as everywhere in this code base.
 */
#ifndef DEMODATA_CLOCK_H
#define DEMODATA_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bm_cal.h"
#include "rng.h"

#define DD_SECOND 1000LL
#define DD_MINUTE (60 * DD_SECOND)
#define DD_HOUR   (60 * DD_MINUTE)
#define DD_DAY    (24 * DD_HOUR)

/* The arrival rhythm over [start, end): one weight per hour of the range. */
struct dd_clock {
	int64_t start, end; /* ms */
	size_t nslots;
	double *cum;  /* cumulative weight up to and including each slot */
	float *staff; /* P(keyed in by staff | arrival in this slot) */
};

/* staff_share: the part of all applications keyed in by staff. -1 on OOM or an empty range. */
int dd_clock_init(struct dd_clock *c, const struct bm_cal *cal, int64_t start, int64_t end,
                  double staff_share);
void dd_clock_free(struct dd_clock *c);

/*
 * The arrival time at quantile q in [0, 1) (monotonic in q, so arrival order
 * follows the index), and whether staff keyed it in (drawn with u).
 */
int64_t dd_clock_pick(const struct dd_clock *c, double q, double u, bool *staff);

/* t itself when in office hours, else a moment early in the next office hours. */
int64_t dd_work_time(const struct bm_cal *cal, int64_t t, struct dd_rng *r);

/* The Istanbul day of t, and the last millisecond-free second of a day (bm_deadline's). */
bm_day dd_day_of(int64_t t);
int64_t dd_end_of_day(bm_day d);

/* "YYYY-MM-DD HH:MM:SS.mmm" (UTC, for DATETIME(3)) and "YYYY-MM-DDTHH:MM:SS+03:00". */
void dd_time_db(int64_t t, char out[32]);
void dd_time_iso(int64_t t, char out[32]);

/* The Istanbul calendar year of t. */
int dd_year_of(int64_t t);

#endif
