//! Getis-Ord Gi* local hot spot statistic (ArcGIS Hot Spot Analysis, esda `G_Local(star=True)`).
//!
//! # Citation
//! Ord, J. K. & Getis, A. (1995), "Local spatial autocorrelation statistics: distributional
//! issues and an application", Geographical Analysis 27(4). Matches ArcGIS Pro *Hot Spot
//! Analysis (Getis-Ord Gi\*)* (`GiZScore`, `GiPValue`, `Gi_Bin`, `NNeighbors`) and PySAL
//! `esda.G_Local(y, w, transform="B", star=True)` (`Zs`, `p_sim`) — with binary weights the two
//! are identical (methods.md §1.1–1.2).
//!
//! # Parameters
//! - `values`: one value per location, e.g. incident counts per H3 cell (any finite numbers).
//! - `neighbours`: binary weights, self included ([`Neighbours`], e.g. a k-ring).
//! - [`GiStarOptions`]: `permutations` (0–9999; 0 = analytic only), `seed` (u64), `fdr`
//!   (Benjamini–Hochberg on the bins), `inference` (bins from the normal p or from `p_sim`),
//!   `threads` (1–64; never changes the result).
//!
//! # Returns
//! [`GiStar`]: per location [`GiStarCell`] `{ z, p, p_sim, bin, neighbours }`, the global mean and
//! population standard deviation, and [`GiStarWarning`]s (fewer than 30 locations, zero
//! variance, islands).
//!
//! # Algorithm
//! 1. `x̄ = Σx/n`, `S = √(Σx²/n − x̄²)` (population SD, as ArcGIS and esda).
//! 2. For location `i` with `W_i` neighbours (self included; binary, so `Σw² = W_i`):
//!    `z_i = (Σ_{j∈N_i} x_j − x̄·W_i) / (S·√((n·W_i − W_i²)/(n − 1)))`.
//! 3. `p_i = erfc(|z_i|/√2)`, the two-sided normal p (ArcGIS `GiPValue`; esda's `p_norm` × 2).
//! 4. If `permutations > 0`: `p_sim` by conditional randomisation with one shared, seeded table
//!    ([`super::permutation`]; ties count as "at least as extreme" — conservative).
//! 5. Bins: take `p` (analytic) or `p_sim` (permutation). Without FDR the level is the number of
//!    α ∈ {0.10, 0.05, 0.01} with `p ≤ α`; with FDR it is the number of Benjamini–Hochberg levels
//!    passed (Esri `fdrTransform`, [`super::fdr::fdr_levels`]). `bin = sign(z) · level`.
//!
//! # Notes
//! - Analytic: `O(Σ_i W_i)` (plus `O(n log n)` for FDR): about 0.8 ms for 20 000 cells at k = 1
//!   in an optimised build, so a city of 2–5 000 cells takes a fraction of a millisecond.
//! - **Zero variance** (every value equal, `S² ≤ 1e-12·max(1, x̄²)`; ArcGIS aborts at
//!   variance ≤ 1e-12): not an error — every `z = 0`, `p = 1`, `p_sim = 1`, `bin = 0`, and a
//!   [`GiStarWarning::ZeroVariance`]; a window with no incidents still draws a (flat) map.
//! - A location whose neighbourhood is the whole study area (`W_i = n`) has `0/0`; it gets
//!   `z = 0`, `p = 1` (esda yields NaN).
//! - Permutation bins use esda's folded one-sided `p_sim` against the same α's, signed by `z`.
//!
//! # Example
//! The esda docstring example (distance band 15, self included):
//! ```
//! use hotspot::analysis::gi_star::{gi_star, GiStarOptions};
//! use hotspot::analysis::weights::Neighbours;
//!
//! let pts = [[10.0, 10.0], [20.0, 10.0], [40.0, 10.0], [15.0, 20.0], [30.0, 20.0], [30.0, 30.0]];
//! let w = Neighbours::from_distance_band(&pts, 15.0).expect("finite points");
//! let y = [2.0, 3.0, 3.2, 5.0, 8.0, 7.0];
//! let out = gi_star(&y, &w, &GiStarOptions { permutations: 0, ..Default::default() })
//!     .expect("valid input");
//! assert!((out.cells[5].z - 2.02424331).abs() < 1e-8);
//! assert_eq!(out.cells[5].p_sim, None);
//! ```

