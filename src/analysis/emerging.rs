//! Emerging hot spots: space-time Gi* over a cube, Mann–Kendall trends and Esri's 17 patterns.
//!
//! # Citation
//! ArcGIS Pro *Emerging Hot Spot Analysis* ("How Emerging Hot Spot Analysis works"): space-time
//! Getis-Ord Gi* with FDR, Mann–Kendall on each location's z-series, and 17 categories
//! (methods.md §2.2–2.4). Gi* as in [`super::gi_star`]; Mann–Kendall as in
//! [`super::mann_kendall`].
//!
//! # Parameters
//! - `values`: the cube, **location-major**: `values[loc · steps + t]` (e.g. incident counts per
//!   H3 cell and month); `t = 0` is the oldest step.
//! - `steps`: time steps per location, 2–[`MAX_STEPS`].
//! - `neighbours`: the spatial weights over the locations (self included).
//! - [`EmergingOptions`]: `time_neighbours` (steps back, default 1), `alpha` (default 0.05),
//!   `fdr` (default on).
//!
//! # Returns
//! [`Emerging`]: per location [`EmergingLocation`] `{ pattern, trend_z, trend_p, count_trend_z,
//! count_trend_p, hot_steps, cold_steps }`, per bin the z, p and significance (−1/0/+1), and
//! warnings.
//!
//! # Algorithm
//! 1. Space-time neighbours of bin `(i, t)`: every spatial neighbour `j ∈ N_i` (self included)
//!    at steps `t − time_neighbours ..= t` that exist (Esri's "Neighborhood Time Step";
//!    earlier steps only).
//! 2. Gi* of each bin against the **entire cube** (Esri's default global window, as sfdep):
//!    `x̄`, `S` over all `n = locations × steps` bins; binary weights, so
//!    `z = (Σ x − x̄W)/(S√((nW − W²)/(n − 1)))`; `p` two-sided normal.
//! 3. Significance per bin: `p ≤ c`, where `c` is the Benjamini–Hochberg cutoff at `alpha` over
//!    all bins of the cube (`fdr = true`) or `alpha` itself; hot if `z > 0`, cold if `z < 0`.
//! 4. Mann–Kendall on each location's z-series (`trend_z`, `trend_p`; the pattern trend) and on
//!    its counts (`count_trend_z`, `count_trend_p`; informative, as Esri's cube trend).
//! 5. [`classify`] each location (rules below).
//!
//! # Pattern rules (where Esri is vague, the choice made)
//! Let `T` = steps, `H` = significant hot steps, `need = ⌈0.9·T⌉` (integer ceiling, so with 8
//! monthly steps `need = 8`: every step), "final" = the last step, and a trend significant when
//! `trend_p ≤ alpha` (the same α as the bins). Checked in this order (sfdep's order):
//! 1. final step hot and `H = 1` → **New Hot Spot** (never hot before; earlier cold allowed).
//! 2. final step hot, the hot steps form one run ending at the final step, run length ≥ 2,
//!    `H < need` → **Consecutive Hot Spot**.
//! 3. final step hot, `H ≥ need`: significant positive trend → **Intensifying Hot Spot**;
//!    significant negative trend → **Diminishing Hot Spot**; else **Persistent Hot Spot**.
//!    (Persistent, like Intensifying and Diminishing, requires the final step hot, so that it
//!    never overlaps Historical.)
//! 4. final step hot, `H < need`, some step significantly cold → **Oscillating Hot Spot**.
//! 5. final step hot, `H < need`, never cold → **Sporadic Hot Spot** (Esri AllSource wording:
//!    hot in the final step with an on-and-off history).
//! 6. final step not hot, `H ≥ need` → **Historical Hot Spot** (possible only when `T ≥ 10`).
//! 7. The cold mirror images (cold ↔ hot, negative ↔ positive trend); a location whose final
//!    step is significant is judged on that side first; otherwise Historical hot, then
//!    Historical cold.
//! 8. Anything else → **No Pattern Detected**.
//!
//! # Notes
//! `O(locations · steps · (time_neighbours + 1) · |N| + locations · steps²)`. Esri recommends at
//! least 10 steps; fewer draw [`EmergingWarning::FewSteps`]. Zero variance: every z is 0 and
//! every pattern is No Pattern Detected, with a warning.
//!
//! # Example
//! ```
//! use hotspot::analysis::emerging::{classify, Pattern};
//!
//! // Significance per step (−1 cold, 0 not, +1 hot), oldest first; no significant trend.
//! assert_eq!(classify(&[0, 0, 0, 0, 0, 1], 0.0, 1.0, 0.05), Pattern::NewHotSpot);
//! assert_eq!(classify(&[1; 8], 3.1, 0.002, 0.05), Pattern::IntensifyingHotSpot);
//! assert_eq!(Pattern::PersistentColdSpot.label(), "Persistent Cold Spot");
//! ```

