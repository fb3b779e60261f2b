// The hotspot web map: a side panel of controls, a Leaflet map, a status line. The URL hash holds
// the whole state (state.js); every change goes: form → state → hash → requests → layers.
//
// Data flow:
// 1. On load, the hash is parsed into the state and written into the form.
// 2. Wards are fetched once (base layer, ward list); venues and cameras when first shown.
// 3. Each shown analysis layer (hot spots, emerging, density) is fetched with the state's
//    parameters; a request already answered for the same URL is not repeated, and a newer request
//    aborts an older one for the same layer.
// 4. Incidents come as GeoJSON tiles for the visible area (clusters at low zoom, stacks of
//    incidents at one point at street zoom).
// 5. The status line (role=status) reports counts, warnings and API errors (their `description`).

import {
  DAYS, GROUPS, LAYERS, PRESETS, VIEWS, applyView, checkValue, densityParams, describeWindow,
  hotspotParams, mapPosition, parseHash, parseMapPosition, toHash, windowParams,
} from './state.js';
import {
  BINS, binInfo, densityBreaks, densityColour, esc, fmt, fmtP, legendHtml, patternColour,
} from './symbology.js';
import { denseMonthly, monthlyChartSvg } from './chart.js';
import { TARGET_PCT_PER_YEAR, yearlyChange } from './trend.js';
import { cellsToCsv, exportName } from './export.js';
import { createPatrolPanel } from './patrol.js';
import { showTargets } from './targets.js';
import { mountPurpleFlag } from './purpleflag.js';
import { setupLicensing, showVenueReview, updateLicensing } from './licensing.js';
import { createCctvPanel } from './cctv.js';

const OGL = 'Contains public sector information licensed under the Open Government Licence v3.0';
const OSM_ATTRIBUTION = '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors';
/** Tile errors (with no tile loaded) after which the basemap turns itself off. */
const OSM_MAX_ERRORS = 4;
/** Most incident tiles fetched for one view (a large screen at a fractional zoom needs ~30). */
const MAX_TILES = 64;
const PORTSMOUTH = { lat: 50.81, lon: -1.07, zoom: 12 };

const $ = (id) => document.getElementById(id);

let state = parseHash(window.location.hash);
let map = null;
/** Leaflet layers by id (state.js LAYERS), plus `outline` (ward boundaries above the cells). */
const layers = {};
/** Last data per layer: `{url, data}`. */
const loaded = {};
/** In-flight requests per layer. */
const inflight = {};
const messages = {};
let pending = 0;
/** The Patrol view's plan panel (patrol.js), made with the map. */
let patrol = null;
/** The CCTV view's camera siting panel (cctv.js). */
let cctvPanel = null;

/** An API error: the server's `description` and the `parameter` at fault. */
class ApiError extends Error {
  constructor(description, parameter) {
    super(description);
    this.parameter = parameter ?? null;
  }
}

async function fetchJson(url, signal) {
  const res = await fetch(url, { signal, headers: { Accept: 'application/geo+json, application/json' } });
  if (!res.ok) {
    let body = null;
    try { body = await res.json(); } catch { /* not JSON: use the status */ }
    throw new ApiError(body?.description ?? `${res.status} ${res.statusText} for ${new URL(url, window.location.href).pathname}`, body?.parameter);
  }
  return res.json();
}

function setBusy(delta) {
  pending = Math.max(0, pending + delta);
  $('map').setAttribute('aria-busy', pending > 0 ? 'true' : 'false');
  if (pending > 0) $('status').textContent = 'Loading…';
  else renderStatus();
}

/** Status line order: errors first, then layers in drawing order, then the rest. */
const MESSAGE_ORDER = ['hotspots', 'emerging', 'density', 'incidents', 'venues', 'cameras', 'osm', 'ward', 'export'];

function renderStatus() {
  const rank = (k) => (k.startsWith('error:') ? -1 : MESSAGE_ORDER.indexOf(k));
  const parts = Object.keys(messages).sort((a, b) => rank(a) - rank(b)).map((k) => messages[k]).filter(Boolean);
  $('status').textContent = parts.length ? parts.join(' ') : 'Ready.';
  $('status').classList.toggle('error', Object.keys(messages).some((k) => k.startsWith('error:') && messages[k]));
}

function setMessage(key, text) {
  messages[key] = text;
  if (pending === 0) renderStatus();
}

// ---------------------------------------------------------------- form

function buildForm() {
  $('days').innerHTML = DAYS.map((d) => `<span class="check"><input type="checkbox" id="day-${d}" name="days" value="${d}"><label for="day-${d}">${d[0].toUpperCase()}${d.slice(1)}</label></span>`).join('');
  $('categories').innerHTML = GROUPS.map((g) => `<span class="check"><input type="checkbox" id="cat-${g.slug}" name="category" value="${g.slug}"><label for="cat-${g.slug}">${esc(g.label)}</label></span>`).join('');
  $('layers').innerHTML = LAYERS.map((l) => `<span class="check"><input type="checkbox" id="layer-${l.id}" name="layers" value="${l.id}"><label for="layer-${l.id}">${esc(l.label)}</label></span>`).join('');
}

