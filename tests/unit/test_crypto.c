// SPDX-License-Identifier: MIT
//
// Unit tests of bm_crypto (security.md: the sealed ID number, its look-up
// HMAC, token hashes and random tokens). Known-answer vectors (FIPS 180-2
// SHA-256, RFC 4231 HMAC-SHA256, the AES-256-GCM test cases 13-15 of the GCM
// specification), every output compared bit for bit with OpenSSL's one-shot
// calls (which bm_crypto used before it fetched its algorithms once and kept
// per-thread contexts), tampering refused byte by byte, tokens, and four
// threads × 10,000 operations against results computed single-threaded.
//
// The thread test runs first: nothing in this process has touched bm_crypto
// yet, so the four threads race through its one-time initialisation.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bm_crypto.h"

#define THREADS    4
#define OPS        10000
#define INPUTS     16
#define SEALED_MAX (64 + BM_GCM_NONCE + BM_GCM_TAG)

static void unhex(const char *hex, unsigned char *out, size_t *n)
{
	size_t len = strlen(hex) / 2;
	for (size_t i = 0; i < len; i++) {
		unsigned v;
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (unsigned char)v;
	}
	*n = len;
}

static void assert_hex(const unsigned char *got, size_t n, const char *want)
{
	char hex[2 * 256 + 1];
	assert_true(n <= 256);
	bm_hex(got, n, hex);
	assert_string_equal(hex, want);
}

/* The one-shot calls bm_crypto used to make: the reference for "bit for bit". */
static void ref_hmac(const unsigned char *key, const void *msg, size_t len, unsigned char *out)
{
	unsigned int n = 0;
	assert_non_null(HMAC(EVP_sha256(), key, BM_KEY_LEN, msg, len, out, &n));
	assert_int_equal(n, BM_HMAC_LEN);
}

static void ref_sha256(const void *msg, size_t len, unsigned char *out)
{
	assert_int_equal(EVP_Digest(msg, len, out, NULL, EVP_sha256(), NULL), 1);
}

/* AES-256-GCM with the nonce already in sealed[0..11]: fills in ciphertext and tag. */
static void ref_seal(const unsigned char *key, const void *plain, size_t len, unsigned char *sealed)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int k = 0, fin = 0;
	assert_non_null(c);
	assert_int_equal(EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, sealed), 1);
	assert_int_equal(EVP_EncryptUpdate(c, sealed + BM_GCM_NONCE, &k, plain, (int)len), 1);
	assert_int_equal(EVP_EncryptFinal_ex(c, sealed + BM_GCM_NONCE + k, &fin), 1);
	assert_int_equal(
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, BM_GCM_TAG, sealed + BM_GCM_NONCE + len),
	    1);
	EVP_CIPHER_CTX_free(c);
}

static void fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed * 131u + i * 29u + (i >> 3));
}

/* ---- four threads × 10,000 operations ---- */

struct input {
	unsigned char msg[64];
	size_t len;
	const unsigned char *data_key; /* two data keys alternate: no key may stick to a context */
	unsigned char mac[BM_HMAC_LEN], sha[32];
	unsigned char sealed[SEALED_MAX];
	size_t sealed_len;
};

static unsigned char hmac_key[BM_KEY_LEN], data_key_a[BM_KEY_LEN], data_key_b[BM_KEY_LEN];
static struct input inputs[INPUTS];
static pthread_barrier_t start_line;

static void inputs_make(void)
{
	fill(hmac_key, BM_KEY_LEN, 1);
	fill(data_key_a, BM_KEY_LEN, 2);
	fill(data_key_b, BM_KEY_LEN, 3);
	for (unsigned i = 0; i < INPUTS; i++) {
		struct input *in = &inputs[i];
		in->len = (size_t)i * 4; /* 0 .. 60 bytes: empty, under and over a block */
		fill(in->msg, in->len, 10 + i);
		in->data_key = i % 2 ? data_key_b : data_key_a;
		ref_hmac(hmac_key, in->msg, in->len, in->mac);
		ref_sha256(in->msg, in->len, in->sha);
		fill(in->sealed, BM_GCM_NONCE, 100 + i);
		ref_seal(in->data_key, in->msg, in->len, in->sealed);
		in->sealed_len = in->len + BM_GCM_NONCE + BM_GCM_TAG;
	}
}

