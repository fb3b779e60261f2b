// Stacked incidents at street zoom against the REAL server (`hotspot serve --demo`) in headless
// Chromium: police.uk places many incidents on one anonymised map point, and the incidents tile
// draws them as one stack marker. The page's marker, popup and incident count are compared with
// the API's answer to the very tile request the page made. Run from web/: `node --test tests/`
// (needs `cargo build` first and Debian's `chromium`; `HOTSPOT_BIN`, `CHROMIUM` override).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, freePort, launchBrowser, startServer, stopServer } from './harness.mjs';

const SHOTS = join(ROOT, 'target', 'screenshots');

let server;
let base;
let chromium;

async function api(path) {
  const res = await fetch(`${base}${path}`);
  assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
  return res.json();
}

/** A number as the page prints it (en-GB, thousands separators). */
const shown = (text) => Number(text.replace(/,/g, ''));

/** The tile `{z, x, y}` holding a lon/lat (Web Mercator, as the server cuts them). */
function tileOf(lon, lat, z) {
  const n = 2 ** z;
  const x = Math.floor(((lon + 180) / 360) * n);
  const y = Math.floor(((1 - Math.asinh(Math.tan((lat * Math.PI) / 180)) / Math.PI) / 2) * n);
  return { z, x, y };
}

/** The position holding the most incidents, counted from every incident the API lists. */
async function busiestPoint() {
  const counts = new Map();
  for (let offset = 0; ; offset += 10000) {
    const page = await api(`/ogc/collections/incidents/items?limit=10000&offset=${offset}`);
    for (const f of page.features) {
      const key = f.geometry.coordinates.join(',');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    if (page.features.length < 10000) break;
  }
  const [key, n] = [...counts].sort((a, b) => b[1] - a[1])[0];
  const [lon, lat] = key.split(',').map(Number);
  return { lon, lat, n };
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ({ child: server, url: base } = await startServer(await freePort()));
  chromium = await launchBrowser();
});

after(async () => {
  await chromium?.close();
  await stopServer(server);
});

test('a stack of incidents at one point is one marker whose popup shows the tile\'s count, groups and months', async () => {
  const point = await busiestPoint();
  assert.ok(point.n >= 5, `the demo has a point holding several incidents (${point.n})`);
  const page = await chromium.browser.newPage();
  const requests = [];
  const errors = [];
  page.on('request', (r) => requests.push(new URL(r.url())));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/#layers=incidents&map=17/${point.lat}/${point.lon}`);
  await page.waitForFunction(() => document.querySelector('.incident-stack') && document.getElementById('map')?.getAttribute('aria-busy') === 'false', null, { timeout: 60_000 });

  // The page's request for the tile holding the point, and the API's answer to it.
  const { z, x, y } = tileOf(point.lon, point.lat, 17);
  const tileRequests = requests.filter((u) => /^\/tiles\/incidents\/17\/\d+\/\d+\.geojson$/.test(u.pathname));
  const mine = tileRequests.find((u) => u.pathname === `/tiles/incidents/${z}/${x}/${y}.geojson`);
  assert.ok(mine, `the page asked for tile ${z}/${x}/${y}`);
  const fc = await api(mine.pathname + mine.search);
  const distance = (f) => Math.hypot(f.geometry.coordinates[0] - point.lon, f.geometry.coordinates[1] - point.lat);
  const stack = fc.features.filter((f) => f.properties.stack).sort((a, b) => distance(a) - distance(b))[0];
  assert.ok(stack && distance(stack) < 1e-5, 'the tile holds a stack at the point');
  const p = stack.properties;
  assert.ok(p.count >= 2 && p.count <= point.n, `stack of ${p.count} (${point.n} at the point over all dates)`);
  assert.equal(fc.features.filter((f) => f.properties.cluster).length, 0, 'no clusters at street zoom');

  // The marker at the map's centre is the stack, labelled with its count.
  const centre = await page.locator('#map').evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
  });
  const boxes = await page.locator('.incident-stack').evaluateAll((els) => els.map((el) => {
    const r = el.getBoundingClientRect();
    return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
  }));
  const nearest = boxes.map((b, i) => [Math.hypot(b.x - centre.x, b.y - centre.y), i]).sort((a, b) => a[0] - b[0])[0];
  assert.ok(nearest[0] < 3, `a stack marker sits on the point (${nearest[0]} px away)`);
  const marker = page.locator('.incident-stack').nth(nearest[1]);
  assert.equal(shown(await marker.innerText()), p.count);

  await page.locator('#map').screenshot({ path: join(SHOTS, 'stack-map.png') });

  // Its popup: the count, the count per group and the month range of the tile's stack.
  await marker.dispatchEvent('click');
  const popup = page.locator('.leaflet-popup .stack-popup');
  await popup.waitFor();
  assert.equal(shown(await popup.locator('.stack-count').innerText()), p.count);
  const groups = await popup.locator('.stack-groups li').evaluateAll((lis) => lis.map((li) => `${li.dataset.group}:${li.querySelector('.count').textContent.replace(/,/g, '')}`));
  assert.equal(groups.join(','), p.groups);
  assert.equal(groups.reduce((a, g) => a + Number(g.split(':').at(-1)), 0), p.count, 'the groups add up to the count');
  const months = await popup.locator('dd.months').innerText();
  assert.ok(months.includes(p.first_month) && months.includes(p.last_month), months);
  // The link lists the incidents around the point (all dates: at least the stack's).
  const href = new URL(await popup.locator('a.stack-list').getAttribute('href'), base);
  const listed = await api(href.pathname + href.search);
  assert.ok(listed.features.length >= p.count, `${listed.features.length} listed`);
  await page.locator('.leaflet-popup').screenshot({ path: join(SHOTS, 'stack-popup.png') });

  // The status line counts stack members: the sum over the API's answers to the page's tiles.
  let expected = 0;
  for (const u of new Set(tileRequests.map((t) => t.pathname + t.search))) {
    for (const f of (await api(u)).features) expected += f.properties.stack || f.properties.cluster ? f.properties.count : 1;
  }
  const status = await page.locator('#status').innerText();
  const m = /([\d,]+) incidents in view/.exec(status);
  assert.ok(m, status);
  assert.equal(shown(m[1]), expected);
  assert.ok(expected > fc.features.length, 'stacks hold more incidents than markers');

  // A lone incident's popup shows what the tile carries (crime type, group, month, id).
  assert.ok(fc.features.some((f) => !f.properties.stack), 'the tile also holds lone incidents');
  await page.evaluate(() => document.querySelector('.leaflet-popup-close-button')?.click());
  await page.locator('path.incident').first().dispatchEvent('click');
  const text = await page.locator('.leaflet-popup .incident-popup').innerText();
  assert.match(text, /Month\s+\d{4}-\d{2}/);
  assert.match(text, /Id\s+\S+/);
  assert.doesNotMatch(text, /undefined/);
  assert.deepEqual(errors, []);
  await page.close();
});
