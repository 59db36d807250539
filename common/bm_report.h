// SPDX-License-Identifier: MIT
/*
 * bm_report: the monthly reports of rules.md M1 — for the centre (scope
 * all), a province (province:NN) and an institution's tree
 * (institution:CODE). The routing service answers them on
 * GET /api/v1/reports/monthly and the worker stores every finished month's
 * reports once, so both use this one engine: query → aggregate → JSON, and
 * JSON → CSV (RFC 4180) or a printable Turkish HTML page with inline SVG.
 *
 * Definitions (months are Europe/Istanbul calendar months, +03:00; the
 * record's times are UTC):
 *   - applications: received in the month (received_at in it), by type,
 *     category, channel, topic and their status when the report was made;
 *   - outcomes: answers given in the month (answered_at in it, status
 *     answered or not_processed): positive, negative, partial, not
 *     processed by reason code, and late ones (answered_at > due_at). The
 *     record keeps an application's latest answer: one that BEDK sent back
 *     and that is not answered again is no longer counted live (a stored
 *     report keeps what was true when it was made);
 *   - response_time_days: over those answers, the Istanbul calendar days
 *     from the day of receipt to the day of the answer (same day = 0); mean
 *     rounded half up to two decimals, median and p90 by nearest rank (the
 *     value at rank ceil(p·n/100) of the sorted values);
 *   - overdue: applications whose due time fell in the month while they
 *     were still open (closed_at empty or later than due_at);
 *   - deemed_rejected: `deemed_rejected` events in the month (D4);
 *   - appeals: filed in the month (filed_at), decided in the month
 *     (decided_at) by decision.
 * An application belongs to province NN when its province_code is NN, or,
 * without one, when its holding institution's is; to institution:CODE when
 * the institution holding it (the one that answered, once answered) is CODE
 * or below it in the tree. Events and appeals follow their application.
 */
#ifndef BM_REPORT_H
#define BM_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "bm_cfg.h"
#include "bm_err.h"

struct bm_db;

enum bm_report_kind { BM_REPORT_ALL, BM_REPORT_PROVINCE, BM_REPORT_INSTITUTION };

#define BM_REPORT_CODE_LEN  64
#define BM_REPORT_SCOPE_LEN (sizeof "institution:" + BM_REPORT_CODE_LEN)

struct bm_report_scope {
	enum bm_report_kind kind;
	char code[BM_REPORT_CODE_LEN + 1]; /* "06" or "SAGLIK"; "" for all */
};

struct bm_report_month {
	int year, month; /* month 1..12 */
};

/* "2026-10" → month; false unless exactly YYYY-MM with a month 01..12 and a year 2000..9999. */
bool bm_report_month_parse(const char *s, struct bm_report_month *out);
void bm_report_month_format(struct bm_report_month m, char out[8]);
/* The Istanbul calendar month containing t; the one before m. */
struct bm_report_month bm_report_month_of(time_t t);
struct bm_report_month bm_report_month_prev(struct bm_report_month m);
/* <0, 0, >0 as a is before, equal to or after b. */
int bm_report_month_cmp(struct bm_report_month a, struct bm_report_month b);
/* The first moment of the month (00:00 Istanbul) as a UTC epoch. */
time_t bm_report_month_start(struct bm_report_month m);

/* "all", "province:06", "institution:SAGLIK" ↔ scope; false on anything else. */
bool bm_report_scope_parse(const char *s, struct bm_report_scope *out);
void bm_report_scope_format(const struct bm_report_scope *s, char out[BM_REPORT_SCOPE_LEN]);

/*
 * Whether the scope exists (a province of the provinces table, an
 * institution of the tree that is not outside the system) and its Turkish
 * name ("Tüm kurumlar", "Ankara", "Sağlık Bakanlığı") into name.
 */
enum bm_err bm_report_scope_name(struct bm_db *db, const struct bm_report_scope *s, char *name,
                                 size_t cap, bool *exists);

/*
 * A month's parts: its figures split by holding institution and province,
 * additive, so every scope's figures are a sum of some of them
 * (bm_report_parts.c). Built from the record with one streamed pass per
 * section over the month (its own connection, from cfg); stored by the
 * worker as the month's aggregate (report_aggregates), valid until a given
 * moment; loaded back while valid (*out NULL otherwise). Caller frees.
 */
struct bm_report_parts;
enum bm_err bm_report_parts_build(struct bm_db *db, const struct bm_cfg *cfg,
                                  struct bm_report_month m, time_t now,
                                  struct bm_report_parts **out);
enum bm_err bm_report_parts_store(struct bm_db *db, const struct bm_report_parts *p,
                                  time_t valid_until);
enum bm_err bm_report_parts_load(struct bm_db *db, struct bm_report_month m, time_t now,
                                 struct bm_report_parts **out);
void bm_report_parts_free(struct bm_report_parts *p);
/* When the parts were computed. */
time_t bm_report_parts_time(const struct bm_report_parts *p);

#define BM_REPORT_SOURCE_MONTHS 2

/*
 * Where reports get their figures, kept across the reports of one request or
 * one monthly run: the parts of up to two months, made on first need. With
 * aggregates, a month's fresh aggregate is used when there is one (the API);
 * without, the parts are always built from the record (the monthly run).
 */
struct bm_report_source {
	struct bm_db *db;
	const struct bm_cfg *cfg;
	bool aggregates;
	struct bm_report_parts *parts[BM_REPORT_SOURCE_MONTHS];
	struct bm_report_month months[BM_REPORT_SOURCE_MONTHS];
};
void bm_report_source_init(struct bm_report_source *src, struct bm_db *db, const struct bm_cfg *cfg,
                           bool aggregates);
void bm_report_source_free(struct bm_report_source *src);

/* The figures of month m in scope s; *at (may be NULL) when they were computed. */
enum bm_err bm_report_figures(struct bm_report_source *src, const struct bm_report_scope *s,
                              struct bm_report_month m, time_t now, json_t **out, time_t *at);

/*
 * The whole report of month m for s: its figures (generated_at is when they
 * were computed) and those of the month before (that month's stored figures
 * when it was stored, else summed from its parts). stored is what the
 * document says of itself. BM_E_NOT_FOUND for a scope that does not exist.
 * Caller json_decrefs.
 */
enum bm_err bm_report_build(struct bm_report_source *src, const struct bm_report_scope *s,
                            struct bm_report_month m, time_t now, bool stored, json_t **out);

/* The stored report of m for s into *out (NULL when there is none). Caller json_decrefs. */
enum bm_err bm_report_load(struct bm_db *db, const struct bm_report_scope *s,
                           struct bm_report_month m, json_t **out);

/*
 * Store doc as the report of m for s unless one is stored already (the
 * first one stays: stored reports never change). *inserted tells which.
 */
enum bm_err bm_report_store(struct bm_db *db, const struct bm_report_scope *s,
                            struct bm_report_month m, const json_t *doc, bool *inserted);

/* The stored report if there is one, else one made at now (see bm_report_source). */
enum bm_err bm_report_get(struct bm_db *db, const struct bm_cfg *cfg,
                          const struct bm_report_scope *s, struct bm_report_month m, time_t now,
                          json_t **out);

/* A report document as text. Each returns a NUL-terminated buffer the caller frees; NULL on OOM. */
char *bm_report_json(const json_t *doc, size_t *len);
char *bm_report_csv(const json_t *doc, size_t *len);
char *bm_report_html(const json_t *doc, size_t *len);

/* The text of the HTML page's one <style> element (its SHA-256 is in nginx's CSP). */
extern const char bm_report_style[];

#endif
