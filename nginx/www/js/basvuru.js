// SPDX-License-Identifier: MIT
/*
 * The citizen's application form (basvuru.html → POST /api/v1/applications). The form
 * adapts to the choices (a category only for a petition, the "hide my identity" choice
 * only for şikayet and ihbar, guidance per type and category), checks every field the
 * way the server does (lengths and patterns of the spec, the ID checksum of rules.md W3)
 * and shows the server's 422 errors next to their fields. A retried submission of the
 * same form reuses its Idempotency-Key, so it is never filed twice.
 */

import { post, idempotencyKey, ApiError } from './api.js';
import { TOPIC } from './labels.js';
import { attachInstitutionSearch, fillProvinces } from './kurum.js';
import { attachUploader, MAX_FILES } from './upload.js';
import { $, el, busy, lengthProblem, showApiError, showErrors, clearErrors, tcknProblem, value } from './ui.js';

const form = $('#basvuru-formu');
const categoryBox = $('#kategori-alani');
const hiddenBox = $('#gizlilik-alani');
const hiddenCheck = $('#gizlilik');
const guide = $('#rehber');
const counter = $('#metin-sayac');
const uploader = attachUploader($('.uploader', form));
const institution = attachInstitutionSearch($('#kurum-secimi'), {
  name: 'target_institution_code',
  none: 'Kurum seçmeyeceğim (BİMER yönlendirsin)',
});

const GUIDE = {
  dilekce: {
    '': 'Dilekçenizin konusunu seçin: istek, şikâyet, ihbar, görüş ya da öneri.',
    istek: 'İsteğinizi ve gerekçesini açıkça yazın. İlgili kurum en geç 30 gün içinde gerekçeli cevap verir.',
    sikayet: 'Şikâyet ettiğiniz işlemi, kurumu ve tarihini yazın. Kimliğinizin şikâyet ettiğiniz kuruma iletilmemesini isteyebilirsiniz. Yargıya taşınmış konular işleme alınmaz.',
    ihbar: 'Bildirdiğiniz durumu yer, tarih ve kişilerle somut olarak yazın, varsa belgelerini ekleyin. Kimliğinizin saklı tutulmasını isteyebilirsiniz. Asılsız isnat ve hakaret içeren başvurular işleme alınmaz.',
    gorus: 'Görüşünüzü ve ilgili olduğu konuyu yazın.',
    oneri: 'Önerinizi ve hangi hizmetin nasıl iyileşeceğini yazın.',
  },
  bilgi_edinme: {
    '': 'İstediğiniz bilgi ya da belgeyi açıkça tanımlayın ve mümkünse kurumu seçin. Kurum 15 iş günü içinde cevap verir; başka bir birimin görüşü gerekiyorsa süre bir kez 30 iş gününe uzatılabilir. Ayrı bir araştırma gerektiren ya da yayımlanmış bilgiler için başvuru karşılanmayabilir. Reddedilirse 15 gün içinde BEDK’ya itiraz edebilirsiniz.',
  },
};

for (const [code, text] of Object.entries(TOPIC)) {
  $('#konu-alani').append(el('option', { value: code }, text));
}
fillProvinces($('#il'));

/** Shows the category and identity choices that apply, and the guidance for them. */
function adapt() {
  const type = value(form, 'type');
  const category = value(form, 'category');
  categoryBox.hidden = type !== 'dilekce';
  const canHide = type === 'dilekce' && (category === 'sikayet' || category === 'ihbar');
  hiddenBox.hidden = !canHide;
  if (!canHide) hiddenCheck.checked = false;
  const text = type ? GUIDE[type][type === 'dilekce' ? category : ''] : '';
  guide.textContent = text || '';
  guide.hidden = !text;
}
form.addEventListener('change', (e) => {
  if (e.target.name === 'type' || e.target.name === 'category') adapt();
});
adapt();

function updateCounter() {
  const n = Array.from($('#metin').value).length;
  counter.textContent = `${n.toLocaleString('tr-TR')} / 20.000 karakter`;
}
$('#metin').addEventListener('input', updateCounter);
updateCounter();

