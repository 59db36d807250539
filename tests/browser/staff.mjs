// SPDX-License-Identifier: MIT
/*
 * The staff console in a real browser: the login page (a wrong password, then the
 * inbox); the whole staff flow on a citizen's identity-hidden complaint (the central
 * operator routes it with the institution search, the institution sees the record
 * without the applicant, is refused a sideways forward next to the field, answers, and
 * the citizen's status page shows the answer); overdue applications highlighted in the
 * inbox; logout revokes the session.
 */

import {
  BASE,
  PASSWORD,
  PHONE,
  api,
  assert,
  check,
  staffLogin,
  token,
  verifiedApplication,
  waitForMail,
} from './lib.mjs';

async function loginPage({ person }) {
  const { page } = await person();
  // A staff page without a session sends the browser to the login page and back.
  await page.goto(BASE + '/personel/basvuru.html?no=2026-0000001-4');
  await page.waitForURL(/\/personel\/giris\.html\?sonra=/);
  await check(page, 'personel-giris');
  await page.getByRole('button', { name: 'Giriş yap' }).click();
  await page.locator('#kullanici-hata').filter({ hasText: 'Kullanıcı adınızı yazın' }).waitFor();
  // A name of its own: failed logins are limited per user name, and the demo users
  // must stay usable for the other tests.
  await page.getByLabel('Kullanıcı adı').fill(`deneme.${Date.now().toString(36)}`);
  await page.getByLabel('Parola').fill('yanlis-parola');
  await page.getByLabel('Parola').press('Enter');
  await page.locator('#hata-ozeti').filter({ hasText: 'Kullanıcı adı ya da parola hatalı' }).waitFor();
  assert.equal(await page.getByLabel('Parola').inputValue(), '');
  await check(page, 'personel-giris-hata');
  assert.match(page.url(), /sonra=/);
  await page.getByLabel('Kullanıcı adı').fill('ankara.meb');
  await page.getByLabel('Parola').fill(PASSWORD);
  await page.getByRole('button', { name: 'Giriş yap' }).click();
  await page.waitForURL(/\/personel\/basvuru\.html\?no=2026-0000001-4$/);
  await page.locator('#yukleniyor').filter({ hasText: /bulunamadı|erişiminde değil/ }).waitFor();

  // An expired or refused access token is renewed once with the refresh token.
  const before = await page.evaluate(() => {
    const s = JSON.parse(sessionStorage.getItem('bimer.staff.session'));
    s.access_token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    sessionStorage.setItem('bimer.staff.session', JSON.stringify(s));
    return s;
  });
  await page.goto(BASE + '/personel/');
  await page.locator('#liste-durumu').filter({ hasText: /gösteriliyor/ }).waitFor();
  const after = await page.evaluate(() => JSON.parse(sessionStorage.getItem('bimer.staff.session')));
  assert.notEqual(after.access_token, before.access_token);
  assert.notEqual(after.refresh_token, before.refresh_token, 'refresh tokens rotate');
  assert.equal(after.username, 'ankara.meb');
}

