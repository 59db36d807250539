// SPDX-License-Identifier: MIT
/*
 * bimer-demodata: realistic demo data at scale (issue 6).
 *
 *   bimer-demodata --count N [--seed S] [--from YYYY-MM] [--months M]
 *
 * Inserts N applications received in the M months from --from (default: the
 * 12 full months before the current one) into the database named by the
 * environment, as the services would have written them: sealed ID numbers,
 * real application numbers, events with their hash chain, appeals with their
 * copies. The same seed gives the same applications (apart from row ids,
 * numbers and the random nonces of the sealed ID numbers). Exit status: 0
 * done, 1 a database failure (whole batches committed so far stay), 2 a bad
 * argument or configuration (nothing written).
 */
#include <mysql.h>
#include <stdio.h>
#include <time.h>

#include "args.h"
#include "bm_cfg.h"
#include "bm_log.h"
#include "load.h"

static void say_range(const struct dd_args *a)
{
	int y = a->from_year + (a->from_month - 1 + a->months - 1) / 12;
	int m = (a->from_month - 1 + a->months - 1) % 12 + 1;
	printf("bimer-demodata: %lld applications arriving %04d-%02d to %04d-%02d, seed %llu\n",
	       a->count, a->from_year, a->from_month, y, m, (unsigned long long)a->seed);
}

static int run(const struct bm_cfg *cfg, const struct dd_args *args)
{
	struct dd_result r;
	char err[512];
	say_range(args);
	if (dd_load(cfg, args, &r, err, sizeof err)) {
		fprintf(stderr, "bimer-demodata: %s (%lld applications committed before)\n", err,
		        r.done);
		return 1;
	}
	printf("bimer-demodata: done: %lld applications, %lld events, %lld appeals in %.1f s "
	       "(%.0f applications/s)\n",
	       r.done, r.events, r.appeals, r.seconds,
	       r.seconds > 0 ? (double)r.done / r.seconds : 0.0);
	return 0;
}

int main(int argc, char **argv)
{
	struct dd_args args;
	struct bm_cfg cfg;
	char err[512];

	if (dd_args_parse(argc, argv, time(NULL), &args, err, sizeof err)) {
		fprintf(stderr, "bimer-demodata: %s\n%s", err, dd_usage);
		return 2;
	}
	bm_log_init("demodata", BM_LOG_WARN);
	if (bm_cfg_load(&cfg, "demodata", err, sizeof err)) {
		fprintf(stderr, "bimer-demodata: %s\n", err);
		return 2;
	}
	if (!cfg.have_keys) {
		fprintf(stderr,
		        "bimer-demodata: BIMER_DATA_KEY_FILE and BIMER_HMAC_KEY_FILE must be "
		        "set (ID numbers are sealed as intake does)\n");
		return 2;
	}
	mysql_library_init(0, NULL, NULL);
	int rc = run(&cfg, &args);
	mysql_library_end();
	return rc;
}
