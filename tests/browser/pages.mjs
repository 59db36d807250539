// SPDX-License-Identifier: MIT
/*
 * Every page, whatever the flows visit: the files of nginx/www are read here, so a page
 * added later is covered without touching this test. Each HTML file and module is
 * checked for what the CSP forbids (inline scripts, styles and handlers, other hosts) and
 * for the DOM rule of the modules (text, never innerHTML); each module must be served as
 * JavaScript under a CSP with script-src 'self' only; and each page is opened at phone
 * width (360 px) — the staff pages with a session — and checked with axe-core.
 */

import fs from 'node:fs';
import path from 'node:path';
import { BASE, PHONE, ROOT, assert, check, staffLogin } from './lib.mjs';

const WWW = path.join(ROOT, 'nginx', 'www');

function files(dir, ext) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...files(p, ext));
    else if (e.name.endsWith(ext)) out.push(p);
  }
  return out.sort();
}

const rel = (p) => '/' + path.relative(WWW, p).split(path.sep).join('/');

async function noInlineCode() {
  const pages = files(WWW, '.html');
  assert.ok(pages.length >= 12, `pages: ${pages.map(rel)}`);
  for (const p of pages) {
    const html = fs.readFileSync(p, 'utf8');
    const name = rel(p);
    assert.match(html, /<html lang="tr">/, name);
    assert.doesNotMatch(html, /<script(?![^>]*\ssrc=)[^>]*>/i, `${name}: inline script`);
    assert.doesNotMatch(html, /<style/i, `${name}: style element`);
    assert.doesNotMatch(html, /\sstyle\s*=/i, `${name}: style attribute`);
    assert.doesNotMatch(html, /\son[a-z]+\s*=/i, `${name}: inline event handler`);
    assert.doesNotMatch(html, /(src|href)\s*=\s*"(https?:)?\/\//i, `${name}: another host`);
    for (const m of html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)) {
      assert.match(m[0], /type="module"/, `${name}: ${m[1]} is an ES module`);
      assert.ok(fs.existsSync(path.join(WWW, m[1])), `${name}: ${m[1]} exists`);
    }
  }
  for (const p of files(WWW, '.js')) {
    const js = fs.readFileSync(p, 'utf8');
    const name = rel(p);
    assert.match(js, /^\/\/ SPDX-License-Identifier: MIT/, `${name}: SPDX line`);
    assert.doesNotMatch(js, /\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/, `${name}: HTML from strings`);
    assert.doesNotMatch(js, /https?:\/\//, `${name}: another host`);
    if (!name.endsWith('/api.js')) assert.doesNotMatch(js, /\bfetch\(|XMLHttpRequest/, `${name}: API calls belong to api.js`);
    const r = await fetch(BASE + name);
    assert.equal(r.status, 200, name);
    assert.match(r.headers.get('content-type'), /^(application|text)\/javascript/, `${name} is served as JavaScript`);
    const csp = r.headers.get('content-security-policy');
    assert.match(csp, /script-src 'self'(;|$)/, csp);
    assert.doesNotMatch(csp, /unsafe-|https?:|\*/, csp);
  }
}

async function everyPageAtPhoneWidth({ person }) {
  const pages = files(WWW, '.html').map(rel);
  const citizen = await person({ viewport: PHONE });
  const staff = await person({ viewport: PHONE });
  const bedk = await person({ viewport: PHONE });
  await staffLogin(staff.page, 'merkez.operator');
  await staffLogin(bedk.page, 'bedk.uye', /\/personel\/bedk\.html$/);
  for (const p of pages) {
    const who = p.startsWith('/personel/') && !p.endsWith('giris.html') ? (/bedk|itiraz/.test(p) ? bedk : staff) : citizen;
    await who.page.goto(BASE + p);
    await who.page.waitForLoadState('networkidle');
    assert.equal(await who.page.locator('h1').count(), 1, `${p}: one h1`);
    assert.ok(!who.page.url().includes('giris.html') || p.endsWith('giris.html'), `${p}: the session holds`);
    await check(who.page, 'sayfa' + p.replace(/\//g, '-').replace(/\.html$/, ''));
  }
}

export default [
  { name: 'every page and module: no inline code, no other host, served as modules under the CSP', run: noInlineCode },
  { name: 'every page at 360 px: axe, no console error, no horizontal scroll', run: everyPageAtPhoneWidth },
];
