//! Regenerates the committed synthetic fixtures: `cargo run --bin make-fixtures [DIR]`
//! (default `fixtures/` beside `Cargo.toml`).

use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures"));
    hotspot::synth::write_fixtures(&dir)?;
    println!("wrote fixtures to {}", dir.display());
    Ok(())
}
