// SPDX-License-Identifier: MIT
/*
 * The command line of bimer-demodata (fixed: the report tests and the
 * benchmark call it):
 *
 *   bimer-demodata --count N [--seed S] [--from YYYY-MM] [--months M]
 *
 * Everything is checked before the database is touched, so a bad argument
 * exits with status 2 and a message, having written nothing.
 */
#ifndef DEMODATA_ARGS_H
#define DEMODATA_ARGS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define DD_MAX_COUNT  10000000LL
#define DD_MAX_MONTHS 120

struct dd_args {
	long long count;
	uint64_t seed;
	int from_year, from_month, months;
	int64_t start, end; /* the range in ms, Istanbul months; end cut at now */
	int64_t now;
	int loaders; /* BIMER_DEMODATA_LOADERS (1-8, default 2): parallel connections */
};

/* Parse argv (and BIMER_DEMODATA_LOADERS); now is the clock the range is checked against. -1 with
 * a message in err. */
int dd_args_parse(int argc, char **argv, time_t now, struct dd_args *a, char *err, size_t cap);

/* The usage text. */
extern const char dd_usage[];

#endif
