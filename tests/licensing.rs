//! Licensing: cumulative impact zones and venue area reviews on the synthetic city
//! (`fixtures/`), checked against the planted patterns of `fixtures/ground-truth.json` and
//! against brute-force recounts; the HTTP API, the `zones` tile layer and OGC collection
//! (read by GDAL's `ogrinfo`, which must be installed: `apt-get install gdal-bin`), and bad
//! parameters (400 over HTTP, exit code 2 on the CLI).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use geo::{Contains, Distance, Euclidean, Geometry, Point};
use hotspot::demo::build_demo;
use hotspot::index::Snapshot;
use hotspot::query::{
    ParamBag, ReviewRequest, Selection, ZonesRequest, run_review, run_zones, venue_positions_m,
};
use hotspot::server::{AppState, ServerConfig, app, serve_on};
use hotspot::workspace::Workspace;
use serde_json::Value;
use tokio::net::TcpListener;
use tower::ServiceExt;

fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"))
}

/// The demo store, built once per test binary (the directory is kept for the binary's life).
fn store() -> &'static PathBuf {
    static STORE: OnceLock<PathBuf> = OnceLock::new();
    STORE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let store = dir.join("demo.gpkg");
        let summary = build_demo(&store, fixtures()).unwrap();
        assert_eq!(summary.venues, 100);
        store
    })
}

fn open() -> Snapshot {
    Workspace::open(store()).unwrap().snapshot().unwrap()
}

fn snapshot() -> &'static Snapshot {
    static SNAP: OnceLock<Snapshot> = OnceLock::new();
    SNAP.get_or_init(open)
}

/// Asserts two JSON values are equal, numbers to 1e-12 relative (serde_json's default float
/// parsing may be one unit in the last place off the printed value).
fn assert_json_close(a: &Value, b: &Value, at: &str) {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!(
                (x - y).abs() <= 1e-12 * x.abs().max(1.0),
                "{at}: {x} vs {y}"
            );
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{at}");
            for (i, (x, y)) in x.iter().zip(y).enumerate() {
                assert_json_close(x, y, &format!("{at}[{i}]"));
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(
                x.keys().collect::<Vec<_>>(),
                y.keys().collect::<Vec<_>>(),
                "{at}"
            );
            for (k, v) in x {
                assert_json_close(v, &y[k], &format!("{at}.{k}"));
            }
        }
        _ => assert_eq!(a, b, "{at}"),
    }
}

fn bag(pairs: &[(&str, &str)]) -> ParamBag {
    ParamBag::new(pairs.iter().map(|(k, v)| (*k, *v))).unwrap()
}

fn zones(pairs: &[(&str, &str)]) -> (ZonesRequest, Value) {
    let snap = snapshot();
    let req = ZonesRequest::from_params(&mut bag(pairs), snap, None).unwrap();
    let res = run_zones(snap, &req).unwrap();
    (req, res.geojson(snap))
}

fn geometry(feature: &Value) -> Geometry<f64> {
    let g: geojson::Geometry = serde_json::from_value(feature["geometry"].clone()).unwrap();
    Geometry::try_from(g).unwrap()
}

/// Weighted incidents of `selection` at lon/lat points inside `g`, by a scan of every row.
fn recount(snap: &Snapshot, selection: &Selection, g: &Geometry<f64>) -> f64 {
    let selected = selection.apply(snap);
    selected
        .rows
        .iter()
        .zip(&selected.weights)
        .filter(|&(&r, _)| {
            let [lon, lat] = snap.incidents.lonlat[r as usize];
            g.contains(&Point::new(lon, lat))
        })
        .map(|(_, w)| w)
        .sum()
}

