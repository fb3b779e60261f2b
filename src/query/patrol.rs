//! Warden patrol plans: for a ward (or several) and a shift, which places to visit, how often,
//! in what order, and when — a route that fits the shift.
//!
//! Citation: Koper (1995), "Just enough police presence: reducing crime and disorderly
//! behavior by optimizing patrol time in crime hot spots", Justice Quarterly 12(4):649–672
//! (stops of 10–15 minutes; methods.md §6.3); the practitioner rule of 10–15 minute visits at
//! least every two hours; Getis-Ord Gi* for the hot spots (as `hotspot hotspots`).
//!
//! Parameters (besides the selection's `from`, `to`, `ward`, `category`, `calendar`):
//! - `ward`: required, one or several (a plan covers the wards' H3 cells).
//! - `shift`: `DAYS HH:MM-HH:MM`, e.g. `fri 22:00-03:00` or `fri,sat 20:00-04:00`; hours may
//!   cross midnight (the day is the evening's, as in windows); without days, every day. Or
//!   `days` and `hours` (or a `preset`) as in every window. The shift's hours are its clock.
//! - `start`: `LAT,LON` where the warden starts (default: the top-ranked place).
//! - `resolution`: H3 resolution of the places, 9 (≈ 174 m edge) or 10 (≈ 66 m, default: a
//!   place is walkable end to end within a stop).
//! - `dwell-min`: minutes per stop, 10–15 (default 15, Koper's optimum).
//! - `walk-kmh`: walking speed, 2–8 km/h (default 5).
//!
//! Returns: [`PatrolResult`]: the ordered stops with arrival and departure clock times, the
//! visits left out when the shift is too short, and the ranked places.
//!
//! Algorithm:
//! 1. Count the window's incidents (aoristic weights for spans) per H3 cell of the wards and
//!    run Gi* on them ([`run_hotspots`] with analytic inference, FDR, k = 1).
//! 2. Rank cells by weighted count (ties: higher Gi* bin, then cell index). The *places* are
//!    the top cells that together hold [`PLACE_SHARE`] (80 %) of the wards' incidents in the
//!    window, at most [`MAX_PLACES`]. (Gi* bins are reported with each place but do not admit
//!    places: with one dominant hot spot in the wards, Gi* marks its empty neighbours hot and
//!    a second busy street not, which is no basis for sending a warden.)
//! 3. Rounds: `R = max(1, ⌈shift ÷ 120 min⌉)` ("at least every two hours"); round `r`
//!    starts no earlier than `r × shift ÷ R` minutes into the shift. Each place wants
//!    `clamp(round(R × count ÷ top count), 1, R)` visits, so the riskiest places are seen in
//!    every round and the rest once; two visits to one place are ≥ [`MIN_REVISIT_MIN`] apart.
//! 4. Visits are offered in order of count ÷ visit number (the highest-risk first visits,
//!    then second visits, interleaved by that ratio). A visit is kept when the whole schedule
//!    with it still ends within the shift; otherwise it is reported as left out.
//! 5. Schedule: each round's places are ordered into a walking route ([`plan_route`]:
//!    nearest neighbour + 2-opt) from where the warden is (the start, then the last stop);
//!    walking time = straight line × [`DETOUR_FACTOR`] ÷ speed; arrival waits for the round's
//!    start and the revisit gap (the wait is free patrol); departure = arrival + dwell.
//! 6. Each stop is described by the most common location text of the incidents in its cell
//!    (police.uk "On or near ...", a log's street), with its count, Gi* bin and busiest hour
//!    of the shift (of the incidents' start, or midpoint for spans).
//!
//! Notes: O(incidents) for steps 1 and 6; steps 4–5 re-plan at most [`MAX_PLACES`] × R
//! times, each O(stops²) per 2-opt scan: milliseconds.
//!
//! Example: `hotspot patrol --ward "Charles Dickens" --shift "fri 22:00-03:00" --format gpx`.

use std::collections::HashMap;

use h3o::{CellIndex, LatLng, Resolution};
use serde_json::{Value, json};

use super::{
    HotspotRequest, HotspotResult, ParamBag, ParamError, QueryError, RawSelection, Selection,
    parse_in_range, parse_number, run_hotspots, split_list,
};
use crate::analysis::gi_star::{GiStarOptions, Inference};
use crate::analysis::route::{DETOUR_FACTOR, RouteError, plan_route, walking_m};
use crate::domain::Wgs84;
use crate::index::{NO_TIME, Snapshot, resolution_from_number};
use crate::time::{Days, EventCalendar, Hours};

