// SPDX-License-Identifier: MIT
/*
 * The appeal service's routes. Its business endpoints (design.md's endpoint
 * table) land with their issues; until then it serves the health check and
 * metrics that libbm adds to every service.
 */
#include "routes.h"

const struct bm_route appeal_routes[] = {{0}};
const size_t appeal_nroutes = 0;
