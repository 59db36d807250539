// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the request parsing of the guard chain (bm_srv.c):
 * the input is taken as a form body (bm_query_parse, which also parses query
 * strings), validated against the real field table of POST /api/v1/auth/token
 * (token_fields, services/verification/auth.c) as the guard chain does, and,
 * cut at its first NUL like a FastCGI parameter, as a CONTENT_LENGTH value
 * (bm_srv_content_length_parse) under two routes' caps.
 *
 * It asserts: the parser answers only BM_OK or BM_E_BAD_REQUEST (a client's
 * bad input is never our error, never a 5xx); it never accepts input over
 * BM_QUERY_MAX or with an embedded NUL; what it accepts is an object of
 * non-empty keys and strings without NUL, no more pairs than the input has
 * '&'-separated parts; the field table's errors keep fuzz.h's invariants. A
 * CONTENT_LENGTH is accepted only when empty (0) or plain decimal digits
 * whose value is the length given and at most the cap; BM_E_TOO_LARGE only
 * for digits over the cap; on any error the length is 0.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bm_json.h"
#include "bm_query.h"
#include "bm_srv.h"
#include "fuzz.h"

/* services/verification/handlers.h declares it too, with the handlers' request types. */
extern const struct bm_field token_fields[];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_form(const char *s, size_t size)
{
	json_t *obj = NULL;
	enum bm_err e = bm_query_parse(s, size, &obj);
	const char *key;
	json_t *v;

	FUZZ_ASSERT(e == BM_OK || e == BM_E_BAD_REQUEST, "only ok or a bad request");
	if (e) {
		FUZZ_ASSERT(obj == NULL, "no result on error");
		return;
	}
	FUZZ_ASSERT(json_is_object(obj), "an object");
	FUZZ_ASSERT(size <= BM_QUERY_MAX, "capped before decoding");
	FUZZ_ASSERT(!memchr(s, '\0', size), "never accepts an embedded NUL");
	size_t parts = 1;
	for (size_t i = 0; i < size; i++)
		parts += s[i] == '&';
	FUZZ_ASSERT(json_object_size(obj) <= parts, "at most one pair per part");
	json_object_foreach(obj, key, v)
	{
		FUZZ_ASSERT(key[0], "keys are not empty");
		FUZZ_ASSERT(json_is_string(v), "values are strings");
		FUZZ_ASSERT(json_string_length(v) == strlen(json_string_value(v)),
		            "no NUL inside a value");
		FUZZ_ASSERT(json_string_length(v) < size, "decoding never grows");
	}
	struct bm_verrs errs = {.lang = size & 1 ? BM_LANG_EN : BM_LANG_TR};
	size_t n = bm_json_validate(obj, token_fields, &errs);
	fuzz_check_verrs(obj, n, &errs);
	json_decref(obj);
}

static void check_length(const char *cl, size_t cap)
{
	size_t len = 12345;
	enum bm_err e = bm_srv_content_length_parse(cl, cap, &len);
	size_t n = strlen(cl);
	bool digits = n > 0 && strspn(cl, "0123456789") == n;

	errno = 0;
	unsigned long long v = digits ? strtoull(cl, NULL, 10) : 0;
	bool fits = digits && errno != ERANGE;
	switch (e) {
	case BM_OK:
		FUZZ_ASSERT(n == 0 ? len == 0 : fits && v == len,
		            "the length is the digits' value");
		FUZZ_ASSERT(len <= cap, "never over the cap");
		break;
	case BM_E_TOO_LARGE:
		FUZZ_ASSERT(len == 0 && digits && (!fits || v > cap),
		            "too large only over the cap");
		break;
	case BM_E_BAD_REQUEST:
		FUZZ_ASSERT(len == 0 && n > 0, "bad request only for something given");
		FUZZ_ASSERT(!digits || n > 12, "up to 12 digits is always a length");
		break;
	default: FUZZ_ASSERT(false, "only ok, too large or bad request");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char *cl = strndup(s, size); /* a FastCGI parameter ends at its first NUL */

	check_form(s, size);
	if (!cl)
		return 0;
	check_length(cl, 4096);             /* POST /api/v1/auth/token */
	check_length(cl, 10 * 1024 * 1024); /* POST /api/v1/attachments */
	free(cl);
	return 0;
}
