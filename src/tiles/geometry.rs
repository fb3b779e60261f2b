//! Tile-space geometry: quantised to the 4096 grid, simplified, rings oriented for MVT.

use geo::{Coord, LineString, Polygon, Simplify};

use super::properties::Properties;

/// A vertex on the tile's integer pixel grid (x right, y down; `-64..=4160` with the buffer).
pub type TilePoint = Coord<i32>;

/// A ring: open (the first vertex is not repeated at the end), at least 3 vertices, no two
/// consecutive vertices equal, non-zero area.
pub type Ring = Vec<TilePoint>;

/// A clipped, quantised geometry in tile pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TileGeometry {
    /// One point (its own variant: most tile features are single incidents, and this one
    /// needs no allocation).
    Point(TilePoint),
    /// Two or more points (a multipoint).
    Points(Vec<TilePoint>),
    /// One or more lines, each with at least two distinct vertices.
    Lines(Vec<Vec<TilePoint>>),
    /// One or more polygons, each a list of rings: the exterior first (positive shoelace area
    /// in y-down tile coordinates, clockwise on screen), then its holes (negative area).
    Polygons(Vec<Vec<Ring>>),
}

impl TileGeometry {
    /// Every vertex, in order.
    pub fn vertices(&self) -> Box<dyn Iterator<Item = TilePoint> + '_> {
        match self {
            TileGeometry::Point(p) => Box::new(std::iter::once(*p)),
            TileGeometry::Points(p) => Box::new(p.iter().copied()),
            TileGeometry::Lines(l) => Box::new(l.iter().flatten().copied()),
            TileGeometry::Polygons(p) => Box::new(p.iter().flatten().flatten().copied()),
        }
    }
}

/// One feature of one tile, ready to encode.
#[derive(Debug, Clone, PartialEq)]
pub struct ClippedFeature {
    /// Geometry in tile pixels.
    pub geometry: TileGeometry,
    /// Properties, shared with the source (cloning a feature does not copy them).
    pub properties: Properties,
    /// Feature id, if the source had one.
    pub id: Option<u64>,
}

/// Twice the signed shoelace area of an open ring, in tile pixels² (positive = clockwise on
/// screen in y-down coordinates, MVT's exterior winding).
pub fn ring_area2(ring: &[TilePoint]) -> i64 {
    let Some(&last) = ring.last() else {
        return 0;
    };
    let mut prev = last;
    let mut sum = 0i64;
    for &c in ring {
        sum += i64::from(prev.x) * i64::from(c.y) - i64::from(c.x) * i64::from(prev.y);
        prev = c;
    }
    sum
}

/// Rounds to the grid; callers only pass clipped coordinates, which lie within
/// `-64 - 1..=4160 + 1` pixels.
#[inline]
pub(crate) fn quantise(c: Coord<f64>) -> TilePoint {
    #[expect(
        clippy::cast_possible_truncation,
        reason = "clipped coordinates lie within a few thousand pixels of the tile"
    )]
    Coord {
        x: c.x.round() as i32,
        y: c.y.round() as i32,
    }
}

/// Quantises a path and drops consecutive repeats.
fn quantise_path(path: &[Coord<f64>]) -> Vec<TilePoint> {
    let mut out: Vec<TilePoint> = Vec::with_capacity(path.len());
    for &c in path {
        let q = quantise(c);
        if out.last() != Some(&q) {
            out.push(q);
        }
    }
    out
}

/// Steps 5–6 for a line part in tile pixels: simplify, quantise, keep if it has length.
pub(crate) fn finish_line(line: LineString<f64>, tolerance_px: f64) -> Option<Vec<TilePoint>> {
    let line = if tolerance_px > 0.0 {
        line.simplify(tolerance_px)
    } else {
        line
    };
    let q = quantise_path(&line.0);
    (q.len() >= 2).then_some(q)
}

/// Steps 5–7 for one ring (open, tile pixels): simplify, quantise, drop if degenerate,
/// orient (`exterior` → positive area).
fn finish_ring(ring: Vec<Coord<f64>>, tolerance_px: f64, exterior: bool) -> Option<Ring> {
    let simplified = if tolerance_px > 0.0 && ring.len() > 4 {
        let mut closed = ring;
        if let Some(&first) = closed.first() {
            closed.push(first);
        }
        let mut s = LineString::new(closed).simplify(tolerance_px).0;
        s.pop();
        s
    } else {
        ring
    };
    let mut q = quantise_path(&simplified);
    while q.len() > 1 && q.first() == q.last() {
        q.pop();
    }
    let area2 = ring_area2(&q);
    if q.len() < 3 || area2 == 0 {
        return None;
    }
    if (area2 > 0) != exterior {
        q.reverse();
    }
    Some(q)
}

/// Steps 5–7 for a clipped polygon in tile pixels.
pub(crate) fn finish_polygon(polygon: Polygon<f64>, tolerance_px: f64) -> Option<Vec<Ring>> {
    let (exterior, holes) = polygon.into_inner();
    let mut open = exterior.0;
    if open.len() > 1 && open.first() == open.last() {
        open.pop();
    }
    let mut rings = vec![finish_ring(open, tolerance_px, true)?];
    for hole in holes {
        let mut open = hole.0;
        if open.len() > 1 && open.first() == open.last() {
            open.pop();
        }
        rings.extend(finish_ring(open, tolerance_px, false));
    }
    Some(rings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(x: f64, y: f64) -> Coord<f64> {
        Coord { x, y }
    }

    #[test]
    fn exterior_is_clockwise_on_screen_and_hole_counter() {
        // Counter-clockwise on screen (y down): (0,0) → (0,10) → (10,10) → (10,0).
        let ext = vec![c(0.0, 0.0), c(0.0, 10.0), c(10.0, 10.0), c(10.0, 0.0)];
        assert!(ring_area2(&quantise_path(&ext)) < 0);
        let hole = vec![c(2.0, 2.0), c(4.0, 2.0), c(4.0, 4.0), c(2.0, 4.0)];
        let p = Polygon::new(LineString::new(ext), vec![LineString::new(hole)]);
        let rings = finish_polygon(p, 3.0).unwrap();
        assert_eq!(rings.len(), 2);
        assert_eq!(ring_area2(&rings[0]), 200);
        assert_eq!(ring_area2(&rings[1]), -8);
    }

    #[test]
    fn sliver_rings_and_short_lines_are_dropped() {
        // Rounds to three collinear grid points: zero area.
        let sliver = vec![c(0.0, 0.0), c(5.0, 0.2), c(10.0, 0.1)];
        let p = Polygon::new(LineString::new(sliver), vec![]);
        assert!(finish_polygon(p, 0.0).is_none());
        let tiny = LineString::from(vec![(1.1, 1.1), (0.9, 0.8)]);
        assert!(finish_line(tiny, 0.0).is_none());
        let ok = LineString::from(vec![(1.1, 1.1), (3.0, 1.0)]);
        assert_eq!(
            finish_line(ok, 0.0),
            Some(vec![Coord { x: 1, y: 1 }, Coord { x: 3, y: 1 }])
        );
    }

    #[test]
    fn simplification_removes_wiggles_under_tolerance() {
        let wiggly = LineString::from(vec![(0.0, 0.0), (50.0, 1.0), (100.0, -1.0), (200.0, 0.0)]);
        assert_eq!(
            finish_line(wiggly.clone(), 3.0),
            Some(vec![Coord { x: 0, y: 0 }, Coord { x: 200, y: 0 }])
        );
        assert_eq!(finish_line(wiggly, 0.0).map(|l| l.len()), Some(4));
    }
}
