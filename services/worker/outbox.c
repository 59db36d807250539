// SPDX-License-Identifier: MIT
/*
 * outbox: delivers the mail outbox (deploy/sql/migrations/0007_outbox.sql).
 *
 * Each pass lists due rows, then for each one: claim it (an UPDATE that only
 * succeeds while the row is pending, or 'sending' with an expired lock, and
 * due; rows affected checked, so two workers never both win), read it, send
 * it, and record the outcome at once. A worker killed anywhere in between
 * leaves the row 'sending' with a lock that expires after BIMER_MAIL_LOCK_S,
 * and then any worker claims it again: no mail is lost.
 *
 * SMTP cannot be exactly-once: if the worker dies between the server's 250
 * and the UPDATE to 'sent', the mail goes out again. That window is kept to
 * one autocommit UPDATE (the message is built before the send, and
 * the mark is retried briefly if the database hiccups); the Message-ID is
 * the same on every attempt, so an idempotent receiver (our sink) drops the
 * copy. A sent row's bodies are blanked: they hold verification tokens.
 *
 * A row holds either its rendered mail (subject, text, HTML) or, for a kind
 * rendered at delivery (the verification mail; bm_mail_render in
 * common/bm_notify.c), only its parameters. Those are rendered after each
 * claim, the same way every time, so a retry sends the same mail. A row
 * that cannot be rendered (malformed parameters, a kind without a renderer)
 * is marked 'failed' at once with the reason, like an unusable address.
 * Parameters are cleared when the row is marked sent or failed, so no
 * usable token stays in the table after delivery.
 *
 * A failed send goes back to pending with an exponential backoff and the
 * reason (never the recipient or content). A mail the server refuses is
 * marked 'failed' after BIMER_MAIL_MAX_ATTEMPTS. A server that cannot be
 * reached is not the mail's fault: that row stays pending (backoff capped at
 * BIMER_MAIL_RETRY_MAX_S) however long the outage, the pass ends, and the
 * next pass waits for a probe delay that doubles while the server stays
 * down (at most PROBE_MAX_MS), so an outage neither fails mails nor spends
 * every row's attempts.
 * Outcome updates carry "AND attempts = <our claim>", so a worker that lost
 * its claim (it overran its lock) cannot undo a newer claim's outcome; only
 * 'sent' is always recorded, since the mail did go out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "bm_db.h"
#include "bm_log.h"
#include "bm_notify.h"
#include "mime.h"
#include "smtp.h"
#include "worker.h"

static const char sql_due[] =
    "SELECT id FROM outbox WHERE next_attempt_at <= UTC_TIMESTAMP(3) AND (status = 'pending' "
    "OR (status = 'sending' AND locked_until < UTC_TIMESTAMP(3))) ORDER BY id LIMIT ?";

static const char sql_claim[] =
    "UPDATE outbox SET status = 'sending', attempts = attempts + 1, "
    "locked_until = UTC_TIMESTAMP(3) + INTERVAL ? SECOND "
    "WHERE id = ? AND (status = 'pending' OR (status = 'sending' AND locked_until < "
    "UTC_TIMESTAMP(3))) AND next_attempt_at <= UTC_TIMESTAMP(3)";

static const char sql_row[] = "SELECT kind, recipient, subject, body_text, body_html, attempts, "
                              "params FROM outbox WHERE id = ?";

static const char sql_sent[] =
    "UPDATE outbox SET status = 'sent', sent_at = UTC_TIMESTAMP(3), locked_until = NULL, "
    "last_error = NULL, body_text = IF(body_text IS NULL, NULL, ''), body_html = NULL, "
    "params = NULL WHERE id = ? AND status <> 'sent'";

/* The last attempt fails the row: its parameters go with it (attempts is not changed here). */
static const char sql_retry[] =
    "UPDATE outbox SET status = IF(attempts >= ?, 'failed', 'pending'), "
    "params = IF(attempts >= ?, NULL, params), "
    "next_attempt_at = UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND, locked_until = NULL, "
    "last_error = ? WHERE id = ? AND status = 'sending' AND attempts = ?";

/* The server could not be reached: never 'failed' for that. */
static const char sql_retry_down[] =
    "UPDATE outbox SET status = 'pending', next_attempt_at = UTC_TIMESTAMP(3) + INTERVAL ? "
    "MICROSECOND, locked_until = NULL, last_error = ? "
    "WHERE id = ? AND status = 'sending' AND attempts = ?";

static const char sql_give_up[] =
    "UPDATE outbox SET status = 'failed', locked_until = NULL, last_error = ?, params = NULL "
    "WHERE id = ? AND status = 'sending' AND attempts = ?";

/* Shutdown mid-send: hand the row back without counting the attempt. */
static const char sql_release[] =
    "UPDATE outbox SET status = 'pending', locked_until = NULL, attempts = attempts - 1 "
    "WHERE id = ? AND status = 'sending' AND attempts = ?";

