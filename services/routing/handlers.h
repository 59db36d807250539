// SPDX-License-Identifier: MIT
/* The routing service's handlers, one function per OpenAPI operation. */
#ifndef ROUTING_HANDLERS_H
#define ROUTING_HANDLERS_H

#include "bm_json.h"

struct bm_req;

extern const struct bm_field route_fields[];
extern const struct bm_field answer_fields[];
extern const struct bm_field extend_fields[];
extern const struct bm_field report_query[];

/* GET /api/v1/institutions — 200, 422 (bad filter), 503. */
void institutions_list(struct bm_req *req);

/* GET /api/v1/inbox — 200, 401, 403 (role or inactive institution), 422 (filter, cursor), 503. */
void inbox_list(struct bm_req *req);

/* GET /api/v1/applications/{no} — 200, 401, 403, 404 (missing or out of reach), 503. */
void applications_get(struct bm_req *req);

/* POST /api/v1/applications/{no}/route — 200, 401, 403, 404, 409 (closed, lost race), 422, 503. */
void applications_route(struct bm_req *req);

/* POST /api/v1/applications/{no}/answer — 200, 401, 403 (not the holder), 404, 409, 422, 503. */
void applications_answer(struct bm_req *req);

/* POST /api/v1/applications/{no}/extend — 200, 401, 403, 404, 409 (closed, once, too late),
 * 422 (not an information request), 503. */
void applications_extend(struct bm_req *req);

/* GET /api/v1/reports/monthly — 200 (json, csv, html), 401, 403 (no reporting role), 404 (scope
 * unknown or out of reach), 422 (month, scope, format), 503. */
void reports_monthly(struct bm_req *req);

#endif
