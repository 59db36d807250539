// SPDX-License-Identifier: MIT
/*
 * Rows of a planned application: see rows.h. The event data is written the
 * way each service writes it: the routing and appeal services through
 * jansson (compact, keys sorted), the intake and the worker with their own
 * fixed formats; any difference would only be cosmetic, but keeping them the
 * same lets reports and the status look-up read generated data like real
 * data.
 */
#include "rows.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_appno.h"
#include "bm_event.h"
#include "clock.h"

const char dd_app_head[] =
    "INSERT INTO applications (application_no, tracking_hash, type, category, channel, subject, "
    "body, topic, target_institution_code, province_code, identity_hidden, anonymous, "
    "applicant_tckn_enc, applicant_tckn_hmac, applicant_first_name, applicant_last_name, "
    "applicant_email, applicant_phone, applicant_address, status, outcome, reason_code, "
    "assigned_institution_code, created_at, received_at, due_at, extended_at, answered_at, "
    "closed_at, updated_at) VALUES";
const char dd_event_head[] =
    "INSERT INTO application_events (application_id, at, kind, actor_user_id, "
    "actor_institution_code, from_institution_code, to_institution_code, note, data, "
    "request_id, prev_hash, hash) VALUES";
const char dd_appeal_head[] =
    "INSERT INTO appeals (appeal_no, application_id, channel, ground, refused_at, "
    "window_ends_at, reason, status, filed_at, due_at, decision, decision_text, decided_at, "
    "decided_by_user_id, application_due_at, created_at, updated_at) VALUES";
const char dd_copy_head[] = "INSERT INTO appeal_copies (appeal_id, kind, source, document, "
                            "sha256, generated_at) VALUES";

static const char *const kind_names[] = {
    [EV_SUBMITTED] = "submitted",
    [EV_RECEIVED] = "received",
    [EV_ROUTED] = "routed",
    [EV_FORWARDED] = "forwarded",
    [EV_EXTENDED] = "extended",
    [EV_ANSWERED] = "answered",
    [EV_NOT_PROCESSED] = "not_processed",
    [EV_OVERDUE] = "overdue",
    [EV_DEEMED] = "deemed_rejected",
    [EV_CANCELLED] = "cancelled",
    [EV_EXPIRED] = "expired",
    [EV_APPEAL_FILED] = "appeal_filed",
    [EV_APPEAL_DECIDED] = "appeal_decided",
    [EV_REOPENED] = "reopened",
};

/* A DATETIME(3) value, or SQL NULL for 0. */
static int bind_time(struct dd_bulk *b, MYSQL_BIND *m, int64_t t)
{
	char s[32];
	if (!t) {
		dd_bind_null(m);
		return 0;
	}
	dd_time_db(t, s);
	return dd_bind_str(b, m, s);
}

static const char *opt(const char *s)
{
	return s && s[0] ? s : NULL;
}

static int bind_identity(struct dd_bulk *b, MYSQL_BIND *m, const struct dd_app *a)
{
	int rc = 0;
	if (a->has_tckn) {
		rc |= dd_bind_blob(b, &m[0], a->sealed, a->sealed_len);
		rc |= dd_bind_blob(b, &m[1], a->mac, sizeof a->mac);
	} else {
		dd_bind_null(&m[0]);
		dd_bind_null(&m[1]);
	}
	rc |= dd_bind_str(b, &m[2], opt(a->first));
	rc |= dd_bind_str(b, &m[3], opt(a->last));
	rc |= dd_bind_str(b, &m[4], opt(a->email));
	rc |= dd_bind_str(b, &m[5], opt(a->phone));
	rc |= dd_bind_str(b, &m[6], opt(a->address));
	return rc;
}

int dd_row_app(struct dd_bulk *b, const struct bm_cfg *cfg, const struct dd_app *a)
{
	char code[BM_TRACKING_SIZE];
	unsigned char th[32];
	MYSQL_BIND *m = dd_bulk_row(b);
	if (!m)
		return -1;
	bm_tracking_code(&cfg->keys, a->no, code);
	bm_sha256(code, strlen(code), th);
	int rc = dd_bind_str(b, &m[0], a->no) | dd_bind_blob(b, &m[1], th, sizeof th) |
	         dd_bind_str(b, &m[2], a->type) | dd_bind_str(b, &m[3], a->category) |
	         dd_bind_str(b, &m[4], a->channel) | dd_bind_str(b, &m[5], a->subject) |
	         dd_bind_str(b, &m[6], a->body) | dd_bind_str(b, &m[7], a->topic) |
	         dd_bind_str(b, &m[8], a->target) | dd_bind_str(b, &m[9], a->province) |
	         dd_bind_int(b, &m[10], a->identity_hidden) | dd_bind_int(b, &m[11], a->anonymous) |
	         bind_identity(b, &m[12], a) | dd_bind_str(b, &m[19], a->status) |
	         dd_bind_str(b, &m[20], a->outcome) | dd_bind_str(b, &m[21], a->reason) |
	         dd_bind_str(b, &m[22], a->assigned) | bind_time(b, &m[23], a->created) |
	         bind_time(b, &m[24], a->received) | bind_time(b, &m[25], a->due) |
	         bind_time(b, &m[26], a->extended) | bind_time(b, &m[27], a->answered) |
	         bind_time(b, &m[28], a->closed) | bind_time(b, &m[29], a->updated);
	return rc ? -1 : 0;
}

