//! Plan targets on a hand-made store: police.uk CSVs and an incident log with an alcohol column
//! generated here with known counts per ward and year, ingested through the real readers, and
//! the targets, on-track verdicts, rates and coverage compared with values worked out by hand.
//! Also: an incomplete year is flagged and annualised and never judged, bad parameters are a
//! 400 / exit code 2, and on the real Portsmouth data (eight months of 2017 and one of 2022)
//! the command says the years are incomplete instead of inventing a trend.

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use geo::InteriorPoint;
use hotspot::index::{Snapshot, WardRules};
use hotspot::ingest::{
    Limits, Mapping, WardFields, attach_population, expand_police_uk_paths, read_log_file,
    read_police_uk_file, read_population_file, read_wards_file,
};
use hotspot::query::{ParamBag, TargetsRequest, run_targets};
use hotspot::server::{AppState, ServerConfig, app};
use hotspot::store::Provenance;
use hotspot::workspace::Workspace;
use serde_json::Value;
use tower::ServiceExt;

const A: &str = "Charles Dickens";
const B: &str = "Fratton";

/// (ward, year, months, ASB rows, crime rows) published by police.uk.
const POLICE: [(&str, i32, u32, u32, u32); 8] = [
    (A, 2021, 12, 120, 600),
    (A, 2022, 12, 115, 550),
    (A, 2023, 12, 110, 500),
    (A, 2024, 3, 30, 120),
    (B, 2021, 12, 60, 120),
    (B, 2022, 12, 60, 110),
    (B, 2023, 12, 60, 100),
    (B, 2024, 3, 15, 30),
];

/// (ward, year, alcohol-related crimes) in the incident log.
const ALCOHOL: [(&str, i32, u32); 4] = [(A, 2021, 30), (A, 2023, 20), (B, 2021, 5), (B, 2023, 5)];

fn fixtures() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"))
}

/// `n` spread over `months` months: month m (0-based) gets n / months, plus one for the first
/// n % months months.
fn spread(n: u32, months: u32, m: u32) -> u32 {
    n / months + u32::from(m < n % months)
}

struct Built {
    _dir: tempfile::TempDir,
    store: PathBuf,
    snap: Snapshot,
    population: std::collections::HashMap<String, f64>,
}

