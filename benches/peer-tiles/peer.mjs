// Peer side of hotspot's tile benchmark: geojson-vt (index + cut) and vt-pbf (MVT encoding).
//
// Usage: node peer.mjs DIR, where DIR holds `points.f64` (little-endian lon/lat pairs) and
// `tiles.json` ([[z, x, y], ...]) written by `HOTSPOT_PEER_DIR=DIR cargo bench --bench tiles`.
// Prints one JSON line with the same fields as the Rust side.
//
// Options: extent 4096, buffer 64, tolerance 3 (geojson-vt's defaults), maxZoom 16 so that
// zoom-16 tiles are cut at full detail (the default 14 would stop there), the default index
// (indexMaxZoom 5, indexMaxPoints 100000). No clustering.

import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {performance} from 'node:perf_hooks';
import geojsonvt from 'geojson-vt';
import vtpbf from 'vt-pbf';

const CATEGORIES = [
    'anti-social-behaviour', 'bicycle-theft', 'burglary', 'criminal-damage-arson', 'drugs',
    'other-crime', 'other-theft', 'possession-of-weapons', 'public-order', 'robbery',
    'shoplifting', 'theft-from-the-person', 'vehicle-crime', 'violent-crime',
];

const dir = process.argv[2];
if (!dir) {
    console.error('usage: node peer.mjs DIR');
    process.exit(2);
}
const buf = readFileSync(join(dir, 'points.f64'));
const coords = new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8);
const tiles = JSON.parse(readFileSync(join(dir, 'tiles.json'), 'utf8'));

// Input GeoJSON, built before the clock starts (the Rust side's Vec<TileFeature> is too).
const n = coords.length / 2;
const features = new Array(n);
for (let i = 0; i < n; i++) {
    features[i] = {
        type: 'Feature',
        geometry: {type: 'Point', coordinates: [coords[2 * i], coords[2 * i + 1]]},
        properties: {category: CATEGORIES[i % CATEGORIES.length]},
    };
}
const input = {type: 'FeatureCollection', features};

const options = {maxZoom: 16, tolerance: 3, extent: 4096, buffer: 64};
// CPU time (user + system, all of node's threads, so garbage collection counts), in ms.
const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e3;
};
const c0 = cpuMs();
const t0 = performance.now();
// geojson-vt 5 exports a class; older versions a factory. Both take (data, options).
const index = typeof geojsonvt === 'function' && geojsonvt.prototype && geojsonvt.prototype.getTile
    ? new geojsonvt(input, options)
    : geojsonvt(input, options);
const buildMs = performance.now() - t0;
const buildCpuMs = cpuMs() - c0;

const c1 = cpuMs();
const t1 = performance.now();
let nonempty = 0;
let nFeatures = 0;
let bytes = 0;
for (const [z, x, y] of tiles) {
    const tile = index.getTile(z, x, y);
    if (!tile || tile.features.length === 0) continue;
    nonempty += 1;
    nFeatures += tile.features.length;
    bytes += vtpbf.fromGeojsonVt({points: tile}, {version: 2, extent: 4096}).length;
}
const tilesMs = performance.now() - t1;
const tilesCpuMs = cpuMs() - c1;

console.log(JSON.stringify({
    side: 'geojson-vt+vt-pbf',
    points: n,
    tiles: tiles.length,
    nonempty,
    features: nFeatures,
    bytes,
    build_ms: buildMs,
    tiles_ms: tilesMs,
    build_cpu_ms: buildCpuMs,
    tiles_cpu_ms: tilesCpuMs,
}));
