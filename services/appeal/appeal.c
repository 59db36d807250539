// SPDX-License-Identifier: MIT
/*
 * The appeal service's shared helpers: see appeal.h.
 */
#include "appeal.h"

#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_auth.h"
#include "bm_cal.h"
#include "bm_deadline.h"
#include "bm_event.h"
#include "bm_json.h"
#include "bm_req.h"

#define APPEAL_COLUMNS                                                                             \
	"SELECT p.id, p.appeal_no, p.application_id, a.application_no, p.status, p.channel, "      \
	"p.ground, p.reason, p.filed_at, p.due_at, p.decision, p.decision_text, p.decided_at, "    \
	"p.application_due_at, p.window_ends_at, p.refused_at "                                    \
	"FROM appeals p JOIN applications a ON a.id = p.application_id WHERE p.appeal_no = ?"

static const char sql_find[] = APPEAL_COLUMNS;
static const char sql_find_lock[] = APPEAL_COLUMNS " FOR UPDATE";

enum bm_err ap_appeal_find(struct bm_req *req, const char *no, bool lock, struct bm_dbres **out)
{
	struct bm_dbres *res = NULL;
	struct bm_dbp p[] = {BM_DB_STR(no)};

	*out = NULL;
	if (!no || !bm_json_matches(no, AP_APPEAL_NO_PATTERN))
		return BM_OK;
	enum bm_err e = bm_db_run(req->ctx->db, lock ? sql_find_lock : sql_find, p, 1, &res);
	if (e)
		return e;
	if (res->nrows == 1 && res->ncols == AP__NCOLS)
		*out = res;
	else
		bm_dbres_free(res);
	return BM_OK;
}

void ap_reply_domain(struct bm_req *req, enum bm_err e, const char *code, const char *tr,
                     const char *en)
{
	bm_reply_problem(req, e, code, req->lang == BM_LANG_EN ? en : tr);
}

void ap_reply_not_found(struct bm_req *req)
{
	ap_reply_domain(req, BM_E_NOT_FOUND, "APPEAL_NOT_FOUND",
	                "Bu numarayla erişebileceğiniz bir itiraz yok.",
	                "There is no appeal with this id within your reach.");
}

void ap_field_error(struct bm_req *req, const char *field, const char *code, const char *tr,
                    const char *en)
{
	bm_verrs_add_text(&req->errs, field, code, tr, en);
}

/* ---- transactions ------------------------------------------------------------ */

enum bm_err ap_verdict(struct ap_outcome *o, enum bm_err e, const char *code, const char *tr,
                       const char *en)
{
	*o = (struct ap_outcome){.e = e, .code = code, .tr = tr, .en = en};
	return BM_OK;
}

static bool retryable(const struct bm_req *req)
{
	unsigned n = bm_db_errno(req->ctx->db);
	return n == ER_LOCK_DEADLOCK || n == ER_LOCK_WAIT_TIMEOUT;
}

static enum bm_err tx_once(struct bm_req *req, ap_step step, void *arg, struct ap_outcome *out)
{
	struct bm_db *db = req->ctx->db;
	enum bm_err e = bm_db_begin(db);

	*out = (struct ap_outcome){.e = BM_E_INTERNAL};
	req->errs.n = 0;
	if (!e)
		e = step(req, arg, out);
	if (!e && out->e == BM_OK)
		e = bm_db_commit(db);
	else
		bm_db_rollback(db);
	return e;
}

enum bm_err ap_tx(struct bm_req *req, ap_step step, void *arg, struct ap_outcome *out)
{
	enum bm_err e = BM_OK;
	for (int attempt = 0; attempt < AP_TX_ATTEMPTS; attempt++) {
		e = tx_once(req, step, arg, out);
		if (!e || !retryable(req))
			break;
	}
	return e;
}

void ap_reply_outcome(struct bm_req *req, const struct ap_outcome *o)
{
	if (o->code)
		ap_reply_domain(req, o->e, o->code, o->tr, o->en);
	else
		bm_reply_error(req, o->e);
}

/* ---- events, times, deadlines ------------------------------------------------ */

enum bm_err ap_event(struct bm_req *req, long long application_id, const char *kind,
                     const char *to_institution, json_t *data, const char *at)
{
	const struct bm_principal *w = &req->who;
	bool staff = w->sub[0] != '\0';
	if (!data)
		return BM_E_NOMEM;
	if (staff && !w->uid)
		json_object_set_new(data, "client_id", json_string(w->sub));
	char *text = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(data);
	if (!text)
		return BM_E_NOMEM;
	const struct bm_event ev = {.application_id = application_id,
	                            .kind = kind,
	                            .actor_user_id = staff ? w->uid : 0,
	                            .actor_institution = staff ? w->inst : NULL,
	                            .to_institution = to_institution,
	                            .data = text,
	                            .request_id = req->req_id,
	                            .at = at};
	enum bm_err e = bm_event_append(req->ctx->db, &ev);
	free(text);
	return e;
}

void ap_now_db(const struct bm_req *req, char out[BM_TIME_ISO_LEN])
{
	bm_time_to_db(bm_req_now(req), out);
}

enum bm_err ap_business_due(struct bm_ctx *ctx, time_t from, int n, time_t *due)
{
	const struct bm_cal *cal;
	enum bm_err e = bm_deadline_calendar(ctx, &cal);
	if (e)
		return e;
	bm_day end = bm_cal_add_business_days(cal, bm_deadline_day_of(from), n);
	if (end == BM_DAY_INVALID)
		return BM_E_INTERNAL;
	*due = bm_deadline_end_of_day(end);
	return BM_OK;
}

bool ap_past(const char *due_db, const char *now_db)
{
	/* Both are "YYYY-MM-DD HH:MM:SS" UTC first: the text order is the time order. */
	return due_db && now_db && strncmp(due_db, now_db, 19) < 0;
}

/* ---- JSON -------------------------------------------------------------------- */

long long ap_ll(const char *s)
{
	return s ? strtoll(s, NULL, 10) : 0;
}

bool ap_is_bedk(const struct bm_req *req)
{
	return (req->who.roles & BM_ROLE_BEDK) != 0;
}
