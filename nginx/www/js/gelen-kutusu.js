// SPDX-License-Identifier: MIT
/*
 * The staff inbox (personel/index.html → GET /api/v1/inbox): filters by status and
 * overdue, pages with the opaque cursor ("more"), overdue rows highlighted and labelled
 * in words (not by colour alone), a direct "open by number" box, and the open
 * information requests BEDK addressed to the caller's institution. BEDK members have no
 * inbox (403): they go to the appeals.
 */

import { get, query, requireSession, hasRole } from './api.js';
import { STATUS, CATEGORY, label } from './labels.js';
import { $, el, fill, formatDate, formatDateTime, showErrors, clearErrors, staffHeader, table, value, APPLICATION_NO } from './ui.js';

const s = requireSession();
if (s.roles.length === 1 && hasRole('bedk_member')) location.replace('/personel/bedk.html');
staffHeader();

const filters = $('#suzgec');
const listBox = $('#liste');
const listStatus = $('#liste-durumu');
const more = $('#daha-fazla');
let rows = [];
let cursor = null;

for (const st of ['received', 'in_progress', 'answered', 'not_processed', 'cancelled', 'deemed_rejected']) {
  $('#durum').append(el('option', { value: st }, label(STATUS, st)));
}

function link(no) {
  return el('a', { class: 'nowrap', href: '/personel/basvuru.html?no=' + encodeURIComponent(no) }, no);
}

function overdueCell(item) {
  return item.overdue ? el('span', { class: 'badge overdue' }, 'Süresi geçti') : el('span', { class: 'badge ok' }, 'Süresinde');
}

function render() {
  if (!rows.length) {
    fill(listBox, el('p', {}, 'Bu süzgeçlere uyan başvuru yok.'));
    return;
  }
  fill(
    listBox,
    table(
      'Başvurular',
      ['Başvuru no', 'Tür', 'Konu', 'Durum', 'Alındığı tarih', 'Son gün', 'Süre'],
      rows.map((i) => [
        link(i.application_no),
        i.type === 'dilekce' ? `Dilekçe: ${label(CATEGORY, i.category)}` : 'Bilgi edinme',
        i.subject,
        label(STATUS, i.status),
        formatDateTime(i.received_at),
        formatDate(i.due_at),
        overdueCell(i),
      ]),
      { stack: true, rowClass: (n) => (rows[n].overdue ? 'overdue' : null) },
    ),
  );
}

function renderRequests(reqs) {
  const box = $('#bedk-istekleri');
  box.hidden = !reqs.length;
  if (!reqs.length) {
    fill($('#bedk-istekleri-liste')); // no stale rows of an earlier filter behind the hidden box
    return;
  }
  fill(
    $('#bedk-istekleri-liste'),
    table(
      'Cevap bekleyen bilgi istekleri',
      ['İtiraz no', 'Başvuru no', 'Kurul’un isteği', 'İstendiği tarih', 'Son gün', 'Süre'],
      reqs.map((r) => [
        el('a', { href: '/personel/itiraz.html?id=' + encodeURIComponent(r.appeal_id) }, r.appeal_id),
        r.application_no,
        r.text,
        formatDateTime(r.requested_at),
        formatDate(r.due_at),
        overdueCell(r),
      ]),
      { stack: true, rowClass: (n) => (reqs[n].overdue ? 'overdue' : null) },
    ),
  );
}

async function load(append) {
  listStatus.textContent = 'Yükleniyor…';
  more.hidden = true;
  try {
    const page = await get(
      '/inbox' + query({ status: value(filters, 'status'), overdue: value(filters, 'overdue'), cursor: append ? cursor : null, limit: 50 }),
      { auth: true },
    );
    rows = append ? rows.concat(page.items) : page.items;
    cursor = page.next_cursor;
    render();
    renderRequests(page.information_requests || []);
    const late = rows.filter((r) => r.overdue).length;
    listStatus.textContent = `${rows.length} başvuru gösteriliyor${late ? `, ${late} tanesinin süresi geçti` : ''}${cursor ? '; devamı var' : ''}.`;
    more.hidden = !cursor;
  } catch (err) {
    listStatus.textContent = err.message;
  }
}

filters.addEventListener('submit', (e) => {
  e.preventDefault();
  load(false);
});
more.addEventListener('click', () => load(true));

const open = $('#ac-formu');
open.addEventListener('submit', (e) => {
  e.preventDefault();
  const no = value(open, 'no');
  if (!APPLICATION_NO.test(no)) {
    showErrors(open, [{ field: 'no', message: 'Başvuru numarasını 2026-0000123-4 biçiminde yazın.' }]);
    return;
  }
  clearErrors(open);
  location.assign('/personel/basvuru.html?no=' + encodeURIComponent(no));
});

load(false);
