// SPDX-License-Identifier: MIT
/*
 * Staff login (personel/giris.html → POST /api/v1/auth/login). The tokens go to
 * sessionStorage (api.js); the page then returns to where the login was asked for
 * (?sonra=, only a path under /personel/) or to the caller's console: BEDK members to
 * the appeals, everyone else to the inbox. A wrong name and a wrong password are one
 * message (the API gives one 401 for both); too many failures are a 429.
 */

import { login } from './api.js';
import { $, busy, clearErrors, showErrors, value } from './ui.js';

const form = $('#giris-formu');
const params = new URLSearchParams(location.search);
if (params.get('cikis')) $('#cikis-bilgisi').hidden = false;

/** A same-site page of the staff console to return to, or null. */
function nextPage() {
  const next = params.get('sonra') || '';
  return /^\/personel\/[A-Za-z0-9_.\-/]*(\?[^#]*)?$/.test(next) && !next.includes('//') && !next.includes('giris.html') ? next : null;
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const username = value(form, 'username').toLowerCase();
  const password = form.elements.namedItem('password').value;
  const errs = [];
  if (!username) errs.push({ field: 'username', message: 'Kullanıcı adınızı yazın.' });
  if (!password) errs.push({ field: 'password', message: 'Parolanızı yazın.' });
  if (errs.length) return showErrors(form, errs, 'Giriş yapılamadı');
  clearErrors(form);
  busy($('#giris'), async () => {
    try {
      const s = await login(username, password);
      const home = s.roles.includes('bedk_member') && s.roles.length === 1 ? '/personel/bedk.html' : '/personel/';
      location.assign(nextPage() || home);
    } catch (err) {
      form.elements.namedItem('password').value = '';
      const message = err.status === 401 ? 'Kullanıcı adı ya da parola hatalı.' : err.message;
      showErrors(form, [], message);
    }
  }, 'Giriş yapılıyor…');
});
