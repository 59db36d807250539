// SPDX-License-Identifier: MIT
/*
 * GET /api/v1/appeals/{id}: one appeal.
 *
 * A BEDK member sees all of it: the citizen's reason, the decision, the
 * appealed application as staff see it (applicant included: an information
 * request never hides its applicant, and BEDK decides on the person's right
 * to know; the ID number masked), the copies the appeal carries (the
 * generated documents in full, with their hashes), the citizen's
 * attachments, every information request with its answer, and the appeal's
 * own events.
 *
 * An institution user (or its agency system) sees an appeal only when BEDK
 * addressed an information request to its institution, and then only its own
 * requests and their events: no application, no copies, no attachments of the
 * citizen (404 otherwise, the same answer as for a missing appeal).
 *
 * Every read is audited like a staff read of an application: a staff_read
 * event on the appealed application, in the transaction that reads, so there
 * is no read without its trace.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appeal.h"
#include "bm_crypto.h"
#include "bm_db.h"
#include "bm_json.h"
#include "bm_log.h"
#include "bm_record.h"
#include "bm_req.h"
#include "handlers.h"
#include "requests.h"

static const char sql_application[] =
    "SELECT a.application_no, a.type, a.category, a.channel, a.subject, a.body, a.topic, "
    "a.status, a.outcome, a.reason_code, a.province_code, a.target_institution_code, "
    "a.identity_hidden, a.anonymous, a.applicant_tckn_enc, a.applicant_first_name, "
    "a.applicant_last_name, a.applicant_email, a.applicant_phone, a.applicant_address, "
    "a.assigned_institution_code, h.name, a.created_at, a.received_at, a.due_at, "
    "a.extended_at, a.answered_at "
    "FROM applications a LEFT JOIN institutions h ON h.code = a.assigned_institution_code "
    "WHERE a.id = ?";

enum {
	R_NO,
	R_TYPE,
	R_CATEGORY,
	R_CHANNEL,
	R_SUBJECT,
	R_BODY,
	R_TOPIC,
	R_STATUS,
	R_OUTCOME,
	R_REASON,
	R_PROVINCE,
	R_TARGET,
	R_HIDDEN,
	R_ANONYMOUS,
	R_TCKN_ENC,
	R_FIRST,
	R_LAST,
	R_EMAIL,
	R_PHONE,
	R_ADDRESS,
	R_HOLDER,
	R_HOLDER_NAME,
	R_CREATED,
	R_RECEIVED,
	R_DUE,
	R_EXTENDED,
	R_ANSWERED
};

#define EVENT_COLUMNS                                                                              \
	"SELECT e.at, e.kind, u.username, e.actor_institution_code, ai.name, "                     \
	"e.to_institution_code, ti.name, e.data, e.request_id FROM application_events e "          \
	"LEFT JOIN users u ON u.id = e.actor_user_id "                                             \
	"LEFT JOIN institutions ai ON ai.code = e.actor_institution_code "                         \
	"LEFT JOIN institutions ti ON ti.code = e.to_institution_code "

/* The application's whole timeline (the staff view of the application). */
static const char sql_app_events[] = EVENT_COLUMNS "WHERE e.application_id = ? ORDER BY e.id";
/* The appeal's own events: those that name it. */
static const char sql_appeal_events[] =
    EVENT_COLUMNS "WHERE e.application_id = ? AND e.kind <> 'staff_read' "
                  "AND JSON_VALUE(e.data, '$.appeal_id') = ? ORDER BY e.id";

enum { E_AT, E_KIND, E_USER, E_ACTOR_INST, E_ACTOR_NAME, E_TO, E_TO_NAME, E_DATA, E_REQ_ID };

/* The same for the shared renderer (bm_record.h): no notes, no from_institution for BEDK. */
static const struct bm_record_event_cols event_cols = {.at = E_AT,
                                                       .kind = E_KIND,
                                                       .actor_id = -1,
                                                       .username = E_USER,
                                                       .actor_inst = E_ACTOR_INST,
                                                       .actor_inst_name = E_ACTOR_NAME,
                                                       .from = -1,
                                                       .from_name = -1,
                                                       .to = E_TO,
                                                       .to_name = E_TO_NAME,
                                                       .note = -1,
                                                       .data = E_DATA,
                                                       .request_id = E_REQ_ID};

