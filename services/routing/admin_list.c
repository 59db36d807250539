// SPDX-License-Identifier: MIT
/*
 * One page of an administrators' list (admin.h, adm_reply_list): the users,
 * the institutions and the agency clients are listed the same way, each by
 * its own statement, filters and item.
 */
#include "admin.h"

#define ADM_LIST_FILTERS 4

const char *const adm_booleans[] = {"true", "false", NULL};

void adm_reply_list(struct bm_req *req, const struct adm_list *l, const struct bm_dbp *filters,
                    size_t nfilters)
{
	const char *q = l->search ? bm_json_str(req->qs, "q") : NULL;
	char after[ADM_CURSOR_KEY + 1], *like = q ? adm_like(q) : NULL;
	struct bm_dbp p[2 + 2 * ADM_LIST_FILTERS + 3 + 1];
	struct bm_dbres *res = NULL;
	size_t n = 0;

	if (nfilters > ADM_LIST_FILTERS || (q && !like)) {
		bm_reply_error(req, q && !like ? BM_E_NOMEM : BM_E_INTERNAL);
		return;
	}
	if (adm_cursor_or_reply(req, l->cursor_pattern, after)) {
		const char *a = after[0] ? after : NULL;
		long long limit = adm_page_limit(req);
		p[n++] = adm_opt_str(a);
		p[n++] = adm_opt_str(a);
		for (size_t i = 0; i < nfilters; i++) {
			p[n++] = filters[i];
			p[n++] = filters[i];
		}
		if (l->search) {
			p[n++] = adm_opt_str(q);
			p[n++] = adm_opt_str(like);
			p[n++] = adm_opt_str(like);
		}
		p[n++] = BM_DB_INT(limit + 1);
		enum bm_err e = bm_db_run(req->ctx->db, l->sql, p, n, &res);
		if (e)
			bm_reply_error(req, e);
		else
			adm_reply_page(req, res, limit, l->item, l->key_col);
	}
	bm_dbres_free(res);
	free(like);
}
