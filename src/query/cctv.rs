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

use std::collections::{BTreeSet, HashMap};

use h3o::{CellIndex, LatLng, Resolution};
use serde_json::{Map, Value, json};

use super::{
    ParamBag, ParamError, QueryError, RawSelection, Selection, parse_bool, parse_in_range,
};
use crate::analysis::coverage::{Coverage, CoverageError, Pick, exact, greedy};
use crate::domain::{CameraKind, Group, Month, Wgs84};
use crate::index::{Snapshot, resolution_from_number};
use crate::time::EventCalendar;

/// Parameter names `cctv` accepts (besides the selection's).
pub const CCTV_PARAMS: &[&str] = &[
    "cameras",
    "radius-m",
    "existing",
    "sites",
    "weights",
    "half-life-months",
    "resolution",
    "exact",
    "rotate",
    "months",
];

/// Most cameras one request may place.
pub const MAX_CAMERAS: usize = 50;
/// Default number of cameras.
pub const DEFAULT_CAMERAS: usize = 3;
/// Default reach of a camera, metres (interface.md).
pub const DEFAULT_RADIUS_M: f64 = 100.0;
/// Default H3 resolution of candidate cells: resolution 10 cells are about 75 m across, so a
/// 100 m camera placed at a centre reaches past its own cell into the neighbours.
pub const DEFAULT_CCTV_RESOLUTION: Resolution = Resolution::Ten;
/// Most candidate sites (cells or permitted sites).
pub const MAX_CANDIDATES: usize = 100_000;
/// Most permitted sites read from a file.
pub const MAX_SITES: usize = 10_000;
/// Default months of history per placement when rotating.
pub const DEFAULT_ROTATE_MONTHS: u32 = 3;
/// Most months of history per placement when rotating.
pub const MAX_ROTATE_MONTHS: u32 = 24;
/// Most site sets the exact search may enumerate per request.
pub const MAX_EXACT_SETS: u64 = 200_000;

/// A permitted camera site (a lamp column, a building).
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    /// The site's id.
    pub id: String,
    /// Position.
    pub location: Wgs84,
}

/// A checked CCTV request.
#[derive(Debug, Clone)]
pub struct CctvRequest {
    /// Which incidents.
    pub selection: Selection,
    /// Cameras to place (1–[`MAX_CAMERAS`]).
    pub cameras: usize,
    /// Reach of a camera, metres.
    pub radius_m: f64,
    /// Whether imported fixed cameras' reach counts as already covered.
    pub existing: bool,
    /// Permitted sites; `None` = H3 cell centres.
    pub sites: Option<Vec<Site>>,
    /// Weight per group, indexed by `Group as usize`.
    pub weights: [f64; Group::ALL.len()],
    /// Half-life of the recency weight, months; `None` = no recency weighting.
    pub half_life_months: Option<f64>,
    /// H3 resolution of candidate cells.
    pub resolution: Resolution,
    /// Exact optimum instead of greedy.
    pub exact: bool,
    /// Months of history per placement when rotating; `None` = no rotation.
    pub rotate_months: Option<u32>,
}

fn number(
    bag: &mut ParamBag,
    name: &str,
    min: f64,
    max: f64,
    unit: &str,
) -> Result<Option<f64>, ParamError> {
    match bag.one(name)? {
        None => Ok(None),
        Some(t) => t
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= min && *v <= max)
            .map(Some)
            .ok_or_else(|| {
                ParamError::new(
                    name,
                    format!("{t:?} is not a number of {unit} from {min} to {max}"),
                )
            }),
    }
}

/// Parses `group:weight` pairs (`asb:1,violence:3`) over the defaults of methods.md §10.
pub fn parse_weights(values: &[String]) -> Result<[f64; Group::ALL.len()], ParamError> {
    let mut weights = Group::ALL.map(Group::default_cctv_weight);
    for item in super::split_list(values, "weights")? {
        let (g, w) = item.split_once(':').ok_or_else(|| {
            ParamError::new(
                "weights",
                format!("{item:?} is not group:weight (e.g. violence:3)"),
            )
        })?;
        let group = Group::lookup(g).ok_or_else(|| {
            ParamError::new(
                "weights",
                format!(
                    "unknown group {g:?}; groups: {}",
                    Group::ALL.map(Group::slug).join(", ")
                ),
            )
        })?;
        let w = w
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|w| w.is_finite() && (0.0..=1000.0).contains(w))
            .ok_or_else(|| {
                ParamError::new(
                    "weights",
                    format!("weight {w:?} of {g} is not a number from 0 to 1000"),
                )
            })?;
        weights[group as usize] = w;
    }
    Ok(weights)
}

