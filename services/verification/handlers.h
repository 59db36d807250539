// SPDX-License-Identifier: MIT
/* The verification service's handlers, one function per OpenAPI operation. */
#ifndef VERIFICATION_HANDLERS_H
#define VERIFICATION_HANDLERS_H

#include "bm_json.h"

struct bm_req;

extern const struct bm_field verify_fields[];
extern const struct bm_field resend_fields[];
extern const struct bm_field login_fields[];
extern const struct bm_field refresh_fields[];
extern const struct bm_field token_fields[];

/* POST /api/v1/auth/token (form, client credentials) — 200, 401, 415, 422, 429, 503. */
void auth_token(struct bm_req *req);

/* POST /api/v1/auth/login — 200, 401 (one answer for unknown user and wrong password), 422, 429,
 * 503. */
void auth_login(struct bm_req *req);

/* POST /api/v1/auth/refresh — 200, 401 (unknown, used or revoked), 422, 503. */
void auth_refresh(struct bm_req *req);

/* POST /api/v1/auth/logout — 204, 422, 503. */
void auth_logout(struct bm_req *req);

/* POST /api/v1/verifications — 200, 404 (unknown), 409 (used, or the application closed), 422
 * (expired), 503. */
void verifications_verify(struct bm_req *req);

/* GET /api/v1/verifications/{token} — 200, 404 (unknown, used or expired alike), 503. */
void verifications_show(struct bm_req *req);

/* POST /api/v1/verifications/resend — 202 whatever matched, 422, 429, 503. */
void verifications_resend(struct bm_req *req);

#endif
