// SPDX-License-Identifier: MIT
/*
 * bm_route: pattern matching of request paths against a route table.
 */
#include "bm_route.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool param_char_ok(char c)
{
	return c > 0x20 && c < 0x7F && c != '/' && c != '%';
}

/* Match path against pattern, filling params; false on mismatch. */
static bool match(const char *pat, const char *path, struct bm_route_match *m)
{
	m->nparams = 0;
	while (*pat && *path) {
		if (*pat == '{') {
			const char *end = strchr(pat, '}');
			if (!end || m->nparams == BM_ROUTE_PARAMS)
				return false;
			struct bm_route_param *p = &m->params[m->nparams++];
			size_t nlen = (size_t)(end - pat - 1), vlen = 0;
			if (nlen >= sizeof p->name)
				return false;
			memcpy(p->name, pat + 1, nlen);
			p->name[nlen] = '\0';
			while (path[vlen] && path[vlen] != '/') {
				if (!param_char_ok(path[vlen]) || vlen == BM_ROUTE_PARAM_LEN)
					return false;
				vlen++;
			}
			if (vlen == 0)
				return false;
			memcpy(p->value, path, vlen);
			p->value[vlen] = '\0';
			path += vlen;
			pat = end + 1;
			continue;
		}
		if (*pat++ != *path++)
			return false;
	}
	return *pat == '\0' && *path == '\0';
}

static void allow_add(char *allow, size_t cap, const char *method)
{
	if (strstr(allow, method))
		return;
	size_t used = strlen(allow);
	snprintf(allow + used, cap - used, "%s%s", used ? ", " : "", method);
}

/*
 * A pattern's shape: a bit per segment, set where the segment holds a
 * parameter, the first segment the most significant. Two patterns that match
 * one path have as many segments (a value never spans a '/'), so the lower
 * shape is the more literal one, decided at the first segment where they
 * differ.
 */
static unsigned long shape(const char *pat)
{
	unsigned long s = 0;
	bool param = false;
	for (; *pat; pat++) {
		if (*pat == '/') {
			s = (s << 1) | param;
			param = false;
		} else if (*pat == '{') {
			param = true;
		}
	}
	return (s << 1) | param;
}

enum bm_err bm_route_find(const struct bm_route *tbl, size_t n, const char *method,
                          const char *path, struct bm_route_match *m)
{
	struct bm_route_match scratch;
	unsigned long best = 0;
	bool path_seen = false;

	memset(m, 0, sizeof *m);
	if (!method || !path)
		return BM_E_NOT_FOUND;
	/* Only the most literal patterns that match count (as in OpenAPI: a concrete path
	 * before a templated one), so "/verifications/resend" is never a {token}. */
	for (size_t i = 0; i < n; i++) {
		if (!match(tbl[i].pattern, path, &scratch))
			continue;
		unsigned long s = shape(tbl[i].pattern);
		if (path_seen && s > best)
			continue;
		if (!path_seen || s < best) {
			*m = (struct bm_route_match){0};
			best = s;
			path_seen = true;
		}
		if (!m->route && !strcmp(tbl[i].method, method)) {
			char allow[sizeof m->allow];
			memcpy(allow, m->allow, sizeof allow);
			*m = scratch;
			memcpy(m->allow, allow, sizeof allow);
			m->route = &tbl[i];
		} else if (strcmp(tbl[i].method, method)) {
			allow_add(m->allow, sizeof m->allow, tbl[i].method);
		}
	}
	if (m->route)
		return BM_OK;
	return path_seen ? BM_E_METHOD : BM_E_NOT_FOUND;
}
