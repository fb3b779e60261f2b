//! The Purple Flag scorecard against an independent recount: seeded random incidents with
//! known local times, a non-convex drawn polygon, point in polygon by ray casting on the
//! projected vertices and the Friday/Saturday 17:00–05:00 rule computed here from the local
//! wall-clock times the incidents were made from. Also % change and rates by hand, the
//! area-weighted residents, the coverage figures, the output formats, and bad parameters as a
//! 400 over HTTP and exit code 2 on the CLI.

mod common;

use std::process::Command;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use geo::{MultiPolygon, Rect, coord};
use hotspot::domain::{
    Category, CrimeType, Group, Incident, IncidentTime, Month, Source, Venue, VenueKind, Ward,
    WardAssignment, Wgs84, london_to_utc,
};
use hotspot::index::{Snapshot, SnapshotInput};
use hotspot::query::{ParamBag, PurpleFlagRequest, change_pct, parse_polygon, run_purple_flag};
use hotspot::server::{AppState, ServerConfig, app};
use rand::{Rng, SeedableRng};
use serde_json::Value;
use tower::ServiceExt;

const WARD_A: [f64; 2] = [-1.10, -1.08];
const WARD_B: [f64; 2] = [-1.08, -1.06];
const POP_A: u32 = 10_000;
const POP_B: u32 = 8_000;

/// An L-shaped (non-convex) area across both wards, lon/lat.
const L_SHAPE: [[f64; 2]; 7] = [
    [-1.095, 50.782],
    [-1.070, 50.782],
    [-1.070, 50.788],
    [-1.085, 50.788],
    [-1.085, 50.797],
    [-1.095, 50.797],
    [-1.095, 50.782],
];

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

/// What the test knows about each incident, independently of the engine.
struct Truth {
    lonlat: [f64; 2],
    local: Option<NaiveDateTime>,
    month: Month,
    group: Group,
    alcohol: Option<bool>,
}

const TYPES: [CrimeType; 7] = [
    CrimeType::AntiSocialBehaviour,
    CrimeType::ViolenceAndSexualOffences,
    CrimeType::PublicOrder,
    CrimeType::CriminalDamageAndArson,
    CrimeType::Drugs,
    CrimeType::Shoplifting,
    CrimeType::OtherCrime,
];

fn world(populations: bool) -> (Snapshot, Vec<Truth>) {
    let mut rng = rand_pcg::Pcg64::seed_from_u64(7);
    let start = NaiveDate::from_ymd_opt(2022, 1, 1).unwrap();
    let mut incidents = Vec::new();
    let mut truth = Vec::new();
    let mut n = 0;
    while incidents.len() < 4000 {
        n += 1;
        let lon = rng.random_range(-1.10..-1.06);
        let lat = rng.random_range(50.78..50.80);
        let day = start + chrono::Days::new(rng.random_range(0..1096));
        let local = day
            .and_hms_opt(rng.random_range(0..24), rng.random_range(0..60), 0)
            .unwrap();
        let ty = TYPES[rng.random_range(0..TYPES.len())];
        let month_only = rng.random_bool(0.15);
        let alcohol = if month_only {
            None
        } else {
            Some(rng.random_bool(0.4))
        };
        let time = if month_only {
            IncidentTime::Month {
                month: Month::of(day),
            }
        } else {
            match london_to_utc(local) {
                Ok(at) => IncidentTime::At { at },
                // The hour skipped in March has no instant.
                Err(_) => continue,
            }
        };
        let code = if lon < -1.08 {
            "E05000001"
        } else {
            "E05000002"
        };
        incidents.push(Incident {
            id: format!("i{n}"),
            source: if month_only {
                Source::PoliceUk
            } else {
                Source::Log
            },
            category: Category::of_type(ty),
            time,
            location: Wgs84::new(lon, lat).unwrap(),
            lsoa: None,
            location_desc: None,
            ward: Some(WardAssignment {
                code: code.into(),
                by_tolerance: false,
            }),
            alcohol,
            victim_hash: None,
        });
        truth.push(Truth {
            lonlat: [lon, lat],
            local: (!month_only).then_some(local),
            month: Month::of(day),
            group: ty.group(),
            alcohol,
        });
    }
    let venues = (0..6)
        .map(|i| Venue {
            id: format!("V{i}"),
            name: format!("Venue {i}"),
            kind: VenueKind::Pub,
            // Three inside the L (x = -1.09), three outside it (x = -1.075, lat 50.795).
            location: if i < 3 {
                Wgs84::new(-1.09, 50.784 + 0.004 * f64::from(i)).unwrap()
            } else {
                Wgs84::new(-1.075, 50.791 + 0.002 * f64::from(i - 3)).unwrap()
            },
            opens: None,
            closes: None,
        })
        .collect();
    let input = SnapshotInput {
        version: 1,
        incidents,
        wards: vec![
            ward("E05000001", "Alpha", WARD_A, populations.then_some(POP_A)),
            ward("E05000002", "Beta", WARD_B, populations.then_some(POP_B)),
        ],
        venues,
        ..SnapshotInput::default()
    };
    (Snapshot::build(input).unwrap(), truth)
}

