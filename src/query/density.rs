//! Kernel density end to end: selection → quartic KDE in British National Grid metres →
//! incidents per km² on the study area's H3 cells, or on a square grid clipped to the wards.
//!
//! Equivalent to ArcGIS Kernel Density (quartic kernel, Silverman's spatial rule for the
//! default search radius, output per km²).
//!
//! Steps:
//! 1. Select incidents (aoristic weights) of the chosen wards.
//! 2. Fit the surface on their BNG positions; `bandwidth-m` or ArcGIS's default radius.
//! 3. Evaluate at each study-area H3 cell centre (default), or with `cell-m` at the centre of
//!    each square of a grid over the wards, keeping squares whose centre is in a chosen ward.

use geo::{Contains, Point};
use h3o::Resolution;
use serde_json::{Value, json};

use super::{
    CellCounts, ParamBag, ParamError, QueryError, RawSelection, Selected, Selection, cell_counts,
    parse_number, parse_resolution, round6,
};
use crate::analysis::kde::{GridSpec, Kde};
use crate::domain::Bng;
use crate::index::Snapshot;
use crate::time::EventCalendar;

/// Parameter names `density` accepts (besides the selection's).
pub const DENSITY_PARAMS: &[&str] = &["bandwidth-m", "cell-m", "resolution"];

/// A checked density request.
#[derive(Debug, Clone)]
pub struct DensityRequest {
    /// Which incidents.
    pub selection: Selection,
    /// Search radius in metres; `None` = ArcGIS's default rule.
    pub bandwidth_m: Option<f64>,
    /// Square grid cell in metres; `None` = the H3 cells of the study area.
    pub cell_m: Option<f64>,
    /// H3 resolution of the output cells when no `cell_m` (default 9).
    pub resolution: Resolution,
}

fn metres(bag: &mut ParamBag, name: &str, min: f64, max: f64) -> Result<Option<f64>, ParamError> {
    parse_number(
        bag.one(name)?.as_deref(),
        name,
        "a number of metres",
        min,
        max,
    )
}

impl DensityRequest {
    /// Checks raw parameters.
    pub fn from_params(
        bag: &mut ParamBag,
        snap: &Snapshot,
        events: Option<&EventCalendar>,
    ) -> Result<DensityRequest, ParamError> {
        let selection = RawSelection::take(bag)?.check(snap, events)?;
        let bandwidth_m = metres(bag, "bandwidth-m", 10.0, 10_000.0)?;
        let cell_m = metres(bag, "cell-m", 10.0, 5_000.0)?;
        let resolution = parse_resolution(bag.one("resolution")?.as_deref())?.ok_or_else(|| {
            ParamError::new(
                "resolution",
                "density needs a resolution 7–11 (auto is for hot spots)",
            )
        })?;
        Ok(DensityRequest {
            selection,
            bandwidth_m,
            cell_m,
            resolution,
        })
    }
}

/// Where the density was evaluated.
#[derive(Debug, Clone)]
pub enum DensityCells {
    /// Study-area H3 cells (with their counts).
    H3(CellCounts),
    /// Grid squares: south-west corner in BNG metres and side.
    Grid {
        /// South-west corners, metres.
        corners: Vec<[f64; 2]>,
        /// Side, metres.
        cell_m: f64,
    },
}

/// The result of a density run.
#[derive(Debug, Clone)]
pub struct DensityResult {
    /// The request.
    pub request: DensityRequest,
    /// The bandwidth used, metres.
    pub bandwidth_m: f64,
    /// Selection outcome.
    pub selected: Selected,
    /// Evaluation places.
    pub cells: DensityCells,
    /// Incidents per km² at each place.
    pub density_km2: Vec<f64>,
}

/// Runs the analysis.
pub fn run_density(snap: &Snapshot, request: &DensityRequest) -> Result<DensityResult, QueryError> {
    let selected = request.selection.apply(snap);
    let (mut points, mut weights) = (Vec::new(), Vec::new());
    for (&row, &w) in selected.rows.iter().zip(&selected.weights) {
        if snap.incidents.ward[row as usize].is_some() || snap.wards.is_empty() {
            points.push(snap.incidents.xy[row as usize]);
            weights.push(w);
        }
    }
    if points.is_empty() {
        return Err(QueryError::Empty(super::why_empty(
            snap,
            &request.selection,
            &selected,
        )));
    }
    let kde = Kde::new(&points, &weights, request.bandwidth_m)?;
    let (cells, density_km2) = match request.cell_m {
        None => {
            let counts = cell_counts(
                snap,
                &request.selection.wards,
                &selected,
                request.resolution,
            )?;
            let centres: Vec<[f64; 2]> = counts
                .cells
                .iter()
                .map(|c| {
                    let ll = h3o::LatLng::from(*c);
                    crate::domain::Wgs84::new(ll.lng(), ll.lat())
                        .and_then(crate::domain::Wgs84::to_bng)
                        .map_or([f64::NAN, f64::NAN], Bng::xy)
                })
                .collect();
            let d = kde.at_points(&centres);
            (DensityCells::H3(counts), d)
        }
        Some(cell_m) => {
            let wards: Vec<usize> = if request.selection.wards.is_empty() {
                (0..snap.wards.len()).collect()
            } else {
                request.selection.wards.clone()
            };
            if wards.is_empty() {
                return Err(QueryError::Aggregate(super::AggregateError::NoWards));
            }
            let polys: Vec<&geo::MultiPolygon<f64>> = wards
                .iter()
                .map(|&w| snap.ward_index.boundary_bng(w))
                .collect();
            let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
            for p in &polys {
                for c in p.0.iter().flat_map(|p| p.exterior().coords()) {
                    lo = [lo[0].min(c.x), lo[1].min(c.y)];
                    hi = [hi[0].max(c.x), hi[1].max(c.y)];
                }
            }
            let spec = GridSpec::covering(lo, hi, Some(cell_m))?;
            let grid = kde.grid(&spec, |c| {
                polys.iter().any(|p| p.contains(&Point::new(c[0], c[1])))
            });
            let mut corners = Vec::new();
            let mut values = Vec::new();
            for row in 0..spec.rows {
                for col in 0..spec.cols {
                    if let Some(d) = grid.density_km2[row * spec.cols + col] {
                        let c = spec.centre(col, row);
                        corners.push([c[0] - cell_m / 2.0, c[1] - cell_m / 2.0]);
                        values.push(d);
                    }
                }
            }
            (DensityCells::Grid { corners, cell_m }, values)
        }
    };
    Ok(DensityResult {
        request: request.clone(),
        bandwidth_m: kde.bandwidth_m(),
        selected,
        cells,
        density_km2,
    })
}

