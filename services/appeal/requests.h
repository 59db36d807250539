// SPDX-License-Identifier: MIT
/*
 * BEDK's information requests to institutions as the handlers read and
 * render them (the InformationRequest of the spec), shared by the appeal
 * view (record.c) and the request and response handlers (information.c).
 */
#ifndef APPEAL_REQUESTS_H
#define APPEAL_REQUESTS_H

#include <jansson.h>
#include <stddef.h>

#include "bm_db.h"

/* The columns of a request, in the order of enum ap_req_col; a statement adds its WHERE. */
#define AP_REQUEST_COLUMNS                                                                         \
	"SELECT r.id, r.institution_code, i.name, r.text, r.requested_at, r.due_at, "              \
	"r.answered_at, r.answer_text FROM appeal_information_requests r "                         \
	"JOIN institutions i ON i.code = r.institution_code "

enum ap_req_col { Q_ID, Q_INST, Q_INST_NAME, Q_TEXT, Q_REQUESTED, Q_DUE, Q_ANSWERED, Q_ANSWER };

/* The attachments of an appeal's requests: id, sha256 hex, size, type, request id. */
#define AP_REQUEST_ATTACHMENTS_SQL                                                                 \
	"SELECT t.id, LOWER(HEX(t.sha256)), t.size, t.content_type, t.information_request_id "     \
	"FROM attachments t WHERE t.appeal_id = ? AND t.information_request_id IS NOT NULL "       \
	"ORDER BY t.created_at, t.id"

/*
 * Row r of q (AP_REQUEST_COLUMNS) as an InformationRequest, with its
 * attachments picked out of atts (AP_REQUEST_ATTACHMENTS_SQL rows; may be
 * NULL) and overdue at now (DB time text). New reference; NULL on OOM.
 */
json_t *ap_render_request(const struct bm_dbres *q, size_t r, const char *appeal_no,
                          const struct bm_dbres *atts, const char *now);

/* One attachment row (id, sha256 hex, size, type) as an Attachment. */
json_t *ap_render_attachment(const struct bm_dbres *at, size_t r);

#endif
