// SPDX-License-Identifier: MIT
/*
 * Page helpers shared by every BİMER page: building DOM without innerHTML (data from the
 * API is always text), dates in Istanbul time, the T.C. kimlik no checksum (rules.md W3,
 * the same rule as common/bm_tckn.c), field errors shown next to their fields with an
 * error summary (client checks and the server's 422 errors alike), busy buttons, the
 * application timeline, and the staff header (who is logged in, logout).
 */

import { EVENT, OUTCOME, REASON, STATUS, ROLE, label } from './labels.js';
import { logout, session, hasRole } from './api.js';

/** document.querySelector with a clear failure when a page lacks an element. */
export function $(sel, root = document) {
  const e = root.querySelector(sel);
  if (!e) throw new Error('missing element ' + sel);
  return e;
}

/** el('p', {class: 'x'}, 'text', child…): attributes set as attributes, children as text or nodes. */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k === 'text') e.textContent = v;
    else if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

/** Replaces the children of a node. */
export function fill(node, ...children) {
  node.replaceChildren();
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

// ------------------------------------------------------------------------ dates

const dtFormat = new Intl.DateTimeFormat('tr-TR', {
  timeZone: 'Europe/Istanbul',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const dFormat = new Intl.DateTimeFormat('tr-TR', {
  timeZone: 'Europe/Istanbul',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});

export function formatDateTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dtFormat.format(d);
}

/** A due date (the API gives the last second of the day): the day only. */
export function formatDate(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dFormat.format(d);
}

/** A <time> element with the machine-readable value. */
export function timeEl(iso, dateOnly = false) {
  return el('time', { datetime: iso || '' }, dateOnly ? formatDate(iso) : formatDateTime(iso));
}

// ------------------------------------------------------------------- ID numbers

/** rules.md W3: 11 digits, first not 0, d10 and d11 check digits. YKN (99…) pass too. */
export function validTckn(s) {
  if (!/^[1-9][0-9]{10}$/.test(s)) return false;
  const d = Array.from(s, Number);
  const odd = d[0] + d[2] + d[4] + d[6] + d[8];
  const even = d[1] + d[3] + d[5] + d[7];
  const d10 = (((odd * 7 - even) % 10) + 10) % 10;
  if (d10 !== d[9]) return false;
  return d.slice(0, 10).reduce((a, b) => a + b, 0) % 10 === d[10];
}

export const APPLICATION_NO = /^[0-9]{4}-[0-9]{7,9}-[0-9]$/;
export const TRACKING_CODE = /^[A-Za-z0-9_-]{14,64}$/;

/** The Turkish message for a failed client check of an ID number. */
export function tcknProblem(v) {
  if (!v) return 'T.C. kimlik numaranızı yazın.';
  if (!/^[0-9]{11}$/.test(v)) return 'T.C. kimlik numarası 11 haneli olmalı ve yalnızca rakam içermelidir.';
  if (v[0] === '0') return 'T.C. kimlik numarası 0 ile başlayamaz.';
  if (!validTckn(v)) return 'T.C. kimlik numarası geçerli değil; lütfen kontrol edin.';
  return null;
}

// ---------------------------------------------------------------- field errors

/**
 * The control, fieldset or widget that shows the errors of an API field path such as
 * "applicant.email" or "attachment_ids[2]": an element with data-field, else a control
 * with that name.
 */
function targetOf(form, field) {
  const base = field.replace(/\[\d+\]$/, '');
  for (const f of [field, base]) {
    const byData = form.querySelector(`[data-field="${CSS.escape(f)}"]`);
    if (byData) return byData;
    const byName = form.querySelector(`[name="${CSS.escape(f)}"]`);
    if (byName) return byName;
  }
  return null;
}

function errorSlot(target) {
  const id = target.getAttribute('data-error') || (target.id ? target.id + '-hata' : null);
  return id ? document.getElementById(id) : null;
}

/** Clears every field error of the form and its summary. */
export function clearErrors(form) {
  for (const e of form.querySelectorAll('[aria-invalid="true"]')) e.removeAttribute('aria-invalid');
  for (const e of form.querySelectorAll('.field.has-error')) e.classList.remove('has-error');
  for (const e of form.querySelectorAll('.field-error')) e.textContent = '';
  const summary = form.querySelector('.error-summary');
  if (summary) {
    summary.replaceChildren();
    summary.hidden = true;
  }
}

/**
 * Shows errors [{field, message}] next to their fields and in the summary at the top of
 * the form (a list of links to the fields), then moves focus to the summary so that a
 * screen reader reads it. `message` (optional) heads the summary.
 */
export function showErrors(form, errors, message) {
  clearErrors(form);
  const summary = form.querySelector('.error-summary');
  const items = [];
  for (const err of errors) {
    const target = err.field ? targetOf(form, err.field) : null;
    if (target) {
      const control = target.matches('input,select,textarea')
        ? target
        : target.querySelector('input,select,textarea');
      (control || target).setAttribute('aria-invalid', 'true');
      const wrap = target.closest('.field') || target;
      wrap.classList.add('has-error');
      const slot = errorSlot(target);
      if (slot) slot.textContent = slot.textContent ? slot.textContent + ' ' + err.message : err.message;
      const focusId = (control || target).id;
      items.push(el('li', {}, focusId ? el('a', { href: '#' + focusId }, err.message) : err.message));
    } else {
      items.push(el('li', {}, err.message));
    }
  }
  if (summary) {
    fill(
      summary,
      el('h2', { id: summary.id + '-baslik' }, message || 'Lütfen aşağıdaki hataları düzeltin'),
      items.length ? el('ul', {}, items) : null,
    );
    summary.hidden = false;
    summary.setAttribute('tabindex', '-1');
    summary.focus();
  }
}

/** Shows an ApiError: field errors next to the fields, anything else in the summary. */
export function showApiError(form, err) {
  const fieldErrors = (err.errors || []).map((e) => ({ field: e.field, message: e.message }));
  showErrors(form, fieldErrors, err.message);
}

/** Disables a button while an async action runs; returns the action's result. */
export async function busy(button, action, busyText = 'Lütfen bekleyin…') {
  const old = button.textContent;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  button.textContent = busyText;
  try {
    return await action();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    button.textContent = old;
  }
}

/**
 * A staff page's action form (route, answer, extend, BEDK's requests and decisions). On
 * submit, under the busy button: read() gives the request body (it may wait, e.g. for
 * uploads), check(body) the problems found here ([{field, message}], shown under title,
 * nothing sent); else send(body) posts it. On success the form is emptied (and reset(),
 * if given, empties what the form does not hold), notice says message(result) and takes
 * the focus, and reload() shows the record again; the API's errors go next to their
 * fields (named(errors) first, if given, for the names of uploaded files).
 */
export function actionForm(form, button, busyText, { title, read, check, send, notice, message, reload, reset, named }) {
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(button, async () => {
      const b = await read();
      const errs = check(b);
      if (errs.length) return showErrors(form, errs, title);
      clearErrors(form);
      let res;
      try {
        res = await send(b);
      } catch (err) {
        if (named) err.errors = named(err.errors);
        return showApiError(form, err);
      }
      form.reset();
      if (reset) reset();
      notice.textContent = message(res);
      notice.hidden = false;
      notice.focus();
      await reload();
    }, busyText);
  });
}

