// SPDX-License-Identifier: MIT
//
// bm_cal: day numbers, ISO dates and the business-day calendar (see bm_cal.h
// for the rules it serves). Conversion between y-m-d and day numbers uses the
// usual "year starts on 1 March" trick: with February last, the leap day is
// the final day of a year and month lengths from March on follow a fixed
// 153-days-per-5-months pattern, so the conversion needs no month table and
// no leap-year branch (only validating a y-m-d does). Years are grouped in
// 400-year eras of exactly 146097 days.
// Holidays are kept in an array sorted by day and searched by bisection: a
// few dozen entries per year, loaded once, read on every deadline.

#include "bm_cal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum {
	DAYS_PER_ERA = 146097,       // 400 Gregorian years
	EPOCH_FROM_0000_03 = 719468, // days from 0000-03-01 to 1970-01-01
	DAY_MIN = -719162,           // 0001-01-01
	DAY_MAX = 2932896,           // 9999-12-31
};

struct holiday {
	bm_day day;
	bool half_day;
};

struct bm_cal {
	struct holiday *items; // sorted by day, no duplicates
	size_t len;
	size_t cap;
};

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

bool bm_cal_day_valid(bm_day day)
{
	return day >= DAY_MIN && day <= DAY_MAX;
}

bm_day bm_cal_day_from_ymd(int y, int m, int d)
{
	if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return BM_DAY_INVALID;

	// Shifted year starting in March; y >= 0 afterwards, so every division
	// below is on non-negative numbers and truncation is floor.
	int sy = m <= 2 ? y - 1 : y;
	int era = sy / 400;
	int yoe = sy - era * 400;             // 0 … 399
	int mp = m <= 2 ? m + 9 : m - 3;      // March = 0 … February = 11
	int doy = (153 * mp + 2) / 5 + d - 1; // 0 … 365
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * DAYS_PER_ERA + doe - EPOCH_FROM_0000_03;
}

void bm_cal_ymd(bm_day day, int *y, int *m, int *d)
{
	int yy = 0, mm = 0, dd = 0;

	if (bm_cal_day_valid(day)) {
		int z = day + EPOCH_FROM_0000_03; // > 0 in the supported range
		int era = z / DAYS_PER_ERA;
		int doe = z - era * DAYS_PER_ERA;
		// Year of era: undo the 4/100/400 leap corrections before
		// dividing.
		int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
		int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
		int mp = (5 * doy + 2) / 153;
		dd = doy - (153 * mp + 2) / 5 + 1;
		mm = mp < 10 ? mp + 3 : mp - 9;
		yy = yoe + era * 400 + (mm <= 2);
	}
	if (y)
		*y = yy;
	if (m)
		*m = mm;
	if (d)
		*d = dd;
}

int bm_cal_weekday(bm_day day)
{
	if (!bm_cal_day_valid(day))
		return -1;
	// Day 0 was a Thursday (3). C's % keeps the dividend's sign, so days
	// before 1970 give a negative remainder that is folded back.
	int r = (day + 3) % 7;
	return r < 0 ? r + 7 : r;
}

// Value of n ASCII digits, or -1 if any byte is not one.
static int parse_digits(const char *s, size_t n)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

bool bm_cal_parse_iso(const char *s, size_t n, bm_day *out)
{
	if (s == NULL || out == NULL || n != BM_CAL_ISO_LEN)
		return false;
	if (s[4] != '-' || s[7] != '-')
		return false;
	int y = parse_digits(s, 4);
	int m = parse_digits(s + 5, 2);
	int d = parse_digits(s + 8, 2);
	if (y < 0 || m < 0 || d < 0)
		return false;
	bm_day day = bm_cal_day_from_ymd(y, m, d);
	if (day == BM_DAY_INVALID)
		return false;
	*out = day;
	return true;
}

