// SPDX-License-Identifier: MIT
/*
 * reminder: issue 4's reminder to the holding institution before the due
 * day. An open application (received or in progress) held by an institution
 * (assigned_institution_code), due within BIMER_REMINDER_DAYS business days
 * (default 2; rules.md D6 business days of the `holidays` calendar) and not
 * yet due, gets one `reminder_sent` event and one mail to every active user
 * of that institution (users.email), written to the outbox (kind `reminder`,
 * application_id set) in the same transaction. Once per application (per
 * round: a `reopened` application is reminded of its new due time).
 *
 * "Within N business days": the due day is at most the N-th business day
 * after today (Istanbul), so with N = 2 an application due on a Friday is
 * reminded from Wednesday on, and one due on a Tuesday from the Friday
 * before. That bound is one moment, computed once per pass, so the
 * candidates are found by SQL alone.
 *
 * The mail names only the application number, its type and the due time:
 * nothing of the applicant (hidden identities stay hidden), not even the
 * subject. Several workers may sweep at once: the application's row is
 * locked (SELECT … FOR UPDATE, re-checking the conditions) before looking for
 * an earlier reminder, as in overdue.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_cal.h"
#include "bm_db.h"
#include "bm_deadline.h"
#include "bm_event.h"
#include "bm_log.h"
#include "worker.h"

static const char sql_due[] =
    "SELECT a.id FROM applications a WHERE a.status IN ('received', 'in_progress') "
    "AND a.assigned_institution_code IS NOT NULL AND a.due_at > UTC_TIMESTAMP(3) "
    "AND a.due_at <= ? AND " SWEEP_NONE_THIS_ROUND " AND a.id > ? ORDER BY a.id LIMIT ?";

static const char sql_lock[] =
    "SELECT application_no, type, assigned_institution_code, FLOOR(UNIX_TIMESTAMP(due_at)), "
    "due_at FROM applications WHERE id = ? AND status IN ('received', 'in_progress') "
    "AND assigned_institution_code IS NOT NULL AND due_at > UTC_TIMESTAMP(3) "
    "AND due_at <= ? FOR UPDATE";

static const char sql_users[] =
    "SELECT email FROM users WHERE institution_code = ? AND active = 1 ORDER BY id";

static const char sql_outbox[] =
    "INSERT INTO outbox (kind, application_id, recipient, subject, body_text, body_html) "
    "VALUES ('reminder', ?, ?, ?, ?, ?)";

enum { A_NO, A_TYPE, A_INST, A_DUE, A_DUE_DB };

/* The reminder's subject, text and HTML: number, type and due time only. */
struct reminder_mail {
	char subject[160];
	char text[1536];
	char html[2048];
};

static void compose(struct reminder_mail *m, const char *no, const char *type, time_t due)
{
	const char *what = !strcmp(type, "bilgi_edinme") ? "bilgi edinme başvurusu" : "dilekçe";
	const char *ask = "Başvuruyu bu süre içinde cevaplayınız ya da yetkili birime "
	                  "yönlendiriniz. Süresinde cevaplanmayan başvurular gecikmiş olarak "
	                  "kaydedilir. Başvurunun ayrıntıları BİMER kurum ekranındaki gelen "
	                  "kutunuzdadır.";
	const char *foot = "BİMER — Başbakanlık İletişim Merkezi";
	const char *auto_ = "Bu e-posta otomatik olarak gönderilmiştir; lütfen yanıtlamayınız.";
	char until[32];

	sweep_tr_time(due, until);
	snprintf(m->subject, sizeof m->subject,
	         "BİMER hatırlatma: %s numaralı başvurunun cevap süresi doluyor", no);
	snprintf(m->text, sizeof m->text,
	         "Sayın yetkili,\n\nKurumunuzda bekleyen %s numaralı %s için yasal cevap süresi "
	         "%s tarihinde dolmaktadır.\n\n%s\n\nBaşvuru numarası: %s\n\n-- \n%s\n%s\n",
	         no, what, until, ask, no, foot, auto_);
	snprintf(m->html, sizeof m->html,
	         "<!DOCTYPE html><html lang=\"tr\"><head><meta charset=\"utf-8\"><title>BİMER"
	         "</title></head><body><p>Sayın yetkili,</p><p>Kurumunuzda bekleyen <strong>%s"
	         "</strong> numaralı %s için yasal cevap süresi <strong>%s</strong> tarihinde "
	         "dolmaktadır.</p><p>%s</p><p>Başvuru numarası: <strong>%s</strong></p><hr><p>"
	         "<small>%s. %s</small></p></body></html>",
	         no, what, until, ask, no, foot, auto_);
}