function writeForm() {
  for (const key of ['from', 'to', 'hours', 'permutations']) $(key).value = state[key];
  for (const key of ['preset', 'calendar', 'resolution', 'k', 'inference', 'step']) $(key).value = state[key];
  $('fdr').checked = state.fdr === 'true';
  for (const d of DAYS) $(`day-${d}`).checked = state.days.includes(d);
  for (const g of GROUPS) $(`cat-${g.slug}`).checked = state.category.includes(g.slug);
  for (const l of LAYERS) $(`layer-${l.id}`).checked = state.layers.includes(l.id);
  for (const o of $('ward').options) o.selected = state.ward.includes(o.value);
  syncCustomPattern();
  const view = VIEWS[state.view];
  $('view-name').textContent = view ? view.label : 'Overview';
  $('view-description').textContent = view ? `${view.label} view for ${view.who}: ${view.description}` : 'Choose a view for your role from the View menu, or set the controls below.';
  for (const item of document.querySelectorAll('#view-list [role=menuitemradio]')) {
    item.setAttribute('aria-checked', String(item.dataset.view === state.view));
  }
}

/** Shows the preset's days and hours in the custom fields (read-only) unless the pattern is custom. */
function syncCustomPattern() {
  const custom = state.preset === 'custom';
  const preset = PRESETS[state.preset];
  $('custom-pattern').disabled = !custom;
  if (!custom) {
    for (const d of DAYS) $(`day-${d}`).checked = preset ? preset.days.includes(d) : true;
    $('hours').value = preset ? preset.hours : '';
  }
}

function readForm() {
  const checked = (name) => [...document.querySelectorAll(`#controls input[name=${name}]:checked`)].map((i) => i.value);
  const next = {
    ...state,
    from: $('from').value.trim(),
    to: $('to').value.trim(),
    preset: $('preset').value,
    calendar: $('calendar').value,
    resolution: $('resolution').value,
    k: $('k').value,
    permutations: $('permutations').value.trim(),
    inference: $('inference').value,
    step: $('step').value,
    fdr: $('fdr').checked ? 'true' : 'false',
    ward: [...$('ward').selectedOptions].map((o) => o.value),
    category: checked('category'),
    layers: LAYERS.map((l) => l.id).filter((id) => $(`layer-${id}`).checked),
  };
  if (next.preset === 'custom') {
    next.days = checked('days');
    next.hours = $('hours').value.trim();
  } else {
    next.days = [];
    next.hours = '';
  }
  return next;
}

/** Marks invalid fields; returns whether all are valid. */
function validate(next) {
  let ok = true;
  for (const key of ['from', 'to', 'hours', 'permutations']) {
    const problem = checkValue(key, next[key]);
    $(key).setAttribute('aria-invalid', problem ? 'true' : 'false');
    if (problem) {
      ok = false;
      setMessage('error:form', `Check the form: ${problem}.`);
    }
  }
  if (ok) setMessage('error:form', '');
  return ok;
}

function onFormChange(event) {
  if (event.target.name === 'preset') {
    state = { ...state, preset: $('preset').value };
    syncCustomPattern();
  }
  const next = readForm();
  if (!validate(next)) return;
  commit(next);
}

/** Adopts a new state: hash, form, layers, requests. */
function commit(next, { form = false } = {}) {
  state = next;
  const hash = toHash(state);
  if (hash !== window.location.hash) window.history.replaceState(null, '', hash || '#');
  if (form) writeForm();
  else {
    const view = VIEWS[state.view];
    $('view-name').textContent = view ? view.label : 'Overview';
  }
  refresh();
  syncDecisionPanels();
}

/** Plan targets in the Overview and Licensing views; the Purple Flag scorecard in Licensing. */
function syncDecisionPanels() {
  $('targets').hidden = Boolean(VIEWS[state.view]) && state.view !== 'licensing';
  $('purple-flag').hidden = state.view !== 'licensing' || !map;
  if (!$('targets').hidden && !$('targets').dataset.requested) {
    $('targets').dataset.requested = 'true';
    showTargets($('targets'), fetchJson);
  }
}

// ---------------------------------------------------------------- view menu

function setupViewMenu() {
  const button = $('view-button');
  const list = $('view-list');
  const items = () => [...list.querySelectorAll('[role=menuitemradio]')];
  const open = (focusLast = false) => {
    list.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    const all = items();
    const current = all.find((i) => i.dataset.view === state.view);
    (current ?? (focusLast ? all[all.length - 1] : all[0])).focus();
  };
  const close = (refocus = true) => {
    list.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    if (refocus) button.focus();
  };
  button.addEventListener('click', () => (list.hidden ? open() : close()));
  button.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') { e.preventDefault(); open(); }
    if (e.key === 'ArrowUp') { e.preventDefault(); open(true); }
  });
  list.addEventListener('keydown', (e) => {
    const all = items();
    const i = all.indexOf(document.activeElement);
    const go = (j) => { e.preventDefault(); all[(j + all.length) % all.length].focus(); };
    if (e.key === 'ArrowDown') go(i + 1);
    else if (e.key === 'ArrowUp') go(i - 1);
    else if (e.key === 'Home') go(0);
    else if (e.key === 'End') go(all.length - 1);
    else if (e.key === 'Escape') { e.preventDefault(); close(); }
    else if (e.key === 'Tab') close(false);
  });
  list.addEventListener('click', (e) => {
    const item = e.target.closest('[data-view]');
    if (!item) return;
    close();
    commit(applyView(state, item.dataset.view), { form: true });
  });
  document.addEventListener('click', (e) => {
    if (!list.hidden && !e.target.closest('.view-menu')) close(false);
  });
}

