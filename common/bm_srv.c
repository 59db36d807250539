// SPDX-License-Identifier: MIT
/*
 * bm_srv: the threaded FastCGI loop and the request guard chain. See
 * bm_srv.h.
 *
 * Connections: the threads take their requests through bm_conn (one epoll
 * set with the listening socket and the idle kept connections), so nginx
 * may keep upstream connections without each one pinning a thread.
 *
 * Shutdown: libfcgi installs its own SIGTERM handler, so every thread
 * blocks SIGTERM/SIGINT and the main thread waits for them with sigwait.
 * It then marks the stop, wakes every thread waiting for a connection
 * (bm_conns_stop), shuts the listening socket down (new connections are
 * refused), lets running requests finish and joins the threads. A
 * thread still reading a request past the grace period is nudged with
 * SIGUSR2, whose handler does nothing but interrupt that read.
 */
#include "bm_srv.h"

#include <errno.h>
#include <malloc.h>
#include <mysql.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "bm_auth.h"
#include "bm_cache.h"
#include "bm_cal.h"
#include "bm_cfg.h"
#include "bm_conn.h"
#include "bm_db.h"
#include "bm_json.h"
#include "bm_log.h"
#include "bm_metrics.h"
#include "bm_query.h"
#include "bm_req.h"
#include "bm_stcache.h"

#define GRACE_MS 3000
#define NUDGE_MS 7000

struct bm_srv;

struct bm_thread {
	pthread_t tid;
	struct bm_srv *srv;
	struct bm_ctx ctx;
	atomic_bool busy, done;
};

struct bm_srv {
	const struct bm_service *svc;
	struct bm_cfg cfg;
	struct bm_route *routes; /* the service's lines + health + metrics */
	size_t nroutes;
	char health_path[96];
	int listen_fd;
	struct bm_conns conns;
	atomic_bool stop;
	struct bm_metrics *metrics;
	struct bm_thread *threads;
	struct bm_jwt_keys jwt;
	bool have_jwt;
};

/* ---- built-in routes ---------------------------------------------------- */

/* GET /api/v1/<svc>/health: 200 when MariaDB and Redis answer, else 503 naming what fails. */
static void handle_health(struct bm_req *req)
{
	bool db = bm_db_ping(req->ctx->db) == BM_OK;
	bool rd = bm_redis_ping(req->ctx->redis) == BM_OK;
	json_t *body = json_pack("{s:s, s:{s:s, s:s}}", "status", db && rd ? "ok" : "fail",
	                         "checks", "db", db ? "ok" : "fail", "redis", rd ? "ok" : "fail");
	bm_reply_json(req, db && rd ? 200 : 503, body, NULL);
}

/* GET /internal/metrics: only when nginx's internal location set BIMER_INTERNAL=1. */
static void handle_metrics(struct bm_req *req)
{
	const char *internal = bm_req_env(req, "BIMER_INTERNAL");
	if (!internal || strcmp(internal, "1")) {
		bm_reply_error(req, BM_E_NOT_FOUND);
		return;
	}
	char *text = bm_metrics_render(req->ctx->metrics, req->ctx->db);
	if (!text) {
		bm_reply_error(req, BM_E_NOMEM);
		return;
	}
	bm_reply_raw(req, 200, "text/plain; version=0.0.4", NULL, text, strlen(text));
	free(text);
}

/* ---- the guard chain ------------------------------------------------------ */

/* Is ctype the media type want, with at most a charset=utf-8 parameter? */
static bool media_is(const char *ctype, const char *want)
{
	size_t n = strlen(want);
	if (!ctype || strncasecmp(ctype, want, n))
		return false;
	const char *p = ctype + n;
	while (*p == ' ')
		p++;
	if (!*p)
		return true;
	if (*p++ != ';')
		return false;
	while (*p == ' ')
		p++;
	return !strcasecmp(p, "charset=utf-8") || !strcasecmp(p, "charset=\"utf-8\"");
}

/* CONTENT_LENGTH (see bm_srv.h): exported so the fuzz harness drives this very parse. */
enum bm_err bm_srv_content_length_parse(const char *cl, size_t cap, size_t *len)
{
	unsigned long long v = 0;

	*len = 0;
	if (!cl || !*cl)
		return BM_OK;
	if (bm_parse_uint(cl, (unsigned long long)1 << 40, &v))
		return BM_E_BAD_REQUEST;
	if (v > cap)
		return BM_E_TOO_LARGE;
	*len = (size_t)v;
	return BM_OK;
}

