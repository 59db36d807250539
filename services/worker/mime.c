// SPDX-License-Identifier: MIT
/*
 * mime: builds the MIME message of one outbox row (see mime.h). Bodies are
 * quoted-printable (RFC 2045 6.7): the boundary starts with "=_", which
 * quoted-printable can never produce, so it cannot occur in a body. Line
 * ends are normalised to CRLF; a dot that starts a line is encoded too, so
 * the body never depends on the SMTP client's dot-stuffing.
 */
#include "mime.h"

#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QP_LINE  76 /* RFC 2045: at most 76 characters, the soft break '=' included */
#define EW_BYTES 45 /* UTF-8 bytes per encoded-word: 60 base64 chars, 75 with =?UTF-8?B?…?= */
#define ADDR_MAX 254

struct buf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static void buf_fmt(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void buf_fmt(struct buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof tmp) {
		b->oom = true; /* our own formats are short: a truncation is a bug */
		return;
	}
	buf_add(b, tmp, (size_t)n);
}

bool mime_address_ok(const char *addr)
{
	size_t n = strlen(addr);
	const char *at = strchr(addr, '@');

	if (n == 0 || n > ADDR_MAX || !at || at == addr || !at[1] || strchr(at + 1, '@'))
		return false;
	for (const unsigned char *s = (const unsigned char *)addr; *s; s++)
		if (*s <= ' ' || *s >= 127 || strchr("<>()[]\\,;:\"", *s))
			return false;
	return true;
}

bool mime_envelope_from(const char *from, char *out, size_t cap)
{
	const char *lt = strrchr(from, '<');
	const char *start = from, *end = from + strlen(from);
	char addr[ADDR_MAX + 1];

	if (lt) {
		start = lt + 1;
		end = strchr(start, '>');
		if (!end || end[1] != '\0')
			return false;
	}
	if ((size_t)(end - start) > ADDR_MAX)
		return false;
	memcpy(addr, start, (size_t)(end - start));
	addr[end - start] = '\0';
	if (!mime_address_ok(addr))
		return false;
	return snprintf(out, cap, "<%s>", addr) < (int)cap;
}

/* Length of the UTF-8 prefix of s[0..n) that fits in max bytes without splitting a character. */
static size_t utf8_cut(const unsigned char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	size_t cut = max;
	while (cut > 0 && (s[cut] & 0xC0) == 0x80)
		cut--;
	return cut ? cut : max; /* not UTF-8 at all: cut anywhere */
}

/*
 * RFC 2047 encoded-words for a header value, folded with CRLF SP between
 * words. Control characters become spaces first: an unfolded header value
 * is one line.
 */
static void encoded_words(struct buf *b, const char *value)
{
	size_t n = strlen(value);
	unsigned char *clean = malloc(n + 1);
	unsigned char enc[4 * EW_BYTES / 3 + 4];

	if (!clean) {
		b->oom = true;
		return;
	}
	for (size_t i = 0; i <= n; i++)
		clean[i] = (value[i] > 0 && value[i] < ' ') || value[i] == 127 ? ' ' : value[i];
	for (size_t off = 0; off < n;) {
		size_t take = utf8_cut(clean + off, n - off, EW_BYTES);
		EVP_EncodeBlock(enc, clean + off, (int)take);
		if (off)
			buf_str(b, "\r\n ");
		buf_fmt(b, "=?UTF-8?B?%s?=", enc);
		off += take;
	}
	free(clean);
}

static bool printable_ascii(const char *s)
{
	for (; *s; s++)
		if (*s < ' ' || *s > '~')
			return false;
	return true;
}

/* From: as configured when it is plain ASCII, else the name as encoded-words. */
static void from_header(struct buf *b, const char *from, const char *envelope)
{
	const char *lt = strrchr(from, '<');

	buf_str(b, "From: ");
	if (printable_ascii(from)) {
		buf_str(b, from);
	} else {
		size_t n = lt ? (size_t)(lt - from) : 0;
		while (n && from[n - 1] == ' ')
			n--;
		char *name = strndup(from, n);
		if (!name) {
			b->oom = true;
			return;
		}
		if (n) {
			encoded_words(b, name);
			buf_str(b, " ");
		}
		free(name);
		buf_str(b, envelope);
	}
	buf_str(b, "\r\n");
}

/* One quoted-printable token (a byte, literal or =XX) onto the current line. */
static void qp_token(struct buf *b, size_t *col, const char *tok, size_t n)
{
	if (*col + n > QP_LINE - 1) {
		buf_str(b, "=\r\n");
		*col = 0;
	}
	buf_add(b, tok, n);
	*col += n;
}

