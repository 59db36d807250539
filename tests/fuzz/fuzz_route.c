// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for routing: bm_route_find against the real route
 * tables of the five services, with a method and a path from the input
 * (method, NUL, path; a path is hostile: it carries application numbers,
 * tracking codes and appeal ids as path parameters).
 *
 * It asserts: a match is a route of that table with that method, whose
 * pattern, with each {param} replaced by its value, is exactly the path;
 * every value is 1 to 128 bytes of printable ASCII without '/', '%' or a
 * space, and the names are the pattern's; "method not allowed" comes only
 * when another method's route matches, with an Allow list that names
 * methods of the table and never the one asked; otherwise "not found".
 * Only the most literal patterns that match count: no route whose pattern
 * is literal where the match's has a parameter (at the first segment they
 * differ in) matches the path too, and Allow names only methods of such
 * most literal patterns.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bm_route.h"
#include "fuzz.h"

extern const struct bm_route submission_routes[], verification_routes[], routing_routes[],
    status_routes[], appeal_routes[];
extern const size_t submission_nroutes, verification_nroutes, routing_nroutes, status_nroutes,
    appeal_nroutes;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The pattern with each {name} replaced by the match's value of that name, in order. */
static void expand(const char *pat, const struct bm_route_match *m, char *out, size_t cap)
{
	size_t o = 0, k = 0;
	while (*pat && o + 1 < cap) {
		if (*pat == '{') {
			const char *end = strchr(pat, '}');
			FUZZ_ASSERT(end && k < m->nparams, "a value for each parameter");
			FUZZ_ASSERT(
			    strlen(m->params[k].name) == (size_t)(end - pat - 1) &&
			        !strncmp(m->params[k].name, pat + 1, (size_t)(end - pat - 1)),
			    "parameters named as in the pattern");
			o += (size_t)snprintf(out + o, cap - o, "%s", m->params[k++].value);
			pat = end + 1;
		} else {
			out[o++] = *pat++;
		}
	}
	out[o < cap ? o : cap - 1] = '\0';
	FUZZ_ASSERT(k == m->nparams, "no parameter beyond the pattern's");
}

static bool param_ok(const char *v)
{
	size_t n = strlen(v);
	if (n == 0 || n > BM_ROUTE_PARAM_LEN)
		return false;
	for (; *v; v++)
		if (*v <= ' ' || *v >= 127 || *v == '/' || *v == '%')
			return false;
	return true;
}

/* Whether the Allow list ("GET, POST") names method exactly. */
static bool allow_has(const char *allow, const char *method)
{
	size_t n = strlen(method);
	for (const char *p = allow; *p;) {
		const char *comma = strstr(p, ", ");
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == n && !strncmp(p, method, n))
			return true;
		p += len + (comma ? 2 : 0);
	}
	return false;
}

/* Whether pattern a is literal at the first segment where a and b differ in kind. */
static bool more_literal(const char *a, const char *b)
{
	while (*a && *b) {
		const char *ea = strchr(a, '/'), *eb = strchr(b, '/');
		size_t la = ea ? (size_t)(ea - a) : strlen(a),
		       lb = eb ? (size_t)(eb - b) : strlen(b);
		bool pa = memchr(a, '{', la) != NULL, pb = memchr(b, '{', lb) != NULL;
		if (pa != pb)
			return !pa;
		a += la + (ea ? 1 : 0);
		b += lb + (eb ? 1 : 0);
	}
	return false;
}

/* Whether route r's pattern matches path (whatever the method). */
static bool pattern_matches(const struct bm_route *r, const char *path)
{
	struct bm_route_match x;
	return bm_route_find(r, 1, r->method, path, &x) == BM_OK;
}

/* No route matching path has a pattern more literal than pat. */
static bool most_literal(const struct bm_route *tbl, size_t n, const char *pat, const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (pattern_matches(&tbl[i], path) && more_literal(tbl[i].pattern, pat))
			return false;
	return true;
}

/* A route of method whose pattern matches path and is among the most literal that do. */
static bool allowed_here(const struct bm_route *tbl, size_t n, const char *method, const char *path)
{
	for (size_t j = 0; j < n; j++)
		if (!strcmp(tbl[j].method, method) && pattern_matches(&tbl[j], path) &&
		    most_literal(tbl, n, tbl[j].pattern, path))
			return true;
	return false;
}

static void check(const struct bm_route *tbl, size_t n, const char *method, const char *path)
{
	struct bm_route_match m;
	enum bm_err e = bm_route_find(tbl, n, method, path, &m);
	char buf[2048];

	if (e == BM_OK) {
		FUZZ_ASSERT(m.route >= tbl && m.route < tbl + n, "a route of this table");
		FUZZ_ASSERT(!strcmp(m.route->method, method), "with the method asked");
		for (size_t i = 0; i < m.nparams; i++)
			FUZZ_ASSERT(param_ok(m.params[i].value), "a parameter value as documented");
		expand(m.route->pattern, &m, buf, sizeof buf);
		FUZZ_ASSERT(!strcmp(buf, path), "the pattern, filled in, is the path");
		FUZZ_ASSERT(most_literal(tbl, n, m.route->pattern, path),
		            "the most literal pattern that matches wins");
		return;
	}
	FUZZ_ASSERT(!m.route, "no route on a miss");
	if (e == BM_E_METHOD) {
		FUZZ_ASSERT(m.allow[0], "an Allow list");
		bool other = false;
		for (size_t i = 0; i < n; i++)
			if (strcmp(tbl[i].method, method) && allow_has(m.allow, tbl[i].method))
				other = true;
		FUZZ_ASSERT(other, "Allow names the table's methods");
		FUZZ_ASSERT(!allow_has(m.allow, method), "Allow never names the method asked");
		for (size_t i = 0; i < n; i++)
			FUZZ_ASSERT(!allow_has(m.allow, tbl[i].method) ||
			                allowed_here(tbl, n, tbl[i].method, path),
			            "Allow names only methods of the most literal patterns");
		return;
	}
	FUZZ_ASSERT(e == BM_E_NOT_FOUND, "only found, method not allowed or not found");
	FUZZ_ASSERT(!m.allow[0], "no Allow list when nothing matched");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[4096];
	if (size >= sizeof in)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	char *nul = memchr(in, '\0', size);
	const char *method = nul ? in : "GET";
	const char *path = nul ? nul + 1 : in;

	check(submission_routes, submission_nroutes, method, path);
	check(verification_routes, verification_nroutes, method, path);
	check(routing_routes, routing_nroutes, method, path);
	check(status_routes, status_nroutes, method, path);
	check(appeal_routes, appeal_nroutes, method, path);
	return 0;
}
