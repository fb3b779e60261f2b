//! `GET /api/licensing/review` and `GET /api/licensing/zones`: the `hotspot licensing`
//! commands' results, with the same parameters without dashes.
//!
//! 1. Decode the query string ([`api::query_pairs`]) and take `format`: review `json`
//!    (default) | `geojson` | `csv` | `table`; zones `geojson` (default) | `json` | `csv` |
//!    `html` (the printable cumulative impact report) | `table`.
//! 2. Check the analysis parameters through `query` (the CLI's checks) and refuse leftovers.
//! 3. Fetch the analysis from the shared cache (so the `zones` tile layer and OGC collection
//!    reuse it) and render the format asked for.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::analyses::{Analysis, Endpoint, param_error};
use super::api::{self, Format};
use super::error::ApiError;
use super::state::{AppState, Snap};
use crate::index::Snapshot;
use crate::query::ParamBag;

/// Media type of the HTML report.
pub const HTML: &str = "text/html; charset=utf-8";
/// Media type of the text tables.
pub const TEXT: &str = "text/plain; charset=utf-8";

/// The formats `endpoint` serves, the default first.
pub fn choices(endpoint: Endpoint) -> &'static [&'static str] {
    match endpoint {
        Endpoint::LicensingReview => &["json", "geojson", "csv", "table"],
        _ => &["geojson", "json", "csv", "html", "table"],
    }
}

fn typed_text(text: String, media_type: &'static str) -> Response {
    let mut r = text.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    r
}

async fn answer(
    endpoint: Endpoint,
    state: AppState,
    snap: Arc<Snapshot>,
    query: Option<String>,
) -> Result<Response, ApiError> {
    let pairs = api::query_pairs(query.as_deref())?;
    let mut bag = ParamBag::new(pairs).map_err(|e| param_error(&e))?;
    let format = bag.one("format").map_err(|e| param_error(&e))?;
    let allowed = choices(endpoint);
    let format = match format.as_deref().map(str::trim) {
        None | Some("") => allowed[0],
        Some(t) => allowed
            .iter()
            .copied()
            .find(|c| c.eq_ignore_ascii_case(t))
            .ok_or_else(|| {
                ApiError::bad(
                    "format",
                    format!(
                        "format {t:?} is not served by /api/{}: use {}",
                        endpoint.name(),
                        allowed.join(", ")
                    ),
                )
            })?,
    };
    let request = api::analysis_request(endpoint, &mut bag, &snap, &state)?;
    api::finish(bag, endpoint, &["format"])?;
    let computed = state.analyses().computed(&snap, request).await?;
    Ok(match (format, &computed.analysis) {
        ("geojson", _) => api::render(&computed, &snap, Format::GeoJson),
        ("json", _) => api::render(&computed, &snap, Format::Json),
        ("csv", _) => api::render(&computed, &snap, Format::Csv),
        ("html", Analysis::LicensingZones(r)) => typed_text(r.html(&snap), HTML),
        (_, Analysis::LicensingZones(r)) => typed_text(r.table(&snap), TEXT),
        (_, Analysis::LicensingReview(r)) => typed_text(r.table(&snap), TEXT),
        (_, _) => {
            return Err(ApiError::Internal {
                detail: format!("/api/{} computed another analysis", endpoint.name()),
            });
        }
    })
}

/// `GET /api/licensing/review`: incidents around venues, shared 1/n where circles overlap.
pub async fn review(
    State(state): State<AppState>,
    Snap(snap): Snap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    answer(Endpoint::LicensingReview, state, snap, query).await
}

/// `GET /api/licensing/zones`: cumulative impact zones (DBSCAN clusters of venues).
pub async fn zones(
    State(state): State<AppState>,
    Snap(snap): Snap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    answer(Endpoint::LicensingZones, state, snap, query).await
}
