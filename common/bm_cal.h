// SPDX-License-Identifier: MIT
//
// bm_cal: dates and the business-day calendar behind every legal deadline
// (rules.md D1, D2, D4, D6, A2, A4). A date is a bm_day, the number of days
// since 1970-01-01 in the proleptic Gregorian calendar, so that date
// arithmetic is integer arithmetic and no time zone is involved: deadlines
// are whole days in Europe/Istanbul, the caller turns a timestamp into its
// local date first.
//
// Public holidays are data (the `holidays` table, edited by the centre's
// administrators as laws and the Diyanet calendar change): the caller loads
// them into a struct bm_cal; nothing here knows any holiday. Supported dates
// are 0001-01-01 … 9999-12-31, the range ISO "YYYY-MM-DD" can write; anything
// outside is BM_DAY_INVALID.
//
// A loaded calendar is only read by the query functions, so one calendar may
// be shared by threads once it is filled.

#ifndef BM_CAL_H
#define BM_CAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// Days since 1970-01-01 (day 0, a Thursday); negative before it.
typedef int32_t bm_day;

// Returned for impossible dates and results out of the supported range.
#define BM_DAY_INVALID INT32_MIN

// Length of "YYYY-MM-DD" without and with its terminating NUL.
#define BM_CAL_ISO_LEN  10
#define BM_CAL_ISO_SIZE 11

// The day of y-m-d, or BM_DAY_INVALID when the date does not exist (month 13,
// 30 February, 29 February outside a leap year) or is outside 0001…9999.
bm_day bm_cal_day_from_ymd(int y, int m, int d);

// True when day lies in the supported range 0001-01-01 … 9999-12-31.
bool bm_cal_day_valid(bm_day day);

// Splits a day into year, month (1–12) and day of month (1–31). For a day
// outside the supported range all three are set to 0. Any pointer may be NULL.
void bm_cal_ymd(bm_day day, int *y, int *m, int *d);

// 0 = Monday … 6 = Sunday; -1 for a day outside the supported range.
int bm_cal_weekday(bm_day day);

// Parses exactly "YYYY-MM-DD" from s[0..n): ASCII digits, '-' separators,
// two-digit month and day, a date that exists. No sign, no spaces, nothing
// after it (n must be 10), no NUL inside. Returns false and leaves *out
// untouched when the text is not such a date.
bool bm_cal_parse_iso(const char *s, size_t n, bm_day *out);

// Writes "YYYY-MM-DD" and a NUL into buf. Returns 10, or -1 (buf set to "")
// for a day outside the supported range.
int bm_cal_format_iso(bm_day day, char buf[BM_CAL_ISO_SIZE]);

// A set of public holidays, each a full day or a half day (arife, 28 Ekim
// afternoon). Made by bm_cal_new(), freed by bm_cal_free().
struct bm_cal;

// A calendar with no holidays; NULL when out of memory. Caller frees with
// bm_cal_free().
struct bm_cal *bm_cal_new(void);

// Frees the calendar; NULL is accepted.
void bm_cal_free(struct bm_cal *cal);

// Adds a holiday. Adding a day already present keeps one entry, and that
// entry is a full holiday if any of the additions was: a fixed holiday that
// falls on an arife is still a whole day off. Returns 0, or -1 when cal is
// NULL, day is out of range or memory runs out (the calendar is unchanged).
int bm_cal_add_holiday(struct bm_cal *cal, bm_day day, bool half_day);

// Number of distinct holiday days loaded (0 for NULL).
size_t bm_cal_holiday_count(const struct bm_cal *cal);

// True when day is a full holiday / a half-day holiday of cal.
bool bm_cal_is_holiday(const struct bm_cal *cal, bm_day day);
bool bm_cal_is_half_day(const struct bm_cal *cal, bm_day day);

// A business day for the administration's deadlines (D6): Monday to Friday
// and not a full holiday. Half-day holidays ARE business days. A NULL cal
// means no holidays; a day out of range is not a business day.
bool bm_cal_is_business_day(const struct bm_cal *cal, bm_day day);

// day itself if it is a business day, otherwise the first one after it;
// BM_DAY_INVALID when day is out of range or none exists up to 9999-12-31.
bm_day bm_cal_next_business_day(const struct bm_cal *cal, bm_day day);

// D2 / A4: counting starts the day after event; returns the n-th business
// day (n = 0 gives event itself). BM_DAY_INVALID when n < 0, event is out
// of range or the result would be.
bm_day bm_cal_add_business_days(const struct bm_cal *cal, bm_day event, int n);

// D1 / D4 / A2 with D6: a period of n calendar days starting the day after
// event ends on event + n; when that is not a business day the period ends
// on the next business day. n = 0 gives the next business day from event.
// BM_DAY_INVALID when n < 0, event is out of range or the result would be.
bm_day bm_cal_add_days(const struct bm_cal *cal, bm_day event, int n);

#endif
