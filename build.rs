//! Build script: makes sure the web map's one third-party dependency (Leaflet, from npm) is
//! installed, so that `cargo run -- serve` gives a working page on a fresh machine.
//!
//! 1. If `web/node_modules/leaflet/dist/leaflet.js` exists, there is nothing to do.
//! 2. Otherwise run `npm ci --no-audit --no-fund` in `web/` (the versions come from the
//!    committed `web/package-lock.json`).
//! 3. If npm is missing or fails, print a `cargo:warning` and carry on: the server then answers
//!    `/vendor/leaflet/*` with a 404 that says how to install it.
//!
//! Set `HOTSPOT_SKIP_NPM=1` to skip step 2 (offline packaging, or a vendor directory provided
//! some other way).

use std::path::Path;
use std::process::{Command, Stdio};

/// The file whose presence means Leaflet is installed.
const LEAFLET_JS: &str = "web/node_modules/leaflet/dist/leaflet.js";

fn main() {
    println!("cargo:rerun-if-changed=web/package-lock.json");
    // A missing file counts as changed, so a deleted `node_modules` is noticed on the next build.
    println!("cargo:rerun-if-changed={LEAFLET_JS}");
    println!("cargo:rerun-if-env-changed=HOTSPOT_SKIP_NPM");

    let Some(root) = std::env::var_os("CARGO_MANIFEST_DIR") else {
        println!(
            "cargo:warning=CARGO_MANIFEST_DIR is not set; not installing the web map's Leaflet"
        );
        return;
    };
    let root = Path::new(&root);
    if root.join(LEAFLET_JS).is_file() {
        return;
    }
    if std::env::var_os("HOTSPOT_SKIP_NPM").is_some_and(|v| v != "0" && !v.is_empty()) {
        println!(
            "cargo:warning=HOTSPOT_SKIP_NPM is set and {LEAFLET_JS} is missing: the map page will not load Leaflet"
        );
        return;
    }
    let web = root.join("web");
    if !web.join("package-lock.json").is_file() {
        println!("cargo:warning=web/package-lock.json is missing; not installing Leaflet");
        return;
    }
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    let status = Command::new(npm)
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&web)
        // stdout carries cargo's directives: npm's chatter goes to stderr (the build log).
        .stdout(Stdio::from(std::io::stderr()))
        .status();
    match status {
        Ok(s) if s.success() && root.join(LEAFLET_JS).is_file() => {}
        Ok(s) => println!(
            "cargo:warning=`npm ci` in web/ failed ({s}); the map page needs Leaflet: run `npm ci` in web/ by hand"
        ),
        Err(e) => println!(
            "cargo:warning=could not run npm ({e}); the map page needs Leaflet: install Node.js and run `npm ci` in web/"
        ),
    }
}
