//! Hot spot analysis end to end: parameters → selection → cell counts → Gi* → features.
//!
//! Equivalent to ArcGIS Pro's Hot Spot Analysis on an H3 aggregation with binary
//! contiguity-style (k-ring) weights, and to PySAL `esda.G_Local(star=True, transform="B")`.
//!
//! Steps:
//! 1. Check the parameters once (window, wards, categories, resolution, k, permutations, seed,
//!    FDR, inference).
//! 2. Select incidents (aoristic weights for spans in hour windows) and count them per cell over
//!    the study area (every cell centred in the chosen wards, zeros included).
//! 3. Build binary k-ring weights over the study-area cells, self included.
//! 4. Gi* z and p, seeded conditional-permutation pseudo p, FDR-corrected bins.
//! 5. With permutations, Local Moran's I over the same cells and weights as a second opinion
//!    (esda `Moran_Local`, row-standardised, same seed): `lisa` HH/LL/HL/LH where its pseudo p
//!    ≤ 0.05 (ArcGIS Cluster and Outlier Analysis labels), which finds the "one rowdy street in
//!    a quiet area" (HL) that Gi* cannot.

use h3o::{CellIndex, Resolution};
use serde_json::{Value, json};

use super::{
    CellCounts, ParamBag, ParamError, QueryError, RawSelection, Selected, Selection, cell_counts,
    parse_bool, parse_in_range, parse_resolution,
};
use crate::analysis::gi_star::{GiStar, GiStarOptions, Inference, gi_star};
use crate::analysis::local_moran::{LocalMoran, LocalMoranOptions, local_moran};
use crate::analysis::weights::Neighbours;
use crate::index::{RESOLUTIONS, Snapshot};
use crate::time::EventCalendar;

/// Parameter names `hotspots` accepts (besides the selection's).
pub const HOTSPOT_PARAMS: &[&str] = &[
    "resolution",
    "k",
    "permutations",
    "seed",
    "fdr",
    "inference",
];

/// A checked hot spot request.
#[derive(Debug, Clone)]
pub struct HotspotRequest {
    /// Which incidents.
    pub selection: Selection,
    /// H3 resolution; `None` = choose from the data (`auto`).
    pub resolution: Option<Resolution>,
    /// k-ring order of the neighbourhood, 1–3.
    pub k: u32,
    /// Gi* options (permutations, seed, FDR, inference).
    pub gi: GiStarOptions,
}

impl HotspotRequest {
    /// Checks raw parameters against the snapshot (wards must exist).
    pub fn from_params(
        bag: &mut ParamBag,
        snap: &Snapshot,
        events: Option<&EventCalendar>,
    ) -> Result<HotspotRequest, ParamError> {
        let selection = RawSelection::take(bag)?.check(snap, events)?;
        let resolution = parse_resolution(bag.one("resolution")?.as_deref())?;
        let k = parse_in_range(bag.one("k")?.as_deref(), "k", 1u32, 1, 3)?;
        let permutations = parse_in_range(
            bag.one("permutations")?.as_deref(),
            "permutations",
            999u32,
            0,
            9999,
        )?;
        let seed = parse_in_range(bag.one("seed")?.as_deref(), "seed", 1u64, 0, u64::MAX)?;
        let fdr = parse_bool(bag.one("fdr")?.as_deref(), "fdr", true)?;
        let inference = match bag.one("inference")?.as_deref().map(str::trim) {
            None | Some("") => Inference::Analytic,
            Some(t) => t.parse().map_err(|_| {
                ParamError::new("inference", format!("{t:?} is not analytic or permutation"))
            })?,
        };
        if inference == Inference::Permutation && permutations == 0 {
            return Err(ParamError::new(
                "inference",
                "permutation inference needs permutations > 0",
            ));
        }
        Ok(HotspotRequest {
            selection,
            resolution,
            k,
            gi: GiStarOptions {
                permutations,
                seed,
                fdr,
                inference,
                ..GiStarOptions::default()
            },
        })
    }
}

