// SPDX-License-Identifier: MIT
/*
 * Batched intake: the writer threads and their queue. See batch.h.
 *
 * The statements for n rows (1..BATCH_MAX) are built once at start, so each
 * writer's prepared-statement cache keys them by a stable string.
 *
 * The new applications' ids: a multi-row INSERT ... VALUES is a "simple
 * insert", and with innodb_autoinc_lock_mode 0 or 1 (MariaDB's default is 1)
 * InnoDB gives its rows consecutive values, in row order, auto_increment_
 * increment apart, the first one being the statement's insert id. A writer
 * reads both settings when it connects and then computes the ids. Under lock
 * mode 2 (Galera requires it), where concurrent inserts interleave, it reads
 * them back by application number in the same transaction instead, as it
 * does when the settings cannot be read. (INSERT ... RETURNING would do both,
 * but fetching its rows through a prepared statement now and then failed
 * here with no error number, and the connection was lost after it; not yet
 * understood, so not used.)
 */
#include "batch.h"

#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_log.h"

#define BATCH_MAX 32

enum { ST_APPS, ST_IDS, ST_EVENTS, ST_TOKENS, ST_MAILS, ST__COUNT };

static const struct {
	const char *head, *tuple, *tail;
	size_t cols;
} shapes[ST__COUNT] = {
    [ST_APPS] = {INTAKE_INSERT_HEAD, INTAKE_ROW_TUPLE, "", INTAKE_ROW_COLS},
    [ST_IDS] = {"SELECT id, application_no FROM applications WHERE application_no IN (", "?", ")",
                1},
    [ST_EVENTS] = {"INSERT INTO application_events (application_id, at, kind, request_id, "
                   "hash) VALUES ",
                   "(?, ?, 'submitted', ?, ?)", "", 4},
    [ST_TOKENS] = {"INSERT INTO verification_tokens (token_hash, application_id, created_at, "
                   "expires_at) VALUES ",
                   "(?, ?, ?, ?)", "", 4},
    [ST_MAILS] = {BM_MAIL_INSERT_HEAD, BM_MAIL_TUPLE, "", BM_MAIL_COLS},
};

static struct {
	const struct bm_cfg *cfg;
	unsigned max, nwriters;
	char *sql[ST__COUNT][BATCH_MAX + 1];
	pthread_t tids[8];
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct intake_job *head, *tail;
	bool stopping;
	atomic_ullong transactions, written, alone, read_back;
} B = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

/* head + n tuples joined by ", " + tail, or NULL on OOM. */
static char *build_sql(int st, size_t n)
{
	size_t hl = strlen(shapes[st].head), tl = strlen(shapes[st].tuple);
	size_t cap = hl + n * (tl + 2) + strlen(shapes[st].tail) + 1;
	char *s = malloc(cap), *p = s;
	if (!s)
		return NULL;
	memcpy(p, shapes[st].head, hl);
	p += hl;
	for (size_t i = 0; i < n; i++) {
		if (i) {
			memcpy(p, ", ", 2);
			p += 2;
		}
		memcpy(p, shapes[st].tuple, tl);
		p += tl;
	}
	strcpy(p, shapes[st].tail);
	return s;
}

/*
 * The stride between the ids of one multi-row INSERT when the server makes them consecutive
 * (see the top of this file), 0 when it does not (read them back), -1 when it could not be
 * asked. A writer asks again whenever its connection is a new one (bm_db_connects).
 */
static long long id_stride(struct bm_db *db)
{
	struct bm_dbres *res = NULL;
	long long stride = -1;
	if (bm_db_run(db, "SELECT @@innodb_autoinc_lock_mode, @@auto_increment_increment", NULL, 0,
	              &res) == BM_OK &&
	    res->nrows == 1) {
		const char *mode = bm_dbres_get(res, 0, 0), *inc = bm_dbres_get(res, 0, 1);
		stride = 0;
		if (mode && inc && (!strcmp(mode, "0") || !strcmp(mode, "1")))
			stride = strtoll(inc, NULL, 10);
		if (stride < 0 || stride > 65535)
			stride = 0;
	}
	bm_dbres_free(res);
	return stride;
}

/* The ids of the rows just inserted, read back by application number. */
static enum bm_err read_ids(struct bm_db *db, struct intake_job **jobs, size_t n)
{
	struct bm_dbp nos[BATCH_MAX];
	struct bm_dbres *res = NULL;

	for (size_t i = 0; i < n; i++)
		nos[i] = jobs[i]->app[0];
	enum bm_err e = bm_db_run(db, B.sql[ST_IDS][n], nos, n, &res);
	if (e)
		return e;
	for (size_t r = 0; r < res->nrows; r++) {
		const char *id = bm_dbres_get(res, r, 0), *no = bm_dbres_get(res, r, 1);
		for (size_t i = 0; id && no && i < n; i++)
			if (!strcmp(jobs[i]->no, no))
				jobs[i]->id = strtoll(id, NULL, 10);
	}
	bm_dbres_free(res);
	return BM_OK;
}