/// Turns a weights TOML file (`violence = 3`, top level or under `[weights]`) into the
/// `weights` parameter's text (`violence:3`), so the CLI and HTTP share one check.
pub fn weights_from_toml(text: &str) -> Result<String, ParamError> {
    let table: toml::Table = text
        .parse()
        .map_err(|e| ParamError::new("weights", format!("not a TOML file: {e}")))?;
    let table = match table.get("weights") {
        Some(toml::Value::Table(t)) => t.clone(),
        _ => table,
    };
    let mut items = Vec::new();
    for (k, v) in &table {
        let w = match v {
            toml::Value::Integer(i) => *i as f64,
            toml::Value::Float(f) => *f,
            other => {
                return Err(ParamError::new(
                    "weights",
                    format!("{k} is a {}: give a number", other.type_str()),
                ));
            }
        };
        items.push(format!("{k}:{w}"));
    }
    Ok(items.join(","))
}

/// Parses the inline `sites` list of the HTTP API: `id:lat:lon` items, comma-separated or
/// repeated (at most [`super::MAX_LIST_VALUES`]).
pub fn parse_inline_sites(values: &[String]) -> Result<Vec<Site>, ParamError> {
    let mut sites: Vec<Site> = Vec::new();
    for item in super::split_list(values, "sites")? {
        let parts: Vec<&str> = item.split(':').collect();
        let bad = || ParamError::new("sites", format!("{item:?} is not id:lat:lon"));
        let [id, lat, lon] = parts.as_slice() else {
            return Err(bad());
        };
        let lat: f64 = lat.trim().parse().map_err(|_| bad())?;
        let lon: f64 = lon.trim().parse().map_err(|_| bad())?;
        let location = Wgs84::new(lon, lat)
            .map_err(|e| ParamError::new("sites", format!("site {id}: {e}")))?;
        sites.push(Site {
            id: (*id).trim().to_owned(),
            location,
        });
    }
    check_sites(&sites)?;
    Ok(sites)
}

fn check_sites(sites: &[Site]) -> Result<(), ParamError> {
    if sites.is_empty() {
        return Err(ParamError::new("sites", "no sites given"));
    }
    if sites.len() > MAX_SITES {
        return Err(ParamError::new(
            "sites",
            format!("{} sites; at most {MAX_SITES}", sites.len()),
        ));
    }
    let mut seen = BTreeSet::new();
    for s in sites {
        if s.id.is_empty() {
            return Err(ParamError::new("sites", "a site has an empty id"));
        }
        if !seen.insert(s.id.as_str()) {
            return Err(ParamError::new(
                "sites",
                format!("site id {:?} is given twice", s.id),
            ));
        }
    }
    Ok(())
}

impl CctvRequest {
    /// Checks raw parameters.
    pub fn from_params(
        bag: &mut ParamBag,
        snap: &Snapshot,
        events: Option<&EventCalendar>,
    ) -> Result<CctvRequest, ParamError> {
        let selection = RawSelection::take(bag)?.check(snap, events)?;
        let cameras = parse_in_range(
            bag.one("cameras")?.as_deref(),
            "cameras",
            DEFAULT_CAMERAS,
            1,
            MAX_CAMERAS,
        )?;
        let radius_m = number(bag, "radius-m", 10.0, 1000.0, "metres")?.unwrap_or(DEFAULT_RADIUS_M);
        let existing = parse_bool(bag.one("existing")?.as_deref(), "existing", false)?;
        let sites = bag.all("sites");
        let sites = if sites.is_empty() {
            None
        } else {
            Some(parse_inline_sites(&sites)?)
        };
        let weights = parse_weights(&bag.all("weights"))?;
        let half_life_months = number(bag, "half-life-months", 0.1, 120.0, "months")?;
        let resolution = match bag.one("resolution")? {
            None => DEFAULT_CCTV_RESOLUTION,
            Some(t) => t
                .trim()
                .parse::<u8>()
                .ok()
                .and_then(resolution_from_number)
                .ok_or_else(|| ParamError::new("resolution", format!("{t:?} is not 7–11")))?,
        };
        let exact = parse_bool(bag.one("exact")?.as_deref(), "exact", false)?;
        let rotate = parse_bool(bag.one("rotate")?.as_deref(), "rotate", false)?;
        let months = bag.one("months")?;
        let rotate_months = match (rotate, months) {
            (false, None) => None,
            (false, Some(_)) => {
                return Err(ParamError::new(
                    "months",
                    "months applies only with rotate=true",
                ));
            }
            (true, m) => Some(parse_in_range(
                m.as_deref(),
                "months",
                DEFAULT_ROTATE_MONTHS,
                1,
                MAX_ROTATE_MONTHS,
            )?),
        };
        if exact && rotate_months.is_some() {
            return Err(ParamError::new(
                "exact",
                "the exact answer is for one placement; leave it out with rotate=true",
            ));
        }
        Ok(CctvRequest {
            selection,
            cameras,
            radius_m,
            existing,
            sites,
            weights,
            half_life_months,
            resolution,
            exact,
            rotate_months,
        })
    }

