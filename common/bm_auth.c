// SPDX-License-Identifier: MIT
/*
 * bm_auth: JWT issuing and verification around libjwt 1.10's pitfalls.
 * See bm_auth.h.
 */
#include "bm_auth.h"

#include <errno.h>
#include <jansson.h>
#include <jwt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_crypto.h"
#include "bm_log.h"

static const struct {
	unsigned bit;
	const char *name;
} roles[] = {
    {BM_ROLE_OPERATOR, "operator"},
    {BM_ROLE_INSTITUTION_USER, "institution_user"},
    {BM_ROLE_COORDINATOR, "coordinator"},
    {BM_ROLE_BEDK, "bedk_member"},
    {BM_ROLE_ADMIN, "admin"},
    {BM_ROLE_AGENCY, "agency"},
};

static const struct {
	unsigned bit;
	const char *name;
} scopes[] = {
    {BM_SCOPE_INBOX_READ, "inbox:read"},
    {BM_SCOPE_APPLICATIONS_READ, "applications:read"},
    {BM_SCOPE_APPLICATIONS_ROUTE, "applications:route"},
    {BM_SCOPE_APPLICATIONS_ANSWER, "applications:answer"},
    {BM_SCOPE_APPEALS_RESPOND, "appeals:respond"},
    {BM_SCOPE_REPORTS_READ, "reports:read"},
};

bool bm_scopes_parse(const char *names, unsigned *bits)
{
	*bits = 0;
	while (names && *names) {
		size_t n = strcspn(names, " ");
		bool known = false;
		for (size_t i = 0; n && i < sizeof scopes / sizeof scopes[0]; i++)
			if (strlen(scopes[i].name) == n && !strncmp(scopes[i].name, names, n)) {
				*bits |= scopes[i].bit;
				known = true;
			}
		if (n && !known)
			return false;
		names += n;
		names += strspn(names, " ");
	}
	return true;
}

void bm_scopes_format(unsigned bits, char *out, size_t cap)
{
	size_t used = 0;
	if (cap)
		out[0] = '\0';
	for (size_t i = 0; i < sizeof scopes / sizeof scopes[0]; i++) {
		if (!(bits & scopes[i].bit))
			continue;
		int n = snprintf(out + used, cap - used, "%s%s", used ? " " : "", scopes[i].name);
		if (n < 0 || (size_t)n >= cap - used)
			return;
		used += (size_t)n;
	}
}

unsigned bm_role_from_name(const char *name)
{
	for (size_t i = 0; name && i < sizeof roles / sizeof roles[0]; i++)
		if (!strcmp(roles[i].name, name))
			return roles[i].bit;
	return 0;
}

const char *bm_role_name(unsigned role)
{
	for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
		if (roles[i].bit == role)
			return roles[i].name;
	return NULL;
}

/* ---- keys ---------------------------------------------------------------- */

static enum bm_err read_pem(const char *path, unsigned char **out, size_t *len)
{
	FILE *f = path && *path ? fopen(path, "rb") : NULL;
	unsigned char *buf = NULL;
	size_t n = 0;

	if (!f)
		return BM_E_CONFIG;
	buf = malloc(16384);
	if (buf)
		n = fread(buf, 1, 16383, f);
	fclose(f);
	if (!buf)
		return BM_E_NOMEM;
	buf[n] = '\0';
	if (n == 0 || n == 16383 || !strstr((char *)buf, "-----BEGIN ")) {
		free(buf);
		return BM_E_CONFIG;
	}
	*out = buf;
	*len = n;
	return BM_OK;
}

static void kid_of(const unsigned char *pem, size_t len, char kid[24])
{
	unsigned char d[32];
	bm_sha256(pem, len, d);
	bm_hex(d, 8, kid);
}

