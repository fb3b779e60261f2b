//! The maximal covering location problem (MCLP) on plain arrays: choose `k` sites so that the
//! weighted demand within reach of at least one chosen site is as large as possible.
//!
//! # Citation
//! Church, R. & ReVelle, C. (1974), "The maximal covering location problem", *Papers of the
//! Regional Science Association* 32:101–118. Greedy bound: Nemhauser, Wolsey & Fisher (1978),
//! "An analysis of approximations for maximizing submodular set functions", *Mathematical
//! Programming* 14:265–294 (greedy ≥ (1 − 1/e) of the optimum for monotone submodular
//! objectives, which coverage is). Lazy evaluation: Minoux (1978). Peer tools: PySAL
//! `spopt.locate.MCLP`, R `spopt::mclp(..., fixed_col = ...)`.
//!
//! # Parameters
//! - demand points: positions in metres (British National Grid) and weights (≥ 0);
//! - candidate sites: positions in metres;
//! - `radius_m`: a site covers demand within this distance, metres (boundary included);
//! - `already_covered`: demand covered by fixed cameras, which counts for nothing;
//! - `k`: number of sites to choose.
//!
//! # Returns
//! [`greedy`]: the picks in order, each with its marginal weighted gain. [`exact`]: an optimal
//! set and its weighted score, for small instances.
//!
//! # Algorithm
//! 1. [`Coverage::build`]: an R-tree over the demand points; for each site, the sorted demand
//!    indices within `radius_m` (compressed sparse rows, one query per site — never a scan of
//!    all sites × all demand).
//! 2. [`greedy`] (lazy): every site's gain starts as the weight it covers (minus fixed
//!    coverage) in a max-heap ordered by gain, then lowest site index. Pop the top; if its gain
//!    was computed in this round, take it; otherwise recompute it against the current covered
//!    set and push it back. Coverage is submodular, so a stale gain is an upper bound and the
//!    first fresh top is the true best. Stop after `k` picks or when no site adds anything.
//! 3. [`exact`]: depth-first enumeration of the site sets of size `min(k, useful sites)` in
//!    lexicographic order, with a cover count per demand point; capped at
//!    [`MAX_EXACT_COMBINATIONS`] sets, an error above.
//!
//! # Notes
//! Building costs one R-tree query per site, O(s log d + pairs). Lazy greedy costs
//! O(pairs) per recomputation; usually only a few sites are recomputed per round. Ties are
//! broken by the lowest site index, so the same input gives the same picks.
//!
//! # Example
//! ```
//! use hotspot::analysis::coverage::{Coverage, greedy};
//! let demand = [[0.0, 0.0], [50.0, 0.0], [1000.0, 0.0]];
//! let weights = [1.0, 1.0, 3.0];
//! let sites = [[25.0, 0.0], [1000.0, 10.0]];
//! let cov = Coverage::build(&demand, &sites, 100.0).unwrap();
//! let picks = greedy(&weights, &cov, &[false; 3], 2).unwrap();
//! assert_eq!(picks.iter().map(|p| p.site).collect::<Vec<_>>(), vec![1, 0]);
//! assert_eq!(picks[0].gain, 3.0);
//! ```

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use rstar::{RTree, primitives::GeomWithData};

/// Most (site, demand) pairs a coverage relation may hold (about 4 bytes each).
pub const MAX_PAIRS: usize = 20_000_000;
/// Most site sets [`exact`] enumerates.
pub const MAX_EXACT_COMBINATIONS: u64 = 2_000_000;

