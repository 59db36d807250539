// SPDX-License-Identifier: MIT
/* The submission service's route table (routes.c). */
#ifndef SUBMISSION_ROUTES_H
#define SUBMISSION_ROUTES_H

#include <stddef.h>

#include "bm_route.h"

extern const struct bm_route submission_routes[];
extern const size_t submission_nroutes;

#endif
