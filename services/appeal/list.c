// SPDX-License-Identifier: MIT
/*
 * GET /api/v1/appeals: BEDK's list of appeals, most urgent first, and an
 * institution's list of the appeals on which BEDK asked it for information.
 *
 * A BEDK member sees every appeal; `overdue` is BEDK's own 30 business days
 * (A4): an open appeal past its due_at. An institution user (or its agency
 * system) sees only the appeals with an information request addressed to its
 * institution, each with that request (the latest one, when BEDK asked more
 * than once) under `information_request`; for it `overdue` means its own
 * answer is late (A4: 15 business days), and the list runs by the request's
 * due time. Nobody else gets here (the route's roles: 403; citizens 401).
 *
 * Pages are keyed on (due_at, id) of what the list runs by, so a page
 * boundary never repeats or skips a row however the table grows; the cursor
 * is that key in base64url and means nothing else. Lists carry no applicant
 * data.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appeal.h"
#include "bm_crypto.h"
#include "bm_db.h"
#include "bm_json.h"
#include "bm_req.h"
#include "handlers.h"

#define DEFAULT_LIMIT 20
#define CURSOR_MAX    96
#define CURSOR_KEY                                                                                 \
	"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,6})?[|][1-9][0-9]{0,17}"

static const char *const statuses[] = {"appeal_filed", "appeal_decided", NULL};
static const char *const booleans[] = {"true", "false", NULL};

const struct bm_field appeal_list_query[] = {
    {.name = "status", .type = BM_FT_STRING, .min = 1, .max = 32, .enumv = statuses},
    {.name = "overdue", .type = BM_FT_STRING, .min = 1, .max = 5, .enumv = booleans},
    {.name = "cursor", .type = BM_FT_STRING, .min = 1, .max = 512, .pattern = "[A-Za-z0-9_-]+"},
    {.name = "limit", .type = BM_FT_STRING, .min = 1, .max = 3, .pattern = "[1-9][0-9]?|100"},
    {0}};

#define SUMMARY_COLUMNS                                                                            \
	"SELECT p.appeal_no, a.application_no, p.status, p.decision, p.filed_at, p.due_at, "       \
	"p.id "

static const char sql_bedk[] =
    SUMMARY_COLUMNS "FROM appeals p JOIN applications a ON a.id = p.application_id "
                    "WHERE (? IS NULL OR p.status = ?) "
                    "AND (? IS NULL OR (p.status = 'appeal_filed' AND p.due_at < ?) = ?) "
                    "AND (? IS NULL OR p.due_at > ? OR (p.due_at = ? AND p.id > ?)) "
                    "ORDER BY p.due_at, p.id LIMIT ?";

/* The institution's view: keyed on its (latest) request per appeal. */
static const char sql_institution[] =
    SUMMARY_COLUMNS ", r.id, r.requested_at, r.due_at, r.answered_at, r.id "
                    "FROM appeal_information_requests r "
                    "JOIN appeals p ON p.id = r.appeal_id "
                    "JOIN applications a ON a.id = p.application_id "
                    "WHERE r.institution_code = ? "
                    "AND r.id = (SELECT MAX(r2.id) FROM appeal_information_requests r2 "
                    "WHERE r2.appeal_id = r.appeal_id AND r2.institution_code = ?) "
                    "AND (? IS NULL OR p.status = ?) "
                    "AND (? IS NULL OR (r.answered_at IS NULL AND r.due_at < ?) = ?) "
                    "AND (? IS NULL OR r.due_at > ? OR (r.due_at = ? AND r.id > ?)) "
                    "ORDER BY r.due_at, r.id LIMIT ?";

enum {
	L_APPEAL,
	L_APPLICATION,
	L_STATUS,
	L_DECISION,
	L_FILED,
	L_DUE,
	L_ID,
	L_REQ_ID,
	L_REQUESTED,
	L_REQ_DUE,
	L_ANSWERED,
	L_KEY_ID
};

struct page_key {
	char due[CURSOR_MAX];
	long long id;
};

/* Decode a cursor into its key; false when it is not one we issued. */
static bool cursor_parse(const char *cursor, struct page_key *k)
{
	unsigned char raw[CURSOR_MAX];
	size_t n = 0;
	if (bm_b64url_decode(cursor, strlen(cursor), raw, sizeof raw - 1, &n) < 0)
		return false;
	raw[n] = '\0';
	if (memchr(raw, '\0', n) || !bm_json_matches((const char *)raw, CURSOR_KEY))
		return false;
	char *bar = strchr((char *)raw, '|');
	*bar = '\0';
	snprintf(k->due, sizeof k->due, "%s", (const char *)raw);
	k->id = strtoll(bar + 1, NULL, 10);
	return true;
}

