// SPDX-License-Identifier: MIT
/*
 * POST /api/v1/applications/{no}/extend: the holding institution extends an
 * information request's period once (rules.md D2, Law 4982 art. 11): when
 * the answer needs another unit or institution, the 15 business days become
 * BIMER_INFO_EXTENDED_BUSINESS_DAYS (30) from receipt, and the applicant is
 * told with the reason before the original period ends.
 *
 * 422 for a petition (D1 has no extension), 409 when it was extended
 * already, when the original due moment has passed, or when the application
 * is no longer in progress; 403 for anyone but the holder. The change is an
 * `UPDATE … WHERE status = 'in_progress' AND assigned_institution_code <=>
 * <holder> AND extended_at IS NULL AND due_at >= now`, so two extensions at
 * once, or an extension racing an answer or a forward, change it once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bm_db.h"
#include "bm_deadline.h"
#include "bm_event.h"
#include "bm_json.h"
#include "bm_log.h"
#include "bm_notify.h"
#include "bm_req.h"
#include "bm_time.h"
#include "bm_validators.h"
#include "handlers.h"
#include "reach.h"

const struct bm_field extend_fields[] = {BM_FIELD_TEXT("reason"), {0}};

static const char sql_extend[] =
    "UPDATE applications SET due_at = ?, extended_at = ? WHERE id = ? AND status = 'in_progress' "
    "AND assigned_institution_code <=> ? AND extended_at IS NULL AND due_at >= ?";

struct extension {
	const char *reason;
	time_t due;
};

static enum bm_err record(struct bm_req *req, const struct bm_dbres *app, const struct extension *x,
                          const char *now)
{
	char iso[BM_TIME_ISO_LEN], due_db[BM_TIME_ISO_LEN];
	long long id = rt_app_id(app);
	bm_time_to_db(x->due, due_db);
	bm_time_db_to_iso(due_db, iso);
	char *data = rt_event_data(req, json_pack("{s:s}", "due_at", iso));
	const struct bm_event ev = {.application_id = id,
	                            .kind = "extended",
	                            .actor_user_id = req->who.uid,
	                            .actor_institution = req->who.inst,
	                            .note = x->reason,
	                            .data = data,
	                            .request_id = req->req_id,
	                            .at = now};
	enum bm_err e = data ? bm_event_append(req->ctx->db, &ev) : BM_E_NOMEM;
	free(data);
	if (e)
		return e;
	const char *inst = bm_dbres_get(app, 0, RT_ASSIGNED_NAME);
	const struct bm_notify_to to = {
	    id, bm_dbres_get(app, 0, RT_NO), bm_dbres_get(app, 0, RT_EMAIL),
	    bm_dbres_get(app, 0, RT_FIRST), bm_dbres_get(app, 0, RT_LAST)};
	return bm_notify_extended(req->ctx, &to, inst ? inst : req->who.inst, x->reason, x->due);
}

/* The checks in the order the answers are documented: 409 closed, 403, 422, 409. */
static enum bm_err refusal(const struct rt_caller *c, const struct bm_dbres *app, const char *now,
                           struct rt_outcome *out, bool *refused)
{
	const char *due = bm_dbres_get(app, 0, RT_DUE);
	*refused = true;
	if (!rt_col_is(app, RT_STATUS, "received") && !rt_col_is(app, RT_STATUS, "in_progress"))
		return rt_verdict(out, RT_CLOSED, "APPLICATION_CLOSED",
		                  "Başvuru cevaplanmış ya da kapanmış; süresi uzatılamaz.",
		                  "The application is answered or closed; its period cannot be "
		                  "extended.");
	if (!rt_holds(c, app))
		return rt_verdict(out, RT_FORBIDDEN, "NOT_HOLDING_INSTITUTION",
		                  "Süreyi yalnızca başvurunun bulunduğu kurum uzatabilir.",
		                  "Only the institution holding the application can extend it.");
	if (!rt_col_is(app, RT_TYPE, "bilgi_edinme"))
		return rt_verdict(out, RT_INVALID, "NOT_AN_INFORMATION_REQUEST",
		                  "Süre uzatımı yalnızca bilgi edinme başvurularında yapılabilir.",
		                  "Only an information request's period can be extended.");
	if (bm_dbres_get(app, 0, RT_EXTENDED))
		return rt_verdict(out, RT_CLOSED, "ALREADY_EXTENDED",
		                  "Bu başvurunun süresi bir kez uzatılmıştır; yeniden uzatılamaz.",
		                  "This application's period was extended once already.");
	/* Both "YYYY-MM-DD HH:MM:SS" UTC first: the text order is the time order. */
	if (!due || strncmp(due, now, 19) < 0 || !bm_dbres_get(app, 0, RT_RECEIVED_EPOCH))
		return rt_verdict(out, RT_CLOSED, "EXTENSION_TOO_LATE",
		                  "Süre uzatımı 15 iş günlük süre dolmadan bildirilmelidir.",
		                  "An extension must be notified before the 15 business days end.");
	*refused = false;
	return BM_OK;
}

static enum bm_err extend_step(struct bm_req *req, const struct rt_caller *c,
                               const struct bm_dbres *app, void *arg, struct rt_outcome *out)
{
	struct extension *x = arg;
	struct bm_dbres *res = NULL;
	char now[BM_TIME_ISO_LEN], due[BM_TIME_ISO_LEN];
	bool refused;
	enum bm_err e;

	bm_time_to_db(bm_req_now(req), now);
	if ((e = refusal(c, app, now, out, &refused)) || refused)
		return e;
	time_t received = (time_t)strtoll(bm_dbres_get(app, 0, RT_RECEIVED_EPOCH), NULL, 10);
	if ((e = bm_deadline_due(req->ctx, true, true, received, &x->due)))
		return e;
	bm_time_to_db(x->due, due);
	struct bm_dbp up[] = {BM_DB_STR(due), BM_DB_STR(now), BM_DB_INT(rt_app_id(app)),
	                      BM_DB_STR(c->who->inst), BM_DB_STR(now)};
	if ((e = bm_db_run(req->ctx->db, sql_extend, up, 5, &res)))
		return e;
	bool changed = res->affected == 1;
	bm_dbres_free(res);
	if (!changed)
		return rt_verdict(out, RT_RACE, "APPLICATION_CHANGED",
		                  "Başvuru bu sırada başka bir işlemle değişti; yeniden bakınız.",
		                  "The application was changed meanwhile; look at it again.");
	if ((e = record(req, app, x, now)))
		return e;
	return rt_verdict(out, RT_OK, NULL, NULL, NULL);
}

void applications_extend(struct bm_req *req)
{
	const char *no = bm_req_param(req, "no");
	struct extension x = {.reason = bm_json_str(req->json, "reason")};
	char due[BM_TIME_ISO_LEN], iso[BM_TIME_ISO_LEN];

	if (!rt_change_or_reply(req, extend_step, &x))
		return;
	bm_time_to_db(x.due, due);
	bm_time_db_to_iso(due, iso);
	bm_log(BM_LOG_INFO, req->req_id, "application %s extended", no);
	bm_reply_json(req, 200, json_pack("{s:s, s:s}", "application_no", no, "due_at", iso), NULL);
}
