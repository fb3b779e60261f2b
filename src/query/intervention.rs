//! Did it work? Intervention evaluation end to end: counts before and after a date in a target
//! area, a buffer ring around it and a control area, the change against control and the
//! Weighted Displacement Quotient (Bowers & Johnson 2003; [`crate::analysis::wdq`]).
//!
//! interface.md is silent on this analysis; it is `hotspot intervention` and
//! `GET /api/intervention`.
//!
//! Parameters (besides `days`, `hours`, `preset`, `calendar`, `category`, which filter the
//! incidents as everywhere):
//! - target, exactly one of: `ward` (code or name, repeatable: the wards together),
//!   `polygon` (a GeoJSON Polygon/MultiPolygon geometry, Feature or FeatureCollection in lon/lat;
//!   the CLI's `--polygon FILE` reads a file), `camera` (an imported camera's id: the disc of its
//!   `radius_m`);
//! - `buffer-m` (default 200, 0–5000): the ring of points outside the target but within this
//!   distance of it (metres, British National Grid);
//! - `control-ward` (repeatable): the control area is these wards minus target and buffer;
//!   default: the rest of the study area (every ward, or everything when no wards are imported)
//!   outside target and buffer;
//! - `date` (`YYYY-MM-DD`, or `YYYY-MM` = its first day): the intervention starts that day;
//! - `before-months`, `after-months` (1–60; default 6, and the one not given equals the one
//!   given, so the periods have equal lengths): before = `[date − before-months, date)`, after =
//!   `[date, date + after-months)`. `from`/`to` are refused: the periods set the window.
//!
//! Steps:
//! 1. Select incidents over both periods (filters as above; every ward).
//! 2. Period: a dated row by its day; a month-only row (police.uk) by its month, and when the
//!    date is not the first of a month, month-only rows of the date's own month are left out
//!    (counted in `summary.left_out_straddling_month`).
//! 3. Area by distance to the target: 0 (inside) = target, up to `buffer-m` = buffer, beyond =
//!    control when in the control area, else not counted.
//! 4. Counts, percent changes, the target's change relative to control `(Ra/Rb)/(Ca/Cb)` and
//!    the WDQ with its reading.

use chrono::{Datelike, Months, NaiveDate};
use geo::{BoundingRect, Contains, Distance, Euclidean, MultiPolygon, Point, Rect};
use serde_json::{Value, json};

use super::area::geojson_polygons;
use super::{
    ParamBag, ParamError, QueryError, RawSelection, Selected, Selection, parse_in_range,
    parse_number,
};
use crate::analysis::wdq::{Counts, WdqResult, wdq};
use crate::domain::Month;
use crate::index::{NO_TIME, Snapshot, to_bng};
use crate::time::EventCalendar;

/// Parameter names `intervention` accepts (besides the selection's; `ward` is the target).
pub const INTERVENTION_PARAMS: &[&str] = &[
    "polygon",
    "camera",
    "buffer-m",
    "control-ward",
    "date",
    "before-months",
    "after-months",
];

/// Largest polygon text accepted from a file, bytes.
pub const MAX_POLYGON_BYTES: usize = 4 * 1024 * 1024;

/// Most vertices in a target polygon.
pub const MAX_POLYGON_VERTICES: usize = 200_000;

const MINUTES_PER_DAY: i64 = 1_440;

/// The target area.
#[derive(Debug, Clone)]
pub enum TargetArea {
    /// Wards (indices into the snapshot's wards).
    Wards(Vec<usize>),
    /// A polygon, in BNG metres.
    Polygon(MultiPolygon<f64>),
    /// A camera's disc.
    Camera {
        /// Camera id.
        id: String,
        /// Centre, BNG metres.
        centre: [f64; 2],
        /// Radius, metres.
        radius_m: f64,
    },
}

