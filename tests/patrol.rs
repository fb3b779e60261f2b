//! Patrol plans on the synthetic city (`fixtures/`, planted patterns in
//! `fixtures/ground-truth.json`): the plan for a planted ward and shift visits the planted
//! cells; its times add up (walking at the stated speed × detour + dwell) and fit the shift;
//! a short shift reports what was left out; GPX and GeoJSON parse with real readers; bad
//! parameters are a 400 / exit 2 naming them; the CLI and the HTTP API give the same plan.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use h3o::{CellIndex, Resolution};
use hotspot::demo::build_demo;
use hotspot::domain::Wgs84;
use hotspot::index::Snapshot;
use hotspot::query::{ParamBag, PatrolRequest, PatrolResult, run_patrol};
use hotspot::server::{AppState, ServerConfig, app};
use hotspot::workspace::Workspace;
use serde_json::Value;
use tower::ServiceExt;

fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"))
}

/// The demo store, built once per test binary (the directory is kept for the binary's life).
fn store() -> &'static PathBuf {
    static STORE: OnceLock<PathBuf> = OnceLock::new();
    STORE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("demo.gpkg");
        build_demo(&store, fixtures()).unwrap();
        std::mem::forget(dir);
        store
    })
}

fn snapshot() -> &'static Snapshot {
    static SNAP: OnceLock<Snapshot> = OnceLock::new();
    SNAP.get_or_init(|| Workspace::open(store()).unwrap().snapshot().unwrap())
}

