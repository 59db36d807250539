// SPDX-License-Identifier: MIT
/*
 * An operator keys in an application that came by phone (Alo 150), fax, letter or in
 * person (personel/yeni-basvuru.html → POST /api/v1/staff/applications). The form adapts
 * to the channel, type and category and says what the rules ask for that choice
 * (rules.md C1, C3, C4, C5): the anonymous option only where C3 allows it, the evidence
 * mark only for an anonymous letter or fax, the "hide the identity" choice only for
 * şikayet and ihbar (C2). Field-level checks are the ones the citizen form makes
 * (basvuru-formu.js); which identity parts the channel needs is decided by the server
 * (services/submission/staff.c), whose 422 errors are shown next to their fields, so the
 * page and the rules can never disagree silently. One Idempotency-Key per form fill: a
 * double click, a retry after a lost answer or a resubmission after a fix never creates a
 * second application. On 201 the number, tracking code, status and due date are shown
 * to be read out or written on the receipt.
 */

import { get, post, idempotencyKey, requireSession, hasRole, ApiError } from './api.js';
import {
  applicantProblems,
  attachCounter,
  canHideIdentity,
  contentProblems,
  fillTopics,
  readApplicant,
  readContent,
} from './basvuru-formu.js';
import { CHANNEL, STATUS, label } from './labels.js';
import { attachInstitutionSearch, fillProvinces } from './kurum.js';
import { attachUploader, MAX_FILES } from './upload.js';
import { $, busy, clearErrors, formatDate, showApiError, showErrors, staffHeader, value } from './ui.js';

requireSession();
staffHeader();

const form = $('#kayit-formu');
const panel = $('#sonuc');
const rulesBox = $('#kurallar');
const categoryBox = $('#kategori-alani');
const anonBox = $('#isimsiz-alani');
const anonCheck = $('#isimsiz');
const evidenceBox = $('#kanit-alani');
const evidenceCheck = $('#kanit');
const hiddenBox = $('#gizlilik-alani');
const hiddenCheck = $('#gizlilik');
const applicantBox = $('#sahip-alani');
const uploader = attachUploader($('.uploader', form));
const institution = attachInstitutionSearch($('#kurum-secimi'), {
  name: 'target_institution_code',
  none: 'Kurum seçilmedi (başvuru gelen kutusundan yönlendirilir)',
});
const updateCounter = attachCounter($('#metin'), $('#metin-sayac'));

/** C3: a fully anonymous şikayet or ihbar is taken by letter, fax or phone (not in person). */
const ANON_CHANNELS = ['phone', 'fax', 'letter'];
const NAMES = { first_name: 'Başvuru sahibinin adı', last_name: 'Başvuru sahibinin soyadı', address: 'Adres' };

/** A key for one form fill (a UUID where the browser offers it: secure contexts). */
function newKey() {
  return typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : idempotencyKey();
}
let key = newKey();

if (!hasRole('operator')) {
  form.hidden = true;
  $('#yetki-yok').hidden = false;
}
fillTopics($('#konu-alani'));
fillProvinces($('#il'));

