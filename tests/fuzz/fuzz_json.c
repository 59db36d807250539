// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for JSON bodies: bm_json_parse with the guard chain's
 * depth limit, then bm_json_validate against the real field table of the
 * citizen's POST /api/v1/applications (application_fields, services/
 * submission/applications.c), with its nested applicant table, enums, POSIX
 * patterns and the T.C. kimlik checksum (bm_check_tckn).
 *
 * It asserts: the parser accepts only an object or array, never input with
 * an embedded NUL, never nesting deeper than BM_JSON_MAX_DEPTH, and answers
 * BM_E_MALFORMED_JSON (and no value) otherwise; validation keeps fuzz.h's
 * invariants (ok, or at least one error, each with a code, message and a
 * renderable field path); and a body that passes is an application: a known
 * type, an applicant whose ID number is 11 digits with a valid checksum and
 * an e-mail with an '@', and no string anywhere with a NUL or a control
 * character (tab, CR and LF only in the multiline fields).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bm_json.h"
#include "bm_tckn.h"
#include "fuzz.h"

/* services/submission/handlers.h declares it too, with the handlers' request types. */
extern const struct bm_field application_fields[];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int depth_of(const json_t *v)
{
	size_t i;
	const char *k;
	json_t *c;
	int max = 0;

	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, c)
		{
			int d = depth_of(c);
			max = d > max ? d : max;
		}
		return max + 1;
	}
	if (json_is_array(v)) {
		json_array_foreach(v, i, c)
		{
			int d = depth_of(c);
			max = d > max ? d : max;
		}
		return max + 1;
	}
	return 0;
}

/* No NUL and no control character but \t \r \n (those only when multiline). */
static bool clean(const json_t *s, bool multiline)
{
	const char *p = json_string_value(s);
	size_t n = json_string_length(s);
	if (!p || strlen(p) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		bool ws = c == '\t' || c == '\r' || c == '\n';
		if (c == 0x7f || (c < 0x20 && !(multiline && ws)))
			return false;
	}
	return true;
}

static void check_strings(const json_t *obj)
{
	const char *k;
	json_t *v, *item;
	size_t i;

	json_object_foreach((json_t *)obj, k, v)
	{
		bool multi = !strcmp(k, "body") || !strcmp(k, "address");
		if (json_is_object(v))
			check_strings(v);
		if (json_is_string(v))
			FUZZ_ASSERT(clean(v, multi), "a valid body has no stray control character");
		json_array_foreach(v, i, item)
		{
			FUZZ_ASSERT(!json_is_string(item) || clean(item, false),
			            "array items are clean");
		}
	}
}

static void check_valid(const json_t *app)
{
	const char *type = bm_json_str(app, "type");
	const json_t *a = json_object_get(app, "applicant");
	const char *tckn = bm_json_str(a, "tc_kimlik_no");
	const char *email = bm_json_str(a, "email");

	FUZZ_ASSERT(type && (!strcmp(type, "dilekce") || !strcmp(type, "bilgi_edinme")),
	            "a known type");
	FUZZ_ASSERT(bm_json_str(app, "subject") && bm_json_str(app, "body"), "subject and body");
	FUZZ_ASSERT(json_is_object(a) && tckn && email, "an applicant with ID and e-mail");
	FUZZ_ASSERT(strlen(tckn) == 11 && strspn(tckn, "0123456789") == 11 && tckn[0] != '0',
	            "the ID is 11 digits, the first not 0");
	FUZZ_ASSERT(bm_tckn_valid(tckn, strlen(tckn)), "the ID's checksum holds");
	FUZZ_ASSERT(strchr(email, '@'), "an e-mail address");
	check_strings(app);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = NULL;
	enum bm_err e = bm_json_parse((const char *)data, size, BM_JSON_MAX_DEPTH, &j);

	if (e) {
		FUZZ_ASSERT(e == BM_E_MALFORMED_JSON && !j, "malformed, and no value");
		return 0;
	}
	FUZZ_ASSERT(json_is_object(j) || json_is_array(j), "only an object or an array");
	FUZZ_ASSERT(!memchr(data, '\0', size), "never accepts an embedded NUL");
	FUZZ_ASSERT(depth_of(j) <= BM_JSON_MAX_DEPTH, "never deeper than the limit");

	struct bm_verrs errs = {.lang = size & 1 ? BM_LANG_EN : BM_LANG_TR};
	size_t n = bm_json_validate(j, application_fields, &errs);
	fuzz_check_verrs(j, n, &errs);
	if (n == 0)
		check_valid(j);
	json_decref(j);
	return 0;
}
