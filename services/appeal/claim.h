// SPDX-License-Identifier: MIT
/*
 * Attachments an appeal claims: the citizen's additional documents, the
 * scanned copies of a paper appeal, the documents an institution sends with
 * its answer to BEDK. An attachment belongs to at most one application or
 * appeal (a CHECK in 0013_appeals.sql); a claim is
 * UPDATE ... WHERE id = ? AND application_id IS NULL AND appeal_id IS NULL
 * with the rows affected checked, inside the caller's transaction, so of two
 * racing claims exactly one wins and a rollback releases every claim.
 */
#ifndef APPEAL_CLAIM_H
#define APPEAL_CLAIM_H

#include <jansson.h>
#include <stdbool.h>

#include "bm_db.h"
#include "bm_err.h"

struct bm_req;

/*
 * Claim attachment id for the appeal (and the information request, when
 * information_request_id is not 0). On a bad id adds a field error to
 * req->errs under field — ATTACHMENT_NOT_FOUND or ATTACHMENT_ALREADY_USED —
 * and sets *bad. Returns BM_E_DB when the database fails, else BM_OK.
 */
enum bm_err ap_claim_one(struct bm_req *req, long long appeal_id, long long information_request_id,
                         const char *id, const char *field, bool *bad);

/* Each string of ids (a JSON array, or NULL) in turn, with fields "<name>[i]". */
enum bm_err ap_claim_list(struct bm_req *req, long long appeal_id, long long information_request_id,
                          const json_t *ids, const char *name, bool *bad);

/* DUPLICATE field errors for ids named twice in the array (before anything is claimed). */
void ap_claim_duplicates(struct bm_req *req, const json_t *ids, const char *name);

#endif
