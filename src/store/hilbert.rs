//! Hilbert-curve order, used to fill R-trees with spatially close entries one after another.
//!
//! Citation: Hilbert (1891); the iterative `xy2d` of Warren, *Hacker's Delight* (2nd ed.,
//! §16-2) as given in the Wikipedia article "Hilbert curve".
//!
//! Inserting points into SQLite's R*Tree in this order keeps each insertion near the previous
//! one, so the same few tree pages stay in cache; random order touches a different path each
//! time (measured on a million points: several times slower).

/// Bits per axis of the grid the positions are snapped to (a 65,536 × 65,536 grid).
const ORDER_BITS: u32 = 16;

/// The distance along the Hilbert curve of cell `(x, y)` in a `2^ORDER_BITS` square grid.
///
/// Algorithm:
/// 1. For each level `s` from the top bit down, take the bits `rx`, `ry` of the cell at `s`.
/// 2. Add `s² · ((3·rx) xor ry)`: the quadrant's rank along the curve times its size.
/// 3. Rotate/flip the coordinates into that quadrant's frame and continue.
pub fn index(x: u32, y: u32) -> u64 {
    let n: u64 = 1 << ORDER_BITS;
    let (mut x, mut y) = (u64::from(x) & (n - 1), u64::from(y) & (n - 1));
    let mut d = 0u64;
    let mut s = n / 2;
    while s > 0 {
        let rx = u64::from(x & s > 0);
        let ry = u64::from(y & s > 0);
        d += s * s * ((3 * rx) ^ ry);
        if ry == 0 {
            if rx == 1 {
                x = n - 1 - x;
                y = n - 1 - y;
            }
            std::mem::swap(&mut x, &mut y);
        }
        s /= 2;
    }
    d
}

/// Sorts `(id, x, y)` entries along the Hilbert curve over their bounding box.
pub fn sort(points: &mut [(i64, f64, f64)]) {
    sort_by_centre(points, |&(id, x, y)| (x, y, id));
}

/// Sorts items along the Hilbert curve over the bounding box of their centres; `centre` gives
/// an item's `(x, y, id)`, the id breaking ties so the order is deterministic.
pub fn sort_by_centre<T>(items: &mut [T], centre: impl Fn(&T) -> (f64, f64, i64)) {
    let (mut min_x, mut max_x, mut min_y, mut max_y) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for item in items.iter() {
        let (x, y, _) = centre(item);
        min_x = min_x.min(x);
        max_x = max_x.max(x);
        min_y = min_y.min(y);
        max_y = max_y.max(y);
    }
    let cells = f64::from((1u32 << ORDER_BITS) - 1);
    let scale = |v: f64, lo: f64, hi: f64| -> u32 {
        if hi > lo {
            // In 0..=cells by construction; the cast saturates anyway.
            ((v - lo) / (hi - lo) * cells) as u32
        } else {
            0
        }
    };
    items.sort_by_cached_key(|item| {
        let (x, y, id) = centre(item);
        (index(scale(x, min_x, max_x), scale(y, min_y, max_y)), id)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On the full 2^16 grid restricted to its lower-left 16 × 16 corner (which the curve
    /// visits as one block), consecutive indices must be 4-neighbours: the curve is continuous.
    #[test]
    fn the_curve_is_continuous_and_a_bijection() {
        let mut cells: Vec<(u64, u32, u32)> = (0..16)
            .flat_map(|x| (0..16).map(move |y| (index(x, y), x, y)))
            .collect();
        cells.sort();
        let mut seen: Vec<u64> = cells.iter().map(|c| c.0).collect();
        seen.dedup();
        assert_eq!(seen.len(), 256, "distinct indices");
        assert_eq!(
            seen[255] - seen[0],
            255,
            "the block is contiguous on the curve"
        );
        for w in cells.windows(2) {
            let step = w[0].1.abs_diff(w[1].1) + w[0].2.abs_diff(w[1].2);
            assert_eq!(step, 1, "{:?} -> {:?}", w[0], w[1]);
        }
        assert_eq!(index(0, 0), 0);
    }

    #[test]
    fn sort_groups_nearby_points() {
        // Two clusters far apart, interleaved in the input: sorted, each cluster is contiguous.
        let mut pts: Vec<(i64, f64, f64)> = (0..20)
            .map(|i| {
                let off = if i % 2 == 0 { 0.0 } else { 10.0 };
                (i, off + f64::from(i as u8) * 0.001, off)
            })
            .collect();
        sort(&mut pts);
        let first_cluster: Vec<bool> = pts.iter().map(|p| p.2 == 0.0).collect();
        let switches = first_cluster.windows(2).filter(|w| w[0] != w[1]).count();
        assert_eq!(switches, 1);
    }
}