use std::str::FromStr;

use super::fdr::fdr_levels;
use super::permutation::{self, MAX_PERMUTATIONS, MAX_THREADS, PermutationError};
use super::weights::Neighbours;

/// Fewer locations than this draw a warning (ArcGIS's minimum of 30 features).
pub const MIN_LOCATIONS: usize = 30;

/// The significance levels of the bins (90 %, 95 %, 99 % confidence).
pub const BIN_ALPHAS: [f64; 3] = [0.10, 0.05, 0.01];

/// Which p-value the bins come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Inference {
    /// The two-sided normal p (ArcGIS).
    #[default]
    Analytic,
    /// The permutation pseudo p (esda); needs `permutations > 0`.
    Permutation,
}

impl FromStr for Inference {
    type Err = GiStarError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "analytic" => Ok(Self::Analytic),
            "permutation" => Ok(Self::Permutation),
            other => Err(GiStarError::UnknownInference(other.to_owned())),
        }
    }
}

/// Options of [`gi_star`]; defaults follow the interface (999 permutations, seed 1, FDR on,
/// analytic bins) and use 2 threads (the target machine's cores).
#[derive(Debug, Clone, PartialEq)]
pub struct GiStarOptions {
    /// Permutations for `p_sim`, 0–9999 (0 = analytic only, `p_sim = None`).
    pub permutations: u32,
    /// Seed of the permutation table.
    pub seed: u64,
    /// Benjamini–Hochberg FDR on the bins (never on `z`, `p` or `p_sim`).
    pub fdr: bool,
    /// Which p the bins come from.
    pub inference: Inference,
    /// Worker threads for the permutations (1–64).
    pub threads: usize,
}

impl Default for GiStarOptions {
    fn default() -> Self {
        Self {
            permutations: 999, // esda's default and the interface's
            seed: 1,
            fdr: true,
            inference: Inference::Analytic, // ArcGIS
            threads: 2,
        }
    }
}

/// One location's result (the hotspot cell output properties).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GiStarCell {
    /// Gi* z-score (`GiZScore`, esda `Zs`).
    pub z: f64,
    /// Two-sided normal p (`GiPValue`).
    pub p: f64,
    /// Folded one-sided permutation pseudo p; `None` when permutations = 0.
    pub p_sim: Option<f64>,
    /// −3..3: ±3 = 99 %, ±2 = 95 %, ±1 = 90 % confidence, 0 = not significant (`Gi_Bin`).
    pub bin: i8,
    /// Neighbours including self (`NNeighbors`).
    pub neighbours: u32,
}

/// Something the caller should show the user; the numbers are still computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GiStarWarning {
    /// Fewer than [`MIN_LOCATIONS`] locations: the normal approximation is weak.
    FewLocations {
        /// Locations given.
        n: usize,
        /// The recommended minimum.
        min: usize,
    },
    /// All values are equal: every z is 0.
    ZeroVariance,
    /// Locations with no neighbour but themselves.
    Islands {
        /// How many.
        count: usize,
        /// The first few (at most 10) location indices.
        first: Vec<u32>,
    },
}

impl std::fmt::Display for GiStarWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::FewLocations { n, min } => write!(
                f,
                "only {n} locations (fewer than {min}): treat z-scores as indicative"
            ),
            Self::ZeroVariance => {
                write!(f, "every location has the same value: no hot or cold spots")
            }
            Self::Islands { count, .. } => write!(
                f,
                "{count} locations have no neighbours within the study area: their z compares them alone"
            ),
        }
    }
}

/// The result of [`gi_star`].
#[derive(Debug, Clone, PartialEq)]
pub struct GiStar {
    /// One entry per location, in input order.
    pub cells: Vec<GiStarCell>,
    /// Global mean `x̄`.
    pub mean: f64,
    /// Global population standard deviation `S`.
    pub sd: f64,
    /// Warnings for the user.
    pub warnings: Vec<GiStarWarning>,
}