/// Why a covering problem cannot be solved.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CoverageError {
    /// The radius is not a positive finite number of metres.
    #[error("radius {radius_m} m is not a positive number of metres")]
    BadRadius {
        /// The radius given, metres.
        radius_m: f64,
    },
    /// The relation would be too large.
    #[error(
        "{pairs} or more site–incident pairs are within reach; at most {max}: use fewer candidate sites, a smaller radius or a shorter window"
    )]
    TooManyPairs {
        /// Pairs counted before stopping.
        pairs: usize,
        /// The cap.
        max: usize,
    },
    /// Weights and demand differ in length.
    #[error("{weights} weights for {demand} demand points")]
    WeightsLength {
        /// Number of weights.
        weights: usize,
        /// Number of demand points.
        demand: usize,
    },
    /// A weight is negative or not finite.
    #[error("demand point {index} has weight {weight}; weights must be finite and ≥ 0")]
    BadWeight {
        /// Demand index.
        index: usize,
        /// The weight.
        weight: f64,
    },
    /// The exact search would enumerate too many sets.
    #[error(
        "the exact answer needs C({sites}, {k}) = {combinations} site sets; at most {max}: use fewer cameras or candidate sites, or the greedy answer"
    )]
    TooManyCombinations {
        /// Sites that cover anything.
        sites: usize,
        /// Sites to choose.
        k: usize,
        /// Sets to enumerate (saturated at `u64::MAX`).
        combinations: u64,
        /// The cap.
        max: u64,
    },
}

/// For each site, the sorted demand indices within reach (compressed sparse rows).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Coverage {
    offsets: Vec<usize>,
    demand: Vec<u32>,
    n_demand: usize,
}

impl Coverage {
    /// The relation from explicit lists (`lists[site]` = demand indices it covers); indices
    /// are sorted and deduplicated, and those ≥ `n_demand` dropped.
    pub fn from_lists(n_demand: usize, lists: &[Vec<u32>]) -> Coverage {
        let mut offsets = Vec::with_capacity(lists.len() + 1);
        offsets.push(0);
        let mut demand = Vec::new();
        for list in lists {
            let mut l: Vec<u32> = list
                .iter()
                .copied()
                .filter(|&d| (d as usize) < n_demand)
                .collect();
            l.sort_unstable();
            l.dedup();
            demand.extend(l);
            offsets.push(demand.len());
        }
        Coverage {
            offsets,
            demand,
            n_demand,
        }
    }

    /// Builds the relation with an R-tree over `demand_xy` (metres): site `j` covers demand
    /// within `radius_m` of `sites_xy[j]`, boundary included.
    pub fn build(
        demand_xy: &[[f64; 2]],
        sites_xy: &[[f64; 2]],
        radius_m: f64,
    ) -> Result<Coverage, CoverageError> {
        if !(radius_m.is_finite() && radius_m > 0.0) {
            return Err(CoverageError::BadRadius { radius_m });
        }
        let tree = RTree::bulk_load(
            demand_xy
                .iter()
                .enumerate()
                .map(|(i, p)| GeomWithData::new(*p, i as u32))
                .collect(),
        );
        let r2 = radius_m * radius_m;
        let mut offsets = Vec::with_capacity(sites_xy.len() + 1);
        offsets.push(0);
        let mut demand: Vec<u32> = Vec::new();
        for s in sites_xy {
            let start = demand.len();
            demand.extend(tree.locate_within_distance(*s, r2).map(|g| g.data));
            demand[start..].sort_unstable();
            if demand.len() > MAX_PAIRS {
                return Err(CoverageError::TooManyPairs {
                    pairs: demand.len(),
                    max: MAX_PAIRS,
                });
            }
            offsets.push(demand.len());
        }
        Ok(Coverage {
            offsets,
            demand,
            n_demand: demand_xy.len(),
        })
    }

    /// Number of candidate sites.
    pub fn n_sites(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Number of demand points.
    pub fn n_demand(&self) -> usize {
        self.n_demand
    }

    /// Number of (site, demand) pairs.
    pub fn n_pairs(&self) -> usize {
        self.demand.len()
    }

    /// The demand indices site `site` covers, ascending.
    pub fn site(&self, site: usize) -> &[u32] {
        &self.demand[self.offsets[site]..self.offsets[site + 1]]
    }

    /// Whether each demand point is covered by at least one of `sites`, or by `already`.
    pub fn covered_by(&self, sites: &[usize], already: &[bool]) -> Vec<bool> {
        let mut covered: Vec<bool> = (0..self.n_demand)
            .map(|i| already.get(i).copied().unwrap_or(false))
            .collect();
        for &s in sites {
            for &d in self.site(s) {
                covered[d as usize] = true;
            }
        }
        covered
    }
}

/// One greedy pick.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pick {
    /// Site index.
    pub site: usize,
    /// Weight it adds to what earlier picks (and fixed coverage) already cover.
    pub gain: f64,
}

