//! Plan targets: the community safety plan's three measures per ward and for the city,
//! against their target lines, with the data's coverage stated.
//!
//! Citation: the Portsmouth community safety plan's targets as issue 7 states them: ASB
//! reported to the police down 3 % a year from a baseline year; alcohol-related crime from
//! 12.2 to 10 per 1,000 residents; total crime down 20 % over five years.
//!
//! Parameters:
//! - `baseline-year`, `year` (1990–2100): default baseline = the first full calendar year in
//!   the data (all 12 months present), year = the latest full year; when the data hold no
//!   full year, the first and the latest year present (flagged incomplete);
//! - `alcohol-baseline` (per 1,000 residents, default 12.2), `alcohol-target` (default 10),
//!   `alcohol-years` (1–20, default 5: the plan's five-year horizon, the same as the total
//!   crime target's).
//!
//! Returns: [`TargetsResult`] with `json()`, `csv()` and `table()`: one row per area (the
//! city, then each ward) and measure.
//!
//! Algorithm:
//! 1. Coverage per year: months with any stored row; per area, timed and month-only rows.
//! 2. Counts per area and year: `asb` = police.uk rows of the ASB group (ASB reported to the
//!    police; council logs are not counted); `total_crime` = police.uk rows of every other
//!    group (recorded crime, which excludes ASB); `alcohol_crime` = rows of any source whose
//!    alcohol flag is yes, ASB excluded (only incident logs carry the flag), per 1,000
//!    residents of the area (ward population; the city's is the sum over wards).
//! 3. A year with fewer than 12 months present is incomplete: its value is also given
//!    annualised (× 12 / months present, marked so).
//! 4. Targets, n = year − baseline: ASB = baseline × 0.97ⁿ; total crime = baseline ×
//!    (1 − 0.2 × min(n, 5) / 5); alcohol rate = a₀ + (a₁ − a₀) × min(n, years) / years (the
//!    plan's absolute line, the same for every area).
//! 5. `on_track` = actual ≤ target, only when both years are complete and n > 0; otherwise
//!    null, and `status` says why (no trend is invented from part of a year).
//!
//! Notes: one pass over the incidents.
//!
//! Example:
//! ```no_run
//! # use hotspot::query::{ParamBag, TargetsRequest, run_targets};
//! # fn demo(snap: &hotspot::index::Snapshot) -> Result<(), Box<dyn std::error::Error>> {
//! let mut bag = ParamBag::new([("baseline-year", "2022"), ("year", "2024")])?;
//! let request = TargetsRequest::from_params(&mut bag, snap)?;
//! print!("{}", run_targets(snap, &request)?.table());
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Value, json};

use super::{ParamBag, ParamError, QueryError, parse_in_range, parse_number};
use crate::domain::{Group, Source};
use crate::index::{NO_TIME, Snapshot};

/// Parameter names `targets` accepts.
pub const TARGETS_PARAMS: &[&str] = &[
    "baseline-year",
    "year",
    "alcohol-baseline",
    "alcohol-target",
    "alcohol-years",
];

/// Yearly ASB reduction of the plan (3 %).
pub const ASB_REDUCTION_PER_YEAR: f64 = 0.03;
/// Total crime reduction of the plan over [`CRIME_YEARS`] years (20 %).
pub const CRIME_REDUCTION: f64 = 0.2;
/// Years over which total crime is to fall by [`CRIME_REDUCTION`].
pub const CRIME_YEARS: u32 = 5;

/// A checked targets request.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetsRequest {
    /// Baseline year; `None` = from the data.
    pub baseline_year: Option<i32>,
    /// Year judged; `None` = from the data.
    pub year: Option<i32>,
    /// Alcohol-related crime per 1,000 residents in the baseline year (the line's start).
    pub alcohol_baseline: f64,
    /// Alcohol-related crime per 1,000 residents at the end of the line.
    pub alcohol_target: f64,
    /// Years from the baseline to reach `alcohol_target`.
    pub alcohol_years: u32,
}

fn rate(bag: &mut ParamBag, name: &str, default: f64) -> Result<f64, ParamError> {
    Ok(parse_number(
        bag.one(name)?.as_deref(),
        name,
        "a rate per 1,000 residents",
        0.0,
        1000.0,
    )?
    .unwrap_or(default))
}

