// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the checks of an upload (POST /api/v1/attachments,
 * services/submission/attachments.c): the declared type from the
 * Content-Type (attachments_declared_type) and the magic-byte sniffing of
 * the content (attachments_sniffed_type), which must agree before anything
 * is stored. The input is "<Content-Type>\n<body>"; without a newline the
 * whole input is the body and the header is absent. The body is copied into
 * a buffer of exactly its size, so ASan sees any read past its end.
 *
 * It asserts: both answer NULL or one of the three types we take; the
 * declared type does not depend on the case of the header; the sniffed type
 * depends only on the first 8 bytes; and whatever is sniffed, hence every
 * upload taken (declared and sniffed agree), really starts with that type's
 * signature (PNG's 8 bytes, JPEG's FF D8 FF, "%PDF-").
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attachments.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
	const char *type;
	const char *magic;
	size_t len;
} signatures[] = {
    {"application/pdf", "%PDF-", 5},
    {"image/png", "\x89PNG\r\n\x1a\n", 8},
    {"image/jpeg", "\xff\xd8\xff", 3},
};

/* The signature entry of a type we take, or NULL for anything else. */
static const char *magic_of(const char *type, size_t *len)
{
	for (size_t i = 0; type && i < sizeof signatures / sizeof signatures[0]; i++)
		if (!strcmp(type, signatures[i].type)) {
			*len = signatures[i].len;
			return signatures[i].magic;
		}
	return NULL;
}

static void check_declared(const char *ctype)
{
	const char *d = attachments_declared_type(ctype);
	size_t len;

	FUZZ_ASSERT(!d || magic_of(d, &len), "declared: NULL or a type we take");
	if (!ctype)
		return;
	char *upper = strdup(ctype);
	if (!upper)
		return;
	for (char *p = upper; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	const char *du = attachments_declared_type(upper);
	FUZZ_ASSERT(d == du || (d && du && !strcmp(d, du)), "media types ignore case");
	free(upper);
}

static const char *check_sniffed(const uint8_t *data, size_t n)
{
	char *body = malloc(n ? n : 1), *head = malloc(8);
	const char *s = NULL;
	size_t hn = n < 8 ? n : 8, len = 0;

	if (!body || !head)
		goto out;
	memcpy(body, data, n);
	memcpy(head, data, hn);
	s = attachments_sniffed_type(body, n);
	const char *magic = magic_of(s, &len);
	FUZZ_ASSERT(!s || magic, "sniffed: NULL or a type we take");
	FUZZ_ASSERT(!s || (n >= len && !memcmp(body, magic, len)),
	            "sniffed content starts with its signature");
	const char *sh = attachments_sniffed_type(head, hn);
	FUZZ_ASSERT(s == sh || (s && sh && !strcmp(s, sh)), "only the first 8 bytes count");
out:
	free(body);
	free(head);
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	char *ctype = nl ? strndup((const char *)data, (size_t)(nl - data)) : NULL;
	const uint8_t *body = nl ? nl + 1 : data;
	size_t n = nl ? size - (size_t)(nl + 1 - data) : size;

	if (nl && !ctype)
		return 0;
	check_declared(ctype);
	const char *declared = attachments_declared_type(ctype);
	const char *sniffed = check_sniffed(body, n);
	size_t len;
	const char *magic = magic_of(declared, &len);
	if (declared && sniffed && !strcmp(declared, sniffed))
		FUZZ_ASSERT(n >= len && !memcmp(body, magic, len),
		            "a taken upload is what it says");
	free(ctype);
	return 0;
}
