//! Mobile CCTV siting end to end: selection → weighted demand → candidate sites → maximal
//! covering location (Church & ReVelle 1974) → ranked sites, and the monthly rotation backtest.
//!
//! # Citation
//! Church & ReVelle (1974) for the model, with fixed facilities as in R `spopt::mclp(...,
//! fixed_col = ...)`; Nemhauser, Wolsey & Fisher (1978) for greedy's bound (see
//! [`crate::analysis::coverage`]). Weights by group: methods.md §10 (defaults, not findings).
//!
//! # Parameters
//! The selection's (window, `ward`, `category`), and `cameras` (1–50, default 3), `radius-m`
//! (metres, 10–1000, default 100), `existing` (bool), `sites` (`id:lat:lon` list, ≤ 64; the CLI
//! reads a file of up to 10,000), `weights` (`group:weight` list), `half-life-months` (0.1–120),
//! `resolution` (H3 7–11, default 10), `exact` (bool), `rotate` (bool) with `months` (1–24,
//! default 3).
//!
//! # Returns
//! [`CctvResult`]: the sites by rank with `gain` (weighted, marginal), `covered` and
//! `new_covered` (incidents); a summary (`covered`, `total`, `score`, `share`, fixed-camera
//! coverage); with rotation, one row per test month and the means. When rotating, the summary
//! describes the proposal's placement (the last N months), and `window_incidents` the window.
//!
//! # Notes
//! Cost: one R-tree query per candidate, then lazy greedy (see the coverage module); the real
//! Portsmouth months (24 k incidents, 2.4 k candidates, 10 cameras) take about 0.4 s in a debug
//! build. Candidates are capped at [`MAX_CANDIDATES`], pairs at
//! [`crate::analysis::coverage::MAX_PAIRS`], the exact search at [`MAX_EXACT_SETS`] site sets;
//! each cap is a 400 naming the parameter to change.
//!
//! # Example
//! `hotspot cctv --preset nte --cameras 5 --existing`, or
//! `GET /api/cctv?preset=nte&cameras=5&existing=true`.
//!
//! # Algorithm
//! 1. Select incidents (window, wards, categories) inside the study area (inside a ward, when
//!    wards are loaded, as for density and hot spots). Each incident's weight is its selection
//!    weight (1, or the aoristic share) × its group's weight (methods.md §10 defaults,
//!    overridable with `weights`) × `0.5^(age / half-life)` when `half-life-months` is given
//!    (age in months before the window's last month, or the data's last selected month when the
//!    window has no end).
//! 2. Incidents at the same position (police.uk snaps to map points) are one demand point with
//!    the summed weight and the incident count.
//! 3. With `existing=true`, demand within reach of an imported fixed camera (its own radius)
//!    is already covered and counts for nothing.
//! 4. Candidates: the permitted `sites`, or the centres of the H3 cells (at `resolution`,
//!    default 10, about 75 m across) that hold selected incidents, and their immediate
//!    neighbours.
//! 5. Coverage (R-tree, `radius-m`), then lazy greedy for `cameras` sites, or the exact optimum
//!    with `exact=true` (small instances only).
//! 6. With `rotate=true&months=N`: for every month m of the selection that has N months of
//!    data before it, place cameras from months m−N..m−1 by this rule and by the naive rule
//!    (the `cameras` cells with the most incidents, cameras at their centres), and count the
//!    incidents of month m within reach. The sites returned are next month's proposal: the
//!    placement from the last N months.

mod output;
mod placement;
mod request;

pub use placement::{FixedCoverage, PlacedSite, Placement};
pub use request::{
    CCTV_PARAMS, CctvRequest, DEFAULT_CAMERAS, DEFAULT_CCTV_RESOLUTION, DEFAULT_RADIUS_M,
    DEFAULT_ROTATE_MONTHS, MAX_CAMERAS, MAX_CANDIDATES, MAX_EXACT_SETS, MAX_ROTATE_MONTHS,
    MAX_SITES, Site, parse_inline_sites, parse_weights, weights_from_toml,
};

use crate::domain::Month;
use crate::index::Snapshot;
use crate::query::QueryError;
use placement::{covered_count, naive_sites, place};

/// One month of the rotation backtest.
#[derive(Debug, Clone, PartialEq)]
pub struct RotationRow {
    /// The test month.
    pub month: Month,
    /// First month of the history placed from.
    pub placed_from: Month,
    /// Last month of the history placed from.
    pub placed_to: Month,
    /// Incidents of the test month.
    pub incidents: usize,
    /// Of them, within reach of this rule's sites.
    pub ours_covered: usize,
    /// Of them, within reach of the naive rule's sites.
    pub naive_covered: usize,
}

/// The rotation backtest.
#[derive(Debug, Clone, PartialEq)]
pub struct Rotation {
    /// Months of history per placement.
    pub months: u32,
    /// One row per test month.
    pub rows: Vec<RotationRow>,
    /// The month the returned sites are proposed for.
    pub next_month: Option<Month>,
}