fn polygon_json(ring: &[[f64; 2]]) -> String {
    serde_json::json!({"type": "Polygon", "coordinates": [ring]}).to_string()
}

/// Ray casting on projected vertices (boundary hits are measure-zero for random points).
fn inside(ring_bng: &[[f64; 2]], p: [f64; 2]) -> bool {
    let mut odd = false;
    for w in ring_bng.windows(2) {
        let (a, b) = (w[0], w[1]);
        if (a[1] > p[1]) != (b[1] > p[1]) {
            let x = a[0] + (p[1] - a[1]) / (b[1] - a[1]) * (b[0] - a[0]);
            if p[0] < x {
                odd = !odd;
            }
        }
    }
    odd
}

fn bng(p: [f64; 2]) -> [f64; 2] {
    Wgs84::new(p[0], p[1]).unwrap().to_bng().unwrap().xy()
}

/// The night's evening date and whether the local time is in 17:00–05:00 of it.
fn evening_of(t: NaiveDateTime) -> Option<NaiveDate> {
    match t.hour() {
        17..=23 => Some(t.date()),
        0..=4 => Some(t.date().pred_opt().unwrap()),
        _ => None,
    }
}

fn month_of_date(d: NaiveDate) -> Month {
    Month::new(d.year(), d.month()).unwrap()
}

fn run(snap: &Snapshot, pairs: &[(&str, &str)]) -> Value {
    let mut bag = ParamBag::new(pairs.iter().copied()).unwrap();
    let req = PurpleFlagRequest::from_params(&mut bag, snap, None, None).unwrap();
    run_purple_flag(snap, &req).unwrap().json()
}

