//! Mobile CCTV siting end to end on the fixture city: coverage recounted independently, the
//! planted night-time patterns get cameras, bad parameters are refused by name, the CLI and
//! `/api/cctv` agree, and a backtest on the real Portsmouth months.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use h3o::{CellIndex, LatLng};
use hotspot::demo::build_demo;
use hotspot::domain::{CameraKind, Wgs84};
use hotspot::index::Snapshot;
use hotspot::query::{CCTV_PARAMS, CctvRequest, CctvResult, ParamBag, ParamError, run_cctv};
use hotspot::server::{AppState, ServerConfig, app};
use serde_json::Value;
use tower::ServiceExt;

fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"))
}

struct Demo {
    store: PathBuf,
    snap: Snapshot,
}

fn demo() -> &'static Demo {
    static DEMO: OnceLock<Demo> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let store = dir.join("demo.gpkg");
        build_demo(&store, fixtures()).unwrap();
        let snap = hotspot::workspace::Workspace::open(&store)
            .unwrap()
            .snapshot()
            .unwrap();
        Demo { store, snap }
    })
}

fn request(snap: &Snapshot, pairs: &[(&str, &str)]) -> Result<CctvRequest, ParamError> {
    let mut bag = ParamBag::new(pairs.iter().map(|(k, v)| (*k, *v)))?;
    let req = CctvRequest::from_params(&mut bag, snap, None)?;
    let known: Vec<&str> = hotspot::query::SELECTION_PARAMS
        .iter()
        .chain(CCTV_PARAMS)
        .copied()
        .collect();
    bag.finish(&known)?;
    Ok(req)
}

fn run(snap: &Snapshot, pairs: &[(&str, &str)]) -> CctvResult {
    let req = request(snap, pairs).unwrap();
    run_cctv(snap, &req).unwrap()
}

/// Great-circle distance in metres (haversine, mean Earth radius).
fn haversine_m(a: [f64; 2], b: [f64; 2]) -> f64 {
    let (la1, la2) = (a[1].to_radians(), b[1].to_radians());
    let dla = la2 - la1;
    let dlo = (b[0] - a[0]).to_radians();
    let h = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * h.sqrt().asin()
}

/// Rows of the snapshot the request's selection picks, in the study area (inside a ward,
/// when wards are loaded).
fn selected_rows(snap: &Snapshot, req: &CctvRequest) -> Vec<usize> {
    req.selection
        .apply(snap)
        .rows
        .iter()
        .map(|&r| r as usize)
        .filter(|&r| snap.incidents.ward[r].is_some() || snap.wards.is_empty())
        .collect()
}

/// Site positions (BNG metres) from the GeoJSON: the H3 cell's exact centre.
fn site_xy(fc: &Value) -> Vec<[f64; 2]> {
    fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let cell: CellIndex = f["properties"]["cell"].as_str().unwrap().parse().unwrap();
            let ll = LatLng::from(cell);
            Wgs84::new(ll.lng(), ll.lat())
                .unwrap()
                .to_bng()
                .unwrap()
                .xy()
        })
        .collect()
}

fn within(a: [f64; 2], b: [f64; 2], r: f64) -> bool {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) <= r * r
}

