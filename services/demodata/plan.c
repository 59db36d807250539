// SPDX-License-Identifier: MIT
/*
 * Planning an application's content and its way through the tree: see
 * plan.h. The shares below are the demo data's "reality": about 75% petitions
 * (istek, şikayet, ihbar, görüş, öneri) and 25% information requests; most
 * arrive over the internet, the rest are keyed in by staff in office hours
 * (phone only for petitions, rules.md C5); fully anonymous complaints only by
 * phone, letter or fax (C3); hidden identities only on complaints (C2); most
 * matters are local (the governorship, district governorships and
 * provincial directorates of the province), the rest go to a ministry or one
 * of its units.
 */
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_deadline.h"
#include "life.h"
#include "people.h"

#define SALT_APP    0x4150504cULL
#define STAFF_SHARE 0.16

static const char *const categories[] = {"istek", "sikayet", "ihbar", "gorus", "oneri"};
static const double category_w[] = {35, 33, 10, 10, 12};
static const char *const petition_channels[] = {"phone", "letter", "fax", "in_person"};
static const double petition_channel_w[] = {45, 22, 8, 25};
static const char *const info_channels[] = {"letter", "fax", "in_person"};
static const double info_channel_w[] = {50, 15, 35};

static bool kind_is(const struct dd_tree *t, int idx, const char *kind)
{
	return idx >= 0 && !strcmp(t->inst[idx].kind, kind);
}

/* Who answers topic k centrally: its unit and the unit's units without a province. */
static int central_of(struct dd_world *w, size_t k)
{
	const struct dd_tree *t = w->tree;
	int unit = dd_tree_find(t, dd_topics[k].unit);
	w->unit[k] = unit >= 0 && t->inst[unit].usable ? unit : -1;
	for (size_t i = 0; i < t->n; i++) {
		const struct dd_inst *in = &t->inst[i];
		bool unit_or_below = w->unit[k] >= 0 && dd_tree_under(t, (int)i, w->unit[k]);
		bool fallback = w->unit[k] < 0 && !strcmp(in->kind, "ministry");
		if (in->usable && !in->province[0] && (unit_or_below || fallback) &&
		    dd_list_add(&w->central[k], (int)i))
			return -1;
	}
	return w->central[k].n ? 0 : -1;
}

enum bm_err dd_world_init(struct dd_world *w, struct bm_ctx *ctx, const struct dd_tree *tree,
                          uint64_t seed, long long count, int64_t start, int64_t end, int64_t now)
{
	const struct bm_cal *cal;
	memset(w, 0, sizeof *w);
	*w = (struct dd_world){.ctx = ctx, .tree = tree, .seed = seed, .count = count, .now = now};
	w->people = count / 2 + 1000;
	const char *v = getenv("BIMER_APPEAL_WINDOW_DAYS");
	w->window_days = v && atoi(v) > 0 ? atoi(v) : 15;
	v = getenv("BIMER_BEDK_DECISION_BUSINESS_DAYS");
	w->decision_days = v && atoi(v) > 0 ? atoi(v) : 30;
	enum bm_err e = bm_deadline_calendar(ctx, &cal);
	if (e)
		return e;
	for (size_t k = 0; k < dd_ntopics; k++)
		if (central_of(w, k))
			return BM_E_CONFIG;
	return dd_clock_init(&w->clock, cal, start, end, STAFF_SHARE) ? BM_E_NOMEM : BM_OK;
}

void dd_world_free(struct dd_world *w)
{
	for (size_t k = 0; k < dd_ntopics; k++)
		free(w->central[k].v);
	dd_clock_free(&w->clock);
}

static void pick_channel(struct dd_life *l, bool staff)
{
	struct dd_app *a = l->a;
	if (!staff)
		a->channel = "internet";
	else if (l->info)
		a->channel = info_channels[dd_rng_weighted(l->r, info_channel_w, 3)];
	else
		a->channel = petition_channels[dd_rng_weighted(l->r, petition_channel_w, 4)];
}

static bool is(const char *a, const char *b)
{
	return a && !strcmp(a, b);
}

