// SPDX-License-Identifier: MIT
/*
 * POST /api/v1/verifications/resend: a new verification link for an
 * application still awaiting verification. Always 202 with no body, so it
 * reveals nothing; limited per client address and per application (Redis
 * down → 503: every resend is a mail, and mail is a write). Older links
 * stop working (superseded) in the same transaction that mails the new one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_cache.h"
#include "bm_crypto.h"
#include "bm_db.h"
#include "bm_log.h"
#include "bm_notify.h"
#include "bm_req.h"
#include "bm_time.h"
#include "handlers.h"

#define TOKEN_BYTES 32

static const char sql_find[] =
    "SELECT id, applicant_email, applicant_first_name, applicant_last_name FROM applications "
    "WHERE application_no = ? AND applicant_tckn_hmac = ? AND status = "
    "'awaiting_verification' FOR UPDATE";
static const char sql_supersede[] =
    "UPDATE verification_tokens SET superseded_at = ? WHERE application_id = ? AND "
    "used_at IS NULL AND superseded_at IS NULL";
static const char sql_token[] =
    "INSERT INTO verification_tokens (token_hash, application_id, created_at, expires_at) "
    "VALUES (?, ?, ?, ?)";

/* Per client address and per application; Redis down → 503 (every resend is a mail). */
static bool limited_or_reply(struct bm_req *req, const char *no)
{
	char ipk[96], appk[96];
	bm_limit_key_ip(req, "resend", ipk, sizeof ipk);
	snprintf(appk, sizeof appk, "rl:resend:app:%s", no);
	const struct bm_rl_key keys[] = {{ipk, &req->ctx->cfg->rl_resend_ip},
	                                 {appk, &req->ctx->cfg->rl_resend}};
	return bm_limit_or_reply(req, BM_RL_HIT, keys, 2, true);
}

/* In the transaction: retire the old links, store and mail a new one. */
static enum bm_err reissue(struct bm_req *req, const struct bm_dbres *app, const char *no)
{
	struct bm_db *db = req->ctx->db;
	char token[64], now[BM_TIME_ISO_LEN], expires[BM_TIME_ISO_LEN];
	unsigned char th[32];
	time_t t = time(NULL), exp = t + req->ctx->cfg->verify_ttl_s;
	long long id = strtoll(bm_dbres_get(app, 0, 0), NULL, 10);

	bm_time_to_db(t, now);
	bm_time_to_db(exp, expires);
	enum bm_err e = bm_random_token(TOKEN_BYTES, token, sizeof token);
	if (e)
		return e;
	bm_sha256(token, strlen(token), th);
	struct bm_dbp sup[] = {BM_DB_STR(now), BM_DB_INT(id)};
	struct bm_dbp ins[] = {BM_DB_BLOB(th, 32), BM_DB_INT(id), BM_DB_STR(now),
	                       BM_DB_STR(expires)};
	if ((e = bm_db_run(db, sql_supersede, sup, 2, NULL)) ||
	    (e = bm_db_run(db, sql_token, ins, 4, NULL)))
		return e;
	const struct bm_notify_to to = {id, no, bm_dbres_get(app, 0, 1), bm_dbres_get(app, 0, 2),
	                                bm_dbres_get(app, 0, 3)};
	return bm_notify_verification(req->ctx, &to, token, exp);
}

void verifications_resend(struct bm_req *req)
{
	const char *no = bm_json_str(req->json, "application_no");
	const char *tckn = bm_json_str(req->json, "tc_kimlik_no");
	unsigned char mac[BM_HMAC_LEN];
	struct bm_dbres *app = NULL;

	if (limited_or_reply(req, no))
		return;
	bm_hmac(req->ctx->cfg->keys.hmac, tckn, strlen(tckn), mac);
	struct bm_dbp p[] = {BM_DB_STR(no), BM_DB_BLOB(mac, sizeof mac)};
	enum bm_err e = bm_db_begin(req->ctx->db);
	if (!e)
		e = bm_db_run(req->ctx->db, sql_find, p, 2, &app);
	if (!e && app->nrows == 1 && !(e = reissue(req, app, no)))
		e = bm_db_commit(req->ctx->db);
	else
		bm_db_rollback(req->ctx->db);
	if (e)
		bm_reply_error(req, e);
	else
		bm_reply_raw(req, 202, "application/json", NULL, "", 0);
	bm_dbres_free(app);
}
