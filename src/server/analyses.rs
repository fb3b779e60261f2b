//! The analysis cache: each analysis is computed once per (snapshot version, endpoint,
//! checked request) and shared by every response that needs it — `/api/*` in any format, the
//! OGC `hotspots` and `emerging` collections, and tiles.
//!
//! 1. The raw parameters are checked into a request ([`AnalysisRequest::from_params`]); the
//!    key is the snapshot version, the endpoint and the checked request's full `Debug` text,
//!    so spellings that mean the same thing (`ward=Alpha` and `ward=E05000001`, a comma list
//!    and repeated pairs, `format=csv` and `format=geojson`) share one entry.
//! 2. The [`Memo`] (bounded LRU, [`DEFAULT_ANALYSIS_CACHE_ENTRIES`]) finds or computes the
//!    key: older snapshot versions are dropped, the first request runs the analysis on the
//!    blocking pool and concurrent identical requests wait for that one run. Outcomes are
//!    cached, errors included (the same input fails the same way); a panic is not cached.
//! 3. A cached analysis renders its GeoJSON features and its tile source once, on first use.
//!
//! Cost: one lock and one hash per lookup; memory is bounded by the entry count times the
//! largest result (a study area's cells).

use std::sync::{Arc, OnceLock};

use serde_json::Value;

use super::error::ApiError;
use super::memo::{Memo, MemoKey};
use crate::index::Snapshot;
use crate::query::{CCTV_PARAMS, CctvRequest, CctvResult, run_cctv};
use crate::query::{
    DENSITY_PARAMS, DensityRequest, DensityResult, EMERGING_PARAMS, EmergingRequest,
    EmergingResult, HOTSPOT_PARAMS, HotspotRequest, HotspotResult, ParamBag, ParamError,
    QueryError, SELECTION_PARAMS, STATS_PARAMS, StatsRequest, StatsResult, run_density,
    run_emerging, run_hotspots, run_stats,
};
use crate::query::{EVALUATE_PARAMS, EvaluateRequest, EvaluateResult, run_evaluate};
use crate::query::{
    REVIEW_PARAMS, ReviewRequest, ReviewResult, ZONES_PARAMS, ZonesRequest, ZonesResult,
    run_review, run_zones,
};
use crate::tiles::{TileError, TileFeature, TileSource};
use crate::time::EventCalendar;

/// Default number of analyses the cache keeps.
pub const DEFAULT_ANALYSIS_CACHE_ENTRIES: usize = 64;

/// An analysis the server runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// Counts by ward, month, category, hour, weekday (`/api/stats`).
    Stats,
    /// Getis-Ord Gi* hot spots (`/api/hotspots`).
    Hotspots,
    /// Emerging hot spots (`/api/emerging`).
    Emerging,
    /// Kernel density (`/api/density`).
    Density,
    /// Backtests: PAI, PEI, RRI and concentration (`/api/evaluate`).
    Evaluate,
    /// Venue area review (`/api/licensing/review`).
    LicensingReview,
    /// Cumulative impact zones (`/api/licensing/zones`; the `zones` tile layer and OGC
    /// collection).
    LicensingZones,
    /// Mobile CCTV siting (`/api/cctv`).
    Cctv,
}

impl Endpoint {
    /// Every endpoint.
    pub const ALL: [Endpoint; 8] = [
        Endpoint::Stats,
        Endpoint::Hotspots,
        Endpoint::Emerging,
        Endpoint::Density,
        Endpoint::Evaluate,
        Endpoint::LicensingReview,
        Endpoint::LicensingZones,
        Endpoint::Cctv,
    ];

