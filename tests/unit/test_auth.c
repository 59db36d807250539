// SPDX-License-Identifier: MIT
/*
 * Every token attack of security.md's table against bm_jwt_verify (libjwt
 * 1.10 pitfalls: it trusts the token's alg, verifies nothing without a key,
 * and accepts HS256 signed with the public key's PEM). Keys are made fresh
 * for the run with OpenSSL.
 */
#include <jansson.h>
#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bm_auth.h"
#include "bm_crypto.h"

static struct bm_cfg cfg;
static struct bm_jwt_keys keys, other;
static char dir[] = "/tmp/bm-auth-XXXXXX";
static time_t now;

static void write_key(EVP_PKEY *k, const char *name, bool priv)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(priv ? PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL)
	                      : PEM_write_PUBKEY(f, k),
	                 1);
	fclose(f);
}

static void make_pair(const char *prefix)
{
	char pub[64], priv[64];
	EVP_PKEY *k = EVP_RSA_gen(2048);
	assert_non_null(k);
	snprintf(pub, sizeof pub, "%s-public.pem", prefix);
	snprintf(priv, sizeof priv, "%s-private.pem", prefix);
	write_key(k, pub, false);
	write_key(k, priv, true);
	EVP_PKEY_free(k);
}

static void load(struct bm_jwt_keys *k, const char *prefix)
{
	char err[128];
	snprintf(cfg.jwt_public_key_file, sizeof cfg.jwt_public_key_file, "%s/%s-public.pem", dir,
	         prefix);
	snprintf(cfg.jwt_private_key_file, sizeof cfg.jwt_private_key_file, "%s/%s-private.pem",
	         dir, prefix);
	assert_int_equal(bm_jwt_keys_load(&cfg, true, k, err, sizeof err), BM_OK);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	make_pair("a");
	make_pair("b");
	load(&keys, "a");
	load(&other, "b");
	now = time(NULL);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;
	bm_jwt_keys_free(&keys);
	bm_jwt_keys_free(&other);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd);
}

static struct bm_principal alice(void)
{
	struct bm_principal p = {.roles = BM_ROLE_OPERATOR | BM_ROLE_ADMIN};
	strcpy(p.sub, "merkez.operator");
	strcpy(p.inst, "BIMER");
	strcpy(p.jti, "jti-1");
	strcpy(p.sid, "sid-1");
	return p;
}

/* A token with arbitrary claims and header, signed as told (key NULL = alg none). */
static char *forge(const char *claims, jwt_alg_t alg, const unsigned char *key, size_t len,
                   const char *kid)
{
	jwt_t *j = NULL;
	assert_int_equal(jwt_new(&j), 0);
	assert_int_equal(jwt_add_grants_json(j, claims), 0);
	if (kid)
		jwt_add_header(j, "kid", kid);
	assert_int_equal(jwt_set_alg(j, alg, key, (int)len), 0);
	char *t = jwt_encode_str(j);
	jwt_free(j);
	assert_non_null(t);
	return t;
}

static char *claims(long exp_delta, const char *iss, const char *aud, const char *extra)
{
	static char buf[512];
	snprintf(buf, sizeof buf,
	         "{\"iss\":\"%s\",\"aud\":\"%s\",\"sub\":\"merkez.operator\",\"inst\":\"BIMER\","
	         "\"jti\":\"j\",\"roles\":[\"operator\"],\"iat\":%ld,\"exp\":%ld%s}",
	         iss, aud, (long)now, (long)now + exp_delta, extra ? extra : "");
	return buf;
}

static void expect(const char *token, enum bm_err want)
{
	struct bm_principal p;
	assert_int_equal(bm_jwt_verify(&keys, token, now, &p), want);
}

static void rs(const char *c, enum bm_err want)
{
	char *t = forge(c, JWT_ALG_RS256, keys.priv, keys.priv_len, keys.priv_kid);
	expect(t, want);
	free(t);
}

static void test_valid_round_trip(void **state)
{
	(void)state;
	struct bm_principal in = alice(), out;
	char *t = bm_jwt_issue(&keys, &in, now, 600);
	assert_non_null(t);
	assert_int_equal(bm_jwt_verify(&keys, t, now, &out), BM_OK);
	assert_string_equal(out.sub, "merkez.operator");
	assert_string_equal(out.inst, "BIMER");
	assert_string_equal(out.sid, "sid-1");
	assert_int_equal(out.roles, BM_ROLE_OPERATOR | BM_ROLE_ADMIN);
	assert_int_equal(out.exp, now + 600);
	/* the other key pair does not accept it */
	assert_int_equal(bm_jwt_verify(&other, t, now, &out), BM_E_UNAUTHORIZED);
	free(t);
	assert_null(bm_jwt_issue(&keys, &in, now, 901)); /* at most 15 minutes */
}

