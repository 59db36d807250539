// SPDX-License-Identifier: MIT
/*
 * The copies an appeal carries (rules.md A3). An online appeal never asks
 * the citizen to upload what the system already holds: when the appeal is
 * filed, the application and the institution's answer are copied from the
 * record into two JSON documents, each stored byte for byte with its
 * SHA-256 (appeal_copies), so BEDK reads what the record said at that moment
 * and anyone can check a copy against its hash. A paper appeal keyed in by an
 * operator carries the citizen's own copies as scanned attachments instead.
 */
#ifndef APPEAL_COPIES_H
#define APPEAL_COPIES_H

#include <stdbool.h>

#include "bm_db.h"
#include "bm_err.h"

struct bm_req;

/*
 * Generate and store the application copy, and the answer copy unless the
 * ground is a deemed rejection (there is no answer), for appeal appeal_id of
 * application application_id. at is the filing time (DB text). Call inside
 * the filing transaction.
 */
enum bm_err ap_copies_generate(struct bm_req *req, long long appeal_id, long long application_id,
                               bool with_answer, const char *at);

/* Store a scanned copy (kind "application" or "answer") that is an attachment of the appeal. */
enum bm_err ap_copies_attach(struct bm_req *req, long long appeal_id, const char *kind,
                             const char *attachment_id);

#endif
