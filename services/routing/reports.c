// SPDX-License-Identifier: MIT
/*
 * GET /api/v1/reports/monthly: the monthly report of rules.md M1 as JSON,
 * CSV or a printable HTML page (the engine and the formats are libbm's
 * bm_report, shared with the worker that stores every finished month).
 *
 * Who may read which scope:
 *   - the centre (an institution of kind centre) with the operator, admin
 *     or coordinator role: every scope; by default `all`;
 *   - any other coordinator: institution:CODE for its own institution or one
 *     below it; province:NN when the governorship of NN is below it (the
 *     Interior Ministry receives the governorships' reports, M1); by default
 *     its own institution;
 *   - a governorship's coordinator besides: province:NN of its province and
 *     every institution of that province; by default province:NN.
 * A scope outside that reach answers 404 exactly as a scope that does not
 * exist; a caller with none of those roles 403. A month with a stored
 * report answers it (`stored: true`, its generated_at); any other month is
 * summed from the worker's fresh aggregate of it (the current month, a few
 * minutes old at most), else computed when asked. The month defaults to the
 * previous one, may be the current one (so far) and never a later one
 * (422 MONTH_IN_FUTURE).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_db.h"
#include "bm_report.h"
#include "bm_req.h"
#include "bm_validators.h"
#include "handlers.h"
#include "reach.h"

static const char *const formats[] = {"json", "csv", "html", NULL};

const struct bm_field report_query[] = {
    {.name = "month",
     .type = BM_FT_STRING,
     .min = 7,
     .max = 7,
     .pattern = "[0-9]{4}-(0[1-9]|1[0-2])"},
    {.name = "scope",
     .type = BM_FT_STRING,
     .min = 3,
     .max = 76,
     .pattern = "all|province:(" BM_PROVINCE_PATTERN ")|institution:" BM_INSTITUTION_PATTERN},
    {.name = "format", .type = BM_FT_STRING, .min = 3, .max = 4, .enumv = formats},
    {0}};

#define SUBTREE                                                                                    \
	"WITH RECURSIVE sub (code) AS (SELECT code FROM institutions WHERE code = ? "              \
	"UNION SELECT i.code FROM institutions i JOIN sub ON i.parent_code = sub.code) "

/* institution:CODE — below the caller, or (a governorship's coordinator) in its province. */
static const char sql_reach_institution[] =
    SUBTREE "SELECT 1 FROM institutions t WHERE t.code = ? AND (t.code IN (SELECT code FROM sub) "
            "OR (? IS NOT NULL AND t.province_code = ?))";
/* province:NN — the caller's own, or the governorship of NN is below the caller. */
static const char sql_reach_province[] =
    SUBTREE "SELECT 1 FROM institutions g WHERE g.kind = 'governorship' AND g.province_code = ? "
            "AND (g.code IN (SELECT code FROM sub) OR g.province_code <=> ?)";

/* What the caller may ask for. */
struct report_reach {
	bool all;             /* the centre: every scope */
	const char *inst;     /* the coordinator's institution: its subtree */
	const char *province; /* a governorship coordinator's province, NULL otherwise */
};

static void reply_not_found(struct bm_req *req)
{
	rt_reply_domain(req, BM_E_NOT_FOUND, "REPORT_NOT_FOUND",
	                "Bu kapsamda erişebileceğiniz bir rapor yok.",
	                "There is no report for this scope within your reach.");
}

/* The reach of the caller; false when it has no reporting role (403). */
static bool reach_of(const struct rt_caller *c, struct report_reach *r)
{
	unsigned roles = c->who->roles;
	bool centre = !strcmp(c->kind, "centre");

	*r = (struct report_reach){0};
	if (centre && (roles & (BM_ROLE_OPERATOR | BM_ROLE_ADMIN | BM_ROLE_COORDINATOR))) {
		r->all = true;
		return true;
	}
	if (!(roles & BM_ROLE_COORDINATOR))
		return false;
	r->inst = c->who->inst;
	if (!strcmp(c->kind, "governorship") && c->province[0])
		r->province = c->province;
	return true;
}

static void natural_scope(const struct report_reach *r, struct bm_report_scope *s)
{
	memset(s, 0, sizeof *s);
	if (r->all) {
		s->kind = BM_REPORT_ALL;
	} else if (r->province) {
		s->kind = BM_REPORT_PROVINCE;
		snprintf(s->code, sizeof s->code, "%s", r->province);
	} else {
		s->kind = BM_REPORT_INSTITUTION;
		snprintf(s->code, sizeof s->code, "%s", r->inst);
	}
}