// ---------------------------------------------------------------- map and layers

function setupMap() {
  // Honour "reduce motion" (WCAG 2.3.3): no fading or zoom animations.
  const still = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
  map = L.map('map', { zoomSnap: 1, keyboard: true, fadeAnimation: !still, zoomAnimation: !still, markerZoomAnimation: !still });
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  const panes = { wardsPane: 350, densityPane: 390, emergingPane: 410, outlinePane: 450, reachPane: 455, pointsPane: 620 };
  for (const [name, z] of Object.entries(panes)) map.createPane(name).style.zIndex = String(z);
  map.getPane('outlinePane').style.pointerEvents = 'none';
  map.getPane('reachPane').style.pointerEvents = 'none';

  const pos = parseMapPosition(state.map);
  if (pos) map.setView([pos.lat, pos.lon], pos.zoom);
  else map.setView([PORTSMOUTH.lat, PORTSMOUTH.lon], PORTSMOUTH.zoom);

  layers.osm = makeOsmLayer();
  layers.wards = L.geoJSON(null, {
    pane: 'wardsPane',
    attribution: OGL,
    style: { className: 'ward', color: '#555', weight: 1, fillColor: '#ffffff', fillOpacity: 0.05 },
    onEachFeature: (f, layer) => {
      layer.bindTooltip(esc(f.properties.name ?? f.properties.code), { sticky: true, className: 'ward-tip' });
      layer.on('click', (e) => openWardPopup(f.properties, e.latlng));
    },
  });
  layers.outline = L.geoJSON(null, {
    pane: 'outlinePane',
    interactive: false,
    style: { className: 'ward-outline', color: '#333', weight: 1.5, fill: false },
  });
  layers.hotspots = L.geoJSON(null, {
    style: (f) => {
      const b = binInfo(f.properties.bin);
      return { className: `hotspot-cell bin${b.bin} h3-${String(f.properties.cell).replace(/[^0-9a-z]/gi, '')}`, color: '#666', weight: 0.4, fillColor: b.colour, fillOpacity: b.bin === 0 ? 0.2 : 0.75 };
    },
    onEachFeature: (f, layer) => layer.on('click', () => openCellPopup(layer, f.properties, 'hotspot')),
  });
  layers.emerging = L.geoJSON(null, {
    pane: 'emergingPane',
    style: (f) => ({ className: 'emerging-cell', color: '#666', weight: 0.4, fillColor: patternColour(f.properties.pattern), fillOpacity: f.properties.pattern === 'No Pattern Detected' ? 0.1 : 0.75 }),
    onEachFeature: (f, layer) => layer.on('click', () => openCellPopup(layer, f.properties, 'emerging')),
  });
  layers.density = L.geoJSON(null, {
    pane: 'densityPane',
    style: { className: 'density-cell', weight: 0, fillOpacity: 0.6 },
    onEachFeature: (f, layer) => layer.bindPopup(`<p><strong>${fmt(f.properties.density_km2, 1)}</strong> incidents per km² over the window.</p>`),
  });
  // Ward names as labels from zoom 13 (readable on screen and on paper); hover tooltips below that.
  layers.wardLabels = L.layerGroup();
  layers.incidents = L.layerGroup();
  layers.venues = L.layerGroup();
  layers.cameras = L.layerGroup();

  layers.legend = L.control({ position: 'bottomright' });
  layers.legend.onAdd = () => {
    const div = L.DomUtil.create('details', 'legend');
    div.open = window.innerWidth > 700;
    div.innerHTML = '<summary>Legend</summary><div id="legend-body"></div>';
    L.DomEvent.disableClickPropagation(div);
    return div;
  };
  layers.legend.addTo(map);
  layers.outline.addTo(map);
  setupLicensing(map);

  map.on('moveend', () => {
    const c = map.getCenter();
    const position = mapPosition(map.getZoom(), c.lat, c.lng);
    if (position !== state.map) {
      state = { ...state, map: position };
      window.history.replaceState(null, '', toHash(state));
    }
    if (state.layers.includes('incidents')) updateIncidentTiles();
    updateWardLabels();
  });
}

const LABEL_MIN_ZOOM = 13;

function updateWardLabels() {
  const on = state.layers.includes('wards') && map.getZoom() >= LABEL_MIN_ZOOM;
  if (on && layers.wardLabels.getLayers().length === 0) {
    layers.wards.eachLayer((layer) => {
      const name = layer.feature.properties.name ?? layer.feature.properties.code;
      L.tooltip({ permanent: true, direction: 'center', className: 'ward-label', interactive: false })
        .setLatLng(layer.getCenter())
        .setContent(esc(name))
        .addTo(layers.wardLabels);
    });
  }
  showLayer('wardLabels', on);
}

