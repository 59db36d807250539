// SPDX-License-Identifier: MIT
/*
 * bm_event: hash-chained application events. See bm_event.h.
 */
#include "bm_event.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bm_crypto.h"
#include "bm_time.h"

static const char sql_last[] = "SELECT hash FROM application_events WHERE application_id = ? "
                               "ORDER BY id DESC LIMIT 1 FOR UPDATE";
static const char sql_insert[] =
    "INSERT INTO application_events (application_id, at, kind, actor_user_id, "
    "actor_institution_code, from_institution_code, to_institution_code, note, data, "
    "request_id, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

static json_t *opt(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* A digest as the chain names it: lower-case hex, or null (the field was NULL). */
static json_t *digest_json(const char *text, const unsigned char *given)
{
	unsigned char d[32];
	char hex[65];
	if (!given && !text)
		return json_null();
	if (!given)
		bm_sha256(text, strlen(text), d);
	bm_hex(given ? given : d, 32, hex);
	return json_string(hex);
}

void bm_event_hash_stored(int version, const unsigned char *prev, long long application_id,
                          const char *at, const char *kind, long long actor_user_id,
                          const char *actor_institution, const char *from_institution,
                          const char *to_institution, const char *note,
                          const unsigned char *note_sha, const char *data,
                          const unsigned char *data_sha, const char *request_id,
                          unsigned char out[32])
{
	char prev_hex[65] = "";
	if (prev)
		bm_hex(prev, 32, prev_hex);
	json_t *a;
	if (version == 1)
		a = json_pack("[s, I, s, s, I, o, o, o, o, o, o]", prev_hex,
		              (json_int_t)application_id, at, kind, (json_int_t)actor_user_id,
		              opt(actor_institution), opt(from_institution), opt(to_institution),
		              opt(note), opt(data), opt(request_id));
	else
		a = json_pack("[s, s, I, s, s, I, o, o, o, o, o, o]", "v2", prev_hex,
		              (json_int_t)application_id, at, kind, (json_int_t)actor_user_id,
		              opt(actor_institution), opt(from_institution), opt(to_institution),
		              digest_json(note, note_sha), digest_json(data, data_sha),
		              opt(request_id));
	char *text = a ? json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	bm_sha256(text ? text : "", text ? strlen(text) : 0, out);
	free(text);
	json_decref(a);
}

void bm_event_hash(const unsigned char *prev, long long application_id, const char *at,
                   const char *kind, long long actor_user_id, const char *actor_institution,
                   const char *from_institution, const char *to_institution, const char *note,
                   const char *data, const char *request_id, unsigned char out[32])
{
	bm_event_hash_stored(2, prev, application_id, at, kind, actor_user_id, actor_institution,
	                     from_institution, to_institution, note, NULL, data, NULL, request_id,
	                     out);
}

void bm_event_at(const char *at, char out[BM_EVENT_AT_LEN])
{
	if (at)
		snprintf(out, BM_EVENT_AT_LEN, "%s%s", at, strlen(at) == 19 ? ".000" : "");
	else {
		bm_time_to_db(time(NULL), out);
		strcat(out, ".000");
	}
}

static struct bm_dbp opt_p(const char *s)
{
	return s ? BM_DB_STR(s) : BM_DB_NULL();
}

enum bm_err bm_event_append(struct bm_db *db, const struct bm_event *ev)
{
	struct bm_dbres *last = NULL;
	unsigned char prev[32], hash[32];
	char at[BM_EVENT_AT_LEN];
	bool has_prev = false;

	bm_event_at(ev->at, at);
	struct bm_dbp p1[] = {BM_DB_INT(ev->application_id)};
	enum bm_err e = ev->first ? BM_OK : bm_db_run(db, sql_last, p1, 1, &last);
	if (e)
		return e;
	if (last && last->nrows == 1 && last->lens[0] == 32) {
		memcpy(prev, bm_dbres_get(last, 0, 0), 32);
		has_prev = true;
	}
	bm_dbres_free(last);
	bm_event_hash(has_prev ? prev : NULL, ev->application_id, at, ev->kind, ev->actor_user_id,
	              ev->actor_institution, ev->from_institution, ev->to_institution, ev->note,
	              ev->data, ev->request_id, hash);
	struct bm_dbp p[] = {
	    BM_DB_INT(ev->application_id),
	    BM_DB_STR(at),
	    BM_DB_STR(ev->kind),
	    ev->actor_user_id ? BM_DB_INT(ev->actor_user_id) : BM_DB_NULL(),
	    opt_p(ev->actor_institution),
	    opt_p(ev->from_institution),
	    opt_p(ev->to_institution),
	    opt_p(ev->note),
	    opt_p(ev->data),
	    opt_p(ev->request_id),
	    has_prev ? BM_DB_BLOB(prev, 32) : BM_DB_NULL(),
	    BM_DB_BLOB(hash, 32),
	};
	e = bm_db_run(db, sql_insert, p, sizeof p / sizeof p[0], NULL);
	/* A new application has nothing cached yet, and staff reads change no status. */
	if (!e && !ev->first && strcmp(ev->kind, "staff_read"))
		bm_db_touch(db, ev->application_id);
	return e;
}
