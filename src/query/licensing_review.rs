//! Venue area review: the incidents around licensed premises, for a licensing officer's review
//! of one venue or a list (a licence review under s.51 of the Licensing Act 2003, or the
//! evidence behind representations).
//!
//! # Parameters
//! - `venue` (repeatable or comma list): venue ids; and/or `venues-in-ward` W: every venue whose
//!   position lies in ward W (code or name). At most [`MAX_REVIEW_VENUES`] venues.
//! - `radius-m`: the circle around each venue, metres (default 100, 10–1000).
//! - the selection's window, ward and category flags (default: all times).
//!
//! # Returns
//! Per venue: weighted incidents within the radius (`incidents`), its `share` when incidents
//! near several reviewed venues are split among them, `shared` (incidents also within reach
//! of another reviewed venue), a 7×24 hour-of-week table (Monday first, local time), counts by
//! category group, a monthly series with its Mann–Kendall trend, and the comparison with the
//! city's night-time economy: the venue's incidents in the `nte` window (Friday and Saturday
//! 20:00–04:00, same dates and categories, every ward) against the mean over every venue in
//! the city, and against the city's NTE incidents per km² of ward area times the circle's area.
//!
//! # Algorithm
//! 1. Select the incidents (window, wards, categories; aoristic weights for spans).
//! 2. For each reviewed venue, find the incidents within `radius-m` of its British National
//!    Grid position (R-tree, [`Snapshot::within_radius_m`]).
//! 3. Count, for each incident, the reviewed venues within reach (n); each venue's share of it
//!    is weight/n, so the shares add up to the distinct incidents in the union of the circles.
//! 4. Spread timed incidents over the hours of the week they cover (a span's minutes inside
//!    the window, Ratcliffe 2000's aoristic method); month-only rows go to `untimed`.
//! 5. Repeat step 2 with the `nte` window for every venue of the city, for the mean and for
//!    the city's density.
//!
//! # Notes
//! Cost: one pass over the incidents per window plus one R-tree query per venue. police.uk
//! positions are snapped to anonymous map points and carry no time, so within-radius counts
//! of police.uk rows are indicative only (methods.md §7.2), and they are left out of hour
//! windows.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde_json::{Value, json};

use super::{
    ParamBag, ParamError, QueryError, RawSelection, Selection, parse_number, round6, split_list,
    ward_by_key,
};
use crate::analysis::mann_kendall::mann_kendall;
use crate::domain::{Group, Month};
use crate::index::{NO_TIME, Snapshot};
use crate::time::local::weekday_of_day;
use crate::time::{EventCalendar, Window, WindowParams};

/// Parameter names `licensing review` accepts (besides the selection's).
pub const REVIEW_PARAMS: &[&str] = &["venue", "venues-in-ward", "radius-m"];

/// Most venues one review covers.
pub const MAX_REVIEW_VENUES: usize = 500;

/// Default radius around a venue, metres (the CCTV coverage radius of interface.md, and a
/// street's length either side of a door).
pub const DEFAULT_REVIEW_RADIUS_M: f64 = 100.0;

/// A checked review request.
#[derive(Debug, Clone)]
pub struct ReviewRequest {
    /// Which incidents.
    pub selection: Selection,
    /// Reviewed venues, indices into [`Snapshot::venues`], ascending.
    pub venues: Vec<usize>,
    /// The ward of `venues-in-ward`, when given (index into [`Snapshot::wards`]).
    pub venues_in_ward: Option<usize>,
    /// Radius around each venue, metres.
    pub radius_m: f64,
}

/// Parses an optional number of metres within `[min, max]`.
pub(super) fn parse_metres(
    bag: &mut ParamBag,
    name: &str,
    default: f64,
    min: f64,
    max: f64,
) -> Result<f64, ParamError> {
    Ok(parse_number(
        bag.one(name)?.as_deref(),
        name,
        "a number of metres",
        min,
        max,
    )?
    .unwrap_or(default))
}

