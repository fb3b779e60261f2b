// The map's whole state, and its two outside forms: the URL hash (bookmarks, links) and the
// query string of the API requests. Pure functions: no DOM, no Leaflet (unit-tested in node).
//
// Hash form, e.g. `#view=licensing&layers=wards,hotspots,venues&preset=nte&category=nte&map=15/50.7985/-1.0915`.
// Lists are comma-separated; a value equal to its default is left out of the hash.

/** Weekly-pattern presets (interface.md "Values"). */
export const PRESETS = {
  nte: { label: 'Night-time economy (Fri, Sat 20:00–04:00)', days: ['fri', 'sat'], hours: '20:00-04:00' },
  evening: { label: 'Evening, every day (17:00–05:00)', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], hours: '17:00-05:00' },
  'weekend-evening': { label: 'Weekend evening (Fri, Sat 17:00–05:00)', days: ['fri', 'sat'], hours: '17:00-05:00' },
  daytime: { label: 'Daytime, every day (07:00–19:00)', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], hours: '07:00-19:00' },
};

/** Day slugs in week order. */
export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** Category groups (methods.md §10) and the night-time-economy set. */
export const GROUPS = [
  { slug: 'asb', label: 'Anti-social behaviour' },
  { slug: 'violence', label: 'Violence (incl. robbery, weapons)' },
  { slug: 'public-order', label: 'Public order' },
  { slug: 'criminal-damage', label: 'Criminal damage and arson' },
  { slug: 'drugs', label: 'Drugs' },
  { slug: 'acquisitive', label: 'Acquisitive (theft, burglary, vehicle)' },
  { slug: 'other', label: 'Other crime' },
  { slug: 'nte', label: 'Night-time economy set (violence, public order, ASB, damage)' },
];

/** Map layers, in drawing order, with their labels. */
export const LAYERS = [
  { id: 'osm', label: 'OpenStreetMap basemap' },
  { id: 'wards', label: 'Ward boundaries' },
  { id: 'density', label: 'Density (incidents per km²)' },
  { id: 'hotspots', label: 'Hot spots (Gi*)' },
  { id: 'emerging', label: 'Emerging hot spots' },
  { id: 'incidents', label: 'Incidents' },
  { id: 'venues', label: 'Licensed venues' },
  { id: 'cameras', label: 'CCTV cameras' },
];

/** The state a fresh page starts from. */
export const DEFAULTS = Object.freeze({
  view: '',
  layers: ['wards', 'hotspots'],
  from: '',
  to: '',
  preset: '',
  days: [],
  hours: '',
  calendar: '',
  ward: [],
  category: [],
  resolution: '9',
  k: '1',
  permutations: '999',
  fdr: 'true',
  inference: 'analytic',
  step: 'month',
  map: '',
});

/** One view per user: each sets layers and parameters (the rest of the state is kept). */
export const VIEWS = {
  patrol: {
    label: 'Patrol',
    who: 'community wardens',
    description: 'ASB hot spots at walkable 66 m cells for evening shifts, with the incidents behind them.',
    set: { layers: ['wards', 'hotspots', 'incidents'], preset: 'evening', days: [], hours: '', category: ['asb'], resolution: '10', k: '1' },
  },
  cctv: {
    label: 'CCTV',
    who: 'CCTV coordinators',
    description: 'Night-time-economy hot spots at all hours, with the cameras and their reach.',
    set: { layers: ['wards', 'hotspots', 'cameras'], preset: '', days: [], hours: '', category: ['nte'], resolution: '10', k: '1' },
  },
  licensing: {
    label: 'Licensing',
    who: 'licensing officers',
    description: 'Friday and Saturday night hot spots around licensed venues.',
    set: { layers: ['wards', 'hotspots', 'venues'], preset: 'nte', days: [], hours: '', category: ['nte'], resolution: '10', k: '1' },
  },
};

const LIST_KEYS = new Set(['layers', 'days', 'ward', 'category']);
const MONTH_OR_DATE = /^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$/;
const HOURS = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/;
const MAP = /^(\d{1,2})\/(-?\d{1,2}(\.\d+)?)\/(-?\d{1,3}(\.\d+)?)$/;

/** Checks one value; returns an error message or '' (the server checks again, this is for the form). */
export function checkValue(key, value) {
  if (key === 'from' || key === 'to') {
    return value === '' || MONTH_OR_DATE.test(value) ? '' : `${key} must be a month (2024-03) or a date (2024-03-15)`;
  }
  if (key === 'hours') {
    return value === '' || HOURS.test(value) ? '' : 'hours must look like 20:00-04:00';
  }
  if (key === 'permutations') {
    return /^\d{1,4}$/.test(value) ? '' : 'permutations must be a whole number from 0 to 9999';
  }
  return '';
}

/** Returns a fresh copy of the defaults. */
export function defaults() {
  return structuredClone({ ...DEFAULTS });
}

/** Applies a view's settings to a state; unknown view names leave the state as it was. */
export function applyView(state, view) {
  const v = VIEWS[view];
  if (!v) return state;
  return { ...state, ...structuredClone(v.set), view };
}

