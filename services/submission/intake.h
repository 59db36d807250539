// SPDX-License-Identifier: MIT
/*
 * What citizen intake (applications.c) and staff intake (staff.c) share:
 * the application row, the rules across fields, the idempotent replay and
 * the answer with the tracking code. One application, whatever the channel,
 * is written the same way.
 */
#ifndef SUBMISSION_INTAKE_H
#define SUBMISSION_INTAKE_H

#include <stdbool.h>

#include "bm_appno.h"
#include "bm_crypto.h"
#include "bm_json.h"
#include "bm_req.h"
#include "bm_time.h"

extern const struct bm_field intake_attachment_id;
extern const char *const intake_types[];
extern const char *const intake_categories[];

struct intake {
	/* set by the caller */
	const char *channel;       /* internet, phone, fax, letter, in_person */
	const char *status;        /* awaiting_verification (internet) or received */
	int reply_status;          /* 202 or 201 */
	const char *province_code; /* the body's, or a default (the desk's province) */
	/* filled by intake_prepare / intake_insert */
	const char *key;           /* Idempotency-Key or NULL */
	bool anonymous;
	bool has_tckn;
	char no[BM_APPNO_SIZE];
	char now[BM_TIME_ISO_LEN];
	char due[BM_TIME_ISO_LEN];  /* "" unless received */
	time_t due_t;
	unsigned char mac[BM_HMAC_LEN];
	unsigned char sealed[BM_TCKN_ENC_LEN];
	size_t sealed_len;
	unsigned char req_hash[32];
	long long id;
};

/* Type/category pairs, identity_hidden (C2), duplicate attachments: into req->errs. */
void intake_cross_field_rules(struct bm_req *req);

/* W4: the chosen institution exists, is active and in scope (errors into req->errs). */
enum bm_err intake_check_target(struct bm_req *req);

/*
 * Hash the request, read the Idempotency-Key and, when it was seen before,
 * answer (same body → the same answer; another → 422). True when answered.
 */
bool intake_replay_or_reply(struct bm_req *req, struct intake *in);

/* Seal the ID number and compute its HMAC, set now (and due_at when received). */
enum bm_err intake_prepare(struct bm_req *req, struct intake *in);

/* Insert the row (in the caller's transaction); claims attachments. BM_E_CONFLICT: key race. */
enum bm_err intake_insert(struct bm_req *req, struct intake *in);

/* After a failed transaction: a key race is answered as a replay, anything else as its error. */
void intake_fail(struct bm_req *req, struct intake *in, enum bm_err e);

/* The answer: {application_no, tracking_code, status[, due_at]}. */
void intake_reply(struct bm_req *req, const struct intake *in, const char *no);

#endif
