// SPDX-License-Identifier: MIT
/*
 * reports: the monthly run of rules.md M1. Once a month has ended the
 * worker builds and stores every report of it — scope all, each province
 * of the provinces table (province:NN, the governorships' reports) and each
 * ministry (institution:CODE) — with libbm's bm_report engine, then mails
 * each coordinator of the centre, of a ministry and of a governorship a
 * link to its report(s); the coordinators of the institution the
 * governorships hang under (the Interior Ministry, ICISLERI) get the
 * governorships' reports too. A stored report never changes afterwards.
 *
 * The run is a claim on the month in monthly_report_runs, so with several
 * workers one builds; a claim whose worker died expires after CLAIM_S and
 * another takes over, building only what is still missing (the unique
 * (month, scope) key keeps the first report of each). Finishing marks the
 * run done and queues the mails in one transaction guarded by
 * finished_at IS NULL: each coordinator is mailed once per month.
 *
 * The month's figures come from its parts (bm_report_parts.c), built once from
 * the record for all its reports. The daemon builds one report per tick and
 * tells the loop more work is waiting, so the outbox keeps being delivered
 * while a month is built.
 *
 * It looks for a month to build at start and then every CHECK_MS: it catches
 * up after being down on the first of the month. BIMER_MONTHLY_REPORTS=0
 * turns the run off in a worker; `bimer-worker --monthly-reports YYYY-MM`
 * builds one finished month at once (operations, and tests, which also
 * may set BIMER_REPORTS_TEST_NOW on a test stack to choose the month).
 *
 * Between runs, every BIMER_REPORT_REFRESH_S the worker stores the current
 * month's parts as its aggregate (report_aggregates), so a report of the month
 * so far is a sum of a few thousand parts instead of a pass over a million
 * applications; the API uses it while it is valid (three periods).
 * `bimer-worker --report-aggregate YYYY-MM` stores one month's aggregate now.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bm_db.h"
#include "bm_log.h"
#include "bm_notify.h"
#include "bm_report.h"
#include "worker.h"

#define CLAIM_S    600   /* a claim's lifetime, renewed with every report */
#define CHECK_MS   60000 /* how often an idle worker looks for a month to build */
#define MAX_SCOPES 256

struct report_run {
	struct bm_report_month month; /* being built (claimed) */
	bool active;
	struct bm_report_source src; /* the month's parts, built once for all its reports */
	struct bm_report_month done; /* the last month known finished (0: none) */
	long long check_at_ms;
	long long refresh_at_ms; /* next refresh of the current month's aggregate */
	char claim[120];         /* host:pid of this worker */
	char (*scopes)[BM_REPORT_SCOPE_LEN];
	size_t nscopes, next;
};

static const char sql_claim_new[] =
    "INSERT INTO monthly_report_runs (month, claimed_by, claimed_until, started_at) "
    "VALUES (?, ?, UTC_TIMESTAMP(3) + INTERVAL ? SECOND, UTC_TIMESTAMP(3))";
static const char sql_claim_take[] =
    "UPDATE monthly_report_runs SET claimed_by = ?, claimed_until = UTC_TIMESTAMP(3) + "
    "INTERVAL ? SECOND WHERE month = ? AND finished_at IS NULL "
    "AND (claimed_by = ? OR claimed_until < UTC_TIMESTAMP(3))";
static const char sql_finished[] =
    "SELECT finished_at IS NOT NULL FROM monthly_report_runs WHERE month = ?";
static const char sql_scopes[] =
    "SELECT 'all' UNION ALL (SELECT CONCAT('province:', code) FROM provinces ORDER BY code) "
    "UNION ALL (SELECT CONCAT('institution:', code) FROM institutions WHERE kind = "
    "'ministry' AND in_scope = 1 ORDER BY code)";
static const char sql_stored[] = "SELECT 1 FROM monthly_reports WHERE month = ? AND scope = ?";
static const char sql_count[] = "SELECT COUNT(*) FROM monthly_reports WHERE month = ?";
static const char sql_finish[] =
    "UPDATE monthly_report_runs SET finished_at = UTC_TIMESTAMP(3), reports = ?, mails = ? "
    "WHERE month = ? AND claimed_by = ? AND finished_at IS NULL";
