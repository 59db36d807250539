// SPDX-License-Identifier: MIT
/*
 * What happens to a planned application, step by step, as the services and
 * the worker would have done it (see the services' sources): internet applications are
 * verified within hours or expire after BIMER_VERIFY_TTL_HOURS (D7); the
 * legal clock starts at receipt (D5) with the due time of bm_deadline (D1,
 * D2); an operator routes, the holder sometimes forwards; an information
 * request is sometimes extended once (D2); most are answered in time, some
 * late (only an information request can be: a petition's D1 period and the
 * D4 silence period end together), some never — overdue, then deemed
 * rejected when the D4 period ends (as services/worker/deemed.c counts it);
 * a few are cancelled. Refused information requests are sometimes appealed
 * within the A2 window (counted as services/appeal/window.c does) and BEDK
 * decides within its A4 period; an accepted appeal reopens the application,
 * which is answered again. Every step is an event; the first one after
 * "now" ends the story, so the row is in the state the events left it in.
 */
#include "life.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bm_deadline.h"
#include "catalog.h"

static bool is(const char *a, const char *b)
{
	return a && !strcmp(a, b);
}

static const char *code(const struct dd_life *l, int idx)
{
	return idx >= 0 ? l->w->tree->inst[idx].code : NULL;
}

/* The row's state after ev, as the service that writes ev changes it. */
static void apply(struct dd_app *a, const struct dd_event *ev)
{
	switch (ev->kind) {
	case EV_SUBMITTED: a->status = "awaiting_verification"; break;
	case EV_RECEIVED:
		a->status = "received";
		a->received = ev->at;
		a->due = ev->t1;
		break;
	case EV_ROUTED:
	case EV_FORWARDED:
		a->status = "in_progress";
		a->assigned = ev->to;
		break;
	case EV_EXTENDED:
		a->due = ev->t1;
		a->extended = ev->at;
		break;
	case EV_ANSWERED:
	case EV_NOT_PROCESSED:
		a->status = ev->kind == EV_ANSWERED ? "answered" : "not_processed";
		a->outcome = ev->kind == EV_ANSWERED ? ev->s1 : NULL;
		a->reason = ev->s2;
		a->answered = a->closed = ev->at;
		break;
	case EV_OVERDUE: break;
	case EV_DEEMED:
		a->status = "deemed_rejected";
		a->closed = ev->at;
		break;
	case EV_CANCELLED:
		a->status = "cancelled";
		a->closed = ev->at;
		break;
	case EV_EXPIRED:
		a->status = "expired";
		a->closed = ev->at;
		break;
	case EV_APPEAL_FILED: a->appeal.filed = true; break;
	case EV_APPEAL_DECIDED:
		a->appeal.decided = ev->at;
		a->appeal.decision = ev->s1;
		a->appeal.decision_text = ev->text;
		break;
	case EV_REOPENED:
		a->status = a->assigned ? "in_progress" : "received";
		a->outcome = a->reason = NULL;
		a->answered = a->closed = 0;
		a->due = a->appeal.app_due = ev->t1;
		break;
	}
	a->updated = ev->at;
}

/* Record ev unless it lies after now (then nothing more happens to this application). */
static bool push(struct dd_life *l, struct dd_event ev)
{
	struct dd_app *a = l->a;
	if (l->cut || l->err)
		return false;
	if (a->nev && ev.at <= a->ev[a->nev - 1].at)
		ev.at = a->ev[a->nev - 1].at + 1; /* the chain is in time order */
	if (ev.at > l->w->now || a->nev == DD_MAX_EVENTS) {
		l->cut = true;
		return false;
	}
	a->ev[a->nev++] = ev;
	apply(a, &ev);
	return true;
}

static int64_t ms_of(time_t s)
{
	return (int64_t)s * DD_SECOND;
}

/* D1/D2 through bm_deadline, as intake and verification compute due_at. */
static int64_t due_of(struct dd_life *l, int64_t received, bool extended)
{
	time_t due = 0;
	enum bm_err e =
	    bm_deadline_due(l->w->ctx, l->info, extended, (time_t)(received / 1000), &due);
	if (e)
		l->err = e;
	return ms_of(due);
}

static int64_t span(struct dd_life *l, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(dd_rng_unit(l->r) * (double)(hi - lo));
}

static int64_t work(struct dd_life *l, int64_t t)
{
	return dd_work_time(l->cal, t, l->r);
}

