// SPDX-License-Identifier: MIT
/*
 * bm_notify: Turkish mail texts and their outbox rows. See bm_notify.h.
 *
 * Most mails are rendered here and their row holds subject, text and HTML.
 * The verification mail, written with every internet application, holds
 * only its parameters (a small JSON object); the worker renders it with
 * the renderer of its kind (renderers[] below, the same code as a rendered
 * mail) when it delivers it. Another kind moves there with a parameter
 * writer, a field table and a render function.
 */
#include "bm_notify.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_appno.h"
#include "bm_db.h"
#include "bm_deadline.h"
#include "bm_json.h"

static const char sql_outbox[] = BM_MAIL_INSERT_HEAD BM_MAIL_TUPLE;

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
	free(m->params);
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
	size_t cap =
	    2 * (strlen(hello) + strlen(intro) + strlen(outro) + (link ? strlen(link) : 0)) +
	    6 * strlen(intro) + 2048;
	enum bm_err e = BM_E_NOMEM;

	*m = (struct bm_mail){
	    .kind = kind, .application_id = to->application_id, .recipient = to->email};
	snprintf(m->subject, sizeof m->subject, "%s", subject);
	m->text = malloc(cap);
	m->html = malloc(cap);
	if (!e_hello || !e_intro || !e_outro || !e_link || !m->text || !m->html)
		goto out;
	snprintf(m->text, cap,
	         "%s\n\n%s\n\n%s%s%s\n\nBaşvuru numarası: %s\n\n-- \n"
	         "BİMER — Başbakanlık İletişim Merkezi\nBu e-posta otomatik olarak "
	         "gönderilmiştir; lütfen yanıtlamayınız.\n",
	         hello, intro, link ? link : "", link ? "\n\n" : "", outro, to->application_no);
	snprintf(
	    m->html, cap,
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

void bm_mail_values(const struct bm_mail *m, struct bm_dbp p[BM_MAIL_COLS])
{
	p[0] = BM_DB_STR(m->kind);
	p[1] = BM_DB_INT(m->application_id);
	p[2] = BM_DB_STR(m->recipient);
	p[3] = m->params ? BM_DB_NULL() : BM_DB_STR(m->subject);
	p[4] = m->text ? BM_DB_STR(m->text) : BM_DB_NULL();
	p[5] = m->html ? BM_DB_STR(m->html) : BM_DB_NULL();
	p[6] = m->params ? BM_DB_STR(m->params) : BM_DB_NULL();
}

enum bm_err bm_mail_queue(struct bm_db *db, const struct bm_mail *m)
{
	struct bm_dbp p[BM_MAIL_COLS];

	if (!m->recipient)
		return BM_OK;
	bm_mail_values(m, p);
	return bm_db_run(db, sql_outbox, p, BM_MAIL_COLS, NULL);
}

/* Render one mail and write its outbox row (nothing when there is no address). */
static enum bm_err send(struct bm_ctx *ctx, const char *kind, const struct bm_notify_to *to,
                        const char *subject, const char *intro, const char *link, const char *outro)
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

enum bm_err bm_notify_verification_render(const struct bm_ctx *ctx, const struct bm_notify_to *to,
                                          const char *token, time_t expires, struct bm_mail *m)
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

/* Set key to the string s in o, unless s is NULL. Non-zero on failure. */
static int set_str(json_t *o, const char *key, const char *s)
{
	return s ? json_object_set_new(o, key, json_string(s)) : 0;
}

enum bm_err bm_notify_verification_mail(const struct bm_notify_to *to, const char *token,
                                        time_t expires, struct bm_mail *m)
{
	json_t *o = json_object();
	enum bm_err e = BM_E_INTERNAL;

	*m = (struct bm_mail){
	    .kind = "verification", .application_id = to->application_id, .recipient = to->email};
	if (!o || set_str(o, "no", to->application_no) || set_str(o, "first", to->first_name) ||
	    set_str(o, "last", to->last_name) || set_str(o, "token", token) ||
	    json_object_set_new(o, "expires", json_integer((json_int_t)expires)))
		goto out;
	if ((m->params = json_dumps(o, JSON_COMPACT)))
		e = BM_OK;
out:
	json_decref(o);
	return e;
}

enum bm_err bm_notify_verification(struct bm_ctx *ctx, const struct bm_notify_to *to,
                                   const char *token, time_t expires)
{
	struct bm_mail m;
	if (!to->email)
		return BM_OK;
	enum bm_err e = bm_notify_verification_mail(to, token, expires, &m);
	if (!e)
		e = bm_mail_queue(ctx->db, &m);
	bm_mail_free(&m);
	return e;
}

/* ---- rendering at delivery (the worker) ---------------------------------- */

static const char *appno_ok(const json_t *v)
{
	return bm_appno_check(json_string_value(v)) ? NULL : "INVALID_FORMAT";
}

/* What bm_notify_verification_mail writes: names only when known, the token as
 * bm_random_token makes it (base64url), expiry in Unix seconds. */
static const struct bm_field verification_params[] = {
    {.name = "no",
     .type = BM_FT_STRING,
     .flags = BM_FF_REQUIRED,
     .min = 14,
     .max = 16,
     .check = appno_ok},
    {.name = "first", .type = BM_FT_STRING, .min = 1, .max = 100},
    {.name = "last", .type = BM_FT_STRING, .min = 1, .max = 100},
    {.name = "token",
     .type = BM_FT_STRING,
     .flags = BM_FF_REQUIRED,
     .min = 16,
     .max = 128,
     .pattern = "[A-Za-z0-9_-]+"},
    {.name = "expires",
     .type = BM_FT_INT,
     .flags = BM_FF_REQUIRED,
     .min = 1,
     .max = 253402300799LL},
    {0}};

static enum bm_err render_verification(const struct bm_ctx *ctx, const json_t *p, struct bm_mail *m)
{
	const struct bm_notify_to to = {.application_no = bm_json_str(p, "no"),
	                                .first_name = bm_json_str(p, "first"),
	                                .last_name = bm_json_str(p, "last")};
	return bm_notify_verification_render(ctx, &to, bm_json_str(p, "token"),
	                                     (time_t)bm_json_int(p, "expires", 0), m);
}

/* The kinds whose rows hold parameters: their checks and their renderer. */
static const struct {
	const char *kind;
	const struct bm_field *params;
	enum bm_err (*render)(const struct bm_ctx *ctx, const json_t *p, struct bm_mail *m);
} renderers[] = {
    {"verification", verification_params, render_verification},
};

enum bm_err bm_mail_render(const struct bm_ctx *ctx, const char *kind, const char *params,
                           struct bm_mail *m, char *why, size_t whylen)
{
	struct bm_verrs errs = {.lang = BM_LANG_EN};
	size_t i = 0, n = sizeof renderers / sizeof renderers[0];
	json_t *p = NULL;
	enum bm_err e = BM_E_VALIDATION;

	*m = (struct bm_mail){0};
	while (i < n && strcmp(renderers[i].kind, kind))
		i++;
	if (i == n) {
		snprintf(why, whylen, "no renderer for this kind of mail");
		return BM_E_NOT_FOUND;
	}
	if (!params || bm_json_parse(params, strlen(params), 2, &p)) {
		snprintf(why, whylen, "parameters are not well-formed JSON");
		goto out;
	}
	if (bm_json_validate(p, renderers[i].params, &errs)) {
		/* names a parameter we know (an unknown key is not repeated), never a value */
		const struct bm_verr *v = &errs.v[0];
		const char *what = strcmp(v->code, "UNKNOWN_FIELD") ? v->field : "a field";
		snprintf(why, whylen, "bad parameters: %s %s", *what ? what : "the object",
		         v->code);
		goto out;
	}
	if ((e = renderers[i].render(ctx, p, m)))
		snprintf(why, whylen, "cannot render the mail (%s)", bm_err_code(e));
	else
		m->kind = renderers[i].kind;
out:
	json_decref(p);
	return e;
}

enum bm_err bm_notify_received(struct bm_ctx *ctx, const struct bm_notify_to *to,
                               const char *tracking_code, time_t due, const char *keyed_channel,
                               bool has_tckn)
{
	static const struct {
		const char *channel, *intro;
	} keyed[] = {
	    {"phone", "Telefonla yaptığınız başvuru kaydedildi ve alındı."},
	    {"fax", "Faksla gönderdiğiniz başvuru kaydedildi ve alındı."},
	    {"letter", "Posta ile gönderdiğiniz başvuru kaydedildi ve alındı."},
	    {"in_person", "Şahsen yaptığınız başvuru kaydedildi ve alındı."},
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
	         until, has_tckn ? " ya da T.C. kimlik numaranız ve başvuru numaranızla" : "");
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
	return send(
	    ctx, "routed", to, subject, intro, NULL,
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
	snprintf(outro, sizeof outro, "%s",
	         appeal_route ? appeal_text
	                      : "Başvurunuz hakkında yapılan işlemler sisteme kaydedilmiştir.");
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
	                           "Kurulu'na itiraz edebilirsiniz (4982 sayılı Kanun md. 13)."
	                         : "İdari yargı yoluna başvurma hakkınız saklıdır.");
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
