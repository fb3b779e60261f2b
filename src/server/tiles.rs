//! Vector tiles over HTTP: `GET /tiles/{layer}/{z}/{x}/{y}.mvt` (MVT 2.1) or `.geojson`, and
//! `GET /tiles/{layer}.json` (TileJSON 3.0), for the layers in [`LAYERS`]. (The router cannot
//! match a suffix inside a segment, so the routes are `/tiles/{layer}/{z}/{x}/{y}` with `y`
//! holding `5499.mvt`, and `/tiles/{layer}` with `layer` holding `wards.json`.)
//!
//! 1. Check the layer (404 naming `layer`), the tile address (404 naming `z`, `x` or `y`),
//!    and the query: each layer takes the parameters of what it draws — `incidents` the
//!    selection (window, ward, category), `cells` the selection and `resolution`, `hotspots`,
//!    `emerging` and `density` their analysis's, the static layers none; anything else is a
//!    400 naming it.
//! 2. Find the layer's tile source. Static layers (`wards`, `venues`, `cameras`) and the
//!    incident points of a selection are projected and indexed once per snapshot version and
//!    parameter set (the [`Memo`] behind [`TileSources`]); analysis layers come from the
//!    analysis cache, so a tile and `/api/hotspots` with the same parameters share one run.
//! 3. Cut the tile on the blocking pool (`crate::tiles`: query, clip, simplify, quantise;
//!    incidents are grid clusters `{cluster: true, count}` below street zoom, and incidents
//!    sharing one position are one stack `{stack: true, count, groups, first_month,
//!    last_month, weight}` at street zoom) and encode it.
//!    An empty MVT tile is `204 No Content`; an empty GeoJSON tile is an empty
//!    FeatureCollection.
//!
//! Tiles carry the ETag of every data answer (snapshot version, path, parameters).

use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::analyses::{AnalysisRequest, Endpoint, param_error, query_error, tile_feature};
use super::api::{analysis_request, finish, query_pairs};
use super::error::ApiError;
use super::memo::{Memo, MemoKey};
use super::ogc::{GEOJSON, JSON, typed_json};
use super::state::{AppState, BaseUrl, Snap};
use crate::index::Snapshot;
use crate::query::{
    ParamBag, QueryError, RawSelection, SELECTION_PARAMS, cell_counts, cell_feature,
    parse_resolution,
};
use crate::tiles::{
    ClippedFeature, ClusterOptions, FieldType, PointFeature, PointSource, StackSummary, TileCoord,
    TileError, TileFeature, TileFormat, TileJsonRequest, TileSource, encode_geojson, encode_mvt,
    tilejson,
};

/// Media type of MVT tiles.
pub const MVT: &str = "application/vnd.mapbox-vector-tile";

/// The layers served.
pub const LAYERS: [&str; 10] = [
    "incidents",
    "cells",
    "hotspots",
    "emerging",
    "density",
    "wards",
    "venues",
    "cameras",
    "zones",
    "cctv",
];

/// Deepest zoom advertised in TileJSON (street level; clients over-zoom beyond it).
pub const TILEJSON_MAXZOOM: u8 = 18;

/// Default number of tile sources kept (static layers and incident selections).
pub const DEFAULT_TILE_SOURCE_ENTRIES: usize = 32;

/// A tile layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layer {
    Incidents,
    Cells,
    Analysis(Endpoint),
    Wards,
    Venues,
    Cameras,
}

impl Layer {
    fn parse(name: &str) -> Result<Layer, ApiError> {
        Ok(match name {
            "incidents" => Layer::Incidents,
            "cells" => Layer::Cells,
            "hotspots" => Layer::Analysis(Endpoint::Hotspots),
            "emerging" => Layer::Analysis(Endpoint::Emerging),
            "density" => Layer::Analysis(Endpoint::Density),
            "wards" => Layer::Wards,
            "venues" => Layer::Venues,
            "cameras" => Layer::Cameras,
            "zones" => Layer::Analysis(Endpoint::LicensingZones),
            "cctv" => Layer::Analysis(Endpoint::Cctv),
            other => {
                return Err(ApiError::NotFound {
                    parameter: Some("layer".to_owned()),
                    description: format!("no tile layer {other:?}; layers: {}", LAYERS.join(", ")),
                });
            }
        })
    }

