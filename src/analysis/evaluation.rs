//! How well a hot spot map predicts: hit rate, PAI, PEI and Levine's RRI at a stated coverage
//! of the study area, and how concentrated incidents are (top-x % shares, Gini, generalised
//! Gini for sparse counts). Plain arrays in, numbers out: no snapshot, no window.
//!
//! # Citations
//! - PAI: Chainey, Tompson & Uhlig (2008), "The utility of hotspot mapping for predicting
//!   spatial patterns of crime", *Security Journal* 21:4–28: PAI = (n/N) / (a/A).
//! - PEI: Hunt (2016), NIJ Real-Time Crime Forecasting Challenge: PEI = PAI / PAI\*, PAI\* the
//!   PAI of the best possible selection of the same coverage (the cells densest in the test
//!   period).
//! - RRI: Levine (2008), "The 'hottest' part of a hotspot", *Security Journal* 21:295–302:
//!   RRI = (n₂/n₁) / (N₂/N₁). Not ptools' "RRI" (Wheeler), which is a different measure.
//! - Gini: G = 2Σᵢ i·x₍ᵢ₎ / (nΣx) − (n+1)/n with x sorted ascending.
//! - Generalised Gini: Bernasco & Steenbeek (2017), "More places than crimes", *Journal of
//!   Quantitative Criminology* 33:451–467. With C incidents on N > C units, the observed
//!   Lorenz curve is compared with the curve of *maximal equality given the data* (C units
//!   with one incident each) instead of perfect equality: G′ = 1 − (N/C)(1 − G), which is 0
//!   when every incident sits on its own unit and equals G when C ≥ N. (Their small-sample
//!   `unbiased` factor of the `lorenzgini` R package is not applied.)
//!
//! # Parameters
//! - `area_km2`: area of each cell of the study area, km² (finite, > 0).
//! - `train`, `test`: incidents per cell in the build and the test period (finite, ≥ 0;
//!   fractional aoristic weights allowed).
//! - `order`: the cells ranked best first, from [`rank_cells`].
//! - `coverage_pct`: the share of the study area flagged, percent in (0, 100].
//!
//! # Returns
//! [`Score`] per coverage; [`Concentration`] per set of units.
//!
//! # Algorithm
//! 1. Rank cells by their keys, compared lexicographically, largest first (for counts and
//!    densities, [`density_keys`] gives the predicted count per km²); ties go to the lower
//!    cell index, so the same input always gives the same ranking.
//! 2. Select the longest prefix of the ranking whose area does not exceed `coverage_pct` % of
//!    the study area (the last, partial cell is *left out*, unlike ptools' `pai()`, which
//!    keeps it): the flagged area a is never more than the stated coverage, and the measures
//!    use the area actually flagged (`area_share` = a/A, reported).
//! 3. n = test incidents in the selection; hit rate n/N, PAI = hit rate / (a/A).
//! 4. The oracle ranks cells by their *test* density per km² (same tie rule) and is selected
//!    the same way; PEI = PAI / PAI of the oracle.
//! 5. RRI = (n₂/n₁)/(N₂/N₁) with n₁ the training incidents in the selection.
//!
//! # Notes
//! O(c log c) for c cells (one sort per ranking). With cells of unequal area the oracle is the
//! greedy densest-first selection, as in the literature; on H3 cells of one city (areas within
//! about 1 % of each other) it is the best selection of its size, so PEI ≤ 1. Measures that
//! divide by zero (no cell fits the coverage, no test incidents, no training incidents in the
//! selection) are `None`.
//!
//! # Example
//! ```
//! use hotspot::analysis::evaluation::{StudyArea, density_keys, rank_cells};
//! let area = [1.0; 4];
//! let train = [5.0, 0.0, 3.0, 1.0];
//! let test = [4.0, 1.0, 2.0, 1.0];
//! let study = StudyArea::new(&area, &train, &test).unwrap();
//! let order = rank_cells(&density_keys(&train, &area));
//! let s = study.score(&order, 25.0).unwrap();
//! assert_eq!(s.cells, 1);
//! assert!((s.hit_rate.unwrap() - 0.5).abs() < 1e-12); // 4 of 8 test incidents
//! assert!((s.pai.unwrap() - 2.0).abs() < 1e-12); // 0.5 / 0.25
//! assert!((s.pei.unwrap() - 1.0).abs() < 1e-12); // the oracle picks the same cell
//! ```

