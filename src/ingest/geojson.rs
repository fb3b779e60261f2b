//! GeoJSON incidents: a FeatureCollection of Points whose properties use the log mapping's
//! target names: `id`, `timestamp` (or `date` + `time`, or `from`/`to`), `category`, `alcohol`,
//! `location`, `victim`. Rejects name the feature index (0-based, as in `features[i]`).
//!
//! Also the shared point-feature reader used for venues and cameras (`point_features`).

use std::borrow::Cow;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::identity::{ContentIds, SeenIds};
use super::input::{display_name, read_all_capped, read_capped};
use super::mapping::Rules;
use super::report::{IngestReport, Position, RejectReason};
use super::row::{Cell, RowCells, RowError, interpret};
use super::{IngestError, Limits, Parsed};
use crate::domain::{Incident, Source};

/// Source tag hashed into content ids.
const ID_TAG: &str = "geojson";

#[derive(Deserialize)]
struct RawCollection {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    features: Vec<Value>,
}

/// One feature as read: its index, position (`None` when it has no Point geometry; the reason
/// is in the error), properties as text, and the feature's own `id` member.
pub(crate) struct PointFeature {
    pub index: usize,
    pub point: Result<(f64, f64), RowError>,
    pub properties: Map<String, Value>,
    pub id: Option<String>,
    /// The feature's JSON text without its `victim` property, for content ids (the clear
    /// reference goes into no id; its salted hash is added by the caller).
    pub canonical: Vec<u8>,
}

impl PointFeature {
    /// A property as text (strings as is, numbers and booleans printed, null = absent).
    pub fn text(&self, name: &str) -> Option<Cow<'_, str>> {
        match self.properties.get(name)? {
            Value::String(s) => Some(Cow::Borrowed(s.as_str())),
            Value::Number(n) => Some(Cow::Owned(n.to_string())),
            Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
            _ => None,
        }
    }
}

/// Parses a FeatureCollection and returns its features with their points checked for shape.
pub(crate) fn point_features(
    bytes: &[u8],
    file: &str,
    limits: &Limits,
) -> Result<Vec<PointFeature>, IngestError> {
    let raw: RawCollection = serde_json::from_slice(bytes).map_err(|e| IngestError::Json {
        file: file.to_owned(),
        message: format!("not GeoJSON: {e}"),
    })?;
    if raw.kind != "FeatureCollection" {
        return Err(IngestError::Json {
            file: file.to_owned(),
            message: format!("a FeatureCollection is needed, found a {:?}", raw.kind),
        });
    }
    if raw.features.len() as u64 > limits.max_rows {
        return Err(IngestError::TooManyRows {
            file: file.to_owned(),
            max_rows: limits.max_rows,
        });
    }
    Ok(raw
        .features
        .into_iter()
        .enumerate()
        .map(|(index, f)| {
            let mut f = f;
            let victim = f
                .get_mut("properties")
                .and_then(Value::as_object_mut)
                .and_then(|p| p.remove("victim"));
            let canonical = serde_json::to_vec(&f).unwrap_or_default();
            if let (Some(v), Some(Value::Object(p))) = (victim, f.get_mut("properties")) {
                p.insert("victim".to_owned(), v);
            }
            let Value::Object(mut obj) = f else {
                return PointFeature {
                    index,
                    point: Err(geometry_error("the feature is not an object")),
                    properties: Map::new(),
                    id: None,
                    canonical,
                };
            };
            let id = match obj.get("id") {
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Number(n)) => Some(n.to_string()),
                _ => None,
            };
            let properties = match obj.remove("properties") {
                Some(Value::Object(m)) => m,
                _ => Map::new(),
            };
            PointFeature {
                index,
                point: point(obj.get("geometry")),
                properties,
                id,
                canonical,
            }
        })
        .collect())
}

fn geometry_error(message: &str) -> RowError {
    RowError {
        field: Some("geometry".into()),
        reason: RejectReason::BadGeometry,
        message: message.to_owned(),
    }
}

/// The `[lon, lat]` of a Point geometry; `Ok(None)`-like cases (null geometry) are errors
/// here and the caller may fall back (venues geocode by postcode).
fn point(geometry: Option<&Value>) -> Result<(f64, f64), RowError> {
    let Some(Value::Object(g)) = geometry else {
        return Err(RowError {
            field: Some("geometry".into()),
            reason: RejectReason::NoLocation,
            message: "no location: the feature has no geometry".into(),
        });
    };
    match g.get("type") {
        Some(Value::String(t)) if t == "Point" => {}
        other => {
            return Err(geometry_error(&format!(
                "geometry is a {}, not a Point",
                other
                    .and_then(Value::as_str)
                    .map_or_else(|| "geometry without a type".to_owned(), str::to_owned)
            )));
        }
    }
    let coords = g.get("coordinates").and_then(Value::as_array);
    match coords.map(|c| c.as_slice()) {
        Some([x, y, ..]) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => Ok((x, y)),
            _ => Err(geometry_error("Point coordinates are not numbers")),
        },
        _ => Err(geometry_error(
            "Point coordinates need [longitude, latitude]",
        )),
    }
}

