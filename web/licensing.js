// The Licensing view's panel: cumulative impact zones (drawn as polygons and listed by rank) and,
// on clicking a venue, its area review (hour-of-week heat table, categories, comparison with the
// city's night-time average).
//
// 1. `setupLicensing(map)` makes the zones layer (its own pane, under the points) and the panel
//    (placed after the hottest-cells list; hidden outside the Licensing view).
// 2. `updateLicensing(state)` shows or hides both; in the view it asks
//    `/api/licensing/zones?<window, categories>` (city-wide: no ward) and, when a venue is
//    chosen, `/api/licensing/review?venue=ID&<dates, categories>` (all hours, so the heat table
//    shows the whole week). A URL already answered is not asked again.
// 3. `showVenueReview(id)` (a venue marker's click) loads that venue's review.
// The panel and the review carry `data-state` (`loading`, `ready`, `error`) for tests and
// assistive technology (`aria-busy`).

import { windowParams } from './state.js';
import { esc, fmt } from './symbology.js';

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

let map = null;
let zonesLayer = null;
let panel = null;
let current = null;
let venue = null;
const last = { zones: null, review: null };
const controllers = {};

/** The zones request for a state: its window and categories, every ward. */
export function zonesUrl(state) {
  return `/api/licensing/zones?${windowParams(state, { omit: ['ward'] })}`;
}

/** The review request for a venue: the state's dates and categories, all hours, every ward. */
export function reviewUrl(state, id) {
  const p = windowParams(state, { omit: ['preset', 'days', 'hours', 'calendar', 'ward'] });
  p.set('venue', id);
  return `/api/licensing/review?${p}`;
}

/** Background of a heat-table cell: pale to orange by share of the venue's busiest hour. */
export function heatColour(value, max) {
  if (!(max > 0) || !(value > 0)) return '#ffffff';
  const lightness = 97 - 47 * Math.min(1, value / max);
  return `hsl(20, 90%, ${lightness.toFixed(0)}%)`;
}

function setState(el, s) {
  el.dataset.state = s;
  el.setAttribute('aria-busy', s === 'loading' ? 'true' : 'false');
}

async function load(key, url, el, draw) {
  if (last[key] === url) return;
  controllers[key]?.abort();
  const ctl = new AbortController();
  controllers[key] = ctl;
  last[key] = url;
  setState(el, 'loading');
  try {
    const res = await fetch(url, { signal: ctl.signal, headers: { Accept: 'application/json' } });
    const body = await res.json();
    if (!res.ok) throw new Error(body?.description ?? `${res.status} for ${url}`);
    draw(body);
    el.querySelector('.licensing-error').textContent = '';
    setState(el, 'ready');
  } catch (e) {
    if (e.name === 'AbortError') return;
    last[key] = null;
    el.querySelector('.licensing-error').textContent = e.message;
    setState(el, 'error');
  }
}

function kindsText(kinds) {
  return Object.entries(kinds ?? {}).map(([k, n]) => `${k} ${n}`).join(', ');
}

function pct(x) {
  return x === null || x === undefined ? '–' : `${fmt(100 * x, 1)} %`;
}

function drawZones(fc) {
  zonesLayer.clearLayers();
  zonesLayer.addData(fc);
  const list = panel.querySelector('#zone-list');
  const s = fc.summary ?? {};
  panel.querySelector('#zone-summary').textContent = fc.features.length
    ? `${fmt(fc.features.length)} zone${fc.features.length === 1 ? '' : 's'} from ${fmt(s.venues)} venues (DBSCAN, ${fmt(fc.parameters?.eps_m)} m, at least ${fmt(fc.parameters?.min_venues)} venues); ${fmt(s.incidents_in_zones, 1)} of ${fmt(s.incidents, 1)} incidents in the window (${pct(s.share_in_zones)}) fall inside them.`
    : 'No cluster of venues is dense enough to form a zone.';
  list.innerHTML = fc.features.map((f) => {
    const p = f.properties;
    return `<li data-zone="${esc(p.id)}"><button type="button" class="small zone-button">${esc(p.id)}</button> `
      + `<span class="zone-venues">${fmt(p.venues)}</span> venues (${esc(kindsText(p.kinds))}); `
      + `<span class="zone-incidents">${fmt(p.incidents, 1)}</span> incidents, ${fmt(p.per_venue, 1)} per venue, `
      + `${fmt(p.per_km2)} per km², ${pct(p.share)} of the city's, ${pct(p.hot_overlap)} in hot spots</li>`;
  }).join('');
}

function onZoneClick(e) {
  const li = e.target.closest('[data-zone]');
  if (!li || !e.target.closest('button')) return;
  zonesLayer.eachLayer((l) => {
    if (l.feature?.id === li.dataset.zone) map.fitBounds(l.getBounds(), { maxZoom: 17 });
  });
}

