// SPDX-License-Identifier: MIT
/*
 * bm_appno: application numbers and tracking codes. See bm_appno.h.
 */
#include "bm_appno.h"

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

enum bm_err bm_appno_next(struct bm_db *db, time_t t, char out[BM_APPNO_SIZE])
{
	static const char sql[] = "SELECT NEXT VALUE FOR application_no_seq";
	struct bm_dbres *res = NULL;
	struct tm tm;
	time_t local = t + ISTANBUL_OFFSET_S;

	enum bm_err e = bm_db_run(db, sql, NULL, 0, &res);
	if (e)
		return e;
	if (res->nrows != 1 || !bm_dbres_get(res, 0, 0)) {
		bm_dbres_free(res);
		return BM_E_DB;
	}
	long long seq = strtoll(bm_dbres_get(res, 0, 0), NULL, 10);
	bm_dbres_free(res);
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
