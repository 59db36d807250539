// SPDX-License-Identifier: MIT
/*
 * The caller's place in the institution tree and the reach condition shared
 * by the inbox, the record view and the state changes (see reach.h), plus
 * the small reply helpers those handlers share.
 */
#include "reach.h"

#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_json.h"
#include "bm_req.h"
#include "bm_validators.h"

static const char sql_caller[] =
    "SELECT kind, province_code FROM institutions WHERE code = ? AND active = 1";

static const char sql_share_lock[] =
    "SELECT id FROM applications WHERE application_no = ? LOCK IN SHARE MODE";

static const char sql_app[] = RT_SUBTREE_CTE
    "SELECT a.id, a.application_no, a.type, a.category, a.channel, a.subject, a.body, a.topic, "
    "a.status, a.outcome, a.reason_code, a.province_code, a.target_institution_code, "
    "a.identity_hidden, a.anonymous, a.applicant_tckn_enc, a.applicant_first_name, "
    "a.applicant_last_name, a.applicant_email, a.applicant_phone, a.applicant_address, "
    "a.assigned_institution_code, h.name, h.province_code, a.created_at, a.received_at, "
    "a.due_at, a.extended_at, a.answered_at, FLOOR(UNIX_TIMESTAMP(a.received_at)) "
    "FROM applications a LEFT JOIN institutions h ON h.code = a.assigned_institution_code "
    "WHERE " RT_REACH_SQL " AND a.application_no = ?";

enum bm_err rt_caller_load(struct bm_req *req, struct rt_caller *c)
{
	const struct bm_principal *w = &req->who;
	struct bm_dbres *res = NULL;
	struct bm_dbp p[] = {BM_DB_STR(w->inst)};

	memset(c, 0, sizeof *c);
	c->who = w;
	enum bm_err e = bm_db_run(req->ctx->db, sql_caller, p, 1, &res);
	if (e)
		return e;
	if (res->nrows != 1) {
		bm_dbres_free(res);
		return BM_E_FORBIDDEN;
	}
	snprintf(c->kind, sizeof c->kind, "%s", bm_dbres_get(res, 0, 0));
	if (bm_dbres_get(res, 0, 1))
		snprintf(c->province, sizeof c->province, "%s", bm_dbres_get(res, 0, 1));
	bm_dbres_free(res);

	bool op = w->roles & BM_ROLE_OPERATOR, coord = w->roles & BM_ROLE_COORDINATOR;
	bool centre = !strcmp(c->kind, "centre"), gov = !strcmp(c->kind, "governorship");
	c->all = centre && (op || coord);
	c->centre_op = centre && op;
	c->desk = gov && op && c->province[0];
	c->province_reach = gov && (op || coord) && c->province[0];
	c->coordinator = coord;
	return BM_OK;
}

void rt_reach_params(const struct rt_caller *c, struct bm_dbp out[6])
{
	out[0] = c->coordinator ? BM_DB_STR(c->who->inst) : BM_DB_NULL();
	out[1] = BM_DB_INT(c->all ? 1 : 0);
	out[2] = BM_DB_STR(c->who->inst);
	for (int i = 3; i < 6; i++)
		out[i] = c->province_reach ? BM_DB_STR(c->province) : BM_DB_NULL();
}

enum bm_err rt_app_find(struct bm_req *req, const struct rt_caller *c, const char *no,
                        bool share_lock, struct bm_dbres **out)
{
	struct bm_dbres *res = NULL;
	struct bm_dbp p[7];
	enum bm_err e;

	*out = NULL;
	if (share_lock) {
		struct bm_dbp lp[] = {BM_DB_STR(no)};
		if ((e = bm_db_run(req->ctx->db, sql_share_lock, lp, 1, &res)))
			return e;
		size_t n = res->nrows;
		bm_dbres_free(res);
		if (n != 1)
			return BM_OK;
	}
	rt_reach_params(c, p);
	p[6] = BM_DB_STR(no);
	if ((e = bm_db_run(req->ctx->db, sql_app, p, 7, &res)))
		return e;
	if (res->nrows == 1 && res->ncols == RT__NCOLS)
		*out = res;
	else
		bm_dbres_free(res);
	return BM_OK;
}

bool rt_overdue(const char *status, const char *due, const char *now_db)
{
	bool open = status && (!strcmp(status, "received") || !strcmp(status, "in_progress"));
	/* Both are "YYYY-MM-DD HH:MM:SS" UTC first: the text order is the time order. */
	return open && due && strncmp(due, now_db, 19) < 0;
}

bool rt_holds(const struct rt_caller *c, const struct bm_dbres *app)
{
	const char *held = bm_dbres_get(app, 0, RT_ASSIGNED);
	return held && !strcmp(held, c->who->inst);
}

