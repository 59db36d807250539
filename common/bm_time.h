// SPDX-License-Identifier: MIT
/*
 * bm_time: the API's times. MariaDB stores DATETIME(3) in UTC (sessions run
 * with time_zone '+00:00'); the API speaks ISO 8601 with the Europe/Istanbul
 * offset. Türkiye has kept UTC+03:00 all year since September 2016, and no
 * record of this system predates it, so the offset is fixed here.
 */
#ifndef BM_TIME_H
#define BM_TIME_H

#include <stdbool.h>
#include <time.h>

#define BM_TIME_ISO_LEN 32

/* "2026-11-28 18:00:05.123" (UTC) → "2026-11-28T21:00:05+03:00". False on a malformed input. */
bool bm_time_db_to_iso(const char *db, char out[BM_TIME_ISO_LEN]);

/* Seconds since the epoch → "YYYY-MM-DD HH:MM:SS" UTC for a DATETIME parameter. */
void bm_time_to_db(time_t t, char out[BM_TIME_ISO_LEN]);

#endif