/// A checked intervention request.
#[derive(Debug, Clone)]
pub struct InterventionRequest {
    /// Incidents over both periods.
    pub selection: Selection,
    /// The target.
    pub target: TargetArea,
    /// Buffer ring width, metres.
    pub buffer_m: f64,
    /// Control wards; empty = the rest of the study area.
    pub control_wards: Vec<usize>,
    /// First day of the intervention.
    pub date: NaiveDate,
    /// Months before.
    pub before_months: u32,
    /// Months after.
    pub after_months: u32,
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .ok()
        .or_else(|| NaiveDate::parse_from_str(&format!("{t}-01"), "%Y-%m-%d").ok())
}

/// Parses GeoJSON text (see [`geojson_polygons`]) into a BNG MultiPolygon.
pub fn polygon_from_geojson(text: &str) -> Result<MultiPolygon<f64>, ParamError> {
    let bad = |why: String| ParamError::new("polygon", why);
    if text.len() > MAX_POLYGON_BYTES {
        return Err(bad(format!(
            "{} bytes; at most {MAX_POLYGON_BYTES}",
            text.len()
        )));
    }
    let lonlat = geojson_polygons(text, MAX_POLYGON_VERTICES).map_err(|e| bad(e.to_string()))?;
    to_bng(&lonlat).map_err(|(lon, lat)| {
        bad(format!(
            "vertex ({lon}, {lat}) is not a lon/lat in Great Britain"
        ))
    })
}

fn wards_of(
    names: Vec<String>,
    parameter: &str,
    snap: &Snapshot,
    events: Option<&EventCalendar>,
) -> Result<Vec<usize>, ParamError> {
    let raw = RawSelection {
        ward: names,
        ..RawSelection::default()
    };
    raw.check(snap, events).map(|s| s.wards).map_err(|mut e| {
        e.parameter = parameter.to_owned();
        e
    })
}

impl InterventionRequest {
    /// Checks raw parameters.
    pub fn from_params(
        bag: &mut ParamBag,
        snap: &Snapshot,
        events: Option<&EventCalendar>,
    ) -> Result<InterventionRequest, ParamError> {
        InterventionRequest::from_parts(bag, snap, events, None)
    }

    /// As [`InterventionRequest::from_params`], with the polygon's GeoJSON text given apart
    /// (the CLI reads `--polygon FILE`, which may be longer than a parameter value).
    pub fn from_parts(
        bag: &mut ParamBag,
        snap: &Snapshot,
        events: Option<&EventCalendar>,
        polygon_text: Option<String>,
    ) -> Result<InterventionRequest, ParamError> {
        let mut raw = RawSelection::take(bag)?;
        for (name, value) in [("from", &raw.from), ("to", &raw.to)] {
            if value.is_some() {
                return Err(ParamError::new(
                    name,
                    "the periods come from date, before-months and after-months; leave out from and to",
                ));
            }
        }
        let date_text = bag.one("date")?.ok_or_else(|| {
            ParamError::new(
                "date",
                "give the intervention's first day (YYYY-MM-DD or YYYY-MM)",
            )
        })?;
        let date = parse_date(&date_text).ok_or_else(|| {
            ParamError::new(
                "date",
                format!("{date_text:?} is not YYYY-MM-DD or YYYY-MM"),
            )
        })?;
        let before = bag.one("before-months")?;
        let after = bag.one("after-months")?;
        let before_given = before
            .as_deref()
            .map(|t| parse_in_range(Some(t), "before-months", 6, 1, 60))
            .transpose()?;
        let after_given = after
            .as_deref()
            .map(|t| parse_in_range(Some(t), "after-months", 6, 1, 60))
            .transpose()?;
        let before_months = before_given.or(after_given).unwrap_or(6);
        let after_months = after_given.or(before_given).unwrap_or(6);
        let start = date
            .checked_sub_months(Months::new(before_months))
            .ok_or_else(|| ParamError::new("before-months", "reaches before the calendar"))?;
        let end = date
            .checked_add_months(Months::new(after_months))
            .and_then(|d| d.pred_opt())
            .ok_or_else(|| ParamError::new("after-months", "reaches past the calendar"))?;
        let target_wards = std::mem::take(&mut raw.ward);
        raw.from = Some(start.to_string());
        raw.to = Some(end.to_string());
        let selection = raw.check(snap, events)?;

        let polygon = match polygon_text {
            Some(t) => Some(t),
            None => bag.one("polygon")?,
        };
        let camera = bag.one("camera")?;
        let given = usize::from(!target_wards.is_empty())
            + usize::from(polygon.is_some())
            + usize::from(camera.is_some());
        if given != 1 {
            return Err(ParamError::new(
                "ward",
                "give exactly one target: ward, polygon or camera",
            ));
        }
        let target = if let Some(text) = polygon {
            TargetArea::Polygon(polygon_from_geojson(&text)?)
        } else if let Some(id) = camera {
            let cam = snap
                .cameras
                .iter()
                .find(|c| c.id == id.trim())
                .ok_or_else(|| {
                    let known: Vec<&str> = snap
                        .cameras
                        .iter()
                        .take(20)
                        .map(|c| c.id.as_str())
                        .collect();
                    ParamError::new(
                        "camera",
                        format!(
                            "unknown camera {id:?}; known: {}",
                            if known.is_empty() {
                                "none (import cameras first)".to_owned()
                            } else {
                                known.join(", ")
                            }
                        ),
                    )
                })?;
            let centre = cam
                .location
                .to_bng()
                .map_err(|e| ParamError::new("camera", e.to_string()))?
                .xy();
            TargetArea::Camera {
                id: cam.id.clone(),
                centre,
                radius_m: cam.radius_m,
            }
        } else {
            TargetArea::Wards(wards_of(target_wards, "ward", snap, events)?)
        };
        let buffer_m = parse_number(
            bag.one("buffer-m")?.as_deref(),
            "buffer-m",
            "a number of metres",
            0.0,
            5_000.0,
        )?
        .unwrap_or(200.0);
        let control_wards = wards_of(bag.all("control-ward"), "control-ward", snap, events)?;
        Ok(InterventionRequest {
            selection,
            target,
            buffer_m,
            control_wards,
            date,
            before_months,
            after_months,
        })
    }
}

