// SPDX-License-Identifier: MIT
/*
 * One appeal (personel/itiraz.html?id=… → GET /api/v1/appeals/{id}). A BEDK member sees
 * the reason, the appealed application and its answer, the copies the system generated
 * with their SHA-256 hashes (A3), the information requests and the timeline, and while
 * the appeal is open may ask an institution for information (A4) and record the
 * decision. An institution user sees only the requests addressed to it and answers the
 * open one, with documents uploaded with a progress bar.
 */

import { get, post, requireSession, hasRole } from './api.js';
import { APPEAL_STATUS, CATEGORY, DECISION, GROUND, CHANNEL, OUTCOME, REASON, TYPE, label } from './labels.js';
import { attachInstitutionSearch } from './kurum.js';
import { attachUploader } from './upload.js';
import {
  $,
  actionForm,
  el,
  fill,
  facts,
  formatDate,
  formatDateTime,
  lengthProblem,
  loadRecord,
  staffHeader,
  timeline,
  value,
} from './ui.js';

const session = requireSession();
staffHeader();

const id = new URLSearchParams(location.search).get('id') || '';
const member = hasRole('bedk_member');
const loading = $('#yukleniyor');
const done = $('#islem-sonucu');
const askForm = $('#bilgi-iste-formu');
const decideForm = $('#karar-formu');
const replyForm = $('#bilgi-ver-formu');
const askTarget = attachInstitutionSearch($('#istek-kurum'), {
  name: 'institution_code',
  none: 'Başvuruyu cevaplayan kurum',
  exclude: (i) => i.kind === 'bedk' || i.kind === 'centre',
});
const uploader = attachUploader($('.uploader', replyForm));
let openRequest = null;

const COPY = { application: 'Başvurunun kopyası', answer: 'Cevabın kopyası', attachment: 'Ek belge' };

function summary(a) {
  return facts([
    ['Durum', el('strong', { id: 'durum-degeri' }, label(APPEAL_STATUS, a.status))],
    ['Başvuru no', a.application_no],
    ['İtiraz kanalı', a.channel ? label(CHANNEL, a.channel) : null],
    ['İtiraz edilen', a.ground ? label(GROUND, a.ground) : null],
    ['İtiraz tarihi', formatDateTime(a.filed_at)],
    ['İtiraz süresinin sonu', a.window_ends_at ? formatDate(a.window_ends_at) : null],
    ['Karar için son gün', [formatDate(a.due_at), ' ', a.overdue ? el('span', { class: 'badge overdue' }, 'Süresi geçti') : null]],
    ['Karar', a.decision ? label(DECISION, a.decision) : null],
    ['Karar tarihi', a.decided_at ? formatDateTime(a.decided_at) : null],
    ['Kurumun yeni cevap süresi', a.application_due_at ? formatDate(a.application_due_at) : null],
  ]);
}

function application(r) {
  $('#basvuru-bolumu').hidden = !r;
  if (!r) return null;
  const who = r.applicant
    ? [r.applicant.first_name, r.applicant.last_name].filter(Boolean).join(' ')
    : r.identity_hidden
      ? 'Kimlik saklı (kural C2)'
      : 'İsimsiz';
  return [
    facts([
      ['Tür', label(TYPE, r.type) + (r.category ? ` — ${label(CATEGORY, r.category)}` : '')],
      ['Başvuru sahibi', who],
      ['Cevaplayan kurum', r.answer && r.answer.institution ? r.answer.institution.name : r.assigned_institution ? r.assigned_institution.name : null],
      ['Sonuç', r.outcome ? label(OUTCOME, r.outcome) : null],
      ['Gerekçe', r.reason_code ? `${label(REASON, r.reason_code)} (${r.reason_code})` : null],
    ]),
    el('h3', {}, r.subject),
    el('p', { class: 'body-text' }, r.body),
    r.answer ? [el('h3', {}, 'Kurumun cevabı'), el('p', { class: 'body-text' }, r.answer.text)] : null,
  ];
}

function copies(a) {
  const items = (a.copies || []).map((c) =>
    el(
      'li',
      {},
      el('strong', {}, label(COPY, c.kind)),
      ` (${c.source === 'generated' ? 'kayıttan üretildi' : 'taranmış belge'}${c.generated_at ? ', ' + formatDateTime(c.generated_at) : ''}) — SHA-256 `,
      el('code', {}, c.sha256),
      c.document_text ? el('details', {}, el('summary', {}, 'Metni göster'), el('pre', {}, c.document_text)) : null,
    ),
  );
  for (const f of a.attachments || []) {
    items.push(el('li', {}, el('strong', {}, 'Başvuru sahibinin eki'), ` (${f.content_type}, ${f.size.toLocaleString('tr-TR')} bayt) — SHA-256 `, el('code', {}, f.sha256)));
  }
  $('#kopyalar-bolumu').hidden = !items.length;
  return items.length ? el('ul', {}, items) : null;
}