/* One operation on input i; false if its result differs from the single-threaded one. */
static bool one_op(unsigned op, const struct input *in)
{
	unsigned char out[SEALED_MAX], back[64];
	char token[48];
	size_t n = 0, m = 0;

	switch (op % 5) {
	case 0:
		bm_hmac(hmac_key, in->msg, in->len, out);
		return memcmp(out, in->mac, BM_HMAC_LEN) == 0;
	case 1: bm_sha256(in->msg, in->len, out); return memcmp(out, in->sha, 32) == 0;
	case 2:
		return bm_open(in->data_key, in->sealed, in->sealed_len, back, sizeof back, &n) ==
		           BM_OK &&
		       n == in->len && memcmp(back, in->msg, n) == 0;
	case 3:
		if (bm_seal(in->data_key, in->msg, in->len, out, sizeof out, &n) != BM_OK ||
		    n != in->sealed_len ||
		    bm_open(in->data_key, out, n, back, sizeof back, &m) != BM_OK)
			return false;
		return m == in->len && memcmp(back, in->msg, m) == 0;
	default: return bm_random_token(32, token, sizeof token) == BM_OK && strlen(token) == 43;
	}
}

static void *thread_main(void *arg)
{
	uintptr_t id = (uintptr_t)arg, bad = 0;
	pthread_barrier_wait(&start_line);
	for (unsigned i = 0; i < OPS; i++)
		bad += !one_op(i, &inputs[(i / 5 + id * 3) % INPUTS]);
	return (void *)bad;
}

static void test_threads_agree_with_single_thread(void **state)
{
	(void)state;
	pthread_t th[THREADS];
	inputs_make();
	assert_int_equal(pthread_barrier_init(&start_line, NULL, THREADS), 0);
	for (uintptr_t i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, thread_main, (void *)i), 0);
	uintptr_t bad = 0;
	for (int i = 0; i < THREADS; i++) {
		void *r;
		assert_int_equal(pthread_join(th[i], &r), 0);
		bad += (uintptr_t)r;
	}
	pthread_barrier_destroy(&start_line);
	assert_int_equal(bad, 0);
	/* and this thread, single-threaded, gets the same answers */
	for (unsigned op = 0; op < 5 * INPUTS; op++)
		assert_true(one_op(op, &inputs[op / 5]));
}

/* ---- known answers ---- */