function drawReview(answer) {
  const v = answer.venues[0];
  const body = panel.querySelector('#venue-review-body');
  if (!v) {
    body.innerHTML = '<p>No review came back.</p>';
    return;
  }
  const max = Math.max(0, ...v.hour_of_week.flat());
  const head = `<tr><th scope="col">Day</th>${Array.from({ length: 24 }, (_, h) => `<th scope="col">${String(h).padStart(2, '0')}</th>`).join('')}</tr>`;
  const rows = v.hour_of_week.map((row, d) => `<tr><th scope="row">${WEEKDAYS[d]}</th>${row.map((x, h) => {
    const shown = x > 0 ? fmt(x) : '';
    return `<td data-day="${d}" data-hour="${h}" data-value="${x}" style="background:${heatColour(x, max)}" title="${WEEKDAYS[d]} ${String(h).padStart(2, '0')}:00: ${fmt(x, 1)}">${shown}</td>`;
  }).join('')}</tr>`).join('');
  const cats = Object.entries(v.by_category).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1])
    .map(([g, n]) => `<li data-group="${esc(g)}">${esc(g)}: <span class="count">${fmt(n, 1)}</span></li>`).join('');
  const city = answer.summary.city_nte ?? {};
  body.innerHTML = `<h3 id="review-venue">${esc(v.name)} <small>(${esc(v.kind)}, ${esc(v.id)})</small></h3>`
    + `<p id="review-summary">Within ${fmt(answer.parameters.radius_m)} m: <strong class="review-incidents">${fmt(v.incidents, 1)}</strong> incidents`
    + ` (${fmt(v.untimed, 1)} with a month only); ${fmt(v.shared, 1)} also near another reviewed venue.`
    + ` Night-time economy window: ${fmt(v.nte_incidents, 1)}, against ${fmt(city.venue_mean, 1)} for the average venue`
    + ` and ${fmt(city.expected_in_circle, 1)} at the city's density.</p>`
    + `<div class="table-scroll" tabindex="0" role="region" aria-label="Hour-of-week table"><table class="hour-of-week"><caption>Incidents by hour of the week (local time; a night's small hours are on the next day)</caption><thead>${head}</thead><tbody>${rows}</tbody></table></div>`
    + `<h4>By category</h4><ul id="review-categories">${cats || '<li>None.</li>'}</ul>`;
}

/** Makes the zones layer and the panel; call once the map exists. */
export function setupLicensing(leafletMap) {
  map = leafletMap;
  map.createPane('zonesPane').style.zIndex = '395';
  zonesLayer = L.geoJSON(null, {
    pane: 'zonesPane',
    style: { className: 'licensing-zone', color: '#6a3d9a', weight: 2, dashArray: '6 4', fillColor: '#cab2d6', fillOpacity: 0.25 },
    onEachFeature: (f, layer) => layer.bindTooltip(`${esc(f.id)}: ${fmt(f.properties.venues)} venues, ${fmt(f.properties.incidents, 1)} incidents`, { sticky: true }),
  });
  panel = document.createElement('section');
  panel.id = 'licensing-panel';
  panel.className = 'licensing';
  panel.hidden = true;
  panel.setAttribute('aria-labelledby', 'licensing-title');
  panel.innerHTML = '<h2 id="licensing-title">Cumulative impact zones</h2>'
    + '<p id="zone-summary"></p><p class="licensing-error" role="alert"></p><ol id="zone-list"></ol>'
    + '<section id="venue-review" aria-labelledby="venue-review-title"><h2 id="venue-review-title">Venue review</h2>'
    + '<p class="licensing-error" role="alert"></p><div id="venue-review-body"><p>Choose a venue on the map for its review.</p></div></section>';
  const anchor = document.querySelector('.top-cells') ?? document.getElementById('controls');
  anchor.after(panel);
  panel.querySelector('#zone-list').addEventListener('click', onZoneClick);
  setState(panel, 'idle');
  setState(panel.querySelector('#venue-review'), 'idle');
}

/** Brings the panel and the zones layer in line with the state. */
export function updateLicensing(state) {
  if (!map) return;
  current = state;
  const on = state.view === 'licensing';
  panel.hidden = !on;
  if (!on) {
    if (map.hasLayer(zonesLayer)) map.removeLayer(zonesLayer);
    return;
  }
  if (!map.hasLayer(zonesLayer)) zonesLayer.addTo(map);
  load('zones', zonesUrl(state), panel, drawZones);
  if (venue) load('review', reviewUrl(state, venue), panel.querySelector('#venue-review'), drawReview);
}

/** Loads the review of venue `id` (in the Licensing view only). */
export function showVenueReview(id) {
  if (!map || current?.view !== 'licensing') return;
  venue = id;
  load('review', reviewUrl(current, id), panel.querySelector('#venue-review'), drawReview);
}
