//! Calibration of the Knox global test: on data with no space–time interaction (locations
//! uniform, dates drawn independently, as date-shuffled data), the max-T global test over the
//! near bands should flag p < 0.05 in about 5 % of runs.
//!
//! Runs 100 seeds of 250 events (uniform over 2 km × 2 km, days uniform over a year), default
//! bands 100,200,300,400 m × 7,14,21,28 days, 199 permutations each (fewer than the default
//! 999 to keep the check under a minute in release; the test is exact for any number of
//! permutations, only its resolution is coarser). Prints the rejection rate and exits 1 when it
//! is above 10 % (the binomial 99.5 % upper bound for 100 runs at 5 % is about 12 %, so 10 %
//! is a strict but fair line).
//!
//! Run: `cargo run --release --example knox_calibration` (scripts/test.sh does).

use std::process::ExitCode;

use hotspot::analysis::knox::{KnoxConfig, KnoxEvent, knox};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;

const SEEDS: u64 = 100;
const EVENTS: usize = 250;
const PERMUTATIONS: u32 = 199;
const LIMIT: f64 = 0.10;

fn main() -> ExitCode {
    let mut flagged = 0;
    let mut cell_flags = 0;
    let mut cells = 0;
    let mut any_cell = 0;
    for seed in 0..SEEDS {
        let mut rng = Pcg64Mcg::seed_from_u64(1_000 + seed);
        let events: Vec<KnoxEvent> = (0..EVENTS)
            .map(|_| KnoxEvent {
                xy: [
                    rng.random_range(0.0..2_000.0),
                    rng.random_range(0.0..2_000.0),
                ],
                day: rng.random_range(0..365),
            })
            .collect();
        let config = KnoxConfig {
            space_bands_m: vec![100.0, 200.0, 300.0, 400.0],
            time_bands_days: vec![7, 14, 21, 28],
            permutations: PERMUTATIONS,
            seed,
        };
        let result = match knox(&events, &config) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("seed {seed}: {e}");
                return ExitCode::FAILURE;
            }
        };
        let Some(global) = result.global else {
            eprintln!("seed {seed}: no global test");
            return ExitCode::FAILURE;
        };
        if global.p < 0.05 {
            flagged += 1;
        }
        let mut any = false;
        for c in result.cells.iter().filter(|c| c.near) {
            cells += 1;
            if c.p.is_some_and(|p| p < 0.05) {
                cell_flags += 1;
                any = true;
            }
        }
        if any {
            any_cell += 1;
        }
    }
    let rate = f64::from(flagged) / SEEDS as f64;
    println!(
        "Knox global test (max-T over near bands), {SEEDS} null data sets of {EVENTS} events, {PERMUTATIONS} permutations: p < 0.05 in {flagged} ({:.1} %). For comparison: single near cells p < 0.05 in {cell_flags} of {cells} ({:.1} %); an unadjusted 'any near band p < 0.05' rule would flag {any_cell} of {SEEDS} data sets.",
        rate * 100.0,
        f64::from(cell_flags) / f64::from(cells) * 100.0
    );
    if rate > LIMIT {
        eprintln!(
            "the global test is miscalibrated: {:.1} % > {:.0} %",
            rate * 100.0,
            LIMIT * 100.0
        );
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