/**
 * Loads the record a staff page shows: when the address holds a valid id, render(await
 * read()); else, and on an error, the loading line says why (notFound for a 404).
 */
export async function loadRecord(loading, { valid, invalid, read, notFound, render }) {
  if (!valid) {
    loading.textContent = invalid;
    return;
  }
  try {
    render(await read());
  } catch (err) {
    loading.textContent = err && err.status === 404 ? notFound : err.message;
  }
}

/** The trimmed value of a named control. */
export function value(form, name) {
  const c = form.elements.namedItem(name);
  if (!c) return '';
  if (c instanceof RadioNodeList) return c.value;
  return typeof c.value === 'string' ? c.value.trim() : '';
}

/** Length checks from the spec: [{field, message}] for one text field. */
export function lengthProblem(v, min, max, what) {
  if (!v) return min > 0 ? `${what} zorunludur.` : null;
  const n = Array.from(v).length;
  if (n < min) return `${what} en az ${min} karakter olmalıdır.`;
  if (n > max) return `${what} en çok ${max} karakter olabilir (şu an ${n}).`;
  return null;
}

// -------------------------------------------------------------------- timeline

function institutionName(ref) {
  return ref && ref.name ? ref.name : null;
}

/** One event as a Turkish sentence plus details. */
function eventItem(ev, staff) {
  const details = [];
  const to = institutionName(ev.to_institution);
  const from = institutionName(ev.from_institution);
  const inst = institutionName(ev.institution);
  if ((ev.kind === 'routed' || ev.kind === 'forwarded') && (to || inst)) {
    details.push(`Kurum: ${to || inst}` + (from ? ` (önceki: ${from})` : ''));
  } else if (inst && staff) {
    details.push(`Kurum: ${inst}`);
  } else if (inst && ev.kind !== 'received') {
    details.push(`Kurum: ${inst}`);
  }
  if (ev.outcome) details.push(`Sonuç: ${label(OUTCOME, ev.outcome)}`);
  if (ev.reason_code) details.push(`Gerekçe: ${label(REASON, ev.reason_code)}`);
  if (ev.due_at) details.push(`Son gün: ${formatDate(ev.due_at)}`);
  if (ev.status && staff) details.push(`Durum: ${label(STATUS, ev.status)}`);
  if (ev.note) details.push(`Not: ${ev.note}`);
  if (staff && ev.actor) {
    details.push(`İşlemi yapan: ${ev.actor.username} (${ev.actor.institution_code})`);
  }
  return el(
    'li',
    { 'data-kind': ev.kind },
    timeEl(ev.at),
    el('span', { class: 'what' }, label(EVENT, ev.kind)),
    details.map((d) => el('p', { class: 'more' }, d)),
  );
}

