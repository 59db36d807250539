// SPDX-License-Identifier: MIT
/*
 * The appeal service's routes (issue 5): the citizen's appeal, the paper
 * appeal an operator keys in, and BEDK's side — the list, one appeal, the
 * information request to an institution and its answer, the decision. The
 * roles on each line are the first gate (401 without a valid token, 403 for
 * a role that never may); the handlers then decide on the record itself.
 * The literal /api/v1/appeals/staff comes before the {id} patterns.
 */
#include "routes.h"

#include "bm_auth.h"
#include "bm_json.h"
#include "handlers.h"

/* Who works BEDK's files. */
#define BEDK BM_ROLE_BEDK
/* Who may see an appeal: BEDK, and the institution BEDK asked (its users and its own system). */
#define READERS (BM_ROLE_BEDK | BM_ROLE_INSTITUTION_USER | BM_ROLE_AGENCY)
/* Who answers BEDK's information requests: the institution asked. */
#define RESPONDERS (BM_ROLE_INSTITUTION_USER | BM_ROLE_AGENCY)
/* Who keys in a paper appeal: BİMER operators (desks take paper), BEDK's own staff. */
#define KEYERS (BM_ROLE_OPERATOR | BM_ROLE_BEDK)

const struct bm_route appeal_routes[] = {
    {.method = "POST",
     .pattern = "/api/v1/appeals",
     .handler = appeals_create,
     .body = BM_BODY_JSON,
     .fields = appeal_create_fields,
     .max_body = 128 * 1024},
    {.method = "GET",
     .pattern = "/api/v1/appeals",
     .handler = appeals_list,
     .query = appeal_list_query,
     .roles = READERS,
     .scope = BM_SCOPE_APPEALS_RESPOND},
    {.method = "POST",
     .pattern = "/api/v1/appeals/staff",
     .handler = appeals_create_staff,
     .body = BM_BODY_JSON,
     .fields = staff_appeal_create_fields,
     .max_body = 128 * 1024,
     .roles = KEYERS},
    {.method = "GET",
     .pattern = "/api/v1/appeals/{id}",
     .handler = appeals_get,
     .roles = READERS,
     .scope = BM_SCOPE_APPEALS_RESPOND},
    {.method = "POST",
     .pattern = "/api/v1/appeals/{id}/information-request",
     .handler = appeals_information_request,
     .body = BM_BODY_JSON,
     .fields = information_request_fields,
     .max_body = 128 * 1024,
     .roles = BEDK},
    {.method = "POST",
     .pattern = "/api/v1/appeals/{id}/information-response",
     .handler = appeals_information_response,
     .body = BM_BODY_JSON,
     .fields = information_response_fields,
     .max_body = 128 * 1024,
     .roles = RESPONDERS,
     .scope = BM_SCOPE_APPEALS_RESPOND},
    {.method = "POST",
     .pattern = "/api/v1/appeals/{id}/decision",
     .handler = appeals_decide,
     .body = BM_BODY_JSON,
     .fields = decision_fields,
     .max_body = 128 * 1024,
     .roles = BEDK},
};
const size_t appeal_nroutes = sizeof appeal_routes / sizeof appeal_routes[0];
