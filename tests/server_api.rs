//! The analysis API, the analysis cache, the analysis collections and the map page's files,
//! in-process (`oneshot` over `app(state)`), on a small city built here: two wards, a seeded
//! background of timed ASB incidents over 2017 and a planted cluster of Friday and Saturday
//! night incidents in one H3 cell.

mod common;

use common::http::{Answer, get, send};

use std::collections::BTreeSet;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use geo::{MultiPolygon, Rect, coord};
use h3o::{LatLng, Resolution};
use hotspot::domain::{
    Camera, CameraKind, Category, CrimeType, Incident, IncidentTime, Source, Venue, VenueKind,
    Ward, WardAssignment, Wgs84,
};
use hotspot::index::{Snapshot, SnapshotInput};
use hotspot::server::{AppState, ServerConfig, app};
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// The city.

/// Where the cluster is planted (lon, lat): around the centre of this point's resolution-9
/// cell, in that cell and its six neighbours.
const PLANT: (f64, f64) = (-1.091, 50.791);
/// Planted incidents per cell and month, every month of 2017.
const PLANT_PER_MONTH: usize = 6;
/// Cells of the planted cluster.
const PLANT_CELLS: usize = 7;
/// Planted incidents in all.
const PLANTED: usize = PLANT_CELLS * PLANT_PER_MONTH * 12;
/// Background incidents.
const BACKGROUND: usize = 300;

fn ward(code: &str, name: &str, lon: [f64; 2], population: Option<u32>) -> Ward {
    let rect = Rect::new(
        coord! { x: lon[0], y: 50.78 },
        coord! { x: lon[1], y: 50.80 },
    );
    Ward {
        code: code.into(),
        name: name.into(),
        boundary: MultiPolygon(vec![rect.to_polygon()]),
        population,
    }
}

fn incident(
    id: String,
    crime: CrimeType,
    at: chrono::NaiveDateTime,
    lon: f64,
    lat: f64,
) -> Incident {
    let code = if lon < -1.08 {
        "E05000001"
    } else {
        "E05000002"
    };
    Incident {
        id,
        source: Source::Log,
        category: Category::of_type(crime),
        time: IncidentTime::at_local(at).unwrap(),
        location: Wgs84::new(lon, lat).unwrap(),
        lsoa: None,
        location_desc: None,
        ward: Some(WardAssignment {
            code: code.into(),
            by_tolerance: false,
        }),
        alcohol: None,
        victim_hash: None,
    }
}

/// Fridays and Saturdays of `month` 2017.
fn weekend_nights(month: u32) -> Vec<NaiveDate> {
    (1..=31)
        .filter_map(|d| NaiveDate::from_ymd_opt(2017, month, d))
        .filter(|d| matches!(d.weekday(), Weekday::Fri | Weekday::Sat))
        .collect()
}

fn city(version: u64) -> SnapshotInput {
    let mut rng = rand_pcg::Pcg64::seed_from_u64(20_171_231);
    let mut incidents = Vec::new();
    for i in 0..BACKGROUND {
        let day = NaiveDate::from_yo_opt(2017, rng.random_range(1..=365)).unwrap();
        let at = day
            .and_hms_opt(rng.random_range(0..24), rng.random_range(0..60), 0)
            .unwrap();
        let crime = if i % 5 == 0 {
            CrimeType::ViolenceAndSexualOffences
        } else {
            CrimeType::AntiSocialBehaviour
        };
        incidents.push(incident(
            format!("bg-{i}"),
            crime,
            at,
            rng.random_range(-1.0995..-1.0605),
            rng.random_range(50.7805..50.7995),
        ));
    }
    let centre = LatLng::new(PLANT.1, PLANT.0)
        .unwrap()
        .to_cell(Resolution::Nine);
    let disk: Vec<LatLng> = centre
        .grid_disk::<Vec<_>>(1)
        .into_iter()
        .map(LatLng::from)
        .collect();
    assert_eq!(disk.len(), PLANT_CELLS);
    for month in 1..=12 {
        let nights = weekend_nights(month);
        for (c, ll) in disk.iter().enumerate() {
            for j in 0..PLANT_PER_MONTH {
                let at = nights[j % nights.len()]
                    .and_hms_opt(23, 10 + j as u32, 0)
                    .unwrap();
                incidents.push(incident(
                    format!("plant-{month}-{c}-{j}"),
                    CrimeType::AntiSocialBehaviour,
                    at,
                    ll.lng() + 0.00002 * j as f64,
                    ll.lat(),
                ));
            }
        }
    }
    SnapshotInput {
        version,
        incidents,
        wards: vec![
            ward("E05000001", "Alpha", [-1.10, -1.08], Some(10_000)),
            ward("E05000002", "Beta", [-1.08, -1.06], None),
        ],
        venues: vec![Venue {
            id: "V1".into(),
            name: "The Anchor".into(),
            kind: VenueKind::Pub,
            location: Wgs84::new(PLANT.0, PLANT.1).unwrap(),
            opens: NaiveTime::from_hms_opt(11, 0, 0),
            closes: NaiveTime::from_hms_opt(1, 0, 0),
        }],
        cameras: vec![Camera {
            id: "C1".into(),
            location: Wgs84::new(-1.07, 50.79).unwrap(),
            radius_m: 100.0,
            kind: CameraKind::Fixed,
        }],
        ..SnapshotInput::default()
    }
}

fn planted_cell(resolution: Resolution) -> String {
    LatLng::new(PLANT.1, PLANT.0)
        .unwrap()
        .to_cell(resolution)
        .to_string()
}

fn state_with(config: ServerConfig) -> AppState {
    AppState::new(Snapshot::build(city(1)).unwrap(), config)
}

fn state() -> AppState {
    state_with(ServerConfig::default())
}

// ---------------------------------------------------------------------------------------------
// Requests.

async fn get_ok(app: &Router, uri: &str) -> Answer {
    let a = get(app, uri).await;
    assert_eq!(a.status, StatusCode::OK, "{uri}: {}", a.text());
    a
}

fn feature<'a>(fc: &'a Value, cell: &str) -> &'a Value {
    fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["cell"] == cell)
        .unwrap_or_else(|| panic!("no feature for cell {cell}"))
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

// ---------------------------------------------------------------------------------------------
// The four endpoints.

