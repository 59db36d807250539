// SPDX-License-Identifier: MIT
/*
 * The routing service's routes: the institution tree (public), and for
 * staff and agency systems the inbox, the application record, routing and
 * forwarding, answers and extensions. The roles on each line are the first
 * gate (401 without a valid token, 403 for a role that never may); the
 * handlers then decide on the record itself (reach.h).
 */
#include "routes.h"

#include "bm_auth.h"
#include "bm_json.h"
#include "admin.h"
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

static const char *const statuses[] = {
    "awaiting_verification", "received", "in_progress", "answered", "not_processed", "cancelled",
    "deemed_rejected",       "expired",  NULL};

static const char *const booleans[] = {"true", "false", NULL};

static const struct bm_field institutions_query[] = {
    {.name = "q", .type = BM_FT_STRING, .min = 1, .max = 100},
    {.name = "kind", .type = BM_FT_STRING, .min = 1, .max = 32, .enumv = institution_kinds},
    {.name = "parent", .type = BM_FT_STRING, .min = 1, .max = 64, .pattern = "[A-Z0-9-]+"},
    {0}};

static const struct bm_field inbox_query[] = {
    {.name = "status", .type = BM_FT_STRING, .min = 1, .max = 32, .enumv = statuses},
    {.name = "overdue", .type = BM_FT_STRING, .min = 1, .max = 5, .enumv = booleans},
    {.name = "cursor", .type = BM_FT_STRING, .min = 1, .max = 512, .pattern = "[A-Za-z0-9_-]+"},
    {.name = "limit", .type = BM_FT_STRING, .min = 1, .max = 3, .pattern = "[1-9][0-9]?|100"},
    {0}};

/* Who may look: everyone who works applications (not BEDK members, whose view is the appeal). */
#define READERS (BM_ROLE_OPERATOR | BM_ROLE_INSTITUTION_USER | BM_ROLE_COORDINATOR | BM_ROLE_AGENCY)
/* Who may route: operators, and holding institutions forwarding down their tree. */
#define ROUTERS (BM_ROLE_OPERATOR | BM_ROLE_INSTITUTION_USER | BM_ROLE_AGENCY)
/* Who may answer and extend: the holding institution's users and its own system. */
#define HOLDERS (BM_ROLE_INSTITUTION_USER | BM_ROLE_AGENCY)
/* Who may read monthly reports: the centre's staff, and coordinators (reports.c: which scope). */
#define REPORTERS (BM_ROLE_OPERATOR | BM_ROLE_ADMIN | BM_ROLE_COORDINATOR)