// Writes v as exactly `width` decimal digits (v fits, callers guarantee).
static void put_digits(char *p, int v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

int bm_cal_format_iso(bm_day day, char buf[BM_CAL_ISO_SIZE])
{
	int y, m, d;

	if (!bm_cal_day_valid(day)) {
		buf[0] = '\0';
		return -1;
	}
	bm_cal_ymd(day, &y, &m, &d);
	put_digits(buf, y, 4);
	buf[4] = '-';
	put_digits(buf + 5, m, 2);
	buf[7] = '-';
	put_digits(buf + 8, d, 2);
	buf[10] = '\0';
	return BM_CAL_ISO_LEN;
}

struct bm_cal *bm_cal_new(void)
{
	return calloc(1, sizeof(struct bm_cal));
}

void bm_cal_free(struct bm_cal *cal)
{
	if (cal == NULL)
		return;
	free(cal->items);
	free(cal);
}

// Index of the first entry whose day is >= day (cal->len if none).
static size_t lower_bound(const struct bm_cal *cal, bm_day day)
{
	size_t lo = 0, hi = cal->len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cal->items[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct holiday *find(const struct bm_cal *cal, bm_day day)
{
	if (cal == NULL)
		return NULL;
	size_t i = lower_bound(cal, day);
	return i < cal->len && cal->items[i].day == day ? &cal->items[i] : NULL;
}

// Makes room for one more entry; -1 when out of memory (nothing changed).
static int reserve_one(struct bm_cal *cal)
{
	if (cal->len < cal->cap)
		return 0;
	size_t cap = cal->cap ? cal->cap * 2 : 32;
	if (cap > SIZE_MAX / sizeof(struct holiday))
		return -1;
	struct holiday *items = realloc(cal->items, cap * sizeof(*items));
	if (items == NULL)
		return -1;
	cal->items = items;
	cal->cap = cap;
	return 0;
}

int bm_cal_add_holiday(struct bm_cal *cal, bm_day day, bool half_day)
{
	if (cal == NULL || !bm_cal_day_valid(day))
		return -1;
	size_t i = lower_bound(cal, day);
	if (i < cal->len && cal->items[i].day == day) {
		// A full holiday wins over a half one on the same day.
		cal->items[i].half_day = cal->items[i].half_day && half_day;
		return 0;
	}
	if (reserve_one(cal) != 0)
		return -1;
	memmove(&cal->items[i + 1], &cal->items[i], (cal->len - i) * sizeof(cal->items[0]));
	cal->items[i] = (struct holiday){.day = day, .half_day = half_day};
	cal->len++;
	return 0;
}

size_t bm_cal_holiday_count(const struct bm_cal *cal)
{
	return cal ? cal->len : 0;
}

bool bm_cal_is_holiday(const struct bm_cal *cal, bm_day day)
{
	const struct holiday *h = find(cal, day);
	return h != NULL && !h->half_day;
}

bool bm_cal_is_half_day(const struct bm_cal *cal, bm_day day)
{
	const struct holiday *h = find(cal, day);
	return h != NULL && h->half_day;
}

bool bm_cal_is_business_day(const struct bm_cal *cal, bm_day day)
{
	int wd = bm_cal_weekday(day);
	if (wd < 0 || wd >= 5)
		return false;
	return !bm_cal_is_holiday(cal, day);
}

bm_day bm_cal_next_business_day(const struct bm_cal *cal, bm_day day)
{
	if (!bm_cal_day_valid(day))
		return BM_DAY_INVALID;
	for (bm_day d = day; d <= DAY_MAX; d++) {
		if (bm_cal_is_business_day(cal, d))
			return d;
	}
	return BM_DAY_INVALID;
}

bm_day bm_cal_add_business_days(const struct bm_cal *cal, bm_day event, int n)
{
	if (n < 0 || !bm_cal_day_valid(event))
		return BM_DAY_INVALID;
	bm_day d = event;
	while (n > 0) {
		if (d >= DAY_MAX)
			return BM_DAY_INVALID;
		d++;
		if (bm_cal_is_business_day(cal, d))
			n--;
	}
	return d;
}

bm_day bm_cal_add_days(const struct bm_cal *cal, bm_day event, int n)
{
	if (n < 0 || !bm_cal_day_valid(event))
		return BM_DAY_INVALID;
	// Widened: event + n can exceed int32 before the range check.
	int64_t last = (int64_t)event + n;
	if (last > DAY_MAX)
		return BM_DAY_INVALID;
	return bm_cal_next_business_day(cal, (bm_day)last);
}
