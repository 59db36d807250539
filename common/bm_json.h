// SPDX-License-Identifier: MIT
/*
 * bm_json: JSON in (jansson) with size and depth limits, and declarative
 * field tables that validate a parsed object before any handler sees it.
 *
 * A field table is an array of struct bm_field ended by an entry whose name
 * is NULL. Each entry gives the type, whether it is required, bounds
 * (string length in characters, integer value, array item count), an enum,
 * a POSIX extended regular expression, and optionally a custom check. Keys
 * not in the table are rejected (UNKNOWN_FIELD). Strings may not contain
 * control characters unless the field is BM_FF_MULTILINE (then \n, \r, \t
 * only). Every violation is collected with its field path ("applicant.email",
 * "attachment_ids[1]") so the client sees all problems at once.
 */
#ifndef BM_JSON_H
#define BM_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "bm_err.h"

enum bm_lang { BM_LANG_TR = 0, BM_LANG_EN = 1 };

#define BM_VERR_MAX 32

struct bm_verr {
	char field[96];
	const char *code;  /* REQUIRED, INVALID_TYPE, TOO_LONG, ... */
	char message[192]; /* in the request's language */
};

struct bm_verrs {
	enum bm_lang lang;
	size_t n;
	struct bm_verr v[BM_VERR_MAX];
};

enum bm_ftype { BM_FT_STRING = 1, BM_FT_INT, BM_FT_BOOL, BM_FT_OBJECT, BM_FT_ARRAY };

#define BM_FF_REQUIRED  0x1u
#define BM_FF_NULLABLE  0x2u /* JSON null accepted (treated as absent) */
#define BM_FF_MULTILINE 0x4u /* string may contain \n \r \t */

/*
 * A custom check returns NULL when the value is fine, or a field error
 * code (e.g. "TCKN_CHECKSUM") whose message comes from bm_verr_message.
 */
typedef const char *(*bm_field_check)(const json_t *value);

struct bm_field {
	const char *name;
	enum bm_ftype type;
	unsigned flags;
	long long min, max;       /* chars / value / items; max 0 = no upper bound for ints only */
	const char *const *enumv; /* NULL-terminated allowed strings */
	const char *pattern;      /* POSIX ERE the whole string must match */
	bm_field_check check;
	const struct bm_field *sub; /* OBJECT: its table; ARRAY: one entry for the items */
};

/* Limits applied by bm_json_parse. */
#define BM_JSON_MAX_DEPTH 16

/*
 * Parse len bytes as a JSON object or array: rejects NUL bytes, nesting
 * deeper than max_depth, duplicate keys and trailing garbage. On success
 * *out is a new reference the caller frees with json_decref.
 */
enum bm_err bm_json_parse(const char *buf, size_t len, int max_depth, json_t **out);

/*
 * Validate obj against tbl, appending violations to errs. Returns the
 * number of violations added (0 = valid). obj must be an object; a
 * non-object adds one INVALID_TYPE error for field "" (the body).
 */
size_t bm_json_validate(const json_t *obj, const struct bm_field *tbl, struct bm_verrs *errs);

/* Add one violation; message chosen from the code and errs->lang. */
void bm_verrs_add(struct bm_verrs *errs, const char *field, const char *code,
                  const struct bm_field *f);

/* Add one violation of a handler's own rule, with its message in both languages
 * (tr and en; either NULL: the code's message from the table). */
void bm_verrs_add_text(struct bm_verrs *errs, const char *field, const char *code, const char *tr,
                       const char *en);

/* Whether the whole of s matches the POSIX ERE pattern (compiled once, cached). */
bool bm_json_matches(const char *s, const char *pattern);

/* Number of Unicode code points in a valid UTF-8 string. */
size_t bm_utf8_len(const char *s, size_t bytes);

/* Typed getters for handlers, on validated objects: NULL / def when absent or null. */
const char *bm_json_str(const json_t *obj, const char *key);
long long bm_json_int(const json_t *obj, const char *key, long long def);
bool bm_json_bool(const json_t *obj, const char *key, bool def);

#endif