/// Reads a GeoJSON incidents file (size-capped by [`Limits::max_geojson_bytes`]).
pub fn read_geojson_incidents_file(
    path: &Path,
    salt: &[u8],
    limits: &Limits,
) -> Result<Parsed<Incident>, IngestError> {
    let bytes = read_capped(path, limits.max_geojson_bytes)?;
    incidents(&bytes, &display_name(path), salt, limits)
}

/// Reads GeoJSON incidents from a stream (e.g. an HTTP body) reported under the name `file`.
pub fn read_geojson_incidents<R: Read>(
    file: &str,
    reader: R,
    salt: &[u8],
    limits: &Limits,
) -> Result<Parsed<Incident>, IngestError> {
    let bytes = read_all_capped(reader, file, limits.max_geojson_bytes)?;
    incidents(&bytes, file, salt, limits)
}

fn incidents(
    bytes: &[u8],
    file: &str,
    salt: &[u8],
    limits: &Limits,
) -> Result<Parsed<Incident>, IngestError> {
    let features = point_features(bytes, file, limits)?;
    let rules = Rules::default();
    let mut report = IngestReport::new(file, limits.max_rejects_kept);
    let mut items = Vec::new();
    let mut content_ids = ContentIds::new();
    let mut seen = SeenIds::new();
    for f in &features {
        report.rows_read += 1;
        let outcome = incident(f, &rules, salt, limits, &mut content_ids, &mut seen);
        report.take(&mut items, Position::Feature(f.index), outcome);
    }
    Ok(Parsed { items, report })
}

fn incident(
    f: &PointFeature,
    rules: &Rules,
    salt: &[u8],
    limits: &Limits,
    content_ids: &mut ContentIds,
    seen: &mut SeenIds,
) -> Result<Incident, RowError> {
    const NAMES: [&str; 10] = [
        "id",
        "timestamp",
        "date",
        "time",
        "from",
        "to",
        "category",
        "alcohol",
        "location",
        "victim",
    ];
    let texts: Vec<Option<Cow<'_, str>>> = NAMES.iter().map(|n| f.text(n)).collect();
    for (name, t) in NAMES.iter().zip(&texts) {
        if let Some(t) = t
            && t.len() > limits.max_field_bytes
        {
            return Err(RowError {
                field: Some((*name).to_owned()),
                reason: RejectReason::FieldTooLong,
                message: format!(
                    "{name} is {} bytes long (at most {})",
                    t.len(),
                    limits.max_field_bytes
                ),
            });
        }
    }
    let (lon, lat) = f.point.clone()?;
    let (lon_s, lat_s) = (lon.to_string(), lat.to_string());
    let cell = |i: usize| {
        texts[i].as_deref().map(|text| Cell {
            name: NAMES[i],
            text,
        })
    };
    let cells = RowCells {
        timestamp: cell(1),
        date: cell(2),
        time: cell(3),
        from: cell(4),
        to: cell(5),
        lat: Some(Cell {
            name: "latitude",
            text: &lat_s,
        }),
        lon: Some(Cell {
            name: "longitude",
            text: &lon_s,
        }),
        easting: None,
        northing: None,
        category: Some(cell(6).unwrap_or(Cell {
            name: "category",
            text: "",
        })),
        alcohol: cell(7),
        location: cell(8),
        victim: cell(9),
    };
    let values = interpret(&cells, rules, salt)?;
    let own_id = texts[0]
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .or_else(|| f.id.clone());
    let id = match own_id {
        Some(id) => {
            seen.first_use(&id, f.index as u64)
                .map_err(|first| RowError {
                    field: Some("id".into()),
                    reason: RejectReason::DuplicateId,
                    message: format!("id {id:?} already appeared on feature {first}"),
                })?;
            id
        }
        None => {
            let victim = values.victim_hash.as_deref().unwrap_or_default();
            content_ids.next(ID_TAG, [f.canonical.as_slice(), victim.as_bytes()])
        }
    };
    Ok(Incident {
        id,
        source: Source::Geojson,
        category: values.category,
        time: values.time,
        location: values.location,
        lsoa: None,
        location_desc: values.location_desc.map(Arc::from),
        ward: None,
        alcohol: values.alcohol,
        victim_hash: values.victim_hash,
    })
}
