//! `POST /api/incidents` end to end, in-process: token rules, the three body kinds, the report,
//! and the new incidents showing in the API as soon as the call returns.

use std::path::Path;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use hotspot::demo::build_demo;
use hotspot::server::{AppState, ServerConfig, app};
use hotspot::workspace::Workspace;
use serde_json::Value;
use tower::ServiceExt;

const TOKEN: &str = "s3cret-token";

fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"))
}

/// The demo store and an app over it that may write to it.
fn setup(token: Option<&str>) -> (tempfile::TempDir, Router, AppState) {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("demo.gpkg");
    build_demo(&store, fixtures()).unwrap();
    let snap = Workspace::open(&store).unwrap().snapshot().unwrap();
    let mut config = ServerConfig::default().with_store(&store);
    config.token = token.map(str::to_owned);
    let state = AppState::new(snap, config);
    (dir, app(state.clone()), state)
}

async fn call(app: &Router, req: Request<Body>) -> (StatusCode, Value) {
    let r = app.clone().oneshot(req).await.unwrap();
    let status = r.status();
    let bytes = axum::body::to_bytes(r.into_body(), 1 << 26).await.unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn post(uri: &str, content_type: &str, token: Option<&str>, body: Vec<u8>) -> Request<Body> {
    let mut b = Request::post(uri).header(header::CONTENT_TYPE, content_type);
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    b.body(Body::from(body)).unwrap()
}

async fn stats_total(app: &Router) -> f64 {
    let (status, v) = call(app, Request::get("/api/stats").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    v["total"].as_f64().unwrap()
}

fn geojson_points() -> Vec<u8> {
    serde_json::json!({
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-1.0915, 50.7985]},
             "properties": {"id": "post-1", "timestamp": "2024-12-20T23:30:00", "category": "asb"}},
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-1.0916, 50.7986]},
             "properties": {"id": "post-2", "timestamp": "2024-12-21T00:10:00", "category": "violence"}}
        ]
    })
    .to_string()
    .into_bytes()
}

#[tokio::test]
async fn police_uk_csv_with_the_token_is_stored_and_shows_at_once() {
    let (_dir, app, state) = setup(Some(TOKEN));
    let before = stats_total(&app).await;
    let version = state.snapshot().version();
    // 500 police.uk rows over the same synthetic city (not part of the demo store).
    let mut csv = Vec::new();
    hotspot::synth::write_police_uk_rows(500, 99, &mut csv).unwrap();
    let (status, v) = call(
        &app,
        post("/api/incidents", "text/csv", Some(TOKEN), csv.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["report"]["rows_read"], 500);
    assert_eq!(v["summary"]["added"], 500);
    assert!(v["version"].as_u64().unwrap() > version);
    assert_eq!(stats_total(&app).await, before + 500.0);
    // The same file again adds nothing.
    let (status, v) = call(&app, post("/api/incidents", "text/csv", Some(TOKEN), csv)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["summary"]["added"], 0);
    assert_eq!(v["summary"]["duplicates"], 500);
}

#[tokio::test]
async fn geojson_and_mapped_logs_are_accepted() {
    let (_dir, app, _state) = setup(Some(TOKEN));
    let before = stats_total(&app).await;
    let (status, v) = call(
        &app,
        post(
            "/api/incidents",
            "application/geo+json",
            Some(TOKEN),
            geojson_points(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["summary"]["added"], 2);
    let log = "ref,date,time,from,to,lat,lon,category,alcohol,street,caller_ref\n\
               X-1,20/12/2024,23:15,,,50.7985,-1.0915,Assault,Y,Guildhall Walk,\n";
    let (status, v) = call(
        &app,
        post(
            "/api/incidents?mapping=incidents-log",
            "text/csv",
            Some(TOKEN),
            log.as_bytes().to_vec(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["summary"]["added"], 1);
    assert_eq!(stats_total(&app).await, before + 3.0);
}

#[tokio::test]
async fn token_rules_and_bad_requests() {
    let (_dir, app, _state) = setup(Some(TOKEN));
    let body = geojson_points();
    let (status, v) = call(
        &app,
        post("/api/incidents", "application/geo+json", None, body.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{v}");
    let (status, _) = call(
        &app,
        post(
            "/api/incidents",
            "application/geo+json",
            Some("wrong"),
            body.clone(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, v) = call(
        &app,
        post("/api/incidents", "text/plain", Some(TOKEN), body.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(v["parameter"], "Content-Type");
    let (status, v) = call(
        &app,
        post(
            "/api/incidents?mapping=nope",
            "text/csv",
            Some(TOKEN),
            b"a,b\n".to_vec(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(v["parameter"], "mapping");
    let (status, v) = call(
        &app,
        post(
            "/api/incidents",
            "text/csv",
            Some(TOKEN),
            b"not,a,police,file\n1,2,3,4\n".to_vec(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["parameter"], "body");
    // Without a configured token the server is read-only.
    let (_dir2, read_only, _) = setup(None);
    let (status, _) = call(
        &read_only,
        post("/api/incidents", "application/geo+json", Some(TOKEN), body),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