/* The worker's sweep runs within the minute after the moment it waits for. */
static int64_t sweep_after(struct dd_life *l, int64_t t)
{
	return t + span(l, DD_SECOND, 59 * DD_SECOND);
}

/* Internet: submitted, then verified (or expired, or cancelled unverified). 0 = never received. */
static int64_t arrive(struct dd_life *l, int64_t t)
{
	struct dd_app *a = l->a;
	int64_t ttl = (int64_t)l->w->ctx->cfg->verify_ttl_s * DD_SECOND;
	double u = dd_rng_unit(l->r);
	a->created = t;
	if (!is(a->channel, "internet"))
		return t;
	push(l, (struct dd_event){.at = t, .kind = EV_SUBMITTED});
	if (u < 0.025) {
		push(l, (struct dd_event){.at = sweep_after(l, t + ttl), .kind = EV_EXPIRED});
		return 0;
	}
	if (u < 0.031) {
		push(l, (struct dd_event){
		            .at = span(l, t + 10 * DD_MINUTE, t + ttl - DD_HOUR),
		            .kind = EV_CANCELLED,
		            .note = dd_cancel_notes[dd_rng_below(l->r, dd_ncancel_notes)]});
		return 0;
	}
	/* most verify within the hour, a few the next day */
	double u1 = dd_rng_unit(l->r), u2 = dd_rng_unit(l->r);
	int64_t wait = DD_MINUTE + (int64_t)(u1 * u1 * u2 * 30.0 * (double)DD_HOUR);
	return t + (wait < ttl - DD_MINUTE ? wait : ttl - DD_MINUTE);
}

static bool receive(struct dd_life *l, int64_t rcv)
{
	struct dd_app *a = l->a;
	bool staff = !is(a->channel, "internet");
	struct dd_event ev = {.at = rcv, .kind = EV_RECEIVED, .t1 = due_of(l, rcv, false)};
	if (staff) { /* keyed in by the desk that routes it */
		ev.actor_uid = l->op_uid;
		ev.actor_inst = l->op_inst;
		ev.s1 = a->channel;
	}
	return push(l, ev);
}

/* The operator's route, the holder's forward, and so on (route.c's kinds and data). */
static int64_t route(struct dd_life *l, int64_t rcv)
{
	const struct dd_tree *t = l->w->tree;
	int64_t at = work(l, rcv + span(l, DD_HOUR, 60 * DD_HOUR));
	int from = -1;
	for (int s = 0; s < 3 && l->route[s] >= 0; s++) {
		bool fwd = l->route_forward[s];
		const struct dd_inst *holder = from >= 0 ? &t->inst[from] : NULL;
		struct dd_event ev = {
		    .at = at,
		    .kind = fwd ? EV_FORWARDED : EV_ROUTED,
		    .actor_uid = fwd ? holder->user : l->op_uid,
		    .actor_inst = fwd ? holder->code : l->op_inst,
		    .from = code(l, from),
		    .to = code(l, l->route[s]),
		    .s1 = l->rank,
		};
		if (fwd && l->route[s] == t->centre)
			ev.note =
			    "Konu kurumumuzun görev alanında olmadığından Merkeze iade edilmiştir.";
		else if (dd_rng_chance(l->r, 0.3))
			ev.note = "Gereği için ilgili birime gönderilmiştir.";
		if (!push(l, ev))
			return 0;
		from = l->route[s];
		if (fwd && l->route[s] == t->centre) { /* the centre's operator routes it again */
			l->op_uid = t->inst[t->centre].operator_id;
			l->op_inst = t->inst[t->centre].code;
		}
		at = work(l, at + span(l, 3 * DD_HOUR, 72 * DD_HOUR));
	}
	return l->a->updated;
}

/* D2: the holder extends an information request once, before the first due time. */
static void extend(struct dd_life *l, int64_t assigned)
{
	struct dd_app *a = l->a;
	const struct dd_inst *h = &l->w->tree->inst[l->holder];
	int64_t at = work(
	    l, assigned + (int64_t)((double)(a->due - assigned) * dd_rng_range(l->r, 0.3, 0.8)));
	if (at <= assigned || at >= a->due)
		return;
	push(l, (struct dd_event){
	            .at = at,
	            .kind = EV_EXTENDED,
	            .actor_uid = h->user,
	            .actor_inst = h->code,
	            .note = dd_extension_reasons[dd_rng_below(l->r, dd_nextension_reasons)],
	            .t1 = due_of(l, a->received, true),
	        });
}

