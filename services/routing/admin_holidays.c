// SPDX-License-Identifier: MIT
/*
 * /api/v1/admin/holidays: the public holidays of Law 2429 that every legal
 * deadline counts with (rules.md D6). Holidays are data, edited here as
 * laws and the Diyanet calendar change: one row per date, a half day for
 * an arife or 28 Ekim afternoon. The services keep a copy of the calendar
 * per worker thread and reload it when it is five minutes old
 * (bm_deadline), so a change counts in new deadlines within five minutes;
 * deadlines already computed keep their due dates.
 */
#include "admin.h"

#include "bm_cal.h"

#define YEAR_MIN 2000
#define YEAR_MAX 2100

/* A date "YYYY-MM-DD" that exists, in the years the calendar is kept for: NULL or a code. */
static const char *date_error(const char *s, size_t n)
{
	bm_day d;
	int y = 0;
	if (!s || !bm_cal_parse_iso(s, n, &d))
		return "INVALID_FORMAT";
	bm_cal_ymd(d, &y, NULL, NULL);
	return y < YEAR_MIN || y > YEAR_MAX ? "OUT_OF_RANGE" : NULL;
}

static const char *check_date(const json_t *v)
{
	return date_error(json_string_value(v), json_string_length(v));
}

const struct bm_field admin_holidays_query[] = {
    {.name = "year", .type = BM_FT_STRING, .min = 4, .max = 4, .pattern = "20[0-9]{2}|2100"}, {0}};

const struct bm_field admin_holiday_create_fields[] = {{.name = "date",
                                                        .type = BM_FT_STRING,
                                                        .flags = BM_FF_REQUIRED,
                                                        .min = 10,
                                                        .max = 10,
                                                        .check = check_date},
                                                       {.name = "name",
                                                        .type = BM_FT_STRING,
                                                        .flags = BM_FF_REQUIRED,
                                                        .min = 2,
                                                        .max = 100,
                                                        .check = adm_check_not_blank},
                                                       {.name = "half_day", .type = BM_FT_BOOL},
                                                       {0}};

const struct bm_field admin_holiday_update_fields[] = {
    {.name = "name", .type = BM_FT_STRING, .min = 2, .max = 100, .check = adm_check_not_blank},
    {.name = "half_day", .type = BM_FT_BOOL},
    {0}};

static const char sql_list[] = "SELECT day, half_day, name FROM holidays "
                               "WHERE (? IS NULL OR day BETWEEN ? AND ?) ORDER BY day";
static const char sql_get[] = "SELECT day, half_day, name FROM holidays WHERE day = ?";
static const char sql_insert[] = "INSERT INTO holidays (day, half_day, name) VALUES (?, ?, ?)";
static const char sql_update[] = "UPDATE holidays SET name = COALESCE(?, name), "
                                 "half_day = COALESCE(?, half_day) WHERE day = ?";
static const char sql_delete[] = "DELETE FROM holidays WHERE day = ?";

static json_t *holiday_json(const struct bm_dbres *res, size_t r)
{
	return json_pack("{s:s, s:s, s:o}", "date", bm_dbres_get(res, r, 0), "name",
	                 bm_dbres_get(res, r, 2), "half_day", adm_flag(bm_dbres_get(res, r, 1)));
}

static void not_found(struct bm_req *req)
{
	adm_reply_domain(req, BM_E_NOT_FOUND, "HOLIDAY_NOT_FOUND",
	                 "Bu tarihte kayıtlı bir tatil yok.",
	                 "No holiday is recorded on this date.");
}

/* The {date} of the path when it is a real date, else NULL. */
static const char *path_date(const struct bm_req *req)
{
	const char *s = bm_req_param(req, "date");
	return s && !date_error(s, strlen(s)) ? s : NULL;
}