#[test]
fn planted_nte_hotspots_near_venue_clusters_are_the_top_zones() {
    let (_, fc) = zones(&[]);
    assert_eq!(fc["parameters"]["eps_m"], 100.0);
    assert_eq!(fc["parameters"]["min_venues"], 5);
    assert!(
        fc["parameters"]["window_text"]
            .as_str()
            .unwrap()
            .contains("preset nte"),
        "{}",
        fc["parameters"]
    );
    let features = fc["features"].as_array().unwrap();
    assert!(features.len() >= 2, "{} zones", features.len());
    let truth: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("ground-truth.json")).unwrap(),
    )
    .unwrap();
    let mut ranks = Vec::new();
    for id in ["a-guildhall-walk-nte", "b-albert-road-saturday"] {
        let p = truth["patterns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .unwrap();
        let centre = Point::new(
            p["centre"]["lon"].as_f64().unwrap(),
            p["centre"]["lat"].as_f64().unwrap(),
        );
        // The zone over the planted centre (or within its radius: ~1e-5 degrees per metre).
        let radius_deg = p["radius_m"].as_f64().unwrap() / 111_000.0;
        let zone = features
            .iter()
            .find(|f| Euclidean.distance(&geometry(f), &centre) <= radius_deg)
            .unwrap_or_else(|| panic!("{id}: no zone near {centre:?}"));
        let rank = zone["properties"]["rank"].as_u64().unwrap();
        assert_eq!(
            zone["id"].as_str().unwrap(),
            format!("zone-{rank}"),
            "ids follow ranks"
        );
        assert!(rank <= 2, "{id}: zone rank {rank}");
        // Most of the zone's NTE incidents are in Gi* hot cells.
        let hot = zone["properties"]["hot_overlap"].as_f64().unwrap();
        assert!(hot > 0.9, "{id}: hot overlap {hot}");
        ranks.push(rank);
    }
    assert_ne!(ranks[0], ranks[1], "two distinct zones");
    // Ranked by incidents, descending, and every property is there.
    let incidents: Vec<f64> = features
        .iter()
        .map(|f| f["properties"]["incidents"].as_f64().unwrap())
        .collect();
    assert!(incidents.windows(2).all(|w| w[0] >= w[1]), "{incidents:?}");
    for f in features {
        let p = &f["properties"];
        for key in [
            "id",
            "rank",
            "venues",
            "incidents",
            "per_venue",
            "per_km2",
            "share",
            "hot_overlap",
            "kinds",
        ] {
            assert!(!p[key].is_null(), "{key} missing in {p}");
        }
        let kinds: u64 = p["kinds"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!(kinds, p["venues"].as_u64().unwrap());
        assert!(p["venues"].as_u64().unwrap() >= 5);
    }
}

#[test]
fn zone_counts_equal_a_brute_force_point_in_polygon_recount() {
    let snap = snapshot();
    for pairs in [
        vec![],
        vec![("preset", "all"), ("category", "nte")],
        vec![("eps-m", "150"), ("min-venues", "4"), ("from", "2024-01")],
    ] {
        let (req, fc) = zones(&pairs);
        let total = fc["summary"]["incidents"].as_f64().unwrap();
        assert!(total > 0.0);
        let mut union = Vec::new();
        for f in fc["features"].as_array().unwrap() {
            let g = geometry(f);
            let n = recount(snap, &req.selection, &g);
            let p = &f["properties"];
            let got = p["incidents"].as_f64().unwrap();
            assert!(
                (got - n).abs() < 1e-9,
                "{pairs:?} {}: {got} vs {n}",
                f["id"]
            );
            let share = p["share"].as_f64().unwrap();
            assert!((share - n / total).abs() < 1e-12);
            let per_venue = p["per_venue"].as_f64().unwrap();
            assert!((per_venue - n / p["venues"].as_f64().unwrap()).abs() < 1e-9);
            union.push(g);
        }
        // Distinct incidents in any zone, by the same scan.
        let selected = req.selection.apply(snap);
        let in_any: f64 = selected
            .rows
            .iter()
            .zip(&selected.weights)
            .filter(|&(&r, _)| {
                let [lon, lat] = snap.incidents.lonlat[r as usize];
                union.iter().any(|g| g.contains(&Point::new(lon, lat)))
            })
            .map(|(_, w)| w)
            .sum();
        let got = fc["summary"]["incidents_in_zones"].as_f64().unwrap();
        assert!((got - in_any).abs() < 1e-9, "{got} vs {in_any}");
    }
}

#[test]
fn review_totals_never_double_count_overlapping_venues() {
    let snap = snapshot();
    let req = ReviewRequest::from_params(
        &mut bag(&[("venues-in-ward", "Charles Dickens"), ("radius-m", "150")]),
        snap,
        None,
    )
    .unwrap();
    assert!(req.venues.len() >= 10, "{} venues", req.venues.len());
    let res = run_review(snap, &req).unwrap();
    let j = res.json(snap);
    // Brute force: every incident within 150 m of any reviewed venue, by a scan of all rows.
    let positions = venue_positions_m(snap);
    let centres: Vec<[f64; 2]> = req.venues.iter().map(|&v| positions[v].unwrap()).collect();
    let selected = req.selection.apply(snap);
    let (mut distinct, mut shared, mut raw) = (0.0, 0.0, 0.0);
    for (&r, &w) in selected.rows.iter().zip(&selected.weights) {
        let [x, y] = snap.incidents.xy[r as usize];
        let n = centres
            .iter()
            .filter(|c| (c[0] - x).hypot(c[1] - y) <= 150.0)
            .count();
        if n > 0 {
            distinct += w;
            raw += w * n as f64;
        }
        if n > 1 {
            shared += w;
        }
    }
    let summary = &j["summary"];
    let close = |a: f64, b: f64| (a - b).abs() < 1e-6 * b.max(1.0);
    assert!(close(
        summary["distinct_incidents"].as_f64().unwrap(),
        distinct
    ));
    assert!(close(summary["sum_of_shares"].as_f64().unwrap(), distinct));
    assert!(close(summary["shared_incidents"].as_f64().unwrap(), shared));
    // The circles overlap: plain counts would double count, shares do not.
    let venues = j["venues"].as_array().unwrap();
    let plain: f64 = venues
        .iter()
        .map(|v| v["incidents"].as_f64().unwrap())
        .sum();
    assert!(close(plain, raw));
    assert!(plain > distinct + 1.0, "plain {plain}, distinct {distinct}");
    assert!(shared > 0.0);
    for v in venues {
        let incidents = v["incidents"].as_f64().unwrap();
        // Every incident lands once in the hour-of-week table or as untimed, once by category,
        // and once by month.
        let how: f64 = v["hour_of_week"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|d| d.as_array().unwrap())
            .map(|x| x.as_f64().unwrap())
            .sum::<f64>()
            + v["untimed"].as_f64().unwrap();
        assert!(close(how, incidents), "{how} vs {incidents}");
        let cats: f64 = v["by_category"]
            .as_object()
            .unwrap()
            .values()
            .map(|x| x.as_f64().unwrap())
            .sum();
        assert!(close(cats, incidents));
        let months: f64 = v["by_month"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .sum();
        assert!(close(months, incidents));
        assert_eq!(v["hour_of_week"].as_array().unwrap().len(), 7);
        assert!(v["share"].as_f64().unwrap() <= incidents + 1e-9);
    }
}

#[test]
fn review_compares_a_venue_with_the_city_night_time_average() {
    let snap = snapshot();
    // Club Neon on Guildhall Walk, and a single venue: nothing shared.
    let req = ReviewRequest::from_params(&mut bag(&[("venue", "PL/0003")]), snap, None).unwrap();
    let res = run_review(snap, &req).unwrap();
    let v = &res.venues[0];
    assert_eq!(v.share, v.incidents);
    assert_eq!(v.shared, 0.0);
    // Hand-computed: the mean over all venues of NTE incidents within 100 m, by brute force.
    let positions = venue_positions_m(snap);
    let nte = hotspot::query::nte_selection(&req.selection);
    let selected = nte.apply(snap);
    let near = |c: [f64; 2]| -> f64 {
        selected
            .rows
            .iter()
            .zip(&selected.weights)
            .filter(|&(&r, _)| {
                let [x, y] = snap.incidents.xy[r as usize];
                (c[0] - x).hypot(c[1] - y) <= 100.0
            })
            .map(|(_, w)| w)
            .sum()
    };
    let all: Vec<f64> = positions.iter().map(|p| near(p.unwrap())).collect();
    let mean = all.iter().sum::<f64>() / all.len() as f64;
    assert!((res.city.venue_mean - mean).abs() < 1e-9);
    assert!((v.nte_incidents - near(positions[v.venue].unwrap())).abs() < 1e-9);
    // A Guildhall Walk club sees well above the average venue's night-time incidents.
    assert!(
        v.nte_incidents > 2.0 * mean,
        "{} vs {mean}",
        v.nte_incidents
    );
    // Friday and Saturday nights dominate its hour-of-week table (Saturday 22:00 and
    // Sunday 01:00 are the nights' peak hours).
    let fri_sat_night: f64 = v.hour_of_week[4][20..].iter().sum::<f64>()
        + v.hour_of_week[5][..4].iter().sum::<f64>()
        + v.hour_of_week[5][20..].iter().sum::<f64>()
        + v.hour_of_week[6][..4].iter().sum::<f64>();
    assert!(fri_sat_night > 0.5 * v.incidents);
    let g = res.geojson(snap);
    assert_eq!(g["features"][0]["id"], "PL/0003");
    assert_eq!(g["features"][0]["properties"]["kind"], "nightclub");
}

async fn get(app: &axum::Router, uri: &str) -> (StatusCode, String, Vec<u8>) {
    let r = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = r.status();
    let ct = r
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = axum::body::to_bytes(r.into_body(), 64 << 20)
        .await
        .unwrap()
        .to_vec();
    (status, ct, body)
}

#[tokio::test]
async fn http_answers_match_the_library_and_refuse_bad_parameters() {
    let app = app(AppState::new(open(), ServerConfig::default()));
    let snap = snapshot();
    // Zones: GeoJSON by default, equal to the library's answer.
    let (status, ct, body) = get(&app, "/api/licensing/zones").await;
    assert_eq!(status, StatusCode::OK);
    assert!(ct.starts_with("application/geo+json"), "{ct}");
    let api: Value = serde_json::from_slice(&body).unwrap();
    let (_, lib) = zones(&[]);
    assert_json_close(&api, &lib, "zones");
    // The HTML report cites the s.182 evidence types and lists every zone.
    let (status, ct, body) = get(&app, "/api/licensing/zones?format=html").await;
    assert_eq!(status, StatusCode::OK);
    assert!(ct.starts_with("text/html"));
    let html = String::from_utf8(body).unwrap();
    for needle in [
        "section 5A",
        "section 182",
        "Premises by type",
        "high-alcohol hours",
        "Comparison between candidate zones",
        "month only",
        "snapped",
    ] {
        assert!(html.contains(needle), "{needle} missing");
    }
    for f in lib["features"].as_array().unwrap() {
        assert!(html.contains(f["id"].as_str().unwrap()));
    }
    // Review: JSON by default.
    let (status, _, body) = get(&app, "/api/licensing/review?venue=PL/0003,PL/0001").await;
    assert_eq!(status, StatusCode::OK);
    let review: Value = serde_json::from_slice(&body).unwrap();
    let req =
        ReviewRequest::from_params(&mut bag(&[("venue", "PL/0003,PL/0001")]), snap, None).unwrap();
    assert_json_close(
        &review,
        &run_review(snap, &req).unwrap().json(snap),
        "review",
    );
    // The zones tile layer.
    let t = hotspot::tiles::TileCoord::containing(-1.0918, 50.7978, 15).unwrap();
    let (status, _, body) = get(
        &app,
        &format!("/tiles/zones/15/{}/{}.geojson", t.x(), t.y()),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let tile: Value = serde_json::from_slice(&body).unwrap();
    assert!(
        tile["features"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["properties"]["rank"] == 1),
        "{tile}"
    );
    let (status, ct, body) = get(&app, &format!("/tiles/zones/15/{}/{}.mvt", t.x(), t.y())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ct, "application/vnd.mapbox-vector-tile");
    assert!(
        body.windows(5).any(|w| w == b"zones"),
        "the MVT layer is named zones"
    );
    // Bad parameters: 400 naming them.
    for (uri, parameter) in [
        ("/api/licensing/review", "venue"),
        ("/api/licensing/review?venue=nope", "venue"),
        (
            "/api/licensing/review?venue=PL/0003&radius-m=5000",
            "radius-m",
        ),
        (
            "/api/licensing/review?venues-in-ward=Atlantis",
            "venues-in-ward",
        ),
        ("/api/licensing/zones?eps-m=-3", "eps-m"),
        ("/api/licensing/zones?min-venues=1", "min-venues"),
        ("/api/licensing/zones?format=pdf", "format"),
        ("/api/licensing/zones?radius-m=100", "radius-m"),
        ("/api/licensing/zones?preset=weekly", "preset"),
    ] {
        let (status, _, body) = get(&app, uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
        let e: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(e["parameter"], parameter, "{uri}: {e}");
    }
}

#[test]
fn cli_prints_zones_and_reviews_and_exits_2_on_bad_flags() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_hotspot"))
            .arg("--store")
            .arg(store())
            .arg("--quiet")
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["licensing", "zones"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cli: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_json_close(&cli, &zones(&[]).1, "cli zones");
    let out = run(&["licensing", "review", "--venue", "PL/0003"]);
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.contains("Club Neon") && table.contains("Sat"),
        "{table}"
    );
    for args in [
        vec!["licensing", "zones", "--min-venues", "1"],
        vec!["licensing", "zones", "--format", "pdf"],
        vec!["licensing", "review"],
        vec!["licensing", "review", "--venue", "nope"],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

/// Runs `ogrinfo`; fails the test when GDAL is missing or the command fails.
fn ogrinfo(args: &[String]) -> String {
    let out = Command::new("ogrinfo")
        .args(args)
        .env("GDAL_HTTP_TIMEOUT", "60")
        .output()
        .unwrap_or_else(|e| panic!("cannot run ogrinfo ({e}): apt-get install gdal-bin"));
    assert!(
        out.status.success(),
        "ogrinfo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gdal_reads_the_zones_geojson_and_collection() {
    let (_, fc) = zones(&[]);
    let n = fc["features"].as_array().unwrap().len();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("zones.geojson");
    std::fs::write(&file, fc.to_string()).unwrap();
    let state = AppState::new(open(), ServerConfig::default());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("OAPIF:http://{}/ogc", listener.local_addr().unwrap());
    let server = tokio::spawn(serve_on(listener, state, std::future::pending()));
    let file = file.to_string_lossy().into_owned();
    tokio::task::spawn_blocking(move || {
        let s = |x: &str| x.to_owned();
        let local = ogrinfo(&[s("-ro"), s("-al"), s("-so"), file]);
        assert!(local.contains(&format!("Feature Count: {n}")), "{local}");
        assert!(local.contains("Polygon"), "{local}");
        let remote = ogrinfo(&[s("-ro"), s("-al"), url, s("zones")]);
        assert_eq!(remote.matches("OGRFeature(zones)").count(), n, "{remote}");
        assert!(
            remote.contains("POLYGON"),
            "{}",
            &remote[..remote.len().min(2000)]
        );
        assert!(
            remote.contains("rank (Integer) = 1"),
            "{}",
            &remote[..remote.len().min(3000)]
        );
    })
    .await
    .unwrap();
    server.abort();
}

/// `licensing purple-flag --zone zone-1` scores exactly the area of `licensing zones`' zone 1
/// (default parameters), and an unknown zone lists the known ones.
#[test]
fn purple_flag_zones_are_the_licensing_zones() {
    use hotspot::query::{PurpleFlagRequest, run_purple_flag};
    let snap = snapshot();
    let (_, fc) = zones(&[]);
    let zone_1 = fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["id"] == "zone-1")
        .expect("the demo has a zone-1");
    let lookup = hotspot::server::scorecards::zone_lookup();
    let score = |pairs: &[(&str, &str)], polygon| {
        let mut b = bag(pairs);
        PurpleFlagRequest::from_params(&mut b, snap, polygon, lookup)
            .map(|r| run_purple_flag(snap, &r).unwrap().json())
    };
    let by_zone = score(&[("zone", "zone-1")], None).unwrap();
    assert_eq!(by_zone["parameters"]["area"]["id"], "zone-1");
    let polygon = hotspot::query::parse_polygon(&zone_1["geometry"].to_string()).unwrap();
    let by_polygon = score(&[], Some(polygon)).unwrap();
    assert_eq!(by_zone["kpi"], by_polygon["kpi"]);
    assert!(
        by_zone["kpi"]["weekend-evening"]["periods"][0]["total"]["all"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    let e = score(&[("zone", "zone-99")], None).unwrap_err();
    assert_eq!(e.parameter, "zone");
    assert!(e.message.contains("zone-1, zone-2"), "{e}");
}
