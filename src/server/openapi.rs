//! `GET /api/openapi.json`: the OpenAPI 3.0 description of the routes served, built in code
//! from the same registry the router and the OGC collections use, so it cannot list a route
//! that does not exist. The tests check every route against it and validate real responses
//! against its schemas.

use serde_json::{Map, Value, json};

use super::analyses::Endpoint;
use super::api::{CSV, Format};
use super::ogc::collection::COLLECTIONS;
use super::ogc::params::{DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET};
use super::ogc::{GEOJSON, JSON, OPENAPI};
use super::tiles::{LAYERS, MVT};
use crate::query::SELECTION_PARAMS;

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

/// An `/api/*` operation: its parameters, and its formats (the default first).
fn analysis_get(endpoint: Endpoint) -> Value {
    let mut names: Vec<&str> = endpoint.params();
    names.push("format");
    let (schema, first) = match endpoint {
        Endpoint::Stats => ("StatsResult", JSON),
        Endpoint::Evaluate => ("EvaluateResult", JSON),
        _ => ("AnalysisResult", GEOJSON),
    };
    let mut ok = body(
        &format!(
            "The {} result; format= chooses among {}",
            endpoint.name(),
            Format::choices(endpoint).join(", ")
        ),
        first,
        schema,
    );
    if endpoint != Endpoint::Stats && endpoint != Endpoint::Evaluate {
        ok["content"][JSON] =
            json!({ "schema": { "type": "object", "required": ["parameters", "summary"] } });
    }
    ok["content"][CSV] = json!({ "schema": { "type": "string" } });
    let summary = match endpoint {
        Endpoint::Stats => "Counts by ward, month, category, hour or weekday (as `hotspot stats`)",
        Endpoint::Hotspots => "Getis-Ord Gi* hot spots per H3 cell (as `hotspot hotspots`)",
        Endpoint::Emerging => "Emerging hot spot patterns per H3 cell (as `hotspot emerging`)",
        Endpoint::Density => "Kernel density per H3 cell or grid square (as `hotspot density`)",
        Endpoint::Evaluate => {
            "Backtests of the hot spot methods: hit rate, PAI, PEI, Levine's RRI at coverages of the study area, and concentration (as `hotspot evaluate`)"
        }
        Endpoint::LicensingReview => {
            "Incidents around licensed venues by hour of week, category and month, against the city's night-time average; incidents near several venues shared 1/n (as `hotspot licensing review`)"
        }
        Endpoint::LicensingZones => {
            "Cumulative impact zones: DBSCAN clusters of venues as polygons, ranked by incidents, with hot spot overlap; format=html is the printable report (as `hotspot licensing zones`)"
        }
        Endpoint::Cctv => {
            "Mobile CCTV sites by maximal coverage, with the rotation backtest (as `hotspot cctv`)"
        }
    };
    get(summary, &names, ok, false)
}

/// `/tiles/{layer}/{z}/{x}/{y}`.
fn tile_get() -> Value {
    let mut names = vec!["layer", "z", "x", "y"];
    names.extend(tile_analysis_parameters());
    let mut op = get(
        "A vector tile (y is the row and the format: 5499.mvt or 5499.geojson); layers take their analysis's parameters",
        &names,
        json!({
            "description": "The tile",
            "content": {
                MVT: { "schema": { "type": "string", "format": "binary" } },
                GEOJSON: { "schema": { "$ref": "#/components/schemas/TileFeatureCollection" } },
            },
        }),
        true,
    );
    op["get"]["responses"]["204"] = json!({ "description": "An empty MVT tile" });
    op
}

/// Every analysis parameter a tile layer may take.
fn tile_analysis_parameters() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = SELECTION_PARAMS.to_vec();
    for e in [
        Endpoint::Hotspots,
        Endpoint::Emerging,
        Endpoint::Density,
        Endpoint::Cctv,
    ] {
        for p in e.own_params() {
            if !names.contains(p) {
                names.push(p);
            }
        }
    }
    names.extend(Endpoint::LicensingZones.own_params());
    names
}

/// A static file route.
fn file_get(summary: &str, media_types: &[&str], path_parameter: bool) -> Value {
    let content: Map<String, Value> = media_types
        .iter()
        .map(|m| ((*m).to_owned(), json!({ "schema": { "type": "string" } })))
        .collect();
    let mut op = get(
        summary,
        if path_parameter { &["path"] } else { &[] },
        json!({ "description": "The file", "content": content }),
        true,
    );
    op["get"]["responses"]
        .as_object_mut()
        .map(|r| r.remove("400"));
    op
}

