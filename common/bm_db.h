// SPDX-License-Identifier: MIT
/*
 * bm_db: MariaDB access for one worker thread, through prepared statements
 * only.
 *
 * A struct bm_db belongs to exactly one thread. It connects lazily, keeps
 * a cache of prepared statements keyed by their SQL text (callers pass
 * string constants), and after a lost connection it reconnects and
 * re-prepares explicitly (MYSQL_OPT_RECONNECT stays off, as security.md
 * asks): a statement outside a transaction is retried once; inside one the
 * error is returned, because the transaction is gone and only the caller
 * knows how to redo it. Sessions run in UTC with utf8mb4.
 */
#ifndef BM_DB_H
#define BM_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "bm_cfg.h"
#include "bm_err.h"

struct bm_db;

enum bm_dbp_type { BM_DBP_NULL, BM_DBP_INT, BM_DBP_STR, BM_DBP_BLOB };

/* One statement parameter. The pointed-to bytes must outlive the call. */
struct bm_dbp {
	enum bm_dbp_type type;
	long long i;
	const void *p;
	size_t len;
};

#define BM_DB_NULL()     ((struct bm_dbp){.type = BM_DBP_NULL})
#define BM_DB_INT(v)     ((struct bm_dbp){.type = BM_DBP_INT, .i = (v)})
#define BM_DB_STR(s)     ((struct bm_dbp){.type = BM_DBP_STR, .p = (s), .len = strlen(s)})
#define BM_DB_STRN(s, n) ((struct bm_dbp){.type = BM_DBP_STR, .p = (s), .len = (n)})
#define BM_DB_BLOB(b, n) ((struct bm_dbp){.type = BM_DBP_BLOB, .p = (b), .len = (n)})

/* A fully fetched result. Cells are NUL-terminated copies; NULL means SQL NULL. */
struct bm_dbres {
	size_t nrows, ncols;
	unsigned long long affected;
	unsigned long long insert_id;
	char **cells; /* nrows * ncols, row-major */
	size_t *lens;
};

/* Caller frees with bm_db_free. Does not connect (see bm_db_ping). NULL on OOM. */
struct bm_db *bm_db_new(const struct bm_cfg *cfg);
void bm_db_free(struct bm_db *db);

/* Connect if needed and check the server answers. */
enum bm_err bm_db_ping(struct bm_db *db);

/*
 * Run one prepared statement with n parameters. When out is not NULL it
 * receives the whole result (rows, affected rows, insert id); caller frees
 * it with bm_dbres_free. A duplicate key answers BM_E_CONFLICT; any other
 * server or connection failure BM_E_DB (details are logged, never returned).
 */
enum bm_err bm_db_run(struct bm_db *db, const char *sql, const struct bm_dbp *params, size_t n,
                      struct bm_dbres **out);

void bm_dbres_free(struct bm_dbres *res);

/* Cell (row, col) or NULL for SQL NULL / out of range. */
const char *bm_dbres_get(const struct bm_dbres *res, size_t row, size_t col);

/* Transactions: begin/commit/rollback. Rollback is safe to call after a failure. */
enum bm_err bm_db_begin(struct bm_db *db);
enum bm_err bm_db_commit(struct bm_db *db);
void bm_db_rollback(struct bm_db *db);

/*
 * Change notices. bm_event_append marks each application whose events (and
 * so whose public status) change with bm_db_touch; after the COMMIT of the
 * transaction — whatever its answer, since a lost answer may still have
 * committed — or at once outside a transaction, fn gets the marked ids and
 * the marks are cleared (a rollback clears them silently). The status
 * look-up's cache (bm_stcache) hangs on this.
 */
typedef void (*bm_db_changed_fn)(void *arg, const long long *ids, size_t n);
void bm_db_on_change(struct bm_db *db, bm_db_changed_fn fn, void *arg);
void bm_db_touch(struct bm_db *db, long long application_id);

/* The server's error number of the last failure (0 if none), for callers that must tell cases
 * apart. */
unsigned bm_db_errno(const struct bm_db *db);

/* How many connections db has made: a change means a new session (its settings read anew). */
unsigned long bm_db_connects(const struct bm_db *db);

#endif
