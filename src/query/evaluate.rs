//! Backtests end to end: train each method on one window, test on the next, and score the
//! cells it flags at stated coverages of the study area (hit rate, PAI, PEI, Levine's RRI;
//! see `analysis::evaluation`), with how concentrated the incidents are; with `rolling`,
//! the same over every month of the data as origin.
//!
//! Steps:
//! 1. Check the parameters once: `train-from`, `train-to`, `test-from`, `test-to` (months or
//!    dates; the test window must start after the training window ends; with none of the four,
//!    the data's last two months are the test window and up to six months before them the
//!    training window), the selection's
//!    days, hours, preset, calendar, wards and categories (applied to both windows),
//!    `resolution` (7–11, default 9), `coverage` (percents in (0, 100], default 1,5,10),
//!    `methods` (default counts,gistar,kde,emerging) and `rolling`.
//! 2. Select the training and test incidents and count them per H3 cell. The study area is
//!    the chosen wards' cells (every cell whose centre lies in a ward, zeros included) plus the
//!    edge cells holding a ward-assigned incident of either window; incidents outside every
//!    ward are left out (Portsmouth is an island: the grid is clipped to the wards, so sea
//!    does not inflate PAI). Each cell's own area (`CellIndex::area_km2`) is used.
//! 3. Predict from the training window only, one ranking per method (ties to the lower cell,
//!    then by H3 index order, as the cells are sorted):
//!    - `counts`: training incidents per km²;
//!    - `gistar`: Gi* z (binary first-order k-ring, self included, analytic) of the training
//!      counts, then training density;
//!    - `kde`: quartic kernel density of the training points at each cell centre (ArcGIS's
//!      default search radius; incidents per km²);
//!    - `emerging`: Esri's emerging pattern of the training months (monthly cube, k = 1), by
//!      severity (intensifying, persistent, consecutive, new, sporadic, oscillating,
//!      diminishing, historical hot spot; then no pattern; then cold spots, least cold first),
//!      then the Mann–Kendall trend z, then training density; cells with no training incident
//!      come last.
//! 4. Score each ranking at each coverage against the test window (`analysis::evaluation`:
//!    the longest ranked prefix not exceeding the coverage; PEI against the test-period
//!    oracle).
//! 5. Concentration of the training and test incidents together: over the study-area cells
//!    (zeros included) and over places (distinct coordinates, i.e. police.uk snap points),
//!    the share held by the top x % (x = the coverages), the % holding half, Gini and
//!    generalised Gini.
//! 6. With `rolling`: the windows must be whole months; their lengths (and the gap between
//!    them) are kept and the origin moves one month at a time over every month with data of
//!    the selection. Origins whose windows include a month without any selected incident are
//!    skipped and counted (a gap in the data is not zero crime, e.g. police.uk 2017 and
//!    2022 months side by side). Each origin is scored as in steps 2–4, and each
//!    method × coverage is summarised by mean, sample sd, min and max.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

use h3o::{CellIndex, Resolution};
use serde_json::{Value, json};

use super::{
    ParamBag, ParamError, QueryError, RawSelection, Selected, Selection, cell_counts, parse_bool,
    parse_resolution, split_list,
};
use crate::analysis::emerging::{EmergingOptions, Pattern};
use crate::analysis::evaluation::{
    Concentration, EvaluationError, Score, StudyArea, concentration, rank_cells,
};
use crate::analysis::gi_star::{GiStarOptions, gi_star};
use crate::analysis::kde::Kde;
use crate::analysis::weights::Neighbours;
use crate::domain::{Bng, Month, Wgs84};
use crate::index::Snapshot;
use crate::time::EventCalendar;

use super::emerging::{EmergingRequest, Step, run_emerging};

/// Parameter names `evaluate` accepts (besides the selection's days, hours, preset, calendar,
/// ward and category; `from` and `to` are refused in favour of the four below).
pub const EVALUATE_PARAMS: &[&str] = &[
    "train-from",
    "train-to",
    "test-from",
    "test-to",
    "resolution",
    "coverage",
    "methods",
    "rolling",
];

/// Most coverage values in one request.
pub const MAX_COVERAGES: usize = 20;
/// Most rolling origins one request may run.
pub const MAX_ORIGINS: usize = 120;

/// A prediction method under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// Training counts per km².
    Counts,
    /// Gi* z of the training counts.
    GiStar,
    /// Quartic kernel density of the training points.
    Kde,
    /// Emerging hot spot pattern of the training months.
    Emerging,
}

impl Method {
    /// All four, in the default order.
    pub const ALL: [Method; 4] = [
        Method::Counts,
        Method::GiStar,
        Method::Kde,
        Method::Emerging,
    ];

