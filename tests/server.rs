//! The HTTP server in-process (`tower::ServiceExt::oneshot` over `app(state)`): OGC API –
//! Features answers (JSON snapshots under `tests/snapshots/`, regenerate with
//! `INSTA_UPDATE=always cargo test --test server` and review the diff), every error case,
//! ETag/304, gzip, CORS, tokens, body limit, the OpenAPI document checked against the routes and
//! against real responses, and bbox queries checked against brute force.

mod common;

use common::http::{get, send};

use std::collections::BTreeSet;
use std::io::Read;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chrono::{NaiveDate, NaiveTime};
use geo::{MultiPolygon, Rect, coord};
use hotspot::domain::{
    Camera, CameraKind, Category, CrimeType, Group, Incident, IncidentTime, Lsoa, Month, Source,
    Venue, VenueKind, Ward, WardAssignment, Wgs84,
};
use hotspot::index::{Snapshot, SnapshotInput};
use hotspot::server::ogc::{BBox, in_bbox};
use hotspot::server::{AppState, ServerConfig, app, openapi, route_table};
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Fixture: two wards in Portsmouth, six incidents of every source and time kind, two venues,
// two cameras.

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

fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, min, 0)
        .unwrap()
}

struct Row {
    id: &'static str,
    source: Source,
    category: Category,
    time: IncidentTime,
    lonlat: (f64, f64),
    ward: Option<&'static str>,
}

fn incident(r: Row) -> Incident {
    Incident {
        id: r.id.into(),
        source: r.source,
        category: r.category,
        time: r.time,
        location: Wgs84::new(r.lonlat.0, r.lonlat.1).unwrap(),
        lsoa: None,
        location_desc: None,
        ward: r.ward.map(|code| WardAssignment {
            code: code.into(),
            by_tolerance: false,
        }),
        alcohol: None,
        victim_hash: None,
    }
}

fn local_category(label: &str, group: Group) -> Category {
    Category {
        group,
        crime_type: None,
        local: Some(label.into()),
    }
}

fn fixture_input(version: u64) -> SnapshotInput {
    let june = Month::new(2017, 6).unwrap();
    let july = Month::new(2017, 7).unwrap();
    let mut incidents = vec![
        incident(Row {
            id: "pu-1",
            source: Source::PoliceUk,
            category: Category::of_type(CrimeType::AntiSocialBehaviour),
            time: IncidentTime::Month { month: june },
            lonlat: (-1.095, 50.79),
            ward: Some("E05000001"),
        }),
        incident(Row {
            id: "pu-2",
            source: Source::PoliceUk,
            category: Category::of_type(CrimeType::ViolenceAndSexualOffences),
            time: IncidentTime::Month { month: july },
            lonlat: (-1.07, 50.785),
            ward: Some("E05000002"),
        }),
        incident(Row {
            id: "log-1",
            source: Source::Log,
            category: local_category("ASB - Rowdy", Group::Asb),
            time: IncidentTime::at_local(local(2017, 6, 10, 23, 30)).unwrap(),
            lonlat: (-1.091, 50.791),
            ward: Some("E05000001"),
        }),
        incident(Row {
            id: "log-2",
            source: Source::Log,
            category: Category::of_type(CrimeType::CriminalDamageAndArson),
            time: IncidentTime::span_local(local(2017, 6, 9, 22, 0), local(2017, 6, 10, 7, 0))
                .unwrap(),
            lonlat: (-1.065, 50.795),
            ward: Some("E05000002"),
        }),
        incident(Row {
            id: "geo-1",
            source: Source::Geojson,
            category: Category::of_type(CrimeType::Drugs),
            time: IncidentTime::at_local(local(2017, 7, 1, 0, 30)).unwrap(),
            lonlat: (-1.05, 50.81),
            ward: None,
        }),
        incident(Row {
            id: "log-3",
            source: Source::Log,
            category: Category::of_type(CrimeType::PublicOrder),
            time: IncidentTime::at_local(local(2017, 6, 30, 23, 59)).unwrap(),
            lonlat: (-1.081, 50.7995),
            ward: Some("E05000001"),
        }),
    ];
    incidents[0].lsoa = Some(Lsoa {
        code: "E01017013".into(),
        name: "Portsmouth 012A".into(),
    });
    incidents[0].location_desc = Some("On or near Guildhall Walk".into());
    incidents[2].alcohol = Some(true);
    incidents[2].victim_hash = Some("a1b2c3d4e5f6-victim-hash".into());
    incidents[3].alcohol = Some(false);
    incidents[2].ward.as_mut().unwrap().by_tolerance = true;
    SnapshotInput {
        version,
        incidents,
        wards: vec![
            ward("E05000001", "Alpha", [-1.10, -1.08], Some(10_000)),
            ward("E05000002", "Beta", [-1.08, -1.06], None),
        ],
        venues: vec![
            Venue {
                id: "V1".into(),
                name: "The Anchor".into(),
                kind: VenueKind::Pub,
                location: Wgs84::new(-1.094, 50.789).unwrap(),
                opens: NaiveTime::from_hms_opt(11, 0, 0),
                closes: NaiveTime::from_hms_opt(1, 0, 0),
            },
            Venue {
                id: "V2".into(),
                name: "Club X".into(),
                kind: VenueKind::Nightclub,
                location: Wgs84::new(-1.071, 50.786).unwrap(),
                opens: None,
                closes: None,
            },
        ],
        cameras: vec![
            Camera {
                id: "C1".into(),
                location: Wgs84::new(-1.093, 50.79).unwrap(),
                radius_m: 100.0,
                kind: CameraKind::Fixed,
            },
            Camera {
                id: "C2".into(),
                location: Wgs84::new(-1.066, 50.794).unwrap(),
                radius_m: 150.0,
                kind: CameraKind::Mobile,
            },
        ],
        ..SnapshotInput::default()
    }
}

