//! The Knox near-repeat test: planted near repeats are found, pair counts equal a brute-force
//! cross-tab, month-only data is refused, and alerts come from the significant bands.

use chrono::NaiveDate;
use hotspot::analysis::knox::{KnoxConfig, KnoxEvent, KnoxResult, knox, space_band, time_band};
use hotspot::domain::{Bng, Category, CrimeType, Incident, IncidentTime, Month, Source};
use hotspot::index::{Snapshot, SnapshotInput};
use hotspot::query::{KnoxRequest, ParamBag, QueryError, run_knox};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;

/// Base events uniform over 3 km × 3 km and 365 days, plus `chains` planted follow-ups, each
/// 1–95 m and 0–6 days after a base event.
fn planted(seed: u64, base: usize, chains: usize) -> Vec<KnoxEvent> {
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let mut ev: Vec<KnoxEvent> = (0..base)
        .map(|_| KnoxEvent {
            xy: [
                464_000.0 + rng.random_range(0.0..3_000.0),
                100_000.0 + rng.random_range(0.0..3_000.0),
            ],
            day: 19_000 + rng.random_range(0..365),
        })
        .collect();
    for k in 0..chains {
        let origin = ev[k * 3 % base];
        let r = rng.random_range(1.0..95.0);
        let a = rng.random_range(0.0..std::f64::consts::TAU);
        ev.push(KnoxEvent {
            xy: [origin.xy[0] + r * a.cos(), origin.xy[1] + r * a.sin()],
            day: origin.day + rng.random_range(0..7),
        });
    }
    ev
}

fn config(permutations: u32, seed: u64) -> KnoxConfig {
    KnoxConfig {
        space_bands_m: vec![100.0, 200.0, 300.0, 400.0],
        time_bands_days: vec![7, 14, 21, 28],
        permutations,
        seed,
    }
}

/// Every pair, cross-tabulated directly.
fn brute_force(ev: &[KnoxEvent], cfg: &KnoxConfig) -> Vec<u64> {
    let n_time = cfg.time_bands_days.len() + 1;
    let mut table = vec![0u64; (cfg.space_bands_m.len() + 2) * n_time];
    for i in 0..ev.len() {
        for j in i + 1..ev.len() {
            let d = (ev[i].xy[0] - ev[j].xy[0]).hypot(ev[i].xy[1] - ev[j].xy[1]);
            let s = space_band(d, &cfg.space_bands_m);
            let t = time_band(ev[i].day.abs_diff(ev[j].day), &cfg.time_bands_days);
            table[s * n_time + t] += 1;
        }
    }
    table
}

fn observed(r: &KnoxResult) -> Vec<u64> {
    r.cells.iter().map(|c| c.observed).collect()
}

#[test]
fn planted_near_repeats_are_found() {
    let ev = planted(7, 600, 120);
    let r = knox(&ev, &config(999, 1)).unwrap();
    let planted_cell = r.cell(1, 0);
    assert_eq!(r.space_bands[1].upper, Some(100.0));
    assert_eq!(r.time_bands[0].upper, Some(7.0));
    assert!(planted_cell.p.unwrap() < 0.01, "{planted_cell:?}");
    assert!(planted_cell.p_adjusted.unwrap() < 0.01, "{planted_cell:?}");
    assert!(planted_cell.ratio.unwrap() > 2.0, "{planted_cell:?}");
    let g = r.global.as_ref().unwrap();
    assert!(g.p < 0.01, "{g:?}");
    // The smallest p a run of 999 can give.
    assert!((g.p - 0.001).abs() < 1e-12);
    // Far bands are not flagged by the adjusted p.
    for c in r.cells.iter().filter(|c| c.near && c.space >= 3) {
        assert!(c.p_adjusted.unwrap() > 0.05, "{c:?}");
    }
}

#[test]
fn pair_counts_equal_a_brute_force_cross_tab() {
    for seed in [1, 2, 3] {
        let mut ev = planted(seed, 300, 60);
        // Exact repeats (same location) and same-day pairs, to exercise band 0.
        ev.push(ev[0]);
        ev.push(KnoxEvent {
            xy: ev[1].xy,
            day: ev[1].day + 7,
        });
        for cfg in [
            config(0, 1),
            KnoxConfig {
                space_bands_m: vec![50.0, 125.5, 1_000.0],
                time_bands_days: vec![1, 3, 30],
                permutations: 0,
                seed: 1,
            },
        ] {
            let r = knox(&ev, &cfg).unwrap();
            let brute = brute_force(&ev, &cfg);
            assert_eq!(observed(&r), brute, "seed {seed} {cfg:?}");
            assert_eq!(r.total_pairs, brute.iter().sum::<u64>());
        }
    }
}

