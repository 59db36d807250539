// SPDX-License-Identifier: MIT
/*
 * sweep: the pace of the deadline sweeps and what they share.
 *
 * The sweeps (reminder.c, overdue.c, deemed.c) look at deadlines counted in
 * days, so they do not need the mail outbox's pace: they run every
 * BIMER_DEADLINE_SWEEP_MS (a minute by default), and at once again while a
 * pass finds a full batch. 0 turns them off: the test stack does, because
 * its services' clocks are moved while the worker's is not, and its sweep
 * test runs sweeping workers of its own. They always run in the same order,
 * reminder → overdue → deemed rejection, so an application that crosses
 * several boundaries while the worker was down still gets its events in the
 * order they happened.
 *
 * An application sent back to its institution by an accepted appeal (a
 * `reopened` event) starts a new round: its reminder, overdue event and
 * silence period count again from there (SWEEP_ROUND_* in worker.h).
 *
 * Each pass pages through its candidates by id (struct sweep_cursor): an
 * application whose change keeps failing stays a candidate but cannot hold
 * back the ones after it. Every change is made under the application's row
 * lock (a conditional UPDATE, or SELECT … FOR UPDATE that re-checks the
 * condition), so several workers may sweep at once and each change still
 * happens once.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bm_db.h"
#include "bm_log.h"
#include "worker.h"

#define ISTANBUL_OFFSET_S (3 * 3600)

static const char sql_round_count[] =
    "SELECT COUNT(*) FROM applications a JOIN application_events e "
    "ON e.application_id = a.id WHERE a.id = ? AND e.kind = ? "
    "AND e.id > " SWEEP_ROUND_START_ID;

bool deadlines_run(struct worker *w)
{
	long long now = worker_mono_ms();
	bool more = false;

	if (w->set.sweep_ms == 0 || (!w->sweep_more && now < w->sweep_at_ms))
		return false;
	w->sweep_at_ms = now + w->set.sweep_ms;
	more |= reminder_run(w);
	if (!worker_stop_requested(w))
		more |= overdue_run(w);
	if (!worker_stop_requested(w))
		more |= deemed_run(w);
	w->sweep_more = more;
	return more;
}

bool sweep_ids(struct worker *w, struct sweep_cursor *cur, const char *sql, struct bm_dbp *p,
               size_t n, void (*one)(struct worker *w, long long id))
{
	struct bm_dbres *ids = NULL;
	bool full = false;

	p[n - 2] = BM_DB_INT(cur->after_id);
	p[n - 1] = BM_DB_INT(w->set.batch);
	if (bm_db_run(w->db, sql, p, n, &ids))
		return false;
	for (size_t i = 0; i < ids->nrows; i++) {
		if (worker_stop_requested(w))
			goto out; /* the cursor stays: the next worker start begins afresh anyway */
		cur->after_id = strtoll(bm_dbres_get(ids, i, 0), NULL, 10);
		one(w, cur->after_id);
	}
	full = ids->nrows == (size_t)w->set.batch;
	if (!full)
		cur->after_id = 0;
out:
	bm_dbres_free(ids);
	return full;
}

long long sweep_round_count(struct worker *w, long long application_id, const char *kind)
{
	struct bm_dbp p[] = {BM_DB_INT(application_id), BM_DB_STR(kind)};
	struct bm_dbres *res = NULL;
	long long n = -1;

	if (bm_db_run(w->db, sql_round_count, p, 2, &res) == BM_OK && res->nrows == 1)
		n = strtoll(bm_dbres_get(res, 0, 0), NULL, 10);
	bm_dbres_free(res);
	return n;
}

void sweep_iso(time_t t, char out[BM_TIME_ISO_LEN])
{
	char db[BM_TIME_ISO_LEN];

	bm_time_to_db(t, db);
	if (!bm_time_db_to_iso(db, out))
		out[0] = '\0';
}

void sweep_tr_time(time_t t, char out[32])
{
	time_t local = t + ISTANBUL_OFFSET_S;
	struct tm tm;

	gmtime_r(&local, &tm);
	strftime(out, 32, "%d.%m.%Y %H:%M", &tm);
}
