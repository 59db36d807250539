// SPDX-License-Identifier: MIT
/*
 * The status service's routes: the public status look-up, by ID number and
 * application number or by the secret tracking code.
 */
#include "routes.h"

#include "bm_json.h"
#include "bm_validators.h"
#include "handlers.h"

static const struct bm_field lookup_fields[] = {
    BM_FIELD_TCKN(BM_FF_REQUIRED), BM_FIELD_APPLICATION_NO(BM_FF_REQUIRED), {0}};

const struct bm_route status_routes[] = {
    {.method = "POST",
     .pattern = "/api/v1/status",
     .handler = status_by_number,
     .body = BM_BODY_JSON,
     .fields = lookup_fields,
     .max_body = 4096},
    {.method = "GET",
     .pattern = "/api/v1/status/{tracking_code}",
     .handler = status_by_tracking_code},
};
const size_t status_nroutes = sizeof status_routes / sizeof status_routes[0];