use std::cmp::Ordering;

/// Largest number of cells or units an evaluation accepts.
pub const MAX_UNITS: usize = 10_000_000;

/// Why an evaluation cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EvaluationError {
    /// An input array does not have one entry per cell.
    #[error("{what} has {got} entries; the study area has {cells} cells")]
    Length {
        /// Which array.
        what: &'static str,
        /// Its length.
        got: usize,
        /// Cells of the study area.
        cells: usize,
    },
    /// There are no cells (or units).
    #[error("the study area has no cells")]
    NoCells,
    /// Too many cells or units.
    #[error("{n} cells or places; at most {max} can be evaluated")]
    TooMany {
        /// How many.
        n: usize,
        /// The cap.
        max: usize,
    },
    /// A cell area is not finite and positive.
    #[error("cell {index} has area {area_km2} km²; areas must be finite and positive")]
    BadArea {
        /// The cell.
        index: usize,
        /// Its area.
        area_km2: f64,
    },
    /// A count is negative or not finite.
    #[error("{what}: cell {index} has count {count}; counts must be finite and ≥ 0")]
    BadCount {
        /// Which array.
        what: &'static str,
        /// The cell.
        index: usize,
        /// The value.
        count: f64,
    },
    /// The coverage is outside (0, 100] percent.
    #[error("coverage {coverage_pct} % is outside (0, 100]")]
    Coverage {
        /// The coverage asked for.
        coverage_pct: f64,
    },
    /// A ranking is not a permutation of the cells.
    #[error(
        "the ranking has {got} entries or an index ≥ {cells}; it must list each of the {cells} cells once"
    )]
    Order {
        /// Its length.
        got: usize,
        /// Cells of the study area.
        cells: usize,
    },
}

fn cmp_desc(a: f64, b: f64) -> Ordering {
    // NaN ranks last; larger first.
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => b.total_cmp(&a),
    }
}

/// Ranks cells best first by their keys, compared lexicographically (largest first, NaN
/// last), ties to the lower index (step 1).
#[must_use]
pub fn rank_cells(keys: &[[f64; 3]]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|&i, &j| {
        cmp_desc(keys[i][0], keys[j][0])
            .then_with(|| cmp_desc(keys[i][1], keys[j][1]))
            .then_with(|| cmp_desc(keys[i][2], keys[j][2]))
            .then(i.cmp(&j))
    });
    order
}

/// Ranking keys for a predicted count per cell: count per km² (then nothing).
#[must_use]
pub fn density_keys(count: &[f64], area_km2: &[f64]) -> Vec<[f64; 3]> {
    count
        .iter()
        .zip(area_km2)
        .map(|(c, a)| [c / a, 0.0, 0.0])
        .collect()
}

/// The measures of one ranking at one coverage.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Score {
    /// Coverage asked for, percent of the study area.
    pub coverage_pct: f64,
    /// Cells flagged.
    pub cells: usize,
    /// Flagged area / study area (a/A), at most `coverage_pct` / 100.
    pub area_share: f64,
    /// Test incidents in the flagged cells (n).
    pub n_test: f64,
    /// Training incidents in the flagged cells (n₁).
    pub n_train: f64,
    /// n/N; `None` without test incidents.
    pub hit_rate: Option<f64>,
    /// Predictive Accuracy Index; `None` when no cell fits or there are no test incidents.
    pub pai: Option<f64>,
    /// PAI of the oracle (the cells densest in the test period) at the same coverage.
    pub pai_max: Option<f64>,
    /// Predictive Efficiency Index, PAI / PAI of the oracle.
    pub pei: Option<f64>,
    /// Levine's Recapture Rate Index; `None` when n₁ or N₂ is 0.
    pub rri: Option<f64>,
}

