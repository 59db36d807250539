// SPDX-License-Identifier: MIT
/*
 * Attachments (issue 3 item 6): the upload endpoint, and the claim that an
 * application's intake makes on the uploaded files inside its own
 * transaction. An attachment is uploaded first, on its own, and answered with
 * an unguessable id; the application then names that id in attachment_ids,
 * and exactly one application can ever claim it.
 */
#ifndef SUBMISSION_ATTACHMENTS_H
#define SUBMISSION_ATTACHMENTS_H

#include <jansson.h>
#include <stddef.h>

#include "bm_db.h"
#include "bm_json.h"

struct bm_req;

/* At most this many attachments per application (issue 3 item 6; AttachmentIds in the spec). */
#define ATTACHMENTS_MAX_PER_APPLICATION 10

/*
 * POST /api/v1/attachments — 201 {attachment_id, sha256, size, content_type};
 * 400, 413 (the guard chain); 415 (Content-Type not exactly application/pdf,
 * image/png or image/jpeg, or absent); 422 (empty body, content not of the
 * declared type, bad Idempotency-Key, IDEMPOTENCY_KEY_REUSED); 429 (uploads per
 * client address); 500; 503 (MariaDB or Redis down, disk full).
 * The route must be BM_BODY_RAW with max_body 10 MiB.
 */
void attachments_create(struct bm_req *req);

/*
 * The declared type when the Content-Type ctype is exactly one we take
 * (media types are case-insensitive; blanks around it are tolerated,
 * parameters are not): one of the strings "application/pdf", "image/png",
 * "image/jpeg", or NULL. attachments_create checks it first (415).
 */
const char *attachments_declared_type(const char *ctype);

/*
 * The type the content's magic bytes say (body is n bytes, not necessarily
 * NUL-terminated): one of the three strings above, or NULL when it is none
 * of ours. An upload is taken only when this agrees with the declared type
 * (422 ATTACHMENT_TYPE_MISMATCH otherwise). Both are exported for the fuzz
 * harness (tests/fuzz/fuzz_attachments.c).
 */
const char *attachments_sniffed_type(const char *body, size_t n);

/*
 * Claim the attachments whose ids are in ids (a JSON array of strings, or
 * NULL for none) for application_id. Call it inside the intake's
 * transaction: on any error the caller rolls back, which releases every
 * claim made here. Adds one error per bad id to errs, field
 * "attachment_ids[i]", code ATTACHMENT_NOT_FOUND (no such id) or
 * ATTACHMENT_ALREADY_USED (claimed by another application, or named twice),
 * and "attachment_ids" TOO_MANY_ATTACHMENTS when the application would hold
 * more than ATTACHMENTS_MAX_PER_APPLICATION; then returns BM_E_VALIDATION.
 * BM_E_DB when the database fails (the transaction is then unusable).
 * BM_OK when every id was claimed. Two transactions racing for one id:
 * exactly one claims it, the other gets ATTACHMENT_ALREADY_USED.
 */
enum bm_err attachments_claim(struct bm_db *db, long long application_id, const json_t *ids,
                              struct bm_verrs *errs);

#endif