fn truth() -> Value {
    let text = std::fs::read_to_string(fixtures().join("ground-truth.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn pattern(id: &str) -> Value {
    truth()["patterns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap()
        .clone()
}

fn plan(pairs: &[(&str, &str)]) -> PatrolResult {
    let snap = snapshot();
    let mut bag = ParamBag::new(pairs.iter().map(|(k, v)| (*k, *v))).unwrap();
    let req = PatrolRequest::from_params(&mut bag, snap, None).unwrap();
    bag.finish(&[]).unwrap();
    run_patrol(snap, &req).unwrap()
}

fn bng(lon: f64, lat: f64) -> [f64; 2] {
    Wgs84::new(lon, lat).unwrap().to_bng().unwrap().xy()
}

/// The plan's JSON is internally consistent and fits the shift: each leg's walk is the
/// straight BNG distance × 1.3 at the speed, arrival = previous departure + walk + wait,
/// departure = arrival + dwell, revisits ≥ 60 min apart, the end within the shift, and the
/// clock strings are the shift start plus the offsets.
fn check_schedule(j: &Value, dwell_min: f64, walk_kmh: f64) {
    let p = &j["parameters"];
    let shift_min = p["shift_min"].as_f64().unwrap();
    let start_clock = p["shift_start"].as_str().unwrap();
    let start_min =
        60.0 * start_clock[..2].parse::<f64>().unwrap() + start_clock[3..].parse::<f64>().unwrap();
    let mut at = bng(
        p["start"]["lon"].as_f64().unwrap(),
        p["start"]["lat"].as_f64().unwrap(),
    );
    let speed_m_per_min = walk_kmh * 1000.0 / 60.0;
    let mut t = 0.0;
    let mut last_visit: std::collections::HashMap<String, f64> = Default::default();
    let stops = j["stops"].as_array().unwrap();
    let (mut walk_total, mut wait_total) = (0.0, 0.0);
    for (i, s) in stops.iter().enumerate() {
        assert_eq!(s["order"], i + 1);
        let here = bng(s["lon"].as_f64().unwrap(), s["lat"].as_f64().unwrap());
        let walk_m = (here[0] - at[0]).hypot(here[1] - at[1]) * 1.3;
        assert!(
            (s["walk_m"].as_f64().unwrap() - walk_m).abs() <= 1.0,
            "stop {i}: walk {} vs {walk_m}",
            s["walk_m"]
        );
        let walk_min = walk_m / speed_m_per_min;
        assert!((s["walk_min"].as_f64().unwrap() - walk_min).abs() <= 0.06);
        let wait = s["wait_min"].as_f64().unwrap();
        assert!(wait >= 0.0);
        let arrive = s["arrive_min"].as_f64().unwrap();
        let depart = s["depart_min"].as_f64().unwrap();
        assert!(
            (arrive - (t + walk_min + wait)).abs() <= 0.15,
            "stop {i}: arrive {arrive} vs {t} + {walk_min} + {wait}"
        );
        assert!((depart - arrive - dwell_min).abs() <= 0.11);
        let clock = |m: f64| {
            let m = ((start_min + m).round() as i64).rem_euclid(1440);
            format!("{:02}:{:02}", m / 60, m % 60)
        };
        assert_eq!(s["arrive"], clock(arrive));
        assert_eq!(s["depart"], clock(depart));
        let cell = s["cell"].as_str().unwrap().to_owned();
        if let Some(prev) = last_visit.get(&cell) {
            assert!(
                arrive - prev >= 60.0 - 0.1,
                "revisit of {cell} after {}",
                arrive - prev
            );
        }
        last_visit.insert(cell, depart);
        walk_total += walk_m;
        wait_total += wait;
        t = depart;
        at = here;
    }
    assert!(t <= shift_min + 1e-6, "ends at {t} of {shift_min}");
    let summary = &j["summary"];
    assert_eq!(summary["fits"], true);
    assert_eq!(summary["stops"], stops.len());
    assert!((summary["walk_m"].as_f64().unwrap() - walk_total).abs() <= stops.len() as f64);
    assert!((summary["wait_min"].as_f64().unwrap() - wait_total).abs() <= 0.1 * stops.len() as f64);
    assert!((summary["end_min"].as_f64().unwrap() - t).abs() <= 0.1);
    assert_eq!(
        summary["dwell_min"].as_f64().unwrap(),
        dwell_min * stops.len() as f64
    );
}

/// Every res-9 cell of the planted pattern holds a stop.
fn assert_visits_pattern(j: &Value, pattern: &Value) {
    let stop_parents: Vec<CellIndex> = j["stops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            CellIndex::from_str(s["cell"].as_str().unwrap())
                .unwrap()
                .parent(Resolution::Nine)
                .unwrap()
        })
        .collect();
    for c in pattern["h3_res9_cells"].as_array().unwrap() {
        let cell = CellIndex::from_str(c["cell"].as_str().unwrap()).unwrap();
        assert!(
            stop_parents.contains(&cell),
            "{}: planted cell {cell} not visited; stops in {stop_parents:?}",
            pattern["id"]
        );
    }
    // The first-ranked place lies within the pattern's radius of its centre.
    let top = &j["places"][0];
    let c = &pattern["centre"];
    let a = bng(top["lon"].as_f64().unwrap(), top["lat"].as_f64().unwrap());
    let b = bng(c["lon"].as_f64().unwrap(), c["lat"].as_f64().unwrap());
    let d = (a[0] - b[0]).hypot(a[1] - b[1]);
    assert!(d <= pattern["radius_m"].as_f64().unwrap() + 70.0, "{d} m");
}

#[test]
fn guildhall_walk_friday_night_plan_visits_the_planted_cells() {
    let truth = pattern("a-guildhall-walk-nte");
    let ward = truth["ward_name"].as_str().unwrap();
    let res = plan(&[("ward", ward), ("shift", "fri 22:00-03:00")]);
    let j = res.json(snapshot());
    assert_eq!(j["parameters"]["shift"], "fri 22:00-03:00");
    assert_eq!(j["parameters"]["shift_min"], 300);
    assert_visits_pattern(&j, &truth);
    check_schedule(&j, 15.0, 5.0);
    // The riskiest place gets more visits than the others (one per ~2-hour round).
    let places = j["places"].as_array().unwrap();
    assert_eq!(j["parameters"]["rounds"], 3);
    assert_eq!(places[0]["visits_planned"], 3);
    assert!(
        places[1..]
            .iter()
            .all(|p| p["visits_planned"].as_u64().unwrap() < 3)
    );
    assert_eq!(j["summary"]["left_out"], 0);
    // Stop descriptions come from the log's streets; reasons name the counts and hot spot bins.
    let first = &j["stops"][0];
    assert_eq!(first["street"], "Guildhall Walk");
    assert_eq!(first["arrive"], "22:00");
    let why = first["why"].as_str().unwrap();
    assert!(
        why.contains("rank 1") && why.contains("hot spot (99 % confidence)"),
        "{why}"
    );
    assert!(why.contains("busiest"), "{why}");
}

#[test]
fn albert_road_saturday_plan_with_a_start_and_other_settings() {
    let truth = pattern("b-albert-road-saturday");
    let res = plan(&[
        ("ward", truth["ward_code"].as_str().unwrap()),
        ("days", "sat"),
        ("hours", "23:00-02:00"),
        ("start", "50.7890,-1.0900"),
        ("dwell-min", "10"),
        ("walk-kmh", "4"),
        ("resolution", "9"),
        ("from", "2023-01"),
        ("to", "2024-12"),
    ]);
    let j = res.json(snapshot());
    assert_eq!(j["parameters"]["start"]["chosen"], "given");
    assert_eq!(j["parameters"]["resolution"], 9);
    assert_visits_pattern(&j, &truth);
    check_schedule(&j, 10.0, 4.0);
    // The walk to the first stop starts at the given point, not at a stop.
    assert!(j["stops"][0]["walk_m"].as_f64().unwrap() > 100.0);
}

#[test]
fn a_short_shift_lists_what_was_left_out() {
    let res = plan(&[
        ("ward", "Charles Dickens,Central Southsea"),
        ("shift", "fri,sat 22:00-22:40"),
    ]);
    let j = res.json(snapshot());
    check_schedule(&j, 15.0, 5.0);
    let stops = j["stops"].as_array().unwrap();
    let left = j["left_out"].as_array().unwrap();
    assert!(stops.len() <= 2, "{} stops in 40 minutes", stops.len());
    assert!(!left.is_empty());
    assert_eq!(j["summary"]["left_out"], left.len());
    // The top-ranked place is planned; every wanted visit is either planned or left out.
    assert_eq!(stops[0]["rank"], 1);
    let wanted: u64 = j["places"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["visits_wanted"].as_u64().unwrap())
        .sum();
    assert_eq!(wanted as usize, stops.len() + left.len());
    assert!(
        left.iter()
            .all(|l| l["reason"].as_str().unwrap().contains("shift")
                || l["reason"].as_str().unwrap().contains("earlier visit"))
    );
    // The printable plan says so.
    let html = res.html(snapshot());
    assert!(html.contains("<table id=\"left-out\">"));
    for l in left {
        assert!(html.contains(l["street"].as_str().unwrap()));
    }
}

#[test]
fn gpx_and_geojson_parse_with_real_readers() {
    let res = plan(&[("ward", "Charles Dickens"), ("shift", "fri 22:00-03:00")]);
    let snap = snapshot();
    let j = res.json(snap);
    let stops = j["stops"].as_array().unwrap();

    let gpx = gpx::read(res.gpx(snap).unwrap().as_bytes()).unwrap();
    assert_eq!(gpx.version, gpx::GpxVersion::Gpx11);
    assert_eq!(gpx.waypoints.len(), stops.len());
    assert_eq!(gpx.routes.len(), 1);
    assert_eq!(gpx.routes[0].points.len(), stops.len() + 1);
    for (w, s) in gpx.waypoints.iter().zip(stops) {
        let p = w.point();
        assert!((p.x() - s["lon"].as_f64().unwrap()).abs() < 1e-9);
        assert!((p.y() - s["lat"].as_f64().unwrap()).abs() < 1e-9);
        assert_eq!(
            w.name.as_deref().unwrap(),
            format!("{} {}", s["order"], s["street"].as_str().unwrap())
        );
        assert!(
            w.comment
                .as_deref()
                .unwrap()
                .contains(s["arrive"].as_str().unwrap())
        );
    }

    let text = res.geojson(snap).to_string();
    let fc = geojson::FeatureCollection::from_str(&text).unwrap();
    assert_eq!(fc.features.len(), stops.len() + 1);
    let route = fc
        .features
        .iter()
        .find(|f| f.property("kind") == Some(&Value::from("route")))
        .unwrap();
    let geojson::GeometryValue::LineString { coordinates: line } =
        &route.geometry.as_ref().unwrap().value
    else {
        panic!("the route is not a LineString");
    };
    assert_eq!(line.len(), stops.len() + 1);
    for (f, s) in fc
        .features
        .iter()
        .filter(|f| f.property("kind") == Some(&Value::from("stop")))
        .zip(stops)
    {
        let geojson::GeometryValue::Point { coordinates: p } = &f.geometry.as_ref().unwrap().value
        else {
            panic!("a stop is not a Point");
        };
        assert_eq!(p[0], s["lon"].as_f64().unwrap());
        assert_eq!(f.property("arrive"), Some(&s["arrive"]));
    }
    let raw: Value = serde_json::from_str(&text).unwrap();
    assert!(raw["parameters"].is_object() && raw["summary"].is_object());

    // The HTML page is self-contained: an inline SVG with a numbered marker per place, no
    // scripts, no fetched assets.
    let html = res.html(snap);
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("<svg") && html.contains("class=\"route\""));
    assert_eq!(
        html.matches("<g class=\"stop\">").count(),
        j["summary"]["places_visited"].as_u64().unwrap() as usize
    );
    assert!(!html.contains("<script") && !html.contains("src=") && !html.contains("<link"));
    assert_eq!(html.matches("<tr><td class=\"num\">").count(), stops.len());
}

fn cli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hotspot"))
        .arg("--store")
        .arg(store())
        .arg("--quiet")
        .args(args)
        .output()
        .unwrap()
}

