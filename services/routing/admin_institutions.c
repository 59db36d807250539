// SPDX-License-Identifier: MIT
/*
 * /api/v1/admin/institutions: the administrators' view of the institution
 * tree — inactive and outside bodies included — and its changes.
 *
 * The shape of an institution follows the CHECK constraints of
 * 0002_institutions.sql, checked here first so that a client gets a 422
 * with the field instead of a database error: the centre is the one root
 * (no second centre, never a parent); every other unit inside the system
 * hangs under an active unit inside the system; governorships, district
 * governorships and provincial directorates carry their province, and a
 * district governorship hangs under the governorship of its own province;
 * bodies outside the system (rules.md W4: kind external) get in_scope = 0
 * and may stand alone. A parent may not be moved under its own subtree.
 * Institutions are deactivated, never deleted (history names them), and
 * only when nothing depends on them any more: no open application held,
 * no active child unit, user or agency client (409 otherwise).
 */
#include "admin.h"

static const char *const kinds[] = {"centre",
                                    "ministry",
                                    "general_directorate",
                                    "department",
                                    "governorship",
                                    "district_governorship",
                                    "provincial_directorate",
                                    "regional_directorate",
                                    "ethics_board",
                                    "bedk",
                                    "external",
                                    NULL};

const struct bm_field admin_institutions_query[] = {
    {.name = "q", .type = BM_FT_STRING, .min = 1, .max = 100},
    {.name = "kind", .type = BM_FT_STRING, .min = 1, .max = 32, .enumv = kinds},
    BM_FIELD_INSTITUTION("parent", 0),
    ADM_QUERY_ACTIVE,
    ADM_QUERY_CURSOR,
    ADM_QUERY_LIMIT,
    {0}};

const struct bm_field admin_institution_create_fields[] = {
    BM_FIELD_INSTITUTION("code", BM_FF_REQUIRED),
    ADM_FIELD_NAME(BM_FF_REQUIRED),
    {.name = "kind", .type = BM_FT_STRING, .flags = BM_FF_REQUIRED, .max = 32, .enumv = kinds},
    BM_FIELD_INSTITUTION("parent_code", BM_FF_NULLABLE),
    {.name = "province_code",
     .type = BM_FT_STRING,
     .flags = BM_FF_NULLABLE,
     .min = 2,
     .max = 2,
     .pattern = BM_PROVINCE_PATTERN},
    {0}};

const struct bm_field admin_institution_update_fields[] = {
    ADM_FIELD_NAME(0),
    {.name = "kind", .type = BM_FT_STRING, .max = 32, .enumv = kinds},
    BM_FIELD_INSTITUTION("parent_code", 0),
    {.name = "province_code",
     .type = BM_FT_STRING,
     .flags = BM_FF_NULLABLE,
     .min = 2,
     .max = 2,
     .pattern = BM_PROVINCE_PATTERN},
    {.name = "active", .type = BM_FT_BOOL},
    {0}};

#define INST_COLUMNS "SELECT code, name, kind, parent_code, province_code, in_scope, active "
enum { I_CODE, I_NAME, I_KIND, I_PARENT, I_PROVINCE, I_IN_SCOPE, I_ACTIVE };

static const char sql_list[] =
    INST_COLUMNS "FROM institutions "
                 "WHERE (? IS NULL OR code > ?) AND (? IS NULL OR kind = ?) "
                 "AND (? IS NULL OR parent_code = ?) AND (? IS NULL OR active = ?) "
                 "AND (? IS NULL OR name LIKE ? OR code LIKE ?) "
                 "ORDER BY code LIMIT ?";
static const char sql_get[] = INST_COLUMNS "FROM institutions WHERE code = ?";
static const char sql_get_locked[] = INST_COLUMNS "FROM institutions WHERE code = ? FOR UPDATE";
static const char sql_usable[] =
    "SELECT kind, active, in_scope, province_code FROM institutions WHERE code = ?";
static const char sql_in_subtree[] =
    "WITH RECURSIVE sub (code) AS (SELECT code FROM institutions WHERE code = ? "
    "UNION SELECT i.code FROM institutions i JOIN sub ON i.parent_code = sub.code) "
    "SELECT COUNT(*) FROM sub WHERE code = ?";
