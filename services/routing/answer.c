// SPDX-License-Identifier: MIT
/*
 * POST /api/v1/applications/{no}/answer: the holding institution answers
 * (positive, negative, partial) or marks the application not processed with
 * a reason code of rules.md.
 *
 * The rules of the answer itself, checked against the application's type:
 *   - not_processed needs a reason_code; positive takes none;
 *   - BE_* codes belong to information requests (Law 4982) only;
 *   - a refused information request (negative or partial) must state its
 *     reason (4982 art. 12): a BE_* reason_code, typically the exception of
 *     arts. 16–27 it relies on (BE_EXC_16 … BE_EXC_27);
 *   - a petition's negative or partial answer is reasoned in its text
 *     (3071 art. 7); reason codes are for not processing it.
 * The citizen's mail is sent by the system (never by the institution, so a
 * hidden identity stays hidden) and, for a refused information request —
 * negative, partial, or not processed under a BE_ code — names the appeal
 * route to BEDK (4982 arts. 12–13).
 *
 * Only the holding institution answers (403 otherwise), only while the
 * application is in progress (409 once it is answered, cancelled, …). The
 * change is `UPDATE … WHERE status = 'in_progress' AND
 * assigned_institution_code <=> <holder>` with the row count checked: a
 * forward or another answer that got there first makes this one 409.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bm_db.h"
#include "bm_event.h"
#include "bm_json.h"
#include "bm_log.h"
#include "bm_notify.h"
#include "bm_req.h"
#include "bm_time.h"
#include "bm_validators.h"
#include "handlers.h"
#include "reach.h"

static const char *const outcomes[] = {"positive", "negative", "partial", "not_processed", NULL};

/* rules.md "Not processed (reason codes)", and the C4/C5 intake codes. */
static const char *const reason_codes[] = {"NO_SUBJECT",
                                           "JUDICIAL",
                                           "MISSING_IDENTITY",
                                           "ANON_NO_EVIDENCE",
                                           "INSULT_PERSONAL_RIGHTS",
                                           "FALSE_ACCUSATION",
                                           "FOREIGNER_INELIGIBLE",
                                           "INSTITUTION_OUT_OF_SCOPE",
                                           "REPEAT_NO_NEW_EVIDENCE",
                                           "BE_MISSING_TCKN_OR_FORM",
                                           "BE_PHONE_NOT_ALLOWED",
                                           "BE_PUBLISHED",
                                           "BE_NEEDS_RESEARCH",
                                           "BE_INCOMPLETE_ACT",
                                           "BE_FEE_UNPAID_WITHDRAWN",
                                           "BE_EXC_16",
                                           "BE_EXC_17",
                                           "BE_EXC_18",
                                           "BE_EXC_19",
                                           "BE_EXC_20",
                                           "BE_EXC_21",
                                           "BE_EXC_22",
                                           "BE_EXC_23",
                                           "BE_EXC_24",
                                           "BE_EXC_25",
                                           "BE_EXC_26",
                                           "BE_EXC_27",
                                           NULL};

const struct bm_field answer_fields[] = {{.name = "outcome",
                                          .type = BM_FT_STRING,
                                          .flags = BM_FF_REQUIRED,
                                          .min = 1,
                                          .max = 16,
                                          .enumv = outcomes},
                                         {.name = "reason_code",
                                          .type = BM_FT_STRING,
                                          .flags = BM_FF_NULLABLE,
                                          .min = 1,
                                          .max = 40,
                                          .enumv = reason_codes},
                                         BM_FIELD_TEXT("text"),
                                         {0}};

static const char sql_answer[] =
    "UPDATE applications SET status = ?, outcome = ?, reason_code = ?, answered_at = ?, "
    "closed_at = ? WHERE id = ? AND status = 'in_progress' AND assigned_institution_code <=> ?";

struct answer {
	const char *outcome, *reason, *text;
	char at[BM_TIME_ISO_LEN];
};

static bool is_be(const char *code)
{
	return code && !strncmp(code, "BE_", 3);
}

static bool refused(const char *outcome)
{
	return !strcmp(outcome, "negative") || !strcmp(outcome, "partial");
}

static void reason_error(struct bm_req *req, const char *code, const char *tr, const char *en)
{
	rt_field_error(req, "reason_code", code, tr, en);
}

/* The rules above; false (with field errors) when the answer breaks one. */
static bool answer_valid(struct bm_req *req, const struct bm_dbres *app, const struct answer *a)
{
	bool info = rt_col_is(app, RT_TYPE, "bilgi_edinme");
	const char *why = a->reason;

	if (!strcmp(a->outcome, "not_processed") && !why)
		reason_error(req, "REQUIRED", "İşleme alınmayan başvuru için gerekçe kodu gerekir.",
		             "An application not processed needs a reason code.");
	else if (!strcmp(a->outcome, "positive") && why)
		reason_error(req, "NOT_ALLOWED", "Olumlu cevapta gerekçe kodu verilmez.",
		             "A positive answer takes no reason code.");
	else if (is_be(why) && !info)
		reason_error(req, "NOT_ALLOWED_FOR_TYPE",
		             "BE_ kodları yalnızca bilgi edinme başvurularında kullanılır.",
		             "BE_ codes apply to information requests only.");
	else if (info && refused(a->outcome) && !why)
		reason_error(req, "REQUIRED",
		             "Bilgi edinme başvurusunun reddi gerekçesiyle, dayandığı istisna kodu "
		             "belirtilerek bildirilir (4982 s. Kanun md. 12).",
		             "A refused information request must state its reason, the exception "
		             "it relies on (Law 4982 art. 12).");
	else if (info && refused(a->outcome) && !is_be(why))
		reason_error(req, "NOT_ALLOWED_FOR_TYPE",
		             "Bilgi edinme başvurusunun reddi bir BE_ koduyla gerekçelendirilir.",
		             "A refused information request is reasoned with a BE_ code.");
	else if (!info && refused(a->outcome) && why)
		reason_error(req, "NOT_ALLOWED",
		             "Dilekçenin olumsuz cevabı metinde gerekçelendirilir; gerekçe kodları "
		             "işleme alınmayan başvurular içindir.",
		             "A petition's refusal is reasoned in its text; reason codes are for "
		             "applications not processed.");
	else
		return true;
	return false;
}