static const char sql_coordinators[] =
    "SELECT u.email, u.full_name, i.code, i.kind, i.province_code, i.name FROM users u "
    "JOIN user_roles r ON r.user_id = u.id AND r.role = 'coordinator' "
    "JOIN institutions i ON i.code = u.institution_code WHERE u.active = 1 AND i.active = 1 "
    "AND i.kind IN ('centre', 'ministry', 'governorship') ORDER BY u.id";
/* The governorships' reports of the institution they hang under (ICISLERI). */
static const char sql_governorships[] =
    "SELECT g.province_code, p.name FROM institutions g JOIN provinces p "
    "ON p.code = g.province_code WHERE g.kind = 'governorship' AND g.parent_code = ? "
    "ORDER BY g.province_code";
static const char sql_outbox[] =
    "INSERT INTO outbox (kind, application_id, recipient, subject, body_text, body_html) "
    "VALUES ('monthly_report', NULL, ?, ?, ?, ?)";

enum { C_EMAIL, C_NAME, C_CODE, C_KIND, C_PROVINCE, C_INST_NAME };

static struct report_run *run_of(struct worker *w)
{
	if (!w->reports && (w->reports = calloc(1, sizeof *w->reports))) {
		char host[64] = "worker";
		gethostname(host, sizeof host - 1);
		snprintf(w->reports->claim, sizeof w->reports->claim, "%s:%ld", host,
		         (long)getpid());
	}
	return w->reports;
}

void reports_free(struct report_run *r)
{
	if (r) {
		bm_report_source_free(&r->src);
		free(r->scopes);
	}
	free(r);
}

/* "Now" for the monthly run: the clock, or BIMER_REPORTS_TEST_NOW on a test stack. */
static time_t run_now(const struct worker *w)
{
	return w->set.reports_now ? w->set.reports_now : time(NULL);
}

/* ---- claim, scopes, one report ---------------------------------------------------- */

/* Claim month m for this worker; *ours false when another holds it or it is finished. */
static enum bm_err claim(struct worker *w, struct report_run *r, const char *month, bool *ours)
{
	struct bm_dbp ins[] = {BM_DB_STR(month), BM_DB_STR(r->claim), BM_DB_INT(CLAIM_S)};
	struct bm_dbp take[] = {BM_DB_STR(r->claim), BM_DB_INT(CLAIM_S), BM_DB_STR(month),
	                        BM_DB_STR(r->claim)};
	struct bm_dbres *res = NULL;
	enum bm_err e = bm_db_run(w->db, sql_claim_new, ins, 3, NULL);

	*ours = e == BM_OK;
	if (e != BM_E_CONFLICT)
		return e;
	if ((e = bm_db_run(w->db, sql_claim_take, take, 4, &res)))
		return e;
	*ours = res->affected == 1;
	bm_dbres_free(res);
	return BM_OK;
}

static enum bm_err load_scopes(struct worker *w, struct report_run *r)
{
	struct bm_dbres *res = NULL;
	enum bm_err e = bm_db_run(w->db, sql_scopes, NULL, 0, &res);
	if (e)
		return e;
	free(r->scopes);
	r->nscopes = r->next = 0;
	r->scopes = calloc(res->nrows < MAX_SCOPES ? res->nrows : MAX_SCOPES, sizeof *r->scopes);
	for (size_t i = 0; r->scopes && i < res->nrows && i < MAX_SCOPES; i++)
		snprintf(r->scopes[r->nscopes++], BM_REPORT_SCOPE_LEN, "%s",
		         bm_dbres_get(res, i, 0));
	bm_dbres_free(res);
	return r->scopes ? BM_OK : BM_E_NOMEM;
}

/* Build and store the report of one scope unless it is stored already. */
static enum bm_err build_one(struct worker *w, struct report_run *r, const char *scope_s)
{
	struct bm_report_month m = r->month;
	struct bm_report_scope scope;
	char month[8];
	struct bm_dbres *res = NULL;
	json_t *doc = NULL;
	bool inserted;

