// SPDX-License-Identifier: MIT
/*
 * bm_metrics: per-process counters rendered as Prometheus text.
 *
 * Counters are atomics updated with relaxed ordering from every worker
 * thread; the text is rendered on demand at the internal metrics location
 * (nginx serves it only on the loopback metrics port).
 *
 * One service (BM_METRICS_OUTBOX_SERVICE, routing) also reports the mail
 * outbox's backlog, read from MariaDB at each scrape with the scraping
 * thread's connection: mails waiting (pending, or being sent), mails given
 * up (failed), and the age of the oldest one waiting. One service only, so
 * that each figure is scraped once. When MariaDB cannot be read the scrape
 * still answers, with bimer_outbox_up 0 and no backlog figures.
 */
#ifndef BM_METRICS_H
#define BM_METRICS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "bm_err.h"
#include "bm_route.h"

#define BM_METRICS_OUTBOX_SERVICE "routing"

struct bm_metrics;
struct bm_db;

/* Counters for n routes of tbl (kept by pointer). NULL on OOM; free with bm_metrics_free. */
struct bm_metrics *bm_metrics_new(const char *service, const struct bm_route *tbl, size_t n);
void bm_metrics_free(struct bm_metrics *m);

/* Record one request: route index (n = no route matched), status, duration, error answered. */
void bm_metrics_observe(struct bm_metrics *m, size_t route, int status, double seconds,
                        enum bm_err err);

/*
 * A service's own counter, rendered as `name{service="…"} value` with its
 * HELP line after the built-in figures; at most BM_METRICS_EXTRA of them.
 * name and help are kept by pointer (string constants), v is read at each
 * scrape. Call before the worker threads start. Returns false when full.
 */
#define BM_METRICS_EXTRA 8
bool bm_metrics_add_counter(struct bm_metrics *m, const char *name, const char *help,
                            const atomic_ullong *v);

/*
 * Prometheus text exposition (format 0.0.4); caller frees. NULL on OOM. db is the calling
 * thread's connection, asked for the outbox backlog (BM_METRICS_OUTBOX_SERVICE only); NULL
 * leaves the backlog out.
 */
char *bm_metrics_render(struct bm_metrics *m, struct bm_db *db);

#endif