/// The result of a hot spot run.
#[derive(Debug, Clone)]
pub struct HotspotResult {
    /// The request, resolved.
    pub request: HotspotRequest,
    /// The resolution used (chosen when `auto`).
    pub resolution: Resolution,
    /// What was selected.
    pub selected: Selected,
    /// Counts per study-area cell.
    pub counts: CellCounts,
    /// Gi* per cell, in `counts.cells` order.
    pub gi: GiStar,
    /// Local Moran's I per cell (with permutations only; `None` when they are 0 or every
    /// count is equal).
    pub lisa: Option<LocalMoran>,
}

/// Picks a resolution from the data: the finest of 7–11 whose average H3 edge is at least
/// the median distance from each distinct incident location to its nearest other location
/// (the spirit of ArcGIS Optimized Hot Spot Analysis, which sizes cells from nearest-neighbour
/// distances). police.uk's snap points are ~100–200 m apart in a city, which gives 9.
pub fn auto_resolution(snap: &Snapshot, selected: &Selected) -> Resolution {
    let mut points: Vec<[f64; 2]> = selected
        .rows
        .iter()
        .map(|&r| snap.incidents.xy[r as usize])
        .collect();
    points.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
    points.dedup();
    if points.len() < 2 {
        return Resolution::Nine;
    }
    let tree = rstar::RTree::bulk_load(points.clone());
    let mut nn: Vec<f64> = points
        .iter()
        .filter_map(|p| {
            tree.nearest_neighbor_iter(p)
                .nth(1)
                .map(|q| (p[0] - q[0]).hypot(p[1] - q[1]))
        })
        .collect();
    nn.sort_by(f64::total_cmp);
    let median = nn[nn.len() / 2];
    RESOLUTIONS
        .iter()
        .rev()
        .copied()
        .find(|r| r.edge_length_m() >= median)
        .unwrap_or(Resolution::Seven)
}

/// Step 2 of the cell analyses: selects the incidents (an empty selection is an error that
/// says why), resolves `auto` resolution, and counts per study-area cell.
pub(super) fn select_and_count(
    snap: &Snapshot,
    selection: &Selection,
    resolution: Option<Resolution>,
) -> Result<(Selected, Resolution, CellCounts), QueryError> {
    let selected = selection.apply(snap);
    if selected.rows.is_empty() {
        return Err(QueryError::Empty(super::why_empty(
            snap, selection, &selected,
        )));
    }
    let resolution = resolution.unwrap_or_else(|| auto_resolution(snap, &selected));
    let counts = cell_counts(snap, &selection.wards, &selected, resolution)?;
    Ok((selected, resolution, counts))
}

/// Runs the analysis.
pub fn run_hotspots(
    snap: &Snapshot,
    request: &HotspotRequest,
) -> Result<HotspotResult, QueryError> {
    let (selected, resolution, counts) =
        select_and_count(snap, &request.selection, request.resolution)?;
    let neighbours = Neighbours::from_h3_cells(&counts.cells, request.k)?;
    let gi = gi_star(&counts.counts, &neighbours, &request.gi)?;
    let lisa = (request.gi.permutations > 0)
        .then(|| {
            local_moran(
                &counts.counts,
                &neighbours,
                &LocalMoranOptions {
                    permutations: request.gi.permutations,
                    seed: request.gi.seed,
                    threads: request.gi.threads,
                    ..LocalMoranOptions::default()
                },
            )
            .ok()
        })
        .flatten();
    Ok(HotspotResult {
        request: request.clone(),
        resolution,
        selected,
        counts,
        gi,
        lisa,
    })
}