	bm_report_month_format(m, month);
	if (!bm_report_scope_parse(scope_s, &scope))
		return BM_E_INTERNAL;
	struct bm_dbp p[] = {BM_DB_STR(month), BM_DB_STR(scope_s)};
	enum bm_err e = bm_db_run(w->db, sql_stored, p, 2, &res);
	size_t have = e ? 0 : res->nrows;
	bm_dbres_free(res);
	if (e || have)
		return e;
	if ((e = bm_report_build(&r->src, &scope, m, time(NULL), true, &doc)) == BM_E_NOT_FOUND)
		return BM_OK; /* removed from the tree meanwhile: nothing to report */
	if (!e)
		e = bm_report_store(w->db, &scope, m, doc, &inserted);
	json_decref(doc);
	return e;
}

/* ---- the coordinators' mails --------------------------------------------------------- */

/* One link (label: url) appended to the text and HTML lists. */
static void link_add(struct worker *w, struct bm_report_month m, const char *scope,
                     const char *label, char **text, char **html)
{
	char month[8], url[512], line[1024], esc_label[512], esc_url[1024];
	bm_report_month_format(m, month);
	/* The staff report viewer: it asks the caller to log in, then shows this report. */
	snprintf(url, sizeof url, "%s/personel/rapor.html?ay=%s&kapsam=%s", w->cfg.public_url,
	         month, scope);
	snprintf(line, sizeof line, "- %s: %s\n", label, url);
	size_t tl = *text ? strlen(*text) : 0, hl = *html ? strlen(*html) : 0;
	if (bm_html_escape(label, esc_label, sizeof esc_label) < 0 ||
	    bm_html_escape(url, esc_url, sizeof esc_url) < 0)
		return;
	char *t = realloc(*text, tl + strlen(line) + 1);
	if (t) {
		memcpy(t + tl, line, strlen(line) + 1);
		*text = t;
	}
	size_t need = hl + strlen(esc_label) + 2 * strlen(esc_url) + 64;
	char *h = realloc(*html, need);
	if (h) {
		snprintf(h + hl, need - hl, "<li>%s: <a href=\"%s\">%s</a></li>", esc_label,
		         esc_url, esc_url);
		*html = h;
	}
}

/* The links of one coordinator (row i of coordinators): its own report, and the governorships'. */
static enum bm_err links_of(struct worker *w, struct bm_report_month m, const struct bm_dbres *c,
                            size_t i, char **text, char **html)
{
	const char *kind = bm_dbres_get(c, i, C_KIND), *code = bm_dbres_get(c, i, C_CODE);
	const char *prov = bm_dbres_get(c, i, C_PROVINCE), *name = bm_dbres_get(c, i, C_INST_NAME);
	char scope[BM_REPORT_SCOPE_LEN], label[300];
	struct bm_dbres *g = NULL;

	if (!strcmp(kind, "centre"))
		link_add(w, m, "all", "Tüm kurumlar (Türkiye geneli)", text, html);
	else if (!strcmp(kind, "governorship") && prov) {
		snprintf(scope, sizeof scope, "province:%s", prov);
		link_add(w, m, scope, name, text, html);
		return BM_OK;
	} else {
		snprintf(scope, sizeof scope, "institution:%s", code);
		link_add(w, m, scope, name, text, html);
	}
	struct bm_dbp p[] = {BM_DB_STR(code)};
	enum bm_err e = bm_db_run(w->db, sql_governorships, p, 1, &g);
	for (size_t j = 0; !e && j < g->nrows; j++) {
		snprintf(scope, sizeof scope, "province:%s", bm_dbres_get(g, j, 0));
		snprintf(label, sizeof label, "%s Valiliği (il raporu)", bm_dbres_get(g, j, 1));
		link_add(w, m, scope, label, text, html);
	}
	bm_dbres_free(g);
	return e;
}

