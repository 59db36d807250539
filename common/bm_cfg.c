// SPDX-License-Identifier: MIT
/*
 * bm_cfg: environment → struct bm_cfg, with defaults and strict parsing.
 */
#include "bm_cfg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bm_parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;

	if (!s || !*s || strlen(s) > 20)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		unsigned d = (unsigned)(*s - '0');
		if (d > max || v > (max - d) / 10) /* d > max: max - d would wrap */
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* Copy env var name (or def) into dst; -1 if it does not fit. */
static int env_str(const char *name, const char *def, char *dst, size_t cap)
{
	const char *v = getenv(name);
	if (!v || !*v)
		v = def;
	if (!v)
		v = "";
	if (strlen(v) >= cap)
		return -1;
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

static int env_uint(const char *name, unsigned long long def, unsigned long long min,
                    unsigned long long max, unsigned long long *out)
{
	const char *v = getenv(name);
	if (!v || !*v) {
		*out = def;
		return 0;
	}
	if (bm_parse_uint(v, max, out) || *out < min)
		return -1;
	return 0;
}

/* "N/S": N hits per S seconds, both positive. */
static int env_limit(const char *name, const char *def, struct bm_limit *out)
{
	const char *v = getenv(name);
	char buf[48], *slash;
	unsigned long long n, w;

	if (!v || !*v)
		v = def;
	if (strlen(v) >= sizeof buf)
		return -1;
	memcpy(buf, v, strlen(v) + 1);
	if (!(slash = strchr(buf, '/')))
		return -1;
	*slash = '\0';
	if (bm_parse_uint(buf, 1000000, &n) || bm_parse_uint(slash + 1, 86400 * 31, &w) || !n || !w)
		return -1;
	out->n = (long)n;
	out->window_s = (long)w;
	return 0;
}

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		snprintf(err, errlen, __VA_ARGS__);                                                \
		return BM_E_CONFIG;                                                                \
	} while (0)

static enum bm_err load_paths(struct bm_cfg *c, char *err, size_t errlen)
{
	char def[BM_CFG_PATH];

	if (env_str("BIMER_VAR_DIR", "var", c->var_dir, sizeof c->var_dir))
		FAIL("BIMER_VAR_DIR is too long");
	if (snprintf(def, sizeof def, "%s/run", c->var_dir) >= (int)sizeof def ||
	    env_str("BIMER_RUN_DIR", def, c->run_dir, sizeof c->run_dir))
		FAIL("BIMER_RUN_DIR is too long");
	if (snprintf(c->socket_path, sizeof c->socket_path, "%s/%s.sock", c->run_dir, c->service) >=
	    (int)sizeof c->socket_path)
		FAIL("BIMER_RUN_DIR is too long for a unix socket path");
	if (env_str("BIMER_JWT_PUBLIC_KEY_FILE", "", c->jwt_public_key_file,
	            sizeof c->jwt_public_key_file) ||
	    env_str("BIMER_JWT_PRIVATE_KEY_FILE", "", c->jwt_private_key_file,
	            sizeof c->jwt_private_key_file) ||
	    env_str("BIMER_DATA_KEY_FILE", "", c->data_key_file, sizeof c->data_key_file) ||
	    env_str("BIMER_HMAC_KEY_FILE", "", c->hmac_key_file, sizeof c->hmac_key_file))
		FAIL("a BIMER_*_KEY_FILE path is too long");
	return BM_OK;
}

static enum bm_err load_mail(struct bm_cfg *c, char *err, size_t errlen)
{
	char def[BM_CFG_PATH];
	unsigned long long v;
	const char *port = getenv("BIMER_HTTP_PORT");

	if (snprintf(def, sizeof def, "%s/attachments", c->var_dir) >= (int)sizeof def ||
	    env_str("BIMER_ATTACHMENT_DIR", def, c->attachment_dir, sizeof c->attachment_dir))
		FAIL("BIMER_ATTACHMENT_DIR is too long");
	snprintf(def, sizeof def, "http://127.0.0.1:%s", port && *port ? port : "8080");
	if (env_str("BIMER_PUBLIC_URL", def, c->public_url, sizeof c->public_url))
		FAIL("BIMER_PUBLIC_URL is too long");
	if (strncmp(c->public_url, "http://", 7) && strncmp(c->public_url, "https://", 8))
		FAIL("BIMER_PUBLIC_URL must start with http:// or https://");
	if (env_str("BIMER_MAIL_FROM", "BIMER <noreply@bimer.gov.tr>", c->mail_from,
	            sizeof c->mail_from))
		FAIL("BIMER_MAIL_FROM is too long");
	if (env_uint("BIMER_VERIFY_TTL_HOURS", 48, 1, 24 * 365, &v))
		FAIL("BIMER_VERIFY_TTL_HOURS must be hours (1-8760)");
	c->verify_ttl_s = (long)v * 3600;
	if (env_uint("BIMER_PETITION_DAYS", 30, 1, 365, &v))
		FAIL("BIMER_PETITION_DAYS must be days (1-365)");
	c->petition_days = (int)v;
	if (env_uint("BIMER_INFO_BUSINESS_DAYS", 15, 1, 365, &v))
		FAIL("BIMER_INFO_BUSINESS_DAYS must be days (1-365)");
	c->info_days = (int)v;
	if (env_uint("BIMER_INFO_EXTENDED_BUSINESS_DAYS", 30, 1, 365, &v))
		FAIL("BIMER_INFO_EXTENDED_BUSINESS_DAYS must be days (1-365)");
	c->info_extended_days = (int)v;
	if (env_uint("BIMER_DEEMED_REJECTION_DAYS", 30, 1, 365, &v))
		FAIL("BIMER_DEEMED_REJECTION_DAYS must be days (1-365)");
	c->deemed_days = (int)v;
	return BM_OK;
}