impl DensityResult {
    /// The `parameters` object.
    pub fn parameters(&self, snap: &Snapshot) -> Value {
        let mut p = self.request.selection.parameters(snap);
        p["bandwidth_m"] = json!(self.bandwidth_m);
        p["bandwidth_rule"] = json!(if self.request.bandwidth_m.is_some() {
            "given"
        } else {
            "ArcGIS default (spatial Silverman rule)"
        });
        p["kernel"] = json!("quartic (Silverman 1986, eq. 4.5)");
        p["unit"] = json!("incidents per km²");
        match &self.cells {
            DensityCells::H3(c) => p["resolution"] = json!(u8::from(c.resolution)),
            DensityCells::Grid { cell_m, .. } => p["cell_m"] = json!(cell_m),
        }
        p
    }

    /// The `summary` object.
    pub fn summary(&self) -> Value {
        let max = self.density_km2.iter().copied().fold(0.0, f64::max);
        json!({
            "places": self.density_km2.len(),
            "incidents": self.selected.total(),
            "max_density_km2": max,
            "left_out_month_only": self.selected.left_out_month_only,
        })
    }

    fn features(&self) -> Vec<Value> {
        match &self.cells {
            DensityCells::H3(counts) => counts
                .cells
                .iter()
                .zip(&self.density_km2)
                .zip(&counts.counts)
                .map(|((cell, d), n)| {
                    super::cell_feature(
                        *cell,
                        json!({"cell": cell.to_string(), "count": n, "density_km2": d}),
                    )
                })
                .collect(),
            DensityCells::Grid { corners, cell_m } => corners
                .iter()
                .zip(&self.density_km2)
                .enumerate()
                .map(|(i, (c, d))| {
                    let ring: Vec<[f64; 2]> =
                        [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]
                            .iter()
                            .map(|o| {
                                Bng::new(c[0] + o[0] * cell_m, c[1] + o[1] * cell_m)
                                    .and_then(Bng::to_wgs84)
                                    .map_or([f64::NAN, f64::NAN], |w| {
                                        [round6(w.lon()), round6(w.lat())]
                                    })
                            })
                            .collect();
                    json!({
                        "type": "Feature",
                        "id": i,
                        "geometry": {"type": "Polygon", "coordinates": [ring]},
                        "properties": {"easting_m": c[0], "northing_m": c[1], "density_km2": d},
                    })
                })
                .collect(),
        }
    }

    /// GeoJSON FeatureCollection.
    pub fn geojson(&self, snap: &Snapshot) -> Value {
        json!({
            "type": "FeatureCollection",
            "parameters": self.parameters(snap),
            "summary": self.summary(),
            "features": self.features(),
        })
    }

    /// JSON without geometry.
    pub fn json(&self, snap: &Snapshot) -> Value {
        let places: Vec<Value> = self
            .features()
            .into_iter()
            .map(|f| f["properties"].clone())
            .collect();
        json!({"parameters": self.parameters(snap), "summary": self.summary(), "places": places})
    }

    /// CSV.
    pub fn csv(&self) -> String {
        let mut out = String::new();
        match &self.cells {
            DensityCells::H3(counts) => {
                out.push_str("cell,lat,lon,count,density_km2\n");
                for ((cell, d), n) in counts
                    .cells
                    .iter()
                    .zip(&self.density_km2)
                    .zip(&counts.counts)
                {
                    let ll = h3o::LatLng::from(*cell);
                    out.push_str(&format!("{cell},{:.6},{:.6},{n},{d}\n", ll.lat(), ll.lng()));
                }
            }
            DensityCells::Grid { corners, cell_m } => {
                out.push_str("easting_m,northing_m,cell_m,density_km2\n");
                for (c, d) in corners.iter().zip(&self.density_km2) {
                    out.push_str(&format!("{},{},{cell_m},{d}\n", c[0], c[1]));
                }
            }
        }
        out
    }
}
