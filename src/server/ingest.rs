//! `POST /api/incidents`: ingest over HTTP, behind the bearer token.
//!
//! Steps:
//! 1. The token was checked before routing (every write is); without a configured token or
//!    store the server is read-only.
//! 2. The body is read by the reader its `Content-Type` names: `text/csv` is a police.uk
//!    street-level file, or, with `?mapping=NAME`, an incident log read with the mapping stored
//!    under that name (`hotspot import mapping`); `application/geo+json` is GeoJSON points.
//! 3. The workspace assigns wards and writes one transaction (`?strict=true` stores nothing
//!    when any row is malformed).
//! 4. A new snapshot is built and swapped in before the answer, so the new incidents show in
//!    tiles and analyses as soon as the call returns. The answer is the ingest report.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::error::ApiError;
use super::state::AppState;
use crate::ingest::{
    IngestError, Limits, Mapping, PoliceUkReader, read_geojson_incidents, read_log,
};
use crate::query::parse_bool;
use crate::store::Provenance;
use crate::workspace::Workspace;

/// The name rows are reported under.
const SOURCE_NAME: &str = "POST /api/incidents";

enum Body {
    PoliceUk,
    Log(String),
    GeoJson,
}

/// `POST /api/incidents`.
pub async fn post_incidents(
    State(state): State<AppState>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let Some(store) = state.config().store.clone() else {
        return Err(ApiError::ReadOnly);
    };
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(uri.query().unwrap_or(""))
        .map_err(|e| ApiError::bad("query", format!("not a query string: {e}")))?;
    let mut mapping = None;
    let mut strict = false;
    for (k, v) in &pairs {
        match k.as_str() {
            "mapping" => mapping = Some(v.clone()),
            "strict" => {
                strict = parse_bool(Some(v), "strict", false)
                    .map_err(|e| ApiError::bad(&e.parameter, e.message))?;
            }
            other => {
                return Err(ApiError::bad(
                    other,
                    "unknown parameter; accepted here: mapping, strict",
                ));
            }
        }
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    let kind = match (content_type.as_str(), mapping) {
        ("text/csv", None) => Body::PoliceUk,
        ("text/csv", Some(m)) => Body::Log(m),
        ("application/geo+json" | "application/json", None) => Body::GeoJson,
        (_, Some(_)) => {
            return Err(ApiError::bad(
                "mapping",
                "a mapping goes with a text/csv incident log",
            ));
        }
        (other, None) => {
            return Err(ApiError::bad(
                "Content-Type",
                format!(
                    "{other:?} is not text/csv (police.uk, or a log with ?mapping=NAME) or application/geo+json"
                ),
            ));
        }
    };
    let _guard = state.ingest_lock().lock().await;
    let task_state = state.clone();
    let answer = tokio::task::spawn_blocking(move || -> Result<serde_json::Value, ApiError> {
        let internal = |e: &dyn std::fmt::Display| ApiError::Internal { detail: e.to_string() };
        let mut ws = Workspace::open(&store).map_err(|e| internal(&e))?;
        let salt = ws.store().salt();
        let limits = Limits::default();
        let bad_body = |e: IngestError| ApiError::bad("body", e.to_string());
        let parsed = match kind {
            Body::PoliceUk => PoliceUkReader::new(limits)
                .read(SOURCE_NAME, &body[..])
                .map_err(bad_body)?,
            Body::Log(name) => {
                let text = ws
                    .store()
                    .mapping(&name)
                    .map_err(|e| internal(&e))?
                    .ok_or_else(|| ApiError::bad("mapping", format!("no mapping named {name:?} is stored (hotspot import mapping NAME FILE)")))?;
                let mapping = Mapping::from_toml(&name, &text).map_err(|e| ApiError::bad("mapping", e.to_string()))?;
                read_log(SOURCE_NAME, &body[..], &mapping, &salt, &limits).map_err(bad_body)?
            }
            Body::GeoJson => read_geojson_incidents(SOURCE_NAME, &body[..], &salt, &limits).map_err(bad_body)?,
        };
        let report = parsed.report.clone();
        let summary = ws
            .ingest(vec![(parsed.items, parsed.report)], strict, &Provenance::now(vec![SOURCE_NAME.into()]))
            .map_err(|e| internal(&e))?;
        if summary.added > 0 {
            let snapshot = ws.snapshot().map_err(|e| internal(&e))?;
            task_state.replace(snapshot);
        }
        Ok(json!({
            "report": report,
            "summary": summary,
            "version": task_state.snapshot().version(),
        }))
    })
    .await
    .map_err(|e| ApiError::Internal { detail: e.to_string() })??;
    Ok(axum::Json(answer).into_response())
}