impl HotspotResult {
    /// The `parameters` object every output carries.
    pub fn parameters(&self, snap: &Snapshot) -> Value {
        let r = &self.request;
        let mut p = r.selection.parameters(snap);
        p["resolution"] = json!(u8::from(self.resolution));
        p["resolution_requested"] = json!(
            r.resolution
                .map_or("auto".to_owned(), |x| u8::from(x).to_string())
        );
        p["k"] = json!(r.k);
        p["permutations"] = json!(r.gi.permutations);
        p["seed"] = json!(r.gi.seed);
        p["fdr"] = json!(r.gi.fdr);
        p["inference"] = json!(match r.gi.inference {
            Inference::Analytic => "analytic",
            Inference::Permutation => "permutation",
        });
        p["weights"] = json!(format!("binary k-ring (k = {}), self included", r.k));
        p["statistic"] =
            json!("Getis-Ord Gi* (ArcGIS Hot Spot Analysis; esda G_Local star=True, transform=B)");
        p
    }

    /// The `summary` object: totals, bin counts, what was left out, warnings.
    pub fn summary(&self) -> Value {
        let mut bins = [0usize; 7];
        for c in &self.gi.cells {
            bins[(c.bin + 3) as usize] += 1;
        }
        json!({
            "cells": self.counts.cells.len(),
            "total": self.counts.counts.iter().sum::<f64>(),
            "selected": self.selected.total(),
            "outside_wards": self.counts.outside_wards,
            "left_out_month_only": self.selected.left_out_month_only,
            "hot_99": bins[6], "hot_95": bins[5], "hot_90": bins[4],
            "not_significant": bins[3],
            "cold_90": bins[2], "cold_95": bins[1], "cold_99": bins[0],
            "warnings": self.gi.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
        })
    }

    /// One JSON property object per cell (interface.md's hotspot cell properties).
    fn properties(&self, i: usize) -> Value {
        let c = &self.gi.cells[i];
        let lisa = self.lisa.as_ref().map(|l| &l.cells[i]);
        json!({
            "cell": self.counts.cells[i].to_string(),
            "count": self.counts.counts[i],
            "z": c.z,
            "p": c.p,
            "p_sim": c.p_sim,
            "bin": c.bin,
            "neighbours": c.neighbours,
            "lisa": lisa.and_then(|l| l.label).map(|q| q.as_str()),
            "lisa_p": lisa.map(|l| l.p_sim),
        })
    }

    /// A GeoJSON FeatureCollection of cell polygons with `parameters` and `summary`.
    pub fn geojson(&self, snap: &Snapshot) -> Value {
        let features: Vec<Value> = (0..self.counts.cells.len())
            .map(|i| super::cell_feature(self.counts.cells[i], self.properties(i)))
            .collect();
        json!({
            "type": "FeatureCollection",
            "parameters": self.parameters(snap),
            "summary": self.summary(),
            "features": features,
        })
    }

    /// JSON without geometry: `parameters`, `summary`, `cells` (properties only).
    pub fn json(&self, snap: &Snapshot) -> Value {
        json!({
            "parameters": self.parameters(snap),
            "summary": self.summary(),
            "cells": (0..self.counts.cells.len()).map(|i| self.properties(i)).collect::<Vec<_>>(),
        })
    }

    /// CSV: one row per cell with its centre.
    pub fn csv(&self) -> String {
        let mut out = String::from("cell,lat,lon,count,z,p,p_sim,bin,neighbours,lisa,lisa_p\n");
        for (i, cell) in self.counts.cells.iter().enumerate() {
            let c = &self.gi.cells[i];
            let ll = h3o::LatLng::from(*cell);
            let lisa = self.lisa.as_ref().map(|l| &l.cells[i]);
            out.push_str(&format!(
                "{cell},{:.6},{:.6},{},{},{},{},{},{},{},{}\n",
                ll.lat(),
                ll.lng(),
                self.counts.counts[i],
                c.z,
                c.p,
                c.p_sim.map_or(String::new(), |p| p.to_string()),
                c.bin,
                c.neighbours,
                lisa.and_then(|l| l.label).map_or("", |q| q.as_str()),
                lisa.map_or(String::new(), |l| l.p_sim.to_string()),
            ));
        }
        out
    }

    /// The index of a cell in the result.
    pub fn position(&self, cell: CellIndex) -> Option<usize> {
        self.counts.cells.binary_search(&cell).ok()
    }
}
