// SPDX-License-Identifier: MIT
/*
 * Citizen pages in a real browser: the home page; the whole internet flow (the form's
 * own checks, an upload with its progress bar, a server 422 shown next to its field,
 * filing, the verification mail read from the real SMTP sink, its link, verification,
 * the "received" mail's status link and the timeline, then the look-up by ID number);
 * a bad verification link; cancelling from the status page.
 */

import {
  BASE,
  PHONE,
  api,
  applicationBody,
  assert,
  check,
  mailbox,
  sampleFiles,
  tckn,
  verifiedApplication,
  waitForMail,
} from './lib.mjs';

async function homePage({ person }) {
  const { page } = await person();
  await page.goto(BASE + '/');
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'BİMER nedir?');
  const nav = page.getByRole('navigation', { name: 'Ana menü' });
  for (const link of ['Başvuru yap', 'Başvurumu sorgula', "BEDK'ya itiraz", 'Personel girişi']) {
    assert.equal(await nav.getByRole('link', { name: link }).count(), 1, link);
  }
  assert.equal(await page.getByRole('link', { name: '/api-spec/openapi.yaml' }).getAttribute('href'), '/api-spec/openapi.yaml');
  assert.match(await page.locator('table.channels').textContent(), /Telefon \(Alo 150\)[\s\S]*Hayır/);
  await check(page, 'ana-sayfa');

  // The skip link is the first stop of the keyboard and lands on the content.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'İçeriğe geç');
  await page.keyboard.press('Enter');
  await page.waitForURL(/#icerik$/);
}

