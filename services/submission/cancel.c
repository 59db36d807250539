// SPDX-License-Identifier: MIT
/*
 * POST /api/v1/applications/{no}/cancel: the applicant withdraws an
 * application, proving it with the ID number or the tracking code. Not
 * after an answer or any other end state (409). A miss answers like the
 * status look-up and counts against the same limits, so cancel cannot be
 * used to probe numbers either. The change, its event and the mail are one
 * transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_cache.h"
#include "bm_crypto.h"
#include "bm_db.h"
#include "bm_event.h"
#include "bm_log.h"
#include "bm_notify.h"
#include "bm_req.h"
#include "bm_time.h"
#include "bm_validators.h"
#include "handlers.h"

const struct bm_field cancel_fields[] = {BM_FIELD_TCKN(BM_FF_NULLABLE),
                                         {.name = "tracking_code",
                                          .type = BM_FT_STRING,
                                          .flags = BM_FF_NULLABLE,
                                          .min = 14,
                                          .max = 64,
                                          .pattern = BM_TOKEN_PATTERN},
                                         {.name = "reason",
                                          .type = BM_FT_STRING,
                                          .flags = BM_FF_NULLABLE | BM_FF_MULTILINE,
                                          .min = 1,
                                          .max = 2000},
                                         {0}};

#define FIND                                                                                       \
	"SELECT id, applicant_email, applicant_first_name, applicant_last_name, anonymous "        \
	"FROM applications WHERE application_no = ? "
static const char sql_by_tckn[] = FIND "AND applicant_tckn_hmac = ? FOR UPDATE";
static const char sql_by_code[] = FIND "AND tracking_hash = ? FOR UPDATE";
static const char sql_cancel[] =
    "UPDATE applications SET status = 'cancelled', closed_at = ? WHERE id = ? AND status IN "
    "('awaiting_verification', 'received', 'in_progress')";

/*
 * Misses count like status look-up misses (the same keys, so cancel cannot
 * probe numbers either); a cancel is a write, so without Redis it waits
 * (503). True when answered.
 */
static bool over_limit(struct bm_req *req, const unsigned char *mac, enum bm_rl_mode mode)
{
	char ipk[96], idk[96];
	bm_limit_key_ip(req, "status", ipk, sizeof ipk);
	if (mac)
		bm_limit_key_hash("status", mac, idk, sizeof idk);
	const struct bm_rl_key keys[] = {{ipk, &req->ctx->cfg->rl_status_ip},
	                                 {idk, &req->ctx->cfg->rl_status_id}};
	return bm_limit_or_reply(req, mode, keys, mac ? 2 : 1, true);
}

static void reply_not_found(struct bm_req *req)
{
	bm_reply_problem(req, BM_E_NOT_FOUND, "APPLICATION_NOT_FOUND",
	                 req->lang == BM_LANG_EN ? "No application matches these details."
	                                         : "Bu bilgilerle eşleşen bir başvuru bulunamadı.");
}

/* Inside the transaction: the update, its event and the mail. */
static enum bm_err cancel_locked(struct bm_req *req, const struct bm_dbres *app, const char *no,
                                 bool *conflict)
{
	struct bm_db *db = req->ctx->db;
	struct bm_dbres *res = NULL;
	char now[BM_TIME_ISO_LEN];
	long long id = strtoll(bm_dbres_get(app, 0, 0), NULL, 10);
	const char *reason = bm_json_str(req->json, "reason");

	bm_time_to_db(bm_req_now(req), now);
	struct bm_dbp up[] = {BM_DB_STR(now), BM_DB_INT(id)};
	enum bm_err e = bm_db_run(db, sql_cancel, up, 2, &res);
	if (e)
		return e;
	*conflict = res->affected == 0;
	bm_dbres_free(res);
	if (*conflict)
		return BM_OK;
	const struct bm_event ev = {.application_id = id,
	                            .kind = "cancelled",
	                            .note = reason,
	                            .request_id = req->req_id,
	                            .at = now};
	if ((e = bm_event_append(db, &ev)))
		return e;
	const struct bm_notify_to to = {id, no, bm_dbres_get(app, 0, 1), bm_dbres_get(app, 0, 2),
	                                bm_dbres_get(app, 0, 3)};
	return bm_notify_cancelled(req->ctx, &to);
}

void applications_cancel(struct bm_req *req)
{
	const char *no = bm_req_param(req, "no");
	const char *tckn = bm_json_str(req->json, "tc_kimlik_no");
	const char *code = bm_json_str(req->json, "tracking_code");
	unsigned char key[32];
	struct bm_dbres *app = NULL;
	bool conflict = false;

	if (!tckn == !code) {
		bm_verrs_add(&req->errs, tckn ? "tracking_code" : "tc_kimlik_no", "ONE_OF_REQUIRED",
		             NULL);
		bm_reply_error(req, BM_E_VALIDATION);
		return;
	}
	if (!bm_json_matches(no, BM_APPLICATION_NO_PATTERN)) {
		reply_not_found(req);
		return;
	}
	if (tckn)
		bm_hmac(req->ctx->cfg->keys.hmac, tckn, strlen(tckn), key);
	else
		bm_sha256(code, strlen(code), key);
	if (over_limit(req, tckn ? key : NULL, BM_RL_PEEK))
		return;
	struct bm_dbp p[] = {BM_DB_STR(no), BM_DB_BLOB(key, 32)};
	enum bm_err e = bm_db_begin(req->ctx->db);
	if (!e)
		e = bm_db_run(req->ctx->db, tckn ? sql_by_tckn : sql_by_code, p, 2, &app);
	if (!e && app->nrows == 1)
		e = cancel_locked(req, app, no, &conflict);
	if (!e && app->nrows == 1 && !conflict)
		e = bm_db_commit(req->ctx->db);
	else
		bm_db_rollback(req->ctx->db);
	if (e)
		bm_reply_error(req, e);
	else if (app->nrows != 1) {
		if (!over_limit(req, tckn ? key : NULL, BM_RL_HIT))
			reply_not_found(req);
	} else if (conflict)
		bm_reply_problem(
		    req, BM_E_CONFLICT, "APPLICATION_CLOSED",
		    req->lang == BM_LANG_EN
		        ? "The application is answered or closed and cannot be cancelled."
		        : "Başvuru cevaplanmış ya da kapanmış olduğundan iptal edilemez.");
	else {
		bm_log(BM_LOG_INFO, req->req_id, "application %s cancelled", no);
		bm_reply_json(req, 200,
		              json_pack("{s:s, s:s}", "application_no", no, "status", "cancelled"),
		              NULL);
	}
	bm_dbres_free(app);
}
