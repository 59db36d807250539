// SPDX-License-Identifier: MIT
/*
 * bm_req: the request object and the response writers.
 *
 * One struct bm_req lives for one FastCGI request and owns everything the
 * request made (body, parsed JSON, validation errors); bm_srv frees it once
 * per loop. Handlers answer through exactly one bm_reply_* call; the
 * problem+json renderer (bm_problem.c) is the only place that turns an
 * enum bm_err into an HTTP status.
 */
#ifndef BM_REQ_H
#define BM_REQ_H

#include <fcgiapp.h>
#include <jansson.h>
#include <stdbool.h>
#include <time.h>

#include "bm_auth.h"
#include "bm_cache.h"
#include "bm_cfg.h"
#include "bm_err.h"
#include "bm_json.h"
#include "bm_route.h"

struct bm_db;
struct bm_redis;
struct bm_metrics;
struct bm_cal;

/* What one worker thread owns: its connections and the shared, read-only config. */
struct bm_ctx {
	const struct bm_cfg *cfg;
	struct bm_db *db;
	struct bm_redis *redis;
	struct bm_metrics *metrics;
	int thread_no;
	const struct bm_jwt_keys *jwt; /* token keys (NULL when the service has no auth routes) */
	struct bm_cal *cal;            /* holiday calendar, reloaded by bm_deadline when stale */
	time_t cal_loaded;
};

struct bm_req {
	FCGX_Request *fx;
	struct bm_ctx *ctx;
	const char *method;
	const char *path;         /* normalised by nginx, without the query */
	const char *query;        /* raw query string, "" when none */
	const char *content_type; /* NULL when absent */
	const char *req_id;       /* nginx's $request_id, "" when absent */
	const char *remote_addr;
	enum bm_lang lang;
	struct bm_route_match match;
	char *body; /* NUL-terminated copy, body_len bytes */
	size_t body_len;
	json_t *json;            /* parsed body for BM_BODY_JSON and BM_BODY_FORM routes */
	json_t *qs;              /* parsed, validated query parameters (always an object) */
	struct bm_principal who; /* the caller, on routes with roles (after the auth guard) */
	struct bm_verrs errs;    /* validation errors collected so far */
	int status;              /* status sent, 0 before the reply */
	enum bm_err err;         /* the error answered, BM_OK if none (metrics) */
	struct timespec t0;
};

/* A FastCGI parameter (HTTP headers are HTTP_*); NULL when absent. */
const char *bm_req_env(const struct bm_req *req, const char *name);

/* A path parameter from the route pattern; NULL when the route has none by that name. */
const char *bm_req_param(const struct bm_req *req, const char *name);

/*
 * "Now" for this request. Normally the system clock; on a test stack
 * (BIMER_TEST_CLOCK=1) an `X-Test-Now: 2026-03-18T10:00:00+03:00` header
 * moves it, so deadline rules are tested on chosen dates without sleeping.
 */
time_t bm_req_now(const struct bm_req *req);

/*
 * Rate limits of a request (bm_rl_all). Over a limit → 429 with
 * Retry-After, answered, true. When Redis cannot be asked: a write that
 * needs the limit for safety (fail_closed) answers 503; a public read
 * counts against the per-process fallback instead and goes on.
 */
bool bm_limit_or_reply(struct bm_req *req, enum bm_rl_mode mode, const struct bm_rl_key *keys,
                       size_t n, bool fail_closed);

/* "rl:<what>:ip:<client address>" and "rl:<what>:id:<hex of the first 16 bytes of an HMAC>". */
void bm_limit_key_ip(const struct bm_req *req, const char *what, char *out, size_t cap);
void bm_limit_key_hash(const char *what, const unsigned char *hash, char *out, size_t cap);

/* Choose the response language from Accept-Language: English only when the first tag is en*. */
enum bm_lang bm_lang_from_header(const char *accept_language);

/*
 * Send status with a JSON body. Takes ownership of body (decref'd here).
 * extra_headers is NULL or CRLF-terminated header lines.
 */
void bm_reply_json(struct bm_req *req, int status, json_t *body, const char *extra_headers);

/* Send status with an arbitrary body of the given media type. */
void bm_reply_raw(struct bm_req *req, int status, const char *content_type,
                  const char *extra_headers, const char *data, size_t len);

/*
 * Send the problem+json for e (see bm_problem.c). detail NULL = the
 * default text of e in the request's language. Validation errors collected
 * in req->errs go out as errors[]. code overrides the top-level code for
 * domain errors (e.g. "IDEMPOTENCY_KEY_REUSED"); NULL = the code of e.
 */
void bm_reply_problem(struct bm_req *req, enum bm_err e, const char *code, const char *detail);

/* Shorthand: problem for e with its default code and detail. */
void bm_reply_error(struct bm_req *req, enum bm_err e);

/* 429 with Retry-After: seconds. */
void bm_reply_rate_limited(struct bm_req *req, long retry_after);

/* The HTTP status bm_reply_problem uses for e (the one mapping). */
int bm_problem_status(enum bm_err e);

#endif