/// Parameter names `patrol` accepts (besides the selection's).
pub const PATROL_PARAMS: &[&str] = &["shift", "start", "resolution", "dwell-min", "walk-kmh"];

/// Most places a plan ranks and may visit.
pub const MAX_PLACES: usize = 40;

/// Farthest a given start may lie from the nearest place, metres (beyond it the start is
/// surely a mistake: a warden does not walk 5 km to the first stop).
pub const MAX_START_M: f64 = 5_000.0;

/// Shortest time between two visits to one place, minutes.
pub const MIN_REVISIT_MIN: f64 = 60.0;

/// Longest time between rounds, minutes: the practitioner "at least every two hours".
pub const ROUND_MIN: i64 = 120;

/// Share of the window's incidents in the wards that the places together hold: the cells
/// are taken in order of count until they hold this share (the Pareto-style concentration of
/// crime at few places; methods.md §4.3).
pub const PLACE_SHARE: f64 = 0.8;

/// Why a plan could not be made (beyond bad parameters).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PatrolError {
    /// The route could not be ordered.
    #[error(transparent)]
    Route(#[from] RouteError),
    /// A cell centre has no British National Grid position.
    #[error("cell {cell} lies outside the British National Grid")]
    OutsideGrid {
        /// The H3 cell.
        cell: String,
    },
    /// The GPX writer failed.
    #[error("cannot write GPX: {0}")]
    Gpx(String),
}

/// A checked patrol request.
#[derive(Debug, Clone)]
pub struct PatrolRequest {
    /// Which incidents: the history window (`from`/`to`) with the shift's days and hours.
    pub selection: Selection,
    /// The shift's hours (its clock starts at `hours.start_min()`).
    pub hours: Hours,
    /// Where the warden starts; `None` = at the top-ranked place.
    pub start: Option<Wgs84>,
    /// H3 resolution of the places (9 or 10).
    pub resolution: Resolution,
    /// Minutes per stop, 10–15.
    pub dwell_min: u32,
    /// Walking speed, km/h.
    pub walk_kmh: f64,
}

/// Splits `fri 22:00-03:00` into days (`fri`, or `None` for every day) and hours, checked.
fn parse_shift(text: &str) -> Result<(Option<String>, String), ParamError> {
    let bad = |why: String| {
        ParamError::new(
            "shift",
            format!(
                "{why}; write DAYS HH:MM-HH:MM, e.g. \"fri 22:00-03:00\" or \"fri,sat 20:00-04:00\""
            ),
        )
    };
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let Some((hours, days)) = tokens.split_last() else {
        return Err(bad("empty".to_owned()));
    };
    Hours::parse(hours).map_err(|_| {
        bad(format!(
            "{hours:?} is not hours HH:MM-HH:MM (start and end differ)"
        ))
    })?;
    if days.is_empty() {
        return Ok((None, (*hours).to_owned()));
    }
    let days = days.join(",").replace(",,", ",");
    Days::parse(&days).map_err(|t| {
        bad(format!(
            "{t:?} is not a day (mon, tue, wed, thu, fri, sat, sun)"
        ))
    })?;
    Ok((Some(days), (*hours).to_owned()))
}

/// Parses `LAT,LON` in degrees.
fn parse_start(text: &str) -> Result<Wgs84, ParamError> {
    let bad = |why: &str| {
        ParamError::new(
            "start",
            format!("{text:?} {why}; write LAT,LON in degrees, e.g. 50.7978,-1.0918"),
        )
    };
    let (lat, lon) = text.split_once(',').ok_or_else(|| bad("is not LAT,LON"))?;
    let (Ok(lat), Ok(lon)) = (lat.trim().parse::<f64>(), lon.trim().parse::<f64>()) else {
        return Err(bad("is not two numbers"));
    };
    let p = Wgs84::new(lon, lat).map_err(|_| bad("is not a latitude and longitude"))?;
    p.to_bng()
        .map_err(|_| bad("lies outside the British National Grid"))?;
    Ok(p)
}

