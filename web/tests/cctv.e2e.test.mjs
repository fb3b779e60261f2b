// The CCTV view's camera siting panel against the REAL server (`hotspot serve --demo`) in
// headless Chromium: the sites listed and drawn are exactly those `/api/cctv` answers for the
// same request. Run from web/: `node --test tests/` (needs `cargo build` first and Debian's
// `chromium`; `HOTSPOT_BIN` overrides the binary, `CHROMIUM` the browser).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT, freePort, launchBrowser, startServer, stopServer } from './harness.mjs';
import { siteText, summaryText } from '../cctv.js';

const SHOTS = join(ROOT, 'target', 'screenshots');

let server;
let base;
let chromium;
let browser;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ({ child: server, url: base } = await startServer(await freePort()));
  chromium = await launchBrowser();
  ({ browser } = chromium);
});

after(async () => {
  await chromium?.close();
  await stopServer(server);
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
