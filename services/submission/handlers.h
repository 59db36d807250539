// SPDX-License-Identifier: MIT
/* The submission service's handlers, one function per OpenAPI operation. */
#ifndef SUBMISSION_HANDLERS_H
#define SUBMISSION_HANDLERS_H

#include "bm_json.h"

struct bm_req;

extern const struct bm_field application_fields[];
extern const struct bm_field cancel_fields[];
extern const struct bm_field staff_application_fields[];

/* POST /api/v1/staff/applications (operators) — 201, 401, 403, 422, 503. */
void staff_applications_create(struct bm_req *req);

/* POST /api/v1/applications — 202, 400, 413, 415, 422, 429, 503. */
void applications_create(struct bm_req *req);

/* POST /api/v1/applications/{no}/cancel — 200, 404, 409, 422, 429, 503. */
void applications_cancel(struct bm_req *req);

#endif