/// Why Gi* could not be computed.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum GiStarError {
    /// `values` and the weights disagree in length.
    #[error("{values} values for {locations} locations")]
    LengthMismatch {
        /// Values given.
        values: usize,
        /// Locations in the weights.
        locations: usize,
    },
    /// A value is NaN or infinite.
    #[error("value at location {index} is not finite ({value})")]
    NotFinite {
        /// Position.
        index: usize,
        /// The value.
        value: f64,
    },
    /// Permutations above the cap.
    #[error("{permutations} permutations is more than the maximum of {max}")]
    TooManyPermutations {
        /// Asked for.
        permutations: u32,
        /// The cap.
        max: u32,
    },
    /// Threads outside 1..=64.
    #[error("{threads} threads is outside 1..={max}")]
    BadThreads {
        /// Asked for.
        threads: usize,
        /// The cap.
        max: usize,
    },
    /// `inference = permutation` with `permutations = 0`.
    #[error("inference = permutation needs permutations > 0")]
    PermutationInferenceWithoutPermutations,
    /// An `inference` string other than `analytic` or `permutation`.
    #[error("unknown inference {0:?}: use analytic or permutation")]
    UnknownInference(String),
}

/// Getis-Ord Gi* for every location (see the module docs).
///
/// # Errors
/// [`GiStarError`] for mismatched lengths, non-finite values or out-of-range options.
pub fn gi_star(
    values: &[f64],
    neighbours: &Neighbours,
    options: &GiStarOptions,
) -> Result<GiStar, GiStarError> {
    check(values, neighbours, options)?;
    let n = values.len();
    let mut warnings = Vec::new();
    if n < MIN_LOCATIONS {
        warnings.push(GiStarWarning::FewLocations {
            n,
            min: MIN_LOCATIONS,
        });
    }
    if !neighbours.islands().is_empty() {
        warnings.push(GiStarWarning::Islands {
            count: neighbours.islands().len(),
            first: neighbours.islands().iter().take(10).copied().collect(),
        });
    }
    // Step 1.
    let (mean, sd) = mean_sd(values);
    if sd * sd <= 1e-12 * (mean * mean).max(1.0) {
        warnings.push(GiStarWarning::ZeroVariance);
        let cells = (0..n)
            .map(|i| GiStarCell {
                z: 0.0,
                p: 1.0,
                p_sim: (options.permutations > 0).then_some(1.0),
                bin: 0,
                neighbours: card(neighbours, i),
            })
            .collect();
        return Ok(GiStar {
            cells,
            mean,
            sd,
            warnings,
        });
    }
    // Steps 2–3.
    let z = z_scores(values, neighbours, mean, sd);
    let p: Vec<f64> = z.iter().map(|&z| two_sided_p(z)).collect();
    // Step 4.
    let p_sim = if options.permutations > 0 {
        Some(
            permutation::pseudo_p(
                values,
                neighbours,
                options.permutations,
                options.seed,
                options.threads,
            )
            .map_err(|e| match e {
                PermutationError::BadThreads { threads, max } => {
                    GiStarError::BadThreads { threads, max }
                }
                PermutationError::BadPermutations { permutations, max } => {
                    GiStarError::TooManyPermutations { permutations, max }
                }
                PermutationError::LengthMismatch { values, locations } => {
                    GiStarError::LengthMismatch { values, locations }
                }
            })?,
        )
    } else {
        None
    };
    // Step 5.
    let basis: &[f64] = match (options.inference, &p_sim) {
        (Inference::Permutation, Some(ps)) => ps,
        _ => &p,
    };
    let bins = bins(&z, basis, options.fdr);
    let cells = (0..n)
        .map(|i| GiStarCell {
            z: z[i],
            p: p[i],
            p_sim: p_sim.as_ref().map(|ps| ps[i]),
            bin: bins[i],
            neighbours: card(neighbours, i),
        })
        .collect();
    Ok(GiStar {
        cells,
        mean,
        sd,
        warnings,
    })
}

/// Signed bins −3..3 from z-scores and the p-values they are judged by (step 5).
#[must_use]
pub fn bins(z: &[f64], p: &[f64], fdr: bool) -> Vec<i8> {
    let levels: Vec<u8> = if fdr {
        fdr_levels(p)
    } else {
        p.iter()
            .map(|&p| u8::try_from(BIN_ALPHAS.iter().filter(|&&a| p <= a).count()).expect("≤ 3"))
            .collect()
    };
    z.iter()
        .zip(levels)
        .map(|(&z, level)| {
            let level = i8::try_from(level).expect("≤ 3");
            if z > 0.0 {
                level
            } else if z < 0.0 {
                -level
            } else {
                0
            }
        })
        .collect()
}

