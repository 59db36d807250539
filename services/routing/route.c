// SPDX-License-Identifier: MIT
/*
 * POST /api/v1/applications/{no}/route: route or forward an application
 * (rules.md R1–R4, W4; Law 3071 art. 5).
 *
 * Who may send it where:
 *   - the centre's operator: to any institution in scope (not to itself);
 *   - a governorship desk (operator of VALILIK-NN), for an application
 *     waiting to be routed or held inside its province: to its own
 *     governorship, district governorships and provincial or regional
 *     directorates of its province, or up to the centre (BIMER);
 *   - the holding institution: down its own tree (any descendant), or back
 *     to the centre when the right authority is not below it. Sideways is
 *     refused.
 * Never to a body outside the system (W4), to BEDK (it takes appeals, not
 * applications) or to the institution already holding it.
 *
 * R2, ethics complaints: the body says so with ethics_rank (only on a
 * şikayet or ihbar). "general_director_or_above" must go to the Public
 * Officials Ethics Board (kind ethics_board, ETIK-KURUL);
 * "below_general_director" must not — it goes to the official's own
 * institution, whose disciplinary board decides. The ethics board takes
 * nothing without ethics_rank. An operator (centre or desk) may send a
 * senior-rank complaint straight to the board; the rank is kept in the
 * event.
 *
 * A target the caller may not use is 422; an application that is closed
 * is 409; one in reach that the caller neither routes nor holds is 403.
 * The change is `UPDATE … WHERE status IN (…) AND assigned_institution_code
 * <=> <what we read>` with the row count checked, so of two staff acting at
 * once one wins and the other gets 409. The event records from, to, who and
 * why (R3), and the citizen is mailed where the application now is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_db.h"
#include "bm_event.h"
#include "bm_json.h"
#include "bm_log.h"
#include "bm_notify.h"
#include "bm_req.h"
#include "bm_time.h"
#include "bm_validators.h"
#include "handlers.h"
#include "reach.h"

#define RANK_SENIOR "general_director_or_above"
#define RANK_JUNIOR "below_general_director"

static const char *const ethics_ranks[] = {RANK_SENIOR, RANK_JUNIOR, NULL};

const struct bm_field route_fields[] = {BM_FIELD_INSTITUTION("institution_code", BM_FF_REQUIRED),
                                        {.name = "note",
                                         .type = BM_FT_STRING,
                                         .flags = BM_FF_NULLABLE | BM_FF_MULTILINE,
                                         .min = 1,
                                         .max = 2000},
                                        {.name = "ethics_rank",
                                         .type = BM_FT_STRING,
                                         .flags = BM_FF_NULLABLE,
                                         .min = 1,
                                         .max = 32,
                                         .enumv = ethics_ranks},
                                        {0}};

static const char sql_target[] = "SELECT code, name, kind, province_code, in_scope "
                                 "FROM institutions WHERE code = ? AND active = 1";
enum { T_CODE, T_NAME, T_KIND, T_PROVINCE, T_IN_SCOPE };

static const char sql_descendant[] =
    "WITH RECURSIVE sub (code) AS (SELECT code FROM institutions WHERE parent_code = ? "
    "UNION SELECT i.code FROM institutions i JOIN sub ON i.parent_code = sub.code) "
    "SELECT COUNT(*) FROM sub WHERE code = ?";

static const char sql_route[] =
    "UPDATE applications SET status = 'in_progress', assigned_institution_code = ? "
    "WHERE id = ? AND status IN ('received', 'in_progress') "
    "AND assigned_institution_code <=> ?";

/* How the caller acts on this application. */
enum mode { M_NONE, M_CENTRE, M_DESK, M_HOLDER };

struct route {
	const char *code, *note, *rank;
	struct bm_dbres *target;
	enum mode mode;
	char target_name[256];
};

static bool kind_is(const struct bm_dbres *t, const char *kind)
{
	return !strcmp(bm_dbres_get(t, 0, T_KIND), kind);
}

static enum mode mode_of(const struct rt_caller *c, const struct bm_dbres *app)
{
	const char *held = bm_dbres_get(app, 0, RT_ASSIGNED);
	const char *held_prov = bm_dbres_get(app, 0, RT_ASSIGNED_PROVINCE);
	if (c->centre_op)
		return M_CENTRE;
	if (c->desk && (!held || (held_prov && !strcmp(held_prov, c->province))))
		return M_DESK;
	if (rt_holds(c, app) && (c->who->roles & (BM_ROLE_INSTITUTION_USER | BM_ROLE_AGENCY)))
		return M_HOLDER;
	return M_NONE;
}

static void target_error(struct bm_req *req, const char *code, const char *tr, const char *en)
{
	rt_field_error(req, "institution_code", code, tr, en);
}

