//! Local Moran's I (LISA) with conditional-permutation pseudo p-values and quadrant labels.
//!
//! # Citation
//! Anselin, L. (1995), "Local indicators of spatial association — LISA", Geographical Analysis
//! 27(2). Matches PySAL `esda.Moran_Local(y, w, transformation="r")` (`Is`, `q`, `p_sim`) and
//! ArcGIS *Cluster and Outlier Analysis* (`COType` HH/LL/HL/LH for significant features only)
//! (methods.md §3.4).
//!
//! # Parameters
//! - `values`: one value per location (finite).
//! - `neighbours`: binary neighbours ([`Neighbours`]); **self is skipped** here (Local Moran
//!   compares a location with its surroundings) and each row is standardised to sum to 1.
//! - [`LocalMoranOptions`]: `permutations` (1–9999, default 999), `seed`, `alpha` (default 0.05),
//!   `threads`.
//!
//! # Returns
//! [`LocalMoran`]: per location [`LisaCell`] `{ i, lag, quadrant, p_sim, label }` where `label`
//! (the `lisa` output) is the quadrant only when `p_sim ≤ alpha`.
//!
//! # Algorithm
//! 1. `z = (y − ȳ)/σ` with the population σ (esda), `m₂ = Σz²`.
//! 2. Spatial lag `lag_i = (1/|N_i|) Σ_{j∈N_i, j≠i} z_j` (row-standardised; 0 for islands).
//! 3. `I_i = (n − 1) · z_i · lag_i / m₂` (esda's `Is`).
//! 4. Quadrant (esda `q`): HH if `z_i > 0, lag_i > 0`; LH if `z_i ≤ 0, lag_i > 0`; LL if both
//!    `≤ 0`; HL if `z_i > 0, lag_i ≤ 0`.
//! 5. `p_sim` by conditional randomisation over a shared seeded table ([`super::permutation`];
//!    ties count as at least as extreme). `I_i` is monotone in the neighbour sum for fixed `i`,
//!    so the folded pseudo p equals esda's on tie-free data. A location with `z_i = 0` ties in
//!    every draw and gets `p_sim = 1`.
//!
//! # Notes
//! `O(Σ|N_i| + permutations · Σ|N_i|)`. Zero variance (all values equal) is an error here: every
//! `z` is 0/0.
//!
//! # Example
//! ```
//! use hotspot::analysis::local_moran::{local_moran, LocalMoranOptions};
//! use hotspot::analysis::weights::Neighbours;
//!
//! // A path 0–1–2–3: the high end (3, 4) is an HH pair.
//! let w = Neighbours::from_lists(&[vec![1], vec![0, 2], vec![1, 3], vec![2]]).expect("symmetric");
//! let out = local_moran(&[1.0, 2.0, 9.0, 10.0], &w, &LocalMoranOptions::default())
//!     .expect("valid input");
//! assert_eq!(out.cells[3].quadrant.as_str(), "HH");
//! assert!(out.cells[3].i > 0.0);
//! ```

use super::gi_star::mean_sd;
use super::permutation::{self, PermutationError};
use super::weights::Neighbours;

/// Anselin's four quadrants of the Moran scatterplot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Quadrant {
    /// High value among high neighbours (a hot cluster); esda `q = 1`.
    HH,
    /// Low value among high neighbours (a cold outlier); esda `q = 2`.
    LH,
    /// Low among low (a cold cluster); esda `q = 3`.
    LL,
    /// High among low (a hot outlier, "one rowdy street in a quiet area"); esda `q = 4`.
    HL,
}

impl Quadrant {
    /// `"HH"`, `"LH"`, `"LL"` or `"HL"` (the `lisa` output values).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::HH => "HH",
            Self::LH => "LH",
            Self::LL => "LL",
            Self::HL => "HL",
        }
    }

    /// esda's quadrant code: 1 HH, 2 LH, 3 LL, 4 HL.
    #[must_use]
    pub fn esda_code(self) -> u8 {
        match self {
            Self::HH => 1,
            Self::LH => 2,
            Self::LL => 3,
            Self::HL => 4,
        }
    }
}

/// Options of [`local_moran`].
#[derive(Debug, Clone, PartialEq)]
pub struct LocalMoranOptions {
    /// Permutations for `p_sim`, 1–9999.
    pub permutations: u32,
    /// Seed of the permutation table.
    pub seed: u64,
    /// Labels only where `p_sim ≤ alpha`.
    pub alpha: f64,
    /// Worker threads (1–64); never changes the result.
    pub threads: usize,
}

