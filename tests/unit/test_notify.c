// SPDX-License-Identifier: MIT
/*
 * Unit tests of bm_notify's mails rendered at delivery: the verification
 * mail's outbox row holds only its parameters (bm_notify_verification_mail),
 * and what the worker renders from them (bm_mail_render) is byte for byte
 * the mail bm_notify_verification_render makes from the same values, and the
 * text pinned below. Parameters that are malformed, incomplete or of a kind
 * without a renderer are refused with a reason that never repeats a value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "bm_appno.h"
#include "bm_cfg.h"
#include "bm_notify.h"

#define TOKEN "Zx9_aB-cD3eF4gH5iJ6kL7mN8oP9qR0sT1uV2wX3yZ4"
/* 2026-03-02T20:59:00Z: 02.03.2026 23:59 in Istanbul */
#define EXPIRES ((time_t)1772485140)

static struct bm_cfg cfg = {.public_url = "https://bimer.example.gov.tr"};
static const struct bm_ctx ctx = {.cfg = &cfg};

static char appno[BM_APPNO_SIZE];

static struct bm_notify_to to(const char *first, const char *last)
{
	return (struct bm_notify_to){.application_id = 42,
	                             .application_no = appno,
	                             .email = "ayse@example.com.tr",
	                             .first_name = first,
	                             .last_name = last};
}

static int setup(void **state)
{
	(void)state;
	bm_appno_format(2026, 1234, appno);
	return 0;
}

/* The row: kind, application, recipient and a small JSON object, no subject or bodies. */
static void test_params_row(void **state)
{
	(void)state;
	const struct bm_notify_to t = to("Ayşe", "Yılmaz");
	struct bm_mail m;
	char want[256];

	assert_int_equal(bm_notify_verification_mail(&t, TOKEN, EXPIRES, &m), BM_OK);
	assert_string_equal(m.kind, "verification");
	assert_int_equal(m.application_id, 42);
	assert_string_equal(m.recipient, "ayse@example.com.tr");
	assert_null(m.text);
	assert_null(m.html);
	snprintf(want, sizeof want,
	         "{\"no\":\"%s\",\"first\":\"Ayşe\",\"last\":\"Yılmaz\",\"token\":\"" TOKEN
	         "\",\"expires\":1772485140}",
	         appno);
	assert_string_equal(m.params, want);
	assert_true(strlen(m.params) < 160);

	struct bm_dbp p[BM_MAIL_COLS];
	bm_mail_values(&m, p);
	assert_int_equal(p[3].type, BM_DBP_NULL); /* subject */
	assert_int_equal(p[4].type, BM_DBP_NULL); /* body_text */
	assert_int_equal(p[5].type, BM_DBP_NULL); /* body_html */
	assert_int_equal(p[6].type, BM_DBP_STR);
	assert_int_equal(p[6].len, strlen(m.params));
	bm_mail_free(&m);

	/* no names known: no keys for them */
	const struct bm_notify_to anon = to(NULL, NULL);
	assert_int_equal(bm_notify_verification_mail(&anon, TOKEN, EXPIRES, &m), BM_OK);
	assert_null(strstr(m.params, "first"));
	assert_null(strstr(m.params, "last"));
	bm_mail_free(&m);
}

/* Rendering the row's parameters gives exactly the mail rendered from the values. */
static void same_mail(const char *first, const char *last)
{
	const struct bm_notify_to t = to(first, last);
	struct bm_mail row, direct, rendered;
	char why[200] = "";

	assert_int_equal(bm_notify_verification_mail(&t, TOKEN, EXPIRES, &row), BM_OK);
	assert_int_equal(bm_notify_verification_render(&ctx, &t, TOKEN, EXPIRES, &direct), BM_OK);
	assert_int_equal(
	    bm_mail_render(&ctx, "verification", row.params, &rendered, why, sizeof why), BM_OK);
	assert_string_equal(rendered.kind, "verification");
	assert_string_equal(rendered.subject, direct.subject);
	assert_string_equal(rendered.text, direct.text);
	assert_string_equal(rendered.html, direct.html);
	bm_mail_free(&row);
	bm_mail_free(&direct);
	bm_mail_free(&rendered);
}

static void test_rendered_equals_direct(void **state)
{
	(void)state;
	same_mail("Ayşe", "Yılmaz");
	same_mail("Jean-Luc \"J\" <b>O'Neil</b> \\", "Çağlar & Şahin");
	same_mail(NULL, NULL);
	same_mail("Ayşe", NULL);
}