async fn http(uri: &str) -> (StatusCode, Option<String>, Vec<u8>) {
    let snap = Workspace::open(store()).unwrap().snapshot().unwrap();
    let app = app(AppState::new(snap, ServerConfig::default()));
    let r = app
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = r.status();
    let ct = r
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned());
    let body = axum::body::to_bytes(r.into_body(), 64 << 20)
        .await
        .unwrap()
        .to_vec();
    (status, ct, body)
}

#[tokio::test]
async fn bad_parameters_are_400_and_exit_2_naming_them() {
    let cases: [(&[&str], &str, &str); 8] = [
        (
            &["--shift", "fri 22:00-03:00"],
            "ward=&shift=fri%2022:00-03:00",
            "ward",
        ),
        (
            &["--ward", "Nowhere", "--shift", "fri 22:00-03:00"],
            "ward=Nowhere&shift=fri%2022:00-03:00",
            "ward",
        ),
        (
            &["--ward", "Charles Dickens"],
            "ward=Charles%20Dickens",
            "shift",
        ),
        (
            &["--ward", "Charles Dickens", "--shift", "fry 22:00-03:00"],
            "ward=Charles%20Dickens&shift=fry%2022:00-03:00",
            "shift",
        ),
        (
            &["--ward", "Charles Dickens", "--shift", "fri 22:00"],
            "ward=Charles%20Dickens&shift=fri%2022:00",
            "shift",
        ),
        (
            &[
                "--ward",
                "Charles Dickens",
                "--shift",
                "fri 22:00-03:00",
                "--start",
                "50.8",
            ],
            "ward=Charles%20Dickens&shift=fri%2022:00-03:00&start=50.8",
            "start",
        ),
        (
            &[
                "--ward",
                "Charles Dickens",
                "--shift",
                "fri 22:00-03:00",
                "--start",
                "40.7,-74.0",
            ],
            "ward=Charles%20Dickens&shift=fri%2022:00-03:00&start=40.7,-74.0",
            "start",
        ),
        (
            &[
                "--ward",
                "Charles Dickens",
                "--shift",
                "fri 22:00-03:00",
                "--dwell-min",
                "30",
            ],
            "ward=Charles%20Dickens&shift=fri%2022:00-03:00&dwell-min=30",
            "dwell-min",
        ),
    ];
    for (args, query, parameter) in cases {
        let mut full = vec!["patrol"];
        full.extend_from_slice(args);
        let out = cli(&full);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(&format!("--{parameter}")),
            "{args:?}: {stderr}"
        );
        let (status, _, body) = http(&format!("/api/patrol?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        let e: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(e["parameter"], parameter, "{query}: {e}");
    }
    // A start far from the ward (London) is refused once the places are known.
    let out = cli(&[
        "patrol",
        "--ward",
        "Charles Dickens",
        "--shift",
        "fri 22:00-03:00",
        "--start",
        "51.5,-0.12",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--start: 51.50000,-0.12000 is "));
    let (status, _, body) =
        http("/api/patrol?ward=Charles%20Dickens&shift=fri%2022:00-03:00&start=51.5,-0.12").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        serde_json::from_slice::<Value>(&body).unwrap()["parameter"],
        "start"
    );
    // Shift and days/hours together; an unknown format.
    let (status, _, body) =
        http("/api/patrol?ward=Charles%20Dickens&shift=fri%2022:00-03:00&hours=20:00-22:00").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        serde_json::from_slice::<Value>(&body).unwrap()["parameter"],
        "shift"
    );
    let (status, _, body) =
        http("/api/patrol?ward=Charles%20Dickens&shift=fri%2022:00-03:00&format=csv").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        serde_json::from_slice::<Value>(&body).unwrap()["parameter"],
        "format"
    );
}

