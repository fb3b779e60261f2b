// The Patrol view's plan panel: asks /api/patrol for a ward and a shift, draws the walking route
// and numbered stops on the map, lists the stops with their times and reasons and what was left
// out, and links the printable plan (HTML) and the GPX file for the same request.
//
// 1. The panel shows only in the Patrol view (`update(state)` is called on every state change).
// 2. "Plan patrol" builds the query from the panel (ward, shift, minutes per stop, start) and the
//    map's dates and categories, fetches the GeoJSON plan and draws it; a bad value shows the
//    server's description beside the form.

import { esc } from './symbology.js';

/** The query of a plan: the panel's fields plus the state's dates and categories. */
export function patrolParams(fields, state, format) {
  const p = new URLSearchParams();
  p.append('ward', fields.ward);
  p.append('shift', fields.shift);
  if (fields.dwell) p.append('dwell-min', fields.dwell);
  if (fields.start) p.append('start', fields.start);
  if (state.from) p.append('from', state.from);
  if (state.to) p.append('to', state.to);
  for (const c of state.category ?? []) p.append('category', c);
  p.append('format', format);
  return p;
}

const PANEL = `
<h2 id="patrol-title">Patrol plan</h2>
<form id="patrol-form" novalidate>
  <label for="patrol-ward">Ward</label>
  <select id="patrol-ward" name="ward"></select>
  <label for="patrol-shift">Shift <small>days and hours, e.g. fri 22:00-03:00</small></label>
  <input id="patrol-shift" name="shift" type="text" value="fri 22:00-03:00" autocomplete="off">
  <div class="pair">
    <label for="patrol-dwell">Minutes per stop <small>10–15 (Koper)</small></label>
    <select id="patrol-dwell" name="dwell">
      <option>10</option><option>11</option><option>12</option><option>13</option><option>14</option><option selected>15</option>
    </select>
  </div>
  <label for="patrol-start">Start <small>LAT,LON; empty = the top place</small></label>
  <input id="patrol-start" name="start" type="text" placeholder="e.g. 50.7978,-1.0918" autocomplete="off">
  <button type="submit" id="patrol-plan">Plan patrol</button>
</form>
<p id="patrol-error" class="error" role="alert"></p>
<p id="patrol-summary" aria-live="polite"></p>
<ol id="patrol-stops"></ol>
<div id="patrol-left-out"></div>
<p id="patrol-links" hidden><a id="patrol-print" target="_blank" rel="noopener">Printable plan</a> · <a id="patrol-gpx" download="patrol.gpx">GPX for a phone</a></p>
`;