static const char sql_in_use[] =
    "SELECT (SELECT COUNT(*) FROM applications WHERE assigned_institution_code = ? "
    "AND status IN ('awaiting_verification', 'received', 'in_progress')) + "
    "(SELECT COUNT(*) FROM applications WHERE target_institution_code = ? "
    "AND assigned_institution_code IS NULL "
    "AND status IN ('awaiting_verification', 'received', 'in_progress')), "
    "(SELECT COUNT(*) FROM institutions WHERE parent_code = ? AND active = 1), "
    "(SELECT COUNT(*) FROM users WHERE institution_code = ? AND active = 1), "
    "(SELECT COUNT(*) FROM agency_clients WHERE institution_code = ? AND active = 1)";
static const char sql_insert[] =
    "INSERT INTO institutions (code, name, kind, parent_code, province_code, in_scope, active) "
    "VALUES (?, ?, ?, ?, ?, ?, 1)";
static const char sql_update[] =
    "UPDATE institutions SET name = COALESCE(?, name), kind = ?, parent_code = ?, "
    "province_code = ?, in_scope = ?, active = ? WHERE code = ?";
static const char sql_deactivate[] = "UPDATE institutions SET active = 0 WHERE code = ?";

/* What a change decides on: the institution as it would be afterwards. */
struct inst_shape {
	const char *code;
	const char *kind;
	const char *parent;   /* NULL: a root */
	const char *province; /* NULL: none */
	bool was_centre;      /* the row is the centre already (updates) */
	bool exists;          /* an update: the parent may not sit in its subtree */
};

static json_t *inst_json(const struct bm_dbres *res, size_t r)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "code",
	                 bm_dbres_get(res, r, I_CODE), "name", bm_dbres_get(res, r, I_NAME), "kind",
	                 bm_dbres_get(res, r, I_KIND), "parent_code",
	                 bm_record_str(bm_dbres_get(res, r, I_PARENT)), "province_code",
	                 bm_record_str(bm_dbres_get(res, r, I_PROVINCE)), "in_scope",
	                 adm_flag(bm_dbres_get(res, r, I_IN_SCOPE)), "active",
	                 adm_flag(bm_dbres_get(res, r, I_ACTIVE)));
}

static bool is_provincial(const char *kind)
{
	return !strcmp(kind, "governorship") || !strcmp(kind, "district_governorship") ||
	       !strcmp(kind, "provincial_directorate");
}

static void not_found(struct bm_req *req)
{
	adm_reply_domain(req, BM_E_NOT_FOUND, "INSTITUTION_NOT_FOUND",
	                 "Bu kodla kayıtlı bir kurum yok.", "No institution has this code.");
}

/* Answer row 0 of a fresh read of code with status. */
static void reply_institution(struct bm_req *req, int status, const char *code)
{
	struct bm_dbres *res = NULL;
	struct bm_dbp p[] = {BM_DB_STR(code)};
	enum bm_err e = bm_db_run(req->ctx->db, sql_get, p, 1, &res);
	if (e)
		bm_reply_error(req, e);
	else if (res->nrows != 1)
		not_found(req);
	else
		bm_reply_json(req, status, inst_json(res, 0), NULL);
	bm_dbres_free(res);
}

enum bm_err adm_institution_usable(struct bm_req *req, const char *code, const char *field,
                                   char kind[32])
{
	struct bm_dbres *res = NULL;
	struct bm_dbp p[] = {BM_DB_STR(code)};
	enum bm_err e = bm_db_run(req->ctx->db, sql_usable, p, 1, &res);
	if (e)
		return e;
	if (res->nrows != 1)
		adm_field_error(req, field, "UNKNOWN_INSTITUTION",
		                "Bu kodla kayıtlı bir kurum yok.", "No institution has this code.");
	else if (strcmp(bm_dbres_get(res, 0, 1), "1"))
		adm_field_error(req, field, "INSTITUTION_INACTIVE", "Bu kurum etkin değil.",
		                "This institution is not active.");
	else if (strcmp(bm_dbres_get(res, 0, 2), "1"))
		adm_field_error(req, field, "INSTITUTION_OUT_OF_SCOPE",
		                "Bu kurum BİMER kapsamında değildir.",
		                "This body is outside BİMER.");
	if (kind)
		snprintf(kind, 32, "%s", res->nrows == 1 ? bm_dbres_get(res, 0, 0) : "");
	bm_dbres_free(res);
	return BM_OK;
}

/*
 * The centre is the one root: never a second one, never moved, never
 * another kind. Returns false when the centre's rules are broken (then the
 * parent is not looked at: any parent of the centre is below it).
 */
