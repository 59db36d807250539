// SPDX-License-Identifier: MIT
/*
 * retention: the end of the retention period (KVKK, Law 6698 art. 7;
 * security.md "Data protection"; migration 0017).
 *
 * An application closed for BIMER_RETENTION_DAYS (with no appeal pending),
 * or expired unverified for BIMER_RETENTION_EXPIRED_DAYS (D7: it was never
 * received, D5, so nothing in it is needed for long), is anonymised in one
 * transaction, under its row lock:
 *   - the applicant's ID number (both columns), names, e-mail, phone and
 *     address, the tracking code's hash and the idempotency key go; the
 *     subject and the text become a fixed sentence;
 *   - every event's note and data are blanked, their digests kept beside
 *     them so the hash chain still verifies (hash version 2; rows of
 *     version 1 cannot be, and are counted instead);
 *   - the appeals' reasons and decisions and BEDK's information requests and
 *     their answers become the same sentence; the appeal copies, the mails,
 *     the verification links and the attachment rows are deleted, and the
 *     attachments' files are queued for removal;
 *   - an `anonymised` event is appended and a data_destructions row records
 *     what was destroyed, on what basis.
 * What the statistics need stays: type, category, channel, province,
 * institutions, times, status, outcome and reason code.
 *
 * An attachment that no application or appeal claimed within
 * BIMER_ATTACHMENT_UNCLAIMED_HOURS of its upload is deleted, recorded the
 * same way, and its file queued.
 *
 * A queued file is removed once no attachment row names its content, under
 * a MariaDB lock on that content that the upload takes too (attachments.c
 * in the submission service), so an upload of the same bytes racing the
 * removal never ends with a row whose file is gone. A crash between the
 * commit and the unlink leaves the queue row, and the next pass finishes.
 * An upload queues its content too, before it writes the file: a file whose
 * row never came (a failed insert, a dead service) is removed the same way,
 * as are a dead writer's partial copies.
 *
 * Paced by BIMER_RETENTION_SWEEP_MS (0: off), at once again while a pass is
 * full; pages through its candidates by id like the deadline sweeps.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bm_attach.h"
#include "bm_crypto.h"
#include "bm_db.h"
#include "bm_event.h"
#include "bm_log.h"
#include "worker.h"

/* What a destroyed text becomes (the columns cannot be empty). */
static const char placeholder[] =
    "Saklama süresi sona erdiği için bu metin kişisel verilerin korunması amacıyla "
    "anonimleştirilmiştir.";

#define CLOSED_STATUSES "('answered', 'not_processed', 'cancelled', 'deemed_rejected', 'expired')"
/* Parameters: the days of BIMER_RETENTION_DAYS, then of BIMER_RETENTION_EXPIRED_DAYS. */
#define DUE_WHERE                                                                                  \
	"a.anonymised_at IS NULL AND a.status IN " CLOSED_STATUSES " AND ((a.status <> 'expired' " \
	"AND a.closed_at < UTC_TIMESTAMP(3) - INTERVAL ? DAY) OR (a.status = 'expired' "           \
	"AND a.closed_at < UTC_TIMESTAMP(3) - INTERVAL ? DAY)) AND NOT EXISTS (SELECT 1 "          \
	"FROM appeals x WHERE x.open_application_id = a.id)"

static const char sql_due[] =
    "SELECT a.id FROM applications a WHERE " DUE_WHERE " AND a.id > ? ORDER BY a.id LIMIT ?";
static const char sql_lock[] = "SELECT a.application_no, DATE_FORMAT(a.closed_at, "
                               "'%Y-%m-%d %H:%i:%s.%f'), a.status = 'expired' "
                               "FROM applications a WHERE a.id = ? AND " DUE_WHERE " FOR UPDATE";
/* Version-1 events keep their texts (their hash covers them): counted in the record. */
static const char sql_v1_texts[] =
    "SELECT COUNT(*) FROM application_events WHERE application_id = ? AND "
    "hash_version = 1 AND (note IS NOT NULL OR data IS NOT NULL)";
