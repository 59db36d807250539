// SPDX-License-Identifier: MIT
/*
 * bm_crypto: OpenSSL-backed HMAC, AES-256-GCM, tokens. See bm_crypto.h.
 */
#include "bm_crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

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
	FILE *f = path && *path ? fopen(path, "r") : NULL;
	if (!f)
		return BM_E_CONFIG;
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	if (n != 2 * BM_KEY_LEN)
		return BM_E_CONFIG;
	for (size_t i = 0; i < BM_KEY_LEN; i++) {
		int hi = hexdig(buf[2 * i]), lo = hexdig(buf[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return BM_E_CONFIG;
		key[i] = (unsigned char)(hi << 4 | lo);
	}
	OPENSSL_cleanse(buf, sizeof buf);
	return BM_OK;
}

void bm_hmac(const unsigned char key[BM_KEY_LEN], const void *msg, size_t len,
             unsigned char out[BM_HMAC_LEN])
{
	unsigned int outlen = BM_HMAC_LEN;
	HMAC(EVP_sha256(), key, BM_KEY_LEN, msg, len, out, &outlen);
}

enum bm_err bm_seal(const unsigned char key[BM_KEY_LEN], const void *plain, size_t len,
                    unsigned char *out, size_t outcap, size_t *outlen)
{
	EVP_CIPHER_CTX *c;
	int k, ok;

	if (outcap < len + BM_GCM_NONCE + BM_GCM_TAG || len > 1 << 20)
		return BM_E_INTERNAL;
	if (RAND_bytes(out, BM_GCM_NONCE) != 1 || !(c = EVP_CIPHER_CTX_new()))
		return BM_E_INTERNAL;
	ok =
	    EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, out) == 1 &&
	    EVP_EncryptUpdate(c, out + BM_GCM_NONCE, &k, plain, (int)len) == 1 &&
	    EVP_EncryptFinal_ex(c, out + BM_GCM_NONCE + k, &k) == 1 &&
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, BM_GCM_TAG, out + BM_GCM_NONCE + len) == 1;
	EVP_CIPHER_CTX_free(c);
	*outlen = len + BM_GCM_NONCE + BM_GCM_TAG;
	return ok ? BM_OK : BM_E_INTERNAL;
}

enum bm_err bm_open(const unsigned char key[BM_KEY_LEN], const unsigned char *sealed, size_t len,
                    void *out, size_t outcap, size_t *outlen)
{
	EVP_CIPHER_CTX *c;
	int k, ok;

	if (len < BM_GCM_NONCE + BM_GCM_TAG || outcap < len - BM_GCM_NONCE - BM_GCM_TAG)
		return BM_E_INTERNAL;
	size_t n = len - BM_GCM_NONCE - BM_GCM_TAG;
	if (!(c = EVP_CIPHER_CTX_new()))
		return BM_E_NOMEM;
	ok = EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, sealed) == 1 &&
	     EVP_DecryptUpdate(c, out, &k, sealed + BM_GCM_NONCE, (int)n) == 1 &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, BM_GCM_TAG,
	                         (void *)(sealed + BM_GCM_NONCE + n)) == 1 &&
	     EVP_DecryptFinal_ex(c, (unsigned char *)out + k, &k) == 1;
	EVP_CIPHER_CTX_free(c);
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
	if (RAND_bytes(raw, (int)nbytes) != 1)
		return BM_E_INTERNAL;
	bm_b64url(raw, nbytes, out, outcap);
	OPENSSL_cleanse(raw, sizeof raw);
	return BM_OK;
}

void bm_sha256(const void *msg, size_t len, unsigned char out[32])
{
	SHA256(msg, len, out);
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
