//! The synthetic city's planted hotspots come out where `fixtures/ground-truth.json` says, in the
//! windows it says, through the whole pipeline: fixtures → ingest → store → snapshot → Gi*.

use std::path::Path;
use std::sync::OnceLock;

use hotspot::demo::build_demo;
use hotspot::index::Snapshot;
use hotspot::query::{HotspotRequest, ParamBag, run_hotspots};
use hotspot::time::EventCalendar;
use hotspot::workspace::Workspace;
use serde_json::Value;

fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"))
}

fn snapshot() -> &'static Snapshot {
    static SNAP: OnceLock<Snapshot> = OnceLock::new();
    SNAP.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("demo.gpkg");
        let summary = build_demo(&store, fixtures()).unwrap();
        assert_eq!(summary.wards, 14);
        assert_eq!(summary.venues, 100);
        let snap = Workspace::open(&store).unwrap().snapshot().unwrap();
        // Leak the directory: the snapshot is in memory, but keep the file for the test's life.
        std::mem::forget(dir);
        snap
    })
}

fn events() -> EventCalendar {
    EventCalendar::from_path(&fixtures().join("events.csv")).unwrap()
}

/// Gi* bin and z of `cell` for a window written as in the truth file.
fn bin_of(cell: &str, window: &Value) -> (i8, f64) {
    let snap = snapshot();
    let mut pairs = vec![("permutations".to_owned(), "0".to_owned())];
    for (k, v) in window.as_object().unwrap() {
        let v = v.as_str().unwrap();
        if k == "dates" {
            assert_eq!(v, "events.csv");
            pairs.push(("calendar".into(), "events".into()));
        } else {
            pairs.push((k.clone(), v.to_owned()));
        }
    }
    let events = events();
    let mut bag = ParamBag::new(pairs).unwrap();
    let req = HotspotRequest::from_params(&mut bag, snap, Some(&events)).unwrap();
    let res = run_hotspots(snap, &req).unwrap();
    let cell: h3o::CellIndex = cell.parse().unwrap();
    let i = res
        .position(cell)
        .unwrap_or_else(|| panic!("{cell} not in the study area"));
    (res.gi.cells[i].bin, res.gi.cells[i].z)
}

#[test]
fn planted_hotspots_are_99_percent_hot_in_their_windows_only() {
    let truth: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("ground-truth.json")).unwrap(),
    )
    .unwrap();
    let mut checked = 0;
    for p in truth["patterns"].as_array().unwrap() {
        let cell = p["h3_res9_cell"].as_str().unwrap();
        for w in p["must_be_hot"].as_array().unwrap() {
            let (bin, z) = bin_of(cell, w);
            assert_eq!(bin, 3, "{}: {w} gives bin {bin} (z {z:.2})", p["id"]);
            checked += 1;
        }
        for w in p["must_not_be_hot"].as_array().unwrap() {
            let (bin, z) = bin_of(cell, w);
            // The truth file's "not hot": z < 1.65, i.e. not even a 90 % hot spot.
            assert!(
                bin < 1 && z < 1.65,
                "{}: {w} gives bin {bin} (z {z:.2})",
                p["id"]
            );
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} claims checked");
}

#[test]
fn guildhall_walk_is_a_friday_night_hotspot_not_a_daytime_one() {
    let cell = "891959aa293ffff";
    assert_eq!(bin_of(cell, &serde_json::json!({"preset": "nte"})).0, 3);
    assert!(bin_of(cell, &serde_json::json!({"preset": "daytime"})).0 <= 0);
}

#[test]
fn demo_store_holds_every_fixture_row() {
    let snap = snapshot();
    // 12,547 log rows + 540 police.uk rows; the 247 British National Grid rows are the same
    // incidents as log rows (same refs, exported again in eastings/northings), so they add
    // nothing.
    assert_eq!(snap.incidents.len(), 12_547 + 540);
    let outside = snap.incidents.ward.iter().filter(|w| w.is_none()).count();
    // The 12 Fareham rows lie outside the city and are never pulled in by the tolerance.
    assert!(outside >= 12, "{outside}");
    assert!(snap.incidents.by_tolerance.iter().filter(|t| **t).count() < 50);
}

/// esda on the fixture city's `nte` counts (fixtures/golden/fixture-city-nte-res9-gi.csv, made
/// by `make_golden.py` from the counts this pipeline exports; see fixtures/golden/README.md):
/// the same cells and counts, the same neighbour counts, and z to 1e-9 for k = 1, 2, 3.
#[test]
fn gi_star_equals_esda_on_the_fixture_city() {
    let snap = snapshot();
    let path = fixtures().join("golden/fixture-city-nte-res9-gi.csv");
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    for k in 1..=3u32 {
        let mut bag = ParamBag::new([
            ("preset", "nte"),
            ("permutations", "0"),
            ("k", &k.to_string()),
        ])
        .unwrap();
        let req = HotspotRequest::from_params(&mut bag, snap, None).unwrap();
        let res = run_hotspots(snap, &req).unwrap();
        assert_eq!(res.counts.cells.len(), rows.len());
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(res.counts.cells[i].to_string(), row[col("cell")]);
            let count: f64 = row[col("count")].parse().unwrap();
            assert!((res.counts.counts[i] - count).abs() < 1e-12, "{}", &row[0]);
            let n: u32 = row[col(&format!("neighbours_k{k}"))].parse().unwrap();
            assert_eq!(res.gi.cells[i].neighbours, n, "{}", &row[0]);
            let z: f64 = row[col(&format!("z_k{k}"))].parse().unwrap();
            assert!(
                (res.gi.cells[i].z - z).abs() < 1e-9,
                "{} k={k}: {} vs esda {z}",
                &row[0],
                res.gi.cells[i].z
            );
        }
    }
}