static const char sql_application[] =
    "UPDATE applications SET anonymised_at = UTC_TIMESTAMP(3), tracking_hash = NULL, "
    "idempotency_key = NULL, request_hash = NULL, applicant_tckn_enc = NULL, "
    "applicant_tckn_hmac = NULL, applicant_first_name = NULL, applicant_last_name = NULL, "
    "applicant_email = NULL, applicant_phone = NULL, applicant_address = NULL, "
    "subject = ?, body = ? WHERE id = ? AND anonymised_at IS NULL";
/* The digests first: MariaDB assigns left to right, so note and data are still there. */
static const char sql_events[] =
    "UPDATE application_events SET "
    "note_sha256 = IF(note IS NULL, note_sha256, UNHEX(SHA2(note, 256))), "
    "data_sha256 = IF(data IS NULL, data_sha256, UNHEX(SHA2(data, 256))), "
    "note = NULL, data = NULL WHERE application_id = ? AND hash_version = 2 "
    "AND (note IS NOT NULL OR data IS NOT NULL)";
static const char sql_appeals[] =
    "UPDATE appeals SET reason = ?, decision_text = IF(decision_text IS NULL, NULL, ?), "
    "idempotency_key = NULL, request_hash = NULL WHERE application_id = ?";
static const char sql_info_requests[] =
    "UPDATE appeal_information_requests SET text = ?, "
    "answer_text = IF(answer_text IS NULL, NULL, ?) "
    "WHERE appeal_id IN (SELECT id FROM appeals WHERE application_id = ?)";
static const char sql_copies[] = "DELETE FROM appeal_copies WHERE appeal_id IN (SELECT id FROM "
                                 "appeals WHERE application_id = ?)";
static const char sql_queue_files[] =
    "INSERT IGNORE INTO attachment_file_removals (sha256) SELECT DISTINCT t.sha256 "
    "FROM attachments t WHERE t.application_id = ? OR t.appeal_id IN "
    "(SELECT id FROM appeals WHERE application_id = ?)";
static const char sql_attachments[] =
    "DELETE FROM attachments WHERE application_id = ? OR appeal_id IN "
    "(SELECT id FROM appeals WHERE application_id = ?)";
static const char sql_outbox[] = "DELETE FROM outbox WHERE application_id = ?";
static const char sql_tokens[] = "DELETE FROM verification_tokens WHERE application_id = ?";
static const char sql_record[] =
    "INSERT INTO data_destructions (application_id, application_no, method, basis_at, "
    "retention, detail) VALUES (?, ?, 'anonymised', ?, ?, ?)";

/* Attachments never claimed, oldest first; each deleted under its row lock. */
static const char sql_unclaimed[] =
    "SELECT id FROM attachments WHERE claimed_at IS NULL "
    "AND created_at < UTC_TIMESTAMP(3) - INTERVAL ? HOUR ORDER BY created_at, id LIMIT ?";
static const char sql_unclaimed_lock[] =
    "SELECT DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s.%f'), size, content_type "
    "FROM attachments WHERE id = ? AND claimed_at IS NULL "
    "AND created_at < UTC_TIMESTAMP(3) - INTERVAL ? HOUR FOR UPDATE";
static const char sql_unclaimed_queue[] =
    "INSERT IGNORE INTO attachment_file_removals (sha256) SELECT sha256 FROM attachments "
    "WHERE id = ?";
static const char sql_unclaimed_delete[] = "DELETE FROM attachments WHERE id = ?";
static const char sql_unclaimed_record[] =
    "INSERT INTO data_destructions (attachment_id, method, basis_at, retention, detail) "
    "VALUES (?, 'deleted', ?, ?, ?)";

static const char sql_files[] =
    "SELECT sha256 FROM attachment_file_removals ORDER BY queued_at, sha256 LIMIT ?";
static const char sql_file_refs[] = "SELECT COUNT(*) FROM attachments WHERE sha256 = ?";
static const char sql_file_done[] = "DELETE FROM attachment_file_removals WHERE sha256 = ?";

static long long col_int(const struct bm_dbres *r, size_t col)
{
	const char *v = bm_dbres_get(r, 0, col);
	return v ? strtoll(v, NULL, 10) : 0;
}

