// SPDX-License-Identifier: MIT
/*
 * bm_report_stream: prepared SELECTs whose rows are handed over one at a
 * time, for the report engine's passes over a whole month (a million rows
 * and more). bm_db_run keeps every cell of a result in memory; here rows are
 * fetched unbuffered into fixed buffers and aggregated as they arrive, so a
 * pass costs one index range scan and constant memory. The connection is
 * the engine's own, set up by bm_db_connect as every bm_db's is, but with a
 * longer read timeout, opened for one build and closed after it.
 */
#include <mysql.h>
#include <stdlib.h>
#include <string.h>

#include "bm_db_int.h"
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
	unsigned err_no;
	struct rp_stream *s = calloc(1, sizeof *s);

	*out = NULL;
	if (!s)
		return BM_E_NOMEM;
	if (!(s->my = bm_db_connect(c, PASS_TIMEOUT_S, &err_no))) {
		free(s);
		return err_no ? BM_E_DB : BM_E_NOMEM;
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
	bm_db_bind_params(params, p, n);
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
