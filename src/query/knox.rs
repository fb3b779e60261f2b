//! Near repeats end to end: selection → dated events → Knox test → table, global test,
//! narrative and near-repeat alerts.
//!
//! Equivalent to Ratcliffe's Near Repeat Calculator, with left-closed `[a, b)` bands in space
//! and time (the NRC's off-by-one avoided; methods.md §5.3) and one global test.
//!
//! Steps:
//! 1. Select incidents (window, wards, categories). Rows with only a month (police.uk) have no
//!    day and are left out, and the summary says how many; with no dated row left the request
//!    fails (exit 2 / 400) naming how many rows lack a date.
//! 2. Each dated row becomes an event at its BNG position on the local day its time (or the
//!    start of its from–to span) falls on.
//! 3. Run [`crate::analysis::knox::knox`].
//! 4. Near-repeat alerts, only when the global test is significant (p < 0.05): the near cells
//!    whose Westfall–Young adjusted p is below 0.05 and ratio above 1 give the risk radius (the
//!    largest of their space bands' upper edges) and risk period (the largest of their time
//!    bands' upper edges, `D` days). Each incident on day `d` with `d + D` after the end of the
//!    window (the window's `to`, else the last event's day) raises the risk within that radius
//!    on days `d` to `d + D − 1`; the latest [`MAX_ALERTS`] are listed.
//!
//! Formats: `json` (table, global test, narrative, alerts), `table` (text), `geojson` (the
//! alerts as Point features with `radius_m`, `from`, `until`, `incident`; top-level
//! `parameters`, `summary` and `knox`).

use serde_json::{Value, json};

use super::{
    ParamBag, ParamError, QueryError, RawSelection, Selected, Selection, parse_in_range, round6,
    split_list,
};
use crate::analysis::knox::{Band, KnoxConfig, KnoxEvent, KnoxResult, knox};
use crate::index::{NO_TIME, Snapshot};
use crate::time::EventCalendar;
use crate::time::local::{date_of_day, day_number};

/// Parameter names `knox` accepts (besides the selection's).
pub const KNOX_PARAMS: &[&str] = &["space-bands-m", "time-bands-days", "permutations", "seed"];

/// Most alerts listed.
pub const MAX_ALERTS: usize = 500;

/// Significance level of the global test and of the cells that make alerts.
pub const ALERT_ALPHA: f64 = 0.05;

const MINUTES_PER_DAY: i64 = 1_440;

/// A checked Knox request.
#[derive(Debug, Clone)]
pub struct KnoxRequest {
    /// Which incidents.
    pub selection: Selection,
    /// Bands, permutations, seed.
    pub config: KnoxConfig,
}

fn list<T: std::str::FromStr + Clone>(
    bag: &mut ParamBag,
    name: &str,
    default: &[T],
    what: &str,
) -> Result<Vec<T>, ParamError> {
    let values = split_list(&bag.all(name), name)?;
    if values.is_empty() {
        return Ok(default.to_vec());
    }
    values
        .iter()
        .map(|v| {
            v.parse::<T>()
                .map_err(|_| ParamError::new(name, format!("{v:?} is not {what}")))
        })
        .collect()
}

impl KnoxRequest {
    /// Checks raw parameters.
    pub fn from_params(
        bag: &mut ParamBag,
        snap: &Snapshot,
        events: Option<&EventCalendar>,
    ) -> Result<KnoxRequest, ParamError> {
        let selection = RawSelection::take(bag)?.check(snap, events)?;
        let space_bands_m = list(
            bag,
            "space-bands-m",
            &[100.0, 200.0, 300.0, 400.0],
            "a number of metres",
        )?;
        let time_bands_days = list(
            bag,
            "time-bands-days",
            &[7, 14, 21, 28],
            "a whole number of days",
        )?;
        let permutations = parse_in_range(
            bag.one("permutations")?.as_deref(),
            "permutations",
            999,
            0,
            9_999,
        )?;
        let seed = parse_in_range(bag.one("seed")?.as_deref(), "seed", 1, 0, u64::MAX)?;
        let config = KnoxConfig {
            space_bands_m,
            time_bands_days,
            permutations,
            seed,
        };
        // Check the bands now, so a bad band is a parameter error naming it.
        if let Err(crate::analysis::knox::KnoxError::Bands { which, why }) = knox(&[], &config) {
            return Err(ParamError::new(which, why));
        }
        Ok(KnoxRequest { selection, config })
    }
}

