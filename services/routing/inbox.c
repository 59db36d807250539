// SPDX-License-Identifier: MIT
/*
 * GET /api/v1/inbox: the received applications within the caller's reach
 * (reach.h: what its institution holds; a governorship desk or coordinator
 * its province; a coordinator its subtree; the centre all), most urgent
 * first. Filters: status and overdue. Pages are keyed on (due_at, id), so a
 * page boundary never repeats or skips a row however the table grows; the
 * cursor is that key in base64url and means nothing else. The inbox carries
 * no applicant data at all: whoever asks, identities stay out of lists.
 *
 * Beside the applications, every page carries the open information requests
 * BEDK addressed to the caller's own institution (rules.md A4: answered in 15
 * business days), most urgent first: they are work the institution owes
 * like an application, but are answered through the appeal service.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_crypto.h"
#include "bm_db.h"
#include "bm_json.h"
#include "bm_record.h"
#include "bm_req.h"
#include "bm_time.h"
#include "handlers.h"
#include "reach.h"

#define DEFAULT_LIMIT 20
#define CURSOR_MAX    96
#define CURSOR_KEY                                                                                 \
	"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,6})?[|][1-9][0-9]{0,17}"

static const char sql_inbox[] = RT_SUBTREE_CTE
    "SELECT a.application_no, a.type, a.category, a.subject, a.status, a.received_at, "
    "a.due_at, a.id "
    "FROM applications a LEFT JOIN institutions h ON h.code = a.assigned_institution_code "
    "WHERE " RT_REACH_SQL " AND a.received_at IS NOT NULL AND a.due_at IS NOT NULL "
    "AND (? IS NULL OR a.status = ?) "
    "AND (? IS NULL OR " RT_OVERDUE_SQL " = ?) "
    "AND (? IS NULL OR a.due_at > ? OR (a.due_at = ? AND a.id > ?)) "
    "ORDER BY a.due_at, a.id LIMIT ?";

/* Open BEDK requests to one institution; a bound on a list nobody pages. */
#define REQUESTS_MAX 100
static const char sql_requests[] =
    "SELECT r.id, ap.appeal_no, a.application_no, r.text, r.requested_at, r.due_at "
    "FROM appeal_information_requests r JOIN appeals ap ON ap.id = r.appeal_id "
    "JOIN applications a ON a.id = ap.application_id "
    "WHERE r.institution_code = ? AND r.answered_at IS NULL "
    "AND (? IS NULL OR (r.due_at < ?) = ?) "
    "ORDER BY r.due_at, r.id LIMIT ?";

enum { Q_ID, Q_APPEAL, Q_NO, Q_TEXT, Q_REQUESTED, Q_DUE };

enum { I_NO, I_TYPE, I_CATEGORY, I_SUBJECT, I_STATUS, I_RECEIVED, I_DUE, I_ID };

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

/* The cursor after row r of res; NULL on OOM. */
static json_t *cursor_of(const struct bm_dbres *res, size_t r)
{
	char key[CURSOR_MAX], out[2 * CURSOR_MAX];
	int n = snprintf(key, sizeof key, "%s|%s", bm_dbres_get(res, r, I_DUE),
	                 bm_dbres_get(res, r, I_ID));
	if (n < 0 || (size_t)n >= sizeof key ||
	    bm_b64url((const unsigned char *)key, (size_t)n, out, sizeof out) < 0)
		return NULL;
	return json_string(out);
}

static json_t *item(const struct bm_dbres *res, size_t r, const char *now)
{
	const char *cat = bm_dbres_get(res, r, I_CATEGORY);
	bool over = rt_overdue(bm_dbres_get(res, r, I_STATUS), bm_dbres_get(res, r, I_DUE), now);
	return json_pack("{s:s, s:s, s:o, s:s, s:s, s:o, s:o, s:b}", "application_no",
	                 bm_dbres_get(res, r, I_NO), "type", bm_dbres_get(res, r, I_TYPE),
	                 "category", cat ? json_string(cat) : json_null(), "subject",
	                 bm_dbres_get(res, r, I_SUBJECT), "status", bm_dbres_get(res, r, I_STATUS),
	                 "received_at", bm_record_time(bm_dbres_get(res, r, I_RECEIVED)), "due_at",
	                 bm_record_time(bm_dbres_get(res, r, I_DUE)), "overdue", over);
}

