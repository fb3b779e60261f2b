//! Purple Flag scorecard: the standard crime and ASB KPI table for a defined night-time area
//! (a drawn polygon, a ward or a cumulative impact zone).
//!
//! Citation: ATCM Purple Flag (methods.md §7.1); the KPI shape of the Cheltenham 2020 full
//! renewal: "crime & ASB incidents reported to police within the defined Purple Flag area on
//! Friday and Saturday nights 17:00–05:00", per year, all versus alcohol-related, by category,
//! with the % trend.
//!
//! Parameters:
//! - the area, at most one of `polygon` (GeoJSON Polygon or MultiPolygon geometry, Feature or
//!   FeatureCollection of polygons, lon/lat; at most [`MAX_POLYGON_VERTICES`](super::MAX_POLYGON_VERTICES) vertices),
//!   `ward` (code or name) or `zone` (a cumulative impact zone id, resolved by a
//!   [`ZoneLookup`] the caller supplies); none = every ward together (the city), a baseline
//!   to compare an area with;
//! - `to`: month (or date, read as its month) that ends the latest 12-month period; default
//!   the latest month in the data;
//! - `from`: earliest month counted; periods that would start before it are cut at it
//!   (flagged incomplete), periods wholly before it are dropped; default none;
//! - `periods`: how many 12-month periods, 1–[`MAX_PERIODS`] (default 3); periods holding no
//!   data at all are dropped.
//!
//! Returns: [`PurpleFlagResult`], with `json()`, `html()` (printable, self-contained) and
//! `csv()` (the KPI table).
//!
//! Algorithm:
//! 1. Project the area to British National Grid; its area in km² is the planar BNG area.
//! 2. Rows inside the area: R-tree box query on the area's BNG bounding box, then point in
//!    polygon (boundary included) on BNG positions.
//! 3. For each window (`weekend-evening` = Fri/Sat nights 17:00–05:00, `evening` = every
//!    night 17:00–05:00; the night belongs to its evening's date) and each period, each timed
//!    row adds its window weight ([`crate::time::Window::weight`]: 1 or 0 for an instant, the
//!    aoristic share for a span) to its category group, and to the alcohol column when its
//!    `alcohol` flag is yes. Month-only rows (police.uk) cannot be placed on a night: they are
//!    counted as left out. The alcohol column of a period is "not recorded" (null) when none
//!    of its counted rows carries an alcohol flag at all (police.uk has none).
//! 4. % change of each cell against the previous period: (now − before) / before × 100,
//!    null when before is 0.
//! 5. Rates of each period's total: per venue inside the area, per km², and per 1,000
//!    residents, residents = Σ over wards of population × (area of ward ∩ area) / area of
//!    ward, when every ward touching the area has a population.
//! 6. Hour profile: weighted rows by the local hour of their start, 17..04, over all periods.
//! 7. Safer areas: Gi* (resolution 9, k = 1, analytic, FDR) on the `weekend-evening` window
//!    over all periods and the whole city; cold cells (bin ≤ −2) whose centre is in the area.
//!
//! Notes: O(rows in the area's box × periods × 2) after the R-tree query, plus one Gi* run.
//!
//! Example:
//! ```no_run
//! # use hotspot::query::{ParamBag, PurpleFlagRequest, run_purple_flag};
//! # fn demo(snap: &hotspot::index::Snapshot) -> Result<(), Box<dyn std::error::Error>> {
//! let mut bag = ParamBag::new([("ward", "Charles Dickens"), ("to", "2024-12")])?;
//! let request = PurpleFlagRequest::from_params(&mut bag, snap, None, None)?;
//! let result = run_purple_flag(snap, &request)?;
//! println!("{}", result.csv());
//! # Ok(()) }
//! ```

use std::fmt::Write as _;

use geo::{BoundingRect, MultiPolygon};
use h3o::Resolution;
use serde_json::{Value, json};

use super::area::{AreaError, AreaSource, StudyArea, area_weighted_residents, parse_polygon};
use super::{HotspotRequest, ParamBag, ParamError, QueryError, run_hotspots, ward_by_key};
use crate::analysis::gi_star::{GiStarOptions, Inference};
use crate::domain::{Group, Month, Wgs84};
use crate::index::{NO_TIME, Snapshot};
use crate::query::Selection;
use crate::time::{Window, WindowParams};