impl PatrolRequest {
    /// Checks raw parameters against the snapshot (wards must exist).
    pub fn from_params(
        bag: &mut ParamBag,
        snap: &Snapshot,
        events: Option<&EventCalendar>,
    ) -> Result<PatrolRequest, ParamError> {
        let mut raw = RawSelection::take(bag)?;
        if split_list(&raw.ward, "ward")?.is_empty() {
            let known: Vec<String> = snap.wards.iter().map(|w| w.name.clone()).collect();
            return Err(ParamError::new(
                "ward",
                format!(
                    "a patrol plan needs a ward (code or name; repeatable); known wards: {}",
                    if known.is_empty() {
                        "none (import wards first)".to_owned()
                    } else {
                        known.join(", ")
                    }
                ),
            ));
        }
        match bag.one("shift")? {
            Some(shift) => {
                if raw.days.is_some() || raw.hours.is_some() || raw.preset.is_some() {
                    return Err(ParamError::new(
                        "shift",
                        "give shift, or days and hours (or a preset), not both",
                    ));
                }
                let (days, hours) = parse_shift(&shift)?;
                raw.days = days;
                raw.hours = Some(hours);
            }
            None if raw.hours.is_none() && raw.preset.is_none() => {
                return Err(ParamError::new(
                    "shift",
                    "a patrol plan needs a shift, e.g. shift=\"fri 22:00-03:00\" (or days and hours)",
                ));
            }
            None => {}
        }
        let selection = raw.check(snap, events)?;
        let hours = selection.window.hours().ok_or_else(|| {
            ParamError::new("hours", "a patrol shift needs hours, e.g. 22:00-03:00")
        })?;
        let start = bag.one("start")?.map(|t| parse_start(&t)).transpose()?;
        let resolution_n =
            parse_in_range(bag.one("resolution")?.as_deref(), "resolution", 10u8, 9, 10)?;
        let resolution = resolution_from_number(resolution_n)
            .ok_or_else(|| ParamError::new("resolution", "must be 9 or 10"))?;
        let dwell_min =
            parse_in_range(bag.one("dwell-min")?.as_deref(), "dwell-min", 15u32, 10, 15)?;
        let walk_kmh = parse_number(
            bag.one("walk-kmh")?.as_deref(),
            "walk-kmh",
            "a speed in km/h",
            2.0,
            8.0,
        )?
        .unwrap_or(5.0);
        Ok(PatrolRequest {
            selection,
            hours,
            start,
            resolution,
            dwell_min,
            walk_kmh,
        })
    }

    /// The shift as written back: `fri 22:00-03:00` (days left out when every day).
    pub fn shift_text(&self) -> String {
        let days = self.selection.window.days();
        if days.is_all() {
            self.hours.to_string()
        } else {
            format!("{days} {}", self.hours)
        }
    }

    /// Shift length, minutes.
    pub fn shift_min(&self) -> i64 {
        self.hours.len_min()
    }
}

/// A ranked place (an H3 cell worth visiting).
#[derive(Debug, Clone)]
pub struct Place {
    /// Rank, 1 = highest count.
    pub rank: usize,
    /// The cell.
    pub cell: CellIndex,
    /// Cell centre, degrees.
    pub lonlat: [f64; 2],
    /// Cell centre, BNG metres.
    pub xy: [f64; 2],
    /// Weighted incidents in the window.
    pub count: f64,
    /// Gi* bin (−3..3).
    pub bin: i8,
    /// Gi* z.
    pub z: f64,
    /// Visits wanted (step 3).
    pub visits_wanted: u32,
    /// Visits planned.
    pub visits_planned: u32,
    /// Most common location text of its incidents, or `near LAT, LON`.
    pub street: String,
    /// Busiest hour of the shift (hour of day, 0–23), if any incident has a time.
    pub peak_hour: Option<u8>,
    /// Share of the place's count in that hour.
    pub peak_share: f64,
}

/// One stop of the plan.
#[derive(Debug, Clone)]
pub struct Stop {
    /// 1-based position in the plan.
    pub order: usize,
    /// Index into [`PatrolResult::places`].
    pub place: usize,
    /// Which visit to that place this is (1, 2, ...).
    pub visit: u32,
    /// Walking distance from the previous stop (or the start), metres.
    pub walk_m: f64,
    /// Walking time, minutes.
    pub walk_min: f64,
    /// Time waited before arriving (round start or revisit gap), minutes.
    pub wait_min: f64,
    /// Arrival, minutes after the shift start.
    pub arrive_min: f64,
    /// Departure, minutes after the shift start.
    pub depart_min: f64,
}

/// A wanted visit that did not fit.
#[derive(Debug, Clone)]
pub struct LeftOut {
    /// Index into [`PatrolResult::places`].
    pub place: usize,
    /// Which visit.
    pub visit: u32,
    /// Why.
    pub reason: &'static str,
}

