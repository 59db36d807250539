// SPDX-License-Identifier: MIT
/*
 * POST /api/v1/applications: a citizen's application over the internet.
 *
 * After the field table (types, lengths, formats, the ID checksum) come the
 * rules across fields and those needing the database (rules.md C2, W4, the
 * type/category pairs, attachments); then ONE transaction writes the
 * application, its first event, the verification token and the
 * verification mail's outbox row — all of it or none. It counts as received
 * only once the e-mail is verified (C6, verifications in the verification
 * service).
 */
#include <stdio.h>
#include <string.h>

#include "bm_cache.h"
#include "bm_db.h"
#include "bm_event.h"
#include "bm_log.h"
#include "bm_notify.h"
#include "bm_req.h"
#include "bm_validators.h"
#include "batch.h"
#include "handlers.h"
#include "intake.h"

#define TOKEN_BYTES 32

static const struct bm_field applicant_fields[] = {INTAKE_APPLICANT_FIELDS(BM_FF_REQUIRED)};

const struct bm_field application_fields[] = {
    INTAKE_COMMON_FIELDS,
    {.name = "applicant", .type = BM_FT_OBJECT, .flags = BM_FF_REQUIRED, .sub = applicant_fields},
    {0}};

static const char sql_token[] =
    "INSERT INTO verification_tokens (token_hash, application_id, created_at, expires_at) "
    "VALUES (?, ?, ?, ?)";

/* Per client address and per ID number; Redis down → 503 (a write needs the limit). */
static bool limited_or_reply(struct bm_req *req, const unsigned char mac[BM_HMAC_LEN])
{
	char ipk[96], idk[96];
	bm_limit_key_ip(req, "submit", ipk, sizeof ipk);
	bm_limit_key_hash("submit", mac, idk, sizeof idk);
	const struct bm_rl_key keys[] = {{ipk, &req->ctx->cfg->rl_submit_ip},
	                                 {idk, &req->ctx->cfg->rl_submit_id}};
	return bm_limit_or_reply(req, BM_RL_HIT, keys, 2, true);
}

/* Event, token and mail for the new application. */
static enum bm_err insert_rest(struct bm_req *req, struct intake *in)
{
	const json_t *a = json_object_get(req->json, "applicant");
	char token[64], expires[BM_TIME_ISO_LEN];
	unsigned char th[32];
	time_t exp = bm_req_now(req) + req->ctx->cfg->verify_ttl_s;
	enum bm_err e;

	const struct bm_event ev = {.application_id = in->id,
	                            .kind = "submitted",
	                            .first = true,
	                            .request_id = req->req_id,
	                            .at = in->now};
	if ((e = bm_event_append(req->ctx->db, &ev)))
		return e;
	if ((e = bm_random_token(TOKEN_BYTES, token, sizeof token)))
		return e;
	bm_sha256(token, strlen(token), th);
	bm_time_to_db(exp, expires);
	struct bm_dbp tk[] = {BM_DB_BLOB(th, sizeof th), BM_DB_INT(in->id), BM_DB_STR(in->now),
	                      BM_DB_STR(expires)};
	if ((e = bm_db_run(req->ctx->db, sql_token, tk, 4, NULL)))
		return e;
	const struct bm_notify_to to = {in->id, in->no, bm_json_str(a, "email"),
	                                bm_json_str(a, "first_name"), bm_json_str(a, "last_name")};
	return bm_notify_verification(req->ctx, &to, token, exp);
}

/*
 * The batched write (batch.h): everything prepared here, written by a
 * writer thread with other applications in one transaction. *alone: not
 * written, use the single-application path.
 */
static enum bm_err insert_batched(struct bm_req *req, struct intake *in, bool *alone)
{
	const json_t *a = json_object_get(req->json, "applicant");
	struct intake_job job = {.request_id = req->req_id, .created = in->now};
	char token[64];
	time_t exp = bm_req_now(req) + req->ctx->cfg->verify_ttl_s;
	enum bm_err e;

	*alone = true;
	if ((e = bm_appno_next(req->ctx->db, bm_req_now(req), in->no)) ||
	    (e = bm_random_token(TOKEN_BYTES, token, sizeof token)))
		return e;
	job.no = in->no;
	intake_row(req, in, job.tracking_hash, job.app);
	bm_event_at(in->now, job.at);
	bm_sha256(token, strlen(token), job.token_hash);
	bm_time_to_db(exp, job.expires);
	const struct bm_notify_to to = {0, in->no, bm_json_str(a, "email"),
	                                bm_json_str(a, "first_name"), bm_json_str(a, "last_name")};
	if ((e = bm_notify_verification_mail(&to, token, exp, &job.mail)))
		return e;
	e = batch_write(&job);
	*alone = job.alone;
	in->id = job.id;
	bm_mail_free(&job.mail);
	return e;
}

void applications_create(struct bm_req *req)
{
	struct intake in = {.channel = "internet",
	                    .status = "awaiting_verification",
	                    .reply_status = 202,
	                    .province_code = bm_json_str(req->json, "province_code")};
	struct bm_db *db = req->ctx->db;
	enum bm_err e;

	intake_cross_field_rules(req);
	if (req->errs.n) {
		bm_reply_error(req, BM_E_VALIDATION);
		return;
	}
	if (intake_replay_or_reply(req, &in))
		return;
	if ((e = intake_prepare(req, &in))) {
		bm_reply_error(req, e);
		return;
	}
	if (limited_or_reply(req, in.mac))
		return;
	if ((e = intake_check_target(req)) || req->errs.n) {
		bm_reply_error(req, e ? e : BM_E_VALIDATION);
		return;
	}
	bool alone = true;
	if (!json_array_size(json_object_get(req->json, "attachment_ids")))
		e = insert_batched(req, &in, &alone);
	if (!alone) {
		if (e) {
			intake_fail(req, &in, e);
			return;
		}
		bm_log(BM_LOG_INFO, req->req_id, "application %s submitted", in.no);
		intake_reply(req, &in, in.no);
		return;
	}
	e = bm_db_begin(db);
	if (!e)
		e = intake_insert(req, &in);
	if (!e)
		e = insert_rest(req, &in);
	if (!e)
		e = bm_db_commit(db);
	if (e) {
		intake_fail(req, &in, e);
		return;
	}
	bm_log(BM_LOG_INFO, req->req_id, "application %s submitted", in.no);
	intake_reply(req, &in, in.no);
}