fn build() -> Built {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("targets.gpkg");
    let limits = Limits::default();
    let mut ws = Workspace::open(&store).unwrap();
    let mut wards = read_wards_file(
        &fixtures().join("wards.geojson"),
        &WardFields::default(),
        &limits,
    )
    .unwrap();
    let pop =
        read_population_file(&fixtures().join("ward-population.csv"), None, None, &limits).unwrap();
    attach_population(&mut wards, &pop);
    let population = wards
        .iter()
        .map(|w| (w.name.clone(), f64::from(w.population.unwrap())))
        .collect();
    let point = |name: &str| {
        let w = wards.iter().find(|w| w.name == name).unwrap();
        let p = w.boundary.interior_point().unwrap();
        (p.x(), p.y())
    };
    ws.import_wards(
        &wards,
        WardRules {
            tolerance_m: 100.0,
            authority: Some("Portsmouth".into()),
        },
    )
    .unwrap();
    // police.uk: one file per month.
    let police_dir = dir.path().join("police");
    std::fs::create_dir(&police_dir).unwrap();
    let mut id = 0;
    let mut files: std::collections::BTreeMap<String, String> = Default::default();
    for (ward, year, months, asb, crime) in POLICE {
        let (lon, lat) = point(ward);
        for m in 0..months {
            let month = format!("{year}-{:02}", m + 1);
            let text = files.entry(month.clone()).or_insert_with(|| {
                "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n".to_owned()
            });
            for _ in 0..spread(asb, months, m) {
                writeln!(text, ",{month},Hampshire Constabulary,Hampshire Constabulary,{lon:.6},{lat:.6},On or near X,E01017000,Portsmouth 001A,Anti-social behaviour,,").unwrap();
            }
            for _ in 0..spread(crime, months, m) {
                id += 1;
                writeln!(text, "c{id:08},{month},Hampshire Constabulary,Hampshire Constabulary,{lon:.6},{lat:.6},On or near X,E01017000,Portsmouth 001A,Violence and sexual offences,Under investigation,").unwrap();
            }
        }
    }
    for (month, text) in &files {
        std::fs::write(
            police_dir.join(format!("{month}-hampshire-street.csv")),
            text,
        )
        .unwrap();
    }
    let paths = expand_police_uk_paths(&[police_dir]).unwrap();
    let batches = paths
        .iter()
        .map(|f| {
            let p = read_police_uk_file(f, &limits).unwrap();
            assert_eq!(p.report.rejected, 0);
            (p.items, p.report)
        })
        .collect();
    ws.ingest(batches, false, &Provenance::now(vec!["police".into()]))
        .unwrap();
    // The incident log: alcohol-related assaults as above, one non-alcohol assault in ward A
    // every month of 2021 and 2023 (so the flag is recorded in all 24 months), and alcohol
    // flagged ASB in 2023 (ASB is not crime: never counted).
    let mut log = String::from("ref,date,time,lat,lon,category,alcohol\n");
    let mut n = 0;
    let mut row =
        |log: &mut String, ward: &str, year: i32, month: u32, category: &str, yes: bool| {
            n += 1;
            let (lon, lat) = point(ward);
            writeln!(
                log,
                "L{n},15/{month:02}/{year},22:30,{lat:.6},{lon:.6},{category},{}",
                if yes { "Y" } else { "N" }
            )
            .unwrap();
        };
    for (ward, year, count) in ALCOHOL {
        for m in 0..12 {
            for _ in 0..spread(count, 12, m) {
                row(&mut log, ward, year, m + 1, "Assault", true);
            }
        }
    }
    for year in [2021, 2023] {
        for m in 1..=12 {
            row(&mut log, A, year, m, "Assault", false);
        }
    }
    for m in 1..=7 {
        row(&mut log, A, 2023, m, "ASB", true);
    }
    let log_path = dir.path().join("log.csv");
    std::fs::write(&log_path, log).unwrap();
    let mapping = Mapping::from_toml(
        "test mapping",
        "[columns]\nid = \"ref\"\ndate = \"date\"\ntime = \"time\"\nlat = \"lat\"\nlon = \"lon\"\ncategory = \"category\"\nalcohol = \"alcohol\"\n\n[formats]\ndate = \"%d/%m/%Y\"\ntime = \"%H:%M\"\n\n[categories]\n\"Assault\" = \"violence\"\n\"ASB\" = \"asb\"\n",
    )
    .unwrap();
    let salt = ws.store().salt();
    let parsed = read_log_file(&log_path, &mapping, &salt, &limits).unwrap();
    assert_eq!(parsed.report.rejected, 0);
    ws.ingest(
        vec![(parsed.items, parsed.report)],
        false,
        &Provenance::now(vec!["log".into()]),
    )
    .unwrap();
    let snap = ws.snapshot().unwrap();
    Built {
        _dir: dir,
        store,
        snap,
        population,
    }
}

fn targets(snap: &Snapshot, pairs: &[(&str, &str)]) -> Value {
    let mut bag = ParamBag::new(pairs.iter().copied()).unwrap();
    let req = TargetsRequest::from_params(&mut bag, snap).unwrap();
    bag.finish(hotspot::query::TARGETS_PARAMS).unwrap();
    run_targets(snap, &req).unwrap().json()
}

