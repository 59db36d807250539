// SPDX-License-Identifier: MIT
/*
 * bm_db: per-thread MariaDB connection with a prepared-statement cache and
 * explicit reconnect. See bm_db.h.
 */
#include "bm_db.h"
#include "bm_db_int.h"

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <stdlib.h>

#include "bm_log.h"

#define STMT_CACHE   192
#define CELL_INITIAL 256

struct stmt_slot {
	const char *sql;
	MYSQL_STMT *st;
};

struct bm_db {
	const struct bm_cfg *cfg;
	MYSQL *my;
	bool in_tx;
	unsigned last_errno;
	unsigned long connects; /* connections made so far (bm_db_connects) */
	struct stmt_slot cache[STMT_CACHE];
	size_t ncache;
	bm_db_changed_fn on_change; /* see bm_db_on_change */
	void *on_change_arg;
	long long *touched; /* applications changed in the open transaction */
	size_t ntouched, cap_touched;
};

struct bm_db *bm_db_new(const struct bm_cfg *cfg)
{
	struct bm_db *db = calloc(1, sizeof *db);
	if (db)
		db->cfg = cfg;
	return db;
}

static void drop_connection(struct bm_db *db)
{
	for (size_t i = 0; i < db->ncache; i++)
		mysql_stmt_close(db->cache[i].st);
	db->ncache = 0;
	if (db->my)
		mysql_close(db->my);
	db->my = NULL;
	db->in_tx = false;
}

void bm_db_free(struct bm_db *db)
{
	if (!db)
		return;
	drop_connection(db);
	free(db->touched);
	free(db);
}

void bm_db_on_change(struct bm_db *db, bm_db_changed_fn fn, void *arg)
{
	db->on_change = fn;
	db->on_change_arg = arg;
}

/* Hand the marks to the hook and clear them. */
static void flush_touched(struct bm_db *db, bool notify)
{
	if (notify && db->on_change && db->ntouched)
		db->on_change(db->on_change_arg, db->touched, db->ntouched);
	db->ntouched = 0;
}

void bm_db_touch(struct bm_db *db, long long application_id)
{
	if (!db->on_change)
		return;
	for (size_t i = 0; i < db->ntouched; i++)
		if (db->touched[i] == application_id)
			return;
	if (db->ntouched == db->cap_touched) {
		size_t cap = db->cap_touched ? 2 * db->cap_touched : 8;
		long long *t = realloc(db->touched, cap * sizeof *t);
		if (!t) { /* no room to remember: tell now rather than never */
			db->on_change(db->on_change_arg, &application_id, 1);
			return;
		}
		db->touched = t;
		db->cap_touched = cap;
	}
	db->touched[db->ntouched++] = application_id;
	if (!db->in_tx)
		flush_touched(db, true);
}

static bool is_connection_error(unsigned e)
{
	return e == CR_SERVER_GONE_ERROR || e == CR_SERVER_LOST || e == CR_CONNECTION_ERROR ||
	       e == CR_CONN_HOST_ERROR || e == CR_SERVER_LOST_EXTENDED ||
	       e == ER_CONNECTION_KILLED || e == 4031 /* ER_CLIENT_INTERACTION_TIMEOUT */ ||
	       e == CR_COMMANDS_OUT_OF_SYNC;
}