/** Parses a URL hash (with or without `#`) into a full state; unknown or malformed parts fall back to defaults. */
export function parseHash(hash) {
  const state = defaults();
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  for (const [key, raw] of params) {
    if (!(key in DEFAULTS)) continue;
    if (LIST_KEYS.has(key)) {
      state[key] = raw === '' ? [] : raw.split(',').filter((s) => s !== '');
    } else {
      state[key] = raw;
    }
  }
  state.layers = state.layers.filter((l) => LAYERS.some((x) => x.id === l));
  state.days = DAYS.filter((d) => state.days.includes(d));
  if (state.view !== '' && !(state.view in VIEWS)) state.view = '';
  if (state.preset !== '' && state.preset !== 'custom' && !(state.preset in PRESETS)) state.preset = '';
  if (!/^(7|8|9|10|11|auto)$/.test(state.resolution)) state.resolution = DEFAULTS.resolution;
  if (!/^[123]$/.test(state.k)) state.k = DEFAULTS.k;
  if (!['true', 'false'].includes(state.fdr)) state.fdr = DEFAULTS.fdr;
  if (!['analytic', 'permutation'].includes(state.inference)) state.inference = DEFAULTS.inference;
  if (!['month', 'week'].includes(state.step)) state.step = DEFAULTS.step;
  if (!['', 'bank-holidays', 'events'].includes(state.calendar)) state.calendar = '';
  if (state.map !== '' && !MAP.test(state.map)) state.map = '';
  return state;
}

/** Serialises a state into a hash (`#...`), leaving out values equal to their defaults. */
export function toHash(state) {
  const out = new URLSearchParams();
  for (const key of Object.keys(DEFAULTS)) {
    const value = state[key];
    const def = DEFAULTS[key];
    if (LIST_KEYS.has(key)) {
      if (value.join(',') !== def.join(',')) out.set(key, value.join(','));
    } else if (value !== def) {
      out.set(key, value);
    }
  }
  // Commas are legal in a fragment; keep them readable.
  return `#${out.toString().replaceAll('%2C', ',').replaceAll('%2F', '/').replaceAll('%3A', ':')}`;
}

/** Formats the map position as `zoom/lat/lon` with ~1 m precision. */
export function mapPosition(zoom, lat, lon) {
  return `${Math.round(zoom)}/${lat.toFixed(5)}/${lon.toFixed(5)}`;
}

/** Reads `zoom/lat/lon`; returns null when absent. */
export function parseMapPosition(text) {
  const m = MAP.exec(text);
  if (!m) return null;
  return { zoom: Number(m[1]), lat: Number(m[2]), lon: Number(m[4]) };
}

/**
 * The window and filter parameters for API requests, as URLSearchParams.
 * `extra` adds or overrides keys; `omit` drops keys (e.g. `ward` when asking for every ward).
 */
export function windowParams(state, { omit = [], extra = {} } = {}) {
  const p = new URLSearchParams();
  if (state.from) p.set('from', state.from);
  if (state.to) p.set('to', state.to);
  if (state.preset === 'custom') {
    if (state.days.length > 0) p.set('days', state.days.join(','));
    if (state.hours) p.set('hours', state.hours);
  } else if (state.preset) {
    p.set('preset', state.preset);
  }
  if (state.calendar) p.set('calendar', state.calendar);
  for (const w of state.ward) p.append('ward', w);
  for (const c of state.category) p.append('category', c);
  for (const key of omit) p.delete(key);
  for (const [key, value] of Object.entries(extra)) p.set(key, value);
  return p;
}

/**
 * Parameters of `/api/hotspots`, or with `emerging` of `/api/emerging`, which takes `step` and
 * no permutation options (its space-time Gi* is analytic, as ArcGIS's).
 */
export function hotspotParams(state, { emerging = false } = {}) {
  const p = windowParams(state);
  p.set('resolution', state.resolution);
  p.set('k', state.k);
  if (!emerging) p.set('permutations', state.permutations);
  p.set('fdr', state.fdr);
  if (!emerging) p.set('inference', state.inference);
  if (emerging) p.set('step', state.step);
  return p;
}

/** Parameters of `/api/density` (window, wards, categories, and the H3 resolution for its cells). */
export function densityParams(state) {
  const p = windowParams(state);
  p.set('resolution', state.resolution);
  return p;
}

/** One English line describing the window, for the status line and the printout. */
export function describeWindow(state) {
  const parts = [];
  parts.push(state.from || state.to ? `${state.from || 'start'} to ${state.to || 'end'}` : 'all dates');
  if (state.preset === 'custom') {
    const days = state.days.length === 0 || state.days.length === 7 ? 'every day' : state.days.join(', ');
    parts.push(state.hours ? `${days} ${state.hours}` : days);
  } else if (state.preset) {
    parts.push(PRESETS[state.preset].label);
  } else {
    parts.push('all hours');
  }
  if (state.calendar === 'bank-holidays') parts.push('bank-holiday nights only');
  if (state.calendar === 'events') parts.push('event days only');
  parts.push(state.category.length ? `categories ${state.category.join(', ')}` : 'all categories');
  parts.push(state.ward.length ? `wards ${state.ward.join(', ')}` : 'all wards');
  parts.push(`H3 resolution ${state.resolution}, k = ${state.k}`);
  return parts.join('; ');
}
