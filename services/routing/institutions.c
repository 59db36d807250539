// SPDX-License-Identifier: MIT
/*
 * GET /api/v1/institutions: the institution tree, public, for the
 * application form's institution picker and for staff routing. Bodies
 * outside the system (rules.md W4) are not valid targets and are not listed.
 */
#include <stdlib.h>
#include <string.h>

#include "bm_db.h"
#include "bm_json.h"
#include "bm_req.h"
#include "handlers.h"

#define MAX_ITEMS 1000

static const char sql_list[] =
    "SELECT code, name, kind, parent_code, province_code FROM institutions "
    "WHERE active = 1 AND in_scope = 1 "
    "AND (? IS NULL OR kind = ?) "
    "AND (? IS NULL OR parent_code = ?) "
    "AND (? IS NULL OR name LIKE ? OR code LIKE ?) "
    "ORDER BY code LIMIT 1000";

/* "%<q with \ % _ escaped>%"; caller frees. */
static char *like_pattern(const char *q)
{
	size_t n = strlen(q);
	char *p = malloc(2 * n + 3), *o = p;
	if (!p)
		return NULL;
	*o++ = '%';
	for (; *q; q++) {
		if (*q == '\\' || *q == '%' || *q == '_')
			*o++ = '\\';
		*o++ = *q;
	}
	*o++ = '%';
	*o = '\0';
	return p;
}

static struct bm_dbp opt_str(const char *s)
{
	return s ? BM_DB_STR(s) : BM_DB_NULL();
}

static json_t *item(const struct bm_dbres *res, size_t row)
{
	json_t *it = json_pack(
	    "{s:s, s:s, s:s, s:o}", "code", bm_dbres_get(res, row, 0), "name",
	    bm_dbres_get(res, row, 1), "kind", bm_dbres_get(res, row, 2), "parent_code",
	    bm_dbres_get(res, row, 3) ? json_string(bm_dbres_get(res, row, 3)) : json_null());
	if (it && bm_dbres_get(res, row, 4))
		json_object_set_new(it, "province_code", json_string(bm_dbres_get(res, row, 4)));
	return it;
}

void institutions_list(struct bm_req *req)
{
	const char *kind = bm_json_str(req->qs, "kind");
	const char *parent = bm_json_str(req->qs, "parent");
	const char *q = bm_json_str(req->qs, "q");
	char *like = q ? like_pattern(q) : NULL;
	struct bm_dbres *res = NULL;
	json_t *items = NULL;

	if (q && !like) {
		bm_reply_error(req, BM_E_NOMEM);
		return;
	}
	struct bm_dbp p[] = {opt_str(kind), opt_str(kind), opt_str(parent), opt_str(parent),
	                     opt_str(q),    opt_str(like), opt_str(like)};
	enum bm_err e = bm_db_run(req->ctx->db, sql_list, p, 7, &res);
	if (e) {
		bm_reply_error(req, e);
		goto out;
	}
	items = json_array();
	for (size_t i = 0; items && i < res->nrows && i < MAX_ITEMS; i++)
		json_array_append_new(items, item(res, i));
	bm_reply_json(req, 200, json_pack("{s:o}", "items", items), NULL);
out:
	bm_dbres_free(res);
	free(like);
}
