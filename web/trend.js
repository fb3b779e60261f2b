// The ward popup's trend against the community safety plan's target (3 % fewer ASB reports a
// year). Pure (unit-tested in node).

/** The plan's target: change in ASB reports per year, in percent. */
export const TARGET_PCT_PER_YEAR = -3;

/**
 * The yearly change of a dense monthly series (`[{month, count}]`, oldest first), in percent.
 *
 * 1. With 24 months or more: the last 12 months against the 12 before them (year on year), as
 *    plans report it.
 * 2. With 6–23 months: a least-squares line through the counts; the change is 12 × slope over
 *    the mean monthly count.
 * 3. Fewer than 6 months, or no reports at all: no trend (`null`), with the reason.
 *
 * Returns `{ pct, method, months, reason, onTrack }`; `onTrack` is whether `pct` meets the
 * target (`pct <= TARGET_PCT_PER_YEAR`).
 */
export function yearlyChange(series) {
  const n = series.length;
  const counts = series.map((s) => s.count);
  const total = counts.reduce((a, c) => a + c, 0);
  if (n < 6) return { pct: null, method: null, months: n, reason: `only ${n} month${n === 1 ? '' : 's'} of data (6 needed)`, onTrack: null };
  if (total === 0) return { pct: null, method: null, months: n, reason: 'no reports in the window', onTrack: null };
  let pct;
  let method;
  if (n >= 24) {
    const last = counts.slice(n - 12).reduce((a, c) => a + c, 0);
    const before = counts.slice(n - 24, n - 12).reduce((a, c) => a + c, 0);
    if (before === 0) return { pct: null, method: null, months: n, reason: 'no reports in the earlier year', onTrack: null };
    pct = ((last - before) / before) * 100;
    method = `last 12 months against the 12 before (${last} vs ${before})`;
  } else {
    const meanT = (n - 1) / 2;
    const meanY = total / n;
    let sxy = 0;
    let sxx = 0;
    counts.forEach((y, t) => {
      sxy += (t - meanT) * (y - meanY);
      sxx += (t - meanT) ** 2;
    });
    pct = ((12 * (sxy / sxx)) / meanY) * 100;
    method = `straight-line fit over ${n} months`;
  }
  return { pct, method, months: n, reason: null, onTrack: pct <= TARGET_PCT_PER_YEAR };
}
