// SPDX-License-Identifier: MIT
/*
 * bm_validators: field checks and patterns shared by the services' field
 * tables, so one identifier is validated the same way everywhere.
 */
#ifndef BM_VALIDATORS_H
#define BM_VALIDATORS_H

#include <jansson.h>

/* Application numbers: "2026-0001234-7" — year, sequence (7 to 9 digits), check digit. */
#define BM_APPLICATION_NO_PATTERN "[0-9]{4}-[0-9]{7,9}-[0-9]"
/* Tracking codes and tokens: base64url of the CSPRNG's bytes. */
#define BM_TOKEN_PATTERN "[A-Za-z0-9_-]+"

#define BM_EMAIL_PATTERN           "[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+([.][A-Za-z0-9-]+)+"
#define BM_PHONE_PATTERN           "[+]?[0-9][0-9 ()-]{5,18}[0-9]"
#define BM_PROVINCE_PATTERN        "0[1-9]|[1-7][0-9]|8[01]"
#define BM_INSTITUTION_PATTERN     "[A-Z0-9]+(-[A-Z0-9]+)*"
#define BM_TOPIC_PATTERN           "[a-z0-9]+(_[a-z0-9]+)*"
#define BM_IDEMPOTENCY_KEY_PATTERN "[A-Za-z0-9._:-]{8,128}"

/* T.C. kimlik no / YKN checksum (rules.md W3): NULL or "TCKN_CHECKSUM". */
const char *bm_check_tckn(const json_t *v);

/*
 * Entries of a field table (struct bm_field, bm_json.h) for the identifiers the
 * services share; FLAGS is BM_FF_REQUIRED or BM_FF_NULLABLE. The application number
 * entry takes any length up to 20 and lets the pattern judge (the resend of a
 * verification mail bounds it more tightly, as its own table shows).
 */
#define BM_FIELD_TCKN(FLAGS)                                                                       \
	{                                                                                          \
		.name = "tc_kimlik_no", .type = BM_FT_STRING, .flags = (FLAGS), .min = 11,         \
		.max = 11, .check = bm_check_tckn                                                  \
	}
/* A required free text under NAME: 10 to 20,000 characters, lines allowed (an application's
 * body, an answer, a decision, an extension's reason, BEDK's requests and their answers). */
#define BM_FIELD_TEXT(NAME)                                                                        \
	{                                                                                          \
		.name = (NAME), .type = BM_FT_STRING, .flags = BM_FF_REQUIRED | BM_FF_MULTILINE,   \
		.min = 10, .max = 20000                                                            \
	}
/* An institution code under NAME (2 to 64 characters of the code pattern). */
#define BM_FIELD_INSTITUTION(NAME, FLAGS)                                                          \
	{                                                                                          \
		.name = (NAME), .type = BM_FT_STRING, .flags = (FLAGS), .min = 2, .max = 64,       \
		.pattern = BM_INSTITUTION_PATTERN                                                  \
	}
#define BM_FIELD_APPLICATION_NO(FLAGS)                                                             \
	{                                                                                          \
		.name = "application_no", .type = BM_FT_STRING, .flags = (FLAGS), .min = 1,        \
		.max = 20, .pattern = BM_APPLICATION_NO_PATTERN                                    \
	}

#endif
