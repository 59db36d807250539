// SPDX-License-Identifier: MIT
/*
 * bm_cache: hiredis wrapper with reconnect, and the sliding-window rate
 * limiter script. See bm_cache.h.
 */
#include "bm_cache.h"

#include <hiredis/hiredis.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bm_log.h"

struct bm_redis {
	const struct bm_cfg *cfg;
	redisContext *c;
};

/*
 * Sliding window log: members are hit times in microseconds from Redis's
 * TIME. Returns {allowed, remaining, retry_after_seconds}.
 */
static const char rl_script[] =
    "local t = redis.call('TIME')\n"
    "local now = tonumber(t[1]) * 1000000 + tonumber(t[2])\n"
    "local limit = tonumber(ARGV[1])\n"
    "local win = tonumber(ARGV[2]) * 1000000\n"
    "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - win)\n"
    "local n = redis.call('ZCARD', KEYS[1])\n"
    "if n < limit and ARGV[3] == 'peek' then return {1, limit - n, 0} end\n"
    "if n < limit then\n"
    "  redis.call('ZADD', KEYS[1], now, now .. '-' .. n)\n"
    "  redis.call('PEXPIRE', KEYS[1], math.ceil(win / 1000))\n"
    "  return {1, limit - n - 1, 0}\n"
    "end\n"
    "local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')\n"
    "local wait = math.ceil((tonumber(oldest[2]) + win - now) / 1000000)\n"
    "if wait < 1 then wait = 1 end\n"
    "return {0, 0, wait}\n";

static char rl_sha[41];
static pthread_once_t rl_sha_once = PTHREAD_ONCE_INIT;

static void rl_sha_init(void)
{
	unsigned char d[SHA_DIGEST_LENGTH];
	SHA1((const unsigned char *)rl_script, strlen(rl_script), d);
	for (int i = 0; i < SHA_DIGEST_LENGTH; i++)
		snprintf(rl_sha + 2 * i, 3, "%02x", d[i]);
}

struct bm_redis *bm_redis_new(const struct bm_cfg *cfg)
{
	struct bm_redis *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->cfg = cfg;
	pthread_once(&rl_sha_once, rl_sha_init);
	return r;
}

static void drop(struct bm_redis *r)
{
	if (r->c)
		redisFree(r->c);
	r->c = NULL;
}

void bm_redis_free(struct bm_redis *r)
{
	if (!r)
		return;
	drop(r);
	free(r);
}

static enum bm_err connect_redis(struct bm_redis *r)
{
	struct timeval tv = {.tv_sec = r->cfg->redis_timeout_ms / 1000,
	                     .tv_usec = (r->cfg->redis_timeout_ms % 1000) * 1000};
	if (r->c)
		return BM_OK;
	r->c = redisConnectWithTimeout(r->cfg->redis_host, (int)r->cfg->redis_port, tv);
	if (!r->c)
		return BM_E_NOMEM;
	if (r->c->err || redisSetTimeout(r->c, tv) != REDIS_OK) {
		bm_log(BM_LOG_WARN, NULL, "redis connect failed: %s", r->c->errstr);
		drop(r);
		return BM_E_REDIS;
	}
	return BM_OK;
}

/* One command on the current context; NULL (and the context dropped) on any failure. */
static redisReply *send_once(struct bm_redis *r, int argc, const char **argv, const size_t *lens)
{
	if (connect_redis(r))
		return NULL;
	redisReply *rep = redisCommandArgv(r->c, argc, argv, lens);
	if (!rep || r->c->err) {
		bm_log(BM_LOG_WARN, NULL, "redis command failed: %s",
		       r->c->err ? r->c->errstr : "no reply");
		if (rep)
			freeReplyObject(rep);
		drop(r);
		return NULL;
	}
	return rep;
}

redisReply *bm_redis_cmd(struct bm_redis *r, int argc, const char **argv, const size_t *lens)
{
	bool had_context = r->c != NULL;
	redisReply *rep = send_once(r, argc, argv, lens);
	/*
	 * A context that sat idle while Redis restarted fails on first use:
	 * try once more on a fresh connection. (At worst a rate-limit hit
	 * whose reply was lost counts twice.)
	 */
	if (!rep && had_context)
		rep = send_once(r, argc, argv, lens);
	return rep;
}