    /// The name in `methods` and in the output.
    pub fn name(self) -> &'static str {
        match self {
            Method::Counts => "counts",
            Method::GiStar => "gistar",
            Method::Kde => "kde",
            Method::Emerging => "emerging",
        }
    }

    fn ranking(self) -> &'static str {
        match self {
            Method::Counts => "training incidents per km²",
            Method::GiStar => {
                "Gi* z of the training counts (binary k-ring k = 1, self included, analytic), then training density"
            }
            Method::Kde => {
                "quartic kernel density of the training points at the cell centre (ArcGIS default radius)"
            }
            Method::Emerging => {
                "emerging pattern severity of the training months (intensifying, persistent, consecutive, new, sporadic, oscillating, diminishing, historical hot; no pattern; cold spots), then Mann–Kendall trend z, then training density; cells without training incidents last"
            }
        }
    }
}

/// One train/test split.
#[derive(Debug, Clone)]
pub struct Fold {
    /// The training incidents.
    pub train: Selection,
    /// The test incidents.
    pub test: Selection,
}

/// A checked evaluate request.
#[derive(Debug, Clone)]
pub struct EvaluateRequest {
    /// The split asked for.
    pub fold: Fold,
    /// H3 resolution of the cells.
    pub resolution: Resolution,
    /// Coverages, percent of the study area, in the order given.
    pub coverage_pct: Vec<f64>,
    /// Methods, in the order given (by default all four, less `emerging` when the training
    /// window is a single month).
    pub methods: Vec<Method>,
    /// The rolling-origin plan (`None` unless `rolling`).
    pub rolling: Option<Rolling>,
}

/// The rolling-origin plan.
#[derive(Debug, Clone)]
pub struct Rolling {
    /// Training months per origin.
    pub train_months: i32,
    /// Months between the training and the test window.
    pub gap_months: i32,
    /// Test months per origin.
    pub test_months: i32,
    /// The origins run, in time order.
    pub folds: Vec<Fold>,
    /// Origins skipped because a month of their windows has no selected incident.
    pub skipped: usize,
}

fn renamed(e: ParamError, prefix: &str) -> ParamError {
    match e.parameter.as_str() {
        "from" | "to" => ParamError::new(&format!("{prefix}-{}", e.parameter), e.message),
        _ => e,
    }
}

fn window_selection(
    raw: &RawSelection,
    from: &str,
    to: &str,
    prefix: &str,
    snap: &Snapshot,
    events: Option<&EventCalendar>,
) -> Result<Selection, ParamError> {
    let mut r = raw.clone();
    r.from = Some(from.to_owned());
    r.to = Some(to.to_owned());
    r.check(snap, events).map_err(|e| renamed(e, prefix))
}

fn whole_months(s: &Selection, prefix: &str) -> Result<(Month, Month), ParamError> {
    let (Some(from), Some(to)) = (s.window.from(), s.window.to()) else {
        return Err(ParamError::new(
            &format!("{prefix}-from"),
            "the window needs both ends",
        ));
    };
    let (a, b) = (Month::of(from), Month::of(to));
    if a.first_day() != from || b.last_day() != to {
        return Err(ParamError::new(
            &format!("{prefix}-from"),
            format!(
                "rolling backtests move whole months: give {prefix}-from and {prefix}-to as months (YYYY-MM), not {from} to {to}"
            ),
        ));
    }
    Ok((a, b))
}

fn parse_coverage(text: Option<String>) -> Result<Vec<f64>, ParamError> {
    let Some(text) = text else {
        return Ok(vec![1.0, 5.0, 10.0]);
    };
    let items = split_list(&[text], "coverage")?;
    if items.is_empty() {
        return Err(ParamError::new(
            "coverage",
            "give one or more percents, e.g. 1,5,10",
        ));
    }
    if items.len() > MAX_COVERAGES {
        return Err(ParamError::new(
            "coverage",
            format!("{} values; at most {MAX_COVERAGES}", items.len()),
        ));
    }
    let mut out: Vec<f64> = Vec::new();
    for t in items {
        let v = t
            .trim_end_matches('%')
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v > 0.0 && *v <= 100.0)
            .ok_or_else(|| {
                ParamError::new(
                    "coverage",
                    format!("{t:?} is not a percent of the study area above 0 and at most 100"),
                )
            })?;
        if !out.contains(&v) {
            out.push(v);
        }
    }
    Ok(out)
}

fn parse_methods(text: Option<String>) -> Result<Vec<Method>, ParamError> {
    let Some(text) = text else {
        return Ok(Method::ALL.to_vec());
    };
    let mut out = Vec::new();
    for t in split_list(&[text], "methods")? {
        let m = Method::ALL
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(&t))
            .ok_or_else(|| {
                ParamError::new(
                    "methods",
                    format!("{t:?} is not one of counts, gistar, kde, emerging"),
                )
            })?;
        if !out.contains(&m) {
            out.push(m);
        }
    }
    if out.is_empty() {
        return Err(ParamError::new(
            "methods",
            "give one or more of counts, gistar, kde, emerging",
        ));
    }
    Ok(out)
}

