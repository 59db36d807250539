// SPDX-License-Identifier: MIT
/*
 * The life of one planned application (plan.c decides what it is, life.c
 * what happens to it). Internal to the generator.
 */
#ifndef DEMODATA_LIFE_H
#define DEMODATA_LIFE_H

#include <stdbool.h>

#include "plan.h"

struct dd_life {
	const struct dd_world *w;
	const struct bm_cal *cal;
	struct dd_rng *r;
	struct dd_app *a;
	bool info, foreign, cut;
	int holder;            /* the institution that answers */
	int route[3];          /* where routing sends it, in order (-1: unused) */
	bool route_forward[3]; /* that step is the holder's forward, not an operator's route */
	long long op_uid;      /* the operator who routes */
	const char *op_inst;
	const char *rank; /* R2: ethics rank, or NULL */
	enum bm_err err;
};

/* Everything after arrival at t: receipt, routing, answers, deadlines, appeals — cut at now. */
void dd_live(struct dd_life *l, int64_t t);

#endif