/// The plan.
#[derive(Debug, Clone)]
pub struct PatrolResult {
    /// The request.
    pub request: PatrolRequest,
    /// Where the route starts, degrees.
    pub start_lonlat: [f64; 2],
    /// Whether the start was given (else: the top-ranked place).
    pub start_given: bool,
    /// Ranked places.
    pub places: Vec<Place>,
    /// Cells with incidents beyond [`MAX_PLACES`] or below the place rule.
    pub cells_not_ranked: usize,
    /// The stops in order.
    pub stops: Vec<Stop>,
    /// Wanted visits that did not fit.
    pub left_out: Vec<LeftOut>,
    /// Rounds R.
    pub rounds: u32,
    /// The hot spot run behind the ranking.
    pub hotspots: HotspotResult,
    /// First and last month of the selected incidents.
    pub months: Option<(String, String)>,
}

/// The schedule inputs shared by every trial.
struct Planner {
    start: [f64; 2],
    xy: Vec<[f64; 2]>,
    dwell_min: f64,
    speed_m_per_min: f64,
    rounds: u32,
    round_gap_min: f64,
}

impl Planner {
    /// Step 5: the stops for `visits[i]` visits to each place; returns them and the end time.
    fn schedule(&self, visits: &[u32]) -> Result<(Vec<Stop>, f64), RouteError> {
        let mut stops = Vec::new();
        let (mut t, mut at) = (0.0f64, self.start);
        let mut last_depart = vec![f64::NEG_INFINITY; self.xy.len()];
        for r in 0..self.rounds {
            let members: Vec<usize> = (0..self.xy.len()).filter(|&i| visits[i] > r).collect();
            if members.is_empty() {
                break;
            }
            let points: Vec<[f64; 2]> = members.iter().map(|&i| self.xy[i]).collect();
            let route = plan_route(at, &points)?;
            let round_start = f64::from(r) * self.round_gap_min;
            for &o in &route.order {
                let i = members[o];
                let walk_m = walking_m(at, self.xy[i]);
                let walk_min = walk_m / self.speed_m_per_min;
                let ready = t + walk_min;
                let arrive = ready.max(round_start).max(last_depart[i] + MIN_REVISIT_MIN);
                let depart = arrive + self.dwell_min;
                stops.push(Stop {
                    order: stops.len() + 1,
                    place: i,
                    visit: r + 1,
                    walk_m,
                    walk_min,
                    wait_min: arrive - ready,
                    arrive_min: arrive,
                    depart_min: depart,
                });
                last_depart[i] = depart;
                t = depart;
                at = self.xy[i];
            }
        }
        Ok((stops, t))
    }
}

fn bng_of(cell: CellIndex) -> Result<([f64; 2], [f64; 2]), PatrolError> {
    let ll = LatLng::from(cell);
    let outside = || PatrolError::OutsideGrid {
        cell: cell.to_string(),
    };
    let p = Wgs84::new(ll.lng(), ll.lat()).map_err(|_| outside())?;
    let xy = p.to_bng().map_err(|_| outside())?.xy();
    Ok(([ll.lng(), ll.lat()], xy))
}

