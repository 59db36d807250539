// SPDX-License-Identifier: MIT
//
// Unit tests of bm_cal: day numbers, ISO dates, and the business-day rules
// of rules.md D1, D2, D4 and D6 over the 2025–2026 public holidays. The
// holidays are loaded here as data, the way a service loads the `holidays`
// table. Every expected deadline is worked out by hand in a comment, day by
// day, so a reader can check it against a paper calendar.
//
// Weekdays used below (checked by test_weekdays):
//   2025-01-01 Wed, 2025-03-29 Sat, 2025-06-05 Thu, 2025-10-28 Tue,
//   2025-10-29 Wed, 2026-01-01 Thu, 2026-03-19 Thu, 2026-05-26 Tue,
//   2028-02-29 Tue.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "bm_cal.h"

// rules.md "Public holidays": fixed ones plus the religious holidays, each
// with its half-day arife. 28 Ekim is half, 29 Ekim full.
static const struct {
	const char *date;
	bool half;
} holidays_2025_2026[] = {
    // clang-format off
    {"2025-01-01", false},                        // Yılbaşı
    {"2025-03-29", true},                         // Ramazan arife (Sat)
    {"2025-03-30", false}, {"2025-03-31", false}, // Ramazan Bayramı
    {"2025-04-01", false},
    {"2025-04-23", false}, {"2025-05-01", false}, {"2025-05-19", false},
    {"2025-06-05", true},                         // Kurban arife (Thu)
    {"2025-06-06", false}, {"2025-06-07", false}, // Kurban Bayramı
    {"2025-06-08", false}, {"2025-06-09", false},
    {"2025-07-15", false}, {"2025-08-30", false},
    {"2025-10-28", true},  {"2025-10-29", false}, // Cumhuriyet Bayramı
    {"2026-01-01", false},
    {"2026-03-19", true},                         // Ramazan arife (Thu)
    {"2026-03-20", false}, {"2026-03-21", false}, // Ramazan Bayramı
    {"2026-03-22", false},
    {"2026-04-23", false}, {"2026-05-01", false}, {"2026-05-19", false},
    {"2026-05-26", true},                         // Kurban arife (Tue)
    {"2026-05-27", false}, {"2026-05-28", false}, // Kurban Bayramı
    {"2026-05-29", false}, {"2026-05-30", false},
    {"2026-07-15", false}, {"2026-08-30", false},
    {"2026-10-28", true},  {"2026-10-29", false},
    // clang-format on
};

#define N_HOLIDAYS (sizeof(holidays_2025_2026) / sizeof(holidays_2025_2026[0]))

static bm_day day(const char *iso)
{
	bm_day d = BM_DAY_INVALID;
	if (!bm_cal_parse_iso(iso, strlen(iso), &d))
		fail_msg("test date %s does not parse", iso);
	return d;
}

// Compares as text so a failure prints the two dates, not two day numbers.
static void assert_day(bm_day got, const char *want)
{
	char buf[BM_CAL_ISO_SIZE];
	if (bm_cal_format_iso(got, buf) < 0)
		fail_msg("expected %s, got invalid day %d", want, (int)got);
	assert_string_equal(buf, want);
}

static int setup_cal(void **state)
{
	struct bm_cal *cal = bm_cal_new();
	if (cal == NULL)
		return -1;
	// Loaded backwards on purpose: the calendar must sort what it is given.
	for (size_t i = N_HOLIDAYS; i-- > 0;) {
		if (bm_cal_add_holiday(cal, day(holidays_2025_2026[i].date),
		                       holidays_2025_2026[i].half) != 0) {
			bm_cal_free(cal);
			return -1;
		}
	}
	*state = cal;
	return 0;
}

static int teardown_cal(void **state)
{
	bm_cal_free(*state);
	return 0;
}

// ---- day numbers --------------------------------------------------------

