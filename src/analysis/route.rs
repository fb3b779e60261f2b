//! Ordering stops into a walking route: nearest neighbour from a start point, then 2-opt.
//!
//! Citation: the nearest-neighbour construction and Croes (1958), "A method for solving
//! traveling-salesman problems", Operations Research 6(6):791–812 (2-opt); see Johnson &
//! McGeoch (1997), "The traveling salesman problem: a case study in local optimization", for
//! how close the pair comes to optimal (typically within ~5 % on random Euclidean instances).
//! The tool analysts know: QGIS/ORS "optimise waypoints", OR-Tools' routing with a 2-opt
//! local search.
//!
//! Parameters: points in British National Grid metres ([`crate::domain::Bng::xy`]), a start
//! point in the same metres. The route is an *open* path: it begins at the start and ends at
//! the last stop (a warden ends the shift where the last stop is).
//!
//! Returns: [`Route`]: the visiting order (indices into the points) and its straight-line
//! length in metres. Walking distance is straight line × [`DETOUR_FACTOR`] (1.3, the usual
//! ratio of street-network to straight-line distance in a British town centre; a documented
//! approximation, as no street network is loaded). The factor multiplies every leg alike, so
//! it never changes the order.
//!
//! Algorithm:
//! 1. Nearest neighbour: from the start, repeatedly walk to the nearest unvisited point
//!    (ties to the lower index, so the result is deterministic).
//! 2. 2-opt: for every pair of positions `i < j`, reversing the stretch `i..=j` replaces the
//!    legs (before `i`, `i`) and (`j`, after `j`) by (before `i`, `j`) and (`i`, after `j`); the
//!    leg before position 0 starts at the start point and the last position has no leg
//!    after it. Apply the first reversal that shortens the path by more than 1 mm and scan
//!    again, until a full scan finds none or [`MAX_PASSES`] scans have been made.
//!
//! Notes: O(n²) for step 1 and O(n²) per 2-opt scan; capped at [`MAX_STOPS`] points. 2-opt
//! never lengthens a path (each applied move shortens it).
//!
//! Example:
//! ```
//! use hotspot::analysis::route::plan_route;
//! // Three stops on a line east of the start, given out of order.
//! let route = plan_route([0.0, 0.0], &[[300.0, 0.0], [100.0, 0.0], [200.0, 0.0]]).unwrap();
//! assert_eq!(route.order, vec![1, 2, 0]);
//! assert_eq!(route.length_m, 300.0);
//! ```

/// Street-network distance ÷ straight-line distance assumed for walking legs.
pub const DETOUR_FACTOR: f64 = 1.3;

/// Most stops one route may hold (2-opt is O(n²) per scan).
pub const MAX_STOPS: usize = 500;

/// Most 2-opt scans (each scan that finds no improving move ends the search earlier).
pub const MAX_PASSES: usize = 1000;

/// Shortest improvement a 2-opt move must make, metres (stops rounding loops).
const MIN_GAIN_M: f64 = 1e-3;

/// Why a route cannot be planned.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RouteError {
    /// Too many stops for one route.
    #[error("{n} stops for one route; at most {max}")]
    TooManyStops {
        /// Stops given.
        n: usize,
        /// The cap.
        max: usize,
    },
    /// A coordinate is NaN or infinite.
    #[error("stop {index} has a coordinate that is not a finite number")]
    NotFinite {
        /// Index of the stop (the number of stops = the start).
        index: usize,
    },
}

/// A visiting order.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// Indices into the points, in visiting order.
    pub order: Vec<usize>,
    /// Straight-line length from the start through every stop, metres.
    pub length_m: f64,
}

fn dist_m(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}

/// Walking distance of a leg: straight line × [`DETOUR_FACTOR`], metres.
pub fn walking_m(a: [f64; 2], b: [f64; 2]) -> f64 {
    dist_m(a, b) * DETOUR_FACTOR
}

/// Straight-line length of the open path start → `points[order[0]]` → … , metres.
pub fn path_length_m(start: [f64; 2], points: &[[f64; 2]], order: &[usize]) -> f64 {
    let mut at = start;
    let mut total = 0.0;
    for &i in order {
        total += dist_m(at, points[i]);
        at = points[i];
    }
    total
}