impl TargetsRequest {
    /// Checks raw parameters.
    pub fn from_params(bag: &mut ParamBag, _snap: &Snapshot) -> Result<TargetsRequest, ParamError> {
        let year = |bag: &mut ParamBag, name: &str| -> Result<Option<i32>, ParamError> {
            bag.one(name)?
                .filter(|t| !t.trim().is_empty())
                .map(|t| parse_in_range(Some(&t), name, 2000, 1990, 2100))
                .transpose()
        };
        let baseline_year = year(bag, "baseline-year")?;
        let y = year(bag, "year")?;
        if let (Some(b), Some(y)) = (baseline_year, y)
            && y < b
        {
            return Err(ParamError::new(
                "year",
                format!("{y} is before baseline-year {b}"),
            ));
        }
        let alcohol_baseline = rate(bag, "alcohol-baseline", 12.2)?;
        let alcohol_target = rate(bag, "alcohol-target", 10.0)?;
        let alcohol_years = parse_in_range(
            bag.one("alcohol-years")?.as_deref(),
            "alcohol-years",
            5u32,
            1,
            20,
        )?;
        Ok(TargetsRequest {
            baseline_year,
            year: y,
            alcohol_baseline,
            alcohol_target,
            alcohol_years,
        })
    }
}

type Months = BTreeMap<i32, [bool; 12]>;

fn count_months(m: &Months) -> BTreeMap<i32, u32> {
    m.iter()
        .map(|(y, ms)| (*y, ms.iter().filter(|p| **p).count() as u32))
        .collect()
}

/// Which source a measure's coverage is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonthsOf {
    /// police.uk rows.
    PoliceUk,
    /// Rows carrying an alcohol flag.
    AlcoholFlag,
}

/// Counts of one area in one year.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct YearCounts {
    /// police.uk ASB rows.
    pub asb: f64,
    /// police.uk crime rows (every group but ASB).
    pub total_crime: f64,
    /// Rows flagged alcohol-related (ASB excluded).
    pub alcohol_crime: f64,
    /// Rows carrying an alcohol flag at all (yes or no).
    pub alcohol_flagged: usize,
    /// Rows with a time of day.
    pub timed_rows: usize,
    /// Rows known only to the month.
    pub month_only_rows: usize,
}

/// One area (the city or a ward).
#[derive(Debug, Clone)]
pub struct AreaTargets {
    /// Ward code, or `city`.
    pub code: String,
    /// Ward name, or `City`.
    pub name: String,
    /// Residents, when known.
    pub population: Option<f64>,
    /// Baseline year counts.
    pub baseline: YearCounts,
    /// Judged year counts.
    pub actual: YearCounts,
}

/// The result.
#[derive(Debug, Clone)]
pub struct TargetsResult {
    /// The request.
    pub request: TargetsRequest,
    /// Baseline year used.
    pub baseline_year: i32,
    /// Year judged.
    pub year: i32,
    /// Months present per year in the data (any row), for every year with data.
    pub months_present: BTreeMap<i32, u32>,
    /// Months with police.uk rows, per year (the ASB and total crime measures' source).
    pub police_uk_months: BTreeMap<i32, u32>,
    /// Months with rows carrying an alcohol flag, per year (the alcohol measure's source).
    pub alcohol_flag_months: BTreeMap<i32, u32>,
    /// The city, then each ward in store order.
    pub areas: Vec<AreaTargets>,
    /// How the years were chosen.
    pub years_note: String,
}

