//! Benjamini–Hochberg false discovery rate control, in Esri's three-level form and esda's
//! single-cutoff form.
//!
//! # Citation
//! Benjamini, Y. & Hochberg, Y. (1995), "Controlling the false discovery rate", JRSS B 57(1).
//! ArcGIS Hot Spot Analysis applies it at α = 0.10, 0.05 and 0.01 at once to its `Gi_Bin`
//! (Esri `fdrTransform`); PySAL `esda.fdr(pvalues, alpha)` returns one cutoff (methods.md §1.1–1.2).
//!
//! # Parameters
//! - `p`: p-values in \[0, 1\] (any order).
//! - `alpha`: the false discovery rate (a probability, e.g. 0.05).
//!
//! # Returns
//! [`bh_cutoff`]: the largest p-value declared significant (`None` if none is);
//! [`esda_fdr`]: esda's cutoff (Bonferroni `α/n` when none passes);
//! [`fdr_levels`]: per test, how many of the levels 0.10/0.05/0.01 it passes (0–3).
//!
//! # Algorithm
//! 1. Sort the p-values ascending: `p_(1) ≤ … ≤ p_(n)`.
//! 2. Find the largest rank `k` with `p_(k) ≤ k·α/n` (step-up).
//! 3. Every test with `p ≤ p_(k)` is significant at level α.
//! 4. (Esri) Do 2–3 for α = 0.10, 0.05, 0.01; a test's level is the strictest α it passes.
//!
//! # Notes
//! `O(n log n)`. esda compares strictly (`p_(k) < k·α/n`); [`esda_fdr`] does the same so that it
//! returns esda's number, while [`bh_cutoff`] uses the textbook `≤`. With continuous p-values the
//! two never differ.
//!
//! # Example
//! ```
//! use hotspot::analysis::fdr::{bh_cutoff, fdr_levels};
//!
//! let p = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216];
//! assert_eq!(bh_cutoff(&p, 0.05), Some(0.008)); // 0.039 > 3 × 0.05 / 10
//! assert_eq!(fdr_levels(&p)[0], 3);
//! ```

/// The BH levels Esri applies simultaneously, loosest first (90 %, 95 %, 99 % confidence).
pub const ESRI_LEVELS: [f64; 3] = [0.10, 0.05, 0.01];

/// The largest p-value significant at false discovery rate `alpha` (BH step-up, `≤`), or `None`
/// when no test passes. Non-finite p-values never pass and count towards `n`.
#[must_use]
pub fn bh_cutoff(p: &[f64], alpha: f64) -> Option<f64> {
    let mut sorted: Vec<f64> = p
        .iter()
        .map(|v| if v.is_nan() { f64::INFINITY } else { *v })
        .collect();
    sorted.sort_unstable_by(f64::total_cmp);
    step_up(&sorted, alpha, |pk, bound| pk <= bound)
}

/// `esda.fdr(pvalues, alpha)`: the BH cutoff with esda's strict comparison, or Bonferroni
/// `alpha / n` when no test passes. Returns `alpha` for an empty slice.
#[must_use]
pub fn esda_fdr(p: &[f64], alpha: f64) -> f64 {
    let mut sorted: Vec<f64> = p
        .iter()
        .map(|v| if v.is_nan() { f64::INFINITY } else { *v })
        .collect();
    sorted.sort_unstable_by(f64::total_cmp);
    if sorted.is_empty() {
        return alpha;
    }
    step_up(&sorted, alpha, |pk, bound| pk < bound).unwrap_or(alpha / sorted.len() as f64)
}