#[test]
fn kpi_counts_equal_a_brute_force_recount() {
    let (snap, truth) = world(true);
    let poly = polygon_json(&L_SHAPE);
    let j = run(&snap, &[("polygon", &poly), ("to", "2024-12")]);
    let ring: Vec<[f64; 2]> = L_SHAPE.iter().map(|p| bng(*p)).collect();
    let periods = [
        (Month::new(2022, 1).unwrap(), Month::new(2022, 12).unwrap()),
        (Month::new(2023, 1).unwrap(), Month::new(2023, 12).unwrap()),
        (Month::new(2024, 1).unwrap(), Month::new(2024, 12).unwrap()),
    ];
    let mut checked = 0;
    for (preset, fri_sat_only) in [("weekend-evening", true), ("evening", false)] {
        let got = j["kpi"][preset]["periods"].as_array().unwrap();
        assert_eq!(got.len(), 3, "{preset}");
        let mut previous: Option<(f64, f64)> = None;
        for (k, (first, last)) in periods.iter().enumerate() {
            let p = &got[k];
            assert_eq!(p["from"], first.to_string());
            assert_eq!(p["to"], last.to_string());
            assert_eq!(p["months_present"], 12);
            assert_eq!(p["complete"], true);
            let mut all = [0.0; 7];
            let mut alcohol = [0.0; 7];
            let mut left_out = 0;
            for t in &truth {
                if !inside(&ring, bng(t.lonlat)) {
                    continue;
                }
                let Some(local) = t.local else {
                    if t.month >= *first && t.month <= *last {
                        left_out += 1;
                    }
                    continue;
                };
                let Some(evening) = evening_of(local) else {
                    continue;
                };
                let m = month_of_date(evening);
                if m < *first || m > *last {
                    continue;
                }
                let wd = evening.weekday();
                if fri_sat_only && wd != chrono::Weekday::Fri && wd != chrono::Weekday::Sat {
                    continue;
                }
                all[t.group as usize] += 1.0;
                if t.alcohol == Some(true) {
                    alcohol[t.group as usize] += 1.0;
                }
            }
            assert_eq!(p["left_out_month_only"], left_out, "{preset} {k}");
            for (g, group) in Group::ALL.iter().enumerate() {
                let row = &p["groups"][g];
                assert_eq!(row["group"], group.slug());
                assert_eq!(
                    row["all"].as_f64().unwrap(),
                    all[g],
                    "{preset} {k} {group:?}"
                );
                assert_eq!(row["alcohol"].as_f64().unwrap(), alcohol[g]);
            }
            let (total, total_alcohol) = (all.iter().sum::<f64>(), alcohol.iter().sum::<f64>());
            assert!(total > 20.0, "too few to test: {total}");
            assert_eq!(p["total"]["all"].as_f64().unwrap(), total);
            assert_eq!(p["total"]["alcohol"].as_f64().unwrap(), total_alcohol);
            // % change by hand, against the previous period.
            match previous {
                None => assert!(p["total"]["change_pct_all"].is_null()),
                Some((before, before_alcohol)) => {
                    let want = (total - before) / before * 100.0;
                    let got = p["total"]["change_pct_all"].as_f64().unwrap();
                    assert!((got - want).abs() < 0.006, "{got} vs {want}");
                    let want = (total_alcohol - before_alcohol) / before_alcohol * 100.0;
                    let got = p["total"]["change_pct_alcohol"].as_f64().unwrap();
                    assert!((got - want).abs() < 0.006, "{got} vs {want}");
                }
            }
            previous = Some((total, total_alcohol));
            checked += 1;
        }
    }
    assert_eq!(checked, 6);
    // Coverage: every row in the area over the three years, timed or month-only.
    let (mut timed, mut month_only) = (0, 0);
    for t in &truth {
        if inside(&ring, bng(t.lonlat)) {
            if t.local.is_some() {
                timed += 1;
            } else {
                month_only += 1;
            }
        }
    }
    assert_eq!(j["coverage"]["timed_rows"], timed);
    assert_eq!(j["coverage"]["month_only_rows"], month_only);
    assert_eq!(
        j["coverage"]["months_present"].as_array().unwrap().len(),
        36
    );
    // The hour profile adds up to the window's total over the periods.
    for preset in ["weekend-evening", "evening"] {
        let hours: f64 = j["hour_profile"][preset]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["count"].as_f64().unwrap())
            .sum();
        let totals: f64 = j["kpi"][preset]["periods"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["total"]["all"].as_f64().unwrap())
            .sum();
        assert_eq!(hours, totals, "{preset}");
    }
}

#[test]
fn rates_by_hand() {
    let (snap, _) = world(true);
    let poly = polygon_json(&L_SHAPE);
    let j = run(
        &snap,
        &[("polygon", &poly), ("to", "2024-12"), ("periods", "1")],
    );
    // Area by the shoelace formula on the projected ring.
    let ring: Vec<[f64; 2]> = L_SHAPE.iter().map(|p| bng(*p)).collect();
    let area_m2: f64 = ring
        .windows(2)
        .map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1])
        .sum::<f64>()
        .abs()
        / 2.0;
    let area_km2 = area_m2 / 1e6;
    assert!((j["summary"]["area_km2"].as_f64().unwrap() - area_km2).abs() < 1e-6);
    assert_eq!(j["summary"]["venues"], 3);
    // Residents: each ward's population × its share of area inside the L (shares from the
    // projected rings, by clipping the L at the ward edge x = -1.08: the L's part west of it
    // lies in Alpha).
    let west: Vec<[f64; 2]> = [
        [-1.095, 50.782],
        [-1.080, 50.782],
        [-1.080, 50.788],
        [-1.085, 50.788],
        [-1.085, 50.797],
        [-1.095, 50.797],
        [-1.095, 50.782],
    ]
    .iter()
    .map(|p| bng(*p))
    .collect();
    let shoelace = |r: &[[f64; 2]]| {
        r.windows(2)
            .map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1])
            .sum::<f64>()
            .abs()
            / 2.0
    };
    let ward_area = |lon: [f64; 2]| {
        shoelace(
            &[
                [lon[0], 50.78],
                [lon[1], 50.78],
                [lon[1], 50.80],
                [lon[0], 50.80],
                [lon[0], 50.78],
            ]
            .iter()
            .map(|p| bng(*p))
            .collect::<Vec<_>>(),
        )
    };
    let west_m2 = shoelace(&west);
    let east_m2 = area_m2 - west_m2;
    let residents = f64::from(POP_A) * west_m2 / ward_area(WARD_A)
        + f64::from(POP_B) * east_m2 / ward_area(WARD_B);
    let got = j["summary"]["residents"].as_f64().unwrap();
    // The ward edge is a straight line in lon/lat, slightly curved in BNG: within 0.5 %.
    assert!(
        (got - residents).abs() / residents < 0.005,
        "{got} vs {residents}"
    );
    let p = &j["kpi"]["weekend-evening"]["periods"][0];
    let total = p["total"]["all"].as_f64().unwrap();
    let rates = &p["rates"];
    let close = |v: &Value, want: f64| (v.as_f64().unwrap() - want).abs() < 0.006;
    assert!(close(&rates["per_venue"], total / 3.0), "{rates}");
    assert!(close(&rates["per_km2"], total / area_km2), "{rates}");
    // Per km² uses the unrounded area; the summary shows it to 6 decimals.
    assert!(
        close(&rates["per_1000_residents"], total / got * 1000.0),
        "{rates}"
    );
    assert_eq!(change_pct(40.0, 50.0), Some(25.0));

    // Without populations: no per-1,000 rate, and the summary says why.
    let (snap, _) = world(false);
    let j = run(
        &snap,
        &[("polygon", &poly), ("to", "2024-12"), ("periods", "1")],
    );
    assert!(j["summary"]["residents"].is_null());
    assert!(
        j["summary"]["residents_note"]
            .as_str()
            .unwrap()
            .contains("population")
    );
    assert!(j["kpi"]["evening"]["periods"][0]["rates"]["per_1000_residents"].is_null());
}

