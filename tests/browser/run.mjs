// SPDX-License-Identifier: MIT
/*
 * The browser test runner (tests/run.sh's "browser" step): Debian's Chromium, headless,
 * driven by playwright-core, against a running stack (BIMER_HTTP_PORT and BIMER_VAR_DIR
 * from the environment, else $BIMER_VAR_DIR/env). Runs the suites' tests in order, each
 * with a time limit, prints one line per test and a closing "N passed, N failed" line,
 * and exits non-zero on any failure. Screenshots, failure screenshots and the axe-core
 * summary (axe.json) go to $BIMER_VAR_DIR/browser/.
 *
 * Usage: node tests/browser/run.mjs [word…]   (only the tests whose name has a word)
 */

import fs from 'node:fs';
import path from 'node:path';
import { BASE, CHROMIUM, OUT, axeReport, chromium, person } from './lib.mjs';

const SUITES = ['pages.mjs', 'citizen.mjs', 'staff.mjs', 'intake.mjs', 'appeal.mjs', 'report.mjs'];
const TEST_TIMEOUT_MS = 90000;
const filters = process.argv.slice(2).map((w) => w.toLocaleLowerCase('tr'));

function slug(s) {
  return s
    .toLocaleLowerCase('tr')
    .replace(/[^a-z0-9çğıöşü]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
}

async function reachable() {
  try {
    const r = await fetch(BASE + '/');
    return r.ok;
  } catch {
    return false;
  }
}

/** Runs one test with its own contexts; screenshots every open page when it fails. */
async function runOne(browser, t) {
  const contexts = [];
  const ctx = {
    browser,
    person: async (opts) => {
      const p = await person(browser, opts);
      contexts.push(p.context);
      return p;
    },
  };
  let timer;
  try {
    await Promise.race([
      t.run(ctx),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${TEST_TIMEOUT_MS / 1000} s`)), TEST_TIMEOUT_MS);
      }),
    ]);
  } catch (err) {
    let n = 0;
    for (const c of contexts) {
      for (const p of c.pages()) {
        n += 1;
        await p.screenshot({ path: path.join(OUT, `FAIL-${slug(t.name)}-${n}.png`), fullPage: true }).catch(() => {});
      }
    }
    throw err;
  } finally {
    clearTimeout(timer);
    for (const c of contexts) await c.close().catch(() => {});
  }
}

async function main() {
  if (!(await reachable())) {
    console.error(`browser: the stack does not answer at ${BASE}/ (start it, or set BIMER_HTTP_PORT)`);
    process.exit(2);
  }
  if (!fs.existsSync(CHROMIUM)) {
    console.error(`browser: no Chromium at ${CHROMIUM} (install Debian's chromium package)`);
    process.exit(2);
  }
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(OUT, { recursive: true });

  const tests = [];
  for (const s of SUITES) {
    const mod = await import(new URL(s, import.meta.url));
    for (const t of mod.default) tests.push({ ...t, suite: s.replace('.mjs', '') });
  }
  const chosen = filters.length
    ? tests.filter((t) => filters.some((w) => `${t.suite} ${t.name}`.toLocaleLowerCase('tr').includes(w)))
    : tests;

  if (!chosen.length) {
    console.error(`browser: no test matches ${filters.join(' ')}`);
    process.exit(2);
  }
  // The browser gets none of the stack's variables (its secrets among them), so no
  // process of it can ever count as the stack's own when tests/run.sh looks for leftovers.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BIMER_')));
  const launch = () =>
    chromium.launch({ executablePath: CHROMIUM, headless: true, env, args: ['--lang=tr-TR', '--disable-breakpad', '--disable-crash-reporter'] });
  let browser = await launch();
  console.log(`browser: Chromium ${browser.version()} against ${BASE}, ${chosen.length} tests`);
  let passed = 0;
  let failed = 0;
  const started = Date.now();
  for (const t of chosen) {
    if (!browser.isConnected()) {
      // One test must not take the others down with it: a browser that died is counted
      // against the test that was running, and the next one gets a new browser.
      console.log('browser: Chromium has exited; starting it again');
      browser = await launch();
    }
    const t0 = Date.now();
    try {
      await runOne(browser, t);
      passed += 1;
      console.log(`ok      ${t.suite}: ${t.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (err) {
      failed += 1;
      console.log(`FAILED  ${t.suite}: ${t.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      console.log('        ' + String(err && err.stack ? err.stack : err).split('\n').join('\n        '));
    }
  }
  await browser.close();
  fs.writeFileSync(path.join(OUT, 'axe.json'), JSON.stringify(axeReport, null, 2));
  const pages = axeReport.length;
  const minor = axeReport.reduce((n, r) => n + r.violations.length, 0);
  console.log(`browser: ${pages} page states checked with axe-core (${minor} moderate or minor findings, see ${path.join(OUT, 'axe.json')}); screenshots in ${OUT}`);
  console.log(`browser: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`browser: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
