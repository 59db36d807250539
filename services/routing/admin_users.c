// SPDX-License-Identifier: MIT
/*
 * /api/v1/admin/users: staff accounts and their roles.
 *
 * A password is never returned and never logged: the administrator gives
 * one (at least 12 characters) or, when none is given, a random one is made
 * (144 bits from the CSPRNG) and returned once, in the creation's answer.
 * Only its argon2id hash is stored. Roles follow the institution's kind
 * (design.md, issue 4): operators sit at the centre or a governorship desk,
 * coordinators at the centre, a ministry or a governorship, BEDK members at
 * BEDK, administrators at the centre; any unit inside the system may have
 * institution users. The institution must exist, be active and be inside
 * the system (rules.md W4).
 *
 * Users are deactivated, never deleted (events name them). A deactivation,
 * a new password, new roles or a move to another institution end the
 * user's sessions at once: every session whose refresh token names the
 * user is revoked in Redis (bimer:revoked:sid:<sid>, which the guard chain
 * and the refresh call both check). The sessions are found by scanning the
 * refresh-token keys — linear in the number of live sessions, fine for an
 * administrator's occasional change. The revocation runs before the commit
 * (Redis down → 503 and nothing written) and once more after it, for a
 * login that read the old row just before the commit. An administrator
 * cannot deactivate their own account or take away their own admin role
 * (409), so the last administrator cannot lock everyone out by mistake.
 */
#include <hiredis/hiredis.h>

#include "admin.h"
#include "bm_password.h"

#define PASSWORD_MIN    12
#define GENERATED_BYTES 18 /* 144 bits → 24 base64url characters */
#define SCAN_MATCH      "bimer:refresh*"
#define SCAN_COUNT      "500"

/* ---- roles: the API's names, the table's names, where each may be held ---- */

static const char *const at_operator[] = {"centre", "governorship", NULL};
static const char *const at_coordinator[] = {"centre", "ministry", "governorship", NULL};
static const char *const at_bedk[] = {"bedk", NULL};
static const char *const at_admin[] = {"centre", NULL};

static const struct role_def {
	const char *api, *db;
	const char *const *kinds; /* institution kinds that may hold it; NULL = any */
} roles[] = {
    {"operator", "operator", at_operator},          {"institution_user", "institution_user", NULL},
    {"coordinator", "coordinator", at_coordinator}, {"bedk_member", "bedk_member", at_bedk},
    {"administrator", "admin", at_admin},
};
#define NROLES     (sizeof roles / sizeof roles[0])
#define ROLE_ADMIN (1u << 4)

static const char *const role_names[] = {"operator",    "institution_user", "coordinator",
                                         "bedk_member", "administrator",    NULL};

static const struct bm_field role_item[] = {
    {.name = "", .type = BM_FT_STRING, .min = 1, .max = 32, .enumv = role_names}, {0}};

const struct bm_field admin_users_query[] = {
    {.name = "q", .type = BM_FT_STRING, .min = 1, .max = 100},
    BM_FIELD_INSTITUTION("institution", 0),
    {.name = "role", .type = BM_FT_STRING, .min = 1, .max = 32, .enumv = role_names},
    ADM_QUERY_ACTIVE,
    ADM_QUERY_CURSOR,
    ADM_QUERY_LIMIT,
    {0}};

const struct bm_field admin_user_create_fields[] = {
    {.name = "username",
     .type = BM_FT_STRING,
     .flags = BM_FF_REQUIRED,
     .min = 3,
     .max = 64,
     .pattern = ADM_USERNAME_PATTERN},
    {.name = "display_name",
     .type = BM_FT_STRING,
     .flags = BM_FF_REQUIRED,
     .min = 1,
     .max = 100,
     .check = adm_check_not_blank},
    {.name = "email",
     .type = BM_FT_STRING,
     .flags = BM_FF_REQUIRED,
     .min = 3,
     .max = 254,
     .pattern = BM_EMAIL_PATTERN},
    BM_FIELD_INSTITUTION("institution_code", BM_FF_REQUIRED),
    {.name = "roles",
     .type = BM_FT_ARRAY,
     .flags = BM_FF_REQUIRED,
     .min = 1,
     .max = NROLES,
     .check = adm_check_unique,
     .sub = role_item},
    {.name = "password", .type = BM_FT_STRING, .min = PASSWORD_MIN, .max = 256},
    {0}};

