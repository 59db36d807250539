// SPDX-License-Identifier: MIT
/*
 * The public status look-up (design.md "Identity and privacy").
 *
 * A caller proves the right to see an application with the applicant's ID
 * number plus the application number, or with the secret tracking code.
 * A miss answers exactly the same 404 whether or not the number exists,
 * and misses are limited per client address and per ID number; a client
 * over its limit gets 429 before any look-up, so hits cannot be mined
 * either. When Redis is down the limits fall back to a per-process counter
 * so citizens can still read their status. The answer carries no personal
 * data: no name, no ID number, no address, and no staff notes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_cache.h"
#include "bm_crypto.h"
#include "bm_db.h"
#include "bm_json.h"
#include "bm_log.h"
#include "bm_req.h"
#include "bm_stcache.h"
#include "bm_time.h"
#include "bm_validators.h"
#include "handlers.h"

/*
 * A look-up first finds the application's id by the proof (one unique-index
 * probe: all a miss costs), unless the cache already knows it, then reads
 * the answer in one statement (a round trip and a plan each cost more than
 * the rows): the application, its latest appeal to BEDK (issue 5) and one
 * row per event, in timeline order. The events are filtered to the
 * citizen's kinds here in C: an IN list in SQL made the optimizer weigh
 * the kind index on every hit (tests/bench/RESULTS.md).
 */
static const char sql_id_by_number[] =
    "SELECT id FROM applications WHERE application_no = ? AND applicant_tckn_hmac = ?";
static const char sql_id_by_tracking[] = "SELECT id FROM applications WHERE tracking_hash = ?";

#define LOOKUP_SQL(where)                                                                          \
	"SELECT a.id, a.application_no, a.type, a.category, a.status, a.outcome, "                 \
	"a.reason_code, a.assigned_institution_code, i.name, a.received_at, a.due_at, "            \
	"ap.appeal_no, ap.status, ap.decision, ap.due_at, "                                        \
	"e.at, e.kind, e.to_institution_code, ei.name "                                            \
	"FROM applications a LEFT JOIN institutions i ON i.code = a.assigned_institution_code "    \
	"LEFT JOIN appeals ap ON ap.id = "                                                         \
	"(SELECT MAX(x.id) FROM appeals x WHERE x.application_id = a.id) "                         \
	"LEFT JOIN application_events e "                                                          \
	"FORCE INDEX (ix_application_events_application) ON e.application_id = a.id "              \
	"LEFT JOIN institutions ei ON ei.code = e.to_institution_code "                            \
	"WHERE " where " ORDER BY e.at, e.id"

/* An application anonymised at the end of its retention is gone for the public look-up,
 * even under a look-up key the cache still maps to it (keys expire within
 * BIMER_STATUS_CACHE_S; their proofs were destroyed with the application's identity). */
static const char sql_by_id[] = LOOKUP_SQL("a.id = ? AND a.anonymised_at IS NULL");

/* Only these kinds are the citizen's timeline; staff reads and notes are not. */
static const char *const citizen_kinds[] = {"submitted",
                                            "verified",
                                            "received",
                                            "routed",
                                            "forwarded",
                                            "extended",
                                            "answered",
                                            "not_processed",
                                            "cancelled",
                                            "expired",
                                            "deemed_rejected",
                                            "overdue",
                                            "appeal_filed",
                                            "appeal_information_requested",
                                            "appeal_information_answered",
                                            "appeal_decided",
                                            "reopened"};

enum {
	C_ID,
	C_NO,
	C_TYPE,
	C_CATEGORY,
	C_STATUS,
	C_OUTCOME,
	C_REASON,
	C_INST,
	C_INST_NAME,
	C_RECEIVED,
	C_DUE,
	C_AP_NO,
	C_AP_STATUS,
	C_AP_DECISION,
	C_AP_DUE,
	C_EV_AT,
	C_EV_KIND,
	C_EV_TO,
	C_EV_TO_NAME
};

static bool citizen_kind(const char *kind)
{
	for (size_t i = 0; kind && i < sizeof citizen_kinds / sizeof *citizen_kinds; i++)
		if (!strcmp(kind, citizen_kinds[i]))
			return true;
	return false;
}

static void set_opt(json_t *obj, const char *key, const char *val)
{
	if (val)
		json_object_set_new(obj, key, json_string(val));
}

static void set_time(json_t *obj, const char *key, const char *db)
{
	char iso[BM_TIME_ISO_LEN];
	if (db && bm_time_db_to_iso(db, iso))
		json_object_set_new(obj, key, json_string(iso));
}

