// SPDX-License-Identifier: MIT
/*
 * bm_report_csv: a monthly report as CSV (RFC 4180: CRLF line ends, fields
 * with a comma, quote or line break quoted, quotes doubled), UTF-8.
 *
 * One header row, `section,key,label,value,previous,change`, then one row
 * per figure: its section and key as in the JSON (`applications.by_type`,
 * `dilekce`; the overdue and deemed-rejection counts under `deadlines`),
 * its Turkish label, the month's value, the previous month's, and the
 * difference (value − previous; empty when either is empty). Topics and
 * reason codes of either month are listed. The first rows, section
 * `report`, say which month, scope and generation they are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_report.h"
#include "bm_report_int.h"

struct csv {
	struct rp_buf b;
	const json_t *cur, *prev; /* figures of the month and of the one before */
};

static void field(struct rp_buf *b, const char *s, bool last)
{
	if (!strpbrk(s, ",\"\r\n")) {
		rp_puts(b, s);
	} else {
		rp_puts(b, "\"");
		for (const char *q; (q = strchr(s, '"')); s = q + 1) {
			rp_put(b, s, (size_t)(q - s) + 1); /* up to and with the quote, */
			rp_puts(b, "\"");                  /* which is doubled */
		}
		rp_puts(b, s);
		rp_puts(b, "\"");
	}
	rp_puts(b, last ? "\r\n" : ",");
}

static void row(struct rp_buf *b, const char *section, const char *key, const char *label,
                const char *value, const char *previous, const char *change)
{
	field(b, section, false);
	field(b, key, false);
	field(b, label, false);
	field(b, value, false);
	field(b, previous, false);
	field(b, change, true);
}

