// SPDX-License-Identifier: MIT
/*
 * bm_report_parts: a month's figures split by where each application
 * belongs — its holding institution and its province (its own
 * province_code, else the holder's) — as additive accumulators
 * (bm_report_acc.c). Every scope is a union of parts: all of them, those of
 * one province, or those whose holder lies in an institution's subtree. So a
 * month is read once, one streamed pass per section over its covering index
 * (migration 0014), and any number of reports are summed from the parts: the
 * monthly run's hundred reports, and every request served from the worker's
 * aggregate of the current month (report_aggregates, migration 0015), which
 * is these parts stored as JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_db.h"
#include "bm_report.h"
#include "bm_report_int.h"
#include "bm_time.h"

struct rp_part {
	char holder[BM_REPORT_CODE_LEN + 1]; /* "" when none holds it */
	char province[3];                    /* "" when it has none */
	struct rp_acc acc;
};

struct bm_report_parts {
	struct bm_report_month month;
	time_t computed_at;
	struct rp_part *v;
	size_t n, cap;
	size_t *slot; /* open addressing over v: index + 1, 0 = empty */
	size_t nslot;
};

/* The province of each institution, for applications without one of their own. */
struct holder_map {
	struct bm_dbres *res; /* code, province_code; ordered by code */
	const char *last_code, *last_prov;
};

/* ---- the parts' table -------------------------------------------------------------------- */