/* The D4 period as deemed.c and window.c count it: its end, and whether due_at ended it. */
static int64_t period_end(struct dd_life *l, bool *by_due)
{
	const struct dd_app *a = l->a;
	bm_day last = bm_cal_add_days(l->cal, dd_day_of(a->received), l->w->ctx->cfg->deemed_days);
	int64_t end = last == BM_DAY_INVALID ? a->due : dd_end_of_day(last);
	if (last == BM_DAY_INVALID)
		l->err = BM_E_INTERNAL;
	*by_due = a->due > end;
	return *by_due ? a->due : end;
}

static void overdue(struct dd_life *l, int64_t at)
{
	push(l, (struct dd_event){.at = at, .kind = EV_OVERDUE, .t1 = l->a->due});
}

/* Silence: overdue when the due time passes, deemed rejected when the period ends. */
static void deemed(struct dd_life *l)
{
	bool by_due;
	int64_t end = period_end(l, &by_due), seen = sweep_after(l, l->a->due);
	overdue(l, seen);
	int64_t at = end > l->a->due ? sweep_after(l, end) : seen + 150;
	push(l, (struct dd_event){
	            .at = at, .kind = EV_DEEMED, .t1 = end, .t2 = l->a->due, .by_due = by_due});
}

static const struct dd_reason *pick_reason(struct dd_rng *r, const struct dd_reason *v, size_t n)
{
	double w[16];
	for (size_t i = 0; i < n && i < 16; i++)
		w[i] = v[i].weight;
	return &v[dd_rng_weighted(r, w, n < 16 ? n : 16)];
}

/* The outcome and its reason code (answer.c's rules: BE_ codes for information requests only,
 * a refused information request names its exception, a petition's refusal has no code). */
static const struct dd_reason *decide(struct dd_life *l, const char **outcome)
{
	static const char *const outcomes[] = {"positive", "negative", "partial", "not_processed"};
	static const double petition_w[] = {46, 24, 14, 16}, info_w[] = {52, 18, 14, 16};
	struct dd_app *a = l->a;
	bool anon_paper = a->anonymous && (is(a->channel, "letter") || is(a->channel, "fax"));
	static const struct dd_reason anon = {"ANON_NO_EVIDENCE", 1,
	                                      "somut bilgi ve belge "
	                                      "içermediğinden"};
	static const struct dd_reason foreigner = {"FOREIGNER_INELIGIBLE", 1,
	                                           "başvuru sahibinin bu konuda başvuru hakkı "
	                                           "bulunmadığından"};
	if (anon_paper && dd_rng_chance(l->r, 0.4)) {
		*outcome = "not_processed";
		return &anon;
	}
	*outcome = outcomes[dd_rng_weighted(l->r, l->info ? info_w : petition_w, 4)];
	if (is(*outcome, "positive") || (!l->info && !is(*outcome, "not_processed")))
		return NULL;
	if (!l->info)
		return l->foreign && dd_rng_chance(l->r, 0.3)
		           ? &foreigner
		           : pick_reason(l->r, dd_petition_reasons, dd_npetition_reasons);
	if (is(*outcome, "not_processed"))
		return pick_reason(l->r, dd_info_reasons, dd_ninfo_reasons);
	return pick_reason(l->r, dd_info_exceptions, dd_ninfo_exceptions);
}