#[test]
fn summary_covered_equals_an_independent_recount() {
    let d = demo();
    for pairs in [
        vec![("preset", "nte"), ("cameras", "4")],
        vec![("cameras", "6"), ("radius-m", "150"), ("category", "asb")],
        vec![
            ("from", "2024-01"),
            ("to", "2024-06"),
            ("half-life-months", "2"),
        ],
    ] {
        let req = request(&d.snap, &pairs).unwrap();
        let res = run_cctv(&d.snap, &req).unwrap();
        let fc = res.geojson(&d.snap);
        let sites = site_xy(&fc);
        let radius = req.radius_m;
        let rows = selected_rows(&d.snap, &req);
        // BNG brute force, every selected incident against every site.
        let covered = rows
            .iter()
            .filter(|&&r| {
                sites
                    .iter()
                    .any(|s| within(d.snap.incidents.xy[r], *s, radius))
            })
            .count();
        let summary = &fc["summary"];
        assert_eq!(summary["covered"], covered, "{pairs:?}");
        assert_eq!(summary["total"], rows.len(), "{pairs:?}");
        assert!(covered > 0, "{pairs:?}");
        let share = summary["share"].as_f64().unwrap();
        assert!((share - covered as f64 / rows.len() as f64).abs() < 1e-12);
        // Haversine on longitude/latitude agrees within the projection's scale (< 0.1 %).
        let site_ll: Vec<[f64; 2]> = fc["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let c = &f["geometry"]["coordinates"];
                [c[0].as_f64().unwrap(), c[1].as_f64().unwrap()]
            })
            .collect();
        let count_hav = |r: f64| {
            rows.iter()
                .filter(|&&i| {
                    site_ll
                        .iter()
                        .any(|s| haversine_m(d.snap.incidents.lonlat[i], *s) <= r)
                })
                .count()
        };
        assert!(count_hav(radius * 0.999) <= covered && covered <= count_hav(radius * 1.001));
        // Each site's own reach and what it adds.
        let mut taken = vec![false; rows.len()];
        let mut score = 0.0;
        for (f, s) in fc["features"].as_array().unwrap().iter().zip(&sites) {
            let p = &f["properties"];
            let own: Vec<usize> = (0..rows.len())
                .filter(|&k| within(d.snap.incidents.xy[rows[k]], *s, radius))
                .collect();
            assert_eq!(p["covered"], own.len());
            let new = own.iter().filter(|&&k| !taken[k]).count();
            assert_eq!(p["new_covered"], new);
            for k in own {
                taken[k] = true;
            }
            score += p["gain"].as_f64().unwrap();
        }
        assert!((score - summary["score"].as_f64().unwrap()).abs() < 1e-9);
        // Gains never increase down the ranks (greedy on a submodular objective).
        let gains: Vec<f64> = fc["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["properties"]["gain"].as_f64().unwrap())
            .collect();
        assert!(gains.windows(2).all(|w| w[0] >= w[1]), "{gains:?}");
    }
}

#[test]
fn planted_night_time_patterns_get_cameras() {
    let d = demo();
    let res = run(&d.snap, &[("preset", "nte"), ("cameras", "5")]);
    let fc = res.geojson(&d.snap);
    let truth: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("ground-truth.json")).unwrap(),
    )
    .unwrap();
    let sites: Vec<[f64; 2]> = fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let c = &f["geometry"]["coordinates"];
            [c[0].as_f64().unwrap(), c[1].as_f64().unwrap()]
        })
        .collect();
    for (id, max_m) in [
        ("a-guildhall-walk-nte", 150.0),
        ("b-albert-road-saturday", 320.0),
    ] {
        let p = truth["patterns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .unwrap();
        let centre = [
            p["centre"]["lon"].as_f64().unwrap(),
            p["centre"]["lat"].as_f64().unwrap(),
        ];
        let nearest = sites
            .iter()
            .map(|s| haversine_m(*s, centre))
            .fold(f64::INFINITY, f64::min);
        assert!(
            nearest <= max_m,
            "{id}: nearest site {nearest:.0} m; sites {sites:?}"
        );
    }
    // The first pick is the Guildhall Walk clubs.
    let first = sites[0];
    assert!(haversine_m(first, [-1.0918, 50.7978]) <= 150.0, "{first:?}");
}

#[test]
fn fixed_cameras_count_as_covered() {
    let d = demo();
    let plain = run(&d.snap, &[("preset", "nte"), ("cameras", "3")]);
    let with = run(
        &d.snap,
        &[("preset", "nte"), ("cameras", "3"), ("existing", "true")],
    );
    let fixed: Vec<([f64; 2], f64)> = d
        .snap
        .cameras
        .iter()
        .filter(|c| c.kind == CameraKind::Fixed)
        .map(|c| (c.location.to_bng().unwrap().xy(), c.radius_m))
        .collect();
    assert!(!fixed.is_empty());
    let req = request(&d.snap, &[("preset", "nte")]).unwrap();
    let rows = selected_rows(&d.snap, &req);
    let fixed_covered = rows
        .iter()
        .filter(|&&r| {
            fixed
                .iter()
                .any(|(p, rad)| within(d.snap.incidents.xy[r], *p, *rad))
        })
        .count();
    let s = with.summary();
    assert_eq!(s["fixed_covered"], fixed_covered);
    assert_eq!(s["fixed_cameras"], fixed.len());
    assert!(fixed_covered > 0);
    // Sites' new_covered excludes fixed coverage, so they add up to combined − fixed.
    let added: u64 = with
        .placement
        .sites
        .iter()
        .map(|s| s.new_covered as u64)
        .sum();
    assert_eq!(
        added,
        s["combined_covered"].as_u64().unwrap() - fixed_covered as u64
    );
    // Fixed coverage lowers what mobile cameras can add, never raises it.
    assert!(with.placement.score <= plain.placement.score);
    assert!(plain.summary().get("fixed_covered").is_none());
}

