//! Times hotspot's Gi* on a `cell,count` CSV, for `benches/peer_esda.py`.
//!
//! Usage: `peer_gi IN.csv OUT.csv [k] [permutations] [seed] [repeats]`. Writes `cell,z,p_sim` to
//! OUT.csv and prints one JSON line of timings in milliseconds (best of `repeats` runs):
//! `weights_ms` (k-ring CSR build), `z_ms` (analytic Gi*), `analytic_ms` (both),
//! `permutations_ms` (999-permutation pseudo p on 2 threads), and `permutations_cpu_ms`: the
//! process CPU time per permutation run (user + system, from `/proc/self/stat`, averaged over the
//! repeats; null off Linux), which a loaded machine does not inflate.

use std::str::FromStr;
use std::time::Instant;

use anyhow::{Context, bail};
use h3o::CellIndex;
use hotspot::analysis::gi_star::{GiStarOptions, gi_star};
use hotspot::analysis::permutation::pseudo_p;
use hotspot::analysis::weights::Neighbours;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        bail!("usage: peer_gi IN.csv OUT.csv [k] [permutations] [seed] [repeats]");
    }
    let k: u32 = args.get(3).map_or(Ok(1), |s| s.parse()).context("k")?;
    let permutations: u32 = args
        .get(4)
        .map_or(Ok(999), |s| s.parse())
        .context("permutations")?;
    let seed: u64 = args.get(5).map_or(Ok(1), |s| s.parse()).context("seed")?;
    let repeats: usize = args
        .get(6)
        .map_or(Ok(5), |s| s.parse())
        .context("repeats")?;

    let mut cells = Vec::new();
    let mut counts = Vec::new();
    let mut reader = csv::Reader::from_path(&args[1]).with_context(|| args[1].clone())?;
    for (line, rec) in reader.records().enumerate() {
        let rec = rec.with_context(|| format!("{}: record {}", args[1], line + 1))?;
        cells.push(
            CellIndex::from_str(&rec[0]).with_context(|| format!("record {}: cell", line + 1))?,
        );
        counts.push(
            rec[1]
                .parse::<f64>()
                .with_context(|| format!("record {}: count", line + 1))?,
        );
    }

    let analytic = GiStarOptions {
        permutations: 0,
        fdr: false,
        ..GiStarOptions::default()
    };
    let (mut weights_ms, mut z_ms, mut analytic_ms, mut perm_ms) =
        (f64::MAX, f64::MAX, f64::MAX, f64::MAX);
    let mut result = None;
    let mut p_sim = Vec::new();
    let mut perm_cpu_ms = 0.0;
    for _ in 0..repeats {
        let t0 = Instant::now();
        let w = Neighbours::from_h3_cells(&cells, k)?;
        let t1 = Instant::now();
        let out = gi_star(&counts, &w, &analytic)?;
        let t2 = Instant::now();
        weights_ms = weights_ms.min((t1 - t0).as_secs_f64() * 1e3);
        z_ms = z_ms.min((t2 - t1).as_secs_f64() * 1e3);
        analytic_ms = analytic_ms.min((t2 - t0).as_secs_f64() * 1e3);
        if permutations > 0 {
            let (t3, c3) = (Instant::now(), cpu_ms());
            p_sim = pseudo_p(&counts, &w, permutations, seed, 2)?;
            perm_ms = perm_ms.min(t3.elapsed().as_secs_f64() * 1e3);
            if let (Some(a), Some(b)) = (c3, cpu_ms()) {
                perm_cpu_ms += (b - a) / repeats as f64;
            }
        }
        result = Some(out);
    }
    let out = result.context("repeats must be at least 1")?;
    let mut writer = csv::Writer::from_path(&args[2]).with_context(|| args[2].clone())?;
    writer.write_record(["cell", "z", "p_sim"])?;
    for (i, cell) in cells.iter().enumerate() {
        let p = p_sim.get(i).map_or(String::new(), f64::to_string);
        writer.write_record([cell.to_string(), out.cells[i].z.to_string(), p])?;
    }
    writer.flush()?;
    let perm = if permutations > 0 {
        format!("{perm_ms:.3}")
    } else {
        "null".to_owned()
    };
    let cpu = match cpu_ms() {
        Some(_) if permutations > 0 => format!("{perm_cpu_ms:.1}"),
        _ => "null".to_owned(),
    };
    println!(
        "{{\"cells\": {}, \"k\": {k}, \"weights_ms\": {weights_ms:.4}, \"z_ms\": {z_ms:.4}, \"analytic_ms\": {analytic_ms:.4}, \"permutations_ms\": {perm}, \"permutations_cpu_ms\": {cpu}}}",
        cells.len(),
    );
    Ok(())
}

/// This process's CPU time (user + system) in ms, from `/proc/self/stat` (Linux; 100 ticks/s).
fn cpu_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) * 10.0)
}
