//! The "does it work?" API: `GET /api/knox`, `/api/repeats` (interface.md) and
//! `/api/intervention` (interface.md is silent; named after `hotspot intervention`) — the CLI
//! commands' results, with the same parameter names without dashes.
//!
//! 1. Decode the query string (as [`api`](super::api) does), take `format`, check the
//!    parameters through `query` (the CLI's checks) and refuse leftovers with a 400 naming them.
//! 2. Run the analysis on the blocking pool. These three are computed per request, not kept in
//!    the analysis cache: Knox results are small and its permutations are seeded, so a repeat
//!    request gives the same bytes; the ETag layer still answers unchanged requests with 304.
//! 3. Render. Formats: knox `json` (default) | `geojson` (near-repeat alerts as points);
//!    repeats `json` (default) | `geojson` (repeat locations as points) | `csv`; intervention
//!    `json`. (The CLI also prints text tables.)
//!
//! Repeat victims (`/api/repeats`) are shown only to a request that carries the server's
//! bearer token ([`check_bearer`]): with `victims=true` and no valid token the answer is 401
//! (403 on a server started without a token); with `victims` not given and no valid token
//! the victims part is left out (`"victims": null`) and `summary.victims_note` says why;
//! `victims=false` leaves it out for anyone. Requests with an `Authorization` header bypass
//! the shared ETag/304 layer and are answered `Cache-Control: private, no-store`, so no cache
//! keeps a response that holds victims.

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::analyses::{param_error, query_error};
use super::api::{CSV, blocking, query_pairs, typed_text};
use super::auth::check_bearer;
use super::error::ApiError;
use super::ogc::{GEOJSON, JSON, typed_json};
use super::state::{AppState, Snap};
use crate::query::{
    INTERVENTION_PARAMS, InterventionRequest, KNOX_PARAMS, KnoxRequest, ParamBag, REPEATS_PARAMS,
    RepeatsRequest, SELECTION_PARAMS, run_intervention, run_knox, run_repeats,
};

/// The format asked for, checked against `choices` (the default first).
fn format_of(
    bag: &mut ParamBag,
    path: &str,
    choices: &[&'static str],
) -> Result<&'static str, ApiError> {
    let text = bag.one("format").map_err(|e| param_error(&e))?;
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(choices[0]),
        Some(t) => choices
            .iter()
            .copied()
            .find(|c| c.eq_ignore_ascii_case(t))
            .ok_or_else(|| {
                ApiError::bad(
                    "format",
                    format!(
                        "format {t:?} is not served by {path}: use {}",
                        choices.join(", ")
                    ),
                )
            }),
    }
}

fn finish(bag: ParamBag, own: &[&str]) -> Result<(), ApiError> {
    let known: Vec<&str> = SELECTION_PARAMS
        .iter()
        .chain(own)
        .copied()
        .chain(["format"])
        .collect();
    bag.finish(&known).map_err(|e| param_error(&e))
}

/// `GET /api/knox`: the Knox near-repeat test and near-repeat alerts.
pub async fn knox(
    State(state): State<AppState>,
    Snap(snap): Snap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let mut bag = ParamBag::new(query_pairs(query.as_deref())?).map_err(|e| param_error(&e))?;
    let format = format_of(&mut bag, "/api/knox", &["json", "geojson"])?;
    let request = KnoxRequest::from_params(&mut bag, &snap, state.config().events.as_deref())
        .map_err(|e| param_error(&e))?;
    finish(bag, KNOX_PARAMS)?;
    let s = snap.clone();
    let run = blocking(move || run_knox(&s, &request).map_err(|e| query_error(&e))).await?;
    Ok(match format {
        "geojson" => typed_json(&run.geojson(&snap), GEOJSON),
        _ => typed_json(&run.json(&snap), JSON),
    })
}

/// `GET /api/repeats`: repeat locations, and repeat victims for holders of the token.
pub async fn repeats(
    State(state): State<AppState>,
    Snap(snap): Snap,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let mut bag = ParamBag::new(query_pairs(query.as_deref())?).map_err(|e| param_error(&e))?;
    let format = format_of(&mut bag, "/api/repeats", &["json", "geojson", "csv"])?;
    let mut request =
        RepeatsRequest::from_params(&mut bag, &snap, state.config().events.as_deref())
            .map_err(|e| param_error(&e))?;
    finish(bag, REPEATS_PARAMS)?;
    if request.victims != Some(false) {
        match check_bearer(state.config(), &headers) {
            Ok(()) => {}
            Err(e) if request.victims == Some(true) => return Err(e),
            Err(_) => {
                request.victims_hidden = Some(
                    "repeat victims are shown only with the server's token (Authorization: Bearer <token>)"
                        .to_owned(),
                );
            }
        }
    }
    let s = snap.clone();
    let result = blocking(move || run_repeats(&s, &request).map_err(|e| query_error(&e))).await?;
    Ok(match format {
        "geojson" => typed_json(&result.geojson(&snap), GEOJSON),
        "csv" => typed_text(result.csv(&snap), CSV),
        _ => typed_json(&result.json(&snap), JSON),
    })
}

/// `GET /api/intervention`: counts before/after in target, buffer and control; the WDQ.
pub async fn intervention(
    State(state): State<AppState>,
    Snap(snap): Snap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let mut bag = ParamBag::new(query_pairs(query.as_deref())?).map_err(|e| param_error(&e))?;
    let format = format_of(&mut bag, "/api/intervention", &["json"])?;
    let request =
        InterventionRequest::from_params(&mut bag, &snap, state.config().events.as_deref())
            .map_err(|e| param_error(&e))?;
    finish(bag, INTERVENTION_PARAMS)?;
    let s = snap.clone();
    let result =
        blocking(move || run_intervention(&s, &request).map_err(|e| query_error(&e))).await?;
    debug_assert_eq!(format, "json");
    Ok(typed_json(&result.json(&snap), JSON))
}

