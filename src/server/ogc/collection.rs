//! What a feature collection provides, and the registry of collections served.
//!
//! Adding a collection (e.g. `zones`) is one file implementing [`Collection`] and one line in
//! [`COLLECTIONS`]; the routes, links, paging, OpenAPI document and tests pick it up from
//! there. Analysis collections (`hotspots`, `emerging`) name their [`Endpoint`] and receive the
//! cached analysis.

use serde_json::{Value, json};

use super::analysis::{EMERGING, HOTSPOTS};
use super::params::ItemsQuery;
use super::{cameras::Cameras, incidents::Incidents, venues::Venues, wards::Wards};
use crate::domain::Wgs84;
use crate::index::Snapshot;
use crate::server::analyses::{Computed, Endpoint};
use crate::server::error::ApiError;

/// OGC's URI for WGS84 longitude/latitude order.
pub const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

/// A collection's extent: a lon/lat box and, for collections with time, an interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Extent {
    /// `[minlon, minlat, maxlon, maxlat]`, degrees; `None` when the collection is empty.
    pub bbox: Option<[f64; 4]>,
    /// Earliest and latest instant (RFC 3339), when the collection has time and rows.
    pub interval: Option<[String; 2]>,
}

impl Extent {
    /// The extent of a collection of points without time.
    pub fn of_locations(locations: impl IntoIterator<Item = Wgs84>) -> Extent {
        Extent {
            bbox: Extent::of_points(locations.into_iter().map(|l| [l.lon(), l.lat()])),
            interval: None,
        }
    }

    /// The box around positions (`None` when there are none).
    pub fn of_points(points: impl IntoIterator<Item = [f64; 2]>) -> Option<[f64; 4]> {
        points.into_iter().fold(None, |acc, [lon, lat]| {
            Some(match acc {
                None => [lon, lat, lon, lat],
                Some([a, b, c, d]) => [a.min(lon), b.min(lat), c.max(lon), d.max(lat)],
            })
        })
    }

    /// The OGC `extent` object.
    pub fn to_json(&self) -> Value {
        let mut extent = serde_json::Map::new();
        if let Some(b) = self.bbox {
            extent.insert("spatial".into(), json!({ "bbox": [b], "crs": CRS84 }));
        }
        if let Some([start, end]) = &self.interval {
            extent.insert(
                "temporal".into(),
                json!({
                    "interval": [[start, end]],
                    "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
                }),
            );
        }
        Value::Object(extent)
    }
}

/// One page of features and how many matched in all.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemsPage {
    /// Features matching the filters, in all pages.
    pub number_matched: usize,
    /// This page's GeoJSON features.
    pub features: Vec<Value>,
}

/// The rows a filter selects: every row, or a sorted list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rows {
    /// Rows `0..n`.
    All(usize),
    /// These rows, ascending.
    Some(Vec<u32>),
}

impl Rows {
    /// The rows of a collection of `n` points (`location(i)` for row `i`) that the query's
    /// `bbox` keeps: all of them without one.
    pub fn of_points(n: usize, location: impl Fn(usize) -> Wgs84, query: &ItemsQuery) -> Rows {
        match &query.bbox {
            None => Rows::All(n),
            Some(b) => Rows::Some(
                (0..n)
                    .filter(|&i| {
                        let l = location(i);
                        b.contains(l.lon(), l.lat())
                    })
                    .map(|i| i as u32)
                    .collect(),
            ),
        }
    }

    /// The page `[offset, offset + limit)` of the rows, each turned into a feature.
    pub fn page(&self, query: &ItemsQuery, feature: impl Fn(usize) -> Value) -> ItemsPage {
        let (number_matched, features) = match self {
            Rows::All(n) => {
                let end = query.offset.saturating_add(query.limit).min(*n);
                (*n, (query.offset.min(end)..end).map(feature).collect())
            }
            Rows::Some(rows) => (
                rows.len(),
                rows.iter()
                    .skip(query.offset)
                    .take(query.limit)
                    .map(|&r| feature(r as usize))
                    .collect(),
            ),
        };
        ItemsPage {
            number_matched,
            features,
        }
    }
}