#[tokio::test]
async fn hotspots_find_the_planted_cluster() {
    let app = app(state());
    let a = get_ok(&app, "/api/hotspots").await;
    assert_eq!(a.header(header::CONTENT_TYPE), Some("application/geo+json"));
    let fc = a.json();
    assert_eq!(fc["type"], "FeatureCollection");
    let p = &fc["parameters"];
    assert_eq!(
        (
            &p["resolution"],
            &p["k"],
            &p["permutations"],
            &p["seed"],
            &p["fdr"],
            &p["inference"]
        ),
        (
            &json!(9),
            &json!(1),
            &json!(999),
            &json!(1),
            &json!(true),
            &json!("analytic")
        )
    );
    let total = (BACKGROUND + PLANTED) as f64;
    assert_eq!(fc["summary"]["selected"], json!(total));
    assert_eq!(fc["summary"]["total"], json!(total));
    let cell = planted_cell(Resolution::Nine);
    let f = feature(&fc, &cell);
    assert_eq!(f["geometry"]["type"], "Polygon");
    assert_eq!(
        keys(&f["properties"]),
        set(&[
            "cell",
            "count",
            "z",
            "p",
            "p_sim",
            "bin",
            "neighbours",
            "lisa",
            "lisa_p"
        ])
    );
    assert_eq!(f["properties"]["bin"], 3, "{f}");
    assert_eq!(f["properties"]["neighbours"], 7);
    assert!(f["properties"]["count"].as_f64().unwrap() >= (12 * PLANT_PER_MONTH) as f64);
    assert!(f["properties"]["z"].as_f64().unwrap() > 2.58);
    // Counts add up over the study area's cells.
    let sum: f64 = fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["count"].as_f64().unwrap())
        .sum();
    assert_eq!(sum, total);
    // bins follow the summary.
    let hot = fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["bin"] == 3)
        .count();
    assert_eq!(json!(hot), fc["summary"]["hot_99"]);

    // The night window keeps the cluster and drops most of the background.
    let nte = get_ok(&app, "/api/hotspots?preset=nte").await.json();
    assert_eq!(feature(&nte, &cell)["properties"]["bin"], 3);
    assert!(nte["summary"]["selected"].as_f64().unwrap() < total);
    assert!(nte["summary"]["selected"].as_f64().unwrap() >= PLANTED as f64);
    let fine = get_ok(&app, "/api/hotspots?resolution=10&k=2").await.json();
    assert_eq!(fine["parameters"]["resolution"], 10);
    assert_eq!(fine["parameters"]["k"], 2);
    assert_eq!(
        feature(&fine, &planted_cell(Resolution::Ten))["properties"]["neighbours"],
        19
    );
}

#[tokio::test]
async fn stats_rows_rates_and_cell_months() {
    let app = app(state());
    let a = get_ok(&app, "/api/stats?by=ward").await;
    assert_eq!(a.header(header::CONTENT_TYPE), Some("application/json"));
    let v = a.json();
    assert_eq!(v["parameters"]["by"], json!(["ward"]));
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let alpha = rows.iter().find(|r| r["ward"] == "E05000001").unwrap();
    let n = alpha["count"].as_f64().unwrap();
    assert_eq!(alpha["name"], "Alpha");
    assert_eq!(alpha["population"], 10_000);
    assert!((alpha["rate_per_1000"].as_f64().unwrap() - 1000.0 * n / 10_000.0).abs() < 1e-9);
    let beta = rows.iter().find(|r| r["ward"] == "E05000002").unwrap();
    assert_eq!(beta["population"], Value::Null);
    assert!(beta.get("rate_per_1000").is_none());
    assert_eq!(v["total"].as_f64().unwrap(), (BACKGROUND + PLANTED) as f64);

    // Months of one cell add up to that cell's count in the hot spot answer.
    let cell = planted_cell(Resolution::Ten);
    let hot = get_ok(&app, "/api/hotspots?resolution=10&preset=nte")
        .await
        .json();
    let count = feature(&hot, &cell)["properties"]["count"]
        .as_f64()
        .unwrap();
    let months = get_ok(&app, &format!("/api/stats?by=month&cell={cell}&preset=nte"))
        .await
        .json();
    let rows = months["rows"].as_array().unwrap();
    assert!(
        rows.iter().all(|r| keys(r) == set(&["month", "count"])),
        "{rows:?}"
    );
    let sum: f64 = rows.iter().map(|r| r["count"].as_f64().unwrap()).sum();
    assert_eq!(sum, count);
    assert_eq!(rows.len(), 12);

    // Repeated and comma-separated values mean the same.
    let a = get_ok(&app, "/api/stats?by=category&ward=Alpha&ward=Beta")
        .await
        .json();
    let b = get_ok(&app, "/api/stats?by=category&ward=E05000001,e05000002")
        .await
        .json();
    assert_eq!(a["rows"], b["rows"]);
    assert_eq!(a["parameters"]["wards"], b["parameters"]["wards"]);
    let asb = get_ok(&app, "/api/stats?category=asb&category=violence")
        .await
        .json();
    assert_eq!(asb["total"], v["total"]);
    let violence = get_ok(&app, "/api/stats?category=violence").await.json();
    assert_eq!(violence["total"], json!((BACKGROUND / 5) as f64));
}

