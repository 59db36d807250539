// SPDX-License-Identifier: MIT
/*
 * Cancelling an application (iptal.html → POST /api/v1/applications/{no}/cancel): the
 * citizen proves ownership with the ID number or the tracking code (exactly one), may
 * give a reason and must confirm. The status page links here with ?no=… and, after a
 * look-up by tracking code, #kod=… (a fragment never reaches the server or its logs;
 * it is removed from the address bar once read). 404 is one message for "no such
 * application" and "not yours"; 409 means it can no longer be cancelled.
 */

import { post, idempotencyKey, ApiError } from './api.js';
import { $, busy, clearErrors, lengthProblem, showApiError, showErrors, tcknProblem, value, APPLICATION_NO, TRACKING_CODE } from './ui.js';

const form = $('#iptal-formu');

function proofChanged() {
  const byCode = value(form, 'kanit') === 'kod';
  $('#tckn-alani').hidden = byCode;
  $('#kod-alani').hidden = !byCode;
}
form.addEventListener('change', (e) => {
  if (e.target.name === 'kanit') proofChanged();
});

const params = new URLSearchParams(location.search);
if (params.get('no')) $('#basvuru-no').value = params.get('no');
const fragment = new URLSearchParams(location.hash.slice(1));
if (fragment.get('kod')) {
  $('#takip-kodu').value = fragment.get('kod');
  $('#kanit-kod').checked = true;
  history.replaceState(null, '', location.pathname + location.search);
}
proofChanged();

let key = null;
let lastBody = null;

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const no = value(form, 'application_no');
  const byCode = value(form, 'kanit') === 'kod';
  const b = {};
  const errs = [];
  if (!APPLICATION_NO.test(no)) errs.push({ field: 'application_no', message: 'Başvuru numarasını 2026-0000123-4 biçiminde yazın.' });
  if (byCode) {
    b.tracking_code = value(form, 'tracking_code');
    if (!TRACKING_CODE.test(b.tracking_code)) errs.push({ field: 'tracking_code', message: 'Takip kodunu eksiksiz yazın.' });
  } else {
    b.tc_kimlik_no = value(form, 'tc_kimlik_no');
    const t = tcknProblem(b.tc_kimlik_no);
    if (t) errs.push({ field: 'tc_kimlik_no', message: t });
  }
  const reason = value(form, 'reason');
  if (reason) {
    b.reason = reason;
    const r = lengthProblem(reason, 1, 2000, 'İptal gerekçesi');
    if (r) errs.push({ field: 'reason', message: r });
  }
  if (!$('#onay').checked) errs.push({ field: 'onay', message: 'İptal etmek istediğinizi onaylayın.' });
  if (errs.length) return showErrors(form, errs, 'Başvurunuz iptal edilmedi: lütfen aşağıdaki alanları düzeltin');
  clearErrors(form);

  const json = no + JSON.stringify(b);
  if (json !== lastBody) {
    key = idempotencyKey();
    lastBody = json;
  }
  busy($('#iptal-et'), async () => {
    try {
      await post('/applications/' + encodeURIComponent(no) + '/cancel', b, { idempotencyKey: key });
      $('#tamam-no').textContent = no;
      form.hidden = true;
      const done = $('#tamam');
      done.hidden = false;
      done.focus();
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err.status !== 0) lastBody = null;
      if (err.status === 404) {
        showErrors(form, [], 'Bu bilgilerle eşleşen bir başvuru bulunamadı. Başvuru numarasını ve kimlik bilgisini kontrol edin.');
      } else if (err.status === 409) {
        showErrors(form, [], 'Bu başvuru artık iptal edilemez: cevaplanmış, iptal edilmiş ya da süresi dolmuş olabilir. ' + err.message);
      } else {
        showApiError(form, err);
      }
    }
  }, 'İptal ediliyor…');
});
