// SPDX-License-Identifier: MIT
/*
 * bm_stcache: the status answer cache (see bm_stcache.h for the design).
 * Keys: bimer:sk:<look-up> → application id; bimer:sc:<id> → "<gen>|<answer>";
 * bimer:sg:<id> → generation (absent = 0).
 */
#include "bm_stcache.h"

#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_crypto.h"
#include "bm_db.h"
#include "bm_log.h"

/*
 * KEYS: the limit keys, then the look-up key; ARGV: a limit and a window
 * (seconds) per limit key. Returns {0, wait} when a limit is exhausted (the
 * longest wait; nothing counted), {2, member} when the look-up key is
 * unknown, {1, id, gen} when it is known but no current answer is cached,
 * {1, id, gen, answer} otherwise. An unknown key is counted as a miss at
 * once, as the limiter's hit counts one (every key is under its limit
 * here), under one member on every limit key: the time of the call and
 * the first key's count, so members never repeat within a key (the
 * limiter's own members have another form). A found application takes it
 * back (put_script, refund_script); a known key is not counted at all.
 */
static struct bm_script get_script =
    BM_SCRIPT("local t = redis.call('TIME')\n"
              "local now = tonumber(t[1]) * 1000000 + tonumber(t[2])\n"
              "local wait, nk, card = 0, #KEYS - 1, {}\n"
              "for i = 1, nk do\n"
              "  local limit = tonumber(ARGV[2 * i - 1])\n"
              "  local win = tonumber(ARGV[2 * i]) * 1000000\n"
              "  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - win)\n"
              "  card[i] = redis.call('ZCARD', KEYS[i])\n"
              "  if card[i] >= limit then\n"
              "    local oldest = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')\n"
              "    local w = math.ceil((tonumber(oldest[2]) + win - now) / 1000000)\n"
              "    if w < 1 then w = 1 end\n"
              "    if w > wait then wait = w end\n"
              "  end\n"
              "end\n"
              "if wait > 0 then return {0, wait} end\n"
              "local id = redis.call('GET', KEYS[#KEYS])\n"
              "if not id then\n"
              "  local m = t[1] .. '.' .. t[2] .. '-' .. card[1]\n"
              "  for i = 1, nk do\n"
              "    redis.call('ZADD', KEYS[i], now, m)\n"
              "    redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[2 * i]) * 1000)\n"
              "  end\n"
              "  return {2, m}\n"
              "end\n"
              "local gen = redis.call('GET', 'bimer:sg:' .. id) or '0'\n"
              "local entry = redis.call('GET', 'bimer:sc:' .. id)\n"
              "if entry then\n"
              "  local bar = string.find(entry, '|', 1, true)\n"
              "  if bar and string.sub(entry, 1, bar - 1) == gen then\n"
              "    return {1, id, gen, string.sub(entry, bar + 1)}\n"
              "  end\n"
              "end\n"
              "return {1, id, gen}\n");

/*
 * KEYS: the look-up key, then the limit keys to take the miss charge back
 * from (none without one); ARGV: id, ttl, gen ('' = the key only), answer,
 * the charge's member.
 */
static struct bm_script put_script = BM_SCRIPT(
    "redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])\n"
    "for i = 2, #KEYS do redis.call('ZREM', KEYS[i], ARGV[5]) end\n"
    "if ARGV[3] ~= '' then\n"
    "  local gen = redis.call('GET', 'bimer:sg:' .. ARGV[1]) or '0'\n"
    "  if gen == ARGV[3] then\n"
    "    redis.call('SET', 'bimer:sc:' .. ARGV[1], gen .. '|' .. ARGV[4], 'EX', ARGV[2])\n"
    "  end\n"
    "end\n"
    "return 1\n");

/* KEYS: the limit keys; ARGV: the charge's member. */
static struct bm_script refund_script =
    BM_SCRIPT("for i = 1, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end\n"
              "return 1\n");

/* ARGV: the generations' lifetime, then the ids. */
static struct bm_script changed_script = BM_SCRIPT("for i = 2, #ARGV do\n"
                                                   "  local k = 'bimer:sg:' .. ARGV[i]\n"
                                                   "  redis.call('INCR', k)\n"
                                                   "  redis.call('EXPIRE', k, ARGV[1])\n"
                                                   "end\n"
                                                   "return 1\n");

void bm_stcache_key_number(const unsigned char *tckn_hmac, size_t mac_len, const char *no,
                           char out[BM_STCACHE_KEY_LEN])
{
	char hex[33];
	bm_hex(tckn_hmac, mac_len < 16 ? mac_len : 16, hex);
	snprintf(out, BM_STCACHE_KEY_LEN, "bimer:sk:n:%s:%.40s", hex, no);
}

void bm_stcache_key_tracking(const unsigned char digest[32], char out[BM_STCACHE_KEY_LEN])
{
	char hex[65];
	bm_hex(digest, 32, hex);
	snprintf(out, BM_STCACHE_KEY_LEN, "bimer:sk:t:%s", hex);
}

static bool is_int(const redisReply *e)
{
	return e->type == REDIS_REPLY_INTEGER;
}

/* {2, member}: the look-up key is unknown and a miss was counted under member. */
static enum bm_err parse_charge(const redisReply *rep, struct bm_stcache_hit *out)
{
	const redisReply *m = rep->element[1];
	if (rep->elements != 2 || m->type != REDIS_REPLY_STRING || m->len == 0 ||
	    m->len >= sizeof out->charge)
		return BM_E_REDIS;
	memcpy(out->charge, m->str, m->len + 1);
	return BM_OK;
}

