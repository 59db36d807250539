// SPDX-License-Identifier: MIT
/*
 * splitmix64 streams: see rng.h.
 */
#include "rng.h"

static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void dd_rng_init(struct dd_rng *r, uint64_t seed, uint64_t salt, uint64_t index)
{
	r->s = mix(mix(seed + 0x9e3779b97f4a7c15ULL) ^ mix(salt * 0x632be59bd9b4e019ULL) ^ index);
}

uint64_t dd_rng_next(struct dd_rng *r)
{
	r->s += 0x9e3779b97f4a7c15ULL;
	return mix(r->s);
}

double dd_rng_unit(struct dd_rng *r)
{
	return (double)(dd_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

double dd_rng_range(struct dd_rng *r, double lo, double hi)
{
	return lo + (hi - lo) * dd_rng_unit(r);
}

size_t dd_rng_below(struct dd_rng *r, size_t n)
{
	return (size_t)(dd_rng_unit(r) * (double)n) % n;
}

int dd_rng_chance(struct dd_rng *r, double p)
{
	return dd_rng_unit(r) < p;
}

size_t dd_rng_weighted(struct dd_rng *r, const double *weights, size_t n)
{
	double total = 0, x;

	for (size_t i = 0; i < n; i++)
		total += weights[i];
	x = dd_rng_unit(r) * total;
	for (size_t i = 0; i < n; i++) {
		if (x < weights[i])
			return i;
		x -= weights[i];
	}
	return n - 1;
}