impl ReviewRequest {
    /// Checks raw parameters against the snapshot (venues and wards must exist).
    pub fn from_params(
        bag: &mut ParamBag,
        snap: &Snapshot,
        events: Option<&EventCalendar>,
    ) -> Result<ReviewRequest, ParamError> {
        let selection = RawSelection::take(bag)?.check(snap, events)?;
        let radius_m = parse_metres(bag, "radius-m", DEFAULT_REVIEW_RADIUS_M, 10.0, 1000.0)?;
        let ids = split_list(&bag.all("venue"), "venue")?;
        let mut venues = Vec::new();
        for id in &ids {
            let i = snap
                .venues
                .iter()
                .position(|v| v.id.eq_ignore_ascii_case(id))
                .ok_or_else(|| unknown_venue(snap, id))?;
            venues.push(i);
        }
        let venues_in_ward = match bag.one("venues-in-ward")? {
            None => None,
            Some(key) => {
                let w = ward_by_key(snap, key.trim(), "venues-in-ward")?;
                let inside: Vec<usize> = (0..snap.venues.len())
                    .filter(|&i| snap.ward_index.containing(snap.venues[i].location) == Some(w))
                    .collect();
                if inside.is_empty() {
                    return Err(ParamError::new(
                        "venues-in-ward",
                        format!("no venue lies in ward {}", snap.wards[w].name),
                    ));
                }
                venues.extend(inside);
                Some(w)
            }
        };
        if venues.is_empty() {
            return Err(ParamError::new(
                "venue",
                "give the venues to review: venue=ID (repeatable) or venues-in-ward=WARD",
            ));
        }
        venues.sort_unstable();
        venues.dedup();
        if venues.len() > MAX_REVIEW_VENUES {
            return Err(ParamError::new(
                "venues-in-ward",
                format!(
                    "{} venues; one review covers at most {MAX_REVIEW_VENUES}",
                    venues.len()
                ),
            ));
        }
        Ok(ReviewRequest {
            selection,
            venues,
            venues_in_ward,
            radius_m,
        })
    }
}

fn unknown_venue(snap: &Snapshot, id: &str) -> ParamError {
    let known: Vec<&str> = snap.venues.iter().take(12).map(|v| v.id.as_str()).collect();
    ParamError::new(
        "venue",
        format!(
            "unknown venue {id:?}; {} venues are loaded{}",
            snap.venues.len(),
            if known.is_empty() {
                " (import them with hotspot import venues)".to_owned()
            } else {
                format!(", e.g. {}", known.join(", "))
            }
        ),
    )
}

/// British National Grid position of every venue of the snapshot (`None` if it cannot be
/// projected, which a checked [`crate::domain::Wgs84`] inside Great Britain never is).
pub fn venue_positions_m(snap: &Snapshot) -> Vec<Option<[f64; 2]>> {
    snap.venues
        .iter()
        .map(|v| v.location.to_bng().ok().map(crate::domain::Bng::xy))
        .collect()
}

/// Total area of the wards, km² (0 when none are loaded).
pub fn wards_area_km2(snap: &Snapshot) -> f64 {
    use geo::Area;
    (0..snap.wards.len())
        .map(|w| snap.ward_index.boundary_bng(w).unsigned_area())
        .sum::<f64>()
        / 1e6
}

/// The city-wide night-time selection the venues are compared with: the `nte` preset in place
/// of the weekly pattern, the same dates and categories, every ward, no calendar filter.
pub fn nte_selection(selection: &Selection) -> Selection {
    let w = &selection.window;
    let params = WindowParams {
        from: w.from().map(|d| d.to_string()),
        to: w.to().map(|d| d.to_string()),
        preset: Some("nte".to_owned()),
        ..WindowParams::default()
    };
    // Dates that came out of a checked window parse again; the preset is a known name.
    let window = Window::parse(&params, None).unwrap_or_else(|_| w.clone());
    Selection {
        window,
        wards: Vec::new(),
        categories: selection.categories.clone(),
    }
}

/// Dense per-row weights of a selection (0 where not selected).
pub(super) fn dense_weights(snap: &Snapshot, selection: &Selection) -> (Vec<f64>, usize) {
    let selected = selection.apply(snap);
    let mut w = vec![0.0; snap.incidents.len()];
    for (&r, &x) in selected.rows.iter().zip(&selected.weights) {
        w[r as usize] = x;
    }
    (w, selected.left_out_month_only)
}

