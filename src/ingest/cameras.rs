//! CCTV cameras: CSV `id,lat,lon[,radius_m,kind]` or GeoJSON Points with properties `id`,
//! `radius_m`, `kind`. The radius defaults to [`DEFAULT_CAMERA_RADIUS_M`] (100 m) and must lie
//! in (0, [`MAX_CAMERA_RADIUS_M`]]; the kind defaults to `fixed`. A repeated id is rejected.

use std::path::Path;

use super::geojson::point_features;
use super::identity::SeenIds;
use super::input::{display_name, read_capped};
use super::report::{IngestReport, Position, RejectReason};
use super::row::RowError;
use super::table::{Table, field};
use super::venues::{MAX_REFERENCE_CSV_BYTES, looks_like_json, position};
use super::{IngestError, Limits, Parsed};
use crate::domain::{Camera, CameraKind, DEFAULT_CAMERA_RADIUS_M, Wgs84};

/// Largest camera reach accepted, metres (a street camera resolves faces to ~30 m and
/// vehicles to a few hundred; 1 km is a generous ceiling that still catches unit mistakes).
pub const MAX_CAMERA_RADIUS_M: f64 = 1000.0;

fn bad(field: &str, reason: RejectReason, message: String) -> RowError {
    RowError {
        field: Some(field.to_owned()),
        reason,
        message,
    }
}

fn camera(
    id: Option<&str>,
    location: Result<Wgs84, RowError>,
    radius: Option<&str>,
    kind: Option<&str>,
) -> Result<Camera, RowError> {
    let id = id
        .map(str::to_owned)
        .ok_or_else(|| bad("id", RejectReason::MissingValue, "id is blank".into()))?;
    let location = location?;
    let radius_m = match radius {
        None => DEFAULT_CAMERA_RADIUS_M,
        Some(r) => {
            let v: f64 = r.parse().map_err(|_| {
                bad(
                    "radius_m",
                    RejectReason::BadValue,
                    format!("radius_m {r:?} is not a number"),
                )
            })?;
            if !(v > 0.0 && v <= MAX_CAMERA_RADIUS_M) {
                return Err(bad(
                    "radius_m",
                    RejectReason::BadValue,
                    format!("radius_m {r:?} is outside (0, {MAX_CAMERA_RADIUS_M}] metres"),
                ));
            }
            v
        }
    };
    let kind = match kind {
        None => CameraKind::Fixed,
        Some(k) => CameraKind::lookup(k).ok_or_else(|| {
            bad(
                "kind",
                RejectReason::BadValue,
                format!("kind {k:?} is not fixed or mobile"),
            )
        })?,
    };
    Ok(Camera {
        id,
        location,
        radius_m,
        kind,
    })
}

/// Reads a cameras file, CSV or GeoJSON (told apart by content).
pub fn read_cameras_file(path: &Path, limits: &Limits) -> Result<Parsed<Camera>, IngestError> {
    let bytes = read_capped(path, limits.max_geojson_bytes.max(MAX_REFERENCE_CSV_BYTES))?;
    read_cameras(&display_name(path), &bytes, limits)
}

/// Reads cameras from bytes, CSV or GeoJSON, reported under the name `file`.
pub fn read_cameras(
    file: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<Parsed<Camera>, IngestError> {
    let mut report = IngestReport::new(file, limits.max_rejects_kept);
    let mut items = Vec::new();
    let mut seen = SeenIds::new();
    let mut take = |position: Position, r: Result<Camera, RowError>, report: &mut IngestReport| {
        let key = match position {
            Position::Line(l) => l,
            Position::Feature(i) => i as u64,
        };
        let r = r.and_then(|c| {
            seen.first_use(&c.id, key).map_err(|first| {
                bad(
                    "id",
                    RejectReason::DuplicateId,
                    format!("id {:?} already appeared at {first}", c.id),
                )
            })?;
            Ok(c)
        });
        report.take(&mut items, position, r);
    };
    if looks_like_json(bytes) {
        for f in point_features(bytes, file, limits)? {
            report.rows_read += 1;
            let text = |n: &str| {
                f.text(n)
                    .map(|t| t.trim().to_owned())
                    .filter(|t| !t.is_empty())
            };
            let id = text("id").or_else(|| f.id.clone());
            let location = f
                .point
                .clone()
                .and_then(|(lon, lat)| position(&lat.to_string(), &lon.to_string()));
            let r = camera(
                id.as_deref(),
                location,
                text("radius_m").as_deref(),
                text("kind").as_deref(),
            );
            take(Position::Feature(f.index), r, &mut report);
        }
    } else {
        let table = Table::from_bytes(file, bytes, limits)?;
        let id = table.require(&["id"])?;
        let lat = table.require(&["lat", "latitude"])?;
        let lon = table.require(&["lon", "long", "longitude", "lng"])?;
        let radius = table.column(&["radius_m", "radius"]);
        let kind = table.column(&["kind"]);
        for (line, rec) in &table.rows {
            report.rows_read += 1;
            let r = match rec {
                Err(m) => Err(RowError {
                    field: None,
                    reason: RejectReason::NotUtf8,
                    message: m.clone(),
                }),
                Ok(rec) if rec.iter().any(|f| f.len() > limits.max_field_bytes) => Err(RowError {
                    field: None,
                    reason: RejectReason::FieldTooLong,
                    message: format!("a field is longer than {} bytes", limits.max_field_bytes),
                }),
                Ok(rec) => {
                    let location = match (field(rec, Some(lat)), field(rec, Some(lon))) {
                        (Some(la), Some(lo)) => position(la, lo),
                        _ => Err(RowError {
                            field: None,
                            reason: RejectReason::NoLocation,
                            message: "no location: lat or lon is blank".into(),
                        }),
                    };
                    camera(
                        field(rec, Some(id)),
                        location,
                        field(rec, radius),
                        field(rec, kind),
                    )
                }
            };
            take(Position::Line(*line), r, &mut report);
        }
    }
    Ok(Parsed { items, report })
}
