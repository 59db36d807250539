// SPDX-License-Identifier: MIT
/*
 * The monthly report viewer (personel/rapor.html → GET /api/v1/reports/monthly, rule M1):
 * the month and scope the API takes (all, province:NN, institution:CODE, or the caller's
 * own by default); format=json drawn as tables, each figure beside the previous month's;
 * format=csv and format=html offered as downloads, fetched with the bearer token and
 * handed over as a Blob. The API decides who sees which scope (403, 404). The monthly
 * mail links here with ?ay=YYYY-MM&kapsam=SCOPE: that report is shown at once.
 */

import { get, download, query, requireSession, ApiError } from './api.js';
import { CATEGORY, CHANNEL, OUTCOME, REASON, STATUS, TOPIC, TYPE, label } from './labels.js';
import { attachInstitutionSearch, fillProvinces } from './kurum.js';
import { $, fill, facts, busy, clearErrors, formatDateTime, showApiError, showErrors, staffHeader, table, value } from './ui.js';

requireSession();
staffHeader();

const form = $('#rapor-formu');
const out = $('#rapor');
const note = $('#indirme-durumu');
const institution = attachInstitutionSearch($('#rapor-kurum'), { name: 'institution_code', exclude: (i) => i.kind === 'external' });
fillProvinces($('#il'));

const MONTHS = ['Ocak', 'Şubat', 'Mart', 'Nisan', 'Mayıs', 'Haziran', 'Temmuz', 'Ağustos', 'Eylül', 'Ekim', 'Kasım', 'Aralık'];

function monthName(m) {
  const [y, mo] = m.split('-').map(Number);
  return `${MONTHS[mo - 1]} ${y}`;
}

function scopeName(s) {
  if (s === 'all') return 'tüm ülke';
  if (s.startsWith('province:')) return `il ${s.slice(9)}`;
  if (s.startsWith('institution:')) return `kurum ${s.slice(12)}`;
  return s;
}

form.addEventListener('change', (e) => {
  if (e.target.name !== 'kapsam') return;
  $('#il-alani').hidden = e.target.value !== 'province';
  $('#rapor-kurum').hidden = e.target.value !== 'institution';
});

/** The query of the form, or null after showing what is wrong. */
function params(format) {
  const month = value(form, 'month');
  const kind = value(form, 'kapsam');
  const errs = [];
  if (month && !/^[0-9]{4}-(0[1-9]|1[0-2])$/.test(month)) errs.push({ field: 'month', message: 'Ayı YYYY-AA biçiminde yazın (ör. 2026-10).' });
  let scope = kind === 'all' ? 'all' : '';
  if (kind === 'province') {
    const p = value(form, 'province');
    if (!p) errs.push({ field: 'province', message: 'İli seçin.' });
    scope = 'province:' + p;
  } else if (kind === 'institution') {
    const c = institution.value();
    if (!c) errs.push({ field: 'institution', message: 'Kurum arayıp listeden seçin.' });
    scope = 'institution:' + c;
  }
  if (errs.length) {
    showErrors(form, errs, 'Rapor alınamadı');
    return null;
  }
  clearErrors(form);
  return { month, scope, format };
}

const n = (x) => (x === null || x === undefined ? '—' : Number(x).toLocaleString('tr-TR', { maximumFractionDigits: 1 }));

/** Rows of [label, this month, previous month] from two objects and a label map. */
function pairs(keys, now, before, names) {
  return keys.map((k) => [label(names, k), n(now[k]), n(before ? before[k] : null)]);
}

