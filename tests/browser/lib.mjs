// SPDX-License-Identifier: MIT
/*
 * What the browser tests share: the stack they run against (ports and directories from
 * the environment or $BIMER_VAR_DIR/env), Debian's Chromium driven by playwright-core,
 * one browser context per simulated person (each with its own X-Forwarded-For, so the
 * stack's per-address limits never trip), a page check that takes a screenshot, runs
 * axe-core (no serious or critical violation allowed) and fails on any console error or
 * CSP violation, the real SMTP sink's .eml files, and direct API calls for setting up
 * states (staff logins, keyed-in applications).
 */

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '..', '..');

function loadEnv() {
  const env = { ...process.env };
  const varDir = env.BIMER_VAR_DIR || path.join(ROOT, 'var');
  const file = path.join(varDir, 'env');
  if (fs.existsSync(file)) {
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      const m = /^(?:export\s+)?(BIMER_[A-Z0-9_]+)=(.*)$/.exec(line.trim());
      if (m && env[m[1]] === undefined) env[m[1]] = m[2].replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1');
    }
  }
  env.BIMER_VAR_DIR = varDir;
  return env;
}

export const ENV = loadEnv();
export const BASE = `http://127.0.0.1:${ENV.BIMER_HTTP_PORT || '8080'}`;
export const MAIL_DIR = ENV.BIMER_MAIL_DIR || path.join(ENV.BIMER_VAR_DIR, 'mail');
export const OUT = path.join(ENV.BIMER_VAR_DIR, 'browser');
export const PASSWORD = ENV.BIMER_DEMO_PASSWORD || 'Demo.Parola.2026';
export const CHROMIUM = ENV.BIMER_CHROMIUM || '/usr/bin/chromium';

export { assert };
export const { chromium } = require('playwright-core');
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// ------------------------------------------------------------------------- data

/** A client address of the benchmarking range (RFC 2544), different for each call. */
export function clientIp() {
  const r = () => Math.floor(Math.random() * 254) + 1;
  return `198.${18 + Math.floor(Math.random() * 2)}.${r()}.${r()}`;
}

/** A random valid T.C. kimlik no (rules.md W3). */
export function tckn() {
  const d = [1 + Math.floor(Math.random() * 9)];
  while (d.length < 9) d.push(Math.floor(Math.random() * 10));
  const odd = d[0] + d[2] + d[4] + d[6] + d[8];
  const even = d[1] + d[3] + d[5] + d[7];
  d.push((((odd * 7 - even) % 10) + 10) % 10);
  d.push(d.reduce((a, b) => a + b, 0) % 10);
  return d.join('');
}

/** A unique mailbox for one simulated citizen. */
export function mailbox(who = 'vatandas') {
  return `${who}.${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}@example.com.tr`;
}

/** The smallest valid PDF and PNG files, written under the output directory. */
export function sampleFiles() {
  const dir = path.join(OUT, 'files');
  fs.mkdirSync(dir, { recursive: true });
  const pdf = path.join(dir, 'kanit-belgesi.pdf');
  fs.writeFileSync(
    pdf,
    '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
      '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
  );
  const png = path.join(dir, 'cevap-fotografi.png');
  fs.writeFileSync(
    png,
    Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
      'base64',
    ),
  );
  const txt = path.join(dir, 'not.txt');
  fs.writeFileSync(txt, 'düz metin\n');
  return { pdf, png, txt };
}

// -------------------------------------------------------------------------- API

/** One API call from the test itself (setting up states); JSON in and out. */
export async function api(method, p, body, { token, headers = {}, ok = true } = {}) {
  const h = { Accept: 'application/json', 'X-Forwarded-For': clientIp(), ...headers };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  if (token) h.Authorization = 'Bearer ' + token;
  const r = await fetch(BASE + '/api/v1' + p, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  const json = text ? JSON.parse(text) : null;
  if (ok && !r.ok) throw new Error(`${method} ${p} → ${r.status}: ${text}`);
  return { status: r.status, json };
}

const tokens = new Map();

/** An access token for a demo account (logged in once per run). */
export async function token(user) {
  if (!tokens.has(user)) {
    const { json } = await api('POST', '/auth/login', { username: user, password: PASSWORD });
    tokens.set(user, json.access_token);
  }
  return tokens.get(user);
}

/** An application body as the citizen form would send it. */
export function applicationBody(over = {}) {
  return {
    type: 'dilekce',
    category: 'istek',
    subject: 'Okul bahçesinin aydınlatılması',
    body: 'Çocuğumun okulunun bahçesi akşamları karanlık kalıyor; aydınlatma yapılmasını rica ederim.',
    province_code: '06',
    applicant: {
      tc_kimlik_no: tckn(),
      first_name: 'Gülşen',
      last_name: 'Öztürk',
      email: mailbox('gulsen'),
      address: 'Kızılay Mah. Atatürk Bulvarı No:1 Çankaya/Ankara',
    },
    ...over,
  };
}

/** Files an internet application through the API and verifies it from the real mail. */
export async function verifiedApplication(over = {}) {
  const body = applicationBody(over);
  const { json } = await api('POST', '/applications', body);
  const mail = await waitForMail(body.applicant.email, /doğrulayın/);
  const t = /token=([A-Za-z0-9_-]+)/.exec(mail.text)[1];
  await api('POST', '/verifications', { token: t });
  return { ...json, body, tckn: body.applicant.tc_kimlik_no, email: body.applicant.email };
}

// ------------------------------------------------------------------------- mail

function decodeWords(s) {
  return s.replace(/=\?UTF-8\?([BQ])\?([^?]*)\?=\s*/gi, (_, enc, text) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(qp(text.replace(/_/g, ' ')), 'latin1').toString('utf8'),
  );
}

function qp(s) {
  return s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16)));
}

