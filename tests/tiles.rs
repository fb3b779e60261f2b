//! The tile pipeline against oracles: brute-force queries, `geo`'s polygon intersection, and
//! GDAL's MVT decoder (`ogrinfo`) on tiles of Portsmouth's real wards and ASB points.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use geo::{Area, BooleanOps, BoundingRect, Coord, Geometry, LineString, Polygon, Rect};
use hotspot::domain::Wgs84;
use hotspot::tiles::StackSummary;
use hotspot::tiles::clip::{clip_polygon, contains};
use hotspot::tiles::{
    ClusterOptions, PointFeature, PointSource, TileCoord, TileError, TileFeature, TileGeometry,
    TileOptions, TileSource, encode_geojson, encode_mvt, is_empty, lonlat_to_mercator,
    mercator_to_lonlat, ring_area2,
};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;
use serde_json::{Map, Value};

/// Portsmouth's extent, degrees: west, south, east, north.
const PORTSMOUTH: [f64; 4] = [-1.12, 50.77, -1.0, 50.86];

#[test]
fn coord_errors_name_the_value() {
    assert_eq!(
        TileCoord::new_checked(23, 0, 0),
        Err(TileError::ZoomTooHigh { z: 23, max: 22 })
    );
    let e = TileCoord::new_checked(14, 16384, 0).unwrap_err();
    assert_eq!(
        e.to_string(),
        "tile column x = 16384 does not exist at zoom 14: columns run 0..16384"
    );
    let e = TileCoord::new_checked(1, 0, 2).unwrap_err();
    assert_eq!(
        e.to_string(),
        "tile row y = 2 does not exist at zoom 1: rows run 0..2"
    );
}