function makeOsmLayer() {
  const layer = L.tileLayer('https://tile.openstreetmap.org/{z}/{x}/{y}.png', { attribution: OSM_ATTRIBUTION, maxZoom: 19 });
  let errors = 0;
  let loadedTiles = 0;
  layer.on('tileload', () => { loadedTiles += 1; });
  layer.on('tileerror', () => {
    errors += 1;
    if (loadedTiles === 0 && errors >= OSM_MAX_ERRORS && map.hasLayer(layer)) {
      // Quietly off: remove the layer (Leaflet stops requesting), untick the box, say why once.
      commit({ ...state, layers: state.layers.filter((l) => l !== 'osm') }, { form: true });
      setMessage('osm', 'The OpenStreetMap basemap could not be loaded, so it is off.');
    }
  });
  layer.on('add', () => { errors = 0; loadedTiles = 0; });
  return layer;
}

function showLayer(id, on) {
  const layer = layers[id];
  if (on && !map.hasLayer(layer)) layer.addTo(map);
  if (!on && map.hasLayer(layer)) map.removeLayer(layer);
}

/** Brings the map's layers and data in line with the state. */
function refresh() {
  if (!map) return;
  for (const { id } of LAYERS) showLayer(id, state.layers.includes(id));
  $('print-osm').hidden = !state.layers.includes('osm');
  if (!state.layers.includes('osm')) setMessage('osm', '');
  if (state.layers.includes('hotspots')) loadLayer('hotspots', `/api/hotspots?${hotspotParams(state)}`, drawHotspots);
  else { abort('hotspots'); setMessage('hotspots', ''); }
  if (state.layers.includes('emerging')) loadLayer('emerging', `/api/emerging?${hotspotParams(state, { emerging: true })}`, drawEmerging);
  else { abort('emerging'); setMessage('emerging', ''); }
  if (state.layers.includes('density')) loadLayer('density', `/api/density?${densityParams(state)}`, drawDensity);
  else { abort('density'); setMessage('density', ''); }
  if (state.layers.includes('venues')) loadLayer('venues', '/ogc/collections/venues/items?limit=10000', drawVenues);
  else setMessage('venues', '');
  if (state.layers.includes('cameras')) loadLayer('cameras', '/ogc/collections/cameras/items?limit=10000', drawCameras);
  else setMessage('cameras', '');
  if (state.layers.includes('incidents')) updateIncidentTiles();
  else clearIncidentTiles();
  updateWardLabels();
  if (!state.layers.includes('hotspots')) $('top-cells').innerHTML = '<li>Turn on the hot spot layer to list cells.</li>';
  updateLicensing(state);
  renderLegend();
  updatePrintInfo();
  patrol?.update(state);
  cctvPanel?.update(state);
}

function abort(id) {
  inflight[id]?.abort();
  delete inflight[id];
}

/** Fetches `url` for layer `id` unless it is the data already shown, then draws it. */
async function loadLayer(id, url, draw) {
  if (loaded[id]?.url === url) return;
  if (inflight[id]?.url === url) return;
  abort(id);
  const controller = new AbortController();
  controller.url = url;
  inflight[id] = controller;
  setBusy(1);
  try {
    const data = await fetchJson(url, controller.signal);
    if (inflight[id] !== controller) return;
    loaded[id] = { url, data };
    setMessage(`error:${id}`, '');
    draw(data);
  } catch (err) {
    if (err.name === 'AbortError') return;
    if (inflight[id] !== controller) return;
    loaded[id] = null;
    layers[id]?.clearLayers?.();
    if (id === 'hotspots') $('top-cells').innerHTML = '<li>Hot spots unavailable (see the status line).</li>';
    renderLegend();
    const field = err.parameter && document.getElementById(err.parameter);
    if (field) field.setAttribute('aria-invalid', 'true');
    setMessage(`error:${id}`, `${LAYERS.find((l) => l.id === id)?.label ?? id}: ${err.message}`);
    setMessage(id, '');
  } finally {
    if (inflight[id] === controller) delete inflight[id];
    setBusy(-1);
  }
}

function summaryLine(fc, noun) {
  const s = fc.summary ?? {};
  const parts = [];
  if (Number.isFinite(s.total)) parts.push(`${fmt(s.total)} incidents in the window`);
  if (s.left_out_month_only > 0) parts.push(`${fmt(s.left_out_month_only)} month-only rows left out (no day or time)`);
  const warnings = Array.isArray(s.warnings) ? s.warnings : [];
  return `${noun}${parts.length ? `; ${parts.join('; ')}` : ''}.${warnings.map((w) => ` Warning: ${w}`).join('')}`;
}

function drawHotspots(fc) {
  layers.hotspots.clearLayers();
  layers.hotspots.addData(fc);
  const counts = {};
  for (const f of fc.features) counts[binInfo(f.properties.bin).bin] = (counts[binInfo(f.properties.bin).bin] ?? 0) + 1;
  const hot = (counts[3] ?? 0) + (counts[2] ?? 0) + (counts[1] ?? 0);
  const cold = (counts[-3] ?? 0) + (counts[-2] ?? 0) + (counts[-1] ?? 0);
  setMessage('hotspots', summaryLine(fc, `Hot spots: ${fmt(fc.features.length)} cells, ${fmt(hot)} hot (99 %: ${fmt(counts[3] ?? 0)}), ${fmt(cold)} cold`));
  renderTopCells(fc);
  renderLegend();
  updatePrintInfo();
}

