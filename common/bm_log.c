// SPDX-License-Identifier: MIT
/*
 * bm_log: JSON-lines logging with ID-number scrubbing. See bm_log.h.
 */
#include "bm_log.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *log_service = "bimer";
/* The calling thread's request lines not yet written (bm_log.h) and when the first came. */
static _Thread_local struct {
	size_t len;
	time_t since;
	char buf[BM_LOG_BLOCK];
} held;
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

static void write_all(const char *p, size_t n)
{
	ssize_t w = write(STDERR_FILENO, p, n);
	(void)w; /* a log that cannot be written cannot report it either */
}

void bm_log_flush(void)
{
	if (held.len)
		write_all(held.buf, held.len);
	held.len = 0;
}

bool bm_log_pending(void)
{
	return held.len > 0;
}

/* A request line joins the thread's block; any other line first writes the block out. */
static void out(const char *line, size_t n, bool request)
{
	struct timespec now = {0};
	if (request)
		clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	if (!request || held.len + n > sizeof held.buf || (held.len && now.tv_sec > held.since))
		bm_log_flush();
	if (!request || n > sizeof held.buf) {
		write_all(line, n);
		return;
	}
	if (!held.len)
		held.since = now.tv_sec;
	memcpy(held.buf + held.len, line, n);
	held.len += n;
}

static void emit(enum bm_log_level lvl, const char *req_id, const char *msg, const char *extra,
                 bool request)
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
	out(line, at, request);
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
	emit(lvl, req_id, msg, NULL, false);
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
	emit(BM_LOG_INFO, req_id, "request", extra, true);
}