use super::fdr::bh_cutoff;
use super::gi_star::{mean_sd, two_sided_p};
use super::mann_kendall::mann_kendall;
use super::weights::Neighbours;

/// The most time steps accepted.
pub const MAX_STEPS: usize = 1000;

/// The most bins (locations × steps) accepted.
pub const MAX_BINS: usize = 50_000_000;

/// Esri's recommended minimum number of time steps.
pub const MIN_STEPS: usize = 10;

/// The 17 Esri pattern categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[expect(missing_docs, reason = "each variant is its label; see Pattern::label")]
pub enum Pattern {
    NoPatternDetected,
    NewHotSpot,
    ConsecutiveHotSpot,
    IntensifyingHotSpot,
    PersistentHotSpot,
    DiminishingHotSpot,
    SporadicHotSpot,
    OscillatingHotSpot,
    HistoricalHotSpot,
    NewColdSpot,
    ConsecutiveColdSpot,
    IntensifyingColdSpot,
    PersistentColdSpot,
    DiminishingColdSpot,
    SporadicColdSpot,
    OscillatingColdSpot,
    HistoricalColdSpot,
}

impl Pattern {
    /// All 17, No Pattern first, then hot, then cold.
    pub const ALL: [Self; 17] = [
        Self::NoPatternDetected,
        Self::NewHotSpot,
        Self::ConsecutiveHotSpot,
        Self::IntensifyingHotSpot,
        Self::PersistentHotSpot,
        Self::DiminishingHotSpot,
        Self::SporadicHotSpot,
        Self::OscillatingHotSpot,
        Self::HistoricalHotSpot,
        Self::NewColdSpot,
        Self::ConsecutiveColdSpot,
        Self::IntensifyingColdSpot,
        Self::PersistentColdSpot,
        Self::DiminishingColdSpot,
        Self::SporadicColdSpot,
        Self::OscillatingColdSpot,
        Self::HistoricalColdSpot,
    ];

    /// Esri's exact English label (the `pattern` output property).
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::NoPatternDetected => "No Pattern Detected",
            Self::NewHotSpot => "New Hot Spot",
            Self::ConsecutiveHotSpot => "Consecutive Hot Spot",
            Self::IntensifyingHotSpot => "Intensifying Hot Spot",
            Self::PersistentHotSpot => "Persistent Hot Spot",
            Self::DiminishingHotSpot => "Diminishing Hot Spot",
            Self::SporadicHotSpot => "Sporadic Hot Spot",
            Self::OscillatingHotSpot => "Oscillating Hot Spot",
            Self::HistoricalHotSpot => "Historical Hot Spot",
            Self::NewColdSpot => "New Cold Spot",
            Self::ConsecutiveColdSpot => "Consecutive Cold Spot",
            Self::IntensifyingColdSpot => "Intensifying Cold Spot",
            Self::PersistentColdSpot => "Persistent Cold Spot",
            Self::DiminishingColdSpot => "Diminishing Cold Spot",
            Self::SporadicColdSpot => "Sporadic Cold Spot",
            Self::OscillatingColdSpot => "Oscillating Cold Spot",
            Self::HistoricalColdSpot => "Historical Cold Spot",
        }
    }
}

