// SPDX-License-Identifier: MIT
/*
 * POST /api/v1/staff/applications: an operator keys in an application that
 * came by phone (Alo 150), fax, letter or in person. It is received at once
 * (rules.md D5: the legal clock starts when it is keyed in).
 *
 * Identity rules: a petition carries name, surname and address (C1); a fully
 * anonymous şikayet or ihbar is accepted by letter, fax or phone (C3), by
 * letter or fax only with concrete evidence (attachments, or the operator's
 * word in has_evidence), and it gets only a tracking code. An information
 * request is never taken by phone (C5), always carries name and address,
 * and by fax the ID number too (C4).
 */
#include <stdio.h>
#include <string.h>

#include "bm_db.h"
#include "bm_event.h"
#include "bm_log.h"
#include "bm_notify.h"
#include "bm_req.h"
#include "bm_validators.h"
#include "handlers.h"
#include "intake.h"

static const char *const channels[] = {"phone", "fax", "letter", "in_person", NULL};

static const struct bm_field staff_applicant_fields[] = {INTAKE_APPLICANT_FIELDS(BM_FF_NULLABLE)};

const struct bm_field staff_application_fields[] = {
    {.name = "channel",
     .type = BM_FT_STRING,
     .flags = BM_FF_REQUIRED,
     .min = 1,
     .max = 16,
     .enumv = channels},
    INTAKE_COMMON_FIELDS,
    {.name = "has_evidence", .type = BM_FT_BOOL, .flags = BM_FF_NULLABLE},
    {.name = "applicant",
     .type = BM_FT_OBJECT,
     .flags = BM_FF_NULLABLE,
     .sub = staff_applicant_fields},
    {0}};

static const char sql_desk_province[] = "SELECT province_code FROM institutions WHERE code = ?";

static bool has(const json_t *a, const char *k)
{
	return bm_json_str(a, k) != NULL;
}

/* C1/C4: each missing part of the identity is one field error. */
static void require_identity(struct bm_req *req, const json_t *a)
{
	static const char *const parts[] = {"first_name", "last_name", "address", NULL};
	char f[48];
	for (const char *const *p = parts; *p; p++)
		if (!has(a, *p)) {
			snprintf(f, sizeof f, "applicant.%s", *p);
			bm_verrs_add(&req->errs, f, "MISSING_IDENTITY", NULL);
		}
}

/* The channel and identity rules (C1, C3, C4, C5); sets in->anonymous. */
static void identity_rules(struct bm_req *req, struct intake *in)
{
	const json_t *j = req->json, *a = json_object_get(j, "applicant");
	const char *ch = in->channel, *cat = bm_json_str(j, "category");
	bool info = !strcmp(bm_json_str(j, "type"), "bilgi_edinme");
	bool anyone = has(a, "tc_kimlik_no") || has(a, "first_name") || has(a, "last_name");

	if (info) {
		if (!strcmp(ch, "phone"))
			bm_verrs_add(&req->errs, "channel", "BE_PHONE_NOT_ALLOWED", NULL);
		require_identity(req, a);
		if (!strcmp(ch, "fax") && !has(a, "tc_kimlik_no"))
			bm_verrs_add(&req->errs, "applicant.tc_kimlik_no",
			             "BE_MISSING_TCKN_OR_FORM", NULL);
		return;
	}
	bool complaint = cat && (!strcmp(cat, "sikayet") || !strcmp(cat, "ihbar"));
	if (anyone || !complaint || !strcmp(ch, "in_person")) {
		require_identity(req, a);
		return;
	}
	in->anonymous = true; /* C3 */
	if (json_object_size(a))
		bm_verrs_add(&req->errs, "applicant", "NOT_ALLOWED", NULL);
	if (bm_json_bool(j, "identity_hidden", false))
		bm_verrs_add(&req->errs, "identity_hidden", "NOT_ALLOWED", NULL);
	if ((!strcmp(ch, "letter") || !strcmp(ch, "fax")) &&
	    !bm_json_bool(j, "has_evidence", false) &&
	    !json_array_size(json_object_get(j, "attachment_ids")))
		bm_verrs_add(&req->errs, "has_evidence", "ANON_NO_EVIDENCE", NULL);
}

/* The body's province, else the keying desk's own (a governorship keys in for its province). */
static enum bm_err default_province(struct bm_req *req, struct intake *in, char buf[3])
{
	struct bm_dbres *res = NULL;
	if (in->province_code)
		return BM_OK;
	struct bm_dbp p[] = {BM_DB_STR(req->who.inst)};
	enum bm_err e = bm_db_run(req->ctx->db, sql_desk_province, p, 1, &res);
	if (!e && res->nrows == 1 && bm_dbres_get(res, 0, 0)) {
		snprintf(buf, 3, "%s", bm_dbres_get(res, 0, 0));
		in->province_code = buf;
	}
	bm_dbres_free(res);
	return e;
}

static enum bm_err insert_rest(struct bm_req *req, struct intake *in)
{
	const json_t *a = json_object_get(req->json, "applicant");
	char data[64], code[BM_TRACKING_SIZE];
	snprintf(data, sizeof data, "{\"channel\":\"%s\"}", in->channel);
	const struct bm_event ev = {.application_id = in->id,
	                            .kind = "received",
	                            .first = true,
	                            .actor_user_id = req->who.uid,
	                            .actor_institution = req->who.inst,
	                            .data = data,
	                            .request_id = req->req_id,
	                            .at = in->now};
	enum bm_err e = bm_event_append(req->ctx->db, &ev);
	if (e || in->anonymous)
		return e;
	bm_tracking_code(&req->ctx->cfg->keys, in->no, code);
	const struct bm_notify_to to = {in->id, in->no, bm_json_str(a, "email"),
	                                bm_json_str(a, "first_name"), bm_json_str(a, "last_name")};
	return bm_notify_received(req->ctx, &to, code, in->due_t, in->channel, in->has_tckn);
}

void staff_applications_create(struct bm_req *req)
{
	struct intake in = {.channel = bm_json_str(req->json, "channel"),
	                    .status = "received",
	                    .reply_status = 201,
	                    .province_code = bm_json_str(req->json, "province_code")};
	struct bm_db *db = req->ctx->db;
	char province[3];
	enum bm_err e;

	intake_cross_field_rules(req);
	identity_rules(req, &in);
	if (req->errs.n) {
		bm_reply_error(req, BM_E_VALIDATION);
		return;
	}
	if (intake_replay_or_reply(req, &in))
		return;
	if ((e = intake_prepare(req, &in)) || (e = default_province(req, &in, province)) ||
	    (e = intake_check_target(req)) || req->errs.n) {
		bm_reply_error(req, e ? e : BM_E_VALIDATION);
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
	bm_log(BM_LOG_INFO, req->req_id, "application %s keyed in (%s)", in.no, in.channel);
	intake_reply(req, &in, in.no);
}
