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
#include "bm_db.h"
#include "bm_json.h"
#include "bm_req.h"
#include "bm_time.h"
#include "bm_validators.h"

extern const struct bm_field intake_attachment_id;

/*
 * The applicant's fields: REQ is BM_FF_REQUIRED for internet applications
 * (everything but the phone is then required) or BM_FF_NULLABLE for staff
 * intake, whose identity rules (C1, C3, C4) are checked in staff.c.
 */
#define INTAKE_APPLICANT_FIELDS(REQ)                                                               \
	BM_FIELD_TCKN(REQ),                                                                        \
	    {.name = "first_name", .type = BM_FT_STRING, .flags = (REQ), .min = 1, .max = 100},    \
	    {.name = "last_name", .type = BM_FT_STRING, .flags = (REQ), .min = 1, .max = 100},     \
	    {.name = "email",                                                                      \
	     .type = BM_FT_STRING,                                                                 \
	     .flags = (REQ),                                                                       \
	     .min = 3,                                                                             \
	     .max = 254,                                                                           \
	     .pattern = BM_EMAIL_PATTERN},                                                         \
	    {.name = "phone",                                                                      \
	     .type = BM_FT_STRING,                                                                 \
	     .flags = BM_FF_NULLABLE,                                                              \
	     .min = 7,                                                                             \
	     .max = 20,                                                                            \
	     .pattern = BM_PHONE_PATTERN},                                                         \
	    {.name = "address",                                                                    \
	     .type = BM_FT_STRING,                                                                 \
	     .flags = (REQ) | BM_FF_MULTILINE,                                                     \
	     .min = 5,                                                                             \
	     .max = 500},                                                                          \
	{                                                                                          \
		0                                                                                  \
	}

/* The fields of an application whatever its channel (the applicant object apart). */
#define INTAKE_COMMON_FIELDS                                                                       \
	{.name = "type",                                                                           \
	 .type = BM_FT_STRING,                                                                     \
	 .flags = BM_FF_REQUIRED,                                                                  \
	 .min = 1,                                                                                 \
	 .max = 16,                                                                                \
	 .enumv = intake_types},                                                                   \
	    {.name = "category",                                                                   \
	     .type = BM_FT_STRING,                                                                 \
	     .flags = BM_FF_NULLABLE,                                                              \
	     .min = 1,                                                                             \
	     .max = 16,                                                                            \
	     .enumv = intake_categories},                                                          \
	    {.name = "subject",                                                                    \
	     .type = BM_FT_STRING,                                                                 \
	     .flags = BM_FF_REQUIRED,                                                              \
	     .min = 3,                                                                             \
	     .max = 200},                                                                          \
	    BM_FIELD_TEXT("body"),                                                                 \
	    {.name = "topic",                                                                      \
	     .type = BM_FT_STRING,                                                                 \
	     .flags = BM_FF_NULLABLE,                                                              \
	     .min = 2,                                                                             \
	     .max = 64,                                                                            \
	     .pattern = BM_TOPIC_PATTERN},                                                         \
	    BM_FIELD_INSTITUTION("target_institution_code", BM_FF_NULLABLE),                       \
	    {.name = "province_code",                                                              \
	     .type = BM_FT_STRING,                                                                 \
	     .flags = BM_FF_NULLABLE,                                                              \
	     .min = 2,                                                                             \
	     .max = 2,                                                                             \
	     .pattern = BM_PROVINCE_PATTERN},                                                      \
	    {.name = "identity_hidden", .type = BM_FT_BOOL, .flags = BM_FF_NULLABLE},              \
	{                                                                                          \
		.name = "attachment_ids", .type = BM_FT_ARRAY, .flags = BM_FF_NULLABLE, .min = 0,  \
		.max = 10, .sub = &intake_attachment_id                                            \
	}
extern const char *const intake_types[];
extern const char *const intake_categories[];

struct intake {
	/* set by the caller */
	const char *channel;       /* internet, phone, fax, letter, in_person */
	const char *status;        /* awaiting_verification (internet) or received */
	int reply_status;          /* 202 or 201 */
	const char *province_code; /* the body's, or a default (the desk's province) */
	/* filled by intake_prepare / intake_insert */
	const char *key; /* Idempotency-Key or NULL */
	bool anonymous;
	bool has_tckn;
	char no[BM_APPNO_SIZE];
	char now[BM_TIME_ISO_LEN];
	char due[BM_TIME_ISO_LEN]; /* "" unless received */
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
 * Read the Idempotency-Key; with one, hash the request and, when the key was
 * seen before, answer (same body → the same answer; another → 422). True
 * when answered.
 */
bool intake_replay_or_reply(struct bm_req *req, struct intake *in);

/* Seal the ID number and compute its HMAC, set now (and due_at when received). */
enum bm_err intake_prepare(struct bm_req *req, struct intake *in);

/* The application row: its columns, one row's placeholders, and its values. */
#define INTAKE_ROW_COLS 25
#define INTAKE_INSERT_HEAD                                                                         \
	"INSERT INTO applications (application_no, tracking_hash, type, category, channel, "       \
	"subject, body, topic, target_institution_code, province_code, identity_hidden, "          \
	"anonymous, applicant_tckn_enc, applicant_tckn_hmac, applicant_first_name, "               \
	"applicant_last_name, applicant_email, applicant_phone, applicant_address, status, "       \
	"created_at, received_at, due_at, idempotency_key, request_hash) VALUES "
#define INTAKE_ROW_TUPLE                                                                           \
	"(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

/* The values of in's row (in->no set) into p; th receives the tracking code's hash, which
 * p points to (as it does into req->json and in): all must outlive p's use. */
void intake_row(struct bm_req *req, const struct intake *in, unsigned char th[32],
                struct bm_dbp p[INTAKE_ROW_COLS]);

/* Insert the row (in the caller's transaction); claims attachments. BM_E_CONFLICT: key race. */
enum bm_err intake_insert(struct bm_req *req, struct intake *in);

/* After a failed transaction: a key race is answered as a replay, anything else as its error. */
void intake_fail(struct bm_req *req, struct intake *in, enum bm_err e);

/* The answer: {application_no, tracking_code, status[, due_at]}. */
void intake_reply(struct bm_req *req, const struct intake *in, const char *no);

#endif
