//! One placement: weighted demand points, fixed-camera coverage, candidate sites, the covering
//! step, and the naive rule the rotation backtest compares with.

use std::collections::{BTreeSet, HashMap};

use h3o::{CellIndex, LatLng, Resolution};

use super::CctvRequest;
use super::request::{MAX_CANDIDATES, MAX_EXACT_SETS};
use crate::analysis::coverage::{Coverage, CoverageError, Pick, exact, greedy};
use crate::domain::{CameraKind, Month, Wgs84};
use crate::index::Snapshot;
use crate::query::{ParamError, QueryError};

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

pub(super) fn place(
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
pub(super) fn naive_sites(
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
pub(super) fn covered_count(
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
