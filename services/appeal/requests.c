// SPDX-License-Identifier: MIT
/*
 * Rendering information requests: see requests.h.
 */
#include "requests.h"

#include <string.h>

#include "appeal.h"

json_t *ap_render_attachment(const struct bm_dbres *at, size_t r)
{
	return json_pack("{s:s, s:s, s:I, s:s}", "attachment_id", bm_dbres_get(at, r, 0), "sha256",
	                 bm_dbres_get(at, r, 1), "size", (json_int_t)ap_ll(bm_dbres_get(at, r, 2)),
	                 "content_type", bm_dbres_get(at, r, 3));
}

/* The attachments of request id. */
static json_t *attachments_of(const struct bm_dbres *at, const char *id)
{
	json_t *arr = json_array();
	for (size_t r = 0; arr && at && r < at->nrows; r++)
		if (!strcmp(bm_dbres_get(at, r, 4), id))
			json_array_append_new(arr, ap_render_attachment(at, r));
	return arr;
}

json_t *ap_render_request(const struct bm_dbres *q, size_t r, const char *appeal_no,
                          const struct bm_dbres *atts, const char *now)
{
	const char *answered = bm_dbres_get(q, r, Q_ANSWERED);
	return json_pack(
	    "{s:s, s:s, s:o, s:s, s:o, s:o, s:b, s:o, s:o, s:o}", "information_request_id",
	    bm_dbres_get(q, r, Q_ID), "appeal_id", appeal_no, "institution",
	    bm_record_inst(bm_dbres_get(q, r, Q_INST), bm_dbres_get(q, r, Q_INST_NAME)), "text",
	    bm_dbres_get(q, r, Q_TEXT), "requested_at",
	    bm_record_time(bm_dbres_get(q, r, Q_REQUESTED)), "due_at",
	    bm_record_time(bm_dbres_get(q, r, Q_DUE)), "overdue",
	    !answered && ap_past(bm_dbres_get(q, r, Q_DUE), now), "answered_at",
	    bm_record_time(answered), "answer_text", bm_record_str(bm_dbres_get(q, r, Q_ANSWER)),
	    "attachments", attachments_of(atts, bm_dbres_get(q, r, Q_ID)));
}