/// The review of one venue.
#[derive(Debug, Clone)]
pub struct VenueReview {
    /// Index into [`Snapshot::venues`].
    pub venue: usize,
    /// Weighted incidents within the radius.
    pub incidents: f64,
    /// The venue's share when incidents near several reviewed venues are split among them.
    pub share: f64,
    /// Weighted incidents within reach of another reviewed venue too.
    pub shared: f64,
    /// Hour-of-week table: `[weekday Monday = 0][hour]`, local time.
    pub hour_of_week: [[f64; 24]; 7],
    /// Weighted month-only incidents (no hour).
    pub untimed: f64,
    /// Incidents by category group, in [`Group::ALL`] order.
    pub by_group: [f64; 7],
    /// Incidents per month over the result's month axis.
    pub by_month: Vec<f64>,
    /// Mann–Kendall trend z and p of `by_month` (`None` with fewer than 3 months or no
    /// variation).
    pub trend: Option<(f64, f64)>,
    /// Weighted incidents in the `nte` window within the radius.
    pub nte_incidents: f64,
}

/// The city's night-time figures the venues are compared with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CityNte {
    /// Weighted NTE-window incidents inside the wards (every incident when none are loaded),
    /// of the selection's dates and categories.
    pub incidents: f64,
    /// Ward area, km² (0 without wards).
    pub area_km2: f64,
    /// Mean NTE-window incidents within the radius over every venue of the city.
    pub venue_mean: f64,
    /// Venues in that mean.
    pub venues: usize,
    /// Month-only rows left out of the NTE window.
    pub left_out_month_only: usize,
}

impl CityNte {
    /// NTE incidents per km² (`None` without ward area).
    pub fn per_km2(&self) -> Option<f64> {
        (self.area_km2 > 0.0).then(|| self.incidents / self.area_km2)
    }

    /// Incidents a circle of `radius_m` would hold at the city's NTE density.
    pub fn expected_in_circle(&self, radius_m: f64) -> Option<f64> {
        self.per_km2()
            .map(|d| d * std::f64::consts::PI * radius_m * radius_m / 1e6)
    }
}

/// The result of a venue review.
#[derive(Debug, Clone)]
pub struct ReviewResult {
    /// The request.
    pub request: ReviewRequest,
    /// One review per requested venue, in request order.
    pub venues: Vec<VenueReview>,
    /// The month axis of `by_month`.
    pub months: Vec<Month>,
    /// Distinct weighted incidents within reach of any reviewed venue.
    pub distinct: f64,
    /// Distinct weighted incidents within reach of two or more reviewed venues.
    pub shared_distinct: f64,
    /// Weighted incidents selected city-wide.
    pub selected_total: f64,
    /// Month-only rows left out of the window.
    pub left_out_month_only: usize,
    /// The city's NTE comparison.
    pub city: CityNte,
}

/// Spreads a row's weight over the hours of the week it covers (see step 4).
fn spread(window: &Window, start: i64, end: i64, weight: f64, table: &mut [[f64; 24]; 7]) {
    let mut put = |minute: i64, w: f64| {
        let day = minute.div_euclid(1440);
        let hour = (minute.rem_euclid(1440) / 60) as usize;
        table[weekday_of_day(day)][hour] += w;
    };
    for (minute, share) in window.hour_shares(start, end) {
        put(minute, weight * share);
    }
}