/// Runs the plan (see the module doc).
pub fn run_patrol(snap: &Snapshot, request: &PatrolRequest) -> Result<PatrolResult, QueryError> {
    // Step 1.
    let hotspots = run_hotspots(
        snap,
        &HotspotRequest {
            selection: request.selection.clone(),
            resolution: Some(request.resolution),
            k: 1,
            gi: GiStarOptions {
                permutations: 0,
                fdr: true,
                inference: Inference::Analytic,
                ..GiStarOptions::default()
            },
        },
    )?;
    // Step 2.
    let counts = &hotspots.counts;
    let mut order: Vec<usize> = (0..counts.cells.len())
        .filter(|&i| counts.counts[i] > 0.0)
        .collect();
    order.sort_by(|&a, &b| {
        counts.counts[b]
            .total_cmp(&counts.counts[a])
            .then(hotspots.gi.cells[b].bin.cmp(&hotspots.gi.cells[a].bin))
            .then(counts.cells[a].cmp(&counts.cells[b]))
    });
    let total: f64 = order.iter().map(|&i| counts.counts[i]).sum();
    let mut cumulative = 0.0;
    let mut chosen = Vec::new();
    for &i in &order {
        if cumulative >= PLACE_SHARE * total || chosen.len() == MAX_PLACES {
            break;
        }
        cumulative += counts.counts[i];
        chosen.push(i);
    }
    if chosen.is_empty() {
        return Err(QueryError::Empty(
            "no incidents in the ward's cells fall in the shift's window: nothing to rank"
                .to_owned(),
        ));
    }
    let cells_not_ranked = order.len() - chosen.len();
    let shift_min = request.shift_min();
    let rounds = u32::try_from((shift_min + ROUND_MIN - 1) / ROUND_MIN)
        .unwrap_or(1)
        .max(1);
    let top = counts.counts[chosen[0]];
    let mut places = Vec::with_capacity(chosen.len());
    for (rank, &i) in chosen.iter().enumerate() {
        let (lonlat, xy) = bng_of(counts.cells[i]).map_err(QueryError::from)?;
        let share = counts.counts[i] / top;
        let wanted = (f64::from(rounds) * share)
            .round()
            .clamp(1.0, f64::from(rounds));
        places.push(Place {
            rank: rank + 1,
            cell: counts.cells[i],
            lonlat,
            xy,
            count: counts.counts[i],
            bin: hotspots.gi.cells[i].bin,
            z: hotspots.gi.cells[i].z,
            // In 1..=rounds, a small whole number.
            visits_wanted: wanted as u32,
            visits_planned: 0,
            street: String::new(),
            peak_hour: None,
            peak_share: 0.0,
        });
    }
    describe_places(snap, request, &hotspots, &mut places);
    // Steps 3–5.
    let (start_lonlat, start_xy, start_given) = match request.start {
        Some(p) => {
            let xy = p.to_bng().map_err(|_| {
                QueryError::Param(ParamError::new(
                    "start",
                    "lies outside the British National Grid",
                ))
            })?;
            let xy = xy.xy();
            let nearest_m = places
                .iter()
                .map(|q| (q.xy[0] - xy[0]).hypot(q.xy[1] - xy[1]))
                .fold(f64::INFINITY, f64::min);
            if nearest_m > MAX_START_M {
                return Err(QueryError::Param(ParamError::new(
                    "start",
                    format!(
                        "{:.5},{:.5} is {:.1} km from the nearest place to visit; give a start within {:.0} km of the ward",
                        p.lat(),
                        p.lon(),
                        nearest_m / 1000.0,
                        MAX_START_M / 1000.0
                    ),
                )));
            }
            ([p.lon(), p.lat()], xy, true)
        }
        None => (places[0].lonlat, places[0].xy, false),
    };
    let planner = Planner {
        start: start_xy,
        xy: places.iter().map(|p| p.xy).collect(),
        dwell_min: f64::from(request.dwell_min),
        speed_m_per_min: request.walk_kmh * 1000.0 / 60.0,
        rounds,
        round_gap_min: shift_min as f64 / f64::from(rounds),
    };
    let mut offers: Vec<(usize, u32)> = places
        .iter()
        .enumerate()
        .flat_map(|(i, p)| (1..=p.visits_wanted).map(move |k| (i, k)))
        .collect();
    offers.sort_by(|a, b| {
        (places[b.0].count / f64::from(b.1))
            .total_cmp(&(places[a.0].count / f64::from(a.1)))
            .then(a.0.cmp(&b.0))
            .then(a.1.cmp(&b.1))
    });
    let mut visits = vec![0u32; places.len()];
    let mut left_out = Vec::new();
    let mut planned = 0u32;
    for (i, k) in offers {
        if visits[i] + 1 != k {
            left_out.push(LeftOut {
                place: i,
                visit: k,
                reason: "an earlier visit to this place did not fit",
            });
            continue;
        }
        if f64::from(planned + 1) * planner.dwell_min > shift_min as f64 {
            left_out.push(LeftOut {
                place: i,
                visit: k,
                reason: "the shift is full: no time for another stop",
            });
            continue;
        }
        visits[i] += 1;
        let (_, end) = planner.schedule(&visits).map_err(PatrolError::from)?;
        if end <= shift_min as f64 + 1e-9 {
            planned += 1;
        } else {
            visits[i] -= 1;
            left_out.push(LeftOut {
                place: i,
                visit: k,
                reason: "does not fit in the shift (walking and dwell)",
            });
        }
    }
    let (stops, _) = planner.schedule(&visits).map_err(PatrolError::from)?;
    for (p, v) in places.iter_mut().zip(&visits) {
        p.visits_planned = *v;
    }
    left_out.sort_by_key(|l| (l.place, l.visit));
    let months = {
        let rows = &hotspots.selected.rows;
        let first = rows.iter().map(|&r| snap.incidents.month[r as usize]).min();
        let last = rows.iter().map(|&r| snap.incidents.month[r as usize]).max();
        first.zip(last).map(|(a, b)| (a.to_string(), b.to_string()))
    };
    Ok(PatrolResult {
        request: request.clone(),
        start_lonlat,
        start_given,
        places,
        cells_not_ranked,
        stops,
        left_out,
        rounds,
        hotspots,
        months,
    })
}