/// A star-shaped simple polygon around `c` (radii in `0.5r..r`, angles jittered within their
/// slot), optionally with a star-shaped hole well inside it.
fn star(rng: &mut Pcg64, c: Coord<f64>, r: f64, n: usize, hole: bool) -> Polygon<f64> {
    let ring = |rng: &mut Pcg64, lo: f64, hi: f64| {
        let step = std::f64::consts::TAU / n as f64;
        LineString::new(
            (0..n)
                .map(|k| {
                    let a = step * (k as f64 + rng.random_range(0.0..0.5));
                    let rr = r * rng.random_range(lo..hi);
                    Coord {
                        x: c.x + rr * a.cos(),
                        y: c.y + rr * a.sin(),
                    }
                })
                .collect(),
        )
    };
    let exterior = ring(rng, 0.5, 1.0);
    let holes = if hole {
        // Slots of at most 1.5 steps ≤ 3π/8 (n ≥ 8) keep the exterior at ≥ 0.5r·cos(3π/16)
        // ≈ 0.41r from the centre, outside the hole's 0.3r.
        let mut h = ring(rng, 0.1, 0.3);
        h.0.reverse();
        vec![h]
    } else {
        vec![]
    };
    Polygon::new(exterior, holes)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn projection_round_trips(lon in -180.0f64..=180.0, lat in -85.0f64..=85.0) {
        let back = mercator_to_lonlat(lonlat_to_mercator(Coord { x: lon, y: lat }));
        prop_assert!((back.x - lon).abs() < 1e-9 && (back.y - lat).abs() < 1e-9, "{back:?}");
    }

    #[test]
    fn tile_of_a_point_contains_it(lon in -179.9f64..179.9, lat in -85.0f64..85.0, z in 0u32..=22) {
        let t = TileCoord::containing(lon, lat, z).unwrap();
        let [w, s, e, n] = t.bounds_lonlat();
        prop_assert!(w - 1e-9 <= lon && lon <= e + 1e-9 && s - 1e-9 <= lat && lat <= n + 1e-9);
    }

    /// Sutherland–Hodgman against `geo`'s overlay: same area, every vertex in the window.
    #[test]
    fn clipped_polygon_area_equals_geo_intersection(seed in any::<u64>(), n in 8usize..40, hole in any::<bool>()) {
        let mut rng = Pcg64::seed_from_u64(seed);
        let p = star(&mut rng, Coord { x: 0.0, y: 0.0 }, 100.0, n, hole);
        let (x0, y0) = (rng.random_range(-150.0..100.0), rng.random_range(-150.0..100.0));
        let (w, h) = (rng.random_range(5.0..200.0), rng.random_range(5.0..200.0));
        let window = Rect::new(Coord { x: x0, y: y0 }, Coord { x: x0 + w, y: y0 + h });
        let expected = p.intersection(&window.to_polygon()).unsigned_area();
        match clip_polygon(&p, &window) {
            None => prop_assert!(expected < 1e-9, "clip lost area {expected}"),
            Some(c) => {
                let got = c.unsigned_area();
                // geo's overlay (i_overlay) snaps to an integer grid internally: about 1e-9 relative.
                prop_assert!((got - expected).abs() <= 1e-6 * expected.max(1.0), "got {got}, geo {expected}");
                for v in c.exterior().0.iter().chain(c.interiors().iter().flat_map(|h| h.0.iter())) {
                    prop_assert!(contains(&window, *v), "{v:?} outside {window:?}");
                }
            }
        }
    }

    /// Through the whole pipeline (no simplification): vertices on the grid inside the
    /// buffered tile, area within quantisation error of the exact clipped area.
    #[test]
    fn tile_polygons_stay_in_the_buffered_tile(seed in any::<u64>(), z in 10u32..=16) {
        let mut rng = Pcg64::seed_from_u64(seed);
        let centre = Coord { x: rng.random_range(-1.1..-1.02), y: rng.random_range(50.78..50.85) };
        let p = star(&mut rng, centre, 0.02, 24, true);
        let source = TileSource::with_options(
            vec![TileFeature { geometry: Geometry::Polygon(p.clone()), properties: Map::new(), id: Some(1) }],
            TileOptions { tolerance_px: 0.0, ..TileOptions::default() },
        ).unwrap();
        let t = TileCoord::containing(centre.x + rng.random_range(-0.02..0.02), centre.y + rng.random_range(-0.02..0.02), z).unwrap();
        let tr = t.transform();
        let px = |ls: &LineString<f64>| LineString::new(ls.0.iter().map(|&c| tr.to_px(lonlat_to_mercator(c))).collect());
        let p_px = Polygon::new(px(p.exterior()), p.interiors().iter().map(px).collect());
        let window = Rect::new(Coord { x: -64.0, y: -64.0 }, Coord { x: 4160.0, y: 4160.0 });
        let exact = p_px.intersection(&window.to_polygon()).unsigned_area();
        let perimeter: f64 = std::iter::once(p_px.exterior()).chain(p_px.interiors())
            .flat_map(|r| r.lines()).map(|l| l.dx().hypot(l.dy())).sum();
        let features = source.tile(t);
        let mut area2 = 0i64;
        for f in &features {
            for v in f.geometry.vertices() {
                prop_assert!((-64..=4160).contains(&v.x) && (-64..=4160).contains(&v.y), "{v:?}");
            }
            let TileGeometry::Polygons(polys) = &f.geometry else { panic!("not a polygon") };
            for rings in polys {
                prop_assert!(ring_area2(&rings[0]) > 0, "exterior must be positive");
                for h in &rings[1..] {
                    prop_assert!(ring_area2(h) < 0, "hole must be negative");
                }
                area2 += rings.iter().map(|r| ring_area2(r)).sum::<i64>();
            }
        }
        let got = area2 as f64 / 2.0;
        // Each vertex moves at most √2/2 px when rounded; the clipped outline is at most the
        // polygon's perimeter plus the window's.
        let bound = (perimeter.min(1e7) + 4.0 * 4224.0) * 0.75 + 1.0;
        prop_assert!((got - exact).abs() <= bound, "got {got}, exact {exact}, bound {bound}");
    }

    /// R-tree queries against a brute-force scan of every feature's bounding box.
    #[test]
    fn rtree_tile_query_equals_brute_force(seed in any::<u64>()) {
        let mut rng = Pcg64::seed_from_u64(seed);
        let features = random_features(&mut rng, 300);
        let source = TileSource::new(features.clone()).unwrap();
        for _ in 0..8 {
            let z = rng.random_range(10..=16);
            let lon = rng.random_range(PORTSMOUTH[0]..PORTSMOUTH[2]);
            let lat = rng.random_range(PORTSMOUTH[1]..PORTSMOUTH[3]);
            let t = TileCoord::containing(lon, lat, z).unwrap();
            let b = t.buffered_bounds_m(64);
            let brute: Vec<usize> = features.iter().enumerate().filter(|(_, f)| {
                let r = f.geometry.bounding_rect().unwrap();
                let (lo, hi) = (lonlat_to_mercator(r.min()), lonlat_to_mercator(r.max()));
                lo.x <= b.max().x && hi.x >= b.min().x && lo.y <= b.max().y && hi.y >= b.min().y
            }).map(|(i, _)| i).collect();
            prop_assert_eq!(source.candidates(t), brute.clone());
            // The tile keeps a subset of the candidates, every point candidate among them.
            let tile = source.tile(t);
            let ids: Vec<usize> = tile.iter().map(|f| f.id.unwrap() as usize).collect();
            prop_assert!(ids.iter().all(|i| brute.contains(i)));
            let tr = t.transform();
            let window = Rect::new(Coord { x: -64.0, y: -64.0 }, Coord { x: 4160.0, y: 4160.0 });
            let points: Vec<usize> = features.iter().enumerate().filter(|(_, f)| match &f.geometry {
                Geometry::Point(p) => contains(&window, tr.to_px(lonlat_to_mercator(p.0))),
                _ => false,
            }).map(|(i, _)| i).collect();
            let kept_points: Vec<usize> = tile.iter()
                .filter(|f| matches!(features[f.id.unwrap() as usize].geometry, Geometry::Point(_)))
                .map(|f| f.id.unwrap() as usize).collect();
            prop_assert_eq!(kept_points, points);
        }
    }

    /// Clusters partition the points: every point of the buffered tile is counted once, and
    /// a cell seen from two neighbouring tiles is the same cluster.
    #[test]
    fn clusters_count_every_point_once(seed in any::<u64>(), z in 9u32..=14) {
        let mut rng = Pcg64::seed_from_u64(seed);
        let pts: Vec<PointFeature> = (0..2000u64).map(|i| PointFeature {
            position: Wgs84::new(rng.random_range(-1.10..-1.04), rng.random_range(50.78..50.84)).unwrap(),
            properties: Map::new(),
            id: Some(i),
        }).collect();
        let src = PointSource::new(pts.clone(), ClusterOptions::default()).unwrap();
        let t = TileCoord::containing(-1.07, 50.81, z).unwrap();
        let tr = t.transform();
        let window = Rect::new(Coord { x: -64.0, y: -64.0 }, Coord { x: 4160.0, y: 4160.0 });
        let in_tile = pts.iter().filter(|p| contains(&window, tr.to_px(lonlat_to_mercator(Coord { x: p.position.lon(), y: p.position.lat() })))).count();
        let counted: u64 = src.tile(t).iter().map(|f| f.properties.get("count").and_then(Value::as_u64).unwrap_or(1)).sum();
        // Cells are aligned with the tile edge (64 | 4096), so the buffered tile is a union of
        // whole cells and a cell's centroid lies inside it exactly when its points do.
        prop_assert_eq!(counted as usize, in_tile);
        // The right-hand neighbour sees the cells in the shared buffer strip identically.
        let right = TileCoord::new_checked(z, t.x() + 1, t.y()).unwrap();
        let to_world = |c: TileCoord, p: Coord<i32>| (i64::from(c.x()) * 4096 + i64::from(p.x), i64::from(c.y()) * 4096 + i64::from(p.y));
        let clusters = |c: TileCoord| -> BTreeMap<(i64, i64), u64> {
            src.tile(c).iter().filter_map(|f| {
                let n = f.properties.get("count")?.as_u64()?;
                let TileGeometry::Point(p) = &f.geometry else { return None };
                Some((to_world(c, *p), n))
            }).collect()
        };
        let (a, b) = (clusters(t), clusters(right));
        let edge = (i64::from(right.x())) * 4096;
        // The strip's cells span [edge - 64, edge + 64). Pixel edge - 64 itself is left out:
        // a centroid just left of the strip (in a cell the right tile rightly does not see)
        // can round onto it.
        for (k, n) in a.iter().filter(|(k, _)| (edge - 63..edge + 64).contains(&k.0)) {
            // Centroids quantise to the same global pixel from both tiles.
            prop_assert_eq!(b.get(k), Some(n), "cluster at {:?}", k);
        }
    }
}

