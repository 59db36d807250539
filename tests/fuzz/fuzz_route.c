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