/// Runs the targets.
pub fn run_targets(snap: &Snapshot, request: &TargetsRequest) -> Result<TargetsResult, QueryError> {
    let t = &snap.incidents;
    if t.is_empty() {
        return Err(QueryError::Empty(
            "no incidents are stored: ingest some first (hotspot ingest ...)".into(),
        ));
    }
    let (mut any, mut police, mut flagged): (Months, Months, Months) = Default::default();
    for i in 0..t.len() {
        let m = t.month[i];
        let (y, k) = (m.year(), (m.number() - 1) as usize);
        any.entry(y).or_default()[k] = true;
        if t.source[i] == Source::PoliceUk {
            police.entry(y).or_default()[k] = true;
        }
        if t.alcohol[i].is_some() {
            flagged.entry(y).or_default()[k] = true;
        }
    }
    let months_present = count_months(&any);
    let police_uk_months = count_months(&police);
    let alcohol_flag_months = count_months(&flagged);
    // Default years follow the police.uk coverage (two of the three measures), else any row's.
    let basis = if police_uk_months.is_empty() {
        &months_present
    } else {
        &police_uk_months
    };
    let full: Vec<i32> = basis
        .iter()
        .filter(|(_, n)| **n == 12)
        .map(|(y, _)| *y)
        .collect();
    let first = *basis.keys().next().unwrap_or(&0);
    let last = *basis.keys().next_back().unwrap_or(&0);
    let (default_b, default_y, how) = match (full.first(), full.last()) {
        (Some(b), Some(y)) => (
            *b,
            *y,
            "first and latest full calendar years of police.uk data (of any data without police.uk rows)",
        ),
        _ => (
            first,
            last,
            "the data hold no full calendar year: first and latest years present, incomplete",
        ),
    };
    let baseline_year = request.baseline_year.unwrap_or(default_b);
    let year = request.year.unwrap_or(default_y.max(baseline_year));
    if year < baseline_year {
        return Err(QueryError::Param(ParamError::new(
            "year",
            format!("{year} is before baseline-year {baseline_year}"),
        )));
    }
    let years_note = format!(
        "baseline {baseline_year} ({}), year {year} ({})",
        if request.baseline_year.is_some() {
            "given"
        } else {
            how
        },
        if request.year.is_some() { "given" } else { how },
    );
    let n_wards = snap.wards.len();
    let mut base = vec![YearCounts::default(); n_wards + 1];
    let mut act = vec![YearCounts::default(); n_wards + 1];
    for i in 0..t.len() {
        let y = t.month[i].year();
        if y != baseline_year && y != year {
            continue;
        }
        // Slot 0 is the city: rows inside a ward (every row when no wards are loaded).
        let ward = t.ward[i].map(usize::from);
        if n_wards > 0 && ward.is_none() {
            continue;
        }
        let slots = [Some(0), ward.map(|w| w + 1)];
        for which in [(y == baseline_year, &mut base), (y == year, &mut act)] {
            let (hit, table) = which;
            if !hit {
                continue;
            }
            for s in slots.iter().flatten() {
                let c = &mut table[*s];
                if t.start_min[i] == NO_TIME {
                    c.month_only_rows += 1;
                } else {
                    c.timed_rows += 1;
                }
                let is_asb = t.group[i] == Group::Asb;
                if t.source[i] == Source::PoliceUk {
                    if is_asb {
                        c.asb += 1.0;
                    } else {
                        c.total_crime += 1.0;
                    }
                }
                if !is_asb && let Some(a) = t.alcohol[i] {
                    c.alcohol_flagged += 1;
                    if a {
                        c.alcohol_crime += 1.0;
                    }
                }
            }
        }
    }
    let city_population = snap
        .wards
        .iter()
        .map(|w| w.population.map(f64::from))
        .sum::<Option<f64>>()
        .filter(|_| n_wards > 0);
    let mut areas = vec![AreaTargets {
        code: "city".into(),
        name: "City".into(),
        population: city_population,
        baseline: base[0],
        actual: act[0],
    }];
    for (i, w) in snap.wards.iter().enumerate() {
        areas.push(AreaTargets {
            code: w.code.clone(),
            name: w.name.clone(),
            population: w.population.map(f64::from),
            baseline: base[i + 1],
            actual: act[i + 1],
        });
    }
    Ok(TargetsResult {
        request: request.clone(),
        baseline_year,
        year,
        months_present,
        police_uk_months,
        alcohol_flag_months,
        areas,
        years_note,
    })
}

/// One judged measure of one area.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureRow {
    /// `asb`, `total_crime` or `alcohol_crime_per_1000`.
    pub measure: &'static str,
    /// Whose months decide completeness.
    pub months_of: MonthsOf,
    /// Baseline value (as counted); `None` when not recorded.
    pub baseline: Option<f64>,
    /// Baseline annualised, when the baseline year is incomplete.
    pub baseline_annualised: Option<f64>,
    /// Actual value in the year (as counted).
    pub actual: Option<f64>,
    /// Actual annualised, when the year is incomplete.
    pub actual_annualised: Option<f64>,
    /// Target for the year.
    pub target: Option<f64>,
    /// Whether actual ≤ target; `None` when it cannot be judged.
    pub on_track: Option<bool>,
    /// Why (or "judged").
    pub status: String,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