static void test_known_day_numbers(void **state)
{
	(void)state;
	assert_int_equal(bm_cal_day_from_ymd(1970, 1, 1), 0);
	assert_int_equal(bm_cal_day_from_ymd(1969, 12, 31), -1);
	// 30 years 1970–1999 with 7 leap days (72 76 80 84 88 92 96):
	// 30·365 + 7 = 10957.
	assert_int_equal(bm_cal_day_from_ymd(2000, 1, 1), 10957);
	// + 26 years 2000–2025 with 7 leap days (00 04 08 12 16 20 24):
	// 10957 + 26·365 + 7 = 20454.
	assert_int_equal(bm_cal_day_from_ymd(2026, 1, 1), 20454);
	// 2028-01-01 = 20454 + 365 + 365 = 21184; + 31 (Jan) + 28 = 21243.
	assert_int_equal(bm_cal_day_from_ymd(2028, 2, 29), 21243);
	assert_int_equal(bm_cal_day_from_ymd(1, 1, 1), -719162);
	assert_int_equal(bm_cal_day_from_ymd(9999, 12, 31), 2932896);
}

// Every supported day: y-m-d and back gives the same day, and consecutive
// days are consecutive dates. This covers all month ends and leap rules.
static void test_every_day_round_trips(void **state)
{
	(void)state;
	bm_day first = bm_cal_day_from_ymd(1, 1, 1);
	bm_day last = bm_cal_day_from_ymd(9999, 12, 31);
	int py = 0, pm = 12, pd = 31; // "0000-12-31", the day before
	for (bm_day d = first; d <= last; d++) {
		int y, m, dd;
		bm_cal_ymd(d, &y, &m, &dd);
		if (bm_cal_day_from_ymd(y, m, dd) != d)
			fail_msg("day %d → %04d-%02d-%02d does not round-trip", (int)d, y, m, dd);
		bool next_day = y == py && m == pm && dd == pd + 1;
		bool next_month = y == py && m == pm + 1 && dd == 1;
		bool next_year = y == py + 1 && m == 1 && dd == 1 && pm == 12;
		if (!next_day && !next_month && !next_year)
			fail_msg("%04d-%02d-%02d follows %04d-%02d-%02d", y, m, dd, py, pm, pd);
		py = y;
		pm = m;
		pd = dd;
	}
}

static void test_invalid_dates(void **state)
{
	(void)state;
	static const int bad[][3] = {
	    {2026, 2, 29},        {2026, 2, 30},        {2026, 4, 31},     {2026, 13, 1},
	    {2026, 0, 1},         {2026, 1, 0},         {2026, 1, 32},     {2026, -1, 1},
	    {1900, 2, 29},        {2100, 2, 29},        {2027, 2, 29},     {0, 1, 1},
	    {10000, 1, 1},        {-1, 1, 1},           {INT32_MAX, 1, 1}, {INT32_MIN, 1, 1},
	    {2026, INT32_MAX, 1}, {2026, 1, INT32_MIN},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (bm_cal_day_from_ymd(bad[i][0], bad[i][1], bad[i][2]) != BM_DAY_INVALID)
			fail_msg("%d-%d-%d accepted", bad[i][0], bad[i][1], bad[i][2]);
	}
	assert_true(BM_DAY_INVALID < 0);

	// Out-of-range days split into zeros, have no weekday, no ISO form.
	int y = -1, m = -1, d = -1;
	bm_cal_ymd(BM_DAY_INVALID, &y, &m, &d);
	assert_int_equal(y, 0);
	assert_int_equal(m, 0);
	assert_int_equal(d, 0);
	bm_cal_ymd(2932897, &y, &m, &d); // 10000-01-01
	assert_int_equal(y, 0);
	bm_cal_ymd(0, NULL, NULL, NULL); // NULL outputs are allowed
	assert_int_equal(bm_cal_weekday(BM_DAY_INVALID), -1);
	assert_int_equal(bm_cal_weekday(-719163), -1);
	assert_false(bm_cal_day_valid(BM_DAY_INVALID));
	assert_true(bm_cal_day_valid(0));
}

