// SPDX-License-Identifier: MIT
/*
 * The operator's intake page (personel/yeni-basvuru.html → POST /api/v1/staff/applications)
 * in a real browser: the Ankara desk keys in a letter with the applicant's identity (the
 * receipt, the record, the public status page by tracking code, the "received" mail);
 * phone applications where rule C3 takes them anonymously and where it does not (the
 * server's MISSING_IDENTITY and BE_PHONE_NOT_ALLOWED next to their fields); the page's own
 * checks, the fax and evidence rules (C3, C4) answered by the server at their fields; a
 * lost answer retried and a double click, which must file one application; who sees the
 * page; an expired session goes back to the login page.
 */

import { BASE, PHONE, api, assert, check, mailbox, sampleFiles, staffLogin, tckn, token, waitForMail } from './lib.mjs';

const URL_RE = /\/personel\/yeni-basvuru\.html$/;
const BODY = 'Mahallemizdeki parkın aydınlatması haftalardır yanmıyor; akşamları çocuklar parkı kullanamıyor. Onarılmasını rica ederim.';

async function openForm(page, user) {
  await staffLogin(page, user);
  await page.getByRole('navigation', { name: 'Personel menüsü' }).getByRole('link', { name: 'Yeni başvuru gir' }).click();
  await page.waitForURL(URL_RE);
  await page.getByRole('heading', { level: 1, name: /Başvuru kaydı/ }).waitFor();
}

/** Resolves with the answer of the next POST /staff/applications. */
function nextIntake(page) {
  return page.waitForResponse((r) => r.url().endsWith('/api/v1/staff/applications') && r.request().method() === 'POST');
}

async function save(page) {
  const answer = nextIntake(page);
  await page.getByRole('button', { name: 'Başvuruyu kaydet' }).click();
  return answer;
}

async function receipt(page) {
  await page.locator('#sonuc').waitFor();
  return {
    no: (await page.locator('#sonuc-no').textContent()).trim(),
    code: (await page.locator('#sonuc-kod').textContent()).trim(),
    status: await page.locator('#sonuc-durum').textContent(),
    due: await page.locator('#sonuc-son-gun').textContent(),
  };
}

