// SPDX-License-Identifier: MIT
/*
 * The worker's shared state and its jobs. main.c owns the loop (signals,
 * dependency checks, heartbeat, pacing); each job is one file that does one
 * bounded pass per tick and reports whether more work is waiting, so the
 * loop can come back at once instead of sleeping:
 *   outbox.c   delivers the mail outbox over SMTP (smtp.c, mime.c);
 *   expiry.c   expires applications never verified (rules.md D7).
 * settings.c reads the worker's own knobs from the environment, once.
 */
#ifndef WORKER_H
#define WORKER_H

#include <signal.h>
#include <stdbool.h>
#include <time.h>

#include "bm_cfg.h"

struct bm_db;
struct bm_redis;
struct smtp;

/* The worker's own configuration (the rest is struct bm_cfg). */
struct worker_settings {
	long tick_ms;        /* BIMER_WORKER_TICK_MS: idle poll interval */
	long batch;          /* BIMER_WORKER_BATCH: rows per job pass */
	long max_attempts;   /* BIMER_MAIL_MAX_ATTEMPTS: then the row is failed */
	long retry_base_ms;  /* BIMER_MAIL_RETRY_BASE_MS: first retry delay, doubled each time */
	long retry_max_s;    /* BIMER_MAIL_RETRY_MAX_S: cap of the retry delay */
	long lock_s;         /* BIMER_MAIL_LOCK_S: how long a claim keeps other workers off */
	long smtp_timeout_s; /* BIMER_SMTP_TIMEOUT_S: one whole SMTP transaction */
};

struct worker {
	struct bm_cfg cfg;
	struct worker_settings set;
	struct bm_db *db;
	struct bm_redis *redis;
	struct smtp *smtp;
	sigset_t stop_signals;     /* blocked; polled with sigpending, taken with sigtimedwait */
	struct timespec stop_seen; /* when a stop signal was first seen pending */
	bool stopping;
	bool db_ok, redis_ok;
	/* SMTP server unreachable smtp_down times in a row: no new try before the probe time */
	long smtp_down;
	long long smtp_probe_at_ms; /* CLOCK_MONOTONIC */
};

/* Fill s from the environment; on failure write a reason naming the variable. */
int worker_settings_load(struct worker_settings *s, char *err, size_t errlen);

/* Whether SIGTERM or SIGINT is pending; remembers when it was first seen. */
bool worker_stop_requested(struct worker *w);

/* Milliseconds since the stop signal was first seen (0 if none). */
long worker_stop_age_ms(const struct worker *w);

/*
 * One pass over the due outbox rows (at most set.batch). Returns true when
 * the batch was full, i.e. more rows may be due right now.
 */
bool outbox_run(struct worker *w);

/* One pass of the expiry sweep (at most set.batch). True when the batch was full. */
bool expiry_run(struct worker *w);

#endif
