// SPDX-License-Identifier: MIT
/*
 * Filing an appeal to BEDK: POST /api/v1/appeals (the citizen, online) and
 * POST /api/v1/appeals/staff (an operator keying in an appeal that came on
 * paper). rules.md A1-A4; the checks, in the order they answer:
 *
 *   staff only: by e-mail or fax           → 422 BEDK_EMAIL_FAX (A3: not processed)
 *   no application with this number and
 *   ID number                              → 404 APPLICATION_NOT_FOUND, the same
 *                                            answer as the status look-up, and
 *                                            counted against the same miss limits
 *   not a refused or deemed rejected
 *   information request (A1)               → 422 BEDK_NOT_ELIGIBLE
 *   an appeal open, or one already filed
 *   against this same refusal              → 422 BEDK_ALREADY_APPEALED
 *   after the window (A2, window.h)        → 422 BEDK_LATE
 *   staff only: without the scanned copies
 *   of the application and of the answer   → 422 BEDK_MISSING_COPIES
 *   an attachment unknown or already used  → 422 VALIDATION_FAILED, errors[]
 *
 * BEDK_ALREADY_APPEALED is a 422 like the other refusals of the appeal (the
 * citizen's request breaks a rule; nothing about the appeal's own state is in
 * question), so a client handles every refusal of A1-A3 the same way.
 *
 * Everything is one transaction that starts by locking the application row,
 * so two filings for one application are serialised; UNIQUE keys on the
 * appeals table are the last guard. It writes the appeal, the generated copies
 * of the application and the answer (copies.h), the claims of the
 * attachments, the appeal_filed event on the application's chain and the
 * citizen's mail. "Now" is the request's clock (bm_req_now), so the windows
 * are testable on chosen dates. An Idempotency-Key makes a retry answer the
 * first appeal again (checked under the application's lock, so concurrent
 * retries get the same answer); the request's fingerprint is an HMAC, since
 * the body holds an ID number.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appeal.h"
#include "bm_cache.h"
#include "bm_crypto.h"
#include "bm_deadline.h"
#include "bm_log.h"
#include "bm_notify.h"
#include "bm_req.h"
#include "bm_validators.h"
#include "claim.h"
#include "copies.h"
#include "handlers.h"
#include "mail.h"
#include "settings.h"
#include "window.h"

static const char *const staff_channels[] = {"letter", "in_person", "email", "fax", NULL};

static const struct bm_field attachment_id_field = {
    .type = BM_FT_STRING, .min = 8, .max = 64, .pattern = BM_TOKEN_PATTERN};

static const struct bm_field copies_fields[] = {{.name = "application",
                                                 .type = BM_FT_STRING,
                                                 .flags = BM_FF_NULLABLE,
                                                 .min = 8,
                                                 .max = 64,
                                                 .pattern = BM_TOKEN_PATTERN},
                                                {.name = "answer",
                                                 .type = BM_FT_STRING,
                                                 .flags = BM_FF_NULLABLE,
                                                 .min = 8,
                                                 .max = 64,
                                                 .pattern = BM_TOKEN_PATTERN},
                                                {0}};

#define REASON_FIELD                                                                               \
	{                                                                                          \
		.name = "reason", .type = BM_FT_STRING, .flags = BM_FF_REQUIRED | BM_FF_MULTILINE, \
		.min = 10, .max = 20000                                                            \
	}

const struct bm_field appeal_create_fields[] = {BM_FIELD_APPLICATION_NO(BM_FF_REQUIRED),
                                                BM_FIELD_TCKN(BM_FF_REQUIRED),
                                                REASON_FIELD,
                                                {.name = "attachment_ids",
                                                 .type = BM_FT_ARRAY,
                                                 .flags = BM_FF_REQUIRED,
                                                 .min = 0,
                                                 .max = 10,
                                                 .sub = &attachment_id_field},
                                                {0}};

const struct bm_field staff_appeal_create_fields[] = {
    BM_FIELD_APPLICATION_NO(BM_FF_REQUIRED),
    BM_FIELD_TCKN(BM_FF_NULLABLE),
    {.name = "channel",
     .type = BM_FT_STRING,
     .flags = BM_FF_REQUIRED,
     .min = 1,
     .max = 16,
     .enumv = staff_channels},
    REASON_FIELD,
    {.name = "copies", .type = BM_FT_OBJECT, .flags = BM_FF_NULLABLE, .sub = copies_fields},
    {.name = "attachment_ids",
     .type = BM_FT_ARRAY,
     .flags = BM_FF_NULLABLE,
     .min = 0,
     .max = 10,
     .sub = &attachment_id_field},
    {0}};

#define APP_COLUMNS                                                                                \
	"SELECT id, application_no, type, status, outcome, reason_code, "                          \
	"assigned_institution_code, applicant_email, applicant_first_name, applicant_last_name, "  \
	"FLOOR(UNIX_TIMESTAMP(received_at)), FLOOR(UNIX_TIMESTAMP(answered_at)), "                 \
	"FLOOR(UNIX_TIMESTAMP(due_at)) FROM applications WHERE application_no = ? "

static const char sql_app_citizen[] = APP_COLUMNS "AND applicant_tckn_hmac = ? FOR UPDATE";
static const char sql_app_staff[] =
    APP_COLUMNS "AND (? IS NULL OR applicant_tckn_hmac = ?) FOR UPDATE";
static const char sql_by_key[] =
    "SELECT appeal_no, due_at, request_hash FROM appeals WHERE idempotency_key = ? "
    "LOCK IN SHARE MODE";
static const char sql_existing[] =
    "SELECT appeal_no FROM appeals WHERE application_id = ? "
    "AND (status = 'appeal_filed' OR refused_at = ?) LIMIT 1 FOR UPDATE";
/* The start of the current round after an accepted appeal (the worker's SWEEP_ROUND_START_AT). */
static const char sql_reopened[] =
    "SELECT FLOOR(UNIX_TIMESTAMP(at)) FROM application_events WHERE application_id = ? "
    "AND kind = 'reopened' ORDER BY id DESC LIMIT 1";
