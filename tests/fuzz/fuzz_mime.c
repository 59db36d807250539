// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the mail the worker sends (services/worker/mime.c):
 * mime_build with a recipient, subject, text and HTML taken from the input.
 * Those come from outbox rows, that is from what citizens and institutions
 * typed (names, answers), so they are hostile.
 *
 * Input: a flags byte (bit 0: no HTML part given; bits 1-2: which From the
 * configuration has), then to, subject, text and html separated by NULs.
 *
 * It asserts what SMTP and the mail readers rely on: the only refusal is
 * an unusable recipient; the message is 7-bit ASCII with CRLF line ends
 * only, every line within 998 bytes and every body line within 76; the
 * header block holds exactly our headers, once each, nothing injected; the
 * Subject's encoded-words decode back to the subject (control characters
 * as spaces); there are exactly two parts between boundary lines, and each
 * part's quoted-printable decodes back to its input with line ends as
 * CRLF; and no body line starts with a dot (mime.c promises a body that
 * does not depend on the SMTP client's dot-stuffing).
 */
#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const froms[] = {"BIMER <noreply@bimer.gov.tr>", "noreply@bimer.gov.tr",
                                    "BİMER Bilgilendirme <noreply@bimer.gov.tr>",
                                    "Cumhurbaşkanlığı İletişim Merkezi <bilgi@cimer.gov.tr>"};

static const char *const header_names[] = {
    "From",        "To",           "Subject",        "Date",
    "Message-ID",  "MIME-Version", "Auto-Submitted", "Content-Language",
    "Content-Type"};
#define NHEADERS (sizeof header_names / sizeof *header_names)

/* The next field of the input (up to a NUL or the end), NUL-terminated in a new buffer. */
static char *field(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *nul = memchr(*p, '\0', (size_t)(end - *p));
	size_t n = nul ? (size_t)(nul - *p) : (size_t)(end - *p);
	char *s = strndup((const char *)*p, n);
	*p = nul ? nul + 1 : end;
	FUZZ_ASSERT(s, "memory for a field");
	return s;
}

/* What a text should decode back to: each CRLF, CR or LF as CRLF, and a final CRLF. */
static char *crlf_normalised(const char *s)
{
	char *out = malloc(2 * strlen(s) + 3), *o = out;
	FUZZ_ASSERT(out, "memory");
	for (; *s; s++) {
		if (*s == '\r' || *s == '\n') {
			if (*s == '\r' && s[1] == '\n')
				s++;
			*o++ = '\r';
			*o++ = '\n';
		} else {
			*o++ = *s;
		}
	}
	strcpy(o, "\r\n");
	return out;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/*
 * Decode quoted-printable lines [p, end) (each ending in CRLF) into a new
 * string, checking the encoding as it goes: '=' only as =XX or a soft
 * break, no whitespace at a line's end, no line over 76, none starting
 * with a dot.
 */
static char *qp_decode(const char *p, const char *end)
{
	char *out = malloc((size_t)(end - p) + 1), *o = out;
	FUZZ_ASSERT(out, "memory");
	while (p < end) {
		const char *eol = strstr(p, "\r\n");
		FUZZ_ASSERT(eol && eol < end, "each body line ends in CRLF");
		size_t n = (size_t)(eol - p);
		FUZZ_ASSERT(n <= 76, "quoted-printable lines stay within 76");
		FUZZ_ASSERT(n == 0 || p[0] != '.', "no body line starts with a dot");
		FUZZ_ASSERT(n == 0 || (p[n - 1] != ' ' && p[n - 1] != '\t'),
		            "no whitespace at a line's end");
		bool soft = n > 0 && p[n - 1] == '=';
		size_t content = n - soft; /* the line without its soft break */
		for (size_t i = 0; i < content; i++) {
			if (p[i] != '=') {
				*o++ = p[i];
				continue;
			}
			FUZZ_ASSERT(i + 2 < content && hexval(p[i + 1]) >= 0 &&
			                hexval(p[i + 2]) >= 0,
			            "'=' only as =XX");
			*o++ = (char)(hexval(p[i + 1]) * 16 + hexval(p[i + 2]));
			i += 2;
		}
		if (!soft) {
			*o++ = '\r';
			*o++ = '\n';
		}
		p = eol + 2;
	}
	*o = '\0';
	return out;
}

/* The Subject's encoded-words, decoded and joined (folding removed). */
static void check_subject(const char *value, const char *subject)
{
	size_t n = strlen(subject);
	unsigned char *got = malloc(n + 64), *g = got;
	FUZZ_ASSERT(got, "memory");
	const char *p = value;
	while (*p) {
		if (p != value) {
			FUZZ_ASSERT(!strncmp(p, "\r\n ", 3),
			            "encoded-words are folded with CRLF SP");
			p += 3;
		}
		FUZZ_ASSERT(!strncmp(p, "=?UTF-8?B?", 10), "an encoded-word");
		p += 10;
		const char *q = strstr(p, "?=");
		FUZZ_ASSERT(q && q - p <= 64 && (q - p) % 4 == 0, "base64 of at most 45 bytes");
		int len = EVP_DecodeBlock(g, (const unsigned char *)p, (int)(q - p));
		FUZZ_ASSERT(len >= 0, "valid base64");
		len -= (q[-1] == '=') + (q - p >= 2 && q[-2] == '=');
		FUZZ_ASSERT((size_t)(g - got) + (size_t)len <= n, "no more than the subject");
		g += len;
		p = q + 2;
	}
	FUZZ_ASSERT((size_t)(g - got) == n, "the whole subject");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)subject[i];
		unsigned char want = c < ' ' || c == 127 ? ' ' : c;
		FUZZ_ASSERT(got[i] == want, "the subject, control characters as spaces");
	}
	free(got);
}

