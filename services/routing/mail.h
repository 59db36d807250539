// SPDX-License-Identifier: MIT
/*
 * The routing service's own citizen mail that libbm's bm_notify does not
 * have yet: the extension of an information request's period (rules.md
 * D2, Law 4982 art. 11: the applicant is told, with the reason, before day
 * 15). Same form as bm_notify's mails: Turkish, plain text and HTML, an
 * outbox row in the caller's transaction. It belongs in bm_notify
 * (bm_notify_extended); it lives here until the lead moves it.
 */
#ifndef ROUTING_MAIL_H
#define ROUTING_MAIL_H

#include <time.h>

#include "bm_notify.h"

/* Queue the extension mail (nothing when to->email is NULL). Call inside the transaction. */
enum bm_err rt_notify_extended(struct bm_ctx *ctx, const struct bm_notify_to *to,
                               const char *institution_name, const char *reason, time_t due);

#endif