static const struct bm_record_app_cols app_cols = {.no = R_NO,
                                                   .type = R_TYPE,
                                                   .category = R_CATEGORY,
                                                   .channel = R_CHANNEL,
                                                   .subject = R_SUBJECT,
                                                   .body = R_BODY,
                                                   .topic = R_TOPIC,
                                                   .status = R_STATUS,
                                                   .outcome = R_OUTCOME,
                                                   .reason = R_REASON,
                                                   .province = R_PROVINCE,
                                                   .target = R_TARGET,
                                                   .hidden = R_HIDDEN,
                                                   .anonymous = R_ANONYMOUS,
                                                   .tckn_enc = R_TCKN_ENC,
                                                   .first = R_FIRST,
                                                   .last = R_LAST,
                                                   .email = R_EMAIL,
                                                   .phone = R_PHONE,
                                                   .address = R_ADDRESS,
                                                   .assigned = R_HOLDER,
                                                   .assigned_name = R_HOLDER_NAME,
                                                   .created = R_CREATED,
                                                   .received = R_RECEIVED,
                                                   .due = R_DUE,
                                                   .extended = R_EXTENDED,
                                                   .answered = R_ANSWERED};

static const char sql_app_attachments[] =
    "SELECT id, LOWER(HEX(sha256)), size, content_type FROM attachments "
    "WHERE application_id = ? ORDER BY created_at, id";
/* The citizen's additional documents: the appeal's attachments that are neither a copy nor
 * part of an institution's answer. */
static const char sql_appeal_attachments[] =
    "SELECT t.id, LOWER(HEX(t.sha256)), t.size, t.content_type FROM attachments t "
    "WHERE t.appeal_id = ? AND t.information_request_id IS NULL AND NOT EXISTS "
    "(SELECT 1 FROM appeal_copies c WHERE c.appeal_id = t.appeal_id "
    "AND c.attachment_id = t.id) ORDER BY t.created_at, t.id";
static const char sql_request_attachments[] = AP_REQUEST_ATTACHMENTS_SQL;
static const char sql_copies[] =
    "SELECT kind, source, LOWER(HEX(sha256)), attachment_id, generated_at, document "
    "FROM appeal_copies WHERE appeal_id = ? ORDER BY FIELD(kind, 'application', 'answer'), id";
/* Every request (BEDK), or only those to one institution (the institution's view). */
static const char sql_requests[] = AP_REQUEST_COLUMNS
    "WHERE r.appeal_id = ? AND (? IS NULL OR r.institution_code = ?) ORDER BY r.id";

/* What one read gathered inside its transaction. */
struct record {
	struct bm_dbres *appeal, *app, *app_events, *events, *app_attachments, *attachments,
	    *request_attachments, *copies, *requests;
};

static void record_free(struct record *r)
{
	bm_dbres_free(r->appeal);
	bm_dbres_free(r->app);
	bm_dbres_free(r->app_events);
	bm_dbres_free(r->events);
	bm_dbres_free(r->app_attachments);
	bm_dbres_free(r->attachments);
	bm_dbres_free(r->request_attachments);
	bm_dbres_free(r->copies);
	bm_dbres_free(r->requests);
	memset(r, 0, sizeof *r);
}

/* ---- the transaction ------------------------------------------------------------ */

struct read {
	const char *no;
	bool bedk;
	const char *now;
	struct record rec;
};

static enum bm_err run(struct bm_req *req, const char *sql, const struct bm_dbp *p, size_t n,
                       struct bm_dbres **out)
{
	bm_dbres_free(*out);
	*out = NULL;
	return bm_db_run(req->ctx->db, sql, p, n, out);
}

/* BEDK's extra: the application, its timeline and attachments, the copies, the citizen's files. */
static enum bm_err read_bedk(struct bm_req *req, struct record *r, long long app_id,
                             long long appeal_id)
{
	struct bm_dbp a[] = {BM_DB_INT(app_id)}, p[] = {BM_DB_INT(appeal_id)};
	enum bm_err e;
	if ((e = run(req, sql_application, a, 1, &r->app)) ||
	    (e = run(req, sql_app_events, a, 1, &r->app_events)) ||
	    (e = run(req, sql_app_attachments, a, 1, &r->app_attachments)) ||
	    (e = run(req, sql_copies, p, 1, &r->copies)))
		return e;
	return run(req, sql_appeal_attachments, p, 1, &r->attachments);
}

