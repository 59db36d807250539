// SPDX-License-Identifier: MIT
//
// mig_config: bimer-migrate's settings, read once from the environment.
//
//   BIMER_DB_HOST (127.0.0.1)  BIMER_DB_PORT (13306)  BIMER_DB_NAME (bimer)
//   BIMER_DB_USER (bimer)      BIMER_DB_PASSWORD (no default; when unset, the
//   file named by BIMER_DB_PASSWORD_FILE is read, else
//   $BIMER_VAR_DIR/secrets/db.password if BIMER_VAR_DIR is set)
//   BIMER_MIGRATIONS_DIR (deploy/sql/migrations)  BIMER_DEMO_DIR (deploy/sql/demo)
//   BIMER_DEMO_PASSWORD (Demo.Parola.2026; checked only by `demo`)
//
// Bad values are usage errors (exit 2) naming the variable, never its value
// when the variable is a password.

#ifndef MIG_CONFIG_H
#define MIG_CONFIG_H

#include "mig_err.h"

struct mig_config {
	char *db_host;
	unsigned db_port;
	char *db_name; // [A-Za-z0-9_]{1,64}: also part of the migration lock name
	char *db_user;
	char *db_password; // wiped by mig_config_free
	char *migrations_dir;
	char *demo_dir;
	char *demo_password; // wiped by mig_config_free
};

// Fills cfg from the environment. On failure cfg holds whatever was read and
// must still be released with mig_config_free.
int mig_config_load(struct mig_config *cfg, struct mig_err *err);

// Checks BIMER_DEMO_PASSWORD (only `demo` needs it).
int mig_config_check_demo(const struct mig_config *cfg, struct mig_err *err);

// Frees every string (passwords wiped first). Accepts a zeroed struct.
void mig_config_free(struct mig_config *cfg);

#endif
