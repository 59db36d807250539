// SPDX-License-Identifier: MIT
/*
 * bm_report_stream: prepared SELECTs whose rows are handed over one at a
 * time, for the report engine's passes over a whole month (a million rows
 * and more). bm_db_run keeps every cell of a result in memory; here rows are
 * fetched unbuffered into fixed buffers and aggregated as they arrive, so a
 * pass costs one index range scan and constant memory. The connection is
 * the engine's own, set up as bm_db sets up its own (UTC, utf8mb4, the
 * configured connect timeout, the Unix socket when there is one) but with a
 * longer read timeout, opened for one build and closed after it.
 */
#include <mysql.h>
#include <stdlib.h>
#include <string.h>

#include "bm_log.h"
#include "bm_report_int.h"

#define CELL 512 /* the longest cell: a topic of 100 characters in UTF-8, with room */
/*
 * A pass over a month may run longer than the statement timeout of a request
 * (BIMER_DB_TIMEOUT): rows flow all the while, but the server may think before the
 * first one. The reports' nginx location allows 120 s.
 */
#define PASS_TIMEOUT_S 110

struct rp_stream {
	MYSQL *my;
};

enum bm_err rp_stream_open(const struct bm_cfg *c, struct rp_stream **out)
{
	unsigned timeout = c->db_timeout_s, pass = PASS_TIMEOUT_S;
	bool local = c->db_socket[0] != '\0';
	struct rp_stream *s = calloc(1, sizeof *s);

	*out = NULL;
	if (!s || !(s->my = mysql_init(NULL))) {
		free(s);
		return BM_E_NOMEM;
	}
	mysql_options(s->my, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(s->my, MYSQL_OPT_READ_TIMEOUT, &pass);
	mysql_options(s->my, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
	mysql_options(s->my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(s->my, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00'");
	if (!mysql_real_connect(s->my, local ? "localhost" : c->db_host, c->db_user, c->db_password,
	                        c->db_name, local ? 0 : c->db_port, local ? c->db_socket : NULL,
	                        0)) {
		bm_log(BM_LOG_WARN, NULL, "report stream: connect failed: %u %s",
		       mysql_errno(s->my), mysql_error(s->my));
		rp_stream_close(s);
		return BM_E_DB;
	}
	*out = s;
	return BM_OK;
}

void rp_stream_close(struct rp_stream *s)
{
	if (!s)
		return;
	if (s->my)
		mysql_close(s->my);
	free(s);
}

static void bind_params(MYSQL_BIND *b, const struct bm_dbp *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		memset(&b[i], 0, sizeof b[i]);
		if (p[i].type == BM_DBP_INT) {
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = (void *)&p[i].i;
		} else if (p[i].type == BM_DBP_NULL) {
			b[i].buffer_type = MYSQL_TYPE_NULL;
		} else {
			b[i].buffer_type = MYSQL_TYPE_STRING;
			b[i].buffer = (void *)p[i].p;
			b[i].buffer_length = p[i].len;
		}
	}
}

/* The result's columns bound to fixed text buffers. */
struct row {
	size_t ncols;
	MYSQL_BIND b[RP_STREAM_COLS];
	char buf[RP_STREAM_COLS][CELL];
	unsigned long len[RP_STREAM_COLS];
	my_bool null[RP_STREAM_COLS], err[RP_STREAM_COLS];
	const char *cells[RP_STREAM_COLS];
};

static bool bind_row(MYSQL_STMT *st, struct row *r)
{
	MYSQL_RES *meta = mysql_stmt_result_metadata(st);
	if (!meta)
		return false;
	r->ncols = mysql_num_fields(meta);
	mysql_free_result(meta);
	if (r->ncols == 0 || r->ncols > RP_STREAM_COLS)
		return false;
	memset(r->b, 0, sizeof r->b);
	for (size_t c = 0; c < r->ncols; c++) {
		r->b[c].buffer_type = MYSQL_TYPE_STRING;
		r->b[c].buffer = r->buf[c];
		r->b[c].buffer_length = CELL - 1;
		r->b[c].length = &r->len[c];
		r->b[c].is_null = &r->null[c];
		r->b[c].error = &r->err[c];
	}
	return mysql_stmt_bind_result(st, r->b) == 0;
}

/* Fetch every row into fn; a truncated cell is an error (CELL is above every column). */
static enum bm_err fetch(MYSQL_STMT *st, struct row *r, rp_row_fn fn, void *arg)
{
	for (;;) {
		int rc = mysql_stmt_fetch(st);
		if (rc == MYSQL_NO_DATA)
			return BM_OK;
		if (rc != 0)
			return rc == MYSQL_DATA_TRUNCATED ? BM_E_INTERNAL : BM_E_DB;
		for (size_t c = 0; c < r->ncols; c++) {
			r->buf[c][r->null[c] ? 0 : r->len[c]] = '\0';
			r->cells[c] = r->null[c] ? NULL : r->buf[c];
		}
		if (!fn(arg, r->cells))
			return BM_E_NOMEM;
	}
}

enum bm_err rp_stream_run(struct rp_stream *s, const char *sql, const struct bm_dbp *p, size_t n,
                          rp_row_fn fn, void *arg)
{
	MYSQL_BIND params[8];
	struct row *r = calloc(1, sizeof *r);
	MYSQL_STMT *st = mysql_stmt_init(s->my);
	enum bm_err e = BM_E_DB;

	if (!r || !st || n > 8) {
		e = n > 8 ? BM_E_INTERNAL : BM_E_NOMEM;
		goto out;
	}
	bind_params(params, p, n);
	if (mysql_stmt_prepare(st, sql, strlen(sql)) || mysql_stmt_param_count(st) != n ||
	    (n && mysql_stmt_bind_param(st, params)) || mysql_stmt_execute(st) || !bind_row(st, r))
		goto fail;
	if ((e = fetch(st, r, fn, arg)))
		goto fail;
	goto out;
fail:
	bm_log(BM_LOG_ERROR, NULL, "report stream: %u %s", mysql_stmt_errno(st),
	       mysql_stmt_error(st));
out:
	if (st) {
		mysql_stmt_free_result(st);
		mysql_stmt_close(st);
	}
	free(r);
	return e;
}