function figures(f, p, prevMonth) {
  const cols = ['', 'Bu ay', `Önceki ay (${monthName(prevMonth)})`];
  const a = f.applications;
  const pa = p ? p.applications : null;
  const tables = [];
  tables.push(
    table(
      'Başvuru sayıları',
      ['Başvurular', ...cols.slice(1)],
      [
        ['Toplam', n(a.total), n(pa ? pa.total : null)],
        ...pairs(['dilekce', 'bilgi_edinme'], a.by_type, pa && pa.by_type, TYPE),
        ...pairs(['istek', 'sikayet', 'ihbar', 'gorus', 'oneri'], a.by_category, pa && pa.by_category, CATEGORY).map((r) => [`Dilekçe: ${r[0]}`, r[1], r[2]]),
      ],
      { numeric: [1, 2] },
    ),
  );
  if (a.by_status) {
    tables.push(
      table(
        'Başvuruların bugünkü durumu',
        ['Durum', ...cols.slice(1)],
        pairs(['received', 'in_progress', 'answered', 'not_processed', 'cancelled', 'deemed_rejected'], a.by_status, pa && pa.by_status, STATUS),
        { numeric: [1, 2] },
      ),
    );
  }
  tables.push(
    table('Başvuru kanalları', ['Kanal', ...cols.slice(1)], pairs(['internet', 'phone', 'fax', 'letter', 'in_person'], a.by_channel, pa && pa.by_channel, CHANNEL), { numeric: [1, 2] }),
  );
  const before = new Map((pa ? pa.by_topic : []).map((t) => [t.topic, t.count]));
  tables.push(
    table(
      'Konular',
      ['Konu', ...cols.slice(1)],
      a.by_topic.length ? a.by_topic.map((t) => [t.topic ? label(TOPIC, t.topic) : 'Konu belirtilmemiş', n(t.count), n(before.get(t.topic) ?? 0)]) : [['Bu ay başvuru yok', '0', '—']],
      { numeric: [1, 2] },
    ),
  );
  const o = f.outcomes;
  const po = p ? p.outcomes : null;
  const reasons = Array.from(new Set([...Object.keys(o.not_processed_by_reason || {}), ...Object.keys((po && po.not_processed_by_reason) || {})]));
  tables.push(
    table(
      'Sonuçlar',
      ['Sonuç', ...cols.slice(1)],
      [
        ...(o.total !== undefined ? [['Bu ay verilen cevap', n(o.total), n(po ? po.total : null)]] : []),
        ...pairs(['positive', 'negative', 'partial', 'not_processed'], o, po, OUTCOME),
        ...reasons.map((r) => [`İşleme alınmadı: ${label(REASON, r)}`, n((o.not_processed_by_reason || {})[r] ?? 0), n(po ? ((po.not_processed_by_reason || {})[r] ?? 0) : null)]),
        ...(o.late !== undefined ? [['Süresi geçtikten sonra verilen cevap', n(o.late), n(po ? po.late : null)]] : []),
      ],
      { numeric: [1, 2] },
    ),
  );
  const t = f.response_time_days;
  const pt = p ? p.response_time_days : null;
  tables.push(
    table(
      'Cevap süreleri (alınıştan cevaba, takvim günü)',
      ['Ölçü', ...cols.slice(1)],
      [
        ['Cevaplanan başvuru', n(t.count), n(pt ? pt.count : null)],
        ['Ortalama', n(t.mean), n(pt ? pt.mean : null)],
        ['Ortanca', n(t.median), n(pt ? pt.median : null)],
        ['%90’ı şu sürede', n(t.p90), n(pt ? pt.p90 : null)],
      ],
      { numeric: [1, 2] },
    ),
  );
  if (Array.isArray(t.distribution)) {
    const span = (b) => (b.max_days === null ? `${b.min_days} gün ve üstü` : `${b.min_days}–${b.max_days} gün`);
    tables.push(
      table(
        'Cevap sürelerinin dağılımı',
        ['Süre', ...cols.slice(1)],
        t.distribution.map((b, i) => [span(b), n(b.count), n(pt && pt.distribution ? pt.distribution[i].count : null)]),
        { numeric: [1, 2] },
      ),
    );
  }
  tables.push(
    table(
      'Süreler ve itirazlar',
      ['Gösterge', ...cols.slice(1)],
      [
        ['Süresi geçen', n(f.overdue), n(p ? p.overdue : null)],
        ['Reddedilmiş sayılan', n(f.deemed_rejected), n(p ? p.deemed_rejected : null)],
        ['BEDK’ya itiraz', n(f.appeals.filed), n(p ? p.appeals.filed : null)],
        ['Karara bağlanan itiraz', n(f.appeals.decided), n(p ? p.appeals.decided : null)],
        ['Kabul', n(f.appeals.accepted), n(p ? p.appeals.accepted : null)],
        ['Kısmen kabul', n(f.appeals.partially_accepted), n(p ? p.appeals.partially_accepted : null)],
        ['Ret', n(f.appeals.rejected), n(p ? p.appeals.rejected : null)],
      ],
      { numeric: [1, 2] },
    ),
  );
  return tables;
}

function render(r) {
  fill($('#rapor-baslik'), `${monthName(r.month)} raporu — ${r.scope_name || scopeName(r.scope)}`);
  fill(
    $('#rapor-ozet'),
    facts([
      ['Ay', r.month],
      ['Kapsam', r.scope],
      ['Oluşturulma', formatDateTime(r.generated_at)],
      ['Rapor türü', r.stored ? 'Ay kapanışında saklanan rapor (değişmez)' : 'Anlık hesaplama (ay henüz kapanmadı ya da saklanmadı)'],
    ]),
  );
  const prev = r.previous_month || {};
  fill($('#rapor-tablolar'), figures(r.figures, prev.figures || null, prev.month || r.month));
  out.hidden = false;
  out.focus();
}

function explain(err) {
  if (err instanceof ApiError && err.status === 403) return 'Rapor görme yetkiniz yok (merkez, bakanlık ya da valilik koordinatörü olmalısınız).';
  if (err instanceof ApiError && err.status === 404) return 'Bu kapsamın raporunu göremezsiniz ya da kapsam bulunamadı.';
  return err.message;
}

/** Fetch and draw the report of query q. */
function show(q) {
  busy($('#goster'), async () => {
    try {
      render(await get('/reports/monthly' + query(q), { auth: true }));
    } catch (err) {
      out.hidden = true;
      if (err.errors && err.errors.length) showApiError(form, err);
      else showErrors(form, [], explain(err));
    }
  }, 'Hazırlanıyor…');
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const q = params('json');
  if (q) show(q);
});

// A link from the monthly mail: the month and scope it names, shown at once.
const linked = new URLSearchParams(location.search);
if (linked.has('kapsam')) {
  const month = linked.get('ay') || '';
  form.elements.namedItem('month').value = month;
  if (linked.get('kapsam') === 'all') $('#kapsam-tum').checked = true;
  show({ month, scope: linked.get('kapsam'), format: 'json' });
}

for (const [id, format] of [['#csv', 'csv'], ['#html', 'html']]) {
  const button = $(id);
  button.addEventListener('click', () => {
    const q = params(format);
    if (!q) return;
    busy(button, async () => {
      try {
        const name = await download('/reports/monthly' + query(q), `bimer-${q.month || 'gecen-ay'}-${(q.scope || 'kapsamim').replace(':', '-')}.${format}`);
        note.textContent = `${name} indirildi.`;
      } catch (err) {
        note.textContent = explain(err);
      }
    }, 'İndiriliyor…');
  });
}
