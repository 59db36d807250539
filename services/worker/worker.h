// SPDX-License-Identifier: MIT
/*
 * The worker's shared state and its jobs. main.c owns the loop (signals,
 * dependency checks, heartbeat, pacing); each job is one file that does one
 * bounded pass per tick and reports whether more work is waiting, so the
 * loop can come back at once instead of sleeping:
 *   outbox.c   delivers the mail outbox over SMTP (smtp.c, mime.c);
 *   expiry.c   expires applications never verified (rules.md D7);
 *   sweep.c    paces the deadline sweeps and holds what they share:
 *     reminder.c  reminds the holding institution before the due day,
 *     overdue.c   marks applications past their due time (once each),
 *     deemed.c    deems rejected those silent past the period of D4;
 *   reports.c  builds, stores and announces each finished month's reports (M1);
 *   retention.c anonymises applications at the end of their retention period
 *              (KVKK) and removes the attachment files no row names any more.
 * settings.c reads the worker's own knobs from the environment, once.
 */
#ifndef WORKER_H
#define WORKER_H

#include <signal.h>
#include <stdbool.h>
#include <time.h>

#include "bm_cfg.h"
#include "bm_db.h"
#include "bm_req.h"
#include "bm_time.h"

struct bm_db;
struct bm_redis;
struct smtp;
struct report_run;

/* The worker's own configuration (the rest is struct bm_cfg). */
struct worker_settings {
	long tick_ms;        /* BIMER_WORKER_TICK_MS: idle poll interval */
	long batch;          /* BIMER_WORKER_BATCH: rows per job pass */
	long max_attempts;   /* BIMER_MAIL_MAX_ATTEMPTS: then the row is failed */
	long retry_base_ms;  /* BIMER_MAIL_RETRY_BASE_MS: first retry delay, doubled each time */
	long retry_max_s;    /* BIMER_MAIL_RETRY_MAX_S: cap of the retry delay */
	long lock_s;         /* BIMER_MAIL_LOCK_S: how long a claim keeps other workers off */
	long smtp_timeout_s; /* BIMER_SMTP_TIMEOUT_S: one whole SMTP transaction */
	long sweep_ms; /* BIMER_DEADLINE_SWEEP_MS: idle interval of the deadline sweeps (0: off) */
	long reminder_days; /* BIMER_REMINDER_DAYS: business days before the due day */

	/* BIMER_MONTHLY_REPORTS: 1 builds, stores and mails each finished month's reports */
	long monthly_reports;
	/* BIMER_REPORT_REFRESH_S: how often the current month's report aggregate is made (0 off) */
	long report_refresh_s;
	/* BIMER_REPORTS_TEST_NOW (test clock only): the monthly run's "now"; 0: the clock */
	time_t reports_now;
	/* BIMER_RETENTION_DAYS: days after the closing, then an application is anonymised */
	long retention_days;
	/* BIMER_RETENTION_EXPIRED_DAYS: the same for an application expired unverified */
	long retention_expired_days;
	/* BIMER_RETENTION_SWEEP_MS: idle interval of retention.c (0: off) */
	long retention_sweep_ms;
	/* BIMER_ATTACHMENT_UNCLAIMED_HOURS: then an upload nothing claimed is deleted */
	long unclaimed_hours;
};

/*
 * Where a deadline sweep's batched pass left off. Passes page through the
 * candidates by id, so rows that fail (and stay candidates) never keep the
 * rest from their turn; a pass that was not full starts over next time.
 */
struct sweep_cursor {
	long long after_id;
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
	/* What libbm's deadline and mail helpers need: cfg, db and the cached holiday calendar. */
	struct bm_ctx ctx;
	long long sweep_at_ms; /* next run of the deadline sweeps (CLOCK_MONOTONIC) */
	bool sweep_more;       /* a sweep's last pass was full: run again at once */
	struct sweep_cursor reminder_cur, overdue_cur, deemed_cur;
	char remind_until[BM_TIME_ISO_LEN]; /* this reminder pass's bound on due_at (UTC) */
	struct report_run *reports;         /* the monthly run's state (reports.c) */
	long long retention_at_ms;          /* next retention pass (CLOCK_MONOTONIC) */
	bool retention_more;                /* its last pass was full: run again at once */
	struct sweep_cursor retention_cur;
};