static enum bm_err record(struct bm_req *req, const struct bm_dbres *app, const struct answer *a)
{
	bool np = !strcmp(a->outcome, "not_processed");
	bool info = rt_col_is(app, RT_TYPE, "bilgi_edinme");
	long long id = rt_app_id(app);
	json_t *d = json_pack("{s:s, s:s, s:s}", "status", np ? "not_processed" : "answered",
	                      "outcome", a->outcome, "text", a->text);
	if (d && a->reason)
		json_object_set_new(d, "reason_code", json_string(a->reason));
	char *data = rt_event_data(req, d);
	const struct bm_event ev = {.application_id = id,
	                            .kind = np ? "not_processed" : "answered",
	                            .actor_user_id = req->who.uid,
	                            .actor_institution = req->who.inst,
	                            .data = data,
	                            .request_id = req->req_id,
	                            .at = a->at};
	enum bm_err e = data ? bm_event_append(req->ctx->db, &ev) : BM_E_NOMEM;
	free(data);
	if (e)
		return e;
	bool appeal = info && (refused(a->outcome) || (np && is_be(a->reason)));
	const char *inst = bm_dbres_get(app, 0, RT_ASSIGNED_NAME);
	const struct bm_notify_to to = {
	    id, bm_dbres_get(app, 0, RT_NO), bm_dbres_get(app, 0, RT_EMAIL),
	    bm_dbres_get(app, 0, RT_FIRST), bm_dbres_get(app, 0, RT_LAST)};
	return bm_notify_answered(req->ctx, &to, inst ? inst : req->who.inst, a->outcome, a->reason,
	                          a->text, appeal);
}

static enum bm_err answer_step(struct bm_req *req, const struct rt_caller *c,
                               const struct bm_dbres *app, void *arg, struct rt_outcome *out)
{
	struct answer *a = arg;
	struct bm_dbres *res = NULL;
	bool np = !strcmp(a->outcome, "not_processed");
	enum bm_err e;

	if (!rt_col_is(app, RT_STATUS, "received") && !rt_col_is(app, RT_STATUS, "in_progress"))
		return rt_verdict(
		    out, RT_CLOSED, "APPLICATION_CLOSED",
		    "Başvuru cevaplanmış ya da kapanmış; yeniden cevaplanamaz.",
		    "The application is answered or closed; it cannot be answered again.");
	if (!rt_holds(c, app))
		return rt_verdict(out, RT_FORBIDDEN, "NOT_HOLDING_INSTITUTION",
		                  "Başvuruyu yalnızca başvurunun bulunduğu kurum cevaplayabilir.",
		                  "Only the institution holding the application can answer it.");
	if (!answer_valid(req, app, a))
		return rt_verdict(out, RT_INVALID, NULL, NULL, NULL);
	bm_time_to_db(bm_req_now(req), a->at);
	struct bm_dbp up[] = {BM_DB_STR(np ? "not_processed" : "answered"),
	                      np ? BM_DB_NULL() : BM_DB_STR(a->outcome),
	                      a->reason ? BM_DB_STR(a->reason) : BM_DB_NULL(),
	                      BM_DB_STR(a->at),
	                      BM_DB_STR(a->at),
	                      BM_DB_INT(rt_app_id(app)),
	                      BM_DB_STR(c->who->inst)};
	if ((e = bm_db_run(req->ctx->db, sql_answer, up, 7, &res)))
		return e;
	bool changed = res->affected == 1;
	bm_dbres_free(res);
	if (!changed)
		return rt_verdict(out, RT_RACE, "APPLICATION_CHANGED",
		                  "Başvuru bu sırada başka bir işlemle değişti; yeniden bakınız.",
		                  "The application was changed meanwhile; look at it again.");
	if ((e = record(req, app, a)))
		return e;
	return rt_verdict(out, RT_OK, NULL, NULL, NULL);
}

void applications_answer(struct bm_req *req)
{
	const char *no = bm_req_param(req, "no");
	struct answer a = {.outcome = bm_json_str(req->json, "outcome"),
	                   .reason = bm_json_str(req->json, "reason_code"),
	                   .text = bm_json_str(req->json, "text")};
	char iso[BM_TIME_ISO_LEN];

	if (!rt_change_or_reply(req, answer_step, &a))
		return;
	bool np = !strcmp(a.outcome, "not_processed");
	bm_log(BM_LOG_INFO, req->req_id, "application %s %s", no,
	       np ? "not processed" : "answered");
	json_t *body = json_pack("{s:s, s:s, s:s, s:o}", "application_no", no, "status",
	                         np ? "not_processed" : "answered", "outcome", a.outcome,
	                         "reason_code", a.reason ? json_string(a.reason) : json_null());
	if (body && bm_time_db_to_iso(a.at, iso))
		json_object_set_new(body, "answered_at", json_string(iso));
	bm_reply_json(req, 200, body, NULL);
}
