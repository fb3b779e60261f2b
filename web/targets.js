// Plan targets panel: per ward and for the city, ASB reported to the police against the plan's
// 3 % a year fall, alcohol-related crime per 1,000 residents against its line (12.2 → 10), and
// total crime against a 20 % fall over five years, from `GET /api/targets`, with the data's
// coverage. Incomplete years are shown annualised (marked *) and never judged.
//
// Pure rendering (`targetsHtml`) plus one mount function that fetches and draws.

import { esc, fmt } from './symbology.js';

/** The measures shown, in column order. */
export const MEASURES = [
  { id: 'asb', label: 'ASB reports', target: '−3 % a year' },
  { id: 'alcohol_crime_per_1000', label: 'Alcohol-related crime per 1,000', target: 'plan line' },
  { id: 'total_crime', label: 'Total crime', target: '−20 % over 5 years' },
];

/** A value as shown: annualised (marked *) when the year is incomplete; – when unknown. */
export function shownValue(value, annualised, digits) {
  if (annualised !== null && annualised !== undefined) return `${fmt(annualised, digits)}*`;
  if (value === null || value === undefined) return '–';
  return fmt(value, digits);
}

/** The verdict as shown: yes / no / – (not judged). */
export function verdict(onTrack) {
  if (onTrack === true) return 'yes';
  if (onTrack === false) return 'no';
  return '–';
}

/** Groups the answer's rows by area, city first: `[{code, name, measures: {id: row}}]`. */
export function byArea(answer) {
  const areas = new Map();
  for (const r of answer.rows ?? []) {
    if (!areas.has(r.code)) areas.set(r.code, { code: r.code, name: r.name, measures: {} });
    areas.get(r.code).measures[r.measure] = r;
  }
  return [...areas.values()];
}

/** The panel's HTML for an `/api/targets` answer. */
export function targetsHtml(answer) {
  const p = answer.parameters ?? {};
  const years = answer.coverage?.years ?? [];
  const coverage = years.map((y) => `${y.year}: ${y.police_uk_months} of 12 months of police.uk data${y.alcohol_flag_months ? `, ${y.alcohol_flag_months} with an alcohol flag` : ''}`).join('; ');
  const notes = [answer.summary?.note, answer.summary?.alcohol_note].filter(Boolean);
  const head = MEASURES.map((m) => `<th scope="col">${esc(m.label)}<br><small>actual / target (${esc(m.target)}) / on track</small></th>`).join('');
  const rows = byArea(answer).map((a) => {
    const cells = MEASURES.map((m) => {
      const r = a.measures[m.id] ?? {};
      const digits = m.id === 'alcohol_crime_per_1000' ? 1 : 0;
      return `<td data-measure="${esc(m.id)}" title="${esc(r.status ?? '')}"><span class="actual">${shownValue(r.actual, r.actual_annualised, digits)}</span> / <span class="target">${shownValue(r.target, null, digits)}</span> / <span class="on-track">${verdict(r.on_track)}</span></td>`;
    }).join('');
    return `<tr data-code="${esc(a.code)}"><th scope="row">${esc(a.name)}</th>${cells}</tr>`;
  }).join('');
  return `<h2 id="targets-title">Plan targets ${esc(String(p.baseline_year ?? ''))} → ${esc(String(p.year ?? ''))}</h2>`
    + `<p class="hint">Coverage: ${esc(coverage || 'no data')}.</p>`
    + (notes.length ? `<p class="hint targets-note">Not judged: ${esc(notes.join('; '))}. Values marked * are annualised (× 12 / months present).</p>` : '')
    + `<div class="table-scroll"><table class="targets-table"><thead><tr><th scope="col">Area</th>${head}</tr></thead><tbody>${rows}</tbody></table></div>`
    + `<p class="hint">ASB and total crime count police.uk rows (crime excludes ASB); alcohol-related crime counts rows flagged alcohol (incident logs), per 1,000 residents.</p>`;
}

/** Fetches `/api/targets` and draws it into `el`; `fetchJson(url)` is the page's fetcher. */
export async function showTargets(el, fetchJson) {
  el.innerHTML = '<h2 id="targets-title">Plan targets</h2><p class="hint">Loading targets…</p>';
  try {
    el.innerHTML = targetsHtml(await fetchJson('/api/targets'));
    el.dataset.loaded = 'true';
  } catch (err) {
    el.innerHTML = `<h2 id="targets-title">Plan targets</h2><p class="hint">Targets unavailable: ${esc(err.message)}</p>`;
  }
}