/// Months holding at least one incident of the selection's wards and categories (any time).
fn data_months(snap: &Snapshot, s: &Selection) -> BTreeSet<i32> {
    let all_time = Selection {
        window: crate::time::Window::default(),
        wards: s.wards.clone(),
        categories: s.categories.clone(),
    };
    let sel = all_time.apply(snap);
    sel.rows
        .iter()
        .filter(|&&r| snap.incidents.ward[r as usize].is_some())
        .map(|&r| snap.incidents.month[r as usize].index())
        .collect()
}

impl EvaluateRequest {
    /// Checks raw parameters against the snapshot (wards must exist; with `rolling`, the
    /// origins are planned over the months the data holds).
    pub fn from_params(
        bag: &mut ParamBag,
        snap: &Snapshot,
        events: Option<&EventCalendar>,
    ) -> Result<EvaluateRequest, ParamError> {
        let raw = RawSelection::take(bag)?;
        for name in ["from", "to"] {
            let given = if name == "from" { &raw.from } else { &raw.to };
            if given.is_some() {
                return Err(ParamError::new(
                    name,
                    "evaluate takes train-from, train-to, test-from and test-to instead",
                ));
            }
        }
        let mut given = Vec::new();
        for name in ["train-from", "train-to", "test-from", "test-to"] {
            given.push(bag.one(name)?.filter(|v| !v.trim().is_empty()));
        }
        let [train_from, train_to, test_from, test_to] = if given.iter().all(Option::is_none) {
            default_windows(snap, &raw, events)?
        } else {
            let mut out: [String; 4] = Default::default();
            for ((slot, value), name) in
                out.iter_mut()
                    .zip(given)
                    .zip(["train-from", "train-to", "test-from", "test-to"])
            {
                *slot = value.ok_or_else(|| {
                    ParamError::new(
                        name,
                        "required with the other window bounds: a month (YYYY-MM) or date (YYYY-MM-DD)",
                    )
                })?;
            }
            out
        };
        let train = window_selection(&raw, &train_from, &train_to, "train", snap, events)?;
        let test = window_selection(&raw, &test_from, &test_to, "test", snap, events)?;
        if let (Some(end), Some(start)) = (train.window.to(), test.window.from())
            && start <= end
        {
            return Err(ParamError::new(
                "test-from",
                format!(
                    "the test window must start after the training window ends ({end}); it starts {start}"
                ),
            ));
        }
        let resolution = parse_resolution(bag.one("resolution")?.as_deref())?.ok_or_else(|| {
            ParamError::new(
                "resolution",
                "evaluate needs a resolution 7–11 (auto is for hot spots)",
            )
        })?;
        let coverage_pct = parse_coverage(bag.one("coverage")?)?;
        let methods_text = bag.one("methods")?;
        let methods_given = methods_text.is_some();
        let mut methods = parse_methods(methods_text)?;
        let rolling_on = parse_bool(bag.one("rolling")?.as_deref(), "rolling", false)?;
        if methods.contains(&Method::Emerging)
            && let (Some(a), Some(b)) = (train.window.from(), train.window.to())
            && Month::of(a) == Month::of(b)
        {
            if !methods_given {
                // The default methods: leave emerging out rather than fail.
                methods.retain(|m| *m != Method::Emerging);
            } else {
                return Err(ParamError::new(
                    "train-to",
                    "the emerging method needs a training window over at least 2 months (or leave emerging out of methods)",
                ));
            }
        }
        let rolling = if rolling_on {
            Some(plan_rolling(&raw, &train, &test, snap, events)?)
        } else {
            None
        };
        Ok(EvaluateRequest {
            fold: Fold { train, test },
            resolution,
            coverage_pct,
            methods,
            rolling,
        })
    }
}

/// Without any window bound: the data's last two months (its last month when it spans fewer
/// than four) as the test window and up to six months before them, within the data, as the
/// training window (the reference shape is 6 + 2).
fn default_windows(
    snap: &Snapshot,
    raw: &RawSelection,
    events: Option<&EventCalendar>,
) -> Result<[String; 4], ParamError> {
    let selection = raw.check(snap, events)?;
    let months = data_months(snap, &selection);
    let (Some(&first), Some(&last)) = (months.first(), months.last()) else {
        return Err(ParamError::new(
            "train-from",
            "no incident of the chosen wards and categories is stored: give train-from, train-to, test-from and test-to",
        ));
    };
    if first == last {
        return Err(ParamError::new(
            "train-from",
            "the data holds a single month, so there is nothing to train on before a test window",
        ));
    }
    let test_months = if last - first + 1 >= 4 { 2 } else { 1 };
    let test_from = last - test_months + 1;
    let train_from = (test_from - 6).max(first);
    let month = |i: i32| {
        Month::from_index(i).map(|m| m.to_string()).ok_or_else(|| {
            ParamError::new("train-from", format!("month index {i} is out of range"))
        })
    };
    Ok([
        month(train_from)?,
        month(test_from - 1)?,
        month(test_from)?,
        month(last)?,
    ])
}