/* The applications, then their ids into the jobs (stride: see id_stride). */
static enum bm_err insert_apps(struct bm_db *db, struct intake_job **jobs, size_t n,
                               long long stride)
{
	struct bm_dbp p[BATCH_MAX * INTAKE_ROW_COLS];
	struct bm_dbres *res = NULL;

	for (size_t i = 0; i < n; i++)
		memcpy(p + i * INTAKE_ROW_COLS, jobs[i]->app, sizeof jobs[i]->app);
	enum bm_err e = bm_db_run(db, B.sql[ST_APPS][n], p, n * INTAKE_ROW_COLS, &res);
	if (e)
		return e;
	bool computed = stride > 0 && res->affected == n && res->insert_id > 0;
	for (size_t i = 0; computed && i < n; i++)
		jobs[i]->id = (long long)res->insert_id + (long long)i * stride;
	bm_dbres_free(res);
	if (!computed) {
		if ((e = read_ids(db, jobs, n)))
			return e;
		atomic_fetch_add_explicit(&B.read_back, 1, memory_order_relaxed);
	}
	for (size_t i = 0; i < n; i++)
		if (jobs[i]->id <= 0) {
			bm_log(BM_LOG_ERROR, NULL,
			       "intake batch: an inserted row came back without its id");
			return BM_E_DB;
		}
	return BM_OK;
}

/* The first events (hash-chained from nothing, as bm_event_append does for them). */
static enum bm_err insert_events(struct bm_db *db, struct intake_job **jobs, size_t n)
{
	struct bm_dbp p[BATCH_MAX * 4];
	unsigned char hash[BATCH_MAX][32];

	for (size_t i = 0; i < n; i++) {
		const struct intake_job *j = jobs[i];
		bm_event_hash(NULL, j->id, j->at, "submitted", 0, NULL, NULL, NULL, NULL, NULL,
		              j->request_id, hash[i]);
		p[4 * i] = BM_DB_INT(j->id);
		p[4 * i + 1] = BM_DB_STR(j->at);
		p[4 * i + 2] = j->request_id ? BM_DB_STR(j->request_id) : BM_DB_NULL();
		p[4 * i + 3] = BM_DB_BLOB(hash[i], 32);
	}
	return bm_db_run(db, B.sql[ST_EVENTS][n], p, n * 4, NULL);
}

static enum bm_err insert_tokens(struct bm_db *db, struct intake_job **jobs, size_t n)
{
	struct bm_dbp p[BATCH_MAX * 4];
	for (size_t i = 0; i < n; i++) {
		const struct intake_job *j = jobs[i];
		p[4 * i] = BM_DB_BLOB(j->token_hash, 32);
		p[4 * i + 1] = BM_DB_INT(j->id);
		p[4 * i + 2] = BM_DB_STR(j->created);
		p[4 * i + 3] = BM_DB_STR(j->expires);
	}
	return bm_db_run(db, B.sql[ST_TOKENS][n], p, n * 4, NULL);
}

/* The mails of the jobs that have an address (all internet applications do): small rows
 * of parameters, which the worker renders (bm_notify_verification_mail). */
static enum bm_err insert_mails(struct bm_db *db, struct intake_job **jobs, size_t n)
{
	struct bm_dbp p[BATCH_MAX * BM_MAIL_COLS];
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		struct bm_mail *m = &jobs[i]->mail;
		if (!m->recipient)
			continue;
		m->application_id = jobs[i]->id;
		bm_mail_values(m, p + BM_MAIL_COLS * k++);
	}
	return k ? bm_db_run(db, B.sql[ST_MAILS][k], p, k * BM_MAIL_COLS, NULL) : BM_OK;
}

/* A writer's settings: the id stride and the connection it was read on. */
struct ids {
	long long stride;
	unsigned long conn;
};

/* One transaction for n jobs; sets each job's outcome. */
static void write_batch(struct bm_db *db, struct intake_job **jobs, size_t n, struct ids *ids)
{
	enum bm_err e = bm_db_begin(db);
	if (!e && (ids->stride < 0 || ids->conn != bm_db_connects(db))) {
		ids->stride = id_stride(db);
		ids->conn = bm_db_connects(db);
	}
	if (!e)
		e = insert_apps(db, jobs, n, ids->stride);
	if (!e)
		e = insert_events(db, jobs, n);
	if (!e)
		e = insert_tokens(db, jobs, n);
	if (!e)
		e = insert_mails(db, jobs, n);
	if (e) {
		bm_db_rollback(db);
		if (n > 1 || e != BM_E_CONFLICT)
			bm_log(BM_LOG_WARN, NULL,
			       "intake batch of %zu not written (%s, MariaDB error %u): each is "
			       "written alone",
			       n, bm_err_code(e), bm_db_errno(db));
		for (size_t i = 0; i < n; i++) {
			jobs[i]->alone = true;
			jobs[i]->id = 0;
		}
		atomic_fetch_add_explicit(&B.alone, n, memory_order_relaxed);
		return;
	}
	e = bm_db_commit(db);
	if (!e) {
		atomic_fetch_add_explicit(&B.transactions, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&B.written, n, memory_order_relaxed);
	}
	for (size_t i = 0; i < n; i++)
		jobs[i]->err = e;
}

