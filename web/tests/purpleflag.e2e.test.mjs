// End-to-end test of the Purple Flag scorecard and plan targets panels against the REAL server
// (`hotspot serve --demo`) in headless Chromium: every number the panels show is compared with
// what the API answers for the same request. Run from web/: `node --test tests/` (needs
// `cargo build` and Debian's `chromium`; `HOTSPOT_BIN` and `CHROMIUM` override them).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, launchBrowser, startServer, stopServer } from './harness.mjs';

import { fmt } from '../symbology.js';
import { MEASURES, byArea, shownValue, verdict } from '../targets.js';
import { ROWS, kpiCell } from '../purpleflag.js';

let server;
let base;
let chromium;
let browser;

before(async () => {
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
  assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
  return res.json();
}

async function open(hash) {
  const page = await browser.newPage();
  const log = { requests: [], errors: [] };
  page.on('request', (r) => log.requests.push(r.url()));
  page.on('pageerror', (e) => log.errors.push(e.message));
  await page.goto(`${base}/${hash}`);
  await page.waitForFunction(() => document.getElementById('map')?.getAttribute('aria-busy') === 'false', null, { timeout: 60_000 });
  return { page, log };
}

/** Compares the scorecard on the page with an API answer, cell by cell. */
async function assertScorecard(page, answer) {
  for (const preset of ['weekend-evening', 'evening']) {
    const periods = answer.kpi[preset].periods;
    assert.ok(periods.length > 0);
    for (const [slug] of ROWS) {
      for (const [i, p] of periods.entries()) {
        const c = kpiCell(p, slug);
        const cell = (kind) => page.locator(`table.pf-table[data-window="${preset}"] tr[data-row="${slug}"] td[data-period="${i}"][data-kind="${kind}"]`).textContent();
        assert.equal(await cell('all'), fmt(c.all, 1), `${preset} ${slug} ${i}`);
        const alcohol = c.alcohol === null ? 'not recorded' : fmt(c.alcohol, 1);
        assert.equal(await cell('alcohol'), alcohol, `${preset} ${slug} ${i} alcohol`);
      }
    }
  }
  assert.equal(await page.locator('#purple-flag .pf-venues').textContent(), fmt(answer.summary.venues));
}

test('Licensing view: the targets panel shows /api/targets row by row', async () => {
  const { page, log } = await open('#view=licensing');
  await page.waitForSelector('#targets[data-loaded="true"]', { timeout: 60_000 });
  assert.equal(await page.locator('#targets').isVisible(), true);
  assert.equal(await page.locator('#purple-flag').isVisible(), true);
  const answer = await api('/api/targets');
  const areas = byArea(answer);
  assert.equal(areas.length, 15, 'the city and 14 wards');
  assert.equal(await page.locator('#targets tbody tr').count(), areas.length);
  for (const a of areas) {
    for (const m of MEASURES) {
      const r = a.measures[m.id];
      const digits = m.id === 'alcohol_crime_per_1000' ? 1 : 0;
      const td = page.locator(`#targets tr[data-code="${a.code}"] td[data-measure="${m.id}"]`);
      assert.equal(await td.locator('.actual').textContent(), shownValue(r.actual, r.actual_annualised, digits), `${a.name} ${m.id}`);
      assert.equal(await td.locator('.target').textContent(), shownValue(r.target, null, digits));
      assert.equal(await td.locator('.on-track').textContent(), verdict(r.on_track));
    }
  }
  // The demo's police.uk data cover one month: the panel says why nothing is judged.
  assert.match(await page.locator('#targets .targets-note').textContent(), /incomplete/);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('Purple Flag for a selected ward equals the API answer', async () => {
  const { page, log } = await open('#view=licensing');
  const wards = await api('/ogc/collections/wards/items?limit=10000');
  const ward = wards.features.find((f) => f.properties.name === 'Charles Dickens').properties.code;
  await page.waitForSelector(`#pf-ward option[value="${ward}"]`, { state: 'attached' });
  await page.selectOption('#pf-ward', ward);
  await page.click('#pf-show');
  await page.waitForSelector('#purple-flag[data-loaded="true"]', { timeout: 60_000 });
  const answer = await api(`/api/licensing/purple-flag?ward=${ward}`);
  assert.ok(answer.kpi['weekend-evening'].periods.at(-1).total.all > 0, 'the planted night-time area has incidents');
  await assertScorecard(page, answer);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('Purple Flag for a cumulative impact zone equals the API answer for that zone', async () => {
  const { page, log } = await open('#view=licensing');
  const zones = await api('/api/licensing/zones?format=json');
  assert.ok(zones.zones.length >= 2, 'the demo has the planted zones');
  await page.waitForSelector('#pf-ward option[value="zone:zone-1"]', { state: 'attached' });
  await page.selectOption('#pf-ward', 'zone:zone-1');
  await page.click('#pf-show');
  await page.waitForSelector('#purple-flag[data-loaded="true"]', { timeout: 60_000 });
  const answer = await api('/api/licensing/purple-flag?zone=zone-1');
  assert.equal(answer.parameters.area.id, 'zone-1');
  assert.ok(answer.kpi['weekend-evening'].periods.at(-1).total.all > 0, 'zone 1 holds night-time incidents');
  await assertScorecard(page, answer);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('Purple Flag for a polygon drawn on the map equals the API answer for that polygon', async () => {
  const { page, log } = await open('#view=licensing&map=15/50.7985/-1.0915');
  await page.click('#pf-draw');
  const box = await page.locator('#map').boundingBox();
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  for (const [dx, dy] of [[-150, -120], [150, -120], [150, 120], [-150, 120]]) {
    await page.mouse.click(cx + dx, cy + dy);
  }
  await page.click('#pf-finish');
  assert.equal(await page.locator('path.pf-area').count(), 1);
  await page.click('#pf-show');
  await page.waitForSelector('#purple-flag[data-loaded="true"]', { timeout: 60_000 });
  const urls = log.requests.filter((u) => new URL(u).pathname === '/api/licensing/purple-flag');
  assert.equal(urls.length, 1);
  const url = new URL(urls[0]);
  const polygon = JSON.parse(url.searchParams.get('polygon'));
  assert.equal(polygon.type, 'Polygon');
  assert.equal(polygon.coordinates[0].length, 5, 'four corners, closed');
  const answer = await api(url.pathname + url.search);
  assert.equal(answer.parameters.area.kind, 'polygon');
  await assertScorecard(page, answer);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('Overview shows the targets only; Patrol shows neither panel', async () => {
  let { page } = await open('');
  await page.waitForSelector('#targets[data-loaded="true"]', { timeout: 60_000 });
  assert.equal(await page.locator('#purple-flag').isVisible(), false);
  await page.close();
  ({ page } = await open('#view=patrol'));
  assert.equal(await page.locator('#targets').isVisible(), false);
  assert.equal(await page.locator('#purple-flag').isVisible(), false);
  await page.close();
});