#[test]
fn simulations_keep_the_time_margins_and_are_reproducible() {
    let ev = planted(11, 200, 20);
    let a = knox(&ev, &config(99, 5)).unwrap();
    let b = knox(&ev, &config(99, 5)).unwrap();
    assert_eq!(a, b);
    let c = knox(&ev, &config(99, 6)).unwrap();
    assert_eq!(observed(&a), observed(&c));
    assert_ne!(a.cells, c.cells);
    // Expected counts per time band sum to the observed ones: permuting days keeps them.
    for t in 0..a.time_bands.len() {
        let obs: u64 = (0..a.space_bands.len())
            .map(|s| a.cell(s, t).observed)
            .sum();
        let exp: f64 = (0..a.space_bands.len())
            .map(|s| a.cell(s, t).expected)
            .sum();
        assert!(
            (obs as f64 - exp).abs() < 1e-6,
            "time band {t}: {obs} vs {exp}"
        );
    }
}

#[test]
fn caps_are_named() {
    let ev = vec![
        KnoxEvent {
            xy: [0.0, 0.0],
            day: 0
        };
        3_000
    ];
    // 4.5 million pairs at one spot × 1000 tables is over the cap.
    let e = knox(&ev, &config(999, 1)).unwrap_err();
    assert!(e.to_string().contains("cap"), "{e}");
}

// --- End to end through the query layer. ---------------------------------------------------

fn incident(id: String, xy: [f64; 2], time: IncidentTime, source: Source) -> Incident {
    Incident {
        id,
        source,
        category: Category::of_type(CrimeType::Burglary),
        time,
        location: Bng::new(xy[0], xy[1]).unwrap().to_wgs84().unwrap(),
        lsoa: None,
        location_desc: None,
        ward: None,
        alcohol: None,
        victim_hash: None,
    }
}

fn day_time(day: i64) -> IncidentTime {
    let date = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + chrono::Days::new(day as u64);
    IncidentTime::at_local(date.and_hms_opt(12, 0, 0).unwrap()).unwrap()
}

fn snapshot(events: &[KnoxEvent], month_only: usize) -> Snapshot {
    let mut incidents: Vec<Incident> = events
        .iter()
        .enumerate()
        .map(|(i, e)| incident(format!("log-{i}"), e.xy, day_time(e.day), Source::Log))
        .collect();
    for i in 0..month_only {
        incidents.push(incident(
            format!("pu-{i}"),
            [465_000.0, 101_000.0 + i as f64],
            IncidentTime::Month {
                month: Month::new(2022, 3).unwrap(),
            },
            Source::PoliceUk,
        ));
    }
    Snapshot::build(SnapshotInput {
        version: 1,
        incidents,
        ..SnapshotInput::default()
    })
    .unwrap()
}

fn request(snap: &Snapshot, pairs: &[(&str, &str)]) -> KnoxRequest {
    let mut bag = ParamBag::new(pairs.iter().copied()).unwrap();
    let r = KnoxRequest::from_params(&mut bag, snap, None).unwrap();
    bag.finish(&[
        "from",
        "to",
        "days",
        "hours",
        "preset",
        "calendar",
        "ward",
        "category",
        "space-bands-m",
        "time-bands-days",
        "permutations",
        "seed",
    ])
    .unwrap();
    r
}

#[test]
fn month_only_data_is_refused_naming_the_rows() {
    let snap = snapshot(&[], 25);
    let req = request(&snap, &[]);
    let e = run_knox(&snap, &req).unwrap_err();
    assert!(e.is_bad_request());
    let text = e.to_string();
    assert!(text.contains("needs dates"), "{text}");
    assert!(
        text.contains("25 selected rows have only a month"),
        "{text}"
    );
    assert!(matches!(e, QueryError::Empty(_)));
}

#[test]
fn mixed_data_uses_the_dated_rows_and_says_how_many_were_left_out() {
    let ev = planted(3, 200, 40);
    let snap = snapshot(&ev, 7);
    let run = run_knox(&snap, &request(&snap, &[("permutations", "99")])).unwrap();
    assert_eq!(run.knox.events, ev.len());
    assert_eq!(run.summary()["left_out_month_only"], 7);
    // The snapshot's own BNG positions (via OSTN15 round trips) cross-tab as brute force says.
    let dated: Vec<KnoxEvent> = (0..ev.len())
        .map(|i| KnoxEvent {
            xy: snap.incidents.xy[i],
            day: ev[i].day,
        })
        .collect();
    assert_eq!(
        observed(&run.knox),
        brute_force(&dated, &run.request.config)
    );
}