/// Parameter names `licensing purple-flag` accepts.
pub const PURPLE_FLAG_PARAMS: &[&str] = &["polygon", "ward", "zone", "from", "to", "periods"];
/// Most 12-month periods in one scorecard.
pub const MAX_PERIODS: u32 = 10;
/// The two windows of the scorecard, as (preset name, label).
pub const SCORECARD_WINDOWS: [(&str, &str); 2] = [
    (
        "weekend-evening",
        "Friday and Saturday nights 17:00–05:00 (the usual Purple Flag KPI)",
    ),
    ("evening", "every night 17:00–05:00 (the Purple Flag span)"),
];
/// Hours of the profile, in night order.
pub const PROFILE_HOURS: [u32; 12] = [17, 18, 19, 20, 21, 22, 23, 0, 1, 2, 3, 4];

/// Looks up a cumulative impact zone by id: its boundary in lon/lat, or a message saying why
/// not (e.g. the known ids).
pub type ZoneLookup<'a> = &'a dyn Fn(&Snapshot, &str) -> Result<MultiPolygon<f64>, String>;

/// A checked Purple Flag request.
#[derive(Debug, Clone)]
pub struct PurpleFlagRequest {
    /// The area.
    pub area: StudyArea,
    /// Earliest month counted, if any.
    pub from: Option<Month>,
    /// Last month of the latest period; `None` = the latest month in the data.
    pub to: Option<Month>,
    /// Number of 12-month periods.
    pub periods: u32,
}

fn parse_month(text: &str, parameter: &str) -> Result<Month, ParamError> {
    let t = text.trim();
    if let Ok(m) = t.parse::<Month>() {
        return Ok(m);
    }
    chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .map(Month::of)
        .map_err(|_| {
            ParamError::new(
                parameter,
                format!("{t:?} is not a month (YYYY-MM) or a date (YYYY-MM-DD)"),
            )
        })
}

impl PurpleFlagRequest {
    /// Checks raw parameters. `polygon` is an area already parsed (the CLI's
    /// `--polygon FILE`); over HTTP the `polygon` parameter carries the GeoJSON text. `zones`
    /// resolves `zone` ids; without it `zone` is refused with a message saying so.
    pub fn from_params(
        bag: &mut ParamBag,
        snap: &Snapshot,
        polygon: Option<MultiPolygon<f64>>,
        zones: Option<ZoneLookup<'_>>,
    ) -> Result<PurpleFlagRequest, ParamError> {
        let polygon_text = bag.one("polygon")?;
        let ward = bag.one("ward")?;
        let zone = bag.one("zone")?;
        let given = usize::from(polygon.is_some() || polygon_text.is_some())
            + usize::from(ward.is_some())
            + usize::from(zone.is_some());
        if given > 1 {
            return Err(ParamError::new(
                "polygon",
                format!("give one area: polygon (GeoJSON), ward or zone ({given} given)"),
            ));
        }
        let bad = |p: &str, e: AreaError| ParamError::new(p, e.to_string());
        let area = if given == 0 {
            if snap.wards.is_empty() {
                return Err(ParamError::new(
                    "polygon",
                    "give an area (polygon, ward or zone); no wards are loaded for the city-wide default",
                ));
            }
            let all = MultiPolygon(
                snap.wards
                    .iter()
                    .flat_map(|w| w.boundary.0.iter().cloned())
                    .collect(),
            );
            StudyArea::new(AreaSource::City, "the city (every ward)".into(), all)
                .map_err(|e| bad("polygon", e))?
        } else if let Some(mp) = polygon {
            StudyArea::new(AreaSource::Polygon, "drawn polygon".into(), mp)
                .map_err(|e| bad("polygon", e))?
        } else if let Some(text) = polygon_text {
            let mp = parse_polygon(&text).map_err(|e| bad("polygon", e))?;
            StudyArea::new(AreaSource::Polygon, "drawn polygon".into(), mp)
                .map_err(|e| bad("polygon", e))?
        } else if let Some(key) = ward {
            let i = ward_by_key(snap, &key, "ward")?;
            let w = &snap.wards[i];
            StudyArea::new(
                AreaSource::Ward(i),
                format!("{} ({})", w.name, w.code),
                w.boundary.clone(),
            )
            .map_err(|e| bad("ward", e))?
        } else {
            let id = zone.unwrap_or_default();
            let lookup = zones.ok_or_else(|| {
                ParamError::new(
                    "zone",
                    "cumulative impact zones are not available here; give polygon or ward",
                )
            })?;
            let mp = lookup(snap, id.trim()).map_err(|m| ParamError::new("zone", m))?;
            StudyArea::new(
                AreaSource::Zone(id.trim().to_owned()),
                id.trim().to_owned(),
                mp,
            )
            .map_err(|e| bad("zone", e))?
        };
        let from = bag
            .one("from")?
            .filter(|t| !t.trim().is_empty())
            .map(|t| parse_month(&t, "from"))
            .transpose()?;
        let to = bag
            .one("to")?
            .filter(|t| !t.trim().is_empty())
            .map(|t| parse_month(&t, "to"))
            .transpose()?;
        if let (Some(f), Some(t)) = (from, to)
            && t < f
        {
            return Err(ParamError::new("to", format!("{t} is before from: {f}")));
        }
        let periods = super::parse_in_range(
            bag.one("periods")?.as_deref(),
            "periods",
            3u32,
            1,
            MAX_PERIODS,
        )?;
        Ok(PurpleFlagRequest {
            area,
            from,
            to,
            periods,
        })
    }
}

