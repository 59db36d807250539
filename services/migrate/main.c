// SPDX-License-Identifier: MIT
//
// bimer-migrate: applies the SQL migrations of deploy/sql/migrations in order,
// loads the demo data, and reports what is applied. Run by `make run`, by the
// test stack and by deployments before the services start. Configuration is
// the environment only (see mig_config.h); the command is the one argument.

#include <mysql.h>
#include <stdio.h>
#include <string.h>

#include "mig_config.h"
#include "mig_demo.h"
#include "mig_err.h"
#include "mig_plan.h"

static void usage(FILE *out)
{
	fputs("usage: bimer-migrate up|demo|status\n"
	      "\n"
	      "  up      apply every migration file not yet applied, in order\n"
	      "  demo    load the demo institution tree and the demo accounts\n"
	      "  status  list applied and pending migration files\n"
	      "\n"
	      "Environment: BIMER_DB_HOST (127.0.0.1), BIMER_DB_PORT (13306), BIMER_DB_NAME\n"
	      "(bimer), BIMER_DB_USER (bimer), BIMER_DB_PASSWORD (or the file named by\n"
	      "BIMER_DB_PASSWORD_FILE, else $BIMER_VAR_DIR/secrets/db.password),\n"
	      "BIMER_MIGRATIONS_DIR (deploy/sql/migrations),\n"
	      "BIMER_DEMO_DIR (deploy/sql/demo), BIMER_DEMO_PASSWORD (default in README.md;\n"
	      "never printed).\n"
	      "\n"
	      "Exit status: 0 done, 1 database or file failure, 2 usage or configuration\n"
	      "error, 3 the applied history does not match the files (an applied file\n"
	      "changed or vanished, or a new file sorts before an applied one).\n",
	      out);
}

int main(int argc, char **argv)
{
	struct mig_config cfg;
	struct mig_err err = {0};
	int (*cmd)(const struct mig_config *, struct mig_err *) = NULL;

	if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		usage(stdout);
		return MIG_OK;
	}
	if (argc == 2 && strcmp(argv[1], "up") == 0)
		cmd = mig_cmd_up;
	else if (argc == 2 && strcmp(argv[1], "demo") == 0)
		cmd = mig_cmd_demo;
	else if (argc == 2 && strcmp(argv[1], "status") == 0)
		cmd = mig_cmd_status;
	if (cmd == NULL) {
		usage(stderr);
		return MIG_EUSAGE;
	}
	if (mig_config_load(&cfg, &err) == 0) {
		if (mysql_library_init(0, NULL, NULL) != 0)
			mig_err_set(&err, MIG_EFAIL,
			            "cannot initialise the MariaDB client library");
		else {
			cmd(&cfg, &err);
			mysql_library_end();
		}
	}
	mig_config_free(&cfg);
	if (err.status != MIG_OK)
		fprintf(stderr, "bimer-migrate: %s\n", err.msg);
	return (int)err.status;
}