static bool check_centre(struct bm_req *req, const struct inst_shape *s)
{
	bool centre = !strcmp(s->kind, "centre");
	if (centre != s->was_centre)
		adm_field_error(
		    req, "kind", "ONLY_ONE_CENTRE",
		    "Merkez tektir: ikinci bir merkez eklenemez, merkezin türü değişmez.",
		    "There is one centre: no second one, and its kind cannot change.");
	else if (centre && s->parent)
		adm_field_error(req, "parent_code", "CENTRE_IS_ROOT", "Merkezin üst kurumu olamaz.",
		                "The centre has no parent.");
	else
		return true;
	return false;
}

/* A district governorship hangs under the governorship of its own province. */
static void check_district(struct bm_req *req, const struct inst_shape *s,
                           const struct bm_dbres *parent)
{
	if (strcmp(s->kind, "district_governorship"))
		return;
	if (strcmp(bm_dbres_get(parent, 0, 0), "governorship"))
		adm_field_error(req, "parent_code", "PARENT_KIND_MISMATCH",
		                "Kaymakamlık bir valiliğin altında olmalıdır.",
		                "A district governorship hangs under a governorship.");
	else if (s->province &&
	         (!bm_dbres_get(parent, 0, 3) || strcmp(s->province, bm_dbres_get(parent, 0, 3))))
		adm_field_error(req, "province_code", "PROVINCE_MISMATCH",
		                "Kaymakamlığın ili bağlı olduğu valiliğin iliyle aynı olmalıdır.",
		                "A district governorship is in its governorship's province.");
}

/* Whether candidate is code itself or inside code's subtree. */
static enum bm_err in_subtree(struct bm_req *req, const char *code, const char *candidate,
                              bool *yes)
{
	struct bm_dbres *res = NULL;
	struct bm_dbp p[] = {BM_DB_STR(code), BM_DB_STR(candidate)};
	enum bm_err e = bm_db_run(req->ctx->db, sql_in_subtree, p, 2, &res);
	if (!e)
		*yes = strcmp(bm_dbres_get(res, 0, 0), "0") != 0;
	bm_dbres_free(res);
	return e;
}

/* The parent: exists, active, inside the system for a unit inside it, not below the row. */
static enum bm_err check_parent(struct bm_req *req, const struct inst_shape *s)
{
	struct bm_dbres *res = NULL;
	struct bm_dbp p[] = {BM_DB_STR(s->parent)};
	bool cycle = false;
	enum bm_err e = bm_db_run(req->ctx->db, sql_usable, p, 1, &res);
	if (!e && s->exists && res->nrows == 1)
		e = in_subtree(req, s->code, s->parent, &cycle);
	if (e)
		goto out;
	if (res->nrows != 1)
		adm_field_error(req, "parent_code", "UNKNOWN_INSTITUTION",
		                "Bu kodla kayıtlı bir kurum yok.", "No institution has this code.");
	else if (cycle)
		adm_field_error(req, "parent_code", "PARENT_CYCLE",
		                "Bir kurum kendisinin ya da kendi alt biriminin altına taşınamaz.",
		                "An institution cannot move under itself or its own subtree.");
	else if (strcmp(bm_dbres_get(res, 0, 1), "1"))
		adm_field_error(req, "parent_code", "INSTITUTION_INACTIVE",
		                "Üst kurum etkin değil.", "The parent institution is not active.");
	else if (strcmp(s->kind, "external") && strcmp(bm_dbres_get(res, 0, 2), "1"))
		adm_field_error(
		    req, "parent_code", "INSTITUTION_OUT_OF_SCOPE",
		    "BİMER kapsamındaki bir birim kapsam dışı bir kurumun altında olamaz.",
		    "A unit inside BİMER cannot hang under a body outside it.");
	else
		check_district(req, s, res);
out:
	bm_dbres_free(res);
	return e;
}

/* Every rule on the shape; violations go to req->errs. BM_OK or a database error. */
static enum bm_err check_shape(struct bm_req *req, const struct inst_shape *s)
{
	bool centre_ok = check_centre(req, s);
	if (is_provincial(s->kind) && !s->province)
		adm_field_error(req, "province_code", "REQUIRED",
		                "Valilik, kaymakamlık ve il müdürlüğü için il kodu zorunludur.",
		                "Governorships, district governorships and provincial directorates "
		                "carry a province.");
	if (s->parent)
		return centre_ok ? check_parent(req, s) : BM_OK;
	if (strcmp(s->kind, "centre") && strcmp(s->kind, "external"))
		adm_field_error(req, "parent_code", "REQUIRED",
		                "Bu tür bir kurumun bağlı olduğu üst kurum zorunludur.",
		                "An institution of this kind needs a parent.");
	return BM_OK;
}

/*
 * Whether anything still depends on code: open applications, active
 * children, users, clients. Answers 409 and sets *busy when so.
 */
