// Purple Flag scorecard panel (Licensing view): for a selected ward or a polygon drawn on the
// map, the KPI table of `GET /api/licensing/purple-flag` (Friday and Saturday nights
// 17:00–05:00 and every night 17:00–05:00, all vs alcohol-related, by category group, per
// 12-month period with % change), the rates, the hour profile, the safer cells and the coverage.
//
// The area is a ward, a cumulative impact zone of `GET /api/licensing/zones` (default
// parameters, as `zone=zone-N` resolves them) or a drawn polygon.
// `scorecardHtml` is pure; `mountPurpleFlag` wires the form and the drawing on a Leaflet map.
// Drawing: "Draw area" → click the map for each corner → "Finish" (3 or more corners).

import { esc, fmt } from './symbology.js';

/** Group slugs and labels, in the API's order, then the total. */
export const ROWS = [
  ['asb', 'ASB'], ['violence', 'Violence'], ['public-order', 'Public order'],
  ['criminal-damage', 'Criminal damage'], ['drugs', 'Drugs'], ['acquisitive', 'Acquisitive'],
  ['other', 'Other'], ['all', 'All crime and ASB'],
];

/** The cell of a period for a row slug (`all` = the total). */
export function kpiCell(period, slug) {
  if (slug === 'all') return period.total;
  return (period.groups ?? []).find((g) => g.group === slug) ?? {};
}

const pct = (v) => (v === null || v === undefined ? '–' : `${v > 0 ? '+' : ''}${fmt(v, 1)} %`);
const alcohol = (c) => (c.alcohol === null || c.alcohol === undefined ? 'not recorded' : fmt(c.alcohol, 1));

/** One window's KPI table. */
export function kpiTableHtml(preset, win) {
  const periods = win.periods ?? [];
  const head = periods.map((p) => `<th scope="col" colspan="3">${esc(p.from)} – ${esc(p.to)}${p.complete ? '' : ' <small>(incomplete)</small>'}</th>`).join('');
  const sub = periods.map(() => '<th scope="col">all</th><th scope="col">alcohol</th><th scope="col">change</th>').join('');
  const body = ROWS.map(([slug, label]) => {
    const cells = periods.map((p, i) => {
      const c = kpiCell(p, slug);
      return `<td data-period="${i}" data-kind="all">${fmt(c.all, 1)}</td><td data-period="${i}" data-kind="alcohol">${alcohol(c)}</td><td data-period="${i}" data-kind="change">${pct(c.change_pct_all)}</td>`;
    }).join('');
    return `<tr data-row="${esc(slug)}"><th scope="row">${esc(label)}</th>${cells}</tr>`;
  }).join('');
  const rates = periods.map((p) => `<td colspan="3">${fmt(p.rates?.per_venue, 1)} / ${fmt(p.rates?.per_km2, 1)} / ${fmt(p.rates?.per_1000_residents, 1)}</td>`).join('');
  const left = periods.map((p) => `<td colspan="3">${fmt(p.left_out_month_only)}</td>`).join('');
  return `<h3>${esc(win.label ?? preset)}</h3><div class="table-scroll"><table class="pf-table" data-window="${esc(preset)}">`
    + `<thead><tr><th scope="col">Category</th>${head}</tr><tr><th></th>${sub}</tr></thead><tbody>${body}`
    + `<tr class="rates"><th scope="row">per venue / km² / 1,000 residents</th>${rates}</tr>`
    + `<tr class="left-out"><th scope="row">month-only rows left out</th>${left}</tr></tbody></table></div>`;
}

/** The panel's result HTML for an `/api/licensing/purple-flag` answer. */
export function scorecardHtml(answer) {
  const a = answer.parameters?.area ?? {};
  const s = answer.summary ?? {};
  const cov = answer.coverage ?? {};
  const profile = (answer.hour_profile?.['weekend-evening'] ?? []).map((h) => `${String(h.hour).padStart(2, '0')}h ${fmt(h.count, 1)}`).join(', ');
  const safer = answer.safer_areas ?? {};
  const saferText = safer.note ? `not available (${safer.note})` : `${fmt((safer.cells ?? []).length)} cold cells (Gi* bin ≤ −2) inside the area`;
  return `<p class="pf-area"><strong>${esc(a.label ?? '')}</strong>: ${fmt(a.area_km2, 2)} km², <span class="pf-venues">${fmt(s.venues)}</span> venues${s.residents ? `, about ${fmt(s.residents)} residents` : ''}.</p>`
    + `<p class="hint pf-coverage">Coverage: ${fmt((cov.months_present ?? []).length)} months; ${fmt(cov.timed_rows)} timed rows, ${fmt(cov.month_only_rows)} month-only rows (left out: police.uk gives no day or time).</p>`
    + kpiTableHtml('weekend-evening', answer.kpi?.['weekend-evening'] ?? {})
    + kpiTableHtml('evening', answer.kpi?.evening ?? {})
    + `<p class="hint">Hour profile, Friday and Saturday nights: ${esc(profile)}.</p>`
    + `<p class="hint pf-safer">Safer areas: ${esc(saferText)}.</p>`;
}

