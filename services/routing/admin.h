// SPDX-License-Identifier: MIT
/*
 * The administrators' endpoints of the routing service (issue 4 item 3):
 * staff users, the institution tree, public holidays and agency API
 * clients, under /api/v1/admin/. Every route carries BM_ROLE_ADMIN, so the
 * guard chain has answered 401/403 before a handler runs; the field tables
 * below have checked every body and query. Handlers check what needs the
 * database (an institution exists, a role fits its kind, a parent is not
 * inside the subtree), answer 404 for unknown records and 409 for
 * conflicts, and log every change with the acting administrator's user id
 * and what changed — never a password, a secret or a user name.
 *
 * The small helpers at the end are shared by the four admin_*.c files.
 */
#ifndef ROUTING_ADMIN_H
#define ROUTING_ADMIN_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_crypto.h"
#include "bm_db.h"
#include "bm_json.h"
#include "bm_log.h"
#include "bm_record.h"
#include "bm_req.h"
#include "bm_time.h"
#include "bm_validators.h"

/* ---- field tables (bodies and queries) ---------------------------------- */

extern const struct bm_field admin_users_query[];
extern const struct bm_field admin_user_create_fields[];
extern const struct bm_field admin_user_update_fields[];

extern const struct bm_field admin_institutions_query[];
extern const struct bm_field admin_institution_create_fields[];
extern const struct bm_field admin_institution_update_fields[];

extern const struct bm_field admin_holidays_query[];
extern const struct bm_field admin_holiday_create_fields[];
extern const struct bm_field admin_holiday_update_fields[];

extern const struct bm_field admin_clients_query[];
extern const struct bm_field admin_client_create_fields[];
extern const struct bm_field admin_client_update_fields[];

/* ---- handlers: one per OpenAPI operation --------------------------------- */

/* GET /api/v1/admin/users — 200, 401, 403, 422 (filter, cursor), 503. */
void admin_users_list(struct bm_req *req);
/* POST /api/v1/admin/users — 201, 401, 403, 409 (user name taken), 422, 503. */
void admin_users_create(struct bm_req *req);
/* GET /api/v1/admin/users/{username} — 200, 401, 403, 404, 503. */
void admin_users_get(struct bm_req *req);
/* PATCH /api/v1/admin/users/{username} — 200, 401, 403, 404, 409 (own account), 422, 503. */
void admin_users_update(struct bm_req *req);
/* DELETE /api/v1/admin/users/{username} — 204, 401, 403, 404, 409 (own account), 503. */
void admin_users_deactivate(struct bm_req *req);

/* GET /api/v1/admin/institutions — 200, 401, 403, 422, 503. */
void admin_institutions_list(struct bm_req *req);
/* POST /api/v1/admin/institutions — 201, 401, 403, 409 (code taken), 422, 503. */
void admin_institutions_create(struct bm_req *req);
/* GET /api/v1/admin/institutions/{code} — 200, 401, 403, 404, 503. */
void admin_institutions_get(struct bm_req *req);
/* PATCH /api/v1/admin/institutions/{code} — 200, 401, 403, 404, 409 (in use), 422, 503. */
void admin_institutions_update(struct bm_req *req);
/* DELETE /api/v1/admin/institutions/{code} — 204, 401, 403, 404, 409 (in use), 503. */
void admin_institutions_deactivate(struct bm_req *req);

/* GET /api/v1/admin/holidays — 200, 401, 403, 422, 503. */
void admin_holidays_list(struct bm_req *req);
/* POST /api/v1/admin/holidays — 201, 401, 403, 409 (date exists), 422, 503. */
void admin_holidays_create(struct bm_req *req);
/* PATCH /api/v1/admin/holidays/{date} — 200, 401, 403, 404, 422, 503. */
void admin_holidays_update(struct bm_req *req);
/* DELETE /api/v1/admin/holidays/{date} — 204, 401, 403, 404, 503. */
void admin_holidays_delete(struct bm_req *req);

/* GET /api/v1/admin/agency-clients — 200, 401, 403, 422, 503. */
void admin_clients_list(struct bm_req *req);
/* POST /api/v1/admin/agency-clients — 201, 401, 403, 409 (id taken), 422, 503. */
void admin_clients_create(struct bm_req *req);
/* GET /api/v1/admin/agency-clients/{client_id} — 200, 401, 403, 404, 503. */
void admin_clients_get(struct bm_req *req);
/* PATCH /api/v1/admin/agency-clients/{client_id} — 200, 401, 403, 404, 422, 503. */
void admin_clients_update(struct bm_req *req);
/* DELETE /api/v1/admin/agency-clients/{client_id} — 204, 401, 403, 404, 503. */
void admin_clients_revoke(struct bm_req *req);
/* POST /api/v1/admin/agency-clients/{client_id}/secret — 200, 401, 403, 404, 409 (revoked),
 * 503. */
void admin_clients_rotate_secret(struct bm_req *req);

