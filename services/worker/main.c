// SPDX-License-Identifier: MIT
/*
 * bimer-worker: the background daemon (not FastCGI). It will deliver the
 * mail outbox over SMTP, sweep deadlines (expiry, overdue, deemed
 * rejection) and build the monthly reports; those jobs arrive with their
 * issues. Today it keeps its MariaDB and Redis connections alive, records a
 * heartbeat in Redis, logs when a dependency goes down or comes back, and
 * exits cleanly on SIGTERM/SIGINT.
 */
#include <hiredis/hiredis.h>
#include <mysql.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "bm_cache.h"
#include "bm_cfg.h"
#include "bm_db.h"
#include "bm_log.h"

#define TICK_S 2

struct worker {
	struct bm_cfg cfg;
	struct bm_db *db;
	struct bm_redis *redis;
	bool db_ok, redis_ok;
};

static void heartbeat(struct worker *w)
{
	char now[24];
	snprintf(now, sizeof now, "%lld", (long long)time(NULL));
	const char *argv[] = {"SET", "bimer:worker:heartbeat", now, "EX", "60"};
	redisReply *r = bm_redis_cmd(w->redis, 5, argv, NULL);
	if (r)
		freeReplyObject(r);
}

/* One pass of the loop: check dependencies, log changes, beat. */
static void tick(struct worker *w)
{
	bool db = bm_db_ping(w->db) == BM_OK;
	bool rd = bm_redis_ping(w->redis) == BM_OK;

	if (db != w->db_ok)
		bm_log(db ? BM_LOG_INFO : BM_LOG_WARN, NULL, "database %s", db ? "up" : "down");
	if (rd != w->redis_ok)
		bm_log(rd ? BM_LOG_INFO : BM_LOG_WARN, NULL, "redis %s", rd ? "up" : "down");
	w->db_ok = db;
	w->redis_ok = rd;
	if (rd)
		heartbeat(w);
}

int main(void)
{
	struct worker w = {0};
	char err[256];
	sigset_t stop;
	int rc = 1;

	bm_log_init("worker", BM_LOG_INFO);
	if (bm_cfg_load(&w.cfg, "worker", err, sizeof err)) {
		bm_log(BM_LOG_ERROR, NULL, "configuration: %s", err);
		return 2;
	}
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigprocmask(SIG_BLOCK, &stop, NULL);
	if (mysql_library_init(0, NULL, NULL) || !(w.db = bm_db_new(&w.cfg)) ||
	    !(w.redis = bm_redis_new(&w.cfg))) {
		bm_log(BM_LOG_ERROR, NULL, "start-up failed");
		goto out;
	}
	w.db_ok = w.redis_ok = true; /* so the first failure is logged */
	bm_log(BM_LOG_INFO, NULL, "worker started");
	for (;;) {
		struct timespec ts = {.tv_sec = TICK_S};
		tick(&w);
		int sig = sigtimedwait(&stop, NULL, &ts);
		if (sig > 0) {
			bm_log(BM_LOG_INFO, NULL, "signal %d: stopping", sig);
			break;
		}
	}
	rc = 0;
out:
	bm_db_free(w.db);
	bm_redis_free(w.redis);
	mysql_library_end();
	bm_log(BM_LOG_INFO, NULL, "stopped");
	return rc;
}
