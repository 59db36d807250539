// SPDX-License-Identifier: MIT
/*
 * The appeal mails (see mail.h): their Turkish texts and outbox rows.
 */
#include "mail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_db.h"

static const char sql_outbox[] =
    "INSERT INTO outbox (kind, application_id, recipient, subject, body_text, body_html) "
    "VALUES (?, ?, ?, ?, ?, ?)";

static const char footer_text[] = "\n\n-- \nBİMER — Başbakanlık İletişim Merkezi\nBu e-posta "
                                  "otomatik olarak gönderilmiştir; lütfen yanıtlamayınız.\n";
static const char footer_html[] = "<hr><p><small>BİMER — Başbakanlık İletişim Merkezi. Bu "
                                  "e-posta otomatik olarak gönderilmiştir; lütfen "
                                  "yanıtlamayınız.</small></p></body></html>";

/* "28.11.2026" in Istanbul time (a due moment is the end of that day). */
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

/*
 * Queue one mail: a greeting, the paragraphs (plain text; each becomes a <p>
 * in HTML), the application number and the footer.
 */
static enum bm_err queue(struct bm_ctx *ctx, const char *kind, const struct bm_notify_to *to,
                         const char *subject, const char *const *paras, size_t n)
{
	char hello[256];
	size_t cap = 4096;
	enum bm_err e = BM_E_NOMEM;

	if (!to->email)
		return BM_OK;
	if (to->first_name && to->last_name)
		snprintf(hello, sizeof hello, "Sayın %s %s,", to->first_name, to->last_name);
	else
		snprintf(hello, sizeof hello, "Sayın başvuru sahibi,");
	for (size_t i = 0; i < n; i++)
		cap += 7 * strlen(paras[i]) + 64;
	char *text = malloc(cap), *html = malloc(cap), *h = escaped(hello);
	if (!text || !html || !h)
		goto out;
	size_t t = (size_t)snprintf(text, cap, "%s", hello);
	size_t m =
	    (size_t)snprintf(html, cap,
	                     "<!DOCTYPE html><html lang=\"tr\"><head><meta charset=\"utf-8\">"
	                     "<title>BİMER</title></head><body><p>%s</p>",
	                     h);
	for (size_t i = 0; i < n; i++) {
		char *p = escaped(paras[i]);
		if (!p)
			goto out;
		t += (size_t)snprintf(text + t, cap - t, "\n\n%s", paras[i]);
		m += (size_t)snprintf(html + m, cap - m,
		                      "<p style=\"white-space: pre-line\">%s</p>", p);
		free(p);
	}
	snprintf(text + t, cap - t, "\n\nBaşvuru numarası: %s%s", to->application_no, footer_text);
	snprintf(html + m, cap - m, "<p>Başvuru numarası: <strong>%s</strong></p>%s",
	         to->application_no, footer_html);
	struct bm_dbp p[] = {BM_DB_STR(kind),      BM_DB_INT(to->application_id),
	                     BM_DB_STR(to->email), BM_DB_STR(subject),
	                     BM_DB_STR(text),      BM_DB_STR(html)};
	e = bm_db_run(ctx->db, sql_outbox, p, 6, NULL);
out:
	free(text);
	free(html);
	free(h);
	return e;
}

enum bm_err ap_mail_filed(struct bm_ctx *ctx, const struct bm_notify_to *to, const char *appeal_no,
                          time_t due)
{
	char subject[160], intro[512], until[16];
	tr_date(due, until);
	snprintf(subject, sizeof subject,
	         "BİMER: Bilgi Edinme Değerlendirme Kurulu'na itirazınız alındı (%s)",
	         to->application_no);
	snprintf(intro, sizeof intro,
	         "Bilgi edinme başvurunuzla ilgili itirazınız Bilgi Edinme Değerlendirme Kurulu'na "
	         "iletilmiştir. İtiraz numaranız: %s.",
	         appeal_no);
	char outro[512];
	snprintf(
	    outro, sizeof outro,
	    "Kurul itirazınızı en geç %s tarihine kadar karara bağlayacaktır (4982 sayılı Kanun "
	    "md. 13). Kurula itiraz, idari yargı yoluna başvurma süresini durdurur. "
	    "İtirazınızın durumunu T.C. kimlik numaranız ve başvuru numaranızla "
	    "sorgulayabilirsiniz.",
	    until);
	const char *paras[] = {intro, outro};
	return queue(ctx, "appeal_filed", to, subject, paras, 2);
}

static const char *decision_tr(const char *decision)
{
	if (!strcmp(decision, "accepted"))
		return "itirazın kabulü";
	if (!strcmp(decision, "partially_accepted"))
		return "itirazın kısmen kabulü";
	return "itirazın reddi";
}

enum bm_err ap_mail_decided(struct bm_ctx *ctx, const struct bm_notify_to *to,
                            const char *appeal_no, const char *decision, const char *text,
                            const char *institution_name, time_t reopened_due)
{
	char subject[160], intro[512], until[16], next[768];
	snprintf(subject, sizeof subject,
	         "BİMER: Bilgi Edinme Değerlendirme Kurulu itirazınızı karara bağladı (%s)",
	         to->application_no);
	snprintf(
	    intro, sizeof intro,
	    "Bilgi Edinme Değerlendirme Kurulu %s numaralı itirazınız hakkında %s yönünde karar "
	    "vermiştir. Kararın gerekçesi:",
	    appeal_no, decision_tr(decision));
	if (reopened_due) {
		tr_date(reopened_due, until);
		snprintf(next, sizeof next,
		         "Kurul kararı üzerine başvurunuz %s kurumuna geri gönderilmiştir. Kurum, "
		         "istediğiniz bilgiyi en geç %s tarihine kadar vermekle yükümlüdür.",
		         institution_name ? institution_name : "ilgili", until);
	} else {
		snprintf(
		    next, sizeof next,
		    "Bu karara ve başvurunuzun reddine karşı idari yargı yoluna başvurma hakkınız "
		    "saklıdır.");
	}
	const char *paras[] = {intro, text, next};
	return queue(ctx, "appeal_decided", to, subject, paras, 3);
}
