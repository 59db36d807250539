// SPDX-License-Identifier: MIT
/*
 * The batched load: see load.h.
 *
 * Row ids: a multi-row INSERT gives its rows increasing ids from the
 * statement's insert id; that they are also consecutive (InnoDB guarantees it
 * for such "simple inserts" unless innodb_autoinc_lock_mode is 2) is checked
 * on every statement by reading back the last row's number, so an event can
 * never be chained to the wrong application. Loaders share only the tree
 * (read-only), the batch counter, the number ticket and the totals.
 */
#include "load.h"

#include <mysql.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bm_db.h"
#include "bm_req.h"
#include "bulk.h"
#include "plan.h"
#include "rows.h"
#include "tree.h"

enum {
	MAX_LOADERS = 8,
	BATCH = 2000,
	APP_ROWS = 500,
	EVENT_ROWS = 1000,
	APPEAL_ROWS = 250,
	COPY_ROWS = 500
};

static const char sql_app_seq[] = "SELECT NEXTVAL(application_no_seq) FROM seq_1_to_100000 LIMIT ?";
static const char sql_appeal_seq[] = "SELECT NEXTVAL(appeal_no_seq) FROM seq_1_to_100000 LIMIT ?";
static const char sql_check_app[] = "SELECT application_no FROM applications WHERE id = ?";
static const char sql_check_appeal[] = "SELECT appeal_no FROM appeals WHERE id = ?";

/* What the loaders share. */
struct shared {
	const struct bm_cfg *cfg;
	const struct dd_args *args;
	const struct dd_tree *tree;
	atomic_llong next; /* the next batch to take */
	atomic_bool failed;
	pthread_mutex_t lock; /* guards everything below */
	pthread_cond_t turn_cv;
	long long turn; /* the batch whose turn it is to draw numbers */
	struct dd_result res;
	double t0, last_report;
	char err[512];
};

/* One loader: its connections, statements, world and batch. */
struct loader {
	struct shared *sh;
	struct bm_ctx ctx; /* cfg and a bm_db: calendar and sequences */
	MYSQL *my;         /* the bulk connection */
	MYSQL_STMT *check_app, *check_appeal;
	struct dd_world world;
	struct dd_bulk apps, events, appeals, copies;
	struct dd_app *batch;
	long long events_n, appeals_n; /* of the current batch */
	char err[512];
};

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(struct loader *l, const char *what, const char *detail)
{
	snprintf(l->err, sizeof l->err, "%s%s%s", what, detail ? ": " : "", detail ? detail : "");
	return -1;
}

static MYSQL_STMT *prepare(MYSQL *my, const char *sql)
{
	MYSQL_STMT *st = mysql_stmt_init(my);
	if (st && mysql_stmt_prepare(st, sql, strlen(sql))) {
		mysql_stmt_close(st);
		return NULL;
	}
	return st;
}

/* The bulk connection: like bm_db's (socket or TCP, utf8mb4, UTC), with room for long
 * statements. */