impl std::fmt::Display for Pattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// Options of [`emerging`].
#[derive(Debug, Clone, PartialEq)]
pub struct EmergingOptions {
    /// Earlier steps in each bin's neighbourhood (Esri "Neighborhood Time Step"), 0–`steps − 1`.
    pub time_neighbours: usize,
    /// Significance level of bins and trends, in (0, 1).
    pub alpha: f64,
    /// Benjamini–Hochberg over the cube's bins.
    pub fdr: bool,
}

impl Default for EmergingOptions {
    fn default() -> Self {
        Self {
            time_neighbours: 1, // Esri's default
            alpha: 0.05,        // esda EmergingHotSpot's default (Esri does not state its α)
            fdr: true,          // Esri applies FDR to the space-time Gi*
        }
    }
}

/// One location's result (the emerging output properties).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EmergingLocation {
    /// The Esri category.
    pub pattern: Pattern,
    /// Mann–Kendall Z of the Gi* z-series.
    pub trend_z: f64,
    /// Its two-sided p.
    pub trend_p: f64,
    /// Mann–Kendall Z of the counts.
    pub count_trend_z: f64,
    /// Its two-sided p.
    pub count_trend_p: f64,
    /// Steps significantly hot.
    pub hot_steps: u32,
    /// Steps significantly cold.
    pub cold_steps: u32,
}

/// Something the caller should show the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmergingWarning {
    /// Fewer than [`MIN_STEPS`] steps: trends are weak and "90 % of steps" means all of them.
    FewSteps {
        /// Steps given.
        steps: usize,
        /// Esri's recommended minimum.
        min: usize,
    },
    /// Every bin has the same value.
    ZeroVariance,
    /// Locations with no spatial neighbour but themselves.
    Islands {
        /// How many.
        count: usize,
    },
}

impl std::fmt::Display for EmergingWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::FewSteps { steps, min } => write!(
                f,
                "only {steps} time steps (fewer than {min}): trends are weak and \"90 % of steps\" means {}",
                (9 * steps).div_ceil(10)
            ),
            Self::ZeroVariance => write!(f, "every bin has the same value: no hot or cold spots"),
            Self::Islands { count } => write!(
                f,
                "{count} locations have no spatial neighbours within the study area"
            ),
        }
    }
}

/// The result of [`emerging`].
#[derive(Debug, Clone, PartialEq)]
pub struct Emerging {
    /// One entry per location.
    pub locations: Vec<EmergingLocation>,
    /// Gi* z per bin, location-major like the input.
    pub bin_z: Vec<f64>,
    /// Two-sided p per bin.
    pub bin_p: Vec<f64>,
    /// −1 significantly cold, 0 not significant, +1 significantly hot, per bin.
    pub bin_significance: Vec<i8>,
    /// The p cutoff the bins were judged by (the FDR cutoff, or α; 0 when nothing passed FDR).
    pub p_cutoff: f64,
    /// Warnings.
    pub warnings: Vec<EmergingWarning>,
}

