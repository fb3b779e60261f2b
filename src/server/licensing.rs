//! `GET /api/licensing/review` and `GET /api/licensing/zones`: the `hotspot licensing`
//! commands' results, with the same parameters without dashes.
//!
//! They answer as every `/api/*` analysis does ([`api`](super::api)): review `format` `json`
//! (default) | `geojson` | `csv` | `table`; zones `geojson` (default) | `json` | `csv` | `html`
//! (the printable cumulative impact report) | `table`; from the shared cache, so the `zones`
//! tile layer and OGC collection reuse the same analysis.

use axum::extract::{RawQuery, State};
use axum::response::Response;

use super::analyses::Endpoint;
use super::api::answer;
use super::error::ApiError;
use super::state::{AppState, Snap};

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