enum { R_KIND, R_RCPT, R_SUBJECT, R_TEXT, R_HTML, R_ATTEMPTS, R_PARAMS };

#define PROBE_MAX_MS 30000 /* longest wait between two tries of an unreachable server */

/* What one claimed row needs for its delivery and outcome. */
struct claim {
	long long id;
	long long attempts;
	const char *kind;
};

/* base · 2^(attempts-1), capped: 5 s, 10 s, 20 s, … 1 h with the defaults. */
static long long retry_delay_us(const struct worker_settings *s, long long attempts)
{
	long long ms = s->retry_base_ms, cap = s->retry_max_s * 1000LL;

	for (long long i = 1; i < attempts && ms < cap; i++)
		ms *= 2;
	return (ms < cap ? ms : cap) * 1000;
}

/* Claim row id for this worker. True only if this call won it. */
static bool claim_row(struct worker *w, long long id)
{
	struct bm_dbp p[] = {BM_DB_INT(w->set.lock_s), BM_DB_INT(id)};
	struct bm_dbres *res = NULL;
	bool won;

	if (bm_db_run(w->db, sql_claim, p, 2, &res))
		return false;
	won = res->affected == 1;
	bm_dbres_free(res);
	return won;
}

static void mark_sent(struct worker *w, const struct claim *c)
{
	struct bm_dbp p[] = {BM_DB_INT(c->id)};

	/* The mail is out: keep trying briefly so the row does not go out twice. */
	for (int i = 0; i < 5; i++) {
		if (bm_db_run(w->db, sql_sent, p, 1, NULL) == BM_OK) {
			bm_log(BM_LOG_INFO, NULL, "mail %lld kind=%s: sent (attempt %lld)", c->id,
			       c->kind, c->attempts);
			return;
		}
		usleep(200 * 1000);
	}
	bm_log(BM_LOG_ERROR, NULL,
	       "mail %lld kind=%s: sent, but could not be marked sent; it will be sent again "
	       "after its lock expires",
	       c->id, c->kind);
}

static void mark_retry(struct worker *w, const struct claim *c, const char *why, bool down)
{
	long long delay = retry_delay_us(&w->set, c->attempts);
	struct bm_dbp p[] = {BM_DB_INT(w->set.max_attempts),
	                     BM_DB_INT(w->set.max_attempts),
	                     BM_DB_INT(delay),
	                     BM_DB_STR(why),
	                     BM_DB_INT(c->id),
	                     BM_DB_INT(c->attempts)};
	bool last = !down && c->attempts >= w->set.max_attempts;
	enum bm_err e = down ? bm_db_run(w->db, sql_retry_down, p + 2, 4, NULL)
	                     : bm_db_run(w->db, sql_retry, p, 6, NULL);

	if (e) {
		bm_log(BM_LOG_WARN, NULL, "mail %lld kind=%s: failed (%s), outcome not recorded",
		       c->id, c->kind, why);
		return;
	}
	if (last)
		bm_log(BM_LOG_ERROR, NULL,
		       "mail %lld kind=%s: failed (%s), giving up after %lld "
		       "attempts",
		       c->id, c->kind, why, c->attempts);
	else
		bm_log(BM_LOG_WARN, NULL,
		       "mail %lld kind=%s: failed (%s), attempt %lld, retry in "
		       "%lld ms",
		       c->id, c->kind, why, c->attempts, delay / 1000);
}

static void mark_invalid(struct worker *w, const struct claim *c, const char *why)
{
	struct bm_dbp p[] = {BM_DB_STR(why), BM_DB_INT(c->id), BM_DB_INT(c->attempts)};

	if (bm_db_run(w->db, sql_give_up, p, 3, NULL) == BM_OK)
		bm_log(BM_LOG_ERROR, NULL, "mail %lld kind=%s: failed (%s), not retried", c->id,
		       c->kind, why);
}

static void release(struct worker *w, const struct claim *c)
{
	struct bm_dbp p[] = {BM_DB_INT(c->id), BM_DB_INT(c->attempts)};

	if (bm_db_run(w->db, sql_release, p, 2, NULL) == BM_OK)
		bm_log(BM_LOG_INFO, NULL, "mail %lld kind=%s: send abandoned (shutdown), released",
		       c->id, c->kind);
}

/*
 * The subject and bodies of a claimed row into m: the stored ones, or those
 * rendered from its parameters into *r (freed by the caller). False when
 * the row was marked (failed, or retried after running out of memory).
 */
static bool content(struct worker *w, const struct claim *c, const struct bm_dbres *row,
                    struct mime_mail *m, struct bm_mail *r)
{
	const char *params = bm_dbres_get(row, 0, R_PARAMS);
	char why[200];
	enum bm_err e;

