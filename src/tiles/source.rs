//! A layer of arbitrary features (wards, cells, zones, venues...), projected and indexed once.

use geo::{BoundingRect, Coord, Geometry, LineString, MultiLineString, MultiPolygon, Polygon};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

use super::clip::{clip_line, clip_polygon, contains};
use super::coord::{BUFFER, EXTENT, TileCoord, lonlat_to_mercator, mercator_to_lonlat};
use super::geometry::{ClippedFeature, TileGeometry, finish_line, finish_polygon, quantise};
use super::properties::{Properties, PropertyInterner};
use super::{MAX_FEATURES, TileError};

/// One input feature: a geometry in lon/lat degrees, its properties and an optional id.
#[derive(Debug, Clone, PartialEq)]
pub struct TileFeature {
    /// Geometry, x = longitude, y = latitude (degrees). Geometry collections are refused.
    pub geometry: Geometry<f64>,
    /// Properties (MVT tags / GeoJSON properties); `null` values are left out of MVT.
    pub properties: Map<String, Value>,
    /// Feature id (MVT `id`, GeoJSON `id`).
    pub id: Option<u64>,
}

/// How tiles are cut.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TileOptions {
    /// Pixels kept beyond each tile edge (of 4096).
    pub buffer_px: u32,
    /// Ramer–Douglas–Peucker tolerance in tile pixels (of 4096); 0 turns simplification off.
    pub tolerance_px: f64,
}

impl Default for TileOptions {
    fn default() -> Self {
        TileOptions {
            buffer_px: BUFFER, // geojson-vt's default
            tolerance_px: 3.0, // geojson-vt's default: 3 of 4096 px
        }
    }
}

impl TileOptions {
    fn check(self) -> Result<TileOptions, TileError> {
        if self.buffer_px > EXTENT / 2 {
            return Err(TileError::BadOption {
                name: "buffer_px",
                value: f64::from(self.buffer_px),
                min: 0.0,
                max: f64::from(EXTENT / 2),
            });
        }
        if !(0.0..=256.0).contains(&self.tolerance_px) {
            return Err(TileError::BadOption {
                name: "tolerance_px",
                value: self.tolerance_px,
                min: 0.0,
                max: 256.0,
            });
        }
        Ok(self)
    }
}

/// The type of a property, as TileJSON's `vector_layers[].fields` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FieldType {
    /// Numbers only.
    Number,
    /// Strings only (arrays and objects are written as JSON text, so they count as strings).
    String,
    /// Booleans only.
    Boolean,
    /// More than one of the above.
    Mixed,
}

impl FieldType {
    /// The type of one value (`None` for null, which has no type).
    pub fn of(v: &Value) -> Option<FieldType> {
        match v {
            Value::Null => None,
            Value::Bool(_) => Some(FieldType::Boolean),
            Value::Number(_) => Some(FieldType::Number),
            Value::String(_) | Value::Array(_) | Value::Object(_) => Some(FieldType::String),
        }
    }

    /// Adds the types of a feature's properties to `fields`.
    pub fn collect(fields: &mut BTreeMap<String, FieldType>, properties: &Map<String, Value>) {
        for (k, v) in properties {
            let Some(t) = FieldType::of(v) else { continue };
            // Look up before inserting: the key is cloned once per field, not once per feature.
            match fields.get_mut(k) {
                Some(old) if *old != t => *old = FieldType::Mixed,
                Some(_) => {}
                None => {
                    fields.insert(k.clone(), t);
                }
            }
        }
    }
}

/// A feature projected to Web Mercator metres.
#[derive(Debug, Clone)]
enum Projected {
    Point(Coord<f64>),
    Points(Vec<Coord<f64>>),
    Lines(MultiLineString<f64>),
    Polygons(MultiPolygon<f64>),
}

#[derive(Debug, Clone)]
struct Stored {
    geometry: Projected,
    properties: Properties,
    id: Option<u64>,
}

type PointEntry = GeomWithData<[f64; 2], u32>;
type BoxEntry = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// A layer's features, projected to Web Mercator and indexed, ready to cut into tiles.
///
/// Build it once when data loads ([`TileSource::new`]); [`TileSource::tile`] then only
/// queries, clips, simplifies and quantises (see the module's pipeline, steps 1–7).
#[derive(Debug)]
pub struct TileSource {
    features: Vec<Stored>,
    points: RTree<PointEntry>,
    boxes: RTree<BoxEntry>,
    options: TileOptions,
    bounds_lonlat: Option<[f64; 4]>,
    fields: BTreeMap<String, FieldType>,
}