#[test]
fn alerts_come_from_the_latest_incidents_and_the_significant_bands() {
    let ev = planted(7, 600, 120);
    let last = ev.iter().map(|e| e.day).max().unwrap();
    let snap = snapshot(&ev, 0);
    let run = run_knox(&snap, &request(&snap, &[("permutations", "199")])).unwrap();
    assert!(run.knox.global.as_ref().unwrap().p < 0.05);
    assert_eq!(run.end_day, last);
    assert!(!run.alerts.is_empty());
    let days = run.alerts[0].days;
    assert!(days >= 7);
    let expected: usize = ev.iter().filter(|e| e.day + i64::from(days) > last).count();
    assert_eq!(run.alerts.len(), expected);
    for a in &run.alerts {
        assert!(a.radius_m >= 100.0);
        assert!(a.day + i64::from(a.days) > run.end_day);
    }
    let g = run.geojson(&snap);
    assert_eq!(g["features"].as_array().unwrap().len(), run.alerts.len());
    assert!(
        g["parameters"]["band_convention"]
            .as_str()
            .unwrap()
            .contains("[a, b)")
    );
    let cells = g["knox"]["cells"].as_array().unwrap();
    assert_eq!(cells[5]["space_interval_m"], "[0.001, 100)");
    assert_eq!(cells[5]["time_interval_days"], "[0, 7)");
    let narrative = run.narrative().join(" ");
    assert!(
        narrative.contains("Within 0 to 100 m and 0 to 6 days"),
        "{narrative}"
    );
}

#[test]
fn no_alerts_without_a_significant_global_test() {
    // Dates shuffled away from any planted structure: base events only.
    let ev = planted(21, 300, 0);
    let snap = snapshot(&ev, 0);
    let run = run_knox(&snap, &request(&snap, &[("permutations", "99")])).unwrap();
    let p = run.knox.global.as_ref().unwrap().p;
    assert_eq!(run.alerts.is_empty(), p >= 0.05, "p = {p}");
}

#[test]
fn bad_bands_name_their_parameter() {
    let snap = snapshot(&planted(1, 10, 0), 0);
    for (name, value) in [
        ("space-bands-m", "200,100"),
        ("space-bands-m", "abc"),
        ("time-bands-days", "0,7"),
        ("time-bands-days", "7.5"),
        ("permutations", "10000"),
    ] {
        let mut bag = ParamBag::new([(name, value)]).unwrap();
        let e = KnoxRequest::from_params(&mut bag, &snap, None).unwrap_err();
        assert_eq!(e.parameter, name, "{value}: {e}");
    }
}

// --- The binary and the HTTP API. ------------------------------------------------------------

#[test]
fn the_cli_stops_with_exit_2_on_month_only_data() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("t.gpkg");
    let police_uk = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/police-uk");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_hotspot"))
            .arg("--store")
            .arg(&store)
            .args(args)
            .output()
            .unwrap()
    };
    let ingest = run(&["--quiet", "ingest", "police-uk", police_uk]);
    assert!(
        ingest.status.success(),
        "{}",
        String::from_utf8_lossy(&ingest.stderr)
    );
    let out = run(&["knox", "--category", "burglary"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("needs dates"), "{err}");
    assert!(err.contains("selected rows have only a month"), "{err}");
    let out = run(&["knox", "--space-bands-m", "300,200"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--space-bands-m"));
}

#[tokio::test]
async fn the_api_answers_400_on_month_only_data_and_json_otherwise() {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use hotspot::server::{AppState, ServerConfig, app};
    use tower::ServiceExt;

    let get = |app: axum::Router, uri: &'static str| async move {
        let r = app
            .oneshot(Request::get(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = r.status();
        let body = axum::body::to_bytes(r.into_body(), usize::MAX)
            .await
            .unwrap();
        (
            status,
            serde_json::from_slice::<serde_json::Value>(&body).unwrap(),
        )
    };
    let months = app(AppState::new(snapshot(&[], 4), ServerConfig::default()));
    let (s, v) = get(months, "/api/knox").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        v["description"].as_str().unwrap().contains("needs dates"),
        "{v}"
    );

    let ev = planted(7, 300, 60);
    let dated = app(AppState::new(snapshot(&ev, 0), ServerConfig::default()));
    let (s, v) = get(dated.clone(), "/api/knox?permutations=99&seed=3").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["summary"]["events"], ev.len());
    assert_eq!(v["parameters"]["seed"], 3);
    assert_eq!(v["knox"]["cells"].as_array().unwrap().len(), 30);
    let (s, v) = get(dated.clone(), "/api/knox?permutations=99&format=geojson").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["type"], "FeatureCollection");
    let (s, v) = get(dated, "/api/knox?time-bands-days=7,7").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["parameter"], "time-bands-days");
}
