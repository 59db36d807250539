// SPDX-License-Identifier: MIT
/* The routing service's handlers, one function per OpenAPI operation. */
#ifndef ROUTING_HANDLERS_H
#define ROUTING_HANDLERS_H

struct bm_req;

/* GET /api/v1/institutions — 200, 422 (bad filter), 503. */
void institutions_list(struct bm_req *req);

#endif
