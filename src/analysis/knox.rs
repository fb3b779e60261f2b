//! The Knox test for near repeats, with Monte Carlo expectations and one global test.
//!
//! Citation: Knox (1964), "The detection of space-time interactions", *Applied Statistics*
//! 13:25–29; the banded, permutation form of Ratcliffe's Near Repeat Calculator (NRC, 2009) and
//! of `wsteenbeek/NearRepeat` (R); the global max-T test of Westfall & Young (1993),
//! *Resampling-Based Multiple Testing*, §2.6.
//!
//! Parameters:
//! - events: British National Grid positions (metres) and day numbers (days since 1970-01-01);
//! - `space_bands_m`: ascending upper edges in metres, e.g. `[100, 200, 300, 400]`;
//! - `time_bands_days`: ascending upper edges in days, e.g. `[7, 14, 21, 28]`;
//! - `permutations` (0–9999) and `seed`.
//!
//! Band convention (published in every output): every band is **left-closed, right-open**,
//! `[a, b)`, in space and in time. Space: "same location" `[0, 0.001)` m, then
//! `[0.001, b1)`, `[b1, b2)`, … and "more than" `[bk, ∞)`. Time: `[0, t1)`, `[t1, t2)`, … and
//! "more than" `[tm, ∞)` days. So "0–7 days" means a gap of 0 to 6 whole days. The NRC labels a
//! band "a to b" but counts `[a − 1, b)` (methods.md §5.3, `tobydavies/NearRepeat`), which
//! over-states short-range effects; this module does not.
//!
//! Returns: per cell (space band × time band) the observed pair count, the expected count (mean
//! of the simulations; with 0 permutations the classic Knox expectation row × column / pairs),
//! the Knox ratio observed/expected, the pseudo p-value `(#sim ≥ obs + 1)/(n + 1)` and the
//! Westfall–Young max-T adjusted p; and one global test over the near bands.
//!
//! Algorithm:
//! 1. Distances are Euclidean in metres (the NRC offers Manhattan too; BNG is a conformal
//!    projection, so Euclidean distance is the ground distance to within 0.04 %).
//! 2. Enumerate only the pairs closer than the largest space edge, with an R-tree
//!    (`locate_within_distance`), and record each pair's space band once; these never change.
//! 3. Count all pairs per time band from the sorted days (two pointers). Permuting days over
//!    locations keeps the multiset of days, so these totals are the same in every simulation;
//!    the "more than" space row is the total minus the near rows, with no pair enumerated.
//! 4. Observed table: each near pair's time band from its two days.
//! 5. Each simulation shuffles the days over the fixed locations (Fisher–Yates, PCG seeded from
//!    `seed`) and recounts the near pairs.
//! 6. Per cell: expected = mean of simulations, ratio, p.
//! 7. Global test over the near bands (every space band but "more than" × every time band but
//!    "more than"): each cell is standardised, T = (count − mean)/sd with mean and sd over the
//!    observed table and the simulations together (so all n + 1 tables are exchangeable under
//!    the null); the statistic is max over near cells of T, and its p is
//!    `(#sim with max T ≥ observed max T + 1)/(n + 1)`. A max-type statistic is chosen over the
//!    sum of near counts because near-repeat effects are usually confined to the shortest bands
//!    (0–100 m, 0–7 days) and the sum dilutes them with the outer near bands; the max-T test
//!    keeps the family-wise error at the nominal level across all near cells (Westfall & Young
//!    1993), so "any band significant" does not inflate false alarms. The same null
//!    distribution gives each cell its adjusted p.
//!
//! Notes: the R-tree query costs O(n log n + P) for P near pairs; each simulation costs O(n + P).
//! Sizes are capped: at most [`MAX_EVENTS`] events and [`MAX_PAIR_WORK`] pair visits
//! (P × (permutations + 1)); the errors name the caps.
//!
//! Example:
//! ```
//! use hotspot::analysis::knox::{KnoxConfig, KnoxEvent, knox};
//! let events: Vec<KnoxEvent> = (0..40)
//!     .map(|i| KnoxEvent { xy: [f64::from(i % 7) * 90.0, f64::from(i / 7) * 90.0], day: i64::from(i * 3 % 50) })
//!     .collect();
//! let config = KnoxConfig { space_bands_m: vec![100.0, 200.0], time_bands_days: vec![7, 14], permutations: 99, seed: 1 };
//! let result = knox(&events, &config).unwrap();
//! assert_eq!(result.total_pairs, 40 * 39 / 2);
//! assert_eq!(result.cells.iter().map(|c| c.observed).sum::<u64>(), result.total_pairs);
//! ```

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_pcg::Pcg64Mcg;
use rstar::{RTree, primitives::GeomWithData};
use serde::Serialize;