/// Step 6: street text and busiest hour of each place.
fn describe_places(
    snap: &Snapshot,
    request: &PatrolRequest,
    hotspots: &HotspotResult,
    places: &mut [Place],
) {
    let t = &snap.incidents;
    let by_cell: HashMap<CellIndex, usize> = places
        .iter()
        .enumerate()
        .map(|(i, p)| (p.cell, i))
        .collect();
    let cell_of = |row: usize| {
        t.cell[row]
            .parent(request.resolution)
            .and_then(|c| by_cell.get(&c).copied())
    };
    // Location texts: every stored incident in the cell (the place is the same whatever the window).
    let mut texts: Vec<HashMap<u32, usize>> = vec![HashMap::new(); places.len()];
    for row in 0..t.len() {
        if let Some(place) = t.place[row]
            && let Some(i) = cell_of(row)
        {
            *texts[i].entry(place).or_default() += 1;
        }
    }
    for (p, tally) in places.iter_mut().zip(&texts) {
        p.street = tally
            .iter()
            .map(|(&id, &n)| (n, t.places.get(id)))
            .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(a.1)))
            .map_or_else(
                || format!("near {:.5}, {:.5}", p.lonlat[1], p.lonlat[0]),
                |(_, s)| s.to_owned(),
            );
    }
    // Busiest hour of the shift, from the selected (windowed) incidents.
    let mut hours = vec![[0.0f64; 24]; places.len()];
    for (&row, &w) in hotspots
        .selected
        .rows
        .iter()
        .zip(&hotspots.selected.weights)
    {
        let row = row as usize;
        if t.start_min[row] == NO_TIME {
            continue;
        }
        let Some(i) = cell_of(row) else { continue };
        let minute = if t.end_min[row] > t.start_min[row] {
            t.start_min[row] + (t.end_min[row] - t.start_min[row]) / 2
        } else {
            t.start_min[row]
        };
        hours[i][(minute.rem_euclid(1440) / 60) as usize] += w;
    }
    let first_hour = usize::from(request.hours.start_min() / 60);
    let span_hours = usize::try_from(
        (request.shift_min() + i64::from(request.hours.start_min() % 60) + 59) / 60,
    )
    .unwrap_or(24)
    .min(24);
    for (p, h) in places.iter_mut().zip(&hours) {
        let sum: f64 = h.iter().sum();
        let mut best: Option<(usize, f64)> = None;
        for k in 0..span_hours {
            let hour = (first_hour + k) % 24;
            if h[hour] > 0.0 && best.is_none_or(|(_, v)| h[hour] > v) {
                best = Some((hour, h[hour]));
            }
        }
        if let Some((hour, v)) = best {
            // hour < 24.
            p.peak_hour = Some(hour as u8);
            p.peak_share = v / sum;
        }
    }
}

