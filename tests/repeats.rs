//! Repeat locations and victims on a hand-made log: the 3-in-6-months rule at its boundary
//! (180 days apart counts, 181 does not), month-only places in months, the tolerance, the trend,
//! and victims shown over HTTP only with the token.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::NaiveDate;
use hotspot::domain::{Bng, Category, CrimeType, Incident, IncidentTime, Month, Source};
use hotspot::index::{Snapshot, SnapshotInput};
use hotspot::query::{ParamBag, RepeatsRequest, run_repeats};
use hotspot::server::{AppState, ServerConfig, app};
use serde_json::Value;
use tower::ServiceExt;

const VICTIM_A: &str = "deadbeefcafe0123456789abcdef0123456789abcdef0123456789abcdef0123";
const VICTIM_B: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn at(
    xy: [f64; 2],
    id: &str,
    time: IncidentTime,
    source: Source,
    victim: Option<&str>,
) -> Incident {
    Incident {
        id: id.into(),
        source,
        category: Category::of_type(CrimeType::AntiSocialBehaviour),
        time,
        location: Bng::new(xy[0], xy[1]).unwrap().to_wgs84().unwrap(),
        lsoa: None,
        location_desc: Some(format!("place of {id}").into()),
        ward: None,
        alcohol: None,
        victim_hash: victim.map(str::to_owned),
    }
}

fn day(offset: u64) -> IncidentTime {
    let d = NaiveDate::from_ymd_opt(2023, 1, 10).unwrap() + chrono::Days::new(offset);
    IncidentTime::at_local(d.and_hms_opt(21, 15, 0).unwrap()).unwrap()
}

fn month(m: u32) -> IncidentTime {
    IncidentTime::Month {
        month: Month::new(2023, m).unwrap(),
    }
}

fn snapshot() -> Snapshot {
    let a = [465_000.0, 101_000.0];
    let b = [466_000.0, 101_000.0];
    let c = [467_000.0, 101_000.0];
    let d = [468_000.0, 101_000.0];
    let e = [469_000.0, 101_000.0];
    let log = Source::Log;
    let pu = Source::PoliceUk;
    let incidents = vec![
        // A: 0, 90, 180 days: a repeat (last − first = 180 ≤ 180).
        at(a, "a1", day(0), log, Some(VICTIM_A)),
        at(a, "a2", day(90), log, Some(VICTIM_A)),
        at(a, "a3", day(180), log, Some(VICTIM_A)),
        // B: 0, 90, 181 days: not a repeat.
        at(b, "b1", day(0), log, Some(VICTIM_B)),
        at(b, "b2", day(90), log, Some(VICTIM_B)),
        at(b, "b3", day(181), log, Some(VICTIM_B)),
        // C: three reports within 6 m of each other over 10 days: one place at 10 m.
        at(c, "c1", day(1), log, None),
        at([c[0] + 3.0, c[1]], "c2", day(5), log, None),
        at([c[0] + 6.0, c[1]], "c3", day(10), log, None),
        // D: police.uk Jan, Mar, Jun: within 6 calendar months.
        at(d, "d1", month(1), pu, None),
        at(d, "d2", month(3), pu, None),
        at(d, "d3", month(6), pu, None),
        // E: police.uk Jan, Mar, Jul: 7 calendar months.
        at(e, "e1", month(1), pu, None),
        at(e, "e2", month(3), pu, None),
        at(e, "e3", month(7), pu, None),
    ];
    Snapshot::build(SnapshotInput {
        version: 1,
        incidents,
        ..SnapshotInput::default()
    })
    .unwrap()
}

fn run(snap: &Snapshot, pairs: &[(&str, &str)]) -> Value {
    let mut bag = ParamBag::new(pairs.iter().copied()).unwrap();
    let req = RepeatsRequest::from_params(&mut bag, snap, None).unwrap();
    run_repeats(snap, &req).unwrap().json(snap)
}

fn places(v: &Value) -> Vec<String> {
    let mut p: Vec<String> = v["places"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["place"].as_str().unwrap().to_owned())
        .collect();
    p.sort();
    p
}

