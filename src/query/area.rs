//! Study areas: a boundary given as GeoJSON, a ward, a cumulative impact zone or the whole city,
//! checked and projected once (lon/lat and British National Grid), with the residents inside.
//!
//! Used by the Purple Flag scorecard (`purple_flag`) and intervention evaluation
//! (`intervention`, which reads its target polygon with [`geojson_polygons`]).

use geo::{Area, BooleanOps, Intersects, MultiPolygon, Point};

use crate::domain::Wgs84;
use crate::index::{Snapshot, to_bng};

/// Most vertices a polygon may have.
pub const MAX_POLYGON_VERTICES: usize = 10_000;
/// Most bytes of a polygon file read by the CLI.
pub const MAX_POLYGON_FILE_BYTES: u64 = 1024 * 1024;
/// Why a polygon cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AreaError {
    /// Not GeoJSON.
    #[error("not GeoJSON: {0}")]
    Syntax(String),
    /// GeoJSON, but not Polygon or MultiPolygon geometries.
    #[error("expected Polygon or MultiPolygon geometries (or Features holding them); got {0}")]
    NotPolygon(String),
    /// Too many vertices.
    #[error("{n} vertices; at most {max}")]
    TooManyVertices {
        /// Vertices given.
        n: usize,
        /// The cap.
        max: usize,
    },
    /// A vertex is not a lon/lat position in range, or off the national grid.
    #[error("vertex ({lon}, {lat}) is not a lon/lat position on the British National Grid")]
    BadVertex {
        /// Longitude given.
        lon: f64,
        /// Latitude given.
        lat: f64,
    },
    /// The polygon encloses nothing.
    #[error("the polygon has no area")]
    Empty,
}

/// Parses GeoJSON polygon text (a geometry, a Feature, or a FeatureCollection of polygon
/// features, taken together) into a lon/lat multipolygon of at most
/// [`MAX_POLYGON_VERTICES`] vertices.
pub fn parse_polygon(text: &str) -> Result<MultiPolygon<f64>, AreaError> {
    geojson_polygons(text, MAX_POLYGON_VERTICES)
}

/// Parses GeoJSON polygon text (a geometry, a Feature, or a FeatureCollection whose features
/// are all polygons, taken together) into one multipolygon, with at most `max_vertices`
/// vertices. Coordinates are returned as given (lon/lat for GeoJSON).
pub fn geojson_polygons(text: &str, max_vertices: usize) -> Result<MultiPolygon<f64>, AreaError> {
    let gj: geojson::GeoJson = text
        .parse()
        .map_err(|e: geojson::Error| AreaError::Syntax(e.to_string()))?;
    let geometries: Vec<geojson::Geometry> = match gj {
        geojson::GeoJson::Geometry(g) => vec![g],
        geojson::GeoJson::Feature(f) => f.geometry.into_iter().collect(),
        geojson::GeoJson::FeatureCollection(fc) => {
            fc.features.into_iter().filter_map(|f| f.geometry).collect()
        }
    };
    if geometries.is_empty() {
        return Err(AreaError::NotPolygon("no geometry".into()));
    }
    let mut polygons = Vec::new();
    for geometry in geometries {
        let kind = geometry.value.type_name().to_owned();
        match geo::Geometry::<f64>::try_from(geometry) {
            Ok(geo::Geometry::Polygon(p)) => polygons.push(p),
            Ok(geo::Geometry::MultiPolygon(mp)) => polygons.extend(mp.0),
            _ => return Err(AreaError::NotPolygon(kind)),
        }
    }
    let n: usize = polygons
        .iter()
        .map(|p| p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>())
        .sum();
    if n > max_vertices {
        return Err(AreaError::TooManyVertices {
            n,
            max: max_vertices,
        });
    }
    Ok(MultiPolygon(polygons))
}

/// Where the area came from.
#[derive(Debug, Clone, PartialEq)]
pub enum AreaSource {
    /// A drawn or supplied polygon.
    Polygon,
    /// A ward (index into [`Snapshot::wards`]).
    Ward(usize),
    /// A cumulative impact zone, by id.
    Zone(String),
    /// Every ward together (no area given): a city-wide baseline to compare areas with.
    City,
}

/// A checked study area.
#[derive(Debug, Clone)]
pub struct StudyArea {
    /// Where it came from.
    pub source: AreaSource,
    /// A label for outputs.
    pub label: String,
    /// Boundary in lon/lat degrees.
    pub lonlat: MultiPolygon<f64>,
    /// Boundary in BNG metres.
    pub bng: MultiPolygon<f64>,
    /// Planar BNG area, km².
    pub area_km2: f64,
}