/// A checked study area: cell areas and the incidents of both periods per cell.
#[derive(Debug, Clone)]
pub struct StudyArea<'a> {
    area_km2: &'a [f64],
    train: &'a [f64],
    test: &'a [f64],
    total_area_km2: f64,
    total_train: f64,
    total_test: f64,
    oracle: Vec<usize>,
}

fn check_counts(what: &'static str, v: &[f64], cells: usize) -> Result<f64, EvaluationError> {
    if v.len() != cells {
        return Err(EvaluationError::Length {
            what,
            got: v.len(),
            cells,
        });
    }
    if let Some((index, &count)) = v
        .iter()
        .enumerate()
        .find(|(_, c)| !c.is_finite() || **c < 0.0)
    {
        return Err(EvaluationError::BadCount { what, index, count });
    }
    Ok(v.iter().sum())
}

impl<'a> StudyArea<'a> {
    /// Checks the inputs (equal lengths, finite positive areas, finite non-negative counts)
    /// and ranks the oracle.
    ///
    /// # Errors
    /// [`EvaluationError`] naming the array and cell at fault.
    pub fn new(
        area_km2: &'a [f64],
        train: &'a [f64],
        test: &'a [f64],
    ) -> Result<StudyArea<'a>, EvaluationError> {
        let cells = area_km2.len();
        if cells == 0 {
            return Err(EvaluationError::NoCells);
        }
        if cells > MAX_UNITS {
            return Err(EvaluationError::TooMany {
                n: cells,
                max: MAX_UNITS,
            });
        }
        if let Some((index, &a)) = area_km2
            .iter()
            .enumerate()
            .find(|(_, a)| !a.is_finite() || **a <= 0.0)
        {
            return Err(EvaluationError::BadArea { index, area_km2: a });
        }
        let total_train = check_counts("train", train, cells)?;
        let total_test = check_counts("test", test, cells)?;
        Ok(StudyArea {
            area_km2,
            train,
            test,
            total_area_km2: area_km2.iter().sum(),
            total_train,
            total_test,
            oracle: rank_cells(&density_keys(test, area_km2)),
        })
    }

    /// Number of cells.
    #[must_use]
    pub fn cells(&self) -> usize {
        self.area_km2.len()
    }

    /// Study area A, km².
    #[must_use]
    pub fn area_km2(&self) -> f64 {
        self.total_area_km2
    }

    /// Training incidents N₁.
    #[must_use]
    pub fn total_train(&self) -> f64 {
        self.total_train
    }

    /// Test incidents N₂ (N).
    #[must_use]
    pub fn total_test(&self) -> f64 {
        self.total_test
    }

    /// The longest prefix of `order` whose area does not exceed `coverage_pct` % of the study
    /// area (step 2).
    ///
    /// # Errors
    /// A coverage outside (0, 100].
    pub fn select<'o>(
        &self,
        order: &'o [usize],
        coverage_pct: f64,
    ) -> Result<&'o [usize], EvaluationError> {
        if !(coverage_pct > 0.0 && coverage_pct <= 100.0) {
            return Err(EvaluationError::Coverage { coverage_pct });
        }
        // A relative slack of 1e-9 so that, e.g., 5 cells of equal area are 5 % of 100.
        let budget = self.total_area_km2 * coverage_pct / 100.0 * (1.0 + 1e-9);
        let mut used = 0.0;
        let mut n = 0;
        for &i in order {
            used += self.area_km2[i];
            if used > budget {
                break;
            }
            n += 1;
        }
        Ok(&order[..n])
    }

    fn pai_of(&self, selected: &[usize]) -> (f64, f64, f64, Option<f64>) {
        let area: f64 = selected.iter().map(|&i| self.area_km2[i]).sum();
        let share = area / self.total_area_km2;
        let n: f64 = selected.iter().map(|&i| self.test[i]).sum();
        let pai = (self.total_test > 0.0 && share > 0.0).then(|| n / self.total_test / share);
        (share, n, area, pai)
    }

    fn check_order(&self, order: &[usize]) -> Result<(), EvaluationError> {
        let cells = self.cells();
        let mut seen = vec![false; cells];
        let bad = EvaluationError::Order {
            got: order.len(),
            cells,
        };
        if order.len() != cells {
            return Err(bad);
        }
        for &i in order {
            match seen.get_mut(i) {
                Some(s) if !*s => *s = true,
                _ => return Err(bad),
            }
        }
        Ok(())
    }

    /// Scores a ranking at a coverage (steps 2–5).
    ///
    /// # Errors
    /// A ranking that is not a permutation of the cells, or a coverage outside (0, 100].
    pub fn score(&self, order: &[usize], coverage_pct: f64) -> Result<Score, EvaluationError> {
        self.check_order(order)?;
        let selected = self.select(order, coverage_pct)?;
        let (area_share, n_test, _, pai) = self.pai_of(selected);
        let oracle = self.select(&self.oracle, coverage_pct)?;
        let (_, _, _, pai_max) = self.pai_of(oracle);
        let n_train: f64 = selected.iter().map(|&i| self.train[i]).sum();
        let hit_rate = (self.total_test > 0.0).then(|| n_test / self.total_test);
        let pei = match (pai, pai_max) {
            (Some(p), Some(m)) if m > 0.0 => Some(p / m),
            _ => None,
        };
        let rri = (n_train > 0.0 && self.total_train > 0.0 && self.total_test > 0.0)
            .then(|| (n_test / n_train) / (self.total_test / self.total_train));
        Ok(Score {
            coverage_pct,
            cells: selected.len(),
            area_share,
            n_test,
            n_train,
            hit_rate,
            pai,
            pai_max,
            pei,
            rri,
        })
    }
}

