// SPDX-License-Identifier: MIT
//
// Unit tests of bm_tckn (rules.md W1, W3): known valid numbers, every
// single-digit corruption of them, lengths, leading zero, non-digit bytes,
// embedded NUL and the negative remainder that C's % produces for the d10
// sum. The valid numbers were computed by hand from the W3 formula; each one
// shows its arithmetic so a reader can check it without running anything.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "bm_tckn.h"

// odd = d1+d3+d5+d7+d9, even = d2+d4+d6+d8,
// d10 = (7·odd − even) mod 10 (non-negative), d11 = (odd + even + d10) mod 10.
// Worked out by hand, "odd; even: 7·odd − even → d10; odd + even + d10 → d11":
//   10000000146  1+1 = 2;  0:          14 → 4;   6 → 6
//   12345678950  1+3+5+7+9 = 25;  2+4+6+8 = 20:  155 → 5;  50 → 0
//   98765432150  9+7+5+3+1 = 25;  8+6+4+2 = 20:  155 → 5;  50 → 0
//   50000000050  5;  0:                35 → 5;  10 → 0
//   99999999990  45;  36:             279 → 9;  90 → 0
//   10909090996  1+9+9+9+9 = 37;  0:  259 → 9;  46 → 6
//   19090909018  1;  9+9+9+9 = 36:    −29 → 1 (C's % gives −9);  38 → 8
//   11090909098  1;  1+9+9+9 = 28:    −21 → 9;  38 → 8
//   29090909086  2;  36:              −22 → 8;  46 → 6
//   99000000042  9;  9:                54 → 4;  22 → 2   (YKN)
//   99123456740  9+1+3+5+7 = 25;  9+2+4+6 = 21:  154 → 4;  50 → 0   (YKN)
//   99100000010  9+1 = 10;  9:         61 → 1;  20 → 0   (YKN)
static const char *const valid_numbers[] = {
    "10000000146", "12345678950", "98765432150", "50000000050", "99999999990", "10909090996",
    "19090909018", "11090909098", "29090909086", "99000000042", "99123456740", "99100000010",
};

#define N_VALID (sizeof(valid_numbers) / sizeof(valid_numbers[0]))

static bool valid_str(const char *s)
{
	return bm_tckn_valid(s, strlen(s));
}

static void test_known_valid_numbers(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_VALID; i++) {
		if (!valid_str(valid_numbers[i]))
			fail_msg("%s should be valid", valid_numbers[i]);
	}
}

// Why no single-digit change of a valid number can be valid (so every one
// must be rejected, with no exceptions to allow for): change digit k by
// δ ∈ {±1 … ±9}, δ ≢ 0 (mod 10).
//  - k = 11: d11 no longer equals the (unchanged) sum.
//  - k = 10: d10 no longer equals the (unchanged) 7·odd − even.
//  - k odd ≤ 9: 7·odd − even moves by 7δ; gcd(7, 10) = 1, so 7δ ≢ 0 and the
//    expected d10 changes while the stored d10 does not.
//  - k even ≤ 8: 7·odd − even moves by −δ ≢ 0, same conclusion.
// This test checks the arithmetic facts the proof rests on.
static void test_single_change_proof_facts(void **state)
{
	(void)state;
	for (int delta = -9; delta <= 9; delta++) {
		if (delta == 0)
			continue;
		assert_int_not_equal((7 * delta) % 10, 0);
		assert_int_not_equal(delta % 10, 0);
	}
}

// All 11 positions × 9 other digits of each valid number.
static void test_every_single_digit_corruption_rejected(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_VALID; i++) {
		for (size_t pos = 0; pos < BM_TCKN_LEN; pos++) {
			for (char c = '0'; c <= '9'; c++) {
				char buf[BM_TCKN_LEN];
				memcpy(buf, valid_numbers[i], BM_TCKN_LEN);
				if (buf[pos] == c)
					continue;
				buf[pos] = c;
				if (bm_tckn_valid(buf, sizeof(buf)))
					fail_msg("%s with position %zu set to "
					         "%c accepted",
					         valid_numbers[i], pos + 1, c);
			}
		}
	}
}