#[test]
fn a_ward_area_and_month_only_data() {
    let (snap, _) = world(true);
    let j = run(
        &snap,
        &[("ward", "alpha"), ("to", "2024-12"), ("periods", "2")],
    );
    assert_eq!(j["parameters"]["area"]["kind"], "ward");
    // The whole ward: residents = its population.
    assert_eq!(
        j["summary"]["residents"].as_f64().unwrap(),
        f64::from(POP_A)
    );
    assert_eq!(j["kpi"]["evening"]["periods"].as_array().unwrap().len(), 2);

    // police.uk only (month-only rows, no alcohol flag): all counts 0, alcohol "not recorded",
    // and every row left out and counted.
    let incidents: Vec<Incident> = (0..12)
        .map(|m| Incident {
            id: format!("p{m}"),
            source: Source::PoliceUk,
            category: Category::of_type(CrimeType::AntiSocialBehaviour),
            time: IncidentTime::Month {
                month: Month::new(2017, m + 1).unwrap(),
            },
            location: Wgs84::new(-1.09, 50.79).unwrap(),
            lsoa: None,
            location_desc: None,
            ward: None,
            alcohol: None,
            victim_hash: None,
        })
        .collect();
    let snap = Snapshot::build(SnapshotInput {
        version: 1,
        incidents,
        wards: vec![ward("E05000001", "Alpha", WARD_A, Some(POP_A))],
        ..SnapshotInput::default()
    })
    .unwrap();
    let j = run(&snap, &[("ward", "Alpha")]);
    let p = &j["kpi"]["weekend-evening"]["periods"][0];
    assert_eq!(p["from"], "2017-01");
    assert_eq!(p["left_out_month_only"], 12);
    assert_eq!(p["total"]["all"].as_f64().unwrap(), 0.0);
    assert!(p["total"]["alcohol"].is_null());
    assert_eq!(p["total"]["alcohol_status"], "not recorded");
    assert_eq!(j["coverage"]["month_only_rows"], 12);
    assert_eq!(j["coverage"]["timed_rows"], 0);
    // No earlier period holds data, so only one is shown.
    assert_eq!(j["kpi"]["evening"]["periods"].as_array().unwrap().len(), 1);
}