const struct bm_field admin_user_update_fields[] = {
    {.name = "display_name",
     .type = BM_FT_STRING,
     .min = 1,
     .max = 100,
     .check = adm_check_not_blank},
    {.name = "email", .type = BM_FT_STRING, .min = 3, .max = 254, .pattern = BM_EMAIL_PATTERN},
    BM_FIELD_INSTITUTION("institution_code", 0),
    {.name = "roles",
     .type = BM_FT_ARRAY,
     .min = 1,
     .max = NROLES,
     .check = adm_check_unique,
     .sub = role_item},
    {.name = "active", .type = BM_FT_BOOL},
    {.name = "password", .type = BM_FT_STRING, .min = PASSWORD_MIN, .max = 256},
    {0}};

#define USER_COLUMNS                                                                               \
	"SELECT u.id, u.username, u.full_name, u.email, u.institution_code, u.active, "            \
	"u.created_at, u.last_login_at, (SELECT GROUP_CONCAT(r.role ORDER BY r.role) "             \
	"FROM user_roles r WHERE r.user_id = u.id) "
enum { U_ID, U_NAME, U_FULL, U_EMAIL, U_INST, U_ACTIVE, U_CREATED, U_LOGIN, U_ROLES };

static const char sql_list[] =
    USER_COLUMNS "FROM users u WHERE (? IS NULL OR u.username > ?) "
                 "AND (? IS NULL OR u.institution_code = ?) AND (? IS NULL OR u.active = ?) "
                 "AND (? IS NULL OR EXISTS (SELECT 1 FROM user_roles x "
                 "WHERE x.user_id = u.id AND x.role = ?)) "
                 "AND (? IS NULL OR u.username LIKE ? OR u.full_name LIKE ?) "
                 "ORDER BY u.username LIMIT ?";
static const char sql_get[] = USER_COLUMNS "FROM users u WHERE u.username = ?";
static const char sql_get_locked[] = USER_COLUMNS "FROM users u WHERE u.username = ? FOR UPDATE";
static const char sql_insert[] =
    "INSERT INTO users (username, password_hash, full_name, email, institution_code, active) "
    "VALUES (?, ?, ?, ?, ?, 1)";
static const char sql_add_role[] = "INSERT INTO user_roles (user_id, role) VALUES (?, ?)";
static const char sql_drop_roles[] = "DELETE FROM user_roles WHERE user_id = ?";
static const char sql_update[] =
    "UPDATE users SET full_name = COALESCE(?, full_name), email = COALESCE(?, email), "
    "institution_code = ?, active = ?, password_hash = COALESCE(?, password_hash) WHERE id = ?";
static const char sql_deactivate[] = "UPDATE users SET active = 0 WHERE id = ?";

/* Role bits (index into roles[]) of API names in a validated array. */
static unsigned roles_of_json(const json_t *arr)
{
	unsigned bits = 0;
	for (size_t i = 0; i < json_array_size(arr); i++)
		for (size_t r = 0; r < NROLES; r++)
			if (!strcmp(roles[r].api, json_string_value(json_array_get(arr, i))))
				bits |= 1u << r;
	return bits;
}

/* Role bits of the table's names, "admin,operator". */
static unsigned roles_of_csv(const char *csv)
{
	unsigned bits = 0;
	char buf[256];
	snprintf(buf, sizeof buf, "%s", csv ? csv : "");
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		for (size_t r = 0; r < NROLES; r++)
			if (!strcmp(roles[r].db, t))
				bits |= 1u << r;
	return bits;
}

static json_t *roles_json(unsigned bits)
{
	json_t *arr = json_array();
	for (size_t r = 0; arr && r < NROLES; r++)
		if (bits & (1u << r))
			json_array_append_new(arr, json_string(roles[r].api));
	return arr;
}

/* "operator admin" for a log line. */
static void roles_text(unsigned bits, char *out, size_t cap)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t r = 0; r < NROLES && used < cap; r++)
		if (bits & (1u << r))
			used += (size_t)snprintf(out + used, cap - used, "%s%s", used ? " " : "",
			                         roles[r].db);
}

static bool kind_allows(const struct role_def *r, const char *kind)
{
	for (const char *const *k = r->kinds; k && *k; k++)
		if (!strcmp(*k, kind))
			return true;
	return !r->kinds;
}

/*
 * Every role in bits must fit the institution kind. The error names the
 * role in the body's array (arr) when it came from there, else the
 * institution the user moves to.
 */