async function letterWithIdentity({ person }) {
  const { page } = await person();
  const me = { tckn: tckn(), email: mailbox('mektup') };
  await openForm(page, 'ankara.operator');
  assert.equal(await page.locator('#personel-menu a[aria-current="page"]').textContent(), 'Yeni başvuru gir');
  assert.match(await page.locator('#kurallar').textContent(), /Kanalı ve başvuru türünü seçin/);
  await check(page, 'yeni-basvuru-formu');

  await page.getByLabel('Mektup').check();
  await page.getByLabel('Dilekçe', { exact: true }).check();
  await page.getByLabel('İstek').check();
  assert.match(await page.locator('#kurallar').textContent(), /adı, soyadı ve adresi bulunmalıdır \(kural C1\)/);
  assert.ok(!(await page.locator('#isimsiz-alani').isVisible()), 'no anonymous istek (C3)');
  assert.ok(!(await page.locator('#gizlilik-alani').isVisible()), 'no hidden identity for an istek (C2)');
  await page.getByLabel('Konu', { exact: true }).fill('Park aydınlatmasının onarılması');
  await page.getByLabel('Başvuru metni').fill(BODY);
  await page.getByLabel('İl', { exact: false }).selectOption('06');
  await page.getByLabel('Başvurulan kurum').fill('Çankaya');
  await page.getByRole('button', { name: 'Kurum ara' }).click();
  await page.getByLabel(/\(KAYMAKAMLIK-06-CANKAYA\)/).check();
  await page.getByLabel('T.C. kimlik numarası').fill(me.tckn);
  await page.getByLabel('Adı', { exact: true }).fill('Mehmet Ali');
  await page.getByLabel('Soyadı', { exact: true }).fill('Yılmaz');
  await page.getByLabel('Adresi', { exact: true }).fill('Ayrancı Mah. Hoşdere Cad. No:12 Çankaya/Ankara');
  await page.getByLabel('E-posta adresi').fill(me.email);
  const answer = await save(page);
  assert.equal(answer.status(), 201);
  const sent = await answer.json();
  assert.ok(sent.due_at, 'a keyed-in application is received: it has a due date');

  const r = await receipt(page);
  assert.equal(r.no, sent.application_no);
  assert.match(r.no, /^\d{4}-\d{7,9}-\d$/);
  assert.equal(r.code, sent.tracking_code);
  assert.equal(r.status, 'Alındı');
  assert.match(r.due, /^\d{1,2} \S+ \d{4}$/, 'the due day, in Turkish');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'sonuc');
  assert.match(await page.locator('#sonuc-bildirim').textContent(), new RegExp(me.email.replace(/\./g, '\\.')));
  assert.ok(!(await page.locator('#kayit-formu').isVisible()));
  await check(page, 'yeni-basvuru-kaydedildi');

  // The number exists: the record opens from the receipt, as the API keeps it.
  const record = await api('GET', `/applications/${r.no}`, undefined, { token: await token('ankara.operator') });
  assert.equal(record.json.channel, 'letter');
  assert.equal(record.json.status, 'received');
  assert.equal(record.json.target_institution_code, 'KAYMAKAMLIK-06-CANKAYA');
  assert.equal(record.json.anonymous, false);
  await page.getByRole('link', { name: 'Başvuruyu aç' }).click();
  await page.getByRole('heading', { name: `Başvuru ${r.no}` }).waitFor();
  assert.match(await page.locator('#ozet').textContent(), /Kanal\s*Mektup/);
  assert.match(await page.locator('#sahip').textContent(), /Mehmet Ali Yılmaz/);

  // The applicant's mail carries the tracking link; the public status page shows it received.
  const mail = await waitForMail(me.email, /alındı/);
  assert.ok(mail.text.includes(r.no));
  const citizen = await person({ viewport: PHONE });
  await citizen.page.goto(`${BASE}/durum.html?kod=${encodeURIComponent(r.code)}`);
  await citizen.page.getByRole('heading', { name: `Başvuru ${r.no}` }).waitFor();
  assert.equal(await citizen.page.locator('#durum-degeri').textContent(), 'Alındı');
  const kinds = await citizen.page.locator('ol.timeline li').evaluateAll((li) => li.map((e) => e.dataset.kind));
  assert.deepEqual(kinds, ['received']);
  await check(citizen.page, 'durum-personel-kaydi');
}

