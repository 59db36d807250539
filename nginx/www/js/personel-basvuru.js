// SPDX-License-Identifier: MIT
/*
 * One application in the staff console (personel/basvuru.html?no=… → GET
 * /api/v1/applications/{no}): the record as the API gives it to this caller (the
 * applicant is left out by the server where rule C2 hides it, and the page says why),
 * attachments, the answer, the full timeline with who did what, and the actions the
 * caller may take while it is open: route with an institution search (R1, R2 ethics
 * rank), answer with the reason codes that fit the type and outcome (4982 art. 12), and
 * the one-time extension of an information request (D2). The server decides; its 4xx
 * answers are shown next to the fields.
 */

import { get, post, requireSession, hasRole } from './api.js';
import { APPEAL_STATUS, CATEGORY, CHANNEL, DECISION, OUTCOME, REASON, STATUS, TYPE, TOPIC, label } from './labels.js';
import { attachInstitutionSearch } from './kurum.js';
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
  APPLICATION_NO,
} from './ui.js';

const session = requireSession();
staffHeader();

const no = new URLSearchParams(location.search).get('no') || '';
const loading = $('#yukleniyor');
const done = $('#islem-sonucu');
const routeForm = $('#yonlendir-formu');
const answerForm = $('#cevap-formu');
const extendForm = $('#uzat-formu');
let record = null;

const target = attachInstitutionSearch($('#hedef-kurum'), {
  name: 'institution_code',
  exclude: (i) => i.kind === 'bedk' || (record && record.assigned_institution && i.code === record.assigned_institution.code),
});

const OPEN = ['received', 'in_progress'];

function summary(r) {
  return facts([
    ['Durum', el('strong', { id: 'durum-degeri' }, label(STATUS, r.status))],
    ['Tür', label(TYPE, r.type)],
    ['Dilekçe konusu', r.category ? label(CATEGORY, r.category) : null],
    ['Kanal', label(CHANNEL, r.channel)],
    ['Konu alanı', r.topic ? label(TOPIC, r.topic) : null],
    ['İl', r.province_code],
    ['Vatandaşın seçtiği kurum', r.target_institution_code],
    ['Başvuruyu tutan kurum', r.assigned_institution ? `${r.assigned_institution.name} (${r.assigned_institution.code})` : 'Henüz yönlendirilmedi'],
    ['Kayıt tarihi', formatDateTime(r.created_at)],
    ['Alındığı tarih', r.received_at ? formatDateTime(r.received_at) : null],
    [
      'Cevap için son gün',
      r.due_at ? [formatDate(r.due_at), ' ', r.overdue ? el('span', { class: 'badge overdue' }, 'Süresi geçti') : null] : null,
    ],
    ['Süre uzatıldı mı', r.type === 'bilgi_edinme' ? (r.extended ? 'Evet (30 iş günü)' : 'Hayır') : null],
    ['Sonuç', r.outcome ? label(OUTCOME, r.outcome) : null],
    ['Gerekçe', r.reason_code ? `${label(REASON, r.reason_code)} (${r.reason_code})` : null],
    ['BEDK itirazı', r.appeal ? `${r.appeal.appeal_id}: ${label(APPEAL_STATUS, r.appeal.status)}${r.appeal.decision ? ' — ' + label(DECISION, r.appeal.decision) : ''}` : null],
  ]);
}

function applicant(r) {
  if (r.anonymous) {
    return el('p', { class: 'panel-info' }, 'İsimsiz başvuru: kimlik bilgisi alınmamıştır (kural C3). Başvuru sahibine bildirim yapılmaz.');
  }
  if (!r.applicant) {
    return el(
      'p',
      { class: 'panel-info', id: 'kimlik-sakli' },
      'Başvuru sahibi kimlik bilgilerinin saklı tutulmasını istemiştir. Kimlik bilgileri yalnızca BİMER operatörlerince görülebilir (kural C2); cevap başvuru sahibine sistem tarafından e-postayla iletilir.',
    );
  }
  const a = r.applicant;
  return [
    r.identity_hidden
      ? el('p', { class: 'panel-warn', id: 'kimlik-uyari' }, 'Kimlik saklı: başvuru sahibi kimliğinin saklı tutulmasını istemiştir. Bu bilgileri başvuruyu cevaplayacak kuruma iletmeyin.')
      : null,
    facts([
      ['Adı soyadı', [a.first_name, a.last_name].filter(Boolean).join(' ')],
      ['T.C. kimlik no', a.tc_kimlik_no],
      ['E-posta', a.email],
      ['Telefon', a.phone],
      ['Adres', a.address],
    ]),
  ];
}

