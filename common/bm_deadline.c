// SPDX-License-Identifier: MIT
/*
 * bm_deadline: calendar loading and due-date computation. See bm_deadline.h.
 */
#include "bm_deadline.h"

#include <string.h>

#include "bm_db.h"
#include "bm_log.h"

#define ISTANBUL_OFFSET_S (3 * 3600)
#define CALENDAR_TTL_S    300

static enum bm_err load(struct bm_db *db, struct bm_cal **out)
{
	static const char sql[] = "SELECT day, half_day FROM holidays ORDER BY day";
	struct bm_dbres *res = NULL;
	struct bm_cal *cal = bm_cal_new();
	enum bm_err e = cal ? bm_db_run(db, sql, NULL, 0, &res) : BM_E_NOMEM;

	for (size_t r = 0; !e && r < res->nrows; r++) {
		const char *day = bm_dbres_get(res, r, 0), *half = bm_dbres_get(res, r, 1);
		bm_day d;
		if (!day || !bm_cal_parse_iso(day, strlen(day), &d) ||
		    bm_cal_add_holiday(cal, d, half && half[0] == '1'))
			e = BM_E_INTERNAL;
	}
	bm_dbres_free(res);
	if (e) {
		bm_cal_free(cal);
		return e;
	}
	*out = cal;
	return BM_OK;
}

enum bm_err bm_deadline_calendar(struct bm_ctx *ctx, const struct bm_cal **out)
{
	time_t now = time(NULL);
	if (!ctx->cal || now - ctx->cal_loaded > CALENDAR_TTL_S) {
		struct bm_cal *fresh = NULL;
		enum bm_err e = load(ctx->db, &fresh);
		if (e && !ctx->cal)
			return e;
		if (!e) { /* a failed reload keeps the previous calendar */
			bm_cal_free(ctx->cal);
			ctx->cal = fresh;
			ctx->cal_loaded = now;
		}
	}
	*out = ctx->cal;
	return BM_OK;
}

bm_day bm_deadline_day_of(time_t t)
{
	long long local = (long long)t + ISTANBUL_OFFSET_S;
	long long d = local / 86400 - (local % 86400 < 0);
	return (bm_day)d;
}

time_t bm_deadline_end_of_day(bm_day d)
{
	return (time_t)((long long)(d + 1) * 86400 - ISTANBUL_OFFSET_S - 1);
}

enum bm_err bm_deadline_due(struct bm_ctx *ctx, bool information_request, bool extended,
                            time_t received, time_t *due)
{
	const struct bm_cfg *c = ctx->cfg;
	const struct bm_cal *cal;
	enum bm_err e = bm_deadline_calendar(ctx, &cal);
	if (e)
		return e;
	bm_day event = bm_deadline_day_of(received), end;
	if (information_request)
		end = bm_cal_add_business_days(cal, event,
		                               extended ? c->info_extended_days : c->info_days);
	else
		end = bm_cal_add_days(cal, event, c->petition_days);
	if (end == BM_DAY_INVALID)
		return BM_E_INTERNAL;
	*due = bm_deadline_end_of_day(end);
	return BM_OK;
}
