//! TileJSON 3.0 documents (<https://github.com/mapbox/tilejson-spec/tree/master/3.0.0>).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::TileError;
use super::coord::{MAX_LATITUDE, MAX_ZOOM};
use super::source::FieldType;

/// The tile format a TileJSON's URLs point at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TileFormat {
    /// `.mvt`, Mapbox Vector Tile 2.1.
    Mvt,
    /// `.geojson`, a FeatureCollection per tile.
    GeoJson,
}

impl TileFormat {
    /// The file extension in tile URLs.
    pub fn extension(self) -> &'static str {
        match self {
            TileFormat::Mvt => "mvt",
            TileFormat::GeoJson => "geojson",
        }
    }
}

/// What a TileJSON document describes.
#[derive(Debug, Clone, PartialEq)]
pub struct TileJsonRequest<'a> {
    /// Absolute base URL of the server, `http://` or `https://` (e.g. `http://127.0.0.1:8080`);
    /// a trailing `/` is ignored.
    pub base_url: &'a str,
    /// Layer name: the `{layer}` of `/tiles/{layer}/{z}/{x}/{y}.mvt`, ASCII letters, digits,
    /// `-` and `_`.
    pub layer: &'a str,
    /// Query string (without `?`) to repeat on every tile URL, e.g. the analysis parameters.
    pub query: Option<&'a str>,
    /// Tile format.
    pub format: TileFormat,
    /// Human description, if any.
    pub description: Option<&'a str>,
    /// Property names and types (`TileSource::fields`, `PointSource::fields`).
    pub fields: &'a BTreeMap<String, FieldType>,
    /// Shallowest zoom served.
    pub minzoom: u8,
    /// Deepest zoom served.
    pub maxzoom: u8,
    /// Data extent `(west, south, east, north)` in degrees; `None` for the whole world.
    pub bounds: Option<[f64; 4]>,
}

fn bad(problem: impl Into<String>) -> TileError {
    TileError::BadTileJson {
        problem: problem.into(),
    }
}