static json_t *request_item(const struct bm_dbres *q, size_t r, const char *now)
{
	const char *due = bm_dbres_get(q, r, Q_DUE);
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:b}", "information_request_id",
	                 bm_dbres_get(q, r, Q_ID), "appeal_id", bm_dbres_get(q, r, Q_APPEAL),
	                 "application_no", bm_dbres_get(q, r, Q_NO), "text",
	                 bm_dbres_get(q, r, Q_TEXT), "requested_at",
	                 bm_record_time(bm_dbres_get(q, r, Q_REQUESTED)), "due_at",
	                 bm_record_time(due), "overdue", strncmp(due, now, 19) < 0);
}

/* One page: limit items, the cursor after the last when another row exists, and
 * the open BEDK requests q (both owned by the caller). */
static json_t *page(const struct bm_dbres *res, const struct bm_dbres *q, size_t limit,
                    const char *now)
{
	json_t *items = json_array(), *asks = json_array();
	size_t n = res->nrows < limit ? res->nrows : limit;
	for (size_t r = 0; items && r < n; r++)
		json_array_append_new(items, item(res, r, now));
	for (size_t r = 0; asks && r < q->nrows; r++)
		json_array_append_new(asks, request_item(q, r, now));
	json_t *next = res->nrows > limit && n ? cursor_of(res, n - 1) : json_null();
	return json_pack("{s:o, s:o, s:o}", "items", items, "next_cursor",
	                 next ? next : json_null(), "information_requests", asks);
}

/* The open information requests BEDK addressed to inst, into *out; overdue (NULL: all)
 * keeps only the late ones ("true") or only those still in time. */
static enum bm_err open_requests(struct bm_req *req, const char *inst, const char *overdue,
                                 const char *now, struct bm_dbres **out)
{
	struct bm_dbp late = overdue ? BM_DB_INT(!strcmp(overdue, "true")) : BM_DB_NULL();
	struct bm_dbp p[] = {BM_DB_STR(inst), late, BM_DB_STR(now), late, BM_DB_INT(REQUESTS_MAX)};
	return bm_db_run(req->ctx->db, sql_requests, p, 5, out);
}

void inbox_list(struct bm_req *req)
{
	const char *status = bm_json_str(req->qs, "status");
	const char *overdue = bm_json_str(req->qs, "overdue");
	const char *cursor = bm_json_str(req->qs, "cursor");
	const char *limit_s = bm_json_str(req->qs, "limit");
	size_t limit = limit_s ? (size_t)strtoul(limit_s, NULL, 10) : DEFAULT_LIMIT;
	struct page_key key = {{0}, 0};
	struct rt_caller c;
	struct bm_dbres *res = NULL, *asks = NULL;
	struct bm_dbp p[16];
	char now[BM_TIME_ISO_LEN];

	if (cursor && !cursor_parse(cursor, &key)) {
		rt_field_error(req, "cursor", "INVALID_VALUE", "Sayfa imleci geçersiz.",
		               "The page cursor is not valid.");
		bm_reply_error(req, BM_E_VALIDATION);
		return;
	}
	enum bm_err e = rt_caller_load(req, &c);
	if (e) {
		bm_reply_error(req, e);
		return;
	}
	bm_time_to_db(bm_req_now(req), now);
	rt_reach_params(&c, p);
	p[6] = p[7] = status ? BM_DB_STR(status) : BM_DB_NULL();
	p[8] = p[10] = overdue ? BM_DB_INT(!strcmp(overdue, "true")) : BM_DB_NULL();
	p[9] = BM_DB_STR(now);
	p[11] = p[12] = p[13] = cursor ? BM_DB_STR(key.due) : BM_DB_NULL();
	p[14] = BM_DB_INT(key.id);
	p[15] = BM_DB_INT((long long)limit + 1);
	if ((e = bm_db_run(req->ctx->db, sql_inbox, p, 16, &res)) ||
	    (e = open_requests(req, c.who->inst, overdue, now, &asks))) {
		bm_dbres_free(res);
		bm_reply_error(req, e);
		return;
	}
	json_t *body = page(res, asks, limit, now);
	bm_dbres_free(res);
	bm_dbres_free(asks);
	if (!body)
		bm_reply_error(req, BM_E_NOMEM);
	else
		bm_reply_json(req, 200, body, NULL);
}