/// All and alcohol-related counts of one cell of the KPI table.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Kpi {
    /// Weighted count of every counted row.
    pub all: f64,
    /// Weighted count of rows flagged alcohol-related.
    pub alcohol: f64,
    /// Weighted count of rows that carry an alcohol flag (yes or no).
    pub alcohol_known: f64,
}

impl Kpi {
    fn add(&mut self, w: f64, alcohol: Option<bool>) {
        self.all += w;
        if let Some(a) = alcohol {
            self.alcohol_known += w;
            if a {
                self.alcohol += w;
            }
        }
    }

    /// The alcohol count, or `None` ("not recorded") when no row of this cell carries a flag
    /// (the outputs decide per period: see [`PurpleFlagResult::json`]).
    pub fn alcohol_value(&self) -> Option<f64> {
        (self.alcohol_known > 0.0).then_some(self.alcohol)
    }
}

/// One 12-month period of one window.
#[derive(Debug, Clone)]
pub struct PeriodKpi {
    /// First month counted.
    pub from: Month,
    /// Last month.
    pub to: Month,
    /// Months the period spans (12, fewer when cut by `from`).
    pub months_spanned: u32,
    /// Months of the period with any row in the store.
    pub months_present: u32,
    /// All groups together.
    pub total: Kpi,
    /// Per group, in [`Group::ALL`] order.
    pub groups: [Kpi; 7],
    /// Month-only rows in the area and period, left out (no night can be told).
    pub left_out_month_only: usize,
}

impl PeriodKpi {
    /// Whether all 12 months are spanned and present.
    pub fn complete(&self) -> bool {
        self.months_spanned == 12 && self.months_present == 12
    }
}

/// The KPI table of one window.
#[derive(Debug, Clone)]
pub struct WindowKpi {
    /// Preset name.
    pub preset: &'static str,
    /// Description.
    pub label: &'static str,
    /// Periods, oldest first.
    pub periods: Vec<PeriodKpi>,
    /// Weighted rows by start hour, in [`PROFILE_HOURS`] order, over all periods.
    pub hour_profile: [f64; 12],
}

/// A Gi* cold cell in the area.
#[derive(Debug, Clone, PartialEq)]
pub struct SaferCell {
    /// H3 cell.
    pub cell: h3o::CellIndex,
    /// Weighted count.
    pub count: f64,
    /// Gi* z.
    pub z: f64,
    /// Gi* p.
    pub p: f64,
    /// Bin −3..−2.
    pub bin: i8,
}