enum bm_err bm_redis_ping(struct bm_redis *r)
{
	const char *argv[] = {"PING"};
	redisReply *rep = bm_redis_cmd(r, 1, argv, NULL);
	if (!rep)
		return BM_E_REDIS;
	enum bm_err e = rep->type == REDIS_REPLY_STATUS ? BM_OK : BM_E_REDIS;
	freeReplyObject(rep);
	return e;
}

static enum bm_err parse_rl(const redisReply *rep, struct bm_rl_result *out)
{
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 3)
		return BM_E_REDIS;
	for (size_t i = 0; i < 3; i++)
		if (rep->element[i]->type != REDIS_REPLY_INTEGER)
			return BM_E_REDIS;
	out->allowed = rep->element[0]->integer == 1;
	out->remaining = (long)rep->element[1]->integer;
	out->retry_after = (long)rep->element[2]->integer;
	return BM_OK;
}

static enum bm_err rl_run(struct bm_redis *r, const char *key, long limit, long window_s,
                          const char *mode, struct bm_rl_result *out)
{
	char lim[24], win[24];
	const char *argv[7];
	enum bm_err e;

	snprintf(lim, sizeof lim, "%ld", limit);
	snprintf(win, sizeof win, "%ld", window_s);
	argv[0] = "EVALSHA";
	argv[1] = rl_sha;
	argv[2] = "1";
	argv[3] = key;
	argv[4] = lim;
	argv[5] = win;
	argv[6] = mode;
	redisReply *rep = bm_redis_cmd(r, 7, argv, NULL);
	if (rep && rep->type == REDIS_REPLY_ERROR && !strncmp(rep->str, "NOSCRIPT", 8)) {
		freeReplyObject(rep);
		argv[0] = "EVAL";
		argv[1] = rl_script;
		rep = bm_redis_cmd(r, 7, argv, NULL);
	}
	if (!rep)
		return BM_E_REDIS;
	e = parse_rl(rep, out);
	if (e)
		bm_log(BM_LOG_ERROR, NULL, "rate limiter: unexpected reply type %d", rep->type);
	freeReplyObject(rep);
	return e;
}

enum bm_err bm_rl_hit(struct bm_redis *r, const char *key, long limit, long window_s,
                      struct bm_rl_result *out)
{
	return rl_run(r, key, limit, window_s, "hit", out);
}

enum bm_err bm_rl_peek(struct bm_redis *r, const char *key, long limit, long window_s,
                       struct bm_rl_result *out)
{
	return rl_run(r, key, limit, window_s, "peek", out);
}

#define LOCAL_SLOTS 4096

struct local_slot {
	unsigned long long hash;
	time_t start;
	long count;
};

static struct local_slot local_slots[LOCAL_SLOTS];
static pthread_mutex_t local_lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned long long fnv1a(const char *s)
{
	unsigned long long h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

void bm_rl_local_hit(const char *key, long limit, long window_s, struct bm_rl_result *out)
{
	unsigned long long h = fnv1a(key);
	time_t now = time(NULL);

	pthread_mutex_lock(&local_lock);
	struct local_slot *s = &local_slots[h % LOCAL_SLOTS];
	if (s->hash != h || now - s->start >= window_s)
		*s = (struct local_slot){h, now, 0};
	out->allowed = s->count < limit;
	if (out->allowed)
		s->count++;
	out->remaining = limit - s->count;
	out->retry_after = out->allowed ? 0 : (long)(s->start + window_s - now);
	pthread_mutex_unlock(&local_lock);
}

enum bm_err bm_rl_all(struct bm_redis *r, enum bm_rl_mode mode, const struct bm_rl_key *keys,
		      size_t n, struct bm_rl_result *worst)
{
	*worst = (struct bm_rl_result){ .allowed = true, .remaining = -1 };
	for (size_t i = 0; i < n; i++) {
		struct bm_rl_result one;
		const struct bm_limit *l = keys[i].limit;
		enum bm_err e = mode == BM_RL_HIT ? bm_rl_hit(r, keys[i].key, l->n, l->window_s, &one)
						  : bm_rl_peek(r, keys[i].key, l->n, l->window_s, &one);
		if (e)
			return e;
		if (!one.allowed && (worst->allowed || one.retry_after > worst->retry_after))
			*worst = one;
	}
	return BM_OK;
}
