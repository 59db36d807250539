// SPDX-License-Identifier: MIT
/*
 * What the two application forms share: the citizen's (basvuru.html → POST
 * /api/v1/applications) and the operator's (personel/yeni-basvuru.html → POST
 * /api/v1/staff/applications). One copy of the field checks the server makes on every
 * application whatever its channel (services/submission/intake.h: lengths, the e-mail and
 * phone patterns, the ID checksum of rules.md W3), of reading the content fields from a
 * form, of rule C2 (only şikayet and ihbar may hide the identity), of the topic list and
 * of the body's character counter. The wording of a message that names the person
 * (citizen: "Adınız"; operator: "Başvuru sahibinin adı") is the caller's.
 */

import { TOPIC } from './labels.js';
import { el, lengthProblem, tcknProblem, value } from './ui.js';

// The server's patterns (common/bm_validators.h: BM_EMAIL_PATTERN, BM_PHONE_PATTERN).
export const EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+([.][A-Za-z0-9-]+)+$/;
export const PHONE = /^[+]?[0-9][0-9 ()-]{5,18}[0-9]$/;
export const BODY_MAX = 20000;

/** Rule C2: hiding the identity is for şikayet and ihbar (petitions) only. */
export function canHideIdentity(type, category) {
  return type === 'dilekce' && (category === 'sikayet' || category === 'ihbar');
}

/** Appends the suggested topics (labels.js) to a <select> after its first option. */
export function fillTopics(select) {
  for (const [code, text] of Object.entries(TOPIC)) select.append(el('option', { value: code }, text));
}

/** Keeps "n / 20.000 karakter" under the body text up to date; returns the update function. */
export function attachCounter(textarea, counter) {
  const update = () => {
    const n = Array.from(textarea.value).length;
    counter.textContent = `${n.toLocaleString('tr-TR')} / ${BODY_MAX.toLocaleString('tr-TR')} karakter`;
  };
  textarea.addEventListener('input', update);
  update();
  return update;
}

/**
 * The content fields of the form (names as in the API): type, category (petitions only),
 * subject, body, topic, province_code and the institution chosen in the search block.
 * Empty optional fields are left out.
 */
export function readContent(form, institution) {
  const type = value(form, 'type');
  const b = { type, subject: value(form, 'subject'), body: value(form, 'body') };
  if (type === 'dilekce' && value(form, 'category')) b.category = value(form, 'category');
  const topic = value(form, 'topic');
  if (topic) b.topic = topic;
  const province = value(form, 'province_code');
  if (province) b.province_code = province;
  const target = institution.value();
  if (target) b.target_institution_code = target;
  return b;
}

/** The applicant's fields (applicant.*), without the empty ones. */
export function readApplicant(form) {
  const a = {};
  for (const k of ['tc_kimlik_no', 'first_name', 'last_name', 'email', 'phone', 'address']) {
    const v = value(form, 'applicant.' + k);
    if (v) a[k] = v;
  }
  return a;
}

/** The server's checks of the content fields: [{field, message}]. */
export function contentProblems(b, { category = 'Dilekçenin konusunu seçin.' } = {}) {
  const errs = [];
  const add = (field, message) => message && errs.push({ field, message });
  if (!b.type) add('type', 'Başvuru türünü seçin.');
  if (b.type === 'dilekce' && !b.category) add('category', category);
  add('subject', lengthProblem(b.subject, 3, 200, 'Konu'));
  add('body', lengthProblem(b.body, 10, BODY_MAX, 'Başvuru metni'));
  return errs;
}

/**
 * The server's checks of the applicant's fields: [{field, message}]. With `required`
 * every field but the phone must be there (an internet application); without it only
 * what is given is checked, and which parts the channel needs is the server's decision
 * (staff intake: rules C1, C3, C4). `names` holds the words of the messages.
 */
export function applicantProblems(a, { required = false, names }) {
  const errs = [];
  const add = (field, message) => message && errs.push({ field: 'applicant.' + field, message });
  const check = (k) => required || !!a[k];
  if (check('tc_kimlik_no')) add('tc_kimlik_no', tcknProblem(a.tc_kimlik_no || ''));
  if (check('first_name')) add('first_name', lengthProblem(a.first_name || '', 1, 100, names.first_name));
  if (check('last_name')) add('last_name', lengthProblem(a.last_name || '', 1, 100, names.last_name));
  if (!a.email) {
    if (required) add('email', names.email);
  } else if (a.email.length > 254 || !EMAIL.test(a.email)) {
    add('email', 'Geçerli bir e-posta adresi yazın (ör. ad.soyad@ornek.com.tr); Türkçe karakter ve boşluk içeremez.');
  }
  if (a.phone && !PHONE.test(a.phone)) add('phone', 'Telefon numarası 7–20 karakter olmalı; yalnızca rakam, boşluk, parantez, tire ve başta + içerebilir.');
  if (check('address')) add('address', lengthProblem(a.address || '', 5, 500, names.address));
  return errs;
}
