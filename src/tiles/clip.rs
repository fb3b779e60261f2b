//! Clipping to an axis-aligned rectangle (the buffered tile).
//!
//! - Polygons: **Sutherland–Hodgman** (Sutherland & Hodgman 1974, "Reentrant polygon
//!   clipping", CACM 17(1)), applied to each ring on its own. Against a convex window it is
//!   exact for any simple ring, convex or not: the output ring encloses exactly the part of the
//!   ring's area inside the window. A concave ring that leaves and re-enters the window comes
//!   back as one ring joined by zero-width runs along the window edge; those runs cover no
//!   area and fill correctly, which is also what geojson-vt emits. Holes are clipped the same
//!   way, so the clipped area is `area(exterior ∩ R) − Σ area(hole ∩ R)`, exactly the area of
//!   the polygon's intersection with the window.
//! - Lines: **Liang–Barsky** (Liang & Barsky 1984, "A new concept and method for line
//!   clipping", ACM TOG 3(1)) per segment; a line that leaves and re-enters the window
//!   becomes several parts.
//! - Points: kept when inside or on the window.
//!
//! We chose these over `geo`'s `BooleanOps` because the window is always a rectangle: both
//! are O(n) per ring or line, allocate only the output, and never fail on self-touching input,
//! where general overlay costs O(n log n) and rebuilds topology. The integration tests compare
//! our polygon areas with `BooleanOps::intersection`.

use geo::{Coord, LineString, Polygon, Rect};

/// Is `c` inside `rect` or on its edge?
#[inline]
pub fn contains(rect: &Rect<f64>, c: Coord<f64>) -> bool {
    c.x >= rect.min().x && c.x <= rect.max().x && c.y >= rect.min().y && c.y <= rect.max().y
}

/// One of the window's four half-planes.
#[derive(Clone, Copy)]
enum Edge {
    Left(f64),
    Right(f64),
    Bottom(f64),
    Top(f64),
}

impl Edge {
    #[inline]
    fn inside(self, c: Coord<f64>) -> bool {
        match self {
            Edge::Left(x) => c.x >= x,
            Edge::Right(x) => c.x <= x,
            Edge::Bottom(y) => c.y >= y,
            Edge::Top(y) => c.y <= y,
        }
    }

    /// Where segment `a → b` (one end on each side) crosses the edge's line.
    #[inline]
    fn cross(self, a: Coord<f64>, b: Coord<f64>) -> Coord<f64> {
        match self {
            Edge::Left(x) | Edge::Right(x) => {
                let t = (x - a.x) / (b.x - a.x);
                Coord {
                    x,
                    y: a.y + t * (b.y - a.y),
                }
            }
            Edge::Bottom(y) | Edge::Top(y) => {
                let t = (y - a.y) / (b.y - a.y);
                Coord {
                    x: a.x + t * (b.x - a.x),
                    y,
                }
            }
        }
    }
}

