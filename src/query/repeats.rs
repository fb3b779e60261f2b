//! Repeat locations and repeat victims or callers: the ASB Case Review ("community trigger")
//! rule of 3 reports in 6 months, by default.
//!
//! Steps:
//! 1. Select incidents (window, wards, categories).
//! 2. Places: police.uk rows by their snap point (exact position: the same *map point*, not
//!    the same address; methods.md §5.5); log and GeoJSON rows by position within
//!    `tolerance-m` (default 10 m): rows are taken in store order and each joins the nearest
//!    place started by an earlier row within the tolerance (ties: the earlier place), else
//!    starts one. Positions are British National Grid metres.
//! 3. A place is a repeat location when at least `min` (default 3) of its incidents fall within
//!    `within-days` (default 180) of each other: the last date minus the first is at most
//!    `within-days` days (so 3 reports 180 days apart count, 181 days apart do not). A place
//!    with a month-only row (police.uk) is judged in months: `within-days` becomes
//!    `round(within-days / 30.4375)` calendar months (180 → 6), and the reports must fall in
//!    that many consecutive months (months apart ≤ 5 for 6).
//! 4. Trend of each repeat location: counts per month over the window (its `from`/`to`, else
//!    the months of the selected rows), and the earlier half against the later half (the
//!    middle month of an odd count left out): `rising`, `falling` or `steady`.
//! 5. Repeat victims or callers: rows with a victim hash (salted SHA-256 of the log's reference,
//!    made at ingest), matched on the hash only, by the same rule. Only a hash-derived id (the
//!    first 12 hex digits, `V-…`) and counts and dates are shown, never a reference, place or
//!    incident. Over HTTP they are shown only with the server's bearer token.
//!
//! Outputs: `json` (default), `csv` (places), `geojson` (places as points).

use std::collections::HashMap;

use rstar::{RTree, primitives::GeomWithData};
use serde_json::{Value, json};

use super::{
    ParamBag, ParamError, QueryError, RawSelection, Selected, Selection, parse_in_range,
    parse_number, round6,
};
use crate::domain::{Month, Source};
use crate::index::{NO_TIME, Snapshot};
use crate::time::EventCalendar;
use crate::time::local::date_of_day;

/// Parameter names `repeats` accepts (besides the selection's).
pub const REPEATS_PARAMS: &[&str] = &["min", "within-days", "tolerance-m", "victims"];

/// Most places or victims listed.
pub const MAX_REPEATS_LISTED: usize = 2_000;

/// Most months in a trend series.
pub const MAX_TREND_MONTHS: i32 = 240;

const MINUTES_PER_DAY: i64 = 1_440;

/// Days per month on average (Gregorian), for turning `within-days` into months.
const DAYS_PER_MONTH: f64 = 30.4375;

/// A checked repeats request.
#[derive(Debug, Clone)]
pub struct RepeatsRequest {
    /// Which incidents.
    pub selection: Selection,
    /// Least incidents that make a repeat (default 3).
    pub min: u32,
    /// Span they must fall within, days (default 180).
    pub within_days: u32,
    /// Positions closer than this are one place (log rows), metres (default 10).
    pub tolerance_m: f64,
    /// `victims` as asked: `None` = not said.
    pub victims: Option<bool>,
    /// Why victims are left out, when the caller (the server) decided so.
    pub victims_hidden: Option<String>,
}

impl RepeatsRequest {
    /// Checks raw parameters.
    pub fn from_params(
        bag: &mut ParamBag,
        snap: &Snapshot,
        events: Option<&EventCalendar>,
    ) -> Result<RepeatsRequest, ParamError> {
        let selection = RawSelection::take(bag)?.check(snap, events)?;
        let min = parse_in_range(bag.one("min")?.as_deref(), "min", 3, 2, 1_000)?;
        let within_days = parse_in_range(
            bag.one("within-days")?.as_deref(),
            "within-days",
            180,
            1,
            3_650,
        )?;
        let tolerance_m = parse_number(
            bag.one("tolerance-m")?.as_deref(),
            "tolerance-m",
            "a number of metres",
            0.0,
            100.0,
        )?
        .unwrap_or(10.0);
        let victims = match bag.one("victims")? {
            None => None,
            Some(t) => Some(super::parse_bool(Some(&t), "victims", true)?),
        };
        Ok(RepeatsRequest {
            selection,
            min,
            within_days,
            tolerance_m,
            victims,
            victims_hidden: None,
        })
    }

