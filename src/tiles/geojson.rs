//! GeoJSON tiles: the same clipped, quantised features as the MVT, back in lon/lat.

use ::geojson::{Feature, FeatureCollection, Geometry, GeometryValue, Position, feature::Id};
use geo::Coord;

use super::coord::TileCoord;
use super::geometry::{ClippedFeature, TileGeometry, TilePoint};

/// Rounds degrees to 7 decimals (about 1 cm), finer than one pixel of the 4096 grid up to
/// zoom 19 (1.9 cm per pixel), so GeoJSON tiles stay short and their bytes reproducible.
fn round7(v: f64) -> f64 {
    (v * 1e7).round() / 1e7
}

fn position(coord: TileCoord, p: TilePoint) -> Position {
    let ll = coord.transform().to_lonlat(Coord {
        x: f64::from(p.x),
        y: f64::from(p.y),
    });
    Position::from([round7(ll.x), round7(ll.y)])
}

/// Encodes a tile's features as a GeoJSON FeatureCollection in lon/lat (RFC 7946).
///
/// Parameters: `coord`, the tile the features were cut for; `features`, as
/// [`TileSource::tile`](super::TileSource::tile) or [`PointSource::tile`](super::PointSource::tile)
/// return them.
///
/// Returns a FeatureCollection (empty when there are no features). Coordinates are the
/// quantised tile pixels mapped back to degrees (7 decimals), so a GeoJSON tile shows exactly
/// what the MVT tile shows, buffer included.
///
/// Algorithm:
/// 1. Map each vertex from tile pixels to Web Mercator metres to degrees.
/// 2. One point, line or polygon becomes `Point`, `LineString`, `Polygon`; more become the
///    `Multi*` type.
/// 3. Reverse and close every ring: MVT exteriors run clockwise on the map (positive area
///    in y-down tile pixels), RFC 7946 §3.1.6 exteriors counter-clockwise (positive area in
///    lon/lat, y up); holes the other way round in each.
pub fn encode_geojson(coord: TileCoord, features: &[ClippedFeature]) -> FeatureCollection {
    let pos = |p: &TilePoint| position(coord, *p);
    let ring = |r: &Vec<TilePoint>| {
        // MVT's winding is clockwise on the map for exteriors; RFC 7946's is the reverse.
        let mut v: Vec<Position> = r.iter().rev().map(pos).collect();
        if let Some(first) = v.first().cloned() {
            v.push(first);
        }
        v
    };
    let features = features
        .iter()
        .map(|f| {
            let value = match &f.geometry {
                TileGeometry::Point(p) => GeometryValue::new_point(pos(p)),
                TileGeometry::Points(pts) => match pts.as_slice() {
                    [one] => GeometryValue::new_point(pos(one)),
                    many => GeometryValue::new_multi_point(many.iter().map(pos)),
                },
                TileGeometry::Lines(lines) => match lines.as_slice() {
                    [one] => GeometryValue::new_line_string(one.iter().map(pos)),
                    many => GeometryValue::MultiLineString {
                        coordinates: many.iter().map(|l| l.iter().map(pos).collect()).collect(),
                    },
                },
                TileGeometry::Polygons(polys) => match polys.as_slice() {
                    [one] => GeometryValue::Polygon {
                        coordinates: one.iter().map(ring).collect(),
                    },
                    many => GeometryValue::MultiPolygon {
                        coordinates: many.iter().map(|p| p.iter().map(ring).collect()).collect(),
                    },
                },
            };
            Feature {
                bbox: None,
                geometry: Some(Geometry::new(value)),
                id: f.id.map(|i| Id::Number(i.into())),
                properties: Some(f.properties.to_map()),
                foreign_members: None,
            }
        })
        .collect();
    FeatureCollection {
        bbox: None,
        features,
        foreign_members: None,
    }
}

#[cfg(test)]
mod tests {
    use geo::{Geometry as GeoGeometry, polygon};
    use serde_json::{Map, Value};

    use super::*;
    use crate::tiles::{TileFeature, TileSource};

    #[test]
    fn polygon_comes_back_counter_clockwise_in_lonlat() {
        let square = polygon![
            (x: -1.10, y: 50.79), (x: -1.08, y: 50.79), (x: -1.08, y: 50.80), (x: -1.10, y: 50.80),
        ];
        let src = TileSource::new(vec![TileFeature {
            geometry: GeoGeometry::Polygon(square),
            properties: Map::new(),
            id: Some(1),
        }])
        .unwrap();
        let t = TileCoord::containing(-1.09, 50.795, 12).unwrap();
        let fc = encode_geojson(t, &src.tile(t));
        assert_eq!(fc.features.len(), 1);
        let value = serde_json::to_value(&fc.features[0]).unwrap();
        let ring = value["geometry"]["coordinates"][0].as_array().unwrap();
        let pts: Vec<(f64, f64)> = ring
            .iter()
            .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
            .collect();
        assert_eq!(pts.first(), pts.last());
        let area2: f64 = pts
            .windows(2)
            .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
            .sum();
        assert!(area2 > 0.0, "exterior must be counter-clockwise: {pts:?}");
        for (lon, lat) in pts {
            // Within a grid step (z12: 9.8 m ≈ 1.4e-4° lon) of the input square.
            assert!((-1.1002..=-1.0798).contains(&lon) && (50.7898..=50.8002).contains(&lat));
        }
        assert_eq!(value["id"], Value::from(1));
    }

    #[test]
    fn empty_tile_is_an_empty_collection() {
        let t = TileCoord::new_checked(3, 1, 1).unwrap();
        let fc = encode_geojson(t, &[]);
        assert_eq!(
            serde_json::to_value(&fc).unwrap(),
            serde_json::json!({"type": "FeatureCollection", "features": []})
        );
    }
}