    /// The name in paths (`/api/{name}`).
    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Stats => "stats",
            Endpoint::Hotspots => "hotspots",
            Endpoint::Emerging => "emerging",
            Endpoint::Density => "density",
            Endpoint::Evaluate => "evaluate",
            Endpoint::LicensingReview => "licensing/review",
            Endpoint::LicensingZones => "licensing/zones",
            Endpoint::Cctv => "cctv",
        }
    }

    /// The analysis parameters it accepts besides the selection's.
    pub fn own_params(self) -> &'static [&'static str] {
        match self {
            Endpoint::Stats => STATS_PARAMS,
            Endpoint::Hotspots => HOTSPOT_PARAMS,
            Endpoint::Emerging => EMERGING_PARAMS,
            Endpoint::Density => DENSITY_PARAMS,
            Endpoint::Evaluate => EVALUATE_PARAMS,
            Endpoint::LicensingReview => REVIEW_PARAMS,
            Endpoint::LicensingZones => ZONES_PARAMS,
            Endpoint::Cctv => CCTV_PARAMS,
        }
    }

    /// Every analysis parameter it accepts: the selection's, then its own (evaluate takes
    /// `train-*` and `test-*` instead of `from` and `to`).
    pub fn params(self) -> Vec<&'static str> {
        SELECTION_PARAMS
            .iter()
            .filter(|p| self != Endpoint::Evaluate || !matches!(**p, "from" | "to"))
            .chain(self.own_params())
            .copied()
            .collect()
    }
}

/// A checked request of one endpoint.
#[derive(Debug, Clone)]
pub enum AnalysisRequest {
    /// `/api/stats`.
    Stats(StatsRequest),
    /// `/api/hotspots`.
    Hotspots(HotspotRequest),
    /// `/api/emerging`.
    Emerging(EmergingRequest),
    /// `/api/density`.
    Density(DensityRequest),
    /// `/api/evaluate`.
    Evaluate(Box<EvaluateRequest>),
    /// `/api/licensing/review`.
    LicensingReview(ReviewRequest),
    /// `/api/licensing/zones`.
    LicensingZones(ZonesRequest),
    /// `/api/cctv`.
    Cctv(CctvRequest),
}

impl AnalysisRequest {
    /// Takes `endpoint`'s parameters out of `bag` and checks them against the snapshot (the
    /// caller then finishes the bag, so leftovers are refused as unknown).
    pub fn from_params(
        endpoint: Endpoint,
        bag: &mut ParamBag,
        snap: &Snapshot,
        events: Option<&EventCalendar>,
    ) -> Result<AnalysisRequest, ParamError> {
        Ok(match endpoint {
            Endpoint::Stats => {
                AnalysisRequest::Stats(StatsRequest::from_params(bag, snap, events)?)
            }
            Endpoint::Hotspots => {
                AnalysisRequest::Hotspots(HotspotRequest::from_params(bag, snap, events)?)
            }
            Endpoint::Emerging => {
                AnalysisRequest::Emerging(EmergingRequest::from_params(bag, snap, events)?)
            }
            Endpoint::Density => {
                AnalysisRequest::Density(DensityRequest::from_params(bag, snap, events)?)
            }
            Endpoint::Evaluate => AnalysisRequest::Evaluate(Box::new(
                EvaluateRequest::from_params(bag, snap, events)?,
            )),
            Endpoint::LicensingReview => {
                AnalysisRequest::LicensingReview(ReviewRequest::from_params(bag, snap, events)?)
            }
            Endpoint::LicensingZones => {
                AnalysisRequest::LicensingZones(ZonesRequest::from_params(bag, snap, events)?)
            }
            Endpoint::Cctv => AnalysisRequest::Cctv(CctvRequest::from_params(bag, snap, events)?),
        })
    }

    /// The endpoint it is for.
    pub fn endpoint(&self) -> Endpoint {
        match self {
            AnalysisRequest::Stats(_) => Endpoint::Stats,
            AnalysisRequest::Hotspots(_) => Endpoint::Hotspots,
            AnalysisRequest::Emerging(_) => Endpoint::Emerging,
            AnalysisRequest::Density(_) => Endpoint::Density,
            AnalysisRequest::Evaluate(_) => Endpoint::Evaluate,
            AnalysisRequest::LicensingReview(_) => Endpoint::LicensingReview,
            AnalysisRequest::LicensingZones(_) => Endpoint::LicensingZones,
            AnalysisRequest::Cctv(_) => Endpoint::Cctv,
        }
    }

    /// The normalised parameter set: the checked request in full (resolved wards, parsed
    /// window, categories, options).
    fn key_text(&self) -> String {
        format!("{self:?}")
    }