/// Clips one ring (open: the closing point is not repeated) to `rect` by Sutherland–Hodgman.
///
/// Parameters: `ring`, vertices in any units; `rect`, the window in the same units.
/// Returns the clipped ring, open, or an empty vector when nothing is left.
///
/// Algorithm:
/// 1. If the ring's bounding box lies inside the window, return it unchanged (fast path).
/// 2. For each of the window's four edges in turn, walk the ring's edges `a → b`: when `b`
///    is inside, emit the crossing point first if `a` was outside, then `b`; when `b` is
///    outside and `a` inside, emit only the crossing point.
/// 3. The output of one edge is the input to the next.
///
/// Notes: O(n) per edge, 4 passes.
///
/// ```
/// use geo::{Coord, Rect};
/// use hotspot::tiles::clip::clip_ring;
/// let square = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)].map(Coord::from);
/// let out = clip_ring(&square, &Rect::new((5.0, -5.0), (20.0, 20.0)));
/// assert_eq!(out, [(5.0, 0.0), (10.0, 0.0), (10.0, 10.0), (5.0, 10.0)].map(Coord::from));
/// ```
pub fn clip_ring(ring: &[Coord<f64>], rect: &Rect<f64>) -> Vec<Coord<f64>> {
    if ring.iter().all(|&c| contains(rect, c)) {
        return ring.to_vec();
    }
    let edges = [
        Edge::Left(rect.min().x),
        Edge::Right(rect.max().x),
        Edge::Bottom(rect.min().y),
        Edge::Top(rect.max().y),
    ];
    let mut input: Vec<Coord<f64>> = ring.to_vec();
    let mut output: Vec<Coord<f64>> = Vec::with_capacity(ring.len() + 8);
    for edge in edges {
        output.clear();
        let Some(&last) = input.last() else {
            return Vec::new();
        };
        let mut a = last;
        for &b in &input {
            match (edge.inside(a), edge.inside(b)) {
                (true, true) => output.push(b),
                (false, true) => {
                    output.push(edge.cross(a, b));
                    output.push(b);
                }
                (true, false) => output.push(edge.cross(a, b)),
                (false, false) => {}
            }
            a = b;
        }
        std::mem::swap(&mut input, &mut output);
    }
    input
}

/// The ring of a `geo` polygon without its repeated closing point.
pub fn open_ring(ring: &LineString<f64>) -> &[Coord<f64>] {
    match ring.0.as_slice() {
        [first, .., last] if first == last => &ring.0[..ring.0.len() - 1],
        all => all,
    }
}

/// Clips a polygon (exterior and holes) to `rect`; `None` when the exterior vanishes.
///
/// Holes that vanish are dropped. See the module notes for why the result's area equals the
/// area of the intersection.
pub fn clip_polygon(polygon: &Polygon<f64>, rect: &Rect<f64>) -> Option<Polygon<f64>> {
    let exterior = clip_ring(open_ring(polygon.exterior()), rect);
    if exterior.len() < 3 {
        return None;
    }
    let holes = polygon
        .interiors()
        .iter()
        .map(|h| clip_ring(open_ring(h), rect))
        .filter(|h| h.len() >= 3)
        .map(LineString::new)
        .collect();
    Some(Polygon::new(LineString::new(exterior), holes))
}

/// Clips a line to `rect` by Liang–Barsky; returns the parts inside, in order.
///
/// Algorithm:
/// 1. For each segment `a → b`, find the parameter interval `[t0, t1] ⊆ [0, 1]` inside all
///    four half-planes (`p·t ≤ q` for each edge); skip the segment if it is empty.
/// 2. Append the clipped segment to the current part when it starts where the part ends,
///    else start a new part.
///
/// ```
/// use geo::{LineString, Rect};
/// use hotspot::tiles::clip::clip_line;
/// let line = LineString::from(vec![(-5.0, 5.0), (15.0, 5.0)]);
/// let parts = clip_line(&line, &Rect::new((0.0, 0.0), (10.0, 10.0)));
/// assert_eq!(parts, vec![LineString::from(vec![(0.0, 5.0), (10.0, 5.0)])]);
/// ```
pub fn clip_line(line: &LineString<f64>, rect: &Rect<f64>) -> Vec<LineString<f64>> {
    let mut parts: Vec<LineString<f64>> = Vec::new();
    let mut current: Vec<Coord<f64>> = Vec::new();
    for seg in line.0.windows(2) {
        let (a, b) = (seg[0], seg[1]);
        let Some((p, q)) = clip_segment(a, b, rect) else {
            continue;
        };
        if current.last() != Some(&p) {
            if current.len() >= 2 {
                parts.push(LineString::new(std::mem::take(&mut current)));
            }
            current.clear();
            current.push(p);
        }
        current.push(q);
    }
    if current.len() >= 2 {
        parts.push(LineString::new(current));
    }
    parts
}

