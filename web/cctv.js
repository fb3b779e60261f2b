// The CCTV view's camera siting panel: asks `/api/cctv` for the current window and a camera
// count, draws the chosen sites (numbered by rank) with their reach circles, lists them with
// their gain and coverage, and states the share of the window's incidents within reach.
//
// 1. The panel (a section in the side panel) shows only in the CCTV view.
// 2. On every state change, or a new camera count, it builds the query (window, wards,
//    categories, `cameras`) and fetches it, aborting an older request; the same URL twice is
//    fetched once.
// 3. The answer is drawn on the map (reach circles under the markers) and listed; an API error
//    goes to the status line and the panel says the sites are unavailable.

import { esc, fmt } from './symbology.js';

/** Default and largest camera counts (the server's default and cap). */
export const DEFAULT_CAMERAS = 3;
export const MAX_CAMERAS = 50;

/** The `/api/cctv` query for a state and a camera count (window, wards and categories kept). */
export function cctvQuery(state, cameras, windowParams) {
  const p = windowParams(state);
  p.set('cameras', String(cameras));
  return p;
}

/** A camera count from the form: a whole number 1–50, or the default. */
export function cameraCount(text) {
  const n = Number(text);
  return Number.isInteger(n) && n >= 1 && n <= MAX_CAMERAS ? n : DEFAULT_CAMERAS;
}

/** One list line for a site's properties. */
export function siteText(p) {
  return `Site ${p.rank}: ${p.id}: gain ${fmt(p.gain, 1)}, ${fmt(p.covered)} incidents in reach (${fmt(p.new_covered)} new)`;
}

/** The summary line for a result's `summary`. */
export function summaryText(s) {
  const pct = (100 * (s.share ?? 0)).toLocaleString('en-GB', { maximumFractionDigits: 1 });
  let text = `The sites cover ${fmt(s.covered)} of ${fmt(s.total)} incidents (${pct} %).`;
  if (s.fixed_covered !== undefined) text += ` Fixed cameras already cover ${fmt(s.fixed_covered)}.`;
  return text;
}

/**
 * Creates the panel. `map` and `L` are Leaflet's; `container` the element the panel is added
 * to; `windowParams(state)` gives the window's URLSearchParams; `setBusy(±1)` and
 * `setMessage(key, text)` are the page's status hooks. Returns `{ update(state) }`.
 */
export function createCctvPanel({ map, L, container, windowParams, setBusy, setMessage }) {
  const section = document.createElement('section');
  section.id = 'cctv-panel';
  section.className = 'cctv-panel';
  section.setAttribute('aria-labelledby', 'cctv-title');
  section.hidden = true;
  section.dataset.state = 'idle';
  section.innerHTML = `
    <h2 id="cctv-title">Mobile camera sites</h2>
    <div class="pair">
      <label for="cctv-cameras">Cameras to place <small>1–${MAX_CAMERAS}</small></label>
      <input id="cctv-cameras" type="number" min="1" max="${MAX_CAMERAS}" step="1" value="${DEFAULT_CAMERAS}">
    </div>
    <p id="cctv-summary" class="hint"></p>
    <ol id="cctv-sites"></ol>`;
  container.append(section);
  const layer = L.layerGroup();
  let current = null;
  let lastUrl = null;
  let controller = null;
  let state = null;

  function draw(fc) {
    layer.clearLayers();
    const list = section.querySelector('#cctv-sites');
    list.innerHTML = '';
    for (const f of fc.features) {
      const p = f.properties;
      const [lon, lat] = f.geometry.coordinates;
      L.circle([lat, lon], { radius: Number(p.radius_m) || 0, pane: 'reachPane', interactive: false, className: 'cctv-reach', color: '#6a3d9a', weight: 2, fillOpacity: 0.1 }).addTo(layer);
      const icon = L.divIcon({ className: 'cctv-site-icon', html: `<span>${esc(String(p.rank))}</span>`, iconSize: [22, 22] });
      L.marker([lat, lon], { icon, title: siteText(p), alt: `Camera site ${p.rank}`, pane: 'pointsPane' })
        .bindPopup(`<h3>Camera site ${esc(String(p.rank))}</h3><p>${esc(siteText(p))}</p>`)
        .addTo(layer);
      const li = document.createElement('li');
      li.className = 'cctv-site';
      li.dataset.id = p.id;
      li.dataset.rank = String(p.rank);
      li.textContent = siteText(p);
      list.append(li);
    }
    section.querySelector('#cctv-summary').textContent = summaryText(fc.summary);
  }

  async function load() {
    const cameras = cameraCount(section.querySelector('#cctv-cameras').value);
    const url = `/api/cctv?${cctvQuery(state, cameras, windowParams)}`;
    if (url === lastUrl) return;
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    lastUrl = url;
    section.dataset.state = 'loading';
    setBusy(1);
    try {
      const res = await fetch(url, { signal: mine.signal, headers: { Accept: 'application/geo+json' } });
      const body = await res.json();
      if (controller !== mine) return;
      if (!res.ok) throw new Error(body?.description ?? `${res.status} ${res.statusText}`);
      current = body;
      draw(body);
      section.dataset.state = 'ready';
      setMessage('error:cctv', '');
      setMessage('cctv', `Camera sites: ${fmt(body.features.length)}.`);
    } catch (err) {
      if (err.name === 'AbortError' || controller !== mine) return;
      current = null;
      lastUrl = null;
      layer.clearLayers();
      section.querySelector('#cctv-sites').innerHTML = '';
      section.querySelector('#cctv-summary').textContent = 'Camera sites unavailable (see the status line).';
      section.dataset.state = 'error';
      setMessage('error:cctv', `Camera sites: ${err.message}`);
    } finally {
      setBusy(-1);
    }
  }

  section.querySelector('#cctv-cameras').addEventListener('change', () => {
    if (state) load();
  });

  return {
    /** Shows, hides or reloads the panel for a new state. */
    update(next) {
      state = next;
      const on = next.view === 'cctv';
      section.hidden = !on;
      if (on && !map.hasLayer(layer)) layer.addTo(map);
      if (!on) {
        if (map.hasLayer(layer)) map.removeLayer(layer);
        controller?.abort();
        controller = null;
        lastUrl = null;
        setMessage('cctv', '');
        setMessage('error:cctv', '');
        return;
      }
      load();
    },
    /** The last answer drawn (for exports and tests). */
    get data() {
      return current;
    },
  };
}