/* ---- shared helpers ------------------------------------------------------- */

#define ADM_PAGE_DEFAULT 20
#define ADM_CURSOR_KEY   64 /* the longest key a cursor carries (user name, code, client id) */
#define ADM_MAX_BODY     (16 * 1024)

/* Patterns of the identifiers the admin endpoints take (as the schema's CHECKs say). */
#define ADM_USERNAME_PATTERN  "[a-z0-9]+([._-][a-z0-9]+)*"
#define ADM_CLIENT_ID_PATTERN "[a-z0-9]+([._-][a-z0-9]+)*"

/* A problem with a domain code and a detail in the request's language. */
static inline void adm_reply_domain(struct bm_req *req, enum bm_err e, const char *code,
                                    const char *tr, const char *en)
{
	bm_reply_problem(req, e, code, req->lang == BM_LANG_EN ? en : tr);
}

/* Add one field error with its own message (tr/en) to req->errs. */
static inline void adm_field_error(struct bm_req *req, const char *field, const char *code,
                                   const char *tr, const char *en)
{
	size_t n = req->errs.n;
	bm_verrs_add(&req->errs, field, code, NULL);
	if (req->errs.n > n)
		snprintf(req->errs.v[n].message, sizeof req->errs.v[n].message, "%s",
		         req->lang == BM_LANG_EN ? en : tr);
}

/* 422 when a PATCH body names no field at all. */
static inline bool adm_empty_update_or_reply(struct bm_req *req)
{
	if (json_object_size(req->json) > 0)
		return false;
	adm_field_error(req, "", "NO_CHANGES", "Değiştirilecek en az bir alan gönderilmelidir.",
	                "Send at least one field to change.");
	bm_reply_error(req, BM_E_VALIDATION);
	return true;
}

/*
 * One log line per change: who (the administrator's user id, never a name)
 * and what (fmt). Callers pass no password, secret or user name.
 */