static void check_roles(struct bm_req *req, const json_t *arr, unsigned bits, const char *kind)
{
	char field[32];
	for (size_t r = 0; r < NROLES; r++) {
		if (!(bits & (1u << r)) || kind_allows(&roles[r], kind))
			continue;
		snprintf(field, sizeof field, "institution_code");
		for (size_t i = 0; i < json_array_size(arr); i++)
			if (!strcmp(roles[r].api, json_string_value(json_array_get(arr, i))))
				snprintf(field, sizeof field, "roles[%zu]", i);
		adm_field_error(req, field, "ROLE_NOT_ALLOWED",
		                "Bu rol bu türden bir kurumun kullanıcısına verilemez.",
		                "This role cannot be held by a user of this kind of institution.");
	}
}

static json_t *user_json(const struct bm_dbres *res, size_t r)
{
	return json_pack("{s:s, s:s, s:o, s:s, s:o, s:o, s:o, s:o}", "username",
	                 bm_dbres_get(res, r, U_NAME), "display_name", bm_dbres_get(res, r, U_FULL),
	                 "email", bm_record_str(bm_dbres_get(res, r, U_EMAIL)), "institution_code",
	                 bm_dbres_get(res, r, U_INST), "roles",
	                 roles_json(roles_of_csv(bm_dbres_get(res, r, U_ROLES))), "active",
	                 adm_flag(bm_dbres_get(res, r, U_ACTIVE)), "created_at",
	                 bm_record_time(bm_dbres_get(res, r, U_CREATED)), "last_login_at",
	                 bm_record_time(bm_dbres_get(res, r, U_LOGIN)));
}

static void not_found(struct bm_req *req)
{
	adm_reply_domain(req, BM_E_NOT_FOUND, "USER_NOT_FOUND",
	                 "Bu adla kayıtlı bir kullanıcı yok.", "No user has this name.");
}

static void reply_self_lockout(struct bm_req *req)
{
	adm_reply_domain(req, BM_E_CONFLICT, "OWN_ACCOUNT",
	                 "Yönetici kendi hesabını kapatamaz ve kendi yönetici rolünü kaldıramaz.",
	                 "Administrators cannot deactivate their own account or drop their own "
	                 "administrator role.");
}

/* The {username} of the path when it can be one, else NULL. */
static const char *path_username(const struct bm_req *req)
{
	const char *u = bm_req_param(req, "username");
	return u && strlen(u) >= 3 && strlen(u) <= 64 && bm_json_matches(u, ADM_USERNAME_PATTERN)
	           ? u
	           : NULL;
}

/* Answer a fresh read of username with status; extra (may be NULL) is merged in. */
static void reply_user(struct bm_req *req, int status, const char *username, json_t *extra)
{
	struct bm_dbres *res = NULL;
	struct bm_dbp p[] = {BM_DB_STR(username)};
	enum bm_err e = bm_db_run(req->ctx->db, sql_get, p, 1, &res);
	json_t *out = NULL;
	if (e)
		bm_reply_error(req, e);
	else if (res->nrows != 1)
		not_found(req);
	else if ((out = user_json(res, 0)) && extra)
		json_object_update(out, extra);
	if (out)
		bm_reply_json(req, status, out, NULL);
	else if (!req->status)
		bm_reply_error(req, BM_E_NOMEM);
	json_decref(extra);
	bm_dbres_free(res);
}

/* ---- ending sessions ------------------------------------------------------- */

/* Revoke the session of one refresh-token value "sid user" when it is username's. */
static enum bm_err end_if_owned(struct bm_req *req, const redisReply *val, const char *username,
                                int *n)
{
	char sid[48], user[80], key[96], ttl[16];
	if (val->type != REDIS_REPLY_STRING || sscanf(val->str, "%47s %79s", sid, user) != 2 ||
	    strcmp(user, username))
		return BM_OK; /* expired since the scan, or someone else's */
	snprintf(key, sizeof key, "bimer:revoked:sid:%s", sid);
	snprintf(ttl, sizeof ttl, "%d", req->ctx->cfg->session_ttl_s);
	const char *set[] = {"SET", key, "1", "EX", ttl};
	redisReply *r = bm_redis_cmd(req->ctx->redis, 5, set, NULL);
	bool ok = r && r->type != REDIS_REPLY_ERROR;
	if (r)
		freeReplyObject(r);
	*n += ok;
	return ok ? BM_OK : BM_E_UNAVAILABLE;
}