static json_t *institution(const char *code, const char *name)
{
	return json_pack("{s:s, s:s}", "code", code, "name", name ? name : code);
}

/* The citizen's timeline: one row per event of the look-up's answer. */
static json_t *events_json(const struct bm_dbres *app)
{
	json_t *arr = json_array();
	for (size_t r = 0; arr && r < app->nrows; r++) {
		if (!citizen_kind(bm_dbres_get(app, r, C_EV_KIND)))
			continue;
		json_t *e = json_object();
		set_time(e, "at", bm_dbres_get(app, r, C_EV_AT));
		set_opt(e, "kind", bm_dbres_get(app, r, C_EV_KIND));
		if (bm_dbres_get(app, r, C_EV_TO))
			json_object_set_new(e, "institution",
			                    institution(bm_dbres_get(app, r, C_EV_TO),
			                                bm_dbres_get(app, r, C_EV_TO_NAME)));
		json_array_append_new(arr, e);
	}
	return arr;
}

/* {appeal_id, status, decision?, due_at?} of the latest appeal. */
static json_t *appeal_json(const struct bm_dbres *app)
{
	json_t *a = json_object();
	set_opt(a, "appeal_id", bm_dbres_get(app, 0, C_AP_NO));
	set_opt(a, "status", bm_dbres_get(app, 0, C_AP_STATUS));
	set_opt(a, "decision", bm_dbres_get(app, 0, C_AP_DECISION));
	set_time(a, "due_at", bm_dbres_get(app, 0, C_AP_DUE));
	return a;
}

/* The answer for the found application (rows: one per event): timeline and appeal. */
static json_t *render(const struct bm_dbres *app)
{
	json_t *out = json_object();
	set_opt(out, "application_no", bm_dbres_get(app, 0, C_NO));
	set_opt(out, "type", bm_dbres_get(app, 0, C_TYPE));
	set_opt(out, "category", bm_dbres_get(app, 0, C_CATEGORY));
	set_opt(out, "status", bm_dbres_get(app, 0, C_STATUS));
	set_opt(out, "outcome", bm_dbres_get(app, 0, C_OUTCOME));
	set_opt(out, "reason_code", bm_dbres_get(app, 0, C_REASON));
	if (bm_dbres_get(app, 0, C_INST))
		json_object_set_new(
		    out, "assigned_institution",
		    institution(bm_dbres_get(app, 0, C_INST), bm_dbres_get(app, 0, C_INST_NAME)));
	set_time(out, "received_at", bm_dbres_get(app, 0, C_RECEIVED));
	set_time(out, "due_at", bm_dbres_get(app, 0, C_DUE));
	json_object_set_new(out, "events", events_json(app));
	if (bm_dbres_get(app, 0, C_AP_NO))
		json_object_set_new(out, "appeal", appeal_json(app));
	return out;
}

/*
 * Answer the found application and, when the cache is on (ckey), keep the
 * answer for the next look-up: under the generation read before the
 * database was, if the look-up key was known then (hit->id); the same call
 * takes back the miss that bm_stcache_get counted for an unknown key.
 */
static void reply_found(struct bm_req *req, const struct bm_dbres *app, const char *ckey,
                        const struct bm_stcache_hit *hit, const struct bm_rl_key *keys,
                        size_t nkeys)
{
	json_t *out = render(app);
	char *text = out ? json_dumps(out, JSON_COMPACT) : NULL;
	json_decref(out);
	if (!text) {
		bm_stcache_refund(req->ctx->redis, keys, nkeys, hit->charge);
		bm_reply_error(req, BM_E_NOMEM);
		return;
	}
	bm_reply_raw(req, 200, "application/json", NULL, text, strlen(text));
	long long id = strtoll(bm_dbres_get(app, 0, C_ID), NULL, 10);
	if (ckey)
		bm_stcache_put(req->ctx->redis, ckey, id, hit->id == id ? hit->gen : NULL, text,
		               req->ctx->cfg->status_cache_s, keys, nkeys, hit->charge);
	free(text);
}

/* The one answer for every miss: the same whether the number exists or not. */
static void reply_not_found(struct bm_req *req)
{
	bm_reply_problem(req, BM_E_NOT_FOUND, "APPLICATION_NOT_FOUND",
	                 req->lang == BM_LANG_EN ? "No application matches these details."
	                                         : "Bu bilgilerle eşleşen bir başvuru bulunamadı.");
}

