// SPDX-License-Identifier: MIT
/*
 * bm_report_html: a monthly report as one printable Turkish page (A4), with
 * its charts drawn as inline SVG: no script, no external font, image or
 * style sheet. The page's only style is the one <style> element below,
 * bm_report_style, whose SHA-256 nginx's Content-Security-Policy for
 * /api/v1/reports/ names (nginx/snippets/headers-report.conf), so the page
 * is styled under a policy that allows nothing else; the charts use SVG
 * presentation attributes (fill, font-size), which a policy does not govern,
 * and never a style attribute. Figures are written the Turkish way
 * (1.234; 12,34) and carry their plain value in data-value attributes for
 * machines and tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_report.h"
#include "bm_report_int.h"

/* Keep byte for byte in step with the hash in nginx/snippets/headers-report.conf. */
const char bm_report_style[] =
    "\n@page{size:A4;margin:14mm}"
    "\n*{box-sizing:border-box}"
    "\nbody{margin:0;color:#1a1a1a;background:#fff;font:11pt/1.45 \"DejaVu Sans\","
    "\"Liberation Sans\",Arial,sans-serif}"
    "\n.band{background:#0b3d6e;color:#fff;padding:14px 24px;"
    "-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    "\n.band p{margin:0;font-size:10pt}"
    "\n.band h1{margin:4px 0;font-size:19pt}"
    "\nmain{padding:0 24px 24px;max-width:210mm}"
    "\nsection{margin:18px 0;break-inside:avoid-page}"
    "\nh2{font-size:14pt;color:#0b3d6e;border-bottom:2px solid #0b3d6e;padding-bottom:2px;"
    "margin:0 0 8px}"
    "\nh3{font-size:11pt;margin:12px 0 4px}"
    "\ntable{border-collapse:collapse;width:100%;font-size:10pt}"
    "\nth,td{border:1px solid #aab2bf;padding:3px 6px;text-align:left;vertical-align:top}"
    "\nthead th{background:#e8edf4}"
    "\n.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    "\n.good{color:#1b5e20}"
    "\n.bad{color:#b71c1c}"
    "\nfigure{margin:6px 0 12px;break-inside:avoid}"
    "\nfigure svg{display:block;max-width:100%;height:auto}"
    "\nfigcaption,.meta,footer,dl{font-size:9pt;color:#3d4450}"
    "\ndt{font-weight:bold;margin-top:4px}"
    "\ndd{margin:0 0 0 12px}"
    "\nfooter{border-top:1px solid #aab2bf;margin:0 24px;padding:8px 0}"
    "\n@media print{main{padding:0}footer{margin:0}}"
    "\n";

#define C_APPS     "#1f5fa8"
#define C_POSITIVE "#2e7d32"
#define C_NEGATIVE "#c62828"
#define C_PARTIAL  "#f9a825"
#define C_NOTPROC  "#6d4c41"
#define C_TIME     "#6a1b9a"
#define C_CURRENT  "#00838f"
#define C_PREVIOUS "#9e9e9e"

#define TOP_TOPICS 10

struct page {
	struct rp_buf b;
	const json_t *doc, *cur, *prev; /* the document, the month's and the previous figures */
	char month[32], pmonth[32];     /* "Ekim 2026" */
	int charts;                     /* ids of the charts' titles */
};

/* ---- numbers the Turkish way ---------------------------------------------------- */

/* 1234567 → "1.234.567". */
static void tr_int(long long v, char out[32])
{
	char raw[32];
	int n = snprintf(raw, sizeof raw, "%lld", v < 0 ? -v : v), o = 0;
	if (v < 0)
		out[o++] = '-';
	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			out[o++] = '.';
		out[o++] = raw[i];
	}
	out[o] = '\0';
}

