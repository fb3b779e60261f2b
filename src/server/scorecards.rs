//! `GET /api/licensing/purple-flag` and `GET /api/targets`: the Purple Flag scorecard and the
//! plan targets, with the CLI's parameters (without dashes) and checks.
//!
//! 1. Decode the query string (at most [`super::extract::MAX_QUERY_BYTES`]; each value at
//!    most [`crate::query::MAX_VALUE_LEN`] bytes, which caps a `polygon` given as GeoJSON text).
//! 2. Take `format` (purple-flag: `json` (default) | `html` | `csv`; targets: `json` (default)
//!    | `csv`), check the rest into the request, refuse leftovers with a 400 naming them.
//! 3. Run on the blocking pool and render. Conditional GETs (ETag, 304) come from the
//!    server's cache layer like every other GET.
//!
//! `zone` is resolved through [`zone_lookup`]: the zones of `hotspot licensing zones` with its
//! default parameters.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::analyses::{param_error, query_error};
use super::api::{CSV, HTML, blocking, query_pairs, typed_text};
use super::error::ApiError;
use super::ogc::{JSON, typed_json};
use super::state::{AppState, Snap};
use crate::index::Snapshot;
use crate::query::{
    PURPLE_FLAG_PARAMS, ParamBag, PurpleFlagRequest, TARGETS_PARAMS, TargetsRequest, Zone,
    ZoneLookup, ZonesRequest, parse_polygon, run_purple_flag, run_targets, run_zones,
    zone_geometry,
};
use geo::MultiPolygon;

/// The zone lookup the CLI and the server use for `zone=ID`: the cumulative impact zones of
/// `hotspot licensing zones` with their default parameters (`nte` window, eps 100 m, 5 venues),
/// so `zone-1` here is `zone-1` there.
pub fn zone_lookup() -> Option<ZoneLookup<'static>> {
    Some(&default_zone)
}

/// The lon/lat boundary of zone `id` of the default zones run, or an error listing the ids.
fn default_zone(snap: &Snapshot, id: &str) -> Result<MultiPolygon<f64>, String> {
    let mut bag = ParamBag::new(Vec::<(String, String)>::new()).map_err(|e| e.to_string())?;
    let request = ZonesRequest::from_params(&mut bag, snap, None).map_err(|e| e.to_string())?;
    let zones = run_zones(snap, &request).map_err(|e| e.to_string())?;
    let id = id.trim();
    let Some(zone) = zones.zones.iter().find(|z| z.id().eq_ignore_ascii_case(id)) else {
        let known: Vec<String> = zones.zones.iter().map(Zone::id).collect();
        return Err(if known.is_empty() {
            format!("no zone {id:?}: the default zones run (hotspot licensing zones) found none")
        } else {
            format!("no zone {id:?}; the zones are {}", known.join(", "))
        });
    };
    parse_polygon(&zone_geometry(&zone.polygon_m).to_string()).map_err(|e| e.to_string())
}

