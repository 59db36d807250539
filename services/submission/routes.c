// SPDX-License-Identifier: MIT
/*
 * The submission service's routes: citizens' applications, cancellation and
 * attachments.
 */
#include "routes.h"

#include "attachments.h"
#include "bm_auth.h"
#include "bm_json.h"
#include "handlers.h"

const struct bm_route submission_routes[] = {
    {.method = "POST",
     .pattern = "/api/v1/staff/applications",
     .handler = staff_applications_create,
     .body = BM_BODY_JSON,
     .fields = staff_application_fields,
     .max_body = 256 * 1024,
     .roles = BM_ROLE_OPERATOR},
    {.method = "POST",
     .pattern = "/api/v1/applications",
     .handler = applications_create,
     .body = BM_BODY_JSON,
     .fields = application_fields,
     .max_body = 256 * 1024},
    {.method = "POST",
     .pattern = "/api/v1/applications/{no}/cancel",
     .handler = applications_cancel,
     .body = BM_BODY_JSON,
     .fields = cancel_fields,
     .max_body = 16 * 1024},
    {.method = "POST",
     .pattern = "/api/v1/attachments",
     .handler = attachments_create,
     .body = BM_BODY_RAW,
     .max_body = 10 * 1024 * 1024},
};
const size_t submission_nroutes = sizeof submission_routes / sizeof submission_routes[0];
