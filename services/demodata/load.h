// SPDX-License-Identifier: MIT
/*
 * The load: plan batches of applications, give them numbers from the real
 * sequences (bm_appno's format, so they never collide with real ones), insert
 * them, their events, appeals and copies with batched multi-row INSERTs, and
 * commit — one transaction per batch of a few thousand applications, so a
 * failure leaves whole batches, never half an application. Two loaders, each
 * with its own connection, work on alternate batches so that MariaDB uses
 * both cores of a small machine; batches draw their numbers in order, so
 * application numbers still follow arrival times.
 */
#ifndef DEMODATA_LOAD_H
#define DEMODATA_LOAD_H

#include <stddef.h>

#include "args.h"
#include "bm_cfg.h"

struct dd_result {
	long long done, events, appeals; /* committed */
	double seconds;
};

/* Generate and insert everything, printing progress. -1 with a message in err. */
int dd_load(const struct bm_cfg *cfg, const struct dd_args *args, struct dd_result *res, char *err,
            size_t cap);

#endif