/// Step 1: the nearest-neighbour order from `start`.
pub fn nearest_neighbour(start: [f64; 2], points: &[[f64; 2]]) -> Vec<usize> {
    let mut left: Vec<usize> = (0..points.len()).collect();
    let mut order = Vec::with_capacity(points.len());
    let mut at = start;
    while !left.is_empty() {
        let mut best = 0;
        for k in 1..left.len() {
            if dist_m(at, points[left[k]]) < dist_m(at, points[left[best]]) {
                best = k;
            }
        }
        let next = left.remove(best);
        order.push(next);
        at = points[next];
    }
    order
}

/// Step 2: improves `order` with 2-opt moves (see the module doc); never lengthens it.
pub fn two_opt(start: [f64; 2], points: &[[f64; 2]], mut order: Vec<usize>) -> Vec<usize> {
    let n = order.len();
    if n < 2 {
        return order;
    }
    let at = |order: &[usize], pos: usize| points[order[pos]];
    for _ in 0..MAX_PASSES {
        let mut improved = false;
        'scan: for i in 0..n - 1 {
            let before = if i == 0 { start } else { at(&order, i - 1) };
            for j in i + 1..n {
                let (pi, pj) = (at(&order, i), at(&order, j));
                let old_after = if j + 1 < n {
                    dist_m(pj, at(&order, j + 1))
                } else {
                    0.0
                };
                let new_after = if j + 1 < n {
                    dist_m(pi, at(&order, j + 1))
                } else {
                    0.0
                };
                let old = dist_m(before, pi) + old_after;
                let new = dist_m(before, pj) + new_after;
                if old - new > MIN_GAIN_M {
                    order[i..=j].reverse();
                    improved = true;
                    break 'scan;
                }
            }
        }
        if !improved {
            break;
        }
    }
    order
}