/// An exact answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Solution {
    /// Chosen sites, ascending.
    pub sites: Vec<usize>,
    /// Weight they cover beyond fixed coverage.
    pub score: f64,
}

fn check_weights(weights: &[f64], coverage: &Coverage) -> Result<(), CoverageError> {
    if weights.len() != coverage.n_demand {
        return Err(CoverageError::WeightsLength {
            weights: weights.len(),
            demand: coverage.n_demand,
        });
    }
    match weights
        .iter()
        .enumerate()
        .find(|(_, w)| !(w.is_finite() && **w >= 0.0))
    {
        Some((index, &weight)) => Err(CoverageError::BadWeight { index, weight }),
        None => Ok(()),
    }
}

fn gain_of(list: &[u32], weights: &[f64], covered: &[bool]) -> f64 {
    list.iter()
        .filter(|&&d| !covered[d as usize])
        .map(|&d| weights[d as usize])
        .sum()
}

/// A heap entry: larger gain first, then the lower site index.
#[derive(Debug, Clone, Copy)]
struct Entry {
    gain: f64,
    site: usize,
    round: usize,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Entry) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Entry) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    fn cmp(&self, other: &Entry) -> Ordering {
        self.gain
            .total_cmp(&other.gain)
            .then_with(|| other.site.cmp(&self.site))
    }
}

/// Lazy greedy (see the module doc): up to `k` picks in order, each with its marginal gain;
/// fewer when no remaining site adds anything. `already_covered` (shorter than the demand is
/// read as `false`) marks demand covered by fixed cameras.
pub fn greedy(
    weights: &[f64],
    coverage: &Coverage,
    already_covered: &[bool],
    k: usize,
) -> Result<Vec<Pick>, CoverageError> {
    check_weights(weights, coverage)?;
    let mut covered: Vec<bool> = (0..coverage.n_demand)
        .map(|i| already_covered.get(i).copied().unwrap_or(false))
        .collect();
    let mut heap: BinaryHeap<Entry> = (0..coverage.n_sites())
        .map(|site| Entry {
            gain: gain_of(coverage.site(site), weights, &covered),
            site,
            round: 0,
        })
        .filter(|e| e.gain > 0.0)
        .collect();
    let mut picks = Vec::with_capacity(k.min(coverage.n_sites()));
    while picks.len() < k {
        let round = picks.len();
        let Some(top) = heap.pop() else { break };
        if top.round == round {
            for &d in coverage.site(top.site) {
                covered[d as usize] = true;
            }
            picks.push(Pick {
                site: top.site,
                gain: top.gain,
            });
            continue;
        }
        let gain = gain_of(coverage.site(top.site), weights, &covered);
        if gain > 0.0 {
            heap.push(Entry {
                gain,
                site: top.site,
                round,
            });
        }
    }
    Ok(picks)
}

/// Plain (eager) greedy: every gain recomputed every round, ties to the lowest site index.
/// The reference [`greedy`] is checked against, and the baseline of `benches/cctv.rs`;
/// O(k × pairs).
pub fn greedy_plain(
    weights: &[f64],
    coverage: &Coverage,
    already_covered: &[bool],
    k: usize,
) -> Result<Vec<Pick>, CoverageError> {
    check_weights(weights, coverage)?;
    let mut covered: Vec<bool> = (0..coverage.n_demand)
        .map(|i| already_covered.get(i).copied().unwrap_or(false))
        .collect();
    let mut picks = Vec::new();
    while picks.len() < k {
        let mut best: Option<Pick> = None;
        for site in 0..coverage.n_sites() {
            let gain = gain_of(coverage.site(site), weights, &covered);
            if gain > 0.0 && best.is_none_or(|b| gain > b.gain) {
                best = Some(Pick { site, gain });
            }
        }
        let Some(b) = best else { break };
        for &d in coverage.site(b.site) {
            covered[d as usize] = true;
        }
        picks.push(b);
    }
    Ok(picks)
}

