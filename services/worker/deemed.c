// SPDX-License-Identifier: MIT
/*
 * deemed: rules.md D4. An application still open (received or in progress:
 * not answered, not processed, cancelled or closed otherwise) whose silence
 * period has ended becomes `deemed_rejected`, with its event and a mail to
 * the citizen (with the route to BEDK for information requests, rules.md
 * A1), in one transaction per application.
 *
 * The period is BIMER_DEEMED_REJECTION_DAYS (cfg.deemed_days: 30 since the
 * 2021 amendment of İYUK art. 10, 60 under the old rule) calendar days
 * counted per D6: from the day after the Istanbul date of received_at, ending
 * at the end of its last day, moved to the end of the next business day when
 * that day is a weekend day or a full holiday (bm_cal_add_days on the
 * calendar of the `holidays` table). An application sent back by an
 * accepted appeal counts from its last `reopened` event instead. The period
 * never ends before the application's own due time: an information request
 * extended to 30 business days (D2), or a reopened one given 15 business
 * days, is not deemed rejected while the institution still has the time the
 * law gives it. The event's data keeps the period and the moment it ended
 * ({"period_days":30,"period_end":"…+03:00","basis":"d4"|"due_at",
 * "from":"received"|"reopened","due_at":…}), from which the appeal service
 * can count the A2 window.
 *
 * Candidates are found by SQL alone: the end of the period only grows with
 * the day its round started, so "ended before today" is "started before the
 * start of day X" for one day X computed here from the calendar, and the due
 * time is a column. Each one is then locked and checked again, and the state
 * change is UPDATE … WHERE id = ? AND status IN ('received', 'in_progress')
 * with the rows affected checked: an answer landing at the same moment wins
 * or loses cleanly, and several workers may sweep at once. An application
 * with no `overdue` event yet gets it first, in the same transaction, so its
 * timeline always shows the missed due time before the rejection.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_cal.h"
#include "bm_db.h"
#include "bm_deadline.h"
#include "bm_event.h"
#include "bm_log.h"
#include "bm_notify.h"
#include "worker.h"

#define MAX_LOOKBACK_DAYS 400 /* longer than any run of holidays and weekends */

static const char sql_due[] =
    "SELECT a.id FROM applications a WHERE a.status IN ('received', 'in_progress') "
    "AND (a.due_at IS NULL OR a.due_at < UTC_TIMESTAMP(3)) AND " SWEEP_ROUND_START_AT " < ? "
    "AND a.id > ? ORDER BY a.id LIMIT ?";

static const char sql_lock[] =
    "SELECT a.application_no, a.type, a.applicant_email, a.applicant_first_name, "
    "a.applicant_last_name, FLOOR(UNIX_TIMESTAMP(a.received_at)), "
    "FLOOR(UNIX_TIMESTAMP(" SWEEP_ROUND_START_AT ")), FLOOR(UNIX_TIMESTAMP(a.due_at)), a.due_at "
    "FROM applications a WHERE a.id = ? AND a.status IN ('received', 'in_progress') "
    "AND a.received_at IS NOT NULL AND (a.due_at IS NULL OR a.due_at < UTC_TIMESTAMP(3)) "
    "FOR UPDATE";

static const char sql_reject[] =
    "UPDATE applications SET status = 'deemed_rejected', closed_at = UTC_TIMESTAMP(3) "
    "WHERE id = ? AND status IN ('received', 'in_progress')";

enum { A_NO, A_TYPE, A_EMAIL, A_FIRST, A_LAST, A_RECEIVED, A_START, A_DUE, A_DUE_DB };

/* When the silence of one application becomes a rejection, and why then. */
struct period {
	time_t end;
	bool by_due;   /* the due time came after the D4 period */
	bool reopened; /* counted from the last `reopened` event, not from received_at */
};

/*
 * The latest Istanbul day of receipt whose period ended before today. The
 * period of a receipt on day e ends on bm_cal_add_days(e, n) ≥ e + n, which
 * never decreases as e grows, so every earlier receipt has ended too.
 */
static bool last_ended_day(const struct bm_cal *cal, int n, bm_day today, bm_day *out)
{
	bm_day e = today - n - 1;

	for (int i = 0; i < MAX_LOOKBACK_DAYS; i++, e--) {
		bm_day end = bm_cal_add_days(cal, e, n);
		if (end == BM_DAY_INVALID)
			return false;
		if (end < today) {
			*out = e;
			return true;
		}
	}
	return false;
}

/* The period of an application whose round started at `start`, due at `due` (0: none). */
static bool period_of(struct worker *w, time_t start, time_t due, struct period *out)
{
	const struct bm_cal *cal;
	bm_day last;

	if (bm_deadline_calendar(&w->ctx, &cal))
		return false;
	last = bm_cal_add_days(cal, bm_deadline_day_of(start), w->cfg.deemed_days);
	if (last == BM_DAY_INVALID)
		return false;
	out->end = bm_deadline_end_of_day(last);
	out->by_due = due > out->end;
	if (out->by_due)
		out->end = due;
	return true;
}

