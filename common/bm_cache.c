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
 * Sliding window logs, one per key, all in one call: members are hit times
 * in microseconds from Redis's TIME. ARGV[1] is "hit" or "peek", then a
 * limit and a window in seconds per key. Every key is looked at (a hit
 * counts on each key still under its limit, even after another denied).
 * Returns {allowed, remaining, retry_after_seconds} of the worst key: a
 * denial with the longest wait, else the fewest hits left.
 */
static const char rl_script[] =
    "local t = redis.call('TIME')\n"
    "local now = tonumber(t[1]) * 1000000 + tonumber(t[2])\n"
    "local ok, left, wait = 1, -1, 0\n"
    "for i, key in ipairs(KEYS) do\n"
    "  local limit = tonumber(ARGV[2 * i])\n"
    "  local win = tonumber(ARGV[2 * i + 1]) * 1000000\n"
    "  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - win)\n"
    "  local n = redis.call('ZCARD', key)\n"
    "  if n < limit then\n"
    "    if ARGV[1] == 'hit' then\n"
    "      redis.call('ZADD', key, now, now .. '-' .. n)\n"
    "      redis.call('PEXPIRE', key, math.ceil(win / 1000))\n"
    "      n = n + 1\n"
    "    end\n"
    "    if left < 0 or limit - n < left then left = limit - n end\n"
    "  else\n"
    "    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')\n"
    "    local w = math.ceil((tonumber(oldest[2]) + win - now) / 1000000)\n"
    "    if w < 1 then w = 1 end\n"
    "    if w > wait then wait = w end\n"
    "    ok = 0\n"
    "  end\n"
    "end\n"
    "if ok == 0 then return {0, 0, wait} end\n"
    "return {1, left, 0}\n";

static struct bm_script rl = BM_SCRIPT(rl_script);
static pthread_mutex_t script_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *script_sha(struct bm_script *s)
{
	pthread_mutex_lock(&script_lock);
	if (!s->ready) {
		unsigned char d[SHA_DIGEST_LENGTH];
		SHA1((const unsigned char *)s->text, strlen(s->text), d);
		for (int i = 0; i < SHA_DIGEST_LENGTH; i++)
			snprintf(s->sha + 2 * i, 3, "%02x", d[i]);
		s->ready = 1;
	}
	pthread_mutex_unlock(&script_lock);
	return s->sha;
}

struct bm_redis *bm_redis_new(const struct bm_cfg *cfg)
{
	struct bm_redis *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->cfg = cfg;
	return r;
}

const struct bm_cfg *bm_redis_cfg(const struct bm_redis *r)
{
	return r->cfg;
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
	r->c = r->cfg->redis_socket[0]
	           ? redisConnectUnixWithTimeout(r->cfg->redis_socket, tv)
	           : redisConnectWithTimeout(r->cfg->redis_host, (int)r->cfg->redis_port, tv);
	if (!r->c)
		return BM_E_NOMEM;
	if (r->c->err || redisSetTimeout(r->c, tv) != REDIS_OK) {
		bm_log(BM_LOG_WARN, NULL, "redis connect failed: %s", r->c->errstr);
		drop(r);
		return BM_E_REDIS;
	}
	/* Named, so CLIENT LIST tells whose a connection is (Unix socket peers have no port). */
	char name[48];
	snprintf(name, sizeof name, "bimer-%s", r->cfg->service[0] ? r->cfg->service : "unknown");
	const char *argv[] = {"CLIENT", "SETNAME", name};
	redisReply *rep = redisCommandArgv(r->c, 3, argv, NULL);
	if (!rep || r->c->err) {
		bm_log(BM_LOG_WARN, NULL, "redis connect failed: %s", r->c->errstr);
		if (rep)
			freeReplyObject(rep);
		drop(r);
		return BM_E_REDIS;
	}
	freeReplyObject(rep);
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

redisReply *bm_redis_eval(struct bm_redis *r, struct bm_script *s, int argc, const char **argv,
                          const size_t *lens)
{
	const char *av[66];
	size_t lv[66];
	if (argc < 1 || argc > 64)
		return NULL;
	av[0] = "EVALSHA";
	av[1] = script_sha(s);
	lv[0] = 7;
	lv[1] = 40;
	for (int i = 0; i < argc; i++) {
		av[2 + i] = argv[i];
		lv[2 + i] = lens ? lens[i] : strlen(argv[i]);
	}
	redisReply *rep = bm_redis_cmd(r, argc + 2, av, lv);
	if (rep && rep->type == REDIS_REPLY_ERROR && !strncmp(rep->str, "NOSCRIPT", 8)) {
		freeReplyObject(rep);
		av[0] = "EVAL";
		av[1] = s->text;
		lv[0] = 4;
		lv[1] = strlen(s->text);
		rep = bm_redis_cmd(r, argc + 2, av, lv);
	}
	return rep;
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

bool bm_rl_args_fill(struct bm_rl_args *a, const struct bm_rl_key *keys, size_t n,
                     const char *extra, bool extra_is_key)
{
	if (n == 0 || n > BM_RL_MAX_KEYS)
		return false;
	snprintf(a->nkeys, sizeof a->nkeys, "%zu", n + (extra_is_key ? 1 : 0));
	a->argv[0] = a->nkeys;
	a->argv[1 + n] = extra;
	for (size_t i = 0; i < n; i++) {
		snprintf(a->nums[i][0], sizeof a->nums[i][0], "%ld", keys[i].limit->n);
		snprintf(a->nums[i][1], sizeof a->nums[i][1], "%ld", keys[i].limit->window_s);
		a->argv[1 + i] = keys[i].key;
		a->argv[2 + n + 2 * i] = a->nums[i][0];
		a->argv[3 + n + 2 * i] = a->nums[i][1];
	}
	a->argc = (int)(2 + 3 * n);
	return true;
}

/* Run the limiter script over n keys in one round trip. */
static enum bm_err rl_run(struct bm_redis *r, const struct bm_rl_key *keys, size_t n,
                          const char *mode, struct bm_rl_result *out)
{
	struct bm_rl_args a;
	enum bm_err e;

	if (!bm_rl_args_fill(&a, keys, n, mode, false))
		return BM_E_INTERNAL;
	redisReply *rep = bm_redis_eval(r, &rl, a.argc, a.argv, NULL);
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
	const struct bm_limit l = {.n = limit, .window_s = window_s};
	const struct bm_rl_key k = {key, &l};
	return rl_run(r, &k, 1, "hit", out);
}

enum bm_err bm_rl_peek(struct bm_redis *r, const char *key, long limit, long window_s,
                       struct bm_rl_result *out)
{
	const struct bm_limit l = {.n = limit, .window_s = window_s};
	const struct bm_rl_key k = {key, &l};
	return rl_run(r, &k, 1, "peek", out);
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
	*worst = (struct bm_rl_result){.allowed = true, .remaining = -1};
	if (n == 0)
		return BM_OK;
	return rl_run(r, keys, n, mode == BM_RL_HIT ? "hit" : "peek", worst);
}
