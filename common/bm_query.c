// SPDX-License-Identifier: MIT
/*
 * bm_query: strict application/x-www-form-urlencoded decoding. See bm_query.h.
 */
#include "bm_query.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode n bytes of s into out (at least n+1 bytes); -1 on a bad escape or NUL. */
static int decode(const char *s, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] == '%') {
			if (i + 2 >= n)
				return -1;
			int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return -1;
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else if (s[i] == '\0') {
			return -1;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return (int)o;
}

static enum bm_err add_pair(json_t *obj, const char *p, size_t n)
{
	const char *eq = memchr(p, '=', n);
	size_t klen = eq ? (size_t)(eq - p) : n;
	size_t vlen = eq ? n - klen - 1 : 0;
	char key[256], *val = malloc(vlen + 1);
	enum bm_err e = BM_E_BAD_REQUEST;

	if (!val)
		return BM_E_NOMEM;
	if (klen == 0 || klen >= sizeof key || decode(p, klen, key) < 0 ||
	    decode(eq ? eq + 1 : "", vlen, val) < 0)
		goto out;
	/* json_string is NULL when not valid UTF-8. The key is checked the same way:
	 * json_object_set_new would refuse it below, and a client's bad key must be a 400,
	 * not look like our own failure (found by tests/fuzz/fuzz_request.c). */
	json_t *k = json_string(key);
	bool key_ok = k != NULL;
	json_decref(k);
	json_t *s = key_ok ? json_string(val) : NULL;
	if (!s || json_object_get(obj, key)) {
		json_decref(s);
		goto out;
	}
	e = json_object_set_new(obj, key, s) ? BM_E_NOMEM : BM_OK;
out:
	free(val);
	return e;
}

enum bm_err bm_query_parse(const char *s, size_t len, json_t **out)
{
	json_t *obj;
	enum bm_err e = BM_OK;

	*out = NULL;
	if (len > BM_QUERY_MAX)
		return BM_E_BAD_REQUEST;
	if (!(obj = json_object()))
		return BM_E_NOMEM;
	for (size_t i = 0; i < len && !e;) {
		const char *amp = memchr(s + i, '&', len - i);
		size_t n = amp ? (size_t)(amp - (s + i)) : len - i;
		if (n)
			e = add_pair(obj, s + i, n);
		i += n + 1;
	}
	if (e) {
		json_decref(obj);
		return e;
	}
	*out = obj;
	return BM_OK;
}
