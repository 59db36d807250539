// SPDX-License-Identifier: MIT
/*
 * Loading the institution tree, provinces and staff: see tree.h.
 */
#include "tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char sql_inst[] = "SELECT code, name, kind, parent_code, province_code, "
                               "in_scope = 1 AND active = 1 FROM institutions ORDER BY code";
static const char sql_prov[] = "SELECT code, name FROM provinces ORDER BY code";
static const char sql_users[] =
    "SELECT u.institution_code, r.role, u.id FROM users u JOIN user_roles r ON r.user_id = u.id "
    "WHERE u.active = 1 ORDER BY u.id";

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

int dd_list_add(struct dd_list *l, int v)
{
	int *p = realloc(l->v, (l->n + 1) * sizeof *p);
	if (!p)
		return -1;
	l->v = p;
	l->v[l->n++] = v;
	return 0;
}

static int cmp_code(const void *a, const void *b)
{
	return strcmp(((const struct dd_inst *)a)->code, ((const struct dd_inst *)b)->code);
}

int dd_tree_find(const struct dd_tree *t, const char *code)
{
	struct dd_inst key;
	if (!code)
		return -1;
	copy(key.code, sizeof key.code, code);
	const struct dd_inst *hit = bsearch(&key, t->inst, t->n, sizeof key, cmp_code);
	return hit ? (int)(hit - t->inst) : -1;
}

bool dd_tree_under(const struct dd_tree *t, int idx, int ancestor)
{
	for (size_t depth = 0; idx >= 0 && depth <= t->n; depth++) {
		if (idx == ancestor)
			return true;
		idx = t->inst[idx].parent_idx;
	}
	return false;
}

static enum bm_err read_institutions(struct bm_db *db, struct dd_tree *t)
{
	struct bm_dbres *r = NULL;
	enum bm_err e = bm_db_run(db, sql_inst, NULL, 0, &r);
	if (!e && !(t->inst = calloc(r->nrows ? r->nrows : 1, sizeof *t->inst)))
		e = BM_E_NOMEM;
	for (size_t i = 0; !e && i < r->nrows; i++) {
		struct dd_inst *in = &t->inst[i];
		copy(in->code, sizeof in->code, bm_dbres_get(r, i, 0));
		copy(in->name, sizeof in->name, bm_dbres_get(r, i, 1));
		copy(in->kind, sizeof in->kind, bm_dbres_get(r, i, 2));
		copy(in->parent, sizeof in->parent, bm_dbres_get(r, i, 3));
		copy(in->province, sizeof in->province, bm_dbres_get(r, i, 4));
		in->usable = !strcmp(bm_dbres_get(r, i, 5), "1");
	}
	if (!e)
		t->n = r->nrows;
	bm_dbres_free(r);
	return e;
}

static enum bm_err read_provinces(struct bm_db *db, struct dd_tree *t)
{
	struct bm_dbres *r = NULL;
	enum bm_err e = bm_db_run(db, sql_prov, NULL, 0, &r);
	for (size_t i = 0; !e && i < r->nrows; i++) {
		int plate = atoi(bm_dbres_get(r, i, 0));
		if (plate < 1 || plate >= DD_PROVINCES)
			continue;
		copy(t->province_code[plate], 3, bm_dbres_get(r, i, 0));
		copy(t->province_name[plate], 64, bm_dbres_get(r, i, 1));
	}
	bm_dbres_free(r);
	return e;
}

static void note_user(struct dd_inst *in, const char *role, long long id)
{
	if (!strcmp(role, "institution_user") && !in->user)
		in->user = id;
	else if (!strcmp(role, "operator") && !in->operator_id)
		in->operator_id = id;
	else if (!strcmp(role, "bedk_member") && !in->bedk_member)
		in->bedk_member = id;
}

static enum bm_err read_users(struct bm_db *db, struct dd_tree *t)
{
	struct bm_dbres *r = NULL;
	enum bm_err e = bm_db_run(db, sql_users, NULL, 0, &r);
	for (size_t i = 0; !e && i < r->nrows; i++) {
		int idx = dd_tree_find(t, bm_dbres_get(r, i, 0));
		if (idx >= 0)
			note_user(&t->inst[idx], bm_dbres_get(r, i, 1),
			          strtoll(bm_dbres_get(r, i, 2), NULL, 10));
	}
	bm_dbres_free(r);
	return e;
}

/* Parents, the special bodies and the per-province lists. */
static int index_tree(struct dd_tree *t)
{
	t->centre = t->ethics = t->bedk = -1;
	for (int p = 0; p < DD_PROVINCES; p++)
		t->governorship[p] = -1;
	for (size_t i = 0; i < t->n; i++) {
		struct dd_inst *in = &t->inst[i];
		int plate = in->province[0] ? atoi(in->province) : 0;
		in->parent_idx = dd_tree_find(t, in->parent[0] ? in->parent : NULL);
		if (!in->usable)
			continue;
		if (!strcmp(in->kind, "centre") && t->centre < 0)
			t->centre = (int)i;
		else if (!strcmp(in->kind, "ethics_board") && t->ethics < 0)
			t->ethics = (int)i;
		else if (!strcmp(in->kind, "bedk") && t->bedk < 0)
			t->bedk = (int)i;
		if (plate < 1 || plate >= DD_PROVINCES)
			continue;
		if (!strcmp(in->kind, "governorship") && t->governorship[plate] < 0)
			t->governorship[plate] = (int)i;
		else if (!strcmp(in->kind, "district_governorship") &&
		         dd_list_add(&t->districts[plate], (int)i))
			return -1;
		else if ((!strcmp(in->kind, "provincial_directorate") ||
		          !strcmp(in->kind, "regional_directorate")) &&
		         dd_list_add(&t->directorates[plate], (int)i))
			return -1;
	}
	return 0;
}

enum bm_err dd_tree_load(struct bm_db *db, struct dd_tree *t, char *err, size_t errlen)
{
	enum bm_err e;
	memset(t, 0, sizeof *t);
	if ((e = read_institutions(db, t)) || (e = read_provinces(db, t)) ||
	    (e = read_users(db, t))) {
		snprintf(err, errlen, "cannot read institutions, provinces or users");
		return e;
	}
	if (index_tree(t)) {
		snprintf(err, errlen, "out of memory");
		return BM_E_NOMEM;
	}
	if (t->centre < 0 || t->bedk < 0 || t->inst[t->centre].operator_id == 0) {
		snprintf(err, errlen,
		         "the institution tree has no centre, no BEDK or no central "
		         "operator (run bimer-migrate demo first)");
		return BM_E_CONFIG;
	}
	return BM_OK;
}

void dd_tree_free(struct dd_tree *t)
{
	for (int p = 0; p < DD_PROVINCES; p++) {
		free(t->districts[p].v);
		free(t->directorates[p].v);
	}
	free(t->inst);
	memset(t, 0, sizeof *t);
}