/// The weight of demand covered by `sites` and not by `already_covered`.
pub fn score(
    weights: &[f64],
    coverage: &Coverage,
    already_covered: &[bool],
    sites: &[usize],
) -> f64 {
    let covered = coverage.covered_by(sites, &[]);
    covered
        .iter()
        .enumerate()
        .filter(|&(i, &c)| c && !already_covered.get(i).copied().unwrap_or(false))
        .map(|(i, _)| weights.get(i).copied().unwrap_or(0.0))
        .sum()
}

/// C(n, k), saturating at `u64::MAX`.
pub fn combinations(n: usize, k: usize) -> u64 {
    if k > n {
        return 0;
    }
    let k = k.min(n - k) as u64;
    let n = n as u64;
    let mut c: u128 = 1;
    for i in 0..k {
        c = c * u128::from(n - i) / u128::from(i + 1);
        if c > u128::from(u64::MAX) {
            return u64::MAX;
        }
    }
    c as u64
}

struct Search<'a> {
    weights: &'a [f64],
    coverage: &'a Coverage,
    useful: Vec<usize>,
    count: Vec<u32>,
    chosen: Vec<usize>,
    best: Option<Solution>,
    size: usize,
}

impl Search<'_> {
    fn dfs(&mut self, from: usize, value: f64) {
        if self.chosen.len() == self.size {
            if self.best.as_ref().is_none_or(|b| value > b.score) {
                self.best = Some(Solution {
                    sites: self.chosen.clone(),
                    score: value,
                });
            }
            return;
        }
        let need = self.size - self.chosen.len();
        for i in from..=(self.useful.len() - need) {
            let site = self.useful[i];
            let mut added = 0.0;
            for &d in self.coverage.site(site) {
                let c = &mut self.count[d as usize];
                if *c == 0 {
                    added += self.weights[d as usize];
                }
                *c += 1;
            }
            self.chosen.push(site);
            self.dfs(i + 1, value + added);
            self.chosen.pop();
            for &d in self.coverage.site(site) {
                self.count[d as usize] -= 1;
            }
        }
    }
}