/* Read exactly len bytes; a body shorter than it claimed is a bad request. */
static enum bm_err read_body(struct bm_req *req, size_t len)
{
	req->body = malloc(len + 1);
	if (!req->body)
		return BM_E_NOMEM;
	size_t got = 0;
	while (got < len) {
		int want = len - got > (1u << 30) ? 1 << 30 : (int)(len - got);
		int k = FCGX_GetStr(req->body + got, want, req->fx->in);
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	req->body[got] = '\0';
	req->body_len = got;
	return got == len ? BM_OK : BM_E_BAD_REQUEST;
}

static enum bm_err media_gate(const struct bm_route *r, const char *ctype)
{
	if (r->body == BM_BODY_JSON && !media_is(ctype, "application/json"))
		return BM_E_MEDIA_TYPE;
	if (r->body == BM_BODY_FORM && !media_is(ctype, "application/x-www-form-urlencoded"))
		return BM_E_MEDIA_TYPE;
	return BM_OK;
}

static const struct bm_field no_fields[] = {{0}};

/* "Bearer <token>" → the token, or NULL. */
static const char *bearer(const struct bm_req *req)
{
	const char *h = bm_req_env(req, "HTTP_AUTHORIZATION");
	if (!h || strncasecmp(h, "Bearer ", 7))
		return NULL;
	h += 7;
	while (*h == ' ')
		h++;
	return *h ? h : NULL;
}

/* A logged-out token (its jti) or session (its sid) is refused until it expires. */
static enum bm_err revoked(struct bm_req *req, bool *yes)
{
	char jti[96], sid[96];
	snprintf(jti, sizeof jti, "bimer:revoked:jti:%s", req->who.jti);
	snprintf(sid, sizeof sid, "bimer:revoked:sid:%s", req->who.sid[0] ? req->who.sid : "-");
	const char *argv[] = {"EXISTS", jti, sid};
	redisReply *r = bm_redis_cmd(req->ctx->redis, 3, argv, NULL);
	if (!r)
		return BM_E_UNAVAILABLE;
	enum bm_err e = r->type == REDIS_REPLY_INTEGER ? BM_OK : BM_E_UNAVAILABLE;
	*yes = r->type == REDIS_REPLY_INTEGER && r->integer > 0;
	freeReplyObject(r);
	return e;
}

/* 401 without a valid, unrevoked token; 403 when its roles do not fit the route, or when an
 * agency token (an institution's own system) lacks the scope the route needs. */
static enum bm_err authorize(struct bm_req *req, unsigned roles, unsigned scope)
{
	bool yes = false;
	if (!req->ctx->jwt ||
	    bm_jwt_verify(req->ctx->jwt, bearer(req), time(NULL), &req->who) != BM_OK)
		return BM_E_UNAUTHORIZED;
	enum bm_err e = revoked(req, &yes);
	if (e)
		return e;
	if (yes)
		return BM_E_UNAUTHORIZED;
	if (!(req->who.roles & roles))
		return BM_E_FORBIDDEN;
	/* a token that is only an agency's acts within its scopes */
	if (req->who.roles == BM_ROLE_AGENCY && !(scope && (req->who.scopes & scope)))
		return BM_E_FORBIDDEN;
	return BM_OK;
}

/* Everything before the handler; answers and returns false when a guard fails. */
static bool guard_or_reply(struct bm_srv *srv, struct bm_req *req)
{
	enum bm_err e;
	size_t len;

	if (!req->method || !req->path || req->path[0] != '/') {
		bm_reply_error(req, BM_E_BAD_REQUEST);
		return false;
	}
	if ((e = bm_route_find(srv->routes, srv->nroutes, req->method, req->path, &req->match))) {
		bm_reply_error(req, e);
		return false;
	}
	const struct bm_route *r = req->match.route;
	if (r->roles && (e = authorize(req, r->roles, r->scope))) {
		bm_reply_error(req, e);
		return false;
	}
	if ((e = bm_query_parse(req->query, strlen(req->query), &req->qs))) {
		bm_reply_error(req, e);
		return false;
	}
	if (json_object_size(req->qs) &&
	    bm_json_validate(req->qs, r->query ? r->query : no_fields, &req->errs)) {
		bm_reply_error(req, BM_E_VALIDATION);
		return false;
	}
	if (r->body == BM_BODY_NONE)
		return true;
	if ((e = bm_srv_content_length_parse(bm_req_env(req, "CONTENT_LENGTH"),
	                                     r->max_body ? r->max_body : srv->cfg.max_body,
	                                     &len)) ||
	    (e = media_gate(r, req->content_type)) || (e = read_body(req, len))) {
		bm_reply_error(req, e);
		return false;
	}
	if (r->body == BM_BODY_RAW)
		return true;
	if (r->body == BM_BODY_FORM)
		e = bm_query_parse(req->body, req->body_len, &req->json);
	else if ((e = bm_json_parse(req->body, req->body_len, BM_JSON_MAX_DEPTH, &req->json)) ||
	         !json_is_object(req->json))
		e = BM_E_MALFORMED_JSON;
	if (e) {
		bm_reply_error(req, e);
		return false;
	}
	if (r->fields && bm_json_validate(req->json, r->fields, &req->errs)) {
		bm_reply_error(req, BM_E_VALIDATION);
		return false;
	}
	return true;
}

static const char *path_of(FCGX_ParamArray env)
{
	const char *p = FCGX_GetParam("DOCUMENT_URI", env);
	return p && *p ? p : FCGX_GetParam("SCRIPT_NAME", env);
}

static void handle(struct bm_srv *srv, struct bm_ctx *ctx, FCGX_Request *fx)
{
	struct bm_req req = {.fx = fx, .ctx = ctx};
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &req.t0);
	req.method = FCGX_GetParam("REQUEST_METHOD", fx->envp);
	req.path = path_of(fx->envp);
	req.query = FCGX_GetParam("QUERY_STRING", fx->envp);
	if (!req.query)
		req.query = "";
	req.content_type = FCGX_GetParam("CONTENT_TYPE", fx->envp);
	req.req_id = FCGX_GetParam("REQUEST_ID", fx->envp);
	if (!req.req_id)
		req.req_id = "";
	req.remote_addr = FCGX_GetParam("REMOTE_ADDR", fx->envp);
	req.lang = bm_lang_from_header(FCGX_GetParam("HTTP_ACCEPT_LANGUAGE", fx->envp));
	req.errs.lang = req.lang;

