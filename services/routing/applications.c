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

enum {
	E_AT,
	E_KIND,
	E_ACTOR_ID,
	E_USERNAME,
	E_ACTOR_INST,
	E_ACTOR_INST_NAME,
	E_FROM,
	E_FROM_NAME,
	E_TO,
	E_TO_NAME,
	E_NOTE,
	E_DATA,
	E_REQUEST_ID
};

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

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *iso_or_null(const char *db)
{
	char iso[BM_TIME_ISO_LEN];
	return db && bm_time_db_to_iso(db, iso) ? json_string(iso) : json_null();
}

static json_t *inst_ref(const char *code, const char *name)
{
	if (!code)
		return json_null();
	return json_pack("{s:s, s:s}", "code", code, "name", name ? name : code);
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

/* "100******46" from the sealed number; NULL (JSON null) when it cannot be opened. */
static json_t *masked_tckn(struct bm_req *req, const struct bm_dbres *app)
{
	const char *enc = bm_dbres_get(app, 0, RT_TCKN_ENC);
	char plain[16];
	size_t n = 0;
	if (!enc || !req->ctx->cfg->have_keys)
		return json_null();
	if (bm_open(req->ctx->cfg->keys.data, (const unsigned char *)enc, app->lens[RT_TCKN_ENC],
	            plain, sizeof plain, &n) ||
	    n != 11) {
		bm_log(BM_LOG_WARN, req->req_id, "an applicant ID number could not be opened");
		return json_null();
	}
	char masked[12];
	memcpy(masked, plain, 3);
	memset(masked + 3, '*', 6);
	memcpy(masked + 9, plain + 9, 2);
	masked[11] = '\0';
	memset(plain, 0, sizeof plain);
	return json_string(masked);
}

static json_t *applicant(struct bm_req *req, const struct bm_dbres *app)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "tc_kimlik_no", masked_tckn(req, app),
	                 "first_name", str_or_null(bm_dbres_get(app, 0, RT_FIRST)), "last_name",
	                 str_or_null(bm_dbres_get(app, 0, RT_LAST)), "email",
	                 str_or_null(bm_dbres_get(app, 0, RT_EMAIL)), "phone",
	                 str_or_null(bm_dbres_get(app, 0, RT_PHONE)), "address",
	                 str_or_null(bm_dbres_get(app, 0, RT_ADDRESS)));
}

/* Copy a string member of data into e under the same key (only the ones the spec knows). */
static void copy_data(json_t *e, const json_t *data, const char *key)
{
	const json_t *v = json_object_get(data, key);
	if (json_is_string(v))
		json_object_set_new(e, key, json_string(json_string_value(v)));
}

static json_t *actor(const struct bm_dbres *ev, size_t r, const json_t *data)
{
	const char *user = bm_dbres_get(ev, r, E_USERNAME);
	const char *inst = bm_dbres_get(ev, r, E_ACTOR_INST);
	const char *rid = bm_dbres_get(ev, r, E_REQUEST_ID);
	if (!user)
		user = json_string_value(json_object_get(data, "client_id"));
	if (!user || !inst)
		return json_null();
	json_t *a = json_pack("{s:s, s:s}", "username", user, "institution_code", inst);
	if (a && rid && *rid)
		json_object_set_new(a, "request_id", json_string(rid));
	return a;
}

static json_t *event(const struct bm_dbres *ev, size_t r, bool hide_citizen_notes)
{
	const char *d = bm_dbres_get(ev, r, E_DATA);
	json_t *data = d ? json_loads(d, 0, NULL) : NULL;
	const char *acting = bm_dbres_get(ev, r, E_ACTOR_INST);
	json_t *e = json_pack(
	    "{s:o, s:s, s:o, s:o, s:o, s:o}", "at", iso_or_null(bm_dbres_get(ev, r, E_AT)), "kind",
	    bm_dbres_get(ev, r, E_KIND), "institution",
	    acting ? inst_ref(acting, bm_dbres_get(ev, r, E_ACTOR_INST_NAME))
	           : inst_ref(bm_dbres_get(ev, r, E_TO), bm_dbres_get(ev, r, E_TO_NAME)),
	    "from_institution",
	    inst_ref(bm_dbres_get(ev, r, E_FROM), bm_dbres_get(ev, r, E_FROM_NAME)),
	    "to_institution", inst_ref(bm_dbres_get(ev, r, E_TO), bm_dbres_get(ev, r, E_TO_NAME)),
	    "actor", actor(ev, r, data));
	if (e && json_is_object(data)) {
		copy_data(e, data, "status");
		copy_data(e, data, "outcome");
		copy_data(e, data, "reason_code");
		copy_data(e, data, "due_at");
	}
	bool citizens = !bm_dbres_get(ev, r, E_ACTOR_ID) && !acting;
	const char *note = bm_dbres_get(ev, r, E_NOTE);
	if (e && note && !(citizens && hide_citizen_notes))
		json_object_set_new(e, "note", json_string(note));
	json_decref(data);
	return e;
}

