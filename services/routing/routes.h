// SPDX-License-Identifier: MIT
/* The routing service's route table (routes.c). */
#ifndef ROUTING_ROUTES_H
#define ROUTING_ROUTES_H

#include <stddef.h>

#include "bm_route.h"

extern const struct bm_route routing_routes[];
extern const size_t routing_nroutes;

#endif