/** What the rules ask for this channel, type and category (rules.md C1–C5), in a sentence or three. */
function rules(channel, type, category) {
  if (!channel || !type) return 'Kanalı ve başvuru türünü seçin: hangi kimlik bilgilerinin gerektiği bunlara göre değişir.';
  if (type === 'bilgi_edinme') {
    if (channel === 'phone') {
      return 'Bilgi edinme başvurusu telefonla alınamaz; yazılı ya da elektronik olmalıdır (kural C5). Başvuru sahibine internetten, mektupla, faksla ya da halkla ilişkiler birimine şahsen başvurabileceğini söyleyin.';
    }
    const base = 'Bilgi edinme başvurusunda başvuru sahibinin adı, soyadı ve adresi zorunludur (kural C4)';
    if (channel === 'fax') return base + '; faksla gelen başvuruda T.C. kimlik numarası da zorunludur. İsimsiz bilgi edinme başvurusu alınmaz.';
    if (channel === 'in_person') return base + '; şahsen başvuru yazılı olarak alınır. İsimsiz bilgi edinme başvurusu alınmaz.';
    return base + '. İsimsiz bilgi edinme başvurusu alınmaz.';
  }
  const base = 'Dilekçede başvuru sahibinin adı, soyadı ve adresi bulunmalıdır (kural C1).';
  if (!category) return base + ' Dilekçenin konusunu seçin.';
  if (!canHideIdentity(type, category)) return base + ' İsimsiz başvuru yalnızca şikâyet ve ihbarda, telefon, faks ya da mektupla alınır (kural C3).';
  const hide = ' Kimliğini veren başvuru sahibi, kimliğinin başvuruyu cevaplayacak kuruma iletilmemesini isteyebilir (kural C2).';
  if (!ANON_CHANNELS.includes(channel)) return base + ' Şahsen başvuruda isimsiz başvuru alınmaz (kural C3).' + hide;
  const anon = ' Başvuru sahibi kimliğini bildirmek istemiyorsa “isimsiz başvuru” seçeneğini işaretleyin: başvuruya yalnızca takip kodu verilir, bildirim yapılmaz (kural C3).';
  const evidence = channel === 'phone' ? '' : ' Mektup ya da faksla gelen isimsiz başvuru ancak somut bilgi ya da ciddi belgelere dayanıyorsa işleme alınır.';
  return base + anon + evidence + hide;
}

/** Shows the choices that apply to the channel, type and category, and the rules for them. */
function adapt() {
  const channel = value(form, 'channel');
  const type = value(form, 'type');
  const category = value(form, 'category');
  categoryBox.hidden = type !== 'dilekce';
  const anonAllowed = canHideIdentity(type, category) && ANON_CHANNELS.includes(channel);
  anonBox.hidden = !anonAllowed;
  if (!anonAllowed) anonCheck.checked = false;
  const anonymous = anonCheck.checked;
  evidenceBox.hidden = !(anonymous && (channel === 'letter' || channel === 'fax'));
  if (evidenceBox.hidden) evidenceCheck.checked = false;
  const canHide = canHideIdentity(type, category) && !anonymous;
  hiddenBox.hidden = !canHide;
  if (!canHide) hiddenCheck.checked = false;
  applicantBox.hidden = anonymous;
  const tcknNeeded = type === 'bilgi_edinme' && channel === 'fax';
  $('#tckn-secimli').hidden = tcknNeeded;
  $('#tckn').required = tcknNeeded;
  rulesBox.textContent = rules(channel, type, category);
}
form.addEventListener('change', (e) => {
  if (['channel', 'type', 'category', 'anonymous'].includes(e.target.name)) adapt();
});
adapt();

/** The request body, read from the form; anonymous: no applicant at all (C3). */
function body() {
  const b = { channel: value(form, 'channel'), ...readContent(form, institution) };
  const anonymous = !anonBox.hidden && anonCheck.checked;
  if (!anonymous) b.applicant = readApplicant(form);
  if (!hiddenBox.hidden && hiddenCheck.checked) b.identity_hidden = true;
  if (!evidenceBox.hidden && evidenceCheck.checked) b.has_evidence = true;
  const ids = uploader.ids();
  if (ids.length) b.attachment_ids = ids;
  return b;
}

/**
 * The checks made here first: [{field, message}]. Beyond the field checks, one of the
 * operator's intent: where C3 would take an application without a name as anonymous,
 * anonymity must be chosen, never fall out of fields left empty.
 */
function check(b) {
  const errs = [];
  if (!b.channel) errs.push({ field: 'channel', message: 'Başvurunun hangi kanaldan geldiğini seçin.' });
  errs.push(...contentProblems(b));
  if (b.applicant) {
    const a = b.applicant;
    if (!anonBox.hidden && !a.tc_kimlik_no && !a.first_name && !a.last_name) {
      errs.push({
        field: 'applicant.first_name',
        message: 'Başvuru sahibinin adını ve soyadını yazın; kimliğini bildirmiyorsa “isimsiz başvuru” seçeneğini işaretleyin.',
      });
    }
    errs.push(...applicantProblems(a, { names: NAMES }));
  }
  if ((b.attachment_ids || []).length > MAX_FILES) errs.push({ field: 'attachment_ids', message: `En çok ${MAX_FILES} belge eklenebilir.` });
  return errs;
}

