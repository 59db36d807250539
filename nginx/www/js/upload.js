// SPDX-License-Identifier: MIT
/*
 * The attachment widget of the application, appeal and staff forms: each chosen file is
 * checked here the way the server checks it (PDF, PNG or JPEG; at most 10 MiB; at most
 * 10 per application) and uploaded at once as the raw body of POST /api/v1/attachments,
 * with a <progress> bar and a polite live region announcing each step. The form sends
 * the collected attachment_ids.
 *
 * Markup (inside a fieldset with data-field="attachment_ids"): an <input type=file>,
 * a .upload-progress block holding a <progress> and a .upload-name, a .field-error
 * slot, a .upload-status live region and a .upload-list.
 */

import { uploadAttachment } from './api.js';
import { el } from './ui.js';

export const MAX_FILES = 10;
export const MAX_BYTES = 10 * 1024 * 1024;
const TYPES = { 'application/pdf': 'PDF', 'image/png': 'PNG', 'image/jpeg': 'JPEG' };

function size(n) {
  if (n < 1024) return `${n} bayt`;
  if (n < 1024 * 1024) return `${(n / 1024).toLocaleString('tr-TR', { maximumFractionDigits: 1 })} KB`;
  return `${(n / 1024 / 1024).toLocaleString('tr-TR', { maximumFractionDigits: 1 })} MB`;
}

/** Wires one widget; returns {ids(), busy(), idle(), reset()}. */
export function attachUploader(root) {
  const input = root.querySelector('input[type=file]');
  const progressBox = root.querySelector('.upload-progress');
  const bar = root.querySelector('progress');
  const name = root.querySelector('.upload-name');
  const error = root.querySelector('.field-error');
  const status = root.querySelector('.upload-status');
  const list = root.querySelector('.upload-list');
  const done = []; // {id, file}
  let queue = Promise.resolve();
  let pending = 0;

  function problem(text) {
    error.textContent = error.textContent ? error.textContent + ' ' + text : text;
    input.setAttribute('aria-invalid', 'true');
  }

  function render() {
    list.replaceChildren(
      ...done.map((d, i) =>
        el(
          'li',
          { 'data-attachment-id': d.id },
          `${d.file.name} (${TYPES[d.file.type]}, ${size(d.file.size)}) `,
          el(
            'button',
            {
              type: 'button',
              class: 'link',
              onclick: () => {
                done.splice(i, 1);
                render();
                status.textContent = `${d.file.name} listeden çıkarıldı.`;
                input.focus();
              },
            },
            el('span', {}, 'Kaldır'),
            el('span', { class: 'visually-hidden' }, `: ${d.file.name}`),
          ),
        ),
      ),
    );
  }

  async function uploadOne(file) {
    name.textContent = file.name;
    bar.value = 0;
    bar.setAttribute('aria-valuetext', `${file.name}: %0`);
    progressBox.hidden = false;
    status.textContent = `${file.name} yükleniyor…`;
    try {
      const res = await uploadAttachment(file, (f) => {
        const pct = Math.round(f * 100);
        bar.value = pct;
        bar.setAttribute('aria-valuetext', `${file.name}: %${pct}`);
      });
      done.push({ id: res.attachment_id, file });
      render();
      status.textContent = `${file.name} yüklendi.`;
    } catch (err) {
      problem(`${file.name}: ${err.message}`);
      status.textContent = `${file.name} yüklenemedi.`;
    } finally {
      progressBox.hidden = true;
    }
  }

  input.addEventListener('change', () => {
    error.textContent = '';
    input.removeAttribute('aria-invalid');
    const files = Array.from(input.files || []);
    input.value = '';
    for (const file of files) {
      if (!TYPES[file.type]) {
        problem(`${file.name}: yalnızca PDF, PNG ya da JPEG dosyaları eklenebilir.`);
        continue;
      }
      if (file.size === 0) {
        problem(`${file.name}: dosya boş.`);
        continue;
      }
      if (file.size > MAX_BYTES) {
        problem(`${file.name}: dosya 10 MB'tan büyük olamaz (${size(file.size)}).`);
        continue;
      }
      if (done.length + pending >= MAX_FILES) {
        problem(`En çok ${MAX_FILES} dosya eklenebilir; ${file.name} eklenmedi.`);
        continue;
      }
      pending++;
      queue = queue.then(() => uploadOne(file)).finally(() => pending--);
    }
  });

  return {
    ids: () => done.map((d) => d.id),
    /** The API's errors with each attachment_ids[n] message prefixed by that file's name. */
    named: (errors) =>
      errors.map((e) => {
        const m = /^attachment_ids\[(\d+)\]$/.exec(e.field || '');
        const d = m ? done[Number(m[1])] : null;
        return d ? { ...e, message: `${d.file.name}: ${e.message}` } : e;
      }),
    busy: () => pending > 0,
    idle: () => queue,
    reset: () => {
      done.length = 0;
      render();
      status.textContent = '';
    },
  };
}