#[tokio::test]
async fn emerging_and_density_answer_with_their_properties() {
    let app = app(state());
    let e = get_ok(&app, "/api/emerging").await;
    assert_eq!(e.header(header::CONTENT_TYPE), Some("application/geo+json"));
    let e = e.json();
    assert_eq!(e["parameters"]["step"], "month");
    assert_eq!(e["parameters"]["steps"].as_array().unwrap().len(), 12);
    assert_eq!(e["summary"]["steps"], 12);
    let f = feature(&e, &planted_cell(Resolution::Nine));
    assert_eq!(
        keys(&f["properties"]),
        set(&[
            "cell",
            "count",
            "pattern",
            "trend_z",
            "trend_p",
            "count_trend_z",
            "count_trend_p",
            "hot_steps",
            "cold_steps"
        ])
    );
    assert_eq!(f["properties"]["hot_steps"], 12, "{f}");
    assert!(
        f["properties"]["pattern"]
            .as_str()
            .unwrap()
            .ends_with("Hot Spot"),
        "{f}"
    );

    let d = get_ok(&app, "/api/density?bandwidth-m=200").await.json();
    assert_eq!(d["parameters"]["bandwidth_m"], 200.0);
    assert_eq!(d["parameters"]["unit"], "incidents per km²");
    let features = d["features"].as_array().unwrap();
    let densest = features
        .iter()
        .max_by(|a, b| {
            a["properties"]["density_km2"]
                .as_f64()
                .unwrap()
                .total_cmp(&b["properties"]["density_km2"].as_f64().unwrap())
        })
        .unwrap();
    // With a 200 m radius the seven planted cells are the densest; which one leads depends on
    // the background.
    let centre: h3o::CellIndex = planted_cell(Resolution::Nine).parse().unwrap();
    let disk: Vec<String> = centre
        .grid_disk::<Vec<_>>(1)
        .iter()
        .map(ToString::to_string)
        .collect();
    let densest_cell = densest["properties"]["cell"].as_str().unwrap();
    assert!(disk.iter().any(|c| c == densest_cell), "{densest}");
    assert_eq!(
        d["summary"]["max_density_km2"],
        densest["properties"]["density_km2"]
    );
    let grid = get_ok(&app, "/api/density?cell-m=250&format=json")
        .await
        .json();
    assert_eq!(grid["parameters"]["cell_m"], 250.0);
    assert!(grid["places"][0].get("easting_m").is_some());
}

#[tokio::test]
async fn formats_json_and_csv() {
    let app = app(state());
    let cell = planted_cell(Resolution::Nine);
    let j = get_ok(&app, "/api/hotspots?format=json").await;
    assert_eq!(j.header(header::CONTENT_TYPE), Some("application/json"));
    let j = j.json();
    assert!(j.get("features").is_none());
    let row = j["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["cell"] == cell)
        .unwrap();
    assert_eq!(row["bin"], 3);

    let c = get_ok(&app, "/api/hotspots?format=csv").await;
    assert_eq!(
        c.header(header::CONTENT_TYPE),
        Some("text/csv; charset=utf-8")
    );
    let text = c.text();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("cell,lat,lon,count,z,p,p_sim,bin,neighbours,lisa,lisa_p")
    );
    let line = lines.find(|l| l.starts_with(&cell)).unwrap();
    assert_eq!(line.split(',').nth(7), Some("3"));
    assert_eq!(
        text.lines().count(),
        j["cells"].as_array().unwrap().len() + 1
    );

    let s = get_ok(&app, "/api/stats?by=ward&format=csv").await;
    assert_eq!(
        s.header(header::CONTENT_TYPE),
        Some("text/csv; charset=utf-8")
    );
    assert_eq!(
        s.text().lines().next(),
        Some("name,population,ward,rate_per_1000,count")
    );
    assert!(
        s.text().contains("\nAlpha,10000,E05000001,"),
        "{}",
        s.text()
    );
    let e = get_ok(&app, "/api/emerging?format=csv").await.text();
    assert!(e.starts_with("cell,lat,lon,count,pattern,"));
    let d = get_ok(&app, "/api/density?format=csv").await.text();
    assert!(d.starts_with("cell,lat,lon,count,density_km2\n"));
}

#[tokio::test]
async fn bad_parameters_are_400s_naming_them() {
    let app = app(state());
    for (uri, parameter, mentions) in [
        ("/api/hotspots?resolution=12", "resolution", "7–11"),
        ("/api/hotspots?k=4", "k", "1 to 3"),
        ("/api/hotspots?from=2024-13", "from", "2024-13"),
        ("/api/stats?from=2024-13", "from", "2024-13"),
        (
            "/api/hotspots?ward=Nowhere",
            "ward",
            "Alpha (E05000001), Beta (E05000002)",
        ),
        ("/api/density?ward=Nowhere", "ward", "known wards"),
        (
            "/api/hotspots?colour=red",
            "colour",
            "accepted here: from, to",
        ),
        ("/api/stats?resolution=9", "resolution", "unknown parameter"),
        ("/api/stats?format=geojson", "format", "json, csv"),
        ("/api/hotspots?format=html", "format", "geojson, json, csv"),
        ("/api/hotspots?k=1&k=2", "k", "given 2 times"),
        (
            "/api/emerging?permutations=99",
            "permutations",
            "do not apply",
        ),
        (
            "/api/hotspots?inference=permutation&permutations=0",
            "inference",
            "permutations > 0",
        ),
        ("/api/density?bandwidth-m=1", "bandwidth-m", "metres"),
        ("/api/stats?by=colour", "by", "weekday"),
        ("/api/hotspots?hours=25:00-26:00", "hours", ""),
    ] {
        let a = get(&app, uri).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{uri}: {}", a.text());
        assert_eq!(a.header(header::CONTENT_TYPE), Some("application/json"));
        assert!(
            a.header(header::ETAG).is_none(),
            "{uri}: errors are not tagged"
        );
        let v = a.json();
        assert_eq!(v["code"], "bad_parameter", "{uri}");
        assert_eq!(v["parameter"], parameter, "{uri}: {v}");
        assert!(
            v["description"].as_str().unwrap().contains(mentions),
            "{uri}: {v}"
        );
    }
    // An empty selection says why, as a 400 without a parameter.
    let a = get(&app, "/api/hotspots?from=2019-01&to=2019-02").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let v = a.json();
    assert!(v.get("parameter").is_none(), "{v}");
    assert!(
        v["description"]
            .as_str()
            .unwrap()
            .contains("no incidents match"),
        "{v}"
    );
    // An empty category is no filter.
    let all = get_ok(&app, "/api/stats").await.json();
    let empty = get_ok(&app, "/api/stats?category=").await.json();
    assert_eq!(all["total"], empty["total"]);
}

// ---------------------------------------------------------------------------------------------
// Caching.