/* C1-C4: which parts of the identity a row carries, by channel. */
static void identity(struct dd_life *l, const struct dd_person *p)
{
	struct dd_app *a = l->a;
	bool internet = is(a->channel, "internet"),
	     complaint = is(a->category, "sikayet") || is(a->category, "ihbar");
	a->anonymous =
	    complaint && !internet && !is(a->channel, "in_person") && dd_rng_chance(l->r, 0.35);
	if (a->anonymous)
		return;
	a->identity_hidden = complaint && dd_rng_chance(l->r, 0.15);
	a->has_tckn = internet || (l->info && is(a->channel, "fax")) || dd_rng_chance(l->r, 0.8);
	snprintf(a->first, sizeof a->first, "%s", p->first);
	snprintf(a->last, sizeof a->last, "%s", p->last);
	snprintf(a->address, sizeof a->address, "%s", p->address);
	if (internet || dd_rng_chance(l->r, 0.55))
		snprintf(a->email, sizeof a->email, "%s", p->email);
	if (is(a->channel, "phone") || dd_rng_chance(l->r, internet ? 0.6 : 0.5))
		snprintf(a->phone, sizeof a->phone, "%s", p->phone);
	l->foreign = p->foreign;
}

static enum bm_err seal(const struct dd_world *w, struct dd_app *a, const char *tckn)
{
	const struct bm_keys *k = &w->ctx->cfg->keys;
	if (!a->has_tckn)
		return BM_OK;
	bm_hmac(k->hmac, tckn, 11, a->mac);
	return bm_seal(k->data, tckn, 11, a->sealed, sizeof a->sealed, &a->sealed_len);
}

static void write_text(struct dd_life *l, const char *phrase, int plate)
{
	struct dd_app *a = l->a;
	const char *cat = l->info ? "bilgi_edinme" : a->category;
	const struct dd_tree *t = l->w->tree;
	char where[128] = "";
	if (plate > 0 && t->province_name[plate][0])
		snprintf(where, sizeof where, " %s ilinde yaşıyorum.", t->province_name[plate]);
	snprintf(a->subject, sizeof a->subject, "%s%s", phrase, dd_subject_suffix(cat));
	snprintf(a->body, sizeof a->body, "%s %s%s %s %s %s", phrase, dd_opening(cat), where,
	         dd_details[dd_rng_below(l->r, dd_ndetails)],
	         dd_details[dd_rng_below(l->r, dd_ndetails)],
	         dd_closings[dd_rng_below(l->r, dd_nclosings)]);
}

/* Type, category, channel, topic, applicant and text; returns the topic index. */
static enum bm_err content(struct dd_life *l, bool staff, size_t *topic, int *plate)
{
	const struct dd_world *w = l->w;
	struct dd_app *a = l->a;
	struct dd_person p;
	double tw[32];

	l->info = dd_rng_chance(l->r, 0.25);
	a->type = l->info ? "bilgi_edinme" : "dilekce";
	a->category = l->info ? NULL : categories[dd_rng_weighted(l->r, category_w, 5)];
	pick_channel(l, staff);
	for (size_t k = 0; k < dd_ntopics; k++)
		tw[k] = dd_topics[k].weight;
	*topic = dd_rng_weighted(l->r, tw, dd_ntopics);
	a->topic = dd_rng_chance(l->r, 0.03) ? NULL : dd_topics[*topic].code;
	dd_person_make(w->tree, w->seed, dd_rng_below(l->r, w->people), &p);
	identity(l, &p);
	*plate = dd_rng_chance(l->r, 0.9) ? p.plate : dd_pick_province(l->r);
	if (is(a->channel, "internet") && dd_rng_chance(l->r, 0.05))
		*plate = 0; /* the province is optional online */
	a->province = *plate ? w->tree->province_code[*plate] : NULL;
	if (a->province && !a->province[0])
		a->province = NULL, *plate = 0;
	write_text(l, dd_topics[*topic].phrases[dd_rng_below(l->r, DD_PHRASES)], *plate);
	return seal(w, a, p.tckn);
}

static int pick(struct dd_rng *r, const struct dd_list *l)
{
	return l->n ? l->v[dd_rng_below(r, l->n)] : -1;
}

/* A local holder in the province: a matching directorate, a district or the governorship. */
static int local_holder(struct dd_life *l, int unit, int plate)
{
	const struct dd_tree *t = l->w->tree;
	struct dd_list dirs = {0};
	int h = -1;
	for (size_t i = 0; unit >= 0 && i < t->directorates[plate].n; i++)
		if (dd_tree_under(t, t->directorates[plate].v[i], unit) &&
		    dd_list_add(&dirs, t->directorates[plate].v[i]))
			break;
	if (dirs.n && dd_rng_chance(l->r, 0.65))
		h = pick(l->r, &dirs);
	else if (t->districts[plate].n && dd_rng_chance(l->r, 0.45))
		h = pick(l->r, &t->districts[plate]);
	free(dirs.v);
	return h >= 0 ? h : t->governorship[plate];
}

