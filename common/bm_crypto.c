// SPDX-License-Identifier: MIT
/*
 * bm_crypto: OpenSSL-backed HMAC, AES-256-GCM, tokens. See bm_crypto.h.
 *
 * Every request seals, MACs or hashes something, so the per-call cost
 * matters. OpenSSL 3's one-shot calls (HMAC(EVP_sha256(), ...), SHA256(),
 * EVP_aes_256_gcm()) look the algorithm up in the provider store on each
 * call (locks, property matching), and RAND_bytes takes global locks of the
 * DRBG tree; together they were most of the CPU a submission spent in
 * libcrypto. So: SHA-256 and AES-256-GCM are fetched once per process
 * (pthread_once); each thread keeps one digest and one cipher context for
 * reuse, freed by a thread-specific-data destructor when the thread exits;
 * HMAC is RFC 2104 over those SHA-256 contexts (our keys are shorter than a
 * SHA-256 block, so they are only padded, never hashed); random bytes come
 * straight from the kernel's CSPRNG (getrandom). Outputs are those of the
 * one-shot calls, bit for bit (tests/unit/test_crypto.c).
 *
 * A reused cipher context keeps the last key's schedule in this thread's
 * memory; the key itself stays in the configuration for the process's life.
 */
#include "bm_crypto.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define SHA256_BLOCK 64
#define SHA256_LEN   32
#define MAX_PLAIN    (1 << 20) /* bytes sealed or opened at once; fits the int of EVP_*Update */

/* One thread's reusable contexts; gcm is bound to AES-256-GCM, given a key per call. */
struct thread_ctx {
	EVP_MD_CTX *md;
	EVP_CIPHER_CTX *gcm;
};

static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha256_md; /* NULL if the fetch failed: every operation then fails */
static EVP_CIPHER *gcm_cipher;
static pthread_key_t ctx_key; /* only for the destructor; lookups go through `mine` */
static bool ctx_key_ok;
static _Thread_local struct thread_ctx *mine;

static void thread_ctx_free(void *p)
{
	struct thread_ctx *t = p;
	EVP_MD_CTX_free(t->md);
	EVP_CIPHER_CTX_free(t->gcm);
	free(t);
	mine = NULL;
}

static void fetch_algorithms(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
	gcm_cipher = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
	ctx_key_ok = pthread_key_create(&ctx_key, thread_ctx_free) == 0;
}

/* This thread's contexts, made on its first call; NULL when out of memory. */
static struct thread_ctx *thread_ctx(void)
{
	if (mine)
		return mine;
	pthread_once(&fetch_once, fetch_algorithms);
	if (!sha256_md || !gcm_cipher || !ctx_key_ok)
		return NULL;
	struct thread_ctx *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->md = EVP_MD_CTX_new();
	t->gcm = EVP_CIPHER_CTX_new();
	if (!t->md || !t->gcm || EVP_CipherInit_ex2(t->gcm, gcm_cipher, NULL, NULL, 1, NULL) != 1 ||
	    pthread_setspecific(ctx_key, t) != 0) {
		thread_ctx_free(t);
		return NULL;
	}
	mine = t;
	return t;
}

/*
 * n bytes from the kernel CSPRNG. getrandom() waits only until the pool is
 * first seeded at boot; after that requests of up to 256 bytes are neither
 * short nor interrupted, but a loop costs nothing.
 */
