// SPDX-License-Identifier: MIT
/*
 * Claiming attachments for an appeal: see claim.h.
 */
#include "claim.h"

#include <jansson.h>
#include <stdio.h>

#include "appeal.h"
#include "bm_req.h"

static const char sql_claim[] =
    "UPDATE attachments SET appeal_id = ?, information_request_id = ?, "
    "claimed_at = UTC_TIMESTAMP(3) WHERE id = ? AND application_id IS NULL AND appeal_id IS NULL";
static const char sql_exists[] = "SELECT 1 FROM attachments WHERE id = ?";

enum bm_err ap_claim_one(struct bm_req *req, long long appeal_id, long long information_request_id,
                         const char *id, const char *field, bool *bad)
{
	struct bm_dbres *res = NULL;
	struct bm_dbp p[] = {BM_DB_INT(appeal_id),
	                     information_request_id ? BM_DB_INT(information_request_id)
	                                            : BM_DB_NULL(),
	                     BM_DB_STR(id)};
	if (bm_db_run(req->ctx->db, sql_claim, p, 3, &res))
		return BM_E_DB;
	bool claimed = res->affected == 1;
	bm_dbres_free(res);
	if (claimed)
		return BM_OK;
	struct bm_dbp q[] = {BM_DB_STR(id)};
	if (bm_db_run(req->ctx->db, sql_exists, q, 1, &res))
		return BM_E_DB;
	bool exists = res->nrows > 0;
	bm_dbres_free(res);
	ap_field_error(req, field, exists ? "ATTACHMENT_ALREADY_USED" : "ATTACHMENT_NOT_FOUND",
	               NULL, NULL);
	*bad = true;
	return BM_OK;
}

enum bm_err ap_claim_list(struct bm_req *req, long long appeal_id, long long information_request_id,
                          const json_t *ids, const char *name, bool *bad)
{
	size_t i;
	const json_t *v;
	char field[64];

	json_array_foreach(ids, i, v)
	{
		snprintf(field, sizeof field, "%s[%zu]", name, i);
		enum bm_err e = ap_claim_one(req, appeal_id, information_request_id,
		                             json_string_value(v), field, bad);
		if (e)
			return e;
	}
	return BM_OK;
}

void ap_claim_duplicates(struct bm_req *req, const json_t *ids, const char *name)
{
	char field[64];
	for (size_t i = 0; i < json_array_size(ids); i++)
		for (size_t k = 0; k < i; k++)
			if (json_equal(json_array_get(ids, i), json_array_get(ids, k))) {
				snprintf(field, sizeof field, "%s[%zu]", name, i);
				ap_field_error(req, field, "DUPLICATE", NULL, NULL);
				break;
			}
}