/* The values of one SCAN batch of keys (one MGET), each looked at. */
static enum bm_err end_batch(struct bm_req *req, const redisReply *keys, const char *username,
                             int *n)
{
	if (keys->elements == 0)
		return BM_OK;
	const char **argv = calloc(keys->elements + 1, sizeof *argv);
	redisReply *vals = NULL;
	enum bm_err e = argv ? BM_OK : BM_E_NOMEM;
	for (size_t i = 0; !e && i < keys->elements; i++) {
		if (keys->element[i]->type != REDIS_REPLY_STRING)
			e = BM_E_UNAVAILABLE;
		argv[i + 1] = keys->element[i]->str;
	}
	if (!e) {
		argv[0] = "MGET";
		vals = bm_redis_cmd(req->ctx->redis, (int)keys->elements + 1, argv, NULL);
		if (!vals || vals->type != REDIS_REPLY_ARRAY)
			e = BM_E_UNAVAILABLE;
	}
	for (size_t i = 0; !e && i < vals->elements; i++)
		e = end_if_owned(req, vals->element[i], username, n);
	if (vals)
		freeReplyObject(vals);
	free(argv);
	return e;
}

/* Revoke every session of username; *n counts them. BM_E_UNAVAILABLE when Redis fails. */
static enum bm_err end_sessions(struct bm_req *req, const char *username, int *n)
{
	char cursor[32] = "0";
	enum bm_err e = BM_OK;
	*n = 0;
	do {
		const char *argv[] = {"SCAN", cursor, "MATCH", SCAN_MATCH, "COUNT", SCAN_COUNT};
		redisReply *r = bm_redis_cmd(req->ctx->redis, 6, argv, NULL);
		if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
		    r->element[0]->type != REDIS_REPLY_STRING ||
		    r->element[1]->type != REDIS_REPLY_ARRAY) {
			e = BM_E_UNAVAILABLE;
		} else {
			snprintf(cursor, sizeof cursor, "%s", r->element[0]->str);
			e = end_batch(req, r->element[1], username, n);
		}
		if (r)
			freeReplyObject(r);
	} while (!e && strcmp(cursor, "0"));
	return e;
}

/* After the commit: catch a session opened from the old row meanwhile (best effort). */
static void end_sessions_again(struct bm_req *req, const char *username, long long uid)
{
	int n = 0;
	if (end_sessions(req, username, &n))
		bm_log(BM_LOG_WARN, req->req_id, "user %lld: second session sweep failed", uid);
}

/* ---- writes ------------------------------------------------------------------ */

/* Replace the roles of user id with bits (inside the caller's transaction). */
static enum bm_err write_roles(struct bm_req *req, long long id, unsigned bits, bool replace)
{
	struct bm_dbp k[] = {BM_DB_INT(id)};
	enum bm_err e = replace ? bm_db_run(req->ctx->db, sql_drop_roles, k, 1, NULL) : BM_OK;
	for (size_t r = 0; !e && r < NROLES; r++) {
		if (!(bits & (1u << r)))
			continue;
		struct bm_dbp p[] = {BM_DB_INT(id), BM_DB_STR(roles[r].db)};
		e = bm_db_run(req->ctx->db, sql_add_role, p, 2, NULL);
	}
	return e;
}

/* The password to store: the body's, or a generated one (*generated = true). */
static enum bm_err password_hash(const struct bm_req *req, char plain[64], bool *generated,
                                 char hash[BM_PASSWORD_HASH_SIZE])
{
	const char *given = bm_json_str(req->json, "password");
	*generated = !given;
	if (!given) {
		enum bm_err e = bm_random_token(GENERATED_BYTES, plain, 64);
		if (e)
			return e;
		given = plain;
	}
	return bm_password_hash(given, hash);
}

/* INSERT the user and its roles in one transaction. */
static enum bm_err insert_user(struct bm_req *req, const char *hash, unsigned bits, long long *id)
{
	const json_t *b = req->json;
	struct bm_dbres *res = NULL;
	struct bm_dbp p[] = {BM_DB_STR(bm_json_str(b, "username")), BM_DB_STR(hash),
	                     BM_DB_STR(bm_json_str(b, "display_name")),
	                     BM_DB_STR(bm_json_str(b, "email")),
	                     BM_DB_STR(bm_json_str(b, "institution_code"))};
	enum bm_err e = bm_db_begin(req->ctx->db);
	if (!e)
		e = bm_db_run(req->ctx->db, sql_insert, p, 5, &res);
	if (!e) {
		*id = (long long)res->insert_id;
		e = write_roles(req, *id, bits, false);
	}
	if (!e)
		e = bm_db_commit(req->ctx->db);
	if (e)
		bm_db_rollback(req->ctx->db);
	bm_dbres_free(res);
	return e;
}

