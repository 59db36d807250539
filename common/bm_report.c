// SPDX-License-Identifier: MIT
/*
 * bm_report: months, scopes and the report documents (see bm_report.h for
 * the definitions). A document's figures are summed from a month's parts
 * (bm_report_parts.c): the worker's aggregate of the month while it is
 * fresh, else parts built from the record when asked; a finished month's
 * stored report, once there is one, is answered as it is.
 */
#include "bm_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_db.h"
#include "bm_report_int.h"
#include "bm_time.h"

#define ISTANBUL_OFFSET_S (3 * 3600)

/* ---- months and scopes ---------------------------------------------------- */

bool bm_report_month_parse(const char *s, struct bm_report_month *out)
{
	if (!s || strlen(s) != 7 || s[4] != '-')
		return false;
	for (int i = 0; i < 7; i++)
		if (i != 4 && (s[i] < '0' || s[i] > '9'))
			return false;
	int y = atoi(s), m = atoi(s + 5);
	if (y < 2000 || m < 1 || m > 12)
		return false;
	*out = (struct bm_report_month){y, m};
	return true;
}

void bm_report_month_format(struct bm_report_month m, char out[8])
{
	snprintf(out, 8, "%04u-%02u", (unsigned)m.year % 10000u, (unsigned)m.month % 100u);
}

struct bm_report_month bm_report_month_of(time_t t)
{
	time_t local = t + ISTANBUL_OFFSET_S;
	struct tm tm;
	gmtime_r(&local, &tm);
	return (struct bm_report_month){tm.tm_year + 1900, tm.tm_mon + 1};
}

struct bm_report_month bm_report_month_prev(struct bm_report_month m)
{
	return m.month == 1 ? (struct bm_report_month){m.year - 1, 12}
	                    : (struct bm_report_month){m.year, m.month - 1};
}

int bm_report_month_cmp(struct bm_report_month a, struct bm_report_month b)
{
	return a.year != b.year ? a.year - b.year : a.month - b.month;
}

time_t bm_report_month_start(struct bm_report_month m)
{
	struct tm tm = {.tm_year = m.year - 1900, .tm_mon = m.month - 1, .tm_mday = 1};
	return timegm(&tm) - ISTANBUL_OFFSET_S;
}

static struct bm_report_month month_next(struct bm_report_month m)
{
	return m.month == 12 ? (struct bm_report_month){m.year + 1, 1}
	                     : (struct bm_report_month){m.year, m.month + 1};
}

static bool code_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > BM_REPORT_CODE_LEN || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		          (c == '-' && s[i + 1] != '-');
		if (!ok)
			return false;
	}
	return true;
}