static enum bm_err load_db(struct bm_cfg *c, char *err, size_t errlen)
{
	unsigned long long v;

	if (env_str("BIMER_DB_HOST", "127.0.0.1", c->db_host, sizeof c->db_host))
		FAIL("BIMER_DB_HOST is too long");
	if (env_uint("BIMER_DB_PORT", 13306, 1, 65535, &v))
		FAIL("BIMER_DB_PORT must be a port number (1-65535)");
	c->db_port = (unsigned)v;
	/* On one machine a Unix socket saves the TCP stack on every statement. */
	if (env_str("BIMER_DB_SOCKET", "", c->db_socket, sizeof c->db_socket))
		FAIL("BIMER_DB_SOCKET is too long for a socket path");
	if (env_str("BIMER_DB_NAME", "bimer", c->db_name, sizeof c->db_name))
		FAIL("BIMER_DB_NAME is too long");
	if (env_str("BIMER_DB_USER", "bimer", c->db_user, sizeof c->db_user))
		FAIL("BIMER_DB_USER is too long");
	if (env_str("BIMER_DB_PASSWORD", "", c->db_password, sizeof c->db_password))
		FAIL("BIMER_DB_PASSWORD is too long");
	if (env_uint("BIMER_DB_TIMEOUT", 5, 1, 300, &v))
		FAIL("BIMER_DB_TIMEOUT must be seconds (1-300)");
	c->db_timeout_s = (unsigned)v;
	return BM_OK;
}

static enum bm_err load_redis(struct bm_cfg *c, char *err, size_t errlen)
{
	unsigned long long v;

	if (env_str("BIMER_REDIS_HOST", "127.0.0.1", c->redis_host, sizeof c->redis_host))
		FAIL("BIMER_REDIS_HOST is too long");
	if (env_uint("BIMER_REDIS_PORT", 16379, 1, 65535, &v))
		FAIL("BIMER_REDIS_PORT must be a port number (1-65535)");
	c->redis_port = (unsigned)v;
	if (env_str("BIMER_REDIS_SOCKET", "", c->redis_socket, sizeof c->redis_socket))
		FAIL("BIMER_REDIS_SOCKET is too long for a socket path");
	if (env_uint("BIMER_REDIS_TIMEOUT_MS", 500, 10, 60000, &v))
		FAIL("BIMER_REDIS_TIMEOUT_MS must be milliseconds (10-60000)");
	c->redis_timeout_ms = (unsigned)v;
	return BM_OK;
}

enum bm_err bm_cfg_load(struct bm_cfg *c, const char *service, char *err, size_t errlen)
{
	unsigned long long v;
	enum bm_err e;