/* What the destruction record counts, from the affected rows of the steps. */
enum { N_EVENTS, N_MAILS, N_ATTACHMENTS, N_APPEALS, N__COUNT };

/*
 * The steps of an anonymisation, in this order (the copies name attachments, whose
 * files are queued before their rows go). A step's parameters are the placeholder
 * twice and then the id (texts), or the id in each; the application's own row must
 * change (one); counted names the count its affected rows are, or is -1.
 */
static const struct destroy_step {
	const char *sql;
	size_t params;
	bool texts, one;
	int counted;
} destroy_steps[] = {{sql_application, 3, true, true, -1},
                     {sql_appeals, 3, true, false, N_APPEALS},
                     {sql_info_requests, 3, true, false, -1},
                     {sql_events, 1, false, false, N_EVENTS},
                     {sql_copies, 1, false, false, -1},
                     {sql_queue_files, 2, false, false, -1},
                     {sql_attachments, 2, false, false, N_ATTACHMENTS},
                     {sql_outbox, 1, false, false, N_MAILS},
                     {sql_tokens, 1, false, false, -1}};

static enum bm_err run_step(struct bm_db *db, const struct destroy_step *s, long long id,
                            long long counts[N__COUNT])
{
	struct bm_dbp p[3];
	struct bm_dbres *res = NULL;
	for (size_t i = 0; i < s->params; i++)
		p[i] = s->texts && i < 2 ? BM_DB_STR(placeholder) : BM_DB_INT(id);
	enum bm_err e = bm_db_run(db, s->sql, p, s->params, &res);
	if (!e && s->one && res->affected != 1)
		e = BM_E_CONFLICT;
	if (!e && s->counted >= 0)
		counts[s->counted] = (long long)res->affected;
	bm_dbres_free(res);
	return e;
}

/* Everything but the event and the record, inside the caller's transaction. */
static enum bm_err destroy(struct bm_db *db, long long id, long long counts[N__COUNT])
{
	enum bm_err e = BM_OK;
	for (size_t i = 0; !e && i < sizeof destroy_steps / sizeof *destroy_steps; i++)
		e = run_step(db, &destroy_steps[i], id, counts);
	return e;
}

/* Anonymise one application, if it is still due, with its event and its record. */
static void anonymise_one(struct worker *w, long long id)
{
	struct bm_dbp due[] = {BM_DB_INT(id), BM_DB_INT(w->set.retention_days),
	                       BM_DB_INT(w->set.retention_expired_days)};
	struct bm_dbp one[] = {BM_DB_INT(id)};
	struct bm_dbres *app = NULL, *v1 = NULL;
	long long n[N__COUNT] = {0};
	char detail[512], data[64], period[16];
	enum bm_err e;

	if (bm_db_begin(w->db))
		return;
	if ((e = bm_db_run(w->db, sql_lock, due, 3, &app)) || app->nrows != 1)
		goto out; /* no longer due: anonymised, reopened or appealed meanwhile */
	long days = col_int(app, 2) ? w->set.retention_expired_days : w->set.retention_days;
	if ((e = bm_db_run(w->db, sql_v1_texts, one, 1, &v1)) || (e = destroy(w->db, id, n)))
		goto out;
	snprintf(detail, sizeof detail,
	         "{\"fields\":[\"applicant_tckn\",\"applicant_name\",\"applicant_email\","
	         "\"applicant_phone\",\"applicant_address\",\"tracking_code\",\"idempotency_key\","
	         "\"subject\",\"body\"],\"events_redacted\":%lld,\"events_not_redactable\":%lld,"
	         "\"mails_deleted\":%lld,\"attachments_deleted\":%lld,\"appeals_redacted\":%lld}",
	         n[N_EVENTS], col_int(v1, 0), n[N_MAILS], n[N_ATTACHMENTS], n[N_APPEALS]);
	snprintf(data, sizeof data, "{\"retention_days\":%ld}", days);
	const struct bm_event ev = {.application_id = id, .kind = "anonymised", .data = data};
	char basis[32];
	snprintf(basis, sizeof basis, "%.23s", bm_dbres_get(app, 0, 1));
	snprintf(period, sizeof period, "P%ldD", days);
	struct bm_dbp rec[] = {BM_DB_INT(id), BM_DB_STR(bm_dbres_get(app, 0, 0)), BM_DB_STR(basis),
	                       BM_DB_STR(period), BM_DB_STR(detail)};
	if ((e = bm_event_append(w->db, &ev)) || (e = bm_db_run(w->db, sql_record, rec, 5, NULL)) ||
	    (e = bm_db_commit(w->db)))
		goto out;
	bm_log(BM_LOG_INFO, NULL, "application %lld: anonymised after %ld days of retention", id,
	       days);
	bm_dbres_free(app);
	bm_dbres_free(v1);
	return;
out:
	bm_db_rollback(w->db);
	if (e)
		bm_log(BM_LOG_WARN, NULL,
		       "application %lld: anonymisation failed (%s), retried later", id,
		       bm_err_code(e));
	bm_dbres_free(app);
	bm_dbres_free(v1);
}

