// SPDX-License-Identifier: MIT
/*
 * bm_req: request accessors and the low-level response writers.
 */
#include "bm_req.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bm_crypto.h"
#include "bm_log.h"

const char *bm_req_env(const struct bm_req *req, const char *name)
{
	return FCGX_GetParam(name, req->fx->envp);
}

const char *bm_req_param(const struct bm_req *req, const char *name)
{
	for (size_t i = 0; i < req->match.nparams; i++)
		if (!strcmp(req->match.params[i].name, name))
			return req->match.params[i].value;
	return NULL;
}

time_t bm_req_now(const struct bm_req *req)
{
	const char *h = req->ctx->cfg->test_clock ? bm_req_env(req, "HTTP_X_TEST_NOW") : NULL;
	struct tm tm = {0};
	int y, mo, d, hh, mi, ss, oh, om;
	char sign;

	if (h &&
	    sscanf(h, "%4d-%2d-%2dT%2d:%2d:%2d%c%2d:%2d", &y, &mo, &d, &hh, &mi, &ss, &sign, &oh,
	           &om) == 9 &&
	    (sign == '+' || sign == '-')) {
		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = d;
		tm.tm_hour = hh;
		tm.tm_min = mi;
		tm.tm_sec = ss;
		long off = (oh * 3600L + om * 60L) * (sign == '+' ? 1 : -1);
		return timegm(&tm) - off;
	}
	return time(NULL);
}

void bm_limit_key_ip(const struct bm_req *req, const char *what, char *out, size_t cap)
{
	snprintf(out, cap, "rl:%s:ip:%s", what, req->remote_addr ? req->remote_addr : "-");
}

void bm_limit_key_hash(const char *what, const unsigned char *hash, char *out, size_t cap)
{
	char hex[33];
	bm_hex(hash, 16, hex);
	snprintf(out, cap, "rl:%s:id:%s", what, hex);
}

bool bm_limit_or_reply(struct bm_req *req, enum bm_rl_mode mode, const struct bm_rl_key *keys,
                       size_t n, bool fail_closed)
{
	struct bm_rl_result worst;
	if (bm_rl_all(req->ctx->redis, mode, keys, n, &worst)) {
		if (fail_closed) {
			bm_reply_error(req, BM_E_UNAVAILABLE);
			return true;
		}
		bm_log(BM_LOG_WARN, req->req_id, "rate limiter unavailable: local fallback");
		worst = (struct bm_rl_result){.allowed = true};
		for (size_t i = 0; mode == BM_RL_HIT && i < n; i++) {
			struct bm_rl_result one;
			bm_rl_local_hit(keys[i].key, keys[i].limit->n, keys[i].limit->window_s,
			                &one);
			if (!one.allowed && (worst.allowed || one.retry_after > worst.retry_after))
				worst = one;
		}
	}
	if (worst.allowed)
		return false;
	bm_reply_rate_limited(req, worst.retry_after);
	return true;
}

enum bm_lang bm_lang_from_header(const char *al)
{
	if (!al)
		return BM_LANG_TR;
	while (*al == ' ' || *al == '\t')
		al++;
	if (!strncasecmp(al, "en", 2) &&
	    (al[2] == '\0' || al[2] == '-' || al[2] == ',' || al[2] == ';' || al[2] == ' '))
		return BM_LANG_EN;
	return BM_LANG_TR;
}

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Status";
	}
}

void bm_reply_raw(struct bm_req *req, int status, const char *content_type,
                  const char *extra_headers, const char *data, size_t len)
{
	if (req->status) { /* a second reply is a bug; never corrupt the stream */
		bm_log(BM_LOG_ERROR, req->req_id, "second reply suppressed (%d after %d)", status,
		       req->status);
		return;
	}
	req->status = status;
	/* libfcgi's printf knows no %zu: format the head ourselves. */
	char head[512];
	int n =
	    snprintf(head, sizeof head,
	             "Status: %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	             "Cache-Control: no-store\r\n%s\r\n",
	             status, reason(status), content_type, len, extra_headers ? extra_headers : "");
	if (n < 0 || (size_t)n >= sizeof head) {
		bm_log(BM_LOG_ERROR, req->req_id, "response head too long");
		return;
	}
	FCGX_PutStr(head, n, req->fx->out);
	if (len && strcmp(req->method ? req->method : "", "HEAD"))
		FCGX_PutStr(data, (int)len, req->fx->out);
}

void bm_reply_json(struct bm_req *req, int status, json_t *body, const char *extra_headers)
{
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (!text) {
		bm_reply_error(req, BM_E_NOMEM);
		return;
	}
	bm_reply_raw(req, status, "application/json", extra_headers, text, strlen(text));
	free(text);
}