/** The events, oldest first, as an ordered list (citizen or staff view). */
export function timeline(events, { staff = false } = {}) {
  const list = el('ol', { class: 'timeline' });
  for (const ev of events || []) list.append(eventItem(ev, staff));
  if (!list.children.length) list.append(el('li', {}, 'Henüz bir işlem yok.'));
  return list;
}

/** A definition list from [label, value] pairs, skipping empty values. */
export function facts(pairs) {
  const dl = el('dl', { class: 'facts' });
  for (const [k, v] of pairs) {
    if (v === null || v === undefined || v === '') continue;
    dl.append(el('dt', {}, k), el('dd', {}, v));
  }
  return dl;
}

/**
 * A table with a caption, header cells with scope, and rows of cells. `stack` lays each
 * row out as a card on a phone (every cell labelled with its column, from data-label).
 */
export function table(caption, headers, rows, { numeric = [], rowClass, stack = false } = {}) {
  const t = el(
    'table',
    { class: stack ? 'stack' : null },
    el('caption', {}, caption),
    el('thead', {}, el('tr', {}, headers.map((h, i) => el('th', { scope: 'col', class: numeric.includes(i) ? 'num' : null }, h)))),
  );
  const body = el('tbody');
  rows.forEach((r, ri) => {
    const tr = el('tr', { class: rowClass ? rowClass(ri) : null });
    r.forEach((c, i) => {
      const attrs = { class: numeric.includes(i) ? 'num' : null, 'data-label': stack ? headers[i] : null };
      tr.append(i === 0 ? el('th', { scope: 'row', ...attrs }, c) : el('td', attrs, c));
    });
    body.append(tr);
  });
  t.append(body);
  return el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption }, t);
}

// ---------------------------------------------------------------- staff chrome

/**
 * Fills the staff header: who is logged in, the links their roles use (keying in an
 * application is for operators: POST /staff/applications), and the logout button. The
 * page's own link carries aria-current.
 */
export function staffHeader() {
  const s = session();
  const nav = document.getElementById('personel-menu');
  const user = document.getElementById('personel-kullanici');
  if (!s || !nav || !user) return;
  const links = [];
  if (!hasRole('bedk_member') || s.roles.length > 1) links.push(['index.html', 'Gelen kutusu']);
  if (hasRole('operator')) links.push(['yeni-basvuru.html', 'Yeni başvuru gir']);
  if (hasRole('bedk_member')) links.push(['bedk.html', 'BEDK itirazları']);
  else if (hasRole('institution_user')) links.push(['bedk.html', 'BEDK bilgi istekleri']);
  if (hasRole('coordinator') || s.institution === 'BIMER') links.push(['rapor.html', 'Aylık raporlar']);
  const here = location.pathname.split('/').pop() || 'index.html';
  fill(
    nav,
    el('ul', {}, links.map(([href, text]) => el('li', {}, el('a', { href, 'aria-current': href === here ? 'page' : null }, text)))),
  );
  const roles = s.roles.map((r) => label(ROLE, r)).join(', ');
  fill(
    user,
    el('span', {}, `${s.username} — ${s.institution}${roles ? ' (' + roles + ')' : ''}`),
    el(
      'button',
      {
        type: 'button',
        class: 'secondary',
        id: 'cikis',
        onclick: async () => {
          await logout();
          location.assign('giris.html?cikis=1');
        },
      },
      'Çıkış yap',
    ),
  );
}