/// The analysis parameters (interface.md's value syntax).
fn analysis_parameters() -> Map<String, Value> {
    let q = |name: &str, description: &str, schema: Value| -> (String, Value) {
        (
            name.to_owned(),
            json!({ "name": name, "in": "query", "required": false, "description": description, "schema": schema }),
        )
    };
    let text = || json!({ "type": "string" });
    let list = || json!({ "type": "array", "items": { "type": "string" } });
    let mut m: Map<String, Value> = [
        q("from", "First month (YYYY-MM) or date (YYYY-MM-DD).", text()),
        q("to", "Last month or date, inclusive.", text()),
        q("days", "Comma list of mon,tue,wed,thu,fri,sat,sun; with hours crossing midnight, the night's evening.", text()),
        q("hours", "HH:MM-HH:MM, end exclusive; may cross midnight.", text()),
        q("preset", "nte, evening, weekend-evening or daytime; explicit days/hours override it.", json!({ "type": "string", "enum": ["nte", "evening", "weekend-evening", "daytime"] })),
        q("calendar", "bank-holidays or events: only those days (nights).", json!({ "type": "string", "enum": ["bank-holidays", "events"] })),
        q("ward", "Ward code or name (case-insensitive); repeatable or a comma list. Unknown: 400 listing the known wards.", list()),
        q("category", "Group slug (asb, violence, public-order, criminal-damage, drugs, acquisitive, other, nte), police.uk crime type or slug, or a local category; repeatable or a comma list.", list()),
        q("resolution", "H3 resolution 7-11, or auto (hot spots and emerging). Default 9.", text()),
        q("k", "k-ring order of the neighbourhood. Default 1.", json!({ "type": "integer", "minimum": 1, "maximum": 3, "default": 1 })),
        q("permutations", "Conditional permutations for the pseudo p; 0 = analytic only. Default 999.", json!({ "type": "integer", "minimum": 0, "maximum": 9999, "default": 999 })),
        q("seed", "Seed of the permutations. Default 1.", json!({ "type": "integer", "minimum": 0, "default": 1 })),
        q("fdr", "False discovery rate correction of the bins. Default true.", json!({ "type": "boolean", "default": true })),
        q("inference", "analytic (bins from the normal p, as ArcGIS) or permutation (from p_sim, as esda).", json!({ "type": "string", "enum": ["analytic", "permutation"], "default": "analytic" })),
        q("step", "Time step of the space-time cube.", json!({ "type": "string", "enum": ["month", "week"], "default": "month" })),
        q("time-neighbours", "Time steps either side in the space-time neighbourhood. Default 1.", json!({ "type": "integer", "minimum": 0, "maximum": 12, "default": 1 })),
        q("bandwidth-m", "Kernel search radius, metres; default ArcGIS's rule.", json!({ "type": "number", "minimum": 10, "maximum": 10000 })),
        q("cell-m", "Square grid cell, metres, instead of H3 cells.", json!({ "type": "number", "minimum": 10, "maximum": 5000 })),
        q("by", "Dimensions to count by (repeatable or a comma list).", json!({ "type": "array", "items": { "type": "string", "enum": ["ward", "month", "category", "hour", "weekday"] } })),
        q("cell", "Only incidents in this H3 cell (resolution 7-11).", text()),
        q("cameras", "CCTV: cameras to place. Default 3.", json!({ "type": "integer", "minimum": 1, "maximum": crate::query::MAX_CAMERAS, "default": 3 })),
        q("radius-m", "CCTV: reach of a camera, metres. Default 100.", json!({ "type": "number", "minimum": 10, "maximum": 1000, "default": 100 })),
        q("existing", "CCTV: imported fixed cameras' reach counts as already covered. Default false.", json!({ "type": "boolean", "default": false })),
        q("sites", "CCTV: permitted sites as id:lat:lon, repeatable or a comma list (at most 64 here; the CLI reads a file); default the centres of the H3 cells (resolution, default 10 for CCTV) holding incidents and their neighbours.", list()),
        q("weights", "CCTV: group weights as group:weight, e.g. asb:1,violence:3 (defaults methods.md §10: asb 1, violence 3, public-order 2, criminal-damage 1.5, drugs 1, acquisitive 1, other 0.5).", list()),
        q("half-life-months", "CCTV: recency weight 0.5^(age/half-life), age in months before the window's last month.", json!({ "type": "number", "minimum": 0.1, "maximum": 120 })),
        q("exact", "CCTV: the exact optimum (small instances) instead of lazy greedy. Default false.", json!({ "type": "boolean", "default": false })),
        q("rotate", "CCTV: backtest monthly rotation against the naive highest-count-cells rule; the sites are next month's proposal. Default false.", json!({ "type": "boolean", "default": false })),
        q("months", "CCTV with rotate: months of history per placement. Default 3.", json!({ "type": "integer", "minimum": 1, "maximum": 24, "default": 3 })),
        q("format", "Output: geojson (default for cell analyses), json (default for stats) or csv; for TileJSON, the tiles' format mvt (default) or geojson.", json!({ "type": "string", "enum": ["geojson", "json", "csv", "mvt"] })),
        q("train-from", "evaluate: first month (YYYY-MM) or date of the training window. Required.", text()),
        q("train-to", "evaluate: last month or date of the training window, inclusive. Required.", text()),
        q("test-from", "evaluate: first month or date of the test window, after the training window. Required.", text()),
        q("test-to", "evaluate: last month or date of the test window, inclusive. Required.", text()),
        q("coverage", "evaluate: percents of the study area to flag, a comma list, each in (0, 100]. Default 1,5,10.", text()),
        q("methods", "evaluate: comma list of counts, gistar, kde, emerging. Default all four.", text()),
        q("rolling", "evaluate: also run a rolling-origin backtest over every month with data (whole-month windows, one-month steps) with a summary.", json!({ "type": "boolean", "default": false })),
        q("venue", "Licensing review: a venue id; repeatable or a comma list.", list()),
        q("venues-in-ward", "Licensing review: every venue inside this ward (code or name).", text()),
        q("radius-m", "Licensing review: radius around each venue, metres. Default 100.", json!({ "type": "number", "minimum": 10, "maximum": 1000, "default": 100 })),
        q("eps-m", "Licensing zones: DBSCAN radius between neighbouring venues, and the zone's buffer, metres. Default 100.", json!({ "type": "number", "minimum": 10, "maximum": 1000, "default": 100 })),
        q("min-venues", "Licensing zones: venues (itself included) within eps-m for a zone's core. Default 5.", json!({ "type": "integer", "minimum": 2, "maximum": 100, "default": 5 })),
    ]
    .into_iter()
    .collect();
    for name in ["ward", "category", "by"] {
        m[name]["style"] = json!("form");
        m[name]["explode"] = json!(true);
    }
    m["venue"]["style"] = json!("form");
    m["venue"]["explode"] = json!(true);
    m["format"]["description"] = json!(
        "Output: geojson (default for cell analyses and licensing zones), json (default for stats and licensing review) or csv; table for licensing; html (printable report) for licensing zones; for TileJSON, the tiles' format mvt (default) or geojson."
    );
    if let Some(formats) = m["format"]["schema"]["enum"].as_array_mut() {
        formats.extend([json!("html"), json!("table")]);
    }
    for name in ["sites", "weights"] {
        m[name]["style"] = json!("form");
        m[name]["explode"] = json!(true);
    }
    m
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
        "AnalysisResult": {
            "type": "object",
            "required": ["type", "parameters", "summary", "features"],
            "properties": {
                "type": { "type": "string", "enum": ["FeatureCollection"] },
                "parameters": { "type": "object", "required": ["window", "wards", "categories"] },
                "summary": { "type": "object" },
                "features": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["type", "geometry", "properties"],
                        "properties": {
                            "type": { "type": "string", "enum": ["Feature"] },
                            "geometry": { "$ref": "#/components/schemas/Geometry" },
                            "properties": { "type": "object", "description": "See hotspotsProperties, emergingProperties; density cells have density_km2." },
                        },
                    },
                },
            },
        },
        "TileJson": {
            "type": "object",
            "required": ["tilejson", "tiles", "vector_layers"],
            "properties": {
                "tilejson": { "type": "string", "enum": ["3.0.0"] },
                "tiles": { "type": "array", "items": { "type": "string" } },
                "vector_layers": { "type": "array", "items": { "type": "object", "required": ["id", "fields"] } },
                "minzoom": { "type": "integer", "minimum": 0, "maximum": 22 },
                "maxzoom": { "type": "integer", "minimum": 0, "maximum": 22 },
                "bounds": { "type": "array", "minItems": 4, "maxItems": 4, "items": { "type": "number" } },
            },
        },
        "TileFeatureCollection": {
            "type": "object",
            "required": ["type", "features"],
            "properties": {
                "type": { "type": "string", "enum": ["FeatureCollection"] },
                "features": { "type": "array", "items": { "type": "object", "required": ["type", "geometry", "properties"] } },
            },
        },
        "EvaluateResult": {
            "type": "object",
            "required": ["parameters", "summary", "results", "concentration"],
            "properties": {
                "parameters": { "type": "object", "required": ["train_from", "train_to", "test_from", "test_to", "resolution", "coverage_pct", "methods"] },
                "summary": { "type": "object", "required": ["study_cells", "study_area_km2", "train_total", "test_total"] },
                "results": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["method", "coverage_pct", "pai", "pei", "rri", "hit_rate", "area_share", "n_test", "n_train", "cells"],
                        "properties": {
                            "method": { "type": "string", "enum": ["counts", "gistar", "kde", "emerging"] },
                            "coverage_pct": { "type": "number" },
                            "pai": { "type": "number", "nullable": true },
                            "pei": { "type": "number", "nullable": true },
                            "rri": { "type": "number", "nullable": true },
                            "hit_rate": { "type": "number", "nullable": true },
                            "area_share": { "type": "number" },
                            "n_test": { "type": "number" },
                            "n_train": { "type": "number" },
                            "cells": { "type": "integer", "minimum": 0 },
                            "pai_max": { "type": "number", "nullable": true },
                        },
                    },
                },
                "concentration": { "type": "object", "required": ["cells", "places"] },
                "rolling": { "type": "object", "required": ["origins", "summary"] },
            },
        },
        "StatsResult": {
            "type": "object",
            "required": ["parameters", "rows", "total"],
            "properties": {
                "parameters": { "type": "object", "required": ["window", "wards", "categories", "by"] },
                "rows": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["count"],
                        "properties": {
                            "count": { "type": "number" },
                            "ward": { "type": "string", "nullable": true },
                            "name": { "type": "string" },
                            "population": { "type": "integer", "nullable": true },
                            "rate_per_1000": { "type": "number" },
                            "month": { "type": "string" },
                            "category": { "type": "string" },
                            "hour": { "type": "integer", "minimum": 0, "maximum": 23 },
                            "weekday": { "type": "string", "enum": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] },
                        },
                    },
                },
                "total": { "type": "number" },
                "left_out_month_only": { "type": "integer", "minimum": 0 },
                "left_out_no_time": { "type": "integer", "minimum": 0 },
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
    let tile_index = |name: &str, description: &str| json!({ "name": name, "in": "path", "required": true, "description": description, "schema": { "type": "string" } });
    let mut p = json!({
        "layer": {
            "name": "layer", "in": "path", "required": true,
            "description": format!("A tile layer: {} (followed by .json for TileJSON).", LAYERS.join(", ")),
            "schema": { "type": "string" },
        },
        "z": tile_index("z", "Zoom, 0-22."),
        "x": tile_index("x", "Column, 0 to 2^z - 1."),
        "y": tile_index("y", "Row, 0 to 2^z - 1, followed by .mvt or .geojson."),
        "path": {
            "name": "path", "in": "path", "required": true,
            "description": "A file path below the folder, e.g. app.js.",
            "schema": { "type": "string" },
        },
        "collectionId": {
            "name": "collectionId", "in": "path", "required": true,
            "schema": { "type": "string", "enum": COLLECTIONS.iter().map(|c| c.id()).collect::<Vec<_>>() },
        },
        "featureId": {
            "name": "featureId", "in": "path", "required": true,
            "schema": { "type": "string" },
        },
        "mapping": {
            "name": "mapping", "in": "query", "required": false,
            "description": "POST /api/incidents: the name of a log mapping stored with `hotspot import mapping` (the body is then a log CSV).",
            "schema": { "type": "string" },
        },
        "strict": {
            "name": "strict", "in": "query", "required": false,
            "description": "POST /api/incidents: store nothing when any row is malformed.",
            "schema": { "type": "boolean" },
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
    });
    if let Some(o) = p.as_object_mut() {
        o.extend(analysis_parameters());
        super::patrol::add_openapi_parameters(o);
        super::scorecards::openapi_parameters(o);
    }
    p
}