#[test]
fn three_in_six_months_at_the_boundary() {
    let snap = snapshot();
    let v = run(&snap, &[]);
    assert_eq!(
        places(&v),
        ["place of a1", "place of c1", "place of d1"],
        "{v:#}"
    );
    let by = |name: &str| {
        v["places"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["place"] == name)
            .unwrap()
            .clone()
    };
    let a = by("place of a1");
    assert_eq!(a["incidents"], 3);
    assert_eq!(a["max_within"], 3);
    assert_eq!(a["unit"], "days");
    assert_eq!(a["first"], "2023-01-10");
    assert_eq!(a["last"], "2023-07-09");
    assert_eq!(a["snap_point"], false);
    // Trend months 2023-01..2023-07 (the data's extent): Jan, Apr, Jul.
    assert_eq!(v["summary"]["trend_first_month"], "2023-01");
    assert_eq!(a["monthly"], serde_json::json!([1, 0, 0, 1, 0, 0, 1]));
    assert_eq!(a["earlier_half"], 1);
    assert_eq!(a["later_half"], 1);
    assert_eq!(a["trend"], "steady");
    let d = by("place of d1");
    assert_eq!(d["unit"], "months");
    assert_eq!(d["snap_point"], true);
    assert_eq!(d["first"], "2023-01");
    assert_eq!(d["last"], "2023-06");
    let c = by("place of c1");
    assert_eq!(c["incidents"], 3);
    assert_eq!(c["trend"], "falling");
    assert_eq!(v["parameters"]["within_months_for_month_only"], 6);

    // 181 days makes B a repeat; 179 drops A.
    assert!(places(&run(&snap, &[("within-days", "181")])).contains(&"place of b1".to_owned()));
    assert!(!places(&run(&snap, &[("within-days", "179")])).contains(&"place of a1".to_owned()));
    // A tolerance of 2 m splits C into three places.
    assert!(!places(&run(&snap, &[("tolerance-m", "2")])).contains(&"place of c1".to_owned()));
    // min 4: nothing.
    assert!(places(&run(&snap, &[("min", "4")])).is_empty());
}

#[test]
fn victims_by_hash_only() {
    let snap = snapshot();
    let v = run(&snap, &[]);
    let victims = v["victims"].as_array().unwrap();
    assert_eq!(victims.len(), 1, "{v:#}");
    assert_eq!(victims[0]["victim_id"], "V-deadbeefcafe");
    assert_eq!(victims[0]["incidents"], 3);
    let keys: Vec<&String> = victims[0].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "first",
            "incidents",
            "last",
            "max_within",
            "unit",
            "victim_id"
        ]
    );
    let text = v.to_string();
    assert!(!text.contains(VICTIM_A) && !text.contains(VICTIM_B));
    let hidden = run(&snap, &[("victims", "false")]);
    assert!(hidden["victims"].is_null());
}

async fn get(
    app: &axum::Router,
    uri: &str,
    token: Option<&str>,
) -> (StatusCode, Value, Option<String>) {
    let mut req = Request::get(uri);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let r = app
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = r.status();
    let cache = r
        .headers()
        .get(header::CACHE_CONTROL)
        .map(|v| v.to_str().unwrap().to_owned());
    let body = axum::body::to_bytes(r.into_body(), usize::MAX)
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&body);
    assert!(!text.contains(VICTIM_A), "{uri}: full hash leaked");
    (
        status,
        serde_json::from_slice(&body).unwrap_or(Value::Null),
        cache,
    )
}

#[tokio::test]
async fn victims_over_http_only_with_the_token() {
    let with_token = app(AppState::new(
        snapshot(),
        ServerConfig {
            token: Some("s3cret".into()),
            ..ServerConfig::default()
        },
    ));
    let (s, v, cache) = get(&with_token, "/api/repeats", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["victims"].is_null());
    assert!(
        v["summary"]["victims_note"]
            .as_str()
            .unwrap()
            .contains("token")
    );
    assert_eq!(cache.as_deref(), Some("no-cache"));
    assert_eq!(v["places"].as_array().unwrap().len(), 3);

    let (s, v, cache) = get(&with_token, "/api/repeats", Some("s3cret")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["victims"][0]["victim_id"], "V-deadbeefcafe");
    assert_eq!(cache.as_deref(), Some("private, no-store"));

    let (s, v, _) = get(&with_token, "/api/repeats?victims=true", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(v["code"], "unauthorized");
    let (s, _, _) = get(&with_token, "/api/repeats?victims=true", Some("wrong")).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, v, _) = get(&with_token, "/api/repeats?victims=false", Some("s3cret")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["victims"].is_null());

    let read_only = app(AppState::new(snapshot(), ServerConfig::default()));
    let (s, v, _) = get(&read_only, "/api/repeats", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["victims"].is_null());
    let (s, _, _) = get(&read_only, "/api/repeats?victims=true", None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let (s, v, _) = get(&with_token, "/api/repeats?min=1", None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["parameter"], "min");
}
