// SPDX-License-Identifier: MIT
/*
 * Arrival rhythm, office hours and time formats: see clock.h.
 */
#include "clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bm_deadline.h"

#define ISTANBUL_MS (3 * DD_HOUR)
#define OFFICE_OPEN (8 * DD_HOUR + 30 * DD_MINUTE)
#define OFFICE_SHUT (17 * DD_HOUR + 30 * DD_MINUTE)

/* Internet arrivals by Istanbul hour: quiet at night, busiest late morning and afternoon. */
static const double internet_hour[24] = {0.35, 0.2, 0.12, 0.08, 0.07, 0.1, 0.25, 0.6,
                                         1.1,  1.6, 1.9,  2.0,  1.8,  1.9, 2.0,  1.9,
                                         1.8,  1.6, 1.5,  1.6,  1.6,  1.4, 1.0,  0.6};

bm_day dd_day_of(int64_t t)
{
	return bm_deadline_day_of((time_t)(t / DD_SECOND));
}

int64_t dd_end_of_day(bm_day d)
{
	return (int64_t)bm_deadline_end_of_day(d) * DD_SECOND;
}

static int64_t local_ms_of_day(int64_t t)
{
	int64_t local = t + ISTANBUL_MS;
	int64_t r = local % DD_DAY;
	return r < 0 ? r + DD_DAY : r;
}

static int64_t at_day(bm_day d, int64_t ms_of_day)
{
	return (int64_t)d * DD_DAY + ms_of_day - ISTANBUL_MS;
}

/* The two weights of the hour starting at t: internet and staff. */
static void hour_weights(const struct bm_cal *cal, int64_t t, double *wi, double *ws)
{
	bm_day d = dd_day_of(t);
	int hour = (int)(local_ms_of_day(t) / DD_HOUR);
	bool business = bm_cal_is_business_day(cal, d);
	*wi = internet_hour[hour] * (business ? 1.0 : 0.65);
	*ws = business && hour >= 9 && hour < 17 ? (hour == 12 ? 0.5 : 1.0) : 0.0;
}

int dd_clock_init(struct dd_clock *c, const struct bm_cal *cal, int64_t start, int64_t end,
                  double staff_share)
{
	double *wi, *ws, ti = 0, ts = 0;
	c->start = start;
	c->end = end;
	c->nslots = end > start ? (size_t)((end - start + DD_HOUR - 1) / DD_HOUR) : 0;
	c->cum = calloc(c->nslots + 1, sizeof *c->cum);
	c->staff = calloc(c->nslots + 1, sizeof *c->staff);
	wi = calloc(c->nslots + 1, sizeof *wi);
	ws = calloc(c->nslots + 1, sizeof *ws);
	int rc = c->nslots && c->cum && c->staff && wi && ws ? 0 : -1;
	for (size_t i = 0; !rc && i < c->nslots; i++) {
		int64_t s = start + (int64_t)i * DD_HOUR;
		double part = (double)((end - s < DD_HOUR ? end - s : DD_HOUR)) / (double)DD_HOUR;
		hour_weights(cal, s, &wi[i], &ws[i]);
		wi[i] *= part;
		ws[i] *= part;
		ti += wi[i];
		ts += ws[i];
	}
	double run = 0, share = ts > 0 ? staff_share : 0;
	for (size_t i = 0; !rc && i < c->nslots; i++) {
		double a = (1 - share) * wi[i] / ti, b = ts > 0 ? share * ws[i] / ts : 0;
		run += a + b;
		c->cum[i] = run;
		c->staff[i] = a + b > 0 ? (float)(b / (a + b)) : 0.0f;
	}
	free(wi);
	free(ws);
	return rc;
}

void dd_clock_free(struct dd_clock *c)
{
	free(c->cum);
	free(c->staff);
	c->cum = NULL;
	c->staff = NULL;
}

int64_t dd_clock_pick(const struct dd_clock *c, double q, double u, bool *staff)
{
	double total = c->cum[c->nslots - 1], x = q * total;
	size_t lo = 0, hi = c->nslots - 1;
	while (lo < hi) { /* the first slot whose cumulative weight passes x */
		size_t mid = (lo + hi) / 2;
		if (c->cum[mid] > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	double before = lo ? c->cum[lo - 1] : 0, w = c->cum[lo] - before;
	double frac = w > 0 ? (x - before) / w : 0;
	int64_t s = c->start + (int64_t)lo * DD_HOUR;
	int64_t len = c->end - s < DD_HOUR ? c->end - s : DD_HOUR;
	*staff = u < c->staff[lo];
	return s + (int64_t)(frac * (double)len);
}

int64_t dd_work_time(const struct bm_cal *cal, int64_t t, struct dd_rng *r)
{
	bm_day d = dd_day_of(t);
	int64_t ms = local_ms_of_day(t);
	if (bm_cal_is_business_day(cal, d) && ms >= OFFICE_OPEN && ms < OFFICE_SHUT)
		return t;
	if (!bm_cal_is_business_day(cal, d) || ms >= OFFICE_SHUT)
		d = bm_cal_next_business_day(cal, d + 1);
	int64_t late = (int64_t)(dd_rng_unit(r) * 100.0 * (double)DD_MINUTE);
	return at_day(d, OFFICE_OPEN + late);
}

void dd_time_db(int64_t t, char out[32])
{
	time_t s = (time_t)(t / DD_SECOND);
	struct tm tm;
	gmtime_r(&s, &tm);
	size_t n = strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%03u", (unsigned)(t % DD_SECOND) % 1000u);
}

void dd_time_iso(int64_t t, char out[32])
{
	time_t s = (time_t)((t + ISTANBUL_MS) / DD_SECOND);
	struct tm tm;
	gmtime_r(&s, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S+03:00", &tm);
}

int dd_year_of(int64_t t)
{
	int y;
	bm_cal_ymd(dd_day_of(t), &y, NULL, NULL);
	return y;
}
