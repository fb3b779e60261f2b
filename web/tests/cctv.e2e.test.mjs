// The CCTV view's camera siting panel against the REAL server (`hotspot serve --demo`) in
// headless Chromium: the sites listed and drawn are exactly those `/api/cctv` answers for the
// same request. Run from web/: `node --test tests/` (needs `cargo build` first and Debian's
// `chromium`; `HOTSPOT_BIN` overrides the binary, `CHROMIUM` the browser).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { siteText, summaryText } from '../cctv.js';

const WEB = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = resolve(WEB, '..');
const BIN = process.env.HOTSPOT_BIN ?? join(ROOT, 'target', 'debug', 'hotspot');
const SHOTS = join(ROOT, 'target', 'screenshots');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const STARTUP_MS = 180_000;

let server;
let base;
let browser;
let profile;

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const port = await freePort();
  server = spawn(BIN, ['serve', '--demo', '--addr', `127.0.0.1:${port}`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  base = await new Promise((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`no "Serving the map at" line within ${STARTUP_MS} ms:\n${out}`)), STARTUP_MS);
    const onData = (chunk) => {
      out += chunk;
      const m = /Serving the map at (http:\/\/\S+?)\/?(\s|$)/.exec(out);
      if (m) { clearTimeout(timer); ok(m[1]); }
    };
    server.stdout.on('data', onData);
    server.stderr.on('data', onData);
    server.on('exit', (code) => { clearTimeout(timer); fail(new Error(`${BIN} exited with ${code}:\n${out}`)); });
  });
  profile = mkdtempSync(join(tmpdir(), 'hotspot-cctv-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 800 },
    reducedMotion: 'reduce',
  });
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((ok) => server.once('exit', ok));
    server.kill('SIGTERM');
    const forced = setTimeout(() => server.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(forced);
  }
  if (profile) rmSync(profile, { recursive: true, force: true });
});

async function api(path) {
  const res = await fetch(`${base}${path}`);
  assert.equal(res.status, 200, `${path} answered ${res.status}: ${await res.clone().text()}`);
  return res.json();
}

async function ready(page) {
  await page.waitForFunction(() => {
    const s = document.getElementById('cctv-panel');
    return s && !s.hidden && s.dataset.state === 'ready' && document.getElementById('map')?.getAttribute('aria-busy') === 'false';
  }, null, { timeout: 60_000 });
}

function lastCctvUrl(requests) {
  const urls = requests.filter((u) => new URL(u).pathname === '/api/cctv');
  assert.ok(urls.length > 0, 'the page requested no camera sites');
  return new URL(urls[urls.length - 1]);
}

async function assertPageMatchesApi(page, requests, cameras) {
  const url = lastCctvUrl(requests);
  assert.equal(url.searchParams.get('cameras'), String(cameras));
  const fc = await api(url.pathname + url.search);
  assert.equal(fc.features.length, cameras, 'the demo has enough incidents for every camera');
  const items = page.locator('#cctv-sites li.cctv-site');
  assert.equal(await items.count(), fc.features.length);
  for (let i = 0; i < fc.features.length; i += 1) {
    const p = fc.features[i].properties;
    const li = items.nth(i);
    assert.equal(await li.getAttribute('data-id'), p.id);
    assert.equal(await li.getAttribute('data-rank'), String(p.rank));
    assert.equal(await li.innerText(), siteText(p));
  }
  assert.equal(await page.locator('#cctv-summary').innerText(), summaryText(fc.summary));
  assert.equal(await page.locator('path.cctv-reach').count(), fc.features.length);
  assert.equal(await page.locator('.cctv-site-icon').count(), fc.features.length);
  return fc;
}

test('the CCTV view lists and draws the sites /api/cctv answers, and follows the camera count', async () => {
  const page = await browser.newPage();
  const requests = [];
  const errors = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/`);
  await page.waitForFunction(() => document.getElementById('map')?.getAttribute('aria-busy') === 'false');
  assert.ok(await page.locator('#cctv-panel').isHidden(), 'no siting panel outside the CCTV view');

  await page.click('#view-button');
  await page.click('[data-view=cctv]');
  await ready(page);
  const fc = await assertPageMatchesApi(page, requests, 3);
  const url = lastCctvUrl(requests);
  assert.equal(url.searchParams.get('category'), 'nte', 'the view asks for night-time-economy incidents');
  assert.ok(fc.summary.covered > 0);

  await page.fill('#cctv-cameras', '5');
  await page.dispatchEvent('#cctv-cameras', 'change');
  await page.waitForFunction(() => document.querySelectorAll('#cctv-sites li').length === 5);
  await ready(page);
  await assertPageMatchesApi(page, requests, 5);

  // A narrower window: the page asks again with it, and still shows what the API answers.
  await page.selectOption('#preset', 'nte');
  await page.waitForFunction(() => window.location.hash.includes('preset=nte'));
  await ready(page);
  const nte = lastCctvUrl(requests);
  assert.equal(nte.searchParams.get('preset'), 'nte');
  await assertPageMatchesApi(page, requests, 5);
  await page.screenshot({ path: join(SHOTS, 'cctv-sites.png') });

  // Leaving the view hides the panel and its sites.
  await page.click('#view-button');
  await page.click('[data-view=patrol]');
  await page.waitForFunction(() => document.getElementById('cctv-panel').hidden);
  assert.equal(await page.locator('.cctv-site-icon').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});
