//! From raw parameters to answers: checked requests, incident selection (window, wards,
//! categories), aggregation per cell, and each analysis run end to end with its outputs
//! (GeoJSON, CSV, JSON with `parameters` and `summary`). The CLI and the HTTP API both call
//! this module, so both check parameters the same way.

mod aggregate;
mod bag;
mod cctv;
mod density;
mod emerging;
mod hotspots;
mod params;
mod selection;
mod stats;

use h3o::CellIndex;
use serde_json::{Value, json};

pub use aggregate::{AggregateError, CellCounts, cell_counts};
pub use bag::{MAX_PARAMS, MAX_VALUE_LEN, ParamBag};
pub use cctv::{
    CCTV_PARAMS, CctvRequest, CctvResult, DEFAULT_CAMERAS, DEFAULT_CCTV_RESOLUTION,
    DEFAULT_RADIUS_M, DEFAULT_ROTATE_MONTHS, FixedCoverage, MAX_CAMERAS, MAX_CANDIDATES,
    MAX_EXACT_SETS, MAX_ROTATE_MONTHS, MAX_SITES, PlacedSite, Placement, Rotation, RotationRow,
    Site, parse_inline_sites, parse_weights, run_cctv, weights_from_toml,
};
pub use density::{DENSITY_PARAMS, DensityCells, DensityRequest, DensityResult, run_density};
pub use emerging::{EMERGING_PARAMS, EmergingRequest, EmergingResult, Step, run_emerging};
pub use hotspots::{HOTSPOT_PARAMS, HotspotRequest, HotspotResult, auto_resolution, run_hotspots};
pub use params::{
    MAX_LIST_VALUES, ParamError, RawSelection, SELECTION_PARAMS, parse_bool, parse_in_range,
    parse_resolution, split_list,
};
pub use selection::{Selected, Selection};
pub use stats::{Dim, Key, STATS_PARAMS, StatsRequest, StatsResult, run_stats};

use crate::analysis::{
    emerging::EmergingError, gi_star::GiStarError, kde::KdeError, weights::WeightsError,
};
use crate::index::Snapshot;

/// Why a query could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// A parameter is wrong.
    #[error(transparent)]
    Param(#[from] ParamError),
    /// Nothing was selected; the text says why.
    #[error("{0}")]
    Empty(String),
    /// Cells could not be counted.
    #[error(transparent)]
    Aggregate(#[from] AggregateError),
    /// Weights could not be built.
    #[error(transparent)]
    Weights(#[from] WeightsError),
    /// Gi* failed.
    #[error(transparent)]
    GiStar(#[from] GiStarError),
    /// The emerging analysis failed.
    #[error(transparent)]
    Emerging(#[from] EmergingError),
    /// Kernel density failed.
    #[error(transparent)]
    Kde(#[from] KdeError),
}

impl QueryError {
    /// The parameter at fault, if one is.
    pub fn parameter(&self) -> Option<&str> {
        match self {
            QueryError::Param(p) => Some(&p.parameter),
            _ => None,
        }
    }

    /// Whether the request (not the server) is at fault: a 400 over HTTP, exit code 2 on the CLI.
    pub fn is_bad_request(&self) -> bool {
        matches!(
            self,
            QueryError::Param(_)
                | QueryError::Empty(_)
                | QueryError::Aggregate(AggregateError::NoWards)
                | QueryError::Kde(_)
                | QueryError::Emerging(_)
        )
    }
}

/// Explains why a selection came out empty.
pub(crate) fn why_empty(snap: &Snapshot, selection: &Selection, selected: &Selected) -> String {
    let total = snap.incidents.len();
    if total == 0 {
        return "no incidents are stored: ingest some first (hotspot ingest ...)".to_owned();
    }
    let mut text = format!(
        "no incidents match: none of the {total} stored incidents in the chosen wards and categories falls in the window ({})",
        selection.window.describe()
    );
    if selected.left_out_month_only > 0 {
        text.push_str(&format!(
            "; {} month-only rows (police.uk has no day or time) were left out because the window has days, hours or a calendar, or cuts their month",
            selected.left_out_month_only
        ));
    }
    text
}

/// A GeoJSON Feature for an H3 cell: its hexagon as a Polygon, with the given properties.
pub fn cell_feature(cell: CellIndex, properties: Value) -> Value {
    let boundary = cell.boundary();
    let mut ring: Vec<[f64; 2]> = boundary
        .iter()
        .map(|ll| [round6(ll.lng()), round6(ll.lat())])
        .collect();
    if let Some(first) = ring.first().copied() {
        ring.push(first);
    }
    json!({
        "type": "Feature",
        "id": cell.to_string(),
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": properties,
    })
}

/// Rounds degrees to 6 decimals (about 0.1 m), enough for any map and half the bytes.
pub fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}
