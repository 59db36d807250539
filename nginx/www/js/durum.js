// SPDX-License-Identifier: MIT
/*
 * The public status page (durum.html): a look-up by ID number and application number
 * (POST /api/v1/status) or by the secret tracking code (GET /api/v1/status/{code}; the
 * "received" mail links here with ?kod=…). Shows the status in Turkish, where the
 * application is, its deadline, the outcome, any appeal and the timeline; offers cancel
 * while it is still open and the BEDK appeal for a refused information request. A miss
 * is one message whatever the reason (the API answers the same 404 for both).
 */

import { get, post, ApiError } from './api.js';
import { APPEAL_STATUS, CATEGORY, DECISION, OUTCOME, REASON, STATUS, TYPE, label } from './labels.js';
import { $, el, fill, facts, formatDate, formatDateTime, timeline, showErrors, clearErrors, tcknProblem, value, APPLICATION_NO, TRACKING_CODE } from './ui.js';

const byId = $('#kimlik-formu');
const byCode = $('#kod-formu');
const result = $('#sonuc');
const loading = $('#yukleniyor');
const OPEN = ['awaiting_verification', 'received', 'in_progress'];

/** The appeal route of A1: a refused or unanswered information request, not yet appealed. */
function appealable(s) {
  if (s.type !== 'bilgi_edinme') return false;
  if (s.appeal && s.appeal.status === 'appeal_filed') return false;
  // Once per refusal: an appeal filed after the latest refusal closes the route.
  const kinds = (s.events || []).map((e) => e.kind);
  const refused = Math.max(kinds.lastIndexOf('answered'), kinds.lastIndexOf('not_processed'), kinds.lastIndexOf('deemed_rejected'));
  if (kinds.lastIndexOf('appeal_filed') > refused) return false;
  if (s.status === 'deemed_rejected') return true;
  if (s.status === 'answered') return s.outcome === 'negative' || s.outcome === 'partial';
  if (s.status === 'not_processed') return (s.reason_code || '').startsWith('BE_');
  return false;
}

function info(s) {
  const parts = [];
  if (s.status === 'awaiting_verification') {
    parts.push(el('p', { class: 'panel-warn' }, 'Başvurunuz, e-posta adresinize gönderilen bağlantıyla doğrulanana kadar işleme alınmaz. Doğrulanmayan başvurular 48 saat sonra geçersiz olur.'));
  } else if (s.status === 'answered' || s.status === 'not_processed') {
    parts.push(el('p', { class: 'panel-info' }, 'Kurumun cevabının tam metni e-posta adresinize gönderilmiştir.' + (appealable(s) ? ' Bu karara karşı cevabın size bildirildiği günden itibaren 15 gün içinde Bilgi Edinme Değerlendirme Kurulu’na itiraz edebilirsiniz (4982 sayılı Kanun md. 13).' : '')));
  } else if (s.status === 'deemed_rejected') {
    parts.push(el('p', { class: 'panel-info' }, 'Başvurunuza yasal süre içinde cevap verilmediğinden reddedilmiş sayılmaktadır (2577 sayılı Kanun md. 10).' + (appealable(s) ? ' Bilgi edinme başvurunuz için Bilgi Edinme Değerlendirme Kurulu’na itiraz edebilirsiniz.' : '')));
  }
  return parts;
}

function appealBlock(a) {
  if (!a) return null;
  return el(
    'div',
    { class: 'panel-info', id: 'itiraz-bilgisi' },
    el('h3', {}, 'BEDK itirazınız'),
    facts([
      ['İtiraz numarası', a.appeal_id],
      ['Durum', label(APPEAL_STATUS, a.status)],
      ['Kurul kararı', a.decision ? label(DECISION, a.decision) : null],
      ['Karar için son gün', a.status === 'appeal_filed' && a.due_at ? formatDate(a.due_at) : null],
    ]),
  );
}

