//! The analysis API: `GET /api/stats`, `/api/hotspots`, `/api/emerging`, `/api/density` —
//! the CLI commands' results, with the same parameter names without dashes (interface.md).
//!
//! 1. Decode the query string into its `name=value` pairs, in order, repeats kept (so
//!    `ward=A&ward=B` and `ward=A,B` both work), at most [`MAX_QUERY_BYTES`].
//! 2. Take `format` (cell analyses: `geojson` (default) | `json` | `csv`; stats: `json`
//!    (default) | `csv`), check the analysis parameters through `query` (the CLI's checks),
//!    and refuse any parameter left over with a 400 naming it.
//! 3. Fetch the analysis from the [`AnalysisCache`](super::analyses::AnalysisCache) (computed
//!    once per snapshot version and checked request), and render the format asked for.
//!
//! Errors: a bad parameter is a 400 naming it; an empty selection is a 400 saying why; a
//! failure of the analysis itself is a logged 500.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::analyses::{AnalysisRequest, Computed, Endpoint, param_error};
use super::error::ApiError;
use super::extract::MAX_QUERY_BYTES;
use super::ogc::{GEOJSON, JSON, typed_json};
use super::state::{AppState, Snap};
use crate::index::Snapshot;
use crate::query::ParamBag;

/// Media type of CSV answers.
pub const CSV: &str = "text/csv; charset=utf-8";
/// Media type of printable HTML reports.
pub const HTML: &str = "text/html; charset=utf-8";
/// Media type of text tables.
pub const TEXT: &str = "text/plain; charset=utf-8";

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A GeoJSON FeatureCollection with `parameters` and `summary`.
    GeoJson,
    /// JSON without geometry.
    Json,
    /// CSV with a header row.
    Csv,
    /// A printable HTML report (licensing zones).
    Html,
    /// A text table (licensing).
    Table,
}

impl Format {
    /// The formats `endpoint` serves, the default first.
    pub fn choices(endpoint: Endpoint) -> &'static [&'static str] {
        match endpoint {
            Endpoint::Stats | Endpoint::Evaluate => &["json", "csv"],
            Endpoint::LicensingReview => &["json", "geojson", "csv", "table"],
            Endpoint::LicensingZones => &["geojson", "json", "csv", "html", "table"],
            _ => &["geojson", "json", "csv"],
        }
    }

    /// Checks `format` for `endpoint`.
    pub fn parse(endpoint: Endpoint, text: Option<&str>) -> Result<Format, ApiError> {
        let choices = Format::choices(endpoint);
        let name = match text.map(str::trim) {
            None | Some("") => choices[0],
            Some(t) => choices
                .iter()
                .copied()
                .find(|c| c.eq_ignore_ascii_case(t))
                .ok_or_else(|| {
                    ApiError::bad(
                        "format",
                        format!(
                            "format {t:?} is not served by /api/{}: use {}",
                            endpoint.name(),
                            choices.join(", ")
                        ),
                    )
                })?,
        };
        Ok(match name {
            "geojson" => Format::GeoJson,
            "json" => Format::Json,
            "html" => Format::Html,
            "table" => Format::Table,
            _ => Format::Csv,
        })
    }
}

/// The query string's pairs, decoded, in order, repeats kept.
pub fn query_pairs(query: Option<&str>) -> Result<Vec<(String, String)>, ApiError> {
    let query = query.unwrap_or_default();
    if query.len() > MAX_QUERY_BYTES {
        return Err(ApiError::bad(
            "query",
            format!(
                "the query string is {} bytes; at most {MAX_QUERY_BYTES} are accepted",
                query.len()
            ),
        ));
    }
    serde_urlencoded::from_str(query)
        .map_err(|e| ApiError::bad("query", format!("the query string cannot be decoded: {e}")))
}

/// Checks the analysis parameters in `bag` into a request of `endpoint`, with the server's
/// event calendar for `calendar=events`.
pub fn analysis_request(
    endpoint: Endpoint,
    bag: &mut ParamBag,
    snap: &Snapshot,
    state: &AppState,
) -> Result<AnalysisRequest, ApiError> {
    AnalysisRequest::from_params(endpoint, bag, snap, state.config().events.as_deref())
        .map_err(|e| param_error(&e))
}

/// Errors on a parameter nobody took, listing `endpoint`'s and `also`.
pub fn finish(bag: ParamBag, endpoint: Endpoint, also: &[&str]) -> Result<(), ApiError> {
    let known: Vec<&str> = endpoint
        .params()
        .into_iter()
        .chain(also.iter().copied())
        .collect();
    bag.finish(&known).map_err(|e| param_error(&e))
}