async function anonymousPhone({ person }) {
  const { page } = await person({ viewport: PHONE });
  await openForm(page, 'merkez.operator');
  await page.getByLabel('Telefon (Alo 150)').check();
  await page.getByLabel('Dilekçe', { exact: true }).check();
  await page.getByLabel('İstek').check();
  await page.getByLabel('Konu', { exact: true }).fill('Sokak lambası yanmıyor');
  await page.getByLabel('Başvuru metni').fill(BODY);

  // An istek by phone without a name: C1 wants name, surname and address; the server says so
  // next to each of them (there is no anonymous option to choose for an istek).
  assert.ok(!(await page.locator('#isimsiz-alani').isVisible()));
  let answer = await save(page);
  assert.equal(answer.status(), 422);
  const codes = (await answer.json()).errors.map((e) => `${e.field}:${e.code}`).sort();
  assert.deepEqual(codes, ['applicant.address:MISSING_IDENTITY', 'applicant.first_name:MISSING_IDENTITY', 'applicant.last_name:MISSING_IDENTITY']);
  for (const id of ['ad', 'soyad', 'adres']) {
    await page.locator(`#${id}-hata`).filter({ hasText: 'ad, soyad ve adres bulunmalıdır' }).waitFor();
    assert.equal(await page.locator(`#${id}`).getAttribute('aria-invalid'), 'true');
  }
  assert.equal(await page.evaluate(() => document.activeElement.id), 'hata-ozeti');
  await check(page, 'yeni-basvuru-kimlik-eksik');

  // An information request by phone: refused by the server (C5) at the channel.
  await page.getByLabel('Bilgi edinme başvurusu').check();
  assert.match(await page.locator('#kurallar').textContent(), /telefonla alınamaz/);
  await page.getByLabel('Adı', { exact: true }).fill('Zeynep');
  await page.getByLabel('Soyadı', { exact: true }).fill('Kaya');
  await page.getByLabel('Adresi', { exact: true }).fill('Bahçelievler Mah. 7. Cad. No:3 Ankara');
  answer = await save(page);
  assert.equal(answer.status(), 422);
  await page.locator('#kanal-hata').filter({ hasText: 'telefonla yapılamaz' }).waitFor();
  assert.equal(await page.locator('#kanal-hata').textContent(), (await answer.json()).errors[0].message);
  await check(page, 'yeni-basvuru-telefonla-bilgi-edinme');

  // A şikayet by phone may be anonymous (C3), but only when chosen: empty fields are not enough.
  await page.getByLabel('Dilekçe', { exact: true }).check();
  await page.getByLabel('Şikâyet').check();
  for (const l of ['Adı', 'Soyadı', 'Adresi']) await page.getByLabel(l, { exact: true }).fill('');
  assert.ok(await page.locator('#isimsiz-alani').isVisible());
  assert.ok(await page.locator('#gizlilik-alani').isVisible());
  let asked = 0;
  const count = (req) => {
    if (req.url().endsWith('/api/v1/staff/applications')) asked += 1;
  };
  page.on('request', count);
  await page.getByRole('button', { name: 'Başvuruyu kaydet' }).click();
  await page.locator('#ad-hata').filter({ hasText: '“isimsiz başvuru” seçeneğini işaretleyin' }).waitFor();
  assert.equal(asked, 0, 'caught before anything is sent');
  page.off('request', count);

  await page.getByLabel('Başvuru sahibi kimliğini bildirmiyor (isimsiz başvuru)').check();
  assert.ok(!(await page.locator('#sahip-alani').isVisible()), 'no identity is taken');
  assert.ok(!(await page.locator('#gizlilik-alani').isVisible()), 'nothing to hide');
  assert.ok(!(await page.locator('#kanit-alani').isVisible()), 'no evidence rule by phone');
  await check(page, 'yeni-basvuru-isimsiz');
  answer = await save(page);
  assert.equal(answer.status(), 201);
  const body = JSON.parse(answer.request().postData());
  assert.equal(body.applicant, undefined, 'an anonymous application carries no applicant');
  const r = await receipt(page);
  assert.equal(r.status, 'Alındı');
  assert.match(await page.locator('#sonuc-bildirim').textContent(), /İsimsiz başvuru/);
  await check(page, 'yeni-basvuru-isimsiz-kaydedildi');
  const record = await api('GET', `/applications/${r.no}`, undefined, { token: await token('merkez.operator') });
  assert.equal(record.json.anonymous, true);
  assert.equal(record.json.channel, 'phone');
  assert.equal(record.json.category, 'sikayet');
  const status = await api('GET', `/status/${encodeURIComponent(r.code)}`);
  assert.equal(status.json.status, 'received');

  // Another one, by keyboard from the receipt: the form is empty again, focus at the top.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'sonuc-ac');
  assert.equal(await page.locator('#sonuc-ac').getAttribute('href'), `/personel/basvuru.html?no=${r.no}`);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'yeni');
  await page.keyboard.press('Enter');
  assert.ok(await page.locator('#kayit-formu').isVisible());
  assert.equal(await page.evaluate(() => document.activeElement.id), 'kanal-telefon');
  assert.equal(await page.getByLabel('Konu', { exact: true }).inputValue(), '');
  assert.ok(!(await page.locator('#sonuc').isVisible()));
}