/// Orders `points` into an open walking route from `start`: nearest neighbour, then 2-opt.
///
/// # Errors
/// [`RouteError::TooManyStops`] beyond [`MAX_STOPS`]; [`RouteError::NotFinite`] for a NaN or
/// infinite coordinate (index `points.len()` names the start).
pub fn plan_route(start: [f64; 2], points: &[[f64; 2]]) -> Result<Route, RouteError> {
    if points.len() > MAX_STOPS {
        return Err(RouteError::TooManyStops {
            n: points.len(),
            max: MAX_STOPS,
        });
    }
    if !start.iter().all(|v| v.is_finite()) {
        return Err(RouteError::NotFinite {
            index: points.len(),
        });
    }
    if let Some(index) = points.iter().position(|p| !p.iter().all(|v| v.is_finite())) {
        return Err(RouteError::NotFinite { index });
    }
    let order = two_opt(start, points, nearest_neighbour(start, points));
    let length_m = path_length_m(start, points, &order);
    Ok(Route { order, length_m })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    fn random_points(rng: &mut rand_pcg::Pcg64, n: usize) -> Vec<[f64; 2]> {
        (0..n)
            .map(|_| [rng.random_range(0.0..1000.0), rng.random_range(0.0..1000.0)])
            .collect()
    }

    /// Brute force: the shortest open path from `start` over every permutation.
    fn optimum_m(start: [f64; 2], points: &[[f64; 2]]) -> f64 {
        fn go(start: [f64; 2], points: &[[f64; 2]], left: &mut Vec<usize>, acc: f64) -> f64 {
            if left.is_empty() {
                return acc;
            }
            let mut best = f64::INFINITY;
            for k in 0..left.len() {
                let i = left.remove(k);
                best = best.min(go(points[i], points, left, acc + dist_m(start, points[i])));
                left.insert(k, i);
            }
            best
        }
        go(start, points, &mut (0..points.len()).collect(), 0.0)
    }

    #[test]
    fn two_opt_never_lengthens() {
        let mut rng = rand_pcg::Pcg64::seed_from_u64(7);
        for n in [2, 3, 5, 10, 30, 80] {
            for _ in 0..20 {
                let points = random_points(&mut rng, n);
                let start = [rng.random_range(0.0..1000.0), rng.random_range(0.0..1000.0)];
                // From the nearest-neighbour order and from an arbitrary (identity) order.
                for order in [nearest_neighbour(start, &points), (0..n).collect()] {
                    let before = path_length_m(start, &points, &order);
                    let after_order = two_opt(start, &points, order);
                    let after = path_length_m(start, &points, &after_order);
                    assert!(after <= before + 1e-9, "n {n}: {after} > {before}");
                    let mut sorted = after_order.clone();
                    sorted.sort_unstable();
                    assert_eq!(sorted, (0..n).collect::<Vec<_>>(), "a permutation");
                }
            }
        }
    }

    #[test]
    fn close_to_brute_force_optimum() {
        let mut rng = rand_pcg::Pcg64::seed_from_u64(11);
        let (mut worst, mut sum, mut runs, mut exact) = (1.0f64, 0.0, 0usize, 0usize);
        for n in 1..=7 {
            for _ in 0..60 {
                let points = random_points(&mut rng, n);
                let start = [rng.random_range(0.0..1000.0), rng.random_range(0.0..1000.0)];
                let got = plan_route(start, &points).unwrap().length_m;
                let best = optimum_m(start, &points);
                assert!(got >= best - 1e-6, "shorter than the optimum?");
                let ratio = got / best;
                if n <= 2 {
                    // One or two stops: 2-opt tries both orders.
                    assert!((got - best).abs() < 1e-6, "n {n}: {got} vs {best}");
                }
                if (got - best).abs() < 1e-6 {
                    exact += 1;
                }
                worst = worst.max(ratio);
                sum += ratio;
                runs += 1;
            }
        }
        // Known quality of NN + 2-opt on small random Euclidean instances: a few percent off
        // at worst, usually exact.
        assert!(worst < 1.2, "worst ratio {worst}");
        assert!(
            sum / runs as f64 - 1.0 < 0.01,
            "mean ratio {}",
            sum / runs as f64
        );
        assert!(exact * 10 >= runs * 8, "exact in {exact} of {runs}");
    }

    #[test]
    fn hand_cases() {
        // A line east of the start, given scrambled: visited west to east.
        let line = [[400.0, 0.0], [100.0, 0.0], [300.0, 0.0], [200.0, 0.0]];
        let r = plan_route([0.0, 0.0], &line).unwrap();
        assert_eq!(r.order, vec![1, 3, 2, 0]);
        assert_eq!(r.length_m, 400.0);
        // Start in the middle of a line: go to the nearer end first, then sweep: 100 + 400.
        let r = plan_route([0.0, 0.0], &[[-100.0, 0.0], [300.0, 0.0], [200.0, 0.0]]).unwrap();
        assert_eq!(r.order, vec![0, 2, 1]);
        assert_eq!(r.length_m, 500.0);
        // A unit square from one corner: around the edge (3 sides), never across.
        let sq = [[0.0, 100.0], [100.0, 0.0], [100.0, 100.0]];
        let r = plan_route([0.0, 0.0], &sq).unwrap();
        assert_eq!(r.length_m, 300.0);
        // Nearest neighbour is fooled here (goes to 0 first, then far right and back);
        // 2-opt repairs it: start 0, points at -1.5 (idx 0), 1 (idx 1), 10 (idx 2) on a line.
        let pts = [[-150.0, 0.0], [100.0, 0.0], [1000.0, 0.0]];
        assert_eq!(nearest_neighbour([0.0, 0.0], &pts), vec![1, 0, 2]);
        let r = plan_route([0.0, 0.0], &pts).unwrap();
        assert_eq!(r.order, vec![0, 1, 2]);
        assert_eq!(r.length_m, 150.0 + 250.0 + 900.0);
        // Empty and single.
        assert_eq!(plan_route([0.0, 0.0], &[]).unwrap().length_m, 0.0);
        assert_eq!(plan_route([0.0, 0.0], &[[3.0, 4.0]]).unwrap().length_m, 5.0);
        assert_eq!(walking_m([0.0, 0.0], [3.0, 4.0]), 5.0 * DETOUR_FACTOR);
    }

    #[test]
    fn bad_input() {
        let many = vec![[0.0, 0.0]; MAX_STOPS + 1];
        assert_eq!(
            plan_route([0.0, 0.0], &many).unwrap_err(),
            RouteError::TooManyStops {
                n: MAX_STOPS + 1,
                max: MAX_STOPS
            }
        );
        assert_eq!(
            plan_route([0.0, 0.0], &[[1.0, 1.0], [f64::NAN, 0.0]]).unwrap_err(),
            RouteError::NotFinite { index: 1 }
        );
        assert_eq!(
            plan_route([f64::INFINITY, 0.0], &[[1.0, 1.0]]).unwrap_err(),
            RouteError::NotFinite { index: 1 }
        );
    }

    #[test]
    fn deterministic() {
        let mut rng = rand_pcg::Pcg64::seed_from_u64(3);
        let points = random_points(&mut rng, 40);
        let a = plan_route([500.0, 500.0], &points).unwrap();
        let b = plan_route([500.0, 500.0], &points).unwrap();
        assert_eq!(a, b);
    }
}