/** The query for an area: `{ward}`, `{zone}` or `{polygon: [[lon, lat], ...]}` (ring closed here). */
export function areaQuery(area) {
  const q = new URLSearchParams();
  if (area.ward) q.set('ward', area.ward);
  else if (area.zone) q.set('zone', area.zone);
  else if (area.polygon) {
    const ring = area.polygon.map(([lon, lat]) => [Number(lon.toFixed(6)), Number(lat.toFixed(6))]);
    ring.push(ring[0]);
    q.set('polygon', JSON.stringify({ type: 'Polygon', coordinates: [ring] }));
  }
  return q;
}

/**
 * Mounts the panel into `el`. `fetchJson(url)` is the page's fetcher (throws with the API's
 * description); `map` the Leaflet map for drawing.
 */
export function mountPurpleFlag(el, { fetchJson, map }) {
  el.innerHTML = '<h2 id="purple-flag-title">Purple Flag scorecard</h2>'
    + '<label for="pf-ward">Area</label><select id="pf-ward"><option value="">Drawn area (use Draw area)</option></select>'
    + '<div class="buttons"><button type="button" class="small" id="pf-draw" aria-pressed="false">Draw area</button>'
    + '<button type="button" class="small" id="pf-finish" disabled>Finish</button>'
    + '<button type="button" class="small" id="pf-show">Show scorecard</button></div>'
    + '<p class="hint" id="pf-message" role="status"></p><div id="pf-result"></div>';
  const $ = (id) => el.querySelector(`#${id}`);
  let corners = [];
  let drawn = null;
  let line = null;
  fetchJson('/ogc/collections/wards/items?limit=10000').then((fc) => {
    const wards = (fc.features ?? []).map((f) => f.properties).sort((x, y) => String(x.name).localeCompare(String(y.name)));
    $('pf-ward').insertAdjacentHTML('beforeend', wards.map((w) => `<option value="${esc(w.code)}">${esc(w.name)}</option>`).join(''));
  }).catch((err) => { $('pf-message').textContent = `Wards unavailable: ${err.message}`; });
  fetchJson('/api/licensing/zones?format=json').then((answer) => {
    const zones = answer.zones ?? [];
    $('pf-ward').insertAdjacentHTML('beforeend', zones.map((z) => `<option value="zone:${esc(z.id)}">Cumulative impact zone ${fmt(z.rank)} (${fmt(z.venues)} venues)</option>`).join(''));
  }).catch((err) => { $('pf-message').textContent = `Zones unavailable: ${err.message}`; });

  const onClick = (e) => {
    corners.push([e.latlng.lng, e.latlng.lat]);
    line?.remove();
    line = L.polyline(corners.map(([lon, lat]) => [lat, lon]), { className: 'pf-drawing', color: '#6a1b9a' }).addTo(map);
    $('pf-finish').disabled = corners.length < 3;
    $('pf-message').textContent = `${corners.length} corners; Finish when done.`;
  };
  const stopDrawing = () => {
    map.off('click', onClick);
    map.getContainer().classList.remove('pf-drawing-mode');
    $('pf-draw').setAttribute('aria-pressed', 'false');
    $('pf-finish').disabled = true;
  };
  $('pf-draw').addEventListener('click', () => {
    corners = [];
    line?.remove();
    drawn?.remove();
    drawn = null;
    $('pf-ward').value = '';
    $('pf-draw').setAttribute('aria-pressed', 'true');
    $('pf-message').textContent = 'Click the map at each corner of the area.';
    // While drawing, clicks go to the map, not to cells, wards or venues (style.css).
    map.closePopup();
    map.getContainer().classList.add('pf-drawing-mode');
    map.on('click', onClick);
  });
  $('pf-finish').addEventListener('click', () => {
    stopDrawing();
    line?.remove();
    drawn = L.polygon(corners.map(([lon, lat]) => [lat, lon]), { className: 'pf-area', color: '#6a1b9a', fillOpacity: 0.1 }).addTo(map);
    $('pf-message').textContent = `Area drawn (${corners.length} corners).`;
  });
  $('pf-show').addEventListener('click', async () => {
    const choice = $('pf-ward').value;
    if (!choice && !drawn) {
      $('pf-message').textContent = 'Choose a ward or zone, or draw an area first.';
      return;
    }
    const area = choice.startsWith('zone:') ? { zone: choice.slice(5) } : choice ? { ward: choice } : { polygon: corners };
    const q = areaQuery(area);
    $('pf-message').textContent = 'Loading the scorecard…';
    el.dataset.loaded = 'false';
    try {
      const answer = await fetchJson(`/api/licensing/purple-flag?${q}`);
      $('pf-result').innerHTML = scorecardHtml(answer);
      $('pf-message').innerHTML = `Scorecard ready. <a href="/api/licensing/purple-flag?${esc(q.toString())}&amp;format=html" target="_blank" rel="noopener">Printable page</a> · <a href="/api/licensing/purple-flag?${esc(q.toString())}&amp;format=csv">CSV</a>`;
      el.dataset.loaded = 'true';
    } catch (err) {
      $('pf-message').textContent = `Scorecard unavailable: ${err.message}`;
    }
  });
}