function actions(s, how) {
  const out = [];
  if (OPEN.includes(s.status)) {
    const href = '/iptal.html?no=' + encodeURIComponent(s.application_no) + (how.code ? '#kod=' + encodeURIComponent(how.code) : '');
    out.push(el('a', { class: 'button secondary', href, id: 'iptal-baglantisi' }, 'Başvurumu iptal et'));
  }
  if (appealable(s)) {
    out.push(el('a', { class: 'button', href: '/itiraz.html?no=' + encodeURIComponent(s.application_no), id: 'itiraz-baglantisi' }, 'BEDK’ya itiraz et'));
  }
  if (s.status === 'awaiting_verification' && how.tckn) {
    const status = el('p', { role: 'status', class: 'status-line' });
    const btn = el('button', { type: 'button', class: 'secondary', id: 'yeniden-gonder' }, 'Doğrulama e-postasını yeniden gönder');
    btn.addEventListener('click', async () => {
      btn.disabled = true;
      try {
        await post('/verifications/resend', { application_no: s.application_no, tc_kimlik_no: how.tckn });
        status.textContent = 'Yeni doğrulama bağlantısı e-posta adresinize gönderildi.';
      } catch (err) {
        status.textContent = err.message;
      } finally {
        btn.disabled = false;
      }
    });
    out.push(btn, status);
  }
  return out;
}

function render(s, how) {
  $('#sorgu').hidden = true;
  fill($('#sonuc-baslik'), `Başvuru ${s.application_no}`);
  fill(
    $('#sonuc-ozet'),
    facts([
      ['Başvuru türü', label(TYPE, s.type)],
      ['Dilekçe konusu', s.category ? label(CATEGORY, s.category) : null],
      ['Durum', el('strong', { id: 'durum-degeri' }, label(STATUS, s.status))],
      ['Sonuç', s.outcome ? label(OUTCOME, s.outcome) : null],
      ['Gerekçe', s.reason_code ? label(REASON, s.reason_code) : null],
      ['Başvurunun bulunduğu kurum', s.assigned_institution ? s.assigned_institution.name : null],
      ['Alındığı tarih', s.received_at ? formatDateTime(s.received_at) : null],
      ['Cevap için son gün', OPEN.includes(s.status) && s.due_at ? formatDate(s.due_at) : null],
    ]),
  );
  fill($('#sonuc-bilgi'), info(s));
  fill($('#sonuc-itiraz'), appealBlock(s.appeal));
  fill($('#sonuc-gecmis'), timeline(s.events));
  fill($('#sonuc-islemler'), actions(s, how));
  result.hidden = false;
  result.focus();
}

async function lookUp(form, call, how) {
  loading.hidden = false;
  try {
    render(await call(), how);
  } catch (err) {
    const message =
      err instanceof ApiError && err.status === 404
        ? 'Bu bilgilerle eşleşen bir başvuru bulunamadı. Bilgileri kontrol edip yeniden deneyin.'
        : err.message;
    showErrors(form, [], message);
  } finally {
    loading.hidden = true;
  }
}

byId.addEventListener('submit', (e) => {
  e.preventDefault();
  const tckn = value(byId, 'tc_kimlik_no');
  const no = value(byId, 'application_no');
  const errs = [];
  const t = tcknProblem(tckn);
  if (t) errs.push({ field: 'tc_kimlik_no', message: t });
  if (!APPLICATION_NO.test(no)) errs.push({ field: 'application_no', message: 'Başvuru numarasını 2026-0000123-4 biçiminde yazın.' });
  if (errs.length) return showErrors(byId, errs);
  clearErrors(byId);
  lookUp(byId, () => post('/status', { tc_kimlik_no: tckn, application_no: no }), { tckn });
});

byCode.addEventListener('submit', (e) => {
  e.preventDefault();
  const code = value(byCode, 'tracking_code');
  if (!TRACKING_CODE.test(code)) {
    return showErrors(byCode, [{ field: 'tracking_code', message: 'Takip kodunu e-postadaki ya da size verilen biçimde, eksiksiz yazın.' }]);
  }
  clearErrors(byCode);
  lookUp(byCode, () => get('/status/' + encodeURIComponent(code)), { code });
});

$('#yeni-sorgu').addEventListener('click', () => {
  result.hidden = true;
  $('#sorgu').hidden = false;
  byId.reset();
  byCode.reset();
  if (location.search) history.replaceState(null, '', location.pathname);
  $('#tckn').focus();
});

const code = new URLSearchParams(location.search).get('kod');
if (code) {
  $('#takip-kodu').value = code;
  byCode.requestSubmit();
}