const struct bm_route routing_routes[] = {
    {.method = "GET",
     .pattern = "/api/v1/institutions",
     .handler = institutions_list,
     .query = institutions_query},
    {.method = "GET",
     .pattern = "/api/v1/reports/monthly",
     .handler = reports_monthly,
     .query = report_query,
     .roles = REPORTERS},
    {.method = "GET",
     .pattern = "/api/v1/inbox",
     .handler = inbox_list,
     .query = inbox_query,
     .roles = READERS},
    {.method = "GET",
     .pattern = "/api/v1/applications/{no}",
     .handler = applications_get,
     .roles = READERS},
    {.method = "POST",
     .pattern = "/api/v1/applications/{no}/route",
     .handler = applications_route,
     .body = BM_BODY_JSON,
     .fields = route_fields,
     .max_body = 16 * 1024,
     .roles = ROUTERS},
    {.method = "POST",
     .pattern = "/api/v1/applications/{no}/answer",
     .handler = applications_answer,
     .body = BM_BODY_JSON,
     .fields = answer_fields,
     .max_body = 128 * 1024,
     .roles = HOLDERS},
    {.method = "POST",
     .pattern = "/api/v1/applications/{no}/extend",
     .handler = applications_extend,
     .body = BM_BODY_JSON,
     .fields = extend_fields,
     .max_body = 128 * 1024,
     .roles = HOLDERS},    /* administrators (admin.h): users, institutions, holidays, agency clients */
    {.method = "GET",
     .pattern = "/api/v1/admin/users",
     .handler = admin_users_list,
     .query = admin_users_query,
     .roles = BM_ROLE_ADMIN},
    {.method = "POST",
     .pattern = "/api/v1/admin/users",
     .handler = admin_users_create,
     .body = BM_BODY_JSON,
     .fields = admin_user_create_fields,
     .max_body = ADM_MAX_BODY,
     .roles = BM_ROLE_ADMIN},
    {.method = "GET",
     .pattern = "/api/v1/admin/users/{username}",
     .handler = admin_users_get,
     .roles = BM_ROLE_ADMIN},
    {.method = "PATCH",
     .pattern = "/api/v1/admin/users/{username}",
     .handler = admin_users_update,
     .body = BM_BODY_JSON,
     .fields = admin_user_update_fields,
     .max_body = ADM_MAX_BODY,
     .roles = BM_ROLE_ADMIN},
    {.method = "DELETE",
     .pattern = "/api/v1/admin/users/{username}",
     .handler = admin_users_deactivate,
     .roles = BM_ROLE_ADMIN},
    {.method = "GET",
     .pattern = "/api/v1/admin/institutions",
     .handler = admin_institutions_list,
     .query = admin_institutions_query,
     .roles = BM_ROLE_ADMIN},
    {.method = "POST",
     .pattern = "/api/v1/admin/institutions",
     .handler = admin_institutions_create,
     .body = BM_BODY_JSON,
     .fields = admin_institution_create_fields,
     .max_body = ADM_MAX_BODY,
     .roles = BM_ROLE_ADMIN},
    {.method = "GET",
     .pattern = "/api/v1/admin/institutions/{code}",
     .handler = admin_institutions_get,
     .roles = BM_ROLE_ADMIN},
    {.method = "PATCH",
     .pattern = "/api/v1/admin/institutions/{code}",
     .handler = admin_institutions_update,
     .body = BM_BODY_JSON,
     .fields = admin_institution_update_fields,
     .max_body = ADM_MAX_BODY,
     .roles = BM_ROLE_ADMIN},
    {.method = "DELETE",
     .pattern = "/api/v1/admin/institutions/{code}",
     .handler = admin_institutions_deactivate,
     .roles = BM_ROLE_ADMIN},
    {.method = "GET",
     .pattern = "/api/v1/admin/holidays",
     .handler = admin_holidays_list,
     .query = admin_holidays_query,
     .roles = BM_ROLE_ADMIN},
    {.method = "POST",
     .pattern = "/api/v1/admin/holidays",
     .handler = admin_holidays_create,
     .body = BM_BODY_JSON,
     .fields = admin_holiday_create_fields,
     .max_body = ADM_MAX_BODY,
     .roles = BM_ROLE_ADMIN},
    {.method = "PATCH",
     .pattern = "/api/v1/admin/holidays/{date}",
     .handler = admin_holidays_update,
     .body = BM_BODY_JSON,
     .fields = admin_holiday_update_fields,
     .max_body = ADM_MAX_BODY,
     .roles = BM_ROLE_ADMIN},
    {.method = "DELETE",
     .pattern = "/api/v1/admin/holidays/{date}",
     .handler = admin_holidays_delete,
     .roles = BM_ROLE_ADMIN},
    {.method = "GET",
     .pattern = "/api/v1/admin/agency-clients",
     .handler = admin_clients_list,
     .query = admin_clients_query,
     .roles = BM_ROLE_ADMIN},
    {.method = "POST",
     .pattern = "/api/v1/admin/agency-clients",
     .handler = admin_clients_create,
     .body = BM_BODY_JSON,
     .fields = admin_client_create_fields,
     .max_body = ADM_MAX_BODY,
     .roles = BM_ROLE_ADMIN},
    {.method = "GET",
     .pattern = "/api/v1/admin/agency-clients/{client_id}",
     .handler = admin_clients_get,
     .roles = BM_ROLE_ADMIN},
    {.method = "PATCH",
     .pattern = "/api/v1/admin/agency-clients/{client_id}",
     .handler = admin_clients_update,
     .body = BM_BODY_JSON,
     .fields = admin_client_update_fields,
     .max_body = ADM_MAX_BODY,
     .roles = BM_ROLE_ADMIN},
    {.method = "DELETE",
     .pattern = "/api/v1/admin/agency-clients/{client_id}",
     .handler = admin_clients_revoke,
     .roles = BM_ROLE_ADMIN},
    {.method = "POST",
     .pattern = "/api/v1/admin/agency-clients/{client_id}/secret",
     .handler = admin_clients_rotate_secret,
     .roles = BM_ROLE_ADMIN},
};
const size_t routing_nroutes = sizeof routing_routes / sizeof routing_routes[0];