/// Counts in one area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AreaCounts {
    /// Before.
    pub before: u64,
    /// After.
    pub after: u64,
}

/// The result.
#[derive(Debug, Clone)]
pub struct InterventionResult {
    /// The request.
    pub request: InterventionRequest,
    /// Selection outcome.
    pub selected: Selected,
    /// Target counts.
    pub target: AreaCounts,
    /// Buffer counts.
    pub buffer: AreaCounts,
    /// Control counts.
    pub control: AreaCounts,
    /// Month-only rows of the date's own month, left out (the date cuts the month).
    pub left_out_straddling_month: usize,
    /// The measures.
    pub wdq: WdqResult,
}

/// Distance from a point to the target (0 inside), with a bounding-box shortcut: `None` when
/// the point is certainly farther than `limit_m`.
struct Target<'a> {
    polygons: Vec<&'a MultiPolygon<f64>>,
    boxes: Vec<Option<Rect<f64>>>,
    disc: Option<([f64; 2], f64)>,
}

impl Target<'_> {
    fn distance(&self, xy: [f64; 2], limit_m: f64) -> Option<f64> {
        if let Some((c, r)) = self.disc {
            let d = ((xy[0] - c[0]).hypot(xy[1] - c[1]) - r).max(0.0);
            return (d <= limit_m).then_some(d);
        }
        let p = Point::new(xy[0], xy[1]);
        let mut best: Option<f64> = None;
        for (mp, bb) in self.polygons.iter().zip(&self.boxes) {
            if let Some(bb) = bb {
                let (lo, hi) = (bb.min(), bb.max());
                if xy[0] < lo.x - limit_m
                    || xy[0] > hi.x + limit_m
                    || xy[1] < lo.y - limit_m
                    || xy[1] > hi.y + limit_m
                {
                    continue;
                }
            }
            let d = if mp.contains(&p) {
                0.0
            } else {
                Euclidean.distance(&p, *mp)
            };
            best = Some(best.map_or(d, |b: f64| b.min(d)));
        }
        best.filter(|d| *d <= limit_m)
    }
}