/* 1234.5 → "1.234,50". */
static void tr_dec(double v, char out[40])
{
	long long hundredths = (long long)(v * 100.0 + (v < 0 ? -0.5 : 0.5));
	char whole[32];
	tr_int((hundredths < 0 ? -hundredths : hundredths) / 100, whole);
	snprintf(out, 40, "%s%s,%02lld", hundredths < 0 ? "-" : "", whole,
	         (hundredths < 0 ? -hundredths : hundredths) % 100);
}

/* A figure's text: integers, reals with two decimals, "—" when there is none. */
static void tr_value(const json_t *v, char out[40])
{
	if (json_is_integer(v))
		tr_int((long long)json_integer_value(v), out);
	else if (json_is_real(v))
		tr_dec(json_real_value(v), out);
	else
		snprintf(out, 40, "—");
}

/* ---- charts -------------------------------------------------------------------------- */

struct bar {
	const char *label;
	long long value;
	const char *fill;
};

#define CHART_W 640
#define LABEL_W 200
#define BAR_MAX 340
#define ROW_H   24

static long long bar_width(long long v, long long max, long long room)
{
	if (v <= 0 || max <= 0)
		return 0;
	long long w = v * room / max;
	return w ? w : 1;
}

static void svg_open(struct page *pg, int height, const char *title)
{
	int id = ++pg->charts;
	rp_puts(&pg->b, "<h3>");
	rp_html(&pg->b, title);
	rp_puts(&pg->b, "</h3>");
	rp_printf(&pg->b,
	          "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	          "viewBox=\"0 0 %d %d\" role=\"img\" aria-labelledby=\"chart%d\" "
	          "font-size=\"12\"><title id=\"chart%d\">",
	          CHART_W, height, CHART_W, height, id, id);
	rp_html(&pg->b, title);
	rp_puts(&pg->b, "</title>");
}

static void svg_close(struct page *pg, const char *caption)
{
	rp_puts(&pg->b, "</svg>");
	if (caption) {
		rp_puts(&pg->b, "<figcaption>");
		rp_html(&pg->b, caption);
		rp_puts(&pg->b, "</figcaption>");
	}
	rp_puts(&pg->b, "</figure>\n");
}

/* One labelled bar at row y, scaled to max, with its value after it. */
static void svg_bar(struct page *pg, int y, int h, const char *label, long long v, long long max,
                    const char *fill)
{
	char num[32];
	long long w = bar_width(v, max, BAR_MAX);
	tr_int(v, num);
	if (label) {
		rp_printf(&pg->b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", LABEL_W - 8,
		          y + h / 2 + 4);
		rp_html(&pg->b, label);
		rp_puts(&pg->b, "</text>");
	}
	rp_printf(&pg->b,
	          "<rect x=\"%d\" y=\"%d\" width=\"%lld\" height=\"%d\" fill=\"%s\" "
	          "data-value=\"%lld\"/><text x=\"%lld\" y=\"%d\">%s</text>",
	          LABEL_W, y, w, h, fill, v, LABEL_W + w + 6, y + h / 2 + 4, num);
}

/* A horizontal bar chart of n bars. */
static void bars(struct page *pg, const char *title, const struct bar *v, size_t n,
                 const char *caption)
{
	long long max = 0;
	for (size_t i = 0; i < n; i++)
		max = v[i].value > max ? v[i].value : max;
	svg_open(pg, (int)n * ROW_H + 8, title);
	for (size_t i = 0; i < n; i++)
		svg_bar(pg, 4 + (int)i * ROW_H + 3, ROW_H - 6, v[i].label, v[i].value, max,
		        v[i].fill);
	svg_close(pg, caption);
}

/* Bars of the keys of a label table in figures.applications.<obj>. */
static void keyed_bars(struct page *pg, const char *obj, const struct rp_label *tbl,
                       const char *title)
{
	struct bar v[8];
	size_t n = 0;
	const json_t *o = rp_at(pg->cur, "applications", obj);
	for (; tbl[n].key && n < 8; n++)
		v[n] = (struct bar){tbl[n].tr, rp_count(o, tbl[n].key), C_APPS};
	bars(pg, title, v, n, NULL);
}

