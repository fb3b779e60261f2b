//! Tile pipeline benchmarks on 1,000,000 seeded points over a Portsmouth-sized extent.
//!
//! Two modes:
//! - `cargo bench --bench tiles`: criterion measures the index build and cutting + encoding
//!   the fixed tile list (zooms 10–16), both on 1M points, plus one z14 tile.
//! - `HOTSPOT_PEER_DIR=DIR cargo bench --bench tiles`: the peer comparison's Rust side (run by
//!   `benches/peer_tiles.sh`). Writes the points (`points.f64`, little-endian lon/lat pairs)
//!   and the tile list (`tiles.json`) for the geojson-vt side, then times one cold index build
//!   and one pass over the tile list, and prints a JSON line.
//!
//! Both sides: extent 4096, buffer 64, no clustering, simplification tolerance 3 px (ours:
//! RDP on lines and rings; geojson-vt: its default `tolerance: 3`); points are never
//! simplified by either, so on this data both do the same work: index, cut, encode.

use std::hint::black_box;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use criterion::Criterion;
use geo::{Geometry, Point};
use hotspot::tiles::{TileCoord, TileFeature, TileSource, encode_mvt, is_empty};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;
use serde_json::{Map, Value};

/// Points in the benchmark.
const N_POINTS: usize = 1_000_000;
/// Seed of the point generator.
const SEED: u64 = 20_171_103;
/// Portsmouth's extent, degrees: west, south, east, north.
const EXTENT_DEG: [f64; 4] = [-1.12, 50.77, -1.0, 50.86];
/// police.uk-style categories, one per point in turn.
const CATEGORIES: [&str; 14] = [
    "anti-social-behaviour",
    "bicycle-theft",
    "burglary",
    "criminal-damage-arson",
    "drugs",
    "other-crime",
    "other-theft",
    "possession-of-weapons",
    "public-order",
    "robbery",
    "shoplifting",
    "theft-from-the-person",
    "vehicle-crime",
    "violent-crime",
];

/// 1M points: 70 % around 300 hot spots (Gaussian, σ ≈ 150 m), 30 % uniform over the extent.
fn points() -> Vec<(f64, f64)> {
    let mut rng = Pcg64::seed_from_u64(SEED);
    let [w, s, e, n] = EXTENT_DEG;
    let centres: Vec<(f64, f64)> = (0..300)
        .map(|_| (rng.random_range(w..e), rng.random_range(s..n)))
        .collect();
    let (sigma_lon, sigma_lat) = (150.0 / 70_400.0, 150.0 / 111_200.0);
    (0..N_POINTS)
        .map(|_| {
            if rng.random_bool(0.7) {
                let (cx, cy) = centres[rng.random_range(0..centres.len())];
                // Box–Muller.
                let (u1, u2): (f64, f64) = (rng.random_range(f64::EPSILON..1.0), rng.random());
                let r = (-2.0 * u1.ln()).sqrt();
                let a = std::f64::consts::TAU * u2;
                (
                    (cx + sigma_lon * r * a.cos()).clamp(w, e),
                    (cy + sigma_lat * r * a.sin()).clamp(s, n),
                )
            } else {
                (rng.random_range(w..e), rng.random_range(s..n))
            }
        })
        .collect()
}

fn features(points: &[(f64, f64)]) -> Vec<TileFeature> {
    points
        .iter()
        .enumerate()
        .map(|(i, &(lon, lat))| {
            let mut properties = Map::new();
            properties.insert(
                "category".to_owned(),
                Value::from(CATEGORIES[i % CATEGORIES.len()]),
            );
            TileFeature {
                geometry: Geometry::Point(Point::new(lon, lat)),
                properties,
                id: None,
            }
        })
        .collect()
}

/// Every tile that meets the extent, zooms 10 to 16, in zoom then row then column order.
fn tile_list() -> Vec<TileCoord> {
    let [w, s, e, n] = EXTENT_DEG;
    let mut out = Vec::new();
    for z in 10..=16 {
        let nw = TileCoord::containing(w, n, z).expect("zoom 10..=16 is valid");
        let se = TileCoord::containing(e, s, z).expect("zoom 10..=16 is valid");
        for y in nw.y()..=se.y() {
            for x in nw.x()..=se.x() {
                out.push(TileCoord::new_checked(z, x, y).expect("inside the extent's tile range"));
            }
        }
    }
    out
}