/// The naive Gini coefficient of counts over units (0 = equal, → 1 = all on one unit);
/// `None` for no units or no incidents.
#[must_use]
pub fn gini(counts: &[f64]) -> Option<f64> {
    let n = counts.len();
    let total: f64 = counts.iter().sum();
    if n == 0 || total <= 0.0 {
        return None;
    }
    let mut x = counts.to_vec();
    x.sort_by(f64::total_cmp);
    let weighted: f64 = x.iter().enumerate().map(|(i, v)| (i + 1) as f64 * v).sum();
    let n = n as f64;
    Some(2.0 * weighted / (n * total) - (n + 1.0) / n)
}

/// Bernasco & Steenbeek's (2017) generalised Gini: with C incidents on N > C units,
/// G′ = 1 − (N/C)(1 − G), measured against maximal equality given the data (C units with one
/// incident each); G itself when C ≥ N. `None` for no units or no incidents.
#[must_use]
pub fn generalised_gini(counts: &[f64]) -> Option<f64> {
    let g = gini(counts)?;
    let n = counts.len() as f64;
    let c: f64 = counts.iter().sum();
    Some(if c < n { 1.0 - n / c * (1.0 - g) } else { g })
}

/// How concentrated incidents are over a set of units (cells or places).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Concentration {
    /// Units (cells of the study area, zeros included; or places with an incident).
    pub units: usize,
    /// Incidents over the units.
    pub incidents: f64,
    /// For each percentage asked, the share of incidents on the top that percent of units
    /// (the largest whole number of units not exceeding it, busiest first).
    pub top: Vec<TopShare>,
    /// Percent of units, busiest first, that hold half the incidents.
    pub units_pct_for_half: Option<f64>,
    /// Naive Gini.
    pub gini: Option<f64>,
    /// Generalised Gini (Bernasco & Steenbeek 2017).
    pub gini_generalised: Option<f64>,
}

