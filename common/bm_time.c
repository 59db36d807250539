// SPDX-License-Identifier: MIT
/*
 * bm_time: UTC DATETIME ↔ ISO 8601 with the Istanbul offset. See bm_time.h.
 */
#include "bm_time.h"

#include <stdio.h>
#include <string.h>

#define ISTANBUL_OFFSET_S (3 * 3600)

bool bm_time_db_to_iso(const char *db, char out[BM_TIME_ISO_LEN])
{
	struct tm tm = {0};
	int y, mo, d, h, mi, s;

	if (!db || sscanf(db, "%4d-%2d-%2d %2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) != 6)
		return false;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	time_t t = timegm(&tm) + ISTANBUL_OFFSET_S;
	gmtime_r(&t, &tm);
	strftime(out, BM_TIME_ISO_LEN, "%Y-%m-%dT%H:%M:%S+03:00", &tm);
	return true;
}

void bm_time_to_db(time_t t, char out[BM_TIME_ISO_LEN])
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, BM_TIME_ISO_LEN, "%Y-%m-%d %H:%M:%S", &tm);
}