/// Runs the review.
///
/// # Errors
/// [`QueryError::Empty`] when no venue can be placed on the national grid.
pub fn run_review(snap: &Snapshot, request: &ReviewRequest) -> Result<ReviewResult, QueryError> {
    let positions = venue_positions_m(snap);
    let (weights, left_out_month_only) = dense_weights(snap, &request.selection);
    let t = &snap.incidents;
    // Step 2: rows within reach of each reviewed venue.
    let near: Vec<Vec<u32>> = request
        .venues
        .iter()
        .map(|&v| match positions[v] {
            None => Vec::new(),
            Some(xy) => {
                let mut rows: Vec<u32> = snap
                    .within_radius_m(xy, request.radius_m)
                    .filter(|&r| weights[r as usize] > 0.0)
                    .collect();
                rows.sort_unstable();
                rows
            }
        })
        .collect();
    if request.venues.iter().all(|&v| positions[v].is_none()) {
        return Err(QueryError::Empty(
            "none of the venues could be placed on the British National Grid".to_owned(),
        ));
    }
    // Step 3: reach counts.
    let mut reach: HashMap<u32, u32> = HashMap::new();
    for rows in &near {
        for &r in rows {
            *reach.entry(r).or_insert(0) += 1;
        }
    }
    let mut distinct_rows: Vec<u32> = reach.keys().copied().collect();
    distinct_rows.sort_unstable();
    let distinct: f64 = distinct_rows.iter().map(|&r| weights[r as usize]).sum();
    let shared_distinct: f64 = distinct_rows
        .iter()
        .filter(|r| reach[r] > 1)
        .map(|&r| weights[r as usize])
        .sum();
    // The month axis: every month from the first to the last selected incident near a venue.
    let (lo, hi) = distinct_rows.iter().map(|&r| t.month[r as usize]).fold(
        (None, None),
        |(lo, hi): (Option<Month>, Option<Month>), m| {
            (
                Some(lo.map_or(m, |l| l.min(m))),
                Some(hi.map_or(m, |h| h.max(m))),
            )
        },
    );
    let months: Vec<Month> = match (lo, hi) {
        (Some(lo), Some(hi)) => (lo.index()..=hi.index())
            .filter_map(Month::from_index)
            .collect(),
        _ => Vec::new(),
    };
    // Step 5: the city's NTE figures.
    let nte = nte_selection(&request.selection);
    let (nte_weights, nte_left_out) = dense_weights(snap, &nte);
    let nte_near = |xy: [f64; 2]| -> f64 {
        snap.within_radius_m(xy, request.radius_m)
            .map(|r| nte_weights[r as usize])
            .sum()
    };
    let placed: Vec<[f64; 2]> = positions.iter().flatten().copied().collect();
    let venue_mean = if placed.is_empty() {
        0.0
    } else {
        placed.iter().map(|&xy| nte_near(xy)).sum::<f64>() / placed.len() as f64
    };
    let nte_total: f64 = (0..t.len())
        .filter(|&r| t.ward[r].is_some() || snap.wards.is_empty())
        .map(|r| nte_weights[r])
        .sum();
    let city = CityNte {
        incidents: nte_total,
        area_km2: wards_area_km2(snap),
        venue_mean,
        venues: placed.len(),
        left_out_month_only: nte_left_out,
    };
    let first = months.first().map_or(0, |m| m.index());
    let venues = request
        .venues
        .iter()
        .zip(&near)
        .map(|(&v, rows)| {
            let mut r = VenueReview {
                venue: v,
                incidents: 0.0,
                share: 0.0,
                shared: 0.0,
                hour_of_week: [[0.0; 24]; 7],
                untimed: 0.0,
                by_group: [0.0; 7],
                by_month: vec![0.0; months.len()],
                trend: None,
                nte_incidents: positions[v].map_or(0.0, nte_near),
            };
            for &row in rows {
                let i = row as usize;
                let w = weights[i];
                let n = reach[&row];
                r.incidents += w;
                r.share += w / f64::from(n);
                if n > 1 {
                    r.shared += w;
                }
                if t.start_min[i] == NO_TIME {
                    r.untimed += w;
                } else {
                    spread(
                        &request.selection.window,
                        t.start_min[i],
                        t.end_min[i],
                        w,
                        &mut r.hour_of_week,
                    );
                }
                r.by_group[t.group[i] as usize] += w;
                if let Ok(k) = usize::try_from(t.month[i].index() - first)
                    && let Some(slot) = r.by_month.get_mut(k)
                {
                    *slot += w;
                }
            }
            r.trend = (r.by_month.len() >= 3)
                .then(|| mann_kendall(&r.by_month).ok())
                .flatten()
                .filter(|m| m.z.is_finite())
                .map(|m| (m.z, m.p));
            r
        })
        .collect();
    Ok(ReviewResult {
        request: request.clone(),
        venues,
        months,
        distinct,
        shared_distinct,
        selected_total: weights.iter().sum(),
        left_out_month_only,
        city,
    })
}

fn ratio(a: f64, b: Option<f64>) -> Value {
    match b {
        Some(b) if b > 0.0 => json!(a / b),
        _ => Value::Null,
    }
}

impl ReviewResult {
    /// The `parameters` object.
    pub fn parameters(&self, snap: &Snapshot) -> Value {
        let r = &self.request;
        let mut p = r.selection.parameters(snap);
        p["radius_m"] = json!(r.radius_m);
        p["venues"] = json!(
            r.venues
                .iter()
                .map(|&v| snap.venues[v].id.as_str())
                .collect::<Vec<_>>()
        );
        p["venues_in_ward"] = r.venues_in_ward.map_or(
            Value::Null,
            |w| json!({"code": snap.wards[w].code, "name": snap.wards[w].name}),
        );
        p["sharing"] =
            json!("an incident within reach of n reviewed venues counts 1/n to each venue's share");
        p["comparison_window"] = json!(nte_selection(&r.selection).window.describe());
        p
    }