fn plan_rolling(
    raw: &RawSelection,
    train: &Selection,
    test: &Selection,
    snap: &Snapshot,
    events: Option<&EventCalendar>,
) -> Result<Rolling, ParamError> {
    let (a, b) = whole_months(train, "train")?;
    let (c, d) = whole_months(test, "test")?;
    let train_months = b.index() - a.index() + 1;
    let gap_months = c.index() - b.index() - 1;
    let test_months = d.index() - c.index() + 1;
    let months = data_months(snap, train);
    let (Some(&first), Some(&last)) = (months.first(), months.last()) else {
        return Err(ParamError::new(
            "rolling",
            "no incident of the chosen wards and categories is stored, so there is nothing to roll over",
        ));
    };
    let span = train_months + gap_months + test_months;
    let mut folds = Vec::new();
    let mut skipped = 0;
    for start in first..=last - span + 1 {
        let train_range = start..start + train_months;
        let test_range = start + train_months + gap_months..start + span;
        if train_range
            .clone()
            .chain(test_range.clone())
            .any(|m| !months.contains(&m))
        {
            skipped += 1;
            continue;
        }
        if folds.len() == MAX_ORIGINS {
            return Err(ParamError::new(
                "rolling",
                format!(
                    "the data's months give more than {MAX_ORIGINS} origins; use longer windows or a narrower selection"
                ),
            ));
        }
        let month = |i: i32| {
            Month::from_index(i).map(|m| m.to_string()).ok_or_else(|| {
                ParamError::new("rolling", format!("month index {i} is out of range"))
            })
        };
        let tr = window_selection(
            raw,
            &month(train_range.start)?,
            &month(train_range.end - 1)?,
            "train",
            snap,
            events,
        )?;
        let te = window_selection(
            raw,
            &month(test_range.start)?,
            &month(test_range.end - 1)?,
            "test",
            snap,
            events,
        )?;
        folds.push(Fold {
            train: tr,
            test: te,
        });
    }
    if folds.is_empty() {
        return Err(ParamError::new(
            "rolling",
            format!(
                "no origin fits: {train_months} training + {gap_months} gap + {test_months} test months need that many consecutive months with data, between {} and {}",
                Month::from_index(first).map_or_else(String::new, |m| m.to_string()),
                Month::from_index(last).map_or_else(String::new, |m| m.to_string()),
            ),
        ));
    }
    Ok(Rolling {
        train_months,
        gap_months,
        test_months,
        folds,
        skipped,
    })
}

/// One method's scores on one split.
#[derive(Debug, Clone)]
pub struct MethodScores {
    /// The method.
    pub method: Method,
    /// One per coverage, in the request's order.
    pub scores: Vec<Score>,
}

/// The outcome of one split.
#[derive(Debug, Clone)]
pub struct FoldResult {
    /// Training window, as text (`2017-02-01 to 2017-07-31`).
    pub train: (String, String),
    /// Test window.
    pub test: (String, String),
    /// Study-area cells.
    pub cells: usize,
    /// Study area, km².
    pub area_km2: f64,
    /// Training incidents in the study area (N₁).
    pub train_total: f64,
    /// Test incidents in the study area (N₂).
    pub test_total: f64,
    /// KDE bandwidth used, metres (when kde ran).
    pub bandwidth_m: Option<f64>,
    /// Scores per method.
    pub methods: Vec<MethodScores>,
}

/// The result of an evaluate run.
#[derive(Debug, Clone)]
pub struct EvaluateResult {
    /// The request.
    pub request: EvaluateRequest,
    /// The split asked for.
    pub main: FoldResult,
    /// Concentration over cells and places (training and test windows together).
    pub cells_concentration: Concentration,
    /// Over places (distinct coordinates).
    pub places_concentration: Concentration,
    /// Each rolling origin (empty without `rolling`).
    pub origins: Vec<FoldResult>,
}

/// Why an analysis inside the backtest failed, as a `QueryError`.
impl From<EvaluationError> for QueryError {
    fn from(e: EvaluationError) -> QueryError {
        QueryError::Evaluation(e)
    }
}