static enum bm_err in_use_or_reply(struct bm_req *req, const char *code, bool *busy)
{
	struct bm_dbres *res = NULL;
	struct bm_dbp p[] = {BM_DB_STR(code), BM_DB_STR(code), BM_DB_STR(code), BM_DB_STR(code),
	                     BM_DB_STR(code)};
	char detail[320];
	enum bm_err e = bm_db_run(req->ctx->db, sql_in_use, p, 5, &res);
	if (e)
		return e;
	const char *apps = bm_dbres_get(res, 0, 0), *kids = bm_dbres_get(res, 0, 1),
	           *users = bm_dbres_get(res, 0, 2), *clients = bm_dbres_get(res, 0, 3);
	*busy =
	    strcmp(apps, "0") || strcmp(kids, "0") || strcmp(users, "0") || strcmp(clients, "0");
	if (*busy) {
		snprintf(detail, sizeof detail,
		         req->lang == BM_LANG_EN
		             ? "The institution is in use: %s open applications, %s active units, "
		               "%s active users, %s active agency clients."
		             : "Kurum kullanımda: %s açık başvuru, %s etkin alt birim, %s etkin "
		               "kullanıcı, %s etkin kurum sistemi var.",
		         apps, kids, users, clients);
		bm_reply_problem(req, BM_E_CONFLICT, "INSTITUTION_IN_USE", detail);
	}
	bm_dbres_free(res);
	return BM_OK;
}

void admin_institutions_list(struct bm_req *req)
{
	static const struct adm_list list = {sql_list, BM_INSTITUTION_PATTERN, true, inst_json,
	                                     I_CODE};
	const struct bm_dbp filters[] = {adm_opt_str(bm_json_str(req->qs, "kind")),
	                                 adm_opt_str(bm_json_str(req->qs, "parent")),
	                                 adm_qs_active(req)};
	adm_reply_list(req, &list, filters, sizeof filters / sizeof *filters);
}

void admin_institutions_get(struct bm_req *req)
{
	const char *code = bm_req_param(req, "code");
	if (!bm_json_matches(code, BM_INSTITUTION_PATTERN)) {
		not_found(req);
		return;
	}
	reply_institution(req, 200, code);
}

void admin_institutions_create(struct bm_req *req)
{
	const json_t *b = req->json;
	struct inst_shape s = {.code = bm_json_str(b, "code"),
	                       .kind = bm_json_str(b, "kind"),
	                       .parent = bm_json_str(b, "parent_code"),
	                       .province = bm_json_str(b, "province_code")};
	enum bm_err e = check_shape(req, &s);
	if (e || req->errs.n) {
		bm_reply_error(req, e ? e : BM_E_VALIDATION);
		return;
	}
	bool in_scope = strcmp(s.kind, "external") != 0;
	struct bm_dbp p[] = {BM_DB_STR(s.code),       BM_DB_STR(bm_json_str(b, "name")),
	                     BM_DB_STR(s.kind),       adm_opt_str(s.parent),
	                     adm_opt_str(s.province), BM_DB_INT(in_scope ? 1 : 0)};
	e = bm_db_run(req->ctx->db, sql_insert, p, 6, NULL);
	if (e == BM_E_CONFLICT) {
		adm_reply_domain(req, BM_E_CONFLICT, "INSTITUTION_EXISTS",
		                 "Bu kodla kayıtlı bir kurum zaten var.",
		                 "An institution with this code exists already.");
		return;
	}
	if (e) {
		bm_reply_error(req, e);
		return;
	}
	adm_log_change(req, "institution %s created (%s, parent %s, %s)", s.code, s.kind,
	               s.parent ? s.parent : "none", in_scope ? "in scope" : "outside the system");
	reply_institution(req, 201, s.code);
}

/* The shape the row would have after the PATCH body; the row is cur (row 0). */
static struct inst_shape merged_shape(const struct bm_req *req, const struct bm_dbres *cur)
{
	const json_t *b = req->json, *prov = json_object_get(b, "province_code");
	struct inst_shape s = {.code = bm_dbres_get(cur, 0, I_CODE),
	                       .kind = bm_json_str(b, "kind"),
	                       .parent = bm_json_str(b, "parent_code"),
	                       .province = prov ? json_string_value(prov) : NULL,
	                       .exists = true};
	s.was_centre = !strcmp(bm_dbres_get(cur, 0, I_KIND), "centre");
	if (!s.kind)
		s.kind = bm_dbres_get(cur, 0, I_KIND);
	if (!s.parent)
		s.parent = bm_dbres_get(cur, 0, I_PARENT);
	if (!prov)
		s.province = bm_dbres_get(cur, 0, I_PROVINCE);
	return s;
}

