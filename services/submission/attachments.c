// SPDX-License-Identifier: MIT
/*
 * Attachments (issue 3 item 6): POST /api/v1/attachments stores one uploaded
 * file, and attachments_claim hands uploads to an application inside the
 * intake's transaction.
 *
 * An upload is checked before anything is counted or written: the
 * Content-Type must be exactly one of the three types we take, and the magic
 * bytes must say the same (a PNG declared as a PDF is refused, so what staff
 * open later is what the citizen said it was). Only then is it counted
 * against the per-address upload limit; uploads are writes, so when Redis
 * cannot count them we refuse with 503 rather than let them through
 * unlimited. The file is stored content-addressed under BIMER_ATTACHMENT_DIR
 * (outside the web root) as <dir>/ab/cd/<sha256 hex>: written to a temporary
 * file, fsync'd, renamed into place and the directory fsync'd, so a crash
 * leaves either the whole file or none, and the same content is stored once.
 * The row comes after the file, so a row never names missing content. A
 * file no row ever names (the insert failed, or the service died before it)
 * is not left behind: its removal is queued first, and the worker's pass
 * removes the file unless a row names the content by then (bm_attach.h).
 * The client gets an id of 128 random bits; an Idempotency-Key makes a
 * retried upload answer the first id again.
 *
 * The body size cap (10 MiB exactly, 413 above) is the route's, enforced by
 * the guard chain before this code runs, and by nginx (11m) before that.
 */
#include "attachments.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bm_attach.h"
#include "bm_cache.h"
#include "bm_crypto.h"
#include "bm_db.h"
#include "bm_json.h"
#include "bm_log.h"
#include "bm_req.h"
#include "bm_validators.h"

#define ID_BYTES     16 /* 128 bits from the CSPRNG: 22 base64url characters */
#define INSERT_TRIES 3  /* a fresh id after a (vanishingly rare) collision */
#define PATH_CAP     (BM_CFG_PATH + 96)

/* What one upload turned out to be, once checked. */
struct upload {
	const char *type;     /* the declared media type, confirmed by the magic bytes */
	const char *idem_key; /* the Idempotency-Key header, NULL when absent */
	unsigned char sha[32];
	char hex[65];
	char id[32]; /* the attachment_id answered */
};

static const char *const media_types[] = {"application/pdf", "image/png", "image/jpeg", NULL};

/* Queued before the file is written; settled by the worker (services/worker/retention.c). */
static const char sql_queue_removal[] =
    "INSERT IGNORE INTO attachment_file_removals (sha256) VALUES (?)";
static const char sql_insert[] = "INSERT INTO attachments (id, sha256, size, content_type, "
                                 "idempotency_key) VALUES (?, ?, ?, ?, ?)";
static const char sql_by_key[] =
    "SELECT id, sha256, content_type FROM attachments WHERE idempotency_key = ?";
static const char sql_claim[] =
    "UPDATE attachments SET application_id = ?, "
    "claimed_at = UTC_TIMESTAMP(3) WHERE id = ? AND application_id IS NULL AND appeal_id IS NULL";
static const char sql_exists[] = "SELECT 1 FROM attachments WHERE id = ?";
static const char sql_count[] = "SELECT COUNT(*) FROM attachments WHERE application_id = ?";

/* ---- checking the request ------------------------------------------------ */

/* See attachments.h. */
const char *attachments_declared_type(const char *ctype)
{
	if (!ctype)
		return NULL;
	while (*ctype == ' ' || *ctype == '\t')
		ctype++;
	size_t n = strlen(ctype);
	while (n && (ctype[n - 1] == ' ' || ctype[n - 1] == '\t'))
		n--;
	for (const char *const *t = media_types; *t; t++)
		if (strlen(*t) == n && !strncasecmp(ctype, *t, n))
			return *t;
	return NULL;
}