// An independent reference, written without the module's helpers, used to
// generate many more valid numbers than the hand-computed list.
static void make_valid(unsigned prefix, char out[BM_TCKN_LEN + 1])
{
	snprintf(out, BM_TCKN_LEN + 1, "%09u00", prefix);
	int odd = 0, even = 0;
	for (int i = 0; i < 9; i++) {
		if (i % 2 == 0)
			odd += out[i] - '0';
		else
			even += out[i] - '0';
	}
	int d10 = ((odd * 7 - even) % 10 + 10) % 10;
	out[9] = (char)('0' + d10);
	out[10] = (char)('0' + (odd + even + d10) % 10);
}

// The same corruption sweep over ~9000 generated numbers spread across the
// whole prefix range 100000000 … 999999999.
static void test_generated_numbers_and_corruptions(void **state)
{
	(void)state;
	for (unsigned p = 100000000; p <= 999999999; p += 99991) {
		char num[BM_TCKN_LEN + 1];
		make_valid(p, num);
		if (!bm_tckn_valid(num, BM_TCKN_LEN))
			fail_msg("generated %s rejected", num);
		for (size_t pos = 0; pos < BM_TCKN_LEN; pos++) {
			char orig = num[pos];
			for (char c = '0'; c <= '9'; c++) {
				if (c == orig)
					continue;
				num[pos] = c;
				if (bm_tckn_valid(num, BM_TCKN_LEN))
					fail_msg("corruption %s accepted", num);
			}
			num[pos] = orig;
		}
	}
}

static void test_wrong_lengths(void **state)
{
	(void)state;
	assert_false(bm_tckn_valid(NULL, 0));
	assert_false(bm_tckn_valid(NULL, BM_TCKN_LEN));
	assert_false(bm_tckn_valid("", 0));
	assert_false(valid_str("1000000014"));   // 10 digits
	assert_false(valid_str("100000001460")); // 12 digits
	assert_false(valid_str("1000000000000000000000000000000000000000146"));
	// The length is what counts, not the terminator: a valid prefix of a
	// longer string is valid when exactly 11 bytes are given…
	assert_true(bm_tckn_valid("100000001460", 11));
	// …and a valid number given with a shorter length is not.
	assert_false(bm_tckn_valid("10000000146", 10));
	assert_false(bm_tckn_valid("10000000146", 0));
}

// An unterminated buffer of exactly 11 digits is accepted (and, under ASan,
// proves nothing reads past the given length).
static void test_unterminated_buffer(void **state)
{
	(void)state;
	char buf[BM_TCKN_LEN] = {'1', '0', '0', '0', '0', '0', '0', '0', '1', '4', '6'};
	assert_true(bm_tckn_valid(buf, sizeof(buf)));
}

static void test_leading_zero(void **state)
{
	(void)state;
	// Both checksums hold for these; only the leading zero rejects them.
	// 0 1 2 3 4 5 6 7 8: odd 0+2+4+6+8 = 20, even 1+3+5+7 = 16: 124 → 4;
	// 36+4 = 40 → 0.
	assert_false(valid_str("01234567840"));
	assert_false(valid_str("00000000000"));
}

