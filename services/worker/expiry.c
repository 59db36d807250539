// SPDX-License-Identifier: MIT
/*
 * expiry: rules.md D7. An internet application still awaiting e-mail
 * verification BIMER_VERIFY_TTL_HOURS (default 48) after it was created
 * becomes 'expired', with an 'expired' event on its timeline, in one
 * transaction per application. The state change is
 * UPDATE ... WHERE id = ? AND status = 'awaiting_verification' with the
 * rows affected checked, so a verification that lands at the same moment
 * wins or loses cleanly and never both happen; several workers may sweep at
 * once.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bm_db.h"
#include "bm_event.h"
#include "bm_log.h"
#include "worker.h"

static const char sql_due[] =
    "SELECT id FROM applications WHERE status = 'awaiting_verification' "
    "AND created_at < UTC_TIMESTAMP(3) - INTERVAL ? SECOND ORDER BY created_at, id LIMIT ?";

static const char sql_expire[] =
    "UPDATE applications SET status = 'expired', closed_at = UTC_TIMESTAMP(3) "
    "WHERE id = ? AND status = 'awaiting_verification' "
    "AND created_at < UTC_TIMESTAMP(3) - INTERVAL ? SECOND";

/* Expire one application with its event. */
static void expire_one(struct worker *w, long long id)
{
	struct bm_dbp up[] = {BM_DB_INT(id), BM_DB_INT(w->cfg.verify_ttl_s)};
	char data[96];
	struct bm_dbres *res = NULL;

	snprintf(data, sizeof data, "{\"reason\":\"not_verified\",\"verify_ttl_hours\":%ld}",
	         w->cfg.verify_ttl_s / 3600);
	const struct bm_event ev = {.application_id = id, .kind = "expired", .data = data};

	if (bm_db_begin(w->db))
		return;
	if (bm_db_run(w->db, sql_expire, up, 2, &res))
		goto fail;
	if (res->affected != 1) { /* verified, cancelled or expired meanwhile */
		bm_db_rollback(w->db);
		goto out;
	}
	if (bm_event_append(w->db, &ev) || bm_db_commit(w->db))
		goto fail;
	bm_log(BM_LOG_INFO, NULL, "application %lld: expired (not verified)", id);
	goto out;
fail:
	bm_db_rollback(w->db);
	bm_log(BM_LOG_WARN, NULL, "application %lld: expiry failed, retried next tick", id);
out:
	bm_dbres_free(res);
}

bool expiry_run(struct worker *w)
{
	struct bm_dbp p[] = {BM_DB_INT(w->cfg.verify_ttl_s), BM_DB_INT(w->set.batch)};
	struct bm_dbres *due = NULL;
	bool full;

	if (bm_db_run(w->db, sql_due, p, 2, &due))
		return false;
	for (size_t i = 0; i < due->nrows && !worker_stop_requested(w); i++)
		expire_one(w, strtoll(bm_dbres_get(due, i, 0), NULL, 10));
	full = due->nrows == (size_t)w->set.batch;
	bm_dbres_free(due);
	return full;
}