#[tokio::test]
async fn api_answers_carry_etags_and_revalidate() {
    let state = state();
    let app = app(state.clone());
    let uri = "/api/hotspots?preset=nte&ward=Alpha";
    let a = get_ok(&app, uri).await;
    let tag = a.header(header::ETAG).unwrap().to_owned();
    assert!(tag.starts_with("W/\"1-"), "{tag}");
    assert_eq!(a.header(header::CACHE_CONTROL), Some("no-cache"));
    let again = send(
        &app,
        Request::get(uri)
            .header(header::IF_NONE_MATCH, &tag)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    // Another parameter set has another tag.
    let other = get_ok(&app, "/api/hotspots?preset=nte").await;
    assert_ne!(other.header(header::ETAG), Some(tag.as_str()));
    // A new snapshot: the old tag no longer matches.
    state.replace(Snapshot::build(city(2)).unwrap());
    let after = send(
        &app,
        Request::get(uri)
            .header(header::IF_NONE_MATCH, &tag)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(after.status, StatusCode::OK);
    assert!(after.header(header::ETAG).unwrap().starts_with("W/\"2-"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_analysis_is_computed_once_and_shared() {
    let state = state();
    let app = app(state.clone());
    let cache = || state.analyses();
    assert_eq!(cache().runs(), 0);

    // Eight identical requests at once: one run.
    let uri = "/api/hotspots?preset=nte&ward=Alpha";
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let app = app.clone();
            tokio::spawn(async move { get(&app, uri).await.status })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }
    assert_eq!(cache().runs(), 1);

    // Other spellings of the same request, other formats, and the OGC collection share it.
    for uri in [
        "/api/hotspots?ward=E05000001&preset=nte",
        "/api/hotspots?ward=alpha&preset=nte&format=csv",
        "/api/hotspots?preset=nte&ward=Alpha&resolution=9&k=1&format=json",
        "/ogc/collections/hotspots/items?preset=nte&ward=Alpha&limit=2",
        "/ogc/collections/hotspots/items?preset=nte&ward=Alpha&limit=2&offset=2",
    ] {
        get_ok(&app, uri).await;
    }
    assert_eq!(cache().runs(), 1);
    assert_eq!(cache().len(), 1);

    // A different request is a new run; errors are cached too.
    get_ok(&app, "/api/hotspots?preset=nte").await;
    assert_eq!(cache().runs(), 2);
    for _ in 0..2 {
        assert_eq!(
            get(&app, "/api/hotspots?from=2019-01").await.status,
            StatusCode::BAD_REQUEST
        );
    }
    assert_eq!(cache().runs(), 3);
    // A bad parameter never reaches the cache.
    get(&app, "/api/hotspots?k=9").await;
    assert_eq!(cache().runs(), 3);

    // A new snapshot drops the old entries and computes afresh.
    state.replace(Snapshot::build(city(2)).unwrap());
    get_ok(&app, uri).await;
    assert_eq!(cache().runs(), 4);
    assert_eq!(cache().len(), 1);
}

#[tokio::test]
async fn the_cache_is_bounded() {
    let state = state_with(ServerConfig {
        analysis_cache_entries: 2,
        ..ServerConfig::default()
    });
    let app = app(state.clone());
    for k in 1..=3 {
        get_ok(&app, &format!("/api/hotspots?k={k}&permutations=0")).await;
    }
    assert_eq!((state.analyses().runs(), state.analyses().len()), (3, 2));
    // k=1 was evicted (least recently used); k=3 was not.
    get_ok(&app, "/api/hotspots?k=3&permutations=0").await;
    assert_eq!(state.analyses().runs(), 3);
    get_ok(&app, "/api/hotspots?k=1&permutations=0").await;
    assert_eq!(state.analyses().runs(), 4);
}

// ---------------------------------------------------------------------------------------------
// OGC analysis collections.

#[tokio::test]
async fn hotspot_and_emerging_collections_page_the_analysis() {
    let app = app(state());
    let api = get_ok(&app, "/api/hotspots?preset=nte").await.json();
    let n = api["features"].as_array().unwrap().len();
    let page = get_ok(&app, "/ogc/collections/hotspots/items?preset=nte&limit=5").await;
    assert_eq!(
        page.header(header::CONTENT_TYPE),
        Some("application/geo+json")
    );
    let page = page.json();
    assert_eq!(page["numberMatched"], n);
    assert_eq!(page["numberReturned"], 5);
    assert_eq!(page["features"][0], api["features"][0]);
    let next = page["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "next")
        .unwrap()["href"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        next.contains("offset=5") && next.contains("preset=nte"),
        "{next}"
    );
    let path = next.strip_prefix("http://localhost").unwrap();
    let second = get_ok(&app, path).await.json();
    assert_eq!(second["features"][0], api["features"][5]);

    // One cell by id, with its analysis parameters.
    let cell = planted_cell(Resolution::Nine);
    let f = get_ok(
        &app,
        &format!("/ogc/collections/hotspots/items/{cell}?preset=nte"),
    )
    .await
    .json();
    assert_eq!(f["properties"]["bin"], 3);
    assert!(
        f["links"][0]["href"]
            .as_str()
            .unwrap()
            .ends_with("?preset=nte")
    );
    let missing = get(&app, "/ogc/collections/hotspots/items/89195da49b7ffff").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json()["parameter"], "featureId");

    // bbox keeps the cells whose hexagon meets the box.
    let b = PLANT;
    let boxed = get_ok(
        &app,
        &format!(
            "/ogc/collections/hotspots/items?bbox={},{},{},{}",
            b.0 - 0.0001,
            b.1 - 0.0001,
            b.0 + 0.0001,
            b.1 + 0.0001
        ),
    )
    .await
    .json();
    let ids: Vec<&str> = boxed["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&cell.as_str()), "{ids:?}");
    assert!(ids.len() <= 3, "{ids:?}");

    let e = get_ok(&app, "/ogc/collections/emerging/items?limit=10000")
        .await
        .json();
    let api = get_ok(&app, "/api/emerging").await.json();
    assert_eq!(e["features"], api["features"]);

    for (uri, parameter) in [
        (
            "/ogc/collections/hotspots/items?datetime=2017-06-01T00:00:00Z",
            "datetime",
        ),
        ("/ogc/collections/hotspots/items?colour=red", "colour"),
        ("/ogc/collections/hotspots/items?k=4", "k"),
        ("/ogc/collections/emerging/items?limit=0", "limit"),
        ("/ogc/collections/wards/items?preset=nte", "preset"),
    ] {
        let a = get(&app, uri).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(a.json()["parameter"], parameter, "{uri}");
    }
}

// ---------------------------------------------------------------------------------------------
// The map page's files.

fn web_fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let web = dir.path().join("web");
    std::fs::create_dir_all(web.join("node_modules/leaflet/dist/images")).unwrap();
    std::fs::write(web.join("index.html"), "<!doctype html><title>map</title>").unwrap();
    std::fs::write(web.join("app.js"), "export const x = 1;\n").unwrap();
    std::fs::write(web.join("style.css"), "body { margin: 0 }\n").unwrap();
    std::fs::write(web.join("secret.toml"), "token = 1\n").unwrap();
    std::fs::write(web.join("node_modules/leaflet/package.json"), "{}").unwrap();
    std::fs::write(web.join("node_modules/leaflet/dist/leaflet.js"), "/* L */").unwrap();
    std::fs::write(
        web.join("node_modules/leaflet/dist/images/marker.png"),
        [0x89, b'P', b'N', b'G'],
    )
    .unwrap();
    std::fs::write(dir.path().join("outside.js"), "/* outside */").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("outside.js"), web.join("escape.js")).unwrap();
    dir
}

fn web_app(web_dir: std::path::PathBuf) -> Router {
    app(state_with(ServerConfig {
        web_dir,
        ..ServerConfig::default()
    }))
}

#[tokio::test]
async fn static_files_with_types_and_no_escape() {
    let dir = web_fixture();
    let app = web_app(dir.path().join("web"));
    for (uri, media_type, body) in [
        (
            "/",
            "text/html; charset=utf-8",
            "<!doctype html><title>map</title>",
        ),
        ("/web/app.js", "text/javascript", "export const x = 1;\n"),
        ("/web/style.css", "text/css", "body { margin: 0 }\n"),
        ("/vendor/leaflet/leaflet.js", "text/javascript", "/* L */"),
    ] {
        let a = get_ok(&app, uri).await;
        assert_eq!(a.header(header::CONTENT_TYPE), Some(media_type), "{uri}");
        assert_eq!(a.text(), body, "{uri}");
        assert_eq!(a.header(header::CACHE_CONTROL), Some("no-cache"));
    }
    let png = get_ok(&app, "/vendor/leaflet/images/marker.png").await;
    assert_eq!(png.header(header::CONTENT_TYPE), Some("image/png"));
    assert_eq!(&png.body[..], &[0x89, b'P', b'N', b'G']);

    for uri in [
        "/web/../Cargo.toml",
        "/web/%2e%2e/Cargo.toml",
        "/web/..%2FCargo.toml",
        "/web/node_modules/leaflet/dist/leaflet.js",
        "/web/secret.toml",
        "/web/nope.js",
        "/web/escape.js",
        "/vendor/leaflet/../package.json",
        "/vendor/leaflet/%2e%2e/package.json",
    ] {
        let a = get(&app, uri).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{uri}: {}", a.text());
        assert_eq!(a.json()["code"], "not_found", "{uri}");
    }
}

#[tokio::test]
async fn static_files_revalidate_by_content() {
    let dir = web_fixture();
    let app = web_app(dir.path().join("web"));
    let a = get_ok(&app, "/web/app.js").await;
    let tag = a.header(header::ETAG).unwrap().to_owned();
    let cached = send(
        &app,
        Request::get("/web/app.js")
            .header(header::IF_NONE_MATCH, &tag)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(cached.status, StatusCode::NOT_MODIFIED);
    std::fs::write(dir.path().join("web/app.js"), "export const x = 2;\n").unwrap();
    let changed = send(
        &app,
        Request::get("/web/app.js")
            .header(header::IF_NONE_MATCH, &tag)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(changed.status, StatusCode::OK);
    assert_ne!(changed.header(header::ETAG), Some(tag.as_str()));
}

#[tokio::test]
async fn missing_leaflet_says_to_run_npm_ci() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "<html></html>").unwrap();
    let app = web_app(dir.path().to_path_buf());
    let a = get(&app, "/vendor/leaflet/leaflet.js").await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let v = a.json();
    assert!(v["description"].as_str().unwrap().contains("npm ci"), "{v}");
}

#[tokio::test]
async fn the_real_page_is_served() {
    let app = app(state());
    let page = get_ok(&app, "/").await.text();
    assert!(page.contains("/web/app.js") && page.contains("/vendor/leaflet/leaflet.js"));
    let js = get_ok(&app, "/web/app.js").await;
    assert_eq!(js.header(header::CONTENT_TYPE), Some("text/javascript"));
}

// ---------------------------------------------------------------------------------------------
// Tiles.

use hotspot::tiles::TileCoord;

fn tile_at(lon: f64, lat: f64, z: u32) -> TileCoord {
    TileCoord::containing(lon, lat, z).unwrap()
}

fn tile_uri(layer: &str, t: TileCoord, ext: &str, query: &str) -> String {
    format!("/tiles/{layer}/{}/{}/{}.{ext}{query}", t.z(), t.x(), t.y())
}

#[tokio::test]
async fn ward_tiles_hold_the_wards_they_meet() {
    let state = state();
    let app = app(state.clone());
    // A zoom-14 tile on the boundary between the wards holds both; one far away holds none.
    let t = tile_at(-1.08, 50.79, 14);
    let a = get_ok(&app, &tile_uri("wards", t, "geojson", "")).await;
    assert_eq!(a.header(header::CONTENT_TYPE), Some("application/geo+json"));
    assert!(a.header(header::ETAG).is_some());
    let fc = a.json();
    let mut codes: Vec<&str> = fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["code"].as_str().unwrap())
        .collect();
    codes.sort_unstable();
    assert_eq!(codes, ["E05000001", "E05000002"]);
    let alpha = fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["code"] == "E05000001")
        .unwrap();
    assert_eq!(alpha["properties"]["population"], 10_000);
    let inside = tile_at(-1.095, 50.79, 16);
    let one = get_ok(&app, &tile_uri("wards", inside, "geojson", ""))
        .await
        .json();
    assert_eq!(one["features"].as_array().unwrap().len(), 1);

    let mvt = get_ok(&app, &tile_uri("wards", t, "mvt", "")).await;
    assert_eq!(
        mvt.header(header::CONTENT_TYPE),
        Some("application/vnd.mapbox-vector-tile")
    );
    assert!(mvt.body.windows(5).any(|w| w == b"wards"));
    assert!(mvt.body.windows(9).any(|w| w == b"E05000001"));

    // Empty: 204 for MVT, an empty FeatureCollection for GeoJSON.
    let far = TileCoord::new_checked(14, 0, 0).unwrap();
    let empty = get(&app, &tile_uri("wards", far, "mvt", "")).await;
    assert_eq!(empty.status, StatusCode::NO_CONTENT);
    assert!(empty.body.is_empty());
    let empty = get_ok(&app, &tile_uri("wards", far, "geojson", ""))
        .await
        .json();
    assert_eq!(empty, json!({"type": "FeatureCollection", "features": []}));

    // The ward source was built once for all these tiles.
    assert_eq!(state.tile_sources().builds(), 1);
    for (layer, key, value) in [("venues", "name", "The Anchor"), ("cameras", "id", "C1")] {
        let (lon, lat) = if layer == "venues" {
            PLANT
        } else {
            (-1.07, 50.79)
        };
        let fc = get_ok(&app, &tile_uri(layer, tile_at(lon, lat, 15), "geojson", ""))
            .await
            .json();
        assert_eq!(fc["features"][0]["properties"][key], value, "{layer}");
    }
}

#[tokio::test]
async fn incident_tiles_cluster_at_low_zoom_and_follow_the_window() {
    let app = app(state());
    let total = (BACKGROUND + PLANTED) as f64;
    let sum = |fc: &Value| -> f64 {
        fc["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                if f["properties"]["cluster"] == true {
                    f["properties"]["count"].as_f64().unwrap()
                } else {
                    1.0
                }
            })
            .sum()
    };
    // At zoom 10 the city is in one tile, as clusters holding every incident.
    let t = tile_at(-1.08, 50.79, 10);
    let fc = get_ok(&app, &tile_uri("incidents", t, "geojson", ""))
        .await
        .json();
    assert!(fc["features"].as_array().unwrap().len() < 100);
    assert!(
        fc["features"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["properties"]["cluster"] == true)
    );
    assert_eq!(sum(&fc), total);
    // The window selects the points.
    let nte = get_ok(&app, &tile_uri("incidents", t, "geojson", "?preset=nte"))
        .await
        .json();
    let nte_total = get_ok(&app, "/api/stats?preset=nte").await.json()["total"]
        .as_f64()
        .unwrap();
    assert_eq!(sum(&nte), nte_total);
    assert!(nte_total < total);
    // At street zoom, points one by one with their properties, except that the planted
    // incidents of the twelve months at one position are one stack.
    let street = tile_at(PLANT.0, PLANT.1, 17);
    let fc = get_ok(&app, &tile_uri("incidents", street, "geojson", ""))
        .await
        .json();
    let features = fc["features"].as_array().unwrap();
    assert!(
        features
            .iter()
            .all(|f| f["geometry"]["type"] == "Point" && f["properties"]["cluster"].is_null())
    );
    let f = features
        .iter()
        .find(|f| f["properties"]["stack"] == true)
        .unwrap();
    assert_eq!(
        f["properties"],
        json!({"stack": true, "count": 12, "groups": "asb:12", "first_month": "2017-01",
               "last_month": "2017-12", "weight": 12.0})
    );
    let f = features
        .iter()
        .find(|f| f["properties"]["stack"].is_null())
        .unwrap();
    assert!(f["properties"]["id"].as_str().unwrap().starts_with("bg-"));
    assert!(f["properties"]["crime_type"].is_string());

    // Cells: counts per H3 cell.
    let cells = get_ok(
        &app,
        &tile_uri(
            "cells",
            tile_at(PLANT.0, PLANT.1, 15),
            "geojson",
            "?resolution=9",
        ),
    )
    .await
    .json();
    let planted = cells["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["cell"] == planted_cell(Resolution::Nine))
        .unwrap();
    assert!(planted["properties"]["count"].as_f64().unwrap() >= (PLANT_PER_MONTH * 12) as f64);
}

