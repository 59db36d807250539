// SPDX-License-Identifier: MIT
/*
 * bm_attach: what the attachment store's writer (the submission service)
 * and its cleaner (the worker's retention job) agree on.
 *
 * Files are content-addressed, so an upload of bytes already stored reuses
 * the file. Both sides take a MariaDB user lock on the content around their
 * step: the upload around storing the file and inserting its row, the
 * cleaner around counting the rows that name the content and removing the
 * file. Without it an upload could find the file, the cleaner remove it, and
 * the upload then commit a row whose file is gone.
 *
 * The removals are a queue in MariaDB (attachment_file_removals): the
 * cleaner removes a queued content's file, and any temporary file of it a
 * dead writer left, when no row names the content, and drops the entry
 * either way. Deleting an attachment row queues its content; so does an
 * upload, before it writes the file, so a file whose row never came (a
 * failed insert, a crash) is removed too.
 */
#ifndef BM_ATTACH_H
#define BM_ATTACH_H

#include <stdio.h>

/* MariaDB lock names are at most 64 characters: 160 bits of the digest are plenty. */
#define BM_ATTACH_LOCK_LEN 64

/* The lock name for a content digest in hex. */
static inline void bm_attach_lock_name(const char *hex, char out[BM_ATTACH_LOCK_LEN])
{
	snprintf(out, BM_ATTACH_LOCK_LEN, "bimer_attachment_%.40s", hex);
}

/*
 * Take the lock (the result is 1 when taken), and give it back. An upload
 * waits up to 10 s (the cleaner holds it for a count and an unlink); the
 * cleaner 1 s, then tries again at its next pass rather than hold up the
 * worker's other jobs.
 */
#define BM_ATTACH_SQL_LOCK       "SELECT GET_LOCK(?, 10)"
#define BM_ATTACH_SQL_LOCK_BRIEF "SELECT GET_LOCK(?, 1)"
#define BM_ATTACH_SQL_UNLOCK     "SELECT RELEASE_LOCK(?)"

#endif