    /// The `summary` object.
    pub fn summary(&self) -> Value {
        let c = &self.city;
        json!({
            "venues": self.venues.len(),
            "distinct_incidents": self.distinct,
            "shared_incidents": self.shared_distinct,
            "sum_of_shares": self.venues.iter().map(|v| v.share).sum::<f64>(),
            "selected_total": self.selected_total,
            "left_out_month_only": self.left_out_month_only,
            "city_nte": {
                "incidents": c.incidents,
                "area_km2": c.area_km2,
                "per_km2": c.per_km2(),
                "venue_mean": c.venue_mean,
                "venues": c.venues,
                "expected_in_circle": c.expected_in_circle(self.request.radius_m),
                "left_out_month_only": c.left_out_month_only,
            },
        })
    }

    /// Scalar properties of one venue's review (the GeoJSON properties).
    fn properties(&self, snap: &Snapshot, r: &VenueReview) -> Value {
        let v = &snap.venues[r.venue];
        let expected = self.city.expected_in_circle(self.request.radius_m);
        let groups: serde_json::Map<String, Value> = Group::ALL
            .iter()
            .map(|g| (g.slug().to_owned(), json!(r.by_group[*g as usize])))
            .collect();
        json!({
            "id": v.id,
            "name": v.name,
            "kind": v.kind.name(),
            "incidents": r.incidents,
            "share": r.share,
            "shared": r.shared,
            "untimed": r.untimed,
            "nte_incidents": r.nte_incidents,
            "city_venue_mean_nte": self.city.venue_mean,
            "ratio_to_venue_mean": ratio(r.nte_incidents, Some(self.city.venue_mean)),
            "expected_nte": expected,
            "ratio_to_expected": ratio(r.nte_incidents, expected),
            "trend_z": r.trend.map(|t| t.0),
            "trend_p": r.trend.map(|t| t.1),
            "by_category": groups,
        })
    }

    /// JSON: `parameters`, `summary`, `months`, and `venues` with their full review
    /// (`hour_of_week` 7×24, Monday first; `by_month` on the `months` axis).
    pub fn json(&self, snap: &Snapshot) -> Value {
        let venues: Vec<Value> = self
            .venues
            .iter()
            .map(|r| {
                let mut p = self.properties(snap, r);
                let loc = snap.venues[r.venue].location;
                p["lon"] = json!(round6(loc.lon()));
                p["lat"] = json!(round6(loc.lat()));
                p["hour_of_week"] = json!(r.hour_of_week);
                p["by_month"] = json!(r.by_month);
                p
            })
            .collect();
        json!({
            "parameters": self.parameters(snap),
            "summary": self.summary(),
            "months": self.months.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "venues": venues,
        })
    }

    /// GeoJSON: one Point per venue with its scalar review properties.
    pub fn geojson(&self, snap: &Snapshot) -> Value {
        let features: Vec<Value> = self
            .venues
            .iter()
            .map(|r| {
                let loc = snap.venues[r.venue].location;
                json!({
                    "type": "Feature",
                    "id": snap.venues[r.venue].id,
                    "geometry": {"type": "Point", "coordinates": [round6(loc.lon()), round6(loc.lat())]},
                    "properties": self.properties(snap, r),
                })
            })
            .collect();
        json!({
            "type": "FeatureCollection",
            "parameters": self.parameters(snap),
            "summary": self.summary(),
            "features": features,
        })
    }

    /// CSV: one row per venue.
    pub fn csv(&self, snap: &Snapshot) -> String {
        let mut out = String::from(
            "id,name,kind,lat,lon,incidents,share,shared,untimed,nte_incidents,ratio_to_venue_mean,ratio_to_expected,trend_z,trend_p\n",
        );
        for r in &self.venues {
            let p = self.properties(snap, r);
            let v = &snap.venues[r.venue];
            let num = |x: &Value| x.as_f64().map_or(String::new(), |f| format!("{f}"));
            let _ = writeln!(
                out,
                "{},{},{},{:.6},{:.6},{},{},{},{},{},{},{},{},{}",
                csv_field(&v.id),
                csv_field(&v.name),
                v.kind.name(),
                v.location.lat(),
                v.location.lon(),
                r.incidents,
                r.share,
                r.shared,
                r.untimed,
                r.nte_incidents,
                num(&p["ratio_to_venue_mean"]),
                num(&p["ratio_to_expected"]),
                num(&p["trend_z"]),
                num(&p["trend_p"]),
            );
        }
        out
    }