/* W4, BEDK, and the holder itself: never targets, whoever routes. */
static bool target_usable(struct bm_req *req, const struct bm_dbres *app, const struct route *r)
{
	const struct bm_dbres *t = r->target;
	if (t->nrows != 1)
		target_error(req, "UNKNOWN_INSTITUTION", "Bu kodla kayıtlı etkin bir kurum yok.",
		             "No active institution has this code.");
	else if (bm_dbres_get(t, 0, T_IN_SCOPE)[0] != '1' || kind_is(t, "external"))
		target_error(req, "INSTITUTION_OUT_OF_SCOPE",
		             "Bu kurum BİMER kapsamında değildir (yargı mercileri, TBMM, KDK, YSK, "
		             "HSK, Sayıştay).",
		             "This body is outside BİMER (courts, TBMM, KDK, YSK, HSK, Sayıştay).");
	else if (kind_is(t, "bedk"))
		target_error(req, "NOT_A_ROUTING_TARGET",
		             "Bilgi Edinme Değerlendirme Kurulu başvuru değil itiraz inceler.",
		             "BEDK decides appeals; applications are not routed to it.");
	else if (rt_col_is(app, RT_ASSIGNED, r->code))
		target_error(req, "ALREADY_ASSIGNED", "Başvuru zaten bu kurumdadır.",
		             "The application is already with this institution.");
	else
		return true;
	return false;
}

/* R2: where an ethics complaint may go, and that the board takes nothing else. */
static bool ethics_ok(struct bm_req *req, const struct bm_dbres *app, const struct route *r)
{
	bool board = kind_is(r->target, "ethics_board");
	bool complaint =
	    rt_col_is(app, RT_TYPE, "dilekce") &&
	    (rt_col_is(app, RT_CATEGORY, "sikayet") || rt_col_is(app, RT_CATEGORY, "ihbar"));
	if (r->rank && !complaint)
		rt_field_error(
		    req, "ethics_rank", "NOT_ALLOWED_FOR_TYPE",
		    "Etik bildirimi yalnızca şikayet ve ihbar dilekçelerinde yapılabilir.",
		    "Only complaints and reports (sikayet, ihbar) can be ethics cases.");
	else if (board && !r->rank)
		rt_field_error(req, "ethics_rank", "REQUIRED",
		               "Etik Kurula yalnızca görevlinin unvan düzeyi belirtilen etik "
		               "şikayetleri gönderilebilir.",
		               "Only ethics complaints that state the official's rank go to the "
		               "Ethics Board.");
	else if (r->rank && !strcmp(r->rank, RANK_SENIOR) && !board)
		target_error(
		    req, "ETHICS_BOARD_REQUIRED",
		    "Genel müdür ve üstü görevliler hakkındaki etik şikayetleri Kamu "
		    "Görevlileri Etik Kuruluna gönderilir.",
		    "Ethics complaints about officials of general director rank or above go "
		    "to the Public Officials Ethics Board.");
	else if (r->rank && !strcmp(r->rank, RANK_JUNIOR) && board)
		target_error(req, "ETHICS_BOARD_NOT_COMPETENT",
		             "Genel müdürden alt düzeydeki görevliler hakkındaki şikayetler kendi "
		             "kurumunun disiplin kuruluna gönderilir.",
		             "Complaints about officials below general director rank go to their "
		             "own institution's disciplinary board.");
	else
		return true;
	return false;
}

static enum bm_err is_descendant(struct bm_req *req, const char *of, const char *code, bool *yes)
{
	struct bm_dbres *res = NULL;
	struct bm_dbp p[] = {BM_DB_STR(of), BM_DB_STR(code)};
	enum bm_err e = bm_db_run(req->ctx->db, sql_descendant, p, 2, &res);
	*yes = !e && res->nrows == 1 && strcmp(bm_dbres_get(res, 0, 0), "0");
	bm_dbres_free(res);
	return e;
}

/* R1: whether this caller, acting as r->mode, may send the application to the target. */
static enum bm_err authority_ok(struct bm_req *req, const struct rt_caller *c,
                                const struct route *r, bool *ok)
{
	const struct bm_dbres *t = r->target;
	const char *prov = bm_dbres_get(t, 0, T_PROVINCE);
	bool centre = kind_is(t, "centre"), board = kind_is(t, "ethics_board");
	enum bm_err e = BM_OK;

	switch (r->mode) {
	case M_CENTRE: *ok = !centre; break;
	case M_DESK:
		*ok =
		    centre || board ||
		    (prov && !strcmp(prov, c->province) &&
		     (kind_is(t, "governorship") || kind_is(t, "district_governorship") ||
		      kind_is(t, "provincial_directorate") || kind_is(t, "regional_directorate")));
		break;
	case M_HOLDER:
		*ok = centre;
		if (!*ok)
			e = is_descendant(req, c->who->inst, r->code, ok);
		break;
	default: *ok = false;
	}
	if (!e && !*ok)
		target_error(
		    req, "ROUTING_NOT_ALLOWED",
		    "Bu başvuruyu bu kuruma yönlendirme yetkiniz yok: valilik masası ilindeki "
		    "kurumlara ya da merkeze, kurumlar kendi alt birimlerine ya da merkeze "
		    "gönderebilir.",
		    "You may not send this application to that institution: a governorship "
		    "desk routes within its province or up to the centre, an institution "
		    "down its own tree or back to the centre.");
	return e;
}

