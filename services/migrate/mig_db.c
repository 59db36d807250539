// SPDX-License-Identifier: MIT
//
// mig_db: connection, script execution, string-parameter prepared statements
// and the migration lock (see mig_db.h). Server error texts are passed on to
// the operator with their error number and SQLSTATE; they never contain the
// password (MariaDB only says "using password: YES").

#include "mig_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	CONNECT_TIMEOUT_S = 10,
	// A migration may rebuild a big table: reads wait long, but not forever.
	READ_TIMEOUT_S = 900,
	WRITE_TIMEOUT_S = 60,
	MAX_PARAMS = 8,
	ER_NOT_SUPPORTED_YET_ = 1235, // what GET_LOCK answers under Galera
};

static const char sql_mode_sql[] =
    "SET SESSION sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ZERO_DATE,"
    "NO_ZERO_IN_DATE,NO_ENGINE_SUBSTITUTION,NO_AUTO_CREATE_USER'";

static const char *const session_setup[] = {
    "SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci",
    "SET SESSION time_zone = '+00:00'",
    sql_mode_sql,
    "SET SESSION foreign_key_checks = 1",
    "SET SESSION unique_checks = 1",
};

static int db_fail(MYSQL *db, struct mig_err *err, const char *what)
{
	if (err->status == MIG_OK)
		err->server_errno = mysql_errno(db);
	return mig_err_set(err, MIG_EFAIL, "%s: ERROR %u (%s): %s", what, mysql_errno(db),
	                   mysql_sqlstate(db), mysql_error(db));
}

