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
import {
  applicantProblems,
  attachCounter,
  canHideIdentity,
  contentProblems,
  fillTopics,
  readApplicant,
  readContent,
} from './basvuru-formu.js';
import { attachInstitutionSearch, fillProvinces } from './kurum.js';
import { attachUploader, MAX_FILES } from './upload.js';
import { $, busy, showApiError, showErrors, clearErrors, value } from './ui.js';

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

fillTopics($('#konu-alani'));
fillProvinces($('#il'));

/** Shows the category and identity choices that apply, and the guidance for them. */
function adapt() {
  const type = value(form, 'type');
  const category = value(form, 'category');
  categoryBox.hidden = type !== 'dilekce';
  const canHide = canHideIdentity(type, category);
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

attachCounter($('#metin'), counter);

/** The request body, read from the form. */
function body() {
  const b = { ...readContent(form, institution), applicant: readApplicant(form), attachment_ids: uploader.ids() };
  if (hiddenCheck.checked && !hiddenBox.hidden) b.identity_hidden = true;
  return b;
}

const NAMES = { first_name: 'Adınız', last_name: 'Soyadınız', email: 'E-posta adresinizi yazın.', address: 'Adres' };

/** The server's rules, checked here first: [{field, message}]. */
function check(b) {
  const errs = [
    ...contentProblems(b, { category: 'Dilekçenizin konusunu seçin.' }),
    ...applicantProblems(b.applicant, { required: true, names: NAMES }),
  ];
  if (b.attachment_ids.length > MAX_FILES) errs.push({ field: 'attachment_ids', message: `En çok ${MAX_FILES} dosya eklenebilir.` });
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
