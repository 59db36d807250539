// SPDX-License-Identifier: MIT
/*
 * bm_report_fmt: what the CSV and HTML renderers of the monthly report
 * share — the growing text buffer, the Turkish labels of the figures' keys
 * and of the reason codes (rules.md), month names, and typed reads of a
 * report document (which may come back from storage, so nothing in it is
 * trusted to be present).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_report.h"
#include "bm_report_int.h"

static bool grow(struct rp_buf *b, size_t more)
{
	if (b->oom)
		return false;
	if (b->len + more + 1 <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + more + 1)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void rp_put(struct rp_buf *b, const char *s, size_t n)
{
	if (!grow(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void rp_puts(struct rp_buf *b, const char *s)
{
	rp_put(b, s, strlen(s));
}

void rp_printf(struct rp_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !grow(b, (size_t)n)) {
		b->oom = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void rp_html(struct rp_buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': rp_puts(b, "&amp;"); break;
		case '<': rp_puts(b, "&lt;"); break;
		case '>': rp_puts(b, "&gt;"); break;
		case '"': rp_puts(b, "&quot;"); break;
		case '\'': rp_puts(b, "&#39;"); break;
		default: rp_put(b, s, 1);
		}
	}
}

char *rp_take(struct rp_buf *b, size_t *len)
{
	if (b->oom || !grow(b, 0)) {
		free(b->p);
		*b = (struct rp_buf){0};
		return NULL;
	}
	char *p = b->p;
	if (len)
		*len = b->len;
	*b = (struct rp_buf){0};
	return p;
}

const struct rp_label rp_types[] = {
    {"dilekce", "Dilekçe"}, {"bilgi_edinme", "Bilgi edinme"}, {NULL, NULL}};
const struct rp_label rp_categories[] = {{"istek", "İstek"}, {"sikayet", "Şikâyet"},
                                         {"ihbar", "İhbar"}, {"gorus", "Görüş"},
                                         {"oneri", "Öneri"}, {NULL, NULL}};
const struct rp_label rp_channels[] = {{"internet", "İnternet"}, {"phone", "Telefon (Alo 150)"},
                                       {"fax", "Faks"},          {"letter", "Mektup"},
                                       {"in_person", "Şahsen"},  {NULL, NULL}};
const struct rp_label rp_statuses[] = {{"received", "Alındı"},
                                       {"in_progress", "İşlemde"},
                                       {"answered", "Cevaplandı"},
                                       {"not_processed", "İşleme konmadı"},
                                       {"cancelled", "İptal edildi"},
                                       {"deemed_rejected", "Zımni ret"},
                                       {NULL, NULL}};
const struct rp_label rp_outcomes[] = {{"positive", "Olumlu"},
                                       {"negative", "Olumsuz"},
                                       {"partial", "Kısmen olumlu"},
                                       {"not_processed", "İşleme konmadı"},
                                       {NULL, NULL}};

static const struct rp_label reasons[] = {
    {"NO_SUBJECT", "Konusu belirsiz"},
    {"JUDICIAL", "Yargı mercii önünde veya yargı kararıyla ilgili"},
    {"MISSING_IDENTITY", "Kimlik veya adres bilgisi eksik"},
    {"ANON_NO_EVIDENCE", "Delil içermeyen isimsiz başvuru"},
    {"INSULT_PERSONAL_RIGHTS", "Hakaret veya kişilik haklarına saldırı"},
    {"FALSE_ACCUSATION", "İftira niteliğinde"},
    {"FOREIGNER_INELIGIBLE", "Yabancının başvuru hakkı yok"},
    {"INSTITUTION_OUT_OF_SCOPE", "Kurum sistemin kapsamı dışında"},
    {"REPEAT_NO_NEW_EVIDENCE", "Yeni delil içermeyen tekrar başvuru"},
    {"BE_MISSING_TCKN_OR_FORM", "T.C. kimlik no veya form eksik"},
    {"BE_PHONE_NOT_ALLOWED", "Telefonla bilgi edinme yapılamaz"},
    {"BE_PUBLISHED", "Yayımlanmış bilgi (md. 8)"},
    {"BE_NEEDS_RESEARCH", "Ayrı bir çalışma gerektiriyor (md. 7)"},
    {"BE_INCOMPLETE_ACT", "Tamamlanmamış işlem (md. 7)"},
    {"BE_FEE_UNPAID_WITHDRAWN", "Ücret ödenmedi, geri çekilmiş sayıldı (md. 11)"},
    {"BE_EXC_16", "Devlet sırrı (md. 16)"},
    {"BE_EXC_17", "Ülkenin ekonomik çıkarları (md. 17)"},
    {"BE_EXC_18", "İstihbarat (md. 18)"},
    {"BE_EXC_19", "İdari soruşturma (md. 19)"},
    {"BE_EXC_20", "Adli soruşturma ve kovuşturma (md. 20)"},
    {"BE_EXC_21", "Özel hayatın gizliliği (md. 21)"},
    {"BE_EXC_22", "Haberleşmenin gizliliği (md. 22)"},
    {"BE_EXC_23", "Ticari sır (md. 23)"},
    {"BE_EXC_24", "Fikir ve sanat eserleri (md. 24)"},
    {"BE_EXC_25", "Kurum içi düzenlemeler (md. 25)"},
    {"BE_EXC_26", "Kurum içi görüş ve bilgi notları (md. 26)"},
    {"BE_EXC_27", "Tavsiye ve mütalaa talepleri (md. 27)"},
    {NULL, NULL}};

const char *rp_label_of(const struct rp_label *tbl, const char *key)
{
	for (size_t i = 0; key && tbl[i].key; i++)
		if (!strcmp(tbl[i].key, key))
			return tbl[i].tr;
	return key ? key : "";
}

const char *rp_reason_label(const char *code)
{
	for (size_t i = 0; code && reasons[i].key; i++)
		if (!strcmp(reasons[i].key, code))
			return reasons[i].tr;
	return NULL;
}

bool rp_month_tr(const char *month, char out[32])
{
	static const char *const names[] = {"Ocak",  "Şubat",   "Mart",   "Nisan",
	                                    "Mayıs", "Haziran", "Temmuz", "Ağustos",
	                                    "Eylül", "Ekim",    "Kasım",  "Aralık"};
	struct bm_report_month m;
	if (!bm_report_month_parse(month, &m))
		return false;
	snprintf(out, 32, "%s %d", names[m.month - 1], m.year);
	return true;
}

long long rp_count(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);
	return json_is_integer(v) ? (long long)json_integer_value(v) : 0;
}

double rp_number(const json_t *obj, const char *key, bool *present)
{
	const json_t *v = json_object_get(obj, key);
	*present = json_is_number(v);
	return *present ? json_number_value(v) : 0.0;
}

const json_t *rp_at(const json_t *obj, const char *a, const char *b)
{
	const json_t *v = json_object_get(obj, a);
	return b ? json_object_get(v, b) : v;
}