	if (guard_or_reply(srv, &req))
		req.match.route->handler(&req);
	if (!req.status) {
		bm_log(BM_LOG_ERROR, req.req_id, "handler returned without a reply");
		bm_reply_error(&req, BM_E_INTERNAL);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs =
	    (double)(t1.tv_sec - req.t0.tv_sec) + (double)(t1.tv_nsec - req.t0.tv_nsec) / 1e9;
	const struct bm_route *r = req.match.route;
	bm_metrics_observe(srv->metrics, r ? (size_t)(r - srv->routes) : srv->nroutes, req.status,
	                   secs, req.err);
	bm_log_request(req.req_id, req.method, r ? r->pattern : NULL, req.status, secs * 1000);
	json_decref(req.json);
	json_decref(req.qs);
	free(req.body);
}

/* ---- threads ---------------------------------------------------------- */

/*
 * nginx sends its next request on a kept connection once it has this answer, so a body
 * the handler left unread (an answer given before reading it: 401, 413, 415...) must not
 * stay in the connection, where libfcgi would take it for the next request and drop the
 * connection with that request in it. Read and discard up to 64 KiB of it; a longer rest
 * is not worth reading: the connection is closed instead.
 */
static void drain_body(FCGX_Request *fx)
{
	char buf[8192];
	for (int budget = 64 * 1024; budget > 0; budget -= (int)sizeof buf) {
		int n = FCGX_GetStr(buf, sizeof buf, fx->in);
		if (n <= 0)
			return; /* all read (or the stream failed: libfcgi closes it) */
	}
	if (FCGX_GetStr(buf, 1, fx->in) > 0)
		fx->keepConnection = 0;
}

static void *worker(void *arg)
{
	struct bm_thread *t = arg;
	struct bm_srv *srv = t->srv;
	FCGX_Request fx;

	mysql_thread_init();
	/* No listening socket: libfcgi never accepts itself, bm_conn hands it connections. */
	FCGX_InitRequest(&fx, -1, FCGI_FAIL_ACCEPT_ON_INTR);
	(void)bm_db_ping(t->ctx.db); /* connect early; failures retry per request */
	(void)bm_redis_ping(t->ctx.redis);
	while (!atomic_load(&srv->stop)) {
		int fd = bm_conns_next(&srv->conns);
		if (fd < 0)
			continue; /* stopping, or a signal: the loop condition decides */
		fx.ipcFd = fd;
		/* FCGX_Accept_r first finishes "the previous request": it must not close fd. */
		fx.keepConnection = 1;
		if (FCGX_Accept_r(&fx) < 0)
			continue; /* nginx closed it (an idle kept connection) or sent no request:
			           * libfcgi has closed it, and fails to accept on socket -1 */
		atomic_store(&t->busy, true);
		handle(srv, &t->ctx, &fx);
		if (fx.keepConnection)
			drain_body(&fx);
		FCGX_Finish_r(&fx); /* closes the connection unless nginx keeps it */
		atomic_store(&t->busy, false);
		if (fx.ipcFd >= 0) {
			bm_conns_park(&srv->conns, fx.ipcFd);
			fx.ipcFd = -1;
		}
	}
	bm_log_flush();
	FCGX_Free(&fx, 1);
	bm_db_free(t->ctx.db);
	bm_redis_free(t->ctx.redis);
	bm_cal_free(t->ctx.cal);
	t->ctx.db = NULL;
	t->ctx.redis = NULL;
	mysql_thread_end();
	atomic_store(&t->done, true);
	return NULL;
}

static void nudge(int sig)
{
	(void)sig; /* only interrupts a blocking read */
}

/* Block the stop signals in every thread; the main thread sigwaits them. */
static void setup_signals(sigset_t *stopset)
{
	struct sigaction sa = {.sa_handler = nudge};

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: the read must fail with EINTR */
	sigaction(SIGUSR2, &sa, NULL);
	sigemptyset(stopset);
	sigaddset(stopset, SIGTERM);
	sigaddset(stopset, SIGINT);
	sigaddset(stopset, SIGHUP);
	pthread_sigmask(SIG_BLOCK, stopset, NULL);
}

static bool all_done(const struct bm_srv *srv)
{
	for (int i = 0; i < srv->cfg.threads; i++)
		if (!atomic_load(&srv->threads[i].done))
			return false;
	return true;
}

/* Stop taking requests, let running ones finish; past the grace period, nudge threads
 * still blocked outside a request (reading one from a stalled connection). */
static void stop_threads(struct bm_srv *srv)
{
	atomic_store(&srv->stop, true);
	FCGX_ShutdownPending();
	bm_conns_stop(&srv->conns);
	shutdown(srv->listen_fd, SHUT_RDWR); /* new connections are refused, not left waiting */
	for (int waited = 0; !all_done(srv) && waited < GRACE_MS + NUDGE_MS; waited += 50) {
		if (waited >= GRACE_MS && waited % 200 == 0)
			for (int i = 0; i < srv->cfg.threads; i++)
				if (!atomic_load(&srv->threads[i].done) &&
				    !atomic_load(&srv->threads[i].busy))
					pthread_kill(srv->threads[i].tid, SIGUSR2);
		usleep(50000);
	}
}

static int start_threads(struct bm_srv *srv)
{
	srv->threads = calloc((size_t)srv->cfg.threads, sizeof *srv->threads);
	if (!srv->threads)
		return -1;
	for (int i = 0; i < srv->cfg.threads; i++) {
		struct bm_thread *t = &srv->threads[i];
		t->srv = srv;
		t->ctx = (struct bm_ctx){.cfg = &srv->cfg,
		                         .metrics = srv->metrics,
		                         .jwt = srv->have_jwt ? &srv->jwt : NULL,
		                         .thread_no = i,
		                         .db = bm_db_new(&srv->cfg),
		                         .redis = bm_redis_new(&srv->cfg)};
		if (t->ctx.db && t->ctx.redis)
			bm_stcache_attach(t->ctx.db, t->ctx.redis);
		if (!t->ctx.db || !t->ctx.redis || pthread_create(&t->tid, NULL, worker, t)) {
			bm_db_free(t->ctx.db);
			bm_redis_free(t->ctx.redis);
			srv->cfg.threads = i; /* join only those that started */
			return -1;
		}
	}
	return 0;
}

/* ---- set-up ----------------------------------------------------------- */

/* The built-in routes come first so a service's {param} lines never shadow them. */
static int build_routes(struct bm_srv *srv)
{
	const struct bm_service *svc = srv->svc;
	srv->nroutes = svc->nroutes + 2;
	srv->routes = calloc(srv->nroutes, sizeof *srv->routes);
	if (!srv->routes)
		return -1;
	snprintf(srv->health_path, sizeof srv->health_path, "/api/v1/%s/health", svc->name);
	srv->routes[0] = (struct bm_route){"GET", srv->health_path, handle_health, BM_BODY_NONE};
	srv->routes[1] =
	    (struct bm_route){"GET", "/internal/metrics", handle_metrics, BM_BODY_NONE};
	memcpy(srv->routes + 2, svc->routes, svc->nroutes * sizeof *svc->routes);
	return 0;
}

/* Keys for tokens: needed when any route takes one, or to sign them. */
static int load_jwt(struct bm_srv *srv)
{
	bool signing = srv->svc->needs & BM_NEED_JWT_SIGNING, verifying = signing;
	char err[256];

	for (size_t i = 0; i < srv->svc->nroutes; i++)
		verifying |= srv->svc->routes[i].roles != 0;
	if (!verifying)
		return 0;
	if (bm_jwt_keys_load(&srv->cfg, signing, &srv->jwt, err, sizeof err)) {
		bm_log(BM_LOG_ERROR, NULL, "configuration: %s; refusing to start", err);
		return -1;
	}
	srv->have_jwt = true;
	return 0;
}

static int open_socket(struct bm_srv *srv)
{
	mode_t old = umask(0117); /* the socket file ends up 0660 */
	srv->listen_fd = FCGX_OpenSocket(srv->cfg.socket_path, 256);
	umask(old);
	if (srv->listen_fd < 0)
		return -1;
	chmod(srv->cfg.socket_path, 0660);
	return bm_conns_open(&srv->conns, srv->listen_fd);
}

int bm_srv_main(const struct bm_service *svc)
{
	struct bm_srv srv = {.svc = svc, .listen_fd = -1, .conns = {.epoll_fd = -1, .stop_fd = -1}};
	char err[256];
	sigset_t stopset;
	int sig = 0, rc = 1;
	bool started = false;

	bm_log_init(svc->name, BM_LOG_INFO);
	/* No fastbins: a request frees many small blocks and then allocates a few of 8 KiB
	 * (libfcgi's stream buffers), and each such allocation first consolidated every
	 * fastbin (malloc_consolidate: 3% of the submission service's CPU under load). The
	 * per-thread tcache still serves the small ones. */
	mallopt(M_MXFAST, 0);
	if (bm_cfg_load(&srv.cfg, svc->name, err, sizeof err)) {
		bm_log(BM_LOG_ERROR, NULL, "configuration: %s", err);
		return 2;
	}
	bm_log_init(svc->name, srv.cfg.log_debug ? BM_LOG_DEBUG : BM_LOG_INFO);
	if ((svc->needs & BM_NEED_KEYS) && !srv.cfg.have_keys) {
		bm_log(BM_LOG_ERROR, NULL,
		       "configuration: BIMER_DATA_KEY_FILE and BIMER_HMAC_KEY_FILE are required");
		return 2;
	}
	if (load_jwt(&srv))
		return 2;
	if (mysql_library_init(0, NULL, NULL) || FCGX_Init() || build_routes(&srv) ||
	    !(srv.metrics = bm_metrics_new(svc->name, srv.routes, srv.nroutes))) {
		bm_log(BM_LOG_ERROR, NULL, "start-up failed");
		goto out;
	}
	if (open_socket(&srv)) {
		bm_log(BM_LOG_ERROR, NULL, "cannot listen on %s: %s", srv.cfg.socket_path,
		       strerror(errno));
		goto out;
	}
	setup_signals(&stopset);
	if (svc->start && svc->start(&srv.cfg, srv.metrics)) {
		bm_log(BM_LOG_ERROR, NULL, "start-up failed");
		goto out;
	}
	started = true;
	if (start_threads(&srv)) {
		bm_log(BM_LOG_ERROR, NULL, "cannot start worker threads");
		stop_threads(&srv);
		goto join;
	}
	if (srv.cfg.test_clock)
		bm_log(BM_LOG_WARN, NULL,
		       "BIMER_TEST_CLOCK is on: X-Test-Now moves the clock. "
		       "Never in production.");
	bm_log(BM_LOG_INFO, NULL, "listening on %s with %d threads", srv.cfg.socket_path,
	       srv.cfg.threads);
	sigwait(&stopset, &sig);
	bm_log(BM_LOG_INFO, NULL, "signal %d: stopping", sig);
	stop_threads(&srv);
	rc = 0;
join:
	for (int i = 0; i < srv.cfg.threads; i++) {
		if (atomic_load(&srv.threads[i].done))
			pthread_join(srv.threads[i].tid, NULL);
		else
			rc = rc ? rc : 3; /* a thread stuck past the nudges: exit anyway */
	}
	if (started && svc->stop)
		svc->stop();
out:
	bm_conns_close(&srv.conns);
	if (srv.listen_fd >= 0) {
		close(srv.listen_fd);
		unlink(srv.cfg.socket_path);
	}
	free(srv.threads);
	bm_metrics_free(srv.metrics);
	free(srv.routes);
	if (srv.have_jwt)
		bm_jwt_keys_free(&srv.jwt);
	mysql_library_end();
	bm_log(BM_LOG_INFO, NULL, "stopped");
	return rc;
}
