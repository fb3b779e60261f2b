//! Durable ingest into the GeoPackage store, and the full load back.
//!
//! Data: 1,000,000 seeded police.uk-like incidents (64-hex-character Crime IDs, months of
//! 2017, all 14 crime types, LSOAs, wards) on 2,000 distinct snap points in a Portsmouth-sized
//! box, as police.uk anonymises locations. Each insert goes into a fresh store (one committed
//! transaction, `synchronous = FULL`, dedup key and R-tree included).
//!
//! Group `pipeline`: a 1M-row police.uk CSV written by the synthetic city generator
//! (`synth::write_police_uk_rows`) is parsed and validated, assigned to the fixture wards
//! (`workspace::assign_wards`, as an ingest does) and given its H3 cell (`parse_ward_h3_1m`), and ingested end to end into a fresh store with wards
//! (`full_durable_ingest_1m`: parse, ward, dedup key, GeoPackage rows and spatial index).
//!
//! Run: `cargo bench --bench ingest` (criterion groups `store` and `pipeline`).
#![expect(
    missing_docs,
    reason = "criterion_group! generates an undocumented function"
)]

use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use hotspot::domain::{
    Category, CrimeType, Incident, IncidentTime, Lsoa, Month, Source, WardAssignment, Wgs84,
};
use hotspot::store::{Provenance, Store};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;

/// Rows per insert.
const N: usize = 1_000_000;
/// Distinct snap points (police.uk publishes about 1,250 for Portsmouth ASB alone).
const SNAP_POINTS: usize = 2_000;

fn generate(n: usize, seed: u64) -> Vec<Incident> {
    let mut rng = Pcg64::seed_from_u64(seed);
    // Portsmouth's bounding box, roughly: -1.12..-1.02 E, 50.77..50.86 N.
    let points: Vec<(Wgs84, String)> = (0..SNAP_POINTS)
        .map(|i| {
            let lon = rng.random_range(-1.12..-1.02);
            let lat = rng.random_range(50.77..50.86);
            (
                Wgs84::new(lon, lat).expect("inside the box"),
                format!("On or near Street {i}"),
            )
        })
        .collect();
    (0..n)
        .map(|_| {
            let id: String = (0..4)
                .map(|_| format!("{:016x}", rng.random::<u64>()))
                .collect();
            let (location, desc) = &points[rng.random_range(0..SNAP_POINTS)];
            let crime_type = CrimeType::ALL[rng.random_range(0..14)];
            let lsoa = rng.random_range(0..125u32);
            Incident {
                id,
                source: Source::PoliceUk,
                category: Category::of_type(crime_type),
                time: IncidentTime::Month {
                    month: Month::new(2017, rng.random_range(1..=12)).expect("valid month"),
                },
                location: *location,
                lsoa: Some(Lsoa {
                    code: format!("E0101{:04}", 6000 + lsoa).into(),
                    name: format!("Portsmouth {:03}A", lsoa % 60).into(),
                }),
                location_desc: Some(desc.as_str().into()),
                ward: Some(WardAssignment {
                    code: format!("E050024{}", 41 + lsoa % 14).into(),
                    by_tolerance: false,
                }),
                alcohol: None,
                victim_hash: None,
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let incidents = generate(N, 1);
    let provenance = Provenance {
        at: chrono::DateTime::UNIX_EPOCH,
        files: vec!["bench".to_owned()],
    };
    let mut group = c.benchmark_group("store");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(30))
        .throughput(Throughput::Elements(N as u64));

    group.bench_function("insert_1m_fresh", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let dir = tempfile::tempdir().expect("temp dir");
                let mut store = Store::open(&dir.path().join("bench.gpkg")).expect("open");
                let start = Instant::now();
                let out = store
                    .insert_incidents(&incidents, &provenance)
                    .expect("insert");
                total += start.elapsed();
                assert_eq!(out.added, N);
            }
            total
        });
    });

    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(&dir.path().join("load.gpkg")).expect("open");
    store
        .insert_incidents(&incidents, &provenance)
        .expect("insert");
    group.bench_function("load_1m", |b| {
        b.iter(|| {
            let all = store.incidents().expect("load");
            assert_eq!(all.len(), N);
            all
        });
    });
    group.bench_function("reinsert_1m_all_duplicates", |b| {
        b.iter(|| {
            let out = store
                .insert_incidents(&incidents, &provenance)
                .expect("insert");
            assert_eq!(out.duplicates, N);
        });
    });
    group.finish();
}

fn bench_pipeline(c: &mut Criterion) {
    use hotspot::index::{WardIndex, WardRules};
    use hotspot::ingest::{Limits, WardFields, read_police_uk_file, read_wards_file};
    use hotspot::workspace::Workspace;

    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("1m-street.csv");
    let file = std::fs::File::create(&csv).expect("create csv");
    hotspot::synth::write_police_uk_rows(N, 1, std::io::BufWriter::new(file)).expect("write rows");
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let limits = Limits::default();
    let wards = read_wards_file(
        &fixtures.join("wards.geojson"),
        &WardFields::default(),
        &limits,
    )
    .expect("wards");
    let rules = WardRules {
        tolerance_m: 100.0,
        authority: Some("Portsmouth".into()),
    };
    let index = WardIndex::new(&wards, rules.clone()).expect("ward index");

    let mut group = c.benchmark_group("pipeline");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(30))
        .throughput(Throughput::Elements(N as u64));
    group.bench_function("parse_ward_h3_1m", |b| {
        b.iter(|| {
            let mut parsed = read_police_uk_file(&csv, &limits).expect("parse");
            hotspot::workspace::assign_wards(&index, &mut parsed.items);
            // The snapshot's H3 cell, once per distinct point as the snapshot does.
            let mut cells = std::collections::HashMap::new();
            let mut in_wards = 0usize;
            for inc in &parsed.items {
                let key = (inc.location.lon().to_bits(), inc.location.lat().to_bits());
                cells.entry(key).or_insert_with(|| {
                    h3o::LatLng::new(inc.location.lat(), inc.location.lon())
                        .map(|ll| ll.to_cell(h3o::Resolution::Eleven))
                        .ok()
                });
                in_wards += usize::from(inc.ward.is_some());
            }
            assert_eq!(parsed.items.len(), N);
            in_wards
        });
    });
    group.bench_function("full_durable_ingest_1m", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let d = tempfile::tempdir().expect("temp dir");
                let mut ws = Workspace::open(&d.path().join("bench.gpkg")).expect("open");
                ws.import_wards(&wards, rules.clone()).expect("wards");
                let start = Instant::now();
                let parsed = read_police_uk_file(&csv, &limits).expect("parse");
                let out = ws
                    .ingest(
                        vec![(parsed.items, parsed.report)],
                        false,
                        &Provenance::now(vec!["bench".into()]),
                    )
                    .expect("ingest");
                total += start.elapsed();
                assert_eq!(out.added, N as u64);
            }
            total
        });
    });
    group.finish();
}

criterion_group!(benches, bench, bench_pipeline);
criterion_main!(benches);
