//! The analysis collections `hotspots` and `emerging`: the H3 cells of an analysis as Polygon
//! features, for GIS clients (`OAPIF:http://host/ogc` in QGIS or GDAL).
//!
//! 1. The query string carries the OGC parameters (`bbox`, `limit`, `offset`, `f`) and the
//!    analysis's own (`from`, `preset`, `ward`, `resolution`, `k` ...; defaults when none);
//!    the handler checks the latter and fetches the analysis from the shared cache.
//! 2. Features are the analysis's GeoJSON cells (rendered once per cached analysis), in cell
//!    order; `bbox` keeps cells whose hexagon intersects the box (exact `geo` test).
//! 3. Pages and their links carry the analysis parameters, so `next` pages the same analysis.
//!
//! `datetime` is refused: the window is chosen with `from`, `to`, `days`, `hours`, `preset`.

use geo::{BoundingRect, Intersects, LineString, Polygon};
use serde_json::{Value, json};

use super::collection::{Collection, Extent, ItemsPage, Rows};
use super::params::ItemsQuery;
use crate::index::Snapshot;
use crate::server::analyses::{Computed, Endpoint};
use crate::server::error::ApiError;

/// A collection of an analysis's cells.
#[derive(Debug, Clone, Copy)]
pub struct AnalysisCollection {
    endpoint: Endpoint,
}

/// The `hotspots` collection (Getis-Ord Gi* cells).
pub static HOTSPOTS: AnalysisCollection = AnalysisCollection {
    endpoint: Endpoint::Hotspots,
};

/// The `emerging` collection (emerging hot spot patterns per cell).
pub static EMERGING: AnalysisCollection = AnalysisCollection {
    endpoint: Endpoint::Emerging,
};

/// The hexagon of a cell feature, from its GeoJSON coordinates.
fn polygon_of(feature: &Value) -> Option<Polygon<f64>> {
    let ring = feature["geometry"]["coordinates"][0].as_array()?;
    let coords: Option<Vec<geo::Coord<f64>>> = ring
        .iter()
        .map(|p| {
            Some(geo::Coord {
                x: p[0].as_f64()?,
                y: p[1].as_f64()?,
            })
        })
        .collect();
    Some(Polygon::new(LineString(coords?), Vec::new()))
}

fn missing(endpoint: Endpoint) -> ApiError {
    ApiError::Internal {
        detail: format!(
            "the {} collection was asked for items without its analysis",
            collection_id(endpoint)
        ),
    }
}

impl Collection for AnalysisCollection {
    fn id(&self) -> &'static str {
        self.endpoint.name()
    }

    fn title(&self) -> &'static str {
        match self.endpoint {
            Endpoint::Emerging => "Emerging hot spots",
            _ => "Hot spots",
        }
    }

    fn description(&self) -> &'static str {
        match self.endpoint {
            Endpoint::Emerging => {
                "H3 cells with their emerging hot spot pattern (ArcGIS Emerging Hot Spot Analysis labels), Mann-Kendall trend and hot/cold step counts. Analysis parameters as in /api/emerging go in the query string."
            }
            _ => {
                "H3 cells with their incident count and Getis-Ord Gi* z, p, pseudo p and confidence bin (-3..3). Analysis parameters as in /api/hotspots go in the query string."
            }
        }
    }

    fn analysis(&self) -> Option<Endpoint> {
        Some(self.endpoint)
    }

    /// The study area: the wards' box, else the incidents'.
    fn extent(&self, snap: &Snapshot) -> Extent {
        let corners: Vec<[f64; 2]> = snap
            .wards
            .iter()
            .filter_map(|w| w.boundary.bounding_rect())
            .flat_map(|r| [[r.min().x, r.min().y], [r.max().x, r.max().y]])
            .collect();
        let bbox = if corners.is_empty() {
            Extent::of_points(snap.incidents.lonlat.iter().copied())
        } else {
            Extent::of_points(corners)
        };
        Extent {
            bbox,
            interval: None,
        }
    }

    fn properties(&self) -> Value {
        let s = |t: &str| json!({ "type": t });
        let n = |t: &str| json!({ "type": t, "nullable": true });
        match self.endpoint {
            Endpoint::Emerging => json!({
                "cell": s("string"),
                "count": s("number"),
                "pattern": s("string"),
                "trend_z": n("number"),
                "trend_p": n("number"),
                "count_trend_z": n("number"),
                "count_trend_p": n("number"),
                "hot_steps": s("integer"),
                "cold_steps": s("integer"),
            }),
            _ => json!({
                "cell": s("string"),
                "count": s("number"),
                "z": n("number"),
                "p": n("number"),
                "p_sim": n("number"),
                "bin": { "type": "integer", "minimum": -3, "maximum": 3 },
                "neighbours": s("integer"),
            }),
        }
    }

    fn items(
        &self,
        snap: &Snapshot,
        query: &ItemsQuery,
        analysis: Option<&Computed>,
    ) -> Result<ItemsPage, ApiError> {
        analysis_items(self.endpoint, snap, query, analysis, |f, rect| {
            polygon_of(f).is_some_and(|p| p.intersects(rect))
        })
    }

    fn item(&self, snap: &Snapshot, fid: &str, analysis: Option<&Computed>) -> Option<Value> {
        analysis_item(snap, fid, analysis)
    }
}

/// The items page of an analysis collection (this file's and `zones`): `datetime` refused (the
/// window comes from the analysis parameters), the cached analysis's features, those that
/// `intersects` the `bbox`, paged.
pub(super) fn analysis_items(
    endpoint: Endpoint,
    snap: &Snapshot,
    query: &ItemsQuery,
    analysis: Option<&Computed>,
    intersects: impl Fn(&Value, &geo::Rect<f64>) -> bool,
) -> Result<ItemsPage, ApiError> {
    if query.datetime.is_some() {
        return Err(ApiError::bad(
            "datetime",
            format!(
                "the {} collection takes its window from from, to, days, hours and preset, not datetime",
                collection_id(endpoint)
            ),
        ));
    }
    let features = analysis.ok_or_else(|| missing(endpoint))?.features(snap);
    let rows = match &query.bbox {
        None => Rows::All(features.len()),
        Some(b) => {
            let rect = b.rect();
            Rows::Some(
                (0..features.len())
                    .filter(|&i| intersects(&features[i], &rect))
                    .map(|i| i as u32)
                    .collect(),
            )
        }
    };
    Ok(rows.page(query, |i| features[i].clone()))
}

/// One feature of an analysis collection by its id.
pub(super) fn analysis_item(
    snap: &Snapshot,
    fid: &str,
    analysis: Option<&Computed>,
) -> Option<Value> {
    analysis?
        .features(snap)
        .iter()
        .find(|f| f["id"] == fid)
        .cloned()
}

/// The collection id of an analysis endpoint.
fn collection_id(endpoint: Endpoint) -> &'static str {
    match endpoint {
        Endpoint::LicensingZones => "zones",
        other => other.name(),
    }
}
