// SPDX-License-Identifier: MIT
/*
 * bm_stcache: a cache of the public status answer in Redis.
 *
 * Status look-ups are the busiest public call and most of them ask again
 * about an application that has not changed. The rendered answer (which
 * carries no personal data) is kept in Redis under the application's id,
 * with the id found from the look-up key (the keyed hash of the ID number
 * plus the application number, or the hash of the tracking code), so a
 * repeated look-up costs one Redis call and no MariaDB at all.
 *
 * Freshness without a race: every committed change of an application
 * increments its generation in Redis (bm_stcache_changed, hung on bm_db's
 * change notices, which bm_event_append raises: every change of what the
 * status shows appends an event). An entry records the generation read
 * before the database was read, is stored only if that generation is still
 * current, and is served only while it is; so an answer read before a
 * change can never be served after it. Entries, look-up keys and
 * generations expire (generations last twice as long as entries, so an
 * entry can never outlive the generation that would refuse it). If Redis
 * loses an increment (down at the moment of a commit), the entry it should
 * have refused lives at most BIMER_STATUS_CACHE_S seconds.
 *
 * The first call also checks the look-up's rate limits, so a cached answer
 * costs exactly one round trip. A look-up key it does not know is most
 * likely a miss, so that same call counts the miss at once and hands back
 * the member it added; when MariaDB then finds the application after all
 * (a first look-up), the call that stores the answer takes the member back.
 * A miss thus costs one Redis call, and a hit never counts.
 */
#ifndef BM_STCACHE_H
#define BM_STCACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "bm_cache.h"

/* The longest look-up key bm_stcache_key_* writes, with its NUL. */
#define BM_STCACHE_KEY_LEN 96

/* The look-up key for an ID number's keyed hash and an application number. */
void bm_stcache_key_number(const unsigned char *tckn_hmac, size_t mac_len, const char *no,
                           char out[BM_STCACHE_KEY_LEN]);

/* The look-up key for a tracking code's SHA-256. */
void bm_stcache_key_tracking(const unsigned char digest[32], char out[BM_STCACHE_KEY_LEN]);

/* The longest member bm_stcache_get counts a miss with, with its NUL. */
#define BM_STCACHE_CHARGE_LEN 48

struct bm_stcache_hit {
	bool denied;      /* a limit is exhausted: answer 429 (nothing counted) */
	long retry_after; /* with denied */
	long long id;     /* the application, when the look-up key is known; else 0 */
	char gen[24];     /* its generation before the database is read (with id) */
	char *answer;     /* the cached answer (JSON text), or NULL; caller frees */
	/* When the key is unknown: the member counted as a miss on every limit key. */
	char charge[BM_STCACHE_CHARGE_LEN];
};

/*
 * Peek at the limits (keys, 1 ≤ n ≤ BM_RL_MAX_KEYS) and look key up, in one
 * call. Not denied and key unknown: a miss is counted on every limit key
 * (as bm_rl_all's hit does) under out->charge, which bm_stcache_put or
 * bm_stcache_refund takes back if the look-up is not a miss after all.
 * BM_E_REDIS when Redis cannot be asked (the caller then takes the
 * uncached path: nothing was counted); BM_E_NOMEM. On success fills *out.
 */
enum bm_err bm_stcache_get(struct bm_redis *r, const struct bm_rl_key *keys, size_t n,
                           const char *key, struct bm_stcache_hit *out);

/*
 * After a database read that found application id: remember key → id, and
 * the answer under id if gen (from bm_stcache_get; NULL when the key was
 * not known then) is still the current generation; and take the miss
 * charge (hit->charge, "" for none) back from the n limit keys, all in one
 * call. Failures are ignored: the cache is only a cache (at worst a hit
 * stays counted as a miss).
 */
void bm_stcache_put(struct bm_redis *r, const char *key, long long id, const char *gen,
                    const char *answer, unsigned ttl_s, const struct bm_rl_key *keys, size_t n,
                    const char *charge);

/*
 * Take the miss charge back from the n limit keys when the look-up failed
 * (503: it was neither a hit nor a miss). Failures are ignored.
 */
void bm_stcache_refund(struct bm_redis *r, const struct bm_rl_key *keys, size_t n,
                       const char *charge);

/*
 * A bm_db change hook: the applications ids[n] changed; arg is the thread's
 * struct bm_redis. Entries live cfg->status_cache_s; see bm_stcache_attach.
 */
void bm_stcache_changed(void *arg, const long long *ids, size_t n);

struct bm_db;
/* Hang bm_stcache_changed on db's change notices, with r. */
void bm_stcache_attach(struct bm_db *db, struct bm_redis *r);

#endif