function drawEmerging(fc) {
  layers.emerging.clearLayers();
  layers.emerging.addData(fc);
  const emerging = fc.features.filter((f) => f.properties.pattern && f.properties.pattern !== 'No Pattern Detected').length;
  setMessage('emerging', summaryLine(fc, `Emerging: ${fmt(emerging)} of ${fmt(fc.features.length)} cells with a pattern`));
  renderLegend();
}

function drawDensity(fc) {
  const breaks = densityBreaks(fc.features.map((f) => f.properties.density_km2));
  layers.density.clearLayers();
  layers.density.addData(fc);
  layers.density.eachLayer((layer) => layer.setStyle({ fillColor: densityColour(layer.feature.properties.density_km2, breaks), fillOpacity: layer.feature.properties.density_km2 > 0 ? 0.6 : 0 }));
  loaded.density.breaks = breaks;
  setMessage('density', summaryLine(fc, `Density: ${fmt(fc.features.length)} cells`));
  renderLegend();
}

function divIcon(className, html = '', size = 14) {
  return L.divIcon({ className, html, iconSize: [size, size] });
}

function drawVenues(fc) {
  layers.venues.clearLayers();
  for (const f of fc.features) {
    const p = f.properties;
    const [lon, lat] = f.geometry.coordinates;
    const hours = p.opens && p.closes ? `${esc(p.opens)}–${esc(p.closes)}` : 'hours not given';
    L.marker([lat, lon], { icon: divIcon('venue-icon', '<span></span>'), title: `${p.name} (${p.kind})`, alt: p.name, pane: 'pointsPane' })
      .bindPopup(`<h3>${esc(p.name)}</h3><p>${esc(p.kind)}, ${hours}</p>`)
      .on('click', () => showVenueReview(p.id))
      .addTo(layers.venues);
  }
  setMessage('venues', `${fmt(fc.features.length)} venue${fc.features.length === 1 ? '' : 's'}.`);
}

function drawCameras(fc) {
  layers.cameras.clearLayers();
  for (const f of fc.features) {
    const p = f.properties;
    const [lon, lat] = f.geometry.coordinates;
    const radius = Number(p.radius_m) || 0;
    if (radius > 0) L.circle([lat, lon], { radius, pane: 'reachPane', interactive: false, className: 'camera-reach', color: '#1b7837', weight: 1.5, fillOpacity: 0.08 }).addTo(layers.cameras);
    L.marker([lat, lon], { icon: divIcon('camera-icon'), title: `Camera ${p.id} (${p.kind})`, alt: `Camera ${p.id}`, pane: 'pointsPane' })
      .bindPopup(`<h3>Camera ${esc(p.id)}</h3><p>${esc(p.kind ?? '')}, reach ${fmt(radius)} m</p>`)
      .addTo(layers.cameras);
  }
  setMessage('cameras', `${fmt(fc.features.length)} camera${fc.features.length === 1 ? '' : 's'}.`);
}

function renderLegend() {
  const body = document.getElementById('legend-body');
  if (!body) return;
  const binCounts = {};
  for (const f of loaded.hotspots?.data?.features ?? []) binCounts[binInfo(f.properties.bin).bin] = (binCounts[binInfo(f.properties.bin).bin] ?? 0) + 1;
  const patternCounts = {};
  for (const f of loaded.emerging?.data?.features ?? []) patternCounts[f.properties.pattern] = (patternCounts[f.properties.pattern] ?? 0) + 1;
  body.innerHTML = legendHtml({
    layers: state.layers,
    binCounts: loaded.hotspots ? binCounts : null,
    patternCounts: loaded.emerging ? patternCounts : null,
    breaks: loaded.density?.breaks ?? [],
  }) || '<p>No analysis layer shown.</p>';
}

function renderTopCells(fc) {
  const hot = fc.features.filter((f) => f.properties.bin > 0).sort((a, b) => b.properties.z - a.properties.z).slice(0, 10);
  const list = $('top-cells');
  if (hot.length === 0) {
    list.innerHTML = '<li>No hot spot cells in this window.</li>';
    return;
  }
  list.innerHTML = hot.map((f) => `<li><button type="button" data-cell="${esc(f.properties.cell)}">${esc(binInfo(f.properties.bin).label)}: ${fmt(f.properties.count, 1)} incidents, z ${fmt(f.properties.z, 2)}</button></li>`).join('');
}

function onTopCellClick(e) {
  const button = e.target.closest('[data-cell]');
  if (!button) return;
  layers.hotspots.eachLayer((layer) => {
    if (layer.feature.properties.cell === button.dataset.cell) {
      map.fitBounds(layer.getBounds(), { maxZoom: Math.max(map.getZoom(), 15) });
      const popup = openCellPopup(layer, layer.feature.properties, 'hotspot');
      // Keyboard users land in the popup (Escape closes it) and come back to the list after.
      popup.getElement()?.querySelector('.cell-popup')?.focus();
      popup.once('remove', () => { if (document.activeElement === document.body || !document.activeElement) button.focus(); });
    }
  });
}

// ---------------------------------------------------------------- popups

function facts(rows) {
  return `<dl class="facts">${rows.map(([k, v, cls]) => `<dt>${esc(k)}</dt><dd class="${cls}">${v}</dd>`).join('')}</dl>`;
}

/** Escape closes a popup that has the focus (Leaflet only listens while the map itself has it). */
function closeOnEscape(e) {
  if (e.key === 'Escape') {
    e.preventDefault();
    map.closePopup();
  }
}