/** An ApiError made readable for the operator, saying whether sending again is safe. */
function explain(err) {
  if (err.code === 'IDEMPOTENCY_KEY_REUSED') {
    err.errors = [];
    err.message =
      'Bu form daha önce gönderildi ve başvuru kaydedilmiş olabilir (sunucunun cevabı size ulaşmadı), ama form o zamandan beri değişti. İki kez kaydetmemek için formu ilk gönderdiğiniz hâline getirip yeniden gönderin: kaydedildiyse numarası gösterilir.';
  } else if (err.status === 0 || err.status >= 500) {
    err.message += ' Başvuru kaydedilmiş olabilir: “Başvuruyu kaydet” düğmesine yeniden basın; aynı başvuru ikinci kez kaydedilmez.';
  }
  err.errors = uploader.named(err.errors);
  return err;
}

async function submit() {
  if (uploader.busy()) await uploader.idle();
  const b = body();
  const errs = check(b);
  if (errs.length) {
    showErrors(form, errs, 'Başvuru kaydedilmedi: lütfen aşağıdaki alanları düzeltin');
    return;
  }
  clearErrors(form);
  let res;
  try {
    res = await post('/staff/applications', b, { auth: true, idempotencyKey: key });
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    showApiError(form, explain(err));
    return;
  }
  await done(res, b);
}

/** The due date: in the answer, or (a replayed answer leaves it out) from the record. */
async function dueDate(res) {
  if (res.due_at) return formatDate(res.due_at);
  try {
    const r = await get('/applications/' + encodeURIComponent(res.application_no), { auth: true });
    return r.due_at ? formatDate(r.due_at) : '—';
  } catch {
    return 'başvuru sayfasında görülebilir';
  }
}

function notice(b) {
  const a = b.applicant;
  if (!a) {
    return 'İsimsiz başvuru: başvuru sahibine bildirim yapılmaz. Başvuru yalnızca takip koduyla sorgulanabilir; başvuru sahibine ulaşılabiliyorsa takip kodunu ona okuyun.';
  }
  if (a.email) return `Başvuru numarası, takip kodu ve durum bağlantısı ${a.email} adresine de e-postayla gönderilecek.`;
  return 'E-posta adresi verilmediği için bildirim gönderilmez: başvuru numarasını ve takip kodunu başvuru sahibine okuyun ya da alındı belgesine yazın.';
}

async function done(res, b) {
  $('#sonuc-no').textContent = res.application_no;
  $('#sonuc-kod').textContent = res.tracking_code;
  $('#sonuc-durum').textContent = label(STATUS, res.status);
  $('#sonuc-kanal').textContent = label(CHANNEL, b.channel);
  $('#sonuc-son-gun').textContent = await dueDate(res);
  $('#sonuc-bildirim').textContent = notice(b);
  $('#sonuc-sorgu').textContent =
    b.applicant && b.applicant.tc_kimlik_no
      ? 'Başvuru, durum sayfasında takip koduyla ya da T.C. kimlik numarası ve başvuru numarasıyla sorgulanabilir. Takip kodunu yalnızca başvuru sahibine verin.'
      : 'Başvuru, durum sayfasında takip koduyla sorgulanabilir. Takip kodunu yalnızca başvuru sahibine verin.';
  $('#sonuc-ac').href = '/personel/basvuru.html?no=' + encodeURIComponent(res.application_no);
  form.hidden = true;
  panel.hidden = false;
  panel.focus();
}

/** Another application: an empty form with a new key. */
function again() {
  form.reset();
  institution.reset();
  uploader.reset();
  clearErrors(form);
  key = newKey();
  adapt();
  updateCounter();
  panel.hidden = true;
  form.hidden = false;
  $('#kanal-telefon').focus();
}
$('#yeni').addEventListener('click', again);

let sending = false;
form.addEventListener('submit', (e) => {
  e.preventDefault();
  if (sending) return; // a second Enter while the first is on its way
  sending = true;
  busy($('#kaydet'), submit, 'Kaydediliyor…').finally(() => {
    sending = false;
  });
});