/* Delete one attachment still unclaimed past its time, with its record; queue its file. */
static void delete_unclaimed(struct worker *w, const char *id)
{
	struct bm_dbp due[] = {BM_DB_STR(id), BM_DB_INT(w->set.unclaimed_hours)};
	struct bm_dbp one[] = {BM_DB_STR(id)};
	struct bm_dbres *att = NULL;
	char basis[32], period[16], detail[160];
	enum bm_err e;

	if (bm_db_begin(w->db))
		return;
	if ((e = bm_db_run(w->db, sql_unclaimed_lock, due, 2, &att)) || att->nrows != 1)
		goto out; /* claimed (or deleted) meanwhile */
	snprintf(basis, sizeof basis, "%.23s", bm_dbres_get(att, 0, 0));
	snprintf(period, sizeof period, "PT%ldH", w->set.unclaimed_hours);
	snprintf(detail, sizeof detail, "{\"size\":%lld,\"content_type\":\"%s\"}", col_int(att, 1),
	         bm_dbres_get(att, 0, 2));
	struct bm_dbp rec[] = {BM_DB_STR(id), BM_DB_STR(basis), BM_DB_STR(period),
	                       BM_DB_STR(detail)};
	if ((e = bm_db_run(w->db, sql_unclaimed_queue, one, 1, NULL)) ||
	    (e = bm_db_run(w->db, sql_unclaimed_delete, one, 1, NULL)) ||
	    (e = bm_db_run(w->db, sql_unclaimed_record, rec, 4, NULL)) || (e = bm_db_commit(w->db)))
		goto out;
	bm_log(BM_LOG_INFO, NULL, "attachment %.8s…: deleted, never claimed in %ld hours", id,
	       w->set.unclaimed_hours);
	bm_dbres_free(att);
	return;
out:
	bm_db_rollback(w->db);
	if (e)
		bm_log(BM_LOG_WARN, NULL,
		       "an unclaimed attachment: deletion failed (%s), retried later",
		       bm_err_code(e));
	bm_dbres_free(att);
}

/* One pass over the attachments never claimed. True when the batch was full. */
static bool unclaimed_run(struct worker *w)
{
	struct bm_dbp p[] = {BM_DB_INT(w->set.unclaimed_hours), BM_DB_INT(w->set.batch)};
	struct bm_dbres *q = NULL;
	bool full;

	if (bm_db_run(w->db, sql_unclaimed, p, 2, &q))
		return false;
	for (size_t i = 0; i < q->nrows && !worker_stop_requested(w); i++)
		delete_unclaimed(w, bm_dbres_get(q, i, 0));
	full = q->nrows == (size_t)w->set.batch;
	bm_dbres_free(q);
	return full;
}

/* The stored file of a content digest: <dir>/ab/cd/<hex> (attachments.c). */
static bool file_path(const struct worker *w, const char hex[65], char *out, size_t cap)
{
	int n = snprintf(out, cap, "%s/%.2s/%.2s/%s", w->cfg.attachment_dir, hex, hex + 2, hex);
	return n > 0 && (size_t)n < cap;
}

