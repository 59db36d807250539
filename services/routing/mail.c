// SPDX-License-Identifier: MIT
/*
 * The extension mail (see mail.h): its Turkish text and its outbox row.
 */
#include "mail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_db.h"

static const char sql_outbox[] =
    "INSERT INTO outbox (kind, application_id, recipient, subject, body_text, body_html) "
    "VALUES (?, ?, ?, ?, ?, ?)";

/* "28.11.2026" in Istanbul time (the due moment is the end of that day). */
static void tr_date(time_t t, char out[16])
{
	time_t local = t + 3 * 3600;
	struct tm tm;
	gmtime_r(&local, &tm);
	strftime(out, 16, "%d.%m.%Y", &tm);
}

/* s HTML-escaped in a new buffer (caller frees); NULL on OOM. */
static char *escaped(const char *s)
{
	size_t cap = strlen(s) * 6 + 1;
	char *out = malloc(cap);
	if (out && bm_html_escape(s, out, cap) < 0) {
		free(out);
		out = NULL;
	}
	return out;
}

enum bm_err rt_notify_extended(struct bm_ctx *ctx, const struct bm_notify_to *to,
                               const char *institution_name, const char *reason, time_t due)
{
	char subject[128], hello[256], until[16];
	enum bm_err e = BM_E_NOMEM;

	if (!to->email)
		return BM_OK;
	tr_date(due, until);
	snprintf(subject, sizeof subject, "BİMER başvurunuzun cevap süresi uzatıldı (%s)",
	         to->application_no);
	if (to->first_name && to->last_name)
		snprintf(hello, sizeof hello, "Sayın %s %s,", to->first_name, to->last_name);
	else
		snprintf(hello, sizeof hello, "Sayın başvuru sahibi,");
	size_t cap = 6 * (strlen(hello) + strlen(institution_name) + strlen(reason)) + 2048;
	char *text = malloc(cap), *html = malloc(cap);
	char *e_hello = escaped(hello), *e_inst = escaped(institution_name),
	     *e_reason = escaped(reason);
	if (!text || !html || !e_hello || !e_inst || !e_reason)
		goto out;
	snprintf(text, cap,
	         "%s\n\n%s, bilgi edinme başvurunuzun cevaplanması için gereken sürenin "
	         "uzatıldığını bildirmiştir (4982 sayılı Kanun md. 11). Başvurunuz en geç %s "
	         "tarihinde cevaplanacaktır.\n\nGerekçe: %s\n\nBaşvuru numarası: %s\n\n-- \n"
	         "BİMER — Başbakanlık İletişim Merkezi\nBu e-posta otomatik olarak "
	         "gönderilmiştir; lütfen yanıtlamayınız.\n",
	         hello, institution_name, until, reason, to->application_no);
	snprintf(
	    html, cap,
	    "<!DOCTYPE html><html lang=\"tr\"><head><meta charset=\"utf-8\"><title>BİMER</title>"
	    "</head><body><p>%s</p><p>%s, bilgi edinme başvurunuzun cevaplanması için gereken "
	    "sürenin uzatıldığını bildirmiştir (4982 sayılı Kanun md. 11). Başvurunuz en geç "
	    "<strong>%s</strong> tarihinde cevaplanacaktır.</p><p style=\"white-space: "
	    "pre-line\">Gerekçe: %s</p><p>Başvuru numarası: <strong>%s</strong></p><hr><p>"
	    "<small>BİMER — Başbakanlık İletişim Merkezi. Bu e-posta otomatik olarak "
	    "gönderilmiştir; lütfen yanıtlamayınız.</small></p></body></html>",
	    e_hello, e_inst, until, e_reason, to->application_no);
	struct bm_dbp p[] = {BM_DB_STR("extended"), BM_DB_INT(to->application_id),
	                     BM_DB_STR(to->email),  BM_DB_STR(subject),
	                     BM_DB_STR(text),       BM_DB_STR(html)};
	e = bm_db_run(ctx->db, sql_outbox, p, 6, NULL);
out:
	free(text);
	free(html);
	free(e_hello);
	free(e_inst);
	free(e_reason);
	return e;
}
