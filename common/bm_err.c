// SPDX-License-Identifier: MIT
/*
 * bm_err: machine codes of the error enum. The titles, details and HTTP
 * statuses live in bm_problem.c, the one place that renders errors.
 */
#include "bm_err.h"

static const char *const codes[BM_E__COUNT] = {
    [BM_OK] = "OK",
    [BM_E_BAD_REQUEST] = "BAD_REQUEST",
    [BM_E_MALFORMED_JSON] = "MALFORMED_JSON",
    [BM_E_UNAUTHORIZED] = "UNAUTHORIZED",
    [BM_E_FORBIDDEN] = "FORBIDDEN",
    [BM_E_NOT_FOUND] = "NOT_FOUND",
    [BM_E_METHOD] = "METHOD_NOT_ALLOWED",
    [BM_E_CONFLICT] = "CONFLICT",
    [BM_E_TOO_LARGE] = "PAYLOAD_TOO_LARGE",
    [BM_E_MEDIA_TYPE] = "UNSUPPORTED_MEDIA_TYPE",
    [BM_E_VALIDATION] = "VALIDATION_FAILED",
    [BM_E_RATE_LIMITED] = "RATE_LIMITED",
    [BM_E_INTERNAL] = "INTERNAL_ERROR",
    [BM_E_NOMEM] = "INTERNAL_ERROR",
    [BM_E_DB] = "SERVICE_UNAVAILABLE",
    [BM_E_REDIS] = "SERVICE_UNAVAILABLE",
    [BM_E_UNAVAILABLE] = "SERVICE_UNAVAILABLE",
    [BM_E_CONFIG] = "INTERNAL_ERROR",
};

const char *bm_err_code(enum bm_err e)
{
	if ((unsigned)e >= BM_E__COUNT || !codes[e])
		return "INTERNAL_ERROR";
	return codes[e];
}

int bm_err_is_client(enum bm_err e)
{
	return e >= BM_E_BAD_REQUEST && e <= BM_E_RATE_LIMITED;
}