function attachments(r) {
  if (!r.attachments || !r.attachments.length) return el('p', {}, 'Ek yok.');
  return el(
    'ul',
    {},
    r.attachments.map((a) =>
      el('li', {}, `${a.content_type}, ${a.size.toLocaleString('tr-TR')} bayt — SHA-256 `, el('code', {}, a.sha256.slice(0, 16) + '…')),
    ),
  );
}

function answer(r) {
  const a = r.answer;
  $('#cevap-bolumu').hidden = !a;
  if (!a) return null;
  return [
    facts([
      ['Sonuç', label(OUTCOME, a.outcome)],
      ['Gerekçe', a.reason_code ? `${label(REASON, a.reason_code)} (${a.reason_code})` : null],
      ['Cevaplayan kurum', a.institution ? a.institution.name : null],
      ['Cevap tarihi', formatDateTime(a.answered_at)],
    ]),
    el('p', { class: 'body-text', id: 'cevap-metni-goster' }, a.text),
  ];
}

/** Shows the forms that fit the record and the caller (the server still decides). */
function actions(r) {
  const open = OPEN.includes(r.status);
  const holder = !!(r.assigned_institution && r.assigned_institution.code === session.institution);
  const canRoute = open && (hasRole('operator') || holder);
  const canAnswer = open && holder;
  const canExtend = canAnswer && r.type === 'bilgi_edinme' && !r.extended;
  routeForm.hidden = !canRoute;
  answerForm.hidden = !canAnswer;
  extendForm.hidden = !canExtend;
  $('#etik-alani').hidden = !(r.category === 'sikayet' || r.category === 'ihbar');
  const none = $('#islem-yok');
  none.hidden = canRoute || canAnswer;
  none.textContent = open
    ? 'Bu başvuru kurumunuzda değil; yalnızca başvuruyu tutan kurum cevap verebilir.'
    : 'Bu başvuru kapanmıştır; üzerinde işlem yapılamaz.';
  $('#islemler').hidden = false;
  reasonOptions();
}

function render(r) {
  record = r;
  document.title = `Başvuru ${r.application_no} — BİMER Personel`;
  fill($('#baslik'), `Başvuru ${r.application_no}`);
  fill($('#ozet'), summary(r));
  $('#konu').textContent = r.subject;
  $('#metin').textContent = r.body;
  fill($('#sahip'), applicant(r));
  fill($('#ekler'), attachments(r));
  fill($('#cevap'), answer(r));
  fill($('#gecmis'), timeline(r.events, { staff: true }));
  actions(r);
  loading.hidden = true;
  $('#kayit').hidden = false;
}

function load() {
  return loadRecord(loading, {
    valid: APPLICATION_NO.test(no),
    invalid: 'Adres geçerli bir başvuru numarası içermiyor.',
    read: () => get('/applications/' + encodeURIComponent(no), { auth: true }),
    notFound: 'Bu başvuru bulunamadı ya da kurumunuzun erişiminde değil.',
    render,
  });
}

const path = (action) => `/applications/${encodeURIComponent(no)}/${action}`;

// --------------------------------------------------------------------- route