static int set_options(MYSQL *db)
{
	unsigned connect_t = CONNECT_TIMEOUT_S, read_t = READ_TIMEOUT_S, write_t = WRITE_TIMEOUT_S;
	unsigned no_local_infile = 0;
	return mysql_options(db, MYSQL_OPT_CONNECT_TIMEOUT, &connect_t) ||
	       mysql_options(db, MYSQL_OPT_READ_TIMEOUT, &read_t) ||
	       mysql_options(db, MYSQL_OPT_WRITE_TIMEOUT, &write_t) ||
	       mysql_options(db, MYSQL_OPT_LOCAL_INFILE, &no_local_infile) ||
	       mysql_options(db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
}

MYSQL *mig_db_connect(const struct mig_config *cfg, struct mig_err *err)
{
	MYSQL *db = mysql_init(NULL);
	if (db == NULL) {
		mig_err_set(err, MIG_EFAIL, "out of memory creating the MariaDB handle");
		return NULL;
	}
	if (set_options(db) != 0) {
		mig_err_set(err, MIG_EFAIL, "cannot set MariaDB connection options");
		goto fail;
	}
	if (mysql_real_connect(db, cfg->db_host, cfg->db_user, cfg->db_password, cfg->db_name,
	                       cfg->db_port, NULL, CLIENT_MULTI_STATEMENTS) == NULL) {
		char what[512];
		snprintf(what, sizeof(what),
		         "cannot connect to MariaDB at %s:%u as %s, database %s", cfg->db_host,
		         cfg->db_port, cfg->db_user, cfg->db_name);
		db_fail(db, err, what);
		goto fail;
	}
	if (mig_db_setup_session(db, err) != 0)
		goto fail;
	return db;
fail:
	mysql_close(db);
	return NULL;
}

int mig_db_setup_session(MYSQL *db, struct mig_err *err)
{
	for (size_t i = 0; i < sizeof(session_setup) / sizeof(session_setup[0]); i++)
		if (mig_db_exec(db, session_setup[i], err) != 0)
			return -1;
	return 0;
}

// Reads and drops every result of the statement just run.
static int drain(MYSQL *db)
{
	MYSQL_RES *res = mysql_store_result(db);
	if (res != NULL) {
		mysql_free_result(res);
		return 0;
	}
	return mysql_field_count(db) == 0 ? 0 : -1;
}

int mig_db_exec(MYSQL *db, const char *sql, struct mig_err *err)
{
	if (mysql_real_query(db, sql, (unsigned long)strlen(sql)) != 0 || drain(db) != 0)
		return db_fail(db, err, sql);
	return 0;
}

int mig_db_exec_script(MYSQL *db, const char *what, const char *sql, size_t len,
                       struct mig_err *err)
{
	unsigned stmt = 1;
	char where[512];

	if (mysql_real_query(db, sql, (unsigned long)len) != 0)
		goto fail;
	for (;;) {
		if (drain(db) != 0)
			goto fail;
		int next = mysql_next_result(db);
		if (next == -1)
			return 0;
		stmt++;
		if (next > 0)
			goto fail;
	}
fail:
	snprintf(where, sizeof(where), "%s failed at statement %u", what, stmt);
	return db_fail(db, err, where);
}

static int stmt_fail(MYSQL_STMT *st, struct mig_err *err, const char *sql)
{
	if (err->status == MIG_OK)
		err->server_errno = mysql_stmt_errno(st);
	return mig_err_set(err, MIG_EFAIL, "%s: ERROR %u (%s): %s", sql, mysql_stmt_errno(st),
	                   mysql_stmt_sqlstate(st), mysql_stmt_error(st));
}

static int fetch_one(MYSQL_STMT *st, const char *sql, char *out, size_t out_cap, int *found,
                     struct mig_err *err)
{
	unsigned long length = 0;
	my_bool is_null = 0, truncated = 0;
	MYSQL_BIND res;

	if (mysql_stmt_field_count(st) != 1)
		return mig_err_set(err, MIG_EFAIL, "%s: expected one result column", sql);
	memset(&res, 0, sizeof(res));
	res.buffer_type = MYSQL_TYPE_STRING;
	res.buffer = out;
	res.buffer_length = out_cap - 1;
	res.length = &length;
	res.is_null = &is_null;
	res.error = &truncated;
	if (mysql_stmt_bind_result(st, &res) != 0 || mysql_stmt_store_result(st) != 0)
		return stmt_fail(st, err, sql);
	int rc = mysql_stmt_fetch(st);
	*found = (rc == 0);
	if (rc == 1)
		return stmt_fail(st, err, sql);
	if (rc == MYSQL_DATA_TRUNCATED)
		return mig_err_set(err, MIG_EFAIL, "%s: value longer than %zu bytes", sql,
		                   out_cap - 1);
	out[(rc == 0 && !is_null) ? length : 0] = '\0';
	return 0;
}

int mig_db_prepared(MYSQL *db, const char *sql, const char *const *params, unsigned nparams,
                    char *out, size_t out_cap, int *found, struct mig_err *err)
{
	MYSQL_BIND bind[MAX_PARAMS];
	unsigned long lengths[MAX_PARAMS];
	int rc = -1;

	if (nparams > MAX_PARAMS)
		return mig_err_set(err, MIG_EFAIL, "%s: too many parameters", sql);
	MYSQL_STMT *st = mysql_stmt_init(db);
	if (st == NULL)
		return mig_err_set(err, MIG_EFAIL, "out of memory preparing a statement");
	if (mysql_stmt_prepare(st, sql, (unsigned long)strlen(sql)) != 0) {
		stmt_fail(st, err, sql);
		goto out;
	}
	if (mysql_stmt_param_count(st) != nparams) {
		mig_err_set(err, MIG_EFAIL, "%s: parameter count mismatch", sql);
		goto out;
	}
	memset(bind, 0, sizeof(bind));
	for (unsigned i = 0; i < nparams; i++) {
		bind[i].buffer_type = params[i] != NULL ? MYSQL_TYPE_STRING : MYSQL_TYPE_NULL;
		bind[i].buffer = (void *)params[i];
		lengths[i] = params[i] != NULL ? (unsigned long)strlen(params[i]) : 0;
		bind[i].buffer_length = lengths[i];
		bind[i].length = &lengths[i];
	}
	if ((nparams > 0 && mysql_stmt_bind_param(st, bind) != 0) || mysql_stmt_execute(st) != 0) {
		stmt_fail(st, err, sql);
		goto out;
	}
	if (out != NULL && fetch_one(st, sql, out, out_cap, found, err) != 0)
		goto out;
	rc = 0;
out:
	mysql_stmt_close(st);
	return rc;
}

int mig_db_lock(MYSQL *db, const char *db_name, unsigned timeout_s, int *held, struct mig_err *err)
{
	char name[128], timeout[16], got[8] = "";
	int found = 0;
	struct mig_err first = {0};

	*held = 0;
	snprintf(name, sizeof(name), "bimer-migrate:%s", db_name);
	snprintf(timeout, sizeof(timeout), "%u", timeout_s);
	const char *params[] = {name, timeout};
	if (mig_db_prepared(db, "SELECT GET_LOCK(?, ?)", params, 2, got, sizeof(got), &found,
	                    &first) != 0) {
		if (first.server_errno == ER_NOT_SUPPORTED_YET_) {
			// Galera (wsrep_on) refuses GET_LOCK. Go on unlocked: a racing
			// run then fails on the duplicate schema_migrations row or on
			// its first CREATE, rather than applying a file twice.
			fprintf(stderr, "bimer-migrate: warning: the server does not support "
			                "GET_LOCK (Galera?); run only one bimer-migrate at a "
			                "time\n");
			return 0;
		}
		*err = first;
		return -1;
	}
	if (!found || strcmp(got, "1") != 0)
		return mig_err_set(err, MIG_EFAIL,
		                   "another bimer-migrate run holds the lock \"%s\" (waited %u s)",
		                   name, timeout_s);
	*held = 1;
	return 0;
}

void mig_db_unlock(MYSQL *db, const char *db_name, int held)
{
	char name[128], got[8];
	int found = 0;
	struct mig_err ignored = {0};

	if (!held)
		return;
	snprintf(name, sizeof(name), "bimer-migrate:%s", db_name);
	const char *params[] = {name};
	mig_db_prepared(db, "SELECT RELEASE_LOCK(?)", params, 1, got, sizeof(got), &found,
	                &ignored);
}
