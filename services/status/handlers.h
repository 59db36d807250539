// SPDX-License-Identifier: MIT
/* The status service's handlers, one function per OpenAPI operation. */
#ifndef STATUS_HANDLERS_H
#define STATUS_HANDLERS_H

struct bm_req;

/* POST /api/v1/status — 200, 400, 404 (no match), 413, 415, 422, 429, 503. */
void status_by_number(struct bm_req *req);

/* GET /api/v1/status/{tracking_code} — 200, 404 (no match), 429, 503. */
void status_by_tracking_code(struct bm_req *req);

#endif