static void test_leap_years(void **state)
{
	(void)state;
	// Divisible by 4 → leap, by 100 → not, by 400 → leap.
	assert_int_not_equal(bm_cal_day_from_ymd(2028, 2, 29), BM_DAY_INVALID);
	assert_int_not_equal(bm_cal_day_from_ymd(2024, 2, 29), BM_DAY_INVALID);
	assert_int_not_equal(bm_cal_day_from_ymd(2000, 2, 29), BM_DAY_INVALID);
	assert_int_equal(bm_cal_day_from_ymd(2100, 2, 29), BM_DAY_INVALID);
	// 2028-02-28 + 1 = 02-29, + 2 = 03-01; 2027-02-28 + 1 = 03-01.
	assert_day(bm_cal_day_from_ymd(2028, 2, 28) + 1, "2028-02-29");
	assert_day(bm_cal_day_from_ymd(2028, 2, 28) + 2, "2028-03-01");
	assert_day(bm_cal_day_from_ymd(2027, 2, 28) + 1, "2027-03-01");
	// Year lengths.
	assert_int_equal(bm_cal_day_from_ymd(2029, 1, 1) - bm_cal_day_from_ymd(2028, 1, 1), 366);
	assert_int_equal(bm_cal_day_from_ymd(2028, 1, 1) - bm_cal_day_from_ymd(2027, 1, 1), 365);
	assert_int_equal(bm_cal_day_from_ymd(2101, 1, 1) - bm_cal_day_from_ymd(2100, 1, 1), 365);
	assert_int_equal(bm_cal_day_from_ymd(2001, 1, 1) - bm_cal_day_from_ymd(2000, 1, 1), 366);
}

static void test_weekdays(void **state)
{
	(void)state;
	assert_int_equal(bm_cal_weekday(0), 3);                 // 1970-01-01 Thursday
	assert_int_equal(bm_cal_weekday(-1), 2);                // 1969-12-31 Wednesday
	assert_int_equal(bm_cal_weekday(day("0001-01-01")), 0); // Monday
	assert_int_equal(bm_cal_weekday(day("2025-01-01")), 2);
	assert_int_equal(bm_cal_weekday(day("2025-03-29")), 5);
	assert_int_equal(bm_cal_weekday(day("2025-06-05")), 3);
	assert_int_equal(bm_cal_weekday(day("2025-10-28")), 1);
	assert_int_equal(bm_cal_weekday(day("2025-10-29")), 2);
	assert_int_equal(bm_cal_weekday(day("2026-01-01")), 3);
	assert_int_equal(bm_cal_weekday(day("2026-03-19")), 3);
	assert_int_equal(bm_cal_weekday(day("2026-05-26")), 1);
	assert_int_equal(bm_cal_weekday(day("2026-03-01")), 6); // Sunday
	assert_int_equal(bm_cal_weekday(day("2028-02-29")), 1);
	// Seven consecutive days give each weekday once, in order.
	bm_day mon = day("2026-03-02");
	for (int i = 0; i < 7; i++)
		assert_int_equal(bm_cal_weekday(mon + i), i);
}

// ---- ISO text -----------------------------------------------------------

static void test_parse_iso_valid(void **state)
{
	(void)state;
	bm_day d = 0;
	assert_true(bm_cal_parse_iso("2026-02-01", 10, &d));
	assert_int_equal(d, bm_cal_day_from_ymd(2026, 2, 1));
	assert_true(bm_cal_parse_iso("2028-02-29", 10, &d));
	assert_int_equal(d, 21243);
	assert_true(bm_cal_parse_iso("0001-01-01", 10, &d));
	assert_int_equal(d, -719162);
	assert_true(bm_cal_parse_iso("9999-12-31", 10, &d));
	assert_int_equal(d, 2932896);
	// Unterminated input: the length is all that counts.
	const char raw[10] = {'2', '0', '2', '6', '-', '1', '0', '-', '2', '9'};
	assert_true(bm_cal_parse_iso(raw, sizeof(raw), &d));
	assert_day(d, "2026-10-29");
	// A longer string parsed over its first 10 bytes.
	assert_true(bm_cal_parse_iso("2026-02-01T00:00:00", 10, &d));
	assert_day(d, "2026-02-01");
}