/* Check the header block [msg, body) and return nothing; counts each name once. */
static void check_headers(const char *msg, const char *body, const struct mime_mail *m)
{
	int seen[NHEADERS] = {0};
	const char *p = msg;
	while (p < body) {
		const char *eol = strstr(p, "\r\n");
		const char *colon = memchr(p, ':', (size_t)(eol - p));
		FUZZ_ASSERT(p[0] != ' ', "a header starts at a name");
		FUZZ_ASSERT(colon && colon[1] == ' ', "Name: value");
		size_t k = 0;
		while (k < NHEADERS && (strlen(header_names[k]) != (size_t)(colon - p) ||
		                        strncmp(p, header_names[k], (size_t)(colon - p))))
			k++;
		FUZZ_ASSERT(k < NHEADERS, "only our headers");
		seen[k]++;
		/* its value runs on over continuation lines that start with a space */
		const char *v = colon + 2, *vend = eol;
		while (vend + 2 < body && vend[2] == ' ')
			vend = strstr(vend + 2, "\r\n");
		if (!strcmp(header_names[k], "Subject")) {
			char *value = strndup(v, (size_t)(vend - v));
			FUZZ_ASSERT(value, "memory");
			check_subject(value, m->subject);
			free(value);
		}
		if (!strcmp(header_names[k], "To")) {
			FUZZ_ASSERT((size_t)(vend - v) == strlen(m->to) + 2 && v[0] == '<' &&
			                !strncmp(v + 1, m->to, strlen(m->to)),
			            "To: <the recipient>");
		}
		p = vend + 2;
	}
	for (size_t k = 0; k < NHEADERS; k++)
		FUZZ_ASSERT(seen[k] == 1, "every header exactly once");
}

/* The part after the delimiter line at p: its two headers, then quoted-printable to next. */
static void check_part(const char *p, const char *next, const char *type, const char *want)
{
	char head[128];
	snprintf(head, sizeof head,
	         "Content-Type: %s; charset=UTF-8\r\nContent-Transfer-Encoding: "
	         "quoted-printable\r\n\r\n",
	         type);
	FUZZ_ASSERT(!strncmp(p, head, strlen(head)), "the part's headers");
	char *got = qp_decode(p + strlen(head), next);
	if (want) {
		char *norm = crlf_normalised(want);
		FUZZ_ASSERT(!strcmp(got, norm), "the part decodes back to its text");
		free(norm);
	} else {
		FUZZ_ASSERT(!strncmp(got, "<!DOCTYPE html>", 15), "the HTML made from the text");
	}
	free(got);
}

static void check_message(const char *msg, size_t len, const struct mime_mail *m)
{
	FUZZ_ASSERT(strlen(msg) == len, "len is the message's length");
	FUZZ_ASSERT(len >= 2 && !strcmp(msg + len - 2, "\r\n"), "ends with CRLF");
	size_t line = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)msg[i];
		FUZZ_ASSERT(c < 128, "7-bit ASCII");
		FUZZ_ASSERT(c != '\r' || msg[i + 1] == '\n', "no bare CR");
		FUZZ_ASSERT(c != '\n' || (i > 0 && msg[i - 1] == '\r'), "no bare LF");
		line = c == '\n' ? 0 : line + 1;
		FUZZ_ASSERT(line <= 999, "lines within 998 bytes and CR");
	}
	const char *body = strstr(msg, "\r\n\r\n");
	FUZZ_ASSERT(body, "a header block");
	check_headers(msg, body + 2, m);

	char delim[96];
	int dn = snprintf(delim, sizeof delim, "\r\n--=_bimer_outbox_%lld", m->id);
	const char *d1 = strstr(body, delim);
	FUZZ_ASSERT(d1 && !strncmp(d1 + dn, "\r\n", 2), "the first part");
	const char *d2 = strstr(d1 + dn, delim);
	FUZZ_ASSERT(d2 && !strncmp(d2 + dn, "\r\n", 2), "the second part");
	const char *d3 = strstr(d2 + dn, delim);
	FUZZ_ASSERT(d3 && !strcmp(d3 + dn, "--\r\n"), "the closing delimiter ends the message");
	check_part(d1 + dn + 2, d2 + 2, "text/plain", m->text);
	check_part(d2 + dn + 2, d3 + 2, "text/html", m->html && *m->html ? m->html : NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	const uint8_t *p = data + 1, *end = data + size;
	char *to = field(&p, end), *subject = field(&p, end), *text = field(&p, end);
	char *html = field(&p, end);
	struct mime_mail m = {.id = (long long)size * 7919,
	                      .from = froms[(data[0] >> 1) & 3],
	                      .to = to,
	                      .subject = subject,
	                      .text = text,
	                      .html = data[0] & 1 ? NULL : html,
	                      .date = (time_t)1767225600 + (time_t)size * 86399};
	char *msg = NULL;
	size_t len = 0;
	enum bm_err e = mime_build(&m, &msg, &len);

	if (!mime_address_ok(to)) {
		FUZZ_ASSERT(e == BM_E_BAD_REQUEST && !msg && len == 0, "an unusable recipient");
	} else {
		FUZZ_ASSERT(e == BM_OK && msg, "every usable recipient gets a message");
		check_message(msg, len, &m);
	}
	free(msg);
	free(to);
	free(subject);
	free(text);
	free(html);
	return 0;
}
