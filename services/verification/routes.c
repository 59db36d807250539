// SPDX-License-Identifier: MIT
/*
 * The verification service's routes: citizens' e-mail verification and
 * staff authentication (the only service holding the token signing key).
 */
#include "routes.h"

#include "handlers.h"

const struct bm_route verification_routes[] = {
    {.method = "POST",
     .pattern = "/api/v1/verifications",
     .handler = verifications_verify,
     .body = BM_BODY_JSON,
     .fields = verify_fields,
     .max_body = 4096},
    {.method = "POST",
     .pattern = "/api/v1/verifications/resend",
     .handler = verifications_resend,
     .body = BM_BODY_JSON,
     .fields = resend_fields,
     .max_body = 4096},
    {.method = "GET", .pattern = "/api/v1/verifications/{token}", .handler = verifications_show},
    {.method = "POST",
     .pattern = "/api/v1/auth/login",
     .handler = auth_login,
     .body = BM_BODY_JSON,
     .fields = login_fields,
     .max_body = 4096},
    {.method = "POST",
     .pattern = "/api/v1/auth/refresh",
     .handler = auth_refresh,
     .body = BM_BODY_JSON,
     .fields = refresh_fields,
     .max_body = 4096},
    {.method = "POST",
     .pattern = "/api/v1/auth/logout",
     .handler = auth_logout,
     .body = BM_BODY_JSON,
     .fields = refresh_fields,
     .max_body = 4096},
    {.method = "POST",
     .pattern = "/api/v1/auth/token",
     .handler = auth_token,
     .body = BM_BODY_FORM,
     .fields = token_fields,
     .max_body = 4096},
};
const size_t verification_nroutes = sizeof verification_routes / sizeof verification_routes[0];
