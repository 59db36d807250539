// SPDX-License-Identifier: MIT
/*
 * bm_query: query strings (and form bodies) into a JSON object of strings,
 * so the same declarative field tables validate them as validate bodies.
 *
 * Decoding is strict: %XX must be two hex digits, '+' is a space, %00 and
 * invalid UTF-8 are refused, a key may appear once, and the input is
 * capped before decoding.
 */
#ifndef BM_QUERY_H
#define BM_QUERY_H

#include <jansson.h>
#include <stddef.h>

#include "bm_err.h"

#define BM_QUERY_MAX 4096

/*
 * Decode "a=1&b=x%20y" (len bytes) into a new object {"a":"1","b":"x y"};
 * caller frees with json_decref. BM_E_BAD_REQUEST for anything malformed.
 */
enum bm_err bm_query_parse(const char *s, size_t len, json_t **out);

#endif
