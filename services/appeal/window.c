// SPDX-License-Identifier: MIT
/*
 * A1 and A2: see window.h.
 */
#include "window.h"

#include <string.h>

#include "bm_deadline.h"

static bool is(const char *a, const char *b)
{
	return a && !strcmp(a, b);
}

enum ap_ground ap_ground_of(const char *type, const char *status, const char *outcome,
                            const char *reason_code)
{
	if (!is(type, "bilgi_edinme"))
		return AP_GROUND_NONE;
	if (is(status, "answered") && (is(outcome, "negative") || is(outcome, "partial")))
		return AP_GROUND_ANSWERED;
	if (is(status, "not_processed") && reason_code && !strncmp(reason_code, "BE_", 3))
		return AP_GROUND_NOT_PROCESSED;
	if (is(status, "deemed_rejected"))
		return AP_GROUND_DEEMED;
	return AP_GROUND_NONE;
}

const char *ap_ground_name(enum ap_ground g)
{
	switch (g) {
	case AP_GROUND_ANSWERED: return "answered";
	case AP_GROUND_NOT_PROCESSED: return "not_processed";
	case AP_GROUND_DEEMED: return "deemed_rejected";
	case AP_GROUND_NONE: break;
	}
	return NULL;
}

bool ap_window(const struct bm_cal *cal, enum ap_ground g, const struct ap_dates *d,
               int deemed_days, int window_days, time_t *refused, time_t *ends)
{
	bm_day event;

	if (g == AP_GROUND_NONE)
		return false;
	if (g == AP_GROUND_DEEMED) {
		if (!d->round_start)
			return false;
		event = bm_cal_add_days(cal, bm_deadline_day_of(d->round_start), deemed_days);
		if (event == BM_DAY_INVALID)
			return false;
		*refused = bm_deadline_end_of_day(event);
		if (d->due > *refused) { /* the institution's own time ran longer */
			*refused = d->due;
			event = bm_deadline_day_of(d->due);
		}
	} else {
		if (!d->answered)
			return false;
		event = bm_deadline_day_of(d->answered);
		*refused = d->answered;
	}
	bm_day last = bm_cal_add_days(cal, event, window_days);
	if (last == BM_DAY_INVALID)
		return false;
	*ends = bm_deadline_end_of_day(last);
	return true;
}
