// SPDX-License-Identifier: MIT
/*
 * smtp: libcurl's SMTP client for the outbox (see smtp.h). curl's own
 * error buffer is not used: it may quote the server's reply, which can echo
 * the recipient; the reason we keep is curl's error name and the reply code.
 */
#include "smtp.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXAGE_CONN_S 30 /* do not reuse a connection idle for longer */

struct smtp {
	CURL *curl;
	char url[300];
	char mail_from[260];
	long timeout_ms;
	bool (*should_abort)(void *);
	void *arg;
	/* the message being uploaded */
	const char *data;
	size_t len, off;
};

static size_t read_cb(char *buf, size_t size, size_t nitems, void *userp)
{
	struct smtp *s = userp;
	size_t room = size * nitems, left = s->len - s->off;
	size_t n = left < room ? left : room;

	memcpy(buf, s->data + s->off, n);
	s->off += n;
	return n;
}

static int progress_cb(void *userp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
	struct smtp *s = userp;
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return s->should_abort && s->should_abort(s->arg) ? 1 : 0;
}

/* The EHLO domain is the URL's path: give one when the configured URL has none. */
static int make_url(char *out, size_t cap, const char *url)
{
	const char *host = strstr(url, "://");
	bool has_path = host && strchr(host + 3, '/');
	int n = snprintf(out, cap, "%s%s", url, has_path ? "" : "/bimer.gov.tr");
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

struct smtp *smtp_new(const char *url, const char *mail_from, long timeout_s,
                      bool (*should_abort)(void *), void *arg)
{
	struct smtp *s = calloc(1, sizeof *s);

	if (!s)
		return NULL;
	if (make_url(s->url, sizeof s->url, url) ||
	    snprintf(s->mail_from, sizeof s->mail_from, "%s", mail_from) >=
	        (int)sizeof s->mail_from ||
	    !(s->curl = curl_easy_init())) {
		free(s);
		return NULL;
	}
	s->timeout_ms = timeout_s * 1000;
	s->should_abort = should_abort;
	s->arg = arg;
	return s;
}

void smtp_free(struct smtp *s)
{
	if (!s)
		return;
	curl_easy_cleanup(s->curl); /* sends QUIT on a connection still open */
	free(s);
}

static CURLcode set_options(struct smtp *s, struct curl_slist *rcpt)
{
	CURL *c = s->curl;
	CURLcode rc = CURLE_OK;

#define SET(opt, val)                                                                              \
	do {                                                                                       \
		if (rc == CURLE_OK)                                                                \
			rc = curl_easy_setopt(c, opt, val);                                        \
	} while (0)
	SET(CURLOPT_URL, s->url);
	SET(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_CONNECTTIMEOUT_MS, s->timeout_ms);
	SET(CURLOPT_TIMEOUT_MS, s->timeout_ms);
	SET(CURLOPT_MAXAGE_CONN, (long)MAXAGE_CONN_S);
	SET(CURLOPT_MAIL_FROM, s->mail_from);
	SET(CURLOPT_MAIL_RCPT, rcpt);
	SET(CURLOPT_UPLOAD, 1L);
	SET(CURLOPT_READFUNCTION, read_cb);
	SET(CURLOPT_READDATA, s);
	SET(CURLOPT_NOPROGRESS, 0L);
	SET(CURLOPT_XFERINFOFUNCTION, progress_cb);
	SET(CURLOPT_XFERINFODATA, s);
#undef SET
	return rc;
}

static enum smtp_result classify(CURLcode rc)
{
	switch (rc) {
	case CURLE_OK: return SMTP_SENT;
	case CURLE_ABORTED_BY_CALLBACK: return SMTP_ABORTED;
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_OPERATION_TIMEDOUT: return SMTP_SERVER_DOWN;
	default: return SMTP_FAILED;
	}
}

enum smtp_result smtp_send(struct smtp *s, const char *rcpt, const char *msg, size_t len, char *err,
                           size_t errlen)
{
	struct curl_slist *list = NULL;
	char addr[300];
	long code = 0;
	CURLcode rc;

	if (snprintf(addr, sizeof addr, "<%s>", rcpt) >= (int)sizeof addr ||
	    !(list = curl_slist_append(NULL, addr))) {
		snprintf(err, errlen, "cannot prepare the recipient");
		return SMTP_FAILED;
	}
	s->data = msg;
	s->len = len;
	s->off = 0;
	rc = set_options(s, list);
	if (rc == CURLE_OK)
		rc = curl_easy_perform(s->curl);
	curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
	/* The list must not outlive the call: curl keeps only the pointer. */
	curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, (struct curl_slist *)NULL);
	curl_slist_free_all(list);
	s->data = NULL;
	if (rc == CURLE_OK)
		return SMTP_SENT;
	if (code >= 400) /* the server said no (to MAIL, RCPT or DATA) */
		snprintf(err, errlen, "refused by the SMTP server (SMTP %ld)", code);
	else if (code)
		snprintf(err, errlen, "%s (SMTP %ld)", curl_easy_strerror(rc), code);
	else
		snprintf(err, errlen, "%s", curl_easy_strerror(rc));
	return classify(rc);
}
