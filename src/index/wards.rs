//! Point-in-ward lookup with a coastal tolerance.
//!
//! Ward boundaries published by ONS are generalised and clipped to the coastline, so real
//! police.uk snap points on the seafront or a harbour edge fall a few metres outside every
//! polygon. The lookup therefore works in two steps:
//! 1. Containment: the R-tree of ward bounding boxes (lon/lat) gives candidates; the first
//!    polygon that contains the point (boundary included) wins.
//! 2. Tolerance: otherwise the nearest ward within `tolerance_m` (British National Grid
//!    metres) is taken and the assignment is flagged `by_tolerance`. When the wards belong to a
//!    named local authority, a row whose LSOA names another authority (`Fareham 012A`) is never
//!    pulled in this way: a force file covers many districts, and their edge rows are theirs.

use std::sync::Arc;

use geo::{Coord, Distance, Euclidean, Intersects, LineString, MultiPolygon, Point, Polygon};
use rstar::{AABB, RTree, primitives::GeomWithData, primitives::Rectangle};

use crate::domain::{Lsoa, Ward, WardAssignment, Wgs84};

/// Default distance, metres, within which a point outside every polygon still joins the nearest
/// ward (interface.md: `--tolerance-m 100`).
pub const DEFAULT_TOLERANCE_M: f64 = 100.0;

/// How to assign points to wards.
#[derive(Debug, Clone, PartialEq)]
pub struct WardRules {
    /// Points outside every polygon but within this distance of one join it, flagged.
    pub tolerance_m: f64,
    /// The local authority the wards belong to (e.g. `Portsmouth`), when known.
    pub authority: Option<String>,
}

impl Default for WardRules {
    fn default() -> Self {
        WardRules {
            tolerance_m: DEFAULT_TOLERANCE_M,
            authority: None,
        }
    }
}

/// Wards indexed for point lookup.
#[derive(Debug, Clone)]
pub struct WardIndex {
    codes: Vec<Arc<str>>,
    lonlat: Vec<MultiPolygon<f64>>,
    bng: Vec<MultiPolygon<f64>>,
    bng_boxes: Vec<AABB<[f64; 2]>>,
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
    rules: WardRules,
}

/// A ward boundary that cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WardIndexError {
    /// A vertex has no British National Grid position.
    #[error("ward {code}: vertex ({lon}, {lat}) lies outside the British National Grid")]
    OutsideGrid {
        /// Ward code.
        code: String,
        /// Longitude of the vertex.
        lon: f64,
        /// Latitude of the vertex.
        lat: f64,
    },
    /// The boundary has no polygon.
    #[error("ward {code} has an empty boundary")]
    Empty {
        /// Ward code.
        code: String,
    },
}

impl WardIndex {
    /// Indexes the wards; their order is the order of [`WardIndex::code`] indices.
    pub fn new(wards: &[Ward], rules: WardRules) -> Result<WardIndex, WardIndexError> {
        let mut bng = Vec::with_capacity(wards.len());
        let mut boxes = Vec::with_capacity(wards.len());
        let mut rects = Vec::with_capacity(wards.len());
        for (i, ward) in wards.iter().enumerate() {
            let projected =
                to_bng(&ward.boundary).map_err(|(lon, lat)| WardIndexError::OutsideGrid {
                    code: ward.code.clone(),
                    lon,
                    lat,
                })?;
            let (lo, hi) = bounds(&ward.boundary).ok_or_else(|| WardIndexError::Empty {
                code: ward.code.clone(),
            })?;
            let (blo, bhi) = bounds(&projected).ok_or_else(|| WardIndexError::Empty {
                code: ward.code.clone(),
            })?;
            rects.push(GeomWithData::new(Rectangle::from_corners(lo, hi), i));
            boxes.push(AABB::from_corners(blo, bhi));
            bng.push(projected);
        }
        Ok(WardIndex {
            codes: wards.iter().map(|w| Arc::from(w.code.as_str())).collect(),
            lonlat: wards.iter().map(|w| w.boundary.clone()).collect(),
            bng,
            bng_boxes: boxes,
            tree: RTree::bulk_load(rects),
            rules,
        })
    }

    /// The rules in force.
    pub fn rules(&self) -> &WardRules {
        &self.rules
    }

    /// Number of wards.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// Whether there are no wards.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// The code of ward `i`.
    pub fn code(&self, i: usize) -> &str {
        &self.codes[i]
    }

    /// Ward `i`'s boundary in British National Grid metres.
    pub fn boundary_bng(&self, i: usize) -> &MultiPolygon<f64> {
        &self.bng[i]
    }

    /// The index of the ward whose polygon contains the point (boundary included).
    pub fn containing(&self, location: Wgs84) -> Option<usize> {
        let p = [location.lon(), location.lat()];
        let point = Point::new(p[0], p[1]);
        self.tree
            .locate_all_at_point(&p)
            .map(|r| r.data)
            .filter(|&i| self.lonlat[i].intersects(&point))
            .min()
    }