/* See attachments.h. */
const char *attachments_sniffed_type(const char *body, size_t n)
{
	const unsigned char *p = (const unsigned char *)body;

	if (n >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8))
		return "image/png";
	if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return "image/jpeg";
	if (n >= 5 && !memcmp(p, "%PDF-", 5))
		return "application/pdf";
	return NULL;
}

/* 415 and 422: everything about the request itself, before anything is counted or written. */
static bool check_or_reply(struct bm_req *req, struct upload *up)
{
	up->type = attachments_declared_type(req->content_type);
	if (!up->type) {
		bm_reply_error(req, BM_E_MEDIA_TYPE);
		return false;
	}
	up->idem_key = bm_req_env(req, "HTTP_IDEMPOTENCY_KEY");
	if (up->idem_key && !bm_json_matches(up->idem_key, BM_IDEMPOTENCY_KEY_PATTERN))
		bm_verrs_add(&req->errs, "Idempotency-Key", "INVALID_FORMAT", NULL);
	if (req->body_len == 0) {
		bm_verrs_add(&req->errs, "body", "ATTACHMENT_EMPTY", NULL);
	} else {
		const char *sniffed = attachments_sniffed_type(req->body, req->body_len);
		if (!sniffed || strcmp(sniffed, up->type))
			bm_verrs_add(&req->errs, "body", "ATTACHMENT_TYPE_MISMATCH", NULL);
	}
	if (req->errs.n) {
		bm_reply_error(req, BM_E_VALIDATION);
		return false;
	}
	return true;
}

/* One hit on the per-address upload limit: 429 over it, 503 when Redis cannot count. */
static bool limit_or_reply(struct bm_req *req)
{
	const struct bm_limit *l = &req->ctx->cfg->rl_upload_ip;
	struct bm_rl_result rl;
	char key[96];

	snprintf(key, sizeof key, "rl:upload:ip:%s", req->remote_addr ? req->remote_addr : "-");
	/* A context that died while idle (Redis restarted) fails once and is dropped: one
	 * fresh attempt. At worst a hit whose reply was lost is counted twice. */
	if (bm_rl_hit(req->ctx->redis, key, l->n, l->window_s, &rl) &&
	    bm_rl_hit(req->ctx->redis, key, l->n, l->window_s, &rl)) {
		bm_log(BM_LOG_WARN, req->req_id, "rate limiter unavailable: upload refused");
		bm_reply_error(req, BM_E_UNAVAILABLE);
		return false;
	}
	if (!rl.allowed) {
		bm_reply_rate_limited(req, rl.retry_after);
		return false;
	}
	return true;
}

/* ---- the content store ------------------------------------------------------ */

static int sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	int saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

/* Create a directory (0750) unless it exists; a new one is made durable in its parent. */
static int ensure_dir(const char *path)
{
	char parent[PATH_CAP];
	struct stat st;

	if (mkdir(path, 0750) != 0)
		return errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
	snprintf(parent, sizeof parent, "%s", path);
	char *slash = strrchr(parent, '/');
	if (!slash)
		return 0;
	slash[slash == parent] = '\0'; /* "/x" → "/", "a/b" → "a" */
	return sync_dir(parent);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Temporary file beside path, fsync'd, renamed over path, directory fsync'd. */
static int write_atomic(const char *dir, const char *path, const char *data, size_t len)
{
	char tmp[PATH_CAP + 16];
	int fd, rc = -1, saved;

	if (snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path) >= (int)sizeof tmp) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (write_all(fd, data, len) || fchmod(fd, 0640) || fsync(fd))
		goto out;
	rc = close(fd);
	fd = -1;
	if (rc || (rc = rename(tmp, path)))
		goto out;
	tmp[0] = '\0';
	rc = sync_dir(dir);
out:
	saved = errno;
	if (fd >= 0)
		close(fd);
	if (tmp[0])
		unlink(tmp);
	errno = saved;
	return rc;
}

