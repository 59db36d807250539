// SPDX-License-Identifier: MIT
/*
 * Unit tests of the small pure modules: log scrubbing (no ID number in a
 * log line), the personal-data crypto (seal/open, HMAC, tokens), strict
 * unsigned parsing and time conversion.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bm_cfg.h"
#include "bm_crypto.h"
#include "bm_log.h"
#include "bm_time.h"

static void test_scrub(void **state)
{
	(void)state;
	char a[] = "tckn 10000000146 and 123456789012345 end";
	bm_log_scrub(a);
	assert_string_equal(a, "tckn *********** and *************** end");
	char b[] = "ok 1234567890 short";
	bm_log_scrub(b);
	assert_string_equal(b, "ok 1234567890 short");
	char c[] = "10000000146";
	bm_log_scrub(c);
	assert_string_equal(c, "***********");
}

static void test_seal_open(void **state)
{
	(void)state;
	unsigned char key[BM_KEY_LEN] = {1, 2, 3}, sealed[64], again[64];
	char plain[16];
	size_t n, m, p;
	assert_int_equal(bm_seal(key, "10000000146", 11, sealed, sizeof sealed, &n), BM_OK);
	assert_int_equal(n, BM_TCKN_ENC_LEN);
	assert_null(memmem(sealed, n, "10000000146", 11));
	assert_int_equal(bm_seal(key, "10000000146", 11, again, sizeof again, &m), BM_OK);
	assert_memory_not_equal(sealed, again, n); /* a fresh nonce each time */
	assert_int_equal(bm_open(key, sealed, n, plain, sizeof plain, &p), BM_OK);
	assert_int_equal(p, 11);
	assert_memory_equal(plain, "10000000146", 11);
	sealed[BM_GCM_NONCE + 3] ^= 1; /* tampering is detected */
	assert_int_not_equal(bm_open(key, sealed, n, plain, sizeof plain, &p), BM_OK);
	key[0] ^= 1;
	assert_int_not_equal(bm_open(key, again, m, plain, sizeof plain, &p), BM_OK);
}

static void test_hmac_and_tokens(void **state)
{
	(void)state;
	unsigned char k1[BM_KEY_LEN] = {9}, k2[BM_KEY_LEN] = {8}, a[32], b[32];
	bm_hmac(k1, "10000000146", 11, a);
	bm_hmac(k2, "10000000146", 11, b);
	assert_memory_not_equal(a, b, 32);
	bm_hmac(k1, "10000000146", 11, b);
	assert_true(bm_ct_equal(a, b, 32));
	char t1[64], t2[64];
	assert_int_equal(bm_random_token(16, t1, sizeof t1), BM_OK);
	assert_int_equal(bm_random_token(16, t2, sizeof t2), BM_OK);
	assert_int_equal(strlen(t1), 22);
	assert_string_not_equal(t1, t2);
	assert_int_equal(
	    strspn(t1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), 22);
	assert_int_not_equal(bm_random_token(16, t1, 10), BM_OK);
}

static void test_parse_uint(void **state)
{
	(void)state;
	unsigned long long v;
	assert_int_equal(bm_parse_uint("0", 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(bm_parse_uint("1048576", 1 << 20, &v), 0);
	assert_int_equal(bm_parse_uint("1048577", 1 << 20, &v), -1);
	/* Regression: one digit above a one-digit maximum was let through (max - d wrapped). */
	assert_int_equal(bm_parse_uint("9", 8, &v), -1);
	assert_int_equal(bm_parse_uint("8", 8, &v), 0);
	assert_int_equal(v, 8);
	assert_int_equal(bm_parse_uint("1", 0, &v), -1);
	assert_int_equal(bm_parse_uint("18446744073709551616", ~0ULL, &v), -1);
	static const char *const bad[] = {"", "-1", "+1", " 1", "1 ", "0x10", "1e3", "١", NULL};
	for (const char *const *b = bad; *b; b++)
		assert_int_equal(bm_parse_uint(*b, 1000, &v), -1);
	assert_int_equal(bm_parse_uint(NULL, 1000, &v), -1);
}

static void test_time(void **state)
{
	(void)state;
	char iso[BM_TIME_ISO_LEN];
	assert_true(bm_time_db_to_iso("2026-12-31 22:30:05.123", iso));
	assert_string_equal(iso, "2027-01-01T01:30:05+03:00");
	assert_false(bm_time_db_to_iso("garbage", iso));
	bm_time_to_db(0, iso);
	assert_string_equal(iso, "1970-01-01 00:00:00");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scrub),
	    cmocka_unit_test(test_seal_open),
	    cmocka_unit_test(test_hmac_and_tokens),
	    cmocka_unit_test(test_parse_uint),
	    cmocka_unit_test(test_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
