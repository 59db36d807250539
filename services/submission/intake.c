// SPDX-License-Identifier: MIT
/*
 * Shared intake: see intake.h.
 *
 * The ID number is stored sealed (AES-256-GCM) with an HMAC for look-ups;
 * the tracking code is derived from the application number, so only its
 * hash is stored and a replay can give it again. The UNIQUE index on the
 * Idempotency-Key, not Redis, makes concurrent retries safe.
 */
#include "intake.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attachments.h"
#include "bm_db.h"
#include "bm_deadline.h"
#include "bm_validators.h"

const char *const intake_types[] = {"dilekce", "bilgi_edinme", NULL};
const char *const intake_categories[] = {"istek", "sikayet", "ihbar", "gorus", "oneri", NULL};
const struct bm_field intake_attachment_id = {
    .type = BM_FT_STRING, .min = 8, .max = 64, .pattern = BM_TOKEN_PATTERN};

static const char sql_institution[] = "SELECT in_scope, active FROM institutions WHERE code = ?";
static const char sql_by_key[] =
    "SELECT application_no, request_hash, status FROM applications WHERE idempotency_key = ?";
static const char sql_insert[] = INTAKE_INSERT_HEAD INTAKE_ROW_TUPLE;

void intake_cross_field_rules(struct bm_req *req)
{
	const json_t *j = req->json;
	const char *type = bm_json_str(j, "type"), *cat = bm_json_str(j, "category");
	bool petition = !strcmp(type, "dilekce");

	if (petition && !cat)
		bm_verrs_add(&req->errs, "category", "REQUIRED", NULL);
	if (!petition && cat)
		bm_verrs_add(&req->errs, "category", "NOT_ALLOWED", NULL);
	if (bm_json_bool(j, "identity_hidden", false) &&
	    (!cat || (strcmp(cat, "sikayet") && strcmp(cat, "ihbar"))))
		bm_verrs_add(&req->errs, "identity_hidden", "IDENTITY_HIDDEN_NOT_ALLOWED", NULL);
	const json_t *ids = json_object_get(j, "attachment_ids");
	for (size_t i = 0; i < json_array_size(ids); i++)
		for (size_t k = 0; k < i; k++)
			if (json_equal(json_array_get(ids, i), json_array_get(ids, k))) {
				char f[48];
				snprintf(f, sizeof f, "attachment_ids[%zu]", i);
				bm_verrs_add(&req->errs, f, "DUPLICATE", NULL);
			}
	const char *key = bm_req_env(req, "HTTP_IDEMPOTENCY_KEY");
	if (key && !bm_json_matches(key, BM_IDEMPOTENCY_KEY_PATTERN))
		bm_verrs_add(&req->errs, "Idempotency-Key", "INVALID_FORMAT", NULL);
}

enum bm_err intake_check_target(struct bm_req *req)
{
	const char *code = bm_json_str(req->json, "target_institution_code");
	struct bm_dbres *res = NULL;
	if (!code)
		return BM_OK;
	struct bm_dbp p[] = {BM_DB_STR(code)};
	enum bm_err e = bm_db_run(req->ctx->db, sql_institution, p, 1, &res);
	if (e)
		return e;
	if (res->nrows == 0 || bm_dbres_get(res, 0, 1)[0] != '1')
		bm_verrs_add(&req->errs, "target_institution_code", "UNKNOWN_INSTITUTION", NULL);
	else if (bm_dbres_get(res, 0, 0)[0] != '1')
		bm_verrs_add(&req->errs, "target_institution_code", "INSTITUTION_OUT_OF_SCOPE",
		             NULL);
	bm_dbres_free(res);
	return BM_OK;
}

void intake_reply(struct bm_req *req, const struct intake *in, const char *no)
{
	char code[BM_TRACKING_SIZE], due[BM_TIME_ISO_LEN];
	bm_tracking_code(&req->ctx->cfg->keys, no, code);
	json_t *body = json_pack("{s:s, s:s, s:s}", "application_no", no, "tracking_code", code,
	                         "status", in->status);
	if (body && in->due[0] && bm_time_db_to_iso(in->due, due))
		json_object_set_new(body, "due_at", json_string(due));
	bm_reply_json(req, in->reply_status, body, NULL);
}

/* Looks the key up; answers when found. */
static bool replay(struct bm_req *req, struct intake *in, enum bm_err *err)
{
	struct bm_dbres *res = NULL;
	struct bm_dbp p[] = {BM_DB_STR(in->key)};
	*err = bm_db_run(req->ctx->db, sql_by_key, p, 1, &res);
	if (*err || res->nrows == 0) {
		bm_dbres_free(res);
		return false;
	}
	if (res->lens[1] == 32 && bm_ct_equal(bm_dbres_get(res, 0, 1), in->req_hash, 32)) {
		struct intake same = *in;
		same.due[0] = '\0'; /* the first answer's due date is not kept; the status has it */
		intake_reply(req, &same, bm_dbres_get(res, 0, 0));
	} else {
		bm_verrs_add(&req->errs, "Idempotency-Key", "IDEMPOTENCY_KEY_REUSED", NULL);
		bm_reply_problem(req, BM_E_VALIDATION, "IDEMPOTENCY_KEY_REUSED",
		                 req->lang == BM_LANG_EN
		                     ? "This Idempotency-Key was used with a different request."
		                     : "Bu Idempotency-Key başka bir istekle kullanılmış.");
	}
	bm_dbres_free(res);
	return true;
}

