// SPDX-License-Identifier: MIT
/*
 * Command-line parsing and checking: see args.h. Months are Istanbul
 * calendar months; the default range is the 12 full months before the
 * current one. A range may reach into the current month, but it never
 * starts after it, and nothing is generated after "now".
 */
#include "args.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_cal.h"
#include "bm_cfg.h"
#include "clock.h"

const char dd_usage[] =
    "usage: bimer-demodata --count N [--seed S] [--from YYYY-MM] [--months M]\n"
    "  --count N      applications to insert (1-10000000)\n"
    "  --seed S       random seed, a non-negative integer (default 1); the same seed\n"
    "                 gives the same applications\n"
    "  --from YYYY-MM first month of the range (default: 12 months before the current one)\n"
    "  --months M     number of months (1-120, default 12); never beyond now\n"
    "The database and the personal-data keys come from the environment (BIMER_DB_*,\n"
    "BIMER_DATA_KEY_FILE, BIMER_HMAC_KEY_FILE), as for the services;\n"
    "BIMER_DEMODATA_LOADERS (1-8, default 2) is the number of parallel connections.\n";

/* "what" alone, or "what, not 'value'". */
static int fail(char *err, size_t cap, const char *what, const char *value)
{
	if (value)
		snprintf(err, cap, "%s, not '%s'", what, value);
	else
		snprintf(err, cap, "%s", what);
	return -1;
}

static bool parse_month(const char *s, int *y, int *m)
{
	unsigned long long yy, mm;
	char ys[5], ms[3];
	if (strlen(s) != 7 || s[4] != '-')
		return false;
	memcpy(ys, s, 4);
	ys[4] = '\0';
	memcpy(ms, s + 5, 2);
	ms[2] = '\0';
	if (bm_parse_uint(ys, 9999, &yy) || bm_parse_uint(ms, 12, &mm) || yy < 2000 || mm < 1)
		return false;
	*y = (int)yy;
	*m = (int)mm;
	return true;
}

/* The first moment (ms, UTC) of an Istanbul month; months may run past December. */
static int64_t month_start(int y, int m)
{
	y += (m - 1) / 12;
	m = (m - 1) % 12 + 1;
	return dd_end_of_day(bm_cal_day_from_ymd(y, m, 1) - 1) + DD_SECOND;
}

/* One "--name value" or "--name=value" option; returns the value or NULL. */
static const char *value_of(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	if (!strncmp(argv[*i], name, n) && argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (strcmp(argv[*i], name))
		return NULL;
	return *i + 1 < argc ? argv[++*i] : "";
}

static int take(struct dd_args *a, const char *name, const char *v, char *err, size_t cap)
{
	unsigned long long n;
	if (!strcmp(name, "--count")) {
		if (bm_parse_uint(v, DD_MAX_COUNT, &n) || n == 0)
			return fail(err, cap, "--count must be a whole number from 1 to 10000000",
			            v);
		a->count = (long long)n;
	} else if (!strcmp(name, "--seed")) {
		if (bm_parse_uint(v, UINT64_MAX, &n))
			return fail(err, cap, "--seed must be a non-negative whole number", v);
		a->seed = n;
	} else if (!strcmp(name, "--from")) {
		if (!parse_month(v, &a->from_year, &a->from_month))
			return fail(err, cap, "--from must be a month YYYY-MM, 2000-01 or later",
			            v);
	} else {
		if (bm_parse_uint(v, DD_MAX_MONTHS, &n) || n == 0)
			return fail(err, cap, "--months must be a whole number from 1 to 120", v);
		a->months = (int)n;
	}
	return 0;
}

static int range(struct dd_args *a, time_t now, char *err, size_t cap)
{
	int y, m;
	a->now = (int64_t)now * DD_SECOND;
	bm_cal_ymd(dd_day_of(a->now), &y, &m, NULL);
	if (!a->from_year) { /* the 12 (or M) full months before this one */
		int back = y * 12 + (m - 1) - a->months;
		a->from_year = back / 12;
		a->from_month = back % 12 + 1;
	}
	a->start = month_start(a->from_year, a->from_month);
	a->end = month_start(a->from_year, a->from_month + a->months);
	if (a->start >= a->now)
		return fail(err, cap, "--from must not be after the current month", NULL);
	if (a->end > a->now)
		a->end = a->now;
	return 0;
}

static int loaders(struct dd_args *a, char *err, size_t cap)
{
	const char *v = getenv("BIMER_DEMODATA_LOADERS");
	unsigned long long n = 2;
	/* the range is checked apart: bm_parse_uint lets one digit above a max below 9 through */
	if (v && *v && (bm_parse_uint(v, 1000, &n) || n < 1 || n > 8))
		return fail(err, cap,
		            "BIMER_DEMODATA_LOADERS must be a number of connections (1-8)", v);
	a->loaders = (int)n;
	return 0;
}

int dd_args_parse(int argc, char **argv, time_t now, struct dd_args *a, char *err, size_t cap)
{
	static const char *const names[] = {"--count", "--seed", "--from", "--months"};
	*a = (struct dd_args){.seed = 1, .months = 12};
	for (int i = 1; i < argc; i++) {
		const char *v = NULL;
		size_t k = 0;
		for (; k < 4 && !(v = value_of(argc, argv, &i, names[k])); k++)
			;
		if (k == 4)
			return fail(err, cap, "unknown argument", argv[i]);
		if (take(a, names[k], v, err, cap))
			return -1;
	}
	if (!a->count)
		return fail(err, cap, "--count N is required", NULL);
	return loaders(a, err, cap) || range(a, now, err, cap) ? -1 : 0;
}
