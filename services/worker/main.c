// SPDX-License-Identifier: MIT
/*
 * bimer-worker: the background daemon (not FastCGI). Each tick it checks
 * MariaDB and Redis (logging when one goes down or comes back), records a
 * heartbeat in Redis, delivers the due mail of the outbox (outbox.c),
 * expires applications never verified (expiry.c) and, every
 * BIMER_DEADLINE_SWEEP_MS, runs the deadline sweeps (sweep.c: reminders,
 * overdue, deemed rejection) and, once a month has ended, builds and stores
 * its reports (reports.c; also `--monthly-reports YYYY-MM`). It ticks every
 * BIMER_WORKER_TICK_MS when idle and again at once when a job had a full
 * batch, so mail goes out within about a second of its commit.
 *
 * SIGTERM/SIGINT are blocked and polled: between rows, during an SMTP
 * transfer (curl's progress callback) and while idle. A send in progress
 * gets a short grace to finish, then is abandoned and its row handed back,
 * so the worker stops within a few seconds and no mail is lost. Several
 * workers may run at once: every claim and state change is a conditional
 * UPDATE with its rows affected checked.
 */
#include <curl/curl.h>
#include <hiredis/hiredis.h>
#include <mysql.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bm_cache.h"
#include "bm_cal.h"
#include "bm_cfg.h"
#include "bm_db.h"
#include "bm_log.h"
#include "bm_stcache.h"
#include "mime.h"
#include "smtp.h"
#include "worker.h"

#define STOP_GRACE_MS 1000 /* how long a send in progress may go on after SIGTERM */

bool worker_stop_requested(struct worker *w)
{
	sigset_t pending;

	if (w->stopping)
		return true;
	if (sigpending(&pending) == 0 &&
	    (sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1)) {
		w->stopping = true;
		clock_gettime(CLOCK_MONOTONIC, &w->stop_seen);
	}
	return w->stopping;
}

long worker_stop_age_ms(const struct worker *w)
{
	struct timespec now;

	if (!w->stopping)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - w->stop_seen.tv_sec) * 1000 +
	       (now.tv_nsec - w->stop_seen.tv_nsec) / 1000000;
}

long long worker_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* curl's abort callback: let a send finish unless the stop has waited too long. */
static bool send_should_abort(void *arg)
{
	struct worker *w = arg;
	return worker_stop_requested(w) && worker_stop_age_ms(w) >= STOP_GRACE_MS;
}

static void heartbeat(struct worker *w)
{
	char now[24];
	snprintf(now, sizeof now, "%lld", (long long)time(NULL));
	const char *argv[] = {"SET", "bimer:worker:heartbeat", now, "EX", "60"};
	redisReply *r = bm_redis_cmd(w->redis, 5, argv, NULL);
	if (r)
		freeReplyObject(r);
}

/* Check dependencies and log changes. */
static void check_dependencies(struct worker *w)
{
	bool db = bm_db_ping(w->db) == BM_OK;
	bool rd = bm_redis_ping(w->redis) == BM_OK;

	if (db != w->db_ok)
		bm_log(db ? BM_LOG_INFO : BM_LOG_WARN, NULL, "database %s", db ? "up" : "down");
	if (rd != w->redis_ok)
		bm_log(rd ? BM_LOG_INFO : BM_LOG_WARN, NULL, "redis %s", rd ? "up" : "down");
	w->db_ok = db;
	w->redis_ok = rd;
}

/* One pass of the loop. Returns true when a job left work that is due now. */
static bool tick(struct worker *w)
{
	bool more = false;

	check_dependencies(w);
	if (w->redis_ok)
		heartbeat(w);
	if (!w->db_ok)
		return false;
	if (!worker_stop_requested(w))
		more |= outbox_run(w);
	if (!worker_stop_requested(w))
		more |= expiry_run(w);
	if (!worker_stop_requested(w))
		more |= deadlines_run(w);
	if (!worker_stop_requested(w))
		more |= reports_run(w);
	if (!worker_stop_requested(w))
		more |= retention_run(w);
	return more;
}

