// SPDX-License-Identifier: MIT
/*
 * bm_validators: shared custom checks for field tables. See bm_validators.h.
 */
#include "bm_validators.h"

#include "bm_tckn.h"

const char *bm_check_tckn(const json_t *v)
{
	return bm_tckn_valid(json_string_value(v), json_string_length(v)) ? NULL : "TCKN_CHECKSUM";
}
