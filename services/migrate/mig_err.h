// SPDX-License-Identifier: MIT
//
// mig_err: the one error value of bimer-migrate. Every function that can fail
// takes a struct mig_err and returns -1 after filling it; the first error is
// kept with its detail (later ones only add noise), and its status is the
// process exit status. Messages are for the operator's terminal: they may
// quote the server's error text, never a password.

#ifndef MIG_ERR_H
#define MIG_ERR_H

// Exit statuses, documented in the usage text of main.c.
enum mig_status {
	MIG_OK = 0,
	MIG_EFAIL = 1,  // the database or a file failed: connection, SQL error, I/O
	MIG_EUSAGE = 2, // bad command line or configuration
	MIG_EDRIFT = 3, // applied history disagrees with the files on disk
};

struct mig_err {
	enum mig_status status;
	unsigned server_errno; // MariaDB error number of the first error, 0 if none
	char msg[1024];
};

// Records the first error; later calls are ignored. Always returns -1 so a
// caller can write `return mig_err_set(...)`.
int mig_err_set(struct mig_err *err, enum mig_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
