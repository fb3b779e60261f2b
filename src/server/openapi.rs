//! `GET /api/openapi.json`: the OpenAPI 3.0 description of the routes served, built in code
//! from the same registry the router and the OGC collections use, so it cannot list a route
//! that does not exist. The tests check every route against it and validate real responses
//! against its schemas.

use serde_json::{Map, Value, json};

use super::ogc::collection::COLLECTIONS;
use super::ogc::params::{DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET};
use super::ogc::{GEOJSON, JSON, OPENAPI};

/// The schema a response body of `media_type` follows, by `$ref` to a component.
fn body(description: &str, media_type: &str, schema: &str) -> Value {
    json!({
        "description": description,
        "content": { media_type: { "schema": { "$ref": format!("#/components/schemas/{schema}") } } },
    })
}

fn error(description: &str) -> Value {
    body(description, JSON, "Error")
}

fn param(name: &str) -> Value {
    json!({ "$ref": format!("#/components/parameters/{name}") })
}

/// An operation with the usual error answers.
fn get(summary: &str, parameters: &[&str], ok: Value, not_found: bool) -> Value {
    let mut responses = Map::new();
    responses.insert("200".into(), ok);
    responses.insert(
        "304".into(),
        json!({ "description": "Not modified (If-None-Match matched the ETag)" }),
    );
    if !parameters.is_empty() {
        responses.insert(
            "400".into(),
            error("A query parameter is malformed, out of range or unknown"),
        );
    }
    if not_found {
        responses.insert("404".into(), error("No such collection or feature"));
    }
    responses.insert("500".into(), error("Internal error"));
    json!({
        "get": {
            "summary": summary,
            "parameters": parameters.iter().map(|p| param(p)).collect::<Vec<_>>(),
            "responses": responses,
        }
    })
}

fn schemas() -> Value {
    let link = json!({
        "type": "object",
        "required": ["href", "rel"],
        "properties": {
            "href": { "type": "string" },
            "rel": { "type": "string" },
            "type": { "type": "string" },
            "title": { "type": "string" },
        },
    });
    let links = json!({ "type": "array", "items": { "$ref": "#/components/schemas/Link" } });
    let mut s = json!({
        "Error": {
            "type": "object",
            "required": ["code", "description"],
            "properties": {
                "code": { "type": "string", "enum": ["bad_parameter", "unauthorized", "read_only", "not_found", "method_not_allowed", "payload_too_large", "timeout", "internal"] },
                "description": { "type": "string" },
                "parameter": { "type": "string" },
            },
        },
        "Link": link,
        "LandingPage": {
            "type": "object",
            "required": ["links"],
            "properties": { "title": { "type": "string" }, "description": { "type": "string" }, "links": links },
        },
        "Conformance": {
            "type": "object",
            "required": ["conformsTo"],
            "properties": { "conformsTo": { "type": "array", "items": { "type": "string" } } },
        },
        "Extent": {
            "type": "object",
            "properties": {
                "spatial": {
                    "type": "object",
                    "required": ["bbox"],
                    "properties": {
                        "bbox": { "type": "array", "items": { "type": "array", "items": { "type": "number" } } },
                        "crs": { "type": "string" },
                    },
                },
                "temporal": {
                    "type": "object",
                    "required": ["interval"],
                    "properties": {
                        "interval": { "type": "array", "items": { "type": "array", "items": { "type": "string", "nullable": true } } },
                        "trs": { "type": "string" },
                    },
                },
            },
        },
        "Collection": {
            "type": "object",
            "required": ["id", "links"],
            "properties": {
                "id": { "type": "string", "enum": COLLECTIONS.iter().map(|c| c.id()).collect::<Vec<_>>() },
                "title": { "type": "string" },
                "description": { "type": "string" },
                "itemType": { "type": "string" },
                "crs": { "type": "array", "items": { "type": "string" } },
                "extent": { "$ref": "#/components/schemas/Extent" },
                "links": links,
            },
        },
        "Collections": {
            "type": "object",
            "required": ["links", "collections"],
            "properties": {
                "links": links,
                "collections": { "type": "array", "items": { "$ref": "#/components/schemas/Collection" } },
            },
        },
        "Geometry": {
            "type": "object",
            "required": ["type", "coordinates"],
            "properties": {
                "type": { "type": "string", "enum": ["Point", "MultiPolygon", "Polygon"] },
                "coordinates": { "type": "array" },
            },
        },
        "Feature": {
            "type": "object",
            "required": ["type", "id", "geometry", "properties"],
            "properties": {
                "type": { "type": "string", "enum": ["Feature"] },
                "id": { "type": "string" },
                "geometry": { "$ref": "#/components/schemas/Geometry" },
                "properties": { "type": "object", "description": "See the <collection>Properties schemas." },
                "links": links,
            },
        },
        "FeatureCollection": {
            "type": "object",
            "required": ["type", "features", "numberMatched", "numberReturned", "links"],
            "properties": {
                "type": { "type": "string", "enum": ["FeatureCollection"] },
                "features": { "type": "array", "items": { "$ref": "#/components/schemas/Feature" } },
                "numberMatched": { "type": "integer", "minimum": 0 },
                "numberReturned": { "type": "integer", "minimum": 0 },
                "links": links,
            },
        },
    });
    for c in COLLECTIONS {
        let props = c.properties();
        let required: Vec<&String> = props
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        s[format!("{}Properties", c.id())] = json!({
            "type": "object",
            "description": format!("Properties of a feature of the {} collection.", c.id()),
            "required": required,
            "properties": props,
        });
    }
    s
}