impl Default for LocalMoranOptions {
    fn default() -> Self {
        Self {
            permutations: 999, // esda's default
            seed: 1,
            alpha: 0.05, // ArcGIS Cluster and Outlier Analysis labels at 95 %
            threads: 2,
        }
    }
}

/// One location's result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LisaCell {
    /// Local Moran's I (esda `Is`).
    pub i: f64,
    /// Row-standardised spatial lag of the standardised values.
    pub lag: f64,
    /// The quadrant, significant or not (esda `q`).
    pub quadrant: Quadrant,
    /// Folded one-sided pseudo p (the `lisa_p` output).
    pub p_sim: f64,
    /// The quadrant if `p_sim ≤ alpha`, else `None` (the `lisa` output).
    pub label: Option<Quadrant>,
}

/// The result of [`local_moran`].
#[derive(Debug, Clone, PartialEq)]
pub struct LocalMoran {
    /// One entry per location.
    pub cells: Vec<LisaCell>,
    /// Locations with no neighbour but themselves (their lag and I are 0).
    pub islands: usize,
}

/// Why Local Moran's I could not be computed.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum LocalMoranError {
    /// `values` and the weights disagree in length.
    #[error("{values} values for {locations} locations")]
    LengthMismatch {
        /// Values given.
        values: usize,
        /// Locations in the weights.
        locations: usize,
    },
    /// A value is NaN or infinite.
    #[error("value at location {index} is not finite")]
    NotFinite {
        /// Position.
        index: usize,
    },
    /// All values are equal.
    #[error("all {n} values are equal: Local Moran's I is undefined")]
    ZeroVariance {
        /// Locations.
        n: usize,
    },
    /// α outside (0, 1).
    #[error("alpha = {alpha} is outside (0, 1)")]
    BadAlpha {
        /// Asked for.
        alpha: f64,
    },
    /// Bad permutations or threads.
    #[error(transparent)]
    Permutation(#[from] PermutationError),
}

