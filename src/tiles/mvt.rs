//! MVT 2.1 encoding (Mapbox Vector Tile specification 2.1) through the `mvt` crate.
//!
//! The `mvt` crate writes the protobuf, the command integers and zigzag deltas; it does not
//! orient rings (we do, in the pipeline's step 7) and it has two habits we work around:
//! - a ring or line whose first vertex equals the last vertex written before it loses its
//!   `MoveTo`. For lines that is harmless (the decoder continues the previous line from the
//!   same point, which draws the same thing); for polygon rings it would be invalid, so we
//!   rotate such a ring to start at another of its vertices (same ring, same winding);
//! - it drops a vertex between two collinear axis-parallel ones, which never changes a ring's
//!   area, so our non-zero-area rings stay valid.

use ::mvt::{Feature, GeomEncoder, GeomType, Layer, Tile};
use serde_json::Value;

use super::TileError;
use super::coord::EXTENT;
use super::geometry::{ClippedFeature, TileGeometry, TilePoint};

/// Whether a tile has no features in any layer: the HTTP layer answers 204 No Content for
/// MVT and an empty FeatureCollection for GeoJSON.
pub fn is_empty<S: AsRef<str>>(layers: &[(S, Vec<ClippedFeature>)]) -> bool {
    layers.iter().all(|(_, f)| f.is_empty())
}

fn mvt_err(layer: &str) -> impl Fn(::mvt::Error) -> TileError + '_ {
    move |e| TileError::Mvt {
        layer: layer.to_owned(),
        message: e.to_string(),
    }
}

/// Encodes layers of clipped features as one MVT 2.1 tile (extent 4096).
///
/// Parameters: `layers`, `(name, features)` pairs; names must be distinct. Layers without
/// features are left out.
///
/// Returns the protobuf bytes; empty when every layer is empty (check [`is_empty`] first to
/// answer 204).
///
/// Algorithm:
/// 1. For each layer with features, create an MVT layer with extent 4096.
/// 2. For each feature, write its geometry (points as one `MoveTo` with a count; lines as
///    `MoveTo`/`LineTo`; rings as `MoveTo`/`LineTo`/`ClosePath`, already oriented).
/// 3. Write its id and its properties as tags: strings as strings, booleans as bools,
///    non-negative integers as `uint`, negative integers as `sint`, other numbers as `double`,
///    arrays and objects as JSON text; `null` is left out (MVT has no null).
///
/// # Errors
/// [`TileError::DuplicateLayer`] when two layers share a name; [`TileError::Mvt`] if the
/// encoder refuses a geometry.
pub fn encode_mvt<S: AsRef<str>>(
    layers: &[(S, Vec<ClippedFeature>)],
) -> Result<Vec<u8>, TileError> {
    let mut tile = Tile::new(EXTENT);
    let mut names: Vec<&str> = Vec::with_capacity(layers.len());
    for (name, features) in layers {
        let name = name.as_ref();
        if names.contains(&name) {
            return Err(TileError::DuplicateLayer {
                name: name.to_owned(),
            });
        }
        names.push(name);
        if features.is_empty() {
            continue;
        }
        let mut layer = tile.create_layer(name);
        for f in features {
            layer = add_feature(layer, f).map_err(mvt_err(name))?;
        }
        tile.add_layer(layer).map_err(mvt_err(name))?;
    }
    if tile.num_layers() == 0 {
        return Ok(Vec::new());
    }
    tile.to_bytes().map_err(|e| mvt_err("(tile)")(e))
}