static void test_alg_none(void **state)
{
	(void)state;
	char *t =
	    forge(claims(300, "bimer", "bimer-api", NULL), JWT_ALG_NONE, NULL, 0, keys.priv_kid);
	expect(t, BM_E_UNAUTHORIZED);
	free(t);
}

static void test_hs256_with_public_key(void **state)
{
	(void)state;
	/* algorithm confusion: HMAC keyed with the public key's PEM bytes */
	char *t = forge(claims(300, "bimer", "bimer-api", NULL), JWT_ALG_HS256, keys.pub[0].pem,
	                keys.pub[0].len, keys.priv_kid);
	expect(t, BM_E_UNAUTHORIZED);
	free(t);
}

static void test_lowercase_alg(void **state)
{
	(void)state;
	/* craft {"alg":"hs256"} by hand: libjwt would read it case-insensitively */
	char hdr[128], h64[256], p64[512], token[1024];
	const char *payload = claims(300, "bimer", "bimer-api", NULL);
	snprintf(hdr, sizeof hdr, "{\"alg\":\"hs256\",\"typ\":\"JWT\",\"kid\":\"%s\"}",
	         keys.priv_kid);
	bm_b64url((const unsigned char *)hdr, strlen(hdr), h64, sizeof h64);
	bm_b64url((const unsigned char *)payload, strlen(payload), p64, sizeof p64);
	snprintf(token, sizeof token, "%s.%s.AAAA", h64, p64);
	expect(token, BM_E_UNAUTHORIZED);
	snprintf(hdr, sizeof hdr, "{\"alg\":\"rs256\",\"typ\":\"JWT\",\"kid\":\"%s\"}",
	         keys.priv_kid);
	bm_b64url((const unsigned char *)hdr, strlen(hdr), h64, sizeof h64);
	snprintf(token, sizeof token, "%s.%s.AAAA", h64, p64);
	expect(token, BM_E_UNAUTHORIZED);
}

static void test_wrong_key_same_kid(void **state)
{
	(void)state;
	char *t = forge(claims(300, "bimer", "bimer-api", NULL), JWT_ALG_RS256, other.priv,
	                other.priv_len, keys.priv_kid);
	expect(t, BM_E_UNAUTHORIZED);
	free(t);
}

static void test_exp(void **state)
{
	(void)state;
	rs(claims(300, "bimer", "bimer-api", NULL), BM_OK);
	rs(claims(-1, "bimer", "bimer-api", NULL), BM_E_UNAUTHORIZED); /* expired by 1 s */
	rs(claims(0, "bimer", "bimer-api", NULL), BM_E_UNAUTHORIZED);
	rs(claims(3600, "bimer", "bimer-api", NULL), BM_E_UNAUTHORIZED); /* too far ahead */
	rs("{\"iss\":\"bimer\",\"aud\":\"bimer-api\",\"sub\":\"x\",\"inst\":\"BIMER\",\"jti\":"
	   "\"j\","
	   "\"roles\":[\"operator\"],\"iat\":1}",
	   BM_E_UNAUTHORIZED); /* missing */
	char c[512];
	snprintf(c, sizeof c,
	         "{\"iss\":\"bimer\",\"aud\":\"bimer-api\",\"sub\":\"x\",\"inst\":\"BIMER\","
	         "\"jti\":\"j\",\"roles\":[\"operator\"],\"iat\":%ld,\"exp\":\"%ld\"}",
	         (long)now, (long)now + 300);
	rs(c, BM_E_UNAUTHORIZED); /* a string */
}

static void test_iss_aud_nbf_roles(void **state)
{
	(void)state;
	rs(claims(300, "evil", "bimer-api", NULL), BM_E_UNAUTHORIZED);
	rs(claims(300, "bimer", "other-api", NULL), BM_E_UNAUTHORIZED);
	char extra[64];
	snprintf(extra, sizeof extra, ",\"nbf\":%ld", (long)now + 120);
	rs(claims(300, "bimer", "bimer-api", extra), BM_E_UNAUTHORIZED);
	rs("{\"iss\":\"bimer\",\"aud\":\"bimer-api\",\"sub\":\"x\",\"inst\":\"BIMER\",\"jti\":"
	   "\"j\","
	   "\"roles\":[\"superuser\"],\"iat\":1,\"exp\":99999999999}",
	   BM_E_UNAUTHORIZED);
}

