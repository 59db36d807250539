// SPDX-License-Identifier: MIT
/*
 * bm_event: the append-only timeline of an application, as a hash chain.
 *
 * Every change and every staff read of an application is one row of
 * application_events with its actor, time and request id. Each row carries
 * the SHA-256 of the previous row of the same application and of its own
 * content, so altering or deleting a stored event breaks the chain from
 * there on; bimer-audit walks the chains and names the first broken event.
 * Appending locks the application's last event (FOR UPDATE) inside the
 * caller's transaction, so two writers cannot fork a chain.
 */
#ifndef BM_EVENT_H
#define BM_EVENT_H

#include <stdbool.h>

#include "bm_db.h"

struct bm_event {
	long long application_id;
	const char *kind;              /* lower snake case: submitted, routed, staff_read, ... */
	long long actor_user_id;       /* 0 = the citizen or the system */
	const char *actor_institution; /* NULL unless staff or an agency acted */
	const char *from_institution;
	const char *to_institution;
	const char *note; /* free text; never shown to the public */
	const char *data; /* JSON text or NULL */
	const char *request_id;
	const char *at; /* "YYYY-MM-DD HH:MM:SS[.mmm]" UTC; NULL = now */
	bool first;     /* the application was created in this transaction: no
	                   earlier event to link or lock (avoids a gap lock on
	                   the events index, which deadlocks concurrent intakes) */
};

/* An event's time as stored (with milliseconds) from bm_event.at (NULL = now). */
#define BM_EVENT_AT_LEN 40
void bm_event_at(const char *at, char out[BM_EVENT_AT_LEN]);

/* Append ev to its application's chain (call inside a transaction). */
enum bm_err bm_event_append(struct bm_db *db, const struct bm_event *ev);

/*
 * The hash of one event given the previous hash (NULL for the first) and
 * the stored column values as MariaDB returns them (at with milliseconds).
 * Shared by the writers and the verifier so all hash the same bytes. This is
 * hash version 2 (migration 0017): the note and the data enter as their
 * SHA-256 digests, so a redaction at the end of retention can blank them
 * and keep the digests beside the row without breaking the chain.
 */
void bm_event_hash(const unsigned char *prev, long long application_id, const char *at,
                   const char *kind, long long actor_user_id, const char *actor_institution,
                   const char *from_institution, const char *to_institution, const char *note,
                   const char *data, const char *request_id, unsigned char out[32]);

/*
 * The hash of a stored row, as bimer-audit recomputes it: version 1 (rows
 * written before migration 0017) hashes the note and data themselves;
 * version 2 their digests, taken from note_sha / data_sha (32 bytes: the
 * row was redacted) when given, else computed from note / data.
 */
void bm_event_hash_stored(int version, const unsigned char *prev, long long application_id,
                          const char *at, const char *kind, long long actor_user_id,
                          const char *actor_institution, const char *from_institution,
                          const char *to_institution, const char *note,
                          const unsigned char *note_sha, const char *data,
                          const unsigned char *data_sha, const char *request_id,
                          unsigned char out[32]);

#endif