/// Adds the three paths and their parameters to the OpenAPI document.
pub fn extend_openapi(doc: &mut Value) {
    let q = |name: &str, description: &str, schema: Value| -> (String, Value) {
        (
            name.to_owned(),
            json!({ "name": name, "in": "query", "required": false, "description": description, "schema": schema }),
        )
    };
    let text = || json!({ "type": "string" });
    let list = || json!({ "type": "array", "items": { "type": "string" } });
    let mut params: Map<String, Value> = [
        q("space-bands-m", "Knox: upper edges of the space bands in metres, comma list (default 100,200,300,400); bands [0, 0.001) same location, [0.001, b1), [b1, b2) ... [bk, inf), Euclidean.", text()),
        q("time-bands-days", "Knox: upper edges of the time bands in days, comma list (default 7,14,21,28); [0, 7) = 0 to 6 days apart.", text()),
        q("min", "Repeats: least incidents that make a repeat (default 3).", json!({ "type": "integer", "minimum": 2, "maximum": 1000, "default": 3 })),
        q("within-days", "Repeats: the incidents' last date minus first is at most this (default 180); month-only places use round(N/30.4375) calendar months.", json!({ "type": "integer", "minimum": 1, "maximum": 3650, "default": 180 })),
        q("tolerance-m", "Repeats: log positions closer than this are one place, metres (default 10); police.uk rows group by snap point.", json!({ "type": "number", "minimum": 0, "maximum": 100, "default": 10 })),
        q("victims", "Repeats: repeat victims/callers (hash-derived ids only). Shown only with Authorization: Bearer <token>; true without a valid token = 401 (403 on a read-only server); not given without a token = left out, with summary.victims_note saying why.", json!({ "type": "boolean" })),
        q("polygon", "Intervention target: a GeoJSON Polygon/MultiPolygon geometry, Feature or FeatureCollection in lon/lat (URL-encoded).", text()),
        q("camera", "Intervention target: an imported camera's id (the disc of its radius_m).", text()),
        q("buffer-m", "Intervention: width of the buffer ring around the target, metres (default 200).", json!({ "type": "number", "minimum": 0, "maximum": 5000, "default": 200 })),
        q("control-ward", "Intervention: control wards, repeatable or a comma list (default: the rest of the study area outside target and buffer).", list()),
        q("date", "Intervention: first day of the intervention, YYYY-MM-DD (or YYYY-MM for its first day). Required.", text()),
        q("before-months", "Intervention: months before the date (default: after-months, else 6).", json!({ "type": "integer", "minimum": 1, "maximum": 60 })),
        q("after-months", "Intervention: months from the date on (default: before-months, else 6).", json!({ "type": "integer", "minimum": 1, "maximum": 60 })),
    ]
    .into_iter()
    .collect();
    params["control-ward"]["style"] = json!("form");
    params["control-ward"]["explode"] = json!(true);
    if let Some(p) = doc["components"]["parameters"].as_object_mut() {
        for (k, v) in params {
            p.entry(k).or_insert(v);
        }
    }
    let refs = |own: &[&str]| -> Vec<Value> {
        SELECTION_PARAMS
            .iter()
            .chain(own)
            .chain(&["format"])
            .map(|n| json!({ "$ref": format!("#/components/parameters/{n}") }))
            .collect()
    };
    let error = |d: &str| json!({ "description": d, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } });
    let result = || json!({ "type": "object", "required": ["parameters", "summary"] });
    let op = |summary: &str, own: &[&str], content: Value, extra: &[(&str, Value)]| {
        let mut responses = json!({
            "200": { "description": "The result", "content": content },
            "304": { "description": "Not modified (If-None-Match matched the ETag)" },
            "400": error("A query parameter is malformed, out of range or unknown, or nothing can be tested (e.g. Knox on month-only rows)"),
            "500": error("Internal error"),
        });
        for (code, v) in extra {
            responses[*code] = v.clone();
        }
        json!({ "get": { "summary": summary, "parameters": refs(own), "responses": responses } })
    };
    if let Some(paths) = doc["paths"].as_object_mut() {
        paths.insert(
            "/api/knox".into(),
            op(
                "Knox near-repeat test (as `hotspot knox`): bands [a, b), Monte Carlo p per band, one max-T global test, narrative and near-repeat alerts; format=json (default) or geojson (alerts as points)",
                KNOX_PARAMS,
                json!({ JSON: { "schema": result() }, GEOJSON: { "schema": result() } }),
                &[],
            ),
        );
        paths.insert(
            "/api/repeats".into(),
            op(
                "Repeat locations (3 in 6 months by default) with their trend, and repeat victims for holders of the token (as `hotspot repeats`); format=json (default), geojson or csv",
                REPEATS_PARAMS,
                json!({ JSON: { "schema": result() }, GEOJSON: { "schema": result() }, CSV: { "schema": { "type": "string" } } }),
                &[
                    ("401", error("victims=true without a valid token")),
                    ("403", error("victims=true on a server started without a token")),
                ],
            ),
        );
        paths.insert(
            "/api/intervention".into(),
            op(
                "Intervention evaluation (as `hotspot intervention`): counts before and after a date in a target (ward, polygon or camera), a buffer ring and a control area, and the Weighted Displacement Quotient (Bowers & Johnson 2003)",
                INTERVENTION_PARAMS,
                json!({ JSON: { "schema": result() } }),
                &[],
            ),
        );
    }
}
