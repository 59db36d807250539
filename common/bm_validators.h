// SPDX-License-Identifier: MIT
/*
 * bm_validators: field checks and patterns shared by the services' field
 * tables, so one identifier is validated the same way everywhere.
 */
#ifndef BM_VALIDATORS_H
#define BM_VALIDATORS_H

#include <jansson.h>

/* Application numbers: "2026-0001234-7" — year, sequence, check digit. */
#define BM_APPLICATION_NO_PATTERN "[0-9]{4}-[0-9]{7}-[0-9]"
/* Tracking codes and tokens: base64url of the CSPRNG's bytes. */
#define BM_TOKEN_PATTERN "[A-Za-z0-9_-]+"

/* T.C. kimlik no / YKN checksum (rules.md W3): NULL or "TCKN_CHECKSUM". */
const char *bm_check_tckn(const json_t *v);

#endif
