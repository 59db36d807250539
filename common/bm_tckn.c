// SPDX-License-Identifier: MIT
//
// bm_tckn: the T.C. kimlik no checksum of rules.md W3. The number is
// d1 … d11 with d1 ≠ 0,
//   d10 = ((d1 + d3 + d5 + d7 + d9) · 7 − (d2 + d4 + d6 + d8)) mod 10
//   d11 = (d1 + … + d10) mod 10
// where "mod" is the mathematical (non-negative) remainder. The d10 sum can be
// negative (e.g. 1 9 0 9 0 9 0 9 0 … gives 7 − 36 = −29), and C's % keeps the
// sign of the dividend, so the remainder is normalised before comparing.

#include "bm_tckn.h"

#include <string.h>

// Every byte an ASCII digit: isdigit() is locale dependent and would also
// accept other bytes in some locales, so compare ranges instead.
static bool all_ascii_digits(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
	}
	return true;
}

// Non-negative remainder of a by 10, whatever the sign of a.
static int mod10(int a)
{
	int r = a % 10;
	return r < 0 ? r + 10 : r;
}

bool bm_tckn_valid(const char *s, size_t len)
{
	if (s == NULL || len != BM_TCKN_LEN || !all_ascii_digits(s, len))
		return false;
	if (s[0] == '0')
		return false;

	int odd = 0;  // d1 + d3 + d5 + d7 + d9 (1-based positions)
	int even = 0; // d2 + d4 + d6 + d8
	for (size_t i = 0; i < 9; i++) {
		int d = s[i] - '0';
		if (i % 2 == 0)
			odd += d;
		else
			even += d;
	}
	int d10 = mod10(odd * 7 - even);
	if (s[9] - '0' != d10)
		return false;
	return s[10] - '0' == mod10(odd + even + d10);
}

bool bm_tckn_is_foreign(const char *s, size_t len)
{
	return bm_tckn_valid(s, len) && memcmp(s, "99", 2) == 0;
}