/// Writes a TileJSON 3.0 document.
///
/// Returns `{"tilejson": "3.0.0", "name", "description"?, "tiles": [absolute URL],
/// "vector_layers": [{"id", "fields", "minzoom", "maxzoom"}], "minzoom", "maxzoom",
/// "bounds", "center"}`. `center` is the middle of `bounds` at the zoom where the bounds'
/// width fits one tile (`⌊log2(360° / width)⌋`), kept within `minzoom..=maxzoom`.
///
/// # Errors
/// [`TileError::BadTileJson`] for a relative base URL, a bad layer name, a query with `#` or
/// whitespace, `minzoom > maxzoom`, `maxzoom > 22`, or bounds that are not
/// `west < east, south < north` in degrees.
///
/// ```
/// use std::collections::BTreeMap;
/// use hotspot::tiles::{TileFormat, TileJsonRequest, tilejson};
/// let fields = BTreeMap::new();
/// let doc = tilejson(&TileJsonRequest {
///     base_url: "http://127.0.0.1:8080",
///     layer: "wards",
///     query: None,
///     format: TileFormat::Mvt,
///     description: None,
///     fields: &fields,
///     minzoom: 0,
///     maxzoom: 16,
///     bounds: None,
/// })
/// .unwrap();
/// assert_eq!(doc["tiles"][0], "http://127.0.0.1:8080/tiles/wards/{z}/{x}/{y}.mvt");
/// ```
pub fn tilejson(req: &TileJsonRequest<'_>) -> Result<Value, TileError> {
    let base = req.base_url.trim_end_matches('/');
    let host = base
        .strip_prefix("http://")
        .or_else(|| base.strip_prefix("https://"))
        .ok_or_else(|| bad(format!("base URL {base:?} is not an absolute http(s) URL")))?;
    if host.is_empty()
        || host
            .chars()
            .any(|c| c.is_whitespace() || c == '?' || c == '#')
    {
        return Err(bad(format!("base URL {base:?} has no host or has a query")));
    }
    if req.layer.is_empty()
        || !req
            .layer
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(bad(format!(
            "layer name {:?} must be ASCII letters, digits, '-' or '_'",
            req.layer
        )));
    }
    if let Some(q) = req.query
        && q.chars().any(|c| c.is_whitespace() || c == '#')
    {
        return Err(bad(format!("query {q:?} contains whitespace or '#'")));
    }
    if req.maxzoom > MAX_ZOOM || req.minzoom > req.maxzoom {
        return Err(bad(format!(
            "zooms {}..={} must satisfy minzoom <= maxzoom <= {MAX_ZOOM}",
            req.minzoom, req.maxzoom
        )));
    }
    let bounds = req
        .bounds
        .unwrap_or([-180.0, -MAX_LATITUDE, 180.0, MAX_LATITUDE]);
    let [w, s, e, n] = bounds;
    let ok = bounds.iter().all(|v| v.is_finite())
        && (-180.0..=180.0).contains(&w)
        && (-180.0..=180.0).contains(&e)
        && (-90.0..=90.0).contains(&s)
        && (-90.0..=90.0).contains(&n)
        && w <= e
        && s <= n;
    if !ok {
        return Err(bad(format!(
            "bounds {bounds:?} are not west <= east, south <= north in degrees"
        )));
    }
    let width = (e - w).max(1e-9);
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "clamped to 0..=22 first"
    )]
    let fit_zoom = (360.0 / width)
        .log2()
        .floor()
        .clamp(0.0, f64::from(MAX_ZOOM)) as u8;
    let center_zoom = fit_zoom.clamp(req.minzoom, req.maxzoom);
    let query = req
        .query
        .filter(|q| !q.is_empty())
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    let url = format!(
        "{base}/tiles/{}/{{z}}/{{x}}/{{y}}.{}{query}",
        req.layer,
        req.format.extension()
    );
    let mut doc = json!({
        "tilejson": "3.0.0",
        "name": req.layer,
        "tiles": [url],
        "vector_layers": [{
            "id": req.layer,
            "fields": req.fields,
            "minzoom": req.minzoom,
            "maxzoom": req.maxzoom,
        }],
        "minzoom": req.minzoom,
        "maxzoom": req.maxzoom,
        "bounds": bounds,
        "center": [(w + e) / 2.0, (s + n) / 2.0, center_zoom],
    });
    if let (Some(d), Some(obj)) = (req.description, doc.as_object_mut()) {
        obj.insert("description".to_owned(), Value::from(d));
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> BTreeMap<String, FieldType> {
        BTreeMap::from([
            ("count".to_owned(), FieldType::Number),
            ("name".to_owned(), FieldType::String),
        ])
    }

    fn request(f: &BTreeMap<String, FieldType>) -> TileJsonRequest<'_> {
        TileJsonRequest {
            base_url: "http://127.0.0.1:8080/",
            layer: "hotspots",
            query: Some("resolution=9&category=asb"),
            format: TileFormat::Mvt,
            description: Some("Gi* hot spots"),
            fields: f,
            minzoom: 10,
            maxzoom: 16,
            bounds: Some([-1.12, 50.77, -1.0, 50.86]),
        }
    }

    #[test]
    fn portsmouth_document() {
        let f = fields();
        let doc = tilejson(&request(&f)).unwrap();
        assert_eq!(
            doc,
            json!({
                "tilejson": "3.0.0",
                "name": "hotspots",
                "description": "Gi* hot spots",
                "tiles": ["http://127.0.0.1:8080/tiles/hotspots/{z}/{x}/{y}.mvt?resolution=9&category=asb"],
                "vector_layers": [{
                    "id": "hotspots",
                    "fields": {"count": "Number", "name": "String"},
                    "minzoom": 10,
                    "maxzoom": 16,
                }],
                "minzoom": 10,
                "maxzoom": 16,
                "bounds": [-1.12, 50.77, -1.0, 50.86],
                // width 0.12° → log2(3000) = 11.55 → zoom 11
                "center": [-1.06, 50.815, 11],
            })
        );
    }

    #[test]
    fn bad_requests_say_why() {
        let f = fields();
        for (req, needle) in [
            (
                TileJsonRequest {
                    base_url: "/tiles",
                    ..request(&f)
                },
                "absolute",
            ),
            (
                TileJsonRequest {
                    layer: "a b",
                    ..request(&f)
                },
                "layer",
            ),
            (
                TileJsonRequest {
                    minzoom: 17,
                    ..request(&f)
                },
                "minzoom",
            ),
            (
                TileJsonRequest {
                    maxzoom: 23,
                    ..request(&f)
                },
                "minzoom",
            ),
            (
                TileJsonRequest {
                    bounds: Some([1.0, 0.0, -1.0, 1.0]),
                    ..request(&f)
                },
                "bounds",
            ),
            (
                TileJsonRequest {
                    query: Some("a=1#x"),
                    ..request(&f)
                },
                "query",
            ),
        ] {
            let e = tilejson(&req).unwrap_err().to_string();
            assert!(e.contains(needle), "{e}");
        }
    }
}
