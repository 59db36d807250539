// SPDX-License-Identifier: MIT
/*
 * The appeal service's periods: see settings.h. Periods are configuration,
 * never constants (rules.md: laws change).
 */
#include "settings.h"

#include <stdio.h>
#include <stdlib.h>

#include "bm_cfg.h"

static struct ap_settings loaded = {15, 30, 15};

struct knob {
	const char *name;
	unsigned long long def, min, max;
	int *dst;
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
	*k->dst = (int)n;
	return 0;
}

int ap_settings_load(char *err, size_t errlen)
{
	const struct knob knobs[] = {
	    {"BIMER_APPEAL_WINDOW_DAYS", 15, 1, 365, &loaded.window_days},
	    {"BIMER_BEDK_DECISION_BUSINESS_DAYS", 30, 1, 365, &loaded.decision_days},
	    {"BIMER_BEDK_INFORMATION_BUSINESS_DAYS", 15, 1, 365, &loaded.information_days},
	};

	for (size_t i = 0; i < sizeof knobs / sizeof knobs[0]; i++)
		if (read_knob(&knobs[i], err, errlen))
			return -1;
	return 0;
}

const struct ap_settings *ap_settings(void)
{
	return &loaded;
}