static void test_parse_iso_rejects(void **state)
{
	(void)state;
	static const char *const bad[] = {
	    "2026-2-1",
	    "2026-02-1",
	    "2026-2-01",
	    "2026-02-30",
	    "2026-02-29",
	    "2026-13-01",
	    "2026-00-10",
	    "2026-02-00",
	    "2026-04-31",
	    "0000-01-01",
	    "2026/02/01",
	    "20260201",
	    "2026-02-01x",
	    "+2026-02-01",
	    " 2026-02-01",
	    "2026-02-01 ",
	    "-026-02-01",
	    "2026--2-01",
	    "2026-0a-01",
	    "2026-02-0 ",
	    "2026-02- 1",
	    "２026-02-01",
	    "",
	    "2026-02-01T00:00",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bm_day d = 12345;
		if (bm_cal_parse_iso(bad[i], strlen(bad[i]), &d))
			fail_msg("\"%s\" accepted", bad[i]);
		assert_int_equal(d, 12345); // untouched on failure
	}
	bm_day d = 12345;
	// Right text, wrong length.
	assert_false(bm_cal_parse_iso("2026-02-01", 9, &d));
	assert_false(bm_cal_parse_iso("2026-02-01", 11, &d)); // NUL included
	// Embedded NUL at every position of a 10-byte input.
	for (size_t pos = 0; pos < 10; pos++) {
		char buf[10];
		memcpy(buf, "2026-02-01", 10);
		buf[pos] = '\0';
		assert_false(bm_cal_parse_iso(buf, sizeof(buf), &d));
	}
	assert_false(bm_cal_parse_iso(NULL, 10, &d));
	assert_false(bm_cal_parse_iso("2026-02-01", 10, NULL));
	assert_int_equal(d, 12345);
}

static void test_format_iso(void **state)
{
	(void)state;
	char buf[BM_CAL_ISO_SIZE];
	assert_int_equal(bm_cal_format_iso(0, buf), 10);
	assert_string_equal(buf, "1970-01-01");
	assert_int_equal(bm_cal_format_iso(-1, buf), 10);
	assert_string_equal(buf, "1969-12-31");
	assert_int_equal(bm_cal_format_iso(-719162, buf), 10);
	assert_string_equal(buf, "0001-01-01");
	assert_int_equal(bm_cal_format_iso(2932896, buf), 10);
	assert_string_equal(buf, "9999-12-31");
	assert_int_equal(bm_cal_format_iso(2932897, buf), -1);
	assert_string_equal(buf, "");
	assert_int_equal(bm_cal_format_iso(BM_DAY_INVALID, buf), -1);
	assert_string_equal(buf, "");
	// format ∘ parse is the identity over a spread of days.
	for (bm_day d = -719162; d <= 2932896; d += 997) {
		bm_day back;
		assert_int_equal(bm_cal_format_iso(d, buf), 10);
		assert_true(bm_cal_parse_iso(buf, 10, &back));
		assert_int_equal(back, d);
	}
}

// ---- the holiday set ----------------------------------------------------

static void test_holiday_set(void **state)
{
	(void)state;
	bm_cal_free(NULL); // accepted
	assert_int_equal(bm_cal_add_holiday(NULL, 0, false), -1);
	assert_int_equal(bm_cal_holiday_count(NULL), 0);

	struct bm_cal *cal = bm_cal_new();
	assert_non_null(cal);
	assert_int_equal(bm_cal_add_holiday(cal, BM_DAY_INVALID, false), -1);
	assert_int_equal(bm_cal_add_holiday(cal, 2932897, false), -1);
	assert_int_equal(bm_cal_holiday_count(cal), 0);

	// Enough entries to force several reallocations, added out of order.
	for (int i = 0; i < 200; i++) {
		bm_day d = (bm_day)((i * 37) % 200) * 2; // even days 0 … 398
		assert_int_equal(bm_cal_add_holiday(cal, d, i % 2 == 0), 0);
	}
	assert_int_equal(bm_cal_holiday_count(cal), 200);
	for (bm_day d = -2; d < 402; d++) {
		bool listed = d >= 0 && d < 400 && d % 2 == 0;
		assert_int_equal(bm_cal_is_holiday(cal, d) || bm_cal_is_half_day(cal, d), listed);
	}

	// The same day again: one entry; a full addition wins over a half one,
	// whichever comes first.
	bm_day a = day("2030-01-01"), b = day("2030-01-02");
	assert_int_equal(bm_cal_add_holiday(cal, a, true), 0);
	assert_int_equal(bm_cal_add_holiday(cal, a, false), 0);
	assert_int_equal(bm_cal_add_holiday(cal, b, false), 0);
	assert_int_equal(bm_cal_add_holiday(cal, b, true), 0);
	assert_int_equal(bm_cal_holiday_count(cal), 202);
	assert_true(bm_cal_is_holiday(cal, a));
	assert_false(bm_cal_is_half_day(cal, a));
	assert_true(bm_cal_is_holiday(cal, b));
	assert_false(bm_cal_is_half_day(cal, b));
	bm_cal_free(cal);
}

