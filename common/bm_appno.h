// SPDX-License-Identifier: MIT
/*
 * bm_appno: the identifiers an application is known by.
 *
 * The application number ("2026-0001234-7": year, running number, a Luhn
 * check digit so a number misheard on the phone is caught) is public and
 * short. The tracking code is a secret: 128 bits derived with HMAC from the
 * application number under the HMAC key, so it needs no storage of its own
 * (only its SHA-256 is stored, for look-ups) and an idempotent replay of a
 * submission can hand out the same code again.
 */
#ifndef BM_APPNO_H
#define BM_APPNO_H

#include <stdbool.h>
#include <time.h>

#include "bm_crypto.h"
#include "bm_db.h"

#define BM_APPNO_SIZE    24
#define BM_TRACKING_SIZE 32

/* Draw the next number for an application made at t (the year is Istanbul's). */
enum bm_err bm_appno_next(struct bm_db *db, time_t t, char out[BM_APPNO_SIZE]);

/* Format year-seq-check; exposed for tests. */
void bm_appno_format(int year, long long seq, char out[BM_APPNO_SIZE]);

/* Whether the check digit of a well-formed number is right. */
bool bm_appno_check(const char *no);

/* The tracking code of an application number (22 base64url characters). */
void bm_tracking_code(const struct bm_keys *keys, const char *appno, char out[BM_TRACKING_SIZE]);

#endif