static const char sql_next_no[] = "SELECT NEXTVAL(appeal_no_seq)";
static const char sql_insert[] =
    "INSERT INTO appeals (appeal_no, application_id, channel, ground, refused_at, "
    "window_ends_at, reason, filed_at, filed_by_user_id, due_at, idempotency_key, request_hash) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_bedk[] =
    "SELECT code FROM institutions WHERE kind = 'bedk' AND active = 1 ORDER BY code LIMIT 1";

enum {
	A_ID,
	A_NO,
	A_TYPE,
	A_STATUS,
	A_OUTCOME,
	A_REASON,
	A_HOLDER,
	A_EMAIL,
	A_FIRST,
	A_LAST,
	A_RECEIVED,
	A_ANSWERED,
	A_DUE
};

/* One filing: what was asked, and what the transaction found and made. */
struct filing {
	bool staff;
	const char *no, *tckn, *reason, *channel, *key;
	const char *copy_application, *copy_answer;
	const json_t *ids;
	unsigned char mac[BM_HMAC_LEN]; /* HMAC of the ID number */
	unsigned char fingerprint[BM_HMAC_LEN];
	time_t now;
	char now_db[BM_TIME_ISO_LEN];
	/* results */
	bool miss; /* no application matched: counts as a look-up miss */
	char appeal_no[AP_APPEAL_NO_SIZE];
	char due_db[BM_TIME_ISO_LEN];
	char detail_tr[256], detail_en[256];
};

/* ---- inside the transaction ---------------------------------------------------- */

/* The Idempotency-Key seen before: the same request answers the first appeal, another one 422. */
static enum bm_err replay(struct bm_req *req, struct filing *f, bool *done, struct ap_outcome *o)
{
	struct bm_dbres *res = NULL;
	struct bm_dbp p[] = {BM_DB_STR(f->key)};
	enum bm_err e = bm_db_run(req->ctx->db, sql_by_key, p, 1, &res);

