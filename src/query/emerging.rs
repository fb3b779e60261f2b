//! Emerging hot spots end to end: parameters → space-time cube → space-time Gi* → patterns.
//!
//! Equivalent to ArcGIS Pro's Create Space Time Cube By Aggregating Points (H3 cells × month
//! or week steps) followed by Emerging Hot Spot Analysis (see `analysis::emerging`).
//!
//! Steps:
//! 1. Select incidents; count them per study-area cell over the whole window.
//! 2. Locations are the study-area cells holding at least one incident in some step (Esri:
//!    "locations with data"; their empty steps count as zero).
//! 3. Time steps run from the window's first to last day (or the data's, when open): calendar
//!    months, or ISO weeks starting Monday. Month-only rows cannot go in week steps and are left
//!    out, counted.
//! 4. Space-time Gi* against the whole cube, FDR, Mann–Kendall on each location's z-series, and
//!    Esri's 17 patterns.

use h3o::Resolution;
use serde_json::{Value, json};

use super::{
    CellCounts, ParamBag, ParamError, QueryError, RawSelection, Selected, Selection, parse_bool,
    parse_in_range, parse_resolution,
};
use crate::analysis::emerging::{Emerging, EmergingOptions, MAX_STEPS, emerging};
use crate::analysis::weights::Neighbours;
use crate::domain::Month;
use crate::index::{NO_TIME, Snapshot};
use crate::time::EventCalendar;

/// Parameter names `emerging` accepts (besides the selection's).
pub const EMERGING_PARAMS: &[&str] = &["resolution", "k", "fdr", "step", "time-neighbours"];

/// The length of a time step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Calendar months.
    Month,
    /// ISO weeks (Monday to Sunday).
    Week,
}

/// A checked emerging request.
#[derive(Debug, Clone)]
pub struct EmergingRequest {
    /// Which incidents.
    pub selection: Selection,
    /// H3 resolution (`auto` is resolved like hot spots').
    pub resolution: Option<Resolution>,
    /// k-ring order of the spatial neighbourhood, 1–3.
    pub k: u32,
    /// Step length.
    pub step: Step,
    /// Options (time neighbours, FDR, α).
    pub options: EmergingOptions,
}

impl EmergingRequest {
    /// Checks raw parameters.
    pub fn from_params(
        bag: &mut ParamBag,
        snap: &Snapshot,
        events: Option<&EventCalendar>,
    ) -> Result<EmergingRequest, ParamError> {
        for unused in ["permutations", "seed", "inference"] {
            if bag.one(unused)?.is_some() {
                return Err(ParamError::new(
                    unused,
                    "emerging hot spots use the analytic space-time Gi* with FDR, as ArcGIS does; permutation options do not apply",
                ));
            }
        }
        let selection = RawSelection::take(bag)?.check(snap, events)?;
        let resolution = parse_resolution(bag.one("resolution")?.as_deref())?;
        let k = parse_in_range(bag.one("k")?.as_deref(), "k", 1u32, 1, 3)?;
        let fdr = parse_bool(bag.one("fdr")?.as_deref(), "fdr", true)?;
        let step = match bag.one("step")?.as_deref().map(str::trim) {
            None | Some("") | Some("month") => Step::Month,
            Some("week") => Step::Week,
            Some(t) => {
                return Err(ParamError::new(
                    "step",
                    format!("{t:?} is not month or week"),
                ));
            }
        };
        let time_neighbours = parse_in_range(
            bag.one("time-neighbours")?.as_deref(),
            "time-neighbours",
            1usize,
            0,
            12,
        )?;
        Ok(EmergingRequest {
            selection,
            resolution,
            k,
            step,
            options: EmergingOptions {
                time_neighbours,
                fdr,
                ..EmergingOptions::default()
            },
        })
    }
}