static void answer_text(struct dd_life *l, const char *outcome, const struct dd_reason *why,
                        char *out, size_t cap)
{
	const char *appeal = "";
	if (l->info && !is(outcome, "positive") && (!why || !strncmp(why->code, "BE_", 3)))
		appeal = " Bu cevaba karşı tebliğinden itibaren 15 gün içinde Bilgi Edinme "
		         "Değerlendirme Kurulu'na itiraz edebilirsiniz.";
	if (is(outcome, "positive"))
		snprintf(out, cap, "%s", dd_positive_texts[dd_rng_below(l->r, dd_npositive)]);
	else if (is(outcome, "not_processed") && why && !strcmp(why->code, "BE_PUBLISHED"))
		snprintf(out, cap,
		         "İstediğiniz bilgi kurumumuzun internet sitesinde "
		         "(www.kurum.gov.tr/yayinlar) yayımlanmış olduğundan başvurunuz "
		         "4982 sayılı Kanunun 8. maddesi uyarınca bu adrese "
		         "yönlendirilmiştir.%s",
		         appeal);
	else if (is(outcome, "not_processed"))
		snprintf(out, cap, "Başvurunuz, %s, işleme alınmamıştır.%s", why->why, appeal);
	else if (why && is(outcome, "partial")) /* 4982 art. 12: the reason of the refusal */
		snprintf(out, cap,
		         "İstediğiniz bilgilerin bir bölümü aşağıda sunulmuştur; kalan "
		         "kısım, istenen bilgi %s, verilememiştir.%s",
		         why->why, appeal);
	else if (why)
		snprintf(out, cap,
		         "Başvurunuz incelenmiştir. Talebiniz, istenen bilgi %s, "
		         "karşılanamamıştır.%s",
		         why->why, appeal);
	else
		snprintf(out, cap, "%s",
		         is(outcome, "partial")
		             ? dd_partial_texts[dd_rng_below(l->r, dd_npartial)]
		             : dd_negative_texts[dd_rng_below(l->r, dd_nnegative)]);
}

/* The holder answers at `at` (text slot n: 0 first answer, 1 after a reopening). */
static bool answer(struct dd_life *l, int64_t at, int n, const char *outcome,
                   const struct dd_reason *why)
{
	struct dd_app *a = l->a;
	const struct dd_inst *h = &l->w->tree->inst[l->holder];
	answer_text(l, outcome, why, a->text[n], sizeof a->text[n]);
	bool np = is(outcome, "not_processed");
	return push(l, (struct dd_event){.at = at,
	                                 .kind = np ? EV_NOT_PROCESSED : EV_ANSWERED,
	                                 .actor_uid = h->user,
	                                 .actor_inst = h->code,
	                                 .s1 = outcome,
	                                 .s2 = why ? why->code : NULL,
	                                 .text = a->text[n]});
}

/* A1: the refusal an information request stands on, if any. */
static enum dd_ground ground_of(const struct dd_app *a)
{
	if (is(a->status, "answered") && (is(a->outcome, "negative") || is(a->outcome, "partial")))
		return DD_GROUND_ANSWERED;
	if (is(a->status, "not_processed") && a->reason && !strncmp(a->reason, "BE_", 3))
		return DD_GROUND_NOT_PROCESSED;
	if (is(a->status, "deemed_rejected"))
		return DD_GROUND_DEEMED;
	return 0;
}

/* A2: the refusal's moment and the end of the window, as window.c counts them. */
static bool window(struct dd_life *l, enum dd_ground g, struct dd_appeal *p)
{
	bool by_due;
	p->refused = g == DD_GROUND_DEEMED ? period_end(l, &by_due) : l->a->answered;
	bm_day last = bm_cal_add_days(l->cal, dd_day_of(p->refused), l->w->window_days);
	if (last == BM_DAY_INVALID)
		return false;
	p->window_end = dd_end_of_day(last);
	return p->window_end - DD_HOUR > p->refused + 2 * DD_HOUR;
}

static int64_t business_due(struct dd_life *l, int64_t from, int days)
{
	bm_day end = bm_cal_add_business_days(l->cal, dd_day_of(from), days);
	if (end == BM_DAY_INVALID)
		l->err = BM_E_INTERNAL;
	return end == BM_DAY_INVALID ? from : dd_end_of_day(end);
}

/* The appeal as filed online: its dates, reason and the answer it copies. */
static void file_appeal(struct dd_life *l, enum dd_ground g)
{
	struct dd_app *a = l->a;
	struct dd_appeal *p = &a->appeal;
	int64_t last = p->refused + 14 * DD_DAY < p->window_end - DD_HOUR ? p->refused + 14 * DD_DAY
	                                                                  : p->window_end - DD_HOUR;
	p->ground = g;
	p->filed_at = span(l, p->refused + 2 * DD_HOUR, last);
	p->due = business_due(l, p->filed_at, l->w->decision_days);
	p->reason = dd_appeal_reasons[dd_rng_below(l->r, dd_nappeal_reasons)];
	if (g != DD_GROUND_DEEMED) {
		p->ans_outcome = a->outcome ? a->outcome : "not_processed";
		p->ans_reason = a->reason;
		p->ans_text = a->text[0];
		p->ans_inst = code(l, l->holder);
		p->ans_at = a->answered;
	}
	push(l, (struct dd_event){.at = p->filed_at,
	                          .kind = EV_APPEAL_FILED,
	                          .to = code(l, l->w->tree->bedk),
	                          .s1 = "internet",
	                          .t1 = p->due});
}