/// Why the analysis could not run.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum EmergingError {
    /// Steps outside 2..=[`MAX_STEPS`].
    #[error("{steps} time steps is outside 2..={max}")]
    BadSteps {
        /// Steps given.
        steps: usize,
        /// The cap.
        max: usize,
    },
    /// The cube's length is not locations × steps.
    #[error("{values} values is not {locations} locations × {steps} steps")]
    ShapeMismatch {
        /// Values given.
        values: usize,
        /// Locations in the weights.
        locations: usize,
        /// Steps given.
        steps: usize,
    },
    /// More bins than [`MAX_BINS`].
    #[error("{bins} bins is more than the maximum of {max}")]
    TooManyBins {
        /// Bins.
        bins: usize,
        /// The cap.
        max: usize,
    },
    /// A value is NaN or infinite.
    #[error("value at location {location}, step {step} is not finite")]
    NotFinite {
        /// Location.
        location: usize,
        /// Step.
        step: usize,
    },
    /// `time_neighbours ≥ steps`.
    #[error("time_neighbours = {time_neighbours} must be less than the {steps} steps")]
    BadTimeNeighbours {
        /// Asked for.
        time_neighbours: usize,
        /// Steps.
        steps: usize,
    },
    /// α outside (0, 1).
    #[error("alpha = {alpha} is outside (0, 1)")]
    BadAlpha {
        /// Asked for.
        alpha: f64,
    },
}

/// Emerging hot spot analysis over a cube (see the module docs).
///
/// # Errors
/// [`EmergingError`] for a bad shape, size, option or a non-finite value.
pub fn emerging(
    values: &[f64],
    steps: usize,
    neighbours: &Neighbours,
    options: &EmergingOptions,
) -> Result<Emerging, EmergingError> {
    let locations = neighbours.len();
    check(values, steps, locations, options)?;
    let mut warnings = Vec::new();
    if steps < MIN_STEPS {
        warnings.push(EmergingWarning::FewSteps {
            steps,
            min: MIN_STEPS,
        });
    }
    if !neighbours.islands().is_empty() {
        warnings.push(EmergingWarning::Islands {
            count: neighbours.islands().len(),
        });
    }
    let n = values.len() as f64;
    let (mean, sd) = mean_sd(values);
    let flat = sd * sd <= 1e-12 * (mean * mean).max(1.0);
    if flat {
        warnings.push(EmergingWarning::ZeroVariance);
    }
    // Steps 1–2.
    let mut bin_z = vec![0.0; values.len()];
    if !flat {
        for i in 0..locations {
            let nb = neighbours.neighbours(i);
            for t in 0..steps {
                let t0 = t.saturating_sub(options.time_neighbours);
                let mut local = 0.0;
                for &j in nb {
                    let row = &values[j as usize * steps..(j as usize + 1) * steps];
                    local += row[t0..=t].iter().sum::<f64>();
                }
                let w = (nb.len() * (t - t0 + 1)) as f64;
                let den = sd * ((n * w - w * w) / (n - 1.0)).sqrt();
                bin_z[i * steps + t] = if den > 0.0 {
                    (local - mean * w) / den
                } else {
                    0.0
                };
            }
        }
    }
    let bin_p: Vec<f64> = bin_z.iter().map(|&z| two_sided_p(z)).collect();
    // Step 3.
    let p_cutoff = if options.fdr {
        bh_cutoff(&bin_p, options.alpha).unwrap_or(0.0)
    } else {
        options.alpha
    };
    let bin_significance: Vec<i8> = bin_z
        .iter()
        .zip(&bin_p)
        .map(|(&z, &p)| {
            if p > p_cutoff || p_cutoff == 0.0 || z == 0.0 {
                0
            } else if z > 0.0 {
                1
            } else {
                -1
            }
        })
        .collect();
    // Steps 4–5.
    let mut out = Vec::with_capacity(locations);
    for i in 0..locations {
        let range = i * steps..(i + 1) * steps;
        let trend = mann_kendall(&bin_z[range.clone()]).expect("2 ≤ steps ≤ MAX_STEPS, finite z");
        let counts = mann_kendall(&values[range.clone()]).expect("checked finite, 2 ≤ steps");
        let sig = &bin_significance[range];
        out.push(EmergingLocation {
            pattern: classify(sig, trend.z, trend.p, options.alpha),
            trend_z: trend.z,
            trend_p: trend.p,
            count_trend_z: counts.z,
            count_trend_p: counts.p,
            hot_steps: u32::try_from(sig.iter().filter(|&&s| s > 0).count()).expect("≤ MAX_STEPS"),
            cold_steps: u32::try_from(sig.iter().filter(|&&s| s < 0).count()).expect("≤ MAX_STEPS"),
        });
    }
    Ok(Emerging {
        locations: out,
        bin_z,
        bin_p,
        bin_significance,
        p_cutoff,
        warnings,
    })
}