/* The kid of a key pair is that of its public half, so verifiers can find it. */
enum bm_err bm_jwt_keys_load(const struct bm_cfg *cfg, bool signing, struct bm_jwt_keys *k,
                             char *err, size_t errlen)
{
	const char *prev = getenv("BIMER_JWT_PREVIOUS_PUBLIC_KEY_FILE");

	memset(k, 0, sizeof *k);
	if (read_pem(cfg->jwt_public_key_file, &k->pub[0].pem, &k->pub[0].len)) {
		snprintf(err, errlen, "BIMER_JWT_PUBLIC_KEY_FILE must name a PEM public key");
		return BM_E_CONFIG;
	}
	kid_of(k->pub[0].pem, k->pub[0].len, k->pub[0].kid);
	k->npub = 1;
	if (prev && *prev) {
		if (read_pem(prev, &k->pub[1].pem, &k->pub[1].len)) {
			snprintf(err, errlen,
			         "BIMER_JWT_PREVIOUS_PUBLIC_KEY_FILE must name a PEM key");
			bm_jwt_keys_free(k);
			return BM_E_CONFIG;
		}
		kid_of(k->pub[1].pem, k->pub[1].len, k->pub[1].kid);
		k->npub = 2;
	}
	if (signing) {
		if (read_pem(cfg->jwt_private_key_file, &k->priv, &k->priv_len)) {
			snprintf(err, errlen,
			         "BIMER_JWT_PRIVATE_KEY_FILE must name a PEM private key");
			bm_jwt_keys_free(k);
			return BM_E_CONFIG;
		}
		memcpy(k->priv_kid, k->pub[0].kid, sizeof k->priv_kid);
	}
	return BM_OK;
}

void bm_jwt_keys_free(struct bm_jwt_keys *k)
{
	for (size_t i = 0; i < k->npub; i++)
		free(k->pub[i].pem);
	free(k->priv);
	memset(k, 0, sizeof *k);
}

/* ---- verification ------------------------------------------------------------ */

/* The header must say RS256 exactly and name a kid we hold; returns that key's index or -1. */
static int header_key(const struct bm_jwt_keys *k, const char *token, size_t hlen)
{
	unsigned char raw[512];
	size_t n;
	json_error_t je;
	int idx = -1;

	if (hlen == 0 || bm_b64url_decode(token, hlen, raw, sizeof raw, &n))
		return -1;
	json_t *h = json_loadb((const char *)raw, n, JSON_REJECT_DUPLICATES, &je);
	const char *alg = json_string_value(json_object_get(h, "alg"));
	const char *kid = json_string_value(json_object_get(h, "kid"));
	const json_t *typ = json_object_get(h, "typ");
	if (json_is_object(h) && alg && !strcmp(alg, "RS256") && kid &&
	    (!typ || (json_is_string(typ) && !strcmp(json_string_value(typ), "JWT"))))
		for (size_t i = 0; i < k->npub; i++)
			if (!strcmp(k->pub[i].kid, kid))
				idx = (int)i;
	json_decref(h);
	return idx;
}

static bool copy_str(const json_t *claims, const char *name, char *out, size_t cap)
{
	const char *v = json_string_value(json_object_get(claims, name));
	if (!v || !*v || strlen(v) >= cap)
		return false;
	memcpy(out, v, strlen(v) + 1);
	return true;
}

/* Claims checked one by one: types, times, issuer, audience, identity. */
static bool claims_ok(const json_t *c, time_t now, struct bm_principal *p)
{
	const json_t *exp = json_object_get(c, "exp"), *nbf = json_object_get(c, "nbf"),
	             *iat = json_object_get(c, "iat"), *rl = json_object_get(c, "roles");
	const char *iss = json_string_value(json_object_get(c, "iss"));
	const char *aud = json_string_value(json_object_get(c, "aud"));
	size_t i;
	json_t *r;

	if (!json_is_integer(exp) || json_integer_value(exp) <= now ||
	    json_integer_value(exp) > now + BM_JWT_MAX_TTL + BM_JWT_SKEW)
		return false;
	if ((nbf && (!json_is_integer(nbf) || json_integer_value(nbf) > now + BM_JWT_SKEW)) ||
	    !json_is_integer(iat) || json_integer_value(iat) > now + BM_JWT_SKEW)
		return false;
	if (!iss || strcmp(iss, BM_JWT_ISS) || !aud || strcmp(aud, BM_JWT_AUD))
		return false;
	if (!copy_str(c, "sub", p->sub, sizeof p->sub) ||
	    !copy_str(c, "inst", p->inst, sizeof p->inst) ||
	    !copy_str(c, "jti", p->jti, sizeof p->jti) || !json_is_array(rl))
		return false;
	if (!copy_str(c, "sid", p->sid, sizeof p->sid))
		p->sid[0] = '\0';
	p->roles = 0;
	json_array_foreach(rl, i, r)
	{
		unsigned bit = bm_role_from_name(json_string_value(r));
		if (!bit)
			return false;
		p->roles |= bit;
	}
	p->exp = (time_t)json_integer_value(exp);
	const json_t *sc = json_object_get(c, "scope");
	if (sc && (!json_is_string(sc) || !bm_scopes_parse(json_string_value(sc), &p->scopes)))
		return false;
	const json_t *uid = json_object_get(c, "uid");
	if (uid && (!json_is_integer(uid) || json_integer_value(uid) < 0))
		return false;
	p->uid = uid ? (long long)json_integer_value(uid) : 0;
	return p->roles != 0;
}