/// Renders a computed analysis in `format` (one [`Format::choices`] allows for its endpoint).
pub fn render(computed: &Computed, snap: &Snapshot, format: Format) -> Response {
    let a = &computed.analysis;
    match format {
        Format::GeoJson => typed_json(&a.geojson(snap), GEOJSON),
        Format::Json => typed_json(&a.json(snap), JSON),
        Format::Csv => typed_text(a.csv(snap), CSV),
        Format::Html => typed_text(a.html(snap).unwrap_or_default(), HTML),
        Format::Table => typed_text(a.table(snap).unwrap_or_default(), TEXT),
    }
}

/// A text body (CSV, HTML, plain text, GPX ...) with the given media type.
pub fn typed_text(body: String, media_type: &'static str) -> Response {
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    r
}

/// Runs CPU-bound work (an analysis run per request) on the blocking pool.
pub(super) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Internal {
            detail: format!("analysis task failed: {e}"),
        })?
}

pub(super) async fn answer(
    endpoint: Endpoint,
    state: AppState,
    snap: Arc<Snapshot>,
    query: Option<String>,
) -> Result<Response, ApiError> {
    let pairs = query_pairs(query.as_deref())?;
    let mut bag = ParamBag::new(pairs).map_err(|e| param_error(&e))?;
    let format = bag.one("format").map_err(|e| param_error(&e))?;
    let format = Format::parse(endpoint, format.as_deref())?;
    let request = analysis_request(endpoint, &mut bag, &snap, &state)?;
    finish(bag, endpoint, &["format"])?;
    let computed = state.analyses().computed(&snap, request).await?;
    Ok(render(&computed, &snap, format))
}

/// `GET /api/stats`: counts by ward, month, category, hour, weekday.
pub async fn stats(
    State(state): State<AppState>,
    Snap(snap): Snap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    answer(Endpoint::Stats, state, snap, query).await
}

/// `GET /api/hotspots`: Getis-Ord Gi* per H3 cell.
pub async fn hotspots(
    State(state): State<AppState>,
    Snap(snap): Snap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    answer(Endpoint::Hotspots, state, snap, query).await
}

/// `GET /api/emerging`: emerging hot spot patterns per H3 cell.
pub async fn emerging(
    State(state): State<AppState>,
    Snap(snap): Snap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    answer(Endpoint::Emerging, state, snap, query).await
}

/// `GET /api/density`: kernel density per H3 cell or grid square.
pub async fn density(
    State(state): State<AppState>,
    Snap(snap): Snap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    answer(Endpoint::Density, state, snap, query).await
}

/// `GET /api/evaluate`: backtests of the hot spot methods (PAI, PEI, RRI) and concentration.
pub async fn evaluate(
    State(state): State<AppState>,
    Snap(snap): Snap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    answer(Endpoint::Evaluate, state, snap, query).await
}

/// `GET /api/cctv`: mobile CCTV sites (maximal covering location) and the rotation backtest.
pub async fn cctv(
    State(state): State<AppState>,
    Snap(snap): Snap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    answer(Endpoint::Cctv, state, snap, query).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_per_endpoint() {
        assert_eq!(
            Format::parse(Endpoint::Hotspots, None).unwrap(),
            Format::GeoJson
        );
        assert_eq!(Format::parse(Endpoint::Stats, None).unwrap(), Format::Json);
        assert_eq!(
            Format::parse(Endpoint::Density, Some("CSV")).unwrap(),
            Format::Csv
        );
        let e = Format::parse(Endpoint::Stats, Some("geojson")).unwrap_err();
        assert_eq!(e.parameter(), Some("format"));
        assert!(e.to_string().contains("json, csv"), "{e}");
    }

    #[test]
    fn pairs_keep_order_and_repeats() {
        assert_eq!(
            query_pairs(Some("ward=A&ward=B%2CC&k=2")).unwrap(),
            vec![
                ("ward".to_owned(), "A".to_owned()),
                ("ward".to_owned(), "B,C".to_owned()),
                ("k".to_owned(), "2".to_owned()),
            ]
        );
        assert!(query_pairs(None).unwrap().is_empty());
        let long = "a".repeat(MAX_QUERY_BYTES + 1);
        assert_eq!(
            query_pairs(Some(&long)).unwrap_err().parameter(),
            Some("query")
        );
    }
}