fn share(covered: usize, total: usize) -> f64 {
    if total == 0 {
        0.0
    } else {
        covered as f64 / total as f64
    }
}

impl Rotation {
    /// Mean share of the test months' incidents covered: (ours, naive); `None` with no rows.
    pub fn mean_shares(&self) -> Option<(f64, f64)> {
        if self.rows.is_empty() {
            return None;
        }
        let n = self.rows.len() as f64;
        let ours = self
            .rows
            .iter()
            .map(|r| share(r.ours_covered, r.incidents))
            .sum::<f64>()
            / n;
        let naive = self
            .rows
            .iter()
            .map(|r| share(r.naive_covered, r.incidents))
            .sum::<f64>()
            / n;
        Some((ours, naive))
    }

    /// Mean incidents covered per test month: (ours, naive); `None` with no rows.
    pub fn mean_covered(&self) -> Option<(f64, f64)> {
        if self.rows.is_empty() {
            return None;
        }
        let n = self.rows.len() as f64;
        let ours = self.rows.iter().map(|r| r.ours_covered as f64).sum::<f64>() / n;
        let naive = self
            .rows
            .iter()
            .map(|r| r.naive_covered as f64)
            .sum::<f64>()
            / n;
        Some((ours, naive))
    }
}

/// The result of a CCTV run.
#[derive(Debug, Clone)]
pub struct CctvResult {
    /// The request.
    pub request: CctvRequest,
    /// The month recency is measured from, when `half-life-months` is given.
    pub reference_month: Option<Month>,
    /// Incidents in the window (all of them, also when rotating).
    pub window_incidents: usize,
    /// Month-only rows left out of the window.
    pub left_out_month_only: usize,
    /// The placement (next month's proposal when rotating).
    pub placement: Placement,
    /// The rotation backtest, when asked for.
    pub rotation: Option<Rotation>,
}

/// Runs the analysis.
pub fn run_cctv(snap: &Snapshot, request: &CctvRequest) -> Result<CctvResult, QueryError> {
    let selected = request.selection.apply(snap);
    if selected.rows.is_empty() {
        return Err(QueryError::Empty(crate::query::why_empty(
            snap,
            &request.selection,
            &selected,
        )));
    }
    // The study area: incidents inside a ward (all of them when no wards are loaded).
    let rows: Vec<(u32, f64)> = selected
        .rows
        .iter()
        .copied()
        .zip(selected.weights.iter().copied())
        .filter(|&(r, _)| snap.incidents.ward[r as usize].is_some() || snap.wards.is_empty())
        .collect();
    if rows.is_empty() {
        return Err(QueryError::Empty(
            "no selected incident lies inside a ward (the study area)".to_owned(),
        ));
    }
    let month_of = |r: u32| snap.incidents.month[r as usize];
    let last = rows.iter().map(|&(r, _)| month_of(r)).max();
    let first = rows.iter().map(|&(r, _)| month_of(r)).min();
    let window_end = request.selection.window.to().map(Month::of);
    let (placement, rotation, reference) = match (request.rotate_months, first, last) {
        (Some(n), Some(first), Some(last)) => {
            let n = n as i32;
            let in_months = |from: Month, to: Month| -> Vec<(u32, f64)> {
                rows.iter()
                    .copied()
                    .filter(|&(r, _)| (from..=to).contains(&month_of(r)))
                    .collect()
            };
            let mut table = Vec::new();
            let mut m = first.plus(n);
            while let Some(month) = m.filter(|m| *m <= last) {
                let (Some(from), Some(to)) = (month.plus(-n), month.plus(-1)) else {
                    break;
                };
                let train = in_months(from, to);
                let test = in_months(month, month);
                let ours: Vec<[f64; 2]> = if train.is_empty() {
                    Vec::new()
                } else {
                    place(snap, request, &train, Some(to))?
                        .sites
                        .iter()
                        .map(|s| s.xy)
                        .collect()
                };
                let naive = naive_sites(snap, &train, request.resolution, request.cameras);
                table.push(RotationRow {
                    month,
                    placed_from: from,
                    placed_to: to,
                    incidents: test.len(),
                    ours_covered: covered_count(snap, &test, &ours, request.radius_m)?,
                    naive_covered: covered_count(snap, &test, &naive, request.radius_m)?,
                });
                m = month.plus(1);
            }
            let from = last.plus(1 - n).unwrap_or(first).max(first);
            let recent = in_months(from, last);
            let placement = place(snap, request, &recent, Some(last))?;
            (
                placement,
                Some(Rotation {
                    months: n as u32,
                    rows: table,
                    next_month: last.plus(1),
                }),
                Some(last),
            )
        }
        _ => {
            let reference = window_end.or(last);
            (place(snap, request, &rows, reference)?, None, reference)
        }
    };
    Ok(CctvResult {
        request: request.clone(),
        reference_month: request.half_life_months.and(reference),
        window_incidents: rows.len(),
        left_out_month_only: selected.left_out_month_only,
        placement,
        rotation,
    })
}