/* ---- handlers ------------------------------------------------------------------ */

void admin_users_list(struct bm_req *req)
{
	static const struct adm_list list = {sql_list, ADM_USERNAME_PATTERN, true, user_json,
	                                     U_NAME};
	const char *role = bm_json_str(req->qs, "role"), *role_db = NULL;

	for (size_t r = 0; role && r < NROLES; r++)
		if (!strcmp(roles[r].api, role))
			role_db = roles[r].db;
	const struct bm_dbp filters[] = {adm_opt_str(bm_json_str(req->qs, "institution")),
	                                 adm_qs_active(req), adm_opt_str(role_db)};
	adm_reply_list(req, &list, filters, sizeof filters / sizeof *filters);
}

void admin_users_get(struct bm_req *req)
{
	const char *username = path_username(req);
	if (!username)
		not_found(req);
	else
		reply_user(req, 200, username, NULL);
}

void admin_users_create(struct bm_req *req)
{
	const json_t *b = req->json;
	const char *inst = bm_json_str(b, "institution_code");
	unsigned bits = roles_of_json(json_object_get(b, "roles"));
	char kind[32], plain[64] = "", hash[BM_PASSWORD_HASH_SIZE], text[96];
	bool generated = false;
	long long id = 0;

	enum bm_err e = adm_institution_usable(req, inst, "institution_code", kind);
	if (!e && !req->errs.n)
		check_roles(req, json_object_get(b, "roles"), bits, kind);
	if (e || req->errs.n) {
		bm_reply_error(req, e ? e : BM_E_VALIDATION);
		return;
	}
	if (!(e = password_hash(req, plain, &generated, hash)))
		e = insert_user(req, hash, bits, &id);
	if (e == BM_E_CONFLICT)
		adm_reply_domain(req, BM_E_CONFLICT, "USERNAME_TAKEN",
		                 "Bu kullanıcı adı zaten kullanılıyor.",
		                 "This user name is taken.");
	else if (e)
		bm_reply_error(req, e);
	else {
		roles_text(bits, text, sizeof text);
		adm_log_change(req, "user %lld created at %s with roles %s, %s password", id, inst,
		               text, generated ? "a generated" : "the given");
		reply_user(req, 201, bm_json_str(b, "username"),
		           generated ? json_pack("{s:s}", "initial_password", plain) : NULL);
	}
	explicit_bzero(plain, sizeof plain);
}

/* What a PATCH changes, decided against the locked row. */
struct user_change {
	long long id;
	const char *inst; /* afterwards */
	unsigned bits;    /* roles afterwards */
	bool active;      /* afterwards */
	bool was_active;
	bool ends_sessions;
};

/* Decide a PATCH against row cur; answers (and sets *done) when it cannot go ahead. */
static enum bm_err decide_update(struct bm_req *req, const struct bm_dbres *cur,
                                 struct user_change *c, bool *done)
{
	const json_t *b = req->json, *arr = json_object_get(b, "roles");
	char kind[32];
	enum bm_err e = BM_OK;

	c->id = strtoll(bm_dbres_get(cur, 0, U_ID), NULL, 10);
	c->inst = bm_json_str(b, "institution_code");
	if (!c->inst)
		c->inst = bm_dbres_get(cur, 0, U_INST);
	c->bits = arr ? roles_of_json(arr) : roles_of_csv(bm_dbres_get(cur, 0, U_ROLES));
	c->was_active = !strcmp(bm_dbres_get(cur, 0, U_ACTIVE), "1");
	c->active = bm_json_bool(b, "active", c->was_active);
	c->ends_sessions = json_object_get(b, "password") || arr ||
	                   json_object_get(b, "institution_code") || (c->was_active && !c->active);
	if (arr || json_object_get(b, "institution_code") || (c->active && !c->was_active)) {
		e = adm_institution_usable(req, c->inst, "institution_code", kind);
		if (!e && !req->errs.n)
			check_roles(req, arr, c->bits, kind);
	}
	if (!e && req->errs.n) {
		bm_reply_error(req, BM_E_VALIDATION);
		*done = true;
	} else if (!e && c->id == req->who.uid && (!c->active || !(c->bits & ROLE_ADMIN))) {
		reply_self_lockout(req);
		*done = true;
	}
	return e;
}

