// SPDX-License-Identifier: MIT
/*
 * bm_metrics: request counters, latency histogram, dependency error
 * counters and the outbox backlog, rendered in the Prometheus text format
 * (names in base units, counters ending in _total, one HELP and TYPE per
 * family before its samples).
 */
#include "bm_metrics.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_db.h"

static const double buckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                 0.1,   0.25,   0.5,   1,    2.5,   5};
#define NBUCKETS (sizeof buckets / sizeof buckets[0])
#define NCLASSES 6 /* index status/100: 1xx..5xx */

struct bm_metrics {
	const char *service;
	const struct bm_route *tbl;
	size_t n;
	atomic_ullong *by_route;          /* (n + 1) * NCLASSES */
	atomic_ullong hist[NBUCKETS + 1]; /* cumulative when rendered */
	atomic_ullong sum_us, count;
	atomic_ullong db_errors, redis_errors, rl_denied;
	struct {
		const char *name, *help;
		const atomic_ullong *v;
	} extra[BM_METRICS_EXTRA];
	size_t nextra;
};

bool bm_metrics_add_counter(struct bm_metrics *m, const char *name, const char *help,
                            const atomic_ullong *v)
{
	if (m->nextra == BM_METRICS_EXTRA)
		return false;
	m->extra[m->nextra].name = name;
	m->extra[m->nextra].help = help;
	m->extra[m->nextra++].v = v;
	return true;
}

struct bm_metrics *bm_metrics_new(const char *service, const struct bm_route *tbl, size_t n)
{
	struct bm_metrics *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->by_route = calloc((n + 1) * NCLASSES, sizeof *m->by_route);
	if (!m->by_route) {
		free(m);
		return NULL;
	}
	m->service = service;
	m->tbl = tbl;
	m->n = n;
	return m;
}

void bm_metrics_free(struct bm_metrics *m)
{
	if (!m)
		return;
	free(m->by_route);
	free(m);
}

void bm_metrics_observe(struct bm_metrics *m, size_t route, int status, double seconds,
                        enum bm_err err)
{
	size_t cls = (size_t)(status / 100);
	size_t b = 0;

	if (route > m->n)
		route = m->n;
	if (cls >= NCLASSES)
		cls = 5;
	atomic_fetch_add_explicit(&m->by_route[route * NCLASSES + cls], 1, memory_order_relaxed);
	while (b < NBUCKETS && seconds > buckets[b])
		b++;
	atomic_fetch_add_explicit(&m->hist[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->sum_us, (unsigned long long)(seconds * 1e6),
	                          memory_order_relaxed);
	atomic_fetch_add_explicit(&m->count, 1, memory_order_relaxed);
	if (err == BM_E_DB)
		atomic_fetch_add_explicit(&m->db_errors, 1, memory_order_relaxed);
	else if (err == BM_E_REDIS)
		atomic_fetch_add_explicit(&m->redis_errors, 1, memory_order_relaxed);
	else if (err == BM_E_RATE_LIMITED)
		atomic_fetch_add_explicit(&m->rl_denied, 1, memory_order_relaxed);
}

/* A growing text buffer; on OOM it frees itself and stays NULL. */
struct buf {
	char *p;
	size_t len, cap;
};

static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	if (!b->p)
		return;
	for (;;) {
		va_start(ap, fmt);
		int k = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (k < 0)
			return;
		if ((size_t)k < b->cap - b->len) {
			b->len += (size_t)k;
			return;
		}
		char *np = realloc(b->p, b->cap * 2 + (size_t)k);
		if (!np) {
			free(b->p);
			b->p = NULL;
			return;
		}
		b->p = np;
		b->cap = b->cap * 2 + (size_t)k;
	}
}

static unsigned long long get(atomic_ullong *a)
{
	return atomic_load_explicit(a, memory_order_relaxed);
}

/*
 * The outbox backlog at this moment. The counts read only the (status, next_attempt_at)
 * index; the age reads the rows still waiting, which are few unless delivery is stuck.
 */
static const char sql_outbox[] =
    "SELECT (SELECT COUNT(*) FROM outbox WHERE status = 'pending'), "
    "(SELECT COUNT(*) FROM outbox WHERE status = 'sending'), "
    "(SELECT COUNT(*) FROM outbox WHERE status = 'failed'), "
    "(SELECT IFNULL(GREATEST(TIMESTAMPDIFF(MICROSECOND, MIN(created_at), UTC_TIMESTAMP(6)), 0), "
    "0) FROM outbox WHERE status IN ('pending', 'sending'))";

