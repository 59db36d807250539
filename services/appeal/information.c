// SPDX-License-Identifier: MIT
/*
 * BEDK asks an institution for information on an appeal, and the institution
 * answers (rules.md A4: within 15 business days, configurable).
 *
 * POST /api/v1/appeals/{id}/information-request (BEDK): to institution_code,
 * or by default to the institution that answered the application (the actor
 * of its last answer), else the one holding it. The institution must exist,
 * be active and inside the system (W4). A decided appeal is 409, and so is a
 * second request to an institution whose earlier one is still open (one open
 * request per appeal and institution, a UNIQUE key). The request shows in the
 * institution's GET /api/v1/appeals.
 *
 * POST /api/v1/appeals/{id}/information-response (the institution asked):
 * answers the latest request addressed to the caller's institution. No such
 * request is 404 — the same answer as a missing appeal, so an institution
 * learns nothing of appeals that do not concern it — and an answered one 409.
 * Attachments the institution uploaded may come with the answer.
 *
 * Each is one transaction with its event on the appealed application's chain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appeal.h"
#include "bm_db.h"
#include "bm_json.h"
#include "bm_log.h"
#include "bm_req.h"
#include "bm_validators.h"
#include "claim.h"
#include "handlers.h"
#include "requests.h"
#include "settings.h"

static const struct bm_field attachment_id_field = {
    .type = BM_FT_STRING, .min = 8, .max = 64, .pattern = BM_TOKEN_PATTERN};

const struct bm_field information_request_fields[] = {
    BM_FIELD_INSTITUTION("institution_code", BM_FF_NULLABLE), BM_FIELD_TEXT("text"), {0}};

const struct bm_field information_response_fields[] = {BM_FIELD_TEXT("text"),
                                                       {.name = "attachment_ids",
                                                        .type = BM_FT_ARRAY,
                                                        .flags = BM_FF_NULLABLE,
                                                        .min = 0,
                                                        .max = 10,
                                                        .sub = &attachment_id_field},
                                                       {0}};

/* Who answered the application (its last answer's institution), else who holds it. */
static const char sql_default_institution[] =
    "SELECT COALESCE((SELECT e.actor_institution_code FROM application_events e "
    "WHERE e.application_id = a.id AND e.kind IN ('answered', 'not_processed') "
    "ORDER BY e.id DESC LIMIT 1), a.assigned_institution_code) FROM applications a WHERE a.id = ?";
static const char sql_institution[] = "SELECT in_scope, active FROM institutions WHERE code = ?";
static const char sql_insert[] =
    "INSERT INTO appeal_information_requests (appeal_id, institution_code, text, requested_at, "
    "requested_by_user_id, due_at) VALUES (?, ?, ?, ?, ?, ?)";
static const char sql_by_id[] = AP_REQUEST_COLUMNS "WHERE r.id = ?";
static const char sql_latest_mine[] =
    "SELECT id, answered_at FROM appeal_information_requests WHERE appeal_id = ? "
    "AND institution_code = ? ORDER BY id DESC LIMIT 1 FOR UPDATE";
static const char sql_answer[] =
    "UPDATE appeal_information_requests SET answered_at = ?, answer_text = ?, "
    "answered_by_user_id = ? WHERE id = ? AND answered_at IS NULL";
static const char sql_attachments[] = AP_REQUEST_ATTACHMENTS_SQL;

/* What one request or response asked, and what it made. */
struct info {
	const char *no, *text, *institution;
	const json_t *ids;
	char inst[72];
	char now[BM_TIME_ISO_LEN];
	long long request_id;
	struct bm_dbres *row, *atts; /* the request as it now stands, for the reply */
};

static enum bm_err decided(struct ap_outcome *o)
{
	return ap_verdict(o, BM_E_CONFLICT, "APPEAL_DECIDED",
	                  "İtiraz karara bağlanmıştır; bu işlem artık yapılamaz.",
	                  "The appeal has been decided; this can no longer be done.");
}

/* The request as stored, with its attachments, for the reply. */
static enum bm_err load(struct bm_req *req, struct info *in, long long appeal_id)
{
	struct bm_dbp p[] = {BM_DB_INT(in->request_id)}, a[] = {BM_DB_INT(appeal_id)};
	enum bm_err e = bm_db_run(req->ctx->db, sql_by_id, p, 1, &in->row);
	if (!e)
		e = bm_db_run(req->ctx->db, sql_attachments, a, 1, &in->atts);
	if (!e && in->row->nrows != 1)
		e = BM_E_INTERNAL;
	return e;
}