fn add_feature(layer: Layer, f: &ClippedFeature) -> Result<Layer, ::mvt::Error> {
    let geom = match &f.geometry {
        TileGeometry::Point(p) => GeomEncoder::<i32>::new(GeomType::Point)
            .point(p.x, p.y)?
            .encode()?,
        TileGeometry::Points(pts) => {
            let mut enc = GeomEncoder::<i32>::new(GeomType::Point);
            for p in pts {
                enc.add_point(p.x, p.y)?;
            }
            enc.encode()?
        }
        TileGeometry::Lines(lines) => {
            let mut enc = GeomEncoder::<i32>::new(GeomType::Linestring);
            for line in lines {
                for p in line {
                    enc.add_point(p.x, p.y)?;
                }
                enc.complete_geom()?;
            }
            enc.encode()?
        }
        TileGeometry::Polygons(polygons) => {
            let mut enc = GeomEncoder::<i32>::new(GeomType::Polygon);
            let mut last: Option<TilePoint> = None;
            for ring in polygons.iter().flatten() {
                let start = match last {
                    Some(l) if ring.first() == Some(&l) => {
                        ring.iter().position(|&p| p != l).unwrap_or(0)
                    }
                    _ => 0,
                };
                for p in ring[start..].iter().chain(&ring[..start]) {
                    enc.add_point(p.x, p.y)?;
                }
                last = ring[start..].iter().chain(&ring[..start]).last().copied();
                enc.complete_geom()?;
            }
            enc.encode()?
        }
    };
    let mut feature: Feature = layer.into_feature(geom);
    if let Some(id) = f.id {
        feature.set_id(id);
    }
    for (k, v) in f.properties.iter() {
        match v {
            Value::Null => {}
            Value::Bool(b) => feature.add_tag_bool(k, *b),
            Value::String(s) => feature.add_tag_string(k, s),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    feature.add_tag_uint(k, u);
                } else if let Some(i) = n.as_i64() {
                    feature.add_tag_sint(k, i);
                } else if let Some(x) = n.as_f64() {
                    feature.add_tag_double(k, x);
                }
            }
            Value::Array(_) | Value::Object(_) => feature.add_tag_string(k, &v.to_string()),
        }
    }
    Ok(feature.into_layer())
}

#[cfg(test)]
mod tests {
    use geo::Coord;

    use super::*;
    use crate::tiles::properties::PropertyInterner;

    fn pt(x: i32, y: i32) -> TilePoint {
        Coord { x, y }
    }

    fn feature(geometry: TileGeometry) -> ClippedFeature {
        let mut props = serde_json::Map::new();
        props.insert("name".into(), Value::from("Fratton"));
        ClippedFeature {
            geometry,
            properties: PropertyInterner::default().intern(props),
            id: Some(3),
        }
    }

    #[test]
    fn empty_layers_make_an_empty_tile() {
        let layers: Vec<(&str, Vec<ClippedFeature>)> = vec![("wards", vec![])];
        assert!(is_empty(&layers));
        assert!(encode_mvt(&layers).unwrap().is_empty());
    }

    #[test]
    fn duplicate_layer_names_are_refused() {
        let f = feature(TileGeometry::Point(pt(1, 1)));
        let layers = vec![("a", vec![f.clone()]), ("a", vec![f])];
        assert_eq!(
            encode_mvt(&layers).unwrap_err(),
            TileError::DuplicateLayer { name: "a".into() }
        );
    }

    #[test]
    fn point_bytes_match_the_spec_example() {
        // MVT 2.1 §4.3.5.1: a point at (25, 17) is [9, 50, 34]: the tile must contain
        // those bytes as its packed geometry field (tag 4, length 3).
        let bytes = encode_mvt(&[("p", vec![feature(TileGeometry::Point(pt(25, 17)))])]).unwrap();
        assert!(
            bytes.windows(5).any(|w| w == [0x22, 3, 9, 50, 34]),
            "{bytes:?}"
        );
    }

    #[test]
    fn ring_starting_where_the_last_ended_is_rotated() {
        // Exterior (0,0) → (10,0) → (10,10) → (0,10): positive area in y-down coordinates.
        let ext = vec![pt(0, 0), pt(10, 0), pt(10, 10), pt(0, 10)];
        // The hole starts at (0,10), the exterior's last vertex: without rotation the encoder
        // would drop the hole's MoveTo.
        let hole = vec![pt(0, 10), pt(2, 8), pt(2, 2)];
        let g = TileGeometry::Polygons(vec![vec![ext, hole]]);
        let bytes = encode_mvt(&[("p", vec![feature(g)])]).unwrap();
        // Hand-encoded: MoveTo(1)=9 (0,0); LineTo(3)=26 (+10,0) (0,+10) (-10,0); ClosePath=15;
        // the hole rotated to start at (2,8): MoveTo(1)=9 (+2,-2); LineTo(2)=18 (0,-6) (-2,+8);
        // ClosePath. Zigzag: 10→20, -10→19, 2→4, -2→3, -6→11, 8→16.
        let geometry = [
            9, 0, 0, 26, 20, 0, 0, 20, 19, 0, 15, 9, 4, 3, 18, 0, 11, 3, 16, 15,
        ];
        let field: Vec<u8> = [0x22, 20].into_iter().chain(geometry).collect();
        assert!(
            bytes.windows(field.len()).any(|w| w == field.as_slice()),
            "{bytes:?}"
        );
    }
}