/* ---- tables ----------------------------------------------------------------------- */

/*
 * "▲ +12 (%10,5)" or "▼ −3"; "" when either value is missing. bad_up: a rise is bad news
 * (overdue, late, longer answers) and is marked so, a fall good; other rows stay neutral.
 */
static void change_cell(struct page *pg, const json_t *a, const json_t *b, bool bad_up)
{
	if (!json_is_number(a) || !json_is_number(b)) {
		rp_puts(&pg->b, "<td class=\"n\"></td>");
		return;
	}
	double x = json_number_value(a), y = json_number_value(b), d = x - y;
	char num[40], pct[48] = "";
	if (json_is_integer(a) && json_is_integer(b))
		tr_int((long long)(d < 0 ? -d : d), num);
	else
		tr_dec(d < 0 ? -d : d, num);
	if (y > 0) {
		char p[40];
		tr_dec(d < 0 ? -d * 100.0 / y : d * 100.0 / y, p);
		snprintf(pct, sizeof pct, " (%%%s)", p);
	}
	const char *cls = !bad_up || d == 0 ? "" : d > 0 ? "bad" : "good";
	rp_printf(&pg->b, "<td class=\"n %s\">%s%s%s</td>", cls,
	          d > 0   ? "▲ +"
	          : d < 0 ? "▼ −"
	                  : "",
	          num, pct);
}

