// SPDX-License-Identifier: MIT
/*
 * bm_route: the route table of a service and the matcher.
 *
 * A service is a table of lines: method, path pattern with {params}, the
 * kind of body it takes, the field table that body must satisfy, and the
 * handler. The server's guard chain (bm_srv.c) matches the route, gates
 * the Content-Type, reads and parses the body and validates it against the
 * table before the handler runs, so a handler only ever sees a request
 * that passed every declarative check.
 */
#ifndef BM_ROUTE_H
#define BM_ROUTE_H

#include <stddef.h>

#include "bm_err.h"

struct bm_req;
struct bm_field;

typedef void (*bm_handler)(struct bm_req *req);

enum bm_body {
	BM_BODY_NONE = 0, /* no body expected; one that is sent is ignored */
	BM_BODY_JSON,     /* application/json, parsed and validated */
	BM_BODY_RAW,      /* any body up to the route's cap (attachments) */
	BM_BODY_FORM,     /* application/x-www-form-urlencoded (OAuth2) */
};

struct bm_route {
	const char *method;  /* "GET", "POST", ... */
	const char *pattern; /* "/api/v1/status/{tracking_code}" */
	bm_handler handler;
	enum bm_body body;
	const struct bm_field *fields; /* for BM_BODY_JSON; NULL = object of any shape */
	size_t max_body;               /* 0 = the service default (BIMER_MAX_BODY) */
	const struct bm_field *query;  /* query parameters allowed; NULL = none accepted */
	unsigned roles;                /* 0 = public; else a bearer token with one of these roles */
	unsigned scope; /* with BM_ROLE_AGENCY in roles: the enum bm_scope an agency token needs */
};

#define BM_ROUTE_PARAMS    4
#define BM_ROUTE_PARAM_LEN 128

struct bm_route_param {
	char name[32];
	char value[BM_ROUTE_PARAM_LEN + 1];
};

struct bm_route_match {
	const struct bm_route *route;
	size_t nparams;
	struct bm_route_param params[BM_ROUTE_PARAMS];
	char allow[64]; /* "GET, POST" when the path matched but not the method */
};

/*
 * Find the route for method and path. BM_OK with m->route set; BM_E_METHOD
 * when the path exists under other methods (m->allow lists them);
 * BM_E_NOT_FOUND otherwise. A parameter segment must be 1 to 128 bytes of
 * printable ASCII other than '/', '%' and space. As in OpenAPI, only the
 * most literal patterns that match a path count: "/verifications/resend"
 * is that route's path for every method, never a GET of the {token} one.
 */
enum bm_err bm_route_find(const struct bm_route *tbl, size_t n, const char *method,
                          const char *path, struct bm_route_match *m);

#endif