fn state_with(config: ServerConfig) -> AppState {
    AppState::new(Snapshot::build(fixture_input(7)).unwrap(), config)
}

fn fixture_app() -> Router {
    app(state_with(ServerConfig::default()))
}

// ---------------------------------------------------------------------------------------------
// Requests.

async fn get_ok(app: &Router, uri: &str) -> Value {
    let a = get(app, uri).await;
    assert_eq!(
        a.status,
        StatusCode::OK,
        "{uri}: {:?}",
        String::from_utf8_lossy(&a.body)
    );
    a.json()
}

fn ids(v: &Value) -> Vec<String> {
    v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .collect()
}

fn link<'a>(v: &'a Value, rel: &str) -> Option<&'a str> {
    v["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == rel)
        .map(|l| l["href"].as_str().unwrap())
}

// ---------------------------------------------------------------------------------------------
// Health, snapshots, values.

#[tokio::test]
async fn health_is_plain_ok_without_etag() {
    let a = get(&fixture_app(), "/health").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(&a.body[..], b"ok");
    assert!(
        a.header(header::CONTENT_TYPE)
            .unwrap()
            .starts_with("text/plain")
    );
    assert!(a.header(header::ETAG).is_none());
}

#[tokio::test]
async fn metadata_snapshots() {
    let app = fixture_app();
    insta::assert_json_snapshot!("landing", get_ok(&app, "/ogc").await);
    insta::assert_json_snapshot!("conformance", get_ok(&app, "/ogc/conformance").await);
    insta::assert_json_snapshot!("collections", get_ok(&app, "/ogc/collections").await);
    insta::assert_json_snapshot!(
        "collection_incidents",
        get_ok(&app, "/ogc/collections/incidents").await
    );
}

#[tokio::test]
async fn items_snapshots() {
    let app = fixture_app();
    insta::assert_json_snapshot!(
        "items_incidents_page",
        get_ok(&app, "/ogc/collections/incidents/items?limit=3&offset=1").await
    );
    insta::assert_json_snapshot!(
        "item_log_1",
        get_ok(&app, "/ogc/collections/incidents/items/log-1").await
    );
    insta::assert_json_snapshot!(
        "items_wards",
        get_ok(&app, "/ogc/collections/wards/items").await
    );
    insta::assert_json_snapshot!(
        "items_venues",
        get_ok(&app, "/ogc/collections/venues/items").await
    );
    insta::assert_json_snapshot!(
        "items_cameras",
        get_ok(&app, "/ogc/collections/cameras/items").await
    );
}

#[tokio::test]
async fn incident_properties_are_exact_and_never_hold_the_victim_hash() {
    let app = fixture_app();
    let v = get_ok(&app, "/ogc/collections/incidents/items/log-1").await;
    assert_eq!(v["type"], "Feature");
    assert_eq!(
        v["geometry"],
        json!({"type": "Point", "coordinates": [-1.091, 50.791]})
    );
    assert_eq!(
        v["properties"],
        json!({
            "id": "log-1", "source": "log", "crime_type": null, "group": "asb",
            "category": "ASB - Rowdy", "month": "2017-06",
            "start": "2017-06-10T23:30", "end": "2017-06-10T23:30",
            "ward": "E05000001", "ward_name": "Alpha", "by_tolerance": true, "alcohol": true,
            "location": null, "lsoa": null, "lsoa_name": null,
        })
    );
    let span = get_ok(&app, "/ogc/collections/incidents/items/log-2").await;
    assert_eq!(span["properties"]["start"], "2017-06-09T22:00");
    assert_eq!(span["properties"]["end"], "2017-06-10T07:00");
    let pu = get_ok(&app, "/ogc/collections/incidents/items/pu-1").await;
    assert_eq!(pu["properties"]["start"], Value::Null);
    assert_eq!(pu["properties"]["crime_type"], "Anti-social behaviour");
    assert_eq!(pu["properties"]["lsoa"], "E01017013");
    assert_eq!(pu["properties"]["location"], "On or near Guildhall Walk");
    let all = get(&app, "/ogc/collections/incidents/items?limit=10000").await;
    assert!(!String::from_utf8_lossy(&all.body).contains("victim"));
    assert!(!String::from_utf8_lossy(&all.body).contains("a1b2c3d4e5f6"));
}

