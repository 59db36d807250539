// SPDX-License-Identifier: MIT
/*
 * The routing service's routes: the institution tree today; the inbox,
 * routing, answers and reports land with their issues.
 */
#include "routes.h"

#include "bm_json.h"
#include "handlers.h"

static const char *const institution_kinds[] = {"centre",
                                                "ministry",
                                                "general_directorate",
                                                "department",
                                                "governorship",
                                                "district_governorship",
                                                "provincial_directorate",
                                                "regional_directorate",
                                                "ethics_board",
                                                "bedk",
                                                NULL};

static const struct bm_field institutions_query[] = {
    {.name = "q", .type = BM_FT_STRING, .min = 1, .max = 100},
    {.name = "kind", .type = BM_FT_STRING, .min = 1, .max = 32, .enumv = institution_kinds},
    {.name = "parent", .type = BM_FT_STRING, .min = 1, .max = 64, .pattern = "[A-Z0-9-]+"},
    {0}};

const struct bm_route routing_routes[] = {
    {.method = "GET",
     .pattern = "/api/v1/institutions",
     .handler = institutions_list,
     .query = institutions_query},
};
const size_t routing_nroutes = sizeof routing_routes / sizeof routing_routes[0];
