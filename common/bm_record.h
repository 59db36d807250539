// SPDX-License-Identifier: MIT
/*
 * bm_record: the staff view of one application, as the routing service
 * answers it (GET /api/v1/applications/{no}) and the appeal service shows
 * the appealed application to BEDK (GET /api/v1/appeals/{id}).
 *
 * Each service reads the rows with its own statements (its own reach
 * checks, its own extra columns), so the renderer is told where the
 * columns are: a struct of column positions, with -1 for an event column a
 * service does not select, which leaves that member out of the answer.
 */
#ifndef BM_RECORD_H
#define BM_RECORD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "bm_db.h"

struct bm_req;

/* A string cell, or null. */
json_t *bm_record_str(const char *s);
/* A DATETIME cell as the API's time, or null. */
json_t *bm_record_time(const char *db);
/* An institution reference {code, name}, or null without a code. */
json_t *bm_record_inst(const char *code, const char *name);

/* Where the event rows hold each column; -1: not selected. */
struct bm_record_event_cols {
	int at, kind, actor_id, username, actor_inst, actor_inst_name, from, from_name, to, to_name,
	    note, data, request_id;
};

enum {
	BM_RECORD_NO_CITIZEN_NOTES =
	    1,                     /* leave out the notes the citizen wrote (hidden identity) */
	BM_RECORD_APPEAL_DATA = 2, /* also the events' appeal_id and decision */
};

/* Row r of the events as a timeline entry (flags: BM_RECORD_*). */
json_t *bm_record_event(const struct bm_dbres *ev, size_t r, const struct bm_record_event_cols *c,
                        unsigned flags);

/* The events as the timeline's entries (flags: BM_RECORD_*). */
json_t *bm_record_events(const struct bm_dbres *ev, const struct bm_record_event_cols *c,
                         unsigned flags);

/* Where the application row holds each column the staff view shows. */
struct bm_record_app_cols {
	size_t no, type, category, channel, subject, body, topic, status, outcome, reason, province,
	    target, hidden, anonymous, tckn_enc, first, last, email, phone, address, assigned,
	    assigned_name, created, received, due, extended, answered;
};

/* What the caller decided of the view, and the parts it rendered. */
struct bm_record_view {
	bool applicant; /* the applicant is shown (identity neither hidden from the caller
	                   nor anonymous) */
	bool overdue;
	const struct bm_dbres *events; /* the whole timeline, for the answer */
	const struct bm_record_event_cols *event_cols;
	json_t *events_json; /* the timeline as shown (taken) */
	json_t *attachments; /* (taken) */
};

/*
 * The application in the shape of GET /api/v1/applications/{no}: its fields,
 * the applicant (the ID number masked, "100******46") when v->applicant, the
 * holder, its times, the answer (the last answered / not_processed event's
 * data while the record says answered), the attachments and the timeline.
 * NULL when out of memory.
 */
json_t *bm_record_application(struct bm_req *req, const struct bm_dbres *app,
                              const struct bm_record_app_cols *c, const struct bm_record_view *v);

#endif