async function checksAndRules({ person }) {
  const { page } = await person();
  await openForm(page, 'merkez.operator');

  // The empty form: the page's own checks, the summary first, each message by its field.
  await page.getByRole('button', { name: 'Başvuruyu kaydet' }).click();
  const summary = page.locator('#hata-ozeti');
  await summary.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'hata-ozeti');
  await page.locator('#kanal-hata').filter({ hasText: 'hangi kanaldan' }).waitFor();
  await page.locator('#tur-hata').filter({ hasText: 'Başvuru türünü seçin' }).waitFor();
  await page.locator('#konu-hata').filter({ hasText: 'Konu zorunludur' }).waitFor();
  await page.locator('#metin-hata').filter({ hasText: 'Başvuru metni zorunludur' }).waitFor();
  assert.equal(await summary.locator('li').count(), 4);
  // The summary's links lead to the fields.
  await summary.getByRole('link', { name: 'Konu zorunludur.' }).click();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'konu');
  await check(page, 'yeni-basvuru-hatalar');

  // A fax information request, the choices made by keyboard: a mistyped ID number and
  // e-mail are caught here (W3), then the server wants the ID number by fax (C4) and says
  // so at the field.
  await page.locator('#kanal-telefon').focus();
  await page.keyboard.press('ArrowDown');
  assert.ok(await page.getByLabel('Faks').isChecked());
  await page.keyboard.press('Tab');
  await page.keyboard.press('ArrowDown');
  assert.ok(await page.getByLabel('Bilgi edinme başvurusu').isChecked());
  assert.ok(!(await page.locator('#kategori-alani').isVisible()));
  assert.ok(!(await page.locator('#tckn-secimli').isVisible()), 'the ID number is required by fax');
  assert.match(await page.locator('#kurallar').textContent(), /T\.C\. kimlik numarası da zorunludur/);
  await page.getByLabel('Konu', { exact: true }).fill('Belediye ihale kararları');
  await page.getByLabel('Başvuru metni').fill('2025 yılında yapılan park ihalelerine ilişkin encümen kararlarının birer örneğini istiyorum.');
  const good = tckn();
  await page.getByLabel('T.C. kimlik numarası').fill(good.slice(0, 10) + String((Number(good[10]) + 1) % 10));
  await page.getByLabel('Adı', { exact: true }).fill('Elif');
  await page.getByLabel('Soyadı', { exact: true }).fill('Demir');
  await page.getByLabel('Adresi', { exact: true }).fill('Kavaklıdere Mah. Tunalı Hilmi Cad. No:20 Ankara');
  await page.getByLabel('E-posta adresi').fill('elif@ornek');
  await page.getByRole('button', { name: 'Başvuruyu kaydet' }).click();
  await page.locator('#tckn-hata').filter({ hasText: 'geçerli değil' }).waitFor();
  await page.locator('#eposta-hata').filter({ hasText: 'Geçerli bir e-posta' }).waitFor();
  assert.equal(await summary.locator('li').count(), 2);
  await page.getByLabel('T.C. kimlik numarası').fill('');
  await page.getByLabel('E-posta adresi').fill('');
  let answer = await save(page);
  assert.equal(answer.status(), 422);
  await page.locator('#tckn-hata').filter({ hasText: 'Faksla bilgi edinme başvurusunda T.C. kimlik numarası zorunludur' }).waitFor();
  await check(page, 'yeni-basvuru-faks-tckn');

  // An anonymous ihbar by letter: processed only with evidence (C3); the server's answer
  // lands at the evidence mark, which then makes it acceptable.
  await page.getByLabel('Mektup').check();
  await page.getByLabel('Dilekçe', { exact: true }).check();
  await page.getByLabel('İhbar').check();
  await page.getByLabel('Başvuru sahibi kimliğini bildirmiyor (isimsiz başvuru)').check();
  assert.ok(await page.locator('#kanit-alani').isVisible());
  answer = await save(page);
  assert.equal(answer.status(), 422);
  await page.locator('#kanit-hata').filter({ hasText: 'somut bilgi veya belgeyle' }).waitFor();
  assert.equal(await page.locator('#kanit').getAttribute('aria-invalid'), 'true');
  await check(page, 'yeni-basvuru-kanit-yok');
  await page.getByLabel('Başvuru somut bilgiye ya da ciddi belgelere dayanıyor').check();
  answer = await save(page);
  assert.equal(answer.status(), 201);
  assert.equal(JSON.parse(answer.request().postData()).has_evidence, true);
  await receipt(page);

  // The same by fax with the scanned document attached instead: documents are evidence.
  await page.getByRole('button', { name: 'Yeni başvuru gir' }).click();
  await page.getByLabel('Faks').check();
  await page.getByLabel('Dilekçe', { exact: true }).check();
  await page.getByLabel('İhbar').check();
  await page.getByLabel('Başvuru sahibi kimliğini bildirmiyor (isimsiz başvuru)').check();
  await page.getByLabel('Konu', { exact: true }).fill('Ruhsatsız yapı ihbarı');
  await page.getByLabel('Başvuru metni').fill('Sokağımızdaki inşaatın ruhsatı olmadığı bildiriliyor; fotoğraf ve tutanak ektedir.');
  await page.getByLabel('Belge ekleyin').setInputFiles(sampleFiles().pdf);
  await page.locator('.upload-list li').first().waitFor();
  answer = await save(page);
  assert.equal(answer.status(), 201);
  const sent = JSON.parse(answer.request().postData());
  assert.equal(sent.has_evidence, undefined);
  assert.equal(sent.attachment_ids.length, 1);
  const r = await receipt(page);
  const record = await api('GET', `/applications/${r.no}`, undefined, { token: await token('merkez.operator') });
  assert.equal(record.json.channel, 'fax');
  assert.equal(record.json.attachments.length, 1);
}