MYSQL *bm_db_connect(const struct bm_cfg *c, unsigned read_timeout_s, unsigned *err_no)
{
	unsigned timeout = c->db_timeout_s;
	bool local = c->db_socket[0] != '\0';
	MYSQL *my = mysql_init(NULL);

	*err_no = 0;
	if (!my)
		return NULL;
	mysql_options(my, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(my, MYSQL_OPT_READ_TIMEOUT, &read_timeout_s);
	mysql_options(my, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
	mysql_options(my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(my, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00'");
	if (!mysql_real_connect(my, local ? "localhost" : c->db_host, c->db_user, c->db_password,
	                        c->db_name, local ? 0 : c->db_port, local ? c->db_socket : NULL,
	                        0)) {
		*err_no = mysql_errno(my);
		bm_log(BM_LOG_WARN, NULL, "db connect failed: %u %s", mysql_errno(my),
		       mysql_error(my));
		mysql_close(my);
		return NULL;
	}
	return my;
}

static enum bm_err connect_db(struct bm_db *db)
{
	if (db->my)
		return BM_OK;
	db->my = bm_db_connect(db->cfg, db->cfg->db_timeout_s, &db->last_errno);
	if (db->my) {
		db->connects++;
		return BM_OK;
	}
	return db->last_errno ? BM_E_DB : BM_E_NOMEM;
}

enum bm_err bm_db_ping(struct bm_db *db)
{
	enum bm_err e = connect_db(db);
	if (e)
		return e;
	if (mysql_ping(db->my) == 0)
		return BM_OK;
	/* The connection died since last use: one fresh attempt. */
	drop_connection(db);
	if ((e = connect_db(db)))
		return e;
	return mysql_ping(db->my) == 0 ? BM_OK : BM_E_DB;
}

static MYSQL_STMT *prepared(struct bm_db *db, const char *sql)
{
	/* Most callers pass the same constant each time: pointers first, then the text (SQL
	 * built per call). The batched intake's statements share kilobytes of prefix. */
	for (size_t i = 0; i < db->ncache; i++)
		if (db->cache[i].sql == sql)
			return db->cache[i].st;
	for (size_t i = 0; i < db->ncache; i++)
		if (!strcmp(db->cache[i].sql, sql))
			return db->cache[i].st;
	MYSQL_STMT *st = mysql_stmt_init(db->my);
	if (!st)
		return NULL;
	if (mysql_stmt_prepare(st, sql, strlen(sql))) {
		db->last_errno = mysql_stmt_errno(st);
		bm_log(BM_LOG_ERROR, NULL, "db prepare failed: %u %s", mysql_stmt_errno(st),
		       mysql_stmt_error(st));
		mysql_stmt_close(st);
		return NULL;
	}
	if (db->ncache == STMT_CACHE) { /* full: evict the oldest */
		mysql_stmt_close(db->cache[0].st);
		memmove(db->cache, db->cache + 1, (STMT_CACHE - 1) * sizeof db->cache[0]);
		db->ncache--;
	}
	db->cache[db->ncache++] = (struct stmt_slot){sql, st};
	return st;
}

void bm_db_bind_params(MYSQL_BIND *b, const struct bm_dbp *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		memset(&b[i], 0, sizeof b[i]);
		switch (p[i].type) {
		case BM_DBP_NULL: b[i].buffer_type = MYSQL_TYPE_NULL; break;
		case BM_DBP_INT:
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = (void *)&p[i].i;
			break;
		case BM_DBP_STR:
		case BM_DBP_BLOB:
			b[i].buffer_type =
			    p[i].type == BM_DBP_STR ? MYSQL_TYPE_STRING : MYSQL_TYPE_BLOB;
			b[i].buffer = (void *)p[i].p;
			b[i].buffer_length = p[i].len;
			break;
		}
	}
}

void bm_dbres_free(struct bm_dbres *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nrows * r->ncols; i++)
		free(r->cells[i]);
	free(r->cells);
	free(r->lens);
	free(r);
}

const char *bm_dbres_get(const struct bm_dbres *r, size_t row, size_t col)
{
	if (!r || row >= r->nrows || col >= r->ncols)
		return NULL;
	return r->cells[row * r->ncols + col];
}

/* Append one fetched row to r; cells longer than the bound buffer are re-read whole. */
static enum bm_err take_row(MYSQL_STMT *st, MYSQL_BIND *b, unsigned long *len, my_bool *isnull,
                            struct bm_dbres *r)
{
	size_t base = r->nrows * r->ncols;
	char **cells = realloc(r->cells, (base + r->ncols) * sizeof *cells);
	if (!cells)
		return BM_E_NOMEM;
	r->cells = cells;
	size_t *lens = realloc(r->lens, (base + r->ncols) * sizeof *lens);
	if (!lens)
		return BM_E_NOMEM;
	r->lens = lens;
	for (size_t c = 0; c < r->ncols; c++)
		r->cells[base + c] = NULL;
	r->nrows++;
	for (size_t c = 0; c < r->ncols; c++) {
		r->lens[base + c] = 0;
		if (isnull[c])
			continue;
		char *cell = malloc(len[c] + 1);
		if (!cell)
			return BM_E_NOMEM;
		if (len[c] <= b[c].buffer_length) {
			memcpy(cell, b[c].buffer, len[c]);
		} else {
			MYSQL_BIND one = b[c];
			one.buffer = cell;
			one.buffer_length = len[c];
			if (mysql_stmt_fetch_column(st, &one, (unsigned)c, 0)) {
				free(cell);
				return BM_E_DB;
			}
		}
		cell[len[c]] = '\0';
		r->cells[base + c] = cell;
		r->lens[base + c] = len[c];
	}
	return BM_OK;
}

static enum bm_err fetch_all(MYSQL_STMT *st, struct bm_dbres *r)
{
	MYSQL_RES *meta = mysql_stmt_result_metadata(st);
	enum bm_err e = BM_OK;

	if (!meta)
		return BM_OK; /* not a SELECT */
	r->ncols = mysql_num_fields(meta);
	mysql_free_result(meta);
	MYSQL_BIND *b = calloc(r->ncols, sizeof *b);
	unsigned long *len = calloc(r->ncols, sizeof *len);
	my_bool *isnull = calloc(r->ncols, sizeof *isnull);
	char *bufs = calloc(r->ncols, CELL_INITIAL);
	if (!b || !len || !isnull || !bufs) {
		e = BM_E_NOMEM;
		goto out;
	}
	for (size_t c = 0; c < r->ncols; c++) {
		b[c].buffer_type = MYSQL_TYPE_STRING;
		b[c].buffer = bufs + c * CELL_INITIAL;
		b[c].buffer_length = CELL_INITIAL - 1;
		b[c].length = &len[c];
		b[c].is_null = &isnull[c];
	}
	if (mysql_stmt_bind_result(st, b) || mysql_stmt_store_result(st)) {
		e = BM_E_DB;
		goto out;
	}
	for (;;) {
		int rc = mysql_stmt_fetch(st);
		if (rc == MYSQL_NO_DATA)
			break;
		if (rc == 1) {
			e = BM_E_DB;
			break;
		}
		if ((e = take_row(st, b, len, isnull, r)))
			break;
	}
out:
	mysql_stmt_free_result(st);
	free(b);
	free(len);
	free(isnull);
	free(bufs);
	return e;
}

static enum bm_err run_bound(struct bm_db *db, MYSQL_STMT *st, MYSQL_BIND *bind,
                             const struct bm_dbp *params, size_t n, struct bm_dbres *r);

static enum bm_err run_once(struct bm_db *db, const char *sql, const struct bm_dbp *params,
                            size_t n, struct bm_dbres *r)
{
	MYSQL_BIND small[64], *bind = small;
	enum bm_err e;

	if ((e = connect_db(db)))
		return e;
	MYSQL_STMT *st = prepared(db, sql);
	if (!st)
		return db->last_errno ? BM_E_DB : BM_E_NOMEM;
	if (mysql_stmt_param_count(st) != n) {
		bm_log(BM_LOG_ERROR, NULL, "db: statement wants %lu params, got %zu",
		       mysql_stmt_param_count(st), n);
		return BM_E_INTERNAL;
	}
	/* multi-row statements (the batched intake) bind more than the usual few */
	if (n > sizeof small / sizeof small[0] && !(bind = calloc(n, sizeof *bind)))
		return BM_E_NOMEM;
	e = run_bound(db, st, bind, params, n, r);
	if (bind != small)
		free(bind);
	return e;
}

static enum bm_err run_bound(struct bm_db *db, MYSQL_STMT *st, MYSQL_BIND *bind,
                             const struct bm_dbp *params, size_t n, struct bm_dbres *r)
{
	enum bm_err e;

	bm_db_bind_params(bind, params, n);
	if ((n && mysql_stmt_bind_param(st, bind)) || mysql_stmt_execute(st)) {
		db->last_errno = mysql_stmt_errno(st);
		if (db->last_errno == ER_DUP_ENTRY)
			return BM_E_CONFLICT;
		bm_log(BM_LOG_ERROR, NULL, "db execute failed: %u %s", mysql_stmt_errno(st),
		       mysql_stmt_error(st));
		return BM_E_DB;
	}
	r->affected = mysql_stmt_affected_rows(st);
	r->insert_id = mysql_stmt_insert_id(st);
	if ((e = fetch_all(st, r))) {
		/* an error while the rows stream in (INSERT ... RETURNING reports its
		 * duplicate keys here, not at execute) */
		db->last_errno = mysql_stmt_errno(st);
		if (db->last_errno == ER_DUP_ENTRY)
			return BM_E_CONFLICT;
		if (e == BM_E_DB)
			bm_log(BM_LOG_ERROR, NULL, "db fetch failed: %u %s", db->last_errno,
			       mysql_stmt_error(st));
		return e;
	}
	return BM_OK;
}

enum bm_err bm_db_run(struct bm_db *db, const char *sql, const struct bm_dbp *params, size_t n,
                      struct bm_dbres **out)
{
	struct bm_dbres *r;
	enum bm_err e;

	db->last_errno = 0;
	for (int attempt = 0;; attempt++) {
		r = calloc(1, sizeof *r);
		if (!r)
			return BM_E_NOMEM;
		e = run_once(db, sql, params, n, r);
		if (e != BM_E_DB || !is_connection_error(db->last_errno) || db->in_tx ||
		    attempt > 0)
			break;
		/* Lost outside a transaction: reconnect, re-prepare, retry once. */
		bm_dbres_free(r);
		drop_connection(db);
	}
	if (e == BM_E_DB && is_connection_error(db->last_errno))
		drop_connection(db);
	if (e || !out)
		bm_dbres_free(r);
	else
		*out = r;
	return e;
}

static enum bm_err simple(struct bm_db *db, const char *sql)
{
	enum bm_err e = connect_db(db);
	if (e)
		return e;
	if (mysql_query(db->my, sql)) {
		db->last_errno = mysql_errno(db->my);
		bm_log(BM_LOG_ERROR, NULL, "db %s failed: %u %s", sql, mysql_errno(db->my),
		       mysql_error(db->my));
		if (is_connection_error(db->last_errno))
			drop_connection(db);
		return BM_E_DB;
	}
	return BM_OK;
}

enum bm_err bm_db_begin(struct bm_db *db)
{
	enum bm_err e = simple(db, "START TRANSACTION");
	if (e == BM_E_DB && !db->my) /* stale connection: one fresh try */
		e = simple(db, "START TRANSACTION");
	db->in_tx = e == BM_OK;
	return e;
}

enum bm_err bm_db_commit(struct bm_db *db)
{
	enum bm_err e = simple(db, "COMMIT");
	db->in_tx = false;
	flush_touched(db, true);
	return e;
}

void bm_db_rollback(struct bm_db *db)
{
	if (db->my && db->in_tx)
		(void)simple(db, "ROLLBACK");
	db->in_tx = false;
	flush_touched(db, false);
}

unsigned long bm_db_connects(const struct bm_db *db)
{
	return db->connects;
}

unsigned bm_db_errno(const struct bm_db *db)
{
	return db->last_errno;
}