/* Queue the mail of coordinator i. */
static enum bm_err mail_one(struct worker *w, struct bm_report_month m, const struct bm_dbres *c,
                            size_t i)
{
	char month[8], tr_month[32], subject[160], hello[300], esc_hello[1800];
	char *links = NULL, *hlinks = NULL, *text = NULL, *html = NULL;
	const char *intro = "ayının BİMER raporu hazırlanmıştır. Rapor ay kapandıktan sonra "
	                    "kayıtlardan oluşturulup saklanmıştır; sonradan gelen kayıtlar onu "
	                    "değiştirmez. Bağlantılar personel hesabınızla oturum açmanızı ister.";
	const char *foot = "BİMER — Başbakanlık İletişim Merkezi\nBu e-posta otomatik olarak "
	                   "gönderilmiştir; lütfen yanıtlamayınız.";
	enum bm_err e = links_of(w, m, c, i, &links, &hlinks);

	bm_report_month_format(m, month);
	static const char *const names[] = {"Ocak",  "Şubat",   "Mart",   "Nisan",
	                                    "Mayıs", "Haziran", "Temmuz", "Ağustos",
	                                    "Eylül", "Ekim",    "Kasım",  "Aralık"};
	snprintf(tr_month, sizeof tr_month, "%s %d", names[m.month - 1], m.year);
	snprintf(subject, sizeof subject, "BİMER aylık raporu: %s", tr_month);
	snprintf(hello, sizeof hello, "Sayın %s,", bm_dbres_get(c, i, C_NAME));
	if (!e && (!links || !hlinks || bm_html_escape(hello, esc_hello, sizeof esc_hello) < 0))
		e = BM_E_NOMEM;
	if (!e && (asprintf(&text, "%s\n\n%s %s\n\n%s\n-- \n%s\n", hello, tr_month, intro, links,
	                    foot) < 0 ||
	           asprintf(&html,
	                    "<!DOCTYPE html><html lang=\"tr\"><head><meta charset=\"utf-8\">"
	                    "<title>BİMER</title></head><body><p>%s</p><p>%s %s</p><ul>%s</ul>"
	                    "<hr><p><small>BİMER — Başbakanlık İletişim Merkezi. Bu e-posta "
	                    "otomatik olarak gönderilmiştir; lütfen yanıtlamayınız.</small></p>"
	                    "</body></html>",
	                    esc_hello, tr_month, intro, hlinks) < 0)) {
		text = html = NULL; /* asprintf leaves them undefined on failure */
		e = BM_E_NOMEM;
	}
	if (!e) {
		struct bm_dbp p[] = {BM_DB_STR(bm_dbres_get(c, i, C_EMAIL)), BM_DB_STR(subject),
		                     BM_DB_STR(text), BM_DB_STR(html)};
		e = bm_db_run(w->db, sql_outbox, p, 4, NULL);
	}
	free(links);
	free(hlinks);
	free(text);
	free(html);
	return e;
}

/* Mark the run finished and queue the mails, once (finished_at IS NULL guards it). */
static enum bm_err finish(struct worker *w, struct report_run *r, long long *mailed)
{
	char month[8];
	struct bm_dbres *c = NULL, *n = NULL, *u = NULL;
	bm_report_month_format(r->month, month);
	struct bm_dbp pm[] = {BM_DB_STR(month)};
	enum bm_err e = bm_db_begin(w->db);

	*mailed = 0;
	if (!e && !(e = bm_db_run(w->db, sql_count, pm, 1, &n)))
		e = bm_db_run(w->db, sql_coordinators, NULL, 0, &c);
	if (!e) {
		struct bm_dbp p[] = {BM_DB_INT(strtoll(bm_dbres_get(n, 0, 0), NULL, 10)),
		                     BM_DB_INT((long long)c->nrows), BM_DB_STR(month),
		                     BM_DB_STR(r->claim)};
		e = bm_db_run(w->db, sql_finish, p, 4, &u);
	}
	if (!e && u->affected != 1)
		e = BM_E_CONFLICT; /* finished by another worker, or our claim was taken */
	for (size_t i = 0; !e && i < c->nrows; i++)
		e = mail_one(w, r->month, c, i);
	if (!e && !(e = bm_db_commit(w->db)))
		*mailed = (long long)c->nrows;
	if (e)
		bm_db_rollback(w->db);
	bm_dbres_free(c);
	bm_dbres_free(n);
	bm_dbres_free(u);
	return e;
}

