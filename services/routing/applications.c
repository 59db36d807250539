// SPDX-License-Identifier: MIT
/*
 * GET /api/v1/applications/{no}: the whole record of one application for
 * staff, with its timeline, its attachments and its answer.
 *
 * An application outside the caller's reach answers exactly like one that
 * does not exist (404). The applicant is left out when the identity is
 * hidden (rules.md C2) and the caller is not a BİMER operator (centre or
 * governorship desk); so are the notes the citizen wrote (a cancellation
 * reason may carry a name). Operators see the ID number masked
 * ("100******46"): nobody's work here needs it whole (KVKK).
 *
 * Every read is audited (security.md): a staff_read event with the actor,
 * its institution and the request id is appended in the same transaction
 * that reads the record, so there is no read without its trace; if the
 * event cannot be written the record is not shown (503).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_crypto.h"
#include "bm_db.h"
#include "bm_event.h"
#include "bm_json.h"
#include "bm_log.h"
#include "bm_record.h"
#include "bm_req.h"
#include "bm_time.h"
#include "bm_validators.h"
#include "handlers.h"
#include "reach.h"

static const char sql_events[] =
    "SELECT e.at, e.kind, e.actor_user_id, u.username, e.actor_institution_code, ai.name, "
    "e.from_institution_code, fi.name, e.to_institution_code, ti.name, e.note, e.data, "
    "e.request_id FROM application_events e "
    "LEFT JOIN users u ON u.id = e.actor_user_id "
    "LEFT JOIN institutions ai ON ai.code = e.actor_institution_code "
    "LEFT JOIN institutions fi ON fi.code = e.from_institution_code "
    "LEFT JOIN institutions ti ON ti.code = e.to_institution_code "
    "WHERE e.application_id = ? ORDER BY e.id";

static const char sql_attachments[] =
    "SELECT id, LOWER(HEX(sha256)), size, content_type FROM attachments "
    "WHERE application_id = ? ORDER BY created_at, id";

/* The columns of sql_events, for the shared renderer (bm_record.h). */
static const struct bm_record_event_cols event_cols = {.at = 0,
                                                       .kind = 1,
                                                       .actor_id = 2,
                                                       .username = 3,
                                                       .actor_inst = 4,
                                                       .actor_inst_name = 5,
                                                       .from = 6,
                                                       .from_name = 7,
                                                       .to = 8,
                                                       .to_name = 9,
                                                       .note = 10,
                                                       .data = 11,
                                                       .request_id = 12};

/* The columns of the reach statement's row (reach.h) that the staff view shows. */
static const struct bm_record_app_cols app_cols = {.no = RT_NO,
                                                   .type = RT_TYPE,
                                                   .category = RT_CATEGORY,
                                                   .channel = RT_CHANNEL,
                                                   .subject = RT_SUBJECT,
                                                   .body = RT_BODY,
                                                   .topic = RT_TOPIC,
                                                   .status = RT_STATUS,
                                                   .outcome = RT_OUTCOME,
                                                   .reason = RT_REASON,
                                                   .province = RT_PROVINCE,
                                                   .target = RT_TARGET,
                                                   .hidden = RT_HIDDEN,
                                                   .anonymous = RT_ANONYMOUS,
                                                   .tckn_enc = RT_TCKN_ENC,
                                                   .first = RT_FIRST,
                                                   .last = RT_LAST,
                                                   .email = RT_EMAIL,
                                                   .phone = RT_PHONE,
                                                   .address = RT_ADDRESS,
                                                   .assigned = RT_ASSIGNED,
                                                   .assigned_name = RT_ASSIGNED_NAME,
                                                   .created = RT_CREATED,
                                                   .received = RT_RECEIVED,
                                                   .due = RT_DUE,
                                                   .extended = RT_EXTENDED,
                                                   .answered = RT_ANSWERED};

/* What one read gathered inside its transaction. */
struct record {
	struct bm_dbres *app, *events, *attachments;
};

static void record_free(struct record *r)
{
	bm_dbres_free(r->app);
	bm_dbres_free(r->events);
	bm_dbres_free(r->attachments);
	memset(r, 0, sizeof *r);
}

