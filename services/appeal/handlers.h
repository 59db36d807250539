// SPDX-License-Identifier: MIT
/* The appeal service's handlers, one function per OpenAPI operation. */
#ifndef APPEAL_HANDLERS_H
#define APPEAL_HANDLERS_H

#include "bm_json.h"

struct bm_req;

extern const struct bm_field appeal_create_fields[];
extern const struct bm_field staff_appeal_create_fields[];
extern const struct bm_field appeal_list_query[];
extern const struct bm_field information_request_fields[];
extern const struct bm_field information_response_fields[];
extern const struct bm_field decision_fields[];

/*
 * POST /api/v1/appeals (citizen) — 201; 400, 413, 415 (guard chain); 404 (no
 * application with this number and ID number); 422 (fields, attachments,
 * BEDK_NOT_ELIGIBLE, BEDK_ALREADY_APPEALED, BEDK_LATE, IDEMPOTENCY_KEY_REUSED);
 * 429 (look-up misses); 503.
 */
void appeals_create(struct bm_req *req);

/*
 * POST /api/v1/appeals/staff (operator or BEDK member keying in a paper
 * appeal) — 201; 401, 403; 404; 422 (as above, plus BEDK_EMAIL_FAX and
 * BEDK_MISSING_COPIES); 503.
 */
void appeals_create_staff(struct bm_req *req);

/* GET /api/v1/appeals (BEDK: all; an institution: those asking it for information) — 200, 401,
 * 403, 422 (filter, cursor), 503. */
void appeals_list(struct bm_req *req);

/* GET /api/v1/appeals/{id} — 200, 401, 403, 404 (missing or out of reach), 503. */
void appeals_get(struct bm_req *req);

/* POST /api/v1/appeals/{id}/information-request (BEDK) — 201, 401, 403, 404, 409 (decided, or
 * a request to that institution still open), 422 (unknown or out-of-scope institution), 503. */
void appeals_information_request(struct bm_req *req);

/* POST /api/v1/appeals/{id}/information-response (the institution asked) — 200, 401, 403, 404
 * (no request to the caller's institution), 409 (already answered), 422 (attachments), 503. */
void appeals_information_response(struct bm_req *req);

/* POST /api/v1/appeals/{id}/decision (BEDK) — 200, 401, 403, 404, 409 (already decided), 503. */
void appeals_decide(struct bm_req *req);

#endif