    /// The index of the nearest ward within the tolerance and its distance in metres, for a point
    /// outside every polygon, ignoring the authority rule.
    pub fn nearest_within_tolerance(&self, location: Wgs84) -> Option<(usize, f64)> {
        let xy = location.to_bng().ok()?.xy();
        let point = Point::new(xy[0], xy[1]);
        let tol = self.rules.tolerance_m;
        let mut best: Option<(usize, f64)> = None;
        for (i, bbox) in self.bng_boxes.iter().enumerate() {
            if bbox.distance_2(&xy) > tol * tol {
                continue;
            }
            let d = Euclidean.distance(&point, &self.bng[i]);
            if d <= tol && best.is_none_or(|(_, bd)| d < bd) {
                best = Some((i, d));
            }
        }
        best
    }

    /// Assigns a point (with the LSOA its source gives, if any) to a ward index.
    pub fn assign_index(&self, location: Wgs84, lsoa: Option<&Lsoa>) -> Option<(usize, bool)> {
        if let Some(i) = self.containing(location) {
            return Some((i, false));
        }
        if let (Some(authority), Some(lsoa)) = (&self.rules.authority, lsoa)
            && !lsoa.authority().eq_ignore_ascii_case(authority)
        {
            return None;
        }
        self.nearest_within_tolerance(location)
            .map(|(i, _)| (i, true))
    }

    /// Assigns a point to a ward, as stored on an incident.
    pub fn assign(&self, location: Wgs84, lsoa: Option<&Lsoa>) -> Option<WardAssignment> {
        self.assign_index(location, lsoa)
            .map(|(i, by_tolerance)| self.assignment(i, by_tolerance))
    }

    /// The assignment to ward `i` (its code shared, not copied).
    pub fn assignment(&self, i: usize, by_tolerance: bool) -> WardAssignment {
        WardAssignment {
            code: Arc::clone(&self.codes[i]),
            by_tolerance,
        }
    }
}

fn bounds(mp: &MultiPolygon<f64>) -> Option<([f64; 2], [f64; 2])> {
    let mut it = mp.0.iter().flat_map(|p| p.exterior().coords());
    let first = it.next()?;
    let mut lo = [first.x, first.y];
    let mut hi = lo;
    for c in it {
        lo = [lo[0].min(c.x), lo[1].min(c.y)];
        hi = [hi[0].max(c.x), hi[1].max(c.y)];
    }
    Some((lo, hi))
}

/// Projects a lon/lat multipolygon to British National Grid metres; the error is the first
/// vertex that cannot be projected.
pub fn to_bng(mp: &MultiPolygon<f64>) -> Result<MultiPolygon<f64>, (f64, f64)> {
    let ring = |ls: &LineString<f64>| -> Result<LineString<f64>, (f64, f64)> {
        ls.coords()
            .map(|c| {
                Wgs84::new(c.x, c.y)
                    .and_then(Wgs84::to_bng)
                    .map(|b| Coord {
                        x: b.easting_m,
                        y: b.northing_m,
                    })
                    .map_err(|_| (c.x, c.y))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(LineString::from)
    };
    mp.0.iter()
        .map(|p| {
            Ok(Polygon::new(
                ring(p.exterior())?,
                p.interiors().iter().map(ring).collect::<Result<_, _>>()?,
            ))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(MultiPolygon::new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    fn square(code: &str, lon0: f64, lat0: f64, size: f64) -> Ward {
        Ward {
            code: code.into(),
            name: code.into(),
            boundary: MultiPolygon::new(vec![polygon![
                (x: lon0, y: lat0),
                (x: lon0 + size, y: lat0),
                (x: lon0 + size, y: lat0 + size),
                (x: lon0, y: lat0 + size),
                (x: lon0, y: lat0),
            ]]),
            population: None,
        }
    }

    fn lsoa(name: &str) -> Lsoa {
        Lsoa {
            code: "E01000000".into(),
            name: name.into(),
        }
    }

    #[test]
    fn containment_then_tolerance_then_authority() {
        let wards = [
            square("A", -1.10, 50.80, 0.01),
            square("B", -1.09, 50.80, 0.01),
        ];
        let rules = WardRules {
            tolerance_m: 100.0,
            authority: Some("Portsmouth".into()),
        };
        let idx = WardIndex::new(&wards, rules).unwrap();
        let inside_b = Wgs84::new(-1.085, 50.805).unwrap();
        assert_eq!(idx.assign_index(inside_b, None), Some((1, false)));
        // ~70 m south of A's southern edge (0.00063° of latitude ≈ 70 m).
        let near_a = Wgs84::new(-1.095, 50.79937).unwrap();
        assert_eq!(
            idx.assign_index(near_a, Some(&lsoa("Portsmouth 001A"))),
            Some((0, true))
        );
        assert_eq!(idx.assign_index(near_a, None), Some((0, true)));
        assert_eq!(idx.assign_index(near_a, Some(&lsoa("Fareham 012A"))), None);
        // ~200 m away: outside the tolerance.
        let far = Wgs84::new(-1.095, 50.7982).unwrap();
        assert_eq!(idx.assign_index(far, Some(&lsoa("Portsmouth 001A"))), None);
    }
}