static enum bm_err read_step(struct bm_req *req, void *arg, struct ap_outcome *o)
{
	struct read *rd = arg;
	struct record *r = &rd->rec;
	enum bm_err e;

	record_free(r);
	ap_verdict(o, BM_E_NOT_FOUND, NULL, NULL, NULL);
	if ((e = ap_appeal_find(req, rd->no, false, &r->appeal)) || !r->appeal)
		return e;
	long long appeal_id = ap_ll(bm_dbres_get(r->appeal, 0, AP_ID));
	long long app_id = ap_ll(bm_dbres_get(r->appeal, 0, AP_APPLICATION_ID));
	const char *inst = rd->bedk ? NULL : req->who.inst;
	struct bm_dbp q[] = {BM_DB_INT(appeal_id), inst ? BM_DB_STR(inst) : BM_DB_NULL(),
	                     inst ? BM_DB_STR(inst) : BM_DB_NULL()};
	if ((e = run(req, sql_requests, q, 3, &r->requests)))
		return e;
	if (!rd->bedk && r->requests->nrows == 0)
		return BM_OK; /* not addressed to this institution: 404 */
	struct bm_dbp ev[] = {BM_DB_INT(app_id), BM_DB_STR(rd->no)};
	struct bm_dbp p[] = {BM_DB_INT(appeal_id)};
	if ((e = run(req, sql_appeal_events, ev, 2, &r->events)) ||
	    (e = run(req, sql_request_attachments, p, 1, &r->request_attachments)))
		return e;
	if (rd->bedk && (e = read_bedk(req, r, app_id, appeal_id)))
		return e;
	if ((e = ap_event(req, app_id, "staff_read", NULL, json_pack("{s:s}", "appeal_id", rd->no),
	                  rd->now)))
		return e;
	return ap_verdict(o, BM_OK, NULL, NULL, NULL);
}

/* ---- rendering -------------------------------------------------------------------- */

static json_t *attachments(const struct bm_dbres *at)
{
	json_t *arr = json_array();
	for (size_t r = 0; arr && at && r < at->nrows; r++)
		json_array_append_new(arr, ap_render_attachment(at, r));
	return arr;
}

static json_t *events(const struct bm_dbres *ev)
{
	return bm_record_events(ev, &event_cols, BM_RECORD_APPEAL_DATA);
}

/* The appealed application in the shape of GET /api/v1/applications/{no} (a BEDK reader). */
static json_t *application(struct bm_req *req, const struct record *rec, const char *now)
{
	const struct bm_dbres *a = rec->app;
	const char *st = bm_dbres_get(a, 0, R_STATUS);
	bool open = !strcmp(st, "received") || !strcmp(st, "in_progress");
	/* BEDK is not a BİMER operator: a hidden identity stays hidden from it too. */
	const struct bm_record_view v = {.applicant = bm_dbres_get(a, 0, R_HIDDEN)[0] != '1' &&
	                                              bm_dbres_get(a, 0, R_ANONYMOUS)[0] != '1',
	                                 .overdue = open && ap_past(bm_dbres_get(a, 0, R_DUE), now),
	                                 .events = rec->app_events,
	                                 .event_cols = &event_cols,
	                                 .events_json = events(rec->app_events),
	                                 .attachments = attachments(rec->app_attachments)};
	json_t *out = bm_record_application(req, a, &app_cols, &v);
	return out ? out : json_null();
}

static json_t *copies(const struct bm_dbres *c)
{
	json_t *arr = json_array();
	for (size_t r = 0; arr && c && r < c->nrows; r++) {
		const char *doc = bm_dbres_get(c, r, 5);
		json_t *it =
		    json_pack("{s:s, s:s, s:s, s:o, s:o}", "kind", bm_dbres_get(c, r, 0), "source",
		              bm_dbres_get(c, r, 1), "sha256", bm_dbres_get(c, r, 2),
		              "attachment_id", bm_record_str(bm_dbres_get(c, r, 3)), "generated_at",
		              bm_record_time(bm_dbres_get(c, r, 4)));
		if (it && doc) {
			/* the document's exact bytes (what the hash covers) and, parsed, its
			 * content */
			json_object_set_new(it, "document_text", json_string(doc));
			json_object_set_new(it, "document", json_loads(doc, 0, NULL));
		}
		json_array_append_new(arr, it);
	}
	return arr;
}

