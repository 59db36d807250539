// SPDX-License-Identifier: MIT
/*
 * bm_auth: access tokens (JWT, RS256) for staff and agency systems.
 *
 * libjwt 1.10 takes the algorithm from the token itself and verifies
 * nothing with an empty key (security.md). So this module refuses to load
 * without a key, reads the token's header itself and requires alg to be
 * exactly "RS256" with a kid it knows before libjwt sees the token, checks
 * jwt_get_alg() again afterwards, and checks every claim itself: exp
 * (present, an integer, in the future, at most 15 minutes ahead), nbf and
 * iat (not in the future beyond 60 s of skew), iss, aud, sub, inst, roles
 * and jti. Revocation (logout) lives in Redis and is checked by the guard
 * chain (bm_srv.c), not here, so this module stays pure and unit-tested.
 *
 * Two public keys may be valid at once (kid), for rotation; only the
 * verification service holds the private key.
 */
#ifndef BM_AUTH_H
#define BM_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "bm_cfg.h"
#include "bm_err.h"

#define BM_JWT_ISS     "bimer"
#define BM_JWT_AUD     "bimer-api"
#define BM_JWT_MAX_TTL 900 /* 15 minutes */
#define BM_JWT_SKEW    60
#define BM_JWT_MAX_LEN 4096

enum bm_role {
	BM_ROLE_OPERATOR = 1 << 0,         /* centre or governorship desk */
	BM_ROLE_INSTITUTION_USER = 1 << 1, /* answers for its institution */
	BM_ROLE_COORDINATOR = 1 << 2,      /* follows its subtree, reads reports */
	BM_ROLE_BEDK = 1 << 3,             /* BEDK member */
	BM_ROLE_ADMIN = 1 << 4,            /* users, institutions, holidays, clients */
	BM_ROLE_AGENCY = 1 << 5,           /* an institution's own system (client credentials) */
};

/*
 * OAuth2 scopes of agency tokens: what an institution's own system may do.
 * A route open to agencies names the one it needs (bm_route.scope); an
 * agency token without it is refused there (403). Staff tokens carry none:
 * their roles decide.
 */
enum bm_scope {
	BM_SCOPE_INBOX_READ = 1 << 0,          /* inbox:read */
	BM_SCOPE_APPLICATIONS_READ = 1 << 1,   /* applications:read */
	BM_SCOPE_APPLICATIONS_ROUTE = 1 << 2,  /* applications:route */
	BM_SCOPE_APPLICATIONS_ANSWER = 1 << 3, /* applications:answer */
	BM_SCOPE_APPEALS_RESPOND = 1 << 4,     /* appeals:respond */
	BM_SCOPE_REPORTS_READ = 1 << 5,        /* reports:read */
};

/* Space-separated scope names → bits; false when a name is unknown (or too long). */
bool bm_scopes_parse(const char *names, unsigned *bits);

/* Bits → space-separated names into out (cap ≥ 128 holds them all); "" for none. */
void bm_scopes_format(unsigned bits, char *out, size_t cap);

struct bm_principal {
	char sub[65];  /* user name or agency client id */
	char inst[65]; /* institution code */
	char jti[48];
	char sid[48];    /* session id (staff); "" for agency tokens */
	unsigned roles;  /* enum bm_role bits */
	unsigned scopes; /* enum bm_scope bits (agency tokens) */
	long long uid;   /* users.id of a staff user; 0 for agency systems */
	time_t exp;
};

#define BM_JWT_KEYS 2

struct bm_jwt_keys {
	size_t npub;
	struct {
		char kid[24];
		unsigned char *pem;
		size_t len;
	} pub[BM_JWT_KEYS];
	char priv_kid[24];
	unsigned char *priv; /* NULL unless the service signs */
	size_t priv_len;
};

/*
 * Load the public key (BIMER_JWT_PUBLIC_KEY_FILE, and the optional
 * BIMER_JWT_PREVIOUS_PUBLIC_KEY_FILE) and, when signing, the private key.
 * Every key must be a non-empty PEM file. Free with bm_jwt_keys_free.
 */
enum bm_err bm_jwt_keys_load(const struct bm_cfg *cfg, bool signing, struct bm_jwt_keys *out,
                             char *err, size_t errlen);
void bm_jwt_keys_free(struct bm_jwt_keys *keys);

/* Verify a token at time now; fills out. Any flaw is BM_E_UNAUTHORIZED. */
enum bm_err bm_jwt_verify(const struct bm_jwt_keys *keys, const char *token, time_t now,
                          struct bm_principal *out);

/* Issue a token for p valid ttl seconds from now (ttl ≤ 15 min). Caller frees. NULL on failure. */
char *bm_jwt_issue(const struct bm_jwt_keys *keys, const struct bm_principal *p, time_t now,
                   int ttl);

/* Role names ("operator", ...) ↔ bits. */
unsigned bm_role_from_name(const char *name);
const char *bm_role_name(unsigned role);

#endif
