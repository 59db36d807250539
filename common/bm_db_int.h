// SPDX-License-Identifier: MIT
/*
 * bm_db_int: the MariaDB Connector/C pieces bm_db shares with the other
 * libbm modules that talk to the server themselves (the report engine's
 * streamed passes, bm_report_stream.c). Not for services: they use bm_db.
 */
#ifndef BM_DB_INT_H
#define BM_DB_INT_H

#include <mysql.h>

#include "bm_db.h"

/*
 * A new connection set up as every bm_db's is (UTC, utf8mb4, the configured
 * connect and write timeouts, the Unix socket when there is one), reading
 * with read_timeout_s. NULL on failure (logged, *err_no = the error number;
 * BM_E_NOMEM-worthy failures give 0). Caller closes with mysql_close.
 */
MYSQL *bm_db_connect(const struct bm_cfg *c, unsigned read_timeout_s, unsigned *err_no);

/* Statement parameters p[n] into b[n] (b points into p: keep p alive). */
void bm_db_bind_params(MYSQL_BIND *b, const struct bm_dbp *p, size_t n);

#endif