static char *dump(json_t *o)
{
	char *s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	return s;
}

static char *text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *text(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return strdup(buf);
}

static char *answer_data(const struct dd_event *ev)
{
	bool np = ev->kind == EV_NOT_PROCESSED;
	json_t *d = json_pack("{s:s, s:s, s:s}", "status", np ? "not_processed" : "answered",
	                      "outcome", ev->s1, "text", ev->text);
	if (d && ev->s2)
		json_object_set_new(d, "reason_code", json_string(ev->s2));
	return dump(d);
}

static char *deemed_data(const struct bm_cfg *cfg, const struct dd_event *ev)
{
	char end[32], due[32];
	dd_time_iso(ev->t1, end);
	dd_time_iso(ev->t2, due);
	return text("{\"period_days\":%d,\"period_end\":\"%s\",\"basis\":\"%s\",\"from\":\"%s\","
	            "\"due_at\":\"%s\"}",
	            cfg->deemed_days, end, ev->by_due ? "due_at" : "d4", "received", due);
}

/* The data column of ev (NULL when the service writes none); *oom on allocation failure. */
static char *event_data(const struct bm_cfg *cfg, const struct dd_app *a, const struct dd_event *ev,
                        bool *oom)
{
	char iso[32] = "";
	char *s = NULL;
	if (ev->t1)
		dd_time_iso(ev->t1, iso);
	switch (ev->kind) {
	case EV_SUBMITTED:
	case EV_CANCELLED: return NULL;
	case EV_RECEIVED:
		if (!ev->s1)
			return NULL;
		s = text("{\"channel\":\"%s\"}", ev->s1);
		break;
	case EV_ROUTED:
	case EV_FORWARDED:
		s = ev->s1 ? dump(json_pack("{s:s, s:s}", "status", "in_progress", "ethics_rank",
		                            ev->s1))
		           : dump(json_pack("{s:s}", "status", "in_progress"));
		break;
	case EV_EXTENDED: s = dump(json_pack("{s:s}", "due_at", iso)); break;
	case EV_ANSWERED:
	case EV_NOT_PROCESSED: s = answer_data(ev); break;
	case EV_OVERDUE: s = text("{\"due_at\":\"%s\"}", iso); break;
	case EV_DEEMED: s = deemed_data(cfg, ev); break;
	case EV_EXPIRED:
		s = text("{\"reason\":\"not_verified\",\"verify_ttl_hours\":%ld}",
		         cfg->verify_ttl_s / 3600);
		break;
	case EV_APPEAL_FILED:
		s = dump(json_pack("{s:s, s:s, s:s}", "appeal_id", a->appeal.no, "channel", ev->s1,
		                   "due_at", iso));
		break;
	case EV_APPEAL_DECIDED:
		s = dump(json_pack("{s:s, s:s}", "appeal_id", a->appeal.no, "decision", ev->s1));
		break;
	case EV_REOPENED:
		s = dump(json_pack("{s:s, s:s, s:s, s:s}", "appeal_id", a->appeal.no, "decision",
		                   ev->s1, "status", ev->to ? "in_progress" : "received", "due_at",
		                   iso));
		break;
	}
	*oom = s == NULL;
	return s;
}

/* One event row, chained to prev (NULL for the first); its hash into hash. */
static int event_row(struct dd_bulk *b, const struct dd_app *a, const struct dd_event *ev,
                     const char *data, const unsigned char *prev, unsigned char hash[32])
{
	char at[32];
	const char *kind = kind_names[ev->kind];
	MYSQL_BIND *m = dd_bulk_row(b);
	if (!m)
		return -1;
	dd_time_db(ev->at, at);
	bm_event_hash(prev, a->id, at, kind, ev->actor_uid, ev->actor_inst, ev->from, ev->to,
	              ev->note, data, NULL, hash);
	int rc = dd_bind_int(b, &m[0], a->id) | dd_bind_str(b, &m[1], at) |
	         dd_bind_str(b, &m[2], kind) | dd_bind_str(b, &m[4], ev->actor_inst) |
	         dd_bind_str(b, &m[5], ev->from) | dd_bind_str(b, &m[6], ev->to) |
	         dd_bind_str(b, &m[7], ev->note) | dd_bind_str(b, &m[8], data) |
	         dd_bind_blob(b, &m[11], hash, 32);
	if (ev->actor_uid)
		rc |= dd_bind_int(b, &m[3], ev->actor_uid);
	else
		dd_bind_null(&m[3]);
	dd_bind_null(&m[9]);
	if (prev)
		rc |= dd_bind_blob(b, &m[10], prev, 32);
	else
		dd_bind_null(&m[10]);
	return rc ? -1 : 0;
}