/* Fill out from the get script's reply; BM_E_REDIS when it is not one. */
static enum bm_err parse_get(const redisReply *rep, struct bm_stcache_hit *out)
{
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements < 1 || rep->elements > 4 ||
	    !is_int(rep->element[0]) || rep->element[0]->integer < 0 ||
	    rep->element[0]->integer > 2)
		return BM_E_REDIS;
	if (rep->element[0]->integer == 0) {
		if (rep->elements != 2 || !is_int(rep->element[1]))
			return BM_E_REDIS;
		out->denied = true;
		out->retry_after = (long)rep->element[1]->integer;
		return BM_OK;
	}
	if (rep->element[0]->integer == 2)
		return parse_charge(rep, out);
	for (size_t i = 1; i < rep->elements; i++)
		if (rep->element[i]->type != REDIS_REPLY_STRING)
			return BM_E_REDIS;
	if (rep->elements < 3 || rep->element[2]->len >= sizeof out->gen)
		return BM_E_REDIS;
	out->id = strtoll(rep->element[1]->str, NULL, 10);
	memcpy(out->gen, rep->element[2]->str, rep->element[2]->len + 1);
	if (out->id <= 0)
		return BM_E_REDIS;
	if (rep->elements == 4) {
		const redisReply *a = rep->element[3];
		if (!(out->answer = malloc(a->len + 1)))
			return BM_E_NOMEM;
		memcpy(out->answer, a->str, a->len);
		out->answer[a->len] = '\0';
	}
	return BM_OK;
}

enum bm_err bm_stcache_get(struct bm_redis *r, const struct bm_rl_key *keys, size_t n,
                           const char *key, struct bm_stcache_hit *out)
{
	struct bm_rl_args a;

	*out = (struct bm_stcache_hit){0};
	if (!bm_rl_args_fill(&a, keys, n, key, true))
		return BM_E_INTERNAL;
	redisReply *rep = bm_redis_eval(r, &get_script, a.argc, a.argv, NULL);
	if (!rep)
		return BM_E_REDIS;
	enum bm_err e = parse_get(rep, out);
	if (e == BM_E_REDIS)
		bm_log(BM_LOG_ERROR, NULL, "status cache: unexpected reply type %d", rep->type);
	freeReplyObject(rep);
	if (e) {
		free(out->answer);
		*out = (struct bm_stcache_hit){0};
	}
	return e;
}

void bm_stcache_put(struct bm_redis *r, const char *key, long long id, const char *gen,
                    const char *answer, unsigned ttl_s, const struct bm_rl_key *keys, size_t n,
                    const char *charge)
{
	char nkeys[8], ids[24], ttl[16];
	const char *argv[2 + BM_RL_MAX_KEYS + 5];
	size_t k = 0;

	if (!charge[0] || n > BM_RL_MAX_KEYS)
		n = 0; /* nothing to take back (or never charged: too many keys) */
	snprintf(nkeys, sizeof nkeys, "%zu", 1 + n);
	snprintf(ids, sizeof ids, "%lld", id);
	snprintf(ttl, sizeof ttl, "%u", ttl_s);
	argv[k++] = nkeys;
	argv[k++] = key;
	for (size_t i = 0; i < n; i++)
		argv[k++] = keys[i].key;
	argv[k++] = ids;
	argv[k++] = ttl;
	argv[k++] = gen ? gen : "";
	argv[k++] = gen ? answer : "";
	argv[k++] = charge;
	redisReply *rep = bm_redis_eval(r, &put_script, (int)k, argv, NULL);
	if (rep)
		freeReplyObject(rep);
}

void bm_stcache_refund(struct bm_redis *r, const struct bm_rl_key *keys, size_t n,
                       const char *charge)
{
	char nkeys[8];
	const char *argv[2 + BM_RL_MAX_KEYS];

	if (!charge[0] || n == 0 || n > BM_RL_MAX_KEYS)
		return;
	snprintf(nkeys, sizeof nkeys, "%zu", n);
	argv[0] = nkeys;
	for (size_t i = 0; i < n; i++)
		argv[1 + i] = keys[i].key;
	argv[1 + n] = charge;
	redisReply *rep = bm_redis_eval(r, &refund_script, (int)(n + 2), argv, NULL);
	if (!rep || rep->type == REDIS_REPLY_ERROR)
		bm_log(BM_LOG_WARN, NULL, "status cache: a miss charge was not taken back");
	if (rep)
		freeReplyObject(rep);
}

void bm_stcache_changed(void *arg, const long long *ids, size_t n)
{
	struct bm_redis *r = arg;
	unsigned ttl_s = bm_redis_cfg(r)->status_cache_s;
	char life[16], num[16][24];
	const char *argv[2 + 16];

	if (ttl_s == 0)
		return;
	snprintf(life, sizeof life, "%u", 2 * ttl_s);
	while (n) {
		size_t k = n < 16 ? n : 16;
		argv[0] = "0";
		argv[1] = life;
		for (size_t i = 0; i < k; i++) {
			snprintf(num[i], sizeof num[i], "%lld", ids[i]);
			argv[2 + i] = num[i];
		}
		redisReply *rep = bm_redis_eval(r, &changed_script, (int)(2 + k), argv, NULL);
		if (!rep || rep->type == REDIS_REPLY_ERROR)
			bm_log(
			    BM_LOG_WARN, NULL,
			    "status cache: a change was not recorded; an answer cached before it "
			    "may be served until it expires");
		if (rep)
			freeReplyObject(rep);
		ids += k;
		n -= k;
	}
}

void bm_stcache_attach(struct bm_db *db, struct bm_redis *r)
{
	bm_db_on_change(db, bm_stcache_changed, r);
}