static void test_loaded_holidays(void **state)
{
	const struct bm_cal *cal = *state;
	assert_int_equal(bm_cal_holiday_count(cal), N_HOLIDAYS);
	assert_true(bm_cal_is_holiday(cal, day("2025-01-01")));
	assert_true(bm_cal_is_half_day(cal, day("2025-10-28")));
	assert_false(bm_cal_is_holiday(cal, day("2025-10-28")));
	assert_true(bm_cal_is_holiday(cal, day("2025-10-29")));
	assert_false(bm_cal_is_holiday(cal, day("2025-10-30")));
	assert_false(bm_cal_is_half_day(cal, day("2025-10-30")));
}

// ---- business days ------------------------------------------------------

static void test_weekends(void **state)
{
	const struct bm_cal *cal = *state;
	// 2026-03-02 Mon … 2026-03-08 Sun: no holiday that week.
	bm_day mon = day("2026-03-02");
	for (int i = 0; i < 5; i++)
		assert_true(bm_cal_is_business_day(cal, mon + i));
	assert_false(bm_cal_is_business_day(cal, mon + 5)); // Sat
	assert_false(bm_cal_is_business_day(cal, mon + 6)); // Sun
	// Without a calendar only weekends count.
	assert_true(bm_cal_is_business_day(NULL, day("2026-01-01")));
	assert_false(bm_cal_is_business_day(NULL, day("2026-01-03")));
	assert_false(bm_cal_is_business_day(cal, BM_DAY_INVALID));
	// Fri 2026-03-06 → next business day Mon 03-09; a business day is its
	// own next business day.
	assert_day(bm_cal_next_business_day(cal, day("2026-03-07")), "2026-03-09");
	assert_day(bm_cal_next_business_day(cal, day("2026-03-08")), "2026-03-09");
	assert_day(bm_cal_next_business_day(cal, day("2026-03-06")), "2026-03-06");
	// Fri 03-06 + 1 business day = Mon 03-09 (Sat 07, Sun 08 skipped).
	assert_day(bm_cal_add_business_days(cal, day("2026-03-06"), 1), "2026-03-09");
}

static void test_holidays_and_half_days(void **state)
{
	const struct bm_cal *cal = *state;
	assert_false(bm_cal_is_business_day(cal, day("2025-01-01"))); // Wed
	assert_false(bm_cal_is_business_day(cal, day("2026-01-01"))); // Thu
	assert_false(bm_cal_is_business_day(cal, day("2026-03-20"))); // Fri
	// Half days are business days for the administration (D6)…
	assert_true(bm_cal_is_business_day(cal, day("2026-03-19"))); // arife
	assert_true(bm_cal_is_business_day(cal, day("2025-06-05"))); // arife
	assert_true(bm_cal_is_business_day(cal, day("2026-05-26"))); // arife
	assert_true(bm_cal_is_business_day(cal, day("2025-10-28")));
	// …unless they fall on a weekend: arife 2025-03-29 is a Saturday.
	assert_false(bm_cal_is_business_day(cal, day("2025-03-29")));
	// Inside Kurban 2026 (27–30 May Wed–Sat, 31 May Sun) the next business
	// day is Mon 1 June.
	assert_day(bm_cal_next_business_day(cal, day("2026-05-27")), "2026-06-01");
}