/// The pattern of one location from its per-step significance (−1/0/+1, oldest first) and the
/// Mann–Kendall trend of its z-series (rules in the module docs). An empty series is
/// No Pattern Detected.
#[must_use]
pub fn classify(significance: &[i8], trend_z: f64, trend_p: f64, alpha: f64) -> Pattern {
    let Some(&last) = significance.last() else {
        return Pattern::NoPatternDetected;
    };
    let steps = significance.len();
    let need = (9 * steps).div_ceil(10);
    let count = |sign: i8| significance.iter().filter(|&&s| s == sign).count();
    let trend_sig = trend_p <= alpha && trend_z != 0.0;
    if last != 0 {
        let side = last;
        let hits = count(side);
        let run = significance
            .iter()
            .rev()
            .take_while(|&&s| s == side)
            .count();
        let hot = side > 0;
        let pick = |h: Pattern, c: Pattern| if hot { h } else { c };
        // Rule 1.
        if hits == 1 {
            return pick(Pattern::NewHotSpot, Pattern::NewColdSpot);
        }
        // Rule 2.
        if run >= 2 && run == hits && hits < need {
            return pick(Pattern::ConsecutiveHotSpot, Pattern::ConsecutiveColdSpot);
        }
        // Rule 3: "intensifying" means a trend away from zero on this side.
        if hits >= need {
            let toward_side = if hot { trend_z > 0.0 } else { trend_z < 0.0 };
            return match (trend_sig, toward_side) {
                (true, true) => pick(Pattern::IntensifyingHotSpot, Pattern::IntensifyingColdSpot),
                (true, false) => pick(Pattern::DiminishingHotSpot, Pattern::DiminishingColdSpot),
                (false, _) => pick(Pattern::PersistentHotSpot, Pattern::PersistentColdSpot),
            };
        }
        // Rules 4–5.
        return if count(-side) > 0 {
            pick(Pattern::OscillatingHotSpot, Pattern::OscillatingColdSpot)
        } else {
            pick(Pattern::SporadicHotSpot, Pattern::SporadicColdSpot)
        };
    }
    // Rule 6 and its mirror.
    if count(1) >= need {
        Pattern::HistoricalHotSpot
    } else if count(-1) >= need {
        Pattern::HistoricalColdSpot
    } else {
        Pattern::NoPatternDetected
    }
}