/** Creates the panel in `container` (before its hottest-cells list) over the Leaflet `map`. */
export function createPatrolPanel({ map, container }) {
  const section = document.createElement('section');
  section.id = 'patrol-panel';
  section.className = 'patrol-panel';
  section.setAttribute('aria-labelledby', 'patrol-title');
  section.hidden = true;
  section.innerHTML = PANEL;
  container.insertBefore(section, container.querySelector('.top-cells'));
  const el = (id) => section.querySelector(`#${id}`);
  const drawn = L.layerGroup();
  let state = null;
  let wardsLoaded = false;
  let controller = null;

  async function loadWards() {
    wardsLoaded = true;
    const res = await fetch('/ogc/collections/wards/items?limit=10000');
    const fc = await res.json();
    const wards = fc.features.map((f) => f.properties).sort((a, b) => String(a.name).localeCompare(String(b.name)));
    el('patrol-ward').innerHTML = wards.map((w) => `<option value="${esc(w.code)}">${esc(w.name)}</option>`).join('');
    if (state?.ward?.[0]) el('patrol-ward').value = state.ward[0];
  }

  function fields() {
    return {
      ward: el('patrol-ward').value,
      shift: el('patrol-shift').value.trim(),
      dwell: el('patrol-dwell').value,
      start: el('patrol-start').value.trim(),
    };
  }

  function draw(fc) {
    drawn.clearLayers();
    const route = fc.features.find((f) => f.properties.kind === 'route');
    const stops = fc.features.filter((f) => f.properties.kind === 'stop');
    if (route) {
      L.polyline(route.geometry.coordinates.map(([lon, lat]) => [lat, lon]), { className: 'patrol-route', color: '#b22222', weight: 4, dashArray: '8 6' }).addTo(drawn);
    }
    for (const f of stops) {
      const [lon, lat] = f.geometry.coordinates;
      const p = f.properties;
      L.marker([lat, lon], {
        icon: L.divIcon({ className: 'patrol-stop', html: `<span>${p.order}</span>`, iconSize: [24, 24] }),
        title: `${p.order}. ${p.arrive}–${p.depart} ${p.street}`,
        keyboard: true,
      }).bindPopup(`<strong>${p.order}. ${esc(p.street)}</strong><br>${esc(p.arrive)}–${esc(p.depart)}<br>${esc(p.why)}`).addTo(drawn);
    }
    drawn.addTo(map);
    const s = fc.summary;
    el('patrol-summary').textContent = `${s.stops} stops, ${fc.parameters.shift_start} to ${s.end}: ${s.walk_m} m walking, ${s.dwell_min} min at stops, ${s.wait_min} min free patrol.`;
    el('patrol-stops').innerHTML = stops.map((f) => {
      const p = f.properties;
      return `<li data-cell="${esc(p.cell)}"><span class="patrol-time">${esc(p.arrive)}–${esc(p.depart)}</span> <strong>${esc(p.street)}</strong><br><small>${esc(p.why)}</small></li>`;
    }).join('');
    const left = fc.left_out ?? [];
    el('patrol-left-out').innerHTML = left.length
      ? `<h3>Left out (${left.length})</h3><ul>${left.map((l) => `<li>${esc(l.street)} (rank ${l.rank}, visit ${l.visit}): ${esc(l.reason)}</li>`).join('')}</ul>`
      : '';
    if (stops.length > 0) map.fitBounds(L.featureGroup(drawn.getLayers()).getBounds(), { animate: false, maxZoom: 17, padding: [30, 30] });
  }

  async function plan() {
    el('patrol-error').textContent = '';
    controller?.abort();
    controller = new AbortController();
    const f = fields();
    const url = `/api/patrol?${patrolParams(f, state, 'geojson')}`;
    section.setAttribute('aria-busy', 'true');
    try {
      const res = await fetch(url, { signal: controller.signal });
      const body = await res.json();
      if (!res.ok) {
        drawn.clearLayers();
        el('patrol-stops').innerHTML = '';
        el('patrol-left-out').innerHTML = '';
        el('patrol-summary').textContent = '';
        el('patrol-links').hidden = true;
        el('patrol-error').textContent = body.description ?? `${res.status} ${res.statusText}`;
        return;
      }
      draw(body);
      el('patrol-print').href = `/api/patrol?${patrolParams(f, state, 'html')}`;
      el('patrol-gpx').href = `/api/patrol?${patrolParams(f, state, 'gpx')}`;
      el('patrol-links').hidden = false;
    } catch (err) {
      if (err.name !== 'AbortError') el('patrol-error').textContent = `Patrol plan: ${err.message}`;
    } finally {
      section.setAttribute('aria-busy', 'false');
    }
  }

  el('patrol-form').addEventListener('submit', (e) => {
    e.preventDefault();
    plan();
  });

  return {
    /** Shows the panel in the Patrol view (loading the wards once), hides it and its route elsewhere. */
    update(next) {
      state = next;
      const on = state.view === 'patrol';
      section.hidden = !on;
      if (!on) {
        drawn.remove();
        return;
      }
      drawn.addTo(map);
      if (!wardsLoaded) loadWards().catch((err) => { el('patrol-error').textContent = `Wards: ${err.message}`; });
    },
  };
}
