// SPDX-License-Identifier: MIT
/*
 * The rate limiter against the real Redis of the test stack (BIMER_REDIS_*
 * from the environment; tests/run.sh starts it). A parallel burst from many
 * threads, each with its own connection, must be allowed exactly the limit.
 * Also: the script survives SCRIPT FLUSH (the NOSCRIPT fallback), peek
 * counts nothing, and the local fallback limits on its own.
 */
#include <hiredis/hiredis.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "bm_cache.h"
#include "bm_cfg.h"

#define THREADS    16
#define PER_THREAD 25
#define LIMIT      137

static struct bm_cfg cfg;
static char key[64];

static int setup(void **state)
{
	char err[256];
	(void)state;
	if (!getenv("BIMER_REDIS_PORT")) {
		fprintf(stderr, "BIMER_REDIS_PORT is not set: run through tests/run.sh\n");
		return -1;
	}
	if (bm_cfg_load(&cfg, "unit", err, sizeof err)) {
		fprintf(stderr, "config: %s\n", err);
		return -1;
	}
	return 0;
}

static void fresh_key(const char *what)
{
	snprintf(key, sizeof key, "test:rl:%s:%ld:%d", what, (long)time(NULL), getpid());
}

static void *burst(void *arg)
{
	long *allowed = arg;
	struct bm_redis *r = bm_redis_new(&cfg);
	for (int i = 0; i < PER_THREAD; i++) {
		struct bm_rl_result res;
		if (bm_rl_hit(r, key, LIMIT, 60, &res) == BM_OK && res.allowed)
			(*allowed)++;
	}
	bm_redis_free(r);
	return NULL;
}

static void test_parallel_burst_allows_exactly_limit(void **state)
{
	(void)state;
	pthread_t t[THREADS];
	long allowed[THREADS] = {0}, total = 0;

	fresh_key("burst");
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, burst, &allowed[i]), 0);
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		total += allowed[i];
	}
	assert_true(THREADS * PER_THREAD > LIMIT);
	assert_int_equal(total, LIMIT);
}

static void test_denied_has_retry_after(void **state)
{
	(void)state;
	struct bm_redis *r = bm_redis_new(&cfg);
	struct bm_rl_result res;
	fresh_key("retry");
	for (int i = 0; i < 3; i++) {
		assert_int_equal(bm_rl_hit(r, key, 3, 30, &res), BM_OK);
		assert_true(res.allowed);
		assert_int_equal(res.remaining, 2 - i);
	}
	assert_int_equal(bm_rl_hit(r, key, 3, 30, &res), BM_OK);
	assert_false(res.allowed);
	assert_true(res.retry_after >= 1 && res.retry_after <= 30);
	bm_redis_free(r);
}

static void test_peek_counts_nothing(void **state)
{
	(void)state;
	struct bm_redis *r = bm_redis_new(&cfg);
	struct bm_rl_result res;
	fresh_key("peek");
	for (int i = 0; i < 10; i++) {
		assert_int_equal(bm_rl_peek(r, key, 1, 30, &res), BM_OK);
		assert_true(res.allowed);
	}
	assert_int_equal(bm_rl_hit(r, key, 1, 30, &res), BM_OK);
	assert_true(res.allowed);
	assert_int_equal(bm_rl_peek(r, key, 1, 30, &res), BM_OK);
	assert_false(res.allowed);
	bm_redis_free(r);
}

static void test_survives_script_flush(void **state)
{
	(void)state;
	struct bm_redis *r = bm_redis_new(&cfg);
	struct bm_rl_result res;
	const char *flush[] = {"SCRIPT", "FLUSH"};
	fresh_key("flush");
	assert_int_equal(bm_rl_hit(r, key, 5, 30, &res), BM_OK);
	redisReply *rep = bm_redis_cmd(r, 2, flush, NULL);
	assert_non_null(rep);
	freeReplyObject(rep);
	assert_int_equal(bm_rl_hit(r, key, 5, 30, &res), BM_OK); /* NOSCRIPT → EVAL */
	assert_true(res.allowed);
	assert_int_equal(res.remaining, 3);
	bm_redis_free(r);
}

