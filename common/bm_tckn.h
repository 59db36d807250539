// SPDX-License-Identifier: MIT
//
// bm_tckn: validation of Turkish identity numbers (T.C. kimlik no), rules.md
// W1 and W3. Foreigners' numbers (YKN, starting with 99) follow the same
// checksum, so one check serves both. The functions take an explicit length
// because the input comes straight from requests: it may be unterminated or
// carry an embedded NUL, and either must be rejected, never truncated.
// Pure functions: no allocation, no state, safe from any thread.

#ifndef BM_TCKN_H
#define BM_TCKN_H

#include <stdbool.h>
#include <stddef.h>

// Number of digits in a T.C. kimlik no or a YKN.
#define BM_TCKN_LEN 11

// True when s[0..len) is exactly 11 ASCII digits, the first not '0', and both
// check digits (d10, d11) match. A NULL s is simply not valid.
bool bm_tckn_valid(const char *s, size_t len);

// True when bm_tckn_valid() holds and the number starts with "99": a
// foreigner's identity number (YKN).
bool bm_tckn_is_foreign(const char *s, size_t len);

#endif