static size_t hash_key(const char *holder, const char *province)
{
	size_t h = 1469598103934665603ull;
	for (const char *p = holder; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	h = (h ^ '|') * 1099511628211ull;
	for (const char *p = province; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	return h;
}

static bool rehash(struct bm_report_parts *p)
{
	size_t n = p->nslot ? 2 * p->nslot : 256;
	size_t *slot = calloc(n, sizeof *slot);
	if (!slot)
		return false;
	for (size_t i = 0; i < p->n; i++) {
		size_t h = hash_key(p->v[i].holder, p->v[i].province) & (n - 1);
		while (slot[h])
			h = (h + 1) & (n - 1);
		slot[h] = i + 1;
	}
	free(p->slot);
	p->slot = slot;
	p->nslot = n;
	return true;
}

/* The part of (holder, province), made when new; NULL on OOM or an over-long code. */
static struct rp_acc *part_of(struct bm_report_parts *p, const char *holder, const char *province)
{
	holder = holder ? holder : "";
	province = province ? province : "";
	if (strlen(holder) > BM_REPORT_CODE_LEN || strlen(province) > 2)
		return NULL;
	if (2 * (p->n + 1) > p->nslot && !rehash(p))
		return NULL;
	size_t h = hash_key(holder, province) & (p->nslot - 1);
	for (; p->slot[h]; h = (h + 1) & (p->nslot - 1)) {
		struct rp_part *x = &p->v[p->slot[h] - 1];
		if (!strcmp(x->holder, holder) && !strcmp(x->province, province))
			return &x->acc;
	}
	if (p->n == p->cap) {
		size_t c = p->cap ? 2 * p->cap : 64;
		struct rp_part *v = realloc(p->v, c * sizeof *v);
		if (!v)
			return NULL;
		p->v = v;
		p->cap = c;
	}
	struct rp_part *x = &p->v[p->n];
	memset(x, 0, sizeof *x);
	snprintf(x->holder, sizeof x->holder, "%s", holder);
	snprintf(x->province, sizeof x->province, "%s", province);
	p->slot[h] = ++p->n;
	return &x->acc;
}

void bm_report_parts_free(struct bm_report_parts *p)
{
	for (size_t i = 0; p && i < p->n; i++)
		rp_acc_free(&p->v[i].acc);
	if (p) {
		free(p->v);
		free(p->slot);
	}
	free(p);
}

time_t bm_report_parts_time(const struct bm_report_parts *p)
{
	return p->computed_at;
}

/*
 * ---- building: one streamed pass per section ---------------------------------------------
 * Rows come one per application (or event, or appeal), never grouped by the server: a
 * GROUP BY over a million rows needs a temporary table (seconds, and on disk beyond
 * tmp_table_size), while a covering index range read row by row is the cheapest pass
 * there is, and the grouping happens here, in the parts' hash table.
 */

#define RANGE(col) col " >= ? AND " col " < ?"
static const char sql_holders[] =
    "SELECT code, province_code FROM institutions ORDER BY code COLLATE utf8mb4_bin";
static const char sql_received[] =
    "SELECT a.assigned_institution_code, a.province_code, a.type, a.category, a.channel, "
    "a.topic, a.status FROM applications a WHERE " RANGE("a.received_at");
static const char sql_answered[] =
    "SELECT a.assigned_institution_code, a.province_code, a.status, a.outcome, a.reason_code, "
    "GREATEST(0, DATEDIFF(a.answered_at + INTERVAL 3 HOUR, a.received_at + INTERVAL 3 HOUR)), "
    "a.due_at IS NOT NULL AND a.answered_at > a.due_at FROM applications a WHERE " RANGE(
        "a.answered_at") " AND a.status IN ('answered', 'not_processed') "
                         "AND a.received_at IS NOT NULL";
static const char sql_overdue[] =
    "SELECT a.assigned_institution_code, a.province_code FROM applications a "
    "WHERE " RANGE("a.due_at") " AND (a.closed_at IS NULL OR a.closed_at > a.due_at)";
static const char sql_deemed[] =
    "SELECT a.assigned_institution_code, a.province_code FROM application_events e "
    "JOIN applications a ON a.id = e.application_id WHERE e.kind = 'deemed_rejected' "
    "AND " RANGE("e.at");
static const char sql_filed[] =
    "SELECT a.assigned_institution_code, a.province_code FROM appeals p "
    "JOIN applications a ON a.id = p.application_id WHERE " RANGE("p.filed_at");
static const char sql_decided[] =
    "SELECT a.assigned_institution_code, a.province_code, p.decision FROM appeals p "
    "JOIN applications a ON a.id = p.application_id WHERE " RANGE(
        "p.decided_at") " AND p.decision IS NOT NULL";

struct build {
	struct bm_report_parts *parts;
	struct holder_map holders;
};

static int code_cmp(const void *key, const void *row)
{
	return strcmp(key, *(const char *const *)row);
}

/* The province of holder (NULL when none or unknown); holders come in runs, so remember one. */
static const char *holder_province(struct holder_map *m, const char *holder)
{
	if (!holder)
		return NULL;
	if (m->last_code && !strcmp(m->last_code, holder))
		return m->last_prov;
	char **row = m->res->nrows ? bsearch(holder, m->res->cells, m->res->nrows,
	                                     2 * sizeof *m->res->cells, code_cmp)
	                           : NULL;
	m->last_code = row ? row[0] : NULL;
	m->last_prov = row ? row[1] : NULL;
	return m->last_prov;
}

/* The part of the row's application: cells[0] the holder, cells[1] its own province. */
static struct rp_acc *row_part(struct build *b, const char *const *cells)
{
	const char *province = cells[1] ? cells[1] : holder_province(&b->holders, cells[0]);
	return part_of(b->parts, cells[0], province);
}

static long long num(const char *s)
{
	return s ? strtoll(s, NULL, 10) : 0;
}

static bool on_received(void *arg, const char *const *c)
{
	struct rp_acc *a = row_part(arg, c);
	return a && rp_acc_received(a, c[2], c[3], c[4], c[5], c[6], 1);
}

static bool on_answered(void *arg, const char *const *c)
{
	struct rp_acc *a = row_part(arg, c);
	return a && rp_acc_answered(a, c[2], c[3], c[4], num(c[5]), num(c[6]) != 0, 1);
}

/* One more in scalar i of the row's part. */
static bool count_one(void *arg, const char *const *c, int i)
{
	struct rp_acc *a = row_part(arg, c);
	if (a)
		a->v[i]++;
	return a != NULL;
}

static bool on_overdue(void *arg, const char *const *c)
{
	return count_one(arg, c, RP_OVERDUE);
}

static bool on_deemed(void *arg, const char *const *c)
{
	return count_one(arg, c, RP_DEEMED);
}

static bool on_filed(void *arg, const char *const *c)
{
	return count_one(arg, c, RP_FILED);
}

static bool on_decided(void *arg, const char *const *c)
{
	struct rp_acc *a = row_part(arg, c);
	if (a)
		rp_acc_decided(a, c[2], 1);
	return a != NULL;
}

static enum bm_err passes(struct rp_stream *st, struct build *b, struct bm_report_month m)
{
	static const struct {
		const char *sql;
		rp_row_fn fn;
	} pass[] = {{sql_received, on_received}, {sql_answered, on_answered},
	            {sql_overdue, on_overdue},   {sql_deemed, on_deemed},
	            {sql_filed, on_filed},       {sql_decided, on_decided}};
	char lo[BM_TIME_ISO_LEN], hi[BM_TIME_ISO_LEN];
	struct bm_report_month next = m.month == 12 ? (struct bm_report_month){m.year + 1, 1}
	                                            : (struct bm_report_month){m.year, m.month + 1};
	enum bm_err e = BM_OK;

	bm_time_to_db(bm_report_month_start(m), lo);
	bm_time_to_db(bm_report_month_start(next), hi);
	struct bm_dbp p[] = {BM_DB_STR(lo), BM_DB_STR(hi)};
	for (size_t i = 0; !e && i < sizeof pass / sizeof pass[0]; i++)
		e = rp_stream_run(st, pass[i].sql, p, 2, pass[i].fn, b);
	return e;
}

enum bm_err bm_report_parts_build(struct bm_db *db, const struct bm_cfg *cfg,
                                  struct bm_report_month m, time_t now,
                                  struct bm_report_parts **out)
{
	struct build b = {.parts = calloc(1, sizeof *b.parts)};
	struct rp_stream *st = NULL;
	enum bm_err e = BM_E_NOMEM;

	*out = NULL;
	if (!b.parts)
		return e;
	b.parts->month = m;
	b.parts->computed_at = now;
	if ((e = bm_db_run(db, sql_holders, NULL, 0, &b.holders.res)) ||
	    (e = rp_stream_open(cfg, &st)) || (e = passes(st, &b, m)))
		goto out;
	*out = b.parts;
	b.parts = NULL;
out:
	rp_stream_close(st);
	bm_dbres_free(b.holders.res);
	bm_report_parts_free(b.parts);
	return e;
}

/* ---- scopes ------------------------------------------------------------------------------ */

static const char sql_subtree[] =
    "WITH RECURSIVE sub (code) AS (SELECT code FROM institutions WHERE code = ? "
    "UNION SELECT i.code FROM institutions i JOIN sub ON i.parent_code = sub.code) "
    "SELECT code FROM sub ORDER BY code COLLATE utf8mb4_bin";

static int cell_cmp(const void *key, const void *cell)
{
	return strcmp(key, *(const char *const *)cell);
}

enum bm_err bm_report_parts_sum(struct bm_db *db, const struct bm_report_parts *p,
                                const struct bm_report_scope *s, struct rp_acc *out)
{
	struct bm_dbres *sub = NULL;
	struct bm_dbp q[] = {BM_DB_STR(s->code)};
	enum bm_err e = BM_OK;

	memset(out, 0, sizeof *out);
	if (s->kind == BM_REPORT_INSTITUTION && (e = bm_db_run(db, sql_subtree, q, 1, &sub)))
		return e;
	for (size_t i = 0; i < p->n; i++) {
		const struct rp_part *x = &p->v[i];
		bool in =
		    s->kind == BM_REPORT_ALL ||
		    (s->kind == BM_REPORT_PROVINCE && !strcmp(x->province, s->code)) ||
		    (s->kind == BM_REPORT_INSTITUTION && x->holder[0] && sub->nrows &&
		     bsearch(x->holder, sub->cells, sub->nrows, sizeof *sub->cells, cell_cmp));
		if (in && !rp_acc_merge(out, &x->acc)) {
			e = BM_E_NOMEM;
			break;
		}
	}
	bm_dbres_free(sub);
	if (e)
		rp_acc_free(out);
	return e;
}

/* ---- the worker's aggregates ------------------------------------------------------------ */

static const char sql_store[] =
    "INSERT INTO report_aggregates (month, computed_at, valid_until, parts) VALUES (?, ?, ?, ?) "
    "ON DUPLICATE KEY UPDATE computed_at = VALUES(computed_at), "
    "valid_until = VALUES(valid_until), parts = VALUES(parts)";
static const char sql_load[] =
    "SELECT FLOOR(UNIX_TIMESTAMP(computed_at)), parts FROM report_aggregates "
    "WHERE month = ? AND valid_until > ?";

static json_t *dump(const struct bm_report_parts *p)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < p->n; i++) {
		const struct rp_part *x = &p->v[i];
		json_array_append_new(
		    arr, json_pack("{s:o, s:o, s:o}", "h",
		                   x->holder[0] ? json_string(x->holder) : json_null(), "p",
		                   x->province[0] ? json_string(x->province) : json_null(), "a",
		                   rp_acc_dump(&x->acc)));
	}
	return arr;
}