#[test]
fn formats_agree() {
    let (snap, _) = world(true);
    let poly = polygon_json(&L_SHAPE);
    let mut bag = ParamBag::new([("polygon", poly.as_str()), ("to", "2024-12")]).unwrap();
    let req = PurpleFlagRequest::from_params(&mut bag, &snap, None, None).unwrap();
    let res = run_purple_flag(&snap, &req).unwrap();
    let j = res.json();
    let csv = res.csv();
    let lines: Vec<&str> = csv.lines().collect();
    // Header + 2 windows × 3 periods × (7 groups + all).
    assert_eq!(lines.len(), 1 + 2 * 3 * 8);
    let last = lines.last().unwrap();
    let want_total = j["kpi"]["evening"]["periods"][2]["total"]["all"].to_string();
    assert!(
        last.starts_with("evening,2024-01,2024-12,12,true,all,"),
        "{last}"
    );
    assert_eq!(last.split(',').nth(6).unwrap(), want_total);
    let html = res.html();
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("Friday and Saturday nights 17:00–05:00"));
    assert!(html.contains(&want_total));
    assert!(!html.contains("<script"), "self-contained and static");
}

fn store_with_demo() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("demo.gpkg");
    hotspot::demo::build_demo(
        &store,
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures")),
    )
    .unwrap();
    (dir, store)
}

