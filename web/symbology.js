// Colours and words for every layer, and the legend's HTML. Pure (unit-tested in node).
//
// Hot spot bins use ColorBrewer RdBu (7 classes), a diverging palette that stays readable with
// the common colour-vision deficiencies; each class also has a text label, so colour is never the
// only cue. Emerging patterns reuse the same reds and blues by strength; density uses the
// sequential ColorBrewer YlOrRd (5 classes).

/** The seven Gi* bins, hottest first: value, colour, label. */
export const BINS = [
  { bin: 3, colour: '#b2182b', label: 'Hot spot 99 %' },
  { bin: 2, colour: '#ef8a62', label: 'Hot spot 95 %' },
  { bin: 1, colour: '#fddbc7', label: 'Hot spot 90 %' },
  { bin: 0, colour: '#f7f7f7', label: 'Not significant' },
  { bin: -1, colour: '#d1e5f0', label: 'Cold spot 90 %' },
  { bin: -2, colour: '#67a9cf', label: 'Cold spot 95 %' },
  { bin: -3, colour: '#2166ac', label: 'Cold spot 99 %' },
];

/** The bin's entry; anything outside −3..3 (or not a number) counts as not significant. */
export function binInfo(bin) {
  return BINS.find((b) => b.bin === bin) ?? BINS[3];
}

/** Esri's emerging hot spot labels (methods.md §2.4), each with a colour; hot reds, cold blues. */
export const PATTERNS = [
  { pattern: 'New Hot Spot', colour: '#67001f' },
  { pattern: 'Consecutive Hot Spot', colour: '#b2182b' },
  { pattern: 'Intensifying Hot Spot', colour: '#d6604d' },
  { pattern: 'Persistent Hot Spot', colour: '#f4a582' },
  { pattern: 'Diminishing Hot Spot', colour: '#fddbc7' },
  { pattern: 'Sporadic Hot Spot', colour: '#e7a9b8' },
  { pattern: 'Oscillating Hot Spot', colour: '#c994c7' },
  { pattern: 'Historical Hot Spot', colour: '#fbe3e8' },
  { pattern: 'New Cold Spot', colour: '#053061' },
  { pattern: 'Consecutive Cold Spot', colour: '#2166ac' },
  { pattern: 'Intensifying Cold Spot', colour: '#4393c3' },
  { pattern: 'Persistent Cold Spot', colour: '#92c5de' },
  { pattern: 'Diminishing Cold Spot', colour: '#d1e5f0' },
  { pattern: 'Sporadic Cold Spot', colour: '#a6bddb' },
  { pattern: 'Oscillating Cold Spot', colour: '#9ebcda' },
  { pattern: 'Historical Cold Spot', colour: '#e0ecf4' },
  { pattern: 'No Pattern Detected', colour: '#f7f7f7' },
];

/** The colour of an emerging pattern label (unknown labels as "No Pattern Detected"). */
export function patternColour(pattern) {
  return (PATTERNS.find((p) => p.pattern === pattern) ?? PATTERNS[PATTERNS.length - 1]).colour;
}

/** ColorBrewer YlOrRd, 5 classes, light to dark. */
export const DENSITY_COLOURS = ['#ffffb2', '#fecc5c', '#fd8d3c', '#f03b20', '#bd0026'];

/**
 * Class breaks for density: quantiles of the positive values, rounded to 2 significant figures,
 * deduplicated. Returns the upper bounds of all but the last class (at most 4 numbers).
 */
export function densityBreaks(values) {
  const v = values.filter((x) => Number.isFinite(x) && x > 0).sort((a, b) => a - b);
  if (v.length === 0) return [];
  const breaks = [];
  for (let i = 1; i < DENSITY_COLOURS.length; i += 1) {
    const q = v[Math.min(v.length - 1, Math.floor((i * v.length) / DENSITY_COLOURS.length))];
    const r = Number(q.toPrecision(2));
    if (r > 0 && !breaks.includes(r) && r < v[v.length - 1]) breaks.push(r);
  }
  return breaks;
}

/** The class colour of a density value given its breaks. */
export function densityColour(value, breaks) {
  let i = 0;
  while (i < breaks.length && value > breaks[i]) i += 1;
  return DENSITY_COLOURS[Math.min(i, DENSITY_COLOURS.length - 1)];
}

/** Escapes text for HTML. */
export function esc(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/** Formats a number with thousands separators (en-GB) and at most `digits` decimals. */
export function fmt(x, digits = 0) {
  if (x === null || x === undefined || !Number.isFinite(Number(x))) return '–';
  return Number(x).toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** Formats a p-value: 3 significant figures, `< 0.0001` below that. */
export function fmtP(p) {
  if (p === null || p === undefined || !Number.isFinite(Number(p))) return '–';
  return p < 0.0001 ? '< 0.0001' : Number(p).toPrecision(3);
}

function row(colour, label, cls = 'swatch') {
  return `<li><span class="${cls}" style="background:${colour}" aria-hidden="true"></span>${esc(label)}</li>`;
}

/**
 * The legend's HTML for the shown layers. `counts` maps bins / patterns to how many cells have them,
 * so each entry also says how many cells it holds; `breaks` are the density class breaks.
 */
export function legendHtml({ layers, binCounts = null, patternCounts = null, breaks = [] }) {
  const parts = [];
  if (layers.includes('hotspots')) {
    const items = BINS.map((b) => row(b.colour, binCounts ? `${b.label} (${fmt(binCounts[b.bin] ?? 0)})` : b.label)).join('');
    parts.push(`<h3>Hot spots (Gi*)</h3><ul>${items}</ul>`);
  }
  if (layers.includes('emerging')) {
    const present = PATTERNS.filter((p) => !patternCounts || (patternCounts[p.pattern] ?? 0) > 0);
    const items = present.map((p) => row(p.colour, patternCounts ? `${p.pattern} (${fmt(patternCounts[p.pattern])})` : p.pattern)).join('');
    parts.push(`<h3>Emerging hot spots</h3><ul>${items || '<li>No cells</li>'}</ul>`);
  }
  if (layers.includes('density') && breaks.length > 0) {
    const bounds = [0, ...breaks];
    const items = bounds.map((lo, i) => {
      const hi = breaks[i];
      const label = hi === undefined ? `over ${fmt(lo)}` : `${fmt(lo)}–${fmt(hi)}`;
      return row(DENSITY_COLOURS[i], `${label} per km²`);
    }).join('');
    parts.push(`<h3>Density</h3><ul>${items}</ul>`);
  }
  if (layers.includes('incidents')) parts.push(`<h3>Incidents</h3><ul>${row('#444', 'Incident', 'dot')}${row('#444', 'Cluster (number = incidents): zoom in', 'dot big')}${row('#b35806', 'Stack (number = incidents at one map point)', 'stack')}</ul>`);
  if (layers.includes('venues')) parts.push(`<h3>Venues</h3><ul>${row('#6a3d9a', 'Licensed venue', 'diamond')}</ul>`);
  if (layers.includes('cameras')) parts.push(`<h3>CCTV</h3><ul>${row('#1b7837', 'Camera and its reach', 'ring')}</ul>`);
  return parts.join('');
}