static int os_random(void *buf, size_t n)
{
	unsigned char *p = buf;
	while (n) {
		ssize_t r = getrandom(p, n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/*
 * A digest that could not be computed (out of memory on a thread's first
 * call): random bytes, so that it matches nothing stored. The void API of
 * bm_hmac and bm_sha256 has no way to report the failure.
 */
static void unmatchable(unsigned char *out, size_t len)
{
	if (os_random(out, len) != 0)
		memset(out, 0, len);
}

static int hexdig(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

enum bm_err bm_key_load(const char *path, unsigned char key[BM_KEY_LEN])
{
	char buf[2 * BM_KEY_LEN + 4];
	enum bm_err e = BM_E_CONFIG;
	FILE *f = path && *path ? fopen(path, "r") : NULL;
	if (!f)
		return BM_E_CONFIG;
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	if (n != 2 * BM_KEY_LEN)
		goto out;
	for (size_t i = 0; i < BM_KEY_LEN; i++) {
		int hi = hexdig(buf[2 * i]), lo = hexdig(buf[2 * i + 1]);
		if (hi < 0 || lo < 0)
			goto out;
		key[i] = (unsigned char)(hi << 4 | lo);
	}
	e = BM_OK;
out:
	OPENSSL_cleanse(buf, sizeof buf);
	return e;
}

/* SHA-256 of a || b with the thread's digest context. */
static bool sha256_two(EVP_MD_CTX *md, const void *a, size_t alen, const void *b, size_t blen,
                       unsigned char out[SHA256_LEN])
{
	return EVP_DigestInit_ex2(md, sha256_md, NULL) == 1 && EVP_DigestUpdate(md, a, alen) == 1 &&
	       EVP_DigestUpdate(md, b, blen) == 1 && EVP_DigestFinal_ex(md, out, NULL) == 1;
}

/* RFC 2104: H((K ^ opad) || H((K ^ ipad) || msg)), K zero-padded to the 64-byte block. */
static bool hmac_sha256(EVP_MD_CTX *md, const unsigned char key[BM_KEY_LEN], const void *msg,
                        size_t len, unsigned char out[BM_HMAC_LEN])
{
	unsigned char pad[SHA256_BLOCK], inner[SHA256_LEN];
	bool ok;

	memset(pad, 0x36, sizeof pad);
	for (size_t i = 0; i < BM_KEY_LEN; i++)
		pad[i] ^= key[i];
	ok = sha256_two(md, pad, sizeof pad, msg, len, inner);
	for (size_t i = 0; i < sizeof pad; i++)
		pad[i] ^= 0x36 ^ 0x5c;
	ok = ok && sha256_two(md, pad, sizeof pad, inner, sizeof inner, out);
	OPENSSL_cleanse(pad, sizeof pad);
	OPENSSL_cleanse(inner, sizeof inner);
	return ok;
}

void bm_hmac(const unsigned char key[BM_KEY_LEN], const void *msg, size_t len,
             unsigned char out[BM_HMAC_LEN])
{
	struct thread_ctx *t = thread_ctx();
	if (!t || !hmac_sha256(t->md, key, msg, len, out))
		unmatchable(out, BM_HMAC_LEN);
}

enum bm_err bm_seal(const unsigned char key[BM_KEY_LEN], const void *plain, size_t len,
                    unsigned char *out, size_t outcap, size_t *outlen)
{
	struct thread_ctx *t;
	int k, fin;

	if (outcap < len + BM_GCM_NONCE + BM_GCM_TAG || len > MAX_PLAIN)
		return BM_E_INTERNAL;
	if (os_random(out, BM_GCM_NONCE) != 0 || !(t = thread_ctx()))
		return BM_E_INTERNAL;
	unsigned char *ct = out + BM_GCM_NONCE;
	bool ok = EVP_EncryptInit_ex2(t->gcm, NULL, key, out, NULL) == 1 &&
	          EVP_EncryptUpdate(t->gcm, ct, &k, plain, (int)len) == 1 &&
	          EVP_EncryptFinal_ex(t->gcm, ct + k, &fin) == 1 &&
	          EVP_CIPHER_CTX_ctrl(t->gcm, EVP_CTRL_GCM_GET_TAG, BM_GCM_TAG, ct + len) == 1;
	*outlen = len + BM_GCM_NONCE + BM_GCM_TAG;
	return ok ? BM_OK : BM_E_INTERNAL;
}

/* On failure out is wiped: GCM decrypts before it checks the tag. */
enum bm_err bm_open(const unsigned char key[BM_KEY_LEN], const unsigned char *sealed, size_t len,
                    void *out, size_t outcap, size_t *outlen)
{
	struct thread_ctx *t;
	int k, fin;

	if (len < BM_GCM_NONCE + BM_GCM_TAG || len - BM_GCM_NONCE - BM_GCM_TAG > MAX_PLAIN ||
	    outcap < len - BM_GCM_NONCE - BM_GCM_TAG)
		return BM_E_INTERNAL;
	size_t n = len - BM_GCM_NONCE - BM_GCM_TAG;
	if (!(t = thread_ctx()))
		return BM_E_NOMEM;
	const unsigned char *ct = sealed + BM_GCM_NONCE;
	bool ok =
	    EVP_DecryptInit_ex2(t->gcm, NULL, key, sealed, NULL) == 1 &&
	    EVP_DecryptUpdate(t->gcm, out, &k, ct, (int)n) == 1 &&
	    EVP_CIPHER_CTX_ctrl(t->gcm, EVP_CTRL_GCM_SET_TAG, BM_GCM_TAG, (void *)(ct + n)) == 1 &&
	    EVP_DecryptFinal_ex(t->gcm, (unsigned char *)out + k, &fin) == 1;
	if (!ok)
		OPENSSL_cleanse(out, n);
	*outlen = n;
	return ok ? BM_OK : BM_E_INTERNAL;
}

int bm_b64url(const unsigned char *in, size_t n, char *out, size_t outcap)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t o = 0;
	unsigned acc = 0;
	int bits = 0;

	if (outcap < (n * 4 + 2) / 3 + 1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			out[o++] = b64[(acc >> bits) & 63];
		}
	}
	if (bits)
		out[o++] = b64[(acc << (6 - bits)) & 63];
	out[o] = '\0';
	return 0;
}

static int b64val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

int bm_b64url_decode(const char *in, size_t n, unsigned char *out, size_t outcap, size_t *outlen)
{
	unsigned acc = 0;
	int bits = 0;
	size_t o = 0;

	if (n % 4 == 1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int v = b64val(in[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == outcap)
				return -1;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	*outlen = o;
	return 0;
}

enum bm_err bm_random_token(size_t nbytes, char *out, size_t outcap)
{
	unsigned char raw[64];

	if (nbytes > sizeof raw || outcap < (nbytes * 4 + 2) / 3 + 1)
		return BM_E_INTERNAL;
	if (os_random(raw, nbytes) != 0)
		return BM_E_INTERNAL;
	bm_b64url(raw, nbytes, out, outcap);
	OPENSSL_cleanse(raw, sizeof raw);
	return BM_OK;
}

void bm_sha256(const void *msg, size_t len, unsigned char out[32])
{
	struct thread_ctx *t = thread_ctx();
	if (!t || !sha256_two(t->md, msg, len, NULL, 0, out))
		unmatchable(out, SHA256_LEN);
}

bool bm_ct_equal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

void bm_hex(const unsigned char *in, size_t len, char *out)
{
	static const char d[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = d[in[i] >> 4];
		out[2 * i + 1] = d[in[i] & 15];
	}
	out[2 * len] = '\0';
}