/// Checks and projects one lon/lat coordinate.
fn project(feature: usize, c: Coord<f64>) -> Result<Coord<f64>, TileError> {
    if c.x.is_finite()
        && c.y.is_finite()
        && (-180.0..=180.0).contains(&c.x)
        && (-90.0..=90.0).contains(&c.y)
    {
        Ok(lonlat_to_mercator(c))
    } else {
        Err(TileError::BadCoordinate {
            feature,
            lon: c.x,
            lat: c.y,
        })
    }
}

fn project_line(feature: usize, l: &LineString<f64>) -> Result<LineString<f64>, TileError> {
    l.0.iter()
        .map(|&c| project(feature, c))
        .collect::<Result<Vec<_>, _>>()
        .map(LineString::new)
}

fn project_polygon(feature: usize, p: &Polygon<f64>) -> Result<Polygon<f64>, TileError> {
    Ok(Polygon::new(
        project_line(feature, p.exterior())?,
        p.interiors()
            .iter()
            .map(|h| project_line(feature, h))
            .collect::<Result<_, _>>()?,
    ))
}

fn project_geometry(feature: usize, g: &Geometry<f64>) -> Result<Projected, TileError> {
    let projected = match g {
        Geometry::Point(p) => Projected::Point(project(feature, p.0)?),
        Geometry::MultiPoint(mp) => Projected::Points(
            mp.0.iter()
                .map(|p| project(feature, p.0))
                .collect::<Result<_, _>>()?,
        ),
        Geometry::Line(l) => Projected::Lines(MultiLineString::new(vec![LineString::new(vec![
            project(feature, l.start)?,
            project(feature, l.end)?,
        ])])),
        Geometry::LineString(l) => {
            Projected::Lines(MultiLineString::new(vec![project_line(feature, l)?]))
        }
        Geometry::MultiLineString(ml) => Projected::Lines(MultiLineString::new(
            ml.0.iter()
                .map(|l| project_line(feature, l))
                .collect::<Result<_, _>>()?,
        )),
        Geometry::Polygon(p) => {
            Projected::Polygons(MultiPolygon::new(vec![project_polygon(feature, p)?]))
        }
        Geometry::MultiPolygon(mp) => Projected::Polygons(MultiPolygon::new(
            mp.0.iter()
                .map(|p| project_polygon(feature, p))
                .collect::<Result<_, _>>()?,
        )),
        Geometry::Rect(r) => Projected::Polygons(MultiPolygon::new(vec![project_polygon(
            feature,
            &r.to_polygon(),
        )?])),
        Geometry::Triangle(t) => Projected::Polygons(MultiPolygon::new(vec![project_polygon(
            feature,
            &t.to_polygon(),
        )?])),
        Geometry::GeometryCollection(_) => {
            return Err(TileError::UnsupportedGeometry {
                feature,
                kind: "GeometryCollection",
            });
        }
    };
    Ok(projected)
}

impl Projected {
    fn bounding_box(&self) -> Option<Rectangle<[f64; 2]>> {
        let r = match self {
            Projected::Point(c) => return Some(Rectangle::from_corners([c.x, c.y], [c.x, c.y])),
            Projected::Points(ps) => geo::MultiPoint::from(ps.clone()).bounding_rect(),
            Projected::Lines(l) => l.bounding_rect(),
            Projected::Polygons(p) => p.bounding_rect(),
        }?;
        Some(Rectangle::from_corners(
            [r.min().x, r.min().y],
            [r.max().x, r.max().y],
        ))
    }
}

impl TileSource {
    /// Projects and indexes `features` with the default [`TileOptions`] (buffer 64 px,
    /// tolerance 3 px of 4096).
    ///
    /// # Errors
    /// [`TileError::TooManyFeatures`] above [`MAX_FEATURES`]; [`TileError::BadCoordinate`] for
    /// a coordinate that is not a finite lon/lat; [`TileError::UnsupportedGeometry`] for a
    /// geometry collection.
    ///
    /// ```
    /// use geo::{Geometry, Point};
    /// use hotspot::tiles::{TileCoord, TileFeature, TileSource};
    /// let f = TileFeature {
    ///     geometry: Geometry::Point(Point::new(-1.0913, 50.7989)),
    ///     properties: serde_json::Map::new(),
    ///     id: Some(7),
    /// };
    /// let source = TileSource::new(vec![f]).unwrap();
    /// let tile = source.tile(TileCoord::new_checked(14, 8142, 5499).unwrap());
    /// assert_eq!(tile.len(), 1);
    /// assert_eq!(tile[0].id, Some(7));
    /// ```
    pub fn new(features: Vec<TileFeature>) -> Result<TileSource, TileError> {
        TileSource::with_options(features, TileOptions::default())
    }