    /// A plain-text table for the terminal: one block per venue with its hour-of-week table.
    pub fn table(&self, snap: &Snapshot) -> String {
        let mut out = String::new();
        let c = &self.city;
        let _ = writeln!(
            out,
            "{} venue(s), radius {} m, window: {}",
            self.venues.len(),
            self.request.radius_m,
            self.request.selection.window.describe()
        );
        let _ = writeln!(
            out,
            "distinct incidents near them: {:.1} ({:.1} within reach of two or more, shared 1/n)",
            self.distinct, self.shared_distinct
        );
        let _ = writeln!(
            out,
            "city NTE: {:.1} incidents, {} per km², mean {:.2} per venue circle over {} venues",
            c.incidents,
            c.per_km2().map_or("n/a".to_owned(), |d| format!("{d:.1}")),
            c.venue_mean,
            c.venues
        );
        if self.left_out_month_only > 0 {
            let _ = writeln!(
                out,
                "left out: {} month-only rows (the window needs a day or time)",
                self.left_out_month_only
            );
        }
        const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        for r in &self.venues {
            let v = &snap.venues[r.venue];
            let p = self.properties(snap, r);
            let _ = writeln!(
                out,
                "\n{} {} ({}): {:.1} incidents, share {:.2}, shared {:.1}, untimed {:.1}",
                v.id,
                v.name,
                v.kind.name(),
                r.incidents,
                r.share,
                r.shared,
                r.untimed
            );
            let _ = writeln!(
                out,
                "  NTE {:.1} vs venue mean {:.2} (x{}) and city density {} (x{})",
                r.nte_incidents,
                c.venue_mean,
                p["ratio_to_venue_mean"]
                    .as_f64()
                    .map_or("n/a".to_owned(), |x| format!("{x:.2}")),
                p["expected_nte"]
                    .as_f64()
                    .map_or("n/a".to_owned(), |x| format!("{x:.2}")),
                p["ratio_to_expected"]
                    .as_f64()
                    .map_or("n/a".to_owned(), |x| format!("{x:.2}")),
            );
            let groups: Vec<String> = Group::ALL
                .iter()
                .filter(|g| r.by_group[**g as usize] > 0.0)
                .map(|g| format!("{} {:.1}", g.slug(), r.by_group[*g as usize]))
                .collect();
            let _ = writeln!(out, "  categories: {}", groups.join(", "));
            let _ = write!(out, "  hour ");
            for h in 0..24 {
                let _ = write!(out, "{h:>4}");
            }
            out.push('\n');
            for (d, row) in r.hour_of_week.iter().enumerate() {
                let _ = write!(out, "  {}  ", DAYS[d]);
                for x in row {
                    if *x == 0.0 {
                        out.push_str("   .");
                    } else {
                        let _ = write!(out, "{x:>4.0}");
                    }
                }
                out.push('\n');
            }
        }
        out
    }
}