/* ---- the run ------------------------------------------------------------------------ */

static enum bm_err is_finished(struct worker *w, const char *month, bool *done)
{
	struct bm_dbres *res = NULL;
	struct bm_dbp p[] = {BM_DB_STR(month)};
	enum bm_err e = bm_db_run(w->db, sql_finished, p, 1, &res);
	*done = !e && res->nrows == 1 && !strcmp(bm_dbres_get(res, 0, 0), "1");
	bm_dbres_free(res);
	return e;
}

/* Start (or take over) the run of month m. *started false when there is nothing to do. */
static enum bm_err begin(struct worker *w, struct report_run *r, struct bm_report_month m,
                         bool *started)
{
	char month[8];
	bool done, ours;
	enum bm_err e;

	*started = false;
	bm_report_month_format(m, month);
	if ((e = is_finished(w, month, &done)) || done) {
		if (!e)
			r->done = m;
		return e;
	}
	if ((e = claim(w, r, month, &ours)) || !ours)
		return e;
	if ((e = load_scopes(w, r)))
		return e;
	/* from the record as it is now, never from an aggregate made before the month ended */
	bm_report_source_free(&r->src);
	bm_report_source_init(&r->src, w->db, &w->cfg, false);
	r->month = m;
	r->active = *started = true;
	bm_log(BM_LOG_INFO, NULL, "monthly reports of %s: building %zu reports", month, r->nscopes);
	return BM_OK;
}

/* One step of an active run: the next report, or the finish. True while reports remain. */
static bool step(struct worker *w, struct report_run *r)
{
	char month[8];
	bool ours;
	enum bm_err e;

	bm_report_month_format(r->month, month);
	if (r->next < r->nscopes) {
		if ((e = claim(w, r, month, &ours)) || !ours ||
		    (e = build_one(w, r, r->scopes[r->next]))) {
			bm_log(BM_LOG_WARN, NULL, "monthly report %s %s: %s, retried later", month,
			       r->scopes[r->next], e ? bm_err_code(e) : "claim lost");
			r->active = false;
			bm_report_source_free(&r->src);
			return false;
		}
		r->next++;
		return true;
	}
	long long mailed = 0;
	r->active = false;
	bm_report_source_free(&r->src);
	if ((e = finish(w, r, &mailed))) {
		bm_log(BM_LOG_WARN, NULL, "monthly reports of %s: finishing failed (%s)", month,
		       bm_err_code(e));
		return false;
	}
	r->done = r->month;
	bm_log(BM_LOG_INFO, NULL, "monthly reports of %s: done, %lld coordinators mailed", month,
	       mailed);
	return false;
}

/* ---- the current month's aggregate ------------------------------------------------------ */

static const char sql_fresh[] = "SELECT 1 FROM report_aggregates WHERE month = ? "
                                "AND computed_at > UTC_TIMESTAMP(3) - INTERVAL ? SECOND";

/* Build the parts of m now and store them as its aggregate, valid for three refresh periods. */
static enum bm_err aggregate(struct worker *w, struct bm_report_month m)
{
	struct bm_report_parts *p = NULL;
	long period = w->set.report_refresh_s ? w->set.report_refresh_s : 300;
	time_t t0 = time(NULL);
	enum bm_err e = bm_report_parts_build(w->db, &w->cfg, m, t0, &p);
	if (!e)
		e = bm_report_parts_store(w->db, p, t0 + 3 * period);
	bm_report_parts_free(p);
	return e;
}

/*
 * Every refresh_s, the parts of the current month, stored as its aggregate valid for three
 * periods (a worker that stops leaves none behind for long). A month another worker
 * refreshed within half a period is left alone; a stored month needs none.
 */