/// Runs the analysis.
pub fn run_intervention(
    snap: &Snapshot,
    request: &InterventionRequest,
) -> Result<InterventionResult, QueryError> {
    let selected = request.selection.apply(snap);
    if selected.rows.is_empty() {
        return Err(QueryError::Empty(super::why_empty(
            snap,
            &request.selection,
            &selected,
        )));
    }
    let owned;
    let target = match &request.target {
        TargetArea::Wards(w) => {
            let polygons: Vec<&MultiPolygon<f64>> =
                w.iter().map(|&i| snap.ward_index.boundary_bng(i)).collect();
            Target {
                boxes: polygons.iter().map(|p| p.bounding_rect()).collect(),
                polygons,
                disc: None,
            }
        }
        TargetArea::Polygon(mp) => {
            owned = mp;
            Target {
                boxes: vec![owned.bounding_rect()],
                polygons: vec![owned],
                disc: None,
            }
        }
        TargetArea::Camera {
            centre, radius_m, ..
        } => Target {
            polygons: Vec::new(),
            boxes: Vec::new(),
            disc: Some((*centre, *radius_m)),
        },
    };
    let t = &snap.incidents;
    let date_day = crate::time::local::day_number(request.date);
    let date_month = Month::of(request.date);
    let mut control_mask = vec![request.control_wards.is_empty(); snap.wards.len()];
    for &w in &request.control_wards {
        control_mask[w] = true;
    }
    let (mut target_c, mut buffer_c, mut control_c) = (
        AreaCounts::default(),
        AreaCounts::default(),
        AreaCounts::default(),
    );
    let mut straddling = 0;
    for &row in &selected.rows {
        let i = row as usize;
        let after = if t.start_min[i] == NO_TIME {
            let m = t.month[i];
            if m == date_month && request.date.day() != 1 {
                straddling += 1;
                continue;
            }
            m >= date_month
        } else {
            t.start_min[i].div_euclid(MINUTES_PER_DAY) >= date_day
        };
        let slot = match target.distance(t.xy[i], request.buffer_m) {
            Some(0.0) => &mut target_c,
            Some(_) => &mut buffer_c,
            None => {
                let in_control = match t.ward[i] {
                    Some(w) => control_mask[usize::from(w)],
                    None => snap.wards.is_empty(),
                };
                if !in_control {
                    continue;
                }
                &mut control_c
            }
        };
        if after {
            slot.after += 1;
        } else {
            slot.before += 1;
        }
    }
    let c = |a: AreaCounts| Counts {
        before: a.before,
        after: a.after,
    };
    Ok(InterventionResult {
        request: request.clone(),
        selected,
        wdq: wdq(c(target_c), c(buffer_c), c(control_c)),
        target: target_c,
        buffer: buffer_c,
        control: control_c,
        left_out_straddling_month: straddling,
    })
}

fn change_pct(a: AreaCounts) -> Option<f64> {
    (a.before > 0).then(|| (a.after as f64 - a.before as f64) / a.before as f64 * 100.0)
}

impl InterventionResult {
    /// The target's change relative to the control's: `(Ra/Rb)/(Ca/Cb)`.
    pub fn relative_change(&self) -> Option<f64> {
        let (r, c) = (self.target, self.control);
        (r.before > 0 && c.before > 0 && c.after > 0)
            .then(|| (r.after as f64 / r.before as f64) / (c.after as f64 / c.before as f64))
    }

    fn target_json(&self, snap: &Snapshot) -> Value {
        match &self.request.target {
            TargetArea::Wards(w) => {
                json!({"kind": "wards", "wards": w.iter().map(|&i| json!({"code": snap.wards[i].code, "name": snap.wards[i].name})).collect::<Vec<_>>()})
            }
            TargetArea::Polygon(_) => json!({"kind": "polygon"}),
            TargetArea::Camera { id, radius_m, .. } => {
                json!({"kind": "camera", "camera": id, "radius_m": radius_m})
            }
        }
    }

