// SPDX-License-Identifier: MIT
/*
 * Staff authentication: login, refresh, logout (issue 4, security.md).
 *
 * Passwords are checked with argon2id; an unknown user costs the same
 * verification and gets the same answer as a wrong password. Failures are
 * limited per client address and per user name. A login opens a session
 * in Redis; the refresh token (opaque, stored as its SHA-256) is rotated on
 * every use, and presenting a used one again revokes the whole session,
 * since only a thief would hold an old token. Logout revokes the session
 * and the access token's jti until it expires; every service's guard chain
 * checks both.
 */
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_auth.h"
#include "bm_cache.h"
#include "bm_crypto.h"
#include "bm_db.h"
#include "bm_log.h"
#include "bm_password.h"
#include "bm_req.h"
#include "handlers.h"

const struct bm_field login_fields[] = {
    {.name = "username", .type = BM_FT_STRING, .flags = BM_FF_REQUIRED, .min = 1, .max = 64},
    {.name = "password", .type = BM_FT_STRING, .flags = BM_FF_REQUIRED, .min = 1, .max = 256},
    {0}};

const struct bm_field refresh_fields[] = {{.name = "refresh_token",
                                           .type = BM_FT_STRING,
                                           .flags = BM_FF_REQUIRED,
                                           .min = 22,
                                           .max = 128,
                                           .pattern = "[A-Za-z0-9_-]+"},
                                          {0}};

static const char sql_user[] =
    "SELECT u.password_hash, u.institution_code, u.active, GROUP_CONCAT(r.role), u.id "
    "FROM users u LEFT JOIN user_roles r ON r.user_id = u.id WHERE u.username = ? "
    "GROUP BY u.id";

/* Rotate a refresh token atomically: {'ok', value} | {'reuse', value} | {'none', ''}. */
static const char rotate_script[] = "local v = redis.call('GET', KEYS[1])\n"
                                    "if v then\n"
                                    "  redis.call('DEL', KEYS[1])\n"
                                    "  redis.call('SET', KEYS[2], v, 'EX', ARGV[1])\n"
                                    "  return {'ok', v}\n"
                                    "end\n"
                                    "local u = redis.call('GET', KEYS[2])\n"
                                    "if u then return {'reuse', u} end\n"
                                    "return {'none', ''}\n";

static void reply_bad_credentials(struct bm_req *req)
{
	bm_reply_problem(req, BM_E_UNAUTHORIZED, "INVALID_CREDENTIALS",
	                 req->lang == BM_LANG_EN ? "The user name or password is wrong."
	                                         : "Kullanıcı adı ya da parola hatalı.");
}

static bool redis_ok(redisReply *r)
{
	bool ok = r && r->type != REDIS_REPLY_ERROR;
	if (r)
		freeReplyObject(r);
	return ok;
}

static void refresh_key(const char *prefix, const char *token, char *out, size_t cap)
{
	unsigned char d[32];
	char hex[65];
	bm_sha256(token, strlen(token), d);
	bm_hex(d, 32, hex);
	snprintf(out, cap, "bimer:%s:%s", prefix, hex);
}

/* Issue an access token and a new refresh token for the session; reply 200. */
static void issue(struct bm_req *req, struct bm_principal *p)
{
	const struct bm_cfg *c = req->ctx->cfg;
	char refresh[64], key[128], val[160], ttl[16];
	time_t now = time(NULL);

	if (bm_random_token(16, p->jti, sizeof p->jti) ||
	    bm_random_token(32, refresh, sizeof refresh)) {
		bm_reply_error(req, BM_E_INTERNAL);
		return;
	}
	refresh_key("refresh", refresh, key, sizeof key);
	snprintf(val, sizeof val, "%s %s", p->sid, p->sub);
	snprintf(ttl, sizeof ttl, "%d", c->session_ttl_s);
	const char *set[] = {"SET", key, val, "EX", ttl};
	if (!redis_ok(bm_redis_cmd(req->ctx->redis, 5, set, NULL))) {
		bm_reply_error(req, BM_E_UNAVAILABLE);
		return;
	}
	char *access = bm_jwt_issue(req->ctx->jwt, p, now, c->access_ttl_s);
	if (!access) {
		bm_reply_error(req, BM_E_INTERNAL);
		return;
	}
	bm_reply_json(req, 200,
	              json_pack("{s:s, s:s, s:i, s:s}", "access_token", access, "token_type",
	                        "Bearer", "expires_in", c->access_ttl_s, "refresh_token", refresh),
	              NULL);
	free(access);
}

