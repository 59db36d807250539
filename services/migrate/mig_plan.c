// SPDX-License-Identifier: MIT
//
// mig_plan: history versus files, and the `up` / `status` commands (see
// mig_plan.h). Each migration runs inside START TRANSACTION ... COMMIT
// together with its schema_migrations row: a file of data changes is then
// all-or-nothing. DDL commits implicitly in MariaDB, so a file that fails
// half-way through its DDL leaves the statements before the failure applied;
// the error message says so.

#include "mig_plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mig_db.h"

enum {
	ER_NO_SUCH_TABLE_ = 1146,
	LOCK_TIMEOUT_S = 60,
};

static const char create_history_sql[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " filename VARCHAR(200) COLLATE utf8mb4_bin NOT NULL,"
    " sha256 CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,"
    " applied_at DATETIME(3) NOT NULL DEFAULT UTC_TIMESTAMP(3),"
    " PRIMARY KEY (filename),"
    " CONSTRAINT ck_schema_migrations_sha256 CHECK (sha256 REGEXP '^[0-9a-f]{64}$')"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci"
    " COMMENT='applied migration files, written by bimer-migrate only'";

static const char select_history_sql[] =
    "SELECT filename, sha256, DATE_FORMAT(applied_at, '%Y-%m-%d %H:%i:%s.%f')"
    " FROM schema_migrations ORDER BY filename";

static int copy_row(MYSQL_ROW row, unsigned long *len, struct mig_applied *a, struct mig_err *err)
{
	if (row[0] == NULL || row[1] == NULL || len[1] != 64)
		return mig_err_set(err, MIG_EFAIL, "schema_migrations holds a malformed row");
	a->name = strdup(row[0]);
	if (a->name == NULL)
		return mig_err_set(err, MIG_EFAIL, "out of memory reading schema_migrations");
	memcpy(a->sha256, row[1], 65);
	// DATE_FORMAT's %f gives microseconds; the column keeps milliseconds.
	snprintf(a->applied_at, sizeof(a->applied_at), "%.23s", row[2] != NULL ? row[2] : "");
	return 0;
}

static int read_history(MYSQL *db, struct mig_plan *plan, struct mig_err *err)
{
	if (mysql_query(db, select_history_sql) != 0) {
		if (mysql_errno(db) == ER_NO_SUCH_TABLE_)
			return 0; // never migrated: everything is pending
		return mig_err_set(err, MIG_EFAIL, "reading schema_migrations: ERROR %u: %s",
		                   mysql_errno(db), mysql_error(db));
	}
	plan->table_exists = 1;
	MYSQL_RES *res = mysql_store_result(db);
	if (res == NULL)
		return mig_err_set(err, MIG_EFAIL, "reading schema_migrations: %s",
		                   mysql_error(db));
	int rc = 0;
	size_t rows = (size_t)mysql_num_rows(res);
	plan->applied = calloc(rows ? rows : 1, sizeof(*plan->applied));
	if (plan->applied == NULL)
		rc = mig_err_set(err, MIG_EFAIL, "out of memory reading schema_migrations");
	MYSQL_ROW row;
	while (rc == 0 && (row = mysql_fetch_row(res)) != NULL) {
		rc = copy_row(row, mysql_fetch_lengths(res), &plan->applied[plan->applied_count],
		              err);
		if (rc == 0)
			plan->applied_count++;
	}
	mysql_free_result(res);
	return rc;
}

int mig_plan_load(MYSQL *db, const struct mig_config *cfg, int create_table, struct mig_plan *plan,
                  struct mig_err *err)
{
	memset(plan, 0, sizeof(*plan));
	if (mig_files_load(cfg->migrations_dir, 1, &plan->files, err) != 0)
		return -1;
	if (plan->files.count == 0)
		return mig_err_set(err, MIG_EUSAGE, "no NNNN_name.sql files in %s",
		                   cfg->migrations_dir);
	if (create_table && mig_db_exec(db, create_history_sql, err) != 0)
		return -1;
	return read_history(db, plan, err);
}

static const struct mig_applied *find_applied(const struct mig_plan *plan, const char *name)
{
	for (size_t i = 0; i < plan->applied_count; i++)
		if (strcmp(plan->applied[i].name, name) == 0)
			return &plan->applied[i];
	return NULL;
}

static const char *newest_applied(const struct mig_plan *plan)
{
	return plan->applied_count ? plan->applied[plan->applied_count - 1].name : "";
}

int mig_plan_check(const struct mig_plan *plan, struct mig_err *err)
{
	for (size_t i = 0; i < plan->applied_count; i++) {
		const struct mig_applied *a = &plan->applied[i];
		const struct mig_file *f = mig_files_find(&plan->files, a->name);
		if (f == NULL)
			return mig_err_set(
			    err, MIG_EDRIFT,
			    "%s was applied on %s but is no longer in the migrations "
			    "directory; restore it",
			    a->name, a->applied_at);
		if (strcmp(f->sha256, a->sha256) != 0)
			return mig_err_set(
			    err, MIG_EDRIFT,
			    "%s has changed since it was applied on %s (sha256 was %s, is "
			    "now %s); an applied migration must never change: restore it "
			    "and put the change in a new file",
			    a->name, a->applied_at, a->sha256, f->sha256);
	}
	const char *newest = newest_applied(plan);
	for (size_t i = 0; i < plan->files.count; i++) {
		const char *name = plan->files.items[i].name;
		if (find_applied(plan, name) == NULL && strcmp(name, newest) < 0)
			return mig_err_set(
			    err, MIG_EDRIFT,
			    "%s is not applied but sorts before %s, which is; give it a "
			    "number above the newest applied file",
			    name, newest);
	}
	return 0;
}

size_t mig_plan_pending(const struct mig_plan *plan)
{
	size_t n = 0;
	for (size_t i = 0; i < plan->files.count; i++)
		if (find_applied(plan, plan->files.items[i].name) == NULL)
			n++;
	return n;
}

void mig_plan_free(struct mig_plan *plan)
{
	for (size_t i = 0; i < plan->applied_count; i++)
		free(plan->applied[i].name);
	free(plan->applied);
	mig_files_free(&plan->files);
	memset(plan, 0, sizeof(*plan));
}

static int apply_one(MYSQL *db, const struct mig_file *f, struct mig_err *err)
{
	const char *params[] = {f->name, f->sha256};

	if (mig_db_exec(db, "START TRANSACTION", err) != 0)
		return -1;
	if (mig_db_exec_script(db, f->name, f->data, f->len, err) != 0 ||
	    mig_db_prepared(db, "INSERT INTO schema_migrations (filename, sha256) VALUES (?, ?)",
	                    params, 2, NULL, 0, NULL, err) != 0 ||
	    mig_db_exec(db, "COMMIT", err) != 0) {
		struct mig_err ignored = {0};
		mig_db_exec(db, "ROLLBACK", &ignored);
		return -1;
	}
	return mig_db_setup_session(db, err);
}

static int apply_pending(MYSQL *db, const struct mig_plan *plan, struct mig_err *err)
{
	size_t applied = 0;
	for (size_t i = 0; i < plan->files.count; i++) {
		const struct mig_file *f = &plan->files.items[i];
		if (find_applied(plan, f->name) != NULL)
			continue;
		if (apply_one(db, f, err) != 0) {
			// DDL commits on its own in MariaDB: say what may be left behind.
			size_t used = strlen(err->msg);
			snprintf(
			    err->msg + used, sizeof(err->msg) - used,
			    "\n  %s was not recorded as applied; schema changes (DDL) made by the "
			    "statements before the failing one stay applied: check the schema "
			    "before "
			    "running up again",
			    f->name);
			return -1;
		}
		// No digest here: logs are scanned for 11-digit runs (ID numbers),
		// and a hex digest can contain one.
		printf("applied %s\n", f->name);
		fflush(stdout);
		applied++;
	}
	if (applied == 0)
		printf("up to date\n");
	return 0;
}

int mig_cmd_up(const struct mig_config *cfg, struct mig_err *err)
{
	struct mig_plan plan;
	int held = 0;

	memset(&plan, 0, sizeof(plan));
	MYSQL *db = mig_db_connect(cfg, err);
	if (db == NULL)
		return err->status;
	if (mig_db_lock(db, cfg->db_name, LOCK_TIMEOUT_S, &held, err) != 0)
		goto out;
	if (mig_plan_load(db, cfg, 1, &plan, err) != 0 || mig_plan_check(&plan, err) != 0)
		goto out;
	apply_pending(db, &plan, err);
out:
	mig_db_unlock(db, cfg->db_name, held);
	mig_plan_free(&plan);
	mysql_close(db);
	return err->status;
}

static int print_status(const struct mig_plan *plan)
{
	int drift = 0;
	const char *newest = newest_applied(plan);

	for (size_t i = 0; i < plan->applied_count; i++) {
		const struct mig_applied *a = &plan->applied[i];
		const struct mig_file *f = mig_files_find(&plan->files, a->name);
		const char *state = f == NULL                           ? "MISSING"
		                    : strcmp(f->sha256, a->sha256) != 0 ? "CHANGED"
		                                                        : "applied";
		drift |= (f == NULL || strcmp(state, "applied") != 0);
		printf("%-12s %-23s  %s\n", state, a->applied_at, a->name);
	}
	size_t pending = 0;
	for (size_t i = 0; i < plan->files.count; i++) {
		const char *name = plan->files.items[i].name;
		if (find_applied(plan, name) != NULL)
			continue;
		int late = strcmp(name, newest) < 0;
		drift |= late;
		pending++;
		printf("%-12s %-23s  %s\n", late ? "OUT-OF-ORDER" : "pending", "", name);
	}
	printf("%zu applied, %zu pending%s\n", plan->applied_count, pending,
	       drift ? "; the history does not match the files (see above)" : "");
	return drift;
}

int mig_cmd_status(const struct mig_config *cfg, struct mig_err *err)
{
	struct mig_plan plan;

	memset(&plan, 0, sizeof(plan));
	MYSQL *db = mig_db_connect(cfg, err);
	if (db == NULL)
		return err->status;
	if (mig_plan_load(db, cfg, 0, &plan, err) != 0)
		goto out;
	printf("database %s on %s:%u, migrations in %s\n", cfg->db_name, cfg->db_host, cfg->db_port,
	       cfg->migrations_dir);
	if (print_status(&plan))
		mig_plan_check(&plan, err); // sets MIG_EDRIFT with the first problem
out:
	mig_plan_free(&plan);
	mysql_close(db);
	return err->status;
}
