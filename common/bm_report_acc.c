// SPDX-License-Identifier: MIT
/*
 * bm_report_acc: the additive form of a report's figures. A report is the
 * sum of many small accumulators (one per holding institution and province,
 * see bm_report_parts.c): every count adds, topics and reason codes add per
 * key, and response times are kept as a histogram of days so that the
 * median and the 90th percentile are exact after any number of merges. Only
 * rp_acc_figures turns a sum into the API's figures (bm_report.h defines
 * them); rp_acc_dump/rp_acc_load keep an accumulator in the worker's
 * aggregates as compact JSON.
 */
#include <stdlib.h>
#include <string.h>

#include "bm_report_int.h"

const char *const rp_type_keys[] = {"dilekce", "bilgi_edinme", NULL};
const char *const rp_category_keys[] = {"istek", "sikayet", "ihbar", "gorus", "oneri", NULL};
const char *const rp_channel_keys[] = {"internet", "phone", "fax", "letter", "in_person", NULL};
const char *const rp_status_keys[] = {"received",  "in_progress",     "answered", "not_processed",
                                      "cancelled", "deemed_rejected", NULL};
static const char *const outcome_keys[] = {"positive", "negative", "partial", NULL};
static const char *const decision_keys[] = {"accepted", "partially_accepted", "rejected", NULL};

/* The chart's buckets of response time, in days (max -1: no upper bound). */
static const struct {
	int min, max;
} buckets[] = {{0, 3}, {4, 7}, {8, 15}, {16, 30}, {31, 60}, {61, -1}};
#define NBUCKETS (sizeof buckets / sizeof buckets[0])

int rp_index(const char *const *keys, const char *s)
{
	for (int i = 0; s && keys[i]; i++)
		if (!strcmp(keys[i], s))
			return i;
	return -1;
}

void rp_acc_free(struct rp_acc *a)
{
	for (size_t i = 0; a && i < a->ntopics; i++)
		free(a->topics[i].key);
	for (size_t i = 0; a && i < a->nreasons; i++)
		free(a->reasons[i].key);
	if (a) {
		free(a->topics);
		free(a->reasons);
		free(a->days);
		memset(a, 0, sizeof *a);
	}
}

/* Add n to key in a keyed list (key NULL is its own entry). False on OOM. */
static bool keyed_add(struct rp_count **v, size_t *nv, size_t *cap, const char *key, long long n)
{
	for (size_t i = 0; i < *nv; i++)
		if ((*v)[i].key == key || ((*v)[i].key && key && !strcmp((*v)[i].key, key))) {
			(*v)[i].n += n;
			return true;
		}
	if (*nv == *cap) {
		size_t c = *cap ? 2 * *cap : 8;
		struct rp_count *p = realloc(*v, c * sizeof *p);
		if (!p)
			return false;
		*v = p;
		*cap = c;
	}
	char *k = key ? strdup(key) : NULL;
	if (key && !k)
		return false;
	(*v)[(*nv)++] = (struct rp_count){k, n};
	return true;
}

static bool days_add(struct rp_acc *a, long long days, long long n)
{
	for (size_t i = 0; i < a->ndays; i++)
		if (a->days[i].days == days) {
			a->days[i].n += n;
			return true;
		}
	if (a->ndays == a->capdays) {
		size_t c = a->capdays ? 2 * a->capdays : 16;
		struct rp_days *p = realloc(a->days, c * sizeof *p);
		if (!p)
			return false;
		a->days = p;
		a->capdays = c;
	}
	a->days[a->ndays++] = (struct rp_days){days, n};
	return true;
}

static void bump(long long *arr, int i, long long n)
{
	if (i >= 0)
		arr[i] += n;
}

bool rp_acc_received(struct rp_acc *a, const char *type, const char *category, const char *channel,
                     const char *topic, const char *status, long long n)
{
	a->v[RP_TOTAL] += n;
	bump(a->v + RP_TYPE, rp_index(rp_type_keys, type), n);
	bump(a->v + RP_CATEGORY, rp_index(rp_category_keys, category), n);
	bump(a->v + RP_CHANNEL, rp_index(rp_channel_keys, channel), n);
	bump(a->v + RP_STATUS, rp_index(rp_status_keys, status), n);
	return keyed_add(&a->topics, &a->ntopics, &a->captopics, topic, n);
}

bool rp_acc_answered(struct rp_acc *a, const char *status, const char *outcome, const char *reason,
                     long long days, bool late, long long n)
{
	bool np = status && !strcmp(status, "not_processed");
	a->v[RP_ANSWERS] += n;
	bump(a->v + RP_OUTCOME, np ? 3 : rp_index(outcome_keys, outcome), n);
	if (late)
		a->v[RP_LATE] += n;
	if (np && reason && !keyed_add(&a->reasons, &a->nreasons, &a->capreasons, reason, n))
		return false;
	return days_add(a, days < 0 ? 0 : days, n);
}