static void test_sha256_vectors(void **state)
{
	(void)state;
	unsigned char d[32];
	bm_sha256("abc", 3, d);
	assert_hex(d, 32, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	bm_sha256("", 0, d);
	assert_hex(d, 32, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	bm_sha256(two_blocks, strlen(two_blocks), d);
	assert_hex(d, 32, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	char *million = malloc(1000000);
	assert_non_null(million);
	memset(million, 'a', 1000000);
	bm_sha256(million, 1000000, d);
	free(million);
	assert_hex(d, 32, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/*
 * bm_hmac takes a 32-byte key. HMAC pads a key shorter than SHA-256's 64-byte
 * block with zeros and replaces a longer one by its SHA-256, so RFC 4231's
 * short keys are the same keys zero-padded to 32 bytes, and its 131-byte key
 * is the same key as its 32-byte digest.
 */
struct rfc4231 {
	int no;
	unsigned char key_byte; /* the key is key_len bytes of key_byte (case 4: 1, 2, ..., 25) */
	size_t key_len;
	const char *msg;
	size_t msg_len;
	const char *mac;
};

static const struct rfc4231 rfc4231_cases[] = {
    {1, 0x0b, 20, "Hi There", 8,
     "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
    {2, 0, 4, "what do ya want for nothing?", 28,
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
    {3, 0xaa, 20, NULL, 50, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
    {4, 0, 25, NULL, 50, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
    {6, 0xaa, 131, "Test Using Larger Than Block-Size Key - Hash Key First", 54,
     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
    {7, 0xaa, 131,
     "This is a test using a larger than block-size key and a larger than block-size data. "
     "The key needs to be hashed before being used by the HMAC algorithm.",
     152, "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
};

static void rfc4231_key(const struct rfc4231 *c, unsigned char key[BM_KEY_LEN])
{
	unsigned char raw[131];
	if (c->no == 2)
		memcpy(raw, "Jefe", 4);
	else if (c->no == 4)
		for (size_t i = 0; i < c->key_len; i++)
			raw[i] = (unsigned char)(i + 1);
	else
		memset(raw, c->key_byte, c->key_len);
	memset(key, 0, BM_KEY_LEN);
	if (c->key_len > 64)
		bm_sha256(raw, c->key_len, key);
	else
		memcpy(key, raw, c->key_len);
}

static void test_hmac_rfc4231(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof rfc4231_cases / sizeof rfc4231_cases[0]; i++) {
		const struct rfc4231 *c = &rfc4231_cases[i];
		unsigned char key[BM_KEY_LEN], msg[200], mac[BM_HMAC_LEN];
		if (c->msg)
			memcpy(msg, c->msg, c->msg_len);
		else
			memset(msg, c->no == 3 ? 0xdd : 0xcd, c->msg_len);
		rfc4231_key(c, key);
		bm_hmac(key, msg, c->msg_len, mac);
		char hex[2 * BM_HMAC_LEN + 1];
		bm_hex(mac, BM_HMAC_LEN, hex);
		if (strcmp(hex, c->mac) != 0)
			fail_msg("RFC 4231 case %d: %s, want %s", c->no, hex, c->mac);
	}
}

/* Every message length from 0 to 300 (across block boundaries), against HMAC() and SHA-256. */
static void test_same_as_one_shot_calls(void **state)
{
	(void)state;
	unsigned char key[BM_KEY_LEN], msg[300], got[32], want[32];
	for (size_t len = 0; len <= sizeof msg; len++) {
		fill(key, sizeof key, (unsigned)len);
		fill(msg, len, (unsigned)len + 7);
		bm_hmac(key, msg, len, got);
		ref_hmac(key, msg, len, want);
		assert_memory_equal(got, want, BM_HMAC_LEN);
		bm_sha256(msg, len, got);
		ref_sha256(msg, len, want);
		assert_memory_equal(got, want, 32);
	}
}

/* GCM specification test cases 13, 14, 15 (256-bit keys, 96-bit IVs, no AAD): nonce || C || T. */
static const struct {
	const char *key, *sealed, *plain;
} gcm_cases[] = {
    {"0000000000000000000000000000000000000000000000000000000000000000",
     "000000000000000000000000"
     "530f8afbc74536b9a963b4f1c4cb738b",
     ""},
    {"0000000000000000000000000000000000000000000000000000000000000000",
     "000000000000000000000000"
     "cea7403d4d606b6e074ec5d3baf39d18"
     "d0d1c8a799996bf0265b98b5d48ab919",
     "00000000000000000000000000000000"},
    {"feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
     "cafebabefacedbaddecaf888"
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad"
     "b094dac5d93471bdec1a502270e3cc6c",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255"},
};

static void test_open_gcm_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof gcm_cases / sizeof gcm_cases[0]; i++) {
		unsigned char key[BM_KEY_LEN], sealed[128], plain[64], out[64];
		size_t kn, sn, pn, on = 99;
		unhex(gcm_cases[i].key, key, &kn);
		unhex(gcm_cases[i].sealed, sealed, &sn);
		unhex(gcm_cases[i].plain, plain, &pn);
		assert_int_equal(kn, BM_KEY_LEN);
		assert_int_equal(bm_open(key, sealed, sn, out, sizeof out, &on), BM_OK);
		assert_int_equal(on, pn);
		assert_memory_equal(out, plain, pn);
	}
}

/* ---- seal and open ---- */

static void test_seal_round_trip_and_reference(void **state)
{
	(void)state;
	unsigned char key[BM_KEY_LEN], plain[100], sealed[128], again[128], ref[128], back[100];
	size_t n = 0, m = 0, back_n = 0;
	fill(key, sizeof key, 42);
	for (size_t len = 0; len <= sizeof plain; len++) {
		fill(plain, len, (unsigned)len);
		assert_int_equal(bm_seal(key, plain, len, sealed, sizeof sealed, &n), BM_OK);
		assert_int_equal(n, len + BM_GCM_NONCE + BM_GCM_TAG);
		memcpy(ref, sealed, BM_GCM_NONCE);
		ref_seal(key, plain, len, ref);
		assert_memory_equal(sealed, ref, n);
		assert_int_equal(bm_open(key, sealed, n, back, sizeof back, &back_n), BM_OK);
		assert_int_equal(back_n, len);
		assert_memory_equal(back, plain, len);
		/* a fresh random nonce every time */
		assert_int_equal(bm_seal(key, plain, len, again, sizeof again, &m), BM_OK);
		assert_int_equal(m, n);
		assert_memory_not_equal(again, sealed, BM_GCM_NONCE);
	}
	/* the ID number's size, as stored */
	assert_int_equal(bm_seal(key, "12345678950", 11, sealed, BM_TCKN_ENC_LEN, &n), BM_OK);
	assert_int_equal(n, BM_TCKN_ENC_LEN);
	/* no room for nonce and tag, or a plaintext over the limit */
	assert_int_equal(bm_seal(key, plain, 11, sealed, BM_TCKN_ENC_LEN - 1, &n), BM_E_INTERNAL);
	assert_int_equal(bm_seal(key, plain, (1 << 20) + 1, sealed, SIZE_MAX, &n), BM_E_INTERNAL);
}

static bool all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* A flipped bit anywhere (nonce, ciphertext, tag) or a wrong key: refused, nothing given out. */
static void test_open_refuses_tampering(void **state)
{
	(void)state;
	unsigned char key[BM_KEY_LEN], other[BM_KEY_LEN], sealed[BM_TCKN_ENC_LEN], out[16];
	size_t n = 0, on = 0;
	fill(key, sizeof key, 5);
	memcpy(other, key, sizeof other);
	other[31] ^= 1;
	assert_int_equal(bm_seal(key, "12345678950", 11, sealed, sizeof sealed, &n), BM_OK);
	for (size_t i = 0; i < n; i++) {
		for (int bit = 0; bit < 8; bit++) {
			sealed[i] ^= (unsigned char)(1 << bit);
			memset(out, 0x55, sizeof out);
			if (bm_open(key, sealed, n, out, sizeof out, &on) != BM_E_INTERNAL)
				fail_msg("byte %zu bit %d flipped (%s) was accepted", i, bit,
				         i < BM_GCM_NONCE        ? "nonce"
				         : i < BM_GCM_NONCE + 11 ? "ciphertext"
				                                 : "tag");
			assert_true(all_zero(out, 11)); /* the unauthenticated plaintext is wiped */
			sealed[i] ^= (unsigned char)(1 << bit);
			/* the same thread's context still opens the intact one */
			assert_int_equal(bm_open(key, sealed, n, out, sizeof out, &on), BM_OK);
			assert_memory_equal(out, "12345678950", 11);
		}
	}
	assert_int_equal(bm_open(other, sealed, n, out, sizeof out, &on), BM_E_INTERNAL);
	assert_true(all_zero(out, 11));
	/* truncated, too short for nonce and tag, or no room for the plaintext */
	assert_int_equal(bm_open(key, sealed, n - 1, out, sizeof out, &on), BM_E_INTERNAL);
	assert_int_equal(bm_open(key, sealed, BM_GCM_NONCE + BM_GCM_TAG - 1, out, sizeof out, &on),
	                 BM_E_INTERNAL);
	assert_int_equal(bm_open(key, sealed, n, out, 10, &on), BM_E_INTERNAL);
	assert_int_equal(bm_open(key, sealed, n, out, sizeof out, &on), BM_OK);
}

/* ---- tokens and encodings ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void test_random_tokens(void **state)
{
	(void)state;
	static const size_t sizes[] = {1, 8, 16, 24, 32, 48, 64};
	enum { COUNT = 1000 };
	static char tokens[COUNT][87];
	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		size_t nb = sizes[s], want = (nb * 4 + 2) / 3;
		char t[88];
		unsigned char raw[64];
		size_t rn = 0;
		assert_int_equal(bm_random_token(nb, t, want + 1), BM_OK);
		assert_int_equal(strlen(t), want);
		assert_int_equal(strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		                           "0123456789-_"),
		                 want);
		assert_int_equal(bm_b64url_decode(t, want, raw, sizeof raw, &rn), 0);
		assert_int_equal(rn, nb);
		assert_int_equal(bm_random_token(nb, t, want), BM_E_INTERNAL); /* no room for NUL */
	}
	assert_int_equal(bm_random_token(65, tokens[0], sizeof tokens[0]), BM_E_INTERNAL);
	for (int i = 0; i < COUNT; i++)
		assert_int_equal(bm_random_token(16, tokens[i], sizeof tokens[i]), BM_OK);
	qsort(tokens, COUNT, sizeof tokens[0], cmp_str);
	for (int i = 1; i < COUNT; i++)
		assert_string_not_equal(tokens[i - 1], tokens[i]);
}

static void test_encodings_and_compare(void **state)
{
	(void)state;
	/* RFC 4648 section 10, without padding */
	static const char *const b64[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
	char out[16], hex[9];
	unsigned char raw[8];
	size_t n;
	for (size_t len = 0; len <= 6; len++) {
		assert_int_equal(bm_b64url((const unsigned char *)"foobar", len, out, sizeof out),
		                 0);
		assert_string_equal(out, b64[len]);
		assert_int_equal(bm_b64url_decode(out, strlen(out), raw, sizeof raw, &n), 0);
		assert_int_equal(n, len);
		assert_memory_equal(raw, "foobar", len);
	}
	assert_int_equal(bm_b64url((const unsigned char *)"\xfb\xff", 2, out, sizeof out), 0);
	assert_string_equal(out, "-_8");
	assert_int_equal(bm_b64url((const unsigned char *)"foobar", 6, out, 8), -1);
	assert_int_equal(bm_b64url_decode("Zm9v+", 5, raw, sizeof raw, &n), -1);
	assert_int_equal(bm_b64url_decode("Zm9vY", 5, raw, sizeof raw, &n), -1);
	assert_int_equal(bm_b64url_decode("Zm9vYmFy", 8, raw, 5, &n), -1);
	bm_hex((const unsigned char *)"\x00\x9f\xa0\xff", 4, hex);
	assert_string_equal(hex, "009fa0ff");
	assert_true(bm_ct_equal("abcdef", "abcdef", 6));
	assert_false(bm_ct_equal("abcdef", "abcdeg", 6));
	assert_false(bm_ct_equal("\x01"
	                         "bcdef",
	                         "abcdef", 6));
	assert_true(bm_ct_equal("a", "b", 0));
}

static void test_key_load(void **state)
{
	(void)state;
	char path[] = "/tmp/bm-test-key-XXXXXX";
	unsigned char key[BM_KEY_LEN];
	static const char *const bad[] = {
	    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1",   /* 63 */
	    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f0", /* 65 */
	    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1g",  /* not hex */
	    "",
	};
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	FILE *f = fopen(path, "w");
	fputs("000102030405060708090A0B0C0D0E0F101112131415161718191a1b1c1d1e1f\r\n", f);
	fclose(f);
	assert_int_equal(bm_key_load(path, key), BM_OK);
	for (int i = 0; i < BM_KEY_LEN; i++)
		assert_int_equal(key[i], i);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		f = fopen(path, "w");
		fputs(bad[i], f);
		fclose(f);
		assert_int_equal(bm_key_load(path, key), BM_E_CONFIG);
	}
	unlink(path);
	assert_int_equal(bm_key_load(path, key), BM_E_CONFIG);
	assert_int_equal(bm_key_load("", key), BM_E_CONFIG);
	assert_int_equal(bm_key_load(NULL, key), BM_E_CONFIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_threads_agree_with_single_thread), /* first: see the top */
	    cmocka_unit_test(test_sha256_vectors),
	    cmocka_unit_test(test_hmac_rfc4231),
	    cmocka_unit_test(test_same_as_one_shot_calls),
	    cmocka_unit_test(test_open_gcm_vectors),
	    cmocka_unit_test(test_seal_round_trip_and_reference),
	    cmocka_unit_test(test_open_refuses_tampering),
	    cmocka_unit_test(test_random_tokens),
	    cmocka_unit_test(test_encodings_and_compare),
	    cmocka_unit_test(test_key_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
