// SPDX-License-Identifier: MIT
/*
 * What the libFuzzer harnesses of tests/fuzz/ share: an assertion that
 * stays on whatever the build's NDEBUG (a broken invariant aborts, and
 * libFuzzer keeps the input as a crash artifact), and the invariants of a
 * list of validation errors as the problem+json renderer sends them
 * (errors[] of a 422: at least one entry, each with a code of the spec's
 * form, a message, and a field path that is valid UTF-8, since an entry
 * jansson cannot render is silently dropped from the answer).
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_json.h"

#define FUZZ_ASSERT(cond, what)                                                                    \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: invariant broken: %s (%s)\n", __FILE__, __LINE__,  \
			        what, #cond);                                                      \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* The spec's FieldError.code: ^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$ */
static inline bool fuzz_code_ok(const char *c)
{
	if (!c || !(*c >= 'A' && *c <= 'Z'))
		return false;
	for (const char *p = c; *p; p++) {
		bool alnum = (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9');
		if (!alnum && !(*p == '_' && p[1] && p[1] != '_'))
			return false;
	}
	return true;
}

/* Whether s is valid UTF-8 as jansson (hence problem+json) takes it. */
static inline bool fuzz_utf8_ok(const char *s)
{
	json_t *j = json_string(s);
	bool ok = j != NULL;
	json_decref(j);
	return ok;
}

/*
 * bm_json_validate(v, ...) returned n on errs that started empty. A field
 * path may be "" only for the body itself: a body that is not an object,
 * or a key that is itself "" (reported as an unknown field).
 */
static inline void fuzz_check_verrs(const json_t *v, size_t n, const struct bm_verrs *errs)
{
	FUZZ_ASSERT(n == errs->n, "the count returned is the count collected");
	FUZZ_ASSERT(errs->n <= BM_VERR_MAX, "errors stay within their array");
	if (!json_is_object(v))
		FUZZ_ASSERT(n == 1 && !strcmp(errs->v[0].code, "INVALID_TYPE") &&
		                !errs->v[0].field[0],
		            "a body that is not an object is one INVALID_TYPE for field \"\"");
	for (size_t i = 0; i < errs->n; i++) {
		const struct bm_verr *e = &errs->v[i];
		FUZZ_ASSERT(fuzz_code_ok(e->code), "error code of the spec's form");
		FUZZ_ASSERT(e->message[0] && fuzz_utf8_ok(e->message), "a message, in UTF-8");
		FUZZ_ASSERT(memchr(e->field, '\0', sizeof e->field), "field is terminated");
		FUZZ_ASSERT(fuzz_utf8_ok(e->field), "field path renders (valid UTF-8)");
		FUZZ_ASSERT(e->field[0] || !json_is_object(v) ||
		                (!strcmp(e->code, "UNKNOWN_FIELD") && json_object_get(v, "")),
		            "field names the field");
	}
}

#endif