/*
 * The shared look-up, limited by keys (the client address, and the ID
 * number when given): a caller over a limit is refused before any look-up,
 * so hits cannot be mined either; only misses count. With the cache on,
 * the limits and the cached answer come in one Redis call (bm_stcache.h),
 * which also counts the miss when the look-up key is unknown (hit.charge):
 * a miss then answers 404 with no second call, and a found application
 * takes the charge back as its answer is stored. Redis down or the cache
 * off → no cache: the limits are peeked at, and a miss counted, with
 * bm_limit_or_reply (the per-process fallback when Redis is down).
 * sql finds the application's id by the proof in params. Answers 200, 404,
 * 429 or 503.
 */
static void lookup(struct bm_req *req, const char *sql, const struct bm_dbp *params, size_t n,
                   const struct bm_rl_key *keys, size_t nkeys, const char *ckey)
{
	struct bm_dbres *res = NULL;
	struct bm_stcache_hit hit = {0};
	enum bm_err e = BM_E_REDIS;

	if (req->ctx->cfg->status_cache_s)
		e = bm_stcache_get(req->ctx->redis, keys, nkeys, ckey, &hit);
	if (e == BM_E_NOMEM) {
		bm_reply_error(req, e);
		return;
	}
	if (!e && hit.denied) {
		bm_reply_rate_limited(req, hit.retry_after);
		return;
	}
	if (!e && hit.answer) {
		bm_reply_raw(req, 200, "application/json", NULL, hit.answer, strlen(hit.answer));
		free(hit.answer);
		return;
	}
	/* Without the cache call (off, or Redis down) the limits are peeked at alone. */
	if (e && bm_limit_or_reply(req, BM_RL_PEEK, keys, nkeys, false))
		return;
	bool cache = !e;
	long long id = cache ? hit.id : 0;
	if (!id && !(e = bm_db_run(req->ctx->db, sql, params, n, &res)) && res->nrows == 1)
		id = strtoll(bm_dbres_get(res, 0, 0), NULL, 10);
	bm_dbres_free(res);
	res = NULL;
	if (!e && id > 0) {
		struct bm_dbp by_id[] = {BM_DB_INT(id)};
		e = bm_db_run(req->ctx->db, sql_by_id, by_id, 1, &res);
	}
	if (e) {
		bm_stcache_refund(req->ctx->redis, keys, nkeys, hit.charge); /* not a miss */
		bm_reply_error(req, e);
	} else if (res && res->nrows >= 1)
		reply_found(req, res, cache ? ckey : NULL, &hit, keys, nkeys);
	else if (hit.charge[0] || !bm_limit_or_reply(req, BM_RL_HIT, keys, nkeys, false))
		reply_not_found(req); /* counted already (charge), or just now */
	bm_dbres_free(res);
}

void status_by_number(struct bm_req *req)
{
	const char *tckn = bm_json_str(req->json, "tc_kimlik_no");
	const char *no = bm_json_str(req->json, "application_no");
	unsigned char mac[BM_HMAC_LEN];
	char ipk[96], idk[96];

	bm_hmac(req->ctx->cfg->keys.hmac, tckn, strlen(tckn), mac);
	bm_limit_key_ip(req, "status", ipk, sizeof ipk);
	bm_limit_key_hash("status", mac, idk, sizeof idk); /* never the number itself */
	const struct bm_rl_key keys[] = {{ipk, &req->ctx->cfg->rl_status_ip},
	                                 {idk, &req->ctx->cfg->rl_status_id}};
	struct bm_dbp p[] = {BM_DB_STR(no), BM_DB_BLOB(mac, sizeof mac)};
	char ckey[BM_STCACHE_KEY_LEN];
	bm_stcache_key_number(mac, sizeof mac, no, ckey);
	lookup(req, sql_id_by_number, p, 2, keys, 2, ckey);
}

void status_by_tracking_code(struct bm_req *req)
{
	const char *code = bm_req_param(req, "tracking_code");
	unsigned char digest[32];
	char ipk[96];

	bm_limit_key_ip(req, "status", ipk, sizeof ipk);
	const struct bm_rl_key keys[] = {{ipk, &req->ctx->cfg->rl_status_ip}};
	bm_sha256(code, strlen(code), digest);
	struct bm_dbp p[] = {BM_DB_BLOB(digest, sizeof digest)};
	char ckey[BM_STCACHE_KEY_LEN];
	bm_stcache_key_tracking(digest, ckey);
	lookup(req, sql_id_by_tracking, p, 1, keys, 1, ckey);
}
