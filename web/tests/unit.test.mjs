// Unit tests of the page's pure modules (no browser, no server): `node --test tests/unit.test.mjs`.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  DEFAULTS, applyView, checkValue, defaults, describeWindow, hotspotParams, parseHash, toHash, windowParams,
} from '../state.js';
import { BINS, binInfo, densityBreaks, densityColour, DENSITY_COLOURS, esc, legendHtml } from '../symbology.js';
import { denseMonthly, monthRange, monthlyChartSvg } from '../chart.js';
import { yearlyChange } from '../trend.js';
import { cellsToCsv, exportName } from '../export.js';

test('a fresh page has the default state and an empty hash', () => {
  assert.deepEqual(parseHash(''), defaults());
  assert.equal(toHash(defaults()), '#');
});

test('the hash round-trips a full state', () => {
  const s = {
    ...defaults(),
    view: 'licensing',
    layers: ['osm', 'wards', 'venues'],
    from: '2024-01',
    to: '2024-06-30',
    preset: 'custom',
    days: ['fri', 'sat'],
    hours: '22:00-03:00',
    calendar: 'events',
    ward: ['E05002442', 'E05002443'],
    category: ['violence', 'public-order'],
    resolution: '10',
    k: '2',
    permutations: '99',
    fdr: 'false',
    inference: 'permutation',
    step: 'week',
    map: '15/50.79850/-1.09150',
  };
  const hash = toHash(s);
  assert.equal(hash, '#view=licensing&layers=osm,wards,venues&from=2024-01&to=2024-06-30&preset=custom&days=fri,sat&hours=22:00-03:00&calendar=events&ward=E05002442,E05002443&category=violence,public-order&resolution=10&k=2&permutations=99&fdr=false&inference=permutation&step=week&map=15/50.79850/-1.09150');
  assert.deepEqual(parseHash(hash), s);
});

test('malformed hash values fall back to the defaults', () => {
  const s = parseHash('#view=mayor&layers=wards,bogus&resolution=12&k=9&fdr=maybe&inference=x&step=year&calendar=xmas&map=abc&days=sun,funday,mon&preset=brunch&unknown=1');
  assert.equal(s.view, '');
  assert.deepEqual(s.layers, ['wards']);
  assert.equal(s.resolution, DEFAULTS.resolution);
  assert.equal(s.k, DEFAULTS.k);
  assert.equal(s.fdr, 'true');
  assert.equal(s.inference, 'analytic');
  assert.equal(s.step, 'month');
  assert.equal(s.calendar, '');
  assert.equal(s.map, '');
  assert.deepEqual(s.days, ['mon', 'sun'], 'known days, in week order');
  assert.equal(s.preset, '');
  assert.ok(!('unknown' in s));
});

test('views set their layers and parameters and keep the rest', () => {
  const s = { ...defaults(), from: '2024-01', ward: ['E05002451'] };
  const patrol = applyView(s, 'patrol');
  assert.equal(patrol.view, 'patrol');
  assert.deepEqual(patrol.layers, ['wards', 'hotspots', 'incidents']);
  assert.equal(patrol.preset, 'evening');
  assert.deepEqual(patrol.category, ['asb']);
  assert.equal(patrol.from, '2024-01');
  assert.deepEqual(patrol.ward, ['E05002451']);
  assert.equal(applyView(s, 'licensing').preset, 'nte');
  assert.deepEqual(applyView(s, 'cctv').layers, ['wards', 'hotspots', 'cameras']);
  assert.equal(applyView(s, 'nobody'), s);
  patrol.layers.push('venues');
  assert.deepEqual(applyView(s, 'patrol').layers, ['wards', 'hotspots', 'incidents'], 'views are not mutated');
});

