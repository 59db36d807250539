// SPDX-License-Identifier: MIT
//
// mig_plan: what the database has applied (table schema_migrations) against
// what the migrations directory holds, and the `up` and `status` commands.
//
// History rules, checked before anything is applied:
//   - an applied file whose bytes changed (sha256 differs) is refused;
//   - an applied file that no longer exists is refused;
//   - a pending file that sorts before the newest applied one is refused
//     (it was probably merged late: give it a higher number).
// Each breach is MIG_EDRIFT (exit 3) and names the file. Nothing is applied
// while any breach exists.

#ifndef MIG_PLAN_H
#define MIG_PLAN_H

#include <mysql.h>
#include <stddef.h>

#include "mig_config.h"
#include "mig_err.h"
#include "mig_files.h"

struct mig_applied {
	char *name;
	char sha256[65];
	char applied_at[32]; // "YYYY-MM-DD hh:mm:ss.fff", UTC
};

struct mig_plan {
	int table_exists;            // schema_migrations exists
	struct mig_applied *applied; // sorted by name
	size_t applied_count;
	struct mig_file_list files; // sorted by name
};

// Reads the history and the files. create_table: make schema_migrations
// when it is missing (only `up` does; `status` and `demo` only read).
int mig_plan_load(MYSQL *db, const struct mig_config *cfg, int create_table, struct mig_plan *plan,
                  struct mig_err *err);

// Checks the history rules above.
int mig_plan_check(const struct mig_plan *plan, struct mig_err *err);

// Number of files not yet applied.
size_t mig_plan_pending(const struct mig_plan *plan);

void mig_plan_free(struct mig_plan *plan);

// The commands. Each connects, does its work and returns the exit status.
int mig_cmd_up(const struct mig_config *cfg, struct mig_err *err);
int mig_cmd_status(const struct mig_config *cfg, struct mig_err *err);

#endif