    fn name(self) -> &'static str {
        match self {
            Layer::Incidents => "incidents",
            Layer::Cells => "cells",
            Layer::Analysis(Endpoint::LicensingZones) => "zones",
            Layer::Analysis(e) => e.name(),
            Layer::Wards => "wards",
            Layer::Venues => "venues",
            Layer::Cameras => "cameras",
        }
    }

    fn description(self) -> &'static str {
        match self {
            Layer::Incidents => {
                "Incidents of the selection as points (id, group, crime_type, category, month, weight); incidents at one position as one stack {stack: true, count, groups: \"asb:12,violence:3\", first_month, last_month, weight (summed)}; grid clusters {cluster: true, count} below street zoom"
            }
            Layer::Cells => "Incident counts per H3 cell of the study area",
            Layer::Analysis(Endpoint::Emerging) => "Emerging hot spot patterns per H3 cell",
            Layer::Analysis(Endpoint::Density) => "Kernel density (incidents per km²)",
            Layer::Analysis(Endpoint::LicensingZones) => {
                "Cumulative impact zones (DBSCAN clusters of licensed venues) ranked by incidents"
            }
            Layer::Analysis(Endpoint::Cctv) => {
                "Mobile CCTV sites (maximal covering location) with rank, gain, covered, new_covered"
            }
            Layer::Analysis(_) => "Getis-Ord Gi* hot spots per H3 cell",
            Layer::Wards => "Ward boundaries with code, name and population",
            Layer::Venues => "Licensed venues",
            Layer::Cameras => "CCTV cameras with their radius",
        }
    }
}

/// A tile source, ready to cut tiles.
#[derive(Debug, Clone)]
enum Source {
    Features(Arc<TileSource>),
    Points(Arc<PointSource>),
}

impl Source {
    fn tile(&self, coord: TileCoord) -> Vec<ClippedFeature> {
        match self {
            Source::Features(s) => s.tile(coord),
            Source::Points(s) => s.tile(coord),
        }
    }

    fn fields(&self) -> &std::collections::BTreeMap<String, FieldType> {
        match self {
            Source::Features(s) => s.fields(),
            Source::Points(s) => s.fields(),
        }
    }

    fn bounds(&self) -> Option<[f64; 4]> {
        match self {
            Source::Features(s) => s.bounds_lonlat(),
            Source::Points(s) => s.bounds_lonlat(),
        }
    }
}

/// Tile sources of static layers and incident selections, per snapshot version.
#[derive(Debug)]
pub struct TileSources {
    memo: Memo<Result<Source, ApiError>>,
}

impl TileSources {
    /// Keeps at most `entries` sources.
    pub fn new(entries: usize) -> TileSources {
        TileSources {
            memo: Memo::new(entries),
        }
    }

    /// How many sources have been built (for monitoring and tests).
    pub fn builds(&self) -> u64 {
        self.memo.runs()
    }
}

/// Encoded tiles already served, per snapshot version, layer, address, format and query: a
/// warm tile costs one map lookup (martin keeps a tile cache for the same reason). The cache
/// is split into [`TILE_CACHE_SHARDS`] LRU maps, each behind its own lock and chosen by the
/// key's hash, so the runtime's workers seldom wait on one another.
#[derive(Debug)]
pub struct TileCache {
    shards: Vec<std::sync::Mutex<TileShard>>,
    hits: std::sync::atomic::AtomicU64,
}

/// One shard of the [`TileCache`].
type TileShard = lru::LruCache<(u64, String), Option<axum::body::Bytes>>;

/// Headers a tile response ends up with (type, length, ETag, Cache-Control, CORS, Vary).
const RESPONSE_HEADERS: usize = 8;

/// Tiles kept by default (MVT tiles of these layers are a few kB each).
pub const DEFAULT_TILE_CACHE_ENTRIES: usize = 8192;
/// Shards of the [`TileCache`].
pub const TILE_CACHE_SHARDS: usize = 8;

impl TileCache {
    /// Keeps at most `entries` tiles (at least one per shard), least recently used out first
    /// within each shard.
    pub fn new(entries: usize) -> TileCache {
        let per_shard = std::num::NonZeroUsize::new(entries.div_ceil(TILE_CACHE_SHARDS))
            .unwrap_or(std::num::NonZeroUsize::MIN);
        TileCache {
            shards: (0..TILE_CACHE_SHARDS)
                .map(|_| std::sync::Mutex::new(lru::LruCache::new(per_shard)))
                .collect(),
            hits: std::sync::atomic::AtomicU64::new(0),
        }
    }