static void *writer(void *arg)
{
	(void)arg;
	struct intake_job *jobs[BATCH_MAX];
	struct bm_db *db;
	struct ids ids = {.stride = -1};

	mysql_thread_init();
	db = bm_db_new(B.cfg);
	for (;;) {
		size_t n = 0;
		pthread_mutex_lock(&B.lock);
		while (!B.head && !B.stopping)
			pthread_cond_wait(&B.wake, &B.lock);
		while (B.head && n < B.max) {
			jobs[n++] = B.head;
			B.head = B.head->next;
		}
		if (!B.head)
			B.tail = NULL;
		pthread_mutex_unlock(&B.lock);
		if (n == 0)
			break; /* stopping and nothing left */
		if (db)
			write_batch(db, jobs, n, &ids);
		for (size_t i = 0; i < n; i++)
			jobs[i]->alone = jobs[i]->alone || !db;
		pthread_mutex_lock(&B.lock);
		for (size_t i = 0; i < n; i++) {
			jobs[i]->done = true;
			pthread_cond_signal(&jobs[i]->cond);
		}
		pthread_mutex_unlock(&B.lock);
	}
	bm_db_free(db);
	mysql_thread_end();
	return NULL;
}

enum bm_err batch_write(struct intake_job *job)
{
	job->id = 0;
	job->err = BM_OK;
	job->done = false;
	job->next = NULL;
	pthread_mutex_lock(&B.lock);
	if (B.nwriters == 0 || B.stopping) {
		pthread_mutex_unlock(&B.lock);
		job->alone = true;
		return BM_OK;
	}
	job->alone = false;
	pthread_cond_init(&job->cond, NULL);
	if (B.tail)
		B.tail->next = job;
	else
		B.head = job;
	B.tail = job;
	pthread_cond_signal(&B.wake);
	while (!job->done)
		pthread_cond_wait(&job->cond, &B.lock);
	pthread_mutex_unlock(&B.lock);
	pthread_cond_destroy(&job->cond);
	return job->alone ? BM_OK : job->err;
}

static void free_sql(void)
{
	for (int st = 0; st < ST__COUNT; st++)
		for (size_t n = 0; n <= BATCH_MAX; n++) {
			free(B.sql[st][n]);
			B.sql[st][n] = NULL;
		}
}

int batch_start(const struct bm_cfg *cfg, struct bm_metrics *m)
{
	B.cfg = cfg;
	if (!bm_metrics_add_counter(m, "bimer_intake_transactions_total",
	                            "Intake transactions committed by the writers (batch.h).",
	                            &B.transactions) ||
	    !bm_metrics_add_counter(m, "bimer_intake_batched_applications_total",
	                            "Applications written in those transactions.", &B.written) ||
	    !bm_metrics_add_counter(
	        m, "bimer_intake_alone_applications_total",
	        "Applications of a failed batch, handed back to be written alone.", &B.alone) ||
	    !bm_metrics_add_counter(m, "bimer_intake_ids_read_back_total",
	                            "Batches whose ids were read back, the server not making "
	                            "them consecutive (batch.c).",
	                            &B.read_back))
		return -1;
	B.max = cfg->intake_batch > BATCH_MAX ? BATCH_MAX : cfg->intake_batch;
	B.nwriters = 0;
	if (B.max == 0)
		return 0;
	for (int st = 0; st < ST__COUNT; st++)
		for (size_t n = 1; n <= B.max; n++)
			if (!(B.sql[st][n] = build_sql(st, n))) {
				free_sql();
				return -1;
			}
	unsigned want = cfg->intake_writers;
	if (want > sizeof B.tids / sizeof B.tids[0])
		want = sizeof B.tids / sizeof B.tids[0];
	for (unsigned i = 0; i < want; i++) {
		if (pthread_create(&B.tids[i], NULL, writer, NULL))
			break;
		B.nwriters++;
	}
	if (B.nwriters == 0) {
		free_sql();
		return -1;
	}
	bm_log(BM_LOG_INFO, NULL, "intake: %u writer(s), up to %u applications per transaction",
	       B.nwriters, B.max);
	return 0;
}

void batch_stop(void)
{
	pthread_mutex_lock(&B.lock);
	B.stopping = true;
	pthread_cond_broadcast(&B.wake);
	pthread_mutex_unlock(&B.lock);
	for (unsigned i = 0; i < B.nwriters; i++)
		pthread_join(B.tids[i], NULL);
	B.nwriters = 0;
	free_sql();
}