function requests(a) {
  const list = a.information_requests || [];
  if (!list.length) return el('p', {}, 'Kurumdan bilgi istenmedi.');
  return el(
    'ul',
    {},
    list.map((r) =>
      el(
        'li',
        { 'data-request-id': r.information_request_id },
        el('strong', {}, r.institution.name),
        ` — ${formatDateTime(r.requested_at)}; son gün ${formatDate(r.due_at)} `,
        r.overdue && !r.answered_at ? el('span', { class: 'badge overdue' }, 'Süresi geçti') : null,
        el('p', { class: 'body-text' }, `İstenen: ${r.text}`),
        r.answered_at
          ? el('p', { class: 'body-text' }, `Cevap (${formatDateTime(r.answered_at)}): ${r.answer_text || ''}`)
          : el('p', {}, 'Henüz cevaplanmadı.'),
      ),
    ),
  );
}

function actions(a) {
  const open = a.status === 'appeal_filed';
  openRequest = (a.information_requests || []).find((r) => !r.answered_at && r.institution.code === session.institution) || null;
  askForm.hidden = !(member && open);
  decideForm.hidden = !(member && open);
  replyForm.hidden = !(!member && openRequest);
  const none = $('#islem-yok');
  none.hidden = !askForm.hidden || !replyForm.hidden;
  none.textContent = member ? 'Bu itiraz karara bağlanmıştır.' : 'Kurul’un kurumunuzdan cevap bekleyen bir bilgi isteği yok.';
  $('#islemler').hidden = false;
}

function render(a) {
  document.title = `İtiraz ${a.appeal_id} — BİMER Personel`;
  fill($('#baslik'), `İtiraz ${a.appeal_id}`);
  fill($('#ozet'), summary(a));
  $('#gerekce-bolumu').hidden = !a.reason;
  $('#gerekce').textContent = a.reason || '';
  fill($('#basvuru'), application(a.application));
  fill($('#kopyalar'), copies(a));
  fill($('#istekler'), requests(a));
  fill($('#gecmis'), timeline(a.events, { staff: true }));
  actions(a);
  loading.hidden = true;
  $('#kayit').hidden = false;
}

function load() {
  return loadRecord(loading, {
    valid: /^[A-Za-z0-9_-]{1,32}$/.test(id),
    invalid: 'Adres geçerli bir itiraz numarası içermiyor.',
    read: () => get('/appeals/' + encodeURIComponent(id), { auth: true }),
    notFound: 'Bu itiraz bulunamadı ya da erişiminizde değil.',
    render,
  });
}

const path = (action) => `/appeals/${encodeURIComponent(id)}/${action}`;
const problem = (field, message) => (message ? [{ field, message }] : []);

actionForm(askForm, $('#bilgi-iste'), 'Gönderiliyor…', {
  title: 'Bilgi istenmedi',
  read: () => {
    const b = { text: value(askForm, 'text') };
    const code = askTarget.value();
    if (code) b.institution_code = code;
    return b;
  },
  check: (b) => problem('text', lengthProblem(b.text, 10, 20000, 'İstenen bilgi')),
  send: (b) => post(path('information-request'), b, { auth: true }),
  reset: () => askTarget.reset(),
  notice: done,
  message: (r) => `${r.institution.name} kurumundan bilgi istendi; son gün ${formatDate(r.due_at)}.`,
  reload: load,
});

actionForm(decideForm, $('#karar-ver'), 'Kaydediliyor…', {
  title: 'Karar kaydedilmedi',
  read: () => ({ decision: value(decideForm, 'decision'), text: value(decideForm, 'text') }),
  check: (b) => [
    ...problem('decision', b.decision ? null : 'Kararı seçin.'),
    ...problem('text', lengthProblem(b.text, 10, 20000, 'Karar metni')),
  ],
  send: (b) => post(path('decision'), b, { auth: true }),
  notice: done,
  message: (r) =>
    `Karar kaydedildi: ${label(DECISION, r.decision)}.` +
    (r.application_due_at ? ` Başvuru kuruma geri gönderildi; yeni cevap süresi ${formatDate(r.application_due_at)}.` : ''),
  reload: load,
});

actionForm(replyForm, $('#bilgi-ver'), 'Gönderiliyor…', {
  title: 'Cevap gönderilmedi',
  read: async () => {
    if (uploader.busy()) await uploader.idle();
    return { text: value(replyForm, 'text'), attachment_ids: uploader.ids() };
  },
  check: (b) => problem('text', lengthProblem(b.text, 10, 20000, 'Cevap')),
  send: (b) => post(path('information-response'), b, { auth: true }),
  reset: () => uploader.reset(),
  named: (errors) => uploader.named(errors),
  notice: done,
  message: () => 'Cevabınız Kurul’a iletildi.',
  reload: load,
});

load();
