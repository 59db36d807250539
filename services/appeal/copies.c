// SPDX-License-Identifier: MIT
/*
 * Generated and scanned copies: see copies.h.
 *
 * A generated document is compact JSON with sorted keys:
 *   application: {"application_no", "body", "copy": "application",
 *                 "generated_at", "received_at", "subject", "type"}
 *   answer:      {"answered_at", "application_no", "copy": "answer",
 *                 "generated_at", "institution": {"code", "name"}, "outcome",
 *                 "reason_code", "text"}
 * The answer comes from the last `answered` or `not_processed` event, whose
 * data the routing service writes as {status, outcome, text, reason_code?};
 * a record without such an event (data keyed in before the routing service
 * existed) still gets a copy from the application row, with text null.
 */
#include "copies.h"

#include <stdlib.h>
#include <string.h>

#include "appeal.h"
#include "bm_crypto.h"
#include "bm_req.h"

static const char sql_application[] =
    "SELECT a.application_no, a.type, a.subject, a.body, a.received_at, a.status, a.outcome, "
    "a.reason_code, a.answered_at, a.assigned_institution_code, i.name "
    "FROM applications a LEFT JOIN institutions i ON i.code = a.assigned_institution_code "
    "WHERE a.id = ?";
static const char sql_answer[] =
    "SELECT e.data, e.actor_institution_code, i.name FROM application_events e "
    "LEFT JOIN institutions i ON i.code = e.actor_institution_code "
    "WHERE e.application_id = ? AND e.kind IN ('answered', 'not_processed') "
    "ORDER BY e.id DESC LIMIT 1";
static const char sql_insert[] =
    "INSERT INTO appeal_copies (appeal_id, kind, source, document, attachment_id, sha256, "
    "generated_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char sql_attachment_hash[] = "SELECT sha256 FROM attachments WHERE id = ?";

enum {
	C_NO,
	C_TYPE,
	C_SUBJECT,
	C_BODY,
	C_RECEIVED,
	C_STATUS,
	C_OUTCOME,
	C_REASON,
	C_ANSWERED,
	C_HOLDER,
	C_HOLDER_NAME
};

static enum bm_err store(struct bm_req *req, long long appeal_id, const char *kind, json_t *doc,
                         const char *at)
{
	char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	unsigned char sha[32];
	json_decref(doc);
	if (!text)
		return BM_E_NOMEM;
	bm_sha256(text, strlen(text), sha);
	struct bm_dbp p[] = {BM_DB_INT(appeal_id), BM_DB_STR(kind), BM_DB_STR("generated"),
	                     BM_DB_STR(text),      BM_DB_NULL(),    BM_DB_BLOB(sha, 32),
	                     BM_DB_STR(at)};
	enum bm_err e = bm_db_run(req->ctx->db, sql_insert, p, 7, NULL);
	free(text);
	return e;
}

static json_t *application_doc(const struct bm_dbres *app, const char *at)
{
	return json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "copy", "application", "application_no",
	    bm_dbres_get(app, 0, C_NO), "type", bm_dbres_get(app, 0, C_TYPE), "subject",
	    bm_dbres_get(app, 0, C_SUBJECT), "body", bm_dbres_get(app, 0, C_BODY), "received_at",
	    bm_record_time(bm_dbres_get(app, 0, C_RECEIVED)), "generated_at", bm_record_time(at));
}

/* The answer from its event (ev may have no row); the application row fills the gaps. */
static json_t *answer_doc(const struct bm_dbres *app, const struct bm_dbres *ev, const char *at)
{
	const char *d = ev->nrows ? bm_dbres_get(ev, 0, 0) : NULL;
	json_t *data = d ? json_loads(d, 0, NULL) : NULL;
	const char *outcome = json_string_value(json_object_get(data, "outcome"));
	const char *reason = json_string_value(json_object_get(data, "reason_code"));
	const char *text = json_string_value(json_object_get(data, "text"));
	const char *inst = ev->nrows ? bm_dbres_get(ev, 0, 1) : NULL;
	const char *inst_name = ev->nrows ? bm_dbres_get(ev, 0, 2) : NULL;
	bool np = !strcmp(bm_dbres_get(app, 0, C_STATUS), "not_processed");

	if (!outcome)
		outcome = np ? "not_processed" : bm_dbres_get(app, 0, C_OUTCOME);
	if (!reason)
		reason = bm_dbres_get(app, 0, C_REASON);
	if (!inst) {
		inst = bm_dbres_get(app, 0, C_HOLDER);
		inst_name = bm_dbres_get(app, 0, C_HOLDER_NAME);
	}
	json_t *doc = json_pack(
	    "{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "copy", "answer", "application_no",
	    bm_dbres_get(app, 0, C_NO), "outcome", bm_record_str(outcome), "reason_code",
	    bm_record_str(reason), "text", bm_record_str(text), "answered_at",
	    bm_record_time(bm_dbres_get(app, 0, C_ANSWERED)), "institution",
	    bm_record_inst(inst, inst_name), "generated_at", bm_record_time(at));
	json_decref(data);
	return doc;
}

enum bm_err ap_copies_generate(struct bm_req *req, long long appeal_id, long long application_id,
                               bool with_answer, const char *at)
{
	struct bm_dbres *app = NULL, *ev = NULL;
	struct bm_dbp p[] = {BM_DB_INT(application_id)};
	enum bm_err e = bm_db_run(req->ctx->db, sql_application, p, 1, &app);

	if (!e && app->nrows != 1)
		e = BM_E_INTERNAL;
	if (!e)
		e = store(req, appeal_id, "application", application_doc(app, at), at);
	if (!e && with_answer && !(e = bm_db_run(req->ctx->db, sql_answer, p, 1, &ev)))
		e = store(req, appeal_id, "answer", answer_doc(app, ev, at), at);
	bm_dbres_free(app);
	bm_dbres_free(ev);
	return e;
}

enum bm_err ap_copies_attach(struct bm_req *req, long long appeal_id, const char *kind,
                             const char *attachment_id)
{
	struct bm_dbres *res = NULL;
	struct bm_dbp q[] = {BM_DB_STR(attachment_id)};
	enum bm_err e = bm_db_run(req->ctx->db, sql_attachment_hash, q, 1, &res);
	if (e)
		return e;
	if (res->nrows != 1 || res->lens[0] != 32) {
		bm_dbres_free(res);
		return BM_E_INTERNAL;
	}
	struct bm_dbp p[] = {
	    BM_DB_INT(appeal_id), BM_DB_STR(kind),          BM_DB_STR("attachment"),
	    BM_DB_NULL(),         BM_DB_STR(attachment_id), BM_DB_BLOB(bm_dbres_get(res, 0, 0), 32),
	    BM_DB_NULL()};
	e = bm_db_run(req->ctx->db, sql_insert, p, 7, NULL);
	bm_dbres_free(res);
	return e;
}
