//! Conditional randomisation (pseudo p-values) with one shared permutation table.
//!
//! # Citation
//! Anselin, L. (1995), "Local indicators of spatial association — LISA", Geographical Analysis
//! 27(2) (conditional randomisation); PySAL `esda/crand.py` (`crand`, `vec_permutations`,
//! `_prepare_univariate`), whose shared-table scheme this follows (methods.md §1.2).
//!
//! # Parameters
//! - `values`: one value per location (counts or any finite numbers).
//! - `neighbours`: binary weights, self included ([`Neighbours`]).
//! - `permutations`: draws per location, 1–[`MAX_PERMUTATIONS`].
//! - `seed`: the `u64` seed of the shared table.
//! - `threads`: worker threads (1–[`MAX_THREADS`]); the result does not depend on it.
//!
//! # Returns
//! One folded, one-sided pseudo p-value per location, `(extreme + 1) / (permutations + 1)`.
//!
//! # Algorithm
//! 1. Draw one table of `permutations` rows × `m = max cardinality − 1` columns; each row holds
//!    `m` distinct indices into `0..n−1` (PCG-64 MCG seeded with `seed`, `rand::seq::index::sample`).
//! 2. For location `i` with `c` neighbours (self included), its observed statistic is the sum of
//!    its `c − 1` other neighbours' values; `y_i` stays fixed at `i`.
//! 3. For each row, the simulated sum takes the row's first `c − 1` indices, each mapped past `i`
//!    (`j ↦ j + [j ≥ i]`), so draws come from the other `n − 1` values (esda's `z_no_i`).
//! 4. `extreme = min(#{sim ≥ obs}, #{sim ≤ obs})`; `p_sim = (extreme + 1)/(permutations + 1)`.
//! 5. Sums are exact `i32` when every value is an integer of magnitude ≤ 5·10⁷ (counts), else
//!    `f64`; both give the same comparisons on integer data.
//! 6. Locations are split into contiguous chunks across `threads` scoped threads; each reads the
//!    same table, so the output is bit-for-bit the same for any thread count.
//!
//! # Tie rule
//! A simulated sum **equal** to the observed one counts as "at least as extreme" in both tails
//! (the conservative choice: it can only raise `p_sim`). esda compares floating-point
//! statistics, so there a tie falls on either side by rounding; on tie-free data both rules
//! give esda's folded p (`larger = #{sim ≥ obs}`, folded to `permutations − larger` when that is
//! smaller). Islands (`c = 1`) tie in every draw and get `p_sim = 1`.
//!
//! Comparing neighbour sums is enough for both Gi* and Local Moran's I: each statistic is a
//! strictly monotone (increasing or, for Local Moran with `z_i < 0`, decreasing) function of
//! that sum for fixed `i`, and the two-tailed fold is symmetric.
//!
//! # Notes
//! `O(permutations · Σ_i (c_i − 1))` time; the table takes `4 · permutations · m` bytes
//! (999 × 6 × 4 B = 24 kB at k = 1). With 999 permutations on 20 000 cells at k = 1 this is
//! 120 M gathers: about 66 ms of CPU time in an optimised build, i.e. about 35 ms on two free
//! cores (esda 2.9 took 5–6 s on one thread for the same cells; `benches/peer_esda.py`).
//!
//! # Example
//! ```
//! use hotspot::analysis::permutation::pseudo_p;
//! use hotspot::analysis::weights::Neighbours;
//!
//! let w = Neighbours::from_lists(&[vec![1], vec![0, 2], vec![1], vec![]]).expect("symmetric");
//! let p = pseudo_p(&[1.0, 5.0, 2.0, 0.0], &w, 99, 42, 2).expect("valid");
//! assert_eq!(p[3], 1.0); // an island ties in every draw
//! assert!(p.iter().all(|v| (0.01..=1.0).contains(v)));
//! ```

use rand::SeedableRng;

use super::weights::Neighbours;

/// The largest number of permutations accepted (the interface's 0–9999).
pub const MAX_PERMUTATIONS: u32 = 9999;

/// The largest number of worker threads accepted.
pub const MAX_THREADS: usize = 64;

