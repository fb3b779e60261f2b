//! OGC API – Features, Part 1: Core (OGC 17-069r4), under `/ogc`, so QGIS and GDAL
//! (`OAPIF:http://host/ogc`) open the data directly.
//!
//! | path | answer |
//! |---|---|
//! | `/ogc` | landing page: links to itself, the API description, conformance and data |
//! | `/ogc/conformance` | conformance classes: core, GeoJSON, OpenAPI 3.0 |
//! | `/ogc/collections` | every collection in [`collection::COLLECTIONS`] with its extent |
//! | `/ogc/collections/{collectionId}` | one collection |
//! | `/ogc/collections/{collectionId}/items` | a page of features (`bbox`, `datetime`, `limit`, `offset`) |
//! | `/ogc/collections/{collectionId}/items/{featureId}` | one feature |
//!
//! Links are absolute ([`BaseUrl`]); pages carry `numberMatched`, `numberReturned` and
//! `self`/`next`/`prev` links. Unknown query parameters are refused with 400, as the standard
//! requires; the analysis collections (`hotspots`, `emerging`) also take their analysis's
//! parameters, and their links keep them.

pub mod analysis;
mod bbox;
mod cameras;
pub mod collection;
mod datetime;
mod incidents;
pub mod params;
mod venues;
mod wards;
mod zones;

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

pub use bbox::BBox;
pub use datetime::{IncidentMatcher, Interval};
pub use incidents::in_bbox;

use self::collection::{COLLECTIONS, Collection, find};
use self::params::{FormatQuery, ITEMS_PARAMS, ItemsQuery};
use super::analyses::Computed;
use super::api;
use super::error::ApiError;
use super::extract::{CheckedQuery, Params, parse_query};
use super::state::{AppState, BaseUrl, Snap};
use crate::index::Snapshot;
use crate::query::ParamBag;

/// Bytes percent-encoded in a path segment: all but RFC 3986's unreserved characters.
const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Media type of JSON documents.
pub const JSON: &str = "application/json";
/// Media type of GeoJSON documents.
pub const GEOJSON: &str = "application/geo+json";
/// Media type of the OpenAPI document.
pub const OPENAPI: &str = "application/vnd.oai.openapi+json;version=3.0";

/// The conformance classes implemented.
pub const CONFORMANCE: [&str; 3] = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
];

/// A JSON body with the given media type.
pub fn typed_json(value: &Value, media_type: &'static str) -> Response {
    let mut r = axum::Json(value).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    r
}

fn link(href: String, rel: &str, media_type: &str, title: &str) -> Value {
    json!({ "href": href, "rel": rel, "type": media_type, "title": title })
}

/// `GET /ogc`: the landing page.
pub async fn landing(BaseUrl(base): BaseUrl, _: Params<FormatQuery>) -> Response {
    typed_json(
        &json!({
            "title": "hotspot",
            "description": "Crime and anti-social behaviour incidents, wards, licensed venues and CCTV cameras for community safety partnerships.",
            "links": [
                link(format!("{base}/ogc"), "self", JSON, "This document"),
                link(format!("{base}/api/openapi.json"), "service-desc", OPENAPI, "The API definition"),
                link(format!("{base}/ogc/conformance"), "conformance", JSON, "Conformance classes implemented"),
                link(format!("{base}/ogc/collections"), "data", JSON, "The feature collections"),
            ],
        }),
        JSON,
    )
}

/// `GET /ogc/conformance`.
pub async fn conformance(_: Params<FormatQuery>) -> Response {
    typed_json(&json!({ "conformsTo": CONFORMANCE }), JSON)
}

fn collection_json(c: &dyn Collection, snap: &crate::index::Snapshot, base: &str) -> Value {
    let id = c.id();
    let mut v = json!({
        "id": id,
        "title": c.title(),
        "description": c.description(),
        "itemType": "feature",
        "crs": [collection::CRS84],
        "links": [
            link(format!("{base}/ogc/collections/{id}"), "self", JSON, c.title()),
            link(format!("{base}/ogc/collections/{id}/items"), "items", GEOJSON, c.title()),
        ],
    });
    let extent = c.extent(snap).to_json();
    if extent.as_object().is_some_and(|o| !o.is_empty()) {
        v["extent"] = extent;
    }
    v
}

/// `GET /ogc/collections`.
pub async fn collections(
    Snap(snap): Snap,
    BaseUrl(base): BaseUrl,
    _: Params<FormatQuery>,
) -> Response {
    let list: Vec<Value> = COLLECTIONS
        .iter()
        .map(|c| collection_json(*c, &snap, &base))
        .collect();
    typed_json(
        &json!({
            "links": [link(format!("{base}/ogc/collections"), "self", JSON, "The feature collections")],
            "collections": list,
        }),
        JSON,
    )
}

