// SPDX-License-Identifier: MIT
/*
 * bm_log: structured JSON-lines logs on stderr.
 *
 * One line per call, written with a single write(2) so lines from threads
 * never interleave. Request lines are the exception: each thread gathers
 * its own and writes them in blocks of up to BM_LOG_BLOCK bytes, when the
 * block is full, when a line comes in a later second than the block's
 * first (so a busy thread's lines are at most about a second behind),
 * before any other line of the thread, and when the thread is about to
 * wait for work (bm_conns_next calls bm_log_flush). That is one write per
 * many requests under load (one per request cost 2-5% of status look-ups,
 * tests/bench/RESULTS.md) and at once when idle. A crashed process loses
 * at most one block per thread of request lines of requests already
 * answered; warnings and errors are never held back.
 * Every message is scrubbed before it is written: any run
 * of 11 or more digits (a T.C. kimlik no, or part of one) is masked, as a
 * last line of defence — callers must still never pass an ID number,
 * password or token. Request lines carry the route pattern, never the raw
 * path, because paths can hold secrets (tracking codes, tokens).
 */
#ifndef BM_LOG_H
#define BM_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum bm_log_level { BM_LOG_DEBUG, BM_LOG_INFO, BM_LOG_WARN, BM_LOG_ERROR };

/* Set once at start-up, before threads: the service name and the minimum level. */
void bm_log_init(const char *service, enum bm_log_level min);

/* Log a message; req_id may be NULL. fmt is printf-style. */
void bm_log(enum bm_log_level lvl, const char *req_id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* One access line per request: route pattern (not the path), status, duration. */
void bm_log_request(const char *req_id, const char *method, const char *route, int status,
                    double ms);

#define BM_LOG_BLOCK 8192

/* Write the calling thread's gathered request lines now. */
void bm_log_flush(void);

/* Whether the calling thread holds request lines not yet written. */
bool bm_log_pending(void);

/* Mask digit runs of 11 or more in place (exposed for tests). */
void bm_log_scrub(char *s);

#endif