    /// The months a month-only place is judged in.
    pub fn within_months(&self) -> i64 {
        ((f64::from(self.within_days) / DAYS_PER_MONTH).round() as i64).max(1)
    }
}

/// When a repeat's incidents happened, in the unit it was judged in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Day numbers.
    Days,
    /// Month indices.
    Months,
}

/// One repeat location or victim.
#[derive(Debug, Clone, PartialEq)]
pub struct Repeat {
    /// Selected rows, in time order.
    pub rows: Vec<u32>,
    /// Their times (day numbers or month indices), ascending.
    pub times: Vec<i64>,
    /// Unit of `times`.
    pub unit: Unit,
    /// Most incidents within one span.
    pub max_within: usize,
}

/// A repeat location.
#[derive(Debug, Clone, PartialEq)]
pub struct RepeatPlace {
    /// Position: the snap point, or the first row's position, lon/lat.
    pub lonlat: [f64; 2],
    /// police.uk snap point (`true`) or a cluster within the tolerance.
    pub snap_point: bool,
    /// The incidents.
    pub repeat: Repeat,
    /// Counts per month over the trend months.
    pub monthly: Vec<u32>,
}

/// A repeat victim or caller.
#[derive(Debug, Clone, PartialEq)]
pub struct RepeatVictim {
    /// `V-` and the first 12 hex digits of the salted hash.
    pub id: String,
    /// The incidents.
    pub repeat: Repeat,
}

/// The result.
#[derive(Debug, Clone)]
pub struct RepeatsResult {
    /// The request.
    pub request: RepeatsRequest,
    /// Selection outcome.
    pub selected: Selected,
    /// First month of the trend series.
    pub first_month: Month,
    /// Months in the trend series.
    pub months: usize,
    /// Places examined.
    pub places: usize,
    /// Repeat locations, most incidents within a span first.
    pub repeat_places: Vec<RepeatPlace>,
    /// Repeat victims (`None` = hidden; see `victims_note`).
    pub victims: Option<Vec<RepeatVictim>>,
    /// Why victims are hidden or absent.
    pub victims_note: Option<String>,
}

/// Largest number of `times` (ascending) with last − first ≤ `span`.
pub fn max_within(times: &[i64], span: i64) -> usize {
    let mut start = 0;
    let mut best = 0;
    for (j, &t) in times.iter().enumerate() {
        while t - times[start] > span {
            start += 1;
        }
        best = best.max(j - start + 1);
    }
    best
}

fn judge(snap: &Snapshot, rows: &[u32], request: &RepeatsRequest) -> Repeat {
    let t = &snap.incidents;
    let dated = rows.iter().all(|&r| t.start_min[r as usize] != NO_TIME);
    let (unit, span) = if dated {
        (Unit::Days, i64::from(request.within_days))
    } else {
        (Unit::Months, request.within_months() - 1)
    };
    let mut timed: Vec<(i64, u32)> = rows
        .iter()
        .map(|&r| {
            let i = r as usize;
            let time = match unit {
                Unit::Days => t.start_min[i].div_euclid(MINUTES_PER_DAY),
                Unit::Months => i64::from(t.month[i].index()),
            };
            (time, r)
        })
        .collect();
    timed.sort_unstable();
    let times: Vec<i64> = timed.iter().map(|x| x.0).collect();
    Repeat {
        max_within: max_within(&times, span),
        rows: timed.iter().map(|x| x.1).collect(),
        times,
        unit,
    }
}

