//! Regenerates the committed synthetic fixtures, or streams police.uk rows for benchmarks.
//!
//! - `cargo run --bin make-fixtures [DIR]`: writes every fixture into `DIR` (default
//!   `fixtures/` beside `Cargo.toml`).
//! - `cargo run --bin make-fixtures -- --police-uk-rows N [--seed S]`: writes N rows of
//!   police.uk street-level CSV over the same city to stdout (e.g. a 1M-row file for peers).

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(pos) = args.iter().position(|a| a == "--police-uk-rows") {
        let n: usize = args
            .get(pos + 1)
            .context("--police-uk-rows needs a row count")?
            .parse()
            .context("--police-uk-rows takes a whole number")?;
        let seed: u64 = match args.iter().position(|a| a == "--seed") {
            Some(i) => args
                .get(i + 1)
                .context("--seed needs a number")?
                .parse()
                .context("--seed takes a whole number")?,
            None => 1,
        };
        let stdout = std::io::stdout();
        let mut lock = stdout.lock();
        hotspot::synth::write_police_uk_rows(n, seed, &mut lock)?;
        lock.flush()?;
        return Ok(());
    }
    let dir = args
        .first()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures"));
    hotspot::synth::write_fixtures(&dir)?;
    println!("wrote fixtures to {}", dir.display());
    Ok(())
}
