// SPDX-License-Identifier: MIT
/*
 * bm_report_int: what the report engine's files share and nothing else
 * needs — the additive accumulator of figures (bm_report_acc.c), the
 * streamed queries (bm_report_stream.c), a growing text buffer for the CSV
 * and HTML renderers, the fixed keys of the figures and their Turkish labels.
 */
#ifndef BM_REPORT_INT_H
#define BM_REPORT_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "bm_cfg.h"
#include "bm_db.h"
#include "bm_err.h"

/* ---- the accumulator (bm_report_acc.c) ---------------------------------------------- */

/* The scalar counts, by offset in struct rp_acc's v[]. */
enum {
	RP_TOTAL = 0,    /* applications received */
	RP_TYPE = 1,     /* 2: dilekce, bilgi_edinme */
	RP_CATEGORY = 3, /* 5: istek … oneri */
	RP_CHANNEL = 8,  /* 5: internet … in_person */
	RP_STATUS = 13,  /* 6: received … deemed_rejected */
	RP_ANSWERS = 19, /* answers given */
	RP_OUTCOME = 20, /* 4: positive, negative, partial, not processed */
	RP_LATE = 24,    /* answers after the due time */
	RP_OVERDUE = 25,
	RP_DEEMED = 26,
	RP_FILED = 27, /* appeals */
	RP_DECIDED = 28,
	RP_DECISION = 29, /* 3: accepted, partially accepted, rejected */
	RP_ACC_SCALARS = 32
};

struct rp_count {
	char *key; /* NULL: applications without a topic */
	long long n;
};

struct rp_days {
	long long days, n;
};

/* The additive form of one report's figures. Zeroed = empty; free with rp_acc_free. */
struct rp_acc {
	long long v[RP_ACC_SCALARS];
	struct rp_count *topics, *reasons;
	size_t ntopics, captopics, nreasons, capreasons;
	struct rp_days *days; /* response times: days → answers */
	size_t ndays, capdays;
};

extern const char *const rp_type_keys[], *const rp_category_keys[], *const rp_channel_keys[],
                                                                        *const rp_status_keys[];

/* The position of s in a NULL-terminated key list, or -1. */
int rp_index(const char *const *keys, const char *s);

/* Add n applications (or answers, decisions) with these values. False on OOM. */
bool rp_acc_received(struct rp_acc *a, const char *type, const char *category, const char *channel,
                     const char *topic, const char *status, long long n);
bool rp_acc_answered(struct rp_acc *a, const char *status, const char *outcome, const char *reason,
                     long long days, bool late, long long n);
void rp_acc_decided(struct rp_acc *a, const char *decision, long long n);
/* dst += src. False on OOM. */
bool rp_acc_merge(struct rp_acc *dst, const struct rp_acc *src);
void rp_acc_free(struct rp_acc *a);
/* The API's figures of a sum (sorts a's lists). New reference; NULL on OOM. */
json_t *rp_acc_figures(struct rp_acc *a);
/* The stored form and back (rp_acc_load fills a zeroed a; false on a malformed form). */
json_t *rp_acc_dump(const struct rp_acc *a);
bool rp_acc_load(struct rp_acc *a, const json_t *j);

/* ---- parts (bm_report_parts.c) --------------------------------------------------------- */

struct bm_report_parts;
struct bm_report_scope;
/* out (zeroed here) = the sum of the parts in scope s. Caller rp_acc_frees. */
enum bm_err bm_report_parts_sum(struct bm_db *db, const struct bm_report_parts *p,
                                const struct bm_report_scope *s, struct rp_acc *out);

/* ---- streamed queries (bm_report_stream.c) ------------------------------------------ */

#define RP_STREAM_COLS 8

/* One row: its cells as text (NULL for SQL NULL). Returns false to stop (OOM). */
typedef bool (*rp_row_fn)(void *arg, const char *const *cells);

struct rp_stream;

/*
 * A connection of its own for reading a month's rows one by one, aggregated as
 * they come: a whole month through bm_db_run would hold every cell in memory.
 * Caller closes with rp_stream_close.
 */
enum bm_err rp_stream_open(const struct bm_cfg *cfg, struct rp_stream **out);
void rp_stream_close(struct rp_stream *s);
/* Run a prepared SELECT of at most RP_STREAM_COLS columns and call fn for every row. */
enum bm_err rp_stream_run(struct rp_stream *s, const char *sql, const struct bm_dbp *p, size_t n,
                          rp_row_fn fn, void *arg);

/* ---- text ------------------------------------------------------------------------------ */

/* A growing NUL-terminated buffer. After an allocation failure oom is set and writes stop. */
struct rp_buf {
	char *p;
	size_t len, cap;
	bool oom;
};

void rp_put(struct rp_buf *b, const char *s, size_t n);
void rp_puts(struct rp_buf *b, const char *s);
void rp_printf(struct rp_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s with & < > " ' escaped. */
void rp_html(struct rp_buf *b, const char *s);
/* The buffer's text for the caller to free (NULL after OOM; the buffer is freed then). */
char *rp_take(struct rp_buf *b, size_t *len);

/* A key of the figures with its Turkish label. */
struct rp_label {
	const char *key, *tr;
};

extern const struct rp_label rp_types[], rp_categories[], rp_channels[], rp_statuses[],
    rp_outcomes[];

/* The label of key in tbl (NULL-key terminated), or the key itself. */
const char *rp_label_of(const struct rp_label *tbl, const char *key);
/* The Turkish label of a reason code (rules.md), or NULL. */
const char *rp_reason_label(const char *code);
/* "Ekim 2026" of "2026-10"; false on a malformed month. */
bool rp_month_tr(const char *month, char out[32]);

/* A count at obj.key (0 when absent); a number or -1 when it is null/absent. */
long long rp_count(const json_t *obj, const char *key);
double rp_number(const json_t *obj, const char *key, bool *present);
/* figures.path, e.g. rp_at(f, "applications", "by_type"); NULL when absent. */
const json_t *rp_at(const json_t *obj, const char *a, const char *b);

#endif