fn check(
    values: &[f64],
    steps: usize,
    locations: usize,
    o: &EmergingOptions,
) -> Result<(), EmergingError> {
    if !(2..=MAX_STEPS).contains(&steps) {
        return Err(EmergingError::BadSteps {
            steps,
            max: MAX_STEPS,
        });
    }
    if values.len() > MAX_BINS {
        return Err(EmergingError::TooManyBins {
            bins: values.len(),
            max: MAX_BINS,
        });
    }
    if values.len() != locations * steps {
        return Err(EmergingError::ShapeMismatch {
            values: values.len(),
            locations,
            steps,
        });
    }
    if let Some(k) = values.iter().position(|v| !v.is_finite()) {
        return Err(EmergingError::NotFinite {
            location: k / steps,
            step: k % steps,
        });
    }
    if o.time_neighbours >= steps {
        return Err(EmergingError::BadTimeNeighbours {
            time_neighbours: o.time_neighbours,
            steps,
        });
    }
    if !(o.alpha > 0.0 && o.alpha < 1.0) {
        return Err(EmergingError::BadAlpha { alpha: o.alpha });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One hand-made significance series per category (12 steps, so `need` = 11 and the
    /// historical patterns are reachable), with the trend that goes with it.
    #[test]
    fn one_series_per_category() {
        const NS: (f64, f64) = (0.3, 0.76); // no significant trend
        let cases: [(&[i8], (f64, f64), Pattern); 17] = [
            (
                &[0, 0, 1, 0, 0, 0, -1, 0, 0, 0, 1, 0],
                NS,
                Pattern::NoPatternDetected,
            ),
            (
                &[0, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0, 1],
                NS,
                Pattern::NewHotSpot,
            ),
            (
                &[0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1],
                NS,
                Pattern::ConsecutiveHotSpot,
            ),
            (
                &[0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
                (3.2, 0.001),
                Pattern::IntensifyingHotSpot,
            ),
            (
                &[1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1],
                NS,
                Pattern::PersistentHotSpot,
            ),
            (&[1; 12], (-2.5, 0.012), Pattern::DiminishingHotSpot),
            (
                &[0, 1, 0, 1, 1, 0, 0, 0, 1, 0, 0, 1],
                NS,
                Pattern::SporadicHotSpot,
            ),
            (
                &[0, -1, -1, 0, 0, 1, 0, 0, 0, 0, 1, 1],
                NS,
                Pattern::OscillatingHotSpot,
            ),
            (
                &[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0],
                NS,
                Pattern::HistoricalHotSpot,
            ),
            (
                &[0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1],
                NS,
                Pattern::NewColdSpot,
            ),
            (
                &[0, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, -1],
                NS,
                Pattern::ConsecutiveColdSpot,
            ),
            (&[-1; 12], (-3.0, 0.003), Pattern::IntensifyingColdSpot),
            (
                &[-1, -1, -1, -1, 0, -1, -1, -1, -1, -1, -1, -1],
                NS,
                Pattern::PersistentColdSpot,
            ),
            (&[-1; 12], (2.4, 0.016), Pattern::DiminishingColdSpot),
            (
                &[-1, 0, -1, 0, 0, 0, -1, -1, 0, 0, 0, -1],
                NS,
                Pattern::SporadicColdSpot,
            ),
            (
                &[1, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0, -1],
                NS,
                Pattern::OscillatingColdSpot,
            ),
            (
                &[-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0],
                NS,
                Pattern::HistoricalColdSpot,
            ),
        ];
        let mut seen = std::collections::HashSet::new();
        for (series, (tz, tp), want) in cases {
            assert_eq!(classify(series, tz, tp, 0.05), want, "{series:?}");
            seen.insert(want);
        }
        assert_eq!(seen.len(), 17);
    }

    #[test]
    fn edge_rules() {
        // Consecutive needs a run of ≥ 2; a run preceded by an earlier hot step is sporadic.
        assert_eq!(
            classify(&[1, 0, 0, 0, 1, 1], 0.0, 1.0, 0.05),
            Pattern::SporadicHotSpot
        );
        // With 8 steps "90 %" is all 8: seven hot steps ending hot is consecutive, not persistent.
        assert_eq!(
            classify(&[0, 1, 1, 1, 1, 1, 1, 1], 0.0, 1.0, 0.05),
            Pattern::ConsecutiveHotSpot
        );
        assert_eq!(
            classify(&[1; 8], 0.0, 1.0, 0.05),
            Pattern::PersistentHotSpot
        );
        // A trend at exactly α counts as significant.
        assert_eq!(
            classify(&[1; 8], 2.0, 0.05, 0.05),
            Pattern::IntensifyingHotSpot
        );
        assert_eq!(classify(&[], 0.0, 1.0, 0.05), Pattern::NoPatternDetected);
    }

    fn line(n: usize) -> Neighbours {
        let lists: Vec<Vec<usize>> = (0..n)
            .map(|i| {
                [i.wrapping_sub(1), i + 1]
                    .into_iter()
                    .filter(|&j| j < n)
                    .collect()
            })
            .collect();
        Neighbours::from_lists(&lists).expect("a line is symmetric")
    }

    /// Space-time Gi* equals plain Gi* on the space-time graph built by brute force.
    #[test]
    fn bin_z_matches_gi_star_on_the_space_time_graph() {
        let (locs, steps) = (15, 6);
        let w = line(locs);
        let values: Vec<f64> = (0..locs * steps)
            .map(|k| ((k * 7919) % 13) as f64)
            .collect();
        let out = emerging(
            &values,
            steps,
            &w,
            &EmergingOptions {
                time_neighbours: 2,
                ..Default::default()
            },
        )
        .expect("valid");
        // The space-time graph: (j, s) neighbours (i, t) when j ∈ N_i and t−2 ≤ s ≤ t. It is not
        // symmetric, so compute Gi* by the formula directly.
        let n = values.len() as f64;
        let (mean, sd) = mean_sd(&values);
        for i in 0..locs {
            for t in 0..steps {
                let mut local = 0.0;
                let mut wsum = 0.0;
                for j in 0..locs {
                    for s in 0..steps {
                        if w.neighbours(i).contains(&(j as u32)) && s <= t && s + 2 >= t {
                            local += values[j * steps + s];
                            wsum += 1.0;
                        }
                    }
                }
                let z =
                    (local - mean * wsum) / (sd * ((n * wsum - wsum * wsum) / (n - 1.0)).sqrt());
                assert!((out.bin_z[i * steps + t] - z).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn planted_growing_hot_spot_is_found() {
        // 40 locations on a line, 12 steps; around location 20 counts grow from step 6 on.
        let (locs, steps) = (40, 12);
        let w = line(locs);
        let mut values = vec![0.0; locs * steps];
        for i in 0..locs {
            for t in 0..steps {
                values[i * steps + t] = ((i * 3 + t * 5) % 4) as f64;
                if (19..=21).contains(&i) && t >= 9 {
                    values[i * steps + t] += 12.0;
                }
            }
        }
        let out = emerging(&values, steps, &w, &EmergingOptions::default()).expect("valid");
        assert_eq!(out.locations[20].pattern, Pattern::ConsecutiveHotSpot);
        assert_eq!(out.locations[20].hot_steps, 3);
        assert!(out.locations[20].count_trend_z > 2.0);
        assert_eq!(out.locations[0].pattern, Pattern::NoPatternDetected);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    }

    #[test]
    fn rejects_bad_input_and_flat_cube() {
        let w = line(4);
        assert!(matches!(
            emerging(&[0.0; 4], 1, &w, &EmergingOptions::default()),
            Err(EmergingError::BadSteps { .. })
        ));
        assert!(matches!(
            emerging(&[0.0; 7], 2, &w, &EmergingOptions::default()),
            Err(EmergingError::ShapeMismatch { .. })
        ));
        assert!(matches!(
            emerging(
                &[0.0; 8],
                2,
                &w,
                &EmergingOptions {
                    time_neighbours: 2,
                    ..Default::default()
                }
            ),
            Err(EmergingError::BadTimeNeighbours { .. })
        ));
        let mut bad = [0.0; 8];
        bad[5] = f64::NAN;
        assert_eq!(
            emerging(&bad, 2, &w, &EmergingOptions::default()),
            Err(EmergingError::NotFinite {
                location: 2,
                step: 1
            })
        );
        let flat = emerging(&[1.0; 8], 2, &w, &EmergingOptions::default()).expect("valid");
        assert!(flat.warnings.contains(&EmergingWarning::ZeroVariance));
        assert_eq!(
            EmergingWarning::FewSteps { steps: 8, min: 10 }.to_string(),
            "only 8 time steps (fewer than 10): trends are weak and \"90 % of steps\" means 8"
        );
        assert!(
            flat.locations
                .iter()
                .all(|l| l.pattern == Pattern::NoPatternDetected)
        );
    }
}
