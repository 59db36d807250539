// SPDX-License-Identifier: MIT
/*
 * A small deterministic random generator (splitmix64) for the demo data.
 * Not for secrets: it exists so that one seed always gives the same data.
 * Each application and each applicant has its own stream, derived from the
 * seed and its index, so the output does not depend on batch sizes or on
 * the order in which things are generated.
 */
#ifndef DEMODATA_RNG_H
#define DEMODATA_RNG_H

#include <stddef.h>
#include <stdint.h>

struct dd_rng {
	uint64_t s;
};

/* The stream of item `index` of a family (salt) under seed. */
void dd_rng_init(struct dd_rng *r, uint64_t seed, uint64_t salt, uint64_t index);

uint64_t dd_rng_next(struct dd_rng *r);

/* Uniform in [0, 1). */
double dd_rng_unit(struct dd_rng *r);

/* Uniform in [lo, hi). */
double dd_rng_range(struct dd_rng *r, double lo, double hi);

/* Uniform integer in [0, n), n > 0. */
size_t dd_rng_below(struct dd_rng *r, size_t n);

/* True with probability p. */
int dd_rng_chance(struct dd_rng *r, double p);

/* An index into weights[0..n) chosen with probability proportional to its weight. */
size_t dd_rng_weighted(struct dd_rng *r, const double *weights, size_t n);

#endif
