// SPDX-License-Identifier: MIT
/*
 * E-mail verification of internet applications (rules.md C6, D5, D7).
 *
 * The mailed token is single use and expires; only its SHA-256 is stored.
 * Verifying marks the application received, starts its legal clock and
 * computes the due date with the holiday calendar, records the event and
 * queues the tracking-link mail — one transaction. Resending answers 202
 * whatever matched, so it tells nobody whether a number exists.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_appno.h"
#include "bm_cache.h"
#include "bm_crypto.h"
#include "bm_db.h"
#include "bm_deadline.h"
#include "bm_event.h"
#include "bm_log.h"
#include "bm_notify.h"
#include "bm_req.h"
#include "bm_time.h"
#include "bm_validators.h"
#include "handlers.h"

#define TOKEN_BYTES 32

const struct bm_field verify_fields[] = {{.name = "token",
                                          .type = BM_FT_STRING,
                                          .flags = BM_FF_REQUIRED,
                                          .min = 22,
                                          .max = 128,
                                          .pattern = BM_TOKEN_PATTERN},
                                         {0}};

const struct bm_field resend_fields[] = {{.name = "application_no",
                                          .type = BM_FT_STRING,
                                          .flags = BM_FF_REQUIRED,
                                          .min = 14,
                                          .max = 16,
                                          .pattern = BM_APPLICATION_NO_PATTERN},
                                         BM_FIELD_TCKN(BM_FF_REQUIRED),
                                         {0}};

enum {
	T_APP,
	T_EXPIRED,
	T_USED,
	T_SUPERSEDED,
	T_STATUS,
	T_NO,
	T_TYPE,
	T_EMAIL,
	T_FIRST,
	T_LAST,
	T_EXPIRES
};

static const char sql_token[] =
    "SELECT t.application_id, t.expires_at <= UTC_TIMESTAMP(3), t.used_at IS NOT NULL, "
    "t.superseded_at IS NOT NULL, a.status, a.application_no, a.type, a.applicant_email, "
    "a.applicant_first_name, a.applicant_last_name, t.expires_at "
    "FROM verification_tokens t JOIN applications a ON a.id = t.application_id "
    "WHERE t.token_hash = ?";
static const char sql_token_locked[] =
    "SELECT t.application_id, t.expires_at <= UTC_TIMESTAMP(3), t.used_at IS NOT NULL, "
    "t.superseded_at IS NOT NULL, a.status, a.application_no, a.type, a.applicant_email, "
    "a.applicant_first_name, a.applicant_last_name, t.expires_at "
    "FROM verification_tokens t JOIN applications a ON a.id = t.application_id "
    "WHERE t.token_hash = ? FOR UPDATE";
static const char sql_receive[] =
    "UPDATE applications SET status = 'received', received_at = ?, due_at = ? "
    "WHERE id = ? AND status = 'awaiting_verification'";
static const char sql_use[] = "UPDATE verification_tokens SET used_at = ? WHERE token_hash = ?";

static void token_hash(const char *token, unsigned char out[32])
{
	bm_sha256(token, strlen(token), out);
}

static void reply_unknown(struct bm_req *req)
{
	bm_reply_problem(req, BM_E_NOT_FOUND, "VERIFICATION_TOKEN_NOT_FOUND",
	                 req->lang == BM_LANG_EN ? "This verification link is not valid."
	                                         : "Bu doğrulama bağlantısı geçerli değil.");
}

/* Why a found token cannot verify, answered; false when it can. */
static bool refused_or_reply(struct bm_req *req, const struct bm_dbres *t)
{
	bool en = req->lang == BM_LANG_EN;
	const char *status = bm_dbres_get(t, 0, T_STATUS);

	if (bm_dbres_get(t, 0, T_USED)[0] == '1' || strcmp(status, "awaiting_verification")) {
		if (!strcmp(status, "expired"))
			goto expired;
		bm_reply_problem(req, BM_E_CONFLICT, "VERIFICATION_TOKEN_USED",
		                 en ? "This application has already been verified or closed."
		                    : "Bu başvuru zaten doğrulanmış ya da kapanmış.");
		return true;
	}
	if (bm_dbres_get(t, 0, T_SUPERSEDED)[0] == '1') {
		bm_reply_problem(req, BM_E_VALIDATION, "VERIFICATION_TOKEN_SUPERSEDED",
		                 en ? "A newer verification link was sent; use the latest mail."
		                    : "Daha yeni bir doğrulama bağlantısı gönderildi; son "
		                      "e-postayı kullanınız.");
		return true;
	}
	if (bm_dbres_get(t, 0, T_EXPIRED)[0] != '1')
		return false;
expired:
	bm_reply_problem(req, BM_E_VALIDATION, "VERIFICATION_TOKEN_EXPIRED",
	                 en ? "This verification link has expired."
	                    : "Bu doğrulama bağlantısının süresi dolmuş.");
	return true;
}