/* Quoted-printable body of UTF-8 text; every line end becomes a hard CRLF break. */
static void quoted_printable(struct buf *b, const char *text)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t col = 0;

	for (const unsigned char *s = (const unsigned char *)text; *s; s++) {
		if (*s == '\r' || *s == '\n') {
			if (*s == '\r' && s[1] == '\n')
				s++;
			buf_str(b, "\r\n");
			col = 0;
			continue;
		}
		bool at_eol = s[1] == '\0' || s[1] == '\r' || s[1] == '\n';
		bool literal =
		    (*s > ' ' && *s < 127 && *s != '=') || ((*s == ' ' || *s == '\t') && !at_eol);
		/* A dot that would start a line, at a hard break or after the soft break that
		 * qp_token is about to make, is encoded (a line "." ends SMTP's DATA). */
		if (*s == '.' && (col == 0 || col + 1 > QP_LINE - 1))
			literal = false;
		if (literal) {
			qp_token(b, &col, (const char *)s, 1);
		} else {
			char tok[3] = {'=', hex[*s >> 4], hex[*s & 15]};
			qp_token(b, &col, tok, 3);
		}
	}
	buf_str(b, "\r\n");
}

/* The HTML part when the row has none: the text, escaped, in a minimal Turkish page. */
static void html_from_text(struct buf *b, const char *text)
{
	buf_str(b, "<!DOCTYPE html>\n<html lang=\"tr\"><head><meta charset=\"utf-8\"></head>"
	           "<body><div style=\"white-space:pre-wrap;font-family:sans-serif\">");
	for (const char *s = text; *s; s++) {
		switch (*s) {
		case '<': buf_str(b, "&lt;"); break;
		case '>': buf_str(b, "&gt;"); break;
		case '&': buf_str(b, "&amp;"); break;
		case '"': buf_str(b, "&quot;"); break;
		default: buf_add(b, s, 1);
		}
	}
	buf_str(b, "</div></body></html>\n");
}

static void part(struct buf *b, const char *boundary, const char *type, const char *body)
{
	buf_fmt(b, "--%s\r\n", boundary);
	buf_fmt(b, "Content-Type: %s; charset=UTF-8\r\n", type);
	buf_str(b, "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	quoted_printable(b, body);
}

static void headers(struct buf *b, const struct mime_mail *m, const char *envelope,
                    const char *boundary)
{
	char date[64];
	struct tm tm;

	gmtime_r(&m->date, &tm);
	/* RFC 5322 date; English day and month names whatever the locale. */
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	snprintf(date, sizeof date, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday],
	         tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
	         tm.tm_sec);
	from_header(b, m->from, envelope);
	buf_fmt(b, "To: <%s>\r\n", m->to);
	buf_str(b, "Subject: ");
	encoded_words(b, m->subject);
	buf_str(b, "\r\n");
	buf_fmt(b, "Date: %s\r\n", date);
	buf_fmt(b, "Message-ID: <outbox-%lld@bimer.gov.tr>\r\n", m->id);
	buf_str(b, "MIME-Version: 1.0\r\n");
	buf_str(b, "Auto-Submitted: auto-generated\r\n");
	buf_str(b, "Content-Language: tr\r\n");
	buf_fmt(b, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", boundary);
}

enum bm_err mime_build(const struct mime_mail *m, char **out, size_t *len)
{
	struct buf b = {0}, html = {0};
	char envelope[ADDR_MAX + 3], boundary[64];
	enum bm_err e = BM_OK;

	*out = NULL;
	*len = 0;
	if (!mime_address_ok(m->to) || !mime_envelope_from(m->from, envelope, sizeof envelope))
		return BM_E_BAD_REQUEST;
	snprintf(boundary, sizeof boundary, "=_bimer_outbox_%lld", m->id);
	headers(&b, m, envelope, boundary);
	buf_str(&b, "Bu ileti MIME bicimindedir (metin ve HTML).\r\n\r\n");
	part(&b, boundary, "text/plain", m->text);
	if (m->html && *m->html) {
		part(&b, boundary, "text/html", m->html);
	} else {
		html_from_text(&html, m->text);
		part(&b, boundary, "text/html", html.oom ? "" : html.p);
	}
	buf_fmt(&b, "--%s--\r\n", boundary);
	if (b.oom || html.oom) {
		e = BM_E_NOMEM;
		goto out;
	}
	*out = b.p;
	*len = b.len;
	b.p = NULL;
out:
	free(b.p);
	free(html.p);
	return e;
}