/* One outbox row per active user of the institution; *sent counts them. */
static enum bm_err queue_mails(struct worker *w, long long id, const char *inst,
                               const struct reminder_mail *m, long *sent)
{
	struct bm_dbp pu[] = {BM_DB_STR(inst)};
	struct bm_dbres *users = NULL;
	enum bm_err e = bm_db_run(w->db, sql_users, pu, 1, &users);

	*sent = 0;
	for (size_t i = 0; !e && i < users->nrows; i++) {
		const char *to = bm_dbres_get(users, i, 0);
		struct bm_dbp p[] = {BM_DB_INT(id), BM_DB_STR(to), BM_DB_STR(m->subject),
		                     BM_DB_STR(m->text), BM_DB_STR(m->html)};
		if (!to)
			continue;
		if (!(e = bm_db_run(w->db, sql_outbox, p, 5, NULL)))
			(*sent)++;
	}
	bm_dbres_free(users);
	return e;
}

/* The mails and the event, inside the transaction holding the row lock. */
static enum bm_err remind(struct worker *w, long long id, const struct bm_dbres *app, long *sent)
{
	const char *no = bm_dbres_get(app, 0, A_NO), *type = bm_dbres_get(app, 0, A_TYPE);
	const char *inst = bm_dbres_get(app, 0, A_INST), *due = bm_dbres_get(app, 0, A_DUE);
	char due_iso[BM_TIME_ISO_LEN], data[256];
	struct reminder_mail m;
	enum bm_err e;

	if (!no || !type || !inst || !due ||
	    !bm_time_db_to_iso(bm_dbres_get(app, 0, A_DUE_DB), due_iso))
		return BM_E_INTERNAL;
	compose(&m, no, type, strtoll(due, NULL, 10));
	if ((e = queue_mails(w, id, inst, &m, sent)))
		return e;
	snprintf(data, sizeof data,
	         "{\"institution_code\":\"%s\",\"recipients\":%ld,\"due_at\":\"%s\","
	         "\"business_days\":%ld}",
	         inst, *sent, due_iso, w->set.reminder_days);
	const struct bm_event ev = {.application_id = id, .kind = "reminder_sent", .data = data};
	return bm_event_append(w->db, &ev);
}

static void reminder_one(struct worker *w, long long id)
{
	struct bm_dbp p[] = {BM_DB_INT(id), BM_DB_STR(w->remind_until)};
	struct bm_dbres *app = NULL;
	long long have;
	long sent = 0;

	if (bm_db_begin(w->db))
		return;
	if (bm_db_run(w->db, sql_lock, p, 2, &app))
		goto fail;
	if (app->nrows != 1) /* answered, closed, re-dated or let go meanwhile */
		goto skip;
	if ((have = sweep_round_count(w, id, "reminder_sent")) < 0)
		goto fail;
	if (have > 0) /* another worker was first */
		goto skip;
	if (remind(w, id, app, &sent) || bm_db_commit(w->db))
		goto fail;
	if (sent)
		bm_log(BM_LOG_INFO, NULL, "application %lld: reminder to %ld users of %s", id, sent,
		       bm_dbres_get(app, 0, A_INST));
	else
		bm_log(BM_LOG_WARN, NULL, "application %lld: no active user of %s to remind", id,
		       bm_dbres_get(app, 0, A_INST));
	goto out;
skip:
	bm_db_rollback(w->db);
	goto out;
fail:
	bm_db_rollback(w->db);
	bm_log(BM_LOG_WARN, NULL, "application %lld: reminder failed, retried next sweep", id);
out:
	bm_dbres_free(app);
}

bool reminder_run(struct worker *w)
{
	const struct bm_cal *cal;
	struct bm_dbp p[4];
	bm_day last;

	if (bm_deadline_calendar(&w->ctx, &cal))
		return false;
	last = bm_cal_add_business_days(cal, bm_deadline_day_of(time(NULL)),
	                                (int)w->set.reminder_days);
	if (last == BM_DAY_INVALID)
		return false;
	/* due on or before the last second of that business day (Istanbul), in UTC */
	bm_time_to_db(bm_deadline_end_of_day(last), w->remind_until);
	p[0] = BM_DB_STR(w->remind_until);
	p[1] = BM_DB_STR("reminder_sent");
	return sweep_ids(w, &w->reminder_cur, sql_due, p, 4, reminder_one);
}
