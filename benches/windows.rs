//! Window matching on seeded incident times: 1M instants through `contains`, 1M spans of
//! up to 12 hours through `weight` (aoristic), for the `nte` preset with a date range and for
//! bank-holiday nights. Target: ≥ 50M instants/s (criterion reports elements/s).
//!
//! Measured 2026-11-24 on the shared 2-core build machine (`cargo bench --bench windows`):
//! `contains` ≈ 130M instants/s (120M with bank holidays); `weight` ≈ 8.6M spans/s.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hotspot::time::{Window, WindowParams};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;

const N: usize = 1_000_000;
const SEED: u64 = 1;

fn window(preset: &str, calendar: Option<&str>) -> Window {
    Window::try_from(WindowParams {
        from: Some("2016-01".into()),
        to: Some("2019-12".into()),
        preset: Some(preset.into()),
        calendar: calendar.map(Into::into),
        ..WindowParams::default()
    })
    .expect("valid window")
}

fn bench(c: &mut Criterion) {
    let mut rng = Pcg64::seed_from_u64(SEED);
    // Local minutes from 2015 to 2020 (2015-01-01 is day 16436).
    let (lo, hi) = (16_436 * 1440_i64, (16_436 + 6 * 365) * 1440_i64);
    let instants: Vec<i64> = (0..N).map(|_| rng.random_range(lo..hi)).collect();
    let spans: Vec<(i64, i64)> = instants
        .iter()
        .map(|&s| (s, s + rng.random_range(0..720)))
        .collect();

    let mut g = c.benchmark_group("window");
    g.throughput(Throughput::Elements(N as u64));
    for (name, w) in [
        ("nte", window("nte", None)),
        ("nte_bank_holidays", window("nte", Some("bank-holidays"))),
    ] {
        g.bench_function(format!("contains_1M_{name}"), |b| {
            b.iter(|| {
                black_box(&instants)
                    .iter()
                    .filter(|&&m| w.contains(m))
                    .count()
            });
        });
        g.bench_function(format!("weight_1M_spans_{name}"), |b| {
            b.iter(|| {
                black_box(&spans)
                    .iter()
                    .map(|&(s, e)| w.weight(s, e))
                    .sum::<f64>()
            });
        });
    }
    g.finish();
}

/// Holds the undocumented function `criterion_group!` generates (private, so no doc needed).
mod group {
    use super::{bench, criterion_group};
    criterion_group!(benches, bench);
}
use group::benches;
criterion_main!(benches);