fn severity(p: Pattern) -> f64 {
    use Pattern as P;
    match p {
        P::IntensifyingHotSpot => 16.0,
        P::PersistentHotSpot => 15.0,
        P::ConsecutiveHotSpot => 14.0,
        P::NewHotSpot => 13.0,
        P::SporadicHotSpot => 12.0,
        P::OscillatingHotSpot => 11.0,
        P::DiminishingHotSpot => 10.0,
        P::HistoricalHotSpot => 9.0,
        P::NoPatternDetected => 8.0,
        P::HistoricalColdSpot => 7.0,
        P::DiminishingColdSpot => 6.0,
        P::OscillatingColdSpot => 5.0,
        P::SporadicColdSpot => 4.0,
        P::NewColdSpot => 3.0,
        P::ConsecutiveColdSpot => 2.0,
        P::PersistentColdSpot => 1.0,
        P::IntensifyingColdSpot => 0.0,
    }
}

fn window_text(s: &Selection) -> (String, String) {
    (
        s.window.from().map_or_else(String::new, |d| d.to_string()),
        s.window.to().map_or_else(String::new, |d| d.to_string()),
    )
}

/// Counts of a selection on the study-area cells (`cells` sorted).
fn counts_on(
    snap: &Snapshot,
    cells: &[CellIndex],
    resolution: Resolution,
    selected: &Selected,
) -> Result<Vec<f64>, QueryError> {
    let slots = snap.cell_slots(resolution).ok_or(QueryError::Aggregate(
        super::AggregateError::Resolution(u8::from(resolution)),
    ))?;
    let mut out = vec![0.0; cells.len()];
    for (&row, &w) in selected.rows.iter().zip(&selected.weights) {
        let r = row as usize;
        if snap.incidents.ward[r].is_none() {
            continue;
        }
        if let Ok(i) = cells.binary_search(&slots.cells[slots.slot[r] as usize]) {
            out[i] += w;
        }
    }
    Ok(out)
}

struct FoldData {
    train_sel: Selected,
    test_sel: Selected,
    cells: Vec<CellIndex>,
    train: Vec<f64>,
    test: Vec<f64>,
}

fn fold_data(snap: &Snapshot, fold: &Fold, resolution: Resolution) -> Result<FoldData, QueryError> {
    let train_sel = fold.train.apply(snap);
    if train_sel.rows.is_empty() {
        return Err(QueryError::Empty(format!(
            "training window: {}",
            super::why_empty(snap, &fold.train, &train_sel)
        )));
    }
    let test_sel = fold.test.apply(snap);
    if test_sel.rows.is_empty() {
        return Err(QueryError::Empty(format!(
            "test window: {}",
            super::why_empty(snap, &fold.test, &test_sel)
        )));
    }
    let a = cell_counts(snap, &fold.train.wards, &train_sel, resolution)?;
    let b = cell_counts(snap, &fold.test.wards, &test_sel, resolution)?;
    let mut cells = a.cells;
    cells.extend(b.cells);
    cells.sort_unstable();
    cells.dedup();
    let train = counts_on(snap, &cells, resolution, &train_sel)?;
    let test = counts_on(snap, &cells, resolution, &test_sel)?;
    Ok(FoldData {
        train_sel,
        test_sel,
        cells,
        train,
        test,
    })
}

fn run_fold(
    snap: &Snapshot,
    fold: &Fold,
    request: &EvaluateRequest,
) -> Result<FoldResult, QueryError> {
    let d = fold_data(snap, fold, request.resolution)?;
    score_fold(snap, fold, request, &d)
}