/* Fill s from the environment; on failure write a reason naming the variable. */
int worker_settings_load(struct worker_settings *s, char *err, size_t errlen);

/* Whether SIGTERM or SIGINT is pending; remembers when it was first seen. */
bool worker_stop_requested(struct worker *w);

/* Milliseconds since the stop signal was first seen (0 if none). */
long worker_stop_age_ms(const struct worker *w);

/* CLOCK_MONOTONIC in milliseconds, for the worker's own pacing. */
long long worker_mono_ms(void);

/*
 * One pass over the due outbox rows (at most set.batch). Returns true when
 * the batch was full, i.e. more rows may be due right now.
 */
bool outbox_run(struct worker *w);

/* One pass of the expiry sweep (at most set.batch). True when the batch was full. */
bool expiry_run(struct worker *w);

/*
 * The deadline sweeps, when their interval has passed (or the last pass was
 * full): reminders, then overdue, then deemed rejection, so a timeline reads
 * in the order things happened. True when a pass was full.
 */
bool deadlines_run(struct worker *w);

/* One pass of each deadline sweep (at most set.batch). True when the batch was full. */
bool reminder_run(struct worker *w);
bool overdue_run(struct worker *w);
bool deemed_run(struct worker *w);

/*
 * The monthly reports (reports.c): one step of the run of the month that
 * ended last, when one is due; true while reports of it remain to build.
 * reports_once builds a finished month at once (--monthly-reports) and
 * returns the process exit status. reports_free releases the run's state.
 */
bool reports_run(struct worker *w);
int reports_once(struct worker *w, const char *month);
/* --report-aggregate YYYY-MM: store a month's aggregate now (operations, the benchmark). */
int reports_aggregate_once(struct worker *w, const char *month);
void reports_free(struct report_run *r);

/*
 * Retention (retention.c), when its interval has passed or its last pass was
 * full: anonymise the applications past their period, then remove the
 * attachment files queued for removal. True when a pass was full.
 */
bool retention_run(struct worker *w);

/*
 * Shared by the sweeps. sweep_ids runs sql (its last two parameters, which
 * the caller leaves for it, are the cursor's id and the batch size) and
 * calls one() for each id found, stopping early on shutdown. True when the
 * batch was full; otherwise the cursor starts over.
 */
bool sweep_ids(struct worker *w, struct sweep_cursor *cur, const char *sql, struct bm_dbp *p,
               size_t n, void (*one)(struct worker *w, long long id));

/*
 * Inside the caller's transaction, holding the application's row lock:
 * append its `overdue` event (due_db is due_at as stored) unless it has one.
 * *written tells whether it was appended.
 */
enum bm_err overdue_append(struct worker *w, long long id, const char *due_db, bool *written);

/*
 * SQL of the current round of an application `a`: an accepted appeal sends
 * it back to the institution (a `reopened` event, services/appeal), and the
 * deadlines start again from there, so "once per application" is once per
 * round: only events after the last `reopened` one count, and the silence
 * period runs from that event's time when it is later than received_at.
 */
#define SWEEP_ROUND_START_ID                                                                       \
	"IFNULL((SELECT MAX(r.id) FROM application_events r WHERE r.application_id = a.id "        \
	"AND r.kind = 'reopened'), 0)"
#define SWEEP_ROUND_START_AT                                                                       \
	"GREATEST(a.received_at, IFNULL((SELECT r.at FROM application_events r WHERE "             \
	"r.application_id = a.id AND r.kind = 'reopened' ORDER BY r.id DESC LIMIT 1), "            \
	"a.received_at))"
/* "Application a has no event of kind K in its current round" (K bound as a parameter). */
#define SWEEP_NONE_THIS_ROUND                                                                      \
	"NOT EXISTS (SELECT 1 FROM application_events e WHERE e.application_id = a.id AND "        \
	"e.kind = ? AND e.id > " SWEEP_ROUND_START_ID ")"

/* Inside a transaction: how many events of kind the application's current round has (-1 on
 * error). */
long long sweep_round_count(struct worker *w, long long application_id, const char *kind);

/* "YYYY-MM-DDTHH:MM:SS+03:00" of t. */
void sweep_iso(time_t t, char out[BM_TIME_ISO_LEN]);

/* "28.11.2026 23:59" in Istanbul time, for mails. */
void sweep_tr_time(time_t t, char out[32]);

#endif