/// What one pass over the tile list produced, and where its time went.
#[derive(Default)]
struct Pass {
    nonempty: usize,
    features: usize,
    bytes: usize,
    cut_ms: f64,
    encode_ms: f64,
}

/// Cuts and encodes every tile.
fn cut_all(source: &TileSource, tiles: &[TileCoord]) -> Pass {
    let mut pass = Pass::default();
    for &t in tiles {
        let t0 = Instant::now();
        let layers = [("points", source.tile(t))];
        let t1 = Instant::now();
        pass.cut_ms += (t1 - t0).as_secs_f64() * 1e3;
        if is_empty(&layers) {
            continue;
        }
        pass.nonempty += 1;
        pass.features += layers[0].1.len();
        pass.bytes += encode_mvt(&layers).expect("points always encode").len();
        pass.encode_ms += t1.elapsed().as_secs_f64() * 1e3;
    }
    pass
}

/// CPU time (user + system) this process has used, in ms, from `/proc/self/stat` (fields 14
/// and 15, in clock ticks of 10 ms). The peer comparison reports it beside wall time because
/// the machines we share are loaded: wall time there measures the neighbours too.
fn cpu_ms() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    // The command name (field 2) may hold spaces; fields after its closing ')' are plain.
    let Some(after) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
        return f64::NAN;
    };
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    // After ')' the state is field 3, so utime (14) and stime (15) sit at 11 and 12.
    (ticks(11) + ticks(12)) * 10.0
}

fn peer(dir: &Path) {
    std::fs::create_dir_all(dir).expect("peer directory can be created");
    let pts = points();
    let mut raw = Vec::with_capacity(pts.len() * 16);
    for &(lon, lat) in &pts {
        raw.extend_from_slice(&lon.to_le_bytes());
        raw.extend_from_slice(&lat.to_le_bytes());
    }
    std::fs::write(dir.join("points.f64"), raw).expect("points file can be written");
    let tiles = tile_list();
    let list: Vec<[u32; 3]> = tiles
        .iter()
        .map(|t| [u32::from(t.z()), t.x(), t.y()])
        .collect();
    std::fs::write(
        dir.join("tiles.json"),
        serde_json::to_vec(&list).expect("a list of numbers serialises"),
    )
    .expect("tile list can be written");

    let input = features(&pts);
    let (t0, c0) = (Instant::now(), cpu_ms());
    let source = TileSource::new(input).expect("generated points are valid");
    let (build_ms, build_cpu_ms) = (t0.elapsed().as_secs_f64() * 1e3, cpu_ms() - c0);
    let (t1, c1) = (Instant::now(), cpu_ms());
    let pass = cut_all(&source, &tiles);
    let (tiles_ms, tiles_cpu_ms) = (t1.elapsed().as_secs_f64() * 1e3, cpu_ms() - c1);
    let line = serde_json::json!({
        "side": "hotspot",
        "points": pts.len(),
        "tiles": tiles.len(),
        "nonempty": pass.nonempty,
        "features": pass.features,
        "bytes": pass.bytes,
        "build_ms": build_ms,
        "tiles_ms": tiles_ms,
        "build_cpu_ms": build_cpu_ms,
        "tiles_cpu_ms": tiles_cpu_ms,
        "cut_ms": pass.cut_ms,
        "encode_ms": pass.encode_ms,
    });
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}").expect("stdout is writable");
}

fn main() {
    if let Some(dir) = std::env::var_os("HOTSPOT_PEER_DIR") {
        peer(Path::new(&dir));
        return;
    }
    let pts = points();
    let tiles = tile_list();
    let mut c = Criterion::default().sample_size(10).configure_from_args();
    c.bench_function("tiles/index_build_1m_points", |b| {
        b.iter_batched(
            || features(&pts),
            |input| black_box(TileSource::new(input).expect("valid")),
            criterion::BatchSize::PerIteration,
        );
    });
    let source = TileSource::new(features(&pts)).expect("valid");
    c.bench_function("tiles/cut_and_encode_tile_list_z10_16", |b| {
        b.iter(|| black_box(cut_all(&source, &tiles)));
    });
    let one = TileCoord::containing(-1.0913, 50.7989, 14).expect("zoom 14 is valid");
    c.bench_function("tiles/one_z14_tile", |b| {
        b.iter(|| black_box(encode_mvt(&[("points", source.tile(one))]).expect("encodes")));
    });
    c.final_summary();
}