actionForm(routeForm, $('#yonlendir'), 'Yönlendiriliyor…', {
  title: 'Yönlendirilmedi',
  read: () => {
    const b = { institution_code: target.value() };
    const note = value(routeForm, 'note');
    if (note) b.note = note;
    const rank = $('#etik-alani').hidden ? '' : value(routeForm, 'ethics_rank');
    if (rank) b.ethics_rank = rank;
    return b;
  },
  check: (b) => {
    const errs = [];
    if (!b.institution_code) errs.push({ field: 'institution_code', message: 'Kurum arayıp listeden hedef kurumu seçin.' });
    const n = b.note ? lengthProblem(b.note, 1, 2000, 'Not') : null;
    if (n) errs.push({ field: 'note', message: n });
    return errs;
  },
  send: (b) => post(path('route'), b, { auth: true }),
  reset: () => target.reset(),
  notice: done,
  message: (res) => `Başvuru ${res.assigned_institution.name} kurumuna yönlendirildi.`,
  reload: load,
});

// -------------------------------------------------------------------- answer

const reasonBox = $('#gerekce-alani');
const reasonSelect = $('#gerekce-kodu');

/** The reason codes the API accepts for this type and outcome (see answerApplication). */
function reasonOptions() {
  const outcome = value(answerForm, 'outcome');
  const info = record && record.type === 'bilgi_edinme';
  let codes = [];
  let hint = '';
  if (outcome === 'not_processed') {
    codes = Object.keys(REASON).filter((c) => info || !c.startsWith('BE_'));
    hint = 'İşleme alınmama gerekçesi zorunludur.';
  } else if ((outcome === 'negative' || outcome === 'partial') && info) {
    codes = Object.keys(REASON).filter((c) => c.startsWith('BE_'));
    hint = 'Reddedilen bilgi edinme başvurusunda dayanılan gerekçe (çoğunlukla 4982 sayılı Kanunun 16–27. maddelerindeki istisna) zorunludur (md. 12).';
  }
  const keep = reasonSelect.value;
  reasonSelect.replaceChildren(el('option', { value: '' }, 'Seçin'), ...codes.map((c) => el('option', { value: c }, `${label(REASON, c)} — ${c}`)));
  if (codes.includes(keep)) reasonSelect.value = keep;
  reasonBox.hidden = !codes.length;
  $('#gerekce-ipucu').textContent = hint;
}
answerForm.addEventListener('change', (e) => {
  if (e.target.name === 'outcome') reasonOptions();
});

actionForm(answerForm, $('#cevapla'), 'Gönderiliyor…', {
  title: 'Cevap gönderilmedi',
  read: () => {
    const b = { outcome: value(answerForm, 'outcome'), text: value(answerForm, 'text') };
    if (!reasonBox.hidden && reasonSelect.value) b.reason_code = reasonSelect.value;
    return b;
  },
  check: (b) => {
    const errs = [];
    if (!b.outcome) errs.push({ field: 'outcome', message: 'Cevabın sonucunu seçin.' });
    if (!reasonBox.hidden && !b.reason_code) errs.push({ field: 'reason_code', message: 'Gerekçeyi seçin.' });
    const t = lengthProblem(b.text, 10, 20000, 'Cevap metni');
    if (t) errs.push({ field: 'text', message: t });
    return errs;
  },
  send: (b) => post(path('answer'), b, { auth: true }),
  notice: done,
  message: (res) => `Cevap kaydedildi (${label(OUTCOME, res.outcome)}) ve başvuru sahibine e-postayla gönderilecek.`,
  reload: load,
});

// -------------------------------------------------------------------- extend

actionForm(extendForm, $('#uzat'), 'Uzatılıyor…', {
  title: 'Süre uzatılmadı',
  read: () => ({ reason: value(extendForm, 'reason') }),
  check: (b) => {
    const r = lengthProblem(b.reason, 10, 20000, 'Uzatma gerekçesi');
    return r ? [{ field: 'reason', message: r }] : [];
  },
  send: (b) => post(path('extend'), b, { auth: true }),
  notice: done,
  message: (res) => `Cevap süresi ${formatDate(res.due_at)} tarihine uzatıldı; başvuru sahibine bildirilecek.`,
  reload: load,
});

load();