impl TargetsResult {
    /// Months of `year` holding the source of a measure.
    pub fn months(&self, of: MonthsOf, year: i32) -> u32 {
        let m = match of {
            MonthsOf::PoliceUk => &self.police_uk_months,
            MonthsOf::AlcoholFlag => &self.alcohol_flag_months,
        };
        m.get(&year).copied().unwrap_or(0)
    }

    /// Years elapsed from the baseline.
    pub fn years_elapsed(&self) -> u32 {
        u32::try_from(self.year - self.baseline_year).unwrap_or(0)
    }

    /// The ASB target for a baseline value.
    pub fn asb_target(&self, baseline: f64) -> f64 {
        baseline * (1.0 - ASB_REDUCTION_PER_YEAR).powi(self.years_elapsed() as i32)
    }

    /// The total crime target for a baseline value.
    pub fn crime_target(&self, baseline: f64) -> f64 {
        let n = self.years_elapsed().min(CRIME_YEARS);
        baseline * (1.0 - CRIME_REDUCTION * f64::from(n) / f64::from(CRIME_YEARS))
    }

    /// The alcohol-related crime rate target for the year (per 1,000 residents).
    pub fn alcohol_rate_target(&self) -> f64 {
        let r = &self.request;
        let n = self.years_elapsed().min(r.alcohol_years);
        r.alcohol_baseline
            + (r.alcohol_target - r.alcohol_baseline) * f64::from(n) / f64::from(r.alcohol_years)
    }

    /// Why a measure read from `of` cannot be judged, if it cannot.
    pub fn judgement(&self, of: MonthsOf) -> Option<String> {
        let (mb, my) = (
            self.months(of, self.baseline_year),
            self.months(of, self.year),
        );
        let source = match of {
            MonthsOf::PoliceUk => "police.uk data",
            MonthsOf::AlcoholFlag => "alcohol-flagged data",
        };
        let mut why = Vec::new();
        if mb < 12 {
            why.push(format!(
                "baseline year {} is incomplete ({mb} of 12 months of {source})",
                self.baseline_year
            ));
        }
        if my < 12 && self.year != self.baseline_year {
            why.push(format!(
                "year {} is incomplete ({my} of 12 months of {source})",
                self.year
            ));
        }
        if self.year == self.baseline_year {
            why.push(format!(
                "the year is the baseline year ({}): there is no trend to judge",
                self.year
            ));
        }
        (!why.is_empty()).then(|| why.join("; "))
    }

    fn annualise(&self, value: Option<f64>, of: MonthsOf, year: i32) -> Option<f64> {
        let m = self.months(of, year);
        (m > 0 && m < 12)
            .then_some(value)
            .flatten()
            .map(|v| v * 12.0 / f64::from(m))
    }

