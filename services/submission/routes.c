// SPDX-License-Identifier: MIT
/*
 * The submission service's routes. Its business endpoints (design.md's endpoint
 * table) land with their issues; until then it serves the health check and
 * metrics that libbm adds to every service.
 */
#include "routes.h"

const struct bm_route submission_routes[] = {{0}};
const size_t submission_nroutes = 0;