/* In the transaction: receive, use the token, the event and the tracking mail. */
static enum bm_err receive(struct bm_req *req, const struct bm_dbres *t, const unsigned char *th,
                           time_t now, time_t *due)
{
	struct bm_db *db = req->ctx->db;
	char at[BM_TIME_ISO_LEN], due_s[BM_TIME_ISO_LEN], code[BM_TRACKING_SIZE];
	struct bm_dbres *res = NULL;
	long long id = strtoll(bm_dbres_get(t, 0, T_APP), NULL, 10);
	bool info = !strcmp(bm_dbres_get(t, 0, T_TYPE), "bilgi_edinme");

	enum bm_err e = bm_deadline_due(req->ctx, info, false, now, due);
	if (e)
		return e;
	bm_time_to_db(now, at);
	bm_time_to_db(*due, due_s);
	struct bm_dbp up[] = {BM_DB_STR(at), BM_DB_STR(due_s), BM_DB_INT(id)};
	if ((e = bm_db_run(db, sql_receive, up, 3, &res)))
		return e;
	bool changed = res->affected == 1;
	bm_dbres_free(res);
	if (!changed) /* locked above, so this cannot happen; refuse rather than guess */
		return BM_E_CONFLICT;
	struct bm_dbp use[] = {BM_DB_STR(at), BM_DB_BLOB(th, 32)};
	const struct bm_event ev = {
	    .application_id = id, .kind = "received", .request_id = req->req_id, .at = at};
	if ((e = bm_db_run(db, sql_use, use, 2, NULL)) || (e = bm_event_append(db, &ev)))
		return e;
	const char *no = bm_dbres_get(t, 0, T_NO);
	bm_tracking_code(&req->ctx->cfg->keys, no, code);
	const struct bm_notify_to to = {id, no, bm_dbres_get(t, 0, T_EMAIL),
	                                bm_dbres_get(t, 0, T_FIRST), bm_dbres_get(t, 0, T_LAST)};
	/* internet applications always carry an ID number (W3) */
	return bm_notify_received(req->ctx, &to, code, *due, NULL, true);
}

void verifications_verify(struct bm_req *req)
{
	unsigned char th[32];
	struct bm_dbres *t = NULL;
	time_t now = bm_req_now(req), due = 0;
	char at[BM_TIME_ISO_LEN], due_iso[BM_TIME_ISO_LEN], now_db[BM_TIME_ISO_LEN];

	token_hash(bm_json_str(req->json, "token"), th);
	struct bm_dbp p[] = {BM_DB_BLOB(th, 32)};
	enum bm_err e = bm_db_begin(req->ctx->db);
	if (!e)
		e = bm_db_run(req->ctx->db, sql_token_locked, p, 1, &t);
	if (e) {
		bm_db_rollback(req->ctx->db);
		bm_reply_error(req, e);
		return;
	}
	if (t->nrows != 1)
		reply_unknown(req);
	else if (!refused_or_reply(req, t)) {
		e = receive(req, t, th, now, &due);
		if (!e)
			e = bm_db_commit(req->ctx->db);
	}
	if (req->status || e)
		bm_db_rollback(req->ctx->db);
	if (!req->status && e) {
		bm_reply_error(req, e);
	} else if (!req->status) {
		bm_time_to_db(now, now_db);
		bm_time_db_to_iso(now_db, at);
		bm_time_to_db(due, now_db);
		bm_time_db_to_iso(now_db, due_iso);
		bm_log(BM_LOG_INFO, req->req_id, "application %s verified",
		       bm_dbres_get(t, 0, T_NO));
		bm_reply_json(req, 200,
		              json_pack("{s:s, s:s, s:s, s:s}", "application_no",
		                        bm_dbres_get(t, 0, T_NO), "status", "received",
		                        "received_at", at, "due_at", due_iso),
		              NULL);
	}
	bm_dbres_free(t);
}

void verifications_show(struct bm_req *req)
{
	const char *token = bm_req_param(req, "token");
	unsigned char th[32];
	struct bm_dbres *t = NULL;
	char expires[BM_TIME_ISO_LEN];

	if (!bm_json_matches(token, BM_TOKEN_PATTERN) || strlen(token) < 22) {
		reply_unknown(req);
		return;
	}
	token_hash(token, th);
	struct bm_dbp p[] = {BM_DB_BLOB(th, 32)};
	enum bm_err e = bm_db_run(req->ctx->db, sql_token, p, 1, &t);
	if (e)
		bm_reply_error(req, e);
	else if (t->nrows != 1 || bm_dbres_get(t, 0, T_USED)[0] == '1' ||
	         bm_dbres_get(t, 0, T_EXPIRED)[0] == '1' ||
	         bm_dbres_get(t, 0, T_SUPERSEDED)[0] == '1' ||
	         strcmp(bm_dbres_get(t, 0, T_STATUS), "awaiting_verification") ||
	         !bm_time_db_to_iso(bm_dbres_get(t, 0, T_EXPIRES), expires))
		reply_unknown(req);
	else
		bm_reply_json(req, 200,
		              json_pack("{s:s, s:s, s:s}", "application_no",
		                        bm_dbres_get(t, 0, T_NO), "status", "awaiting_verification",
		                        "expires_at", expires),
		              NULL);
	bm_dbres_free(t);
}