static int ministry_of(const struct dd_tree *t, int idx)
{
	for (int i = idx; i >= 0; i = t->inst[i].parent_idx)
		if (kind_is(t, i, "ministry"))
			return i;
	return idx;
}

/* Who routes: the province's governorship desk for local matters it reaches, else the centre. */
static void router(struct dd_life *l, bool local, int plate)
{
	const struct dd_tree *t = l->w->tree;
	int gov = plate ? t->governorship[plate] : -1;
	l->op_uid = t->inst[t->centre].operator_id;
	l->op_inst = t->inst[t->centre].code;
	if (local && gov >= 0 && t->inst[gov].operator_id && dd_rng_chance(l->r, 0.5)) {
		l->op_uid = t->inst[gov].operator_id;
		l->op_inst = t->inst[gov].code;
	}
}

/* Sometimes the first stop is the holder's parent (which forwards) or a wrong ministry. */
static void route_plan(struct dd_life *l, bool local, int unit, int plate)
{
	const struct dd_tree *t = l->w->tree;
	int h = l->holder, parent = t->inst[h].parent_idx;
	l->route[0] = h;
	l->route[1] = l->route[2] = -1;
	if (l->rank)
		return;
	if (!local && dd_rng_chance(l->r, 0.025)) {
		int wrong = pick(l->r, &l->w->central[dd_rng_below(l->r, dd_ntopics)]);
		if (wrong >= 0 && ministry_of(t, wrong) != ministry_of(t, h)) {
			l->route[0] = wrong; /* sends it back to the centre (3071 art. 5) */
			l->route[1] = t->centre;
			l->route[2] = h;
			l->route_forward[1] = true;
		}
	} else if (dd_rng_chance(l->r, 0.4) &&
	           ((local && kind_is(t, h, "district_governorship") && parent >= 0 &&
	             parent == t->governorship[plate]) ||
	            (!local && unit >= 0 && h != unit && dd_tree_under(t, h, unit)))) {
		l->route[0] = local ? parent : unit;
		l->route[1] = h;
		l->route_forward[1] = true;
	}
}

static void target(struct dd_life *l, bool local, int plate)
{
	const struct dd_tree *t = l->w->tree;
	int chosen = local ? t->governorship[plate] : ministry_of(t, l->holder);
	double p = is(l->a->channel, "internet") ? 0.25 : 0.1;
	if (!l->rank && chosen >= 0 && t->inst[chosen].usable && dd_rng_chance(l->r, p))
		l->a->target = t->inst[chosen].code;
}

/* The holder (R1, R2), the operator and the routing steps. */
static void placement(struct dd_life *l, size_t topic, int plate)
{
	const struct dd_world *w = l->w;
	const struct dd_tree *t = w->tree;
	struct dd_app *a = l->a;
	int unit = w->unit[topic];
	bool complaint = is(a->category, "sikayet") || is(a->category, "ihbar");
	bool local = plate && !dd_topics[topic].central_only && t->governorship[plate] >= 0 &&
	             dd_rng_chance(l->r, 0.7);
	if (complaint && !a->anonymous && t->ethics >= 0 && dd_rng_chance(l->r, 0.01)) {
		l->holder = t->ethics; /* a senior official: the Ethics Board (R2) */
		l->rank = "general_director_or_above";
		local = false;
	} else if (local) {
		l->holder = local_holder(l, unit, plate);
	} else {
		const struct dd_list *c = &w->central[topic];
		l->holder = unit >= 0 && dd_rng_chance(l->r, 0.5) ? unit : pick(l->r, c);
	}
	router(l, local, plate);
	route_plan(l, local, unit, plate);
	target(l, local, plate);
}

enum bm_err dd_plan(const struct dd_world *w, long long i, struct dd_app *a)
{
	struct dd_rng r;
	struct dd_life l = {.w = w, .r = &r, .a = a};
	size_t topic;
	int plate;
	bool staff;

	memset(a, 0, sizeof *a);
	dd_rng_init(&r, w->seed, SALT_APP, (uint64_t)i);
	double q = ((double)i + dd_rng_unit(&r)) / (double)w->count;
	int64_t t = dd_clock_pick(&w->clock, q, dd_rng_unit(&r), &staff);
	enum bm_err e = bm_deadline_calendar(w->ctx, &l.cal);
	if (e || (e = content(&l, staff, &topic, &plate)))
		return e;
	placement(&l, topic, plate);
	dd_live(&l, t);
	return l.err;
}
