// SPDX-License-Identifier: MIT
/*
 * /api/v1/admin/agency-clients: institutions' own systems that use the API
 * with OAuth2 client credentials (POST /api/v1/auth/token). The secret is
 * generated here from the CSPRNG (256 bits, base64url), returned exactly
 * once — on creation and on rotation — and stored only as an argon2id hash;
 * no answer and no log line ever carries it again. Rotation replaces the
 * hash, so the old secret stops working at once; a revoked (inactive)
 * client gets no tokens, and the ones it holds die within their fifteen
 * minutes. A client acts for one active institution inside the system.
 */
#include "admin.h"

#include "bm_password.h"

#define SECRET_BYTES 32
#define SCOPES_MAX   6

static const char *const scope_names[] = {"inbox:read",
                                          "applications:read",
                                          "applications:route",
                                          "applications:answer",
                                          "appeals:respond",
                                          "reports:read",
                                          NULL};

static const struct bm_field scope_item[] = {
    {.name = "", .type = BM_FT_STRING, .min = 1, .max = 32, .enumv = scope_names}, {0}};

const struct bm_field admin_clients_query[] = {BM_FIELD_INSTITUTION("institution", 0),
                                               ADM_QUERY_ACTIVE,
                                               ADM_QUERY_CURSOR,
                                               ADM_QUERY_LIMIT,
                                               {0}};

const struct bm_field admin_client_create_fields[] = {
    {.name = "client_id",
     .type = BM_FT_STRING,
     .flags = BM_FF_REQUIRED,
     .min = 3,
     .max = 64,
     .pattern = ADM_CLIENT_ID_PATTERN},
    ADM_FIELD_NAME(BM_FF_REQUIRED),
    BM_FIELD_INSTITUTION("institution_code", BM_FF_REQUIRED),
    {.name = "scopes",
     .type = BM_FT_ARRAY,
     .flags = BM_FF_REQUIRED,
     .min = 1,
     .max = SCOPES_MAX,
     .check = adm_check_unique,
     .sub = scope_item},
    {0}};

const struct bm_field admin_client_update_fields[] = {ADM_FIELD_NAME(0),
                                                      {.name = "scopes",
                                                       .type = BM_FT_ARRAY,
                                                       .min = 1,
                                                       .max = SCOPES_MAX,
                                                       .check = adm_check_unique,
                                                       .sub = scope_item},
                                                      {.name = "active", .type = BM_FT_BOOL},
                                                      {0}};

#define CLIENT_COLUMNS                                                                             \
	"SELECT client_id, name, institution_code, scopes, active, created_at, last_used_at "
enum { C_ID, C_NAME, C_INST, C_SCOPES, C_ACTIVE, C_CREATED, C_USED };

static const char sql_list[] =
    CLIENT_COLUMNS "FROM agency_clients WHERE (? IS NULL OR client_id > ?) "
                   "AND (? IS NULL OR institution_code = ?) AND (? IS NULL OR active = ?) "
                   "ORDER BY client_id LIMIT ?";
static const char sql_get[] = CLIENT_COLUMNS "FROM agency_clients WHERE client_id = ?";
static const char sql_insert[] =
    "INSERT INTO agency_clients (client_id, secret_hash, name, institution_code, scopes, active) "
    "VALUES (?, ?, ?, ?, ?, 1)";
static const char sql_update[] =
    "UPDATE agency_clients SET name = COALESCE(?, name), scopes = COALESCE(?, scopes), "
    "active = COALESCE(?, active) WHERE client_id = ?";
static const char sql_revoke[] = "UPDATE agency_clients SET active = 0 WHERE client_id = ?";
static const char sql_rotate[] =
    "UPDATE agency_clients SET secret_hash = ? WHERE client_id = ? AND active = 1";

/* "a b c" → ["a", "b", "c"]. */
static json_t *scopes_json(const char *s)
{
	json_t *arr = json_array();
	char buf[256];
	snprintf(buf, sizeof buf, "%s", s ? s : "");
	for (char *save = NULL, *t = strtok_r(buf, " ", &save); arr && t;
	     t = strtok_r(NULL, " ", &save))
		json_array_append_new(arr, json_string(t));
	return arr;
}

/* ["a", "b"] (validated scope names) → "a b" in out. */
static void scopes_text(const json_t *arr, char *out, size_t cap)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < json_array_size(arr) && used < cap; i++)
		used += (size_t)snprintf(out + used, cap - used, "%s%s", i ? " " : "",
		                         json_string_value(json_array_get(arr, i)));
}