fn hotspot_cli(store: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hotspot"))
        .arg("--store")
        .arg(store)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn cli_answers_and_refuses_bad_input_with_exit_2() {
    let (dir, store) = store_with_demo();
    let square = dir.path().join("area.geojson");
    std::fs::write(
        &square,
        polygon_json(&[
            [-1.095, 50.786],
            [-1.085, 50.786],
            [-1.085, 50.795],
            [-1.095, 50.795],
            [-1.095, 50.786],
        ]),
    )
    .unwrap();
    let out = hotspot_cli(
        &store,
        &[
            "licensing",
            "purple-flag",
            "--polygon",
            square.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cli: Value = serde_json::from_slice(&out.stdout).unwrap();
    // The same answer as the library for the same polygon.
    let snap = hotspot::workspace::Workspace::open(&store)
        .unwrap()
        .snapshot()
        .unwrap();
    let mp = parse_polygon(&std::fs::read_to_string(&square).unwrap()).unwrap();
    let mut bag = ParamBag::new(Vec::<(String, String)>::new()).unwrap();
    let req = PurpleFlagRequest::from_params(&mut bag, &snap, Some(mp), None).unwrap();
    assert_eq!(cli, run_purple_flag(&snap, &req).unwrap().json());
    assert!(
        cli["kpi"]["weekend-evening"]["periods"][0]["total"]["all"]
            .as_f64()
            .unwrap()
            > 0.0
    );

    let bad_file = dir.path().join("bad.geojson");
    std::fs::write(&bad_file, r#"{"type":"Point","coordinates":[-1.09,50.79]}"#).unwrap();
    for args in [
        vec!["licensing", "purple-flag", "--periods", "0"],
        vec!["licensing", "purple-flag", "--ward", "Nowhere"],
        vec!["licensing", "purple-flag", "--to", "2024-13"],
        vec!["licensing", "purple-flag", "--zone", "zone-99"],
        vec![
            "licensing",
            "purple-flag",
            "--polygon",
            bad_file.to_str().unwrap(),
        ],
        vec![
            "licensing",
            "purple-flag",
            "--ward",
            "Fratton",
            "--polygon",
            square.to_str().unwrap(),
        ],
        vec!["licensing", "purple-flag", "--format", "pdf"],
    ] {
        let out = hotspot_cli(&store, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

async fn get(app: &axum::Router, uri: &str) -> (StatusCode, Vec<u8>) {
    let r = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = r.status();
    let body = axum::body::to_bytes(r.into_body(), 1 << 24).await.unwrap();
    (status, body.to_vec())
}

#[tokio::test]
async fn http_matches_the_library_and_refuses_bad_parameters() {
    let (snap, _) = world(true);
    let poly = polygon_json(&L_SHAPE);
    let want = run(&snap, &[("polygon", &poly), ("to", "2024-12")]);
    let app = app(AppState::new(snap, ServerConfig::default()));
    let q = serde_urlencoded::to_string([("polygon", poly.as_str()), ("to", "2024-12")]).unwrap();
    let (status, body) = get(&app, &format!("/api/licensing/purple-flag?{q}")).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let got: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(got, want);
    let (status, body) = get(&app, &format!("/api/licensing/purple-flag?{q}&format=csv")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        String::from_utf8(body)
            .unwrap()
            .starts_with("window,period_from")
    );
    let big = format!("{}{}", "x".repeat(5000), "");
    for (query, parameter) in [
        ("polygon=nonsense".to_owned(), "polygon"),
        ("ward=Nowhere".to_owned(), "ward"),
        ("periods=11".to_owned(), "periods"),
        ("zone=zone-99".to_owned(), "zone"),
        ("ward=Alpha&colour=red".to_owned(), "colour"),
        ("ward=Alpha&format=pdf".to_owned(), "format"),
        (format!("polygon={big}"), "polygon"),
    ] {
        let (status, body) = get(&app, &format!("/api/licensing/purple-flag?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        let e: Value = serde_json::from_slice(&body).unwrap();
        let named = e["parameter"].as_str() == Some(parameter)
            || (parameter == "polygon" && e["parameter"] == "query");
        assert!(named, "{query}: {e}");
    }
}

#[test]
fn zones_resolve_through_the_lookup() {
    let (snap, _) = world(true);
    let ring = L_SHAPE.to_vec();
    let lookup = move |_: &Snapshot, id: &str| -> Result<MultiPolygon<f64>, String> {
        if id == "zone-1" {
            parse_polygon(&polygon_json(&ring)).map_err(|e| e.to_string())
        } else {
            Err(format!("unknown zone {id:?}; known: zone-1"))
        }
    };
    let mut bag = ParamBag::new([("zone", "zone-1"), ("to", "2024-12")]).unwrap();
    let req = PurpleFlagRequest::from_params(&mut bag, &snap, None, Some(&lookup)).unwrap();
    let by_zone = run_purple_flag(&snap, &req).unwrap().json();
    assert_eq!(by_zone["parameters"]["area"]["kind"], "zone");
    assert_eq!(by_zone["parameters"]["area"]["id"], "zone-1");
    let by_polygon = run(
        &snap,
        &[("polygon", &polygon_json(&L_SHAPE)), ("to", "2024-12")],
    );
    assert_eq!(by_zone["kpi"], by_polygon["kpi"]);
    let mut bag = ParamBag::new([("zone", "zone-9")]).unwrap();
    let e = PurpleFlagRequest::from_params(&mut bag, &snap, None, Some(&lookup)).unwrap_err();
    assert_eq!(e.parameter, "zone");
    assert!(e.message.contains("known: zone-1"), "{e}");
    // Without a lookup, zone is refused and the message names the alternatives.
    let mut bag = ParamBag::new([("zone", "zone-1")]).unwrap();
    let e = PurpleFlagRequest::from_params(&mut bag, &snap, None, None).unwrap_err();
    assert!(e.message.contains("polygon or ward"), "{e}");
}

#[test]
fn a_group_without_rows_shows_zero_alcohol_when_the_flag_is_recorded() {
    // Friday 9 June 2017 22:00 local: one alcohol-related assault, nothing else.
    let at = london_to_utc(
        NaiveDate::from_ymd_opt(2017, 6, 9)
            .unwrap()
            .and_hms_opt(22, 0, 0)
            .unwrap(),
    )
    .unwrap();
    let snap = Snapshot::build(SnapshotInput {
        version: 1,
        incidents: vec![Incident {
            id: "a1".into(),
            source: Source::Log,
            category: Category::of_type(CrimeType::ViolenceAndSexualOffences),
            time: IncidentTime::At { at },
            location: Wgs84::new(-1.09, 50.79).unwrap(),
            lsoa: None,
            location_desc: None,
            ward: None,
            alcohol: Some(true),
            victim_hash: None,
        }],
        wards: vec![ward("E05000001", "Alpha", WARD_A, Some(POP_A))],
        ..SnapshotInput::default()
    })
    .unwrap();
    let j = run(&snap, &[("ward", "Alpha")]);
    let p = &j["kpi"]["weekend-evening"]["periods"][0];
    assert_eq!(p["from"], "2016-07");
    assert_eq!(p["to"], "2017-06");
    assert_eq!(p["months_present"], 1);
    assert_eq!(p["complete"], false);
    assert_eq!(p["groups"][1]["group"], "violence");
    assert_eq!(p["groups"][1]["alcohol"].as_f64(), Some(1.0));
    assert_eq!(
        p["groups"][0]["alcohol"].as_f64(),
        Some(0.0),
        "asb: recorded, none"
    );
    assert_eq!(p["total"]["alcohol_status"], "recorded");
    // 22:00 is hour 22 of the profile.
    let h22 = j["hour_profile"]["weekend-evening"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["hour"] == 22)
        .unwrap()["count"]
        .as_f64();
    assert_eq!(h22, Some(1.0));
}