// D2, Ramazan Bayramı 2026: received Mon 2026-03-09, 15 business days.
//   Tue 10 (1), Wed 11 (2), Thu 12 (3), Fri 13 (4), [Sat 14, Sun 15],
//   Mon 16 (5), Tue 17 (6), Wed 18 (7), Thu 19 arife, half day (8),
//   [Fri 20, Sat 21, Sun 22 bayram], Mon 23 (9), Tue 24 (10), Wed 25 (11),
//   Thu 26 (12), Fri 27 (13), [Sat 28, Sun 29], Mon 30 (14), Tue 31 (15).
// Without holidays Fri 20 would count and the answer would be Mon 30.
static void test_15_business_days_ramazan_2026(void **state)
{
	const struct bm_cal *cal = *state;
	assert_day(bm_cal_add_business_days(cal, day("2026-03-09"), 15), "2026-03-31");
	assert_day(bm_cal_add_business_days(NULL, day("2026-03-09"), 15), "2026-03-30");
	// Received on the arife: counting starts Fri 20 (holiday) → Mon 23.
	assert_day(bm_cal_add_business_days(cal, day("2026-03-19"), 1), "2026-03-23");
	// Received Wed 18: the first business day is the arife itself.
	assert_day(bm_cal_add_business_days(cal, day("2026-03-18"), 1), "2026-03-19");
}

// D2, Kurban Bayramı 2025 (6–9 Jun = Fri–Mon, arife Thu 5 Jun): received
// Mon 2025-06-02, 15 business days.
//   Tue 3 (1), Wed 4 (2), Thu 5 arife, half day (3), [Fri 6, Sat 7, Sun 8,
//   Mon 9 bayram], Tue 10 (4), Wed 11 (5), Thu 12 (6), Fri 13 (7),
//   Mon 16 (8), Tue 17 (9), Wed 18 (10), Thu 19 (11), Fri 20 (12),
//   Mon 23 (13), Tue 24 (14), Wed 25 (15).
// Without holidays: 3–6 (4), 9–13 (9), 16–20 (14), Mon 23 (15).
static void test_15_business_days_kurban_2025(void **state)
{
	const struct bm_cal *cal = *state;
	assert_day(bm_cal_add_business_days(cal, day("2025-06-02"), 15), "2025-06-25");
	assert_day(bm_cal_add_business_days(NULL, day("2025-06-02"), 15), "2025-06-23");
	// Wed 4 Jun + 2: Thu 5 arife (1), then Fri 6 … Mon 9 off → Tue 10 (2).
	assert_day(bm_cal_add_business_days(cal, day("2025-06-04"), 2), "2025-06-10");
}

// D2, Ramazan Bayramı 2025 (arife Sat 29 Mar, bayram Sun 30 Mar – Tue 1 Apr):
// received Mon 2025-03-24.
//   Tue 25 (1), Wed 26 (2), Thu 27 (3), Fri 28 (4), [Sat 29, Sun 30,
//   Mon 31, Tue 1 Apr], Wed 2 (5), Thu 3 (6), Fri 4 (7), Mon 7 (8),
//   Tue 8 (9), Wed 9 (10), Thu 10 (11), Fri 11 (12), Mon 14 (13),
//   Tue 15 (14), Wed 16 (15).
static void test_15_business_days_ramazan_2025(void **state)
{
	const struct bm_cal *cal = *state;
	assert_day(bm_cal_add_business_days(cal, day("2025-03-24"), 15), "2025-04-16");
	// Fri 28 Mar + 1: Sat, Sun, Mon, Tue off → Wed 2 Apr.
	assert_day(bm_cal_add_business_days(cal, day("2025-03-28"), 1), "2025-04-02");
}

// D1 / D4: 30 calendar days whose last day is a Saturday.
// Event Thu 2026-01-29: day 1 = Jan 30, day 2 = Jan 31, day 30 = Feb 28
// (28 days of February), a Saturday → Sun Mar 1 → ends Mon 2026-03-02.
static void test_30_days_ending_on_saturday(void **state)
{
	const struct bm_cal *cal = *state;
	assert_day(bm_cal_add_days(cal, day("2026-01-29"), 30), "2026-03-02");
}

