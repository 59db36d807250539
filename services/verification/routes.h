// SPDX-License-Identifier: MIT
/* The verification service's route table (routes.c). */
#ifndef VERIFICATION_ROUTES_H
#define VERIFICATION_ROUTES_H

#include <stddef.h>

#include "bm_route.h"

extern const struct bm_route verification_routes[];
extern const size_t verification_nroutes;

#endif
