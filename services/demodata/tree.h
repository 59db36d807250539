// SPDX-License-Identifier: MIT
/*
 * The institution tree and the staff accounts, as the database has them
 * when the generator starts (the demo tree of deploy/sql/demo, or whatever
 * the administrators made of it). Generated applications are only ever held
 * by active institutions in scope, routed the way routing.c allows (rules.md
 * R1, R2, W4), and their events name real users where the tree has one for
 * the acting institution — and no user (the institution alone) where it
 * has none.
 */
#ifndef DEMODATA_TREE_H
#define DEMODATA_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "bm_db.h"

#define DD_PROVINCES 82 /* plate numbers 1..81 */

struct dd_inst {
	char code[65], name[256], kind[32], parent[65], province[3];
	bool usable;           /* active and in scope */
	int parent_idx;        /* -1 for a root */
	long long user;        /* an active institution_user of it, 0 when none */
	long long operator_id; /* an active operator of it, 0 when none */
	long long bedk_member; /* an active bedk_member of it, 0 when none */
};

struct dd_list {
	int *v;
	size_t n;
};

struct dd_tree {
	struct dd_inst *inst;
	size_t n;
	int centre, ethics, bedk; /* -1 when missing */
	int governorship[DD_PROVINCES];
	struct dd_list districts[DD_PROVINCES], directorates[DD_PROVINCES];
	char province_name[DD_PROVINCES][64];
	char province_code[DD_PROVINCES][3];
};

/* Read institutions, provinces and users. On failure err says what is missing. */
enum bm_err dd_tree_load(struct bm_db *db, struct dd_tree *t, char *err, size_t errlen);
void dd_tree_free(struct dd_tree *t);

/* Index of code, -1 when unknown. */
int dd_tree_find(const struct dd_tree *t, const char *code);

/* True when `ancestor` is idx itself or above it in the tree. */
bool dd_tree_under(const struct dd_tree *t, int idx, int ancestor);

/* Append v to a list; -1 on OOM. */
int dd_list_add(struct dd_list *l, int v);

#endif
