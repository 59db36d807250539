// SPDX-License-Identifier: MIT
/*
 * bm_log: JSON-lines logging with ID-number scrubbing. See bm_log.h.
 */
#include "bm_log.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *log_service = "bimer";
static enum bm_log_level log_min = BM_LOG_INFO;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

void bm_log_init(const char *service, enum bm_log_level min)
{
	log_service = service;
	log_min = min;
}

void bm_log_scrub(char *s)
{
	size_t run = 0;
	for (size_t i = 0;; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			run++;
			continue;
		}
		if (run >= 11)
			memset(s + i - run, '*', run);
		run = 0;
		if (!s[i])
			break;
	}
}

/* Append s to buf as a JSON string body (without quotes), bounded. */
static size_t json_escape(char *buf, size_t cap, size_t at, const char *s)
{
	for (; *s && at + 7 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			buf[at++] = '\\';
			buf[at++] = (char)c;
		} else if (c < 0x20) {
			at += (size_t)snprintf(buf + at, cap - at, "\\u%04x", c);
		} else {
			buf[at++] = (char)c;
		}
	}
	buf[at] = '\0';
	return at;
}

static void timestamp(char *out, size_t n)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t k = strftime(out, n, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + k, n - k, ".%03ldZ", ts.tv_nsec / 1000000);
}

static void emit(enum bm_log_level lvl, const char *req_id, const char *msg, const char *extra)
{
	char line[4096], ts[40];
	size_t at;

	timestamp(ts, sizeof ts);
	at = (size_t)snprintf(line, sizeof line, "{\"ts\":\"%s\",\"level\":\"%s\",\"svc\":\"", ts,
	                      level_names[lvl]);
	at = json_escape(line, sizeof line, at, log_service);
	if (req_id && *req_id) {
		at += (size_t)snprintf(line + at, sizeof line - at, "\",\"req\":\"");
		at = json_escape(line, sizeof line, at, req_id);
	}
	at += (size_t)snprintf(line + at, sizeof line - at, "\",\"msg\":\"");
	at = json_escape(line, sizeof line, at, msg);
	if (at + 2 < sizeof line)
		line[at++] = '"';
	if (extra && at + strlen(extra) + 3 < sizeof line) {
		memcpy(line + at, extra, strlen(extra));
		at += strlen(extra);
	}
	if (at + 2 >= sizeof line)
		at = sizeof line - 3;
	line[at++] = '}';
	line[at++] = '\n';
	line[at] = '\0';
	bm_log_scrub(line);
	ssize_t w = write(STDERR_FILENO, line, at);
	(void)w;
}

void bm_log(enum bm_log_level lvl, const char *req_id, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	if (lvl < log_min)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	emit(lvl, req_id, msg, NULL);
}

void bm_log_request(const char *req_id, const char *method, const char *route, int status,
                    double ms)
{
	char extra[512];
	char m[16] = "", r[256] = "";

	if (log_min > BM_LOG_INFO)
		return;
	json_escape(m, sizeof m, 0, method ? method : "");
	json_escape(r, sizeof r, 0, route ? route : "-");
	snprintf(extra, sizeof extra,
	         ",\"event\":\"request\",\"method\":\"%s\",\"route\":\"%s\","
	         "\"status\":%d,\"ms\":%.3f",
	         m, r, status, ms);
	emit(BM_LOG_INFO, req_id, "request", extra);
}