/* The institution to ask: given, or the default; checked. *ok false when answered (422). */
static enum bm_err target(struct bm_req *req, struct info *in, long long app_id,
                          struct ap_outcome *o, bool *ok)
{
	struct bm_dbres *res = NULL;
	enum bm_err e;

	*ok = false;
	if (in->institution) {
		snprintf(in->inst, sizeof in->inst, "%s", in->institution);
	} else {
		struct bm_dbp p[] = {BM_DB_INT(app_id)};
		if ((e = bm_db_run(req->ctx->db, sql_default_institution, p, 1, &res)))
			return e;
		const char *code = res->nrows ? bm_dbres_get(res, 0, 0) : NULL;
		snprintf(in->inst, sizeof in->inst, "%s", code ? code : "");
		bm_dbres_free(res);
		res = NULL;
		if (!in->inst[0]) {
			ap_field_error(req, "institution_code", "REQUIRED", NULL, NULL);
			return ap_verdict(o, BM_E_VALIDATION, NULL, NULL, NULL);
		}
	}
	struct bm_dbp q[] = {BM_DB_STR(in->inst)};
	if ((e = bm_db_run(req->ctx->db, sql_institution, q, 1, &res)))
		return e;
	if (res->nrows == 0 || bm_dbres_get(res, 0, 1)[0] != '1')
		ap_field_error(req, "institution_code", "UNKNOWN_INSTITUTION", NULL, NULL);
	else if (bm_dbres_get(res, 0, 0)[0] != '1')
		ap_field_error(req, "institution_code", "INSTITUTION_OUT_OF_SCOPE", NULL, NULL);
	else
		*ok = true;
	bm_dbres_free(res);
	return *ok ? BM_OK : ap_verdict(o, BM_E_VALIDATION, NULL, NULL, NULL);
}

static enum bm_err ask_step(struct bm_req *req, void *arg, struct ap_outcome *o)
{
	struct info *in = arg;
	struct bm_dbres *p = NULL, *res = NULL;
	bool ok = false;
	time_t due;
	char due_db[BM_TIME_ISO_LEN];
	enum bm_err e;

	bm_dbres_free(in->row);
	bm_dbres_free(in->atts);
	in->row = in->atts = NULL;
	ap_verdict(o, BM_E_NOT_FOUND, NULL, NULL, NULL);
	if ((e = ap_appeal_find(req, in->no, true, &p)) || !p)
		goto out;
	long long appeal_id = ap_ll(bm_dbres_get(p, 0, AP_ID));
	long long app_id = ap_ll(bm_dbres_get(p, 0, AP_APPLICATION_ID));
	if (strcmp(bm_dbres_get(p, 0, AP_STATUS), "appeal_filed")) {
		e = decided(o);
		goto out;
	}
	if ((e = target(req, in, app_id, o, &ok)) || !ok)
		goto out;
	if ((e = ap_business_due(req->ctx, bm_req_now(req), ap_settings()->information_days, &due)))
		goto out;
	bm_time_to_db(due, due_db);
	struct bm_dbp q[] = {BM_DB_INT(appeal_id),
	                     BM_DB_STR(in->inst),
	                     BM_DB_STR(in->text),
	                     BM_DB_STR(in->now),
	                     req->who.uid ? BM_DB_INT(req->who.uid) : BM_DB_NULL(),
	                     BM_DB_STR(due_db)};
	if ((e = bm_db_run(req->ctx->db, sql_insert, q, 6, &res)) == BM_E_CONFLICT) {
		e = ap_verdict(o, BM_E_CONFLICT, "INFORMATION_REQUEST_OPEN",
		               "Bu kuruma yöneltilmiş ve henüz cevaplanmamış bir bilgi talebi var.",
		               "An information request to this institution is still unanswered.");
		goto out;
	}
	if (e)
		goto out;
	in->request_id = (long long)res->insert_id;
	char id[24];
	snprintf(id, sizeof id, "%lld", in->request_id);
	if ((e = ap_event(req, app_id, "appeal_information_requested", in->inst,
	                  json_pack("{s:s, s:s, s:o}", "appeal_id", in->no,
	                            "information_request_id", id, "due_at", bm_record_time(due_db)),
	                  in->now)) ||
	    (e = load(req, in, appeal_id)))
		goto out;
	ap_verdict(o, BM_OK, NULL, NULL, NULL);
out:
	bm_dbres_free(p);
	bm_dbres_free(res);
	return e;
}