    fn lock(&self, key: &(u64, String)) -> std::sync::MutexGuard<'_, TileShard> {
        use std::hash::BuildHasher;
        let hash =
            std::hash::BuildHasherDefault::<std::hash::DefaultHasher>::default().hash_one(key);
        #[expect(
            clippy::cast_possible_truncation,
            reason = "taken modulo the shard count"
        )]
        let shard = &self.shards[(hash % TILE_CACHE_SHARDS as u64) as usize];
        // Each use is one LruCache call: a poisoned lock cannot hold a half-changed map.
        shard
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn get(&self, key: &(u64, String)) -> Option<Option<axum::body::Bytes>> {
        let found = self.lock(key).get(key).cloned();
        if found.is_some() {
            self.hits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        found
    }

    fn put(&self, key: (u64, String), tile: Option<axum::body::Bytes>) {
        self.lock(&key).put(key, tile);
    }

    /// How many requests were answered from the cache (for monitoring and tests).
    pub fn hits(&self) -> u64 {
        self.hits.load(std::sync::atomic::Ordering::Relaxed)
    }
}

fn tile_error(e: &TileError) -> ApiError {
    ApiError::Internal {
        detail: format!("tile source: {e}"),
    }
}

fn json_props(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn static_features(snap: &Snapshot, layer: Layer) -> Vec<TileFeature> {
    let point = |lon: f64, lat: f64| geo::Geometry::Point(geo::Point::new(lon, lat));
    let hhmm = |t: Option<chrono::NaiveTime>| t.map(|t| t.format("%H:%M").to_string());
    match layer {
        Layer::Wards => snap
            .wards
            .iter()
            .enumerate()
            .map(|(i, w)| TileFeature {
                geometry: geo::Geometry::MultiPolygon(w.boundary.clone()),
                properties: json_props(
                    json!({"code": w.code, "name": w.name, "population": w.population}),
                ),
                id: Some(i as u64),
            })
            .collect(),
        Layer::Venues => snap
            .venues
            .iter()
            .enumerate()
            .map(|(i, v)| TileFeature {
                geometry: point(v.location.lon(), v.location.lat()),
                properties: json_props(json!({
                    "id": v.id, "name": v.name, "kind": v.kind.name(),
                    "opens": hhmm(v.opens), "closes": hhmm(v.closes),
                })),
                id: Some(i as u64),
            })
            .collect(),
        Layer::Cameras => snap
            .cameras
            .iter()
            .enumerate()
            .map(|(i, c)| TileFeature {
                geometry: point(c.location.lon(), c.location.lat()),
                properties: json_props(
                    json!({"id": c.id, "kind": c.kind.name(), "radius_m": c.radius_m}),
                ),
                id: Some(i as u64),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The incident points of a selection.
fn incident_points(snap: &Snapshot, rows: &[u32], weights: &[f64]) -> Vec<PointFeature> {
    let t = &snap.incidents;
    rows.iter()
        .zip(weights)
        .filter_map(|(&r, &w)| {
            let i = r as usize;
            let [lon, lat] = t.lonlat[i];
            Some(PointFeature {
                position: crate::domain::Wgs84::new(lon, lat).ok()?,
                properties: json_props(json!({
                    "id": t.id[i],
                    "group": t.group[i].slug(),
                    "crime_type": t.crime_type[i].map(|c| c.name()),
                    "category": t.local_category[i].map(|c| t.local_categories.get(c)),
                    "month": t.month[i].to_string(),
                    "weight": w,
                })),
                id: Some(u64::from(r)),
            })
        })
        .collect()
}

/// Checks the query for `layer` and finds (or builds) its source.
async fn source(
    state: &AppState,
    snap: &Arc<Snapshot>,
    layer: Layer,
    mut bag: ParamBag,
    also: &[&str],
) -> Result<Source, ApiError> {
    let events = state.config().events.clone();
    let key = |what: String| MemoKey {
        version: snap.version(),
        what,
    };
    match layer {
        Layer::Analysis(endpoint) => {
            let request: AnalysisRequest = analysis_request(endpoint, &mut bag, snap, state)?;
            finish(bag, endpoint, also)?;
            let computed = state.analyses().computed(snap, request).await?;
            let snap = Arc::clone(snap);
            let built = tokio::task::spawn_blocking(move || computed.tile_source(&snap))
                .await
                .map_err(|e| ApiError::Internal {
                    detail: format!("building a tile source failed: {e}"),
                })?;
            built.map(Source::Features).map_err(|e| tile_error(&e))
        }
        Layer::Wards | Layer::Venues | Layer::Cameras => {
            bag.finish(also).map_err(|e| {
                ApiError::bad(
                    &e.parameter,
                    format!(
                        "unknown parameter: the {} layer takes no analysis parameters{}",
                        layer.name(),
                        if also.is_empty() {
                            String::new()
                        } else {
                            format!(" (accepted here: {})", also.join(", "))
                        }
                    ),
                )
            })?;
            let snap2 = Arc::clone(snap);
            state
                .tile_sources()
                .memo
                .get_or_compute(key(format!("{layer:?}")), move || {
                    TileSource::new(static_features(&snap2, layer))
                        .map(|s| Source::Features(Arc::new(s)))
                        .map_err(|e| tile_error(&e))
                })
                .await?
        }
        Layer::Incidents | Layer::Cells => {
            let selection = RawSelection::take(&mut bag)
                .and_then(|raw| raw.check(snap, events.as_deref()))
                .map_err(|e| param_error(&e))?;
            let resolution = if layer == Layer::Cells {
                let r = bag.one("resolution").map_err(|e| param_error(&e))?;
                parse_resolution(r.as_deref())
                    .map_err(|e| param_error(&e))?
                    .ok_or_else(|| {
                        ApiError::bad("resolution", "the cells layer needs a resolution 7–11")
                    })
                    .map(Some)?
            } else {
                None
            };
            let mut known: Vec<&str> = SELECTION_PARAMS.to_vec();
            if layer == Layer::Cells {
                known.push("resolution");
            }
            known.extend(also);
            bag.finish(&known).map_err(|e| param_error(&e))?;
            let what = format!("{layer:?} {resolution:?} {selection:?}");
            let snap2 = Arc::clone(snap);
            state
                .tile_sources()
                .memo
                .get_or_compute(key(what), move || {
                    let selected = selection.apply(&snap2);
                    match resolution {
                        None => PointSource::stacked(
                            incident_points(&snap2, &selected.rows, &selected.weights),
                            ClusterOptions::default(),
                            &StackSummary::incidents(),
                        )
                        .map(|s| Source::Points(Arc::new(s)))
                        .map_err(|e| tile_error(&e)),
                        Some(res) => {
                            let counts = cell_counts(&snap2, &selection.wards, &selected, res)
                                .map_err(|e| query_error(&QueryError::from(e)))?;
                            let features = counts
                                .cells
                                .iter()
                                .zip(&counts.counts)
                                .filter_map(|(c, n)| {
                                    tile_feature(&cell_feature(
                                        *c,
                                        json!({"cell": c.to_string(), "count": n}),
                                    ))
                                })
                                .collect();
                            TileSource::new(features)
                                .map(|s| Source::Features(Arc::new(s)))
                                .map_err(|e| tile_error(&e))
                        }
                    }
                })
                .await?
        }
    }
}

fn address_error(e: &TileError) -> ApiError {
    let parameter = match e {
        TileError::ZoomTooHigh { .. } => "z",
        TileError::ColumnOutOfRange { .. } => "x",
        _ => "y",
    };
    ApiError::NotFound {
        parameter: Some(parameter.to_owned()),
        description: format!("no such tile: {e}"),
    }
}

fn number(parameter: &str, text: &str) -> Result<u32, ApiError> {
    text.parse().map_err(|_| ApiError::NotFound {
        parameter: Some(parameter.to_owned()),
        description: format!("no such tile: {parameter} = {text:?} is not a whole number"),
    })
}

/// `GET /tiles/{layer}/{z}/{x}/{y}.mvt` or `.geojson`.
pub async fn tile(
    State(state): State<AppState>,
    Snap(snap): Snap,
    Path((layer, z, x, file)): Path<(String, String, String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let layer_kind = Layer::parse(&layer)?;
    let (y, format) = match file.rsplit_once('.') {
        Some((y, "mvt")) => (y, TileFormat::Mvt),
        Some((y, "geojson")) => (y, TileFormat::GeoJson),
        _ => {
            return Err(ApiError::NotFound {
                parameter: Some("y".to_owned()),
                description: format!("no such tile: {file:?} is not {{y}}.mvt or {{y}}.geojson"),
            });
        }
    };
    let coord = TileCoord::new_checked(number("z", &z)?, number("x", &x)?, number("y", y)?)
        .map_err(|e| address_error(&e))?;
    let media_type = match format {
        TileFormat::Mvt => MVT,
        TileFormat::GeoJson => GEOJSON,
    };
    let respond = |encoded: Option<axum::body::Bytes>| {
        let mut response = match encoded {
            None => StatusCode::NO_CONTENT.into_response(),
            Some(bytes) => bytes.into_response(),
        };
        // Room for the headers the layers add (ETag, Cache-Control, CORS, Vary), so the map is
        // allocated once rather than grown on the way out.
        let headers = response.headers_mut();
        headers.reserve(RESPONSE_HEADERS);
        if response.status() == StatusCode::OK {
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
        }
        response
    };
    let query_text = query.as_deref().unwrap_or("");
    let mut key = String::with_capacity(layer.len() + file.len() + query_text.len() + 24);
    let _ = write!(key, "{layer}/{coord}/{file}?{query_text}");
    let cache_key = (snap.version(), key);
    if let Some(hit) = state.tile_cache().get(&cache_key) {
        return Ok(respond(hit));
    }
    let bag = ParamBag::new(query_pairs(query.as_deref())?).map_err(|e| param_error(&e))?;
    let source = source(&state, &snap, layer_kind, bag, &[]).await?;
    let encoded = tokio::task::spawn_blocking(move || {
        let features = source.tile(coord);
        match format {
            TileFormat::Mvt => {
                if features.is_empty() {
                    return Ok(None);
                }
                encode_mvt(&[(layer.as_str(), features)]).map(Some)
            }
            TileFormat::GeoJson => serde_json::to_vec(&encode_geojson(coord, &features))
                .map(Some)
                .map_err(|e| TileError::Mvt {
                    layer: layer.clone(),
                    message: e.to_string(),
                }),
        }
    })
    .await
    .map_err(|e| ApiError::Internal {
        detail: format!("cutting a tile failed: {e}"),
    })?
    .map_err(|e| tile_error(&e))?
    .map(axum::body::Bytes::from);
    state.tile_cache().put(cache_key, encoded.clone());
    Ok(respond(encoded))
}

/// `GET /tiles/{layer}.json`: TileJSON 3.0 for the layer, with the query's parameters
/// (except `format`: `mvt` (default) or `geojson`, the tiles' format) repeated on the tile
/// URLs.
pub async fn tile_json(
    State(state): State<AppState>,
    Snap(snap): Snap,
    BaseUrl(base): BaseUrl,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let layer_name = name
        .strip_suffix(".json")
        .ok_or_else(|| ApiError::NotFound {
            parameter: Some("layer".to_owned()),
            description: format!("no such path: /tiles/{name} (TileJSON is /tiles/{{layer}}.json)"),
        })?;
    let layer = Layer::parse(layer_name)?;
    let pairs = query_pairs(query.as_deref())?;
    let (format_pairs, rest): (Vec<_>, Vec<_>) =
        pairs.into_iter().partition(|(k, _)| k == "format");
    let format = match format_pairs.as_slice() {
        [] => TileFormat::Mvt,
        [(_, f)] if f == "mvt" => TileFormat::Mvt,
        [(_, f)] if f == "geojson" => TileFormat::GeoJson,
        _ => {
            return Err(ApiError::bad(
                "format",
                "format must be given once, as mvt or geojson",
            ));
        }
    };
    let repeat = serde_urlencoded::to_string(&rest).map_err(|e| ApiError::Internal {
        detail: format!("cannot re-encode a decoded query: {e}"),
    })?;
    let bag = ParamBag::new(rest).map_err(|e| param_error(&e))?;
    let source = source(&state, &snap, layer, bag, &["format"]).await?;
    // A single point (one camera) has no extent: widen it to about 100 m.
    let bounds = source.bounds().map(|[w, s, e, n]| {
        let pad = |lo: f64, hi: f64| {
            if hi > lo {
                (lo, hi)
            } else {
                (lo - 0.0005, hi + 0.0005)
            }
        };
        let ((w, e), (s, n)) = (pad(w, e), pad(s, n));
        [w, s, e, n]
    });
    let doc = tilejson(&TileJsonRequest {
        base_url: &base,
        layer: layer_name,
        query: (!repeat.is_empty()).then_some(repeat.as_str()),
        format,
        description: Some(layer.description()),
        fields: source.fields(),
        minzoom: 0,
        maxzoom: TILEJSON_MAXZOOM,
        bounds,
    })
    .map_err(|e| tile_error(&e))?;
    Ok(typed_json(&doc, JSON))
}
