// SPDX-License-Identifier: MIT
/*
 * bm_record: the staff view of one application (see bm_record.h).
 */
#include "bm_record.h"

#include <string.h>

#include "bm_crypto.h"
#include "bm_log.h"
#include "bm_req.h"
#include "bm_time.h"

json_t *bm_record_str(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *bm_record_time(const char *db)
{
	char iso[BM_TIME_ISO_LEN];
	return db && bm_time_db_to_iso(db, iso) ? json_string(iso) : json_null();
}

json_t *bm_record_inst(const char *code, const char *name)
{
	if (!code)
		return json_null();
	return json_pack("{s:s, s:s}", "code", code, "name", name ? name : code);
}

/* Cell col of row r, or NULL when the caller did not select that column. */
static const char *cell(const struct bm_dbres *res, size_t r, int col)
{
	return col < 0 ? NULL : bm_dbres_get(res, r, (size_t)col);
}

/* Copy a string member of data into e under the same key (only the ones the spec knows). */
static void copy_data(json_t *e, const json_t *data, const char *key)
{
	const json_t *v = json_object_get(data, key);
	if (json_is_string(v))
		json_object_set_new(e, key, json_string(json_string_value(v)));
}

/* Who acted: a staff user, or an agency system (its client id in the data), with the
 * acting institution and the request; null for the citizen and the system. */
static json_t *actor(const struct bm_dbres *ev, size_t r, const struct bm_record_event_cols *c,
                     const json_t *data)
{
	const char *user = cell(ev, r, c->username), *inst = cell(ev, r, c->actor_inst);
	const char *rid = cell(ev, r, c->request_id);
	if (!user)
		user = json_string_value(json_object_get(data, "client_id"));
	if (!user || !inst)
		return json_null();
	json_t *a = json_pack("{s:s, s:s}", "username", user, "institution_code", inst);
	if (a && rid && *rid)
		json_object_set_new(a, "request_id", json_string(rid));
	return a;
}

json_t *bm_record_event(const struct bm_dbres *ev, size_t r, const struct bm_record_event_cols *c,
                        unsigned flags)
{
	const char *d = cell(ev, r, c->data), *acting = cell(ev, r, c->actor_inst);
	const char *to = cell(ev, r, c->to), *to_name = cell(ev, r, c->to_name);
	json_t *data = d ? json_loads(d, 0, NULL) : NULL;
	json_t *e = json_pack("{s:o, s:s, s:o}", "at", bm_record_time(cell(ev, r, c->at)), "kind",
	                      cell(ev, r, c->kind), "institution",
	                      acting ? bm_record_inst(acting, cell(ev, r, c->actor_inst_name))
	                             : bm_record_inst(to, to_name));
	if (e && c->from >= 0)
		json_object_set_new(
		    e, "from_institution",
		    bm_record_inst(cell(ev, r, c->from), cell(ev, r, c->from_name)));
	if (e) {
		json_object_set_new(e, "to_institution", bm_record_inst(to, to_name));
		json_object_set_new(e, "actor", actor(ev, r, c, data));
	}
	if (e && json_is_object(data)) {
		copy_data(e, data, "status");
		copy_data(e, data, "outcome");
		copy_data(e, data, "reason_code");
		copy_data(e, data, "due_at");
		if (flags & BM_RECORD_APPEAL_DATA) {
			copy_data(e, data, "appeal_id");
			copy_data(e, data, "decision");
		}
	}
	bool citizens = !cell(ev, r, c->actor_id) && !acting;
	const char *note = cell(ev, r, c->note);
	if (e && note && !(citizens && (flags & BM_RECORD_NO_CITIZEN_NOTES)))
		json_object_set_new(e, "note", json_string(note));
	json_decref(data);
	return e;
}

json_t *bm_record_events(const struct bm_dbres *ev, const struct bm_record_event_cols *c,
                         unsigned flags)
{
	json_t *arr = json_array();
	for (size_t r = 0; arr && ev && r < ev->nrows; r++)
		json_array_append_new(arr, bm_record_event(ev, r, c, flags));
	return arr;
}

static json_t *answer(const char *answered, const struct bm_dbres *ev,
                      const struct bm_record_event_cols *c)
{
	for (size_t r = ev ? ev->nrows : 0; answered && r-- > 0;) {
		const char *kind = cell(ev, r, c->kind);
		if (strcmp(kind, "answered") && strcmp(kind, "not_processed"))
			continue;
		const char *d = cell(ev, r, c->data);
		json_t *data = d ? json_loads(d, 0, NULL) : NULL;
		const char *outcome = json_string_value(json_object_get(data, "outcome"));
		const char *text = json_string_value(json_object_get(data, "text"));
		const char *reason = json_string_value(json_object_get(data, "reason_code"));
		json_t *a = NULL;
		if (outcome && text)
			a = json_pack("{s:s, s:o, s:s, s:o, s:o}", "outcome", outcome,
			              "reason_code", bm_record_str(reason), "text", text,
			              "answered_at", bm_record_time(answered), "institution",
			              bm_record_inst(cell(ev, r, c->actor_inst),
			                             cell(ev, r, c->actor_inst_name)));
		json_decref(data);
		return a ? a : json_null();
	}
	return json_null();
}

/* "100******46" from the sealed number; null when it cannot be opened. */
static json_t *masked_tckn(struct bm_req *req, const struct bm_dbres *app, size_t col)
{
	const char *enc = bm_dbres_get(app, 0, col);
	char plain[16], masked[12];
	size_t n = 0;
	if (!enc || !req->ctx->cfg->have_keys)
		return json_null();
	if (bm_open(req->ctx->cfg->keys.data, (const unsigned char *)enc, app->lens[col], plain,
	            sizeof plain, &n) ||
	    n != 11) {
		bm_log(BM_LOG_WARN, req->req_id, "an applicant ID number could not be opened");
		return json_null();
	}
	memcpy(masked, plain, 3);
	memset(masked + 3, '*', 6);
	memcpy(masked + 9, plain + 9, 2);
	masked[11] = '\0';
	memset(plain, 0, sizeof plain);
	return json_string(masked);
}

static json_t *applicant(struct bm_req *req, const struct bm_dbres *a,
                         const struct bm_record_app_cols *c)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "tc_kimlik_no",
	                 masked_tckn(req, a, c->tckn_enc), "first_name",
	                 bm_record_str(bm_dbres_get(a, 0, c->first)), "last_name",
	                 bm_record_str(bm_dbres_get(a, 0, c->last)), "email",
	                 bm_record_str(bm_dbres_get(a, 0, c->email)), "phone",
	                 bm_record_str(bm_dbres_get(a, 0, c->phone)), "address",
	                 bm_record_str(bm_dbres_get(a, 0, c->address)));
}