#[tokio::test]
async fn analysis_tiles_share_the_analysis_cache() {
    let state = state();
    let app = app(state.clone());
    get_ok(&app, "/api/hotspots?preset=nte").await;
    assert_eq!(state.analyses().runs(), 1);
    let t = tile_at(PLANT.0, PLANT.1, 15);
    let fc = get_ok(&app, &tile_uri("hotspots", t, "geojson", "?preset=nte"))
        .await
        .json();
    let cell = planted_cell(Resolution::Nine);
    let f = fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["cell"] == cell)
        .unwrap();
    assert_eq!(f["properties"]["bin"], 3);
    let id: h3o::CellIndex = cell.parse().unwrap();
    assert_eq!(f["id"], u64::from(id));
    get_ok(&app, &tile_uri("hotspots", t, "mvt", "?preset=nte")).await;
    assert_eq!(state.analyses().runs(), 1, "tiles reuse the API's analysis");
    get_ok(&app, &tile_uri("emerging", t, "geojson", "")).await;
    get_ok(&app, &tile_uri("density", t, "geojson", "?bandwidth-m=300")).await;
    assert_eq!(state.analyses().runs(), 3);
    // The tile carries an ETag and revalidates.
    let uri = tile_uri("hotspots", t, "mvt", "?preset=nte");
    let tag = get_ok(&app, &uri)
        .await
        .header(header::ETAG)
        .unwrap()
        .to_owned();
    let again = send(
        &app,
        Request::get(&uri)
            .header(header::IF_NONE_MATCH, &tag)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn tilejson_describes_each_layer() {
    let app = app(state());
    let doc = get_ok(&app, "/tiles/hotspots.json?preset=nte&resolution=9").await;
    assert_eq!(doc.header(header::CONTENT_TYPE), Some("application/json"));
    let doc = doc.json();
    assert_eq!(doc["tilejson"], "3.0.0");
    assert_eq!(
        doc["tiles"][0],
        "http://localhost/tiles/hotspots/{z}/{x}/{y}.mvt?preset=nte&resolution=9"
    );
    let layer = &doc["vector_layers"][0];
    assert_eq!(layer["id"], "hotspots");
    for field in ["cell", "count", "z", "p", "bin", "neighbours"] {
        assert!(layer["fields"].get(field).is_some(), "{field}: {layer}");
    }
    let b = doc["bounds"].as_array().unwrap();
    assert!(
        b[0].as_f64().unwrap() < -1.09 && b[2].as_f64().unwrap() > -1.07,
        "{b:?}"
    );
    let g = get_ok(&app, "/tiles/wards.json?format=geojson")
        .await
        .json();
    assert_eq!(
        g["tiles"][0],
        "http://localhost/tiles/wards/{z}/{x}/{y}.geojson"
    );
    let c = get_ok(&app, "/tiles/cameras.json").await.json();
    assert_eq!(c["vector_layers"][0]["id"], "cameras");
    for layer in ["incidents", "cells", "emerging", "density", "venues"] {
        let d = get_ok(&app, &format!("/tiles/{layer}.json")).await.json();
        assert_eq!(d["vector_layers"][0]["id"], layer);
    }
}

#[tokio::test]
async fn tile_errors_name_what_is_wrong() {
    let app = app(state());
    for (uri, status, parameter) in [
        ("/tiles/nope/1/0/0.mvt", StatusCode::NOT_FOUND, "layer"),
        ("/tiles/nope.json", StatusCode::NOT_FOUND, "layer"),
        ("/tiles/wards", StatusCode::NOT_FOUND, "layer"),
        ("/tiles/wards/23/0/0.mvt", StatusCode::NOT_FOUND, "z"),
        ("/tiles/wards/2/4/0.mvt", StatusCode::NOT_FOUND, "x"),
        ("/tiles/wards/2/0/4.mvt", StatusCode::NOT_FOUND, "y"),
        ("/tiles/wards/2/0/0.png", StatusCode::NOT_FOUND, "y"),
        ("/tiles/wards/a/0/0.mvt", StatusCode::NOT_FOUND, "z"),
        ("/tiles/wards/1/0/0.mvt?k=2", StatusCode::BAD_REQUEST, "k"),
        (
            "/tiles/hotspots/1/0/0.mvt?k=4",
            StatusCode::BAD_REQUEST,
            "k",
        ),
        (
            "/tiles/incidents/1/0/0.mvt?resolution=9",
            StatusCode::BAD_REQUEST,
            "resolution",
        ),
        (
            "/tiles/incidents/1/0/0.mvt?ward=Nowhere",
            StatusCode::BAD_REQUEST,
            "ward",
        ),
        (
            "/tiles/cells/1/0/0.mvt?resolution=auto",
            StatusCode::BAD_REQUEST,
            "resolution",
        ),
        (
            "/tiles/wards.json?format=png",
            StatusCode::BAD_REQUEST,
            "format",
        ),
    ] {
        let a = get(&app, uri).await;
        assert_eq!(a.status, status, "{uri}: {}", a.text());
        assert_eq!(a.json()["parameter"], parameter, "{uri}");
    }
    let v = get(&app, "/tiles/wards/1/0/0.mvt?k=2").await.json();
    assert!(
        v["description"]
            .as_str()
            .unwrap()
            .contains("the wards layer takes no analysis parameters"),
        "{v}"
    );
    let v = get(&app, "/tiles/nope/1/0/0.mvt").await.json();
    assert!(
        v["description"]
            .as_str()
            .unwrap()
            .contains("incidents, cells, hotspots"),
        "{v}"
    );
}

// ---------------------------------------------------------------------------------------------
// The event calendar.

#[tokio::test]
async fn calendar_events_uses_the_servers_calendar() {
    let event_days: Vec<NaiveDate> = weekend_nights(3);
    let expected = city(1)
        .incidents
        .iter()
        .filter(|i| match &i.time {
            IncidentTime::At { at } => {
                event_days.contains(&hotspot::domain::utc_to_london(*at).date())
            }
            other => panic!("the city has instants only: {other:?}"),
        })
        .count();
    assert!(expected >= PLANT_CELLS * PLANT_PER_MONTH);
    let calendar =
        hotspot::time::EventCalendar::from_days(event_days.iter().map(|d| (*d, "Match day")));
    let with = app(state_with(
        ServerConfig::default().with_events(Some(calendar)),
    ));
    let v = get_ok(&with, "/api/stats?calendar=events").await.json();
    assert_eq!(v["total"], json!(expected as f64));

    let without = app(state());
    let a = get(&without, "/api/stats?calendar=events").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.json()["parameter"], "calendar");
}