	*done = false;
	if (e || res->nrows == 0) {
		bm_dbres_free(res);
		return e;
	}
	*done = true;
	if (res->lens[2] == BM_HMAC_LEN &&
	    bm_ct_equal(bm_dbres_get(res, 0, 2), f->fingerprint, BM_HMAC_LEN)) {
		snprintf(f->appeal_no, sizeof f->appeal_no, "%s", bm_dbres_get(res, 0, 0));
		snprintf(f->due_db, sizeof f->due_db, "%s", bm_dbres_get(res, 0, 1));
		/* nothing new to commit: BM_OK commits an empty transaction */
		ap_verdict(o, BM_OK, NULL, NULL, NULL);
	} else {
		ap_field_error(req, "Idempotency-Key", "IDEMPOTENCY_KEY_REUSED", NULL, NULL);
		ap_verdict(o, BM_E_VALIDATION, "IDEMPOTENCY_KEY_REUSED",
		           "Bu Idempotency-Key başka bir istekle kullanılmış.",
		           "This Idempotency-Key was used with a different request.");
	}
	bm_dbres_free(res);
	return BM_OK;
}

static enum bm_err not_eligible(struct ap_outcome *o)
{
	return ap_verdict(
	    o, BM_E_VALIDATION, "BEDK_NOT_ELIGIBLE",
	    "Bilgi Edinme Değerlendirme Kurulu'na yalnızca reddedilen (olumsuz, kısmen olumlu ya "
	    "da BE_ gerekçesiyle işleme alınmayan) veya reddedilmiş sayılan bilgi edinme "
	    "başvuruları için itiraz edilebilir (4982 sayılı Kanun md. 13).",
	    "Only information requests that were refused (negative, partial, or not processed "
	    "under a BE_ code) or deemed rejected can be appealed to BEDK (Law 4982 art. 13).");
}

static enum bm_err already(struct ap_outcome *o)
{
	return ap_verdict(o, BM_E_VALIDATION, "BEDK_ALREADY_APPEALED",
	                  "Bu başvurunun reddine karşı daha önce itiraz edilmiştir; bir başvuru "
	                  "için aynı anda tek bir itiraz açık olabilir.",
	                  "This refusal has already been appealed; an application can have one "
	                  "open appeal at a time.");
}

static enum bm_err late(struct filing *f, time_t ends, struct ap_outcome *o)
{
	char until[32];
	time_t local = ends + 3 * 3600;
	struct tm tm;
	gmtime_r(&local, &tm);
	strftime(until, sizeof until, "%d.%m.%Y", &tm);
	int days = ap_settings()->window_days;
	snprintf(f->detail_tr, sizeof f->detail_tr,
	         "İtiraz süresi %s tarihinde sona ermiştir (4982 sayılı Kanun md. 13: %d gün).",
	         until, days);
	strftime(until, sizeof until, "%Y-%m-%d", &tm);
	snprintf(f->detail_en, sizeof f->detail_en,
	         "The period to appeal ended on %s (Law 4982 art. 13: %d days).", until, days);
	return ap_verdict(o, BM_E_VALIDATION, "BEDK_LATE", f->detail_tr, f->detail_en);
}

static enum bm_err missing_copies(struct ap_outcome *o)
{
	return ap_verdict(o, BM_E_VALIDATION, "BEDK_MISSING_COPIES",
	                  "Yazılı itiraza başvurunun ve kurumun cevabının örnekleri eklenmelidir "
	                  "(copies.application, copies.answer).",
	                  "A written appeal must carry copies of the application and of the "
	                  "institution's answer (copies.application, copies.answer).");
}

