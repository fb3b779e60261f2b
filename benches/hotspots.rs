//! Criterion benches of the hotspot statistics on seeded H3 grids.
//!
//! Sizes: a city (an H3 res-9 disk of radius 30, 2 791 cells, about Portsmouth's land area ×
//! 7) and a county (radius 81, 19 927 cells). Counts are seeded pseudo-random (0–5).
//! Group `city_1m`: the whole request path on 1,000,000 incidents (a police.uk-format stream of
//! the synthetic Portsmouth, parsed and assigned to the fixture wards once, outside the timing):
//! window filter + aggregation per res-9 cell over the ward study area + k-ring weights +
//! analytic Gi* with FDR (`run_hotspots`, permutations 0), and the same with 999 permutations.
//! The snapshot's per-resolution cell numbering and ward fills are computed on first use and
//! kept (as the server keeps its snapshot), so the warm-up pays for them once.
//!
//! Run: `cargo bench --bench hotspots`. The peer comparison with PySAL is `benches/peer_esda.py`.
#![expect(
    missing_docs,
    reason = "criterion_group! generates an undocumented pub fn"
)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use h3o::{CellIndex, LatLng, Resolution};
use hotspot::analysis::emerging::{EmergingOptions, emerging};
use hotspot::analysis::gi_star::{GiStarOptions, gi_star};
use hotspot::analysis::kde::Kde;
use hotspot::analysis::local_moran::{LocalMoranOptions, local_moran};
use hotspot::analysis::permutation::pseudo_p;
use hotspot::analysis::weights::Neighbours;
use rand::{Rng, SeedableRng};

fn grid(radius: u32, seed: u64) -> (Vec<CellIndex>, Vec<f64>) {
    let centre = LatLng::new(50.80, -1.09)
        .expect("valid degrees")
        .to_cell(Resolution::Nine);
    let cells: Vec<CellIndex> = centre.grid_disk(radius);
    let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(seed);
    let counts = cells
        .iter()
        .map(|_| f64::from(rng.random_range(0..6u8)))
        .collect();
    (cells, counts)
}

fn benches(c: &mut Criterion) {
    let (city, city_y) = grid(30, 1);
    let (county, county_y) = grid(81, 2);
    let analytic = GiStarOptions {
        permutations: 0,
        ..GiStarOptions::default()
    };
    let w_city = Neighbours::from_h3_cells(&city, 1).expect("valid");
    let w_county = Neighbours::from_h3_cells(&county, 1).expect("valid");

    c.bench_function("weights k=1, city 2791 cells", |b| {
        b.iter(|| Neighbours::from_h3_cells(black_box(&city), 1))
    });
    c.bench_function("weights k=1, county 19927 cells", |b| {
        b.iter(|| Neighbours::from_h3_cells(black_box(&county), 1))
    });
    c.bench_function("gi* analytic k=1, city 2791 cells", |b| {
        b.iter(|| gi_star(black_box(&city_y), &w_city, &analytic))
    });
    c.bench_function("gi* analytic k=1, county 19927 cells", |b| {
        b.iter(|| gi_star(black_box(&county_y), &w_county, &analytic))
    });
    let mut slow = c.benchmark_group("permutations");
    slow.sample_size(10);
    slow.bench_function("p_sim 999 perms k=1, county 19927 cells, 2 threads", |b| {
        b.iter(|| pseudo_p(black_box(&county_y), &w_county, 999, 1, 2))
    });
    slow.bench_function("local moran 999 perms k=1, city 2791 cells", |b| {
        b.iter(|| local_moran(black_box(&city_y), &w_city, &LocalMoranOptions::default()))
    });
    // Emerging: 2791 cells × 24 months.
    let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(3);
    let cube: Vec<f64> = (0..city.len() * 24)
        .map(|_| f64::from(rng.random_range(0..4u8)))
        .collect();
    slow.bench_function("emerging k=1, city 2791 cells x 24 steps", |b| {
        b.iter(|| emerging(black_box(&cube), 24, &w_city, &EmergingOptions::default()))
    });
    // KDE: 6 000 points over 8 km, 250 m bandwidth, evaluated at 2 791 points.
    let pts: Vec<[f64; 2]> = (0..6000)
        .map(|_| {
            [
                460_000.0 + rng.random_range(0.0..8000.0),
                98_000.0 + rng.random_range(0.0..8000.0),
            ]
        })
        .collect();
    let at: Vec<[f64; 2]> = pts.iter().take(2791).copied().collect();
    let kde = Kde::new(&pts, &vec![1.0; pts.len()], Some(250.0)).expect("valid");
    slow.bench_function("kde 6000 points at 2791 centres, r=250 m", |b| {
        b.iter(|| kde.at_points(black_box(&at)))
    });
    slow.finish();
}

fn city_1m(c: &mut Criterion) {
    use hotspot::index::{Snapshot, SnapshotInput, WardIndex, WardRules};
    use hotspot::ingest::{Limits, WardFields, read_police_uk_file, read_wards_file};
    use hotspot::query::{HotspotRequest, ParamBag, run_hotspots};

    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("1m.csv");
    let file = std::fs::File::create(&csv).expect("create");
    hotspot::synth::write_police_uk_rows(1_000_000, 1, std::io::BufWriter::new(file))
        .expect("rows");
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let limits = Limits::default();
    let wards = read_wards_file(
        &fixtures.join("wards.geojson"),
        &WardFields::default(),
        &limits,
    )
    .expect("wards");
    let rules = WardRules::default();
    let index = WardIndex::new(&wards, rules.clone()).expect("index");
    let mut incidents = read_police_uk_file(&csv, &limits).expect("parse").items;
    for inc in &mut incidents {
        inc.ward = index.assign(inc.location, inc.lsoa.as_ref());
    }
    let snap = Snapshot::build(SnapshotInput {
        incidents,
        wards,
        ward_rules: rules,
        ..Default::default()
    })
    .expect("snapshot");
    let request = |permutations: &str| {
        let mut bag = ParamBag::new([
            ("from", "2023-01"),
            ("to", "2024-12"),
            ("permutations", permutations),
        ])
        .expect("params");
        HotspotRequest::from_params(&mut bag, &snap, None).expect("request")
    };
    let analytic = request("0");
    let permuted = request("999");
    let mut g = c.benchmark_group("city_1m");
    g.sample_size(20);
    g.bench_function(
        "filter+aggregate+weights+gi* (analytic), 1M incidents, res 9",
        |b| b.iter(|| run_hotspots(&snap, black_box(&analytic)).expect("run")),
    );
    g.bench_function(
        "filter+aggregate+weights+gi* + 999 permutations, 1M incidents, res 9",
        |b| b.iter(|| run_hotspots(&snap, black_box(&permuted)).expect("run")),
    );
    g.finish();
}

criterion_group!(hotspots, benches, city_1m);
criterion_main!(hotspots);