// D1 / D4: 30 calendar days whose last day is a public holiday.
static void test_30_days_ending_on_holiday(void **state)
{
	const struct bm_cal *cal = *state;
	// Event Mon 2026-04-27: Apr 28–30 are days 1–3, May 27 is day 30 —
	// Kurban day 1 (Wed). Wed 27 … Sat 30 bayram, Sun 31 → Mon 2026-06-01.
	assert_day(bm_cal_add_days(cal, day("2026-04-27"), 30), "2026-06-01");
	// Event Wed 2025-05-07: May 8–31 are days 1–24, Jun 6 is day 30 —
	// Kurban (Fri); Sat 7, Sun 8, Mon 9 bayram → Tue 2025-06-10.
	assert_day(bm_cal_add_days(cal, day("2025-05-07"), 30), "2025-06-10");
	// Event Thu 2026-02-19: Feb 20–28 are days 1–9, Mar 21 is day 30 —
	// Ramazan (Sat); Sun 22 bayram → Mon 2026-03-23.
	assert_day(bm_cal_add_days(cal, day("2026-02-19"), 30), "2026-03-23");
	// Ending on a half day keeps it: event Sun 2026-04-26, day 30 is
	// Tue 2026-05-26, Kurban arife, a business day for the administration.
	assert_day(bm_cal_add_days(cal, day("2026-04-26"), 30), "2026-05-26");
	// A period ending on a plain business day is not moved: event
	// Mon 2026-03-02 + 30 = Wed 2026-04-01.
	assert_day(bm_cal_add_days(cal, day("2026-03-02"), 30), "2026-04-01");
}

// Year boundaries: 1 January is a holiday.
static void test_year_boundary(void **state)
{
	const struct bm_cal *cal = *state;
	// 30 days from Tue 2025-12-02: Dec 3–31 are days 1–29, day 30 is
	// Thu 2026-01-01 (holiday) → Fri 2026-01-02.
	assert_day(bm_cal_add_days(cal, day("2025-12-02"), 30), "2026-01-02");
	// Business days from Wed 2025-12-24: Thu 25 (1), Fri 26 (2),
	// Mon 29 (3), Tue 30 (4), Wed 31 (5), [Thu 1 Jan], Fri 2 (6).
	assert_day(bm_cal_add_business_days(cal, day("2025-12-24"), 5), "2025-12-31");
	assert_day(bm_cal_add_business_days(cal, day("2025-12-24"), 6), "2026-01-02");
	// …continuing: Mon 5 (7) … Fri 9 (11), Mon 12 (12), Tue 13 (13),
	// Wed 14 (14), Thu 15 (15).
	assert_day(bm_cal_add_business_days(cal, day("2025-12-24"), 15), "2026-01-15");
	// Tue 2024-12-31 + 1 business day: Wed 1 Jan 2025 holiday → Thu 2.
	assert_day(bm_cal_add_business_days(cal, day("2024-12-31"), 1), "2025-01-02");
}

// 28 Ekim is a half day (a business day), 29 Ekim a full holiday.
static void test_28_29_october(void **state)
{
	const struct bm_cal *cal = *state;
	// Mon 2025-10-27 + 1 = Tue 28 (half day counts); + 2 = Thu 30.
	assert_day(bm_cal_add_business_days(cal, day("2025-10-27"), 1), "2025-10-28");
	assert_day(bm_cal_add_business_days(cal, day("2025-10-27"), 2), "2025-10-30");
	// 30 days from Mon 2025-09-29: Sep 30 is day 1, Oct 29 day 30 (Wed,
	// holiday) → Thu 2025-10-30.
	assert_day(bm_cal_add_days(cal, day("2025-09-29"), 30), "2025-10-30");
	// 30 days from Sun 2025-09-28 end on Tue 2025-10-28: kept.
	assert_day(bm_cal_add_days(cal, day("2025-09-28"), 30), "2025-10-28");
	// 2026: 28 Oct Wed (half), 29 Oct Thu (holiday). From Fri 2026-10-23,
	// 10 business days: Mon 26 (1), Tue 27 (2), Wed 28 (3), [Thu 29],
	// Fri 30 (4), Mon 2 Nov (5) … Fri 6 (9), Mon 9 (10).
	assert_day(bm_cal_add_business_days(cal, day("2026-10-23"), 10), "2026-11-09");
}

