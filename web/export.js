// Downloads of the hotspot cells shown: GeoJSON as served, and CSV (one row per cell). Pure
// helpers; the download itself is in app.js.

import { binInfo } from './symbology.js';

/** CSV columns of a hotspot cell. */
export const CSV_COLUMNS = ['cell', 'count', 'z', 'p', 'p_sim', 'bin', 'bin_label', 'neighbours'];

function csvField(value) {
  if (value === null || value === undefined) return '';
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** The cells of a hotspot FeatureCollection as CSV text (RFC 4180, CRLF line ends). */
export function cellsToCsv(collection) {
  const lines = [CSV_COLUMNS.join(',')];
  for (const f of collection.features ?? []) {
    const p = f.properties ?? {};
    const values = { ...p, bin_label: binInfo(p.bin).label };
    lines.push(CSV_COLUMNS.map((c) => csvField(values[c])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** A file name for a download, e.g. `hotspots-2024-01_2024-12-nte.csv`. */
export function exportName(state, ext) {
  const parts = ['hotspots'];
  if (state.from || state.to) parts.push(`${state.from || 'start'}_${state.to || 'end'}`);
  if (state.preset) parts.push(state.preset);
  parts.push(`res${state.resolution}`);
  return `${parts.join('-').replace(/[^A-Za-z0-9._-]/g, '')}.${ext}`;
}