async function oneApplicationPerFill({ person }) {
  const { page } = await person();
  await openForm(page, 'merkez.operator');
  await page.getByLabel('Şahsen (halkla ilişkiler birimi)').check();
  await page.getByLabel('Dilekçe', { exact: true }).check();
  await page.getByLabel('Öneri').check();
  assert.ok(!(await page.locator('#isimsiz-alani').isVisible()), 'never anonymous in person');
  await page.getByLabel('Konu', { exact: true }).fill('Halkla ilişkiler biriminde sıra sistemi');
  await page.getByLabel('Başvuru metni').fill('Valilik halkla ilişkiler biriminde numaratör olmadığı için uzun kuyruk oluşuyor; sıra sistemi kurulmasını öneririm.');
  await page.getByLabel('Adı', { exact: true }).fill('Can');
  await page.getByLabel('Soyadı', { exact: true }).fill('Öztürk');
  await page.getByLabel('Adresi', { exact: true }).fill('Kızılay Mah. Ziya Gökalp Cad. No:8 Ankara');

  // The first answer is lost on the way back (the server has filed it); the operator
  // presses again, twice: every request carries the same key, every answer the same number.
  const keys = [];
  const numbers = [];
  let lose = true;
  await page.route('**/api/v1/staff/applications', async (route) => {
    keys.push(route.request().headers()['idempotency-key']);
    const resp = await route.fetch();
    const json = await resp.json();
    numbers.push(json.application_no);
    if (lose) {
      lose = false;
      await route.abort('connectionreset');
    } else {
      await route.fulfill({ response: resp });
    }
  });
  await page.getByRole('button', { name: 'Başvuruyu kaydet' }).click();
  await page.locator('#hata-ozeti').filter({ hasText: 'aynı başvuru ikinci kez kaydedilmez' }).waitFor();
  assert.ok(await page.locator('#kayit-formu').isVisible());
  // the aborted request is the browser's console error we caused; nothing else may be there
  const problems = page.problems.splice(0);
  assert.ok(problems.every((p) => /ERR_CONNECTION_RESET|staff\/applications/.test(p)), problems.join('\n'));
  await check(page, 'yeni-basvuru-cevap-kayboldu');

  await page.getByRole('button', { name: 'Başvuruyu kaydet' }).dblclick();
  const r = await receipt(page);
  await page.unroute('**/api/v1/staff/applications');
  assert.ok(numbers.length >= 2, `requests: ${numbers.length}`);
  assert.equal(new Set(keys).size, 1, 'one Idempotency-Key for the form fill');
  assert.match(keys[0], /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a UUID');
  assert.deepEqual([...new Set(numbers)], [r.no], 'one application');
  assert.equal(r.status, 'Alındı');
  assert.notEqual(r.due, '—', 'the replayed answer has no due_at: the page reads it from the record');

  // A new fill is a new application with a new key.
  await page.getByRole('button', { name: 'Yeni başvuru gir' }).click();
  await page.getByLabel('Şahsen (halkla ilişkiler birimi)').check();
  await page.getByLabel('Dilekçe', { exact: true }).check();
  await page.getByLabel('Öneri').check();
  await page.getByLabel('Konu', { exact: true }).fill('Halkla ilişkiler biriminde sıra sistemi');
  await page.getByLabel('Başvuru metni').fill('Valilik halkla ilişkiler biriminde numaratör olmadığı için uzun kuyruk oluşuyor; sıra sistemi kurulmasını öneririm.');
  await page.getByLabel('Adı', { exact: true }).fill('Can');
  await page.getByLabel('Soyadı', { exact: true }).fill('Öztürk');
  await page.getByLabel('Adresi', { exact: true }).fill('Kızılay Mah. Ziya Gökalp Cad. No:8 Ankara');
  const answer = await save(page);
  assert.notEqual(answer.request().headers()['idempotency-key'], keys[0]);
  const second = await receipt(page);
  assert.notEqual(second.no, r.no);
}

async function whoMayKeyIn({ person }) {
  // An institution user has no link, and the page tells them it is not theirs.
  const { page } = await person();
  await staffLogin(page, 'ankara.meb');
  assert.equal(await page.getByRole('link', { name: 'Yeni başvuru gir' }).count(), 0);
  await page.goto(BASE + '/personel/yeni-basvuru.html');
  await page.locator('#yetki-yok').waitFor();
  assert.ok(!(await page.locator('#kayit-formu').isVisible()));
  await check(page, 'yeni-basvuru-yetkisiz');

  // An operator whose session has ended goes to the login page and comes back here.
  const op = await person();
  await openForm(op.page, 'ankara.operator');
  await op.page.evaluate(() => {
    const s = JSON.parse(sessionStorage.getItem('bimer.staff.session'));
    s.access_token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    s.refresh_token = 'gecersiz-yenileme-anahtari';
    sessionStorage.setItem('bimer.staff.session', JSON.stringify(s));
  });
  await op.page.getByLabel('Telefon (Alo 150)').check();
  await op.page.getByLabel('Dilekçe', { exact: true }).check();
  await op.page.getByLabel('Görüş').check();
  await op.page.getByLabel('Konu', { exact: true }).fill('Toplu taşıma saatleri');
  await op.page.getByLabel('Başvuru metni').fill(BODY);
  await op.page.getByLabel('Adı', { exact: true }).fill('Ayşe');
  await op.page.getByLabel('Soyadı', { exact: true }).fill('Kara');
  await op.page.getByLabel('Adresi', { exact: true }).fill('Etlik Mah. 1. Sok. No:1 Ankara');
  await op.page.getByRole('button', { name: 'Başvuruyu kaydet' }).click();
  await op.page.waitForURL(/\/personel\/giris\.html\?sonra=%2Fpersonel%2Fyeni-basvuru\.html$/);
  op.page.problems.splice(0); // the refused calls on the way out (401)
}

export default [
  { name: 'desk keys in a letter with identity → receipt, record, status page, mail', run: letterWithIdentity },
  { name: 'phone: anonymous şikayet accepted, anonymous istek and phone information request refused at the fields', run: anonymousPhone },
  { name: 'checks at the fields: empty form, checksum, fax ID number (C4), evidence of anonymous letters and faxes (C3)', run: checksAndRules },
  { name: 'a lost answer retried and a double click file one application', run: oneApplicationPerFill },
  { name: 'only operators key in; an ended session goes to the login page', run: whoMayKeyIn },
];