enum bm_err bm_jwt_verify(const struct bm_jwt_keys *k, const char *token, time_t now,
                          struct bm_principal *out)
{
	jwt_t *jwt = NULL;
	enum bm_err e = BM_E_UNAUTHORIZED;
	size_t len = token ? strnlen(token, BM_JWT_MAX_LEN + 1) : 0;
	const char *dot = token ? strchr(token, '.') : NULL;

	memset(out, 0, sizeof *out);
	if (!token || len == 0 || len > BM_JWT_MAX_LEN || !dot || k->npub == 0)
		return BM_E_UNAUTHORIZED;
	int idx = header_key(k, token, (size_t)(dot - token));
	if (idx < 0)
		return BM_E_UNAUTHORIZED;
	if (jwt_decode(&jwt, token, k->pub[idx].pem, (int)k->pub[idx].len) || !jwt ||
	    jwt_get_alg(jwt) != JWT_ALG_RS256)
		goto out;
	char *grants = jwt_get_grants_json(jwt, NULL);
	json_t *claims = grants ? json_loads(grants, JSON_REJECT_DUPLICATES, NULL) : NULL;
	if (json_is_object(claims) && claims_ok(claims, now, out))
		e = BM_OK;
	json_decref(claims);
	free(grants);
out:
	jwt_free(jwt);
	if (e)
		memset(out, 0, sizeof *out);
	return e;
}

/* ---- issuing ---------------------------------------------------------------- */

char *bm_jwt_issue(const struct bm_jwt_keys *k, const struct bm_principal *p, time_t now, int ttl)
{
	jwt_t *jwt = NULL;
	char *token = NULL, *grants = NULL;
	json_t *c = NULL, *rl = json_array();

	if (!k->priv || ttl <= 0 || ttl > BM_JWT_MAX_TTL || !rl)
		goto out;
	for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
		if (p->roles & roles[i].bit)
			json_array_append_new(rl, json_string(roles[i].name));
	c = json_pack("{s:s, s:s, s:s, s:s, s:s, s:O, s:I, s:I, s:I}", "iss", BM_JWT_ISS, "aud",
	              BM_JWT_AUD, "sub", p->sub, "inst", p->inst, "jti", p->jti, "roles", rl, "iat",
	              (json_int_t)now, "nbf", (json_int_t)now, "exp", (json_int_t)(now + ttl));
	if (c && p->sid[0])
		json_object_set_new(c, "sid", json_string(p->sid));
	if (c && p->uid)
		json_object_set_new(c, "uid", json_integer(p->uid));
	if (c && p->scopes) {
		char names[256];
		bm_scopes_format(p->scopes, names, sizeof names);
		json_object_set_new(c, "scope", json_string(names));
	}
	grants = c ? json_dumps(c, JSON_COMPACT) : NULL;
	if (!grants || jwt_new(&jwt) || jwt_add_grants_json(jwt, grants) ||
	    jwt_add_header(jwt, "kid", k->priv_kid) ||
	    jwt_set_alg(jwt, JWT_ALG_RS256, k->priv, (int)k->priv_len))
		goto out;
	token = jwt_encode_str(jwt);
out:
	jwt_free(jwt);
	json_decref(c);
	json_decref(rl);
	free(grants);
	return token;
}