/* The answer is the last answered / not_processed event's data. */
static json_t *answer(const struct bm_dbres *app, const struct bm_dbres *ev)
{
	const char *answered = bm_dbres_get(app, 0, RT_ANSWERED);
	for (size_t r = ev->nrows; answered && r-- > 0;) {
		const char *kind = bm_dbres_get(ev, r, E_KIND);
		if (strcmp(kind, "answered") && strcmp(kind, "not_processed"))
			continue;
		const char *d = bm_dbres_get(ev, r, E_DATA);
		json_t *data = d ? json_loads(d, 0, NULL) : NULL;
		const char *outcome = json_string_value(json_object_get(data, "outcome"));
		const char *text = json_string_value(json_object_get(data, "text"));
		const char *reason = json_string_value(json_object_get(data, "reason_code"));
		json_t *a = NULL;
		if (outcome && text)
			a = json_pack("{s:s, s:o, s:s, s:o, s:o}", "outcome", outcome,
			              "reason_code", str_or_null(reason), "text", text,
			              "answered_at", iso_or_null(answered), "institution",
			              inst_ref(bm_dbres_get(ev, r, E_ACTOR_INST),
			                       bm_dbres_get(ev, r, E_ACTOR_INST_NAME)));
		json_decref(data);
		return a ? a : json_null();
	}
	return json_null();
}

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
	bool hidden = rt_flag(a, RT_HIDDEN), anonymous = rt_flag(a, RT_ANONYMOUS);
	bool sees_identity = !hidden || rt_is_bimer_operator(c);
	json_t *events = json_array();
	for (size_t r = 0; events && r < rec->events->nrows; r++)
		json_array_append_new(events, event(rec->events, r, !sees_identity));
	json_t *out = json_pack(
	    "{s:s, s:s, s:o, s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:b, s:b}",
	    "application_no", bm_dbres_get(a, 0, RT_NO), "type", bm_dbres_get(a, 0, RT_TYPE),
	    "category", str_or_null(bm_dbres_get(a, 0, RT_CATEGORY)), "channel",
	    bm_dbres_get(a, 0, RT_CHANNEL), "subject", bm_dbres_get(a, 0, RT_SUBJECT), "body",
	    bm_dbres_get(a, 0, RT_BODY), "topic", str_or_null(bm_dbres_get(a, 0, RT_TOPIC)),
	    "status", bm_dbres_get(a, 0, RT_STATUS), "outcome",
	    str_or_null(rt_col_is(a, RT_STATUS, "not_processed") ? "not_processed"
	                                                         : bm_dbres_get(a, 0, RT_OUTCOME)),
	    "reason_code", str_or_null(bm_dbres_get(a, 0, RT_REASON)), "province_code",
	    str_or_null(bm_dbres_get(a, 0, RT_PROVINCE)), "target_institution_code",
	    str_or_null(bm_dbres_get(a, 0, RT_TARGET)), "identity_hidden", hidden, "anonymous",
	    anonymous);
	if (!out) {
		json_decref(events);
		return NULL;
	}
	if (sees_identity && !anonymous)
		json_object_set_new(out, "applicant", applicant(req, a));
	json_object_set_new(
	    out, "assigned_institution",
	    inst_ref(bm_dbres_get(a, 0, RT_ASSIGNED), bm_dbres_get(a, 0, RT_ASSIGNED_NAME)));
	json_object_set_new(out, "created_at", iso_or_null(bm_dbres_get(a, 0, RT_CREATED)));
	json_object_set_new(out, "received_at", iso_or_null(bm_dbres_get(a, 0, RT_RECEIVED)));
	json_object_set_new(out, "due_at", iso_or_null(bm_dbres_get(a, 0, RT_DUE)));
	json_object_set_new(out, "overdue",
	                    json_boolean(rt_overdue(bm_dbres_get(a, 0, RT_STATUS),
	                                            bm_dbres_get(a, 0, RT_DUE), now)));
	json_object_set_new(out, "extended", json_boolean(bm_dbres_get(a, 0, RT_EXTENDED)));
	json_object_set_new(out, "answer", answer(a, rec->events));
	json_object_set_new(out, "attachments", attachments(rec->attachments));
	json_object_set_new(out, "events", events);
	return out;
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