fn row<'a>(j: &'a Value, name: &str, measure: &str) -> &'a Value {
    j["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name && r["measure"] == measure)
        .unwrap_or_else(|| panic!("no row {name} {measure}"))
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn targets_equal_hand_computed_values() {
    let b = build();
    let j = targets(&b.snap, &[]);
    // Defaults: the first and latest full years of police.uk data (2024 has 3 months).
    assert_eq!(j["parameters"]["baseline_year"], 2021);
    assert_eq!(j["parameters"]["year"], 2023);
    // ASB: baseline × 0.97²; total crime: baseline × (1 − 0.2 × 2/5).
    let cases = [
        (A, "asb", 120.0, 110.0, 120.0 * 0.97 * 0.97, true),
        (A, "total_crime", 600.0, 500.0, 600.0 * 0.92, true),
        (B, "asb", 60.0, 60.0, 60.0 * 0.97 * 0.97, false),
        (B, "total_crime", 120.0, 100.0, 120.0 * 0.92, true),
        ("City", "asb", 180.0, 170.0, 180.0 * 0.97 * 0.97, false),
        ("City", "total_crime", 720.0, 600.0, 720.0 * 0.92, true),
    ];
    for (name, measure, baseline, actual, target, on_track) in cases {
        let r = row(&j, name, measure);
        assert_eq!(num(&r["baseline"]), baseline, "{name} {measure}");
        assert_eq!(num(&r["actual"]), actual, "{name} {measure}");
        assert!(
            (num(&r["target"]) - target).abs() < 0.006,
            "{name} {measure}: {r}"
        );
        assert_eq!(r["on_track"], on_track, "{name} {measure}");
        assert_eq!(r["status"], "judged");
        assert!(r["actual_annualised"].is_null());
        assert_eq!(r["coverage"]["baseline_months_present"], 12);
        assert_eq!(r["coverage"]["year_months_present"], 12);
    }
    // A ward with no rows at all: zero against a zero target.
    let other = row(&j, "Baffins", "asb");
    assert_eq!(num(&other["actual"]), 0.0);
    assert_eq!(other["on_track"], true);
    // Alcohol-related crime per 1,000 residents; the line 12.2 → 10 over 5 years, 2 years in.
    let line = 12.2 + (10.0 - 12.2) * 2.0 / 5.0;
    let pop_a = b.population[A];
    let city: f64 = b.population.values().sum();
    for (name, baseline, actual, pop) in [
        (A, 30.0, 20.0, pop_a),
        (B, 5.0, 5.0, b.population[B]),
        ("City", 35.0, 25.0, city),
    ] {
        let r = row(&j, name, "alcohol_crime_per_1000");
        assert!(
            (num(&r["baseline"]) - baseline / pop * 1000.0).abs() < 0.006,
            "{r}"
        );
        assert!(
            (num(&r["actual"]) - actual / pop * 1000.0).abs() < 0.006,
            "{r}"
        );
        assert!((num(&r["target"]) - line).abs() < 0.006, "{r}");
        assert_eq!(r["on_track"], true);
    }
    // A stricter line (1.0 → 0.5 over 4 years: 0.75 two years in) puts ward A off track.
    let j = targets(
        &b.snap,
        &[
            ("alcohol-baseline", "1.0"),
            ("alcohol-target", "0.5"),
            ("alcohol-years", "4"),
        ],
    );
    let r = row(&j, A, "alcohol_crime_per_1000");
    assert_eq!(num(&r["target"]), 0.75);
    assert_eq!(r["on_track"], 20.0 / pop_a * 1000.0 <= 0.75);
    // Coverage per year, and the rows behind each area's year.
    let years = j["coverage"]["years"].as_array().unwrap();
    let y2024 = years.iter().find(|y| y["year"] == 2024).unwrap();
    assert_eq!(y2024["police_uk_months"], 3);
    assert_eq!(y2024["alcohol_flag_months"], 0);
    assert_eq!(y2024["complete"], false);
    let r = row(&j, A, "asb");
    // 2023 in ward A: 110 ASB + 500 crime (month-only) and 20 + 12 + 7 log rows (timed).
    assert_eq!(r["coverage"]["year_month_only_rows"], 610);
    assert_eq!(r["coverage"]["year_timed_rows"], 39);
}

#[test]
fn an_incomplete_year_is_annualised_and_not_judged() {
    let b = build();
    let j = targets(&b.snap, &[("baseline-year", "2022"), ("year", "2024")]);
    let r = row(&j, A, "asb");
    assert_eq!(num(&r["actual"]), 30.0);
    assert_eq!(num(&r["actual_annualised"]), 120.0);
    assert!(r["on_track"].is_null());
    let status = r["status"].as_str().unwrap();
    assert!(
        status.contains("2024 is incomplete (3 of 12 months"),
        "{status}"
    );
    // The target is drawn, for reference: 115 × 0.97².
    assert!((num(&r["target"]) - 115.0 * 0.97 * 0.97).abs() < 0.006);
    // No alcohol flag in 2022 or 2024: "not recorded", not zero.
    let r = row(&j, A, "alcohol_crime_per_1000");
    assert!(r["actual"].is_null());
    assert!(r["status"].as_str().unwrap().contains("not recorded"));
    assert_eq!(j["summary"]["judged"], 0);
    // The same year as baseline: no trend.
    let j = targets(&b.snap, &[("baseline-year", "2023"), ("year", "2023")]);
    assert!(
        row(&j, A, "asb")["status"]
            .as_str()
            .unwrap()
            .contains("no trend")
    );
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

fn hotspot_cli(store: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hotspot"))
        .arg("--store")
        .arg(store)
        .args(args)
        .output()
        .unwrap()
}

#[tokio::test]
async fn http_and_cli_agree_and_refuse_bad_parameters() {
    let b = build();
    let want = targets(&b.snap, &[("baseline-year", "2021"), ("year", "2023")]);
    let out = hotspot_cli(
        &b.store,
        &[
            "targets",
            "--baseline-year",
            "2021",
            "--year",
            "2023",
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
    assert_eq!(cli, want);
    let out = hotspot_cli(&b.store, &["targets"]);
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.starts_with("Plan targets: baseline 2021"), "{table}");
    for args in [
        vec!["targets", "--year", "1800"],
        vec!["targets", "--baseline-year", "2023", "--year", "2021"],
        vec!["targets", "--alcohol-years", "0"],
        vec!["targets", "--alcohol-target", "-3"],
        vec!["targets", "--format", "xml"],
    ] {
        let out = hotspot_cli(&b.store, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }

    let app = app(AppState::new(b.snap, ServerConfig::default()));
    let (status, body) = get(&app, "/api/targets?baseline-year=2021&year=2023").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(serde_json::from_slice::<Value>(&body).unwrap(), want);
    let (status, body) = get(&app, "/api/targets?format=csv").await;
    assert_eq!(status, StatusCode::OK);
    let csv = String::from_utf8(body).unwrap();
    // Header + 15 areas × 3 measures.
    assert_eq!(csv.lines().count(), 1 + 15 * 3);
    assert!(
        csv.lines()
            .any(|l| l.starts_with("city,City,asb,2021,180.0,,2023,170.0,"))
    );
    for (query, parameter) in [
        ("year=abc", "year"),
        ("baseline-year=2023&year=2021", "year"),
        ("alcohol-years=30", "alcohol-years"),
        ("alcohol-baseline=x", "alcohol-baseline"),
        ("ward=Fratton", "ward"),
        ("format=html", "format"),
    ] {
        let (status, body) = get(&app, &format!("/api/targets?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        let e: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(e["parameter"], parameter, "{query}: {e}");
    }
}

#[test]
fn real_portsmouth_months_are_incomplete_years_not_a_trend() {
    let (_, ws) = common::real_portsmouth_with(common::real_wards(true), "", |_| true);
    let snap = ws.snapshot().unwrap();
    // Defaults: no full year, so the first and latest years present, both incomplete.
    let j = targets(&snap, &[]);
    assert_eq!(j["parameters"]["baseline_year"], 2017);
    assert_eq!(j["parameters"]["year"], 2022);
    assert_eq!(j["summary"]["judged"], 0);
    let note = j["summary"]["note"].as_str().unwrap();
    assert!(
        note.contains("2017 is incomplete (8 of 12 months"),
        "{note}"
    );
    assert!(
        note.contains("2022 is incomplete (1 of 12 months"),
        "{note}"
    );
    for r in j["rows"].as_array().unwrap() {
        assert!(r["on_track"].is_null(), "{r}");
    }
    // City ASB in 2017: the README's Portsmouth ASB rows, 6,345 over eight months
    // (904 + 1,156 + 711 + 725 + 700 + 749 + 718 + 682), give or take the rows outside every
    // ward; annualised ×12/8.
    let r = row(&j, "City", "asb");
    let asb_2017 = num(&r["baseline"]);
    assert!((6300.0..=6345.0).contains(&asb_2017), "{asb_2017}");
    assert_eq!(num(&r["baseline_annualised"]), asb_2017 * 12.0 / 8.0);
    // police.uk has no alcohol flag: not recorded, not zero.
    let r = row(&j, "City", "alcohol_crime_per_1000");
    assert!(r["actual"].is_null());
    // 2017 alone: the year is the baseline, no trend.
    let j = targets(&snap, &[("baseline-year", "2017"), ("year", "2017")]);
    assert!(j["summary"]["note"].as_str().unwrap().contains("no trend"));
    let req = TargetsRequest::from_params(&mut ParamBag::default(), &snap).unwrap();
    let table = run_targets(&snap, &req).unwrap().table();
    assert!(table.contains("not judged"), "{table}");
}