/// The share of incidents on the busiest units.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TopShare {
    /// Percent of units asked for.
    pub units_pct: f64,
    /// Units counted.
    pub units: usize,
    /// Their share of incidents (0–1); `None` with no incidents.
    pub share: Option<f64>,
}

/// Concentration of `counts` over units: top-`top_pct` shares, the percent of units holding
/// half, naive and generalised Gini.
///
/// # Errors
/// No units, too many, a bad count, or a percentage outside (0, 100].
pub fn concentration(counts: &[f64], top_pct: &[f64]) -> Result<Concentration, EvaluationError> {
    if counts.is_empty() {
        return Err(EvaluationError::NoCells);
    }
    if counts.len() > MAX_UNITS {
        return Err(EvaluationError::TooMany {
            n: counts.len(),
            max: MAX_UNITS,
        });
    }
    let total = check_counts("counts", counts, counts.len())?;
    let mut desc = counts.to_vec();
    desc.sort_by(|a, b| b.total_cmp(a));
    let n = desc.len();
    let mut top = Vec::with_capacity(top_pct.len());
    for &pct in top_pct {
        if !(pct > 0.0 && pct <= 100.0) {
            return Err(EvaluationError::Coverage { coverage_pct: pct });
        }
        // Whole units not exceeding pct % (with the same 1e-9 slack as the coverage).
        let units = ((n as f64 * pct / 100.0) * (1.0 + 1e-9)).floor() as usize;
        let units = units.min(n);
        let share = (total > 0.0).then(|| desc[..units].iter().sum::<f64>() / total);
        top.push(TopShare {
            units_pct: pct,
            units,
            share,
        });
    }
    let units_pct_for_half = (total > 0.0).then(|| {
        let mut acc = 0.0;
        let mut k = 0;
        for v in &desc {
            acc += v;
            k += 1;
            if acc >= total / 2.0 {
                break;
            }
        }
        100.0 * k as f64 / n as f64
    });
    Ok(Concentration {
        units: n,
        incidents: total,
        top,
        units_pct_for_half,
        gini: gini(counts),
        gini_generalised: generalised_gini(counts),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-12)
    }

    #[test]
    fn ranking_breaks_ties_by_index() {
        let keys = [
            [1.0, 0.0, 0.0],
            [3.0, 0.0, 0.0],
            [1.0, 0.0, 0.0],
            [f64::NAN, 0.0, 0.0],
            [3.0, 1.0, 0.0],
        ];
        assert_eq!(rank_cells(&keys), vec![4, 1, 0, 2, 3]);
    }

    /// A 10-cell strip of equal cells, hand-computed:
    /// train = [9, 7, 5, 0, 0, 1, 0, 2, 0, 0] (N₁ = 24),
    /// test  = [4, 1, 6, 0, 1, 0, 0, 3, 0, 0] (N₂ = 15).
    /// At 20 % (2 cells): the counts ranking picks cells 0, 1: n = 5, hit 1/3, PAI = (1/3)/0.2
    /// = 5/3; the oracle picks 2, 0: n* = 10, PAI* = (10/15)/0.2 = 10/3; PEI = 1/2;
    /// n₁ = 16, RRI = (5/16)/(15/24) = 1/2.
    /// At 30 % (3 cells): picks 0, 1, 2: n = 11, hit 11/15, PAI = (11/15)/0.3 = 22/9; oracle
    /// 2, 0, 7: n* = 13, PAI* = 26/9, PEI = 11/13; n₁ = 21, RRI = (11/21)/(15/24) = 88/105.
    #[test]
    fn pai_pei_rri_by_hand() {
        let area = [0.1; 10];
        let train = [9.0, 7.0, 5.0, 0.0, 0.0, 1.0, 0.0, 2.0, 0.0, 0.0];
        let test = [4.0, 1.0, 6.0, 0.0, 1.0, 0.0, 0.0, 3.0, 0.0, 0.0];
        let s = StudyArea::new(&area, &train, &test).unwrap();
        let order = rank_cells(&density_keys(&train, &area));
        let at20 = s.score(&order, 20.0).unwrap();
        assert_eq!(at20.cells, 2);
        assert!((at20.area_share - 0.2).abs() < 1e-12);
        assert!(close(at20.hit_rate, 1.0 / 3.0));
        assert!(close(at20.pai, 5.0 / 3.0));
        assert!(close(at20.pai_max, 10.0 / 3.0));
        assert!(close(at20.pei, 0.5));
        assert!(close(at20.rri, 0.5));
        let at30 = s.score(&order, 30.0).unwrap();
        assert_eq!(at30.cells, 3);
        assert!(close(at30.hit_rate, 11.0 / 15.0));
        assert!(close(at30.pai, 22.0 / 9.0));
        assert!(close(at30.pei, 11.0 / 13.0));
        assert!(close(at30.rri, 88.0 / 105.0));
        // 100 %: everything, PAI = PEI = RRI = 1.
        let all = s.score(&order, 100.0).unwrap();
        assert!(close(all.pai, 1.0) && close(all.pei, 1.0) && close(all.rri, 1.0));
    }

    /// The last partial cell is left out: 25 % of 10 equal cells is 2 cells (20 %), and the
    /// measures use the 20 % actually flagged.
    #[test]
    fn partial_cell_left_out() {
        let area = [1.0; 10];
        let train = [9.0, 7.0, 5.0, 0.0, 0.0, 1.0, 0.0, 2.0, 0.0, 0.0];
        let test = [4.0, 1.0, 6.0, 0.0, 1.0, 0.0, 0.0, 3.0, 0.0, 0.0];
        let s = StudyArea::new(&area, &train, &test).unwrap();
        let order = rank_cells(&density_keys(&train, &area));
        let at25 = s.score(&order, 25.0).unwrap();
        assert_eq!(at25.cells, 2);
        assert!((at25.area_share - 0.2).abs() < 1e-12);
        assert!(close(at25.pai, 5.0 / 3.0));
        // 5 % of 10 cells: no whole cell fits, so nothing is flagged and PAI is undefined.
        let at5 = s.score(&order, 5.0).unwrap();
        assert_eq!(at5.cells, 0);
        assert_eq!(at5.pai, None);
        assert!(close(at5.hit_rate, 0.0));
    }

    /// Unequal areas: ranking is by density per km². Cells: areas [1, 2, 1], train [2, 3, 1]
    /// (densities 2, 1.5, 1), test [1, 4, 1]. At 50 % (2 of 4 km²): the ranking 0, 1 would
    /// need 3 km², so only cell 0 (1 km², 25 %): n = 1, hit 1/6, PAI = (1/6)/0.25 = 2/3. The
    /// oracle ranks by test density [1, 2, 1] → cell 1 (2 km², 50 %): PAI* = (4/6)/0.5 = 4/3,
    /// PEI = 1/2; RRI = (1/2)/(6/6) = 1/2.
    #[test]
    fn density_per_area_with_unequal_cells() {
        let area = [1.0, 2.0, 1.0];
        let train = [2.0, 3.0, 1.0];
        let test = [1.0, 4.0, 1.0];
        let s = StudyArea::new(&area, &train, &test).unwrap();
        let order = rank_cells(&density_keys(&train, &area));
        assert_eq!(order, vec![0, 1, 2]);
        let r = s.score(&order, 50.0).unwrap();
        assert_eq!(r.cells, 1);
        assert!(close(r.pai, 2.0 / 3.0));
        assert!(close(r.pai_max, 4.0 / 3.0));
        assert!(close(r.pei, 0.5));
        assert!(close(r.rri, 0.5));
    }

    #[test]
    fn bad_inputs_are_errors() {
        let area = [1.0, 1.0];
        assert_eq!(
            StudyArea::new(&area, &[1.0], &[1.0, 1.0]).unwrap_err(),
            EvaluationError::Length {
                what: "train",
                got: 1,
                cells: 2
            }
        );
        assert!(matches!(
            StudyArea::new(&[1.0, 0.0], &[1.0, 1.0], &[1.0, 1.0]),
            Err(EvaluationError::BadArea { index: 1, .. })
        ));
        assert!(matches!(
            StudyArea::new(&area, &[1.0, -1.0], &[1.0, 1.0]),
            Err(EvaluationError::BadCount {
                what: "train",
                index: 1,
                ..
            })
        ));
        let s = StudyArea::new(&area, &[1.0, 0.0], &[1.0, 1.0]).unwrap();
        assert!(matches!(
            s.score(&[0, 1], 0.0),
            Err(EvaluationError::Coverage { .. })
        ));
        assert!(matches!(
            s.score(&[0, 1], 100.5),
            Err(EvaluationError::Coverage { .. })
        ));
        assert!(matches!(
            s.score(&[0, 0], 50.0),
            Err(EvaluationError::Order { .. })
        ));
        assert!(matches!(
            s.score(&[0], 50.0),
            Err(EvaluationError::Order { .. })
        ));
        // RRI undefined when the selection held no training incidents.
        let r = s.score(&[1, 0], 50.0).unwrap();
        assert_eq!(r.rri, None);
        assert!(close(r.pai, 1.0));
    }

    /// Gini by hand: [0, 0, 1, 1]: G = 2(3·1 + 4·1)/(4·2) − 5/4 = 1/2; C = 2 < N = 4, so
    /// G′ = 1 − 2(1 − 1/2) = 0 (maximal equality given 2 incidents).
    /// [0, 0, 0, 2]: G = 2·4·2/8 − 5/4 = 3/4; G′ = 1 − 2·(1/4) = 1/2 = (C − 1)/C, the most
    /// concentrated 2 incidents can be.
    /// [1, 2, 3, 4] (C ≥ N): G = 2(1 + 4 + 9 + 16)/(4·10) − 5/4 = 1/4 = G′.
    #[test]
    fn gini_by_hand() {
        assert!(close(gini(&[0.0, 0.0, 1.0, 1.0]), 0.5));
        assert!(close(generalised_gini(&[1.0, 0.0, 1.0, 0.0]), 0.0));
        assert!(close(gini(&[0.0, 2.0, 0.0, 0.0]), 0.75));
        assert!(close(generalised_gini(&[0.0, 2.0, 0.0, 0.0]), 0.5));
        assert!(close(gini(&[4.0, 1.0, 3.0, 2.0]), 0.25));
        assert!(close(generalised_gini(&[4.0, 1.0, 3.0, 2.0]), 0.25));
        assert!(close(gini(&[3.0, 3.0, 3.0]), 0.0));
        assert_eq!(gini(&[0.0, 0.0]), None);
        assert_eq!(gini(&[]), None);
    }

    /// 10 units [10, 5, 3, 1, 1, 0, 0, 0, 0, 0] (20 incidents): top 10 % = 1 unit = 10/20;
    /// top 25 % = 2 units = 15/20; half is held by 1 unit (10 %).
    #[test]
    fn concentration_by_hand() {
        let counts = [1.0, 0.0, 10.0, 0.0, 3.0, 0.0, 5.0, 0.0, 1.0, 0.0];
        let c = concentration(&counts, &[10.0, 25.0, 100.0]).unwrap();
        assert_eq!(c.units, 10);
        assert_eq!(c.top[0].units, 1);
        assert!(close(c.top[0].share, 0.5));
        assert_eq!(c.top[1].units, 2);
        assert!(close(c.top[1].share, 0.75));
        assert!(close(c.top[2].share, 1.0));
        assert!(close(c.units_pct_for_half, 10.0));
        // G = 2(6·1 + 7·1 + 8·3 + 9·5 + 10·10)/(10·20) − 11/10 = 364/200 − 1.1 = 0.72.
        assert!(close(c.gini, 0.72));
        assert!(close(c.gini_generalised, 0.72));
        assert!(concentration(&counts, &[0.0]).is_err());
        assert!(concentration(&[], &[5.0]).is_err());
    }
}
