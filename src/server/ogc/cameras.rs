//! The `cameras` collection: CCTV cameras as Point features with their reach.

use serde_json::{Value, json};

use super::collection::{Collection, Extent, ItemsPage, Rows, no_time, point_feature};
use super::params::ItemsQuery;
use crate::index::Snapshot;
use crate::server::analyses::Computed;
use crate::server::error::ApiError;

/// The `cameras` collection.
#[derive(Debug, Clone, Copy)]
pub struct Cameras;

fn feature(snap: &Snapshot, i: usize) -> Value {
    let c = &snap.cameras[i];
    point_feature(
        &c.id,
        c.location.lon(),
        c.location.lat(),
        json!({ "id": c.id, "kind": c.kind.name(), "radius_m": c.radius_m }),
    )
}

impl Collection for Cameras {
    fn id(&self) -> &'static str {
        "cameras"
    }

    fn title(&self) -> &'static str {
        "CCTV cameras"
    }

    fn description(&self) -> &'static str {
        "Fixed and mobile (redeployable) CCTV cameras with the radius each watches, metres."
    }

    fn extent(&self, snap: &Snapshot) -> Extent {
        Extent::of_locations(snap.cameras.iter().map(|c| c.location))
    }

    fn properties(&self) -> Value {
        json!({
            "id": { "type": "string" },
            "kind": { "type": "string", "enum": ["fixed", "mobile"] },
            "radius_m": { "type": "number" },
        })
    }

    fn items(
        &self,
        snap: &Snapshot,
        query: &ItemsQuery,
        _analysis: Option<&Computed>,
    ) -> Result<ItemsPage, ApiError> {
        no_time(self, query)?;
        let rows = Rows::of_points(snap.cameras.len(), |i| snap.cameras[i].location, query);
        Ok(rows.page(query, |i| feature(snap, i)))
    }

    fn item(&self, snap: &Snapshot, fid: &str, _analysis: Option<&Computed>) -> Option<Value> {
        let i = snap.cameras.iter().position(|c| c.id == fid)?;
        Some(feature(snap, i))
    }
}
