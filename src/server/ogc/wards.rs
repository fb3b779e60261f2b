//! The `wards` collection: ward boundaries (MultiPolygon) with code, name and population.
//!
//! `bbox` keeps wards whose boundary intersects the box (exact `geo` test; wards number in the
//! tens, so a scan is cheaper than an index).

use geo::{BoundingRect, Intersects};
use serde_json::{Value, json};

use super::collection::{Collection, Extent, ItemsPage, Rows, no_time};
use super::params::ItemsQuery;
use crate::index::Snapshot;
use crate::server::analyses::Computed;
use crate::server::error::ApiError;

/// The `wards` collection.
#[derive(Debug, Clone, Copy)]
pub struct Wards;

fn feature(snap: &Snapshot, i: usize) -> Value {
    let w = &snap.wards[i];
    let geometry = geojson::Geometry::from(geojson::GeometryValue::from(&w.boundary));
    json!({
        "type": "Feature",
        "id": w.code,
        "geometry": geometry,
        "properties": { "code": w.code, "name": w.name, "population": w.population },
    })
}

impl Collection for Wards {
    fn id(&self) -> &'static str {
        "wards"
    }

    fn title(&self) -> &'static str {
        "Wards"
    }

    fn description(&self) -> &'static str {
        "Electoral ward boundaries with their ONS codes and resident population (Census 2021) where imported."
    }

    fn extent(&self, snap: &Snapshot) -> Extent {
        let corners = snap
            .wards
            .iter()
            .filter_map(|w| w.boundary.bounding_rect())
            .flat_map(|r| [[r.min().x, r.min().y], [r.max().x, r.max().y]]);
        Extent {
            bbox: Extent::of_points(corners),
            interval: None,
        }
    }

    fn properties(&self) -> Value {
        json!({
            "code": { "type": "string" },
            "name": { "type": "string" },
            "population": { "type": "integer", "nullable": true },
        })
    }

    fn items(
        &self,
        snap: &Snapshot,
        query: &ItemsQuery,
        _analysis: Option<&Computed>,
    ) -> Result<ItemsPage, ApiError> {
        no_time(self, query)?;
        let rows = match &query.bbox {
            None => Rows::All(snap.wards.len()),
            Some(b) => {
                let rect = b.rect();
                Rows::Some(
                    (0..snap.wards.len())
                        .filter(|&i| snap.wards[i].boundary.intersects(&rect))
                        .map(|i| i as u32)
                        .collect(),
                )
            }
        };
        Ok(rows.page(query, |i| feature(snap, i)))
    }

    fn item(&self, snap: &Snapshot, fid: &str, _analysis: Option<&Computed>) -> Option<Value> {
        let i = snap.wards.iter().position(|w| w.code == fid)?;
        Some(feature(snap, i))
    }
}