    /// As [`TileSource::new`], with options.
    ///
    /// # Errors
    /// As [`TileSource::new`], and [`TileError::BadOption`] for a buffer above 2048 px or a
    /// tolerance outside 0..=256 px.
    pub fn with_options(
        features: Vec<TileFeature>,
        options: TileOptions,
    ) -> Result<TileSource, TileError> {
        let options = options.check()?;
        if features.len() > MAX_FEATURES {
            return Err(TileError::TooManyFeatures {
                n: features.len(),
                max: MAX_FEATURES,
            });
        }
        let mut stored = Vec::with_capacity(features.len());
        let mut point_entries = Vec::new();
        let mut box_entries = Vec::new();
        let mut fields = BTreeMap::new();
        let mut interner = PropertyInterner::default();
        let mut extent_m: Option<[f64; 4]> = None;
        for (i, f) in features.into_iter().enumerate() {
            let geometry = project_geometry(i, &f.geometry)?;
            let idx = u32::try_from(i).expect("MAX_FEATURES is below u32::MAX");
            let bbox = geometry.bounding_box();
            if let Some(r) = &bbox {
                let (lo, hi) = (r.lower(), r.upper());
                extent_m = Some(match extent_m {
                    None => [lo[0], lo[1], hi[0], hi[1]],
                    Some(e) => [
                        e[0].min(lo[0]),
                        e[1].min(lo[1]),
                        e[2].max(hi[0]),
                        e[3].max(hi[1]),
                    ],
                });
            }
            match (&geometry, bbox) {
                (Projected::Point(c), _) => point_entries.push(PointEntry::new([c.x, c.y], idx)),
                (_, Some(r)) => box_entries.push(BoxEntry::new(r, idx)),
                (_, None) => {} // empty geometry: never in any tile
            }
            FieldType::collect(&mut fields, &f.properties);
            stored.push(Stored {
                geometry,
                properties: interner.intern(f.properties),
                id: f.id,
            });
        }
        let bounds_lonlat = extent_m.map(|e| {
            let sw = mercator_to_lonlat(Coord { x: e[0], y: e[1] });
            let ne = mercator_to_lonlat(Coord { x: e[2], y: e[3] });
            [sw.x, sw.y, ne.x, ne.y]
        });
        Ok(TileSource {
            features: stored,
            points: RTree::bulk_load(point_entries),
            boxes: RTree::bulk_load(box_entries),
            options,
            bounds_lonlat,
            fields,
        })
    }

    /// Number of features.
    pub fn len(&self) -> usize {
        self.features.len()
    }

    /// Whether the source has no features.
    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    /// The features' extent `(west, south, east, north)` in degrees; `None` when empty.
    pub fn bounds_lonlat(&self) -> Option<[f64; 4]> {
        self.bounds_lonlat
    }

    /// Property names and their types over all features (for TileJSON).
    pub fn fields(&self) -> &BTreeMap<String, FieldType> {
        &self.fields
    }

    /// The options tiles are cut with.
    pub fn options(&self) -> TileOptions {
        self.options
    }

    /// Indices (input order) of the features whose bounding box meets the tile's buffered
    /// square: pipeline steps 1–2.
    pub fn candidates(&self, coord: TileCoord) -> Vec<usize> {
        let b = coord.buffered_bounds_m(self.options.buffer_px);
        let env = AABB::from_corners([b.min().x, b.min().y], [b.max().x, b.max().y]);
        let mut hits: Vec<u32> = self
            .points
            .locate_in_envelope(&env)
            .map(|e| e.data)
            .chain(
                self.boxes
                    .locate_in_envelope_intersecting(&env)
                    .map(|e| e.data),
            )
            .collect();
        hits.sort_unstable();
        hits.into_iter().map(|i| i as usize).collect()
    }

