// SPDX-License-Identifier: MIT
/*
 * Who the caller is in the institution tree and which applications it may
 * reach (rules.md R1, R4; design.md "Identity and privacy"). Every staff
 * handler of the routing service starts here: the inbox lists exactly the
 * reach, a record outside it is 404 as if it did not exist, and routing,
 * answers and extensions first find the application through it.
 *
 * Reach, in the order the SQL tests it:
 *   - the centre (kind centre) with the operator or coordinator role: all;
 *   - every caller: the applications its institution holds;
 *   - a governorship with the operator (desk) or coordinator role: its
 *     province, the application's province_code or the holder's;
 *   - a coordinator: everything held inside its subtree (parent_code,
 *     recursive).
 */
#ifndef ROUTING_REACH_H
#define ROUTING_REACH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "bm_auth.h"
#include "bm_db.h"
#include "bm_err.h"

struct bm_req;

struct rt_caller {
	const struct bm_principal *who;
	char kind[32];       /* the caller's institution kind */
	char province[3];    /* its province, "" when none */
	bool all;            /* the centre's operators and coordinators */
	bool centre_op;      /* an operator of the centre: routes anywhere in scope */
	bool desk;           /* an operator of a governorship (Alo 150 desk) */
	bool province_reach; /* a governorship desk or coordinator: its province */
	bool coordinator;    /* reaches its subtree */
};

/*
 * The columns of an application as rt_app_find returns them (one row).
 * Times are UTC "YYYY-MM-DD HH:MM:SS.mmm"; flags "0"/"1".
 */
enum rt_col {
	RT_ID,
	RT_NO,
	RT_TYPE,
	RT_CATEGORY,
	RT_CHANNEL,
	RT_SUBJECT,
	RT_BODY,
	RT_TOPIC,
	RT_STATUS,
	RT_OUTCOME,
	RT_REASON,
	RT_PROVINCE,
	RT_TARGET,
	RT_HIDDEN,
	RT_ANONYMOUS,
	RT_TCKN_ENC,
	RT_FIRST,
	RT_LAST,
	RT_EMAIL,
	RT_PHONE,
	RT_ADDRESS,
	RT_ASSIGNED,
	RT_ASSIGNED_NAME,
	RT_ASSIGNED_PROVINCE,
	RT_CREATED,
	RT_RECEIVED,
	RT_DUE,
	RT_EXTENDED,
	RT_ANSWERED,
	RT_RECEIVED_EPOCH,
	RT__NCOLS
};

/*
 * Fill c for req->who from its institution row. BM_E_FORBIDDEN when the
 * institution is unknown or inactive; BM_E_DB on a database failure.
 */
enum bm_err rt_caller_load(struct bm_req *req, struct rt_caller *c);

/* The six statement parameters of the reach condition (RT_REACH_SQL), in order. */
void rt_reach_params(const struct rt_caller *c, struct bm_dbp out[6]);

/* The subtree CTE and the reach condition; a statement using them passes rt_reach_params first. */
#define RT_SUBTREE_CTE                                                                             \
	"WITH RECURSIVE sub (code) AS (SELECT code FROM institutions WHERE code = ? "              \
	"UNION SELECT i.code FROM institutions i JOIN sub ON i.parent_code = sub.code) "
#define RT_REACH_SQL                                                                               \
	"(? = 1 OR a.assigned_institution_code = ? "                                               \
	"OR (? IS NOT NULL AND (a.province_code = ? OR h.province_code = ?)) "                     \
	"OR a.assigned_institution_code IN (SELECT code FROM sub))"
/* Overdue at now (a parameter: the request's clock, which a test stack may move). */
#define RT_OVERDUE_SQL "(a.due_at < ? AND a.status IN ('received', 'in_progress'))"

/*
 * Find application no within the caller's reach; *out is NULL when there is
 * none (not existing and out of reach alike). With share_lock the row is
 * first locked in share mode, so a staff read and a state change on the
 * same application queue in one order (application row, then its events).
 * Call inside a transaction. Caller frees *out with bm_dbres_free.
 */
enum bm_err rt_app_find(struct bm_req *req, const struct rt_caller *c, const char *no,
                        bool share_lock, struct bm_dbres **out);