/* A JSON number as CSV text: integers as they are, reals with two decimals, else "". */
static void num_text(const json_t *v, char out[32])
{
	if (json_is_integer(v))
		snprintf(out, 32, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(out, 32, "%.2f", json_real_value(v));
	else
		out[0] = '\0';
}

static void change_text(const json_t *a, const json_t *b, char out[32])
{
	out[0] = '\0';
	if (json_is_integer(a) && json_is_integer(b))
		snprintf(out, 32, "%lld",
		         (long long)(json_integer_value(a) - json_integer_value(b)));
	else if (json_is_number(a) && json_is_number(b))
		snprintf(out, 32, "%.2f", json_number_value(a) - json_number_value(b));
}

/* One figure from its two values (either may be NULL). */
static void values(struct csv *c, const char *section, const char *key, const char *label,
                   const json_t *a, const json_t *b)
{
	char va[32], vb[32], ch[32];
	num_text(a, va);
	num_text(b, vb);
	change_text(a, b, ch);
	row(&c->b, section, key, label, va, vb, ch);
}

/* One figure: the values at obj[key] of the two months' objects. */
static void figure(struct csv *c, const char *section, const json_t *cur, const json_t *prev,
                   const char *key, const char *label)
{
	values(c, section, key, label, json_object_get(cur, key), json_object_get(prev, key));
}

/* Every key of a label table in section a.b of both months. */
static void keyed(struct csv *c, const char *a, const char *b, const struct rp_label *tbl)
{
	char section[64];
	snprintf(section, sizeof section, "%s.%s", a, b);
	for (size_t i = 0; tbl[i].key; i++)
		figure(c, section, rp_at(c->cur, a, b), rp_at(c->prev, a, b), tbl[i].key,
		       tbl[i].tr);
}

/* The count of topic t (NULL: none) in a by_topic array, as a JSON integer or NULL. */
static const json_t *topic_count(const json_t *arr, const char *t)
{
	size_t i;
	const json_t *it;
	json_array_foreach(arr, i, it)
	{
		const char *s = json_string_value(json_object_get(it, "topic"));
		if ((!t && !s && json_is_null(json_object_get(it, "topic"))) ||
		    (t && s && !strcmp(s, t)))
			return json_object_get(it, "count");
	}
	return NULL;
}

static void topic_row(struct csv *c, const json_t *cur, const json_t *prev, const char *t)
{
	json_t *zero = json_integer(0);
	const json_t *a = topic_count(cur, t), *b = topic_count(prev, t);
	/* absent from a month that has topics is a count of 0; no previous month is empty */
	values(c, "applications.by_topic", t ? t : "", t ? t : "(konu belirtilmemiş)", a ? a : zero,
	       b ? b : (prev ? zero : NULL));
	json_decref(zero);
}

/* Topics of the month in its order, then those only the previous month had. */
static void topics(struct csv *c)
{
	const json_t *cur = rp_at(c->cur, "applications", "by_topic");
	const json_t *prev = rp_at(c->prev, "applications", "by_topic");
	const json_t *lists[] = {cur, prev};
	size_t i;
	const json_t *it;

	for (int l = 0; l < 2; l++)
		json_array_foreach(lists[l], i, it)
		{
			const char *t = json_string_value(json_object_get(it, "topic"));
			if (l == 1 && topic_count(cur, t))
				continue;
			topic_row(c, cur, prev, t);
		}
}

static int str_order(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Reason codes of either month, in code order. */
static void reasons(struct csv *c)
{
	const json_t *cur = rp_at(rp_at(c->cur, "outcomes", NULL), "not_processed_by_reason", NULL);
	const json_t *prev =
	    rp_at(rp_at(c->prev, "outcomes", NULL), "not_processed_by_reason", NULL);
	size_t cap = json_object_size(cur) + json_object_size(prev), n = 0;
	const char **keys = calloc(cap + 1, sizeof *keys);
	const char *k;
	const json_t *v;

	if (!keys) {
		c->b.oom = true;
		return;
	}
	json_object_foreach((json_t *)cur, k, v) keys[n++] = k;
	json_object_foreach((json_t *)prev, k, v) if (!json_object_get(cur, k)) keys[n++] = k;
	qsort(keys, n, sizeof *keys, str_order);
	for (size_t i = 0; i < n; i++) {
		const char *label = rp_reason_label(keys[i]);
		json_t *zero = json_integer(0);
		const json_t *a = json_object_get(cur, keys[i]),
		             *b = json_object_get(prev, keys[i]);
		values(c, "outcomes.not_processed_by_reason", keys[i], label ? label : keys[i],
		       a ? a : zero, b ? b : (prev ? zero : NULL));
		json_decref(zero);
	}
	free(keys);
}

static void distribution(struct csv *c)
{
	const json_t *cur = rp_at(rp_at(c->cur, "response_time_days", NULL), "distribution", NULL);
	const json_t *prev =
	    rp_at(rp_at(c->prev, "response_time_days", NULL), "distribution", NULL);
	size_t i;
	const json_t *it;

	json_array_foreach(cur, i, it)
	{
		long long lo = rp_count(it, "min_days");
		const json_t *hi = json_object_get(it, "max_days");
		char key[32], label[64];
		if (json_is_integer(hi)) {
			snprintf(key, sizeof key, "%lld-%lld", lo,
			         (long long)json_integer_value(hi));
			snprintf(label, sizeof label, "%lld–%lld gün", lo,
			         (long long)json_integer_value(hi));
		} else {
			snprintf(key, sizeof key, "%lld+", lo);
			snprintf(label, sizeof label, "%lld gün ve üzeri", lo);
		}
		values(c, "response_time_days.distribution", key, label,
		       json_object_get(it, "count"),
		       json_object_get(json_array_get(prev, i), "count"));
	}
}

static void meta(struct csv *c, const json_t *doc)
{
	const json_t *pm = json_object_get(doc, "previous_month");
	const char *month = json_string_value(json_object_get(doc, "month"));
	const char *pmonth = json_string_value(json_object_get(pm, "month"));
	const char *s = json_string_value(json_object_get(doc, "scope"));
	const char *name = json_string_value(json_object_get(doc, "scope_name"));
	const char *gen = json_string_value(json_object_get(doc, "generated_at"));
	bool st = json_is_true(json_object_get(doc, "stored"));
	bool pst = json_is_true(json_object_get(pm, "stored"));

	row(&c->b, "section", "key", "label", "value", "previous", "change");
	row(&c->b, "report", "month", "Ay", month ? month : "", pmonth ? pmonth : "", "");
	row(&c->b, "report", "scope", "Kapsam", s ? s : "", "", "");
	row(&c->b, "report", "scope_name", "Kapsamın adı", name ? name : "", "", "");
	row(&c->b, "report", "generated_at", "Oluşturulma zamanı", gen ? gen : "", "", "");
	row(&c->b, "report", "stored", "Saklanmış rapor", st ? "true" : "false",
	    pm ? (pst ? "true" : "false") : "", "");
}

char *bm_report_csv(const json_t *doc, size_t *len)
{
	struct csv c = {.cur = json_object_get(doc, "figures"),
	                .prev = rp_at(json_object_get(doc, "previous_month"), "figures", NULL)};
	const json_t *ca = json_object_get(c.cur, "applications"),
	             *pa = json_object_get(c.prev, "applications");
	const json_t *co = json_object_get(c.cur, "outcomes"),
	             *po = json_object_get(c.prev, "outcomes");
	const json_t *ct = json_object_get(c.cur, "response_time_days"),
	             *pt = json_object_get(c.prev, "response_time_days");
	const json_t *cp = json_object_get(c.cur, "appeals"),
	             *pp = json_object_get(c.prev, "appeals");

	meta(&c, doc);
	figure(&c, "applications", ca, pa, "total", "Ay içinde alınan başvurular");
	keyed(&c, "applications", "by_type", rp_types);
	keyed(&c, "applications", "by_category", rp_categories);
	keyed(&c, "applications", "by_channel", rp_channels);
	topics(&c);
	keyed(&c, "applications", "by_status", rp_statuses);
	figure(&c, "outcomes", co, po, "total", "Ay içinde verilen cevaplar");
	for (size_t i = 0; rp_outcomes[i].key; i++)
		figure(&c, "outcomes", co, po, rp_outcomes[i].key, rp_outcomes[i].tr);
	figure(&c, "outcomes", co, po, "late", "Süresi geçtikten sonra verilen cevaplar");
	reasons(&c);
	figure(&c, "response_time_days", ct, pt, "count", "Süresi ölçülen cevaplar");
	figure(&c, "response_time_days", ct, pt, "mean", "Ortalama cevap süresi (gün)");
	figure(&c, "response_time_days", ct, pt, "median", "Ortanca cevap süresi (gün)");
	figure(&c, "response_time_days", ct, pt, "p90", "90. yüzdelik cevap süresi (gün)");
	distribution(&c);
	figure(&c, "deadlines", c.cur, c.prev, "overdue", "Süresi aşılan başvurular");
	figure(&c, "deadlines", c.cur, c.prev, "deemed_rejected", "Zımni ret");
	figure(&c, "appeals", cp, pp, "filed", "BEDK'ye yapılan itirazlar");
	figure(&c, "appeals", cp, pp, "decided", "Karara bağlanan itirazlar");
	figure(&c, "appeals", cp, pp, "accepted", "Kabul");
	figure(&c, "appeals", cp, pp, "partially_accepted", "Kısmen kabul");
	figure(&c, "appeals", cp, pp, "rejected", "Ret");
	return rp_take(&c.b, len);
}
