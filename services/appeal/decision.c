// SPDX-License-Identifier: MIT
/*
 * POST /api/v1/appeals/{id}/decision: BEDK decides (rules.md A4).
 *
 * The decision is recorded once (`UPDATE … WHERE status = 'appeal_filed'`
 * with the row count checked: deciding twice, or two members at once, is 409
 * for all but the first), with an appeal_decided event on the application's
 * chain and a mail to the citizen. An accepted or partially accepted appeal
 * sends the application back to the institution that refused it: status
 * in_progress again, held by the same institution, answer fields cleared, a
 * new due_at of 15 business days (D2's period, BIMER_INFO_BUSINESS_DAYS) from
 * the decision, and a `reopened` event that the citizen's timeline shows. The
 * institution then answers again through the routing service's
 * POST /api/v1/applications/{no}/answer, which takes in_progress applications
 * held by the caller's institution. An application that was never routed
 * (no holder) goes back to `received`, for an operator to route.
 * Everything is one transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appeal.h"
#include "bm_db.h"
#include "bm_json.h"
#include "bm_log.h"
#include "bm_notify.h"
#include "bm_req.h"
#include "bm_validators.h"
#include "handlers.h"
#include "mail.h"

static const char *const decisions[] = {"accepted", "partially_accepted", "rejected", NULL};

const struct bm_field decision_fields[] = {{.name = "decision",
                                            .type = BM_FT_STRING,
                                            .flags = BM_FF_REQUIRED,
                                            .min = 1,
                                            .max = 32,
                                            .enumv = decisions},
                                           BM_FIELD_TEXT("text"),
                                           {0}};

static const char sql_application[] =
    "SELECT a.application_no, a.status, a.assigned_institution_code, i.name, "
    "a.applicant_email, a.applicant_first_name, a.applicant_last_name "
    "FROM applications a LEFT JOIN institutions i ON i.code = a.assigned_institution_code "
    "WHERE a.id = ?";
static const char sql_reopen[] =
    "UPDATE applications SET status = ?, outcome = NULL, reason_code = NULL, "
    "answered_at = NULL, closed_at = NULL, due_at = ? WHERE id = ? "
    "AND status IN ('answered', 'not_processed', 'deemed_rejected')";
static const char sql_decide[] =
    "UPDATE appeals SET status = 'appeal_decided', decision = ?, decision_text = ?, "
    "decided_at = ?, decided_by_user_id = ?, application_due_at = ? "
    "WHERE id = ? AND status = 'appeal_filed'";

enum { D_NO, D_STATUS, D_HOLDER, D_HOLDER_NAME, D_EMAIL, D_FIRST, D_LAST };

struct decision {
	const char *no, *decision, *text;
	char now[BM_TIME_ISO_LEN];
	char due_db[BM_TIME_ISO_LEN]; /* the reopened application's due_at, "" when not reopened */
};

/* Send the application back (the row only); *due set (non-zero) when it was. */
static enum bm_err reopen(struct bm_req *req, struct decision *d, long long app_id,
                          const struct bm_dbres *app, time_t *due)
{
	struct bm_dbres *res = NULL;
	const char *holder = bm_dbres_get(app, 0, D_HOLDER);
	enum bm_err e = ap_business_due(req->ctx, bm_req_now(req), req->ctx->cfg->info_days, due);
	if (e)
		return e;
	bm_time_to_db(*due, d->due_db);
	const char *status = holder ? "in_progress" : "received";
	struct bm_dbp p[] = {BM_DB_STR(status), BM_DB_STR(d->due_db), BM_DB_INT(app_id)};
	if ((e = bm_db_run(req->ctx->db, sql_reopen, p, 3, &res)))
		return e;
	bool changed = res->affected == 1;
	bm_dbres_free(res);
	if (!changed) { /* no longer a refusal (cannot happen while the appeal is open): keep it */
		bm_log(BM_LOG_WARN, req->req_id, "appeal %s: application not in a refused state",
		       d->no);
		*due = 0;
		d->due_db[0] = '\0';
	}
	return BM_OK;
}

/* The reopened event, after appeal_decided so the timeline reads in order. */
static enum bm_err reopened_event(struct bm_req *req, const struct decision *d, long long app_id,
                                  const struct bm_dbres *app)
{
	const char *holder = bm_dbres_get(app, 0, D_HOLDER);
	return ap_event(req, app_id, "reopened", holder,
	                json_pack("{s:s, s:s, s:s, s:o}", "appeal_id", d->no, "decision",
	                          d->decision, "status", holder ? "in_progress" : "received",
	                          "due_at", bm_record_time(d->due_db)),
	                d->now);
}