	if (!params) {
		m->subject = bm_dbres_get(row, 0, R_SUBJECT);
		m->text = bm_dbres_get(row, 0, R_TEXT);
		m->html = bm_dbres_get(row, 0, R_HTML);
		if (m->subject && m->text)
			return true;
		mark_invalid(w, c, "neither a body nor parameters");
		return false;
	}
	if ((e = bm_mail_render(&w->ctx, c->kind, params, r, why, sizeof why))) {
		if (e == BM_E_NOMEM)
			mark_retry(w, c, "out of memory", false);
		else
			mark_invalid(w, c, why);
		return false;
	}
	m->subject = r->subject;
	m->text = r->text;
	m->html = r->html;
	return true;
}

/* Build and send one claimed row and record the outcome. Returns the SMTP result. */
static enum smtp_result deliver(struct worker *w, struct claim *c, const struct bm_dbres *row)
{
	const char *rcpt = bm_dbres_get(row, 0, R_RCPT);
	struct mime_mail m = {
	    .id = c->id,
	    .from = w->cfg.mail_from,
	    .to = rcpt,
	    .date = time(NULL),
	};
	struct bm_mail rendered = {0};
	enum smtp_result r = SMTP_FAILED;
	char why[200], *msg = NULL;
	size_t len;
	enum bm_err e;

	if (!rcpt || !mime_address_ok(rcpt)) {
		mark_invalid(w, c, "invalid recipient address");
		goto out;
	}
	if (!content(w, c, row, &m, &rendered))
		goto out;
	if ((e = mime_build(&m, &msg, &len))) {
		mark_retry(w, c, e == BM_E_NOMEM ? "out of memory" : "cannot build the message",
		           false);
		goto out;
	}
	r = smtp_send(w->smtp, rcpt, msg, len, why, sizeof why);
	switch (r) {
	case SMTP_SENT: mark_sent(w, c); break;
	case SMTP_ABORTED: release(w, c); break;
	case SMTP_FAILED: mark_retry(w, c, why, false); break;
	case SMTP_SERVER_DOWN: mark_retry(w, c, why, true); break;
	}
out:
	free(msg);
	bm_mail_free(&rendered);
	return r;
}

/* After an unreachable server: wait base, 2·base, … PROBE_MAX_MS before the next try. */
static void smtp_down(struct worker *w)
{
	long long ms = w->set.retry_base_ms;

	for (long i = 1; i < w->smtp_down && ms < PROBE_MAX_MS; i++)
		ms *= 2;
	if (ms > PROBE_MAX_MS)
		ms = PROBE_MAX_MS;
	if (w->smtp_down++ == 0)
		bm_log(BM_LOG_WARN, NULL, "smtp server unreachable: mail waits");
	w->smtp_probe_at_ms = worker_mono_ms() + ms;
}

/* Claim, read and deliver one row. False when the pass should stop (server down, shutdown). */
static bool process(struct worker *w, long long id)
{
	struct bm_dbp p[] = {BM_DB_INT(id)};
	struct bm_dbres *row = NULL;
	struct claim c = {.id = id};
	const char *attempts;
	enum smtp_result r;
	bool go_on = true;

	if (!claim_row(w, id))
		return true; /* another worker has it, or it is no longer due */
	if (bm_db_run(w->db, sql_row, p, 1, &row) || row->nrows != 1)
		goto out; /* its lock will expire and it is claimed again */
	c.kind = bm_dbres_get(row, 0, R_KIND);
	attempts = bm_dbres_get(row, 0, R_ATTEMPTS);
	if (!c.kind || !attempts)
		goto out;
	c.attempts = strtoll(attempts, NULL, 10);
	r = deliver(w, &c, row);
	if (r == SMTP_SERVER_DOWN) {
		smtp_down(w);
	} else if (r != SMTP_ABORTED && w->smtp_down) {
		bm_log(BM_LOG_INFO, NULL, "smtp server reachable again");
		w->smtp_down = 0;
	}
	go_on = r != SMTP_SERVER_DOWN && r != SMTP_ABORTED;
out:
	bm_dbres_free(row);
	return go_on;
}

bool outbox_run(struct worker *w)
{
	struct bm_dbp p[] = {BM_DB_INT(w->set.batch)};
	struct bm_dbres *due = NULL;
	bool full = false;

	if (w->smtp_down && worker_mono_ms() < w->smtp_probe_at_ms)
		return false;
	if (bm_db_run(w->db, sql_due, p, 1, &due))
		return false;
	for (size_t i = 0; i < due->nrows; i++) {
		if (worker_stop_requested(w))
			goto out;
		if (!process(w, strtoll(bm_dbres_get(due, i, 0), NULL, 10)))
			goto out;
	}
	full = due->nrows == (size_t)w->set.batch;
out:
	bm_dbres_free(due);
	return full;
}