#[tokio::test]
async fn cli_and_http_give_the_same_plan() {
    let args = [
        "--ward",
        "Charles Dickens",
        "--ward",
        "E05002442",
        "--shift",
        "fri,sat 21:00-02:00",
        "--start",
        "50.7930,-1.0850",
    ];
    let query =
        "ward=Charles%20Dickens&ward=E05002442&shift=fri,sat%2021:00-02:00&start=50.7930,-1.0850";
    for (format, media) in [
        ("json", "application/json"),
        ("geojson", "application/geo+json"),
        ("gpx", "application/gpx+xml"),
        ("html", "text/html; charset=utf-8"),
    ] {
        let mut full = vec!["patrol", "--format", format];
        full.extend_from_slice(&args);
        let out = cli(&full);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (status, ct, body) = http(&format!("/api/patrol?{query}&format={format}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(ct.as_deref(), Some(media));
        let cli_text = String::from_utf8(out.stdout).unwrap();
        let http_text = String::from_utf8(body).unwrap();
        if format.contains("json") {
            let a: Value = serde_json::from_str(&cli_text).unwrap();
            let b: Value = serde_json::from_str(&http_text).unwrap();
            assert_eq!(a, b, "{format}");
        } else {
            assert_eq!(cli_text.trim_end(), http_text.trim_end(), "{format}");
        }
    }
    // html is the default of both.
    let (_, ct, _) = http(&format!("/api/patrol?{query}")).await;
    assert_eq!(ct.as_deref(), Some("text/html; charset=utf-8"));
}

/// police.uk rows carry a month only, so a shift (hours) cannot use them: on the real June 2017
/// Portsmouth month the plan is refused with a reason that says so (interface.md: "when nothing
/// is left, the error says why"), naming how many rows were left out.
#[test]
fn real_police_uk_month_is_refused_with_the_reason() {
    use hotspot::query::QueryError;

    let (_, ws) = common::real_portsmouth("2017-06", |_| true);
    let snap = ws.snapshot().unwrap();
    let mut bag =
        ParamBag::new([("ward", "Charles Dickens"), ("shift", "fri 22:00-03:00")]).unwrap();
    let req = PatrolRequest::from_params(&mut bag, &snap, None).unwrap();
    let err = run_patrol(&snap, &req).unwrap_err();
    assert!(err.is_bad_request());
    let QueryError::Empty(text) = err else {
        panic!("expected an empty selection, got {err}");
    };
    assert!(text.contains("month-only rows"), "{text}");
    // Charles Dickens' June 2017 rows, all left out (the count the message gives).
    let in_ward = snap
        .incidents
        .ward
        .iter()
        .filter(|w| w.is_some_and(|w| snap.wards[usize::from(w)].name == "Charles Dickens"))
        .count();
    assert!(in_ward > 100, "{in_ward}");
    assert!(
        text.contains(&format!("; {in_ward} month-only rows")),
        "{text}"
    );
}