/// The result of an emerging run.
#[derive(Debug, Clone)]
pub struct EmergingResult {
    /// The request.
    pub request: EmergingRequest,
    /// Resolution used.
    pub resolution: Resolution,
    /// Selection outcome.
    pub selected: Selected,
    /// Counts over the whole window per study-area cell.
    pub counts: CellCounts,
    /// Indices into `counts.cells` of the analysed locations.
    pub locations: Vec<usize>,
    /// Label of each step (`2017-02`, or the Monday `2017-02-06`).
    pub step_labels: Vec<String>,
    /// Rows left out because they have no day for week steps.
    pub left_out_no_day: usize,
    /// The analysis.
    pub emerging: Emerging,
}

fn step_of(snap: &Snapshot, row: usize, step: Step) -> Option<i64> {
    let t = &snap.incidents;
    match step {
        Step::Month => Some(i64::from(t.month[row].index())),
        Step::Week => (t.start_min[row] != NO_TIME)
            .then(|| (t.start_min[row].div_euclid(1440) + 3).div_euclid(7)),
    }
}

fn step_label(step: Step, index: i64) -> String {
    match step {
        Step::Month => i32::try_from(index)
            .ok()
            .and_then(Month::from_index)
            .map_or_else(|| index.to_string(), |m| m.to_string()),
        Step::Week => crate::time::local::date_of_day(index * 7 - 3)
            .map_or_else(|| index.to_string(), |d| d.to_string()),
    }
}

/// Runs the analysis.
pub fn run_emerging(
    snap: &Snapshot,
    request: &EmergingRequest,
) -> Result<EmergingResult, QueryError> {
    let (selected, resolution, counts) =
        super::hotspots::select_and_count(snap, &request.selection, request.resolution)?;
    let locations: Vec<usize> = (0..counts.cells.len())
        .filter(|&i| counts.counts[i] > 0.0)
        .collect();
    // Step range: the window's, else the data's.
    let window = &request.selection.window;
    let bound = |d: Option<chrono::NaiveDate>| {
        d.map(|d| match request.step {
            Step::Month => i64::from(Month::of(d).index()),
            Step::Week => (crate::time::local::day_number(d) + 3).div_euclid(7),
        })
    };
    let steps_of_rows: Vec<Option<i64>> = selected
        .rows
        .iter()
        .map(|&r| step_of(snap, r as usize, request.step))
        .collect();
    let data_min = steps_of_rows.iter().flatten().min().copied();
    let data_max = steps_of_rows.iter().flatten().max().copied();
    let (Some(first), Some(last)) = (
        bound(window.from()).or(data_min),
        bound(window.to()).or(data_max),
    ) else {
        return Err(QueryError::Empty(
            "no selected incident has a day, so weekly steps cannot be formed".into(),
        ));
    };
    let steps = usize::try_from(last - first + 1).unwrap_or(0);
    if !(2..=MAX_STEPS).contains(&steps) {
        return Err(QueryError::Param(ParamError::new(
            "step",
            format!("the window spans {steps} steps; emerging hot spots need 2 to {MAX_STEPS}"),
        )));
    }
    let loc_cells: Vec<h3o::CellIndex> = locations.iter().map(|&i| counts.cells[i]).collect();
    let slots = snap.cell_slots(resolution).ok_or(QueryError::Aggregate(
        super::AggregateError::Resolution(u8::from(resolution)),
    ))?;
    let mut values = vec![0.0; loc_cells.len() * steps];
    let mut left_out_no_day = 0;
    for ((&row, &w), step) in selected
        .rows
        .iter()
        .zip(&selected.weights)
        .zip(&steps_of_rows)
    {
        let r = row as usize;
        if snap.incidents.ward[r].is_none() {
            continue;
        }
        let Some(step) = step else {
            left_out_no_day += 1;
            continue;
        };
        let cell = slots.cells[slots.slot[r] as usize];
        if let (Ok(loc), Ok(t)) = (
            loc_cells.binary_search(&cell),
            usize::try_from(step - first),
        ) && t < steps
        {
            values[loc * steps + t] += w;
        }
    }
    let neighbours = Neighbours::from_h3_cells(&loc_cells, request.k)?;
    let result = emerging(&values, steps, &neighbours, &request.options)?;
    Ok(EmergingResult {
        request: request.clone(),
        resolution,
        selected,
        counts,
        locations,
        step_labels: (first..=last)
            .map(|s| step_label(request.step, s))
            .collect(),
        left_out_no_day,
        emerging: result,
    })
}