    /// Replaces the candidates with permitted sites (the CLI's `--sites FILE`).
    pub fn with_sites(mut self, sites: Vec<Site>) -> Result<CctvRequest, ParamError> {
        check_sites(&sites)?;
        self.sites = Some(sites);
        Ok(self)
    }

    fn group_weight(&self, g: Group) -> f64 {
        self.weights[g as usize]
    }
}

/// A chosen camera site.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedSite {
    /// Rank, 1 = chosen first.
    pub rank: usize,
    /// Site id (the permitted site's, or the H3 cell's index).
    pub id: String,
    /// The H3 cell, when candidates are cells.
    pub cell: Option<CellIndex>,
    /// Position.
    pub location: Wgs84,
    /// British National Grid position, metres.
    pub xy: [f64; 2],
    /// Weighted coverage it adds to earlier picks and fixed cameras.
    pub gain: f64,
    /// Incidents within its own reach.
    pub covered: usize,
    /// Incidents it adds (not within reach of earlier picks or fixed cameras).
    pub new_covered: usize,
}

/// Coverage of imported fixed cameras (`existing=true`).
#[derive(Debug, Clone, PartialEq)]
pub struct FixedCoverage {
    /// Fixed cameras used.
    pub cameras: usize,
    /// Incidents within their reach.
    pub covered: usize,
    /// Incidents within reach of a fixed camera or a chosen site.
    pub combined_covered: usize,
}

/// One placement: the chosen sites and what they cover.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    /// Chosen sites, by rank.
    pub sites: Vec<PlacedSite>,
    /// Candidate sites considered.
    pub candidates: usize,
    /// Incidents the placement was computed from.
    pub total: usize,
    /// Their total weight.
    pub total_weight: f64,
    /// Distinct incidents within reach of any chosen site.
    pub covered: usize,
    /// Weighted coverage the chosen sites add beyond fixed cameras.
    pub score: f64,
    /// Fixed-camera coverage, when `existing`.
    pub fixed: Option<FixedCoverage>,
    /// The greedy score, when the exact answer was asked for (to compare).
    pub greedy_score: Option<f64>,
}

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

/// Demand points: distinct positions with summed weights and incident counts.
struct Demand {
    xy: Vec<[f64; 2]>,
    lonlat: Vec<[f64; 2]>,
    weight: Vec<f64>,
    count: Vec<usize>,
}

fn demand(
    snap: &Snapshot,
    request: &CctvRequest,
    rows: &[(u32, f64)],
    reference: Option<Month>,
) -> Demand {
    let t = &snap.incidents;
    let mut index: HashMap<(u64, u64), usize> = HashMap::new();
    let mut d = Demand {
        xy: Vec::new(),
        lonlat: Vec::new(),
        weight: Vec::new(),
        count: Vec::new(),
    };
    for &(row, w) in rows {
        let row = row as usize;
        let xy = t.xy[row];
        let mut weight = w * request.group_weight(t.group[row]);
        if let (Some(h), Some(r)) = (request.half_life_months, reference) {
            let age = f64::from((r.index() - t.month[row].index()).max(0));
            weight *= 0.5f64.powf(age / h);
        }
        let i = *index
            .entry((xy[0].to_bits(), xy[1].to_bits()))
            .or_insert_with(|| {
                d.xy.push(xy);
                d.lonlat.push(t.lonlat[row]);
                d.weight.push(0.0);
                d.count.push(0);
                d.xy.len() - 1
            });
        d.weight[i] += weight;
        d.count[i] += 1;
    }
    d
}