static enum bm_err decide_step(struct bm_req *req, void *arg, struct ap_outcome *o)
{
	struct decision *d = arg;
	struct bm_dbres *p = NULL, *app = NULL, *res = NULL;
	time_t due = 0;
	enum bm_err e;

	d->due_db[0] = '\0';
	ap_verdict(o, BM_E_NOT_FOUND, NULL, NULL, NULL);
	if ((e = ap_appeal_find(req, d->no, true, &p)) || !p)
		goto out;
	long long appeal_id = ap_ll(bm_dbres_get(p, 0, AP_ID));
	long long app_id = ap_ll(bm_dbres_get(p, 0, AP_APPLICATION_ID));
	struct bm_dbp a[] = {BM_DB_INT(app_id)};
	if ((e = bm_db_run(req->ctx->db, sql_application, a, 1, &app)))
		goto out;
	if (app->nrows != 1) {
		e = BM_E_INTERNAL;
		goto out;
	}
	bool back = strcmp(d->decision, "rejected") != 0;
	if (back && !strcmp(bm_dbres_get(p, 0, AP_STATUS), "appeal_filed") &&
	    (e = reopen(req, d, app_id, app, &due)))
		goto out;
	struct bm_dbp u[] = {BM_DB_STR(d->decision),
	                     BM_DB_STR(d->text),
	                     BM_DB_STR(d->now),
	                     req->who.uid ? BM_DB_INT(req->who.uid) : BM_DB_NULL(),
	                     d->due_db[0] ? BM_DB_STR(d->due_db) : BM_DB_NULL(),
	                     BM_DB_INT(appeal_id)};
	if ((e = bm_db_run(req->ctx->db, sql_decide, u, 6, &res)))
		goto out;
	if (res->affected != 1) {
		e = ap_verdict(o, BM_E_CONFLICT, "APPEAL_DECIDED",
		               "İtiraz daha önce karara bağlanmıştır.",
		               "The appeal has already been decided.");
		goto out;
	}
	if ((e = ap_event(req, app_id, "appeal_decided", NULL,
	                  json_pack("{s:s, s:s}", "appeal_id", d->no, "decision", d->decision),
	                  d->now)) ||
	    (d->due_db[0] && (e = reopened_event(req, d, app_id, app))))
		goto out;
	const struct bm_notify_to to = {
	    app_id, bm_dbres_get(app, 0, D_NO), bm_dbres_get(app, 0, D_EMAIL),
	    bm_dbres_get(app, 0, D_FIRST), bm_dbres_get(app, 0, D_LAST)};
	if ((e = ap_mail_decided(req->ctx, &to, d->no, d->decision, d->text,
	                         bm_dbres_get(app, 0, D_HOLDER_NAME), due)))
		goto out;
	ap_verdict(o, BM_OK, NULL, NULL, NULL);
out:
	bm_dbres_free(p);
	bm_dbres_free(app);
	bm_dbres_free(res);
	return e;
}

void appeals_decide(struct bm_req *req)
{
	struct decision d = {.no = bm_req_param(req, "id"),
	                     .decision = bm_json_str(req->json, "decision"),
	                     .text = bm_json_str(req->json, "text")};
	struct ap_outcome o;

	ap_now_db(req, d.now);
	if (!d.no || !bm_json_matches(d.no, AP_APPEAL_NO_PATTERN)) {
		ap_reply_not_found(req);
		return;
	}
	enum bm_err e = ap_tx(req, decide_step, &d, &o);
	if (e) {
		bm_reply_error(req, e);
		return;
	}
	if (o.e == BM_E_NOT_FOUND) {
		ap_reply_not_found(req);
		return;
	}
	if (o.e != BM_OK) {
		ap_reply_outcome(req, &o);
		return;
	}
	bm_log(BM_LOG_INFO, req->req_id, "appeal %s decided: %s", d.no, d.decision);
	json_t *body =
	    json_pack("{s:s, s:s, s:s, s:o, s:o}", "appeal_id", d.no, "status", "appeal_decided",
	              "decision", d.decision, "decided_at", bm_record_time(d.now),
	              "application_due_at", d.due_db[0] ? bm_record_time(d.due_db) : json_null());
	bm_reply_json(req, 200, body, NULL);
}
