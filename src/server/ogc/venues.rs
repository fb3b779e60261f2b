//! The `venues` collection: licensed premises as Point features.

use serde_json::{Value, json};

use super::collection::{Collection, Extent, ItemsPage, Rows, no_time, point_feature};
use super::params::ItemsQuery;
use crate::index::Snapshot;
use crate::server::analyses::Computed;
use crate::server::error::ApiError;

/// The `venues` collection.
#[derive(Debug, Clone, Copy)]
pub struct Venues;

fn feature(snap: &Snapshot, i: usize) -> Value {
    let v = &snap.venues[i];
    let hhmm = |t: Option<chrono::NaiveTime>| t.map(|t| t.format("%H:%M").to_string());
    point_feature(
        &v.id,
        v.location.lon(),
        v.location.lat(),
        json!({
            "id": v.id,
            "name": v.name,
            "kind": v.kind.name(),
            "opens": hhmm(v.opens),
            "closes": hhmm(v.closes),
        }),
    )
}

impl Collection for Venues {
    fn id(&self) -> &'static str {
        "venues"
    }

    fn title(&self) -> &'static str {
        "Licensed venues"
    }

    fn description(&self) -> &'static str {
        "Licensed premises (pubs, bars, nightclubs, late-night refreshment, off-licences, restaurants) with licensed hours where known."
    }

    fn extent(&self, snap: &Snapshot) -> Extent {
        Extent::of_locations(snap.venues.iter().map(|v| v.location))
    }

    fn properties(&self) -> Value {
        json!({
            "id": { "type": "string" },
            "name": { "type": "string" },
            "kind": { "type": "string", "enum": ["pub", "bar", "nightclub", "late-night-refreshment", "off-licence", "restaurant", "other"] },
            "opens": { "type": "string", "nullable": true },
            "closes": { "type": "string", "nullable": true },
        })
    }

    fn items(
        &self,
        snap: &Snapshot,
        query: &ItemsQuery,
        _analysis: Option<&Computed>,
    ) -> Result<ItemsPage, ApiError> {
        no_time(self, query)?;
        let rows = Rows::of_points(snap.venues.len(), |i| snap.venues[i].location, query);
        Ok(rows.page(query, |i| feature(snap, i)))
    }

    fn item(&self, snap: &Snapshot, fid: &str, _analysis: Option<&Computed>) -> Option<Value> {
        let i = snap.venues.iter().position(|v| v.id == fid)?;
        Some(feature(snap, i))
    }
}
