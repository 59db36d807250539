// SPDX-License-Identifier: MIT
/*
 * From a planned application (demo.h) to the rows the services would have
 * written: the applications row, its events with the data each service puts
 * in them and the hash chain of bm_event (so bimer-audit verifies generated
 * applications like real ones), and an appeal with its generated copies
 * (services/appeal/copies.c's documents, byte for byte the same shape).
 */
#ifndef DEMODATA_ROWS_H
#define DEMODATA_ROWS_H

#include "bm_cfg.h"
#include "bulk.h"
#include "demo.h"
#include "tree.h"

extern const char dd_app_head[], dd_event_head[], dd_appeal_head[], dd_copy_head[];
enum { DD_APP_COLS = 30, DD_EVENT_COLS = 12, DD_APPEAL_COLS = 17, DD_COPY_COLS = 6 };

/* The tracking hash (bm_tracking_code under the HMAC key) and the row. a->no must be set. */
int dd_row_app(struct dd_bulk *b, const struct bm_cfg *cfg, const struct dd_app *a);

/* Every event of a (a->id and a->appeal.no set), chained. -1 on failure. */
int dd_row_events(struct dd_bulk *b, const struct bm_cfg *cfg, const struct dd_app *a);

/* The appeal row of a, when it has one. */
int dd_row_appeal(struct dd_bulk *b, const struct dd_app *a);

/* The generated copies of the application (and of the answer) for appeal appeal_id. */
int dd_row_copies(struct dd_bulk *b, const struct dd_tree *t, const struct dd_app *a,
                  long long appeal_id);

#endif
