// SPDX-License-Identifier: MIT
/*
 * The appeal service's own periods (rules.md A2, A4), read once from the
 * environment at start-up, before any thread runs, and only read afterwards.
 * The shared periods (D2's 15 business days for the institution's new answer,
 * D4's silence period) come from bm_cfg.
 *
 *   BIMER_APPEAL_WINDOW_DAYS            15  A2: days to appeal (D6 counting)
 *   BIMER_BEDK_DECISION_BUSINESS_DAYS   30  A4: BEDK decides within
 *   BIMER_BEDK_INFORMATION_BUSINESS_DAYS 15 A4: an institution answers BEDK within
 */
#ifndef APPEAL_SETTINGS_H
#define APPEAL_SETTINGS_H

#include <stddef.h>

struct ap_settings {
	int window_days;
	int decision_days;
	int information_days;
};

/* Read the variables; -1 with a message naming the variable in err when one is malformed. */
int ap_settings_load(char *err, size_t errlen);

/* The loaded settings (defaults before ap_settings_load). */
const struct ap_settings *ap_settings(void);

#endif
