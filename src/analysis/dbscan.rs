//! DBSCAN density-based clustering of points in metres, over an R-tree.
//!
//! # Citation
//! Ester, Kriegel, Sander & Xu (1996), "A density-based algorithm for discovering clusters in
//! large spatial databases with noise", KDD-96, pp. 226–231. Same conventions as scikit-learn's
//! `sklearn.cluster.DBSCAN` (`eps`, `min_samples` counting the point itself, distance ≤ eps).
//!
//! # Parameters
//! - `points`: positions in metres (British National Grid easting/northing).
//! - `eps_m`: neighbourhood radius, metres (> 0, finite); a neighbour is at distance ≤ `eps_m`.
//! - `min_points`: points (the point itself included) a neighbourhood needs for its centre to
//!   be a core point (≥ 1).
//!
//! # Returns
//! [`Dbscan`]: each point's cluster number (`None` = noise) and whether it is a core point;
//! clusters are numbered 0, 1, ... in the order their first core point appears in `points`.
//!
//! # Algorithm
//! 1. Bulk-load the points into an R-tree.
//! 2. Visit points in index order; skip those already labelled.
//! 3. Find the point's eps-neighbourhood (R-tree query, itself included). Fewer than
//!    `min_points`: mark it noise for now (a later cluster may claim it as a border point).
//! 4. Otherwise start a new cluster: label the point and push its neighbours on a queue.
//! 5. Pop each queued point: noise becomes a border point of the cluster; an unlabelled point
//!    joins the cluster and, if its own neighbourhood has at least `min_points` points, is a
//!    core point whose neighbours are queued in turn.
//!
//! # Notes
//! Each point's neighbourhood is queried once: O(n log n + Σ|N(p)|). A border point within
//! reach of two clusters joins the first one found (as in the paper and scikit-learn), so the
//! result depends on point order; the order here is the input order, so it is reproducible.
//!
//! # Example
//! ```
//! use hotspot::analysis::dbscan::dbscan;
//! let points = [[0.0, 0.0], [50.0, 0.0], [100.0, 0.0], [1000.0, 0.0]];
//! let d = dbscan(&points, 60.0, 2).unwrap();
//! assert_eq!(d.labels, vec![Some(0), Some(0), Some(0), None]);
//! assert_eq!(d.clusters, 1);
//! ```

use std::collections::VecDeque;

use rstar::RTree;
use rstar::primitives::GeomWithData;

/// Most points one run accepts (licensed venues of a large city are a few thousand).
pub const MAX_POINTS: usize = 200_000;

/// Why DBSCAN could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DbscanError {
    /// `eps_m` is not a positive finite number.
    #[error("eps {eps_m} m is not a positive number of metres")]
    BadEps {
        /// The value given.
        eps_m: f64,
    },
    /// `min_points` is 0.
    #[error("min points is 0; it counts the point itself, so it is at least 1")]
    ZeroMinPoints,
    /// Too many points.
    #[error("{n} points; at most {max} are clustered in one run")]
    TooManyPoints {
        /// Points given.
        n: usize,
        /// The cap, [`MAX_POINTS`].
        max: usize,
    },
    /// A point has a coordinate that is not finite.
    #[error("point {index} is not finite: {point:?}")]
    NotFinite {
        /// Its index.
        index: usize,
        /// Its coordinates.
        point: [f64; 2],
    },
}

/// The clustering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dbscan {
    /// Cluster of each point, `None` for noise.
    pub labels: Vec<Option<usize>>,
    /// Whether each point is a core point.
    pub core: Vec<bool>,
    /// Number of clusters.
    pub clusters: usize,
}

impl Dbscan {
    /// The members of each cluster, ascending point indices.
    pub fn members(&self) -> Vec<Vec<usize>> {
        let mut out = vec![Vec::new(); self.clusters];
        for (i, l) in self.labels.iter().enumerate() {
            if let Some(c) = l {
                out[*c].push(i);
            }
        }
        out
    }
}