/* The user's institution and roles; false when unknown or inactive. */
static enum bm_err load_user(struct bm_req *req, const char *username, struct bm_dbres **res)
{
	struct bm_dbp p[] = {BM_DB_STR(username)};
	return bm_db_run(req->ctx->db, sql_user, p, 1, res);
}

static unsigned roles_of(const char *csv)
{
	unsigned roles = 0;
	char buf[256];
	snprintf(buf, sizeof buf, "%s", csv ? csv : "");
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		roles |= bm_role_from_name(t);
	return roles;
}

static bool fill_principal(const struct bm_dbres *u, const char *username, struct bm_principal *p)
{
	if (u->nrows != 1 || strcmp(bm_dbres_get(u, 0, 2), "1"))
		return false;
	snprintf(p->sub, sizeof p->sub, "%s", username);
	snprintf(p->inst, sizeof p->inst, "%s", bm_dbres_get(u, 0, 1));
	p->roles = roles_of(bm_dbres_get(u, 0, 3));
	p->uid = strtoll(bm_dbres_get(u, 0, 4), NULL, 10);
	return p->roles != 0;
}

/*
 * Failed logins: limits per address and per user name (a user name is
 * personal data, so its key is hashed). Peeked before, counted after a
 * failure. Returns the limit keys' Redis result like bm_rl_all.
 */
static enum bm_err login_limits(struct bm_req *req, const char *username, bool count,
                                struct bm_rl_result *worst)
{
	char ipk[96], uk[96];
	unsigned char d[32];

	bm_sha256(username, strlen(username), d);
	bm_limit_key_ip(req, "login", ipk, sizeof ipk);
	bm_limit_key_hash("login-user", d, uk, sizeof uk);
	const struct bm_rl_key keys[] = {{ipk, &req->ctx->cfg->rl_login_ip},
	                                 {uk, &req->ctx->cfg->rl_login_user}};
	return bm_rl_all(req->ctx->redis, count ? BM_RL_HIT : BM_RL_PEEK, keys, 2, worst)
	           ? BM_E_UNAVAILABLE
	           : BM_OK;
}

void auth_login(struct bm_req *req)
{
	const char *username = bm_json_str(req->json, "username");
	const char *password = bm_json_str(req->json, "password");
	struct bm_principal p = {0};
	struct bm_rl_result lim;
	struct bm_dbres *u = NULL;

	enum bm_err e = login_limits(req, username, false, &lim);
	if (!e && !lim.allowed) {
		bm_reply_rate_limited(req, lim.retry_after);
		return;
	}
	if (!e)
		e = load_user(req, username, &u);
	if (e) {
		bm_reply_error(req, e);
		return;
	}
	bool known = fill_principal(u, username, &p);
	bool ok = bm_password_verify(known ? bm_dbres_get(u, 0, 0) : NULL, password) && known;
	bm_dbres_free(u);
	if (!ok) {
		bm_log(BM_LOG_INFO, req->req_id, "login failed");
		if (login_limits(req, username, true, &lim) == BM_OK && !lim.allowed)
			bm_reply_rate_limited(req, lim.retry_after);
		else
			reply_bad_credentials(req);
		return;
	}
	if (bm_random_token(16, p.sid, sizeof p.sid)) {
		bm_reply_error(req, BM_E_INTERNAL);
		return;
	}
	bm_log(BM_LOG_INFO, req->req_id, "login of a %s user of %s",
	       bm_role_name(p.roles & -p.roles), p.inst);
	issue(req, &p);
}

/* Revoke a session for as long as its refresh tokens could live. */
static enum bm_err revoke_session(struct bm_req *req, const char *sid)
{
	char key[96], ttl[16];
	snprintf(key, sizeof key, "bimer:revoked:sid:%s", sid);
	snprintf(ttl, sizeof ttl, "%d", req->ctx->cfg->session_ttl_s);
	const char *set[] = {"SET", key, "1", "EX", ttl};
	return redis_ok(bm_redis_cmd(req->ctx->redis, 5, set, NULL)) ? BM_OK : BM_E_UNAVAILABLE;
}

