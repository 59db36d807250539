// SPDX-License-Identifier: MIT
//
// mig_err: first-error-wins recording (see mig_err.h).

#include "mig_err.h"

#include <stdarg.h>
#include <stdio.h>

int mig_err_set(struct mig_err *err, enum mig_status status, const char *fmt, ...)
{
	if (err->status != MIG_OK)
		return -1;
	err->status = status;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}