/// An optimal set of `min(k, useful sites)` sites by exhaustive search over the sites that
/// cover any demand not already covered; among equal scores the lexicographically first set.
/// Errors when that is more than `max_combinations` sets (at most
/// [`MAX_EXACT_COMBINATIONS`]).
pub fn exact(
    weights: &[f64],
    coverage: &Coverage,
    already_covered: &[bool],
    k: usize,
    max_combinations: u64,
) -> Result<Solution, CoverageError> {
    check_weights(weights, coverage)?;
    let already = |d: u32| already_covered.get(d as usize).copied().unwrap_or(false);
    let useful: Vec<usize> = (0..coverage.n_sites())
        .filter(|&s| {
            coverage
                .site(s)
                .iter()
                .any(|&d| !already(d) && weights[d as usize] > 0.0)
        })
        .collect();
    let size = k.min(useful.len());
    let max = max_combinations.min(MAX_EXACT_COMBINATIONS);
    let combos = combinations(useful.len(), size);
    if combos > max {
        return Err(CoverageError::TooManyCombinations {
            sites: useful.len(),
            k,
            combinations: combos,
            max,
        });
    }
    // Demand already covered starts with a count of one, so it never adds weight.
    let count: Vec<u32> = (0..coverage.n_demand)
        .map(|d| u32::from(already(d as u32)))
        .collect();
    let mut search = Search {
        weights,
        coverage,
        useful,
        count,
        chosen: Vec::with_capacity(size),
        best: None,
        size,
    };
    search.dfs(0, 0.0);
    Ok(search.best.unwrap_or(Solution {
        sites: Vec::new(),
        score: 0.0,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_pcg::Pcg64;

    fn random_instance(rng: &mut Pcg64) -> (Vec<f64>, Coverage, Vec<bool>) {
        let n_demand = rng.random_range(1..30);
        let n_sites = rng.random_range(1..12);
        let demand: Vec<[f64; 2]> = (0..n_demand)
            .map(|_| [rng.random_range(0.0..1000.0), rng.random_range(0.0..1000.0)])
            .collect();
        let sites: Vec<[f64; 2]> = (0..n_sites)
            .map(|_| [rng.random_range(0.0..1000.0), rng.random_range(0.0..1000.0)])
            .collect();
        let weights: Vec<f64> = (0..n_demand)
            .map(|_| f64::from(rng.random_range(0..5u32)) * 0.5)
            .collect();
        let already: Vec<bool> = (0..n_demand).map(|_| rng.random_bool(0.15)).collect();
        let radius = rng.random_range(100.0..400.0);
        (
            weights,
            Coverage::build(&demand, &sites, radius).unwrap(),
            already,
        )
    }

    /// Brute force over every subset of exactly `k` sites (or all sites when fewer).
    fn brute_best(weights: &[f64], cov: &Coverage, already: &[bool], k: usize) -> f64 {
        let n = cov.n_sites();
        let mut best = 0.0f64;
        for mask in 0u32..(1 << n) {
            if mask.count_ones() as usize > k {
                continue;
            }
            let sites: Vec<usize> = (0..n).filter(|i| mask & (1 << i) != 0).collect();
            best = best.max(score(weights, cov, already, &sites));
        }
        best
    }

    #[test]
    fn build_matches_brute_force_distances() {
        let mut rng = Pcg64::seed_from_u64(7);
        for _ in 0..50 {
            let demand: Vec<[f64; 2]> = (0..200)
                .map(|_| [rng.random_range(0.0..2000.0), rng.random_range(0.0..2000.0)])
                .collect();
            let sites: Vec<[f64; 2]> = (0..20)
                .map(|_| [rng.random_range(0.0..2000.0), rng.random_range(0.0..2000.0)])
                .collect();
            let cov = Coverage::build(&demand, &sites, 150.0).unwrap();
            for (j, s) in sites.iter().enumerate() {
                let expect: Vec<u32> = (0..demand.len() as u32)
                    .filter(|&i| {
                        let p = demand[i as usize];
                        (p[0] - s[0]).powi(2) + (p[1] - s[1]).powi(2) <= 150.0 * 150.0
                    })
                    .collect();
                assert_eq!(cov.site(j), expect.as_slice());
            }
        }
    }

    #[test]
    fn greedy_within_bound_of_exact_and_equal_for_one() {
        let mut rng = Pcg64::seed_from_u64(20_240_101);
        let bound = 1.0 - (-1.0f64).exp();
        let mut strictly_worse = 0;
        for _ in 0..600 {
            let (weights, cov, already) = random_instance(&mut rng);
            for k in 1..=4 {
                let picks = greedy(&weights, &cov, &already, k).unwrap();
                let g: f64 = picks.iter().map(|p| p.gain).sum();
                let g_check = score(
                    &weights,
                    &cov,
                    &already,
                    &picks.iter().map(|p| p.site).collect::<Vec<_>>(),
                );
                assert!(
                    (g - g_check).abs() < 1e-9,
                    "gains sum {g} vs score {g_check}"
                );
                let opt = exact(&weights, &cov, &already, k, MAX_EXACT_COMBINATIONS).unwrap();
                let brute = brute_best(&weights, &cov, &already, k);
                assert!(
                    (opt.score - brute).abs() < 1e-9,
                    "exact {opt:?} vs brute {brute}"
                );
                assert!(
                    g >= bound * opt.score - 1e-9,
                    "greedy {g} < (1-1/e)·{}",
                    opt.score
                );
                assert!(g <= opt.score + 1e-9);
                if k == 1 {
                    assert!(
                        (g - opt.score).abs() < 1e-9,
                        "k=1: greedy {g}, exact {}",
                        opt.score
                    );
                }
                if g < opt.score - 1e-9 {
                    strictly_worse += 1;
                }
            }
        }
        // The bound is not vacuous here: greedy is sometimes beaten on these instances.
        assert!(strictly_worse > 0);
    }

    #[test]
    fn lazy_greedy_equals_plain_greedy() {
        let mut rng = Pcg64::seed_from_u64(3);
        for _ in 0..300 {
            let (weights, cov, already) = random_instance(&mut rng);
            let lazy = greedy(&weights, &cov, &already, 5).unwrap();
            let plain = greedy_plain(&weights, &cov, &already, 5).unwrap();
            assert_eq!(lazy, plain);
        }
    }

    #[test]
    fn hand_case_greedy_is_beaten_by_exact() {
        // Classic: one central site covers the middle of two clusters; two side sites cover
        // both clusters entirely.
        let lists = vec![vec![1, 2, 3, 4], vec![0, 1, 2], vec![3, 4, 5]];
        let cov = Coverage::from_lists(6, &lists);
        let w = [1.0; 6];
        let picks = greedy(&w, &cov, &[], 2).unwrap();
        assert_eq!(
            picks,
            vec![Pick { site: 0, gain: 4.0 }, Pick { site: 1, gain: 1.0 }]
        );
        let opt = exact(&w, &cov, &[], 2, 100).unwrap();
        assert_eq!(
            opt,
            Solution {
                sites: vec![1, 2],
                score: 6.0
            }
        );
    }

    #[test]
    fn fixed_coverage_counts_for_nothing_and_ties_go_to_the_lower_index() {
        let lists = vec![vec![0, 1], vec![2, 3], vec![2, 3]];
        let cov = Coverage::from_lists(4, &lists);
        let w = [5.0, 5.0, 1.0, 1.0];
        let picks = greedy(&w, &cov, &[true, true, false, false], 3).unwrap();
        // Site 0 adds nothing; sites 1 and 2 tie, 1 wins; then nothing is left to add.
        assert_eq!(picks, vec![Pick { site: 1, gain: 2.0 }]);
        let opt = exact(&w, &cov, &[true, true, false, false], 3, 100).unwrap();
        assert_eq!(
            opt,
            Solution {
                sites: vec![1, 2],
                score: 2.0
            }
        );
    }

    #[test]
    fn errors_carry_their_numbers() {
        let cov = Coverage::from_lists(2, &[vec![0], vec![1]]);
        assert_eq!(
            greedy(&[1.0], &cov, &[], 1).unwrap_err(),
            CoverageError::WeightsLength {
                weights: 1,
                demand: 2
            }
        );
        assert_eq!(
            greedy(&[1.0, -1.0], &cov, &[], 1).unwrap_err(),
            CoverageError::BadWeight {
                index: 1,
                weight: -1.0
            }
        );
        assert!(matches!(
            Coverage::build(&[[0.0, 0.0]], &[[0.0, 0.0]], 0.0),
            Err(CoverageError::BadRadius { .. })
        ));
        let many: Vec<Vec<u32>> = (0..60).map(|i| vec![i]).collect();
        let cov = Coverage::from_lists(60, &many);
        let e = exact(&[1.0; 60], &cov, &[], 10, 1000).unwrap_err();
        assert_eq!(
            e,
            CoverageError::TooManyCombinations {
                sites: 60,
                k: 10,
                combinations: 75_394_027_566,
                max: 1000
            }
        );
        assert_eq!(combinations(5, 2), 10);
        assert_eq!(combinations(2, 5), 0);
    }
}