/* Agency scopes: names ↔ bits, a round trip through a token, unknown names refused. */
static void test_scopes(void **state)
{
	(void)state;
	unsigned bits = 0;
	char names[256];
	assert_true(bm_scopes_parse("inbox:read  applications:answer", &bits));
	assert_int_equal(bits, BM_SCOPE_INBOX_READ | BM_SCOPE_APPLICATIONS_ANSWER);
	bm_scopes_format(bits, names, sizeof names);
	assert_string_equal(names, "inbox:read applications:answer");
	assert_true(bm_scopes_parse("", &bits));
	assert_int_equal(bits, 0);
	assert_false(bm_scopes_parse("inbox:read inbox:reads", &bits));
	assert_false(bm_scopes_parse("inbox", &bits));
	struct bm_principal in = {.roles = BM_ROLE_AGENCY, .scopes = BM_SCOPE_APPEALS_RESPOND}, out;
	snprintf(in.sub, sizeof in.sub, "saglik-sistemi");
	snprintf(in.inst, sizeof in.inst, "SAGLIK");
	snprintf(in.jti, sizeof in.jti, "j2");
	char *t = bm_jwt_issue(&keys, &in, now, 600);
	assert_non_null(t);
	assert_int_equal(bm_jwt_verify(&keys, t, now, &out), BM_OK);
	assert_int_equal(out.scopes, BM_SCOPE_APPEALS_RESPOND);
	free(t);
	/* a scope claim we do not know, or not a string: the token is refused */
	rs(claims(300, "bimer", "bimer-api", ",\"scope\":\"inbox:read root\""), BM_E_UNAUTHORIZED);
	rs(claims(300, "bimer", "bimer-api", ",\"scope\":[\"inbox:read\"]"), BM_E_UNAUTHORIZED);
	rs(claims(300, "bimer", "bimer-api", ",\"scope\":\"inbox:read\""), BM_OK);
}

static void test_garbage_and_oversized(void **state)
{
	(void)state;
	static const char *const bad[] = {"", "abc", "a.b.c", "..", "eyJ.eyJ.", NULL};
	for (const char *const *b = bad; *b; b++)
		expect(*b, BM_E_UNAUTHORIZED);
	expect(NULL, BM_E_UNAUTHORIZED);
	char *big = malloc(BM_JWT_MAX_LEN + 100);
	memset(big, 'A', BM_JWT_MAX_LEN + 99);
	big[BM_JWT_MAX_LEN + 99] = '\0';
	big[10] = '.';
	big[20] = '.';
	expect(big, BM_E_UNAUTHORIZED);
	free(big);
}

static void test_no_key_refuses_to_load(void **state)
{
	(void)state;
	struct bm_cfg c = {0};
	struct bm_jwt_keys k;
	char err[128];
	assert_int_equal(bm_jwt_keys_load(&c, false, &k, err, sizeof err), BM_E_CONFIG);
	snprintf(c.jwt_public_key_file, sizeof c.jwt_public_key_file, "/dev/null");
	assert_int_equal(bm_jwt_keys_load(&c, false, &k, err, sizeof err), BM_E_CONFIG);
	struct bm_jwt_keys empty = {0};
	struct bm_principal p;
	char *t = forge(claims(300, "bimer", "bimer-api", NULL), JWT_ALG_RS256, keys.priv,
	                keys.priv_len, keys.priv_kid);
	assert_int_equal(bm_jwt_verify(&empty, t, now, &p), BM_E_UNAUTHORIZED);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_round_trip),
	    cmocka_unit_test(test_alg_none),
	    cmocka_unit_test(test_hs256_with_public_key),
	    cmocka_unit_test(test_lowercase_alg),
	    cmocka_unit_test(test_wrong_key_same_kid),
	    cmocka_unit_test(test_exp),
	    cmocka_unit_test(test_iss_aud_nbf_roles),
	    cmocka_unit_test(test_garbage_and_oversized),
	    cmocka_unit_test(test_no_key_refuses_to_load),
	    cmocka_unit_test(test_scopes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
