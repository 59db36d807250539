// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for every field table of every service: the route
 * tables of submission, verification, routing, status and appeal, linked
 * as they are, give each route's body fields (JSON or form) and query
 * parameters, with all their validators (ID numbers, e-mail, province and
 * institution codes, dates, enums, patterns, nested objects and arrays).
 * The first input byte picks a table (a route's body, or its query); the
 * rest is parsed as the guard chain parses it (bm_json_parse at the depth
 * limit, or bm_query_parse for forms and queries) and validated against
 * that table.
 *
 * It asserts fuzz.h's invariants of the errors (ok, or at least one error
 * that the problem+json renderer can send: a spec-form code, a message, a
 * field path in UTF-8), and that parsing fails only as the client's fault.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bm_json.h"
#include "bm_query.h"
#include "bm_route.h"
#include "fuzz.h"

extern const struct bm_route submission_routes[], verification_routes[], routing_routes[],
    status_routes[], appeal_routes[];
extern const size_t submission_nroutes, verification_nroutes, routing_nroutes, status_nroutes,
    appeal_nroutes;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One table to fuzz: a route's body (JSON or form) or its query parameters. */
struct target {
	const struct bm_field *fields;
	bool json;
};

static struct target targets[256];
static size_t ntargets;

static void add_routes(const struct bm_route *r, size_t n)
{
	for (size_t i = 0; i < n && ntargets + 2 <= sizeof targets / sizeof *targets; i++) {
		if (r[i].fields && (r[i].body == BM_BODY_JSON || r[i].body == BM_BODY_FORM))
			targets[ntargets++] = (struct target){.fields = r[i].fields,
			                                      .json = r[i].body == BM_BODY_JSON};
		if (r[i].query)
			targets[ntargets++] = (struct target){.fields = r[i].query, .json = false};
	}
}

static void load_targets(void)
{
	add_routes(submission_routes, submission_nroutes);
	add_routes(verification_routes, verification_nroutes);
	add_routes(routing_routes, routing_nroutes);
	add_routes(status_routes, status_nroutes);
	add_routes(appeal_routes, appeal_nroutes);
	FUZZ_ASSERT(ntargets > 20, "the services' field tables are found");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ntargets)
		load_targets();
	if (size < 1)
		return 0;
	const struct target *t = &targets[data[0] % ntargets];
	const char *s = (const char *)data + 1;
	size_t n = size - 1;
	json_t *v = NULL;
	enum bm_err e =
	    t->json ? bm_json_parse(s, n, BM_JSON_MAX_DEPTH, &v) : bm_query_parse(s, n, &v);

	if (e) {
		FUZZ_ASSERT(e == (t->json ? BM_E_MALFORMED_JSON : BM_E_BAD_REQUEST) && !v,
		            "only the client's fault, and no value");
		return 0;
	}
	struct bm_verrs errs = {.lang = n & 1 ? BM_LANG_EN : BM_LANG_TR};
	size_t nerr = bm_json_validate(v, t->fields, &errs);
	fuzz_check_verrs(v, nerr, &errs);
	json_decref(v);
	return 0;
}
