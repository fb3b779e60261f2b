//! Helpers shared by the integration tests.
#![allow(dead_code, reason = "each test file uses a different subset")]

use std::path::PathBuf;

/// A path inside the shared folder (`HOTSPOT_SHARED`, else `../shared` beside the repo,
/// else `/work/shared`).
pub fn shared(rel: &str) -> PathBuf {
    let base = std::env::var_os("HOTSPOT_SHARED")
        .map(PathBuf::from)
        .or_else(|| {
            let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
            p.is_dir().then_some(p)
        })
        .unwrap_or_else(|| PathBuf::from("/work/shared"));
    base.join(rel)
}
