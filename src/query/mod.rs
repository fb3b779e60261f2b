//! From raw parameters to answers: checked requests, incident selection (window, wards,
//! categories), aggregation per cell, and each analysis run end to end with its outputs
//! (GeoJSON, CSV, JSON with `parameters` and `summary`). The CLI and the HTTP API both call
//! this module, so both check parameters the same way.

mod aggregate;
mod area;
mod bag;
mod cctv;
mod density;
mod emerging;
mod evaluate;
mod hotspots;
mod intervention;
mod knox;
mod licensing_report;
mod licensing_review;
mod licensing_zones;
mod params;
mod patrol;
mod patrol_render;
mod purple_flag;
mod repeats;
mod selection;
mod stats;
mod targets;

use h3o::CellIndex;
use serde_json::{Value, json};

pub use aggregate::{AggregateError, CellCounts, cell_counts};
pub use area::{
    AreaError, AreaSource, MAX_POLYGON_FILE_BYTES, MAX_POLYGON_VERTICES, StudyArea,
    area_weighted_residents, geojson_polygons, parse_polygon,
};
pub use bag::{MAX_PARAMS, MAX_VALUE_LEN, ParamBag};
pub use cctv::{
    CCTV_PARAMS, CctvRequest, CctvResult, DEFAULT_CAMERAS, DEFAULT_CCTV_RESOLUTION,
    DEFAULT_RADIUS_M, DEFAULT_ROTATE_MONTHS, FixedCoverage, MAX_CAMERAS, MAX_CANDIDATES,
    MAX_EXACT_SETS, MAX_ROTATE_MONTHS, MAX_SITES, PlacedSite, Placement, Rotation, RotationRow,
    Site, parse_inline_sites, parse_weights, run_cctv, weights_from_toml,
};
pub use density::{DENSITY_PARAMS, DensityCells, DensityRequest, DensityResult, run_density};
pub use emerging::{EMERGING_PARAMS, EmergingRequest, EmergingResult, Step, run_emerging};
pub use evaluate::{
    EVALUATE_PARAMS, EvaluateRequest, EvaluateResult, Fold, FoldResult, MAX_COVERAGES, MAX_ORIGINS,
    Method, MethodScores, Rolling, run_evaluate,
};
pub use hotspots::{HOTSPOT_PARAMS, HotspotRequest, HotspotResult, auto_resolution, run_hotspots};
pub use intervention::{
    INTERVENTION_PARAMS, InterventionRequest, InterventionResult, MAX_POLYGON_BYTES, TargetArea,
    polygon_from_geojson, run_intervention,
};
pub use knox::{ALERT_ALPHA, Alert, KNOX_PARAMS, KnoxRequest, KnoxRun, MAX_ALERTS, run_knox};
pub use licensing_review::{
    CityNte, DEFAULT_REVIEW_RADIUS_M, MAX_REVIEW_VENUES, REVIEW_PARAMS, ReviewRequest,
    ReviewResult, VenueReview, nte_selection, run_review, venue_positions_m, wards_area_km2,
};
pub use licensing_zones::{
    Coverage, DEFAULT_EPS_M, DEFAULT_MIN_VENUES, ZONES_PARAMS, Zone, ZonesRequest, ZonesResult,
    run_zones, zone_geometry,
};
pub use params::{
    MAX_LIST_VALUES, ParamError, RawSelection, SELECTION_PARAMS, parse_bool, parse_in_range,
    parse_number, parse_resolution, split_list, ward_by_key,
};
pub use patrol::{
    LeftOut, MAX_PLACES, MAX_START_M, MIN_REVISIT_MIN, PATROL_PARAMS, PLACE_SHARE, PatrolError,
    PatrolRequest, PatrolResult, Place, ROUND_MIN, Stop, bin_text, clock, run_patrol,
};
pub use purple_flag::{
    MAX_PERIODS, PURPLE_FLAG_PARAMS, PurpleFlagRequest, PurpleFlagResult, ZoneLookup, change_pct,
    run_purple_flag,
};
pub use repeats::{REPEATS_PARAMS, RepeatsRequest, RepeatsResult, run_repeats};
pub use selection::{Selected, Selection};
pub use stats::{Dim, Key, STATS_PARAMS, StatsRequest, StatsResult, run_stats};
pub use targets::{TARGETS_PARAMS, TargetsRequest, TargetsResult, run_targets};

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
    /// A backtest's scoring failed.
    #[error(transparent)]
    Evaluation(crate::analysis::evaluation::EvaluationError),
    /// A patrol plan could not be made.
    #[error(transparent)]
    Patrol(#[from] PatrolError),
    /// The Knox test could not run.
    #[error(transparent)]
    Knox(#[from] crate::analysis::knox::KnoxError),
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
                | QueryError::Knox(_)
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