/// Why pseudo p-values could not be computed.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PermutationError {
    /// `values` and the weights disagree in length.
    #[error("{values} values for {locations} locations")]
    LengthMismatch {
        /// Values given.
        values: usize,
        /// Locations in the weights.
        locations: usize,
    },
    /// Permutations outside 1..=[`MAX_PERMUTATIONS`].
    #[error("{permutations} permutations is outside 1..={max}")]
    BadPermutations {
        /// Permutations asked for.
        permutations: u32,
        /// The cap.
        max: u32,
    },
    /// Threads outside 1..=[`MAX_THREADS`].
    #[error("{threads} threads is outside 1..={max}")]
    BadThreads {
        /// Threads asked for.
        threads: usize,
        /// The cap.
        max: usize,
    },
}

/// The shared permutation table: `rows` × `cols` indices into `0..n−1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermutationTable {
    rows: usize,
    cols: usize,
    ids: Vec<u32>,
}

impl PermutationTable {
    /// Draws `rows` rows of `cols` distinct indices in `0..pool` from `seed` (step 1).
    /// `cols` is clamped to `pool`.
    #[must_use]
    pub fn draw(rows: usize, cols: usize, pool: usize, seed: u64) -> Self {
        let cols = cols.min(pool);
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(seed);
        let mut ids = Vec::with_capacity(rows * cols);
        if cols > 0 {
            for _ in 0..rows {
                let row = rand::seq::index::sample(&mut rng, pool, cols);
                ids.extend(row.iter().map(|j| {
                    u32::try_from(j).expect("pool is bounded by the weights' u32 location count")
                }));
            }
        }
        Self { rows, cols, ids }
    }

    /// Row `r` (its `cols` indices).
    #[must_use]
    pub fn row(&self, r: usize) -> &[u32] {
        &self.ids[r * self.cols..(r + 1) * self.cols]
    }
}

/// Folded one-sided pseudo p-values by conditional randomisation (see the module docs).
///
/// # Errors
/// [`PermutationError`] for mismatched lengths, permutations outside 1–9999 or a bad thread count.
pub fn pseudo_p(
    values: &[f64],
    neighbours: &Neighbours,
    permutations: u32,
    seed: u64,
    threads: usize,
) -> Result<Vec<f64>, PermutationError> {
    let n = neighbours.len();
    if values.len() != n {
        return Err(PermutationError::LengthMismatch {
            values: values.len(),
            locations: n,
        });
    }
    if !(1..=MAX_PERMUTATIONS).contains(&permutations) {
        return Err(PermutationError::BadPermutations {
            permutations,
            max: MAX_PERMUTATIONS,
        });
    }
    if !(1..=MAX_THREADS).contains(&threads) {
        return Err(PermutationError::BadThreads {
            threads,
            max: MAX_THREADS,
        });
    }
    let perms = permutations as usize;
    let table = PermutationTable::draw(
        perms,
        neighbours.max_cardinality().saturating_sub(1),
        n - 1,
        seed,
    );
    let mut out = vec![1.0; n];
    // Counts are integers: sum them as i32 (exact, and a shorter dependency chain than f64).
    // |v| ≤ 5·10⁷ keeps any sum of ≤ 37 values (k = 3) inside i32; larger rows fall back to f64.
    let ints: Option<Vec<i32>> = (neighbours.max_cardinality() <= 37)
        .then(|| {
            values
                .iter()
                .map(|&v| (v.fract() == 0.0 && v.abs() <= 5e7).then_some(v as i32))
                .collect()
        })
        .flatten();
    let chunk = n.div_ceil(threads);
    std::thread::scope(|scope| {
        for (c, slice) in out.chunks_mut(chunk).enumerate() {
            let (table, ints) = (&table, ints.as_deref());
            scope.spawn(move || {
                for (off, p) in slice.iter_mut().enumerate() {
                    let i = c * chunk + off;
                    *p = match ints {
                        Some(y) => one(y, neighbours, table, i, 0),
                        None => one(values, neighbours, table, i, 0.0),
                    };
                }
            });
        }
    });
    Ok(out)
}