static void test_non_digits(void **state)
{
	(void)state;
	// The bytes next to '0' and '9' in ASCII, letters, signs, spaces and a
	// byte above 127 (sign-extension trap for plain char).
	static const char bad[] = {'/', ':',  'a', 'O',    '+',    '-',
	                           ' ', '\t', '.', '\x80', '\xff', '\xd9'};
	for (size_t i = 0; i < sizeof(bad); i++) {
		for (size_t pos = 0; pos < BM_TCKN_LEN; pos++) {
			char buf[BM_TCKN_LEN];
			memcpy(buf, "10000000146", BM_TCKN_LEN);
			buf[pos] = bad[i];
			if (bm_tckn_valid(buf, sizeof(buf)))
				fail_msg("byte 0x%02x at %zu accepted",
				         (unsigned)(unsigned char)bad[i], pos + 1);
		}
	}
	assert_false(valid_str(" 1000000014"));
	assert_false(valid_str("+1000000014"));
	assert_false(valid_str("1000000014 "));
	// Full-width digits are UTF-8, not ASCII: "１" is 3 bytes.
	assert_false(valid_str("\xef\xbc\x91"
	                       "0000000146"));
}

static void test_embedded_nul(void **state)
{
	(void)state;
	// NUL in place of a digit: the C string would read "10000", the length
	// says 11; it must not be validated as either.
	char buf[BM_TCKN_LEN];
	memcpy(buf, "10000000146", BM_TCKN_LEN);
	for (size_t pos = 0; pos < BM_TCKN_LEN; pos++) {
		char orig = buf[pos];
		buf[pos] = '\0';
		assert_false(bm_tckn_valid(buf, sizeof(buf)));
		buf[pos] = orig;
	}
	// A valid number followed by a NUL counted in the length (12 bytes).
	assert_false(bm_tckn_valid("10000000146", 12));
}

// 7·odd − even is negative when the odd digits are small and the even ones
// large. 1 9 0 9 0 9 0 9 0: 7·1 − 36 = −29; the true remainder is 1, C's
// (−29) % 10 is −9 and |−29| % 10 is 9. Only d10 = 1 must pass.
static void test_negative_modulo(void **state)
{
	(void)state;
	volatile int raw = 7 * 1 - 36;  // volatile: keep the compiler honest
	assert_int_equal(raw % 10, -9); // the trap this test is about
	assert_true(valid_str("19090909018"));
	// What taking |−29| mod 10 would give: d10 = 9, d11 = (37 + 9) mod 10
	// = 6. Rejected, and so is d10 = 9 with any d11.
	assert_false(valid_str("19090909096"));
	char buf[BM_TCKN_LEN];
	memcpy(buf, "19090909090", BM_TCKN_LEN);
	for (char c = '0'; c <= '9'; c++) {
		buf[9] = '9';
		buf[10] = c;
		assert_false(bm_tckn_valid(buf, sizeof(buf)));
	}
	// −29 (d1 = 1, every even digit 9) is the smallest possible value;
	// two more negative cases:
	assert_true(valid_str("11090909098")); // −21 → 9
	assert_true(valid_str("29090909086")); // −22 → 8
}

static void test_foreign(void **state)
{
	(void)state;
	assert_true(bm_tckn_is_foreign("99000000042", 11));
	assert_true(bm_tckn_is_foreign("99123456740", 11));
	assert_true(bm_tckn_is_foreign("99100000010", 11));
	assert_false(bm_tckn_is_foreign("10000000146", 11)); // citizen
	assert_false(bm_tckn_is_foreign("98765432150", 11)); // starts 98
	assert_false(bm_tckn_is_foreign("99999999990", 10)); // wrong length
	assert_false(bm_tckn_is_foreign("99000000043", 11)); // bad d11
	assert_false(bm_tckn_is_foreign(NULL, 11));
	assert_false(bm_tckn_is_foreign("99", 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_known_valid_numbers),
	    cmocka_unit_test(test_single_change_proof_facts),
	    cmocka_unit_test(test_every_single_digit_corruption_rejected),
	    cmocka_unit_test(test_generated_numbers_and_corruptions),
	    cmocka_unit_test(test_wrong_lengths),
	    cmocka_unit_test(test_unterminated_buffer),
	    cmocka_unit_test(test_leading_zero),
	    cmocka_unit_test(test_non_digits),
	    cmocka_unit_test(test_embedded_nul),
	    cmocka_unit_test(test_negative_modulo),
	    cmocka_unit_test(test_foreign),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
