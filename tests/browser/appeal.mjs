// SPDX-License-Identifier: MIT
/*
 * Information request, refusal and appeal in a real browser: the Ministry of Health
 * extends an information request's deadline and refuses it with an exception code (the
 * answer form offers only BE_ codes); the citizen finds the appeal route on the status
 * page and files the appeal with a document; a second appeal is refused in Turkish;
 * BEDK opens it in its console, asks the ministry for information, the ministry answers
 * from its inbox, BEDK accepts the appeal, and the citizen's status shows the decision
 * and the application sent back.
 */

import { BASE, api, assert, check, mailbox, sampleFiles, staffLogin, tckn, token, waitForMail } from './lib.mjs';

async function appealFlow({ person }) {
  const files = sampleFiles();
  const citizenId = tckn();
  const email = mailbox('mehmet');
  const op = await token('merkez.operator');
  const { json: app } = await api(
    'POST',
    '/staff/applications',
    {
      channel: 'letter',
      type: 'bilgi_edinme',
      subject: '2025 yılı aşı istatistikleri',
      body: '2025 yılında Ankara ilinde uygulanan aşı sayılarının aylara göre dağılımını talep ediyorum.',
      target_institution_code: 'SAGLIK',
      applicant: { tc_kimlik_no: citizenId, first_name: 'Mehmet', last_name: 'Demir', email, address: 'Bahçelievler Mah. 7. Cadde No:12 Çankaya/Ankara' },
    },
    { token: op },
  );
  const no = app.application_no;
  await api('POST', `/applications/${no}/route`, { institution_code: 'SAGLIK', note: 'Bakanlığın görev alanında.' }, { token: op });

  // The ministry: extension once, then a refusal that must name its exception.
  const ministry = await person();
  await staffLogin(ministry.page, 'saglik.bakanlik');
  const mp = ministry.page;
  await mp.goto(BASE + '/personel/basvuru.html?no=' + no);
  await mp.locator('#kayit').waitFor();
  assert.ok(await mp.locator('#uzat-formu').isVisible(), 'an information request can be extended');
  await mp.getByLabel('Uzatma gerekçesi').fill('İstenen veriler il sağlık müdürlüklerinden derlenecektir.');
  await mp.getByRole('button', { name: 'Süreyi uzat' }).click();
  await mp.locator('#islem-sonucu').filter({ hasText: 'Cevap süresi' }).waitFor();
  await mp.locator('#ozet').filter({ hasText: 'Evet (30 iş günü)' }).waitFor();
  assert.ok(!(await mp.locator('#uzat-formu').isVisible()), 'only once');
  await waitForMail(email, /süresi uzatıldı/);

  await mp.getByLabel('Olumsuz').check();
  const codes = await mp.locator('#gerekce-kodu option').evaluateAll((o) => o.map((x) => x.value).filter(Boolean));
  assert.ok(codes.length > 0 && codes.every((c) => c.startsWith('BE_')), 'a refused information request takes a BE_ code');
  await mp.getByLabel('Cevap metni').fill('Talep edilen bilgi 4982 sayılı Kanunun 16. maddesi kapsamında devlet sırrıdır.');
  await mp.getByRole('button', { name: 'Cevabı gönder' }).click();
  await mp.locator('#gerekce-kodu-hata').filter({ hasText: 'Gerekçeyi seçin' }).waitFor();
  await check(mp, 'personel-cevap-gerekce-hatasi');
  await mp.getByLabel('Gerekçe', { exact: true }).selectOption('BE_EXC_16');
  await mp.getByRole('button', { name: 'Cevabı gönder' }).click();
  await mp.locator('#durum-degeri').filter({ hasText: 'Cevaplandı' }).waitFor();
  assert.match(await mp.locator('#ozet').textContent(), /Devlet sırrı \(4982 md\. 16\)/);
  const answered = await waitForMail(email, /cevaplandı/);
  assert.match(answered.text, /Bilgi Edinme Değerlendirme Kurulu/);

  // The citizen: the status page offers the appeal; the appeal form files it.
  const { page } = await person();
  await page.goto(BASE + '/durum.html?kod=' + app.tracking_code);
  await page.getByRole('heading', { name: `Başvuru ${no}` }).waitFor();
  assert.match(await page.locator('#sonuc-ozet').textContent(), /Olumsuz[\s\S]*Devlet sırrı/);
  assert.match(await page.locator('#sonuc-bilgi').textContent(), /15 gün içinde/);
  await page.getByRole('link', { name: 'BEDK’ya itiraz et' }).click();
  await page.waitForURL(/\/itiraz\.html\?no=/);
  assert.equal(await page.getByLabel('Bilgi edinme başvurunuzun numarası').inputValue(), no);
  await check(page, 'itiraz-formu');
  await page.getByLabel('T.C. kimlik numaranız').fill(tckn());
  await page.getByLabel('İtiraz gerekçeniz').fill('İstediğim istatistikler kişisel veri içermez; devlet sırrı sayılamaz.');
  await page.getByRole('button', { name: 'İtirazı gönder' }).click();
  await page.locator('#hata-ozeti').filter({ hasText: 'eşleşen bir başvuru bulunamadı' }).waitFor();
  await page.getByLabel('T.C. kimlik numaranız').fill(citizenId);
  await page.getByLabel('Dosya ekleyin').setInputFiles(files.png);
  await page.locator('.upload-list li').first().waitFor();
  await page.getByRole('button', { name: 'İtirazı gönder' }).click();
  await page.getByRole('heading', { name: "İtirazınız Kurul'a iletildi" }).waitFor();
  const appealId = (await page.locator('#tamam-no').textContent()).trim();
  assert.match(appealId, /^[A-Za-z0-9_-]+$/);
  await check(page, 'itiraz-tamam');

  // Once at a time: the same appeal again is the API's refusal, in Turkish.
  await page.goto(BASE + '/itiraz.html?no=' + no);
  await page.getByLabel('T.C. kimlik numaranız').fill(citizenId);
  await page.getByLabel('İtiraz gerekçeniz').fill('Aynı itirazı yeniden gönderiyorum, karar verilmedi.');
  await page.getByRole('button', { name: 'İtirazı gönder' }).click();
  await page.locator('#hata-ozeti').filter({ hasText: 'daha önce itiraz edilmiştir' }).waitFor();

  await page.goto(BASE + '/durum.html?kod=' + app.tracking_code);
  await page.locator('#itiraz-bilgisi').waitFor();
  assert.match(await page.locator('#itiraz-bilgisi').textContent(), new RegExp(`${appealId}[\\s\\S]*karar bekleniyor`));
  assert.equal(await page.getByRole('link', { name: 'BEDK’ya itiraz et' }).count(), 0);

  // BEDK: the list, the appeal with its generated copies, a request for information.
  const bedk = await person();
  const bp = bedk.page;
  await staffLogin(bp, 'bedk.uye', /\/personel\/bedk\.html$/);
  await bp.getByRole('table', { name: 'İtirazlar' }).waitFor();
  await check(bp, 'bedk-liste');
  await bp.getByLabel('İtiraz numarasıyla aç').fill(appealId);
  await bp.getByRole('button', { name: 'Aç', exact: true }).click();
  await bp.getByRole('heading', { name: `İtiraz ${appealId}` }).waitFor();
  await bp.locator('#kayit').waitFor();
  const copies = await bp.locator('#kopyalar').textContent();
  assert.match(copies, /Başvurunun kopyası[\s\S]*Cevabın kopyası/);
  assert.match(copies, /[0-9a-f]{64}/);
  assert.match(await bp.locator('#basvuru').textContent(), /devlet sırrıdır/);
  await check(bp, 'bedk-itiraz');
  await bp.getByLabel('İstenen bilgi').fill('Olumsuz cevabın dayanağı olan gizlilik kararının gönderilmesi rica olunur.');
  await bp.getByRole('button', { name: 'Bilgi iste' }).click();
  await bp.locator('#islem-sonucu').filter({ hasText: 'Sağlık Bakanlığı kurumundan bilgi istendi' }).waitFor();

  // The ministry answers BEDK from its inbox.
  await mp.goto(BASE + '/personel/');
  await mp.locator('#bedk-istekleri').getByRole('link', { name: appealId }).click();
  await mp.getByRole('heading', { name: `İtiraz ${appealId}` }).waitFor();
  await mp.locator('#bilgi-ver-formu').waitFor();
  await mp.getByLabel('Cevabınız').fill('Gizlilik kararı ekte sunulmuştur.');
  await mp.getByLabel('Dosya ekleyin').setInputFiles(files.pdf);
  await mp.locator('.upload-list li').first().waitFor();
  await check(mp, 'kurum-bedk-bilgi');
  await mp.getByRole('button', { name: 'Cevabı gönder' }).click();
  await mp.locator('#islem-sonucu').filter({ hasText: 'Cevabınız Kurul’a iletildi' }).waitFor();

  // BEDK decides; the application goes back to the ministry.
  await bp.reload();
  await bp.locator('#istekler').filter({ hasText: 'Gizlilik kararı ekte sunulmuştur.' }).waitFor();
  await bp.getByLabel('Kabul', { exact: true }).check();
  await bp.getByLabel('Karar metni').fill('Talep edilen istatistiklerin başvuru sahibine verilmesine karar verilmiştir.');
  await bp.getByRole('button', { name: 'Kararı kaydet' }).click();
  await bp.locator('#islem-sonucu').filter({ hasText: 'Karar kaydedildi: Kabul' }).waitFor();
  assert.match(await bp.locator('#islem-sonucu').textContent(), /yeni cevap süresi/);
  await bp.locator('#durum-degeri').filter({ hasText: 'Karara bağlandı' }).waitFor();
  await check(bp, 'bedk-karar');

  await page.goto(BASE + '/durum.html?kod=' + app.tracking_code);
  await page.locator('#itiraz-bilgisi').waitFor();
  assert.match(await page.locator('#itiraz-bilgisi').textContent(), /Karara bağlandı[\s\S]*Kabul/);
  assert.equal(await page.locator('#durum-degeri').textContent(), 'İşlemde');
  const kinds = await page.locator('ol.timeline li').evaluateAll((li) => li.map((e) => e.dataset.kind));
  for (const k of ['extended', 'answered', 'appeal_filed', 'appeal_decided', 'reopened']) assert.ok(kinds.includes(k), `${k} in ${kinds}`);
  await check(page, 'durum-itiraz-karari');
}

export default [{ name: 'refusal → citizen appeal → BEDK asks, institution answers, BEDK decides', run: appealFlow }];