function openCellPopup(layer, p, kind) {
  const div = document.createElement('div');
  div.className = 'cell-popup';
  if (kind === 'hotspot') {
    const b = binInfo(p.bin);
    div.innerHTML = `<h3><span class="swatch" style="background:${b.colour}" aria-hidden="true"></span><span class="bin-label">${esc(b.label)}</span></h3>`
      + facts([
        // Counts may be aoristic (time-span) weights: show one decimal when not whole.
        ['Incidents', fmt(p.count, 1), 'count'],
        ['Gi* z', fmt(p.z, 2), 'z'],
        ['p (normal)', fmtP(p.p), 'p'],
        ['p (permutation)', fmtP(p.p_sim), 'p-sim'],
        ['Cells in neighbourhood', fmt(p.neighbours), 'neighbours'],
        ['H3 cell', `<code>${esc(p.cell)}</code>`, 'cell'],
      ]);
  } else {
    div.innerHTML = `<h3 class="pattern">${esc(p.pattern ?? 'No Pattern Detected')}</h3>`
      + facts([
        ['Trend z', fmt(p.trend_z, 2), 'trend-z'],
        ['Trend p', fmtP(p.trend_p), 'trend-p'],
        ['Hot steps', fmt(p.hot_steps), 'hot-steps'],
        ['Cold steps', fmt(p.cold_steps), 'cold-steps'],
        ['H3 cell', `<code>${esc(p.cell)}</code>`, 'cell'],
      ]);
  }
  const chart = document.createElement('div');
  chart.className = 'chart-box';
  chart.textContent = 'Loading monthly counts…';
  div.append(chart);
  div.tabIndex = -1;
  div.addEventListener('keydown', closeOnEscape);
  layer.bindPopup(div, { maxWidth: 280 }).openPopup();
  const popup = layer.getPopup();
  layer.unbindPopup();
  fetchJson(`/api/stats?${windowParams(state, { extra: { by: 'month', cell: p.cell } })}`)
    .then((res) => { chart.innerHTML = monthlyChartSvg(denseMonthly(res.rows ?? []), { title: 'Incidents per month in this cell' }); })
    .catch((err) => { chart.textContent = `Monthly counts unavailable: ${err.message}`; });
  return popup;
}

async function openWardPopup(props, latlng) {
  const div = document.createElement('div');
  div.className = 'ward-popup';
  div.tabIndex = -1;
  div.addEventListener('keydown', closeOnEscape);
  div.innerHTML = `<h3>${esc(props.name ?? props.code)}</h3><p class="loading">Loading figures…</p>`;
  const popup = L.popup({ maxWidth: 300 }).setLatLng(latlng).setContent(div).openOn(map);
  try {
    const [byWard, asb] = await Promise.all([
      fetchJson(`/api/stats?${windowParams(state, { omit: ['ward'], extra: { by: 'ward' } })}`),
      fetchJson(`/api/stats?${windowParams(state, { omit: ['ward', 'category'], extra: { by: 'month', ward: props.code, category: 'asb' } })}`),
    ]);
    const row = (byWard.rows ?? []).find((r) => r.ward === props.code || r.code === props.code || r.name === props.name) ?? {};
    const series = denseMonthly(asb.rows ?? []);
    const trend = yearlyChange(series);
    const trendText = trend.pct === null
      ? `No trend: ${esc(trend.reason)}.`
      : `${trend.pct > 0 ? '+' : ''}${fmt(trend.pct, 1)} % a year (${esc(trend.method)}): <strong>${trend.onTrack ? 'on track' : 'not on track'}</strong> for the plan's target of ${Math.abs(TARGET_PCT_PER_YEAR)} % fewer ASB reports a year.`;
    div.innerHTML = `<h3>${esc(props.name ?? props.code)} <small>${esc(props.code)}</small></h3>`
      + facts([
        ['Incidents (selection)', fmt(row.count ?? 0), 'count'],
        ['Residents', fmt(row.population ?? props.population), 'population'],
        ['Rate per 1,000 residents', fmt(row.rate_per_1000, 1), 'rate'],
      ])
      + `<p class="trend">ASB trend: ${trendText}</p>`
      + monthlyChartSvg(series, { title: 'ASB reports per month' });
    // update() re-attaches the content (to re-measure it), which drops the focus: keep it.
    const focused = div === document.activeElement || div.contains(document.activeElement);
    popup.update();
    if (focused) div.focus();
  } catch (err) {
    div.querySelector('.loading').textContent = `Figures unavailable: ${err.message}`;
  }
}

// ---------------------------------------------------------------- incidents (GeoJSON tiles)

/** Loaded incident tiles: key `z/x/y?params` → `{group, controller}`. */
const tiles = new Map();

function clearIncidentTiles() {
  for (const t of tiles.values()) t.controller.abort();
  tiles.clear();
  layers.incidents?.clearLayers();
  setMessage('incidents', '');
}