/*
 * The temporary files of this content (<hex>.tmp.XXXXXX beside it, attachments.c)
 * that a writer left when it died: under the content's lock no writer is at work.
 */
static void remove_leftovers(const char *path, const char *hex)
{
	char dir[4200], prefix[80];
	const char *slash = strrchr(path, '/');
	DIR *d;

	snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
	snprintf(prefix, sizeof prefix, "%s.tmp.", hex);
	if (!(d = opendir(dir)))
		return; /* no directory: nothing was ever written there */
	for (struct dirent *de; (de = readdir(d));)
		if (!strncmp(de->d_name, prefix, strlen(prefix)) &&
		    !unlinkat(dirfd(d), de->d_name, 0))
			bm_log(BM_LOG_INFO, NULL, "attachment file %.12s: a partial copy removed",
			       hex);
	closedir(d);
}

/*
 * Settle one queued content: its file is removed unless an attachment row
 * names the content (again, or by now: an upload queues its content before
 * it writes the file), and its dead writers' partial copies in any case.
 */
static void remove_file(struct worker *w, const unsigned char sha[32])
{
	char hex[65], lock[BM_ATTACH_LOCK_LEN], path[4200];
	struct bm_dbres *got = NULL, *refs = NULL;
	struct bm_dbp key[] = {BM_DB_BLOB(sha, 32)};

	bm_hex(sha, 32, hex);
	bm_attach_lock_name(hex, lock);
	struct bm_dbp name[] = {BM_DB_STR(lock)};
	if (bm_db_run(w->db, BM_ATTACH_SQL_LOCK_BRIEF, name, 1, &got) || got->nrows != 1 ||
	    col_int(got, 0) != 1) {
		bm_log(BM_LOG_INFO, NULL, "attachment file %.12s: in use, retried later", hex);
		goto out;
	}
	if (bm_db_run(w->db, sql_file_refs, key, 1, &refs) || refs->nrows != 1 ||
	    !file_path(w, hex, path, sizeof path))
		goto unlock;
	remove_leftovers(path, hex);
	if (col_int(refs, 0) == 0) {
		if (!unlink(path))
			bm_log(BM_LOG_INFO, NULL, "attachment file %.12s: removed", hex);
		else if (errno != ENOENT) { /* gone already: an upload's file never written */
			bm_log(BM_LOG_WARN, NULL, "attachment file %.12s: not removed (%s)", hex,
			       strerror(errno));
			goto unlock;
		}
	}
	(void)bm_db_run(w->db, sql_file_done, key, 1, NULL);
unlock:
	(void)bm_db_run(w->db, BM_ATTACH_SQL_UNLOCK, name, 1, NULL);
out:
	bm_dbres_free(got);
	bm_dbres_free(refs);
}

/* One pass over the queued files. True when the batch was full. */
static bool files_run(struct worker *w)
{
	struct bm_dbp p[] = {BM_DB_INT(w->set.batch)};
	struct bm_dbres *q = NULL;
	bool full;

	if (bm_db_run(w->db, sql_files, p, 1, &q))
		return false;
	for (size_t i = 0; i < q->nrows && !worker_stop_requested(w); i++)
		if (q->lens[i * q->ncols] == 32)
			remove_file(w, (const unsigned char *)bm_dbres_get(q, i, 0));
	full = q->nrows == (size_t)w->set.batch;
	bm_dbres_free(q);
	return full;
}

bool retention_run(struct worker *w)
{
	long long now = worker_mono_ms();
	struct bm_dbp p[4] = {BM_DB_INT(w->set.retention_days),
	                      BM_DB_INT(w->set.retention_expired_days)};
	bool more;

	if (w->set.retention_sweep_ms == 0 || (!w->retention_more && now < w->retention_at_ms))
		return false;
	w->retention_at_ms = now + w->set.retention_sweep_ms;
	more = sweep_ids(w, &w->retention_cur, sql_due, p, 4, anonymise_one);
	if (!worker_stop_requested(w))
		more |= unclaimed_run(w);
	if (!worker_stop_requested(w))
		more |= files_run(w);
	w->retention_more = more;
	return more;
}