/// Analysis parameters of the hotspots and emerging collections.
fn collection_analysis_parameters() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = SELECTION_PARAMS.to_vec();
    for e in [Endpoint::Hotspots, Endpoint::Emerging] {
        for p in e.own_params() {
            if !names.contains(p) {
                names.push(p);
            }
        }
    }
    names.extend(Endpoint::LicensingZones.own_params());
    names
}

fn items_parameters() -> Vec<&'static str> {
    let mut names = vec!["collectionId", "bbox", "datetime", "limit", "offset", "f"];
    names.extend(collection_analysis_parameters());
    names
}

fn item_parameters() -> Vec<&'static str> {
    let mut names = vec!["collectionId", "featureId", "f"];
    names.extend(collection_analysis_parameters());
    names
}

/// The document, with `base` as its server URL.
pub fn document(base: &str) -> Value {
    let mut doc = json!({
        "openapi": "3.0.3",
        "info": {
            "title": "hotspot",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Geospatial hotspot engine and map server for anti-social behaviour and the night-time economy. Errors are JSON {code, description, parameter}. Successful GETs carry a weak ETag and Cache-Control: no-cache. Writes need Authorization: Bearer <token>.",
        },
        "servers": [{ "url": base }],
        "paths": {
            "/": file_get("The web map", &["text/html; charset=utf-8"], false),
            "/web/{path}": file_get("A file of the web map (JavaScript, CSS, images)", &["text/javascript", "text/css", "image/png", "image/svg+xml"], true),
            "/vendor/leaflet/{path}": file_get("Leaflet's files (404 naming npm ci when it is not installed)", &["text/javascript", "text/css", "image/png"], true),
            "/api/stats": analysis_get(Endpoint::Stats),
            "/api/hotspots": analysis_get(Endpoint::Hotspots),
            "/api/emerging": analysis_get(Endpoint::Emerging),
            "/api/density": analysis_get(Endpoint::Density),
            "/api/evaluate": analysis_get(Endpoint::Evaluate),
            "/api/cctv": analysis_get(Endpoint::Cctv),
            "/api/incidents": {
                "post": {
                    "summary": "Ingest incidents (needs Authorization: Bearer <token>): a police.uk CSV (text/csv), a log CSV with ?mapping=NAME of a mapping stored with `hotspot import mapping`, or GeoJSON points (application/geo+json); answers the ingest report",
                    "parameters": [param("mapping"), param("strict")],
                    "requestBody": {
                        "required": true,
                        "content": {
                            "text/csv": { "schema": { "type": "string" } },
                            "application/geo+json": { "schema": { "type": "object" } }
                        }
                    },
                    "responses": {
                        "200": { "description": "The ingest report", "content": { "application/json": { "schema": { "type": "object", "required": ["report", "summary", "version"] } } } },
                        "400": { "description": "Bad body or parameter", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                        "401": { "description": "Missing or wrong token", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                        "403": { "description": "Read-only server (no token or store configured)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                        "413": { "description": "Body too large", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                    }
                }
            },
            "/tiles/{layer}": get(
                "TileJSON 3.0 of a layer (layer is the name followed by .json, e.g. wards.json); format=mvt|geojson picks the tile URLs' format",
                &{ let mut n = vec!["layer", "format"]; n.extend(tile_analysis_parameters()); n },
                body("The TileJSON document", JSON, "TileJson"),
                true,
            ),
            "/tiles/{layer}/{z}/{x}/{y}": tile_get(),
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
                "Features of a collection (hotspots and emerging also take their analysis's parameters)",
                &items_parameters(),
                body("A page of features", GEOJSON, "FeatureCollection"),
                true,
            ),
            "/ogc/collections/{collectionId}/items/{featureId}": get(
                "One feature (of hotspots or emerging: a cell, for the analysis parameters given)",
                &item_parameters(),
                body("The feature", GEOJSON, "Feature"),
                true,
            ),
            "/api/patrol": super::patrol::openapi_operation(),
            "/api/licensing/purple-flag": super::scorecards::purple_flag_openapi(),
            "/api/targets": super::scorecards::targets_openapi(),
            "/api/licensing/review": licensing_get(Endpoint::LicensingReview),
            "/api/licensing/zones": licensing_get(Endpoint::LicensingZones),
        },
        "components": { "schemas": schemas(), "parameters": parameters() },
    });
    super::evidence::extend_openapi(&mut doc);
    doc
}

/// A `/api/licensing/*` operation: as [`analysis_get`], with its own formats (text tables, and
/// the HTML report of zones).
fn licensing_get(endpoint: Endpoint) -> Value {
    let mut op = analysis_get(endpoint);
    let ok = &mut op["get"]["responses"]["200"];
    ok["description"] = json!(format!(
        "The {} result; format= chooses among {}",
        endpoint.name(),
        Format::choices(endpoint).join(", ")
    ));
    ok["content"][super::api::TEXT] = json!({ "schema": { "type": "string" } });
    if endpoint == Endpoint::LicensingZones {
        ok["content"][super::api::HTML] = json!({ "schema": { "type": "string" } });
    }
    op
}