/* Run the rotation script; *state is "ok", "reuse" or "none", value "sid user". */
static enum bm_err rotate(struct bm_req *req, const char *token, char *state, char *value,
                          size_t cap)
{
	char k1[128], k2[128], ttl[16];
	refresh_key("refresh", token, k1, sizeof k1);
	refresh_key("refresh-used", token, k2, sizeof k2);
	snprintf(ttl, sizeof ttl, "%d", req->ctx->cfg->session_ttl_s);
	const char *argv[] = {"EVAL", rotate_script, "2", k1, k2, ttl};
	redisReply *r = bm_redis_cmd(req->ctx->redis, 6, argv, NULL);
	if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
	    r->element[0]->type != REDIS_REPLY_STRING ||
	    r->element[1]->type != REDIS_REPLY_STRING) {
		if (r)
			freeReplyObject(r);
		return BM_E_UNAVAILABLE;
	}
	snprintf(state, 8, "%s", r->element[0]->str);
	snprintf(value, cap, "%s", r->element[1]->str);
	freeReplyObject(r);
	return BM_OK;
}

void auth_refresh(struct bm_req *req)
{
	char state[8], value[160], sid[48] = "", user[80] = "";
	struct bm_principal p = {0};
	struct bm_dbres *u = NULL;
	bool revoked = false;

	enum bm_err e =
	    rotate(req, bm_json_str(req->json, "refresh_token"), state, value, sizeof value);
	if (!e && sscanf(value, "%47s %79s", sid, user) != 2 && strcmp(state, "none"))
		e = BM_E_INTERNAL;
	if (!e && !strcmp(state, "reuse")) {
		bm_log(BM_LOG_WARN, req->req_id, "refresh token reused: session revoked");
		e = revoke_session(req, sid);
		revoked = true;
	}
	if (!e && !revoked && !strcmp(state, "ok")) {
		char key[96];
		snprintf(key, sizeof key, "bimer:revoked:sid:%s", sid);
		const char *ex[] = {"EXISTS", key};
		redisReply *r = bm_redis_cmd(req->ctx->redis, 2, ex, NULL);
		revoked = !r || r->type != REDIS_REPLY_INTEGER || r->integer != 0;
		if (r)
			freeReplyObject(r);
		if (!revoked && !(e = load_user(req, user, &u)) && fill_principal(u, user, &p)) {
			snprintf(p.sid, sizeof p.sid, "%s", sid);
			bm_dbres_free(u);
			issue(req, &p);
			return;
		}
	}
	bm_dbres_free(u);
	if (e)
		bm_reply_error(req, e);
	else
		bm_reply_problem(req, BM_E_UNAUTHORIZED, "INVALID_REFRESH_TOKEN",
		                 req->lang == BM_LANG_EN
		                     ? "The session has ended; please log in."
		                     : "Oturum sona erdi; lütfen yeniden giriş yapınız.");
}

void auth_logout(struct bm_req *req)
{
	char state[8], value[160], sid[48] = "", user[80] = "";
	struct bm_principal who;
	time_t now = time(NULL);

	enum bm_err e =
	    rotate(req, bm_json_str(req->json, "refresh_token"), state, value, sizeof value);
	if (!e && strcmp(state, "none") && sscanf(value, "%47s %79s", sid, user) == 2)
		e = revoke_session(req, sid);
	/* the access token presented with it stops working at once too */
	const char *h = bm_req_env(req, "HTTP_AUTHORIZATION");
	if (!e && h && !strncasecmp(h, "Bearer ", 7) &&
	    bm_jwt_verify(req->ctx->jwt, h + 7, now, &who) == BM_OK) {
		char key[96], ttl[24];
		snprintf(key, sizeof key, "bimer:revoked:jti:%s", who.jti);
		snprintf(ttl, sizeof ttl, "%lld", (long long)(who.exp - now + BM_JWT_SKEW));
		const char *set[] = {"SET", key, "1", "EX", ttl};
		if (!redis_ok(bm_redis_cmd(req->ctx->redis, 5, set, NULL)))
			e = BM_E_UNAVAILABLE;
		if (!e && who.sid[0])
			e = revoke_session(req, who.sid);
	}
	if (e)
		bm_reply_error(req, e);
	else
		bm_reply_raw(req, 204, "application/json", NULL, "", 0);
}

const struct bm_field token_fields[] = {
    {.name = "grant_type",
     .type = BM_FT_STRING,
     .flags = BM_FF_REQUIRED,
     .min = 1,
     .max = 32,
     .enumv = (const char *const[]){"client_credentials", NULL}},
    {.name = "client_id",
     .type = BM_FT_STRING,
     .flags = BM_FF_REQUIRED,
     .min = 3,
     .max = 64,
     .pattern = "[a-z0-9][a-z0-9._-]*"},
    {.name = "client_secret", .type = BM_FT_STRING, .flags = BM_FF_REQUIRED, .min = 1, .max = 1024},
    {.name = "scope", .type = BM_FT_STRING, .min = 0, .max = 255, .pattern = "[a-z:_ ]*"},
    {0}};

