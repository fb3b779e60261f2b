//! GeoPackageBinary geometry blobs: the GeoPackage header followed by standard WKB.
//!
//! Layout (GeoPackage 1.3, §2.1.3, "GeoPackageBinary"):
//! 1. magic `GP` (0x47 0x50), version byte `0` (GeoPackage 1.0+);
//! 2. a flags byte: bit 0 byte order of the header numbers (1 = little-endian), bits 1–3 the
//!    envelope indicator (0 none, 1 `[minx, maxx, miny, maxy]`, 2 adds z, 3 adds m, 4 adds z and
//!    m), bit 4 empty geometry, bit 5 extended (non-standard) geometry;
//! 3. the SRS id (`i32`);
//! 4. the envelope, 0, 4, 6 or 8 doubles;
//! 5. ISO WKB (encoded and decoded with the `wkb` crate).
//!
//! We write little-endian headers, no envelope for points (the spec allows it and GDAL does the
//! same) and an `[minx, maxx, miny, maxy]` envelope for everything else.

use geo::{BoundingRect, Geometry, MultiPolygon, Point};
use geo_traits::to_geo::ToGeoGeometry;

use crate::domain::Wgs84;

/// The SRS every layer uses: WGS84 longitude/latitude (EPSG:4326).
pub const SRS_WGS84: i32 = 4326;

/// Bytes in a header without an envelope.
const HEADER_LEN: usize = 8;
/// Flags: little-endian header, no envelope.
const FLAGS_LE_NO_ENVELOPE: u8 = 0b0000_0001;
/// Flags: little-endian header, `[minx, maxx, miny, maxy]` envelope.
const FLAGS_LE_XY_ENVELOPE: u8 = 0b0000_0011;
/// Flag bit: the geometry is empty.
const FLAG_EMPTY: u8 = 0b0001_0000;
/// Flag bit: a non-standard (extended) geometry type follows.
const FLAG_EXTENDED: u8 = 0b0010_0000;

/// A blob that is not a GeoPackageBinary geometry we can read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GeometryError {
    /// Fewer bytes than the header announces.
    #[error("geometry blob of {len} bytes is shorter than its {needed}-byte header")]
    TooShort {
        /// Length of the blob.
        len: usize,
        /// Bytes the header needs.
        needed: usize,
    },
    /// The blob does not start with `GP`.
    #[error("geometry blob does not start with the GeoPackage magic `GP`")]
    BadMagic,
    /// A header version other than 0.
    #[error("GeoPackageBinary version {0} is not supported (expected 0)")]
    BadVersion(u8),
    /// An envelope indicator outside 0–4.
    #[error("invalid envelope indicator {0} in the GeoPackageBinary flags")]
    BadEnvelope(u8),
    /// An extended (non-OGC) geometry type.
    #[error("extended GeoPackage geometry types are not supported")]
    Extended,
    /// The WKB after the header cannot be read.
    #[error("invalid WKB: {0}")]
    Wkb(String),
    /// A geometry of another type than the column holds.
    #[error("expected a {expected} geometry, found {found}")]
    WrongType {
        /// The type the column holds.
        expected: &'static str,
        /// The type found.
        found: &'static str,
    },
    /// A geometry whose coordinates are not finite.
    #[error("geometry has coordinates that are not finite")]
    NotFinite,
    /// A point outside the longitude/latitude ranges.
    #[error("point ({lon}, {lat}) is not a WGS84 position")]
    NotWgs84 {
        /// Longitude found.
        lon: f64,
        /// Latitude found.
        lat: f64,
    },
}

/// The parsed header of a GeoPackageBinary blob.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Header {
    /// SRS id.
    pub srs_id: i32,
    /// `[minx, maxx, miny, maxy]` when the blob carries an envelope.
    pub envelope: Option<[f64; 4]>,
    /// Whether the empty flag is set.
    pub empty: bool,
    /// Offset of the WKB.
    pub wkb_offset: usize,
}