/// The scorecard.
#[derive(Debug, Clone)]
pub struct PurpleFlagResult {
    /// The request.
    pub request: PurpleFlagRequest,
    /// Last month of the latest period (resolved).
    pub to: Month,
    /// The two windows' tables.
    pub windows: Vec<WindowKpi>,
    /// Venues inside the area.
    pub venues: usize,
    /// Area-weighted residents, when populations cover every ward the area touches.
    pub residents: Option<f64>,
    /// Why residents are unknown, if they are.
    pub residents_note: Option<String>,
    /// Rows inside the area over the periods: timed and month-only.
    pub timed_rows: usize,
    /// Month-only rows inside the area over the periods.
    pub month_only_rows: usize,
    /// Months with any row in the store, over the periods.
    pub months_present: Vec<Month>,
    /// Gi* cold cells in the area (weekend-evening window).
    pub safer: Vec<SaferCell>,
    /// Why there are no safer cells to show, when Gi* could not run.
    pub safer_note: Option<String>,
}

/// The periods, oldest first: (first month, last month).
fn period_bounds(to: Month, periods: u32, from: Option<Month>) -> Vec<(Month, Month)> {
    let mut out = Vec::new();
    for k in 0..periods as i32 {
        let (Some(last), Some(mut first)) = (to.plus(-12 * k), to.plus(-12 * k - 11)) else {
            break;
        };
        if let Some(f) = from {
            if last < f {
                break;
            }
            if first < f {
                first = f;
            }
        }
        out.push((first, last));
    }
    out.reverse();
    out
}

fn window(preset: &str, first: Month, last: Month) -> Result<Window, QueryError> {
    Window::parse(
        &WindowParams {
            from: Some(first.to_string()),
            to: Some(last.to_string()),
            preset: Some(preset.to_owned()),
            ..WindowParams::default()
        },
        None,
    )
    .map_err(|e| QueryError::Param(e.into()))
}

/// % change from `before` to `now`; `None` when `before` is 0.
pub fn change_pct(before: f64, now: f64) -> Option<f64> {
    (before > 0.0).then(|| (now - before) / before * 100.0)
}

