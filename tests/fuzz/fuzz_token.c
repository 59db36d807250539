// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for access tokens: bm_jwt_verify (common/bm_auth.c), the
 * whole path of a bearer token: our own reading of the header (base64url,
 * JSON, alg exactly RS256, a kid we hold), then libjwt's decoding and RSA
 * signature check, then every claim. The input, NUL-terminated like the
 * Authorization header it comes from, is verified at a fixed time with the
 * RSA public key below (a test key: its private half signed the seed tokens
 * of corpus/token/ once and was then thrown away, so nothing anywhere can
 * sign for it). The seeds are properly signed tokens that each fail one
 * claim at that time (expired, too long-lived, not yet valid, wrong issuer
 * or audience, unknown role or scope, ...), so the fuzzer starts deep in the
 * code, plus near-misses (alg none, lower-case rs256, HS256, unknown kid).
 *
 * It asserts that nothing verifies (a mutated input cannot carry a valid
 * signature, and no seed is valid at that time): every input answers
 * BM_E_UNAUTHORIZED, and the principal is left all zero, so a caller that
 * ignored the error would still find no roles, no subject and no scopes.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bm_auth.h"
#include "bm_cfg.h"
#include "fuzz.h"

/* 2026-01-01T00:00:00Z: the seeds' claims are written against this time. */
#define FUZZ_NOW ((time_t)1767225600)

/* Its kid (bm_jwt_keys_load: the first 8 bytes of the SHA-256 of the PEM) is f9f3a9e5134ec4d0. */
static const char public_pem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAsGnGKE/Rvgz4Aaxpvwjg\n"
    "VY1UK1QlqQ1VHj//GPNO5IB4ulXndk4p0jsTZclZEZXEBDqJ4m8NrmoIWcT2Zm74\n"
    "H8pRST2QBg8Q6OCI7/EnV00hzgOvVnNUbpLV5R2icaZrwnGpllZ1cdhAyXx2UCcW\n"
    "Kz8BPI/CMa+2Ux4AlLR+DEiby5sAvpN3uCjhGqjQga9oDx6rKCW6ArOFCpQZQmcp\n"
    "lvbWM7MJcbL0FF/5l9vnH0GQR7n89s89SrV/Y75jzDlezLwIj/oTguNf4bhPw0OI\n"
    "2TIuLTsjmn3hDf4YCpgyB0TBszJkDQC74T5h2bpHqViSCJbKI57kNaITSKN/ycMn\n"
    "jwIDAQAB\n"
    "-----END PUBLIC KEY-----\n";

static struct bm_jwt_keys keys;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* bm_jwt_keys_load reads files named by the configuration: one in a fresh temporary directory. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[] = "/tmp/bm-fuzz-token-XXXXXX", err[160] = "";
	struct bm_cfg cfg;
	(void)argc;
	(void)argv;

	memset(&cfg, 0, sizeof cfg);
	FUZZ_ASSERT(mkdtemp(dir), "a temporary directory");
	snprintf(cfg.jwt_public_key_file, sizeof cfg.jwt_public_key_file, "%s/public.pem", dir);
	FILE *f = fopen(cfg.jwt_public_key_file, "w");
	FUZZ_ASSERT(f && fwrite(public_pem, 1, sizeof public_pem - 1, f) == sizeof public_pem - 1 &&
	                fclose(f) == 0,
	            "the key written");
	unsetenv("BIMER_JWT_PREVIOUS_PUBLIC_KEY_FILE");
	enum bm_err e = bm_jwt_keys_load(&cfg, false, &keys, err, sizeof err);
	unlink(cfg.jwt_public_key_file);
	rmdir(dir);
	FUZZ_ASSERT(e == BM_OK && keys.npub == 1, err);
	FUZZ_ASSERT(!strcmp(keys.pub[0].kid, "f9f3a9e5134ec4d0"), "the kid the seeds name");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *token = malloc(size + 1);
	struct bm_principal who;
	static const struct bm_principal nobody;

	if (!token)
		return 0;
	memcpy(token, data, size);
	token[size] = '\0';
	memset(&who, 0xa5, sizeof who);
	enum bm_err e = bm_jwt_verify(&keys, token, FUZZ_NOW, &who);
	FUZZ_ASSERT(e == BM_E_UNAUTHORIZED, "nothing verifies without the private key");
	FUZZ_ASSERT(!memcmp(&who, &nobody, sizeof who), "a refused token leaves no principal");
	free(token);
	return 0;
}
