// SPDX-License-Identifier: MIT
/*
 * bimer-audit: verify the hash chains of application_events (issue 4 item
 * 8). Each application's events must link (prev_hash = the previous event's
 * hash) and each stored hash must equal the hash of the stored content. The
 * first broken event of every application is named; the exit status is 0
 * when every chain holds, 1 when one does not, 2 on a usage or connection
 * error. Reads in pages, so it runs in constant memory over any table size.
 * Rows of hash version 1 (before migration 0017) hash their note and data,
 * version 2 their digests; an event blanked at the end of retention is
 * checked against the digests kept beside it.
 *
 *   bimer-audit                  every application
 *   bimer-audit NO [NO ...]      only these application numbers
 */
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_cfg.h"
#include "bm_crypto.h"
#include "bm_db.h"
#include "bm_event.h"
#include "bm_log.h"

#define PAGE 5000

static const char sql_page[] =
    "SELECT e.id, e.application_id, a.application_no, "
    "DATE_FORMAT(e.at, '%Y-%m-%d %H:%i:%s.%f'), e.kind, e.actor_user_id, "
    "e.actor_institution_code, e.from_institution_code, e.to_institution_code, e.note, e.data, "
    "e.request_id, e.prev_hash, e.hash, e.hash_version, e.note_sha256, e.data_sha256 "
    "FROM application_events e JOIN applications a ON "
    "a.id = e.application_id WHERE (e.application_id, e.id) > (?, ?) "
    "AND (? IS NULL OR a.application_no = ?) ORDER BY e.application_id, e.id LIMIT 5000";

enum {
	C_ID,
	C_APP,
	C_NO,
	C_AT,
	C_KIND,
	C_ACTOR,
	C_AINST,
	C_FROM,
	C_TO,
	C_NOTE,
	C_DATA,
	C_REQ,
	C_PREV,
	C_HASH,
	C_VERSION,
	C_NOTE_SHA,
	C_DATA_SHA
};

struct walk {
	long long app; /* current application */
	bool broken;   /* its chain already reported */
	bool has_prev;
	unsigned char prev[32];
	long long events, apps, bad;
};

static long long num(const char *s)
{
	return s ? strtoll(s, NULL, 10) : 0;
}

/* DATE_FORMAT gives microseconds; the chain hashes milliseconds as MariaDB shows DATETIME(3). */
static void millis(const char *in, char out[32])
{
	snprintf(out, 32, "%.23s", in ? in : "");
}

/* A redacted field's stored digest (32 bytes), or NULL when the field was not redacted. */
static const unsigned char *digest(const struct bm_dbres *r, size_t i, size_t col)
{
	const char *v = bm_dbres_get(r, i, col);
	return v && r->lens[i * r->ncols + col] == 32 ? (const unsigned char *)v : NULL;
}

static void check_row(struct walk *w, const struct bm_dbres *r, size_t i)
{
	const char *why = NULL;
	unsigned char h[32];
	char at[32];
	long long app = num(bm_dbres_get(r, i, C_APP));

	if (app != w->app) {
		w->app = app;
		w->broken = false;
		w->has_prev = false;
		w->apps++;
	}
	w->events++;
	millis(bm_dbres_get(r, i, C_AT), at);
	int version = (int)num(bm_dbres_get(r, i, C_VERSION));
	const unsigned char *note_sha = digest(r, i, C_NOTE_SHA),
	                    *data_sha = digest(r, i, C_DATA_SHA);
	bm_event_hash_stored(version, w->has_prev ? w->prev : NULL, app, at,
	                     bm_dbres_get(r, i, C_KIND), num(bm_dbres_get(r, i, C_ACTOR)),
	                     bm_dbres_get(r, i, C_AINST), bm_dbres_get(r, i, C_FROM),
	                     bm_dbres_get(r, i, C_TO), bm_dbres_get(r, i, C_NOTE), note_sha,
	                     bm_dbres_get(r, i, C_DATA), data_sha, bm_dbres_get(r, i, C_REQ), h);
	const char *stored = bm_dbres_get(r, i, C_HASH), *prev = bm_dbres_get(r, i, C_PREV);
	if (!stored || r->lens[i * r->ncols + C_HASH] != 32)
		why = "no hash";
	else if (version != 1 && version != 2)
		why = "unknown hash version";
	else if ((note_sha || data_sha) && version != 2)
		why = "redacted, but its hash covers the texts (version 1)";
	else if ((bm_dbres_get(r, i, C_NOTE_SHA) && !note_sha) ||
	         (bm_dbres_get(r, i, C_DATA_SHA) && !data_sha))
		why = "a redacted field's digest is not 32 bytes";
	else if (w->has_prev ? !prev || memcmp(prev, w->prev, 32) : prev != NULL)
		why = "does not link to the previous event";
	else if (memcmp(stored, h, 32))
		why = "content does not match its hash (altered)";
	if (why && !w->broken) {
		printf("audit: chain broken at event %s of application %s: %s\n",
		       bm_dbres_get(r, i, C_ID), bm_dbres_get(r, i, C_NO), why);
		w->broken = true;
		w->bad++;
	}
	if (stored && r->lens[i * r->ncols + C_HASH] == 32)
		memcpy(w->prev, stored, 32);
	w->has_prev = true;
}

/* Walk the chains of one application (no) or of all (no NULL); -1 when the DB fails. */
static int walk_all(struct bm_db *db, const char *no, struct walk *w)
{
	long long last_app = 0, last_id = 0;
	for (;;) {
		struct bm_dbres *r = NULL;
		struct bm_dbp p[] = {BM_DB_INT(last_app), BM_DB_INT(last_id),
		                     no ? BM_DB_STR(no) : BM_DB_NULL(),
		                     no ? BM_DB_STR(no) : BM_DB_NULL()};
		if (bm_db_run(db, sql_page, p, 4, &r))
			return -1;
		for (size_t i = 0; i < r->nrows; i++)
			check_row(w, r, i);
		size_t n = r->nrows;
		if (n) {
			last_app = num(bm_dbres_get(r, n - 1, C_APP));
			last_id = num(bm_dbres_get(r, n - 1, C_ID));
		}
		bm_dbres_free(r);
		if (n < PAGE)
			return 0;
	}
}

int main(int argc, char **argv)
{
	struct bm_cfg cfg;
	struct walk w = {.app = -1};
	char err[256];
	int rc = 2;

	bm_log_init("audit", BM_LOG_WARN);
	if (bm_cfg_load(&cfg, "audit", err, sizeof err)) {
		fprintf(stderr, "bimer-audit: %s\n", err);
		return 2;
	}
	mysql_library_init(0, NULL, NULL);
	struct bm_db *db = bm_db_new(&cfg);
	for (int i = 1; db && i <= (argc > 1 ? argc - 1 : 1); i++)
		if (walk_all(db, argc > 1 ? argv[i] : NULL, &w)) {
			fprintf(stderr, "bimer-audit: cannot read application_events\n");
			goto out;
		}
	if (!db)
		goto out;
	printf("audit: %lld events of %lld applications checked, %lld broken chain(s)\n", w.events,
	       w.apps, w.bad);
	rc = w.bad ? 1 : 0;
out:
	bm_db_free(db);
	mysql_library_end();
	return rc;
}