/* Whether scope s is within reach r. */
static enum bm_err in_reach(struct bm_req *req, const struct report_reach *r,
                            const struct bm_report_scope *s, bool *ok)
{
	struct bm_dbres *res = NULL;
	enum bm_err e = BM_OK;
	struct bm_dbp p[4] = {BM_DB_STR(r->all ? "" : r->inst), BM_DB_STR(s->code)};
	p[2] = p[3] = r->province ? BM_DB_STR(r->province) : BM_DB_NULL();

	*ok = r->all;
	if (r->all || s->kind == BM_REPORT_ALL)
		return BM_OK;
	if (s->kind == BM_REPORT_INSTITUTION)
		e = bm_db_run(req->ctx->db, sql_reach_institution, p, 4, &res);
	else
		e = bm_db_run(req->ctx->db, sql_reach_province, p + 0, 3, &res);
	if (!e)
		*ok = res->nrows > 0;
	bm_dbres_free(res);
	return e;
}

/* The month asked for, or the previous one; false (422 answered later) when in the future. */
static bool month_of(struct bm_req *req, struct bm_report_month *m)
{
	const char *s = bm_json_str(req->qs, "month");
	struct bm_report_month now = bm_report_month_of(bm_req_now(req));

	if (!s) {
		*m = bm_report_month_prev(now);
		return true;
	}
	if (!bm_report_month_parse(s, m)) {
		rt_field_error(req, "month", "INVALID_FORMAT", "Ay YYYY-AA biçiminde olmalıdır.",
		               "The month must be YYYY-MM.");
		return false;
	}
	if (bm_report_month_cmp(*m, now) > 0) {
		rt_field_error(req, "month", "MONTH_IN_FUTURE",
		               "Henüz başlamamış bir ayın raporu olmaz.",
		               "There is no report for a month that has not begun.");
		return false;
	}
	return true;
}

static void reply_doc(struct bm_req *req, const json_t *doc, const char *format)
{
	size_t len = 0;
	char *text, headers[200];

	if (!strcmp(format, "csv")) {
		text = bm_report_csv(doc, &len);
		const char *scope = json_string_value(json_object_get(doc, "scope"));
		char name[96];
		snprintf(name, sizeof name, "%s", scope ? scope : "rapor");
		for (char *p = name; *p; p++)
			if (*p == ':')
				*p = '-';
		const char *month = json_string_value(json_object_get(doc, "month"));
		snprintf(headers, sizeof headers,
		         "Content-Disposition: attachment; filename=\"bimer-%s-%s.csv\"\r\n",
		         month ? month : "ay", name);
		if (text)
			bm_reply_raw(req, 200, "text/csv; charset=utf-8; header=present", headers,
			             text, len);
	} else if (!strcmp(format, "html")) {
		text = bm_report_html(doc, &len);
		if (text)
			bm_reply_raw(req, 200, "text/html; charset=utf-8", NULL, text, len);
	} else {
		text = bm_report_json(doc, &len);
		if (text)
			bm_reply_raw(req, 200, "application/json", NULL, text, len);
	}
	if (!text)
		bm_reply_error(req, BM_E_NOMEM);
	free(text);
}

void reports_monthly(struct bm_req *req)
{
	const char *scope_s = bm_json_str(req->qs, "scope");
	const char *format = bm_json_str(req->qs, "format");
	struct bm_report_scope scope;
	struct bm_report_month month;
	struct report_reach r;
	struct rt_caller c;
	json_t *doc = NULL;
	bool ok;
	enum bm_err e;

	if (!month_of(req, &month)) {
		bm_reply_error(req, BM_E_VALIDATION);
		return;
	}
	if ((e = rt_caller_load(req, &c))) {
		bm_reply_error(req, e);
		return;
	}
	if (!reach_of(&c, &r)) {
		rt_reply_domain(
		    req, BM_E_FORBIDDEN, "REPORT_FORBIDDEN",
		    "Aylık raporları merkez, bakanlık ve valilik koordinatörleri görür.",
		    "Monthly reports are for the centre and for coordinators.");
		return;
	}
	if (!scope_s)
		natural_scope(&r, &scope);
	else if (!bm_report_scope_parse(scope_s, &scope))
		e = BM_E_NOT_FOUND; /* the field table let it through: cannot happen */
	if (!e && !(e = in_reach(req, &r, &scope, &ok)) && !ok)
		e = BM_E_NOT_FOUND;
	if (!e)
		e = bm_report_get(req->ctx->db, req->ctx->cfg, &scope, month, bm_req_now(req),
		                  &doc);
	if (e == BM_E_NOT_FOUND)
		reply_not_found(req);
	else if (e)
		bm_reply_error(req, e);
	else
		reply_doc(req, doc, format ? format : "json");
	json_decref(doc);
}