/* BEDK decides (A4); an accepted appeal sends the application back, and it is answered again. */
static void decide_appeal(struct dd_life *l)
{
	static const char *const decisions[] = {"accepted", "partially_accepted", "rejected"};
	static const double decision_w[] = {30, 15, 55};
	struct dd_app *a = l->a;
	const struct dd_inst *bedk = &l->w->tree->inst[l->w->tree->bedk];
	int64_t at = work(l, a->appeal.filed_at + span(l, 5 * DD_DAY, 40 * DD_DAY));
	if (at >= a->appeal.due)
		at = a->appeal.filed_at + (a->appeal.due - a->appeal.filed_at) * 4 / 5;
	const char *d = decisions[dd_rng_weighted(l->r, decision_w, 3)];
	struct dd_event ev = {.at = at,
	                      .kind = EV_APPEAL_DECIDED,
	                      .actor_uid = bedk->bedk_member,
	                      .actor_inst = bedk->code,
	                      .s1 = d,
	                      .text = dd_decision_text(d, dd_rng_below(l->r, 4))};
	if (!push(l, ev) || is(d, "rejected"))
		return;
	ev.kind = EV_REOPENED;
	ev.to = a->assigned;
	ev.t1 = business_due(l, at, l->w->ctx->cfg->info_days);
	if (!push(l, ev))
		return;
	int64_t again = work(l, at + span(l, DD_DAY, 14 * DD_DAY));
	if (again >= a->due)
		again = at + (a->due - at) / 2;
	bool partial = is(d, "partially_accepted") && dd_rng_chance(l->r, 0.5);
	answer(l, again, 1, partial ? "partial" : "positive",
	       partial ? pick_reason(l->r, dd_info_exceptions, dd_ninfo_exceptions) : NULL);
}

static void appeal(struct dd_life *l)
{
	enum dd_ground g = l->info && !l->cut ? ground_of(l->a) : 0;
	if (!g || !dd_rng_chance(l->r, 0.3) || !window(l, g, &l->a->appeal))
		return;
	file_appeal(l, g);
	if (!l->cut)
		decide_appeal(l);
}

/* When the holder answers: in time (most), late (some information requests), with text. */
static void respond(struct dd_life *l, int64_t assigned, bool late)
{
	struct dd_app *a = l->a;
	int64_t from = a->extended ? a->extended : assigned, at;
	const char *outcome;
	if (late) {
		bool by_due;
		int64_t end = period_end(l, &by_due);
		overdue(l, sweep_after(l, a->due));
		at = work(l, span(l, a->due + DD_HOUR, end - DD_HOUR));
		if (at >= end)
			at = a->due + (end - a->due) / 2;
	} else {
		double u = dd_rng_unit(l->r);
		at = work(l, from + (int64_t)((double)(a->due - from) * (0.05 + 0.9 * u * u)));
		if (at <= from || at >= a->due)
			at = from + (a->due - from) / 2;
	}
	const struct dd_reason *why = decide(l, &outcome);
	if (answer(l, at, 0, outcome, why))
		appeal(l);
}

void dd_live(struct dd_life *l, int64_t t)
{
	struct dd_app *a = l->a;
	int64_t rcv = arrive(l, t);
	if (!rcv || !receive(l, rcv))
		return;
	if (dd_rng_chance(l->r, 0.012)) { /* withdrawn before anyone routed it */
		push(l, (struct dd_event){
		            .at = span(l, rcv + 10 * DD_MINUTE, rcv + 20 * DD_HOUR),
		            .kind = EV_CANCELLED,
		            .note = dd_cancel_notes[dd_rng_below(l->r, dd_ncancel_notes)]});
		return;
	}
	int64_t assigned = route(l, rcv);
	double u = dd_rng_unit(l->r);
	if (!assigned)
		return;
	if (l->info && u >= 0.057 && dd_rng_chance(l->r, 0.12))
		extend(l, assigned);
	if (u < 0.045) {
		deemed(l);
		appeal(l);
	} else if (u < 0.057) {
		push(l, (struct dd_event){.at = span(l, assigned + DD_HOUR, a->due - DD_HOUR),
		                          .kind = EV_CANCELLED});
	} else {
		respond(l, assigned, l->info && !a->extended && u < 0.13);
	}
}