test('API parameters: preset, or custom days and hours; repeatable wards and categories', () => {
  const s = { ...defaults(), from: '2024-01', to: '2024-12', preset: 'nte', ward: ['A', 'B'], category: ['asb', 'nte'] };
  assert.equal(windowParams(s).toString(), 'from=2024-01&to=2024-12&preset=nte&ward=A&ward=B&category=asb&category=nte');
  const custom = { ...s, preset: 'custom', days: ['fri'], hours: '20:00-04:00' };
  assert.equal(windowParams(custom, { omit: ['ward'], extra: { by: 'ward' } }).toString(), 'from=2024-01&to=2024-12&days=fri&hours=20%3A00-04%3A00&category=asb&category=nte&by=ward');
  assert.equal(hotspotParams(defaults()).toString(), 'resolution=9&k=1&permutations=999&fdr=true&inference=analytic');
  assert.equal(hotspotParams(defaults(), { emerging: true }).toString(), 'resolution=9&k=1&fdr=true&step=month');
});

test('form values are checked like the interface syntax', () => {
  for (const ok of ['', '2024-02', '2024-02-29', '2017-12-31']) assert.equal(checkValue('from', ok), '', ok);
  for (const bad of ['2024-13', '2024-1', '24-01', '2024-02-32', 'May']) assert.notEqual(checkValue('to', bad), '', bad);
  assert.equal(checkValue('hours', '20:00-04:00'), '');
  assert.notEqual(checkValue('hours', '25:00-04:00'), '');
  assert.notEqual(checkValue('hours', '20:00'), '');
  assert.equal(checkValue('permutations', '0'), '');
  assert.notEqual(checkValue('permutations', '10000'), '');
  assert.notEqual(checkValue('permutations', '-1'), '');
});

test('the window description reads as one line', () => {
  const s = { ...defaults(), from: '2024-01', preset: 'nte', category: ['nte'], calendar: 'bank-holidays' };
  assert.equal(describeWindow(s), '2024-01 to end; Night-time economy (Fri, Sat 20:00–04:00); bank-holiday nights only; categories nte; all wards; H3 resolution 9, k = 1');
});

test('bins map to the RdBu colours and labels; out-of-range bins read as not significant', () => {
  assert.equal(BINS.length, 7);
  assert.equal(binInfo(3).label, 'Hot spot 99 %');
  assert.equal(binInfo(-2).label, 'Cold spot 95 %');
  assert.equal(binInfo(3).colour, '#b2182b');
  assert.equal(binInfo(-3).colour, '#2166ac');
  assert.equal(binInfo(7).label, 'Not significant');
  assert.equal(binInfo(null).label, 'Not significant');
});

test('density classes come from quantiles of the positive values', () => {
  const values = [0, 0, ...Array.from({ length: 100 }, (_, i) => i + 1)];
  const breaks = densityBreaks(values);
  assert.deepEqual(breaks, [21, 41, 61, 81]);
  assert.equal(densityColour(1, breaks), DENSITY_COLOURS[0]);
  assert.equal(densityColour(21, breaks), DENSITY_COLOURS[0]);
  assert.equal(densityColour(22, breaks), DENSITY_COLOURS[1]);
  assert.equal(densityColour(100, breaks), DENSITY_COLOURS[4]);
  assert.deepEqual(densityBreaks([0, 0]), []);
  assert.deepEqual(densityBreaks([5, 5, 5]), [], 'one value: one class');
});

test('the legend lists the shown layers with their counts, and escapes text', () => {
  const html = legendHtml({ layers: ['hotspots', 'emerging'], binCounts: { 3: 2, 0: 10 }, patternCounts: { 'New Hot Spot': 1 } });
  assert.match(html, /Hot spot 99 % \(2\)/);
  assert.match(html, /Not significant \(10\)/);
  assert.match(html, /Cold spot 99 % \(0\)/);
  assert.match(html, /New Hot Spot \(1\)/);
  assert.doesNotMatch(html, /Persistent Cold Spot/, 'patterns with no cells are left out');
  assert.equal(legendHtml({ layers: ['wards'] }), '');
  const incidents = legendHtml({ layers: ['incidents'] });
  assert.match(incidents, /Cluster \(number = incidents\): zoom in/);
  assert.match(incidents, /Stack \(number = incidents at one map point\)/);
  assert.equal(esc('<a href="x">&\'</a>'), '&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;');
});

