// SPDX-License-Identifier: MIT
/*
 * Unit tests of the worker's MIME builder (services/worker/mime.c): a
 * recipient that cannot go in RCPT TO is refused, the Subject is
 * encoded-words, and no line of a body starts with a dot, so a line "."
 * (the end of SMTP's DATA) can never come from a mail's text.
 * tests/fuzz/fuzz_mime.c checks the whole message's invariants.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../services/worker/mime.h"

static char *build(const char *to, const char *subject, const char *text, const char *html)
{
	struct mime_mail m = {.id = 42,
	                      .from = "BİMER <noreply@bimer.gov.tr>",
	                      .to = to,
	                      .subject = subject,
	                      .text = text,
	                      .html = html,
	                      .date = 1767225600};
	char *out = NULL;
	size_t len = 0;
	assert_int_equal(mime_build(&m, &out, &len), BM_OK);
	assert_int_equal(strlen(out), len);
	return out;
}

static void test_refuses_unusable_recipients(void **state)
{
	(void)state;
	static const char *const bad[] = {"",        "no-at-sign",          "a@b@c", "a b@c.d",
	                                  "<a@b.c>", "a@b.c\r\nBcc: x@y.z", "ş@b.c"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct mime_mail m = {
		    .id = 1, .from = "x@y.z", .to = bad[i], .subject = "s", .text = "t"};
		char *out = (char *)1;
		size_t len = 1;
		assert_int_equal(mime_build(&m, &out, &len), BM_E_BAD_REQUEST);
		assert_null(out);
		assert_int_equal(len, 0);
	}
}

static void test_subject_is_encoded_words(void **state)
{
	(void)state;
	char *out = build("a@b.c", "Başvurunuz\r\nBcc: x@y.z", "t", NULL);
	/* "Başvurunuz  Bcc: x@y.z" (CR LF as spaces), base64 */
	assert_non_null(
	    strstr(out, "\r\nSubject: =?UTF-8?B?QmHFn3Z1cnVudXogIEJjYzogeEB5Lno=?=\r\n"));
	assert_null(strstr(out, "\r\nBcc:"));
	free(out);
}

/*
 * Regression: a dot was encoded only when it came at the start of a text
 * line, not when the soft line break quoted-printable inserts before it
 * (a line's 76th character) made it start one. An answer's line of 75
 * characters ending in "." then put a line "." in the message, and only
 * the SMTP client's dot-stuffing kept it from ending the DATA.
 */
static void test_no_body_line_starts_with_a_dot(void **state)
{
	(void)state;
	char text[512] = "";
	for (int i = 0; i < 75; i++)
		strcat(text, "a");
	strcat(text, ".\n.\nson");
	for (int i = 0; i < 74; i++)
		strcat(text, "b");
	strcat(text, "=.");
	char *out = build("a@b.c", "s", text, NULL);
	const char *body = strstr(out, "\r\n\r\n");
	assert_non_null(body);
	for (const char *p = body; (p = strstr(p, "\r\n")); p += 2)
		assert_int_not_equal(p[2], '.');
	assert_non_null(strstr(out, "aaaa=\r\n=2E\r\n=2E\r\n")); /* after the soft break too */
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_refuses_unusable_recipients),
	    cmocka_unit_test(test_subject_is_encoded_words),
	    cmocka_unit_test(test_no_body_line_starts_with_a_dot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