/// Encodes a point (no envelope, as the spec recommends for points).
pub fn encode_point(p: Wgs84) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + 21);
    out.extend_from_slice(&[b'G', b'P', 0, FLAGS_LE_NO_ENVELOPE]);
    out.extend_from_slice(&SRS_WGS84.to_le_bytes());
    write_wkb(&mut out, &Geometry::Point(p.point()));
    out
}

/// Encodes a multipolygon with its `[minx, maxx, miny, maxy]` envelope (or the empty flag).
pub fn encode_multi_polygon(mp: &MultiPolygon<f64>) -> Result<Vec<u8>, GeometryError> {
    let coords_finite = mp.0.iter().all(|poly| {
        std::iter::once(poly.exterior())
            .chain(poly.interiors())
            .flat_map(|ring| ring.0.iter())
            .all(|c| c.x.is_finite() && c.y.is_finite())
    });
    if !coords_finite {
        return Err(GeometryError::NotFinite);
    }
    let mut out = Vec::with_capacity(HEADER_LEN + 32 + 64);
    match mp.bounding_rect() {
        Some(r) => {
            out.extend_from_slice(&[b'G', b'P', 0, FLAGS_LE_XY_ENVELOPE]);
            out.extend_from_slice(&SRS_WGS84.to_le_bytes());
            for v in [r.min().x, r.max().x, r.min().y, r.max().y] {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        None => {
            out.extend_from_slice(&[b'G', b'P', 0, FLAGS_LE_NO_ENVELOPE | FLAG_EMPTY]);
            out.extend_from_slice(&SRS_WGS84.to_le_bytes());
        }
    }
    write_wkb(&mut out, &Geometry::MultiPolygon(mp.clone()));
    Ok(out)
}

/// Appends the little-endian ISO WKB of a geometry.
fn write_wkb(out: &mut Vec<u8>, g: &Geometry<f64>) {
    let options = wkb::writer::WriteOptions {
        endianness: wkb::Endianness::LittleEndian,
    };
    // Writing into a Vec cannot fail, and points and multipolygons are types the writer supports.
    wkb::writer::write_geometry(out, g, &options)
        .expect("writing a Point or MultiPolygon into a Vec cannot fail");
}

/// Parses the header of a GeoPackageBinary blob.
pub fn header(blob: &[u8]) -> Result<Header, GeometryError> {
    if blob.len() < HEADER_LEN {
        return Err(GeometryError::TooShort {
            len: blob.len(),
            needed: HEADER_LEN,
        });
    }
    if blob[0] != b'G' || blob[1] != b'P' {
        return Err(GeometryError::BadMagic);
    }
    if blob[2] != 0 {
        return Err(GeometryError::BadVersion(blob[2]));
    }
    let flags = blob[3];
    if flags & FLAG_EXTENDED != 0 {
        return Err(GeometryError::Extended);
    }
    let little = flags & 1 == 1;
    let read_i32 = |b: [u8; 4]| {
        if little {
            i32::from_le_bytes(b)
        } else {
            i32::from_be_bytes(b)
        }
    };
    let read_f64 = |b: [u8; 8]| {
        if little {
            f64::from_le_bytes(b)
        } else {
            f64::from_be_bytes(b)
        }
    };
    let srs_id = read_i32([blob[4], blob[5], blob[6], blob[7]]);
    let indicator = (flags >> 1) & 0b111;
    let doubles = match indicator {
        0 => 0,
        1 => 4,
        2 | 3 => 6,
        4 => 8,
        other => return Err(GeometryError::BadEnvelope(other)),
    };
    let wkb_offset = HEADER_LEN + 8 * doubles;
    if blob.len() < wkb_offset {
        return Err(GeometryError::TooShort {
            len: blob.len(),
            needed: wkb_offset,
        });
    }
    let envelope = (doubles > 0).then(|| {
        let mut env = [0.0; 4];
        for (i, v) in env.iter_mut().enumerate() {
            let at = HEADER_LEN + 8 * i;
            let mut b = [0u8; 8];
            b.copy_from_slice(&blob[at..at + 8]);
            *v = read_f64(b);
        }
        env
    });
    Ok(Header {
        srs_id,
        envelope,
        empty: flags & FLAG_EMPTY != 0,
        wkb_offset,
    })
}

/// Decodes a blob into a `geo` geometry.
pub fn decode(blob: &[u8]) -> Result<Geometry<f64>, GeometryError> {
    let h = header(blob)?;
    let wkb = wkb::reader::read_wkb(&blob[h.wkb_offset..])
        .map_err(|e| GeometryError::Wkb(e.to_string()))?;
    wkb.try_to_geometry()
        .ok_or_else(|| GeometryError::Wkb("empty point".to_owned()))
}

/// Decodes a point blob into a checked WGS84 position.
pub fn decode_point(blob: &[u8]) -> Result<Wgs84, GeometryError> {
    match decode(blob)? {
        Geometry::Point(p) => to_wgs84(p),
        other => Err(GeometryError::WrongType {
            expected: "Point",
            found: type_name(&other),
        }),
    }
}

/// Decodes a multipolygon blob (a polygon is accepted and wrapped, as GDAL writes them).
pub fn decode_multi_polygon(blob: &[u8]) -> Result<MultiPolygon<f64>, GeometryError> {
    match decode(blob)? {
        Geometry::MultiPolygon(mp) => Ok(mp),
        Geometry::Polygon(p) => Ok(MultiPolygon(vec![p])),
        other => Err(GeometryError::WrongType {
            expected: "MultiPolygon",
            found: type_name(&other),
        }),
    }
}

/// The `[minx, maxx, miny, maxy]` envelope of a blob; `None` for an empty geometry.
///
/// Uses the header's envelope when it has one, else reads the WKB.
pub fn envelope(blob: &[u8]) -> Result<Option<[f64; 4]>, GeometryError> {
    let h = header(blob)?;
    if h.empty {
        return Ok(None);
    }
    if let Some(env) = h.envelope {
        return Ok(Some(env));
    }
    let wkb = wkb::reader::read_wkb(&blob[h.wkb_offset..])
        .map_err(|e| GeometryError::Wkb(e.to_string()))?;
    Ok(wkb
        .try_to_geometry()
        .and_then(|g| g.bounding_rect())
        .map(|r| [r.min().x, r.max().x, r.min().y, r.max().y]))
}

/// Whether a blob holds an empty geometry (empty flag, or no coordinates at all).
pub fn is_empty(blob: &[u8]) -> Result<bool, GeometryError> {
    Ok(envelope(blob)?.is_none())
}

fn to_wgs84(p: Point<f64>) -> Result<Wgs84, GeometryError> {
    Wgs84::new(p.x(), p.y()).map_err(|_| GeometryError::NotWgs84 {
        lon: p.x(),
        lat: p.y(),
    })
}

fn type_name(g: &Geometry<f64>) -> &'static str {
    match g {
        Geometry::Point(_) => "Point",
        Geometry::Line(_) => "Line",
        Geometry::LineString(_) => "LineString",
        Geometry::Polygon(_) => "Polygon",
        Geometry::MultiPoint(_) => "MultiPoint",
        Geometry::MultiLineString(_) => "MultiLineString",
        Geometry::MultiPolygon(_) => "MultiPolygon",
        Geometry::GeometryCollection(_) => "GeometryCollection",
        Geometry::Rect(_) => "Rect",
        Geometry::Triangle(_) => "Triangle",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{LineString, Polygon, polygon};

    #[test]
    fn point_blob_is_the_documented_bytes() {
        let blob = encode_point(Wgs84::new(-1.0, 50.5).unwrap());
        // Header: GP, version 0, flags 0x01 (LE, no envelope), srs 4326 LE.
        assert_eq!(&blob[..8], &[0x47, 0x50, 0, 1, 0xE6, 0x10, 0, 0]);
        // WKB: LE, type 1 (Point), x, y.
        assert_eq!(blob[8], 1);
        assert_eq!(&blob[9..13], &1u32.to_le_bytes());
        assert_eq!(&blob[13..21], &(-1.0f64).to_le_bytes());
        assert_eq!(&blob[21..29], &50.5f64.to_le_bytes());
        assert_eq!(blob.len(), 29);
        assert_eq!(
            decode_point(&blob).unwrap(),
            Wgs84::new(-1.0, 50.5).unwrap()
        );
        assert_eq!(envelope(&blob).unwrap(), Some([-1.0, -1.0, 50.5, 50.5]));
        assert!(!is_empty(&blob).unwrap());
    }

    #[test]
    fn multipolygon_round_trips_with_envelope() {
        let outer =
            polygon![(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 3.0), (x: 0.0, y: 0.0)];
        let with_hole = Polygon::new(
            LineString::from(vec![(10.0, 10.0), (20.0, 10.0), (20.0, 20.0), (10.0, 10.0)]),
            vec![LineString::from(vec![
                (15.0, 12.0),
                (18.0, 12.0),
                (18.0, 14.0),
                (15.0, 12.0),
            ])],
        );
        let mp = MultiPolygon(vec![outer, with_hole]);
        let blob = encode_multi_polygon(&mp).unwrap();
        assert_eq!(blob[3], 0b11);
        let h = header(&blob).unwrap();
        assert_eq!(h.srs_id, 4326);
        assert_eq!(h.envelope, Some([0.0, 20.0, 0.0, 20.0]));
        // WKB type 6 = MultiPolygon.
        assert_eq!(
            &blob[h.wkb_offset + 1..h.wkb_offset + 5],
            &6u32.to_le_bytes()
        );
        assert_eq!(decode_multi_polygon(&blob).unwrap(), mp);
    }

    #[test]
    fn empty_multipolygon_sets_the_empty_flag() {
        let blob = encode_multi_polygon(&MultiPolygon(vec![])).unwrap();
        assert_eq!(blob[3] & FLAG_EMPTY, FLAG_EMPTY);
        assert!(is_empty(&blob).unwrap());
        assert_eq!(decode_multi_polygon(&blob).unwrap(), MultiPolygon(vec![]));
    }

    #[test]
    fn reads_big_endian_headers_and_envelopes() {
        // A header as another writer may produce it: big-endian, envelope indicator 1.
        let mut blob = vec![b'G', b'P', 0, 0b0000_0010];
        blob.extend_from_slice(&4326i32.to_be_bytes());
        for v in [1.0f64, 2.0, 3.0, 4.0] {
            blob.extend_from_slice(&v.to_be_bytes());
        }
        let p = encode_point(Wgs84::new(1.5, 3.5).unwrap());
        blob.extend_from_slice(&p[8..]);
        let h = header(&blob).unwrap();
        assert_eq!((h.srs_id, h.envelope), (4326, Some([1.0, 2.0, 3.0, 4.0])));
        assert_eq!(decode_point(&blob).unwrap(), Wgs84::new(1.5, 3.5).unwrap());
    }

    #[test]
    fn rejects_bad_blobs_without_panicking() {
        let good = encode_point(Wgs84::new(-1.0, 50.5).unwrap());
        assert_eq!(
            header(&good[..5]),
            Err(GeometryError::TooShort { len: 5, needed: 8 })
        );
        let mut bad = good.clone();
        bad[0] = b'X';
        assert_eq!(header(&bad), Err(GeometryError::BadMagic));
        let mut bad = good.clone();
        bad[2] = 1;
        assert_eq!(header(&bad), Err(GeometryError::BadVersion(1)));
        let mut bad = good.clone();
        bad[3] = 0b1011;
        assert_eq!(header(&bad), Err(GeometryError::BadEnvelope(5)));
        for cut in 8..good.len() {
            assert!(decode(&good[..cut]).is_err(), "cut at {cut}");
        }
        let poly = encode_multi_polygon(&MultiPolygon(vec![polygon![
            (x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 0.0)
        ]]))
        .unwrap();
        for cut in 0..poly.len() {
            assert!(decode(&poly[..cut]).is_err(), "cut at {cut}");
        }
        assert!(matches!(
            decode_point(&poly),
            Err(GeometryError::WrongType { .. })
        ));
        assert!(
            encode_multi_polygon(&MultiPolygon(vec![polygon![
                (x: 0.0, y: 0.0), (x: f64::NAN, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 0.0)
            ]]))
            .is_err()
        );
    }
}
