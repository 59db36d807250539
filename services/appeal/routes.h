// SPDX-License-Identifier: MIT
/* The appeal service's route table (routes.c). */
#ifndef APPEAL_ROUTES_H
#define APPEAL_ROUTES_H

#include <stddef.h>

#include "bm_route.h"

extern const struct bm_route appeal_routes[];
extern const size_t appeal_nroutes;

#endif
