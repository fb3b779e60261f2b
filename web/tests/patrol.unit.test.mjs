// The patrol panel's query string (patrol.js `patrolParams`), without a browser.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { patrolParams } from '../patrol.js';

test('the plan query carries the panel fields and the map state\'s dates and categories', () => {
  const p = patrolParams(
    { ward: 'E05002443', shift: 'fri 22:00-03:00', dwell: '12', start: '50.79,-1.09' },
    { from: '2023-01', to: '2024-12', category: ['asb', 'violence'] },
    'gpx',
  );
  assert.equal(
    p.toString(),
    'ward=E05002443&shift=fri+22%3A00-03%3A00&dwell-min=12&start=50.79%2C-1.09&from=2023-01&to=2024-12&category=asb&category=violence&format=gpx',
  );
  // Empty optional fields and an empty window are left out.
  const q = patrolParams({ ward: 'W', shift: '22:00-02:00', dwell: '', start: '' }, { from: '', to: '', category: [] }, 'geojson');
  assert.equal(q.toString(), 'ward=W&shift=22%3A00-02%3A00&format=geojson');
});