bool rt_is_bimer_operator(const struct rt_caller *c)
{
	return c->centre_op || c->desk;
}

long long rt_app_id(const struct bm_dbres *app)
{
	return strtoll(bm_dbres_get(app, 0, RT_ID), NULL, 10);
}

bool rt_flag(const struct bm_dbres *app, enum rt_col col)
{
	const char *v = bm_dbres_get(app, 0, col);
	return v && v[0] == '1';
}

bool rt_col_is(const struct bm_dbres *app, enum rt_col col, const char *s)
{
	const char *v = bm_dbres_get(app, 0, col);
	return v && s ? !strcmp(v, s) : v == s;
}

void rt_reply_not_found(struct bm_req *req)
{
	rt_reply_domain(req, BM_E_NOT_FOUND, "APPLICATION_NOT_FOUND",
	                "Bu numarayla erişebileceğiniz bir başvuru yok.",
	                "There is no application with this number within your reach.");
}

void rt_reply_domain(struct bm_req *req, enum bm_err e, const char *code, const char *tr,
                     const char *en)
{
	bm_reply_problem(req, e, code, req->lang == BM_LANG_EN ? en : tr);
}

void rt_field_error(struct bm_req *req, const char *field, const char *code, const char *tr,
                    const char *en)
{
	bm_verrs_add_text(&req->errs, field, code, tr, en);
}

char *rt_event_data(const struct bm_req *req, json_t *obj)
{
	if (!req->who.uid && req->who.sub[0]) {
		if (!obj)
			obj = json_object();
		json_object_set_new(obj, "client_id", json_string(req->who.sub));
	}
	if (!obj)
		return NULL;
	char *text = json_object_size(obj) ? json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(obj);
	return text;
}

bool rt_db_retryable(const struct bm_req *req)
{
	unsigned n = bm_db_errno(req->ctx->db);
	return n == ER_LOCK_DEADLOCK || n == ER_LOCK_WAIT_TIMEOUT;
}

/* ---- state changes ---------------------------------------------------------- */

enum bm_err rt_verdict(struct rt_outcome *o, enum rt_verdict v, const char *code, const char *tr,
                       const char *en)
{
	*o = (struct rt_outcome){.v = v, .code = code, .tr = tr, .en = en};
	return BM_OK;
}

static enum bm_err change_once(struct bm_req *req, const struct rt_caller *c, const char *no,
                               rt_step step, void *arg, struct rt_outcome *out)
{
	struct bm_db *db = req->ctx->db;
	struct bm_dbres *app = NULL;
	enum bm_err e = bm_db_begin(db);

	*out = (struct rt_outcome){.v = RT_NOT_FOUND};
	req->errs.n = 0;
	if (!e)
		e = rt_app_find(req, c, no, false, &app);
	if (!e && app)
		e = step(req, c, app, arg, out);
	if (!e && out->v == RT_OK)
		e = bm_db_commit(db);
	else
		bm_db_rollback(db);
	bm_dbres_free(app);
	return e;
}

enum bm_err rt_change(struct bm_req *req, const struct rt_caller *c, const char *no, rt_step step,
                      void *arg, struct rt_outcome *out)
{
	enum bm_err e = BM_OK;
	for (int attempt = 0; attempt < RT_TX_ATTEMPTS; attempt++) {
		e = change_once(req, c, no, step, arg, out);
		if (!e || !rt_db_retryable(req))
			break;
	}
	return e;
}

void rt_reply_outcome(struct bm_req *req, const struct rt_outcome *o)
{
	static const enum bm_err errs[] = {
	    [RT_OK] = BM_E_INTERNAL,        [RT_NOT_FOUND] = BM_E_NOT_FOUND,
	    [RT_CLOSED] = BM_E_CONFLICT,    [RT_FORBIDDEN] = BM_E_FORBIDDEN,
	    [RT_INVALID] = BM_E_VALIDATION, [RT_RACE] = BM_E_CONFLICT,
	};
	if (o->v == RT_NOT_FOUND)
		rt_reply_not_found(req);
	else if (o->code)
		rt_reply_domain(req, errs[o->v], o->code, o->tr, o->en);
	else
		bm_reply_error(req, errs[o->v]);
}

bool rt_change_or_reply(struct bm_req *req, rt_step step, void *arg)
{
	const char *no = bm_req_param(req, "no");
	struct rt_outcome out;
	struct rt_caller c;
	enum bm_err e;

	if (!no || !bm_json_matches(no, BM_APPLICATION_NO_PATTERN)) {
		rt_reply_not_found(req);
		return false;
	}
	if (!(e = rt_caller_load(req, &c)))
		e = rt_change(req, &c, no, step, arg, &out);
	if (e)
		bm_reply_error(req, e);
	else if (out.v != RT_OK)
		rt_reply_outcome(req, &out);
	return !e && out.v == RT_OK;
}