impl StudyArea {
    /// Builds the area from a lon/lat boundary.
    pub fn new(
        source: AreaSource,
        label: String,
        lonlat: MultiPolygon<f64>,
    ) -> Result<StudyArea, AreaError> {
        for c in lonlat.0.iter().flat_map(|p| {
            p.exterior()
                .coords()
                .chain(p.interiors().iter().flat_map(|r| r.coords()))
        }) {
            if Wgs84::new(c.x, c.y).is_err() {
                return Err(AreaError::BadVertex { lon: c.x, lat: c.y });
            }
        }
        let bng = to_bng(&lonlat).map_err(|(lon, lat)| AreaError::BadVertex { lon, lat })?;
        let area_km2 = bng.unsigned_area() / 1e6;
        if area_km2.is_nan() || area_km2 <= 0.0 {
            return Err(AreaError::Empty);
        }
        Ok(StudyArea {
            source,
            label,
            lonlat,
            bng,
            area_km2,
        })
    }

    /// Whether a BNG position is inside or on the boundary.
    pub fn contains_bng(&self, xy: [f64; 2]) -> bool {
        self.bng.intersects(&Point::new(xy[0], xy[1]))
    }
}

/// Residents inside `area`: Σ population × share of the ward's area inside it. `Err` names
/// the wards touching the area that have no population.
pub fn area_weighted_residents(snap: &Snapshot, area: &StudyArea) -> Result<f64, String> {
    let mut residents = 0.0;
    let mut missing = Vec::new();
    for (i, w) in snap.wards.iter().enumerate() {
        let ward_bng = snap.ward_index.boundary_bng(i);
        let ward_area = ward_bng.unsigned_area();
        if ward_area <= 0.0 {
            continue;
        }
        let share = match &area.source {
            AreaSource::City => 1.0,
            AreaSource::Ward(j) if *j == i => 1.0,
            AreaSource::Ward(_) => 0.0,
            _ => area.bng.intersection(ward_bng).unsigned_area() / ward_area,
        };
        if share <= 1e-9 {
            continue;
        }
        match w.population {
            Some(p) => residents += f64::from(p) * share.min(1.0),
            None => missing.push(w.name.clone()),
        }
    }
    if snap.wards.is_empty() {
        return Err("no wards are loaded".into());
    }
    if missing.is_empty() {
        Ok(residents)
    } else {
        Err(format!(
            "no population loaded for {} (import wards with --population)",
            missing.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polygons_parse_and_caps_hold() {
        let sq = r#"{"type":"Polygon","coordinates":[[[-1.1,50.79],[-1.09,50.79],[-1.09,50.8],[-1.1,50.8],[-1.1,50.79]]]}"#;
        let mp = parse_polygon(sq).unwrap();
        let area = StudyArea::new(AreaSource::Polygon, "x".into(), mp).unwrap();
        // 0.01° lon × 0.01° lat at 50.8°N ≈ 0.703 km × 1.112 km.
        assert!((area.area_km2 - 0.78).abs() < 0.02, "{}", area.area_km2);
        assert!(matches!(
            parse_polygon(r#"{"type":"Point","coordinates":[0,0]}"#),
            Err(AreaError::NotPolygon(_))
        ));
        assert!(matches!(parse_polygon("nope"), Err(AreaError::Syntax(_))));
        // A collection's polygons are taken together; an empty one is refused.
        let two = format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{}},"geometry":{sq}}},{{"type":"Feature","properties":{{}},"geometry":{{"type":"MultiPolygon","coordinates":[[[[-1.0,50.79],[-0.99,50.79],[-0.99,50.8],[-1.0,50.79]]]]}}}}]}}"#
        );
        assert_eq!(parse_polygon(&two).unwrap().0.len(), 2);
        assert!(matches!(
            parse_polygon(r#"{"type":"FeatureCollection","features":[]}"#),
            Err(AreaError::NotPolygon(_))
        ));
        assert!(matches!(
            geojson_polygons(sq, 4),
            Err(AreaError::TooManyVertices { n: 5, max: 4 })
        ));
        let ring: Vec<String> = (0..=MAX_POLYGON_VERTICES)
            .map(|i| {
                let a = i as f64 / MAX_POLYGON_VERTICES as f64 * std::f64::consts::TAU;
                format!("[{},{}]", -1.1 + 0.01 * a.cos(), 50.8 + 0.01 * a.sin())
            })
            .collect();
        let big = format!(
            r#"{{"type":"Polygon","coordinates":[[{}]]}}"#,
            ring.join(",")
        );
        assert!(matches!(
            parse_polygon(&big),
            Err(AreaError::TooManyVertices { .. })
        ));
    }
}
