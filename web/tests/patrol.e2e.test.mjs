// The Patrol view's plan panel (patrol.js) against the real demo server in headless Chromium:
// what the page draws and lists is compared with what /api/patrol answers for the request the
// page made. Run from web/: `node --test tests/` (needs `cargo build` and Debian's `chromium`).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT, freePort, launchBrowser, startServer, stopServer } from './harness.mjs';

const SHOTS = join(ROOT, 'target', 'screenshots');

let server;
let base;
let chrome;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ({ child: server, url: base } = await startServer(await freePort()));
  chrome = await launchBrowser();
});

after(async () => {
  await chrome?.close();
  await stopServer(server);
});

/** Opens the map, chooses the Patrol view from the menu; returns the page and its request log. */
async function openPatrolView() {
  const page = await chrome.browser.newPage();
  const log = { requests: [], errors: [] };
  page.on('request', (r) => log.requests.push(r.url()));
  page.on('pageerror', (e) => log.errors.push(e.message));
  await page.goto(`${base}/`);
  await page.click('#view-button');
  await page.click('#view-list [data-view=patrol]');
  await page.waitForFunction(() => window.location.hash.includes('view=patrol'));
  await page.locator('#patrol-panel').waitFor({ state: 'visible' });
  await page.waitForFunction(() => document.querySelectorAll('#patrol-ward option').length > 0);
  return { page, log };
}

/** Fills the panel, plans, and waits for the answer (stops, or an error). */
async function planOn(page, { ward, shift }) {
  await page.selectOption('#patrol-ward', { label: ward });
  await page.fill('#patrol-shift', shift);
  const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/patrol');
  await page.click('#patrol-plan');
  await answered;
  await page.waitForFunction(() => document.getElementById('patrol-panel').getAttribute('aria-busy') === 'false');
}

function lastPatrolUrl(log) {
  const urls = log.requests.filter((u) => new URL(u).pathname === '/api/patrol');
  assert.ok(urls.length > 0, 'the page asked for no patrol plan');
  return new URL(urls[urls.length - 1]);
}

async function fetchRaw(path) {
  const res = await fetch(new URL(path, base));
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

test('the patrol panel draws and lists the plan the API answers, with its printable and GPX links', async () => {
  const { page, log } = await openPatrolView();
  await planOn(page, { ward: 'Charles Dickens', shift: 'fri 22:00-03:00' });
  const url = lastPatrolUrl(log);
  assert.equal(url.searchParams.get('format'), 'geojson');
  assert.equal(url.searchParams.get('shift'), 'fri 22:00-03:00');
  assert.equal(url.searchParams.get('ward'), 'E05002443');
  const answer = await fetchRaw(url.pathname + url.search);
  assert.equal(answer.status, 200);
  const fc = JSON.parse(answer.text);
  const stops = fc.features.filter((f) => f.properties.kind === 'stop');
  assert.ok(stops.length > 0, 'the demo plan has stops');

  // Map: one numbered marker per stop, in order, and one route line.
  const markers = await page.locator('.patrol-stop').allInnerTexts();
  assert.deepEqual(markers.map(Number), stops.map((f) => f.properties.order));
  assert.equal(await page.locator('path.patrol-route').count(), 1);

  // List: times, street and reason of each stop, in order.
  const items = await page.locator('#patrol-stops li').allInnerTexts();
  assert.equal(items.length, stops.length);
  stops.forEach((f, i) => {
    const p = f.properties;
    assert.ok(items[i].includes(`${p.arrive}–${p.depart}`), items[i]);
    assert.ok(items[i].includes(p.street), items[i]);
    assert.ok(items[i].includes(p.why), items[i]);
  });
  // The planted Guildhall Walk night-time hot spot is visited (fixtures/ground-truth.json).
  assert.ok(stops.some((f) => f.properties.street.includes('Guildhall Walk')));
  const summary = await page.locator('#patrol-summary').innerText();
  assert.ok(summary.startsWith(`${fc.summary.stops} stops, 22:00 to ${fc.summary.end}`), summary);
  assert.equal(await page.locator('#patrol-left-out li').count(), fc.summary.left_out);

  // Links: the same request as printable HTML and as GPX.
  const print = await page.locator('#patrol-print').getAttribute('href');
  const gpx = await page.locator('#patrol-gpx').getAttribute('href');
  const html = await fetchRaw(print);
  assert.equal(html.status, 200);
  assert.equal(html.type, 'text/html; charset=utf-8');
  assert.ok(html.text.includes('<svg'));
  for (const f of stops) assert.ok(html.text.includes(f.properties.street));
  assert.equal((html.text.match(/<tr><td class="num">/g) ?? []).length, stops.length);
  const file = await fetchRaw(gpx);
  assert.equal(file.status, 200);
  assert.equal(file.type, 'application/gpx+xml');
  assert.equal((file.text.match(/<wpt /g) ?? []).length, stops.length);

  assert.deepEqual(log.errors, []);
  await page.screenshot({ path: join(SHOTS, 'patrol.png') });
  await page.close();
});

test('a short shift lists what was left out; a bad shift shows the API error', async () => {
  const { page, log } = await openPatrolView();
  await planOn(page, { ward: 'Charles Dickens', shift: 'fri 22:00-22:30' });
  const url = lastPatrolUrl(log);
  const fc = JSON.parse((await fetchRaw(url.pathname + url.search)).text);
  assert.ok(fc.summary.left_out > 0, 'a 30-minute shift leaves visits out');
  assert.equal(await page.locator('#patrol-left-out li').count(), fc.left_out.length);
  const left = await page.locator('#patrol-left-out').innerText();
  for (const l of fc.left_out) assert.ok(left.includes(l.street), left);
  assert.equal(await page.locator('.patrol-stop').count(), fc.summary.stops);

  await planOn(page, { ward: 'Charles Dickens', shift: 'fry 22:00-03:00' });
  const bad = lastPatrolUrl(log);
  const answer = await fetchRaw(bad.pathname + bad.search);
  assert.equal(answer.status, 400);
  const error = JSON.parse(answer.text);
  assert.equal(error.parameter, 'shift');
  assert.equal(await page.locator('#patrol-error').innerText(), error.description);
  assert.equal(await page.locator('.patrol-stop').count(), 0, 'the old route is cleared');
  assert.deepEqual(log.errors, []);
  await page.close();
});