static enum bm_err respond_step(struct bm_req *req, void *arg, struct ap_outcome *o)
{
	struct info *in = arg;
	struct bm_dbres *p = NULL, *mine = NULL, *res = NULL;
	bool bad = false;
	enum bm_err e;

	bm_dbres_free(in->row);
	bm_dbres_free(in->atts);
	in->row = in->atts = NULL;
	ap_verdict(o, BM_E_NOT_FOUND, NULL, NULL, NULL);
	if ((e = ap_appeal_find(req, in->no, true, &p)) || !p)
		goto out;
	long long appeal_id = ap_ll(bm_dbres_get(p, 0, AP_ID));
	long long app_id = ap_ll(bm_dbres_get(p, 0, AP_APPLICATION_ID));
	struct bm_dbp q[] = {BM_DB_INT(appeal_id), BM_DB_STR(req->who.inst)};
	if ((e = bm_db_run(req->ctx->db, sql_latest_mine, q, 2, &mine)) || mine->nrows == 0)
		goto out;
	in->request_id = ap_ll(bm_dbres_get(mine, 0, 0));
	struct bm_dbp u[] = {BM_DB_STR(in->now), BM_DB_STR(in->text),
	                     req->who.uid ? BM_DB_INT(req->who.uid) : BM_DB_NULL(),
	                     BM_DB_INT(in->request_id)};
	if (bm_dbres_get(mine, 0, 1) || (e = bm_db_run(req->ctx->db, sql_answer, u, 4, &res)) ||
	    res->affected != 1) {
		if (!e)
			e = ap_verdict(o, BM_E_CONFLICT, "INFORMATION_REQUEST_ANSWERED",
			               "Bu bilgi talebi daha önce cevaplanmıştır.",
			               "This information request has already been answered.");
		goto out;
	}
	if (in->ids &&
	    (e = ap_claim_list(req, appeal_id, in->request_id, in->ids, "attachment_ids", &bad)))
		goto out;
	if (bad) {
		e = ap_verdict(o, BM_E_VALIDATION, NULL, NULL, NULL);
		goto out;
	}
	char id[24];
	snprintf(id, sizeof id, "%lld", in->request_id);
	if ((e = ap_event(
	         req, app_id, "appeal_information_answered", NULL,
	         json_pack("{s:s, s:s}", "appeal_id", in->no, "information_request_id", id),
	         in->now)) ||
	    (e = load(req, in, appeal_id)))
		goto out;
	ap_verdict(o, BM_OK, NULL, NULL, NULL);
out:
	bm_dbres_free(p);
	bm_dbres_free(mine);
	bm_dbres_free(res);
	return e;
}

/* Run step and answer: status on success with the request, the outcome otherwise. */
static void act(struct bm_req *req, struct info *in, ap_step step, int status, const char *what)
{
	struct ap_outcome o;

	ap_now_db(req, in->now);
	if (!in->no || !bm_json_matches(in->no, AP_APPEAL_NO_PATTERN)) {
		ap_reply_not_found(req);
		return;
	}
	enum bm_err e = ap_tx(req, step, in, &o);
	if (e)
		bm_reply_error(req, e);
	else if (o.e == BM_E_NOT_FOUND)
		ap_reply_not_found(req);
	else if (o.e != BM_OK)
		ap_reply_outcome(req, &o);
	else {
		bm_log(BM_LOG_INFO, req->req_id, "appeal %s: information %s (%s)", in->no, what,
		       bm_dbres_get(in->row, 0, Q_INST));
		json_t *body = ap_render_request(in->row, 0, in->no, in->atts, in->now);
		if (body)
			bm_reply_json(req, status, body, NULL);
		else
			bm_reply_error(req, BM_E_NOMEM);
	}
	bm_dbres_free(in->row);
	bm_dbres_free(in->atts);
}

void appeals_information_request(struct bm_req *req)
{
	struct info in = {.no = bm_req_param(req, "id"),
	                  .text = bm_json_str(req->json, "text"),
	                  .institution = bm_json_str(req->json, "institution_code")};
	act(req, &in, ask_step, 201, "requested");
}

void appeals_information_response(struct bm_req *req)
{
	struct info in = {.no = bm_req_param(req, "id"),
	                  .text = bm_json_str(req->json, "text"),
	                  .ids = json_object_get(req->json, "attachment_ids")};
	ap_claim_duplicates(req, in.ids, "attachment_ids");
	if (req->errs.n) {
		bm_reply_error(req, BM_E_VALIDATION);
		return;
	}
	act(req, &in, respond_step, 200, "answered");
}