// Leap day inside a period: event Sun 2028-01-30, Jan 31 is day 1,
// Feb 1 … Feb 29 days 2 … 30 → Tue 2028-02-29 (no 2028 holidays loaded).
static void test_leap_day_period(void **state)
{
	const struct bm_cal *cal = *state;
	assert_day(bm_cal_add_days(cal, day("2028-01-30"), 30), "2028-02-29");
	// In 2027 the same span lands on 1 March: Sat 2027-01-30 + 30 =
	// Mon 2027-03-01.
	assert_day(bm_cal_add_days(cal, day("2027-01-30"), 30), "2027-03-01");
	// Mon 2028-02-28 + 1 business day = Tue 2028-02-29.
	assert_day(bm_cal_add_business_days(cal, day("2028-02-28"), 1), "2028-02-29");
}

static void test_zero_and_bad_arguments(void **state)
{
	const struct bm_cal *cal = *state;
	// n = 0: zero business days is the event itself; a zero-day period
	// ends on the next business day from the event (Fri 20 Mar 2026 is a
	// holiday → Mon 23).
	assert_day(bm_cal_add_business_days(cal, day("2026-03-20"), 0), "2026-03-20");
	assert_day(bm_cal_add_days(cal, day("2026-03-20"), 0), "2026-03-23");
	// Negative counts and out-of-range events are refused.
	assert_int_equal(bm_cal_add_business_days(cal, day("2026-03-20"), -1), BM_DAY_INVALID);
	assert_int_equal(bm_cal_add_days(cal, day("2026-03-20"), -1), BM_DAY_INVALID);
	assert_int_equal(bm_cal_add_business_days(cal, BM_DAY_INVALID, 1), BM_DAY_INVALID);
	assert_int_equal(bm_cal_add_days(cal, BM_DAY_INVALID, 1), BM_DAY_INVALID);
	assert_int_equal(bm_cal_next_business_day(cal, BM_DAY_INVALID), BM_DAY_INVALID);
	// Results past 9999-12-31 (a Friday) are invalid, not wrapped.
	bm_day last = day("9999-12-31");
	assert_int_equal(bm_cal_add_days(cal, last, 1), BM_DAY_INVALID);
	assert_int_equal(bm_cal_add_days(cal, last, INT32_MAX), BM_DAY_INVALID);
	assert_int_equal(bm_cal_add_business_days(cal, last, 1), BM_DAY_INVALID);
	assert_int_equal(bm_cal_next_business_day(cal, day("9999-12-31")), last);
	assert_day(bm_cal_add_business_days(cal, day("9999-12-30"), 1), "9999-12-31");
}

int main(void)
{
#define CAL_TEST(f) cmocka_unit_test_setup_teardown(f, setup_cal, teardown_cal)
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_known_day_numbers),
	    cmocka_unit_test(test_every_day_round_trips),
	    cmocka_unit_test(test_invalid_dates),
	    cmocka_unit_test(test_leap_years),
	    cmocka_unit_test(test_weekdays),
	    cmocka_unit_test(test_parse_iso_valid),
	    cmocka_unit_test(test_parse_iso_rejects),
	    cmocka_unit_test(test_format_iso),
	    cmocka_unit_test(test_holiday_set),
	    CAL_TEST(test_loaded_holidays),
	    CAL_TEST(test_weekends),
	    CAL_TEST(test_holidays_and_half_days),
	    CAL_TEST(test_15_business_days_ramazan_2026),
	    CAL_TEST(test_15_business_days_kurban_2025),
	    CAL_TEST(test_15_business_days_ramazan_2025),
	    CAL_TEST(test_30_days_ending_on_saturday),
	    CAL_TEST(test_30_days_ending_on_holiday),
	    CAL_TEST(test_year_boundary),
	    CAL_TEST(test_28_29_october),
	    CAL_TEST(test_leap_day_period),
	    CAL_TEST(test_zero_and_bad_arguments),
	};
#undef CAL_TEST
	return cmocka_run_group_tests(tests, NULL, NULL);
}
