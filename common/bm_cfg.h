// SPDX-License-Identifier: MIT
/*
 * bm_cfg: the configuration of one process, read once from the environment
 * at start-up into one struct and never written afterwards (threads share
 * it read-only). Every variable, its default and its meaning is listed in
 * the README's configuration table; bm_cfg_load names the first variable
 * that is missing or malformed so start-up errors are clear.
 */
#ifndef BM_CFG_H
#define BM_CFG_H

#include <stdbool.h>
#include <stddef.h>

#include "bm_crypto.h"
#include "bm_err.h"

#define BM_CFG_PATH 512

/* A rate limit: at most n hits per window_s seconds ("N/S" in the environment). */
struct bm_limit {
	long n;
	long window_s;
};

struct bm_cfg {
	char service[32];
	char var_dir[BM_CFG_PATH];
	char run_dir[BM_CFG_PATH];
	char socket_path[BM_CFG_PATH]; /* $BIMER_RUN_DIR/<service>.sock */
	int threads;                   /* BIMER_THREADS */
	size_t max_body;               /* BIMER_MAX_BODY, JSON bodies */
	int log_debug;                 /* BIMER_LOG_LEVEL=debug */
	bool test_clock; /* BIMER_TEST_CLOCK=1: honour X-Test-Now (test stacks only) */

	char db_host[256];
	char db_socket[108]; /* a Unix socket path; when set, host and port are not used */
	unsigned db_port;
	char db_name[64];
	char db_user[64];
	char db_password[256];
	unsigned db_timeout_s; /* connect/read/write timeouts */

	char redis_host[256];
	char redis_socket[108]; /* a Unix socket path; when set, host and port are not used */
	unsigned redis_port;
	unsigned redis_timeout_ms;

	char smtp_url[256];
	char jwt_public_key_file[BM_CFG_PATH];
	char jwt_private_key_file[BM_CFG_PATH];
	char data_key_file[BM_CFG_PATH];
	char hmac_key_file[BM_CFG_PATH];
	char attachment_dir[BM_CFG_PATH]; /* BIMER_ATTACHMENT_DIR, default
	                                     $BIMER_VAR_DIR/attachments */
	char public_url[256];             /* BIMER_PUBLIC_URL: base of links in mails */
	char mail_from[256];              /* BIMER_MAIL_FROM */
	long verify_ttl_s;                /* BIMER_VERIFY_TTL_HOURS (D7), in seconds */

	int petition_days;      /* BIMER_PETITION_DAYS (D1): calendar days */
	int info_days;          /* BIMER_INFO_BUSINESS_DAYS (D2): business days */
	int info_extended_days; /* BIMER_INFO_EXTENDED_BUSINESS_DAYS (D2) */
	int deemed_days;        /* BIMER_DEEMED_REJECTION_DAYS (D4): 30 today, 60 before 2021 */

	struct bm_limit rl_submit_ip; /* BIMER_RL_SUBMIT_IP: submissions per client address */
	struct bm_limit rl_submit_id; /* BIMER_RL_SUBMIT_ID: submissions per ID number */
	struct bm_limit rl_resend;    /* BIMER_RL_RESEND: verification resends per application */
	struct bm_limit
	    rl_resend_ip; /* BIMER_RL_RESEND_IP: verification resends per client address */
	struct bm_limit
	    rl_upload_ip;            /* BIMER_RL_UPLOAD_IP: attachment uploads per client address */
	struct bm_limit rl_login_ip; /* BIMER_RL_LOGIN_IP: failed logins per client address */
	struct bm_limit rl_login_user; /* BIMER_RL_LOGIN_USER: failed logins per user name */
	int access_ttl_s;              /* BIMER_ACCESS_TTL: access token lifetime (≤ 900) */
	int session_ttl_s;             /* BIMER_SESSION_TTL: refresh token / session lifetime */
	unsigned status_cache_s;       /* BIMER_STATUS_CACHE_S: status answers cached (0: off) */
	unsigned intake_batch;         /* BIMER_INTAKE_BATCH: applications per intake transaction
	                                  (1-16; 0: each request writes its own) */
	unsigned intake_writers;      /* BIMER_INTAKE_WRITERS: threads writing those transactions */
	struct bm_limit rl_status_ip; /* BIMER_RL_STATUS_IP: status misses per client address */
	struct bm_limit rl_status_id; /* BIMER_RL_STATUS_ID: status misses per ID number */

	bool have_keys;      /* both key files were set and read */
	struct bm_keys keys; /* the personal-data keys, when have_keys */
};

/*
 * Fill cfg from the environment for the named service. On failure returns
 * BM_E_CONFIG and writes a one-line reason naming the variable to err.
 */
enum bm_err bm_cfg_load(struct bm_cfg *cfg, const char *service, char *err, size_t errlen);

/*
 * Strict unsigned parse of a decimal string: digits only, no sign, no
 * spaces, no overflow past max. Returns 0 on success, -1 otherwise. Used for
 * configuration and for CONTENT_LENGTH.
 */
int bm_parse_uint(const char *s, unsigned long long max, unsigned long long *out);

#endif