fn score_fold(
    snap: &Snapshot,
    fold: &Fold,
    request: &EvaluateRequest,
    d: &FoldData,
) -> Result<FoldResult, QueryError> {
    let area: Vec<f64> = d.cells.iter().map(|c| c.area_km2()).collect();
    let study = StudyArea::new(&area, &d.train, &d.test)?;
    let density: Vec<f64> = d.train.iter().zip(&area).map(|(c, a)| c / a).collect();
    let mut bandwidth_m = None;
    let mut methods = Vec::new();
    for &method in &request.methods {
        let keys: Vec<[f64; 3]> = match method {
            Method::Counts => density.iter().map(|&x| [x, 0.0, 0.0]).collect(),
            Method::GiStar => {
                let neighbours = Neighbours::from_h3_cells(&d.cells, 1)?;
                let gi = gi_star(
                    &d.train,
                    &neighbours,
                    &GiStarOptions {
                        permutations: 0,
                        ..GiStarOptions::default()
                    },
                )?;
                gi.cells
                    .iter()
                    .zip(&density)
                    .map(|(c, &x)| [c.z, x, 0.0])
                    .collect()
            }
            Method::Kde => {
                let (mut points, mut weights) = (Vec::new(), Vec::new());
                for (&row, &w) in d.train_sel.rows.iter().zip(&d.train_sel.weights) {
                    if snap.incidents.ward[row as usize].is_some() {
                        points.push(snap.incidents.xy[row as usize]);
                        weights.push(w);
                    }
                }
                let kde = Kde::new(&points, &weights, None)?;
                bandwidth_m = Some(kde.bandwidth_m());
                let centres: Vec<[f64; 2]> = d
                    .cells
                    .iter()
                    .map(|c| {
                        let ll = h3o::LatLng::from(*c);
                        Wgs84::new(ll.lng(), ll.lat())
                            .and_then(Wgs84::to_bng)
                            .map_or([f64::NAN, f64::NAN], Bng::xy)
                    })
                    .collect();
                kde.at_points(&centres)
                    .into_iter()
                    .map(|x| [x, 0.0, 0.0])
                    .collect()
            }
            Method::Emerging => {
                let e = run_emerging(
                    snap,
                    &EmergingRequest {
                        selection: fold.train.clone(),
                        resolution: Some(request.resolution),
                        k: 1,
                        step: Step::Month,
                        options: EmergingOptions::default(),
                    },
                )?;
                let mut keys: Vec<[f64; 3]> = density.iter().map(|&x| [-1.0, 0.0, x]).collect();
                for (loc, &i) in e.emerging.locations.iter().zip(&e.locations) {
                    if let Ok(j) = d.cells.binary_search(&e.counts.cells[i]) {
                        keys[j][0] = severity(loc.pattern);
                        keys[j][1] = loc.trend_z;
                    }
                }
                keys
            }
        };
        let order = rank_cells(&keys);
        let scores = request
            .coverage_pct
            .iter()
            .map(|&c| study.score(&order, c))
            .collect::<Result<Vec<_>, _>>()?;
        methods.push(MethodScores { method, scores });
    }
    Ok(FoldResult {
        train: window_text(&fold.train),
        test: window_text(&fold.test),
        cells: study.cells(),
        area_km2: study.area_km2(),
        train_total: study.total_train(),
        test_total: study.total_test(),
        bandwidth_m,
        methods,
    })
}

/// Runs the backtest (and the rolling origins when asked).
pub fn run_evaluate(
    snap: &Snapshot,
    request: &EvaluateRequest,
) -> Result<EvaluateResult, QueryError> {
    let d = fold_data(snap, &request.fold, request.resolution)?;
    let main = score_fold(snap, &request.fold, request, &d)?;
    // Concentration of both windows together.
    let both: Vec<f64> = d.train.iter().zip(&d.test).map(|(a, b)| a + b).collect();
    let cells_concentration = concentration(&both, &request.coverage_pct)?;
    let mut places: HashMap<(u64, u64), f64> = HashMap::new();
    for sel in [&d.train_sel, &d.test_sel] {
        for (&row, &w) in sel.rows.iter().zip(&sel.weights) {
            let r = row as usize;
            if snap.incidents.ward[r].is_some() {
                let [lon, lat] = snap.incidents.lonlat[r];
                *places.entry((lon.to_bits(), lat.to_bits())).or_insert(0.0) += w;
            }
        }
    }
    let mut place_counts: Vec<((u64, u64), f64)> = places.into_iter().collect();
    place_counts.sort_by_key(|a| a.0);
    let place_counts: Vec<f64> = place_counts.into_iter().map(|(_, v)| v).collect();
    let places_concentration = concentration(&place_counts, &request.coverage_pct)?;
    let origins = match &request.rolling {
        None => Vec::new(),
        Some(r) => r
            .folds
            .iter()
            .map(|f| run_fold(snap, f, request))
            .collect::<Result<Vec<_>, _>>()?,
    };
    Ok(EvaluateResult {
        request: request.clone(),
        main,
        cells_concentration,
        places_concentration,
        origins,
    })
}

fn score_json(method: Method, s: &Score) -> Value {
    json!({
        "method": method.name(),
        "coverage_pct": s.coverage_pct,
        "pai": s.pai,
        "pei": s.pei,
        "rri": s.rri,
        "hit_rate": s.hit_rate,
        "area_share": s.area_share,
        "n_test": s.n_test,
        "n_train": s.n_train,
        "cells": s.cells,
        "pai_max": s.pai_max,
    })
}

fn fold_json(f: &FoldResult) -> Value {
    json!({
        "train_from": f.train.0, "train_to": f.train.1,
        "test_from": f.test.0, "test_to": f.test.1,
        "study_cells": f.cells,
        "study_area_km2": f.area_km2,
        "train_total": f.train_total,
        "test_total": f.test_total,
        "results": f.methods.iter().flat_map(|m| m.scores.iter().map(|s| score_json(m.method, s))).collect::<Vec<_>>(),
    })
}