void rp_acc_decided(struct rp_acc *a, const char *decision, long long n)
{
	a->v[RP_DECIDED] += n;
	bump(a->v + RP_DECISION, rp_index(decision_keys, decision), n);
}

bool rp_acc_merge(struct rp_acc *dst, const struct rp_acc *src)
{
	for (size_t i = 0; i < RP_ACC_SCALARS; i++)
		dst->v[i] += src->v[i];
	for (size_t i = 0; i < src->ntopics; i++)
		if (!keyed_add(&dst->topics, &dst->ntopics, &dst->captopics, src->topics[i].key,
		               src->topics[i].n))
			return false;
	for (size_t i = 0; i < src->nreasons; i++)
		if (!keyed_add(&dst->reasons, &dst->nreasons, &dst->capreasons, src->reasons[i].key,
		               src->reasons[i].n))
			return false;
	for (size_t i = 0; i < src->ndays; i++)
		if (!days_add(dst, src->days[i].days, src->days[i].n))
			return false;
	return true;
}

/* ---- figures ------------------------------------------------------------------------ */

static json_t *counts(const char *const *keys, const long long *v)
{
	json_t *o = json_object();
	for (size_t i = 0; o && keys[i]; i++)
		json_object_set_new(o, keys[i], json_integer(v[i]));
	return o;
}

static int topic_order(const void *a, const void *b)
{
	const struct rp_count *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	if (!x->key || !y->key)
		return !x->key - !y->key; /* the applications without a topic last */
	return strcmp(x->key, y->key);
}

/* [{topic, count}] most frequent first, then by topic (byte order), none last. */
static json_t *topics(struct rp_acc *a)
{
	json_t *arr = json_array();
	if (a->ntopics)
		qsort(a->topics, a->ntopics, sizeof *a->topics, topic_order);
	for (size_t i = 0; arr && i < a->ntopics; i++)
		if (a->topics[i].n)
			json_array_append_new(arr, json_pack("{s:o, s:I}", "topic",
			                                     a->topics[i].key
			                                         ? json_string(a->topics[i].key)
			                                         : json_null(),
			                                     "count", (json_int_t)a->topics[i].n));
	return arr;
}

static json_t *reasons(const struct rp_acc *a)
{
	json_t *o = json_object();
	for (size_t i = 0; o && i < a->nreasons; i++)
		if (a->reasons[i].n)
			json_object_set_new(o, a->reasons[i].key, json_integer(a->reasons[i].n));
	return o;
}

static int day_order(const void *a, const void *b)
{
	const struct rp_days *x = a, *y = b;
	return x->days < y->days ? -1 : x->days > y->days;
}

/* The value at rank ceil(pct·n/100) of the sorted days (nearest rank). */
static long long nearest_rank(const struct rp_acc *a, long long n, int pct)
{
	long long rank = (pct * n + 99) / 100, seen = 0;
	for (size_t i = 0; i < a->ndays; i++)
		if ((seen += a->days[i].n) >= rank)
			return a->days[i].days;
	return a->ndays ? a->days[a->ndays - 1].days : 0;
}

static json_t *distribution(const struct rp_acc *a)
{
	json_t *arr = json_array();
	for (size_t b = 0; arr && b < NBUCKETS; b++) {
		long long n = 0;
		for (size_t i = 0; i < a->ndays; i++)
			if (a->days[i].days >= buckets[b].min &&
			    (buckets[b].max < 0 || a->days[i].days <= buckets[b].max))
				n += a->days[i].n;
		json_array_append_new(
		    arr, json_pack("{s:i, s:o, s:I}", "min_days", buckets[b].min, "max_days",
		                   buckets[b].max < 0 ? json_null() : json_integer(buckets[b].max),
		                   "count", (json_int_t)n));
	}
	return arr;
}

static json_t *response_time(struct rp_acc *a)
{
	long long n = 0, sum = 0;
	if (a->ndays)
		qsort(a->days, a->ndays, sizeof *a->days, day_order);
	for (size_t i = 0; i < a->ndays; i++) {
		n += a->days[i].n;
		sum += a->days[i].days * a->days[i].n;
	}
	if (!n)
		return json_pack("{s:i, s:n, s:n, s:n, s:o}", "count", 0, "mean", "median", "p90",
		                 "distribution", distribution(a));
	/* half up to hundredths, in integers: floor((200·sum + n) / 2n) */
	long long hundredths = (200 * sum + n) / (2 * n);
	return json_pack("{s:I, s:f, s:I, s:I, s:o}", "count", (json_int_t)n, "mean",
	                 (double)hundredths / 100.0, "median", (json_int_t)nearest_rank(a, n, 50),
	                 "p90", (json_int_t)nearest_rank(a, n, 90), "distribution",
	                 distribution(a));
}

