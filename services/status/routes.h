// SPDX-License-Identifier: MIT
/* The status service's route table (routes.c). */
#ifndef STATUS_ROUTES_H
#define STATUS_ROUTES_H

#include <stddef.h>

#include "bm_route.h"

extern const struct bm_route status_routes[];
extern const size_t status_nroutes;

#endif
