// SPDX-License-Identifier: MIT
/*
 * bm_metrics: per-process counters rendered as Prometheus text.
 *
 * Counters are atomics updated with relaxed ordering from every worker
 * thread; the text is rendered on demand at the internal metrics location
 * (nginx serves it only on the loopback metrics port).
 */
#ifndef BM_METRICS_H
#define BM_METRICS_H

#include <stddef.h>

#include "bm_err.h"
#include "bm_route.h"

struct bm_metrics;

/* Counters for n routes of tbl (kept by pointer). NULL on OOM; free with bm_metrics_free. */
struct bm_metrics *bm_metrics_new(const char *service, const struct bm_route *tbl, size_t n);
void bm_metrics_free(struct bm_metrics *m);

/* Record one request: route index (n = no route matched), status, duration, error answered. */
void bm_metrics_observe(struct bm_metrics *m, size_t route, int status, double seconds,
                        enum bm_err err);

/* Prometheus text exposition; caller frees. NULL on OOM. */
char *bm_metrics_render(struct bm_metrics *m);

#endif