async function staffFlow({ person }) {
  const app = await verifiedApplication({
    category: 'sikayet',
    identity_hidden: true,
    subject: 'Okul kantininde fiyat etiketi yok',
    body: 'Çankaya’daki ilkokulun kantininde ürünlerin fiyatları yazmıyor ve fahiş fiyat uygulanıyor. Denetlenmesini rica ederim.',
  });
  const no = app.application_no;

  // The central operator: inbox, the record (with the hidden identity), routing.
  const op = await person();
  await staffLogin(op.page, 'merkez.operator');
  await op.page.getByRole('table', { name: 'Başvurular' }).or(op.page.getByText('Bu süzgeçlere uyan başvuru yok.')).waitFor();
  assert.match(await op.page.locator('#personel-kullanici').textContent(), /merkez\.operator — BIMER/);
  await check(op.page, 'gelen-kutusu-operator');
  await op.page.getByRole('textbox', { name: 'Başvuru numarasıyla aç' }).fill(no);
  await op.page.getByRole('button', { name: 'Aç', exact: true }).click();
  await op.page.getByRole('heading', { name: `Başvuru ${no}` }).waitFor();
  await op.page.locator('#kayit').waitFor();
  assert.match(await op.page.locator('#sahip').textContent(), /Kimlik saklı[\s\S]*Gülşen Öztürk/);
  assert.match(await op.page.locator('#sahip').textContent(), /\d{3}\*{6}\d{2}/);
  assert.ok(await op.page.locator('#etik-alani').isVisible(), 'a complaint may be an ethics complaint');
  assert.ok(!(await op.page.locator('#cevap-formu').isVisible()), 'the centre does not hold it');
  await check(op.page, 'personel-basvuru-operator');

  await op.page.getByRole('button', { name: 'Yönlendir' }).click();
  await op.page.locator('#hedef-kurum-hata').filter({ hasText: 'hedef kurumu seçin' }).waitFor();
  await op.page.getByLabel('Kurum ara').fill('milli eğitim');
  await op.page.getByRole('button', { name: 'Kurum ara' }).click();
  await op.page.getByLabel('Ankara İl Millî Eğitim Müdürlüğü (IL-MEB-06)', { exact: false }).check();
  await op.page.getByLabel('Not').fill('Okul kantinlerinin denetimi İl Millî Eğitim Müdürlüğünün görev alanındadır.');
  await check(op.page, 'personel-yonlendir');
  await op.page.getByRole('button', { name: 'Yönlendir' }).click();
  await op.page.locator('#islem-sonucu').filter({ hasText: 'Ankara İl Millî Eğitim Müdürlüğü kurumuna yönlendirildi' }).waitFor();
  await op.page.locator('#durum-degeri').filter({ hasText: 'İşlemde' }).waitFor();
  assert.equal(await op.page.locator('ol.timeline li[data-kind="routed"]').count(), 1);
  assert.match(await op.page.locator('ol.timeline li[data-kind="routed"]').textContent(), /merkez\.operator/);
  await waitForMail(app.email, /ilgili kuruma iletildi/);

  // Logout revokes the session: the old tokens no longer open the inbox.
  const saved = await op.page.evaluate(() => sessionStorage.getItem('bimer.staff.session'));
  await op.page.getByRole('button', { name: 'Çıkış yap' }).click();
  await op.page.waitForURL(/giris\.html\?cikis=1/);
  await op.page.getByText('Oturumunuz kapatıldı.').waitFor();
  const access = JSON.parse(saved).access_token;
  assert.equal((await api('GET', '/inbox', undefined, { token: access, ok: false })).status, 401);

  // The institution: the record without the applicant, a refused sideways forward, the answer.
  await staffLogin(op.page, 'ankara.meb');
  await op.page.getByRole('textbox', { name: 'Başvuru numarasıyla aç' }).fill(no);
  await op.page.getByRole('button', { name: 'Aç', exact: true }).click();
  await op.page.locator('#kayit').waitFor();
  const owner = await op.page.locator('#sahip').textContent();
  assert.match(owner, /kimlik bilgilerinin saklı tutulmasını istemiştir/);
  assert.doesNotMatch(owner, /Gülşen|Öztürk|example\.com/);
  assert.doesNotMatch(await op.page.locator('main').textContent(), /Gülşen|gulsen\./);
  await check(op.page, 'personel-basvuru-kurum');

  await op.page.getByLabel('Kurum ara').fill('Sağlık Bakanlığı');
  await op.page.getByRole('button', { name: 'Kurum ara' }).click();
  await op.page.getByLabel('Sağlık Bakanlığı (SAGLIK)', { exact: false }).check();
  await op.page.getByRole('button', { name: 'Yönlendir' }).click();
  await op.page.locator('#hedef-kurum-hata').filter({ hasText: /\S/ }).waitFor();
  assert.equal(await op.page.locator('#hedef-ara').getAttribute('aria-invalid'), 'true');
  await check(op.page, 'personel-yonlendir-sunucu-hatasi');

  await op.page.getByRole('button', { name: 'Cevabı gönder' }).click();
  await op.page.locator('#sonuc-hata').filter({ hasText: 'sonucunu seçin' }).waitFor();
  await op.page.getByLabel('İşleme alınmadı').check();
  assert.ok(await op.page.locator('#gerekce-alani').isVisible());
  const petitionCodes = await op.page.locator('#gerekce-kodu option').evaluateAll((o) => o.map((x) => x.value));
  assert.ok(petitionCodes.includes('JUDICIAL') && !petitionCodes.some((c) => c.startsWith('BE_')), 'no BE_ codes for a petition');
  await op.page.getByLabel('Olumlu', { exact: true }).check();
  assert.ok(!(await op.page.locator('#gerekce-alani').isVisible()));
  const answer = 'Okul kantini denetlenmiş, fiyat etiketleri asılmış ve işletmeciye uyarı yapılmıştır.';
  await op.page.getByLabel('Cevap metni').fill(answer);
  await op.page.getByRole('button', { name: 'Cevabı gönder' }).click();
  await op.page.locator('#islem-sonucu').filter({ hasText: 'Cevap kaydedildi (Olumlu)' }).waitFor();
  await op.page.locator('#durum-degeri').filter({ hasText: 'Cevaplandı' }).waitFor();
  assert.equal(await op.page.locator('#cevap-metni-goster').textContent(), answer);
  assert.ok(await op.page.locator('#islem-yok').isVisible());
  await check(op.page, 'personel-cevaplandi');

  // The citizen sees the answer: status, outcome, institution and the timeline.
  const mail = await waitForMail(app.email, /cevaplandı/);
  assert.match(mail.text, /Sonuç: olumlu/);
  assert.ok(mail.text.includes(answer));
  const citizen = await person({ viewport: PHONE });
  await citizen.page.goto(BASE + '/durum.html');
  await citizen.page.getByLabel('T.C. kimlik numarası', { exact: true }).fill(app.tckn);
  await citizen.page.getByLabel('Başvuru numarası', { exact: true }).fill(no);
  await citizen.page.getByRole('button', { name: 'Sorgula' }).first().click();
  await citizen.page.getByRole('heading', { name: `Başvuru ${no}` }).waitFor();
  assert.equal(await citizen.page.locator('#durum-degeri').textContent(), 'Cevaplandı');
  const summary = await citizen.page.locator('#sonuc-ozet').textContent();
  assert.match(summary, /Sonuç\s*Olumlu/);
  assert.match(summary, /Ankara İl Millî Eğitim Müdürlüğü/);
  const kinds = await citizen.page.locator('ol.timeline li').evaluateAll((li) => li.map((e) => e.dataset.kind));
  assert.deepEqual(kinds, ['submitted', 'received', 'routed', 'answered']);
  assert.doesNotMatch(await citizen.page.locator('#sonuc').textContent(), /merkez\.operator|ankara\.meb|staff_read/);
  assert.equal(await citizen.page.getByRole('link', { name: 'Başvurumu iptal et' }).count(), 0);
  await check(citizen.page, 'durum-cevaplandi-telefon');
}