/// Candidate sites: (id, cell, location, BNG position).
type Candidate = (String, Option<CellIndex>, Wgs84, [f64; 2]);

fn candidates(request: &CctvRequest, demand: &Demand) -> Result<Vec<Candidate>, QueryError> {
    if let Some(sites) = &request.sites {
        return sites
            .iter()
            .map(|s| {
                s.location
                    .to_bng()
                    .map(|b| (s.id.clone(), None, s.location, b.xy()))
                    .map_err(|e| ParamError::new("sites", format!("site {}: {e}", s.id)).into())
            })
            .collect();
    }
    let mut cells = BTreeSet::new();
    for ll in &demand.lonlat {
        if let Ok(p) = LatLng::new(ll[1], ll[0]) {
            let cell = p.to_cell(request.resolution);
            cells.extend(cell.grid_disk::<Vec<_>>(1));
            if cells.len() > MAX_CANDIDATES {
                return Err(ParamError::new(
                    "resolution",
                    format!(
                        "more than {MAX_CANDIDATES} candidate cells at resolution {}; use a coarser resolution, a shorter window or fewer wards",
                        u8::from(request.resolution)
                    ),
                )
                .into());
            }
        }
    }
    Ok(cells
        .into_iter()
        .filter_map(|c| {
            let ll = LatLng::from(c);
            let w = Wgs84::new(ll.lng(), ll.lat()).ok()?;
            let b = w.to_bng().ok()?;
            Some((c.to_string(), Some(c), w, b.xy()))
        })
        .collect())
}

fn coverage_error(e: CoverageError) -> QueryError {
    match e {
        CoverageError::TooManyCombinations { .. } => ParamError::new("exact", e.to_string()),
        CoverageError::TooManyPairs { .. } => ParamError::new("radius-m", e.to_string()),
        other => ParamError::new("weights", other.to_string()),
    }
    .into()
}

/// Which demand points imported fixed cameras reach, and how many fixed cameras there are.
fn fixed_cover(snap: &Snapshot, demand: &Demand) -> Result<(Vec<bool>, usize), QueryError> {
    let fixed: Vec<([f64; 2], f64)> = snap
        .cameras
        .iter()
        .filter(|c| c.kind == CameraKind::Fixed)
        .filter_map(|c| Some((c.location.to_bng().ok()?.xy(), c.radius_m)))
        .filter(|(_, r)| r.is_finite() && *r > 0.0)
        .collect();
    let mut covered = vec![false; demand.xy.len()];
    let mut radii: Vec<f64> = fixed.iter().map(|(_, r)| *r).collect();
    radii.sort_by(f64::total_cmp);
    radii.dedup();
    for r in radii {
        let at: Vec<[f64; 2]> = fixed
            .iter()
            .filter(|(_, fr)| *fr == r)
            .map(|(p, _)| *p)
            .collect();
        let cov = Coverage::build(&demand.xy, &at, r).map_err(coverage_error)?;
        for s in 0..cov.n_sites() {
            for &d in cov.site(s) {
                covered[d as usize] = true;
            }
        }
    }
    Ok((covered, fixed.len()))
}

/// Orders an exact solution's sites as greedy would among themselves, with their gains.
fn order_by_gain(weights: &[f64], cov: &Coverage, already: &[bool], sites: &[usize]) -> Vec<Pick> {
    let mut covered = already.to_vec();
    let mut left: Vec<usize> = sites.to_vec();
    let mut out = Vec::new();
    while !left.is_empty() {
        let gains: Vec<f64> = left
            .iter()
            .map(|&s| {
                cov.site(s)
                    .iter()
                    .filter(|&&d| !covered[d as usize])
                    .map(|&d| weights[d as usize])
                    .sum()
            })
            .collect();
        let mut best = 0;
        for i in 1..left.len() {
            if gains[i] > gains[best] {
                best = i;
            }
        }
        let site = left.remove(best);
        for &d in cov.site(site) {
            covered[d as usize] = true;
        }
        out.push(Pick {
            site,
            gain: gains[best],
        });
    }
    out
}

