// SPDX-License-Identifier: MIT
/*
 * The worker's own settings, read once from the environment at start-up
 * (the shared ones come from bm_cfg). Every value has a production default;
 * the test stack shortens the intervals so its tests finish quickly. A
 * malformed value stops the worker with a message naming the variable.
 *
 *   BIMER_WORKER_TICK_MS      500   idle poll interval (a full batch polls again at once)
 *   BIMER_WORKER_BATCH        50    outbox rows / applications per pass
 *   BIMER_MAIL_MAX_ATTEMPTS   10    attempts before a mail is marked failed
 *   BIMER_MAIL_RETRY_BASE_MS  5000  first retry delay; doubled per attempt
 *   BIMER_MAIL_RETRY_MAX_S    3600  cap of the retry delay
 *   BIMER_MAIL_LOCK_S         60    a claim's lifetime: a worker killed mid-send
 *                                   leaves its row claimable again after this
 *   BIMER_SMTP_TIMEOUT_S      20    one SMTP transaction; must be below the lock,
 *                                   so a live sender never loses its claim
 *   BIMER_DEADLINE_SWEEP_MS   60000 how often the deadline sweeps (reminder,
 *                                   overdue, deemed rejection) look for work
 *                                   when idle; a full batch runs again at once;
 *                                   0 turns them off in this worker (a test
 *                                   stack whose services' clocks are moved)
 *   BIMER_REMINDER_DAYS       2     remind the holding institution this many
 *                                   business days before the due day (0: on it)
 *   BIMER_MONTHLY_REPORTS     1     build, store and mail each finished month's
 *                                   reports (reports.c); 0: not in this worker
 *   BIMER_REPORT_REFRESH_S    300   how often the current month's report
 *                                   aggregate is rebuilt (reports.c); 0: never
 *   BIMER_REPORTS_TEST_NOW    unset only with BIMER_TEST_CLOCK=1: the moment
 *                                   (2024-02-01T00:10:00+03:00) the monthly run
 *                                   and the aggregate take for now, so a test
 *                                   chooses its month
 *   BIMER_RETENTION_DAYS      3650  days after an application closed before it
 *                                   is anonymised (retention.c); the period is
 *                                   the data controller's retention policy's
 *                                   (KVKK art. 7), ten years unless it says else
 *   BIMER_RETENTION_EXPIRED_DAYS 30 the same for an application that expired
 *                                   unverified (D7): never received (D5), it is
 *                                   kept only for the applicant's questions
 *   BIMER_RETENTION_SWEEP_MS  60000 how often retention.c looks for work when
 *                                   idle; 0 turns it off in this worker
 *   BIMER_ATTACHMENT_UNCLAIMED_HOURS 24 an upload no application or appeal
 *                                   claimed by then is deleted (retention.c)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "worker.h"

struct knob {
	const char *name;
	unsigned long long def, min, max;
	long *dst;
};

static int read_knob(const struct knob *k, char *err, size_t errlen)
{
	const char *v = getenv(k->name);
	unsigned long long n = k->def;

	if (v && *v && (bm_parse_uint(v, k->max, &n) || n < k->min)) {
		snprintf(err, errlen, "%s must be a whole number from %llu to %llu", k->name,
		         k->min, k->max);
		return -1;
	}
	*k->dst = (long)n;
	return 0;
}

/* BIMER_REPORTS_TEST_NOW, honoured on a test stack (BIMER_TEST_CLOCK=1) only. */
static int reports_now_load(struct worker_settings *s, char *err, size_t errlen)
{
	const char *v = getenv("BIMER_REPORTS_TEST_NOW"), *clock = getenv("BIMER_TEST_CLOCK");
	struct tm tm = {0};
	int y, mo, d, h, mi, sec, oh, om;
	char sign;

	s->reports_now = 0;
	if (!v || !*v || !clock || strcmp(clock, "1"))
		return 0;
	if (sscanf(v, "%4d-%2d-%2dT%2d:%2d:%2d%c%2d:%2d", &y, &mo, &d, &h, &mi, &sec, &sign, &oh,
	           &om) != 9 ||
	    (sign != '+' && sign != '-') || y < 2000 || mo < 1 || mo > 12) {
		snprintf(err, errlen,
		         "BIMER_REPORTS_TEST_NOW must look like 2024-02-01T00:10:00+03:00");
		return -1;
	}
	tm = (struct tm){.tm_year = y - 1900,
	                 .tm_mon = mo - 1,
	                 .tm_mday = d,
	                 .tm_hour = h,
	                 .tm_min = mi,
	                 .tm_sec = sec};
	s->reports_now = timegm(&tm) - (sign == '+' ? 1 : -1) * (oh * 3600L + om * 60L);
	return 0;
}

int worker_settings_load(struct worker_settings *s, char *err, size_t errlen)
{
	const struct knob knobs[] = {
	    {"BIMER_WORKER_TICK_MS", 500, 10, 60000, &s->tick_ms},
	    {"BIMER_WORKER_BATCH", 50, 1, 1000, &s->batch},
	    {"BIMER_MAIL_MAX_ATTEMPTS", 10, 1, 100, &s->max_attempts},
	    {"BIMER_MAIL_RETRY_BASE_MS", 5000, 10, 3600000, &s->retry_base_ms},
	    {"BIMER_MAIL_RETRY_MAX_S", 3600, 1, 7 * 86400, &s->retry_max_s},
	    {"BIMER_MAIL_LOCK_S", 60, 2, 3600, &s->lock_s},
	    {"BIMER_SMTP_TIMEOUT_S", 20, 1, 600, &s->smtp_timeout_s},
	    {"BIMER_DEADLINE_SWEEP_MS", 60000, 0, 3600000, &s->sweep_ms},
	    {"BIMER_REMINDER_DAYS", 2, 0, 30, &s->reminder_days},
	    {"BIMER_MONTHLY_REPORTS", 1, 0, 1, &s->monthly_reports},
	    {"BIMER_REPORT_REFRESH_S", 300, 0, 86400, &s->report_refresh_s},
	    {"BIMER_RETENTION_DAYS", 3650, 1, 36500, &s->retention_days},
	    {"BIMER_RETENTION_EXPIRED_DAYS", 30, 1, 36500, &s->retention_expired_days},
	    {"BIMER_RETENTION_SWEEP_MS", 60000, 0, 86400000, &s->retention_sweep_ms},
	    {"BIMER_ATTACHMENT_UNCLAIMED_HOURS", 24, 1, 8760, &s->unclaimed_hours},
	};

	for (size_t i = 0; i < sizeof knobs / sizeof knobs[0]; i++)
		if (read_knob(&knobs[i], err, errlen))
			return -1;
	if (reports_now_load(s, err, errlen))
		return -1;
	if (s->smtp_timeout_s >= s->lock_s) {
		snprintf(err, errlen,
		         "BIMER_SMTP_TIMEOUT_S (%ld) must be below BIMER_MAIL_LOCK_S (%ld)",
		         s->smtp_timeout_s, s->lock_s);
		return -1;
	}
	return 0;
}