/// `HH:MM` of a clock `minutes` after midnight (wrapping past midnight).
pub fn clock(minutes: f64) -> String {
    let m = (minutes.round() as i64).rem_euclid(1440);
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// Words for a Gi* bin.
pub fn bin_text(bin: i8) -> &'static str {
    match bin {
        3 => "hot spot (99 % confidence)",
        2 => "hot spot (95 % confidence)",
        1 => "hot spot (90 % confidence)",
        0 => "not a significant hot spot",
        _ => "cold spot",
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn count_text(x: f64) -> String {
    if (x - x.round()).abs() < 0.05 {
        format!("{}", x.round())
    } else {
        format!("{x:.1}")
    }
}

impl PatrolResult {
    /// Why a place is on the plan, in words.
    pub fn why(&self, place: &Place) -> String {
        let mut text = format!(
            "rank {}: {} incidents in the shift's window ({}); Gi* {}",
            place.rank,
            count_text(place.count),
            self.request
                .selection
                .window
                .describe()
                .trim_end_matches('.'),
            bin_text(place.bin)
        );
        if let Some(h) = place.peak_hour {
            text.push_str(&format!(
                "; busiest {:02}:00-{:02}:00 ({:.0} % of its incidents)",
                h,
                (h + 1) % 24,
                place.peak_share * 100.0
            ));
        }
        text
    }

    /// The clock time of the shift start plus `offset_min`.
    pub fn clock_at(&self, offset_min: f64) -> String {
        clock(f64::from(self.request.hours.start_min()) + offset_min)
    }

    /// The `parameters` object.
    pub fn parameters(&self, snap: &Snapshot) -> Value {
        let r = &self.request;
        let mut p = r.selection.parameters(snap);
        p["shift"] = json!(r.shift_text());
        p["shift_start"] = json!(clock(f64::from(r.hours.start_min())));
        p["shift_min"] = json!(r.shift_min());
        p["start"] = json!({
            "lat": super::round6(self.start_lonlat[1]),
            "lon": super::round6(self.start_lonlat[0]),
            "chosen": if self.start_given { "given" } else { "the top-ranked place" },
        });
        p["resolution"] = json!(u8::from(r.resolution));
        p["dwell_min"] = json!(r.dwell_min);
        p["walk_kmh"] = json!(r.walk_kmh);
        p["detour_factor"] = json!(DETOUR_FACTOR);
        p["rounds"] = json!(self.rounds);
        p["min_revisit_min"] = json!(MIN_REVISIT_MIN);
        p["ranking"] = json!(
            "weighted count per H3 cell in the window; places are Gi* hot cells (bin >= 1, analytic, FDR, k = 1) or the top cells holding half the incidents"
        );
        p
    }

    /// The `summary` object: what the plan does, what it leaves out, the data behind it.
    pub fn summary(&self) -> Value {
        let walk_m: f64 = self.stops.iter().map(|s| s.walk_m).sum();
        let walk_min: f64 = self.stops.iter().map(|s| s.walk_min).sum();
        let wait_min: f64 = self.stops.iter().map(|s| s.wait_min).sum();
        let end = self.stops.last().map_or(0.0, |s| s.depart_min);
        let hs = &self.hotspots;
        json!({
            "stops": self.stops.len(),
            "places": self.places.len(),
            "places_visited": self.places.iter().filter(|p| p.visits_planned > 0).count(),
            "cells_not_ranked": self.cells_not_ranked,
            "left_out": self.left_out.len(),
            "walk_m": walk_m.round(),
            "walk_min": round1(walk_min),
            "dwell_min": self.stops.len() as f64 * f64::from(self.request.dwell_min),
            "wait_min": round1(wait_min),
            "end_min": round1(end),
            "end": self.clock_at(end),
            "shift_min": self.request.shift_min(),
            "fits": end <= self.request.shift_min() as f64 + 1e-9,
            "incidents": round1(hs.counts.counts.iter().sum::<f64>()),
            "rows_selected": hs.selected.rows.len(),
            "left_out_month_only": hs.selected.left_out_month_only,
            "first_month": self.months.as_ref().map(|m| m.0.clone()),
            "last_month": self.months.as_ref().map(|m| m.1.clone()),
        })
    }

    /// One place as JSON.
    fn place_json(&self, p: &Place) -> Value {
        json!({
            "rank": p.rank,
            "cell": p.cell.to_string(),
            "lat": super::round6(p.lonlat[1]),
            "lon": super::round6(p.lonlat[0]),
            "street": p.street,
            "count": round1(p.count),
            "bin": p.bin,
            "z": (p.z * 100.0).round() / 100.0,
            "peak_hour": p.peak_hour.map(|h| format!("{h:02}:00")),
            "visits_wanted": p.visits_wanted,
            "visits_planned": p.visits_planned,
        })
    }

    /// One stop as JSON (its place's properties, the visit and its times).
    pub fn stop_json(&self, s: &Stop) -> Value {
        let p = &self.places[s.place];
        let mut v = self.place_json(p);
        v["order"] = json!(s.order);
        v["visit"] = json!(s.visit);
        v["walk_m"] = json!(s.walk_m.round());
        v["walk_min"] = json!(round1(s.walk_min));
        v["wait_min"] = json!(round1(s.wait_min));
        v["arrive_min"] = json!(round1(s.arrive_min));
        v["depart_min"] = json!(round1(s.depart_min));
        v["arrive"] = json!(self.clock_at(s.arrive_min));
        v["depart"] = json!(self.clock_at(s.depart_min));
        v["why"] = json!(self.why(p));
        v
    }

    /// The left-out visits as JSON.
    pub fn left_out_json(&self) -> Vec<Value> {
        self.left_out
            .iter()
            .map(|l| {
                let mut v = self.place_json(&self.places[l.place]);
                v["visit"] = json!(l.visit);
                v["reason"] = json!(l.reason);
                v
            })
            .collect()
    }

    /// The route's positions (lon, lat): the start, then every stop.
    pub fn route_lonlat(&self) -> Vec<[f64; 2]> {
        std::iter::once(self.start_lonlat)
            .chain(self.stops.iter().map(|s| self.places[s.place].lonlat))
            .map(|[x, y]| [super::round6(x), super::round6(y)])
            .collect()
    }

    /// JSON: `parameters`, `summary`, `stops`, `left_out`, `places`.
    pub fn json(&self, snap: &Snapshot) -> Value {
        json!({
            "parameters": self.parameters(snap),
            "summary": self.summary(),
            "stops": self.stops.iter().map(|s| self.stop_json(s)).collect::<Vec<_>>(),
            "left_out": self.left_out_json(),
            "places": self.places.iter().map(|p| self.place_json(p)).collect::<Vec<_>>(),
            "route": self.route_lonlat(),
        })
    }

    /// GeoJSON: a Point per stop (`kind: stop`) and the route as a LineString (`kind: route`),
    /// with `parameters`, `summary` and `left_out`.
    pub fn geojson(&self, snap: &Snapshot) -> Value {
        let mut features: Vec<Value> = self
            .stops
            .iter()
            .map(|s| {
                let p = &self.places[s.place];
                let mut props = self.stop_json(s);
                props["kind"] = json!("stop");
                json!({
                    "type": "Feature",
                    "id": s.order,
                    "geometry": {"type": "Point", "coordinates": [super::round6(p.lonlat[0]), super::round6(p.lonlat[1])]},
                    "properties": props,
                })
            })
            .collect();
        let summary = self.summary();
        features.push(json!({
            "type": "Feature",
            "id": 0,
            "geometry": {"type": "LineString", "coordinates": self.route_lonlat()},
            "properties": {"kind": "route", "walk_m": summary["walk_m"], "walk_min": summary["walk_min"], "stops": self.stops.len()},
        }));
        json!({
            "type": "FeatureCollection",
            "parameters": self.parameters(snap),
            "summary": summary,
            "left_out": self.left_out_json(),
            "features": features,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shift_syntax() {
        assert_eq!(
            parse_shift("fri 22:00-03:00").unwrap(),
            (Some("fri".into()), "22:00-03:00".into())
        );
        assert_eq!(
            parse_shift("  fri,sat   20:00-04:00 ").unwrap(),
            (Some("fri,sat".into()), "20:00-04:00".into())
        );
        assert_eq!(
            parse_shift("fri sat 20:00-04:00").unwrap(),
            (Some("fri,sat".into()), "20:00-04:00".into())
        );
        assert_eq!(
            parse_shift("09:00-17:00").unwrap(),
            (None, "09:00-17:00".into())
        );
        for bad in [
            "",
            "fri",
            "fry 22:00-03:00",
            "fri 22:00",
            "fri 25:00-03:00",
            "fri 22:00-22:00",
        ] {
            let e = parse_shift(bad).unwrap_err();
            assert_eq!(e.parameter, "shift", "{bad:?}");
        }
        assert!(
            parse_shift("fry 22:00-03:00")
                .unwrap_err()
                .message
                .contains("\"fry\"")
        );
    }

    #[test]
    fn start_syntax() {
        let p = parse_start("50.7978,-1.0918").unwrap();
        assert_eq!((p.lat(), p.lon()), (50.7978, -1.0918));
        for bad in ["50.7", "a,b", "91,0", "40.7,-74.0"] {
            assert_eq!(parse_start(bad).unwrap_err().parameter, "start", "{bad:?}");
        }
    }

    #[test]
    fn clock_wraps() {
        assert_eq!(clock(22.0 * 60.0 + 75.4), "23:15");
        assert_eq!(clock(22.0 * 60.0 + 150.0), "00:30");
        assert_eq!(clock(1439.6), "00:00");
    }

    /// Hand schedule: two places 650 m apart in a straight line (845 m walked at 1.3), 5 km/h
    /// (83.3 m/min), dwell 15, one round.
    #[test]
    fn schedule_adds_up() {
        let planner = Planner {
            start: [0.0, 0.0],
            xy: vec![[0.0, 0.0], [650.0, 0.0]],
            dwell_min: 15.0,
            speed_m_per_min: 5000.0 / 60.0,
            rounds: 2,
            round_gap_min: 150.0,
        };
        let (stops, end) = planner.schedule(&[2, 1]).unwrap();
        assert_eq!(stops.len(), 3);
        assert_eq!(stops[0].arrive_min, 0.0);
        assert_eq!(stops[0].depart_min, 15.0);
        let walk = 650.0 * 1.3 / (5000.0 / 60.0);
        assert!((stops[1].walk_min - walk).abs() < 1e-9);
        assert!((stops[1].arrive_min - (15.0 + walk)).abs() < 1e-9);
        // Round 2 (place 0 again) cannot start before 150 minutes: walk back, then wait.
        assert!((stops[2].arrive_min - 150.0).abs() < 1e-9);
        assert!((stops[2].wait_min - (150.0 - (30.0 + 2.0 * walk))).abs() < 1e-9);
        assert_eq!(stops[2].visit, 2);
        assert!((end - 165.0).abs() < 1e-9);
    }
}
