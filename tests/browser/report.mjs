// SPDX-License-Identifier: MIT
/*
 * The monthly report viewer in a real browser: the centre's operator shows this month's
 * report for the whole country (the tables must carry the API's own figures), downloads
 * it as CSV and as printable HTML (fetched with the bearer token, handed over as a Blob);
 * the Ankara governorship's coordinator reads its province; an institution user without
 * a reporting role is told so.
 */

import fs from 'node:fs';
import { BASE, api, assert, check, staffLogin, token } from './lib.mjs';

function thisMonth() {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Istanbul', year: 'numeric', month: '2-digit' }).formatToParts(new Date());
  return `${parts.find((p) => p.type === 'year').value}-${parts.find((p) => p.type === 'month').value}`;
}

async function reportViewer({ person }) {
  const month = thisMonth();
  const { json: expected } = await api('GET', `/reports/monthly?month=${month}&scope=all`, undefined, { token: await token('merkez.operator') });

  const { page } = await person();
  await staffLogin(page, 'merkez.operator');
  await page.getByRole('link', { name: 'Aylık raporlar' }).click();
  await page.waitForURL(/\/personel\/rapor\.html$/);
  await check(page, 'rapor-formu');

  await page.getByLabel('Ay', { exact: true }).fill('2026-13');
  await page.getByRole('button', { name: 'Raporu göster' }).click();
  await page.locator('#ay-hata').filter({ hasText: 'YYYY-AA' }).waitFor();

  await page.getByLabel('Ay', { exact: true }).fill(month);
  await page.getByLabel('Tüm ülke (merkez)').check();
  await page.getByRole('button', { name: 'Raporu göster' }).click();
  await page.locator('#rapor').waitFor();
  assert.ok((await page.locator('#rapor-baslik').textContent()).includes(expected.scope_name || 'tüm ülke'));
  const counts = page.getByRole('table', { name: 'Başvuru sayıları' });
  const total = await counts.getByRole('row', { name: /^Toplam/ }).getByRole('cell').first().textContent();
  assert.equal(total, expected.figures.applications.total.toLocaleString('tr-TR'));
  assert.ok(expected.figures.applications.total > 0, 'this run filed applications this month');
  for (const name of ['Başvuru kanalları', 'Konular', 'Sonuçlar', 'Süreler ve itirazlar']) {
    assert.equal(await page.getByRole('table', { name }).count(), 1, name);
  }
  const positive = await page.getByRole('table', { name: 'Sonuçlar' }).getByRole('row', { name: /^Olumlu/ }).getByRole('cell').first().textContent();
  assert.equal(positive, expected.figures.outcomes.positive.toLocaleString('tr-TR'));
  await check(page, 'rapor-tablolar');

  for (const [button, ext, head] of [
    ['CSV olarak indir', 'csv', /^\uFEFF?[^\n]*,/],
    ['Yazdırılabilir HTML olarak indir', 'html', /<html[\s>]/i],
  ]) {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
    assert.match(download.suggestedFilename(), new RegExp(`^bimer-${month}-all\\.${ext}$`));
    const body = fs.readFileSync(await download.path(), 'utf8');
    assert.match(body, head, `${ext} download`);
    await page.locator('#indirme-durumu').filter({ hasText: `.${ext} indirildi` }).waitFor();
  }

  // The Ankara governorship's coordinator: its province.
  const desk = await person();
  await staffLogin(desk.page, 'ankara.operator');
  await desk.page.goto(BASE + '/personel/rapor.html');
  await desk.page.getByLabel('Bir il').check();
  await desk.page.getByLabel('İl', { exact: true }).selectOption('06');
  await desk.page.getByRole('button', { name: 'Raporu göster' }).click();
  await desk.page.locator('#rapor').waitFor();
  assert.match(await desk.page.locator('#rapor-ozet').textContent(), /province:06/);
  // The link of the monthly mail opens that report at once.
  const mailed = await person();
  await staffLogin(mailed.page, 'ankara.operator');
  await mailed.page.goto(BASE + `/personel/rapor.html?ay=${expected.month}&kapsam=province:06`);
  await mailed.page.locator('#rapor').waitFor();
  assert.match(await mailed.page.locator('#rapor-ozet').textContent(), /province:06/);
  assert.ok((await mailed.page.locator('#rapor-ozet').textContent()).includes(expected.month));

  // An institution user without a reporting role.
  const meb = await person();
  await staffLogin(meb.page, 'ankara.meb');
  assert.equal(await meb.page.getByRole('link', { name: 'Aylık raporlar' }).count(), 0);
  await meb.page.goto(BASE + '/personel/rapor.html');
  await meb.page.getByRole('button', { name: 'Raporu göster' }).click();
  await meb.page.locator('#hata-ozeti').filter({ hasText: /yetkiniz yok|göremezsiniz/ }).waitFor();
  await check(meb.page, 'rapor-yetki-yok');
}

export default [{ name: 'monthly report: tables, CSV and HTML downloads, scopes by role', run: reportViewer }];