fn format_of(bag: &mut ParamBag, path: &str, choices: &[&str]) -> Result<String, ApiError> {
    let f = bag.one("format").map_err(|e| param_error(&e))?;
    match f.as_deref().map(str::trim) {
        None | Some("") => Ok(choices[0].to_owned()),
        Some(t) => choices
            .iter()
            .find(|c| c.eq_ignore_ascii_case(t))
            .map(|c| (*c).to_owned())
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

/// `GET /api/licensing/purple-flag`: the Purple Flag scorecard of an area.
pub async fn purple_flag(
    State(_state): State<AppState>,
    Snap(snap): Snap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let path = "/api/licensing/purple-flag";
    let mut bag = ParamBag::new(query_pairs(query.as_deref())?).map_err(|e| param_error(&e))?;
    let format = format_of(&mut bag, path, &["json", "html", "csv"])?;
    let request = PurpleFlagRequest::from_params(&mut bag, &snap, None, zone_lookup())
        .map_err(|e| param_error(&e))?;
    let mut known = PURPLE_FLAG_PARAMS.to_vec();
    known.push("format");
    bag.finish(&known).map_err(|e| param_error(&e))?;
    let snap: Arc<Snapshot> = Arc::clone(&snap);
    blocking(move || {
        let res = run_purple_flag(&snap, &request).map_err(|e| query_error(&e))?;
        Ok(match format.as_str() {
            "html" => typed_text(res.html(), HTML),
            "csv" => typed_text(res.csv(), CSV),
            _ => typed_json(&res.json(), JSON),
        })
    })
    .await
}

/// `GET /api/targets`: plan targets per ward and city.
pub async fn targets(
    State(_state): State<AppState>,
    Snap(snap): Snap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let path = "/api/targets";
    let mut bag = ParamBag::new(query_pairs(query.as_deref())?).map_err(|e| param_error(&e))?;
    let format = format_of(&mut bag, path, &["json", "csv"])?;
    let request = TargetsRequest::from_params(&mut bag, &snap).map_err(|e| param_error(&e))?;
    let mut known = TARGETS_PARAMS.to_vec();
    known.push("format");
    bag.finish(&known).map_err(|e| param_error(&e))?;
    let snap: Arc<Snapshot> = Arc::clone(&snap);
    blocking(move || {
        let res = run_targets(&snap, &request).map_err(|e| query_error(&e))?;
        Ok(match format.as_str() {
            "csv" => typed_text(res.csv(), CSV),
            _ => typed_json(&res.json(), JSON),
        })
    })
    .await
}

fn operation(summary: &str, parameters: &[&str], html: bool, required: &[&str]) -> Value {
    let params: Vec<Value> = parameters
        .iter()
        .map(|p| json!({ "$ref": format!("#/components/parameters/{p}") }))
        .collect();
    let error = |d: &str| json!({ "description": d, "content": { JSON: { "schema": { "$ref": "#/components/schemas/Error" } } } });
    let mut content = json!({
        JSON: { "schema": { "type": "object", "required": required } },
        CSV: { "schema": { "type": "string" } },
    });
    if html {
        content[HTML] = json!({ "schema": { "type": "string" } });
    }
    json!({
        "get": {
            "summary": summary,
            "parameters": params,
            "responses": {
                "200": {
                    "description": format!("The result; format= chooses among json, {}csv", if html { "html, " } else { "" }),
                    "content": content,
                },
                "304": { "description": "Not modified (If-None-Match matched the ETag)" },
                "400": error("A query parameter is malformed, out of range or unknown"),
                "500": error("Internal error"),
            },
        }
    })
}

/// The OpenAPI operation of `/api/licensing/purple-flag`.
pub fn purple_flag_openapi() -> Value {
    operation(
        "Purple Flag scorecard of an area (as `hotspot licensing purple-flag`): crime and ASB on Friday and Saturday nights 17:00-05:00 and every night 17:00-05:00, all vs alcohol-related, by category group, per 12-month period with % change; rates per venue, km² and 1,000 residents; hour profile; Gi* cold cells. The area: polygon, ward or zone; none = every ward (the city).",
        &["polygon", "ward", "zone", "from", "to", "periods", "format"],
        true,
        &[
            "parameters",
            "summary",
            "coverage",
            "kpi",
            "hour_profile",
            "safer_areas",
        ],
    )
}

/// The OpenAPI operation of `/api/targets`.
pub fn targets_openapi() -> Value {
    operation(
        "Plan targets per ward and city (as `hotspot targets`): ASB reported to the police vs a 3 % a year fall, alcohol-related crime per 1,000 residents vs the 12.2 -> 10 line, total crime vs a 20 % fall over five years, with coverage",
        &[
            "baseline-year",
            "year",
            "alcohol-baseline",
            "alcohol-target",
            "alcohol-years",
            "format",
        ],
        false,
        &["parameters", "summary", "coverage", "rows"],
    )
}

/// Adds both operations' query parameters to the OpenAPI components, and `html` to `format`.
pub fn openapi_parameters(p: &mut Map<String, Value>) {
    let q = |name: &str, description: &str, schema: Value| -> (String, Value) {
        (
            name.to_owned(),
            json!({ "name": name, "in": "query", "required": false, "description": description, "schema": schema }),
        )
    };
    p.extend([
        q("polygon", "Purple Flag: the area as GeoJSON Polygon/MultiPolygon geometry text (lon/lat), at most 4096 bytes; or give ward or zone; none = every ward (the city).", json!({ "type": "string" })),
        q("zone", "Purple Flag: a cumulative impact zone id (from /api/licensing/zones).", json!({ "type": "string" })),
        q("periods", "Purple Flag: number of 12-month periods ending at `to`. Default 3.", json!({ "type": "integer", "minimum": 1, "maximum": 10, "default": 3 })),
        q("baseline-year", "Targets: baseline year; default the first full calendar year in the data.", json!({ "type": "integer", "minimum": 1990, "maximum": 2100 })),
        q("year", "Targets: year judged; default the latest full calendar year.", json!({ "type": "integer", "minimum": 1990, "maximum": 2100 })),
        q("alcohol-baseline", "Targets: alcohol-related crime per 1,000 residents at the baseline. Default 12.2.", json!({ "type": "number", "default": 12.2 })),
        q("alcohol-target", "Targets: alcohol-related crime per 1,000 residents to reach. Default 10.", json!({ "type": "number", "default": 10 })),
        q("alcohol-years", "Targets: years to reach the alcohol target. Default 5.", json!({ "type": "integer", "minimum": 1, "maximum": 20, "default": 5 })),
    ]);
    if let Some(e) = p
        .get_mut("format")
        .and_then(|f| f["schema"]["enum"].as_array_mut())
    {
        e.push(json!("html"));
    }
}
