// The Licensing view's panel (web/licensing.js) against the REAL server (`hotspot serve --demo`)
// in headless Chromium: the zones drawn and listed, and a venue's review, each compared with
// what the API answers for the very request the page made. Run from web/: `node --test tests/`
// (needs `cargo build` first and Debian's `chromium`; `HOTSPOT_BIN`, `CHROMIUM` override).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

import { ROOT, freePort, launchBrowser, startServer, stopServer } from './harness.mjs';

const SHOTS = join(ROOT, 'target', 'screenshots');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let server;
let base;
let chromium;
let browser;

async function api(path) {
  const res = await fetch(`${base}${path}`);
  assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
  return res.json();
}

/** A number as the page prints it (en-GB, thousands separators). */
const shown = (text) => Number(text.replace(/,/g, ''));
const near = (a, b, tolerance) => Math.abs(a - b) <= tolerance;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ({ child: server, url: base } = await startServer(await freePort()));
  chromium = await launchBrowser({ viewport: { width: 1280, height: 900 } });
  ({ browser } = chromium);
});

after(async () => {
  await chromium?.close();
  await stopServer(server);
});

test('the Licensing view lists and draws the zones the API answers, and reviews a clicked venue', async () => {
  const page = await browser.newPage();
  const requests = [];
  const errors = [];
  page.on('request', (r) => requests.push(new URL(r.url())));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/#view=licensing&layers=wards,venues&preset=nte&category=nte&map=15/50.7950/-1.0860`);
  const panel = page.locator('#licensing-panel');
  await page.waitForFunction(() => document.getElementById('licensing-panel')?.dataset.state === 'ready', null, { timeout: 60_000 });
  assert.ok(await panel.isVisible());

  // Zones: the request carries the view's window and categories, and the page shows its answer.
  const zonesRequest = requests.filter((u) => u.pathname === '/api/licensing/zones').at(-1);
  assert.ok(zonesRequest, 'zones requested');
  assert.equal(zonesRequest.searchParams.get('preset'), 'nte');
  assert.deepEqual(zonesRequest.searchParams.getAll('category'), ['nte']);
  const zones = await api(zonesRequest.pathname + zonesRequest.search);
  assert.ok(zones.features.length >= 2, 'the demo has zones');
  assert.equal(await page.locator('path.licensing-zone').count(), zones.features.length);
  const items = page.locator('#zone-list > li');
  assert.equal(await items.count(), zones.features.length);
  for (let i = 0; i < zones.features.length; i += 1) {
    const p = zones.features[i].properties;
    const item = items.nth(i);
    assert.equal(await item.getAttribute('data-zone'), p.id);
    assert.equal(shown(await item.locator('.zone-venues').innerText()), p.venues);
    assert.ok(near(shown(await item.locator('.zone-incidents').innerText()), p.incidents, 0.051), `${p.id} incidents`);
  }

  // A venue's review: Club Neon on Guildhall Walk.
  const marker = page.locator('.venue-icon[title^="Club Neon"]');
  assert.equal(await marker.count(), 1);
  await marker.dispatchEvent('click');
  await page.waitForFunction(() => document.getElementById('venue-review')?.dataset.state === 'ready', null, { timeout: 60_000 });
  const reviewRequest = requests.filter((u) => u.pathname === '/api/licensing/review').at(-1);
  assert.equal(reviewRequest.searchParams.get('venue'), 'PL/0003');
  assert.equal(reviewRequest.searchParams.get('preset'), null, 'the review covers the whole week');
  const review = await api(reviewRequest.pathname + reviewRequest.search);
  const v = review.venues[0];
  assert.match(await page.locator('#review-venue').innerText(), /Club Neon/);
  assert.ok(near(shown(await page.locator('.review-incidents').innerText()), v.incidents, 0.051));
  // The heat table holds the API's 7 × 24 values, Monday first.
  const cells = await page.locator('.hour-of-week td').evaluateAll((tds) => tds.map((td) => [Number(td.dataset.day), Number(td.dataset.hour), Number(td.dataset.value)]));
  assert.equal(cells.length, 7 * 24);
  for (const [d, h, x] of cells) assert.ok(near(x, v.hour_of_week[d][h], 1e-9), `day ${d} hour ${h}`);
  const busiest = Math.max(...v.hour_of_week.flat());
  assert.ok(busiest > 0);
  // Categories: the non-zero groups, with their counts.
  const groups = await page.locator('#review-categories li').evaluateAll((lis) => lis.map((li) => [li.dataset.group, li.querySelector('.count').textContent]));
  const expected = Object.entries(v.by_category).filter(([, n]) => n > 0);
  assert.equal(groups.length, expected.length);
  for (const [g, text] of groups) assert.ok(near(shown(text), v.by_category[g], 0.051), g);
  await page.locator('#licensing-panel').screenshot({ path: join(SHOTS, 'licensing-panel.png') });
  // The panel passes axe (no serious or critical problems).
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => (await window.axe.run(document.getElementById('licensing-panel'), { resultTypes: ['violations'] })).violations);
  const serious = violations.filter((x) => x.impact === 'serious' || x.impact === 'critical').map((x) => `${x.id}: ${x.help}`);
  assert.deepEqual(serious, []);

  // Leaving the view hides the panel and the zones.
  await page.evaluate(() => { window.location.hash = '#layers=wards,venues'; });
  await page.waitForFunction(() => document.getElementById('licensing-panel').hidden);
  assert.equal(await page.locator('path.licensing-zone').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});