/*
 * Overdue: received or in progress and past due at now_db ("YYYY-MM-DD
 * HH:MM:SS" UTC, as bm_time_to_db writes it; due is a DATETIME cell).
 */
bool rt_overdue(const char *status, const char *due, const char *now_db);

/* Whether the caller's institution holds the application (row 0 of app). */
bool rt_holds(const struct rt_caller *c, const struct bm_dbres *app);

/* Whether the caller is a BİMER operator (centre or governorship desk): sees hidden identities. */
bool rt_is_bimer_operator(const struct rt_caller *c);

/* The row id of the application (row 0). */
long long rt_app_id(const struct bm_dbres *app);

/* A column of row 0 as a flag ("1" → true). */
bool rt_flag(const struct bm_dbres *app, enum rt_col col);

/* Compare a nullable column of row 0 with s (NULL == NULL). */
bool rt_col_is(const struct bm_dbres *app, enum rt_col col, const char *s);

/* 404 APPLICATION_NOT_FOUND: the same answer for a missing and an unreachable record. */
void rt_reply_not_found(struct bm_req *req);

/* A problem with a domain code and a detail in the request's language. */
void rt_reply_domain(struct bm_req *req, enum bm_err e, const char *code, const char *tr,
                     const char *en);

/* Add one field error with its own message (tr/en) to req->errs. */
void rt_field_error(struct bm_req *req, const char *field, const char *code, const char *tr,
                    const char *en);

/*
 * An event's data JSON: obj (taken over, may be NULL) plus, for an agency
 * system, {"client_id": ...} so its actor stays named. Returns compact JSON
 * text (caller frees) or NULL when there is nothing to store.
 */
char *rt_event_data(const struct bm_req *req, json_t *obj);

/* Whether a deadlock or lock wait timeout ended the last statement: the transaction may be redone.
 */
bool rt_db_retryable(const struct bm_req *req);

/* How often a transaction is redone after a deadlock before it answers 503. */
#define RT_TX_ATTEMPTS 3

/* ---- state changes: find in reach, decide, UPDATE ... WHERE, record -------- */

enum rt_verdict {
	RT_OK,        /* changed: commit and answer 200 */
	RT_NOT_FOUND, /* not in reach: 404 */
	RT_CLOSED,    /* the state forbids it: 409 */
	RT_FORBIDDEN, /* in reach, but not this caller's to do: 403 */
	RT_INVALID,   /* the body breaks a rule: 422 (req->errs, or code when set) */
	RT_RACE,      /* the UPDATE's WHERE no longer matched: 409 */
};

struct rt_outcome {
	enum rt_verdict v;
	const char *code; /* domain code of the problem, NULL = the generic one */
	const char *tr, *en;
};

/*
 * One step of a change, inside its transaction: app is the row found in
 * reach (never NULL). It sets out->v; anything but RT_OK rolls back.
 */
typedef enum bm_err (*rt_step)(struct bm_req *req, const struct rt_caller *c,
                               const struct bm_dbres *app, void *arg, struct rt_outcome *out);

/*
 * Run step on application no in a transaction, redone after a deadlock
 * (RT_TX_ATTEMPTS). Commits only when the step says RT_OK. Returns a
 * database error, or BM_OK with *out telling what happened.
 */
enum bm_err rt_change(struct bm_req *req, const struct rt_caller *c, const char *no, rt_step step,
                      void *arg, struct rt_outcome *out);

/* Answer a verdict other than RT_OK. */
void rt_reply_outcome(struct bm_req *req, const struct rt_outcome *o);

/*
 * What route, answer and extend share: check the {no} of the path, load the
 * caller, run step in rt_change, and answer every failure (404, the
 * outcome's 4xx, or the error). True when the change was made: the caller
 * then answers the success.
 */
bool rt_change_or_reply(struct bm_req *req, rt_step step, void *arg);

/* Set o to verdict v with a domain code and its texts; returns BM_OK for a step's tail call. */
enum bm_err rt_verdict(struct rt_outcome *o, enum rt_verdict v, const char *code, const char *tr,
                       const char *en);

#endif