async function citizenFlow({ person }) {
  const { page } = await person();
  const files = sampleFiles();
  const me = { tckn: tckn(), email: mailbox('ayse'), first: 'Ayşe Gül', last: 'Çağlar' };

  await page.goto(BASE + '/basvuru.html');
  await check(page, 'basvuru-formu');

  // Empty form: the client's own checks, summary first, each message by its field.
  await page.getByRole('button', { name: 'Başvuruyu gönder' }).click();
  const summary = page.locator('#hata-ozeti');
  await summary.waitFor();
  assert.match(await summary.textContent(), /Başvuru türünü seçin/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'hata-ozeti');
  assert.equal(await page.locator('#tckn').getAttribute('aria-invalid'), 'true');
  assert.match(await page.locator('#tckn-hata').textContent(), /T.C. kimlik numaranızı yazın/);

  // The form adapts: a category for a petition, the identity choice for şikayet only.
  await page.getByLabel('Dilekçe', { exact: true }).check();
  assert.ok(await page.locator('#kategori-alani').isVisible());
  assert.ok(!(await page.locator('#gizlilik-alani').isVisible()));
  await page.getByLabel('Şikâyet').check();
  assert.ok(await page.locator('#gizlilik-alani').isVisible());
  assert.match(await page.locator('#rehber').textContent(), /Şikâyet ettiğiniz işlemi/);
  await page.getByLabel('Kimlik bilgilerimin saklı tutulmasını talep ediyorum').check();

  await page.getByLabel('Konu', { exact: true }).fill('Belediye otobüslerinde engelli rampası çalışmıyor');
  await page.getByLabel('Başvuru metni').fill('Çankaya hattındaki otobüslerin çoğunda engelli rampası arızalı; tekerlekli sandalyeyle binemiyorum. Gereğinin yapılmasını arz ederim.');
  await page.getByLabel('İl', { exact: false }).selectOption('06');
  await page.getByLabel('Adınız', { exact: true }).fill(me.first);
  await page.getByLabel('Soyadınız', { exact: true }).fill(me.last);
  await page.getByLabel('E-posta adresiniz').fill(me.email);
  await page.getByLabel('Adresiniz', { exact: true }).fill('Kocatepe Mah. Şehit Adem Yavuz Sok. No:5 Çankaya/Ankara');

  // A mistyped ID number fails the W3 checksum here, before anything is sent.
  const bad = me.tckn.slice(0, 10) + String((Number(me.tckn[10]) + 1) % 10);
  await page.getByLabel('T.C. kimlik numarası', { exact: true }).fill(bad);
  await page.getByRole('button', { name: 'Başvuruyu gönder' }).click();
  await page.locator('#tckn-hata').filter({ hasText: 'geçerli değil' }).waitFor();
  assert.equal(await summary.locator('li').count(), 1);
  await check(page, 'basvuru-formu-hatalar');
  await page.getByLabel('T.C. kimlik numarası', { exact: true }).fill(me.tckn);

  // Two attachments, uploaded at once with the progress bar; a text file is refused here.
  await page.getByLabel('Dosya ekleyin').setInputFiles(files.txt);
  await page.locator('#ek-hata').filter({ hasText: 'yalnızca PDF, PNG ya da JPEG' }).waitFor();
  const progress = page.locator('.upload-progress progress');
  assert.equal(await progress.getAttribute('max'), '100');
  await page.getByLabel('Dosya ekleyin').setInputFiles([files.pdf, files.png]);
  await page.locator('.upload-list li').nth(1).waitFor();
  assert.match(await page.locator('.upload-status').textContent(), /cevap-fotografi\.png yüklendi/);
  assert.equal(await progress.evaluate((p) => p.value), 100);

  // Someone else's application claims the first attachment meanwhile: the server's 422
  // lands next to the attachments, then the citizen removes that file and files again.
  const first = await page.locator('.upload-list li').first().getAttribute('data-attachment-id');
  await api('POST', '/applications', applicationBody({ attachment_ids: [first] }));
  await page.getByRole('button', { name: 'Başvuruyu gönder' }).click();
  await page.locator('#ek-hata').filter({ hasText: /^kanit-belgesi\.pdf: \S/ }).waitFor();
  assert.match(await summary.textContent(), /düzeltilmesi gereken/);
  await check(page, 'basvuru-formu-sunucu-hatasi');
  await page.getByRole('button', { name: /Kaldır.*kanit-belgesi\.pdf/ }).click();
  assert.equal(await page.locator('.upload-list li').count(), 1);

  const sent = Date.now() - 1000;
  await page.getByRole('button', { name: 'Başvuruyu gönder' }).click();
  const done = page.locator('#sonuc');
  await done.waitFor();
  const no = (await page.locator('#sonuc-no').textContent()).trim();
  assert.match(no, /^\d{4}-\d{7,9}-\d$/);
  assert.match(await done.textContent(), /e-posta doğrulaması bekleniyor/);
  assert.equal(await page.locator('#sonuc-eposta').textContent(), me.email);
  await check(page, 'basvuru-gonderildi');

  // The verification mail from the real sink; its link opens the verification page.
  const mail = await waitForMail(me.email, /doğrulayın/, { after: sent });
  assert.match(mail.text, new RegExp(`Sayın ${me.first} ${me.last}`));
  const link = /(http:\/\/\S+\/dogrulama\.html\?token=[A-Za-z0-9_-]+)/.exec(mail.text)[1];
  await page.goto(link);
  await page.locator('#onay').filter({ hasText: `${no} numaralı başvurunuz e-posta doğrulaması bekliyor` }).waitFor();
  await check(page, 'dogrulama-onay');
  await page.getByRole('button', { name: 'E-posta adresimi doğrula' }).click();
  await page.getByRole('heading', { name: 'Başvurunuz alındı' }).waitFor();
  assert.equal(await page.locator('#tamam-no').textContent(), no);
  await check(page, 'dogrulama-tamam');

  // Opening the link again: used, and the page says so (and offers a new mail).
  await page.goto(link);
  await page.getByRole('heading', { name: 'Bu doğrulama bağlantısı kullanılamıyor' }).waitFor();

  // The "received" mail links to the status page by tracking code: the timeline shows.
  const received = await waitForMail(me.email, /alındı/, { after: sent });
  const statusLink = /(http:\/\/\S+\/durum\.html\?kod=[A-Za-z0-9_-]+)/.exec(received.text)[1];
  await page.goto(statusLink);
  await page.getByRole('heading', { name: `Başvuru ${no}` }).waitFor();
  assert.equal(await page.locator('#durum-degeri').textContent(), 'Alındı');
  const events = page.locator('ol.timeline li');
  assert.deepEqual(await events.evaluateAll((li) => li.map((e) => e.dataset.kind)), ['submitted', 'received']);
  assert.match(await events.nth(1).textContent(), /Başvuru alındı/);
  assert.match(await page.locator('#sonuc-ozet').textContent(), /Şikâyet/);
  await check(page, 'durum-takip-kodu');

  // The same status by ID number and application number, on a phone.
  const phone = await person({ viewport: PHONE });
  await phone.page.goto(BASE + '/durum.html');
  await check(phone.page, 'durum-formu-telefon');
  await phone.page.getByLabel('T.C. kimlik numarası', { exact: true }).fill(me.tckn);
  await phone.page.getByLabel('Başvuru numarası', { exact: true }).fill(no);
  await phone.page.getByRole('button', { name: 'Sorgula' }).first().click();
  await phone.page.getByRole('heading', { name: `Başvuru ${no}` }).waitFor();
  assert.equal(await phone.page.locator('ol.timeline li').count(), 2);
  await check(phone.page, 'durum-kimlik-telefon');

  // A wrong pairing is one "not found" message, nothing more.
  await phone.page.getByRole('button', { name: 'Başka bir başvuru sorgula' }).click();
  await phone.page.getByLabel('T.C. kimlik numarası', { exact: true }).fill(tckn());
  await phone.page.getByLabel('Başvuru numarası', { exact: true }).fill(no);
  await phone.page.getByRole('button', { name: 'Sorgula' }).first().click();
  await phone.page.locator('#kimlik-hata-ozeti').filter({ hasText: 'eşleşen bir başvuru bulunamadı' }).waitFor();
}