static void refresh(struct worker *w, struct report_run *r)
{
	long long now_ms = worker_mono_ms();
	struct bm_report_month m = bm_report_month_of(run_now(w));
	struct bm_dbres *res = NULL;
	char month[8];
	json_t *stored = NULL;
	const struct bm_report_scope all = {.kind = BM_REPORT_ALL};

	if (!w->set.report_refresh_s || now_ms < r->refresh_at_ms)
		return;
	r->refresh_at_ms = now_ms + w->set.report_refresh_s * 1000;
	bm_report_month_format(m, month);
	struct bm_dbp q[] = {BM_DB_STR(month), BM_DB_INT(w->set.report_refresh_s / 2)};
	enum bm_err e = bm_db_run(w->db, sql_fresh, q, 2, &res);
	if (e || res->nrows || (e = bm_report_load(w->db, &all, m, &stored)) || stored)
		goto out;
	time_t t0 = time(NULL);
	if (!(e = aggregate(w, m)))
		bm_log(BM_LOG_DEBUG, NULL, "report aggregate of %s refreshed in %lld s", month,
		       (long long)(time(NULL) - t0));
out:
	if (e)
		bm_log(BM_LOG_WARN, NULL, "report aggregate of %s: %s, retried later", month,
		       bm_err_code(e));
	json_decref(stored);
	bm_dbres_free(res);
}

bool reports_run(struct worker *w)
{
	struct report_run *r = run_of(w);
	long long now_ms = worker_mono_ms();
	bool started;

	if (!r)
		return false;
	if (r->active)
		return step(w, r);
	refresh(w, r);
	if (!w->set.monthly_reports)
		return false;
	if (now_ms < r->check_at_ms)
		return false;
	r->check_at_ms = now_ms + CHECK_MS;
	struct bm_report_month m = bm_report_month_prev(bm_report_month_of(run_now(w)));
	if (!bm_report_month_cmp(m, r->done))
		return false;
	if (begin(w, r, m, &started) || !started)
		return false;
	return step(w, r);
}

int reports_once(struct worker *w, const char *month_s)
{
	struct report_run *r = run_of(w);
	struct bm_report_month m;
	bool started;

	if (!bm_report_month_parse(month_s, &m) ||
	    bm_report_month_cmp(m, bm_report_month_of(run_now(w))) >= 0) {
		fprintf(stderr, "bimer-worker: --monthly-reports wants a finished month, YYYY-MM "
		                "before the current one\n");
		return 2;
	}
	if (!r || begin(w, r, m, &started)) {
		fprintf(stderr, "bimer-worker: the database cannot be reached\n");
		return 1;
	}
	if (!started) {
		bool done = !bm_report_month_cmp(r->done, m);
		fprintf(stderr, "bimer-worker: the reports of %s %s\n", month_s,
		        done ? "are already built" : "are being built by another worker");
		return done ? 0 : 1;
	}
	while (step(w, r) && !worker_stop_requested(w))
		;
	if (bm_report_month_cmp(r->done, m)) {
		fprintf(stderr, "bimer-worker: the reports of %s are not finished (see the log)\n",
		        month_s);
		return 1;
	}
	printf("monthly reports of %s built\n", month_s);
	return 0;
}

int reports_aggregate_once(struct worker *w, const char *month_s)
{
	struct bm_report_month m;
	time_t t0 = time(NULL);

	if (!bm_report_month_parse(month_s, &m) ||
	    bm_report_month_cmp(m, bm_report_month_of(run_now(w))) > 0) {
		fprintf(stderr, "bimer-worker: --report-aggregate wants a month, YYYY-MM, that has "
		                "begun\n");
		return 2;
	}
	enum bm_err e = aggregate(w, m);
	if (e) {
		fprintf(stderr, "bimer-worker: the aggregate of %s failed (%s)\n", month_s,
		        bm_err_code(e));
		return 1;
	}
	printf("report aggregate of %s stored in %lld s\n", month_s, (long long)(time(NULL) - t0));
	return 0;
}
