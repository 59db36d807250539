// SPDX-License-Identifier: MIT
/*
 * Unit tests of the small pure modules: log scrubbing (no ID number in a
 * log line), request lines held and written in blocks, the personal-data crypto (seal/open, HMAC,
 * tokens), strict unsigned parsing and time conversion.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

/* stderr goes to a temporary file for the test; returns the saved stderr. */
static int capture_stderr(FILE **f)
{
	fflush(stderr);
	int saved = dup(STDERR_FILENO);
	*f = tmpfile();
	assert_non_null(*f);
	assert_int_equal(dup2(fileno(*f), STDERR_FILENO), STDERR_FILENO);
	return saved;
}

static void restore_stderr(int saved, FILE *f)
{
	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	fclose(f);
}

/* What the file holds: the number of complete lines, and whether every line is one. */
static size_t lines_in(FILE *f, const char *must_end_with)
{
	long size = lseek(fileno(f), 0, SEEK_END);
	char *text = calloc(1, (size_t)size + 1);
	assert_non_null(text);
	assert_int_equal(pread(fileno(f), text, (size_t)size, 0), size);
	size_t n = 0;
	for (char *line = text; *line;) {
		char *nl = strchr(line, '\n');
		assert_non_null(nl); /* never a partial line */
		assert_memory_equal(line, "{\"ts\":", 6);
		n++;
		if (!nl[1] && must_end_with)
			assert_non_null(strstr(line, must_end_with));
		line = nl + 1;
	}
	free(text);
	return n;
}

static void test_request_lines_are_held(void **state)
{
	(void)state;
	FILE *f;
	int saved = capture_stderr(&f);

	bm_log_flush();
	bm_log_request("r1", "POST", "/api/v1/status", 404, 0.5);
	bm_log_request("r2", "POST", "/api/v1/status", 200, 0.5);
	assert_true(bm_log_pending());
	assert_int_equal(lines_in(f, NULL), 0); /* held */
	bm_log(BM_LOG_WARN, "r3", "a warning"); /* writes what was held, then itself */
	assert_false(bm_log_pending());
	assert_int_equal(lines_in(f, "a warning"), 3);
	/* a full block is written whole: lines are never split */
	size_t n = 0;
	while (lines_in(f, NULL) == 3) {
		bm_log_request("r4", "POST", "/api/v1/applications", 202, 1.0);
		n++;
		assert_true(n < BM_LOG_BLOCK); /* the block fills */
	}
	assert_int_equal(lines_in(f, NULL), 3 + n - 1); /* the last one starts the next block */
	bm_log_flush();
	assert_int_equal(lines_in(f, NULL), 3 + n);
	/* a line held since an earlier second goes out with the next one */
	bm_log_request("r5", "GET", "/api/v1/institutions", 200, 0.1);
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &t0);
	do {
		usleep(10000);
		clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
	} while (t.tv_sec == t0.tv_sec);
	assert_int_equal(lines_in(f, NULL), 3 + n);
	bm_log_request("r6", "GET", "/api/v1/institutions", 200, 0.1);
	assert_int_equal(lines_in(f, "\"r5\""), 4 + n);
	bm_log_flush();
	assert_int_equal(lines_in(f, "\"r6\""), 5 + n);
	restore_stderr(saved, f);
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
	    cmocka_unit_test(test_scrub),      cmocka_unit_test(test_request_lines_are_held),
	    cmocka_unit_test(test_seal_open),  cmocka_unit_test(test_hmac_and_tokens),
	    cmocka_unit_test(test_parse_uint), cmocka_unit_test(test_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
