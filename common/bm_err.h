// SPDX-License-Identifier: MIT
/*
 * bm_err: the one error vocabulary of libbm.
 *
 * Every function in common/ reports failure as an enum bm_err; nothing in
 * common/ speaks HTTP except bm_problem.c, which is the single place that
 * maps these values to statuses and problem+json bodies. Client faults and
 * our own faults are kept apart so a driver message never reaches a client.
 */
#ifndef BM_ERR_H
#define BM_ERR_H

enum bm_err {
	BM_OK = 0,
	/* the client's fault */
	BM_E_BAD_REQUEST,    /* malformed request line, params or length */
	BM_E_MALFORMED_JSON, /* body is not JSON we accept (syntax, depth) */
	BM_E_UNAUTHORIZED,   /* missing or bad credentials */
	BM_E_FORBIDDEN,      /* authenticated but not allowed */
	BM_E_NOT_FOUND,      /* no such route or record (or out of reach) */
	BM_E_METHOD,         /* route exists, method does not */
	BM_E_CONFLICT,       /* state forbids the action */
	BM_E_TOO_LARGE,      /* body over the cap */
	BM_E_MEDIA_TYPE,     /* wrong Content-Type */
	BM_E_VALIDATION,     /* well-formed body breaking a rule */
	BM_E_RATE_LIMITED,   /* too many requests */
	/* our fault or a dependency's */
	BM_E_INTERNAL,
	BM_E_NOMEM,
	BM_E_DB,          /* MariaDB error or lost connection */
	BM_E_REDIS,       /* Redis error or lost connection */
	BM_E_UNAVAILABLE, /* a dependency is down: try again later */
	BM_E_CONFIG,      /* bad or missing configuration (start-up) */
	BM_E__COUNT
};

/* Stable machine code sent as "code", e.g. "MALFORMED_JSON". Never NULL. */
const char *bm_err_code(enum bm_err e);

/* Whether the error is the client's fault (4xx) rather than ours. */
int bm_err_is_client(enum bm_err e);

#endif
