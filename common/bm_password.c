// SPDX-License-Identifier: MIT
/*
 * bm_password: argon2id hashing and constant-effort verification.
 */
#include "bm_password.h"

#include <argon2.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <string.h>

#define T_COST       3
#define M_COST_KIB   65536
#define PARALLEL     1
#define SALT_LEN     16
#define TAG_LEN      32
#define MAX_PASSWORD 1024

static char dummy[BM_PASSWORD_HASH_SIZE];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

enum bm_err bm_password_hash(const char *password, char out[BM_PASSWORD_HASH_SIZE])
{
	unsigned char salt[SALT_LEN];
	size_t n = strlen(password);

	if (n > MAX_PASSWORD || RAND_bytes(salt, sizeof salt) != 1)
		return BM_E_INTERNAL;
	int rc = argon2id_hash_encoded(T_COST, M_COST_KIB, PARALLEL, password, n, salt, sizeof salt,
	                               TAG_LEN, out, BM_PASSWORD_HASH_SIZE);
	return rc == ARGON2_OK ? BM_OK : BM_E_INTERNAL;
}

static void make_dummy(void)
{
	if (bm_password_hash("not a password of anybody", dummy) != BM_OK)
		dummy[0] = '\0';
}

bool bm_password_verify(const char *encoded, const char *password)
{
	size_t n = strlen(password);
	if (n > MAX_PASSWORD)
		return false;
	if (!encoded) {
		pthread_once(&dummy_once, make_dummy);
		if (dummy[0])
			(void)argon2id_verify(dummy, password, n);
		return false;
	}
	return argon2id_verify(encoded, password, n) == ARGON2_OK;
}