    /// The tile's features, clipped, simplified and quantised (pipeline steps 1–7), in input
    /// order. Features with nothing left inside the buffered tile are left out.
    ///
    /// Complexity: O(log n + k·v) for k candidate features of v vertices each.
    pub fn tile(&self, coord: TileCoord) -> Vec<ClippedFeature> {
        let transform = coord.transform();
        let lo = -f64::from(self.options.buffer_px);
        let hi = f64::from(EXTENT + self.options.buffer_px);
        let window = geo::Rect::new(Coord { x: lo, y: lo }, Coord { x: hi, y: hi });
        let tolerance_px = self.options.tolerance_px;
        let candidates = self.candidates(coord);
        let mut out = Vec::with_capacity(candidates.len());
        for i in candidates {
            let f = &self.features[i];
            let geometry = match &f.geometry {
                Projected::Point(c) => {
                    let p = transform.to_px(*c);
                    contains(&window, p).then(|| TileGeometry::Point(quantise(p)))
                }
                Projected::Points(ps) => {
                    let kept: Vec<_> = ps
                        .iter()
                        .map(|&c| transform.to_px(c))
                        .filter(|&p| contains(&window, p))
                        .map(quantise)
                        .collect();
                    match kept.as_slice() {
                        [] => None,
                        [one] => Some(TileGeometry::Point(*one)),
                        _ => Some(TileGeometry::Points(kept)),
                    }
                }
                Projected::Lines(ml) => {
                    let kept: Vec<_> = ml
                        .iter()
                        .flat_map(|l| {
                            let px =
                                LineString::new(l.0.iter().map(|&c| transform.to_px(c)).collect());
                            clip_line(&px, &window)
                        })
                        .filter_map(|part| finish_line(part, tolerance_px))
                        .collect();
                    (!kept.is_empty()).then_some(TileGeometry::Lines(kept))
                }
                Projected::Polygons(mp) => {
                    let kept: Vec<_> = mp
                        .iter()
                        .filter_map(|p| {
                            let px = Polygon::new(
                                LineString::new(
                                    p.exterior().0.iter().map(|&c| transform.to_px(c)).collect(),
                                ),
                                p.interiors()
                                    .iter()
                                    .map(|h| {
                                        LineString::new(
                                            h.0.iter().map(|&c| transform.to_px(c)).collect(),
                                        )
                                    })
                                    .collect(),
                            );
                            clip_polygon(&px, &window)
                        })
                        .filter_map(|p| finish_polygon(p, tolerance_px))
                        .collect();
                    (!kept.is_empty()).then_some(TileGeometry::Polygons(kept))
                }
            };
            if let Some(geometry) = geometry {
                out.push(ClippedFeature {
                    geometry,
                    properties: f.properties.clone(),
                    id: f.id,
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use geo::{GeometryCollection, Point, line_string};
    use serde_json::json;

    use super::*;

    fn feature(geometry: Geometry<f64>, properties: Value) -> TileFeature {
        let Value::Object(properties) = properties else {
            panic!("properties must be an object")
        };
        TileFeature {
            geometry,
            properties,
            id: None,
        }
    }

    #[test]
    fn fields_and_bounds_are_collected_at_load() {
        let src = TileSource::new(vec![
            feature(
                Point::new(-1.1, 50.8).into(),
                json!({"name": "a", "count": 1, "v": 1}),
            ),
            feature(
                line_string![(x: -1.05, y: 50.78), (x: -1.0, y: 50.85)].into(),
                json!({"count": 2.5, "v": "x", "ok": true, "gone": null}),
            ),
        ])
        .unwrap();
        let fields: Vec<(&str, FieldType)> =
            src.fields().iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(
            fields,
            [
                ("count", FieldType::Number),
                ("name", FieldType::String),
                ("ok", FieldType::Boolean),
                ("v", FieldType::Mixed),
            ]
        );
        let [w, s, e, n] = src.bounds_lonlat().unwrap();
        assert!((w + 1.1).abs() < 1e-9 && (s - 50.78).abs() < 1e-9);
        assert!((e + 1.0).abs() < 1e-9 && (n - 50.85).abs() < 1e-9);
    }

    #[test]
    fn bad_input_names_the_feature() {
        let ok = feature(Point::new(0.0, 0.0).into(), json!({}));
        let bad = feature(Point::new(0.0, f64::NAN).into(), json!({}));
        let e = TileSource::new(vec![ok.clone(), bad]).unwrap_err();
        assert!(
            matches!(e, TileError::BadCoordinate { feature: 1, .. }),
            "{e}"
        );
        let gc = feature(
            Geometry::GeometryCollection(GeometryCollection::<f64>::new_from(vec![])),
            json!({}),
        );
        assert_eq!(
            TileSource::new(vec![ok.clone(), ok, gc]).unwrap_err(),
            TileError::UnsupportedGeometry {
                feature: 2,
                kind: "GeometryCollection"
            }
        );
        let opts = TileOptions {
            tolerance_px: -1.0,
            ..TileOptions::default()
        };
        assert!(matches!(
            TileSource::with_options(vec![], opts),
            Err(TileError::BadOption {
                name: "tolerance_px",
                ..
            })
        ));
    }
}