enum bm_err bm_report_parts_store(struct bm_db *db, const struct bm_report_parts *p,
                                  time_t valid_until)
{
	char month[8], at[BM_TIME_ISO_LEN], until[BM_TIME_ISO_LEN];
	json_t *arr = dump(p);
	char *text = arr ? json_dumps(arr, JSON_COMPACT) : NULL;
	enum bm_err e = BM_E_NOMEM;

	json_decref(arr);
	if (text) {
		bm_report_month_format(p->month, month);
		bm_time_to_db(p->computed_at, at);
		bm_time_to_db(valid_until, until);
		struct bm_dbp q[] = {BM_DB_STR(month), BM_DB_STR(at), BM_DB_STR(until),
		                     BM_DB_STR(text)};
		e = bm_db_run(db, sql_store, q, 4, NULL);
	}
	free(text);
	return e;
}

static bool load(struct bm_report_parts *p, const json_t *arr)
{
	size_t i;
	const json_t *it;
	json_array_foreach(arr, i, it)
	{
		struct rp_acc *a = part_of(p, json_string_value(json_object_get(it, "h")),
		                           json_string_value(json_object_get(it, "p")));
		struct rp_acc one;
		bool ok = a && rp_acc_load(&one, json_object_get(it, "a")) && rp_acc_merge(a, &one);
		rp_acc_free(&one);
		if (!ok)
			return false;
	}
	return json_is_array(arr);
}

enum bm_err bm_report_parts_load(struct bm_db *db, struct bm_report_month m, time_t now,
                                 struct bm_report_parts **out)
{
	char month[8], at[BM_TIME_ISO_LEN];
	struct bm_dbres *res = NULL;
	json_t *arr = NULL;
	enum bm_err e;

	*out = NULL;
	bm_report_month_format(m, month);
	bm_time_to_db(now, at);
	struct bm_dbp q[] = {BM_DB_STR(month), BM_DB_STR(at)};
	if ((e = bm_db_run(db, sql_load, q, 2, &res)) || res->nrows != 1)
		goto out;
	struct bm_report_parts *p = calloc(1, sizeof *p);
	arr = json_loads(bm_dbres_get(res, 0, 1), 0, NULL);
	if (!p || !load(p, arr)) {
		bm_report_parts_free(p);
		e = p ? BM_E_INTERNAL : BM_E_NOMEM;
		goto out;
	}
	p->month = m;
	p->computed_at = (time_t)strtoll(bm_dbres_get(res, 0, 0), NULL, 10);
	*out = p;
out:
	json_decref(arr);
	bm_dbres_free(res);
	return e;
}
