//! `GET /api/patrol`: a warden patrol plan, as `hotspot patrol` makes it, in `html` (the
//! printable page, `text/html`, the default as on the CLI), `geojson`, `gpx` or `json`.
//!
//! 1. Decode the query string ([`query_pairs`]), take `format`, check the plan's parameters
//!    through [`PatrolRequest::from_params`] (the CLI's checks) and refuse any leftover
//!    parameter with a 400 naming it.
//! 2. Plan on the blocking pool (a plan is milliseconds of CPU; it is not cached, the ETag
//!    layer still answers 304 to a repeated request on an unchanged snapshot).
//! 3. Render the format asked for.

use axum::extract::{RawQuery, State};
use axum::response::Response;

use super::analyses::{param_error, query_error};
use super::api::{HTML, query_pairs, typed_text};
use super::error::ApiError;
use super::ogc::{GEOJSON, JSON, typed_json};
use super::state::{AppState, Snap};
use crate::query::{PATROL_PARAMS, ParamBag, PatrolRequest, SELECTION_PARAMS, run_patrol};

/// Formats `/api/patrol` serves, the default first.
pub const PATROL_FORMATS: &[&str] = &["html", "geojson", "gpx", "json"];

/// Media type of GPX files.
pub const GPX: &str = "application/gpx+xml";

/// `GET /api/patrol`.
pub async fn patrol(
    State(state): State<AppState>,
    Snap(snap): Snap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let pairs = query_pairs(query.as_deref())?;
    let mut bag = ParamBag::new(pairs).map_err(|e| param_error(&e))?;
    let format = match bag.one("format").map_err(|e| param_error(&e))? {
        None => "html".to_owned(),
        Some(t) => {
            let t = t.trim().to_ascii_lowercase();
            if !PATROL_FORMATS.contains(&t.as_str()) {
                return Err(ApiError::bad(
                    "format",
                    format!(
                        "format {t:?} is not served by /api/patrol: use {}",
                        PATROL_FORMATS.join(", ")
                    ),
                ));
            }
            t
        }
    };
    let request = PatrolRequest::from_params(&mut bag, &snap, state.config().events.as_deref())
        .map_err(|e| param_error(&e))?;
    let known: Vec<&str> = SELECTION_PARAMS
        .iter()
        .chain(PATROL_PARAMS)
        .chain(&["format"])
        .copied()
        .collect();
    bag.finish(&known).map_err(|e| param_error(&e))?;
    let rendered = tokio::task::spawn_blocking(move || {
        let plan = run_patrol(&snap, &request).map_err(|e| query_error(&e))?;
        Ok::<_, ApiError>(match format.as_str() {
            "geojson" => typed_json(&plan.geojson(&snap), GEOJSON),
            "json" => typed_json(&plan.json(&snap), JSON),
            "gpx" => typed_text(
                plan.gpx(&snap).map_err(|e| ApiError::Internal {
                    detail: e.to_string(),
                })?,
                GPX,
            ),
            _ => typed_text(plan.html(&snap), HTML),
        })
    })
    .await
    .map_err(|e| ApiError::Internal {
        detail: format!("the patrol plan failed: {e}"),
    })??;
    Ok(rendered)
}

/// The OpenAPI operation of `GET /api/patrol` (its parameters are components added by
/// [`add_openapi_parameters`]).
pub fn openapi_operation() -> serde_json::Value {
    let names: Vec<&str> = SELECTION_PARAMS
        .iter()
        .chain(PATROL_PARAMS)
        .chain(&["format"])
        .copied()
        .collect();
    let error = |d: &str| serde_json::json!({ "description": d, "content": { JSON: { "schema": { "$ref": "#/components/schemas/Error" } } } });
    serde_json::json!({
        "get": {
            "summary": "A warden patrol plan for a ward and a shift (as `hotspot patrol`): stops of 10-15 min at the window's hot places, ordered into a walking route that fits the shift, with what was left out",
            "parameters": names.iter().map(|n| serde_json::json!({ "$ref": format!("#/components/parameters/{n}") })).collect::<Vec<_>>(),
            "responses": {
                "200": {
                    "description": "The plan; format= chooses among html (printable page, default), geojson (stops as Points and the route as a LineString), gpx (GPX 1.1 waypoints and route) and json",
                    "content": {
                        HTML: { "schema": { "type": "string" } },
                        GEOJSON: { "schema": { "type": "object", "required": ["type", "parameters", "summary", "features"] } },
                        GPX: { "schema": { "type": "string" } },
                        JSON: { "schema": { "type": "object", "required": ["parameters", "summary", "stops", "left_out"] } },
                    },
                },
                "304": { "description": "Not modified (If-None-Match matched the ETag)" },
                "400": error("A parameter is missing, malformed, out of range or unknown (ward and shift are required)"),
                "500": error("Internal error"),
            },
        }
    })
}

/// Adds the patrol's parameters to the OpenAPI components (`shift`, `start`, `dwell-min`,
/// `walk-kmh`) and its formats (`html`, `gpx`) to `format`.
pub fn add_openapi_parameters(components: &mut serde_json::Map<String, serde_json::Value>) {
    let q = |name: &str, description: &str, schema: serde_json::Value| {
        (
            name.to_owned(),
            serde_json::json!({ "name": name, "in": "query", "required": false, "description": description, "schema": schema }),
        )
    };
    components.extend([
        q("shift", "Patrol shift: DAYS HH:MM-HH:MM, e.g. `fri 22:00-03:00` (hours may cross midnight; the day is the evening's); or days and hours.", serde_json::json!({ "type": "string" })),
        q("start", "Patrol start: LAT,LON in degrees (default: the top-ranked place).", serde_json::json!({ "type": "string" })),
        q("dwell-min", "Patrol minutes per stop (Koper curve). Default 15.", serde_json::json!({ "type": "integer", "minimum": 10, "maximum": 15, "default": 15 })),
        q("walk-kmh", "Patrol walking speed, km/h. Default 5.", serde_json::json!({ "type": "number", "minimum": 2, "maximum": 8, "default": 5 })),
    ]);
    if let Some(values) = components
        .get_mut("format")
        .and_then(|f| f["schema"]["enum"].as_array_mut())
    {
        for v in ["html", "gpx"] {
            if !values.iter().any(|x| x == v) {
                values.push(serde_json::json!(v));
            }
        }
    }
}