/// Upper edge of the "same location" band, metres (as `wsteenbeek/NearRepeat`'s 0.001 break).
pub const SAME_LOCATION_M: f64 = 0.001;

/// Most events one test takes.
pub const MAX_EVENTS: usize = 50_000;

/// Most near-pair visits one test may do: near pairs × (permutations + 1) (about a second of
/// CPU in a release build).
pub const MAX_PAIR_WORK: u64 = 1_000_000_000;

/// Most space or time bands.
pub const MAX_BANDS: usize = 20;

/// Most permutations.
pub const MAX_PERMUTATIONS: u32 = 9_999;

/// One event: where and on which day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KnoxEvent {
    /// British National Grid easting, northing, metres.
    pub xy: [f64; 2],
    /// Day number (days since 1970-01-01).
    pub day: i64,
}

/// What the test is asked.
#[derive(Debug, Clone, PartialEq)]
pub struct KnoxConfig {
    /// Ascending upper edges of the space bands, metres (each > 0.001).
    pub space_bands_m: Vec<f64>,
    /// Ascending upper edges of the time bands, days (each ≥ 1).
    pub time_bands_days: Vec<u32>,
    /// Monte Carlo simulations; 0 = the classic Knox expectation and no p-values.
    pub permutations: u32,
    /// Seed of the permutations.
    pub seed: u64,
}

/// Why the test cannot run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum KnoxError {
    /// Fewer than two events.
    #[error("the Knox test needs at least 2 dated events; got {n}")]
    TooFewEvents {
        /// Events given.
        n: usize,
    },
    /// More events than [`MAX_EVENTS`].
    #[error(
        "{n} events: the Knox test takes at most {max}; narrow the window, wards or categories"
    )]
    TooManyEvents {
        /// Events given.
        n: usize,
        /// The cap.
        max: usize,
    },
    /// Too many near pairs for the permutations asked.
    #[error(
        "{pairs} pairs closer than {max_space_m} m × {sims} tables is more than the cap of {max} pair visits; use fewer permutations, a smaller largest space band or a narrower selection"
    )]
    TooMuchWork {
        /// Near pairs.
        pairs: u64,
        /// Largest space edge, metres.
        max_space_m: f64,
        /// Tables counted (permutations + 1).
        sims: u64,
        /// The cap, [`MAX_PAIR_WORK`].
        max: u64,
    },
    /// Bands not ascending, out of range or too many.
    #[error("{which}: {why}")]
    Bands {
        /// `space-bands-m` or `time-bands-days`.
        which: &'static str,
        /// What is wrong.
        why: String,
    },
    /// More permutations than [`MAX_PERMUTATIONS`].
    #[error("{n} permutations: at most {MAX_PERMUTATIONS}")]
    TooManyPermutations {
        /// Asked.
        n: u32,
    },
    /// An event position is not finite.
    #[error("event {index} has a position that is not a finite number")]
    NotFinite {
        /// Its index.
        index: usize,
    },
}

/// A band: `[lower, upper)`, `upper` = `None` for "more than".
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Band {
    /// Lower edge (included).
    pub lower: f64,
    /// Upper edge (excluded); `None` = unbounded.
    pub upper: Option<f64>,
}

impl Band {
    /// `[a, b)` as text, e.g. `[0.001, 100)`, `[400, ∞)`.
    pub fn interval(&self) -> String {
        match self.upper {
            Some(u) => format!("[{}, {})", self.lower, u),
            None => format!("[{}, ∞)", self.lower),
        }
    }
}

