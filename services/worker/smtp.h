// SPDX-License-Identifier: MIT
/*
 * smtp: sends one prepared message to one recipient over SMTP with libcurl
 * (BIMER_SMTP_URL). One easy handle is kept for the process, so a burst of
 * mails goes over one connection; a connection idle for more than 30
 * seconds is not reused (the server may have dropped it). Every transfer
 * has a connect and a total timeout. The result tells a server that cannot
 * be reached apart from a refused message, so the caller can stop a batch
 * instead of spending an attempt of every row on a server that is down.
 */
#ifndef WORKER_SMTP_H
#define WORKER_SMTP_H

#include <stdbool.h>
#include <stddef.h>

#include "bm_cfg.h"

struct smtp;

enum smtp_result {
	SMTP_SENT,        /* the server answered 250 to the end of DATA */
	SMTP_FAILED,      /* the server refused it, or the connection broke mid-way */
	SMTP_SERVER_DOWN, /* could not connect (refused, unresolvable, timed out) */
	SMTP_ABORTED,     /* the abort callback asked to stop (shutdown) */
};

/*
 * A sender for url (smtp://host:port[/ehlo-domain]) with envelope sender
 * mail_from ("<a@b>"), timeout_s for one whole transaction. should_abort is
 * polled during a transfer (about once a second when idle); true aborts it.
 * Caller frees with smtp_free. NULL on failure (OOM, curl not usable).
 */
struct smtp *smtp_new(const char *url, const char *mail_from, long timeout_s,
                      bool (*should_abort)(void *), void *arg);
void smtp_free(struct smtp *s);

/*
 * Send msg (len bytes, CRLF line ends) to rcpt (a bare address). On any
 * result other than SMTP_SENT, err receives a short reason without the
 * recipient or any content (curl's error name and the SMTP reply code).
 */
enum smtp_result smtp_send(struct smtp *s, const char *rcpt, const char *msg, size_t len, char *err,
                           size_t errlen);

#endif
