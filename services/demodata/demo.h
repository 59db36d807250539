// SPDX-License-Identifier: MIT
/*
 * bimer-demodata: the shapes one generated application goes through.
 *
 * The generator works in two stages. plan.c turns (seed, index) into a
 * struct dd_app: the application's content, the applicant, and its life as
 * a list of events with their times, cut at "now" — the row's state is what
 * those events made of it, exactly as the services would have. load.c then
 * gives it what only the database can give (the application number from the
 * real sequence, the row id the hash chain needs, the appeal number), writes
 * the event data and hashes and inserts everything in batches. Times are
 * milliseconds since the epoch (UTC); 0 means "not set" (SQL NULL).
 */
#ifndef DEMODATA_DEMO_H
#define DEMODATA_DEMO_H

#include <stdbool.h>
#include <stdint.h>

#include "bm_appno.h"
#include "bm_crypto.h"

#define DD_MAX_EVENTS 16

/* Event kinds, with the data each one carries (the services' formats, see rows.c). */
enum dd_kind {
	EV_SUBMITTED,     /* internet intake: no data */
	EV_RECEIVED,      /* verification (internet) or staff intake ({"channel"}) */
	EV_ROUTED,        /* an operator: {"status", "ethics_rank"?} */
	EV_FORWARDED,     /* the holder down its tree or back to the centre */
	EV_EXTENDED,      /* D2 extension: {"due_at"}, note = reason */
	EV_ANSWERED,      /* {"outcome", "reason_code"?, "status", "text"} */
	EV_NOT_PROCESSED, /* the same with outcome not_processed */
	EV_OVERDUE,       /* worker: {"due_at"} */
	EV_DEEMED,        /* worker: the D4 period */
	EV_CANCELLED,     /* citizen: note = reason */
	EV_EXPIRED,       /* worker: D7 */
	EV_APPEAL_FILED,  /* appeal service: {"appeal_id", "channel", "due_at"} */
	EV_APPEAL_DECIDED,
	EV_REOPENED,
};

struct dd_event {
	int64_t at;
	enum dd_kind kind;
	long long actor_uid;    /* 0: the citizen or the system */
	const char *actor_inst; /* institution codes point into the tree (tree.h) */
	const char *from, *to;
	const char *note;
	const char *s1;   /* channel, outcome, ethics rank or decision, by kind */
	const char *s2;   /* reason code */
	const char *text; /* answer text */
	int64_t t1;       /* due_at, or the end of the D4 period, by kind */
	int64_t t2;       /* EV_DEEMED: the due_at it records */
	bool by_due;      /* EV_DEEMED: the period ended with the due time */
};

enum dd_ground { DD_GROUND_ANSWERED = 1, DD_GROUND_NOT_PROCESSED, DD_GROUND_DEEMED };

/* An appeal to BEDK (rules.md A1-A4) and what its generated copies hold. */
struct dd_appeal {
	bool filed;
	enum dd_ground ground;
	int64_t refused, window_end, filed_at, due, decided, app_due;
	const char *decision, *reason, *decision_text;
	/* the answer appealed, as it stood when the appeal was filed */
	const char *ans_outcome, *ans_reason, *ans_text, *ans_inst;
	int64_t ans_at;
	char no[32]; /* appeal_id, from appeal_no_seq (load.c) */
};

struct dd_app {
	/* content */
	const char *type, *category, *channel, *topic, *target, *province;
	char subject[256], body[1200];
	bool identity_hidden, anonymous, has_tckn;
	unsigned char sealed[BM_TCKN_ENC_LEN], mac[BM_HMAC_LEN];
	size_t sealed_len;
	char first[64], last[64], email[128], phone[24], address[300]; /* "" = NULL */
	/* state, as the events left it */
	const char *status, *outcome, *reason, *assigned;
	int64_t created, received, due, extended, answered, closed, updated;
	struct dd_event ev[DD_MAX_EVENTS];
	int nev;
	struct dd_appeal appeal;
	char text[2][700]; /* answer texts (a reopened application is answered twice) */
	/* from the database (load.c) */
	char no[BM_APPNO_SIZE];
	long long id;
};

#endif