static const char sql_client[] =
    "SELECT secret_hash, institution_code, active, scopes FROM agency_clients WHERE client_id = ?";
static const char sql_client_used[] =
    "UPDATE agency_clients SET last_used_at = UTC_TIMESTAMP(3) WHERE client_id = ?";

/*
 * The scopes a token gets: the client's, or those of them asked for (RFC 6749
 * 3.3); false when the request names one the client does not have.
 */
static bool grant_scopes(const char *granted, const char *asked, unsigned *out)
{
	unsigned have = 0, want = 0;
	if (!bm_scopes_parse(granted, &have))
		have = 0; /* a stored value we cannot read grants nothing */
	if (!asked || !*asked) {
		*out = have;
		return true;
	}
	if (!bm_scopes_parse(asked, &want) || (want & ~have))
		return false;
	*out = want;
	return true;
}

/*
 * POST /api/v1/auth/token: OAuth2 client credentials for agency systems.
 * The same failure limits and the same single answer as staff logins; the
 * token acts for the client's institution with the agency role, within the
 * client's scopes (or fewer, if asked), and has no refresh token (the system
 * asks again). 422 SCOPE_NOT_GRANTED (field scope) for a scope the client lacks.
 */
void auth_token(struct bm_req *req)
{
	const char *id = bm_json_str(req->json, "client_id");
	const char *secret = bm_json_str(req->json, "client_secret");
	struct bm_principal p = {.roles = BM_ROLE_AGENCY};
	struct bm_rl_result lim;
	struct bm_dbres *c = NULL;
	time_t now = time(NULL);

	enum bm_err e = login_limits(req, id, false, &lim);
	if (!e && !lim.allowed) {
		bm_reply_rate_limited(req, lim.retry_after);
		return;
	}
	struct bm_dbp q[] = {BM_DB_STR(id)};
	if (!e)
		e = bm_db_run(req->ctx->db, sql_client, q, 1, &c);
	if (e) {
		bm_reply_error(req, e);
		return;
	}
	bool known = c->nrows == 1 && !strcmp(bm_dbres_get(c, 0, 2), "1");
	bool ok = bm_password_verify(known ? bm_dbres_get(c, 0, 0) : NULL, secret) && known;
	bool scoped = true;
	if (ok) {
		snprintf(p.sub, sizeof p.sub, "%s", id);
		snprintf(p.inst, sizeof p.inst, "%s", bm_dbres_get(c, 0, 1));
		scoped =
		    grant_scopes(bm_dbres_get(c, 0, 3), bm_json_str(req->json, "scope"), &p.scopes);
	}
	bm_dbres_free(c);
	if (ok && !scoped) {
		bm_verrs_add_text(&req->errs, "scope", "SCOPE_NOT_GRANTED",
		                  "İstenen yetki kapsamı bu istemciye tanınmamış.",
		                  "This client is not granted the requested scope.");
		bm_reply_error(req, BM_E_VALIDATION);
		return;
	}
	if (!ok) {
		bm_log(BM_LOG_INFO, req->req_id, "agency token refused");
		if (login_limits(req, id, true, &lim) == BM_OK && !lim.allowed)
			bm_reply_rate_limited(req, lim.retry_after);
		else
			bm_reply_problem(req, BM_E_UNAUTHORIZED, "INVALID_CLIENT",
			                 req->lang == BM_LANG_EN
			                     ? "The client credentials are wrong."
			                     : "İstemci kimlik bilgileri hatalı.");
		return;
	}
	(void)bm_db_run(req->ctx->db, sql_client_used, q, 1, NULL);
	char *access = NULL;
	if (!bm_random_token(16, p.jti, sizeof p.jti))
		access = bm_jwt_issue(req->ctx->jwt, &p, now, req->ctx->cfg->access_ttl_s);
	if (!access) {
		bm_reply_error(req, BM_E_INTERNAL);
		return;
	}
	bm_log(BM_LOG_INFO, req->req_id, "agency token for a system of %s", p.inst);
	char names[256];
	bm_scopes_format(p.scopes, names, sizeof names);
	bm_reply_json(req, 200,
	              json_pack("{s:s, s:s, s:i, s:s}", "access_token", access, "token_type",
	                        "Bearer", "expires_in", req->ctx->cfg->access_ttl_s, "scope",
	                        names),
	              NULL);
	free(access);
}
