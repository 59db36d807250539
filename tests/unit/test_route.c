// SPDX-License-Identifier: MIT
/*
 * Unit tests of bm_route (matching, params, 404/405 with Allow) and of
 * bm_query (strict query-string decoding).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bm_query.h"
#include "bm_route.h"

static void h(struct bm_req *r)
{
	(void)r;
}
static void h2(struct bm_req *r)
{
	(void)r;
}

static const struct bm_route tbl[] = {
    {"POST", "/api/v1/applications", h},
    {"GET", "/api/v1/applications/{no}", h},
    {"POST", "/api/v1/applications/{no}/cancel", h2},
    {"POST", "/api/v1/verifications/resend", h2},
    {"GET", "/api/v1/verifications/{token}", h},
    {"PUT", "/api/v1/applications/{no}", h},
};
#define N (sizeof tbl / sizeof tbl[0])

static void test_match_and_params(void **state)
{
	(void)state;
	struct bm_route_match m;
	assert_int_equal(bm_route_find(tbl, N, "POST", "/api/v1/applications", &m), BM_OK);
	assert_ptr_equal(m.route, &tbl[0]);
	assert_int_equal(bm_route_find(tbl, N, "POST", "/api/v1/applications/2026-1/cancel", &m),
	                 BM_OK);
	assert_ptr_equal(m.route, &tbl[2]);
	assert_int_equal(m.nparams, 1);
	assert_string_equal(m.params[0].name, "no");
	assert_string_equal(m.params[0].value, "2026-1");
	/* a literal route wins over a parameter one regardless of method lines before it */
	assert_int_equal(bm_route_find(tbl, N, "POST", "/api/v1/verifications/resend", &m), BM_OK);
	assert_ptr_equal(m.route, &tbl[3]);
	assert_int_equal(bm_route_find(tbl, N, "GET", "/api/v1/verifications/abc_-1", &m), BM_OK);
	assert_string_equal(m.params[0].value, "abc_-1");
}

static void test_not_found(void **state)
{
	(void)state;
	struct bm_route_match m;
	static const char *const paths[] = {"/api/v1/applicationsx",
	                                    "/api/v1/applications/",
	                                    "/api/v1/applications//cancel",
	                                    "/api/v1/applications/a/b",
	                                    "/api/v1/applications/a%2Fb",
	                                    "/",
	                                    "",
	                                    "/api/v1/applications/a b",
	                                    NULL};
	for (const char *const *p = paths; *p; p++)
		assert_int_equal(bm_route_find(tbl, N, "GET", *p, &m), BM_E_NOT_FOUND);
	char longp[300] = "/api/v1/applications/";
	memset(longp + strlen(longp), 'a', 129);
	assert_int_equal(bm_route_find(tbl, N, "GET", longp, &m), BM_E_NOT_FOUND);
	assert_int_equal(bm_route_find(tbl, N, NULL, "/api/v1/applications", &m), BM_E_NOT_FOUND);
}

static void test_method_not_allowed(void **state)
{
	(void)state;
	struct bm_route_match m;
	assert_int_equal(bm_route_find(tbl, N, "GET", "/api/v1/applications", &m), BM_E_METHOD);
	assert_string_equal(m.allow, "POST");
	assert_int_equal(bm_route_find(tbl, N, "DELETE", "/api/v1/applications/7", &m),
	                 BM_E_METHOD);
	assert_string_equal(m.allow, "GET, PUT");
	/* a literal path is never a parameter's value, whichever method is asked (OpenAPI) */
	assert_int_equal(bm_route_find(tbl, N, "GET", "/api/v1/verifications/resend", &m),
	                 BM_E_METHOD);
	assert_string_equal(m.allow, "POST");
	assert_null(m.route);
	assert_int_equal(bm_route_find(tbl, N, "DELETE", "/api/v1/verifications/resend", &m),
	                 BM_E_METHOD);
	assert_string_equal(m.allow, "POST");
	/* the shapes compare at the first segment that differs, not by their number of
	 * parameters */
	static const struct bm_route t2[] = {
	    {"GET", "/a/{x}/c", h},
	    {"GET", "/a/b/{y}", h2},
	};
	assert_int_equal(bm_route_find(t2, 2, "GET", "/a/b/c", &m), BM_OK);
	assert_ptr_equal(m.route, &t2[1]);
	assert_string_equal(m.params[0].name, "y");
	assert_int_equal(bm_route_find(t2, 2, "GET", "/a/z/c", &m), BM_OK);
	assert_ptr_equal(m.route, &t2[0]);
}

static void test_query(void **state)
{
	(void)state;
	json_t *o = NULL;
	const char *q = "q=Sa%C4%9Fl%C4%B1k+Bakanl%C4%B1%C4%9F%C4%B1&kind=ministry&empty=";
	assert_int_equal(bm_query_parse(q, strlen(q), &o), BM_OK);
	assert_string_equal(json_string_value(json_object_get(o, "q")), "Sağlık Bakanlığı");
	assert_string_equal(json_string_value(json_object_get(o, "empty")), "");
	assert_int_equal(json_object_size(o), 3);
	json_decref(o);
	assert_int_equal(bm_query_parse("", 0, &o), BM_OK);
	assert_int_equal(json_object_size(o), 0);
	json_decref(o);
	static const char *const bad[] = {"a=%",     "a=%4", "a=%zz", "a=%00",
	                                  "a=1&a=2", "=x",   "a=%ff", NULL};
	for (const char *const *b = bad; *b; b++) {
		assert_int_equal(bm_query_parse(*b, strlen(*b), &o), BM_E_BAD_REQUEST);
		assert_null(o);
	}
	char big[BM_QUERY_MAX + 2];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(bm_query_parse(big, strlen(big), &o), BM_E_BAD_REQUEST);
}

/*
 * Regression (found by tests/fuzz/fuzz_request): a form or query key that decoded to
 * invalid UTF-8 ("%FF=1") was refused by json_object_set_new, which bm_query_parse took
 * for running out of memory: BM_E_NOMEM, a 500 for a client's bad input. It is a bad
 * request, like an invalid value.
 */
static void test_query_bad_utf8_key(void **state)
{
	(void)state;
	json_t *o = NULL;
	static const char *const bad[] = {"%FF=1", "a=1&%C3=2", "\xbf", "k\xc3\x28=v", NULL};
	for (const char *const *b = bad; *b; b++) {
		assert_int_equal(bm_query_parse(*b, strlen(*b), &o), BM_E_BAD_REQUEST);
		assert_null(o);
	}
	assert_int_equal(bm_query_parse("%C5%9F=1", 8, &o), BM_OK);
	assert_string_equal(json_string_value(json_object_get(o, "\xc5\x9f")), "1");
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_match_and_params),   cmocka_unit_test(test_not_found),
	    cmocka_unit_test(test_method_not_allowed), cmocka_unit_test(test_query),
	    cmocka_unit_test(test_query_bad_utf8_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