/* The dates A2 counts from (window.h); the round of a reopened application starts anew. */
static enum bm_err dates_of(struct bm_req *req, const struct bm_dbres *app, struct ap_dates *d)
{
	struct bm_dbres *res = NULL;
	struct bm_dbp p[] = {BM_DB_INT(ap_ll(bm_dbres_get(app, 0, A_ID)))};
	enum bm_err e = bm_db_run(req->ctx->db, sql_reopened, p, 1, &res);
	if (e)
		return e;
	time_t reopened = res->nrows ? (time_t)ap_ll(bm_dbres_get(res, 0, 0)) : 0;
	bm_dbres_free(res);
	d->answered = (time_t)ap_ll(bm_dbres_get(app, 0, A_ANSWERED));
	d->round_start = (time_t)ap_ll(bm_dbres_get(app, 0, A_RECEIVED));
	if (d->round_start && reopened > d->round_start)
		d->round_start = reopened;
	d->due = (time_t)ap_ll(bm_dbres_get(app, 0, A_DUE));
	return BM_OK;
}

/* A1, the one-appeal rule and A2; sets *refused_db and *ends on success (o untouched). */
static enum bm_err rules(struct bm_req *req, struct filing *f, const struct bm_dbres *app,
                         enum ap_ground *g, char refused_db[BM_TIME_ISO_LEN], time_t *ends,
                         struct ap_outcome *o)
{
	const struct bm_cal *cal;
	struct bm_dbres *res = NULL;
	struct ap_dates d = {0};
	time_t refused;
	enum bm_err e;

	*g = ap_ground_of(bm_dbres_get(app, 0, A_TYPE), bm_dbres_get(app, 0, A_STATUS),
	                  bm_dbres_get(app, 0, A_OUTCOME), bm_dbres_get(app, 0, A_REASON));
	if (*g == AP_GROUND_NONE)
		return not_eligible(o);
	if ((e = bm_deadline_calendar(req->ctx, &cal)) || (e = dates_of(req, app, &d)))
		return e;
	if (!ap_window(cal, *g, &d, req->ctx->cfg->deemed_days, ap_settings()->window_days,
	               &refused, ends))
		return not_eligible(o); /* a refusal without its dates cannot be counted */
	bm_time_to_db(refused, refused_db);
	struct bm_dbp p[] = {BM_DB_INT(ap_ll(bm_dbres_get(app, 0, A_ID))), BM_DB_STR(refused_db)};
	if ((e = bm_db_run(req->ctx->db, sql_existing, p, 2, &res)))
		return e;
	size_t n = res->nrows;
	bm_dbres_free(res);
	if (n)
		return already(o);
	if (f->now > *ends)
		return late(f, *ends, o);
	if (f->staff && (!f->copy_application || (*g != AP_GROUND_DEEMED && !f->copy_answer)))
		return missing_copies(o);
	ap_verdict(o, BM_OK, NULL, NULL, NULL);
	return BM_OK;
}

/* The next appeal id: the Istanbul year of filing and the running number. */
static enum bm_err next_no(struct bm_req *req, struct filing *f)
{
	struct bm_dbres *res = NULL;
	enum bm_err e = bm_db_run(req->ctx->db, sql_next_no, NULL, 0, &res);
	if (e)
		return e;
	long long seq = ap_ll(bm_dbres_get(res, 0, 0));
	bm_dbres_free(res);
	if (seq <= 0)
		return BM_E_INTERNAL;
	time_t local = f->now + 3 * 3600;
	struct tm tm;
	gmtime_r(&local, &tm);
	snprintf(f->appeal_no, sizeof f->appeal_no, "%04d-%06lld", tm.tm_year + 1900, seq);
	return BM_OK;
}