bool bm_report_scope_parse(const char *s, struct bm_report_scope *out)
{
	memset(out, 0, sizeof *out);
	if (!s)
		return false;
	if (!strcmp(s, "all")) {
		out->kind = BM_REPORT_ALL;
		return true;
	}
	if (!strncmp(s, "province:", 9)) {
		const char *p = s + 9;
		if (strlen(p) != 2 || p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
			return false;
		out->kind = BM_REPORT_PROVINCE;
		memcpy(out->code, p, 3);
		return true;
	}
	if (!strncmp(s, "institution:", 12) && code_ok(s + 12)) {
		out->kind = BM_REPORT_INSTITUTION;
		snprintf(out->code, sizeof out->code, "%s", s + 12);
		return true;
	}
	return false;
}

void bm_report_scope_format(const struct bm_report_scope *s, char out[BM_REPORT_SCOPE_LEN])
{
	if (s->kind == BM_REPORT_ALL)
		snprintf(out, BM_REPORT_SCOPE_LEN, "all");
	else
		snprintf(out, BM_REPORT_SCOPE_LEN, "%s:%s",
		         s->kind == BM_REPORT_PROVINCE ? "province" : "institution", s->code);
}

static const char sql_province_name[] = "SELECT name FROM provinces WHERE code = ?";
static const char sql_institution_name[] =
    "SELECT name FROM institutions WHERE code = ? AND in_scope = 1";

enum bm_err bm_report_scope_name(struct bm_db *db, const struct bm_report_scope *s, char *name,
                                 size_t cap, bool *exists)
{
	struct bm_dbp p[] = {BM_DB_STR(s->code)};
	struct bm_dbres *res = NULL;

	*exists = s->kind == BM_REPORT_ALL;
	if (*exists) {
		snprintf(name, cap, "Tüm kurumlar (Türkiye geneli)");
		return BM_OK;
	}
	enum bm_err e =
	    bm_db_run(db, s->kind == BM_REPORT_PROVINCE ? sql_province_name : sql_institution_name,
	              p, 1, &res);
	if (e)
		return e;
	*exists = res->nrows == 1 && bm_dbres_get(res, 0, 0);
	snprintf(name, cap, "%s", *exists ? bm_dbres_get(res, 0, 0) : "");
	bm_dbres_free(res);
	return BM_OK;
}

/* ---- documents: build, store, load ------------------------------------------------- */

static json_t *iso(time_t t)
{
	char db[BM_TIME_ISO_LEN], out[BM_TIME_ISO_LEN];
	bm_time_to_db(t, db);
	return bm_time_db_to_iso(db, out) ? json_string(out) : NULL;
}

void bm_report_source_init(struct bm_report_source *src, struct bm_db *db, const struct bm_cfg *cfg,
                           bool aggregates)
{
	*src = (struct bm_report_source){.db = db, .cfg = cfg, .aggregates = aggregates};
}

void bm_report_source_free(struct bm_report_source *src)
{
	for (size_t i = 0; i < BM_REPORT_SOURCE_MONTHS; i++)
		bm_report_parts_free(src->parts[i]);
	memset(src->parts, 0, sizeof src->parts);
}

/* The parts of month m: kept in src, else the worker's fresh aggregate, else built now. */
static enum bm_err parts_of(struct bm_report_source *src, struct bm_report_month m, time_t now,
                            const struct bm_report_parts **out)
{
	size_t free_slot = BM_REPORT_SOURCE_MONTHS;
	for (size_t i = 0; i < BM_REPORT_SOURCE_MONTHS; i++) {
		if (src->parts[i] && !bm_report_month_cmp(src->months[i], m)) {
			*out = src->parts[i];
			return BM_OK;
		}
		if (!src->parts[i] && free_slot == BM_REPORT_SOURCE_MONTHS)
			free_slot = i;
	}
	if (free_slot == BM_REPORT_SOURCE_MONTHS) { /* full: forget the oldest */
		bm_report_parts_free(src->parts[0]);
		memmove(src->parts, src->parts + 1, sizeof src->parts[0] * (free_slot - 1));
		memmove(src->months, src->months + 1, sizeof src->months[0] * (free_slot - 1));
		src->parts[--free_slot] = NULL;
	}
	struct bm_report_parts *p = NULL;
	enum bm_err e = src->aggregates ? bm_report_parts_load(src->db, m, now, &p) : BM_OK;
	if (!e && !p)
		e = bm_report_parts_build(src->db, src->cfg, m, now, &p);
	if (e)
		return e;
	src->parts[free_slot] = p;
	src->months[free_slot] = m;
	*out = p;
	return BM_OK;
}

enum bm_err bm_report_figures(struct bm_report_source *src, const struct bm_report_scope *s,
                              struct bm_report_month m, time_t now, json_t **out, time_t *at)
{
	const struct bm_report_parts *p = NULL;
	struct rp_acc sum;
	enum bm_err e;

	*out = NULL;
	if ((e = parts_of(src, m, now, &p)) || (e = bm_report_parts_sum(src->db, p, s, &sum)))
		return e;
	*out = rp_acc_figures(&sum);
	rp_acc_free(&sum);
	if (at)
		*at = bm_report_parts_time(p);
	return *out ? BM_OK : BM_E_NOMEM;
}

/* The previous month's part: its stored figures when it was stored, else summed. */
static enum bm_err previous(struct bm_report_source *src, const struct bm_report_scope *s,
                            struct bm_report_month m, time_t now, json_t **out)
{
	struct bm_report_month pm = bm_report_month_prev(m);
	json_t *stored = NULL, *figures = NULL;
	char month[8];
	enum bm_err e = bm_report_load(src->db, s, pm, &stored);

	if (e)
		return e;
	if (stored)
		figures = json_incref(json_object_get(stored, "figures"));
	if (!figures && (e = bm_report_figures(src, s, pm, now, &figures, NULL)))
		goto out;
	bm_report_month_format(pm, month);
	*out = json_pack("{s:s, s:b, s:O}", "month", month, "stored", figures && stored, "figures",
	                 figures);
	e = *out ? BM_OK : BM_E_NOMEM;
out:
	json_decref(figures);
	json_decref(stored);
	return e;
}

enum bm_err bm_report_build(struct bm_report_source *src, const struct bm_report_scope *s,
                            struct bm_report_month m, time_t now, bool stored, json_t **out)
{
	char month[8], scope[BM_REPORT_SCOPE_LEN], name[256];
	json_t *figures = NULL, *prev = NULL;
	time_t at = now;
	bool exists;
	enum bm_err e;

	*out = NULL;
	if ((e = bm_report_scope_name(src->db, s, name, sizeof name, &exists)))
		return e;
	if (!exists)
		return BM_E_NOT_FOUND;
	if ((e = bm_report_figures(src, s, m, now, &figures, &at)) ||
	    (e = previous(src, s, m, now, &prev)))
		goto out;
	bm_report_month_format(m, month);
	bm_report_scope_format(s, scope);
	*out =
	    json_pack("{s:s, s:s, s:s, s:{s:o, s:o}, s:o, s:b, s:O, s:O}", "month", month, "scope",
	              scope, "scope_name", name, "period", "from", iso(bm_report_month_start(m)),
	              "to", iso(bm_report_month_start(month_next(m))), "generated_at", iso(at),
	              "stored", stored, "figures", figures, "previous_month", prev);
	e = *out ? BM_OK : BM_E_NOMEM;
out:
	json_decref(figures);
	json_decref(prev);
	return e;
}

static const char sql_load[] = "SELECT report FROM monthly_reports WHERE month = ? AND scope = ?";
static const char sql_store[] =
    "INSERT INTO monthly_reports (month, scope, generated_at, report) VALUES (?, ?, ?, ?)";

enum bm_err bm_report_load(struct bm_db *db, const struct bm_report_scope *s,
                           struct bm_report_month m, json_t **out)
{
	char month[8], scope[BM_REPORT_SCOPE_LEN];
	struct bm_dbres *r = NULL;

	*out = NULL;
	bm_report_month_format(m, month);
	bm_report_scope_format(s, scope);
	struct bm_dbp p[] = {BM_DB_STR(month), BM_DB_STR(scope)};
	enum bm_err e = bm_db_run(db, sql_load, p, 2, &r);
	if (e)
		return e;
	const char *text = bm_dbres_get(r, 0, 0);
	if (text) {
		*out = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
		if (!json_is_object(*out)) {
			json_decref(*out);
			*out = NULL;
			e = BM_E_INTERNAL;
		}
	}
	bm_dbres_free(r);
	return e;
}

enum bm_err bm_report_store(struct bm_db *db, const struct bm_report_scope *s,
                            struct bm_report_month m, const json_t *doc, bool *inserted)
{
	char month[8], scope[BM_REPORT_SCOPE_LEN], at[BM_TIME_ISO_LEN];
	const char *gen = json_string_value(json_object_get(doc, "generated_at"));
	struct tm tm = {0};
	size_t len;

	*inserted = false;
	if (!gen || !strptime(gen, "%Y-%m-%dT%H:%M:%S", &tm))
		return BM_E_INTERNAL;
	bm_time_to_db(timegm(&tm) - ISTANBUL_OFFSET_S, at);
	char *text = bm_report_json(doc, &len);
	if (!text)
		return BM_E_NOMEM;
	bm_report_month_format(m, month);
	bm_report_scope_format(s, scope);
	struct bm_dbp p[] = {BM_DB_STR(month), BM_DB_STR(scope), BM_DB_STR(at),
	                     BM_DB_STRN(text, len)};
	enum bm_err e = bm_db_run(db, sql_store, p, 4, NULL);
	free(text);
	if (e == BM_E_CONFLICT) /* stored before us: that one stays */
		return BM_OK;
	*inserted = e == BM_OK;
	return e;
}

enum bm_err bm_report_get(struct bm_db *db, const struct bm_cfg *cfg,
                          const struct bm_report_scope *s, struct bm_report_month m, time_t now,
                          json_t **out)
{
	struct bm_report_source src;
	enum bm_err e = bm_report_load(db, s, m, out);
	if (e || *out)
		return e;
	bm_report_source_init(&src, db, cfg, true);
	e = bm_report_build(&src, s, m, now, false, out);
	bm_report_source_free(&src);
	return e;
}

char *bm_report_json(const json_t *doc, size_t *len)
{
	/* 15 significant digits: a mean of 12.34 is written "12.34", not 12.339999999999999. */
	char *text = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(15));
	if (text && len)
		*len = strlen(text);
	return text;
}