/// One cell of the table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KnoxCell {
    /// Index into [`KnoxResult::space_bands`].
    pub space: usize,
    /// Index into [`KnoxResult::time_bands`].
    pub time: usize,
    /// Pairs observed.
    pub observed: u64,
    /// Expected pairs: mean of the simulations (0 permutations: row × column / total).
    pub expected: f64,
    /// observed / expected; `None` when expected is 0.
    pub ratio: Option<f64>,
    /// Pseudo p-value `(#sim ≥ obs + 1)/(n + 1)`; `None` without permutations.
    pub p: Option<f64>,
    /// Westfall–Young max-T adjusted p (near cells only); `None` without permutations.
    pub p_adjusted: Option<f64>,
    /// Whether the cell is near in both space and time (part of the global test).
    pub near: bool,
}

/// The global test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GlobalTest {
    /// What the statistic is.
    pub statistic: &'static str,
    /// Observed max T.
    pub observed: f64,
    /// `(#sim ≥ observed + 1)/(n + 1)`.
    pub p: f64,
}

/// The test's answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KnoxResult {
    /// Events tested.
    pub events: usize,
    /// All pairs, n(n − 1)/2.
    pub total_pairs: u64,
    /// Pairs closer than the largest space edge.
    pub near_pairs: u64,
    /// Space bands, metres: same location, the given bands, more than.
    pub space_bands: Vec<Band>,
    /// Time bands, days: the given bands, more than.
    pub time_bands: Vec<Band>,
    /// Cells, space-major (`space * time_bands.len() + time`).
    pub cells: Vec<KnoxCell>,
    /// The global test over the near cells; `None` without permutations.
    pub global: Option<GlobalTest>,
    /// Permutations run.
    pub permutations: u32,
    /// Their seed.
    pub seed: u64,
}

impl KnoxResult {
    /// The cell at (space band, time band).
    pub fn cell(&self, space: usize, time: usize) -> &KnoxCell {
        &self.cells[space * self.time_bands.len() + time]
    }
}

fn check_bands(config: &KnoxConfig) -> Result<(), KnoxError> {
    let bad = |which, why: String| Err(KnoxError::Bands { which, why });
    let s = &config.space_bands_m;
    if s.is_empty() || s.len() > MAX_BANDS {
        return bad("space-bands-m", format!("give 1 to {MAX_BANDS} bands"));
    }
    if s.iter()
        .any(|b| !b.is_finite() || *b <= SAME_LOCATION_M || *b > 100_000.0)
    {
        return bad(
            "space-bands-m",
            "each edge must be above 0.001 m and at most 100000 m".into(),
        );
    }
    if s.windows(2).any(|w| w[1] <= w[0]) {
        return bad("space-bands-m", "edges must be strictly ascending".into());
    }
    let t = &config.time_bands_days;
    if t.is_empty() || t.len() > MAX_BANDS {
        return bad("time-bands-days", format!("give 1 to {MAX_BANDS} bands"));
    }
    if t.iter().any(|b| *b == 0 || *b > 3_650) {
        return bad("time-bands-days", "each edge must be 1 to 3650 days".into());
    }
    if t.windows(2).any(|w| w[1] <= w[0]) {
        return bad("time-bands-days", "edges must be strictly ascending".into());
    }
    if config.permutations > MAX_PERMUTATIONS {
        return Err(KnoxError::TooManyPermutations {
            n: config.permutations,
        });
    }
    Ok(())
}

/// The space band of a distance (0 = same location; `edges.len() + 1` = more than).
pub fn space_band(distance_m: f64, edges_m: &[f64]) -> usize {
    if distance_m < SAME_LOCATION_M {
        return 0;
    }
    1 + edges_m.iter().take_while(|e| distance_m >= **e).count()
}

/// The time band of a gap in days (`edges.len()` = more than).
pub fn time_band(gap_days: u64, edges_days: &[u32]) -> usize {
    edges_days
        .iter()
        .take_while(|e| gap_days >= u64::from(**e))
        .count()
}