    /// The three measures of one area.
    pub fn rows(&self, area: &AreaTargets) -> Vec<MeasureRow> {
        let judge = |of: MonthsOf,
                     actual: Option<f64>,
                     target: Option<f64>,
                     missing: Option<String>| match (
            missing,
            self.judgement(of),
            actual,
            target,
        ) {
            (Some(m), _, _, _) => (None, m),
            (None, Some(b), _, _) => (None, b),
            (None, None, Some(a), Some(t)) => (Some(a <= t + 1e-9), "judged".to_owned()),
            _ => (None, "not available".to_owned()),
        };
        let mut out = Vec::new();
        for (measure, b, a) in [
            ("asb", area.baseline.asb, area.actual.asb),
            (
                "total_crime",
                area.baseline.total_crime,
                area.actual.total_crime,
            ),
        ] {
            // An incomplete baseline year is annualised before the target is drawn from it.
            let from = self
                .annualise(Some(b), MonthsOf::PoliceUk, self.baseline_year)
                .unwrap_or(b);
            let target = if measure == "asb" {
                self.asb_target(from)
            } else {
                self.crime_target(from)
            };
            // A year without any police.uk month has no value (not zero).
            let has = |y: i32| self.months(MonthsOf::PoliceUk, y) > 0;
            let (b, a) = (
                has(self.baseline_year).then_some(b),
                has(self.year).then_some(a),
            );
            let target = b.map(|_| target);
            let missing = (b.is_none() || a.is_none()).then(|| {
                format!(
                    "no police.uk data in {}",
                    if b.is_none() {
                        self.baseline_year
                    } else {
                        self.year
                    }
                )
            });
            let (on_track, status) = judge(MonthsOf::PoliceUk, a, target, missing);
            out.push(MeasureRow {
                measure,
                months_of: MonthsOf::PoliceUk,
                baseline: b,
                baseline_annualised: self.annualise(b, MonthsOf::PoliceUk, self.baseline_year),
                actual: a,
                actual_annualised: self.annualise(a, MonthsOf::PoliceUk, self.year),
                target,
                on_track,
                status,
            });
        }
        let per_1000 = |c: &YearCounts, year: i32| -> Result<f64, String> {
            if self.months(MonthsOf::AlcoholFlag, year) == 0 {
                return Err(format!(
                    "alcohol flag not recorded in {year} (police.uk has none; load an incident log with an alcohol column)"
                ));
            }
            match area.population {
                Some(p) if p > 0.0 => Ok(c.alcohol_crime / p * 1000.0),
                _ => Err("no population loaded (import wards with --population)".into()),
            }
        };
        let (b, a) = (
            per_1000(&area.baseline, self.baseline_year),
            per_1000(&area.actual, self.year),
        );
        let missing = a.as_ref().err().or(b.as_ref().err()).cloned();
        let actual = a.ok();
        let target = self.alcohol_rate_target();
        let (on_track, status) = judge(MonthsOf::AlcoholFlag, actual, Some(target), missing);
        out.push(MeasureRow {
            measure: "alcohol_crime_per_1000",
            months_of: MonthsOf::AlcoholFlag,
            baseline: b.as_ref().ok().copied(),
            baseline_annualised: self.annualise(b.ok(), MonthsOf::AlcoholFlag, self.baseline_year),
            actual,
            actual_annualised: self.annualise(actual, MonthsOf::AlcoholFlag, self.year),
            target: Some(target),
            on_track,
            status,
        });
        out
    }

    /// The `parameters` object.
    pub fn parameters(&self) -> Value {
        let r = &self.request;
        json!({
            "baseline_year": self.baseline_year,
            "year": self.year,
            "years_note": self.years_note,
            "alcohol_baseline": r.alcohol_baseline,
            "alcohol_target": r.alcohol_target,
            "alcohol_years": r.alcohol_years,
            "asb_reduction_per_year": ASB_REDUCTION_PER_YEAR,
            "crime_reduction": CRIME_REDUCTION,
            "crime_years": CRIME_YEARS,
            "sources": {
                "asb": "police.uk rows of the ASB group (ASB reported to the police); council logs not counted",
                "total_crime": "police.uk rows of every group but ASB (recorded crime)",
                "alcohol_crime_per_1000": "rows of any source flagged alcohol-related, ASB excluded, per 1,000 residents (ward populations)",
            },
            "city": if self.areas.len() > 1 { "rows inside any ward" } else { "every row (no wards loaded)" },
        })
    }

    /// The `coverage` object: months present per year.
    pub fn coverage(&self) -> Value {
        let years: Vec<Value> = self
            .months_present
            .iter()
            .map(|(y, n)| {
                let p = self.months(MonthsOf::PoliceUk, *y);
                let a = self.months(MonthsOf::AlcoholFlag, *y);
                json!({"year": y, "months_present": n, "police_uk_months": p,
                       "alcohol_flag_months": a, "complete": p == 12})
            })
            .collect();
        json!({"years": years})
    }