// ---------------------------------------------------------------------------------------------
// The API answers exactly what the library computes (the CLI's path), for every endpoint:
// the same bytes (compared as text: serde_json's default float parser may be off by one ulp).

#[tokio::test]
async fn api_answers_equal_the_library() {
    use hotspot::query::{
        DensityRequest, EmergingRequest, HotspotRequest, ParamBag, StatsRequest, run_density,
        run_emerging, run_hotspots, run_stats,
    };
    let snap = Snapshot::build(city(1)).unwrap();
    let app = app(state());
    let pairs = [
        ("preset", "nte"),
        ("ward", "Alpha,Beta"),
        ("category", "asb"),
    ];
    let query = serde_urlencoded::to_string(pairs).unwrap();
    let bag = || ParamBag::new(pairs).unwrap();

    let r = HotspotRequest::from_params(&mut bag(), &snap, None).unwrap();
    let lib = run_hotspots(&snap, &r).unwrap();
    let api = get_ok(&app, &format!("/api/hotspots?{query}")).await.text();
    assert_eq!(api, serde_json::to_string(&lib.geojson(&snap)).unwrap());
    let csv = get_ok(&app, &format!("/api/hotspots?{query}&format=csv"))
        .await
        .text();
    assert_eq!(csv, lib.csv());

    let r = EmergingRequest::from_params(&mut bag(), &snap, None).unwrap();
    let lib = run_emerging(&snap, &r).unwrap();
    let api = get_ok(&app, &format!("/api/emerging?{query}&format=json"))
        .await
        .text();
    assert_eq!(api, serde_json::to_string(&lib.json(&snap)).unwrap());

    let r = DensityRequest::from_params(&mut bag(), &snap, None).unwrap();
    let lib = run_density(&snap, &r).unwrap();
    let api = get_ok(&app, &format!("/api/density?{query}")).await.text();
    assert_eq!(api, serde_json::to_string(&lib.geojson(&snap)).unwrap());

    let mut b = bag();
    let r = StatsRequest::from_params(&mut b, &snap, None).unwrap();
    let lib = run_stats(&snap, &r).unwrap();
    let api = get_ok(&app, &format!("/api/stats?{query}")).await.text();
    assert_eq!(api, serde_json::to_string(&lib.json(&snap)).unwrap());
}

