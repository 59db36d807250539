// SPDX-License-Identifier: MIT
/*
 * The BEDK console's list (personel/bedk.html → GET /api/v1/appeals): BEDK members see
 * every appeal, most urgent first, filtered by status and overdue, with the decision
 * once taken; an institution user sees the appeals on which BEDK asked it for
 * information, with that request's deadline. Rows open personel/itiraz.html?id=….
 */

import { get, query, requireSession, hasRole } from './api.js';
import { APPEAL_STATUS, DECISION, label } from './labels.js';
import { $, el, fill, formatDate, formatDateTime, showErrors, clearErrors, staffHeader, table, value } from './ui.js';

requireSession();
staffHeader();

const member = hasRole('bedk_member');
const filters = $('#suzgec');
const listBox = $('#liste');
const listStatus = $('#liste-durumu');
const more = $('#daha-fazla');
let rows = [];
let cursor = null;

if (!member) {
  $('#baslik').textContent = 'Kurul’un bilgi istedikleri itirazlar';
  $('#aciklama').textContent =
    'Bilgi Edinme Değerlendirme Kurulu’nun kurumunuzdan bilgi istediği itirazlar. Kurul’a 15 iş günü içinde cevap verilmelidir.';
  $('#gecikme').options[1].textContent = 'Cevabı gecikenler';
}

function overdueCell(late) {
  return late ? el('span', { class: 'badge overdue' }, 'Süresi geçti') : el('span', { class: 'badge ok' }, 'Süresinde');
}

function render() {
  if (!rows.length) {
    fill(listBox, el('p', {}, 'Bu süzgeçlere uyan itiraz yok.'));
    return;
  }
  const head = member
    ? ['İtiraz no', 'Başvuru no', 'Durum', 'Karar', 'İtiraz tarihi', 'Karar için son gün', 'Süre']
    : ['İtiraz no', 'Başvuru no', 'Durum', 'Bilgi istendi', 'Cevap için son gün', 'Cevaplandı', 'Süre'];
  const cells = (a) => {
    const id = el('a', { class: 'nowrap', href: '/personel/itiraz.html?id=' + encodeURIComponent(a.appeal_id) }, a.appeal_id);
    const no = el('span', { class: 'nowrap' }, a.application_no);
    if (member) {
      return [id, no, label(APPEAL_STATUS, a.status), a.decision ? label(DECISION, a.decision) : '—', formatDateTime(a.filed_at), formatDate(a.due_at), overdueCell(a.overdue)];
    }
    const r = a.information_request || {};
    return [id, no, label(APPEAL_STATUS, a.status), formatDateTime(r.requested_at), formatDate(r.due_at), r.answered_at ? formatDateTime(r.answered_at) : 'Hayır', overdueCell(r.overdue)];
  };
  const late = (a) => (member ? a.overdue : !!(a.information_request && a.information_request.overdue));
  fill(listBox, table('İtirazlar', head, rows.map(cells), { stack: true, rowClass: (n) => (late(rows[n]) ? 'overdue' : null) }));
}

async function load(append) {
  listStatus.textContent = 'Yükleniyor…';
  more.hidden = true;
  try {
    const page = await get(
      '/appeals' + query({ status: value(filters, 'status'), overdue: value(filters, 'overdue'), cursor: append ? cursor : null, limit: 50 }),
      { auth: true },
    );
    rows = append ? rows.concat(page.items) : page.items;
    cursor = page.next_cursor;
    render();
    listStatus.textContent = `${rows.length} itiraz gösteriliyor${cursor ? '; devamı var' : ''}.`;
    more.hidden = !cursor;
  } catch (err) {
    listStatus.textContent = err.status === 403 ? 'Bu listeyi görme yetkiniz yok.' : err.message;
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
  const id = value(open, 'id');
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
    showErrors(open, [{ field: 'id', message: 'İtiraz numarasını yazın (ör. 2026-000012).' }]);
    return;
  }
  clearErrors(open);
  location.assign('/personel/itiraz.html?id=' + encodeURIComponent(id));
});

load(false);
