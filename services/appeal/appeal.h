// SPDX-License-Identifier: MIT
/*
 * What the appeal service's handlers share: the appeal row as the handlers
 * read it, transactions redone after a deadlock, events on the appealed
 * application's hash chain, business-day deadlines, and the small reply and
 * JSON helpers. Prefix ap_.
 *
 * Every appeal event (appeal_filed, appeal_information_requested,
 * appeal_information_answered, appeal_decided, reopened) is an event of the
 * appealed application, written with bm_event_append so the audit chain
 * holds, and carries {"appeal_id": ...} in its data so an appeal's own
 * timeline can be picked out of the application's.
 */
#ifndef APPEAL_APPEAL_H
#define APPEAL_APPEAL_H

#include <jansson.h>
#include <stdbool.h>
#include <time.h>

#include "bm_db.h"
#include "bm_err.h"
#include "bm_record.h"
#include "bm_time.h"

struct bm_req;
struct bm_ctx;

/* Appeal ids as this service makes them: the Istanbul year of filing and a running number. */
#define AP_APPEAL_NO_PATTERN "[0-9]{4}-[0-9]{6,9}"
#define AP_APPEAL_NO_SIZE    40

/* How often a transaction is redone after a deadlock or lock wait timeout. */
#define AP_TX_ATTEMPTS 3

/* The columns of an appeal as ap_appeal_find returns them (one row). */
enum ap_col {
	AP_ID,
	AP_NO,
	AP_APPLICATION_ID,
	AP_APPLICATION_NO,
	AP_STATUS,
	AP_CHANNEL,
	AP_GROUND,
	AP_REASON,
	AP_FILED,
	AP_DUE,
	AP_DECISION,
	AP_DECISION_TEXT,
	AP_DECIDED,
	AP_APPLICATION_DUE,
	AP_WINDOW_ENDS,
	AP_REFUSED,
	AP__NCOLS
};

/*
 * Find the appeal named no (the API's appeal_id). *out is NULL when there is
 * none; lock takes the appeal and its application FOR UPDATE (call inside a
 * transaction). Caller frees *out with bm_dbres_free.
 */
enum bm_err ap_appeal_find(struct bm_req *req, const char *no, bool lock, struct bm_dbres **out);

/* 404 APPEAL_NOT_FOUND: the same answer for a missing appeal and one out of reach. */
void ap_reply_not_found(struct bm_req *req);

/* A problem with a domain code and a detail in the request's language. */
void ap_reply_domain(struct bm_req *req, enum bm_err e, const char *code, const char *tr,
                     const char *en);

/* Add one field error with its own message (tr/en) to req->errs. */
void ap_field_error(struct bm_req *req, const char *field, const char *code, const char *tr,
                    const char *en);

/* ---- transactions ------------------------------------------------------------ */

/* What a step decided: BM_OK commits; anything else rolls back and is answered. */
struct ap_outcome {
	enum bm_err e;    /* BM_OK, or the error to answer (BM_E_VALIDATION, BM_E_CONFLICT, ...) */
	const char *code; /* domain code, NULL = the generic one (with req->errs for 422) */
	const char *tr, *en;
};

/*
 * One step inside its transaction. It returns a database failure (the
 * transaction is then rolled back and maybe redone) or BM_OK with *out set.
 */
typedef enum bm_err (*ap_step)(struct bm_req *req, void *arg, struct ap_outcome *out);

/*
 * Run step in a transaction, redone after a deadlock (AP_TX_ATTEMPTS); it
 * commits only when the step's outcome is BM_OK. req->errs is emptied before
 * each attempt. Returns a database error, or BM_OK with *out telling what
 * happened.
 */
enum bm_err ap_tx(struct bm_req *req, ap_step step, void *arg, struct ap_outcome *out);

/* Set *o; returns BM_OK for a step's tail call. */
enum bm_err ap_verdict(struct ap_outcome *o, enum bm_err e, const char *code, const char *tr,
                       const char *en);

/* Answer an outcome other than BM_OK. */
void ap_reply_outcome(struct bm_req *req, const struct ap_outcome *o);

/* ---- events, times, deadlines ------------------------------------------------ */

/*
 * Append an event of kind to the application's chain, at `at` (DB time text),
 * by the caller (staff, an agency system, or the citizen when req->who is
 * empty). data is taken over; "appeal_id" should be in it; an agency
 * system's client id is added so its act stays named.
 */
enum bm_err ap_event(struct bm_req *req, long long application_id, const char *kind,
                     const char *to_institution, json_t *data, const char *at);

/* The request's "now" (X-Test-Now on a test stack) as DB time text. */
void ap_now_db(const struct bm_req *req, char out[BM_TIME_ISO_LEN]);

/*
 * The end (last second, Istanbul) of a period of n business days counted
 * from the day after the Istanbul date of `from` (rules.md D6, A4).
 */
enum bm_err ap_business_due(struct bm_ctx *ctx, time_t from, int n, time_t *due);

/* Whether an open item (status open) is past due_db at now_db; both DB time text. */
bool ap_past(const char *due_db, const char *now_db);

/* ---- JSON -------------------------------------------------------------------- */

/* Cells as JSON: bm_record_str, bm_record_time (DB time → ISO 8601 with +03:00) and
 * bm_record_inst ({code, name}) of bm_record.h. */

long long ap_ll(const char *s);

/* Whether the caller is a BEDK member (the roles of its token). */
bool ap_is_bedk(const struct bm_req *req);

#endif