static void value_cell(struct page *pg, const char *key, const json_t *v)
{
	char num[40];
	tr_value(v, num);
	rp_printf(&pg->b, "<td class=\"n\" data-key=\"%s\" data-value=\"", key);
	if (json_is_integer(v))
		rp_printf(&pg->b, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		rp_printf(&pg->b, "%.2f", json_real_value(v));
	rp_printf(&pg->b, "\">%s</td>", num);
}

/* One row of the summary: label, this month, the month before, the change. */
static void summary_row(struct page *pg, const char *sec, const char *key, const char *label,
                        bool bad_up)
{
	const json_t *a = json_object_get(sec ? json_object_get(pg->cur, sec) : pg->cur, key);
	const json_t *b = json_object_get(sec ? json_object_get(pg->prev, sec) : pg->prev, key);
	char path[96], ppath[112];
	snprintf(path, sizeof path, "%s%s%s", sec ? sec : "", sec ? "." : "", key);
	snprintf(ppath, sizeof ppath, "previous.%s", path);
	rp_puts(&pg->b, "<tr><th scope=\"row\">");
	rp_html(&pg->b, label);
	rp_puts(&pg->b, "</th>");
	value_cell(pg, path, a);
	value_cell(pg, ppath, b);
	change_cell(pg, a, b, bad_up);
	rp_puts(&pg->b, "</tr>\n");
}

static const struct {
	const char *sec, *key, *label;
	bool bad_up;
} headline[] = {
    {"applications", "total", "Ay içinde alınan başvurular", false},
    {"outcomes", "total", "Ay içinde verilen cevaplar", false},
    {"outcomes", "positive", "Olumlu", false},
    {"outcomes", "negative", "Olumsuz", false},
    {"outcomes", "partial", "Kısmen olumlu", false},
    {"outcomes", "not_processed", "İşleme konmadı", false},
    {"outcomes", "late", "Süresi geçtikten sonra verilen cevaplar", true},
    {"response_time_days", "mean", "Ortalama cevap süresi (gün)", true},
    {"response_time_days", "median", "Ortanca cevap süresi (gün)", true},
    {"response_time_days", "p90", "90. yüzdelik cevap süresi (gün)", true},
    {NULL, "overdue", "Süresi aşılan başvurular", true},
    {NULL, "deemed_rejected", "Zımni ret", true},
    {"appeals", "filed", "BEDK'ye yapılan itirazlar", false},
    {"appeals", "decided", "Karara bağlanan itirazlar", false},
};
#define NHEADLINE (sizeof headline / sizeof headline[0])

static void summary(struct page *pg)
{
	rp_puts(&pg->b, "<section id=\"ozet\"><h2>Özet</h2><table><thead><tr><th>Gösterge</th>"
	                "<th class=\"n\">");
	rp_html(&pg->b, pg->month);
	rp_puts(&pg->b, "</th><th class=\"n\">");
	rp_html(&pg->b, pg->pmonth);
	rp_puts(&pg->b, "</th><th class=\"n\">Değişim</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < NHEADLINE; i++)
		summary_row(pg, headline[i].sec, headline[i].key, headline[i].label,
		            headline[i].bad_up);
	rp_puts(&pg->b, "</tbody></table></section>\n");
}

/* ---- sections ---------------------------------------------------------------------- */

/* Two bars per headline count (the month and the one before), each pair to its own scale. */
static void comparison(struct page *pg)
{
	static const size_t rows[] = {0, 1, 2, 3, 4, 5, 10, 11, 12};
	const size_t n = sizeof rows / sizeof rows[0];
	char title[160];
	snprintf(title, sizeof title, "%s ile %s karşılaştırması", pg->month, pg->pmonth);
	rp_puts(&pg->b, "<section id=\"karsilastirma\"><h2>Önceki ay ile karşılaştırma</h2>\n");
	svg_open(pg, 28 + (int)n * 34, title);
	rp_printf(&pg->b,
	          "<rect x=\"%d\" y=\"6\" width=\"12\" height=\"12\" fill=\"%s\"/>"
	          "<text x=\"%d\" y=\"16\">",
	          LABEL_W, C_CURRENT, LABEL_W + 18);
	rp_html(&pg->b, pg->month);
	rp_printf(&pg->b,
	          "</text><rect x=\"%d\" y=\"6\" width=\"12\" height=\"12\" fill=\"%s\"/>"
	          "<text x=\"%d\" y=\"16\">",
	          LABEL_W + 170, C_PREVIOUS, LABEL_W + 188);
	rp_html(&pg->b, pg->pmonth);
	rp_puts(&pg->b, "</text>");
	for (size_t i = 0; i < n; i++) {
		const char *sec = headline[rows[i]].sec, *key = headline[rows[i]].key;
		long long a = rp_count(sec ? json_object_get(pg->cur, sec) : pg->cur, key);
		long long b = rp_count(sec ? json_object_get(pg->prev, sec) : pg->prev, key);
		long long max = a > b ? a : b;
		int y = 28 + (int)i * 34;
		svg_bar(pg, y, 14, headline[rows[i]].label, a, max, C_CURRENT);
		svg_bar(pg, y + 15, 14, NULL, b, max, C_PREVIOUS);
	}
	svg_close(pg, "Her satırdaki iki çubuk kendi büyüğüne göre ölçeklenmiştir.");
	rp_puts(&pg->b, "</section>\n");
}

/* The most frequent topics, the rest summed as "Diğer konular". */
static void topic_bars(struct page *pg)
{
	const json_t *arr = rp_at(pg->cur, "applications", "by_topic");
	struct bar v[TOP_TOPICS + 1];
	size_t n = 0, i;
	long long rest = 0;
	const json_t *it;

	json_array_foreach(arr, i, it)
	{
		const char *t = json_string_value(json_object_get(it, "topic"));
		long long c = rp_count(it, "count");
		if (n < TOP_TOPICS)
			v[n++] = (struct bar){t ? t : "(konu belirtilmemiş)", c, C_APPS};
		else
			rest += c;
	}
	if (rest)
		v[n++] = (struct bar){"Diğer konular", rest, C_APPS};
	if (n)
		bars(pg, "Konulara göre başvurular", v, n,
		     json_array_size(arr) > TOP_TOPICS ? "En sık on konu ve diğerleri." : NULL);
	else
		rp_puts(&pg->b, "<p>Bu ay konusu belirtilmiş başvuru yok.</p>\n");
}

static void applications(struct page *pg)
{
	char total[32];
	tr_int(rp_count(rp_at(pg->cur, "applications", NULL), "total"), total);
	rp_printf(&pg->b,
	          "<section id=\"basvurular\"><h2>Başvurular</h2><p>Ay içinde alınan "
	          "başvuru sayısı: <strong>%s</strong>.</p>\n",
	          total);
	keyed_bars(pg, "by_type", rp_types, "Başvuru türüne göre");
	keyed_bars(pg, "by_category", rp_categories, "Dilekçe kategorisine göre");
	keyed_bars(pg, "by_channel", rp_channels, "Başvuru kanalına göre");
	topic_bars(pg);
	keyed_bars(pg, "by_status", rp_statuses, "Bu ay alınanların bugünkü durumu");
	rp_puts(&pg->b, "</section>\n");
}

static void reasons_table(struct page *pg)
{
	const json_t *r = rp_at(rp_at(pg->cur, "outcomes", NULL), "not_processed_by_reason", NULL);
	const char *k;
	const json_t *v;
	if (!json_object_size(r))
		return;
	rp_puts(&pg->b, "<h3>İşleme konmama gerekçeleri</h3><table><thead><tr><th>Kod</th>"
	                "<th>Gerekçe</th><th class=\"n\">Sayı</th></tr></thead><tbody>\n");
	json_object_foreach((json_t *)r, k, v)
	{
		const char *label = rp_reason_label(k);
		char num[32], key[96];
		tr_int(json_integer_value(v), num);
		snprintf(key, sizeof key, "outcomes.not_processed_by_reason.%s", k);
		rp_puts(&pg->b, "<tr><td>");
		rp_html(&pg->b, k);
		rp_puts(&pg->b, "</td><td>");
		rp_html(&pg->b, label ? label : "");
		rp_puts(&pg->b, "</td>");
		value_cell(pg, key, v);
		rp_puts(&pg->b, "</tr>\n");
	}
	rp_puts(&pg->b, "</tbody></table>\n");
}

static void outcomes(struct page *pg)
{
	const json_t *o = json_object_get(pg->cur, "outcomes");
	struct bar v[4];
	static const char *const fills[] = {C_POSITIVE, C_NEGATIVE, C_PARTIAL, C_NOTPROC};
	for (size_t i = 0; i < 4; i++)
		v[i] = (struct bar){rp_outcomes[i].tr, rp_count(o, rp_outcomes[i].key), fills[i]};
	rp_puts(&pg->b, "<section id=\"sonuclar\"><h2>Cevaplar ve sonuçları</h2>\n");
	bars(pg, "Ay içinde verilen cevapların sonuçları", v, 4, NULL);
	reasons_table(pg);
	rp_puts(&pg->b, "</section>\n");
}

static void response_times(struct page *pg)
{
	const json_t *t = json_object_get(pg->cur, "response_time_days");
	const json_t *d = json_object_get(t, "distribution");
	struct bar v[8];
	char labels[8][48], mean[40], median[40], p90[40];
	size_t n = 0, i;
	const json_t *it;

	json_array_foreach(d, i, it)
	{
		if (n == 8)
			break;
		const json_t *hi = json_object_get(it, "max_days");
		if (json_is_integer(hi))
			snprintf(labels[n], sizeof labels[n], "%lld–%lld gün",
			         rp_count(it, "min_days"), (long long)json_integer_value(hi));
		else
			snprintf(labels[n], sizeof labels[n], "%lld gün ve üzeri",
			         rp_count(it, "min_days"));
		v[n] = (struct bar){labels[n], rp_count(it, "count"), C_TIME};
		n++;
	}
	tr_value(json_object_get(t, "mean"), mean);
	tr_value(json_object_get(t, "median"), median);
	tr_value(json_object_get(t, "p90"), p90);
	rp_printf(&pg->b,
	          "<section id=\"sure\"><h2>Cevap süresi</h2><p>Ortalama <strong>%s</strong> gün, "
	          "ortanca <strong>%s</strong> gün, 90. yüzdelik <strong>%s</strong> gün.</p>\n",
	          mean, median, p90);
	bars(pg, "Cevap süresinin dağılımı (takvim günü)", v, n, NULL);
	rp_puts(&pg->b, "</section>\n");
}

static void deadlines(struct page *pg)
{
	static const struct {
		const char *sec, *key, *label;
		bool bad_up;
	} rows[] = {
	    {NULL, "overdue", "Süresi aşılan başvurular", true},
	    {NULL, "deemed_rejected", "Zımni ret (süresinde cevap verilmeyen)", true},
	    {"appeals", "filed", "BEDK'ye yapılan itirazlar", false},
	    {"appeals", "decided", "Karara bağlanan itirazlar", false},
	    {"appeals", "accepted", "— kabul", false},
	    {"appeals", "partially_accepted", "— kısmen kabul", false},
	    {"appeals", "rejected", "— ret", false},
	};
	rp_puts(&pg->b, "<section id=\"sureler\"><h2>Süre aşımı, zımni ret ve itirazlar</h2>"
	                "<table><thead><tr><th>Gösterge</th><th class=\"n\">");
	rp_html(&pg->b, pg->month);
	rp_puts(&pg->b, "</th><th class=\"n\">");
	rp_html(&pg->b, pg->pmonth);
	rp_puts(&pg->b, "</th><th class=\"n\">Değişim</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		summary_row(pg, rows[i].sec, rows[i].key, rows[i].label, rows[i].bad_up);
	rp_puts(&pg->b, "</tbody></table></section>\n");
}

static const char definitions[] =
    "<section id=\"tanimlar\"><h2>Tanımlar</h2><dl>"
    "<dt>Ay</dt><dd>İstanbul saatiyle (UTC+3) takvim ayı.</dd>"
    "<dt>Alınan başvurular</dt><dd>Alındığı an (internet başvurularında e-posta doğrulaması, "
    "diğer kanallarda kayıt) bu ay içinde olan başvurular; durumları raporun oluşturulduğu "
    "andaki durumlarıdır.</dd>"
    "<dt>Verilen cevaplar</dt><dd>Cevabı (olumlu, olumsuz, kısmen olumlu ya da işleme "
    "konmadı) bu ay içinde verilen başvurular, hangi ay alınmış olursa olsun. BEDK kararıyla "
    "kuruma geri gönderilen ve yeniden cevaplanmamış bir başvurunun eski cevabı canlı raporda "
    "sayılmaz.</dd>"
    "<dt>Cevap süresi</dt><dd>Başvurunun alındığı gün ile cevaplandığı gün arasındaki "
    "takvim günü (aynı gün: 0). Ortanca ve 90. yüzdelik, sıralı değerlerde en yakın sıra "
    "yöntemiyle bulunur.</dd>"
    "<dt>Süresi aşılan</dt><dd>Cevap süresinin son anı bu ay içinde dolan ve o anda hâlâ "
    "açık olan başvurular.</dd>"
    "<dt>Zımni ret</dt><dd>Bu ay içinde, süresinde cevap verilmediği için reddedilmiş "
    "sayılan başvurular (İYUK md. 10).</dd>"
    "<dt>İtirazlar</dt><dd>Bu ay BEDK'ye yapılan ve bu ay karara bağlanan itirazlar.</dd>"
    "<dt>Kapsam</dt><dd>İl: başvurunun ili, yoksa başvuruyu elinde tutan kurumun ili. "
    "Kurum: başvuruyu elinde tutan (cevaplayan) kurum, bu kurum ya da ona bağlı birimlerden "
    "biridir.</dd></dl></section>\n";

/* "01.10.2026 00:00" of an ISO time, or the text itself. */
static void tr_time(const char *iso, char out[32])
{
	int y, mo, d, h, mi;
	if (iso && sscanf(iso, "%4d-%2d-%2dT%2d:%2d", &y, &mo, &d, &h, &mi) == 5)
		snprintf(out, 32, "%02d.%02d.%04d %02d:%02d", d % 100, mo % 100, y % 10000, h % 100,
		         mi % 100);
	else
		snprintf(out, 32, "%s", iso ? iso : "");
}

static void head(struct page *pg)
{
	const char *scope = json_string_value(json_object_get(pg->doc, "scope"));
	const char *name = json_string_value(json_object_get(pg->doc, "scope_name"));
	const char *gen = json_string_value(json_object_get(pg->doc, "generated_at"));
	bool stored = json_is_true(json_object_get(pg->doc, "stored"));
	char at[32];

	rp_puts(&pg->b, "<!DOCTYPE html>\n<html lang=\"tr\"><head><meta charset=\"utf-8\">"
	                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	                "<title>BİMER aylık raporu — ");
	rp_html(&pg->b, pg->month);
	rp_puts(&pg->b, " — ");
	rp_html(&pg->b, name ? name : "");
	rp_printf(&pg->b,
	          "</title><style>%s</style></head>\n<body><header class=\"band\">"
	          "<p>BİMER — Başbakanlık İletişim Merkezi</p><h1>Aylık rapor: ",
	          bm_report_style);
	rp_html(&pg->b, pg->month);
	rp_puts(&pg->b, "</h1><p>Kapsam: ");
	rp_html(&pg->b, name ? name : "");
	rp_puts(&pg->b, " (");
	rp_html(&pg->b, scope ? scope : "");
	rp_puts(&pg->b, ")</p></header>\n<main><p class=\"meta\">");
	tr_time(gen, at);
	if (stored)
		rp_printf(&pg->b,
		          "Bu rapor %s tarihinde aylık çalışmayla oluşturulup saklanmıştır; "
		          "sonradan gelen kayıtlar onu değiştirmez.",
		          at);
	else
		rp_printf(&pg->b, "Canlı rapor: kayıtlardan %s itibarıyla hesaplanmıştır.", at);
	rp_puts(&pg->b, " Önceki ay (");
	rp_html(&pg->b, pg->pmonth);
	rp_printf(&pg->b, ") %s.</p>\n",
	          json_is_true(rp_at(pg->doc, "previous_month", "stored"))
	              ? "saklanmış raporundan alınmıştır"
	              : "kayıtlardan hesaplanmıştır");
}

char *bm_report_html(const json_t *doc, size_t *len)
{
	struct page pg = {.doc = doc,
	                  .cur = json_object_get(doc, "figures"),
	                  .prev = rp_at(json_object_get(doc, "previous_month"), "figures", NULL)};
	const char *m = json_string_value(json_object_get(doc, "month"));
	const char *pm = json_string_value(rp_at(doc, "previous_month", "month"));
	if (!rp_month_tr(m, pg.month))
		snprintf(pg.month, sizeof pg.month, "%s", m ? m : "");
	if (!rp_month_tr(pm, pg.pmonth))
		snprintf(pg.pmonth, sizeof pg.pmonth, "önceki ay");

	head(&pg);
	summary(&pg);
	comparison(&pg);
	applications(&pg);
	outcomes(&pg);
	response_times(&pg);
	deadlines(&pg);
	rp_puts(&pg.b, definitions);
	rp_puts(&pg.b, "</main><footer>BİMER aylık raporu, rules.md M1. Bu sayfa yazdırılmak "
	               "üzere hazırlanmıştır (A4).</footer></body></html>\n");
	return rp_take(&pg.b, len);
}