async function badVerificationLink({ person }) {
  const { page } = await person();
  await page.goto(BASE + '/dogrulama.html?token=' + 'x'.repeat(43));
  await page.getByRole('heading', { name: 'Bu doğrulama bağlantısı kullanılamıyor' }).waitFor();
  // The resend form checks its fields, then always answers the same way (no enumeration).
  await page.getByRole('button', { name: 'Yeniden gönder' }).click();
  await page.locator('#yeniden-tckn-hata').filter({ hasText: /\S/ }).waitFor();
  await check(page, 'dogrulama-gecersiz');
  // A real application awaiting verification: the new mail arrives and its link works.
  const body = applicationBody();
  const { json } = await api('POST', '/applications', body);
  const first = await waitForMail(body.applicant.email, /doğrulayın/);
  await page.getByLabel('Başvuru numarası', { exact: true }).fill(json.application_no);
  await page.getByLabel('T.C. kimlik numarası', { exact: true }).fill(body.applicant.tc_kimlik_no);
  await page.getByRole('button', { name: 'Yeniden gönder' }).click();
  await page.getByText('yeni bir doğrulama bağlantısı e-posta adresinize gönderildi').waitFor();
  const second = await waitForMail(body.applicant.email, /doğrulayın/, { after: first.mtime + 1 });
  assert.notEqual(second.file, first.file);
  await page.goto(/(http:\/\/\S+\/dogrulama\.html\?token=[A-Za-z0-9_-]+)/.exec(second.text)[1]);
  await page.getByRole('button', { name: 'E-posta adresimi doğrula' }).click();
  await page.getByRole('heading', { name: 'Başvurunuz alındı' }).waitFor();
}

async function cancelFromStatus({ person }) {
  const app = await verifiedApplication({ category: 'oneri', subject: 'Parklara daha fazla bank' });
  const { page } = await person();
  await page.goto(BASE + '/durum.html?kod=' + app.tracking_code);
  await page.getByRole('heading', { name: `Başvuru ${app.application_no}` }).waitFor();
  await page.getByRole('link', { name: 'Başvurumu iptal et' }).click();
  await page.waitForURL(/\/iptal\.html\?no=/);
  // The code came in the fragment and is gone from the address bar once read.
  assert.ok(!page.url().includes(app.tracking_code));
  assert.equal(await page.getByLabel('Başvuru numarası', { exact: true }).inputValue(), app.application_no);
  assert.ok(await page.getByLabel('Takip kodumla').isChecked());
  await page.getByRole('button', { name: 'Başvurumu iptal et' }).click();
  await page.locator('#onay-hata').filter({ hasText: 'onaylayın' }).waitFor();
  await check(page, 'iptal-formu');
  // Keyboard only from here: Tab to the reason, type, Tab to the confirmation, Space,
  // Tab to the button, Enter.
  const tabTo = async (id) => {
    for (let i = 0; i < 40; i++) {
      if ((await page.evaluate(() => document.activeElement && document.activeElement.id)) === id) return;
      await page.keyboard.press('Tab');
    }
    throw new Error(`Tab never reached #${id}`);
  };
  await page.locator('h1').click();
  await tabTo('gerekce');
  await page.keyboard.type('Sorunum belediyeyle görüşülerek çözüldü.');
  await tabTo('onay');
  await page.keyboard.press('Space');
  assert.ok(await page.getByLabel('Başvurumun iptal edilmesini').isChecked());
  await tabTo('iptal-et');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Başvurunuz iptal edildi' }).waitFor();
  await check(page, 'iptal-tamam');
  await waitForMail(app.email, /iptal edildi/);

  await page.goto(BASE + '/durum.html?kod=' + app.tracking_code);
  await page.getByRole('heading', { name: `Başvuru ${app.application_no}` }).waitFor();
  assert.equal(await page.locator('#durum-degeri').textContent(), 'İptal edildi');
  assert.equal(await page.locator('ol.timeline li[data-kind="cancelled"]').count(), 1);
  assert.equal(await page.getByRole('link', { name: 'Başvurumu iptal et' }).count(), 0);

  // A second cancel by ID number: the API's 409, in Turkish.
  await page.goto(BASE + '/iptal.html?no=' + app.application_no);
  await page.getByLabel('T.C. kimlik numarası', { exact: true }).fill(app.tckn);
  await page.getByLabel('Başvurumun iptal edilmesini').check();
  await page.getByRole('button', { name: 'Başvurumu iptal et' }).click();
  await page.locator('#hata-ozeti').filter({ hasText: 'artık iptal edilemez' }).waitFor();
}

export default [
  { name: 'home page: channels and content rules, keyboard', run: homePage },
  { name: 'apply → verification mail → verified → status timeline', run: citizenFlow },
  { name: 'a bad verification link offers the resend form', run: badVerificationLink },
  { name: 'cancel from the status page', run: cancelFromStatus },
];
