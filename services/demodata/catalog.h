// SPDX-License-Identifier: MIT
/*
 * The fixed lists the demo data is drawn from: topics (the centre's topic
 * codes, with their Turkish labels and the unit of the institution tree that
 * handles them), province populations, Turkish names and places, subjects,
 * bodies and the texts of answers, refusals and decisions. Nothing here is
 * personal data: names and places are combined at random.
 */
#ifndef DEMODATA_CATALOG_H
#define DEMODATA_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#define DD_PHRASES 4

struct dd_topic {
	const char *code;  /* applications.topic (BM_TOPIC_PATTERN) */
	const char *label; /* Turkish, for the README and reports */
	const char *unit;  /* tree code that answers it centrally; directorates below it locally */
	bool central_only; /* no local office handles it (foreign affairs, military service) */
	double weight;
	const char *phrases[DD_PHRASES]; /* subject matter, capitalised */
};

extern const struct dd_topic dd_topics[];
extern const size_t dd_ntopics;

/* Population in thousands by plate number (index 1..81; 0 unused). */
extern const double dd_province_population[82];

extern const char *const dd_female_names[], *const dd_male_names[], *const dd_last_names[];
extern const size_t dd_nfemale, dd_nmale, dd_nlast;
extern const char *const dd_neighbourhoods[], *const dd_streets[];
extern const size_t dd_nneighbourhoods, dd_nstreets;

/* Subject suffix and opening sentence by category ("bilgi_edinme" for information requests). */
const char *dd_subject_suffix(const char *category);
const char *dd_opening(const char *category);

extern const char *const dd_details[], *const dd_closings[];
extern const size_t dd_ndetails, dd_nclosings;

/* Reason codes (rules.md) with weights, and the sentence an answer gives for each. */
struct dd_reason {
	const char *code;
	double weight;
	const char *why;
};

extern const struct dd_reason dd_petition_reasons[], dd_info_reasons[], dd_info_exceptions[];
extern const size_t dd_npetition_reasons, dd_ninfo_reasons, dd_ninfo_exceptions;

extern const char *const dd_positive_texts[], *const dd_negative_texts[], *const dd_partial_texts[];
extern const size_t dd_npositive, dd_nnegative, dd_npartial;

extern const char *const dd_cancel_notes[], *const dd_extension_reasons[],
                                                *const dd_appeal_reasons[];
extern const size_t dd_ncancel_notes, dd_nextension_reasons, dd_nappeal_reasons;

/* BEDK's decision texts by decision. */
const char *dd_decision_text(const char *decision, size_t pick);

#endif