/// Runs DBSCAN (see the module doc).
///
/// # Errors
/// [`DbscanError`] for a bad `eps_m`, `min_points` of 0, a non-finite point or more than
/// [`MAX_POINTS`] points.
pub fn dbscan(points: &[[f64; 2]], eps_m: f64, min_points: usize) -> Result<Dbscan, DbscanError> {
    if !(eps_m.is_finite() && eps_m > 0.0) {
        return Err(DbscanError::BadEps { eps_m });
    }
    if min_points == 0 {
        return Err(DbscanError::ZeroMinPoints);
    }
    if points.len() > MAX_POINTS {
        return Err(DbscanError::TooManyPoints {
            n: points.len(),
            max: MAX_POINTS,
        });
    }
    if let Some(index) = points
        .iter()
        .position(|p| !(p[0].is_finite() && p[1].is_finite()))
    {
        return Err(DbscanError::NotFinite {
            index,
            point: points[index],
        });
    }
    let tree = RTree::bulk_load(
        points
            .iter()
            .enumerate()
            .map(|(i, p)| GeomWithData::new(*p, i))
            .collect(),
    );
    let eps2 = eps_m * eps_m;
    let neighbours = |i: usize| -> Vec<usize> {
        let mut n: Vec<usize> = tree
            .locate_within_distance(points[i], eps2)
            .map(|g| g.data)
            .collect();
        // Ascending order makes the queue, hence border assignment, reproducible.
        n.sort_unstable();
        n
    };
    let n = points.len();
    let mut labels: Vec<Option<usize>> = vec![None; n];
    let mut visited = vec![false; n];
    let mut core = vec![false; n];
    let mut clusters = 0;
    for start in 0..n {
        if visited[start] {
            continue;
        }
        visited[start] = true;
        let first = neighbours(start);
        if first.len() < min_points {
            continue;
        }
        let cluster = clusters;
        clusters += 1;
        core[start] = true;
        labels[start] = Some(cluster);
        let mut queue: VecDeque<usize> = first.into_iter().collect();
        while let Some(q) = queue.pop_front() {
            if labels[q].is_none() {
                labels[q] = Some(cluster);
            }
            if visited[q] {
                continue;
            }
            visited[q] = true;
            let nq = neighbours(q);
            if nq.len() >= min_points {
                core[q] = true;
                queue.extend(
                    nq.into_iter()
                        .filter(|&r| labels[r].is_none() || !visited[r]),
                );
            }
        }
    }
    Ok(Dbscan {
        labels,
        core,
        clusters,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// The textbook algorithm with O(n²) neighbour scans, same visiting order.
    fn brute(points: &[[f64; 2]], eps_m: f64, min_points: usize) -> Dbscan {
        let n = points.len();
        let within = |i: usize| -> Vec<usize> {
            (0..n)
                .filter(|&j| {
                    let (dx, dy) = (points[i][0] - points[j][0], points[i][1] - points[j][1]);
                    dx * dx + dy * dy <= eps_m * eps_m
                })
                .collect()
        };
        let mut labels = vec![None; n];
        let mut visited = vec![false; n];
        let mut core = vec![false; n];
        let mut clusters = 0;
        for p in 0..n {
            if visited[p] {
                continue;
            }
            visited[p] = true;
            let np = within(p);
            if np.len() < min_points {
                continue;
            }
            core[p] = true;
            labels[p] = Some(clusters);
            let mut seeds = np;
            let mut k = 0;
            while k < seeds.len() {
                let q = seeds[k];
                k += 1;
                if labels[q].is_none() {
                    labels[q] = Some(clusters);
                }
                if visited[q] {
                    continue;
                }
                visited[q] = true;
                let nq = within(q);
                if nq.len() >= min_points {
                    core[q] = true;
                    seeds.extend(nq);
                }
            }
            clusters += 1;
        }
        Dbscan {
            labels,
            core,
            clusters,
        }
    }

    #[test]
    fn matches_brute_force_on_random_points() {
        let mut rng = rand_pcg::Pcg64::seed_from_u64(7);
        for round in 0..60 {
            let n = rng.random_range(0..160);
            // Clumps plus background, on a 2 km square, so every case has clusters and noise.
            let centres: Vec<[f64; 2]> = (0..4)
                .map(|_| [rng.random_range(0.0..2000.0), rng.random_range(0.0..2000.0)])
                .collect();
            let points: Vec<[f64; 2]> = (0..n)
                .map(|i| {
                    if i % 3 == 0 {
                        [rng.random_range(0.0..2000.0), rng.random_range(0.0..2000.0)]
                    } else {
                        let c = centres[i % 4];
                        [
                            c[0] + rng.random_range(-120.0..120.0),
                            c[1] + rng.random_range(-120.0..120.0),
                        ]
                    }
                })
                .collect();
            let eps = rng.random_range(20.0..150.0);
            let min_points = rng.random_range(1..7);
            let fast = dbscan(&points, eps, min_points).unwrap();
            let slow = brute(&points, eps, min_points);
            assert_eq!(
                fast, slow,
                "round {round}: n {n}, eps {eps}, min {min_points}"
            );
        }
    }

    #[test]
    fn hand_made_case_has_core_border_and_noise() {
        // A line of 5 points 40 m apart, a lone point, and a pair far off.
        let points = [
            [0.0, 0.0],
            [40.0, 0.0],
            [80.0, 0.0],
            [120.0, 0.0],
            [160.0, 0.0],
            [500.0, 500.0],
            [2000.0, 0.0],
            [2030.0, 0.0],
        ];
        let d = dbscan(&points, 50.0, 3).unwrap();
        // Ends have 2 points within 50 m (themselves and one neighbour): border, not core.
        assert_eq!(
            d.core,
            [false, true, true, true, false, false, false, false]
        );
        assert_eq!(d.labels[..5], [Some(0); 5]);
        assert_eq!(d.labels[5..], [None, None, None]);
        assert_eq!(d.clusters, 1);
        assert_eq!(d.members(), vec![vec![0, 1, 2, 3, 4]]);
        // With min 2, the far pair is a second cluster.
        let d = dbscan(&points, 50.0, 2).unwrap();
        assert_eq!(d.clusters, 2);
        assert_eq!(d.labels[6..], [Some(1), Some(1)]);
    }

    #[test]
    fn bad_input_is_refused() {
        assert_eq!(dbscan(&[], 0.0, 2), Err(DbscanError::BadEps { eps_m: 0.0 }));
        assert_eq!(dbscan(&[], 10.0, 0), Err(DbscanError::ZeroMinPoints));
        assert!(matches!(
            dbscan(&[[f64::NAN, 0.0]], 10.0, 1),
            Err(DbscanError::NotFinite { index: 0, .. })
        ));
        assert_eq!(dbscan(&[], 10.0, 1).unwrap().clusters, 0);
    }
}