fn place(
    snap: &Snapshot,
    request: &CctvRequest,
    rows: &[(u32, f64)],
    reference: Option<Month>,
) -> Result<Placement, QueryError> {
    let demand = demand(snap, request, rows, reference);
    let (already, fixed_cameras) = if request.existing {
        fixed_cover(snap, &demand)?
    } else {
        (vec![false; demand.xy.len()], 0)
    };
    let cands = candidates(request, &demand)?;
    let sites_xy: Vec<[f64; 2]> = cands.iter().map(|c| c.3).collect();
    let cov = Coverage::build(&demand.xy, &sites_xy, request.radius_m).map_err(coverage_error)?;
    let greedy_picks =
        greedy(&demand.weight, &cov, &already, request.cameras).map_err(coverage_error)?;
    let (picks, greedy_score) = if request.exact {
        let sol = exact(
            &demand.weight,
            &cov,
            &already,
            request.cameras,
            MAX_EXACT_SETS,
        )
        .map_err(coverage_error)?;
        (
            order_by_gain(&demand.weight, &cov, &already, &sol.sites),
            Some(greedy_picks.iter().map(|p| p.gain).sum()),
        )
    } else {
        (greedy_picks, None)
    };
    let mut taken = already.clone();
    let mut by_sites = vec![false; demand.xy.len()];
    let mut sites = Vec::with_capacity(picks.len());
    for (i, p) in picks.iter().enumerate() {
        let list = cov.site(p.site);
        let covered = list.iter().map(|&d| demand.count[d as usize]).sum();
        let new_covered = list
            .iter()
            .filter(|&&d| !taken[d as usize])
            .map(|&d| demand.count[d as usize])
            .sum();
        for &d in list {
            taken[d as usize] = true;
            by_sites[d as usize] = true;
        }
        let (id, cell, location, xy) = cands[p.site].clone();
        sites.push(PlacedSite {
            rank: i + 1,
            id,
            cell,
            location,
            xy,
            gain: p.gain,
            covered,
            new_covered,
        });
    }
    let count_where = |mask: &[bool]| -> usize {
        mask.iter()
            .zip(&demand.count)
            .filter(|(m, _)| **m)
            .map(|(_, c)| *c)
            .sum()
    };
    let fixed = request.existing.then(|| FixedCoverage {
        cameras: fixed_cameras,
        covered: count_where(&already),
        combined_covered: count_where(&taken),
    });
    Ok(Placement {
        score: picks.iter().map(|p| p.gain).sum(),
        sites,
        candidates: cands.len(),
        total: demand.count.iter().sum(),
        total_weight: demand.weight.iter().sum(),
        covered: count_where(&by_sites),
        fixed,
        greedy_score,
    })
}

/// The naive rule: the `k` cells with the most incidents (selection weights; ties to the
/// lower cell index), as (cell, BNG position of the centre).
fn naive_sites(
    snap: &Snapshot,
    rows: &[(u32, f64)],
    resolution: Resolution,
    k: usize,
) -> Vec<[f64; 2]> {
    let mut counts: HashMap<CellIndex, f64> = HashMap::new();
    for &(row, w) in rows {
        let ll = snap.incidents.lonlat[row as usize];
        if let Ok(p) = LatLng::new(ll[1], ll[0]) {
            *counts.entry(p.to_cell(resolution)).or_default() += w;
        }
    }
    let mut cells: Vec<(CellIndex, f64)> = counts.into_iter().collect();
    cells.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    cells
        .into_iter()
        .take(k)
        .filter_map(|(c, _)| {
            let ll = LatLng::from(c);
            Some(Wgs84::new(ll.lng(), ll.lat()).ok()?.to_bng().ok()?.xy())
        })
        .collect()
}

/// Incidents of `rows` within `radius_m` of any of `sites`.
fn covered_count(
    snap: &Snapshot,
    rows: &[(u32, f64)],
    sites: &[[f64; 2]],
    radius_m: f64,
) -> Result<usize, QueryError> {
    let xy: Vec<[f64; 2]> = rows
        .iter()
        .map(|&(r, _)| snap.incidents.xy[r as usize])
        .collect();
    let cov = Coverage::build(&xy, sites, radius_m).map_err(coverage_error)?;
    Ok(cov
        .covered_by(&(0..cov.n_sites()).collect::<Vec<_>>(), &[])
        .iter()
        .filter(|c| **c)
        .count())
}