json_t *rp_acc_figures(struct rp_acc *a)
{
	const long long *v = a->v;
	json_t *apps = json_pack("{s:I, s:o, s:o, s:o, s:o, s:o}", "total", (json_int_t)v[RP_TOTAL],
	                         "by_type", counts(rp_type_keys, v + RP_TYPE), "by_category",
	                         counts(rp_category_keys, v + RP_CATEGORY), "by_channel",
	                         counts(rp_channel_keys, v + RP_CHANNEL), "by_topic", topics(a),
	                         "by_status", counts(rp_status_keys, v + RP_STATUS));
	json_t *outcomes = json_pack(
	    "{s:I, s:I, s:I, s:I, s:I, s:o, s:I}", "total", (json_int_t)v[RP_ANSWERS], "positive",
	    (json_int_t)v[RP_OUTCOME], "negative", (json_int_t)v[RP_OUTCOME + 1], "partial",
	    (json_int_t)v[RP_OUTCOME + 2], "not_processed", (json_int_t)v[RP_OUTCOME + 3],
	    "not_processed_by_reason", reasons(a), "late", (json_int_t)v[RP_LATE]);
	json_t *appeals = json_pack(
	    "{s:I, s:I, s:I, s:I, s:I}", "filed", (json_int_t)v[RP_FILED], "decided",
	    (json_int_t)v[RP_DECIDED], "accepted", (json_int_t)v[RP_DECISION], "partially_accepted",
	    (json_int_t)v[RP_DECISION + 1], "rejected", (json_int_t)v[RP_DECISION + 2]);
	return json_pack("{s:o, s:o, s:o, s:I, s:I, s:o}", "applications", apps, "outcomes",
	                 outcomes, "response_time_days", response_time(a), "overdue",
	                 (json_int_t)v[RP_OVERDUE], "deemed_rejected", (json_int_t)v[RP_DEEMED],
	                 "appeals", appeals);
}

/* ---- the stored form: {"v": [scalars], "t": [[topic, n]], "r": [[code, n]], "d": [[days, n]]} */

static json_t *pairs(const struct rp_count *v, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < n; i++)
		json_array_append_new(arr, json_pack("[o, I]",
		                                     v[i].key ? json_string(v[i].key) : json_null(),
		                                     (json_int_t)v[i].n));
	return arr;
}

json_t *rp_acc_dump(const struct rp_acc *a)
{
	json_t *v = json_array(), *d = json_array();
	for (size_t i = 0; v && i < RP_ACC_SCALARS; i++)
		json_array_append_new(v, json_integer(a->v[i]));
	for (size_t i = 0; d && i < a->ndays; i++)
		json_array_append_new(
		    d, json_pack("[I, I]", (json_int_t)a->days[i].days, (json_int_t)a->days[i].n));
	return json_pack("{s:o, s:o, s:o, s:o}", "v", v, "t", pairs(a->topics, a->ntopics), "r",
	                 pairs(a->reasons, a->nreasons), "d", d);
}

bool rp_acc_load(struct rp_acc *a, const json_t *j)
{
	const json_t *v = json_object_get(j, "v"), *it;
	size_t i;

	memset(a, 0, sizeof *a);
	if (json_array_size(v) != RP_ACC_SCALARS)
		return false;
	json_array_foreach(v, i, it) a->v[i] = json_integer_value(it);
	json_array_foreach(
	    json_object_get(j, "t"), i,
	    it) if (!keyed_add(&a->topics, &a->ntopics, &a->captopics,
	                       json_string_value(json_array_get(it, 0)),
	                       json_integer_value(json_array_get(it, 1)))) return false;
	json_array_foreach(
	    json_object_get(j, "r"), i,
	    it) if (!json_is_string(json_array_get(it, 0)) ||
	            !keyed_add(&a->reasons, &a->nreasons, &a->capreasons,
	                       json_string_value(json_array_get(it, 0)),
	                       json_integer_value(json_array_get(it, 1)))) return false;
	json_array_foreach(
	    json_object_get(j, "d"), i,
	    it) if (!days_add(a, json_integer_value(json_array_get(it, 0)),
	                      json_integer_value(json_array_get(it, 1)))) return false;
	return true;
}