test('monthly series are dense from the first to the last month', () => {
  assert.deepEqual(monthRange('2023-11', '2024-02'), ['2023-11', '2023-12', '2024-01', '2024-02']);
  assert.deepEqual(denseMonthly([{ month: '2024-03', count: 2 }, { month: '2024-01', count: 5 }, { month: 'bad', count: 9 }]), [
    { month: '2024-01', count: 5 }, { month: '2024-02', count: 0 }, { month: '2024-03', count: 2 },
  ]);
  assert.deepEqual(denseMonthly([]), []);
});

test('the chart has one bar per month, scaled to the peak, and says what it shows', () => {
  const svg = monthlyChartSvg([{ month: '2024-01', count: 4 }, { month: '2024-02', count: 0 }, { month: '2024-03', count: 8 }], { title: 'ASB', width: 100, height: 50 });
  const heights = [...svg.matchAll(/<rect [^>]*height="([\d.]+)"/g)].map((m) => Number(m[1]));
  assert.deepEqual(heights, [10, 0, 20], 'plot height 20 px: 4/8 → 10, 0 → 0, 8/8 → 20');
  assert.match(svg, /role="img" aria-label="ASB, 2024-01 to 2024-03: 12 in all, most 8 in 2024-03"/);
  assert.match(monthlyChartSvg([]), /no incidents/);
});

test('yearly change: year on year with 24 months, a fitted line with 6–23, none below 6', () => {
  const months = (counts) => counts.map((count, i) => ({ month: `m${i}`, count }));
  const yoy = yearlyChange(months([...Array(12).fill(10), ...Array(12).fill(9)]));
  assert.ok(Math.abs(yoy.pct - -10) < 1e-9);
  assert.equal(yoy.onTrack, true);
  assert.match(yoy.method, /108 vs 120/);
  // A line from 10 falling 0.1 a month: mean 9.45 over 12 months → 12 × −0.1 / 9.45 = −12.698… %.
  const line = yearlyChange(months(Array.from({ length: 12 }, (_, i) => 10 - 0.1 * i)));
  assert.ok(Math.abs(line.pct - (-1.2 / 9.45) * 100) < 1e-9);
  const flat = yearlyChange(months(Array(8).fill(5)));
  assert.equal(flat.pct, 0);
  assert.equal(flat.onTrack, false, '0 % is not 3 % fewer');
  const rising = yearlyChange(months([...Array(12).fill(100), ...Array(12).fill(98)]));
  assert.ok(Math.abs(rising.pct - -2) < 1e-9);
  assert.equal(rising.onTrack, false, '−2 % misses the −3 % target');
  assert.equal(yearlyChange(months([1, 2, 3])).pct, null);
  assert.match(yearlyChange(months([1, 2, 3])).reason, /only 3 months/);
  assert.equal(yearlyChange(months(Array(7).fill(0))).reason, 'no reports in the window');
});

test('CSV export: header, one row per cell, quoting, bin labels, empty p_sim', () => {
  const fc = {
    type: 'FeatureCollection',
    features: [
      { properties: { cell: '89195da49b7ffff', count: 12, z: 3.1, p: 0.0019, p_sim: null, bin: 3, neighbours: 7 } },
      { properties: { cell: 'x,"y"', count: 0, z: -0.5, p: 0.6, p_sim: 0.4, bin: 0, neighbours: 4 } },
    ],
  };
  assert.equal(cellsToCsv(fc), 'cell,count,z,p,p_sim,bin,bin_label,neighbours\r\n89195da49b7ffff,12,3.1,0.0019,,3,Hot spot 99 %,7\r\n"x,""y""",0,-0.5,0.6,0.4,0,Not significant,4\r\n');
  assert.equal(exportName({ ...defaults(), from: '2024-01', to: '2024-12', preset: 'nte' }, 'csv'), 'hotspots-2024-01_2024-12-nte-res9.csv');
});