/// For each test, the number of Esri levels ([`ESRI_LEVELS`]) at which BH declares it
/// significant: 0 = none, 1 = 90 %, 2 = 95 %, 3 = 99 %.
#[must_use]
pub fn fdr_levels(p: &[f64]) -> Vec<u8> {
    let mut sorted: Vec<f64> = p
        .iter()
        .map(|v| if v.is_nan() { f64::INFINITY } else { *v })
        .collect();
    sorted.sort_unstable_by(f64::total_cmp);
    let cutoffs: Vec<Option<f64>> = ESRI_LEVELS
        .iter()
        .map(|&a| step_up(&sorted, a, |pk, bound| pk <= bound))
        .collect();
    p.iter()
        .map(|&v| {
            let passed = cutoffs.iter().filter(|c| c.is_some_and(|c| v <= c)).count();
            u8::try_from(passed).expect("at most 3 levels")
        })
        .collect()
}

fn step_up(sorted: &[f64], alpha: f64, pass: impl Fn(f64, f64) -> bool) -> Option<f64> {
    let n = sorted.len() as f64;
    sorted
        .iter()
        .enumerate()
        .rev()
        .find(|(i, pk)| pass(**pk, (*i as f64 + 1.0) * alpha / n))
        .map(|(_, pk)| *pk)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Benjamini & Hochberg (1995) §4's 15 p-values: at q = 0.05 the first 4 are rejected.
    const BH1995: [f64; 15] = [
        0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262,
        0.5719, 0.6528, 0.7590, 1.0,
    ];

    #[test]
    fn benjamini_hochberg_paper_example() {
        assert_eq!(bh_cutoff(&BH1995, 0.05), Some(0.0095));
        assert_eq!(esda_fdr(&BH1995, 0.05), 0.0095);
        // At 0.10 the bound for rank 9 is 0.06 ≥ 0.0459: nine rejected.
        assert_eq!(bh_cutoff(&BH1995, 0.10), Some(0.0459));
        // At 0.01 rank 3 bound is 0.002 ≥ 0.0019.
        assert_eq!(bh_cutoff(&BH1995, 0.01), Some(0.0019));
        let levels = fdr_levels(&BH1995);
        assert_eq!(levels, vec![3, 3, 3, 2, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn order_does_not_matter_and_none_pass() {
        let mut shuffled = BH1995;
        shuffled.reverse();
        let levels = fdr_levels(&shuffled);
        assert_eq!(levels[14], 3);
        assert_eq!(levels[5], 0);
        let weak = [0.5, 0.6, 0.9];
        assert_eq!(bh_cutoff(&weak, 0.05), None);
        assert!((esda_fdr(&weak, 0.05) - 0.05 / 3.0).abs() < 1e-15);
        assert_eq!(fdr_levels(&weak), vec![0, 0, 0]);
    }

    /// Oracle: a test is BH-significant iff some rank k ≥ its own rank has p_(k) ≤ kα/n.
    #[test]
    fn matches_the_definition_on_random_p_values() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(17);
        for round in 0..200 {
            let n = 1 + round % 60;
            let p: Vec<f64> = (0..n)
                .map(|_| rng.random::<f64>().powi(1 + (round % 4) as i32))
                .collect();
            let mut sorted = p.clone();
            sorted.sort_by(f64::total_cmp);
            let levels = fdr_levels(&p);
            for (a, alpha) in ESRI_LEVELS.iter().enumerate() {
                for (i, &pi) in p.iter().enumerate() {
                    let significant = (1..=n).any(|k| {
                        sorted[k - 1] >= pi && sorted[k - 1] <= k as f64 * alpha / n as f64
                    });
                    assert_eq!(
                        levels[i] as usize > a,
                        significant,
                        "round {round}, α {alpha}, p {pi}"
                    );
                    assert_eq!(bh_cutoff(&p, *alpha).is_some_and(|c| pi <= c), significant);
                }
            }
        }
    }

    #[test]
    fn esda_is_strict_at_the_bound() {
        // p_(2) = 2·0.05/2 exactly: BH (≤) passes it, esda (<) does not, but rank 1 passes.
        let p = [0.02, 0.05];
        assert_eq!(bh_cutoff(&p, 0.05), Some(0.05));
        assert_eq!(esda_fdr(&p, 0.05), 0.02);
    }
}