fn parameters() -> Value {
    json!({
        "collectionId": {
            "name": "collectionId", "in": "path", "required": true,
            "schema": { "type": "string", "enum": COLLECTIONS.iter().map(|c| c.id()).collect::<Vec<_>>() },
        },
        "featureId": {
            "name": "featureId", "in": "path", "required": true,
            "schema": { "type": "string" },
        },
        "bbox": {
            "name": "bbox", "in": "query", "required": false, "style": "form", "explode": false,
            "description": "minlon,minlat,maxlon,maxlat in WGS84 degrees; features on the boundary are included.",
            "schema": { "type": "array", "minItems": 4, "maxItems": 4, "items": { "type": "number" } },
        },
        "datetime": {
            "name": "datetime", "in": "query", "required": false,
            "description": "An RFC 3339 instant or an interval start/end, '..' for an open end. Incidents with a time match when their time or span meets it; police.uk rows (month only) when their Europe/London month does.",
            "schema": { "type": "string" },
        },
        "limit": {
            "name": "limit", "in": "query", "required": false,
            "schema": { "type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT },
        },
        "offset": {
            "name": "offset", "in": "query", "required": false,
            "schema": { "type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0 },
        },
        "f": {
            "name": "f", "in": "query", "required": false,
            "schema": { "type": "string", "enum": ["json", "geojson"] },
        },
    })
}

/// The document, with `base` as its server URL.
pub fn document(base: &str) -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "hotspot",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Geospatial hotspot engine and map server for anti-social behaviour and the night-time economy. Errors are JSON {code, description, parameter}. Successful GETs carry a weak ETag and Cache-Control: no-cache. Writes need Authorization: Bearer <token>.",
        },
        "servers": [{ "url": base }],
        "paths": {
            "/health": {
                "get": {
                    "summary": "Liveness check",
                    "responses": {
                        "200": { "description": "The server is up", "content": { "text/plain": { "schema": { "type": "string", "enum": ["ok"] } } } },
                    },
                },
            },
            "/api/openapi.json": get("This document", &[], json!({
                "description": "The OpenAPI 3.0 document",
                "content": { OPENAPI: { "schema": { "type": "object", "required": ["openapi", "paths"] } } },
            }), false),
            "/ogc": get("OGC API – Features landing page", &["f"], body("Landing page", JSON, "LandingPage"), false),
            "/ogc/conformance": get("Conformance classes", &["f"], body("Conformance classes", JSON, "Conformance"), false),
            "/ogc/collections": get("Feature collections", &["f"], body("The collections", JSON, "Collections"), false),
            "/ogc/collections/{collectionId}": get("One collection", &["collectionId", "f"], body("The collection", JSON, "Collection"), true),
            "/ogc/collections/{collectionId}/items": get(
                "Features of a collection",
                &["collectionId", "bbox", "datetime", "limit", "offset", "f"],
                body("A page of features", GEOJSON, "FeatureCollection"),
                true,
            ),
            "/ogc/collections/{collectionId}/items/{featureId}": get(
                "One feature",
                &["collectionId", "featureId", "f"],
                body("The feature", GEOJSON, "Feature"),
                true,
            ),
        },
        "components": { "schemas": schemas(), "parameters": parameters() },
    })
}