    /// JSON.
    pub fn json(&self) -> Value {
        let rows: Vec<Value> = self
            .areas
            .iter()
            .flat_map(|a| {
                self.rows(a).into_iter().map(move |m| {
                    json!({
                        "code": a.code,
                        "name": a.name,
                        "population": a.population,
                        "measure": m.measure,
                        "baseline_year": self.baseline_year,
                        "baseline": m.baseline.map(round2),
                        "baseline_annualised": m.baseline_annualised.map(round2),
                        "year": self.year,
                        "actual": m.actual.map(round2),
                        "actual_annualised": m.actual_annualised.map(round2),
                        "target": m.target.map(round2),
                        "on_track": m.on_track,
                        "status": m.status,
                        "coverage": {
                            "months_of": match m.months_of {
                                MonthsOf::PoliceUk => "police.uk rows",
                                MonthsOf::AlcoholFlag => "rows with an alcohol flag",
                            },
                            "baseline_months_present": self.months(m.months_of, self.baseline_year),
                            "year_months_present": self.months(m.months_of, self.year),
                            "baseline_timed_rows": a.baseline.timed_rows,
                            "baseline_month_only_rows": a.baseline.month_only_rows,
                            "year_timed_rows": a.actual.timed_rows,
                            "year_month_only_rows": a.actual.month_only_rows,
                        },
                    })
                })
            })
            .collect();
        let judged = rows.iter().filter(|r| r["on_track"].is_boolean()).count();
        let on_track = rows.iter().filter(|r| r["on_track"] == json!(true)).count();
        json!({
            "parameters": self.parameters(),
            "summary": {
                "areas": self.areas.len(),
                "rows": rows.len(),
                "judged": judged,
                "on_track": on_track,
                "note": self.judgement(MonthsOf::PoliceUk),
                "alcohol_note": self.judgement(MonthsOf::AlcoholFlag),
            },
            "coverage": self.coverage(),
            "rows": rows,
        })
    }

    /// CSV: one row per area and measure.
    pub fn csv(&self) -> String {
        let j = self.json();
        let mut out = String::from(
            "code,name,measure,baseline_year,baseline,baseline_annualised,year,actual,actual_annualised,target,on_track,status,baseline_months_present,year_months_present,year_timed_rows,year_month_only_rows\n",
        );
        let cell = |v: &Value| match v {
            Value::Null => String::new(),
            Value::String(s) => csv_field(s),
            other => other.to_string(),
        };
        for r in j["rows"].as_array().into_iter().flatten() {
            let c = &r["coverage"];
            let fields = [
                cell(&r["code"]),
                cell(&r["name"]),
                cell(&r["measure"]),
                cell(&r["baseline_year"]),
                cell(&r["baseline"]),
                cell(&r["baseline_annualised"]),
                cell(&r["year"]),
                cell(&r["actual"]),
                cell(&r["actual_annualised"]),
                cell(&r["target"]),
                cell(&r["on_track"]),
                cell(&r["status"]),
                cell(&c["baseline_months_present"]),
                cell(&c["year_months_present"]),
                cell(&c["year_timed_rows"]),
                cell(&c["year_month_only_rows"]),
            ];
            out.push_str(&fields.join(","));
            out.push('\n');
        }
        out
    }

    /// A plain-text table.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Plan targets: baseline {} ({} months of police.uk data), year {} ({} months)",
            self.baseline_year,
            self.months(MonthsOf::PoliceUk, self.baseline_year),
            self.year,
            self.months(MonthsOf::PoliceUk, self.year)
        );
        for of in [MonthsOf::PoliceUk, MonthsOf::AlcoholFlag] {
            if let Some(note) = self.judgement(of) {
                let what = match of {
                    MonthsOf::PoliceUk => "ASB and total crime",
                    MonthsOf::AlcoholFlag => "alcohol-related crime",
                };
                let _ = writeln!(
                    out,
                    "{what} not judged: {note}. Annualised values (x12/months) are marked *."
                );
            }
        }
        let _ = writeln!(
            out,
            "{:<28} {:<24} {:>10} {:>10} {:>10} {:>9}",
            "area", "measure", "baseline", "actual", "target", "on track"
        );
        let show = |v: Option<f64>, ann: Option<f64>| match (v, ann) {
            (_, Some(a)) => format!("{a:.1}*"),
            (Some(v), None) => format!("{v:.1}"),
            (None, None) => "n/a".to_owned(),
        };
        for a in &self.areas {
            for m in self.rows(a) {
                let name: String = a.name.chars().take(28).collect();
                let _ = writeln!(
                    out,
                    "{name:<28} {:<24} {:>10} {:>10} {:>10} {:>9}",
                    m.measure,
                    show(m.baseline, m.baseline_annualised),
                    show(m.actual, m.actual_annualised),
                    m.target.map_or("n/a".to_owned(), |t| format!("{t:.1}")),
                    match m.on_track {
                        Some(true) => "yes",
                        Some(false) => "no",
                        None => "-",
                    }
                );
            }
        }
        let _ = writeln!(
            out,
            "Sources: ASB and total crime count police.uk rows (ASB reported to the police; crime excludes ASB); alcohol-related crime counts rows flagged alcohol, per 1,000 residents."
        );
        out
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}