function updateIncidentTiles() {
  const z = Math.max(0, Math.min(20, Math.round(map.getZoom())));
  const bounds = map.getPixelBounds();
  const scale = map.getZoomScale(z, map.getZoom());
  const min = bounds.min.multiplyBy(scale).divideBy(256).floor();
  const max = bounds.max.multiplyBy(scale).divideBy(256).floor();
  const limit = 2 ** z;
  const query = windowParams(state).toString();
  const wanted = new Set();
  for (let x = Math.max(0, min.x); x <= Math.min(limit - 1, max.x); x += 1) {
    for (let y = Math.max(0, min.y); y <= Math.min(limit - 1, max.y); y += 1) {
      if (wanted.size < MAX_TILES) wanted.add(`${z}/${x}/${y}?${query}`);
    }
  }
  for (const [key, t] of tiles) {
    if (!wanted.has(key)) {
      t.controller.abort();
      layers.incidents.removeLayer(t.group);
      tiles.delete(key);
    }
  }
  for (const key of wanted) {
    if (tiles.has(key)) continue;
    const controller = new AbortController();
    const group = L.layerGroup().addTo(layers.incidents);
    tiles.set(key, { group, controller });
    const [path, q] = key.split('?');
    setBusy(1);
    fetchJson(`/tiles/incidents/${path}.geojson${q ? `?${q}` : ''}`, controller.signal)
      .then((fc) => { drawIncidentTile(group, fc); setMessage('error:incidents', ''); countIncidents(); })
      .catch((err) => { if (err.name !== 'AbortError') setMessage('error:incidents', `Incidents: ${err.message}`); })
      .finally(() => setBusy(-1));
  }
}

function drawIncidentTile(group, fc) {
  for (const f of fc.features ?? []) {
    if (f.geometry?.type !== 'Point') continue;
    const p = f.properties ?? {};
    const [lon, lat] = f.geometry.coordinates;
    if (p.stack) {
      // Incidents at one map point (police.uk snaps many to one): one marker with the count.
      const size = Math.round(20 + 6 * Math.log10(Math.max(1, p.count)));
      L.marker([lat, lon], { icon: divIcon('incident-stack', `<span>${fmt(p.count)}</span>`, size), title: `${fmt(p.count)} incidents at this point`, alt: `${p.count} incidents at one point`, pane: 'pointsPane' })
        .bindPopup(stackPopup(p, lon, lat))
        .addTo(group);
    } else if (p.cluster) {
      const size = Math.round(22 + 6 * Math.log10(Math.max(1, p.count)));
      L.marker([lat, lon], { icon: divIcon('incident-cluster', `<span>${fmt(p.count)}</span>`, size), title: `${fmt(p.count)} incidents: zoom in`, alt: `${p.count} incidents`, pane: 'pointsPane' })
        .on('click', () => map.setView([lat, lon], Math.min(map.getMaxZoom(), map.getZoom() + 2)))
        .addTo(group);
    } else {
      const kind = [p.category, p.group && groupLabel(p.group)].filter(Boolean).map(esc).join(', ');
      L.circleMarker([lat, lon], { pane: 'pointsPane', radius: 4, className: 'incident', color: '#222', weight: 1, fillColor: '#444', fillOpacity: 0.8 })
        .bindPopup(`<div class="incident-popup"><h3>${esc(p.crime_type ?? p.category ?? 'Incident')}</h3>${facts([['Group', kind, 'group'], ['Month', esc(p.month ?? ''), 'month'], ['Weight', esc(fmt(Number(p.weight ?? 1), 2)), 'weight'], ['Id', esc(p.id ?? ''), 'id']])}</div>`)
        .addTo(group);
    }
  }
  group.incidents = (fc.features ?? []).reduce((a, f) => a + (f.properties?.cluster || f.properties?.stack ? Number(f.properties.count) : 1), 0);
}

function groupLabel(slug) {
  return GROUPS.find((g) => g.slug === slug)?.label ?? slug;
}

/**
 * The popup of a stack: its count, the count per group (`groups` is `slug:n,slug:n`, most
 * first), the month range, and a link that lists the incidents around the point (OGC API
 * items in a box of about 10 m; all dates, so it can hold more than the window's count).
 */
function stackPopup(p, lon, lat) {
  const groups = String(p.groups ?? '').split(',').filter(Boolean).map((part) => {
    const i = part.lastIndexOf(':');
    return [part.slice(0, i), Number(part.slice(i + 1))];
  });
  const rows = groups.map(([slug, n]) => `<li data-group="${esc(slug)}"><span class="label">${esc(slug === '*' ? 'Other values' : groupLabel(slug))}</span> <span class="count">${fmt(n)}</span></li>`).join('');
  const months = p.first_month === p.last_month ? esc(p.first_month ?? '') : `${esc(p.first_month ?? '')} to ${esc(p.last_month ?? '')}`;
  const d = 0.00007; // about 8 m of latitude and 5 m of longitude in Portsmouth
  const bbox = [lon - d, lat - d, lon + d, lat + d].map((v) => v.toFixed(6)).join(',');
  const list = `/ogc/collections/incidents/items?bbox=${bbox}&limit=${Math.min(10000, Math.max(10, Number(p.count) * 2))}`;
  return `<div class="stack-popup"><h3><span class="stack-count">${fmt(p.count)}</span> incidents at this point</h3>`
    + '<p>Police.uk places incidents on shared anonymised map points, so these may come from nearby streets.</p>'
    + `<ul class="stack-groups">${rows}</ul>${facts([['Months', months, 'months'], ['Weight', esc(fmt(Number(p.weight ?? p.count), 2)), 'weight']])}`
    + `<p><a class="stack-list" href="${esc(list)}" target="_blank" rel="noopener">List the incidents here (all dates, GeoJSON)</a></p></div>`;
}

