// SPDX-License-Identifier: MIT
/*
 * Batched intake: concurrent internet applications share one transaction.
 *
 * A durable commit costs MariaDB a statement and a log flush, and every
 * statement a round trip; at peak load these, not the rows, dominated an
 * intake (tests/bench/RESULTS.md). So a request thread prepares everything
 * its application needs (number, row values, first event, token hash and
 * the mail's parameters: the worker renders it), hands it to one of
 * BIMER_INTAKE_WRITERS writer threads and waits. A writer takes every
 * waiting job (at most BIMER_INTAKE_BATCH) and writes them in one
 * transaction of four multi-row INSERTs: the applications, their first
 * events, the verification tokens and the outbox mails, then COMMIT. Only
 * after the commit does any of them answer, so an answer 202 still means
 * written and durable, and the transactional outbox holds: all four rows of
 * an application or none.
 *
 * A batch that fails before its COMMIT (a duplicate Idempotency-Key in the
 * batch, a lost connection, …) is rolled back whole and each of its jobs
 * is told to write itself alone, with the single-application path and its
 * own answers (a key race becomes a replay). A COMMIT whose answer is lost
 * may have committed: those jobs get the error, never a second write.
 */
#ifndef SUBMISSION_BATCH_H
#define SUBMISSION_BATCH_H

#include <pthread.h>
#include <stdbool.h>

#include "bm_cfg.h"
#include "bm_db.h"
#include "bm_event.h"
#include "bm_metrics.h"
#include "bm_notify.h"
#include "bm_time.h"
#include "intake.h"

struct intake_job {
	/* set by the request thread; every pointer must stay valid until batch_write returns */
	struct bm_dbp app[INTAKE_ROW_COLS]; /* intake_row's values */
	const char *no;                     /* the application number (app[0]) */
	unsigned char tracking_hash[32];    /* app[1] points here */
	char at[BM_EVENT_AT_LEN];           /* the first event's time */
	const char *request_id;
	unsigned char token_hash[32];
	const char *created; /* the token's creation time */
	char expires[BM_TIME_ISO_LEN];
	struct bm_mail mail; /* the verification mail's parameters (application_id: the writer) */
	/* set by the writer */
	long long id;
	enum bm_err err;
	bool alone; /* not written: write it with the single-application path */
	bool done;
	pthread_cond_t cond;
	struct intake_job *next;
};

/* Start the writers (BIMER_INTAKE_BATCH 0: none) and add their counters to m: transactions
 * committed, applications written in them, applications handed back to be written alone.
 * Non-zero on failure. */
int batch_start(const struct bm_cfg *cfg, struct bm_metrics *m);

/* Stop the writers once the queue is empty (after the request threads have stopped). */
void batch_stop(void);

/*
 * Queue job and wait for its batch. BM_OK: written and committed (job->id
 * set). With job->alone set nothing was written: the caller writes it
 * itself (also when batching is off). Otherwise the error of the batch's
 * COMMIT.
 */
enum bm_err batch_write(struct intake_job *job);

#endif