static json_t *client_json(const struct bm_dbres *res, size_t r)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "client_id",
	                 bm_dbres_get(res, r, C_ID), "name", bm_dbres_get(res, r, C_NAME),
	                 "institution_code", bm_dbres_get(res, r, C_INST), "scopes",
	                 scopes_json(bm_dbres_get(res, r, C_SCOPES)), "active",
	                 adm_flag(bm_dbres_get(res, r, C_ACTIVE)), "created_at",
	                 bm_record_time(bm_dbres_get(res, r, C_CREATED)), "last_used_at",
	                 bm_record_time(bm_dbres_get(res, r, C_USED)));
}

static void not_found(struct bm_req *req)
{
	adm_reply_domain(req, BM_E_NOT_FOUND, "CLIENT_NOT_FOUND",
	                 "Bu kimlikle kayıtlı bir kurum sistemi yok.",
	                 "No agency client has this id.");
}

/* The {client_id} of the path when it can be one, else NULL. */
static const char *path_id(const struct bm_req *req)
{
	const char *id = bm_req_param(req, "client_id");
	return id && strlen(id) >= 3 && strlen(id) <= 64 &&
	               bm_json_matches(id, ADM_CLIENT_ID_PATTERN)
	           ? id
	           : NULL;
}

/* Read client id: *out NULL when there is none. Caller frees. */
static enum bm_err load(struct bm_req *req, const char *id, struct bm_dbres **out)
{
	struct bm_dbres *res = NULL;
	struct bm_dbp p[] = {BM_DB_STR(id)};
	enum bm_err e = bm_db_run(req->ctx->db, sql_get, p, 1, &res);
	if (!e && res->nrows != 1) {
		bm_dbres_free(res);
		res = NULL;
	}
	*out = res;
	return e;
}

/* Answer a fresh read of id with status, plus the secret when one was just made. */
static void reply_client(struct bm_req *req, int status, const char *id, const char *secret)
{
	struct bm_dbres *res = NULL;
	enum bm_err e = load(req, id, &res);
	json_t *out = NULL;
	if (e) {
		bm_reply_error(req, e);
		return;
	}
	if (!res) {
		not_found(req);
		return;
	}
	out = client_json(res, 0);
	if (out && secret)
		json_object_set_new(out, "client_secret", json_string(secret));
	bm_reply_json(req, status, out, NULL);
	bm_dbres_free(res);
}

/* A fresh secret and its argon2id hash. */
static enum bm_err new_secret(char secret[64], char hash[BM_PASSWORD_HASH_SIZE])
{
	enum bm_err e = bm_random_token(SECRET_BYTES, secret, 64);
	return e ? e : bm_password_hash(secret, hash);
}

void admin_clients_list(struct bm_req *req)
{
	static const struct adm_list list = {sql_list, ADM_CLIENT_ID_PATTERN, false, client_json,
	                                     C_ID};
	const struct bm_dbp filters[] = {adm_opt_str(bm_json_str(req->qs, "institution")),
	                                 adm_qs_active(req)};
	adm_reply_list(req, &list, filters, sizeof filters / sizeof *filters);
}

void admin_clients_get(struct bm_req *req)
{
	const char *id = path_id(req);
	if (!id)
		not_found(req);
	else
		reply_client(req, 200, id, NULL);
}

void admin_clients_create(struct bm_req *req)
{
	const json_t *b = req->json;
	const char *id = bm_json_str(b, "client_id"), *inst = bm_json_str(b, "institution_code");
	char secret[64], hash[BM_PASSWORD_HASH_SIZE], scopes[256];

	enum bm_err e = adm_institution_usable(req, inst, "institution_code", NULL);
	if (e || req->errs.n) {
		bm_reply_error(req, e ? e : BM_E_VALIDATION);
		return;
	}
	if ((e = new_secret(secret, hash))) {
		bm_reply_error(req, e);
		return;
	}
	scopes_text(json_object_get(b, "scopes"), scopes, sizeof scopes);
	struct bm_dbp p[] = {BM_DB_STR(id), BM_DB_STR(hash), BM_DB_STR(bm_json_str(b, "name")),
	                     BM_DB_STR(inst), BM_DB_STR(scopes)};
	e = bm_db_run(req->ctx->db, sql_insert, p, 5, NULL);
	if (e == BM_E_CONFLICT)
		adm_reply_domain(req, BM_E_CONFLICT, "CLIENT_EXISTS",
		                 "Bu kimlikle kayıtlı bir kurum sistemi zaten var.",
		                 "An agency client with this id exists already.");
	else if (e)
		bm_reply_error(req, e);
	else {
		adm_log_change(req, "agency client %s created for %s (scopes: %s)", id, inst,
		               scopes);
		reply_client(req, 201, id, secret);
	}
	explicit_bzero(secret, sizeof secret);
}

