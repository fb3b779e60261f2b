//! Licensed venues: CSV `id,name,kind,lat,lon[,opens,closes][,postcode]` or GeoJSON Points
//! with those properties; rows with a `postcode` instead of coordinates are geocoded from a
//! user-supplied [`PostcodeLookup`] (`postcode,lat,lon`).
//!
//! Kinds are those of interface.md ([`VenueKind::lookup`]); `opens`/`closes` are `HH:MM`
//! (`24:00` is read as midnight, as licences write it). A repeated id is rejected.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use chrono::NaiveTime;

use super::geojson::point_features;
use super::identity::SeenIds;
use super::input::{cap_or_io, display_name, open_capped, read_capped};
use super::report::{IngestReport, Position, RejectReason};
use super::row::RowError;
use super::table::{Table, field};
use super::{IngestError, Limits, Parsed};
use crate::domain::{Venue, VenueKind, Wgs84};

/// Largest venues, cameras or population CSV read, bytes.
pub const MAX_REFERENCE_CSV_BYTES: u64 = 64 << 20;
/// Largest postcode lookup read, bytes (every UK postcode as `postcode,lat,lon` is ~70 MB).
pub const MAX_POSTCODE_BYTES: u64 = 256 << 20;

/// Normalises a UK postcode: uppercase, inner spaces removed, one space before the inward code
/// (`po12ab` → `PO1 2AB`). `None` when it cannot be a postcode (5–7 letters and digits whose
/// inward code is a digit and two letters).
pub fn normalise_postcode(text: &str) -> Option<String> {
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let n = compact.len();
    if !(5..=7).contains(&n) || !compact.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let (outward, inward) = compact.split_at(n - 3);
    let b = inward.as_bytes();
    let inward_ok =
        b[0].is_ascii_digit() && b[1].is_ascii_alphabetic() && b[2].is_ascii_alphabetic();
    if !(inward_ok && outward.as_bytes()[0].is_ascii_alphabetic()) {
        return None;
    }
    Some(format!("{outward} {inward}"))
}

/// A postcode → position table supplied by the user (e.g. cut from ONS's postcode directory).
#[derive(Debug, Clone, Default)]
pub struct PostcodeLookup {
    points: HashMap<String, Wgs84>,
    /// Rows of the lookup file skipped because the postcode or position was unusable
    /// (ONS's directory gives terminated postcodes without a position).
    pub skipped: u64,
}

impl PostcodeLookup {
    /// Reads `postcode,lat,lon` (also `pcds`/`pcd`, `latitude`, `long`/`longitude`) from a file.
    pub fn from_path(path: &Path, limits: &Limits) -> Result<PostcodeLookup, IngestError> {
        let reader = open_capped(path, MAX_POSTCODE_BYTES)?;
        let file = display_name(path);
        PostcodeLookup::from_reader(&file, path, reader, limits)
    }

    fn from_reader<R: Read>(
        file: &str,
        path: &Path,
        reader: R,
        limits: &Limits,
    ) -> Result<PostcodeLookup, IngestError> {
        let csv_err = |e: csv::Error| {
            let line = e.position().map_or(0, csv::Position::line);
            match e.into_kind() {
                csv::ErrorKind::Io(io) => cap_or_io(io, path, file, MAX_POSTCODE_BYTES),
                other => IngestError::Csv {
                    file: file.to_owned(),
                    line,
                    message: format!("{other:?}"),
                },
            }
        };
        let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
        let header: Vec<String> = rdr
            .headers()
            .map_err(csv_err)?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_owned())
            .collect();
        let find = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| header.iter().position(|h| h.eq_ignore_ascii_case(n)))
                .ok_or_else(|| IngestError::MissingColumn {
                    file: file.to_owned(),
                    column: names[0].to_owned(),
                    found: header.join(","),
                })
        };
        let pc = find(&["postcode", "pcds", "pcd"])?;
        let lat = find(&["lat", "latitude"])?;
        let lon = find(&["lon", "long", "longitude", "lng"])?;
        let mut out = PostcodeLookup::default();
        let mut rec = csv::ByteRecord::new();
        let mut rows = 0u64;
        while rdr.read_byte_record(&mut rec).map_err(csv_err)? {
            rows += 1;
            if rows > limits.max_rows {
                return Err(IngestError::TooManyRows {
                    file: file.to_owned(),
                    max_rows: limits.max_rows,
                });
            }
            let point = (|| {
                let text = |i: usize| std::str::from_utf8(rec.get(i)?).ok();
                let code = normalise_postcode(text(pc)?)?;
                let la: f64 = text(lat)?.trim().parse().ok()?;
                let lo: f64 = text(lon)?.trim().parse().ok()?;
                let p = Wgs84::new(lo, la).ok()?;
                p.to_bng().ok()?;
                Some((code, p))
            })();
            match point {
                Some((code, p)) => {
                    out.points.insert(code, p);
                }
                None => out.skipped += 1,
            }
        }
        Ok(out)
    }

    /// The position of a postcode written in any spacing or case.
    pub fn get(&self, postcode: &str) -> Option<Wgs84> {
        self.points.get(&normalise_postcode(postcode)?).copied()
    }

    /// Number of postcodes held.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// Whether the lookup holds no postcode.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }
}

