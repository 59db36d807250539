// SPDX-License-Identifier: MIT
/*
 * Institution search (GET /api/v1/institutions?q=), shared by the citizen's form (the
 * optional target institution) and the staff routing form: a search box, a button, a
 * status line and the results as radio buttons named after the API field, so the
 * chosen code is read from the form like any other value and server errors land on it.
 * Also the province list, read from the governorships (one per plate code).
 */

import { get, query } from './api.js';
import { KIND, label } from './labels.js';
import { el, fill } from './ui.js';

/**
 * Wires a search block: root holds input[type=search], a button, a [role=status] line
 * and a fieldset.kurum-sonuc with a ul.results. `name` is the radio name (the API field);
 * `none` adds a "no institution" choice; `exclude(item)` hides unusable targets.
 */
export function attachInstitutionSearch(root, { name, none = null, exclude = null } = {}) {
  const input = root.querySelector('input[type=search]');
  const button = root.querySelector('button');
  const status = root.querySelector('[role=status]');
  const box = root.querySelector('.kurum-sonuc');
  const list = box.querySelector('.results');

  async function search() {
    const q = input.value.trim();
    if (!q) {
      status.textContent = 'Aramak için kurum adını ya da kodunu yazın.';
      input.focus();
      return;
    }
    status.textContent = 'Aranıyor…';
    let items;
    try {
      items = (await get('/institutions' + query({ q: q.slice(0, 100) }))).items;
    } catch (err) {
      status.textContent = err.message;
      return;
    }
    if (exclude) items = items.filter((i) => !exclude(i));
    const shown = items.slice(0, 30);
    const rows = shown.map((i, n) => {
      const id = `${root.id || name}-${n}`;
      return el(
        'li',
        {},
        el(
          'div',
          { class: 'choice' },
          el('input', { type: 'radio', id, name, value: i.code }),
          el('label', { for: id }, `${i.name} (${i.code}) — ${label(KIND, i.kind)}`),
        ),
      );
    });
    if (none) {
      rows.unshift(
        el(
          'li',
          {},
          el(
            'div',
            { class: 'choice' },
            el('input', { type: 'radio', id: `${root.id || name}-yok`, name, value: '', checked: true }),
            el('label', { for: `${root.id || name}-yok` }, none),
          ),
        ),
      );
    }
    fill(list, rows);
    box.hidden = rows.length === 0;
    status.textContent = items.length
      ? `${items.length} kurum bulundu${items.length > shown.length ? `; ilk ${shown.length} tanesi gösteriliyor, aramanızı daraltın` : ''}. Listeden birini seçin.`
      : 'Bu aramayla eşleşen kurum bulunamadı.';
  }

  button.addEventListener('click', search);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      search();
    }
  });
  return {
    value: () => {
      const c = list.querySelector('input:checked');
      return c ? c.value : '';
    },
    reset: () => {
      list.replaceChildren();
      box.hidden = true;
      status.textContent = '';
      input.value = '';
    },
  };
}

/** Fills a <select> with the 81 provinces (from the governorships), keeping its first option. */
export async function fillProvinces(select) {
  try {
    const { items } = await get('/institutions' + query({ kind: 'governorship' }));
    const seen = new Set();
    const rows = items
      .filter((i) => i.province_code && !seen.has(i.province_code) && seen.add(i.province_code))
      .sort((a, b) => a.province_code.localeCompare(b.province_code));
    for (const i of rows) {
      const name = i.name.replace(/\s+Valiliği$/u, '');
      select.append(el('option', { value: i.province_code }, `${i.province_code} — ${name}`));
    }
  } catch {
    /* the field is optional: without the list it offers "no province" only */
  }
}