/// Points, lines and polygons spread over Portsmouth; ids are input positions.
fn random_features(rng: &mut Pcg64, n: usize) -> Vec<TileFeature> {
    (0..n)
        .map(|i| {
            let c = Coord {
                x: rng.random_range(PORTSMOUTH[0]..PORTSMOUTH[2]),
                y: rng.random_range(PORTSMOUTH[1]..PORTSMOUTH[3]),
            };
            let geometry = match rng.random_range(0..4) {
                0 | 1 => Geometry::Point(c.into()),
                2 => Geometry::LineString(LineString::new(
                    (0..rng.random_range(2..10))
                        .map(|_| Coord {
                            x: c.x + rng.random_range(-0.01..0.01),
                            y: c.y + rng.random_range(-0.01..0.01),
                        })
                        .collect(),
                )),
                _ => {
                    let r = rng.random_range(0.0005..0.01);
                    Geometry::Polygon(star(rng, c, r, 12, false))
                }
            };
            TileFeature {
                geometry,
                properties: Map::new(),
                id: Some(i as u64),
            }
        })
        .collect()
}

// ---------- Real data: Portsmouth wards and ASB points, decoded by GDAL ----------

fn wards() -> Vec<TileFeature> {
    let path = common::shared("realdata/boundaries/portsmouth-wards-2013.geojson");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let fc: geojson::FeatureCollection = text.parse().unwrap();
    fc.features
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            let geometry = Geometry::<f64>::try_from(&f.geometry.unwrap().value).unwrap();
            let props = f.properties.unwrap();
            let mut properties = Map::new();
            properties.insert("code".into(), props["WD13CD"].clone());
            properties.insert("name".into(), props["WD13NM"].clone());
            TileFeature {
                geometry,
                properties,
                id: Some(i as u64 + 1),
            }
        })
        .collect()
}