static enum bm_err record(struct bm_req *req, const struct bm_dbres *app, const struct route *r)
{
	char now[BM_TIME_ISO_LEN];
	long long id = rt_app_id(app);
	bm_time_to_db(bm_req_now(req), now);
	json_t *d = json_pack("{s:s}", "status", "in_progress");
	if (d && r->rank)
		json_object_set_new(d, "ethics_rank", json_string(r->rank));
	char *data = rt_event_data(req, d);
	const struct bm_event ev = {.application_id = id,
	                            .kind = r->mode == M_HOLDER ? "forwarded" : "routed",
	                            .actor_user_id = req->who.uid,
	                            .actor_institution = req->who.inst,
	                            .from_institution = bm_dbres_get(app, 0, RT_ASSIGNED),
	                            .to_institution = r->code,
	                            .note = r->note,
	                            .data = data,
	                            .request_id = req->req_id,
	                            .at = now};
	enum bm_err e = data ? bm_event_append(req->ctx->db, &ev) : BM_E_NOMEM;
	free(data);
	if (e)
		return e;
	const struct bm_notify_to to = {
	    id, bm_dbres_get(app, 0, RT_NO), bm_dbres_get(app, 0, RT_EMAIL),
	    bm_dbres_get(app, 0, RT_FIRST), bm_dbres_get(app, 0, RT_LAST)};
	return bm_notify_routed(req->ctx, &to, r->target_name, r->note);
}

static enum bm_err route_step(struct bm_req *req, const struct rt_caller *c,
                              const struct bm_dbres *app, void *arg, struct rt_outcome *out)
{
	struct route *r = arg;
	struct bm_dbres *res = NULL;
	bool ok = false;
	enum bm_err e;

	if (!rt_col_is(app, RT_STATUS, "received") && !rt_col_is(app, RT_STATUS, "in_progress"))
		return rt_verdict(out, RT_CLOSED, "APPLICATION_CLOSED",
		                  "Başvuru cevaplanmış ya da kapanmış; yönlendirilemez.",
		                  "The application is answered or closed and cannot be routed.");
	if ((r->mode = mode_of(c, app)) == M_NONE)
		return rt_verdict(
		    out, RT_FORBIDDEN, "NOT_ROUTING_AUTHORITY",
		    "Bu başvuruyu yönlendirme yetkiniz yok: başvuru kurumunuzda değil.",
		    "You may not route this application: your institution does not "
		    "hold it.");
	bm_dbres_free(r->target);
	r->target = NULL;
	struct bm_dbp tp[] = {BM_DB_STR(r->code)};
	if ((e = bm_db_run(req->ctx->db, sql_target, tp, 1, &r->target)))
		return e;
	if (!target_usable(req, app, r) || !ethics_ok(req, app, r))
		return rt_verdict(out, RT_INVALID, NULL, NULL, NULL);
	if ((e = authority_ok(req, c, r, &ok)) || !ok)
		return e ? e : rt_verdict(out, RT_INVALID, NULL, NULL, NULL);
	snprintf(r->target_name, sizeof r->target_name, "%s", bm_dbres_get(r->target, 0, T_NAME));
	const char *held = bm_dbres_get(app, 0, RT_ASSIGNED);
	struct bm_dbp up[] = {BM_DB_STR(r->code), BM_DB_INT(rt_app_id(app)),
	                      held ? BM_DB_STR(held) : BM_DB_NULL()};
	if ((e = bm_db_run(req->ctx->db, sql_route, up, 3, &res)))
		return e;
	bool changed = res->affected == 1;
	bm_dbres_free(res);
	if (!changed)
		return rt_verdict(out, RT_RACE, "APPLICATION_CHANGED",
		                  "Başvuru bu sırada başka bir işlemle değişti; yeniden bakınız.",
		                  "The application was changed meanwhile; look at it again.");
	if ((e = record(req, app, r)))
		return e;
	return rt_verdict(out, RT_OK, NULL, NULL, NULL);
}

void applications_route(struct bm_req *req)
{
	const char *no = bm_req_param(req, "no");
	struct route r = {.code = bm_json_str(req->json, "institution_code"),
	                  .note = bm_json_str(req->json, "note"),
	                  .rank = bm_json_str(req->json, "ethics_rank")};

	if (rt_change_or_reply(req, route_step, &r)) {
		bm_log(BM_LOG_INFO, req->req_id, "application %s %s to %s", no,
		       r.mode == M_HOLDER ? "forwarded" : "routed", r.code);
		bm_reply_json(req, 200,
		              json_pack("{s:s, s:s, s:{s:s, s:s}}", "application_no", no, "status",
		                        "in_progress", "assigned_institution", "code", r.code,
		                        "name", r.target_name),
		              NULL);
	}
	bm_dbres_free(r.target);
}