/// Runs the analysis.
pub fn run_repeats(snap: &Snapshot, request: &RepeatsRequest) -> Result<RepeatsResult, QueryError> {
    let selected = request.selection.apply(snap);
    if selected.rows.is_empty() {
        return Err(QueryError::Empty(super::why_empty(
            snap,
            &request.selection,
            &selected,
        )));
    }
    let t = &snap.incidents;

    // 2. Places.
    let mut snap_points: HashMap<(u64, u64), usize> = HashMap::new();
    let mut clusters: RTree<GeomWithData<[f64; 2], usize>> = RTree::new();
    let mut members: Vec<Vec<u32>> = Vec::new();
    let mut is_snap: Vec<bool> = Vec::new();
    let tol2 = request.tolerance_m * request.tolerance_m;
    for &row in &selected.rows {
        let i = row as usize;
        let place = if t.source[i] == Source::PoliceUk {
            let key = (t.lonlat[i][0].to_bits(), t.lonlat[i][1].to_bits());
            *snap_points.entry(key).or_insert_with(|| {
                members.push(Vec::new());
                is_snap.push(true);
                members.len() - 1
            })
        } else {
            let xy = t.xy[i];
            let near = clusters
                .locate_within_distance(xy, tol2)
                .map(|g| {
                    let d2 = (g.geom()[0] - xy[0]).powi(2) + (g.geom()[1] - xy[1]).powi(2);
                    (d2, g.data)
                })
                .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            match near {
                Some((_, p)) => p,
                None => {
                    members.push(Vec::new());
                    is_snap.push(false);
                    clusters.insert(GeomWithData::new(xy, members.len() - 1));
                    members.len() - 1
                }
            }
        };
        members[place].push(row);
    }

    // 4. Trend months.
    let (mut lo, mut hi) = (i32::MAX, i32::MIN);
    for &r in &selected.rows {
        let m = t.month[r as usize].index();
        lo = lo.min(m);
        hi = hi.max(m);
    }
    if let Some(from) = request.selection.window.from() {
        lo = Month::of(from).index();
    }
    if let Some(to) = request.selection.window.to() {
        hi = Month::of(to).index();
    }
    hi = hi.min(lo + MAX_TREND_MONTHS - 1).max(lo);
    let first_month = Month::from_index(lo).unwrap_or_else(|| t.month[selected.rows[0] as usize]);
    let months = usize::try_from(hi - lo + 1).unwrap_or(1);

    let places = members.len();
    let mut repeat_places: Vec<RepeatPlace> = members
        .iter()
        .zip(&is_snap)
        .filter(|(rows, _)| rows.len() >= request.min as usize)
        .map(|(rows, &snap_point)| {
            let repeat = judge(snap, rows, request);
            let mut monthly = vec![0u32; months];
            for &r in rows {
                let k = t.month[r as usize].index() - lo;
                if let Some(slot) = usize::try_from(k).ok().and_then(|k| monthly.get_mut(k)) {
                    *slot += 1;
                }
            }
            RepeatPlace {
                lonlat: t.lonlat[rows[0] as usize],
                snap_point,
                repeat,
                monthly,
            }
        })
        .filter(|p| p.repeat.max_within >= request.min as usize)
        .collect();
    repeat_places.sort_by(|a, b| {
        b.repeat
            .max_within
            .cmp(&a.repeat.max_within)
            .then(b.repeat.rows.len().cmp(&a.repeat.rows.len()))
            .then(a.repeat.rows[0].cmp(&b.repeat.rows[0]))
    });

    // 5. Victims.
    let (victims, victims_note) = if let Some(why) = &request.victims_hidden {
        (None, Some(why.clone()))
    } else if request.victims == Some(false) {
        (None, Some("not asked for (victims=false)".to_owned()))
    } else {
        let mut by: HashMap<u32, Vec<u32>> = HashMap::new();
        for &r in &selected.rows {
            if let Some(v) = t.victim[r as usize] {
                by.entry(v).or_default().push(r);
            }
        }
        let note = by.is_empty().then(|| {
            "no selected incident carries a victim or caller reference (map a `victim` column in the log mapping)".to_owned()
        });
        let mut list: Vec<RepeatVictim> = by
            .into_iter()
            .filter(|(_, rows)| rows.len() >= request.min as usize)
            .map(|(v, rows)| RepeatVictim {
                id: format!(
                    "V-{}",
                    t.victims.get(v).chars().take(12).collect::<String>()
                ),
                repeat: judge(snap, &rows, request),
            })
            .filter(|v| v.repeat.max_within >= request.min as usize)
            .collect();
        list.sort_by(|a, b| {
            b.repeat
                .max_within
                .cmp(&a.repeat.max_within)
                .then(b.repeat.rows.len().cmp(&a.repeat.rows.len()))
                .then(a.id.cmp(&b.id))
        });
        (Some(list), note)
    };

    Ok(RepeatsResult {
        request: request.clone(),
        selected,
        first_month,
        months,
        places,
        repeat_places,
        victims,
        victims_note,
    })
}