/*
 * Check a PATCH against the locked row cur: the new shape when kind,
 * parent or province change or the row comes back to life; nothing may
 * depend on it when it goes inactive or leaves the system. Answers and
 * sets *done when the change cannot go ahead.
 */
static enum bm_err check_update(struct bm_req *req, const struct bm_dbres *cur,
                                const struct inst_shape *s, bool active, bool *done)
{
	const json_t *b = req->json;
	bool was_active = !strcmp(bm_dbres_get(cur, 0, I_ACTIVE), "1");
	bool leaving = !active || (!strcmp(s->kind, "external") &&
	                           strcmp(bm_dbres_get(cur, 0, I_KIND), "external"));
	enum bm_err e = BM_OK;

	if (json_object_get(b, "kind") || json_object_get(b, "parent_code") ||
	    json_object_get(b, "province_code") || (active && !was_active))
		e = check_shape(req, s);
	if (!e && req->errs.n) {
		bm_reply_error(req, BM_E_VALIDATION);
		*done = true;
	} else if (!e && leaving && was_active) {
		e = in_use_or_reply(req, s->code, done);
	}
	return e;
}

void admin_institutions_update(struct bm_req *req)
{
	const char *code = bm_req_param(req, "code");
	struct bm_dbres *cur = NULL;
	char what[128];
	bool done = false;

	if (adm_empty_update_or_reply(req))
		return;
	if (!bm_json_matches(code, BM_INSTITUTION_PATTERN)) {
		not_found(req);
		return;
	}
	struct bm_dbp k[] = {BM_DB_STR(code)};
	enum bm_err e = bm_db_begin(req->ctx->db);
	if (e || (e = bm_db_run(req->ctx->db, sql_get_locked, k, 1, &cur)))
		goto out;
	if (cur->nrows != 1) {
		not_found(req);
		goto out;
	}
	bool active =
	    bm_json_bool(req->json, "active", !strcmp(bm_dbres_get(cur, 0, I_ACTIVE), "1"));
	struct inst_shape s = merged_shape(req, cur);
	if ((e = check_update(req, cur, &s, active, &done)) || done)
		goto out;
	struct bm_dbp p[] = {adm_opt_str(bm_json_str(req->json, "name")),
	                     BM_DB_STR(s.kind),
	                     adm_opt_str(s.parent),
	                     adm_opt_str(s.province),
	                     BM_DB_INT(strcmp(s.kind, "external") ? 1 : 0),
	                     BM_DB_INT(active ? 1 : 0),
	                     BM_DB_STR(code)};
	if ((e = bm_db_run(req->ctx->db, sql_update, p, 7, NULL)) ||
	    (e = bm_db_commit(req->ctx->db)))
		goto out;
	adm_changed_fields(req, what, sizeof what);
	adm_log_change(req, "institution %s changed: %s", code, what);
	reply_institution(req, 200, code);
out:
	if (e || req->status != 200)
		bm_db_rollback(req->ctx->db);
	if (e)
		bm_reply_error(req, e);
	bm_dbres_free(cur);
}

void admin_institutions_deactivate(struct bm_req *req)
{
	const char *code = bm_req_param(req, "code");
	struct bm_dbres *cur = NULL;
	bool busy = false;

	if (!bm_json_matches(code, BM_INSTITUTION_PATTERN)) {
		not_found(req);
		return;
	}
	struct bm_dbp k[] = {BM_DB_STR(code)};
	enum bm_err e = bm_db_begin(req->ctx->db);
	if (e || (e = bm_db_run(req->ctx->db, sql_get_locked, k, 1, &cur)))
		goto out;
	if (cur->nrows != 1) {
		not_found(req);
		goto out;
	}
	/* deactivating an inactive institution again changes nothing and answers the same */
	bool was_active = !strcmp(bm_dbres_get(cur, 0, I_ACTIVE), "1");
	if (was_active && ((e = in_use_or_reply(req, code, &busy)) || busy))
		goto out;
	if (was_active && (e = bm_db_run(req->ctx->db, sql_deactivate, k, 1, NULL)))
		goto out;
	if ((e = bm_db_commit(req->ctx->db)))
		goto out;
	if (was_active)
		adm_log_change(req, "institution %s deactivated", code);
	bm_reply_raw(req, 204, "application/json", NULL, "", 0);
out:
	if (e || req->status != 204)
		bm_db_rollback(req->ctx->db);
	if (e)
		bm_reply_error(req, e);
	bm_dbres_free(cur);
}