static int connect_bulk(struct loader *l)
{
	const struct bm_cfg *c = l->sh->cfg;
	unsigned ct = c->db_timeout_s, rw = 600;
	if (!(l->my = mysql_init(NULL)))
		return fail(l, "out of memory", NULL);
	mysql_options(l->my, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
	mysql_options(l->my, MYSQL_OPT_READ_TIMEOUT, &rw);
	mysql_options(l->my, MYSQL_OPT_WRITE_TIMEOUT, &rw);
	mysql_options(l->my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(l->my, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00'");
	bool local = c->db_socket[0] != '\0'; /* BIMER_DB_SOCKET, as bm_db connects */
	if (!mysql_real_connect(l->my, local ? "localhost" : c->db_host, c->db_user, c->db_password,
	                        c->db_name, local ? 0 : c->db_port, local ? c->db_socket : NULL, 0))
		return fail(l, "cannot connect to MariaDB", mysql_error(l->my));
	if (mysql_autocommit(l->my, 0) || !(l->check_app = prepare(l->my, sql_check_app)) ||
	    !(l->check_appeal = prepare(l->my, sql_check_appeal)))
		return fail(l, "cannot prepare statements", mysql_error(l->my));
	return 0;
}

static int bulks(struct loader *l)
{
	struct {
		struct dd_bulk *b;
		const char *head;
		unsigned cols, rows;
	} t[] = {{&l->apps, dd_app_head, DD_APP_COLS, APP_ROWS},
	         {&l->events, dd_event_head, DD_EVENT_COLS, EVENT_ROWS},
	         {&l->appeals, dd_appeal_head, DD_APPEAL_COLS, APPEAL_ROWS},
	         {&l->copies, dd_copy_head, DD_COPY_COLS, COPY_ROWS}};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (dd_bulk_init(t[i].b, l->my, t[i].head, t[i].cols, t[i].rows))
			return fail(l, "cannot prepare the inserts", t[i].b->err);
	return 0;
}

static int loader_open(struct loader *l, struct shared *sh)
{
	const struct dd_args *a = sh->args;
	memset(l, 0, sizeof *l);
	l->sh = sh;
	l->ctx.cfg = sh->cfg;
	if (!(l->ctx.db = bm_db_new(sh->cfg)) || !(l->batch = calloc(BATCH, sizeof *l->batch)))
		return fail(l, "out of memory", NULL);
	if (bm_db_ping(l->ctx.db))
		return fail(l, "cannot connect to MariaDB (BIMER_DB_* settings)", NULL);
	if (dd_world_init(&l->world, &l->ctx, sh->tree, a->seed, a->count, a->start, a->end,
	                  a->now))
		return fail(l, "cannot read the holiday calendar or the topics' institutions",
		            NULL);
	return connect_bulk(l) || bulks(l) ? -1 : 0;
}

static void loader_close(struct loader *l)
{
	dd_bulk_free(&l->apps);
	dd_bulk_free(&l->events);
	dd_bulk_free(&l->appeals);
	dd_bulk_free(&l->copies);
	if (l->check_app)
		mysql_stmt_close(l->check_app);
	if (l->check_appeal)
		mysql_stmt_close(l->check_appeal);
	if (l->my)
		mysql_close(l->my);
	dd_world_free(&l->world);
	bm_cal_free(l->ctx.cal);
	bm_db_free(l->ctx.db);
	free(l->batch);
}

/* n values of a sequence, in order. Caller frees. */
static long long *draw(struct loader *l, const char *sql, size_t n)
{
	struct bm_dbres *res = NULL;
	struct bm_dbp p[] = {BM_DB_INT((long long)n)};
	long long *v = calloc(n ? n : 1, sizeof *v);
	if (!v || bm_db_run(l->ctx.db, sql, p, 1, &res) || res->nrows != n) {
		bm_dbres_free(res);
		free(v);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = strtoll(bm_dbres_get(res, i, 0), NULL, 10);
	bm_dbres_free(res);
	return v;
}

/* Batch k draws after batch k - 1, so numbers follow arrival order across loaders. */
static bool wait_turn(struct shared *sh, long long k)
{
	pthread_mutex_lock(&sh->lock);
	while (sh->turn != k && !atomic_load(&sh->failed))
		pthread_cond_wait(&sh->turn_cv, &sh->lock);
	pthread_mutex_unlock(&sh->lock);
	return !atomic_load(&sh->failed);
}

static void next_turn(struct shared *sh)
{
	pthread_mutex_lock(&sh->lock);
	sh->turn++;
	pthread_cond_broadcast(&sh->turn_cv);
	pthread_mutex_unlock(&sh->lock);
}

/* Application numbers (year of arrival, bm_appno's format) and appeal numbers (year of filing). */
static int numbers(struct loader *l, long long k, size_t n)
{
	size_t nappeals = 0, j = 0;
	for (size_t i = 0; i < n; i++)
		nappeals += l->batch[i].appeal.filed;
	if (!wait_turn(l->sh, k))
		return fail(l, "stopped", NULL);
	long long *apps = draw(l, sql_app_seq, n);
	long long *appeals = nappeals ? draw(l, sql_appeal_seq, nappeals) : NULL;
	next_turn(l->sh);
	if (!apps || (nappeals && !appeals)) {
		free(apps);
		free(appeals);
		return fail(l, "cannot draw numbers from the application or appeal sequence", NULL);
	}
	for (size_t i = 0; i < n; i++) {
		struct dd_app *a = &l->batch[i];
		bm_appno_format(dd_year_of(a->created), apps[i], a->no);
		if (a->appeal.filed)
			snprintf(a->appeal.no, sizeof a->appeal.no, "%04d-%06lld",
			         dd_year_of(a->appeal.filed_at), appeals[j++]);
	}
	free(apps);
	free(appeals);
	return 0;
}

/* The number of the row with this id, on the bulk connection (it sees its own inserts). */
static int number_of(MYSQL_STMT *st, unsigned long long id, char out[40])
{
	long long key = (long long)id;
	unsigned long len = 0;
	MYSQL_BIND in = {.buffer_type = MYSQL_TYPE_LONGLONG, .buffer = &key};
	MYSQL_BIND res = {
	    .buffer_type = MYSQL_TYPE_STRING, .buffer = out, .buffer_length = 39, .length = &len};
	out[0] = '\0';
	int rc = mysql_stmt_bind_param(st, &in) || mysql_stmt_execute(st) ||
	         mysql_stmt_bind_result(st, &res) || mysql_stmt_fetch(st) != 0;
	if (!rc)
		out[len < 39 ? len : 39] = '\0';
	mysql_stmt_free_result(st);
	mysql_stmt_reset(st);
	return rc ? -1 : 0;
}

/* Flush b and check its n rows got consecutive ids ending with the number `last`. */
static int flush_ids(struct loader *l, struct dd_bulk *b, MYSQL_STMT *check, unsigned n,
                     const char *last, unsigned long long *first)
{
	char got[40];
	if (dd_bulk_flush(b))
		return fail(l, "insert failed", b->err);
	*first = b->first_id;
	if (b->affected != n || number_of(check, *first + n - 1, got) || strcmp(got, last))
		return fail(l, "inserted rows did not get consecutive ids", NULL);
	return 0;
}

static int insert_apps(struct loader *l, size_t n)
{
	unsigned long long first;
	for (size_t s = 0; s < n; s += APP_ROWS) {
		size_t m = n - s < APP_ROWS ? n - s : APP_ROWS;
		for (size_t i = s; i < s + m; i++)
			if (dd_row_app(&l->apps, l->sh->cfg, &l->batch[i]))
				return fail(l, "insert failed",
				            l->apps.err[0] ? l->apps.err : "no memory");
		if (flush_ids(l, &l->apps, l->check_app, (unsigned)m, l->batch[s + m - 1].no,
		              &first))
			return -1;
		for (size_t i = 0; i < m; i++)
			l->batch[s + i].id = (long long)(first + i);
	}
	return 0;
}

static int insert_events(struct loader *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (dd_row_events(&l->events, l->sh->cfg, &l->batch[i]))
			return fail(l, "insert failed",
			            l->events.err[0] ? l->events.err : "no memory");
		l->events_n += l->batch[i].nev;
	}
	return dd_bulk_flush(&l->events) ? fail(l, "insert failed", l->events.err) : 0;
}

/* Appeals in groups of APPEAL_ROWS, each group's copies after it (they need its ids). */
static int insert_appeals(struct loader *l, size_t n)
{
	size_t group[APPEAL_ROWS], m = 0;
	unsigned long long first;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && l->batch[i].appeal.filed)
			group[m++] = i;
		if (m == 0 || (m < APPEAL_ROWS && i < n))
			continue;
		for (size_t k = 0; k < m; k++)
			if (dd_row_appeal(&l->appeals, &l->batch[group[k]]))
				return fail(l, "insert failed", l->appeals.err);
		if (flush_ids(l, &l->appeals, l->check_appeal, (unsigned)m,
		              l->batch[group[m - 1]].appeal.no, &first))
			return -1;
		for (size_t k = 0; k < m; k++)
			if (dd_row_copies(&l->copies, l->sh->tree, &l->batch[group[k]],
			                  (long long)(first + k)))
				return fail(l, "insert failed", l->copies.err);
		l->appeals_n += (long long)m;
		m = 0;
	}
	return dd_bulk_flush(&l->copies) ? fail(l, "insert failed", l->copies.err) : 0;
}

/* Count a committed batch; print progress every few seconds. */
static void committed(struct loader *l, size_t n)
{
	struct shared *sh = l->sh;
	double now = seconds();
	pthread_mutex_lock(&sh->lock);
	sh->res.done += (long long)n;
	sh->res.events += l->events_n;
	sh->res.appeals += l->appeals_n;
	if (now - sh->last_report >= 5.0 || sh->res.done == sh->args->count) {
		sh->last_report = now;
		printf(
		    "bimer-demodata: %lld/%lld applications (%lld%%), %lld events, %lld appeals, "
		    "%.1f s\n",
		    sh->res.done, sh->args->count, sh->res.done * 100 / sh->args->count,
		    sh->res.events, sh->res.appeals, now - sh->t0);
		fflush(stdout);
	}
	pthread_mutex_unlock(&sh->lock);
}

/* Batch k: plan, number, insert, commit. */
static int batch(struct loader *l, long long k)
{
	long long first = k * BATCH, count = l->sh->args->count;
	size_t n = (size_t)(count - first < BATCH ? count - first : BATCH);
	l->events_n = l->appeals_n = 0;
	for (size_t i = 0; i < n; i++)
		if (dd_plan(&l->world, first + (long long)i, &l->batch[i])) {
			atomic_store(&l->sh->failed,
			             true); /* no turn for this batch: release the others */
			return fail(l, "the calendar cannot count a period (holidays table)", NULL);
		}
	if (numbers(l, k, n) || insert_apps(l, n) || insert_events(l, n) || insert_appeals(l, n))
		return -1;
	if (mysql_commit(l->my))
		return fail(l, "commit failed", mysql_error(l->my));
	committed(l, n);
	return 0;
}

static void stop_all(struct shared *sh, const struct loader *l)
{
	pthread_mutex_lock(&sh->lock);
	if (!sh->err[0])
		snprintf(sh->err, sizeof sh->err, "%s", l->err);
	atomic_store(&sh->failed, true);
	pthread_cond_broadcast(&sh->turn_cv);
	pthread_mutex_unlock(&sh->lock);
}

static void *loader_main(void *arg)
{
	struct shared *sh = arg;
	struct loader *l = malloc(sizeof *l);
	long long batches = (sh->args->count + BATCH - 1) / BATCH;
	mysql_thread_init();
	if (!l || loader_open(l, sh)) {
		struct loader oom = {.err = "out of memory"};
		stop_all(sh, l ? l : &oom);
	} else {
		for (long long k;
		     !atomic_load(&sh->failed) && (k = atomic_fetch_add(&sh->next, 1)) < batches;)
			if (batch(l, k)) {
				mysql_rollback(l->my);
				stop_all(sh, l);
			}
	}
	if (l)
		loader_close(l);
	free(l);
	mysql_thread_end();
	return NULL;
}

static int load_tree(const struct bm_cfg *cfg, struct dd_tree *tree, char *err, size_t cap)
{
	struct bm_db *db = bm_db_new(cfg);
	int rc = -1;
	if (!db)
		snprintf(err, cap, "out of memory");
	else if (bm_db_ping(db))
		snprintf(err, cap, "cannot connect to MariaDB (BIMER_DB_* settings)");
	else
		rc = dd_tree_load(db, tree, err, cap) ? -1 : 0;
	bm_db_free(db);
	return rc;
}

int dd_load(const struct bm_cfg *cfg, const struct dd_args *args, struct dd_result *res, char *err,
            size_t cap)
{
	struct dd_tree tree = {0}; /* freed whatever load_tree reached */
	struct shared sh = {.cfg = cfg, .args = args, .tree = &tree};
	pthread_t th[MAX_LOADERS];
	int started = 0, loaders = args->loaders < MAX_LOADERS ? args->loaders : MAX_LOADERS;
	memset(res, 0, sizeof *res);
	if (load_tree(cfg, &tree, err, cap)) {
		dd_tree_free(&tree);
		return -1;
	}
	pthread_mutex_init(&sh.lock, NULL);
	pthread_cond_init(&sh.turn_cv, NULL);
	sh.t0 = sh.last_report = seconds();
	for (int i = 0; i < loaders; i++)
		started += pthread_create(&th[started], NULL, loader_main, &sh) == 0;
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	*res = sh.res;
	res->seconds = seconds() - sh.t0;
	if (!started)
		snprintf(sh.err, sizeof sh.err, "cannot start a thread");
	snprintf(err, cap, "%s", sh.err);
	pthread_cond_destroy(&sh.turn_cv);
	pthread_mutex_destroy(&sh.lock);
	dd_tree_free(&tree);
	return sh.err[0] ? -1 : 0;
}