static inline void adm_log_change(const struct bm_req *req, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline void adm_log_change(const struct bm_req *req, const char *fmt, ...)
{
	char what[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	bm_log(BM_LOG_INFO, req->req_id, "admin change by user %lld: %s", req->who.uid, what);
}

/*
 * The names of the fields a PATCH body sets, for the change's log line:
 * "name, active=false". Names only (the field table allowed them), never a
 * value other than a boolean, so no password or secret can get in.
 */
static inline void adm_changed_fields(const struct bm_req *req, char *out, size_t cap)
{
	const char *key;
	json_t *v;
	size_t used = 0;
	out[0] = '\0';
	json_object_foreach(req->json, key, v)
	{
		if (used >= cap)
			break;
		used += (size_t)snprintf(out + used, cap - used, "%s%s%s", used ? ", " : "", key,
		                         json_is_boolean(v) ? (json_is_true(v) ? "=true" : "=false")
		                                            : "");
	}
}

static inline struct bm_dbp adm_opt_str(const char *s)
{
	return s ? BM_DB_STR(s) : BM_DB_NULL();
}

/* A JSON boolean of the body as a parameter: NULL when absent, else 0/1. */
static inline struct bm_dbp adm_opt_bool(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);
	return json_is_boolean(v) ? BM_DB_INT(json_is_true(v) ? 1 : 0) : BM_DB_NULL();
}

/* The query's active=true|false as a parameter (NULL when absent). */
static inline struct bm_dbp adm_qs_active(const struct bm_req *req)
{
	const char *a = bm_json_str(req->qs, "active");
	return a ? BM_DB_INT(strcmp(a, "true") == 0 ? 1 : 0) : BM_DB_NULL();
}

/* The page size asked for (the field table allows 1..100). */
static inline long long adm_page_limit(const struct bm_req *req)
{
	const char *l = bm_json_str(req->qs, "limit");
	return l ? strtoll(l, NULL, 10) : ADM_PAGE_DEFAULT;
}

/* "%<s with \ % _ escaped>%" for LIKE; caller frees. NULL on OOM. */
static inline char *adm_like(const char *s)
{
	char *p = malloc(2 * strlen(s) + 3), *o = p;
	if (!p)
		return NULL;
	*o++ = '%';
	for (; *s; s++) {
		if (*s == '\\' || *s == '%' || *s == '_')
			*o++ = '\\';
		*o++ = *s;
	}
	*o++ = '%';
	*o = '\0';
	return p;
}

/*
 * The opaque cursor of a list: base64url of the last key of the page. Its
 * decoding must match pattern (the key's own), else 422 on "cursor".
 * Returns false after answering.
 */
static inline bool adm_cursor_or_reply(struct bm_req *req, const char *pattern,
                                       char out[ADM_CURSOR_KEY + 1])
{
	const char *c = bm_json_str(req->qs, "cursor");
	size_t n = 0;
	out[0] = '\0';
	if (!c)
		return true;
	if (bm_b64url_decode(c, strlen(c), (unsigned char *)out, ADM_CURSOR_KEY, &n) == 0) {
		out[n] = '\0';
		if (n > 0 && strlen(out) == n && bm_json_matches(out, pattern))
			return true;
	}
	out[0] = '\0';
	adm_field_error(req, "cursor", "INVALID_VALUE", "Sayfa imleci geçersiz.",
	                "The page cursor is not valid.");
	bm_reply_error(req, BM_E_VALIDATION);
	return false;
}

/* The page's next_cursor: the last key when more rows follow, else null. */
static inline json_t *adm_next_cursor(const char *last_key, bool more)
{
	char enc[2 * ADM_CURSOR_KEY + 4];
	if (!more || !last_key ||
	    bm_b64url((const unsigned char *)last_key, strlen(last_key), enc, sizeof enc) < 0)
		return json_null();
	return json_string(enc);
}

/*
 * Answer 200 with one page of a list: the first limit rows of res (the query
 * asked for limit + 1) drawn by item, and next_cursor from column key_col of
 * the last one when another row followed.
 */
static inline void adm_reply_page(struct bm_req *req, const struct bm_dbres *res, long long limit,
                                  json_t *(*item)(const struct bm_dbres *, size_t), size_t key_col)
{
	size_t n = res->nrows > (size_t)limit ? (size_t)limit : res->nrows;
	json_t *items = json_array();
	for (size_t i = 0; items && i < n; i++)
		json_array_append_new(items, item(res, i));
	bm_reply_json(req, 200,
	              json_pack("{s:o, s:o}", "items", items, "next_cursor",
	                        adm_next_cursor(n ? bm_dbres_get(res, n - 1, key_col) : NULL,
	                                        res->nrows > n)),
	              NULL);
}

/* A "0"/"1" cell as a JSON boolean. */
static inline json_t *adm_flag(const char *s)
{
	return json_boolean(s && s[0] == '1');
}

/* A string of a value that must not be blank (a name): NULL or "REQUIRED". */
static inline const char *adm_check_not_blank(const json_t *v)
{
	for (const char *s = json_string_value(v); s && *s; s++)
		if (*s != ' ')
			return NULL;
	return "REQUIRED";
}

/* An array of strings with no value twice: NULL or "DUPLICATE". */
static inline const char *adm_check_unique(const json_t *v)
{
	for (size_t i = 0; i < json_array_size(v); i++)
		for (size_t j = i + 1; j < json_array_size(v); j++)
			if (json_equal(json_array_get(v, i), json_array_get(v, j)))
				return "DUPLICATE";
	return NULL;
}

/* "true" and "false", for the lists' active filter. */
extern const char *const adm_booleans[];

/* The name of an institution or an agency client: 2 to 200 characters, not blank. */
#define ADM_FIELD_NAME(FLAGS)                                                                      \
	{                                                                                          \
		.name = "name", .type = BM_FT_STRING, .flags = (FLAGS), .min = 2, .max = 200,      \
		.check = adm_check_not_blank                                                       \
	}

/* The query fields of every list: the active filter, the cursor and the page size. */
#define ADM_QUERY_ACTIVE                                                                           \
	{                                                                                          \
		.name = "active", .type = BM_FT_STRING, .min = 4, .max = 5, .enumv = adm_booleans  \
	}
#define ADM_QUERY_CURSOR                                                                           \
	{                                                                                          \
		.name = "cursor", .type = BM_FT_STRING, .min = 1, .max = 512,                      \
		.pattern = BM_TOKEN_PATTERN                                                        \
	}
#define ADM_QUERY_LIMIT                                                                            \
	{                                                                                          \
		.name = "limit", .type = BM_FT_STRING, .min = 1, .max = 3,                         \
		.pattern = "[1-9][0-9]?|100"                                                       \
	}

/*
 * A list of the administrators' API: its statement takes, in this order, the
 * cursor twice ("? IS NULL OR key > ?"), each filter twice ("? IS NULL OR
 * column = ?"), with search the query's q and its LIKE pattern twice ("? IS
 * NULL OR name LIKE ? OR code LIKE ?"), and the page size plus one; it
 * orders by the key, which column key_col holds and cursor_pattern matches.
 */
struct adm_list {
	const char *sql;
	const char *cursor_pattern;
	bool search; /* the query's q searches */
	json_t *(*item)(const struct bm_dbres *, size_t);
	size_t key_col;
};

/* Answer one page of list l, filtered by filters (NULL values: no filter), or its 422. */
void adm_reply_list(struct bm_req *req, const struct adm_list *l, const struct bm_dbp *filters,
                    size_t nfilters);

/*
 * The institution a user or client is attached to: it must exist, be active
 * and be inside the system (rules.md W4). Adds a field error on field when
 * not; *kind receives its kind (may be NULL). BM_OK or a database error.
 */
enum bm_err adm_institution_usable(struct bm_req *req, const char *code, const char *field,
                                   char kind[32]);

#endif
