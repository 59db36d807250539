// SPDX-License-Identifier: MIT
/*
 * Applicants: see people.h.
 */
#include "people.h"

#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "rng.h"

#define SALT_PERSON 0x5045525aULL

int dd_pick_province(struct dd_rng *r)
{
	size_t plate = dd_rng_weighted(r, dd_province_population, 82);
	return plate ? (int)plate : 6;
}

/* Digits with valid check digits (rules.md W3): d10 and d11 from the first nine. */
static void make_tckn(struct dd_rng *r, bool foreign, char out[12])
{
	int d[11], odd = 0, even = 0, sum = 0;
	d[0] = foreign ? 9 : 1 + (int)dd_rng_below(r, 9);
	d[1] = foreign ? 9 : (int)dd_rng_below(r, 10);
	for (int i = 2; i < 9; i++)
		d[i] = (int)dd_rng_below(r, 10);
	for (int i = 0; i < 9; i += 2)
		odd += d[i];
	for (int i = 1; i < 8; i += 2)
		even += d[i];
	d[9] = ((odd * 7 - even) % 10 + 10) % 10;
	for (int i = 0; i < 10; i++)
		sum += d[i];
	d[10] = sum % 10;
	for (int i = 0; i < 11; i++)
		out[i] = (char)('0' + d[i]);
	out[11] = '\0';
}

/* ASCII lower case of a Turkish name, for e-mail addresses. */
static void ascii_lower(const char *in, char *out, size_t cap)
{
	static const char *const map[][2] = {{"ç", "c"}, {"Ç", "c"}, {"ğ", "g"}, {"Ğ", "g"},
	                                     {"ı", "i"}, {"İ", "i"}, {"ö", "o"}, {"Ö", "o"},
	                                     {"ş", "s"}, {"Ş", "s"}, {"ü", "u"}, {"Ü", "u"}};
	size_t n = 0;
	while (*in && n + 1 < cap) {
		size_t k = 0;
		for (; k < sizeof map / sizeof map[0]; k++)
			if (!strncmp(in, map[k][0], strlen(map[k][0])))
				break;
		if (k < sizeof map / sizeof map[0]) {
			out[n++] = map[k][1][0];
			in += strlen(map[k][0]);
		} else {
			char ch = *in++;
			out[n++] = (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
		}
	}
	out[n] = '\0';
}

void dd_person_make(const struct dd_tree *t, uint64_t seed, uint64_t k, struct dd_person *p)
{
	static const char *const domains[] = {"eposta.example", "posta.example", "mail.example"};
	struct dd_rng r;
	char a[40], b[40];

	dd_rng_init(&r, seed, SALT_PERSON, k);
	p->foreign = dd_rng_chance(&r, 0.012);
	make_tckn(&r, p->foreign, p->tckn);
	p->plate = dd_pick_province(&r);
	bool female = dd_rng_chance(&r, 0.5);
	snprintf(p->first, sizeof p->first, "%s",
	         female ? dd_female_names[dd_rng_below(&r, dd_nfemale)]
	                : dd_male_names[dd_rng_below(&r, dd_nmale)]);
	snprintf(p->last, sizeof p->last, "%s", dd_last_names[dd_rng_below(&r, dd_nlast)]);
	ascii_lower(p->first, a, sizeof a);
	ascii_lower(p->last, b, sizeof b);
	snprintf(p->email, sizeof p->email, "%s.%s%llu@%s", a, b, (unsigned long long)(k % 1000),
	         domains[dd_rng_below(&r, 3)]);
	snprintf(p->phone, sizeof p->phone, "05%02d%07llu", 30 + (int)dd_rng_below(&r, 26),
	         (unsigned long long)dd_rng_below(&r, 10000000));
	snprintf(p->address, sizeof p->address, "%s Mahallesi %s Sokak No: %d Daire: %d, Merkez/%s",
	         dd_neighbourhoods[dd_rng_below(&r, dd_nneighbourhoods)],
	         dd_streets[dd_rng_below(&r, dd_nstreets)], 1 + (int)dd_rng_below(&r, 120),
	         1 + (int)dd_rng_below(&r, 24), t->province_name[p->plate]);
}