/// A feature collection served under `/ogc/collections/{id}`.
pub trait Collection: Sync {
    /// The id in paths (`incidents`).
    fn id(&self) -> &'static str;
    /// A human title.
    fn title(&self) -> &'static str;
    /// What the features are.
    fn description(&self) -> &'static str;
    /// Whether `datetime` filters the collection (others reject it with 400).
    fn temporal(&self) -> bool {
        false
    }
    /// The extent of the snapshot's features.
    fn extent(&self, snap: &Snapshot) -> Extent;
    /// The names and JSON-schema types of the feature properties (for the OpenAPI document).
    fn properties(&self) -> Value;
    /// The analysis whose cells the collection serves (its parameters are then accepted in
    /// the query string and the handler passes the computed analysis); `None` for data.
    fn analysis(&self) -> Option<Endpoint> {
        None
    }
    /// One page of features matching the query (bbox, datetime already checked), from the
    /// snapshot or, for an analysis collection, from `analysis`.
    fn items(
        &self,
        snap: &Snapshot,
        query: &ItemsQuery,
        analysis: Option<&Computed>,
    ) -> Result<ItemsPage, ApiError>;
    /// The feature with this id, if any.
    fn item(&self, snap: &Snapshot, fid: &str, analysis: Option<&Computed>) -> Option<Value>;
}

/// Every collection served, in the order listed.
pub static COLLECTIONS: [&dyn Collection; 7] = [
    &Incidents,
    &Wards,
    &Venues,
    &Cameras,
    &HOTSPOTS,
    &EMERGING,
    &super::zones::Zones,
];

/// The collection with this id, or a 404 naming `collectionId`.
pub fn find(id: &str) -> Result<&'static dyn Collection, ApiError> {
    COLLECTIONS
        .iter()
        .copied()
        .find(|c| c.id() == id)
        .ok_or_else(|| ApiError::NotFound {
            parameter: Some("collectionId".to_owned()),
            description: format!(
                "no collection {id:?}; collections: {}",
                COLLECTIONS
                    .iter()
                    .map(|c| c.id())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
}

/// A GeoJSON Point feature.
pub fn point_feature(id: &str, lon: f64, lat: f64, properties: Value) -> Value {
    json!({
        "type": "Feature",
        "id": id,
        "geometry": { "type": "Point", "coordinates": [lon, lat] },
        "properties": properties,
    })
}

/// Rejects `datetime` on a collection without time.
pub fn no_time(collection: &dyn Collection, query: &ItemsQuery) -> Result<(), ApiError> {
    if query.datetime.is_some() && !collection.temporal() {
        return Err(ApiError::bad(
            "datetime",
            format!(
                "collection {:?} has no time; datetime filters the incidents collection",
                collection.id()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::extract::parse_query;

    #[test]
    fn pages() {
        let q: ItemsQuery = parse_query("limit=2&offset=3").unwrap();
        let page = Rows::All(4).page(&q, |i| json!(i));
        assert_eq!((page.number_matched, page.features), (4, vec![json!(3)]));
        let page = Rows::All(2).page(&q, |i| json!(i));
        assert_eq!((page.number_matched, page.features.len()), (2, 0));
        let page = Rows::Some(vec![1, 5, 7, 9, 11]).page(&q, |i| json!(i));
        assert_eq!(
            (page.number_matched, page.features),
            (5, vec![json!(9), json!(11)])
        );
    }

    #[test]
    fn ids_are_unique_and_found() {
        for c in COLLECTIONS {
            assert_eq!(find(c.id()).unwrap().id(), c.id());
        }
        let Err(e) = find("nope") else {
            panic!("nope is no collection")
        };
        assert_eq!(e.parameter(), Some("collectionId"));
    }
}
