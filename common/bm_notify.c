// SPDX-License-Identifier: MIT
/*
 * bm_notify: Turkish mail texts and their outbox rows. See bm_notify.h.
 */
#include "bm_notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_db.h"
#include "bm_deadline.h"

static const char sql_outbox[] =
	"INSERT INTO outbox (kind, application_id, recipient, subject, body_text, body_html) "
	"VALUES (?, ?, ?, ?, ?, ?)";

int bm_html_escape(const char *s, char *out, size_t cap)
{
	size_t o = 0;
	for (; *s; s++) {
		const char *rep = NULL;
		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		}
		size_t n = rep ? strlen(rep) : 1;
		if (o + n + 1 > cap)
			return -1;
		memcpy(out + o, rep ? rep : s, n);
		o += n;
	}
	out[o] = '\0';
	return (int)o;
}

/* "28.11.2026 23:59" in Istanbul time. */
static void tr_time(time_t t, char out[32])
{
	time_t local = t + 3 * 3600;
	struct tm tm;
	gmtime_r(&local, &tm);
	strftime(out, 32, "%d.%m.%Y %H:%M", &tm);
}

/* "Sayın Ayşe Yılmaz," or a neutral greeting when no name is known. */
static void greeting(const struct bm_notify_to *to, char *out, size_t cap)
{
	if (to->first_name && to->last_name)
		snprintf(out, cap, "Sayın %s %s,", to->first_name, to->last_name);
	else
		snprintf(out, cap, "Sayın başvuru sahibi,");
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

void bm_mail_free(struct bm_mail *m)
{
	free(m->text);
	free(m->html);
	*m = (struct bm_mail){0};
}

/* Render text and HTML of one mail: intro paragraph, one link (may be NULL), closing line. */
static enum bm_err render(const char *kind, const struct bm_notify_to *to, const char *subject,
			  const char *intro, const char *link, const char *outro, struct bm_mail *m)
{
	char hello[256];
	greeting(to, hello, sizeof hello);
	char *e_hello = escaped(hello), *e_intro = escaped(intro), *e_outro = escaped(outro),
	     *e_link = escaped(link ? link : "");
	size_t cap = 2 * (strlen(hello) + strlen(intro) + strlen(outro) + (link ? strlen(link) : 0)) +
		     6 * strlen(intro) + 2048;
	enum bm_err e = BM_E_NOMEM;

	*m = (struct bm_mail){ .kind = kind, .application_id = to->application_id,
			       .recipient = to->email };
	snprintf(m->subject, sizeof m->subject, "%s", subject);
	m->text = malloc(cap);
	m->html = malloc(cap);
	if (!e_hello || !e_intro || !e_outro || !e_link || !m->text || !m->html)
		goto out;
	snprintf(m->text, cap, "%s\n\n%s\n\n%s%s%s\n\nBaşvuru numarası: %s\n\n-- \n"
		 "BİMER — Başbakanlık İletişim Merkezi\nBu e-posta otomatik olarak "
		 "gönderilmiştir; lütfen yanıtlamayınız.\n",
		 hello, intro, link ? link : "", link ? "\n\n" : "", outro, to->application_no);
	snprintf(m->html, cap,
		 "<!DOCTYPE html><html lang=\"tr\"><head><meta charset=\"utf-8\"><title>BİMER</title>"
		 "</head><body><p>%s</p><p style=\"white-space: pre-line\">%s</p>%s%s%s%s%s<p>%s</p>"
		 "<p>Başvuru numarası: <strong>%s</strong></p><hr><p><small>BİMER — Başbakanlık "
		 "İletişim Merkezi. Bu e-posta otomatik olarak gönderilmiştir; lütfen "
		 "yanıtlamayınız.</small></p></body></html>",
		 e_hello, e_intro, link ? "<p><a href=\"" : "", e_link, link ? "\">" : "", e_link,
		 link ? "</a></p>" : "", e_outro, to->application_no);
	e = BM_OK;
out:
	free(e_hello);
	free(e_intro);
	free(e_outro);
	free(e_link);
	if (e)
		bm_mail_free(m);
	return e;
}

enum bm_err bm_mail_queue(struct bm_db *db, const struct bm_mail *m)
{
	if (!m->recipient)
		return BM_OK;
	struct bm_dbp p[] = { BM_DB_STR(m->kind),      BM_DB_INT(m->application_id),
			      BM_DB_STR(m->recipient), BM_DB_STR(m->subject),
			      BM_DB_STR(m->text),      BM_DB_STR(m->html) };
	return bm_db_run(db, sql_outbox, p, 6, NULL);
}

/* Render one mail and write its outbox row (nothing when there is no address). */
static enum bm_err send(struct bm_ctx *ctx, const char *kind, const struct bm_notify_to *to,
			const char *subject, const char *intro, const char *link,
			const char *outro)
{
	struct bm_mail m;
	if (!to->email)
		return BM_OK;
	enum bm_err e = render(kind, to, subject, intro, link, outro, &m);
	if (!e)
		e = bm_mail_queue(ctx->db, &m);
	bm_mail_free(&m);
	return e;
}

enum bm_err bm_notify_verification_render(const struct bm_ctx *ctx,
					  const struct bm_notify_to *to, const char *token,
					  time_t expires, struct bm_mail *m)
{
	char subject[128], link[512], outro[256], until[32];
	tr_time(expires, until);
	snprintf(subject, sizeof subject, "BİMER başvurunuz: e-posta adresinizi doğrulayın (%s)",
		 to->application_no);
	snprintf(link, sizeof link, "%s/dogrulama.html?token=%s", ctx->cfg->public_url, token);
	snprintf(outro, sizeof outro,
		 "Bağlantı %s tarihine kadar geçerlidir. Doğrulanmayan başvurular işleme alınmaz. "
		 "Bu başvuruyu siz yapmadıysanız bu e-postayı dikkate almayınız.",
		 until);
	return render("verification", to, subject,
		      "BİMER'e yaptığınız başvurunun işleme alınabilmesi için e-posta adresinizi "
		      "aşağıdaki bağlantıyla doğrulayınız.",
		      link, outro, m);
}

enum bm_err bm_notify_verification(struct bm_ctx *ctx, const struct bm_notify_to *to,
				   const char *token, time_t expires)
{
	struct bm_mail m;
	if (!to->email)
		return BM_OK;
	enum bm_err e = bm_notify_verification_render(ctx, to, token, expires, &m);
	if (!e)
		e = bm_mail_queue(ctx->db, &m);
	bm_mail_free(&m);
	return e;
}

enum bm_err bm_notify_received(struct bm_ctx *ctx, const struct bm_notify_to *to,
			       const char *tracking_code, time_t due, const char *keyed_channel,
			       bool has_tckn)
{
	static const struct {
		const char *channel, *intro;
	} keyed[] = {
		{ "phone", "Telefonla yaptığınız başvuru kaydedildi ve alındı." },
		{ "fax", "Faksla gönderdiğiniz başvuru kaydedildi ve alındı." },
		{ "letter", "Posta ile gönderdiğiniz başvuru kaydedildi ve alındı." },
		{ "in_person", "Şahsen yaptığınız başvuru kaydedildi ve alındı." },
	};
	char subject[128], link[512], outro[512], until[32], intro[256];
	const char *how = "E-posta adresiniz doğrulandı ve başvurunuz alındı.";
	for (size_t i = 0; keyed_channel && i < sizeof keyed / sizeof keyed[0]; i++)
		if (!strcmp(keyed_channel, keyed[i].channel))
			how = keyed[i].intro;
	snprintf(intro, sizeof intro, "%s Başvurunuz ilgili kuruma iletilecektir.", how);
	tr_time(due, until);
	snprintf(subject, sizeof subject, "BİMER başvurunuz alındı (%s)", to->application_no);
	snprintf(link, sizeof link, "%s/durum.html?kod=%s", ctx->cfg->public_url, tracking_code);
	snprintf(outro, sizeof outro,
		 "Yasal cevap süresi %s tarihinde dolmaktadır. Başvurunuzun durumunu yukarıdaki "
		 "bağlantıdan%s sorgulayabilirsiniz. Takip kodunuzu kimseyle paylaşmayınız.",
		 until,
		 has_tckn ? " ya da T.C. kimlik numaranız ve başvuru numaranızla" : "");
	return send(ctx, "received", to, subject, intro, link, outro);
}

enum bm_err bm_notify_cancelled(struct bm_ctx *ctx, const struct bm_notify_to *to)
{
	char subject[128];
	snprintf(subject, sizeof subject, "BİMER başvurunuz iptal edildi (%s)", to->application_no);
	return send(ctx, "cancelled", to, subject,
		    "Talebiniz üzerine başvurunuz iptal edilmiştir. Başvurunuz hakkında başka bir "
		    "işlem yapılmayacaktır.",
		    NULL, "Bu iptali siz istemediyseniz BİMER'e yeniden başvurabilirsiniz.");
}

static const char appeal_text[] =
	"Bilgi edinme başvurunuzun reddine karşı, yargı yoluna başvurmadan önce, bu bildirimden "
	"itibaren 15 gün içinde Bilgi Edinme Değerlendirme Kurulu'na itiraz edebilirsiniz "
	"(4982 sayılı Kanun md. 13).";

enum bm_err bm_notify_routed(struct bm_ctx *ctx, const struct bm_notify_to *to,
			     const char *institution_name, const char *reason)
{
	char subject[128], intro[1024];
	snprintf(subject, sizeof subject, "BİMER başvurunuz ilgili kuruma iletildi (%s)",
		 to->application_no);
	snprintf(intro, sizeof intro, "Başvurunuz cevaplanmak üzere %s kurumuna iletilmiştir.%s%s",
		 institution_name, reason ? " Gerekçe: " : "", reason ? reason : "");
	return send(ctx, "routed", to, subject, intro, NULL,
		    "Başvurunuzun durumunu T.C. kimlik numaranız ve başvuru numaranızla ya da takip "
		    "kodunuzla sorgulayabilirsiniz.");
}

static const char *outcome_tr(const char *outcome)
{
	if (!strcmp(outcome, "positive"))
		return "olumlu";
	if (!strcmp(outcome, "negative"))
		return "olumsuz";
	if (!strcmp(outcome, "partial"))
		return "kısmen olumlu";
	return "işleme alınmadı";
}

enum bm_err bm_notify_answered(struct bm_ctx *ctx, const struct bm_notify_to *to,
			       const char *institution_name, const char *outcome,
			       const char *reason_code, const char *text, bool appeal_route)
{
	char subject[128], outro[512];
	size_t cap = strlen(text) + strlen(institution_name) + 256;
	char *intro = malloc(cap);
	if (!intro)
		return BM_E_NOMEM;
	snprintf(subject, sizeof subject, "BİMER başvurunuz cevaplandı (%s)", to->application_no);
	snprintf(intro, cap, "%s başvurunuzu cevaplamıştır. Sonuç: %s%s%s%s.\n\n%s",
		 institution_name, outcome_tr(outcome), reason_code ? " (gerekçe kodu: " : "",
		 reason_code ? reason_code : "", reason_code ? ")" : "", text);
	snprintf(outro, sizeof outro, "%s", appeal_route ? appeal_text :
				      "Başvurunuz hakkında yapılan işlemler sisteme kaydedilmiştir.");
	enum bm_err e = send(ctx, "answered", to, subject, intro, NULL, outro);
	free(intro);
	return e;
}

enum bm_err bm_notify_deemed_rejected(struct bm_ctx *ctx, const struct bm_notify_to *to,
				      bool appeal_route)
{
	char subject[128];
	snprintf(subject, sizeof subject, "BİMER başvurunuz reddedilmiş sayıldı (%s)",
		 to->application_no);
	return send(ctx, "deemed_rejected", to, subject,
		    "Başvurunuza yasal süre içinde cevap verilmediğinden başvurunuz 2577 sayılı "
		    "Kanunun 10. maddesi uyarınca reddedilmiş sayılmaktadır.",
		    NULL,
		    appeal_route ? "Bilgi edinme başvurunuz için, dava açma süresinin başladığı "
				   "tarihten itibaren 15 gün içinde Bilgi Edinme Değerlendirme "
				   "Kurulu'na itiraz edebilirsiniz (4982 sayılı Kanun md. 13)." :
				   "İdari yargı yoluna başvurma hakkınız saklıdır.");
}

enum bm_err bm_notify_extended(struct bm_ctx *ctx, const struct bm_notify_to *to,
			       const char *institution_name, const char *reason, time_t due)
{
	char subject[128], until[32];
	size_t cap = strlen(institution_name) + strlen(reason) + 512;
	char *intro = malloc(cap);
	if (!intro)
		return BM_E_NOMEM;
	tr_time(due, until);
	snprintf(subject, sizeof subject, "BİMER başvurunuzun cevap süresi uzatıldı (%s)",
		 to->application_no);
	snprintf(intro, cap,
		 "%s, bilgi edinme başvurunuzun cevaplanması için gereken sürenin uzatıldığını "
		 "bildirmiştir (4982 sayılı Kanun md. 11). Başvurunuz en geç %s tarihinde "
		 "cevaplanacaktır.\n\nGerekçe: %s",
		 institution_name, until, reason);
	enum bm_err e = send(ctx, "extended", to, subject, intro, NULL,
			     "Başvurunuzun durumunu başvuru numaranızla sorgulayabilirsiniz.");
	free(intro);
	return e;
}