/* A complete copy is already there (a renamed file is always complete). */
static bool already_stored(const char *path, size_t len)
{
	struct stat st;
	return lstat(path, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == len;
}

/*
 * Store the body as <dir>/ab/cd/<hex> unless that content is already there.
 * The directory is fsync'd in both cases: a concurrent writer of the same
 * content may have renamed its file without having synced the rename yet.
 */
static enum bm_err store_file(struct bm_req *req, const struct upload *up)
{
	const char *base = req->ctx->cfg->attachment_dir;
	char d1[PATH_CAP], d2[PATH_CAP], path[PATH_CAP], eb[128];
	int err;

	if (snprintf(d1, sizeof d1, "%s/%.2s", base, up->hex) >= (int)sizeof d1 ||
	    snprintf(d2, sizeof d2, "%s/%.2s", d1, up->hex + 2) >= (int)sizeof d2 ||
	    snprintf(path, sizeof path, "%s/%s", d2, up->hex) >= (int)sizeof path)
		return BM_E_CONFIG;
	if (ensure_dir(base) || ensure_dir(d1) || ensure_dir(d2))
		goto fail;
	if (already_stored(path, req->body_len) ? sync_dir(d2)
	                                        : write_atomic(d2, path, req->body, req->body_len))
		goto fail;
	return BM_OK;
fail:
	err = errno;
	bm_log(BM_LOG_ERROR, req->req_id, "attachment %.12s not stored: %s", up->hex,
	       strerror_r(err, eb, sizeof eb));
	return err == ENOSPC || err == EDQUOT ? BM_E_UNAVAILABLE : BM_E_INTERNAL;
}

/* ---- the row and the answer -------------------------------------------------- */

static void reply_created(struct bm_req *req, const struct upload *up)
{
	bm_reply_json(req, 201,
	              json_pack("{s:s, s:s, s:I, s:s}", "attachment_id", up->id, "sha256", up->hex,
	                        "size", (json_int_t)req->body_len, "content_type", up->type),
	              NULL);
}

/*
 * An earlier upload with this Idempotency-Key answers for this one: 201 with
 * its id when the content is the same, 422 IDEMPOTENCY_KEY_REUSED when not,
 * 503 when the database fails. Returns false (nothing answered) when the key
 * is new.
 */
static bool replay_or_reply(struct bm_req *req, struct upload *up)
{
	struct bm_dbres *res = NULL;
	struct bm_dbp p[] = {BM_DB_STR(up->idem_key)};
	enum bm_err e = bm_db_run(req->ctx->db, sql_by_key, p, 1, &res);
	bool answered = true;

	if (e) {
		bm_reply_error(req, e);
	} else if (res->nrows == 0) {
		answered = false;
	} else if (res->lens[1] == sizeof up->sha &&
	           !memcmp(bm_dbres_get(res, 0, 1), up->sha, sizeof up->sha) &&
	           !strcmp(bm_dbres_get(res, 0, 2), up->type)) {
		snprintf(up->id, sizeof up->id, "%s", bm_dbres_get(res, 0, 0));
		reply_created(req, up);
	} else {
		bm_verrs_add(&req->errs, "Idempotency-Key", "IDEMPOTENCY_KEY_REUSED", NULL);
		bm_reply_problem(req, BM_E_VALIDATION, "IDEMPOTENCY_KEY_REUSED",
		                 req->lang == BM_LANG_EN
		                     ? "This Idempotency-Key was used with a different request."
		                     : "Bu Idempotency-Key başka bir istekle kullanılmış.");
	}
	bm_dbres_free(res);
	return answered;
}

static enum bm_err insert_row(struct bm_req *req, struct upload *up)
{
	enum bm_err e = bm_random_token(ID_BYTES, up->id, sizeof up->id);
	if (e)
		return e;
	struct bm_dbp p[] = {BM_DB_STR(up->id), BM_DB_BLOB(up->sha, sizeof up->sha),
	                     BM_DB_INT((long long)req->body_len), BM_DB_STR(up->type),
	                     up->idem_key ? BM_DB_STR(up->idem_key) : BM_DB_NULL()};
	return bm_db_run(req->ctx->db, sql_insert, p, sizeof p / sizeof p[0], NULL);
}

/*
 * Record the upload and answer 201. A duplicate key is a concurrent retry
 * with the same Idempotency-Key (answered as a replay) or an id collision
 * (tried again under a fresh id).
 */
static void record_and_reply(struct bm_req *req, struct upload *up)
{
	enum bm_err e = BM_E_CONFLICT;

	for (int i = 0; i < INSERT_TRIES && e == BM_E_CONFLICT; i++) {
		e = insert_row(req, up);
		if (e == BM_E_CONFLICT && up->idem_key && replay_or_reply(req, up))
			return;
	}
	if (e) {
		bm_reply_error(req, e == BM_E_CONFLICT ? BM_E_INTERNAL : e);
		return;
	}
	reply_created(req, up);
}

void attachments_create(struct bm_req *req)
{
	struct upload up = {0};
	enum bm_err e;

	if (!check_or_reply(req, &up))
		return;
	bm_sha256(req->body, req->body_len, up.sha);
	bm_hex(up.sha, sizeof up.sha, up.hex);
	if (up.idem_key && replay_or_reply(req, &up))
		return;
	if (!limit_or_reply(req))
		return;
	/* The store's lock on this content (bm_attach.h): the worker may be removing its file.
	 * Under it the file's removal is queued, then the file written, then the row. */
	char lock[BM_ATTACH_LOCK_LEN];
	struct bm_dbres *got = NULL;
	bm_attach_lock_name(up.hex, lock);
	struct bm_dbp name[] = {BM_DB_STR(lock)};
	if ((e = bm_db_run(req->ctx->db, BM_ATTACH_SQL_LOCK, name, 1, &got)) || got->nrows != 1 ||
	    !bm_dbres_get(got, 0, 0) || strcmp(bm_dbres_get(got, 0, 0), "1")) {
		bm_dbres_free(got);
		bm_reply_error(req, e ? e : BM_E_UNAVAILABLE);
		return;
	}
	bm_dbres_free(got);
	struct bm_dbp sha[] = {BM_DB_BLOB(up.sha, sizeof up.sha)};
	if ((e = bm_db_run(req->ctx->db, sql_queue_removal, sha, 1, NULL)) ||
	    (e = store_file(req, &up)))
		bm_reply_error(req, e);
	else
		record_and_reply(req, &up);
	(void)bm_db_run(req->ctx->db, BM_ATTACH_SQL_UNLOCK, name, 1, NULL);
}

/* ---- claiming --------------------------------------------------------------- */

struct claim_item {
	const char *id;
	size_t index; /* position in attachment_ids, for the error's field */
};

/* By id, then position: claims run in one global order (no deadlock between two intakes). */
static int by_id(const void *a, const void *b)
{
	const struct claim_item *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* BM_OK claimed; BM_E_NOT_FOUND no such id; BM_E_CONFLICT claimed already; BM_E_DB. */
static enum bm_err claim_one(struct bm_db *db, long long application_id, const char *id)
{
	struct bm_dbres *res = NULL;
	struct bm_dbp upd[] = {BM_DB_INT(application_id), BM_DB_STR(id)};
	enum bm_err e = bm_db_run(db, sql_claim, upd, 2, &res);

	if (e)
		return BM_E_DB;
	bool claimed = res->affected == 1;
	bm_dbres_free(res);
	res = NULL;
	if (claimed)
		return BM_OK;
	struct bm_dbp sel[] = {BM_DB_STR(id)};
	if (bm_db_run(db, sql_exists, sel, 1, &res))
		return BM_E_DB;
	e = res->nrows ? BM_E_CONFLICT : BM_E_NOT_FOUND;
	bm_dbres_free(res);
	return e;
}

/* How many attachments the application holds now (this transaction's claims included). */
static enum bm_err count_claimed(struct bm_db *db, long long application_id, long long *n)
{
	struct bm_dbres *res = NULL;
	struct bm_dbp p[] = {BM_DB_INT(application_id)};

	if (bm_db_run(db, sql_count, p, 1, &res))
		return BM_E_DB;
	const char *cell = bm_dbres_get(res, 0, 0);
	*n = cell ? strtoll(cell, NULL, 10) : 0;
	bm_dbres_free(res);
	return BM_OK;
}

static void item_error(struct bm_verrs *errs, size_t index, const char *code)
{
	char field[48];
	snprintf(field, sizeof field, "attachment_ids[%zu]", index);
	bm_verrs_add(errs, field, code, NULL);
}

/* The array's string items, sorted; a non-string one is reported and left out. */
static size_t collect(const json_t *ids, struct claim_item *items, struct bm_verrs *errs, bool *bad)
{
	size_t i, n = 0;
	const json_t *v;

	json_array_foreach(ids, i, v)
	{
		if (!json_is_string(v)) {
			item_error(errs, i, "INVALID_TYPE");
			*bad = true;
			continue;
		}
		items[n++] = (struct claim_item){json_string_value(v), i};
	}
	qsort(items, n, sizeof *items, by_id);
	return n;
}

/*
 * Claim every item (sorted), reporting the bad ones. A repeated id gets its
 * first mention's answer, except that a successful claim makes the repeat
 * ATTACHMENT_ALREADY_USED. Returns BM_E_DB or BM_OK; *bad says whether any
 * error was added.
 */
static enum bm_err claim_all(struct bm_db *db, long long application_id,
                             const struct claim_item *items, size_t n, struct bm_verrs *errs,
                             bool *bad)
{
	enum bm_err e = BM_OK, prev = BM_OK;

	for (size_t k = 0; k < n; k++) {
		if (k > 0 && !strcmp(items[k].id, items[k - 1].id))
			e = prev == BM_OK ? BM_E_CONFLICT : prev;
		else if ((e = prev = claim_one(db, application_id, items[k].id)) == BM_E_DB)
			return e;
		if (e)
			item_error(errs, items[k].index,
			           e == BM_E_NOT_FOUND ? "ATTACHMENT_NOT_FOUND"
			                               : "ATTACHMENT_ALREADY_USED");
		*bad |= e != BM_OK;
	}
	return BM_OK;
}

enum bm_err attachments_claim(struct bm_db *db, long long application_id, const json_t *ids,
                              struct bm_verrs *errs)
{
	struct claim_item items[ATTACHMENTS_MAX_PER_APPLICATION];
	bool bad = false;
	long long held = 0;
	enum bm_err e;

	if (!ids || json_is_null(ids))
		return BM_OK;
	if (!json_is_array(ids)) {
		bm_verrs_add(errs, "attachment_ids", "INVALID_TYPE", NULL);
		return BM_E_VALIDATION;
	}
	if (json_array_size(ids) > ATTACHMENTS_MAX_PER_APPLICATION) {
		bm_verrs_add(errs, "attachment_ids", "TOO_MANY_ATTACHMENTS", NULL);
		return BM_E_VALIDATION;
	}
	size_t n = collect(ids, items, errs, &bad);
	if ((e = claim_all(db, application_id, items, n, errs, &bad)) ||
	    (e = count_claimed(db, application_id, &held)))
		return e;
	if (held > ATTACHMENTS_MAX_PER_APPLICATION) {
		bm_verrs_add(errs, "attachment_ids", "TOO_MANY_ATTACHMENTS", NULL);
		bad = true;
	}
	return bad ? BM_E_VALIDATION : BM_OK;
}