/* The event and the mail, inside the transaction that changed the status. */
static enum bm_err record(struct worker *w, long long id, const struct bm_dbres *app,
                          const struct period *per)
{
	const char *due_db = bm_dbres_get(app, 0, A_DUE_DB);
	char end[BM_TIME_ISO_LEN], due[BM_TIME_ISO_LEN] = "", data[256];
	bool written;
	enum bm_err e;

	if (due_db && (e = overdue_append(w, id, due_db, &written)))
		return e;
	if (due_db && !bm_time_db_to_iso(due_db, due))
		return BM_E_INTERNAL;
	sweep_iso(per->end, end);
	snprintf(data, sizeof data,
	         "{\"period_days\":%d,\"period_end\":\"%s\",\"basis\":\"%s\",\"from\":\"%s\","
	         "\"due_at\":%s%s%s}",
	         w->cfg.deemed_days, end, per->by_due ? "due_at" : "d4",
	         per->reopened ? "reopened" : "received", due_db ? "\"" : "", due_db ? due : "null",
	         due_db ? "\"" : "");
	const struct bm_event ev = {.application_id = id, .kind = "deemed_rejected", .data = data};
	if ((e = bm_event_append(w->db, &ev)))
		return e;
	const struct bm_notify_to to = {
	    .application_id = id,
	    .application_no = bm_dbres_get(app, 0, A_NO),
	    .email = bm_dbres_get(app, 0, A_EMAIL),
	    .first_name = bm_dbres_get(app, 0, A_FIRST),
	    .last_name = bm_dbres_get(app, 0, A_LAST),
	};
	const char *type = bm_dbres_get(app, 0, A_TYPE);
	return bm_notify_deemed_rejected(&w->ctx, &to, type && !strcmp(type, "bilgi_edinme"));
}

static void deemed_one(struct worker *w, long long id)
{
	struct bm_dbp p[] = {BM_DB_INT(id)};
	struct bm_dbres *app = NULL, *res = NULL;
	struct period per;
	const char *received, *start, *due;

	if (bm_db_begin(w->db))
		return;
	if (bm_db_run(w->db, sql_lock, p, 1, &app))
		goto fail;
	if (app->nrows != 1) /* answered, closed or given more time meanwhile */
		goto skip;
	received = bm_dbres_get(app, 0, A_RECEIVED);
	start = bm_dbres_get(app, 0, A_START);
	due = bm_dbres_get(app, 0, A_DUE);
	if (!received || !start || !bm_dbres_get(app, 0, A_NO) ||
	    !period_of(w, strtoll(start, NULL, 10), due ? strtoll(due, NULL, 10) : 0, &per))
		goto fail;
	per.reopened = strtoll(start, NULL, 10) > strtoll(received, NULL, 10);
	if (per.end >= time(NULL))
		goto skip; /* the calendar changed since the candidates were listed */
	if (bm_db_run(w->db, sql_reject, p, 1, &res))
		goto fail;
	if (res->affected != 1)
		goto skip;
	if (record(w, id, app, &per) || bm_db_commit(w->db))
		goto fail;
	bm_log(BM_LOG_INFO, NULL, "application %lld: deemed rejected (silent for %d days, %s)", id,
	       w->cfg.deemed_days, per.by_due ? "ended with its due time" : "rules.md D4");
	goto out;
skip:
	bm_db_rollback(w->db);
	goto out;
fail:
	bm_db_rollback(w->db);
	bm_log(BM_LOG_WARN, NULL, "application %lld: deemed rejection failed, retried next sweep",
	       id);
out:
	bm_dbres_free(res);
	bm_dbres_free(app);
}

bool deemed_run(struct worker *w)
{
	const struct bm_cal *cal;
	char cutoff[BM_TIME_ISO_LEN];
	struct bm_dbp p[3];
	bm_day last;

	if (bm_deadline_calendar(&w->ctx, &cal))
		return false;
	if (!last_ended_day(cal, w->cfg.deemed_days, bm_deadline_day_of(time(NULL)), &last)) {
		bm_log(BM_LOG_ERROR, NULL,
		       "deemed rejection: no end of period found in the calendar");
		return false;
	}
	/* Received before the first second of the day after `last` (Istanbul), in UTC. */
	bm_time_to_db(bm_deadline_end_of_day(last) + 1, cutoff);
	p[0] = BM_DB_STR(cutoff);
	return sweep_ids(w, &w->deemed_cur, sql_due, p, 3, deemed_one);
}
