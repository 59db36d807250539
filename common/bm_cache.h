// SPDX-License-Identifier: MIT
/*
 * bm_cache: Redis access for one worker thread (hiredis 0.14), and the
 * atomic rate limiter.
 *
 * A hiredis context is dead after any error, so every failure drops it and
 * the next call reconnects (with the timeout set again). Commands are sent
 * only as argument vectors, never formatted from input. The rate limiter is
 * one Lua script run atomically on the server, taking the time from Redis
 * itself so all service instances share one clock; after a Redis restart
 * the cached script is gone (NOSCRIPT) and we fall back to EVAL.
 */
#ifndef BM_CACHE_H
#define BM_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "bm_cfg.h"
#include "bm_err.h"

struct bm_redis;
struct redisReply;

/* Caller frees with bm_redis_free. Does not connect. NULL on OOM. */
struct bm_redis *bm_redis_new(const struct bm_cfg *cfg);
void bm_redis_free(struct bm_redis *r);

/*
 * Send one command as an argument vector (lens may be NULL for C strings).
 * Returns the reply, which the caller frees with freeReplyObject, or NULL
 * when Redis could not be reached (the context is then dropped). A reply
 * of type REDIS_REPLY_ERROR is returned as is.
 */
struct redisReply *bm_redis_cmd(struct bm_redis *r, int argc, const char **argv,
                                const size_t *lens);

/*
 * A Lua script run with EVALSHA, falling back to EVAL when the server has
 * forgotten it (NOSCRIPT after a restart). Define one per script with
 * BM_SCRIPT(text); its SHA-1 is computed on first use.
 */
struct bm_script {
	const char *text;
	char sha[41];
	int ready;
};
#define BM_SCRIPT(lua)                                                                             \
	{                                                                                          \
		.text = (lua), .sha = {0}, .ready = 0                                              \
	}

/* Run s with argv = numkeys, keys..., args... (at most 64 items; lens may be
 * NULL). The reply as bm_redis_cmd gives it; NULL when Redis is unreachable. */
struct redisReply *bm_redis_eval(struct bm_redis *r, struct bm_script *s, int argc,
                                 const char **argv, const size_t *lens);

/* The configuration r was made with. */
const struct bm_cfg *bm_redis_cfg(const struct bm_redis *r);

/* PING; connects if needed. */
enum bm_err bm_redis_ping(struct bm_redis *r);

struct bm_rl_result {
	bool allowed;
	long remaining;   /* hits left in the window after this one */
	long retry_after; /* seconds until a hit would be allowed (when denied) */
};

/*
 * Count one hit against key (a sliding window of window_s seconds allowing
 * limit hits). BM_E_REDIS when Redis cannot be asked: the caller decides
 * the policy (fail closed for writes, local fallback for reads).
 */
enum bm_err bm_rl_hit(struct bm_redis *r, const char *key, long limit, long window_s,
                      struct bm_rl_result *out);

/* Whether a hit would be allowed now, without counting one. */
enum bm_err bm_rl_peek(struct bm_redis *r, const char *key, long limit, long window_s,
                       struct bm_rl_result *out);

/* One limit to check: its Redis key and the configured limit. */
struct bm_rl_key {
	const char *key;
	const struct bm_limit *limit;
};

enum bm_rl_mode { BM_RL_PEEK, BM_RL_HIT };

/* The most limits one script call takes (a request has two or three). */
#define BM_RL_MAX_KEYS 8

/*
 * The arguments of a limiter script over n limits (bm_redis_eval's argv):
 * the key count, the limits' keys, extra (a mode word, or one more key when
 * extra_is_key), then a limit and a window in seconds per limit.
 */
struct bm_rl_args {
	char nkeys[8];
	char nums[BM_RL_MAX_KEYS][2][24];
	const char *argv[2 + 3 * BM_RL_MAX_KEYS];
	int argc;
};

/* Fill a; false when n is 0 or above BM_RL_MAX_KEYS. a points into keys and extra. */
bool bm_rl_args_fill(struct bm_rl_args *a, const struct bm_rl_key *keys, size_t n,
                     const char *extra, bool extra_is_key);

/*
 * Peek at (or count a hit on) every key. *worst is allowed, or the denial
 * with the longest wait. A hit counts on every key even after a denial,
 * so each limit sees every attempt. BM_E_REDIS when Redis cannot be asked.
 */
enum bm_err bm_rl_all(struct bm_redis *r, enum bm_rl_mode mode, const struct bm_rl_key *keys,
                      size_t n, struct bm_rl_result *worst);

/*
 * The fallback when Redis cannot be asked: a per-process fixed-window
 * counter in memory (approximate: slots are shared by hash, and each
 * process counts alone). Public reads use it so they keep working, with a
 * limit, while Redis is down; writes that need Redis for safety do not.
 */
void bm_rl_local_hit(const char *key, long limit, long window_s, struct bm_rl_result *out);

#endif