/** One .eml of the sink: envelope recipient, decoded subject and plain-text body. */
function parsePart(raw) {
  const m = /\r?\n\r?\n/.exec(raw);
  const split = m ? m.index : raw.length;
  const head = raw.slice(0, split).replace(/\r?\n[ \t]+/g, ' ');
  const header = (name) => ((new RegExp(`^${name}:\\s*(.*?)\\r?$`, 'mi').exec(head) || [])[1] || '').trim();
  return { header, body: m ? raw.slice(split + m[0].length) : '' };
}

export function readMail(file) {
  const raw = fs.readFileSync(file, 'latin1');
  const msg = parsePart(raw);
  let part = msg;
  const boundary = /boundary="?([^";]+)"?/i.exec(msg.header('Content-Type'));
  if (boundary) {
    const pieces = msg.body.split('--' + boundary[1]).map(parsePart);
    part = pieces.find((p) => /^text\/plain/i.test(p.header('Content-Type'))) || msg;
  }
  const encoded = /quoted-printable/i.test(part.header('Content-Transfer-Encoding')) ? qp(part.body) : part.body;
  const text = Buffer.from(encoded, 'latin1').toString('utf8');
  return { to: msg.header('X-Envelope-To'), subject: decodeWords(msg.header('Subject')), text, file };
}

const mailCache = new Map(); // file name → {to, subject, text, file, mtime}: a sink file never changes

/** Waits until the sink holds a mail to `to` whose subject matches; returns the newest. */
export async function waitForMail(to, subject, { timeout = 20000, after = 0 } = {}) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    const found = [];
    for (const f of fs.existsSync(MAIL_DIR) ? fs.readdirSync(MAIL_DIR) : []) {
      if (!f.endsWith('.eml')) continue;
      if (!mailCache.has(f)) {
        const file = path.join(MAIL_DIR, f);
        mailCache.set(f, { ...readMail(file), mtime: fs.statSync(file).mtimeMs });
      }
      const m = mailCache.get(f);
      if (m.mtime >= after && m.to.includes(to) && subject.test(m.subject)) found.push(m);
    }
    if (found.length) return found.sort((a, b) => b.mtime - a.mtime)[0];
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`no mail to ${to} matching ${subject} within ${timeout} ms`);
}

// ---------------------------------------------------------------------- browser

export const PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1280, height: 900 };

/**
 * A new person at the keyboard: a context with its own client address, Turkish locale
 * and Istanbul time. Console errors, page errors and CSP violations are collected in
 * page.problems and fail the next check().
 */
export async function person(browser, { viewport = DESKTOP } = {}) {
  const context = await browser.newContext({
    viewport,
    locale: 'tr-TR',
    timezoneId: 'Europe/Istanbul',
    extraHTTPHeaders: { 'X-Forwarded-For': clientIp() },
    acceptDownloads: true,
  });
  context.setDefaultTimeout(10000);
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // The API's own 4xx answers (a miss, a 422) are part of the flows; anything else that
    // fails to load (a page's script, the style sheet) is a fault.
    const apiAnswer = /Failed to load resource: the server responded with a status of 4\d\d/.test(m.text()) && /\/api\/v1\//.test(m.location().url || '');
    if (!apiAnswer) page.problems.push(`console: ${m.text()} (${m.location().url || 'no url'})`);
  });
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  return { context, page };
}

export const axeReport = [];
let shot = 0;

/**
 * Screenshot (under the run's output), axe-core over the whole page and the problems the
 * page collected: any serious or critical violation, console error or CSP violation fails.
 */
export async function check(page, name) {
  fs.mkdirSync(OUT, { recursive: true });
  shot += 1;
  const file = path.join(OUT, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  const hasAxe = await page.evaluate(() => typeof window.axe === 'object');
  if (!hasAxe) await page.evaluate(AXE_SOURCE);
  const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  axeReport.push({
    page: name,
    url: page.url().replace(/([?&#](token|kod)=)[^&#]+/g, '$1…'),
    violations: res.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length })),
  });
  const describe = bad
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`)
    .join('\n  ');
  assert.equal(bad.length, 0, `axe on ${name}:\n  ${describe}`);
  const problems = page.problems.splice(0);
  assert.deepEqual(problems, [], `${name}: errors in the page`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `${name}: the page is ${overflow}px wider than the window`);
  return file;
}

/** Logs a staff member in through the login page; resolves once the landing page shows. */
export async function staffLogin(page, user, landing = /\/personel\/(index\.html)?$/) {
  await page.goto(BASE + '/personel/giris.html');
  await page.getByLabel('Kullanıcı adı').fill(user);
  await page.getByLabel('Parola').fill(PASSWORD);
  await page.getByRole('button', { name: 'Giriş yap' }).click();
  await page.waitForURL(landing);
}