static enum bm_err insert(struct bm_req *req, struct filing *f, long long app_id, enum ap_ground g,
                          const char *refused_db, time_t ends, long long *appeal_id)
{
	struct bm_dbres *res = NULL;
	char ends_db[BM_TIME_ISO_LEN];
	bm_time_to_db(ends, ends_db);
	struct bm_dbp p[] = {BM_DB_STR(f->appeal_no),
	                     BM_DB_INT(app_id),
	                     BM_DB_STR(f->staff ? f->channel : "internet"),
	                     BM_DB_STR(ap_ground_name(g)),
	                     BM_DB_STR(refused_db),
	                     BM_DB_STR(ends_db),
	                     BM_DB_STR(f->reason),
	                     BM_DB_STR(f->now_db),
	                     f->staff && req->who.uid ? BM_DB_INT(req->who.uid) : BM_DB_NULL(),
	                     BM_DB_STR(f->due_db),
	                     f->key ? BM_DB_STR(f->key) : BM_DB_NULL(),
	                     f->key ? BM_DB_BLOB(f->fingerprint, BM_HMAC_LEN) : BM_DB_NULL()};
	enum bm_err e = bm_db_run(req->ctx->db, sql_insert, p, 12, &res);
	if (!e)
		*appeal_id = (long long)res->insert_id;
	bm_dbres_free(res);
	return e;
}

/* The copies (generated, and for staff the scanned ones) and every claimed attachment. */
static enum bm_err attach(struct bm_req *req, struct filing *f, long long appeal_id,
                          long long app_id, enum ap_ground g, bool *bad)
{
	enum bm_err e =
	    ap_copies_generate(req, appeal_id, app_id, g != AP_GROUND_DEEMED, f->now_db);
	if (!e && f->copy_application &&
	    !(e = ap_claim_one(req, appeal_id, 0, f->copy_application, "copies.application",
	                       bad)) &&
	    !*bad)
		e = ap_copies_attach(req, appeal_id, "application", f->copy_application);
	if (!e && f->copy_answer && !*bad &&
	    !(e = ap_claim_one(req, appeal_id, 0, f->copy_answer, "copies.answer", bad)) && !*bad)
		e = ap_copies_attach(req, appeal_id, "answer", f->copy_answer);
	if (!e && f->ids)
		e = ap_claim_list(req, appeal_id, 0, f->ids, "attachment_ids", bad);
	return e;
}

/* The event on the application's chain, to BEDK, so the timeline names the Board. */
static enum bm_err announce(struct bm_req *req, struct filing *f, long long app_id)
{
	struct bm_dbres *res = NULL;
	enum bm_err e = bm_db_run(req->ctx->db, sql_bedk, NULL, 0, &res);
	if (e)
		return e;
	const char *bedk = res->nrows ? bm_dbres_get(res, 0, 0) : NULL;
	e = ap_event(req, app_id, "appeal_filed", bedk,
	             json_pack("{s:s, s:s, s:o}", "appeal_id", f->appeal_no, "channel",
	                       f->staff ? f->channel : "internet", "due_at",
	                       bm_record_time(f->due_db)),
	             f->now_db);
	bm_dbres_free(res);
	return e;
}

static enum bm_err find_application(struct bm_req *req, struct filing *f, struct bm_dbres **app)
{
	if (f->staff) {
		struct bm_dbp p[] = {BM_DB_STR(f->no),
		                     f->tckn ? BM_DB_BLOB(f->mac, BM_HMAC_LEN) : BM_DB_NULL(),
		                     f->tckn ? BM_DB_BLOB(f->mac, BM_HMAC_LEN) : BM_DB_NULL()};
		return bm_db_run(req->ctx->db, sql_app_staff, p, 3, app);
	}
	struct bm_dbp p[] = {BM_DB_STR(f->no), BM_DB_BLOB(f->mac, BM_HMAC_LEN)};
	return bm_db_run(req->ctx->db, sql_app_citizen, p, 2, app);
}

static enum bm_err file_step(struct bm_req *req, void *arg, struct ap_outcome *o)
{
	struct filing *f = arg;
	struct bm_dbres *app = NULL;
	char refused_db[BM_TIME_ISO_LEN];
	enum ap_ground g;
	time_t ends = 0, due;
	long long appeal_id = 0;
	bool done = false, bad = false;
	enum bm_err e;