fn time_text(unit: Unit, time: i64) -> String {
    match unit {
        Unit::Days => date_of_day(time).map_or_else(|| time.to_string(), |d| d.to_string()),
        Unit::Months => i32::try_from(time)
            .ok()
            .and_then(Month::from_index)
            .map_or_else(|| time.to_string(), |m| m.to_string()),
    }
}

fn unit_name(unit: Unit) -> &'static str {
    match unit {
        Unit::Days => "days",
        Unit::Months => "months",
    }
}

/// Earlier half, later half and the word for their change.
fn halves(monthly: &[u32]) -> (u32, u32, &'static str) {
    let half = monthly.len() / 2;
    let earlier: u32 = monthly[..half].iter().sum();
    let later: u32 = monthly[monthly.len() - half..].iter().sum();
    let word = match later.cmp(&earlier) {
        std::cmp::Ordering::Greater => "rising",
        std::cmp::Ordering::Less => "falling",
        std::cmp::Ordering::Equal => "steady",
    };
    (earlier, later, word)
}

impl RepeatsResult {
    /// The `parameters` object.
    pub fn parameters(&self, snap: &Snapshot) -> Value {
        let r = &self.request;
        let mut p = r.selection.parameters(snap);
        p["min"] = json!(r.min);
        p["within_days"] = json!(r.within_days);
        p["within_months_for_month_only"] = json!(r.within_months());
        p["tolerance_m"] = json!(r.tolerance_m);
        p["rule"] = json!(format!(
            "at least {} incidents with the last at most {} days after the first (month-only places: within {} consecutive calendar months); ASB Case Review default 3 in 6 months",
            r.min,
            r.within_days,
            r.within_months()
        ));
        p["places"] = json!(format!(
            "police.uk rows: the same snap point (a map point, not an address); other rows: positions within {} m",
            r.tolerance_m
        ));
        p
    }

    /// The `summary` object.
    pub fn summary(&self) -> Value {
        json!({
            "incidents": self.selected.rows.len(),
            "places": self.places,
            "repeat_places": self.repeat_places.len(),
            "repeat_victims": self.victims.as_ref().map(Vec::len),
            "victims_note": self.victims_note,
            "left_out_month_only": self.selected.left_out_month_only,
            "trend_first_month": self.first_month.to_string(),
            "trend_months": self.months,
        })
    }

    fn place_properties(&self, snap: &Snapshot, rank: usize, p: &RepeatPlace) -> Value {
        let t = &snap.incidents;
        let r = &p.repeat;
        let first = r.rows[0] as usize;
        let (earlier, later, trend) = halves(&p.monthly);
        json!({
            "rank": rank + 1,
            "place": t.place[first].map(|i| t.places.get(i).to_owned()),
            "snap_point": p.snap_point,
            "incidents": r.rows.len(),
            "max_within": r.max_within,
            "unit": unit_name(r.unit),
            "first": time_text(r.unit, r.times[0]),
            "last": time_text(r.unit, *r.times.last().unwrap_or(&r.times[0])),
            "monthly": p.monthly,
            "earlier_half": earlier,
            "later_half": later,
            "trend": trend,
        })
    }

