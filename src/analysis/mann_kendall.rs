//! The Mann–Kendall monotonic trend test.
//!
//! # Citation
//! Mann, H. B. (1945), "Nonparametric tests against trend", Econometrica 13; Kendall, M. G.
//! (1975), *Rank Correlation Methods*. As in `pymannkendall.original_test`, R
//! `Kendall::MannKendall`, esda `esda/emerging.py` and ArcGIS Emerging Hot Spot Analysis
//! (methods.md §2.3).
//!
//! # Parameters
//! - `series`: values in time order (finite), 2–[`MAX_LEN`] of them.
//!
//! # Returns
//! [`MannKendall`] `{ s, var_s, z, p, tau }`.
//!
//! # Algorithm
//! 1. `S = Σ_{i<j} sgn(x_j − x_i)`.
//! 2. Tie groups: sort, count runs of exactly equal values `t`;
//!    `Var(S) = [n(n−1)(2n+5) − Σ t(t−1)(2t+5)] / 18`.
//! 3. Continuity-corrected `Z = (S − 1)/√Var` if `S > 0`, `(S + 1)/√Var` if `S < 0`, else 0
//!    (also 0 when `Var = 0`, i.e. a constant series).
//! 4. `p = erfc(|Z|/√2)` (two-sided), `τ = S / (n(n−1)/2)` (tau-a, as pymannkendall's `Tau`).
//!
//! # Notes
//! `O(n²)` time (n is a number of time steps, capped at [`MAX_LEN`]).
//!
//! # Example
//! ```
//! use hotspot::analysis::mann_kendall::mann_kendall;
//!
//! let mk = mann_kendall(&[1.0, 2.0, 3.0, 4.0, 5.0]).expect("finite series");
//! assert_eq!(mk.s, 10.0);
//! assert_eq!(mk.var_s, 300.0 / 18.0); // n(n−1)(2n+5)/18 with n = 5
//! assert_eq!(mk.tau, 1.0);
//! assert!((mk.z - 9.0 / (300.0f64 / 18.0).sqrt()).abs() < 1e-15);
//! ```

/// The longest series accepted (the test is quadratic).
pub const MAX_LEN: usize = 100_000;

/// The result of [`mann_kendall`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannKendall {
    /// Kendall's S.
    pub s: f64,
    /// Var(S) with the tie correction.
    pub var_s: f64,
    /// Continuity-corrected normal score.
    pub z: f64,
    /// Two-sided p.
    pub p: f64,
    /// Kendall's tau-a, `S / (n(n−1)/2)`.
    pub tau: f64,
}

/// Why the test could not run.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum MannKendallError {
    /// Fewer than 2 values.
    #[error("a trend needs at least 2 values, got {n}")]
    TooShort {
        /// Values given.
        n: usize,
    },
    /// More than [`MAX_LEN`] values.
    #[error("{n} values is more than the maximum of {max}")]
    TooLong {
        /// Values given.
        n: usize,
        /// The cap.
        max: usize,
    },
    /// A value is NaN or infinite.
    #[error("value at step {index} is not finite")]
    NotFinite {
        /// Position.
        index: usize,
    },
}

/// The Mann–Kendall test on `series` (see the module docs).
///
/// # Errors
/// [`MannKendallError`] for fewer than 2 or more than [`MAX_LEN`] values, or a non-finite value.
pub fn mann_kendall(series: &[f64]) -> Result<MannKendall, MannKendallError> {
    let n = series.len();
    if n < 2 {
        return Err(MannKendallError::TooShort { n });
    }
    if n > MAX_LEN {
        return Err(MannKendallError::TooLong { n, max: MAX_LEN });
    }
    if let Some(index) = series.iter().position(|v| !v.is_finite()) {
        return Err(MannKendallError::NotFinite { index });
    }
    // Step 1.
    let mut s: i64 = 0;
    for i in 0..n {
        for j in i + 1..n {
            s += match series[j].partial_cmp(&series[i]) {
                Some(std::cmp::Ordering::Greater) => 1,
                Some(std::cmp::Ordering::Less) => -1,
                _ => 0,
            };
        }
    }
    // Step 2.
    let mut sorted = series.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    let tie_term: f64 = sorted
        .chunk_by(|a, b| a == b)
        .map(|g| {
            let t = g.len() as f64;
            t * (t - 1.0) * (2.0 * t + 5.0)
        })
        .sum();
    let nf = n as f64;
    let var_s = (nf * (nf - 1.0) * (2.0 * nf + 5.0) - tie_term) / 18.0;
    // Step 3.
    let s = s as f64;
    let z = if var_s <= 0.0 || s == 0.0 {
        0.0
    } else if s > 0.0 {
        (s - 1.0) / var_s.sqrt()
    } else {
        (s + 1.0) / var_s.sqrt()
    };
    // Step 4.
    Ok(MannKendall {
        s,
        var_s,
        z,
        p: libm::erfc(z.abs() / std::f64::consts::SQRT_2),
        tau: s / (nf * (nf - 1.0) / 2.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_with_ties() {
        // 1 2 2 3 1: pairs (i<j) sgn: 1→2 +,1→2 +,1→3 +,1→1 0; 2→2 0,2→3 +,2→1 −; 2→3 +,2→1 −; 3→1 −.
        let mk = mann_kendall(&[1.0, 2.0, 2.0, 3.0, 1.0]).expect("valid");
        assert_eq!(mk.s, 2.0);
        // n = 5: 5·4·15 = 300; ties: two groups of 2: 2·(2·1·9) = 36 → (300 − 36)/18.
        assert_eq!(mk.var_s, 264.0 / 18.0);
        assert!((mk.z - 1.0 / (264.0f64 / 18.0).sqrt()).abs() < 1e-15);
        assert!((mk.tau - 0.2).abs() < 1e-15);
    }

    #[test]
    fn decreasing_and_constant() {
        let mk = mann_kendall(&[5.0, 4.0, 3.0, 2.0, 1.0, 0.0]).expect("valid");
        assert_eq!(mk.s, -15.0);
        assert!(mk.z < -2.0 && mk.p < 0.01);
        let flat = mann_kendall(&[2.0; 8]).expect("valid");
        assert_eq!((flat.s, flat.var_s, flat.z, flat.p), (0.0, 0.0, 0.0, 1.0));
    }

    #[test]
    fn rejects_bad_series() {
        assert_eq!(
            mann_kendall(&[1.0]),
            Err(MannKendallError::TooShort { n: 1 })
        );
        assert_eq!(
            mann_kendall(&[1.0, f64::INFINITY]),
            Err(MannKendallError::NotFinite { index: 1 })
        );
    }
}
