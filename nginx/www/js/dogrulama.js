// SPDX-License-Identifier: MIT
/*
 * The page the verification mail links to (dogrulama.html?token=…). It first only looks
 * the token up (GET /api/v1/verifications/{token}, read-only, so mail scanners that
 * prefetch the link verify nothing) and asks the citizen to confirm; the button then
 * verifies (POST /api/v1/verifications). An unknown, used or expired token offers the
 * resend form (POST /api/v1/verifications/resend, always 202).
 */

import { get, post, ApiError, idempotencyKey } from './api.js';
import { $, busy, clearErrors, formatDate, formatDateTime, showApiError, showErrors, tcknProblem, value, APPLICATION_NO } from './ui.js';

const token = new URLSearchParams(location.search).get('token') || '';
const loading = $('#yukleniyor');

function show(id) {
  const node = $(id);
  node.hidden = false;
  return node;
}

function unusable(reason) {
  loading.hidden = true;
  if (reason) $('#gecersiz-neden').textContent = reason;
  show('#gecersiz').focus();
  show('#yeniden');
}

async function lookUp() {
  if (!/^[A-Za-z0-9_-]{22,128}$/.test(token)) {
    unusable('Adres bir doğrulama kodu içermiyor. E-postadaki bağlantıyı eksiksiz açtığınızdan emin olun.');
    return;
  }
  try {
    const info = await get('/verifications/' + encodeURIComponent(token));
    $('#onay-no').textContent = info.application_no;
    $('#onay-sure').textContent = formatDateTime(info.expires_at);
    $('#yeniden-no').value = info.application_no;
    loading.hidden = true;
    show('#onay');
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) unusable();
    else unusable(err.message);
  }
}

const key = idempotencyKey();
$('#onay-formu').addEventListener('submit', (e) => {
  e.preventDefault();
  busy($('#dogrula'), async () => {
    try {
      const res = await post('/verifications', { token }, { idempotencyKey: key });
      $('#tamam-no').textContent = res.application_no;
      $('#tamam-tarih').textContent = formatDateTime(res.received_at);
      $('#tamam-sure').textContent = formatDate(res.due_at);
      $('#onay').hidden = true;
      show('#tamam').focus();
    } catch (err) {
      if (err.status === 409) {
        $('#onay').hidden = true;
        unusable('Bu başvuru daha önce doğrulanmış.');
      } else if (err.status === 404 || err.code === 'VERIFICATION_TOKEN_EXPIRED') {
        $('#onay').hidden = true;
        unusable(err.message);
      } else {
        showApiError($('#onay-formu'), err);
      }
    }
  }, 'Doğrulanıyor…');
});

const resend = $('#yeniden-formu');
resend.addEventListener('submit', (e) => {
  e.preventDefault();
  const b = { application_no: value(resend, 'application_no'), tc_kimlik_no: value(resend, 'tc_kimlik_no') };
  const errs = [];
  if (!APPLICATION_NO.test(b.application_no)) errs.push({ field: 'application_no', message: 'Başvuru numarasını 2026-0000123-4 biçiminde yazın.' });
  const t = tcknProblem(b.tc_kimlik_no);
  if (t) errs.push({ field: 'tc_kimlik_no', message: t });
  if (errs.length) {
    showErrors(resend, errs);
    return;
  }
  clearErrors(resend);
  busy($('#yeniden-gonder'), async () => {
    try {
      await post('/verifications/resend', b);
      const done = $('#yeniden-sonuc');
      done.textContent = 'Bilgileriniz doğrulama bekleyen bir başvuruyla eşleşiyorsa yeni bir doğrulama bağlantısı e-posta adresinize gönderildi. Önceki bağlantı artık çalışmaz.';
      done.hidden = false;
    } catch (err) {
      showApiError(resend, err);
    }
  }, 'Gönderiliyor…');
});

lookUp();