static void render_outbox(struct buf *b, const char *s, struct bm_db *db)
{
	static const char *const statuses[] = {"pending", "sending", "failed"};
	struct bm_dbres *r = NULL;
	bool up = bm_db_run(db, sql_outbox, NULL, 0, &r) == BM_OK && r->nrows == 1 && r->ncols == 4;
	put(b,
	    "# HELP bimer_outbox_up Whether the outbox could be read at this scrape (1) or not (0: "
	    "MariaDB unavailable, no backlog figures).\n"
	    "# TYPE bimer_outbox_up gauge\nbimer_outbox_up{service=\"%s\"} %d\n",
	    s, up ? 1 : 0);
	if (up) {
		put(b,
		    "# HELP bimer_outbox_mails Mails in the outbox by status: pending and sending "
		    "are waiting for delivery, failed were given up.\n"
		    "# TYPE bimer_outbox_mails gauge\n");
		for (size_t i = 0; i < 3; i++)
			put(b, "bimer_outbox_mails{service=\"%s\",status=\"%s\"} %s\n", s,
			    statuses[i], bm_dbres_get(r, 0, i) ? bm_dbres_get(r, 0, i) : "0");
		const char *us = bm_dbres_get(r, 0, 3);
		put(b,
		    "# HELP bimer_outbox_oldest_waiting_age_seconds Age of the oldest mail waiting "
		    "for delivery (pending or sending), 0 when none waits.\n"
		    "# TYPE bimer_outbox_oldest_waiting_age_seconds gauge\n"
		    "bimer_outbox_oldest_waiting_age_seconds{service=\"%s\"} %.3f\n",
		    s, us ? strtod(us, NULL) / 1e6 : 0.0);
	}
	bm_dbres_free(r);
}

char *bm_metrics_render(struct bm_metrics *m, struct bm_db *db)
{
	struct buf b = {malloc(4096), 0, 4096};
	const char *s = m->service;

	put(&b, "# HELP bimer_http_requests_total Requests answered, by route and status class.\n"
	        "# TYPE bimer_http_requests_total counter\n");
	for (size_t r = 0; r <= m->n; r++)
		for (size_t c = 1; c < NCLASSES; c++) {
			unsigned long long v = get(&m->by_route[r * NCLASSES + c]);
			if (v)
				put(&b,
				    "bimer_http_requests_total{service=\"%s\",method=\"%s\",route="
				    "\"%s\",code=\"%zuxx\"} %llu\n",
				    s, r < m->n ? m->tbl[r].method : "-",
				    r < m->n ? m->tbl[r].pattern : "unmatched", c, v);
		}
	put(&b, "# HELP bimer_http_request_duration_seconds Time from accept to reply.\n"
	        "# TYPE bimer_http_request_duration_seconds histogram\n");
	unsigned long long cum = 0;
	for (size_t i = 0; i < NBUCKETS; i++) {
		cum += get(&m->hist[i]);
		put(&b,
		    "bimer_http_request_duration_seconds_bucket{service=\"%s\",le=\"%g\"} %llu\n",
		    s, buckets[i], cum);
	}
	cum += get(&m->hist[NBUCKETS]);
	put(&b,
	    "bimer_http_request_duration_seconds_bucket{service=\"%s\",le=\"+Inf\"} %llu\n"
	    "bimer_http_request_duration_seconds_sum{service=\"%s\"} %.6f\n"
	    "bimer_http_request_duration_seconds_count{service=\"%s\"} %llu\n",
	    s, cum, s, (double)get(&m->sum_us) / 1e6, s, get(&m->count));
	put(&b,
	    "# HELP bimer_db_errors_total Requests answered with a MariaDB failure.\n"
	    "# TYPE bimer_db_errors_total counter\nbimer_db_errors_total{service=\"%s\"} %llu\n"
	    "# HELP bimer_redis_errors_total Requests answered with a Redis failure.\n"
	    "# TYPE bimer_redis_errors_total counter\nbimer_redis_errors_total{service=\"%s\"} "
	    "%llu\n"
	    "# HELP bimer_rate_limit_denials_total Requests refused by a rate limit (429).\n"
	    "# TYPE bimer_rate_limit_denials_total "
	    "counter\nbimer_rate_limit_denials_total{service=\"%s\"} %llu\n",
	    s, get(&m->db_errors), s, get(&m->redis_errors), s, get(&m->rl_denied));
	for (size_t i = 0; i < m->nextra; i++)
		put(&b, "# HELP %s %s\n# TYPE %s counter\n%s{service=\"%s\"} %llu\n",
		    m->extra[i].name, m->extra[i].help, m->extra[i].name, m->extra[i].name, s,
		    (unsigned long long)atomic_load_explicit(m->extra[i].v, memory_order_relaxed));
	if (db && !strcmp(s, BM_METRICS_OUTBOX_SERVICE))
		render_outbox(&b, s, db);
	return b.p;
}