/// Local Moran's I for every location (see the module docs).
///
/// # Errors
/// [`LocalMoranError`] for mismatched lengths, a non-finite value, zero variance, or options
/// out of range (permutations must be 1–9999).
pub fn local_moran(
    values: &[f64],
    neighbours: &Neighbours,
    options: &LocalMoranOptions,
) -> Result<LocalMoran, LocalMoranError> {
    let n = neighbours.len();
    if values.len() != n {
        return Err(LocalMoranError::LengthMismatch {
            values: values.len(),
            locations: n,
        });
    }
    if let Some(index) = values.iter().position(|v| !v.is_finite()) {
        return Err(LocalMoranError::NotFinite { index });
    }
    if !(options.alpha > 0.0 && options.alpha < 1.0) {
        return Err(LocalMoranError::BadAlpha {
            alpha: options.alpha,
        });
    }
    // Step 1.
    let (mean, sd) = mean_sd(values);
    if sd * sd <= 1e-12 * (mean * mean).max(1.0) {
        return Err(LocalMoranError::ZeroVariance { n });
    }
    let z: Vec<f64> = values.iter().map(|v| (v - mean) / sd).collect();
    let m2: f64 = z.iter().map(|v| v * v).sum();
    // Step 5 first (it validates permutations and threads).
    let p_sim = permutation::pseudo_p(
        values,
        neighbours,
        options.permutations,
        options.seed,
        options.threads,
    )?;
    let scale = (n as f64 - 1.0) / m2;
    let cells = (0..n)
        .map(|i| {
            // Step 2.
            let me = u32::try_from(i).expect("n fits in u32");
            let others = neighbours.cardinality(i) - 1;
            let lag = if others == 0 {
                0.0
            } else {
                neighbours
                    .neighbours(i)
                    .iter()
                    .filter(|&&j| j != me)
                    .map(|&j| z[j as usize] / others as f64)
                    .sum()
            };
            // Steps 3–4.
            let quadrant = match (z[i] > 0.0, lag > 0.0) {
                (true, true) => Quadrant::HH,
                (false, true) => Quadrant::LH,
                (false, false) => Quadrant::LL,
                (true, false) => Quadrant::HL,
            };
            // A location equal to the mean ties every draw: never significant.
            let p = if z[i] == 0.0 { 1.0 } else { p_sim[i] };
            LisaCell {
                i: scale * z[i] * lag,
                lag,
                quadrant,
                p_sim: p,
                label: (p <= options.alpha).then_some(quadrant),
            }
        })
        .collect();
    Ok(LocalMoran {
        cells,
        islands: neighbours.islands().len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(side: usize) -> Neighbours {
        // Rook contiguity on a side × side lattice.
        let lists: Vec<Vec<usize>> = (0..side * side)
            .map(|k| {
                let (r, c) = (k / side, k % side);
                let mut v = Vec::new();
                if r > 0 {
                    v.push(k - side);
                }
                if r + 1 < side {
                    v.push(k + side);
                }
                if c > 0 {
                    v.push(k - 1);
                }
                if c + 1 < side {
                    v.push(k + 1);
                }
                v
            })
            .collect();
        Neighbours::from_lists(&lists).expect("rook lattice is symmetric")
    }

    #[test]
    fn hand_computed_path() {
        let w = Neighbours::from_lists(&[vec![1], vec![0, 2], vec![1, 3], vec![2]]).expect("ok");
        let y = [1.0, 2.0, 9.0, 10.0];
        let out = local_moran(
            &y,
            &w,
            &LocalMoranOptions {
                permutations: 9,
                ..Default::default()
            },
        )
        .expect("valid");
        // ȳ = 5.5, σ² = (20.25 + 12.25 + 12.25 + 20.25)/4 = 16.25.
        let sd = 16.25f64.sqrt();
        let z: Vec<f64> = y.iter().map(|v| (v - 5.5) / sd).collect();
        let m2: f64 = z.iter().map(|v| v * v).sum();
        assert!((m2 - 4.0).abs() < 1e-12);
        let lag1 = (z[0] + z[2]) / 2.0;
        assert!((out.cells[1].lag - lag1).abs() < 1e-15);
        assert!((out.cells[1].i - 3.0 * z[1] * lag1 / m2).abs() < 1e-15);
        assert!((out.cells[0].i - 3.0 * z[0] * z[1] / m2).abs() < 1e-15);
        let q: Vec<&str> = out.cells.iter().map(|c| c.quadrant.as_str()).collect();
        // lag₁ = (z₀ + z₂)/2 < 0 and lag₂ = (z₁ + z₃)/2 > 0.
        assert_eq!(q, vec!["LL", "LL", "HH", "HH"]);
    }

    #[test]
    fn planted_outlier_and_cluster_are_labelled() {
        let side = 15;
        let w = grid(side);
        let mut y: Vec<f64> = (0..side * side)
            .map(|k| 2.0 + ((k * 7) % 5) as f64 * 0.1)
            .collect();
        // A hot 3×3 block in one corner; a quiet 5×5 block (values near 0) around (10, 10) with
        // one high outlier at its centre.
        for r in 0..3 {
            for c in 0..3 {
                y[r * side + c] += 10.0;
            }
        }
        for r in 8..13 {
            for c in 8..13 {
                y[r * side + c] -= 2.0;
            }
        }
        y[10 * side + 10] += 10.0;
        let out = local_moran(&y, &w, &LocalMoranOptions::default()).expect("valid");
        assert_eq!(out.cells[side + 1].label, Some(Quadrant::HH));
        assert!(out.cells[side + 1].p_sim <= 0.01);
        assert_eq!(out.cells[10 * side + 10].label, Some(Quadrant::HL));
        assert!(out.cells[10 * side + 10].i < 0.0);
        let again = local_moran(
            &y,
            &w,
            &LocalMoranOptions {
                threads: 1,
                ..Default::default()
            },
        )
        .expect("valid");
        assert_eq!(out, again);
    }

    #[test]
    fn rejects_bad_input() {
        let w = grid(3);
        assert_eq!(
            local_moran(&[1.0; 9], &w, &LocalMoranOptions::default()),
            Err(LocalMoranError::ZeroVariance { n: 9 })
        );
        let y: Vec<f64> = (0..9).map(f64::from).collect();
        assert!(matches!(
            local_moran(
                &y,
                &w,
                &LocalMoranOptions {
                    permutations: 0,
                    ..Default::default()
                }
            ),
            Err(LocalMoranError::Permutation(
                PermutationError::BadPermutations { .. }
            ))
        ));
        assert!(matches!(
            local_moran(&y[..8], &w, &LocalMoranOptions::default()),
            Err(LocalMoranError::LengthMismatch { .. })
        ));
    }
}
