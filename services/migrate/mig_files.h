// SPDX-License-Identifier: MIT
//
// mig_files: the SQL files of a directory, read whole and fingerprinted.
//
// A file takes part when its name ends in ".sql" and does not start with a
// dot (editor droppings). Its name must then be NNNN_name.sql (four digits,
// "_", then [a-z0-9_-]); a .sql file named otherwise is an error rather than
// silently skipped. Files are returned sorted by name, which is their order
// of application. The sha256 is of the file's exact bytes.

#ifndef MIG_FILES_H
#define MIG_FILES_H

#include <stddef.h>

#include "mig_err.h"

struct mig_file {
	char *name; // base name, e.g. "0001_institutions.sql"
	char *data; // the file's bytes plus a terminating NUL (not counted in len)
	size_t len;
	char sha256[65]; // lower-case hex
};

struct mig_file_list {
	struct mig_file *items;
	size_t count;
};

// Reads every SQL file of dir into out (caller frees with mig_files_free,
// also after a failure). unique_numbers: two files may not share a number.
int mig_files_load(const char *dir, int unique_numbers, struct mig_file_list *out,
                   struct mig_err *err);

// Returns the file called name, or NULL.
const struct mig_file *mig_files_find(const struct mig_file_list *list, const char *name);

void mig_files_free(struct mig_file_list *list);

#endif