/* Answer a fresh read of day with status; 404 when it is gone. */
static void reply_holiday(struct bm_req *req, int status, const char *day)
{
	struct bm_dbres *res = NULL;
	struct bm_dbp p[] = {BM_DB_STR(day)};
	enum bm_err e = bm_db_run(req->ctx->db, sql_get, p, 1, &res);
	if (e)
		bm_reply_error(req, e);
	else if (res->nrows != 1)
		not_found(req);
	else
		bm_reply_json(req, status, holiday_json(res, 0), NULL);
	bm_dbres_free(res);
}

void admin_holidays_list(struct bm_req *req)
{
	const char *year = bm_json_str(req->qs, "year");
	char from[16] = "", to[16] = "";
	struct bm_dbres *res = NULL;

	if (year) {
		snprintf(from, sizeof from, "%s-01-01", year);
		snprintf(to, sizeof to, "%s-12-31", year);
	}
	struct bm_dbp p[] = {adm_opt_str(year), BM_DB_STR(from), BM_DB_STR(to)};
	enum bm_err e = bm_db_run(req->ctx->db, sql_list, p, 3, &res);
	if (e) {
		bm_reply_error(req, e);
		return;
	}
	json_t *items = json_array();
	for (size_t i = 0; items && i < res->nrows; i++)
		json_array_append_new(items, holiday_json(res, i));
	bm_reply_json(req, 200, json_pack("{s:o}", "items", items), NULL);
	bm_dbres_free(res);
}

void admin_holidays_create(struct bm_req *req)
{
	const char *day = bm_json_str(req->json, "date");
	bool half = bm_json_bool(req->json, "half_day", false);
	struct bm_dbp p[] = {BM_DB_STR(day), BM_DB_INT(half ? 1 : 0),
	                     BM_DB_STR(bm_json_str(req->json, "name"))};
	enum bm_err e = bm_db_run(req->ctx->db, sql_insert, p, 3, NULL);
	if (e == BM_E_CONFLICT) {
		adm_reply_domain(
		    req, BM_E_CONFLICT, "HOLIDAY_EXISTS",
		    "Bu tarihte zaten bir tatil kayıtlı; değiştirmek için PATCH kullanın.",
		    "A holiday is recorded on this date already; change it with PATCH.");
		return;
	}
	if (e) {
		bm_reply_error(req, e);
		return;
	}
	adm_log_change(req, "holiday %s added (%s)", day, half ? "half day" : "full day");
	reply_holiday(req, 201, day);
}

void admin_holidays_update(struct bm_req *req)
{
	const char *day = path_date(req);
	struct bm_dbres *res = NULL;
	char what[64];

	if (adm_empty_update_or_reply(req))
		return;
	if (!day) {
		not_found(req);
		return;
	}
	struct bm_dbp k[] = {BM_DB_STR(day)};
	struct bm_dbp p[] = {adm_opt_str(bm_json_str(req->json, "name")),
	                     adm_opt_bool(req->json, "half_day"), BM_DB_STR(day)};
	enum bm_err e = bm_db_run(req->ctx->db, sql_get, k, 1, &res);
	if (!e && res->nrows != 1) {
		not_found(req);
		goto out;
	}
	if (!e)
		e = bm_db_run(req->ctx->db, sql_update, p, 3, NULL);
	if (e) {
		bm_reply_error(req, e);
		goto out;
	}
	adm_changed_fields(req, what, sizeof what);
	adm_log_change(req, "holiday %s changed: %s", day, what);
	reply_holiday(req, 200, day);
out:
	bm_dbres_free(res);
}

void admin_holidays_delete(struct bm_req *req)
{
	const char *day = path_date(req);
	struct bm_dbres *res = NULL;

	if (!day) {
		not_found(req);
		return;
	}
	struct bm_dbp k[] = {BM_DB_STR(day)};
	enum bm_err e = bm_db_run(req->ctx->db, sql_delete, k, 1, &res);
	if (e)
		bm_reply_error(req, e);
	else if (res->affected == 0)
		not_found(req);
	else {
		adm_log_change(req, "holiday %s removed", day);
		bm_reply_raw(req, 204, "application/json", NULL, "", 0);
	}
	bm_dbres_free(res);
}