/* Write a decided PATCH, end the sessions when it must, commit. */
static enum bm_err apply_update(struct bm_req *req, const char *username,
                                const struct user_change *c, const char *hash)
{
	const json_t *b = req->json;
	char what[128];
	int ended = 0;
	struct bm_dbp p[] = {adm_opt_str(bm_json_str(b, "display_name")),
	                     adm_opt_str(bm_json_str(b, "email")),
	                     BM_DB_STR(c->inst),
	                     BM_DB_INT(c->active ? 1 : 0),
	                     adm_opt_str(hash),
	                     BM_DB_INT(c->id)};
	enum bm_err e = bm_db_run(req->ctx->db, sql_update, p, 6, NULL);
	if (!e && json_object_get(b, "roles"))
		e = write_roles(req, c->id, c->bits, true);
	if (!e && c->ends_sessions)
		e = end_sessions(req, username, &ended);
	if (!e)
		e = bm_db_commit(req->ctx->db);
	if (e)
		return e;
	if (c->ends_sessions)
		end_sessions_again(req, username, c->id);
	adm_changed_fields(req, what, sizeof what);
	adm_log_change(req, "user %lld changed: %s; %d sessions ended", c->id, what, ended);
	return BM_OK;
}

void admin_users_update(struct bm_req *req)
{
	const char *username = path_username(req);
	char hash[BM_PASSWORD_HASH_SIZE];
	struct bm_dbres *cur = NULL;
	struct user_change c = {0};
	bool done = false;

	if (adm_empty_update_or_reply(req))
		return;
	if (!username) {
		not_found(req);
		return;
	}
	/* argon2id takes a while: before the row is locked */
	const char *pw = bm_json_str(req->json, "password");
	struct bm_dbp k[] = {BM_DB_STR(username)};
	enum bm_err e = pw ? bm_password_hash(pw, hash) : BM_OK;
	if (e || (e = bm_db_begin(req->ctx->db)) ||
	    (e = bm_db_run(req->ctx->db, sql_get_locked, k, 1, &cur)))
		goto out;
	if (cur->nrows != 1) {
		not_found(req);
		goto out;
	}
	if ((e = decide_update(req, cur, &c, &done)) || done ||
	    (e = apply_update(req, username, &c, pw ? hash : NULL)))
		goto out;
	reply_user(req, 200, username, NULL);
out:
	if (e || req->status != 200)
		bm_db_rollback(req->ctx->db);
	if (e)
		bm_reply_error(req, e);
	bm_dbres_free(cur);
}

void admin_users_deactivate(struct bm_req *req)
{
	const char *username = path_username(req);
	struct bm_dbres *cur = NULL;
	int ended = 0;

	if (!username) {
		not_found(req);
		return;
	}
	struct bm_dbp k[] = {BM_DB_STR(username)};
	enum bm_err e = bm_db_begin(req->ctx->db);
	if (e || (e = bm_db_run(req->ctx->db, sql_get_locked, k, 1, &cur)))
		goto out;
	if (cur->nrows != 1) {
		not_found(req);
		goto out;
	}
	long long id = strtoll(bm_dbres_get(cur, 0, U_ID), NULL, 10);
	bool was_active = !strcmp(bm_dbres_get(cur, 0, U_ACTIVE), "1");
	if (id == req->who.uid) {
		reply_self_lockout(req);
		goto out;
	}
	struct bm_dbp p[] = {BM_DB_INT(id)};
	if (was_active && ((e = bm_db_run(req->ctx->db, sql_deactivate, p, 1, NULL)) ||
	                   (e = end_sessions(req, username, &ended))))
		goto out;
	if ((e = bm_db_commit(req->ctx->db)))
		goto out;
	if (was_active) {
		end_sessions_again(req, username, id);
		adm_log_change(req, "user %lld deactivated, %d sessions ended", id, ended);
	}
	bm_reply_raw(req, 204, "application/json", NULL, "", 0);
out:
	if (e || req->status != 204)
		bm_db_rollback(req->ctx->db);
	if (e)
		bm_reply_error(req, e);
	bm_dbres_free(cur);
}