/// One venue's fields as text, from a CSV row or GeoJSON properties.
#[derive(Debug, Default)]
struct VenueText<'a> {
    id: Option<&'a str>,
    name: Option<&'a str>,
    kind: Option<&'a str>,
    lat: Option<&'a str>,
    lon: Option<&'a str>,
    opens: Option<&'a str>,
    closes: Option<&'a str>,
    postcode: Option<&'a str>,
}

fn bad(field: &str, reason: RejectReason, message: String) -> RowError {
    RowError {
        field: Some(field.to_owned()),
        reason,
        message,
    }
}

fn clock(field: &str, v: Option<&str>) -> Result<Option<NaiveTime>, RowError> {
    let Some(v) = v else { return Ok(None) };
    if v == "24:00" {
        return Ok(Some(NaiveTime::MIN));
    }
    NaiveTime::parse_from_str(v, "%H:%M")
        .map(Some)
        .map_err(|_| {
            bad(
                field,
                RejectReason::BadValue,
                format!("{field} {v:?} is not HH:MM"),
            )
        })
}

/// Checks a position given as text: both numbers, a WGS84 pair, inside the national grid.
pub(crate) fn position(lat: &str, lon: &str) -> Result<Wgs84, RowError> {
    let num = |name: &str, v: &str| {
        v.parse::<f64>().map_err(|_| {
            bad(
                name,
                RejectReason::BadCoordinate,
                format!("{name} {v:?} is not a number"),
            )
        })
    };
    let (la, lo) = (num("lat", lat)?, num("lon", lon)?);
    let p = Wgs84::new(lo, la).map_err(|e| RowError {
        field: None,
        reason: RejectReason::BadCoordinate,
        message: e.to_string(),
    })?;
    p.to_bng().map_err(|e| RowError {
        field: None,
        reason: RejectReason::OutsideGrid,
        message: e.to_string(),
    })?;
    Ok(p)
}

fn venue(t: &VenueText<'_>, postcodes: Option<&PostcodeLookup>) -> Result<Venue, RowError> {
    let required = |name: &str, v: Option<&str>| {
        v.map(str::to_owned)
            .ok_or_else(|| bad(name, RejectReason::MissingValue, format!("{name} is blank")))
    };
    let id = required("id", t.id)?;
    let name = required("name", t.name)?;
    let kind_text = required("kind", t.kind)?;
    let kind = VenueKind::lookup(&kind_text).ok_or_else(|| {
        bad(
            "kind",
            RejectReason::BadValue,
            format!(
                "kind {kind_text:?} is not one of pub, bar, nightclub, late-night-refreshment, off-licence, restaurant, other"
            ),
        )
    })?;
    let location = match (t.lat, t.lon, t.postcode) {
        (Some(lat), Some(lon), _) => position(lat, lon)?,
        (None, None, Some(pc)) => {
            let code = normalise_postcode(pc).ok_or_else(|| {
                bad(
                    "postcode",
                    RejectReason::BadValue,
                    format!("postcode {pc:?} is not a UK postcode"),
                )
            })?;
            let lookup = postcodes.ok_or_else(|| {
                bad(
                    "postcode",
                    RejectReason::NoLocation,
                    format!(
                        "no location: postcode {code:?} given but no postcode lookup (--postcodes)"
                    ),
                )
            })?;
            lookup.get(&code).ok_or_else(|| {
                bad(
                    "postcode",
                    RejectReason::NoLocation,
                    format!("no location: postcode {code:?} is not in the postcode lookup"),
                )
            })?
        }
        (Some(_), None, _) => {
            return Err(bad(
                "lon",
                RejectReason::NoLocation,
                "no location: lon is blank".into(),
            ));
        }
        (None, Some(_), _) => {
            return Err(bad(
                "lat",
                RejectReason::NoLocation,
                "no location: lat is blank".into(),
            ));
        }
        (None, None, None) => {
            return Err(RowError {
                field: None,
                reason: RejectReason::NoLocation,
                message: "no location: lat/lon and postcode are blank".into(),
            });
        }
    };
    Ok(Venue {
        id,
        name,
        kind,
        location,
        opens: clock("opens", t.opens)?,
        closes: clock("closes", t.closes)?,
    })
}