impl EmergingResult {
    /// The `parameters` object.
    pub fn parameters(&self, snap: &Snapshot) -> Value {
        let r = &self.request;
        let mut p = r.selection.parameters(snap);
        p["resolution"] = json!(u8::from(self.resolution));
        p["k"] = json!(r.k);
        p["step"] = json!(match r.step {
            Step::Month => "month",
            Step::Week => "week",
        });
        p["time_neighbours"] = json!(r.options.time_neighbours);
        p["fdr"] = json!(r.options.fdr);
        p["alpha"] = json!(r.options.alpha);
        p["steps"] = json!(self.step_labels);
        p["global_window"] = json!("entire cube");
        p
    }

    /// The `summary` object: pattern counts and warnings.
    pub fn summary(&self) -> Value {
        let mut patterns = serde_json::Map::new();
        for loc in &self.emerging.locations {
            let e = patterns
                .entry(loc.pattern.label().to_owned())
                .or_insert(json!(0));
            *e = json!(e.as_u64().unwrap_or(0) + 1);
        }
        json!({
            "locations": self.locations.len(),
            "steps": self.step_labels.len(),
            "patterns": patterns,
            "left_out_month_only": self.selected.left_out_month_only,
            "left_out_no_day": self.left_out_no_day,
            "warnings": self.emerging.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
        })
    }

    fn properties(&self, i: usize) -> Value {
        let loc = &self.emerging.locations[i];
        let cell = self.counts.cells[self.locations[i]];
        json!({
            "cell": cell.to_string(),
            "count": self.counts.counts[self.locations[i]],
            "pattern": loc.pattern.label(),
            "trend_z": loc.trend_z,
            "trend_p": loc.trend_p,
            "count_trend_z": loc.count_trend_z,
            "count_trend_p": loc.count_trend_p,
            "hot_steps": loc.hot_steps,
            "cold_steps": loc.cold_steps,
        })
    }

    /// GeoJSON FeatureCollection of the analysed cells.
    pub fn geojson(&self, snap: &Snapshot) -> Value {
        json!({
            "type": "FeatureCollection",
            "parameters": self.parameters(snap),
            "summary": self.summary(),
            "features": (0..self.locations.len())
                .map(|i| super::cell_feature(self.counts.cells[self.locations[i]], self.properties(i)))
                .collect::<Vec<_>>(),
        })
    }

    /// JSON without geometry.
    pub fn json(&self, snap: &Snapshot) -> Value {
        json!({
            "parameters": self.parameters(snap),
            "summary": self.summary(),
            "cells": (0..self.locations.len()).map(|i| self.properties(i)).collect::<Vec<_>>(),
        })
    }

    /// CSV, one row per analysed cell.
    pub fn csv(&self) -> String {
        let mut out =
            String::from("cell,lat,lon,count,pattern,trend_z,trend_p,hot_steps,cold_steps\n");
        for (i, loc) in self.emerging.locations.iter().enumerate() {
            let cell = self.counts.cells[self.locations[i]];
            let ll = h3o::LatLng::from(cell);
            out.push_str(&format!(
                "{cell},{:.6},{:.6},{},{},{},{},{},{}\n",
                ll.lat(),
                ll.lng(),
                self.counts.counts[self.locations[i]],
                loc.pattern.label(),
                loc.trend_z,
                loc.trend_p,
                loc.hot_steps,
                loc.cold_steps
            ));
        }
        out
    }
}
