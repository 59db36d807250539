// SPDX-License-Identifier: MIT
/*
 * bm_notify: the mails the system sends citizens, in Turkish, as plain text
 * and HTML, each naming the application number. A mail is a row in the
 * outbox written in the caller's transaction, so it goes out exactly when
 * the change it announces is committed; the worker delivers it (and renders
 * it first when the row holds only its parameters). Institutions
 * never mail citizens themselves, so a hidden identity stays hidden.
 */
#ifndef BM_NOTIFY_H
#define BM_NOTIFY_H

#include <stdbool.h>
#include <time.h>

#include "bm_db.h"
#include "bm_req.h"

/* What a mail needs to know of its application. */
struct bm_notify_to {
	long long application_id;
	const char *application_no;
	const char *email; /* NULL: nothing is sent (anonymous applications) */
	const char *first_name;
	const char *last_name;
};

/*
 * One mail: its outbox row's values. Either rendered (subject, text, html)
 * or, for a kind the worker renders at delivery (bm_mail_render), only its
 * parameters (params; subject "", text and html NULL): the row then stays a
 * few hundred bytes instead of kilobytes of text and HTML.
 */
struct bm_mail {
	const char *kind; /* lower snake case: verification, received, ... */
	long long application_id;
	const char *recipient; /* the caller's string (outlives the mail) */
	char subject[256];
	char *text, *html; /* owned: bm_mail_free */
	char *params;      /* owned: compact JSON, or NULL for a rendered mail */
};

void bm_mail_free(struct bm_mail *m);

/* The outbox INSERT of n mails: BM_MAIL_INSERT_HEAD, then n BM_MAIL_TUPLEs joined by ", ",
 * each bound with the BM_MAIL_COLS values of bm_mail_values. */
#define BM_MAIL_COLS 7
#define BM_MAIL_INSERT_HEAD                                                                        \
	"INSERT INTO outbox (kind, application_id, recipient, subject, body_text, body_html, "     \
	"params) VALUES "
#define BM_MAIL_TUPLE "(?, ?, ?, ?, ?, ?, ?)"

/* m's row values (they point into m, which must outlive them). */
void bm_mail_values(const struct bm_mail *m, struct bm_dbp p[BM_MAIL_COLS]);

/* Write m's outbox row with db (in the caller's transaction); nothing without a recipient. */
enum bm_err bm_mail_queue(struct bm_db *db, const struct bm_mail *m);

/* The verification link (token in clear: it is only ever in this mail). Queued as
 * parameters (bm_notify_verification_mail); the worker renders it when it delivers it. */
enum bm_err bm_notify_verification(struct bm_ctx *ctx, const struct bm_notify_to *to,
                                   const char *token, time_t expires);

/* The verification mail as parameters into m (to->email must be set): application number,
 * names, token and expiry, for a caller that writes the row itself (the submission
 * service's batched intake); free with bm_mail_free. */
enum bm_err bm_notify_verification_mail(const struct bm_notify_to *to, const char *token,
                                        time_t expires, struct bm_mail *m);

/* The verification mail rendered into m (subject, text, HTML); what the worker sends for
 * the parameters above. Free with bm_mail_free. */
enum bm_err bm_notify_verification_render(const struct bm_ctx *ctx, const struct bm_notify_to *to,
                                          const char *token, time_t expires, struct bm_mail *m);

/*
 * The worker's side: render the mail of an outbox row that holds parameters
 * (params, as written above) with the renderer of its kind, into m's
 * subject, text and html; the same parameters always give the same mail.
 * BM_E_NOMEM may pass on a retry; BM_E_VALIDATION (malformed or incomplete
 * parameters) and BM_E_NOT_FOUND (no renderer for the kind) never will:
 * why then says what is wrong, naming at most a parameter, never a value.
 */
enum bm_err bm_mail_render(const struct bm_ctx *ctx, const char *kind, const char *params,
                           struct bm_mail *m, char *why, size_t whylen);

/* Received: the tracking link and the legal due date. keyed_channel: NULL for an internet
 * application (its e-mail was verified), else the channel staff keyed it in from (phone, fax,
 * letter, in_person); has_tckn: the look-up by ID number is offered only with one. */
enum bm_err bm_notify_received(struct bm_ctx *ctx, const struct bm_notify_to *to,
                               const char *tracking_code, time_t due, const char *keyed_channel,
                               bool has_tckn);

/* Cancelled at the applicant's request. */
enum bm_err bm_notify_cancelled(struct bm_ctx *ctx, const struct bm_notify_to *to);

/* Routed or forwarded: where the application is now (R3), and why when it is a forward. */
enum bm_err bm_notify_routed(struct bm_ctx *ctx, const struct bm_notify_to *to,
                             const char *institution_name, const char *reason);

/*
 * Answered: the institution's text, sent by the system (never by the
 * institution, so a hidden identity stays hidden). outcome is positive,
 * negative, partial or not_processed; a refused information request
 * (appeal_route true) gets the route to BEDK (4982 art. 12-13).
 */
enum bm_err bm_notify_answered(struct bm_ctx *ctx, const struct bm_notify_to *to,
                               const char *institution_name, const char *outcome,
                               const char *reason_code, const char *text, bool appeal_route);

/* The answer period of an information request was extended (4982 art. 11), with its reason. */
enum bm_err bm_notify_extended(struct bm_ctx *ctx, const struct bm_notify_to *to,
                               const char *institution_name, const char *reason, time_t due);

/* Deemed rejected after the silence period (D4), with the appeal route for information requests. */
enum bm_err bm_notify_deemed_rejected(struct bm_ctx *ctx, const struct bm_notify_to *to,
                                      bool appeal_route);

/* Append s to out HTML-escaped (exposed for tests); returns bytes written or -1 if it does not fit.
 */
int bm_html_escape(const char *s, char *out, size_t cap);

#endif