#[tokio::test]
async fn served_tiles_are_kept_and_a_new_snapshot_is_not_served_stale_tiles() {
    let state = state();
    let app = app(state.clone());
    let t = tile_at(PLANT.0, PLANT.1, 14);
    let uri = tile_uri("hotspots", t, "mvt", "?preset=nte");
    let first = get_ok(&app, &uri).await;
    assert_eq!(state.tile_cache().hits(), 0);
    let second = get_ok(&app, &uri).await;
    assert_eq!(state.tile_cache().hits(), 1);
    assert_eq!(first.body, second.body);
    // Another query is another tile.
    get_ok(&app, &tile_uri("hotspots", t, "mvt", "?preset=daytime")).await;
    assert_eq!(state.tile_cache().hits(), 1);
    // A new snapshot version is never answered from tiles of the old one.
    let snap = state.snapshot();
    let next = hotspot::index::Snapshot::build(hotspot::index::SnapshotInput {
        version: snap.version() + 1,
        wards: snap.wards.clone(),
        ..Default::default()
    })
    .unwrap();
    state.replace(next);
    let empty = get(&app, &uri).await;
    assert_ne!(
        empty.status,
        StatusCode::OK,
        "no incidents, no hot spots: {}",
        empty.text()
    );
    assert_eq!(state.tile_cache().hits(), 1);
}