#[test]
fn exact_is_at_least_greedy_and_sites_are_honoured() {
    let d = demo();
    let sites = "GW1:50.7978:-1.0918,GW2:50.7990:-1.0925,CR1:50.8035:-1.0880,AR1:50.7860:-1.0780,\
                 AR2:50.7865:-1.0790,FP1:50.7965:-1.0640,X1:50.8200:-1.0700,X2:50.8300:-1.0800";
    let greedy = run(
        &d.snap,
        &[("sites", sites), ("cameras", "3"), ("radius-m", "200")],
    );
    let exact = run(
        &d.snap,
        &[
            ("sites", sites),
            ("cameras", "3"),
            ("radius-m", "200"),
            ("exact", "true"),
        ],
    );
    let g = greedy.placement.score;
    let e = exact.placement.score;
    assert!(e >= g - 1e-9, "exact {e} < greedy {g}");
    assert!(g >= (1.0 - (-1.0f64).exp()) * e);
    assert_eq!(exact.summary()["greedy_score"].as_f64().unwrap(), g);
    for r in [&greedy, &exact] {
        assert_eq!(r.placement.candidates, 8);
        for s in &r.placement.sites {
            assert!(sites.contains(&format!("{}:", s.id)), "{}", s.id);
            assert!(s.cell.is_none());
        }
    }
    // k = 1: greedy is optimal.
    let g1 = run(&d.snap, &[("sites", sites), ("cameras", "1")]);
    let e1 = run(
        &d.snap,
        &[("sites", sites), ("cameras", "1"), ("exact", "true")],
    );
    assert_eq!(g1.placement.sites[0].id, e1.placement.sites[0].id);
    assert_eq!(g1.placement.score, e1.placement.score);
}

#[test]
fn weights_and_recency_change_the_score() {
    let d = demo();
    let base = run(&d.snap, &[("preset", "nte"), ("cameras", "2")]);
    let heavier = run(
        &d.snap,
        &[
            ("preset", "nte"),
            ("cameras", "2"),
            (
                "weights",
                "asb:2,violence:6,public-order:4,criminal-damage:3,drugs:2,acquisitive:2,other:1",
            ),
        ],
    );
    // Doubling every weight doubles the weighted score and keeps the sites.
    assert!((heavier.placement.score - 2.0 * base.placement.score).abs() < 1e-6);
    assert_eq!(
        heavier
            .placement
            .sites
            .iter()
            .map(|s| &s.id)
            .collect::<Vec<_>>(),
        base.placement
            .sites
            .iter()
            .map(|s| &s.id)
            .collect::<Vec<_>>()
    );
    let recent = run(
        &d.snap,
        &[
            ("preset", "nte"),
            ("cameras", "2"),
            ("half-life-months", "1"),
        ],
    );
    assert!(recent.placement.total_weight < base.placement.total_weight);
    assert_eq!(recent.parameters(&d.snap)["reference_month"], "2024-12");
}

#[test]
fn rotation_backtest_rows_recount() {
    let d = demo();
    let res = run(
        &d.snap,
        &[
            ("from", "2024-01"),
            ("to", "2024-06"),
            ("rotate", "true"),
            ("months", "3"),
            ("cameras", "3"),
        ],
    );
    let rot = res.rotation.as_ref().unwrap();
    let months: Vec<String> = rot.rows.iter().map(|r| r.month.to_string()).collect();
    assert_eq!(months, ["2024-04", "2024-05", "2024-06"]);
    assert_eq!(rot.next_month.unwrap().to_string(), "2024-07");
    for r in &rot.rows {
        // The test month's incidents are recounted from a selection of that month alone.
        let m = r.month.to_string();
        let req = request(&d.snap, &[("from", m.as_str()), ("to", m.as_str())]).unwrap();
        assert_eq!(r.incidents, selected_rows(&d.snap, &req).len());
        assert!(r.ours_covered <= r.incidents && r.naive_covered <= r.incidents);
        assert!(r.ours_covered > 0);
        // This rule placed from exactly the three months before, as a plain run would.
        let (from, to) = (r.placed_from.to_string(), r.placed_to.to_string());
        let plain = run(
            &d.snap,
            &[
                ("from", from.as_str()),
                ("to", to.as_str()),
                ("cameras", "3"),
            ],
        );
        let sites: Vec<[f64; 2]> = plain.placement.sites.iter().map(|s| s.xy).collect();
        let rows = selected_rows(&d.snap, &req);
        let recount = rows
            .iter()
            .filter(|&&i| {
                sites
                    .iter()
                    .any(|s| within(d.snap.incidents.xy[i], *s, 100.0))
            })
            .count();
        assert_eq!(r.ours_covered, recount, "{m}");
    }
    let csv = res.csv();
    assert!(csv.starts_with("month,placed_from,placed_to,incidents,ours_covered"));
    assert_eq!(csv.lines().count(), 4);
    let j = res.json(&d.snap);
    assert!(j["rotation"]["mean_ours_share"].as_f64().is_some());
}

