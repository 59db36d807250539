// SPDX-License-Identifier: MIT
/*
 * Which applications can be appealed to BEDK, and until when (rules.md A1,
 * A2, with D4 and D6).
 *
 * A1: only information requests (bilgi_edinme) that were refused — answered
 * negative or partial, not processed under a BE_ reason code — or deemed
 * rejected by silence (D4).
 *
 * A2: 15 days (configurable) counted per D6: the period starts the day after
 * the event and ends at the end of its last day in Istanbul, moved to the
 * end of the next business day when that day is a Saturday, Sunday or public
 * holiday (half days count as business days).
 *   - after an answer, the event is its notification: the Istanbul date of
 *     answered_at (the system mails the answer when it is recorded);
 *   - after a deemed rejection, the window runs from the day the lawsuit
 *     period starts, the day after the silence period ends; that day's eve is
 *     the event. The silence period is the worker's (services/worker/deemed.c),
 *     recomputed here from the record rather than read from its event, so it
 *     holds however late the sweep ran: BIMER_DEEMED_REJECTION_DAYS days (D4)
 *     with D6 counting from the start of the current round — received_at, or
 *     the last `reopened` event after an accepted appeal — and never ending
 *     before the application's own due time (an extended information request,
 *     D2), in which case it ends at that due time.
 */
#ifndef APPEAL_WINDOW_H
#define APPEAL_WINDOW_H

#include <stdbool.h>
#include <time.h>

#include "bm_cal.h"

/* The refusal an application stands on (A1). */
enum ap_ground {
	AP_GROUND_NONE = 0, /* not appealable */
	AP_GROUND_ANSWERED,
	AP_GROUND_NOT_PROCESSED,
	AP_GROUND_DEEMED,
};

/* The ground of an application from its row; AP_GROUND_NONE when A1 refuses it. */
enum ap_ground ap_ground_of(const char *type, const char *status, const char *outcome,
                            const char *reason_code);

/* "answered", "not_processed", "deemed_rejected" (the appeals.ground values). */
const char *ap_ground_name(enum ap_ground g);

/* The dates a window is counted from, epoch seconds (0: none). */
struct ap_dates {
	time_t answered;    /* the answer (answered_at), for an answer */
	time_t round_start; /* received_at, or the last reopened event, for a deemed rejection */
	time_t due;         /* the application's due_at, for a deemed rejection */
};

/*
 * A2 for ground g: *refused is the moment of the refusal (the answer, or the
 * end of the silence period), *ends the last second of the window. False when
 * a date is missing or out of range.
 */
bool ap_window(const struct bm_cal *cal, enum ap_ground g, const struct ap_dates *d,
               int deemed_days, int window_days, time_t *refused, time_t *ends);

#endif