static void test_unreachable_redis_is_an_error(void **state)
{
	(void)state;
	struct bm_cfg bad = cfg;
	struct bm_rl_result res;
	bad.redis_port = 1; /* nothing listens there */
	bad.redis_socket[0] = '\0';
	struct bm_redis *r = bm_redis_new(&bad);
	assert_int_equal(bm_rl_hit(r, "x", 5, 30, &res), BM_E_REDIS);
	assert_int_equal(bm_redis_ping(r), BM_E_REDIS);
	bm_redis_free(r);
	snprintf(bad.redis_socket, sizeof bad.redis_socket, "/nonexistent/redis.sock");
	r = bm_redis_new(&bad);
	assert_int_equal(bm_rl_hit(r, "x", 5, 30, &res), BM_E_REDIS);
	bm_redis_free(r);
}

/* Several limits in one call: the worst decides, and a hit counts on every
 * key still under its limit even when another key denies. */
static void test_all_keys_in_one_call(void **state)
{
	(void)state;
	struct bm_redis *r = bm_redis_new(&cfg);
	struct bm_rl_result res;
	char a[80], b[80], c[80];
	fresh_key("all");
	snprintf(a, sizeof a, "%s:a", key);
	snprintf(b, sizeof b, "%s:b", key);
	snprintf(c, sizeof c, "%s:c", key);
	const struct bm_limit two = {2, 30}, five = {5, 30}, one_long = {1, 300};
	const struct bm_rl_key keys[] = {{a, &two}, {b, &five}};
	assert_int_equal(bm_rl_all(r, BM_RL_HIT, keys, 2, &res), BM_OK);
	assert_true(res.allowed);
	assert_int_equal(res.remaining, 1); /* the fewest left: a */
	assert_int_equal(bm_rl_all(r, BM_RL_PEEK, keys, 2, &res), BM_OK);
	assert_true(res.allowed);
	assert_int_equal(res.remaining, 1); /* peek counted nothing */
	assert_int_equal(bm_rl_all(r, BM_RL_HIT, keys, 2, &res), BM_OK);
	assert_true(res.allowed);
	assert_int_equal(bm_rl_all(r, BM_RL_HIT, keys, 2, &res), BM_OK);
	assert_false(res.allowed); /* a is full */
	assert_true(res.retry_after >= 1 && res.retry_after <= 30);
	/* b still counted that attempt: 3 of 5 used */
	assert_int_equal(bm_rl_peek(r, b, 5, 30, &res), BM_OK);
	assert_int_equal(res.remaining, 2);
	/* two denials: the longer wait is the answer */
	assert_int_equal(bm_rl_hit(r, c, 1, 300, &res), BM_OK);
	const struct bm_rl_key both[] = {{a, &two}, {c, &one_long}};
	assert_int_equal(bm_rl_all(r, BM_RL_PEEK, both, 2, &res), BM_OK);
	assert_false(res.allowed);
	assert_true(res.retry_after > 30);
	bm_redis_free(r);
}

static void test_local_fallback(void **state)
{
	(void)state;
	struct bm_rl_result res;
	fresh_key("local");
	for (int i = 0; i < 4; i++) {
		bm_rl_local_hit(key, 4, 60, &res);
		assert_true(res.allowed);
	}
	bm_rl_local_hit(key, 4, 60, &res);
	assert_false(res.allowed);
	assert_true(res.retry_after >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parallel_burst_allows_exactly_limit),
	    cmocka_unit_test(test_denied_has_retry_after),
	    cmocka_unit_test(test_peek_counts_nothing),
	    cmocka_unit_test(test_survives_script_flush),
	    cmocka_unit_test(test_unreachable_redis_is_an_error),
	    cmocka_unit_test(test_all_keys_in_one_call),
	    cmocka_unit_test(test_local_fallback),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