/// Runs the test (see the module doc).
pub fn knox(events: &[KnoxEvent], config: &KnoxConfig) -> Result<KnoxResult, KnoxError> {
    check_bands(config)?;
    let n = events.len();
    if n < 2 {
        return Err(KnoxError::TooFewEvents { n });
    }
    if n > MAX_EVENTS {
        return Err(KnoxError::TooManyEvents { n, max: MAX_EVENTS });
    }
    if let Some(index) = events
        .iter()
        .position(|e| !e.xy[0].is_finite() || !e.xy[1].is_finite())
    {
        return Err(KnoxError::NotFinite { index });
    }
    let space_edges = &config.space_bands_m;
    let time_edges = &config.time_bands_days;
    let max_space = *space_edges.last().expect("checked non-empty");
    let n_space = space_edges.len() + 2;
    let n_time = time_edges.len() + 1;
    let n_near_space = n_space - 1;

    // 2. Near pairs and their space bands.
    let tree = RTree::bulk_load(
        events
            .iter()
            .enumerate()
            .map(|(i, e)| GeomWithData::new(e.xy, i as u32))
            .collect(),
    );
    let mut pairs: Vec<(u32, u32, u8)> = Vec::new();
    for (i, e) in events.iter().enumerate() {
        for other in tree.locate_within_distance(e.xy, max_space * max_space) {
            let j = other.data as usize;
            if j <= i {
                continue;
            }
            let d = (e.xy[0] - other.geom()[0]).hypot(e.xy[1] - other.geom()[1]);
            if d < max_space {
                pairs.push((i as u32, j as u32, space_band(d, space_edges) as u8));
            }
        }
    }
    pairs.sort_unstable();
    let near_pairs = pairs.len() as u64;
    let sims = u64::from(config.permutations) + 1;
    if near_pairs.saturating_mul(sims) > MAX_PAIR_WORK {
        return Err(KnoxError::TooMuchWork {
            pairs: near_pairs,
            max_space_m: max_space,
            sims,
            max: MAX_PAIR_WORK,
        });
    }

    // 3. All pairs per time band, from the sorted days.
    let mut days: Vec<i64> = events.iter().map(|e| e.day).collect();
    let total_pairs = (n as u64) * (n as u64 - 1) / 2;
    let time_totals = time_totals(&days, time_edges, total_pairs);

    // Near pairs as columns: first event, second event, first cell of their space row.
    let pair_i: Vec<u32> = pairs.iter().map(|p| p.0).collect();
    let pair_j: Vec<u32> = pairs.iter().map(|p| p.1).collect();
    let pair_row: Vec<u32> = pairs
        .iter()
        .map(|p| u32::from(p.2) * n_time as u32)
        .collect();
    let mut near_row_totals = vec![0u64; n_near_space];
    for p in &pairs {
        near_row_totals[usize::from(p.2)] += 1;
    }
    drop(pairs);

    // Gap → time band lookup for gaps below the last edge. Pairs at or beyond it are never
    // counted one by one: each near row's "more than" cell is its (fixed) total minus its near
    // cells, so a simulation costs one comparison for most pairs.
    let last_edge = *time_edges.last().expect("checked non-empty");
    let lookup: Vec<u8> = (0..u64::from(last_edge))
        .map(|g| time_band(g, time_edges) as u8)
        .collect();
    let more_than_time = time_edges.len();
    let count = |days: &[i64], table: &mut [u64]| {
        table.fill(0);
        for ((&i, &j), &row) in pair_i.iter().zip(&pair_j).zip(&pair_row) {
            let gap = days[i as usize].abs_diff(days[j as usize]);
            if gap < u64::from(last_edge) {
                table[row as usize + usize::from(lookup[gap as usize])] += 1;
            }
        }
        for (s, total) in near_row_totals.iter().enumerate() {
            let near: u64 = table[s * n_time..s * n_time + more_than_time].iter().sum();
            table[s * n_time + more_than_time] = total - near;
        }
        // The "more than" space row: totals minus the near rows.
        for t in 0..n_time {
            let near: u64 = (0..n_near_space).map(|s| table[s * n_time + t]).sum();
            table[n_near_space * n_time + t] = time_totals[t] - near;
        }
    };

    // 4. Observed.
    let n_cells = n_space * n_time;
    let mut observed = vec![0u64; n_cells];
    count(&days, &mut observed);

    // 5. Simulations.
    let mut rng = Pcg64Mcg::seed_from_u64(config.seed);
    let mut simulated: Vec<Vec<u64>> = Vec::with_capacity(config.permutations as usize);
    let mut table = vec![0u64; n_cells];
    for _ in 0..config.permutations {
        days.shuffle(&mut rng);
        count(&days, &mut table);
        simulated.push(table.clone());
    }

    // 6. Cells.
    let near_cell = |c: usize| c / n_time < n_near_space && c % n_time < more_than_time;
    let row_totals: Vec<u64> = (0..n_space)
        .map(|s| observed[s * n_time..(s + 1) * n_time].iter().sum())
        .collect();
    let perms = f64::from(config.permutations);
    let mut cells: Vec<KnoxCell> = (0..n_cells)
        .map(|c| {
            let obs = observed[c];
            let (expected, p) = if config.permutations == 0 {
                let e = row_totals[c / n_time] as f64 * time_totals[c % n_time] as f64
                    / total_pairs as f64;
                (e, None)
            } else {
                let sum: u64 = simulated.iter().map(|t| t[c]).sum();
                let ge = simulated.iter().filter(|t| t[c] >= obs).count() as f64;
                (sum as f64 / perms, Some((ge + 1.0) / (perms + 1.0)))
            };
            KnoxCell {
                space: c / n_time,
                time: c % n_time,
                observed: obs,
                expected,
                ratio: (expected > 0.0).then(|| obs as f64 / expected),
                p,
                p_adjusted: None,
                near: near_cell(c),
            }
        })
        .collect();

    // 7. Global max-T test over the near cells.
    let global = (config.permutations > 0).then(|| {
        let near: Vec<usize> = (0..n_cells).filter(|&c| near_cell(c)).collect();
        let all = || std::iter::once(&observed).chain(simulated.iter());
        let tables = f64::from(config.permutations) + 1.0;
        let standard: Vec<(f64, f64)> = near
            .iter()
            .map(|&c| {
                let mean = all().map(|t| t[c] as f64).sum::<f64>() / tables;
                let var = all().map(|t| (t[c] as f64 - mean).powi(2)).sum::<f64>() / tables;
                (mean, var.sqrt())
            })
            .collect();
        let t_of = |table: &[u64], k: usize| {
            let (mean, sd) = standard[k];
            if sd > 0.0 {
                (table[near[k]] as f64 - mean) / sd
            } else {
                0.0
            }
        };
        let max_t = |table: &[u64]| {
            (0..near.len())
                .map(|k| t_of(table, k))
                .fold(f64::NEG_INFINITY, f64::max)
        };
        // A small tolerance so equal tables tie despite rounding.
        let eps = 1e-9;
        let sim_max: Vec<f64> = simulated.iter().map(|t| max_t(t)).collect();
        let observed_max = max_t(&observed);
        let p_of = |stat: f64| {
            (sim_max.iter().filter(|&&m| m >= stat - eps).count() as f64 + 1.0)
                / (perms + 1.0)
        };
        for (k, &c) in near.iter().enumerate() {
            cells[c].p_adjusted = Some(p_of(t_of(&observed, k)));
        }
        GlobalTest {
            statistic: "max over near cells of (count − mean) / sd, mean and sd over the observed and simulated tables (Westfall & Young 1993 max-T)",
            observed: observed_max,
            p: p_of(observed_max),
        }
    });

    let mut space_bands = vec![Band {
        lower: 0.0,
        upper: Some(SAME_LOCATION_M),
    }];
    let mut lower = SAME_LOCATION_M;
    for &e in space_edges {
        space_bands.push(Band {
            lower,
            upper: Some(e),
        });
        lower = e;
    }
    space_bands.push(Band { lower, upper: None });
    let mut time_bands = Vec::new();
    let mut lower = 0.0;
    for &e in time_edges {
        time_bands.push(Band {
            lower,
            upper: Some(f64::from(e)),
        });
        lower = f64::from(e);
    }
    time_bands.push(Band { lower, upper: None });
    Ok(KnoxResult {
        events: n,
        total_pairs,
        near_pairs,
        space_bands,
        time_bands,
        cells,
        global,
        permutations: config.permutations,
        seed: config.seed,
    })
}