/// The two-sided standard normal p-value of `z`: `erfc(|z|/√2)`.
#[must_use]
pub fn two_sided_p(z: f64) -> f64 {
    libm::erfc(z.abs() / std::f64::consts::SQRT_2)
}

/// Mean and population standard deviation (two-pass).
pub(crate) fn mean_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    (mean, var.sqrt())
}

/// Step 2 for every location.
fn z_scores(values: &[f64], w: &Neighbours, mean: f64, sd: f64) -> Vec<f64> {
    let n = values.len() as f64;
    (0..values.len())
        .map(|i| {
            let nb = w.neighbours(i);
            let wi = nb.len() as f64;
            let local: f64 = nb.iter().map(|&j| values[j as usize]).sum();
            let den = sd * ((n * wi - wi * wi) / (n - 1.0)).sqrt();
            if den > 0.0 {
                (local - mean * wi) / den
            } else {
                0.0
            }
        })
        .collect()
}

fn card(w: &Neighbours, i: usize) -> u32 {
    u32::try_from(w.cardinality(i)).expect("cardinality ≤ n, which fits in u32")
}

fn check(values: &[f64], w: &Neighbours, o: &GiStarOptions) -> Result<(), GiStarError> {
    if values.len() != w.len() {
        return Err(GiStarError::LengthMismatch {
            values: values.len(),
            locations: w.len(),
        });
    }
    if let Some(index) = values.iter().position(|v| !v.is_finite()) {
        return Err(GiStarError::NotFinite {
            index,
            value: values[index],
        });
    }
    if o.permutations > MAX_PERMUTATIONS {
        return Err(GiStarError::TooManyPermutations {
            permutations: o.permutations,
            max: MAX_PERMUTATIONS,
        });
    }
    if !(1..=MAX_THREADS).contains(&o.threads) {
        return Err(GiStarError::BadThreads {
            threads: o.threads,
            max: MAX_THREADS,
        });
    }
    if o.inference == Inference::Permutation && o.permutations == 0 {
        return Err(GiStarError::PermutationInferenceWithoutPermutations);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PTS: [[f64; 2]; 6] = [
        [10.0, 10.0],
        [20.0, 10.0],
        [40.0, 10.0],
        [15.0, 20.0],
        [30.0, 20.0],
        [30.0, 30.0],
    ];
    const Y: [f64; 6] = [2.0, 3.0, 3.2, 5.0, 8.0, 7.0];
    const Z: [f64; 6] = [
        -1.39727626,
        -0.28917762,
        0.65064964,
        -0.28917762,
        1.23452088,
        2.02424331,
    ];

    fn analytic() -> GiStarOptions {
        GiStarOptions {
            permutations: 0,
            fdr: false,
            ..GiStarOptions::default()
        }
    }

    #[test]
    fn esda_docstring_example() {
        let w = Neighbours::from_distance_band(&PTS, 15.0).expect("finite");
        let out = gi_star(&Y, &w, &analytic()).expect("valid");
        for (cell, z) in out.cells.iter().zip(Z) {
            assert!((cell.z - z).abs() < 1e-8, "{} vs {z}", cell.z);
            assert!((cell.p - two_sided_p(z)).abs() < 1e-8);
            assert_eq!(cell.p_sim, None);
        }
        assert_eq!(
            out.cells.iter().map(|c| c.neighbours).collect::<Vec<_>>(),
            vec![3, 4, 2, 4, 5, 2]
        );
        // |z| = 2.024 → p = 0.0429: 95 % hot, and nothing else reaches 90 %.
        assert_eq!(
            out.cells.iter().map(|c| c.bin).collect::<Vec<_>>(),
            vec![0, 0, 0, 0, 0, 2]
        );
        assert_eq!(
            out.warnings,
            vec![GiStarWarning::FewLocations { n: 6, min: 30 }]
        );
    }

    #[test]
    fn normal_p_known_values() {
        assert!((two_sided_p(1.959_963_984_540_054) - 0.05).abs() < 1e-12);
        assert!((two_sided_p(-2.575_829_303_548_901) - 0.01).abs() < 1e-12);
        assert_eq!(two_sided_p(0.0), 1.0);
    }

    #[test]
    fn zero_variance_gives_flat_output_and_warning() {
        let w = Neighbours::from_distance_band(&PTS, 15.0).expect("finite");
        let out = gi_star(&[3.0; 6], &w, &GiStarOptions::default()).expect("valid");
        assert!(out.warnings.contains(&GiStarWarning::ZeroVariance));
        assert!(
            out.cells
                .iter()
                .all(|c| c.z == 0.0 && c.p == 1.0 && c.p_sim == Some(1.0) && c.bin == 0)
        );
    }

    #[test]
    fn whole_area_neighbourhood_is_zero_not_nan() {
        let w = Neighbours::from_distance_band(&PTS, 1000.0).expect("finite");
        let out = gi_star(&Y, &w, &analytic()).expect("valid");
        assert!(out.cells.iter().all(|c| c.z == 0.0 && c.p == 1.0));
    }

    #[test]
    fn bins_with_and_without_fdr() {
        let z = [3.0, -2.7, 2.0, 1.7, -1.0, 0.0];
        let p: Vec<f64> = z.iter().map(|&z| two_sided_p(z)).collect();
        assert_eq!(bins(&z, &p, false), vec![3, -3, 2, 1, 0, 0]);
        // p = 0.0027, 0.0069, 0.0455, 0.0891, 0.317, 1 (n = 6).
        // α = 0.01: bounds 0.00167, 0.00333, …: rank 2 needs ≤ 0.00333 — fails; rank 1 passes? 0.0027 > 0.00167: none.
        // α = 0.05: bounds 0.0083, 0.0167, 0.025, …: ranks 1–2 pass.
        // α = 0.10: bounds 0.0167, 0.0333, 0.05, 0.0667: ranks 1–3 pass (0.0455 ≤ 0.05).
        assert_eq!(bins(&z, &p, true), vec![2, -2, 1, 0, 0, 0]);
    }

    #[test]
    fn permutation_inference_uses_p_sim_and_is_reproducible() {
        let lists: Vec<Vec<usize>> = (0..40).map(|i| vec![(i + 39) % 40, (i + 1) % 40]).collect();
        let w = Neighbours::from_lists(&lists).expect("ring");
        let y: Vec<f64> = (0..40)
            .map(|i| {
                if (10..13).contains(&i) {
                    9.0
                } else {
                    (i % 3) as f64
                }
            })
            .collect();
        let opts = GiStarOptions {
            inference: Inference::Permutation,
            fdr: false,
            ..GiStarOptions::default()
        };
        let a = gi_star(&y, &w, &opts).expect("valid");
        let b = gi_star(
            &y,
            &w,
            &GiStarOptions {
                threads: 1,
                ..opts.clone()
            },
        )
        .expect("valid");
        assert_eq!(a, b);
        let ps: Vec<f64> = a
            .cells
            .iter()
            .map(|c| c.p_sim.expect("permutations > 0"))
            .collect();
        let z: Vec<f64> = a.cells.iter().map(|c| c.z).collect();
        assert_eq!(
            a.cells.iter().map(|c| c.bin).collect::<Vec<_>>(),
            bins(&z, &ps, false)
        );
        // The centre of the planted 9-9-9 run is as extreme as a ring allows.
        assert!(ps[11] <= 0.01 && a.cells[11].bin == 3, "{:?}", a.cells[11]);
    }

    #[test]
    fn rejects_bad_input() {
        let w = Neighbours::from_distance_band(&PTS, 15.0).expect("finite");
        assert_eq!(
            gi_star(&Y[..5], &w, &analytic()),
            Err(GiStarError::LengthMismatch {
                values: 5,
                locations: 6
            })
        );
        let mut bad = Y;
        bad[2] = f64::NAN;
        assert!(matches!(
            gi_star(&bad, &w, &analytic()),
            Err(GiStarError::NotFinite { index: 2, .. })
        ));
        assert_eq!(
            gi_star(
                &Y,
                &w,
                &GiStarOptions {
                    permutations: 10_000,
                    ..analytic()
                }
            ),
            Err(GiStarError::TooManyPermutations {
                permutations: 10_000,
                max: 9999
            })
        );
        assert_eq!(
            gi_star(
                &Y,
                &w,
                &GiStarOptions {
                    inference: Inference::Permutation,
                    ..analytic()
                }
            ),
            Err(GiStarError::PermutationInferenceWithoutPermutations)
        );
        assert_eq!(
            "permutation".parse::<Inference>(),
            Ok(Inference::Permutation)
        );
        assert!("bayes".parse::<Inference>().is_err());
    }
}