function countIncidents() {
  let n = 0;
  for (const t of tiles.values()) n += t.group.incidents ?? 0;
  setMessage('incidents', `${fmt(n)} incidents in view.`);
}

// ---------------------------------------------------------------- wards

async function loadWards() {
  setBusy(1);
  try {
    const fc = await fetchJson('/ogc/collections/wards/items?limit=10000');
    fc.features.sort((a, b) => String(a.properties.name).localeCompare(String(b.properties.name)));
    layers.wards.addData(fc);
    layers.outline.addData(fc);
    layers.wardLabels.clearLayers();
    $('ward').innerHTML = fc.features.map((f) => `<option value="${esc(f.properties.code)}">${esc(f.properties.name)}</option>`).join('');
    for (const o of $('ward').options) o.selected = state.ward.includes(o.value);
    if (!parseMapPosition(state.map) && fc.features.length > 0) map.fitBounds(layers.wards.getBounds(), { animate: false });
    updateWardLabels();
    setMessage('error:wards', '');
  } catch (err) {
    setMessage('error:wards', `Wards: ${err.message}`);
  } finally {
    setBusy(-1);
  }
}

/** Opens the figures of the first selected ward (the keyboard route to the ward popup). */
function openSelectedWard() {
  const code = state.ward[0];
  if (!code) {
    setMessage('ward', 'Select a ward first to see its figures.');
    return;
  }
  setMessage('ward', '');
  layers.wards.eachLayer((layer) => {
    if (layer.feature.properties.code === code) {
      map.fitBounds(layer.getBounds());
      openWardPopup(layer.feature.properties, layer.getBounds().getCenter());
      document.querySelector('.leaflet-popup .ward-popup')?.focus();
    }
  });
}

// ---------------------------------------------------------------- print and export

function updatePrintInfo() {
  $('print-parameters').textContent = `${VIEWS[state.view] ? `${VIEWS[state.view].label} view. ` : ''}${describeWindow(state)}.`;
  const resolved = loaded.hotspots?.data?.parameters;
  const text = (v) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v));
  const resolvedText = resolved ? ` Hot spot parameters as run: ${Object.entries(resolved).map(([k, v]) => `${k} ${text(v)}`).join('; ')}.` : '';
  $('print-summary').textContent = `Printed ${new Date().toLocaleString('en-GB')}.${resolvedText}`;
}

function download(text, type, name) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function exportCells(format) {
  const fc = state.layers.includes('hotspots') ? loaded.hotspots?.data : null;
  if (!fc) {
    setMessage('export', 'Nothing to export: turn on the hot spot layer first.');
    return;
  }
  if (format === 'csv') download(cellsToCsv(fc), 'text/csv', exportName(state, 'csv'));
  else download(JSON.stringify(fc), 'application/geo+json', exportName(state, 'geojson'));
  setMessage('export', `Exported ${fmt(fc.features.length)} cells as ${format === 'csv' ? 'CSV' : 'GeoJSON'}.`);
}

// ---------------------------------------------------------------- start

function setupPanelToggle() {
  const toggle = $('panel-toggle');
  const set = (open) => {
    toggle.setAttribute('aria-expanded', String(open));
    document.body.classList.toggle('panel-closed', !open);
    map?.invalidateSize();
  };
  set(window.innerWidth > 700);
  toggle.addEventListener('click', () => set(toggle.getAttribute('aria-expanded') !== 'true'));
}

function start() {
  buildForm();
  writeForm();
  $('controls').addEventListener('change', onFormChange);
  $('controls').addEventListener('submit', (e) => e.preventDefault());
  $('ward-clear').addEventListener('click', () => {
    for (const o of $('ward').options) o.selected = false;
    commit(readForm());
  });
  setupViewMenu();
  $('top-cells').addEventListener('click', onTopCellClick);
  if (typeof window.L === 'undefined') {
    setMessage('error:leaflet', 'The map library (Leaflet) did not load: run `npm ci` in web/ and reload.');
    return;
  }
  setupMap();
  patrol = createPatrolPanel({ map, container: $('panel') });
  cctvPanel = createCctvPanel({ map, L: window.L, container: $('panel'), windowParams, setBusy, setMessage });
  setupPanelToggle();
  $('print-button').addEventListener('click', () => { updatePrintInfo(); window.print(); });
  $('export-geojson').addEventListener('click', () => exportCells('geojson'));
  $('export-csv').addEventListener('click', () => exportCells('csv'));
  window.addEventListener('beforeprint', () => {
    updatePrintInfo();
    const legend = document.querySelector('.legend');
    if (legend) legend.open = true;
    map.invalidateSize();
  });
  window.addEventListener('afterprint', () => map.invalidateSize());
  window.addEventListener('hashchange', () => {
    if (window.location.hash === toHash(state)) return;
    const next = parseHash(window.location.hash);
    const pos = parseMapPosition(next.map);
    if (pos) map.setView([pos.lat, pos.lon], pos.zoom);
    commit(next, { form: true });
  });
  $('ward-figures').addEventListener('click', openSelectedWard);
  mountPurpleFlag($('purple-flag'), { fetchJson, map });
  loadWards();
  refresh();
  syncDecisionPanels();
}

start();