#[tokio::test]
async fn collection_extents_come_from_the_data() {
    let v = get_ok(&fixture_app(), "/ogc/collections/incidents").await;
    assert_eq!(
        v["extent"]["spatial"]["bbox"],
        json!([[-1.095, 50.785, -1.05, 50.81]])
    );
    // From local midnight 1 June 2017 (23:00 UTC, BST) to the last minute of July.
    assert_eq!(
        v["extent"]["temporal"]["interval"],
        json!([["2017-05-31T23:00:00Z", "2017-07-31T22:59:00Z"]])
    );
    let w = get_ok(&fixture_app(), "/ogc/collections/wards").await;
    assert_eq!(
        w["extent"]["spatial"]["bbox"],
        json!([[-1.10, 50.78, -1.06, 50.80]])
    );
    assert!(w["extent"].get("temporal").is_none());
}

#[tokio::test]
async fn paging_counts_and_links() {
    let app = fixture_app();
    let first = get_ok(&app, "/ogc/collections/incidents/items?limit=2").await;
    assert_eq!(first["numberMatched"], 6);
    assert_eq!(first["numberReturned"], 2);
    assert_eq!(ids(&first), ["pu-1", "pu-2"]);
    assert_eq!(
        link(&first, "next"),
        Some("http://localhost/ogc/collections/incidents/items?limit=2&offset=2")
    );
    assert_eq!(link(&first, "prev"), None);
    let next = get_ok(
        &app,
        link(&first, "next")
            .unwrap()
            .trim_start_matches("http://localhost"),
    )
    .await;
    assert_eq!(ids(&next), ["log-1", "log-2"]);
    assert_eq!(
        link(&next, "prev"),
        Some("http://localhost/ogc/collections/incidents/items?limit=2&offset=0")
    );
    let last = get_ok(&app, "/ogc/collections/incidents/items?limit=2&offset=4").await;
    assert_eq!(ids(&last), ["geo-1", "log-3"]);
    assert_eq!(link(&last, "next"), None);
    let beyond = get_ok(&app, "/ogc/collections/incidents/items?limit=2&offset=100").await;
    assert_eq!(
        (
            beyond["numberMatched"].clone(),
            beyond["numberReturned"].clone()
        ),
        (json!(6), json!(0))
    );
    assert_eq!(
        link(&beyond, "prev"),
        Some("http://localhost/ogc/collections/incidents/items?limit=2&offset=5")
    );
}