/// Whether bytes look like JSON (first non-blank byte `{`) rather than CSV.
pub(crate) fn looks_like_json(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

/// Reads a venues file, CSV or GeoJSON (told apart by content).
pub fn read_venues_file(
    path: &Path,
    postcodes: Option<&PostcodeLookup>,
    limits: &Limits,
) -> Result<Parsed<Venue>, IngestError> {
    let bytes = read_capped(path, limits.max_geojson_bytes.max(MAX_REFERENCE_CSV_BYTES))?;
    read_venues(&display_name(path), &bytes, postcodes, limits)
}

/// Reads venues from bytes, CSV or GeoJSON, reported under the name `file`.
pub fn read_venues(
    file: &str,
    bytes: &[u8],
    postcodes: Option<&PostcodeLookup>,
    limits: &Limits,
) -> Result<Parsed<Venue>, IngestError> {
    let mut report = IngestReport::new(file, limits.max_rejects_kept);
    let mut items = Vec::new();
    let mut seen = SeenIds::new();
    let mut take =
        |position: Position, key: u64, r: Result<Venue, RowError>, report: &mut IngestReport| {
            let r = r.and_then(|v| {
                seen.first_use(&v.id, key).map_err(|first| {
                    let at = match position {
                        Position::Line(_) => format!("on line {first}"),
                        Position::Feature(_) => format!("at feature {first}"),
                    };
                    bad(
                        "id",
                        RejectReason::DuplicateId,
                        format!("id {:?} already appeared {at}", v.id),
                    )
                })?;
                Ok(v)
            });
            report.take(&mut items, position, r);
        };
    if looks_like_json(bytes) {
        for f in point_features(bytes, file, limits)? {
            report.rows_read += 1;
            let texts: Vec<Option<String>> = ["id", "name", "kind", "opens", "closes", "postcode"]
                .iter()
                .map(|n| {
                    f.text(n)
                        .map(|t| t.trim().to_owned())
                        .filter(|t| !t.is_empty())
                })
                .collect();
            let id = texts[0].clone().or_else(|| f.id.clone());
            let r = match &f.point {
                Ok((lon, lat)) => {
                    let (lat, lon) = (lat.to_string(), lon.to_string());
                    venue(
                        &VenueText {
                            id: id.as_deref(),
                            name: texts[1].as_deref(),
                            kind: texts[2].as_deref(),
                            lat: Some(&lat),
                            lon: Some(&lon),
                            opens: texts[3].as_deref(),
                            closes: texts[4].as_deref(),
                            postcode: None,
                        },
                        postcodes,
                    )
                }
                Err(e) if e.reason == RejectReason::NoLocation => venue(
                    &VenueText {
                        id: id.as_deref(),
                        name: texts[1].as_deref(),
                        kind: texts[2].as_deref(),
                        lat: None,
                        lon: None,
                        opens: texts[3].as_deref(),
                        closes: texts[4].as_deref(),
                        postcode: texts[5].as_deref(),
                    },
                    postcodes,
                ),
                Err(e) => Err(e.clone()),
            };
            take(Position::Feature(f.index), f.index as u64, r, &mut report);
        }
    } else {
        let table = Table::from_bytes(file, bytes, limits)?;
        let ix = [
            Some(table.require(&["id"])?),
            Some(table.require(&["name"])?),
            Some(table.require(&["kind"])?),
            table.column(&["lat", "latitude"]),
            table.column(&["lon", "long", "longitude", "lng"]),
            table.column(&["opens"]),
            table.column(&["closes"]),
            table.column(&["postcode"]),
        ];
        if (ix[3].is_none() || ix[4].is_none()) && ix[7].is_none() {
            return Err(IngestError::MissingColumn {
                file: file.to_owned(),
                column: "lat".into(),
                found: table.header.join(","),
            });
        }
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
                Ok(rec) => venue(
                    &VenueText {
                        id: field(rec, ix[0]),
                        name: field(rec, ix[1]),
                        kind: field(rec, ix[2]),
                        lat: field(rec, ix[3]),
                        lon: field(rec, ix[4]),
                        opens: field(rec, ix[5]),
                        closes: field(rec, ix[6]),
                        postcode: field(rec, ix[7]),
                    },
                    postcodes,
                ),
            };
            take(Position::Line(*line), *line, r, &mut report);
        }
    }
    Ok(Parsed { items, report })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_postcodes() {
        assert_eq!(normalise_postcode("po12ab").as_deref(), Some("PO1 2AB"));
        assert_eq!(
            normalise_postcode(" PO5  3 QL ").as_deref(),
            Some("PO5 3QL")
        );
        assert_eq!(normalise_postcode("SW1A1AA").as_deref(), Some("SW1A 1AA"));
        assert_eq!(normalise_postcode("PO1"), None);
        assert_eq!(normalise_postcode("PO1 ABC"), None);
        assert_eq!(normalise_postcode("12345"), None);
    }
}