    /// Runs the analysis (CPU-bound: call from a blocking thread).
    pub fn run(&self, snap: &Snapshot) -> Result<Analysis, QueryError> {
        Ok(match self {
            AnalysisRequest::Stats(r) => Analysis::Stats(run_stats(snap, r)?),
            AnalysisRequest::Hotspots(r) => Analysis::Hotspots(run_hotspots(snap, r)?),
            AnalysisRequest::Emerging(r) => Analysis::Emerging(run_emerging(snap, r)?),
            AnalysisRequest::Density(r) => Analysis::Density(run_density(snap, r)?),
            AnalysisRequest::Evaluate(r) => Analysis::Evaluate(Box::new(run_evaluate(snap, r)?)),
            AnalysisRequest::LicensingReview(r) => Analysis::LicensingReview(run_review(snap, r)?),
            AnalysisRequest::LicensingZones(r) => Analysis::LicensingZones(run_zones(snap, r)?),
            AnalysisRequest::Cctv(r) => Analysis::Cctv(run_cctv(snap, r)?),
        })
    }
}

/// A computed analysis.
#[derive(Debug, Clone)]
pub enum Analysis {
    /// Counts.
    Stats(StatsResult),
    /// Gi* cells.
    Hotspots(HotspotResult),
    /// Emerging patterns per cell.
    Emerging(EmergingResult),
    /// Density per cell or grid square.
    Density(DensityResult),
    /// Backtest scores.
    Evaluate(Box<EvaluateResult>),
    /// Venue area review.
    LicensingReview(ReviewResult),
    /// Cumulative impact zones.
    LicensingZones(ZonesResult),
    /// CCTV sites.
    Cctv(CctvResult),
}

impl Analysis {
    /// The result as a GeoJSON FeatureCollection (with `parameters` and `summary`), or, for
    /// stats, which has no geometry, as JSON.
    pub fn geojson(&self, snap: &Snapshot) -> Value {
        match self {
            Analysis::Stats(r) => r.json(snap),
            Analysis::Hotspots(r) => r.geojson(snap),
            Analysis::Emerging(r) => r.geojson(snap),
            Analysis::Density(r) => r.geojson(snap),
            Analysis::Evaluate(r) => r.json(snap),
            Analysis::LicensingReview(r) => r.geojson(snap),
            Analysis::LicensingZones(r) => r.geojson(snap),
            Analysis::Cctv(r) => r.geojson(snap),
        }
    }

    /// The result as JSON without geometry.
    pub fn json(&self, snap: &Snapshot) -> Value {
        match self {
            Analysis::Stats(r) => r.json(snap),
            Analysis::Hotspots(r) => r.json(snap),
            Analysis::Emerging(r) => r.json(snap),
            Analysis::Density(r) => r.json(snap),
            Analysis::Evaluate(r) => r.json(snap),
            Analysis::LicensingReview(r) => r.json(snap),
            Analysis::LicensingZones(r) => r.json(snap),
            Analysis::Cctv(r) => r.json(snap),
        }
    }

    /// The printable HTML report, for the analyses that have one (licensing zones).
    pub fn html(&self, snap: &Snapshot) -> Option<String> {
        match self {
            Analysis::LicensingZones(r) => Some(r.html(snap)),
            _ => None,
        }
    }

    /// The text table, for the analyses that have one (licensing review and zones).
    pub fn table(&self, snap: &Snapshot) -> Option<String> {
        match self {
            Analysis::LicensingReview(r) => Some(r.table(snap)),
            Analysis::LicensingZones(r) => Some(r.table(snap)),
            _ => None,
        }
    }

    /// The result as CSV with a header row.
    pub fn csv(&self, snap: &Snapshot) -> String {
        match self {
            Analysis::Stats(r) => r.csv(snap),
            Analysis::Hotspots(r) => r.csv(),
            Analysis::Emerging(r) => r.csv(),
            Analysis::Density(r) => r.csv(),
            Analysis::Evaluate(r) => r.csv(),
            Analysis::LicensingReview(r) => r.csv(snap),
            Analysis::LicensingZones(r) => r.csv(snap),
            Analysis::Cctv(r) => r.csv(),
        }
    }
}

/// An analysis in the cache, with its GeoJSON features and its tile source made once on
/// first use (for OGC pages and tiles).
#[derive(Debug)]
pub struct Computed {
    /// The analysis.
    pub analysis: Analysis,
    features: OnceLock<Vec<Value>>,
    tiles: OnceLock<Result<Arc<TileSource>, TileError>>,
}