/// Steps 2–4 for location `i` (`zero` is the additive identity of `T`).
fn one<T>(values: &[T], w: &Neighbours, table: &PermutationTable, i: usize, zero: T) -> f64
where
    T: Copy + PartialOrd + std::ops::Add<Output = T>,
{
    let me = u32::try_from(i).expect("i < n, and n fits in u32");
    let others = w.cardinality(i) - 1;
    let observed = w
        .neighbours(i)
        .iter()
        .filter(|&&j| j != me)
        .fold(zero, |acc, &j| acc + values[j as usize]);
    let (mut ge, mut le) = (0usize, 0usize);
    for r in 0..table.rows {
        let row = &table.row(r)[..others];
        let sim = row.iter().fold(zero, |acc, &j| {
            acc + values[(j + u32::from(j >= me)) as usize]
        });
        ge += usize::from(sim >= observed);
        le += usize::from(sim <= observed);
    }
    (ge.min(le) + 1) as f64 / (table.rows + 1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    fn ring(n: usize) -> Neighbours {
        let lists: Vec<Vec<usize>> = (0..n).map(|i| vec![(i + n - 1) % n, (i + 1) % n]).collect();
        Neighbours::from_lists(&lists).expect("a ring is symmetric")
    }

    /// Brute force for one location: enumerate the same table by hand.
    #[test]
    fn matches_hand_computation_of_the_table() {
        let w = ring(12);
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(3);
        let y: Vec<f64> = (0..12)
            .map(|_| f64::from(rng.random_range(0..6u8)))
            .collect();
        let p = pseudo_p(&y, &w, 199, 11, 1).expect("valid");
        let table = PermutationTable::draw(199, 2, 11, 11);
        for i in 0..12 {
            let obs = y[(i + 11) % 12] + y[(i + 1) % 12];
            let others: Vec<f64> = (0..12).filter(|&j| j != i).map(|j| y[j]).collect();
            let sims: Vec<f64> = (0..199)
                .map(|r| table.row(r).iter().map(|&j| others[j as usize]).sum())
                .collect();
            let ge = sims.iter().filter(|&&s| s >= obs).count();
            let le = sims.iter().filter(|&&s| s <= obs).count();
            assert_eq!(p[i], (ge.min(le) + 1) as f64 / 200.0, "location {i}");
        }
    }

    #[test]
    fn same_seed_same_bits_any_thread_count_and_seed_matters() {
        let w = ring(101);
        let y: Vec<f64> = (0..101).map(|i| f64::from((i * 37 % 11) as u8)).collect();
        let a = pseudo_p(&y, &w, 999, 5, 1).expect("valid");
        let b = pseudo_p(&y, &w, 999, 5, 2).expect("valid");
        let c = pseudo_p(&y, &w, 999, 5, 7).expect("valid");
        assert_eq!(a, b);
        assert_eq!(a, c);
        let d = pseudo_p(&y, &w, 999, 6, 2).expect("valid");
        assert_ne!(a, d);
    }

    /// The integer fast path and the f64 path give the same bits: shifting every value by 0.5
    /// forces the f64 path and shifts observed and simulated sums alike.
    #[test]
    fn integer_and_float_paths_agree() {
        let w = ring(64);
        let y: Vec<f64> = (0..64).map(|i| f64::from((i * 13 % 7) as u8)).collect();
        let shifted: Vec<f64> = y.iter().map(|v| v + 0.5).collect();
        let a = pseudo_p(&y, &w, 499, 9, 2).expect("valid");
        let b = pseudo_p(&shifted, &w, 499, 9, 2).expect("valid");
        assert_eq!(a, b);
    }

    #[test]
    fn rejects_bad_options() {
        let w = ring(5);
        assert_eq!(
            pseudo_p(&[1.0; 4], &w, 9, 1, 1),
            Err(PermutationError::LengthMismatch {
                values: 4,
                locations: 5
            })
        );
        assert!(matches!(
            pseudo_p(&[1.0; 5], &w, 0, 1, 1),
            Err(PermutationError::BadPermutations { .. })
        ));
        assert!(matches!(
            pseudo_p(&[1.0; 5], &w, 10_000, 1, 1),
            Err(PermutationError::BadPermutations { .. })
        ));
        assert!(matches!(
            pseudo_p(&[1.0; 5], &w, 9, 1, 0),
            Err(PermutationError::BadThreads { .. })
        ));
    }

    #[test]
    fn extreme_location_reaches_the_minimum() {
        // One huge value beside location 0: no other pair of values comes close.
        let w = ring(200);
        let mut y = vec![0.0; 200];
        for (i, v) in y.iter_mut().enumerate() {
            *v = (i % 3) as f64;
        }
        y[1] = 1000.0;
        y[199] = 1000.0;
        let p = pseudo_p(&y, &w, 999, 1, 2).expect("valid");
        // Both sampled values would have to be the two 1000s: impossible since i = 0 keeps
        // y_0 and the pair (1, 199) is drawn with probability 1/C(199, 2) per row; allow it.
        assert!(p[0] <= 0.002, "p = {}", p[0]);
    }
}