fn portsmouth_asb() -> Vec<PointFeature> {
    let path = common::shared("realdata/police-uk/hampshire/2017-03-hampshire-street.csv");
    let mut reader =
        csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    for row in reader.records() {
        let row = row.unwrap();
        if row[8].starts_with("Portsmouth ") && &row[9] == "Anti-social behaviour" {
            let (lon, lat) = (row[4].parse().unwrap(), row[5].parse().unwrap());
            let mut properties = Map::new();
            properties.insert("location".into(), Value::from(&row[6]));
            out.push(PointFeature {
                position: Wgs84::new(lon, lat).unwrap(),
                properties,
                id: Some(out.len() as u64 + 1),
            });
        }
    }
    out
}

/// `ogrinfo -al` of one tile file: layer name → (feature count, decoded geometries as WKT
/// lines, `name` attribute values).
struct Decoded {
    count: usize,
    wkt: Vec<String>,
    names: Vec<String>,
}

fn ogrinfo(file: &Path) -> BTreeMap<String, Decoded> {
    let out = Command::new("ogrinfo")
        .arg("-ro")
        .arg("-al")
        // GDAL clips decoded geometries to the tile unless told not to; we check the buffer.
        .args(["-oo", "CLIP=NO"])
        .arg(file)
        .output()
        .unwrap_or_else(|e| {
            panic!("could not run ogrinfo ({e}): install GDAL, `apt-get install -y gdal-bin`")
        });
    assert!(
        out.status.success(),
        "ogrinfo failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut layers: BTreeMap<String, Decoded> = BTreeMap::new();
    let mut current = String::new();
    for line in text.lines() {
        let t = line.trim();
        if let Some(name) = t.strip_prefix("Layer name: ") {
            current = name.to_owned();
            layers.insert(
                current.clone(),
                Decoded {
                    count: 0,
                    wkt: vec![],
                    names: vec![],
                },
            );
        } else if let Some(n) = t.strip_prefix("Feature Count: ") {
            layers.get_mut(&current).unwrap().count = n.parse().unwrap();
        } else if [
            "POINT",
            "MULTIPOINT",
            "LINESTRING",
            "MULTILINESTRING",
            "POLYGON",
            "MULTIPOLYGON",
        ]
        .iter()
        .any(|k| t.starts_with(&format!("{k} (")))
        {
            layers.get_mut(&current).unwrap().wkt.push(t.to_owned());
        } else if let Some(v) = t.strip_prefix("name (String) = ") {
            layers.get_mut(&current).unwrap().names.push(v.to_owned());
        }
    }
    layers
}

fn wkt_coords(wkt: &str) -> Vec<(f64, f64)> {
    let nums: Vec<f64> = wkt
        .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == 'e' || c == '+'))
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    nums.chunks(2).map(|c| (c[0], c[1])).collect()
}

