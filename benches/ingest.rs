//! Durable ingest into the GeoPackage store, and the full load back.
//!
//! Data: 1,000,000 seeded police.uk-like incidents (64-hex-character Crime IDs, months of
//! 2017, all 14 crime types, LSOAs, wards) on 2,000 distinct snap points in a Portsmouth-sized
//! box, as police.uk anonymises locations. Each insert goes into a fresh store (one committed
//! transaction, `synchronous = FULL`, dedup key and R-tree included).
//!
//! Run: `cargo bench --bench ingest` (criterion group `store`).
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
                    code: format!("E0101{:04}", 6000 + lsoa),
                    name: format!("Portsmouth {:03}A", lsoa % 60),
                }),
                location_desc: Some(desc.clone()),
                ward: Some(WardAssignment {
                    code: format!("E050024{}", 41 + lsoa % 14),
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

criterion_group!(benches, bench);
criterion_main!(benches);