/// Liang–Barsky for one segment: the part of `a → b` inside `rect`, if any.
fn clip_segment(
    a: Coord<f64>,
    b: Coord<f64>,
    rect: &Rect<f64>,
) -> Option<(Coord<f64>, Coord<f64>)> {
    if a == b {
        return None;
    }
    if contains(rect, a) && contains(rect, b) {
        return Some((a, b));
    }
    let d = b - a;
    let mut t0 = 0.0_f64;
    let mut t1 = 1.0_f64;
    for (p, q) in [
        (-d.x, a.x - rect.min().x),
        (d.x, rect.max().x - a.x),
        (-d.y, a.y - rect.min().y),
        (d.y, rect.max().y - a.y),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
        }
    }
    if t0 >= t1 {
        // Misses the window, or only touches it at one point.
        return None;
    }
    let at = |t: f64| {
        if t == 0.0 {
            a
        } else if t == 1.0 {
            b
        } else {
            a + d * t
        }
    };
    Some((at(t0), at(t1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Area, polygon};

    fn window() -> Rect<f64> {
        Rect::new((0.0, 0.0), (10.0, 10.0))
    }

    #[test]
    fn concave_ring_keeps_exact_area() {
        // A "U" whose two arms leave the window through its top edge.
        let u = polygon![
            (x: 2.0, y: 2.0), (x: 8.0, y: 2.0), (x: 8.0, y: 14.0), (x: 6.0, y: 14.0),
            (x: 6.0, y: 4.0), (x: 4.0, y: 4.0), (x: 4.0, y: 14.0), (x: 2.0, y: 14.0),
        ];
        let clipped = clip_polygon(&u, &window()).unwrap();
        // Base 6×2 plus two arms 2×6.
        assert!((clipped.unsigned_area() - (12.0 + 24.0)).abs() < 1e-9);
        assert!(clipped.exterior().0.iter().all(|&c| contains(&window(), c)));
    }

    #[test]
    fn hole_outside_window_is_dropped_and_inside_kept() {
        let p = polygon![
            exterior: [(x: -10.0, y: -10.0), (x: 30.0, y: -10.0), (x: 30.0, y: 30.0), (x: -10.0, y: 30.0)],
            interiors: [
                [(x: 20.0, y: 20.0), (x: 25.0, y: 20.0), (x: 25.0, y: 25.0), (x: 20.0, y: 25.0)],
                [(x: 1.0, y: 1.0), (x: 2.0, y: 1.0), (x: 2.0, y: 2.0), (x: 1.0, y: 2.0)],
            ],
        ];
        let c = clip_polygon(&p, &window()).unwrap();
        assert_eq!(c.interiors().len(), 1);
        assert!((c.unsigned_area() - 99.0).abs() < 1e-9);
    }

    #[test]
    fn polygon_outside_vanishes() {
        let p = polygon![(x: 20.0, y: 20.0), (x: 25.0, y: 20.0), (x: 25.0, y: 25.0)];
        assert!(clip_polygon(&p, &window()).is_none());
    }

    #[test]
    fn line_leaving_and_reentering_splits() {
        let line = LineString::from(vec![
            (1.0, 1.0),
            (1.0, 20.0),
            (5.0, 20.0),
            (5.0, 5.0),
            (-3.0, 5.0),
        ]);
        let parts = clip_line(&line, &window());
        assert_eq!(
            parts,
            vec![
                LineString::from(vec![(1.0, 1.0), (1.0, 10.0)]),
                LineString::from(vec![(5.0, 10.0), (5.0, 5.0), (0.0, 5.0)]),
            ]
        );
    }

    #[test]
    fn diagonal_crossing_corner_region() {
        // Both lines only touch the window's corner (0, 10): nothing of length is inside.
        for line in [
            LineString::from(vec![(-5.0, 5.0), (5.0, 15.0)]),
            LineString::from(vec![(-2.0, 8.0), (4.0, 14.0)]),
        ] {
            assert!(clip_line(&line, &window()).is_empty());
        }
        let line = LineString::from(vec![(-2.0, 8.0), (4.0, 2.0)]);
        let parts = clip_line(&line, &window());
        assert_eq!(parts, vec![LineString::from(vec![(0.0, 6.0), (4.0, 2.0)])]);
    }
}