/* The institution sees the events of its own requests only. */
static json_t *events_for(const struct bm_dbres *ev, const char *inst)
{
	json_t *arr = json_array();
	for (size_t r = 0; arr && ev && r < ev->nrows; r++) {
		const char *kind = bm_dbres_get(ev, r, E_KIND);
		const char *to = bm_dbres_get(ev, r, E_TO), *by = bm_dbres_get(ev, r, E_ACTOR_INST);
		bool mine =
		    (!strcmp(kind, "appeal_information_requested") && to && !strcmp(to, inst)) ||
		    (!strcmp(kind, "appeal_information_answered") && by && !strcmp(by, inst));
		if (mine)
			json_array_append_new(
			    arr, bm_record_event(ev, r, &event_cols, BM_RECORD_APPEAL_DATA));
	}
	return arr;
}

static json_t *render(struct bm_req *req, const struct read *rd)
{
	const struct record *rec = &rd->rec;
	const struct bm_dbres *p = rec->appeal;
	const char *status = bm_dbres_get(p, 0, AP_STATUS);
	json_t *requests = json_array();
	for (size_t r = 0; requests && r < rec->requests->nrows; r++)
		json_array_append_new(
		    requests,
		    ap_render_request(rec->requests, r, rd->no, rec->request_attachments, rd->now));
	json_t *out = json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:b, s:o, s:o, s:o, s:o, s:o}", "appeal_id",
	    rd->no, "application_no", bm_dbres_get(p, 0, AP_APPLICATION_NO), "status", status,
	    "channel", bm_dbres_get(p, 0, AP_CHANNEL), "reason", bm_dbres_get(p, 0, AP_REASON),
	    "filed_at", bm_record_time(bm_dbres_get(p, 0, AP_FILED)), "due_at",
	    bm_record_time(bm_dbres_get(p, 0, AP_DUE)), "overdue",
	    !strcmp(status, "appeal_filed") && ap_past(bm_dbres_get(p, 0, AP_DUE), rd->now),
	    "decision", bm_record_str(bm_dbres_get(p, 0, AP_DECISION)), "decided_at",
	    bm_record_time(bm_dbres_get(p, 0, AP_DECIDED)), "application_due_at",
	    bm_record_time(bm_dbres_get(p, 0, AP_APPLICATION_DUE)), "information_requests",
	    requests ? requests : json_array(), "ground",
	    bm_record_str(bm_dbres_get(p, 0, AP_GROUND)));
	if (!out)
		return NULL;
	if (rd->bedk) {
		json_object_set_new(out, "decision_text",
		                    bm_record_str(bm_dbres_get(p, 0, AP_DECISION_TEXT)));
		json_object_set_new(out, "window_ends_at",
		                    bm_record_time(bm_dbres_get(p, 0, AP_WINDOW_ENDS)));
		json_object_set_new(out, "application", application(req, rec, rd->now));
		json_object_set_new(out, "copies", copies(rec->copies));
		json_object_set_new(out, "attachments", attachments(rec->attachments));
		json_object_set_new(out, "events", events(rec->events));
	} else {
		json_object_set_new(out, "application", json_null());
		json_object_set_new(out, "copies", json_array());
		json_object_set_new(out, "attachments", json_array());
		json_object_set_new(out, "events", events_for(rec->events, req->who.inst));
	}
	return out;
}

void appeals_get(struct bm_req *req)
{
	char now[BM_TIME_ISO_LEN];
	struct read rd = {.no = bm_req_param(req, "id"), .bedk = ap_is_bedk(req), .now = now};
	struct ap_outcome o;

	ap_now_db(req, now);
	if (!rd.no || !bm_json_matches(rd.no, AP_APPEAL_NO_PATTERN)) {
		ap_reply_not_found(req);
		return;
	}
	enum bm_err e = ap_tx(req, read_step, &rd, &o);
	if (e) {
		bm_reply_error(req, e);
	} else if (o.e != BM_OK) {
		ap_reply_not_found(req);
	} else {
		json_t *out = render(req, &rd);
		if (out)
			bm_reply_json(req, 200, out, NULL);
		else
			bm_reply_error(req, BM_E_NOMEM);
	}
	record_free(&rd.rec);
}