/// Pairs per time band over all pairs, from the days sorted (two pointers per edge).
fn time_totals(days: &[i64], edges: &[u32], total_pairs: u64) -> Vec<u64> {
    let mut sorted = days.to_vec();
    sorted.sort_unstable();
    // below[k] = pairs with gap < edges[k].
    let below: Vec<u64> = edges
        .iter()
        .map(|&e| {
            let mut start = 0;
            let mut count = 0u64;
            for (j, &d) in sorted.iter().enumerate() {
                while d - sorted[start] >= i64::from(e) {
                    start += 1;
                }
                count += (j - start) as u64;
            }
            count
        })
        .collect();
    let mut out = Vec::with_capacity(edges.len() + 1);
    let mut prev = 0;
    for b in &below {
        out.push(b - prev);
        prev = *b;
    }
    out.push(total_pairs - prev);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn band_edges_are_left_closed() {
        let s = [100.0, 200.0];
        assert_eq!(space_band(0.0, &s), 0);
        assert_eq!(space_band(0.0009, &s), 0);
        assert_eq!(space_band(0.001, &s), 1);
        assert_eq!(space_band(99.999, &s), 1);
        assert_eq!(space_band(100.0, &s), 2);
        assert_eq!(space_band(200.0, &s), 3);
        let t = [7, 14];
        assert_eq!(time_band(0, &t), 0);
        assert_eq!(time_band(6, &t), 0);
        assert_eq!(time_band(7, &t), 1);
        assert_eq!(time_band(14, &t), 2);
    }

    #[test]
    fn hand_case() {
        // Three events: A and B 50 m apart, 3 days apart; C far away, 10 days after A.
        let ev = [
            KnoxEvent {
                xy: [0.0, 0.0],
                day: 0,
            },
            KnoxEvent {
                xy: [50.0, 0.0],
                day: 3,
            },
            KnoxEvent {
                xy: [5000.0, 0.0],
                day: 10,
            },
        ];
        let cfg = KnoxConfig {
            space_bands_m: vec![100.0],
            time_bands_days: vec![7],
            permutations: 0,
            seed: 1,
        };
        let r = knox(&ev, &cfg).unwrap();
        assert_eq!(r.total_pairs, 3);
        assert_eq!(r.near_pairs, 1);
        // Space 1 ([0.001, 100)), time 0 ([0, 7)): the A–B pair.
        assert_eq!(r.cell(1, 0).observed, 1);
        // More than 100 m: A–C (gap 10), B–C (gap 7): both in [7, ∞).
        assert_eq!(r.cell(2, 1).observed, 2);
        assert_eq!(r.cell(2, 0).observed, 0);
        // Classic expectation: row 1 total 1 × time 0 total 1 / 3.
        assert!((r.cell(1, 0).expected - 1.0 / 3.0).abs() < 1e-12);
        assert!(r.global.is_none());
    }

    #[test]
    fn bad_bands_are_refused() {
        let cfg = KnoxConfig {
            space_bands_m: vec![200.0, 100.0],
            time_bands_days: vec![7],
            permutations: 9,
            seed: 1,
        };
        let ev = [KnoxEvent {
            xy: [0.0, 0.0],
            day: 0,
        }; 3];
        assert!(matches!(
            knox(&ev, &cfg),
            Err(KnoxError::Bands {
                which: "space-bands-m",
                ..
            })
        ));
        assert_eq!(
            knox(
                &ev[..1],
                &KnoxConfig {
                    space_bands_m: vec![100.0],
                    ..cfg
                }
            ),
            Err(KnoxError::TooFewEvents { n: 1 })
        );
    }
}