/* ---- the transaction ------------------------------------------------------ */

static enum bm_err audit_read(struct bm_req *req, long long id, const char *now)
{
	char *data = rt_event_data(req, NULL);
	const struct bm_event ev = {.application_id = id,
	                            .kind = "staff_read",
	                            .actor_user_id = req->who.uid,
	                            .actor_institution = req->who.inst,
	                            .data = data,
	                            .request_id = req->req_id,
	                            .at = now};
	enum bm_err e = bm_event_append(req->ctx->db, &ev);
	free(data);
	return e;
}

/* Find, audit and gather the record; r->app stays NULL when out of reach. */
static enum bm_err read_tx(struct bm_req *req, const struct rt_caller *c, const char *no,
                           const char *now, struct record *r)
{
	struct bm_db *db = req->ctx->db;
	enum bm_err e = bm_db_begin(db);
	if (!e)
		e = rt_app_find(req, c, no, true, &r->app);
	if (!e && r->app) {
		long long id = rt_app_id(r->app);
		struct bm_dbp p[] = {BM_DB_INT(id)};
		if (!(e = audit_read(req, id, now)) &&
		    !(e = bm_db_run(db, sql_events, p, 1, &r->events)))
			e = bm_db_run(db, sql_attachments, p, 1, &r->attachments);
	}
	if (!e && r->app)
		e = bm_db_commit(db);
	else
		bm_db_rollback(db);
	return e;
}

/* ---- rendering -------------------------------------------------------------- */

static json_t *attachments(const struct bm_dbres *at)
{
	json_t *arr = json_array();
	for (size_t r = 0; arr && r < at->nrows; r++)
		json_array_append_new(
		    arr, json_pack("{s:s, s:s, s:I, s:s}", "attachment_id", bm_dbres_get(at, r, 0),
		                   "sha256", bm_dbres_get(at, r, 1), "size",
		                   (json_int_t)strtoll(bm_dbres_get(at, r, 2), NULL, 10),
		                   "content_type", bm_dbres_get(at, r, 3)));
	return arr;
}

static json_t *render(struct bm_req *req, const struct rt_caller *c, const struct record *rec,
                      const char *now)
{
	const struct bm_dbres *a = rec->app;
	bool sees_identity = !rt_flag(a, RT_HIDDEN) || rt_is_bimer_operator(c);
	const struct bm_record_view v = {
	    .applicant = sees_identity && !rt_flag(a, RT_ANONYMOUS),
	    .overdue = rt_overdue(bm_dbres_get(a, 0, RT_STATUS), bm_dbres_get(a, 0, RT_DUE), now),
	    .events = rec->events,
	    .event_cols = &event_cols,
	    .events_json = bm_record_events(rec->events, &event_cols,
	                                    sees_identity ? 0 : BM_RECORD_NO_CITIZEN_NOTES),
	    .attachments = attachments(rec->attachments)};
	return bm_record_application(req, a, &app_cols, &v);
}

void applications_get(struct bm_req *req)
{
	const char *no = bm_req_param(req, "no");
	struct record rec = {0};
	struct rt_caller c;
	char now[BM_TIME_ISO_LEN];
	enum bm_err e;

	if (!no || !bm_json_matches(no, BM_APPLICATION_NO_PATTERN)) {
		rt_reply_not_found(req);
		return;
	}
	bm_time_to_db(bm_req_now(req), now);
	if ((e = rt_caller_load(req, &c))) {
		bm_reply_error(req, e);
		return;
	}
	for (int attempt = 0; attempt < RT_TX_ATTEMPTS; attempt++) {
		record_free(&rec);
		e = read_tx(req, &c, no, now, &rec);
		if (!e || !rt_db_retryable(req))
			break;
	}
	if (e)
		bm_reply_error(req, e);
	else if (!rec.app)
		rt_reply_not_found(req);
	else {
		json_t *out = render(req, &c, &rec, now);
		if (out)
			bm_reply_json(req, 200, out, NULL);
		else
			bm_reply_error(req, BM_E_NOMEM);
	}
	record_free(&rec);
}