/// Quotes a CSV field when it needs it.
pub(super) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::domain::{
        Bng, Category, CrimeType, Incident, IncidentTime, Source, Venue, VenueKind, Wgs84,
    };
    use crate::index::SnapshotInput;
    use chrono::NaiveDate;

    /// Origin of the hand-made cases, British National Grid metres (Portsmouth).
    pub const O: [f64; 2] = [465_000.0, 100_000.0];

    fn at(dx: f64, dy: f64) -> Wgs84 {
        Bng::new(O[0] + dx, O[1] + dy)
            .and_then(Bng::to_wgs84)
            .unwrap()
    }

    /// An incident `dx, dy` metres from [`O`], at a local time (`None`: March 2024 only).
    pub fn incident(id: &str, dx: f64, dy: f64, when: Option<(u32, u32, u32)>) -> Incident {
        let time = match when {
            Some((day, h, m)) => IncidentTime::at_local(
                NaiveDate::from_ymd_opt(2024, 3, day)
                    .unwrap()
                    .and_hms_opt(h, m, 0)
                    .unwrap(),
            )
            .unwrap(),
            None => IncidentTime::Month {
                month: Month::new(2024, 3).unwrap(),
            },
        };
        Incident {
            id: id.into(),
            source: Source::Log,
            category: Category::of_type(CrimeType::PublicOrder),
            time,
            location: at(dx, dy),
            lsoa: None,
            location_desc: None,
            ward: None,
            alcohol: None,
            victim_hash: None,
        }
    }

    /// A pub `dx, dy` metres from [`O`].
    pub fn venue(id: &str, dx: f64, dy: f64) -> Venue {
        Venue {
            id: id.into(),
            name: format!("The {id}"),
            kind: VenueKind::Pub,
            location: at(dx, dy),
            opens: None,
            closes: None,
        }
    }

    pub fn snapshot(incidents: Vec<Incident>, venues: Vec<Venue>) -> Snapshot {
        Snapshot::build(SnapshotInput {
            version: 1,
            incidents,
            venues,
            ..SnapshotInput::default()
        })
        .unwrap()
    }

    #[test]
    fn hand_made_review_shares_overlaps_and_fills_the_hour_of_week() {
        // 1 March 2024 was a Friday.
        let snap = snapshot(
            vec![
                incident("both", 60.0, 0.0, Some((1, 23, 30))), // Fri 23:30, 60 m from A and B
                incident("a-only", -50.0, 0.0, Some((2, 1, 15))), // Sat 01:15 (Friday night)
                incident("b-only", 200.0, 0.0, None),           // month only, 80 m from B
                incident("none", 400.0, 0.0, Some((5, 12, 0))), // Tue noon, out of reach
            ],
            vec![venue("A", 0.0, 0.0), venue("B", 120.0, 0.0)],
        );
        let mut bag = ParamBag::new([("venue", "A,B")]).unwrap();
        let req = ReviewRequest::from_params(&mut bag, &snap, None).unwrap();
        let res = run_review(&snap, &req).unwrap();
        let (a, b) = (&res.venues[0], &res.venues[1]);
        assert_eq!(
            (a.incidents, a.share, a.shared, a.untimed),
            (2.0, 1.5, 1.0, 0.0)
        );
        assert_eq!(
            (b.incidents, b.share, b.shared, b.untimed),
            (2.0, 1.5, 1.0, 1.0)
        );
        assert_eq!((res.distinct, res.shared_distinct), (3.0, 1.0));
        assert_eq!(a.hour_of_week[4][23], 1.0);
        assert_eq!(a.hour_of_week[5][1], 1.0);
        assert_eq!(a.hour_of_week.iter().flatten().sum::<f64>(), 2.0);
        assert_eq!(b.hour_of_week[4][23], 1.0);
        assert_eq!(b.hour_of_week.iter().flatten().sum::<f64>(), 1.0);
        assert_eq!(a.by_group[Group::PublicOrder as usize], 2.0);
        assert_eq!(res.months, vec![Month::new(2024, 3).unwrap()]);
        assert_eq!(a.by_month, vec![2.0]);
        // NTE (Fri/Sat 20:00-04:00): A has both timed rows, B the shared one; the month-only
        // row is left out; no wards, so no city density.
        assert_eq!((a.nte_incidents, b.nte_incidents), (2.0, 1.0));
        assert_eq!(res.city.venue_mean, 1.5);
        assert_eq!(res.city.left_out_month_only, 1);
        assert_eq!(res.city.per_km2(), None);
        let j = res.summary();
        assert_eq!(j["sum_of_shares"], 3.0);
    }

    #[test]
    fn bad_review_parameters_name_themselves() {
        let snap = snapshot(vec![], vec![venue("A", 0.0, 0.0)]);
        for (pairs, parameter) in [
            (vec![], "venue"),
            (vec![("venue", "Z")], "venue"),
            (vec![("venue", "A"), ("radius-m", "0")], "radius-m"),
            (vec![("venue", "A"), ("radius-m", "NaN")], "radius-m"),
            (vec![("venues-in-ward", "Nowhere")], "venues-in-ward"),
        ] {
            let mut bag = ParamBag::new(pairs.clone()).unwrap();
            let e = ReviewRequest::from_params(&mut bag, &snap, None).unwrap_err();
            assert_eq!(e.parameter, parameter, "{pairs:?}: {e}");
        }
    }
}