/// Street-zoom incident tiles stack the incidents at one position: checked against a
/// brute-force recount of the snapshot's rows in the buffered tile.
#[tokio::test]
async fn street_tiles_stack_incidents_at_one_position() {
    use hotspot::tiles::clip::contains;
    use hotspot::tiles::lonlat_to_mercator;

    // Five incidents of two groups exactly at PLANT (no planted incident is there).
    let mut input = city(1);
    let crimes = [
        (CrimeType::ViolenceAndSexualOffences, 2),
        (CrimeType::PublicOrder, 3),
        (CrimeType::ViolenceAndSexualOffences, 5),
        (CrimeType::PublicOrder, 4),
        (CrimeType::Robbery, 9),
    ];
    for (k, (crime, month)) in crimes.into_iter().enumerate() {
        let at = NaiveDate::from_ymd_opt(2017, month, 10)
            .unwrap()
            .and_hms_opt(22, 0, 0)
            .unwrap();
        input
            .incidents
            .push(incident(format!("stack-{k}"), crime, at, PLANT.0, PLANT.1));
    }
    let state = AppState::new(Snapshot::build(input).unwrap(), ServerConfig::default());
    let snap = state.snapshot();
    let inc = &snap.incidents;
    let app = app(state.clone());
    for z in [15, 16, 18] {
        let t = tile_at(PLANT.0, PLANT.1, z);
        let tr = t.transform();
        let window = Rect::new(
            coord! { x: -64.0, y: -64.0 },
            coord! { x: 4160.0, y: 4160.0 },
        );
        let in_tile: Vec<usize> = (0..inc.id.len())
            .filter(|&r| {
                let [x, y] = inc.lonlat[r];
                contains(&window, tr.to_px(lonlat_to_mercator(coord! { x: x, y: y })))
            })
            .collect();
        let fc = get_ok(&app, &tile_uri("incidents", t, "geojson", ""))
            .await
            .json();
        let features = fc["features"].as_array().unwrap();
        let mut total = 0;
        let mut ids = BTreeSet::new();
        for f in features {
            let p = &f["properties"];
            assert!(p["cluster"].is_null(), "z{z}: no clusters at street zoom");
            let row = usize::try_from(f["id"].as_u64().unwrap()).unwrap();
            assert!(ids.insert(row), "z{z}: ids unique");
            let members: Vec<usize> = in_tile
                .iter()
                .copied()
                .filter(|&r| inc.lonlat[r] == inc.lonlat[row])
                .collect();
            assert_eq!(members.iter().min(), Some(&row), "id is the smallest row");
            total += members.len();
            if members.len() == 1 {
                assert!(p["stack"].is_null());
                assert_eq!(p["id"], inc.id[row].as_str());
                assert_eq!(p["group"], inc.group[row].slug());
                continue;
            }
            assert_eq!(p["stack"], true);
            assert_eq!(p["count"], members.len());
            let mut tally: std::collections::BTreeMap<&str, usize> = Default::default();
            for &m in &members {
                *tally.entry(inc.group[m].slug()).or_default() += 1;
            }
            let mut ranked: Vec<(&str, usize)> = tally.into_iter().collect();
            ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            let groups: Vec<String> = ranked.iter().map(|(g, n)| format!("{g}:{n}")).collect();
            assert_eq!(p["groups"], groups.join(","));
            let months = members.iter().map(|&m| inc.month[m].to_string());
            assert_eq!(p["first_month"], months.clone().min().unwrap());
            assert_eq!(p["last_month"], months.max().unwrap());
            assert_eq!(p["weight"], members.len() as f64);
        }
        assert_eq!(total, in_tile.len(), "z{z}: counts add up to the incidents");
        // The five at PLANT, as a practitioner reads them.
        let at_plant = features
            .iter()
            .find(|f| f["properties"]["count"] == 5)
            .unwrap();
        assert_eq!(
            at_plant["properties"],
            json!({"stack": true, "count": 5, "groups": "violence:3,public-order:2",
                   "first_month": "2017-02", "last_month": "2017-09", "weight": 5.0})
        );
        let mvt = get_ok(&app, &tile_uri("incidents", t, "mvt", "")).await;
        assert!(
            mvt.body
                .windows(25)
                .any(|w| w == b"violence:3,public-order:2")
        );
    }
    // TileJSON advertises the stacks' properties.
    let doc = get_ok(&app, "/tiles/incidents.json").await.json();
    let fields = &doc["vector_layers"][0]["fields"];
    assert_eq!(fields["stack"], "Boolean");
    assert_eq!(fields["groups"], "String");
    assert_eq!(fields["first_month"], "String");
}