/// One near-repeat alert.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// The incident's row in the snapshot.
    pub row: u32,
    /// Its day number.
    pub day: i64,
    /// Radius at raised risk, metres.
    pub radius_m: f64,
    /// Days at raised risk from the incident's day (`day` .. `day + days − 1`).
    pub days: u32,
}

/// The result of a Knox run.
#[derive(Debug, Clone)]
pub struct KnoxRun {
    /// The request.
    pub request: KnoxRequest,
    /// Selection outcome.
    pub selected: Selected,
    /// Selected rows without a day (month-only), left out.
    pub undated: usize,
    /// The test.
    pub knox: KnoxResult,
    /// Day the alerts are measured from (window end or last event).
    pub end_day: i64,
    /// Alerts, latest first.
    pub alerts: Vec<Alert>,
    /// Whether the alert list was cut at [`MAX_ALERTS`].
    pub alerts_truncated: bool,
}

/// Runs the analysis.
pub fn run_knox(snap: &Snapshot, request: &KnoxRequest) -> Result<KnoxRun, QueryError> {
    let selected = request.selection.apply(snap);
    let t = &snap.incidents;
    let mut rows = Vec::new();
    let mut events = Vec::new();
    let mut undated = 0;
    for &row in &selected.rows {
        let i = row as usize;
        if t.start_min[i] == NO_TIME {
            undated += 1;
            continue;
        }
        rows.push(row);
        events.push(KnoxEvent {
            xy: t.xy[i],
            day: t.start_min[i].div_euclid(MINUTES_PER_DAY),
        });
    }
    if events.len() < 2 {
        if selected.rows.is_empty() && selected.left_out_month_only == 0 {
            return Err(QueryError::Empty(super::why_empty(
                snap,
                &request.selection,
                &selected,
            )));
        }
        let lacking = undated + selected.left_out_month_only;
        return Err(QueryError::Empty(format!(
            "the Knox test needs dates: {lacking} selected rows have only a month (police.uk publishes no day) and {} have a date; at least 2 dated incidents are needed (ingest an incident log with dates)",
            events.len()
        )));
    }
    let result = knox(&events, &request.config)?;
    let last_day = events.iter().map(|e| e.day).max().unwrap_or_default();
    let end_day = request.selection.window.to().map_or(last_day, day_number);
    let (mut alerts, mut alerts_truncated) = (Vec::new(), false);
    if let Some((radius_m, days)) = risk(&result) {
        let mut live: Vec<(i64, u32)> = events
            .iter()
            .zip(&rows)
            .filter(|(e, _)| e.day <= end_day && e.day + i64::from(days) > end_day)
            .map(|(e, &r)| (e.day, r))
            .collect();
        live.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        alerts_truncated = live.len() > MAX_ALERTS;
        alerts = live
            .into_iter()
            .take(MAX_ALERTS)
            .map(|(day, row)| Alert {
                row,
                day,
                radius_m,
                days,
            })
            .collect();
    }
    Ok(KnoxRun {
        request: request.clone(),
        selected,
        undated,
        knox: result,
        end_day,
        alerts,
        alerts_truncated,
    })
}

/// Radius (m) and days at raised risk, when the global test is significant.
fn risk(r: &KnoxResult) -> Option<(f64, u32)> {
    if r.global.as_ref()?.p >= ALERT_ALPHA {
        return None;
    }
    let hot: Vec<_> = r
        .cells
        .iter()
        .filter(|c| {
            c.near
                && c.p_adjusted.is_some_and(|p| p < ALERT_ALPHA)
                && c.ratio.is_some_and(|q| q > 1.0)
        })
        .collect();
    let radius = hot
        .iter()
        .filter_map(|c| r.space_bands[c.space].upper)
        .fold(None, |m: Option<f64>, u| Some(m.map_or(u, |m| m.max(u))))?;
    let days = hot
        .iter()
        .filter_map(|c| r.time_bands[c.time].upper)
        .fold(0.0, f64::max);
    Some((radius, days as u32))
}

