// SPDX-License-Identifier: MIT
/*
 * The appeal service's citizen mails, in the form of bm_notify's (Turkish,
 * plain text and HTML, naming the application number, an outbox row written
 * in the caller's transaction so a mail goes out exactly when its change is
 * committed): the appeal was filed, and BEDK decided. They belong in
 * bm_notify (bm_notify_appeal_filed, bm_notify_appeal_decided) and live here
 * until the lead moves them.
 */
#ifndef APPEAL_MAIL_H
#define APPEAL_MAIL_H

#include <time.h>

#include "bm_notify.h"

/* Filed: the appeal id and the date BEDK's decision is due (A4). */
enum bm_err ap_mail_filed(struct bm_ctx *ctx, const struct bm_notify_to *to, const char *appeal_no,
                          time_t due);

/*
 * Decided: the decision and its text; when the application went back to the
 * institution (reopened_due != 0), which one and by when it must answer.
 */
enum bm_err ap_mail_decided(struct bm_ctx *ctx, const struct bm_notify_to *to,
                            const char *appeal_no, const char *decision, const char *text,
                            const char *institution_name, time_t reopened_due);

#endif
