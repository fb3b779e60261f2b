// A small bar chart of monthly counts as an inline SVG string (no chart library). Pure.

import { esc, fmt } from './symbology.js';

/** Months from `first` to `last` inclusive (`YYYY-MM`), capped at 600 (50 years). */
export function monthRange(first, last) {
  const out = [];
  let [y, m] = first.split('-').map(Number);
  const [ly, lm] = last.split('-').map(Number);
  while ((y < ly || (y === ly && m <= lm)) && out.length < 600) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m += 1;
    if (m > 12) { m = 1; y += 1; }
  }
  return out;
}

/**
 * Rows `[{month, count}]` (any order, gaps allowed) → a dense series from the first to the last
 * month, with 0 for months that have no row.
 */
export function denseMonthly(rows) {
  const valid = rows.filter((r) => /^\d{4}-\d{2}$/.test(r.month) && Number.isFinite(Number(r.count)));
  if (valid.length === 0) return [];
  const byMonth = new Map(valid.map((r) => [r.month, Number(r.count)]));
  const months = [...byMonth.keys()].sort();
  return monthRange(months[0], months[months.length - 1]).map((month) => ({ month, count: byMonth.get(month) ?? 0 }));
}

/** The chart as SVG markup; `title` names what is counted. Width and height in CSS pixels. */
export function monthlyChartSvg(series, { title = 'Incidents per month', width = 240, height = 90 } = {}) {
  if (series.length === 0) return `<p class="chart-empty">${esc(title)}: no incidents in the window.</p>`;
  const pad = { top: 14, right: 4, bottom: 16, left: 4 };
  const max = Math.max(1, ...series.map((s) => s.count));
  const total = series.reduce((a, s) => a + s.count, 0);
  const peak = series.reduce((a, s) => (s.count > a.count ? s : a), series[0]);
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const slot = plotW / series.length;
  const barW = Math.max(1, slot * 0.8);
  const bars = series.map((s, i) => {
    const h = (s.count / max) * plotH;
    const x = pad.left + i * slot + (slot - barW) / 2;
    const y = pad.top + plotH - h;
    return `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}"><title>${s.month}: ${s.count}</title></rect>`;
  }).join('');
  const first = series[0].month;
  const last = series[series.length - 1].month;
  const summary = `${title}, ${first} to ${last}: ${fmt(total)} in all, most ${fmt(peak.count)} in ${peak.month}`;
  return `<svg class="chart" role="img" aria-label="${esc(summary)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`
    + `<title>${esc(summary)}</title>`
    + `<text x="${pad.left}" y="10" class="chart-max">max ${fmt(max)}</text>`
    + `<g class="bars">${bars}</g>`
    + `<line x1="${pad.left}" x2="${width - pad.right}" y1="${pad.top + plotH}" y2="${pad.top + plotH}" class="axis"/>`
    + `<text x="${pad.left}" y="${height - 3}" class="chart-label">${first}</text>`
    + `<text x="${width - pad.right}" y="${height - 3}" text-anchor="end" class="chart-label">${last}</text>`
    + '</svg>';
}