/// A space band in words.
fn space_words(b: &Band) -> String {
    match b.upper {
        Some(u) if b.lower == 0.0 => format!("the same location (under {u} m)"),
        Some(u) if b.lower < 1.0 => format!("0 to {u} m"),
        Some(u) => format!("{} to {u} m", b.lower),
        None => format!("{} m or more", b.lower),
    }
}

/// A time band in words (whole-day gaps: `[a, b)` is a to b − 1 days).
fn time_words(b: &Band) -> String {
    match b.upper {
        Some(u) => format!("{} to {} days", b.lower, u - 1.0),
        None => format!("{} days or more", b.lower),
    }
}

fn date_text(day: i64) -> String {
    date_of_day(day).map_or_else(|| day.to_string(), |d| d.to_string())
}

impl KnoxRun {
    /// The `parameters` object.
    pub fn parameters(&self, snap: &Snapshot) -> Value {
        let mut p = self.request.selection.parameters(snap);
        let c = &self.request.config;
        p["space_bands_m"] = json!(c.space_bands_m);
        p["time_bands_days"] = json!(c.time_bands_days);
        p["permutations"] = json!(c.permutations);
        p["seed"] = json!(c.seed);
        p["distance"] = json!("Euclidean, British National Grid metres");
        p["band_convention"] = json!(
            "left-closed, right-open [a, b) in space and in days; same location = [0, 0.001) m; time gaps in whole local days (an incident's day is its time's, or its span's start); the NRC counts its band 'a to b' as [a-1, b), this does not"
        );
        p["expected"] = json!(if c.permutations == 0 {
            "row total × column total / all pairs (Knox 1964)"
        } else {
            "mean of the simulations (dates permuted over fixed locations)"
        });
        p
    }

    /// The `summary` object.
    pub fn summary(&self) -> Value {
        json!({
            "events": self.knox.events,
            "pairs": self.knox.total_pairs,
            "near_pairs": self.knox.near_pairs,
            "left_out_month_only": self.undated + self.selected.left_out_month_only,
            "global_p": self.knox.global.as_ref().map(|g| g.p),
            "alerts": self.alerts.len(),
            "alerts_truncated": self.alerts_truncated,
            "end_date": date_text(self.end_day),
        })
    }

    /// The table, the global test and the narrative.
    pub fn knox_json(&self) -> Value {
        let r = &self.knox;
        let band = |b: &Band, words: String| json!({"lower": b.lower, "upper": b.upper, "interval": b.interval(), "label": words});
        json!({
            "space_bands_m": r.space_bands.iter().map(|b| band(b, space_words(b))).collect::<Vec<_>>(),
            "time_bands_days": r.time_bands.iter().map(|b| band(b, time_words(b))).collect::<Vec<_>>(),
            "cells": r.cells.iter().map(|c| json!({
                "space": c.space,
                "time": c.time,
                "space_interval_m": r.space_bands[c.space].interval(),
                "time_interval_days": r.time_bands[c.time].interval(),
                "observed": c.observed,
                "expected": c.expected,
                "ratio": c.ratio,
                "p": c.p,
                "p_adjusted": c.p_adjusted,
                "near": c.near,
            })).collect::<Vec<_>>(),
            "global": r.global,
            "narrative": self.narrative(),
        })
    }