/// Runs the scorecard.
pub fn run_purple_flag(
    snap: &Snapshot,
    request: &PurpleFlagRequest,
) -> Result<PurpleFlagResult, QueryError> {
    let t = &snap.incidents;
    if t.is_empty() {
        return Err(QueryError::Empty(
            "no incidents are stored: ingest some first (hotspot ingest ...)".into(),
        ));
    }
    let latest = t
        .month
        .iter()
        .copied()
        .max()
        .ok_or_else(|| QueryError::Empty("no incidents are stored".into()))?;
    let earliest = t.month.iter().copied().min().unwrap_or(latest);
    let to = request.to.unwrap_or(latest);
    let mut data_months: Vec<Month> = t.month.clone();
    data_months.sort_unstable();
    data_months.dedup();
    let mut bounds = period_bounds(to, request.periods, request.from);
    bounds.retain(|(a, b)| data_months.iter().any(|m| m >= a && m <= b));
    let (Some(&(span_from, _)), Some(&(_, span_to))) = (bounds.first(), bounds.last()) else {
        return Err(QueryError::Empty(format!(
            "the data cover {earliest}..{latest}: no 12-month period ending {to} holds any of it"
        )));
    };
    // Months present in the store (any row, any place) over the span.
    let mut present = vec![false; (span_to.index() - span_from.index() + 1) as usize];
    for m in &t.month {
        if *m >= span_from && *m <= span_to {
            present[(m.index() - span_from.index()) as usize] = true;
        }
    }
    let months_present: Vec<Month> = present
        .iter()
        .enumerate()
        .filter(|(_, p)| **p)
        .filter_map(|(i, _)| span_from.plus(i as i32))
        .collect();
    // Rows in the area (step 2).
    let rect = request
        .area
        .bng
        .bounding_rect()
        .ok_or_else(|| QueryError::Param(ParamError::new("polygon", "the area is empty")))?;
    let mut rows: Vec<u32> = snap
        .in_box_m([rect.min().x, rect.min().y], [rect.max().x, rect.max().y])
        .filter(|&r| request.area.contains_bng(t.xy[r as usize]))
        .collect();
    rows.sort_unstable();
    let (mut timed_rows, mut month_only_rows) = (0, 0);
    for &r in &rows {
        let m = t.month[r as usize];
        if m >= span_from && m <= span_to {
            if t.start_min[r as usize] == NO_TIME {
                month_only_rows += 1;
            } else {
                timed_rows += 1;
            }
        }
    }
    let mut windows = Vec::new();
    for (preset, label) in SCORECARD_WINDOWS {
        let mut periods = Vec::new();
        let mut hour_profile = [0.0; 12];
        for &(first, last) in &bounds {
            let w = window(preset, first, last)?;
            let mut p = PeriodKpi {
                from: first,
                to: last,
                months_spanned: (last.index() - first.index() + 1) as u32,
                months_present: months_present
                    .iter()
                    .filter(|m| **m >= first && **m <= last)
                    .count() as u32,
                total: Kpi::default(),
                groups: [Kpi::default(); 7],
                left_out_month_only: 0,
            };
            for &r in &rows {
                let i = r as usize;
                if t.start_min[i] == NO_TIME {
                    if t.month[i] >= first && t.month[i] <= last {
                        p.left_out_month_only += 1;
                    }
                    continue;
                }
                let weight = w.weight(t.start_min[i], t.end_min[i]);
                if weight <= 0.0 {
                    continue;
                }
                p.total.add(weight, t.alcohol[i]);
                p.groups[t.group[i] as usize].add(weight, t.alcohol[i]);
                let hour = t.start_min[i].rem_euclid(1440) / 60;
                if let Some(h) = PROFILE_HOURS.iter().position(|&x| i64::from(x) == hour) {
                    hour_profile[h] += weight;
                }
            }
            periods.push(p);
        }
        windows.push(WindowKpi {
            preset,
            label,
            periods,
            hour_profile,
        });
    }
    let venues = snap
        .venues
        .iter()
        .filter(|v| {
            v.location
                .to_bng()
                .is_ok_and(|b| request.area.contains_bng(b.xy()))
        })
        .count();
    let (residents, residents_note) = match area_weighted_residents(snap, &request.area) {
        Ok(r) => (Some(r), None),
        Err(note) => (None, Some(note)),
    };
    let (safer, safer_note) = match safer_cells(snap, &request.area, span_from, span_to) {
        Ok(cells) => (cells, None),
        Err(e) => (Vec::new(), Some(e.to_string())),
    };
    Ok(PurpleFlagResult {
        request: request.clone(),
        to,
        windows,
        venues,
        residents,
        residents_note,
        timed_rows,
        month_only_rows,
        months_present,
        safer,
        safer_note,
    })
}

