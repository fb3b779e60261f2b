//! Criterion benches of CCTV siting's covering step on seeded points.
//!
//! Size: 50,000 demand points (a police.uk-like city: 5,000 map points with clustered repeats)
//! in a 6 km square, 5,000 candidate sites on a 75 m lattice around the busy points, 100 m
//! reach, 10 cameras. Groups: building the site → demand relation (R-tree), then lazy greedy
//! against plain greedy (every gain recomputed every round) on the same relation.
//!
//! Run: `cargo bench --bench cctv`.
#![expect(
    missing_docs,
    reason = "criterion_group! generates an undocumented pub fn"
)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use hotspot::analysis::coverage::{Coverage, greedy, greedy_plain};
use rand::{Rng, SeedableRng};

fn city(seed: u64) -> (Vec<[f64; 2]>, Vec<f64>, Vec<[f64; 2]>) {
    let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(seed);
    let points: Vec<[f64; 2]> = (0..5_000)
        .map(|_| [rng.random_range(0.0..6000.0), rng.random_range(0.0..6000.0)])
        .collect();
    // Repeats: a few map points take most reports (squared uniform index).
    let demand: Vec<[f64; 2]> = (0..50_000)
        .map(|_| {
            let u: f64 = rng.random_range(0.0..1.0);
            points[((u * u) * points.len() as f64) as usize]
        })
        .collect();
    let weights = (0..demand.len())
        .map(|_| f64::from(rng.random_range(1..4u8)))
        .collect();
    let sites: Vec<[f64; 2]> = (0..5_000)
        .map(|i| {
            let p = points[i % 1_000];
            let j = (i / 1_000) as f64;
            [p[0] + 75.0 * (j - 2.0), p[1] + 37.5 * (j - 2.0)]
        })
        .collect();
    (demand, weights, sites)
}

fn bench(c: &mut Criterion) {
    let (demand, weights, sites) = city(7);
    let mut g = c.benchmark_group("cctv_50k_demand_5k_sites");
    g.sample_size(10);
    g.bench_function("coverage_build_rtree_100m", |b| {
        b.iter(|| {
            Coverage::build(black_box(&demand), black_box(&sites), 100.0).expect("valid radius")
        });
    });
    let cov = Coverage::build(&demand, &sites, 100.0).expect("valid radius");
    let none = vec![false; demand.len()];
    g.bench_function("greedy_lazy_k10", |b| {
        b.iter(|| greedy(black_box(&weights), &cov, &none, 10).expect("valid weights"));
    });
    g.bench_function("greedy_plain_k10", |b| {
        b.iter(|| greedy_plain(black_box(&weights), &cov, &none, 10).expect("valid weights"));
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