json_t *bm_record_application(struct bm_req *req, const struct bm_dbres *a,
                              const struct bm_record_app_cols *c, const struct bm_record_view *v)
{
	const char *status = bm_dbres_get(a, 0, c->status);
	bool np = status && !strcmp(status, "not_processed");
	json_t *out = json_pack(
	    "{s:s, s:s, s:o, s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:b, s:b}",
	    "application_no", bm_dbres_get(a, 0, c->no), "type", bm_dbres_get(a, 0, c->type),
	    "category", bm_record_str(bm_dbres_get(a, 0, c->category)), "channel",
	    bm_dbres_get(a, 0, c->channel), "subject", bm_dbres_get(a, 0, c->subject), "body",
	    bm_dbres_get(a, 0, c->body), "topic", bm_record_str(bm_dbres_get(a, 0, c->topic)),
	    "status", status, "outcome",
	    bm_record_str(np ? "not_processed" : bm_dbres_get(a, 0, c->outcome)), "reason_code",
	    bm_record_str(bm_dbres_get(a, 0, c->reason)), "province_code",
	    bm_record_str(bm_dbres_get(a, 0, c->province)), "target_institution_code",
	    bm_record_str(bm_dbres_get(a, 0, c->target)), "identity_hidden",
	    bm_dbres_get(a, 0, c->hidden)[0] == '1', "anonymous",
	    bm_dbres_get(a, 0, c->anonymous)[0] == '1');
	if (!out) {
		json_decref(v->events_json);
		json_decref(v->attachments);
		return NULL;
	}
	if (v->applicant)
		json_object_set_new(out, "applicant", applicant(req, a, c));
	json_object_set_new(
	    out, "assigned_institution",
	    bm_record_inst(bm_dbres_get(a, 0, c->assigned), bm_dbres_get(a, 0, c->assigned_name)));
	json_object_set_new(out, "created_at", bm_record_time(bm_dbres_get(a, 0, c->created)));
	json_object_set_new(out, "received_at", bm_record_time(bm_dbres_get(a, 0, c->received)));
	json_object_set_new(out, "due_at", bm_record_time(bm_dbres_get(a, 0, c->due)));
	json_object_set_new(out, "overdue", json_boolean(v->overdue));
	json_object_set_new(out, "extended", json_boolean(bm_dbres_get(a, 0, c->extended)));
	json_object_set_new(out, "answer",
	                    answer(bm_dbres_get(a, 0, c->answered), v->events, v->event_cols));
	json_object_set_new(out, "attachments", v->attachments);
	json_object_set_new(out, "events", v->events_json);
	return out;
}