/// Step 7: Gi* cold cells (bin ≤ −2) of the weekend-evening window whose centre is in the area.
fn safer_cells(
    snap: &Snapshot,
    area: &StudyArea,
    from: Month,
    to: Month,
) -> Result<Vec<SaferCell>, QueryError> {
    let request = HotspotRequest {
        selection: Selection {
            window: window("weekend-evening", from, to)?,
            wards: Vec::new(),
            categories: Vec::new(),
        },
        resolution: Some(Resolution::Nine),
        k: 1,
        gi: GiStarOptions {
            permutations: 0,
            fdr: true,
            inference: Inference::Analytic,
            ..GiStarOptions::default()
        },
    };
    let res = run_hotspots(snap, &request)?;
    let mut out = Vec::new();
    for ((cell, count), gi) in res
        .counts
        .cells
        .iter()
        .zip(&res.counts.counts)
        .zip(&res.gi.cells)
    {
        if gi.bin > -2 {
            continue;
        }
        let ll = h3o::LatLng::from(*cell);
        let inside = Wgs84::new(ll.lng(), ll.lat())
            .and_then(Wgs84::to_bng)
            .is_ok_and(|b| area.contains_bng(b.xy()));
        if inside {
            out.push(SaferCell {
                cell: *cell,
                count: *count,
                z: gi.z,
                p: gi.p,
                bin: gi.bin,
            });
        }
    }
    Ok(out)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn opt(x: Option<f64>) -> Value {
    x.map_or(Value::Null, |v| json!(round2(v)))
}

impl PurpleFlagResult {
    /// Rates of a total: per venue, per km², per 1,000 residents.
    pub fn rates(&self, total: f64) -> (Option<f64>, f64, Option<f64>) {
        let per_venue = (self.venues > 0).then(|| total / self.venues as f64);
        let per_km2 = total / self.request.area.area_km2;
        let per_1000 = self
            .residents
            .filter(|r| *r > 0.0)
            .map(|r| total / r * 1000.0);
        (per_venue, per_km2, per_1000)
    }

    /// The `parameters` object.
    pub fn parameters(&self) -> Value {
        let a = &self.request.area;
        let (kind, id) = match &a.source {
            AreaSource::Polygon => ("polygon", Value::Null),
            AreaSource::Ward(_) => ("ward", json!(a.label)),
            AreaSource::Zone(z) => ("zone", json!(z)),
            AreaSource::City => ("city", Value::Null),
        };
        json!({
            "area": {"kind": kind, "id": id, "label": a.label, "area_km2": super::round6(a.area_km2)},
            "from": self.request.from.map(|m| m.to_string()),
            "to": self.to.to_string(),
            "periods": self.request.periods,
            "windows": SCORECARD_WINDOWS.iter().map(|(p, l)| json!({"preset": p, "label": l})).collect::<Vec<_>>(),
            "alcohol": "rows whose alcohol flag is yes; \"not recorded\" (null) when no counted row carries the flag (police.uk has none)",
            "safer_areas": "Gi* cold cells (bin <= -2), resolution 9, k 1, analytic p, FDR, weekend-evening window, whole city",
        })
    }

    /// The `summary` object.
    pub fn summary(&self) -> Value {
        json!({
            "venues": self.venues,
            "area_km2": super::round6(self.request.area.area_km2),
            "residents": self.residents.map(round2),
            "residents_note": self.residents_note,
            "safer_cells": self.safer.len(),
        })
    }

    /// The `coverage` object.
    pub fn coverage(&self) -> Value {
        json!({
            "months_present": self.months_present.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "timed_rows": self.timed_rows,
            "month_only_rows": self.month_only_rows,
            "note": "month-only rows (police.uk) cannot be placed on a night of the week: they are left out of both windows and counted here",
        })
    }

    fn period_json(&self, w: &WindowKpi, k: usize) -> Value {
        let p = &w.periods[k];
        let prev = k.checked_sub(1).map(|j| &w.periods[j]);
        // The flag is recorded in a period when any counted row of it carries one; a group with
        // no rows then shows 0, not "not recorded".
        let recorded_now = p.total.alcohol_known > 0.0;
        let recorded_before = prev.is_some_and(|q| q.total.alcohol_known > 0.0);
        let cell = |now: &Kpi, before: Option<&Kpi>| {
            let alcohol = recorded_now.then_some(now.alcohol);
            json!({
                "all": round2(now.all),
                "alcohol": opt(alcohol),
                "alcohol_status": if alcohol.is_some() { "recorded" } else { "not recorded" },
                "change_pct_all": opt(before.and_then(|b| change_pct(b.all, now.all))),
                "change_pct_alcohol": opt(before.and_then(|b| match (recorded_before, alcohol) {
                    (true, Some(y)) => change_pct(b.alcohol, y),
                    _ => None,
                })),
            })
        };
        let (per_venue, per_km2, per_1000) = self.rates(p.total.all);
        let groups: Vec<Value> = Group::ALL
            .iter()
            .enumerate()
            .map(|(g, group)| {
                let mut v = cell(&p.groups[g], prev.map(|q| &q.groups[g]));
                v["group"] = json!(group.slug());
                v
            })
            .collect();
        json!({
            "from": p.from.to_string(),
            "to": p.to.to_string(),
            "months_spanned": p.months_spanned,
            "months_present": p.months_present,
            "complete": p.complete(),
            "left_out_month_only": p.left_out_month_only,
            "total": cell(&p.total, prev.map(|q| &q.total)),
            "groups": groups,
            "rates": {
                "per_venue": opt(per_venue),
                "per_km2": round2(per_km2),
                "per_1000_residents": opt(per_1000),
            },
        })
    }

    /// JSON: `parameters`, `summary`, `coverage`, `kpi` (per window), `hour_profile`,
    /// `safer_areas`.
    pub fn json(&self) -> Value {
        let mut kpi = serde_json::Map::new();
        let mut profile = serde_json::Map::new();
        for w in &self.windows {
            let periods: Vec<Value> = (0..w.periods.len())
                .map(|k| self.period_json(w, k))
                .collect();
            kpi.insert(
                w.preset.to_owned(),
                json!({"label": w.label, "periods": periods}),
            );
            profile.insert(
                w.preset.to_owned(),
                PROFILE_HOURS
                    .iter()
                    .zip(&w.hour_profile)
                    .map(|(h, c)| json!({"hour": h, "count": round2(*c)}))
                    .collect(),
            );
        }
        let cells: Vec<Value> = self
            .safer
            .iter()
            .map(|c| {
                let ll = h3o::LatLng::from(c.cell);
                json!({"cell": c.cell.to_string(), "lat": super::round6(ll.lat()), "lon": super::round6(ll.lng()),
                       "count": round2(c.count), "z": super::round6(c.z), "p": c.p, "bin": c.bin})
            })
            .collect();
        json!({
            "parameters": self.parameters(),
            "summary": self.summary(),
            "coverage": self.coverage(),
            "kpi": kpi,
            "hour_profile": profile,
            "safer_areas": {"cells": cells, "note": self.safer_note},
        })
    }

    /// CSV of the KPI table: one row per window, period and category (groups, then `all`).
    pub fn csv(&self) -> String {
        let mut out = String::from(
            "window,period_from,period_to,months_present,complete,category,all,alcohol,change_pct_all,change_pct_alcohol,left_out_month_only\n",
        );
        let num = |v: &Value| match v {
            Value::Null => String::new(),
            other => other.to_string(),
        };
        for w in &self.windows {
            for k in 0..w.periods.len() {
                let p = self.period_json(w, k);
                let mut lines: Vec<(String, &Value)> = p["groups"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|g| (g["group"].as_str().unwrap_or_default().to_owned(), g))
                    .collect();
                lines.push(("all".to_owned(), &p["total"]));
                for (name, c) in lines {
                    let alcohol = if c["alcohol"].is_null() {
                        "not recorded".to_owned()
                    } else {
                        num(&c["alcohol"])
                    };
                    let _ = writeln!(
                        out,
                        "{},{},{},{},{},{name},{},{alcohol},{},{},{}",
                        w.preset,
                        p["from"].as_str().unwrap_or_default(),
                        p["to"].as_str().unwrap_or_default(),
                        p["months_present"],
                        p["complete"],
                        num(&c["all"]),
                        num(&c["change_pct_all"]),
                        num(&c["change_pct_alcohol"]),
                        p["left_out_month_only"],
                    );
                }
            }
        }
        out
    }

    /// A printable, self-contained HTML page.
    pub fn html(&self) -> String {
        let j = self.json();
        let mut h = String::new();
        let _ = write!(
            h,
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Purple Flag scorecard: {}</title>\
             <style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse;margin:1em 0}}\
             th,td{{border:1px solid #999;padding:.25em .5em;text-align:right}}th:first-child,td:first-child{{text-align:left}}\
             .note{{color:#555}}@media print{{body{{margin:0}}}}</style></head><body>",
            esc(&self.request.area.label)
        );
        let _ = write!(
            h,
            "<h1>Purple Flag scorecard</h1><p>Area: <b>{}</b>, {:.3} km², {} licensed venues{}.</p>",
            esc(&self.request.area.label),
            self.request.area.area_km2,
            self.venues,
            self.residents
                .map(|r| format!(", about {r:.0} residents (area-weighted)"))
                .unwrap_or_default()
        );
        let _ = write!(
            h,
            "<p class=\"note\">Data coverage: {} months present ({}); {} timed rows and {} month-only rows in the area. Month-only rows (police.uk) cannot be placed on a night and are left out of both tables. Alcohol-related: \"not recorded\" where the data carry no alcohol flag.</p>",
            self.months_present.len(),
            esc(&self
                .months_present
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")),
            self.timed_rows,
            self.month_only_rows
        );
        for w in &self.windows {
            let periods = j["kpi"][w.preset]["periods"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let _ = write!(
                h,
                "<h2>{}</h2><table><thead><tr><th>Category</th>",
                esc(w.label)
            );
            for p in &periods {
                let _ = write!(
                    h,
                    "<th colspan=\"2\">{}..{}{}</th><th>% change</th>",
                    p["from"].as_str().unwrap_or_default(),
                    p["to"].as_str().unwrap_or_default(),
                    if p["complete"] == json!(true) {
                        ""
                    } else {
                        " (incomplete)"
                    }
                );
            }
            h.push_str("</tr><tr><th></th>");
            for _ in &periods {
                h.push_str("<th>all</th><th>alcohol</th><th>all</th>");
            }
            h.push_str("</tr></thead><tbody>");
            let mut names: Vec<String> = Group::ALL.iter().map(|g| g.slug().to_owned()).collect();
            names.push("all crime and ASB".into());
            for (gi, name) in names.iter().enumerate() {
                let _ = write!(h, "<tr><td>{}</td>", esc(name));
                for p in &periods {
                    let c = if gi < Group::ALL.len() {
                        &p["groups"][gi]
                    } else {
                        &p["total"]
                    };
                    let alcohol = if c["alcohol"].is_null() {
                        "not recorded".to_owned()
                    } else {
                        c["alcohol"].to_string()
                    };
                    let change = if c["change_pct_all"].is_null() {
                        "–".to_owned()
                    } else {
                        format!("{}%", c["change_pct_all"])
                    };
                    let _ = write!(
                        h,
                        "<td>{}</td><td>{alcohol}</td><td>{change}</td>",
                        c["all"]
                    );
                }
                h.push_str("</tr>");
            }
            h.push_str("<tr><td>per venue / per km² / per 1,000 residents</td>");
            for p in &periods {
                let r = &p["rates"];
                let show = |v: &Value| {
                    if v.is_null() {
                        "–".to_owned()
                    } else {
                        v.to_string()
                    }
                };
                let _ = write!(
                    h,
                    "<td colspan=\"3\">{} / {} / {}</td>",
                    show(&r["per_venue"]),
                    show(&r["per_km2"]),
                    show(&r["per_1000_residents"])
                );
            }
            h.push_str("</tr></tbody></table>");
            h.push_str("<p>Hour profile (all periods): ");
            let parts: Vec<String> = PROFILE_HOURS
                .iter()
                .zip(&w.hour_profile)
                .map(|(hr, c)| format!("{hr:02}h {}", round2(*c)))
                .collect();
            h.push_str(&esc(&parts.join(", ")));
            h.push_str("</p>");
        }
        h.push_str("<h2>Safer areas (Gi* cold spots, Friday and Saturday nights)</h2>");
        if let Some(note) = &self.safer_note {
            let _ = write!(h, "<p class=\"note\">Not available: {}</p>", esc(note));
        } else if self.safer.is_empty() {
            h.push_str("<p>No cold cells (bin ≤ −2) inside the area.</p>");
        } else {
            h.push_str("<table><tr><th>H3 cell</th><th>count</th><th>z</th><th>bin</th></tr>");
            for c in &self.safer {
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td>{:.2}</td><td>{}</td></tr>",
                    c.cell,
                    round2(c.count),
                    c.z,
                    c.bin
                );
            }
            h.push_str("</table>");
        }
        h.push_str("</body></html>\n");
        h
    }
}

/// Escapes text for HTML.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_count_back_from_to_and_cut_at_from() {
        let m = |s: &str| s.parse::<Month>().unwrap();
        assert_eq!(
            period_bounds(m("2024-12"), 3, None),
            vec![
                (m("2022-01"), m("2022-12")),
                (m("2023-01"), m("2023-12")),
                (m("2024-01"), m("2024-12"))
            ]
        );
        assert_eq!(
            period_bounds(m("2024-12"), 3, Some(m("2023-06"))),
            vec![(m("2023-06"), m("2023-12")), (m("2024-01"), m("2024-12"))]
        );
    }

    #[test]
    fn change_is_relative_to_the_earlier_period() {
        assert_eq!(change_pct(40.0, 30.0), Some(-25.0));
        assert_eq!(change_pct(0.0, 3.0), None);
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(esc("<a&'\">"), "&lt;a&amp;&#39;&quot;&gt;");
    }
}