/// Runs the analysis.
pub fn run_cctv(snap: &Snapshot, request: &CctvRequest) -> Result<CctvResult, QueryError> {
    let selected = request.selection.apply(snap);
    if selected.rows.is_empty() {
        return Err(QueryError::Empty(super::why_empty(
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

impl CctvResult {
    /// The `parameters` object.
    pub fn parameters(&self, snap: &Snapshot) -> Value {
        let r = &self.request;
        let mut p = r.selection.parameters(snap);
        p["cameras"] = json!(r.cameras);
        p["radius_m"] = json!(r.radius_m);
        p["existing"] = json!(r.existing);
        p["candidates"] = match &r.sites {
            Some(s) => json!(format!("{} permitted sites", s.len())),
            None => json!("H3 cell centres holding incidents and their neighbours"),
        };
        p["resolution"] = json!(u8::from(r.resolution));
        let weights: Map<String, Value> = Group::ALL
            .iter()
            .map(|g| (g.slug().to_owned(), json!(r.group_weight(*g))))
            .collect();
        p["weights"] = Value::Object(weights);
        p["half_life_months"] = json!(r.half_life_months);
        p["reference_month"] = json!(self.reference_month.map(|m| m.to_string()));
        p["method"] = json!(if r.exact {
            "exact (exhaustive search)"
        } else {
            "lazy greedy (≥ 1 − 1/e of the optimum)"
        });
        p["exact"] = json!(r.exact);
        p["rotate"] = json!(r.rotate_months.is_some());
        p["months"] = json!(r.rotate_months);
        p
    }

    /// The `summary` object.
    pub fn summary(&self) -> Value {
        let pl = &self.placement;
        let mut s = json!({
            "covered": pl.covered,
            "total": pl.total,
            "score": pl.score,
            "share": share(pl.covered, pl.total),
            "total_score": pl.total_weight,
            "score_share": if pl.total_weight > 0.0 { pl.score / pl.total_weight } else { 0.0 },
            "cameras_placed": pl.sites.len(),
            "candidates": pl.candidates,
            "window_incidents": self.window_incidents,
            "left_out_month_only": self.left_out_month_only,
        });
        if let Some(g) = pl.greedy_score {
            s["greedy_score"] = json!(g);
        }
        if let Some(f) = &pl.fixed {
            s["fixed_cameras"] = json!(f.cameras);
            s["fixed_covered"] = json!(f.covered);
            s["combined_covered"] = json!(f.combined_covered);
            s["combined_share"] = json!(share(f.combined_covered, pl.total));
        }
        s
    }

    /// The `rotation` object (null without rotation).
    pub fn rotation_json(&self) -> Value {
        let Some(rot) = &self.rotation else {
            return Value::Null;
        };
        let rows: Vec<Value> = rot
            .rows
            .iter()
            .map(|r| {
                json!({
                    "month": r.month.to_string(),
                    "placed_from": r.placed_from.to_string(),
                    "placed_to": r.placed_to.to_string(),
                    "incidents": r.incidents,
                    "ours_covered": r.ours_covered,
                    "ours_share": share(r.ours_covered, r.incidents),
                    "naive_covered": r.naive_covered,
                    "naive_share": share(r.naive_covered, r.incidents),
                })
            })
            .collect();
        let (mo, mn) = rot.mean_shares().unzip();
        let (co, cn) = rot.mean_covered().unzip();
        json!({
            "months": rot.months,
            "naive_rule": "the cells with the most incidents, cameras at their centres",
            "next_month": rot.next_month.map(|m| m.to_string()),
            "rows": rows,
            "mean_ours_share": mo,
            "mean_naive_share": mn,
            "mean_ours_covered": co,
            "mean_naive_covered": cn,
        })
    }

    fn properties(&self, s: &PlacedSite) -> Value {
        json!({
            "rank": s.rank,
            "id": s.id,
            "cell": s.cell.map(|c| c.to_string()),
            "gain": s.gain,
            "covered": s.covered,
            "new_covered": s.new_covered,
            "radius_m": self.request.radius_m,
        })
    }

    /// GeoJSON FeatureCollection of Points.
    pub fn geojson(&self, snap: &Snapshot) -> Value {
        let features: Vec<Value> = self
            .placement
            .sites
            .iter()
            .map(|s| {
                json!({
                    "type": "Feature",
                    "id": s.rank,
                    "geometry": {"type": "Point", "coordinates": [super::round6(s.location.lon()), super::round6(s.location.lat())]},
                    "properties": self.properties(s),
                })
            })
            .collect();
        let mut out = json!({
            "type": "FeatureCollection",
            "parameters": self.parameters(snap),
            "summary": self.summary(),
            "features": features,
        });
        if self.rotation.is_some() {
            out["rotation"] = self.rotation_json();
        }
        out
    }

    /// JSON: the sites with `lat`/`lon` instead of geometry.
    pub fn json(&self, snap: &Snapshot) -> Value {
        let sites: Vec<Value> = self
            .placement
            .sites
            .iter()
            .map(|s| {
                let mut p = self.properties(s);
                p["lat"] = json!(super::round6(s.location.lat()));
                p["lon"] = json!(super::round6(s.location.lon()));
                p
            })
            .collect();
        let mut out =
            json!({"parameters": self.parameters(snap), "summary": self.summary(), "sites": sites});
        if self.rotation.is_some() {
            out["rotation"] = self.rotation_json();
        }
        out
    }

    /// CSV: the sites; with rotation, the backtest table (one row per test month).
    pub fn csv(&self) -> String {
        let mut out = String::new();
        if let Some(rot) = &self.rotation {
            out.push_str("month,placed_from,placed_to,incidents,ours_covered,ours_share,naive_covered,naive_share\n");
            for r in &rot.rows {
                out.push_str(&format!(
                    "{},{},{},{},{},{:.6},{},{:.6}\n",
                    r.month,
                    r.placed_from,
                    r.placed_to,
                    r.incidents,
                    r.ours_covered,
                    share(r.ours_covered, r.incidents),
                    r.naive_covered,
                    share(r.naive_covered, r.incidents)
                ));
            }
            return out;
        }
        out.push_str("rank,id,cell,lat,lon,gain,covered,new_covered\n");
        for s in &self.placement.sites {
            let id = if s.id.contains([',', '"', '\n']) {
                format!("\"{}\"", s.id.replace('"', "\"\""))
            } else {
                s.id.clone()
            };
            out.push_str(&format!(
                "{},{id},{},{:.6},{:.6},{},{},{}\n",
                s.rank,
                s.cell.map(|c| c.to_string()).unwrap_or_default(),
                s.location.lat(),
                s.location.lon(),
                s.gain,
                s.covered,
                s.new_covered
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_parse_over_the_defaults() {
        let w = parse_weights(&["violence:4,asb:0.5".to_owned()]).unwrap();
        assert_eq!(w[Group::Violence as usize], 4.0);
        assert_eq!(w[Group::Asb as usize], 0.5);
        assert_eq!(w[Group::PublicOrder as usize], 2.0);
        assert_eq!(w[Group::Other as usize], 0.5);
        assert_eq!(
            parse_weights(&["violence:x".to_owned()])
                .unwrap_err()
                .parameter,
            "weights"
        );
    }

    #[test]
    fn weights_toml_top_level_or_table() {
        assert_eq!(
            weights_from_toml("violence = 4\nasb = 0.5\n").unwrap(),
            "asb:0.5,violence:4"
        );
        assert_eq!(
            weights_from_toml("[weights]\ndrugs = 2\n").unwrap(),
            "drugs:2"
        );
        let e = weights_from_toml("violence = \"high\"").unwrap_err();
        assert!(e.message.contains("string"), "{e}");
        assert!(weights_from_toml("violence = ").is_err());
    }

    #[test]
    fn inline_sites() {
        let s =
            parse_inline_sites(&["A:50.8:-1.09".to_owned(), "B:50.81:-1.08".to_owned()]).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[1].id, "B");
        assert_eq!(s[1].location.lat(), 50.81);
        assert!(parse_inline_sites(&[":50.8:-1.09".to_owned()]).is_err());
        assert!(parse_inline_sites(&["A:50.8".to_owned()]).is_err());
    }
}