impl Computed {
    /// Wraps an analysis.
    pub fn new(analysis: Analysis) -> Computed {
        Computed {
            analysis,
            features: OnceLock::new(),
            tiles: OnceLock::new(),
        }
    }

    /// The features as a tile source (projected and indexed once). Cell features get the H3
    /// index as their id.
    pub fn tile_source(&self, snap: &Snapshot) -> Result<Arc<TileSource>, TileError> {
        self.tiles
            .get_or_init(|| {
                let features = self
                    .features(snap)
                    .iter()
                    .filter_map(tile_feature)
                    .collect();
                TileSource::new(features).map(Arc::new)
            })
            .clone()
    }

    /// The GeoJSON features (none for stats). `snap` must be the snapshot the analysis ran
    /// on, as the cache guarantees.
    pub fn features(&self, snap: &Snapshot) -> &[Value] {
        self.features.get_or_init(|| match &self.analysis {
            Analysis::Stats(_) | Analysis::Evaluate(_) => Vec::new(),
            other => match other.geojson(snap) {
                Value::Object(mut o) => match o.remove("features") {
                    Some(Value::Array(features)) => features,
                    _ => Vec::new(),
                },
                _ => Vec::new(),
            },
        })
    }
}

/// A GeoJSON feature (Value) as a tile feature; H3 cell ids become the numeric id.
pub fn tile_feature(f: &Value) -> Option<TileFeature> {
    let geometry: geojson::Geometry = serde_json::from_value(f.get("geometry")?.clone()).ok()?;
    let geometry = geo::Geometry::<f64>::try_from(geometry).ok()?;
    let properties = f.get("properties")?.as_object()?.clone();
    let id = f
        .get("id")
        .and_then(Value::as_str)
        .and_then(|s| s.parse::<h3o::CellIndex>().ok())
        .map(u64::from)
        .or_else(|| f.get("id").and_then(Value::as_u64));
    Some(TileFeature {
        geometry,
        properties,
        id,
    })
}

/// What a lookup gives: the shared analysis, or the reason it cannot be computed.
pub type Outcome = Result<Arc<Computed>, Arc<QueryError>>;

/// The 4xx or 500 for an analysis that failed.
pub fn query_error(e: &QueryError) -> ApiError {
    if e.is_bad_request() {
        ApiError::bad(e.parameter().unwrap_or_default(), e.to_string())
    } else {
        ApiError::Internal {
            detail: e.to_string(),
        }
    }
}

/// The 400 for a parameter that cannot be used.
pub fn param_error(e: &ParamError) -> ApiError {
    ApiError::bad(&e.parameter, e.to_string())
}

/// The cache (see the module doc).
#[derive(Debug)]
pub struct AnalysisCache {
    memo: Memo<Outcome>,
}

impl AnalysisCache {
    /// A cache keeping at most `entries` analyses (at least 1).
    pub fn new(entries: usize) -> AnalysisCache {
        AnalysisCache {
            memo: Memo::new(entries),
        }
    }

    /// How many analyses have been run since the server started (each computation counts
    /// once, however many requests shared it).
    pub fn runs(&self) -> u64 {
        self.memo.runs()
    }

    /// How many analyses are cached now.
    pub fn len(&self) -> usize {
        self.memo.len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.memo.is_empty()
    }

    /// The analysis of `request` on `snap`: from the cache, or computed once on the blocking
    /// pool. The outer error is a 500 for a computation that panicked.
    pub async fn get(
        &self,
        snap: &Arc<Snapshot>,
        request: AnalysisRequest,
    ) -> Result<Outcome, ApiError> {
        let key = MemoKey {
            version: snap.version(),
            what: format!("{} {}", request.endpoint().name(), request.key_text()),
        };
        let snap = Arc::clone(snap);
        self.memo
            .get_or_compute(key, move || {
                request
                    .run(&snap)
                    .map(|a| Arc::new(Computed::new(a)))
                    .map_err(Arc::new)
            })
            .await
    }

    /// As [`AnalysisCache::get`], with a failed analysis turned into its 400 or 500.
    pub async fn computed(
        &self,
        snap: &Arc<Snapshot>,
        request: AnalysisRequest,
    ) -> Result<Arc<Computed>, ApiError> {
        self.get(snap, request).await?.map_err(|e| query_error(&e))
    }
}