	f->miss = false;
	f->appeal_no[0] = f->due_db[0] = '\0';
	if ((e = find_application(req, f, &app)))
		goto out;
	if (app->nrows != 1) {
		f->miss = true;
		ap_verdict(o, BM_E_NOT_FOUND, "APPLICATION_NOT_FOUND",
		           "Bu bilgilerle eşleşen bir başvuru bulunamadı.",
		           "No application matches these details.");
		goto out;
	}
	if (f->key && ((e = replay(req, f, &done, o)) || done))
		goto out;
	if ((e = rules(req, f, app, &g, refused_db, &ends, o)) || o->e != BM_OK)
		goto out;
	long long app_id = ap_ll(bm_dbres_get(app, 0, A_ID));
	if ((e = ap_business_due(req->ctx, f->now, ap_settings()->decision_days, &due)) ||
	    (e = next_no(req, f)))
		goto out;
	bm_time_to_db(due, f->due_db);
	if ((e = insert(req, f, app_id, g, refused_db, ends, &appeal_id)) == BM_E_CONFLICT) {
		/* The UNIQUE keys decided: the same Idempotency-Key on another application's
		 * filing committed meanwhile, or an appeal of this refusal did. */
		e = f->key ? replay(req, f, &done, o) : BM_OK;
		if (!e && !done)
			e = already(o);
		goto out;
	}
	if (e || (e = attach(req, f, appeal_id, app_id, g, &bad)))
		goto out;
	if (bad) {
		ap_verdict(o, BM_E_VALIDATION, NULL, NULL, NULL);
		goto out;
	}
	const struct bm_notify_to to = {
	    app_id, bm_dbres_get(app, 0, A_NO), bm_dbres_get(app, 0, A_EMAIL),
	    bm_dbres_get(app, 0, A_FIRST), bm_dbres_get(app, 0, A_LAST)};
	if ((e = announce(req, f, app_id)) || (e = ap_mail_filed(req->ctx, &to, f->appeal_no, due)))
		goto out;
	ap_verdict(o, BM_OK, NULL, NULL, NULL);
out:
	bm_dbres_free(app);
	return e;
}

/* ---- the request ------------------------------------------------------------------ */

/* Misses count like status look-up misses (the same keys); a filing is a write: no Redis → 503. */
static bool over_limit(struct bm_req *req, const struct filing *f, enum bm_rl_mode mode)
{
	char ipk[96], idk[96];
	bm_limit_key_ip(req, "status", ipk, sizeof ipk);
	bm_limit_key_hash("status", f->mac, idk, sizeof idk);
	const struct bm_rl_key keys[] = {{ipk, &req->ctx->cfg->rl_status_ip},
	                                 {idk, &req->ctx->cfg->rl_status_id}};
	return bm_limit_or_reply(req, mode, keys, 2, true);
}

/* The field rules a table cannot say; false (answered 422) when one is broken. */
static bool cross_fields_or_reply(struct bm_req *req, struct filing *f)
{
	ap_claim_duplicates(req, f->ids, "attachment_ids");
	if (f->copy_application && f->copy_answer && !strcmp(f->copy_application, f->copy_answer))
		ap_field_error(req, "copies.answer", "DUPLICATE", NULL, NULL);
	for (size_t i = 0; i < json_array_size(f->ids); i++) {
		const char *id = json_string_value(json_array_get(f->ids, i));
		char field[48];
		snprintf(field, sizeof field, "attachment_ids[%zu]", i);
		if ((f->copy_application && !strcmp(id, f->copy_application)) ||
		    (f->copy_answer && !strcmp(id, f->copy_answer)))
			ap_field_error(req, field, "DUPLICATE", NULL, NULL);
	}
	if (f->key && !bm_json_matches(f->key, BM_IDEMPOTENCY_KEY_PATTERN))
		ap_field_error(req, "Idempotency-Key", "INVALID_FORMAT", NULL, NULL);
	if (!req->errs.n)
		return true;
	bm_reply_error(req, BM_E_VALIDATION);
	return false;
}

