// SPDX-License-Identifier: MIT
//
// mig_db: the one MariaDB connection of a bimer-migrate run.
//
// The session is set up the way every BIMER service sets its own: utf8mb4,
// time_zone '+00:00', strict SQL mode. MYSQL_OPT_RECONNECT stays off: a lost
// connection ends the run (a silent reconnect would drop the migration lock
// and any open transaction). LOAD DATA LOCAL is disabled. Multi-statement
// queries are enabled because a migration file is one script; every other
// query this tool sends is a constant or a prepared statement.

#ifndef MIG_DB_H
#define MIG_DB_H

#include <mysql.h>

#include "mig_config.h"
#include "mig_err.h"

// Connects and prepares the session. Returns NULL after filling err.
// Caller closes with mysql_close.
MYSQL *mig_db_connect(const struct mig_config *cfg, struct mig_err *err);

// (Re)applies the session settings above; run after every migration file so
// that a file which changes a session variable cannot affect the next one.
int mig_db_setup_session(MYSQL *db, struct mig_err *err);

// Runs one constant statement and discards any result.
int mig_db_exec(MYSQL *db, const char *sql, struct mig_err *err);

// Runs a whole script (several statements). On failure err names `what`
// (e.g. the file name) and the number of the statement that failed.
int mig_db_exec_script(MYSQL *db, const char *what, const char *sql, size_t len,
                       struct mig_err *err);

// Runs a prepared statement whose parameters are all strings (NULL entries
// are SQL NULL). When out is non-NULL the statement returns one column: the
// first row's value is copied into out (NUL-terminated, out_cap bytes; a NULL
// value is an empty string) and *found says whether there was a row.
int mig_db_prepared(MYSQL *db, const char *sql, const char *const *params, unsigned nparams,
                    char *out, size_t out_cap, int *found, struct mig_err *err);

// Takes the named migration lock of this database (GET_LOCK), waiting at
// most timeout_s seconds; fails if another run holds it. On Galera, which
// refuses GET_LOCK, warns and goes on without the lock (*held = 0).
int mig_db_lock(MYSQL *db, const char *db_name, unsigned timeout_s, int *held, struct mig_err *err);

// Releases the lock if held (closing the connection releases it too).
void mig_db_unlock(MYSQL *db, const char *db_name, int held);

#endif
