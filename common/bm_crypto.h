// SPDX-License-Identifier: MIT
/*
 * bm_crypto: protection of personal data (security.md, KVKK): the T.C.
 * kimlik no is stored encrypted with AES-256-GCM and looked up by an
 * HMAC-SHA256 under a separate key (a plain hash would be reversible: there
 * are under 10^9 valid numbers). Also secrets: random tokens from the OS
 * CSPRNG, their stored hashes, and constant-time comparison.
 *
 * Keys are 32 bytes, read once at start-up from the files named by
 * BIMER_DATA_KEY_FILE and BIMER_HMAC_KEY_FILE (64 hex characters each).
 */
#ifndef BM_CRYPTO_H
#define BM_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

#include "bm_err.h"

#define BM_KEY_LEN   32
#define BM_HMAC_LEN  32
#define BM_GCM_NONCE 12
#define BM_GCM_TAG   16
/* nonce + ciphertext + tag of an 11-byte ID number */
#define BM_TCKN_ENC_LEN (BM_GCM_NONCE + 11 + BM_GCM_TAG)

struct bm_keys {
	unsigned char data[BM_KEY_LEN];
	unsigned char hmac[BM_KEY_LEN];
};

/* Read a key file of 64 hex characters (a trailing newline allowed). */
enum bm_err bm_key_load(const char *path, unsigned char key[BM_KEY_LEN]);

/* HMAC-SHA256(key, msg) into out. */
void bm_hmac(const unsigned char key[BM_KEY_LEN], const void *msg, size_t len,
             unsigned char out[BM_HMAC_LEN]);

/* AES-256-GCM with a random nonce: out = nonce || ciphertext || tag (len + 28 bytes). */
enum bm_err bm_seal(const unsigned char key[BM_KEY_LEN], const void *plain, size_t len,
                    unsigned char *out, size_t outcap, size_t *outlen);

/* Inverse of bm_seal; fails on any tampering. out receives len - 28 bytes. */
enum bm_err bm_open(const unsigned char key[BM_KEY_LEN], const unsigned char *sealed, size_t len,
                    void *out, size_t outcap, size_t *outlen);

/*
 * A random token of nbytes from the CSPRNG, written as base64url without
 * padding into out (needs 4*nbytes/3 + 2 bytes). Returns BM_E_INTERNAL if
 * the CSPRNG fails.
 */
enum bm_err bm_random_token(size_t nbytes, char *out, size_t outcap);

/* base64url without padding of n bytes into out (needs 4*n/3 + 2 bytes); -1 if it does not fit. */
int bm_b64url(const unsigned char *in, size_t n, char *out, size_t outcap);

/* Decode base64url (no padding) of n bytes; -1 on a bad character, length or overflow. */
int bm_b64url_decode(const char *in, size_t n, unsigned char *out, size_t outcap, size_t *outlen);

/* SHA-256 of a secret for storage. */
void bm_sha256(const void *msg, size_t len, unsigned char out[32]);

/* Constant-time equality of two byte strings of the same length. */
bool bm_ct_equal(const void *a, const void *b, size_t len);

/* Lower-case hex of len bytes into out (2*len+1 bytes). */
void bm_hex(const unsigned char *in, size_t len, char *out);

#endif
