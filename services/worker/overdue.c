// SPDX-License-Identifier: MIT
/*
 * overdue: an application still open (received or in progress) whose legal
 * due time (due_at, rules.md D1/D2 with D6) has passed gets one `overdue`
 * event on its timeline, with the due time in its data. The inbox computes
 * "overdue" by itself; the event is the record that the deadline was missed,
 * and the citizen sees it in the status look-up.
 *
 * Once per application (per round: a `reopened` application that misses
 * its new due time gets another one), with several workers: the
 * application's row is locked (SELECT … FOR UPDATE, which also re-checks
 * that it is still open and late) before looking for an earlier `overdue`
 * event. That look is the transaction's first plain read, so its snapshot
 * is taken after the lock was granted and sees whatever a worker that held
 * the lock before committed.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bm_db.h"
#include "bm_event.h"
#include "bm_log.h"
#include "worker.h"

static const char sql_due[] =
    "SELECT a.id FROM applications a WHERE a.status IN ('received', 'in_progress') "
    "AND a.due_at < UTC_TIMESTAMP(3) AND " SWEEP_NONE_THIS_ROUND " AND a.id > ? "
    "ORDER BY a.id LIMIT ?";

static const char sql_lock[] =
    "SELECT due_at FROM applications WHERE id = ? AND status IN ('received', 'in_progress') "
    "AND due_at < UTC_TIMESTAMP(3) FOR UPDATE";

enum bm_err overdue_append(struct worker *w, long long id, const char *due_db, bool *written)
{
	char due[BM_TIME_ISO_LEN], data[96];
	long long have = sweep_round_count(w, id, "overdue");

	*written = false;
	if (have < 0)
		return BM_E_DB;
	if (have > 0)
		return BM_OK;
	if (!bm_time_db_to_iso(due_db, due))
		return BM_E_INTERNAL;
	snprintf(data, sizeof data, "{\"due_at\":\"%s\"}", due);
	const struct bm_event ev = {.application_id = id, .kind = "overdue", .data = data};
	enum bm_err e = bm_event_append(w->db, &ev);
	*written = e == BM_OK;
	return e;
}

static void overdue_one(struct worker *w, long long id)
{
	struct bm_dbp p[] = {BM_DB_INT(id)};
	struct bm_dbres *app = NULL;
	bool written = false;

	if (bm_db_begin(w->db))
		return;
	if (bm_db_run(w->db, sql_lock, p, 1, &app))
		goto fail;
	if (app->nrows != 1) { /* answered, closed or given more time meanwhile */
		bm_db_rollback(w->db);
		goto out;
	}
	if (overdue_append(w, id, bm_dbres_get(app, 0, 0), &written))
		goto fail;
	if (!written) { /* another worker was first */
		bm_db_rollback(w->db);
		goto out;
	}
	if (bm_db_commit(w->db))
		goto fail;
	bm_log(BM_LOG_INFO, NULL, "application %lld: overdue", id);
	goto out;
fail:
	bm_db_rollback(w->db);
	bm_log(BM_LOG_WARN, NULL, "application %lld: overdue mark failed, retried next sweep", id);
out:
	bm_dbres_free(app);
}

bool overdue_run(struct worker *w)
{
	struct bm_dbp p[] = {BM_DB_STR("overdue"), BM_DB_NULL(), BM_DB_NULL()};

	return sweep_ids(w, &w->overdue_cur, sql_due, p, 3, overdue_one);
}