#[test]
fn gdal_decodes_our_mvt_tiles() {
    let wards = wards();
    assert_eq!(wards.len(), 14);
    let ward_source = TileSource::new(wards).unwrap();
    let asb = portsmouth_asb();
    assert_eq!(
        asb.len(),
        1156,
        "README: 1,156 Portsmouth ASB rows in 2017-03"
    );
    let asb_source = PointSource::new(asb, ClusterOptions::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Central Southsea at zooms 12 (clusters), 14 (clusters), 16 (points); and a tile in the
    // sea to the south-east with nothing in it.
    let mut checked = 0;
    for (lon, lat, z) in [
        (-1.09, 50.79, 12),
        (-1.08, 50.795, 14),
        (-1.0913, 50.7989, 16),
    ] {
        let t = TileCoord::containing(lon, lat, z).unwrap();
        let wards_tile = ward_source.tile(t);
        let asb_tile = asb_source.tile(t);
        assert!(!wards_tile.is_empty() && !asb_tile.is_empty(), "{t}");
        let layers = vec![("wards", wards_tile.clone()), ("asb", asb_tile.clone())];
        let bytes = encode_mvt(&layers).unwrap();
        let path = dir
            .path()
            .join(format!("{}/{}/{}.pbf", t.z(), t.x(), t.y()));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &bytes).unwrap();
        let decoded = ogrinfo(&path);
        assert_eq!(
            decoded.keys().cloned().collect::<BTreeSet<_>>(),
            BTreeSet::from(["asb".to_owned(), "wards".to_owned()]),
            "{t}"
        );
        assert_eq!(decoded["wards"].count, wards_tile.len(), "{t}");
        assert_eq!(decoded["asb"].count, asb_tile.len(), "{t}");
        assert_eq!(
            decoded["wards"].wkt.len(),
            wards_tile.len(),
            "every ward decodes: {t}"
        );
        let mut names: Vec<String> = wards_tile
            .iter()
            .map(|f| {
                f.properties
                    .get("name")
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        let mut got = decoded["wards"].names.clone();
        names.sort();
        got.sort();
        assert_eq!(got, names, "{t}");
        // Decoded coordinates (EPSG:3857) lie in the buffered tile, to within a pixel.
        let b = t.buffered_bounds_m(64);
        let px_m = t.size_m() / 4096.0;
        for layer in decoded.values() {
            for wkt in &layer.wkt {
                for (x, y) in wkt_coords(wkt) {
                    assert!(
                        b.min().x - px_m <= x
                            && x <= b.max().x + px_m
                            && b.min().y - px_m <= y
                            && y <= b.max().y + px_m,
                        "({x}, {y}) outside {t} + buffer"
                    );
                }
            }
        }
        // Round trip: the decoded points are our quantised points, to a millimetre.
        let tr = t.transform();
        let ours: Vec<(f64, f64)> = asb_tile
            .iter()
            .flat_map(|f| f.geometry.vertices().collect::<Vec<_>>())
            .map(|p| {
                let m = tr.to_m(Coord {
                    x: f64::from(p.x),
                    y: f64::from(p.y),
                });
                (m.x, m.y)
            })
            .collect();
        let theirs: Vec<(f64, f64)> = decoded["asb"]
            .wkt
            .iter()
            .flat_map(|w| wkt_coords(w))
            .collect();
        assert_eq!(ours.len(), theirs.len());
        for (a, b) in ours.iter().zip(&theirs) {
            assert!(
                (a.0 - b.0).abs() < 1e-3 && (a.1 - b.1).abs() < 1e-3,
                "{a:?} vs {b:?}"
            );
        }
        // Clusters at low zoom, individual points at street zoom.
        let clustered = asb_tile
            .iter()
            .any(|f| f.properties.contains_key("cluster"));
        assert_eq!(clustered, z < 15, "{t}");
        // The GeoJSON tile carries the same features.
        let fc = encode_geojson(t, &asb_tile);
        assert_eq!(fc.features.len(), asb_tile.len());
        checked += 1;
    }
    assert_eq!(checked, 3);
    let sea = TileCoord::containing(-0.9, 50.7, 14).unwrap();
    let layers = vec![
        ("wards", ward_source.tile(sea)),
        ("asb", asb_source.tile(sea)),
    ];
    assert!(is_empty(&layers));
    assert!(encode_mvt(&layers).unwrap().is_empty());
    assert!(encode_geojson(sea, &layers[0].1).features.is_empty());
}

#[test]
fn no_tile_carries_a_city_of_points() {
    let asb = portsmouth_asb();
    let n = asb.len();
    let opts = ClusterOptions {
        max_points: 200,
        ..ClusterOptions::default()
    };
    let src = PointSource::new(asb, opts).unwrap();
    for z in 0..=18u32 {
        let t = TileCoord::containing(-1.0913, 50.7989, z).unwrap();
        let feats = src.tile(t);
        let total: u64 = feats
            .iter()
            .map(|f| {
                f.properties
                    .get("count")
                    .and_then(Value::as_u64)
                    .unwrap_or(1)
            })
            .sum();
        assert!(
            feats.len() <= 67 * 67, // cells of 64 px in a buffered tile: (4224 / 64 + 1)²
            "z{z}: {} features",
            feats.len()
        );
        assert!(total as usize <= n);
        if z <= 9 {
            // The whole city is in one tile at zoom 9 and below (at zoom 10 it straddles
            // columns 508 and 509 at -1.0547°).
            assert_eq!(total as usize, n, "z{z}");
            assert!(
                feats.len() < n / 2,
                "z{z}: {} features for {n} points",
                feats.len()
            );
        }
    }
}

/// Police.uk snaps incidents to shared map points: stacked, the real March 2017 ASB of
/// Portsmouth draws one feature per point at street zoom, the stacks' counts add up to a
/// brute-force count of the buffered tile, and GDAL decodes the stacks' MVT.
#[test]
fn gdal_decodes_stacked_real_points() {
    let asb: Vec<PointFeature> = portsmouth_asb()
        .into_iter()
        .map(|mut p| {
            p.properties.insert("group".into(), Value::from("asb"));
            p.properties.insert("month".into(), Value::from("2017-03"));
            p.properties.insert("weight".into(), Value::from(1.0));
            p
        })
        .collect();
    let plain = PointSource::new(asb.clone(), ClusterOptions::default()).unwrap();
    let src = PointSource::stacked(
        asb.clone(),
        ClusterOptions::default(),
        &StackSummary::incidents(),
    )
    .unwrap();
    assert_eq!(src.len(), asb.len());
    // Distinct positions, counted here.
    let distinct: BTreeSet<(u64, u64)> = asb
        .iter()
        .map(|p| (p.position.lon().to_bits(), p.position.lat().to_bits()))
        .collect();
    assert_eq!(src.features(), distinct.len());
    assert!(src.features() < asb.len());
    let dir = tempfile::tempdir().unwrap();
    for (lon, lat, z) in [(-1.0913, 50.7989, 16), (-1.09, 50.795, 15)] {
        let t = TileCoord::containing(lon, lat, z).unwrap();
        let tr = t.transform();
        let window = Rect::new(
            Coord { x: -64.0, y: -64.0 },
            Coord {
                x: 4160.0,
                y: 4160.0,
            },
        );
        let inside = asb
            .iter()
            .filter(|p| {
                contains(
                    &window,
                    tr.to_px(lonlat_to_mercator(Coord {
                        x: p.position.lon(),
                        y: p.position.lat(),
                    })),
                )
            })
            .count();
        let feats = src.tile(t);
        let count = |f: &hotspot::tiles::ClippedFeature| {
            f.properties
                .get("count")
                .and_then(Value::as_u64)
                .unwrap_or(1)
        };
        assert_eq!(feats.iter().map(count).sum::<u64>(), inside as u64, "{t}");
        assert!(feats.iter().any(|f| count(f) > 1), "{t} has stacks");
        assert!(feats.iter().all(|f| !f.properties.contains_key("cluster")));
        let ids: BTreeSet<u64> = feats.iter().map(|f| f.id.unwrap()).collect();
        assert_eq!(ids.len(), feats.len(), "{t}: ids unique");
        // Fewer bytes than one feature per incident.
        let bytes = encode_mvt(&[("incidents", feats.clone())]).unwrap();
        let unstacked = encode_mvt(&[("incidents", plain.tile(t))]).unwrap();
        assert!(bytes.len() < unstacked.len(), "{t}");
        let path = dir
            .path()
            .join(format!("{}-{}-{}.pbf", t.z(), t.x(), t.y()));
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(ogrinfo(&path)["incidents"].count, feats.len(), "{t}");
        // GDAL reads every stack's count back; a lone point has none and counts one.
        let out = Command::new("ogrinfo")
            .args(["-ro", "-al", "-oo", "CLIP=NO"])
            .arg(&path)
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let decoded: u64 = text
            .split("OGRFeature(")
            .skip(1)
            .map(|feature| {
                feature
                    .lines()
                    .find_map(|l| l.trim().strip_prefix("count (Integer) = "))
                    .map_or(1, |n| n.parse().unwrap())
            })
            .sum();
        assert_eq!(decoded, inside as u64, "{t}");
    }
}
