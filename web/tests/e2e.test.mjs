// End-to-end tests of the web map against the REAL server (`hotspot serve --demo`) in headless
// Chromium. Run from web/: `node --test tests/` (needs `cargo build` first and Debian's
// `chromium`; `HOTSPOT_BIN` overrides the binary, `CHROMIUM` the browser).
//
// Every count asserted on the page is compared with what the API itself answers for the same
// request, so the tests fail when the map draws too few or too many features.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

import { BINS } from '../symbology.js';
import { denseMonthly } from '../chart.js';
import { yearlyChange } from '../trend.js';
import { freePort, startServer } from './harness.mjs';

const WEB = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = resolve(WEB, '..');
const SHOTS = join(ROOT, 'target', 'screenshots');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

let server;
let base;
let browser;
let profile;

async function api(path) {
  const res = await fetch(`${base}${path}`);
  assert.equal(res.status, 200, `${path} answered ${res.status}: ${await res.clone().text()}`);
  return res.json();
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const port = await freePort();
  const started = await startServer(port);
  server = started.child;
  base = started.url;
  profile = mkdtempSync(join(tmpdir(), 'hotspot-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
    // The page then turns Leaflet's animations off: screenshots show settled maps.
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

/** Opens the map at `hash`, waits until every request has been answered; returns the page and its log. */
async function open(hash = '', viewport = { width: 1280, height: 800 }) {
  const page = await browser.newPage();
  await page.setViewportSize(viewport);
  const log = { requests: [], errors: [] };
  page.on('request', (r) => log.requests.push(r.url()));
  page.on('pageerror', (e) => log.errors.push(e.message));
  await page.goto(`${base}/${hash}`);
  await settled(page);
  return { page, log };
}

/** Waits for the map to have no request in flight. */
async function settled(page) {
  await page.waitForFunction(() => document.getElementById('map')?.getAttribute('aria-busy') === 'false', null, { timeout: 60_000 });
}

/** The last `/api/hotspots` request the page made, as a URL. */
function lastHotspotsUrl(log) {
  const urls = log.requests.filter((u) => new URL(u).pathname === '/api/hotspots');
  assert.ok(urls.length > 0, 'the page requested no hot spots');
  return new URL(urls[urls.length - 1]);
}

const signature = (fc) => fc.features.map((f) => `${f.properties.cell}:${f.properties.bin}`).sort().join(' ');

test('draws every ward and every hot spot cell the API returns, with no basemap requests', async () => {
  const { page, log } = await open();
  const wards = await api('/ogc/collections/wards/items?limit=10000');
  assert.ok(wards.features.length > 0, 'the demo has wards');
  assert.equal(await page.locator('path.ward').count(), wards.features.length);

  const url = lastHotspotsUrl(log);
  const cells = await api(url.pathname + url.search);
  assert.ok(cells.features.length > 0, 'the demo has hot spot cells');
  assert.equal(await page.locator('path.hotspot-cell').count(), cells.features.length);
  for (const b of BINS) {
    const expected = cells.features.filter((f) => f.properties.bin === b.bin).length;
    assert.equal(await page.locator(`path.hotspot-cell.bin${b.bin}`).count(), expected, `cells drawn in bin ${b.bin}`);
  }
  assert.ok(await page.locator('.legend').isVisible(), 'legend shown');
  assert.match(await page.locator('.legend').innerText(), /Hot spot 99 %/);
  assert.match(await page.locator('.leaflet-control-attribution').innerText(), /Open Government Licence v3\.0/);
  assert.doesNotMatch(await page.locator('.leaflet-control-attribution').innerText(), /OpenStreetMap/);
  assert.deepEqual(log.requests.filter((u) => u.includes('openstreetmap')), [], 'basemap is off by default');
  assert.deepEqual(log.errors, []);
  await page.screenshot({ path: join(SHOTS, 'map-default.png') });
  await page.close();
});

test('switching the weekly pattern to nte requests and draws a different set of cells', async () => {
  const { page, log } = await open();
  const before = await api(lastHotspotsUrl(log).pathname + lastHotspotsUrl(log).search);
  await page.selectOption('#preset', 'nte');
  await page.waitForFunction(() => window.location.hash.includes('preset=nte'));
  await settled(page);
  const url = lastHotspotsUrl(log);
  assert.equal(url.searchParams.get('preset'), 'nte');
  const nte = await api(url.pathname + url.search);
  assert.notEqual(signature(nte), signature(before), 'nte gives other cells or other bins than all hours');
  assert.equal(await page.locator('path.hotspot-cell').count(), nte.features.length);
  assert.equal(await page.locator('path.hotspot-cell.bin3').count(), nte.features.filter((f) => f.properties.bin === 3).length);
  assert.match(await page.locator('#status').innerText(), /Hot spots: /);
  await page.screenshot({ path: join(SHOTS, 'map-nte.png') });
  await page.close();
});

test('clicking a hot cell opens a popup with its count, z, bin in words and a monthly chart', async () => {
  const { page, log } = await open('#preset=nte');
  const url = lastHotspotsUrl(log);
  const fc = await api(url.pathname + url.search);
  const hottest = [...fc.features].filter((f) => f.properties.bin > 0).sort((a, b) => b.properties.z - a.properties.z)[0];
  assert.ok(hottest, 'the demo has a hot spot in the nte window');

  // Keyboard route: the "Hottest cells" list centres the map on the cell and opens its popup.
  const first = page.locator('#top-cells button').first();
  assert.equal(await first.getAttribute('data-cell'), hottest.properties.cell);
  await first.focus();
  await page.keyboard.press('Enter');
  await page.locator('.leaflet-popup .cell-popup').waitFor();
  await page.locator('.leaflet-popup').getByText('Incidents').first().waitFor();
  await page.keyboard.press('Escape');
  await page.locator('.leaflet-popup').waitFor({ state: 'detached' });

  // Pointer route: click the cell's polygon on the map (each path carries its H3 index as a class).
  await page.locator(`path.hotspot-cell.h3-${hottest.properties.cell}`).click();
  const popup = page.locator('.leaflet-popup .cell-popup');
  await popup.waitFor();
  const p = hottest.properties;
  const label = BINS.find((b) => b.bin === p.bin).label;
  assert.equal(await popup.locator('.cell code').innerText(), p.cell);
  assert.equal(await popup.locator('.bin-label').innerText(), label);
  assert.equal(await popup.locator('dd.count').innerText(), p.count.toLocaleString('en-GB', { maximumFractionDigits: 1 }));
  assert.equal(await popup.locator('dd.z').innerText(), p.z.toLocaleString('en-GB', { maximumFractionDigits: 2 }));

  const stats = await api(`/api/stats?by=month&cell=${p.cell}&preset=nte`);
  const chart = popup.locator('svg.chart');
  await chart.waitFor();
  const months = stats.rows.map((r) => r.month).sort();
  const [y0, m0] = months[0].split('-').map(Number);
  const [y1, m1] = months[months.length - 1].split('-').map(Number);
  assert.equal(await chart.locator('rect').count(), (y1 - y0) * 12 + (m1 - m0) + 1, 'one bar per month from first to last');
  const sum = stats.rows.reduce((a, r) => a + r.count, 0);
  assert.ok(Math.abs(sum - p.count) < 1e-6, `the monthly counts (${sum}) add up to the cell count (${p.count})`);
  await page.screenshot({ path: join(SHOTS, 'cell-popup.png') });
  await page.close();
});

test('ward figures: count, rate per 1,000 residents and the ASB trend against the 3 % target', async () => {
  const { page } = await open();
  const wards = await api('/ogc/collections/wards/items?limit=10000');
  const ward = wards.features[0].properties;
  await page.selectOption('#ward', [ward.code]);
  await settled(page);
  await page.locator('#ward-figures').focus();
  await page.keyboard.press('Enter');
  const popup = page.locator('.leaflet-popup .ward-popup');
  await popup.locator('.trend').waitFor();

  const byWard = await api('/api/stats?by=ward');
  const row = byWard.rows.find((r) => r.ward === ward.code);
  assert.ok(row, `a by=ward row for ${ward.code}`);
  assert.equal(await popup.locator('dd.count').innerText(), row.count.toLocaleString('en-GB'));
  assert.equal(await popup.locator('dd.population').innerText(), row.population.toLocaleString('en-GB'));
  assert.equal(await popup.locator('dd.rate').innerText(), row.rate_per_1000.toLocaleString('en-GB', { maximumFractionDigits: 1 }));
  assert.ok(Math.abs(row.rate_per_1000 - (1000 * row.count) / row.population) < 1e-6, 'rate = 1000 × count / population');

  const asb = await api(`/api/stats?by=month&ward=${ward.code}&category=asb`);
  const trend = yearlyChange(denseMonthly(asb.rows));
  const text = await popup.locator('.trend').innerText();
  if (trend.pct === null) assert.match(text, /No trend/);
  else {
    assert.ok(text.includes(`${trend.pct > 0 ? '+' : ''}${trend.pct.toLocaleString('en-GB', { maximumFractionDigits: 1 })} % a year`), text);
    assert.ok(text.includes(trend.onTrack ? ': on track' : 'not on track'), text);
  }
  assert.equal(await popup.locator('svg.chart rect').count(), denseMonthly(asb.rows).length);
  await page.screenshot({ path: join(SHOTS, 'ward-popup.png') });
  await page.keyboard.press('Escape');
  await popup.waitFor({ state: 'detached' });
  await page.close();
});

test('the OpenStreetMap basemap credits OSM only while on, and turns itself off quietly when tiles fail', async () => {
  // A 1×1 PNG stands in for the tiles (tests talk to loopback only).
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==', 'base64');
  const { page } = await open();
  await page.route('https://tile.openstreetmap.org/**', (r) => r.fulfill({ status: 200, contentType: 'image/png', body: png }));
  await page.locator('#layer-osm').check();
  await page.waitForFunction(() => window.location.hash.includes('osm'));
  await page.locator('.leaflet-tile-loaded').first().waitFor();
  assert.match(await page.locator('.leaflet-control-attribution').innerText(), /OpenStreetMap/);
  await page.emulateMedia({ media: 'print' });
  assert.match(await page.locator('#print-info').innerText(), /OpenStreetMap/);
  await page.emulateMedia({ media: 'screen' });
  await page.close();

  const failing = await browser.newPage();
  let tileRequests = 0;
  await failing.route('https://tile.openstreetmap.org/**', (r) => { tileRequests += 1; return r.abort('connectionrefused'); });
  await failing.goto(`${base}/#layers=osm,wards,hotspots`);
  await failing.waitForFunction(() => !document.getElementById('layer-osm').checked);
  assert.match(await failing.locator('#status').innerText(), /OpenStreetMap basemap could not be loaded/);
  assert.ok(!(await failing.evaluate(() => window.location.hash.includes('osm'))), 'the hash drops the basemap');
  assert.doesNotMatch(await failing.locator('.leaflet-control-attribution').innerText(), /OpenStreetMap/);
  const seen = tileRequests;
  await failing.waitForTimeout(1500);
  assert.equal(tileRequests, seen, 'no more tile requests once off');
  assert.ok(seen <= 64, `one screen of tiles at most (${seen})`);
  await failing.close();
});

test('emerging and density layers draw every cell the API returns, with their legends', async () => {
  const { page, log } = await open('#layers=wards,emerging,density');
  const last = (path) => {
    const urls = log.requests.filter((u) => new URL(u).pathname === path);
    assert.ok(urls.length > 0, `the page requested ${path}`);
    const u = new URL(urls[urls.length - 1]);
    return u.pathname + u.search;
  };
  const emergingUrl = last('/api/emerging');
  assert.match(emergingUrl, /step=month/);
  const emerging = await api(emergingUrl);
  const density = await api(last('/api/density'));
  assert.ok(emerging.features.length > 0 && density.features.length > 0);
  assert.equal(await page.locator('path.emerging-cell').count(), emerging.features.length);
  assert.equal(await page.locator('path.density-cell').count(), density.features.length);
  assert.equal(await page.locator('path.hotspot-cell').count(), 0, 'hot spot layer off');
  const legend = await page.locator('.legend').innerText();
  for (const pattern of new Set(emerging.features.map((f) => f.properties.pattern))) assert.ok(legend.includes(pattern), pattern);
  assert.match(legend, /per km²/);
  await page.screenshot({ path: join(SHOTS, 'emerging-density.png') });
  await page.close();
});

test('each view from the menu sets its layers and parameters', async () => {
  const { page, log } = await open();
  const button = page.locator('#view-button');
  const expectations = {
    patrol: { preset: 'evening', category: 'asb', resolution: '10', layer: 'incidents' },
    cctv: { preset: null, category: 'nte', resolution: '10', layer: 'cameras' },
    licensing: { preset: 'nte', category: 'nte', resolution: '10', layer: 'venues' },
  };
  for (const [view, want] of Object.entries(expectations)) {
    // The menu by keyboard: open with ArrowDown, move to the item, choose with Enter.
    await button.focus();
    await page.keyboard.press('ArrowDown');
    assert.equal(await button.getAttribute('aria-expanded'), 'true');
    const item = page.locator(`#view-list [data-view=${view}]`);
    while (!(await item.evaluate((el) => el === document.activeElement))) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    assert.equal(await button.getAttribute('aria-expanded'), 'false');
    await page.waitForFunction((v) => window.location.hash.includes(`view=${v}`), view);
    await settled(page);
    assert.equal(await item.getAttribute('aria-checked'), 'true');
    assert.ok(await page.locator(`#layer-${want.layer}`).isChecked(), `${view} shows ${want.layer}`);
    const url = lastHotspotsUrl(log);
    assert.equal(url.searchParams.get('preset'), want.preset, `${view} preset`);
    assert.deepEqual(url.searchParams.getAll('category'), [want.category], `${view} category`);
    assert.equal(url.searchParams.get('resolution'), want.resolution, `${view} resolution`);
    const cells = await api(url.pathname + url.search);
    assert.equal(await page.locator('path.hotspot-cell').count(), cells.features.length, `${view} cells drawn`);
    if (view === 'patrol') {
      assert.ok(log.requests.some((u) => /\/tiles\/incidents\/\d+\/\d+\/\d+\.geojson\?.*preset=evening/.test(u)), 'incident tiles requested with the window');
      assert.ok(await page.locator('.incident-cluster, path.incident').count() > 0, 'incidents drawn');
    }
    if (view === 'cctv') {
      const cameras = await api('/ogc/collections/cameras/items?limit=10000');
      assert.equal(await page.locator('.camera-icon').count(), cameras.features.length);
      assert.equal(await page.locator('path.camera-reach').count(), cameras.features.filter((f) => f.properties.radius_m > 0).length);
    }
    if (view === 'licensing') {
      const venues = await api('/ogc/collections/venues/items?limit=10000');
      assert.ok(venues.features.length > 0);
      assert.equal(await page.locator('.venue-icon').count(), venues.features.length);
    }
    await page.screenshot({ path: join(SHOTS, `view-${view}.png`) });
  }
  await page.close();
});

test('the URL holds the whole state: a reload and a fresh page restore it', async () => {
  const { page, log } = await open('#view=licensing&layers=wards,hotspots,venues&preset=nte&category=nte&resolution=10');
  await page.selectOption('#resolution', '8');
  await page.selectOption('#k', '2');
  await page.locator('#ward option').first().waitFor({ state: 'attached' });
  const code = await page.locator('#ward option').nth(1).getAttribute('value');
  await page.selectOption('#ward', [code]);
  await page.locator('#layer-density').check();
  await settled(page);
  await page.evaluate(() => window.scrollTo(0, 0));
  const map = page.locator('#map');
  const box = await map.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const fitted = await page.evaluate(() => window.location.hash.match(/map=([^&]+)/)?.[1] ?? '');
  await page.mouse.wheel(0, -300);
  await page.waitForFunction((old) => (window.location.hash.match(/map=([^&]+)/)?.[1] ?? '') !== old, fitted);
  await settled(page);
  const hash = await page.evaluate(() => window.location.hash);
  const beforeUrl = lastHotspotsUrl(log);
  assert.equal(beforeUrl.searchParams.get('resolution'), '8');
  assert.equal(beforeUrl.searchParams.get('k'), '2');
  assert.deepEqual(beforeUrl.searchParams.getAll('ward'), [code]);
  const centre = await page.evaluate(() => window.location.hash.match(/map=([^&]+)/)[1]);

  for (const fresh of [false, true]) {
    let p = page;
    let l = log;
    if (fresh) ({ page: p, log: l } = await open(hash));
    else {
      log.requests.length = 0;
      await page.reload();
      await settled(page);
    }
    assert.equal(await p.evaluate(() => window.location.hash), hash, 'hash unchanged by loading');
    assert.equal(await p.inputValue('#preset'), 'nte');
    assert.equal(await p.inputValue('#resolution'), '8');
    assert.equal(await p.inputValue('#k'), '2');
    assert.deepEqual(await p.locator('#ward').evaluate((s) => [...s.selectedOptions].map((o) => o.value)), [code]);
    assert.ok(await p.locator('#layer-density').isChecked());
    assert.ok(await p.locator('#layer-venues').isChecked());
    assert.equal(await p.locator('#view-name').innerText(), 'Licensing');
    const url = lastHotspotsUrl(l);
    assert.equal(url.search, beforeUrl.search, 'the same hot spot request');
    assert.ok(l.requests.some((u) => new URL(u).pathname === '/api/density'), 'density requested');
    assert.equal(await p.evaluate(() => window.location.hash.match(/map=([^&]+)/)[1]), centre, 'same centre and zoom');
    if (fresh) await p.close();
  }
  // Editing the hash by hand (or following an in-page link) applies it at once.
  await page.evaluate(() => { window.location.hash = '#preset=daytime&layers=wards,hotspots'; });
  await page.waitForFunction(() => document.getElementById('preset').value === 'daytime');
  await settled(page);
  assert.equal(lastHotspotsUrl(log).searchParams.get('preset'), 'daytime');
  assert.ok(!(await page.locator('#layer-venues').isChecked()));
  assert.equal(await page.locator('.venue-icon').count(), 0);
  await page.close();
});

test('an API error shows its description in the status line', async () => {
  const { page } = await open('#from=2024-13');
  const res = await fetch(`${base}/api/hotspots?from=2024-13&resolution=9&k=1&permutations=999&fdr=true&inference=analytic`);
  assert.equal(res.status, 400);
  const body = await res.json();
  assert.equal(body.parameter, 'from');
  const status = page.locator('#status[role=status]');
  assert.match(await status.innerText(), new RegExp(body.description.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  assert.equal(await page.getAttribute('#from', 'aria-invalid'), 'true');
  await page.close();
});

test('without Leaflet the page says what to do instead of failing silently', async () => {
  const page = await browser.newPage();
  await page.route('**/vendor/leaflet/leaflet.js', (r) => r.fulfill({ status: 404, contentType: 'application/json', body: '{"code":"not_found","description":"Leaflet is not installed"}' }));
  await page.goto(`${base}/`);
  await page.waitForFunction(() => /Leaflet\) did not load/.test(document.getElementById('status').textContent));
  assert.ok(await page.locator('#preset').isVisible(), 'the controls still render');
  await page.close();
});

test('axe finds no serious or critical accessibility problems, with the panel, menu and a popup open', async () => {
  for (const viewport of [{ width: 1280, height: 800 }, { width: 375, height: 740 }]) {
    const { page } = await open('#preset=nte', viewport);
    if (viewport.width < 700) await page.click('#panel-toggle');
    await page.click('#view-button');
    await page.addScriptTag({ path: AXE });
    const menu = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations);
    await page.keyboard.press('Escape');
    await page.locator('#top-cells button').first().click();
    await page.locator('.leaflet-popup svg.chart').waitFor();
    const popup = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations);
    const serious = [...menu, ...popup].filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`);
    assert.deepEqual(serious, [], `at ${viewport.width} px`);
    await page.close();
  }
});

test('at 375 px the panel collapses above a full-width map and every control is labelled', async () => {
  const { page } = await open('', { width: 375, height: 740 });
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 375), 'no sideways scrolling');
  const toggle = page.locator('#panel-toggle');
  assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
  assert.ok(!(await page.locator('#panel').isVisible()), 'panel collapsed at first');
  const map = await page.locator('#map').boundingBox();
  assert.ok(map.width >= 370 && map.height >= 300, `map ${map.width}×${map.height}`);
  assert.ok(await page.locator('path.hotspot-cell').count() > 0);
  await page.screenshot({ path: join(SHOTS, 'phone-map.png') });

  await toggle.focus();
  await page.keyboard.press('Enter');
  assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
  assert.ok(await page.locator('#panel').isVisible());
  const panel = await page.locator('#panel').boundingBox();
  assert.ok(panel.x >= 0 && panel.x + panel.width <= 375, 'panel within the screen');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 375), 'no sideways scrolling with the panel open');
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('#controls input, #controls select')]
    .filter((el) => el.labels.length === 0).map((el) => el.id));
  assert.deepEqual(unlabelled, []);
  // Keyboard: Tab from the toggle reaches the first control of the panel.
  const ids = [];
  for (let i = 0; i < 40 && !ids.includes('from'); i += 1) {
    await page.keyboard.press('Tab');
    ids.push(await page.evaluate(() => document.activeElement?.id));
  }
  assert.ok(ids.includes('from'), `Tab reaches the date field (went through ${ids.join(', ')})`);
  await page.screenshot({ path: join(SHOTS, 'phone-panel.png'), fullPage: true });
  await page.close();
});

test('print view: map, legend, parameters and the data attribution; exports hold the cells shown', async () => {
  const { page, log } = await open('#preset=nte');
  await page.emulateMedia({ media: 'print' });
  assert.ok(!(await page.locator('#panel').isVisible()), 'no controls on paper');
  assert.ok(await page.locator('#map').isVisible());
  assert.ok(await page.locator('.legend').isVisible());
  const info = await page.locator('#print-info').innerText();
  assert.match(info, /Contains public sector information licensed under the Open Government Licence v3\.0/);
  assert.match(info, /Night-time economy/);
  assert.doesNotMatch(info, /OpenStreetMap/, 'no OSM credit while its basemap is off');
  await page.screenshot({ path: join(SHOTS, 'print.png'), fullPage: true });
  await page.emulateMedia({ media: 'screen' });

  const url = lastHotspotsUrl(log);
  const fc = await api(url.pathname + url.search);
  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  const lines = readFileSync(await csv.path(), 'utf8').trimEnd().split('\r\n');
  assert.equal(lines[0], 'cell,count,z,p,p_sim,bin,bin_label,neighbours');
  assert.equal(lines.length, fc.features.length + 1);
  const [gj] = await Promise.all([page.waitForEvent('download'), page.click('#export-geojson')]);
  const exported = JSON.parse(readFileSync(await gj.path(), 'utf8'));
  assert.equal(signature(exported), signature(fc));
  await page.close();
});