/* The fingerprint of the request: HMAC over its canonical JSON and the route (never a plain hash:
 * the body holds an ID number). */
static bool fingerprint(struct bm_req *req, struct filing *f)
{
	char *canon = json_dumps(req->json, JSON_COMPACT | JSON_SORT_KEYS);
	if (!canon)
		return false;
	size_t n = strlen(canon);
	char *salted = realloc(canon, n + 8);
	if (!salted) {
		free(canon);
		return false;
	}
	memcpy(salted + n, f->staff ? "|staff" : "|online", f->staff ? 7 : 8);
	bm_hmac(req->ctx->cfg->keys.hmac, salted, strlen(salted), f->fingerprint);
	free(salted);
	return true;
}

static void reply_created(struct bm_req *req, const struct filing *f)
{
	json_t *body = json_pack("{s:s, s:s, s:o}", "appeal_id", f->appeal_no, "status",
	                         "appeal_filed", "due_at", bm_record_time(f->due_db));
	bm_reply_json(req, 201, body, NULL);
}

static void file(struct bm_req *req, struct filing *f)
{
	struct ap_outcome o;

	f->ids = json_object_get(req->json, "attachment_ids");
	f->key = bm_req_env(req, "HTTP_IDEMPOTENCY_KEY");
	f->now = bm_req_now(req);
	bm_time_to_db(f->now, f->now_db);
	if (!cross_fields_or_reply(req, f))
		return;
	if (f->tckn)
		bm_hmac(req->ctx->cfg->keys.hmac, f->tckn, strlen(f->tckn), f->mac);
	if (!f->staff && over_limit(req, f, BM_RL_PEEK))
		return;
	if (!fingerprint(req, f)) {
		bm_reply_error(req, BM_E_NOMEM);
		return;
	}
	enum bm_err e = ap_tx(req, file_step, f, &o);
	if (e) {
		bm_reply_error(req, e);
	} else if (o.e != BM_OK) {
		if (f->miss && !f->staff && over_limit(req, f, BM_RL_HIT))
			return;
		ap_reply_outcome(req, &o);
	} else {
		bm_log(BM_LOG_INFO, req->req_id, "appeal %s filed (%s)", f->appeal_no,
		       f->staff ? f->channel : "internet");
		reply_created(req, f);
	}
}

void appeals_create(struct bm_req *req)
{
	struct filing f = {.staff = false,
	                   .no = bm_json_str(req->json, "application_no"),
	                   .tckn = bm_json_str(req->json, "tc_kimlik_no"),
	                   .reason = bm_json_str(req->json, "reason")};
	file(req, &f);
}

void appeals_create_staff(struct bm_req *req)
{
	const json_t *copies = json_object_get(req->json, "copies");
	struct filing f = {.staff = true,
	                   .no = bm_json_str(req->json, "application_no"),
	                   .tckn = bm_json_str(req->json, "tc_kimlik_no"),
	                   .reason = bm_json_str(req->json, "reason"),
	                   .channel = bm_json_str(req->json, "channel"),
	                   .copy_application = bm_json_str(copies, "application"),
	                   .copy_answer = bm_json_str(copies, "answer")};

	if (!strcmp(f.channel, "email") || !strcmp(f.channel, "fax")) {
		ap_reply_domain(
		    req, BM_E_VALIDATION, "BEDK_EMAIL_FAX",
		    "E-posta veya faksla yapılan itirazlar işleme alınmaz; itiraz yazılı "
		    "olarak (dilekçeyle ya da elden) veya BİMER üzerinden yapılmalıdır.",
		    "Appeals by e-mail or fax are not processed; an appeal is made in "
		    "writing (by letter or in person) or online through BİMER.");
		return;
	}
	file(req, &f);
}