    /// The `parameters` object.
    pub fn parameters(&self, snap: &Snapshot) -> Value {
        let r = &self.request;
        let mut p = r.selection.parameters(snap);
        p["target"] = self.target_json(snap);
        p["buffer_m"] = json!(r.buffer_m);
        p["control"] = if r.control_wards.is_empty() {
            json!({"kind": "rest of the study area outside target and buffer"})
        } else {
            json!({"kind": "wards outside target and buffer", "wards": r.control_wards.iter().map(|&i| json!({"code": snap.wards[i].code, "name": snap.wards[i].name})).collect::<Vec<_>>()})
        };
        p["date"] = json!(r.date.to_string());
        p["before_months"] = json!(r.before_months);
        p["after_months"] = json!(r.after_months);
        let start = r.date.checked_sub_months(Months::new(r.before_months));
        let end = r
            .date
            .checked_add_months(Months::new(r.after_months))
            .and_then(|d| d.pred_opt());
        p["before"] = json!({"from": start.map(|d| d.to_string()), "to": r.date.pred_opt().map(|d| d.to_string())});
        p["after"] = json!({"from": r.date.to_string(), "to": end.map(|d| d.to_string())});
        p["measures"] = json!(
            "Bowers & Johnson (2003): SM = Ra/Ca − Rb/Cb, BDM = Da/Ca − Db/Cb, WDQ = BDM/SM (only when SM < 0), TNE = [Rb·Ca/Cb − Ra] + [Db·Ca/Cb − Da]"
        );
        p
    }

    /// The `summary` object.
    pub fn summary(&self) -> Value {
        json!({
            "incidents": self.selected.rows.len(),
            "left_out_month_only": self.selected.left_out_month_only,
            "left_out_straddling_month": self.left_out_straddling_month,
            "wdq": self.wdq.wdq,
            "reading": self.wdq.reading,
        })
    }

    /// Plain-language reading.
    pub fn narrative(&self) -> Vec<String> {
        let area = |name: &str, a: AreaCounts| {
            format!(
                "{name}: {} before, {} after ({}).",
                a.before,
                a.after,
                change_pct(a).map_or("no change can be computed from 0".to_owned(), |c| format!(
                    "{c:+.1} %"
                ))
            )
        };
        let mut out = vec![
            area("Target", self.target),
            area("Buffer", self.buffer),
            area("Control", self.control),
        ];
        if let Some(q) = self.relative_change() {
            out.push(format!(
                "Relative to the control area, the target's incidents changed by {:+.1} % (ratio {q:.3}).",
                (q - 1.0) * 100.0
            ));
        }
        if let Some(q) = self.wdq.wdq {
            out.push(format!("Weighted Displacement Quotient: {q:.3}."));
        }
        out.push(self.wdq.reading.text().to_owned());
        if self.target.before + self.target.after < 20 {
            out.push("Counts are small: treat the quotient as indicative only.".to_owned());
        }
        out
    }

    /// JSON.
    pub fn json(&self, snap: &Snapshot) -> Value {
        let area = |a: AreaCounts| json!({"before": a.before, "after": a.after, "change_pct": change_pct(a)});
        json!({
            "parameters": self.parameters(snap),
            "summary": self.summary(),
            "areas": {"target": area(self.target), "buffer": area(self.buffer), "control": area(self.control)},
            "measures": {
                "success_measure": self.wdq.success_measure,
                "buffer_displacement_measure": self.wdq.buffer_displacement_measure,
                "wdq": self.wdq.wdq,
                "total_net_effect": self.wdq.total_net_effect,
                "relative_change": self.relative_change(),
                "reading": self.wdq.reading,
                "reading_text": self.wdq.reading.text(),
            },
            "narrative": self.narrative(),
        })
    }

    /// A text table.
    pub fn table(&self) -> String {
        let mut out = format!(
            "{:<10}{:>10}{:>10}{:>10}\n",
            "area", "before", "after", "change"
        );
        for (name, a) in [
            ("target", self.target),
            ("buffer", self.buffer),
            ("control", self.control),
        ] {
            out.push_str(&format!(
                "{name:<10}{:>10}{:>10}{:>10}\n",
                a.before,
                a.after,
                change_pct(a).map_or("-".to_owned(), |c| format!("{c:+.1}%"))
            ));
        }
        for line in self.narrative() {
            out.push_str(&line);
            out.push('\n');
        }
        out
    }
}