void admin_clients_update(struct bm_req *req)
{
	const char *id = path_id(req);
	const json_t *scopes = json_object_get(req->json, "scopes");
	struct bm_dbres *cur = NULL;
	char text[256], what[128];

	if (adm_empty_update_or_reply(req))
		return;
	if (!id) {
		not_found(req);
		return;
	}
	enum bm_err e = load(req, id, &cur);
	if (!e && !cur) {
		not_found(req);
		return;
	}
	/* coming back to life needs an institution that can still have systems */
	if (!e && bm_json_bool(req->json, "active", false) &&
	    strcmp(bm_dbres_get(cur, 0, C_ACTIVE), "1"))
		e = adm_institution_usable(req, bm_dbres_get(cur, 0, C_INST), "active", NULL);
	if (e || req->errs.n) {
		bm_reply_error(req, e ? e : BM_E_VALIDATION);
		goto out;
	}
	if (scopes)
		scopes_text(scopes, text, sizeof text);
	struct bm_dbp p[] = {adm_opt_str(bm_json_str(req->json, "name")),
	                     adm_opt_str(scopes ? text : NULL), adm_opt_bool(req->json, "active"),
	                     BM_DB_STR(id)};
	if ((e = bm_db_run(req->ctx->db, sql_update, p, 4, NULL))) {
		bm_reply_error(req, e);
		goto out;
	}
	adm_changed_fields(req, what, sizeof what);
	adm_log_change(req, "agency client %s changed: %s", id, what);
	reply_client(req, 200, id, NULL);
out:
	bm_dbres_free(cur);
}

void admin_clients_revoke(struct bm_req *req)
{
	const char *id = path_id(req);
	struct bm_dbres *cur = NULL;

	if (!id) {
		not_found(req);
		return;
	}
	struct bm_dbp p[] = {BM_DB_STR(id)};
	enum bm_err e = load(req, id, &cur);
	if (!e && !cur) {
		not_found(req);
		return;
	}
	if (!e)
		e = bm_db_run(req->ctx->db, sql_revoke, p, 1, NULL);
	if (e) {
		bm_reply_error(req, e);
		goto out;
	}
	if (!strcmp(bm_dbres_get(cur, 0, C_ACTIVE), "1"))
		adm_log_change(req, "agency client %s revoked", id);
	bm_reply_raw(req, 204, "application/json", NULL, "", 0);
out:
	bm_dbres_free(cur);
}

static void reply_revoked(struct bm_req *req)
{
	adm_reply_domain(req, BM_E_CONFLICT, "CLIENT_REVOKED",
	                 "Bu kurum sistemi iptal edilmiş; yeni gizli anahtar verilemez.",
	                 "This agency client is revoked; it gets no new secret.");
}

void admin_clients_rotate_secret(struct bm_req *req)
{
	const char *id = path_id(req);
	char secret[64] = "", hash[BM_PASSWORD_HASH_SIZE];
	struct bm_dbres *cur = NULL, *res = NULL;

	if (!id) {
		not_found(req);
		return;
	}
	enum bm_err e = load(req, id, &cur);
	if (e || !cur || strcmp(bm_dbres_get(cur, 0, C_ACTIVE), "1")) {
		if (e)
			bm_reply_error(req, e);
		else if (!cur)
			not_found(req);
		else
			reply_revoked(req);
		goto out;
	}
	if ((e = new_secret(secret, hash))) {
		bm_reply_error(req, e);
		goto out;
	}
	/* BM_DB_STR takes the length now: after the hash is written */
	struct bm_dbp p[] = {BM_DB_STR(hash), BM_DB_STR(id)};
	if ((e = bm_db_run(req->ctx->db, sql_rotate, p, 2, &res))) {
		bm_reply_error(req, e);
		goto out;
	}
	if (res->affected != 1) { /* revoked since it was read */
		reply_revoked(req);
		goto out;
	}
	adm_log_change(req, "agency client %s: secret rotated", id);
	reply_client(req, 200, id, secret);
out:
	explicit_bzero(secret, sizeof secret);
	bm_dbres_free(cur);
	bm_dbres_free(res);
}