    /// Plain-language sentences, like the NRC's summary.
    pub fn narrative(&self) -> Vec<String> {
        let r = &self.knox;
        let mut out = Vec::new();
        match &r.global {
            None => out.push(format!(
                "No permutations were run, so no significance is claimed; {} pairs of {} incidents were cross-tabulated.",
                r.total_pairs, r.events
            )),
            Some(g) if g.p < ALERT_ALPHA => out.push(format!(
                "Near repeats: incidents close in space and time are more common than if their dates were random (global max-T test over the near bands, p = {:.4}).",
                g.p
            )),
            Some(g) => out.push(format!(
                "No near-repeat pattern: the global test over the near bands is not significant (p = {:.4}); any single band below p = 0.05 is within what chance gives when many bands are looked at.",
                g.p
            )),
        }
        for c in &r.cells {
            let (Some(p), Some(q)) = (c.p, c.ratio) else {
                continue;
            };
            if !c.near || p >= ALERT_ALPHA || q <= 1.0 {
                continue;
            }
            out.push(format!(
                "Within {} and {} of an incident, another incident is about {:.0} % more likely than if timing were random (Knox ratio {:.2}, p = {:.4}{}).",
                space_words(&r.space_bands[c.space]),
                time_words(&r.time_bands[c.time]),
                (q - 1.0) * 100.0,
                q,
                p,
                c.p_adjusted
                    .map(|a| format!(", adjusted for all near bands p = {a:.4}"))
                    .unwrap_or_default()
            ));
        }
        if let Some(a) = self.alerts.first() {
            out.push(format!(
                "{} recent incidents put places within {} m at raised risk for {} days from their date (to {}).",
                self.alerts.len(),
                a.radius_m,
                a.days,
                date_text(self.end_day)
            ));
        }
        out
    }

    fn alert_features(&self, snap: &Snapshot) -> Vec<Value> {
        let t = &snap.incidents;
        self.alerts
            .iter()
            .map(|a| {
                let i = a.row as usize;
                json!({
                    "type": "Feature",
                    "id": t.id[i],
                    "geometry": {"type": "Point", "coordinates": [round6(t.lonlat[i][0]), round6(t.lonlat[i][1])]},
                    "properties": {
                        "incident": t.id[i],
                        "category": t.group[i].slug(),
                        "date": date_text(a.day),
                        "radius_m": a.radius_m,
                        "from": date_text(a.day),
                        "until": date_text(a.day + i64::from(a.days) - 1),
                        "days": a.days,
                    },
                })
            })
            .collect()
    }

    /// JSON.
    pub fn json(&self, snap: &Snapshot) -> Value {
        let alerts: Vec<Value> = self
            .alert_features(snap)
            .into_iter()
            .map(|f| {
                let mut p = f["properties"].clone();
                p["lon"] = f["geometry"]["coordinates"][0].clone();
                p["lat"] = f["geometry"]["coordinates"][1].clone();
                p
            })
            .collect();
        json!({
            "parameters": self.parameters(snap),
            "summary": self.summary(),
            "knox": self.knox_json(),
            "alerts": alerts,
        })
    }

    /// GeoJSON: the alerts as points.
    pub fn geojson(&self, snap: &Snapshot) -> Value {
        json!({
            "type": "FeatureCollection",
            "parameters": self.parameters(snap),
            "summary": self.summary(),
            "knox": self.knox_json(),
            "features": self.alert_features(snap),
        })
    }

    /// A text table: Knox ratio per cell, `*` p < 0.05, `**` p < 0.01, `***` p < 0.001.
    pub fn table(&self) -> String {
        let r = &self.knox;
        let mut out = String::from(
            "Knox ratio (observed / expected); * p<0.05 ** p<0.01 *** p<0.001; bands [a, b)\n",
        );
        out.push_str(&format!("{:<22}", "metres \\ days"));
        for b in &r.time_bands {
            out.push_str(&format!("{:>14}", b.interval()));
        }
        out.push('\n');
        for (s, sb) in r.space_bands.iter().enumerate() {
            out.push_str(&format!("{:<22}", sb.interval()));
            for t in 0..r.time_bands.len() {
                let c = r.cell(s, t);
                let stars = match c.p {
                    Some(p) if p < 0.001 => "***",
                    Some(p) if p < 0.01 => "**",
                    Some(p) if p < 0.05 => "*",
                    _ => "",
                };
                let ratio = c.ratio.map_or("-".to_owned(), |q| format!("{q:.2}"));
                out.push_str(&format!("{:>14}", format!("{ratio}{stars}")));
            }
            out.push('\n');
        }
        for line in self.narrative() {
            out.push_str(&line);
            out.push('\n');
        }
        out
    }
}