	memset(c, 0, sizeof *c);
	if (strlen(service) >= sizeof c->service)
		FAIL("service name too long");
	memcpy(c->service, service, strlen(service) + 1);
	if ((e = load_paths(c, err, errlen)) || (e = load_db(c, err, errlen)) ||
	    (e = load_redis(c, err, errlen)) || (e = load_mail(c, err, errlen)))
		return e;
	if (env_uint("BIMER_THREADS", 16, 1, 256, &v))
		FAIL("BIMER_THREADS must be a number of threads (1-256)");
	c->threads = (int)v;
	/* BIMER_<SERVICE>_THREADS overrides it for one service: a service that waits on
	 * MariaDB wants more threads than one served from Redis (tests/bench/RESULTS.md). */
	char name[64];
	snprintf(name, sizeof name, "BIMER_%s_THREADS", c->service);
	for (char *p = name; *p; p++)
		*p = (*p >= 'a' && *p <= 'z') ? (char)(*p - 'a' + 'A') : *p;
	if (env_uint(name, (unsigned long long)c->threads, 1, 256, &v))
		FAIL("%s must be a number of threads (1-256)", name);
	c->threads = (int)v;
	if (env_uint("BIMER_MAX_BODY", 1 << 20, 1024, 64 << 20, &v))
		FAIL("BIMER_MAX_BODY must be bytes (1024-67108864)");
	c->max_body = (size_t)v;
	if (env_str("BIMER_SMTP_URL", "smtp://127.0.0.1:12525", c->smtp_url, sizeof c->smtp_url))
		FAIL("BIMER_SMTP_URL is too long");
	if (strncmp(c->smtp_url, "smtp://", 7) != 0)
		FAIL("BIMER_SMTP_URL must be an smtp://host:port URL");
	if (env_limit("BIMER_RL_SUBMIT_IP", "20/3600", &c->rl_submit_ip))
		FAIL("BIMER_RL_SUBMIT_IP must be N/S (N hits per S seconds)");
	if (env_limit("BIMER_RL_SUBMIT_ID", "10/3600", &c->rl_submit_id))
		FAIL("BIMER_RL_SUBMIT_ID must be N/S (N hits per S seconds)");
	if (env_limit("BIMER_RL_RESEND", "3/3600", &c->rl_resend))
		FAIL("BIMER_RL_RESEND must be N/S (N hits per S seconds)");
	if (env_limit("BIMER_RL_RESEND_IP", "30/3600", &c->rl_resend_ip))
		FAIL("BIMER_RL_RESEND_IP must be N/S (N hits per S seconds)");
	if (env_limit("BIMER_RL_UPLOAD_IP", "60/3600", &c->rl_upload_ip))
		FAIL("BIMER_RL_UPLOAD_IP must be N/S (N hits per S seconds)");
	if (env_limit("BIMER_RL_LOGIN_IP", "30/900", &c->rl_login_ip))
		FAIL("BIMER_RL_LOGIN_IP must be N/S (N hits per S seconds)");
	if (env_limit("BIMER_RL_LOGIN_USER", "5/900", &c->rl_login_user))
		FAIL("BIMER_RL_LOGIN_USER must be N/S (N hits per S seconds)");
	if (env_uint("BIMER_ACCESS_TTL", 900, 60, 900, &v))
		FAIL("BIMER_ACCESS_TTL must be seconds (60-900: tokens live at most 15 minutes)");
	c->access_ttl_s = (int)v;
	if (env_uint("BIMER_SESSION_TTL", 43200, 300, 7 * 86400, &v))
		FAIL("BIMER_SESSION_TTL must be seconds (300-604800)");
	c->session_ttl_s = (int)v;
	if (env_uint("BIMER_STATUS_CACHE_S", 600, 0, 86400, &v))
		FAIL("BIMER_STATUS_CACHE_S must be seconds (0-86400)");
	c->status_cache_s = (unsigned)v;
	if (env_uint("BIMER_INTAKE_BATCH", 32, 0, 32, &v))
		FAIL("BIMER_INTAKE_BATCH must be applications per transaction (0-32; 0: off)");
	c->intake_batch = (unsigned)v;
	if (env_uint("BIMER_INTAKE_WRITERS", 2, 1, 8, &v))
		FAIL("BIMER_INTAKE_WRITERS must be a number of threads (1-8)");
	c->intake_writers = (unsigned)v;
	if (env_limit("BIMER_RL_STATUS_IP", "30/600", &c->rl_status_ip))
		FAIL("BIMER_RL_STATUS_IP must be N/S (N hits per S seconds)");
	if (env_limit("BIMER_RL_STATUS_ID", "10/600", &c->rl_status_id))
		FAIL("BIMER_RL_STATUS_ID must be N/S (N hits per S seconds)");
	const char *lvl = getenv("BIMER_LOG_LEVEL");
	if (lvl && *lvl && strcmp(lvl, "debug") && strcmp(lvl, "info"))
		FAIL("BIMER_LOG_LEVEL must be debug or info");
	c->log_debug = lvl && !strcmp(lvl, "debug");
	const char *clock = getenv("BIMER_TEST_CLOCK");
	if (clock && *clock && strcmp(clock, "0") && strcmp(clock, "1"))
		FAIL("BIMER_TEST_CLOCK must be 0 or 1");
	c->test_clock = clock && !strcmp(clock, "1");
	if (c->data_key_file[0] || c->hmac_key_file[0]) {
		if (bm_key_load(c->data_key_file, c->keys.data))
			FAIL("BIMER_DATA_KEY_FILE must name a readable file of 64 hex characters");
		if (bm_key_load(c->hmac_key_file, c->keys.hmac))
			FAIL("BIMER_HMAC_KEY_FILE must name a readable file of 64 hex characters");
		c->have_keys = true;
	}
	return BM_OK;
}