/* The cursor after row r (keyed on the due time and id the list runs by); NULL on OOM. */
static json_t *cursor_of(const struct bm_dbres *res, size_t r, bool institution)
{
	char key[CURSOR_MAX], out[2 * CURSOR_MAX];
	int n = snprintf(key, sizeof key, "%s|%s",
	                 bm_dbres_get(res, r, institution ? L_REQ_DUE : L_DUE),
	                 bm_dbres_get(res, r, institution ? L_KEY_ID : L_ID));
	if (n < 0 || (size_t)n >= sizeof key ||
	    bm_b64url((const unsigned char *)key, (size_t)n, out, sizeof out) < 0)
		return NULL;
	return json_string(out);
}

static json_t *item(const struct bm_dbres *res, size_t r, bool institution, const char *now)
{
	const char *status = bm_dbres_get(res, r, L_STATUS);
	bool open = !strcmp(status, "appeal_filed");
	json_t *it = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:b}", "appeal_id",
	                       bm_dbres_get(res, r, L_APPEAL), "application_no",
	                       bm_dbres_get(res, r, L_APPLICATION), "status", status, "decision",
	                       bm_record_str(bm_dbres_get(res, r, L_DECISION)), "filed_at",
	                       bm_record_time(bm_dbres_get(res, r, L_FILED)), "due_at",
	                       bm_record_time(bm_dbres_get(res, r, L_DUE)), "overdue",
	                       open && ap_past(bm_dbres_get(res, r, L_DUE), now));
	if (it && institution) {
		const char *answered = bm_dbres_get(res, r, L_ANSWERED);
		json_object_set_new(
		    it, "information_request",
		    json_pack("{s:s, s:o, s:o, s:o, s:b}", "information_request_id",
		              bm_dbres_get(res, r, L_REQ_ID), "requested_at",
		              bm_record_time(bm_dbres_get(res, r, L_REQUESTED)), "due_at",
		              bm_record_time(bm_dbres_get(res, r, L_REQ_DUE)), "answered_at",
		              bm_record_time(answered), "overdue",
		              !answered && ap_past(bm_dbres_get(res, r, L_REQ_DUE), now)));
	}
	return it;
}

/* One page: limit items and the cursor after the last when another row exists. */
static json_t *page(const struct bm_dbres *res, size_t limit, bool institution, const char *now)
{
	json_t *items = json_array();
	size_t n = res->nrows < limit ? res->nrows : limit;
	for (size_t r = 0; items && r < n; r++)
		json_array_append_new(items, item(res, r, institution, now));
	json_t *next = res->nrows > limit && n ? cursor_of(res, n - 1, institution) : json_null();
	return json_pack("{s:o, s:o}", "items", items, "next_cursor", next ? next : json_null());
}

void appeals_list(struct bm_req *req)
{
	const char *status = bm_json_str(req->qs, "status");
	const char *overdue = bm_json_str(req->qs, "overdue");
	const char *cursor = bm_json_str(req->qs, "cursor");
	const char *limit_s = bm_json_str(req->qs, "limit");
	size_t limit = limit_s ? (size_t)strtoul(limit_s, NULL, 10) : DEFAULT_LIMIT;
	bool institution = !ap_is_bedk(req);
	struct page_key key = {{0}, 0};
	struct bm_dbres *res = NULL;
	struct bm_dbp p[13];
	size_t n = 0;
	char now[BM_TIME_ISO_LEN];

	if (cursor && !cursor_parse(cursor, &key)) {
		ap_field_error(req, "cursor", "INVALID_VALUE", "Sayfa imleci geçersiz.",
		               "The page cursor is not valid.");
		bm_reply_error(req, BM_E_VALIDATION);
		return;
	}
	ap_now_db(req, now);
	if (institution) {
		p[n++] = BM_DB_STR(req->who.inst);
		p[n++] = BM_DB_STR(req->who.inst);
	}
	p[n] = p[n + 1] = status ? BM_DB_STR(status) : BM_DB_NULL();
	n += 2;
	p[n] = p[n + 2] = overdue ? BM_DB_INT(!strcmp(overdue, "true")) : BM_DB_NULL();
	p[n + 1] = BM_DB_STR(now);
	n += 3;
	p[n] = p[n + 1] = p[n + 2] = cursor ? BM_DB_STR(key.due) : BM_DB_NULL();
	p[n + 3] = BM_DB_INT(key.id);
	p[n + 4] = BM_DB_INT((long long)limit + 1);
	n += 5;
	enum bm_err e =
	    bm_db_run(req->ctx->db, institution ? sql_institution : sql_bedk, p, n, &res);
	if (e) {
		bm_reply_error(req, e);
		return;
	}
	json_t *body = page(res, limit, institution, now);
	bm_dbres_free(res);
	if (!body)
		bm_reply_error(req, BM_E_NOMEM);
	else
		bm_reply_json(req, 200, body, NULL);
}