/* Create the connections and the SMTP sender. Logs and returns -1 on failure. */
static int start(struct worker *w)
{
	char from[260];

	if (!mime_envelope_from(w->cfg.mail_from, from, sizeof from)) {
		bm_log(BM_LOG_ERROR, NULL, "configuration: BIMER_MAIL_FROM has no usable address");
		return -1;
	}
	if (mysql_library_init(0, NULL, NULL) || curl_global_init(CURL_GLOBAL_DEFAULT) ||
	    !(w->db = bm_db_new(&w->cfg)) || !(w->redis = bm_redis_new(&w->cfg)) ||
	    !(w->smtp =
	          smtp_new(w->cfg.smtp_url, from, w->set.smtp_timeout_s, send_should_abort, w))) {
		bm_log(BM_LOG_ERROR, NULL, "start-up failed");
		return -1;
	}
	w->ctx.cfg = &w->cfg;
	w->ctx.db = w->db;
	w->ctx.redis = w->redis;
	bm_stcache_attach(w->db, w->redis); /* sweeps change statuses */
	return 0;
}

int main(int argc, char **argv)
{
	struct worker w = {0};
	char err[256];
	int rc = 1;

	/* One-shot report jobs (reports.c), then exit: --monthly-reports or --report-aggregate. */
	const char *once = argc == 3 && (!strcmp(argv[1], "--monthly-reports") ||
	                                 !strcmp(argv[1], "--report-aggregate"))
	                       ? argv[1]
	                       : NULL;
	if (argc != 1 && !once) {
		fprintf(stderr, "usage: bimer-worker [--monthly-reports YYYY-MM | "
		                "--report-aggregate YYYY-MM]\n");
		return 2;
	}

	bm_log_init("worker", BM_LOG_INFO);
	if (bm_cfg_load(&w.cfg, "worker", err, sizeof err) ||
	    worker_settings_load(&w.set, err, sizeof err)) {
		bm_log(BM_LOG_ERROR, NULL, "configuration: %s", err);
		return 2;
	}
	if (w.cfg.log_debug)
		bm_log_init("worker", BM_LOG_DEBUG);
	sigemptyset(&w.stop_signals);
	sigaddset(&w.stop_signals, SIGTERM);
	sigaddset(&w.stop_signals, SIGINT);
	sigprocmask(SIG_BLOCK, &w.stop_signals, NULL);
	if (start(&w))
		goto out;
	if (once) {
		rc = !strcmp(once, "--monthly-reports") ? reports_once(&w, argv[2])
		                                        : reports_aggregate_once(&w, argv[2]);
		goto out;
	}
	w.db_ok = w.redis_ok = true; /* so the first failure is logged */
	bm_log(BM_LOG_INFO, NULL, "worker started (tick %ld ms, batch %ld, mail lock %ld s)",
	       w.set.tick_ms, w.set.batch, w.set.lock_s);
	if (w.set.sweep_ms)
		bm_log(BM_LOG_INFO, NULL,
		       "deadline sweeps every %ld ms: reminders %ld business days ahead, deemed "
		       "rejection after %d days",
		       w.set.sweep_ms, w.set.reminder_days, w.cfg.deemed_days);
	else
		bm_log(BM_LOG_INFO, NULL, "deadline sweeps off (BIMER_DEADLINE_SWEEP_MS=0)");
	if (w.set.retention_sweep_ms)
		bm_log(
		    BM_LOG_INFO, NULL,
		    "retention sweep every %ld ms: closed applications anonymised after %ld days, "
		    "expired unverified ones after %ld",
		    w.set.retention_sweep_ms, w.set.retention_days, w.set.retention_expired_days);
	else
		bm_log(BM_LOG_INFO, NULL, "retention sweep off (BIMER_RETENTION_SWEEP_MS=0)");
	while (!worker_stop_requested(&w)) {
		bool more = tick(&w);
		long ms = more ? 0 : w.set.tick_ms;
		struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
		int sig = sigtimedwait(&w.stop_signals, NULL, &ts);
		if (sig > 0) {
			w.stopping = true;
			break;
		}
	}
	bm_log(BM_LOG_INFO, NULL, "stop signal: stopping");
	rc = 0;
out:
	reports_free(w.reports);
	smtp_free(w.smtp);
	bm_cal_free(w.ctx.cal);
	bm_db_free(w.db);
	bm_redis_free(w.redis);
	curl_global_cleanup();
	mysql_library_end();
	bm_log(BM_LOG_INFO, NULL, "stopped");
	return rc;
}
