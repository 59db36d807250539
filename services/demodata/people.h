// SPDX-License-Identifier: MIT
/*
 * Applicants of the demo data. Each person is a stream of its own (seed,
 * person number), so someone who applies several times has the same valid
 * T.C. kimlik no (rules.md W3; a few are foreigners' YKN numbers starting with
 * 99, W1), the same name, e-mail address, telephone and home. The numbers
 * are random, not anyone's: they only pass the checksum.
 */
#ifndef DEMODATA_PEOPLE_H
#define DEMODATA_PEOPLE_H

#include <stdbool.h>
#include <stdint.h>

#include "rng.h"
#include "tree.h"

struct dd_person {
	char tckn[12];
	bool foreign;
	int plate; /* home province */
	char first[64], last[64], email[128], phone[24], address[300];
};

/* Person k of seed. */
void dd_person_make(const struct dd_tree *t, uint64_t seed, uint64_t k, struct dd_person *p);

/* A province by population (plate number 1..81). */
int dd_pick_province(struct dd_rng *r);

#endif
