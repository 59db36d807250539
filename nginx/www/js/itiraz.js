// SPDX-License-Identifier: MIT
/*
 * The citizen's appeal to BEDK (itiraz.html → POST /api/v1/appeals; rules A1–A3): the
 * application number (the status page passes it as ?no=…), the ID number, the reason
 * and optional documents uploaded with a progress bar. The refusals the API checks
 * (BEDK_NOT_ELIGIBLE, BEDK_ALREADY_APPEALED, BEDK_LATE) are shown with its Turkish text;
 * a mismatch of ID and application number is one "not found" message.
 */

import { post, idempotencyKey, ApiError } from './api.js';
import { attachUploader } from './upload.js';
import { $, busy, clearErrors, formatDate, lengthProblem, showApiError, showErrors, tcknProblem, value, APPLICATION_NO } from './ui.js';

const form = $('#itiraz-formu');
const uploader = attachUploader($('.uploader', form));
const no = new URLSearchParams(location.search).get('no');
if (no) $('#basvuru-no').value = no;

let key = null;
let lastBody = null;

async function submit() {
  if (uploader.busy()) await uploader.idle();
  const b = {
    application_no: value(form, 'application_no'),
    tc_kimlik_no: value(form, 'tc_kimlik_no'),
    reason: value(form, 'reason'),
    attachment_ids: uploader.ids(),
  };
  const errs = [];
  if (!APPLICATION_NO.test(b.application_no)) errs.push({ field: 'application_no', message: 'Başvuru numarasını 2026-0000123-4 biçiminde yazın.' });
  const t = tcknProblem(b.tc_kimlik_no);
  if (t) errs.push({ field: 'tc_kimlik_no', message: t });
  const r = lengthProblem(b.reason, 10, 20000, 'İtiraz gerekçesi');
  if (r) errs.push({ field: 'reason', message: r });
  if (errs.length) return showErrors(form, errs, 'İtirazınız gönderilmedi: lütfen aşağıdaki alanları düzeltin');
  clearErrors(form);

  const json = JSON.stringify(b);
  if (json !== lastBody) {
    key = idempotencyKey();
    lastBody = json;
  }
  try {
    const res = await post('/appeals', b, { idempotencyKey: key });
    $('#tamam-no').textContent = res.appeal_id;
    $('#tamam-sure').textContent = formatDate(res.due_at);
    form.hidden = true;
    const done = $('#tamam');
    done.hidden = false;
    done.focus();
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (err.status !== 0) lastBody = null;
    if (err.status === 404) {
      showErrors(form, [], 'Bu T.C. kimlik numarası ve başvuru numarasıyla eşleşen bir başvuru bulunamadı.');
    } else {
      err.errors = uploader.named(err.errors);
      showApiError(form, err);
    }
  }
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  busy($('#itiraz-gonder'), submit, 'Gönderiliyor…');
});