/// `GET /ogc/collections/{collectionId}`.
pub async fn collection(
    Snap(snap): Snap,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
    _: Params<FormatQuery>,
) -> Result<Response, ApiError> {
    let c = find(&id)?;
    Ok(typed_json(&collection_json(c, &snap, &base), JSON))
}

/// Splits an analysis collection's query into the OGC part (`own`: the names the route itself
/// takes), checked as `T`, and the analysis parameters, checked and computed through the
/// shared cache. Other collections take only the OGC part.
/// Decoded query pairs, in order.
type Pairs = Vec<(String, String)>;

async fn checked_query<T: CheckedQuery>(
    c: &dyn Collection,
    own: &[&str],
    state: &AppState,
    snap: &Arc<Snapshot>,
    raw: Option<String>,
) -> Result<(T, Pairs, Option<Arc<Computed>>), ApiError> {
    let Some(endpoint) = c.analysis() else {
        return Ok((
            parse_query(raw.as_deref().unwrap_or_default())?,
            Vec::new(),
            None,
        ));
    };
    let (ogc, rest): (Pairs, Pairs) = api::query_pairs(raw.as_deref())?
        .into_iter()
        .partition(|(k, _)| own.contains(&k.as_str()));
    let ogc_text = serde_urlencoded::to_string(&ogc).map_err(|e| ApiError::Internal {
        detail: format!("cannot re-encode a decoded query: {e}"),
    })?;
    let query = parse_query(&ogc_text)?;
    let mut bag = ParamBag::new(rest.clone()).map_err(|e| super::analyses::param_error(&e))?;
    let request = api::analysis_request(endpoint, &mut bag, snap, state)?;
    api::finish(bag, endpoint, own)?;
    let computed = state.analyses().computed(snap, request).await?;
    Ok((query, rest, Some(computed)))
}

/// `GET /ogc/collections/{collectionId}/items`.
pub async fn items(
    State(state): State<AppState>,
    Snap(snap): Snap,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let c = find(&id)?;
    let (mut query, extra, computed) =
        checked_query::<ItemsQuery>(c, ITEMS_PARAMS, &state, &snap, raw).await?;
    query.extra = extra;
    let page = c.items(&snap, &query, computed.as_deref())?;
    let url = |offset: usize| {
        format!(
            "{base}/ogc/collections/{}/items?{}",
            c.id(),
            query.query_string(offset)
        )
    };
    let returned = page.features.len();
    let mut links = vec![link(url(query.offset), "self", GEOJSON, "This page")];
    if query.offset.saturating_add(returned) < page.number_matched {
        links.push(link(
            url(query.offset + returned),
            "next",
            GEOJSON,
            "Next page",
        ));
    }
    if query.offset > 0 {
        let prev = query
            .offset
            .saturating_sub(query.limit)
            .min(page.number_matched.saturating_sub(1));
        links.push(link(url(prev), "prev", GEOJSON, "Previous page"));
    }
    links.push(link(
        format!("{base}/ogc/collections/{}", c.id()),
        "collection",
        JSON,
        c.title(),
    ));
    Ok(typed_json(
        &json!({
            "type": "FeatureCollection",
            "numberMatched": page.number_matched,
            "numberReturned": returned,
            "features": page.features,
            "links": links,
        }),
        GEOJSON,
    ))
}

/// `GET /ogc/collections/{collectionId}/items/{featureId}`.
pub async fn item(
    State(state): State<AppState>,
    Snap(snap): Snap,
    BaseUrl(base): BaseUrl,
    Path((id, fid)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let c = find(&id)?;
    let (FormatQuery, extra, computed) =
        checked_query::<FormatQuery>(c, &["f"], &state, &snap, raw).await?;
    let mut feature =
        c.item(&snap, &fid, computed.as_deref())
            .ok_or_else(|| ApiError::NotFound {
                parameter: Some("featureId".to_owned()),
                description: format!("collection {:?} has no feature {fid:?}", c.id()),
            })?;
    // Ids may hold spaces or slashes: encode everything but RFC 3986 unreserved characters.
    let fid_path = percent_encoding::utf8_percent_encode(&fid, PATH_SEGMENT);
    let query = if extra.is_empty() {
        String::new()
    } else {
        format!(
            "?{}",
            serde_urlencoded::to_string(&extra).unwrap_or_default()
        )
    };
    feature["links"] = json!([
        link(
            format!("{base}/ogc/collections/{}/items/{fid_path}{query}", c.id()),
            "self",
            GEOJSON,
            "This feature"
        ),
        link(
            format!("{base}/ogc/collections/{}", c.id()),
            "collection",
            JSON,
            c.title()
        ),
    ]);
    Ok(typed_json(&feature, GEOJSON))
}