#[test]
fn bad_parameters_are_refused_by_name() {
    let d = demo();
    for (pairs, name) in [
        (vec![("cameras", "0")], "cameras"),
        (vec![("cameras", "51")], "cameras"),
        (vec![("radius-m", "abc")], "radius-m"),
        (vec![("radius-m", "5")], "radius-m"),
        (vec![("existing", "maybe")], "existing"),
        (vec![("weights", "asb")], "weights"),
        (vec![("weights", "nope:1")], "weights"),
        (vec![("weights", "asb:-1")], "weights"),
        (vec![("sites", "a:1")], "sites"),
        (vec![("sites", "a:50.8:-1.09,a:50.8:-1.08")], "sites"),
        (vec![("sites", "a:95:-1.09")], "sites"),
        (vec![("half-life-months", "0")], "half-life-months"),
        (vec![("resolution", "auto")], "resolution"),
        (vec![("resolution", "12")], "resolution"),
        (vec![("months", "3")], "months"),
        (vec![("rotate", "true"), ("months", "25")], "months"),
        (vec![("rotate", "true"), ("exact", "true")], "exact"),
        (vec![("ward", "Atlantis")], "ward"),
        (vec![("bogus", "1")], "bogus"),
    ] {
        let e = request(&d.snap, &pairs).unwrap_err();
        assert_eq!(e.parameter, name, "{pairs:?}: {e}");
    }
    // Too large an exact search is refused naming `exact`, with the numbers.
    let req = request(&d.snap, &[("exact", "true"), ("cameras", "10")]).unwrap();
    let e = run_cctv(&d.snap, &req).unwrap_err();
    assert_eq!(e.parameter(), Some("exact"), "{e}");
    assert!(e.to_string().contains("C("), "{e}");
    assert!(e.is_bad_request());
}

async fn http_get(uri: &str) -> (StatusCode, Vec<u8>) {
    let d = demo();
    let snap = hotspot::workspace::Workspace::open(&d.store)
        .unwrap()
        .snapshot()
        .unwrap();
    let router = app(AppState::new(snap, ServerConfig::default()));
    let r = router
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = r.status();
    let body = axum::body::to_bytes(r.into_body(), 64 << 20).await.unwrap();
    (status, body.to_vec())
}

fn cli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hotspot"))
        .arg("--store")
        .arg(&demo().store)
        .arg("cctv")
        .args(args)
        .output()
        .unwrap()
}