async function overdueInbox({ person }) {
  // Keyed in 40 days ago (the test stack's clock header) and routed: 30 days have passed.
  const past = new Date(Date.now() - 40 * 86400e3).toISOString().replace(/\.\d+Z$/, '+00:00');
  const op = await token('merkez.operator');
  const { json } = await api(
    'POST',
    '/staff/applications',
    {
      channel: 'letter',
      type: 'dilekce',
      category: 'istek',
      subject: 'Gecikmiş başvuru örneği',
      body: 'Mahallemizdeki okulun çatısı akıyor; onarılmasını talep ediyorum.',
      province_code: '06',
      applicant: { first_name: 'Hüseyin', last_name: 'Şahin', address: 'Çankaya/Ankara' },
    },
    { token: op, headers: { 'X-Test-Now': past } },
  );
  await api('POST', `/applications/${json.application_no}/route`, { institution_code: 'IL-MEB-06' }, { token: op, headers: { 'X-Test-Now': past } });

  const { page } = await person();
  await staffLogin(page, 'ankara.meb');
  await page.getByLabel('Süre').selectOption('true');
  // the unfiltered first page is on screen until the filtered answer arrives
  const filtered = page.waitForResponse((r) => r.url().includes('/api/v1/inbox?') && r.url().includes('overdue=true'));
  await page.getByRole('button', { name: 'Listele' }).click();
  await filtered;
  await page.locator('#liste-durumu').filter({ hasNotText: 'Yükleniyor' }).waitFor();
  const row = page.locator('tr.overdue', { hasText: json.application_no });
  await row.or(page.getByRole('button', { name: 'Daha fazla göster' })).first().waitFor();
  while (!(await row.count()) && (await page.getByRole('button', { name: 'Daha fazla göster' }).isVisible())) {
    await page.getByRole('button', { name: 'Daha fazla göster' }).click();
    await page.waitForTimeout(300);
  }
  assert.equal(await row.count(), 1, 'the overdue application is listed and highlighted');
  assert.match(await row.textContent(), /Süresi geçti/);
  assert.equal(await page.locator('tbody tr:not(.overdue)').count(), 0, 'the filter shows overdue rows only');
  assert.match(await page.locator('#liste-durumu').textContent(), /süresi geçti/);
  await check(page, 'gelen-kutusu-gecikenler');
  await row.getByRole('link').click();
  await page.locator('#kayit').waitFor();
  assert.match(await page.locator('#ozet').textContent(), /Süresi geçti/);

  const phone = await person({ viewport: PHONE });
  await staffLogin(phone.page, 'ankara.meb');
  await check(phone.page, 'gelen-kutusu-telefon');
}

export default [
  { name: 'login page: errors, then back to the asked page', run: loginPage },
  { name: 'operator routes → institution answers → citizen sees the answer', run: staffFlow },
  { name: 'inbox: overdue filter and highlight', run: overdueInbox },
];