// The server's patterns (common/bm_validators.h: BM_EMAIL_PATTERN, BM_PHONE_PATTERN).
const EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+([.][A-Za-z0-9-]+)+$/;
const PHONE = /^[+]?[0-9][0-9 ()-]{5,18}[0-9]$/;

/** The request body, read from the form. */
function body() {
  const type = value(form, 'type');
  const b = {
    type,
    subject: value(form, 'subject'),
    body: value(form, 'body'),
    applicant: {
      tc_kimlik_no: value(form, 'applicant.tc_kimlik_no'),
      first_name: value(form, 'applicant.first_name'),
      last_name: value(form, 'applicant.last_name'),
      email: value(form, 'applicant.email'),
      address: value(form, 'applicant.address'),
    },
    attachment_ids: uploader.ids(),
  };
  if (type === 'dilekce' && value(form, 'category')) b.category = value(form, 'category');
  if (hiddenCheck.checked && !hiddenBox.hidden) b.identity_hidden = true;
  const phone = value(form, 'applicant.phone');
  if (phone) b.applicant.phone = phone;
  const province = value(form, 'province_code');
  if (province) b.province_code = province;
  const topic = value(form, 'topic');
  if (topic) b.topic = topic;
  const target = institution.value();
  if (target) b.target_institution_code = target;
  return b;
}

/** The server's rules, checked here first: [{field, message}]. */
function check(b) {
  const errs = [];
  const add = (field, message) => message && errs.push({ field, message });
  if (!b.type) add('type', 'Başvuru türünü seçin.');
  if (b.type === 'dilekce' && !b.category) add('category', 'Dilekçenizin konusunu seçin.');
  add('subject', lengthProblem(b.subject, 3, 200, 'Konu'));
  add('body', lengthProblem(b.body, 10, 20000, 'Başvuru metni'));
  add('applicant.tc_kimlik_no', tcknProblem(b.applicant.tc_kimlik_no));
  add('applicant.first_name', lengthProblem(b.applicant.first_name, 1, 100, 'Adınız'));
  add('applicant.last_name', lengthProblem(b.applicant.last_name, 1, 100, 'Soyadınız'));
  const email = b.applicant.email;
  if (!email) add('applicant.email', 'E-posta adresinizi yazın.');
  else if (email.length > 254 || !EMAIL.test(email)) add('applicant.email', 'Geçerli bir e-posta adresi yazın (ör. ad.soyad@ornek.com.tr); Türkçe karakter ve boşluk içeremez.');
  if (b.applicant.phone && !PHONE.test(b.applicant.phone)) add('applicant.phone', 'Telefon numarası 7–20 karakter olmalı; yalnızca rakam, boşluk, parantez, tire ve başta + içerebilir.');
  add('applicant.address', lengthProblem(b.applicant.address, 5, 500, 'Adres'));
  if (b.attachment_ids.length > MAX_FILES) add('attachment_ids', `En çok ${MAX_FILES} dosya eklenebilir.`);
  return errs;
}

let lastKey = null;
let lastBody = null;

async function submit() {
  if (uploader.busy()) await uploader.idle();
  const b = body();
  const errs = check(b);
  if (errs.length) {
    showErrors(form, errs, 'Başvurunuz gönderilmedi: lütfen aşağıdaki alanları düzeltin');
    return;
  }
  clearErrors(form);
  const json = JSON.stringify(b);
  if (json !== lastBody) {
    lastKey = idempotencyKey();
    lastBody = json;
  }
  try {
    const res = await post('/applications', b, { idempotencyKey: lastKey });
    done(res, b.applicant.email);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (err.status !== 0) lastBody = null; // only a lost answer is retried with the same key
    err.errors = uploader.named(err.errors);
      showApiError(form, err);
  }
}

function done(res, email) {
  $('#sonuc-no').textContent = res.application_no;
  $('#sonuc-kod').textContent = res.tracking_code;
  $('#sonuc-eposta').textContent = email;
  $('#sonuc-durum').href = '/durum.html?kod=' + encodeURIComponent(res.tracking_code);
  form.hidden = true;
  const panel = $('#sonuc');
  panel.hidden = false;
  panel.focus();
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  busy($('#gonder'), submit, 'Gönderiliyor…');
});