bool intake_replay_or_reply(struct bm_req *req, struct intake *in)
{
	enum bm_err e = BM_OK;
	in->key = bm_req_env(req, "HTTP_IDEMPOTENCY_KEY");
	if (!in->key)
		return false; /* the request's hash only matters to a replay */
	char *canon = json_dumps(req->json, JSON_COMPACT | JSON_SORT_KEYS);
	if (!canon) {
		bm_reply_error(req, BM_E_NOMEM);
		return true;
	}
	/* the channel is part of what was asked: a staff and a citizen request never match */
	size_t n = strlen(canon);
	char *salted = realloc(canon, n + strlen(in->channel) + 2);
	if (!salted) {
		free(canon);
		bm_reply_error(req, BM_E_NOMEM);
		return true;
	}
	snprintf(salted + n, strlen(in->channel) + 2, "|%s", in->channel);
	bm_sha256(salted, strlen(salted), in->req_hash);
	free(salted);
	if (replay(req, in, &e))
		return true;
	if (e)
		bm_reply_error(req, e);
	return e != BM_OK;
}

enum bm_err intake_prepare(struct bm_req *req, struct intake *in)
{
	const json_t *a = json_object_get(req->json, "applicant");
	const char *tckn = bm_json_str(a, "tc_kimlik_no");
	time_t now = bm_req_now(req);

	bm_time_to_db(now, in->now);
	in->due[0] = '\0';
	in->has_tckn = tckn != NULL;
	if (tckn) {
		bm_hmac(req->ctx->cfg->keys.hmac, tckn, strlen(tckn), in->mac);
		enum bm_err e = bm_seal(req->ctx->cfg->keys.data, tckn, strlen(tckn), in->sealed,
		                        sizeof in->sealed, &in->sealed_len);
		if (e)
			return e;
	}
	if (!strcmp(in->status, "received")) {
		bool info = !strcmp(bm_json_str(req->json, "type"), "bilgi_edinme");
		enum bm_err e = bm_deadline_due(req->ctx, info, false, now, &in->due_t);
		if (e)
			return e;
		bm_time_to_db(in->due_t, in->due);
	}
	return BM_OK;
}

static struct bm_dbp opt(const char *s)
{
	return s ? BM_DB_STR(s) : BM_DB_NULL();
}

void intake_row(struct bm_req *req, const struct intake *in, unsigned char th[32],
                struct bm_dbp p[INTAKE_ROW_COLS])
{
	const json_t *j = req->json, *a = json_object_get(j, "applicant");
	char code[BM_TRACKING_SIZE];
	bool received = in->due[0] != '\0';

	bm_tracking_code(&req->ctx->cfg->keys, in->no, code);
	bm_sha256(code, strlen(code), th);
	const struct bm_dbp row[INTAKE_ROW_COLS] = {
	    BM_DB_STR(in->no),
	    BM_DB_BLOB(th, 32),
	    BM_DB_STR(bm_json_str(j, "type")),
	    opt(bm_json_str(j, "category")),
	    BM_DB_STR(in->channel),
	    BM_DB_STR(bm_json_str(j, "subject")),
	    BM_DB_STR(bm_json_str(j, "body")),
	    opt(bm_json_str(j, "topic")),
	    opt(bm_json_str(j, "target_institution_code")),
	    opt(in->province_code),
	    BM_DB_INT(bm_json_bool(j, "identity_hidden", false)),
	    BM_DB_INT(in->anonymous),
	    in->has_tckn ? BM_DB_BLOB(in->sealed, in->sealed_len) : BM_DB_NULL(),
	    in->has_tckn ? BM_DB_BLOB(in->mac, sizeof in->mac) : BM_DB_NULL(),
	    opt(bm_json_str(a, "first_name")),
	    opt(bm_json_str(a, "last_name")),
	    opt(bm_json_str(a, "email")),
	    opt(bm_json_str(a, "phone")),
	    opt(bm_json_str(a, "address")),
	    BM_DB_STR(in->status),
	    BM_DB_STR(in->now),
	    received ? BM_DB_STR(in->now) : BM_DB_NULL(),
	    received ? BM_DB_STR(in->due) : BM_DB_NULL(),
	    opt(in->key),
	    in->key ? BM_DB_BLOB(in->req_hash, 32) : BM_DB_NULL(),
	};
	memcpy(p, row, sizeof row);
}

enum bm_err intake_insert(struct bm_req *req, struct intake *in)
{
	struct bm_dbp p[INTAKE_ROW_COLS];
	unsigned char th[32];
	struct bm_dbres *res = NULL;

	enum bm_err e = bm_appno_next(req->ctx->db, bm_req_now(req), in->no);
	if (e)
		return e;
	intake_row(req, in, th, p);
	e = bm_db_run(req->ctx->db, sql_insert, p, INTAKE_ROW_COLS, &res);
	if (!e)
		in->id = (long long)res->insert_id;
	bm_dbres_free(res);
	const json_t *ids = json_object_get(req->json, "attachment_ids");
	if (!e && json_array_size(ids))
		e = attachments_claim(req->ctx->db, in->id, ids, &req->errs);
	return e;
}

void intake_fail(struct bm_req *req, struct intake *in, enum bm_err e)
{
	enum bm_err e2 = BM_OK;
	bm_db_rollback(req->ctx->db);
	if (e == BM_E_CONFLICT && in->key && replay(req, in, &e2))
		return; /* a concurrent twin with the same key committed first */
	bm_reply_error(req, e2 ? e2 : e == BM_E_CONFLICT ? BM_E_UNAVAILABLE : e);
}
