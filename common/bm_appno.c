// SPDX-License-Identifier: MIT
/*
 * bm_appno: application numbers and tracking codes. See bm_appno.h.
 */
#include "bm_appno.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ISTANBUL_OFFSET_S (3 * 3600)

/* Luhn check digit of a digit string. */
static int luhn(const char *digits)
{
	int sum = 0, dbl = 1;
	for (size_t i = strlen(digits); i-- > 0;) {
		int d = digits[i] - '0';
		if (dbl) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
		dbl = !dbl;
	}
	return (10 - sum % 10) % 10;
}

void bm_appno_format(int year, long long seq, char out[BM_APPNO_SIZE])
{
	char digits[24];
	snprintf(digits, sizeof digits, "%04d%07lld", year, seq);
	snprintf(out, BM_APPNO_SIZE, "%04d-%07lld-%d", year, seq, luhn(digits));
}

bool bm_appno_check(const char *no)
{
	char digits[24];
	size_t n = 0, len = strlen(no);

	if (len < 14 || len > 16 || no[4] != '-' || no[len - 2] != '-')
		return false;
	for (size_t i = 0; i < len - 2; i++) {
		if (no[i] == '-')
			continue;
		if (no[i] < '0' || no[i] > '9' || n + 1 >= sizeof digits)
			return false;
		digits[n++] = no[i];
	}
	digits[n] = '\0';
	return no[len - 1] - '0' == luhn(digits);
}

/*
 * The running numbers: a process-wide queue refilled with 32 values in one
 * statement (the Sequence engine's seq_1_to_32 row source), so an intake
 * does not pay a round trip for its number. Values a process holds when it
 * stops are gaps, as after a rollback: harmless (0010_verification.sql).
 */
#define POOL_REFILL 32
#define POOL_CAP    256

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static long long pool[POOL_CAP];
static size_t pool_head, pool_len;

static bool pool_take(long long *seq)
{
	pthread_mutex_lock(&pool_lock);
	bool ok = pool_len > 0;
	if (ok) {
		*seq = pool[pool_head];
		pool_head = (pool_head + 1) % POOL_CAP;
		pool_len--;
	}
	pthread_mutex_unlock(&pool_lock);
	return ok;
}

/* Fetch POOL_REFILL values, keep the first for the caller and queue the rest. */
static enum bm_err pool_refill(struct bm_db *db, long long *seq)
{
	static const char sql[] = "SELECT NEXT VALUE FOR application_no_seq FROM seq_1_to_32";
	struct bm_dbres *res = NULL;
	enum bm_err e = bm_db_run(db, sql, NULL, 0, &res);
	if (e)
		return e;
	if (res->nrows == 0 || res->nrows > POOL_REFILL || !bm_dbres_get(res, 0, 0)) {
		bm_dbres_free(res);
		return BM_E_DB;
	}
	*seq = strtoll(bm_dbres_get(res, 0, 0), NULL, 10);
	pthread_mutex_lock(&pool_lock);
	for (size_t r = 1; r < res->nrows && pool_len < POOL_CAP; r++) {
		const char *v = bm_dbres_get(res, r, 0);
		if (v)
			pool[(pool_head + pool_len++) % POOL_CAP] = strtoll(v, NULL, 10);
	}
	pthread_mutex_unlock(&pool_lock);
	bm_dbres_free(res);
	return *seq > 0 ? BM_OK : BM_E_DB;
}

enum bm_err bm_appno_next(struct bm_db *db, time_t t, char out[BM_APPNO_SIZE])
{
	struct tm tm;
	time_t local = t + ISTANBUL_OFFSET_S;
	long long seq;

	if (!pool_take(&seq)) {
		enum bm_err e = pool_refill(db, &seq);
		if (e)
			return e;
	}
	gmtime_r(&local, &tm);
	bm_appno_format(tm.tm_year + 1900, seq, out);
	return BM_OK;
}

void bm_tracking_code(const struct bm_keys *keys, const char *appno, char out[BM_TRACKING_SIZE])
{
	unsigned char mac[BM_HMAC_LEN];
	char msg[64];
	int n = snprintf(msg, sizeof msg, "tracking-code:%s", appno);
	bm_hmac(keys->hmac, msg, (size_t)n, mac);
	bm_b64url(mac, 16, out, BM_TRACKING_SIZE);
}