/// Mean, sample sd, min, max and n of the values present.
fn spread(values: &[Option<f64>]) -> Value {
    let v: Vec<f64> = values
        .iter()
        .flatten()
        .copied()
        .filter(|x| x.is_finite())
        .collect();
    if v.is_empty() {
        return json!({"mean": null, "sd": null, "min": null, "max": null, "n": 0});
    }
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let sd = (v.len() > 1)
        .then(|| (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt());
    json!({
        "mean": mean,
        "sd": sd,
        "min": v.iter().copied().fold(f64::INFINITY, f64::min),
        "max": v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        "n": v.len(),
    })
}

fn fmt_opt(x: Option<f64>, digits: usize) -> String {
    x.map_or_else(|| "-".to_owned(), |v| format!("{v:.digits$}"))
}

impl EvaluateResult {
    /// The `parameters` object.
    pub fn parameters(&self, snap: &Snapshot) -> Value {
        let r = &self.request;
        let mut p = r.fold.train.parameters(snap);
        if let Some(o) = p.as_object_mut() {
            o.remove("window");
            o.remove("window_text");
        }
        p["train_window_text"] = json!(r.fold.train.window.describe());
        p["test_window_text"] = json!(r.fold.test.window.describe());
        p["train_from"] = json!(self.main.train.0);
        p["train_to"] = json!(self.main.train.1);
        p["test_from"] = json!(self.main.test.0);
        p["test_to"] = json!(self.main.test.1);
        p["resolution"] = json!(u8::from(r.resolution));
        p["coverage_pct"] = json!(r.coverage_pct);
        p["methods"] = json!(r.methods.iter().map(|m| m.name()).collect::<Vec<_>>());
        p["ranking"] = r
            .methods
            .iter()
            .map(|m| (m.name().to_owned(), json!(m.ranking())))
            .collect::<serde_json::Map<_, _>>()
            .into();
        p["ties"] = json!("lower H3 cell index first");
        p["selection_rule"] = json!(
            "the longest ranked prefix whose area does not exceed the coverage (the last partial cell is left out); measures use the area actually flagged"
        );
        p["study_area"] = json!(
            "H3 cells centred in the chosen wards, plus edge cells holding a ward-assigned incident of either window; each cell's own area"
        );
        p["pei"] = json!(
            "PAI / PAI of the test-period oracle (cells densest in the test window) at the same coverage (Hunt 2016)"
        );
        p["rri"] = json!("Levine (2008): (n2/n1) / (N2/N1)");
        p["kde_bandwidth_m"] = json!(self.main.bandwidth_m);
        p["rolling"] = json!(r.rolling.is_some());
        if let Some(roll) = &r.rolling {
            p["rolling_train_months"] = json!(roll.train_months);
            p["rolling_gap_months"] = json!(roll.gap_months);
            p["rolling_test_months"] = json!(roll.test_months);
        }
        p
    }

    /// The `summary` object.
    pub fn summary(&self) -> Value {
        json!({
            "study_cells": self.main.cells,
            "study_area_km2": self.main.area_km2,
            "train_total": self.main.train_total,
            "test_total": self.main.test_total,
        })
    }

    fn concentration_json(&self) -> Value {
        json!({
            "period": "training and test windows together",
            "cells": self.cells_concentration,
            "places": self.places_concentration,
            "places_are": "distinct coordinates (police.uk snap points)",
            "gini_generalised": "Bernasco & Steenbeek (2017): 1 − (N/C)(1 − G) when C incidents < N units",
        })
    }

    fn rolling_json(&self) -> Option<Value> {
        let roll = self.request.rolling.as_ref()?;
        let mut summary = Vec::new();
        for (mi, &method) in self.request.methods.iter().enumerate() {
            for (ci, &c) in self.request.coverage_pct.iter().enumerate() {
                let pick = |f: fn(&Score) -> Option<f64>| -> Vec<Option<f64>> {
                    self.origins
                        .iter()
                        .map(|o| f(&o.methods[mi].scores[ci]))
                        .collect()
                };
                summary.push(json!({
                    "method": method.name(),
                    "coverage_pct": c,
                    "pai": spread(&pick(|s| s.pai)),
                    "pei": spread(&pick(|s| s.pei)),
                    "rri": spread(&pick(|s| s.rri)),
                    "hit_rate": spread(&pick(|s| s.hit_rate)),
                }));
            }
        }
        Some(json!({
            "train_months": roll.train_months,
            "gap_months": roll.gap_months,
            "test_months": roll.test_months,
            "skipped_origins": roll.skipped,
            "skipped_because": "a month of the windows has no selected incident (a gap in the data)",
            "origins": self.origins.iter().map(fold_json).collect::<Vec<_>>(),
            "summary": summary,
        }))
    }

    /// JSON: `parameters`, `summary`, `results` (one per method × coverage), `concentration`
    /// and, with `rolling`, `rolling` (`origins` and `summary`).
    pub fn json(&self, snap: &Snapshot) -> Value {
        let mut v = json!({
            "parameters": self.parameters(snap),
            "summary": self.summary(),
            "results": fold_json(&self.main)["results"].clone(),
            "concentration": self.concentration_json(),
        });
        if let Some(r) = self.rolling_json() {
            v["rolling"] = r;
        }
        v
    }

    /// CSV: one row per origin (`main` for the split asked for) × method × coverage.
    pub fn csv(&self) -> String {
        let mut out = String::from(
            "origin,train_from,train_to,test_from,test_to,method,coverage_pct,cells,area_share,n_test,n_train,hit_rate,pai,pei,rri\n",
        );
        let row = |out: &mut String, name: &str, f: &FoldResult| {
            for m in &f.methods {
                for s in &m.scores {
                    let o = |x: Option<f64>| x.map_or_else(String::new, |v| v.to_string());
                    let _ = writeln!(
                        out,
                        "{name},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                        f.train.0,
                        f.train.1,
                        f.test.0,
                        f.test.1,
                        m.method.name(),
                        s.coverage_pct,
                        s.cells,
                        s.area_share,
                        s.n_test,
                        s.n_train,
                        o(s.hit_rate),
                        o(s.pai),
                        o(s.pei),
                        o(s.rri)
                    );
                }
            }
        };
        row(&mut out, "main", &self.main);
        for (i, f) in self.origins.iter().enumerate() {
            row(&mut out, &(i + 1).to_string(), f);
        }
        out
    }

    /// A plain-text table for the terminal.
    pub fn table(&self) -> String {
        let m = &self.main;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Backtest: train {} to {} ({} incidents), test {} to {} ({} incidents); {} H3 res-{} cells, {:.2} km²",
            m.train.0,
            m.train.1,
            m.train_total,
            m.test.0,
            m.test.1,
            m.test_total,
            m.cells,
            u8::from(self.request.resolution),
            m.area_km2
        );
        let _ = writeln!(
            out,
            "{:<9} {:>9} {:>6} {:>7} {:>6} {:>7} {:>6} {:>6}",
            "method", "coverage", "cells", "area%", "hit", "PAI", "PEI", "RRI"
        );
        for ms in &m.methods {
            for s in &ms.scores {
                let _ = writeln!(
                    out,
                    "{:<9} {:>8}% {:>6} {:>7.2} {:>6} {:>7} {:>6} {:>6}",
                    ms.method.name(),
                    s.coverage_pct,
                    s.cells,
                    100.0 * s.area_share,
                    fmt_opt(s.hit_rate, 3),
                    fmt_opt(s.pai, 2),
                    fmt_opt(s.pei, 2),
                    fmt_opt(s.rri, 2)
                );
            }
        }
        for (label, c) in [
            ("cells", &self.cells_concentration),
            ("places", &self.places_concentration),
        ] {
            let tops: Vec<String> = c
                .top
                .iter()
                .map(|t| {
                    format!(
                        "top {}%: {}",
                        t.units_pct,
                        fmt_opt(t.share.map(|s| 100.0 * s), 1) + "%"
                    )
                })
                .collect();
            let _ = writeln!(
                out,
                "Concentration over {} {label}: {}; half on {}% of {label}; Gini {}, generalised Gini {}",
                c.units,
                tops.join(", "),
                fmt_opt(c.units_pct_for_half, 1),
                fmt_opt(c.gini, 2),
                fmt_opt(c.gini_generalised, 2)
            );
        }
        if let Some(roll) = &self.request.rolling {
            let _ = writeln!(
                out,
                "Rolling origin: {} origins ({} + {} gap + {} months; {} skipped for gaps in the data)",
                self.origins.len(),
                roll.train_months,
                roll.gap_months,
                roll.test_months,
                roll.skipped
            );
            let _ = writeln!(
                out,
                "{:<9} {:>9} {:>15} {:>15} {:>15}",
                "method", "coverage", "PAI mean±sd", "PEI mean±sd", "RRI mean±sd"
            );
            if let Some(Value::Array(rows)) = self.rolling_json().map(|r| r["summary"].clone()) {
                for r in rows {
                    let ms = |k: &str| {
                        let mean = r[k]["mean"].as_f64();
                        let sd = r[k]["sd"].as_f64();
                        format!("{}±{}", fmt_opt(mean, 2), fmt_opt(sd, 2))
                    };
                    let _ = writeln!(
                        out,
                        "{:<9} {:>8}% {:>15} {:>15} {:>15}",
                        r["method"].as_str().unwrap_or_default(),
                        r["coverage_pct"].as_f64().unwrap_or(f64::NAN),
                        ms("pai"),
                        ms("pei"),
                        ms("rri")
                    );
                }
            }
        }
        out
    }
}
