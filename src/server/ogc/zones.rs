//! The `zones` collection: cumulative impact zones (the `/api/licensing/zones` analysis) as
//! Polygon features, for GIS clients (`OAPIF:http://host/ogc` in QGIS or GDAL).
//!
//! 1. The query string carries the OGC parameters (`bbox`, `limit`, `offset`, `f`) and the
//!    analysis's own (`eps-m`, `min-venues`, window, wards, categories; the default request,
//!    window `nte`, when none); the handler fetches the analysis from the shared cache.
//! 2. Features are the zones by rank (ids `zone-1`, ...); `bbox` keeps zones whose polygon
//!    intersects the box (exact `geo` test).
//!
//! `datetime` is refused: the window is chosen with `from`, `to`, `days`, `hours`, `preset`.

use geo::Intersects;
use serde_json::{Value, json};

use super::analysis::{analysis_item, analysis_items};
use super::collection::{Collection, Extent, ItemsPage};
use super::params::ItemsQuery;
use crate::index::Snapshot;
use crate::server::analyses::{Computed, Endpoint};
use crate::server::error::ApiError;

/// The `zones` collection.
#[derive(Debug, Clone, Copy)]
pub struct Zones;

fn geometry_of(feature: &Value) -> Option<geo::Geometry<f64>> {
    let g: geojson::Geometry = serde_json::from_value(feature.get("geometry")?.clone()).ok()?;
    geo::Geometry::<f64>::try_from(g).ok()
}

impl Collection for Zones {
    fn id(&self) -> &'static str {
        "zones"
    }

    fn title(&self) -> &'static str {
        "Cumulative impact zones"
    }

    fn description(&self) -> &'static str {
        "Clusters of licensed venues (DBSCAN) drawn as the area within eps-m of them, ranked by incidents in the window (default nte), with incidents per venue and per km2, share of the city's, and overlap with Gi* hot spots. Analysis parameters as in /api/licensing/zones go in the query string."
    }

    fn analysis(&self) -> Option<Endpoint> {
        Some(Endpoint::LicensingZones)
    }

    /// The venues' box (zones lie around venues).
    fn extent(&self, snap: &Snapshot) -> Extent {
        Extent::of_locations(snap.venues.iter().map(|v| v.location))
    }

    fn properties(&self) -> Value {
        let s = |t: &str| json!({ "type": t });
        let n = |t: &str| json!({ "type": t, "nullable": true });
        json!({
            "id": s("string"),
            "rank": s("integer"),
            "venues": s("integer"),
            "venue_ids": { "type": "array", "items": { "type": "string" } },
            "kinds": { "type": "object", "additionalProperties": { "type": "integer" } },
            "incidents": s("number"),
            "per_venue": s("number"),
            "area_km2": s("number"),
            "per_km2": s("number"),
            "share": s("number"),
            "high_alcohol_hours": s("number"),
            "alcohol_flagged": s("number"),
            "month_only": s("number"),
            "hot_overlap": n("number"),
            "hot_area_share": n("number"),
        })
    }

    fn items(
        &self,
        snap: &Snapshot,
        query: &ItemsQuery,
        analysis: Option<&Computed>,
    ) -> Result<ItemsPage, ApiError> {
        analysis_items(
            Endpoint::LicensingZones,
            snap,
            query,
            analysis,
            |f, rect| geometry_of(f).is_some_and(|g| g.intersects(rect)),
        )
    }

    fn item(&self, snap: &Snapshot, fid: &str, analysis: Option<&Computed>) -> Option<Value> {
        analysis_item(snap, fid, analysis)
    }
}
