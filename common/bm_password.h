// SPDX-License-Identifier: MIT
/*
 * bm_password: staff passwords and agency secrets, hashed with argon2id
 * (memory-hard: t=3, m=64 MiB, p=1, 16-byte salt) in the standard encoded
 * form. A failed look-up still costs one full verification against a dummy
 * hash, so the time taken does not tell whether the user exists.
 */
#ifndef BM_PASSWORD_H
#define BM_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#include "bm_err.h"

#define BM_PASSWORD_HASH_SIZE 128

/* Hash a password (at most 1024 bytes) into out. */
enum bm_err bm_password_hash(const char *password, char out[BM_PASSWORD_HASH_SIZE]);

/* Whether password matches encoded. encoded NULL = verify against the dummy and say no. */
bool bm_password_verify(const char *encoded, const char *password);

#endif