    fn victims_json(&self) -> Value {
        match &self.victims {
            None => Value::Null,
            Some(list) => list
                .iter()
                .take(MAX_REPEATS_LISTED)
                .map(|v| {
                    let r = &v.repeat;
                    json!({
                        "victim_id": v.id,
                        "incidents": r.rows.len(),
                        "max_within": r.max_within,
                        "unit": unit_name(r.unit),
                        "first": time_text(r.unit, r.times[0]),
                        "last": time_text(r.unit, *r.times.last().unwrap_or(&r.times[0])),
                    })
                })
                .collect(),
        }
    }

    /// JSON.
    pub fn json(&self, snap: &Snapshot) -> Value {
        let places: Vec<Value> = self
            .repeat_places
            .iter()
            .take(MAX_REPEATS_LISTED)
            .enumerate()
            .map(|(k, p)| {
                let mut v = self.place_properties(snap, k, p);
                v["lon"] = json!(round6(p.lonlat[0]));
                v["lat"] = json!(round6(p.lonlat[1]));
                v
            })
            .collect();
        json!({
            "parameters": self.parameters(snap),
            "summary": self.summary(),
            "places": places,
            "victims": self.victims_json(),
        })
    }

    /// GeoJSON: repeat locations as points; victims (when shown) as a top-level member.
    pub fn geojson(&self, snap: &Snapshot) -> Value {
        let features: Vec<Value> = self
            .repeat_places
            .iter()
            .take(MAX_REPEATS_LISTED)
            .enumerate()
            .map(|(k, p)| {
                json!({
                    "type": "Feature",
                    "id": k + 1,
                    "geometry": {"type": "Point", "coordinates": [round6(p.lonlat[0]), round6(p.lonlat[1])]},
                    "properties": self.place_properties(snap, k, p),
                })
            })
            .collect();
        json!({
            "type": "FeatureCollection",
            "parameters": self.parameters(snap),
            "summary": self.summary(),
            "victims": self.victims_json(),
            "features": features,
        })
    }

    /// CSV of the repeat locations.
    pub fn csv(&self, snap: &Snapshot) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut rows = vec![vec![
            "rank".to_owned(),
            "lat".into(),
            "lon".into(),
            "place".into(),
            "incidents".into(),
            "max_within".into(),
            "unit".into(),
            "first".into(),
            "last".into(),
            "earlier_half".into(),
            "later_half".into(),
            "trend".into(),
        ]];
        for (k, p) in self
            .repeat_places
            .iter()
            .take(MAX_REPEATS_LISTED)
            .enumerate()
        {
            let v = self.place_properties(snap, k, p);
            let s = |key: &str| match &v[key] {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            rows.push(vec![
                s("rank"),
                format!("{:.6}", p.lonlat[1]),
                format!("{:.6}", p.lonlat[0]),
                s("place"),
                s("incidents"),
                s("max_within"),
                s("unit"),
                s("first"),
                s("last"),
                s("earlier_half"),
                s("later_half"),
                s("trend"),
            ]);
        }
        for r in rows {
            if w.write_record(&r).is_err() {
                break;
            }
        }
        w.into_inner()
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_rule_is_inclusive_of_the_within_days() {
        assert_eq!(max_within(&[0, 90, 180], 180), 3);
        assert_eq!(max_within(&[0, 90, 181], 180), 2);
        assert_eq!(max_within(&[0, 1, 2, 500, 501], 180), 3);
        assert_eq!(halves(&[1, 2, 9, 3, 4]), (3, 7, "rising"));
    }
}