int dd_row_events(struct dd_bulk *b, const struct bm_cfg *cfg, const struct dd_app *a)
{
	unsigned char prev[32], hash[32];
	for (int i = 0; i < a->nev; i++) {
		bool oom = false;
		char *data = event_data(cfg, a, &a->ev[i], &oom);
		int rc = oom ? -1 : event_row(b, a, &a->ev[i], data, i ? prev : NULL, hash);
		free(data);
		if (rc)
			return -1;
		memcpy(prev, hash, 32);
	}
	return 0;
}

static const char *ground_name(enum dd_ground g)
{
	return g == DD_GROUND_ANSWERED        ? "answered"
	       : g == DD_GROUND_NOT_PROCESSED ? "not_processed"
	                                      : "deemed_rejected";
}

int dd_row_appeal(struct dd_bulk *b, const struct dd_app *a)
{
	const struct dd_appeal *p = &a->appeal;
	MYSQL_BIND *m = dd_bulk_row(b);
	if (!m)
		return -1;
	int rc = dd_bind_str(b, &m[0], p->no) | dd_bind_int(b, &m[1], a->id) |
	         dd_bind_str(b, &m[2], "internet") | dd_bind_str(b, &m[3], ground_name(p->ground)) |
	         bind_time(b, &m[4], p->refused) | bind_time(b, &m[5], p->window_end) |
	         dd_bind_str(b, &m[6], p->reason) |
	         dd_bind_str(b, &m[7], p->decided ? "appeal_decided" : "appeal_filed") |
	         bind_time(b, &m[8], p->filed_at) | bind_time(b, &m[9], p->due) |
	         dd_bind_str(b, &m[10], p->decision) | dd_bind_str(b, &m[11], p->decision_text) |
	         bind_time(b, &m[12], p->decided) | bind_time(b, &m[14], p->app_due) |
	         bind_time(b, &m[15], p->filed_at) |
	         bind_time(b, &m[16], p->decided ? p->decided : p->filed_at);
	long long by = 0;
	for (int i = 0; i < a->nev; i++)
		if (a->ev[i].kind == EV_APPEAL_DECIDED)
			by = a->ev[i].actor_uid;
	if (by)
		rc |= dd_bind_int(b, &m[13], by);
	else
		dd_bind_null(&m[13]);
	return rc ? -1 : 0;
}

static json_t *iso_or_null(int64_t t)
{
	char iso[32];
	if (!t)
		return json_null();
	dd_time_iso(t, iso);
	return json_string(iso);
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* copies.c's application document. */
static json_t *application_doc(const struct dd_app *a)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "copy", "application",
	                 "application_no", a->no, "type", a->type, "subject", a->subject, "body",
	                 a->body, "received_at", iso_or_null(a->received), "generated_at",
	                 iso_or_null(a->appeal.filed_at));
}

/* copies.c's answer document: the answer as it stood when the appeal was filed. */
static json_t *answer_doc(const struct dd_tree *t, const struct dd_app *a)
{
	const struct dd_appeal *p = &a->appeal;
	int inst = dd_tree_find(t, p->ans_inst);
	json_t *ref = p->ans_inst ? json_pack("{s:s, s:s}", "code", p->ans_inst, "name",
	                                      inst >= 0 ? t->inst[inst].name : p->ans_inst)
	                          : json_null();
	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "copy", "answer",
	                 "application_no", a->no, "outcome", str_or_null(p->ans_outcome),
	                 "reason_code", str_or_null(p->ans_reason), "text",
	                 str_or_null(p->ans_text), "answered_at", iso_or_null(p->ans_at),
	                 "institution", ref, "generated_at", iso_or_null(p->filed_at));
}

static int copy_row(struct dd_bulk *b, long long appeal_id, const char *kind, json_t *doc,
                    int64_t at)
{
	char *text = dump(doc);
	unsigned char sha[32];
	MYSQL_BIND *m = text ? dd_bulk_row(b) : NULL;
	if (!m) {
		free(text);
		return -1;
	}
	bm_sha256(text, strlen(text), sha);
	int rc = dd_bind_int(b, &m[0], appeal_id) | dd_bind_str(b, &m[1], kind) |
	         dd_bind_str(b, &m[2], "generated") | dd_bind_str(b, &m[3], text) |
	         dd_bind_blob(b, &m[4], sha, 32) | bind_time(b, &m[5], at);
	free(text);
	return rc ? -1 : 0;
}

int dd_row_copies(struct dd_bulk *b, const struct dd_tree *t, const struct dd_app *a,
                  long long appeal_id)
{
	int64_t at = a->appeal.filed_at;
	if (copy_row(b, appeal_id, "application", application_doc(a), at))
		return -1;
	if (a->appeal.ground == DD_GROUND_DEEMED)
		return 0;
	return copy_row(b, appeal_id, "answer", answer_doc(t, a), at);
}