/* The mail as it was before the move (pinned): subject, text and the link in the HTML. */
static void test_pinned_text(void **state)
{
	(void)state;
	const struct bm_notify_to t = to("Ayşe", "Yılmaz");
	struct bm_mail row, m;
	char why[200], want[2048];

	assert_int_equal(bm_notify_verification_mail(&t, TOKEN, EXPIRES, &row), BM_OK);
	assert_int_equal(bm_mail_render(&ctx, "verification", row.params, &m, why, sizeof why),
	                 BM_OK);
	snprintf(want, sizeof want, "BİMER başvurunuz: e-posta adresinizi doğrulayın (%s)", appno);
	assert_string_equal(m.subject, want);
	snprintf(want, sizeof want,
	         "Sayın Ayşe Yılmaz,\n\nBİMER'e yaptığınız başvurunun işleme alınabilmesi için "
	         "e-posta adresinizi aşağıdaki bağlantıyla doğrulayınız.\n\n"
	         "https://bimer.example.gov.tr/dogrulama.html?token=" TOKEN "\n\n"
	         "Bağlantı 02.03.2026 23:59 tarihine kadar geçerlidir. Doğrulanmayan başvurular "
	         "işleme alınmaz. Bu başvuruyu siz yapmadıysanız bu e-postayı dikkate "
	         "almayınız.\n\nBaşvuru numarası: %s\n\n-- \nBİMER — Başbakanlık İletişim "
	         "Merkezi\nBu e-posta otomatik olarak gönderilmiştir; lütfen yanıtlamayınız.\n",
	         appno);
	assert_string_equal(m.text, want);
	assert_non_null(strstr(m.html, "<p><a href=\"https://bimer.example.gov.tr/"
	                               "dogrulama.html?token=" TOKEN "\">"));
	assert_non_null(strstr(m.html, "<p>Sayın Ayşe Yılmaz,</p>"));
	snprintf(want, sizeof want, "Başvuru numarası: <strong>%s</strong>", appno);
	assert_non_null(strstr(m.html, want));
	bm_mail_free(&row);
	bm_mail_free(&m);
}

/* A refused row: the error, a reason, no mail, and no value in the reason. */
static void refused(const char *kind, const char *params, enum bm_err want, const char *reason)
{
	struct bm_mail m;
	char why[200] = "";

	assert_int_equal(bm_mail_render(&ctx, kind, params, &m, why, sizeof why), want);
	assert_null(m.text);
	assert_null(m.html);
	if (!strstr(why, reason))
		fail_msg("%s: reason \"%s\" lacks \"%s\"", params ? params : "(null)", why, reason);
	assert_null(strstr(why, "Zx9"));
	assert_null(strstr(why, "Ayşe"));
	assert_null(strstr(why, "evil"));
}

static void test_refused(void **state)
{
	(void)state;
	char p[512];
	const char *ok_tail = "\"token\":\"" TOKEN "\",\"expires\":1772485140}";

	refused("verification", NULL, BM_E_VALIDATION, "not well-formed");
	refused("verification", "", BM_E_VALIDATION, "not well-formed");
	refused("verification", "{\"no\":", BM_E_VALIDATION, "not well-formed");
	refused("verification", "[1,2]", BM_E_VALIDATION, "the object INVALID_TYPE");
	refused("verification", "{\"no\":\"x\",\"no\":\"y\"}", BM_E_VALIDATION, "not well-formed");
	snprintf(p, sizeof p, "{\"no\":\"%s\",\"expires\":1772485140}", appno);
	refused("verification", p, BM_E_VALIDATION, "token REQUIRED");
	snprintf(p, sizeof p, "{\"no\":\"%s\",\"token\":\"Zx9 bad/token?xxxxxxxx\",\"expires\":1}",
	         appno);
	refused("verification", p, BM_E_VALIDATION, "token INVALID_FORMAT");
	snprintf(p, sizeof p, "{\"no\":\"%s\",\"token\":12,\"expires\":1}", appno);
	refused("verification", p, BM_E_VALIDATION, "token INVALID_TYPE");
	snprintf(p, sizeof p, "{\"no\":\"%s\",\"token\":\"" TOKEN "\",\"expires\":\"soon\"}",
	         appno);
	refused("verification", p, BM_E_VALIDATION, "expires INVALID_TYPE");
	snprintf(p, sizeof p, "{\"no\":\"%s\",\"token\":\"" TOKEN "\",\"expires\":0}", appno);
	refused("verification", p, BM_E_VALIDATION, "expires OUT_OF_RANGE");
	snprintf(p, sizeof p, "{\"no\":\"2026-0001234-1\",%s", ok_tail);
	refused("verification", p, BM_E_VALIDATION, "no INVALID_FORMAT");
	snprintf(p, sizeof p, "{\"no\":\"%s\",\"evil\":1,%s", appno, ok_tail);
	refused("verification", p, BM_E_VALIDATION, "a field UNKNOWN_FIELD");
	snprintf(p, sizeof p, "{\"no\":\"%s\",\"first\":\"Ayşe\\u0007\",%s", appno, ok_tail);
	refused("verification", p, BM_E_VALIDATION, "first CONTROL_CHARACTER");
	snprintf(p, sizeof p, "{\"no\":\"%s\",\"first\":null,%s", appno, ok_tail);
	refused("verification", p, BM_E_VALIDATION, "first INVALID_TYPE");
	snprintf(p, sizeof p, "{\"no\":\"%s\",%s", appno, ok_tail);
	refused("received", p, BM_E_NOT_FOUND, "no renderer");
	refused("evil_kind", NULL, BM_E_NOT_FOUND, "no renderer");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_params_row),
	    cmocka_unit_test(test_rendered_equals_direct),
	    cmocka_unit_test(test_pinned_text),
	    cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
