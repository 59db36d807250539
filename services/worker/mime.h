// SPDX-License-Identifier: MIT
/*
 * mime: one outbox row → one RFC 5322 / MIME message, ready for SMTP DATA.
 *
 * The message is multipart/alternative with a text/plain and a text/html
 * part, both UTF-8 and quoted-printable (readable in a .eml file, and every
 * line stays under SMTP's 998-byte limit). The Subject and a non-ASCII
 * sender name are RFC 2047 encoded-words, so nothing from a row can inject
 * a header. Message-ID is <outbox-ID@bimer.gov.tr>: the same on every
 * retry, which lets an idempotent receiver drop a second copy.
 */
#ifndef WORKER_MIME_H
#define WORKER_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "bm_err.h"

struct mime_mail {
	long long id;        /* outbox id: the Message-ID */
	const char *from;    /* From header as configured, e.g. "BİMER <noreply@bimer.gov.tr>" */
	const char *to;      /* the recipient address (checked with mime_address_ok) */
	const char *subject; /* UTF-8 */
	const char *text;    /* UTF-8 plain text */
	const char *html;    /* UTF-8 HTML; NULL or "": made from text */
	time_t date;
};

/*
 * Build the message. On success *out is a NUL-terminated buffer of *len
 * bytes with CRLF line ends, which the caller frees. BM_E_NOMEM on OOM,
 * BM_E_BAD_REQUEST when from or to is unusable.
 */
enum bm_err mime_build(const struct mime_mail *m, char **out, size_t *len);

/* Whether addr is a plain ASCII addr-spec we can put in RCPT TO and To:. */
bool mime_address_ok(const char *addr);

/*
 * The address part of a From value ("Name <a@b>" or "a@b") into out, as
 * "<a@b>" for MAIL FROM. False when there is none or it does not fit.
 */
bool mime_envelope_from(const char *from, char *out, size_t cap);

#endif