#[tokio::test]
async fn http_and_cli_agree() {
    let (status, body) = http_get("/api/cctv?preset=nte&cameras=4&radius-m=120").await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let api: Value = serde_json::from_slice(&body).unwrap();
    let out = cli(&["--preset", "nte", "--cameras", "4", "--radius-m", "120"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let local: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(api, local);
    assert_eq!(api["features"].as_array().unwrap().len(), 4);
    let p = &api["features"][0]["properties"];
    for key in ["rank", "gain", "covered", "new_covered", "id", "cell"] {
        assert!(p.get(key).is_some(), "{key}");
    }
    for key in ["covered", "total", "score", "share"] {
        assert!(api["summary"].get(key).is_some(), "{key}");
    }
    // CSV and JSON too.
    let (_, body) = http_get("/api/cctv?preset=nte&cameras=4&radius-m=120&format=csv").await;
    let out = cli(&[
        "--preset",
        "nte",
        "--cameras",
        "4",
        "--radius-m",
        "120",
        "--format",
        "csv",
    ]);
    assert_eq!(
        String::from_utf8(body).unwrap(),
        String::from_utf8(out.stdout).unwrap()
    );
    // Bad parameters: 400 naming it, exit 2 naming the flag.
    let (status, body) = http_get("/api/cctv?cameras=0").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let err: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(err["parameter"], "cameras");
    let out = cli(&["--cameras", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--cameras"));
    // The tile layer draws the same sites.
    let (status, body) =
        http_get("/tiles/cctv/0/0/0.geojson?preset=nte&cameras=4&radius-m=120").await;
    assert_eq!(status, StatusCode::OK);
    let tile: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(tile["features"].as_array().unwrap().len(), 4);
    let (status, _) = http_get("/tiles/cctv/0/0/0.mvt?preset=nte&cameras=4").await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = http_get("/tiles/cctv.json?preset=nte").await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
}

#[test]
fn cli_reads_sites_and_weights_files() {
    let dir = tempfile::tempdir().unwrap();
    let sites = dir.path().join("sites.csv");
    std::fs::write(
        &sites,
        "id,lat,lon\nGW1,50.7978,-1.0918\nCR1,50.8035,-1.0880\nX1,50.8300,-1.0800\n",
    )
    .unwrap();
    let weights = dir.path().join("w.toml");
    std::fs::write(&weights, "[weights]\nviolence = 5\nasb = 0.5\n").unwrap();
    let out = cli(&[
        "--preset",
        "nte",
        "--cameras",
        "2",
        "--sites",
        sites.to_str().unwrap(),
        "--weights",
        weights.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["sites"][0]["id"], "GW1");
    assert_eq!(j["parameters"]["weights"]["violence"], 5.0);
    assert_eq!(j["parameters"]["weights"]["asb"], 0.5);
    // The same through the HTTP syntax.
    let d = demo();
    let api = run(
        &d.snap,
        &[
            ("preset", "nte"),
            ("cameras", "2"),
            (
                "sites",
                "GW1:50.7978:-1.0918,CR1:50.8035:-1.0880,X1:50.8300:-1.0800",
            ),
            ("weights", "violence:5,asb:0.5"),
        ],
    );
    assert_eq!(api.json(&d.snap), j);
    std::fs::write(&weights, "violence = \"lots\"\n").unwrap();
    let out = cli(&["--weights", weights.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--weights"));
}

// ---------------------------------------------------------------------------------------------
// Real data: Portsmouth ASB, 2017.

fn real_snapshot() -> Snapshot {
    let (_, ws) = common::real_portsmouth("2017-", |_| true);
    ws.snapshot().unwrap()
}

#[test]
fn real_portsmouth_backtest_against_the_naive_rule() {
    let snap = real_snapshot();
    // Place 5 cameras (100 m) from February–July 2017 ASB; count August–September ASB covered.
    let train = run(
        &snap,
        &[
            ("category", "asb"),
            ("from", "2017-02"),
            ("to", "2017-07"),
            ("cameras", "5"),
        ],
    );
    assert_eq!(train.placement.sites.len(), 5);
    let test_req = request(
        &snap,
        &[("category", "asb"), ("from", "2017-08"), ("to", "2017-09")],
    )
    .unwrap();
    let test_rows = selected_rows(&snap, &test_req);
    let ours: Vec<[f64; 2]> = train.placement.sites.iter().map(|s| s.xy).collect();
    // Naive: the five resolution-10 cells with the most training incidents.
    let train_req = request(
        &snap,
        &[("category", "asb"), ("from", "2017-02"), ("to", "2017-07")],
    )
    .unwrap();
    let mut counts: std::collections::HashMap<CellIndex, usize> = Default::default();
    for r in selected_rows(&snap, &train_req) {
        let ll = snap.incidents.lonlat[r];
        let cell = LatLng::new(ll[1], ll[0])
            .unwrap()
            .to_cell(h3o::Resolution::Ten);
        *counts.entry(cell).or_default() += 1;
    }
    let mut cells: Vec<(CellIndex, usize)> = counts.into_iter().collect();
    cells.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let naive: Vec<[f64; 2]> = cells
        .iter()
        .take(5)
        .map(|(c, _)| {
            let ll = LatLng::from(*c);
            Wgs84::new(ll.lng(), ll.lat())
                .unwrap()
                .to_bng()
                .unwrap()
                .xy()
        })
        .collect();
    let covered = |sites: &[[f64; 2]]| {
        test_rows
            .iter()
            .filter(|&&r| {
                sites
                    .iter()
                    .any(|s| within(snap.incidents.xy[r], *s, 100.0))
            })
            .count()
    };
    let (o, n, t) = (covered(&ours), covered(&naive), test_rows.len());
    let train_rows = selected_rows(&snap, &train_req);
    let train_covered = |sites: &[[f64; 2]]| {
        train_rows
            .iter()
            .filter(|&&r| {
                sites
                    .iter()
                    .any(|s| within(snap.incidents.xy[r], *s, 100.0))
            })
            .count()
    };
    println!(
        "training months: ours {} naive {} of {}",
        train_covered(&ours),
        train_covered(&naive),
        train_rows.len()
    );
    assert_eq!(train_covered(&ours), train.placement.covered);
    // Greedy's first pick alone covers at least as much as any one naive cell.
    assert!(train_covered(&ours) >= train_covered(&naive[..1]));
    println!(
        "Portsmouth ASB, 5 cameras × 100 m placed from 2017-02..2017-07, tested on 2017-08..2017-09 ({t} incidents): ours {o} ({:.1} %), naive top-5 cells {n} ({:.1} %); training coverage ours {} of {} ({:.1} %)",
        100.0 * o as f64 / t as f64,
        100.0 * n as f64 / t as f64,
        train.placement.covered,
        train.placement.total,
        100.0 * train.summary()["share"].as_f64().unwrap(),
    );
    assert!(t > 1000, "{t} test incidents");
    // The rotation rule over the same months: 6 months of history, tested on August and September.
    let rot = run(
        &snap,
        &[
            ("category", "asb"),
            ("from", "2017-02"),
            ("to", "2017-09"),
            ("cameras", "5"),
            ("rotate", "true"),
            ("months", "6"),
        ],
    );
    let r = rot.rotation.as_ref().unwrap();
    for row in &r.rows {
        println!(
            "rotation {}: placed {}..{}, {} incidents, ours {} ({:.1} %), naive {} ({:.1} %)",
            row.month,
            row.placed_from,
            row.placed_to,
            row.incidents,
            row.ours_covered,
            100.0 * row.ours_covered as f64 / row.incidents as f64,
            row.naive_covered,
            100.0 * row.naive_covered as f64 / row.incidents as f64
        );
    }
    assert_eq!(r.rows.len(), 2);
    assert_eq!(r.rows[0].month.to_string(), "2017-08");
    // August's placement is the fixed one above, so its count matches the recount.
    let aug_req = request(
        &snap,
        &[("category", "asb"), ("from", "2017-08"), ("to", "2017-08")],
    )
    .unwrap();
    let aug = selected_rows(&snap, &aug_req);
    let aug_ours = aug
        .iter()
        .filter(|&&i| ours.iter().any(|s| within(snap.incidents.xy[i], *s, 100.0)))
        .count();
    assert_eq!(r.rows[0].ours_covered, aug_ours);
    let (mo, mn) = r.mean_shares().unwrap();
    println!(
        "rotation means: ours {:.1} %, naive {:.1} %",
        100.0 * mo,
        100.0 * mn
    );
    // The same with a 2-month recency half-life (figures for the README, not a claim).
    let recent = run(
        &snap,
        &[
            ("category", "asb"),
            ("from", "2017-02"),
            ("to", "2017-09"),
            ("cameras", "5"),
            ("rotate", "true"),
            ("months", "6"),
            ("half-life-months", "2"),
        ],
    );
    let rr = recent.rotation.as_ref().unwrap();
    for row in &rr.rows {
        println!(
            "rotation, half-life 2 months, {}: ours {} naive {} of {}",
            row.month, row.ours_covered, row.naive_covered, row.incidents
        );
    }
    // Every category, all eight months, 10 cameras: a size figure (timing printed, not asserted).
    let started = std::time::Instant::now();
    let all = run(&snap, &[("cameras", "10")]);
    println!(
        "all categories 2017-02..2017-09: {} incidents, {} candidate cells, 10 cameras cover {} ({:.1} %) in {:?}",
        all.placement.total,
        all.placement.candidates,
        all.placement.covered,
        100.0 * all.summary()["share"].as_f64().unwrap(),
        started.elapsed()
    );
    assert_eq!(all.placement.sites.len(), 10);
    // The naive rule does not weigh incidents, so recency leaves it unchanged.
    assert_eq!(
        rr.rows.iter().map(|x| x.naive_covered).collect::<Vec<_>>(),
        r.rows.iter().map(|x| x.naive_covered).collect::<Vec<_>>()
    );
}