#[tokio::test]
async fn links_follow_the_host_header() {
    let app = fixture_app();
    let a = send(
        &app,
        Request::get("/ogc")
            .header(header::HOST, "maps.example.org:8080")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(
        link(&a.json(), "data"),
        Some("http://maps.example.org:8080/ogc/collections")
    );
    let config = ServerConfig::default()
        .with_base_url("https://csp.example.gov.uk/hotspot")
        .unwrap();
    let v = get_ok(&app_with(config), "/ogc").await;
    assert_eq!(
        link(&v, "service-desc"),
        Some("https://csp.example.gov.uk/hotspot/api/openapi.json")
    );
}

fn app_with(config: ServerConfig) -> Router {
    app(state_with(config))
}

#[tokio::test]
async fn bbox_and_datetime_filter_incidents() {
    let app = fixture_app();
    let cases: [(&str, &[&str]); 8] = [
        // Ward Alpha's box: its three incidents (log-3 on the inside of the north edge).
        ("bbox=-1.10,50.78,-1.08,50.80", &["pu-1", "log-1", "log-3"]),
        // A box whose edge passes exactly through pu-1: the boundary is included.
        ("bbox=-1.095,50.79,-1.09,50.795", &["pu-1", "log-1"]),
        // 22:30 UTC on 10 June = 23:30 BST: log-1's instant, and pu-1's month.
        ("datetime=2017-06-10T22:30:00Z", &["pu-1", "log-1"]),
        // 06:00 UTC on 10 June = 07:00 BST: the last minute of log-2's span.
        ("datetime=2017-06-10T06:00:00Z", &["pu-1", "log-2"]),
        // From local midnight on 1 July: July's police.uk row and geo-1 (00:30 BST 1 July).
        ("datetime=2017-06-30T23:00:00Z/..", &["pu-2", "geo-1"]),
        // Up to 22:58 UTC on 30 June (23:58 BST): everything in June except log-3 (23:59).
        (
            "datetime=../2017-06-30T22:58:00Z",
            &["pu-1", "log-1", "log-2"],
        ),
        (
            "datetime=2017-06-30T22:59:00Z/2017-06-30T22:59:00Z",
            &["pu-1", "log-3"],
        ),
        (
            "bbox=-1.08,50.78,-1.0,50.9&datetime=2017-07-01T00:00:00%2B01:00/..",
            &["pu-2", "geo-1"],
        ),
    ];
    for (query, want) in cases {
        let v = get_ok(&app, &format!("/ogc/collections/incidents/items?{query}")).await;
        assert_eq!(ids(&v), want, "{query}");
        assert_eq!(v["numberMatched"], want.len(), "{query}");
    }
    let wards = get_ok(
        &app,
        "/ogc/collections/wards/items?bbox=-1.079,50.79,-1.0,50.9",
    )
    .await;
    assert_eq!(ids(&wards), ["E05000002"]);
    let venues = get_ok(
        &app,
        "/ogc/collections/venues/items?bbox=-1.1,50.78,-1.09,50.8",
    )
    .await;
    assert_eq!(ids(&venues), ["V1"]);
    let cameras = get_ok(
        &app,
        "/ogc/collections/cameras/items?bbox=-1.07,50.78,-1.06,50.8",
    )
    .await;
    assert_eq!(ids(&cameras), ["C2"]);
}

// ---------------------------------------------------------------------------------------------
// Errors.

#[tokio::test]
async fn every_error_is_json_naming_the_parameter() {
    let app = fixture_app();
    let items = "/ogc/collections/incidents/items";
    let cases: Vec<(String, StatusCode, &str, Option<&str>)> = vec![
        (
            format!("{items}?bbox=-1.0,50.8,-1.1,50.9"),
            StatusCode::BAD_REQUEST,
            "bad_parameter",
            Some("bbox"),
        ),
        (
            format!("{items}?bbox=-1.1,50.9,-1.0,50.8"),
            StatusCode::BAD_REQUEST,
            "bad_parameter",
            Some("bbox"),
        ),
        (
            format!("{items}?bbox=-200,50,-1,51"),
            StatusCode::BAD_REQUEST,
            "bad_parameter",
            Some("bbox"),
        ),
        (
            format!("{items}?bbox=-1,50,-1,95"),
            StatusCode::BAD_REQUEST,
            "bad_parameter",
            Some("bbox"),
        ),
        (
            format!("{items}?bbox=1,2,3"),
            StatusCode::BAD_REQUEST,
            "bad_parameter",
            Some("bbox"),
        ),
        (
            format!("{items}?limit=0"),
            StatusCode::BAD_REQUEST,
            "bad_parameter",
            Some("limit"),
        ),
        (
            format!("{items}?limit=10001"),
            StatusCode::BAD_REQUEST,
            "bad_parameter",
            Some("limit"),
        ),
        (
            format!("{items}?limit=abc"),
            StatusCode::BAD_REQUEST,
            "bad_parameter",
            Some("limit"),
        ),
        (
            format!("{items}?limit=5&limit=6"),
            StatusCode::BAD_REQUEST,
            "bad_parameter",
            Some("limit"),
        ),
        (
            format!("{items}?offset=-3"),
            StatusCode::BAD_REQUEST,
            "bad_parameter",
            Some("offset"),
        ),
        (
            format!("{items}?datetime=last-tuesday"),
            StatusCode::BAD_REQUEST,
            "bad_parameter",
            Some("datetime"),
        ),
        (
            format!("{items}?datetime=2017-07-01T00:00:00Z/2017-06-01T00:00:00Z"),
            StatusCode::BAD_REQUEST,
            "bad_parameter",
            Some("datetime"),
        ),
        (
            format!("{items}?colour=red"),
            StatusCode::BAD_REQUEST,
            "bad_parameter",
            Some("colour"),
        ),
        (
            "/ogc/collections/wards/items?datetime=2017-06-10T22:30:00Z".into(),
            StatusCode::BAD_REQUEST,
            "bad_parameter",
            Some("datetime"),
        ),
        (
            "/ogc?f=html".into(),
            StatusCode::BAD_REQUEST,
            "bad_parameter",
            Some("f"),
        ),
        (
            "/ogc/collections/robberies".into(),
            StatusCode::NOT_FOUND,
            "not_found",
            Some("collectionId"),
        ),
        (
            "/ogc/collections/robberies/items".into(),
            StatusCode::NOT_FOUND,
            "not_found",
            Some("collectionId"),
        ),
        (
            format!("{items}/no-such-id"),
            StatusCode::NOT_FOUND,
            "not_found",
            Some("featureId"),
        ),
        (
            "/ogc/collections/wards/items/E99999999".into(),
            StatusCode::NOT_FOUND,
            "not_found",
            Some("featureId"),
        ),
        (
            "/no/such/path".into(),
            StatusCode::NOT_FOUND,
            "not_found",
            None,
        ),
        (
            "/tiles/unknown/1/2/3.mvt".into(),
            StatusCode::NOT_FOUND,
            "not_found",
            Some("layer"),
        ),
        (
            "/tiles/wards/1/2/3/4.mvt".into(),
            StatusCode::NOT_FOUND,
            "not_found",
            None,
        ),
    ];
    for (uri, status, code, parameter) in cases {
        let a = get(&app, &uri).await;
        assert_eq!(a.status, status, "{uri}");
        assert_eq!(
            a.header(header::CONTENT_TYPE),
            Some("application/json"),
            "{uri}"
        );
        let v = a.json();
        assert_eq!(v["code"], code, "{uri}: {v}");
        assert_eq!(v["parameter"].as_str(), parameter, "{uri}: {v}");
        assert!(!v["description"].as_str().unwrap().is_empty(), "{uri}");
        assert!(
            a.header(header::ETAG).is_none(),
            "{uri}: errors carry no ETag"
        );
    }
}

#[tokio::test]
async fn a_bad_host_header_is_a_400() {
    let a = send(
        &fixture_app(),
        Request::get("/ogc")
            .header(header::HOST, "evil host/<script>")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.json()["parameter"], "Host");
}

// ---------------------------------------------------------------------------------------------
// Caching, compression, CORS.

#[tokio::test]
async fn etag_revalidates_and_changes_with_the_snapshot() {
    let state = state_with(ServerConfig::default());
    let app = app(state.clone());
    let uri = "/ogc/collections/incidents/items?limit=2&offset=0";
    let first = get(&app, uri).await;
    let tag = first.header(header::ETAG).unwrap().to_owned();
    assert!(tag.starts_with("W/\"7-"), "{tag}");
    assert_eq!(first.header(header::CACHE_CONTROL), Some("no-cache"));
    // The same query in another order has the same tag.
    let same = get(&app, "/ogc/collections/incidents/items?offset=0&limit=2").await;
    assert_eq!(same.header(header::ETAG), Some(tag.as_str()));
    let other = get(&app, "/ogc/collections/incidents/items?limit=3").await;
    assert_ne!(other.header(header::ETAG), Some(tag.as_str()));
    let revalidate = || {
        Request::get(uri)
            .header(header::IF_NONE_MATCH, tag.as_str())
            .body(Body::empty())
            .unwrap()
    };
    let head = send(&app, Request::head(uri).body(Body::empty()).unwrap()).await;
    assert_eq!(head.status, StatusCode::OK);
    assert!(head.body.is_empty());
    assert_eq!(head.header(header::ETAG), Some(tag.as_str()));
    let not_modified = send(&app, revalidate()).await;
    assert_eq!(not_modified.status, StatusCode::NOT_MODIFIED);
    assert!(not_modified.body.is_empty());
    assert_eq!(not_modified.header(header::ETAG), Some(tag.as_str()));
    // After an ingest swaps in version 8, the old tag no longer matches.
    let mut input = fixture_input(8);
    input.incidents.truncate(3);
    state.replace(Snapshot::build(input).unwrap());
    let fresh = send(&app, revalidate()).await;
    assert_eq!(fresh.status, StatusCode::OK);
    assert!(fresh.header(header::ETAG).unwrap().starts_with("W/\"8-"));
    assert_eq!(fresh.json()["numberMatched"], 3);
}

#[tokio::test]
async fn gzip_when_asked() {
    let app = fixture_app();
    let uri = "/ogc/collections/incidents/items?limit=100";
    let plain = get(&app, uri).await;
    assert!(plain.header(header::CONTENT_ENCODING).is_none());
    let zipped = send(
        &app,
        Request::get(uri)
            .header(header::ACCEPT_ENCODING, "gzip")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(zipped.status, StatusCode::OK);
    assert_eq!(zipped.header(header::CONTENT_ENCODING), Some("gzip"));
    assert_eq!(
        zipped.header(header::CONTENT_TYPE),
        Some("application/geo+json")
    );
    assert!(zipped.body.len() < plain.body.len());
    let mut text = Vec::new();
    flate2::read::GzDecoder::new(&zipped.body[..])
        .read_to_end(&mut text)
        .unwrap();
    assert_eq!(text, plain.body);
}

#[tokio::test]
async fn cors_allows_any_origin_for_get() {
    let app = fixture_app();
    let a = send(
        &app,
        Request::get("/ogc/collections")
            .header(header::ORIGIN, "https://qgis.example.org")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(a.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), Some("*"));
    let preflight = send(
        &app,
        Request::builder()
            .method(Method::OPTIONS)
            .uri("/ogc/collections")
            .header(header::ORIGIN, "https://qgis.example.org")
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(preflight.status, StatusCode::OK);
    let methods = preflight
        .header(header::ACCESS_CONTROL_ALLOW_METHODS)
        .unwrap();
    assert!(
        methods.contains("GET") && !methods.contains("POST"),
        "{methods}"
    );
}

// ---------------------------------------------------------------------------------------------
// Tokens and limits.

fn post(uri: &str, token: Option<&str>, body: Vec<u8>) -> Request<Body> {
    let mut b = Request::post(uri)
        .header(header::CONTENT_TYPE, "text/csv")
        .header(header::CONTENT_LENGTH, body.len());
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    b.body(Body::from(body)).unwrap()
}

#[tokio::test]
async fn writes_need_a_token_and_read_only_says_so() {
    let read_only = fixture_app();
    let a = send(
        &read_only,
        post("/api/incidents", Some("x"), b"a,b".to_vec()),
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(a.json()["code"], "read_only");
    assert!(
        a.json()["description"]
            .as_str()
            .unwrap()
            .contains("read-only")
    );

    let config = ServerConfig {
        token: Some("s3cret".into()),
        ..ServerConfig::default()
    };
    let app = app_with(config);
    for token in [None, Some("wrong")] {
        let a = send(&app, post("/api/incidents", token, b"a,b".to_vec())).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{token:?}");
        assert_eq!(a.header(header::WWW_AUTHENTICATE), Some("Bearer"));
        assert_eq!(a.json()["code"], "unauthorized");
    }
    // The right token passes the check and reaches the handler, which has no store to write
    // to here: still read-only.
    let a = send(
        &app,
        post("/api/incidents", Some("s3cret"), b"a,b".to_vec()),
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(a.json()["code"], "read_only");
    let a = send(&app, post("/ogc", Some("s3cret"), b"a,b".to_vec())).await;
    assert_eq!(a.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(a.json()["code"], "method_not_allowed");
    assert!(a.header(header::ALLOW).unwrap().contains("GET"));
}

#[tokio::test]
async fn oversized_bodies_get_a_json_413() {
    let config = ServerConfig {
        token: Some("s3cret".into()),
        body_limit_bytes: 1024,
        ..ServerConfig::default()
    };
    let app = app_with(config);
    let a = send(
        &app,
        post("/api/incidents", Some("s3cret"), vec![b'x'; 2048]),
    )
    .await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(a.header(header::CONTENT_TYPE), Some("application/json"));
    let v = a.json();
    assert_eq!(v["code"], "payload_too_large");
    assert!(v["description"].as_str().unwrap().contains("1024"));
}

// ---------------------------------------------------------------------------------------------
// The OpenAPI document against the router and against real answers.

/// Checks `value` against an OpenAPI 3.0 schema (the subset the document uses: `$ref`,
/// `type`, `nullable`, `enum`, `required`, `properties`, `items`, `minimum`, `maximum`,
/// `minItems`, `maxItems`); returns every violation with its JSON path.
fn validate(doc: &Value, schema: &Value, value: &Value, path: &str, errors: &mut Vec<String>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r
            .strip_prefix("#/components/schemas/")
            .expect("local schema ref");
        let target = &doc["components"]["schemas"][name];
        assert!(!target.is_null(), "dangling $ref {r}");
        return validate(doc, target, value, path, errors);
    }
    if value.is_null() {
        if schema["nullable"] != true {
            errors.push(format!("{path}: null but not nullable"));
        }
        return;
    }
    if let Some(t) = schema.get("type").and_then(Value::as_str) {
        let ok = match t {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            other => panic!("schema type {other} not handled"),
        };
        if !ok {
            errors.push(format!("{path}: expected {t}, got {value}"));
            return;
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        errors.push(format!("{path}: {value} not in {allowed:?}"));
    }
    if let Some(n) = value.as_f64() {
        if schema
            .get("minimum")
            .and_then(Value::as_f64)
            .is_some_and(|m| n < m)
        {
            errors.push(format!("{path}: {n} below minimum"));
        }
        if schema
            .get("maximum")
            .and_then(Value::as_f64)
            .is_some_and(|m| n > m)
        {
            errors.push(format!("{path}: {n} above maximum"));
        }
    }
    if let Some(required) = schema.get("required").and_then(Value::as_array) {
        for key in required {
            if value.get(key.as_str().unwrap()).is_none() {
                errors.push(format!("{path}: missing required {key}"));
            }
        }
    }
    if let (Some(props), Some(obj)) = (
        schema.get("properties").and_then(Value::as_object),
        value.as_object(),
    ) {
        for (key, sub) in props {
            if let Some(v) = obj.get(key) {
                validate(doc, sub, v, &format!("{path}.{key}"), errors);
            }
        }
    }
    if let Some(arr) = value.as_array() {
        if let Some(items) = schema.get("items") {
            for (i, v) in arr.iter().enumerate() {
                validate(doc, items, v, &format!("{path}[{i}]"), errors);
            }
        }
        let len = arr.len() as u64;
        if schema
            .get("minItems")
            .and_then(Value::as_u64)
            .is_some_and(|m| len < m)
            || schema
                .get("maxItems")
                .and_then(Value::as_u64)
                .is_some_and(|m| len > m)
        {
            errors.push(format!("{path}: {len} items out of range"));
        }
    }
}

fn assert_valid(doc: &Value, schema: &Value, value: &Value, what: &str) {
    let mut errors = Vec::new();
    validate(doc, schema, value, "$", &mut errors);
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

#[test]
fn the_validator_can_fail() {
    let doc = openapi::document("http://localhost");
    let error = json!({ "$ref": "#/components/schemas/Error" });
    let mut errors = Vec::new();
    validate(&doc, &error, &json!({"code": "nope"}), "$", &mut errors);
    assert_eq!(errors.len(), 2, "{errors:?}");
    let fc = json!({ "$ref": "#/components/schemas/FeatureCollection" });
    let mut errors = Vec::new();
    validate(
        &doc,
        &fc,
        &json!({"type": "FeatureCollection", "features": [{"type": "Feature"}], "numberMatched": -1, "numberReturned": 0, "links": []}),
        "$",
        &mut errors,
    );
    assert!(
        errors.iter().any(|e| e.contains("numberMatched")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("features[0]")),
        "{errors:?}"
    );
}

/// A concrete path for a documented template, with a real id from the fixture.
fn concrete(template: &str, collection: &str, fid: &str) -> String {
    template
        .replace("{collectionId}", collection)
        .replace("{featureId}", fid)
}

#[tokio::test]
async fn openapi_matches_routes_and_real_responses() {
    let app = fixture_app();
    let a = get(&app, "/api/openapi.json").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(
        a.header(header::CONTENT_TYPE),
        Some("application/vnd.oai.openapi+json;version=3.0")
    );
    let doc = a.json();
    assert_eq!(doc["openapi"], "3.0.3");

    // Every route is documented, and nothing else is.
    let routes: BTreeSet<String> = route_table().iter().map(|r| r.openapi_path()).collect();
    let documented: BTreeSet<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(routes, documented);
    for r in route_table() {
        let path = r.openapi_path();
        let op = &doc["paths"][&path][r.method.as_str().to_lowercase()];
        assert!(op.is_object(), "{} {path} undocumented", r.method);
        // Every parameter reference resolves, and path parameters match the template.
        for p in op["parameters"].as_array().into_iter().flatten() {
            let name = p["$ref"].as_str().unwrap().rsplit('/').next().unwrap();
            let def = &doc["components"]["parameters"][name];
            assert_eq!(def["name"], name);
            if def["in"] == "path" {
                assert!(
                    path.contains(&format!("{{{name}}}")),
                    "{path} has no {name}"
                );
            }
        }
    }

    // Every documented 200 answer validates against its schema, for every collection (the
    // analysis collections' first cells are looked up).
    let first_cell = |v: Value| v["features"][0]["id"].as_str().unwrap().to_owned();
    let hot_cell = first_cell(get_ok(&app, "/ogc/collections/hotspots/items?limit=1").await);
    let emerging_cell = first_cell(get_ok(&app, "/ogc/collections/emerging/items?limit=1").await);
    let first_ids = [
        ("incidents", "log-1"),
        ("wards", "E05000001"),
        ("venues", "V1"),
        ("cameras", "C1"),
        ("hotspots", hot_cell.as_str()),
        ("emerging", emerging_cell.as_str()),
    ];
    let documented_collections =
        doc["components"]["parameters"]["collectionId"]["schema"]["enum"].clone();
    assert_eq!(
        documented_collections,
        json!([
            "incidents",
            "wards",
            "venues",
            "cameras",
            "hotspots",
            "emerging",
            "zones"
        ])
    );
    let leaflet_installed = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("web/node_modules/leaflet/dist/leaflet.js")
        .is_file();
    for r in route_table() {
        // Writes are checked against real answers in tests/server_ingest.rs.
        if r.method.as_str() != "GET" {
            continue;
        }
        let path = r.openapi_path();
        let contents = doc["paths"][&path]["get"]["responses"]["200"]["content"]
            .as_object()
            .unwrap();
        let uris: Vec<String> = if path.contains("{collectionId}") {
            first_ids
                .iter()
                .map(|(c, fid)| concrete(&path, c, fid))
                .collect()
        } else if path == "/tiles/{layer}" {
            vec!["/tiles/wards.json".to_owned()]
        } else if path == "/tiles/{layer}/{z}/{x}/{y}" {
            let t = hotspot::tiles::TileCoord::containing(-1.09, 50.79, 14).unwrap();
            vec![format!("/tiles/wards/14/{}/{}.geojson", t.x(), t.y())]
        } else if path == "/api/licensing/review" {
            vec!["/api/licensing/review?venue=V1".to_owned()]
        } else if path == "/api/licensing/zones" {
            vec!["/api/licensing/zones?min-venues=2&eps-m=1000&preset=all".to_owned()]
        } else if path == "/web/{path}" {
            vec!["/web/app.js".to_owned()]
        } else if path == "/api/patrol" {
            vec!["/api/patrol?ward=Alpha&shift=fri,sat%2022:00-02:00".to_owned()]
        } else if path == "/api/intervention" {
            vec!["/api/intervention?ward=Alpha&date=2017-07-01&before-months=1".to_owned()]
        } else if path == "/vendor/leaflet/{path}" {
            if !leaflet_installed {
                let a = get(&app, "/vendor/leaflet/leaflet.js").await;
                assert_eq!(a.status, StatusCode::NOT_FOUND);
                assert!(a.json()["description"].as_str().unwrap().contains("npm ci"));
                continue;
            }
            vec!["/vendor/leaflet/leaflet.js".to_owned()]
        } else {
            vec![path.clone()]
        };
        for uri in uris {
            let a = get(&app, &uri).await;
            assert_eq!(
                a.status,
                StatusCode::OK,
                "{uri}: {:?}",
                String::from_utf8_lossy(&a.body)
            );
            // The type served is one documented (the default format's, for the API).
            let served = a.header(header::CONTENT_TYPE).unwrap();
            let (media_type, content) = contents
                .iter()
                .find(|(m, _)| served.starts_with(m.as_str()))
                .unwrap_or_else(|| panic!("{uri}: {served} not among {:?}", contents.keys()));
            if media_type == "text/plain" {
                assert_eq!(json!(String::from_utf8_lossy(&a.body)), json!("ok"));
                continue;
            }
            if !media_type.contains("json") {
                continue;
            }
            let body = a.json();
            assert_valid(&doc, &content["schema"], &body, &uri);
            // Feature properties against the collection's own schema.
            let Some((collection, _)) = first_ids
                .iter()
                .find(|(c, _)| path.contains("{collectionId}") && uri.contains(&format!("/{c}")))
            else {
                continue;
            };
            let props = json!({ "$ref": format!("#/components/schemas/{collection}Properties") });
            let features: Vec<&Value> = match body["type"].as_str() {
                Some("FeatureCollection") => body["features"].as_array().unwrap().iter().collect(),
                Some("Feature") => vec![&body],
                _ => vec![],
            };
            for f in features {
                assert_valid(&doc, &props, &f["properties"], &format!("{uri} properties"));
            }
        }
    }

    // Documented error answers validate too.
    for uri in [
        "/ogc/collections/incidents/items?limit=0",
        "/ogc/collections/nope",
        "/ogc/collections/incidents/items/nope",
    ] {
        let a = get(&app, uri).await;
        let schema = &doc["paths"][if uri.contains("items/") {
            "/ogc/collections/{collectionId}/items/{featureId}"
        } else if uri.contains("items") {
            "/ogc/collections/{collectionId}/items"
        } else {
            "/ogc/collections/{collectionId}"
        }]["get"]["responses"][a.status.as_str()]["content"]["application/json"]["schema"];
        assert!(
            schema.is_object(),
            "{uri}: status {} undocumented",
            a.status
        );
        assert_valid(&doc, schema, &a.json(), uri);
    }
}

// ---------------------------------------------------------------------------------------------
// bbox through the R-tree against brute force.

fn random_snapshot(seed: u64, n: usize) -> Snapshot {
    let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
    let mut incidents = Vec::with_capacity(n);
    while incidents.len() < n {
        // Half around Portsmouth, half anywhere in the grid's lon/lat area.
        let (lon, lat) = if incidents.len() % 2 == 0 {
            (
                rng.random_range(-1.12..-1.02),
                rng.random_range(50.76..50.85),
            )
        } else {
            (rng.random_range(-8.5..1.7), rng.random_range(49.95..60.8))
        };
        let location = Wgs84::new(lon, lat).unwrap();
        if location.to_bng().is_err() {
            continue;
        }
        incidents.push(incident(Row {
            id: "x",
            source: Source::PoliceUk,
            category: Category::of_type(CrimeType::AntiSocialBehaviour),
            time: IncidentTime::Month {
                month: Month::new(2017, 6).unwrap(),
            },
            lonlat: (lon, lat),
            ward: None,
        }));
        let i = incidents.len() - 1;
        incidents[i].id = format!("r{i}");
    }
    Snapshot::build(SnapshotInput {
        version: 1,
        incidents,
        ..SnapshotInput::default()
    })
    .unwrap()
}

fn random_box(rng: &mut rand_pcg::Pcg64, k: usize) -> BBox {
    let (lons, lats) = match k % 3 {
        0 => ((-1.13, -1.01), (50.75, 50.86)),
        1 => ((-10.0, 3.0), (49.0, 62.0)),
        _ => ((-180.0, 180.0), (-90.0, 90.0)),
    };
    let mut a = [
        rng.random_range(lons.0..lons.1),
        rng.random_range(lons.0..lons.1),
    ];
    let mut b = [
        rng.random_range(lats.0..lats.1),
        rng.random_range(lats.0..lats.1),
    ];
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    BBox::parse(&format!("{},{},{},{}", a[0], b[0], a[1], b[1])).unwrap()
}

#[test]
fn bbox_rtree_equals_brute_force() {
    let snap = random_snapshot(42, 4000);
    let mut rng = rand_pcg::Pcg64::seed_from_u64(7);
    let mut non_empty = 0;
    for k in 0..300 {
        let bbox = random_box(&mut rng, k);
        let got = in_bbox(&snap, &bbox, |_| true);
        let want: Vec<u32> = snap
            .incidents
            .lonlat
            .iter()
            .enumerate()
            .filter(|(_, p)| bbox.contains(p[0], p[1]))
            .map(|(i, _)| i as u32)
            .collect();
        assert_eq!(got, want, "{bbox}");
        non_empty += usize::from(!want.is_empty());
    }
    assert!(non_empty > 100, "only {non_empty} boxes held points");
}

#[tokio::test]
async fn bbox_over_http_equals_brute_force() {
    let snap = random_snapshot(3, 1500);
    let brute: Vec<([f64; 2], String)> = snap
        .incidents
        .lonlat
        .iter()
        .copied()
        .zip(snap.incidents.id.iter().cloned())
        .collect();
    let app = app(AppState::new(snap, ServerConfig::default()));
    let mut rng = rand_pcg::Pcg64::seed_from_u64(11);
    for k in 0..30 {
        let bbox = random_box(&mut rng, k);
        let v = get_ok(
            &app,
            &format!("/ogc/collections/incidents/items?limit=10000&bbox={bbox}"),
        )
        .await;
        let want: Vec<String> = brute
            .iter()
            .filter(|(p, _)| bbox.contains(p[0], p[1]))
            .map(|(_, id)| id.clone())
            .collect();
        assert_eq!(ids(&v), want, "{bbox}");
        assert_eq!(v["numberMatched"], want.len());
    }
}

// ---------------------------------------------------------------------------------------------
// The real server on a socket.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_on_answers_then_stops_on_shutdown() {
    use std::io::Write;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    let shutdown = async move {
        // Wait for the test's signal off the async threads.
        let _ = tokio::task::spawn_blocking(move || stopped.recv()).await;
    };
    let server = tokio::spawn(hotspot::server::serve_on(
        listener,
        state_with(ServerConfig::default()),
        shutdown,
    ));
    let reply = tokio::task::spawn_blocking(move || {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut reply = String::new();
        s.read_to_string(&mut reply).unwrap();
        reply
    })
    .await
    .unwrap();
    assert!(reply.starts_with("HTTP/1.1 200 OK"), "{reply}");
    assert!(reply.ends_with("\r\n\r\nok"), "{reply}");
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}
